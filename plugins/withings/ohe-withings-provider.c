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
	OheReplayGuard *replay; /* owned */
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

static gchar *
ohe_withings_provider_config (OheWithingsProvider *self, const gchar *key, const gchar *def)
{
	return ohe_plugin_get_config_trimmed (OHE_PLUGIN (self), key, def);
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
ohe_withings_provider_get_token_endpoint (OheOAuth2Provider *provider)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	g_autofree gchar *def = ohe_withings_provider_api_url (self, "/v2/oauth2");
	return ohe_withings_provider_config (self, "token_url", def);
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

/* the auth family comes as HTTP 200 with an envelope status (100–102, 200, 401) */
static gboolean
ohe_withings_provider_response_needs_refresh (OheOAuth2Provider *provider,
					      OheHttpResponse *response)
{
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GError) error_local = NULL;
	guint status = ohe_http_response_get_status (response);

	if (status == 401)
		return TRUE;
	if (status != 200)
		return FALSE;
	body = ohe_withings_parser_envelope (ohe_http_response_get_body (response), &error_local);
	return body == NULL && (g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_EXPIRED) ||
				g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED));
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
 * the token once and retries (ohe_oauth2_provider_send_authorized() with
 * response_needs_refresh below), a second auth failure needs new consent;
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
		OheToken *sent = session->token;
		JsonObject *body;

		ohe_http_request_set_form (request, form);
		ohe_http_request_set_max_body_size (request, ohe_withings_response_cap (path));
		/* data reads and notify calls may be repeated without harm */
		ohe_http_request_set_idempotent (request, TRUE);
		if (session->link_id != NULL)
			ohe_http_request_set_rate_limit_key (request, session->link_id);
		/* refreshes once on an auth answer (response_needs_refresh), once per call */
		response = ohe_oauth2_provider_send_authorized (
		    oauth2, refreshed ? NULL : session->link_id, &session->token, request,
		    cancellable, &error_local);
		refreshed |= session->token != sent;
		if (response == NULL) {
			g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
						    "withings %s: ", action);
			return NULL;
		}
		if (ohe_http_response_get_status (response) != 200)
			ohe_http_response_check_status (response, &error_local);
		body = error_local == NULL
			   ? ohe_withings_parser_envelope (ohe_http_response_get_body (response),
							   &error_local)
			   : NULL;
		if (body != NULL)
			return body;

		if (g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_EXPIRED) ||
		    g_error_matches (error_local, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
				     "withings %s: %s%s; the link needs consent again", action,
				     error_local->message,
				     refreshed ? " even after a token refresh" : "");
			return NULL;
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

/* asks /v2/signature for a nonce (getnonce, signed with the timestamp): single use, 30 min */
static gchar *
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

/*
 * Ends the link at Withings (oauth2 revoke, a signed call, no bearer): its
 * tokens and notification subscriptions go away.
 */
static gboolean
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

/* the secret the callback URL carries; NULL with error when none is configured */
static gchar *
ohe_withings_provider_callback_secret (OheWithingsProvider *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gchar *secret = ohe_plugin_get_config_secret (OHE_PLUGIN (self), "callback_secret",
						      "callback_secret_file", &error_local);
	if (secret != NULL)
		return secret;
	if (error_local != NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "plugin withings: config key 'callback_secret' is not set: "
			     "notifications cannot be authenticated");
	return NULL;
}

/* the callback URL with its secret, as registered at Withings */
static gchar *
ohe_withings_provider_signed_callback_url (OheWithingsProvider *self,
					   const gchar *callback_url,
					   GError **error)
{
	g_autofree gchar *url = ohe_withings_provider_callback_url (self, callback_url, error);
	g_autofree gchar *secret = NULL;
	gchar *signed_url;
	if (url == NULL)
		return NULL;
	secret = ohe_withings_provider_callback_secret (self, error);
	if (secret == NULL)
		return NULL;
	signed_url = ohe_withings_webhook_url_with_token (url, secret);
	memset (secret, 0, strlen (secret));
	return signed_url;
}

/*
 * Withings' HEAD (and GET) check of the callback URL gets 200, as does the
 * empty test POST of older guides; neither carries data. A notification must
 * carry the callback secret in the URL, parse strictly, and not be one
 * received before. Account events (appli 46: unlink, delete) are not data and
 * give no hint.
 */
