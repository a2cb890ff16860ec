/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-series.h"

struct _OheSeries {
	gint ref_count;
	gchar *name;	     /* owned, e.g. lead "I" */
	gdouble interval_ms; /* 0 when offsets are used */
	gdouble factor;	     /* unit per raw integer */
	gdouble origin;	     /* value of raw 0 */
	GArray *samples;     /* owned, of gint32 */
	GArray *offsets;     /* owned, of gdouble in ms; NULL for a fixed interval */
};

G_DEFINE_BOXED_TYPE (OheSeries, ohe_series, ohe_series_ref, ohe_series_unref)

static OheSeries *
ohe_series_new_internal (const gchar *name)
{
	OheSeries *self = g_new0 (OheSeries, 1);
	self->ref_count = 1;
	self->name = g_strdup (name);
	self->factor = 1.0;
	self->samples = g_array_new (FALSE, FALSE, sizeof (gint32));
	return self;
}

/**
 * ohe_series_new_with_interval:
 * @name: (nullable): the signal name, e.g. the ECG lead `I`
 * @interval_ms: the time between samples in milliseconds, 1000 / frequency
 *
 * Returns: (transfer full): a new series with a fixed sampling interval
 *
 * Since: 0.1
 */
OheSeries *
ohe_series_new_with_interval (const gchar *name, gdouble interval_ms)
{
	OheSeries *self;
	g_return_val_if_fail (interval_ms > 0, NULL);
	self = ohe_series_new_internal (name);
	self->interval_ms = interval_ms;
	return self;
}

/**
 * ohe_series_new_with_offsets:
 * @name: (nullable): the signal name
 *
 * Returns: (transfer full): a new series where each sample has its own offset
 *
 * Since: 0.1
 */
OheSeries *
ohe_series_new_with_offsets (const gchar *name)
{
	OheSeries *self = ohe_series_new_internal (name);
	self->offsets = g_array_new (FALSE, FALSE, sizeof (gdouble));
	return self;
}

/**
 * ohe_series_ref:
 * @self: an #OheSeries
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
OheSeries *
ohe_series_ref (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	g_atomic_int_inc (&self->ref_count);
	return self;
}

/**
 * ohe_series_unref:
 * @self: (transfer full): an #OheSeries
 *
 * Since: 0.1
 */
void
ohe_series_unref (OheSeries *self)
{
	g_return_if_fail (self != NULL);
	if (!g_atomic_int_dec_and_test (&self->ref_count))
		return;
	g_free (self->name);
	g_array_unref (self->samples);
	if (self->offsets != NULL)
		g_array_unref (self->offsets);
	g_free (self);
}

/**
 * ohe_series_get_name:
 * @self: an #OheSeries
 *
 * Returns: (nullable): the signal name
 *
 * Since: 0.1
 */
const gchar *
ohe_series_get_name (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->name;
}

/**
 * ohe_series_get_interval:
 * @self: an #OheSeries
 *
 * Returns: the sampling interval in ms, or 0 for a series with offsets
 *
 * Since: 0.1
 */
gdouble
ohe_series_get_interval (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->interval_ms;
}

/**
 * ohe_series_has_offsets:
 * @self: an #OheSeries
 *
 * Returns: %TRUE if each sample carries its own offset
 *
 * Since: 0.1
 */
gboolean
ohe_series_has_offsets (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->offsets != NULL;
}

/**
 * ohe_series_set_factor:
 * @self: an #OheSeries
 * @factor: the value of one raw unit, e.g. 0.001 for µV samples of a mV kind
 *
 * Since: 0.1
 */
void
ohe_series_set_factor (OheSeries *self, gdouble factor)
{
	g_return_if_fail (self != NULL);
	self->factor = factor;
}

/**
 * ohe_series_get_factor:
 * @self: an #OheSeries
 *
 * Returns: the scale factor
 *
 * Since: 0.1
 */
gdouble
ohe_series_get_factor (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, 1.0);
	return self->factor;
}

