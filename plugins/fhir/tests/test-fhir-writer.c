/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ohe-fhir-identifier.h"
#include "ohe-fhir-writer.h"
#include "ohe-json-writer.h"

/*
 * The writer's output is parsed back with json-glib and checked field by
 * field; ids and hashed identifier values are recomputed with GChecksum,
 * independent of the SHA-256 code under test. Every resource produced here is kept, and when
 * OHE_FHIR_VALIDATOR names validate.mjs (the integration run) the last test
 * validates them all against the official R5 JSON Schema.
 */

#define TEST_MAPPING OHE_SOURCE_DATADIR "/mappings/fhir-r5.json"
#define TEST_PATIENT "Patient/p1"
#define ID_BASE	     "https://ohed.dev/fhir/id"

static GPtrArray *test_kept; /* of gchar*: every resource written by a test */

static OheFhirMapping *
test_mapping (void)
{
	g_autoptr (GError) error = NULL;
	OheFhirMapping *mapping = ohe_fhir_mapping_new_from_file (TEST_MAPPING, &error);
	g_assert_no_error (error);
	g_assert_nonnull (mapping);
	return mapping;
}

static OheFhirWriter *
test_writer (void)
{
	g_autoptr (OheFhirMapping) mapping = test_mapping ();
	return ohe_fhir_writer_new (mapping, NULL);
}

static gint64
test_time (gint year, gint month, gint day, gint hour, gint minute, gint second)
{
	g_autoptr (GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, second);
	return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

/* a measurement of withings device "dev1" at 2026-11-01T07:00:00Z, offset +01:00 */
static OheMeasurement *
test_measurement (OheMeasurementKind kind, const gchar *native_id)
{
	OheMeasurement *m = ohe_measurement_new (kind);
	gint64 t = test_time (2026, 11, 1, 7, 0, 0);
	ohe_measurement_set_time (m, t, t);
	ohe_measurement_set_utc_offset (m, 3600);
	ohe_measurement_set_provider (m, "withings");
	ohe_measurement_set_device_id (m, "dev1");
	ohe_measurement_set_native_id (m, native_id);
	return m;
}

static GPtrArray *
test_write_full (OheFhirWriter *writer, OheMeasurement *m, const gchar *patient)
{
	g_autoptr (GError) error = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_resource_free);

	g_assert_true (ohe_fhir_writer_write (writer, m, 7, patient, out, &error));
	g_assert_no_error (error);
	for (guint i = 0; i < out->len; i++) {
		OheFhirResource *r = g_ptr_array_index (out, i);
		g_assert_cmpuint (r->measurement_index, ==, 7);
		g_assert_cmpuint (strlen (r->id), ==, 64);
		g_ptr_array_add (test_kept, g_strdup (r->json->str));
	}
	return out;
}

/* writes @m with a fresh writer and returns only its resource of @type */
static OheFhirResource *
test_write_one (OheFhirWriter *writer, OheMeasurement *m, const gchar *type, GPtrArray **out)
{
	*out = test_write_full (writer, m, TEST_PATIENT);
	for (guint i = 0; i < (*out)->len; i++) {
		OheFhirResource *r = g_ptr_array_index (*out, i);
		if (g_strcmp0 (r->resource_type, type) == 0)
			return r;
	}
	g_assert_not_reached ();
	return NULL;
}

static JsonNode *
test_parse (const OheFhirResource *r)
{
	g_autoptr (GError) error = NULL;
	JsonNode *node = json_from_string (r->json->str, &error);
	g_assert_no_error (error);
	g_assert_nonnull (node);
	g_assert_cmpstr (
	    json_object_get_string_member (json_node_get_object (node), "resourceType"), ==,
	    r->resource_type);
	g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "id"), ==,
			 r->id);
	return node;
}

/* a node by a dotted path, numbers index arrays: "code.coding.0.code" */
static JsonNode *
test_get (JsonNode *root, const gchar *path)
{
	g_auto (GStrv) parts = g_strsplit (path, ".", -1);
	JsonNode *node = root;

	for (guint i = 0; parts[i] != NULL; i++) {
		if (node == NULL)
			return NULL;
		if (JSON_NODE_HOLDS_ARRAY (node)) {
			JsonArray *array = json_node_get_array (node);
			guint idx = (guint)g_ascii_strtoull (parts[i], NULL, 10);
			if (idx >= json_array_get_length (array))
				return NULL;
			node = json_array_get_element (array, idx);
		} else if (JSON_NODE_HOLDS_OBJECT (node)) {
			node = json_object_get_member (json_node_get_object (node), parts[i]);
		} else {
			return NULL;
		}
	}
	return node;
}

static const gchar *
test_str (JsonNode *root, const gchar *path)
{
	JsonNode *node = test_get (root, path);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

static gint64
test_int (JsonNode *root, const gchar *path)
{
	JsonNode *node = test_get (root, path);
	g_assert_nonnull (node);
	g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
	return json_node_get_int (node);
}

/* the id of a resource whose identifier value is not a hash: SHA-256 of "system|value" NUL patient
 */
static gchar *
test_expected_id (const gchar *system, const gchar *value, const gchar *patient)
{
	g_autofree gchar *text = g_strdup_printf ("%s|%s%c%s", system, value, '\0', patient);
	gsize len = strlen (system) + 1 + strlen (value) + 1 + strlen (patient);
	return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)text, len);
}

/* a hashed identifier value: SHA-256 of the parts separated by NUL bytes */
static gchar *
test_expected_hash (const gchar *const *parts)
{
	g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

	for (guint i = 0; parts[i] != NULL; i++) {
		if (i > 0)
			g_checksum_update (checksum, (const guchar *)"", 1);
		g_checksum_update (checksum, (const guchar *)parts[i], -1);
	}
	return g_strdup (g_checksum_get_string (checksum));
}

/* the value of a sample without native id: system, patient, device, kind, start */
static gchar *
test_expected_sample_value (
    const gchar *system, const gchar *patient, const gchar *device, const gchar *kind, gint64 start)
{
	g_autofree gchar *start_text = g_strdup_printf ("%" G_GINT64_FORMAT, start);
	const gchar *parts[] = {system, patient, device, kind, start_text, NULL};
	return test_expected_hash (parts);
}

static void
test_sha256 (void)
{
	guint8 data[300];
	const gsize chunks[] = {1, 7, 63, 64, 65, 300};

	for (guint i = 0; i < sizeof (data); i++)
		data[i] = (guint8)(i * 7 + 3);
	/* the portable code always, the SHA extensions where the CPU has them */
	for (guint accelerated = 0; accelerated < 2; accelerated++) {
		gboolean in_use = ohe_fhir_sha256_set_accelerated (accelerated);
		if (!accelerated)
			g_assert_false (in_use);
		else
			g_test_message ("SHA extensions %s", in_use ? "in use" : "not available");
		for (gsize len = 0; len <= sizeof (data); len++) {
			g_autofree gchar *expected =
			    g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
			for (guint c = 0; c < G_N_ELEMENTS (chunks); c++) {
				OheFhirSha256 sha;
				gchar hex[OHE_FHIR_ID_LEN + 1];
				ohe_fhir_sha256_init (&sha);
				for (gsize off = 0; off < len; off += chunks[c])
					ohe_fhir_sha256_update (&sha, data + off,
								MIN (chunks[c], len - off));
				ohe_fhir_sha256_finish_hex (&sha, hex);
				g_assert_cmpstr (hex, ==, expected);
			}
		}
	}
	ohe_fhir_sha256_set_accelerated (TRUE);
}

static void
test_json_writer_structure (void)
{
	g_autoptr (GString) out = g_string_new (NULL);
	OheJsonWriter w;

	ohe_json_writer_init (&w, out);
	ohe_json_writer_begin_object (&w);
	ohe_json_writer_key (&w, "a");
	ohe_json_writer_begin_array (&w);
	ohe_json_writer_int (&w, 1);
	ohe_json_writer_int (&w, G_MININT64);
	ohe_json_writer_begin_object (&w);
	ohe_json_writer_key (&w, "b");
	ohe_json_writer_boolean (&w, TRUE);
	ohe_json_writer_key (&w, "c");
	ohe_json_writer_boolean (&w, FALSE);
	ohe_json_writer_end_object (&w);
	ohe_json_writer_begin_array (&w);
	ohe_json_writer_end_array (&w);
	ohe_json_writer_end_array (&w);
	ohe_json_writer_key (&w, "d");
	ohe_json_writer_null (&w);
	ohe_json_writer_key (&w, "e");
	ohe_json_writer_decimal (&w, 72345, -3);
	ohe_json_writer_key (&w, "f");
	ohe_json_writer_decimal (&w, -5, -4);
	ohe_json_writer_key (&w, "g");
	ohe_json_writer_decimal (&w, 12, 2);
	ohe_json_writer_key (&w, "h");
	ohe_json_writer_double (&w, 0.1 + 0.2);
	ohe_json_writer_fragment (&w, "\"i\":1,\"j\":2", 11);
	ohe_json_writer_key (&w, "k");
	ohe_json_writer_string (&w, NULL);
	ohe_json_writer_end_object (&w);
	g_assert_cmpstr (out->str, ==,
			 "{\"a\":[1,-9223372036854775808,{\"b\":true,\"c\":false},[]],\"d\":null,"
			 "\"e\":72.345,\"f\":-0.0005,\"g\":1200,\"h\":0.30000000000000004,"
			 "\"i\":1,\"j\":2,\"k\":null}");
	g_assert_cmpuint (w.depth, ==, 0);
}

