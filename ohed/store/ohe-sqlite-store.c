/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ohe-error.h"
#include "ohe-private-file.h"
#include "ohe-sqlite-store-private.h"

/*
 * The embedded store: one SQLite connection shared by all threads and serialised by a mutex.
 * The daemon's writes are small and few (cursors, job rows), so one connection is simpler
 * than a pool and cannot deadlock on SQLite's own locks within the process. Every outside
 * string is bound as a parameter; SQL text is always a literal.
 */
struct _OheSqliteStore {
	GObject parent_instance;
	sqlite3 *db;	       /* owned, protected by mutex */
	gchar *path;	       /* owned */
	gchar *migrations_dir; /* owned */
	OheClock *clock;       /* owned, protected by mutex */
	GMutex mutex;	       /* serialises every use of db */
};

static void
ohe_sqlite_store_iface_init (OheStoreInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OheSqliteStore,
			 ohe_sqlite_store,
			 G_TYPE_OBJECT,
			 G_IMPLEMENT_INTERFACE (OHE_TYPE_STORE, ohe_sqlite_store_iface_init))

/* how long a statement waits for another process (e.g. ohectl) holding the write lock */
#define OHE_SQLITE_STORE_BUSY_TIMEOUT_MS 5000

#define OHE_SQLITE_STORE_LINK_COLUMNS                                                              \
	"id, user_id, provider, external_user_id, state, kinds, token, created_us, updated_us"
#define OHE_SQLITE_STORE_JOB_COLUMNS                                                               \
	"id, link_id, provider, kinds, window_start_us, window_end_us, priority, reason, "         \
	"attempts, max_attempts, not_before_us, state, last_error, created_us, dedup_key"

static void
ohe_sqlite_store_set_error (OheSqliteStore *self, GError **error, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

/* maps the connection's last error to the OHE_ERROR domain; call with the mutex held */
static void
ohe_sqlite_store_set_error (OheSqliteStore *self, GError **error, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *what = NULL;
	gint rc = sqlite3_extended_errcode (self->db);
	OheError code = OHE_ERROR_STORE;

	va_start (args, format);
	what = g_strdup_vprintf (format, args);
	va_end (args);

	/* constraint failures are the caller's problem, not the database's: retrying is useless */
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		code = OHE_ERROR_CONFLICT;
	} else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "store: %s: a referenced object does not exist (%s)", what,
			     sqlite3_errmsg (self->db));
		return;
	} else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		code = OHE_ERROR_INVALID_DATA;
	}
	g_set_error (error, OHE_ERROR, code, "store: %s: %s", what, sqlite3_errmsg (self->db));
}

static sqlite3_stmt *
ohe_sqlite_store_prepare (OheSqliteStore *self, const gchar *sql, const gchar *what, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		ohe_sqlite_store_set_error (self, error, "%s", what);
		return NULL;
	}
	return stmt;
}

static gboolean
ohe_sqlite_store_exec (OheSqliteStore *self, const gchar *sql, const gchar *what, GError **error)
{
	if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		ohe_sqlite_store_set_error (self, error, "%s", what);
		return FALSE;
	}
	return TRUE;
}

static void
ohe_sqlite_store_rollback (OheSqliteStore *self)
{
	/* some errors (SQLITE_FULL, SQLITE_IOERR) already rolled the transaction back */
	if (!sqlite3_get_autocommit (self->db))
		sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
ohe_sqlite_store_bind_text (sqlite3_stmt *stmt, gint idx, const gchar *value)
{
	/* a NULL value binds SQL NULL */
	return sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static gboolean
ohe_sqlite_store_bind_int64 (sqlite3_stmt *stmt, gint idx, gint64 value)
{
	return sqlite3_bind_int64 (stmt, idx, value) == SQLITE_OK;
}

static gboolean
ohe_sqlite_store_bind_bytes (sqlite3_stmt *stmt, gint idx, GBytes *value)
{
	gsize size = 0;
	gconstpointer data;
	if (value == NULL)
		return sqlite3_bind_null (stmt, idx) == SQLITE_OK;
	data = g_bytes_get_data (value, &size);
	/* an empty blob must stay distinct from NULL, and SQLite stores a NULL pointer as NULL */
	if (size == 0)
		return sqlite3_bind_zeroblob (stmt, idx, 0) == SQLITE_OK;
	return sqlite3_bind_blob64 (stmt, idx, data, size, SQLITE_TRANSIENT) == SQLITE_OK;
}

static gchar *
ohe_sqlite_store_column_text (sqlite3_stmt *stmt, gint idx)
{
	return g_strdup ((const gchar *)sqlite3_column_text (stmt, idx));
}

static GBytes *
ohe_sqlite_store_column_bytes (sqlite3_stmt *stmt, gint idx)
{
	gconstpointer data;
	if (sqlite3_column_type (stmt, idx) == SQLITE_NULL)
		return NULL;
	data = sqlite3_column_blob (stmt, idx);
	return g_bytes_new (data, (gsize)sqlite3_column_bytes (stmt, idx));
}

/* steps a statement that returns no rows */
static gboolean
ohe_sqlite_store_step_done (OheSqliteStore *self,
			    sqlite3_stmt *stmt,
			    const gchar *what,
			    GError **error)
{
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "%s", what);
		return FALSE;
	}
	return TRUE;
}

static gint64
ohe_sqlite_store_now (OheSqliteStore *self)
{
	return ohe_clock_get_real (self->clock);
}

/* the connection for the peer files (ohe-sqlite-store-private.h) */
sqlite3 *
ohe_sqlite_store_lock (OheSqliteStore *self)
{
	g_mutex_lock (&self->mutex);
	return self->db;
}

void
ohe_sqlite_store_unlock (OheSqliteStore *self)
{
	g_mutex_unlock (&self->mutex);
}

gint64
ohe_sqlite_store_get_now (OheSqliteStore *self)
{
	return ohe_sqlite_store_now (self);
}

void
ohe_sqlite_store_set_db_error (OheSqliteStore *self, GError **error, const gchar *what)
{
	ohe_sqlite_store_set_error (self, error, "%s", what);
}

/*
 * Kinds are stored as one comma-separated text column: they are short identifiers, always
 * read and written as a whole, and never queried by element.
 */
