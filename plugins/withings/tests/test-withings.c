/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include <oheplugin.h>

#include "ohe-withings-parser.h"
#include "ohe-withings-provider.h"
#include "ohe-withings-signature.h"
#include "ohe-withings-tables.h"
#include "ohe-withings-webhook.h"

/* the Withings parsers, signatures and webhooks on the reference samples */

static JsonObject *
load_body (const gchar *name, GError **error)
{
	g_autofree gchar *path = g_build_filename (WITHINGS_FIXTURES, name, NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
	return ohe_withings_parser_envelope_from_data (contents, len, error);
}

static void
assert_decimal (OheMeasurement *m, const gchar *expected)
{
	g_autofree gchar *text = ohe_measurement_format_value (m);
	g_assert_cmpstr (text, ==, expected);
}

static void
assert_component (OheMeasurement *m, const gchar *name, const gchar *expected)
{
	gint64 mantissa = 0;
	gint exponent = 0;
	g_autofree gchar *text = NULL;
	g_assert_true (ohe_measurement_get_component_decimal (m, name, &mantissa, &exponent));
	text = ohe_decimal_to_string (mantissa, exponent);
	g_assert_cmpstr (text, ==, expected);
}

static OheMeasurement *
find_native (GPtrArray *ms, const gchar *native_id)
{
	for (guint i = 0; i < ms->len; i++) {
		OheMeasurement *m = g_ptr_array_index (ms, i);
		if (g_strcmp0 (ohe_measurement_get_native_id (m), native_id) == 0)
			return m;
	}
	g_assert_not_reached ();
}

static void
test_getmeas (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) body = load_body ("measure_getmeas_response.json", &error);
	g_autoptr(OheWithingsPage) page = NULL;
	OheMeasurement *m;

	g_assert_no_error (error);
	page = ohe_withings_parser_getmeas (body, &error);
	g_assert_no_error (error);
	g_assert_nonnull (page);
	g_assert_false (page->more);
	g_assert_cmpint (page->updatetime, ==, 1736935260);
	g_assert_cmpstr (page->timezone, ==, "Europe/Berlin");
	/* manual BP + pulse, temperature, SpO2, weigh-in 8 + pulse, BP + pulse */
	g_assert_cmpuint (page->measurements->len, ==, 15);
	for (guint i = 0; i < page->measurements->len; i++) {
		OheMeasurement *mi = g_ptr_array_index (page->measurements, i);
		g_assert_true (ohe_measurement_validate (mi, NULL));
		if (i > 0)
			g_assert_cmpint (ohe_measurement_get_start (
					     g_ptr_array_index (page->measurements, i - 1)),
					 <=, ohe_measurement_get_start (mi));
	}

	/* the BP reading: one measurement with two components and a pulse child */
	m = find_native (page->measurements, "5123456701");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "mm[Hg]");
	assert_component (m, "systolic", "124");
	assert_component (m, "diastolic", "78");
	g_assert_cmpint (ohe_measurement_get_start (m), ==,
			 G_GINT64_CONSTANT (1736935112) * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, 3600); /* CET in January */
	g_assert_cmpstr (ohe_measurement_get_device_id (m), ==,
			 "9a1c0e4b7f2d3a5c6e8f0b1d2c3e4f5a6b7c8d9e");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "device_model"), ==, "BPM Connect");
	g_assert_cmpstr (ohe_measurement_get_provider (m), ==, "withings");
	g_assert_false (ohe_measurement_get_manual (m));
	m = find_native (page->measurements, "5123456701-11");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
	assert_decimal (m, "66");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "/min");
	g_assert_cmpint (ohe_measurement_get_parent_kind (m), ==,
			 OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (m), ==, "5123456701");

	/* the weigh-in: exact decimals, pulse as child of the weight */
	m = find_native (page->measurements, "5123456702-1");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	assert_decimal (m, "72.345");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "kg");
	g_assert_cmpint (ohe_measurement_get_origin (m), ==, OHE_MEASUREMENT_ORIGIN_SPOT);
	m = find_native (page->measurements, "5123456702-6");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_FAT_RATIO);
	assert_decimal (m, "19.675");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "%");
	m = find_native (page->measurements, "5123456702-77");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_WATER_MASS);
	assert_decimal (m, "40.12");
	m = find_native (page->measurements, "5123456702-91");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==,
			 OHE_MEASUREMENT_KIND_PULSE_WAVE_VELOCITY);
	assert_decimal (m, "7.12");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "m/s");
	m = find_native (page->measurements, "5123456702-11");
	g_assert_cmpint (ohe_measurement_get_parent_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (m), ==, "5123456702-1");
	assert_decimal (m, "64");

	m = find_native (page->measurements, "5123456703-54");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_SPO2);
	assert_decimal (m, "97");
	m = find_native (page->measurements, "5123456704-71");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_TEMPERATURE);
	assert_decimal (m, "36.84");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "Cel");

	/* attrib 2: manual, no device */
	m = find_native (page->measurements, "5123456705");
	assert_component (m, "systolic", "131");
	assert_component (m, "diastolic", "84");
	g_assert_true (ohe_measurement_get_manual (m));
	g_assert_null (ohe_measurement_get_device_id (m));
	g_assert_cmpint (ohe_measurement_get_start (page->measurements->pdata[0]), ==,
			 G_GINT64_CONSTANT (1736880000) * G_USEC_PER_SEC);
}