static void
test_json_writer_escape (void)
{
	/* quotes, backslash, all short escapes, other controls, DEL, non-ASCII */
	const gchar *input = "a\"b\\c/\b\f\n\r\t\x01\x1f\x7f é€𝄞";
	const gchar *bad = "ok\xff"
			   "x\xc3"
			   "y\xed\xa0\x80z"; /* stray, truncated, surrogate */
	g_autoptr (GString) out = g_string_new (NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) node = NULL;
	OheJsonWriter w;

	ohe_json_writer_init (&w, out);
	ohe_json_writer_string (&w, input);
	g_assert_cmpstr (out->str, ==, "\"a\\\"b\\\\c/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f é€𝄞\"");
	node = json_from_string (out->str, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (json_node_get_string (node), ==, input);

	/* invalid UTF-8 is replaced, byte by byte, by U+FFFD: the JSON stays valid */
	g_string_truncate (out, 0);
	ohe_json_writer_init (&w, out);
	ohe_json_writer_string (&w, bad);
	g_assert_cmpstr (out->str, ==,
			 "\"ok\xef\xbf\xbdx\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"");
	g_assert_true (g_utf8_validate (out->str, -1, NULL));

	/* embedded NUL with an explicit length */
	g_string_truncate (out, 0);
	ohe_json_writer_init (&w, out);
	ohe_json_writer_string_len (&w, "a\0b", 3);
	g_assert_cmpstr (out->str, ==, "\"a\\u0000b\"");
}

static void
test_json_writer_date_time (void)
{
	static const struct {
		gint64 utc_us;
		gint32 offset;
		const gchar *expected;
	} cases[] = {
	    {G_GINT64_CONSTANT (1793516400000000), 3600, "2026-11-01T08:00:00+01:00"},
	    {G_GINT64_CONSTANT (1793516400000000), 0, "2026-11-01T07:00:00Z"},
	    {G_GINT64_CONSTANT (1793516400000000), -16200, "2026-11-01T02:30:00-04:30"},
	    {G_GINT64_CONSTANT (1793516400000000), 50400, "2026-11-01T21:00:00+14:00"},
	    {G_GINT64_CONSTANT (1709164800250000), 0, "2024-02-29T00:00:00.250Z"},
	    {G_GINT64_CONSTANT (1709164800000001), 0, "2024-02-29T00:00:00.000001Z"},
	    {G_GINT64_CONSTANT (951782399000000), 0, "2000-02-28T23:59:59Z"},
	    {G_GINT64_CONSTANT (0), -3600, "1969-12-31T23:00:00-01:00"},
	    {G_GINT64_CONSTANT (4102444800000000), 19800, "2100-01-01T05:30:00+05:30"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GString) out = g_string_new (NULL);
		g_autoptr (GDateTime) utc =
			       g_date_time_new_from_unix_utc (cases[i].utc_us / G_USEC_PER_SEC);
		ohe_json_append_date_time (out, cases[i].utc_us, cases[i].offset);
		g_assert_cmpstr (out->str, ==, cases[i].expected);
		/* and the text means the same instant */
		{
			g_autoptr (GDateTime) parsed =
				       g_date_time_new_from_iso8601 (out->str, NULL);
			g_assert_nonnull (parsed);
			g_assert_cmpint (g_date_time_to_unix (parsed), ==,
					 g_date_time_to_unix (utc));
		}
	}
}

static void
test_json_writer_date_time_cached (void)
{
	/* local 2026-10-31T23:59:59 in three offsets, then one-second steps past midnight */
	const gint64 start = G_GINT64_CONSTANT (1793491199000000);
	const gint32 offsets[] = {0, 3600, -16200};
	OheJsonDateCache cache = {0};
	gchar cached[OHE_JSON_DATE_TIME_MAX];
	gchar plain[OHE_JSON_DATE_TIME_MAX];
	gsize len;

	for (guint o = 0; o < G_N_ELEMENTS (offsets); o++) {
		for (gint64 s = 0; s < 2 * 3600 + 2; s += 1) {
			gint64 t = start + s * G_USEC_PER_SEC - (gint64)offsets[o] * G_USEC_PER_SEC;
			len = ohe_json_format_date_time (&cache, cached, t, offsets[o]);
			g_assert_cmpmem (cached, len, plain,
					 ohe_json_format_date_time (NULL, plain, t, offsets[o]));
		}
	}
	/* the cache is keyed by the local day: the same instant in another offset */
	len = ohe_json_format_date_time (&cache, cached, start, 0);
	g_assert_cmpmem (cached, len, "2026-10-31T23:59:59Z", 20);
	len = ohe_json_format_date_time (&cache, cached, start, 3600);
	g_assert_cmpmem (cached, len, "2026-11-01T00:59:59+01:00", 25);
	len = ohe_json_format_date_time (&cache, cached, start, 0);
	g_assert_cmpmem (cached, len, "2026-10-31T23:59:59Z", 20);
}

static void
test_json_writer_int (void)
{
	static const struct {
		gint64 value;
		const gchar *expected;
	} cases[] = {
	    {0, "0"},
	    {7, "7"},
	    {10, "10"},
	    {99, "99"},
	    {100, "100"},
	    {-1, "-1"},
	    {-100, "-100"},
	    {99999999, "99999999"},
	    {100000000, "100000000"},
	    {G_GINT64_CONSTANT (1000000000000001), "1000000000000001"},
	    {G_GINT64_CONSTANT (1793491200000000), "1793491200000000"},
	    {G_MAXINT64, "9223372036854775807"},
	    {G_MININT64, "-9223372036854775808"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		gchar buf[OHE_JSON_INT_MAX];
		gsize len = ohe_json_format_int (buf, cases[i].value);
		g_autoptr (GString) out = g_string_new (NULL);
		g_assert_cmpmem (buf, len, cases[i].expected, strlen (cases[i].expected));
		ohe_json_append_int (out, cases[i].value);
		g_assert_cmpstr (out->str, ==, cases[i].expected);
	}
}

/* the expected mapping of every kind: docs/measurement-kinds.md, FHIR R5 */
static const struct {
	OheMeasurementKind kind;
	const gchar *system;
	const gchar *code;
	const gchar *category;
	const gchar *profile;
} test_kind_codes[] = {
    {OHE_MEASUREMENT_KIND_HEART_RATE, "http://loinc.org", "8867-4", "vital-signs", "heartrate"},
    {OHE_MEASUREMENT_KIND_RESTING_HEART_RATE, "http://loinc.org", "40443-4", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, "http://loinc.org", "85354-9", "vital-signs", "bp"},
    {OHE_MEASUREMENT_KIND_HRV_RMSSD, NULL, "hrv_rmssd", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_HRV_SDNN, NULL, "hrv_sdnn", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_RR_INTERVALS, "urn:iso:std:iso:11073:10101", "147240", "vital-signs",
     NULL},
    {OHE_MEASUREMENT_KIND_ECG, "http://loinc.org", "11524-6", "procedure", NULL},
    {OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, NULL, "afib_classification", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_PULSE_WAVE_VELOCITY, NULL, "pulse_wave_velocity", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_VO2MAX, NULL, "vo2max", "activity", NULL},
    {OHE_MEASUREMENT_KIND_SPO2, "http://loinc.org", "2708-6", "vital-signs", "oxygensat"},
    {OHE_MEASUREMENT_KIND_RESPIRATORY_RATE, "http://loinc.org", "9279-1", "vital-signs",
     "resprate"},
    {OHE_MEASUREMENT_KIND_BODY_TEMPERATURE, "http://loinc.org", "8310-5", "vital-signs",
     "bodytemp"},
    {OHE_MEASUREMENT_KIND_SKIN_TEMPERATURE, NULL, "skin_temperature", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_BODY_WEIGHT, "http://loinc.org", "29463-7", "vital-signs", "bodyweight"},
    {OHE_MEASUREMENT_KIND_BODY_HEIGHT, "http://loinc.org", "8302-2", "vital-signs", "bodyheight"},
    {OHE_MEASUREMENT_KIND_BMI, "http://loinc.org", "39156-5", "vital-signs", "bmi"},
    {OHE_MEASUREMENT_KIND_BODY_FAT_RATIO, NULL, "body_fat_ratio", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_FAT_MASS, NULL, "fat_mass", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_FAT_FREE_MASS, NULL, "fat_free_mass", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_MUSCLE_MASS, NULL, "muscle_mass", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_MUSCLE_RATIO, NULL, "muscle_ratio", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_SKELETAL_MUSCLE_RATIO, NULL, "skeletal_muscle_ratio", "vital-signs",
     NULL},
    {OHE_MEASUREMENT_KIND_BONE_MASS, NULL, "bone_mass", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_BODY_WATER_MASS, NULL, "body_water_mass", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_BODY_WATER_RATIO, NULL, "body_water_ratio", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_VISCERAL_FAT_INDEX, NULL, "visceral_fat_index", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_BASAL_METABOLIC_RATE, NULL, "basal_metabolic_rate", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_METABOLIC_AGE, NULL, "metabolic_age", "vital-signs", NULL},
    {OHE_MEASUREMENT_KIND_STEPS, "http://loinc.org", "55423-8", "activity", NULL},
    {OHE_MEASUREMENT_KIND_SLEEP, NULL, "sleep", "activity", NULL},
};

#define TEST_KINDS_SYSTEM "https://ohed.dev/fhir/CodeSystem/measurement-kind"

static void
test_mapping_shipped (void)
{
	g_autoptr (OheFhirMapping) mapping = test_mapping ();
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GHashTable) kinds_codes = g_hash_table_new (g_str_hash, g_str_equal);
	JsonArray *concepts;

	/* the project's CodeSystem defines every fallback code the mapping uses */
	g_assert_true (json_parser_load_from_file (
	    parser, OHE_SOURCE_DATADIR "/fhir/ohe-kinds-codesystem.json", &error));
	g_assert_no_error (error);
	g_assert_cmpstr (test_str (json_parser_get_root (parser), "url"), ==, TEST_KINDS_SYSTEM);
	concepts = json_node_get_array (test_get (json_parser_get_root (parser), "concept"));
	for (guint i = 0; i < json_array_get_length (concepts); i++)
		g_hash_table_add (kinds_codes,
				  (gpointer)json_object_get_string_member (
				      json_array_get_object_element (concepts, i), "code"));
	g_assert_cmpuint (g_hash_table_size (kinds_codes), ==, OHE_MEASUREMENT_KIND_LAST - 1);

	g_assert_cmpuint (G_N_ELEMENTS (test_kind_codes), ==, OHE_MEASUREMENT_KIND_LAST - 1);
	g_assert_null (ohe_fhir_mapping_lookup (mapping, OHE_MEASUREMENT_KIND_UNKNOWN));
	for (guint i = 0; i < G_N_ELEMENTS (test_kind_codes); i++) {
		OheMeasurementKind kind = test_kind_codes[i].kind;
		const OheFhirKindMap *map = ohe_fhir_mapping_lookup (mapping, kind);
		const gchar *system = test_kind_codes[i].system;
		g_autofree gchar *profile = NULL;

		g_test_message ("kind %s", ohe_measurement_kind_to_string (kind));
		g_assert_nonnull (map);
		g_assert_cmpint (map->enabled, ==, kind != OHE_MEASUREMENT_KIND_SLEEP);
		g_assert_cmpstr (map->main.system, ==, system != NULL ? system : TEST_KINDS_SYSTEM);
		g_assert_cmpstr (map->main.code, ==, test_kind_codes[i].code);
		g_assert_cmpstr (map->main.unit, ==, ohe_measurement_kind_get_unit (kind));
		g_assert_cmpstr (map->category, ==, test_kind_codes[i].category);
		if (test_kind_codes[i].profile != NULL)
			profile = g_strconcat ("http://hl7.org/fhir/StructureDefinition/",
					       test_kind_codes[i].profile, NULL);
		g_assert_cmpstr (map->profile, ==, profile);
		if (system == NULL)
			g_assert_true (g_hash_table_contains (kinds_codes, map->main.code));
	}

	/* the shipped mapping writes every name of the provider ↔ sink contract */
	for (guint k = OHE_MEASUREMENT_KIND_UNKNOWN + 1; k < OHE_MEASUREMENT_KIND_LAST; k++) {
		const OheFhirKindMap *map = ohe_fhir_mapping_lookup (mapping, k);
		const gchar *const *names =
		    ohe_measurement_kind_get_value_type (k) == OHE_VALUE_TYPE_SERIES
			? ohe_series_name_list (k)
			: ohe_component_name_list (k);
		for (guint i = 0; names[i] != NULL; i++) {
			g_test_message ("kind %s name %s", ohe_measurement_kind_to_string (k),
					names[i]);
			g_assert_nonnull (ohe_fhir_mapping_lookup_component (map, names[i]));
		}
		if (k == OHE_MEASUREMENT_KIND_ECG)
			g_assert_nonnull (map->default_component);
	}
	g_assert_cmpuint (g_strv_length ((gchar **)ohe_series_name_list (OHE_MEASUREMENT_KIND_ECG)),
			  ==, 3);
	g_assert_cmpuint (
	    g_strv_length ((gchar **)ohe_component_name_list (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE)),
	    ==, 3);
	{
		const OheFhirKindMap *afib =
		    ohe_fhir_mapping_lookup (mapping, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
		const gchar *const *codes = ohe_classification_list ();
		g_autoptr (JsonParser) rhythm = json_parser_new ();
		JsonArray *rhythm_concepts;

		g_assert_cmpuint (g_strv_length ((gchar **)codes), ==, 6);
		g_assert_cmpuint (g_hash_table_size (afib->values), ==, 6);
		for (guint i = 0; codes[i] != NULL; i++)
			g_assert_nonnull (g_hash_table_lookup (afib->values, codes[i]));
		/* the published CodeSystem lists the same codes, in the same order */
		g_assert_true (json_parser_load_from_file (
		    rhythm, OHE_SOURCE_DATADIR "/fhir/ohe-rhythm-codesystem.json", &error));
		g_assert_no_error (error);
		g_assert_cmpstr (test_str (json_parser_get_root (rhythm), "url"), ==,
				 afib->value_system);
		rhythm_concepts =
		    json_node_get_array (test_get (json_parser_get_root (rhythm), "concept"));
		g_assert_cmpuint (json_array_get_length (rhythm_concepts), ==, 6);
		for (guint i = 0; codes[i] != NULL; i++)
			g_assert_cmpstr (
			    json_object_get_string_member (
				json_array_get_object_element (rhythm_concepts, i), "code"),
			    ==, codes[i]);
	}
}

static void
test_mapping_errors (void)
{
	static const struct {
		const gchar *json;
		const gchar *message;
	} cases[] = {
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"category\":\"vital-signs\",\"unit\":\"/min\"}}}",
	     "test.json: kinds.heart_rate.code: missing"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]"
	     "},"
	     "\"unit\":60}}}",
	     "test.json: kinds.heart_rate.unit: expected a string"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_beat\":{}}}",
	     "test.json: kinds.heart_beat: unknown measurement kind"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\"}]},"
	     "\"unit\":\"/min\"}}}",
	     "test.json: kinds.heart_rate.code.coding[0].code: missing"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[]},\"unit\":\"/min\"}}}",
	     "test.json: kinds.heart_rate.code.coding: must not be empty"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"body_weight\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]"
	     "},"
	     "\"unit\":\"g\"}}}",
	     "test.json: kinds.body_weight.unit: 'g' is not the canonical unit 'kg' of the kind"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]"
	     "},"
	     "\"unit\":\"/min\",\"untis\":\"x\"}}}",
	     "test.json: kinds.heart_rate.untis: unknown key"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"category\":\"lab\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]},"
	     "\"unit\":\"/min\"}}}",
	     "test.json: kinds.heart_rate.category: 'lab' is not listed in categories"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"heart_rate\":{"
	     "\"enabled\":\"yes\"}}}",
	     "test.json: kinds.heart_rate.enabled: expected a boolean"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":[]}",
	     "test.json: kinds: expected an object"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"procedure\":\"P\"},\"kinds\":{\"ecg\":{"
	     "\"category\":\"procedure\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]},"
	     "\"unit\":\"mV\",\"components\":{\"signal\":{\"coding\":[{\"system\":\"s\","
	     "\"code\":\"1\"}]}}}}}",
	     "test.json: kinds.ecg.components.signal: not a series or component name the contract "
	     "declares for the kind"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"blood_pressure\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]"
	     "},"
	     "\"unit\":\"mm[Hg]\",\"components\":{\"sys\":{\"coding\":[{\"system\":\"s\","
	     "\"code\":\"1\"}]}}}}}",
	     "test.json: kinds.blood_pressure.components.sys: not a series or component name the "
	     "contract declares for the kind"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"blood_pressure\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]"
	     "},"
	     "\"unit\":\"mm[Hg]\",\"default_component\":{\"coding\":[{\"system\":\"s\","
	     "\"code\":\"1\"}]}}}}",
	     "test.json: kinds.blood_pressure.default_component: the kind has no unnamed series"},
	    {"{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	     "\"categories\":{\"vital-signs\":\"V\"},\"kinds\":{\"afib_classification\":{"
	     "\"category\":\"vital-signs\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]"
	     "},"
	     "\"value_system\":\"v\",\"values\":{\"afib\":\"AFib\"}}}}",
	     "test.json: kinds.afib_classification.values.afib: not a classification code of the "
	     "contract"},
	    {"{\"category_system\":\"c\"}", "test.json: format_version: missing"},
	    {"[1]", "test.json: (root): expected a JSON object"},
	};
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFhirMapping) mapping = NULL;

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (OheFhirMapping) m = ohe_fhir_mapping_new_from_data (cases[i].json, -1,
									       "test.json", &error);
		g_assert_null (m);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==, cases[i].message);
		g_clear_error (&error);
	}

	/* a syntax error names the line */
	mapping = ohe_fhir_mapping_new_from_data (
	    "{\n  \"format_version\": 1,\n  \"kinds\": {,}\n}", -1, "broken.json", &error);
	g_assert_null (mapping);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "broken.json is not valid JSON: unexpected token at line 3 column 12");
	g_clear_error (&error);

	/* nesting that would exhaust json-glib's stack is refused before parsing */
	{
		g_autofree gchar *deep = g_malloc (200000 + 1);
		memset (deep, '[', 200000);
		deep[200000] = '\0';
		mapping = ohe_fhir_mapping_new_from_data (deep, -1, "deep.json", &error);
		g_assert_null (mapping);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (
		    error->message, ==,
		    "deep.json nests arrays and objects deeper than 64 levels at line 1 "
		    "column 65");
		g_clear_error (&error);
	}

	mapping = ohe_fhir_mapping_new_from_file ("/nonexistent/fhir-r5.json", &error);
	g_assert_null (mapping);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
}