static GPtrArray *
ohe_withings_provider_handle_webhook (OheProvider *provider,
				      OheWebhookRequest *request,
				      GError **error)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	const gchar *method = ohe_webhook_request_get_method (request);
	GBytes *body = ohe_webhook_request_get_body (request);
	g_autoptr(GPtrArray) hints = g_ptr_array_new_with_free_func (g_object_unref);
	g_autoptr(OheWithingsSyncHint) parsed = NULL;
	g_autofree gchar *secret = NULL;
	g_autoptr(OheSyncHint) hint = NULL;
	const gchar *given;
	gsize len = 0;
	const gchar *data = g_bytes_get_data (body, &len);
	gboolean authentic;

	if (ohe_withings_webhook_status_for_method (method) != 200) {
		ohe_webhook_request_set_response (request, 405, NULL, NULL);
		/* the method is the sender's text: not echoed */
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "withings notification: only HEAD, GET and POST are accepted");
		return NULL;
	}
	if (g_strcmp0 (method, "POST") != 0 || len == 0) {
		ohe_webhook_request_set_response (request, 200, NULL, NULL);
		return g_steal_pointer (&hints);
	}
	secret = ohe_withings_provider_callback_secret (self, error);
	if (secret == NULL) {
		ohe_webhook_request_set_response (request, 403, NULL, NULL);
		return NULL;
	}
	given = ohe_webhook_request_get_query_param (request, OHE_WITHINGS_WEBHOOK_TOKEN_PARAM);
	authentic = ohe_withings_webhook_token_equal (secret, given);
	memset (secret, 0, strlen (secret));
	if (!authentic) {
		ohe_webhook_request_set_response (request, 403, NULL, NULL);
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     given == NULL
					 ? "withings notification is unsigned: the callback URL "
					   "token is missing"
					 : "withings notification is forged: the callback URL "
					   "token is wrong");
		return NULL;
	}
	parsed = ohe_withings_webhook_parse (data, len, error);
	if (parsed == NULL) {
		g_prefix_error (error, "withings: ");
		ohe_webhook_request_set_response (request, 400, NULL, NULL);
		return NULL;
	}
	ohe_replay_guard_set_clock (self->replay,
				    ohe_oauth2_provider_get_clock (OHE_OAUTH2_PROVIDER (self)));
	if (!ohe_replay_guard_check (self->replay, body, error)) {
		g_prefix_error (error, "withings: ");
		/* acknowledged, so that Withings stops retrying; nothing is scheduled */
		ohe_webhook_request_set_response (request, 200, NULL, NULL);
		return NULL;
	}
	ohe_webhook_request_set_response (request, 200, NULL, NULL);
	if (parsed->kinds->len == 0) {
		g_debug ("withings notification: account event, no data to fetch");
		return g_steal_pointer (&hints);
	}
	/* enddate is inclusive, the hint's end is not */
	hint = ohe_sync_hint_new (parsed->userid, parsed->startdate * G_USEC_PER_SEC,
				  parsed->enddate > 0 ? (parsed->enddate + 1) * G_USEC_PER_SEC : 0);
	for (guint i = 0; i < parsed->kinds->len; i++)
		ohe_sync_hint_add_kind (hint, g_array_index (parsed->kinds, OheMeasurementKind, i));
	g_ptr_array_add (hints, g_steal_pointer (&hint));
	return g_steal_pointer (&hints);
}

/* one notify subscribe per appli that covers one of @kinds; Withings checks the URL by HEAD */
static gboolean
ohe_withings_provider_subscribe (OheProvider *provider,
				 const gchar *link_id,
				 OheToken *token,
				 const gchar *callback_url,
				 GArray *kinds,
				 GCancellable *cancellable,
				 GError **error)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	g_autoptr(GArray) all = kinds == NULL ? ohe_provider_get_kinds (provider) : NULL;
	GArray *wanted = kinds != NULL ? kinds : all;
	g_autoptr(GArray) applis = ohe_withings_provider_appli_for_kinds (
	    (const OheMeasurementKind *)wanted->data, wanted->len);
	g_autofree gchar *url =
	    ohe_withings_provider_signed_callback_url (self, callback_url, error);

	if (url == NULL)
		return FALSE;
	if (applis->len == 0) {
		g_set_error_literal (
		    error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		    "withings subscribe: no notification category covers the kinds");
		return FALSE;
	}
	for (guint i = 0; i < applis->len; i++) {
		g_autoptr(GHashTable) form = ohe_withings_form_new ("subscribe");
		g_hash_table_insert (form, g_strdup ("callbackurl"), g_strdup (url));
		ohe_withings_form_set_int (form, "appli", g_array_index (applis, gint, i));
		g_hash_table_insert (form, g_strdup ("comment"), g_strdup ("ohed"));
		if (!ohe_withings_provider_notify_call (self, link_id, token, form, NULL,
							cancellable, error))
			return FALSE;
	}
	return TRUE;
}

