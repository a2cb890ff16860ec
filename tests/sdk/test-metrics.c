/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "oheplugin.h"

static void
ohe_metrics_test_render (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	const gdouble buckets[] = {1, 0.25};
	const gchar *expected = "# HELP ohe_fetch_total Fetches per provider.\n"
				"# TYPE ohe_fetch_total counter\n"
				"ohe_fetch_total{provider=\"fitbit\",status=\"500\"} 1\n"
				"ohe_fetch_total{provider=\"withings\",status=\"200\"} 42\n"
				"# HELP ohe_queue_depth Jobs waiting.\n"
				"# TYPE ohe_queue_depth gauge\n"
				"ohe_queue_depth 0.5\n"
				"# HELP ohe_sync_seconds Sync duration.\n"
				"# TYPE ohe_sync_seconds histogram\n"
				"ohe_sync_seconds_bucket{provider=\"omron\",le=\"0.25\"} 1\n"
				"ohe_sync_seconds_bucket{provider=\"omron\",le=\"1\"} 2\n"
				"ohe_sync_seconds_bucket{provider=\"omron\",le=\"+Inf\"} 3\n"
				"ohe_sync_seconds_sum{provider=\"omron\"} 3.875\n"
				"ohe_sync_seconds_count{provider=\"omron\"} 3\n"
				"# TYPE ohe_up gauge\n"
				"ohe_up NaN\n";

	/* registered out of order: the output must still be sorted */
	g_assert_true (ohe_metrics_register_histogram (
	    metrics, "ohe_sync_seconds", "Sync duration.", OHE_METRICS_LABELS ("provider"), buckets,
	    G_N_ELEMENTS (buckets), &error));
	g_assert_no_error (error);
	g_assert_true (ohe_metrics_register_gauge (metrics, "ohe_up", NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (
	    ohe_metrics_register_counter (metrics, "ohe_fetch_total", "Fetches per provider.",
					  OHE_METRICS_LABELS ("provider", "status"), &error));
	g_assert_no_error (error);
	g_assert_true (
	    ohe_metrics_register_gauge (metrics, "ohe_queue_depth", "Jobs waiting.", NULL, &error));
	g_assert_no_error (error);

	ohe_metrics_counter_add (metrics, "ohe_fetch_total", OHE_METRICS_LABELS ("withings", "200"),
				 40);
	ohe_metrics_counter_add (metrics, "ohe_fetch_total", OHE_METRICS_LABELS ("withings", "200"),
				 2);
	ohe_metrics_counter_add (metrics, "ohe_fetch_total", OHE_METRICS_LABELS ("fitbit", "500"),
				 1);
	ohe_metrics_gauge_set (metrics, "ohe_queue_depth", NULL, 3);
	ohe_metrics_gauge_add (metrics, "ohe_queue_depth", NULL, -2.5);
	ohe_metrics_gauge_set (metrics, "ohe_up", NULL, NAN);
	ohe_metrics_histogram_observe (metrics, "ohe_sync_seconds", OHE_METRICS_LABELS ("omron"),
				       0.125);
	ohe_metrics_histogram_observe (metrics, "ohe_sync_seconds", OHE_METRICS_LABELS ("omron"),
				       1);
	ohe_metrics_histogram_observe (metrics, "ohe_sync_seconds", OHE_METRICS_LABELS ("omron"),
				       2.75);

	text = ohe_metrics_render (metrics);
	g_assert_cmpstr (text, ==, expected);

	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_fetch_total",
						  OHE_METRICS_LABELS ("withings", "200")),
			   ==, 42);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_queue_depth", NULL), ==, 0.5);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_nothing", NULL), ==, 0);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_fetch_total",
						  OHE_METRICS_LABELS ("beurer", "200")),
			   ==, 0);
}

