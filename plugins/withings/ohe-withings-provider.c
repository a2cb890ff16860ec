/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-withings-config.h"
#include "ohe-withings-parser.h"
#include "ohe-withings-provider.h"
#include "ohe-withings-signature.h"
#include "ohe-withings-tables.h"

/*
 * The Withings Public Health Data API (https://developer.withings.com/api-reference/). Every call
 * is a form POST with an `action` to one of a few paths and answers HTTP 200 with a
 * `{status, body}` envelope; the status carries the error. The OAuth2 token
 * endpoint wraps its answer the same way. The keys of [plugin:withings] are
 * declared in ohe-withings-config.c.
 */

/*
 * The largest answer accepted per endpoint, a multiple of what each really returns: a
 * getmeas or intraday page and an ECG's 10,000 samples are well under a megabyte, user,
 * notify and signature answers a few hundred bytes. A larger answer is refused, naming
 * the cap, before it is buffered.
 */
static const struct {
	const gchar *path;
	gsize max_bytes;
} ohe_withings_response_caps[] = {
    {"/measure", 16 * 1024 * 1024},  {"/v2/measure", 16 * 1024 * 1024},
    {"/v2/heart", 16 * 1024 * 1024}, {"/v2/user", 1024 * 1024},
    {"/notify", 1024 * 1024},	     {"/v2/signature", 1024 * 1024},
    {"/v2/oauth2", 1024 * 1024},
};

static gsize
ohe_withings_response_cap (const gchar *path)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_response_caps); i++) {
		if (g_str_equal (ohe_withings_response_caps[i].path, path))
			return ohe_withings_response_caps[i].max_bytes;
	}
	g_return_val_if_reached (1024 * 1024);
}

/* status 601 asks for at least a minute of backoff; jitter spreads the workers */
#define OHE_WITHINGS_RATE_WAIT_US   (60 * G_USEC_PER_SEC)
#define OHE_WITHINGS_RATE_JITTER_US (15 * G_USEC_PER_SEC)

/* getintradayactivity returns at most the first 24 h after startdate */
#define OHE_WITHINGS_INTRADAY_WINDOW_S (24 * 60 * 60)

/* a misbehaving server that always says more=1 must not keep a worker forever */
#define OHE_WITHINGS_MAX_PAGES 1000

struct _OheWithingsProvider {
	OheOAuth2Provider parent_instance;
};

G_DEFINE_TYPE (OheWithingsProvider, ohe_withings_provider, OHE_TYPE_OAUTH2_PROVIDER)

/* the kinds each endpoint can deliver */
static const OheMeasurementKind ohe_withings_ecg_kinds[] = {
    OHE_MEASUREMENT_KIND_ECG,
    OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION,
};

/* one fetch: the link's token, refreshed at most once per call */
typedef struct {
	const gchar *link_id;
	OheToken *token; /* owned */
} OheWithingsSession;

static void
ohe_withings_session_clear (OheWithingsSession *session)
{
	g_clear_object (&session->token);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheWithingsSession, ohe_withings_session_clear)

void
ohe_withings_subscription_free (OheWithingsSubscription *subscription)
{
	if (subscription == NULL)
		return;
	g_free (subscription->callbackurl);
	g_free (subscription->comment);
	g_free (subscription);
}

static gchar *
ohe_withings_provider_config (OheWithingsProvider *self, const gchar *key, const gchar *def)
{
	g_autofree gchar *value = ohe_plugin_get_config_string (OHE_PLUGIN (self), key, NULL);
	if (value != NULL)
		g_strstrip (value);
	if (value == NULL || value[0] == '\0')
		return g_strdup (def);
	return g_steal_pointer (&value);
}

static gchar *
ohe_withings_provider_api_url (OheWithingsProvider *self, const gchar *path)
{
	g_autofree gchar *base =
	    ohe_withings_provider_config (self, "api_base", OHE_WITHINGS_API_BASE);
	gsize len = strlen (base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	return g_strconcat (base, path, NULL);
}

static gchar *
ohe_withings_provider_get_authorize_endpoint (OheOAuth2Provider *provider)
{
	return ohe_withings_provider_config (OHE_WITHINGS_PROVIDER (provider), "authorize_url",
					     OHE_WITHINGS_AUTHORIZE_URL);
}

static gchar *
ohe_withings_provider_get_token_endpoint (OheOAuth2Provider *provider)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	g_autofree gchar *def = ohe_withings_provider_api_url (self, "/v2/oauth2");
	return ohe_withings_provider_config (self, "token_url", def);
}

static gchar *
ohe_withings_provider_get_scope (OheOAuth2Provider *provider)
{
	return ohe_withings_provider_config (OHE_WITHINGS_PROVIDER (provider), "scope",
					     OHE_WITHINGS_SCOPE);
}

/* Withings has no PKCE: unknown parameters are not sent */
static void
ohe_withings_provider_add_authorize_params (OheOAuth2Provider *provider, GHashTable *params)
{
	g_hash_table_remove (params, "code_challenge");
	g_hash_table_remove (params, "code_challenge_method");
}

static void
ohe_withings_provider_add_token_params (OheOAuth2Provider *provider,
					GHashTable *form,
					gboolean is_refresh)
{
	g_hash_table_remove (form, "code_verifier");
	g_hash_table_replace (form, g_strdup ("action"), g_strdup ("requesttoken"));
}

