/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "ohe-token-bucket.h"

/*
 * A token bucket: it holds up to @capacity tokens and gains @refill_per_second
 * of them continuously; every request takes one. A full bucket allows a burst
 * of @capacity requests, after which requests are spaced at the refill rate.
 *
 * The bucket does no locking: its owner (OheHttpClient) checks and takes
 * tokens of several buckets under one lock so a request takes either all the
 * tokens it needs or none.
 */
struct _OheTokenBucket {
	OheClock *clock; /* owned */
	gdouble capacity;
	gdouble refill_per_us;
	gdouble tokens;	   /* as of updated_us */
	gint64 updated_us; /* monotonic */
};

/* absorbs the rounding of the refill arithmetic, so a wait computed by
 * ohe_token_bucket_get_wait() is always enough */
#define OHE_TOKEN_BUCKET_EPSILON 1e-9

/**
 * ohe_token_bucket_new:
 * @clock: the clock to refill by
 * @capacity: the burst size, at least 1
 * @refill_per_second: tokens gained per second, more than 0
 *
 * Returns: (transfer full): a full bucket
 */
OheTokenBucket *
ohe_token_bucket_new (OheClock *clock, guint capacity, gdouble refill_per_second)
{
	OheTokenBucket *self;
	g_return_val_if_fail (OHE_IS_CLOCK (clock), NULL);
	g_return_val_if_fail (capacity > 0, NULL);
	g_return_val_if_fail (refill_per_second > 0, NULL);
	self = g_new0 (OheTokenBucket, 1);
	self->clock = g_object_ref (clock);
	self->capacity = capacity;
	self->refill_per_us = refill_per_second / G_USEC_PER_SEC;
	self->tokens = capacity;
	self->updated_us = ohe_clock_get_monotonic (clock);
	return self;
}

/**
 * ohe_token_bucket_free:
 * @self: (nullable): an #OheTokenBucket
 */
void
ohe_token_bucket_free (OheTokenBucket *self)
{
	if (self == NULL)
		return;
	g_object_unref (self->clock);
	g_free (self);
}

static void
ohe_token_bucket_refill (OheTokenBucket *self)
{
	gint64 now_us = ohe_clock_get_monotonic (self->clock);
	if (now_us <= self->updated_us)
		return;
	self->tokens = MIN (self->capacity, self->tokens + (gdouble)(now_us - self->updated_us) *
							       self->refill_per_us);
	self->updated_us = now_us;
}

/**
 * ohe_token_bucket_get_wait:
 * @self: an #OheTokenBucket
 *
 * Returns: the microseconds until a token is available, 0 if one is available now
 */
gint64
ohe_token_bucket_get_wait (OheTokenBucket *self)
{
	gdouble missing;
	g_return_val_if_fail (self != NULL, 0);
	ohe_token_bucket_refill (self);
	missing = 1.0 - self->tokens;
	if (missing <= OHE_TOKEN_BUCKET_EPSILON)
		return 0;
	return MAX ((gint64)ceil (missing / self->refill_per_us), 1);
}

/**
 * ohe_token_bucket_take:
 * @self: an #OheTokenBucket
 *
 * Takes a token if one is available.
 *
 * Returns: 0 if a token was taken, else the microseconds until one is available
 */
gint64
ohe_token_bucket_take (OheTokenBucket *self)
{
	gint64 wait_us;
	g_return_val_if_fail (self != NULL, 0);
	wait_us = ohe_token_bucket_get_wait (self);
	if (wait_us > 0)
		return wait_us;
	self->tokens = MAX (self->tokens - 1.0, 0.0);
	return 0;
}

/**
 * ohe_token_bucket_is_full:
 * @self: an #OheTokenBucket
 *
 * Returns: %TRUE if the bucket refilled completely, so dropping it and
 * creating a new one later changes nothing
 */
gboolean
ohe_token_bucket_is_full (OheTokenBucket *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	ohe_token_bucket_refill (self);
	return self->tokens >= self->capacity - OHE_TOKEN_BUCKET_EPSILON;
}

/**
 * ohe_token_bucket_get_tokens:
 * @self: an #OheTokenBucket
 *
 * Returns: the tokens available now, fractional
 */
gdouble
ohe_token_bucket_get_tokens (OheTokenBucket *self)
{
	g_return_val_if_fail (self != NULL, 0);
	ohe_token_bucket_refill (self);
	return self->tokens;
}
