/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "oheplugin.h"

#include "ohe-sim-webhook.h"

struct _OheSimWebhook {
	GObject parent_instance;
	GMutex mutex;
	SoupSession *session; /* owned, created on the sending thread */
	gchar *callback_url;  /* owned, nullable */
	guint sent;
};

G_DEFINE_TYPE (OheSimWebhook, ohe_sim_webhook, G_TYPE_OBJECT)

OheSimWebhookMessage *
ohe_sim_webhook_message_new (void)
{
	OheSimWebhookMessage *message = g_new0 (OheSimWebhookMessage, 1);
	message->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	return message;
}

void
ohe_sim_webhook_message_free (OheSimWebhookMessage *message)
{
	if (message == NULL)
		return;
	g_free (message->url);
	g_free (message->content_type);
	g_clear_pointer (&message->body, g_bytes_unref);
	g_clear_pointer (&message->headers, g_hash_table_unref);
	g_free (message);
}

void
ohe_sim_webhook_message_set_body (OheSimWebhookMessage *message,
				  const gchar *content_type,
				  const gchar *body)
{
	g_return_if_fail (message != NULL);
	g_return_if_fail (body != NULL);
	g_free (message->content_type);
	message->content_type = g_strdup (content_type);
	g_clear_pointer (&message->body, g_bytes_unref);
	message->body = g_bytes_new (body, strlen (body));
}

OheSimWebhook *
ohe_sim_webhook_new (void)
{
	return g_object_new (OHE_TYPE_SIM_WEBHOOK, NULL);
}

void
ohe_sim_webhook_set_callback_url (OheSimWebhook *self, const gchar *url)
{
	g_return_if_fail (OHE_IS_SIM_WEBHOOK (self));
	g_mutex_lock (&self->mutex);
	g_free (self->callback_url);
	self->callback_url = g_strdup (url);
	g_mutex_unlock (&self->mutex);
}

gchar *
ohe_sim_webhook_get_callback_url (OheSimWebhook *self)
{
	gchar *url;
	g_return_val_if_fail (OHE_IS_SIM_WEBHOOK (self), NULL);
	g_mutex_lock (&self->mutex);
	url = g_strdup (self->callback_url);
	g_mutex_unlock (&self->mutex);
	return url;
}

static void
ohe_sim_webhook_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr (GTask) task = G_TASK (user_data);
	OheSimWebhook *self = g_task_get_source_object (task);
	SoupMessage *msg = g_task_get_task_data (task);
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GError) error = NULL;

	body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
	if (body == NULL) {
		g_task_return_new_error (task, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
					 "webhook: delivery failed: %s", error->message);
		return;
	}
	g_mutex_lock (&self->mutex);
	self->sent++;
	g_mutex_unlock (&self->mutex);
	g_task_return_int (task, soup_message_get_status (msg));
}

void
ohe_sim_webhook_send_async (OheSimWebhook *self,
			    OheSimWebhookMessage *message,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data)
{
	g_autoptr (OheSimWebhookMessage) owned = message;
	g_autoptr (GTask) task = NULL;
	g_autofree gchar *url = NULL;
	SoupMessage *msg;
	GHashTableIter iter;
	gpointer key, value;

	g_return_if_fail (OHE_IS_SIM_WEBHOOK (self));
	g_return_if_fail (message != NULL);

	task = g_task_new (self, cancellable, callback, user_data);
	g_task_set_source_tag (task, ohe_sim_webhook_send_async);
	url = message->url != NULL ? g_strdup (message->url)
				   : ohe_sim_webhook_get_callback_url (self);
	if (url == NULL) {
		g_task_return_new_error (task, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					 "webhook: no callback URL (start with --callback)");
		return;
	}
	msg = soup_message_new (SOUP_METHOD_POST, url);
	if (msg == NULL) {
		g_task_return_new_error (task, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					 "webhook: callback URL '%s' is not valid", url);
		return;
	}
	g_task_set_task_data (task, msg, g_object_unref);
	if (message->body != NULL)
		soup_message_set_request_body_from_bytes (msg, message->content_type,
							  message->body);
	g_hash_table_iter_init (&iter, message->headers);
	while (g_hash_table_iter_next (&iter, &key, &value))
		soup_message_headers_replace (soup_message_get_request_headers (msg), key, value);

	if (self->session == NULL)
		self->session = soup_session_new_with_options ("timeout", 5, "user-agent",
							       "ohe-simulator", NULL);
	soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
					  ohe_sim_webhook_sent_cb, g_steal_pointer (&task));
}

guint
ohe_sim_webhook_send_finish (OheSimWebhook *self, GAsyncResult *result, GError **error)
{
	gssize status;

	g_return_val_if_fail (g_task_is_valid (result, self), 0);
	status = g_task_propagate_int (G_TASK (result), error);
	return status < 0 ? 0 : (guint)status;
}

guint
ohe_sim_webhook_get_sent (OheSimWebhook *self)
{
	guint n;
	g_return_val_if_fail (OHE_IS_SIM_WEBHOOK (self), 0);
	g_mutex_lock (&self->mutex);
	n = self->sent;
	g_mutex_unlock (&self->mutex);
	return n;
}

static void
ohe_sim_webhook_finalize (GObject *object)
{
	OheSimWebhook *self = OHE_SIM_WEBHOOK (object);

	g_clear_object (&self->session);
	g_free (self->callback_url);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_sim_webhook_parent_class)->finalize (object);
}

static void
ohe_sim_webhook_class_init (OheSimWebhookClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sim_webhook_finalize;
}

static void
ohe_sim_webhook_init (OheSimWebhook *self)
{
	g_mutex_init (&self->mutex);
}
