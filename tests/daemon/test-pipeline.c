/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ohe-engine.h"

/* 2026-11-01T00:00:00Z */
#define WINDOW_START G_GINT64_CONSTANT (1793491200000000)

typedef struct {
	gchar *tmpdir;
	gchar *record_path;
	OheConfig *config;
	OheEngine *engine;
} Fixture;

static void
fixture_set (Fixture *fx, const gchar *group, const gchar *key, const gchar *value)
{
	ohe_config_set_string (fx->config, group, key, value);
}

static void
fixture_setup (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *db = NULL;

	fx->tmpdir = g_dir_make_tmp ("ohe-pipeline-XXXXXX", &error);
	g_assert_no_error (error);
	db = g_build_filename (fx->tmpdir, "ohed.db", NULL);
	fx->record_path = g_build_filename (fx->tmpdir, "records.txt", NULL);
	fx->config = ohe_config_new ();
	fixture_set (fx, "daemon", "plugin_dir", g_getenv ("OHE_TEST_PLUGIN_DIR"));
	fixture_set (fx, "daemon", "sink", "nullsink");
	fixture_set (fx, "daemon", "state_dir", fx->tmpdir);
	fixture_set (fx, "store", "sqlite_path", db);
	fixture_set (fx, "store", "schema_dir", OHE_SOURCE_SCHEMADIR);
	fixture_set (fx, "plugin:synthetic", "count", "2000");
	fixture_set (fx, "plugin:synthetic", "batch_size", "100");
	fixture_set (fx, "plugin:nullsink", "record_path", fx->record_path);
	fx->engine = ohe_engine_new (fx->config);
	g_assert_true (ohe_engine_setup (fx->engine, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (
	    ohe_store_add_user (ohe_engine_get_store (fx->engine), "u1", "Patient/p1", &error));
	g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *db = g_build_filename (fx->tmpdir, "ohed.db", NULL);
	g_autofree gchar *wal = g_strdup_printf ("%s-wal", db);
	g_autofree gchar *shm = g_strdup_printf ("%s-shm", db);
	g_assert_finalize_object (fx->engine);
	g_assert_finalize_object (fx->config);
	g_unlink (fx->record_path);
	g_unlink (db);
	g_unlink (wal);
	g_unlink (shm);
	g_rmdir (fx->tmpdir);
	g_free (fx->tmpdir);
	g_free (fx->record_path);
}

static gchar *
fixture_add_link (Fixture *fx, const gchar *user, const gchar *kinds)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheLink) link = ohe_link_new (user, "synthetic");
	g_auto(GStrv) kind_list = g_strsplit (kinds, ",", -1);
	ohe_link_set_kinds (link, (const gchar *const *)kind_list);
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	g_assert_true (ohe_store_add_link (ohe_engine_get_store (fx->engine), link, &error));
	g_assert_no_error (error);
	return g_strdup (ohe_link_get_id (link));
}

static OheJob *
fixture_new_job (const gchar *link_id)
{
	OheJob *job = ohe_job_new (link_id, "synthetic", OHE_JOB_PRIORITY_INCREMENTAL);
	ohe_job_set_window (job, WINDOW_START, WINDOW_START + G_TIME_SPAN_DAY * 3);
	return job;
}

/* the cursor of a window job, which lives while the job is unfinished */
static gchar *
fixture_cursor (Fixture *fx, OheJob *job)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *stream = ohe_sync_pipeline_dup_stream (job);
	gchar *cursor = ohe_store_get_cursor (ohe_engine_get_store (fx->engine),
					      ohe_job_get_link_id (job), stream, &error);
	g_assert_no_error (error);
	return cursor;
}

/* native ids the sink recorded: id → times seen */
static GHashTable *
fixture_records (Fixture *fx)
{
	GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents (fx->record_path, &text, NULL, NULL))
		return seen;
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		guint n;
		if (lines[i][0] == '\0')
			continue;
		n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, lines[i]));
		g_hash_table_insert (seen, g_strdup (lines[i]), GUINT_TO_POINTER (n + 1));
	}
	return seen;
}

