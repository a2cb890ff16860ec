/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "ohe-fhir-bundle.h"
#include "ohe-fhir-ndjson-transport.h"

/*
 * What a push of 500 measurements costs the NDJSON transport in an empty day
 * and in a day that already holds a million lines (of the same patient, the
 * worst case: other patients' folders are never opened). The day is filled
 * the way the daemon fills it, by pushes of 500. Each figure is the median
 * of OHE_BENCH_ROUNDS pushes; every push is durable (fsynced) when it
 * returns, so the figures include the disk's sync latency. The first push
 * of a new transport into the full day (a restarted daemon) is reported
 * too: it reads the folder's index file once.
 *
 *   meson test -C build --benchmark --verbose ndjson
 *   OHE_BENCH_NDJSON_LINES=100000 build/tests/bench/bench-ndjson [DIR]
 *
 * Fails if the full day costs more than twice the empty one.
 */

#define OHE_BENCH_PUSH	 500
#define OHE_BENCH_ROUNDS 7
#define OHE_BENCH_DAY_US ((gint64)1767225600 * G_USEC_PER_SEC) /* 2026-01-01T00:00:00Z */

/* 500 measurements of one day: Observations shaped like the writer's, one Device */
static GPtrArray *
bench_entries (guint day, guint first)
{
	g_autoptr(GPtrArray) raw =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	gint64 day_us = OHE_BENCH_DAY_US + (gint64)day * 86400 * G_USEC_PER_SEC;

	for (guint i = 0; i < OHE_BENCH_PUSH; i++) {
		g_autofree gchar *value = g_strdup_printf ("%u/%u", day, first + i);
		g_autofree gchar *id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, value, -1);
		gint64 t = day_us + (gint64)(first + i) % 86400 * G_USEC_PER_SEC;
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t / G_USEC_PER_SEC);
		g_autofree gchar *when = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
		g_autofree gchar *json = g_strdup_printf (
		    "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"identifier\":[{\"system\":"
		    "\"https://ohed.dev/fhir/id/withings/"
		    "heart_rate\",\"value\":\"%s\"}],\"status\":"
		    "\"final\",\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/"
		    "CodeSystem/observation-category\",\"code\":\"vital-signs\"}]}],\"code\":{"
		    "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":"
		    "\"Heart rate\"}]},\"subject\":{\"reference\":\"Patient/p1\"},"
		    "\"effectiveDateTime\":\"%s\",\"device\":{\"reference\":\"Device/dev1\"},"
		    "\"valueQuantity\":{\"value\":%u,\"unit\":\"/min\",\"system\":\"http://"
		    "unitsofmeasure.org\",\"code\":\"/min\"}}",
		    id, value, when, 60 + i % 40);
		g_ptr_array_add (raw, ohe_fhir_entry_new ("Device", "dev1", NULL, NULL,
							  "{\"resourceType\":\"Device\",\"id\":"
							  "\"dev1\",\"status\":\"active\"}",
							  i, t));
		g_ptr_array_add (raw,
				 ohe_fhir_entry_new ("Observation", id, NULL, NULL, json, i, t));
	}
	return ohe_fhir_entries_dedup (raw);
}

static OhePushRequest *
bench_request (void)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < OHE_BENCH_PUSH; i++)
		g_ptr_array_add (ms, ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE));
	return ohe_push_request_new ("link1", "Patient/p1", ms);
}

/* seconds one push took */
static gdouble
bench_push (OheFhirNdjsonTransport *ndjson, GPtrArray *entries)
{
	g_autoptr(OhePushRequest) request = bench_request ();
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time ();

	if (!ohe_fhir_ndjson_transport_push (ndjson, entries, request, NULL, &error) ||
	    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN) != OHE_BENCH_PUSH) {
		g_printerr ("bench-ndjson: push failed: %s\n",
			    error != NULL ? error->message : "not every measurement accepted");
		exit (1);
	}
	return (gdouble)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static gint
