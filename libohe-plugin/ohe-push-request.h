/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ohe-measurement.h"

G_BEGIN_DECLS

#define OHE_TYPE_PUSH_REQUEST (ohe_push_request_get_type ())
G_DECLARE_FINAL_TYPE (OhePushRequest, ohe_push_request, OHE, PUSH_REQUEST, GObject)

/**
 * OhePushOutcome:
 * @OHE_PUSH_OUTCOME_PENDING: no stage has answered for this item yet
 * @OHE_PUSH_OUTCOME_WRITTEN: stored (created, updated or unchanged); the
 *   resource ids it produced are set with ohe_push_request_set_written()
 * @OHE_PUSH_OUTCOME_REFUSED: cannot be written, for good; the reason goes to
 *   the dead letters
 * @OHE_PUSH_OUTCOME_FILTERED: deliberately not written, with the reason (one
 *   of the `OHE_PUSH_REASON_` constants): not consented, a policy, or a kind
 *   the sink does not map; counted, no dead letter
 * @OHE_PUSH_OUTCOME_RETRY: failed for now; the job is retried
 *
 * Every item of a batch ends in exactly one of WRITTEN, REFUSED or FILTERED
 * before the host acknowledges the batch.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_PUSH_OUTCOME_PENDING,
	OHE_PUSH_OUTCOME_WRITTEN,
	OHE_PUSH_OUTCOME_REFUSED,
	OHE_PUSH_OUTCOME_FILTERED,
	OHE_PUSH_OUTCOME_RETRY,
} OhePushOutcome;

/**
 * OHE_PUSH_REASON_NOT_CONSENTED:
 *
 * Filter reason: the user did not consent to the item's kind.
 *
 * Since: 0.1
 */
#define OHE_PUSH_REASON_NOT_CONSENTED "not consented"
/**
 * OHE_PUSH_REASON_NOT_MAPPED:
 *
 * Filter reason: the sink's mapping disables or lacks the item's kind.
 *
 * Since: 0.1
 */
#define OHE_PUSH_REASON_NOT_MAPPED "not mapped"
/**
 * OHE_PUSH_REASON_POLICY:
 *
 * Filter reason prefix: a configured policy leaves the item out.
 *
 * Since: 0.1
 */
#define OHE_PUSH_REASON_POLICY "policy"

const gchar *
ohe_push_outcome_to_string (OhePushOutcome outcome);

OhePushRequest *
ohe_push_request_new (const gchar *link_id,
		      const gchar *patient_reference,
		      GPtrArray *measurements);
const gchar *
ohe_push_request_get_link_id (OhePushRequest *self);
const gchar *
ohe_push_request_get_patient_reference (OhePushRequest *self);
GPtrArray *
ohe_push_request_get_measurements (OhePushRequest *self);
guint
ohe_push_request_get_n_measurements (OhePushRequest *self);
OheMeasurement *
ohe_push_request_get_measurement (OhePushRequest *self, guint idx);
void
ohe_push_request_set_outcome (OhePushRequest *self,
			      guint idx,
			      OhePushOutcome outcome,
			      const gchar *reason);
void
ohe_push_request_set_written (OhePushRequest *self, guint idx, const gchar *const *resource_ids);
void
ohe_push_request_set_all_outcomes (OhePushRequest *self,
				   OhePushOutcome outcome,
				   const gchar *reason);
OhePushOutcome
ohe_push_request_get_outcome (OhePushRequest *self, guint idx);
const gchar *
ohe_push_request_get_reason (OhePushRequest *self, guint idx);
const gchar *const *
ohe_push_request_get_resource_ids (OhePushRequest *self, guint idx);
guint
ohe_push_request_count_outcome (OhePushRequest *self, OhePushOutcome outcome);

G_END_DECLS
