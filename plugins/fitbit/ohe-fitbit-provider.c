/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fitbit-config.h"
#include "ohe-fitbit-provider.h"
#include "ohe-google-health-data-type.h"

/*
 * Fitbit devices through the Google Health API
 * (https://developers.google.com/health/about). The legacy
 * Fitbit Web API is switched off: a link still holding one of its tokens gets
 * OHE_ERROR_GONE and must consent again. The keys of [plugin:fitbit] are
 * declared in ohe-fitbit-config.c (sessions are read in one slice, whatever
 * window_hours says).
 */

#define OHE_FITBIT_BREAKER_TARGET "google-health"
/* the largest answer accepted: a list page of 10,000 points (the page_size maximum) is a
 * few megabytes, an identity answer a few hundred bytes */
#define OHE_FITBIT_MAX_RESPONSE (32 * 1024 * 1024)

struct _OheFitbitProvider {
	OheOAuth2Provider parent_instance;
	OheReplayGuard *replay; /* owned */
	GMutex mutex;
	gconstpointer
	    limited_client;  /* not owned, only compared: the client given the user limit */
	guint rate_requests; /* per user and window, from the configuration */
	guint rate_window;   /* seconds */
};

G_DEFINE_TYPE (OheFitbitProvider, ohe_fitbit_provider, OHE_TYPE_OAUTH2_PROVIDER)

static GArray *
ohe_fitbit_provider_get_kinds (OheProvider *provider)
{
	return ohe_google_health_data_type_get_all_kinds ();
}

static gchar *
ohe_fitbit_provider_config (OheFitbitProvider *self, const gchar *key, const gchar *fallback)
{
	return ohe_plugin_get_config_trimmed (OHE_PLUGIN (self), key, fallback);
}

/* the kinds of config key `kinds`; unknown names are skipped with a warning */
static GArray *
ohe_fitbit_provider_get_config_kinds (OheFitbitProvider *self)
{
	g_autofree gchar *text = ohe_fitbit_provider_config (self, "kinds", NULL);
	g_auto(GStrv) names = NULL;
	GArray *kinds;

	if (text == NULL)
		return ohe_google_health_data_type_get_all_kinds ();
	kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	names = g_strsplit (text, ",", -1);
	for (guint i = 0; names[i] != NULL; i++) {
		OheMeasurementKind kind = ohe_measurement_kind_from_string (g_strstrip (names[i]));
		if (kind == OHE_MEASUREMENT_KIND_UNKNOWN) {
			g_warning ("[plugin:fitbit] kinds: '%s' is not a kind", names[i]);
			continue;
		}
		g_array_append_val (kinds, kind);
	}
	return kinds;
}

static gchar *
ohe_fitbit_provider_get_scope (OheOAuth2Provider *provider)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (provider);
	g_autofree gchar *scope = ohe_fitbit_provider_config (self, "scope", NULL);
	g_autoptr(GArray) kinds = NULL;
	if (scope != NULL)
		return g_steal_pointer (&scope);
	kinds = ohe_fitbit_provider_get_config_kinds (self);
	return ohe_google_health_data_type_build_scope ((const OheMeasurementKind *)kinds->data,
							kinds->len);
}

static void
ohe_fitbit_provider_add_authorize_params (OheOAuth2Provider *provider, GHashTable *params)
{
	/* a refresh token only comes with offline access, and again only with prompt=consent */
	g_hash_table_replace (params, g_strdup ("access_type"), g_strdup ("offline"));
	g_hash_table_replace (params, g_strdup ("prompt"), g_strdup ("consent"));
}

/* HTTP */

static gboolean
ohe_fitbit_provider_is_legacy_token (OheToken *token)
{
	const gchar *scope = ohe_token_get_scope (token);
	/* Fitbit scopes are bare words (heartrate, weight…); Google's are URLs */
	return scope != NULL && scope[0] != '\0' && strstr (scope, "googlehealth") == NULL;
}

static void
ohe_fitbit_provider_set_gone (GError **error)
{
	g_set_error_literal (error, OHE_ERROR, OHE_ERROR_GONE, OHE_FITBIT_LEGACY_MESSAGE);
}

