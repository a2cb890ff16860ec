/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-memory-job-queue.h"
#include "ohe-sqlite-store.h"

#define TEST_START_US G_GINT64_CONSTANT (1800000000000000)
#define TEST_SECOND   G_GINT64_CONSTANT (1000000)

typedef struct {
	OheClock *clock;
	OheStore *store;
	OheJobQueue *queue;
} Fixture;

static OheStore *
test_open_store (const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheStore) store = ohe_sqlite_store_new (path, OHE_SOURCE_SCHEMADIR, &error);
	g_assert_no_error (error);
	g_assert_nonnull (store);
	return g_steal_pointer (&store);
}

static OheJobQueue *
test_open_queue (OheStore *store, OheClock *clock)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJobQueue) queue = ohe_memory_job_queue_new (store, clock, &error);
	g_assert_no_error (error);
	g_assert_nonnull (queue);
	return g_steal_pointer (&queue);
}

static void
fixture_setup (Fixture *fx, gconstpointer user_data)
{
	fx->clock = ohe_clock_new_fake (TEST_START_US);
	fx->store = test_open_store (":memory:");
	fx->queue = test_open_queue (fx->store, fx->clock);
}

static void
fixture_teardown (Fixture *fx, gconstpointer user_data)
{
	g_assert_finalize_object (fx->queue);
	g_assert_finalize_object (fx->store);
	g_assert_finalize_object (fx->clock);
}

static OheJob *
test_job (const gchar *id, OheJobPriority priority)
{
	OheJob *job = ohe_job_new ("link-1", "withings", priority);
	ohe_job_set_id (job, id);
	return job;
}

static void
test_push (OheJobQueue *queue, OheJob *job)
{
	g_autoptr(GError) error = NULL;
	g_assert_true (ohe_job_queue_push (queue, job, &error));
	g_assert_no_error (error);
}

/* pops without waiting and checks the id; NULL expects nothing ready */
static OheJob *
test_pop (OheJobQueue *queue, const gchar *expected_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJob) job = ohe_job_queue_pop (queue, 0, NULL, &error);
	g_assert_no_error (error);
	if (expected_id == NULL) {
		g_assert_null (job);
		return NULL;
	}
	g_assert_nonnull (job);
	g_assert_cmpstr (ohe_job_get_id (job), ==, expected_id);
	g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_RUNNING);
	return g_steal_pointer (&job);
}

static void
test_complete (OheJobQueue *queue, OheJob *job)
{
	g_autoptr(GError) error = NULL;
	g_assert_true (ohe_job_queue_complete (queue, job, &error));
	g_assert_no_error (error);
}

/* the stored row of @id, or NULL */
static OheJob *
test_stored_job (OheStore *store, const gchar *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs = ohe_store_list_jobs (store, &error);
	g_assert_no_error (error);
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		if (g_strcmp0 (ohe_job_get_id (job), id) == 0)
			return g_object_ref (job);
	}
	return NULL;
}

static guint
test_n_stored_jobs (OheStore *store)
{
	g_autoptr(GPtrArray) jobs = ohe_store_list_jobs (store, NULL);
	g_assert (jobs != NULL);
	return jobs->len;
}

static void
test_job_queue_strings (void)
{
	g_assert_cmpstr (ohe_job_priority_to_string (OHE_JOB_PRIORITY_REALTIME), ==, "realtime");
	g_assert_cmpstr (ohe_job_priority_to_string (OHE_JOB_PRIORITY_BACKFILL), ==, "backfill");
	g_assert_null (ohe_job_priority_to_string (OHE_JOB_PRIORITY_LAST));
	g_assert_cmpint (ohe_job_priority_from_string ("nightly"), ==, OHE_JOB_PRIORITY_NIGHTLY);
	g_assert_cmpint (ohe_job_priority_from_string ("incremental"), ==,
			 OHE_JOB_PRIORITY_INCREMENTAL);
	g_assert_cmpint (ohe_job_priority_from_string ("urgent"), ==, OHE_JOB_PRIORITY_LAST);
	g_assert_cmpint (ohe_job_priority_from_string (NULL), ==, OHE_JOB_PRIORITY_LAST);
	g_assert_cmpstr (ohe_job_state_to_string (OHE_JOB_STATE_QUEUED), ==, "queued");
	g_assert_cmpstr (ohe_job_state_to_string (OHE_JOB_STATE_RUNNING), ==, "running");
	g_assert_cmpstr (ohe_job_state_to_string (OHE_JOB_STATE_DONE), ==, "done");
	g_assert_cmpstr (ohe_job_state_to_string (OHE_JOB_STATE_DEAD), ==, "dead");
	g_assert_cmpint (ohe_job_state_from_string ("dead"), ==, OHE_JOB_STATE_DEAD);
}

