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
 * @OHE_PUSH_OUTCOME_PENDING: the sink has not answered for this item
 * @OHE_PUSH_OUTCOME_ACCEPTED: stored (created, updated or unchanged)
 * @OHE_PUSH_OUTCOME_REJECTED: refused for good; goes to the dead letters
 * @OHE_PUSH_OUTCOME_RETRY: failed for now; the job is retried
 *
 * Since: 0.1
 */
typedef enum {
	OHE_PUSH_OUTCOME_PENDING,
	OHE_PUSH_OUTCOME_ACCEPTED,
	OHE_PUSH_OUTCOME_REJECTED,
	OHE_PUSH_OUTCOME_RETRY,
} OhePushOutcome;

OhePushRequest *
ohe_push_request_new (const gchar *link_id, const gchar *patient_reference, GPtrArray *measurements);
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
			      const gchar *detail);
void
ohe_push_request_set_all_outcomes (OhePushRequest *self,
				   OhePushOutcome outcome,
				   const gchar *detail);
OhePushOutcome
ohe_push_request_get_outcome (OhePushRequest *self, guint idx);
const gchar *
ohe_push_request_get_detail (OhePushRequest *self, guint idx);
guint
ohe_push_request_count_outcome (OhePushRequest *self, OhePushOutcome outcome);

G_END_DECLS
