/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oheplugin.h"

#include "ohe-sim-request.h"

G_BEGIN_DECLS

#define OHE_SIM_OAUTH_ERROR ohe_sim_oauth_error_quark ()

/**
 * OheSimOAuthError:
 * @OHE_SIM_OAUTH_ERROR_INVALID_REQUEST: a parameter is missing or malformed
 * @OHE_SIM_OAUTH_ERROR_INVALID_CLIENT: unknown client or wrong client secret
 * @OHE_SIM_OAUTH_ERROR_INVALID_GRANT: code or refresh token unknown, used, expired, revoked,
 *   issued to another client or redirect URI, or the PKCE verifier does not match
 * @OHE_SIM_OAUTH_ERROR_UNSUPPORTED_GRANT_TYPE: grant_type is not authorization_code or
 *   refresh_token
 * @OHE_SIM_OAUTH_ERROR_ACCESS_DENIED: /authorize: the login_hint names no simulated user
 * @OHE_SIM_OAUTH_ERROR_INVALID_TOKEN: the bearer is unknown
 * @OHE_SIM_OAUTH_ERROR_EXPIRED_TOKEN: the bearer expired
 * @OHE_SIM_OAUTH_ERROR_REVOKED_TOKEN: the bearer's grant was revoked
 *
 * Errors of the simulated authorization server; ohe_sim_oauth_error_to_string() gives the
 * RFC 6749 / RFC 6750 code to put on the wire.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_SIM_OAUTH_ERROR_INVALID_REQUEST,
	OHE_SIM_OAUTH_ERROR_INVALID_CLIENT,
	OHE_SIM_OAUTH_ERROR_INVALID_GRANT,
	OHE_SIM_OAUTH_ERROR_UNSUPPORTED_GRANT_TYPE,
	OHE_SIM_OAUTH_ERROR_ACCESS_DENIED,
	OHE_SIM_OAUTH_ERROR_INVALID_TOKEN,
	OHE_SIM_OAUTH_ERROR_EXPIRED_TOKEN,
	OHE_SIM_OAUTH_ERROR_REVOKED_TOKEN,
} OheSimOAuthError;

GQuark
ohe_sim_oauth_error_quark (void);
/**
 * ohe_sim_oauth_error_to_string:
 * @error: an error
 *
 * Returns: "invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type",
 *   "access_denied" or "invalid_token" (for all three bearer errors); "server_error" for
 *   errors of other domains
 */
const gchar *
ohe_sim_oauth_error_to_string (const GError *error);

/**
 * OheSimTokenGrant:
 * @access_token: the new access token
 * @refresh_token: (nullable): the new refresh token; %NULL when refreshing without rotation
 * @token_type: "Bearer"
 * @scope: (nullable): the granted scope as the client asked for it at /authorize
 * @user_id: the user the grant belongs to
 * @expires_in: access token lifetime in seconds
 *
 * The result of a token request; providers put it on the wire in their own format.
 *
 * Since: 0.1
 */
typedef struct {
	gchar *access_token;
	gchar *refresh_token;
	gchar *token_type;
	gchar *scope;
	gchar *user_id;
	gint64 expires_in;
} OheSimTokenGrant;

void
ohe_sim_token_grant_free (OheSimTokenGrant *grant);
/**
 * ohe_sim_token_grant_to_json:
 * @grant: a grant
 *
 * Returns: (transfer full): the RFC 6749 §5.1 object: access_token, token_type, expires_in,
 *   refresh_token (when set), scope (when set)
 */
JsonNode *
ohe_sim_token_grant_to_json (const OheSimTokenGrant *grant);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheSimTokenGrant, ohe_sim_token_grant_free)

#define OHE_TYPE_SIM_OAUTH (ohe_sim_oauth_get_type ())
G_DECLARE_FINAL_TYPE (OheSimOAuth, ohe_sim_oauth, OHE, SIM_OAUTH, GObject)

/**
 * ohe_sim_oauth_new:
 * @clock: (nullable): the clock lifetimes are measured on, usually
 *   ohe_sim_server_get_clock(); %NULL for the real clock
 *
 * A generic authorization server for one provider. Defaults: codes live 30 s, access tokens
 * 3600 s, refresh tokens forever, refresh tokens rotate with no grace, any client is
 * accepted until ohe_sim_oauth_add_client() is called. Thread-safe.
 *
 * Returns: (transfer full): the authorization server
 */
OheSimOAuth *
ohe_sim_oauth_new (OheClock *clock);
/**
 * ohe_sim_oauth_add_client:
 * @self: an authorization server
 * @client_id: a client id
 * @client_secret: (nullable): its secret, %NULL for a public client (PKCE only)
 *
 * Once a client is added, only added clients are accepted.
 */
void
ohe_sim_oauth_add_client (OheSimOAuth *self, const gchar *client_id, const gchar *client_secret);
/**
 * ohe_sim_oauth_set_code_lifetime:
 * @self: an authorization server
 * @seconds: authorization code lifetime (Withings: 30)
 */
void
ohe_sim_oauth_set_code_lifetime (OheSimOAuth *self, gint64 seconds);
/**
 * ohe_sim_oauth_set_access_lifetime:
 * @self: an authorization server
 * @seconds: access token lifetime (Withings: 10800, Google: 3600; short in tests)
 */
