/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-provider.h"

G_DEFINE_ABSTRACT_TYPE (OheProvider, ohe_provider, OHE_TYPE_PLUGIN)

enum { SIGNAL_TOKEN_CHANGED, SIGNAL_LAST };
static guint ohe_provider_signals[SIGNAL_LAST] = {0};

/**
 * ohe_provider_get_kinds:
 * @self: an #OheProvider
 *
 * Returns: (transfer full) (element-type OheMeasurementKind): the kinds the provider delivers
 *
 * Since: 0.1
 */
GArray *
ohe_provider_get_kinds (OheProvider *self)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	if (klass->get_kinds == NULL)
		return g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	return klass->get_kinds (self);
}

/**
 * ohe_provider_supports_kind:
 * @self: an #OheProvider
 * @kind: an #OheMeasurementKind
 *
 * Returns: %TRUE if the provider can deliver @kind
 *
 * Since: 0.1
 */
gboolean
ohe_provider_supports_kind (OheProvider *self, OheMeasurementKind kind)
{
	g_autoptr(GArray) kinds = ohe_provider_get_kinds (self);
	for (guint i = 0; i < kinds->len; i++) {
		if (g_array_index (kinds, OheMeasurementKind, i) == kind)
			return TRUE;
	}
	return FALSE;
}

static gboolean
ohe_provider_not_supported (OheProvider *self, const gchar *what, GError **error)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED, "provider %s does not support %s",
		     ohe_plugin_get_name (OHE_PLUGIN (self)), what);
	return FALSE;
}

/**
 * ohe_provider_build_authorize_url:
 * @self: an #OheProvider
 * @state: the opaque state that comes back with the redirect
 * @code_challenge: (nullable): the PKCE S256 challenge
 * @redirect_uri: where the provider sends the user back
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the URL to send the user to
 *
 * Since: 0.1
 */
gchar *
ohe_provider_build_authorize_url (OheProvider *self,
				  const gchar *state,
				  const gchar *code_challenge,
				  const gchar *redirect_uri,
				  GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	if (klass->build_authorize_url == NULL) {
		ohe_provider_not_supported (self, "authorization", error);
		return NULL;
	}
	return klass->build_authorize_url (self, state, code_challenge, redirect_uri, error);
}

/**
 * ohe_provider_exchange_code:
 * @self: an #OheProvider
 * @code: the authorization code from the redirect
 * @code_verifier: (nullable): the PKCE verifier
 * @redirect_uri: the redirect URI used in the authorize step
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the new token
 *
 * Since: 0.1
 */
OheToken *
ohe_provider_exchange_code (OheProvider *self,
			    const gchar *code,
			    const gchar *code_verifier,
			    const gchar *redirect_uri,
			    GCancellable *cancellable,
			    GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	if (klass->exchange_code == NULL) {
		ohe_provider_not_supported (self, "code exchange", error);
		return NULL;
	}
	return klass->exchange_code (self, code, code_verifier, redirect_uri, cancellable, error);
}

/**
 * ohe_provider_refresh_token:
 * @self: an #OheProvider
 * @link_id: the link that owns @token
 * @token: the current token
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the renewed token
 *
 * Since: 0.1
 */
OheToken *
ohe_provider_refresh_token (OheProvider *self,
			    const gchar *link_id,
			    OheToken *token,
			    GCancellable *cancellable,
			    GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	if (klass->refresh_token == NULL) {
		ohe_provider_not_supported (self, "token refresh", error);
		return NULL;
	}
	return klass->refresh_token (self, link_id, token, cancellable, error);
}

/**
 * ohe_provider_fetch:
 * @self: an #OheProvider
 * @request: what to fetch
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Streams the measurements of the request window; blocks, so call it from a
 * worker thread.
 *
 * Returns: %TRUE when the whole window was emitted
 *
 * Since: 0.1
 */
gboolean
ohe_provider_fetch (OheProvider *self,
		    OheFetchRequest *request,
		    GCancellable *cancellable,
		    GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), FALSE);
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (request), FALSE);
	if (klass->fetch == NULL)
		return ohe_provider_not_supported (self, "fetch", error);
	if (g_cancellable_set_error_if_cancelled (cancellable, error))
		return FALSE;
	return klass->fetch (self, request, cancellable, error);
}

