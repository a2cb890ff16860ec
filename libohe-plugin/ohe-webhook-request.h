/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * OHE_WEBHOOK_MAX_BODY:
 *
 * The largest webhook body a provider is shown, in bytes. Real deliveries
 * are a few hundred bytes (a Withings form, a Google Health notification);
 * a larger body is refused before any plugin code reads it.
 *
 * Since: 0.1
 */
#define OHE_WEBHOOK_MAX_BODY (64 * 1024)

#define OHE_TYPE_WEBHOOK_REQUEST (ohe_webhook_request_get_type ())
G_DECLARE_FINAL_TYPE (OheWebhookRequest, ohe_webhook_request, OHE, WEBHOOK_REQUEST, GObject)

OheWebhookRequest *
ohe_webhook_request_new (const gchar *method, const gchar *uri, GBytes *body);
const gchar *
ohe_webhook_request_get_method (OheWebhookRequest *self);
const gchar *
ohe_webhook_request_get_uri (OheWebhookRequest *self);
const gchar *
ohe_webhook_request_get_query_param (OheWebhookRequest *self, const gchar *name);
GBytes *
ohe_webhook_request_get_body (OheWebhookRequest *self);
void
ohe_webhook_request_add_header (OheWebhookRequest *self, const gchar *name, const gchar *value);
const gchar *
ohe_webhook_request_get_header (OheWebhookRequest *self, const gchar *name);
void
ohe_webhook_request_set_response (OheWebhookRequest *self,
				  guint status,
				  const gchar *content_type,
				  GBytes *body);
guint
ohe_webhook_request_get_response_status (OheWebhookRequest *self);
const gchar *
ohe_webhook_request_get_response_content_type (OheWebhookRequest *self);
GBytes *
ohe_webhook_request_get_response_body (OheWebhookRequest *self);

G_END_DECLS
