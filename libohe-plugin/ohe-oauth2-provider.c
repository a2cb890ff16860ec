/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gcrypt.h>
#include <string.h>

#include "ohe-crypto.h"
#include "ohe-error.h"
#include "ohe-json.h"
#include "ohe-private-file.h"
#include "ohe-url-policy.h"
#include "ohe-oauth2-provider.h"

#define OHE_OAUTH2_TOKEN_MAX_RESPONSE (1024 * 1024)
/*
 * The OAuth2 authorization code grant with PKCE, shared by the provider
 * plugins. Refresh tokens rotate at most vendors: the first refresh that
 * reaches the server invalidates the refresh token it used. Two worker
 * threads refreshing the same link at once would therefore lose the link,
 * so refreshes are coalesced per link, and the outcome of the last refresh
 * is remembered for a while so that a job still holding the previous token
 * does not replay a refresh token that has been rotated away.
 */

/* a token this close to its expiry is renewed before use */
#define OHE_OAUTH2_EXPIRY_MARGIN_S 60

/* how long the outcome of a refresh is kept for callers holding the old token */
#define OHE_OAUTH2_RECENT_S 600

/* how many rotated-away refresh tokens are remembered per link */
#define OHE_OAUTH2_RECENT_MAX 16

/* a waiter checks its cancellable this often */
#define OHE_OAUTH2_WAIT_SLICE_US (100 * G_TIME_SPAN_MILLISECOND)

/* form fields whose values must never show up in an error message */
static const gchar *const ohe_oauth2_secret_fields[] = {
    "code",
    "code_verifier",
    "refresh_token",
    "client_secret",
};

/* the parameters of the consent URL in the order they are written */
static const gchar *const ohe_oauth2_authorize_order[] = {
    "response_type", "client_id",      "redirect_uri",		"scope",
    "state",	     "code_challenge", "code_challenge_method",
};

typedef struct {
	const gchar *error; /* RFC 6749 §5.2 error code */
	OheError code;
	const gchar *meaning;
} OheOAuth2ErrorMap;

/* how token endpoint errors map to OheError: only a lost grant asks the user for consent */
static const OheOAuth2ErrorMap ohe_oauth2_error_map[] = {
    {"invalid_grant", OHE_ERROR_AUTH_REQUIRED, "the grant is invalid, expired or revoked"},
    {"access_denied", OHE_ERROR_AUTH_REQUIRED, "access was denied"},
    {"invalid_scope", OHE_ERROR_AUTH_REQUIRED, "the scope was not granted"},
    {"invalid_client", OHE_ERROR_INVALID_ARGUMENT, "client authentication failed"},
    {"unauthorized_client", OHE_ERROR_INVALID_ARGUMENT, "the client may not use this grant"},
    {"unsupported_grant_type", OHE_ERROR_INVALID_ARGUMENT, "the grant type is not supported"},
    {"invalid_request", OHE_ERROR_INVALID_ARGUMENT, "the request was malformed"},
    {"slow_down", OHE_ERROR_RATE_LIMITED, "too many requests"},
    {"temporarily_unavailable", OHE_ERROR_UNAVAILABLE, "the server is unavailable"},
    {"server_error", OHE_ERROR_UNAVAILABLE, "the server failed"},
};

/* one refresh of one link in flight; waiters hold a reference */
typedef struct {
	gint ref_count;	 /* protected by the provider mutex */
	gboolean done;	 /* protected by the provider mutex */
	OheToken *token; /* owned, nullable, the outcome */
	GError *error;	 /* owned, nullable, the outcome */
} OheOAuth2Refresh;

/* the outcome of the last refreshes of one link */
typedef struct {
	OheToken *token;	/* owned, the newest token */
	GHashTable *superseded; /* owned, SHA-256 of rotated refresh tokens */
	gint64 refreshed_at;	/* monotonic µs */
} OheOAuth2Recent;

typedef struct {
	OheHttpClient *http_client; /* owned, nullable until first use, protected by mutex */
	OheClock *clock;	    /* owned, protected by mutex */
	GHashTable *refreshes;	    /* owned, link id → OheOAuth2Refresh, protected by mutex */
	GHashTable *recent;	    /* owned, link id → OheOAuth2Recent, protected by mutex */
	GMutex mutex;
	GCond cond; /* signalled when a refresh is done */
} OheOAuth2ProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (OheOAuth2Provider, ohe_oauth2_provider, OHE_TYPE_PROVIDER)
#define GET_PRIVATE(o) (ohe_oauth2_provider_get_instance_private (o))

/* a string holding a secret: wiped before it is freed */
typedef gchar OheOAuth2Secret;

static void
ohe_oauth2_secret_free (OheOAuth2Secret *secret)
{
	if (secret == NULL)
		return;
	memset (secret, 0, strlen (secret));
	g_free (secret);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheOAuth2Secret, ohe_oauth2_secret_free)

static void
ohe_oauth2_refresh_unref (OheOAuth2Refresh *refresh)
{
	if (--refresh->ref_count > 0)
		return;
	g_clear_object (&refresh->token);
	g_clear_error (&refresh->error);
	g_free (refresh);
}

static void
ohe_oauth2_recent_free (OheOAuth2Recent *recent)
{
	g_object_unref (recent->token);
	g_hash_table_unref (recent->superseded);
	g_free (recent);
}

static gchar *
ohe_oauth2_random_string (gsize n_bytes)
{
	guint8 buf[64];
	gchar *text;

	g_assert (n_bytes <= sizeof (buf));
	ohe_crypto_random (buf, n_bytes);
	text = ohe_base64url_encode (buf, n_bytes);
	memset (buf, 0, sizeof (buf));
	return text;
}

