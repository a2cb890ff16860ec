/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-request.h"
#include "ohe-error.h"

/*
 * Replies are JSON; every error is an RFC 9457 problem (application/problem+json) with a
 * `field` member naming the offending input when there is one. Texts never quote a secret or
 * a health value: they name fields and ids only.
 */

OheApiRequest *
ohe_api_request_new (SoupServerMessage *msg, OheApiServer *server, OheEngine *engine)
{
	OheApiRequest *self = g_new0 (OheApiRequest, 1);
	self->msg = msg;
	self->server = server;
	self->engine = engine;
	self->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	return self;
}

void
ohe_api_request_free (OheApiRequest *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref (self->params);
	g_clear_object (&self->token);
	g_free (self);
}

const gchar *
ohe_api_request_get_param (OheApiRequest *self, const gchar *name)
{
	return g_hash_table_lookup (self->params, name);
}

/* Returns: whether the caller is an admin or operator token */
gboolean
ohe_api_request_is_staff (OheApiRequest *self)
{
	return self->token != NULL && ohe_api_token_get_scope (self->token) != OHE_API_SCOPE_USER;
}

/* Returns: whether the caller may see @user_id: staff see everyone, a user token itself */
gboolean
ohe_api_request_can_see_user (OheApiRequest *self, const gchar *user_id)
{
	if (ohe_api_request_is_staff (self))
		return TRUE;
	return self->token != NULL && user_id != NULL &&
	       g_strcmp0 (ohe_api_token_get_user_id (self->token), user_id) == 0;
}

void
ohe_api_request_reply_text (
    OheApiRequest *self, guint status, const gchar *content_type, const gchar *text, gssize length)
{
	if (length < 0)
		length = (gssize)strlen (text);
	self->status = status;
	soup_server_message_set_status (self->msg, status, NULL);
	soup_message_headers_replace (soup_server_message_get_response_headers (self->msg),
				      "Cache-Control", "no-store");
	soup_server_message_set_response (self->msg, content_type, SOUP_MEMORY_COPY, text,
					  (gsize)length);
}

static void
ohe_api_request_reply_node (OheApiRequest *self,
			    guint status,
			    const gchar *content_type,
			    JsonNode *node)
{
	g_autoptr(JsonGenerator) generator = json_generator_new ();
	gsize length = 0;
	gchar *text;

	json_generator_set_root (generator, node);
	text = json_generator_to_data (generator, &length);
	self->status = status;
	soup_server_message_set_status (self->msg, status, NULL);
	soup_message_headers_replace (soup_server_message_get_response_headers (self->msg),
				      "Cache-Control", "no-store");
	soup_server_message_set_response (self->msg, content_type, SOUP_MEMORY_TAKE, text, length);
}

void
ohe_api_request_reply_json (OheApiRequest *self, guint status, JsonNode *node)
{
	ohe_api_request_reply_node (self, status, "application/json", node);
}

void
ohe_api_request_reply_builder (OheApiRequest *self, guint status, JsonBuilder *builder)
{
	g_autoptr(JsonNode) root = json_builder_get_root (builder);
	ohe_api_request_reply_json (self, status, root);
}

/**
 * ohe_api_request_reply_problem:
 * @self: the request
 * @status: the HTTP status
 * @title: a short, fixed summary of the kind of problem
 * @detail: (nullable): what exactly was wrong with this request
 * @field: (nullable): the offending body member, parameter or header
 */
void
ohe_api_request_reply_problem (
    OheApiRequest *self, guint status, const gchar *title, const gchar *detail, const gchar *field)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "type");
	json_builder_add_string_value (builder, "about:blank");
	json_builder_set_member_name (builder, "title");
	json_builder_add_string_value (builder, title);
	json_builder_set_member_name (builder, "status");
	json_builder_add_int_value (builder, status);
	if (detail != NULL) {
		json_builder_set_member_name (builder, "detail");
		json_builder_add_string_value (builder, detail);
	}
	if (field != NULL) {
		json_builder_set_member_name (builder, "field");
		json_builder_add_string_value (builder, field);
	}
	json_builder_set_member_name (builder, "instance");
	json_builder_add_string_value (builder,
				       g_uri_get_path (soup_server_message_get_uri (self->msg)));
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	ohe_api_request_reply_node (self, status, "application/problem+json", root);
}

/* maps an engine or store error to a problem; store failures stay in the log */
void
ohe_api_request_reply_error (OheApiRequest *self, const GError *error)
{
	if (error->domain == OHE_ERROR) {
		switch (error->code) {
		case OHE_ERROR_NOT_FOUND:
			ohe_api_request_reply_problem (self, SOUP_STATUS_NOT_FOUND, "Not found",
						       error->message, NULL);
			return;
		case OHE_ERROR_CONFLICT:
			ohe_api_request_reply_problem (self, SOUP_STATUS_CONFLICT, "Conflict",
						       error->message, NULL);
			return;
		case OHE_ERROR_INVALID_ARGUMENT:
		case OHE_ERROR_INVALID_DATA:
			ohe_api_request_reply_problem (self, SOUP_STATUS_BAD_REQUEST,
						       "Invalid request", error->message, NULL);
			return;
		default:
			break;
		}
	}
	g_warning ("api: %s %s: %s", soup_server_message_get_method (self->msg),
		   self->route != NULL ? self->route->pattern : "?", error->message);
	ohe_api_request_reply_problem (self, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Internal error",
				       "the daemon could not answer; its log says why", NULL);
}

/**
 * ohe_api_request_read_body:
 * @self: the request
 * @fields: the members the body may hold
 * @n_fields: how many
 *
 * Reads the body as a strict JSON object. On failure the 400 or 415 problem is already the
 * reply.
 *
 * Returns: (transfer full) (nullable): the object
 */
JsonObject *
ohe_api_request_read_body (OheApiRequest *self, const OheApiBodyField *fields, guint n_fields)
{
	SoupMessageBody *body = soup_server_message_get_request_body (self->msg);
	const gchar *content_type = soup_message_headers_get_content_type (
	    soup_server_message_get_request_headers (self->msg), NULL);
	g_autoptr(GBytes) bytes = NULL;
	g_autofree gchar *bad_field = NULL;
	g_autoptr(GError) error = NULL;
	JsonObject *object;
	gsize length = 0;
	const gchar *data;

	if (g_strcmp0 (content_type, "application/json") != 0) {
		ohe_api_request_reply_problem (self, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
					       "Unsupported media type",
					       "the body must be application/json", "Content-Type");
		return NULL;
	}
	bytes = soup_message_body_flatten (body);
	data = g_bytes_get_data (bytes, &length);
	object = ohe_api_body_field_parse (data, length, fields, n_fields, &bad_field, &error);
	if (object == NULL) {
		ohe_api_request_reply_problem (self, SOUP_STATUS_BAD_REQUEST, "Invalid body",
					       error->message, bad_field);
		return NULL;
	}
	return object;
}