/* Withings answers {status, body:{access_token, …, userid}} with HTTP 200 */
static OheToken *
ohe_withings_provider_parse_token_response (OheOAuth2Provider *provider,
					    OheHttpResponse *response,
					    GError **error)
{
	guint http_status = ohe_http_response_get_status (response);
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(OheToken) token = NULL;
	gint64 now_s;
	JsonNode *userid;

	if (http_status != 200) {
		ohe_oauth2_set_token_error (error, http_status, NULL);
		return NULL;
	}
	body = ohe_withings_parser_envelope (ohe_http_response_get_body (response), &error_local);
	if (body == NULL) {
		/* a code lives 30 s and a refresh token rotates: both fail as "invalid params" */
		if (g_error_matches (error_local, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT) ||
		    g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_EXPIRED) ||
		    g_error_matches (error_local, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED)) {
			g_set_error (
			    error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
			    "token request rejected: %s; the authorization code (valid "
			    "30 s, single use) or the refresh token is invalid or expired, "
			    "the link needs consent again",
			    error_local->message);
			return NULL;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "token request failed: ");
		return NULL;
	}
	now_s = ohe_clock_get_real (ohe_oauth2_provider_get_clock (provider)) / G_USEC_PER_SEC;
	token = ohe_token_new_from_json (body, now_s, error);
	if (token == NULL)
		return NULL;
	/* the spec says integer, python_withings_api says string: accept both */
	userid = json_object_get_member (body, "userid");
	if (userid != NULL && JSON_NODE_HOLDS_VALUE (userid)) {
		g_autofree gchar *text = NULL;
		if (json_node_get_value_type (userid) == G_TYPE_INT64)
			text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (userid));
		else if (json_node_get_value_type (userid) == G_TYPE_STRING)
			text = g_strdup (json_node_get_string (userid));
		ohe_token_set_external_user_id (token, text);
	}
	return g_steal_pointer (&token);
}

static GArray *
ohe_withings_provider_get_kinds (OheProvider *provider)
{
	GArray *kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
	for (guint i = 0; i < ohe_withings_meastype_get_n (); i++)
		g_hash_table_add (seen, GINT_TO_POINTER (ohe_withings_meastype_get (i)->kind));
	for (guint i = 0; i < ohe_withings_intraday_field_get_n (); i++)
		g_hash_table_add (seen,
				  GINT_TO_POINTER (ohe_withings_intraday_field_get (i)->kind));
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_ecg_kinds); i++)
		g_hash_table_add (seen, GINT_TO_POINTER (ohe_withings_ecg_kinds[i]));
	for (gint k = OHE_MEASUREMENT_KIND_UNKNOWN + 1; k < OHE_MEASUREMENT_KIND_LAST; k++) {
		OheMeasurementKind kind = k;
		if (g_hash_table_contains (seen, GINT_TO_POINTER (k)))
			g_array_append_val (kinds, kind);
	}
	return kinds;
}

/* an integer key of the table, checked against its range: the plugin can be set up
 * without the daemon's check of the group (tests, other hosts) */
static gboolean
ohe_withings_provider_config_int (OheWithingsProvider *self,
				  const gchar *key,
				  gint64 *value,
				  GError **error)
{
	const OhePluginConfigKey *entry =
	    ohe_plugin_config_key_lookup (ohe_withings_config_keys, key);
	g_autofree gchar *text = ohe_plugin_get_config_string (OHE_PLUGIN (self), key, NULL);
	g_autofree gchar *group = ohe_plugin_get_config_group (OHE_PLUGIN (self));

	g_assert (entry != NULL && entry->type == OHE_PLUGIN_CONFIG_TYPE_INT &&
		  entry->default_value != NULL);
	if (text != NULL && !ohe_plugin_config_key_check (entry, group, text, error))
		return FALSE;
	if (text == NULL || g_strstrip (text)[0] == '\0')
		*value = g_ascii_strtoll (entry->default_value, NULL, 10);
	else
		*value = g_ascii_strtoll (text, NULL, 10);
	return TRUE;
}

/* every call with the app's credentials (token, notify, data, all links) counts in
 * one budget, kept by the host's limiter and so shared with other processes */
static gboolean
ohe_withings_provider_setup (OhePlugin *plugin, GCancellable *cancellable, GError **error)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (plugin);
	OheHttpClient *client = ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (plugin));
	gint64 requests = 0;
	gint64 window = 0;

	if (!OHE_PLUGIN_CLASS (ohe_withings_provider_parent_class)
		 ->setup (plugin, cancellable, error))
		return FALSE;
	if (!ohe_withings_provider_config_int (self, "rate_limit_requests", &requests, error) ||
	    !ohe_withings_provider_config_int (self, "rate_limit_window", &window, error))
		return FALSE;
	ohe_http_client_set_app_rate_limit (client, (guint)requests, (guint)window);
	return TRUE;
}

/* a copy that counts as expired, so ensure_token refreshes it (coalesced per link) */
static OheToken *
ohe_withings_token_expired_copy (OheToken *token)
{
	OheToken *copy = ohe_token_new ();
	ohe_token_set_access_token (copy, ohe_token_get_access_token (token));
	ohe_token_set_refresh_token (copy, ohe_token_get_refresh_token (token));
	ohe_token_set_scope (copy, ohe_token_get_scope (token));
	ohe_token_set_external_user_id (copy, ohe_token_get_external_user_id (token));
	ohe_token_set_expires_at (copy, 1);
	return copy;
}

