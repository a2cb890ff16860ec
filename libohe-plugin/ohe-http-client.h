/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-http-request.h"
#include "ohe-http-response.h"
#include "ohe-metrics.h"
#include "ohe-rate-limiter.h"

G_BEGIN_DECLS

#define OHE_TYPE_HTTP_CLIENT (ohe_http_client_get_type ())
G_DECLARE_FINAL_TYPE (OheHttpClient, ohe_http_client, OHE, HTTP_CLIENT, GObject)

/**
 * OheBreakerState:
 * @OHE_BREAKER_STATE_CLOSED: requests flow
 * @OHE_BREAKER_STATE_OPEN: requests fail fast until the open period ends
 * @OHE_BREAKER_STATE_HALF_OPEN: trial requests decide whether to close again
 *
 * Since: 0.1
 */
typedef enum {
	OHE_BREAKER_STATE_CLOSED,
	OHE_BREAKER_STATE_OPEN,
	OHE_BREAKER_STATE_HALF_OPEN,
} OheBreakerState;

OheHttpClient *
ohe_http_client_new (const gchar *name);
const gchar *
ohe_http_client_get_name (OheHttpClient *self);
void
ohe_http_client_set_clock (OheHttpClient *self, OheClock *clock);
void
ohe_http_client_set_metrics (OheHttpClient *self, OheMetrics *metrics);
void
ohe_http_client_set_timeout (OheHttpClient *self, guint timeout_seconds);
void
ohe_http_client_set_attempt_deadline (OheHttpClient *self, guint deadline_seconds);
void
ohe_http_client_set_min_transfer_rate (OheHttpClient *self,
				       guint bytes_per_second,
				       guint period_seconds);
void
ohe_http_client_set_max_attempts (OheHttpClient *self, guint max_attempts);
void
ohe_http_client_set_backoff (OheHttpClient *self, guint base_ms, guint cap_ms);
void
ohe_http_client_set_max_retry_after (OheHttpClient *self, guint max_seconds);
void
ohe_http_client_set_app_rate_limit (OheHttpClient *self, guint requests, guint per_seconds);
void
ohe_http_client_set_user_rate_limit (OheHttpClient *self, guint requests, guint per_seconds);
void
ohe_http_client_set_rate_limiter (OheHttpClient *self, OheRateLimiter *limiter);
OheRateLimiter *
ohe_http_client_get_rate_limiter (OheHttpClient *self);
void
ohe_http_client_set_rate_limit_scope (OheHttpClient *self, const gchar *scope);
void
ohe_http_client_set_breaker (OheHttpClient *self,
			     const gchar *target,
			     guint failure_threshold,
			     guint open_seconds,
			     guint success_threshold);
OheBreakerState
ohe_http_client_get_breaker_state (OheHttpClient *self, const gchar *target);
OheHttpResponse *
ohe_http_client_send (OheHttpClient *self,
		      OheHttpRequest *request,
		      GCancellable *cancellable,
		      GError **error);
void
ohe_http_client_send_async (OheHttpClient *self,
			    OheHttpRequest *request,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
OheHttpResponse *
ohe_http_client_send_finish (OheHttpClient *self, GAsyncResult *res, GError **error);

G_END_DECLS
