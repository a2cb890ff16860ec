/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-engine.h"
#include "ohe-error.h"
#include "ohe-memory-job-queue.h"
#include "ohe-scheduler.h"
#include "ohe-sqlite-store.h"
#include "ohe-store-lease.h"
#include "ohe-sync-frequency.h"

/* Friday 2027-01-15 12:00:00 UTC */
#define TEST_NOW_US (G_GINT64_CONSTANT (1800014400) * G_USEC_PER_SEC)
#define TEST_MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define TEST_HOUR   (60 * TEST_MINUTE)
#define TEST_DAY    (24 * TEST_HOUR)
/* the next 03:00 UTC after TEST_NOW_US */
#define TEST_NIGHTLY (TEST_NOW_US + 15 * TEST_HOUR)

/*
 * One ohed process as the scheduler sees it: a store connection, its job queue, a lease
 * with its own holder id and a scheduler, all on a fake clock shared by the test.
 */
typedef struct {
	OheStore *store;
	OheJobQueue *queue;
	OheScheduler *scheduler;
} TestProcess;

typedef struct {
	OheClock *clock;
	gchar *path;
	TestProcess a;
	TestProcess b;
} Fixture;

static OheSyncSettings *
test_settings (const gchar *data)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;
	OheSyncSettings *settings;

	g_assert_true (ohe_config_load_data (config, data != NULL ? data : "", &error));
	g_assert_no_error (error);
	settings = ohe_sync_settings_new (config, &error);
	g_assert_no_error (error);
	g_assert_nonnull (settings);
	return settings;
}

static void
test_process_open (Fixture *fx, TestProcess *p, const gchar *holder, const gchar *settings_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheLease) lease = NULL;
	g_autoptr(OheSyncSettings) settings = test_settings (settings_data);

	p->store = ohe_sqlite_store_new (fx->path, OHE_SOURCE_SCHEMADIR, &error);
	g_assert_no_error (error);
	ohe_sqlite_store_set_clock (OHE_SQLITE_STORE (p->store), fx->clock);
	p->queue = ohe_memory_job_queue_new (p->store, fx->clock, &error);
	g_assert_no_error (error);
	lease = ohe_store_lease_new (p->store, fx->clock, holder);
	p->scheduler = ohe_scheduler_new (p->store, p->queue, lease, settings, fx->clock);
}

static void
test_process_close (TestProcess *p)
{
	if (p->scheduler == NULL)
		return;
	g_assert_finalize_object (p->scheduler);
	g_assert_finalize_object (p->queue);
	g_assert_finalize_object (p->store);
	p->scheduler = NULL;
	p->queue = NULL;
	p->store = NULL;
}

static void
test_add_link (TestProcess *p,
	       const gchar *user,
	       const gchar *link_id,
	       const gchar *external,
	       OheLinkState state)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheLink) link = ohe_link_new (user, "withings");
	g_autofree gchar *patient = g_strdup_printf ("Patient/%s", user);
	const gchar *kinds[] = {"heart_rate", "steps", NULL};

	/* a second link of the same user is fine */
	ohe_store_add_user (p->store, user, patient, NULL);
	ohe_link_set_id (link, link_id);
	ohe_link_set_external_user_id (link, external);
	ohe_link_set_kinds (link, kinds);
	ohe_link_set_state (link, state);
	g_assert_true (ohe_store_add_link (p->store, link, &error));
	g_assert_no_error (error);
}

static void
fixture_setup (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *dir = g_build_filename (g_get_user_data_dir (), "scheduler", NULL);
	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	fx->path = g_build_filename (dir, "ohed.db", NULL);
	fx->clock = ohe_clock_new_fake (TEST_NOW_US);
	ohe_clock_set_random_seed (fx->clock, 42);
	test_process_open (fx, &fx->a, "process-a", user_data);
	test_add_link (&fx->a, "user-1", "link-1", "ext-1", OHE_LINK_STATE_ACTIVE);
}

static void
fixture_teardown (Fixture *fx, gconstpointer user_data)
{
	test_process_close (&fx->a);
	test_process_close (&fx->b);
	g_assert_finalize_object (fx->clock);
	g_free (fx->path);
}

static void
test_tick (TestProcess *p)
{
	g_autoptr(GError) error = NULL;
	g_assert_true (ohe_scheduler_tick (p->scheduler, &error));
	g_assert_no_error (error);
}

/* pops every ready job, completes it, and returns them in pop order */
static GPtrArray *
test_drain (TestProcess *p)
{
	GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);
	while (TRUE) {
		g_autoptr(GError) error = NULL;
		OheJob *job = ohe_job_queue_pop (p->queue, 0, NULL, &error);
		g_assert_no_error (error);
		if (job == NULL)
			break;
		g_assert_true (ohe_job_queue_complete (p->queue, job, &error));
		g_assert_no_error (error);
		g_ptr_array_add (jobs, job);
	}
	return jobs;
}

static guint
test_count_reason (GPtrArray *jobs, const gchar *reason)
{
	guint n = 0;
	for (guint i = 0; i < jobs->len; i++)
		n += g_strcmp0 (ohe_job_get_reason (g_ptr_array_index (jobs, i)), reason) == 0;
	return n;
}

/* the stored jobs of @reason, in the store's queue order */
static GPtrArray *
test_stored (TestProcess *p, const gchar *reason)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs = ohe_store_list_jobs (p->store, &error);
	GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
	g_assert_no_error (error);
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		if (g_strcmp0 (ohe_job_get_reason (job), reason) == 0)
			g_ptr_array_add (out, g_object_ref (job));
	}
	return out;
}