/* maps an API error response; the free-text message of Google is not copied */
static void
ohe_fitbit_provider_set_api_error (OheHttpResponse *response, const gchar *what, GError **error)
{
	guint status = ohe_http_response_get_status (response);
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *gstatus = NULL;
	g_autofree gchar *reason = NULL;
	GBytes *body = ohe_http_response_get_body (response);
	const gchar *detail;
	OheError code;

	if (status == SOUP_STATUS_GONE) {
		ohe_fitbit_provider_set_gone (error);
		return;
	}
	if (body != NULL) {
		gsize len = 0;
		const gchar *data = g_bytes_get_data (body, &len);
		root = ohe_google_health_parse_json (data, len, what, NULL);
	}
	ohe_google_health_parse_error (root, &gstatus, &reason);
	detail = reason != NULL ? reason : gstatus != NULL ? gstatus : "no error details";
	switch (status) {
	case SOUP_STATUS_UNAUTHORIZED:
		code = OHE_ERROR_AUTH_REQUIRED;
		break;
	case SOUP_STATUS_FORBIDDEN:
		code = OHE_ERROR_PERMISSION_DENIED;
		break;
	case SOUP_STATUS_NOT_FOUND:
		code = OHE_ERROR_NOT_FOUND;
		break;
	case SOUP_STATUS_BAD_REQUEST:
		/* a Google account without a Google Health profile: nothing to sync until set up */
		code = g_strcmp0 (reason, "ACCOUNT_NOT_LINKED") == 0 ? OHE_ERROR_PERMISSION_DENIED
								     : OHE_ERROR_INVALID_ARGUMENT;
		break;
	default: {
		g_autoptr(GError) error_local = NULL;
		ohe_http_response_check_status (response, &error_local);
		code = error_local != NULL ? (OheError)error_local->code : OHE_ERROR_FAILED;
		break;
	}
	}
	g_set_error (error, OHE_ERROR, code, "Google Health %s: HTTP %u (%s)", what, status,
		     detail);
}

/*
 * The HTTP client with Google's per-user quota. The client is created lazily
 * and may be replaced (tests give it a fake clock), so the limit is set on
 * the client in use the first time it is seen; setting it again would drop
 * the buckets.
 */
static OheHttpClient *
ohe_fitbit_provider_get_client (OheFitbitProvider *self)
{
	OheHttpClient *client = ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (self));
	g_mutex_lock (&self->mutex);
	if (self->limited_client != client) {
		ohe_http_client_set_user_rate_limit (client, self->rate_requests,
						     self->rate_window);
		self->limited_client = client;
	}
	g_mutex_unlock (&self->mutex);
	return client;
}

/*
 * GETs @path below api_base and returns the JSON root. On 401 the token is
 * refreshed once through the coalesced path and the request repeated
 * (ohe_oauth2_provider_send_authorized()); @token is replaced by the renewed one.
 */
static JsonNode *
ohe_fitbit_provider_get_json (OheFitbitProvider *self,
			      const gchar *link_id,
			      OheToken **token,
			      const gchar *path_and_query,
			      const gchar *what,
			      GCancellable *cancellable,
			      GError **error)
{
	OheOAuth2Provider *oauth2 = OHE_OAUTH2_PROVIDER (self);
	g_autofree gchar *api_base =
	    ohe_fitbit_provider_config (self, "api_base", OHE_FITBIT_DEFAULT_API_BASE);
	g_autofree gchar *uri = NULL;
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error_local = NULL;
	GBytes *body;
	gsize len = 0;
	const gchar *data;

	/* sets the user limit on the client that send_authorized uses */
	ohe_fitbit_provider_get_client (self);
	while (g_str_has_suffix (api_base, "/"))
		api_base[strlen (api_base) - 1] = '\0';
	uri = g_strconcat (api_base, path_and_query, NULL);
	request = ohe_http_request_new ("GET", uri);
	ohe_http_request_add_header (request, "Accept", "application/json");
	ohe_http_request_set_max_body_size (request, OHE_FITBIT_MAX_RESPONSE);
	ohe_http_request_set_rate_limit_key (request, link_id);
	ohe_http_request_set_breaker_target (request, OHE_FITBIT_BREAKER_TARGET);
	response = ohe_oauth2_provider_send_authorized (oauth2, link_id, token, request,
							cancellable, &error_local);
	if (response == NULL) {
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "Google Health %s: ", what);
		return NULL;
	}
	if (!SOUP_STATUS_IS_SUCCESSFUL (ohe_http_response_get_status (response))) {
		ohe_fitbit_provider_set_api_error (response, what, error);
		return NULL;
	}
	body = ohe_http_response_get_body (response);
	data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
	return ohe_google_health_parse_json (data, len, what, error);
}

/* a token ready for use, or GONE for a legacy Fitbit token */
static OheToken *
ohe_fitbit_provider_ready_token (OheFitbitProvider *self,
				 const gchar *link_id,
				 OheToken *token,
				 GCancellable *cancellable,
				 GError **error)
{
	if (token == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
			     "plugin fitbit: link %s has no token", link_id);
		return NULL;
	}
	if (ohe_fitbit_provider_is_legacy_token (token)) {
		ohe_fitbit_provider_set_gone (error);
		return NULL;
	}
	return ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (self), link_id, token,
						 cancellable, error);
}

