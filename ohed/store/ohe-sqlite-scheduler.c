/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-sqlite-store-private.h"

/*
 * The scheduler's tables of the embedded store (0010-scheduler.sql): users' sync
 * frequencies, the lease, the trigger marks and backfill progress. Each call is one
 * statement under the store's mutex, so it is atomic against the other threads, and SQLite
 * makes it atomic against the other processes sharing the file.
 */

static void
ohe_sqlite_scheduler_set_error (sqlite3 *db, GError **error, const gchar *what)
{
	gint rc = sqlite3_extended_errcode (db);
	OheError code = OHE_ERROR_STORE;

	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		code = OHE_ERROR_NOT_FOUND;
	else if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		code = OHE_ERROR_CONFLICT;
	else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		code = OHE_ERROR_INVALID_DATA;
	g_set_error (error, OHE_ERROR, code, "store: %s: %s", what, sqlite3_errmsg (db));
}

static sqlite3_stmt *
ohe_sqlite_scheduler_prepare (sqlite3 *db, const gchar *sql, const gchar *what, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		ohe_sqlite_scheduler_set_error (db, error, what);
		return NULL;
	}
	return stmt;
}

/* binds text (NULL binds SQL NULL) and integers in the order given by @types: 't' or 'i' */
static gboolean
ohe_sqlite_scheduler_bind (sqlite3_stmt *stmt, const gchar *types, ...)
{
	va_list args;
	gboolean ok = TRUE;

	va_start (args, types);
	for (gint i = 0; types[i] != '\0' && ok; i++) {
		if (types[i] == 't')
			ok = sqlite3_bind_text (stmt, i + 1, va_arg (args, const gchar *), -1,
						SQLITE_TRANSIENT) == SQLITE_OK;
		else
			ok = sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64)) == SQLITE_OK;
	}
	va_end (args);
	return ok;
}

static gchar *
ohe_sqlite_scheduler_get_frequency (OheStore *store, const gchar *user_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gchar *frequency = NULL;
	gint rc;

	stmt = ohe_sqlite_scheduler_prepare (db, "SELECT sync_frequency FROM users WHERE id = ?1",
					     "get sync frequency", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "t", user_id)) {
		ohe_sqlite_scheduler_set_error (db, error, "get sync frequency");
		goto out;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW)
		frequency = g_strdup ((const gchar *)sqlite3_column_text (stmt, 0));
	else if (rc == SQLITE_DONE)
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no user %s", user_id);
	else
		ohe_sqlite_scheduler_set_error (db, error, "get sync frequency");
out:
	ohe_sqlite_store_unlock (self);
	return frequency;
}

/* runs a statement that changes rows; @changes (nullable) gets how many */
static gboolean
ohe_sqlite_scheduler_run (
    sqlite3 *db, sqlite3_stmt *stmt, const gchar *what, gint *changes, GError **error)
{
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_scheduler_set_error (db, error, what);
		return FALSE;
	}
	if (changes != NULL)
		*changes = sqlite3_changes (db);
	return TRUE;
}

static gboolean
ohe_sqlite_scheduler_set_frequency (OheStore *store,
				    const gchar *user_id,
				    const gchar *frequency,
				    GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint changes = 0;
	gboolean ok = FALSE;

	stmt = ohe_sqlite_scheduler_prepare (
	    db, "UPDATE users SET sync_frequency = ?2 WHERE id = ?1", "set sync frequency", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "tt", user_id, frequency)) {
		ohe_sqlite_scheduler_set_error (db, error, "set sync frequency");
		goto out;
	}
	if (!ohe_sqlite_scheduler_run (db, stmt, "set sync frequency", &changes, error))
		goto out;
	if (changes == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no user %s", user_id);
		goto out;
	}
	ok = TRUE;
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

