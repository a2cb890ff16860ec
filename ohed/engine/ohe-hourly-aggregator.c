/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "ohe-hourly-aggregator.h"

/*
 * Hourly aggregation, between the shaper and the sink. A stream sample of a
 * kind whose aggregation is mean or sum, that is no linked child, is folded
 * into the bucket of its kind, device and UTC hour [hh:00, hh+1:00) (by its
 * start) instead of being written. Its outcome in the batch becomes written
 * at once, so the batch accounting holds; the pipeline stores no cursor
 * until the aggregates themselves are written, so a failure before that
 * fetches everything again. Everything else (spot readings, provider
 * summaries, linked children, ECG and other never-aggregated kinds) passes
 * through untouched.
 *
 * An aggregate is only ever computed over all samples of its hour: an hour
 * the job's window did not cover as a whole (the edges of a window that is
 * not whole hours, or any hour a cursor-driven fetch touched, e.g. late
 * data) is fetched again in full and its buckets are replaced by what that
 * fetch found (ohe_hourly_aggregator_dup_uncovered() and
 * ohe_hourly_aggregator_replace()). The aggregate's FHIR id follows from
 * patient, kind, device and hour, so a rewrite replaces it.
 *
 * Mean kinds get minimum, maximum, mean and count; sum kinds (steps) get
 * sum and count. Only the statistics leave this file, never a value in a
 * log.
 */
typedef struct {
	OheMeasurementKind kind;
	gint64 hour;	  /* start, UTC microseconds */
	gchar *device;	  /* owned, nullable */
	guint64 count;	  /* every sample of the hour seen */
	guint64 absorbed; /* of which came from the job's own batches */
	gdouble min;
	gdouble max;
	gdouble sum;
} OheHourBucket;

struct _OheHourlyAggregator {
	GObject parent_instance;
	const gchar *provider; /* interned */
	GHashTable *buckets;   /* key (owned) → OheHourBucket (owned) */
	guint64 absorbed[OHE_MEASUREMENT_KIND_LAST];
};

G_DEFINE_TYPE (OheHourlyAggregator, ohe_hourly_aggregator, G_TYPE_OBJECT)

static void
ohe_hour_bucket_free (OheHourBucket *bucket)
{
	g_free (bucket->device);
	g_free (bucket);
}

/*
 * Writes the key of a bucket into @buf ("0" and "+name" keep a device named
 * like nothing apart from none); returns its length, or a length of @size or
 * more if it does not fit.
 */
static gint
ohe_hour_bucket_format_key (
    gchar *buf, gsize size, OheMeasurementKind kind, gint64 hour, const gchar *device)
{
	return g_snprintf (buf, size, "%d/%" G_GINT64_FORMAT "/%c%s", kind, hour,
			   device != NULL ? '+' : '0', device != NULL ? device : "");
}

static gchar *
ohe_hour_bucket_key (OheMeasurementKind kind, gint64 hour, const gchar *device)
{
	return g_strdup_printf ("%d/%" G_GINT64_FORMAT "/%c%s", kind, hour,
				device != NULL ? '+' : '0', device != NULL ? device : "");
}

gint64
ohe_hour_floor (gint64 time_us)
{
	gint64 rem = time_us % OHE_HOUR_US;
	return rem < 0 ? time_us - rem - OHE_HOUR_US : time_us - rem;
}

gint64
ohe_hour_ceil (gint64 time_us)
{
	gint64 floor = ohe_hour_floor (time_us);
	return floor == time_us ? time_us : floor + OHE_HOUR_US;
}

static void
ohe_hourly_aggregator_finalize (GObject *object)
{
	OheHourlyAggregator *self = OHE_HOURLY_AGGREGATOR (object);
	g_hash_table_unref (self->buckets);
	G_OBJECT_CLASS (ohe_hourly_aggregator_parent_class)->finalize (object);
}

static void
ohe_hourly_aggregator_class_init (OheHourlyAggregatorClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_hourly_aggregator_finalize;
}