static void
test_getmeas_page (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) body =
		       load_body ("measure_getmeas_response_page1_more.json", &error);
	g_autoptr(OheWithingsPage) page = ohe_withings_parser_getmeas (body, &error);
	g_assert_no_error (error);
	g_assert_true (page->more);
	g_assert_cmpint (page->offset, ==, 2);
	g_assert_cmpuint (page->measurements->len, ==, 11);
}

static OheWithingsPage *
parse_getmeas_text (const gchar *json, GError **error)
{
	g_autoptr(JsonObject) body =
		       ohe_withings_parser_envelope_from_data (json, strlen (json), error);
	if (body == NULL)
		return NULL;
	return ohe_withings_parser_getmeas (body, error);
}

/*
 * A provider's timezone naming a file is never opened: a FIFO would block
 * the parser forever. The page parses, its times carry offset 0.
 */
static void
test_getmeas_hostile_timezone (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-withings-tz-XXXXXX", &error);
	g_autofree gchar *fifo = NULL;
	g_autofree gchar *escaped_fifo = NULL;
	g_autofree gchar *relative_fifo = NULL;
	const gchar *names[] = {"/etc/shadow", "../../../../etc/passwd", NULL, NULL};

	g_assert_no_error (error);
	fifo = g_build_filename (dir, "zone", NULL);
	g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
	escaped_fifo = g_strescape (fifo, NULL);
	relative_fifo = g_strconcat ("../../../../../../../../../..", escaped_fifo, NULL);
	names[2] = escaped_fifo;
	names[3] = relative_fifo;

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autofree gchar *json = g_strdup_printf (
		    "{\"status\":0,\"body\":{\"updatetime\":1700000100,\"timezone\":\"%s\","
		    "\"more\":0,\"offset\":0,\"measuregrps\":["
		    "{\"grpid\":1,\"attrib\":0,\"date\":1700000000,\"category\":1,"
		    "\"measures\":[{\"value\":72000,\"type\":1,\"unit\":-3}]}]}}",
		    names[i]);
		g_autoptr(OheWithingsPage) page = parse_getmeas_text (json, &error);
		g_test_message ("timezone %u", i);
		g_assert_no_error (error);
		g_assert_cmpuint (page->measurements->len, ==, 1);
		g_assert_cmpint (
		    ohe_measurement_get_utc_offset (g_ptr_array_index (page->measurements, 0)), ==,
		    0);
		g_assert_null (ohe_withings_parser_time_zone_new (names[i]));
	}
	g_unlink (fifo);
	g_rmdir (dir);
}

