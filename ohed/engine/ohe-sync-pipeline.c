/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-batch.h"
#include "ohe-bounded-queue.h"
#include "ohe-sync-pipeline.h"

/* aggregates per push request to the sink */
#define OHE_SYNC_AGGREGATES_PER_PUSH 256

/*
 * One job as three concurrent stages joined by bounded queues:
 *
 *   fetch thread ──► fetched ──► shape thread ──► shaped ──► push (caller's thread)
 *
 * The provider blocks in ohe_fetch_request_emit() while `fetched` is full,
 * so memory stays bounded by depth × batch size whatever the window. The
 * cursor of a batch is stored only after every item of it is accounted for:
 * written, refused (dead-lettered) or filtered (not consented, not mapped by
 * the sink), checked as fetched = written + refused + filtered; an item
 * without one of these outcomes fails the job loudly. A failure anywhere
 * stops all stages and leaves the cursor at the last acknowledged batch, so
 * a retry fetches the rest again and nothing is lost.
 *
 * With hourly aggregation (ohe_sync_pipeline_set_aggregator()) the shape
 * stage folds stream samples into hours; once everything is fetched, hours
 * the job's window did not cover as a whole are fetched again in full, the
 * aggregates are written, and only then is the job's last cursor stored.
 * With required linked data (ohe_sync_pipeline_set_linked_data()) a parent
 * that came without its child gets the child kind's samples of its interval,
 * fetched after the job's own data and accounted for like it.
 */
struct _OheSyncPipeline {
	GObject parent_instance;
	OheProvider *provider; /* owned */
	OheSink *sink;	       /* owned */
	OheStore *store;       /* owned */
	guint depth;
	OheHourlyAggregator *aggregator; /* owned, nullable */
	OheLinkedData *linked;		 /* owned, nullable */
};

G_DEFINE_TYPE (OheSyncPipeline, ohe_sync_pipeline, G_TYPE_OBJECT)

/*
 * Cursors: a job without a window ("from where the link stands") reads and
 * advances the link's own stream; a job with an explicit window (backfill,
 * reconciliation, a manual sync) has a stream of its own, so it fetches its
 * whole window whatever the link's cursor says, a retry of it resumes where
 * it stopped, and it never moves the link's incremental position.
 */
#define OHE_SYNC_LINK_STREAM "default"

gchar *
ohe_sync_pipeline_dup_stream (OheJob *job)
{
	if (ohe_job_get_window_start (job) == 0 && ohe_job_get_window_end (job) == 0)
		return g_strdup (OHE_SYNC_LINK_STREAM);
	return g_strdup_printf ("job:%s", ohe_job_get_id (job));
}

typedef struct {
	OheSyncPipeline *pipeline;
	OheJob *job;
	gchar *stream; /* owned: where this job's cursor is stored */
	OheFetchRequest *request;
	OheShaper *shaper;
	OheBoundedQueue *fetched;
	OheBoundedQueue *shaped;
	GCancellable *cancellable; /* owned: child of the caller's */
	gulong cancel_id;
	GCancellable *parent_cancellable;
	GMutex mutex;
	GError *error; /* first error of any stage, protected by mutex */
	guint64 fetched_count;
	gboolean resumed;	/* the fetch started at a stored cursor, not the window start */
	gchar *deferred_cursor; /* owned: stored once the aggregates are written */
	/* items of acknowledged batches counted as written for an aggregate not yet written */
	guint64 aggregated_by_kind[OHE_MEASUREMENT_KIND_LAST];
} OheSyncRun;

void
ohe_sync_stats_clear (OheSyncStats *stats)
{
	g_clear_pointer (&stats->cursor, g_free);
	for (guint i = 0; i < OHE_MEASUREMENT_KIND_LAST; i++)
		g_clear_pointer (&stats->filter_reason_by_kind[i], g_free);
	memset (stats, 0, sizeof (*stats));
}

