/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-withings-tables.h"
#include "ohe-withings-webhook.h"

/*
 * Withings notifications (https://developer.withings.com/developer-guide/v3/data-api/
 * keep-user-data-up-to-date/): a form-encoded POST with userid,
 * appli, startdate and enddate, no signature. The sender is not trusted, so
 * the body is parsed strictly and only turned into a hint to fetch. Since
 * Withings signs nothing, the callback URL given to notify subscribe carries
 * a secret of ours in the query parameter hook_token; a delivery without it,
 * or with another value, did not come through a subscription we made.
 */

/* a real notification is under 200 bytes */
#define OHE_WITHINGS_WEBHOOK_MAX_BODY 4096

void
ohe_withings_sync_hint_free (OheWithingsSyncHint *hint)
{
	if (hint == NULL)
		return;
	g_free (hint->userid);
	g_array_unref (hint->kinds);
	g_free (hint->action);
	g_free (hint);
}

/**
 * ohe_withings_webhook_status_for_method:
 * @method: the HTTP method of a request to the callback URL
 *
 * Withings checks the callback with HEAD before it subscribes, and older
 * guides send an empty test POST: both get 200, like GET.
 *
 * Returns: the HTTP status to answer a request without a notification
 */
guint
ohe_withings_webhook_status_for_method (const gchar *method)
{
	if (g_strcmp0 (method, "HEAD") == 0 || g_strcmp0 (method, "GET") == 0 ||
	    g_strcmp0 (method, "POST") == 0)
		return 200;
	return 405;
}

static gboolean
ohe_withings_webhook_epoch (GHashTable *form, const gchar *key, gint64 *out, GError **error)
{
	const gchar *text = g_hash_table_lookup (form, key);
	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_signed (text, 10, 1, OHE_PLAUSIBLE_TIME_MAX_S - 1, out, NULL)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification field '%s' is not a timestamp", key);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_withings_webhook_parse:
 * @body: the form-encoded POST body
 *
 * Returns: (transfer full): the hint, or %NULL with %OHE_ERROR_INVALID_DATA naming the field
 */
OheWithingsSyncHint *
ohe_withings_webhook_parse (const gchar *body, gsize len, GError **error)
{
	g_autoptr(OheWithingsSyncHint) hint = g_new0 (OheWithingsSyncHint, 1);
	g_autoptr(GHashTable) form = NULL;
	g_autofree gchar *text = NULL;
	const OheWithingsAppli *appli;
	const gchar *value;
	gint64 appli_nr = 0;
	guint64 userid = 0;

	hint->kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	if (body == NULL || len == 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification body is empty");
		return NULL;
	}
	if (len > OHE_WITHINGS_WEBHOOK_MAX_BODY || memchr (body, '\0', len) != NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification body is not a form");
		return NULL;
	}
	text = g_strndup (body, len);
	form = soup_form_decode (text);
	if (form == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification body is not a form");
		return NULL;
	}
	value = g_hash_table_lookup (form, "userid");
	if (value == NULL ||
	    !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT64, &userid, NULL)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification field 'userid' is missing or not a number");
		return NULL;
	}
	value = g_hash_table_lookup (form, "appli");
	if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, 1000, &appli_nr, NULL)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification field 'appli' is missing or not a number");
		return NULL;
	}
	appli = ohe_withings_appli_lookup ((gint)appli_nr);
	if (appli == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification field 'appli' has unknown value %" G_GINT64_FORMAT,
			     appli_nr);
		return NULL;
	}
	if (!ohe_withings_webhook_epoch (form, "startdate", &hint->startdate, error) ||
	    !ohe_withings_webhook_epoch (form, "enddate", &hint->enddate, error))
		return NULL;
	if (hint->startdate != 0 && hint->enddate != 0 && hint->enddate < hint->startdate) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification field 'enddate' is before 'startdate'");
		return NULL;
	}
	value = g_hash_table_lookup (form, "action");
	if (value != NULL) {
		if (g_strcmp0 (value, "delete") != 0 && g_strcmp0 (value, "unlink") != 0 &&
		    g_strcmp0 (value, "update") != 0) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "notification field 'action' has an unknown value");
			return NULL;
		}
		hint->action = g_strdup (value);
	}
	hint->userid = g_strdup_printf ("%" G_GUINT64_FORMAT, userid);
	hint->appli = appli->appli;
	for (guint i = 0; i < G_N_ELEMENTS (appli->kinds); i++) {
		if (appli->kinds[i] == OHE_MEASUREMENT_KIND_UNKNOWN)
			break;
		g_array_append_val (hint->kinds, appli->kinds[i]);
	}
	return g_steal_pointer (&hint);
}

/**
 * ohe_withings_webhook_url_with_token:
 * @url: the callback URL as configured
 * @token: the callback secret
 *
 * Returns: (transfer full): @url with the secret added as query parameter hook_token
 */
gchar *
ohe_withings_webhook_url_with_token (const gchar *url, const gchar *token)
{
	g_autofree gchar *stripped = ohe_withings_webhook_url_strip_token (url);
	g_autofree gchar *escaped = g_uri_escape_string (token, NULL, FALSE);
	return g_strdup_printf ("%s%c%s=%s", stripped, strchr (stripped, '?') != NULL ? '&' : '?',
				OHE_WITHINGS_WEBHOOK_TOKEN_PARAM, escaped);
}

/**
 * ohe_withings_webhook_url_strip_token:
 * @url: a callback URL
 *
 * Returns: (transfer full): @url without its hook_token parameter, to show or compare
 */
gchar *
ohe_withings_webhook_url_strip_token (const gchar *url)
{
	const gchar *mark = strchr (url, '?');
	g_auto(GStrv) parts = NULL;
	g_autoptr(GString) out = NULL;

	if (mark == NULL)
		return g_strdup (url);
	out = g_string_new_len (url, mark - url);
	parts = g_strsplit (mark + 1, "&", -1);
	for (guint i = 0, n = 0; parts[i] != NULL; i++) {
		if (g_str_has_prefix (parts[i], OHE_WITHINGS_WEBHOOK_TOKEN_PARAM "=") ||
		    g_strcmp0 (parts[i], OHE_WITHINGS_WEBHOOK_TOKEN_PARAM) == 0)
			continue;
		g_string_append_c (out, n++ == 0 ? '?' : '&');
		g_string_append (out, parts[i]);
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * ohe_withings_webhook_token_equal:
 * @expected: the configured secret
 * @given: (nullable): the value a delivery carried
 *
 * Compares in constant time for strings of the same length.
 *
 * Returns: %TRUE if @given is @expected
 */
gboolean
ohe_withings_webhook_token_equal (const gchar *expected, const gchar *given)
{
	gsize len;
	guint8 diff = 0;
	if (expected == NULL || given == NULL)
		return FALSE;
	len = strlen (expected);
	if (strlen (given) != len)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		diff |= (guint8)(expected[i] ^ given[i]);
	return diff == 0;
}

/**
 * ohe_withings_webhook_build:
 *
 * Returns: (transfer full): the form body Withings posts for this change
 */
gchar *
ohe_withings_webhook_build (const gchar *userid, gint appli, gint64 startdate, gint64 enddate)
{
	return g_strdup_printf ("userid=%s&appli=%d&startdate=%" G_GINT64_FORMAT
				"&enddate=%" G_GINT64_FORMAT,
				userid, appli, startdate, enddate);
}