static void
ohe_hourly_aggregator_init (OheHourlyAggregator *self)
{
	self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)ohe_hour_bucket_free);
}

OheHourlyAggregator *
ohe_hourly_aggregator_new (const gchar *provider)
{
	OheHourlyAggregator *self = g_object_new (OHE_TYPE_HOURLY_AGGREGATOR, NULL);
	self->provider = g_intern_string (provider);
	return self;
}

/* whether @measurement is folded into an hour rather than written itself */
gboolean
ohe_hourly_aggregator_accepts (OheMeasurement *measurement)
{
	OheMeasurementKind kind = ohe_measurement_get_kind (measurement);
	OheAggregation aggregation = ohe_measurement_kind_get_aggregation (kind);

	return ohe_measurement_get_origin (measurement) == OHE_MEASUREMENT_ORIGIN_STREAM &&
	       (aggregation == OHE_AGGREGATION_MEAN || aggregation == OHE_AGGREGATION_SUM) &&
	       ohe_measurement_kind_get_value_type (kind) == OHE_VALUE_TYPE_SCALAR &&
	       ohe_measurement_get_parent_kind (measurement) == OHE_MEASUREMENT_KIND_UNKNOWN &&
	       !ohe_measurement_is_aggregate (measurement) &&
	       !ohe_measurement_get_retracted (measurement) &&
	       ohe_measurement_has_value (measurement) &&
	       isfinite (ohe_measurement_get_value (measurement));
}

static OheHourBucket *
ohe_hourly_aggregator_fold (OheHourlyAggregator *self, OheMeasurement *measurement)
{
	OheMeasurementKind kind = ohe_measurement_get_kind (measurement);
	gint64 hour = ohe_hour_floor (ohe_measurement_get_start (measurement));
	const gchar *device = ohe_measurement_get_device_id (measurement);
	gdouble value = ohe_measurement_get_value (measurement);
	gchar buf[128];
	gint len = ohe_hour_bucket_format_key (buf, sizeof (buf), kind, hour, device);
	g_autofree gchar *long_key = NULL;
	OheHourBucket *bucket;

	/* no allocation per sample: the key is built on the stack unless very long */
	if (len < 0 || (gsize)len >= sizeof (buf))
		long_key = ohe_hour_bucket_key (kind, hour, device);
	bucket = g_hash_table_lookup (self->buckets, long_key != NULL ? long_key : buf);
	if (bucket == NULL) {
		bucket = g_new0 (OheHourBucket, 1);
		bucket->kind = kind;
		bucket->hour = hour;
		bucket->device = g_strdup (device);
		bucket->min = value;
		bucket->max = value;
		g_hash_table_insert (
		    self->buckets, long_key != NULL ? g_steal_pointer (&long_key) : g_strdup (buf),
		    bucket);
	}
	bucket->count++;
	bucket->min = MIN (bucket->min, value);
	bucket->max = MAX (bucket->max, value);
	bucket->sum += value;
	return bucket;
}

/* folds @measurement in if it is aggregated (used for an hour fetched again) */
void
ohe_hourly_aggregator_add (OheHourlyAggregator *self, OheMeasurement *measurement)
{
	g_return_if_fail (OHE_IS_HOURLY_AGGREGATOR (self));
	if (ohe_hourly_aggregator_accepts (measurement))
		ohe_hourly_aggregator_fold (self, measurement);
}

/* folds the batch's pending aggregated items in and answers for them */
void
ohe_hourly_aggregator_absorb (OheHourlyAggregator *self, OheBatch *batch)
{
	g_return_if_fail (OHE_IS_HOURLY_AGGREGATOR (self));
	for (guint i = 0; i < batch->measurements->len; i++) {
		OheMeasurement *m = g_ptr_array_index (batch->measurements, i);
		OheHourBucket *bucket;

		if (ohe_batch_get_outcome (batch, i) != OHE_PUSH_OUTCOME_PENDING ||
		    !ohe_hourly_aggregator_accepts (m))
			continue;
		bucket = ohe_hourly_aggregator_fold (self, m);
		bucket->absorbed++;
		self->absorbed[bucket->kind]++;
		ohe_batch_set_outcome (batch, i, OHE_PUSH_OUTCOME_WRITTEN,
				       OHE_HOURLY_AGGREGATOR_REASON);
	}
}