static void
ohe_sync_pipeline_finalize (GObject *object)
{
	OheSyncPipeline *self = OHE_SYNC_PIPELINE (object);
	g_object_unref (self->provider);
	g_object_unref (self->sink);
	g_object_unref (self->store);
	g_clear_object (&self->aggregator);
	g_clear_object (&self->linked);
	G_OBJECT_CLASS (ohe_sync_pipeline_parent_class)->finalize (object);
}

static void
ohe_sync_pipeline_class_init (OheSyncPipelineClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sync_pipeline_finalize;
}

static void
ohe_sync_pipeline_init (OheSyncPipeline *self)
{
}

OheSyncPipeline *
ohe_sync_pipeline_new (OheProvider *provider, OheSink *sink, OheStore *store, guint depth)
{
	OheSyncPipeline *self = g_object_new (OHE_TYPE_SYNC_PIPELINE, NULL);
	self->provider = g_object_ref (provider);
	self->sink = g_object_ref (sink);
	self->store = g_object_ref (store);
	self->depth = MAX (depth, 1);
	return self;
}

/* @aggregator: nullable; folds stream samples into hourly aggregates */
void
ohe_sync_pipeline_set_aggregator (OheSyncPipeline *self, OheHourlyAggregator *aggregator)
{
	g_return_if_fail (OHE_IS_SYNC_PIPELINE (self));
	g_set_object (&self->aggregator, aggregator);
}

/* @linked: nullable; completes parents with their required linked children */
void
ohe_sync_pipeline_set_linked_data (OheSyncPipeline *self, OheLinkedData *linked)
{
	g_return_if_fail (OHE_IS_SYNC_PIPELINE (self));
	g_set_object (&self->linked, linked);
}

/* Records the first error of any stage; takes @error. */
static void
ohe_sync_run_set_error (OheSyncRun *run, GError *error)
{
	g_mutex_lock (&run->mutex);
	if (run->error == NULL) {
		run->error = error;
		error = NULL;
	}
	g_mutex_unlock (&run->mutex);
	g_clear_error (&error);
}

/* Records the error and stops every stage at once. */
static void
ohe_sync_run_fail (OheSyncRun *run, GError *error)
{
	ohe_sync_run_set_error (run, error);
	g_cancellable_cancel (run->cancellable);
	ohe_bounded_queue_abort (run->fetched);
	ohe_bounded_queue_abort (run->shaped);
}

static gboolean
ohe_sync_run_emit (OheFetchRequest *request,
		   GPtrArray *measurements,
		   const gchar *cursor,
		   gpointer user_data,
		   GError **error)
{
	OheSyncRun *run = user_data;
	run->fetched_count += measurements->len;
	if (!ohe_bounded_queue_push (run->fetched, ohe_batch_new (measurements, cursor)) ||
	    g_cancellable_is_cancelled (run->cancellable)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_CANCELLED, "pipeline stopped");
		return FALSE;
	}
	return TRUE;
}

static gpointer
ohe_sync_run_fetch_thread (gpointer user_data)
{
	OheSyncRun *run = user_data;
	GError *error = NULL;

	/* on a fetch error the batches already fetched are still delivered, so
	 * the cursor gets as far as it can before the job is retried */
	if (!ohe_provider_fetch (run->pipeline->provider, run->request, run->cancellable, &error)) {
		g_prefix_error (&error, "fetch from %s: ",
				ohe_plugin_get_name (OHE_PLUGIN (run->pipeline->provider)));
		ohe_sync_run_set_error (run, error);
	}
	ohe_bounded_queue_close (run->fetched);
	return NULL;
}

static gpointer
ohe_sync_run_shape_thread (gpointer user_data)
{
	OheSyncRun *run = user_data;
	OheBatch *batch;

	while ((batch = ohe_bounded_queue_pop (run->fetched)) != NULL) {
		ohe_shaper_apply (run->shaper, batch);
		if (run->pipeline->linked != NULL)
			ohe_linked_data_observe (run->pipeline->linked, batch);
		if (run->pipeline->aggregator != NULL)
			ohe_hourly_aggregator_absorb (run->pipeline->aggregator, batch);
		if (!ohe_bounded_queue_push (run->shaped, batch))
			return NULL;
	}
	ohe_bounded_queue_close (run->shaped);
	return NULL;
}