static gboolean
ohe_withings_provider_wait_rate_limit (OheWithingsProvider *self,
				       GCancellable *cancellable,
				       GError **error)
{
	OheClock *clock = ohe_oauth2_provider_get_clock (OHE_OAUTH2_PROVIDER (self));
	gint64 jitter = (gint64)(ohe_clock_random_double (clock) * OHE_WITHINGS_RATE_JITTER_US);
	if (!ohe_clock_sleep (clock, OHE_WITHINGS_RATE_WAIT_US + jitter, cancellable, error)) {
		ohe_error_convert (error);
		return FALSE;
	}
	return TRUE;
}

/*
 * One API call with the envelope's error model: the auth family refreshes
 * the token once and retries, a second auth failure needs new consent;
 * 601 waits a minute (plus jitter) up to rate_limit_waits times.
 */
static JsonObject *
ohe_withings_provider_call (OheWithingsProvider *self,
			    OheWithingsSession *session,
			    const gchar *path,
			    GHashTable *form,
			    GCancellable *cancellable,
			    GError **error)
{
	OheOAuth2Provider *oauth2 = OHE_OAUTH2_PROVIDER (self);
	g_autofree gchar *url = ohe_withings_provider_api_url (self, path);
	const gchar *action = g_hash_table_lookup (form, "action");
	gint64 max_waits = ohe_plugin_get_config_int (OHE_PLUGIN (self), "rate_limit_waits", 1);
	gboolean refreshed = FALSE;
	gint64 waits = 0;

	for (;;) {
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("POST", url);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error_local = NULL;
		JsonObject *body;

		ohe_http_request_set_form (request, form);
		ohe_http_request_set_max_body_size (request, ohe_withings_response_cap (path));
		ohe_http_request_set_bearer (request, ohe_token_get_access_token (session->token));
		/* data reads and notify calls may be repeated without harm */
		ohe_http_request_set_idempotent (request, TRUE);
		if (session->link_id != NULL)
			ohe_http_request_set_rate_limit_key (request, session->link_id);
		response = ohe_http_client_send (ohe_oauth2_provider_get_http_client (oauth2),
						 request, cancellable, &error_local);
		if (response != NULL && ohe_http_response_get_status (response) != 200)
			ohe_http_response_check_status (response, &error_local);
		body = error_local == NULL
			   ? ohe_withings_parser_envelope (ohe_http_response_get_body (response),
							   &error_local)
			   : NULL;
		if (body != NULL)
			return body;

		if (g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_EXPIRED) ||
		    g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED)) {
			g_autoptr(OheToken) expired = NULL;
			g_autoptr(GError) error_refresh = NULL;
			OheToken *renewed;
			if (refreshed || session->link_id == NULL) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
					     "withings %s: %s even after a token refresh; the link "
					     "needs consent again",
					     action, error_local->message);
				return NULL;
			}
			expired = ohe_withings_token_expired_copy (session->token);
			renewed = ohe_oauth2_provider_ensure_token (
			    oauth2, session->link_id, expired, cancellable, &error_refresh);
			if (renewed == NULL) {
				g_propagate_prefixed_error (error, g_steal_pointer (&error_refresh),
							    "withings %s: ", action);
				return NULL;
			}
			g_clear_object (&session->token);
			session->token = renewed;
			refreshed = TRUE;
			continue;
		}
		if (g_error_matches (error_local, OHE_ERROR, OHE_ERROR_RATE_LIMITED) &&
		    waits < max_waits) {
			waits++;
			if (!ohe_withings_provider_wait_rate_limit (self, cancellable, error))
				return NULL;
			continue;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "withings %s: ", action);
		return NULL;
	}
}

static GHashTable *
ohe_withings_form_new (const gchar *action)
{
	GHashTable *form = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_insert (form, g_strdup ("action"), g_strdup (action));
	return form;
}

static void
ohe_withings_form_set_int (GHashTable *form, const gchar *key, gint64 value)
{
	g_hash_table_replace (form, g_strdup (key), g_strdup_printf ("%" G_GINT64_FORMAT, value));
}

/* the stream positions of one link, written as "lastupdate=N;intraday=N" */
typedef struct {
	gint64 lastupdate; /* getmeas: server time of the last complete sync */
	gint64 intraday;   /* getintradayactivity: end of the last fetched window */
} OheWithingsCursor;

static gboolean
ohe_withings_cursor_parse (const gchar *text, OheWithingsCursor *cursor, GError **error)
{
	g_auto(GStrv) parts = NULL;
	memset (cursor, 0, sizeof (*cursor));
	if (text == NULL || text[0] == '\0')
		return TRUE;
	parts = g_strsplit (text, ";", 8);
	for (guint i = 0; parts[i] != NULL; i++) {
		const gchar *eq = strchr (parts[i], '=');
		gint64 value = 0;
		if (eq == NULL ||
		    !g_ascii_string_to_signed (eq + 1, 10, 0, G_GINT64_CONSTANT (32503680000),
					       &value, NULL)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings cursor part %u is not key=timestamp", i);
			return FALSE;
		}
		if (g_str_has_prefix (parts[i], "lastupdate="))
			cursor->lastupdate = value;
		else if (g_str_has_prefix (parts[i], "intraday="))
			cursor->intraday = value;
	}
	return TRUE;
}

static gchar *
ohe_withings_cursor_to_string (const OheWithingsCursor *cursor)
{
	return g_strdup_printf ("lastupdate=%" G_GINT64_FORMAT ";intraday=%" G_GINT64_FORMAT,
				cursor->lastupdate, cursor->intraday);
}

