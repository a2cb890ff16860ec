/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * OheRateLimit:
 * @bucket: the budget's name, e.g. `withings:app` or `fitbit:user:LINK`; every request
 *   counted under one name, by any process sharing the limiter, shares the budget
 * @requests: how many requests the budget allows in any @window_us, at least 1
 * @window_us: the length of the rolling window in microseconds, more than 0
 *
 * One "@requests per rolling @window_us" limit, counted the way the providers count:
 * a request is admitted only if fewer than @requests requests of the bucket fall into
 * the @window_us that ends now.
 *
 * Since: 0.1
 */
typedef struct {
	const gchar *bucket;
	guint requests;
	gint64 window_us;
} OheRateLimit;

#define OHE_TYPE_RATE_LIMITER (ohe_rate_limiter_get_type ())
G_DECLARE_INTERFACE (OheRateLimiter, ohe_rate_limiter, OHE, RATE_LIMITER, GObject)

/**
 * OheRateLimiterInterface:
 * @acquire: admits one request under every limit of an array or under none; when one
 *   budget is spent, records nothing and says how long to wait
 * @complete: moves the recorded time of an admitted request to now, when its answer
 *   arrived, so the window covers the moment the provider counted it whatever the latency
 *
 * Where the budgets live: in the process (ohe_memory_rate_limiter_new()) or in a store
 * that several processes share. The host gives plugins its limiter; HTTP clients count
 * every attempt through it.
 *
 * Since: 0.1
 */
struct _OheRateLimiterInterface {
	GTypeInterface parent_iface;

	gboolean (*acquire) (OheRateLimiter *self,
			     const OheRateLimit *limits,
			     guint n_limits,
			     gint64 *wait_us,
			     guint64 *ticket,
			     GError **error);
	void (*complete) (OheRateLimiter *self,
			  const OheRateLimit *limits,
			  guint n_limits,
			  guint64 ticket);
};

gboolean
ohe_rate_limiter_acquire (OheRateLimiter *self,
			  const OheRateLimit *limits,
			  guint n_limits,
			  gint64 *wait_us,
			  guint64 *ticket,
			  GError **error);
void
ohe_rate_limiter_complete (OheRateLimiter *self,
			   const OheRateLimit *limits,
			   guint n_limits,
			   guint64 ticket);

G_END_DECLS
