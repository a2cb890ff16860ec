/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fhir-auth.h"
#include "ohe-fhir-jwt.h"
#include "ohe-fhir-key.h"

/*
 * The Authorization header of requests to the EHR. Sink workers call
 * ohe_fhir_auth_get_authorization() from many threads; one of them fetches a
 * token while the others wait for its result, so a burst after expiry or a
 * 401 costs the token endpoint one request. All blocking work (HTTP, signing)
 * happens on the caller's worker thread, outside the mutex.
 */

#define OHE_FHIR_AUTH_MAX_SECRET_FILE_SIZE (16 * 1024)
/* when a token response has no expires_in; SMART recommends five minutes */
#define OHE_FHIR_AUTH_DEFAULT_LIFETIME_S 300
#define OHE_FHIR_AUTH_MAX_DESCRIPTION	 200
#define OHE_FHIR_AUTH_WAIT_SLICE_US	 (100 * G_TIME_SPAN_MILLISECOND)

struct _OheFhirAuth {
	GObject parent_instance;
	OheFhirAuthMode mode;
	gchar *group;	       /* owned, `[plugin:NAME]`, the prefix of config errors */
	OheHttpClient *client; /* owned, nullable for none and bearer */
	gchar *token_url;      /* owned */
	gchar *client_id;      /* owned */
	gchar *secret;	       /* owned, wiped: the static token or the client secret */
	gchar *token_file;     /* owned, nullable: re-read after a 401 */
	gchar *scope;	       /* owned, nullable */
	gchar *key_id;	       /* owned */
	gboolean client_auth_basic;
	OheFhirKey *key; /* owned, smart_backend only */
	GMutex mutex;
	GCond cond;	      /* signalled when a token request ends */
	OheClock *clock;      /* owned, protected by mutex */
	gchar *authorization; /* owned, wiped, protected by mutex: the cached header */
	gint64 refresh_at_s;  /* protected by mutex: renew from this unix time on */
	gboolean in_flight;   /* protected by mutex: a caller is fetching a token */
	guint64 generation;   /* protected by mutex: counts finished token requests */
	GError *last_error;   /* owned, protected by mutex: of the last token request */
	guint token_requests; /* protected by mutex */
};

G_DEFINE_TYPE (OheFhirAuth, ohe_fhir_auth, G_TYPE_OBJECT)

/* in the order of OheFhirAuthMode, which also indexes it */
static const struct {
	const gchar *name;
	OheFhirAuthMode mode;
} ohe_fhir_auth_modes[] = {
    {"none", OHE_FHIR_AUTH_MODE_NONE},
    {"bearer", OHE_FHIR_AUTH_MODE_BEARER},
    {"client_credentials", OHE_FHIR_AUTH_MODE_CLIENT_CREDENTIALS},
    {"smart_backend", OHE_FHIR_AUTH_MODE_SMART_BACKEND},
};

static const struct {
	const gchar *name;
	OheFhirKeyType key_type;
	const gchar *key_description;
} ohe_fhir_auth_algorithms[] = {
    {"RS384", OHE_FHIR_KEY_TYPE_RSA, "an RSA key"},
    {"ES384", OHE_FHIR_KEY_TYPE_EC_P384, "an EC P-384 key"},
};

/* token endpoint answers that no retry can fix: the configuration must change */
static const guint ohe_fhir_auth_refusals[] = {400, 401, 403};

/* a string that held a credential: wiped before it is freed */
typedef gchar OheFhirAuthSecret;

static void
ohe_fhir_auth_free_secret (gchar *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero (secret, strlen (secret));
	g_free (secret);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirAuthSecret, ohe_fhir_auth_free_secret)

/*
 * A token goes into a header as it is: no controls, spaces or non-ASCII. A
 * client secret is encoded first, so only controls (a stray CR from an
 * editor) are refused.
 */
static gboolean
ohe_fhir_auth_is_valid (const gchar *value, gboolean is_token)
{
	if (value == NULL || value[0] == '\0')
		return FALSE;
	for (const gchar *p = value; *p != '\0'; p++) {
		guchar c = (guchar)*p;
		if (c < 0x20 || c == 0x7f || (is_token && (c == ' ' || c > 0x7f)))
			return FALSE;
	}
	return TRUE;
}