void
ohe_sim_oauth_set_access_lifetime (OheSimOAuth *self, gint64 seconds);
/**
 * ohe_sim_oauth_set_refresh_lifetime:
 * @self: an authorization server
 * @seconds: refresh token lifetime, 0 for no expiry
 */
void
ohe_sim_oauth_set_refresh_lifetime (OheSimOAuth *self, gint64 seconds);
/**
 * ohe_sim_oauth_set_rotate_refresh:
 * @self: an authorization server
 * @rotate: %TRUE (default): each refresh returns a new refresh token and the old one becomes
 *   invalid (invalid_grant); %FALSE: the refresh token stays, the response carries none
 */
void
ohe_sim_oauth_set_rotate_refresh (OheSimOAuth *self, gboolean rotate);
/**
 * ohe_sim_oauth_set_refresh_grace:
 * @self: an authorization server
 * @seconds: how long a rotated-out refresh token keeps working, 0 (default) for none. As
 *   Withings does, the grace also ends when the new access token is first used (8 h there).
 */
void
ohe_sim_oauth_set_refresh_grace (OheSimOAuth *self, gint64 seconds);
/**
 * ohe_sim_oauth_authorize:
 * @self: an authorization server
 * @user_id: the user who consents
 * @params: (element-type utf8 utf8): the /authorize parameters: response_type ("code"),
 *   client_id, redirect_uri, state, scope, code_challenge, code_challenge_method ("S256" or
 *   "plain")
 * @error: return location for an error
 *
 * Auto-approves and issues a code.
 *
 * Returns: (transfer full): redirect_uri with `code` and `state` appended, or %NULL with
 *   @error set (invalid_request, invalid_client)
 */
gchar *
ohe_sim_oauth_authorize (OheSimOAuth *self,
			 const gchar *user_id,
			 GHashTable *params,
			 GError **error);
/**
 * ohe_sim_oauth_handle_authorize:
 * @self: an authorization server
 * @request: a GET to the provider's authorize path
 *
 * The whole /authorize endpoint: picks the user from `login_hint` (must be a simulated user)
 * or the server's default user, then answers 302 to redirect_uri with code + state. Errors
 * without a usable redirect_uri are answered 400 with an RFC 6749 body; access_denied is
 * redirected with `error` and `state`.
 */
void
ohe_sim_oauth_handle_authorize (OheSimOAuth *self, OheSimRequest *request);
/**
 * ohe_sim_oauth_token:
 * @self: an authorization server
 * @params: (element-type utf8 utf8): the token request: grant_type, code, redirect_uri,
 *   client_id, client_secret, code_verifier, refresh_token
 * @error: return location for an #OHE_SIM_OAUTH_ERROR
 *
 * The token endpoint's logic. Codes are single use; a code given with a code_challenge needs
 * the matching code_verifier.
 *
 * Returns: (transfer full): the grant, or %NULL with @error set
 */
OheSimTokenGrant *
ohe_sim_oauth_token (OheSimOAuth *self, GHashTable *params, GError **error);
/**
 * ohe_sim_oauth_handle_token:
 * @self: an authorization server
 * @request: a POST with a form body
 *
 * The whole token endpoint in standard RFC 6749 JSON (200 with the grant; 400 or 401 for
 * invalid_client with {"error", "error_description"}). Google uses this as is; Withings
 * calls ohe_sim_oauth_token() and wraps the result.
 */
void
ohe_sim_oauth_handle_token (OheSimOAuth *self, OheSimRequest *request);
/**
 * ohe_sim_oauth_validate_bearer:
 * @self: an authorization server
 * @access_token: (nullable): the bearer of a data request
 * @scope: (out) (optional) (nullable): the granted scope
 * @error: return location for an error: INVALID_TOKEN, EXPIRED_TOKEN or REVOKED_TOKEN
 *
 * Checks a data request's bearer; its first use also ends the grace of the refresh token it
 * replaced.
 *
 * Returns: (transfer full): the user id, or %NULL with @error set
 */
gchar *
ohe_sim_oauth_validate_bearer (OheSimOAuth *self,
			       const gchar *access_token,
			       gchar **scope,
			       GError **error);
/**
 * ohe_sim_oauth_revoke:
 * @self: an authorization server
 * @token: an access or refresh token
 *
 * Revokes the whole grant the token belongs to (all its access and refresh tokens).
 *
 * Returns: %TRUE if the token was known
 */
gboolean
ohe_sim_oauth_revoke (OheSimOAuth *self, const gchar *token);
/**
 * ohe_sim_oauth_revoke_user:
 * @self: an authorization server
 * @user_id: a user
 *
 * Revokes every grant of @user_id (Withings' `action=revoke&userid=`).
 *
 * Returns: the number of grants revoked
 */
guint
ohe_sim_oauth_revoke_user (OheSimOAuth *self, const gchar *user_id);
/**
 * ohe_sim_oauth_expire_access_tokens:
 * @self: an authorization server
 * @user_id: (nullable): a user, %NULL for all
 *
 * Makes the current access tokens expired now, so that the next data request fails with
 * EXPIRED_TOKEN and the client has to refresh.
 *
 * Returns: the number of access tokens expired
 */
guint
ohe_sim_oauth_expire_access_tokens (OheSimOAuth *self, const gchar *user_id);
/**
 * ohe_sim_oauth_get_token_requests:
 * @self: an authorization server
 *
 * Returns: the number of successful token responses (exchanges and refreshes)
 */
guint
ohe_sim_oauth_get_token_requests (OheSimOAuth *self);

G_END_DECLS