/* what one batch came to, added to the run's stats once it is acknowledged */
typedef struct {
	guint64 by_outcome[OHE_PUSH_OUTCOME_RETRY + 1][OHE_MEASUREMENT_KIND_LAST];
	guint64 total[OHE_PUSH_OUTCOME_RETRY + 1];
	guint unanswered; /* pending or not an outcome at all */
	const gchar *first_retry;
} OheSyncTally;

static void
ohe_sync_tally_add (OheSyncTally *tally, OheBatch *batch, guint idx)
{
	OhePushOutcome outcome = ohe_batch_get_outcome (batch, idx);
	OheMeasurementKind kind =
	    ohe_measurement_get_kind (g_ptr_array_index (batch->measurements, idx));

	if (outcome == OHE_PUSH_OUTCOME_PENDING || (guint)outcome > OHE_PUSH_OUTCOME_RETRY) {
		tally->unanswered++;
		return;
	}
	if (outcome == OHE_PUSH_OUTCOME_RETRY && tally->first_retry == NULL)
		tally->first_retry = ohe_batch_get_reason (batch, idx);
	tally->total[outcome]++;
	if ((guint)kind < OHE_MEASUREMENT_KIND_LAST)
		tally->by_outcome[outcome][kind]++;
}

static void
ohe_sync_stats_add_tally (OheSyncStats *stats, OheBatch *batch, const OheSyncTally *tally)
{
	stats->written += tally->total[OHE_PUSH_OUTCOME_WRITTEN];
	stats->refused += tally->total[OHE_PUSH_OUTCOME_REFUSED];
	stats->filtered += tally->total[OHE_PUSH_OUTCOME_FILTERED];
	for (guint k = 0; k < OHE_MEASUREMENT_KIND_LAST; k++) {
		stats->written_by_kind[k] += tally->by_outcome[OHE_PUSH_OUTCOME_WRITTEN][k];
		stats->refused_by_kind[k] += tally->by_outcome[OHE_PUSH_OUTCOME_REFUSED][k];
		stats->filtered_by_kind[k] += tally->by_outcome[OHE_PUSH_OUTCOME_FILTERED][k];
		stats->fetched_by_kind[k] += tally->by_outcome[OHE_PUSH_OUTCOME_WRITTEN][k] +
					     tally->by_outcome[OHE_PUSH_OUTCOME_REFUSED][k] +
					     tally->by_outcome[OHE_PUSH_OUTCOME_FILTERED][k];
	}
	for (guint i = 0; i < batch->measurements->len; i++) {
		OheMeasurementKind kind =
		    ohe_measurement_get_kind (g_ptr_array_index (batch->measurements, i));
		if (ohe_batch_get_outcome (batch, i) != OHE_PUSH_OUTCOME_FILTERED ||
		    (guint)kind >= OHE_MEASUREMENT_KIND_LAST ||
		    stats->filter_reason_by_kind[kind] != NULL)
			continue;
		stats->filter_reason_by_kind[kind] = g_strdup (ohe_batch_get_reason (batch, i));
	}
}

/* hands the items still pending to the sink and copies its answers back */
static gboolean
ohe_sync_run_push_pending (OheSyncRun *run,
			   OheBatch *batch,
			   const gchar *patient_reference,
			   GError **error)
{
	OheSyncPipeline *self = run->pipeline;
	g_autoptr(GArray) indices = NULL;
	g_autoptr(GPtrArray) pending = ohe_batch_dup_pending (batch, &indices);
	g_autoptr(OhePushRequest) push = NULL;

	if (pending->len == 0)
		return TRUE;
	push = ohe_push_request_new (ohe_job_get_link_id (run->job), patient_reference, pending);
	if (!ohe_sink_push (self->sink, push, run->cancellable, error)) {
		g_prefix_error (error,
				"push to %s: ", ohe_plugin_get_name (OHE_PLUGIN (self->sink)));
		return FALSE;
	}
	for (guint i = 0; i < indices->len; i++)
		ohe_batch_set_outcome (batch, g_array_index (indices, guint, i),
				       ohe_push_request_get_outcome (push, i),
				       ohe_push_request_get_reason (push, i));
	return TRUE;
}

