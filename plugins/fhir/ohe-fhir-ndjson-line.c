/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fhir-ndjson-line.h"

/*
 * One NDJSON line: a compact FHIR resource. Lines read back from an existing
 * file are carried over only if they are a resource of the file's type with
 * a valid id; the parse is bounded in length and nesting before json-glib
 * sees the text.
 */

/* FHIR id: [A-Za-z0-9\-\.]{1,64}, https://hl7.org/fhir/R5/datatypes.html#id */
gboolean
ohe_fhir_ndjson_is_fhir_id (const gchar *id)
{
	gsize len = 0;

	if (id == NULL)
		return FALSE;
	for (const gchar *p = id; *p != '\0'; p++, len++) {
		if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
			return FALSE;
	}
	return len >= 1 && len <= 64;
}

/* a resource type as a file name component: letters only, capital first */
gboolean
ohe_fhir_ndjson_is_type_name (const gchar *name)
{
	gsize len = 0;

	if (name == NULL || !g_ascii_isupper (name[0]))
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++, len++) {
		if (!g_ascii_isalpha (*p))
			return FALSE;
	}
	return len <= 64;
}

/* JSON whitespace outside strings is the only place a raw newline can be */
gchar *
ohe_fhir_ndjson_line_new (const GString *json)
{
	GString *line = g_string_sized_new (json->len + 1);
	for (gsize i = 0; i < json->len; i++) {
		if (json->str[i] != '\n' && json->str[i] != '\r')
			g_string_append_c (line, json->str[i]);
	}
	return g_string_free (line, FALSE);
}

static const gchar *
ohe_fhir_ndjson_get_string_member (JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member (object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

/**
 * ohe_fhir_ndjson_line_dup_id:
 * @line: one line, without its newline
 * @resource_type: the type the line must have
 *
 * Returns: (transfer full) (nullable): the resource's id, or %NULL if the
 *   line is not a @resource_type resource with a valid id
 */
gchar *
ohe_fhir_ndjson_line_dup_id (const gchar *line, gsize len, const gchar *resource_type)
{
	const OheJsonLimits limits = {.max_depth = OHE_FHIR_NDJSON_MAX_DEPTH};
	g_autoptr(JsonNode) root = NULL;
	JsonObject *object;
	const gchar *type;
	const gchar *id;

	if (len == 0 || len > OHE_FHIR_NDJSON_MAX_LINE || line[0] != '{' ||
	    memchr (line, '\0', len) != NULL)
		return NULL;
	root = ohe_json_parse (line, (gssize)len, "NDJSON line", &limits, NULL);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return NULL;
	object = json_node_get_object (root);
	type = ohe_fhir_ndjson_get_string_member (object, "resourceType");
	id = ohe_fhir_ndjson_get_string_member (object, "id");
	if (g_strcmp0 (type, resource_type) != 0 || !ohe_fhir_ndjson_is_fhir_id (id))
		return NULL;
	return g_strdup (id);
}