/* drops what the request did not ask for: a linked child without consent goes too */
static GPtrArray *
ohe_withings_filter (OheFetchRequest *request, GPtrArray *measurements)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < measurements->len; i++) {
		OheMeasurement *m = g_ptr_array_index (measurements, i);
		if (ohe_fetch_request_has_kind (request, ohe_measurement_get_kind (m)))
			g_ptr_array_add (out, ohe_measurement_ref (m));
	}
	return out;
}

static gboolean
ohe_withings_emit (OheFetchRequest *request,
		   GPtrArray *measurements,
		   const OheWithingsCursor *cursor,
		   GError **error)
{
	g_autoptr(GPtrArray) batch = ohe_withings_filter (request, measurements);
	g_autofree gchar *text = cursor != NULL ? ohe_withings_cursor_to_string (cursor) : NULL;
	if (batch->len == 0 && text == NULL)
		return TRUE;
	return ohe_fetch_request_emit (request, batch, text, error);
}

/* the user's devices: deviceid → model, and the zone of the first one */
static gboolean
ohe_withings_provider_load_devices (OheWithingsProvider *self,
				    OheWithingsSession *session,
				    GHashTable *models,
				    GTimeZone **tz,
				    GCancellable *cancellable,
				    GError **error)
{
	g_autoptr(GHashTable) form = ohe_withings_form_new ("getdevice");
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	g_autoptr(GError) error_local = NULL;

	body =
	    ohe_withings_provider_call (self, session, "/v2/user", form, cancellable, &error_local);
	/* without user.info the models are just missing; the data does not depend on them */
	if (body == NULL &&
	    (g_error_matches (error_local, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT) ||
	     g_error_matches (error_local, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED))) {
		g_debug ("%s", error_local->message);
		return TRUE;
	}
	if (body == NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	devices = ohe_withings_parser_devices (body, error);
	if (devices == NULL)
		return FALSE;
	for (guint i = 0; i < devices->len; i++) {
		OheWithingsDevice *dev = g_ptr_array_index (devices, i);
		if (dev->model != NULL)
			g_hash_table_replace (models, g_strdup (dev->deviceid),
					      g_strdup (dev->model));
		if (*tz == NULL && dev->timezone != NULL)
			*tz = ohe_withings_parser_time_zone_new (dev->timezone);
	}
	return TRUE;
}

static gchar *
ohe_withings_meastypes_for_request (OheFetchRequest *request)
{
	g_autoptr(GString) csv = g_string_new (NULL);
	for (guint i = 0; i < ohe_withings_meastype_get_n (); i++) {
		const OheWithingsMeastype *mt = ohe_withings_meastype_get (i);
		if (!ohe_fetch_request_has_kind (request, mt->kind))
			continue;
		if (csv->len > 0)
			g_string_append_c (csv, ',');
		g_string_append_printf (csv, "%d", mt->meastype);
	}
	/* BP carries its pulse in the same group */
	if (ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE) &&
	    !ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_HEART_RATE))
		g_string_append (csv, ",11");
	if (csv->len == 0)
		return NULL;
	return g_string_free (g_steal_pointer (&csv), FALSE);
}

/*
 * getmeas: one call with all wanted types in `meastypes`, because one call
 * per type would split a BP group (9, 10, 11) across answers and cost 20
 * calls of the shared 120/min budget per sync. Incremental with
 * `lastupdate` once a cursor exists, else the job window.
 */
static gboolean
ohe_withings_provider_fetch_meas (OheWithingsProvider *self,
				  OheWithingsSession *session,
				  OheFetchRequest *request,
				  OheWithingsCursor *cursor,
				  GCancellable *cancellable,
				  GError **error)
{
	g_autofree gchar *meastypes = ohe_withings_meastypes_for_request (request);
	gint64 offset = 0;
	gint64 updatetime = 0;

	if (meastypes == NULL)
		return TRUE;
	for (guint page_nr = 0;; page_nr++) {
		g_autoptr(GHashTable) form = ohe_withings_form_new ("getmeas");
		g_autoptr(JsonObject) body = NULL;
		g_autoptr(OheWithingsPage) page = NULL;

		if (page_nr >= OHE_WITHINGS_MAX_PAGES) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings getmeas: more than %u pages",
				     OHE_WITHINGS_MAX_PAGES);
			return FALSE;
		}
		g_hash_table_insert (form, g_strdup ("meastypes"), g_strdup (meastypes));
		ohe_withings_form_set_int (form, "category", 1);
		if (cursor->lastupdate > 0) {
			ohe_withings_form_set_int (form, "lastupdate", cursor->lastupdate);
		} else {
			ohe_withings_form_set_int (form, "startdate",
						   ohe_fetch_request_get_start (request) /
						       G_USEC_PER_SEC);
			ohe_withings_form_set_int (
			    form, "enddate", ohe_fetch_request_get_end (request) / G_USEC_PER_SEC);
		}
		if (offset > 0)
			ohe_withings_form_set_int (form, "offset", offset);
		body = ohe_withings_provider_call (self, session, "/measure", form, cancellable,
						   error);
		if (body == NULL)
			return FALSE;
		page = ohe_withings_parser_getmeas (body, error);
		if (page == NULL) {
			g_prefix_error (error, "withings getmeas: ");
			return FALSE;
		}
		/* the first page's server time is where the next sync starts */
		if (updatetime == 0)
			updatetime = page->updatetime;
		if (!page->more) {
			if (updatetime > 0)
				cursor->lastupdate = updatetime;
			return ohe_withings_emit (request, page->measurements, cursor, error);
		}
		if (!ohe_withings_emit (request, page->measurements, NULL, error))
			return FALSE;
		if (page->offset <= offset) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings getmeas: offset %" G_GINT64_FORMAT
				     " does not advance",
				     page->offset);
			return FALSE;
		}
		offset = page->offset;
	}
}

