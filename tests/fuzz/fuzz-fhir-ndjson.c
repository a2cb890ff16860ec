/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ohe-fhir-ndjson-transport.h"
#include "ohe-fuzz.h"

/*
 * An NDJSON file found in the output directory (written by an older ohed,
 * edited or planted): the transport reads every line's id to replace the
 * resources it writes again. Whatever the file holds, the push is accepted
 * and both entries end up in it. The directory lives under
 * TMPDIR (run-fuzzers.sh points it at a memory file system when it can).
 */
/* 1970-01-02T00:00:00Z, the partition the entries go to */
#define OHE_FUZZ_DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static gchar *ohe_fuzz_dir;

static void
ohe_fuzz_ndjson_cleanup (void)
{
	g_autofree gchar *day = g_build_filename (ohe_fuzz_dir, "1970-01-02", NULL);
	g_autofree gchar *file = g_build_filename (day, "Observation.ndjson", NULL);

	g_unlink (file);
	g_rmdir (day);
	g_rmdir (ohe_fuzz_dir);
}

static guint
ohe_fuzz_count (const gchar *haystack, const gchar *needle)
{
	guint n = 0;
	for (const gchar *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	static const gchar *const ids[] = {"ohe-fuzz-1", "ohe-fuzz-2"};
	static OheFhirNdjsonTransport *transport;
	g_autofree gchar *day = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *out = NULL;
	g_autoptr(GPtrArray) measurements =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(GPtrArray) entries =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	g_autoptr(OhePushRequest) request = NULL;
	g_autoptr(GError) error = NULL;
	FILE *f;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	if (transport == NULL) {
		ohe_fuzz_dir = g_dir_make_tmp ("ohe-fuzz-ndjson-XXXXXX", &error);
		g_assert_no_error (error);
		atexit (ohe_fuzz_ndjson_cleanup);
		transport = ohe_fhir_ndjson_transport_new (ohe_fuzz_dir);
	}
	day = g_build_filename (ohe_fuzz_dir, "1970-01-02", NULL);
	path = g_build_filename (day, "Observation.ndjson", NULL);
	g_assert_cmpint (g_mkdir_with_parents (day, 0700), ==, 0);
	f = fopen (path, "wb");
	g_assert_nonnull (f);
	g_assert_cmpuint (fwrite (data, 1, size, f), ==, size);
	g_assert_cmpint (fclose (f), ==, 0);

	for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
		OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
		g_autofree gchar *json = g_strdup_printf (
		    "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"final\"}",
		    ids[i]);
		ohe_measurement_set_time (m, OHE_FUZZ_DAY_US, OHE_FUZZ_DAY_US);
		ohe_measurement_set_value (m, 60);
		g_ptr_array_add (measurements, m);
		g_ptr_array_add (entries, ohe_fhir_entry_new ("Observation", ids[i], NULL, NULL,
							      json, i, OHE_FUZZ_DAY_US));
	}
	request = ohe_push_request_new ("fuzz-link", "Patient/fuzz", measurements);
	g_assert_true (ohe_fhir_ndjson_transport_push (transport, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  G_N_ELEMENTS (ids));
	g_assert_true (g_file_get_contents (path, &out, NULL, &error));
	for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
		g_autofree gchar *line = g_strdup_printf (
		    "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"final\"}\n",
		    ids[i]);
		/* a planted file may repeat a line: ours replaces one of them */
		g_assert_cmpuint (ohe_fuzz_count (out, line), >=, 1);
	}
	return 0;
}
