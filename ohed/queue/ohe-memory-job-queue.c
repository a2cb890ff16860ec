/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-memory-job-queue.h"

/*
 * The embedded job queue: jobs wait in memory, one sorted sequence per priority, and every
 * state change is written to the store first, so a restart (or a crash) loses nothing. On
 * start, stored jobs that were queued or running are queued again; running ones were
 * interrupted and run again from their cursor, which is harmless.
 *
 * Dead jobs keep their row (state dead) next to their dead letter, so an operator can see
 * the whole descriptor and replay it; ohe_store_delete_job() removes them for good.
 *
 * Time: not-before times come from the OheClock, but pop() waits in real time. With a fake
 * clock the queue cannot know when time moves, so a pop() waiting for a delayed job only
 * sees it after ohe_clock_advance() followed by ohe_job_queue_wake() (or any push).
 *
 * Locking: the queue mutex is held while the store is written. The store never calls back,
 * so the order is always queue then store and cannot deadlock; it also makes "persist, then
 * enqueue" atomic for the other threads.
 */
struct _OheMemoryJobQueue {
	GObject parent_instance;
	OheStore *store;			  /* owned */
	OheClock *clock;			  /* owned */
	GMutex mutex;				  /* protects everything below */
	GCond cond;				  /* signalled when a job is queued or on wake */
	GSequence *queued[OHE_JOB_PRIORITY_LAST]; /* of OheMemoryJobQueueEntry, ready order */
	GHashTable *queued_ids;			  /* job id (owned) → GSequenceIter */
	GHashTable *dedup_keys; /* dedup key (owned) → GSequenceIter of the job holding it */
	GHashTable *running;	/* job id (owned) → OheJob (owned) */
	guint64 next_seq;	/* FIFO tie-break for jobs created in one microsecond */
	guint64 wake_generation;
};

typedef struct {
	OheJob *job; /* owned */
	guint64 seq;
} OheMemoryJobQueueEntry;

static void
ohe_memory_job_queue_iface_init (OheJobQueueInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OheMemoryJobQueue,
			 ohe_memory_job_queue,
			 G_TYPE_OBJECT,
			 G_IMPLEMENT_INTERFACE (OHE_TYPE_JOB_QUEUE,
						ohe_memory_job_queue_iface_init))

static void
ohe_memory_job_queue_entry_free (gpointer data)
{
	OheMemoryJobQueueEntry *entry = data;
	g_object_unref (entry->job);
	g_free (entry);
}

static gint
ohe_memory_job_queue_entry_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
	const OheMemoryJobQueueEntry *ea = a;
	const OheMemoryJobQueueEntry *eb = b;
	gint64 na = ohe_job_get_not_before (ea->job);
	gint64 nb = ohe_job_get_not_before (eb->job);
	gint64 ca = ohe_job_get_created (ea->job);
	gint64 cb = ohe_job_get_created (eb->job);
	if (na != nb)
		return na < nb ? -1 : 1;
	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (ea->seq != eb->seq)
		return ea->seq < eb->seq ? -1 : 1;
	return 0;
}

/* takes a reference on @job; call with the mutex held */
static void
ohe_memory_job_queue_insert (OheMemoryJobQueue *self, OheJob *job, guint64 seq)
{
	OheMemoryJobQueueEntry *entry = g_new0 (OheMemoryJobQueueEntry, 1);
	const gchar *dedup_key = ohe_job_get_dedup_key (job);
	GSequenceIter *iter;

	entry->job = g_object_ref (job);
	entry->seq = seq;
	ohe_job_set_state (job, OHE_JOB_STATE_QUEUED);
	iter = g_sequence_insert_sorted (self->queued[ohe_job_get_priority (job)], entry,
					 ohe_memory_job_queue_entry_compare, NULL);
	g_hash_table_insert (self->queued_ids, g_strdup (ohe_job_get_id (job)), iter);
	/* the first queued job with a key absorbs later ones; a second one only exists after a
	 * requeue or a restart, and then running both is merely redundant */
	if (dedup_key != NULL && !g_hash_table_contains (self->dedup_keys, dedup_key))
		g_hash_table_insert (self->dedup_keys, g_strdup (dedup_key), iter);
	g_cond_broadcast (&self->cond);
}