/* Delivers one batch; on success every item is written, refused or filtered. */
static gboolean
ohe_sync_run_push_batch (OheSyncRun *run,
			 OheBatch *batch,
			 const gchar *patient_reference,
			 OheSyncStats *stats,
			 GError **error)
{
	OheSyncPipeline *self = run->pipeline;
	const gchar *sink_name = ohe_plugin_get_name (OHE_PLUGIN (self->sink));
	OheSyncTally tally = {0};
	guint64 accounted;

	if (!ohe_sync_run_push_pending (run, batch, patient_reference, error))
		return FALSE;
	for (guint i = 0; i < batch->measurements->len; i++) {
		g_autofree gchar *descriptor = NULL;
		const gchar *reason = ohe_batch_get_reason (batch, i);

		ohe_sync_tally_add (&tally, batch, i);
		if (ohe_batch_get_outcome (batch, i) != OHE_PUSH_OUTCOME_REFUSED)
			continue;
		descriptor = ohe_batch_describe (g_ptr_array_index (batch->measurements, i));
		if (!ohe_store_add_dead_letter (self->store, ohe_job_get_id (run->job),
						ohe_job_get_link_id (run->job), descriptor,
						reason != NULL ? reason : "refused", error))
			return FALSE;
	}
	if (tally.total[OHE_PUSH_OUTCOME_RETRY] > 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
			     "sink %s did not acknowledge %" G_GUINT64_FORMAT " of %u items: %s",
			     sink_name, tally.total[OHE_PUSH_OUTCOME_RETRY],
			     batch->measurements->len,
			     tally.first_retry != NULL ? tally.first_retry : "no reason given");
		return FALSE;
	}
	/* the invariant: nothing fetched goes unaccounted for */
	accounted = tally.total[OHE_PUSH_OUTCOME_WRITTEN] + tally.total[OHE_PUSH_OUTCOME_REFUSED] +
		    tally.total[OHE_PUSH_OUTCOME_FILTERED];
	if (tally.unanswered > 0 || accounted != batch->n_fetched ||
	    batch->measurements->len != batch->n_fetched) {
		g_set_error (
		    error, OHE_ERROR, OHE_ERROR_FAILED,
		    "batch accounting broken (sink %s): fetched %u, written %" G_GUINT64_FORMAT
		    " + refused %" G_GUINT64_FORMAT " + filtered %" G_GUINT64_FORMAT
		    ", %u items without an outcome",
		    sink_name, batch->n_fetched, tally.total[OHE_PUSH_OUTCOME_WRITTEN],
		    tally.total[OHE_PUSH_OUTCOME_REFUSED], tally.total[OHE_PUSH_OUTCOME_FILTERED],
		    tally.unanswered);
		g_critical ("job %s: %s", ohe_job_get_id (run->job), (*error)->message);
		return FALSE;
	}
	ohe_sync_stats_add_tally (stats, batch, &tally);
	for (guint i = 0; self->aggregator != NULL && i < batch->measurements->len; i++) {
		OheMeasurementKind kind =
		    ohe_measurement_get_kind (g_ptr_array_index (batch->measurements, i));
		if (ohe_batch_get_outcome (batch, i) == OHE_PUSH_OUTCOME_WRITTEN &&
		    (guint)kind < OHE_MEASUREMENT_KIND_LAST &&
		    g_strcmp0 (ohe_batch_get_reason (batch, i), OHE_HOURLY_AGGREGATOR_REASON) == 0)
			run->aggregated_by_kind[kind]++;
	}
	stats->batches++;
	if (batch->cursor != NULL && self->aggregator != NULL) {
		g_free (run->deferred_cursor);
		run->deferred_cursor = g_strdup (batch->cursor);
	} else if (batch->cursor != NULL) {
		if (!ohe_store_set_cursor (self->store, ohe_job_get_link_id (run->job), run->stream,
					   batch->cursor, error))
			return FALSE;
		g_free (stats->cursor);
		stats->cursor = g_strdup (batch->cursor);
	}
	return TRUE;
}