static void
test_job_queue_job_defaults (void)
{
	g_autoptr(OheJob) job = ohe_job_new ("link-1", "withings", OHE_JOB_PRIORITY_NIGHTLY);
	g_autoptr(OheJob) copy = NULL;
	gint64 now = g_get_real_time ();

	g_assert_true (g_uuid_string_is_valid (ohe_job_get_id (job)));
	g_assert_cmpstr (ohe_job_get_link_id (job), ==, "link-1");
	g_assert_cmpstr (ohe_job_get_provider (job), ==, "withings");
	g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_NIGHTLY);
	g_assert_cmpuint (ohe_job_get_attempts (job), ==, 0);
	g_assert_cmpuint (ohe_job_get_max_attempts (job), ==, 5);
	g_assert_cmpint (ohe_job_get_not_before (job), ==, 0);
	g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (job)), ==, 0);
	g_assert_cmpint (ohe_job_get_created (job), <=, now);
	g_assert_cmpint (ohe_job_get_created (job), >, now - 10 * TEST_SECOND);
	g_assert_null (ohe_job_get_dedup_key (job));

	ohe_job_add_kind (job, "ecg");
	ohe_job_add_kind (job, "ecg");
	ohe_job_add_kind (job, "heart_rate");
	ohe_job_set_dedup_key (job, "k");
	copy = ohe_job_copy (job);
	g_assert_cmpstr (ohe_job_get_id (copy), ==, ohe_job_get_id (job));
	g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (copy)), ==, 2);
	g_assert_cmpstr (ohe_job_get_kinds (copy)[1], ==, "heart_rate");
	g_assert_cmpstr (ohe_job_get_dedup_key (copy), ==, "k");
	ohe_job_set_id (copy, NULL);
	g_assert_true (g_uuid_string_is_valid (ohe_job_get_id (copy)));
	g_assert_cmpstr (ohe_job_get_id (copy), !=, ohe_job_get_id (job));
}

static void
test_job_queue_priorities (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) nightly = test_job ("nightly", OHE_JOB_PRIORITY_NIGHTLY);
	g_autoptr(OheJob) incremental = test_job ("incremental", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) realtime = test_job ("realtime", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) backfill = test_job ("backfill", OHE_JOB_PRIORITY_BACKFILL);
	const gchar *order[] = {"realtime", "incremental", "backfill", "nightly"};

	test_push (fx->queue, backfill);
	test_push (fx->queue, nightly);
	test_push (fx->queue, incremental);
	test_push (fx->queue, realtime);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 4);
	g_assert_cmpuint (test_n_stored_jobs (fx->store), ==, 4);

	for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
		g_autoptr(OheJob) job = test_pop (fx->queue, order[i]);
		g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 3 - i);
		g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 1);
		test_complete (fx->queue, job);
		g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_DONE);
		g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 0);
	}
	g_assert_null (test_pop (fx->queue, NULL));
	/* done jobs are gone from the store */
	g_assert_cmpuint (test_n_stored_jobs (fx->store), ==, 0);
}

static void
test_job_queue_fifo (Fixture *fx, gconstpointer user_data)
{
	const gchar *ids[] = {"j0", "j1", "j2", "j3", "j4", "j5"};

	/* one creation time for all: the push order decides */
	for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
		g_autoptr(OheJob) job = test_job (ids[i], OHE_JOB_PRIORITY_INCREMENTAL);
		ohe_job_set_created (job, TEST_START_US);
		test_push (fx->queue, job);
	}
	/* an older job of the same priority goes first, a later not-before last */
	{
		g_autoptr(OheJob) older = test_job ("older", OHE_JOB_PRIORITY_INCREMENTAL);
		g_autoptr(OheJob) retry = test_job ("retry", OHE_JOB_PRIORITY_INCREMENTAL);
		ohe_job_set_created (older, TEST_START_US - 1);
		ohe_job_set_created (retry, TEST_START_US - 2);
		ohe_job_set_not_before (retry, TEST_START_US);
		test_push (fx->queue, retry);
		test_push (fx->queue, older);
	}
	{
		g_autoptr(OheJob) job = test_pop (fx->queue, "older");
		test_complete (fx->queue, job);
	}
	for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
		g_autoptr(OheJob) job = test_pop (fx->queue, ids[i]);
		test_complete (fx->queue, job);
	}
	{
		g_autoptr(OheJob) job = test_pop (fx->queue, "retry");
		test_complete (fx->queue, job);
	}
}

