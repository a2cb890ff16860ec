/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-qualifier.h"

static const gchar *const ohe_qualifier_wear_positions[] = {
    OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_WRIST,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_ARM,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_ARM,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_FOOT,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_FOOT,
    NULL,
};
static const gchar *const ohe_qualifier_methods[] = {
    OHE_QUALIFIER_METHOD_VALUE_ECG,
    OHE_QUALIFIER_METHOD_VALUE_PPG,
    OHE_QUALIFIER_METHOD_VALUE_BP_CUFF,
    NULL,
};
static const gchar *const ohe_qualifier_bands[] = {
    OHE_QUALIFIER_HEART_RATE_BAND_VALUE_HIGH,
    OHE_QUALIFIER_HEART_RATE_BAND_VALUE_LOW,
    NULL,
};
static const gchar *const ohe_qualifier_totals[] = {OHE_QUALIFIER_TOTAL_VALUE_DAY, NULL};
static const gchar *const ohe_qualifier_sleep_phases[] = {OHE_QUALIFIER_SLEEP_PHASE_VALUE_FULL,
							  NULL};

typedef struct {
	const gchar *key;
	const gchar *const *values; /* NULL: free text */
} OheQualifierKey;

static const OheQualifierKey ohe_qualifier_table[] = {
    {OHE_QUALIFIER_DEVICE_MODEL, NULL},
    {OHE_QUALIFIER_FIRMWARE_VERSION, NULL},
    {OHE_QUALIFIER_FEATURE_VERSION, NULL},
    {OHE_QUALIFIER_ALGORITHM_VERSION, NULL},
    {OHE_QUALIFIER_SAMPLING_FREQUENCY, NULL},
    {OHE_QUALIFIER_WEAR_POSITION, ohe_qualifier_wear_positions},
    {OHE_QUALIFIER_METHOD, ohe_qualifier_methods},
    {OHE_QUALIFIER_HEART_RATE_BAND, ohe_qualifier_bands},
    {OHE_QUALIFIER_CLASSIFICATION, NULL},
    {OHE_QUALIFIER_TOTAL, ohe_qualifier_totals},
    {OHE_QUALIFIER_WINDOW, NULL},
    {OHE_QUALIFIER_SLEEP_PHASE, ohe_qualifier_sleep_phases},
    {OHE_QUALIFIER_MOTION_CONTEXT, NULL},
    {OHE_QUALIFIER_SENSOR_LOCATION, NULL},
    {OHE_QUALIFIER_CALCULATION_METHOD, NULL},
    {OHE_QUALIFIER_SITE, NULL},
};

static const OheQualifierKey *
ohe_qualifier_lookup (const gchar *key)
{
	if (key == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS (ohe_qualifier_table); i++) {
		if (g_str_equal (ohe_qualifier_table[i].key, key))
			return &ohe_qualifier_table[i];
	}
	return NULL;
}

/**
 * ohe_qualifier_list_keys:
 *
 * Returns: (transfer none) (array zero-terminated=1): every declared
 *   qualifier key
 *
 * Since: 0.1
 */
const gchar *const *
ohe_qualifier_list_keys (void)
{
	static const gchar *const keys[] = {
	    OHE_QUALIFIER_DEVICE_MODEL,
	    OHE_QUALIFIER_FIRMWARE_VERSION,
	    OHE_QUALIFIER_FEATURE_VERSION,
	    OHE_QUALIFIER_ALGORITHM_VERSION,
	    OHE_QUALIFIER_SAMPLING_FREQUENCY,
	    OHE_QUALIFIER_WEAR_POSITION,
	    OHE_QUALIFIER_METHOD,
	    OHE_QUALIFIER_HEART_RATE_BAND,
	    OHE_QUALIFIER_CLASSIFICATION,
	    OHE_QUALIFIER_TOTAL,
	    OHE_QUALIFIER_WINDOW,
	    OHE_QUALIFIER_SLEEP_PHASE,
	    OHE_QUALIFIER_MOTION_CONTEXT,
	    OHE_QUALIFIER_SENSOR_LOCATION,
	    OHE_QUALIFIER_CALCULATION_METHOD,
	    OHE_QUALIFIER_SITE,
	    NULL,
	};
	G_STATIC_ASSERT (G_N_ELEMENTS (keys) == G_N_ELEMENTS (ohe_qualifier_table) + 1);
	return keys;
}

/**
 * ohe_qualifier_is_valid_key:
 * @key: (nullable): a qualifier key
 *
 * Returns: %TRUE if @key is a declared qualifier key
 *
 * Since: 0.1
 */
gboolean
ohe_qualifier_is_valid_key (const gchar *key)
{
	return ohe_qualifier_lookup (key) != NULL;
}

/**
 * ohe_qualifier_list_values:
 * @key: a qualifier key
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the closed
 *   value set of @key, or %NULL for a free-text or unknown key
 *
 * Since: 0.1
 */
const gchar *const *
ohe_qualifier_list_values (const gchar *key)
{
	const OheQualifierKey *entry = ohe_qualifier_lookup (key);
	return entry != NULL ? entry->values : NULL;
}

/**
 * ohe_qualifier_is_valid_value:
 * @key: a qualifier key
 * @value: a value
 *
 * Checks @value against the closed value set of @key; a sampling frequency
 * must be a positive decimal integer; any other value of a free-text key is
 * valid.
 *
 * Returns: %TRUE if @key is declared and @value is allowed for it
 *
 * Since: 0.1
 */
gboolean
ohe_qualifier_is_valid_value (const gchar *key, const gchar *value)
{
	const OheQualifierKey *entry = ohe_qualifier_lookup (key);

	if (entry == NULL || value == NULL)
		return FALSE;
	if (g_str_equal (key, OHE_QUALIFIER_SAMPLING_FREQUENCY)) {
		guint64 hz = 0;
		return g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT32, &hz, NULL);
	}
	if (entry->values == NULL)
		return TRUE;
	return g_strv_contains ((const gchar *const *)entry->values, value);
}