/**
 * ohe_oauth2_new_code_verifier:
 *
 * Creates a PKCE code verifier (RFC 7636 §4.1): 32 random bytes from
 * libgcrypt's strong generator, base64url-encoded without padding.
 *
 * Returns: (transfer full): a 43 character verifier; a secret
 *
 * Since: 0.1
 */
gchar *
ohe_oauth2_new_code_verifier (void)
{
	return ohe_oauth2_random_string (32);
}

/**
 * ohe_oauth2_compute_code_challenge:
 * @code_verifier: a PKCE code verifier
 *
 * Computes the S256 challenge of @code_verifier: BASE64URL(SHA256(verifier))
 * without padding (RFC 7636 §4.2).
 *
 * Returns: (transfer full): the 43 character challenge
 *
 * Since: 0.1
 */
gchar *
ohe_oauth2_compute_code_challenge (const gchar *code_verifier)
{
	guint8 digest[32];
	gchar *challenge;

	g_return_val_if_fail (code_verifier != NULL, NULL);
	ohe_crypto_init ();
	gcry_md_hash_buffer (GCRY_MD_SHA256, digest, code_verifier, strlen (code_verifier));
	challenge = ohe_base64url_encode (digest, sizeof (digest));
	memset (digest, 0, sizeof (digest));
	return challenge;
}

/**
 * ohe_oauth2_new_state:
 *
 * Creates the opaque `state` of an authorization request: 24 random bytes,
 * base64url-encoded, so it can go into a URL as is.
 *
 * Returns: (transfer full): a 32 character state
 *
 * Since: 0.1
 */
gchar *
ohe_oauth2_new_state (void)
{
	return ohe_oauth2_random_string (24);
}

static OheClock *
ohe_oauth2_provider_dup_clock (OheOAuth2Provider *self)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	OheClock *clock;
	g_mutex_lock (&priv->mutex);
	clock = g_object_ref (priv->clock);
	g_mutex_unlock (&priv->mutex);
	return clock;
}

static gint64
ohe_oauth2_provider_get_now_s (OheOAuth2Provider *self)
{
	g_autoptr(OheClock) clock = ohe_oauth2_provider_dup_clock (self);
	return ohe_clock_get_real (clock) / G_USEC_PER_SEC;
}

static gint64
ohe_oauth2_provider_get_monotonic (OheOAuth2Provider *self)
{
	g_autoptr(OheClock) clock = ohe_oauth2_provider_dup_clock (self);
	return ohe_clock_get_monotonic (clock);
}

/**
 * ohe_oauth2_provider_get_clock:
 * @self: an #OheOAuth2Provider
 *
 * Returns: (transfer none): the clock that decides whether a token expired
 *
 * Since: 0.1
 */
OheClock *
ohe_oauth2_provider_get_clock (OheOAuth2Provider *self)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	OheClock *clock;
	g_return_val_if_fail (OHE_IS_OAUTH2_PROVIDER (self), NULL);
	g_mutex_lock (&priv->mutex);
	clock = priv->clock;
	g_mutex_unlock (&priv->mutex);
	return clock;
}

/**
 * ohe_oauth2_provider_set_clock:
 * @self: an #OheOAuth2Provider
 * @clock: an #OheClock
 *
 * Sets the clock used for token expiry; the HTTP client created lazily
 * afterwards uses it too. Tests pass a fake clock.
 *
 * Since: 0.1
 */
void
ohe_oauth2_provider_set_clock (OheOAuth2Provider *self, OheClock *clock)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	g_return_if_fail (OHE_IS_OAUTH2_PROVIDER (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	g_mutex_lock (&priv->mutex);
	g_set_object (&priv->clock, clock);
	g_mutex_unlock (&priv->mutex);
}

/* called with the mutex held */
static OheHttpClient *
ohe_oauth2_provider_ensure_http_client_locked (OheOAuth2Provider *self)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	g_autoptr(OheRateLimiter) limiter = NULL;
	if (priv->http_client == NULL) {
		priv->http_client = ohe_http_client_new (ohe_plugin_get_name (OHE_PLUGIN (self)));
		ohe_http_client_set_clock (priv->http_client, priv->clock);
		ohe_http_client_set_metrics (priv->http_client,
					     ohe_plugin_get_metrics (OHE_PLUGIN (self)));
		/* token, notify and data calls all count in the host's budgets */
		limiter = ohe_plugin_get_rate_limiter (OHE_PLUGIN (self));
		if (limiter != NULL)
			ohe_http_client_set_rate_limiter (priv->http_client, limiter);
	}
	return priv->http_client;
}

/* transfer full, so a concurrent set_http_client() cannot pull it away mid-request */
static OheHttpClient *
ohe_oauth2_provider_dup_http_client (OheOAuth2Provider *self)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	OheHttpClient *client;
	g_mutex_lock (&priv->mutex);
	client = g_object_ref (ohe_oauth2_provider_ensure_http_client_locked (self));
	g_mutex_unlock (&priv->mutex);
	return client;
}

/**
 * ohe_oauth2_provider_get_http_client:
 * @self: an #OheOAuth2Provider
 *
 * Gets the HTTP client of the provider, creating one named after the plugin
 * on first use. Subclasses use it for their API calls too, so that rate
 * limits and circuit breakers cover all traffic to the vendor.
 *
 * Returns: (transfer none): the #OheHttpClient
 *
 * Since: 0.1
 */