static const gchar *
ohe_fhir_auth_invalid_reason (gboolean is_token)
{
	return is_token ? "empty or holds spaces or control characters"
			: "empty or holds control characters";
}

/* the first line of @filename, which holds a token or a client secret */
static gchar *
ohe_fhir_auth_read_secret_file (
    OheFhirAuth *self, const gchar *key, const gchar *filename, gboolean is_token, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	g_autofree gchar *contents = NULL;
	gchar *secret;
	gsize len = 0;

	if (g_file_test (filename, G_FILE_TEST_EXISTS) &&
	    !ohe_private_file_check (filename, key, &error_local)) {
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "%s: ", self->group);
		return NULL;
	}
	if (!g_file_get_contents (filename, &contents, &len, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "%s %s: cannot read: %s",
			     self->group, key, error_local->message);
		return NULL;
	}
	if (len > OHE_FHIR_AUTH_MAX_SECRET_FILE_SIZE) {
		explicit_bzero (contents, len);
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s %s: file is larger than %u bytes", self->group, key,
			     (guint)OHE_FHIR_AUTH_MAX_SECRET_FILE_SIZE);
		return NULL;
	}
	secret = g_strndup (contents, strcspn (contents, "\r\n"));
	explicit_bzero (contents, len);
	/* trailing blanks are an editor's, not the secret's */
	g_strchomp (secret);
	if (!ohe_fhir_auth_is_valid (secret, is_token)) {
		ohe_fhir_auth_free_secret (secret);
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s %s: first line is %s",
			     self->group, key, ohe_fhir_auth_invalid_reason (is_token));
		return NULL;
	}
	return secret;
}

/* from @key, or from the file named by @file_key; exactly one of them */
static gchar *
ohe_fhir_auth_read_secret (OheFhirAuth *self,
			   OhePlugin *plugin,
			   const gchar *key,
			   const gchar *file_key,
			   gboolean is_token,
			   gchar **filename,
			   GError **error)
{
	g_autofree gchar *value = ohe_plugin_get_config_string (plugin, key, NULL);
	g_autofree gchar *file = ohe_plugin_get_config_string (plugin, file_key, NULL);
	gchar *secret;

	if (value != NULL && file != NULL) {
		ohe_fhir_auth_free_secret (g_steal_pointer (&value));
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s %s: set %s or %s, not both", self->group, file_key, key, file_key);
		return NULL;
	}
	if (file != NULL) {
		secret = ohe_fhir_auth_read_secret_file (self, file_key, file, is_token, error);
		if (secret != NULL && filename != NULL)
			*filename = g_steal_pointer (&file);
		return secret;
	}
	if (value == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s %s: missing, set %s or %s", self->group, key, key, file_key);
		return NULL;
	}
	if (!ohe_fhir_auth_is_valid (value, is_token)) {
		ohe_fhir_auth_free_secret (g_steal_pointer (&value));
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s %s: %s", self->group,
			     key, ohe_fhir_auth_invalid_reason (is_token));
		return NULL;
	}
	return g_steal_pointer (&value);
}

static gchar *
ohe_fhir_auth_require (OheFhirAuth *self, OhePlugin *plugin, const gchar *key, GError **error)
{
	g_autofree gchar *value = ohe_plugin_get_config_string (plugin, key, NULL);
	if (value == NULL || value[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s %s: missing, required by auth=%s", self->group, key,
			     ohe_fhir_auth_modes[self->mode].name);
		return NULL;
	}
	return g_steal_pointer (&value);
}

/* credentials go to the token endpoint, so only over TLS, or to this machine */
static gboolean
ohe_fhir_auth_check_token_url (OheFhirAuth *self, GError **error)
{
	g_autoptr (GUri) uri = g_uri_parse (self->token_url, G_URI_FLAGS_NONE, NULL);
	const gchar *scheme;
	const gchar *host;

	if (uri == NULL || g_uri_get_host (uri) == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s token_url: not an absolute URL", self->group);
		return FALSE;
	}
	scheme = g_uri_get_scheme (uri);
	host = g_uri_get_host (uri);
	if (g_ascii_strcasecmp (scheme, "https") == 0)
		return TRUE;
	if (g_ascii_strcasecmp (scheme, "http") == 0 &&
	    (g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "::1") == 0 ||
	     g_ascii_strcasecmp (host, "localhost") == 0))
		return TRUE;
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "%s token_url: must be https (http only to the loopback address)",
		     self->group);
	return FALSE;
}

