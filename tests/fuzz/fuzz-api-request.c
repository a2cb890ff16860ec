/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-api-body-field.h"
#include "ohe-api-router.h"
#include "ohe-error.h"
#include "ohe-fuzz.h"

/*
 * A REST request as the server sees it: the first line is "METHOD PATH", the rest the body.
 * The router matches the path and the body goes through the strict JSON reader with a field
 * table shaped like the routes' (strings with limits, an integer, a string array).
 */
static const OheApiBodyField fuzz_fields[] = {
    {"id", OHE_API_BODY_TYPE_STRING, TRUE, 64},
    {"patient_reference", OHE_API_BODY_TYPE_STRING, FALSE, 72},
    {"count", OHE_API_BODY_TYPE_INTEGER, FALSE, 0},
    {"enabled", OHE_API_BODY_TYPE_BOOLEAN, FALSE, 0},
    {"kinds", OHE_API_BODY_TYPE_STRINGS, FALSE, 16},
};

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autofree gchar *text = ohe_fuzz_dup_string (data, size);
	g_autoptr(GHashTable) params =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *line = NULL;
	g_autofree gchar *allow = NULL;
	g_autofree gchar *bad_field = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) object = NULL;
	const gchar *newline = strchr (text, '\n');
	const gchar *body = newline != NULL ? newline + 1 : "";
	const gchar *space;
	const OheApiRoute *route;

	line = newline != NULL ? g_strndup (text, newline - text) : g_strdup (text);
	space = strchr (line, ' ');
	if (space != NULL) {
		g_autofree gchar *method = g_strndup (line, space - line);
		route = ohe_api_router_match (method, space + 1, params, &allow);
		if (route != NULL) {
			g_assert_true (g_strcmp0 (route->method, method) == 0 ||
				       (g_strcmp0 (method, "HEAD") == 0 &&
					g_strcmp0 (route->method, "GET") == 0));
			g_assert_null (allow);
			g_assert_cmpuint (g_hash_table_size (params), ==,
					  (guint)(strchr (route->pattern, '{') != NULL));
		} else {
			g_assert_cmpuint (g_hash_table_size (params), ==, 0);
		}
	}

	object = ohe_api_body_field_parse (body, strlen (body), fuzz_fields,
					   G_N_ELEMENTS (fuzz_fields), &bad_field, &error);
	if (object == NULL) {
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		return 0;
	}
	g_assert_no_error (error);
	g_assert_null (bad_field);
	g_assert_true (json_object_has_member (object, "id"));
	g_assert_cmpuint (g_utf8_strlen (json_object_get_string_member (object, "id"), -1), <=, 64);
	return 0;
}