static void
test_writer_heart_rate (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, "hr-42");
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) again = NULL;
	g_autoptr (GPtrArray) after_reset = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (JsonNode) dev = NULL;
	g_autoptr (JsonNode) assoc = NULL;
	g_autofree gchar *obs_id = NULL;
	g_autofree gchar *dev_id = NULL;
	g_autofree gchar *dev_ref = NULL;
	OheFhirResource *r;

	ohe_measurement_set_value_decimal (m, 72345, -3);
	ohe_measurement_set_qualifier (m, "device_model", "ScanWatch 2");
	out = test_write_full (writer, m, TEST_PATIENT);
	g_assert_cmpuint (out->len, ==, 3);
	g_assert_cmpstr (((OheFhirResource *)out->pdata[0])->resource_type, ==, "Device");
	g_assert_cmpstr (((OheFhirResource *)out->pdata[1])->resource_type, ==,
			 "DeviceAssociation");
	r = out->pdata[2];
	g_assert_cmpstr (r->resource_type, ==, "Observation");
	g_assert_cmpstr (r->identifier_system, ==, ID_BASE "/withings/heart_rate");
	g_assert_cmpstr (r->identifier_value, ==, "hr-42");
	obs_id = test_expected_id (ID_BASE "/withings/heart_rate", "hr-42", TEST_PATIENT);
	g_assert_cmpstr (r->id, ==, obs_id);
	/* exact decimal in the text, not a binary float artefact */
	g_assert_nonnull (strstr (r->json->str, "\"value\":72.345,"));

	obs = test_parse (r);
	g_assert_cmpstr (test_str (obs, "meta.source"), ==, "urn:ohed:provider:withings");
	g_assert_cmpstr (test_str (obs, "meta.profile.0"), ==,
			 "http://hl7.org/fhir/StructureDefinition/heartrate");
	g_assert_cmpstr (test_str (obs, "identifier.0.system"), ==, ID_BASE "/withings/heart_rate");
	g_assert_cmpstr (test_str (obs, "identifier.0.value"), ==, "hr-42");
	g_assert_cmpstr (test_str (obs, "status"), ==, "final");
	g_assert_cmpstr (test_str (obs, "category.0.coding.0.system"), ==,
			 "http://terminology.hl7.org/CodeSystem/observation-category");
	g_assert_cmpstr (test_str (obs, "category.0.coding.0.code"), ==, "vital-signs");
	g_assert_cmpstr (test_str (obs, "code.coding.0.system"), ==, "http://loinc.org");
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "8867-4");
	g_assert_cmpstr (test_str (obs, "code.coding.0.display"), ==, "Heart rate");
	g_assert_cmpstr (test_str (obs, "subject.reference"), ==, TEST_PATIENT);
	g_assert_cmpstr (test_str (obs, "effectiveDateTime"), ==, "2026-11-01T08:00:00+01:00");
	g_assert_null (test_get (obs, "effectivePeriod"));
	g_assert_cmpfloat (json_node_get_double (test_get (obs, "valueQuantity.value")), ==,
			   72.345);
	g_assert_cmpstr (test_str (obs, "valueQuantity.unit"), ==, "beats/minute");
	g_assert_cmpstr (test_str (obs, "valueQuantity.system"), ==, "http://unitsofmeasure.org");
	g_assert_cmpstr (test_str (obs, "valueQuantity.code"), ==, "/min");
	g_assert_null (test_get (obs, "derivedFrom"));

	/* Device and DeviceAssociation */
	dev_id = test_expected_id (ID_BASE "/withings/device", "dev1", TEST_PATIENT);
	dev_ref = g_strconcat ("Device/", dev_id, NULL);
	g_assert_cmpstr (test_str (obs, "device.reference"), ==, dev_ref);
	dev = test_parse (out->pdata[0]);
	g_assert_cmpstr (((OheFhirResource *)out->pdata[0])->id, ==, dev_id);
	g_assert_cmpstr (test_str (dev, "identifier.0.system"), ==, ID_BASE "/withings/device");
	g_assert_cmpstr (test_str (dev, "identifier.0.value"), ==, "dev1");
	g_assert_cmpstr (test_str (dev, "displayName"), ==, "ScanWatch 2");
	g_assert_cmpstr (test_str (dev, "status"), ==, "active");
	assoc = test_parse (out->pdata[1]);
	g_assert_cmpstr (test_str (assoc, "identifier.0.system"), ==,
			 ID_BASE "/withings/device-association");
	g_assert_cmpstr (test_str (assoc, "device.reference"), ==, dev_ref);
	g_assert_cmpstr (test_str (assoc, "subject.reference"), ==, TEST_PATIENT);
	g_assert_cmpstr (test_str (assoc, "status.coding.0.system"), ==,
			 "http://hl7.org/fhir/deviceassociation-status");
	g_assert_cmpstr (test_str (assoc, "status.coding.0.code"), ==, "attached");
	{
		/* a hashed value covers its system and is the id */
		const gchar *parts[] = {ID_BASE "/withings/device-association", "dev1",
					TEST_PATIENT, NULL};
		g_autofree gchar *assoc_value = test_expected_hash (parts);
		g_assert_cmpstr (test_str (assoc, "identifier.0.value"), ==, assoc_value);
		g_assert_cmpstr (((OheFhirResource *)out->pdata[1])->id, ==, assoc_value);
	}

	/* the device is written once per writer, again after a reset or for another patient */
	again = test_write_full (writer, m, TEST_PATIENT);
	g_assert_cmpuint (again->len, ==, 1);
	g_assert_cmpstr (((OheFhirResource *)again->pdata[0])->json->str, ==, r->json->str);
	ohe_fhir_writer_reset_devices (writer);
	after_reset = test_write_full (writer, m, TEST_PATIENT);
	g_assert_cmpuint (after_reset->len, ==, 3);
	g_clear_pointer (&again, g_ptr_array_unref);
	again = test_write_full (writer, m, "Patient/p2");
	g_assert_cmpuint (again->len, ==, 3);
	/* every id covers the patient: the other patient's Device is another resource */
	g_free (dev_id);
	dev_id = test_expected_id (ID_BASE "/withings/device", "dev1", "Patient/p2");
	g_assert_cmpstr (((OheFhirResource *)again->pdata[0])->id, ==, dev_id);
	g_assert_cmpstr (((OheFhirResource *)again->pdata[1])->id, !=,
			 ((OheFhirResource *)out->pdata[1])->id);
}

