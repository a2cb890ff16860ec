/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-body-field.h"
#include "ohe-error.h"
#include "ohe-json.h"

/*
 * Strict request bodies: the bytes pass the SDK's depth and token guard before json-glib sees
 * them, then the object must match the route's field table exactly.
 */

/* request bodies are small flat objects; nothing legitimate nests deeper than this */
static const OheJsonLimits ohe_api_body_limits = {.max_depth = 8, .max_tokens = 4096};

static const gchar *
ohe_api_body_type_to_string (OheApiBodyType type)
{
	switch (type) {
	case OHE_API_BODY_TYPE_STRING:
		return "a string";
	case OHE_API_BODY_TYPE_INTEGER:
		return "an integer";
	case OHE_API_BODY_TYPE_BOOLEAN:
		return "true or false";
	case OHE_API_BODY_TYPE_STRINGS:
		return "an array of strings";
	}
	return "?";
}

static gboolean
ohe_api_body_field_check (const OheApiBodyField *field, JsonNode *node)
{
	GType value_type;
	if (field->type == OHE_API_BODY_TYPE_STRINGS) {
		JsonArray *array;
		if (!JSON_NODE_HOLDS_ARRAY (node))
			return FALSE;
		array = json_node_get_array (node);
		if (field->max_length > 0 && json_array_get_length (array) > field->max_length)
			return FALSE;
		for (guint i = 0; i < json_array_get_length (array); i++) {
			JsonNode *element = json_array_get_element (array, i);
			if (!JSON_NODE_HOLDS_VALUE (element) ||
			    json_node_get_value_type (element) != G_TYPE_STRING)
				return FALSE;
		}
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node))
		return FALSE;
	value_type = json_node_get_value_type (node);
	switch (field->type) {
	case OHE_API_BODY_TYPE_STRING:
		return value_type == G_TYPE_STRING &&
		       (field->max_length == 0 ||
			g_utf8_strlen (json_node_get_string (node), -1) <= field->max_length);
	case OHE_API_BODY_TYPE_INTEGER:
		return value_type == G_TYPE_INT64;
	case OHE_API_BODY_TYPE_BOOLEAN:
		return value_type == G_TYPE_BOOLEAN;
	case OHE_API_BODY_TYPE_STRINGS:
		break;
	}
	return FALSE;
}

/**
 * ohe_api_body_field_parse:
 * @data: the body
 * @length: its length
 * @fields: the members the object may have
 * @n_fields: how many
 * @bad_field: (out) (optional) (transfer full): the offending member, when there is one
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the object, or %NULL with @error set (OHE_ERROR_INVALID_DATA)
 */
JsonObject *
ohe_api_body_field_parse (const gchar *data,
			  gsize length,
			  const OheApiBodyField *fields,
			  guint n_fields,
			  gchar **bad_field,
			  GError **error)
{
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GList) members = NULL;
	JsonObject *object;

	if (length == 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "the request body is empty; a JSON object is expected");
		return NULL;
	}
	root = ohe_json_parse (data, length, "request body", &ohe_api_body_limits, error);
	if (root == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "the request body is not a JSON object");
		return NULL;
	}
	object = json_node_get_object (root);
	members = json_object_get_members (object);
	for (GList *l = members; l != NULL; l = l->next) {
		const gchar *name = l->data;
		const OheApiBodyField *field = NULL;
		for (guint i = 0; i < n_fields; i++) {
			if (g_strcmp0 (fields[i].name, name) == 0)
				field = &fields[i];
		}
		if (field == NULL) {
			if (bad_field != NULL)
				*bad_field = g_strdup (name);
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "unknown member '%s'", name);
			return NULL;
		}
		if (!ohe_api_body_field_check (field, json_object_get_member (object, name))) {
			if (bad_field != NULL)
				*bad_field = g_strdup (name);
			if (field->max_length > 0)
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "'%s' must be %s of at most %u", name,
					     ohe_api_body_type_to_string (field->type),
					     field->max_length);
			else
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "'%s' must be %s", name,
					     ohe_api_body_type_to_string (field->type));
			return NULL;
		}
	}
	for (guint i = 0; i < n_fields; i++) {
		if (fields[i].required && !json_object_has_member (object, fields[i].name)) {
			if (bad_field != NULL)
				*bad_field = g_strdup (fields[i].name);
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "'%s' is required",
				     fields[i].name);
			return NULL;
		}
	}
	return json_object_ref (object);
}