/**
 * ohe_fitbit_provider_get_identity:
 * @self: an #OheFitbitProvider
 * @link_id: the link
 * @token: its token
 * @health_user_id: (out): the Google Health user id, which notifications carry
 * @legacy_user_id: (out) (optional) (nullable): the old Fitbit id, to map links made
 *   with the legacy API
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Calls `users/me/identity`. Blocks.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_fitbit_provider_get_identity (OheFitbitProvider *self,
				  const gchar *link_id,
				  OheToken *token,
				  gchar **health_user_id,
				  gchar **legacy_user_id,
				  GCancellable *cancellable,
				  GError **error)
{
	g_autoptr(OheToken) current = NULL;
	g_autoptr(JsonNode) root = NULL;

	g_return_val_if_fail (OHE_IS_FITBIT_PROVIDER (self), FALSE);
	current = ohe_fitbit_provider_ready_token (self, link_id, token, cancellable, error);
	if (current == NULL)
		return FALSE;
	root = ohe_fitbit_provider_get_json (self, link_id, &current, "/v4/users/me/identity",
					     "identity", cancellable, error);
	if (root == NULL)
		return FALSE;
	return ohe_google_health_parse_identity (root, health_user_id, legacy_user_id, error);
}

/* `users/me/pairedDevices`, all pages, as OheGoogleHealthDevice */
static GPtrArray *
ohe_fitbit_provider_list_paired_devices (OheFitbitProvider *self,
					 const gchar *link_id,
					 OheToken *token,
					 GCancellable *cancellable,
					 GError **error)
{
	g_autoptr(OheToken) current = NULL;
	g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (
	    (GDestroyNotify)ohe_google_health_device_free);
	g_autofree gchar *page_token = NULL;

	current = ohe_fitbit_provider_ready_token (self, link_id, token, cancellable, error);
	if (current == NULL)
		return NULL;
	/* a page holds at most 100; a user has a handful, so 50 pages is a broken server */
	for (guint page = 0; page < 50; page++) {
		g_autofree gchar *escaped = NULL;
		g_autofree gchar *path = NULL;
		g_autoptr(JsonNode) root = NULL;
		g_autoptr(GPtrArray) chunk = NULL;
		g_autofree gchar *next = NULL;

		if (page_token != NULL)
			escaped = g_uri_escape_string (page_token, NULL, FALSE);
		path = g_strdup_printf ("/v4/users/me/pairedDevices?pageSize=100%s%s",
					escaped != NULL ? "&pageToken=" : "",
					escaped != NULL ? escaped : "");
		root = ohe_fitbit_provider_get_json (self, link_id, &current, path, "pairedDevices",
						     cancellable, error);
		if (root == NULL)
			return NULL;
		chunk = ohe_google_health_parse_paired_devices (root, &next, error);
		if (chunk == NULL)
			return NULL;
		for (guint i = 0; i < chunk->len; i++)
			g_ptr_array_add (devices, g_ptr_array_steal_index (chunk, i--));
		if (next == NULL)
			return g_steal_pointer (&devices);
		g_free (page_token);
		page_token = g_steal_pointer (&next);
	}
	g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "Google Health pairedDevices: too many pages");
	return NULL;
}

static GTimeZone *
ohe_fitbit_provider_get_zone (OheFitbitProvider *self,
			      const gchar *link_id,
			      OheToken **token,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autoptr(JsonNode) root = ohe_fitbit_provider_get_json (
	    self, link_id, token, "/v4/users/me/settings", "settings", cancellable, error);
	if (root == NULL)
		return NULL;
	return ohe_google_health_parse_settings (root, error);
}

/* the exchange also learns the healthUserId, which notifications are keyed by */
static OheToken *
ohe_fitbit_provider_exchange_code (OheProvider *provider,
				   const gchar *code,
				   const gchar *code_verifier,
				   const gchar *redirect_uri,
				   GCancellable *cancellable,
				   GError **error)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (provider);
	g_autoptr(OheToken) token = NULL;
	g_autofree gchar *user = NULL;
	OheProviderClass *parent = OHE_PROVIDER_CLASS (ohe_fitbit_provider_parent_class);

	token =
	    parent->exchange_code (provider, code, code_verifier, redirect_uri, cancellable, error);
	if (token == NULL)
		return NULL;
	if (!ohe_fitbit_provider_get_identity (self, "(new link)", token, &user, NULL, cancellable,
					       error))
		return NULL;
	ohe_token_set_external_user_id (token, user);
	return g_steal_pointer (&token);
}

/* fetch */

/* the cursor: `type=µs;type=µs`, the end of the last window fetched per data type */
static GHashTable *
ohe_fitbit_provider_parse_cursor (const gchar *cursor, GError **error)
{
	g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	g_auto(GStrv) parts = NULL;

	if (cursor == NULL || cursor[0] == '\0')
		return g_steal_pointer (&map);
	parts = g_strsplit (cursor, ";", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		const gchar *eq = strchr (parts[i], '=');
		g_autofree gchar *id = NULL;
		const OheGoogleHealthDataType *type;
		guint64 value = 0;

		if (eq == NULL ||
		    !g_ascii_string_to_unsigned (eq + 1, 10, 0, G_MAXINT64, &value, NULL)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "fitbit cursor: part %u is not type=microseconds", i);
			return NULL;
		}
		id = g_strndup (parts[i], (gsize)(eq - parts[i]));
		type = ohe_google_health_data_type_lookup (id);
		/* a type dropped in a later version is forgotten, not an error */
		if (type != NULL)
			g_hash_table_replace (map, (gpointer)type->id,
					      g_memdup2 (&value, sizeof (gint64)));
	}
	return g_steal_pointer (&map);
}