/* backfill windows: [now − 30 d, now] in 7-day windows, newest first, contiguous */
static void
test_assert_backfill_windows (GPtrArray *jobs, gint64 end)
{
	const gint64 starts[] = {end - 7 * TEST_DAY, end - 14 * TEST_DAY, end - 21 * TEST_DAY,
				 end - 28 * TEST_DAY, end - 30 * TEST_DAY};
	g_assert_cmpuint (jobs->len, ==, G_N_ELEMENTS (starts));
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		g_assert_cmpstr (ohe_job_get_link_id (job), ==, "link-1");
		g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_BACKFILL);
		g_assert_cmpint (ohe_job_get_window_start (job), ==, starts[i]);
		g_assert_cmpint (ohe_job_get_window_end (job), ==, i == 0 ? end : starts[i - 1]);
		g_assert_cmpuint (ohe_job_get_max_attempts (job), ==, 5);
	}
}

static void
test_scheduler_backfill_once (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GPtrArray) again = NULL;
	g_autoptr(OheBackfillProgress) progress = NULL;
	g_autoptr(GError) error = NULL;
	guint64 written = 0;

	test_tick (&fx->a);
	g_assert_true (ohe_scheduler_is_leader (fx->a.scheduler));
	g_assert_cmpuint (
	    ohe_scheduler_get_jobs_made (fx->a.scheduler, OHE_SCHEDULER_TRIGGER_BACKFILL), ==, 5);
	progress = ohe_store_get_backfill_progress (fx->a.store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (progress->windows_total, ==, 5);
	g_assert_cmpuint (progress->windows_done, ==, 0);
	g_assert_cmpint (progress->window_start_us, ==, TEST_NOW_US - 30 * TEST_DAY);
	g_assert_cmpint (progress->window_end_us, ==, TEST_NOW_US);
	g_assert_cmpint (ohe_backfill_progress_get_eta (progress), ==, 0);
	g_clear_pointer (&progress, ohe_backfill_progress_free);

	/* seen again, by a tick or the activation hook: nothing more */
	ohe_clock_advance (fx->clock, 10 * TEST_MINUTE);
	test_tick (&fx->a);
	g_assert_true (ohe_scheduler_link_activated (fx->a.scheduler, "link-1", &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 5);

	/* the workers get them newest first */
	jobs = test_drain (&fx->a);
	test_assert_backfill_windows (jobs, TEST_NOW_US);
	for (guint i = 0; i < jobs->len; i++) {
		ohe_clock_advance (fx->clock, TEST_MINUTE);
		ohe_scheduler_job_done (fx->a.scheduler, g_ptr_array_index (jobs, i), 100 + i);
		written += 100 + i;
		if (i == 1) {
			/* two windows in 12 minutes since the start: three more take 18 */
			progress = ohe_store_get_backfill_progress (fx->a.store, "link-1", &error);
			g_assert_no_error (error);
			g_assert_cmpuint (progress->windows_done, ==, 2);
			g_assert_false (ohe_backfill_progress_is_done (progress));
			g_assert_cmpint (ohe_backfill_progress_get_eta (progress), ==,
					 progress->updated_us +
					     3 * (progress->updated_us - progress->started_us) / 2);
			g_clear_pointer (&progress, ohe_backfill_progress_free);
		}
	}
	progress = ohe_store_get_backfill_progress (fx->a.store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (progress->windows_done, ==, 5);
	g_assert_cmpuint (progress->measurements, ==, written);
	g_assert_true (ohe_backfill_progress_is_done (progress));

	/* done and forgotten by the queue: still never planned again */
	ohe_clock_advance (fx->clock, 3 * TEST_DAY);
	test_tick (&fx->a);
	again = test_drain (&fx->a);
	g_assert_cmpuint (test_count_reason (again, OHE_SCHEDULER_REASON_BACKFILL), ==, 0);
	g_assert_cmpuint (
	    ohe_scheduler_get_jobs_made (fx->a.scheduler, OHE_SCHEDULER_TRIGGER_BACKFILL), ==, 5);
	/* a link that is not active has none */
	test_add_link (&fx->a, "user-2", "link-2", "ext-2", OHE_LINK_STATE_PENDING);
	g_assert_false (ohe_scheduler_link_activated (fx->a.scheduler, "link-2", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
}

static void
test_scheduler_backfill_disabled (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(OheBackfillProgress) progress = NULL;
	g_autoptr(GError) error = NULL;

	test_tick (&fx->a);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (jobs->len, ==, 0);
	progress = ohe_store_get_backfill_progress (fx->a.store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (progress->windows_total, ==, 0);
	g_assert_true (ohe_backfill_progress_is_done (progress));
}

static void
test_scheduler_restart_keeps_backfill (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GPtrArray) rest = NULL;
	g_autoptr(GError) error = NULL;
	OheBackfillProgress *progress;
	OheJob *first;
	OheJob *interrupted;

	test_tick (&fx->a);
	/* one window done, one running when the process dies */
	first = ohe_job_queue_pop (fx->a.queue, 0, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_job_get_window_end (first), ==, TEST_NOW_US);
	g_assert_true (ohe_job_queue_complete (fx->a.queue, first, &error));
	ohe_scheduler_job_done (fx->a.scheduler, first, 7);
	/* the same window finishing again (its job ran a second time after a crash between
	 * counting it and removing it) is not counted twice */
	ohe_scheduler_job_done (fx->a.scheduler, first, 7);
	progress = ohe_store_get_backfill_progress (fx->a.store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (progress->windows_done, ==, 1);
	g_assert_cmpuint (progress->measurements, ==, 7);
	g_clear_pointer (&progress, ohe_backfill_progress_free);
	g_object_unref (first);
	interrupted = ohe_job_queue_pop (fx->a.queue, 0, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_job_get_window_end (interrupted), ==, TEST_NOW_US - 7 * TEST_DAY);
	g_object_unref (interrupted);
	test_process_close (&fx->a);

	ohe_clock_advance (fx->clock, 5 * TEST_MINUTE);
	test_process_open (fx, &fx->a, "process-a-restarted", NULL);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 4);
	test_tick (&fx->a);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 4);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (jobs->len, ==, 4);
	/* the interrupted window first again, then the rest, newest first */
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		g_assert_cmpstr (ohe_job_get_reason (job), ==, OHE_SCHEDULER_REASON_BACKFILL);
		g_assert_cmpint (ohe_job_get_window_end (job), ==,
				 TEST_NOW_US - (gint64)(i + 1) * 7 * TEST_DAY);
	}
	g_assert_cmpint (ohe_job_get_window_start (g_ptr_array_index (jobs, 3)), ==,
			 TEST_NOW_US - 30 * TEST_DAY);
	rest = test_drain (&fx->a);
	g_assert_cmpuint (rest->len, ==, 0);
}

static void
test_scheduler_incremental (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GError) error = NULL;
	gint64 overlap = 15 * TEST_MINUTE;
	OheJob *job;

	test_tick (&fx->a);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (test_count_reason (jobs, OHE_SCHEDULER_REASON_BACKFILL), ==, 5);
	g_assert_cmpuint (test_count_reason (jobs, OHE_SCHEDULER_REASON_INCREMENTAL), ==, 0);

	/* hourly by default: nothing after 59 minutes */
	ohe_clock_advance (fx->clock, 59 * TEST_MINUTE);
	test_tick (&fx->a);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (jobs->len, ==, 0);

	/* after an hour: from where the backfill ended, minus the overlap */
	ohe_clock_advance (fx->clock, TEST_MINUTE);
	test_tick (&fx->a);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (jobs->len, ==, 1);
	job = g_ptr_array_index (jobs, 0);
	g_assert_cmpstr (ohe_job_get_reason (job), ==, OHE_SCHEDULER_REASON_INCREMENTAL);
	g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_INCREMENTAL);
	g_assert_cmpint (ohe_job_get_window_start (job), ==, TEST_NOW_US - overlap);
	g_assert_cmpint (ohe_job_get_window_end (job), ==, TEST_NOW_US + TEST_HOUR);

	/* the next from where that one ended, minus the overlap again */
	ohe_clock_advance (fx->clock, TEST_HOUR + 30 * G_USEC_PER_SEC);
	test_tick (&fx->a);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (jobs->len, ==, 1);
	job = g_ptr_array_index (jobs, 0);
	g_assert_cmpint (ohe_job_get_window_start (job), ==, TEST_NOW_US + TEST_HOUR - overlap);
	g_assert_cmpint (ohe_job_get_window_end (job), ==,
			 TEST_NOW_US + 2 * TEST_HOUR + 30 * G_USEC_PER_SEC);

	/* a tick due while the previous one still waits widens it instead of adding one */
	ohe_clock_advance (fx->clock, TEST_HOUR);
	test_tick (&fx->a);
	ohe_clock_advance (fx->clock, TEST_HOUR);
	test_tick (&fx->a);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 1);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);
	job = g_ptr_array_index (jobs, 0);
	g_assert_cmpint (ohe_job_get_window_start (job), ==,
			 TEST_NOW_US + 2 * TEST_HOUR + 30 * G_USEC_PER_SEC - overlap);
	g_assert_cmpint (ohe_job_get_window_end (job), ==,
			 TEST_NOW_US + 4 * TEST_HOUR + 30 * G_USEC_PER_SEC);

	/* daily: nothing for 23 hours */
	g_assert_true (ohe_store_set_user_sync_frequency (fx->a.store, "user-1", "daily", &error));
	g_assert_no_error (error);
	for (guint i = 0; i < 23; i++) {
		ohe_clock_advance (fx->clock, TEST_HOUR);
		test_tick (&fx->a);
		g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 0);
	}
	ohe_clock_advance (fx->clock, TEST_HOUR);
	test_tick (&fx->a);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 1);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);

	/* realtime: a poll every 5 minutes */
	g_assert_true (
	    ohe_store_set_user_sync_frequency (fx->a.store, "user-1", "realtime", &error));
	ohe_clock_advance (fx->clock, 4 * TEST_MINUTE);
	test_tick (&fx->a);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 0);
	ohe_clock_advance (fx->clock, TEST_MINUTE);
	test_tick (&fx->a);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 1);
}