static gint64
fixture_outcome (Fixture *fx, OheJob *job, const gchar *kind, const gchar *outcome)
{
	g_autoptr(GError) error = NULL;
	gint64 count = ohe_store_get_job_outcome (ohe_engine_get_store (fx->engine),
						  ohe_job_get_id (job), kind, outcome, &error);
	g_assert_no_error (error);
	return count;
}

static void
test_pipeline_end_to_end (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) seen = NULL;
	g_autofree gchar *cursor = NULL;
	OheSyncStats stats = {0};

	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 2000);
	g_assert_cmpuint (stats.written, ==, 2000);
	g_assert_cmpuint (stats.refused, ==, 0);
	g_assert_cmpuint (stats.batches, ==, 20);
	g_assert_cmpstr (stats.cursor, ==, "2000");
	/* the window is done: its cursor is gone, the link's own was never touched */
	cursor = fixture_cursor (fx, job);
	g_assert_null (cursor);
	g_assert_cmpfloat (ohe_metrics_get_value (ohe_engine_get_metrics (fx->engine),
						  "ohe_nullsink_accepted_total",
						  (const gchar *const[]){NULL}),
			   ==, 2000);
	seen = fixture_records (fx);
	g_assert_cmpuint (g_hash_table_size (seen), ==, 2000);
	g_assert_true (g_hash_table_contains (seen, "syn-0"));
	g_assert_true (g_hash_table_contains (seen, "syn-1999"));
	ohe_sync_stats_clear (&stats);
}

static void
test_pipeline_refused_and_rejected (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	OheSyncStats stats = {0};
	guint shaper_refused = 0;
	guint sink_rejected = 0;

	/* every 10th sample has no value; the sink rejects every 7th item it gets */
	fixture_set (fx, "plugin:synthetic", "invalid_every", "10");
	fixture_set (fx, "plugin:nullsink", "reject_every", "7");
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	/* per batch of 100: 10 refused, 90 pushed of which 12 rejected */
	g_assert_cmpuint (stats.refused, ==, 20 * (10 + 12));
	g_assert_cmpuint (stats.written, ==, 20 * 78);

	dead = ohe_store_list_dead_letters (ohe_engine_get_store (fx->engine), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (dead->len, ==, 440);
	for (guint i = 0; i < dead->len; i++) {
		OheDeadLetter *letter = g_ptr_array_index (dead, i);
		const gchar *reason = ohe_dead_letter_get_reason (letter);
		g_assert_cmpstr (ohe_dead_letter_get_link_id (letter), ==, link_id);
		g_assert_cmpstr (ohe_dead_letter_get_job_id (letter), ==, ohe_job_get_id (job));
		g_assert_true (
		    g_str_has_prefix (ohe_dead_letter_get_item (letter), "heart_rate@2026-11-"));
		if (g_strcmp0 (reason,
			       "heart_rate measurement has neither a value nor statistics") == 0)
			shaper_refused++;
		else if (g_strcmp0 (reason, "rejected by configuration") == 0)
			sink_rejected++;
		else
			g_error ("unexpected dead letter reason: %s", reason);
	}
	g_assert_cmpuint (shaper_refused, ==, 200);
	g_assert_cmpuint (sink_rejected, ==, 240);
	ohe_sync_stats_clear (&stats);
}

/* a failure mid-window keeps the cursor at the last acknowledged batch, and
 * the retry delivers the rest: nothing lost, nothing sent twice */
static void
test_pipeline_resume_after_failure (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) seen = NULL;
	g_autofree gchar *cursor = NULL;
	g_autofree gchar *cursor2 = NULL;
	OheSyncStats stats = {0};
	GHashTableIter iter;
	gpointer count;

	fixture_set (fx, "plugin:synthetic", "fail_at", "1050");
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_nonnull (strstr (error->message, "fetch from synthetic: synthetic cloud failed"));
	g_clear_error (&error);
	cursor = fixture_cursor (fx, job);
	g_assert_cmpstr (cursor, ==, "1000");
	/* the stats and the job record report what was acknowledged, not what was fetched */
	g_assert_cmpuint (stats.written, ==, 1000);
	g_assert_cmpuint (stats.written_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==, 1000);
	g_assert_cmpuint (stats.fetched_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==, 1000);
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "written"), ==, 1000);
	ohe_sync_stats_clear (&stats);

	fixture_set (fx, "plugin:synthetic", "fail_at", "-1");
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 1000);
	g_assert_cmpstr (stats.cursor, ==, "2000");
	/* the attempts of one job add up in its record */
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "written"), ==, 2000);
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "fetched"), ==, 2000);
	cursor2 = fixture_cursor (fx, job);
	g_assert_null (cursor2);

	seen = fixture_records (fx);
	g_assert_cmpuint (g_hash_table_size (seen), ==, 2000);
	g_hash_table_iter_init (&iter, seen);
	while (g_hash_table_iter_next (&iter, NULL, &count))
		g_assert_cmpuint (GPOINTER_TO_UINT (count), ==, 1);
	ohe_sync_stats_clear (&stats);
}