static void
test_job_queue_restart (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autofree gchar *dir = g_build_filename (g_get_user_state_dir (), "ohed", NULL);
	g_autofree gchar *path = g_build_filename (dir, "ohed.db", NULL);
	g_autoptr(OheStore) store = test_open_store (path);
	g_autoptr(OheJobQueue) queue = test_open_queue (store, clock);
	g_autoptr(OheJob) a = test_job ("a", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) b = test_job ("b", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) c = test_job ("c", OHE_JOB_PRIORITY_NIGHTLY);
	g_autoptr(OheJob) running = NULL;
	g_autoptr(OheJob) stored = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	const gchar *kinds[] = {"heart_rate", "spo2", NULL};
	const gchar *order[] = {"a", "b", "c"};

	ohe_job_set_kinds (b, kinds);
	ohe_job_set_window (b, TEST_START_US - 3600 * TEST_SECOND, TEST_START_US);
	ohe_job_set_reason (b, "schedule");
	ohe_job_set_dedup_key (b, "schedule:link-1");
	test_push (queue, c);
	test_push (queue, b);
	test_push (queue, a);
	running = test_pop (queue, "a");
	stored = test_stored_job (store, "a");
	g_assert_cmpint (ohe_job_get_state (stored), ==, OHE_JOB_STATE_RUNNING);
	g_clear_object (&stored);

	/* the daemon stops without finishing "a" */
	g_clear_object (&running);
	g_assert_finalize_object (g_steal_pointer (&queue));
	g_assert_finalize_object (g_steal_pointer (&store));

	store = test_open_store (path);
	queue = test_open_queue (store, clock);
	g_assert_cmpuint (ohe_job_queue_get_depth (queue), ==, 3);
	g_assert_cmpuint (ohe_job_queue_get_running (queue), ==, 0);
	jobs = ohe_store_list_jobs (store, NULL);
	g_assert_cmpuint (jobs->len, ==, 3);
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		g_assert_cmpstr (ohe_job_get_id (job), ==, order[i]);
		g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_QUEUED);
		/* an interruption is not a failed attempt */
		g_assert_cmpuint (ohe_job_get_attempts (job), ==, 0);
	}
	for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
		g_autoptr(OheJob) job = test_pop (queue, order[i]);
		if (i == 1) {
			g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (job)), ==, 2);
			g_assert_cmpstr (ohe_job_get_kinds (job)[1], ==, "spo2");
			g_assert_cmpint (ohe_job_get_window_start (job), ==,
					 TEST_START_US - 3600 * TEST_SECOND);
			g_assert_cmpstr (ohe_job_get_reason (job), ==, "schedule");
			g_assert_cmpstr (ohe_job_get_dedup_key (job), ==, "schedule:link-1");
		}
		test_complete (queue, job);
	}
	g_assert_cmpuint (test_n_stored_jobs (store), ==, 0);
}