static void
test_scheduler_sync_frequency (void)
{
	g_assert_cmpstr (ohe_sync_frequency_to_string (OHE_SYNC_FREQUENCY_HOURLY), ==, "hourly");
	g_assert_cmpint (ohe_sync_frequency_from_string ("daily"), ==, OHE_SYNC_FREQUENCY_DAILY);
	g_assert_cmpint (ohe_sync_frequency_from_string ("weekly"), ==, OHE_SYNC_FREQUENCY_LAST);
	g_assert_null (ohe_sync_frequency_to_string (OHE_SYNC_FREQUENCY_LAST));
	g_assert_cmpint (ohe_sync_frequency_get_interval (OHE_SYNC_FREQUENCY_REALTIME), ==,
			 5 * TEST_MINUTE);
	g_assert_cmpint (ohe_sync_frequency_get_interval (OHE_SYNC_FREQUENCY_DAILY), ==, TEST_DAY);
}

static void
test_scheduler_user_frequency_store (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *frequency = NULL;

	frequency = ohe_store_get_user_sync_frequency (fx->a.store, "user-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (frequency, ==, "hourly");
	g_clear_pointer (&frequency, g_free);
	g_assert_true (ohe_store_set_user_sync_frequency (fx->a.store, "user-1", "daily", &error));
	frequency = ohe_store_get_user_sync_frequency (fx->a.store, "user-1", &error);
	g_assert_cmpstr (frequency, ==, "daily");
	g_assert_false (
	    ohe_store_set_user_sync_frequency (fx->a.store, "user-1", "weekly", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);
	g_assert_false (ohe_store_set_user_sync_frequency (fx->a.store, "nobody", "daily", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_null (ohe_store_get_user_sync_frequency (fx->a.store, "nobody", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
}

static void
test_notify (TestProcess *p, const gchar *external, gint64 start, gint64 end, gboolean *coalesced)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSyncHint) hint = ohe_sync_hint_new (external, start, end);
	g_assert_true (ohe_scheduler_notify (p->scheduler, "withings", hint, coalesced, &error));
	g_assert_no_error (error);
}

static void
test_scheduler_push_storm (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) backfill = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJob) running = NULL;
	g_autoptr(OheJob) extra = NULL;
	gint64 lookback = 15 * TEST_MINUTE;
	gint64 earliest = G_MAXINT64;
	gint64 latest = 0;
	gboolean coalesced = TRUE;
	guint n_coalesced = 0;

	/* the backfill is queued: pushes go before it */
	test_tick (&fx->a);
	ohe_clock_advance (fx->clock, TEST_MINUTE);
	test_notify (&fx->a, "ext-1", TEST_NOW_US - 2 * TEST_HOUR, TEST_NOW_US - TEST_HOUR,
		     &coalesced);
	g_assert_false (coalesced);
	running = ohe_job_queue_pop (fx->a.queue, 0, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_job_get_reason (running), ==, OHE_SCHEDULER_REASON_PUSH);
	g_assert_cmpint (ohe_job_get_priority (running), ==, OHE_JOB_PRIORITY_REALTIME);
	g_assert_cmpint (ohe_job_get_window_start (running), ==,
			 TEST_NOW_US - 2 * TEST_HOUR - lookback);
	g_assert_cmpint (ohe_job_get_window_end (running), ==, TEST_NOW_US - TEST_HOUR + lookback);

	/* 1,000 notifications while it runs, over different windows */
	for (guint i = 0; i < 1000; i++) {
		gint64 start = TEST_NOW_US - (gint64)(i % 48) * TEST_HOUR;
		gint64 end = start + TEST_MINUTE;
		earliest = MIN (earliest, start - lookback);
		latest = MAX (latest, end + lookback);
		test_notify (&fx->a, "ext-1", start, end, &coalesced);
		n_coalesced += coalesced;
	}
	g_assert_cmpuint (n_coalesced, ==, 999);
	g_assert_cmpuint (ohe_scheduler_get_jobs_made (fx->a.scheduler, OHE_SCHEDULER_TRIGGER_PUSH),
			  ==, 2);
	/* one more job: the queued backfill windows and it, nothing else */
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 5 + 1);
	backfill = test_stored (&fx->a, OHE_SCHEDULER_REASON_BACKFILL);
	g_assert_cmpuint (backfill->len, ==, 5);
	g_assert_true (ohe_job_queue_complete (fx->a.queue, running, &error));

	/* it covers every notified window, never past now, and runs first */
	extra = ohe_job_queue_pop (fx->a.queue, 0, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_job_get_reason (extra), ==, OHE_SCHEDULER_REASON_PUSH);
	g_assert_cmpint (ohe_job_get_window_start (extra), ==, earliest);
	g_assert_cmpint (latest, >, ohe_clock_get_real (fx->clock));
	g_assert_cmpint (ohe_job_get_window_end (extra), ==, ohe_clock_get_real (fx->clock));
	g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (extra)), ==, 0);
}