static void
test_pipeline_sink_failure (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cursor = NULL;
	g_autofree gchar *cursor2 = NULL;
	OheSyncStats stats = {0};

	fixture_set (fx, "plugin:nullsink", "fail_pushes", "1");
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_nonnull (
	    strstr (error->message, "push to nullsink: null sink configured to fail"));
	g_assert_true (ohe_error_is_transient (error));
	g_clear_error (&error);
	cursor = fixture_cursor (fx, job);
	g_assert_null (cursor);
	g_assert_cmpuint (stats.written, ==, 0);
	ohe_sync_stats_clear (&stats);

	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.written, ==, 2000);
	g_assert_cmpstr (stats.cursor, ==, "2000");
	cursor2 = fixture_cursor (fx, job);
	g_assert_null (cursor2);
	ohe_sync_stats_clear (&stats);
}

/* a slow sink holds the provider back: the queues never exceed their depth */
static void
test_pipeline_backpressure (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	OheSyncStats stats = {0};

	fixture_set (fx, "daemon", "pipeline_depth", "2");
	fixture_set (fx, "plugin:synthetic", "count", "6000");
	fixture_set (fx, "plugin:nullsink", "delay_us", "3000");
	fixture_set (fx, "plugin:nullsink", "record_path", "");
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.written, ==, 6000);
	g_assert_cmpuint (stats.batches, ==, 60);
	g_assert_cmpuint (stats.fetch_queue_high_water, <=, 2);
	g_assert_cmpuint (stats.push_queue_high_water, <=, 2);
	g_assert_cmpuint (stats.fetch_queue_high_water, >=, 1);
	/* the provider spent most of the run waiting for the sink */
	g_assert_cmpint (stats.fetch_blocked_us, >, 60 * 3000 / 2);
	ohe_sync_stats_clear (&stats);
}

/* the link consents to no kind the provider delivers: nothing asked, nothing fetched */
static void
test_pipeline_nothing_asked (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "steps,body_weight");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	OheSyncStats stats = {0};

	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (stats.nothing_asked);
	g_assert_cmpuint (stats.fetched, ==, 0);
	g_assert_cmpuint (stats.batches, ==, 0);
	{
		g_autoptr(GHashTable) seen = fixture_records (fx);
		g_assert_cmpuint (g_hash_table_size (seen), ==, 0);
	}
	ohe_sync_stats_clear (&stats);
}

/* the provider returns heart rate the user did not consent to: filtered, counted, no dead letter */
static void
test_pipeline_consent (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "steps");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	OheSyncStats stats = {0};

	/* a job may ask for more than the link consents to; the shaper holds the line */
	ohe_job_set_kinds (job, (const gchar *const[]){"heart_rate", NULL});
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_false (stats.nothing_asked);
	g_assert_cmpuint (stats.fetched, ==, 2000);
	g_assert_cmpuint (stats.written, ==, 0);
	g_assert_cmpuint (stats.refused, ==, 0);
	g_assert_cmpuint (stats.filtered, ==, 2000);
	g_assert_cmpuint (stats.filtered_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==, 2000);
	g_assert_cmpstr (stats.filter_reason_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==,
			 OHE_PUSH_REASON_NOT_CONSENTED);
	g_assert_cmpuint (stats.batches, ==, 20);
	dead = ohe_store_list_dead_letters (ohe_engine_get_store (fx->engine), &error);
	g_assert_cmpuint (dead->len, ==, 0);
	{
		g_autoptr(GHashTable) seen = fixture_records (fx);
		g_assert_cmpuint (g_hash_table_size (seen), ==, 0);
	}
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "filtered"), ==, 2000);
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "written"), ==, 0);
	ohe_sync_stats_clear (&stats);
}

