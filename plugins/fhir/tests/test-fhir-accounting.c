/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ohe-fhir-sink.h"

/*
 * What the FHIR sink answers for each item (written with its resource ids,
 * refused with the writer's reason, filtered "not mapped"), and reference
 * closure over its NDJSON output: every reference a written resource holds
 * points at a resource written in the same push or earlier, or at the
 * configured Patient.
 */

#define TEST_PATIENT "Patient/p1"
#define TEST_DAY_US  ((gint64)1793491200 * G_USEC_PER_SEC) /* 2026-11-01T00:00:00Z */

static const gint32 test_samples[] = {12, -40, 310, 95, -7, 0, 22, 61};

static OheSink *
test_sink_new (const gchar *output_dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheSink) sink = g_object_new (OHE_TYPE_FHIR_SINK, "name", "fhir", NULL);

	g_key_file_set_string (config, "plugin:fhir", "mapping_file",
			       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
	g_key_file_set_string (config, "plugin:fhir", "output_dir", output_dir);
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (sink), NULL, &error));
	g_assert_no_error (error);
	return g_steal_pointer (&sink);
}

static OheMeasurement *
test_measurement (OheMeasurementKind kind, const gchar *native_id, guint minute)
{
	OheMeasurement *m = ohe_measurement_new (kind);
	gint64 t = TEST_DAY_US + (gint64)minute * 60 * G_USEC_PER_SEC;
	ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_SPOT);
	ohe_measurement_set_time (m, t, t);
	ohe_measurement_set_provider (m, "withings");
	ohe_measurement_set_device_id (m, "dev-accounting");
	ohe_measurement_set_native_id (m, native_id);
	return m;
}

static OheMeasurement *
test_heart_rate (const gchar *native_id, guint minute, guint bpm)
{
	OheMeasurement *m = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, native_id, minute);
	ohe_measurement_set_value_decimal (m, bpm, 0);
	return m;
}

/* a single-lead recording with a rhythm classification: Observation and DiagnosticReport */
static OheMeasurement *
test_ecg (const gchar *native_id, guint minute, const gchar *lead)
{
	OheMeasurement *m = test_measurement (OHE_MEASUREMENT_KIND_ECG, native_id, minute);
	g_autoptr(OheSeries) series = ohe_series_new_with_interval (lead, 1000.0 / 300);
	ohe_series_set_factor (series, 0.001);
	ohe_series_append_samples (series, test_samples, G_N_ELEMENTS (test_samples));
	ohe_measurement_add_series (m, series);
	ohe_measurement_set_classification (m, "negative", "Sinus Rhythm");
	return m;
}

static OhePushRequest *
test_request (GPtrArray *measurements)
{
	return ohe_push_request_new ("link-accounting", TEST_PATIENT, measurements);
}

static gboolean
test_ids_have_prefix (const gchar *const *ids, const gchar *prefix)
{
	for (guint i = 0; ids != NULL && ids[i] != NULL; i++) {
		if (g_str_has_prefix (ids[i], prefix))
			return TRUE;
	}
	return FALSE;
}

static void
test_rmtree (const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
			test_rmtree (child);
		else
			g_unlink (child);
	}
	g_rmdir (path);
}

/* one push, one of each outcome */
static void
test_outcomes (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-fhir-accounting-XXXXXX", &error);
	g_autofree gchar *out = g_build_filename (dir, "out", NULL);
	g_autoptr(OheSink) sink = test_sink_new (out);
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(OhePushRequest) request = NULL;
	OheMeasurement *sleep;
	const gchar *const *ids;

	g_ptr_array_add (ms, test_heart_rate ("hr-1", 0, 61));
	/* sleep is disabled in the default mapping: not for this sink */
	sleep = test_measurement (OHE_MEASUREMENT_KIND_SLEEP, "sleep-1", 1);
	ohe_measurement_set_time (sleep, TEST_DAY_US, TEST_DAY_US + 6 * G_TIME_SPAN_HOUR);
	g_ptr_array_add (ms, sleep);
	/* the mapping covers ECG, but not a lead named V7: the item cannot be written */
	g_ptr_array_add (ms, test_ecg ("ecg-v7", 2, "V7"));
	g_ptr_array_add (ms, test_ecg ("ecg-1", 3, "I"));
	request = test_request (ms);

	g_assert_true (ohe_sink_push (sink, request, NULL, &error));
	g_assert_no_error (error);

	g_assert_cmpint (ohe_push_request_get_outcome (request, 0), ==, OHE_PUSH_OUTCOME_WRITTEN);
	ids = ohe_push_request_get_resource_ids (request, 0);
	g_assert_nonnull (ids);
	g_assert_true (test_ids_have_prefix (ids, "Observation/"));
	g_assert_true (test_ids_have_prefix (ids, "Device/"));
	g_assert_null (ohe_push_request_get_reason (request, 0));

	g_assert_cmpint (ohe_push_request_get_outcome (request, 1), ==, OHE_PUSH_OUTCOME_FILTERED);
	g_assert_cmpstr (ohe_push_request_get_reason (request, 1), ==, OHE_PUSH_REASON_NOT_MAPPED);
	g_assert_null (ohe_push_request_get_resource_ids (request, 1));

	g_assert_cmpint (ohe_push_request_get_outcome (request, 2), ==, OHE_PUSH_OUTCOME_REFUSED);
	g_assert_nonnull (strstr (ohe_push_request_get_reason (request, 2), "V7"));
	g_assert_null (ohe_push_request_get_resource_ids (request, 2));

	/* the recording and its report, both named */
	g_assert_cmpint (ohe_push_request_get_outcome (request, 3), ==, OHE_PUSH_OUTCOME_WRITTEN);
	ids = ohe_push_request_get_resource_ids (request, 3);
	g_assert_true (test_ids_have_prefix (ids, "Observation/"));
	g_assert_true (test_ids_have_prefix (ids, "DiagnosticReport/"));

	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  2);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_FILTERED), ==,
			  1);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_REFUSED), ==,
			  1);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_PENDING), ==,
			  0);
	g_assert_finalize_object (g_steal_pointer (&sink));
	test_rmtree (dir);
}