static void
test_job_queue_backoff (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) job = test_job ("j", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) popped = NULL;
	g_autoptr(OheJob) again = NULL;
	g_autoptr(OheJob) stored = NULL;
	g_autoptr(GError) reason = NULL;
	g_autoptr(GError) error = NULL;
	gint64 now = TEST_START_US;
	gint64 delay;

	ohe_clock_set_random_seed (fx->clock, 7);
	test_push (fx->queue, job);
	popped = test_pop (fx->queue, "j");
	reason = g_error_new_literal (OHE_ERROR, OHE_ERROR_UNAVAILABLE, "provider answered 503");
	g_assert_true (ohe_job_queue_fail (fx->queue, popped, reason, &error));
	g_assert_no_error (error);

	/* first retry: uniform in [0, 30 s) */
	g_assert_cmpuint (ohe_job_get_attempts (popped), ==, 1);
	g_assert_cmpint (ohe_job_get_state (popped), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpstr (ohe_job_get_last_error (popped), ==, "Unavailable: provider answered 503");
	delay = ohe_job_get_not_before (popped) - now;
	g_assert_cmpint (delay, >=, 0);
	g_assert_cmpint (delay, <, 30 * TEST_SECOND);
	/* this seed gives a delay long enough to observe the wait */
	g_assert_cmpint (delay, >, 1);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 1);
	g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 0);
	stored = test_stored_job (fx->store, "j");
	g_assert_cmpint (ohe_job_get_state (stored), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpuint (ohe_job_get_attempts (stored), ==, 1);
	g_assert_cmpint (ohe_job_get_not_before (stored), ==, ohe_job_get_not_before (popped));
	g_assert_cmpstr (ohe_job_get_last_error (stored), ==, "Unavailable: provider answered 503");
	g_clear_object (&stored);

	/* not ready until the clock passes not-before */
	g_assert_null (test_pop (fx->queue, NULL));
	ohe_clock_advance (fx->clock, delay - 1);
	g_assert_null (test_pop (fx->queue, NULL));
	ohe_clock_advance (fx->clock, 1);
	again = test_pop (fx->queue, "j");
	g_assert_cmpuint (ohe_job_get_attempts (again), ==, 1);

	/* second retry: uniform in [0, 60 s) from now */
	now = ohe_clock_get_real (fx->clock);
	g_assert_true (ohe_job_queue_fail (fx->queue, again, reason, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_job_get_attempts (again), ==, 2);
	delay = ohe_job_get_not_before (again) - now;
	g_assert_cmpint (delay, >=, 0);
	g_assert_cmpint (delay, <, 60 * TEST_SECOND);
}

static void
test_job_queue_backoff_bounds (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	const gint64 ceilings[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};

	for (guint attempts = 1; attempts <= G_N_ELEMENTS (ceilings); attempts++) {
		gint64 ceiling = ceilings[attempts - 1] * TEST_SECOND;
		gint64 lowest = G_MAXINT64;
		gint64 highest = 0;
		for (guint i = 0; i < 2000; i++) {
			gint64 delay = ohe_job_queue_get_backoff (clock, attempts);
			lowest = MIN (lowest, delay);
			highest = MAX (highest, delay);
		}
		/* full jitter spreads over the whole range */
		g_assert_cmpint (lowest, >=, 0);
		g_assert_cmpint (lowest, <, ceiling / 50);
		g_assert_cmpint (highest, <, ceiling);
		g_assert_cmpint (highest, >, ceiling - ceiling / 50);
	}
	g_assert_cmpint (ohe_job_queue_get_backoff (clock, 1000), <, 3600 * TEST_SECOND);
}

static void
test_job_queue_dead_letter (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) job = test_job ("j", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) stored = NULL;
	g_autoptr(GError) reason = NULL;
	g_autoptr(GPtrArray) letters = NULL;
	OheDeadLetter *letter;

	ohe_job_set_max_attempts (job, 3);
	test_push (fx->queue, job);
	reason = g_error_new_literal (OHE_ERROR, OHE_ERROR_TIMEOUT, "no answer in 30 s");
	for (guint i = 1; i <= 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheJob) popped = NULL;
		/* the cap of any retry so far */
		ohe_clock_advance (fx->clock, 3600 * TEST_SECOND);
		popped = test_pop (fx->queue, "j");
		g_assert_cmpuint (ohe_job_get_attempts (popped), ==, i - 1);
		g_assert_true (ohe_job_queue_fail (fx->queue, popped, reason, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (ohe_job_get_attempts (popped), ==, i);
		g_assert_cmpint (ohe_job_get_state (popped), ==,
				 i < 3 ? OHE_JOB_STATE_QUEUED : OHE_JOB_STATE_DEAD);
	}
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 0);
	g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 0);
	ohe_clock_advance (fx->clock, 3600 * TEST_SECOND);
	g_assert_null (test_pop (fx->queue, NULL));

	letters = ohe_store_list_dead_letters (fx->store, NULL);
	g_assert_cmpuint (letters->len, ==, 1);
	letter = g_ptr_array_index (letters, 0);
	g_assert_cmpstr (ohe_dead_letter_get_job_id (letter), ==, "j");
	g_assert_cmpstr (ohe_dead_letter_get_link_id (letter), ==, "link-1");
	g_assert_null (ohe_dead_letter_get_item (letter));
	g_assert_cmpstr (ohe_dead_letter_get_reason (letter), ==, "Timeout: no answer in 30 s");

	/* the descriptor stays, marked dead, for inspection and replay */
	stored = test_stored_job (fx->store, "j");
	g_assert_nonnull (stored);
	g_assert_cmpint (ohe_job_get_state (stored), ==, OHE_JOB_STATE_DEAD);
	g_assert_cmpuint (ohe_job_get_attempts (stored), ==, 3);
	g_assert_cmpstr (ohe_job_get_last_error (stored), ==, "Timeout: no answer in 30 s");

	/* and a restart does not bring it back */
	{
		g_autoptr(OheJobQueue) queue = test_open_queue (fx->store, fx->clock);
		g_assert_cmpuint (ohe_job_queue_get_depth (queue), ==, 0);
	}
}