/* a kind the sink does not map is filtered "not mapped": acknowledged, counted, no dead letter */
static void
test_pipeline_sink_not_mapped (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	g_autofree gchar *cursor = NULL;
	OheSyncStats stats = {0};

	fixture_set (fx, "plugin:nullsink", "unmapped_kinds", "steps,heart_rate");
	/* logged once for the job and kind, with the count, not once per batch */
	g_test_expect_message ("ohed", G_LOG_LEVEL_MESSAGE,
			       "job *: 2000 heart_rate measurements filtered: not mapped");
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 2000);
	g_assert_cmpuint (stats.written, ==, 0);
	g_assert_cmpuint (stats.filtered, ==, 2000);
	g_assert_cmpstr (stats.filter_reason_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==,
			 OHE_PUSH_REASON_NOT_MAPPED);
	g_assert_cmpstr (stats.cursor, ==, "2000");
	cursor = fixture_cursor (fx, job);
	g_assert_null (cursor);
	dead = ohe_store_list_dead_letters (ohe_engine_get_store (fx->engine), &error);
	g_assert_cmpuint (dead->len, ==, 0);
	g_assert_cmpfloat (
	    ohe_metrics_get_value (ohe_engine_get_metrics (fx->engine),
				   "ohe_sync_measurements_by_kind_total",
				   OHE_METRICS_LABELS ("synthetic", "heart_rate", "filtered")),
	    ==, 2000);
	ohe_sync_stats_clear (&stats);
}

/* written + refused + filtered = fetched, per kind, in the stats and the job record */
static void
test_pipeline_accounting (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	OheSyncStats stats = {0};
	const OheMeasurementKind hr = OHE_MEASUREMENT_KIND_HEART_RATE;

	fixture_set (fx, "plugin:synthetic", "invalid_every", "10");
	fixture_set (fx, "plugin:nullsink", "reject_every", "7");
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 2000);
	g_assert_cmpuint (stats.written + stats.refused + stats.filtered, ==, stats.fetched);
	g_assert_cmpuint (stats.fetched_by_kind[hr], ==, 2000);
	g_assert_cmpuint (stats.written_by_kind[hr], ==, 20 * 78);
	g_assert_cmpuint (stats.refused_by_kind[hr], ==, 20 * 22);
	g_assert_cmpuint (stats.filtered_by_kind[hr], ==, 0);
	for (guint k = 0; k < OHE_MEASUREMENT_KIND_LAST; k++) {
		if (k != hr)
			g_assert_cmpuint (stats.fetched_by_kind[k], ==, 0);
	}
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "fetched"), ==, 2000);
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "written"), ==, 20 * 78);
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "refused"), ==, 20 * 22);
	g_assert_cmpint (fixture_outcome (fx, job, "heart_rate", "filtered"), ==, 0);
	g_assert_cmpint (fixture_outcome (fx, job, "steps", "fetched"), ==, 0);
	ohe_sync_stats_clear (&stats);
}

/* a sink that leaves items without an outcome fails the job loudly; nothing is acknowledged */
static void
test_pipeline_invariant_broken (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cursor = NULL;
	OheSyncStats stats = {0};

	fixture_set (fx, "plugin:nullsink", "forget_every", "30");
	g_test_expect_message ("ohed", G_LOG_LEVEL_CRITICAL,
			       "*batch accounting broken (sink nullsink): fetched 100, written 97 "
			       "+ refused 0 + filtered 0, 3 items without an outcome*");
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_test_assert_expected_messages ();
	g_assert_error (error, OHE_ERROR, OHE_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, "3 items without an outcome"));
	cursor = fixture_cursor (fx, job);
	g_assert_null (cursor);
	g_assert_cmpuint (stats.fetched, >=, 100);
	g_assert_cmpuint (stats.written, ==, 0);
	g_assert_cmpuint (stats.batches, ==, 0);
	ohe_sync_stats_clear (&stats);
}

