/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "ohe-error.h"
#include "ohe-sqlite-rate-limiter.h"
#include "ohe-sqlite-store.h"

/* the store-backed provider budgets: two connections stand for two processes */

#define TEST_START_US G_GINT64_CONSTANT (1800000000000000)
#define TEST_SECOND   G_USEC_PER_SEC

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static gchar *
test_db_path (const gchar *name)
{
	g_autofree gchar *dir = g_build_filename (g_get_user_data_dir (), "db", NULL);
	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	return g_build_filename (dir, name, NULL);
}

static OheStore *
test_open_store (const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *schemas = g_build_filename (OHE_SOURCE_SCHEMADIR, "sqlite", NULL);
	OheStore *store = ohe_sqlite_store_new (path, schemas, &error);
	g_assert_no_error (error);
	return store;
}

static OheRateLimiter *
test_open_limiter (const gchar *path, OheClock *clock)
{
	g_autoptr(GError) error = NULL;
	OheRateLimiter *limiter = ohe_sqlite_rate_limiter_new (path, &error);
	g_assert_no_error (error);
	ohe_sqlite_rate_limiter_set_clock (OHE_SQLITE_RATE_LIMITER (limiter), clock);
	return limiter;
}

static gint64
test_acquire (OheRateLimiter *limiter, const OheRateLimit *limits, guint n, guint64 *ticket)
{
	g_autoptr(GError) error = NULL;
	guint64 local = 0;
	gint64 wait_us = -1;
	g_assert_true (ohe_rate_limiter_acquire (limiter, limits, n, &wait_us,
						 ticket != NULL ? ticket : &local, &error));
	g_assert_no_error (error);
	g_assert_cmpint (wait_us, >=, 0);
	return wait_us;
}

static void
test_shared_window (void)
{
	g_autofree gchar *path = test_db_path ("shared.db");
	g_autoptr(OheStore) store = test_open_store (path);
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheRateLimiter) daemon = test_open_limiter (path, clock);
	g_autoptr(OheRateLimiter) ctl = test_open_limiter (path, clock);
	const OheRateLimit app = {"withings:app", 3, 10 * TEST_SECOND};
	const OheRateLimit both[] = {{"withings:app", 3, 10 * TEST_SECOND},
				     {"withings:user:l1", 1, 30 * TEST_SECOND}};
	guint64 first = 0;

	/* one budget, whoever spends it: two here, one there, and the window is full */
	g_assert_cmpint (test_acquire (daemon, &app, 1, &first), ==, 0);
	g_assert_cmpuint (first, !=, 0);
	ohe_clock_advance (clock, TEST_SECOND);
	g_assert_cmpint (test_acquire (daemon, &app, 1, NULL), ==, 0);
	ohe_clock_advance (clock, TEST_SECOND);
	g_assert_cmpint (test_acquire (ctl, &app, 1, NULL), ==, 0);
	/* start+2 s: the first leaves at start+10 s, for both processes */
	g_assert_cmpint (test_acquire (ctl, &app, 1, NULL), ==, 8 * TEST_SECOND);
	g_assert_cmpint (test_acquire (daemon, &app, 1, NULL), ==, 8 * TEST_SECOND);

	/* the first answer came at start+4 s: it now counts from there */
	ohe_clock_advance (clock, 2 * TEST_SECOND);
	ohe_rate_limiter_complete (daemon, &app, 1, first);
	/* start+4 s: the second (start+1 s) is the oldest now, leaving at start+11 s */
	g_assert_cmpint (test_acquire (ctl, &app, 1, NULL), ==, 7 * TEST_SECOND);

	/* all limits or none: the full app budget blocks and records no user request */
	g_assert_cmpint (test_acquire (ctl, both, 2, NULL), ==, 7 * TEST_SECOND);
	ohe_clock_advance (clock, 7 * TEST_SECOND);
	/* start+11 s: one app slot; the user budget is untouched, so both admit */
	g_assert_cmpint (test_acquire (daemon, both, 2, NULL), ==, 0);
	/* start+11 s: the app window holds +2, +4 (completed) and +11 s */
	g_assert_cmpint (test_acquire (ctl, both, 2, NULL), ==, 30 * TEST_SECOND);
	g_assert_cmpint (test_acquire (ctl, &app, 1, NULL), ==, 1 * TEST_SECOND);

	/* what left every window is deleted as budgets are consulted */
	ohe_clock_advance (clock, 60 * TEST_SECOND);
	g_assert_cmpint (test_acquire (ctl, both, 2, NULL), ==, 0);
	{
		g_autoptr(sqlite3) db = NULL;
		g_autoptr(sqlite3_stmt) stmt = NULL;
		g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==,
				 SQLITE_OK);
		g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM rate_limit_events",
						     -1, &stmt, NULL),
				 ==, SQLITE_OK);
		g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
		/* the one request just admitted, in two budgets */
		g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
	}
}

