/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-sim-oauth.h"
#include "ohe-sim-server.h"

#define USEC_PER_SEC G_GINT64_CONSTANT (1000000)

/* the quark name is stringified as written */
/* clang-format off */
G_DEFINE_QUARK (ohe-sim-oauth-error-quark, ohe_sim_oauth_error)
/* clang-format on */

/* RFC 6749 / RFC 6750 wire codes, indexed by OheSimOAuthError */
static const gchar *ohe_sim_oauth_error_codes[] = {
    "invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type",
    "access_denied",   "invalid_token",	 "invalid_token", "invalid_token",
};

/* one user's consent to one client; all tokens issued from it die with it */
typedef struct {
	gchar *user_id;
	gchar *client_id;
	gchar *scope;
	gboolean revoked;
} OheSimGrant;

typedef struct {
	OheSimGrant *grant; /* not owned */
	gchar *redirect_uri;
	gchar *challenge;
	gchar *challenge_method;
	gint64 expires_us;
} OheSimCode;

typedef struct {
	OheSimGrant *grant;   /* not owned */
	gint64 expires_us;    /* for refresh tokens: 0 = never */
	gint64 dead_after_us; /* refresh tokens: end of the grace after rotation, G_MAXINT64 */
	gchar *retires;	      /* access tokens: refresh token whose grace ends on first use */
} OheSimTokenInfo;

struct _OheSimOAuth {
	GObject parent_instance;
	GMutex mutex;
	OheClock *clock;      /* owned */
	GHashTable *clients;  /* client_id → secret ("" for public clients) */
	GPtrArray *grants;    /* owned OheSimGrant */
	GHashTable *codes;    /* code → owned OheSimCode */
	GHashTable *access;   /* token → owned OheSimTokenInfo */
	GHashTable *refresh;  /* token → owned OheSimTokenInfo */
	gint64 code_lifetime; /* seconds */
	gint64 access_lifetime;
	gint64 refresh_lifetime;
	gint64 refresh_grace;
	gboolean rotate_refresh;
	guint token_requests;
};

G_DEFINE_TYPE (OheSimOAuth, ohe_sim_oauth, G_TYPE_OBJECT)

const gchar *
ohe_sim_oauth_error_to_string (const GError *error)
{
	if (error == NULL || error->domain != OHE_SIM_OAUTH_ERROR || error->code < 0 ||
	    (guint)error->code >= G_N_ELEMENTS (ohe_sim_oauth_error_codes))
		return "server_error";
	return ohe_sim_oauth_error_codes[error->code];
}

void
ohe_sim_token_grant_free (OheSimTokenGrant *grant)
{
	if (grant == NULL)
		return;
	g_free (grant->access_token);
	g_free (grant->refresh_token);
	g_free (grant->token_type);
	g_free (grant->scope);
	g_free (grant->user_id);
	g_free (grant);
}

JsonNode *
ohe_sim_token_grant_to_json (const OheSimTokenGrant *grant)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	g_return_val_if_fail (grant != NULL, NULL);
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "access_token");
	json_builder_add_string_value (builder, grant->access_token);
	json_builder_set_member_name (builder, "token_type");
	json_builder_add_string_value (builder, grant->token_type);
	json_builder_set_member_name (builder, "expires_in");
	json_builder_add_int_value (builder, grant->expires_in);
	if (grant->refresh_token != NULL) {
		json_builder_set_member_name (builder, "refresh_token");
		json_builder_add_string_value (builder, grant->refresh_token);
	}
	if (grant->scope != NULL) {
		json_builder_set_member_name (builder, "scope");
		json_builder_add_string_value (builder, grant->scope);
	}
	json_builder_end_object (builder);
	return json_builder_get_root (builder);
}

static void
ohe_sim_grant_free (OheSimGrant *grant)
{
	g_free (grant->user_id);
	g_free (grant->client_id);
	g_free (grant->scope);
	g_free (grant);
}

static void
ohe_sim_code_free (OheSimCode *code)
{
	g_free (code->redirect_uri);
	g_free (code->challenge);
	g_free (code->challenge_method);
	g_free (code);
}

static void
ohe_sim_token_info_free (OheSimTokenInfo *info)
{
	g_free (info->retires);
	g_free (info);
}

static gchar *
ohe_sim_oauth_random_token (const gchar *prefix)
{
	GString *str = g_string_new (prefix);
	for (guint i = 0; i < 6; i++)
		g_string_append_printf (str, "%08x", g_random_int ());
	return g_string_free (str, FALSE);
}

