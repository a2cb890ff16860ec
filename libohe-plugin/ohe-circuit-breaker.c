/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-circuit-breaker.h"

/*
 * A circuit breaker for one target. Closed: requests flow and consecutive
 * failures are counted; at @failure_threshold it opens. Open: requests fail
 * fast for @open_seconds, sparing a struggling provider and our rate limits.
 * Half-open: at most @success_threshold trial requests are admitted at a time;
 * @success_threshold consecutive successes close it, one failure reopens it.
 *
 * Every state change starts a new generation. A request is admitted with the
 * generation as its ticket and only counts if it ends in the same generation,
 * so a slow request started before the breaker opened cannot close it again
 * or spend a half-open trial slot it never held.
 *
 * The breaker does no locking: OheHttpClient owns all its breakers under one lock.
 */
struct _OheCircuitBreaker {
	OheClock *clock;	 /* owned */
	guint failure_threshold; /* 0: never opens */
	gint64 open_us;
	guint success_threshold;
	OheBreakerState state;
	guint failures;	  /* consecutive, while closed */
	guint successes;  /* consecutive, while half-open */
	guint trials;	  /* admitted and unfinished, while half-open */
	gint64 opened_us; /* monotonic, while open */
	guint64 generation;
};

/**
 * ohe_circuit_breaker_new:
 * @clock: the clock that times the open period
 * @failure_threshold: consecutive failures that open the breaker; 0 never opens it
 * @open_seconds: how long an open breaker fails fast
 * @success_threshold: consecutive half-open successes that close it
 *
 * Returns: (transfer full): a closed breaker
 */
OheCircuitBreaker *
ohe_circuit_breaker_new (OheClock *clock,
			 guint failure_threshold,
			 guint open_seconds,
			 guint success_threshold)
{
	OheCircuitBreaker *self;
	g_return_val_if_fail (OHE_IS_CLOCK (clock), NULL);
	self = g_new0 (OheCircuitBreaker, 1);
	self->clock = g_object_ref (clock);
	self->state = OHE_BREAKER_STATE_CLOSED;
	ohe_circuit_breaker_configure (self, failure_threshold, open_seconds, success_threshold);
	return self;
}

/**
 * ohe_circuit_breaker_free:
 * @self: (nullable): an #OheCircuitBreaker
 */
void
ohe_circuit_breaker_free (OheCircuitBreaker *self)
{
	if (self == NULL)
		return;
	g_object_unref (self->clock);
	g_free (self);
}

static void
ohe_circuit_breaker_set_state (OheCircuitBreaker *self, OheBreakerState state)
{
	self->state = state;
	self->generation++;
	self->failures = 0;
	self->successes = 0;
	self->trials = 0;
	if (state == OHE_BREAKER_STATE_OPEN)
		self->opened_us = ohe_clock_get_monotonic (self->clock);
}

/**
 * ohe_circuit_breaker_configure:
 * @self: an #OheCircuitBreaker
 * @failure_threshold: consecutive failures that open the breaker; 0 never opens it
 * @open_seconds: how long an open breaker fails fast
 * @success_threshold: consecutive half-open successes that close it, at least 1
 *
 * Changes the thresholds; the state is kept unless the breaker is disabled.
 */
void
ohe_circuit_breaker_configure (OheCircuitBreaker *self,
			       guint failure_threshold,
			       guint open_seconds,
			       guint success_threshold)
{
	g_return_if_fail (self != NULL);
	self->failure_threshold = failure_threshold;
	self->open_us = (gint64)open_seconds * G_USEC_PER_SEC;
	self->success_threshold = MAX (success_threshold, 1);
	if (failure_threshold == 0 && self->state != OHE_BREAKER_STATE_CLOSED)
		ohe_circuit_breaker_set_state (self, OHE_BREAKER_STATE_CLOSED);
}

