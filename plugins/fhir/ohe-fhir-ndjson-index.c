/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "ohe-fhir-ndjson-index.h"

/*
 * The index of one NDJSON folder: which segment file holds each resource id,
 * and how many lines each segment has. It lets a push find the few segments a
 * replayed id lives in (a B-tree lookup per id) instead of reading the
 * folder, and it is what the manifest counts. It holds ids and file names
 * only, never a resource.
 *
 * A transaction is committed (and fsynced) before the segment files it
 * describes are renamed into place; a crash in between leaves index rows
 * for lines that are not there yet, which the writer tolerates: a segment
 * file that is missing reads as empty and an id that is not in its segment is
 * appended again. Segment numbers are never reused.
 */

#define OHE_FHIR_NDJSON_INDEX_SCHEMA                                                        \
	"CREATE TABLE IF NOT EXISTS segment (type TEXT NOT NULL, n INTEGER NOT NULL,"       \
	" lines INTEGER NOT NULL, PRIMARY KEY (type, n)) WITHOUT ROWID;"                    \
	"CREATE TABLE IF NOT EXISTS resource (type TEXT NOT NULL, id TEXT NOT NULL,"        \
	" n INTEGER NOT NULL, PRIMARY KEY (type, id)) WITHOUT ROWID;"

typedef enum {
	OHE_FHIR_NDJSON_STMT_LOOKUP,
	OHE_FHIR_NDJSON_STMT_PUT,
	OHE_FHIR_NDJSON_STMT_LAST,
	OHE_FHIR_NDJSON_STMT_SET_SEGMENT,
	OHE_FHIR_NDJSON_STMT_SEGMENTS,
	OHE_FHIR_NDJSON_N_STMTS
} OheFhirNdjsonStmt;

static const gchar *const ohe_fhir_ndjson_index_sql[OHE_FHIR_NDJSON_N_STMTS] = {
    [OHE_FHIR_NDJSON_STMT_LOOKUP] = "SELECT n FROM resource WHERE type = ?1 AND id = ?2",
    [OHE_FHIR_NDJSON_STMT_PUT] = "INSERT OR REPLACE INTO resource (type, id, n) VALUES (?1, ?2, ?3)",
    [OHE_FHIR_NDJSON_STMT_LAST] =
	"SELECT n, lines FROM segment WHERE type = ?1 ORDER BY n DESC LIMIT 1",
    [OHE_FHIR_NDJSON_STMT_SET_SEGMENT] =
	"INSERT OR REPLACE INTO segment (type, n, lines) VALUES (?1, ?2, ?3)",
    [OHE_FHIR_NDJSON_STMT_SEGMENTS] = "SELECT type, n, lines FROM segment ORDER BY type, n",
};

struct _OheFhirNdjsonIndex {
	sqlite3 *db;
	gchar *display; /* owned, for messages */
	sqlite3_stmt *stmts[OHE_FHIR_NDJSON_N_STMTS];
	gboolean in_transaction;
};

static gboolean
ohe_fhir_ndjson_index_fail (OheFhirNdjsonIndex *self, const gchar *what, GError **error)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "index %s: cannot %s: %s",
		     self->display, what, sqlite3_errmsg (self->db));
	return FALSE;
}

/**
 * ohe_fhir_ndjson_index_open:
 * @path: an existing, checked file (see ohe_fhir_ndjson_prepare_file())
 *
 * Returns: (transfer full) (nullable): the index, or %NULL with @error set
 */
OheFhirNdjsonIndex *
ohe_fhir_ndjson_index_open (const gchar *path, const gchar *display, GError **error)
{
	g_autoptr(OheFhirNdjsonIndex) self = g_new0 (OheFhirNdjsonIndex, 1);
	gint rc;

	self->display = g_strdup (display);
	/* journal files get the database's mode from SQLite's unix VFS */
	rc = sqlite3_open_v2 (path, &self->db,
			      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
			      NULL);
	if (rc != SQLITE_OK) {
		ohe_fhir_ndjson_index_fail (self, "open", error);
		return NULL;
	}
	sqlite3_busy_timeout (self->db, 5000);
	if (sqlite3_exec (self->db,
			  "PRAGMA journal_mode=TRUNCATE; PRAGMA synchronous=FULL;"
			  " PRAGMA secure_delete=ON;" OHE_FHIR_NDJSON_INDEX_SCHEMA,
			  NULL, NULL, NULL) != SQLITE_OK) {
		ohe_fhir_ndjson_index_fail (self, "set up", error);
		return NULL;
	}
	for (guint i = 0; i < OHE_FHIR_NDJSON_N_STMTS; i++) {
		if (sqlite3_prepare_v2 (self->db, ohe_fhir_ndjson_index_sql[i], -1,
					&self->stmts[i], NULL) != SQLITE_OK) {
			ohe_fhir_ndjson_index_fail (self, "prepare a statement", error);
			return NULL;
		}
	}
	return g_steal_pointer (&self);
}

