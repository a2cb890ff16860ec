/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-google-health-parser.h"

/* the reference samples in fixtures/, asserted value by value */

#define S(x) ((gint64)(x)*G_USEC_PER_SEC)

static JsonNode *
ohe_test_load (const gchar *name)
{
	g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	JsonNode *root;

	g_assert_true (g_file_get_contents (path, &data, &len, &error));
	g_assert_no_error (error);
	root = ohe_google_health_parse_json (data, len, name, &error);
	g_assert_no_error (error);
	return root;
}

static GPtrArray *
ohe_test_parse (const gchar *type_id, const gchar *fixture, GTimeZone *tz, gchar **next)
{
	g_autoptr(JsonNode) root = ohe_test_load (fixture);
	g_autoptr(GError) error = NULL;
	GPtrArray *out = ohe_google_health_parse_data_points (
	    ohe_google_health_data_type_lookup (type_id), root, tz, next, &error);
	g_assert_no_error (error);
	g_assert_nonnull (out);
	for (guint i = 0; i < out->len; i++) {
		g_assert_true (ohe_measurement_validate (g_ptr_array_index (out, i), &error));
		g_assert_no_error (error);
	}
	return out;
}

static void
ohe_test_assert_value (OheMeasurement *m, const gchar *text)
{
	g_autofree gchar *value = ohe_measurement_format_value (m);
	g_assert_cmpstr (value, ==, text);
}

static void
test_heart_rate (void)
{
	g_autofree gchar *next = NULL;
	g_autoptr(GPtrArray) out =
		       ohe_test_parse ("heart-rate", "list-heart-rate.json", NULL, &next);
	OheMeasurement *m;

	g_assert_cmpuint (out->len, ==, 2);
	g_assert_cmpstr (next, ==, "c3ludGhldGljLXBhZ2UtdG9rZW4tMDAx");
	m = g_ptr_array_index (out, 0);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "/min");
	ohe_test_assert_value (m, "64");
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795248060));
	g_assert_cmpint (ohe_measurement_get_end (m), ==, S (1795248060));
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, 3600);
	g_assert_cmpint (ohe_measurement_get_origin (m), ==, OHE_MEASUREMENT_ORIGIN_STREAM);
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "motion_context"), ==, "sedentary");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "sensor_location"), ==, "wrist");
	g_assert_cmpstr (ohe_measurement_get_device_id (m), ==, "Charge 6");
	g_assert_cmpstr (ohe_measurement_get_provider (m), ==, "fitbit");
	g_assert_true (g_str_has_prefix (ohe_measurement_get_native_id (m), "heart-rate/"));
	m = g_ptr_array_index (out, 1);
	ohe_test_assert_value (m, "66");
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795248000));
	g_assert_cmpstr (ohe_measurement_get_native_id (g_ptr_array_index (out, 0)), !=,
			 ohe_measurement_get_native_id (m));
}

static void
test_steps (void)
{
	g_autofree gchar *next = NULL;
	g_autoptr(GPtrArray) out = ohe_test_parse ("steps", "list-steps.json", NULL, &next);
	OheMeasurement *m = g_ptr_array_index (out, 0);
	g_assert_cmpuint (out->len, ==, 2);
	g_assert_null (next);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_STEPS);
	ohe_test_assert_value (m, "112");
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795248060));
	g_assert_cmpint (ohe_measurement_get_end (m), ==, S (1795248120));
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, 3600);
	ohe_test_assert_value (g_ptr_array_index (out, 1), "87");
}

static void
test_weight (void)
{
	g_autoptr(GPtrArray) out = ohe_test_parse ("weight", "list-weight.json", NULL, NULL);
	OheMeasurement *m = g_ptr_array_index (out, 0);
	gint64 mantissa = 0;
	gint exponent = 0;
	g_assert_cmpuint (out->len, ==, 1);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "kg");
	/* 72350.0 g is exactly 72.35 kg, no binary floating point in between */
	ohe_measurement_get_value_decimal (m, &mantissa, &exponent);
	ohe_decimal_normalize (&mantissa, &exponent);
	g_assert_cmpint (mantissa, ==, 7235);
	g_assert_cmpint (exponent, ==, -2);
	ohe_test_assert_value (m, "72.35");
	g_assert_cmpint (ohe_measurement_get_origin (m), ==, OHE_MEASUREMENT_ORIGIN_SPOT);
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795243500));
	g_assert_cmpstr (ohe_measurement_get_device_id (m), ==, "Aria Air");
	g_assert_false (ohe_measurement_get_manual (m));
}