static gboolean
ohe_sqlite_scheduler_acquire_lease (OheStore *store,
				    const gchar *name,
				    const gchar *holder,
				    gint64 now_us,
				    gint64 ttl_us,
				    gboolean *held,
				    GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint changes = 0;
	gboolean ok = FALSE;

	/* free, expired or ours: one statement, so two processes cannot both win */
	stmt = ohe_sqlite_scheduler_prepare (
	    db,
	    "INSERT INTO scheduler_leases (name, holder, acquired_us, expires_us) "
	    "VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (name) DO UPDATE SET "
	    "acquired_us = CASE WHEN scheduler_leases.holder = excluded.holder "
	    "THEN scheduler_leases.acquired_us ELSE excluded.acquired_us END, "
	    "holder = excluded.holder, expires_us = excluded.expires_us "
	    "WHERE scheduler_leases.holder = excluded.holder OR "
	    "scheduler_leases.expires_us <= excluded.acquired_us",
	    "acquire lease", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "ttii", name, holder, now_us, now_us + ttl_us)) {
		ohe_sqlite_scheduler_set_error (db, error, "acquire lease");
		goto out;
	}
	if (!ohe_sqlite_scheduler_run (db, stmt, "acquire lease", &changes, error))
		goto out;
	*held = changes > 0;
	ok = TRUE;
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

static gboolean
ohe_sqlite_scheduler_release_lease (OheStore *store,
				    const gchar *name,
				    const gchar *holder,
				    GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gboolean ok = FALSE;

	stmt = ohe_sqlite_scheduler_prepare (
	    db, "DELETE FROM scheduler_leases WHERE name = ?1 AND holder = ?2", "release lease",
	    error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "tt", name, holder)) {
		ohe_sqlite_scheduler_set_error (db, error, "release lease");
		goto out;
	}
	ok = ohe_sqlite_scheduler_run (db, stmt, "release lease", NULL, error);
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

static gboolean
ohe_sqlite_scheduler_get_mark (
    OheStore *store, const gchar *name, gint64 *value_us, gboolean *found, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gboolean ok = FALSE;
	gint rc;

	stmt = ohe_sqlite_scheduler_prepare (
	    db, "SELECT value_us FROM scheduler_marks WHERE name = ?1", "get schedule mark", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "t", name)) {
		ohe_sqlite_scheduler_set_error (db, error, "get schedule mark");
		goto out;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW) {
		*value_us = sqlite3_column_int64 (stmt, 0);
		*found = TRUE;
	} else if (rc != SQLITE_DONE) {
		ohe_sqlite_scheduler_set_error (db, error, "get schedule mark");
		goto out;
	}
	ok = TRUE;
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

static gboolean
ohe_sqlite_scheduler_set_mark (OheStore *store, const gchar *name, gint64 value_us, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gboolean ok = FALSE;

	stmt = ohe_sqlite_scheduler_prepare (
	    db,
	    "INSERT INTO scheduler_marks (name, value_us, updated_us) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (name) DO UPDATE SET value_us = excluded.value_us, "
	    "updated_us = excluded.updated_us",
	    "set schedule mark", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "tii", name, value_us,
					ohe_sqlite_store_get_now (self))) {
		ohe_sqlite_scheduler_set_error (db, error, "set schedule mark");
		goto out;
	}
	ok = ohe_sqlite_scheduler_run (db, stmt, "set schedule mark", NULL, error);
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

static gboolean
ohe_sqlite_scheduler_start_backfill (OheStore *store,
				     const OheBackfillProgress *progress,
				     gboolean *started,
				     GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint64 now = ohe_sqlite_store_get_now (self);
	gint changes = 0;
	gboolean ok = FALSE;

	stmt = ohe_sqlite_scheduler_prepare (
	    db,
	    "INSERT INTO backfill_progress (link_id, window_start_us, window_end_us, "
	    "windows_total, started_us, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
	    "ON CONFLICT (link_id) DO NOTHING",
	    "start backfill", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "tiiii", progress->link_id, progress->window_start_us,
					progress->window_end_us, (gint64)progress->windows_total,
					now)) {
		ohe_sqlite_scheduler_set_error (db, error, "start backfill");
		goto out;
	}
	if (!ohe_sqlite_scheduler_run (db, stmt, "start backfill", &changes, error))
		goto out;
	*started = changes > 0;
	ok = TRUE;
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

