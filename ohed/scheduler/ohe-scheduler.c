/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-scheduler.h"
#include "ohe-sync-frequency.h"

/*
 * The triggers that make sync jobs, all of them into the persistent job queue:
 *
 * - backfill: a link seen active for the first time gets [sync] initial_backfill_days of
 *   history, split into backfill_window_days windows and queued newest first (the queue is
 *   FIFO within a priority), once: the store's backfill_progress row says it was planned.
 * - incremental: every link, at its user's sync frequency, from where the previous
 *   incremental window ended (the mark `incremental:<link id>`) minus [sync] overlap, to now.
 * - push: ohe_scheduler_notify(), a realtime job [sync] push_lookback around the window the
 *   provider named, coalesced by the dedup key `push:<link id>`.
 * - nightly: at the [sync] nightly cron time plus a random jitter, the trailing
 *   nightly_window of every active link.
 *
 * Of several processes on one store, only the holder of the `scheduler` lease fires the
 * timed triggers (backfill, incremental, nightly); the marks in the store carry their
 * state across a restart or a change of holder, so none fires twice or is skipped. Pushes
 * come from outside (a webhook, ohectl notify) and are queued by whichever process gets
 * them; the dedup key coalesces them. Backfill planning is safe from any process too: the
 * store records it once per link.
 *
 * Time is the OheClock's, so tests run a month of schedule in milliseconds by advancing a
 * fake clock and calling ohe_scheduler_tick(). In ohed the tick runs on the main loop every
 * [sync] tick seconds; the store calls it makes are a few small local queries.
 */
struct _OheScheduler {
	GObject parent_instance;
	OheStore *store;	   /* owned */
	OheJobQueue *queue;	   /* owned */
	OheLease *lease;	   /* owned */
	OheSyncSettings *settings; /* owned */
	OheClock *clock;	   /* owned */
	guint timeout_id;
	gint leader; /* atomic */
	GMutex mutex;
	guint64 jobs_made[OHE_SCHEDULER_TRIGGER_LAST]; /* protected by mutex */
};

G_DEFINE_TYPE (OheScheduler, ohe_scheduler, G_TYPE_OBJECT)

#define OHE_SCHEDULER_MARK_NIGHTLY "nightly"

static const gchar *const ohe_scheduler_trigger_names[] = {
    OHE_SCHEDULER_REASON_BACKFILL,
    OHE_SCHEDULER_REASON_INCREMENTAL,
    OHE_SCHEDULER_REASON_PUSH,
    OHE_SCHEDULER_REASON_NIGHTLY,
};

G_STATIC_ASSERT (G_N_ELEMENTS (ohe_scheduler_trigger_names) == OHE_SCHEDULER_TRIGGER_LAST);

const gchar *
ohe_scheduler_trigger_to_string (OheSchedulerTrigger trigger)
{
	if ((guint)trigger >= OHE_SCHEDULER_TRIGGER_LAST)
		return NULL;
	return ohe_scheduler_trigger_names[trigger];
}

static void
ohe_scheduler_finalize (GObject *object)
{
	OheScheduler *self = OHE_SCHEDULER (object);
	ohe_scheduler_stop (self);
	g_object_unref (self->store);
	g_object_unref (self->queue);
	g_object_unref (self->lease);
	g_object_unref (self->settings);
	g_object_unref (self->clock);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_scheduler_parent_class)->finalize (object);
}

static void
ohe_scheduler_class_init (OheSchedulerClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_scheduler_finalize;
}

static void
ohe_scheduler_init (OheScheduler *self)
{
	g_mutex_init (&self->mutex);
}

/**
 * ohe_scheduler_new:
 * @store: where links, marks and backfill progress live
 * @queue: where the jobs go
 * @lease: decides which process fires the timed triggers
 * @settings: the [sync] settings
 * @clock: (nullable): the time; %NULL for the default clock
 *
 * Returns: (transfer full): a scheduler; nothing fires until ohe_scheduler_tick() or
 *   ohe_scheduler_start()
 */