/* returns the job of @iter with a reference; call with the mutex held */
static OheJob *
ohe_memory_job_queue_remove (OheMemoryJobQueue *self, GSequenceIter *iter)
{
	OheMemoryJobQueueEntry *entry = g_sequence_get (iter);
	OheJob *job = g_object_ref (entry->job);
	const gchar *dedup_key = ohe_job_get_dedup_key (job);

	g_hash_table_remove (self->queued_ids, ohe_job_get_id (job));
	if (dedup_key != NULL && g_hash_table_lookup (self->dedup_keys, dedup_key) == iter)
		g_hash_table_remove (self->dedup_keys, dedup_key);
	g_sequence_remove (iter);
	return job;
}

/* an explicit window and "from the cursor" (0, 0) cannot be merged into one window */
static gboolean
ohe_memory_job_queue_can_merge (OheJob *queued, OheJob *job)
{
	gboolean queued_from_cursor =
	    ohe_job_get_window_start (queued) == 0 && ohe_job_get_window_end (queued) == 0;
	gboolean job_from_cursor =
	    ohe_job_get_window_start (job) == 0 && ohe_job_get_window_end (job) == 0;
	return g_strcmp0 (ohe_job_get_link_id (queued), ohe_job_get_link_id (job)) == 0 &&
	       g_strcmp0 (ohe_job_get_provider (queued), ohe_job_get_provider (job)) == 0 &&
	       queued_from_cursor == job_from_cursor;
}

static void
ohe_memory_job_queue_merge (OheJob *merged, OheJob *job)
{
	GStrv kinds = ohe_job_get_kinds (job);

	/* no kinds means all consented kinds, which covers any list */
	if (g_strv_length (ohe_job_get_kinds (merged)) == 0 || g_strv_length (kinds) == 0) {
		ohe_job_set_kinds (merged, NULL);
	} else {
		for (guint i = 0; kinds[i] != NULL; i++)
			ohe_job_add_kind (merged, kinds[i]);
	}
	if (ohe_job_get_window_end (merged) != 0 || ohe_job_get_window_start (merged) != 0) {
		ohe_job_set_window (
		    merged, MIN (ohe_job_get_window_start (merged), ohe_job_get_window_start (job)),
		    MAX (ohe_job_get_window_end (merged), ohe_job_get_window_end (job)));
	}
	ohe_job_set_priority (merged,
			      MIN (ohe_job_get_priority (merged), ohe_job_get_priority (job)));
	ohe_job_set_not_before (
	    merged, MIN (ohe_job_get_not_before (merged), ohe_job_get_not_before (job)));
}

/* shows the caller the outcome when it passed its own object rather than the popped one */
static void
ohe_memory_job_queue_sync_caller (OheJob *caller, OheJob *job)
{
	if (caller == job)
		return;
	ohe_job_set_state (caller, ohe_job_get_state (job));
	ohe_job_set_attempts (caller, ohe_job_get_attempts (job));
	ohe_job_set_not_before (caller, ohe_job_get_not_before (job));
	ohe_job_set_last_error (caller, ohe_job_get_last_error (job));
}

static gboolean
ohe_memory_job_queue_push (OheJobQueue *queue, OheJob *job, GError **error)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	const gchar *id = ohe_job_get_id (job);
	const gchar *dedup_key = ohe_job_get_dedup_key (job);
	g_autoptr(OheJob) copy = NULL;

	if (id == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "job queue: push: the job has no id");
		return FALSE;
	}
	if (g_hash_table_contains (self->queued_ids, id) ||
	    g_hash_table_contains (self->running, id)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_CONFLICT,
			     "job queue: push: job %s is already queued or running", id);
		return FALSE;
	}

	if (dedup_key != NULL) {
		GSequenceIter *iter = g_hash_table_lookup (self->dedup_keys, dedup_key);
		OheMemoryJobQueueEntry *entry = iter != NULL ? g_sequence_get (iter) : NULL;
		if (entry != NULL && ohe_memory_job_queue_can_merge (entry->job, job)) {
			guint64 seq = entry->seq;
			g_autoptr(OheJob) old = NULL;
			g_autoptr(OheJob) merged = ohe_job_copy (entry->job);

			ohe_memory_job_queue_merge (merged, job);
			if (!ohe_store_save_job (self->store, merged, error))
				return FALSE;
			/* priority and not-before may have changed: sort it in again, keeping
			 * its place among equals */
			old = ohe_memory_job_queue_remove (self, iter);
			ohe_memory_job_queue_insert (self, merged, seq);
			g_debug ("job queue: job %s merged into %s (%s)", id,
				 ohe_job_get_id (merged), dedup_key);
			ohe_job_set_id (job, ohe_job_get_id (merged));
			return TRUE;
		}
	}

	copy = ohe_job_copy (job);
	ohe_job_set_state (copy, OHE_JOB_STATE_QUEUED);
	if (!ohe_store_save_job (self->store, copy, error))
		return FALSE;
	ohe_memory_job_queue_insert (self, copy, self->next_seq++);
	return TRUE;
}