static void
test_scheduler_push_refused (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSyncHint) unknown = ohe_sync_hint_new ("ext-404", 0, 0);
	g_autoptr(OheSyncHint) revoked = ohe_sync_hint_new ("ext-2", 0, 0);
	g_autoptr(OheSyncHint) backwards =
		       ohe_sync_hint_new ("ext-1", TEST_NOW_US, TEST_NOW_US - TEST_HOUR);
	g_autoptr(OheSyncHint) other_kind = ohe_sync_hint_new ("ext-1", 0, 0);
	g_autoptr(OheSyncHint) some_kinds = ohe_sync_hint_new ("ext-1", 0, 0);
	g_autoptr(OheJob) job = NULL;

	test_add_link (&fx->a, "user-2", "link-2", "ext-2", OHE_LINK_STATE_REVOKED);
	g_assert_false (ohe_scheduler_notify (fx->a.scheduler, "withings", unknown, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_nonnull (strstr (error->message, "no link holds withings account ext-404"));
	g_clear_error (&error);
	/* the same account of another provider is another account */
	g_assert_false (ohe_scheduler_notify (fx->a.scheduler, "fitbit", other_kind, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (ohe_scheduler_notify (fx->a.scheduler, "withings", revoked, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_nonnull (strstr (error->message, "link link-2 is revoked"));
	g_clear_error (&error);
	g_assert_false (
	    ohe_scheduler_notify (fx->a.scheduler, "withings", backwards, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 0);

	/* a kind the link does not consent to: nothing to do */
	ohe_sync_hint_add_kind (other_kind, OHE_MEASUREMENT_KIND_ECG);
	g_assert_true (
	    ohe_scheduler_notify (fx->a.scheduler, "withings", other_kind, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->a.queue), ==, 0);

	/* without a window: the lookback before now, for the consented kinds named */
	ohe_sync_hint_add_kind (some_kinds, OHE_MEASUREMENT_KIND_ECG);
	ohe_sync_hint_add_kind (some_kinds, OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_true (
	    ohe_scheduler_notify (fx->a.scheduler, "withings", some_kinds, NULL, &error));
	job = ohe_job_queue_pop (fx->a.queue, 0, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_job_get_window_start (job), ==, TEST_NOW_US - 15 * TEST_MINUTE);
	g_assert_cmpint (ohe_job_get_window_end (job), ==, TEST_NOW_US);
	g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (job)), ==, 1);
	g_assert_cmpstr (ohe_job_get_kinds (job)[0], ==, "heart_rate");
}

static void
test_scheduler_nightly (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) jobs = NULL;
	gboolean jitter =
	    user_data != NULL && strstr ((const gchar *)user_data, "nightly_jitter=600") != NULL;
	gint64 fired_at = 0;

	test_add_link (&fx->a, "user-2", "link-2", "ext-2", OHE_LINK_STATE_ACTIVE);
	test_add_link (&fx->a, "user-3", "link-3", "ext-3", OHE_LINK_STATE_REVOKED);
	/* daily users: no incremental job gets in the way */
	ohe_store_set_user_sync_frequency (fx->a.store, "user-1", "daily", NULL);
	ohe_store_set_user_sync_frequency (fx->a.store, "user-2", "daily", NULL);
	test_tick (&fx->a);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (test_count_reason (jobs, OHE_SCHEDULER_REASON_NIGHTLY), ==, 0);

	/* minute by minute up to 03:00 (and its jitter): nothing before it */
	while (TRUE) {
		ohe_clock_advance (fx->clock, TEST_MINUTE);
		test_tick (&fx->a);
		g_clear_pointer (&jobs, g_ptr_array_unref);
		jobs = test_drain (&fx->a);
		if (jobs->len > 0)
			break;
		g_assert_cmpint (ohe_clock_get_real (fx->clock), <,
				 TEST_NIGHTLY + 10 * TEST_MINUTE);
	}
	fired_at = ohe_clock_get_real (fx->clock);
	if (jitter) {
		g_assert_cmpint (fired_at, >=, TEST_NIGHTLY);
		g_assert_cmpint (fired_at, <=, TEST_NIGHTLY + 10 * TEST_MINUTE);
	} else {
		g_assert_cmpint (fired_at, ==, TEST_NIGHTLY);
	}
	/* one job per active link, the trailing two days, lowest priority */
	g_assert_cmpuint (jobs->len, ==, 2);
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		g_assert_cmpstr (ohe_job_get_reason (job), ==, OHE_SCHEDULER_REASON_NIGHTLY);
		g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_NIGHTLY);
		g_assert_cmpint (ohe_job_get_window_start (job), ==, fired_at - 2 * TEST_DAY);
		g_assert_cmpint (ohe_job_get_window_end (job), ==, fired_at);
		g_assert_cmpstr (ohe_job_get_link_id (job), !=, "link-3");
	}
	g_assert_cmpstr (ohe_job_get_link_id (g_ptr_array_index (jobs, 0)), !=,
			 ohe_job_get_link_id (g_ptr_array_index (jobs, 1)));

	/* once a night */
	for (guint i = 0; i < 23; i++) {
		ohe_clock_advance (fx->clock, TEST_HOUR);
		test_tick (&fx->a);
		g_clear_pointer (&jobs, g_ptr_array_unref);
		jobs = test_drain (&fx->a);
		g_assert_cmpuint (test_count_reason (jobs, OHE_SCHEDULER_REASON_NIGHTLY), ==, 0);
	}
	ohe_clock_advance (fx->clock, TEST_HOUR);
	test_tick (&fx->a);
	g_clear_pointer (&jobs, g_ptr_array_unref);
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (test_count_reason (jobs, OHE_SCHEDULER_REASON_NIGHTLY), ==, 2);
	g_assert_cmpuint (
	    ohe_scheduler_get_jobs_made (fx->a.scheduler, OHE_SCHEDULER_TRIGGER_NIGHTLY), ==, 4);
}

static void
test_scheduler_priorities (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GPtrArray) jobs = NULL;
	const struct {
		OheJobPriority priority;
		const gchar *reason;
		guint count;
	} order[] = {
	    {OHE_JOB_PRIORITY_REALTIME, OHE_SCHEDULER_REASON_PUSH, 1},
	    {OHE_JOB_PRIORITY_INCREMENTAL, OHE_SCHEDULER_REASON_INCREMENTAL, 4},
	    {OHE_JOB_PRIORITY_BACKFILL, OHE_SCHEDULER_REASON_BACKFILL, 4 * 5},
	    {OHE_JOB_PRIORITY_NIGHTLY, OHE_SCHEDULER_REASON_NIGHTLY, 4},
	};
	guint idx = 0;

	for (guint i = 2; i <= 4; i++) {
		g_autofree gchar *user = g_strdup_printf ("user-%u", i);
		g_autofree gchar *link = g_strdup_printf ("link-%u", i);
		g_autofree gchar *external = g_strdup_printf ("ext-%u", i);
		test_add_link (&fx->a, user, link, external, OHE_LINK_STATE_ACTIVE);
	}
	/* the backfills wait while 03:15 comes: an incremental job per link, the nightly
	 * one per link, and a push */
	test_tick (&fx->a);
	ohe_clock_advance (fx->clock, TEST_NIGHTLY + 15 * TEST_MINUTE - TEST_NOW_US);
	test_notify (&fx->a, "ext-4", 0, 0, NULL);
	test_tick (&fx->a);
	g_assert_true (ohe_scheduler_link_activated (fx->a.scheduler, "link-1", NULL));
	jobs = test_drain (&fx->a);
	g_assert_cmpuint (jobs->len, ==, 1 + 4 + 20 + 4);
	for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
		for (guint j = 0; j < order[i].count; j++, idx++) {
			OheJob *job = g_ptr_array_index (jobs, idx);
			g_assert_cmpint (ohe_job_get_priority (job), ==, order[i].priority);
			g_assert_cmpstr (ohe_job_get_reason (job), ==, order[i].reason);
		}
	}
}

