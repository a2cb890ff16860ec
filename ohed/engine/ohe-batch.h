/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/*
 * What flows between the pipeline stages: measurements in worker memory
 * only, the stream position reached once they are acknowledged, and one
 * typed outcome per fetched measurement. The shaper refuses or filters items
 * in place (nothing leaves the batch unaccounted for); the sink answers for
 * the items still pending.
 */
typedef struct {
	GPtrArray *measurements; /* owned, of OheMeasurement: everything fetched */
	guint n_fetched;	 /* what the provider emitted into this batch */
	gchar *cursor;		 /* owned, nullable */
	GArray *outcomes;	 /* owned, of OhePushOutcome, one per measurement */
	GPtrArray *reasons;	 /* owned, of nullable gchar*, one per measurement */
} OheBatch;

OheBatch *
ohe_batch_new (GPtrArray *measurements, const gchar *cursor);
void
ohe_batch_free (OheBatch *self);
void
ohe_batch_set_outcome (OheBatch *self, guint idx, OhePushOutcome outcome, const gchar *reason);
OhePushOutcome
ohe_batch_get_outcome (OheBatch *self, guint idx);
const gchar *
ohe_batch_get_reason (OheBatch *self, guint idx);
GPtrArray *
ohe_batch_dup_pending (OheBatch *self, GArray **indices);
gchar *
ohe_batch_describe (OheMeasurement *measurement);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheBatch, ohe_batch_free)

G_END_DECLS
