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
 * An NDJSON segment found in the output directory (edited or damaged): the
 * transport reads every line's id to replace the resources it writes again.
 * Whatever the segment holds, the push is accepted, both entries end up in
 * it and every line left in it is an Observation (lines that are not are
 * dropped). A first push at start makes the folder's index know the segment,
 * so every input is read. The directory lives under TMPDIR (run-fuzzers.sh
 * points it at a memory file system when it can).
 */
/* 1970-01-02T00:00:00Z, the partition the entries go to */
#define OHE_FUZZ_DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static gchar *ohe_fuzz_dir;

static void
ohe_fuzz_rm_rf (const gchar *path)
{
	GDir *dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	if (dir == NULL) {
		g_unlink (path);
		return;
	}
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
			g_unlink (child);
		else
			ohe_fuzz_rm_rf (child);
	}
	g_dir_close (dir);
	g_rmdir (path);
}

static void
ohe_fuzz_ndjson_cleanup (void)
{
	ohe_fuzz_rm_rf (ohe_fuzz_dir);
}

static void
ohe_fuzz_ndjson_push (OheFhirNdjsonTransport *transport)
{
	static const gchar *const ids[] = {"ohe-fuzz-1", "ohe-fuzz-2"};
	g_autoptr(GPtrArray) measurements =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(GPtrArray) entries =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	g_autoptr(OhePushRequest) request = NULL;
	g_autoptr(GError) error = NULL;

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
}

/* every line left is an Observation object */
static void
ohe_fuzz_ndjson_check_lines (const gchar *out)
{
	g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autoptr(JsonNode) root = NULL;
		JsonNode *type;
		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;
		root = ohe_json_parse (lines[i], -1, "segment line", NULL, NULL);
		g_assert_nonnull (root);
		g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
		type = json_object_get_member (json_node_get_object (root), "resourceType");
		g_assert_nonnull (type);
		g_assert_cmpstr (json_node_get_string (type), ==, "Observation");
	}
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
	g_autofree gchar *path = NULL;
	g_autofree gchar *out = NULL;
	g_autoptr(GError) error = NULL;
	FILE *f;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	if (transport == NULL) {
		ohe_fuzz_dir = g_dir_make_tmp ("ohe-fuzz-ndjson-XXXXXX", &error);
		g_assert_no_error (error);
		atexit (ohe_fuzz_ndjson_cleanup);
		transport = ohe_fhir_ndjson_transport_new (ohe_fuzz_dir);
		ohe_fuzz_ndjson_push (transport);
	}
	/* <day>/<patient>/<Type>.<n>.ndjson, the segment the first push wrote */
	path = g_build_filename (ohe_fuzz_dir, "1970-01-02", "fuzz", "Observation.1.ndjson", NULL);
	f = fopen (path, "wb");
	g_assert_nonnull (f);
	g_assert_cmpuint (fwrite (data, 1, size, f), ==, size);
	g_assert_cmpint (fclose (f), ==, 0);

	ohe_fuzz_ndjson_push (transport);
	g_assert_true (g_file_get_contents (path, &out, NULL, &error));
	for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
		g_autofree gchar *line = g_strdup_printf (
		    "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"final\"}\n",
		    ids[i]);
		/* a damaged segment may repeat a line: ours replaces one of them */
		g_assert_cmpuint (ohe_fuzz_count (out, line), >=, 1);
	}
	ohe_fuzz_ndjson_check_lines (out);
	return 0;
}