static gint64
ohe_sim_oauth_now (OheSimOAuth *self)
{
	return ohe_clock_get_real (self->clock);
}

OheSimOAuth *
ohe_sim_oauth_new (OheClock *clock)
{
	OheSimOAuth *self = g_object_new (OHE_TYPE_SIM_OAUTH, NULL);
	self->clock = clock != NULL ? g_object_ref (clock) : ohe_clock_new ();
	return self;
}

void
ohe_sim_oauth_add_client (OheSimOAuth *self, const gchar *client_id, const gchar *client_secret)
{
	g_return_if_fail (OHE_IS_SIM_OAUTH (self));
	g_return_if_fail (client_id != NULL);
	g_mutex_lock (&self->mutex);
	g_hash_table_replace (self->clients, g_strdup (client_id),
			      g_strdup (client_secret != NULL ? client_secret : ""));
	g_mutex_unlock (&self->mutex);
}

#define OHE_SIM_OAUTH_SETTER(field)                                                                \
	void ohe_sim_oauth_set_##field (OheSimOAuth *self, gint64 seconds)                         \
	{                                                                                          \
		g_return_if_fail (OHE_IS_SIM_OAUTH (self));                                        \
		g_return_if_fail (seconds >= 0);                                                   \
		g_mutex_lock (&self->mutex);                                                       \
		self->field = seconds;                                                             \
		g_mutex_unlock (&self->mutex);                                                     \
	}
OHE_SIM_OAUTH_SETTER (code_lifetime)
OHE_SIM_OAUTH_SETTER (access_lifetime)
OHE_SIM_OAUTH_SETTER (refresh_lifetime)
OHE_SIM_OAUTH_SETTER (refresh_grace)

void
ohe_sim_oauth_set_rotate_refresh (OheSimOAuth *self, gboolean rotate)
{
	g_return_if_fail (OHE_IS_SIM_OAUTH (self));
	g_mutex_lock (&self->mutex);
	self->rotate_refresh = rotate;
	g_mutex_unlock (&self->mutex);
}

/* with the mutex held; @secret NULL means "not presented" */
static gboolean
ohe_sim_oauth_check_client (OheSimOAuth *self,
			    const gchar *client_id,
			    const gchar *secret,
			    gboolean need_secret,
			    GError **error)
{
	const gchar *expected;

	if (client_id == NULL || client_id[0] == '\0') {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST, "client_id: missing");
		return FALSE;
	}
	if (g_hash_table_size (self->clients) == 0)
		return TRUE;
	expected = g_hash_table_lookup (self->clients, client_id);
	if (expected == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_CLIENT,
				     "client_id: unknown client");
		return FALSE;
	}
	if (need_secret && expected[0] != '\0' && g_strcmp0 (secret, expected) != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_CLIENT,
				     "client_secret: missing or wrong");
		return FALSE;
	}
	return TRUE;
}