/*
 * Takes the most urgent ready job and marks it running, or sets @next_ready to the earliest
 * not-before time still ahead. Within a priority the sequence is ordered by not-before, so
 * only its first job can be the ready one. Call with the mutex held.
 */
/* call with the mutex held */
static gboolean
ohe_memory_job_queue_link_is_busy (OheMemoryJobQueue *self, const gchar *link_id)
{
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init (&iter, self->running);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		if (g_strcmp0 (ohe_job_get_link_id (OHE_JOB (value)), link_id) == 0)
			return TRUE;
	}
	return FALSE;
}

static OheJob *
ohe_memory_job_queue_take_ready (OheMemoryJobQueue *self, gint64 *next_ready)
{
	gint64 now = ohe_clock_get_real (self->clock);
	g_autoptr(GError) error_local = NULL;
	OheJob *job = NULL;

	for (guint i = 0; i < OHE_JOB_PRIORITY_LAST && job == NULL; i++) {
		GSequenceIter *iter = g_sequence_get_begin_iter (self->queued[i]);
		while (!g_sequence_iter_is_end (iter)) {
			OheMemoryJobQueueEntry *entry = g_sequence_get (iter);
			/* sorted by not_before: the rest of this priority waits too */
			if (ohe_job_get_not_before (entry->job) > now) {
				*next_ready =
				    MIN (*next_ready, ohe_job_get_not_before (entry->job));
				break;
			}
			/* one running job per link: two would race on its cursor and
			 * push the same data twice */
			if (ohe_memory_job_queue_link_is_busy (self,
							       ohe_job_get_link_id (entry->job))) {
				iter = g_sequence_iter_next (iter);
				continue;
			}
			job = ohe_memory_job_queue_remove (self, iter);
			break;
		}
	}
	if (job == NULL)
		return NULL;

	ohe_job_set_state (job, OHE_JOB_STATE_RUNNING);
	g_hash_table_insert (self->running, g_strdup (ohe_job_get_id (job)), g_object_ref (job));
	/* the running state is informational: a restart queues running jobs again anyway, so a
	 * failed write must not keep the job from running */
	if (!ohe_store_save_job (self->store, job, &error_local))
		g_warning ("job queue: job %s: %s", ohe_job_get_id (job), error_local->message);
	return job;
}

static void
ohe_memory_job_queue_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (user_data);
	g_mutex_lock (&self->mutex);
	g_cond_broadcast (&self->cond);
	g_mutex_unlock (&self->mutex);
}

static OheJob *
ohe_memory_job_queue_pop (OheJobQueue *queue,
			  gint64 timeout_us,
			  GCancellable *cancellable,
			  GError **error)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	gint64 end_us = g_get_monotonic_time () + MAX (timeout_us, 0);
	gboolean fake = ohe_clock_is_fake (self->clock);
	gulong handler = 0;
	guint64 generation;
	OheJob *job = NULL;

	/* connected outside the mutex: an already cancelled cancellable runs the callback at
	 * once, and the callback takes the mutex */
	if (cancellable != NULL)
		handler = g_cancellable_connect (
		    cancellable, G_CALLBACK (ohe_memory_job_queue_cancelled_cb), self, NULL);
	g_mutex_lock (&self->mutex);
	generation = self->wake_generation;
	while (TRUE) {
		gint64 next_ready = G_MAXINT64;
		gint64 now_us;
		gint64 deadline_us;

		if (g_cancellable_is_cancelled (cancellable)) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_CANCELLED,
					     "job queue: pop cancelled");
			break;
		}
		job = ohe_memory_job_queue_take_ready (self, &next_ready);
		if (job != NULL || self->wake_generation != generation)
			break;
		now_us = g_get_monotonic_time ();
		if (timeout_us >= 0 && now_us >= end_us)
			break;
		deadline_us = timeout_us >= 0 ? end_us : G_MAXINT64;
		/* a real clock tells when the next delayed job becomes ready */
		if (next_ready != G_MAXINT64 && !fake) {
			gint64 delay = next_ready - ohe_clock_get_real (self->clock);
			deadline_us = MIN (deadline_us, now_us + MAX (delay, 0));
		}
		if (deadline_us == G_MAXINT64)
			g_cond_wait (&self->cond, &self->mutex);
		else
			g_cond_wait_until (&self->cond, &self->mutex, deadline_us);
	}
	g_mutex_unlock (&self->mutex);
	/* outside the mutex: disconnect waits for a callback running in another thread */
	if (cancellable != NULL)
		g_cancellable_disconnect (cancellable, handler);
	return job;
}