static gchar *
ohe_sqlite_store_kinds_to_text (GStrv kinds, const gchar *what, GError **error)
{
	for (guint i = 0; kinds != NULL && kinds[i] != NULL; i++) {
		if (kinds[i][0] == '\0' || strchr (kinds[i], ',') != NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "store: %s: invalid kind name '%s'", what, kinds[i]);
			return NULL;
		}
	}
	if (kinds == NULL)
		return g_strdup ("");
	return g_strjoinv (",", kinds);
}

static GStrv
ohe_sqlite_store_kinds_from_text (const gchar *text)
{
	if (text == NULL || text[0] == '\0')
		return g_new0 (gchar *, 1);
	return g_strsplit (text, ",", -1);
}

/* migrations */

static gint
ohe_sqlite_store_compare_names (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/*
 * Returns the file names NNNN-description.sql in version order, checking that the versions
 * run 1, 2, 3... without gaps or repeats: a missing file would otherwise leave a database
 * silently behind, and two files with one number would be applied in an arbitrary order.
 */
static GPtrArray *
ohe_sqlite_store_list_migrations (const gchar *dir, GError **error)
{
	const gchar *name;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GDir) gdir = g_dir_open (dir, 0, &error_local);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

	if (gdir == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: migrations: %s",
			     error_local->message);
		return NULL;
	}
	while ((name = g_dir_read_name (gdir)) != NULL) {
		gsize len = strlen (name);
		gboolean valid;
		if (!g_str_has_suffix (name, ".sql"))
			continue;
		valid = len > strlen ("0000-.sql") && name[4] == '-';
		for (guint i = 0; valid && i < 4; i++)
			valid = g_ascii_isdigit (name[i]);
		if (!valid) {
			g_set_error (
			    error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			    "store: migrations in %s: %s is not named NNNN-description.sql", dir,
			    name);
			return NULL;
		}
		g_ptr_array_add (names, g_strdup (name));
	}
	if (names->len == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "store: migrations: no NNNN-description.sql files in %s", dir);
		return NULL;
	}
	/* four digits first, so the byte order is the version order */
	g_ptr_array_sort (names, ohe_sqlite_store_compare_names);
	for (guint i = 0; i < names->len; i++) {
		const gchar *file = g_ptr_array_index (names, i);
		guint version = (guint)g_ascii_strtoull (file, NULL, 10);
		if (version != i + 1) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "store: migrations in %s: expected version %04u, found %s",
				     dir, i + 1, file);
			return NULL;
		}
	}
	return g_steal_pointer (&names);
}

static gint
ohe_sqlite_store_read_version (OheSqliteStore *self, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt =
	    ohe_sqlite_store_prepare (self, "SELECT COALESCE(MAX(version), 0) FROM schema_version",
				      "read schema version", error);
	if (stmt == NULL)
		return -1;
	if (sqlite3_step (stmt) != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "read schema version");
		return -1;
	}
	return sqlite3_column_int (stmt, 0);
}

static gboolean
ohe_sqlite_store_record_version (OheSqliteStore *self,
				 gint version,
				 const gchar *name,
				 GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	stmt = ohe_sqlite_store_prepare (
	    self, "INSERT INTO schema_version (version, name, applied_us) VALUES (?1, ?2, ?3)",
	    "record schema version", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_int64 (stmt, 1, version) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, name) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 3, ohe_sqlite_store_now (self))) {
		ohe_sqlite_store_set_error (self, error, "migration %s", name);
		return FALSE;
	}
	return ohe_sqlite_store_step_done (self, stmt, "record schema version", error);
}

/* applies one migration file in its own transaction; call with the mutex held */
static gboolean
ohe_sqlite_store_apply_migration (OheSqliteStore *self,
				  gint version,
				  const gchar *name,
				  GError **error)
{
	g_autofree gchar *path = g_build_filename (self->migrations_dir, name, NULL);
	g_autofree gchar *sql = NULL;
	g_autoptr(GError) error_local = NULL;
	gchar *errmsg = NULL;
	gint current;

	if (!g_file_get_contents (path, &sql, NULL, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: migration %s: %s", name,
			     error_local->message);
		return FALSE;
	}

	/* IMMEDIATE takes the write lock at once, so two processes starting on one database
	 * file cannot both apply the same version; the loser sees it applied and skips it */
	if (!ohe_sqlite_store_exec (self, "BEGIN IMMEDIATE", "begin migration", error))
		return FALSE;
	current = ohe_sqlite_store_read_version (self, error);
	if (current < 0) {
		ohe_sqlite_store_rollback (self);
		return FALSE;
	}
	if (current >= version)
		return ohe_sqlite_store_exec (self, "COMMIT", "commit migration", error);

	if (sqlite3_exec (self->db, sql, NULL, NULL, &errmsg) != SQLITE_OK) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: migration %s: %s", name,
			     errmsg != NULL ? errmsg : sqlite3_errmsg (self->db));
		sqlite3_free (errmsg);
		ohe_sqlite_store_rollback (self);
		return FALSE;
	}
	if (!ohe_sqlite_store_record_version (self, version, name, error)) {
		ohe_sqlite_store_rollback (self);
		return FALSE;
	}
	if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		ohe_sqlite_store_set_error (self, error, "migration %s: commit", name);
		ohe_sqlite_store_rollback (self);
		return FALSE;
	}
	g_debug ("store: applied migration %s", name);
	return TRUE;
}

static gboolean
ohe_sqlite_store_migrate (OheStore *store, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(GPtrArray) names = NULL;
	gint current;

	names = ohe_sqlite_store_list_migrations (self->migrations_dir, error);
	if (names == NULL)
		return FALSE;

	locker = g_mutex_locker_new (&self->mutex);
	/* the migrator's own bookkeeping, so it exists before version 1 is applied */
	if (!ohe_sqlite_store_exec (self,
				    "CREATE TABLE IF NOT EXISTS schema_version ("
				    "version INTEGER PRIMARY KEY NOT NULL, "
				    "name TEXT NOT NULL, "
				    "applied_us INTEGER NOT NULL)",
				    "create schema_version", error))
		return FALSE;
	current = ohe_sqlite_store_read_version (self, error);
	if (current < 0)
		return FALSE;
	/* an older daemon must not write to a schema it does not know, e.g. after a rollback
	 * of the package */
	if ((guint)current > names->len) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE,
			     "store: database %s has schema version %d, newer than the %u known "
			     "in %s",
			     self->path, current, names->len, self->migrations_dir);
		return FALSE;
	}
	for (guint i = (guint)current; i < names->len; i++) {
		if (!ohe_sqlite_store_apply_migration (self, (gint)i + 1,
						       g_ptr_array_index (names, i), error))
			return FALSE;
	}
	return TRUE;
}