/* every "reference" string anywhere in @node */
static void
test_collect_references (JsonNode *node, GPtrArray *refs)
{
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *object = json_node_get_object (node);
		g_autoptr(GList) members = json_object_get_members (object);
		for (GList *l = members; l != NULL; l = l->next) {
			JsonNode *child = json_object_get_member (object, l->data);
			if (g_strcmp0 (l->data, "reference") == 0 &&
			    JSON_NODE_HOLDS_VALUE (child) &&
			    json_node_get_value_type (child) == G_TYPE_STRING)
				g_ptr_array_add (refs, g_strdup (json_node_get_string (child)));
			else
				test_collect_references (child, refs);
		}
	} else if (JSON_NODE_HOLDS_ARRAY (node)) {
		JsonArray *array = json_node_get_array (node);
		for (guint i = 0; i < json_array_get_length (array); i++)
			test_collect_references (json_array_get_element (array, i), refs);
	}
}

/* reads every resource of every .ndjson file under @path: "Type/id" → its references */
static void
test_read_ndjson_tree (const gchar *path, GHashTable *resources)
{
	g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		g_autofree gchar *text = NULL;
		g_auto(GStrv) lines = NULL;

		if (g_file_test (child, G_FILE_TEST_IS_DIR)) {
			test_read_ndjson_tree (child, resources);
			continue;
		}
		if (!g_str_has_suffix (name, ".ndjson"))
			continue;
		g_assert_true (g_file_get_contents (child, &text, NULL, NULL));
		lines = g_strsplit (text, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autoptr(GError) error = NULL;
			g_autoptr(JsonNode) node = NULL;
			GPtrArray *refs;
			JsonObject *object;
			gchar *key;

			if (lines[i][0] == '\0')
				continue;
			node = json_from_string (lines[i], &error);
			g_assert_no_error (error);
			object = json_node_get_object (node);
			key = g_strdup_printf (
			    "%s/%s", json_object_get_string_member (object, "resourceType"),
			    json_object_get_string_member (object, "id"));
			refs = g_ptr_array_new_with_free_func (g_free);
			test_collect_references (node, refs);
			g_hash_table_replace (resources, key, refs);
		}
	}
}

/* the references of @resources that resolve neither to one of them nor to @patient */
static GPtrArray *
test_dangling_references (GHashTable *resources, const gchar *patient)
{
	GPtrArray *dangling = g_ptr_array_new_with_free_func (g_free);
	GHashTableIter iter;
	gpointer key;
	gpointer value;

	g_hash_table_iter_init (&iter, resources);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		GPtrArray *refs = value;
		for (guint i = 0; i < refs->len; i++) {
			const gchar *ref = g_ptr_array_index (refs, i);
			if (g_strcmp0 (ref, patient) != 0 &&
			    !g_hash_table_contains (resources, ref))
				g_ptr_array_add (dangling,
						 g_strdup_printf ("%s → %s", (gchar *)key, ref));
		}
	}
	return dangling;
}

/* the checker itself finds a dangling reference */
static void
test_closure_checker (void)
{
	g_autoptr(GHashTable) resources = g_hash_table_new_full (
	    g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	g_autoptr(JsonNode) node = json_from_string (
	    "{\"resourceType\":\"Observation\",\"id\":\"a\","
	    "\"subject\":{\"reference\":\"Patient/p1\"},"
	    "\"derivedFrom\":[{\"reference\":\"Observation/missing\"}],"
	    "\"hasMember\":[{\"reference\":\"Observation/a\"}]}",
	    NULL);
	GPtrArray *refs = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GPtrArray) dangling = NULL;

	test_collect_references (node, refs);
	g_assert_cmpuint (refs->len, ==, 3);
	g_hash_table_insert (resources, g_strdup ("Observation/a"), refs);
	dangling = test_dangling_references (resources, TEST_PATIENT);
	g_assert_cmpuint (dangling->len, ==, 1);
	g_assert_cmpstr (g_ptr_array_index (dangling, 0), ==,
			 "Observation/a → Observation/missing");
}

