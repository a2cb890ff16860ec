/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sys/resource.h>
#include <time.h>

#include "fake-fhir-server.h"
#include "ohe-fhir-sink.h"

/*
 * The FHIR sink alone: N heart-rate measurements in batches of 500 through
 * the writer and the REST transport (put mode, transaction Bundles) into the
 * in-process FHIR server, which parses every bundle and answers every entry
 * but stores nothing, so memory stays flat. Prints measurements per second,
 * FHIR HTTP requests per measurement and the peak RSS. The server shares the
 * process and its two cores, so the rate is a lower bound for the sink; the
 * CPU time of the pushing thread (writer, bundles, HTTP client) is the
 * sink's own cost.
 *
 * Usage: bench-fhir-push [COUNT...] (default 100000)
 */

#define BENCH_BATCH 500

static gdouble
bench_thread_cpu (void)
{
	struct timespec ts;
	clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
	return (gdouble)ts.tv_sec + (gdouble)ts.tv_nsec / 1e9;
}

static OhePushRequest *
bench_request (guint64 first)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	gint64 base_us = G_GINT64_CONSTANT (1793491200000000);
	for (guint i = 0; i < BENCH_BATCH; i++) {
		OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
		gint64 t = base_us + (gint64)(first + i) * G_USEC_PER_SEC;
		ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
		ohe_measurement_set_provider (m, "withings");
		ohe_measurement_set_device_id (m, "a1b2c3d4e5f6");
		ohe_measurement_set_time (m, t, t);
		ohe_measurement_set_value_decimal (m, 60 + (gint64)(i % 60), 0);
		g_ptr_array_add (ms, m);
	}
	return ohe_push_request_new ("bench", "Patient/bench", ms);
}

static gboolean
bench_run (guint64 count, GError **error)
{
	FakeFhirServer *server = fake_fhir_server_new ();
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheSink) sink = g_object_new (OHE_TYPE_FHIR_SINK, "name", "fhir", NULL);
	guint64 accepted = 0;
	struct rusage usage;
	gint64 started;
	gdouble seconds;
	gdouble cpu;
	guint posts;

	fake_fhir_server_set_keep_bodies (server, FALSE);
	fake_fhir_server_set_discard (server, TRUE);
	g_key_file_set_string (config, "plugin:fhir", "base_url",
			       fake_fhir_server_get_base_url (server));
	g_key_file_set_string (config, "plugin:fhir", "mapping_file",
			       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	if (!ohe_plugin_setup (OHE_PLUGIN (sink), NULL, error)) {
		fake_fhir_server_free (server);
		return FALSE;
	}

	started = g_get_monotonic_time ();
	cpu = bench_thread_cpu ();
	for (guint64 n = 0; n < count; n += BENCH_BATCH) {
		g_autoptr(OhePushRequest) request = bench_request (n);
		if (!ohe_sink_push (sink, request, NULL, error)) {
			fake_fhir_server_free (server);
			return FALSE;
		}
		accepted += ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN);
	}
	seconds = (gdouble)(g_get_monotonic_time () - started) / G_USEC_PER_SEC;
	cpu = bench_thread_cpu () - cpu;
	posts = fake_fhir_server_get_n_posts (server);
	getrusage (RUSAGE_SELF, &usage);
	g_print ("fhir-push: %" G_GUINT64_FORMAT " measurements in %.2f s = %.0f measurements/s, "
		 "%u FHIR requests = %.4f per measurement, sink thread %.1f us CPU per measurement "
		 "(%.0f measurements/s per core), peak RSS %ld KiB\n",
		 accepted, seconds, accepted / seconds, posts, (gdouble)posts / accepted,
		 cpu * 1e6 / accepted, accepted / cpu, usage.ru_maxrss);
	g_clear_object (&sink);
	fake_fhir_server_free (server);
	if (accepted != count) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED,
			     "expected %" G_GUINT64_FORMAT " accepted, got %" G_GUINT64_FORMAT,
			     count, accepted);
		return FALSE;
	}
	return TRUE;
}

int
main (int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	guint64 counts[8] = {100000};
	guint n_counts = 1;

	for (gint i = 1; i < argc && i <= (gint)G_N_ELEMENTS (counts); i++) {
		counts[i - 1] = g_ascii_strtoull (argv[i], NULL, 10);
		n_counts = (guint)i;
	}
	for (guint i = 0; i < n_counts; i++) {
		/* whole batches only */
		guint64 count = MAX (counts[i] / BENCH_BATCH, 1) * BENCH_BATCH;
		if (!bench_run (count, &error)) {
			g_printerr ("bench-fhir-push: %s\n", error->message);
			return 1;
		}
	}
	return 0;
}