static gint
ohe_sqlite_store_get_schema_version (OheStore *store, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	return ohe_sqlite_store_read_version (self, error);
}

/* users */

static gboolean
ohe_sqlite_store_add_user (OheStore *store,
			   const gchar *user_id,
			   const gchar *patient_reference,
			   GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (
	    self, "INSERT INTO users (id, patient_reference, created_us) VALUES (?1, ?2, ?3)",
	    "add user", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, user_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, patient_reference) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 3, ohe_sqlite_store_now (self))) {
		ohe_sqlite_store_set_error (self, error, "add user %s", user_id);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "add user %s", user_id);
		return FALSE;
	}
	return TRUE;
}

static gchar *
ohe_sqlite_store_get_patient_reference (OheStore *store, const gchar *user_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	stmt = ohe_sqlite_store_prepare (self, "SELECT patient_reference FROM users WHERE id = ?1",
					 "get patient reference", error);
	if (stmt == NULL)
		return NULL;
	if (!ohe_sqlite_store_bind_text (stmt, 1, user_id)) {
		ohe_sqlite_store_set_error (self, error, "get patient reference");
		return NULL;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no user %s", user_id);
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "get patient reference");
		return NULL;
	}
	return ohe_sqlite_store_column_text (stmt, 0);
}

/* links */

/* columns in the order of OHE_SQLITE_STORE_LINK_COLUMNS */
static OheLink *
ohe_sqlite_store_link_from_row (sqlite3_stmt *stmt, GError **error)
{
	const gchar *id = (const gchar *)sqlite3_column_text (stmt, 0);
	const gchar *state_name = (const gchar *)sqlite3_column_text (stmt, 4);
	OheLinkState state = ohe_link_state_from_string (state_name);
	g_autoptr(OheLink) link = NULL;
	g_auto(GStrv) kinds = NULL;
	g_autoptr(GBytes) token = NULL;

	if (id == NULL || state == OHE_LINK_STATE_LAST) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "store: link %s has an invalid state '%s'", id != NULL ? id : "(null)",
			     state_name != NULL ? state_name : "(null)");
		return NULL;
	}
	link = ohe_link_new ((const gchar *)sqlite3_column_text (stmt, 1),
			     (const gchar *)sqlite3_column_text (stmt, 2));
	ohe_link_set_id (link, id);
	ohe_link_set_external_user_id (link, (const gchar *)sqlite3_column_text (stmt, 3));
	ohe_link_set_state (link, state);
	kinds = ohe_sqlite_store_kinds_from_text ((const gchar *)sqlite3_column_text (stmt, 5));
	ohe_link_set_kinds (link, (const gchar *const *)kinds);
	token = ohe_sqlite_store_column_bytes (stmt, 6);
	ohe_link_set_token (link, token);
	ohe_link_set_created (link, sqlite3_column_int64 (stmt, 7));
	ohe_link_set_updated (link, sqlite3_column_int64 (stmt, 8));
	return g_steal_pointer (&link);
}

/* reads every row of a links query; call with the mutex held */
static GPtrArray *
ohe_sqlite_store_read_links (OheSqliteStore *self,
			     sqlite3_stmt *stmt,
			     const gchar *what,
			     GError **error)
{
	g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_object_unref);
	gint rc;
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
		OheLink *link = ohe_sqlite_store_link_from_row (stmt, error);
		if (link == NULL)
			return NULL;
		g_ptr_array_add (links, link);
	}
	if (rc != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "%s", what);
		return NULL;
	}
	return g_steal_pointer (&links);
}

/* the link states that hold a provider account (see 0006-one-account-one-patient.sql) */
#define OHE_SQLITE_STORE_HOLDING_STATES "('active', 'needs_reconsent', 'error')"

/*
 * After a write of @link failed: if the index links_one_account refused it, names the link
 * that holds the provider account and its EHR user; otherwise maps the error as usual. Call
 * with the mutex held, right after the failed step.
 */
static void
ohe_sqlite_store_set_link_error (OheSqliteStore *self,
				 OheLink *link,
				 const gchar *what,
				 GError **error)
{
	const gchar *external_user_id = ohe_link_get_external_user_id (link);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	if (sqlite3_extended_errcode (self->db) != SQLITE_CONSTRAINT_UNIQUE ||
	    external_user_id == NULL) {
		ohe_sqlite_store_set_error (self, error, "%s %s", what, ohe_link_get_id (link));
		return;
	}
	if (sqlite3_prepare_v2 (self->db,
				"SELECT id, user_id FROM links WHERE provider = ?1 AND "
				"external_user_id = ?2 AND id <> ?3 AND "
				"state IN " OHE_SQLITE_STORE_HOLDING_STATES " LIMIT 1",
				-1, &stmt, NULL) != SQLITE_OK ||
	    !ohe_sqlite_store_bind_text (stmt, 1, ohe_link_get_provider (link)) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, external_user_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, ohe_link_get_id (link)) ||
	    sqlite3_step (stmt) != SQLITE_ROW) {
		/* another unique constraint, e.g. one link per user and provider */
		g_clear_pointer (&stmt, sqlite3_finalize);
		g_set_error (error, OHE_ERROR, OHE_ERROR_CONFLICT,
			     "store: %s %s: user %s already has a %s link", what,
			     ohe_link_get_id (link), ohe_link_get_user_id (link),
			     ohe_link_get_provider (link));
		return;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_CONFLICT,
		     "store: %s %s: %s account %s is already linked to user %s (link %s)", what,
		     ohe_link_get_id (link), ohe_link_get_provider (link), external_user_id,
		     (const gchar *)sqlite3_column_text (stmt, 1),
		     (const gchar *)sqlite3_column_text (stmt, 0));
}

