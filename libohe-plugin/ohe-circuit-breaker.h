/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-http-client.h"

G_BEGIN_DECLS

/* private to libohe-plugin: not installed, not part of the ABI */

typedef struct _OheCircuitBreaker OheCircuitBreaker;

typedef enum {
	OHE_CIRCUIT_BREAKER_RESULT_SUCCESS, /* the target answered sanely */
	OHE_CIRCUIT_BREAKER_RESULT_FAILURE, /* transport error or 5xx */
	OHE_CIRCUIT_BREAKER_RESULT_NEUTRAL, /* says nothing about health: cancelled, 429 */
} OheCircuitBreakerResult;

OheCircuitBreaker *
ohe_circuit_breaker_new (OheClock *clock,
			 guint failure_threshold,
			 guint open_seconds,
			 guint success_threshold);
void
ohe_circuit_breaker_free (OheCircuitBreaker *self);
void
ohe_circuit_breaker_configure (OheCircuitBreaker *self,
			       guint failure_threshold,
			       guint open_seconds,
			       guint success_threshold);
OheBreakerState
ohe_circuit_breaker_get_state (OheCircuitBreaker *self);
gboolean
ohe_circuit_breaker_admit (OheCircuitBreaker *self, guint64 *ticket, gint64 *retry_in_us);
void
ohe_circuit_breaker_record (OheCircuitBreaker *self,
			    guint64 ticket,
			    OheCircuitBreakerResult result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheCircuitBreaker, ohe_circuit_breaker_free)

G_END_DECLS
