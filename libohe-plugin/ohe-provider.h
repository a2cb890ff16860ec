/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-fetch-request.h"
#include "ohe-plugin.h"
#include "ohe-token.h"
#include "ohe-webhook-request.h"

G_BEGIN_DECLS

#define OHE_TYPE_PROVIDER (ohe_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (OheProvider, ohe_provider, OHE, PROVIDER, OhePlugin)

/**
 * OheProviderClass:
 * @get_kinds: must implement; the kinds the provider can deliver
 * @build_authorize_url: has default (not supported); the consent URL for a new link
 * @exchange_code: has default (not supported); turns an authorization code into a token
 * @refresh_token: has default (not supported); renews an expired access token
 * @fetch: must implement; streams the measurements of a window through
 *   ohe_fetch_request_emit(); runs on a worker thread and may block
 * @handle_webhook: has default (not supported, answered 404); verifies one request to the
 *   provider's webhook route and parses it into #OheSyncHint objects, answering verification
 *   handshakes itself; never trusts the body as data
 * @subscribe: has default (not supported); asks the provider to push changes of a link's
 *   kinds to a callback URL
 * @unsubscribe: has default (not supported); removes the link's subscriptions to a callback
 *   URL
 * @list_subscriptions: has default (not supported); the push subscriptions of a link
 * @list_devices: has default (not supported); the devices paired with the link's account
 * @revoke: has default (not supported); ends the grant at the provider, so its tokens stop
 *   working
 *
 * The verbs that talk to the provider block and run on a worker thread;
 * handle_webhook does no network I/O and may run on the main thread.
 * A provider plugin: one vendor cloud.
 *
 * Since: 0.1
 */
struct _OheProviderClass {
	OhePluginClass parent_class;
	GArray *(*get_kinds) (OheProvider *self);
	gchar *(*build_authorize_url) (OheProvider *self,
				       const gchar *state,
				       const gchar *code_challenge,
				       const gchar *redirect_uri,
				       GError **error);
	OheToken *(*exchange_code) (OheProvider *self,
				    const gchar *code,
				    const gchar *code_verifier,
				    const gchar *redirect_uri,
				    GCancellable *cancellable,
				    GError **error);
	OheToken *(*refresh_token) (OheProvider *self,
				    const gchar *link_id,
				    OheToken *token,
				    GCancellable *cancellable,
				    GError **error);
	gboolean (*fetch) (OheProvider *self,
			   OheFetchRequest *request,
			   GCancellable *cancellable,
			   GError **error);
	GPtrArray *(*handle_webhook) (OheProvider *self,
				      OheWebhookRequest *request,
				      GError **error);
	gboolean (*subscribe) (OheProvider *self,
			       const gchar *link_id,
			       OheToken *token,
			       const gchar *callback_url,
			       GArray *kinds,
			       GCancellable *cancellable,
			       GError **error);
	gboolean (*unsubscribe) (OheProvider *self,
				 const gchar *link_id,
				 OheToken *token,
				 const gchar *callback_url,
				 GCancellable *cancellable,
				 GError **error);
	GPtrArray *(*list_subscriptions) (OheProvider *self,
					  const gchar *link_id,
					  OheToken *token,
					  GCancellable *cancellable,
					  GError **error);
	GPtrArray *(*list_devices) (OheProvider *self,
				    const gchar *link_id,
				    OheToken *token,
				    GCancellable *cancellable,
				    GError **error);
	gboolean (*revoke) (OheProvider *self,
			    const gchar *link_id,
			    OheToken *token,
			    GCancellable *cancellable,
			    GError **error);
	/*< private >*/
	gpointer padding[18];
};

GArray *
ohe_provider_get_kinds (OheProvider *self);
gboolean
ohe_provider_supports_kind (OheProvider *self, OheMeasurementKind kind);
gchar *
ohe_provider_build_authorize_url (OheProvider *self,
				  const gchar *state,
				  const gchar *code_challenge,
				  const gchar *redirect_uri,
				  GError **error);
OheToken *
ohe_provider_exchange_code (OheProvider *self,
			    const gchar *code,
			    const gchar *code_verifier,
			    const gchar *redirect_uri,
			    GCancellable *cancellable,
			    GError **error);
OheToken *
ohe_provider_refresh_token (OheProvider *self,
			    const gchar *link_id,
			    OheToken *token,
			    GCancellable *cancellable,
			    GError **error);
gboolean
ohe_provider_fetch (OheProvider *self,
		    OheFetchRequest *request,
		    GCancellable *cancellable,
		    GError **error);
GPtrArray *
ohe_provider_handle_webhook (OheProvider *self, OheWebhookRequest *request, GError **error);
gboolean
ohe_provider_subscribe (OheProvider *self,
			const gchar *link_id,
			OheToken *token,
			const gchar *callback_url,
			GArray *kinds,
			GCancellable *cancellable,
			GError **error);
gboolean
ohe_provider_unsubscribe (OheProvider *self,
			  const gchar *link_id,
			  OheToken *token,
			  const gchar *callback_url,
			  GCancellable *cancellable,
			  GError **error);
GPtrArray *
ohe_provider_list_subscriptions (OheProvider *self,
				 const gchar *link_id,
				 OheToken *token,
				 GCancellable *cancellable,
				 GError **error);
GPtrArray *
ohe_provider_list_devices (OheProvider *self,
			   const gchar *link_id,
			   OheToken *token,
			   GCancellable *cancellable,
			   GError **error);
gboolean
ohe_provider_revoke (OheProvider *self,
		     const gchar *link_id,
		     OheToken *token,
		     GCancellable *cancellable,
		     GError **error);
void
ohe_provider_emit_token_changed (OheProvider *self, const gchar *link_id, OheToken *token);

G_END_DECLS