static gchar *
ohe_withings_data_fields_for_request (OheFetchRequest *request)
{
	g_autoptr(GString) csv = g_string_new (NULL);
	for (guint i = 0; i < ohe_withings_intraday_field_get_n (); i++) {
		const OheWithingsIntradayField *field = ohe_withings_intraday_field_get (i);
		if (!ohe_fetch_request_has_kind (request, field->kind))
			continue;
		if (csv->len > 0)
			g_string_append_c (csv, ',');
		g_string_append (csv, field->field);
	}
	if (csv->len == 0)
		return NULL;
	return g_string_free (g_steal_pointer (&csv), FALSE);
}

/* getintradayactivity in windows of at most 24 h, resuming after the cursor */
static gboolean
ohe_withings_provider_fetch_intraday (OheWithingsProvider *self,
				      OheWithingsSession *session,
				      OheFetchRequest *request,
				      OheWithingsCursor *cursor,
				      GTimeZone *tz,
				      GHashTable *models,
				      GCancellable *cancellable,
				      GError **error)
{
	g_autofree gchar *fields = ohe_withings_data_fields_for_request (request);
	gint64 start = ohe_fetch_request_get_start (request) / G_USEC_PER_SEC;
	gint64 end = ohe_fetch_request_get_end (request) / G_USEC_PER_SEC;

	if (fields == NULL)
		return TRUE;
	start = MAX (start, cursor->intraday);
	while (start < end) {
		gint64 chunk_end = MIN (end, start + OHE_WITHINGS_INTRADAY_WINDOW_S);
		g_autoptr(GHashTable) form = ohe_withings_form_new ("getintradayactivity");
		g_autoptr(JsonObject) body = NULL;
		g_autoptr(OheWithingsPage) page = NULL;

		g_hash_table_insert (form, g_strdup ("data_fields"), g_strdup (fields));
		ohe_withings_form_set_int (form, "startdate", start);
		/* the window is half-open; Withings' enddate is inclusive */
		ohe_withings_form_set_int (form, "enddate", chunk_end - 1);
		body = ohe_withings_provider_call (self, session, "/v2/measure", form, cancellable,
						   error);
		if (body == NULL)
			return FALSE;
		page = ohe_withings_parser_intraday (body, tz, models, error);
		if (page == NULL) {
			g_prefix_error (error, "withings getintradayactivity: ");
			return FALSE;
		}
		cursor->intraday = chunk_end;
		if (!ohe_withings_emit (request, page->measurements, cursor, error))
			return FALSE;
		start = chunk_end;
	}
	return TRUE;
}

static gboolean
ohe_withings_provider_fetch_ecg_record (OheWithingsProvider *self,
					OheWithingsSession *session,
					OheFetchRequest *request,
					const OheWithingsEcgRecord *record,
					GTimeZone *tz,
					GCancellable *cancellable,
					GError **error)
{
	g_autoptr(GHashTable) form = ohe_withings_form_new ("get");
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) measurements = NULL;

	ohe_withings_form_set_int (form, "signalid", record->signalid);
	body = ohe_withings_provider_call (self, session, "/v2/heart", form, cancellable, error);
	if (body == NULL)
		return FALSE;
	measurements = ohe_withings_parser_heart_get (body, record, tz, error);
	if (measurements == NULL) {
		g_prefix_error (error, "withings heart get %" G_GINT64_FORMAT ": ",
				record->signalid);
		return FALSE;
	}
	return ohe_withings_emit (request, measurements, NULL, error);
}

/* heart list over the job window, then one heart get per recording */
static gboolean
ohe_withings_provider_fetch_ecg (OheWithingsProvider *self,
				 OheWithingsSession *session,
				 OheFetchRequest *request,
				 GTimeZone *tz,
				 GCancellable *cancellable,
				 GError **error)
{
	gint64 offset = 0;

	if (!ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_ECG) &&
	    !ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION))
		return TRUE;
	for (guint page_nr = 0; page_nr < OHE_WITHINGS_MAX_PAGES; page_nr++) {
		g_autoptr(GHashTable) form = ohe_withings_form_new ("list");
		g_autoptr(JsonObject) body = NULL;
		g_autoptr(GPtrArray) records = NULL;
		gboolean more = FALSE;
		gint64 next = 0;

		ohe_withings_form_set_int (form, "startdate",
					   ohe_fetch_request_get_start (request) / G_USEC_PER_SEC);
		ohe_withings_form_set_int (form, "enddate",
					   ohe_fetch_request_get_end (request) / G_USEC_PER_SEC);
		if (offset > 0)
			ohe_withings_form_set_int (form, "offset", offset);
		body = ohe_withings_provider_call (self, session, "/v2/heart", form, cancellable,
						   error);
		if (body == NULL)
			return FALSE;
		records = ohe_withings_parser_heart_list (body, &more, &next, error);
		if (records == NULL) {
			g_prefix_error (error, "withings heart list: ");
			return FALSE;
		}
		for (guint i = 0; i < records->len; i++) {
			if (!ohe_withings_provider_fetch_ecg_record (self, session, request,
								     g_ptr_array_index (records, i),
								     tz, cancellable, error))
				return FALSE;
		}
		if (!more)
			return TRUE;
		if (next <= offset) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings heart list: offset %" G_GINT64_FORMAT
				     " does not advance",
				     next);
			return FALSE;
		}
		offset = next;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
		     "withings heart list: more than %u pages", OHE_WITHINGS_MAX_PAGES);
	return FALSE;
}