static gboolean
ohe_sqlite_store_add_link (OheStore *store, OheLink *link, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree gchar *kinds = NULL;
	gint64 now = ohe_sqlite_store_now (self);
	const gchar *id = ohe_link_get_id (link);

	if (ohe_link_get_user_id (link) == NULL || ohe_link_get_provider (link) == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "store: add link %s: user and provider are required", id);
		return FALSE;
	}
	kinds = ohe_sqlite_store_kinds_to_text (ohe_link_get_kinds (link), "add link", error);
	if (kinds == NULL)
		return FALSE;
	if (ohe_link_get_created (link) == 0)
		ohe_link_set_created (link, now);
	if (ohe_link_get_updated (link) == 0)
		ohe_link_set_updated (link, now);

	stmt = ohe_sqlite_store_prepare (self,
					 "INSERT INTO links (" OHE_SQLITE_STORE_LINK_COLUMNS ") "
					 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
					 "add link", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, ohe_link_get_user_id (link)) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, ohe_link_get_provider (link)) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, ohe_link_get_external_user_id (link)) ||
	    !ohe_sqlite_store_bind_text (stmt, 5,
					 ohe_link_state_to_string (ohe_link_get_state (link))) ||
	    !ohe_sqlite_store_bind_text (stmt, 6, kinds) ||
	    !ohe_sqlite_store_bind_bytes (stmt, 7, ohe_link_get_token (link)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 8, ohe_link_get_created (link)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 9, ohe_link_get_updated (link))) {
		ohe_sqlite_store_set_error (self, error, "add link %s", id);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_link_error (self, link, "add link", error);
		return FALSE;
	}
	return TRUE;
}

static OheLink *
ohe_sqlite_store_get_link (OheStore *store, const gchar *link_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	stmt = ohe_sqlite_store_prepare (
	    self, "SELECT " OHE_SQLITE_STORE_LINK_COLUMNS " FROM links WHERE id = ?1", "get link",
	    error);
	if (stmt == NULL)
		return NULL;
	if (!ohe_sqlite_store_bind_text (stmt, 1, link_id)) {
		ohe_sqlite_store_set_error (self, error, "get link");
		return NULL;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no link %s", link_id);
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "get link %s", link_id);
		return NULL;
	}
	return ohe_sqlite_store_link_from_row (stmt, error);
}

static GPtrArray *
ohe_sqlite_store_find_links (OheStore *store,
			     const gchar *provider,
			     const gchar *external_user_id,
			     GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (self,
					 "SELECT " OHE_SQLITE_STORE_LINK_COLUMNS " FROM links "
					 "WHERE provider = ?1 AND external_user_id = ?2 "
					 "ORDER BY created_us, rowid",
					 "find links", error);
	if (stmt == NULL)
		return NULL;
	if (!ohe_sqlite_store_bind_text (stmt, 1, provider) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, external_user_id)) {
		ohe_sqlite_store_set_error (self, error, "find links");
		return NULL;
	}
	return ohe_sqlite_store_read_links (self, stmt, "find links", error);
}

static GPtrArray *
ohe_sqlite_store_list_links (OheStore *store, const gchar *provider, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (self,
					 "SELECT " OHE_SQLITE_STORE_LINK_COLUMNS " FROM links "
					 "WHERE ?1 IS NULL OR provider = ?1 "
					 "ORDER BY created_us, rowid",
					 "list links", error);
	if (stmt == NULL)
		return NULL;
	if (!ohe_sqlite_store_bind_text (stmt, 1, provider)) {
		ohe_sqlite_store_set_error (self, error, "list links");
		return NULL;
	}
	return ohe_sqlite_store_read_links (self, stmt, "list links", error);
}

/* runs an UPDATE or DELETE of one link; NOT_FOUND when no row matched */
static gboolean
ohe_sqlite_store_change_link (OheSqliteStore *self,
			      sqlite3_stmt *stmt,
			      const gchar *link_id,
			      const gchar *what,
			      GError **error)
{
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "%s %s", what, link_id);
		return FALSE;
	}
	if (sqlite3_changes (self->db) == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: %s: no link %s", what,
			     link_id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_sqlite_store_update_link_state (OheStore *store,
				    const gchar *link_id,
				    OheLinkState state,
				    GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (
	    self, "UPDATE links SET state = ?1, updated_us = ?2 WHERE id = ?3", "update link state",
	    error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, ohe_link_state_to_string (state)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 2, ohe_sqlite_store_now (self)) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, link_id)) {
		ohe_sqlite_store_set_error (self, error, "update link state %s", link_id);
		return FALSE;
	}
	return ohe_sqlite_store_change_link (self, stmt, link_id, "update link state", error);
}

static gboolean
ohe_sqlite_store_set_link_token (OheStore *store,
				 const gchar *link_id,
				 GBytes *token,
				 GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (
	    self, "UPDATE links SET token = ?1, updated_us = ?2 WHERE id = ?3", "set link token",
	    error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_bytes (stmt, 1, token) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 2, ohe_sqlite_store_now (self)) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, link_id)) {
		ohe_sqlite_store_set_error (self, error, "set link token %s", link_id);
		return FALSE;
	}
	return ohe_sqlite_store_change_link (self, stmt, link_id, "set link token", error);
}

static gboolean
ohe_sqlite_store_delete_link (OheStore *store, const gchar *link_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	/* the cursors go with it through ON DELETE CASCADE */
	stmt = ohe_sqlite_store_prepare (self, "DELETE FROM links WHERE id = ?1", "delete link",
					 error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, link_id)) {
		ohe_sqlite_store_set_error (self, error, "delete link %s", link_id);
		return FALSE;
	}
	return ohe_sqlite_store_change_link (self, stmt, link_id, "delete link", error);
}

/* cursors */

static gchar *
ohe_sqlite_store_get_cursor (OheStore *store,
			     const gchar *link_id,
			     const gchar *stream,
			     GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	stmt = ohe_sqlite_store_prepare (
	    self, "SELECT cursor FROM cursors WHERE link_id = ?1 AND stream = ?2", "get cursor",
	    error);
	if (stmt == NULL)
		return NULL;
	if (!ohe_sqlite_store_bind_text (stmt, 1, link_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, stream)) {
		ohe_sqlite_store_set_error (self, error, "get cursor %s/%s", link_id, stream);
		return NULL;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE)
		return NULL;
	if (rc != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "get cursor %s/%s", link_id, stream);
		return NULL;
	}
	return ohe_sqlite_store_column_text (stmt, 0);
}

static gboolean
ohe_sqlite_store_set_cursor (
    OheStore *store, const gchar *link_id, const gchar *stream, const gchar *cursor, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	if (cursor == NULL) {
		stmt = ohe_sqlite_store_prepare (
		    self, "DELETE FROM cursors WHERE link_id = ?1 AND stream = ?2", "reset cursor",
		    error);
	} else {
		stmt = ohe_sqlite_store_prepare (
		    self,
		    "INSERT INTO cursors (link_id, stream, cursor, updated_us) "
		    "VALUES (?1, ?2, ?3, ?4) "
		    "ON CONFLICT (link_id, stream) DO UPDATE SET "
		    "cursor = excluded.cursor, updated_us = excluded.updated_us",
		    "set cursor", error);
	}
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, link_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, stream) ||
	    (cursor != NULL &&
	     (!ohe_sqlite_store_bind_text (stmt, 3, cursor) ||
	      !ohe_sqlite_store_bind_int64 (stmt, 4, ohe_sqlite_store_now (self))))) {
		ohe_sqlite_store_set_error (self, error, "set cursor %s/%s", link_id, stream);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "set cursor %s/%s", link_id, stream);
		return FALSE;
	}
	return TRUE;
}