static gboolean
ohe_fhir_auth_load_key (OheFhirAuth *self, OhePlugin *plugin, GError **error)
{
	g_autofree gchar *filename = NULL;
	g_autofree gchar *algorithm = NULL;

	filename = ohe_fhir_auth_require (self, plugin, "private_key_file", error);
	if (filename == NULL)
		return FALSE;
	if (g_file_test (filename, G_FILE_TEST_EXISTS) &&
	    !ohe_private_file_check (filename, "private_key_file", error)) {
		g_prefix_error (error, "%s: ", self->group);
		return FALSE;
	}
	self->key = ohe_fhir_key_new_from_file (filename, error);
	if (self->key == NULL) {
		g_prefix_error (error, "%s private_key_file: ", self->group);
		return FALSE;
	}
	algorithm = ohe_plugin_get_config_string (plugin, "algorithm", NULL);
	if (algorithm == NULL)
		return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS (ohe_fhir_auth_algorithms); i++) {
		if (g_strcmp0 (algorithm, ohe_fhir_auth_algorithms[i].name) != 0)
			continue;
		if (ohe_fhir_key_get_key_type (self->key) != ohe_fhir_auth_algorithms[i].key_type) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "%s algorithm: %s needs %s, private_key_file holds a %s key",
				     self->group, algorithm,
				     ohe_fhir_auth_algorithms[i].key_description,
				     ohe_fhir_key_get_algorithm (self->key));
			return FALSE;
		}
		return TRUE;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "%s algorithm: '%s' is not RS384 or ES384", self->group, algorithm);
	return FALSE;
}

static gboolean
ohe_fhir_auth_load_token_client (OheFhirAuth *self,
				 OhePlugin *plugin,
				 OheHttpClient *client,
				 GError **error)
{
	if (client == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s auth=%s needs an HTTP client", self->group,
			     ohe_fhir_auth_modes[self->mode].name);
		return FALSE;
	}
	self->client = g_object_ref (client);
	self->token_url = ohe_fhir_auth_require (self, plugin, "token_url", error);
	if (self->token_url == NULL || !ohe_fhir_auth_check_token_url (self, error))
		return FALSE;
	self->client_id = ohe_fhir_auth_require (self, plugin, "client_id", error);
	if (self->client_id == NULL)
		return FALSE;
	self->scope = ohe_plugin_get_config_string (plugin, "scope", NULL);
	if (self->mode == OHE_FHIR_AUTH_MODE_CLIENT_CREDENTIALS) {
		g_autofree gchar *client_auth =
		    ohe_plugin_get_config_string (plugin, "client_auth", "basic");
		if (g_strcmp0 (client_auth, "basic") != 0 && g_strcmp0 (client_auth, "post") != 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "%s client_auth: '%s' is not basic or post", self->group,
				     client_auth);
			return FALSE;
		}
		self->client_auth_basic = g_strcmp0 (client_auth, "basic") == 0;
		self->secret = ohe_fhir_auth_read_secret (self, plugin, "client_secret",
							  "client_secret_file", FALSE, NULL, error);
		return self->secret != NULL;
	}
	/* the EHR looks the public key up by kid in the client's JWKS */
	self->key_id = ohe_fhir_auth_require (self, plugin, "key_id", error);
	if (self->key_id == NULL)
		return FALSE;
	return ohe_fhir_auth_load_key (self, plugin, error);
}

/**
 * ohe_fhir_auth_new_from_config:
 * @plugin: the sink, whose group `[plugin:NAME]` holds `auth` and its keys
 * @client: (nullable): sends token requests; needed by `client_credentials`
 *   and `smart_backend`
 * @error: a #GError, or %NULL
 *
 * Reads `auth=none|bearer|client_credentials|smart_backend` and the keys of
 * that mode, reading secret and key files now so a bad file fails at setup.
 *
 * Returns: (transfer full): the authenticator, or %NULL with an error naming the key
 */
