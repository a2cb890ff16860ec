/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-classification.h"
#include "ohe-component-name.h"
#include "ohe-decimal.h"
#include "ohe-error.h"
#include "ohe-measurement.h"
#include "ohe-qualifier.h"
#include "ohe-series-name.h"

#define OHE_MEASUREMENT_MAX_COMPONENTS 4

typedef struct {
	const gchar *name; /* interned */
	gint64 mantissa;
	gint exponent;
} OheMeasurementComponent;

struct _OheMeasurement {
	gint ref_count;
	OheMeasurementKind kind;
	OheMeasurementOrigin origin;
	gint64 start_us; /* UTC, µs since the epoch */
	gint64 end_us;	 /* UTC; equal to start_us for a spot reading */
	gint32 utc_offset;
	gboolean has_value;
	gint64 mantissa;
	gint exponent;
	guint n_components;
	OheMeasurementComponent components[OHE_MEASUREMENT_MAX_COMPONENTS];
	GPtrArray *series;    /* nullable, owned, of OheSeries */
	guint statistics_set; /* bit per OheStatistic */
	gdouble statistics[OHE_STATISTIC_LAST];
	const gchar *classification; /* interned, nullable */
	gchar *classification_raw;   /* owned, nullable */
	const gchar *provider;	     /* interned, nullable */
	gchar *device_id;	     /* owned, nullable */
	gchar *native_id;	     /* owned, nullable */
	OheMeasurementKind parent_kind;
	gchar *parent_native_id; /* owned, nullable */
	gboolean manual;
	gboolean retracted;
	GPtrArray *qualifiers; /* nullable, owned: key, value, key, value… */
};

G_DEFINE_BOXED_TYPE (OheMeasurement, ohe_measurement, ohe_measurement_ref, ohe_measurement_unref)

/**
 * ohe_measurement_new:
 * @kind: an #OheMeasurementKind
 *
 * Returns: (transfer full): a new measurement without a value
 *
 * Since: 0.1
 */
OheMeasurement *
ohe_measurement_new (OheMeasurementKind kind)
{
	OheMeasurement *self = g_new0 (OheMeasurement, 1);
	self->ref_count = 1;
	self->kind = kind;
	return self;
}

/**
 * ohe_measurement_ref:
 * @self: an #OheMeasurement
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
OheMeasurement *
ohe_measurement_ref (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	g_atomic_int_inc (&self->ref_count);
	return self;
}

/**
 * ohe_measurement_unref:
 * @self: (transfer full): an #OheMeasurement
 *
 * Since: 0.1
 */
void
ohe_measurement_unref (OheMeasurement *self)
{
	g_return_if_fail (self != NULL);
	if (!g_atomic_int_dec_and_test (&self->ref_count))
		return;
	if (self->series != NULL)
		g_ptr_array_unref (self->series);
	if (self->qualifiers != NULL)
		g_ptr_array_unref (self->qualifiers);
	g_free (self->classification_raw);
	g_free (self->device_id);
	g_free (self->native_id);
	g_free (self->parent_native_id);
	g_free (self);
}

/**
 * ohe_measurement_get_kind:
 * @self: an #OheMeasurement
 *
 * Returns: the kind
 *
 * Since: 0.1
 */
OheMeasurementKind
ohe_measurement_get_kind (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, OHE_MEASUREMENT_KIND_UNKNOWN);
	return self->kind;
}

/**
 * ohe_measurement_get_unit:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the canonical UCUM unit of the value, components and series
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_unit (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return ohe_measurement_kind_get_unit (self->kind);
}

/**
 * ohe_measurement_set_origin:
 * @self: an #OheMeasurement
 * @origin: an #OheMeasurementOrigin
 *
 * Since: 0.1
 */
void
ohe_measurement_set_origin (OheMeasurement *self, OheMeasurementOrigin origin)
{
	g_return_if_fail (self != NULL);
	self->origin = origin;
}