static gboolean
ohe_withings_provider_session_init (OheWithingsProvider *self,
				    OheWithingsSession *session,
				    const gchar *link_id,
				    OheToken *token,
				    GCancellable *cancellable,
				    GError **error)
{
	session->link_id = link_id;
	if (token == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
			     "withings: link %s has no token",
			     link_id != NULL ? link_id : "(none)");
		return FALSE;
	}
	if (link_id == NULL) {
		session->token = g_object_ref (token);
		return TRUE;
	}
	session->token = ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (self), link_id,
							   token, cancellable, error);
	return session->token != NULL;
}

static gboolean
ohe_withings_provider_fetch (OheProvider *provider,
			     OheFetchRequest *request,
			     GCancellable *cancellable,
			     GError **error)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	g_auto(OheWithingsSession) session = {NULL};
	g_autoptr(GHashTable) models =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GTimeZone) tz = NULL;
	g_autofree gchar *fields = ohe_withings_data_fields_for_request (request);
	OheWithingsCursor cursor;

	if (!ohe_withings_cursor_parse (ohe_fetch_request_get_cursor (request), &cursor, error))
		return FALSE;
	if (!ohe_withings_provider_session_init (
		self, &session, ohe_fetch_request_get_link_id (request),
		ohe_fetch_request_get_token (request), cancellable, error))
		return FALSE;
	if (!ohe_withings_provider_fetch_meas (self, &session, request, &cursor, cancellable,
					       error))
		return FALSE;
	/* intraday and ECG records carry no zone and maybe no model: the devices have both */
	if ((fields != NULL || ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_ECG)) &&
	    !ohe_withings_provider_load_devices (self, &session, models, &tz, cancellable, error))
		return FALSE;
	if (!ohe_withings_provider_fetch_intraday (self, &session, request, &cursor, tz, models,
						   cancellable, error))
		return FALSE;
	return ohe_withings_provider_fetch_ecg (self, &session, request, tz, cancellable, error);
}

/**
 * ohe_withings_provider_appli_for_kinds:
 * @kinds: the kinds of a link
 *
 * Returns: (transfer full) (element-type gint): the notify appli values to subscribe
 */
GArray *
ohe_withings_provider_appli_for_kinds (const OheMeasurementKind *kinds, guint n_kinds)
{
	GArray *applis = g_array_new (FALSE, FALSE, sizeof (gint));
	for (guint i = 0; i < ohe_withings_appli_get_n (); i++) {
		const OheWithingsAppli *appli = ohe_withings_appli_get (i);
		for (guint k = 0; k < n_kinds; k++) {
			if (ohe_withings_appli_has_kind (appli, kinds[k])) {
				g_array_append_val (applis, appli->appli);
				break;
			}
		}
	}
	return applis;
}

/**
 * ohe_withings_provider_parse_notification:
 * @body: the form-encoded body of a notification POST
 *
 * Returns: (transfer full): the sync hint, or %NULL with %OHE_ERROR_INVALID_DATA
 */
OheWithingsSyncHint *
ohe_withings_provider_parse_notification (OheWithingsProvider *self,
					  const gchar *body,
					  gsize len,
					  GError **error)
{
	g_return_val_if_fail (OHE_IS_WITHINGS_PROVIDER (self), NULL);
	return ohe_withings_webhook_parse (body, len, error);
}

static gboolean
ohe_withings_provider_notify_call (OheWithingsProvider *self,
				   const gchar *link_id,
				   OheToken *token,
				   GHashTable *form,
				   JsonObject **body_out,
				   GCancellable *cancellable,
				   GError **error)
{
	g_auto(OheWithingsSession) session = {NULL};
	g_autoptr(JsonObject) body = NULL;
	if (!ohe_withings_provider_session_init (self, &session, link_id, token, cancellable,
						 error))
		return FALSE;
	body = ohe_withings_provider_call (self, &session, "/notify", form, cancellable, error);
	if (body == NULL)
		return FALSE;
	if (body_out != NULL)
		*body_out = g_steal_pointer (&body);
	return TRUE;
}

static gchar *
ohe_withings_provider_callback_url (OheWithingsProvider *self,
				    const gchar *callback_url,
				    GError **error)
{
	g_autofree gchar *url = callback_url != NULL
				    ? g_strdup (callback_url)
				    : ohe_withings_provider_config (self, "callback_url", NULL);
	if (url == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "plugin withings: config key 'callback_url' is not set");
		return NULL;
	}
	return g_steal_pointer (&url);
}

/**
 * ohe_withings_provider_subscribe:
 * @callback_url: (nullable): the URL, or %NULL for config key `callback_url`
 * @appli: the data family, see ohe_withings_provider_appli_for_kinds()
 *
 * Subscribes the link's user to notifications (notify subscribe). Withings
 * checks the URL with a HEAD first.
 */