/* notify list: every subscription of the user, with the URL Withings holds */
static GPtrArray *
ohe_withings_provider_notify_list (OheWithingsProvider *self,
				   const gchar *link_id,
				   OheToken *token,
				   GStrv *raw_urls,
				   GCancellable *cancellable,
				   GError **error)
{
	g_autoptr(GHashTable) form = ohe_withings_form_new ("list");
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) subs = g_ptr_array_new_with_free_func (g_object_unref);
	g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
	g_autoptr(GError) error_local = NULL;
	JsonArray *arr;

	if (!ohe_withings_provider_notify_call (self, link_id, token, form, &body, cancellable,
						error))
		return NULL;
	arr = ohe_json_object_get_array (body, "profiles", "withings notify list", &error_local);
	if (arr == NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	for (guint i = 0; i < json_array_get_length (arr); i++) {
		JsonNode *node = json_array_get_element (arr, i);
		g_autofree gchar *where = g_strdup_printf ("withings notify list profiles[%u]", i);
		g_autofree gchar *id = NULL;
		g_autofree gchar *shown = NULL;
		OheSubscription *sub;
		const OheWithingsAppli *appli;
		const gchar *url;
		gint64 nr = 0;
		JsonObject *obj;

		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s is not an object", where);
			return NULL;
		}
		obj = json_node_get_object (node);
		if (!ohe_json_object_get_int (obj, "appli", where, TRUE, &nr, error) ||
		    !ohe_json_object_get_string (obj, "callbackurl", where, TRUE, &url, error))
			return NULL;
		id = g_strdup_printf ("%" G_GINT64_FORMAT, nr);
		shown = ohe_withings_webhook_url_strip_token (url);
		sub = ohe_subscription_new (id, shown);
		appli = ohe_withings_appli_lookup ((gint)CLAMP (nr, G_MININT, G_MAXINT));
		for (guint k = 0; appli != NULL && k < G_N_ELEMENTS (appli->kinds); k++) {
			if (appli->kinds[k] == OHE_MEASUREMENT_KIND_UNKNOWN)
				break;
			ohe_subscription_add_kind (sub, appli->kinds[k]);
		}
		g_ptr_array_add (subs, sub);
		g_strv_builder_add (urls, url);
	}
	if (raw_urls != NULL)
		*raw_urls = g_strv_builder_end (urls);
	return g_steal_pointer (&subs);
}

static GPtrArray *
ohe_withings_provider_list_subscriptions (OheProvider *provider,
					  const gchar *link_id,
					  OheToken *token,
					  GCancellable *cancellable,
					  GError **error)
{
	return ohe_withings_provider_notify_list (OHE_WITHINGS_PROVIDER (provider), link_id, token,
						  NULL, cancellable, error);
}

/* notify revoke of each appli whose URL is @callback_url, whatever secret it carries */
static gboolean
ohe_withings_provider_unsubscribe (OheProvider *provider,
				   const gchar *link_id,
				   OheToken *token,
				   const gchar *callback_url,
				   GCancellable *cancellable,
				   GError **error)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	g_autofree gchar *url = ohe_withings_provider_callback_url (self, callback_url, error);
	g_autofree gchar *wanted = NULL;
	g_auto(GStrv) raw_urls = NULL;
	g_autoptr(GPtrArray) subs = NULL;

	if (url == NULL)
		return FALSE;
	wanted = ohe_withings_webhook_url_strip_token (url);
	subs =
	    ohe_withings_provider_notify_list (self, link_id, token, &raw_urls, cancellable, error);
	if (subs == NULL)
		return FALSE;
	for (guint i = 0; i < subs->len; i++) {
		OheSubscription *sub = g_ptr_array_index (subs, i);
		g_autoptr(GHashTable) form = NULL;
		if (g_strcmp0 (ohe_subscription_get_callback_url (sub), wanted) != 0)
			continue;
		form = ohe_withings_form_new ("revoke");
		g_hash_table_insert (form, g_strdup ("callbackurl"), g_strdup (raw_urls[i]));
		g_hash_table_insert (form, g_strdup ("appli"),
				     g_strdup (ohe_subscription_get_id (sub)));
		if (!ohe_withings_provider_notify_call (self, link_id, token, form, NULL,
							cancellable, error))
			return FALSE;
	}
	return TRUE;
}

