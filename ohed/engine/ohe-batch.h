/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/*
 * What flows between the pipeline stages: measurements in worker memory
 * only, the stream position reached once they are acknowledged, and the
 * items an earlier stage refused (descriptor and reason, no values).
 */
typedef struct {
	GPtrArray *measurements; /* owned, of OheMeasurement */
	gchar *cursor;		 /* owned, nullable */
	GPtrArray *refused;	 /* owned, of gchar*: "descriptor\treason" */
} OheBatch;

OheBatch *
ohe_batch_new (GPtrArray *measurements, const gchar *cursor);
void
ohe_batch_free (OheBatch *self);
void
ohe_batch_refuse (OheBatch *self, OheMeasurement *measurement, const gchar *reason);
gchar *
ohe_batch_describe (OheMeasurement *measurement);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheBatch, ohe_batch_free)

G_END_DECLS