OheHttpClient *
ohe_oauth2_provider_get_http_client (OheOAuth2Provider *self)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	OheHttpClient *client;
	g_return_val_if_fail (OHE_IS_OAUTH2_PROVIDER (self), NULL);
	g_mutex_lock (&priv->mutex);
	client = ohe_oauth2_provider_ensure_http_client_locked (self);
	g_mutex_unlock (&priv->mutex);
	return client;
}

/**
 * ohe_oauth2_provider_set_http_client:
 * @self: an #OheOAuth2Provider
 * @client: (nullable): an #OheHttpClient, or %NULL to create one on next use
 *
 * Replaces the HTTP client, e.g. with one that has a fake clock in tests.
 *
 * Since: 0.1
 */
void
ohe_oauth2_provider_set_http_client (OheOAuth2Provider *self, OheHttpClient *client)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	g_return_if_fail (OHE_IS_OAUTH2_PROVIDER (self));
	g_return_if_fail (client == NULL || OHE_IS_HTTP_CLIENT (client));
	g_mutex_lock (&priv->mutex);
	g_set_object (&priv->http_client, client);
	g_mutex_unlock (&priv->mutex);
}

static gchar *
ohe_oauth2_provider_config_string (OheOAuth2Provider *self, const gchar *key)
{
	return ohe_plugin_get_config_trimmed (OHE_PLUGIN (self), key, NULL);
}

static gchar *
ohe_oauth2_provider_real_get_authorize_endpoint (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return ohe_plugin_get_config_trimmed (OHE_PLUGIN (self), "authorize_url",
					      klass->default_authorize_endpoint);
}

static gchar *
ohe_oauth2_provider_real_get_token_endpoint (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return ohe_plugin_get_config_trimmed (OHE_PLUGIN (self), "token_url",
					      klass->default_token_endpoint);
}

static gchar *
ohe_oauth2_provider_real_get_client_id (OheOAuth2Provider *self)
{
	return ohe_oauth2_provider_config_string (self, "client_id");
}

static gchar *
ohe_oauth2_provider_real_get_client_secret (OheOAuth2Provider *self)
{
	g_autoptr(GError) error_local = NULL;
	gchar *secret = ohe_plugin_get_config_secret (OHE_PLUGIN (self), "client_secret",
						      "client_secret_file", &error_local);
	if (error_local != NULL)
		g_warning ("%s", error_local->message);
	return secret;
}

static gchar *
ohe_oauth2_provider_real_get_scope (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return ohe_plugin_get_config_trimmed (OHE_PLUGIN (self), "scope", klass->default_scope);
}

static gboolean
ohe_oauth2_provider_real_response_needs_refresh (OheOAuth2Provider *self, OheHttpResponse *response)
{
	return ohe_http_response_get_status (response) == 401;
}

static gchar *
ohe_oauth2_provider_get_authorize_endpoint (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return klass->get_authorize_endpoint != NULL ? klass->get_authorize_endpoint (self) : NULL;
}

static gchar *
ohe_oauth2_provider_get_token_endpoint (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return klass->get_token_endpoint != NULL ? klass->get_token_endpoint (self) : NULL;
}

static gchar *
ohe_oauth2_provider_get_client_id (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return klass->get_client_id != NULL ? klass->get_client_id (self) : NULL;
}

static gchar *
ohe_oauth2_provider_get_client_secret (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return klass->get_client_secret != NULL ? klass->get_client_secret (self) : NULL;
}

static gchar *
ohe_oauth2_provider_get_scope (OheOAuth2Provider *self)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	return klass->get_scope != NULL ? klass->get_scope (self) : NULL;
}

static gboolean
ohe_oauth2_provider_require (OheOAuth2Provider *self,
			     const gchar *value,
			     const gchar *key,
			     GError **error)
{
	if (value != NULL && value[0] != '\0')
		return TRUE;
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "plugin %s: config key '%s' is not set",
		     ohe_plugin_get_name (OHE_PLUGIN (self)), key);
	return FALSE;
}

/* string → string, both owned; values are wiped as they may be secrets */
static GHashTable *
ohe_oauth2_params_new (void)
{
	return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
				      (GDestroyNotify)ohe_oauth2_secret_free);
}

static void
ohe_oauth2_params_set (GHashTable *params, const gchar *key, const gchar *value)
{
	if (value == NULL)
		return;
	g_hash_table_replace (params, g_strdup (key), g_strdup (value));
}

