/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * OHE_JSON_DEFAULT_MAX_DEPTH:
 *
 * How deeply arrays and objects may nest in outside JSON. No provider, FHIR
 * or OAuth answer nests beyond a dozen levels; json-glib parses recursively
 * and exhausts the stack at some ten thousand levels.
 *
 * Since: 0.1
 */
#define OHE_JSON_DEFAULT_MAX_DEPTH 64

/**
 * OHE_JSON_DEFAULT_MAX_TOKENS:
 *
 * How many tokens (values and member names) outside JSON may hold: each
 * becomes a node of some 80 bytes in json-glib.
 *
 * Since: 0.1
 */
#define OHE_JSON_DEFAULT_MAX_TOKENS 2000000

/**
 * OheJsonLimits:
 * @max_depth: deepest nesting of arrays and objects allowed, 0 for the default
 * @max_tokens: most values and member names allowed, 0 for the default
 *
 * Bounds checked on the bytes before json-glib parses them.
 *
 * Since: 0.1
 */
typedef struct {
	guint max_depth;
	guint max_tokens;
} OheJsonLimits;

gboolean
ohe_json_check (const gchar *data,
		gsize length,
		const gchar *what,
		const OheJsonLimits *limits,
		GError **error);
JsonNode *
ohe_json_parse (const gchar *data,
		gssize length,
		const gchar *what,
		const OheJsonLimits *limits,
		GError **error);
JsonNode *
ohe_json_parse_bytes (GBytes *bytes,
		      const gchar *what,
		      const OheJsonLimits *limits,
		      GError **error);

const gchar *
ohe_json_object_lookup_string (JsonObject *obj, const gchar *member);
JsonObject *
ohe_json_object_lookup_object (JsonObject *obj, const gchar *member);
JsonArray *
ohe_json_object_lookup_array (JsonObject *obj, const gchar *member);
gboolean
ohe_json_object_get_string (JsonObject *obj,
			    const gchar *member,
			    const gchar *where,
			    gboolean required,
			    const gchar **out,
			    GError **error);
gboolean
ohe_json_object_get_int (JsonObject *obj,
			 const gchar *member,
			 const gchar *where,
			 gboolean required,
			 gint64 *out,
			 GError **error);
JsonObject *
ohe_json_object_get_object (JsonObject *obj,
			    const gchar *member,
			    const gchar *where,
			    GError **error);
JsonArray *
ohe_json_object_get_array (JsonObject *obj,
			   const gchar *member,
			   const gchar *where,
			   GError **error);

G_END_DECLS