/* out-of-range values are refused with their path, not turned into measurements */
static void
test_out_of_range (void)
{
	struct {
		const gchar *json;
		const gchar *message;
	} cases[] = {
	    {"{\"status\":0,\"body\":{\"timezone\":\"UTC\",\"more\":0,\"offset\":0,"
	     "\"measuregrps\":[{\"grpid\":1,\"attrib\":0,\"date\":4102444800,\"category\":1,"
	     "\"measures\":[{\"value\":72000,\"type\":1,\"unit\":-3}]}]}}",
	     "measuregrp 1 member 'date' is not a timestamp: 4102444800"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheWithingsPage) page = parse_getmeas_text (cases[i].json, &error);
		g_assert_null (page);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==, cases[i].message);
	}
	{
		const gchar *json = "{\"status\":0,\"body\":{\"series\":{\"1700000000\":{"
				    "\"deviceid\":\"d1\",\"duration\":60,\"steps\":-12}}}}";
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonObject) body =
			       ohe_withings_parser_envelope_from_data (json, strlen (json), &error);
		g_autoptr(OheWithingsPage) page = NULL;
		g_assert_no_error (error);
		page = ohe_withings_parser_intraday (body, NULL, NULL, &error);
		g_assert_null (page);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==,
				 "series[1700000000] member 'steps' is negative");
	}
}

static void
test_getmeas_rules (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheWithingsPage) page = NULL;
	OheMeasurement *m;

	/* height m → cm; attrib 1 and category 2 skipped; BP without diastolic dropped; 130 code;
	 * modelid spelling; an unknown zone gives offset 0 */
	page = parse_getmeas_text (
	    "{\"status\":0,\"body\":{\"updatetime\":\"1700000100\",\"timezone\":\"America/"
	    "New_York\","
	    "\"more\":0,\"offset\":0,\"measuregrps\":["
	    "{\"grpid\":1,\"attrib\":0,\"date\":1700000000,\"category\":1,\"modelid\":44,"
	    "\"measures\":[{\"value\":1815,\"type\":4,\"unit\":-3},{\"value\":12,\"type\":130,"
	    "\"unit\":0},"
	    "{\"value\":120,\"type\":10,\"unit\":0},{\"value\":5,\"type\":135,\"unit\":-3}]},"
	    "{\"grpid\":2,\"attrib\":1,\"date\":1700000000,\"category\":1,\"measures\":[{\"value\":"
	    "1,\"type\":1,\"unit\":0}]},"
	    "{\"grpid\":3,\"attrib\":0,\"date\":1700000000,\"category\":2,\"measures\":[{\"value\":"
	    "1,\"type\":1,\"unit\":0}]},"
	    "{\"grpid\":4,\"attrib\":4,\"date\":1700000000,\"category\":1,\"measures\":[{\"value\":"
	    "66,\"type\":11,\"unit\":0}]}"
	    "]}}",
	    &error);
	g_assert_no_error (error);
	g_assert_cmpint (page->updatetime, ==, 1700000100);
	g_assert_cmpuint (page->measurements->len, ==, 3);
	m = find_native (page->measurements, "1-4");
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_HEIGHT);
	assert_decimal (m, "181.5");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "cm");
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, -5 * 3600);
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "device_model"), ==, "BPM Core");
	m = find_native (page->measurements, "1-130");
	g_assert_cmpstr (ohe_measurement_get_classification (m), ==, "positive");
	g_assert_cmpstr (ohe_measurement_get_classification_raw (m), ==, "12");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "heart_rate_band"), ==, "high");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "method"), ==, "ecg");
	/* a lone pulse has no parent */
	m = find_native (page->measurements, "4-11");
	g_assert_cmpint (ohe_measurement_get_parent_kind (m), ==, OHE_MEASUREMENT_KIND_UNKNOWN);
	g_assert_true (ohe_measurement_get_manual (m));
	g_clear_pointer (&page, ohe_withings_page_free);

	/* wrong types name the member */
	page = parse_getmeas_text (
	    "{\"status\":0,\"body\":{\"measuregrps\":[{\"grpid\":7,\"date\":1700000000,"
	    "\"measures\":[{\"value\":\"72\",\"type\":1,\"unit\":0}]}]}}",
	    &error);
	g_assert_null (page);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "measuregrp 7 measures[0] member 'value' is not an integer");
	g_clear_error (&error);
	page = parse_getmeas_text ("{\"status\":0,\"body\":{\"measuregrps\":{}}}", &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "body has no 'measuregrps' array");
	g_clear_error (&error);
	page =
	    parse_getmeas_text ("{\"status\":0,\"body\":{\"measuregrps\":[{\"grpid\":7,\"date\":-5,"
				"\"measures\":[]}]}}",
				&error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "measuregrp 7 member 'date' is not a timestamp: -5");
	g_clear_error (&error);
	page = parse_getmeas_text (
	    "{\"status\":0,\"body\":{\"more\":1,\"offset\":0,\"measuregrps\":[]}}", &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "body member 'offset' is not a next page position: 0");
}

