/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-job.h"
#include "ohe-shaper.h"
#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_TYPE_SYNC_PIPELINE (ohe_sync_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (OheSyncPipeline, ohe_sync_pipeline, OHE, SYNC_PIPELINE, GObject)

/* what one run did; counts only, never values */
typedef struct {
	guint64 fetched;
	guint64 accepted;
	guint64 rejected;
	guint64 batches;
	guint fetch_queue_high_water;
	guint push_queue_high_water;
	gint64 fetch_blocked_us; /* time the provider waited on a full queue */
	guint64 accepted_by_kind[OHE_MEASUREMENT_KIND_LAST];
	gchar *cursor;		 /* owned: the last acknowledged cursor */
} OheSyncStats;

void
ohe_sync_stats_clear (OheSyncStats *stats);

gchar *
ohe_sync_pipeline_dup_stream (OheJob *job);
OheSyncPipeline *
ohe_sync_pipeline_new (OheProvider *provider, OheSink *sink, OheStore *store, guint depth);
gboolean
ohe_sync_pipeline_run (OheSyncPipeline *self,
		       OheJob *job,
		       OheFetchRequest *request,
		       OheShaper *shaper,
		       const gchar *patient_reference,
		       OheSyncStats *stats,
		       GCancellable *cancellable,
		       GError **error);

G_END_DECLS
