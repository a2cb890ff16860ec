/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ohe-error.h"
#include "ohe-metrics.h"

/*
 * A Prometheus-style registry shared by the daemon and its plugins. Every
 * call may come from any worker thread, so one mutex guards the whole
 * registry: updates are a hash lookup and an addition, far too short to be
 * worth finer locking. Misuse (unknown metric, wrong label count, negative
 * counter increment) is a programming error in a plugin; it is reported
 * once per family with g_warning() and otherwise ignored so that metrics can
 * never take the daemon down.
 */

typedef enum {
	OHE_METRICS_KIND_COUNTER,
	OHE_METRICS_KIND_GAUGE,
	OHE_METRICS_KIND_HISTOGRAM,
} OheMetricsKind;

typedef enum {
	OHE_METRICS_WARNED_LABELS = 1 << 0,
	OHE_METRICS_WARNED_NEGATIVE = 1 << 1,
	OHE_METRICS_WARNED_KIND = 1 << 2,
} OheMetricsWarned;

typedef struct {
	gchar **label_values;	/* owned */
	gdouble value;		/* counter and gauge */
	guint64 *bucket_counts; /* owned, histogram: per bucket, not cumulative, +Inf last */
	gdouble sum;		/* histogram */
	guint64 count;		/* histogram */
} OheMetricsSeries;

typedef struct {
	gchar *name; /* owned */
	gchar *help; /* owned */
	OheMetricsKind kind;
	gchar **label_names; /* owned */
	guint n_labels;
	gdouble *buckets; /* owned, histogram upper bounds ascending, without +Inf */
	gsize n_buckets;
	GHashTable *series; /* owned, series key → OheMetricsSeries */
	guint warned;	    /* OheMetricsWarned */
} OheMetricsFamily;

struct _OheMetrics {
	GObject parent_instance;
	GHashTable *families;	    /* owned, name → OheMetricsFamily, protected by mutex */
	GHashTable *warned_unknown; /* owned, names already reported, protected by mutex */
	GMutex mutex;
};

G_DEFINE_TYPE (OheMetrics, ohe_metrics, G_TYPE_OBJECT)

/* the client_golang defaults, for callers that pass no buckets */
static const gdouble ohe_metrics_default_buckets[] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static const gchar *
ohe_metrics_kind_to_string (OheMetricsKind kind)
{
	static const gchar *const names[] = {"counter", "gauge", "histogram"};
	return names[kind];
}

static void
ohe_metrics_series_free (OheMetricsSeries *series)
{
	g_strfreev (series->label_values);
	g_free (series->bucket_counts);
	g_free (series);
}

static void
ohe_metrics_family_free (OheMetricsFamily *family)
{
	g_free (family->name);
	g_free (family->help);
	g_strfreev (family->label_names);
	g_free (family->buckets);
	g_hash_table_unref (family->series);
	g_free (family);
}

static void
ohe_metrics_finalize (GObject *object)
{
	OheMetrics *self = OHE_METRICS (object);
	g_hash_table_unref (self->families);
	g_hash_table_unref (self->warned_unknown);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_metrics_parent_class)->finalize (object);
}

static void
ohe_metrics_class_init (OheMetricsClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_metrics_finalize;
}

static void
ohe_metrics_init (OheMetrics *self)
{
	g_mutex_init (&self->mutex);
	self->families = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
						(GDestroyNotify)ohe_metrics_family_free);
	self->warned_unknown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * ohe_metrics_new:
 *
 * Returns: (transfer full): an empty registry
 *
 * Since: 0.1
 */
OheMetrics *
ohe_metrics_new (void)
{
	return g_object_new (OHE_TYPE_METRICS, NULL);
}