static void
test_envelope (void)
{
	struct {
		const gchar *json;
		OheError code;
		const gchar *message;
	} cases[] = {
	    {"{\"status\":601,\"body\":{},\"error\":\"Too many request\"}", OHE_ERROR_RATE_LIMITED,
	     "Withings answered status 601 (too many requests)"},
	    {"{\"status\":401,\"body\":{},\"error\":\"invalid_token\"}", OHE_ERROR_AUTH_EXPIRED,
	     "Withings answered status 401 (authentication failed)"},
	    {"{\"status\":101,\"body\":{}}", OHE_ERROR_AUTH_EXPIRED,
	     "Withings answered status 101 (authentication failed)"},
	    {"{\"status\":503,\"body\":{}}", OHE_ERROR_INVALID_ARGUMENT,
	     "Withings answered status 503 (invalid params)"},
	    {"{\"status\":2555,\"body\":{}}", OHE_ERROR_PERMISSION_DENIED,
	     "Withings answered status 2555 (unauthorized)"},
	    {"{\"status\":522,\"body\":{}}", OHE_ERROR_TIMEOUT,
	     "Withings answered status 522 (timeout)"},
	    {"{\"status\":5002,\"body\":{}}", OHE_ERROR_UNAVAILABLE,
	     "Withings answered status 5002 (an error occurred)"},
	    {"{\"status\":2554,\"body\":{}}", OHE_ERROR_NOT_SUPPORTED,
	     "Withings answered status 2554 (not implemented)"},
	    {"{\"status\":77777,\"body\":{}}", OHE_ERROR_FAILED,
	     "Withings answered status 77777 (unknown status)"},
	    {"{\"status\":0}", OHE_ERROR_INVALID_DATA, "envelope has no 'body' object"},
	    {"{\"status\":\"0\",\"body\":{}}", OHE_ERROR_INVALID_DATA,
	     "envelope member 'status' is not an integer"},
	    {"[1]", OHE_ERROR_INVALID_DATA, "Withings answer is not a JSON object"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonObject) body = ohe_withings_parser_envelope_from_data (
		    cases[i].json, strlen (cases[i].json), &error);
		g_assert_null (body);
		g_assert_error (error, OHE_ERROR, (gint)cases[i].code);
		g_assert_cmpstr (error->message, ==, cases[i].message);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonObject) body =
			       load_body ("oauth2_error_invalid_refresh_token.json", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_clear_error (&error);
		body = load_body ("error_too_many_requests.json", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonObject) body = ohe_withings_parser_envelope_from_data (
		    "{\"status\":0,\"bo", 15, &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (
		    error->message, ==,
		    "Withings answer is not valid JSON: unexpected token at line 1 column 12");
	}
}

/* 200,000 nested arrays, which exhaust json-glib's stack unless refused first */
static gchar *
ohe_test_deep_json (void)
{
	gchar *json = g_malloc (200000 + 1);
	memset (json, '[', 200000);
	json[200000] = '\0';
	return json;
}

static void
test_deep (void)
{
	g_autofree gchar *deep = ohe_test_deep_json ();
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) body =
		       ohe_withings_parser_envelope_from_data (deep, strlen (deep), &error);

	g_assert_null (body);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "Withings answer nests arrays and objects deeper than 64 levels at line 1 "
			 "column 65");
}