static gboolean
ohe_oauth2_is_standard_authorize_param (const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_oauth2_authorize_order); i++) {
		if (g_strcmp0 (ohe_oauth2_authorize_order[i], key) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
ohe_oauth2_append_query_param (GString *query, const gchar *key, const gchar *value)
{
	g_autofree gchar *key_escaped = g_uri_escape_string (key, NULL, FALSE);
	g_autofree gchar *value_escaped = g_uri_escape_string (value, NULL, FALSE);
	if (query->len > 0)
		g_string_append_c (query, '&');
	g_string_append_printf (query, "%s=%s", key_escaped, value_escaped);
}

static gchar *
ohe_oauth2_provider_real_build_authorize_url (OheProvider *provider,
					      const gchar *state,
					      const gchar *code_challenge,
					      const gchar *redirect_uri,
					      GError **error)
{
	OheOAuth2Provider *self = OHE_OAUTH2_PROVIDER (provider);
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	g_autofree gchar *endpoint = ohe_oauth2_provider_get_authorize_endpoint (self);
	g_autofree gchar *client_id = ohe_oauth2_provider_get_client_id (self);
	g_autofree gchar *scope = ohe_oauth2_provider_get_scope (self);
	g_autoptr(GHashTable) params = ohe_oauth2_params_new ();
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GUri) uri_new = NULL;
	g_autoptr(GString) query = NULL;
	g_autoptr(GList) extra = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!ohe_oauth2_provider_require (self, endpoint, "authorize_url", error))
		return NULL;
	if (!ohe_oauth2_provider_require (self, client_id, "client_id", error))
		return NULL;
	if (state == NULL || state[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "authorization needs a state");
		return NULL;
	}
	if (redirect_uri == NULL || redirect_uri[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "authorization needs a redirect URI");
		return NULL;
	}
	uri = g_uri_parse (endpoint, G_URI_FLAGS_ENCODED, &error_local);
	if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
			    g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "plugin %s: config key 'authorize_url' is not an http(s) URL",
			     ohe_plugin_get_name (OHE_PLUGIN (self)));
		return NULL;
	}

	ohe_oauth2_params_set (params, "response_type", "code");
	ohe_oauth2_params_set (params, "client_id", client_id);
	ohe_oauth2_params_set (params, "redirect_uri", redirect_uri);
	ohe_oauth2_params_set (params, "scope", scope);
	ohe_oauth2_params_set (params, "state", state);
	if (code_challenge != NULL) {
		ohe_oauth2_params_set (params, "code_challenge", code_challenge);
		ohe_oauth2_params_set (params, "code_challenge_method", "S256");
	}
	if (klass->add_authorize_params != NULL)
		klass->add_authorize_params (self, params);

	/* keep an existing query of the endpoint, then the standard parameters in a
	 * fixed order and the vendor's extras sorted, so the URL is reproducible */
	query = g_string_new (g_uri_get_query (uri));
	for (guint i = 0; i < G_N_ELEMENTS (ohe_oauth2_authorize_order); i++) {
		const gchar *key = ohe_oauth2_authorize_order[i];
		const gchar *value = g_hash_table_lookup (params, key);
		if (value != NULL)
			ohe_oauth2_append_query_param (query, key, value);
	}
	extra = g_list_sort (g_hash_table_get_keys (params), (GCompareFunc)g_strcmp0);
	for (GList *l = extra; l != NULL; l = l->next) {
		const gchar *key = l->data;
		if (ohe_oauth2_is_standard_authorize_param (key))
			continue;
		ohe_oauth2_append_query_param (query, key, g_hash_table_lookup (params, key));
	}
	uri_new = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri),
			       g_uri_get_userinfo (uri), g_uri_get_host (uri), g_uri_get_port (uri),
			       g_uri_get_path (uri), query->str, g_uri_get_fragment (uri));
	return g_uri_to_string (uri_new);
}

/* replaces every secret of @form that a server or library echoed into the message */
static void
ohe_oauth2_scrub_error (GError *error, GHashTable *form)
{
	if (error == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS (ohe_oauth2_secret_fields); i++) {
		const gchar *secret = g_hash_table_lookup (form, ohe_oauth2_secret_fields[i]);
		g_autoptr(GString) message = NULL;
		if (secret == NULL || secret[0] == '\0' || strstr (error->message, secret) == NULL)
			continue;
		message = g_string_new (error->message);
		g_string_replace (message, secret, "[redacted]", 0);
		g_free (error->message);
		error->message = g_string_free (g_steal_pointer (&message), FALSE);
	}
}

static OheToken *
ohe_oauth2_provider_token_request (OheOAuth2Provider *self,
				   GHashTable *form,
				   gboolean is_refresh,
				   GCancellable *cancellable,
				   GError **error)
{
	OheOAuth2ProviderClass *klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	g_autofree gchar *endpoint = ohe_oauth2_provider_get_token_endpoint (self);
	g_autofree gchar *client_id = ohe_oauth2_provider_get_client_id (self);
	g_autoptr(OheOAuth2Secret) client_secret = ohe_oauth2_provider_get_client_secret (self);
	g_autoptr(OheHttpClient) client = NULL;
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error_local = NULL;
	OheToken *token;

	if (!ohe_oauth2_provider_require (self, endpoint, "token_url", error))
		return NULL;
	if (!ohe_oauth2_provider_require (self, client_id, "client_id", error))
		return NULL;
	ohe_oauth2_params_set (form, "client_id", client_id);
	ohe_oauth2_params_set (form, "client_secret", client_secret);
	if (klass->add_token_params != NULL)
		klass->add_token_params (self, form, is_refresh);

	request = ohe_http_request_new ("POST", endpoint);
	ohe_http_request_set_form (request, form);
	ohe_http_request_add_header (request, "Accept", "application/json");
	/* a token answer is a few hundred bytes */
	ohe_http_request_set_max_body_size (request, OHE_OAUTH2_TOKEN_MAX_RESPONSE);
	/* a resent refresh would replay a refresh token the first attempt may have rotated */
	ohe_http_request_set_idempotent (request, FALSE);

	client = ohe_oauth2_provider_dup_http_client (self);
	response = ohe_http_client_send (client, request, cancellable, &error_local);
	if (response == NULL) {
		ohe_oauth2_scrub_error (error_local, form);
		g_propagate_prefixed_error (
		    error, g_steal_pointer (&error_local),
		    "plugin %s: token request failed: ", ohe_plugin_get_name (OHE_PLUGIN (self)));
		return NULL;
	}
	token = klass->parse_token_response (self, response, &error_local);
	if (token == NULL) {
		if (error_local == NULL) {
			g_set_error_literal (&error_local, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "the token response was not understood");
		}
		ohe_oauth2_scrub_error (error_local, form);
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "plugin %s: ", ohe_plugin_get_name (OHE_PLUGIN (self)));
		return NULL;
	}
	return token;
}

