/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SECTION:ohe-qualifier
 * @title: Qualifiers
 * @short_description: the qualifier keys and closed values, part of the provider ↔ sink contract
 *
 * A qualifier is a key/value string pair set with
 * ohe_measurement_set_qualifier(). Keys are snake_case and declared here;
 * ohe_measurement_validate() refuses any other key. Some keys have a closed
 * value set (the `OHE_QUALIFIER_*_VALUE_*` constants), the others carry
 * free text (a device model, a version) or a lower-case provider enum.
 */

/**
 * OHE_QUALIFIER_DEVICE_MODEL:
 *
 * Free text: the provider's name of the device model, e.g. "ScanWatch".
 * A sink writes it as the Device's name.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_DEVICE_MODEL "device_model"

/**
 * OHE_QUALIFIER_FIRMWARE_VERSION:
 *
 * Free text: the firmware version of a medical device (ECG).
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_FIRMWARE_VERSION "firmware_version"

/**
 * OHE_QUALIFIER_FEATURE_VERSION:
 *
 * Free text: the version of the device feature that recorded (ECG).
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_FEATURE_VERSION "feature_version"

/**
 * OHE_QUALIFIER_ALGORITHM_VERSION:
 *
 * Free text: the version of the classification algorithm (ECG).
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_ALGORITHM_VERSION "algorithm_version"

/**
 * OHE_QUALIFIER_SAMPLING_FREQUENCY:
 *
 * The sampling frequency of an ECG in Hz, a positive decimal integer, e.g.
 * "300".
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_SAMPLING_FREQUENCY "sampling_frequency"

/**
 * OHE_QUALIFIER_WEAR_POSITION:
 *
 * Where the recording device was worn; one of the
 * `OHE_QUALIFIER_WEAR_POSITION_VALUE_*` values.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION "wear_position"

/**
 * OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_WRIST:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_WRIST "right_wrist"
/**
 * OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST "left_wrist"
/**
 * OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_ARM:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_ARM "right_arm"
/**
 * OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_ARM:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_ARM "left_arm"
/**
 * OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_FOOT:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_FOOT "right_foot"
/**
 * OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_FOOT:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_FOOT "left_foot"

/**
 * OHE_QUALIFIER_METHOD:
 *
 * How a rhythm classification was obtained: %OHE_QUALIFIER_METHOD_VALUE_ECG,
 * %OHE_QUALIFIER_METHOD_VALUE_PPG or %OHE_QUALIFIER_METHOD_VALUE_BP_CUFF.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_METHOD "method"
/**
 * OHE_QUALIFIER_METHOD_VALUE_ECG:
 *
 * From an ECG recording.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_METHOD_VALUE_ECG "ecg"
/**
 * OHE_QUALIFIER_METHOD_VALUE_PPG:
 *
 * From optical (photoplethysmography) monitoring.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_METHOD_VALUE_PPG "ppg"
/**
 * OHE_QUALIFIER_METHOD_VALUE_BP_CUFF:
 *
 * Flagged by a blood-pressure cuff during a reading.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_METHOD_VALUE_BP_CUFF "bp_cuff"

/**
 * OHE_QUALIFIER_HEART_RATE_BAND:
 *
 * Beside a rhythm classification: the heart rate was above
 * (%OHE_QUALIFIER_HEART_RATE_BAND_VALUE_HIGH) or below
 * (%OHE_QUALIFIER_HEART_RATE_BAND_VALUE_LOW) the algorithm's range.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_HEART_RATE_BAND "heart_rate_band"
/**
 * OHE_QUALIFIER_HEART_RATE_BAND_VALUE_HIGH:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_HEART_RATE_BAND_VALUE_HIGH "high"
/**
 * OHE_QUALIFIER_HEART_RATE_BAND_VALUE_LOW:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_HEART_RATE_BAND_VALUE_LOW "low"

/**
 * OHE_QUALIFIER_CLASSIFICATION:
 *
 * Free text on an `ecg` without a classification code: the provider's
 * conclusion, which a sink writes as the report's conclusion.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_CLASSIFICATION "classification"

/**
 * OHE_QUALIFIER_TOTAL:
 *
 * On `steps`: %OHE_QUALIFIER_TOTAL_VALUE_DAY marks the count of one civil
 * day, which a sink codes differently from a count over a shorter period.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_TOTAL "total"
/**
 * OHE_QUALIFIER_TOTAL_VALUE_DAY:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_TOTAL_VALUE_DAY "day"

/**
 * OHE_QUALIFIER_WINDOW:
 *
 * Free text: the window a provider computed a value over, e.g. "60 s" for
 * an intraday HRV sample.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_WINDOW "window"

/**
 * OHE_QUALIFIER_SLEEP_PHASE:
 *
 * The part of a night a summary covers; %OHE_QUALIFIER_SLEEP_PHASE_VALUE_FULL
 * for the whole sleep.
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_SLEEP_PHASE "sleep_phase"
/**
 * OHE_QUALIFIER_SLEEP_PHASE_VALUE_FULL:
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_SLEEP_PHASE_VALUE_FULL "full"

/**
 * OHE_QUALIFIER_MOTION_CONTEXT:
 *
 * A lower-case provider enum: the activity state of a heart-rate sample,
 * e.g. "sedentary".
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_MOTION_CONTEXT "motion_context"

/**
 * OHE_QUALIFIER_SENSOR_LOCATION:
 *
 * A lower-case provider enum: where the sensor sat, e.g. "wrist".
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_SENSOR_LOCATION "sensor_location"

/**
 * OHE_QUALIFIER_CALCULATION_METHOD:
 *
 * A lower-case provider enum: how a summary was computed, e.g. "with_sleep".
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_CALCULATION_METHOD "calculation_method"

/**
 * OHE_QUALIFIER_SITE:
 *
 * A lower-case provider enum: the body site of a temperature, e.g. "mouth".
 *
 * Since: 0.1
 */
#define OHE_QUALIFIER_SITE "site"

const gchar *const *
ohe_qualifier_list_keys (void);
gboolean
ohe_qualifier_is_valid_key (const gchar *key);
const gchar *const *
ohe_qualifier_list_values (const gchar *key);
gboolean
ohe_qualifier_is_valid_value (const gchar *key, const gchar *value);

G_END_DECLS