static gchar *
ohe_fitbit_provider_format_cursor (GHashTable *map)
{
	g_autoptr(GString) out = g_string_new (NULL);
	for (guint i = 0; i < ohe_google_health_data_type_get_n_items (); i++) {
		const OheGoogleHealthDataType *type = ohe_google_health_data_type_get_item (i);
		const gint64 *value = g_hash_table_lookup (map, type->id);
		if (value == NULL)
			continue;
		g_string_append_printf (out, "%s%s=%" G_GINT64_FORMAT, out->len > 0 ? ";" : "",
					type->id, *value);
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static gchar *
ohe_fitbit_provider_format_time (gint64 us)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gchar *
ohe_fitbit_provider_format_date (gint64 us, GTimeZone *tz)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
	return g_date_time_format (local, "%Y-%m-%d");
}

/* AIP-160 filter of one window (https://google.aip.dev/160) */
static gchar *
ohe_fitbit_provider_build_filter (const OheGoogleHealthDataType *type,
				  gint64 start_us,
				  gint64 end_us,
				  GTimeZone *tz)
{
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	const gchar *field;

	switch (type->record) {
	case OHE_GOOGLE_HEALTH_RECORD_DAILY:
		a = ohe_fitbit_provider_format_date (start_us, tz);
		b = ohe_fitbit_provider_format_date (end_us, tz);
		/* a window inside one civil day still asks for that day */
		if (g_strcmp0 (a, b) == 0) {
			g_free (b);
			b = ohe_fitbit_provider_format_date (
			    end_us + (gint64)86400 * G_USEC_PER_SEC, tz);
		}
		return g_strdup_printf ("%s.date >= \"%s\" AND %s.date < \"%s\"", type->filter, a,
					type->filter, b);
	case OHE_GOOGLE_HEALTH_RECORD_SESSION:
		/* ECG (and IRN, same shape) take only a lower bound; the end is cut locally */
		a = ohe_fitbit_provider_format_time (start_us);
		return g_strdup_printf ("%s.interval.start_time >= \"%s\"", type->filter, a);
	case OHE_GOOGLE_HEALTH_RECORD_SAMPLE:
		field = "sample_time.physical_time";
		break;
	case OHE_GOOGLE_HEALTH_RECORD_INTERVAL:
	default:
		field = "interval.start_time";
		break;
	}
	a = ohe_fitbit_provider_format_time (start_us);
	b = ohe_fitbit_provider_format_time (end_us);
	return g_strdup_printf ("%s.%s >= \"%s\" AND %s.%s < \"%s\"", type->filter, field, a,
				type->filter, field, b);
}

static gint
ohe_fitbit_provider_measurement_cmp (gconstpointer a, gconstpointer b)
{
	OheMeasurement *ma = *(OheMeasurement *const *)a;
	OheMeasurement *mb = *(OheMeasurement *const *)b;
	gint64 sa = ohe_measurement_get_start (ma);
	gint64 sb = ohe_measurement_get_start (mb);
	gboolean ca = ohe_measurement_get_parent_native_id (ma) != NULL;
	gboolean cb = ohe_measurement_get_parent_native_id (mb) != NULL;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	/* a parent goes before its children */
	return (gint)ca - (gint)cb;
}

typedef struct {
	OheFitbitProvider *self;
	OheFetchRequest *request;
	const gchar *link_id;
	OheToken *token; /* owned */
	GTimeZone *tz;	 /* owned, nullable */
	GHashTable *cursor;
	guint page_size;
	gint64 window_us;
	GCancellable *cancellable;
} OheFitbitFetch;

/* all pages of one window: the API lists newest first, so sort afterwards */
static GPtrArray *
ohe_fitbit_provider_list_window (OheFitbitFetch *f,
				 const OheGoogleHealthDataType *type,
				 gint64 start_us,
				 gint64 end_us,
				 GError **error)
{
	g_autoptr(GPtrArray) out =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autofree gchar *filter = ohe_fitbit_provider_build_filter (type, start_us, end_us, f->tz);
	g_autofree gchar *filter_escaped = g_uri_escape_string (filter, NULL, FALSE);
	g_autofree gchar *page_token = NULL;
	g_autofree gchar *what = g_strdup_printf ("%s list", type->id);

	/* 10000 pages of a window is a server that loops */
	for (guint page = 0; page < 10000; page++) {
		g_autofree gchar *token_escaped = NULL;
		g_autofree gchar *path = NULL;
		g_autofree gchar *next = NULL;
		g_autoptr(JsonNode) root = NULL;
		g_autoptr(GPtrArray) chunk = NULL;

		if (page_token != NULL)
			token_escaped = g_uri_escape_string (page_token, NULL, FALSE);
		path = g_strdup_printf (
		    "/v4/users/me/dataTypes/%s/dataPoints?pageSize=%u&filter=%s%s%s", type->id,
		    f->page_size, filter_escaped, token_escaped != NULL ? "&pageToken=" : "",
		    token_escaped != NULL ? token_escaped : "");
		root = ohe_fitbit_provider_get_json (f->self, f->link_id, &f->token, path, what,
						     f->cancellable, error);
		if (root == NULL)
			return NULL;
		chunk = ohe_google_health_parse_data_points (type, root, f->tz, &next, error);
		if (chunk == NULL)
			return NULL;
		for (guint i = 0; i < chunk->len; i++) {
			OheMeasurement *m = g_ptr_array_index (chunk, i);
			/* only the requested kinds leave the plugin (consent beats completeness) */
			if (!ohe_fetch_request_has_kind (f->request, ohe_measurement_get_kind (m)))
				continue;
			/* sessions are filtered by start only on the server */
			if (type->record == OHE_GOOGLE_HEALTH_RECORD_SESSION &&
			    ohe_measurement_get_start (m) >= end_us)
				continue;
			g_ptr_array_add (out, ohe_measurement_ref (m));
		}
		if (next == NULL) {
			g_ptr_array_sort (out, ohe_fitbit_provider_measurement_cmp);
			return g_steal_pointer (&out);
		}
		if (g_strcmp0 (next, page_token) == 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "Google Health %s: nextPageToken repeats", what);
			return NULL;
		}
		g_free (page_token);
		page_token = g_steal_pointer (&next);
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "Google Health %s: too many pages",
		     what);
	return NULL;
}