static JsonObject *
ohe_oauth2_parse_json_object (GBytes *body, GError **error)
{
	g_autoptr(JsonNode) root =
		       ohe_json_parse_bytes (body, "token endpoint answer", NULL, error);

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return NULL;
	return json_object_ref (json_node_get_object (root));
}

/* NULL unless @key is a JSON string: the _with_default getters are critical on other types */
/* the RFC 6749 error codes are plain words; anything else is not echoed */
static gboolean
ohe_oauth2_error_code_is_safe (const gchar *code)
{
	gsize len = 0;
	for (const gchar *p = code; *p != '\0'; p++, len++) {
		if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
			return FALSE;
	}
	return len > 0 && len <= 64;
}

static OheError
ohe_oauth2_error_code_for_status (guint status)
{
	if (status >= 500)
		return OHE_ERROR_UNAVAILABLE;
	if (status == 429)
		return OHE_ERROR_RATE_LIMITED;
	if (status == SOUP_STATUS_UNAUTHORIZED)
		return OHE_ERROR_AUTH_REQUIRED;
	if (status == SOUP_STATUS_FORBIDDEN)
		return OHE_ERROR_PERMISSION_DENIED;
	return OHE_ERROR_FAILED;
}

/**
 * ohe_oauth2_set_token_error: (skip)
 * @error: a #GError, or %NULL
 * @status: the HTTP status of the token response
 * @oauth_error: (nullable): the `error` member of the response (RFC 6749 §5.2)
 *
 * Sets @error from an OAuth2 error response: `invalid_grant` and friends
 * become %OHE_ERROR_AUTH_REQUIRED, client misconfiguration
 * %OHE_ERROR_INVALID_ARGUMENT, and server trouble %OHE_ERROR_UNAVAILABLE.
 * The `error_description` is not copied as servers may quote the request.
 * Subclasses that override parse_token_response use it for wrapped errors.
 *
 * Since: 0.1
 */
void
ohe_oauth2_set_token_error (GError **error, guint status, const gchar *oauth_error)
{
	if (oauth_error != NULL) {
		for (guint i = 0; i < G_N_ELEMENTS (ohe_oauth2_error_map); i++) {
			const OheOAuth2ErrorMap *map = &ohe_oauth2_error_map[i];
			if (g_strcmp0 (map->error, oauth_error) != 0)
				continue;
			g_set_error (error, OHE_ERROR, map->code,
				     "token endpoint answered HTTP %u %s: %s", status, map->error,
				     map->meaning);
			return;
		}
		if (ohe_oauth2_error_code_is_safe (oauth_error)) {
			g_set_error (error, OHE_ERROR, ohe_oauth2_error_code_for_status (status),
				     "token endpoint answered HTTP %u %s", status, oauth_error);
			return;
		}
	}
	g_set_error (error, OHE_ERROR, ohe_oauth2_error_code_for_status (status),
		     "token endpoint answered HTTP %u", status);
}

static OheToken *
ohe_oauth2_provider_real_parse_token_response (OheOAuth2Provider *self,
					       OheHttpResponse *response,
					       GError **error)
{
	guint status = ohe_http_response_get_status (response);
	g_autoptr(GError) parse_error = NULL;
	g_autoptr(JsonObject) obj = ohe_oauth2_parse_json_object (
	    ohe_http_response_get_body (response), &parse_error);
	JsonNode *token_type_node;
	const gchar *token_type;
	const gchar *oauth_error = NULL;

	if (status < 200 || status >= 300) {
		if (obj != NULL)
			oauth_error = ohe_json_object_lookup_string (obj, "error");
		ohe_oauth2_set_token_error (error, status, oauth_error);
		return NULL;
	}
	if (obj == NULL && parse_error != NULL) {
		g_propagate_error (error, g_steal_pointer (&parse_error));
		return NULL;
	}
	if (obj == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "token endpoint answered HTTP %u without a JSON object", status);
		return NULL;
	}
	/* some servers answer 200 with an error object */
	if (json_object_has_member (obj, "error") &&
	    !json_object_has_member (obj, "access_token")) {
		oauth_error = ohe_json_object_lookup_string (obj, "error");
		ohe_oauth2_set_token_error (error, status, oauth_error);
		return NULL;
	}
	token_type_node = json_object_get_member (obj, "token_type");
	token_type = ohe_json_object_lookup_string (obj, "token_type");
	if (token_type_node != NULL && !JSON_NODE_HOLDS_NULL (token_type_node) &&
	    (token_type == NULL || g_ascii_strcasecmp (token_type, "bearer") != 0)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "token response member 'token_type' is not 'Bearer'");
		return NULL;
	}
	return ohe_token_new_from_json (obj, ohe_oauth2_provider_get_now_s (self), error);
}

static OheToken *
ohe_oauth2_provider_real_exchange_code (OheProvider *provider,
					const gchar *code,
					const gchar *code_verifier,
					const gchar *redirect_uri,
					GCancellable *cancellable,
					GError **error)
{
	OheOAuth2Provider *self = OHE_OAUTH2_PROVIDER (provider);
	g_autoptr(GHashTable) form = ohe_oauth2_params_new ();

	if (code == NULL || code[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "code exchange needs an authorization code");
		return NULL;
	}
	if (redirect_uri == NULL || redirect_uri[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "code exchange needs the redirect URI");
		return NULL;
	}
	ohe_oauth2_params_set (form, "grant_type", "authorization_code");
	ohe_oauth2_params_set (form, "code", code);
	ohe_oauth2_params_set (form, "redirect_uri", redirect_uri);
	ohe_oauth2_params_set (form, "code_verifier", code_verifier);
	return ohe_oauth2_provider_token_request (self, form, FALSE, cancellable, error);
}