static void
test_job_queue_not_transient (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) job = test_job ("j", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) popped = NULL;
	g_autoptr(GError) reason = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) letters = NULL;

	test_push (fx->queue, job);
	popped = test_pop (fx->queue, "j");
	reason = g_error_new_literal (OHE_ERROR, OHE_ERROR_AUTH_REQUIRED, "invalid_grant");
	g_assert_true (ohe_job_queue_fail (fx->queue, popped, reason, &error));
	g_assert_no_error (error);
	g_assert_cmpint (ohe_job_get_state (popped), ==, OHE_JOB_STATE_DEAD);
	g_assert_cmpuint (ohe_job_get_attempts (popped), ==, 1);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 0);
	g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 0);
	letters = ohe_store_list_dead_letters (fx->store, NULL);
	g_assert_cmpuint (letters->len, ==, 1);
	g_assert_cmpstr (ohe_dead_letter_get_reason (g_ptr_array_index (letters, 0)), ==,
			 "AuthRequired: invalid_grant");
	g_clear_pointer (&letters, g_ptr_array_unref);

	/* an error of a foreign domain that is not transient */
	{
		g_autoptr(OheJob) other = test_job ("k", OHE_JOB_PRIORITY_INCREMENTAL);
		g_autoptr(OheJob) popped2 = NULL;
		g_autoptr(GError) parse = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
								"bad JSON at 1:7");
		test_push (fx->queue, other);
		popped2 = test_pop (fx->queue, "k");
		g_assert_true (ohe_job_queue_fail (fx->queue, popped2, parse, &error));
		g_assert_no_error (error);
		g_assert_cmpint (ohe_job_get_state (popped2), ==, OHE_JOB_STATE_DEAD);
	}
	letters = ohe_store_list_dead_letters (fx->store, NULL);
	g_assert_cmpuint (letters->len, ==, 2);
	g_assert_cmpstr (ohe_dead_letter_get_reason (g_ptr_array_index (letters, 1)), ==,
			 "g-io-error-quark: bad JSON at 1:7");
}

