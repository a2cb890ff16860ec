/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-measurement-kind.h"

typedef struct {
	const gchar *name;
	OheValueType value_type;
	const gchar *unit; /* UCUM */
	OheAggregation aggregation;
	const gchar *description;
} OheMeasurementKindInfo;

/* indexed by OheMeasurementKind; the catalogue of docs/measurement-kinds.md */
static const OheMeasurementKindInfo ohe_measurement_kind_table[] = {
    {"unknown", OHE_VALUE_TYPE_SCALAR, "1", OHE_AGGREGATION_NEVER, "Unknown"},
    {"heart_rate", OHE_VALUE_TYPE_SCALAR, "/min", OHE_AGGREGATION_MEAN, "Heart rate"},
    {"resting_heart_rate", OHE_VALUE_TYPE_SCALAR, "/min", OHE_AGGREGATION_NEVER,
     "Resting heart rate"},
    {"blood_pressure", OHE_VALUE_TYPE_COMPONENTS, "mm[Hg]", OHE_AGGREGATION_NEVER,
     "Blood pressure"},
    {"hrv_rmssd", OHE_VALUE_TYPE_SCALAR, "ms", OHE_AGGREGATION_NEVER,
     "Heart rate variability (RMSSD)"},
    {"hrv_sdnn", OHE_VALUE_TYPE_SCALAR, "ms", OHE_AGGREGATION_NEVER,
     "Heart rate variability (SDNN)"},
    {"rr_intervals", OHE_VALUE_TYPE_SERIES, "ms", OHE_AGGREGATION_NEVER, "R-R intervals"},
    {"ecg", OHE_VALUE_TYPE_SERIES, "mV", OHE_AGGREGATION_NEVER, "Electrocardiogram"},
    {"afib_classification", OHE_VALUE_TYPE_CLASSIFICATION, NULL, OHE_AGGREGATION_NEVER,
     "Rhythm classification"},
    {"pulse_wave_velocity", OHE_VALUE_TYPE_SCALAR, "m/s", OHE_AGGREGATION_NEVER,
     "Pulse wave velocity"},
    {"vo2max", OHE_VALUE_TYPE_SCALAR, "mL/kg/min", OHE_AGGREGATION_NEVER, "VO2 max"},
    {"spo2", OHE_VALUE_TYPE_SCALAR, "%", OHE_AGGREGATION_MEAN, "Oxygen saturation"},
    {"respiratory_rate", OHE_VALUE_TYPE_SCALAR, "/min", OHE_AGGREGATION_MEAN, "Respiratory rate"},
    {"body_temperature", OHE_VALUE_TYPE_SCALAR, "Cel", OHE_AGGREGATION_MEAN, "Body temperature"},
    {"skin_temperature", OHE_VALUE_TYPE_SCALAR, "Cel", OHE_AGGREGATION_MEAN, "Skin temperature"},
    {"body_weight", OHE_VALUE_TYPE_SCALAR, "kg", OHE_AGGREGATION_NEVER, "Body weight"},
    {"body_height", OHE_VALUE_TYPE_SCALAR, "cm", OHE_AGGREGATION_NEVER, "Body height"},
    {"bmi", OHE_VALUE_TYPE_SCALAR, "kg/m2", OHE_AGGREGATION_NEVER, "Body mass index"},
    {"body_fat_ratio", OHE_VALUE_TYPE_SCALAR, "%", OHE_AGGREGATION_NEVER, "Body fat"},
    {"fat_mass", OHE_VALUE_TYPE_SCALAR, "kg", OHE_AGGREGATION_NEVER, "Fat mass"},
    {"fat_free_mass", OHE_VALUE_TYPE_SCALAR, "kg", OHE_AGGREGATION_NEVER, "Fat-free mass"},
    {"muscle_mass", OHE_VALUE_TYPE_SCALAR, "kg", OHE_AGGREGATION_NEVER, "Muscle mass"},
    {"muscle_ratio", OHE_VALUE_TYPE_SCALAR, "%", OHE_AGGREGATION_NEVER, "Muscle ratio"},
    {"skeletal_muscle_ratio", OHE_VALUE_TYPE_SCALAR, "%", OHE_AGGREGATION_NEVER,
     "Skeletal muscle ratio"},
    {"bone_mass", OHE_VALUE_TYPE_SCALAR, "kg", OHE_AGGREGATION_NEVER, "Bone mass"},
    {"body_water_mass", OHE_VALUE_TYPE_SCALAR, "kg", OHE_AGGREGATION_NEVER, "Body water mass"},
    {"body_water_ratio", OHE_VALUE_TYPE_SCALAR, "%", OHE_AGGREGATION_NEVER, "Body water ratio"},
    {"visceral_fat_index", OHE_VALUE_TYPE_SCALAR, "1", OHE_AGGREGATION_NEVER, "Visceral fat index"},
    {"basal_metabolic_rate", OHE_VALUE_TYPE_SCALAR, "kcal/d", OHE_AGGREGATION_NEVER,
     "Basal metabolic rate"},
    {"metabolic_age", OHE_VALUE_TYPE_SCALAR, "a", OHE_AGGREGATION_NEVER, "Metabolic age"},
    {"steps", OHE_VALUE_TYPE_SCALAR, "{steps}", OHE_AGGREGATION_SUM, "Steps"},
    {"sleep", OHE_VALUE_TYPE_SESSION, "s", OHE_AGGREGATION_NEVER, "Sleep"},
};