static OheToken *
ohe_oauth2_provider_real_refresh_token (OheProvider *provider,
					const gchar *link_id,
					OheToken *token,
					GCancellable *cancellable,
					GError **error)
{
	OheOAuth2Provider *self = OHE_OAUTH2_PROVIDER (provider);
	g_autoptr(GHashTable) form = ohe_oauth2_params_new ();
	g_autoptr(OheToken) token_new = NULL;
	const gchar *refresh_token;

	g_return_val_if_fail (OHE_IS_TOKEN (token), NULL);

	refresh_token = ohe_token_get_refresh_token (token);
	if (refresh_token == NULL || refresh_token[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
			     "plugin %s: link %s has no refresh token",
			     ohe_plugin_get_name (OHE_PLUGIN (self)),
			     link_id != NULL ? link_id : "(unknown)");
		return NULL;
	}
	ohe_oauth2_params_set (form, "grant_type", "refresh_token");
	ohe_oauth2_params_set (form, "refresh_token", refresh_token);
	token_new = ohe_oauth2_provider_token_request (self, form, TRUE, cancellable, error);
	if (token_new == NULL)
		return NULL;

	/* RFC 6749 §6: without a new refresh token the old one stays valid; an
	 * omitted scope is the one granted before */
	if (ohe_token_get_refresh_token (token_new) == NULL)
		ohe_token_set_refresh_token (token_new, refresh_token);
	if (ohe_token_get_scope (token_new) == NULL)
		ohe_token_set_scope (token_new, ohe_token_get_scope (token));
	if (ohe_token_get_external_user_id (token_new) == NULL)
		ohe_token_set_external_user_id (token_new, ohe_token_get_external_user_id (token));

	/* the host must persist a rotated refresh token before anything else can fail */
	ohe_provider_emit_token_changed (provider, link_id, token_new);
	return g_steal_pointer (&token_new);
}

static gchar *
ohe_oauth2_token_fingerprint (OheToken *token)
{
	const gchar *refresh_token = ohe_token_get_refresh_token (token);
	if (refresh_token == NULL || refresh_token[0] == '\0')
		return NULL;
	return g_compute_checksum_for_string (G_CHECKSUM_SHA256, refresh_token, -1);
}

/* called with the mutex held */
static void
ohe_oauth2_provider_prune_recent (OheOAuth2Provider *self, gint64 now_mono)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init (&iter, priv->recent);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		OheOAuth2Recent *recent = value;
		if (now_mono - recent->refreshed_at > OHE_OAUTH2_RECENT_S * G_USEC_PER_SEC)
			g_hash_table_iter_remove (&iter);
	}
}

/* called with the mutex held */
static void
ohe_oauth2_provider_remember (OheOAuth2Provider *self,
			      const gchar *link_id,
			      OheToken *token_old,
			      OheToken *token_new,
			      gint64 now_mono)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	OheOAuth2Recent *recent = g_hash_table_lookup (priv->recent, link_id);
	g_autofree gchar *fp_old = ohe_oauth2_token_fingerprint (token_old);
	g_autofree gchar *fp_new = ohe_oauth2_token_fingerprint (token_new);

	if (recent == NULL) {
		recent = g_new0 (OheOAuth2Recent, 1);
		recent->superseded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		g_hash_table_insert (priv->recent, g_strdup (link_id), recent);
	} else {
		g_clear_object (&recent->token);
	}
	recent->token = g_object_ref (token_new);
	recent->refreshed_at = now_mono;
	/* a link refreshed hourly keeps its record; only the latest rotations matter */
	if (g_hash_table_size (recent->superseded) >= OHE_OAUTH2_RECENT_MAX)
		g_hash_table_remove_all (recent->superseded);
	/* without rotation the old refresh token is the current one: not superseded */
	if (fp_old != NULL && g_strcmp0 (fp_old, fp_new) != 0)
		g_hash_table_add (recent->superseded, g_steal_pointer (&fp_old));
	if (fp_new != NULL)
		g_hash_table_remove (recent->superseded, fp_new);
}

/* called with the mutex held; transfer full, the newest token if @token was rotated away */
static OheToken *
ohe_oauth2_provider_lookup_newer (OheOAuth2Provider *self, const gchar *link_id, OheToken *token)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	OheOAuth2Recent *recent = g_hash_table_lookup (priv->recent, link_id);
	g_autofree gchar *fp = NULL;

	if (recent == NULL)
		return NULL;
	fp = ohe_oauth2_token_fingerprint (token);
	if (fp == NULL || !g_hash_table_contains (recent->superseded, fp))
		return NULL;
	return g_object_ref (recent->token);
}

/* called with the mutex held; drops it while waiting */
static gboolean
ohe_oauth2_provider_wait (OheOAuth2Provider *self,
			  OheOAuth2Refresh *refresh,
			  GCancellable *cancellable,
			  GError **error)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	while (!refresh->done) {
		if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
			ohe_error_convert (error);
			return FALSE;
		}
		g_cond_wait_until (&priv->cond, &priv->mutex,
				   g_get_monotonic_time () + OHE_OAUTH2_WAIT_SLICE_US);
	}
	return TRUE;
}