static void
test_job_queue_requeue (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) job = test_job ("j", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) later = test_job ("later", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) popped = NULL;
	g_autoptr(OheJob) stored = NULL;
	g_autoptr(GError) cancelled = NULL;
	g_autoptr(GError) error = NULL;

	ohe_job_set_created (job, TEST_START_US);
	ohe_job_set_created (later, TEST_START_US + 1);
	test_push (fx->queue, job);
	test_push (fx->queue, later);
	popped = test_pop (fx->queue, "j");
	g_assert_true (ohe_job_queue_requeue (fx->queue, popped, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_job_get_attempts (popped), ==, 0);
	g_assert_cmpint (ohe_job_get_state (popped), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 2);
	g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 0);
	stored = test_stored_job (fx->store, "j");
	g_assert_cmpint (ohe_job_get_state (stored), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpuint (ohe_job_get_attempts (stored), ==, 0);
	g_clear_object (&popped);

	/* back at its old place, before the later job; a cancellation is not a failure either */
	popped = test_pop (fx->queue, "j");
	cancelled = g_error_new_literal (OHE_ERROR, OHE_ERROR_CANCELLED, "shutting down");
	g_assert_true (ohe_job_queue_fail (fx->queue, popped, cancelled, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_job_get_attempts (popped), ==, 0);
	g_assert_cmpint (ohe_job_get_state (popped), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpint (ohe_job_get_not_before (popped), ==, 0);
	g_clear_object (&popped);
	popped = test_pop (fx->queue, "j");

	/* only a running job can be finished, and only once */
	test_complete (fx->queue, popped);
	g_assert_false (ohe_job_queue_complete (fx->queue, popped, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==, "job queue: complete: job j is not running");
	g_clear_error (&error);
	g_assert_false (ohe_job_queue_requeue (fx->queue, later, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (ohe_job_queue_fail (fx->queue, later, cancelled, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);

	/* one id, one job */
	g_assert_false (ohe_job_queue_push (fx->queue, later, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 1);
}

static void
test_job_queue_dedup (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) first = test_job ("first", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) second = test_job ("second", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) third = test_job ("third", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) other_link = test_job ("other-link", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(OheJob) popped = NULL;
	g_autoptr(OheJob) stored = NULL;
	GStrv kinds;

	/* created in this order, whatever the clock's resolution */
	ohe_job_set_created (third, TEST_START_US - 20);
	ohe_job_set_created (other_link, TEST_START_US - 10);
	ohe_job_set_dedup_key (first, "webhook:link-1");
	ohe_job_add_kind (first, "heart_rate");
	ohe_job_set_window (first, TEST_START_US - 100, TEST_START_US);
	ohe_job_set_dedup_key (second, "webhook:link-1");
	ohe_job_add_kind (second, "spo2");
	ohe_job_add_kind (second, "heart_rate");
	ohe_job_set_window (second, TEST_START_US - 50, TEST_START_US + 50);
	test_push (fx->queue, first);
	test_push (fx->queue, second);

	/* merged: one job, the union of kinds and windows, the more urgent priority */
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 1);
	g_assert_cmpstr (ohe_job_get_id (second), ==, "first");
	g_assert_cmpuint (test_n_stored_jobs (fx->store), ==, 1);
	stored = test_stored_job (fx->store, "first");
	g_assert_cmpint (ohe_job_get_priority (stored), ==, OHE_JOB_PRIORITY_REALTIME);

	/* a job of another link with the same key is not swallowed */
	ohe_job_set_link_id (other_link, "link-2");
	ohe_job_set_dedup_key (other_link, "webhook:link-1");
	ohe_job_add_kind (other_link, "steps");
	test_push (fx->queue, other_link);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 2);

	popped = test_pop (fx->queue, "first");
	g_assert_cmpint (ohe_job_get_priority (popped), ==, OHE_JOB_PRIORITY_REALTIME);
	kinds = ohe_job_get_kinds (popped);
	g_assert_cmpuint (g_strv_length (kinds), ==, 2);
	g_assert_cmpstr (kinds[0], ==, "heart_rate");
	g_assert_cmpstr (kinds[1], ==, "spo2");
	g_assert_cmpint (ohe_job_get_window_start (popped), ==, TEST_START_US - 100);
	g_assert_cmpint (ohe_job_get_window_end (popped), ==, TEST_START_US + 50);

	/* a running job may already be past the new data: the next trigger queues anew */
	ohe_job_set_dedup_key (third, "webhook:link-1");
	ohe_job_set_window (third, TEST_START_US, TEST_START_US + 100);
	test_push (fx->queue, third);
	g_assert_cmpstr (ohe_job_get_id (third), ==, "third");
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 2);
	g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 1);
	g_assert_cmpuint (test_n_stored_jobs (fx->store), ==, 3);
	test_complete (fx->queue, popped);
	/* FIFO by creation, not by push: "third" was created before "other-link" */
	{
		g_autoptr(OheJob) next = test_pop (fx->queue, "third");
		g_autoptr(OheJob) last = test_pop (fx->queue, "other-link");
		test_complete (fx->queue, next);
		test_complete (fx->queue, last);
	}
}

static void
test_job_queue_timeout (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJob) job = NULL;
	gint64 start = g_get_monotonic_time ();

	job = ohe_job_queue_pop (fx->queue, 50 * 1000, NULL, &error);
	g_assert_no_error (error);
	g_assert_null (job);
	g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * 1000);

	/* a delayed job does not end the wait early on a fake clock */
	job = test_job ("delayed", OHE_JOB_PRIORITY_REALTIME);
	ohe_job_set_not_before (job, TEST_START_US + TEST_SECOND);
	test_push (fx->queue, job);
	g_clear_object (&job);
	job = ohe_job_queue_pop (fx->queue, 20 * 1000, NULL, &error);
	g_assert_no_error (error);
	g_assert_null (job);
}

/* with the real clock, a waiting pop() wakes when the delayed job becomes ready */
static void
test_job_queue_real_delay (void)
{
	g_autoptr(OheStore) store = test_open_store (":memory:");
	g_autoptr(OheJobQueue) queue = test_open_queue (store, NULL);
	g_autoptr(OheJob) job = test_job ("delayed", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) popped = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time ();

	ohe_job_set_not_before (job, g_get_real_time () + 100 * 1000);
	test_push (queue, job);
	popped = ohe_job_queue_pop (queue, 10 * G_USEC_PER_SEC, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (popped);
	g_assert_cmpstr (ohe_job_get_id (popped), ==, "delayed");
	g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000 - 1000);
	g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
	test_complete (queue, popped);
}

typedef struct {
	OheJobQueue *queue;
	GCancellable *cancellable;
	gint64 timeout_us;
	OheJob *job;
	GError *error;
	gboolean started;
	GMutex mutex;
	GCond cond;
} PopData;

static gpointer
test_pop_thread (gpointer user_data)
{
	PopData *data = user_data;
	g_mutex_lock (&data->mutex);
	data->started = TRUE;
	g_cond_signal (&data->cond);
	g_mutex_unlock (&data->mutex);
	data->job =
	    ohe_job_queue_pop (data->queue, data->timeout_us, data->cancellable, &data->error);
	return NULL;
}

/* starts a pop() in a thread and waits until it is about to block */
static GThread *
test_pop_thread_start (PopData *data)
{
	GThread *thread;
	g_mutex_init (&data->mutex);
	g_cond_init (&data->cond);
	thread = g_thread_new ("pop", test_pop_thread, data);
	g_mutex_lock (&data->mutex);
	while (!data->started)
		g_cond_wait (&data->cond, &data->mutex);
	g_mutex_unlock (&data->mutex);
	/* give it time to reach the wait, which is what the tests are about */
	g_usleep (20 * 1000);
	return thread;
}

static void
test_pop_thread_clear (PopData *data)
{
	g_clear_object (&data->job);
	g_clear_error (&data->error);
	g_mutex_clear (&data->mutex);
	g_cond_clear (&data->cond);
}

static void
test_job_queue_cancel (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GCancellable) cancellable = g_cancellable_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJob) job = NULL;
	PopData data = {.queue = fx->queue, .timeout_us = -1};
	GThread *thread;

	/* blocked forever, ended by the cancellable */
	data.cancellable = cancellable;
	thread = test_pop_thread_start (&data);
	g_cancellable_cancel (cancellable);
	g_thread_join (thread);
	g_assert_null (data.job);
	g_assert_error (data.error, OHE_ERROR, OHE_ERROR_CANCELLED);
	test_pop_thread_clear (&data);

	/* already cancelled: at once, even with a job ready */
	job = test_job ("j", OHE_JOB_PRIORITY_REALTIME);
	test_push (fx->queue, job);
	g_clear_object (&job);
	job = ohe_job_queue_pop (fx->queue, -1, cancellable, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CANCELLED);
	g_assert_null (job);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 1);
}

