/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-hourly-aggregator.h"
#include "ohe-job.h"
#include "ohe-linked-data.h"
#include "ohe-shaper.h"
#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_TYPE_SYNC_PIPELINE (ohe_sync_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (OheSyncPipeline, ohe_sync_pipeline, OHE, SYNC_PIPELINE, GObject)

/*
 * What one run did; counts only, never values. Every fetched measurement of
 * an acknowledged batch is counted in exactly one of written, refused and
 * filtered; items of a batch that failed are counted in fetched only.
 */
typedef struct {
	guint64 fetched;
	guint64 written;
	guint64 refused;
	guint64 filtered;
	guint64 batches;
	gboolean nothing_asked; /* the job asked the provider for no kind it delivers */
	guint fetch_queue_high_water;
	guint push_queue_high_water;
	gint64 fetch_blocked_us; /* time the provider waited on a full queue */
	guint64 fetched_by_kind[OHE_MEASUREMENT_KIND_LAST]; /* of acknowledged batches */
	guint64 written_by_kind[OHE_MEASUREMENT_KIND_LAST];
	guint64 refused_by_kind[OHE_MEASUREMENT_KIND_LAST];
	guint64 filtered_by_kind[OHE_MEASUREMENT_KIND_LAST];
	gchar *filter_reason_by_kind[OHE_MEASUREMENT_KIND_LAST]; /* owned: the first reason */
	gchar *cursor;		 /* owned: the last acknowledged cursor */
	guint64 aggregates;	 /* hourly aggregates written */
	guint64 hours_refetched; /* hours fetched again so an aggregate covers all of it */
	guint64 linked;		 /* linked children fetched for a parent without one */
} OheSyncStats;

void
ohe_sync_stats_clear (OheSyncStats *stats);

gchar *
ohe_sync_pipeline_dup_stream (OheJob *job);
OheSyncPipeline *
ohe_sync_pipeline_new (OheProvider *provider, OheSink *sink, OheStore *store, guint depth);
void
ohe_sync_pipeline_set_aggregator (OheSyncPipeline *self, OheHourlyAggregator *aggregator);
void
ohe_sync_pipeline_set_linked_data (OheSyncPipeline *self, OheLinkedData *linked);
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