/* how many measurements of @kind the job's batches gave up to an aggregate */
guint64
ohe_hourly_aggregator_get_absorbed (OheHourlyAggregator *self, OheMeasurementKind kind)
{
	g_return_val_if_fail (OHE_IS_HOURLY_AGGREGATOR (self), 0);
	g_return_val_if_fail ((guint)kind < OHE_MEASUREMENT_KIND_LAST, 0);
	return self->absorbed[kind];
}

static gint
ohe_hour_range_compare (gconstpointer a, gconstpointer b)
{
	const OheHourRange *x = a;
	const OheHourRange *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->start < y->start ? -1 : (x->start > y->start ? 1 : 0);
}

/*
 * The hours with a bucket that [@covered_start, @covered_end) does not
 * cover as a whole, per kind, adjacent hours merged into one range: what
 * must be fetched again before an aggregate may be written. An empty
 * covered window (a cursor-driven job) covers no hour.
 */
GArray *
ohe_hourly_aggregator_dup_uncovered (OheHourlyAggregator *self,
				     gint64 covered_start,
				     gint64 covered_end)
{
	g_autoptr(GArray) hours = g_array_new (FALSE, FALSE, sizeof (OheHourRange));
	GArray *ranges = g_array_new (FALSE, FALSE, sizeof (OheHourRange));
	GHashTableIter iter;
	OheHourBucket *bucket;

	g_return_val_if_fail (OHE_IS_HOURLY_AGGREGATOR (self), ranges);
	g_hash_table_iter_init (&iter, self->buckets);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&bucket)) {
		OheHourRange hour = {bucket->kind, bucket->hour, bucket->hour + OHE_HOUR_US};
		if (covered_end > covered_start && hour.start >= covered_start &&
		    hour.end <= covered_end)
			continue;
		g_array_append_val (hours, hour);
	}
	g_array_sort (hours, ohe_hour_range_compare);
	for (guint i = 0; i < hours->len; i++) {
		OheHourRange *hour = &g_array_index (hours, OheHourRange, i);
		OheHourRange *last =
		    ranges->len > 0 ? &g_array_index (ranges, OheHourRange, ranges->len - 1) : NULL;
		if (last != NULL && last->kind == hour->kind && hour->start <= last->end)
			last->end = MAX (last->end, hour->end);
		else
			g_array_append_val (ranges, *hour);
	}
	return ranges;
}

static gboolean
ohe_hour_bucket_in_range (const OheHourBucket *bucket, const OheHourRange *range)
{
	return bucket->kind == range->kind && bucket->hour >= range->start &&
	       bucket->hour < range->end;
}

/*
 * Replaces the buckets of @range by those of @refetched, which holds what a
 * fetch of the whole range found. An hour the fetch found nothing for keeps
 * what the job saw, so a provider that lost data never shrinks an hour to
 * nothing.
 */