/*
 * Two pushes into NDJSON: recordings with their reports and derived heart
 * rates (a child in the same push as its recording, and one in a later
 * push), plain heart rates on two devices, and items that are refused or
 * filtered. Every reference in the output resolves.
 */
static void
test_ndjson_closure (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-fhir-accounting-XXXXXX", &error);
	g_autofree gchar *out = g_build_filename (dir, "out", NULL);
	g_autoptr(OheSink) sink = test_sink_new (out);
	g_autoptr(GHashTable) resources = g_hash_table_new_full (
	    g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GPtrArray) dangling = NULL;
	guint observations = 0;
	guint reports = 0;
	GHashTableIter iter;
	gpointer key;

	for (guint round = 0; round < 2; round++) {
		g_autoptr(GPtrArray) ms = g_ptr_array_new_with_free_func (
		    (GDestroyNotify)ohe_measurement_unref);
		g_autoptr(OhePushRequest) request = NULL;
		g_autofree gchar *ecg_id = g_strdup_printf ("ecg-%u", round);
		g_autofree gchar *child_id = g_strdup_printf ("ecg-hr-%u", round);
		OheMeasurement *child;

		for (guint i = 0; i < 5; i++) {
			g_autofree gchar *id = g_strdup_printf ("hr-%u-%u", round, i);
			OheMeasurement *m = test_heart_rate (id, round * 100 + i, 60 + i);
			if (i % 2 == 1)
				ohe_measurement_set_device_id (m, "dev-other");
			g_ptr_array_add (ms, m);
		}
		g_ptr_array_add (ms, test_ecg (ecg_id, round * 100 + 10, "I"));
		child = test_heart_rate (child_id, round * 100 + 10, 72);
		ohe_measurement_set_parent (child, OHE_MEASUREMENT_KIND_ECG, ecg_id);
		g_ptr_array_add (ms, child);
		if (round == 1) {
			/* the child of the first round's recording arrives a push later */
			child = test_heart_rate ("ecg-hr-late", 20, 70);
			ohe_measurement_set_parent (child, OHE_MEASUREMENT_KIND_ECG, "ecg-0");
			g_ptr_array_add (ms, child);
		}
		/* a recording that cannot be written, and a heart rate derived from it: the
		 * first item of its device, whose Device a later sibling references */
		child = test_heart_rate ("ecg-hr-orphan", round * 100 + 29, 75);
		ohe_measurement_set_parent (child, OHE_MEASUREMENT_KIND_ECG, "ecg-bad");
		ohe_measurement_set_device_id (child, "dev-orphan");
		g_ptr_array_add (ms, child);
		g_ptr_array_add (ms, test_ecg ("ecg-bad", round * 100 + 30, "V7"));
		child = test_heart_rate ("hr-sibling", round * 100 + 31, 64);
		ohe_measurement_set_device_id (child, "dev-orphan");
		g_ptr_array_add (ms, child);
		request = test_request (ms);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_REFUSED), ==, 2);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
		    ms->len - 2);
		g_assert_cmpint (ohe_push_request_get_outcome (request, ms->len - 3), ==,
				 OHE_PUSH_OUTCOME_REFUSED);
		g_assert_cmpstr (ohe_push_request_get_reason (request, ms->len - 3), ==,
				 "derived from ecg ecg-bad, which is not written");
	}
	test_read_ndjson_tree (out, resources);
	g_hash_table_iter_init (&iter, resources);
	while (g_hash_table_iter_next (&iter, &key, NULL)) {
		observations += g_str_has_prefix (key, "Observation/");
		reports += g_str_has_prefix (key, "DiagnosticReport/");
	}
	/* per round 5 + recording + child + sibling (same id both rounds), and the late child */
	g_assert_cmpuint (observations, ==, 2 * 7 + 1 + 1);
	g_assert_cmpuint (reports, ==, 2);
	dangling = test_dangling_references (resources, TEST_PATIENT);
	for (guint i = 0; i < dangling->len; i++)
		g_test_message ("dangling: %s", (gchar *)g_ptr_array_index (dangling, i));
	g_assert_cmpuint (dangling->len, ==, 0);
	g_assert_finalize_object (g_steal_pointer (&sink));
	test_rmtree (dir);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/fhir/accounting/outcomes", test_outcomes);
	g_test_add_func ("/fhir/accounting/closure-checker", test_closure_checker);
	g_test_add_func ("/fhir/accounting/ndjson-closure", test_ndjson_closure);
	return g_test_run ();
}
