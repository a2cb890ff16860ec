/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_METRICS (ohe_metrics_get_type ())
G_DECLARE_FINAL_TYPE (OheMetrics, ohe_metrics, OHE, METRICS, GObject)

OheMetrics *
ohe_metrics_new (void);
gboolean
ohe_metrics_register_counter (OheMetrics *self,
			      const gchar *name,
			      const gchar *help,
			      const gchar *const *label_names,
			      GError **error);
gboolean
ohe_metrics_register_gauge (OheMetrics *self,
			    const gchar *name,
			    const gchar *help,
			    const gchar *const *label_names,
			    GError **error);
gboolean
ohe_metrics_register_histogram (OheMetrics *self,
				const gchar *name,
				const gchar *help,
				const gchar *const *label_names,
				const gdouble *buckets,
				gsize n_buckets,
				GError **error);
void
ohe_metrics_counter_add (OheMetrics *self,
			 const gchar *name,
			 const gchar *const *label_values,
			 gdouble value);
void
ohe_metrics_gauge_set (OheMetrics *self,
		       const gchar *name,
		       const gchar *const *label_values,
		       gdouble value);
void
ohe_metrics_gauge_add (OheMetrics *self,
		       const gchar *name,
		       const gchar *const *label_values,
		       gdouble value);
void
ohe_metrics_histogram_observe (OheMetrics *self,
			       const gchar *name,
			       const gchar *const *label_values,
			       gdouble value);
gdouble
ohe_metrics_get_value (OheMetrics *self, const gchar *name, const gchar *const *label_values);
guint64
ohe_metrics_get_histogram_count (OheMetrics *self,
				 const gchar *name,
				 const gchar *const *label_values);
GPtrArray *
ohe_metrics_list_series (OheMetrics *self, const gchar *name);
gchar *
ohe_metrics_render (OheMetrics *self);

/**
 * OHE_METRICS_LABELS:
 *
 * Builds the NULL-terminated label array the metric calls take, e.g.
 * `OHE_METRICS_LABELS ("withings", "200")`.
 *
 * Since: 0.1
 */
#define OHE_METRICS_LABELS(...) ((const gchar *const[]){__VA_ARGS__, NULL})

G_END_DECLS
