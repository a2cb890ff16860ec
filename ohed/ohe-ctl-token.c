/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ohe-ctl-token.h"
#include "ohe-error.h"
#include "ohe-terminal.h"

/*
 * ohectl token: REST API bearer tokens. create prints the secret once, alone on stdout so a
 * script can capture it; the store keeps only its hash.
 */

static gboolean
ohe_ctl_token_usage (GError **error)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, _ ("Usage: ohectl %s"),
		     OHE_CTL_TOKEN_USAGE);
	return FALSE;
}

static gchar *
ohe_ctl_token_format_time (gint64 time_us)
{
	g_autoptr(GDateTime) time = NULL;
	if (time_us <= 0)
		return g_strdup ("-");
	time = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
	return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
ohe_ctl_token_create (OheStore *store, gchar **args, GError **error)
{
	guint n = g_strv_length (args);
	OheApiScope scope;
	g_autoptr(OheApiToken) token = NULL;
	g_autofree gchar *uuid = g_uuid_string_random ();
	g_autofree gchar *id = NULL;
	g_autofree gchar *secret = NULL;
	g_autofree gchar *hash = NULL;
	const gchar *user_id = NULL;

	if (n < 2 || n > 3)
		return ohe_ctl_token_usage (error);
	scope = ohe_api_scope_from_string (args[1]);
	if (scope == OHE_API_SCOPE_LAST) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     _ ("Unknown scope '%s': admin, operator or user"), args[1]);
		return FALSE;
	}
	if ((scope == OHE_API_SCOPE_USER) != (n == 3)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     scope == OHE_API_SCOPE_USER
					 ? _ ("A user token needs the USER-ID it belongs to")
					 : _ ("Only a user token belongs to a USER-ID"));
		return FALSE;
	}
	if (n == 3)
		user_id = args[2];
	if (!g_utf8_validate (args[0], -1, NULL) || args[0][0] == '\0' ||
	    g_utf8_strlen (args[0], -1) > 64) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("NAME must be 1 to 64 characters of UTF-8"));
		return FALSE;
	}
	/* the first 12 hex digits of a random UUID: short to type, unique among a few tokens */
	id = g_strdup_printf ("tok-%.8s%.4s", uuid, uuid + 9);
	token = ohe_api_token_new (id, args[0], scope, user_id, 0, 0);
	secret = ohe_api_token_generate_secret ();
	hash = ohe_api_token_hash_secret (secret);
	if (!ohe_store_add_api_token (store, token, hash, error))
		return FALSE;
	if (!ohe_store_add_audit (store, "ohectl", "token.create", id, error))
		return FALSE;
	g_printerr (_ ("Created token %s; its secret follows and is not shown again\n"), id);
	g_print ("%s\n", secret);
	return TRUE;
}

static gboolean
ohe_ctl_token_list (OheStore *store, GError **error)
{
	g_autoptr(GPtrArray) tokens = ohe_store_list_api_tokens (store, error);
	if (tokens == NULL)
		return FALSE;
	for (guint i = 0; i < tokens->len; i++) {
		OheApiToken *token = g_ptr_array_index (tokens, i);
		g_autofree gchar *name =
		    ohe_terminal_escape (ohe_api_token_get_name (token), OHE_TERMINAL_ESCAPE_FIELD);
		g_autofree gchar *created =
		    ohe_ctl_token_format_time (ohe_api_token_get_created (token));
		g_autofree gchar *revoked =
		    ohe_ctl_token_format_time (ohe_api_token_get_revoked (token));
		const gchar *user_id = ohe_api_token_get_user_id (token);
		g_autofree gchar *user = ohe_terminal_escape (user_id != NULL ? user_id : "-",
							      OHE_TERMINAL_ESCAPE_FIELD);
		g_print ("%s\t%s\t%s\t%s\t%s\t%s\n", ohe_api_token_get_id (token), name,
			 ohe_api_scope_to_string (ohe_api_token_get_scope (token)), user, created,
			 revoked);
	}
	return TRUE;
}

gboolean
ohe_ctl_token (OheStore *store, gchar **args, GError **error)
{
	guint n = args != NULL ? g_strv_length (args) : 0;
	if (n >= 1 && g_strcmp0 (args[0], "create") == 0)
		return ohe_ctl_token_create (store, args + 1, error);
	if (n == 1 && g_strcmp0 (args[0], "list") == 0)
		return ohe_ctl_token_list (store, error);
	if (n == 2 && g_strcmp0 (args[0], "revoke") == 0) {
		if (!ohe_store_revoke_api_token (store, args[1], error))
			return FALSE;
		return ohe_store_add_audit (store, "ohectl", "token.revoke", args[1], error);
	}
	return ohe_ctl_token_usage (error);
}