static gboolean
ohe_fitbit_provider_fetch_type (OheFitbitFetch *f,
				const OheGoogleHealthDataType *type,
				GError **error)
{
	gint64 start = ohe_fetch_request_get_start (f->request);
	gint64 end = ohe_fetch_request_get_end (f->request);
	const gint64 *done = g_hash_table_lookup (f->cursor, type->id);

	if (done != NULL)
		start = MAX (start, *done);
	while (start < end) {
		/* a session filter takes no upper bound (§2.3): every window would list all later
		 * recordings again, so sessions come in one window */
		gint64 window_end =
		    type->record == OHE_GOOGLE_HEALTH_RECORD_SESSION || end - start <= f->window_us
			? end
			: start + f->window_us;
		g_autoptr(GPtrArray) batch =
			       ohe_fitbit_provider_list_window (f, type, start, window_end, error);
		g_autofree gchar *cursor = NULL;
		if (batch == NULL)
			return FALSE;
		g_hash_table_replace (f->cursor, (gpointer)type->id,
				      g_memdup2 (&window_end, sizeof (gint64)));
		cursor = ohe_fitbit_provider_format_cursor (f->cursor);
		if (!ohe_fetch_request_emit (f->request, batch, cursor, error))
			return FALSE;
		start = window_end;
	}
	return TRUE;
}

static gboolean
ohe_fitbit_provider_token_has_scope (OheToken *token, const gchar *scope)
{
	const gchar *granted = ohe_token_get_scope (token);
	g_autofree gchar *full = NULL;
	g_auto(GStrv) parts = NULL;
	/* without a recorded scope, let the API decide */
	if (granted == NULL || granted[0] == '\0')
		return TRUE;
	full = g_strconcat (OHE_GOOGLE_HEALTH_SCOPE_PREFIX, scope, NULL);
	parts = g_strsplit (granted, " ", -1);
	return g_strv_contains ((const gchar *const *)parts, full);
}

static void
ohe_fitbit_fetch_clear (OheFitbitFetch *f)
{
	g_clear_object (&f->token);
	g_clear_pointer (&f->tz, g_time_zone_unref);
	g_clear_pointer (&f->cursor, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheFitbitFetch, ohe_fitbit_fetch_clear)

static gboolean
ohe_fitbit_provider_fetch (OheProvider *provider,
			   OheFetchRequest *request,
			   GCancellable *cancellable,
			   GError **error)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (provider);
	const gchar *link_id = ohe_fetch_request_get_link_id (request);
	g_auto(OheFitbitFetch)
		    f = {self, request, link_id, NULL, NULL, NULL, 1440, 0, cancellable};
	g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	g_autoptr(GPtrArray) types = NULL;
	gint64 page_size = ohe_plugin_get_config_int (OHE_PLUGIN (self), "page_size", 1440);
	gint64 window_hours = ohe_plugin_get_config_int (OHE_PLUGIN (self), "window_hours", 24);
	gboolean needs_zone = FALSE;

	f.page_size = (guint)CLAMP (page_size, 1, 10000);
	f.window_us = CLAMP (window_hours, 1, 24 * 90) * 3600 * G_USEC_PER_SEC;
	f.cursor = ohe_fitbit_provider_parse_cursor (ohe_fetch_request_get_cursor (request), error);
	if (f.cursor == NULL)
		return FALSE;
	f.token = ohe_fitbit_provider_ready_token (
	    self, link_id, ohe_fetch_request_get_token (request), cancellable, error);
	if (f.token == NULL)
		return FALSE;
	for (guint i = 0; i < ohe_fetch_request_get_n_kinds (request); i++) {
		OheMeasurementKind kind = ohe_fetch_request_get_kind (request, i);
		g_array_append_val (kinds, kind);
	}
	types = ohe_google_health_data_type_for_kinds ((const OheMeasurementKind *)kinds->data,
						       kinds->len);
	for (guint i = 0; i < types->len; i++) {
		const OheGoogleHealthDataType *type = g_ptr_array_index (types, i);
		/* partial consent: a scope the user did not grant is skipped, not an error */
		if (!ohe_fitbit_provider_token_has_scope (f.token, type->scope)) {
			g_debug ("link %s: %s skipped, scope not granted", link_id, type->id);
			g_ptr_array_remove_index (types, i--);
			continue;
		}
		needs_zone |= type->record == OHE_GOOGLE_HEALTH_RECORD_DAILY;
	}
	if (needs_zone) {
		f.tz = ohe_fitbit_provider_get_zone (self, link_id, &f.token, cancellable, error);
		if (f.tz == NULL)
			return FALSE;
	}
	for (guint i = 0; i < types->len; i++) {
		if (!ohe_fitbit_provider_fetch_type (&f, g_ptr_array_index (types, i), error))
			return FALSE;
	}
	return TRUE;
}