/* what a fetch of the pipeline's own (hours again, linked children) collects */
typedef struct {
	OheHourlyAggregator *refetched; /* nullable */
	const OheHourRange *range;
	const OheLinkedParent *parent; /* nullable */
	GPtrArray *children;	       /* of OheMeasurement, when parent is set */
} OheSyncSubFetch;

static gboolean
ohe_sync_sub_fetch_emit (OheFetchRequest *request,
			 GPtrArray *measurements,
			 const gchar *cursor,
			 gpointer user_data,
			 GError **error)
{
	OheSyncSubFetch *sub = user_data;
	for (guint i = 0; i < measurements->len; i++) {
		OheMeasurement *m = g_ptr_array_index (measurements, i);
		if (sub->parent != NULL) {
			OheMeasurement *child = ohe_linked_data_make_child (sub->parent, m);
			if (child != NULL)
				g_ptr_array_add (sub->children, child);
			continue;
		}
		if (ohe_measurement_get_kind (m) == sub->range->kind &&
		    ohe_measurement_get_start (m) >= sub->range->start &&
		    ohe_measurement_get_start (m) < sub->range->end)
			ohe_hourly_aggregator_add (sub->refetched, m);
	}
	return TRUE;
}

/* fetches @kind over [@start, @end) for the link of @run's request */
static gboolean
ohe_sync_run_sub_fetch (OheSyncRun *run,
			OheMeasurementKind kind,
			gint64 start,
			gint64 end,
			OheSyncSubFetch *sub,
			GError **error)
{
	OheProvider *provider = run->pipeline->provider;
	g_autoptr(OheFetchRequest) request = ohe_fetch_request_new (
	    ohe_fetch_request_get_link_id (run->request), start, end);

	ohe_fetch_request_set_token (request, ohe_fetch_request_get_token (run->request));
	ohe_fetch_request_set_external_user_id (
	    request, ohe_fetch_request_get_external_user_id (run->request));
	ohe_fetch_request_add_kind (request, kind);
	ohe_fetch_request_set_emit_func (request, ohe_sync_sub_fetch_emit, sub, NULL);
	if (!ohe_provider_fetch (provider, request, run->cancellable, error)) {
		g_prefix_error (error, "fetch %s from %s: ", ohe_measurement_kind_to_string (kind),
				ohe_plugin_get_name (OHE_PLUGIN (provider)));
		return FALSE;
	}
	return TRUE;
}

/* the children a parent came without: its interval of the child kind's stream */
static gboolean
ohe_sync_run_linked (OheSyncRun *run,
		     const gchar *patient_reference,
		     OheSyncStats *stats,
		     GError **error)
{
	g_autoptr(GPtrArray) missing = ohe_linked_data_dup_missing (run->pipeline->linked);

	for (guint i = 0; i < missing->len; i++) {
		const OheLinkedParent *parent = g_ptr_array_index (missing, i);
		g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (
		    (GDestroyNotify)ohe_measurement_unref);
		OheSyncSubFetch sub = {.parent = parent, .children = children};
		g_autoptr(OheBatch) batch = NULL;

		/* consent beats completeness: no child the link may not send */
		if (!ohe_shaper_allows_kind (run->shaper, parent->child_kind))
			continue;
		if (!ohe_sync_run_sub_fetch (run, parent->child_kind, parent->start, parent->end,
					     &sub, error))
			return FALSE;
		if (children->len == 0)
			continue;
		batch = ohe_batch_new (children, NULL);
		ohe_shaper_apply (run->shaper, batch);
		if (!ohe_sync_run_push_batch (run, batch, patient_reference, stats, error))
			return FALSE;
		stats->fetched += batch->n_fetched;
		stats->linked += batch->n_fetched;
	}
	return TRUE;
}