/* plugin state */

static gchar *
ohe_sqlite_store_get_plugin_state (OheStore *store,
				   const gchar *plugin,
				   const gchar *key,
				   GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	stmt = ohe_sqlite_store_prepare (
	    self, "SELECT value FROM plugin_state WHERE plugin = ?1 AND key = ?2",
	    "get plugin state", error);
	if (stmt == NULL)
		return NULL;
	if (!ohe_sqlite_store_bind_text (stmt, 1, plugin) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, key)) {
		ohe_sqlite_store_set_error (self, error, "get plugin state %s/%s", plugin, key);
		return NULL;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE)
		return NULL;
	if (rc != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "get plugin state %s/%s", plugin, key);
		return NULL;
	}
	return ohe_sqlite_store_column_text (stmt, 0);
}

static gboolean
ohe_sqlite_store_set_plugin_state (
    OheStore *store, const gchar *plugin, const gchar *key, const gchar *value, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	if (value == NULL) {
		stmt = ohe_sqlite_store_prepare (
		    self, "DELETE FROM plugin_state WHERE plugin = ?1 AND key = ?2",
		    "forget plugin state", error);
	} else {
		stmt = ohe_sqlite_store_prepare (
		    self,
		    "INSERT INTO plugin_state (plugin, key, value, updated_us) "
		    "VALUES (?1, ?2, ?3, ?4) "
		    "ON CONFLICT (plugin, key) DO UPDATE SET "
		    "value = excluded.value, updated_us = excluded.updated_us",
		    "set plugin state", error);
	}
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, plugin) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, key) ||
	    (value != NULL &&
	     (!ohe_sqlite_store_bind_text (stmt, 3, value) ||
	      !ohe_sqlite_store_bind_int64 (stmt, 4, ohe_sqlite_store_now (self))))) {
		ohe_sqlite_store_set_error (self, error, "set plugin state %s/%s", plugin, key);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "set plugin state %s/%s", plugin, key);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_sqlite_store_update_link (OheStore *store, OheLink *link, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree gchar *kinds = NULL;
	const gchar *id = ohe_link_get_id (link);
	gint64 now = ohe_sqlite_store_now (self);

	kinds = ohe_sqlite_store_kinds_to_text (ohe_link_get_kinds (link), "update link", error);
	if (kinds == NULL)
		return FALSE;
	stmt = ohe_sqlite_store_prepare (self,
					 "UPDATE links SET external_user_id = ?2, state = ?3, "
					 "kinds = ?4, token = ?5, updated_us = ?6 WHERE id = ?1",
					 "update link", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, ohe_link_get_external_user_id (link)) ||
	    !ohe_sqlite_store_bind_text (stmt, 3,
					 ohe_link_state_to_string (ohe_link_get_state (link))) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, kinds) ||
	    !ohe_sqlite_store_bind_bytes (stmt, 5, ohe_link_get_token (link)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 6, now)) {
		ohe_sqlite_store_set_error (self, error, "update link %s", id);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_link_error (self, link, "update link", error);
		return FALSE;
	}
	if (sqlite3_changes (self->db) == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no link %s", id);
		return FALSE;
	}
	ohe_link_set_updated (link, now);
	return TRUE;
}

/* OAuth2 authorizations in progress */

static gboolean
ohe_sqlite_store_add_oauth_state (OheStore *store,
				  const gchar *state,
				  const gchar *link_id,
				  const gchar *code_verifier,
				  const gchar *redirect_uri,
				  GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (self,
					 "INSERT INTO oauth_states (state, link_id, code_verifier, "
					 "redirect_uri, created_us) VALUES (?1, ?2, ?3, ?4, ?5)",
					 "add oauth state", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, state) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, link_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, code_verifier) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, redirect_uri) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 5, ohe_sqlite_store_now (self))) {
		ohe_sqlite_store_set_error (self, error, "add oauth state for link %s", link_id);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "add oauth state for link %s", link_id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_sqlite_store_take_oauth_state (OheStore *store,
				   const gchar *state,
				   gint64 max_age_us,
				   gchar **link_id,
				   gchar **code_verifier,
				   gchar **redirect_uri,
				   GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) select = NULL;
	g_autoptr(sqlite3_stmt) delete = NULL;
	gint64 now = ohe_sqlite_store_now (self);
	gint rc;

	select =
	    ohe_sqlite_store_prepare (self,
				      "SELECT link_id, code_verifier, redirect_uri, created_us "
				      "FROM oauth_states WHERE state = ?1",
				      "take oauth state", error);
	delete = ohe_sqlite_store_prepare (
	    self, "DELETE FROM oauth_states WHERE state = ?1 OR created_us < ?2",
	    "take oauth state", error);
	if (select == NULL || delete == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (select, 1, state) ||
	    !ohe_sqlite_store_bind_text (delete, 1, state) ||
	    !ohe_sqlite_store_bind_int64 (delete, 2, now - max_age_us)) {
		ohe_sqlite_store_set_error (self, error, "take oauth state");
		return FALSE;
	}
	rc = sqlite3_step (select);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "take oauth state");
		return FALSE;
	}
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int64 (select, 3) < now - max_age_us)
			rc = SQLITE_DONE;
		else {
			*link_id = g_strdup ((const gchar *)sqlite3_column_text (select, 0));
			*code_verifier = g_strdup ((const gchar *)sqlite3_column_text (select, 1));
			*redirect_uri = g_strdup ((const gchar *)sqlite3_column_text (select, 2));
		}
	}
	/* a state is good for one redirect; expired ones go at the same time */
	if (sqlite3_step (delete) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "take oauth state");
		return FALSE;
	}
	if (rc == SQLITE_DONE) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
				     "unknown, used or expired OAuth state: start the link again");
		return FALSE;
	}
	return TRUE;
}

/* jobs */