void
ohe_hourly_aggregator_replace (OheHourlyAggregator *self,
			       OheHourlyAggregator *refetched,
			       const OheHourRange *range)
{
	g_autoptr(GHashTable) hours = g_hash_table_new (g_int64_hash, g_int64_equal);
	GHashTableIter iter;
	gchar *key;
	OheHourBucket *bucket;

	g_return_if_fail (OHE_IS_HOURLY_AGGREGATOR (self));
	g_return_if_fail (OHE_IS_HOURLY_AGGREGATOR (refetched));

	g_hash_table_iter_init (&iter, refetched->buckets);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&bucket))
		if (ohe_hour_bucket_in_range (bucket, range))
			g_hash_table_add (hours, &bucket->hour);

	g_hash_table_iter_init (&iter, self->buckets);
	while (g_hash_table_iter_next (&iter, (gpointer *)&key, (gpointer *)&bucket)) {
		OheHourBucket *fresh;
		if (!ohe_hour_bucket_in_range (bucket, range) ||
		    !g_hash_table_contains (hours, &bucket->hour))
			continue;
		fresh = g_hash_table_lookup (refetched->buckets, key);
		if (fresh == NULL)
			continue; /* a device the fetch did not see again: keep it */
		fresh->absorbed = bucket->absorbed;
		g_hash_table_iter_remove (&iter);
	}

	g_hash_table_iter_init (&iter, refetched->buckets);
	while (g_hash_table_iter_next (&iter, (gpointer *)&key, (gpointer *)&bucket)) {
		if (!ohe_hour_bucket_in_range (bucket, range) ||
		    g_hash_table_contains (self->buckets, key))
			continue;
		g_hash_table_iter_steal (&iter);
		g_hash_table_insert (self->buckets, key, bucket);
	}
}

static gint
ohe_hour_bucket_compare (gconstpointer a, gconstpointer b)
{
	const OheHourBucket *x = *(const OheHourBucket *const *)a;
	const OheHourBucket *y = *(const OheHourBucket *const *)b;
	gint c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = g_strcmp0 (x->device, y->device);
	if (c != 0)
		return c;
	return x->hour < y->hour ? -1 : (x->hour > y->hour ? 1 : 0);
}

/*
 * The aggregates, one per bucket, ordered by kind, device and hour;
 * @absorbed receives, per aggregate, how many of the job's own
 * measurements it stands for (a guint64 each).
 */
GPtrArray *
ohe_hourly_aggregator_build (OheHourlyAggregator *self, GArray **absorbed)
{
	g_autoptr(GPtrArray) buckets = NULL;
	GHashTableIter iter;
	gpointer bucket_ptr;
	GPtrArray *out;

	g_return_val_if_fail (OHE_IS_HOURLY_AGGREGATOR (self), NULL);
	buckets = g_ptr_array_sized_new (g_hash_table_size (self->buckets));
	g_hash_table_iter_init (&iter, self->buckets);
	while (g_hash_table_iter_next (&iter, NULL, &bucket_ptr))
		g_ptr_array_add (buckets, bucket_ptr);
	g_ptr_array_sort (buckets, ohe_hour_bucket_compare);
	out = g_ptr_array_new_full (buckets->len, (GDestroyNotify)ohe_measurement_unref);
	*absorbed = g_array_sized_new (FALSE, FALSE, sizeof (guint64), buckets->len);
	for (guint i = 0; i < buckets->len; i++) {
		OheHourBucket *bucket = g_ptr_array_index (buckets, i);
		OheMeasurement *m = ohe_measurement_new (bucket->kind);

		ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
		ohe_measurement_set_time (m, bucket->hour, bucket->hour + OHE_HOUR_US);
		ohe_measurement_set_provider (m, self->provider);
		ohe_measurement_set_device_id (m, bucket->device);
		if (ohe_measurement_kind_get_aggregation (bucket->kind) == OHE_AGGREGATION_SUM) {
			ohe_measurement_set_statistic (m, OHE_STATISTIC_SUM, bucket->sum);
		} else {
			ohe_measurement_set_statistic (m, OHE_STATISTIC_MINIMUM, bucket->min);
			ohe_measurement_set_statistic (m, OHE_STATISTIC_MAXIMUM, bucket->max);
			ohe_measurement_set_statistic (m, OHE_STATISTIC_MEAN,
						       bucket->sum / (gdouble)bucket->count);
		}
		ohe_measurement_set_statistic (m, OHE_STATISTIC_COUNT, (gdouble)bucket->count);
		g_ptr_array_add (out, m);
		g_array_append_val (*absorbed, bucket->absorbed);
	}
	return out;
}