/* returns the queue's own object of a running job with a reference; call with the mutex held;
 * a job of the same link may now run, so waiting pop()s are woken */
static OheJob *
ohe_memory_job_queue_take_running (OheMemoryJobQueue *self,
				   OheJob *job,
				   const gchar *what,
				   GError **error)
{
	const gchar *id = ohe_job_get_id (job);
	gpointer key = NULL;
	gpointer value = NULL;

	if (id == NULL || !g_hash_table_steal_extended (self->running, id, &key, &value)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "job queue: %s: job %s is not running", what,
			     id != NULL ? id : "(null)");
		return NULL;
	}
	g_free (key);
	g_cond_broadcast (&self->cond);
	return value;
}

static gboolean
ohe_memory_job_queue_complete (OheJobQueue *queue, OheJob *job, GError **error)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(OheJob) running = NULL;

	running = ohe_memory_job_queue_take_running (self, job, "complete", error);
	if (running == NULL)
		return FALSE;
	ohe_job_set_state (running, OHE_JOB_STATE_DONE);
	ohe_memory_job_queue_sync_caller (job, running);
	return ohe_store_delete_job (self->store, ohe_job_get_id (running), error);
}

/* back to the queue as it was; call with the mutex held */
static gboolean
ohe_memory_job_queue_requeue_running (OheMemoryJobQueue *self,
				      OheJob *job,
				      OheJob *running,
				      GError **error)
{
	gboolean ret;
	ohe_job_set_state (running, OHE_JOB_STATE_QUEUED);
	ret = ohe_store_save_job (self->store, running, error);
	/* queued even if the store failed: the worker let go of it, and the stored row says
	 * running, which a restart also turns into queued */
	ohe_memory_job_queue_insert (self, running, self->next_seq++);
	ohe_memory_job_queue_sync_caller (job, running);
	return ret;
}

static gboolean
ohe_memory_job_queue_fail (OheJobQueue *queue, OheJob *job, const GError *reason, GError **error)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(OheJob) running = NULL;
	g_autofree gchar *text = NULL;
	guint attempts;

	running = ohe_memory_job_queue_take_running (self, job, "fail", error);
	if (running == NULL)
		return FALSE;
	/* a shutdown cancels running jobs; that must not cost them an attempt, let alone
	 * dead-letter them as a non-transient error */
	if (ohe_job_queue_is_interruption (reason))
		return ohe_memory_job_queue_requeue_running (self, job, running, error);

	text = ohe_job_queue_format_reason (reason);
	attempts = ohe_job_get_attempts (running) + 1;
	ohe_job_set_attempts (running, attempts);
	ohe_job_set_last_error (running, text);

	if (attempts >= ohe_job_get_max_attempts (running) || !ohe_error_is_transient (reason)) {
		ohe_job_set_state (running, OHE_JOB_STATE_DEAD);
		ohe_memory_job_queue_sync_caller (job, running);
		g_info ("job queue: job %s of link %s is dead after %u attempts: %s",
			ohe_job_get_id (running), ohe_job_get_link_id (running), attempts, text);
		/* the dead letter first: if the daemon stops in between, the job row still says
		 * running and the job simply runs again */
		if (!ohe_store_add_dead_letter (self->store, ohe_job_get_id (running),
						ohe_job_get_link_id (running), NULL, text, error))
			return FALSE;
		return ohe_store_save_job (self->store, running, error);
	}

	ohe_job_set_not_before (running, ohe_clock_get_real (self->clock) +
					     ohe_job_queue_get_backoff (self->clock, attempts));
	g_debug ("job queue: job %s failed (attempt %u of %u), retry at %" G_GINT64_FORMAT ": %s",
		 ohe_job_get_id (running), attempts, ohe_job_get_max_attempts (running),
		 ohe_job_get_not_before (running), text);
	return ohe_memory_job_queue_requeue_running (self, job, running, error);
}

static gboolean
ohe_memory_job_queue_requeue (OheJobQueue *queue, OheJob *job, GError **error)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(OheJob) running = NULL;

	running = ohe_memory_job_queue_take_running (self, job, "requeue", error);
	if (running == NULL)
		return FALSE;
	return ohe_memory_job_queue_requeue_running (self, job, running, error);
}

