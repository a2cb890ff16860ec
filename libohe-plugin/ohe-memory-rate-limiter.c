/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-memory-rate-limiter.h"

/*
 * Rolling-window budgets within one process: per bucket, the times of the requests of the
 * longest window seen, oldest first. A request is admitted when fewer than N of them fall
 * into the window ending now; nothing is admitted ahead of time, so there is no initial
 * burst beyond N. For a host whose budgets must hold across processes, the host's store
 * implements #OheRateLimiter instead.
 */

/* above this many buckets, those without a request in their window are dropped */
#define OHE_MEMORY_RATE_LIMITER_MAX_BUCKETS 4096

typedef struct {
	gint64 at_us;
	guint64 ticket;
} OheMemoryRateEvent;

typedef struct {
	GArray *events; /* owned, OheMemoryRateEvent sorted by at_us */
	gint64 window_us;
} OheMemoryRateBucket;

struct _OheMemoryRateLimiter {
	GObject parent_instance;
	OheClock *clock;     /* owned */
	GMutex mutex;	     /* protects everything below */
	GHashTable *buckets; /* owned, name → owned OheMemoryRateBucket */
	guint64 next_ticket;
};

static void
ohe_memory_rate_limiter_iface_init (OheRateLimiterInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OheMemoryRateLimiter,
			 ohe_memory_rate_limiter,
			 G_TYPE_OBJECT,
			 G_IMPLEMENT_INTERFACE (OHE_TYPE_RATE_LIMITER,
						ohe_memory_rate_limiter_iface_init))

static void
ohe_memory_rate_bucket_free (OheMemoryRateBucket *bucket)
{
	g_array_unref (bucket->events);
	g_free (bucket);
}

static gint
ohe_memory_rate_event_compare (gconstpointer a, gconstpointer b)
{
	const OheMemoryRateEvent *ea = a;
	const OheMemoryRateEvent *eb = b;
	return (ea->at_us > eb->at_us) - (ea->at_us < eb->at_us);
}

/* drops the events that left the bucket's window */
static void
ohe_memory_rate_bucket_prune (OheMemoryRateBucket *bucket, gint64 now_us)
{
	guint n = 0;
	while (n < bucket->events->len &&
	       g_array_index (bucket->events, OheMemoryRateEvent, n).at_us <=
		   now_us - bucket->window_us)
		n++;
	if (n > 0)
		g_array_remove_range (bucket->events, 0, n);
}

static gboolean
ohe_memory_rate_bucket_is_idle_cb (gpointer key, gpointer value, gpointer user_data)
{
	OheMemoryRateBucket *bucket = value;
	ohe_memory_rate_bucket_prune (bucket, *(const gint64 *)user_data);
	return bucket->events->len == 0;
}

static OheMemoryRateBucket *
ohe_memory_rate_limiter_ensure_bucket_locked (OheMemoryRateLimiter *self,
					      const OheRateLimit *limit,
					      gint64 now_us)
{
	OheMemoryRateBucket *bucket = g_hash_table_lookup (self->buckets, limit->bucket);
	if (bucket == NULL) {
		if (g_hash_table_size (self->buckets) >= OHE_MEMORY_RATE_LIMITER_MAX_BUCKETS)
			g_hash_table_foreach_remove (self->buckets,
						     ohe_memory_rate_bucket_is_idle_cb, &now_us);
		bucket = g_new0 (OheMemoryRateBucket, 1);
		bucket->events = g_array_new (FALSE, FALSE, sizeof (OheMemoryRateEvent));
		g_hash_table_insert (self->buckets, g_strdup (limit->bucket), bucket);
	}
	/* one bucket name with two windows keeps the longer history */
	bucket->window_us = MAX (bucket->window_us, limit->window_us);
	return bucket;
}

/* the wait until fewer than limit->requests events fall into the window */
static gint64
ohe_memory_rate_bucket_get_wait (OheMemoryRateBucket *bucket,
				 const OheRateLimit *limit,
				 gint64 now_us)
{
	guint in_window = 0;
	guint first = bucket->events->len;
	const OheMemoryRateEvent *nth;

	while (first > 0 && g_array_index (bucket->events, OheMemoryRateEvent, first - 1).at_us >
				now_us - limit->window_us) {
		first--;
		in_window++;
	}
	if (in_window < limit->requests)
		return 0;
	/* the request-th newest must leave the window */
	nth = &g_array_index (bucket->events, OheMemoryRateEvent,
			      bucket->events->len - limit->requests);
	return MAX (nth->at_us + limit->window_us - now_us, 1);
}