static gpointer
cancel_later_thread (gpointer user_data)
{
	g_usleep (150 * 1000);
	g_cancellable_cancel (G_CANCELLABLE (user_data));
	return NULL;
}

/* cancelling mid-job (what SIGTERM does) stops every stage; the cursor
 * stands exactly at what the sink acknowledged */
static void
test_pipeline_cancel (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new ();
	g_autoptr(GHashTable) seen = NULL;
	g_autofree gchar *cursor = NULL;
	OheSyncStats stats = {0};
	guint64 cursor_value = 0;
	GThread *thread;

	fixture_set (fx, "plugin:nullsink", "delay_us", "20000");
	thread = g_thread_new ("cancel", cancel_later_thread, cancellable);
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, cancellable, &error));
	g_thread_join (thread);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CANCELLED);
	cursor = fixture_cursor (fx, job);
	g_assert_nonnull (cursor);
	g_assert_true (g_ascii_string_to_unsigned (cursor, 10, 0, 2000, &cursor_value, NULL));
	g_assert_cmpuint (cursor_value, >, 0);
	g_assert_cmpuint (cursor_value, <, 2000);
	g_assert_cmpuint (cursor_value % 100, ==, 0);
	seen = fixture_records (fx);
	g_assert_cmpuint (g_hash_table_size (seen), ==, cursor_value);
	g_assert_cmpuint (stats.written, ==, cursor_value);
	ohe_sync_stats_clear (&stats);
}

/* the worker threads take queued jobs, run them and complete them */
static void
test_engine_workers (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autofree gchar *link_ids[3] = {NULL};
	const gchar *users[] = {"u1", "u2", "u3"};

	fixture_set (fx, "daemon", "workers", "2");
	for (guint i = 0; i < G_N_ELEMENTS (users); i++) {
		g_autoptr(OheJob) job = NULL;
		if (i > 0)
			g_assert_true (ohe_store_add_user (ohe_engine_get_store (fx->engine),
							   users[i], "Patient/px", &error));
		link_ids[i] = fixture_add_link (fx, users[i], "heart_rate");
		job = fixture_new_job (link_ids[i]);
		g_assert_true (ohe_job_queue_push (ohe_engine_get_queue (fx->engine), job, &error));
		g_assert_no_error (error);
	}
	g_assert_true (ohe_engine_start (fx->engine, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_engine_wait_idle (fx->engine, 60 * G_USEC_PER_SEC));
	ohe_engine_stop (fx->engine);

	g_assert_cmpuint (ohe_engine_get_jobs_done (fx->engine), ==, 3);
	for (guint i = 0; i < G_N_ELEMENTS (users); i++) {
		g_autofree gchar *cursor = ohe_store_get_cursor (ohe_engine_get_store (fx->engine),
								 link_ids[i], "default", NULL);
		/* window jobs leave the link's incremental cursor alone */
		g_assert_null (cursor);
	}
	{
		g_autoptr(GHashTable) seen = fixture_records (fx);
		/* three links, the same synthetic ids: each id three times */
		g_assert_cmpuint (g_hash_table_size (seen), ==, 2000);
		g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, "syn-1999")), ==, 3);
	}
	jobs = ohe_store_list_jobs (ohe_engine_get_store (fx->engine), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 0);
	g_assert_cmpfloat (ohe_metrics_get_value (ohe_engine_get_metrics (fx->engine),
						  "ohe_sync_jobs_total",
						  OHE_METRICS_LABELS ("synthetic", "done")),
			   ==, 3);
	g_assert_cmpfloat (ohe_metrics_get_value (ohe_engine_get_metrics (fx->engine),
						  "ohe_sync_measurements_total",
						  OHE_METRICS_LABELS ("synthetic", "written")),
			   ==, 6000);
	for (guint i = 0; i < G_N_ELEMENTS (link_ids); i++)
		g_clear_pointer (&link_ids[i], g_free);
}

