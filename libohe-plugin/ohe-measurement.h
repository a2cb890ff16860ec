/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "ohe-measurement-kind.h"
#include "ohe-series.h"

G_BEGIN_DECLS

#define OHE_TYPE_MEASUREMENT (ohe_measurement_get_type ())

/**
 * OheMeasurement:
 *
 * One normalised measurement: a kind, a time (UTC plus the user's offset),
 * a value in the canonical unit of the kind (or components, series,
 * statistics, a classification) and its provenance. It lives only in
 * worker memory between fetch and push; ohed never stores it.
 *
 * Since: 0.1
 */
typedef struct _OheMeasurement OheMeasurement;

/**
 * OheMeasurementOrigin:
 * @OHE_MEASUREMENT_ORIGIN_SPOT: a deliberate single reading
 * @OHE_MEASUREMENT_ORIGIN_STREAM: a sample recorded passively by a wearable
 * @OHE_MEASUREMENT_ORIGIN_SUMMARY: a value the provider computed over a day or night
 *
 * Since: 0.1
 */
typedef enum {
	OHE_MEASUREMENT_ORIGIN_SPOT,
	OHE_MEASUREMENT_ORIGIN_STREAM,
	OHE_MEASUREMENT_ORIGIN_SUMMARY,
} OheMeasurementOrigin;

/**
 * OheStatistic:
 * @OHE_STATISTIC_MINIMUM: the smallest value of the period
 * @OHE_STATISTIC_MAXIMUM: the largest value of the period
 * @OHE_STATISTIC_MEAN: the mean of the period
 * @OHE_STATISTIC_SUM: the total of the period (steps)
 * @OHE_STATISTIC_COUNT: the number of source values
 * @OHE_STATISTIC_STD_DEV: the standard deviation (provider summaries)
 *
 * Since: 0.1
 */
typedef enum {
	OHE_STATISTIC_MINIMUM,
	OHE_STATISTIC_MAXIMUM,
	OHE_STATISTIC_MEAN,
	OHE_STATISTIC_SUM,
	OHE_STATISTIC_COUNT,
	OHE_STATISTIC_STD_DEV,
	/*< private >*/
	OHE_STATISTIC_LAST
} OheStatistic;

GType
ohe_measurement_get_type (void) G_GNUC_CONST;
OheMeasurement *
ohe_measurement_new (OheMeasurementKind kind);
OheMeasurement *
ohe_measurement_ref (OheMeasurement *self);
void
ohe_measurement_unref (OheMeasurement *self);

OheMeasurementKind
ohe_measurement_get_kind (OheMeasurement *self);
const gchar *
ohe_measurement_get_unit (OheMeasurement *self);
void
ohe_measurement_set_origin (OheMeasurement *self, OheMeasurementOrigin origin);
OheMeasurementOrigin
ohe_measurement_get_origin (OheMeasurement *self);

void
ohe_measurement_set_time (OheMeasurement *self, gint64 start_us, gint64 end_us);
gint64
ohe_measurement_get_start (OheMeasurement *self);
gint64
ohe_measurement_get_end (OheMeasurement *self);
void
ohe_measurement_set_utc_offset (OheMeasurement *self, gint32 seconds);
gint32
ohe_measurement_get_utc_offset (OheMeasurement *self);

void
ohe_measurement_set_value (OheMeasurement *self, gdouble value);
void
ohe_measurement_set_value_decimal (OheMeasurement *self, gint64 mantissa, gint exponent);
gboolean
ohe_measurement_has_value (OheMeasurement *self);
gdouble
ohe_measurement_get_value (OheMeasurement *self);
void
ohe_measurement_get_value_decimal (OheMeasurement *self, gint64 *mantissa, gint *exponent);
gchar *
ohe_measurement_format_value (OheMeasurement *self);

void
ohe_measurement_set_component (OheMeasurement *self, const gchar *name, gdouble value);
void
ohe_measurement_set_component_decimal (OheMeasurement *self,
				       const gchar *name,
				       gint64 mantissa,
				       gint exponent);
gboolean
ohe_measurement_get_component (OheMeasurement *self, const gchar *name, gdouble *value);
gboolean
ohe_measurement_get_component_decimal (OheMeasurement *self,
				       const gchar *name,
				       gint64 *mantissa,
				       gint *exponent);
guint
ohe_measurement_get_n_components (OheMeasurement *self);
const gchar *
ohe_measurement_get_component_name (OheMeasurement *self, guint idx);

void
ohe_measurement_add_series (OheMeasurement *self, OheSeries *series);
guint
ohe_measurement_get_n_series (OheMeasurement *self);
OheSeries *
ohe_measurement_get_series (OheMeasurement *self, guint idx);

void
ohe_measurement_set_statistic (OheMeasurement *self, OheStatistic statistic, gdouble value);
gboolean
ohe_measurement_get_statistic (OheMeasurement *self, OheStatistic statistic, gdouble *value);
gboolean
ohe_measurement_is_aggregate (OheMeasurement *self);

void
ohe_measurement_set_classification (OheMeasurement *self, const gchar *code, const gchar *raw);
const gchar *
ohe_measurement_get_classification (OheMeasurement *self);
const gchar *
ohe_measurement_get_classification_raw (OheMeasurement *self);

void
ohe_measurement_set_provider (OheMeasurement *self, const gchar *provider);
const gchar *
ohe_measurement_get_provider (OheMeasurement *self);
void
ohe_measurement_set_device_id (OheMeasurement *self, const gchar *device_id);
const gchar *
ohe_measurement_get_device_id (OheMeasurement *self);
void
ohe_measurement_set_native_id (OheMeasurement *self, const gchar *native_id);
const gchar *
ohe_measurement_get_native_id (OheMeasurement *self);
void
ohe_measurement_set_parent (OheMeasurement *self,
			    OheMeasurementKind parent_kind,
			    const gchar *parent_native_id);
OheMeasurementKind
ohe_measurement_get_parent_kind (OheMeasurement *self);
const gchar *
ohe_measurement_get_parent_native_id (OheMeasurement *self);
void
ohe_measurement_set_manual (OheMeasurement *self, gboolean manual);
gboolean
ohe_measurement_get_manual (OheMeasurement *self);
void
ohe_measurement_set_retracted (OheMeasurement *self, gboolean retracted);
gboolean
ohe_measurement_get_retracted (OheMeasurement *self);
void
ohe_measurement_set_qualifier (OheMeasurement *self, const gchar *key, const gchar *value);
const gchar *
ohe_measurement_get_qualifier (OheMeasurement *self, const gchar *key);

gboolean
ohe_measurement_validate (OheMeasurement *self, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheMeasurement, ohe_measurement_unref)

G_END_DECLS
