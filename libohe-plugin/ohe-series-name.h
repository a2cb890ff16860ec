/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "ohe-measurement-kind.h"

G_BEGIN_DECLS

/**
 * SECTION:ohe-series-name
 * @title: Series names
 * @short_description: the names an #OheSeries may carry, part of the provider ↔ sink contract
 *
 * A sink maps a series to a code by its name, so a provider may only use
 * the names declared here. An `ecg` measurement holds one series per lead,
 * named after the lead (%OHE_SERIES_NAME_LEAD_I, %OHE_SERIES_NAME_LEAD_II,
 * %OHE_SERIES_NAME_LEAD_III) or unnamed (%NULL) when the provider does not
 * state the lead. An `rr_intervals` measurement holds one unnamed series.
 * No other kind holds series. ohe_measurement_validate() refuses any other
 * name.
 */

/**
 * OHE_SERIES_NAME_LEAD_I:
 *
 * ECG limb lead I (right arm → left arm): the lead of a single-lead recording
 * that a provider states as lead I.
 *
 * Since: 0.1
 */
#define OHE_SERIES_NAME_LEAD_I "I"

/**
 * OHE_SERIES_NAME_LEAD_II:
 *
 * ECG limb lead II (right arm → left leg).
 *
 * Since: 0.1
 */
#define OHE_SERIES_NAME_LEAD_II "II"

/**
 * OHE_SERIES_NAME_LEAD_III:
 *
 * ECG limb lead III (left arm → left leg).
 *
 * Since: 0.1
 */
#define OHE_SERIES_NAME_LEAD_III "III"

const gchar *const *
ohe_series_name_list (OheMeasurementKind kind);
gboolean
ohe_series_name_is_valid (OheMeasurementKind kind, const gchar *name);
gboolean
ohe_series_name_allows_unnamed (OheMeasurementKind kind);

G_END_DECLS