static GPtrArray *
ohe_withings_provider_list_devices (OheProvider *provider,
				    const gchar *link_id,
				    OheToken *token,
				    GCancellable *cancellable,
				    GError **error)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (provider);
	g_auto(OheWithingsSession) session = {NULL};
	g_autoptr(GHashTable) form = ohe_withings_form_new ("getdevice");
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) parsed = NULL;
	GPtrArray *devices;

	if (!ohe_withings_provider_session_init (self, &session, link_id, token, cancellable,
						 error))
		return NULL;
	body = ohe_withings_provider_call (self, &session, "/v2/user", form, cancellable, error);
	if (body == NULL)
		return NULL;
	parsed = ohe_withings_parser_devices (body, error);
	if (parsed == NULL) {
		g_prefix_error (error, "withings getdevice: ");
		return NULL;
	}
	devices = g_ptr_array_new_with_free_func (g_object_unref);
	for (guint i = 0; i < parsed->len; i++) {
		OheWithingsDevice *dev = g_ptr_array_index (parsed, i);
		OheDevice *device = ohe_device_new (dev->deviceid);
		ohe_device_set_model (device, dev->model);
		ohe_device_set_device_type (device, dev->type);
		g_ptr_array_add (devices, device);
	}
	return devices;
}

static gboolean
ohe_withings_provider_revoke (OheProvider *provider,
			      const gchar *link_id,
			      OheToken *token,
			      GCancellable *cancellable,
			      GError **error)
{
	const gchar *userid = ohe_token_get_external_user_id (token);
	if (userid == NULL || userid[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "withings revoke: link %s has no Withings user id",
			     link_id != NULL ? link_id : "(none)");
		return FALSE;
	}
	return ohe_withings_provider_revoke_access (OHE_WITHINGS_PROVIDER (provider), userid,
						    cancellable, error);
}

static void
ohe_withings_provider_finalize (GObject *object)
{
	OheWithingsProvider *self = OHE_WITHINGS_PROVIDER (object);
	g_clear_object (&self->replay);
	G_OBJECT_CLASS (ohe_withings_provider_parent_class)->finalize (object);
}

static void
ohe_withings_provider_class_init (OheWithingsProviderClass *klass)
{
	OhePluginClass *plugin_class = OHE_PLUGIN_CLASS (klass);
	OheProviderClass *provider_class = OHE_PROVIDER_CLASS (klass);
	OheOAuth2ProviderClass *oauth2_class = OHE_OAUTH2_PROVIDER_CLASS (klass);

	G_OBJECT_CLASS (klass)->finalize = ohe_withings_provider_finalize;
	plugin_class->setup = ohe_withings_provider_setup;
	ohe_plugin_class_set_config_keys (plugin_class, ohe_withings_config_keys);
	provider_class->get_kinds = ohe_withings_provider_get_kinds;
	provider_class->fetch = ohe_withings_provider_fetch;
	provider_class->handle_webhook = ohe_withings_provider_handle_webhook;
	provider_class->subscribe = ohe_withings_provider_subscribe;
	provider_class->unsubscribe = ohe_withings_provider_unsubscribe;
	provider_class->list_subscriptions = ohe_withings_provider_list_subscriptions;
	provider_class->list_devices = ohe_withings_provider_list_devices;
	provider_class->revoke = ohe_withings_provider_revoke;
	oauth2_class->default_authorize_endpoint = OHE_WITHINGS_AUTHORIZE_URL;
	oauth2_class->default_scope = OHE_WITHINGS_SCOPE;
	oauth2_class->get_token_endpoint = ohe_withings_provider_get_token_endpoint;
	oauth2_class->add_authorize_params = ohe_withings_provider_add_authorize_params;
	oauth2_class->add_token_params = ohe_withings_provider_add_token_params;
	oauth2_class->parse_token_response = ohe_withings_provider_parse_token_response;
	oauth2_class->response_needs_refresh = ohe_withings_provider_response_needs_refresh;
}

static void
ohe_withings_provider_init (OheWithingsProvider *self)
{
	self->replay = ohe_replay_guard_new (0, 0);
}