static void
test_intraday (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) body =
		       load_body ("measure_getintradayactivity_response.json", &error);
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
	g_autoptr(OheWithingsPage) page = ohe_withings_parser_intraday (body, tz, NULL, &error);
	guint n_hr = 0, n_steps = 0, n_spo2 = 0;
	OheMeasurement *m;

	g_assert_no_error (error);
	for (guint i = 0; i < page->measurements->len; i++) {
		OheMeasurement *mi = g_ptr_array_index (page->measurements, i);
		g_assert_true (ohe_measurement_validate (mi, NULL));
		g_assert_cmpint (ohe_measurement_get_origin (mi), ==,
				 OHE_MEASUREMENT_ORIGIN_STREAM);
		g_assert_cmpint (ohe_measurement_get_utc_offset (mi), ==, 3600);
		switch (ohe_measurement_get_kind (mi)) {
		case OHE_MEASUREMENT_KIND_HEART_RATE:
			n_hr++;
			break;
		case OHE_MEASUREMENT_KIND_STEPS:
			n_steps++;
			break;
		case OHE_MEASUREMENT_KIND_SPO2:
			n_spo2++;
			break;
		default:
			g_assert_not_reached ();
		}
	}
	g_assert_cmpuint (n_hr, ==, 10);
	g_assert_cmpuint (n_steps, ==, 10);
	g_assert_cmpuint (n_spo2, ==, 2);
	m = g_ptr_array_index (page->measurements, 0);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_cmpint (ohe_measurement_get_start (m), ==,
			 G_GINT64_CONSTANT (1736935200) * G_USEC_PER_SEC);
	assert_decimal (m, "62");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "device_model"), ==, "ScanWatch");
	m = find_native (page->measurements,
			 "intraday:7e5c3a1f9d8b6e4c2a0f8e6d4c2b0a9f8e7d6c5b:1736935380:steps");
	assert_decimal (m, "48");
	g_assert_cmpint (ohe_measurement_get_end (m) - ohe_measurement_get_start (m), ==,
			 60 * G_USEC_PER_SEC);
	m = find_native (page->measurements,
			 "intraday:7e5c3a1f9d8b6e4c2a0f8e6d4c2b0a9f8e7d6c5b:1736935620:spo2_auto");
	assert_decimal (m, "97");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "%");
}

static void
test_heart (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) list = load_body ("heart_list_response.json", &error);
	g_autoptr(JsonObject) get = load_body ("heart_get_response.json", &error);
	g_autoptr(GPtrArray) records = NULL;
	g_autoptr(GPtrArray) ms = NULL;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
	OheWithingsEcgRecord *rec;
	OheMeasurement *m;
	OheSeries *series;
	const gint32 *samples;
	gsize n = 0;
	gboolean more = TRUE;
	gint64 offset = -1;

	g_assert_no_error (error);
	records = ohe_withings_parser_heart_list (list, &more, &offset, &error);
	g_assert_no_error (error);
	g_assert_false (more);
	g_assert_cmpint (offset, ==, 0);
	g_assert_cmpuint (records->len, ==, 2);
	rec = g_ptr_array_index (records, 1);
	g_assert_cmpint (rec->signalid, ==, 887766502);
	g_assert_cmpint (rec->afib, ==, 2);
	g_assert_cmpint (rec->timestamp, ==, 1736850000);
	g_assert_cmpint (rec->model, ==, 91);

	ms = ohe_withings_parser_heart_get (get, rec, tz, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (ms->len, ==, 3);
	m = g_ptr_array_index (ms, 0);
	g_assert_true (ohe_measurement_validate (m, NULL));
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpstr (ohe_measurement_get_native_id (m), ==, "887766502");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "mV");
	g_assert_cmpint (ohe_measurement_get_start (m), ==,
			 G_GINT64_CONSTANT (1736850000) * G_USEC_PER_SEC);
	/* 150 samples at 300 Hz: 0.5 s */
	g_assert_cmpint (ohe_measurement_get_end (m) - ohe_measurement_get_start (m), ==, 500000);
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "sampling_frequency"), ==, "300");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "wear_position"), ==, "left_wrist");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "device_model"), ==, "Move ECG");
	g_assert_cmpuint (ohe_measurement_get_n_series (m), ==, 1);
	series = ohe_measurement_get_series (m, 0);
	/* Withings does not state the lead: unnamed, not the wire name "signal" */
	g_assert_null (ohe_series_get_name (series));
	/* afib 2 of heart list, for the report's conclusion */
	g_assert_cmpstr (ohe_measurement_get_classification (m), ==,
			 OHE_CLASSIFICATION_INCONCLUSIVE);
	g_assert_cmpfloat (ohe_series_get_factor (series), ==, 0.001);
	g_assert_cmpfloat_with_epsilon (ohe_series_get_interval (series), 1000.0 / 300.0, 1e-9);
	samples = ohe_series_get_samples (series, &n);
	g_assert_cmpuint (n, ==, 150);
	g_assert_cmpint (samples[0], ==, 0);
	g_assert_cmpint (samples[76], ==, 1108);
	g_assert_cmpint (samples[149], ==, 165);
	m = g_ptr_array_index (ms, 1);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==,
			 OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
	g_assert_cmpstr (ohe_measurement_get_classification (m), ==, "inconclusive");
	g_assert_cmpstr (ohe_measurement_get_classification_raw (m), ==, "2");
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (m), ==, "887766502");
	g_assert_cmpint (ohe_measurement_get_parent_kind (m), ==, OHE_MEASUREMENT_KIND_ECG);
	m = g_ptr_array_index (ms, 2);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
	assert_decimal (m, "72");
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (m), ==, "887766502");
}