/* columns in the order of OHE_SQLITE_STORE_JOB_COLUMNS */
static OheJob *
ohe_sqlite_store_job_from_row (sqlite3_stmt *stmt, GError **error)
{
	const gchar *id = (const gchar *)sqlite3_column_text (stmt, 0);
	gint64 priority = sqlite3_column_int64 (stmt, 6);
	gint64 attempts = sqlite3_column_int64 (stmt, 8);
	gint64 max_attempts = sqlite3_column_int64 (stmt, 9);
	const gchar *state_name = (const gchar *)sqlite3_column_text (stmt, 11);
	OheJobState state = ohe_job_state_from_string (state_name);
	g_autoptr(OheJob) job = NULL;
	g_auto(GStrv) kinds = NULL;

	/* the schema's CHECKs make these impossible unless someone edited the file by hand */
	if (id == NULL || state == OHE_JOB_STATE_LAST || priority < 0 ||
	    priority >= OHE_JOB_PRIORITY_LAST || attempts < 0 || attempts > G_MAXUINT ||
	    max_attempts < 1 || max_attempts > G_MAXUINT) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "store: job %s has an invalid priority, state or attempt count",
			     id != NULL ? id : "(null)");
		return NULL;
	}
	job = ohe_job_new ((const gchar *)sqlite3_column_text (stmt, 1),
			   (const gchar *)sqlite3_column_text (stmt, 2), (OheJobPriority)priority);
	ohe_job_set_id (job, id);
	kinds = ohe_sqlite_store_kinds_from_text ((const gchar *)sqlite3_column_text (stmt, 3));
	ohe_job_set_kinds (job, (const gchar *const *)kinds);
	ohe_job_set_window (job, sqlite3_column_int64 (stmt, 4), sqlite3_column_int64 (stmt, 5));
	ohe_job_set_reason (job, (const gchar *)sqlite3_column_text (stmt, 7));
	ohe_job_set_attempts (job, (guint)attempts);
	ohe_job_set_max_attempts (job, (guint)max_attempts);
	ohe_job_set_not_before (job, sqlite3_column_int64 (stmt, 10));
	ohe_job_set_state (job, state);
	ohe_job_set_last_error (job, (const gchar *)sqlite3_column_text (stmt, 12));
	ohe_job_set_created (job, sqlite3_column_int64 (stmt, 13));
	ohe_job_set_dedup_key (job, (const gchar *)sqlite3_column_text (stmt, 14));
	return g_steal_pointer (&job);
}

static gboolean
ohe_sqlite_store_save_job (OheStore *store, OheJob *job, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree gchar *kinds = NULL;
	const gchar *id = ohe_job_get_id (job);

	if (id == NULL || ohe_job_get_link_id (job) == NULL || ohe_job_get_provider (job) == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "store: save job %s: id, link and provider are required",
			     id != NULL ? id : "(null)");
		return FALSE;
	}
	kinds = ohe_sqlite_store_kinds_to_text (ohe_job_get_kinds (job), "save job", error);
	if (kinds == NULL)
		return FALSE;
	stmt = ohe_sqlite_store_prepare (
	    self,
	    "INSERT INTO jobs (" OHE_SQLITE_STORE_JOB_COLUMNS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
	    "ON CONFLICT (id) DO UPDATE SET "
	    "link_id = excluded.link_id, provider = excluded.provider, kinds = excluded.kinds, "
	    "window_start_us = excluded.window_start_us, window_end_us = excluded.window_end_us, "
	    "priority = excluded.priority, reason = excluded.reason, "
	    "attempts = excluded.attempts, max_attempts = excluded.max_attempts, "
	    "not_before_us = excluded.not_before_us, state = excluded.state, "
	    "last_error = excluded.last_error, created_us = excluded.created_us, "
	    "dedup_key = excluded.dedup_key",
	    "save job", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, ohe_job_get_link_id (job)) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, ohe_job_get_provider (job)) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, kinds) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 5, ohe_job_get_window_start (job)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 6, ohe_job_get_window_end (job)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 7, ohe_job_get_priority (job)) ||
	    !ohe_sqlite_store_bind_text (stmt, 8, ohe_job_get_reason (job)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 9, ohe_job_get_attempts (job)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 10, ohe_job_get_max_attempts (job)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 11, ohe_job_get_not_before (job)) ||
	    !ohe_sqlite_store_bind_text (stmt, 12,
					 ohe_job_state_to_string (ohe_job_get_state (job))) ||
	    !ohe_sqlite_store_bind_text (stmt, 13, ohe_job_get_last_error (job)) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 14, ohe_job_get_created (job)) ||
	    !ohe_sqlite_store_bind_text (stmt, 15, ohe_job_get_dedup_key (job))) {
		ohe_sqlite_store_set_error (self, error, "save job %s", id);
		return FALSE;
	}
	if (sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "save job %s", id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_sqlite_store_delete_job (OheStore *store, const gchar *job_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt =
	    ohe_sqlite_store_prepare (self, "DELETE FROM jobs WHERE id = ?1", "delete job", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, job_id)) {
		ohe_sqlite_store_set_error (self, error, "delete job %s", job_id);
		return FALSE;
	}
	return ohe_sqlite_store_step_done (self, stmt, "delete job", error);
}

static GPtrArray *
ohe_sqlite_store_list_jobs (OheStore *store, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
	gint rc;

	stmt = ohe_sqlite_store_prepare (self,
					 "SELECT " OHE_SQLITE_STORE_JOB_COLUMNS " FROM jobs "
					 "ORDER BY priority, not_before_us, created_us, rowid",
					 "list jobs", error);
	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
		OheJob *job = ohe_sqlite_store_job_from_row (stmt, error);
		if (job == NULL)
			return NULL;
		g_ptr_array_add (jobs, job);
	}
	if (rc != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "list jobs");
		return NULL;
	}
	return g_steal_pointer (&jobs);
}

/* dead letters */

static gboolean
ohe_sqlite_store_add_dead_letter (OheStore *store,
				  const gchar *job_id,
				  const gchar *link_id,
				  const gchar *item,
				  const gchar *reason,
				  GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree gchar *id = g_uuid_string_random ();

	stmt = ohe_sqlite_store_prepare (self,
					 "INSERT OR IGNORE INTO dead_letters "
					 "(id, job_id, link_id, item, reason, created_us) "
					 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
					 "add dead letter", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, job_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, link_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, item) ||
	    !ohe_sqlite_store_bind_text (stmt, 5, reason) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 6, ohe_sqlite_store_now (self))) {
		ohe_sqlite_store_set_error (self, error, "add dead letter");
		return FALSE;
	}
	return ohe_sqlite_store_step_done (self, stmt, "add dead letter", error);
}