gchar *
ohe_sim_oauth_authorize (OheSimOAuth *self,
			 const gchar *user_id,
			 GHashTable *params,
			 GError **error)
{
	const gchar *redirect_uri = g_hash_table_lookup (params, "redirect_uri");
	const gchar *state = g_hash_table_lookup (params, "state");
	const gchar *challenge = g_hash_table_lookup (params, "code_challenge");
	const gchar *method = g_hash_table_lookup (params, "code_challenge_method");
	g_autofree gchar *code_value = NULL;
	g_autofree gchar *code_escaped = NULL;
	OheSimGrant *grant;
	OheSimCode *code;
	GString *location;

	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), NULL);
	g_return_val_if_fail (user_id != NULL, NULL);
	g_return_val_if_fail (params != NULL, NULL);

	if (g_strcmp0 (g_hash_table_lookup (params, "response_type"), "code") != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST,
				     "response_type: must be 'code'");
		return NULL;
	}
	if (redirect_uri == NULL || !g_str_has_prefix (redirect_uri, "http")) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST,
				     "redirect_uri: missing or not an http(s) URI");
		return NULL;
	}
	if (challenge != NULL && method == NULL)
		method = "plain";
	if (challenge != NULL && g_strcmp0 (method, "S256") != 0 &&
	    g_strcmp0 (method, "plain") != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST,
				     "code_challenge_method: must be S256 or plain");
		return NULL;
	}

	g_mutex_lock (&self->mutex);
	if (!ohe_sim_oauth_check_client (self, g_hash_table_lookup (params, "client_id"), NULL,
					 FALSE, error)) {
		g_mutex_unlock (&self->mutex);
		return NULL;
	}
	grant = g_new0 (OheSimGrant, 1);
	grant->user_id = g_strdup (user_id);
	grant->client_id = g_strdup (g_hash_table_lookup (params, "client_id"));
	grant->scope = g_strdup (g_hash_table_lookup (params, "scope"));
	g_ptr_array_add (self->grants, grant);
	code = g_new0 (OheSimCode, 1);
	code->grant = grant;
	code->redirect_uri = g_strdup (redirect_uri);
	code->challenge = g_strdup (challenge);
	code->challenge_method = g_strdup (challenge != NULL ? method : NULL);
	code->expires_us = ohe_sim_oauth_now (self) + self->code_lifetime * USEC_PER_SEC;
	code_value = ohe_sim_oauth_random_token ("sim-code-");
	g_hash_table_insert (self->codes, g_strdup (code_value), code);
	g_mutex_unlock (&self->mutex);

	location = g_string_new (redirect_uri);
	code_escaped = g_uri_escape_string (code_value, NULL, FALSE);
	g_string_append_printf (location, "%scode=%s", strchr (redirect_uri, '?') ? "&" : "?",
				code_escaped);
	if (state != NULL) {
		g_autofree gchar *state_escaped = g_uri_escape_string (state, NULL, FALSE);
		g_string_append_printf (location, "&state=%s", state_escaped);
	}
	return g_string_free (location, FALSE);
}

static void
ohe_sim_oauth_redirect_error (OheSimRequest *request, const gchar *redirect_uri, const gchar *code)
{
	const gchar *state = ohe_sim_request_get_param (request, "state");
	g_autoptr (GString) location = g_string_new (redirect_uri);

	g_string_append_printf (location, "%serror=%s", strchr (redirect_uri, '?') ? "&" : "?",
				code);
	if (state != NULL) {
		g_autofree gchar *escaped = g_uri_escape_string (state, NULL, FALSE);
		g_string_append_printf (location, "&state=%s", escaped);
	}
	ohe_sim_request_respond_redirect (request, location->str);
}

void
ohe_sim_oauth_handle_authorize (OheSimOAuth *self, OheSimRequest *request)
{
	const gchar *hint = ohe_sim_request_get_param (request, "login_hint");
	const gchar *redirect_uri = ohe_sim_request_get_param (request, "redirect_uri");
	const OheSimUser *user;
	g_autofree gchar *location = NULL;
	g_autoptr (GError) error = NULL;

	g_return_if_fail (OHE_IS_SIM_OAUTH (self));
	g_return_if_fail (request != NULL);

	user = hint != NULL ? ohe_sim_server_lookup_user (request->server, hint)
			    : ohe_sim_server_get_default_user (request->server);
	if (user == NULL) {
		if (redirect_uri != NULL && g_str_has_prefix (redirect_uri, "http"))
			ohe_sim_oauth_redirect_error (request, redirect_uri, "access_denied");
		else
			ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST,
						       "access_denied", "login_hint: no such user");
		return;
	}
	location = ohe_sim_oauth_authorize (self, user->id, request->query, &error);
	if (location == NULL) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST,
					       ohe_sim_oauth_error_to_string (error),
					       error->message);
		return;
	}
	ohe_sim_request_respond_redirect (request, location);
}

static gboolean
ohe_sim_oauth_verify_pkce (OheSimCode *code, const gchar *verifier, GError **error)
{
	g_autofree gchar *computed = NULL;
	gsize len;

	if (code->challenge == NULL)
		return TRUE;
	if (verifier == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code_verifier: missing");
		return FALSE;
	}
	len = strlen (verifier);
	if (len < 43 || len > 128) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code_verifier: must be 43 to 128 characters");
		return FALSE;
	}
	if (g_strcmp0 (code->challenge_method, "S256") == 0) {
		guint8 digest[32];
		gsize digest_len = sizeof (digest);
		g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
		gchar *p;

		g_checksum_update (checksum, (const guchar *)verifier, (gssize)len);
		g_checksum_get_digest (checksum, digest, &digest_len);
		computed = g_base64_encode (digest, digest_len);
		/* base64url without padding (RFC 7636 appendix A) */
		for (p = computed; *p != '\0'; p++) {
			if (*p == '+')
				*p = '-';
			else if (*p == '/')
				*p = '_';
			else if (*p == '=') {
				*p = '\0';
				break;
			}
		}
	} else {
		computed = g_strdup (verifier);
	}
	if (g_strcmp0 (computed, code->challenge) != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code_verifier: does not match the code_challenge");
		return FALSE;
	}
	return TRUE;
}