static void
test_ecg (void)
{
	g_autoptr(GPtrArray) out = ohe_test_parse ("electrocardiogram",
						    "list-electrocardiogram.json", NULL, NULL);
	const gchar *id = "users/me/dataTypes/electrocardiogram/dataPoints/ecg-synthetic-0001";
	OheMeasurement *ecg, *hr, *afib;
	OheSeries *lead;
	const gint32 *samples;
	gsize n = 0;

	g_assert_cmpuint (out->len, ==, 3);
	ecg = g_ptr_array_index (out, 0);
	hr = g_ptr_array_index (out, 1);
	afib = g_ptr_array_index (out, 2);
	g_assert_cmpint (ohe_measurement_get_kind (ecg), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpstr (ohe_measurement_get_native_id (ecg), ==, id);
	g_assert_cmpint (ohe_measurement_get_start (ecg), ==, S (1795197900));
	/* 10 samples at 250 Hz: 40 ms */
	g_assert_cmpint (ohe_measurement_get_end (ecg), ==, S (1795197900) + 40000);
	g_assert_cmpint (ohe_measurement_get_utc_offset (ecg), ==, 3600);
	g_assert_cmpuint (ohe_measurement_get_n_series (ecg), ==, 1);
	lead = ohe_measurement_get_series (ecg, 0);
	g_assert_cmpstr (ohe_series_get_name (lead), ==, "I");
	g_assert_cmpfloat (ohe_series_get_interval (lead), ==, 4.0);
	g_assert_cmpfloat (ohe_series_get_factor (lead), ==, 0.001);
	samples = ohe_series_get_samples (lead, &n);
	g_assert_cmpuint (n, ==, 10);
	g_assert_cmpint (samples[0], ==, 12);
	g_assert_cmpint (samples[4], ==, 640);
	g_assert_cmpint (samples[6], ==, -40);
	g_assert_cmpint (samples[9], ==, 9);
	g_assert_cmpstr (ohe_measurement_get_qualifier (ecg, "sampling_frequency"), ==, "250");
	g_assert_cmpstr (ohe_measurement_get_qualifier (ecg, "device_model"), ==, "Sense 2");
	g_assert_cmpstr (ohe_measurement_get_qualifier (ecg, "firmware_version"), ==,
			 "0.0.0-synthetic");
	/* the recording's own result, for its DiagnosticReport */
	g_assert_cmpstr (ohe_measurement_get_classification (ecg), ==, OHE_CLASSIFICATION_NEGATIVE);
	g_assert_cmpstr (ohe_measurement_get_classification_raw (ecg), ==, "NORMAL_SINUS_RHYTHM");

	g_assert_cmpint (ohe_measurement_get_kind (hr), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
	ohe_test_assert_value (hr, "71");
	g_assert_cmpint (ohe_measurement_get_origin (hr), ==, OHE_MEASUREMENT_ORIGIN_SPOT);
	g_assert_cmpint (ohe_measurement_get_parent_kind (hr), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (hr), ==, id);
	g_assert_cmpstr (
	    ohe_measurement_get_native_id (hr), ==,
	    "users/me/dataTypes/electrocardiogram/dataPoints/ecg-synthetic-0001/heart-rate");

	g_assert_cmpint (ohe_measurement_get_kind (afib), ==,
			 OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
	g_assert_cmpstr (ohe_measurement_get_classification (afib), ==, "negative");
	g_assert_cmpstr (ohe_measurement_get_classification_raw (afib), ==, "NORMAL_SINUS_RHYTHM");
	g_assert_cmpstr (ohe_measurement_get_qualifier (afib, "method"), ==, "ecg");
	g_assert_null (ohe_measurement_get_qualifier (afib, "heart_rate_band"));
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (afib), ==, id);
}

static void
test_ecg_classification_band (void)
{
	const gchar *json =
	    "{\"dataPoints\":[{\"name\":\"e1\",\"electrocardiogram\":{\"interval\":{\"startTime\":"
	    "\"2026-11-20T18:05:00Z\",\"endTime\":\"2026-11-20T18:05:00Z\"},\"leadNumber\":1,"
	    "\"samplingFrequencyHertz\":500,\"millivoltsScalingFactor\":800,\"waveformSamples\":[1,"
	    "2],\"resultClassification\":\"INCONCLUSIVE_HIGH_HEART_RATE\"}}]}";
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root = ohe_google_health_parse_json (json, strlen (json), "t", &error);
	g_autoptr(GPtrArray) out = ohe_google_health_parse_data_points (
	    ohe_google_health_data_type_lookup ("electrocardiogram"), root, NULL, NULL, &error);
	OheMeasurement *afib;
	g_assert_no_error (error);
	/* no beatsPerMinuteAvg: ECG and classification only; historic ECG without offset */
	g_assert_cmpuint (out->len, ==, 2);
	g_assert_cmpint (ohe_measurement_get_utc_offset (g_ptr_array_index (out, 0)), ==, 0);
	g_assert_cmpfloat (
	    ohe_series_get_factor (ohe_measurement_get_series (g_ptr_array_index (out, 0), 0)), ==,
	    1.0 / 800);
	afib = g_ptr_array_index (out, 1);
	g_assert_cmpstr (ohe_measurement_get_classification (afib), ==, "inconclusive");
	g_assert_cmpstr (ohe_measurement_get_qualifier (afib, "heart_rate_band"), ==, "high");
}

static void
test_daily_spo2 (void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
	g_autoptr(GPtrArray) out = ohe_test_parse ("daily-oxygen-saturation",
						    "list-daily-oxygen-saturation.json", tz, NULL);
	OheMeasurement *m = g_ptr_array_index (out, 0);
	gdouble v = 0;
	g_assert_cmpuint (out->len, ==, 1);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_SPO2);
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "%");
	g_assert_cmpint (ohe_measurement_get_origin (m), ==, OHE_MEASUREMENT_ORIGIN_SUMMARY);
	/* 2026-11-21 in Berlin (CET) is [2026-11-20T23:00Z, 2026-11-21T23:00Z) */
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795215600));
	g_assert_cmpint (ohe_measurement_get_end (m), ==, S (1795302000));
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, 3600);
	ohe_test_assert_value (m, "95.8");
	g_assert_true (ohe_measurement_get_statistic (m, OHE_STATISTIC_MEAN, &v));
	g_assert_cmpfloat (v, ==, 95.8);
	g_assert_true (ohe_measurement_get_statistic (m, OHE_STATISTIC_MINIMUM, &v));
	g_assert_cmpfloat (v, ==, 93.9);
	g_assert_true (ohe_measurement_get_statistic (m, OHE_STATISTIC_MAXIMUM, &v));
	g_assert_cmpfloat (v, ==, 97.6);
	g_assert_true (ohe_measurement_get_statistic (m, OHE_STATISTIC_STD_DEV, &v));
	g_assert_cmpfloat (v, ==, 0.7);
}