static void
test_job_queue_wake (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) job = test_job ("delayed", OHE_JOB_PRIORITY_REALTIME);
	PopData data = {.queue = fx->queue, .timeout_us = 30 * G_USEC_PER_SEC};
	GThread *thread;
	gint64 start;

	/* woken with nothing ready: NULL without an error, as on shutdown, long before the
	 * timeout (which only keeps a wake that came too early from hanging the test) */
	start = g_get_monotonic_time ();
	thread = test_pop_thread_start (&data);
	ohe_job_queue_wake (fx->queue);
	g_thread_join (thread);
	g_assert_null (data.job);
	g_assert_no_error (data.error);
	g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
	test_pop_thread_clear (&data);

	/* a fake clock moves only when told: advance, then wake, and the waiting pop takes the
	 * job that became ready */
	ohe_job_set_not_before (job, TEST_START_US + 10 * TEST_SECOND);
	test_push (fx->queue, job);
	thread = test_pop_thread_start (&data);
	ohe_clock_advance (fx->clock, 10 * TEST_SECOND);
	ohe_job_queue_wake (fx->queue);
	g_thread_join (thread);
	g_assert_no_error (data.error);
	g_assert_nonnull (data.job);
	g_assert_cmpstr (ohe_job_get_id (data.job), ==, "delayed");
	test_complete (fx->queue, data.job);
	test_pop_thread_clear (&data);

	/* a push wakes a waiting pop too */
	thread = test_pop_thread_start (&data);
	g_clear_object (&job);
	job = test_job ("pushed", OHE_JOB_PRIORITY_NIGHTLY);
	test_push (fx->queue, job);
	g_thread_join (thread);
	g_assert_no_error (data.error);
	g_assert_nonnull (data.job);
	g_assert_cmpstr (ohe_job_get_id (data.job), ==, "pushed");
	test_complete (fx->queue, data.job);
	test_pop_thread_clear (&data);
}

#define TEST_N_JOBS	 1000
#define TEST_N_CONSUMERS 4

typedef struct {
	OheJobQueue *queue;
	GMutex mutex;
	GHashTable *seen; /* job id → count */
	guint n_popped;	  /* protected by mutex */
	guint n_errors;	  /* protected by mutex */
} ThreadsData;

static gpointer
test_producer_thread (gpointer user_data)
{
	ThreadsData *data = user_data;
	for (guint i = 0; i < TEST_N_JOBS; i++) {
		g_autofree gchar *id = g_strdup_printf ("job-%04u", i);
		g_autoptr(OheJob) job = test_job (id, (OheJobPriority)(i % OHE_JOB_PRIORITY_LAST));
		if (!ohe_job_queue_push (data->queue, job, NULL)) {
			g_mutex_lock (&data->mutex);
			data->n_errors++;
			g_mutex_unlock (&data->mutex);
		}
	}
	return NULL;
}

static gpointer
test_consumer_thread (gpointer user_data)
{
	ThreadsData *data = user_data;
	while (TRUE) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheJob) job = NULL;
		gboolean finished;

		g_mutex_lock (&data->mutex);
		finished = data->n_popped >= TEST_N_JOBS || data->n_errors > 0;
		g_mutex_unlock (&data->mutex);
		if (finished)
			return NULL;

		job = ohe_job_queue_pop (data->queue, 10 * 1000, NULL, &error);
		if (job == NULL) {
			if (error != NULL) {
				g_mutex_lock (&data->mutex);
				data->n_errors++;
				g_mutex_unlock (&data->mutex);
			}
			continue;
		}
		g_mutex_lock (&data->mutex);
		data->n_popped++;
		g_hash_table_insert (data->seen, g_strdup (ohe_job_get_id (job)),
				     GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
							   data->seen, ohe_job_get_id (job))) +
						       1));
		g_mutex_unlock (&data->mutex);
		if (!ohe_job_queue_complete (data->queue, job, NULL)) {
			g_mutex_lock (&data->mutex);
			data->n_errors++;
			g_mutex_unlock (&data->mutex);
		}
	}
}