/**
 * ohe_provider_handle_webhook:
 * @self: an #OheProvider
 * @request: one request to the provider's webhook route, as received
 * @error: a #GError, or %NULL
 *
 * Verifies and parses a webhook request. Every byte of it is hostile: a body
 * larger than %OHE_WEBHOOK_MAX_BODY is refused before the provider sees it,
 * and a delivery that is not signed, or signed wrongly, is refused with
 * %OHE_ERROR_PERMISSION_DENIED (or %OHE_ERROR_AUTH_REQUIRED where the
 * provider's handshake asks for 401). A delivery seen before gets
 * %OHE_ERROR_CONFLICT and a 2xx answer, so that the sender stops retrying
 * while nothing is scheduled twice.
 *
 * A verification handshake (Withings' HEAD, Google Health's
 * `{"type":"verification"}`) succeeds with no hints. On return the response
 * status of @request is always set: the host answers with it, whether this
 * function failed or not.
 *
 * Returns: (transfer container) (element-type OheSyncHint): the hints, possibly none;
 *   %NULL with @error set when the request is refused
 *
 * Since: 0.1
 */
GPtrArray *
ohe_provider_handle_webhook (OheProvider *self, OheWebhookRequest *request, GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_autoptr(GError) error_local = NULL;
	GPtrArray *hints;

	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (request), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (g_bytes_get_size (ohe_webhook_request_get_body (request)) > OHE_WEBHOOK_MAX_BODY) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "provider %s: webhook body is larger than %u bytes",
			     ohe_plugin_get_name (OHE_PLUGIN (self)), (guint)OHE_WEBHOOK_MAX_BODY);
		ohe_webhook_request_set_response (request, 413, NULL, NULL);
		return NULL;
	}
	if (klass->handle_webhook == NULL) {
		ohe_provider_not_supported (self, "webhooks", error);
		ohe_webhook_request_set_response (request, 404, NULL, NULL);
		return NULL;
	}
	hints = klass->handle_webhook (self, request, &error_local);
	if (hints == NULL && error_local == NULL) {
		g_set_error (&error_local, OHE_ERROR, OHE_ERROR_FAILED,
			     "provider %s: webhook refused without a reason",
			     ohe_plugin_get_name (OHE_PLUGIN (self)));
	}
	if (ohe_webhook_request_get_response_status (request) == 0) {
		guint status = hints != NULL ? 200 : ohe_error_to_http_status (error_local);
		ohe_webhook_request_set_response (request, status, NULL, NULL);
	}
	if (hints == NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	return hints;
}

/**
 * ohe_provider_subscribe:
 * @self: an #OheProvider
 * @link_id: the link
 * @token: its token
 * @callback_url: (nullable): where the provider delivers, or %NULL for the provider's
 *   configured callback URL
 * @kinds: (nullable) (element-type OheMeasurementKind): the kinds to be told about, or
 *   %NULL for all the provider delivers
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Subscribes the link's account to push notifications. Subscribing twice is
 * not an error. Blocks.
 *
 * Returns: %TRUE when the provider accepted the subscription
 *
 * Since: 0.1
 */
gboolean
ohe_provider_subscribe (OheProvider *self,
			const gchar *link_id,
			OheToken *token,
			const gchar *callback_url,
			GArray *kinds,
			GCancellable *cancellable,
			GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), FALSE);
	g_return_val_if_fail (OHE_IS_TOKEN (token), FALSE);
	if (klass->subscribe == NULL)
		return ohe_provider_not_supported (self, "subscriptions", error);
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return FALSE;
	}
	return klass->subscribe (self, link_id, token, callback_url, kinds, cancellable, error);
}