gboolean
ohe_withings_provider_subscribe (OheWithingsProvider *self,
				 const gchar *link_id,
				 OheToken *token,
				 const gchar *callback_url,
				 gint appli,
				 GCancellable *cancellable,
				 GError **error)
{
	g_autoptr(GHashTable) form = ohe_withings_form_new ("subscribe");
	g_autofree gchar *url = ohe_withings_provider_callback_url (self, callback_url, error);
	if (url == NULL)
		return FALSE;
	g_hash_table_insert (form, g_strdup ("callbackurl"), g_steal_pointer (&url));
	ohe_withings_form_set_int (form, "appli", appli);
	g_hash_table_insert (form, g_strdup ("comment"), g_strdup ("ohed"));
	return ohe_withings_provider_notify_call (self, link_id, token, form, NULL, cancellable,
						  error);
}

/**
 * ohe_withings_provider_revoke_subscription:
 * @callback_url: (nullable): the URL, or %NULL for config key `callback_url`
 */
gboolean
ohe_withings_provider_revoke_subscription (OheWithingsProvider *self,
					   const gchar *link_id,
					   OheToken *token,
					   const gchar *callback_url,
					   gint appli,
					   GCancellable *cancellable,
					   GError **error)
{
	g_autoptr(GHashTable) form = ohe_withings_form_new ("revoke");
	g_autofree gchar *url = ohe_withings_provider_callback_url (self, callback_url, error);
	if (url == NULL)
		return FALSE;
	g_hash_table_insert (form, g_strdup ("callbackurl"), g_steal_pointer (&url));
	ohe_withings_form_set_int (form, "appli", appli);
	return ohe_withings_provider_notify_call (self, link_id, token, form, NULL, cancellable,
						  error);
}

/**
 * ohe_withings_provider_list_subscriptions:
 * @appli: a data family, or -1 for all
 *
 * Returns: (transfer full) (element-type OheWithingsSubscription): the subscriptions
 */
GPtrArray *
ohe_withings_provider_list_subscriptions (OheWithingsProvider *self,
					  const gchar *link_id,
					  OheToken *token,
					  gint appli,
					  GCancellable *cancellable,
					  GError **error)
{
	g_autoptr(GHashTable) form = ohe_withings_form_new ("list");
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) subs = g_ptr_array_new_with_free_func (
	    (GDestroyNotify)ohe_withings_subscription_free);
	JsonNode *profiles;
	JsonArray *arr;

	if (appli >= 0)
		ohe_withings_form_set_int (form, "appli", appli);
	if (!ohe_withings_provider_notify_call (self, link_id, token, form, &body, cancellable,
						error))
		return NULL;
	profiles = json_object_get_member (body, "profiles");
	if (profiles == NULL || !JSON_NODE_HOLDS_ARRAY (profiles)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings notify list: body has no 'profiles' array");
		return NULL;
	}
	arr = json_node_get_array (profiles);
	for (guint i = 0; i < json_array_get_length (arr); i++) {
		JsonNode *node = json_array_get_element (arr, i);
		g_autoptr(OheWithingsSubscription) sub = g_new0 (OheWithingsSubscription, 1);
		JsonObject *obj;
		JsonNode *a, *u, *c;
		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings notify list: profiles[%u] is not an object", i);
			return NULL;
		}
		obj = json_node_get_object (node);
		a = json_object_get_member (obj, "appli");
		u = json_object_get_member (obj, "callbackurl");
		c = json_object_get_member (obj, "comment");
		if (a == NULL || !JSON_NODE_HOLDS_VALUE (a) ||
		    json_node_get_value_type (a) != G_TYPE_INT64 || u == NULL ||
		    !JSON_NODE_HOLDS_VALUE (u) || json_node_get_value_type (u) != G_TYPE_STRING) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings notify list: profiles[%u] lacks 'appli' or "
				     "'callbackurl'",
				     i);
			return NULL;
		}
		sub->appli = (gint)CLAMP (json_node_get_int (a), G_MININT, G_MAXINT);
		sub->callbackurl = g_strdup (json_node_get_string (u));
		if (c != NULL && JSON_NODE_HOLDS_VALUE (c) &&
		    json_node_get_value_type (c) == G_TYPE_STRING)
			sub->comment = g_strdup (json_node_get_string (c));
		g_ptr_array_add (subs, g_steal_pointer (&sub));
	}
	return g_steal_pointer (&subs);
}

static gboolean
ohe_withings_provider_require_client (OheWithingsProvider *self,
				      gchar **client_id,
				      gchar **client_secret,
				      GError **error)
{
	OheOAuth2ProviderClass *klass =
	    OHE_OAUTH2_PROVIDER_CLASS (ohe_withings_provider_parent_class);
	*client_id = klass->get_client_id (OHE_OAUTH2_PROVIDER (self));
	*client_secret = klass->get_client_secret (OHE_OAUTH2_PROVIDER (self));
	if (*client_id == NULL || *client_secret == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "plugin withings: config keys 'client_id' and 'client_secret' "
				     "are needed to sign requests");
		return FALSE;
	}
	return TRUE;
}