/* a failing job goes back to the queue with a backoff, not lost */
static void
test_engine_failed_job_retried (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	OheJob *stored;

	fixture_set (fx, "plugin:nullsink", "fail_pushes", "1");
	g_assert_true (ohe_job_queue_push (ohe_engine_get_queue (fx->engine), job, &error));
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
			       "job * failed: push to nullsink: null sink configured to fail");
	g_assert_true (ohe_engine_start (fx->engine, &error));
	/* idle means no job is ready: the failed one waits for its retry */
	g_assert_true (ohe_engine_wait_idle (fx->engine, 60 * G_USEC_PER_SEC));
	ohe_engine_stop (fx->engine);
	g_test_assert_expected_messages ();

	jobs = ohe_store_list_jobs (ohe_engine_get_store (fx->engine), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 1);
	stored = g_ptr_array_index (jobs, 0);
	g_assert_cmpint (ohe_job_get_state (stored), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpuint (ohe_job_get_attempts (stored), ==, 1);
	g_assert_cmpint (ohe_job_get_not_before (stored), >, g_get_real_time ());
	g_assert_nonnull (strstr (ohe_job_get_last_error (stored), "null sink configured to fail"));
}

/* a revoked grant or a retired API is not retried: the link waits for consent */
static void
test_pipeline_needs_reconsent (Fixture *fx, gconstpointer user_data)
{
	const gchar *errors[] = {"auth_required", "gone"};

	for (guint i = 0; i < G_N_ELEMENTS (errors); i++) {
		g_autofree gchar *user = g_strdup_printf ("u-%u", i);
		g_autofree gchar *link_id = NULL;
		g_autoptr(OheJob) job = NULL;
		g_autoptr(OheLink) link = NULL;
		g_autoptr(GPtrArray) audit = NULL;
		g_autoptr(GError) error = NULL;
		OheSyncStats stats = {0};

		g_assert_true (ohe_store_add_user (ohe_engine_get_store (fx->engine), user,
						   "Patient/p", &error));
		link_id = fixture_add_link (fx, user, "heart_rate");
		job = fixture_new_job (link_id);
		fixture_set (fx, "plugin:synthetic", "fail_at", "0");
		fixture_set (fx, "plugin:synthetic", "fail_error", errors[i]);
		g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
		g_assert_false (ohe_error_is_transient (error));
		g_clear_error (&error);
		link = ohe_store_get_link (ohe_engine_get_store (fx->engine), link_id, &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_link_get_state (link), ==, OHE_LINK_STATE_NEEDS_RECONSENT);
		audit = ohe_store_list_audit (ohe_engine_get_store (fx->engine), 1, &error);
		g_assert_no_error (error);
		g_assert_cmpuint (audit->len, ==, 1);
		g_assert_cmpstr (ohe_audit_entry_get_action (g_ptr_array_index (audit, 0)), ==,
				 "link-needs-reconsent");
		ohe_sync_stats_clear (&stats);
	}
}

/* a window job fetches its whole window whatever the link's cursor says, and
 * leaves that cursor alone; a job without a window continues from it */
