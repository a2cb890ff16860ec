/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-rate-limiter.h"

G_DEFINE_INTERFACE (OheRateLimiter, ohe_rate_limiter, G_TYPE_OBJECT)

static void
ohe_rate_limiter_default_init (OheRateLimiterInterface *iface)
{
}

static gboolean
ohe_rate_limiter_check_limits (const OheRateLimit *limits, guint n_limits, GError **error)
{
	for (guint i = 0; i < n_limits; i++) {
		if (limits[i].bucket == NULL || limits[i].bucket[0] == '\0' ||
		    limits[i].requests == 0 || limits[i].window_us <= 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "rate limit %u: needs a bucket name, at least 1 request "
				     "and a window longer than 0 (bucket '%s', %u requests, "
				     "%" G_GINT64_FORMAT " us)",
				     i, limits[i].bucket != NULL ? limits[i].bucket : "",
				     limits[i].requests, limits[i].window_us);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ohe_rate_limiter_acquire:
 * @self: an #OheRateLimiter
 * @limits: (array length=n_limits): the limits the request is subject to
 * @n_limits: how many
 * @wait_us: (out): 0 if the request was admitted, else the microseconds until it may be
 * @ticket: (out): identifies the admitted request for ohe_rate_limiter_complete()
 * @error: return location for an error
 *
 * Admits one request under all @limits at once, or records nothing. A caller that gets
 * a wait sleeps that long and asks again: another process may have taken the slot.
 *
 * Returns: %FALSE with @error set if the limiter cannot be consulted (e.g. its store
 *   failed); the request must then not be sent
 *
 * Since: 0.1
 */
gboolean
ohe_rate_limiter_acquire (OheRateLimiter *self,
			  const OheRateLimit *limits,
			  guint n_limits,
			  gint64 *wait_us,
			  guint64 *ticket,
			  GError **error)
{
	g_return_val_if_fail (OHE_IS_RATE_LIMITER (self), FALSE);
	g_return_val_if_fail (limits != NULL || n_limits == 0, FALSE);
	g_return_val_if_fail (wait_us != NULL && ticket != NULL, FALSE);
	*wait_us = 0;
	*ticket = 0;
	if (n_limits == 0)
		return TRUE;
	if (!ohe_rate_limiter_check_limits (limits, n_limits, error))
		return FALSE;
	return OHE_RATE_LIMITER_GET_IFACE (self)->acquire (self, limits, n_limits, wait_us, ticket,
							   error);
}

/**
 * ohe_rate_limiter_complete:
 * @self: an #OheRateLimiter
 * @limits: (array length=n_limits): the limits given to ohe_rate_limiter_acquire()
 * @n_limits: how many
 * @ticket: from ohe_rate_limiter_acquire()
 *
 * Says the admitted request got its answer (or failed): from now on the window counts
 * it from this moment, the latest at which the provider can have counted it.
 *
 * Since: 0.1
 */
void
ohe_rate_limiter_complete (OheRateLimiter *self,
			   const OheRateLimit *limits,
			   guint n_limits,
			   guint64 ticket)
{
	g_return_if_fail (OHE_IS_RATE_LIMITER (self));
	if (n_limits == 0 || ticket == 0)
		return;
	OHE_RATE_LIMITER_GET_IFACE (self)->complete (self, limits, n_limits, ticket);
}