static void
test_writer_scalar_kinds (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();

	for (guint i = 0; i < G_N_ELEMENTS (test_kind_codes); i++) {
		OheMeasurementKind kind = test_kind_codes[i].kind;
		const gchar *system = test_kind_codes[i].system;
		g_autoptr (OheMeasurement) m = NULL;
		g_autoptr (GPtrArray) out = NULL;
		g_autoptr (JsonNode) obs = NULL;
		g_autofree gchar *expected_system = NULL;
		OheFhirResource *r;

		if (ohe_measurement_kind_get_value_type (kind) != OHE_VALUE_TYPE_SCALAR)
			continue;
		g_test_message ("kind %s", ohe_measurement_kind_to_string (kind));
		m = test_measurement (kind, "n1");
		ohe_measurement_set_value_decimal (m, 1250, -2);
		r = test_write_one (writer, m, "Observation", &out);
		obs = test_parse (r);
		g_assert_nonnull (strstr (r->json->str, "\"value\":12.5,"));
		g_assert_cmpstr (test_str (obs, "code.coding.0.system"), ==,
				 system != NULL ? system : TEST_KINDS_SYSTEM);
		g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, test_kind_codes[i].code);
		g_assert_cmpstr (test_str (obs, "category.0.coding.0.code"), ==,
				 test_kind_codes[i].category);
		g_assert_cmpstr (test_str (obs, "valueQuantity.code"), ==,
				 ohe_measurement_kind_get_unit (kind));
		g_assert_cmpstr (test_str (obs, "valueQuantity.system"), ==,
				 "http://unitsofmeasure.org");
		expected_system =
		    g_strconcat (ID_BASE "/withings/", ohe_measurement_kind_to_string (kind), NULL);
		g_assert_cmpstr (r->identifier_system, ==, expected_system);
	}
}

static void
test_writer_spo2_codes (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_SPO2, "s1");
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (JsonNode) obs = NULL;

	ohe_measurement_set_value_decimal (m, 97, 0);
	obs = test_parse (test_write_one (writer, m, "Observation", &out));
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "2708-6");
	g_assert_cmpstr (test_str (obs, "code.coding.1.system"), ==, "http://loinc.org");
	g_assert_cmpstr (test_str (obs, "code.coding.1.code"), ==, "59408-5");
	g_assert_cmpstr (test_str (obs, "code.coding.2.system"), ==, "urn:iso:std:iso:11073:10101");
	g_assert_cmpstr (test_str (obs, "code.coding.2.code"), ==, "150456");
	g_assert_cmpstr (test_str (obs, "valueQuantity.code"), ==, "%");
	g_assert_cmpint (test_int (obs, "valueQuantity.value"), ==, 97);
}

static void
test_writer_escaping (void)
{
	const gchar *native = "grp\"1\\\n\x01 é/ü";
	const gchar *patient = "Patient/ä\"1";
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_BODY_WEIGHT, native);
	g_autoptr (OheMeasurement) bad =
		       test_measurement (OHE_MEASUREMENT_KIND_BODY_WEIGHT, "x\xffy");
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) out_bad = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (JsonNode) dev = NULL;
	g_autoptr (JsonNode) obs_bad = NULL;
	g_autofree gchar *id = NULL;
	OheFhirResource *r;
	g_autoptr (GError) error = NULL;

	ohe_measurement_set_value_decimal (m, 724, -1);
	ohe_measurement_set_device_id (m, "Waage \"ü\"\t1");
	ohe_measurement_set_qualifier (m, "device_model", "Body+ \\ \x7f");
	out = test_write_full (writer, m, patient);
	g_assert_cmpuint (out->len, ==, 3);
	/* the patient id is deliberately not a FHIR id: keep these out of the R5 validation */
	g_ptr_array_set_size (test_kept, test_kept->len - 3);
	r = out->pdata[2];
	obs = test_parse (r);
	g_assert_cmpstr (test_str (obs, "identifier.0.value"), ==, native);
	g_assert_cmpstr (r->identifier_value, ==, native);
	id = test_expected_id (ID_BASE "/withings/body_weight", native, patient);
	g_assert_cmpstr (r->id, ==, id);
	g_assert_cmpstr (test_str (obs, "subject.reference"), ==, patient);
	dev = test_parse (out->pdata[0]);
	g_assert_cmpstr (test_str (dev, "identifier.0.value"), ==, "Waage \"ü\"\t1");
	g_assert_cmpstr (test_str (dev, "displayName"), ==, "Body+ \\ \x7f");

	/* invalid UTF-8: the identifier written is the one hashed */
	ohe_measurement_set_value_decimal (bad, 1, 0);
	out_bad = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_resource_free);
	g_assert_true (ohe_fhir_writer_write (writer, bad, 0, TEST_PATIENT, out_bad, &error));
	g_assert_no_error (error);
	r = out_bad->pdata[out_bad->len - 1];
	obs_bad = test_parse (r);
	g_assert_cmpstr (r->identifier_value, ==, "x\xef\xbf\xbdy");
	g_assert_cmpstr (test_str (obs_bad, "identifier.0.value"), ==, "x\xef\xbf\xbdy");
	g_free (id);
	id = test_expected_id (ID_BASE "/withings/body_weight", "x\xef\xbf\xbdy", TEST_PATIENT);
	g_assert_cmpstr (r->id, ==, id);
}

