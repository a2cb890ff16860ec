/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-batch.h"
#include "ohe-bounded-queue.h"
#include "ohe-sync-pipeline.h"

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
 */
struct _OheSyncPipeline {
	GObject parent_instance;
	OheProvider *provider; /* owned */
	OheSink *sink;	       /* owned */
	OheStore *store;       /* owned */
	guint depth;
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
	stats->batches++;
	if (batch->cursor != NULL) {
		if (!ohe_store_set_cursor (self->store, ohe_job_get_link_id (run->job), run->stream,
					   batch->cursor, error))
			return FALSE;
		g_free (stats->cursor);
		stats->cursor = g_strdup (batch->cursor);
	}
	return TRUE;
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
	if (run.cancel_id != 0)
		g_cancellable_disconnect (cancellable, run.cancel_id);
	ohe_fetch_request_set_emit_func (request, NULL, NULL, NULL);

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