static gboolean
ohe_metrics_name_is_valid (const gchar *name, gboolean allow_colon)
{
	if (name == NULL || name[0] == '\0')
		return FALSE;
	if (g_ascii_isdigit (name[0]))
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (g_ascii_isalnum (*p) || *p == '_' || (allow_colon && *p == ':'))
			continue;
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_metrics_check_names (const gchar *name,
			 const gchar *const *label_names,
			 gboolean is_histogram,
			 GError **error)
{
	if (!ohe_metrics_name_is_valid (name, TRUE) || g_str_has_prefix (name, "__")) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "invalid metric name '%s'", name != NULL ? name : "(null)");
		return FALSE;
	}
	for (guint i = 0; label_names != NULL && label_names[i] != NULL; i++) {
		if (!ohe_metrics_name_is_valid (label_names[i], FALSE) ||
		    g_str_has_prefix (label_names[i], "__")) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "invalid label name '%s' of metric '%s'", label_names[i],
				     name);
			return FALSE;
		}
		if (is_histogram && g_strcmp0 (label_names[i], "le") == 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "label name 'le' is reserved in histogram '%s'", name);
			return FALSE;
		}
		for (guint j = 0; j < i; j++) {
			if (g_strcmp0 (label_names[i], label_names[j]) == 0) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "duplicate label name '%s' of metric '%s'",
					     label_names[i], name);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static gint
ohe_metrics_compare_doubles (gconstpointer a, gconstpointer b)
{
	gdouble da = *(const gdouble *)a;
	gdouble db = *(const gdouble *)b;
	return (da > db) - (da < db);
}

/* sorted copy of @buckets without a trailing +Inf; the +Inf bucket is implicit */
static gdouble *
ohe_metrics_normalize_buckets (
    const gchar *name, const gdouble *buckets, gsize n_buckets, gsize *n_out, GError **error)
{
	g_autofree gdouble *sorted = NULL;
	gsize n = 0;

	if (buckets == NULL || n_buckets == 0) {
		buckets = ohe_metrics_default_buckets;
		n_buckets = G_N_ELEMENTS (ohe_metrics_default_buckets);
	}
	sorted = g_new (gdouble, n_buckets);
	for (gsize i = 0; i < n_buckets; i++) {
		if (isnan (buckets[i])) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "histogram '%s' has a NaN bucket", name);
			return NULL;
		}
		if (isinf (buckets[i]) && buckets[i] > 0)
			continue;
		sorted[n++] = buckets[i];
	}
	qsort (sorted, n, sizeof (gdouble), ohe_metrics_compare_doubles);
	for (gsize i = 1; i < n; i++) {
		if (sorted[i] == sorted[i - 1]) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "histogram '%s' has a duplicate bucket", name);
			return NULL;
		}
	}
	*n_out = n;
	return g_steal_pointer (&sorted);
}

/* a length prefix per value keeps ("a,b") and ("a", "b") apart */
static gchar *
ohe_metrics_series_key (const gchar *const *label_values, guint n_labels)
{
	GString *key = g_string_new (NULL);
	for (guint i = 0; i < n_labels; i++)
		g_string_append_printf (key, "%zu:%s;", strlen (label_values[i]), label_values[i]);
	return g_string_free (key, FALSE);
}

static OheMetricsSeries *
ohe_metrics_family_add_series (OheMetricsFamily *family, const gchar *const *label_values)
{
	OheMetricsSeries *series = g_new0 (OheMetricsSeries, 1);
	series->label_values = g_new0 (gchar *, family->n_labels + 1);
	for (guint i = 0; i < family->n_labels; i++)
		series->label_values[i] = g_strdup (label_values[i]);
	if (family->kind == OHE_METRICS_KIND_HISTOGRAM)
		series->bucket_counts = g_new0 (guint64, family->n_buckets + 1);
	g_hash_table_insert (family->series,
			     ohe_metrics_series_key (label_values, family->n_labels), series);
	return series;
}

