/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OheMeasurementKind:
 *
 * The canonical measurement kinds; see docs/measurement-kinds.md. Every
 * provider plugin converts to the canonical unit of the kind while parsing.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_MEASUREMENT_KIND_UNKNOWN,
	OHE_MEASUREMENT_KIND_HEART_RATE,
	OHE_MEASUREMENT_KIND_RESTING_HEART_RATE,
	OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
	OHE_MEASUREMENT_KIND_HRV_RMSSD,
	OHE_MEASUREMENT_KIND_HRV_SDNN,
	OHE_MEASUREMENT_KIND_RR_INTERVALS,
	OHE_MEASUREMENT_KIND_ECG,
	OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION,
	OHE_MEASUREMENT_KIND_PULSE_WAVE_VELOCITY,
	OHE_MEASUREMENT_KIND_VO2MAX,
	OHE_MEASUREMENT_KIND_SPO2,
	OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
	OHE_MEASUREMENT_KIND_BODY_TEMPERATURE,
	OHE_MEASUREMENT_KIND_SKIN_TEMPERATURE,
	OHE_MEASUREMENT_KIND_BODY_WEIGHT,
	OHE_MEASUREMENT_KIND_BODY_HEIGHT,
	OHE_MEASUREMENT_KIND_BMI,
	OHE_MEASUREMENT_KIND_BODY_FAT_RATIO,
	OHE_MEASUREMENT_KIND_FAT_MASS,
	OHE_MEASUREMENT_KIND_FAT_FREE_MASS,
	OHE_MEASUREMENT_KIND_MUSCLE_MASS,
	OHE_MEASUREMENT_KIND_MUSCLE_RATIO,
	OHE_MEASUREMENT_KIND_SKELETAL_MUSCLE_RATIO,
	OHE_MEASUREMENT_KIND_BONE_MASS,
	OHE_MEASUREMENT_KIND_BODY_WATER_MASS,
	OHE_MEASUREMENT_KIND_BODY_WATER_RATIO,
	OHE_MEASUREMENT_KIND_VISCERAL_FAT_INDEX,
	OHE_MEASUREMENT_KIND_BASAL_METABOLIC_RATE,
	OHE_MEASUREMENT_KIND_METABOLIC_AGE,
	OHE_MEASUREMENT_KIND_STEPS,
	OHE_MEASUREMENT_KIND_SLEEP,
	/*< private >*/
	OHE_MEASUREMENT_KIND_LAST
} OheMeasurementKind;

/**
 * OheValueType:
 * @OHE_VALUE_TYPE_SCALAR: one number in the canonical unit
 * @OHE_VALUE_TYPE_COMPONENTS: named numbers sharing one time (blood pressure)
 * @OHE_VALUE_TYPE_SERIES: integer samples with origin and factor (ECG, RR intervals)
 * @OHE_VALUE_TYPE_CLASSIFICATION: one code of a closed value set
 * @OHE_VALUE_TYPE_SESSION: an interval with segments (sleep)
 *
 * Since: 0.1
 */
typedef enum {
	OHE_VALUE_TYPE_SCALAR,
	OHE_VALUE_TYPE_COMPONENTS,
	OHE_VALUE_TYPE_SERIES,
	OHE_VALUE_TYPE_CLASSIFICATION,
	OHE_VALUE_TYPE_SESSION,
} OheValueType;

/**
 * OheAggregation:
 * @OHE_AGGREGATION_NEVER: always written individually
 * @OHE_AGGREGATION_MEAN: hourly minimum, maximum, mean and count
 * @OHE_AGGREGATION_SUM: hourly sum and count
 *
 * How stream samples of a kind are aggregated when a policy asks for it.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_AGGREGATION_NEVER,
	OHE_AGGREGATION_MEAN,
	OHE_AGGREGATION_SUM,
} OheAggregation;

const gchar *
ohe_measurement_kind_to_string (OheMeasurementKind kind);
OheMeasurementKind
ohe_measurement_kind_from_string (const gchar *name);
const gchar *
ohe_measurement_kind_get_unit (OheMeasurementKind kind);
OheValueType
ohe_measurement_kind_get_value_type (OheMeasurementKind kind);
OheAggregation
ohe_measurement_kind_get_aggregation (OheMeasurementKind kind);
const gchar *
ohe_measurement_kind_get_description (OheMeasurementKind kind);

G_END_DECLS
