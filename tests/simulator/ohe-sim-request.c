/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-sim-request.h"

const gchar *
ohe_sim_request_get_param (OheSimRequest *self, const gchar *name)
{
	const gchar *value = NULL;

	g_return_val_if_fail (self != NULL, NULL);
	g_return_val_if_fail (name != NULL, NULL);

	if (self->form != NULL)
		value = g_hash_table_lookup (self->form, name);
	if (value == NULL)
		value = g_hash_table_lookup (self->query, name);
	if (value == NULL && self->json != NULL && JSON_NODE_HOLDS_OBJECT (self->json)) {
		JsonNode *member = json_object_get_member (json_node_get_object (self->json), name);
		if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
		    json_node_get_value_type (member) == G_TYPE_STRING)
			value = json_node_get_string (member);
	}
	return value;
}

const gchar *
ohe_sim_request_get_header (OheSimRequest *self, const gchar *name)
{
	g_return_val_if_fail (self != NULL, NULL);
	return soup_message_headers_get_one (soup_server_message_get_request_headers (self->msg),
					     name);
}

const gchar *
ohe_sim_request_get_bearer (OheSimRequest *self)
{
	const gchar *auth = ohe_sim_request_get_header (self, "Authorization");

	if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return *auth != '\0' ? auth : NULL;
}

void
ohe_sim_request_respond_text (OheSimRequest *self,
			      guint status,
			      const gchar *content_type,
			      const gchar *text)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail (text != NULL);
	soup_server_message_set_status (self->msg, status, NULL);
	/* a later answer replaces an earlier one instead of appending to it */
	soup_message_body_truncate (soup_server_message_get_response_body (self->msg));
	soup_server_message_set_response (self->msg, content_type, SOUP_MEMORY_COPY, text,
					  strlen (text));
}

void
ohe_sim_request_respond_json (OheSimRequest *self, guint status, JsonNode *node)
{
	g_autofree gchar *text = NULL;

	g_return_if_fail (self != NULL);
	g_return_if_fail (node != NULL);
	text = json_to_string (node, FALSE);
	ohe_sim_request_respond_text (self, status, "application/json", text);
}

void
ohe_sim_request_respond_json_builder (OheSimRequest *self, guint status, JsonBuilder *builder)
{
	g_autoptr (JsonNode) root = json_builder_get_root (builder);
	g_return_if_fail (root != NULL);
	ohe_sim_request_respond_json (self, status, root);
}

void
ohe_sim_request_respond_error (OheSimRequest *self,
			       guint status,
			       const gchar *error,
			       const gchar *description)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_add_string_value (builder, error);
	if (description != NULL) {
		json_builder_set_member_name (builder, "error_description");
		json_builder_add_string_value (builder, description);
	}
	json_builder_end_object (builder);
	ohe_sim_request_respond_json_builder (self, status, builder);
}

void
ohe_sim_request_respond_redirect (OheSimRequest *self, const gchar *location)
{
	g_return_if_fail (self != NULL);
	g_return_if_fail (location != NULL);
	soup_server_message_set_redirect (self->msg, SOUP_STATUS_FOUND, location);
}