/**
 * ohe_measurement_get_origin:
 * @self: an #OheMeasurement
 *
 * Returns: the origin
 *
 * Since: 0.1
 */
OheMeasurementOrigin
ohe_measurement_get_origin (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, OHE_MEASUREMENT_ORIGIN_SPOT);
	return self->origin;
}

/**
 * ohe_measurement_set_time:
 * @self: an #OheMeasurement
 * @start_us: the start, UTC microseconds since the epoch
 * @end_us: the end of the half-open interval; equal to @start_us for an instant
 *
 * Since: 0.1
 */
void
ohe_measurement_set_time (OheMeasurement *self, gint64 start_us, gint64 end_us)
{
	g_return_if_fail (self != NULL);
	self->start_us = start_us;
	self->end_us = end_us;
}

/**
 * ohe_measurement_get_start:
 * @self: an #OheMeasurement
 *
 * Returns: the start, UTC microseconds since the epoch
 *
 * Since: 0.1
 */
gint64
ohe_measurement_get_start (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->start_us;
}

/**
 * ohe_measurement_get_end:
 * @self: an #OheMeasurement
 *
 * Returns: the end, UTC microseconds since the epoch
 *
 * Since: 0.1
 */
gint64
ohe_measurement_get_end (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->end_us;
}

/**
 * ohe_measurement_set_utc_offset:
 * @self: an #OheMeasurement
 * @seconds: the user's UTC offset at the time of the measurement
 *
 * Since: 0.1
 */
void
ohe_measurement_set_utc_offset (OheMeasurement *self, gint32 seconds)
{
	g_return_if_fail (self != NULL);
	self->utc_offset = seconds;
}

/**
 * ohe_measurement_get_utc_offset:
 * @self: an #OheMeasurement
 *
 * Returns: the UTC offset in seconds
 *
 * Since: 0.1
 */
gint32
ohe_measurement_get_utc_offset (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->utc_offset;
}

/**
 * ohe_measurement_set_value:
 * @self: an #OheMeasurement
 * @value: the value in the canonical unit of the kind
 *
 * Stores the shortest decimal that converts back to @value.
 *
 * Since: 0.1
 */
void
ohe_measurement_set_value (OheMeasurement *self, gdouble value)
{
	g_return_if_fail (self != NULL);
	ohe_decimal_from_double (value, &self->mantissa, &self->exponent);
	self->has_value = TRUE;
}

/**
 * ohe_measurement_set_value_decimal:
 * @self: an #OheMeasurement
 * @mantissa: the mantissa
 * @exponent: the power of ten, e.g. the Withings `unit`
 *
 * Stores an exact decimal value in the canonical unit of the kind.
 *
 * Since: 0.1
 */
void
ohe_measurement_set_value_decimal (OheMeasurement *self, gint64 mantissa, gint exponent)
{
	g_return_if_fail (self != NULL);
	self->mantissa = mantissa;
	self->exponent = exponent;
	ohe_decimal_normalize (&self->mantissa, &self->exponent);
	self->has_value = TRUE;
}

/**
 * ohe_measurement_has_value:
 * @self: an #OheMeasurement
 *
 * Returns: %TRUE if a scalar value was set
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_has_value (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->has_value;
}

/**
 * ohe_measurement_get_value:
 * @self: an #OheMeasurement
 *
 * Returns: the scalar value as a double, or 0 when unset
 *
 * Since: 0.1
 */
gdouble
ohe_measurement_get_value (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return ohe_decimal_to_double (self->mantissa, self->exponent);
}

/**
 * ohe_measurement_get_value_decimal:
 * @self: an #OheMeasurement
 * @mantissa: (out): the mantissa
 * @exponent: (out): the power of ten
 *
 * Since: 0.1
 */
void
ohe_measurement_get_value_decimal (OheMeasurement *self, gint64 *mantissa, gint *exponent)
{
	g_return_if_fail (self != NULL);
	*mantissa = self->mantissa;
	*exponent = self->exponent;
}