OheScheduler *
ohe_scheduler_new (OheStore *store,
		   OheJobQueue *queue,
		   OheLease *lease,
		   OheSyncSettings *settings,
		   OheClock *clock)
{
	OheScheduler *self;
	g_return_val_if_fail (OHE_IS_STORE (store), NULL);
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (queue), NULL);
	g_return_val_if_fail (OHE_IS_LEASE (lease), NULL);
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (settings), NULL);
	self = g_object_new (OHE_TYPE_SCHEDULER, NULL);
	self->store = g_object_ref (store);
	self->queue = g_object_ref (queue);
	self->lease = g_object_ref (lease);
	self->settings = g_object_ref (settings);
	self->clock = g_object_ref (clock != NULL ? clock : ohe_clock_get_default ());
	return self;
}

/* queues @job; counts it unless the queue merged it into a waiting one */
static gboolean
ohe_scheduler_push (OheScheduler *self,
		    OheJob *job,
		    OheSchedulerTrigger trigger,
		    gboolean *coalesced,
		    GError **error)
{
	g_autofree gchar *id = g_strdup (ohe_job_get_id (job));
	gboolean merged;

	ohe_job_set_reason (job, ohe_scheduler_trigger_names[trigger]);
	ohe_job_set_max_attempts (job, ohe_sync_settings_get_max_attempts (self->settings));
	if (!ohe_job_queue_push (self->queue, job, error))
		return FALSE;
	merged = g_strcmp0 (id, ohe_job_get_id (job)) != 0;
	if (coalesced != NULL)
		*coalesced = merged;
	if (!merged) {
		g_mutex_lock (&self->mutex);
		self->jobs_made[trigger]++;
		g_mutex_unlock (&self->mutex);
	}
	return TRUE;
}

static gchar *
ohe_scheduler_incremental_mark (OheLink *link)
{
	return g_strdup_printf ("incremental:%s", ohe_link_get_id (link));
}

