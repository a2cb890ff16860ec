/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-withings-webhook.h"

G_BEGIN_DECLS

#define OHE_TYPE_WITHINGS_PROVIDER (ohe_withings_provider_get_type ())
G_DECLARE_FINAL_TYPE (
    OheWithingsProvider, ohe_withings_provider, OHE, WITHINGS_PROVIDER, OheOAuth2Provider)

/* one notify list entry */
typedef struct {
	gint appli;
	gchar *callbackurl; /* owned */
	gchar *comment;	    /* owned, nullable */
} OheWithingsSubscription;

void
ohe_withings_subscription_free (OheWithingsSubscription *subscription);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheWithingsSubscription, ohe_withings_subscription_free)

GArray *
ohe_withings_provider_appli_for_kinds (const OheMeasurementKind *kinds, guint n_kinds);
OheWithingsSyncHint *
ohe_withings_provider_parse_notification (OheWithingsProvider *self,
					  const gchar *body,
					  gsize len,
					  GError **error);
gboolean
ohe_withings_provider_subscribe (OheWithingsProvider *self,
				 const gchar *link_id,
				 OheToken *token,
				 const gchar *callback_url,
				 gint appli,
				 GCancellable *cancellable,
				 GError **error);
GPtrArray *
ohe_withings_provider_list_subscriptions (OheWithingsProvider *self,
					  const gchar *link_id,
					  OheToken *token,
					  gint appli,
					  GCancellable *cancellable,
					  GError **error);
gboolean
ohe_withings_provider_revoke_subscription (OheWithingsProvider *self,
					   const gchar *link_id,
					   OheToken *token,
					   const gchar *callback_url,
					   gint appli,
					   GCancellable *cancellable,
					   GError **error);
gchar *
ohe_withings_provider_get_nonce (OheWithingsProvider *self,
				 GCancellable *cancellable,
				 GError **error);
gboolean
ohe_withings_provider_revoke_access (OheWithingsProvider *self,
				     const gchar *userid,
				     GCancellable *cancellable,
				     GError **error);

G_END_DECLS