/**
 * ohe_measurement_format_value:
 * @self: an #OheMeasurement
 *
 * Returns: (transfer full): the exact decimal notation of the value, e.g. `72.345`
 *
 * Since: 0.1
 */
gchar *
ohe_measurement_format_value (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return ohe_decimal_to_string (self->mantissa, self->exponent);
}

static OheMeasurementComponent *
ohe_measurement_lookup_component (OheMeasurement *self, const gchar *name)
{
	const gchar *interned = g_intern_string (name);
	for (guint i = 0; i < self->n_components; i++) {
		if (self->components[i].name == interned)
			return &self->components[i];
	}
	return NULL;
}

/**
 * ohe_measurement_set_component_decimal:
 * @self: an #OheMeasurement
 * @name: the component, e.g. `systolic`
 * @mantissa: the mantissa
 * @exponent: the power of ten
 *
 * Sets or replaces a named component in the canonical unit of the kind.
 *
 * Since: 0.1
 */
void
ohe_measurement_set_component_decimal (OheMeasurement *self,
				       const gchar *name,
				       gint64 mantissa,
				       gint exponent)
{
	OheMeasurementComponent *component;

	g_return_if_fail (self != NULL);
	g_return_if_fail (name != NULL);

	component = ohe_measurement_lookup_component (self, name);
	if (component == NULL) {
		g_return_if_fail (self->n_components < OHE_MEASUREMENT_MAX_COMPONENTS);
		component = &self->components[self->n_components++];
		component->name = g_intern_string (name);
	}
	ohe_decimal_normalize (&mantissa, &exponent);
	component->mantissa = mantissa;
	component->exponent = exponent;
}

/**
 * ohe_measurement_set_component:
 * @self: an #OheMeasurement
 * @name: the component, e.g. `systolic`
 * @value: the value in the canonical unit of the kind
 *
 * Since: 0.1
 */
void
ohe_measurement_set_component (OheMeasurement *self, const gchar *name, gdouble value)
{
	gint64 mantissa;
	gint exponent;
	ohe_decimal_from_double (value, &mantissa, &exponent);
	ohe_measurement_set_component_decimal (self, name, mantissa, exponent);
}

/**
 * ohe_measurement_get_component:
 * @self: an #OheMeasurement
 * @name: the component
 * @value: (out) (optional): the value
 *
 * Returns: %TRUE if the component is set
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_get_component (OheMeasurement *self, const gchar *name, gdouble *value)
{
	OheMeasurementComponent *component;
	g_return_val_if_fail (self != NULL, FALSE);
	component = ohe_measurement_lookup_component (self, name);
	if (component == NULL)
		return FALSE;
	if (value != NULL)
		*value = ohe_decimal_to_double (component->mantissa, component->exponent);
	return TRUE;
}

/**
 * ohe_measurement_get_component_decimal:
 * @self: an #OheMeasurement
 * @name: the component
 * @mantissa: (out): the mantissa
 * @exponent: (out): the power of ten
 *
 * Returns: %TRUE if the component is set
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_get_component_decimal (OheMeasurement *self,
				       const gchar *name,
				       gint64 *mantissa,
				       gint *exponent)
{
	OheMeasurementComponent *component;
	g_return_val_if_fail (self != NULL, FALSE);
	component = ohe_measurement_lookup_component (self, name);
	if (component == NULL)
		return FALSE;
	*mantissa = component->mantissa;
	*exponent = component->exponent;
	return TRUE;
}

/**
 * ohe_measurement_get_n_components:
 * @self: an #OheMeasurement
 *
 * Returns: the number of components
 *
 * Since: 0.1
 */
guint
ohe_measurement_get_n_components (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->n_components;
}