/* the initial backfill of @link, once per link whoever calls */
static gboolean
ohe_scheduler_plan_backfill (OheScheduler *self, OheLink *link, gint64 now, GError **error)
{
	gint64 length = ohe_sync_settings_get_initial_backfill (self->settings);
	gint64 window = ohe_sync_settings_get_backfill_window (self->settings);
	g_autoptr(OheBackfillProgress) progress =
		       ohe_backfill_progress_new (ohe_link_get_id (link));
	g_autofree gchar *mark = ohe_scheduler_incremental_mark (link);
	gboolean started = FALSE;
	gboolean found = FALSE;
	gint64 since = 0;

	/* a read first: most links were planned long ago, and each tick sees them all */
	{
		g_autoptr(GError) error_local = NULL;
		g_autoptr(OheBackfillProgress) planned = ohe_store_get_backfill_progress (
		    self->store, ohe_link_get_id (link), &error_local);
		if (planned != NULL)
			return TRUE;
		if (!g_error_matches (error_local, OHE_ERROR, OHE_ERROR_NOT_FOUND)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
	}
	progress->window_end_us = now;
	progress->window_start_us = now - length;
	progress->windows_total = length > 0 ? (guint)((length + window - 1) / window) : 0;
	/* the record first: two processes seeing the link at once plan it only once */
	if (!ohe_store_start_backfill (self->store, progress, &started, error))
		return FALSE;
	if (!started)
		return TRUE;
	/* incremental syncs start where the backfill ends */
	if (!ohe_store_get_schedule_mark (self->store, mark, &since, &found, error) ||
	    (!found && !ohe_store_set_schedule_mark (self->store, mark, now, error)))
		return FALSE;
	/* newest first: the queue runs equal priorities in the order they came */
	for (guint i = 0; i < progress->windows_total; i++) {
		gint64 end = now - (gint64)i * window;
		g_autoptr(OheJob) job =
			       ohe_job_new (ohe_link_get_id (link), ohe_link_get_provider (link),
					    OHE_JOB_PRIORITY_BACKFILL);
		ohe_job_set_window (job, MAX (progress->window_start_us, end - window), end);
		ohe_job_set_created (job, now);
		if (!ohe_scheduler_push (self, job, OHE_SCHEDULER_TRIGGER_BACKFILL, NULL, error))
			return FALSE;
	}
	g_info ("link %s: backfill of %" G_GINT64_FORMAT " days queued in %u windows",
		ohe_link_get_id (link), length / (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC),
		progress->windows_total);
	return TRUE;
}

/* the user's incremental interval, looked up once per tick */
static gint64
ohe_scheduler_get_interval (OheScheduler *self, GHashTable *intervals, const gchar *user_id)
{
	gpointer cached;
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error = NULL;
	OheSyncFrequency frequency;
	gint64 *interval;

	if (g_hash_table_lookup_extended (intervals, user_id, NULL, &cached))
		return *(gint64 *)cached;
	name = ohe_store_get_user_sync_frequency (self->store, user_id, &error);
	frequency = ohe_sync_frequency_from_string (name);
	if (name == NULL)
		g_warning ("user %s: %s; syncing hourly", user_id, error->message);
	interval = g_new (gint64, 1);
	*interval = ohe_sync_frequency_get_interval (frequency);
	g_hash_table_insert (intervals, g_strdup (user_id), interval);
	return *interval;
}

static gboolean
ohe_scheduler_plan_incremental (
    OheScheduler *self, OheLink *link, GHashTable *intervals, gint64 now, GError **error)
{
	g_autofree gchar *mark = ohe_scheduler_incremental_mark (link);
	g_autoptr(OheJob) job = NULL;
	g_autofree gchar *dedup_key = NULL;
	gint64 since = 0;
	gboolean found = FALSE;

	if (!ohe_store_get_schedule_mark (self->store, mark, &since, &found, error))
		return FALSE;
	if (!found)
		return ohe_store_set_schedule_mark (self->store, mark, now, error);
	if (now < since + ohe_scheduler_get_interval (self, intervals, ohe_link_get_user_id (link)))
		return TRUE;
	job = ohe_job_new (ohe_link_get_id (link), ohe_link_get_provider (link),
			   OHE_JOB_PRIORITY_INCREMENTAL);
	ohe_job_set_window (job, since - ohe_sync_settings_get_overlap (self->settings), now);
	dedup_key = g_strdup_printf ("incremental:%s", ohe_link_get_id (link));
	ohe_job_set_dedup_key (job, dedup_key);
	if (!ohe_scheduler_push (self, job, OHE_SCHEDULER_TRIGGER_INCREMENTAL, NULL, error))
		return FALSE;
	return ohe_store_set_schedule_mark (self->store, mark, now, error);
}

/* the cron time after @after, plus this night's jitter */
static gint64
ohe_scheduler_next_nightly (OheScheduler *self, gint64 after)
{
	gint64 jitter = ohe_sync_settings_get_nightly_jitter (self->settings);
	gint64 next = ohe_cron_get_next (ohe_sync_settings_get_nightly (self->settings), after);
	return next + (gint64)((gdouble)jitter * ohe_clock_random_double (self->clock));
}

static gboolean
ohe_scheduler_plan_nightly (OheScheduler *self, GPtrArray *links, gint64 now, GError **error)
{
	gint64 due = 0;
	gboolean found = FALSE;
	gint64 window = ohe_sync_settings_get_nightly_window (self->settings);

	if (!ohe_store_get_schedule_mark (self->store, OHE_SCHEDULER_MARK_NIGHTLY, &due, &found,
					  error))
		return FALSE;
	if (!found)
		return ohe_store_set_schedule_mark (self->store, OHE_SCHEDULER_MARK_NIGHTLY,
						    ohe_scheduler_next_nightly (self, now), error);
	if (now < due)
		return TRUE;
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		g_autoptr(OheJob) job = ohe_job_new (
		    ohe_link_get_id (link), ohe_link_get_provider (link), OHE_JOB_PRIORITY_NIGHTLY);
		g_autofree gchar *dedup_key =
		    g_strdup_printf ("nightly:%s", ohe_link_get_id (link));
		ohe_job_set_window (job, now - window, now);
		ohe_job_set_dedup_key (job, dedup_key);
		if (!ohe_scheduler_push (self, job, OHE_SCHEDULER_TRIGGER_NIGHTLY, NULL, error))
			return FALSE;
	}
	g_info ("nightly reconciliation: %u links queued", links->len);
	/* missed nights (the daemon was down) are not fired one by one: this run covers them
	 * as far as the window reaches, and the next is the first cron time after now */
	return ohe_store_set_schedule_mark (self->store, OHE_SCHEDULER_MARK_NIGHTLY,
					    ohe_scheduler_next_nightly (self, now), error);
}

