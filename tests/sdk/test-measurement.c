/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

static void
test_decimal_exact (void)
{
	g_autofree gchar *a = ohe_decimal_to_string (72345, -3);
	g_autofree gchar *b = ohe_decimal_to_string (-5, -4);
	g_autofree gchar *c = ohe_decimal_to_string (12, 2);
	g_autofree gchar *d = ohe_decimal_to_string (0, -3);
	g_autofree gchar *e = ohe_decimal_to_string (G_MININT64, 0);
	gint64 m;
	gint x;
	g_autoptr(GError) error = NULL;

	g_assert_cmpstr (a, ==, "72.345");
	g_assert_cmpstr (b, ==, "-0.0005");
	g_assert_cmpstr (c, ==, "1200");
	g_assert_cmpstr (d, ==, "0");
	g_assert_cmpstr (e, ==, "-9223372036854775808");

	ohe_decimal_from_double (72.345, &m, &x);
	g_assert_cmpint (m, ==, 72345);
	g_assert_cmpint (x, ==, -3);
	ohe_decimal_from_double (0.1 + 0.2, &m, &x);
	g_assert_cmpfloat (ohe_decimal_to_double (m, x), ==, 0.1 + 0.2);
	ohe_decimal_from_double (1e-12, &m, &x);
	g_assert_cmpint (m, ==, 1);
	g_assert_cmpint (x, ==, -12);

	g_assert_true (ohe_decimal_parse ("-72.3450", &m, &x, &error));
	g_assert_no_error (error);
	g_assert_cmpint (m, ==, -72345);
	g_assert_cmpint (x, ==, -3);
	g_assert_true (ohe_decimal_parse ("1.5e-3", &m, &x, &error));
	g_assert_cmpint (m, ==, 15);
	g_assert_cmpint (x, ==, -4);
	g_assert_false (ohe_decimal_parse ("72,4", &m, &x, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, "72,4"));
	g_clear_error (&error);
	g_assert_false (ohe_decimal_parse ("", &m, &x, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
}

static void
test_measurement_scalar (void)
{
	g_autoptr(OheMeasurement) m = ohe_measurement_new (OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "kg");
	g_assert_false (ohe_measurement_validate (m, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, "body_weight"));
	g_clear_error (&error);

	ohe_measurement_set_time (m, 1761990000000000, 1761990000000000);
	ohe_measurement_set_utc_offset (m, 3600);
	ohe_measurement_set_value_decimal (m, 72345, -3);
	ohe_measurement_set_provider (m, "withings");
	ohe_measurement_set_device_id (m, "dev-1");
	ohe_measurement_set_native_id (m, "grp-99");
	ohe_measurement_set_qualifier (m, "site", "arm");
	ohe_measurement_set_qualifier (m, "site", "wrist");
	ohe_measurement_set_qualifier (m, "note", "x");
	ohe_measurement_set_qualifier (m, "note", NULL);
	g_assert_true (ohe_measurement_validate (m, &error));
	g_assert_no_error (error);

	text = ohe_measurement_format_value (m);
	g_assert_cmpstr (text, ==, "72.345");
	g_assert_cmpfloat_with_epsilon (ohe_measurement_get_value (m), 72.345, 1e-12);
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, 3600);
	g_assert_cmpstr (ohe_measurement_get_provider (m), ==, "withings");
	g_assert_cmpstr (ohe_measurement_get_native_id (m), ==, "grp-99");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "site"), ==, "wrist");
	g_assert_null (ohe_measurement_get_qualifier (m, "note"));
	g_assert_false (ohe_measurement_is_aggregate (m));
}