static void
test_writer_subject_identifier (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_BODY_HEIGHT, "h1");
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (JsonNode) assoc = NULL;

	ohe_measurement_set_value_decimal (m, 1825, -1);
	out = test_write_full (writer, m, "urn:oid:1.2.36.146.595.217.0.1|12345");
	obs = test_parse (out->pdata[2]);
	g_assert_null (test_get (obs, "subject.reference"));
	g_assert_cmpstr (test_str (obs, "subject.identifier.system"), ==,
			 "urn:oid:1.2.36.146.595.217.0.1");
	g_assert_cmpstr (test_str (obs, "subject.identifier.value"), ==, "12345");
	assoc = test_parse (out->pdata[1]);
	g_assert_cmpstr (test_str (assoc, "subject.identifier.value"), ==, "12345");
	g_assert_cmpstr (test_str (obs, "valueQuantity.code"), ==, "cm");
	g_assert_nonnull (
	    strstr (((OheFhirResource *)out->pdata[2])->json->str, "\"value\":182.5,"));
}

static void
test_writer_retracted (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_BODY_WEIGHT, "w1");
	g_autoptr (OheMeasurement) gone = test_measurement (OHE_MEASUREMENT_KIND_BODY_WEIGHT, "w1");
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) out_gone = NULL;
	g_autoptr (JsonNode) obs = NULL;
	OheFhirResource *r;
	OheFhirResource *r_gone;

	ohe_measurement_set_value_decimal (m, 70, 0);
	ohe_measurement_set_retracted (gone, TRUE);
	r = test_write_one (writer, m, "Observation", &out);
	r_gone = test_write_one (writer, gone, "Observation", &out_gone);
	g_assert_cmpstr (r_gone->id, ==, r->id);
	obs = test_parse (r_gone);
	g_assert_cmpstr (test_str (obs, "status"), ==, "entered-in-error");
	g_assert_null (test_get (obs, "valueQuantity"));
	g_assert_null (test_get (obs, "meta.profile"));
}

static void
test_writer_blood_pressure (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) bp =
		       test_measurement (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, "grp7");
	g_autoptr (OheMeasurement) pulse = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, NULL);
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) out_pulse = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (JsonNode) child = NULL;
	g_autofree gchar *parent_ref = NULL;
	OheFhirResource *r;
	OheFhirResource *r_pulse;

	ohe_measurement_set_component_decimal (bp, "systolic", 120, 0);
	ohe_measurement_set_component_decimal (bp, "diastolic", 80, 0);
	ohe_measurement_set_component_decimal (bp, "mean", 933, -1);
	r = test_write_one (writer, bp, "Observation", &out);
	obs = test_parse (r);
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "85354-9");
	g_assert_cmpstr (test_str (obs, "meta.profile.0"), ==,
			 "http://hl7.org/fhir/StructureDefinition/bp");
	g_assert_null (test_get (obs, "valueQuantity"));
	g_assert_cmpstr (test_str (obs, "component.0.code.coding.0.code"), ==, "8480-6");
	g_assert_cmpint (test_int (obs, "component.0.valueQuantity.value"), ==, 120);
	g_assert_cmpstr (test_str (obs, "component.0.valueQuantity.code"), ==, "mm[Hg]");
	g_assert_cmpstr (test_str (obs, "component.0.valueQuantity.unit"), ==, "mmHg");
	g_assert_cmpstr (test_str (obs, "component.1.code.coding.0.code"), ==, "8462-4");
	g_assert_cmpint (test_int (obs, "component.1.valueQuantity.value"), ==, 80);
	g_assert_cmpstr (test_str (obs, "component.2.code.coding.0.code"), ==, "8478-0");
	g_assert_nonnull (strstr (r->json->str, "\"value\":93.3,"));
	g_assert_null (test_get (obs, "component.3"));

	/* the pulse is its own heart-rate Observation pointing at the panel */
	ohe_measurement_set_value_decimal (pulse, 64, 0);
	ohe_measurement_set_parent (pulse, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, "grp7");
	r_pulse = test_write_one (writer, pulse, "Observation", &out_pulse);
	g_assert_cmpuint (out_pulse->len, ==, 1);
	child = test_parse (r_pulse);
	parent_ref = g_strconcat ("Observation/", r->id, NULL);
	g_assert_cmpstr (test_str (child, "derivedFrom.0.reference"), ==, parent_ref);
	g_assert_null (test_get (child, "derivedFrom.1"));
	g_assert_cmpstr (r_pulse->identifier_value, ==, "grp7/heart_rate/2026-11-01T07:00:00Z");
	g_assert_cmpstr (test_str (child, "code.coding.0.code"), ==, "8867-4");
}

/* the same provider account written for two patients: no id in common, so neither overwrites */
static void
test_writer_patient_binding (void)
{
	static const gint32 samples[] = {1, 2, 3};
	static const gchar *const patients[] = {"Patient/p1", "Patient/p2", "Patient/p1"};
	static const gchar *const types[] = {"Device", "DeviceAssociation", "Observation",
					     "DiagnosticReport"};
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) ecg = test_measurement (OHE_MEASUREMENT_KIND_ECG, "ecg-77");
	g_autoptr (OheMeasurement) hr = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, "hr-77");
	g_autoptr (OheSeries) lead = ohe_series_new_with_interval ("I", 1000.0 / 300);
	GPtrArray *out[G_N_ELEMENTS (patients)] = {NULL};
	GPtrArray *children[G_N_ELEMENTS (patients)] = {NULL};

	ohe_series_append_samples (lead, samples, G_N_ELEMENTS (samples));
	ohe_measurement_add_series (ecg, lead);
	ohe_measurement_set_value_decimal (hr, 61, 0);
	ohe_measurement_set_parent (hr, OHE_MEASUREMENT_KIND_ECG, "ecg-77");
	for (guint p = 0; p < G_N_ELEMENTS (patients); p++) {
		OheFhirResource *obs;
		g_autoptr (JsonNode) report = NULL;
		g_autoptr (JsonNode) child = NULL;
		g_autoptr (JsonNode) association = NULL;
		g_autofree gchar *obs_ref = NULL;
		g_autofree gchar *dev_ref = NULL;
		g_autofree gchar *expected = NULL;

		out[p] = test_write_full (writer, ecg, patients[p]);
		/* a new patient for the device: Device and DeviceAssociation again */
		g_assert_cmpuint (out[p]->len, ==, G_N_ELEMENTS (types));
		for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
			OheFhirResource *r = out[p]->pdata[i];
			g_assert_cmpstr (r->resource_type, ==, types[i]);
		}
		expected = test_expected_id (ID_BASE "/withings/device", "dev1", patients[p]);
		g_assert_cmpstr (((OheFhirResource *)out[p]->pdata[0])->id, ==, expected);
		g_free (expected);
		obs = out[p]->pdata[2];
		expected = test_expected_id (ID_BASE "/withings/ecg", "ecg-77", patients[p]);
		g_assert_cmpstr (obs->id, ==, expected);
		g_assert_cmpstr (obs->identifier_value, ==, "ecg-77");

		/* references stay inside the patient's own resources */
		obs_ref = g_strconcat ("Observation/", obs->id, NULL);
		dev_ref = g_strconcat ("Device/", ((OheFhirResource *)out[p]->pdata[0])->id, NULL);
		report = test_parse (out[p]->pdata[3]);
		g_assert_cmpstr (test_str (report, "result.0.reference"), ==, obs_ref);
		g_assert_cmpstr (test_str (report, "subject.reference"), ==, patients[p]);
		association = test_parse (out[p]->pdata[1]);
		g_assert_cmpstr (test_str (association, "device.reference"), ==, dev_ref);
		g_assert_cmpstr (test_str (association, "subject.reference"), ==, patients[p]);
		children[p] = test_write_full (writer, hr, patients[p]);
		child = test_parse (children[p]->pdata[children[p]->len - 1]);
		g_assert_cmpstr (test_str (child, "derivedFrom.0.reference"), ==, obs_ref);
		g_assert_cmpstr (test_str (child, "device.reference"), ==, dev_ref);
	}
	for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
		OheFhirResource *first = out[0]->pdata[i];
		OheFhirResource *second = out[1]->pdata[i];
		OheFhirResource *again = out[2]->pdata[i];
		g_assert_cmpstr (first->identifier_system, ==, second->identifier_system);
		g_assert_cmpstr (first->id, !=, second->id);
		/* and deterministic: the first patient's replay hits its own resources */
		g_assert_cmpstr (first->id, ==, again->id);
	}
	g_assert_cmpstr (((OheFhirResource *)children[0]->pdata[children[0]->len - 1])->id, !=,
			 ((OheFhirResource *)children[1]->pdata[children[1]->len - 1])->id);
	for (guint p = 0; p < G_N_ELEMENTS (patients); p++) {
		g_ptr_array_unref (out[p]);
		g_ptr_array_unref (children[p]);
	}
}