static GPtrArray *
ohe_scheduler_list_active_links (OheScheduler *self, GError **error)
{
	g_autoptr(GPtrArray) links = ohe_store_list_links (self->store, NULL, error);
	GPtrArray *active;

	if (links == NULL)
		return NULL;
	active = g_ptr_array_new_with_free_func (g_object_unref);
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		if (ohe_link_get_state (link) == OHE_LINK_STATE_ACTIVE)
			g_ptr_array_add (active, g_object_ref (link));
	}
	return active;
}

/**
 * ohe_scheduler_tick:
 * @self: an #OheScheduler
 * @error: a #GError, or %NULL
 *
 * Takes or renews the scheduler lease and, if this process holds it, fires every timed
 * trigger that is due by the clock: backfills of links seen active for the first time,
 * incremental syncs whose frequency came round, and the nightly reconciliation.
 *
 * Returns: %TRUE on success, whether or not this process holds the lease
 */
gboolean
ohe_scheduler_tick (OheScheduler *self, GError **error)
{
	g_autoptr(GPtrArray) links = NULL;
	g_autoptr(GHashTable) intervals = NULL;
	gboolean held = FALSE;
	gint64 now;

	g_return_val_if_fail (OHE_IS_SCHEDULER (self), FALSE);
	if (!ohe_lease_acquire (self->lease, OHE_SCHEDULER_LEASE,
				ohe_sync_settings_get_lease_ttl (self->settings), &held, error))
		return FALSE;
	if (g_atomic_int_exchange (&self->leader, held) != held)
		g_info ("scheduler: %s the lease (%s)", held ? "took" : "lost",
			ohe_lease_get_holder (self->lease));
	if (!held)
		return TRUE;

	now = ohe_clock_get_real (self->clock);
	links = ohe_scheduler_list_active_links (self, error);
	if (links == NULL)
		return FALSE;
	intervals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		if (!ohe_scheduler_plan_backfill (self, link, now, error) ||
		    !ohe_scheduler_plan_incremental (self, link, intervals, now, error)) {
			g_prefix_error (error, "link %s: ", ohe_link_get_id (link));
			return FALSE;
		}
	}
	return ohe_scheduler_plan_nightly (self, links, now, error);
}

/**
 * ohe_scheduler_is_leader:
 * @self: an #OheScheduler
 *
 * Returns: whether this process held the lease at the last tick
 */
gboolean
ohe_scheduler_is_leader (OheScheduler *self)
{
	g_return_val_if_fail (OHE_IS_SCHEDULER (self), FALSE);
	return g_atomic_int_get (&self->leader);
}

static gboolean
ohe_scheduler_tick_cb (gpointer user_data)
{
	OheScheduler *self = OHE_SCHEDULER (user_data);
	g_autoptr(GError) error = NULL;
	if (!ohe_scheduler_tick (self, &error))
		g_warning ("scheduler: %s", error->message);
	return G_SOURCE_CONTINUE;
}

/**
 * ohe_scheduler_start:
 * @self: an #OheScheduler
 *
 * Ticks now, then every [sync] tick seconds on the thread-default main context.
 */
void
ohe_scheduler_start (OheScheduler *self)
{
	g_autoptr(GSource) source = NULL;
	guint interval_ms;

	g_return_if_fail (OHE_IS_SCHEDULER (self));
	if (self->timeout_id != 0)
		return;
	interval_ms = (guint)(ohe_sync_settings_get_tick (self->settings) / 1000);
	ohe_scheduler_tick_cb (self);
	source = g_timeout_source_new (interval_ms);
	g_source_set_callback (source, ohe_scheduler_tick_cb, self, NULL);
	g_source_set_name (source, "ohe-scheduler-tick");
	self->timeout_id = g_source_attach (source, g_main_context_get_thread_default ());
}