OheFhirAuth *
ohe_fhir_auth_new_from_config (OhePlugin *plugin, OheHttpClient *client, GError **error)
{
	g_autoptr (OheFhirAuth) self = NULL;
	g_autofree gchar *group = NULL;
	g_autofree gchar *mode = NULL;
	gboolean found = FALSE;

	g_return_val_if_fail (OHE_IS_PLUGIN (plugin), NULL);
	g_return_val_if_fail (client == NULL || OHE_IS_HTTP_CLIENT (client), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	self = g_object_new (OHE_TYPE_FHIR_AUTH, NULL);
	group = ohe_plugin_get_config_group (plugin);
	self->group = g_strdup_printf ("[%s]", group);
	mode = ohe_plugin_get_config_string (plugin, "auth", "none");
	for (guint i = 0; i < G_N_ELEMENTS (ohe_fhir_auth_modes); i++) {
		if (g_strcmp0 (mode, ohe_fhir_auth_modes[i].name) == 0) {
			self->mode = ohe_fhir_auth_modes[i].mode;
			found = TRUE;
		}
	}
	if (!found) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s auth: '%s' is not none, bearer, client_credentials or "
			     "smart_backend",
			     self->group, mode);
		return NULL;
	}
	switch (self->mode) {
	case OHE_FHIR_AUTH_MODE_NONE:
		break;
	case OHE_FHIR_AUTH_MODE_BEARER:
		self->secret = ohe_fhir_auth_read_secret (self, plugin, "token", "token_file", TRUE,
							  &self->token_file, error);
		if (self->secret == NULL)
			return NULL;
		self->authorization = g_strconcat ("Bearer ", self->secret, NULL);
		break;
	case OHE_FHIR_AUTH_MODE_CLIENT_CREDENTIALS:
	case OHE_FHIR_AUTH_MODE_SMART_BACKEND:
	default:
		if (!ohe_fhir_auth_load_token_client (self, plugin, client, error))
			return NULL;
		break;
	}
	return g_steal_pointer (&self);
}

OheFhirAuthMode
ohe_fhir_auth_get_mode (OheFhirAuth *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_AUTH (self), OHE_FHIR_AUTH_MODE_NONE);
	return self->mode;
}

/**
 * ohe_fhir_auth_set_clock:
 * @self: an #OheFhirAuth
 * @clock: the clock token expiry and assertion times are read from
 *
 * For tests, to expire tokens without waiting.
 */