static void
test_writer_ecg (void)
{
	static const gint32 samples[] = {0, 5, -3};
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) ecg = test_measurement (OHE_MEASUREMENT_KIND_ECG, "ecg-9");
	g_autoptr (OheMeasurement) hr = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, NULL);
	g_autoptr (OheMeasurement) bad = test_measurement (OHE_MEASUREMENT_KIND_ECG, "ecg-10");
	g_autoptr (OheSeries) lead1 = ohe_series_new_with_interval ("I", 1000.0 / 300);
	g_autoptr (OheSeries) lead2 = ohe_series_new_with_interval ("II", 1000.0 / 300);
	g_autoptr (OheSeries) unnamed = ohe_series_new_with_interval (NULL, 2);
	g_autoptr (OheSeries) v7 = ohe_series_new_with_interval ("V7", 2);
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) out_hr = NULL;
	g_autoptr (GPtrArray) out_bad = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (JsonNode) report = NULL;
	g_autoptr (JsonNode) child = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *obs_ref = NULL;
	OheFhirResource *r;
	OheFhirResource *r_report;

	ohe_series_set_factor (lead1, 0.001);
	ohe_series_append_samples (lead1, samples, G_N_ELEMENTS (samples));
	ohe_series_set_factor (lead2, 0.001);
	ohe_series_append_samples (lead2, samples, 2);
	ohe_series_append_samples (unnamed, samples, 1);
	ohe_measurement_add_series (ecg, lead1);
	ohe_measurement_add_series (ecg, lead2);
	ohe_measurement_add_series (ecg, unnamed);
	ohe_measurement_set_classification (ecg, "positive", "Atrial Fibrillation");
	out = test_write_full (writer, ecg, TEST_PATIENT);
	g_assert_cmpuint (out->len, ==, 4);
	r = out->pdata[2];
	r_report = out->pdata[3];
	g_assert_cmpstr (r->resource_type, ==, "Observation");
	g_assert_cmpstr (r_report->resource_type, ==, "DiagnosticReport");
	obs = test_parse (r);
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "11524-6");
	g_assert_cmpstr (test_str (obs, "category.0.coding.0.code"), ==, "procedure");
	g_assert_cmpstr (test_str (obs, "effectivePeriod.start"), ==, "2026-11-01T08:00:00+01:00");
	g_assert_cmpstr (test_str (obs, "effectivePeriod.end"), ==,
			 "2026-11-01T08:00:00.010+01:00");
	g_assert_cmpstr (test_str (obs, "component.0.code.coding.0.system"), ==,
			 "urn:iso:std:iso:11073:10101");
	g_assert_cmpstr (test_str (obs, "component.0.code.coding.0.code"), ==, "131329");
	g_assert_cmpstr (test_str (obs, "component.1.code.coding.0.code"), ==, "131330");
	g_assert_cmpstr (test_str (obs, "component.2.code.coding.0.code"), ==, "131328");
	g_assert_cmpint (test_int (obs, "component.0.valueSampledData.origin.value"), ==, 0);
	g_assert_cmpstr (test_str (obs, "component.0.valueSampledData.origin.code"), ==, "mV");
	g_assert_nonnull (strstr (r->json->str, "\"interval\":3.333333,\"intervalUnit\":\"ms\","
						"\"factor\":0.001,\"dimensions\":1,"
						"\"data\":\"0 5 -3\""));
	g_assert_cmpstr (test_str (obs, "component.1.valueSampledData.data"), ==, "0 5");
	g_assert_cmpint (test_int (obs, "component.2.valueSampledData.interval"), ==, 2);
	g_assert_null (test_get (obs, "component.2.valueSampledData.factor"));
	g_assert_null (test_get (obs, "component.0.valueSampledData.offsets"));
	g_assert_null (test_get (obs, "valueSampledData"));

	report = test_parse (r_report);
	obs_ref = g_strconcat ("Observation/", r->id, NULL);
	g_assert_cmpstr (r_report->identifier_system, ==, ID_BASE "/withings/ecg-report");
	g_assert_cmpstr (r_report->identifier_value, ==, "ecg-9");
	g_assert_cmpstr (test_str (report, "status"), ==, "final");
	g_assert_cmpstr (test_str (report, "code.coding.0.code"), ==, "11524-6");
	g_assert_cmpstr (test_str (report, "subject.reference"), ==, TEST_PATIENT);
	g_assert_cmpstr (test_str (report, "result.0.reference"), ==, obs_ref);
	g_assert_cmpstr (test_str (report, "effectivePeriod.start"), ==,
			 "2026-11-01T08:00:00+01:00");
	g_assert_cmpstr (test_str (report, "conclusion"), ==, "Atrial Fibrillation");
	g_assert_cmpstr (test_str (report, "conclusionCode.0.coding.0.system"), ==,
			 "https://ohed.dev/fhir/CodeSystem/rhythm-classification");
	g_assert_cmpstr (test_str (report, "conclusionCode.0.coding.0.code"), ==, "positive");

	/* the recording's average heart rate is a child of the ECG */
	ohe_measurement_set_value_decimal (hr, 88, 0);
	ohe_measurement_set_parent (hr, OHE_MEASUREMENT_KIND_ECG, "ecg-9");
	child = test_parse (test_write_one (writer, hr, "Observation", &out_hr));
	g_assert_cmpstr (test_str (child, "derivedFrom.0.reference"), ==, obs_ref);

	/* a lead outside the contract is refused as bad data, not written as "unspecified" */
	ohe_measurement_add_series (bad, v7);
	out_bad = g_ptr_array_new ();
	g_assert_false (ohe_fhir_writer_write (writer, bad, 0, TEST_PATIENT, out_bad, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "withings ecg measurement: series name 'V7' is not in the contract "
			 "(expected I, II, III or unnamed)");
	g_assert_cmpuint (out_bad->len, ==, 0);
}

/* a mapping that leaves out a lead the contract declares: that lead is not written */
static void
test_writer_ecg_unmapped_lead (void)
{
	static const gchar json[] =
	    "{\"format_version\":1,\"category_system\":\"c\",\"unit_system\":\"u\","
	    "\"categories\":{\"procedure\":\"P\"},\"kinds\":{\"ecg\":{"
	    "\"category\":\"procedure\",\"code\":{\"coding\":[{\"system\":\"s\",\"code\":\"c\"}]},"
	    "\"unit\":\"mV\",\"components\":{\"I\":{\"coding\":[{\"system\":\"s\",\"code\":\"1\"}]}"
	    "}}}}";
	static const gint32 samples[] = {1, 2};
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFhirMapping) mapping =
		       ohe_fhir_mapping_new_from_data (json, -1, "test.json", &error);
	g_autoptr (OheFhirWriter) writer = NULL;
	g_autoptr (OheMeasurement) ecg = test_measurement (OHE_MEASUREMENT_KIND_ECG, "ecg-11");
	g_autoptr (OheSeries) lead3 =
		       ohe_series_new_with_interval (OHE_SERIES_NAME_LEAD_III, 1000.0 / 300);
	g_autoptr (GPtrArray) out = g_ptr_array_new ();

	g_assert_no_error (error);
	writer = ohe_fhir_writer_new (mapping, NULL);
	ohe_series_append_samples (lead3, samples, G_N_ELEMENTS (samples));
	ohe_measurement_add_series (ecg, lead3);
	g_assert_true (ohe_measurement_validate (ecg, &error));
	g_assert_false (ohe_fhir_writer_write (writer, ecg, 0, TEST_PATIENT, out, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED);
	g_assert_cmpstr (error->message, ==,
			 "ecg series 'III' is not mapped (kinds.ecg.components)");
	g_assert_cmpuint (out->len, ==, 0);
}

static void
test_writer_rr_intervals (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_RR_INTERVALS, "rr-1");
	g_autoptr (OheSeries) series = ohe_series_new_with_offsets (NULL);
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (GError) error = NULL;
	OheFhirResource *r;

	g_assert_true (ohe_series_append_offset_sample (series, 0, 812, &error));
	g_assert_true (ohe_series_append_offset_sample (series, 812.5, 813, &error));
	g_assert_true (ohe_series_append_offset_sample (series, 1625.25, 790, &error));
	g_assert_no_error (error);
	ohe_measurement_add_series (m, series);
	ohe_measurement_set_time (m, ohe_measurement_get_start (m),
				  ohe_measurement_get_start (m) + 2 * G_USEC_PER_SEC);
	r = test_write_one (writer, m, "Observation", &out);
	obs = test_parse (r);
	g_assert_cmpstr (test_str (obs, "code.coding.0.system"), ==, "urn:iso:std:iso:11073:10101");
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "147240");
	g_assert_cmpstr (test_str (obs, "effectivePeriod.end"), ==, "2026-11-01T08:00:02+01:00");
	g_assert_cmpstr (test_str (obs, "valueSampledData.offsets"), ==, "0 812.5 1625.25");
	g_assert_cmpstr (test_str (obs, "valueSampledData.data"), ==, "812 813 790");
	g_assert_cmpstr (test_str (obs, "valueSampledData.intervalUnit"), ==, "ms");
	g_assert_cmpstr (test_str (obs, "valueSampledData.origin.code"), ==, "ms");
	g_assert_null (test_get (obs, "valueSampledData.interval"));
	g_assert_cmpint (test_int (obs, "valueSampledData.dimensions"), ==, 1);
}