/* the job's aggregated items of @kind after all: not written, but @outcome */
static void
ohe_sync_stats_move_written (OheSyncStats *stats,
			     OheMeasurementKind kind,
			     guint64 count,
			     OhePushOutcome outcome,
			     const gchar *reason)
{
	if ((guint)kind >= OHE_MEASUREMENT_KIND_LAST || count == 0)
		return;
	stats->written -= MIN (stats->written, count);
	stats->written_by_kind[kind] -= MIN (stats->written_by_kind[kind], count);
	if (outcome == OHE_PUSH_OUTCOME_REFUSED) {
		stats->refused += count;
		stats->refused_by_kind[kind] += count;
	} else if (outcome == OHE_PUSH_OUTCOME_FILTERED) {
		stats->filtered += count;
		stats->filtered_by_kind[kind] += count;
		if (stats->filter_reason_by_kind[kind] == NULL)
			stats->filter_reason_by_kind[kind] = g_strdup (reason);
	} else {
		/* not acknowledged at all: as if the batches had not been */
		stats->fetched_by_kind[kind] -= MIN (stats->fetched_by_kind[kind], count);
	}
}

/* writes aggregates [@from, @to) and accounts for what they stand for */
static gboolean
ohe_sync_run_push_aggregates (OheSyncRun *run,
			      GPtrArray *aggregates,
			      GArray *absorbed,
			      guint from,
			      guint to,
			      const gchar *patient_reference,
			      OheSyncStats *stats,
			      GError **error)
{
	OheSyncPipeline *self = run->pipeline;
	g_autoptr(GPtrArray) chunk =
		       g_ptr_array_new_full (to - from, (GDestroyNotify)ohe_measurement_unref);
	g_autoptr(OhePushRequest) push = NULL;

	for (guint i = from; i < to; i++)
		g_ptr_array_add (chunk, ohe_measurement_ref (g_ptr_array_index (aggregates, i)));
	push = ohe_push_request_new (ohe_job_get_link_id (run->job), patient_reference, chunk);
	if (!ohe_sink_push (self->sink, push, run->cancellable, error)) {
		g_prefix_error (error,
				"push to %s: ", ohe_plugin_get_name (OHE_PLUGIN (self->sink)));
		return FALSE;
	}
	for (guint i = 0; i < chunk->len; i++) {
		OheMeasurement *m = g_ptr_array_index (chunk, i);
		OhePushOutcome outcome = ohe_push_request_get_outcome (push, i);
		const gchar *reason = ohe_push_request_get_reason (push, i);
		guint64 count = g_array_index (absorbed, guint64, from + i);
		OheMeasurementKind kind = ohe_measurement_get_kind (m);
		g_autofree gchar *descriptor = NULL;

		/* answered now, one way or the other: nothing left to take back */
		if (outcome != OHE_PUSH_OUTCOME_RETRY && outcome != OHE_PUSH_OUTCOME_PENDING &&
		    (guint)kind < OHE_MEASUREMENT_KIND_LAST)
			run->aggregated_by_kind[kind] -= MIN (run->aggregated_by_kind[kind], count);
		if (outcome == OHE_PUSH_OUTCOME_WRITTEN) {
			stats->aggregates++;
			continue;
		}
		if (outcome == OHE_PUSH_OUTCOME_FILTERED) {
			ohe_sync_stats_move_written (stats, ohe_measurement_get_kind (m), count,
						     outcome, reason);
			continue;
		}
		if (outcome != OHE_PUSH_OUTCOME_REFUSED) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
				     "sink %s did not acknowledge an hourly aggregate: %s",
				     ohe_plugin_get_name (OHE_PLUGIN (self->sink)),
				     reason != NULL ? reason : "no reason given");
			return FALSE;
		}
		ohe_sync_stats_move_written (stats, ohe_measurement_get_kind (m), count, outcome,
					     reason);
		descriptor = ohe_batch_describe (m);
		if (!ohe_store_add_dead_letter (self->store, ohe_job_get_id (run->job),
						ohe_job_get_link_id (run->job), descriptor,
						reason != NULL ? reason : "refused", error))
			return FALSE;
	}
	return TRUE;
}

/*
 * The hours the job's window did not cover as a whole are fetched again in
 * full; then every aggregate is written.
 */
