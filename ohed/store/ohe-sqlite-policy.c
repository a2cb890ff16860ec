/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-sqlite-store-private.h"

/*
 * Organisation policies and the user's shaping preferences in the embedded
 * store (migration 0012). Lists are comma-separated text, read and written
 * as a whole like a link's kinds.
 */

static gboolean
ohe_sqlite_policy_bind_strv (sqlite3_stmt *stmt, gint idx, const gchar *const *values)
{
	g_autofree gchar *text = NULL;
	if (values == NULL)
		return sqlite3_bind_null (stmt, idx) == SQLITE_OK;
	text = g_strjoinv (",", (gchar **)values);
	return sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static gboolean
ohe_sqlite_policy_bind_nullable (sqlite3_stmt *stmt, gint idx, const gchar *value)
{
	if (value == NULL)
		return sqlite3_bind_null (stmt, idx) == SQLITE_OK;
	return sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static GStrv
ohe_sqlite_policy_column_strv (sqlite3_stmt *stmt, gint idx)
{
	const gchar *text = (const gchar *)sqlite3_column_text (stmt, idx);
	if (text == NULL)
		return NULL;
	if (text[0] == '\0')
		return g_new0 (gchar *, 1);
	return g_strsplit (text, ",", -1);
}

static gboolean
ohe_sqlite_policy_save (OheStore *store, OheOrganisationPolicy *policy, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gboolean ok = FALSE;

	if (sqlite3_prepare_v2 (
		db,
		"INSERT INTO organisation_policies (id, allowed_kinds, aggregation, "
		"aggregation_override, linked, max_backfill_days, updated_us) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
		"allowed_kinds = excluded.allowed_kinds, aggregation = excluded.aggregation, "
		"aggregation_override = excluded.aggregation_override, linked = excluded.linked, "
		"max_backfill_days = excluded.max_backfill_days, updated_us = excluded.updated_us",
		-1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (stmt, 1, ohe_organisation_policy_get_id (policy), -1,
			       SQLITE_TRANSIENT) != SQLITE_OK ||
	    !ohe_sqlite_policy_bind_strv (stmt, 2,
					  ohe_organisation_policy_get_allowed_kinds (policy)) ||
	    sqlite3_bind_text (
		stmt, 3,
		ohe_aggregation_mode_to_string (ohe_organisation_policy_get_aggregation (policy)),
		-1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int (stmt, 4, ohe_organisation_policy_get_aggregation_override (policy)) !=
		SQLITE_OK ||
	    !ohe_sqlite_policy_bind_strv (stmt, 5, ohe_organisation_policy_get_linked (policy)) ||
	    sqlite3_bind_int64 (stmt, 6, ohe_organisation_policy_get_max_backfill_days (policy)) !=
		SQLITE_OK ||
	    sqlite3_bind_int64 (stmt, 7, ohe_sqlite_store_get_now (self)) != SQLITE_OK ||
	    sqlite3_step (stmt) != SQLITE_DONE)
		ohe_sqlite_store_set_db_error (self, error, "save policy");
	else
		ok = TRUE;
	ohe_sqlite_store_unlock (self);
	return ok;
}

static OheOrganisationPolicy *
ohe_sqlite_policy_get (OheStore *store, const gchar *organisation_id, GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	OheOrganisationPolicy *policy = NULL;
	gint rc = SQLITE_ERROR;

	if (sqlite3_prepare_v2 (db,
				"SELECT allowed_kinds, aggregation, aggregation_override, linked, "
				"max_backfill_days FROM organisation_policies WHERE id = ?1",
				-1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_bind_text (stmt, 1, organisation_id, -1, SQLITE_TRANSIENT) == SQLITE_OK)
		rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW) {
		g_auto(GStrv) kinds = ohe_sqlite_policy_column_strv (stmt, 0);
		g_auto(GStrv) linked = ohe_sqlite_policy_column_strv (stmt, 3);
		OheAggregationMode mode = OHE_AGGREGATION_MODE_INDIVIDUAL;

		ohe_aggregation_mode_from_string ((const gchar *)sqlite3_column_text (stmt, 1),
						  &mode, NULL);
		policy = ohe_organisation_policy_new (organisation_id);
		ohe_organisation_policy_set_allowed_kinds (policy, (const gchar *const *)kinds);
		ohe_organisation_policy_set_aggregation (policy, mode);
		ohe_organisation_policy_set_aggregation_override (
		    policy, sqlite3_column_int (stmt, 2) != 0);
		ohe_organisation_policy_set_linked (policy, (const gchar *const *)linked);
		ohe_organisation_policy_set_max_backfill_days (
		    policy, (guint)CLAMP (sqlite3_column_int64 (stmt, 4), 0, G_MAXUINT));
	} else if (rc == SQLITE_DONE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "store: no policy for organisation %s", organisation_id);
	} else {
		ohe_sqlite_store_set_db_error (self, error, "get policy");
	}
	ohe_sqlite_store_unlock (self);
	return policy;
}

/* updates one nullable column of a user; @sql binds ?1 = user id, ?2 = value */
static gboolean
ohe_sqlite_policy_update_user (OheSqliteStore *self,
			       const gchar *sql,
			       const gchar *what,
			       const gchar *user_id,
			       const gchar *value,
			       GError **error)
{
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gboolean ok = FALSE;

	if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    !ohe_sqlite_policy_bind_nullable (stmt, 2, value) ||
	    sqlite3_step (stmt) != SQLITE_DONE) {
		/* the only reference of these columns: an organisation without a policy */
		if (sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
				     "store: no policy for organisation %s", value);
		else
			ohe_sqlite_store_set_db_error (self, error, what);
	} else if (sqlite3_changes (db) == 0)
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no user %s", user_id);
	else
		ok = TRUE;
	ohe_sqlite_store_unlock (self);
	return ok;
}

static gboolean
ohe_sqlite_policy_set_user_organisation (OheStore *store,
					 const gchar *user_id,
					 const gchar *organisation_id,
					 GError **error)
{
	return ohe_sqlite_policy_update_user (
	    OHE_SQLITE_STORE (store), "UPDATE users SET organisation_id = ?2 WHERE id = ?1",
	    "set user organisation", user_id, organisation_id, error);
}

static gboolean
ohe_sqlite_policy_set_user_aggregation (OheStore *store,
					const gchar *user_id,
					const gchar *aggregation,
					GError **error)
{
	return ohe_sqlite_policy_update_user (OHE_SQLITE_STORE (store),
					      "UPDATE users SET aggregation = ?2 WHERE id = ?1",
					      "set user aggregation", user_id, aggregation, error);
}

static gboolean
ohe_sqlite_policy_get_user_shaping (OheStore *store,
				    const gchar *user_id,
				    gchar **organisation_id,
				    gchar **aggregation,
				    GError **error)
{
	OheSqliteStore *self = OHE_SQLITE_STORE (store);
	sqlite3 *db = ohe_sqlite_store_lock (self);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gboolean ok = FALSE;
	gint rc = SQLITE_ERROR;

	if (sqlite3_prepare_v2 (db, "SELECT organisation_id, aggregation FROM users WHERE id = ?1",
				-1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_bind_text (stmt, 1, user_id, -1, SQLITE_TRANSIENT) == SQLITE_OK)
		rc = sqlite3_step (stmt);
	if (rc == SQLITE_ROW) {
		*organisation_id = g_strdup ((const gchar *)sqlite3_column_text (stmt, 0));
		*aggregation = g_strdup ((const gchar *)sqlite3_column_text (stmt, 1));
		ok = TRUE;
	} else if (rc == SQLITE_DONE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "store: no user %s", user_id);
	} else {
		ohe_sqlite_store_set_db_error (self, error, "get user shaping");
	}
	ohe_sqlite_store_unlock (self);
	return ok;
}

void
ohe_sqlite_policy_iface_init (OheStoreInterface *iface)
{
	iface->save_policy = ohe_sqlite_policy_save;
	iface->get_policy = ohe_sqlite_policy_get;
	iface->set_user_organisation = ohe_sqlite_policy_set_user_organisation;
	iface->set_user_aggregation = ohe_sqlite_policy_set_user_aggregation;
	iface->get_user_shaping = ohe_sqlite_policy_get_user_shaping;
}