static gboolean
ohe_metrics_family_matches (OheMetricsFamily *family,
			    OheMetricsKind kind,
			    const gchar *const *label_names,
			    const gdouble *buckets,
			    gsize n_buckets)
{
	guint n_labels = label_names != NULL ? g_strv_length ((gchar **)label_names) : 0;
	if (family->kind != kind || family->n_labels != n_labels)
		return FALSE;
	for (guint i = 0; i < n_labels; i++) {
		if (g_strcmp0 (family->label_names[i], label_names[i]) != 0)
			return FALSE;
	}
	if (kind == OHE_METRICS_KIND_HISTOGRAM) {
		if (family->n_buckets != n_buckets)
			return FALSE;
		for (gsize i = 0; i < n_buckets; i++) {
			if (family->buckets[i] != buckets[i])
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean
ohe_metrics_register (OheMetrics *self,
		      OheMetricsKind kind,
		      const gchar *name,
		      const gchar *help,
		      const gchar *const *label_names,
		      const gdouble *buckets,
		      gsize n_buckets,
		      GError **error)
{
	OheMetricsFamily *family;
	OheMetricsFamily *existing;
	g_autofree gdouble *normalized = NULL;
	gsize n_normalized = 0;

	if (!ohe_metrics_check_names (name, label_names, kind == OHE_METRICS_KIND_HISTOGRAM, error))
		return FALSE;
	if (kind == OHE_METRICS_KIND_HISTOGRAM) {
		normalized =
		    ohe_metrics_normalize_buckets (name, buckets, n_buckets, &n_normalized, error);
		if (normalized == NULL)
			return FALSE;
	}

	g_mutex_lock (&self->mutex);
	existing = g_hash_table_lookup (self->families, name);
	if (existing != NULL) {
		OheMetricsKind existing_kind = existing->kind;
		gboolean same = ohe_metrics_family_matches (existing, kind, label_names, normalized,
							    n_normalized);
		g_mutex_unlock (&self->mutex);
		if (!same) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_CONFLICT,
				     "metric '%s' is already registered as a %s with other labels "
				     "or buckets",
				     name, ohe_metrics_kind_to_string (existing_kind));
			return FALSE;
		}
		return TRUE;
	}

	family = g_new0 (OheMetricsFamily, 1);
	family->name = g_strdup (name);
	family->help = g_strdup (help);
	family->kind = kind;
	family->label_names = g_strdupv ((gchar **)label_names);
	if (family->label_names == NULL)
		family->label_names = g_new0 (gchar *, 1);
	family->n_labels = g_strv_length (family->label_names);
	family->buckets = g_steal_pointer (&normalized);
	family->n_buckets = n_normalized;
	family->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)ohe_metrics_series_free);
	/* without labels there is exactly one series: expose it as 0 right away */
	if (family->n_labels == 0)
		ohe_metrics_family_add_series (family, NULL);
	g_hash_table_insert (self->families, family->name, family);
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

/**
 * ohe_metrics_register_counter:
 * @self: an #OheMetrics
 * @name: a Prometheus metric name, e.g. `ohe_fetch_total`
 * @help: a one-line description
 * @label_names: (nullable) (array zero-terminated=1): the label names
 * @error: a #GError, or %NULL
 *
 * Registers a counter. Registering the same name again with the same type
 * and labels succeeds and keeps the existing values, so plugins can
 * register lazily.
 *
 * Returns: %FALSE with %OHE_ERROR_INVALID_ARGUMENT for a bad name, or
 * %OHE_ERROR_CONFLICT if @name exists with another type or other labels
 *
 * Since: 0.1
 */