/* job outcomes */

static gboolean
ohe_sqlite_store_add_job_outcome (OheStore *store,
				  const gchar *job_id,
				  const gchar *link_id,
				  const gchar *kind,
				  const gchar *outcome,
				  guint64 count,
				  GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (
	    self,
	    "INSERT INTO job_outcomes (job_id, link_id, kind, outcome, count, updated_us) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (job_id, kind, outcome) DO UPDATE SET "
	    "count = count + excluded.count, updated_us = excluded.updated_us",
	    "add job outcome", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_text (stmt, 1, job_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, link_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, kind) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, outcome) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 5, (gint64)count) ||
	    !ohe_sqlite_store_bind_int64 (stmt, 6, ohe_sqlite_store_now (self))) {
		ohe_sqlite_store_set_error (self, error, "add job outcome");
		return FALSE;
	}
	return ohe_sqlite_store_step_done (self, stmt, "add job outcome", error);
}

static gint64
ohe_sqlite_store_get_job_outcome (
    OheStore *store, const gchar *job_id, const gchar *kind, const gchar *outcome, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	stmt = ohe_sqlite_store_prepare (self,
					 "SELECT count FROM job_outcomes "
					 "WHERE job_id = ?1 AND kind = ?2 AND outcome = ?3",
					 "get job outcome", error);
	if (stmt == NULL)
		return -1;
	if (!ohe_sqlite_store_bind_text (stmt, 1, job_id) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, kind) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, outcome)) {
		ohe_sqlite_store_set_error (self, error, "get job outcome");
		return -1;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "get job outcome");
		return -1;
	}
	return sqlite3_column_int64 (stmt, 0);
}

static GPtrArray *
ohe_sqlite_store_list_dead_letters (OheStore *store, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) letters = g_ptr_array_new_with_free_func (g_object_unref);
	gint rc;

	stmt = ohe_sqlite_store_prepare (self,
					 "SELECT id, job_id, link_id, item, reason, created_us "
					 "FROM dead_letters ORDER BY created_us, rowid",
					 "list dead letters", error);
	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
		g_ptr_array_add (letters,
				 ohe_dead_letter_new ((const gchar *)sqlite3_column_text (stmt, 0),
						      (const gchar *)sqlite3_column_text (stmt, 1),
						      (const gchar *)sqlite3_column_text (stmt, 2),
						      (const gchar *)sqlite3_column_text (stmt, 3),
						      (const gchar *)sqlite3_column_text (stmt, 4),
						      sqlite3_column_int64 (stmt, 5)));
	}
	if (rc != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "list dead letters");
		return NULL;
	}
	return g_steal_pointer (&letters);
}

/* audit log */

static gboolean
ohe_sqlite_store_add_audit (
    OheStore *store, const gchar *actor, const gchar *action, const gchar *detail, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	stmt = ohe_sqlite_store_prepare (
	    self, "INSERT INTO audit_log (time_us, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
	    "add audit", error);
	if (stmt == NULL)
		return FALSE;
	if (!ohe_sqlite_store_bind_int64 (stmt, 1, ohe_sqlite_store_now (self)) ||
	    !ohe_sqlite_store_bind_text (stmt, 2, actor) ||
	    !ohe_sqlite_store_bind_text (stmt, 3, action) ||
	    !ohe_sqlite_store_bind_text (stmt, 4, detail)) {
		ohe_sqlite_store_set_error (self, error, "add audit");
		return FALSE;
	}
	return ohe_sqlite_store_step_done (self, stmt, "add audit", error);
}

static GPtrArray *
ohe_sqlite_store_list_audit (OheStore *store, guint limit, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
	gint rc;

	/* the id, not the time, orders entries written within one microsecond */
	stmt = ohe_sqlite_store_prepare (self,
					 "SELECT time_us, actor, action, detail FROM audit_log "
					 "ORDER BY id DESC LIMIT ?1",
					 "list audit", error);
	if (stmt == NULL)
		return NULL;
	/* a negative LIMIT is no limit in SQLite */
	if (!ohe_sqlite_store_bind_int64 (stmt, 1, limit > 0 ? (gint64)limit : -1)) {
		ohe_sqlite_store_set_error (self, error, "list audit");
		return NULL;
	}
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
		g_ptr_array_add (
		    entries, ohe_audit_entry_new (sqlite3_column_int64 (stmt, 0),
						  (const gchar *)sqlite3_column_text (stmt, 1),
						  (const gchar *)sqlite3_column_text (stmt, 2),
						  (const gchar *)sqlite3_column_text (stmt, 3)));
	}
	if (rc != SQLITE_DONE) {
		ohe_sqlite_store_set_error (self, error, "list audit");
		return NULL;
	}
	return g_steal_pointer (&entries);
}

/* life cycle */

/*
 * Creates the database file owner-only before SQLite does: it holds sealed tokens and the
 * link between EHR users and provider accounts, and SQLite creates its -wal and -shm files
 * with the mode of the main file.
 */
static gboolean
ohe_sqlite_store_create_file (const gchar *path, GError **error)
{
	g_autofree gchar *dir = NULL;
	gint fd;

	if (g_file_test (path, G_FILE_TEST_EXISTS))
		return ohe_private_file_check (path, "store", error);
	dir = g_path_get_dirname (path);
	if (g_mkdir_with_parents (dir, 0700) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: create %s: %s", dir,
			     g_strerror (errno));
		return FALSE;
	}
	fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: create %s: %s", path,
			     g_strerror (errno));
		return FALSE;
	}
	return g_close (fd, error);
}