void
ohe_fhir_auth_set_clock (OheFhirAuth *self, OheClock *clock)
{
	g_return_if_fail (OHE_IS_FHIR_AUTH (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	g_mutex_lock (&self->mutex);
	g_set_object (&self->clock, clock);
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_fhir_auth_get_token_requests:
 * @self: an #OheFhirAuth
 *
 * Returns: how many token requests were started
 */
guint
ohe_fhir_auth_get_token_requests (OheFhirAuth *self)
{
	guint n;
	g_return_val_if_fail (OHE_IS_FHIR_AUTH (self), 0);
	g_mutex_lock (&self->mutex);
	n = self->token_requests;
	g_mutex_unlock (&self->mutex);
	return n;
}

/* RFC 6749 §2.3.1: both parts form-encoded before they are joined and base64-encoded */
static gchar *
ohe_fhir_auth_dup_basic (OheFhirAuth *self)
{
	g_autofree gchar *id = g_uri_escape_string (self->client_id, NULL, FALSE);
	g_autoptr (OheFhirAuthSecret) secret = g_uri_escape_string (self->secret, NULL, FALSE);
	g_autoptr (OheFhirAuthSecret) pair = g_strconcat (id, ":", secret, NULL);
	g_autoptr (OheFhirAuthSecret) encoded =
		       g_base64_encode ((const guchar *)pair, strlen (pair));
	return g_strconcat ("Basic ", encoded, NULL);
}

/* the server's own words, unless they could carry a credential back into a log */
static gchar *
ohe_fhir_auth_dup_oauth_error (OheFhirAuth *self, OheHttpResponse *response, const gchar *assertion)
{
	g_autoptr (JsonNode) root = ohe_http_response_get_json (response, NULL);
	JsonObject *obj;
	const gchar *code;
	const gchar *description;
	GString *text;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return NULL;
	obj = json_node_get_object (root);
	code = json_object_get_string_member_with_default (obj, "error", NULL);
	if (code == NULL || !ohe_fhir_auth_is_valid (code, TRUE) || strlen (code) > 64)
		return NULL;
	text = g_string_new (code);
	description = json_object_get_string_member_with_default (obj, "error_description", NULL);
	if (description != NULL &&
	    (self->secret == NULL || strstr (description, self->secret) == NULL) &&
	    (assertion == NULL || strstr (description, assertion) == NULL)) {
		g_string_append (text, " (");
		for (guint i = 0; description[i] != '\0' && i < OHE_FHIR_AUTH_MAX_DESCRIPTION;
		     i++) {
			gchar c = description[i];
			g_string_append_c (text, g_ascii_isprint (c) ? c : '?');
		}
		g_string_append_c (text, ')');
	}
	return g_string_free (text, FALSE);
}

static void
ohe_fhir_auth_set_refused (OheFhirAuth *self,
			   OheHttpResponse *response,
			   const gchar *assertion,
			   GError **error)
{
	g_autoptr (GError) error_status = NULL;
	g_autofree gchar *oauth_error = NULL;
	guint status = ohe_http_response_get_status (response);
	gint code;

	ohe_http_response_check_status (response, &error_status);
	code = error_status != NULL ? error_status->code : OHE_ERROR_FAILED;
	for (guint i = 0; i < G_N_ELEMENTS (ohe_fhir_auth_refusals); i++) {
		if (status == ohe_fhir_auth_refusals[i])
			code = OHE_ERROR_AUTH_REQUIRED;
	}
	oauth_error = ohe_fhir_auth_dup_oauth_error (self, response, assertion);
	g_set_error (error, OHE_ERROR, code, "%s token_url: token endpoint answered %s%s%s",
		     self->group, error_status != NULL ? error_status->message : "HTTP error",
		     oauth_error != NULL ? ": " : "", oauth_error != NULL ? oauth_error : "");
}

static gchar *
ohe_fhir_auth_parse_token (OheFhirAuth *self,
			   OheHttpResponse *response,
			   gint64 now_s,
			   gint64 *refresh_at_s,
			   GError **error)
{
	g_autoptr (JsonNode) root = NULL;
	g_autoptr (OheToken) token = NULL;
	JsonObject *obj;
	const gchar *token_type;
	gint64 expires_at;
	gint64 lifetime;

	root = ohe_http_response_get_json (response, error);
	if (root == NULL) {
		g_prefix_error (error, "%s token_url: ", self->group);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s token_url: token response is not a JSON object", self->group);
		return NULL;
	}
	obj = json_node_get_object (root);
	token = ohe_token_new_from_json (obj, now_s, error);
	if (token == NULL) {
		g_prefix_error (error, "%s token_url: ", self->group);
		return NULL;
	}
	/* another type (DPoP, MAC) needs more than an Authorization header */
	token_type = json_object_get_string_member_with_default (obj, "token_type", "bearer");
	if (g_ascii_strcasecmp (token_type, "bearer") != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "%s token_url: token_type is not bearer", self->group);
		return NULL;
	}
	if (!ohe_fhir_auth_is_valid (ohe_token_get_access_token (token), TRUE)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s token_url: access_token is empty or holds spaces or control "
			     "characters",
			     self->group);
		return NULL;
	}
	expires_at = ohe_token_get_expires_at (token);
	if (expires_at <= now_s)
		expires_at = now_s + OHE_FHIR_AUTH_DEFAULT_LIFETIME_S;
	/* a short-lived token is still used for half its life */
	lifetime = expires_at - now_s;
	*refresh_at_s = expires_at - MIN (OHE_FHIR_AUTH_EXPIRY_MARGIN_S, lifetime / 2);
	return g_strconcat ("Bearer ", ohe_token_get_access_token (token), NULL);
}

static gchar *
ohe_fhir_auth_fetch (OheFhirAuth *self,
		     OheClock *clock,
		     GCancellable *cancellable,
		     gint64 *refresh_at_s,
		     GError **error)
{
	g_autoptr (GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (OheHttpRequest) request = ohe_http_request_new ("POST", self->token_url);
	g_autoptr (OheHttpResponse) response = NULL;
	g_autoptr (OheFhirAuthSecret) basic = NULL;
	g_autofree gchar *assertion = NULL;
	gint64 now_s = ohe_clock_get_real (clock) / G_USEC_PER_SEC;

	g_hash_table_insert (form, "grant_type", "client_credentials");
	if (self->scope != NULL)
		g_hash_table_insert (form, "scope", self->scope);
	if (self->mode == OHE_FHIR_AUTH_MODE_SMART_BACKEND) {
		assertion = ohe_fhir_jwt_new_client_assertion (
		    self->key, self->key_id, self->client_id, self->token_url, now_s, error);
		if (assertion == NULL) {
			g_prefix_error (error, "%s private_key_file: ", self->group);
			return NULL;
		}
		g_hash_table_insert (form, "client_assertion_type",
				     "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		g_hash_table_insert (form, "client_assertion", assertion);
		/* a replayed jti is refused, so a retry needs a new assertion */
		ohe_http_request_set_idempotent (request, FALSE);
	} else if (self->client_auth_basic) {
		basic = ohe_fhir_auth_dup_basic (self);
		ohe_http_request_add_header (request, "Authorization", basic);
		ohe_http_request_set_idempotent (request, TRUE);
	} else {
		g_hash_table_insert (form, "client_id", self->client_id);
		g_hash_table_insert (form, "client_secret", self->secret);
		ohe_http_request_set_idempotent (request, TRUE);
	}
	ohe_http_request_set_form (request, form);
	ohe_http_request_add_header (request, "Accept", "application/json");
	response = ohe_http_client_send (self->client, request, cancellable, error);
	if (response == NULL) {
		g_prefix_error (error, "%s token_url: ", self->group);
		return NULL;
	}
	if (!SOUP_STATUS_IS_SUCCESSFUL (ohe_http_response_get_status (response))) {
		ohe_fhir_auth_set_refused (self, response, assertion, error);
		return NULL;
	}
	return ohe_fhir_auth_parse_token (self, response, now_s, refresh_at_s, error);
}

static gboolean
ohe_fhir_auth_is_fresh_locked (OheFhirAuth *self)
{
	if (self->authorization == NULL)
		return FALSE;
	if (self->mode == OHE_FHIR_AUTH_MODE_BEARER)
		return TRUE;
	return ohe_clock_get_real (self->clock) / G_USEC_PER_SEC < self->refresh_at_s;
}

/* waits for the caller fetching a token; FALSE with @error if the caller should give up */
static gboolean
ohe_fhir_auth_wait_locked (OheFhirAuth *self, GCancellable *cancellable, GError **error)
{
	guint64 generation = self->generation;

	while (self->in_flight && self->generation == generation) {
		if (g_cancellable_is_cancelled (cancellable)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_CANCELLED,
				     "%s cancelled while waiting for a token", self->group);
			return FALSE;
		}
		/* in slices, so a cancelled waiter does not sleep out a slow token endpoint */
		g_cond_wait_until (&self->cond, &self->mutex,
				   g_get_monotonic_time () + OHE_FHIR_AUTH_WAIT_SLICE_US);
	}
	/* the fetcher's own cancellation is not ours: then another caller fetches */
	if (self->generation != generation && self->last_error != NULL &&
	    !g_error_matches (self->last_error, OHE_ERROR, OHE_ERROR_CANCELLED)) {
		g_propagate_error (error, g_error_copy (self->last_error));
		return FALSE;
	}
	return TRUE;
}

static gchar *
ohe_fhir_auth_get_bearer (OheFhirAuth *self, GError **error)
{
	gchar *authorization = NULL;

	g_mutex_lock (&self->mutex);
	if (self->authorization == NULL && self->token_file != NULL) {
		g_autoptr (OheFhirAuthSecret) token = ohe_fhir_auth_read_secret_file (
		    self, "token_file", self->token_file, TRUE, error);
		if (token != NULL)
			self->authorization = g_strconcat ("Bearer ", token, NULL);
	}
	if (self->authorization != NULL)
		authorization = g_strdup (self->authorization);
	g_mutex_unlock (&self->mutex);
	return authorization;
}

/**
 * ohe_fhir_auth_get_authorization:
 * @self: an #OheFhirAuth
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Returns the value of the Authorization header, fetching a token first when
 * the cached one is missing or expires within %OHE_FHIR_AUTH_EXPIRY_MARGIN_S.
 * Blocks: call it from a worker thread. Concurrent callers share one token
 * request and its outcome. A token endpoint that refuses the client gives
 * %OHE_ERROR_AUTH_REQUIRED.
 *
 * Returns: (transfer full) (nullable): `Bearer …`, or %NULL without an error
 *   for `auth=none`, or %NULL with @error set
 */
gchar *
ohe_fhir_auth_get_authorization (OheFhirAuth *self, GCancellable *cancellable, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	g_autoptr (OheClock) clock = NULL;
	gchar *authorization;
	gint64 refresh_at_s = 0;

	g_return_val_if_fail (OHE_IS_FHIR_AUTH (self), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (self->mode == OHE_FHIR_AUTH_MODE_NONE)
		return NULL;
	if (self->mode == OHE_FHIR_AUTH_MODE_BEARER)
		return ohe_fhir_auth_get_bearer (self, error);

	g_mutex_lock (&self->mutex);
	while (!ohe_fhir_auth_is_fresh_locked (self) && self->in_flight) {
		if (!ohe_fhir_auth_wait_locked (self, cancellable, error)) {
			g_mutex_unlock (&self->mutex);
			return NULL;
		}
	}
	if (ohe_fhir_auth_is_fresh_locked (self)) {
		authorization = g_strdup (self->authorization);
		g_mutex_unlock (&self->mutex);
		return authorization;
	}
	self->in_flight = TRUE;
	self->token_requests++;
	clock = g_object_ref (self->clock);
	g_mutex_unlock (&self->mutex);

	authorization = ohe_fhir_auth_fetch (self, clock, cancellable, &refresh_at_s, &error_local);

	g_mutex_lock (&self->mutex);
	self->in_flight = FALSE;
	self->generation++;
	g_clear_error (&self->last_error);
	if (authorization != NULL) {
		ohe_fhir_auth_free_secret (self->authorization);
		self->authorization = g_strdup (authorization);
		self->refresh_at_s = refresh_at_s;
	} else {
		self->last_error = g_error_copy (error_local);
	}
	g_cond_broadcast (&self->cond);
	g_mutex_unlock (&self->mutex);

	if (authorization == NULL)
		g_propagate_error (error, g_steal_pointer (&error_local));
	return authorization;
}

/**
 * ohe_fhir_auth_invalidate:
 * @self: an #OheFhirAuth
 *
 * Forgets the cached token after the EHR answered 401, so the next call of
 * ohe_fhir_auth_get_authorization() fetches a new one (or re-reads
 * `token_file`). A static `token` cannot be renewed and stays.
 */
void
ohe_fhir_auth_invalidate (OheFhirAuth *self)
{
	g_return_if_fail (OHE_IS_FHIR_AUTH (self));

	if (self->mode == OHE_FHIR_AUTH_MODE_NONE ||
	    (self->mode == OHE_FHIR_AUTH_MODE_BEARER && self->token_file == NULL))
		return;
	g_mutex_lock (&self->mutex);
	g_clear_pointer (&self->authorization, ohe_fhir_auth_free_secret);
	self->refresh_at_s = 0;
	g_mutex_unlock (&self->mutex);
}

static void
ohe_fhir_auth_finalize (GObject *object)
{
	OheFhirAuth *self = OHE_FHIR_AUTH (object);

	g_free (self->group);
	g_clear_object (&self->client);
	g_free (self->token_url);
	g_free (self->client_id);
	ohe_fhir_auth_free_secret (self->secret);
	g_free (self->token_file);
	g_free (self->scope);
	g_free (self->key_id);
	g_clear_object (&self->key);
	g_clear_object (&self->clock);
	ohe_fhir_auth_free_secret (self->authorization);
	g_clear_error (&self->last_error);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	G_OBJECT_CLASS (ohe_fhir_auth_parent_class)->finalize (object);
}

static void
ohe_fhir_auth_class_init (OheFhirAuthClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_auth_finalize;
}

static void
ohe_fhir_auth_init (OheFhirAuth *self)
{
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
	self->clock = g_object_ref (ohe_clock_get_default ());
}