/**
 * ohe_measurement_get_component_name:
 * @self: an #OheMeasurement
 * @idx: an index below ohe_measurement_get_n_components()
 *
 * Returns: (nullable): the name of the component, in the order they were set
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_component_name (OheMeasurement *self, guint idx)
{
	g_return_val_if_fail (self != NULL, NULL);
	if (idx >= self->n_components)
		return NULL;
	return self->components[idx].name;
}

/**
 * ohe_measurement_add_series:
 * @self: an #OheMeasurement
 * @series: an #OheSeries, e.g. one ECG lead
 *
 * Since: 0.1
 */
void
ohe_measurement_add_series (OheMeasurement *self, OheSeries *series)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail (series != NULL);
	if (self->series == NULL)
		self->series = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_series_unref);
	g_ptr_array_add (self->series, ohe_series_ref (series));
}

/**
 * ohe_measurement_get_n_series:
 * @self: an #OheMeasurement
 *
 * Returns: the number of series
 *
 * Since: 0.1
 */
guint
ohe_measurement_get_n_series (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->series != NULL ? self->series->len : 0;
}

/**
 * ohe_measurement_get_series:
 * @self: an #OheMeasurement
 * @idx: an index below ohe_measurement_get_n_series()
 *
 * Returns: (transfer none) (nullable): the series
 *
 * Since: 0.1
 */
OheSeries *
ohe_measurement_get_series (OheMeasurement *self, guint idx)
{
	g_return_val_if_fail (self != NULL, NULL);
	if (self->series == NULL || idx >= self->series->len)
		return NULL;
	return g_ptr_array_index (self->series, idx);
}

/**
 * ohe_measurement_set_statistic:
 * @self: an #OheMeasurement
 * @statistic: an #OheStatistic
 * @value: the value in the canonical unit (a plain number for the count)
 *
 * Makes @self an aggregate over its period.
 *
 * Since: 0.1
 */
void
ohe_measurement_set_statistic (OheMeasurement *self, OheStatistic statistic, gdouble value)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail ((guint)statistic < OHE_STATISTIC_LAST);
	self->statistics[statistic] = value;
	self->statistics_set |= 1u << statistic;
}

/**
 * ohe_measurement_get_statistic:
 * @self: an #OheMeasurement
 * @statistic: an #OheStatistic
 * @value: (out) (optional): the value
 *
 * Returns: %TRUE if the statistic is set
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_get_statistic (OheMeasurement *self, OheStatistic statistic, gdouble *value)
{
	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail ((guint)statistic < OHE_STATISTIC_LAST, FALSE);
	if ((self->statistics_set & (1u << statistic)) == 0)
		return FALSE;
	if (value != NULL)
		*value = self->statistics[statistic];
	return TRUE;
}

/**
 * ohe_measurement_is_aggregate:
 * @self: an #OheMeasurement
 *
 * Returns: %TRUE if any statistic is set
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_is_aggregate (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->statistics_set != 0;
}

/**
 * ohe_measurement_set_classification:
 * @self: an #OheMeasurement
 * @code: the canonical code, e.g. `negative`
 * @raw: (nullable): the provider's raw value, kept as text
 *
 * Since: 0.1
 */
void
ohe_measurement_set_classification (OheMeasurement *self, const gchar *code, const gchar *raw)
{
	g_return_if_fail (self != NULL);
	self->classification = g_intern_string (code);
	g_free (self->classification_raw);
	self->classification_raw = g_strdup (raw);
}

/**
 * ohe_measurement_get_classification:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the canonical classification code
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_classification (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->classification;
}

/**
 * ohe_measurement_get_classification_raw:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the provider's raw classification
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_classification_raw (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->classification_raw;
}

/**
 * ohe_measurement_set_provider:
 * @self: an #OheMeasurement
 * @provider: the provider plugin name, e.g. `withings`
 *
 * Since: 0.1
 */
void
ohe_measurement_set_provider (OheMeasurement *self, const gchar *provider)
{
	g_return_if_fail (self != NULL);
	self->provider = g_intern_string (provider);
}