static void
ohe_metrics_test_empty (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autofree gchar *empty = ohe_metrics_render (metrics);
	g_autofree gchar *text = NULL;

	g_assert_cmpstr (empty, ==, "");

	/* a labelled family without series shows only its header */
	g_assert_true (ohe_metrics_register_counter (metrics, "a_total", "A.",
						     OHE_METRICS_LABELS ("x"), NULL));
	g_assert_true (
	    ohe_metrics_register_histogram (metrics, "b_seconds", NULL, NULL, NULL, 0, NULL));
	text = ohe_metrics_render (metrics);
	g_assert_cmpstr (text, ==,
			 "# HELP a_total A.\n"
			 "# TYPE a_total counter\n"
			 "# TYPE b_seconds histogram\n"
			 "b_seconds_bucket{le=\"0.005\"} 0\n"
			 "b_seconds_bucket{le=\"0.01\"} 0\n"
			 "b_seconds_bucket{le=\"0.025\"} 0\n"
			 "b_seconds_bucket{le=\"0.05\"} 0\n"
			 "b_seconds_bucket{le=\"0.1\"} 0\n"
			 "b_seconds_bucket{le=\"0.25\"} 0\n"
			 "b_seconds_bucket{le=\"0.5\"} 0\n"
			 "b_seconds_bucket{le=\"1\"} 0\n"
			 "b_seconds_bucket{le=\"2.5\"} 0\n"
			 "b_seconds_bucket{le=\"5\"} 0\n"
			 "b_seconds_bucket{le=\"10\"} 0\n"
			 "b_seconds_bucket{le=\"+Inf\"} 0\n"
			 "b_seconds_sum 0\n"
			 "b_seconds_count 0\n");
}

static void
ohe_metrics_test_escaping (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autofree gchar *text = NULL;

	g_assert_true (ohe_metrics_register_gauge (metrics, "ohe_info",
						   "Help with \\ and\nnewline \"kept\".",
						   OHE_METRICS_LABELS ("v"), NULL));
	ohe_metrics_gauge_set (metrics, "ohe_info", OHE_METRICS_LABELS ("a\"b\\c\nd"), 1e20);
	ohe_metrics_gauge_set (metrics, "ohe_info", OHE_METRICS_LABELS ("inf"), INFINITY);
	ohe_metrics_gauge_set (metrics, "ohe_info", OHE_METRICS_LABELS ("minf"), -INFINITY);
	ohe_metrics_gauge_set (metrics, "ohe_info", OHE_METRICS_LABELS ("neg"), -7);
	ohe_metrics_gauge_set (metrics, "ohe_info", OHE_METRICS_LABELS ("tenth"), 0.1);
	text = ohe_metrics_render (metrics);
	g_assert_cmpstr (text, ==,
			 "# HELP ohe_info Help with \\\\ and\\nnewline \"kept\".\n"
			 "# TYPE ohe_info gauge\n"
			 "ohe_info{v=\"a\\\"b\\\\c\\nd\"} 1e+20\n"
			 "ohe_info{v=\"inf\"} +Inf\n"
			 "ohe_info{v=\"minf\"} -Inf\n"
			 "ohe_info{v=\"neg\"} -7\n"
			 "ohe_info{v=\"tenth\"} 0.1\n");
}

static void
ohe_metrics_test_histogram (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autofree gchar *text = NULL;
	const gdouble buckets[] = {0.125, 0.5, 1, INFINITY};
	const gdouble values[] = {0.0625, 0.125, 0.25, 0.5, 0.75, 3, 100};

	g_assert_true (ohe_metrics_register_histogram (metrics, "lat", NULL, NULL, buckets,
						       G_N_ELEMENTS (buckets), NULL));
	for (guint i = 0; i < G_N_ELEMENTS (values); i++)
		ohe_metrics_histogram_observe (metrics, "lat", NULL, values[i]);
	g_assert_cmpuint (ohe_metrics_get_histogram_count (metrics, "lat", NULL), ==, 7);
	g_assert_cmpuint (ohe_metrics_get_histogram_count (metrics, "nope", NULL), ==, 0);
	text = ohe_metrics_render (metrics);
	/* the explicit +Inf is not doubled; bounds are inclusive */
	g_assert_cmpstr (text, ==,
			 "# TYPE lat histogram\n"
			 "lat_bucket{le=\"0.125\"} 2\n"
			 "lat_bucket{le=\"0.5\"} 4\n"
			 "lat_bucket{le=\"1\"} 5\n"
			 "lat_bucket{le=\"+Inf\"} 7\n"
			 "lat_sum 104.6875\n"
			 "lat_count 7\n");
}