/**
 * ohe_scheduler_stop:
 * @self: an #OheScheduler
 *
 * Stops ticking and gives up the lease, so another process takes over at its next tick.
 */
void
ohe_scheduler_stop (OheScheduler *self)
{
	g_autoptr(GError) error = NULL;

	g_return_if_fail (OHE_IS_SCHEDULER (self));
	if (self->timeout_id != 0) {
		GSource *source = g_main_context_find_source_by_id (
		    g_main_context_get_thread_default (), self->timeout_id);
		if (source != NULL)
			g_source_destroy (source);
		self->timeout_id = 0;
	}
	if (g_atomic_int_exchange (&self->leader, FALSE) &&
	    !ohe_lease_release (self->lease, OHE_SCHEDULER_LEASE, &error))
		g_warning ("scheduler: %s", error->message);
}

/**
 * ohe_scheduler_link_activated:
 * @self: an #OheScheduler
 * @link_id: a link that just became active
 * @error: a #GError, or %NULL
 *
 * Queues the link's initial backfill now rather than at the next tick. Safe from any
 * process: a link is backfilled once however often this is called.
 *
 * Returns: %TRUE on success; %OHE_ERROR_PERMISSION_DENIED if the link is not active
 */
gboolean
ohe_scheduler_link_activated (OheScheduler *self, const gchar *link_id, GError **error)
{
	g_autoptr(OheLink) link = NULL;

	g_return_val_if_fail (OHE_IS_SCHEDULER (self), FALSE);
	g_return_val_if_fail (link_id != NULL, FALSE);
	link = ohe_store_get_link (self->store, link_id, error);
	if (link == NULL)
		return FALSE;
	if (ohe_link_get_state (link) != OHE_LINK_STATE_ACTIVE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "link %s is %s, not active: no backfill", link_id,
			     ohe_link_state_to_string (ohe_link_get_state (link)));
		return FALSE;
	}
	return ohe_scheduler_plan_backfill (self, link, ohe_clock_get_real (self->clock), error);
}

/* the active link holding the provider account, or a typed error */
static OheLink *
ohe_scheduler_find_account (OheScheduler *self,
			    const gchar *provider,
			    const gchar *external_user_id,
			    GError **error)
{
	g_autoptr(GPtrArray) links =
		       ohe_store_find_links (self->store, provider, external_user_id, error);
	OheLink *inactive = NULL;

	if (links == NULL)
		return NULL;
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		if (ohe_link_get_state (link) == OHE_LINK_STATE_ACTIVE)
			return g_object_ref (link);
		inactive = link;
	}
	if (inactive != NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "%s account %s: link %s is %s, not active: not syncing", provider,
			     external_user_id, ohe_link_get_id (inactive),
			     ohe_link_state_to_string (ohe_link_get_state (inactive)));
		return NULL;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "no link holds %s account %s", provider,
		     external_user_id);
	return NULL;
}

/**
 * ohe_scheduler_notify:
 * @self: an #OheScheduler
 * @provider: the provider plugin name
 * @hint: where the provider says new data is
 * @coalesced: (out) (optional): set to %TRUE if a waiting job absorbed the push
 * @error: a #GError, or %NULL
 *
 * Queues a realtime job for the active link holding the hint's account, over the hinted
 * window widened by [sync] push_lookback on both sides (the lookback before now if the hint
 * names no window) and never past now, for the hinted kinds the link consents to. While a
 * push job of the link waits in the queue, further pushes merge into it: a storm of
 * notifications while one job waits or runs ends in at most one more job.
 *
 * Returns: %TRUE if the push is queued (or needs nothing: the hint names only kinds the
 *   link does not consent to); %OHE_ERROR_NOT_FOUND if no link holds the account,
 *   %OHE_ERROR_PERMISSION_DENIED if its link is not active, %OHE_ERROR_INVALID_ARGUMENT if
 *   the window ends before it starts
 */