static void
test_connections_share (void)
{
	g_autofree gchar *path = test_db_path ("threads.db");
	g_autoptr(OheStore) store = test_open_store (path);
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	OheRateLimiter *limiters[4];
	const OheRateLimit app = {"fitbit:app", 10, 60 * TEST_SECOND};
	guint admitted = 0;

	/* four connections take turns at ten slots: exactly ten are admitted */
	for (guint i = 0; i < G_N_ELEMENTS (limiters); i++)
		limiters[i] = test_open_limiter (path, clock);
	for (guint round = 0; round < 10; round++) {
		for (guint i = 0; i < G_N_ELEMENTS (limiters); i++)
			admitted += test_acquire (limiters[i], &app, 1, NULL) == 0 ? 1 : 0;
	}
	g_assert_cmpuint (admitted, ==, 10);
	for (guint i = 0; i < G_N_ELEMENTS (limiters); i++)
		g_object_unref (limiters[i]);
}

static gint
test_count_rows (const gchar *path, const gchar *bucket)
{
	g_autoptr(sqlite3) db = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint (
	    sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM rate_limit_events WHERE bucket = ?1", -1,
				&stmt, NULL),
	    ==, SQLITE_OK);
	sqlite3_bind_text (stmt, 1, bucket, -1, SQLITE_STATIC);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	return sqlite3_column_int (stmt, 0);
}

/* the rows of a budget nobody consults any more (a deleted link's) go after a day */
static void
test_sweep (void)
{
	g_autofree gchar *path = test_db_path ("sweep.db");
	g_autoptr(OheStore) store = test_open_store (path);
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheRateLimiter) limiter = test_open_limiter (path, clock);
	const OheRateLimit gone = {"fitbit:user:deleted", 300, 60 * TEST_SECOND};
	const OheRateLimit busy = {"withings:app", 1000, TEST_SECOND};

	g_assert_cmpint (test_acquire (limiter, &gone, 1, NULL), ==, 0);
	ohe_clock_advance (clock, G_GINT64_CONSTANT (24) * 3600 * TEST_SECOND);
	/* within a day nothing is swept */
	for (guint i = 0; i < 998; i++) {
		g_assert_cmpint (test_acquire (limiter, &busy, 1, NULL), ==, 0);
		ohe_clock_advance (clock, 1000);
	}
	g_assert_cmpint (test_count_rows (path, "fitbit:user:deleted"), ==, 1);
	/* the thousandth admission sweeps what is older than a day */
	g_assert_cmpint (test_acquire (limiter, &busy, 1, NULL), ==, 0);
	g_assert_cmpint (test_count_rows (path, "fitbit:user:deleted"), ==, 0);
	g_assert_cmpint (test_count_rows (path, "withings:app"), ==, 999);
}

static void
test_no_table (void)
{
	g_autofree gchar *path = test_db_path ("empty.db");
	g_autoptr(GError) error = NULL;
	g_autoptr(OheRateLimiter) limiter = NULL;
	sqlite3 *db = NULL;

	/* a database the store did not migrate */
	g_assert_cmpint (
	    sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==,
	    SQLITE_OK);
	g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close (db);
	limiter = ohe_sqlite_rate_limiter_new (path, &error);
	g_assert_null (limiter);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_STORE);
	g_assert_nonnull (strstr (error->message, "rate_limit_events"));
	g_clear_error (&error);

	/* and none at all: never created here */
	g_free (path);
	path = test_db_path ("missing.db");
	limiter = ohe_sqlite_rate_limiter_new (path, &error);
	g_assert_null (limiter);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_STORE);
	g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/sqlite-rate-limiter/shared-window", test_shared_window);
	g_test_add_func ("/sqlite-rate-limiter/connections-share", test_connections_share);
	g_test_add_func ("/sqlite-rate-limiter/sweep", test_sweep);
	g_test_add_func ("/sqlite-rate-limiter/no-table", test_no_table);
	return g_test_run ();
}