static void
test_devices (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) body = load_body ("user_getdevice_response.json", &error);
	g_autoptr(GPtrArray) devices = ohe_withings_parser_devices (body, &error);
	OheWithingsDevice *dev;
	g_assert_no_error (error);
	g_assert_cmpuint (devices->len, ==, 3);
	dev = g_ptr_array_index (devices, 2);
	g_assert_cmpstr (dev->deviceid, ==, "7e5c3a1f9d8b6e4c2a0f8e6d4c2b0a9f8e7d6c5b");
	g_assert_cmpstr (dev->model, ==, "ScanWatch");
	g_assert_cmpint (dev->model_id, ==, 93);
	g_assert_cmpstr (dev->type, ==, "Activity Tracker");
	g_assert_cmpstr (dev->timezone, ==, "Europe/Berlin");
}

static void
test_signature (void)
{
	const gchar *secret = "test_client_secret_0123456789abcdef";
	const gchar *client_id = "test_client_id_abcdef0123456789";
	const gchar *nonce = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
	g_autofree gchar *s1 = ohe_withings_signature_for_getnonce (secret, client_id, 1735689600);
	g_autofree gchar *s2 =
	    ohe_withings_signature_for_nonce (secret, "requesttoken", client_id, nonce);
	g_autofree gchar *s3 = ohe_withings_signature_for_nonce (secret, "get", client_id, nonce);
	g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);

	g_assert_cmpstr (s1, ==,
			 "9240be8b7b9d86ea92d5c69a2d5c078ed2fe9ef9f58535b61c4e8c63f430fe30");
	g_assert_cmpstr (s2, ==,
			 "07cb45c3a9b1b05782e9b9515875acb5b39871f4570fad3ae4ccd9f77eb02822");
	g_assert_cmpstr (s3, ==,
			 "908ed5ffd2c6231f4eccfab0738ad65bdf3b640d6bf4c94d6ff6337f297d8dbc");

	/* insertion order does not matter, key order does */
	g_hash_table_insert (fields, (gpointer) "nonce", (gpointer)nonce);
	g_hash_table_insert (fields, (gpointer) "client_id", (gpointer)client_id);
	g_hash_table_insert (fields, (gpointer) "action", (gpointer) "get");
	g_assert_true (ohe_withings_signature_verify (secret, fields, s3));
	g_assert_false (ohe_withings_signature_verify (secret, fields, s2));
	g_assert_false (ohe_withings_signature_verify ("other", fields, s3));
	g_assert_false (ohe_withings_signature_verify (secret, fields, "abc"));
	g_assert_false (ohe_withings_signature_verify (secret, fields, NULL));
}