static void
test_daily_utc (void)
{
	/* without the user's zone a civil day is taken as UTC */
	g_autoptr(GPtrArray) out = ohe_test_parse (
	    "daily-resting-heart-rate", "list-daily-resting-heart-rate.json", NULL, NULL);
	OheMeasurement *m = g_ptr_array_index (out, 0);
	g_assert_cmpuint (out->len, ==, 1);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_RESTING_HEART_RATE);
	ohe_test_assert_value (m, "58");
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795219200));
	g_assert_cmpint (ohe_measurement_get_end (m), ==, S (1795305600));
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, 0);
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "calculation_method"), ==, "with_sleep");
}

static void
test_other_types (void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
	g_autoptr(GPtrArray) hrv = ohe_test_parse ("heart-rate-variability",
						    "list-heart-rate-variability.json", NULL, NULL);
	g_autoptr(GPtrArray) dhrv = ohe_test_parse (
	    "daily-heart-rate-variability", "list-daily-heart-rate-variability.json", tz, NULL);
	g_autoptr(GPtrArray) spo2 = ohe_test_parse ("oxygen-saturation",
						     "list-oxygen-saturation.json", NULL, NULL);
	g_autoptr(GPtrArray) resp = ohe_test_parse ("daily-respiratory-rate",
						     "list-daily-respiratory-rate.json", tz, NULL);
	g_autoptr(GPtrArray) core = ohe_test_parse ("core-body-temperature",
						     "list-core-body-temperature.json", NULL, NULL);
	g_autoptr(GPtrArray) skin =
		       ohe_test_parse ("daily-sleep-temperature-derivations",
				       "list-daily-sleep-temperature-derivations.json", tz, NULL);
	OheMeasurement *m;

	g_assert_cmpuint (hrv->len, ==, 2);
	m = g_ptr_array_index (hrv, 0);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_HRV_RMSSD);
	ohe_test_assert_value (m, "41.2");
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795228200));
	m = g_ptr_array_index (hrv, 1);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_HRV_SDNN);
	ohe_test_assert_value (m, "52.8");
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "ms");

	g_assert_cmpuint (dhrv->len, ==, 1);
	ohe_test_assert_value (g_ptr_array_index (dhrv, 0), "38.4");
	g_assert_cmpint (ohe_measurement_get_origin (g_ptr_array_index (dhrv, 0)), ==,
			 OHE_MEASUREMENT_ORIGIN_SUMMARY);

	g_assert_cmpuint (spo2->len, ==, 1);
	ohe_test_assert_value (g_ptr_array_index (spo2, 0), "96.5");
	g_assert_cmpint (ohe_measurement_get_start (g_ptr_array_index (spo2, 0)), ==,
			 S (1795230840));

	g_assert_cmpuint (resp->len, ==, 1);
	g_assert_cmpint (ohe_measurement_get_kind (g_ptr_array_index (resp, 0)), ==,
			 OHE_MEASUREMENT_KIND_RESPIRATORY_RATE);
	ohe_test_assert_value (g_ptr_array_index (resp, 0), "14.6");

	g_assert_cmpuint (core->len, ==, 1);
	m = g_ptr_array_index (core, 0);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_BODY_TEMPERATURE);
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "Cel");
	ohe_test_assert_value (m, "36.8");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "site"), ==, "mouth");
	g_assert_true (ohe_measurement_get_manual (m));
	g_assert_cmpint (ohe_measurement_get_start (m), ==, S (1795245000));

	g_assert_cmpuint (skin->len, ==, 1);
	m = g_ptr_array_index (skin, 0);
	g_assert_cmpint (ohe_measurement_get_kind (m), ==, OHE_MEASUREMENT_KIND_SKIN_TEMPERATURE);
	ohe_test_assert_value (m, "33.9");
}

