/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-series-name.h"

static const gchar *const ohe_series_name_ecg[] = {
    OHE_SERIES_NAME_LEAD_I,
    OHE_SERIES_NAME_LEAD_II,
    OHE_SERIES_NAME_LEAD_III,
    NULL,
};
static const gchar *const ohe_series_name_none[] = {NULL};

/**
 * ohe_series_name_list:
 * @kind: an #OheMeasurementKind
 *
 * The names a series of @kind may carry, besides %NULL where
 * ohe_series_name_allows_unnamed() says so.
 *
 * Returns: (transfer none) (array zero-terminated=1): the declared names;
 *   empty for a kind without named series
 *
 * Since: 0.1
 */
const gchar *const *
ohe_series_name_list (OheMeasurementKind kind)
{
	return kind == OHE_MEASUREMENT_KIND_ECG ? ohe_series_name_ecg : ohe_series_name_none;
}

/**
 * ohe_series_name_allows_unnamed:
 * @kind: an #OheMeasurementKind
 *
 * Returns: %TRUE if a series of @kind may be unnamed: an ECG lead the
 *   provider does not state, or the one series of `rr_intervals`
 *
 * Since: 0.1
 */
gboolean
ohe_series_name_allows_unnamed (OheMeasurementKind kind)
{
	return kind == OHE_MEASUREMENT_KIND_ECG || kind == OHE_MEASUREMENT_KIND_RR_INTERVALS;
}

/**
 * ohe_series_name_is_valid:
 * @kind: an #OheMeasurementKind
 * @name: (nullable): a series name, %NULL for an unnamed series
 *
 * Returns: %TRUE if a series of @kind may carry @name
 *
 * Since: 0.1
 */
gboolean
ohe_series_name_is_valid (OheMeasurementKind kind, const gchar *name)
{
	const gchar *const *names;

	if (name == NULL)
		return ohe_series_name_allows_unnamed (kind);
	names = ohe_series_name_list (kind);
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_str_equal (names[i], name))
			return TRUE;
	}
	return FALSE;
}