/* with the mutex held */
static OheSimTokenGrant *
ohe_sim_oauth_issue (OheSimOAuth *self,
		     OheSimGrant *grant,
		     const gchar *old_refresh,
		     gboolean new_refresh)
{
	OheSimTokenGrant *result = g_new0 (OheSimTokenGrant, 1);
	OheSimTokenInfo *info = g_new0 (OheSimTokenInfo, 1);
	gint64 now = ohe_sim_oauth_now (self);

	result->access_token = ohe_sim_oauth_random_token ("sim-at-");
	result->token_type = g_strdup ("Bearer");
	result->scope = g_strdup (grant->scope);
	result->user_id = g_strdup (grant->user_id);
	result->expires_in = self->access_lifetime;
	info->grant = grant;
	info->expires_us = now + self->access_lifetime * USEC_PER_SEC;
	info->retires = g_strdup (old_refresh);
	g_hash_table_insert (self->access, g_strdup (result->access_token), info);

	if (new_refresh) {
		OheSimTokenInfo *rinfo = g_new0 (OheSimTokenInfo, 1);
		result->refresh_token = ohe_sim_oauth_random_token ("sim-rt-");
		rinfo->grant = grant;
		rinfo->expires_us =
		    self->refresh_lifetime > 0 ? now + self->refresh_lifetime * USEC_PER_SEC : 0;
		rinfo->dead_after_us = G_MAXINT64;
		g_hash_table_insert (self->refresh, g_strdup (result->refresh_token), rinfo);
	}
	self->token_requests++;
	return result;
}

/* with the mutex held */
static OheSimTokenGrant *
ohe_sim_oauth_exchange_code (OheSimOAuth *self, GHashTable *params, GError **error)
{
	const gchar *code_value = g_hash_table_lookup (params, "code");
	OheSimCode *code;
	OheSimTokenGrant *result;

	if (code_value == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST, "code: missing");
		return NULL;
	}
	code = g_hash_table_lookup (self->codes, code_value);
	if (code == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code: unknown or already used");
		return NULL;
	}
	if (g_strcmp0 (code->grant->client_id, g_hash_table_lookup (params, "client_id")) != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code: issued to another client");
		return NULL;
	}
	if (g_strcmp0 (code->redirect_uri, g_hash_table_lookup (params, "redirect_uri")) != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "redirect_uri: does not match the authorization request");
		return NULL;
	}
	if (ohe_sim_oauth_now (self) >= code->expires_us) {
		g_hash_table_remove (self->codes, code_value);
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code: expired");
		return NULL;
	}
	if (!ohe_sim_oauth_verify_pkce (code, g_hash_table_lookup (params, "code_verifier"), error))
		return NULL;
	if (code->grant->revoked) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "code: access was revoked");
		return NULL;
	}
	result = ohe_sim_oauth_issue (self, code->grant, NULL, TRUE);
	/* single use */
	g_hash_table_remove (self->codes, code_value);
	return result;
}

/* with the mutex held */
static OheSimTokenGrant *
ohe_sim_oauth_refresh (OheSimOAuth *self, GHashTable *params, GError **error)
{
	const gchar *token = g_hash_table_lookup (params, "refresh_token");
	OheSimTokenInfo *info;
	gint64 now = ohe_sim_oauth_now (self);

	if (token == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST, "refresh_token: missing");
		return NULL;
	}
	info = g_hash_table_lookup (self->refresh, token);
	if (info == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "refresh_token: unknown");
		return NULL;
	}
	if (g_strcmp0 (info->grant->client_id, g_hash_table_lookup (params, "client_id")) != 0) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "refresh_token: issued to another client");
		return NULL;
	}
	if (info->grant->revoked) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "refresh_token: access was revoked");
		return NULL;
	}
	if (now >= info->dead_after_us) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "refresh_token: already used (tokens rotate)");
		return NULL;
	}
	if (info->expires_us != 0 && now >= info->expires_us) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
				     "refresh_token: expired");
		return NULL;
	}
	if (!self->rotate_refresh)
		return ohe_sim_oauth_issue (self, info->grant, NULL, FALSE);

	/* rotation: the old token lives on for the grace period, or until the new access token
	 * is first used, whichever comes first */
	if (info->dead_after_us == G_MAXINT64)
		info->dead_after_us = now + self->refresh_grace * USEC_PER_SEC;
	return ohe_sim_oauth_issue (self, info->grant, self->refresh_grace > 0 ? token : NULL,
				    TRUE);
}

