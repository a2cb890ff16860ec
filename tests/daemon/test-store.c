/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ohe-error.h"
#include "ohe-sqlite-store.h"

#define TEST_START_US G_GINT64_CONSTANT (1800000000000000)
#define TEST_HOUR     (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static const gchar *const test_tables[] = {
    "schema_version",
    "users",
    "links",
    "cursors",
    "jobs",
    "dead_letters",
    "api_tokens",
    "audit_log",
    "job_outcomes",
    "scheduler_leases",
    "scheduler_marks",
    "backfill_progress",
    "backfill_windows_done",
    "rate_limit_events",
    NULL,
};

static gchar *
test_migrations_dir (void)
{
	return g_build_filename (OHE_SOURCE_SCHEMADIR, "sqlite", NULL);
}

static gint
test_compare_names (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the file names of the shipped migrations, in order */
static GPtrArray *
test_list_migrations (void)
{
	g_autofree gchar *dir = test_migrations_dir ();
	g_autoptr(GDir) gdir = g_dir_open (dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const gchar *name;

	g_assert_nonnull (gdir);
	while ((name = g_dir_read_name (gdir)) != NULL) {
		if (g_str_has_suffix (name, ".sql"))
			g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, test_compare_names);
	return g_steal_pointer (&names);
}

/* a directory in the test's isolated data dir, removed with it */
static gchar *
test_make_dir (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (g_get_user_data_dir (), name, NULL);
	g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
	return g_steal_pointer (&path);
}

/* a migrations directory with only the first @n shipped files */
static gchar *
test_make_partial_migrations (const gchar *name, guint n)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *src_dir = test_migrations_dir ();
	g_autofree gchar *dir = test_make_dir (name);

	g_assert_cmpuint (n, <=, names->len);
	for (guint i = 0; i < n; i++) {
		const gchar *file = g_ptr_array_index (names, i);
		g_autofree gchar *src = g_build_filename (src_dir, file, NULL);
		g_autofree gchar *dst = g_build_filename (dir, file, NULL);
		g_autofree gchar *sql = NULL;
		g_autoptr(GError) error = NULL;
		g_assert_true (g_file_get_contents (src, &sql, NULL, &error));
		g_assert_no_error (error);
		g_assert_true (g_file_set_contents (dst, sql, -1, &error));
		g_assert_no_error (error);
	}
	return g_steal_pointer (&dir);
}

static OheStore *
test_open (const gchar *path, const gchar *migrations_dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheStore) store = ohe_sqlite_store_new (path, migrations_dir, &error);
	g_assert_no_error (error);
	g_assert_nonnull (store);
	return g_steal_pointer (&store);
}

/* an in-memory store whose times come from a fake clock */
static OheStore *
test_open_memory (OheClock *clock)
{
	g_autofree gchar *dir = test_migrations_dir ();
	OheStore *store = test_open (":memory:", dir);
	ohe_sqlite_store_set_clock (OHE_SQLITE_STORE (store), clock);
	return store;
}

/* a second, raw connection to look at the file behind the store's back */
static sqlite3 *
test_raw_open (const gchar *path)
{
	sqlite3 *db = NULL;
	g_assert_cmpint (
	    sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==,
	    SQLITE_OK);
	/* the store refuses a file others can read, as the one it creates is not */
	g_assert_cmpint (g_chmod (path, 0600), ==, 0);
	return db;
}

static void
test_raw_exec (sqlite3 *db, const gchar *sql)
{
	gchar *errmsg = NULL;
	gint rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);
	if (rc != SQLITE_OK)
		g_error ("%s: %s", sql, errmsg);
}

static gint64
test_raw_int (sqlite3 *db, const gchar *sql)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	return sqlite3_column_int64 (stmt, 0);
}

static gchar *
test_raw_text (sqlite3 *db, const gchar *sql)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	return g_strdup ((const gchar *)sqlite3_column_text (stmt, 0));
}

static gboolean
test_raw_has_table (sqlite3 *db, const gchar *table)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_assert_cmpint (sqlite3_prepare_v2 (db,
					     "SELECT COUNT(*) FROM sqlite_schema "
					     "WHERE type = 'table' AND name = ?1",
					     -1, &stmt, NULL),
			 ==, SQLITE_OK);
	sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	return sqlite3_column_int (stmt, 0) == 1;
}

static gboolean
test_raw_has_column (sqlite3 *db, const gchar *table, const gchar *column)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_assert_cmpint (sqlite3_prepare_v2 (db,
					     "SELECT COUNT(*) FROM pragma_table_info(?1) "
					     "WHERE name = ?2",
					     -1, &stmt, NULL),
			 ==, SQLITE_OK);
	sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text (stmt, 2, column, -1, SQLITE_STATIC);
	g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
	return sqlite3_column_int (stmt, 0) == 1;
}