static gboolean
ohe_memory_rate_limiter_acquire (OheRateLimiter *limiter,
				 const OheRateLimit *limits,
				 guint n_limits,
				 gint64 *wait_us,
				 guint64 *ticket,
				 GError **error)
{
	OheMemoryRateLimiter *self = OHE_MEMORY_RATE_LIMITER (limiter);
	gint64 now_us = ohe_clock_get_real (self->clock);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	gint64 wait = 0;

	for (guint i = 0; i < n_limits; i++) {
		OheMemoryRateBucket *bucket =
		    ohe_memory_rate_limiter_ensure_bucket_locked (self, &limits[i], now_us);
		ohe_memory_rate_bucket_prune (bucket, now_us);
		wait = MAX (wait, ohe_memory_rate_bucket_get_wait (bucket, &limits[i], now_us));
	}
	*wait_us = wait;
	if (wait > 0)
		return TRUE;
	*ticket = ++self->next_ticket;
	for (guint i = 0; i < n_limits; i++) {
		OheMemoryRateBucket *bucket = g_hash_table_lookup (self->buckets, limits[i].bucket);
		OheMemoryRateEvent event = {now_us, *ticket};
		g_array_append_val (bucket->events, event);
		g_array_sort (bucket->events, ohe_memory_rate_event_compare);
	}
	return TRUE;
}

static void
ohe_memory_rate_limiter_complete (OheRateLimiter *limiter,
				  const OheRateLimit *limits,
				  guint n_limits,
				  guint64 ticket)
{
	OheMemoryRateLimiter *self = OHE_MEMORY_RATE_LIMITER (limiter);
	gint64 now_us = ohe_clock_get_real (self->clock);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

	for (guint i = 0; i < n_limits; i++) {
		OheMemoryRateBucket *bucket = g_hash_table_lookup (self->buckets, limits[i].bucket);
		if (bucket == NULL)
			continue;
		for (guint j = 0; j < bucket->events->len; j++) {
			OheMemoryRateEvent *event =
			    &g_array_index (bucket->events, OheMemoryRateEvent, j);
			if (event->ticket == ticket)
				event->at_us = MAX (event->at_us, now_us);
		}
		g_array_sort (bucket->events, ohe_memory_rate_event_compare);
	}
}

static void
ohe_memory_rate_limiter_iface_init (OheRateLimiterInterface *iface)
{
	iface->acquire = ohe_memory_rate_limiter_acquire;
	iface->complete = ohe_memory_rate_limiter_complete;
}

static void
ohe_memory_rate_limiter_finalize (GObject *object)
{
	OheMemoryRateLimiter *self = OHE_MEMORY_RATE_LIMITER (object);
	g_object_unref (self->clock);
	g_hash_table_unref (self->buckets);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_memory_rate_limiter_parent_class)->finalize (object);
}

static void
ohe_memory_rate_limiter_class_init (OheMemoryRateLimiterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_memory_rate_limiter_finalize;
}

static void
ohe_memory_rate_limiter_init (OheMemoryRateLimiter *self)
{
	g_mutex_init (&self->mutex);
	self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)ohe_memory_rate_bucket_free);
}

/**
 * ohe_memory_rate_limiter_new:
 * @clock: (nullable): the clock the windows are measured on, %NULL for the system clock
 *
 * Creates rolling-window budgets that live in this process only: for tests, and for
 * hosts without a shared store.
 *
 * Returns: (transfer full): a new #OheRateLimiter
 *
 * Since: 0.1
 */
OheRateLimiter *
ohe_memory_rate_limiter_new (OheClock *clock)
{
	OheMemoryRateLimiter *self;
	g_return_val_if_fail (clock == NULL || OHE_IS_CLOCK (clock), NULL);
	self = g_object_new (OHE_TYPE_MEMORY_RATE_LIMITER, NULL);
	self->clock = g_object_ref (clock != NULL ? clock : ohe_clock_get_default ());
	return OHE_RATE_LIMITER (self);
}

/**
 * ohe_memory_rate_limiter_count:
 * @self: an #OheMemoryRateLimiter
 * @bucket: a bucket name
 * @window_us: a window length
 *
 * Returns: the requests of @bucket recorded in the @window_us ending now
 *
 * Since: 0.1
 */
guint
ohe_memory_rate_limiter_count (OheMemoryRateLimiter *self, const gchar *bucket, gint64 window_us)
{
	gint64 now_us;
	OheMemoryRateBucket *b;
	guint n = 0;

	g_return_val_if_fail (OHE_IS_MEMORY_RATE_LIMITER (self), 0);
	g_return_val_if_fail (bucket != NULL, 0);
	now_us = ohe_clock_get_real (self->clock);
	g_mutex_lock (&self->mutex);
	b = g_hash_table_lookup (self->buckets, bucket);
	for (guint i = 0; b != NULL && i < b->events->len; i++)
		n += g_array_index (b->events, OheMemoryRateEvent, i).at_us > now_us - window_us;
	g_mutex_unlock (&self->mutex);
	return n;
}