static void
test_pipeline_window_and_link_cursor (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) window_job = fixture_new_job (link_id);
	g_autoptr(OheJob) incremental =
		       ohe_job_new (link_id, "synthetic", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *link_cursor = NULL;
	g_autofree gchar *link_cursor2 = NULL;
	OheStore *store = ohe_engine_get_store (fx->engine);
	OheSyncStats stats = {0};

	g_assert_true (ohe_store_set_cursor (store, link_id, "default", "1500", &error));
	g_assert_true (ohe_engine_run_job (fx->engine, window_job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 2000);
	link_cursor = ohe_store_get_cursor (store, link_id, "default", &error);
	g_assert_cmpstr (link_cursor, ==, "1500");
	ohe_sync_stats_clear (&stats);

	g_assert_true (ohe_engine_run_job (fx->engine, incremental, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 500);
	link_cursor2 = ohe_store_get_cursor (store, link_id, "default", &error);
	g_assert_cmpstr (link_cursor2, ==, "2000");
	ohe_sync_stats_clear (&stats);
}

/* only an active link syncs: nothing is fetched for a pending or revoked one */
static void
test_pipeline_inactive_link (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) seen = NULL;
	OheSyncStats stats = {0};

	g_assert_true (ohe_store_update_link_state (ohe_engine_get_store (fx->engine), link_id,
						    OHE_LINK_STATE_REVOKED, &error));
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_nonnull (strstr (error->message, "is revoked, not active"));
	g_assert_false (ohe_error_is_transient (error));
	g_assert_cmpuint (stats.fetched, ==, 0);
	seen = fixture_records (fx);
	g_assert_cmpuint (g_hash_table_size (seen), ==, 0);
}

/* a retried batch meets the same refused items again: one dead letter each */
static void
test_pipeline_dead_letters_once (Fixture *fx, gconstpointer user_data)
{
	g_autofree gchar *link_id = fixture_add_link (fx, "u1", "heart_rate");
	g_autoptr(OheJob) job = fixture_new_job (link_id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	OheSyncStats stats = {0};

	fixture_set (fx, "plugin:synthetic", "invalid_every", "10");
	fixture_set (fx, "plugin:synthetic", "fail_at", "1050");
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_clear_error (&error);
	ohe_sync_stats_clear (&stats);
	/* a retry from the start, e.g. after the cursor was lost */
	{
		g_autofree gchar *stream = ohe_sync_pipeline_dup_stream (job);
		g_assert_true (ohe_store_set_cursor (ohe_engine_get_store (fx->engine), link_id,
						     stream, NULL, &error));
	}
	fixture_set (fx, "plugin:synthetic", "fail_at", "-1");
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	dead = ohe_store_list_dead_letters (ohe_engine_get_store (fx->engine), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (dead->len, ==, 200);
	ohe_sync_stats_clear (&stats);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add ("/pipeline/end-to-end", Fixture, NULL, fixture_setup, test_pipeline_end_to_end,
		    fixture_teardown);
	g_test_add ("/pipeline/refused-and-rejected", Fixture, NULL, fixture_setup,
		    test_pipeline_refused_and_rejected, fixture_teardown);
	g_test_add ("/pipeline/resume-after-failure", Fixture, NULL, fixture_setup,
		    test_pipeline_resume_after_failure, fixture_teardown);
	g_test_add ("/pipeline/sink-failure", Fixture, NULL, fixture_setup,
		    test_pipeline_sink_failure, fixture_teardown);
	g_test_add ("/pipeline/backpressure", Fixture, NULL, fixture_setup,
		    test_pipeline_backpressure, fixture_teardown);
	g_test_add ("/pipeline/consent", Fixture, NULL, fixture_setup, test_pipeline_consent,
		    fixture_teardown);
	g_test_add ("/pipeline/nothing-asked", Fixture, NULL, fixture_setup,
		    test_pipeline_nothing_asked, fixture_teardown);
	g_test_add ("/pipeline/sink-not-mapped", Fixture, NULL, fixture_setup,
		    test_pipeline_sink_not_mapped, fixture_teardown);
	g_test_add ("/pipeline/accounting", Fixture, NULL, fixture_setup, test_pipeline_accounting,
		    fixture_teardown);
	g_test_add ("/pipeline/invariant-broken", Fixture, NULL, fixture_setup,
		    test_pipeline_invariant_broken, fixture_teardown);
	g_test_add ("/pipeline/cancel", Fixture, NULL, fixture_setup, test_pipeline_cancel,
		    fixture_teardown);
	g_test_add ("/pipeline/needs-reconsent", Fixture, NULL, fixture_setup,
		    test_pipeline_needs_reconsent, fixture_teardown);
	g_test_add ("/pipeline/window-and-link-cursor", Fixture, NULL, fixture_setup,
		    test_pipeline_window_and_link_cursor, fixture_teardown);
	g_test_add ("/pipeline/inactive-link", Fixture, NULL, fixture_setup,
		    test_pipeline_inactive_link, fixture_teardown);
	g_test_add ("/pipeline/dead-letters-once", Fixture, NULL, fixture_setup,
		    test_pipeline_dead_letters_once, fixture_teardown);
	g_test_add ("/engine/workers", Fixture, NULL, fixture_setup, test_engine_workers,
		    fixture_teardown);
	g_test_add ("/engine/failed-job-retried", Fixture, NULL, fixture_setup,
		    test_engine_failed_job_retried, fixture_teardown);
	return g_test_run ();
}