/**
 * ohe_series_set_origin:
 * @self: an #OheSeries
 * @origin: the value of a raw zero
 *
 * Since: 0.1
 */
void
ohe_series_set_origin (OheSeries *self, gdouble origin)
{
	g_return_if_fail (self != NULL);
	self->origin = origin;
}

/**
 * ohe_series_get_origin:
 * @self: an #OheSeries
 *
 * Returns: the value of a raw zero
 *
 * Since: 0.1
 */
gdouble
ohe_series_get_origin (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->origin;
}

/**
 * ohe_series_append_sample:
 * @self: an #OheSeries with a fixed interval
 * @value: the raw sample
 *
 * Since: 0.1
 */
void
ohe_series_append_sample (OheSeries *self, gint32 value)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail (self->offsets == NULL);
	g_array_append_val (self->samples, value);
}

/**
 * ohe_series_append_samples:
 * @self: an #OheSeries with a fixed interval
 * @values: (array length=n_values): raw samples
 * @n_values: the number of samples
 *
 * Since: 0.1
 */
void
ohe_series_append_samples (OheSeries *self, const gint32 *values, gsize n_values)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail (self->offsets == NULL);
	g_array_append_vals (self->samples, values, n_values);
}

/**
 * ohe_series_append_offset_sample:
 * @self: an #OheSeries with offsets
 * @offset_ms: the time of the sample after the measurement start, in ms
 * @value: the raw sample
 * @error: a #GError, or %NULL
 *
 * Offsets must not decrease.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
ohe_series_append_offset_sample (OheSeries *self, gdouble offset_ms, gint32 value, GError **error)
{
	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (self->offsets != NULL, FALSE);
	if (offset_ms < 0 ||
	    (self->offsets->len > 0 &&
	     offset_ms < g_array_index (self->offsets, gdouble, self->offsets->len - 1))) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "series offset %.3f ms is negative or before the previous one",
			     offset_ms);
		return FALSE;
	}
	g_array_append_val (self->offsets, offset_ms);
	g_array_append_val (self->samples, value);
	return TRUE;
}

/**
 * ohe_series_get_samples:
 * @self: an #OheSeries
 * @n_samples: (out): the number of samples
 *
 * Returns: (array length=n_samples) (transfer none): the raw samples
 *
 * Since: 0.1
 */
const gint32 *
ohe_series_get_samples (OheSeries *self, gsize *n_samples)
{
	g_return_val_if_fail (self != NULL, NULL);
	*n_samples = self->samples->len;
	return (const gint32 *)self->samples->data;
}

/**
 * ohe_series_get_offsets:
 * @self: an #OheSeries
 * @n_offsets: (out): the number of offsets
 *
 * Returns: (array length=n_offsets) (transfer none) (nullable): the offsets in ms
 *
 * Since: 0.1
 */
const gdouble *
ohe_series_get_offsets (OheSeries *self, gsize *n_offsets)
{
	g_return_val_if_fail (self != NULL, NULL);
	if (self->offsets == NULL) {
		*n_offsets = 0;
		return NULL;
	}
	*n_offsets = self->offsets->len;
	return (const gdouble *)self->offsets->data;
}

/**
 * ohe_series_get_n_samples:
 * @self: an #OheSeries
 *
 * Returns: the number of samples
 *
 * Since: 0.1
 */
guint
ohe_series_get_n_samples (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->samples->len;
}

/**
 * ohe_series_get_duration_ms:
 * @self: an #OheSeries
 *
 * Returns: the time covered by the samples in ms
 *
 * Since: 0.1
 */
gdouble
ohe_series_get_duration_ms (OheSeries *self)
{
	g_return_val_if_fail (self != NULL, 0);
	if (self->offsets != NULL) {
		if (self->offsets->len == 0)
			return 0;
		return g_array_index (self->offsets, gdouble, self->offsets->len - 1);
	}
	return self->interval_ms * self->samples->len;
}
