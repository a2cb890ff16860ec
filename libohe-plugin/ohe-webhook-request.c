/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ohe-webhook-request.h"

/*
 * One HTTP request to a provider's webhook route, as the host received it,
 * and the answer the provider wants sent back. The host fills in the method,
 * the request URI (path and query), the headers and the body; the provider's
 * handle_webhook verifies and parses it and sets the response. Every byte of
 * it came from the network: nothing here is trusted.
 */
struct _OheWebhookRequest {
	GObject parent_instance;
	gchar *method;		      /* owned */
	gchar *uri;		      /* owned, path and query */
	GHashTable *query;	      /* owned, nullable until first use */
	GBytes *body;		      /* owned */
	GHashTable *headers;	      /* owned, lower-case name → value */
	guint response_status;	      /* 0 until set */
	gchar *response_content_type; /* owned, nullable */
	GBytes *response_body;	      /* owned, nullable */
};

G_DEFINE_TYPE (OheWebhookRequest, ohe_webhook_request, G_TYPE_OBJECT)

static void
ohe_webhook_request_finalize (GObject *object)
{
	OheWebhookRequest *self = OHE_WEBHOOK_REQUEST (object);
	g_free (self->method);
	g_free (self->uri);
	g_clear_pointer (&self->query, g_hash_table_unref);
	g_bytes_unref (self->body);
	g_hash_table_unref (self->headers);
	g_free (self->response_content_type);
	g_clear_pointer (&self->response_body, g_bytes_unref);
	G_OBJECT_CLASS (ohe_webhook_request_parent_class)->finalize (object);
}

static void
ohe_webhook_request_class_init (OheWebhookRequestClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_webhook_request_finalize;
}

