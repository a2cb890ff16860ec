/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * OheSimFaultKind:
 * @OHE_SIM_FAULT_NONE: no fault
 * @OHE_SIM_FAULT_RATE_LIMITED: "429": rate limited (default: HTTP 429 with `Retry-After`)
 * @OHE_SIM_FAULT_INTERNAL: "500": internal server error
 * @OHE_SIM_FAULT_UNAVAILABLE: "503": service unavailable
 * @OHE_SIM_FAULT_EXPIRED_TOKEN: "expired-token": the bearer is treated as expired
 * @OHE_SIM_FAULT_REVOKED_TOKEN: "revoked-token": the grant is treated as revoked
 * @OHE_SIM_FAULT_SLOW: "slow:MS": the normal answer, MS milliseconds late
 * @OHE_SIM_FAULT_TRUNCATE: "truncate": the normal answer's headers announce the full
 *   Content-Length, the connection closes after half of the body
 * @OHE_SIM_FAULT_MALFORMED: "malformed": HTTP 200 with a body that is not valid JSON
 *
 * The faults the simulator injects. The first five replace the handler's answer: the
 * provider's fault function (see ohe_sim_server_set_fault_func()) formats them the way its
 * cloud does (Withings answers HTTP 200 with `status` 601 or 401 in the body), or the
 * framework sends its default. The last three wrap the handler's normal answer.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_SIM_FAULT_NONE,
	OHE_SIM_FAULT_RATE_LIMITED,
	OHE_SIM_FAULT_INTERNAL,
	OHE_SIM_FAULT_UNAVAILABLE,
	OHE_SIM_FAULT_EXPIRED_TOKEN,
	OHE_SIM_FAULT_REVOKED_TOKEN,
	OHE_SIM_FAULT_SLOW,
	OHE_SIM_FAULT_TRUNCATE,
	OHE_SIM_FAULT_MALFORMED,
	/*< private >*/
	OHE_SIM_FAULT_LAST
} OheSimFaultKind;

/**
 * ohe_sim_fault_kind_to_string:
 * @kind: a fault
 *
 * Returns: the wire name: "429", "500", "503", "expired-token", "revoked-token", "slow",
 *   "truncate", "malformed", or "none"
 */
const gchar *
ohe_sim_fault_kind_to_string (OheSimFaultKind kind);
/**
 * ohe_sim_fault_kind_parse:
 * @text: e.g. "503" or "slow:250"
 * @kind: (out): the fault
 * @slow_ms: (out) (optional): the delay of "slow:MS", else 0
 * @error: return location for an error
 *
 * Returns: %FALSE with %OHE_ERROR_INVALID_ARGUMENT if @text names no fault
 */
gboolean
ohe_sim_fault_kind_parse (const gchar *text, OheSimFaultKind *kind, guint *slow_ms, GError **error);
/**
 * ohe_sim_fault_kind_get_status:
 * @kind: a fault that replaces the answer
 *
 * Returns: the default HTTP status: 429, 500, 503, 401 (both token faults); 0 otherwise
 */
guint
ohe_sim_fault_kind_get_status (OheSimFaultKind kind);

#define OHE_TYPE_SIM_FAULT (ohe_sim_fault_get_type ())
G_DECLARE_FINAL_TYPE (OheSimFault, ohe_sim_fault, OHE, SIM_FAULT, GObject)

/**
 * ohe_sim_fault_new:
 * @seed: seeds the PRNG of probability faults; the same seed and the same request sequence
 *   give the same faults
 *
 * Returns: (transfer full): a fault injector with no rates and an empty queue. All methods
 *   are thread-safe.
 */
OheSimFault *
ohe_sim_fault_new (guint64 seed);
/**
 * ohe_sim_fault_set_rates:
 * @self: a fault injector
 * @spec: e.g. "429=0.1,503=0.05"; "" clears the rates
 * @error: return location for an error
 *
 * Each provider request draws one number from the seeded PRNG and gets at most one of the
 * faults, with the given probabilities (their sum must not exceed 1). Only faults that
 * replace the answer, "truncate" and "malformed" are allowed.
 *
 * Returns: %FALSE with %OHE_ERROR_INVALID_ARGUMENT naming the bad entry
 */
gboolean
ohe_sim_fault_set_rates (OheSimFault *self, const gchar *spec, GError **error);
/**
 * ohe_sim_fault_queue:
 * @self: a fault injector
 * @path_prefix: the fault hits requests whose path starts with this, e.g. "/withings/v2/measure"
 * @fault: a fault name as in ohe_sim_fault_kind_parse()
 * @count: how many of the next matching requests get the fault
 * @error: return location for an error
 *
 * Queues faults (also reachable as `POST /_sim/faults {"path_prefix", "fault", "count"}`).
 * Queued entries are consumed in the order they were queued.
 *
 * Returns: %FALSE if @fault is unknown or @count is 0
 */
gboolean
ohe_sim_fault_queue (
    OheSimFault *self, const gchar *path_prefix, const gchar *fault, guint count, GError **error);
/**
 * ohe_sim_fault_clear:
 * @self: a fault injector
 *
 * Drops all queued faults (rates stay).
 */
void
ohe_sim_fault_clear (OheSimFault *self);
/**
 * ohe_sim_fault_pick:
 * @self: a fault injector
 * @path: the request path
 * @requested: (nullable): the `X-Sim-Fault` header or the `_fault` query parameter
 * @slow_ms: (out): the delay when the result is %OHE_SIM_FAULT_SLOW
 * @kind: (out): the fault for this request
 * @error: return location for an error
 *
 * Decides the fault of one request, in this order: @requested, the queue, the rates. Counts
 * the injected fault.
 *
 * Returns: %FALSE if @requested names no fault (the simulator answers 400)
 */
gboolean
ohe_sim_fault_pick (OheSimFault *self,
		    const gchar *path,
		    const gchar *requested,
		    OheSimFaultKind *kind,
		    guint *slow_ms,
		    GError **error);
/**
 * ohe_sim_fault_get_injected:
 * @self: a fault injector
 * @kind: a fault
 *
 * Returns: how many requests got @kind so far
 */
guint
ohe_sim_fault_get_injected (OheSimFault *self, OheSimFaultKind kind);
/**
 * ohe_sim_fault_get_pending:
 * @self: a fault injector
 *
 * Returns: the number of queued faults not consumed yet
 */
guint
ohe_sim_fault_get_pending (OheSimFault *self);
/**
 * ohe_sim_fault_set_retry_after:
 * @self: a fault injector
 * @seconds: the `Retry-After` of the default 429 answer (default 1)
 */
void
ohe_sim_fault_set_retry_after (OheSimFault *self, guint seconds);
/**
 * ohe_sim_fault_get_retry_after:
 * @self: a fault injector
 *
 * Returns: the `Retry-After` seconds fault functions should announce on 429
 */
guint
ohe_sim_fault_get_retry_after (OheSimFault *self);

G_END_DECLS
