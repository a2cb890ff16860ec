/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * OheSimWebhookMessage:
 * @url: (nullable): where to send; %NULL for the sender's callback URL
 * @content_type: e.g. "application/x-www-form-urlencoded" (Withings) or "application/json"
 *   (Google)
 * @body: (nullable): the body
 * @headers: (element-type utf8 utf8): extra request headers, e.g. Google's `Authorization`
 *
 * One webhook. All fields are owned by the message; fill them with g_strdup() and friends.
 *
 * Since: 0.1
 */
typedef struct {
	gchar *url;
	gchar *content_type;
	GBytes *body;
	GHashTable *headers;
} OheSimWebhookMessage;

OheSimWebhookMessage *
ohe_sim_webhook_message_new (void);
void
ohe_sim_webhook_message_free (OheSimWebhookMessage *message);
/**
 * ohe_sim_webhook_message_set_body:
 * @message: a message
 * @content_type: the content type
 * @body: the body text, copied
 */
void
ohe_sim_webhook_message_set_body (OheSimWebhookMessage *message,
				  const gchar *content_type,
				  const gchar *body);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheSimWebhookMessage, ohe_sim_webhook_message_free)

#define OHE_TYPE_SIM_WEBHOOK (ohe_sim_webhook_get_type ())
G_DECLARE_FINAL_TYPE (OheSimWebhook, ohe_sim_webhook, OHE, SIM_WEBHOOK, GObject)

/**
 * ohe_sim_webhook_new:
 *
 * Returns: (transfer full): a webhook sender. Its HTTP session is created on first use, on
 *   the thread that sends (the simulator's thread).
 */
OheSimWebhook *
ohe_sim_webhook_new (void);
/**
 * ohe_sim_webhook_set_callback_url:
 * @self: a sender
 * @url: (nullable): the default target (`--callback`)
 */
void
ohe_sim_webhook_set_callback_url (OheSimWebhook *self, const gchar *url);
/**
 * ohe_sim_webhook_get_callback_url:
 * @self: a sender
 *
 * Returns: (nullable) (transfer full): the default target
 */
gchar *
ohe_sim_webhook_get_callback_url (OheSimWebhook *self);
/**
 * ohe_sim_webhook_send_async:
 * @self: a sender
 * @message: (transfer full): the webhook
 * @cancellable: (nullable): a cancellable
 * @callback: called when the receiver answered
 * @user_data: for @callback
 *
 * POSTs the webhook (5 s timeout, as impatient as the real clouds).
 */
void
ohe_sim_webhook_send_async (OheSimWebhook *self,
			    OheSimWebhookMessage *message,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
/**
 * ohe_sim_webhook_send_finish:
 * @self: a sender
 * @result: the result
 * @error: return location for an error (no URL, connection failed)
 *
 * Returns: the receiver's HTTP status, or 0 with @error set
 */
guint
ohe_sim_webhook_send_finish (OheSimWebhook *self, GAsyncResult *result, GError **error);
/**
 * ohe_sim_webhook_get_sent:
 * @self: a sender
 *
 * Returns: the number of webhooks the receivers answered (any status)
 */
guint
ohe_sim_webhook_get_sent (OheSimWebhook *self);

G_END_DECLS