static void
test_webhook (void)
{
	g_autofree gchar *path =
	    g_build_filename (WITHINGS_FIXTURES, "webhook_notification_appli4.form", NULL);
	g_autofree gchar *form = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OheWithingsSyncHint) hint = NULL;
	g_autofree gchar *built = NULL;
	gsize len = 0;
	struct {
		const gchar *body;
		const gchar *message;
	} bad[] = {
	    {"", "notification body is empty"},
	    {"appli=4&startdate=1&enddate=2",
	     "notification field 'userid' is missing or not a number"},
	    {"userid=abc&appli=4", "notification field 'userid' is missing or not a number"},
	    {"userid=1&appli=x", "notification field 'appli' is missing or not a number"},
	    {"userid=1&appli=99", "notification field 'appli' has unknown value 99"},
	    {"userid=1&appli=4&startdate=yesterday",
	     "notification field 'startdate' is not a timestamp"},
	    {"userid=1&appli=4&startdate=4102444800",
	     "notification field 'startdate' is not a timestamp"},
	    {"userid=1&appli=4&startdate=20&enddate=10",
	     "notification field 'enddate' is before 'startdate'"},
	    {"userid=1&appli=46&action=%00rm", "notification field 'action' has an unknown value"},
	    {"{\"userid\":1}", "notification field 'userid' is missing or not a number"},
	};

	g_assert_true (g_file_get_contents (path, &form, &len, NULL));
	hint = ohe_withings_webhook_parse (form, len, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (hint->userid, ==, "31415926");
	g_assert_cmpint (hint->appli, ==, 4);
	g_assert_cmpint (hint->startdate, ==, 1736935112);
	g_assert_cmpint (hint->enddate, ==, 1736935113);
	g_assert_cmpuint (hint->kinds->len, ==, 3);
	g_assert_cmpint (g_array_index (hint->kinds, OheMeasurementKind, 0), ==,
			 OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_assert_cmpint (g_array_index (hint->kinds, OheMeasurementKind, 1), ==,
			 OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_cmpint (g_array_index (hint->kinds, OheMeasurementKind, 2), ==,
			 OHE_MEASUREMENT_KIND_SPO2);
	g_clear_pointer (&hint, ohe_withings_sync_hint_free);

	hint = ohe_withings_webhook_parse ("userid=31415926&appli=46&action=unlink", 38, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (hint->action, ==, "unlink");
	g_assert_cmpuint (hint->kinds->len, ==, 0);
	g_clear_pointer (&hint, ohe_withings_sync_hint_free);

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr(GError) error_bad = NULL;
		g_autoptr(OheWithingsSyncHint) h = ohe_withings_webhook_parse (
		    bad[i].body, strlen (bad[i].body), &error_bad);
		g_assert_null (h);
		g_assert_error (error_bad, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error_bad->message, ==, bad[i].message);
	}
	g_assert_cmpuint (ohe_withings_webhook_status_for_method ("HEAD"), ==, 200);
	g_assert_cmpuint (ohe_withings_webhook_status_for_method ("GET"), ==, 200);
	g_assert_cmpuint (ohe_withings_webhook_status_for_method ("DELETE"), ==, 405);
	built = ohe_withings_webhook_build ("31415926", 54, 1736935200, 1736935201);
	g_assert_cmpstr (built, ==,
			 "userid=31415926&appli=54&startdate=1736935200&enddate=1736935201");
}

static void
test_appli_for_kinds (void)
{
	OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_BODY_WEIGHT, OHE_MEASUREMENT_KIND_ECG,
				      OHE_MEASUREMENT_KIND_STEPS};
	g_autoptr(GArray) applis =
		       ohe_withings_provider_appli_for_kinds (kinds, G_N_ELEMENTS (kinds));
	g_assert_cmpuint (applis->len, ==, 3);
	g_assert_cmpint (g_array_index (applis, gint, 0), ==, 1);
	g_assert_cmpint (g_array_index (applis, gint, 1), ==, 16);
	g_assert_cmpint (g_array_index (applis, gint, 2), ==, 54);
}

static void
test_kinds (void)
{
	g_autoptr(OheProvider) provider =
		       g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
	g_autoptr(GArray) kinds = ohe_provider_get_kinds (provider);
	g_assert_cmpuint (kinds->len, ==, 24);
	g_assert_true (ohe_provider_supports_kind (provider, OHE_MEASUREMENT_KIND_ECG));
	g_assert_true (ohe_provider_supports_kind (provider, OHE_MEASUREMENT_KIND_HRV_SDNN));
	g_assert_false (ohe_provider_supports_kind (provider, OHE_MEASUREMENT_KIND_BMI));
	g_assert_false (ohe_provider_supports_kind (provider, OHE_MEASUREMENT_KIND_SLEEP));
}

/* one request to the webhook route through the SDK verb; returns the status it answers */
static guint
hook (OheProvider *provider,
      const gchar *method,
      const gchar *uri,
      const gchar *body,
      gsize len,
      GPtrArray **hints,
      GError **error)
{
	g_autoptr(GBytes) bytes = g_bytes_new (body, len);
	g_autoptr(OheWebhookRequest) request = ohe_webhook_request_new (method, uri, bytes);
	g_autoptr(GPtrArray) out = NULL;
	ohe_webhook_request_add_header (request, "Content-Type",
					"application/x-www-form-urlencoded");
	out = ohe_provider_handle_webhook (provider, request, error);
	if (hints != NULL)
		*hints = g_steal_pointer (&out);
	return ohe_webhook_request_get_response_status (request);
}

/* the recorded delivery of the reference, as the webhook verb sees it */
static void
test_webhook_verb (void)
{
	g_autofree gchar *path =
	    g_build_filename (WITHINGS_FIXTURES, "webhook_notification_appli4.form", NULL);
	g_autoptr(OheProvider) provider =
		       g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(GPtrArray) hints = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *form = NULL;
	const gchar *good = "/webhooks/withings?hook_token=t0k%2Ben";
	OheSyncHint *hint;
	gsize len = 0;

	g_assert_true (g_file_get_contents (path, &form, &len, NULL));
	/* no secret configured: nothing can be authenticated, so nothing is accepted */
	g_assert_cmpuint (hook (provider, "POST", good, form, len, NULL, &error), ==, 403);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);

	g_key_file_set_string (config, "plugin:withings", "callback_secret", "t0k+en");
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	/* the HEAD check before subscribe carries no data */
	g_assert_cmpuint (hook (provider, "HEAD", "/webhooks/withings", "", 0, &hints, &error), ==,
			  200);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 0);
	g_clear_pointer (&hints, g_ptr_array_unref);

	/* unsigned and forged are refused before the body is parsed */
	g_assert_cmpuint (hook (provider, "POST", "/webhooks/withings", form, len, NULL, &error),
			  ==, 403);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);
	g_assert_cmpuint (hook (provider, "POST", "/webhooks/withings?hook_token=t0k%2Bem", form,
				len, NULL, &error),
			  ==, 403);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);

	g_assert_cmpuint (hook (provider, "POST", good, form, len, &hints, &error), ==, 200);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 1);
	hint = g_ptr_array_index (hints, 0);
	g_assert_cmpstr (ohe_sync_hint_get_external_user_id (hint), ==, "31415926");
	g_assert_cmpint (ohe_sync_hint_get_start (hint), ==,
			 G_GINT64_CONSTANT (1736935112) * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_sync_hint_get_end (hint), ==,
			 G_GINT64_CONSTANT (1736935114) * G_USEC_PER_SEC);
	g_assert_cmpuint (ohe_sync_hint_get_n_kinds (hint), ==, 3);
	g_assert_cmpint (ohe_sync_hint_get_kind (hint, 0), ==, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_clear_pointer (&hints, g_ptr_array_unref);

	/* replayed */
	g_assert_cmpuint (hook (provider, "POST", good, form, len, &hints, &error), ==, 200);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_null (hints);
	g_clear_error (&error);

	/* an account event is acknowledged but is no data hint */
	g_assert_cmpuint (hook (provider, "POST", good, "userid=31415926&appli=46&action=unlink",
				38, &hints, &error),
			  ==, 200);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/withings/parser/getmeas", test_getmeas);
	g_test_add_func ("/withings/parser/getmeas-page", test_getmeas_page);
	g_test_add_func ("/withings/parser/getmeas-rules", test_getmeas_rules);
	g_test_add_func ("/withings/parser/hostile-timezone", test_getmeas_hostile_timezone);
	g_test_add_func ("/withings/parser/out-of-range", test_out_of_range);
	g_test_add_func ("/withings/parser/envelope", test_envelope);
	g_test_add_func ("/withings/parser/deep", test_deep);
	g_test_add_func ("/withings/parser/intraday", test_intraday);
	g_test_add_func ("/withings/parser/heart", test_heart);
	g_test_add_func ("/withings/parser/devices", test_devices);
	g_test_add_func ("/withings/signature", test_signature);
	g_test_add_func ("/withings/webhook", test_webhook);
	g_test_add_func ("/withings/webhook-verb", test_webhook_verb);
	g_test_add_func ("/withings/appli-for-kinds", test_appli_for_kinds);
	g_test_add_func ("/withings/kinds", test_kinds);
	return g_test_run ();
}