static void
test_identity_settings_devices (void)
{
	g_autoptr(JsonNode) identity = ohe_test_load ("identity.json");
	g_autoptr(JsonNode) settings = ohe_test_load ("settings.json");
	g_autoptr(JsonNode) devices_root = ohe_test_load ("paired-devices.json");
	g_autofree gchar *user = NULL;
	g_autofree gchar *legacy = NULL;
	g_autofree gchar *next = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	g_autoptr(GError) error = NULL;
	OheGoogleHealthDevice *d;

	g_assert_true (ohe_google_health_parse_identity (identity, &user, &legacy, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (user, ==, "SyntheticHealthUser-0001");
	g_assert_cmpstr (legacy, ==, "A1B2C3");
	tz = ohe_google_health_parse_settings (settings, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (g_time_zone_get_identifier (tz), ==, "Europe/Berlin");
	/* a zone naming a file is refused before the tzdata lookup opens it */
	for (guint i = 0; i < 2; i++) {
		const gchar *json = i == 0 ? "{\"timeZone\":\"/etc/shadow\"}"
					   : "{\"timeZone\":\"../../../../etc/passwd\"}";
		g_autoptr(JsonNode) hostile = ohe_google_health_parse_json (json, strlen (json),
									     "settings", &error);
		g_autoptr(GTimeZone) refused = NULL;
		g_assert_no_error (error);
		refused = ohe_google_health_parse_settings (hostile, &error);
		g_assert_null (refused);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==,
				 "settings.timeZone is not an IANA time-zone name");
		g_clear_error (&error);
	}
	devices = ohe_google_health_parse_paired_devices (devices_root, &next, &error);
	g_assert_no_error (error);
	g_assert_null (next);
	g_assert_cmpuint (devices->len, ==, 2);
	d = g_ptr_array_index (devices, 0);
	g_assert_cmpstr (d->id, ==, "1001");
	g_assert_cmpstr (d->device_type, ==, "TRACKER");
	g_assert_cmpstr (d->version, ==, "Charge 6");
	g_assert_cmpint (d->battery_level, ==, 74);
	g_assert_cmpint (d->last_sync_us, ==, S (1795248192));
	d = g_ptr_array_index (devices, 1);
	g_assert_cmpstr (d->id, ==, "1002");
	g_assert_cmpint (d->battery_level, ==, -1);
}

static void
ohe_test_expect_error (const gchar *type_id, const gchar *json, const gchar *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root = ohe_google_health_parse_json (json, strlen (json), "t", &error);
	g_autoptr(GPtrArray) out = NULL;
	g_assert_no_error (error);
	out = ohe_google_health_parse_data_points (ohe_google_health_data_type_lookup (type_id),
						   root, NULL, NULL, &error);
	g_assert_null (out);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, message);
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
	g_autoptr(JsonNode) root = ohe_google_health_parse_json (deep, strlen (deep),
								  "heart-rate list", &error);

	g_assert_null (root);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "heart-rate list nests arrays and objects deeper than 64 levels at line 1 "
			 "column 65");
}