static void
test_writer_aggregate (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) hr = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, NULL);
	g_autoptr (OheMeasurement) steps = test_measurement (OHE_MEASUREMENT_KIND_STEPS, NULL);
	g_autoptr (OheMeasurement) sample =
		       test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, NULL);
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) out_steps = NULL;
	g_autoptr (GPtrArray) out_sample = NULL;
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (JsonNode) obs_steps = NULL;
	gint64 hour = ohe_measurement_get_start (hr);
	OheFhirResource *r;
	OheFhirResource *r_sample;

	ohe_measurement_set_time (hr, hour, hour + G_TIME_SPAN_HOUR);
	ohe_measurement_set_statistic (hr, OHE_STATISTIC_MEAN, 71.5);
	ohe_measurement_set_statistic (hr, OHE_STATISTIC_MINIMUM, 58);
	ohe_measurement_set_statistic (hr, OHE_STATISTIC_MAXIMUM, 118);
	ohe_measurement_set_statistic (hr, OHE_STATISTIC_COUNT, 3600);
	r = test_write_one (writer, hr, "Observation", &out);
	obs = test_parse (r);
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "8867-4");
	g_assert_cmpstr (test_str (obs, "effectivePeriod.start"), ==, "2026-11-01T08:00:00+01:00");
	g_assert_cmpstr (test_str (obs, "effectivePeriod.end"), ==, "2026-11-01T09:00:00+01:00");
	g_assert_null (test_get (obs, "valueQuantity"));
	g_assert_null (test_get (obs, "meta.profile"));
	g_assert_cmpstr (test_str (obs, "component.0.code.coding.0.system"), ==,
			 "http://hl7.org/fhir/observation-statistics");
	g_assert_cmpstr (test_str (obs, "component.0.code.coding.0.code"), ==, "average");
	g_assert_nonnull (strstr (r->json->str, "\"value\":71.5,"));
	g_assert_cmpstr (test_str (obs, "component.0.valueQuantity.code"), ==, "/min");
	g_assert_cmpstr (test_str (obs, "component.1.code.coding.0.code"), ==, "minimum");
	g_assert_cmpint (test_int (obs, "component.1.valueQuantity.value"), ==, 58);
	g_assert_cmpstr (test_str (obs, "component.2.code.coding.0.code"), ==, "maximum");
	g_assert_cmpint (test_int (obs, "component.2.valueQuantity.value"), ==, 118);
	g_assert_cmpstr (test_str (obs, "component.3.code.coding.0.code"), ==, "count");
	g_assert_cmpint (test_int (obs, "component.3.valueInteger"), ==, 3600);
	g_assert_null (test_get (obs, "component.4"));

	/* an aggregate never shares an identifier with a sample at the same start */
	ohe_measurement_set_value_decimal (sample, 70, 0);
	r_sample = test_write_one (writer, sample, "Observation", &out_sample);
	g_assert_cmpstr (r_sample->identifier_value, !=, r->identifier_value);
	{
		g_autofree gchar *start = g_strdup_printf ("%" G_GINT64_FORMAT, hour);
		g_autofree gchar *end =
		    g_strdup_printf ("%" G_GINT64_FORMAT, hour + G_TIME_SPAN_HOUR);
		const gchar *parts[] = {ID_BASE "/withings/heart_rate",
					TEST_PATIENT,
					"dev1",
					"heart_rate/aggregate",
					start,
					end,
					NULL};
		g_autofree gchar *aggregate_value = test_expected_hash (parts);
		g_autofree gchar *sample_value = test_expected_sample_value (
		    ID_BASE "/withings/heart_rate", TEST_PATIENT, "dev1", "heart_rate", hour);
		g_assert_cmpstr (r->identifier_value, ==, aggregate_value);
		g_assert_cmpstr (r->id, ==, aggregate_value);
		g_assert_cmpstr (r_sample->identifier_value, ==, sample_value);
		g_assert_cmpstr (r_sample->id, ==, sample_value);
	}

	/* steps: the sum is the value, the count a component */
	ohe_measurement_set_time (steps, hour, hour + G_TIME_SPAN_HOUR);
	ohe_measurement_set_statistic (steps, OHE_STATISTIC_SUM, 1234);
	ohe_measurement_set_statistic (steps, OHE_STATISTIC_COUNT, 12);
	obs_steps = test_parse (test_write_one (writer, steps, "Observation", &out_steps));
	g_assert_cmpstr (test_str (obs_steps, "code.coding.0.code"), ==, "55423-8");
	g_assert_cmpint (test_int (obs_steps, "valueQuantity.value"), ==, 1234);
	g_assert_cmpstr (test_str (obs_steps, "valueQuantity.code"), ==, "{steps}");
	g_assert_cmpstr (test_str (obs_steps, "component.0.code.coding.0.code"), ==, "count");
	g_assert_cmpint (test_int (obs_steps, "component.0.valueInteger"), ==, 12);
	g_assert_null (test_get (obs_steps, "component.1"));
}

static void
test_writer_steps_daily (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	/* the local day 2026-11-01 in +01:00 starts at 2026-10-31T23:00:00Z */
	gint64 day = test_time (2026, 10, 31, 23, 0, 0);
	g_autoptr (OheMeasurement) morning = test_measurement (OHE_MEASUREMENT_KIND_STEPS, NULL);
	g_autoptr (OheMeasurement) evening = test_measurement (OHE_MEASUREMENT_KIND_STEPS, NULL);
	g_autoptr (OheMeasurement) next_day = test_measurement (OHE_MEASUREMENT_KIND_STEPS, NULL);
	g_autoptr (OheMeasurement) sample = test_measurement (OHE_MEASUREMENT_KIND_STEPS, NULL);
	g_autoptr (GPtrArray) out1 = NULL;
	g_autoptr (GPtrArray) out2 = NULL;
	g_autoptr (GPtrArray) out3 = NULL;
	g_autoptr (GPtrArray) out4 = NULL;
	g_autoptr (JsonNode) obs1 = NULL;
	g_autoptr (JsonNode) obs2 = NULL;
	g_autoptr (JsonNode) obs4 = NULL;
	OheFhirResource *r1, *r2, *r3, *r4;

	ohe_measurement_set_origin (morning, OHE_MEASUREMENT_ORIGIN_SUMMARY);
	ohe_measurement_set_time (morning, day, day + G_TIME_SPAN_DAY);
	ohe_measurement_set_value_decimal (morning, 3200, 0);
	/* later fetch of the same day: a bigger total, a qualifier instead of the origin */
	ohe_measurement_set_qualifier (evening, "total", "day");
	ohe_measurement_set_time (evening, day, day + G_TIME_SPAN_DAY);
	ohe_measurement_set_value_decimal (evening, 9500, 0);
	ohe_measurement_set_origin (next_day, OHE_MEASUREMENT_ORIGIN_SUMMARY);
	ohe_measurement_set_time (next_day, day + G_TIME_SPAN_DAY, day + 2 * G_TIME_SPAN_DAY);
	ohe_measurement_set_value_decimal (next_day, 100, 0);
	ohe_measurement_set_origin (sample, OHE_MEASUREMENT_ORIGIN_STREAM);
	ohe_measurement_set_time (sample, day, day + 60 * G_USEC_PER_SEC);
	ohe_measurement_set_value_decimal (sample, 42, 0);

	r1 = test_write_one (writer, morning, "Observation", &out1);
	r2 = test_write_one (writer, evening, "Observation", &out2);
	r3 = test_write_one (writer, next_day, "Observation", &out3);
	r4 = test_write_one (writer, sample, "Observation", &out4);
	obs1 = test_parse (r1);
	obs2 = test_parse (r2);
	obs4 = test_parse (r4);
	g_assert_cmpstr (test_str (obs1, "code.coding.0.code"), ==, "41950-7");
	g_assert_cmpstr (test_str (obs1, "valueQuantity.code"), ==, "/d");
	g_assert_cmpstr (test_str (obs1, "category.0.coding.0.code"), ==, "activity");
	g_assert_cmpstr (test_str (obs1, "effectivePeriod.start"), ==, "2026-11-01T00:00:00+01:00");
	g_assert_cmpstr (test_str (obs1, "effectivePeriod.end"), ==, "2026-11-02T00:00:00+01:00");
	g_assert_cmpint (test_int (obs1, "valueQuantity.value"), ==, 3200);
	/* same day, grown total: same identifier and id, new value */
	{
		const gchar *parts[] = {ID_BASE "/withings/steps",
					TEST_PATIENT,
					"dev1",
					"steps/day",
					"2026-11-01",
					NULL};
		g_autofree gchar *day_value = test_expected_hash (parts);
		g_assert_cmpstr (r1->identifier_value, ==, day_value);
		g_assert_cmpstr (r1->id, ==, day_value);
	}
	g_assert_cmpstr (r2->identifier_value, ==, r1->identifier_value);
	g_assert_cmpstr (r2->id, ==, r1->id);
	g_assert_cmpint (test_int (obs2, "valueQuantity.value"), ==, 9500);
	g_assert_cmpstr (r3->id, !=, r1->id);
	/* a sample of the same start is a different resource with the interval code */
	g_assert_cmpstr (r4->id, !=, r1->id);
	{
		g_autofree gchar *sample_value = test_expected_sample_value (
		    ID_BASE "/withings/steps", TEST_PATIENT, "dev1", "steps", day);
		g_assert_cmpstr (r4->identifier_value, ==, sample_value);
		g_assert_cmpstr (r4->id, ==, sample_value);
	}
	g_assert_cmpstr (test_str (obs4, "code.coding.0.code"), ==, "55423-8");
	g_assert_cmpstr (test_str (obs4, "valueQuantity.code"), ==, "{steps}");
	g_assert_cmpstr (test_str (obs4, "effectivePeriod.end"), ==, "2026-11-01T00:01:00+01:00");
}

static void
test_writer_classification (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) m =
		       test_measurement (OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, "a1");
	g_autoptr (OheMeasurement) odd =
		       test_measurement (OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, "a2");
	g_autoptr (GPtrArray) out = NULL;
	g_autoptr (GPtrArray) out_odd = g_ptr_array_new ();
	g_autoptr (JsonNode) obs = NULL;
	g_autoptr (GError) error = NULL;

	ohe_measurement_set_classification (m, "inconclusive", "INCONCLUSIVE_HIGH_HEART_RATE");
	obs = test_parse (test_write_one (writer, m, "Observation", &out));
	g_assert_cmpstr (test_str (obs, "code.coding.0.system"), ==, TEST_KINDS_SYSTEM);
	g_assert_cmpstr (test_str (obs, "code.coding.0.code"), ==, "afib_classification");
	g_assert_cmpstr (test_str (obs, "valueCodeableConcept.coding.0.system"), ==,
			 "https://ohed.dev/fhir/CodeSystem/rhythm-classification");
	g_assert_cmpstr (test_str (obs, "valueCodeableConcept.coding.0.code"), ==, "inconclusive");
	g_assert_cmpstr (test_str (obs, "valueCodeableConcept.text"), ==,
			 "INCONCLUSIVE_HIGH_HEART_RATE");
	g_assert_null (test_get (obs, "valueQuantity"));

	ohe_measurement_set_classification (odd, "maybe", NULL);
	g_assert_false (ohe_fhir_writer_write (writer, odd, 0, TEST_PATIENT, out_odd, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "withings afib_classification measurement: classification 'maybe' is not "
			 "in the contract (expected negative, positive, inconclusive, unreadable, "
			 "not_analyzed or other)");
	g_assert_cmpuint (out_odd->len, ==, 0);
}