static void
test_job_queue_threads (Fixture *fx, gconstpointer user_data)
{
	ThreadsData data = {.queue = fx->queue};
	GThread *consumers[TEST_N_CONSUMERS];
	GThread *producer;
	GHashTableIter iter;
	gpointer value;

	g_mutex_init (&data.mutex);
	data.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < TEST_N_CONSUMERS; i++)
		consumers[i] = g_thread_new ("consumer", test_consumer_thread, &data);
	producer = g_thread_new ("producer", test_producer_thread, &data);
	g_thread_join (producer);
	for (guint i = 0; i < TEST_N_CONSUMERS; i++)
		g_thread_join (consumers[i]);

	g_assert_cmpuint (data.n_errors, ==, 0);
	g_assert_cmpuint (data.n_popped, ==, TEST_N_JOBS);
	g_assert_cmpuint (g_hash_table_size (data.seen), ==, TEST_N_JOBS);
	g_hash_table_iter_init (&iter, data.seen);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 0);
	g_assert_cmpuint (ohe_job_queue_get_running (fx->queue), ==, 0);
	g_assert_cmpuint (test_n_stored_jobs (fx->store), ==, 0);
	g_hash_table_unref (data.seen);
	g_mutex_clear (&data.mutex);
}

/* one running job per link: a second job of the same link waits for the first,
 * jobs of other links do not */
static void
test_job_queue_one_per_link (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(OheJob) first = test_job ("first", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) second = test_job ("second", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) other = ohe_job_new ("link-2", "withings", OHE_JOB_PRIORITY_NIGHTLY);
	g_autoptr(OheJob) running = NULL;
	g_autoptr(OheJob) next = NULL;
	g_autoptr(OheJob) last = NULL;

	ohe_job_set_id (other, "other");
	/* different windows, so the queue does not merge them */
	ohe_job_set_window (first, 1000, 2000);
	ohe_job_set_window (second, 3000, 4000);
	test_push (fx->queue, first);
	test_push (fx->queue, second);
	test_push (fx->queue, other);

	running = test_pop (fx->queue, "first");
	/* link-1 is busy: the nightly job of link-2 goes ahead of "second" */
	next = test_pop (fx->queue, "other");
	test_complete (fx->queue, next);
	g_assert_null (test_pop (fx->queue, NULL));
	g_assert_cmpuint (ohe_job_queue_get_depth (fx->queue), ==, 1);
	test_complete (fx->queue, running);
	last = test_pop (fx->queue, "second");
	test_complete (fx->queue, last);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/job-queue/strings", test_job_queue_strings);
	g_test_add_func ("/job-queue/job-defaults", test_job_queue_job_defaults);
	g_test_add ("/job-queue/priorities", Fixture, NULL, fixture_setup,
		    test_job_queue_priorities, fixture_teardown);
	g_test_add ("/job-queue/one-per-link", Fixture, NULL, fixture_setup,
		    test_job_queue_one_per_link, fixture_teardown);
	g_test_add ("/job-queue/fifo", Fixture, NULL, fixture_setup, test_job_queue_fifo,
		    fixture_teardown);
	g_test_add_func ("/job-queue/restart", test_job_queue_restart);
	g_test_add ("/job-queue/backoff", Fixture, NULL, fixture_setup, test_job_queue_backoff,
		    fixture_teardown);
	g_test_add_func ("/job-queue/backoff-bounds", test_job_queue_backoff_bounds);
	g_test_add ("/job-queue/dead-letter", Fixture, NULL, fixture_setup,
		    test_job_queue_dead_letter, fixture_teardown);
	g_test_add ("/job-queue/not-transient", Fixture, NULL, fixture_setup,
		    test_job_queue_not_transient, fixture_teardown);
	g_test_add ("/job-queue/requeue", Fixture, NULL, fixture_setup, test_job_queue_requeue,
		    fixture_teardown);
	g_test_add ("/job-queue/dedup", Fixture, NULL, fixture_setup, test_job_queue_dedup,
		    fixture_teardown);
	g_test_add ("/job-queue/timeout", Fixture, NULL, fixture_setup, test_job_queue_timeout,
		    fixture_teardown);
	g_test_add_func ("/job-queue/real-delay", test_job_queue_real_delay);
	g_test_add ("/job-queue/cancel", Fixture, NULL, fixture_setup, test_job_queue_cancel,
		    fixture_teardown);
	g_test_add ("/job-queue/wake", Fixture, NULL, fixture_setup, test_job_queue_wake,
		    fixture_teardown);
	g_test_add ("/job-queue/threads", Fixture, NULL, fixture_setup, test_job_queue_threads,
		    fixture_teardown);
	return g_test_run ();
}