bench_compare (gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a;
	gdouble y = *(const gdouble *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

static gdouble
bench_median (gdouble *values, guint n)
{
	qsort (values, n, sizeof *values, bench_compare);
	return values[n / 2];
}

int
main (int argc, char **argv)
{
	const gchar *lines_env = g_getenv ("OHE_BENCH_NDJSON_LINES");
	guint64 lines = 1000000;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *out = NULL;
	g_autoptr(OheFhirNdjsonTransport) ndjson = NULL;
	gdouble empty[OHE_BENCH_ROUNDS];
	gdouble full[OHE_BENCH_ROUNDS];
	gdouble replay[OHE_BENCH_ROUNDS];
	gdouble fill = 0;
	gdouble cold;
	guint filled = 0;
	gdouble e, f, r;

	if (lines_env != NULL &&
	    !g_ascii_string_to_unsigned (lines_env, 10, OHE_BENCH_PUSH, 100000000, &lines, NULL)) {
		g_printerr ("bench-ndjson: OHE_BENCH_NDJSON_LINES=%s is not a number from %u\n",
			    lines_env, OHE_BENCH_PUSH);
		return 1;
	}
	dir = argc > 1 ? g_strdup (argv[1]) : g_dir_make_tmp ("ohe-bench-ndjson-XXXXXX", NULL);
	out = g_build_filename (dir, "ndjson", NULL);
	ndjson = ohe_fhir_ndjson_transport_new (out);

	/* empty days: day 1…ROUNDS, one push each */
	for (guint i = 0; i < OHE_BENCH_ROUNDS; i++) {
		g_autoptr(GPtrArray) entries = bench_entries (1 + i, 0);
		empty[i] = bench_push (ndjson, entries);
	}
	/* day 0: filled by pushes of 500 */
	while (filled < lines) {
		g_autoptr(GPtrArray) entries = bench_entries (0, filled);
		fill += bench_push (ndjson, entries);
		filled += OHE_BENCH_PUSH;
		if (filled % 100000 == 0)
			g_print ("# filled %u lines, %.1f s\n", filled, fill);
	}
	for (guint i = 0; i < OHE_BENCH_ROUNDS; i++) {
		g_autoptr(GPtrArray) entries = bench_entries (0, filled + i * OHE_BENCH_PUSH);
		full[i] = bench_push (ndjson, entries);
	}
	/* a replayed window in the middle of the full day */
	for (guint i = 0; i < OHE_BENCH_ROUNDS; i++) {
		g_autoptr(GPtrArray) entries =
			       bench_entries (0, (filled / 2) + i * OHE_BENCH_PUSH);
		replay[i] = bench_push (ndjson, entries);
	}
	/* a restarted daemon: the folder's index is read from its file once */
	{
		g_autoptr(OheFhirNdjsonTransport) restarted = ohe_fhir_ndjson_transport_new (out);
		g_autoptr(GPtrArray) entries =
			       bench_entries (0, filled + OHE_BENCH_ROUNDS * OHE_BENCH_PUSH);
		cold = bench_push (restarted, entries);
	}
	e = bench_median (empty, OHE_BENCH_ROUNDS);
	f = bench_median (full, OHE_BENCH_ROUNDS);
	r = bench_median (replay, OHE_BENCH_ROUNDS);
	g_print ("push of %u into an empty day:            %8.2f ms (median of %u)\n",
		 OHE_BENCH_PUSH, e * 1000, OHE_BENCH_ROUNDS);
	g_print ("push of %u into a day of %u lines:    %8.2f ms (%.2fx empty)\n", OHE_BENCH_PUSH,
		 filled, f * 1000, f / e);
	g_print ("replay of %u in a day of %u lines:    %8.2f ms (%.2fx empty)\n", OHE_BENCH_PUSH,
		 filled, r * 1000, r / e);
	g_print ("first push after a restart, same day:  %8.2f ms (reads the day's index once)\n",
		 cold * 1000);
	g_print ("filling the day: %u pushes, %.1f s\n", filled / OHE_BENCH_PUSH, fill);
	if (argc <= 1) {
		g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", dir);
		if (system (cmd) != 0)
			g_printerr ("bench-ndjson: could not remove %s\n", dir);
	}
	if (f > 2 * e) {
		g_printerr ("bench-ndjson: a full day costs %.2fx an empty one, more than 2x\n",
			    f / e);
		return 1;
	}
	return 0;
}