static void
test_writer_deterministic (void)
{
	g_autoptr (OheFhirWriter) a = test_writer ();
	g_autoptr (OheFhirWriter) b = test_writer ();
	g_autoptr (OheFhirMapping) mapping = test_mapping ();
	g_autoptr (OheFhirWriter) custom =
		       ohe_fhir_writer_new (mapping, "https://example.org/ids/");
	g_autoptr (OheMeasurement) m = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, NULL);
	g_autoptr (GPtrArray) out_a = NULL;
	g_autoptr (GPtrArray) out_b = NULL;
	g_autoptr (GPtrArray) out_p2 = NULL;
	g_autoptr (GPtrArray) out_custom = NULL;
	g_autoptr (GPtrArray) out_dev2 = NULL;
	g_autoptr (GPtrArray) out_again = NULL;
	gint64 start = ohe_measurement_get_start (m);
	g_autofree gchar *value = test_expected_sample_value (
	    ID_BASE "/withings/heart_rate", TEST_PATIENT, "dev1", "heart_rate", start);
	g_autofree gchar *value_p2 = test_expected_sample_value (
	    ID_BASE "/withings/heart_rate", "Patient/p2", "dev1", "heart_rate", start);
	g_autofree gchar *value_dev2 = test_expected_sample_value (
	    ID_BASE "/withings/heart_rate", TEST_PATIENT, "dev2", "heart_rate", start);
	g_autofree gchar *value_custom =
	    test_expected_sample_value ("https://example.org/ids/withings/heart_rate", TEST_PATIENT,
					"dev1", "heart_rate", start);
	OheFhirResource *ra, *rb, *rp2, *rc, *rd2, *r_again;

	ohe_measurement_set_value_decimal (m, 61, 0);
	ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
	ra = test_write_one (a, m, "Observation", &out_a);
	rb = test_write_one (b, m, "Observation", &out_b);
	g_assert_cmpstr (ra->json->str, ==, rb->json->str);
	g_assert_cmpstr (ra->id, ==, rb->id);
	g_assert_cmpuint (strlen (ra->identifier_value), ==, 64);
	g_assert_true (strspn (ra->identifier_value, "0123456789abcdef") == 64);
	g_assert_true (strspn (ra->id, "0123456789abcdef") == 64);
	/* the hash covers system, patient, device, kind and start, and is the id */
	g_assert_cmpstr (ra->identifier_value, ==, value);
	g_assert_cmpstr (ra->id, ==, value);

	/* the patient is part of a hashed value */
	out_p2 = test_write_full (a, m, "Patient/p2");
	rp2 = out_p2->pdata[out_p2->len - 1];
	g_assert_cmpstr (rp2->identifier_value, ==, value_p2);
	g_assert_cmpstr (rp2->id, ==, value_p2);

	/* so is the device; the writer's cached hash state follows each change */
	ohe_measurement_set_device_id (m, "dev2");
	out_dev2 = test_write_full (a, m, TEST_PATIENT);
	rd2 = out_dev2->pdata[out_dev2->len - 1];
	g_assert_cmpstr (rd2->identifier_value, ==, value_dev2);
	ohe_measurement_set_device_id (m, "dev1");
	out_again = test_write_full (a, m, TEST_PATIENT);
	r_again = out_again->pdata[out_again->len - 1];
	g_assert_cmpstr (r_again->identifier_value, ==, value);
	g_assert_cmpstr (r_again->json->str, ==, ra->json->str);

	/* the identifier base is configurable; a trailing slash does not matter */
	rc = test_write_one (custom, m, "Observation", &out_custom);
	g_assert_cmpstr (rc->identifier_system, ==, "https://example.org/ids/withings/heart_rate");
	g_assert_cmpstr (rc->identifier_value, ==, value_custom);
	g_assert_cmpstr (rc->id, ==, value_custom);
}

static void
test_writer_errors (void)
{
	g_autoptr (OheFhirWriter) writer = test_writer ();
	g_autoptr (OheMeasurement) sleep = test_measurement (OHE_MEASUREMENT_KIND_SLEEP, "s1");
	g_autoptr (OheMeasurement) anon = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
	g_autoptr (OheMeasurement) timeless = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
	g_autoptr (OheMeasurement) ok = test_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, "x");
	g_autoptr (GPtrArray) out = g_ptr_array_new ();
	g_autoptr (GError) error = NULL;

	g_assert_false (ohe_fhir_writer_write (writer, sleep, 0, TEST_PATIENT, out, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED);
	g_assert_cmpstr (error->message, ==,
			 "sleep measurements are disabled in the FHIR mapping " TEST_MAPPING);
	g_clear_error (&error);

	ohe_measurement_set_time (anon, 1000000, 1000000);
	ohe_measurement_set_value (anon, 60);
	g_assert_false (ohe_fhir_writer_write (writer, anon, 0, TEST_PATIENT, out, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "heart_rate measurement has no provider");
	g_clear_error (&error);

	ohe_measurement_set_value (timeless, 60);
	ohe_measurement_set_provider (timeless, "withings");
	g_assert_false (ohe_fhir_writer_write (writer, timeless, 0, TEST_PATIENT, out, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);

	ohe_measurement_set_value (ok, 60);
	g_assert_false (ohe_fhir_writer_write (writer, ok, 0, "", out, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_cmpuint (out->len, ==, 0);
}

/* the integration run: every resource above against the official R5 schema */
static void
test_writer_validate_r5 (void)
{
	const gchar *validator = g_getenv ("OHE_FHIR_VALIDATOR");
	const gchar *node = g_getenv ("OHE_FHIR_NODE");
	g_autofree gchar *dir = NULL;
	g_autofree gchar *file = NULL;
	g_autofree gchar *stdout_text = NULL;
	g_autoptr (GString) ndjson = g_string_new (NULL);
	g_autoptr (GError) error = NULL;
	gint status = 0;

	if (validator == NULL || node == NULL) {
		g_test_skip ("OHE_FHIR_VALIDATOR and OHE_FHIR_NODE are not set");
		return;
	}
	g_assert_cmpuint (test_kept->len, >, 40);
	for (guint i = 0; i < test_kept->len; i++) {
		g_string_append (ndjson, g_ptr_array_index (test_kept, i));
		g_string_append_c (ndjson, '\n');
	}
	dir = g_dir_make_tmp ("ohe-fhir-writer-XXXXXX", &error);
	g_assert_no_error (error);
	file = g_build_filename (dir, "resources.ndjson", NULL);
	g_assert_true (g_file_set_contents (file, ndjson->str, ndjson->len, &error));
	g_assert_no_error (error);
	{
		const gchar *argv[] = {node, validator, file, NULL};
		g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL,
					     NULL, &stdout_text, NULL, &status, &error));
	}
	g_assert_no_error (error);
	if (stdout_text != NULL && stdout_text[0] != '\0')
		g_test_message ("%s", stdout_text);
	g_assert_true (g_spawn_check_wait_status (status, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_unlink (file), ==, 0);
	g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
	int rc;

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	test_kept = g_ptr_array_new_with_free_func (g_free);
	g_test_add_func ("/fhir/json-writer/structure", test_json_writer_structure);
	g_test_add_func ("/fhir/json-writer/escape", test_json_writer_escape);
	g_test_add_func ("/fhir/json-writer/date-time", test_json_writer_date_time);
	g_test_add_func ("/fhir/json-writer/date-time-cached", test_json_writer_date_time_cached);
	g_test_add_func ("/fhir/json-writer/int", test_json_writer_int);
	g_test_add_func ("/fhir/identifier/sha256", test_sha256);
	g_test_add_func ("/fhir/mapping/shipped", test_mapping_shipped);
	g_test_add_func ("/fhir/mapping/errors", test_mapping_errors);
	g_test_add_func ("/fhir/writer/heart-rate", test_writer_heart_rate);
	g_test_add_func ("/fhir/writer/scalar-kinds", test_writer_scalar_kinds);
	g_test_add_func ("/fhir/writer/spo2-codes", test_writer_spo2_codes);
	g_test_add_func ("/fhir/writer/escaping", test_writer_escaping);
	g_test_add_func ("/fhir/writer/subject-identifier", test_writer_subject_identifier);
	g_test_add_func ("/fhir/writer/patient-binding", test_writer_patient_binding);
	g_test_add_func ("/fhir/writer/retracted", test_writer_retracted);
	g_test_add_func ("/fhir/writer/blood-pressure", test_writer_blood_pressure);
	g_test_add_func ("/fhir/writer/ecg", test_writer_ecg);
	g_test_add_func ("/fhir/writer/ecg-unmapped-lead", test_writer_ecg_unmapped_lead);
	g_test_add_func ("/fhir/writer/rr-intervals", test_writer_rr_intervals);
	g_test_add_func ("/fhir/writer/aggregate", test_writer_aggregate);
	g_test_add_func ("/fhir/writer/steps-daily", test_writer_steps_daily);
	g_test_add_func ("/fhir/writer/classification", test_writer_classification);
	g_test_add_func ("/fhir/writer/deterministic", test_writer_deterministic);
	g_test_add_func ("/fhir/writer/errors", test_writer_errors);
	g_test_add_func ("/fhir/writer/validate-r5", test_writer_validate_r5);
	rc = g_test_run ();
	g_ptr_array_unref (test_kept);
	return rc;
}
