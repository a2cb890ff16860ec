/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_SERIES (ohe_series_get_type ())

/**
 * OheSeries:
 *
 * Integer samples of one signal: an ECG lead (fixed interval) or an R-R
 * interval series (one offset per sample). The physical value of a sample is
 * `origin + sample × factor` in the unit of the measurement kind.
 *
 * Since: 0.1
 */
typedef struct _OheSeries OheSeries;

GType
ohe_series_get_type (void) G_GNUC_CONST;
OheSeries *
ohe_series_new_with_interval (const gchar *name, gdouble interval_ms);
OheSeries *
ohe_series_new_with_offsets (const gchar *name);
OheSeries *
ohe_series_ref (OheSeries *self);
void
ohe_series_unref (OheSeries *self);
const gchar *
ohe_series_get_name (OheSeries *self);
gdouble
ohe_series_get_interval (OheSeries *self);
gboolean
ohe_series_has_offsets (OheSeries *self);
void
ohe_series_set_factor (OheSeries *self, gdouble factor);
gdouble
ohe_series_get_factor (OheSeries *self);
void
ohe_series_set_origin (OheSeries *self, gdouble origin);
gdouble
ohe_series_get_origin (OheSeries *self);
void
ohe_series_append_sample (OheSeries *self, gint32 value);
void
ohe_series_append_samples (OheSeries *self, const gint32 *values, gsize n_values);
gboolean
ohe_series_append_offset_sample (OheSeries *self, gdouble offset_ms, gint32 value, GError **error);
const gint32 *
ohe_series_get_samples (OheSeries *self, gsize *n_samples);
const gdouble *
ohe_series_get_offsets (OheSeries *self, gsize *n_offsets);
guint
ohe_series_get_n_samples (OheSeries *self);
gdouble
ohe_series_get_duration_ms (OheSeries *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheSeries, ohe_series_unref)

G_END_DECLS