static void
test_measurement_blood_pressure (void)
{
	g_autoptr(OheMeasurement) m = ohe_measurement_new (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_autoptr(GError) error = NULL;
	gdouble value = 0;

	ohe_measurement_set_time (m, 1761990000000000, 1761990000000000);
	g_assert_false (ohe_measurement_validate (m, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);
	ohe_measurement_set_component (m, "systolic", 121);
	ohe_measurement_set_component (m, "diastolic", 79);
	ohe_measurement_set_component (m, "systolic", 122);
	g_assert_true (ohe_measurement_validate (m, &error));
	g_assert_cmpuint (ohe_measurement_get_n_components (m), ==, 2);
	g_assert_cmpstr (ohe_measurement_get_component_name (m, 0), ==, "systolic");
	g_assert_true (ohe_measurement_get_component (m, "systolic", &value));
	g_assert_cmpfloat (value, ==, 122);
	g_assert_false (ohe_measurement_get_component (m, "mean", NULL));
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "mm[Hg]");
}

static void
test_measurement_series (void)
{
	g_autoptr(OheMeasurement) ecg = ohe_measurement_new (OHE_MEASUREMENT_KIND_ECG);
	g_autoptr(OheMeasurement) rr = ohe_measurement_new (OHE_MEASUREMENT_KIND_RR_INTERVALS);
	g_autoptr(OheSeries) lead = ohe_series_new_with_interval ("I", 1000.0 / 300.0);
	g_autoptr(OheSeries) beats = ohe_series_new_with_offsets (NULL);
	g_autoptr(GError) error = NULL;
	const gint32 samples[] = {-12, 0, 35, 1200};
	const gint32 *out;
	const gdouble *offsets;
	gsize n = 0;

	ohe_series_set_factor (lead, 0.001);
	ohe_series_append_samples (lead, samples, G_N_ELEMENTS (samples));
	ohe_measurement_add_series (ecg, lead);
	ohe_measurement_set_time (ecg, 1761990000000000, 1761990030000000);
	g_assert_true (ohe_measurement_validate (ecg, &error));
	out = ohe_series_get_samples (ohe_measurement_get_series (ecg, 0), &n);
	g_assert_cmpuint (n, ==, 4);
	g_assert_cmpint (out[3], ==, 1200);
	g_assert_cmpfloat (ohe_series_get_factor (lead), ==, 0.001);
	g_assert_cmpfloat_with_epsilon (ohe_series_get_duration_ms (lead), 4000.0 / 300.0, 1e-9);
	g_assert_false (ohe_series_has_offsets (lead));

	g_assert_true (ohe_series_append_offset_sample (beats, 0, 812, &error));
	g_assert_true (ohe_series_append_offset_sample (beats, 812, 790, &error));
	g_assert_false (ohe_series_append_offset_sample (beats, 100, 800, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);
	ohe_measurement_add_series (rr, beats);
	ohe_measurement_set_time (rr, 1761990000000000, 1761990001602000);
	g_assert_true (ohe_measurement_validate (rr, &error));
	offsets = ohe_series_get_offsets (beats, &n);
	g_assert_cmpuint (n, ==, 2);
	g_assert_cmpfloat (offsets[1], ==, 812);
}

static void
test_measurement_aggregate (void)
{
	g_autoptr(OheMeasurement) m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
	g_autoptr(GError) error = NULL;
	gdouble value = 0;

	ohe_measurement_set_time (m, 1761987600000000, 1761991200000000);
	ohe_measurement_set_statistic (m, OHE_STATISTIC_MINIMUM, 54);
	ohe_measurement_set_statistic (m, OHE_STATISTIC_MAXIMUM, 131);
	ohe_measurement_set_statistic (m, OHE_STATISTIC_MEAN, 72.5);
	ohe_measurement_set_statistic (m, OHE_STATISTIC_COUNT, 60);
	g_assert_true (ohe_measurement_is_aggregate (m));
	g_assert_true (ohe_measurement_validate (m, &error));
	g_assert_true (ohe_measurement_get_statistic (m, OHE_STATISTIC_MEAN, &value));
	g_assert_cmpfloat (value, ==, 72.5);
	g_assert_false (ohe_measurement_get_statistic (m, OHE_STATISTIC_SUM, NULL));
}

static void
test_measurement_linked (void)
{
	g_autoptr(OheMeasurement) hr = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
	g_autoptr(OheMeasurement) afib =
		       ohe_measurement_new (OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
	g_autoptr(GError) error = NULL;

	ohe_measurement_set_parent (hr, OHE_MEASUREMENT_KIND_ECG, "sig-1");
	g_assert_cmpint (ohe_measurement_get_parent_kind (hr), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpstr (ohe_measurement_get_parent_native_id (hr), ==, "sig-1");

	ohe_measurement_set_time (afib, 1761990000000000, 1761990030000000);
	g_assert_false (ohe_measurement_validate (afib, &error));
	g_clear_error (&error);
	ohe_measurement_set_classification (afib, "negative", "0");
	g_assert_true (ohe_measurement_validate (afib, &error));
	g_assert_cmpstr (ohe_measurement_get_classification_raw (afib), ==, "0");
}

/* ohe_measurement_validate() refuses every name outside the provider ↔ sink contract */
static void
test_measurement_contract (void)
{
	static const struct {
		OheMeasurementKind kind;
		const gchar *series; /* "-" for an unnamed series */
		const gchar *component;
		const gchar *key;
		const gchar *value;
		const gchar *classification;
		const gchar *message; /* NULL: valid */
	} cases[] = {
	    {OHE_MEASUREMENT_KIND_ECG, OHE_SERIES_NAME_LEAD_I, NULL, NULL, NULL, NULL, NULL},
	    {OHE_MEASUREMENT_KIND_ECG, OHE_SERIES_NAME_LEAD_III, NULL, NULL, NULL, NULL, NULL},
	    {OHE_MEASUREMENT_KIND_ECG, "-", NULL, OHE_QUALIFIER_WEAR_POSITION,
	     OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST, NULL, NULL},
	    {OHE_MEASUREMENT_KIND_ECG, "signal", NULL, NULL, NULL, NULL,
	     "acme ecg measurement: series name 'signal' is not in the contract "
	     "(expected I, II, III or unnamed)"},
	    {OHE_MEASUREMENT_KIND_ECG, "i", NULL, NULL, NULL, NULL,
	     "acme ecg measurement: series name 'i' is not in the contract "
	     "(expected I, II, III or unnamed)"},
	    {OHE_MEASUREMENT_KIND_RR_INTERVALS, "-", NULL, NULL, NULL, NULL, NULL},
	    {OHE_MEASUREMENT_KIND_RR_INTERVALS, "I", NULL, NULL, NULL, NULL,
	     "acme rr_intervals measurement: series name 'I' is not in the contract "
	     "(expected unnamed)"},
	    {OHE_MEASUREMENT_KIND_HEART_RATE, "-", NULL, NULL, NULL, NULL,
	     "acme heart_rate measurement: the kind holds no series (series 'unnamed')"},
	    {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, NULL, OHE_COMPONENT_NAME_MEAN, NULL, NULL, NULL,
	     NULL},
	    {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, NULL, "pulse", NULL, NULL, NULL,
	     "acme blood_pressure measurement: component name 'pulse' is not in the contract "
	     "(expected systolic, diastolic or mean)"},
	    {OHE_MEASUREMENT_KIND_SPO2, NULL, "systolic", NULL, NULL, NULL,
	     "acme spo2 measurement: component name 'systolic' is not in the contract "
	     "(expected no components)"},
	    {OHE_MEASUREMENT_KIND_HEART_RATE, NULL, NULL, OHE_QUALIFIER_DEVICE_MODEL, "Any text",
	     NULL, NULL},
	    {OHE_MEASUREMENT_KIND_HEART_RATE, NULL, NULL, "deviceModel", "X", NULL,
	     "acme heart_rate measurement: qualifier key 'deviceModel' is not in the contract"},
	    {OHE_MEASUREMENT_KIND_STEPS, NULL, NULL, OHE_QUALIFIER_TOTAL, "week", NULL,
	     "acme steps measurement: qualifier total value 'week' is not in the contract "
	     "(expected day)"},
	    {OHE_MEASUREMENT_KIND_ECG, "-", NULL, OHE_QUALIFIER_SAMPLING_FREQUENCY, "300.5", NULL,
	     "acme ecg measurement: qualifier sampling_frequency value '300.5' is not in the "
	     "contract (expected a positive integer)"},
	    {OHE_MEASUREMENT_KIND_ECG, "-", NULL, OHE_QUALIFIER_WEAR_POSITION, "1", NULL,
	     "acme ecg measurement: qualifier wear_position value '1' is not in the contract "
	     "(expected right_wrist, left_wrist, right_arm, left_arm, right_foot or left_foot)"},
	    {OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, NULL, NULL, OHE_QUALIFIER_METHOD,
	     OHE_QUALIFIER_METHOD_VALUE_PPG, OHE_CLASSIFICATION_POSITIVE, NULL},
	    {OHE_MEASUREMENT_KIND_ECG, "-", NULL, NULL, NULL, OHE_CLASSIFICATION_UNREADABLE, NULL},
	    {OHE_MEASUREMENT_KIND_HEART_RATE, NULL, NULL, NULL, NULL, OHE_CLASSIFICATION_POSITIVE,
	     "acme heart_rate measurement: the kind holds no classification ('positive')"},
	    {OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, NULL, NULL, NULL, NULL, "afib",
	     "acme afib_classification measurement: classification 'afib' is not in the "
	     "contract (expected negative, positive, inconclusive, unreadable, not_analyzed or "
	     "other)"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(OheMeasurement) m = ohe_measurement_new (cases[i].kind);
		g_autoptr(GError) error = NULL;

		g_test_message ("case %u", i);
		ohe_measurement_set_time (m, 1761990000000000, 1761990030000000);
		ohe_measurement_set_provider (m, "acme");
		if (cases[i].series != NULL) {
			g_autoptr(OheSeries) s = ohe_series_new_with_interval (
			    g_str_equal (cases[i].series, "-") ? NULL : cases[i].series, 2);
			ohe_series_append_sample (s, 1);
			ohe_measurement_add_series (m, s);
		}
		if (cases[i].kind == OHE_MEASUREMENT_KIND_BLOOD_PRESSURE) {
			ohe_measurement_set_component (m, OHE_COMPONENT_NAME_SYSTOLIC, 120);
			ohe_measurement_set_component (m, OHE_COMPONENT_NAME_DIASTOLIC, 80);
		}
		if (cases[i].component != NULL)
			ohe_measurement_set_component (m, cases[i].component, 90);
		if (ohe_measurement_kind_get_value_type (cases[i].kind) == OHE_VALUE_TYPE_SCALAR)
			ohe_measurement_set_value (m, 70);
		if (cases[i].key != NULL)
			ohe_measurement_set_qualifier (m, cases[i].key, cases[i].value);
		ohe_measurement_set_classification (
		    m,
		    cases[i].classification != NULL ? cases[i].classification
		    : cases[i].kind == OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION
			? OHE_CLASSIFICATION_NEGATIVE
			: NULL,
		    NULL);
		if (cases[i].message == NULL) {
			g_assert_true (ohe_measurement_validate (m, &error));
			g_assert_no_error (error);
		} else {
			g_assert_false (ohe_measurement_validate (m, &error));
			g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
			g_assert_cmpstr (error->message, ==, cases[i].message);
		}
	}
}

/* a cuff reading needs both pressures; the declared lists are what the docs say */
static void
test_measurement_contract_lists (void)
{
	g_autoptr(OheMeasurement) bp = ohe_measurement_new (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_autoptr(GError) error = NULL;
	const gchar *const *keys = ohe_qualifier_list_keys ();

	ohe_measurement_set_time (bp, 1761990000000000, 1761990000000000);
	ohe_measurement_set_component (bp, OHE_COMPONENT_NAME_SYSTOLIC, 120);
	g_assert_false (ohe_measurement_validate (bp, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "blood_pressure measurement has no diastolic component");

	g_assert_cmpuint (g_strv_length ((gchar **)keys), ==, 16);
	for (guint i = 0; keys[i] != NULL; i++) {
		g_assert_true (ohe_qualifier_is_valid_key (keys[i]));
		/* one spelling style: snake_case */
		for (const gchar *c = keys[i]; *c != '\0'; c++)
			g_assert_true (g_ascii_islower (*c) || *c == '_');
	}
	g_assert_false (ohe_qualifier_is_valid_key ("Device_model"));
	g_assert_null (ohe_qualifier_list_values (OHE_QUALIFIER_DEVICE_MODEL));
	g_assert_cmpuint (
	    g_strv_length ((gchar **)ohe_qualifier_list_values (OHE_QUALIFIER_METHOD)), ==, 3);
	g_assert_true (ohe_qualifier_is_valid_value (OHE_QUALIFIER_SAMPLING_FREQUENCY, "500"));
	g_assert_false (ohe_qualifier_is_valid_value (OHE_QUALIFIER_SAMPLING_FREQUENCY, "0"));
	g_assert_false (ohe_qualifier_is_valid_value ("unknown", "x"));
	g_assert_true (ohe_series_name_is_valid (OHE_MEASUREMENT_KIND_ECG, NULL));
	g_assert_false (ohe_series_name_is_valid (OHE_MEASUREMENT_KIND_SPO2, NULL));
	g_assert_true (ohe_component_name_is_required (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
						       OHE_COMPONENT_NAME_DIASTOLIC));
	g_assert_false (ohe_component_name_is_required (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
							OHE_COMPONENT_NAME_MEAN));
	g_assert_false (ohe_classification_is_valid (NULL));
	g_assert_true (ohe_classification_is_valid (OHE_CLASSIFICATION_NOT_ANALYZED));
}

static void
test_measurement_kind_table (void)
{
	for (guint i = 1; i < OHE_MEASUREMENT_KIND_LAST; i++) {
		const gchar *name = ohe_measurement_kind_to_string (i);
		g_assert_cmpint (ohe_measurement_kind_from_string (name), ==, i);
		g_assert_nonnull (ohe_measurement_kind_get_description (i));
	}
	g_assert_cmpint (ohe_measurement_kind_from_string ("pulse_from_bp"), ==,
			 OHE_MEASUREMENT_KIND_UNKNOWN);
	g_assert_cmpstr (ohe_measurement_kind_get_unit (OHE_MEASUREMENT_KIND_STEPS), ==, "{steps}");
	g_assert_cmpint (ohe_measurement_kind_get_aggregation (OHE_MEASUREMENT_KIND_STEPS), ==,
			 OHE_AGGREGATION_SUM);
	g_assert_cmpint (ohe_measurement_kind_get_aggregation (OHE_MEASUREMENT_KIND_HRV_RMSSD), ==,
			 OHE_AGGREGATION_NEVER);
}

static void
test_error_mapping (void)
{
	g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow");
	g_assert_true (ohe_error_is_transient (error));
	ohe_error_convert (&error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_TIMEOUT);
	g_assert_cmpstr (error->message, ==, "slow");
	g_assert_cmpuint (ohe_error_to_http_status (error), ==, 504);
	g_assert_cmpstr (ohe_error_to_string (OHE_ERROR_RATE_LIMITED), ==, "RateLimited");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/measurement/decimal", test_decimal_exact);
	g_test_add_func ("/measurement/scalar", test_measurement_scalar);
	g_test_add_func ("/measurement/blood-pressure", test_measurement_blood_pressure);
	g_test_add_func ("/measurement/series", test_measurement_series);
	g_test_add_func ("/measurement/aggregate", test_measurement_aggregate);
	g_test_add_func ("/measurement/linked", test_measurement_linked);
	g_test_add_func ("/measurement/contract", test_measurement_contract);
	g_test_add_func ("/measurement/contract-lists", test_measurement_contract_lists);
	g_test_add_func ("/measurement/kind-table", test_measurement_kind_table);
	g_test_add_func ("/error/mapping", test_error_mapping);
	return g_test_run ();
}
