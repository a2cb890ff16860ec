/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-fetch-request.h"
#include "ohe-plugin.h"
#include "ohe-token.h"

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
 *
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
	/*< private >*/
	gpointer padding[24];
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
void
ohe_provider_emit_token_changed (OheProvider *self, const gchar *link_id, OheToken *token);

G_END_DECLS