/* notifications */

static gchar *
ohe_fitbit_provider_get_secret (OheFitbitProvider *self)
{
	g_autoptr(GError) error_local = NULL;
	gchar *secret = ohe_plugin_get_config_secret (OHE_PLUGIN (self), "notification_secret",
						      "notification_secret_file", &error_local);
	/* without a secret every handshake is refused, which is safe */
	if (error_local != NULL)
		g_warning ("%s", error_local->message);
	return secret;
}

static OheGoogleHealthPublicKey *
ohe_fitbit_provider_load_key (OheFitbitProvider *self, GError **error)
{
	g_autofree gchar *filename =
	    ohe_fitbit_provider_config (self, "notification_public_key_file", NULL);
	gint64 key_id = ohe_plugin_get_config_int (OHE_PLUGIN (self), "notification_key_id", -1);
	g_autofree gchar *pem = NULL;
	gsize len = 0;
	g_autoptr(GError) error_local = NULL;
	OheGoogleHealthPublicKey *key;

	if (filename == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "[plugin:fitbit] notification_public_key_file is not set: "
				     "deliveries cannot be verified");
		return NULL;
	}
	if (!g_file_get_contents (filename, &pem, &len, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "[plugin:fitbit] notification_public_key_file: %s",
			     error_local->message);
		return NULL;
	}
	key = ohe_google_health_public_key_new_from_pem (
	    pem, len, key_id > G_MAXUINT32 ? -1 : key_id, &error_local);
	if (key == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "[plugin:fitbit] notification_public_key_file: %s",
			     error_local->message);
		return NULL;
	}
	return key;
}

/*
 * Decides how the webhook endpoint answers a POST from Google. The
 * verification handshake gets 201 with the configured secret, 401 without an
 * Authorization header and 403 with a wrong one. A delivery gets 204 when its
 * signature verifies against the configured key (and its Authorization, if
 * present, matches the secret); otherwise 403 with @error set.
 */
static guint
ohe_fitbit_provider_verify_notification (OheFitbitProvider *self,
					 const gchar *authorization,
					 const gchar *signature,
					 GBytes *body,
					 GError **error)
{
	g_autofree gchar *secret = NULL;
	g_autoptr(OheGoogleHealthPublicKey) key = NULL;
	const guint8 *data;
	gsize len = 0;
	guint status;

	data = g_bytes_get_data (body, &len);
	secret = ohe_fitbit_provider_get_secret (self);
	if (ohe_google_health_notification_is_verification (data, len)) {
		status = ohe_google_health_notification_check_secret (secret, authorization);
		if (status == SOUP_STATUS_UNAUTHORIZED)
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
					     "verification request without Authorization");
		else if (status == SOUP_STATUS_FORBIDDEN)
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
					     "verification request with a wrong Authorization");
		return status;
	}
	/* the secret may be missing on deliveries (§4.3), but a wrong one is refused */
	if (authorization != NULL && authorization[0] != '\0' &&
	    ohe_google_health_notification_check_secret (secret, authorization) !=
		SOUP_STATUS_CREATED) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "notification with a wrong Authorization");
		return SOUP_STATUS_FORBIDDEN;
	}
	key = ohe_fitbit_provider_load_key (self, error);
	if (key == NULL)
		return SOUP_STATUS_FORBIDDEN;
	if (!ohe_google_health_public_key_verify (key, data, len, signature, error))
		return SOUP_STATUS_FORBIDDEN;
	return SOUP_STATUS_NO_CONTENT;
}

/*
 * One request to the webhook route: Google's handshake, or a delivery that
 * must be signed by the configured key, not seen before, and parse strictly.
 * A data type the plugin does not read gives no hint.
 */
