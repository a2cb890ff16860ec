/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-google-health-data-type.h"

/*
 * The Google Health data types the plugin reads (docs/measurement-kinds.md;
 * https://developers.google.com/health/reference/rest/v4beta/users). `pushed` follows the newest
 * webhook page; a type missing there must be polled. Sleep, VO2 max and the activity types are not
 * read (no sink mapping, or the field is unverified).
 */

#define K(x) OHE_MEASUREMENT_KIND_##x
#define HM   ".health_metrics_and_measurements.readonly"
#define AF   ".activity_and_fitness.readonly"

static const OheGoogleHealthDataType ohe_google_health_data_types[] = {
    {"heart-rate",
     "heartRate",
     "heart_rate",
     OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
     {K (HEART_RATE)},
     HM,
     TRUE},
    {"daily-resting-heart-rate",
     "dailyRestingHeartRate",
     "daily_resting_heart_rate",
     OHE_GOOGLE_HEALTH_RECORD_DAILY,
     {K (RESTING_HEART_RATE)},
     HM,
     TRUE},
    {"heart-rate-variability",
     "heartRateVariability",
     "heart_rate_variability",
     OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
     {K (HRV_RMSSD), K (HRV_SDNN)},
     HM,
     TRUE},
    {"daily-heart-rate-variability",
     "dailyHeartRateVariability",
     "daily_heart_rate_variability",
     OHE_GOOGLE_HEALTH_RECORD_DAILY,
     {K (HRV_RMSSD)},
     HM,
     TRUE},
    {"oxygen-saturation",
     "oxygenSaturation",
     "oxygen_saturation",
     OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
     {K (SPO2)},
     HM,
     FALSE},
    {"daily-oxygen-saturation",
     "dailyOxygenSaturation",
     "daily_oxygen_saturation",
     OHE_GOOGLE_HEALTH_RECORD_DAILY,
     {K (SPO2)},
     HM,
     TRUE},
    {"daily-respiratory-rate",
     "dailyRespiratoryRate",
     "daily_respiratory_rate",
     OHE_GOOGLE_HEALTH_RECORD_DAILY,
     {K (RESPIRATORY_RATE)},
     HM,
     TRUE},
    {"respiratory-rate-sleep-summary",
     "respiratoryRateSleepSummary",
     "respiratory_rate_sleep_summary",
     OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
     {K (RESPIRATORY_RATE)},
     HM,
     TRUE},
    /* the average heart rate of a recording is a linked child, not a reason to fetch ECGs */
    {"electrocardiogram",
     "electrocardiogram",
     "electrocardiogram",
     OHE_GOOGLE_HEALTH_RECORD_SESSION,
     {K (ECG), K (AFIB_CLASSIFICATION)},
     ".ecg.readonly",
     FALSE},
    {"irregular-rhythm-notification",
     "irregularRhythmNotification",
     "irregular_rhythm_notification",
     OHE_GOOGLE_HEALTH_RECORD_SESSION,
     {K (AFIB_CLASSIFICATION)},
     ".irn.readonly",
     FALSE},
    {"weight", "weight", "weight", OHE_GOOGLE_HEALTH_RECORD_SAMPLE, {K (BODY_WEIGHT)}, HM, TRUE},
    {"body-fat",
     "bodyFat",
     "body_fat",
     OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
     {K (BODY_FAT_RATIO)},
     HM,
     TRUE},
    {"height", "height", "height", OHE_GOOGLE_HEALTH_RECORD_SAMPLE, {K (BODY_HEIGHT)}, HM, TRUE},
    {"core-body-temperature",
     "coreBodyTemperature",
     "core_body_temperature",
     OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
     {K (BODY_TEMPERATURE)},
     HM,
     FALSE},
    {"daily-sleep-temperature-derivations",
     "dailySleepTemperatureDerivations",
     "daily_sleep_temperature_derivations",
     OHE_GOOGLE_HEALTH_RECORD_DAILY,
     {K (SKIN_TEMPERATURE)},
     HM,
     TRUE},
    {"steps", "steps", "steps", OHE_GOOGLE_HEALTH_RECORD_INTERVAL, {K (STEPS)}, AF, TRUE},
};

#undef K
#undef HM
#undef AF

guint
ohe_google_health_data_type_get_n_items (void)
{
	return G_N_ELEMENTS (ohe_google_health_data_types);
}

const OheGoogleHealthDataType *
ohe_google_health_data_type_get_item (guint idx)
{
	if (idx >= G_N_ELEMENTS (ohe_google_health_data_types))
		return NULL;
	return &ohe_google_health_data_types[idx];
}

const OheGoogleHealthDataType *
ohe_google_health_data_type_lookup (const gchar *id)
{
	if (id == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS (ohe_google_health_data_types); i++) {
		if (g_strcmp0 (ohe_google_health_data_types[i].id, id) == 0)
			return &ohe_google_health_data_types[i];
	}
	return NULL;
}