/* one transaction: the window is counted only if it was not counted before */
static gboolean
ohe_sqlite_scheduler_add_backfill_progress (OheStore *store,
					    const gchar *link_id,
					    gint64 window_start_us,
					    guint64 measurements,
					    GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) mark = NULL;
	g_autoptr(sqlite3_stmt) count = NULL;
	gint changes = 0;
	gboolean ok = FALSE;

	if (measurements > G_MAXINT64) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "store: add backfill progress: count out of range");
		goto out;
	}
	if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		ohe_sqlite_scheduler_set_error (db, error, "add backfill progress");
		goto out;
	}
	mark = ohe_sqlite_scheduler_prepare (
	    db,
	    "INSERT OR IGNORE INTO backfill_windows_done (link_id, window_start_us) "
	    "SELECT link_id, ?2 FROM backfill_progress WHERE link_id = ?1",
	    "add backfill progress", error);
	if (mark == NULL)
		goto rollback;
	if (!ohe_sqlite_scheduler_bind (mark, "ti", link_id, window_start_us)) {
		ohe_sqlite_scheduler_set_error (db, error, "add backfill progress");
		goto rollback;
	}
	if (!ohe_sqlite_scheduler_run (db, mark, "add backfill progress", &changes, error))
		goto rollback;
	/* changes == 0: no backfill, or this window was counted already */
	count = ohe_sqlite_scheduler_prepare (
	    db,
	    "UPDATE backfill_progress SET "
	    "windows_done = MIN(windows_total, windows_done + ?2), "
	    "measurements = measurements + ?3, updated_us = ?4 WHERE link_id = ?1",
	    "add backfill progress", error);
	if (count == NULL)
		goto rollback;
	if (!ohe_sqlite_scheduler_bind (count, "tiii", link_id, (gint64)changes,
					changes > 0 ? (gint64)measurements : 0,
					ohe_sqlite_store_get_now (self))) {
		ohe_sqlite_scheduler_set_error (db, error, "add backfill progress");
		goto rollback;
	}
	if (!ohe_sqlite_scheduler_run (db, count, "add backfill progress", &changes, error))
		goto rollback;
	if (changes == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "store: link %s has no backfill", link_id);
		goto rollback;
	}
	if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		ohe_sqlite_scheduler_set_error (db, error, "add backfill progress");
		goto rollback;
	}
	ok = TRUE;
	goto out;
rollback:
	sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
out:
	ohe_sqlite_store_unlock (self);
	return ok;
}

static OheBackfillProgress *
ohe_sqlite_scheduler_get_backfill_progress (OheStore *store, const gchar *link_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	OheBackfillProgress *progress = NULL;
	gint rc;

	stmt = ohe_sqlite_scheduler_prepare (
	    db,
	    "SELECT window_start_us, window_end_us, windows_total, windows_done, measurements, "
	    "started_us, updated_us FROM backfill_progress WHERE link_id = ?1",
	    "get backfill progress", error);
	if (stmt == NULL)
		goto out;
	if (!ohe_sqlite_scheduler_bind (stmt, "t", link_id)) {
		ohe_sqlite_scheduler_set_error (db, error, "get backfill progress");
		goto out;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "store: link %s has no backfill", link_id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		ohe_sqlite_scheduler_set_error (db, error, "get backfill progress");
		goto out;
	}
	progress = ohe_backfill_progress_new (link_id);
	progress->window_start_us = sqlite3_column_int64 (stmt, 0);
	progress->window_end_us = sqlite3_column_int64 (stmt, 1);
	progress->windows_total = (guint)CLAMP (sqlite3_column_int64 (stmt, 2), 0, G_MAXUINT);
	progress->windows_done = (guint)CLAMP (sqlite3_column_int64 (stmt, 3), 0, G_MAXUINT);
	progress->measurements = (guint64)MAX (sqlite3_column_int64 (stmt, 4), 0);
	progress->started_us = sqlite3_column_int64 (stmt, 5);
	progress->updated_us = sqlite3_column_int64 (stmt, 6);
out:
	ohe_sqlite_store_unlock (self);
	return progress;
}

void
ohe_sqlite_scheduler_iface_init (OheStoreInterface *iface)
{
	iface->get_user_sync_frequency = ohe_sqlite_scheduler_get_frequency;
	iface->set_user_sync_frequency = ohe_sqlite_scheduler_set_frequency;
	iface->acquire_lease = ohe_sqlite_scheduler_acquire_lease;
	iface->release_lease = ohe_sqlite_scheduler_release_lease;
	iface->get_schedule_mark = ohe_sqlite_scheduler_get_mark;
	iface->set_schedule_mark = ohe_sqlite_scheduler_set_mark;
	iface->start_backfill = ohe_sqlite_scheduler_start_backfill;
	iface->add_backfill_progress = ohe_sqlite_scheduler_add_backfill_progress;
	iface->get_backfill_progress = ohe_sqlite_scheduler_get_backfill_progress;
}