static void
ohe_webhook_request_init (OheWebhookRequest *self)
{
	self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * ohe_webhook_request_new:
 * @method: the HTTP method, e.g. `POST` or `HEAD`
 * @uri: (nullable): the request target as received, path and query, e.g.
 *   `/webhooks/withings?token=…`
 * @body: (nullable): the request body; %NULL for none
 *
 * Returns: (transfer full): a new request with no headers and no response yet
 *
 * Since: 0.1
 */
OheWebhookRequest *
ohe_webhook_request_new (const gchar *method, const gchar *uri, GBytes *body)
{
	OheWebhookRequest *self;
	g_return_val_if_fail (method != NULL, NULL);
	self = g_object_new (OHE_TYPE_WEBHOOK_REQUEST, NULL);
	self->method = g_ascii_strup (method, -1);
	self->uri = g_strdup (uri != NULL ? uri : "/");
	self->body = body != NULL ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
	return self;
}

/**
 * ohe_webhook_request_get_method:
 * @self: an #OheWebhookRequest
 *
 * Returns: the method, in upper case
 *
 * Since: 0.1
 */
const gchar *
ohe_webhook_request_get_method (OheWebhookRequest *self)
{
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	return self->method;
}

/**
 * ohe_webhook_request_get_uri:
 * @self: an #OheWebhookRequest
 *
 * Returns: the request target, path and query; may hold a secret, so it is
 *   never logged
 *
 * Since: 0.1
 */
const gchar *
ohe_webhook_request_get_uri (OheWebhookRequest *self)
{
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	return self->uri;
}

/**
 * ohe_webhook_request_get_query_param:
 * @self: an #OheWebhookRequest
 * @name: a query parameter name
 *
 * Returns: (nullable): the decoded value of @name in the query of the request
 *   URI, or %NULL if absent or the query is not a form
 *
 * Since: 0.1
 */
const gchar *
ohe_webhook_request_get_query_param (OheWebhookRequest *self, const gchar *name)
{
	const gchar *mark;
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	g_return_val_if_fail (name != NULL, NULL);
	if (self->query == NULL) {
		mark = strchr (self->uri, '?');
		if (mark != NULL)
			self->query = soup_form_decode (mark + 1);
		if (self->query == NULL)
			self->query = g_hash_table_new (g_str_hash, g_str_equal);
	}
	return g_hash_table_lookup (self->query, name);
}

/**
 * ohe_webhook_request_get_body:
 * @self: an #OheWebhookRequest
 *
 * Returns: (transfer none): the body, empty when there was none
 *
 * Since: 0.1
 */
GBytes *
ohe_webhook_request_get_body (OheWebhookRequest *self)
{
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	return self->body;
}

/**
 * ohe_webhook_request_add_header:
 * @self: an #OheWebhookRequest
 * @name: a header name, in any case
 * @value: its value
 *
 * Records a request header. A repeated header keeps its first value, so a
 * second `Authorization` cannot override the one checked.
 *
 * Since: 0.1
 */
void
ohe_webhook_request_add_header (OheWebhookRequest *self, const gchar *name, const gchar *value)
{
	g_autofree gchar *key = NULL;
	g_return_if_fail (OHE_IS_WEBHOOK_REQUEST (self));
	g_return_if_fail (name != NULL);
	g_return_if_fail (value != NULL);
	key = g_ascii_strdown (name, -1);
	if (g_hash_table_contains (self->headers, key))
		return;
	g_hash_table_insert (self->headers, g_steal_pointer (&key), g_strdup (value));
}

/**
 * ohe_webhook_request_get_header:
 * @self: an #OheWebhookRequest
 * @name: a header name; HTTP header names are case-insensitive
 *
 * Returns: (nullable): the value of header @name, or %NULL
 *
 * Since: 0.1
 */
const gchar *
ohe_webhook_request_get_header (OheWebhookRequest *self, const gchar *name)
{
	g_autofree gchar *key = NULL;
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	g_return_val_if_fail (name != NULL, NULL);
	key = g_ascii_strdown (name, -1);
	return g_hash_table_lookup (self->headers, key);
}

/**
 * ohe_webhook_request_set_response:
 * @self: an #OheWebhookRequest
 * @status: the HTTP status to answer with
 * @content_type: (nullable): the content type of @body
 * @body: (nullable): the response body, %NULL for none
 *
 * Sets the answer the host sends; a provider calls it from handle_webhook,
 * e.g. with 201 for Google Health's verification handshake.
 *
 * Since: 0.1
 */
void
ohe_webhook_request_set_response (OheWebhookRequest *self,
				  guint status,
				  const gchar *content_type,
				  GBytes *body)
{
	g_return_if_fail (OHE_IS_WEBHOOK_REQUEST (self));
	g_return_if_fail (status >= 100 && status <= 599);
	self->response_status = status;
	g_free (self->response_content_type);
	self->response_content_type = g_strdup (content_type);
	g_clear_pointer (&self->response_body, g_bytes_unref);
	if (body != NULL)
		self->response_body = g_bytes_ref (body);
}

/**
 * ohe_webhook_request_get_response_status:
 * @self: an #OheWebhookRequest
 *
 * Returns: the status set with ohe_webhook_request_set_response(), or 0
 *
 * Since: 0.1
 */
guint
ohe_webhook_request_get_response_status (OheWebhookRequest *self)
{
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), 0);
	return self->response_status;
}

/**
 * ohe_webhook_request_get_response_content_type:
 * @self: an #OheWebhookRequest
 *
 * Returns: (nullable): the content type of the response body
 *
 * Since: 0.1
 */
const gchar *
ohe_webhook_request_get_response_content_type (OheWebhookRequest *self)
{
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	return self->response_content_type;
}

/**
 * ohe_webhook_request_get_response_body:
 * @self: an #OheWebhookRequest
 *
 * Returns: (nullable) (transfer none): the response body
 *
 * Since: 0.1
 */
GBytes *
ohe_webhook_request_get_response_body (OheWebhookRequest *self)
{
	g_return_val_if_fail (OHE_IS_WEBHOOK_REQUEST (self), NULL);
	return self->response_body;
}