/**
 * ohe_oauth2_provider_ensure_token:
 * @self: an #OheOAuth2Provider
 * @link_id: the link that owns @token
 * @token: the token the caller holds
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Returns a token that is valid for at least another minute, refreshing
 * @token if needed. Blocks; call it from a worker thread.
 *
 * Concurrent calls for the same @link_id make a single token request: the
 * first caller refreshes, the others wait and get the same token or the
 * same error. A caller whose @token was already rotated away by an earlier
 * refresh gets that refresh's token instead of replaying a refresh token
 * the server no longer accepts. Different links refresh in parallel.
 *
 * Returns: (transfer full): @token itself, or the renewed token
 *
 * Since: 0.1
 */
OheToken *
ohe_oauth2_provider_ensure_token (OheOAuth2Provider *self,
				  const gchar *link_id,
				  OheToken *token,
				  GCancellable *cancellable,
				  GError **error)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	g_autoptr(OheToken) current = NULL;
	g_autoptr(OheToken) newer = NULL;
	g_autoptr(OheToken) token_new = NULL;
	g_autoptr(GError) error_local = NULL;
	OheOAuth2Refresh *refresh;
	gint64 now_s;
	gint64 now_mono;

	g_return_val_if_fail (OHE_IS_OAUTH2_PROVIDER (self), NULL);
	g_return_val_if_fail (link_id != NULL, NULL);
	g_return_val_if_fail (OHE_IS_TOKEN (token), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	/* the clock is read before taking the mutex that also guards it */
	now_s = ohe_oauth2_provider_get_now_s (self);
	now_mono = ohe_oauth2_provider_get_monotonic (self);
	if (!ohe_token_is_expired (token, now_s, OHE_OAUTH2_EXPIRY_MARGIN_S))
		return g_object_ref (token);

	g_mutex_lock (&priv->mutex);
	ohe_oauth2_provider_prune_recent (self, now_mono);

	refresh = g_hash_table_lookup (priv->refreshes, link_id);
	if (refresh != NULL) {
		gboolean ok;
		refresh->ref_count++;
		ok = ohe_oauth2_provider_wait (self, refresh, cancellable, error);
		if (ok && refresh->token != NULL)
			token_new = g_object_ref (refresh->token);
		else if (ok)
			g_propagate_error (error, g_error_copy (refresh->error));
		ohe_oauth2_refresh_unref (refresh);
		g_mutex_unlock (&priv->mutex);
		return g_steal_pointer (&token_new);
	}

	/* a refresh that completed before we arrived may have rotated our token away */
	newer = ohe_oauth2_provider_lookup_newer (self, link_id, token);
	if (newer != NULL && !ohe_token_is_expired (newer, now_s, OHE_OAUTH2_EXPIRY_MARGIN_S)) {
		g_mutex_unlock (&priv->mutex);
		return g_steal_pointer (&newer);
	}
	current = newer != NULL ? g_steal_pointer (&newer) : g_object_ref (token);

	refresh = g_new0 (OheOAuth2Refresh, 1);
	refresh->ref_count = 1;
	g_hash_table_insert (priv->refreshes, g_strdup (link_id), refresh);
	g_mutex_unlock (&priv->mutex);

	token_new = ohe_provider_refresh_token (OHE_PROVIDER (self), link_id, current, cancellable,
						&error_local);
	if (token_new == NULL && error_local == NULL) {
		g_set_error (&error_local, OHE_ERROR, OHE_ERROR_FAILED,
			     "plugin %s: token refresh failed without a reason",
			     ohe_plugin_get_name (OHE_PLUGIN (self)));
	}
	now_mono = ohe_oauth2_provider_get_monotonic (self);

	g_mutex_lock (&priv->mutex);
	if (token_new != NULL) {
		refresh->token = g_object_ref (token_new);
		ohe_oauth2_provider_remember (self, link_id, current, token_new, now_mono);
	} else {
		refresh->error = g_error_copy (error_local);
	}
	refresh->done = TRUE;
	/* drops our reference; waiters keep theirs */
	g_hash_table_remove (priv->refreshes, link_id);
	g_cond_broadcast (&priv->cond);
	g_mutex_unlock (&priv->mutex);

	if (token_new == NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	return g_steal_pointer (&token_new);
}

/**
 * ohe_oauth2_provider_force_refresh:
 * @self: an #OheOAuth2Provider
 * @link_id: the link that owns @token
 * @token: a token the API no longer accepts, though it has not expired
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Refreshes @token whatever its expiry says, through the coalesced path of
 * ohe_oauth2_provider_ensure_token(): concurrent callers for one link still
 * make one token request. @token itself is not changed. Blocks.
 *
 * Returns: (transfer full): the renewed token
 *
 * Since: 0.1
 */
OheToken *
ohe_oauth2_provider_force_refresh (OheOAuth2Provider *self,
				   const gchar *link_id,
				   OheToken *token,
				   GCancellable *cancellable,
				   GError **error)
{
	g_autoptr(OheToken) expired = NULL;
	g_return_val_if_fail (OHE_IS_OAUTH2_PROVIDER (self), NULL);
	g_return_val_if_fail (link_id != NULL, NULL);
	g_return_val_if_fail (OHE_IS_TOKEN (token), NULL);
	expired = ohe_token_copy (token);
	/* long past: ensure_token sees it as expired and refreshes */
	ohe_token_set_expires_at (expired, 1);
	return ohe_oauth2_provider_ensure_token (self, link_id, expired, cancellable, error);
}

/**
 * ohe_oauth2_provider_send_authorized:
 * @self: an #OheOAuth2Provider
 * @link_id: (nullable): the link that owns @token; %NULL sends once without refreshing
 * @token: (inout) (transfer full): the token to send; replaced by the renewed one when a
 *   refresh happened
 * @request: the request; its `Authorization` is set here
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Sends @request with @token as bearer through the provider's HTTP client.
 * When the answer says the token is not accepted (the response_needs_refresh
 * vfunc, HTTP 401 by default) the token is refreshed once through
 * ohe_oauth2_provider_force_refresh() and the request sent again; a second
 * refusal is returned to the caller as it came. Blocks.
 *
 * Returns: (transfer full): the response, of any status; %NULL with @error on a
 *   transport failure or a failed refresh
 *
 * Since: 0.1
 */
OheHttpResponse *
ohe_oauth2_provider_send_authorized (OheOAuth2Provider *self,
				     const gchar *link_id,
				     OheToken **token,
				     OheHttpRequest *request,
				     GCancellable *cancellable,
				     GError **error)
{
	OheOAuth2ProviderClass *klass;
	g_autoptr(OheHttpClient) client = NULL;

	g_return_val_if_fail (OHE_IS_OAUTH2_PROVIDER (self), NULL);
	g_return_val_if_fail (token != NULL && OHE_IS_TOKEN (*token), NULL);
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (request), NULL);
	klass = OHE_OAUTH2_PROVIDER_GET_CLASS (self);
	client = ohe_oauth2_provider_dup_http_client (self);
	for (guint attempt = 0;; attempt++) {
		g_autoptr(OheHttpResponse) response = NULL;
		OheToken *renewed;

		ohe_http_request_set_bearer (request, ohe_token_get_access_token (*token));
		response = ohe_http_client_send (client, request, cancellable, error);
		if (response == NULL)
			return NULL;
		if (attempt > 0 || link_id == NULL || klass->response_needs_refresh == NULL ||
		    !klass->response_needs_refresh (self, response))
			return g_steal_pointer (&response);
		renewed =
		    ohe_oauth2_provider_force_refresh (self, link_id, *token, cancellable, error);
		if (renewed == NULL)
			return NULL;
		g_object_unref (*token);
		*token = renewed;
	}
}