static gboolean
ohe_sqlite_store_open (OheSqliteStore *self, GError **error)
{
	gboolean in_memory = g_strcmp0 (self->path, ":memory:") == 0;
	g_autoptr(GMutexLocker) locker = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	if (!in_memory && !g_str_has_prefix (self->path, "file:") &&
	    !ohe_sqlite_store_create_file (self->path, error))
		return FALSE;

	locker = g_mutex_locker_new (&self->mutex);
	/* NOMUTEX: the GMutex already serialises all use of the connection */
	rc = sqlite3_open_v2 (self->path, &self->db,
			      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
				  SQLITE_OPEN_URI,
			      NULL);
	if (rc != SQLITE_OK) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: open %s: %s", self->path,
			     self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
		g_clear_pointer (&self->db, sqlite3_close);
		return FALSE;
	}
	sqlite3_extended_result_codes (self->db, 1);
	sqlite3_busy_timeout (self->db, OHE_SQLITE_STORE_BUSY_TIMEOUT_MS);
	/* off by default in SQLite; the cursor and link cascades depend on it */
	if (!ohe_sqlite_store_exec (self, "PRAGMA foreign_keys = ON", "enable foreign keys", error))
		return FALSE;
	if (in_memory)
		return TRUE;

	/* WAL lets readers (ohectl, the REST API) run while a worker writes. It is a property of
	 * the file, so read back what SQLite actually chose */
	stmt =
	    ohe_sqlite_store_prepare (self, "PRAGMA journal_mode = WAL", "set journal mode", error);
	if (stmt == NULL)
		return FALSE;
	if (sqlite3_step (stmt) != SQLITE_ROW) {
		ohe_sqlite_store_set_error (self, error, "set journal mode");
		return FALSE;
	}
	if (g_ascii_strcasecmp ((const gchar *)sqlite3_column_text (stmt, 0), "wal") != 0) {
		g_warning ("store: %s: journal mode is %s, not WAL", self->path,
			   sqlite3_column_text (stmt, 0));
	}
	/* NORMAL under WAL can lose the last commits on power loss but never corrupts; a lost
	 * cursor advance only means a window is fetched again, and replays are harmless */
	return ohe_sqlite_store_exec (self, "PRAGMA synchronous = NORMAL", "set synchronous",
				      error);
}

static gchar *
ohe_sqlite_store_resolve_migrations_dir (const gchar *dir)
{
	g_autofree gchar *backend_dir = NULL;
	if (dir == NULL)
		return g_build_filename (OHE_SCHEMADIR, "sqlite", NULL);
	/* accept the schemas root too (OHE_SCHEMADIR, OHE_SOURCE_SCHEMADIR), which holds one
	 * directory per backend */
	backend_dir = g_build_filename (dir, "sqlite", NULL);
	if (g_file_test (backend_dir, G_FILE_TEST_IS_DIR))
		return g_steal_pointer (&backend_dir);
	return g_strdup (dir);
}

static void
ohe_sqlite_store_finalize (GObject *object)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (object);
	/* sqlite3_close_v2 would defer on a leaked statement; every statement is finalized by
	 * its g_autoptr, so a plain close must succeed */
	if (self->db != NULL && sqlite3_close (self->db) != SQLITE_OK)
		g_warning ("store: close %s: %s", self->path, sqlite3_errmsg (self->db));
	g_free (self->path);
	g_free (self->migrations_dir);
	g_clear_object (&self->clock);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_sqlite_store_parent_class)->finalize (object);
}

static void
ohe_sqlite_store_iface_init (OheStoreInterface *iface)
{
	iface->migrate = ohe_sqlite_store_migrate;
	iface->get_schema_version = ohe_sqlite_store_get_schema_version;
	iface->add_user = ohe_sqlite_store_add_user;
	iface->get_patient_reference = ohe_sqlite_store_get_patient_reference;
	iface->add_link = ohe_sqlite_store_add_link;
	iface->get_link = ohe_sqlite_store_get_link;
	iface->find_links = ohe_sqlite_store_find_links;
	iface->list_links = ohe_sqlite_store_list_links;
	iface->update_link_state = ohe_sqlite_store_update_link_state;
	iface->set_link_token = ohe_sqlite_store_set_link_token;
	iface->delete_link = ohe_sqlite_store_delete_link;
	iface->update_link = ohe_sqlite_store_update_link;
	iface->add_oauth_state = ohe_sqlite_store_add_oauth_state;
	iface->take_oauth_state = ohe_sqlite_store_take_oauth_state;
	iface->get_cursor = ohe_sqlite_store_get_cursor;
	iface->set_cursor = ohe_sqlite_store_set_cursor;
	iface->get_plugin_state = ohe_sqlite_store_get_plugin_state;
	iface->set_plugin_state = ohe_sqlite_store_set_plugin_state;
	iface->save_job = ohe_sqlite_store_save_job;
	iface->delete_job = ohe_sqlite_store_delete_job;
	iface->list_jobs = ohe_sqlite_store_list_jobs;
	iface->add_dead_letter = ohe_sqlite_store_add_dead_letter;
	iface->list_dead_letters = ohe_sqlite_store_list_dead_letters;
	iface->add_audit = ohe_sqlite_store_add_audit;
	iface->list_audit = ohe_sqlite_store_list_audit;
	iface->add_job_outcome = ohe_sqlite_store_add_job_outcome;
	iface->get_job_outcome = ohe_sqlite_store_get_job_outcome;
	ohe_sqlite_scheduler_iface_init (iface);
	ohe_sqlite_policy_iface_init (iface);
	ohe_sqlite_api_token_iface_init (iface);
}

static void
ohe_sqlite_store_class_init (OheSqliteStoreClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sqlite_store_finalize;
}

static void
ohe_sqlite_store_init (OheSqliteStore *self)
{
	g_mutex_init (&self->mutex);
	self->clock = g_object_ref (ohe_clock_get_default ());
}

/**
 * ohe_sqlite_store_new:
 * @path: the database file, created owner-only if missing, or `:memory:`
 * @migrations_dir: (nullable): the directory of the NNNN-description.sql files, or the schemas
 *   directory above it; %NULL for the installed ones
 * @error: a #GError, or %NULL
 *
 * Opens the database and migrates it to the latest schema version.
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
OheStore *
ohe_sqlite_store_new (const gchar *path, const gchar *migrations_dir, GError **error)
{
	g_autoptr(OheSqliteStore) self = NULL;

	g_return_val_if_fail (path != NULL, NULL);
	self = g_object_new (OHE_TYPE_SQLITE_STORE, NULL);
	self->path = g_strdup (path);
	self->migrations_dir = ohe_sqlite_store_resolve_migrations_dir (migrations_dir);
	if (!ohe_sqlite_store_open (self, error))
		return NULL;
	if (!ohe_store_migrate (OHE_STORE (self), error))
		return NULL;
	return OHE_STORE (g_steal_pointer (&self));
}

/**
 * ohe_sqlite_store_set_clock:
 * @self: an #OheSqliteStore
 * @clock: the clock that stamps created and updated times
 *
 * Lets tests predict the stored times.
 */
void
ohe_sqlite_store_set_clock (OheSqliteStore *self, OheClock *clock)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_if_fail (OHE_IS_SQLITE_STORE (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	locker = g_mutex_locker_new (&self->mutex);
	g_set_object (&self->clock, clock);
}
