/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "oheplugin.h"

static OhePushRequest *
test_request (guint n)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add (ms, ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE));
	return ohe_push_request_new ("link-1", "Patient/p1", ms);
}

/* a new request: every item pending, no reason, no resource */
static void
test_push_request_pending (void)
{
	g_autoptr(OhePushRequest) request = test_request (3);

	g_assert_cmpuint (ohe_push_request_get_n_measurements (request), ==, 3);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_PENDING), ==,
			  3);
	for (guint i = 0; i < 3; i++) {
		g_assert_cmpint (ohe_push_request_get_outcome (request, i), ==,
				 OHE_PUSH_OUTCOME_PENDING);
		g_assert_null (ohe_push_request_get_reason (request, i));
		g_assert_null (ohe_push_request_get_resource_ids (request, i));
	}
}

/* typed outcomes: written with its ids, refused and filtered with their reasons */
static void
test_push_request_outcomes (void)
{
	g_autoptr(OhePushRequest) request = test_request (4);
	gchar *ids[] = {g_strdup ("Observation/a"), g_strdup ("Device/d"), NULL};
	const gchar *const *got;

	ohe_push_request_set_written (request, 0, (const gchar *const *)ids);
	/* the request keeps its own copy */
	g_free (ids[0]);
	g_free (ids[1]);
	ohe_push_request_set_outcome (request, 1, OHE_PUSH_OUTCOME_REFUSED, "HTTP 400: bad");
	ohe_push_request_set_outcome (request, 2, OHE_PUSH_OUTCOME_FILTERED,
				      OHE_PUSH_REASON_NOT_MAPPED);
	ohe_push_request_set_outcome (request, 3, OHE_PUSH_OUTCOME_RETRY, "HTTP 503");

	g_assert_cmpint (ohe_push_request_get_outcome (request, 0), ==, OHE_PUSH_OUTCOME_WRITTEN);
	got = ohe_push_request_get_resource_ids (request, 0);
	g_assert_nonnull (got);
	g_assert_cmpstr (got[0], ==, "Observation/a");
	g_assert_cmpstr (got[1], ==, "Device/d");
	g_assert_null (got[2]);
	g_assert_null (ohe_push_request_get_reason (request, 0));
	g_assert_cmpstr (ohe_push_request_get_reason (request, 1), ==, "HTTP 400: bad");
	g_assert_cmpstr (ohe_push_request_get_reason (request, 2), ==, "not mapped");
	for (guint o = OHE_PUSH_OUTCOME_PENDING; o <= OHE_PUSH_OUTCOME_RETRY; o++)
		g_assert_cmpuint (ohe_push_request_count_outcome (request, o), ==,
				  o == OHE_PUSH_OUTCOME_PENDING ? 0 : 1);

	/* a new outcome replaces the old one, resource ids included */
	ohe_push_request_set_outcome (request, 0, OHE_PUSH_OUTCOME_REFUSED, "derived from ecg x");
	g_assert_null (ohe_push_request_get_resource_ids (request, 0));
	g_assert_cmpstr (ohe_push_request_get_reason (request, 0), ==, "derived from ecg x");
	ohe_push_request_set_written (request, 1, NULL);
	g_assert_null (ohe_push_request_get_reason (request, 1));
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  1);
}

static void
test_push_request_all (void)
{
	g_autoptr(OhePushRequest) request = test_request (5);

	ohe_push_request_set_all_outcomes (request, OHE_PUSH_OUTCOME_RETRY, "sink closed");
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_RETRY), ==, 5);
	g_assert_cmpstr (ohe_push_request_get_reason (request, 4), ==, "sink closed");
}

static void
test_push_outcome_names (void)
{
	const struct {
		OhePushOutcome outcome;
		const gchar *name;
	} rows[] = {
	    {OHE_PUSH_OUTCOME_PENDING, "pending"}, {OHE_PUSH_OUTCOME_WRITTEN, "written"},
	    {OHE_PUSH_OUTCOME_REFUSED, "refused"}, {OHE_PUSH_OUTCOME_FILTERED, "filtered"},
	    {OHE_PUSH_OUTCOME_RETRY, "retry"},	   {(OhePushOutcome)99, "unknown"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
		g_assert_cmpstr (ohe_push_outcome_to_string (rows[i].outcome), ==, rows[i].name);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/push-request/pending", test_push_request_pending);
	g_test_add_func ("/push-request/outcomes", test_push_request_outcomes);
	g_test_add_func ("/push-request/all", test_push_request_all);
	g_test_add_func ("/push-request/outcome-names", test_push_outcome_names);
	return g_test_run ();
}