/* out-of-range values are refused with their path, not turned into measurements */
static void
test_out_of_range (void)
{
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"72\",\"sampleTime\":{"
	    "\"physicalTime\":\"1012-11-21T08:01:00Z\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.sampleTime.physicalTime: not after "
	    "1970-01-01T00:00:00Z");
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"72\",\"sampleTime\":{"
	    "\"physicalTime\":\"2100-01-01T00:00:00Z\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.sampleTime.physicalTime: before 1970 or after "
	    "2099");
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"-1\",\"sampleTime\":{"
	    "\"physicalTime\":\"2026-11-21T08:01:00Z\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.beatsPerMinute: negative");

	/* the shipped ECG, recorded at 20 kHz instead of 250 Hz */
	{
		g_autofree gchar *path = g_test_build_filename (
		    G_TEST_DIST, "fixtures", "list-electrocardiogram.json", NULL);
		g_autofree gchar *text = NULL;
		g_autofree gchar *fast = NULL;
		g_auto(GStrv) parts = NULL;
		g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
		parts = g_strsplit (text, "\"samplingFrequencyHertz\": 250", 2);
		g_assert_cmpuint (g_strv_length (parts), ==, 2);
		fast = g_strjoinv ("\"samplingFrequencyHertz\": 20000", parts);
		ohe_test_expect_error ("electrocardiogram", fast,
				       "electrocardiogram dataPoints[0].electrocardiogram."
				       "samplingFrequencyHertz: out of range");
	}
}