gboolean
ohe_scheduler_notify (OheScheduler *self,
		      const gchar *provider,
		      OheSyncHint *hint,
		      gboolean *coalesced,
		      GError **error)
{
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheJob) job = NULL;
	g_autofree gchar *dedup_key = NULL;
	gint64 lookback = ohe_sync_settings_get_push_lookback (self->settings);
	gint64 now = ohe_clock_get_real (self->clock);
	gint64 start = ohe_sync_hint_get_start (hint);
	gint64 end = ohe_sync_hint_get_end (hint);
	GStrv consented;

	g_return_val_if_fail (OHE_IS_SCHEDULER (self), FALSE);
	g_return_val_if_fail (provider != NULL, FALSE);
	g_return_val_if_fail (OHE_IS_SYNC_HINT (hint), FALSE);
	if (coalesced != NULL)
		*coalesced = FALSE;
	if (ohe_sync_hint_get_external_user_id (hint) == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "push: the hint names no provider account");
		return FALSE;
	}
	if (start != 0 && end != 0 && end < start) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "push: the hinted window ends before it starts");
		return FALSE;
	}
	link = ohe_scheduler_find_account (self, provider,
					   ohe_sync_hint_get_external_user_id (hint), error);
	if (link == NULL)
		return FALSE;

	if (end == 0)
		end = now;
	if (start == 0)
		start = end;
	start -= lookback;
	end = MIN (end + lookback, now);
	if (end <= start)
		start = end - MAX (lookback, G_USEC_PER_SEC);

	job = ohe_job_new (ohe_link_get_id (link), ohe_link_get_provider (link),
			   OHE_JOB_PRIORITY_REALTIME);
	ohe_job_set_window (job, start, end);
	consented = ohe_link_get_kinds (link);
	for (guint i = 0; i < ohe_sync_hint_get_n_kinds (hint); i++) {
		const gchar *kind =
		    ohe_measurement_kind_to_string (ohe_sync_hint_get_kind (hint, i));
		if (consented == NULL || consented[0] == NULL || ohe_link_has_kind (link, kind))
			ohe_job_add_kind (job, kind);
	}
	if (ohe_sync_hint_get_n_kinds (hint) > 0 && g_strv_length (ohe_job_get_kinds (job)) == 0) {
		g_debug ("push for link %s names no kind it consents to: nothing to sync",
			 ohe_link_get_id (link));
		return TRUE;
	}
	dedup_key = g_strdup_printf ("push:%s", ohe_link_get_id (link));
	ohe_job_set_dedup_key (job, dedup_key);
	return ohe_scheduler_push (self, job, OHE_SCHEDULER_TRIGGER_PUSH, coalesced, error);
}

/**
 * ohe_scheduler_job_done:
 * @self: an #OheScheduler
 * @job: a job that finished
 * @measurements: what it wrote
 *
 * Counts a finished backfill window in the link's progress; other jobs change nothing.
 */
void
ohe_scheduler_job_done (OheScheduler *self, OheJob *job, guint64 measurements)
{
	g_autoptr(GError) error = NULL;

	g_return_if_fail (OHE_IS_SCHEDULER (self));
	g_return_if_fail (OHE_IS_JOB (job));
	if (ohe_job_get_priority (job) != OHE_JOB_PRIORITY_BACKFILL ||
	    g_strcmp0 (ohe_job_get_reason (job), OHE_SCHEDULER_REASON_BACKFILL) != 0)
		return;
	if (!ohe_store_add_backfill_progress (self->store, ohe_job_get_link_id (job),
					      ohe_job_get_window_start (job), measurements, &error))
		g_warning ("job %s: %s", ohe_job_get_id (job), error->message);
}

/**
 * ohe_scheduler_get_jobs_made:
 * @self: an #OheScheduler
 * @trigger: an #OheSchedulerTrigger
 *
 * Returns: the jobs @trigger queued in this process, not counting those merged into a
 *   waiting job
 */
guint64
ohe_scheduler_get_jobs_made (OheScheduler *self, OheSchedulerTrigger trigger)
{
	guint64 n;
	g_return_val_if_fail (OHE_IS_SCHEDULER (self), 0);
	g_return_val_if_fail ((guint)trigger < OHE_SCHEDULER_TRIGGER_LAST, 0);
	g_mutex_lock (&self->mutex);
	n = self->jobs_made[trigger];
	g_mutex_unlock (&self->mutex);
	return n;
}