/**
 * ohe_measurement_get_provider:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the provider name
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_provider (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->provider;
}

/**
 * ohe_measurement_set_device_id:
 * @self: an #OheMeasurement
 * @device_id: (nullable): the provider's device id
 *
 * Since: 0.1
 */
void
ohe_measurement_set_device_id (OheMeasurement *self, const gchar *device_id)
{
	g_return_if_fail (self != NULL);
	g_free (self->device_id);
	self->device_id = g_strdup (device_id);
}

/**
 * ohe_measurement_get_device_id:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the provider's device id
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_device_id (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->device_id;
}

/**
 * ohe_measurement_set_native_id:
 * @self: an #OheMeasurement
 * @native_id: (nullable): the provider's own id, e.g. a Withings `grpid`
 *
 * Since: 0.1
 */
void
ohe_measurement_set_native_id (OheMeasurement *self, const gchar *native_id)
{
	g_return_if_fail (self != NULL);
	g_free (self->native_id);
	self->native_id = g_strdup (native_id);
}

/**
 * ohe_measurement_get_native_id:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the provider's own id
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_native_id (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->native_id;
}

/**
 * ohe_measurement_set_parent:
 * @self: an #OheMeasurement
 * @parent_kind: the kind of the parent, e.g. %OHE_MEASUREMENT_KIND_ECG
 * @parent_native_id: (nullable): the native id of the parent
 *
 * Marks @self as linked data of another measurement.
 *
 * Since: 0.1
 */
void
ohe_measurement_set_parent (OheMeasurement *self,
			    OheMeasurementKind parent_kind,
			    const gchar *parent_native_id)
{
	g_return_if_fail (self != NULL);
	self->parent_kind = parent_kind;
	g_free (self->parent_native_id);
	self->parent_native_id = g_strdup (parent_native_id);
}

/**
 * ohe_measurement_get_parent_kind:
 * @self: an #OheMeasurement
 *
 * Returns: the parent's kind, or %OHE_MEASUREMENT_KIND_UNKNOWN if not linked
 *
 * Since: 0.1
 */
OheMeasurementKind
ohe_measurement_get_parent_kind (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, OHE_MEASUREMENT_KIND_UNKNOWN);
	return self->parent_kind;
}

/**
 * ohe_measurement_get_parent_native_id:
 * @self: an #OheMeasurement
 *
 * Returns: (nullable): the parent's native id
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_parent_native_id (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->parent_native_id;
}

/**
 * ohe_measurement_set_manual:
 * @self: an #OheMeasurement
 * @manual: %TRUE if a person typed the value in
 *
 * Since: 0.1
 */
void
ohe_measurement_set_manual (OheMeasurement *self, gboolean manual)
{
	g_return_if_fail (self != NULL);
	self->manual = manual;
}

/**
 * ohe_measurement_get_manual:
 * @self: an #OheMeasurement
 *
 * Returns: %TRUE for a manual entry
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_get_manual (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->manual;
}

/**
 * ohe_measurement_set_retracted:
 * @self: an #OheMeasurement
 * @retracted: %TRUE if the provider deleted the measurement
 *
 * Since: 0.1
 */
void
ohe_measurement_set_retracted (OheMeasurement *self, gboolean retracted)
{
	g_return_if_fail (self != NULL);
	self->retracted = retracted;
}

/**
 * ohe_measurement_get_retracted:
 * @self: an #OheMeasurement
 *
 * Returns: %TRUE for a retraction
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_get_retracted (OheMeasurement *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->retracted;
}

/**
 * ohe_measurement_set_qualifier:
 * @self: an #OheMeasurement
 * @key: the qualifier, e.g. `wear_position` or `site`
 * @value: (nullable): the value, or %NULL to remove it
 *
 * Since: 0.1
 */