static void
test_errors (void)
{
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"7x\",\"sampleTime\":{"
	    "\"physicalTime\":\"2026-11-21T08:01:00Z\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.beatsPerMinute: not an int64 string");
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":72.5,\"sampleTime\":{"
	    "\"physicalTime\":\"2026-11-21T08:01:00Z\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.beatsPerMinute: not an int64 string");
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"72\",\"sampleTime\":{"
	    "\"physicalTime\":\"2026-11-21T08:01:00Z\",\"utcOffset\":\"3600\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.sampleTime.utcOffset: not a duration like "
	    "\"3600s\"");
	ohe_test_expect_error (
	    "heart-rate",
	    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"72\",\"sampleTime\":{"
	    "\"physicalTime\":\"2026-11-21 08:01\"}}}]}",
	    "heart-rate dataPoints[0].heartRate.sampleTime.physicalTime: not an RFC 3339 "
	    "timestamp");
	ohe_test_expect_error ("weight", "{\"dataPoints\":[{\"steps\":{}}]}",
			       "weight dataPoints[0].weight: missing");
	ohe_test_expect_error ("weight", "{\"dataPoints\":{}}",
			       "weight list: dataPoints is not an array");
	ohe_test_expect_error (
	    "weight",
	    "{\"dataPoints\":[{\"weight\":{\"weightGrams\":\"72000\",\"sampleTime\":{"
	    "\"physicalTime\":\"2026-11-21T08:01:00Z\"}}}]}",
	    "weight dataPoints[0].weight.weightGrams: not a number");
	ohe_test_expect_error (
	    "daily-resting-heart-rate",
	    "{\"dataPoints\":[{\"dailyRestingHeartRate\":{\"beatsPerMinute\":\"5\","
	    "\"date\":{\"year\":2026,\"month\":2,\"day\":30}}}]}",
	    "daily-resting-heart-rate dataPoints[0].dailyRestingHeartRate.date.day: "
	    "not a day of the month");
	ohe_test_expect_error (
	    "electrocardiogram",
	    "{\"dataPoints\":[{\"electrocardiogram\":{\"interval\":{\"startTime\":"
	    "\"2026-11-20T18:05:00Z\",\"endTime\":\"2026-11-20T18:05:00Z\"},\"leadNumber\":1,"
	    "\"samplingFrequencyHertz\":250,\"millivoltsScalingFactor\":0,\"waveformSamples\":[1]}}"
	    "]}",
	    "electrocardiogram dataPoints[0].electrocardiogram.millivoltsScalingFactor: not "
	    "positive");
}