/**
 * ohe_provider_unsubscribe:
 * @self: an #OheProvider
 * @link_id: the link
 * @token: its token
 * @callback_url: (nullable): the callback URL, or %NULL for the configured one
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Removes every subscription of the link to @callback_url. Removing nothing
 * is not an error. Blocks.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
ohe_provider_unsubscribe (OheProvider *self,
			  const gchar *link_id,
			  OheToken *token,
			  const gchar *callback_url,
			  GCancellable *cancellable,
			  GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), FALSE);
	g_return_val_if_fail (OHE_IS_TOKEN (token), FALSE);
	if (klass->unsubscribe == NULL)
		return ohe_provider_not_supported (self, "subscriptions", error);
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return FALSE;
	}
	return klass->unsubscribe (self, link_id, token, callback_url, cancellable, error);
}

/**
 * ohe_provider_list_subscriptions:
 * @self: an #OheProvider
 * @link_id: the link
 * @token: its token
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Blocks.
 *
 * Returns: (transfer container) (element-type OheSubscription): the link's subscriptions
 *
 * Since: 0.1
 */
GPtrArray *
ohe_provider_list_subscriptions (OheProvider *self,
				 const gchar *link_id,
				 OheToken *token,
				 GCancellable *cancellable,
				 GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	g_return_val_if_fail (OHE_IS_TOKEN (token), NULL);
	if (klass->list_subscriptions == NULL) {
		ohe_provider_not_supported (self, "subscriptions", error);
		return NULL;
	}
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return NULL;
	}
	return klass->list_subscriptions (self, link_id, token, cancellable, error);
}

/**
 * ohe_provider_list_devices:
 * @self: an #OheProvider
 * @link_id: the link
 * @token: its token
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Blocks.
 *
 * Returns: (transfer container) (element-type OheDevice): the devices of the link's account
 *
 * Since: 0.1
 */
GPtrArray *
ohe_provider_list_devices (OheProvider *self,
			   const gchar *link_id,
			   OheToken *token,
			   GCancellable *cancellable,
			   GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), NULL);
	g_return_val_if_fail (OHE_IS_TOKEN (token), NULL);
	if (klass->list_devices == NULL) {
		ohe_provider_not_supported (self, "device lists", error);
		return NULL;
	}
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return NULL;
	}
	return klass->list_devices (self, link_id, token, cancellable, error);
}

/**
 * ohe_provider_revoke:
 * @self: an #OheProvider
 * @link_id: the link
 * @token: its token
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Ends the link's grant at the provider: its tokens stop working and, where
 * the provider ties them to the grant, its subscriptions go away. Blocks.
 *
 * Returns: %TRUE when the provider confirmed
 *
 * Since: 0.1
 */
gboolean
ohe_provider_revoke (OheProvider *self,
		     const gchar *link_id,
		     OheToken *token,
		     GCancellable *cancellable,
		     GError **error)
{
	OheProviderClass *klass = OHE_PROVIDER_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PROVIDER (self), FALSE);
	g_return_val_if_fail (OHE_IS_TOKEN (token), FALSE);
	if (klass->revoke == NULL)
		return ohe_provider_not_supported (self, "revocation", error);
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return FALSE;
	}
	return klass->revoke (self, link_id, token, cancellable, error);
}

/**
 * ohe_provider_emit_token_changed:
 * @self: an #OheProvider
 * @link_id: the link
 * @token: the new token
 *
 * Tells the host to persist a renewed token at once: with rotating refresh
 * tokens the old one stops working as soon as the new one is issued.
 *
 * Since: 0.1
 */
void
ohe_provider_emit_token_changed (OheProvider *self, const gchar *link_id, OheToken *token)
{
	g_return_if_fail (OHE_IS_PROVIDER (self));
	g_signal_emit (self, ohe_provider_signals[SIGNAL_TOKEN_CHANGED], 0, link_id, token);
}

static void
ohe_provider_class_init (OheProviderClass *klass)
{
	/**
	 * OheProvider::token-changed:
	 * @self: the #OheProvider
	 * @link_id: the link
	 * @token: the renewed #OheToken
	 *
	 * Emitted, possibly on a worker thread, when a token was renewed.
	 *
	 * Since: 0.1
	 */
	ohe_provider_signals[SIGNAL_TOKEN_CHANGED] =
	    g_signal_new ("token-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
			  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, OHE_TYPE_TOKEN);
}

static void
ohe_provider_init (OheProvider *self)
{
}