void
ohe_measurement_set_qualifier (OheMeasurement *self, const gchar *key, const gchar *value)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail (key != NULL);

	if (self->qualifiers == NULL)
		self->qualifiers = g_ptr_array_new_with_free_func (g_free);
	for (guint i = 0; i < self->qualifiers->len; i += 2) {
		if (g_strcmp0 (g_ptr_array_index (self->qualifiers, i), key) != 0)
			continue;
		if (value == NULL) {
			g_ptr_array_remove_range (self->qualifiers, i, 2);
			return;
		}
		g_free (self->qualifiers->pdata[i + 1]);
		self->qualifiers->pdata[i + 1] = g_strdup (value);
		return;
	}
	if (value == NULL)
		return;
	g_ptr_array_add (self->qualifiers, g_strdup (key));
	g_ptr_array_add (self->qualifiers, g_strdup (value));
}

/**
 * ohe_measurement_get_qualifier:
 * @self: an #OheMeasurement
 * @key: the qualifier
 *
 * Returns: (nullable): the value
 *
 * Since: 0.1
 */
const gchar *
ohe_measurement_get_qualifier (OheMeasurement *self, const gchar *key)
{
	g_return_val_if_fail (self != NULL, NULL);
	if (self->qualifiers == NULL)
		return NULL;
	for (guint i = 0; i < self->qualifiers->len; i += 2) {
		if (g_strcmp0 (g_ptr_array_index (self->qualifiers, i), key) == 0)
			return g_ptr_array_index (self->qualifiers, i + 1);
	}
	return NULL;
}

/* "a, b or c" for an error message */
static gchar *
ohe_measurement_join_names (const gchar *const *names, const gchar *last)
{
	GString *out = g_string_new (NULL);
	guint n = g_strv_length ((gchar **)names) + (last != NULL ? 1 : 0);

	if (n == 0)
		return g_string_free (out, FALSE);
	for (guint i = 0; names[i] != NULL; i++) {
		if (out->len > 0)
			g_string_append (out, i + 1 == n ? " or " : ", ");
		g_string_append (out, names[i]);
	}
	if (last != NULL) {
		if (out->len > 0)
			g_string_append (out, " or ");
		g_string_append (out, last);
	}
	return g_string_free (out, FALSE);
}

