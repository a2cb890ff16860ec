/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "ohe-api-rate-limiter.h"

/*
 * A token bucket per API token: @burst requests at once, refilled at @per_minute. Shared by
 * all listener threads, so one client cannot multiply its rate by the number of threads.
 */
struct _OheApiRateLimiter {
	GObject parent_instance;
	gdouble capacity;
	gdouble per_us;	     /* refill per microsecond */
	GHashTable *buckets; /* owned: key → OheApiRateBucket, protected by mutex */
	GMutex mutex;
};

typedef struct {
	gdouble tokens;
	gint64 updated_us;
} OheApiRateBucket;

G_DEFINE_TYPE (OheApiRateLimiter, ohe_api_rate_limiter, G_TYPE_OBJECT)

static void
ohe_api_rate_limiter_finalize (GObject *object)
{
	OheApiRateLimiter *self = OHE_API_RATE_LIMITER (object);
	g_hash_table_unref (self->buckets);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_api_rate_limiter_parent_class)->finalize (object);
}

static void
ohe_api_rate_limiter_class_init (OheApiRateLimiterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_api_rate_limiter_finalize;
}

static void
ohe_api_rate_limiter_init (OheApiRateLimiter *self)
{
	g_mutex_init (&self->mutex);
	self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

OheApiRateLimiter *
ohe_api_rate_limiter_new (guint per_minute, guint burst)
{
	OheApiRateLimiter *self = g_object_new (OHE_TYPE_API_RATE_LIMITER, NULL);
	g_return_val_if_fail (per_minute > 0 && burst > 0, NULL);
	self->capacity = burst;
	self->per_us = per_minute / (60.0 * G_USEC_PER_SEC);
	return self;
}

/**
 * ohe_api_rate_limiter_take:
 * @self: an #OheApiRateLimiter
 * @key: whose bucket, e.g. the token id
 * @now_us: the monotonic time
 * @retry_after_s: (out): when refused, whole seconds until a request is allowed again
 *
 * Returns: %TRUE if the request may go ahead
 */
gboolean
ohe_api_rate_limiter_take (OheApiRateLimiter *self,
			   const gchar *key,
			   gint64 now_us,
			   guint *retry_after_s)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	OheApiRateBucket *bucket = g_hash_table_lookup (self->buckets, key);

	if (bucket == NULL) {
		bucket = g_new0 (OheApiRateBucket, 1);
		bucket->tokens = self->capacity;
		bucket->updated_us = now_us;
		g_hash_table_insert (self->buckets, g_strdup (key), bucket);
	}
	if (now_us > bucket->updated_us) {
		bucket->tokens = MIN (
		    self->capacity, bucket->tokens + (now_us - bucket->updated_us) * self->per_us);
		bucket->updated_us = now_us;
	}
	if (bucket->tokens >= 1.0) {
		bucket->tokens -= 1.0;
		return TRUE;
	}
	*retry_after_s =
	    (guint)MAX (1.0, ceil ((1.0 - bucket->tokens) / self->per_us / G_USEC_PER_SEC));
	return FALSE;
}