static gboolean
ohe_sync_run_aggregates (OheSyncRun *run,
			 const gchar *patient_reference,
			 OheSyncStats *stats,
			 GError **error)
{
	OheHourlyAggregator *aggregator = run->pipeline->aggregator;
	gint64 covered_start = ohe_fetch_request_get_start (run->request);
	gint64 covered_end = ohe_fetch_request_get_end (run->request);
	g_autoptr(GArray) ranges = NULL;
	g_autoptr(GPtrArray) aggregates = NULL;
	g_autoptr(GArray) absorbed = NULL;
	gboolean ok = TRUE;

	/* a fetch from a cursor may have left out any part of any hour */
	if (run->resumed)
		covered_start = covered_end = 0;
	ranges = ohe_hourly_aggregator_dup_uncovered (aggregator, covered_start, covered_end);
	for (guint i = 0; i < ranges->len; i++) {
		const OheHourRange *range = &g_array_index (ranges, OheHourRange, i);
		g_autoptr(OheHourlyAggregator) refetched = ohe_hourly_aggregator_new (
		    ohe_plugin_get_name (OHE_PLUGIN (run->pipeline->provider)));
		OheSyncSubFetch sub = {.refetched = refetched, .range = range};

		if (!ohe_sync_run_sub_fetch (run, range->kind, range->start, range->end, &sub,
					     error))
			return FALSE;
		ohe_hourly_aggregator_replace (aggregator, refetched, range);
		stats->hours_refetched += (guint64)((range->end - range->start) / OHE_HOUR_US);
	}
	aggregates = ohe_hourly_aggregator_build (aggregator, &absorbed);
	for (guint from = 0; ok && from < aggregates->len; from += OHE_SYNC_AGGREGATES_PER_PUSH)
		ok = ohe_sync_run_push_aggregates (
		    run, aggregates, absorbed, from,
		    MIN (from + OHE_SYNC_AGGREGATES_PER_PUSH, aggregates->len), patient_reference,
		    stats, error);
	return ok;
}

/* the job's items folded into aggregates that were never written */
static void
ohe_sync_run_unaccount_aggregated (OheSyncRun *run, OheSyncStats *stats)
{
	for (guint k = 0; k < OHE_MEASUREMENT_KIND_LAST; k++)
		ohe_sync_stats_move_written (stats, k, run->aggregated_by_kind[k],
					     OHE_PUSH_OUTCOME_RETRY, NULL);
}

/* once per job and kind: what was filtered and why */
static void
ohe_sync_run_log_filtered (OheSyncRun *run, const OheSyncStats *stats)
{
	for (guint k = 0; k < OHE_MEASUREMENT_KIND_LAST; k++) {
		if (stats->filtered_by_kind[k] == 0)
			continue;
		g_message ("job %s: %" G_GUINT64_FORMAT " %s measurements filtered: %s",
			   ohe_job_get_id (run->job), stats->filtered_by_kind[k],
			   ohe_measurement_kind_to_string (k),
			   stats->filter_reason_by_kind[k] != NULL ? stats->filter_reason_by_kind[k]
								   : "no reason given");
	}
}

static void
ohe_sync_run_parent_cancelled (GCancellable *parent, gpointer user_data)
{
	OheSyncRun *run = user_data;
	ohe_sync_run_fail (run,
			   g_error_new_literal (OHE_ERROR, OHE_ERROR_CANCELLED, "sync cancelled"));
}