static guint
ohe_memory_job_queue_get_depth (OheJobQueue *queue)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	return g_hash_table_size (self->queued_ids);
}

static guint
ohe_memory_job_queue_get_running (OheJobQueue *queue)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	return g_hash_table_size (self->running);
}

static void
ohe_memory_job_queue_wake (OheJobQueue *queue)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (queue);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	self->wake_generation++;
	g_cond_broadcast (&self->cond);
}

/* queues the stored jobs again, in their stored order */
static gboolean
ohe_memory_job_queue_load (OheMemoryJobQueue *self, GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(GPtrArray) jobs = ohe_store_list_jobs (self->store, error);

	if (jobs == NULL)
		return FALSE;
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		switch (ohe_job_get_state (job)) {
		case OHE_JOB_STATE_RUNNING:
			/* interrupted by a stop or a crash: not the job's fault, so no attempt */
			ohe_job_set_state (job, OHE_JOB_STATE_QUEUED);
			if (!ohe_store_save_job (self->store, job, error))
				return FALSE;
			g_debug ("job queue: job %s was interrupted, queued again",
				 ohe_job_get_id (job));
			ohe_memory_job_queue_insert (self, job, self->next_seq++);
			break;
		case OHE_JOB_STATE_QUEUED:
			ohe_memory_job_queue_insert (self, job, self->next_seq++);
			break;
		case OHE_JOB_STATE_DONE:
		case OHE_JOB_STATE_DEAD:
		case OHE_JOB_STATE_LAST:
		default:
			break;
		}
	}
	return TRUE;
}

static void
ohe_memory_job_queue_finalize (GObject *object)
{
	OheMemoryJobQueue *self = OHE_MEMORY_JOB_QUEUE (object);
	g_hash_table_unref (self->dedup_keys);
	g_hash_table_unref (self->queued_ids);
	g_hash_table_unref (self->running);
	for (guint i = 0; i < OHE_JOB_PRIORITY_LAST; i++)
		g_sequence_free (self->queued[i]);
	g_clear_object (&self->store);
	g_clear_object (&self->clock);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	G_OBJECT_CLASS (ohe_memory_job_queue_parent_class)->finalize (object);
}

static void
ohe_memory_job_queue_iface_init (OheJobQueueInterface *iface)
{
	iface->push = ohe_memory_job_queue_push;
	iface->pop = ohe_memory_job_queue_pop;
	iface->complete = ohe_memory_job_queue_complete;
	iface->fail = ohe_memory_job_queue_fail;
	iface->requeue = ohe_memory_job_queue_requeue;
	iface->get_depth = ohe_memory_job_queue_get_depth;
	iface->get_running = ohe_memory_job_queue_get_running;
	iface->wake = ohe_memory_job_queue_wake;
}

static void
ohe_memory_job_queue_class_init (OheMemoryJobQueueClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_memory_job_queue_finalize;
}

static void
ohe_memory_job_queue_init (OheMemoryJobQueue *self)
{
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
	for (guint i = 0; i < OHE_JOB_PRIORITY_LAST; i++)
		self->queued[i] = g_sequence_new (ohe_memory_job_queue_entry_free);
	self->queued_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->dedup_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * ohe_memory_job_queue_new:
 * @store: where the jobs are persisted
 * @clock: (nullable): the clock of not-before times and jitter; %NULL for the system clock
 * @error: a #GError, or %NULL
 *
 * Loads the stored jobs: queued ones stay queued, running ones (interrupted by a stop or a
 * crash) are queued again without counting an attempt, dead ones are left alone.
 *
 * With a fake @clock, a blocked ohe_job_queue_pop() cannot notice the clock moving: after
 * ohe_clock_advance(), call ohe_job_queue_wake() so that it looks again.
 *
 * Returns: (transfer full): the queue, or %NULL with @error set
 */
OheJobQueue *
ohe_memory_job_queue_new (OheStore *store, OheClock *clock, GError **error)
{
	g_autoptr(OheMemoryJobQueue) self = NULL;

	g_return_val_if_fail (OHE_IS_STORE (store), NULL);
	g_return_val_if_fail (clock == NULL || OHE_IS_CLOCK (clock), NULL);
	self = g_object_new (OHE_TYPE_MEMORY_JOB_QUEUE, NULL);
	self->store = g_object_ref (store);
	self->clock = g_object_ref (clock != NULL ? clock : ohe_clock_get_default ());
	if (!ohe_memory_job_queue_load (self, error))
		return NULL;
	return OHE_JOB_QUEUE (g_steal_pointer (&self));
}