/* the names a sink relies on: series, components, qualifiers, classification (ohe-qualifier.h…) */
static gboolean
ohe_measurement_check_contract (OheMeasurement *self, const gchar *kind, GError **error)
{
	const gchar *provider = self->provider != NULL ? self->provider : "(no provider)";

	for (guint i = 0; self->series != NULL && i < self->series->len; i++) {
		const gchar *name = ohe_series_get_name (g_ptr_array_index (self->series, i));
		g_autofree gchar *known = NULL;

		if (ohe_series_name_is_valid (self->kind, name))
			continue;
		known = ohe_measurement_join_names (
		    ohe_series_name_list (self->kind),
		    ohe_series_name_allows_unnamed (self->kind) ? "unnamed" : NULL);
		if (known[0] == '\0')
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s %s measurement: the kind holds no series (series '%s')",
				     provider, kind, name != NULL ? name : "unnamed");
		else
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s %s measurement: series name '%s' is not in the contract "
				     "(expected %s)",
				     provider, kind, name != NULL ? name : "unnamed", known);
		return FALSE;
	}
	for (guint i = 0; i < self->n_components; i++) {
		const gchar *name = self->components[i].name;
		g_autofree gchar *known = NULL;

		if (ohe_component_name_is_valid (self->kind, name))
			continue;
		known = ohe_measurement_join_names (ohe_component_name_list (self->kind), NULL);
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s %s measurement: component name '%s' is not in the contract "
			     "(expected %s)",
			     provider, kind, name, known[0] != '\0' ? known : "no components");
		return FALSE;
	}
	for (guint i = 0; self->qualifiers != NULL && i < self->qualifiers->len; i += 2) {
		const gchar *key = g_ptr_array_index (self->qualifiers, i);
		const gchar *value = g_ptr_array_index (self->qualifiers, i + 1);
		const gchar *const *values;
		g_autofree gchar *known = NULL;

		if (!ohe_qualifier_is_valid_key (key)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s %s measurement: qualifier key '%s' is not in the contract",
				     provider, kind, key);
			return FALSE;
		}
		if (ohe_qualifier_is_valid_value (key, value))
			continue;
		values = ohe_qualifier_list_values (key);
		if (values != NULL)
			known = ohe_measurement_join_names (values, NULL);
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s %s measurement: qualifier %s value '%s' is not in the contract "
			     "(expected %s)",
			     provider, kind, key, value,
			     known != NULL ? known : "a positive integer");
		return FALSE;
	}
	if (self->classification != NULL &&
	    self->kind != OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION &&
	    self->kind != OHE_MEASUREMENT_KIND_ECG) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s %s measurement: the kind holds no classification ('%s')", provider,
			     kind, self->classification);
		return FALSE;
	}
	if (self->classification != NULL && !ohe_classification_is_valid (self->classification)) {
		g_autofree gchar *known =
		    ohe_measurement_join_names (ohe_classification_list (), NULL);
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s %s measurement: classification '%s' is not in the contract "
			     "(expected %s)",
			     provider, kind, self->classification, known);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_measurement_validate:
 * @self: an #OheMeasurement
 * @error: a #GError, or %NULL
 *
 * Checks that the measurement has what its kind needs and that every name a
 * sink relies on is declared by the provider ↔ sink contract: series names
 * (ohe-series-name.h), component names (ohe-component-name.h), qualifier
 * keys and closed values (ohe-qualifier.h) and classification codes
 * (ohe-classification.h, on `afib_classification` and `ecg` only). A plugin
 * bug is caught before the sink, with an error naming the provider, the kind
 * and the offending name.
 *
 * Returns: %TRUE if @self is complete and within the contract
 *
 * Since: 0.1
 */
gboolean
ohe_measurement_validate (OheMeasurement *self, GError **error)
{
	const gchar *kind = ohe_measurement_kind_to_string (self->kind);

	if (self->kind == OHE_MEASUREMENT_KIND_UNKNOWN ||
	    (guint)self->kind >= OHE_MEASUREMENT_KIND_LAST) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "measurement has no kind");
		return FALSE;
	}
	if (self->start_us <= 0 || self->end_us < self->start_us) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s measurement has no valid time (start %" G_GINT64_FORMAT
			     ", end %" G_GINT64_FORMAT ")",
			     kind, self->start_us, self->end_us);
		return FALSE;
	}
	if (!ohe_measurement_check_contract (self, kind, error))
		return FALSE;
	if (self->retracted)
		return TRUE;
	switch (ohe_measurement_kind_get_value_type (self->kind)) {
	case OHE_VALUE_TYPE_SCALAR:
		if (!self->has_value && self->statistics_set == 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s measurement has neither a value nor statistics", kind);
			return FALSE;
		}
		break;
	case OHE_VALUE_TYPE_COMPONENTS:
		if (self->n_components == 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s measurement has no components", kind);
			return FALSE;
		}
		for (const gchar *const *n = ohe_component_name_list (self->kind); *n != NULL;
		     n++) {
			if (ohe_component_name_is_required (self->kind, *n) &&
			    !ohe_measurement_get_component (self, *n, NULL)) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "%s measurement has no %s component", kind, *n);
				return FALSE;
			}
		}
		break;
	case OHE_VALUE_TYPE_SERIES:
		if (self->series == NULL || self->series->len == 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s measurement has no series", kind);
			return FALSE;
		}
		break;
	case OHE_VALUE_TYPE_CLASSIFICATION:
		if (self->classification == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s measurement has no classification", kind);
			return FALSE;
		}
		break;
	case OHE_VALUE_TYPE_SESSION:
	default:
		break;
	}
	return TRUE;
}
