/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-http-client.h"
#include "ohe-provider.h"

G_BEGIN_DECLS

#define OHE_TYPE_OAUTH2_PROVIDER (ohe_oauth2_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (OheOAuth2Provider, ohe_oauth2_provider, OHE, OAUTH2_PROVIDER, OheProvider)

/**
 * OheOAuth2ProviderClass:
 * @get_authorize_endpoint: has default (config key `authorize_url`)
 * @get_token_endpoint: has default (config key `token_url`)
 * @get_client_id: has default (config key `client_id`)
 * @get_client_secret: has default (config key `client_secret`, or the first line of the
 *   file named by `client_secret_file`)
 * @get_scope: has default (config key `scope`)
 * @add_authorize_params: has default (nothing); extra query parameters of the consent URL
 * @add_token_params: has default (nothing); extra form fields of a token request, e.g.
 *   Withings' `action=requesttoken`
 * @parse_token_response: has default (RFC 6749 §5.1); a provider that wraps its answer, as
 *   Withings does, overrides it
 * @response_needs_refresh: has default (HTTP 401); whether an API answer says the access
 *   token is no longer accepted, for ohe_oauth2_provider_send_authorized()
 * @default_authorize_endpoint: class data: the consent page used when config key
 *   `authorize_url` is not set, or %NULL
 * @default_token_endpoint: class data: the token endpoint used when `token_url` is not set
 * @default_scope: class data: the scope used when `scope` is not set
 *
 * An #OheProvider that implements the OAuth2 authorization code grant with
 * PKCE (S256), code exchange, refresh with rotating refresh tokens, and
 * coalesced refresh: concurrent refreshes of one link make one request.
 *
 * Since: 0.1
 */
struct _OheOAuth2ProviderClass {
	OheProviderClass parent_class;
	gchar *(*get_authorize_endpoint) (OheOAuth2Provider *self);
	gchar *(*get_token_endpoint) (OheOAuth2Provider *self);
	gchar *(*get_client_id) (OheOAuth2Provider *self);
	gchar *(*get_client_secret) (OheOAuth2Provider *self);
	gchar *(*get_scope) (OheOAuth2Provider *self);
	void (*add_authorize_params) (OheOAuth2Provider *self, GHashTable *params);
	void (*add_token_params) (OheOAuth2Provider *self, GHashTable *form, gboolean is_refresh);
	OheToken *(*parse_token_response) (OheOAuth2Provider *self,
					   OheHttpResponse *response,
					   GError **error);
	gboolean (*response_needs_refresh) (OheOAuth2Provider *self, OheHttpResponse *response);
	const gchar *default_authorize_endpoint;
	const gchar *default_token_endpoint;
	const gchar *default_scope;
	/*< private >*/
	gpointer padding[12];
};

/**
 * OHE_OAUTH2_PROVIDER_CONFIG_KEYS:
 *
 * The #OhePluginConfigKey entries of the keys the default #OheOAuth2ProviderClass
 * methods read (`authorize_url`, `token_url`, `client_id`, `client_secret`,
 * `client_secret_file`, `scope`), to open the key table of an OAuth2 provider.
 * Defaults are the provider's, so none is given here.
 *
 * Since: 0.1
 */
#define OHE_OAUTH2_PROVIDER_CONFIG_KEYS                                                            \
	{.name = "authorize_url",                                                                  \
	 .type = OHE_PLUGIN_CONFIG_TYPE_URL,                                                       \
	 .summary = "consent page of the provider"},                                               \
	    {.name = "token_url",                                                                  \
	     .type = OHE_PLUGIN_CONFIG_TYPE_URL,                                                   \
	     .summary = "token endpoint of the provider"},                                         \
	    {.name = "client_id",                                                                  \
	     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,                                                \
	     .summary = "OAuth2 client id of the application"},                                    \
	    {.name = "client_secret",                                                              \
	     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,                                                \
	     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET,                                                \
	     .summary = "OAuth2 client secret"},                                                   \
	    {.name = "client_secret_file",                                                         \
	     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,                                                \
	     .summary = "file whose first line is the client secret"},                             \
	{                                                                                          \
		.name = "scope", .type = OHE_PLUGIN_CONFIG_TYPE_STRING,                            \
		.summary = "overrides the scope the provider asks consent for"                     \
	}

OheHttpClient *
ohe_oauth2_provider_get_http_client (OheOAuth2Provider *self);
void
ohe_oauth2_provider_set_http_client (OheOAuth2Provider *self, OheHttpClient *client);
OheClock *
ohe_oauth2_provider_get_clock (OheOAuth2Provider *self);
void
ohe_oauth2_provider_set_clock (OheOAuth2Provider *self, OheClock *clock);
OheToken *
ohe_oauth2_provider_ensure_token (OheOAuth2Provider *self,
				  const gchar *link_id,
				  OheToken *token,
				  GCancellable *cancellable,
				  GError **error);
OheToken *
ohe_oauth2_provider_force_refresh (OheOAuth2Provider *self,
				   const gchar *link_id,
				   OheToken *token,
				   GCancellable *cancellable,
				   GError **error);
OheHttpResponse *
ohe_oauth2_provider_send_authorized (OheOAuth2Provider *self,
				     const gchar *link_id,
				     OheToken **token,
				     OheHttpRequest *request,
				     GCancellable *cancellable,
				     GError **error);

gchar *
ohe_oauth2_new_code_verifier (void);
gchar *
ohe_oauth2_compute_code_challenge (const gchar *code_verifier);
gchar *
ohe_oauth2_new_state (void);
void
ohe_oauth2_set_token_error (GError **error, guint status, const gchar *oauth_error);

G_END_DECLS