G_STATIC_ASSERT (G_N_ELEMENTS (ohe_measurement_kind_table) == OHE_MEASUREMENT_KIND_LAST);

static const OheMeasurementKindInfo *
ohe_measurement_kind_info (OheMeasurementKind kind)
{
	if ((guint)kind >= OHE_MEASUREMENT_KIND_LAST)
		kind = OHE_MEASUREMENT_KIND_UNKNOWN;
	return &ohe_measurement_kind_table[kind];
}

/**
 * ohe_measurement_kind_to_string:
 * @kind: an #OheMeasurementKind
 *
 * Returns: the canonical name, e.g. `heart_rate`
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_kind_to_string (OheMeasurementKind kind)
{
	return ohe_measurement_kind_info (kind)->name;
}

/**
 * ohe_measurement_kind_from_string:
 * @name: (nullable): a canonical kind name
 *
 * Returns: the kind, or %OHE_MEASUREMENT_KIND_UNKNOWN if @name is not a kind
 *
 * Since: 0.1
 */
OheMeasurementKind
ohe_measurement_kind_from_string (const gchar *name)
{
	if (name == NULL)
		return OHE_MEASUREMENT_KIND_UNKNOWN;
	for (guint i = 1; i < OHE_MEASUREMENT_KIND_LAST; i++) {
		if (g_strcmp0 (ohe_measurement_kind_table[i].name, name) == 0)
			return (OheMeasurementKind)i;
	}
	return OHE_MEASUREMENT_KIND_UNKNOWN;
}

/**
 * ohe_measurement_kind_get_unit:
 * @kind: an #OheMeasurementKind
 *
 * Returns: (nullable): the canonical UCUM unit, or %NULL for a classification
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_kind_get_unit (OheMeasurementKind kind)
{
	return ohe_measurement_kind_info (kind)->unit;
}

/**
 * ohe_measurement_kind_get_value_type:
 * @kind: an #OheMeasurementKind
 *
 * Returns: the value type of @kind
 *
 * Since: 0.1
 */
OheValueType
ohe_measurement_kind_get_value_type (OheMeasurementKind kind)
{
	return ohe_measurement_kind_info (kind)->value_type;
}

/**
 * ohe_measurement_kind_get_aggregation:
 * @kind: an #OheMeasurementKind
 *
 * Returns: how stream samples of @kind are aggregated hourly
 *
 * Since: 0.1
 */
OheAggregation
ohe_measurement_kind_get_aggregation (OheMeasurementKind kind)
{
	return ohe_measurement_kind_info (kind)->aggregation;
}

/**
 * ohe_measurement_kind_get_description:
 * @kind: an #OheMeasurementKind
 *
 * Returns: an English description, e.g. `Heart rate`
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_kind_get_description (OheMeasurementKind kind)
{
	return ohe_measurement_kind_info (kind)->description;
}