static GPtrArray *
ohe_fitbit_provider_handle_webhook (OheProvider *provider,
				    OheWebhookRequest *request,
				    GError **error)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (provider);
	GBytes *body = ohe_webhook_request_get_body (request);
	const gchar *signature =
	    ohe_webhook_request_get_header (request, OHE_GOOGLE_HEALTH_SIGNATURE_HEADER);
	g_autoptr(GPtrArray) parsed = NULL;
	g_autoptr(GPtrArray) hints = g_ptr_array_new_with_free_func (g_object_unref);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (body, &len);
	guint status;

	if (g_strcmp0 (ohe_webhook_request_get_method (request), "POST") != 0) {
		ohe_webhook_request_set_response (request, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL,
						  NULL);
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "Google Health notification: only POST is accepted");
		return NULL;
	}
	if (signature == NULL)
		signature = ohe_webhook_request_get_header (request,
							    OHE_GOOGLE_HEALTH_SIGNATURE_HEADER_ALT);
	status = ohe_fitbit_provider_verify_notification (
	    self, ohe_webhook_request_get_header (request, "Authorization"), signature, body,
	    error);
	ohe_webhook_request_set_response (request, status, NULL, NULL);
	if (status == SOUP_STATUS_CREATED)
		return g_steal_pointer (&hints);
	if (status != SOUP_STATUS_NO_CONTENT)
		return NULL;
	parsed = ohe_google_health_notification_parse (data, len, error);
	if (parsed == NULL) {
		ohe_webhook_request_set_response (request, SOUP_STATUS_BAD_REQUEST, NULL, NULL);
		return NULL;
	}
	ohe_replay_guard_set_clock (self->replay,
				    ohe_oauth2_provider_get_clock (OHE_OAUTH2_PROVIDER (self)));
	/* a replay is acknowledged with the 204 already set, so Google stops retrying */
	if (!ohe_replay_guard_check (self->replay, body, error)) {
		g_prefix_error (error, "Google Health: ");
		return NULL;
	}
	for (guint i = 0; i < parsed->len; i++) {
		OheGoogleHealthSyncHint *one = g_ptr_array_index (parsed, i);
		OheSyncHint *hint;
		if (one->kinds->len == 0)
			continue;
		hint = ohe_sync_hint_new (one->health_user_id, MAX (one->start_us, 0),
					  MAX (one->end_us, 0));
		for (guint k = 0; k < one->kinds->len; k++)
			ohe_sync_hint_add_kind (hint,
						g_array_index (one->kinds, OheMeasurementKind, k));
		g_ptr_array_add (hints, hint);
	}
	return g_steal_pointer (&hints);
}

static GPtrArray *
ohe_fitbit_provider_list_devices (OheProvider *provider,
				  const gchar *link_id,
				  OheToken *token,
				  GCancellable *cancellable,
				  GError **error)
{
	g_autoptr(GPtrArray) paired = ohe_fitbit_provider_list_paired_devices (
	    OHE_FITBIT_PROVIDER (provider), link_id, token, cancellable, error);
	GPtrArray *devices;
	if (paired == NULL)
		return NULL;
	devices = g_ptr_array_new_with_free_func (g_object_unref);
	for (guint i = 0; i < paired->len; i++) {
		OheGoogleHealthDevice *dev = g_ptr_array_index (paired, i);
		OheDevice *device = ohe_device_new (dev->id);
		ohe_device_set_model (device, dev->version);
		ohe_device_set_device_type (device, dev->device_type);
		if (dev->battery_level >= 0 && dev->battery_level <= 100)
			ohe_device_set_battery_level (device, dev->battery_level);
		if (dev->last_sync_us > 0)
			ohe_device_set_last_sync (device, dev->last_sync_us);
		g_ptr_array_add (devices, device);
	}
	return devices;
}

/*
 * Revokes the grant at Google (https://developers.google.com/identity/protocols/oauth2/
 * web-server#tokenrevoke): revoking the refresh token ends the access tokens too.
 */
static gboolean
ohe_fitbit_provider_revoke (OheProvider *provider,
			    const gchar *link_id,
			    OheToken *token,
			    GCancellable *cancellable,
			    GError **error)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (provider);
	g_autofree gchar *url =
	    ohe_fitbit_provider_config (self, "revoke_url", OHE_FITBIT_DEFAULT_REVOKE_URL);
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("POST", url);
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
	const gchar *secret = ohe_token_get_refresh_token (token);

	if (secret == NULL || secret[0] == '\0')
		secret = ohe_token_get_access_token (token);
	if (secret == NULL || secret[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "plugin fitbit: link %s has no token to revoke",
			     link_id != NULL ? link_id : "(none)");
		return FALSE;
	}
	g_hash_table_insert (form, (gpointer) "token", (gpointer)secret);
	ohe_http_request_set_form (request, form);
	ohe_http_request_set_idempotent (request, TRUE);
	response = ohe_http_client_send (ohe_fitbit_provider_get_client (self), request,
					 cancellable, error);
	if (response == NULL) {
		g_prefix_error (error, "Google revoke: ");
		return FALSE;
	}
	if (!SOUP_STATUS_IS_SUCCESSFUL (ohe_http_response_get_status (response))) {
		g_autoptr(GError) error_local = NULL;
		guint http_status = ohe_http_response_get_status (response);
		/* an already revoked or expired token: the grant is gone either way */
		if (http_status == SOUP_STATUS_BAD_REQUEST) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
				     "Google revoke: HTTP %u, the token is not valid", http_status);
			return FALSE;
		}
		ohe_http_response_check_status (response, &error_local);
		g_set_error (error, OHE_ERROR,
			     error_local != NULL ? error_local->code : OHE_ERROR_FAILED,
			     "Google revoke: HTTP %u", http_status);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_fitbit_provider_get_poll_only_kinds:
 *
 * The kinds that Google's webhooks never announce completely (intraday SpO2,
 * core temperature, ECG, rhythm notifications): the scheduler polls them.
 *
 * Returns: (transfer full) (element-type OheMeasurementKind): the kinds
 */
