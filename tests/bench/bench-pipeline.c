/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

#include "ohe-engine.h"

/*
 * The pipeline alone: the synthetic provider streams N heart-rate samples
 * through fetch → shape → push into the null sink, on a SQLite store in a
 * scratch directory. Prints measurements per second and the peak RSS, which
 * must stay flat as N grows: the bounded queues hold at most
 * pipeline_depth batches per stage whatever the window.
 *
 * Usage: bench-pipeline [COUNT...] (default 100000 1000000); with
 * OHE_BENCH_AGGREGATION=hourly the user's samples become hourly aggregates.
 */
static gboolean
bench_run (guint64 count, GError **error)
{
	g_autofree gchar *tmpdir = g_dir_make_tmp ("ohe-bench-XXXXXX", error);
	g_autofree gchar *db = NULL;
	g_autofree gchar *count_text = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(OheEngine) engine = NULL;
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheJob) job = NULL;
	OheSyncStats stats = {0};
	struct rusage usage;
	gint64 started;
	gdouble seconds;

	if (tmpdir == NULL)
		return FALSE;
	db = g_build_filename (tmpdir, "ohed.db", NULL);
	ohe_config_set_string (config, "daemon", "plugin_dir", g_getenv ("OHE_TEST_PLUGIN_DIR"));
	ohe_config_set_string (config, "daemon", "sink", "nullsink");
	ohe_config_set_string (config, "daemon", "state_dir", tmpdir);
	ohe_config_set_string (config, "store", "sqlite_path", db);
	ohe_config_set_string (config, "store", "schema_dir", OHE_SOURCE_SCHEMADIR);
	ohe_config_set_string (config, "plugin:synthetic", "count", count_text);
	ohe_config_set_string (config, "plugin:synthetic", "batch_size", "500");
	ohe_config_set_string (config, "plugin:synthetic", "interval_s", "1");
	engine = ohe_engine_new (config);
	if (!ohe_engine_setup (engine, NULL, error))
		return FALSE;
	if (!ohe_store_add_user (ohe_engine_get_store (engine), "bench", "Patient/bench", error))
		return FALSE;
	if (g_getenv ("OHE_BENCH_AGGREGATION") != NULL &&
	    !ohe_store_set_user_aggregation (ohe_engine_get_store (engine), "bench",
					     g_getenv ("OHE_BENCH_AGGREGATION"), error))
		return FALSE;
	link = ohe_link_new ("bench", "synthetic");
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	if (!ohe_store_add_link (ohe_engine_get_store (engine), link, error))
		return FALSE;
	job = ohe_job_new (ohe_link_get_id (link), "synthetic", OHE_JOB_PRIORITY_BACKFILL);
	ohe_job_set_window (job, G_GINT64_CONSTANT (1793491200000000),
			    G_GINT64_CONSTANT (1793491200000000) + 30 * G_TIME_SPAN_DAY);

	started = g_get_monotonic_time ();
	if (!ohe_engine_run_job (engine, job, &stats, NULL, error))
		return FALSE;
	seconds = (gdouble)(g_get_monotonic_time () - started) / G_USEC_PER_SEC;
	getrusage (RUSAGE_SELF, &usage);
	g_print ("pipeline: %" G_GUINT64_FORMAT " measurements in %.2f s = %.0f measurements/s, "
		 "%" G_GUINT64_FORMAT " batches, peak RSS %ld KiB, queue high water %u/%u, "
		 "%" G_GUINT64_FORMAT " hourly aggregates\n",
		 stats.written, seconds, stats.written / seconds, stats.batches, usage.ru_maxrss,
		 stats.fetch_queue_high_water, stats.push_queue_high_water, stats.aggregates);
	if (stats.written != count) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED,
			     "expected %" G_GUINT64_FORMAT " accepted, got %" G_GUINT64_FORMAT,
			     count, stats.written);
		return FALSE;
	}
	ohe_sync_stats_clear (&stats);
	g_clear_object (&engine);
	for (const gchar *const *suffix = (const gchar *const[]){"", "-wal", "-shm", NULL};
	     *suffix != NULL; suffix++) {
		g_autofree gchar *path = g_strconcat (db, *suffix, NULL);
		g_unlink (path);
	}
	g_rmdir (tmpdir);
	return TRUE;
}

int
main (int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	const gchar *default_counts[] = {"100000", "1000000", NULL};
	const gchar *const *counts = argc > 1 ? (const gchar *const *)argv + 1 : default_counts;

	/* as ohed and ohectl do */
	ohe_engine_tune_memory ();

	for (guint i = 0; counts[i] != NULL; i++) {
		guint64 count;
		if (!g_ascii_string_to_unsigned (counts[i], 10, 1, G_MAXUINT64, &count, &error) ||
		    !bench_run (count, &error)) {
			g_printerr ("bench-pipeline: %s\n", error->message);
			return 1;
		}
	}
	return 0;
}