static void
test_scheduler_lease (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheLease) a = ohe_store_lease_new (fx->a.store, fx->clock, "a");
	g_autoptr(OheLease) b = ohe_store_lease_new (fx->a.store, fx->clock, "b");
	g_autoptr(OheLease) c = ohe_store_lease_new (fx->a.store, fx->clock, NULL);
	g_autoptr(GError) error = NULL;
	gboolean held = FALSE;

	g_assert_cmpstr (ohe_lease_get_holder (a), ==, "a");
	g_assert_nonnull (strchr (ohe_lease_get_holder (c), ':'));
	g_assert_true (ohe_lease_acquire (a, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_no_error (error);
	g_assert_true (held);
	g_assert_true (ohe_lease_acquire (b, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_false (held);
	/* another name is another lease */
	g_assert_true (ohe_lease_acquire (b, "y", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_true (held);
	/* renewing moves the expiry: b cannot take it 59 s after the renewal */
	ohe_clock_advance (fx->clock, 50 * G_USEC_PER_SEC);
	g_assert_true (ohe_lease_acquire (a, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_true (held);
	ohe_clock_advance (fx->clock, 59 * G_USEC_PER_SEC);
	g_assert_true (ohe_lease_acquire (b, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_false (held);
	/* expired: b takes it, a has lost it */
	ohe_clock_advance (fx->clock, G_USEC_PER_SEC);
	g_assert_true (ohe_lease_acquire (b, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_true (held);
	g_assert_true (ohe_lease_acquire (a, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_false (held);
	/* releasing what one does not hold changes nothing; the holder's release frees it */
	g_assert_true (ohe_lease_release (a, "x", &error));
	g_assert_true (ohe_lease_acquire (a, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_false (held);
	g_assert_true (ohe_lease_release (b, "x", &error));
	g_assert_true (ohe_lease_acquire (a, "x", 60 * G_USEC_PER_SEC, &held, &error));
	g_assert_true (held);
	g_assert_no_error (error);
}

/* two processes on one store, ticking in turn for two days, workers draining both */
static void
test_scheduler_two_processes (Fixture *fx, gconstpointer user_data)
{
	guint made[2][OHE_SCHEDULER_TRIGGER_LAST] = {{0}};
	guint ran[OHE_SCHEDULER_TRIGGER_LAST] = {0};
	TestProcess *processes[] = {&fx->a, &fx->b};
	guint64 hours = 0;

	test_process_open (fx, &fx->b, "process-b", NULL);
	test_add_link (&fx->a, "user-2", "link-2", "ext-2", OHE_LINK_STATE_ACTIVE);
	/* 48 hours in 15-minute steps; process a stops after 30 hours, b takes over */
	for (gint64 t = 0; t <= 48 * TEST_HOUR; t += 15 * TEST_MINUTE) {
		for (guint p = 0; p < G_N_ELEMENTS (processes); p++) {
			g_autoptr(GPtrArray) jobs = NULL;
			if (processes[p]->scheduler == NULL)
				continue;
			test_tick (processes[p]);
			jobs = test_drain (processes[p]);
			for (guint k = 0; k < OHE_SCHEDULER_TRIGGER_LAST; k++)
				ran[k] +=
				    test_count_reason (jobs, ohe_scheduler_trigger_to_string (k));
		}
		if (t == 30 * TEST_HOUR) {
			g_assert_true (ohe_scheduler_is_leader (fx->a.scheduler));
			g_assert_false (ohe_scheduler_is_leader (fx->b.scheduler));
			for (guint k = 0; k < OHE_SCHEDULER_TRIGGER_LAST; k++)
				made[0][k] = ohe_scheduler_get_jobs_made (fx->a.scheduler, k);
			ohe_scheduler_stop (fx->a.scheduler);
			test_process_close (&fx->a);
		}
		ohe_clock_advance (fx->clock, 15 * TEST_MINUTE);
		hours = (guint64)(t / TEST_HOUR);
	}
	g_assert_true (ohe_scheduler_is_leader (fx->b.scheduler));
	for (guint k = 0; k < OHE_SCHEDULER_TRIGGER_LAST; k++)
		made[1][k] = ohe_scheduler_get_jobs_made (fx->b.scheduler, k);
	g_assert_cmpuint (hours, ==, 48);

	/* each link backfilled once, by a */
	g_assert_cmpuint (made[0][OHE_SCHEDULER_TRIGGER_BACKFILL], ==, 2 * 5);
	g_assert_cmpuint (made[1][OHE_SCHEDULER_TRIGGER_BACKFILL], ==, 0);
	g_assert_cmpuint (ran[OHE_SCHEDULER_TRIGGER_BACKFILL], ==, 2 * 5);
	/* hourly for each link: 30 by a, 18 by b */
	g_assert_cmpuint (made[0][OHE_SCHEDULER_TRIGGER_INCREMENTAL], ==, 2 * 30);
	g_assert_cmpuint (made[1][OHE_SCHEDULER_TRIGGER_INCREMENTAL], ==, 2 * 18);
	g_assert_cmpuint (ran[OHE_SCHEDULER_TRIGGER_INCREMENTAL], ==, 2 * 48);
	/* two nights: 03:00 on the 16th (a) and on the 17th (b) */
	g_assert_cmpuint (made[0][OHE_SCHEDULER_TRIGGER_NIGHTLY], ==, 2);
	g_assert_cmpuint (made[1][OHE_SCHEDULER_TRIGGER_NIGHTLY], ==, 2);
	g_assert_cmpuint (ran[OHE_SCHEDULER_TRIGGER_NIGHTLY], ==, 2 * 2);
}

static void
test_scheduler_settings_invalid (void)
{
	const struct {
		const gchar *data;
		const gchar *message;
	} cases[] = {
	    {"[sync]\nnightly=0 3 * *\n", "[sync] nightly: cron expression '0 3 * *' has 4"},
	    {"[sync]\nnightly=0 25 * * *\n", "hour '25' is not a number from 0 to 23"},
	    {"[sync]\ntick=60\nlease_ttl=60\n", "[sync] lease_ttl = 60 must be longer than"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(OheConfig) config = ohe_config_new ();
		g_autoptr(GError) error = NULL;
		g_autoptr(OheSyncSettings) settings = NULL;
		g_assert_true (ohe_config_load_data (config, cases[i].data, &error));
		settings = ohe_sync_settings_new (config, &error);
		g_assert_null (settings);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		if (strstr (error->message, cases[i].message) == NULL)
			g_error ("'%s' lacks '%s'", error->message, cases[i].message);
	}
}

/* a version 9 database: the stored priorities 2 (nightly then) and 3 (backfill then) swap
 * meanings in version 10, and an existing user syncs hourly */
static void
test_scheduler_migrate_priorities (void)
{
	g_autofree gchar *old = g_build_filename (g_get_user_data_dir (), "schemas-9", NULL);
	g_autofree gchar *src = g_build_filename (OHE_SOURCE_SCHEMADIR, "sqlite", NULL);
	g_autofree gchar *dir = g_build_filename (g_get_user_data_dir (), "migrate", NULL);
	g_autofree gchar *path = g_build_filename (dir, "ohed.db", NULL);
	g_autofree gchar *frequency = NULL;
	g_autoptr(GDir) gdir = NULL;
	g_autoptr(OheStore) store = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GError) error = NULL;
	/* the numbers as the old daemon wrote them */
	g_autoptr(OheJob) was_nightly = ohe_job_new ("link-1", "withings", (OheJobPriority)2);
	g_autoptr(OheJob) was_backfill = ohe_job_new ("link-1", "withings", (OheJobPriority)3);
	const gchar *name;

	g_assert_cmpint (g_mkdir_with_parents (old, 0700), ==, 0);
	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	gdir = g_dir_open (src, 0, &error);
	g_assert_no_error (error);
	while ((name = g_dir_read_name (gdir)) != NULL) {
		g_autofree gchar *from = g_build_filename (src, name, NULL);
		g_autofree gchar *to = g_build_filename (old, name, NULL);
		g_autofree gchar *sql = NULL;
		if (g_ascii_strtoull (name, NULL, 10) > 9)
			continue;
		g_assert_true (g_file_get_contents (from, &sql, NULL, &error));
		g_assert_true (g_file_set_contents (to, sql, -1, &error));
		g_assert_no_error (error);
	}

	/* the old daemon stored 2 for nightly and 3 for backfill */
	store = ohe_sqlite_store_new (path, old, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_store_get_schema_version (store, NULL), ==, 9);
	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p1", &error));
	ohe_job_set_id (was_nightly, "was-nightly");
	ohe_job_set_id (was_backfill, "was-backfill");
	g_assert_cmpint (ohe_job_get_priority (was_nightly), ==, 2);
	g_assert_cmpint (ohe_job_get_priority (was_backfill), ==, 3);
	g_assert_true (ohe_store_save_job (store, was_nightly, &error));
	g_assert_true (ohe_store_save_job (store, was_backfill, &error));
	g_assert_no_error (error);
	g_clear_object (&store);

	store = ohe_sqlite_store_new (path, OHE_SOURCE_SCHEMADIR, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_store_get_schema_version (store, NULL), >=, 10);
	jobs = ohe_store_list_jobs (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 2);
	/* backfill now runs first */
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 0)), ==, "was-backfill");
	g_assert_cmpint (ohe_job_get_priority (g_ptr_array_index (jobs, 0)), ==,
			 OHE_JOB_PRIORITY_BACKFILL);
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 1)), ==, "was-nightly");
	g_assert_cmpint (ohe_job_get_priority (g_ptr_array_index (jobs, 1)), ==,
			 OHE_JOB_PRIORITY_NIGHTLY);
	frequency = ohe_store_get_user_sync_frequency (store, "user-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (frequency, ==, "hourly");
}

/* the engine: its scheduler runs on its clock, its workers record backfill progress, and
 * ohe_engine_notify() counts every notification by result */
static void
test_scheduler_engine (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_NOW_US);
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(OheEngine) engine = NULL;
	g_autoptr(OheLink) link = ohe_link_new ("u1", "synthetic");
	g_autoptr(OheBackfillProgress) progress = NULL;
	g_autoptr(OheSyncHint) hint = ohe_sync_hint_new ("syn-account", 0, 0);
	g_autoptr(OheSyncHint) unknown = ohe_sync_hint_new ("nobody", 0, 0);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_build_filename (g_get_user_data_dir (), "engine", NULL);
	g_autofree gchar *db = g_build_filename (dir, "ohed.db", NULL);
	g_autofree gchar *records = g_build_filename (dir, "records.txt", NULL);
	const gchar *kinds[] = {"heart_rate", NULL};
	OheMetrics *metrics;
	OheStore *store;

	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	ohe_config_set_string (config, "daemon", "plugin_dir", g_getenv ("OHE_TEST_PLUGIN_DIR"));
	ohe_config_set_string (config, "daemon", "sink", "nullsink");
	ohe_config_set_string (config, "daemon", "state_dir", dir);
	ohe_config_set_string (config, "store", "sqlite_path", db);
	ohe_config_set_string (config, "store", "schema_dir", OHE_SOURCE_SCHEMADIR);
	ohe_config_set_string (config, "plugin:synthetic", "count", "50");
	ohe_config_set_string (config, "plugin:nullsink", "record_path", records);
	ohe_config_set_string (config, "sync", "initial_backfill_days", "3");
	ohe_config_set_string (config, "sync", "backfill_window_days", "1");
	engine = ohe_engine_new (config);
	ohe_engine_set_clock (engine, clock);
	g_assert_true (ohe_engine_setup (engine, NULL, &error));
	g_assert_no_error (error);
	store = ohe_engine_get_store (engine);
	metrics = ohe_engine_get_metrics (engine);
	g_assert_true (ohe_store_add_user (store, "u1", "Patient/p1", &error));
	ohe_link_set_kinds (link, kinds);
	ohe_link_set_external_user_id (link, "syn-account");
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_no_error (error);

	g_assert_true (ohe_scheduler_tick (ohe_engine_get_scheduler (engine), &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_job_queue_get_depth (ohe_engine_get_queue (engine)), ==, 3);
	g_assert_true (ohe_engine_start (engine, &error));
	g_assert_true (ohe_engine_wait_idle (engine, 60 * G_USEC_PER_SEC));
	ohe_engine_stop (engine);
	g_assert_cmpuint (ohe_engine_get_jobs_done (engine), ==, 3);
	progress = ohe_store_get_backfill_progress (store, ohe_link_get_id (link), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (progress->windows_done, ==, 3);
	g_assert_cmpuint (progress->windows_total, ==, 3);
	/* the synthetic provider delivers its 50 samples in every window */
	g_assert_cmpuint (progress->measurements, ==, 3 * 50);
	g_assert_cmpint (progress->started_us, ==, TEST_NOW_US);

	/* pushes: one queued, two coalesced, one unknown account, one inactive link */
	for (guint i = 0; i < 3; i++) {
		g_assert_true (ohe_engine_notify (engine, "synthetic", hint, &error));
		g_assert_no_error (error);
	}
	g_assert_false (ohe_engine_notify (engine, "synthetic", unknown, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_true (ohe_store_update_link_state (store, ohe_link_get_id (link),
						    OHE_LINK_STATE_NEEDS_RECONSENT, &error));
	g_assert_false (ohe_engine_notify (engine, "synthetic", hint, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpuint (ohe_job_queue_get_depth (ohe_engine_get_queue (engine)), ==, 1);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_push_notifications_total",
						  OHE_METRICS_LABELS ("synthetic", "queued")),
			   ==, 1);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_push_notifications_total",
						  OHE_METRICS_LABELS ("synthetic", "coalesced")),
			   ==, 2);
	g_assert_cmpfloat (
	    ohe_metrics_get_value (metrics, "ohe_push_notifications_total",
				   OHE_METRICS_LABELS ("synthetic", "unknown_account")),
	    ==, 1);
	g_assert_cmpfloat (
	    ohe_metrics_get_value (metrics, "ohe_push_notifications_total",
				   OHE_METRICS_LABELS ("synthetic", "inactive_link")),
	    ==, 1);
}

int
main (int argc, char **argv)
{
	const gchar *no_jitter = "[sync]\nnightly_jitter=0\n";
	const gchar *jitter = "[sync]\nnightly_jitter=600\n";

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/scheduler/sync-frequency", test_scheduler_sync_frequency);
	g_test_add_func ("/scheduler/settings-invalid", test_scheduler_settings_invalid);
	g_test_add_func ("/scheduler/engine", test_scheduler_engine);
	g_test_add_func ("/scheduler/migrate-priorities", test_scheduler_migrate_priorities);
	g_test_add ("/scheduler/user-frequency-store", Fixture, NULL, fixture_setup,
		    test_scheduler_user_frequency_store, fixture_teardown);
	g_test_add ("/scheduler/lease", Fixture, NULL, fixture_setup, test_scheduler_lease,
		    fixture_teardown);
	g_test_add ("/scheduler/backfill-once-newest-first", Fixture, NULL, fixture_setup,
		    test_scheduler_backfill_once, fixture_teardown);
	g_test_add ("/scheduler/backfill-disabled", Fixture, "[sync]\ninitial_backfill_days=0\n",
		    fixture_setup, test_scheduler_backfill_disabled, fixture_teardown);
	g_test_add ("/scheduler/restart-keeps-backfill", Fixture, NULL, fixture_setup,
		    test_scheduler_restart_keeps_backfill, fixture_teardown);
	g_test_add ("/scheduler/incremental-from-cursor", Fixture, "[sync]\nnightly=0 3 1 1 *\n",
		    fixture_setup, test_scheduler_incremental, fixture_teardown);
	g_test_add ("/scheduler/push-storm", Fixture, NULL, fixture_setup,
		    test_scheduler_push_storm, fixture_teardown);
	g_test_add ("/scheduler/push-refused", Fixture, NULL, fixture_setup,
		    test_scheduler_push_refused, fixture_teardown);
	g_test_add ("/scheduler/nightly", Fixture, no_jitter, fixture_setup, test_scheduler_nightly,
		    fixture_teardown);
	g_test_add ("/scheduler/nightly-jitter", Fixture, jitter, fixture_setup,
		    test_scheduler_nightly, fixture_teardown);
	g_test_add ("/scheduler/priorities", Fixture, no_jitter, fixture_setup,
		    test_scheduler_priorities, fixture_teardown);
	g_test_add ("/scheduler/two-processes-fire-once", Fixture, no_jitter, fixture_setup,
		    test_scheduler_two_processes, fixture_teardown);
	return g_test_run ();
}