static void
test_store_migrate_empty (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (dir, "ohed.db", NULL);
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autoptr(OheStore) store = test_open (path, schemas);
	g_autoptr(sqlite3) db = NULL;
	g_autoptr(GError) error = NULL;
	GStatBuf st;

	/* 0001, 0002 and 0003 at least; the latest is whatever ships */
	g_assert_cmpuint (names->len, >=, 3);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
	g_assert_no_error (error);

	db = test_raw_open (path);
	for (guint i = 0; test_tables[i] != NULL; i++)
		g_assert_true (test_raw_has_table (db, test_tables[i]));
	g_assert_true (test_raw_has_column (db, "jobs", "dedup_key"));
	g_assert_cmpint (test_raw_int (db, "SELECT COUNT(*) FROM schema_version"), ==, names->len);
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *sql =
		    g_strdup_printf ("SELECT name FROM schema_version WHERE version = %u", i + 1);
		g_autofree gchar *name = test_raw_text (db, sql);
		g_assert_cmpstr (name, ==, g_ptr_array_index (names, i));
	}
	{
		g_autofree gchar *first = test_raw_text (db, "SELECT name FROM schema_version "
							     "WHERE version = 1");
		g_assert_cmpstr (first, ==, "0001-initial.sql");
	}

	/* WAL, and owner-only because the file holds sealed tokens */
	{
		g_autofree gchar *mode = test_raw_text (db, "PRAGMA journal_mode");
		g_assert_cmpstr (mode, ==, "wal");
	}
	g_assert_cmpint (g_stat (path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* a database created by an older daemon with the first @version files is migrated in place */
static void
test_store_migrate_from (guint version)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *dir_name = g_strdup_printf ("schemas-%u", version);
	g_autofree gchar *old_schemas = test_make_partial_migrations (dir_name, version);
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *db_dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (db_dir, "old.db", NULL);
	g_autoptr(OheStore) store = NULL;
	g_autoptr(OheLink) link = ohe_link_new ("user-1", "withings");
	g_autoptr(OheLink) link2 = NULL;
	g_autoptr(GPtrArray) letters = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(OheJob) job = ohe_job_new ("link-x", "withings", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(GError) error = NULL;
	g_autoptr(sqlite3) db = NULL;
	g_autofree gchar *patient = NULL;
	g_autofree gchar *cursor = NULL;
	const gchar *kinds[] = {"heart_rate", "spo2", NULL};

	/* the old daemon writes its data */
	store = test_open (path, old_schemas);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)version);
	g_assert_no_error (error);
	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", &error));
	g_assert_no_error (error);
	ohe_link_set_id (link, "link-1");
	ohe_link_set_kinds (link, kinds);
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_set_cursor (store, "link-1", "heart_rate", "c-41", &error));
	g_assert_no_error (error);
	g_assert_true (
	    ohe_store_add_dead_letter (store, "job-0", "link-1", NULL, "Gone: retired", &error));
	g_assert_no_error (error);
	g_clear_object (&store);

	/* the new daemon starts on the same file */
	store = test_open (path, schemas);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
	g_assert_no_error (error);
	patient = ohe_store_get_patient_reference (store, "user-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (patient, ==, "Patient/p-1");
	link2 = ohe_store_get_link (store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_link_get_provider (link2), ==, "withings");
	g_assert_cmpint (ohe_link_get_state (link2), ==, OHE_LINK_STATE_ACTIVE);
	g_assert_cmpuint (g_strv_length (ohe_link_get_kinds (link2)), ==, 2);
	g_assert_true (ohe_link_has_kind (link2, "spo2"));
	cursor = ohe_store_get_cursor (store, "link-1", "heart_rate", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (cursor, ==, "c-41");
	letters = ohe_store_list_dead_letters (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (letters->len, ==, 1);
	g_assert_cmpstr (ohe_dead_letter_get_reason (g_ptr_array_index (letters, 0)), ==,
			 "Gone: retired");

	/* and what the later versions added works */
	ohe_job_set_dedup_key (job, "webhook:link-x");
	g_assert_true (ohe_store_save_job (store, job, &error));
	g_assert_no_error (error);
	jobs = ohe_store_list_jobs (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 1);
	g_assert_cmpstr (ohe_job_get_dedup_key (g_ptr_array_index (jobs, 0)), ==, "webhook:link-x");
	g_assert_true (ohe_store_add_audit (store, "test", "link.create", "link-1", &error));
	g_assert_no_error (error);

	db = test_raw_open (path);
	g_assert_cmpint (test_raw_int (db, "SELECT COUNT(*) FROM schema_version"), ==, names->len);
}

static void
test_store_migrate_from_first (void)
{
	test_store_migrate_from (1);
}

static void
test_store_migrate_from_previous (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	test_store_migrate_from (names->len - 1);
}

/* a checked-in version 1 database, as released, with a row in every table */
static void
test_store_migrate_fixture (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *fixture =
	    g_build_filename (OHE_TEST_SRCDIR, "daemon", "fixtures", "store-v1.sql", NULL);
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *db_dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (db_dir, "fixture.db", NULL);
	g_autofree gchar *sql = NULL;
	g_autofree gchar *patient = NULL;
	g_autofree gchar *cursor = NULL;
	g_autoptr(OheStore) store = NULL;
	g_autoptr(OheLink) link = NULL;
	g_autoptr(GPtrArray) links = NULL;
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GPtrArray) letters = NULL;
	g_autoptr(GError) error = NULL;
	GBytes *token;
	OheJob *job;
	OheDeadLetter *letter;
	const guint8 token_data[] = {0x00, 's', 'e', 'a', 0xbe, 0xef};

	g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
	g_assert_no_error (error);
	{
		g_autoptr(sqlite3) db = test_raw_open (path);
		test_raw_exec (db, sql);
		g_assert_cmpint (test_raw_int (db, "SELECT MAX(version) FROM schema_version"), ==,
				 1);
		g_assert_false (test_raw_has_table (db, "audit_log"));
	}

	store = test_open (path, schemas);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
	g_assert_no_error (error);

	patient = ohe_store_get_patient_reference (store, "user-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (patient, ==, "Patient/p-1");

	links = ohe_store_list_links (store, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (links->len, ==, 1);
	link = g_object_ref (g_ptr_array_index (links, 0));
	g_assert_cmpstr (ohe_link_get_id (link), ==, "link-1");
	g_assert_cmpstr (ohe_link_get_user_id (link), ==, "user-1");
	g_assert_cmpstr (ohe_link_get_provider (link), ==, "withings");
	g_assert_cmpstr (ohe_link_get_external_user_id (link), ==, "wuid-77");
	g_assert_cmpint (ohe_link_get_state (link), ==, OHE_LINK_STATE_ACTIVE);
	g_assert_cmpuint (g_strv_length (ohe_link_get_kinds (link)), ==, 2);
	g_assert_cmpstr (ohe_link_get_kinds (link)[0], ==, "heart_rate");
	g_assert_cmpstr (ohe_link_get_kinds (link)[1], ==, "blood_pressure");
	token = ohe_link_get_token (link);
	g_assert_nonnull (token);
	g_assert_cmpmem (g_bytes_get_data (token, NULL), g_bytes_get_size (token), token_data,
			 sizeof (token_data));
	g_assert_cmpint (ohe_link_get_created (link), ==, G_GINT64_CONSTANT (1700000000000002));
	g_assert_cmpint (ohe_link_get_updated (link), ==, G_GINT64_CONSTANT (1700000000000003));

	cursor = ohe_store_get_cursor (store, "link-1", "heart_rate", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (cursor, ==, "1700000000");

	jobs = ohe_store_list_jobs (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 1);
	job = g_ptr_array_index (jobs, 0);
	g_assert_cmpstr (ohe_job_get_id (job), ==, "job-1");
	g_assert_cmpstr (ohe_job_get_link_id (job), ==, "link-1");
	g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_NIGHTLY);
	g_assert_cmpint (ohe_job_get_window_start (job), ==, G_GINT64_CONSTANT (1699990000000000));
	g_assert_cmpint (ohe_job_get_window_end (job), ==, G_GINT64_CONSTANT (1700000000000000));
	g_assert_cmpuint (ohe_job_get_attempts (job), ==, 1);
	g_assert_cmpint (ohe_job_get_not_before (job), ==, G_GINT64_CONSTANT (1700000000000100));
	g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpstr (ohe_job_get_last_error (job), ==, "Unavailable: provider answered 503");
	g_assert_cmpstr (ohe_job_get_reason (job), ==, "schedule");
	g_assert_null (ohe_job_get_dedup_key (job));

	letters = ohe_store_list_dead_letters (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (letters->len, ==, 1);
	letter = g_ptr_array_index (letters, 0);
	g_assert_cmpstr (ohe_dead_letter_get_id (letter), ==, "dl-1");
	g_assert_cmpstr (ohe_dead_letter_get_item (letter), ==,
			 "heart_rate@2023-11-14T22:13:20Z native=9");
	g_assert_cmpint (ohe_dead_letter_get_created (letter), ==,
			 G_GINT64_CONSTANT (1700000000000006));

	{
		g_autoptr(sqlite3) db = test_raw_open (path);
		g_assert_cmpint (test_raw_int (db, "SELECT COUNT(*) FROM api_tokens"), ==, 1);
		g_assert_true (test_raw_has_table (db, "audit_log"));
		/* the original row of version 1 is untouched */
		g_assert_cmpint (test_raw_int (db, "SELECT applied_us FROM schema_version "
						   "WHERE version = 1"),
				 ==, G_GINT64_CONSTANT (1700000000000000));
	}
}

static void
test_store_migrate_twice (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *db_dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (db_dir, "twice.db", NULL);
	g_autoptr(OheStore) store = test_open (path, schemas);
	g_autoptr(GError) error = NULL;
	g_autoptr(sqlite3) db = NULL;
	gint64 applied;

	db = test_raw_open (path);
	applied = test_raw_int (db, "SELECT MAX(applied_us) FROM schema_version");

	g_assert_true (ohe_store_migrate (store, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_migrate (store, &error));
	g_assert_no_error (error);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
	g_assert_no_error (error);
	g_clear_object (&store);

	/* a restart migrates again: still nothing to do */
	store = test_open (path, schemas);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
	g_assert_cmpint (test_raw_int (db, "SELECT COUNT(*) FROM schema_version"), ==, names->len);
	g_assert_cmpint (test_raw_int (db, "SELECT MAX(applied_us) FROM schema_version"), ==,
			 applied);

	/* the schemas root works as well as its sqlite directory */
	g_clear_object (&store);
	store = test_open (path, OHE_SOURCE_SCHEMADIR);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
}

static void
test_store_migrate_broken (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *good = test_make_partial_migrations ("good", names->len);
	g_autofree gchar *broken = test_make_partial_migrations ("broken", names->len);
	g_autofree gchar *broken_name = g_strdup_printf ("%04u-broken.sql", names->len + 1);
	g_autofree gchar *broken_file = g_build_filename (broken, broken_name, NULL);
	g_autofree gchar *expected = NULL;
	g_autofree gchar *db_dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (db_dir, "broken.db", NULL);
	g_autoptr(OheStore) store = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(sqlite3) db = NULL;

	g_assert_true (g_file_set_contents (broken_file,
					    "CREATE TABLE half_done (x INTEGER);\n"
					    "INSERT INTO half_done VALUES (1);\n"
					    "CREATE TABLE broken (;\n",
					    -1, &error));
	g_assert_no_error (error);

	store = ohe_sqlite_store_new (path, broken, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_STORE);
	g_assert_null (store);
	expected = g_strdup_printf ("store: migration %s: near \";\": syntax error", broken_name);
	g_assert_cmpstr (error->message, ==, expected);
	g_clear_error (&error);

	/* the good versions before it were applied and kept, the broken one left no trace */
	db = test_raw_open (path);
	g_assert_cmpint (test_raw_int (db, "SELECT MAX(version) FROM schema_version"), ==,
			 names->len);
	g_assert_false (test_raw_has_table (db, "half_done"));
	g_assert_false (test_raw_has_table (db, "broken"));
	store = test_open (path, good);
	g_assert_cmpint (ohe_store_get_schema_version (store, &error), ==, (gint)names->len);
	g_assert_no_error (error);
}

static void
test_store_migrate_refuses (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *first = test_make_partial_migrations ("first", 1);
	g_autofree gchar *gap = test_make_partial_migrations ("gap", 1);
	g_autofree gchar *gap_file = g_build_filename (gap, "0003-skipped.sql", NULL);
	g_autofree gchar *bad_name = test_make_partial_migrations ("bad-name", 1);
	g_autofree gchar *bad_file = g_build_filename (bad_name, "2-second.sql", NULL);
	g_autofree gchar *empty = test_make_dir ("empty");
	g_autofree gchar *db_dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (db_dir, "refuses.db", NULL);
	g_autofree gchar *expected = NULL;
	g_autoptr(OheStore) store = test_open (path, schemas);
	g_autoptr(OheStore) store2 = NULL;
	g_autoptr(GError) error = NULL;

	g_clear_object (&store);

	/* a daemon older than the database must not touch it */
	store2 = ohe_sqlite_store_new (path, first, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_STORE);
	g_assert_null (store2);
	expected = g_strdup_printf ("store: database %s has schema version %u, newer than the 1 "
				    "known in %s",
				    path, names->len, first);
	g_assert_cmpstr (error->message, ==, expected);
	g_clear_error (&error);

	/* a gap in the numbering */
	g_assert_true (g_file_set_contents (gap_file, "SELECT 1;", -1, &error));
	g_assert_no_error (error);
	store2 = ohe_sqlite_store_new (":memory:", gap, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_null (store2);
	g_clear_pointer (&expected, g_free);
	expected = g_strdup_printf (
	    "store: migrations in %s: expected version 0002, found 0003-skipped.sql", gap);
	g_assert_cmpstr (error->message, ==, expected);
	g_clear_error (&error);

	/* a misnamed file */
	g_assert_true (g_file_set_contents (bad_file, "SELECT 1;", -1, &error));
	g_assert_no_error (error);
	store2 = ohe_sqlite_store_new (":memory:", bad_name, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_null (store2);
	g_clear_error (&error);

	/* no migrations at all */
	store2 = ohe_sqlite_store_new (":memory:", empty, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_null (store2);
}

static void
test_store_users (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *patient = NULL;
	g_autofree gchar *missing = NULL;

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", &error));
	g_assert_no_error (error);
	patient = ohe_store_get_patient_reference (store, "user-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (patient, ==, "Patient/p-1");

	g_assert_false (ohe_store_add_user (store, "user-1", "Patient/other", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_cmpstr (error->message, ==,
			 "store: add user user-1: UNIQUE constraint failed: users.id");
	g_clear_error (&error);

	missing = ohe_store_get_patient_reference (store, "user-2", &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==, "store: no user user-2");
	g_assert_null (missing);
}

static void
test_store_links (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(OheLink) link = ohe_link_new ("user-1", "withings");
	g_autoptr(OheLink) link2 = ohe_link_new ("user-2", "withings");
	g_autoptr(OheLink) link3 = ohe_link_new ("user-1", "fitbit");
	g_autoptr(OheLink) dup = ohe_link_new ("user-1", "withings");
	g_autoptr(OheLink) orphan = ohe_link_new ("user-9", "withings");
	g_autoptr(OheLink) got = NULL;
	g_autoptr(OheLink) missing = NULL;
	g_autoptr(GPtrArray) all = NULL;
	g_autoptr(GPtrArray) withings = NULL;
	g_autoptr(GPtrArray) omron = NULL;
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(GBytes) token = g_bytes_new_static ("\x01sealed\x00blob", 12);
	g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
	g_autoptr(GError) error = NULL;
	const gchar *kinds[] = {"heart_rate", "blood_pressure", "ecg", NULL};
	const gchar *bad_kinds[] = {"heart_rate,spo2", NULL};

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", NULL));
	g_assert_true (ohe_store_add_user (store, "user-2", "Patient/p-2", NULL));

	ohe_link_set_id (link, "link-1");
	ohe_link_set_external_user_id (link, "wuid-77");
	ohe_link_set_kinds (link, kinds);
	ohe_link_set_token (link, token);
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_no_error (error);
	/* the store stamps the times of a new link */
	g_assert_cmpint (ohe_link_get_created (link), ==, TEST_START_US);
	g_assert_cmpint (ohe_link_get_updated (link), ==, TEST_START_US);

	got = ohe_store_get_link (store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_link_get_id (got), ==, "link-1");
	g_assert_cmpstr (ohe_link_get_user_id (got), ==, "user-1");
	g_assert_cmpstr (ohe_link_get_provider (got), ==, "withings");
	g_assert_cmpstr (ohe_link_get_external_user_id (got), ==, "wuid-77");
	g_assert_cmpint (ohe_link_get_state (got), ==, OHE_LINK_STATE_PENDING);
	g_assert_cmpuint (g_strv_length (ohe_link_get_kinds (got)), ==, 3);
	g_assert_cmpstr (ohe_link_get_kinds (got)[0], ==, "heart_rate");
	g_assert_cmpstr (ohe_link_get_kinds (got)[1], ==, "blood_pressure");
	g_assert_cmpstr (ohe_link_get_kinds (got)[2], ==, "ecg");
	g_assert_true (g_bytes_equal (ohe_link_get_token (got), token));
	g_assert_cmpint (ohe_link_get_created (got), ==, TEST_START_US);
	g_assert_cmpint (ohe_link_get_updated (got), ==, TEST_START_US);
	g_clear_object (&got);

	/* one link per user and provider */
	g_assert_false (ohe_store_add_link (store, dup, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_cmpstr (strstr (error->message, "UNIQUE constraint failed: links.user_id, "
						 "links.provider"),
			 !=, NULL);
	g_clear_error (&error);
	/* the same id twice */
	g_assert_false (ohe_store_add_link (store, link, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_clear_error (&error);
	/* a user that does not exist */
	ohe_link_set_id (orphan, "link-orphan");
	g_assert_false (ohe_store_add_link (store, orphan, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==,
			 "store: add link link-orphan: a referenced object does not exist "
			 "(FOREIGN KEY constraint failed)");
	g_clear_error (&error);
	/* a kind name the text encoding cannot hold */
	ohe_link_set_kinds (dup, bad_kinds);
	ohe_link_set_provider (dup, "omron");
	g_assert_false (ohe_store_add_link (store, dup, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	missing = ohe_store_get_link (store, "link-404", &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==, "store: no link link-404");
	g_assert_null (missing);
	g_clear_error (&error);

	ohe_clock_advance (clock, 10);
	ohe_link_set_id (link2, "link-2");
	ohe_link_set_external_user_id (link2, "wuid-77");
	g_assert_true (ohe_store_add_link (store, link2, &error));
	g_assert_no_error (error);
	ohe_clock_advance (clock, 10);
	ohe_link_set_id (link3, "link-3");
	g_assert_true (ohe_store_add_link (store, link3, &error));
	g_assert_no_error (error);

	all = ohe_store_list_links (store, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (all->len, ==, 3);
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (all, 0)), ==, "link-1");
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (all, 1)), ==, "link-2");
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (all, 2)), ==, "link-3");
	withings = ohe_store_list_links (store, "withings", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (withings->len, ==, 2);
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (withings, 0)), ==, "link-1");
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (withings, 1)), ==, "link-2");
	omron = ohe_store_list_links (store, "omron", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (omron->len, ==, 0);

	/* one provider account linked to two EHR users: a webhook concerns both */
	found = ohe_store_find_links (store, "withings", "wuid-77", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (found->len, ==, 2);
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (found, 0)), ==, "link-1");
	g_assert_cmpstr (ohe_link_get_id (g_ptr_array_index (found, 1)), ==, "link-2");
	g_clear_pointer (&found, g_ptr_array_unref);
	found = ohe_store_find_links (store, "fitbit", "wuid-77", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (found->len, ==, 0);

	/* state */
	ohe_clock_advance (clock, 1000);
	g_assert_true (
	    ohe_store_update_link_state (store, "link-1", OHE_LINK_STATE_NEEDS_RECONSENT, &error));
	g_assert_no_error (error);
	got = ohe_store_get_link (store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_link_get_state (got), ==, OHE_LINK_STATE_NEEDS_RECONSENT);
	g_assert_cmpint (ohe_link_get_created (got), ==, TEST_START_US);
	g_assert_cmpint (ohe_link_get_updated (got), ==, TEST_START_US + 1020);
	g_clear_object (&got);
	g_assert_false (
	    ohe_store_update_link_state (store, "link-404", OHE_LINK_STATE_ACTIVE, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==, "store: update link state: no link link-404");
	g_clear_error (&error);

	/* token: an empty blob stays empty, NULL forgets */
	g_assert_true (ohe_store_set_link_token (store, "link-1", empty, &error));
	g_assert_no_error (error);
	got = ohe_store_get_link (store, "link-1", &error);
	g_assert_nonnull (ohe_link_get_token (got));
	g_assert_cmpuint (g_bytes_get_size (ohe_link_get_token (got)), ==, 0);
	g_clear_object (&got);
	g_assert_true (ohe_store_set_link_token (store, "link-1", NULL, &error));
	g_assert_no_error (error);
	got = ohe_store_get_link (store, "link-1", &error);
	g_assert_null (ohe_link_get_token (got));
	g_clear_object (&got);
	g_assert_false (ohe_store_set_link_token (store, "link-404", token, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);

	/* delete takes the cursors along */
	g_assert_true (ohe_store_set_cursor (store, "link-3", "steps", "42", &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_delete_link (store, "link-3", &error));
	g_assert_no_error (error);
	missing = ohe_store_get_link (store, "link-3", &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (ohe_store_delete_link (store, "link-3", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_true (ohe_store_add_link (store, link3, &error));
	g_assert_no_error (error);
	g_assert_null (ohe_store_get_cursor (store, "link-3", "steps", &error));
	g_assert_no_error (error);
}

static void
test_store_cursors (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(OheLink) link = ohe_link_new ("user-1", "withings");
	g_autoptr(GError) error = NULL;
	gchar *cursor;

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", NULL));
	ohe_link_set_id (link, "link-1");
	g_assert_true (ohe_store_add_link (store, link, NULL));

	/* none yet: NULL without an error */
	cursor = ohe_store_get_cursor (store, "link-1", "heart_rate", &error);
	g_assert_no_error (error);
	g_assert_null (cursor);

	g_assert_true (ohe_store_set_cursor (store, "link-1", "heart_rate", "1700000000", &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_set_cursor (store, "link-1", "spo2", "page:7", &error));
	g_assert_no_error (error);
	cursor = ohe_store_get_cursor (store, "link-1", "heart_rate", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (cursor, ==, "1700000000");
	g_free (cursor);

	/* overwrite, per stream */
	g_assert_true (ohe_store_set_cursor (store, "link-1", "heart_rate", "1700003600", &error));
	g_assert_no_error (error);
	cursor = ohe_store_get_cursor (store, "link-1", "heart_rate", &error);
	g_assert_cmpstr (cursor, ==, "1700003600");
	g_free (cursor);
	cursor = ohe_store_get_cursor (store, "link-1", "spo2", &error);
	g_assert_cmpstr (cursor, ==, "page:7");
	g_free (cursor);

	/* NULL starts the stream over */
	g_assert_true (ohe_store_set_cursor (store, "link-1", "spo2", NULL, &error));
	g_assert_no_error (error);
	cursor = ohe_store_get_cursor (store, "link-1", "spo2", &error);
	g_assert_no_error (error);
	g_assert_null (cursor);

	/* a cursor needs its link */
	g_assert_false (ohe_store_set_cursor (store, "link-404", "spo2", "x", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
}

static void
test_store_jobs (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(OheJob) nightly = ohe_job_new ("link-1", "withings", OHE_JOB_PRIORITY_NIGHTLY);
	g_autoptr(OheJob) late = ohe_job_new ("link-1", "withings", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) early = ohe_job_new ("link-2", "fitbit", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(OheJob) older = ohe_job_new ("link-3", "omron", OHE_JOB_PRIORITY_REALTIME);
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *kinds[] = {"heart_rate", "ecg", NULL};
	OheJob *job;

	ohe_job_set_id (nightly, "j-nightly");
	ohe_job_set_created (nightly, 100);
	ohe_job_set_id (late, "j-late");
	ohe_job_set_created (late, 100);
	ohe_job_set_not_before (late, 500);
	ohe_job_set_id (early, "j-early");
	ohe_job_set_created (early, 200);
	ohe_job_set_kinds (early, kinds);
	ohe_job_set_window (early, TEST_START_US - TEST_HOUR, TEST_START_US);
	ohe_job_set_reason (early, "webhook");
	ohe_job_set_max_attempts (early, 7);
	ohe_job_set_last_error (early, "Timeout: 30 s");
	ohe_job_set_attempts (early, 2);
	ohe_job_set_dedup_key (early, "webhook:link-2");
	ohe_job_set_id (older, "j-older");
	ohe_job_set_created (older, 50);

	g_assert_true (ohe_store_save_job (store, nightly, &error));
	g_assert_true (ohe_store_save_job (store, late, &error));
	g_assert_true (ohe_store_save_job (store, early, &error));
	g_assert_true (ohe_store_save_job (store, older, &error));
	g_assert_no_error (error);

	/* priority, then not-before, then creation */
	jobs = ohe_store_list_jobs (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 4);
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 0)), ==, "j-older");
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 1)), ==, "j-early");
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 2)), ==, "j-late");
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 3)), ==, "j-nightly");

	job = g_ptr_array_index (jobs, 1);
	g_assert_cmpstr (ohe_job_get_link_id (job), ==, "link-2");
	g_assert_cmpstr (ohe_job_get_provider (job), ==, "fitbit");
	g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (job)), ==, 2);
	g_assert_cmpstr (ohe_job_get_kinds (job)[0], ==, "heart_rate");
	g_assert_cmpstr (ohe_job_get_kinds (job)[1], ==, "ecg");
	g_assert_cmpint (ohe_job_get_window_start (job), ==, TEST_START_US - TEST_HOUR);
	g_assert_cmpint (ohe_job_get_window_end (job), ==, TEST_START_US);
	g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_REALTIME);
	g_assert_cmpstr (ohe_job_get_reason (job), ==, "webhook");
	g_assert_cmpuint (ohe_job_get_attempts (job), ==, 2);
	g_assert_cmpuint (ohe_job_get_max_attempts (job), ==, 7);
	g_assert_cmpint (ohe_job_get_not_before (job), ==, 0);
	g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_QUEUED);
	g_assert_cmpstr (ohe_job_get_last_error (job), ==, "Timeout: 30 s");
	g_assert_cmpint (ohe_job_get_created (job), ==, 200);
	g_assert_cmpstr (ohe_job_get_dedup_key (job), ==, "webhook:link-2");
	job = g_ptr_array_index (jobs, 3);
	g_assert_cmpuint (g_strv_length (ohe_job_get_kinds (job)), ==, 0);
	g_assert_null (ohe_job_get_reason (job));
	g_assert_null (ohe_job_get_dedup_key (job));
	g_clear_pointer (&jobs, g_ptr_array_unref);

	/* upsert by id */
	ohe_job_set_state (nightly, OHE_JOB_STATE_RUNNING);
	ohe_job_set_priority (nightly, OHE_JOB_PRIORITY_BACKFILL);
	g_assert_true (ohe_store_save_job (store, nightly, &error));
	g_assert_no_error (error);
	jobs = ohe_store_list_jobs (store, &error);
	g_assert_cmpuint (jobs->len, ==, 4);
	job = g_ptr_array_index (jobs, 3);
	g_assert_cmpstr (ohe_job_get_id (job), ==, "j-nightly");
	g_assert_cmpint (ohe_job_get_state (job), ==, OHE_JOB_STATE_RUNNING);
	g_assert_cmpint (ohe_job_get_priority (job), ==, OHE_JOB_PRIORITY_BACKFILL);
	g_clear_pointer (&jobs, g_ptr_array_unref);

	/* delete, twice */
	g_assert_true (ohe_store_delete_job (store, "j-late", &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_delete_job (store, "j-late", &error));
	g_assert_no_error (error);
	jobs = ohe_store_list_jobs (store, &error);
	g_assert_cmpuint (jobs->len, ==, 3);
}

static void
test_store_dead_letters (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(GPtrArray) letters = NULL;
	g_autoptr(GError) error = NULL;
	OheDeadLetter *letter;

	letters = ohe_store_list_dead_letters (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (letters->len, ==, 0);
	g_clear_pointer (&letters, g_ptr_array_unref);

	g_assert_true (ohe_store_add_dead_letter (store, "job-1", "link-1",
						  "heart_rate@2026-11-01T10:00:00Z native=123",
						  "InvalidData: value out of range", &error));
	g_assert_no_error (error);
	ohe_clock_advance (clock, 5);
	g_assert_true (ohe_store_add_dead_letter (store, "job-2", "link-1", NULL,
						  "AuthRequired: invalid_grant", &error));
	g_assert_no_error (error);
	/* the same microsecond keeps insertion order */
	g_assert_true (
	    ohe_store_add_dead_letter (store, NULL, NULL, NULL, "InvalidData: webhook", &error));
	g_assert_no_error (error);

	letters = ohe_store_list_dead_letters (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (letters->len, ==, 3);
	letter = g_ptr_array_index (letters, 0);
	g_assert_true (g_uuid_string_is_valid (ohe_dead_letter_get_id (letter)));
	g_assert_cmpstr (ohe_dead_letter_get_job_id (letter), ==, "job-1");
	g_assert_cmpstr (ohe_dead_letter_get_link_id (letter), ==, "link-1");
	g_assert_cmpstr (ohe_dead_letter_get_item (letter), ==,
			 "heart_rate@2026-11-01T10:00:00Z native=123");
	g_assert_cmpstr (ohe_dead_letter_get_reason (letter), ==,
			 "InvalidData: value out of range");
	g_assert_cmpint (ohe_dead_letter_get_created (letter), ==, TEST_START_US);
	letter = g_ptr_array_index (letters, 1);
	g_assert_cmpstr (ohe_dead_letter_get_job_id (letter), ==, "job-2");
	g_assert_null (ohe_dead_letter_get_item (letter));
	g_assert_cmpstr (ohe_dead_letter_get_reason (letter), ==, "AuthRequired: invalid_grant");
	g_assert_cmpint (ohe_dead_letter_get_created (letter), ==, TEST_START_US + 5);
	letter = g_ptr_array_index (letters, 2);
	g_assert_null (ohe_dead_letter_get_job_id (letter));
	g_assert_null (ohe_dead_letter_get_link_id (letter));
	g_assert_cmpstr (ohe_dead_letter_get_reason (letter), ==, "InvalidData: webhook");
	g_assert_cmpstr (ohe_dead_letter_get_id (letter), !=,
			 ohe_dead_letter_get_id (g_ptr_array_index (letters, 1)));
}

static void
test_store_audit (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(GPtrArray) entries = NULL;
	g_autoptr(GError) error = NULL;
	OheAuditEntry *entry;

	g_assert_true (ohe_store_add_audit (store, "token:ops", "user.create", "user-1", &error));
	ohe_clock_advance (clock, 1);
	g_assert_true (ohe_store_add_audit (store, "token:ops", "link.create", "link-1", &error));
	ohe_clock_advance (clock, 1);
	g_assert_true (ohe_store_add_audit (store, "dbus:uid=0", "link.revoke", NULL, &error));
	g_assert_no_error (error);

	entries = ohe_store_list_audit (store, 2, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (entries->len, ==, 2);
	entry = g_ptr_array_index (entries, 0);
	g_assert_cmpint (ohe_audit_entry_get_time (entry), ==, TEST_START_US + 2);
	g_assert_cmpstr (ohe_audit_entry_get_actor (entry), ==, "dbus:uid=0");
	g_assert_cmpstr (ohe_audit_entry_get_action (entry), ==, "link.revoke");
	g_assert_null (ohe_audit_entry_get_detail (entry));
	entry = g_ptr_array_index (entries, 1);
	g_assert_cmpstr (ohe_audit_entry_get_action (entry), ==, "link.create");
	g_assert_cmpstr (ohe_audit_entry_get_detail (entry), ==, "link-1");
	g_clear_pointer (&entries, g_ptr_array_unref);

	entries = ohe_store_list_audit (store, 0, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (entries->len, ==, 3);
	g_assert_cmpstr (ohe_audit_entry_get_action (g_ptr_array_index (entries, 2)), ==,
			 "user.create");
	g_assert_cmpint (ohe_audit_entry_get_time (g_ptr_array_index (entries, 2)), ==,
			 TEST_START_US);
}

/* outside strings are bound, never spliced into SQL */
/* adds an active link of @user to withings account @account */
static gboolean
test_add_account_link (OheStore *store,
		       const gchar *id,
		       const gchar *user,
		       const gchar *account,
		       OheLinkState state,
		       gint64 created,
		       GError **error)
{
	g_autoptr(OheLink) link = ohe_link_new (user, "withings");
	g_autoptr(GBytes) token = g_bytes_new_static ("sealed", 6);

	ohe_link_set_id (link, id);
	ohe_link_set_external_user_id (link, account);
	ohe_link_set_state (link, state);
	ohe_link_set_token (link, token);
	ohe_link_set_created (link, created);
	ohe_link_set_updated (link, created);
	return ohe_store_add_link (store, link, error);
}

/* one provider account, one patient: the store itself refuses a second holder */
static void
test_store_one_account (void)
{
	g_autofree gchar *dir = test_make_dir ("one-account");
	g_autofree gchar *path = g_build_filename (dir, "ohed.db", NULL);
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autoptr(OheStore) store = NULL;
	g_autoptr(OheLink) second = NULL;
	g_autoptr(sqlite3) db = NULL;
	g_autoptr(GError) error = NULL;
	gchar *errmsg = NULL;

	g_remove (path);
	store = test_open (path, schemas);
	for (guint i = 1; i <= 3; i++) {
		g_autofree gchar *user = g_strdup_printf ("user-%u", i);
		g_autofree gchar *patient = g_strdup_printf ("Patient/p-%u", i);
		g_assert_true (ohe_store_add_user (store, user, patient, &error));
		g_assert_no_error (error);
	}
	g_assert_true (test_add_account_link (store, "link-a", "user-1", "acct-1",
					      OHE_LINK_STATE_ACTIVE, 100, &error));
	g_assert_no_error (error);

	/* a second active link to the same account names the holder and its user */
	g_assert_false (test_add_account_link (store, "link-b", "user-2", "acct-1",
					       OHE_LINK_STATE_ACTIVE, 200, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_cmpstr (error->message, ==,
			 "store: add link link-b: withings account acct-1 is already linked to "
			 "user user-1 (link link-a)");
	g_clear_error (&error);

	/* pending, it may wait for consent; it cannot become active, nor needs_reconsent */
	g_assert_true (test_add_account_link (store, "link-b", "user-2", "acct-1",
					      OHE_LINK_STATE_PENDING, 200, &error));
	g_assert_no_error (error);
	second = ohe_store_get_link (store, "link-b", &error);
	g_assert_no_error (error);
	ohe_link_set_state (second, OHE_LINK_STATE_ACTIVE);
	g_assert_false (ohe_store_update_link (store, second, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_nonnull (strstr (error->message, "already linked to user user-1 (link link-a)"));
	g_clear_error (&error);
	g_assert_false (
	    ohe_store_update_link_state (store, "link-b", OHE_LINK_STATE_NEEDS_RECONSENT, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_clear_error (&error);

	/* the same account id at another provider is another account */
	{
		g_autoptr(OheLink) fitbit = ohe_link_new ("user-3", "fitbit");
		ohe_link_set_external_user_id (fitbit, "acct-1");
		ohe_link_set_state (fitbit, OHE_LINK_STATE_ACTIVE);
		g_assert_true (ohe_store_add_link (store, fitbit, &error));
		g_assert_no_error (error);
	}

	/* behind the store's back the index refuses as well */
	db = test_raw_open (path);
	g_assert_cmpint (sqlite3_exec (db, "UPDATE links SET state = 'error' WHERE id = 'link-b'",
				       NULL, NULL, &errmsg),
			 ==, SQLITE_CONSTRAINT);
	g_assert_nonnull (strstr (errmsg, "UNIQUE"));
	sqlite3_free (errmsg);
	errmsg = NULL;

	/* revoked, the first link frees the account; then it cannot take it back */
	g_assert_true (
	    ohe_store_update_link_state (store, "link-a", OHE_LINK_STATE_REVOKED, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_update_link (store, second, &error));
	g_assert_no_error (error);
	g_assert_false (
	    ohe_store_update_link_state (store, "link-a", OHE_LINK_STATE_ACTIVE, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_clear_error (&error);
	g_assert_cmpint (test_raw_int (db, "SELECT COUNT(*) FROM links WHERE provider = 'withings' "
					   "AND external_user_id = 'acct-1' AND state = 'active'"),
			 ==, 1);
	g_clear_object (&store);
	g_remove (path);
}

/* a store from before version 6 with duplicate holders: the oldest keeps the account */
static void
test_store_migrate_one_account (void)
{
	g_autoptr(GPtrArray) names = test_list_migrations ();
	g_autofree gchar *old_schemas = test_make_partial_migrations ("schemas-5", 5);
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *dir = test_make_dir ("one-account-migrate");
	g_autofree gchar *path = g_build_filename (dir, "ohed.db", NULL);
	g_autoptr(OheStore) store = NULL;
	g_autoptr(GPtrArray) audit = NULL;
	g_autoptr(sqlite3) db = NULL;
	g_autoptr(GError) error = NULL;
	static const struct {
		const gchar *id;
		const gchar *user;
		const gchar *account;
		OheLinkState state;
		gint64 created;
		const gchar *state_after;
	} rows[] = {
	    {"link-new", "user-2", "acct-1", OHE_LINK_STATE_ACTIVE, 200, "revoked"},
	    {"link-old", "user-1", "acct-1", OHE_LINK_STATE_ACTIVE, 100, "active"},
	    {"link-stale", "user-3", "acct-1", OHE_LINK_STATE_NEEDS_RECONSENT, 300, "revoked"},
	    {"link-wait", "user-4", "acct-1", OHE_LINK_STATE_PENDING, 50, "pending"},
	    {"link-other", "user-5", "acct-2", OHE_LINK_STATE_ACTIVE, 400, "active"},
	};

	g_assert_cmpuint (names->len, >=, 6);
	g_assert_cmpstr (g_ptr_array_index (names, 5), ==, "0006-one-account-one-patient.sql");
	g_remove (path);
	store = test_open (path, old_schemas);
	for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
		g_autofree gchar *patient = g_strdup_printf ("Patient/%s", rows[i].user);
		g_assert_true (ohe_store_add_user (store, rows[i].user, patient, &error));
		g_assert_no_error (error);
		g_assert_true (test_add_account_link (store, rows[i].id, rows[i].user,
						      rows[i].account, rows[i].state,
						      rows[i].created, &error));
		g_assert_no_error (error);
	}
	g_clear_object (&store);

	store = test_open (path, schemas);
	db = test_raw_open (path);
	for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
		g_autofree gchar *sql =
		    g_strdup_printf ("SELECT state FROM links WHERE id = '%s'", rows[i].id);
		g_autofree gchar *state = test_raw_text (db, sql);
		g_autofree gchar *token_sql =
		    g_strdup_printf ("SELECT token IS NULL FROM links WHERE id = '%s'", rows[i].id);
		g_assert_cmpstr (state, ==, rows[i].state_after);
		/* a revoked duplicate keeps no token */
		g_assert_cmpint (test_raw_int (db, token_sql), ==,
				 g_strcmp0 (rows[i].state_after, "revoked") == 0);
	}
	audit = ohe_store_list_audit (store, 10, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (audit->len, ==, 2);
	for (guint i = 0; i < audit->len; i++) {
		OheAuditEntry *entry = g_ptr_array_index (audit, i);
		const gchar *detail = ohe_audit_entry_get_detail (entry);
		g_assert_cmpstr (ohe_audit_entry_get_actor (entry), ==, "migration 0006");
		g_assert_cmpstr (ohe_audit_entry_get_action (entry), ==, "link-revoke");
		g_assert_true (
		    g_str_has_suffix (detail, "withings account already linked by link link-old"));
		g_assert_true (g_str_has_prefix (detail, "link link-new of user user-2: ") ||
			       g_str_has_prefix (detail, "link link-stale of user user-3: "));
	}
	g_assert_cmpstr (ohe_audit_entry_get_detail (g_ptr_array_index (audit, 0)), !=,
			 ohe_audit_entry_get_detail (g_ptr_array_index (audit, 1)));
	g_clear_object (&store);
	g_remove (path);
}

static void
test_store_binding (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheLink) got = NULL;
	g_autoptr(GPtrArray) letters = NULL;
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *patient = NULL;
	g_autofree gchar *cursor = NULL;
	g_autofree gchar *other = NULL;
	const gchar *evil_user = "Robert'); DROP TABLE users;--";
	const gchar *evil_ref = "Patient/\"x\" OR 1=1; -- ' ? ?1 :a @b $c %s %n \\ \n\t ü 💓";
	const gchar *evil_stream = "heart_rate' OR '1'='1";
	const gchar *evil_cursor = "'; DELETE FROM cursors; SELECT '";

	g_assert_true (ohe_store_add_user (store, evil_user, evil_ref, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_add_user (store, "user-2", "Patient/p-2", &error));
	g_assert_no_error (error);
	patient = ohe_store_get_patient_reference (store, evil_user, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (patient, ==, evil_ref);
	other = ohe_store_get_patient_reference (store, "user-2", &error);
	g_assert_cmpstr (other, ==, "Patient/p-2");

	link = ohe_link_new (evil_user, "with'ings");
	ohe_link_set_id (link, "link-'1'");
	ohe_link_set_external_user_id (link, "\" OR \"\"=\"");
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_no_error (error);
	got = ohe_store_get_link (store, "link-'1'", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_link_get_user_id (got), ==, evil_user);
	g_assert_cmpstr (ohe_link_get_provider (got), ==, "with'ings");
	found = ohe_store_find_links (store, "with'ings", "\" OR \"\"=\"", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (found->len, ==, 1);
	g_clear_pointer (&found, g_ptr_array_unref);
	/* a classic injection must not match everything */
	found = ohe_store_find_links (store, "x' OR '1'='1", "y' OR '1'='1", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (found->len, ==, 0);

	g_assert_true (ohe_store_set_cursor (store, "link-'1'", evil_stream, evil_cursor, &error));
	g_assert_no_error (error);
	cursor = ohe_store_get_cursor (store, "link-'1'", evil_stream, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (cursor, ==, evil_cursor);
	g_clear_pointer (&cursor, g_free);
	cursor = ohe_store_get_cursor (store, "link-'1'", "heart_rate", &error);
	g_assert_no_error (error);
	g_assert_null (cursor);

	g_assert_true (ohe_store_add_dead_letter (store, "job'); --", "link-'1'", evil_cursor,
						  evil_ref, &error));
	g_assert_no_error (error);
	letters = ohe_store_list_dead_letters (store, &error);
	g_assert_cmpuint (letters->len, ==, 1);
	g_assert_cmpstr (ohe_dead_letter_get_job_id (g_ptr_array_index (letters, 0)), ==,
			 "job'); --");
	g_assert_cmpstr (ohe_dead_letter_get_item (g_ptr_array_index (letters, 0)), ==,
			 evil_cursor);
	g_assert_cmpstr (ohe_dead_letter_get_reason (g_ptr_array_index (letters, 0)), ==, evil_ref);
	g_assert_true (ohe_store_add_audit (store, evil_user, evil_stream, evil_ref, &error));
	g_assert_no_error (error);

	/* the tables are all still there */
	g_clear_pointer (&other, g_free);
	other = ohe_store_get_patient_reference (store, "user-2", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (other, ==, "Patient/p-2");
}

/* what plugins keep through ohe_plugin_save_state(): per plugin and key, across openings */
static void
test_store_plugin_state (void)
{
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *db_dir = test_make_dir ("state/plugin-state");
	g_autofree gchar *path = g_build_filename (db_dir, "ohed.db", NULL);
	g_autoptr(OheStore) store = test_open (path, schemas);
	const gchar *key = "entry-limit/transaction/put/https://ehr.example/fhir";
	g_autoptr(GError) error = NULL;
	gchar *value;

	value = ohe_store_get_plugin_state (store, "fhir", key, &error);
	g_assert_no_error (error);
	g_assert_null (value);
	g_assert_true (ohe_store_set_plugin_state (store, "fhir", key, "50", &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_set_plugin_state (store, "fhir", key, "48", &error));
	g_assert_no_error (error);
	g_assert_true (ohe_store_set_plugin_state (store, "other", key, "7", &error));
	g_assert_no_error (error);
	g_clear_object (&store);

	store = test_open (path, schemas);
	value = ohe_store_get_plugin_state (store, "fhir", key, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (value, ==, "48");
	g_free (value);
	value = ohe_store_get_plugin_state (store, "other", key, &error);
	g_assert_cmpstr (value, ==, "7");
	g_free (value);

	/* NULL forgets the key, of that plugin only */
	g_assert_true (ohe_store_set_plugin_state (store, "fhir", key, NULL, &error));
	g_assert_no_error (error);
	value = ohe_store_get_plugin_state (store, "fhir", key, &error);
	g_assert_no_error (error);
	g_assert_null (value);
	value = ohe_store_get_plugin_state (store, "other", key, &error);
	g_assert_cmpstr (value, ==, "7");
	g_free (value);
}

static void
test_store_persist (void)
{
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *db_dir = test_make_dir ("state/ohed");
	g_autofree gchar *path = g_build_filename (db_dir, "sub", "ohed.db", NULL);
	g_autoptr(OheStore) store = test_open (path, schemas);
	g_autoptr(OheLink) link = ohe_link_new ("user-1", "beurer");
	g_autoptr(OheLink) got = NULL;
	g_autoptr(OheJob) job = ohe_job_new ("link-1", "beurer", OHE_JOB_PRIORITY_BACKFILL);
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GBytes) token = g_bytes_new_static ("k1:nonce:ciphertext", 19);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *patient = NULL;
	g_autofree gchar *cursor = NULL;

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", &error));
	ohe_link_set_id (link, "link-1");
	ohe_link_set_token (link, token);
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_true (ohe_store_set_cursor (store, "link-1", "body_weight", "c-9", &error));
	ohe_job_set_id (job, "job-1");
	g_assert_true (ohe_store_save_job (store, job, &error));
	g_assert_no_error (error);
	g_clear_object (&store);

	/* the file holds sealed tokens: created owner-only, refused once others can read it */
	{
		g_autoptr(OheStore) refused = NULL;
		g_autofree gchar *expected = NULL;
		GStatBuf st;
		g_assert_cmpint (g_stat (path, &st), ==, 0);
		g_assert_cmpint (st.st_mode & 0777, ==, 0600);
		g_assert_cmpint (g_chmod (path, 0644), ==, 0);
		refused = ohe_sqlite_store_new (path, schemas, &error);
		g_assert_null (refused);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
		expected = g_strdup_printf (
		    "store %s is accessible by group or others (mode 0644); run chmod 600 %s", path,
		    path);
		g_assert_cmpstr (error->message, ==, expected);
		g_clear_error (&error);
		g_assert_cmpint (g_chmod (path, 0600), ==, 0);
	}

	store = test_open (path, schemas);
	patient = ohe_store_get_patient_reference (store, "user-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (patient, ==, "Patient/p-1");
	got = ohe_store_get_link (store, "link-1", &error);
	g_assert_no_error (error);
	g_assert_true (g_bytes_equal (ohe_link_get_token (got), token));
	cursor = ohe_store_get_cursor (store, "link-1", "body_weight", &error);
	g_assert_cmpstr (cursor, ==, "c-9");
	jobs = ohe_store_list_jobs (store, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (jobs->len, ==, 1);
	g_assert_cmpstr (ohe_job_get_id (g_ptr_array_index (jobs, 0)), ==, "job-1");
	g_assert_cmpint (ohe_job_get_priority (g_ptr_array_index (jobs, 0)), ==,
			 OHE_JOB_PRIORITY_BACKFILL);
}

typedef struct {
	OheStore *store;
	guint thread;
	guint n_failed;
} ThreadData;

static gpointer
test_store_thread (gpointer user_data)
{
	ThreadData *data = user_data;
	for (guint i = 0; i < 200; i++) {
		g_autofree gchar *stream = g_strdup_printf ("s%u", i % 10);
		g_autofree gchar *value = g_strdup_printf ("%u:%u", data->thread, i);
		g_autofree gchar *link_id = g_strdup_printf ("link-%u", data->thread);
		g_autofree gchar *back = NULL;
		if (!ohe_store_set_cursor (data->store, link_id, stream, value, NULL)) {
			data->n_failed++;
			continue;
		}
		back = ohe_store_get_cursor (data->store, link_id, stream, NULL);
		if (g_strcmp0 (back, value) != 0)
			data->n_failed++;
		if (!ohe_store_add_dead_letter (data->store, NULL, link_id, NULL, value, NULL))
			data->n_failed++;
	}
	return NULL;
}

/* one connection shared by worker threads */
static void
test_store_threads (void)
{
	g_autofree gchar *schemas = test_migrations_dir ();
	g_autofree gchar *db_dir = test_make_dir ("db");
	g_autofree gchar *path = g_build_filename (db_dir, "threads.db", NULL);
	g_autoptr(OheStore) store = test_open (path, schemas);
	g_autoptr(GPtrArray) letters = NULL;
	ThreadData data[4];
	GThread *threads[4];

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", NULL));
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++) {
		g_autofree gchar *link_id = g_strdup_printf ("link-%u", i);
		g_autofree gchar *provider = g_strdup_printf ("provider-%u", i);
		g_autoptr(OheLink) link = ohe_link_new ("user-1", provider);
		ohe_link_set_id (link, link_id);
		g_assert_true (ohe_store_add_link (store, link, NULL));
	}
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++) {
		data[i] = (ThreadData){.store = store, .thread = i};
		threads[i] = g_thread_new ("store", test_store_thread, &data[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++) {
		g_thread_join (threads[i]);
		g_assert_cmpuint (data[i].n_failed, ==, 0);
	}
	letters = ohe_store_list_dead_letters (store, NULL);
	g_assert_cmpuint (letters->len, ==, 800);
}

static void
test_store_update_link (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(OheLink) link = ohe_link_new ("user-1", "withings");
	g_autoptr(OheLink) read = NULL;
	g_autoptr(OheLink) ghost = ohe_link_new ("user-1", "fitbit");
	g_autoptr(GBytes) token = g_bytes_new_static ("sealed", 6);
	const gchar *kinds[] = {"heart_rate", "steps", NULL};

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", &error));
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_no_error (error);
	ohe_clock_advance (clock, TEST_HOUR);
	ohe_link_set_external_user_id (link, "ext-42");
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	ohe_link_set_kinds (link, kinds);
	ohe_link_set_token (link, token);
	g_assert_true (ohe_store_update_link (store, link, &error));
	g_assert_no_error (error);

	read = ohe_store_get_link (store, ohe_link_get_id (link), &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_link_get_external_user_id (read), ==, "ext-42");
	g_assert_cmpint (ohe_link_get_state (read), ==, OHE_LINK_STATE_ACTIVE);
	g_assert_true (ohe_link_has_kind (read, "steps"));
	g_assert_true (g_bytes_equal (ohe_link_get_token (read), token));
	g_assert_cmpint (ohe_link_get_updated (read), ==, TEST_START_US + TEST_HOUR);

	g_assert_false (ohe_store_update_link (store, ghost, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
}

static void
test_store_oauth_states (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheStore) store = test_open_memory (clock);
	g_autoptr(GError) error = NULL;
	g_autoptr(OheLink) link = ohe_link_new ("user-1", "withings");
	g_autofree gchar *link_id = NULL;
	g_autofree gchar *verifier = NULL;
	g_autofree gchar *redirect = NULL;
	gint64 ten_minutes = 10 * 60 * G_USEC_PER_SEC;

	g_assert_true (ohe_store_add_user (store, "user-1", "Patient/p-1", &error));
	g_assert_true (ohe_store_add_link (store, link, &error));
	g_assert_true (ohe_store_add_oauth_state (store, "state-1", ohe_link_get_id (link),
						  "verifier-1", "http://localhost/cb", &error));
	g_assert_true (ohe_store_add_oauth_state (store, "state-2", ohe_link_get_id (link),
						  "verifier-2", "http://localhost/cb", &error));
	g_assert_no_error (error);

	g_assert_true (ohe_store_take_oauth_state (store, "state-1", ten_minutes, &link_id,
						   &verifier, &redirect, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (link_id, ==, ohe_link_get_id (link));
	g_assert_cmpstr (verifier, ==, "verifier-1");
	g_assert_cmpstr (redirect, ==, "http://localhost/cb");

	/* a state is good once */
	g_assert_false (ohe_store_take_oauth_state (store, "state-1", ten_minutes, &link_id,
						    &verifier, &redirect, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);

	/* and only for a while */
	ohe_clock_advance (clock, ten_minutes + 1);
	g_assert_false (ohe_store_take_oauth_state (store, "state-2", ten_minutes, &link_id,
						    &verifier, &redirect, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==,
			 "unknown, used or expired OAuth state: start the link again");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/store/migrate/empty", test_store_migrate_empty);
	g_test_add_func ("/store/migrate/from-first", test_store_migrate_from_first);
	g_test_add_func ("/store/migrate/from-previous", test_store_migrate_from_previous);
	g_test_add_func ("/store/migrate/fixture-v1", test_store_migrate_fixture);
	g_test_add_func ("/store/migrate/twice", test_store_migrate_twice);
	g_test_add_func ("/store/migrate/broken", test_store_migrate_broken);
	g_test_add_func ("/store/migrate/refuses", test_store_migrate_refuses);
	g_test_add_func ("/store/users", test_store_users);
	g_test_add_func ("/store/links", test_store_links);
	g_test_add_func ("/store/update-link", test_store_update_link);
	g_test_add_func ("/store/oauth-states", test_store_oauth_states);
	g_test_add_func ("/store/cursors", test_store_cursors);
	g_test_add_func ("/store/jobs", test_store_jobs);
	g_test_add_func ("/store/dead-letters", test_store_dead_letters);
	g_test_add_func ("/store/audit", test_store_audit);
	g_test_add_func ("/store/binding", test_store_binding);
	g_test_add_func ("/store/one-account", test_store_one_account);
	g_test_add_func ("/store/migrate/one-account", test_store_migrate_one_account);
	g_test_add_func ("/store/plugin-state", test_store_plugin_state);
	g_test_add_func ("/store/persist", test_store_persist);
	g_test_add_func ("/store/threads", test_store_threads);
	return g_test_run ();
}