gboolean
ohe_sync_pipeline_run (OheSyncPipeline *self,
		       OheJob *job,
		       OheFetchRequest *request,
		       OheShaper *shaper,
		       const gchar *patient_reference,
		       OheSyncStats *stats,
		       GCancellable *cancellable,
		       GError **error)
{
	OheSyncRun run = {
	    .pipeline = self,
	    .job = job,
	    .request = request,
	    .shaper = shaper,
	};
	GThread *fetch_thread;
	GThread *shape_thread;
	OheBatch *batch;
	g_autofree gchar *stored_cursor = NULL;
	g_autofree gchar *stream = ohe_sync_pipeline_dup_stream (job);
	g_autoptr(GError) error_cursor = NULL;

	g_return_val_if_fail (OHE_IS_SYNC_PIPELINE (self), FALSE);

	stored_cursor =
	    ohe_store_get_cursor (self->store, ohe_job_get_link_id (job), stream, &error_cursor);
	if (error_cursor != NULL) {
		g_propagate_error (error, g_steal_pointer (&error_cursor));
		return FALSE;
	}
	run.stream = stream;
	if (stored_cursor != NULL && ohe_fetch_request_get_cursor (request) == NULL)
		ohe_fetch_request_set_cursor (request, stored_cursor);
	run.resumed = ohe_fetch_request_get_cursor (request) != NULL;

	g_mutex_init (&run.mutex);
	run.cancellable = g_cancellable_new ();
	run.fetched = ohe_bounded_queue_new (self->depth, (GDestroyNotify)ohe_batch_free);
	run.shaped = ohe_bounded_queue_new (self->depth, (GDestroyNotify)ohe_batch_free);
	if (cancellable != NULL) {
		run.parent_cancellable = cancellable;
		run.cancel_id = g_cancellable_connect (
		    cancellable, G_CALLBACK (ohe_sync_run_parent_cancelled), &run, NULL);
	}
	ohe_fetch_request_set_emit_func (request, ohe_sync_run_emit, &run, NULL);

	fetch_thread = g_thread_new ("ohe-fetch", ohe_sync_run_fetch_thread, &run);
	shape_thread = g_thread_new ("ohe-shape", ohe_sync_run_shape_thread, &run);

	while ((batch = ohe_bounded_queue_pop (run.shaped)) != NULL) {
		GError *error_push = NULL;
		gboolean ok =
		    ohe_sync_run_push_batch (&run, batch, patient_reference, stats, &error_push);
		ohe_batch_free (batch);
		if (!ok) {
			ohe_sync_run_fail (&run, error_push);
			break;
		}
	}

	g_thread_join (fetch_thread);
	g_thread_join (shape_thread);
	ohe_fetch_request_set_emit_func (request, NULL, NULL, NULL);

	if (run.error == NULL && self->linked != NULL) {
		GError *error_linked = NULL;
		if (!ohe_sync_run_linked (&run, patient_reference, stats, &error_linked))
			ohe_sync_run_set_error (&run, error_linked);
	}
	if (self->aggregator != NULL) {
		GError *error_aggregates = NULL;
		if (run.error == NULL &&
		    !ohe_sync_run_aggregates (&run, patient_reference, stats, &error_aggregates))
			ohe_sync_run_set_error (&run, error_aggregates);
		if (run.error != NULL)
			ohe_sync_run_unaccount_aggregated (&run, stats);
	}
	if (run.error == NULL && run.deferred_cursor != NULL) {
		GError *error_cursor_set = NULL;
		if (ohe_store_set_cursor (self->store, ohe_job_get_link_id (job), run.stream,
					  run.deferred_cursor, &error_cursor_set)) {
			g_free (stats->cursor);
			stats->cursor = g_strdup (run.deferred_cursor);
		} else {
			ohe_sync_run_set_error (&run, error_cursor_set);
		}
	}
	g_free (run.deferred_cursor);

	if (run.cancel_id != 0)
		g_cancellable_disconnect (cancellable, run.cancel_id);

	stats->fetched += run.fetched_count;
	ohe_sync_run_log_filtered (&run, stats);
	stats->fetch_queue_high_water = ohe_bounded_queue_get_high_water (run.fetched);
	stats->push_queue_high_water = ohe_bounded_queue_get_high_water (run.shaped);
	stats->fetch_blocked_us += ohe_bounded_queue_get_blocked_us (run.fetched);

	ohe_bounded_queue_free (run.fetched);
	ohe_bounded_queue_free (run.shaped);
	g_object_unref (run.cancellable);
	g_mutex_clear (&run.mutex);

	if (run.error == NULL && !ohe_sink_flush (self->sink, cancellable, &run.error))
		g_prefix_error (&run.error,
				"flush %s: ", ohe_plugin_get_name (OHE_PLUGIN (self->sink)));
	if (run.error != NULL) {
		g_propagate_error (error, run.error);
		return FALSE;
	}
	return TRUE;
}