/* an unauthenticated call: signed calls carry no bearer */
static JsonObject *
ohe_withings_provider_call_signed (OheWithingsProvider *self,
				   const gchar *path,
				   GHashTable *form,
				   GCancellable *cancellable,
				   GError **error)
{
	g_autofree gchar *url = ohe_withings_provider_api_url (self, path);
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("POST", url);
	g_autoptr(OheHttpResponse) response = NULL;
	JsonObject *body;

	ohe_http_request_set_form (request, form);
	ohe_http_request_set_max_body_size (request, ohe_withings_response_cap (path));
	/* a nonce is single use: a resent request would be rejected anyway */
	ohe_http_request_set_idempotent (request, FALSE);
	response =
	    ohe_http_client_send (ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (self)),
				  request, cancellable, error);
	if (response == NULL)
		return NULL;
	if (!ohe_http_response_check_status (response, error))
		return NULL;
	body = ohe_withings_parser_envelope (ohe_http_response_get_body (response), error);
	if (body == NULL)
		g_prefix_error (
		    error, "withings %s: ", (const gchar *)g_hash_table_lookup (form, "action"));
	return body;
}

/**
 * ohe_withings_provider_get_nonce:
 *
 * Asks /v2/signature for a nonce (getnonce, signed with the timestamp).
 *
 * Returns: (transfer full): a single-use nonce, valid 30 minutes
 */
gchar *
ohe_withings_provider_get_nonce (OheWithingsProvider *self,
				 GCancellable *cancellable,
				 GError **error)
{
	g_autofree gchar *client_id = NULL;
	g_autofree gchar *client_secret = NULL;
	g_autoptr(GHashTable) form = ohe_withings_form_new ("getnonce");
	g_autoptr(JsonObject) body = NULL;
	OheClock *clock = ohe_oauth2_provider_get_clock (OHE_OAUTH2_PROVIDER (self));
	gint64 now_s = ohe_clock_get_real (clock) / G_USEC_PER_SEC;
	JsonNode *nonce;

	if (!ohe_withings_provider_require_client (self, &client_id, &client_secret, error))
		return NULL;
	g_hash_table_insert (form, g_strdup ("client_id"), g_strdup (client_id));
	ohe_withings_form_set_int (form, "timestamp", now_s);
	g_hash_table_insert (form, g_strdup ("signature"),
			     ohe_withings_signature_for_getnonce (client_secret, client_id, now_s));
	body = ohe_withings_provider_call_signed (self, "/v2/signature", form, cancellable, error);
	if (body == NULL)
		return NULL;
	nonce = json_object_get_member (body, "nonce");
	if (nonce == NULL || !JSON_NODE_HOLDS_VALUE (nonce) ||
	    json_node_get_value_type (nonce) != G_TYPE_STRING ||
	    json_node_get_string (nonce)[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "withings getnonce: body has no 'nonce' string");
		return NULL;
	}
	return g_strdup (json_node_get_string (nonce));
}

/**
 * ohe_withings_provider_revoke_access:
 * @userid: the Withings user id of the link
 *
 * Ends the link at Withings (oauth2 revoke, a signed call): its tokens and
 * notification subscriptions go away.
 */
gboolean
ohe_withings_provider_revoke_access (OheWithingsProvider *self,
				     const gchar *userid,
				     GCancellable *cancellable,
				     GError **error)
{
	g_autofree gchar *client_id = NULL;
	g_autofree gchar *client_secret = NULL;
	g_autofree gchar *nonce = NULL;
	g_autoptr(GHashTable) form = ohe_withings_form_new ("revoke");
	g_autoptr(JsonObject) body = NULL;

	g_return_val_if_fail (userid != NULL, FALSE);
	if (!ohe_withings_provider_require_client (self, &client_id, &client_secret, error))
		return FALSE;
	nonce = ohe_withings_provider_get_nonce (self, cancellable, error);
	if (nonce == NULL)
		return FALSE;
	g_hash_table_insert (form, g_strdup ("client_id"), g_strdup (client_id));
	g_hash_table_insert (form, g_strdup ("nonce"), g_strdup (nonce));
	g_hash_table_insert (
	    form, g_strdup ("signature"),
	    ohe_withings_signature_for_nonce (client_secret, "revoke", client_id, nonce));
	g_hash_table_insert (form, g_strdup ("userid"), g_strdup (userid));
	body = ohe_withings_provider_call_signed (self, "/v2/oauth2", form, cancellable, error);
	return body != NULL;
}

static void
ohe_withings_provider_class_init (OheWithingsProviderClass *klass)
{
	OhePluginClass *plugin_class = OHE_PLUGIN_CLASS (klass);
	OheProviderClass *provider_class = OHE_PROVIDER_CLASS (klass);
	OheOAuth2ProviderClass *oauth2_class = OHE_OAUTH2_PROVIDER_CLASS (klass);

	plugin_class->setup = ohe_withings_provider_setup;
	ohe_plugin_class_set_config_keys (plugin_class, ohe_withings_config_keys);
	provider_class->get_kinds = ohe_withings_provider_get_kinds;
	provider_class->fetch = ohe_withings_provider_fetch;
	oauth2_class->get_authorize_endpoint = ohe_withings_provider_get_authorize_endpoint;
	oauth2_class->get_token_endpoint = ohe_withings_provider_get_token_endpoint;
	oauth2_class->get_scope = ohe_withings_provider_get_scope;
	oauth2_class->add_authorize_params = ohe_withings_provider_add_authorize_params;
	oauth2_class->add_token_params = ohe_withings_provider_add_token_params;
	oauth2_class->parse_token_response = ohe_withings_provider_parse_token_response;
}

static void
ohe_withings_provider_init (OheWithingsProvider *self)
{
}