OheSimTokenGrant *
ohe_sim_oauth_token (OheSimOAuth *self, GHashTable *params, GError **error)
{
	const gchar *grant_type;
	OheSimTokenGrant *result = NULL;

	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), NULL);
	g_return_val_if_fail (params != NULL, NULL);

	grant_type = g_hash_table_lookup (params, "grant_type");
	if (grant_type == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_REQUEST, "grant_type: missing");
		return NULL;
	}
	g_mutex_lock (&self->mutex);
	if (ohe_sim_oauth_check_client (self, g_hash_table_lookup (params, "client_id"),
					g_hash_table_lookup (params, "client_secret"), TRUE,
					error)) {
		if (g_strcmp0 (grant_type, "authorization_code") == 0)
			result = ohe_sim_oauth_exchange_code (self, params, error);
		else if (g_strcmp0 (grant_type, "refresh_token") == 0)
			result = ohe_sim_oauth_refresh (self, params, error);
		else
			g_set_error (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_UNSUPPORTED_GRANT_TYPE,
				     "grant_type: '%s' is not supported", grant_type);
	}
	g_mutex_unlock (&self->mutex);
	return result;
}

/* client credentials may come as HTTP Basic (RFC 6749 §2.3.1) instead of in the body */
static GHashTable *
ohe_sim_oauth_token_params (OheSimRequest *request)
{
	GHashTable *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	const gchar *auth = ohe_sim_request_get_header (request, "Authorization");
	GHashTableIter iter;
	gpointer key, value;

	if (request->form != NULL) {
		g_hash_table_iter_init (&iter, request->form);
		while (g_hash_table_iter_next (&iter, &key, &value))
			g_hash_table_replace (params, g_strdup (key), g_strdup (value));
	}
	if (auth != NULL && g_ascii_strncasecmp (auth, "Basic ", 6) == 0) {
		gsize len = 0;
		g_autofree guchar *raw = g_base64_decode (auth + 6, &len);
		g_autofree gchar *text = g_strndup ((const gchar *)raw, len);
		gchar *colon = strchr (text, ':');
		if (colon != NULL) {
			*colon = '\0';
			g_hash_table_replace (params, g_strdup ("client_id"),
					      g_uri_unescape_string (text, NULL));
			g_hash_table_replace (params, g_strdup ("client_secret"),
					      g_uri_unescape_string (colon + 1, NULL));
		}
	}
	return params;
}

void
ohe_sim_oauth_handle_token (OheSimOAuth *self, OheSimRequest *request)
{
	g_autoptr (GHashTable) params = NULL;
	g_autoptr (OheSimTokenGrant) grant = NULL;
	g_autoptr (JsonNode) node = NULL;
	g_autoptr (GError) error = NULL;

	g_return_if_fail (OHE_IS_SIM_OAUTH (self));
	g_return_if_fail (request != NULL);

	if (g_strcmp0 (request->method, "POST") != 0) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED,
					       "invalid_request", "the token endpoint takes POST");
		return;
	}
	params = ohe_sim_oauth_token_params (request);
	grant = ohe_sim_oauth_token (self, params, &error);
	if (grant == NULL) {
		guint status =
		    g_error_matches (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_CLIENT)
			? SOUP_STATUS_UNAUTHORIZED
			: SOUP_STATUS_BAD_REQUEST;
		ohe_sim_request_respond_error (
		    request, status, ohe_sim_oauth_error_to_string (error), error->message);
		return;
	}
	node = ohe_sim_token_grant_to_json (grant);
	soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
				      "Cache-Control", "no-store");
	ohe_sim_request_respond_json (request, SOUP_STATUS_OK, node);
}