gboolean
ohe_google_health_data_type_has_kind (const OheGoogleHealthDataType *type, OheMeasurementKind kind)
{
	for (guint j = 0; j < G_N_ELEMENTS (type->kinds); j++) {
		if (type->kinds[j] == OHE_MEASUREMENT_KIND_UNKNOWN)
			break;
		if (type->kinds[j] == kind)
			return TRUE;
	}
	return FALSE;
}

static void
ohe_google_health_kinds_add (GArray *kinds, OheMeasurementKind kind)
{
	for (guint i = 0; i < kinds->len; i++) {
		if (g_array_index (kinds, OheMeasurementKind, i) == kind)
			return;
	}
	g_array_append_val (kinds, kind);
}

static gint
ohe_google_health_kind_cmp (gconstpointer a, gconstpointer b)
{
	return (gint) * (const OheMeasurementKind *)a - (gint) * (const OheMeasurementKind *)b;
}

static GArray *
ohe_google_health_data_type_collect_kinds (gboolean poll_only)
{
	GArray *kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	for (guint i = 0; i < G_N_ELEMENTS (ohe_google_health_data_types); i++) {
		const OheGoogleHealthDataType *type = &ohe_google_health_data_types[i];
		if (poll_only && type->pushed)
			continue;
		for (guint j = 0; j < G_N_ELEMENTS (type->kinds); j++) {
			if (type->kinds[j] == OHE_MEASUREMENT_KIND_UNKNOWN)
				break;
			ohe_google_health_kinds_add (kinds, type->kinds[j]);
		}
	}
	g_array_sort (kinds, ohe_google_health_kind_cmp);
	return kinds;
}

/**
 * ohe_google_health_data_type_get_all_kinds:
 *
 * Returns: (transfer full) (element-type OheMeasurementKind): every kind the table produces,
 *   in enum order
 */
GArray *
ohe_google_health_data_type_get_all_kinds (void)
{
	return ohe_google_health_data_type_collect_kinds (FALSE);
}

/**
 * ohe_google_health_data_type_get_poll_only_kinds:
 *
 * A kind counts as poll-only when one of its data types is never announced by
 * a webhook: a notification about daily SpO2 says nothing about the intraday
 * SpO2 stream, so the scheduler must keep polling the kind.
 *
 * Returns: (transfer full) (element-type OheMeasurementKind): the kinds, in enum order
 */
GArray *
ohe_google_health_data_type_get_poll_only_kinds (void)
{
	return ohe_google_health_data_type_collect_kinds (TRUE);
}

/**
 * ohe_google_health_data_type_for_kinds:
 * @kinds: the requested kinds
 * @n_kinds: the number of @kinds
 *
 * Returns: (transfer container) (element-type OheGoogleHealthDataType): the data types
 *   that produce any of @kinds, in table order
 */
GPtrArray *
ohe_google_health_data_type_for_kinds (const OheMeasurementKind *kinds, guint n_kinds)
{
	GPtrArray *types = g_ptr_array_new ();
	for (guint i = 0; i < G_N_ELEMENTS (ohe_google_health_data_types); i++) {
		const OheGoogleHealthDataType *type = &ohe_google_health_data_types[i];
		for (guint k = 0; k < n_kinds; k++) {
			if (ohe_google_health_data_type_has_kind (type, kinds[k])) {
				g_ptr_array_add (types, (gpointer)type);
				break;
			}
		}
	}
	return types;
}

/**
 * ohe_google_health_data_type_build_scope:
 * @kinds: the kinds of the link
 * @n_kinds: the number of @kinds
 *
 * Builds the space-separated scope of a consent request: the read scopes of
 * the data types behind @kinds, plus `.settings.readonly` for the user's time
 * zone (daily types) and the paired devices.
 *
 * Returns: (transfer full): the scope
 */
gchar *
ohe_google_health_data_type_build_scope (const OheMeasurementKind *kinds, guint n_kinds)
{
	g_autoptr(GPtrArray) types = ohe_google_health_data_type_for_kinds (kinds, n_kinds);
	g_autoptr(GPtrArray) scopes = g_ptr_array_new ();
	g_autoptr(GString) out = g_string_new (NULL);

	for (guint i = 0; i < types->len; i++) {
		const OheGoogleHealthDataType *type = g_ptr_array_index (types, i);
		if (!g_ptr_array_find_with_equal_func (scopes, type->scope, g_str_equal, NULL))
			g_ptr_array_add (scopes, (gpointer)type->scope);
	}
	g_ptr_array_add (scopes, (gpointer) ".settings.readonly");
	for (guint i = 0; i < scopes->len; i++) {
		if (out->len > 0)
			g_string_append_c (out, ' ');
		g_string_append (out, OHE_GOOGLE_HEALTH_SCOPE_PREFIX);
		g_string_append (out, g_ptr_array_index (scopes, i));
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}