void
ohe_fhir_ndjson_index_free (OheFhirNdjsonIndex *self)
{
	if (self == NULL)
		return;
	ohe_fhir_ndjson_index_rollback (self);
	for (guint i = 0; i < OHE_FHIR_NDJSON_N_STMTS; i++)
		sqlite3_finalize (self->stmts[i]);
	sqlite3_close (self->db);
	g_free (self->display);
	g_free (self);
}

gboolean
ohe_fhir_ndjson_index_begin (OheFhirNdjsonIndex *self, GError **error)
{
	if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return ohe_fhir_ndjson_index_fail (self, "begin a transaction", error);
	self->in_transaction = TRUE;
	return TRUE;
}

gboolean
ohe_fhir_ndjson_index_commit (OheFhirNdjsonIndex *self, GError **error)
{
	if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return ohe_fhir_ndjson_index_fail (self, "commit", error);
	self->in_transaction = FALSE;
	return TRUE;
}

void
ohe_fhir_ndjson_index_rollback (OheFhirNdjsonIndex *self)
{
	if (!self->in_transaction)
		return;
	sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
	self->in_transaction = FALSE;
}

static sqlite3_stmt *
ohe_fhir_ndjson_index_stmt (OheFhirNdjsonIndex *self, OheFhirNdjsonStmt which)
{
	sqlite3_stmt *stmt = self->stmts[which];
	sqlite3_reset (stmt);
	sqlite3_clear_bindings (stmt);
	return stmt;
}

/* @segment: 0 if the id is not indexed */
gboolean
ohe_fhir_ndjson_index_lookup (OheFhirNdjsonIndex *self,
			      const gchar *resource_type,
			      const gchar *id,
			      guint *segment,
			      GError **error)
{
	sqlite3_stmt *stmt = ohe_fhir_ndjson_index_stmt (self, OHE_FHIR_NDJSON_STMT_LOOKUP);
	gint rc;

	sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
	sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step (stmt);
	*segment = rc == SQLITE_ROW ? (guint)sqlite3_column_int64 (stmt, 0) : 0;
	sqlite3_reset (stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ohe_fhir_ndjson_index_fail (self, "look up an id", error);
	return TRUE;
}

gboolean
ohe_fhir_ndjson_index_put (OheFhirNdjsonIndex *self,
			   const gchar *resource_type,
			   const gchar *id,
			   guint segment,
			   GError **error)
{
	sqlite3_stmt *stmt = ohe_fhir_ndjson_index_stmt (self, OHE_FHIR_NDJSON_STMT_PUT);
	gint rc;

	sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
	sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64 (stmt, 3, segment);
	rc = sqlite3_step (stmt);
	sqlite3_reset (stmt);
	if (rc != SQLITE_DONE)
		return ohe_fhir_ndjson_index_fail (self, "index an id", error);
	return TRUE;
}

/* @segment: 0 if the type has no segment yet */
gboolean
ohe_fhir_ndjson_index_get_last_segment (OheFhirNdjsonIndex *self,
					const gchar *resource_type,
					guint *segment,
					guint *lines,
					GError **error)
{
	sqlite3_stmt *stmt = ohe_fhir_ndjson_index_stmt (self, OHE_FHIR_NDJSON_STMT_LAST);
	gint rc;

	sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
	rc = sqlite3_step (stmt);
	*segment = rc == SQLITE_ROW ? (guint)sqlite3_column_int64 (stmt, 0) : 0;
	*lines = rc == SQLITE_ROW ? (guint)sqlite3_column_int64 (stmt, 1) : 0;
	sqlite3_reset (stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ohe_fhir_ndjson_index_fail (self, "read the segments", error);
	return TRUE;
}

gboolean
ohe_fhir_ndjson_index_set_segment (OheFhirNdjsonIndex *self,
				   const gchar *resource_type,
				   guint segment,
				   guint lines,
				   GError **error)
{
	sqlite3_stmt *stmt = ohe_fhir_ndjson_index_stmt (self, OHE_FHIR_NDJSON_STMT_SET_SEGMENT);
	gint rc;

	sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64 (stmt, 2, segment);
	sqlite3_bind_int64 (stmt, 3, lines);
	rc = sqlite3_step (stmt);
	sqlite3_reset (stmt);
	if (rc != SQLITE_DONE)
		return ohe_fhir_ndjson_index_fail (self, "record a segment", error);
	return TRUE;
}

/* every segment, by type and number */
gboolean
ohe_fhir_ndjson_index_foreach_segment (OheFhirNdjsonIndex *self,
				       OheFhirNdjsonSegmentFunc func,
				       gpointer user_data,
				       GError **error)
{
	sqlite3_stmt *stmt = ohe_fhir_ndjson_index_stmt (self, OHE_FHIR_NDJSON_STMT_SEGMENTS);
	gint rc;

	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
		func ((const gchar *)sqlite3_column_text (stmt, 0),
		      (guint)sqlite3_column_int64 (stmt, 1), (guint)sqlite3_column_int64 (stmt, 2),
		      user_data);
	sqlite3_reset (stmt);
	if (rc != SQLITE_DONE)
		return ohe_fhir_ndjson_index_fail (self, "list the segments", error);
	return TRUE;
}
