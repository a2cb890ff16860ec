/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-sqlite-store-private.h"

/*
 * The REST API tokens of the embedded store (schema version 13): only hashes, never a secret.
 * The user listing the API needs lives here too, until users get a file of their own.
 */

#define OHE_SQLITE_API_TOKEN_COLUMNS "id, name, scope, user_id, created_us, revoked_us"

typedef struct {
	OheSqliteStore *store;
} OheSqliteApiTokenLock;

static OheSqliteApiTokenLock *
ohe_sqlite_api_token_lock (OheStore *store, sqlite3 **db)
{
	OheSqliteApiTokenLock *lock = g_new0 (OheSqliteApiTokenLock, 1);
	lock->store = OHE_SQLITE_STORE (store);
	*db = ohe_sqlite_store_lock (lock->store);
	return lock;
}

static void
ohe_sqlite_api_token_unlock (OheSqliteApiTokenLock *lock)
{
	ohe_sqlite_store_unlock (lock->store);
	g_free (lock);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheSqliteApiTokenLock, ohe_sqlite_api_token_unlock)

static const gchar *
ohe_sqlite_api_token_column (sqlite3_stmt *stmt, gint idx)
{
	return (const gchar *)sqlite3_column_text (stmt, idx);
}

static OheApiToken *
ohe_sqlite_api_token_from_row (sqlite3_stmt *stmt, GError **error)
{
	const gchar *scope_name = ohe_sqlite_api_token_column (stmt, 2);
	OheApiScope scope = ohe_api_scope_from_string (scope_name);
	if (scope == OHE_API_SCOPE_LAST) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE,
			     "store: API token %s has an unknown scope",
			     ohe_sqlite_api_token_column (stmt, 0));
		return NULL;
	}
	return ohe_api_token_new (ohe_sqlite_api_token_column (stmt, 0),
				  ohe_sqlite_api_token_column (stmt, 1), scope,
				  ohe_sqlite_api_token_column (stmt, 3),
				  sqlite3_column_int64 (stmt, 4), sqlite3_column_int64 (stmt, 5));
}

static gboolean
ohe_sqlite_api_token_add (OheStore *store, OheApiToken *token, const gchar *hash, GError **error)
{
	sqlite3 *db = NULL;
	g_autoptr(OheSqliteApiTokenLock) lock = ohe_sqlite_api_token_lock (store, &db);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint64 created = ohe_api_token_get_created (token);

	if (created == 0)
		created = ohe_sqlite_store_get_now (lock->store);
	if (sqlite3_prepare_v2 (
		db,
		"INSERT INTO api_tokens (id, name, scope, user_id, token_hash, created_us) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		-1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (stmt, 1, ohe_api_token_get_id (token), -1, SQLITE_TRANSIENT) !=
		SQLITE_OK ||
	    sqlite3_bind_text (stmt, 2, ohe_api_token_get_name (token), -1, SQLITE_TRANSIENT) !=
		SQLITE_OK ||
	    sqlite3_bind_text (stmt, 3, ohe_api_scope_to_string (ohe_api_token_get_scope (token)),
			       -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text (stmt, 4, ohe_api_token_get_user_id (token), -1, SQLITE_TRANSIENT) !=
		SQLITE_OK ||
	    sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64 (stmt, 6, created) != SQLITE_OK ||
	    sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_db_error (lock->store, error, "add API token");
		return FALSE;
	}
	return TRUE;
}

static OheApiToken *
ohe_sqlite_api_token_find (OheStore *store, const gchar *hash, GError **error)
{
	sqlite3 *db = NULL;
	g_autoptr(OheSqliteApiTokenLock) lock = ohe_sqlite_api_token_lock (store, &db);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	if (sqlite3_prepare_v2 (
		db, "SELECT " OHE_SQLITE_API_TOKEN_COLUMNS " FROM api_tokens WHERE token_hash = ?1",
		-1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		ohe_sqlite_store_set_db_error (lock->store, error, "find API token");
		return NULL;
	}
	rc = sqlite3_step (stmt);
	if (rc == SQLITE_DONE) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
				     "store: no such API token");
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		ohe_sqlite_store_set_db_error (lock->store, error, "find API token");
		return NULL;
	}
	return ohe_sqlite_api_token_from_row (stmt, error);
}

static GPtrArray *
ohe_sqlite_api_token_list (OheStore *store, GError **error)
{
	sqlite3 *db = NULL;
	g_autoptr(OheSqliteApiTokenLock) lock = ohe_sqlite_api_token_lock (store, &db);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
	gint rc;

	if (sqlite3_prepare_v2 (db,
				"SELECT " OHE_SQLITE_API_TOKEN_COLUMNS
				" FROM api_tokens ORDER BY created_us, id",
				-1, &stmt, NULL) != SQLITE_OK) {
		ohe_sqlite_store_set_db_error (lock->store, error, "list API tokens");
		return NULL;
	}
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
		OheApiToken *token = ohe_sqlite_api_token_from_row (stmt, error);
		if (token == NULL)
			return NULL;
		g_ptr_array_add (out, token);
	}
	if (rc != SQLITE_DONE) {
		ohe_sqlite_store_set_db_error (lock->store, error, "list API tokens");
		return NULL;
	}
	return g_steal_pointer (&out);
}

static gboolean
ohe_sqlite_api_token_revoke (OheStore *store, const gchar *token_id, GError **error)
{
	sqlite3 *db = NULL;
	g_autoptr(OheSqliteApiTokenLock) lock = ohe_sqlite_api_token_lock (store, &db);
	g_autoptr(sqlite3_stmt) stmt = NULL;

	if (sqlite3_prepare_v2 (db,
				"UPDATE api_tokens SET revoked_us = ?2 "
				"WHERE id = ?1 AND revoked_us IS NULL",
				-1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (stmt, 1, token_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64 (stmt, 2, ohe_sqlite_store_get_now (lock->store)) != SQLITE_OK ||
	    sqlite3_step (stmt) != SQLITE_DONE) {
		ohe_sqlite_store_set_db_error (lock->store, error, "revoke API token");
		return FALSE;
	}
	if (sqlite3_changes (db) == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no valid API token %s",
			     token_id);
		return FALSE;
	}
	return TRUE;
}

static GPtrArray *
ohe_sqlite_api_token_list_users (OheStore *store, GError **error)
{
	sqlite3 *db = NULL;
	g_autoptr(OheSqliteApiTokenLock) lock = ohe_sqlite_api_token_lock (store, &db);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
	gint rc;

	if (sqlite3_prepare_v2 (db, "SELECT id FROM users ORDER BY id", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		ohe_sqlite_store_set_db_error (lock->store, error, "list users");
		return NULL;
	}
	while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
		g_ptr_array_add (out, g_strdup (ohe_sqlite_api_token_column (stmt, 0)));
	if (rc != SQLITE_DONE) {
		ohe_sqlite_store_set_db_error (lock->store, error, "list users");
		return NULL;
	}
	return g_steal_pointer (&out);
}

void
ohe_sqlite_api_token_iface_init (OheStoreInterface *iface)
{
	iface->add_api_token = ohe_sqlite_api_token_add;
	iface->find_api_token = ohe_sqlite_api_token_find;
	iface->list_api_tokens = ohe_sqlite_api_token_list;
	iface->revoke_api_token = ohe_sqlite_api_token_revoke;
	iface->list_users = ohe_sqlite_api_token_list_users;
}