gboolean
ohe_metrics_register_counter (OheMetrics *self,
			      const gchar *name,
			      const gchar *help,
			      const gchar *const *label_names,
			      GError **error)
{
	g_return_val_if_fail (OHE_IS_METRICS (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
	return ohe_metrics_register (self, OHE_METRICS_KIND_COUNTER, name, help, label_names, NULL,
				     0, error);
}

/**
 * ohe_metrics_register_gauge:
 * @self: an #OheMetrics
 * @name: a Prometheus metric name
 * @help: a one-line description
 * @label_names: (nullable) (array zero-terminated=1): the label names
 * @error: a #GError, or %NULL
 *
 * Registers a gauge; see ohe_metrics_register_counter() for the rules.
 *
 * Returns: %TRUE if registered or already registered identically
 *
 * Since: 0.1
 */
gboolean
ohe_metrics_register_gauge (OheMetrics *self,
			    const gchar *name,
			    const gchar *help,
			    const gchar *const *label_names,
			    GError **error)
{
	g_return_val_if_fail (OHE_IS_METRICS (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
	return ohe_metrics_register (self, OHE_METRICS_KIND_GAUGE, name, help, label_names, NULL, 0,
				     error);
}

/**
 * ohe_metrics_register_histogram:
 * @self: an #OheMetrics
 * @name: a Prometheus metric name, e.g. `ohe_http_request_duration_seconds`
 * @help: a one-line description
 * @label_names: (nullable) (array zero-terminated=1): the label names; `le` is reserved
 * @buckets: (nullable) (array length=n_buckets): upper bounds of the buckets
 * @n_buckets: the number of @buckets
 * @error: a #GError, or %NULL
 *
 * Registers a histogram. The bounds are sorted; the `+Inf` bucket is added
 * automatically. Without bounds the usual Prometheus defaults (5 ms to 10 s)
 * are used. Registering again is idempotent only with the same bounds.
 *
 * Returns: %TRUE if registered or already registered identically
 *
 * Since: 0.1
 */
gboolean
ohe_metrics_register_histogram (OheMetrics *self,
				const gchar *name,
				const gchar *help,
				const gchar *const *label_names,
				const gdouble *buckets,
				gsize n_buckets,
				GError **error)
{
	g_return_val_if_fail (OHE_IS_METRICS (self), FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
	return ohe_metrics_register (self, OHE_METRICS_KIND_HISTOGRAM, name, help, label_names,
				     buckets, n_buckets, error);
}

static guint
ohe_metrics_count_values (const gchar *const *label_values)
{
	guint n = 0;
	while (label_values != NULL && label_values[n] != NULL)
		n++;
	return n;
}

/* called with the mutex held; NULL after a once-per-family warning */
static OheMetricsSeries *
ohe_metrics_lookup_series (OheMetrics *self,
			   const gchar *name,
			   OheMetricsKind kind,
			   const gchar *const *label_values,
			   gboolean create)
{
	OheMetricsFamily *family;
	OheMetricsSeries *series;
	g_autofree gchar *key = NULL;
	guint n_values;

	g_return_val_if_fail (name != NULL, NULL);

	family = g_hash_table_lookup (self->families, name);
	if (family == NULL) {
		if (create && !g_hash_table_contains (self->warned_unknown, name)) {
			g_hash_table_add (self->warned_unknown, g_strdup (name));
			g_warning ("metric '%s' is not registered", name);
		}
		return NULL;
	}
	if (family->kind != kind) {
		if (create && (family->warned & OHE_METRICS_WARNED_KIND) == 0) {
			family->warned |= OHE_METRICS_WARNED_KIND;
			g_warning ("metric '%s' is a %s, not a %s", name,
				   ohe_metrics_kind_to_string (family->kind),
				   ohe_metrics_kind_to_string (kind));
		}
		return NULL;
	}
	n_values = ohe_metrics_count_values (label_values);
	if (n_values != family->n_labels) {
		if ((family->warned & OHE_METRICS_WARNED_LABELS) == 0) {
			family->warned |= OHE_METRICS_WARNED_LABELS;
			g_warning ("metric '%s' takes %u label values, got %u", name,
				   family->n_labels, n_values);
		}
		return NULL;
	}
	key = ohe_metrics_series_key (label_values, n_values);
	series = g_hash_table_lookup (family->series, key);
	if (series == NULL && create)
		series = ohe_metrics_family_add_series (family, label_values);
	return series;
}

/**
 * ohe_metrics_counter_add:
 * @self: an #OheMetrics
 * @name: a registered counter
 * @label_values: (nullable) (array zero-terminated=1): one value per label name
 * @value: the increment, not negative
 *
 * Increments a counter. A negative or NaN increment is ignored with a warning.
 *
 * Since: 0.1
 */
void
ohe_metrics_counter_add (OheMetrics *self,
			 const gchar *name,
			 const gchar *const *label_values,
			 gdouble value)
{
	OheMetricsSeries *series;

	g_return_if_fail (OHE_IS_METRICS (self));
	g_return_if_fail (name != NULL);

	g_mutex_lock (&self->mutex);
	if (!(value >= 0)) {
		OheMetricsFamily *family = g_hash_table_lookup (self->families, name);
		if (family == NULL) {
			/* only for the once-only "not registered" warning */
			ohe_metrics_lookup_series (self, name, OHE_METRICS_KIND_COUNTER, NULL,
						   TRUE);
		} else if ((family->warned & OHE_METRICS_WARNED_NEGATIVE) == 0) {
			family->warned |= OHE_METRICS_WARNED_NEGATIVE;
			g_warning ("counter '%s' cannot be decreased", name);
		}
		g_mutex_unlock (&self->mutex);
		return;
	}
	series =
	    ohe_metrics_lookup_series (self, name, OHE_METRICS_KIND_COUNTER, label_values, TRUE);
	if (series != NULL)
		series->value += value;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_metrics_gauge_set:
 * @self: an #OheMetrics
 * @name: a registered gauge
 * @label_values: (nullable) (array zero-terminated=1): one value per label name
 * @value: the new value
 *
 * Since: 0.1
 */
void
ohe_metrics_gauge_set (OheMetrics *self,
		       const gchar *name,
		       const gchar *const *label_values,
		       gdouble value)
{
	OheMetricsSeries *series;

	g_return_if_fail (OHE_IS_METRICS (self));
	g_return_if_fail (name != NULL);

	g_mutex_lock (&self->mutex);
	series = ohe_metrics_lookup_series (self, name, OHE_METRICS_KIND_GAUGE, label_values, TRUE);
	if (series != NULL)
		series->value = value;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_metrics_gauge_add:
 * @self: an #OheMetrics
 * @name: a registered gauge
 * @label_values: (nullable) (array zero-terminated=1): one value per label name
 * @value: the change, may be negative
 *
 * Since: 0.1
 */
void
ohe_metrics_gauge_add (OheMetrics *self,
		       const gchar *name,
		       const gchar *const *label_values,
		       gdouble value)
{
	OheMetricsSeries *series;

	g_return_if_fail (OHE_IS_METRICS (self));
	g_return_if_fail (name != NULL);

	g_mutex_lock (&self->mutex);
	series = ohe_metrics_lookup_series (self, name, OHE_METRICS_KIND_GAUGE, label_values, TRUE);
	if (series != NULL)
		series->value += value;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_metrics_histogram_observe:
 * @self: an #OheMetrics
 * @name: a registered histogram
 * @label_values: (nullable) (array zero-terminated=1): one value per label name
 * @value: the observation, e.g. a duration in seconds
 *
 * Since: 0.1
 */
void
ohe_metrics_histogram_observe (OheMetrics *self,
			       const gchar *name,
			       const gchar *const *label_values,
			       gdouble value)
{
	OheMetricsFamily *family;
	OheMetricsSeries *series;
	gsize idx = 0;

	g_return_if_fail (OHE_IS_METRICS (self));
	g_return_if_fail (name != NULL);

	g_mutex_lock (&self->mutex);
	series =
	    ohe_metrics_lookup_series (self, name, OHE_METRICS_KIND_HISTOGRAM, label_values, TRUE);
	if (series == NULL) {
		g_mutex_unlock (&self->mutex);
		return;
	}
	family = g_hash_table_lookup (self->families, name);
	/* buckets are "less or equal"; NaN ends up in +Inf only, as in client_golang */
	while (idx < family->n_buckets && !(value <= family->buckets[idx]))
		idx++;
	series->bucket_counts[idx]++;
	series->sum += value;
	series->count++;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_metrics_get_value:
 * @self: an #OheMetrics
 * @name: a counter or gauge
 * @label_values: (nullable) (array zero-terminated=1): one value per label name
 *
 * Returns: the current value, or 0 if the metric or series does not exist
 *
 * Since: 0.1
 */
gdouble
ohe_metrics_get_value (OheMetrics *self, const gchar *name, const gchar *const *label_values)
{
	OheMetricsFamily *family;
	OheMetricsSeries *series = NULL;
	gdouble value = 0;

	g_return_val_if_fail (OHE_IS_METRICS (self), 0);
	g_return_val_if_fail (name != NULL, 0);

	g_mutex_lock (&self->mutex);
	family = g_hash_table_lookup (self->families, name);
	if (family != NULL && family->kind != OHE_METRICS_KIND_HISTOGRAM)
		series = ohe_metrics_lookup_series (self, name, family->kind, label_values, FALSE);
	if (series != NULL)
		value = series->value;
	g_mutex_unlock (&self->mutex);
	return value;
}

static gint
ohe_metrics_compare_strv (gconstpointer a, gconstpointer b)
{
	const gchar *const *x = *(const gchar *const *const *)a;
	const gchar *const *y = *(const gchar *const *const *)b;
	for (; *x != NULL && *y != NULL; x++, y++) {
		gint cmp = g_strcmp0 (*x, *y);
		if (cmp != 0)
			return cmp;
	}
	return (*x != NULL) - (*y != NULL);
}

/**
 * ohe_metrics_list_series:
 * @self: an #OheMetrics
 * @name: a metric family
 *
 * Lists the label values of every series of a family, e.g. to print a
 * summary of a counter without knowing its labels in advance.
 *
 * Returns: (transfer full) (element-type GStrv): the label values, sorted; empty if the family
 *   does not exist
 *
 * Since: 0.1
 */
GPtrArray *
ohe_metrics_list_series (OheMetrics *self, const gchar *name)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
	OheMetricsFamily *family;

	g_return_val_if_fail (OHE_IS_METRICS (self), out);
	g_mutex_lock (&self->mutex);
	family = g_hash_table_lookup (self->families, name);
	if (family != NULL) {
		GHashTableIter iter;
		OheMetricsSeries *series;
		g_hash_table_iter_init (&iter, family->series);
		while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&series))
			g_ptr_array_add (out, g_strdupv (series->label_values));
	}
	g_mutex_unlock (&self->mutex);
	g_ptr_array_sort (out, ohe_metrics_compare_strv);
	return out;
}

/**
 * ohe_metrics_get_histogram_count:
 * @self: an #OheMetrics
 * @name: a histogram
 * @label_values: (nullable) (array zero-terminated=1): one value per label name
 *
 * Returns: the number of observations, or 0 if the series does not exist
 *
 * Since: 0.1
 */
guint64
ohe_metrics_get_histogram_count (OheMetrics *self,
				 const gchar *name,
				 const gchar *const *label_values)
{
	OheMetricsFamily *family;
	OheMetricsSeries *series = NULL;
	guint64 count = 0;

	g_return_val_if_fail (OHE_IS_METRICS (self), 0);
	g_return_val_if_fail (name != NULL, 0);

	g_mutex_lock (&self->mutex);
	family = g_hash_table_lookup (self->families, name);
	if (family != NULL && family->kind == OHE_METRICS_KIND_HISTOGRAM)
		series = ohe_metrics_lookup_series (self, name, OHE_METRICS_KIND_HISTOGRAM,
						    label_values, FALSE);
	if (series != NULL)
		count = series->count;
	g_mutex_unlock (&self->mutex);
	return count;
}

/* integers without a fraction, otherwise the shortest text that reads back exactly */
static void
ohe_metrics_append_number (GString *str, gdouble value)
{
	static const gchar *const formats[] = {"%.15g", "%.16g", "%.17g"};
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (isnan (value)) {
		g_string_append (str, "NaN");
		return;
	}
	if (isinf (value)) {
		g_string_append (str, value > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (value == 0) {
		g_string_append_c (str, '0');
		return;
	}
	if (fabs (value) < 1e15 && value == trunc (value)) {
		g_string_append_printf (str, "%" G_GINT64_FORMAT, (gint64)value);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
		g_ascii_formatd (buf, sizeof (buf), formats[i], value);
		if (g_ascii_strtod (buf, NULL) == value)
			break;
	}
	g_string_append (str, buf);
}

static void
ohe_metrics_append_escaped (GString *str, const gchar *text, gboolean escape_quote)
{
	for (const gchar *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append (str, "\\\\");
		else if (*p == '\n')
			g_string_append (str, "\\n");
		else if (*p == '"' && escape_quote)
			g_string_append (str, "\\\"");
		else
			g_string_append_c (str, *p);
	}
}

/* `{a="x",b="y"}`, with an optional extra `le` label; nothing without labels */
static void
ohe_metrics_append_labels (GString *str,
			   OheMetricsFamily *family,
			   OheMetricsSeries *series,
			   const gchar *le)
{
	if (family->n_labels == 0 && le == NULL)
		return;
	g_string_append_c (str, '{');
	for (guint i = 0; i < family->n_labels; i++) {
		if (i > 0)
			g_string_append_c (str, ',');
		g_string_append_printf (str, "%s=\"", family->label_names[i]);
		ohe_metrics_append_escaped (str, series->label_values[i], TRUE);
		g_string_append_c (str, '"');
	}
	if (le != NULL) {
		if (family->n_labels > 0)
			g_string_append_c (str, ',');
		g_string_append_printf (str, "le=\"%s\"", le);
	}
	g_string_append_c (str, '}');
}

static gint
ohe_metrics_compare_families (gconstpointer a, gconstpointer b)
{
	const OheMetricsFamily *fa = *(OheMetricsFamily *const *)a;
	const OheMetricsFamily *fb = *(OheMetricsFamily *const *)b;
	return strcmp (fa->name, fb->name);
}

static gint
ohe_metrics_compare_series (gconstpointer a, gconstpointer b)
{
	const OheMetricsSeries *sa = *(OheMetricsSeries *const *)a;
	const OheMetricsSeries *sb = *(OheMetricsSeries *const *)b;
	for (guint i = 0; sa->label_values[i] != NULL && sb->label_values[i] != NULL; i++) {
		gint rc = strcmp (sa->label_values[i], sb->label_values[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static GPtrArray *
ohe_metrics_sorted_values (GHashTable *table, GCompareFunc compare)
{
	GPtrArray *array = g_ptr_array_sized_new (g_hash_table_size (table));
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init (&iter, table);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_add (array, value);
	g_ptr_array_sort (array, compare);
	return array;
}

static void
ohe_metrics_render_histogram (GString *str, OheMetricsFamily *family, OheMetricsSeries *series)
{
	guint64 cumulative = 0;

	for (gsize i = 0; i <= family->n_buckets; i++) {
		g_autoptr(GString) le = g_string_new (NULL);
		if (i < family->n_buckets)
			ohe_metrics_append_number (le, family->buckets[i]);
		else
			g_string_append (le, "+Inf");
		cumulative += series->bucket_counts[i];
		g_string_append_printf (str, "%s_bucket", family->name);
		ohe_metrics_append_labels (str, family, series, le->str);
		g_string_append_printf (str, " %" G_GUINT64_FORMAT "\n", cumulative);
	}
	g_string_append_printf (str, "%s_sum", family->name);
	ohe_metrics_append_labels (str, family, series, NULL);
	g_string_append_c (str, ' ');
	ohe_metrics_append_number (str, series->sum);
	g_string_append_printf (str, "\n%s_count", family->name);
	ohe_metrics_append_labels (str, family, series, NULL);
	g_string_append_printf (str, " %" G_GUINT64_FORMAT "\n", series->count);
}

/**
 * ohe_metrics_render:
 * @self: an #OheMetrics
 *
 * Renders all metrics in the Prometheus text exposition format 0.0.4.
 * Families are sorted by name and series by label values, so the output
 * only changes when a value does.
 *
 * Returns: (transfer full): the exposition text, empty when nothing is registered
 *
 * Since: 0.1
 */
gchar *
ohe_metrics_render (OheMetrics *self)
{
	g_autoptr(GString) str = g_string_new (NULL);
	g_autoptr(GPtrArray) families = NULL;

	g_return_val_if_fail (OHE_IS_METRICS (self), NULL);

	g_mutex_lock (&self->mutex);
	families = ohe_metrics_sorted_values (self->families, ohe_metrics_compare_families);
	for (guint i = 0; i < families->len; i++) {
		OheMetricsFamily *family = g_ptr_array_index (families, i);
		g_autoptr(GPtrArray) series = ohe_metrics_sorted_values (
		    family->series, ohe_metrics_compare_series);

		if (family->help != NULL && family->help[0] != '\0') {
			g_string_append_printf (str, "# HELP %s ", family->name);
			ohe_metrics_append_escaped (str, family->help, FALSE);
			g_string_append_c (str, '\n');
		}
		g_string_append_printf (str, "# TYPE %s %s\n", family->name,
					ohe_metrics_kind_to_string (family->kind));
		for (guint j = 0; j < series->len; j++) {
			OheMetricsSeries *s = g_ptr_array_index (series, j);
			if (family->kind == OHE_METRICS_KIND_HISTOGRAM) {
				ohe_metrics_render_histogram (str, family, s);
				continue;
			}
			g_string_append (str, family->name);
			ohe_metrics_append_labels (str, family, s, NULL);
			g_string_append_c (str, ' ');
			ohe_metrics_append_number (str, s->value);
			g_string_append_c (str, '\n');
		}
	}
	g_mutex_unlock (&self->mutex);
	return g_string_free (g_steal_pointer (&str), FALSE);
}