static void
ohe_oauth2_provider_finalize (GObject *object)
{
	OheOAuth2Provider *self = OHE_OAUTH2_PROVIDER (object);
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	g_clear_object (&priv->http_client);
	g_clear_object (&priv->clock);
	g_hash_table_unref (priv->refreshes);
	g_hash_table_unref (priv->recent);
	g_mutex_clear (&priv->mutex);
	g_cond_clear (&priv->cond);
	G_OBJECT_CLASS (ohe_oauth2_provider_parent_class)->finalize (object);
}

/*
 * Refused at start, not at the first refresh: a client secret others can
 * read, and an endpoint that would carry secrets or health data in plain
 * http to another machine.
 */
static gboolean
ohe_oauth2_provider_setup (OhePlugin *plugin, GCancellable *cancellable, GError **error)
{
	OheOAuth2Provider *self = OHE_OAUTH2_PROVIDER (plugin);
	const gchar *const endpoint_keys[] = {"authorize_url", "token_url", "api_base",
					      "revoke_url"};
	g_autofree gchar *filename =
	    ohe_oauth2_provider_config_string (OHE_OAUTH2_PROVIDER (plugin), "client_secret_file");

	for (guint i = 0; i < G_N_ELEMENTS (endpoint_keys); i++) {
		g_autofree gchar *url = ohe_oauth2_provider_config_string (self, endpoint_keys[i]);
		g_autofree gchar *key = NULL;
		if (url == NULL)
			continue;
		key = g_strdup_printf ("[plugin:%s] %s", ohe_plugin_get_name (plugin),
				       endpoint_keys[i]);
		if (!ohe_url_policy_check (url, key, error))
			return FALSE;
	}

	if (filename == NULL || !g_file_test (filename, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!ohe_private_file_check (filename, "client_secret_file", error)) {
		g_prefix_error (error, "plugin %s: ", ohe_plugin_get_name (plugin));
		return FALSE;
	}
	return TRUE;
}

static void
ohe_oauth2_provider_class_init (OheOAuth2ProviderClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	OhePluginClass *plugin_class = OHE_PLUGIN_CLASS (klass);
	OheProviderClass *provider_class = OHE_PROVIDER_CLASS (klass);

	object_class->finalize = ohe_oauth2_provider_finalize;
	plugin_class->setup = ohe_oauth2_provider_setup;
	provider_class->build_authorize_url = ohe_oauth2_provider_real_build_authorize_url;
	provider_class->exchange_code = ohe_oauth2_provider_real_exchange_code;
	provider_class->refresh_token = ohe_oauth2_provider_real_refresh_token;
	klass->get_authorize_endpoint = ohe_oauth2_provider_real_get_authorize_endpoint;
	klass->get_token_endpoint = ohe_oauth2_provider_real_get_token_endpoint;
	klass->get_client_id = ohe_oauth2_provider_real_get_client_id;
	klass->get_client_secret = ohe_oauth2_provider_real_get_client_secret;
	klass->get_scope = ohe_oauth2_provider_real_get_scope;
	klass->parse_token_response = ohe_oauth2_provider_real_parse_token_response;
	klass->response_needs_refresh = ohe_oauth2_provider_real_response_needs_refresh;
}

static void
ohe_oauth2_provider_init (OheOAuth2Provider *self)
{
	OheOAuth2ProviderPrivate *priv = GET_PRIVATE (self);
	g_mutex_init (&priv->mutex);
	g_cond_init (&priv->cond);
	priv->clock = g_object_ref (ohe_clock_get_default ());
	priv->refreshes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						 (GDestroyNotify)ohe_oauth2_refresh_unref);
	priv->recent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)ohe_oauth2_recent_free);
}