static void
ohe_metrics_test_register (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autoptr(GError) error = NULL;
	const gdouble buckets[] = {1, 2};
	const gdouble buckets_other[] = {1, 3};
	const gdouble buckets_dup[] = {1, 1};
	const gchar *bad_names[] = {"", "1abc", "a-b", "__reserved", "a b", "é"};
	const gchar *bad_labels[] = {"", "1x", "a:b", "__x", "x-y"};

	g_assert_true (ohe_metrics_register_counter (metrics, "jobs_total", "Jobs.",
						     OHE_METRICS_LABELS ("kind"), &error));
	g_assert_no_error (error);
	ohe_metrics_counter_add (metrics, "jobs_total", OHE_METRICS_LABELS ("fetch"), 3);

	/* idempotent: same type and labels, values survive */
	g_assert_true (ohe_metrics_register_counter (metrics, "jobs_total", "Other help.",
						     OHE_METRICS_LABELS ("kind"), &error));
	g_assert_no_error (error);
	g_assert_cmpfloat (
	    ohe_metrics_get_value (metrics, "jobs_total", OHE_METRICS_LABELS ("fetch")), ==, 3);

	/* conflicts */
	g_assert_false (ohe_metrics_register_gauge (metrics, "jobs_total", "Jobs.",
						    OHE_METRICS_LABELS ("kind"), &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_nonnull (strstr (error->message, "jobs_total"));
	g_clear_error (&error);
	g_assert_false (ohe_metrics_register_counter (metrics, "jobs_total", "Jobs.",
						      OHE_METRICS_LABELS ("type"), &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_clear_error (&error);
	g_assert_false (
	    ohe_metrics_register_counter (metrics, "jobs_total", "Jobs.", NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_clear_error (&error);

	/* histograms are only identical with the same bounds, in any order */
	g_assert_true (
	    ohe_metrics_register_histogram (metrics, "h", NULL, NULL, buckets, 2, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_metrics_register_histogram (
	    metrics, "h", NULL, NULL, (const gdouble[]){2, 1, INFINITY}, 3, &error));
	g_assert_no_error (error);
	g_assert_false (
	    ohe_metrics_register_histogram (metrics, "h", NULL, NULL, buckets_other, 2, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_clear_error (&error);
	g_assert_false (
	    ohe_metrics_register_histogram (metrics, "h2", NULL, NULL, buckets_dup, 2, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_false (ohe_metrics_register_histogram (
	    metrics, "h3", NULL, OHE_METRICS_LABELS ("le"), buckets, 2, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* name rules */
	for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
		g_assert_false (
		    ohe_metrics_register_counter (metrics, bad_names[i], NULL, NULL, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_clear_error (&error);
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad_labels); i++) {
		const gchar *labels[] = {bad_labels[i], NULL};
		g_assert_false (ohe_metrics_register_counter (metrics, "ok", NULL, labels, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_clear_error (&error);
	}
	g_assert_false (ohe_metrics_register_counter (metrics, "ok", NULL,
						      OHE_METRICS_LABELS ("a", "a"), &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_true (ohe_metrics_register_counter (metrics, "ns:sub_total", NULL,
						     OHE_METRICS_LABELS ("_x", "Y9"), &error));
	g_assert_no_error (error);
}

static void
ohe_metrics_test_misuse (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();

	g_assert_true (ohe_metrics_register_counter (metrics, "c_total", NULL,
						     OHE_METRICS_LABELS ("a", "b"), NULL));
	g_assert_true (ohe_metrics_register_gauge (metrics, "g", NULL, NULL, NULL));

	/* wrong label count: warned once, then silently ignored */
	g_test_expect_message ("OhePlugin", G_LOG_LEVEL_WARNING, "*c_total*2 label values, got 1*");
	ohe_metrics_counter_add (metrics, "c_total", OHE_METRICS_LABELS ("x"), 1);
	g_test_assert_expected_messages ();
	ohe_metrics_counter_add (metrics, "c_total", OHE_METRICS_LABELS ("x", "y", "z"), 1);
	ohe_metrics_counter_add (metrics, "c_total", NULL, 1);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "c_total", OHE_METRICS_LABELS ("x")), ==,
			   0);

	/* negative increments are refused */
	ohe_metrics_counter_add (metrics, "c_total", OHE_METRICS_LABELS ("x", "y"), 5);
	g_test_expect_message ("OhePlugin", G_LOG_LEVEL_WARNING, "*c_total*cannot be decreased*");
	ohe_metrics_counter_add (metrics, "c_total", OHE_METRICS_LABELS ("x", "y"), -1);
	g_test_assert_expected_messages ();
	ohe_metrics_counter_add (metrics, "c_total", OHE_METRICS_LABELS ("x", "y"), NAN);
	g_assert_cmpfloat (
	    ohe_metrics_get_value (metrics, "c_total", OHE_METRICS_LABELS ("x", "y")), ==, 5);

	/* unknown name and wrong type */
	g_test_expect_message ("OhePlugin", G_LOG_LEVEL_WARNING, "*missing*not registered*");
	ohe_metrics_gauge_set (metrics, "missing", NULL, 1);
	g_test_assert_expected_messages ();
	ohe_metrics_gauge_set (metrics, "missing", NULL, 1);
	g_test_expect_message ("OhePlugin", G_LOG_LEVEL_WARNING, "*'g' is a gauge, not a counter*");
	ohe_metrics_counter_add (metrics, "g", NULL, 1);
	g_test_assert_expected_messages ();
	ohe_metrics_histogram_observe (metrics, "g", NULL, 1);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "g", NULL), ==, 0);
}

#define OHE_METRICS_TEST_THREADS    4
#define OHE_METRICS_TEST_INCREMENTS 10000

static gpointer
ohe_metrics_test_thread (gpointer user_data)
{
	OheMetrics *metrics = OHE_METRICS (user_data);
	for (guint i = 0; i < OHE_METRICS_TEST_INCREMENTS; i++) {
		ohe_metrics_counter_add (metrics, "hits_total", OHE_METRICS_LABELS ("shared"), 1);
		ohe_metrics_histogram_observe (metrics, "work_seconds", NULL, 0.5);
		/* a lazy register from a worker must not disturb the others */
		if (i % 1000 == 0)
			g_assert_true (ohe_metrics_register_counter (
			    metrics, "hits_total", NULL, OHE_METRICS_LABELS ("site"), NULL));
	}
	return NULL;
}

static void
ohe_metrics_test_threads (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	GThread *threads[OHE_METRICS_TEST_THREADS];

	g_assert_true (ohe_metrics_register_counter (metrics, "hits_total", NULL,
						     OHE_METRICS_LABELS ("site"), NULL));
	g_assert_true (ohe_metrics_register_histogram (metrics, "work_seconds", NULL, NULL,
						       (const gdouble[]){1}, 1, NULL));
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i] = g_thread_new ("metrics", ohe_metrics_test_thread, metrics);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		g_thread_join (threads[i]);
	g_assert_cmpfloat (
	    ohe_metrics_get_value (metrics, "hits_total", OHE_METRICS_LABELS ("shared")), ==,
	    OHE_METRICS_TEST_THREADS * OHE_METRICS_TEST_INCREMENTS);
	g_assert_cmpuint (ohe_metrics_get_histogram_count (metrics, "work_seconds", NULL), ==,
			  OHE_METRICS_TEST_THREADS * OHE_METRICS_TEST_INCREMENTS);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/metrics/render", ohe_metrics_test_render);
	g_test_add_func ("/metrics/empty", ohe_metrics_test_empty);
	g_test_add_func ("/metrics/escaping", ohe_metrics_test_escaping);
	g_test_add_func ("/metrics/histogram", ohe_metrics_test_histogram);
	g_test_add_func ("/metrics/register", ohe_metrics_test_register);
	g_test_add_func ("/metrics/misuse", ohe_metrics_test_misuse);
	g_test_add_func ("/metrics/threads", ohe_metrics_test_threads);
	return g_test_run ();
}