GArray *
ohe_fitbit_provider_get_poll_only_kinds (void)
{
	return ohe_google_health_data_type_get_poll_only_kinds ();
}

static void
ohe_fitbit_provider_finalize (GObject *object)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (object);
	g_clear_object (&self->replay);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_fitbit_provider_parent_class)->finalize (object);
}

/* an integer key of the table, checked against its range: the plugin can be set up
 * without the daemon's check of the group (tests, other hosts) */
static gboolean
ohe_fitbit_provider_config_int (OheFitbitProvider *self,
				const gchar *key,
				gint64 *value,
				GError **error)
{
	const OhePluginConfigKey *entry =
	    ohe_plugin_config_key_lookup (ohe_fitbit_config_keys, key);
	g_autofree gchar *text = ohe_fitbit_provider_config (self, key, NULL);
	g_autofree gchar *group = ohe_plugin_get_config_group (OHE_PLUGIN (self));

	g_assert (entry != NULL && entry->type == OHE_PLUGIN_CONFIG_TYPE_INT &&
		  entry->default_value != NULL);
	if (text != NULL && !ohe_plugin_config_key_check (entry, group, text, error))
		return FALSE;
	*value = g_ascii_strtoll (text != NULL ? text : entry->default_value, NULL, 10);
	return TRUE;
}

/* Google counts 300 requests per minute per user: every link gets its own budget, kept
 * by the host's limiter and so shared with other processes */
static gboolean
ohe_fitbit_provider_setup (OhePlugin *plugin, GCancellable *cancellable, GError **error)
{
	OheFitbitProvider *self = OHE_FITBIT_PROVIDER (plugin);
	gint64 requests = 0;
	gint64 window = 0;

	if (!OHE_PLUGIN_CLASS (ohe_fitbit_provider_parent_class)
		 ->setup (plugin, cancellable, error))
		return FALSE;
	if (!ohe_fitbit_provider_config_int (self, "rate_limit_requests", &requests, error) ||
	    !ohe_fitbit_provider_config_int (self, "rate_limit_window", &window, error))
		return FALSE;
	g_mutex_lock (&self->mutex);
	self->rate_requests = (guint)requests;
	self->rate_window = (guint)window;
	/* the next request sets the new limit on the client */
	self->limited_client = NULL;
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

static void
ohe_fitbit_provider_class_init (OheFitbitProviderClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	OheProviderClass *provider_class = OHE_PROVIDER_CLASS (klass);
	OheOAuth2ProviderClass *oauth2_class = OHE_OAUTH2_PROVIDER_CLASS (klass);

	object_class->finalize = ohe_fitbit_provider_finalize;
	OHE_PLUGIN_CLASS (klass)->setup = ohe_fitbit_provider_setup;
	ohe_plugin_class_set_config_keys (OHE_PLUGIN_CLASS (klass), ohe_fitbit_config_keys);
	provider_class->get_kinds = ohe_fitbit_provider_get_kinds;
	provider_class->exchange_code = ohe_fitbit_provider_exchange_code;
	provider_class->fetch = ohe_fitbit_provider_fetch;
	provider_class->handle_webhook = ohe_fitbit_provider_handle_webhook;
	provider_class->list_devices = ohe_fitbit_provider_list_devices;
	provider_class->revoke = ohe_fitbit_provider_revoke;
	oauth2_class->default_authorize_endpoint = OHE_FITBIT_DEFAULT_AUTHORIZE_URL;
	oauth2_class->default_token_endpoint = OHE_FITBIT_DEFAULT_TOKEN_URL;
	oauth2_class->get_scope = ohe_fitbit_provider_get_scope;
	oauth2_class->add_authorize_params = ohe_fitbit_provider_add_authorize_params;
}

static void
ohe_fitbit_provider_init (OheFitbitProvider *self)
{
	g_mutex_init (&self->mutex);
	self->rate_requests = OHE_FITBIT_USER_RATE_LIMIT;
	self->rate_window = OHE_FITBIT_USER_RATE_SECONDS;
	self->replay = ohe_replay_guard_new (0, 0);
}

OHE_PLUGIN_DEFINE ("fitbit", ohe_fitbit_provider_get_type)