static void
test_scalars (void)
{
	gint64 v = 0;
	g_autoptr(GError) error = NULL;

	g_assert_true (ohe_google_health_parse_duration ("3600s", "f", &v, NULL));
	g_assert_cmpint (v, ==, S (3600));
	g_assert_true (ohe_google_health_parse_duration ("-18000s", "f", &v, NULL));
	g_assert_cmpint (v, ==, S (-18000));
	g_assert_true (ohe_google_health_parse_duration ("3.5s", "f", &v, NULL));
	g_assert_cmpint (v, ==, 3500000);
	g_assert_true (ohe_google_health_parse_duration ("0.000000001s", "f", &v, NULL));
	g_assert_cmpint (v, ==, 0);
	g_assert_false (ohe_google_health_parse_duration ("s", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_duration ("1.s", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_duration ("1s ", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_duration ("1.0000000001s", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_duration ("99999999999999s", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_duration (NULL, "f", &v, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "f: not a duration like \"3600s\"");
	g_clear_error (&error);

	g_assert_true (ohe_google_health_parse_int64 ("-42", "f", &v, NULL));
	g_assert_cmpint (v, ==, -42);
	g_assert_true (ohe_google_health_parse_int64 ("9223372036854775807", "f", &v, NULL));
	g_assert_cmpint (v, ==, G_MAXINT64);
	g_assert_false (ohe_google_health_parse_int64 ("9223372036854775808", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_int64 ("", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_int64 (" 1", "f", &v, NULL));
	g_assert_false (ohe_google_health_parse_int64 ("0x10", "count", &v, &error));
	g_assert_cmpstr (error->message, ==, "count: not an int64 string");
	g_clear_error (&error);

	g_assert_true (
	    ohe_google_health_parse_timestamp ("2026-11-21T08:01:00.250Z", "f", &v, NULL));
	g_assert_cmpint (v, ==, S (1795248060) + 250000);
	g_assert_true (
	    ohe_google_health_parse_timestamp ("2026-11-21T09:01:00+01:00", "f", &v, NULL));
	g_assert_cmpint (v, ==, S (1795248060));
	g_assert_false (ohe_google_health_parse_timestamp ("2026-11-21T08:01:00", "f", &v, NULL));
}

static void
test_error_envelope (void)
{
	g_autoptr(JsonNode) rate = ohe_test_load ("error-rate-limited.json");
	g_autoptr(JsonNode) linked = ohe_test_load ("error-account-not-linked.json");
	g_autofree gchar *status = NULL;
	g_autofree gchar *reason = NULL;
	g_assert_true (ohe_google_health_parse_error (rate, &status, &reason));
	g_assert_cmpstr (status, ==, "RESOURCE_EXHAUSTED");
	g_assert_cmpstr (reason, ==, "RATE_LIMIT_EXCEEDED");
	g_clear_pointer (&status, g_free);
	g_clear_pointer (&reason, g_free);
	g_assert_true (ohe_google_health_parse_error (linked, &status, &reason));
	g_assert_cmpstr (status, ==, "FAILED_PRECONDITION");
	g_assert_cmpstr (reason, ==, "ACCOUNT_NOT_LINKED");
}

static void
test_table (void)
{
	const OheMeasurementKind hr_steps[] = {OHE_MEASUREMENT_KIND_HEART_RATE,
					       OHE_MEASUREMENT_KIND_STEPS};
	const OheMeasurementKind ecg[] = {OHE_MEASUREMENT_KIND_ECG};
	g_autoptr(GArray) poll = ohe_google_health_data_type_get_poll_only_kinds ();
	g_autofree gchar *scope = ohe_google_health_data_type_build_scope (hr_steps, 2);
	g_autofree gchar *scope_ecg = ohe_google_health_data_type_build_scope (ecg, 1);
	g_autoptr(GPtrArray) types = ohe_google_health_data_type_for_kinds (hr_steps, 2);

	g_assert_cmpuint (poll->len, ==, 4);
	g_assert_cmpint (g_array_index (poll, OheMeasurementKind, 0), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpint (g_array_index (poll, OheMeasurementKind, 1), ==,
			 OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
	g_assert_cmpint (g_array_index (poll, OheMeasurementKind, 2), ==,
			 OHE_MEASUREMENT_KIND_SPO2);
	g_assert_cmpint (g_array_index (poll, OheMeasurementKind, 3), ==,
			 OHE_MEASUREMENT_KIND_BODY_TEMPERATURE);
	g_assert_cmpstr (
	    scope, ==,
	    "https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly "
	    "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly "
	    "https://www.googleapis.com/auth/googlehealth.settings.readonly");
	g_assert_cmpstr (scope_ecg, ==,
			 "https://www.googleapis.com/auth/googlehealth.ecg.readonly "
			 "https://www.googleapis.com/auth/googlehealth.settings.readonly");
	g_assert_cmpuint (types->len, ==, 2);
	g_assert_cmpstr (((const OheGoogleHealthDataType *)g_ptr_array_index (types, 0))->id, ==,
			 "heart-rate");
	g_assert_cmpstr (((const OheGoogleHealthDataType *)g_ptr_array_index (types, 1))->id, ==,
			 "steps");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/fitbit/parser/heart-rate", test_heart_rate);
	g_test_add_func ("/fitbit/parser/steps", test_steps);
	g_test_add_func ("/fitbit/parser/weight", test_weight);
	g_test_add_func ("/fitbit/parser/ecg", test_ecg);
	g_test_add_func ("/fitbit/parser/ecg-band", test_ecg_classification_band);
	g_test_add_func ("/fitbit/parser/daily-spo2", test_daily_spo2);
	g_test_add_func ("/fitbit/parser/daily-utc", test_daily_utc);
	g_test_add_func ("/fitbit/parser/other-types", test_other_types);
	g_test_add_func ("/fitbit/parser/identity-settings-devices",
			 test_identity_settings_devices);
	g_test_add_func ("/fitbit/parser/errors", test_errors);
	g_test_add_func ("/fitbit/parser/deep", test_deep);
	g_test_add_func ("/fitbit/parser/out-of-range", test_out_of_range);
	g_test_add_func ("/fitbit/parser/scalars", test_scalars);
	g_test_add_func ("/fitbit/parser/error-envelope", test_error_envelope);
	g_test_add_func ("/fitbit/parser/table", test_table);
	return g_test_run ();
}