/* an open breaker becomes half-open when asked after its open period */
static void
ohe_circuit_breaker_update (OheCircuitBreaker *self)
{
	if (self->state != OHE_BREAKER_STATE_OPEN)
		return;
	if (ohe_clock_get_monotonic (self->clock) - self->opened_us >= self->open_us)
		ohe_circuit_breaker_set_state (self, OHE_BREAKER_STATE_HALF_OPEN);
}

/**
 * ohe_circuit_breaker_get_state:
 * @self: an #OheCircuitBreaker
 *
 * Returns: the state now
 */
OheBreakerState
ohe_circuit_breaker_get_state (OheCircuitBreaker *self)
{
	g_return_val_if_fail (self != NULL, OHE_BREAKER_STATE_CLOSED);
	ohe_circuit_breaker_update (self);
	return self->state;
}

/**
 * ohe_circuit_breaker_admit:
 * @self: an #OheCircuitBreaker
 * @ticket: (out): what to pass to ohe_circuit_breaker_record() afterwards
 * @retry_in_us: (out) (optional): when refused, the time until the breaker may admit again
 *
 * Asks whether a request may be sent. Every admitted request must be
 * recorded exactly once.
 *
 * Returns: %TRUE if the request may be sent
 */
gboolean
ohe_circuit_breaker_admit (OheCircuitBreaker *self, guint64 *ticket, gint64 *retry_in_us)
{
	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (ticket != NULL, FALSE);
	ohe_circuit_breaker_update (self);
	*ticket = self->generation;
	if (retry_in_us != NULL)
		*retry_in_us = 0;
	switch (self->state) {
	case OHE_BREAKER_STATE_CLOSED:
		return TRUE;
	case OHE_BREAKER_STATE_HALF_OPEN:
		if (self->trials >= self->success_threshold)
			return FALSE;
		self->trials++;
		return TRUE;
	case OHE_BREAKER_STATE_OPEN:
	default:
		if (retry_in_us != NULL) {
			gint64 elapsed = ohe_clock_get_monotonic (self->clock) - self->opened_us;
			*retry_in_us = MAX (self->open_us - elapsed, 0);
		}
		return FALSE;
	}
}

/**
 * ohe_circuit_breaker_record:
 * @self: an #OheCircuitBreaker
 * @ticket: the ticket ohe_circuit_breaker_admit() gave the request
 * @result: how the request ended
 */
void
ohe_circuit_breaker_record (OheCircuitBreaker *self, guint64 ticket, OheCircuitBreakerResult result)
{
	g_return_if_fail (self != NULL);

	/* the state changed while the request was in flight: its result is stale */
	if (ticket != self->generation)
		return;

	switch (self->state) {
	case OHE_BREAKER_STATE_CLOSED:
		if (result == OHE_CIRCUIT_BREAKER_RESULT_SUCCESS) {
			self->failures = 0;
		} else if (result == OHE_CIRCUIT_BREAKER_RESULT_FAILURE) {
			self->failures++;
			if (self->failure_threshold > 0 &&
			    self->failures >= self->failure_threshold)
				ohe_circuit_breaker_set_state (self, OHE_BREAKER_STATE_OPEN);
		}
		break;
	case OHE_BREAKER_STATE_HALF_OPEN:
		if (self->trials > 0)
			self->trials--;
		if (result == OHE_CIRCUIT_BREAKER_RESULT_SUCCESS) {
			self->successes++;
			if (self->successes >= self->success_threshold)
				ohe_circuit_breaker_set_state (self, OHE_BREAKER_STATE_CLOSED);
		} else if (result == OHE_CIRCUIT_BREAKER_RESULT_FAILURE) {
			ohe_circuit_breaker_set_state (self, OHE_BREAKER_STATE_OPEN);
		}
		break;
	case OHE_BREAKER_STATE_OPEN:
	default:
		/* nothing is admitted while open, so nothing can end in this generation */
		break;
	}
}