gchar *
ohe_sim_oauth_validate_bearer (OheSimOAuth *self,
			       const gchar *access_token,
			       gchar **scope,
			       GError **error)
{
	OheSimTokenInfo *info;
	gchar *user_id = NULL;

	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), NULL);

	if (scope != NULL)
		*scope = NULL;
	if (access_token == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_TOKEN,
				     "Authorization: no bearer token");
		return NULL;
	}
	g_mutex_lock (&self->mutex);
	info = g_hash_table_lookup (self->access, access_token);
	if (info == NULL) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_INVALID_TOKEN,
				     "Authorization: the access token is unknown");
	} else if (info->grant->revoked) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_REVOKED_TOKEN,
				     "Authorization: the access token was revoked");
	} else if (ohe_sim_oauth_now (self) >= info->expires_us) {
		g_set_error_literal (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_EXPIRED_TOKEN,
				     "Authorization: the access token expired");
	} else {
		if (info->retires != NULL) {
			OheSimTokenInfo *old = g_hash_table_lookup (self->refresh, info->retires);
			if (old != NULL)
				old->dead_after_us =
				    MIN (old->dead_after_us, ohe_sim_oauth_now (self));
			g_clear_pointer (&info->retires, g_free);
		}
		user_id = g_strdup (info->grant->user_id);
		if (scope != NULL)
			*scope = g_strdup (info->grant->scope);
	}
	g_mutex_unlock (&self->mutex);
	return user_id;
}

static OheSimTokenInfo *
ohe_sim_oauth_lookup_any (OheSimOAuth *self, const gchar *token)
{
	OheSimTokenInfo *info = g_hash_table_lookup (self->access, token);
	return info != NULL ? info : g_hash_table_lookup (self->refresh, token);
}

gboolean
ohe_sim_oauth_revoke (OheSimOAuth *self, const gchar *token)
{
	OheSimTokenInfo *info;

	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), FALSE);
	if (token == NULL)
		return FALSE;
	g_mutex_lock (&self->mutex);
	info = ohe_sim_oauth_lookup_any (self, token);
	if (info != NULL)
		info->grant->revoked = TRUE;
	g_mutex_unlock (&self->mutex);
	return info != NULL;
}

guint
ohe_sim_oauth_revoke_user (OheSimOAuth *self, const gchar *user_id)
{
	guint n = 0;

	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), 0);
	g_return_val_if_fail (user_id != NULL, 0);
	g_mutex_lock (&self->mutex);
	for (guint i = 0; i < self->grants->len; i++) {
		OheSimGrant *grant = g_ptr_array_index (self->grants, i);
		if (!grant->revoked && g_strcmp0 (grant->user_id, user_id) == 0) {
			grant->revoked = TRUE;
			n++;
		}
	}
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
ohe_sim_oauth_expire_access_tokens (OheSimOAuth *self, const gchar *user_id)
{
	GHashTableIter iter;
	gpointer value;
	guint n = 0;
	gint64 now;

	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), 0);
	g_mutex_lock (&self->mutex);
	now = ohe_sim_oauth_now (self);
	g_hash_table_iter_init (&iter, self->access);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		OheSimTokenInfo *info = value;
		if (user_id != NULL && g_strcmp0 (info->grant->user_id, user_id) != 0)
			continue;
		if (info->expires_us > now) {
			info->expires_us = now;
			n++;
		}
	}
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
ohe_sim_oauth_get_token_requests (OheSimOAuth *self)
{
	guint n;
	g_return_val_if_fail (OHE_IS_SIM_OAUTH (self), 0);
	g_mutex_lock (&self->mutex);
	n = self->token_requests;
	g_mutex_unlock (&self->mutex);
	return n;
}

static void
ohe_sim_oauth_finalize (GObject *object)
{
	OheSimOAuth *self = OHE_SIM_OAUTH (object);

	g_hash_table_unref (self->codes);
	g_hash_table_unref (self->access);
	g_hash_table_unref (self->refresh);
	g_hash_table_unref (self->clients);
	g_ptr_array_unref (self->grants);
	g_clear_object (&self->clock);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_sim_oauth_parent_class)->finalize (object);
}

static void
ohe_sim_oauth_class_init (OheSimOAuthClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sim_oauth_finalize;
}

static void
ohe_sim_oauth_init (OheSimOAuth *self)
{
	g_mutex_init (&self->mutex);
	self->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->grants = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_sim_grant_free);
	self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)ohe_sim_code_free);
	self->access = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)ohe_sim_token_info_free);
	self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)ohe_sim_token_info_free);
	self->code_lifetime = 30;
	self->access_lifetime = 3600;
	self->refresh_lifetime = 0;
	self->refresh_grace = 0;
	self->rotate_refresh = TRUE;
}
