/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ohe-api-body-field.h"
#include "ohe-api-route.h"
#include "ohe-api-router.h"
#include "ohe-error.h"

/*
 * The server's route table and data/openapi/ohed-api-v1.json describe the same operations
 * with the same scopes: a route missing from either side fails here.
 */

static JsonObject *
test_load_paths (JsonParser *parser)
{
	g_autofree gchar *path =
	    g_build_filename (OHE_SOURCE_DATADIR, "openapi", "ohed-api-v1.json", NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true (json_parser_load_from_file (parser, path, &error));
	g_assert_no_error (error);
	return json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
					      "paths");
}

/* the scopes an access level means, as the document lists them */
static const gchar *
test_scopes_of (OheApiAccess access)
{
	switch (access) {
	case OHE_API_ACCESS_PUBLIC:
		return "";
	case OHE_API_ACCESS_ADMIN:
		return "admin";
	case OHE_API_ACCESS_STAFF:
		return "admin,operator";
	case OHE_API_ACCESS_OWNER:
	case OHE_API_ACCESS_ANY:
		return "admin,operator,user";
	}
	return "?";
}

static gchar *
test_document_scopes (JsonObject *operation)
{
	JsonArray *security = json_object_get_array_member (operation, "security");
	g_autoptr(GString) out = g_string_new (NULL);
	JsonArray *scopes;
	if (json_array_get_length (security) == 0)
		return g_strdup ("");
	g_assert_cmpuint (json_array_get_length (security), ==, 1);
	scopes =
	    json_object_get_array_member (json_array_get_object_element (security, 0), "apiToken");
	for (guint i = 0; i < json_array_get_length (scopes); i++) {
		if (i > 0)
			g_string_append_c (out, ',');
		g_string_append (out, json_array_get_string_element (scopes, i));
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_routes_in_document (void)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	JsonObject *paths = test_load_paths (parser);
	guint n_routes = 0;
	const OheApiRoute *routes = ohe_api_routes_get (&n_routes);

	g_assert_cmpuint (n_routes, >, 0);
	for (guint i = 0; i < n_routes; i++) {
		g_autofree gchar *method = g_ascii_strdown (routes[i].method, -1);
		g_autofree gchar *scopes = NULL;
		JsonObject *item;
		if (!json_object_has_member (paths, routes[i].pattern))
			g_error ("route %s %s is not in the OpenAPI document", routes[i].method,
				 routes[i].pattern);
		item = json_object_get_object_member (paths, routes[i].pattern);
		if (!json_object_has_member (item, method))
			g_error ("route %s %s is not in the OpenAPI document", routes[i].method,
				 routes[i].pattern);
		scopes = test_document_scopes (json_object_get_object_member (item, method));
		g_assert_cmpstr (scopes, ==, test_scopes_of (routes[i].access));
	}
}

static void
test_document_in_routes (void)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	JsonObject *paths = test_load_paths (parser);
	g_autoptr(GList) names = json_object_get_members (paths);
	const gchar *methods[] = {"get", "put", "post", "delete", "patch", "head", "options"};
	guint n_operations = 0;
	guint n_routes = 0;

	ohe_api_routes_get (&n_routes);
	for (GList *l = names; l != NULL; l = l->next) {
		JsonObject *item = json_object_get_object_member (paths, l->data);
		for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
			g_autofree gchar *upper = NULL;
			const OheApiRoute *route;
			if (!json_object_has_member (item, methods[i]))
				continue;
			upper = g_ascii_strup (methods[i], -1);
			route = ohe_api_router_match (upper, l->data, NULL, NULL);
			if (route == NULL || g_strcmp0 (route->pattern, l->data) != 0)
				g_error ("%s %s is documented but the server has no such route",
					 upper, (const gchar *)l->data);
			n_operations++;
		}
	}
	g_assert_cmpuint (n_operations, ==, n_routes);
}

static void
test_router_params (void)
{
	g_autoptr(GHashTable) params =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *allow = NULL;
	const OheApiRoute *route;

	route = ohe_api_router_match ("GET", "/api/v1/users/u-7/links", params, NULL);
	g_assert_nonnull (route);
	g_assert_cmpstr (route->pattern, ==, "/api/v1/users/{user_id}/links");
	g_assert_cmpstr (g_hash_table_lookup (params, "user_id"), ==, "u-7");
	g_assert_nonnull (ohe_api_router_match ("HEAD", "/api/metrics/live/", NULL, NULL));
	g_assert_null (ohe_api_router_match ("GET", "/api/v1/users//links", NULL, NULL));
	g_assert_null (ohe_api_router_match ("DELETE", "/api/v1/users", NULL, &allow));
	g_assert_cmpstr (allow, ==, "GET, POST");
}

static const OheApiBodyField test_fields[] = {
    {"name", OHE_API_BODY_TYPE_STRING, TRUE, 4},
    {"count", OHE_API_BODY_TYPE_INTEGER, FALSE, 0},
    {"tags", OHE_API_BODY_TYPE_STRINGS, FALSE, 2},
};

static void
test_body_case (const gchar *body, const gchar *want_field)
{
	g_autofree gchar *field = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) object = ohe_api_body_field_parse (
	    body, strlen (body), test_fields, G_N_ELEMENTS (test_fields), &field, &error);
	if (want_field == NULL && error == NULL) {
		g_assert_nonnull (object);
		return;
	}
	g_assert_null (object);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (field, ==, want_field);
}

static void
test_body_fields (void)
{
	test_body_case ("{\"name\":\"ab\",\"count\":3,\"tags\":[\"x\"]}", NULL);
	test_body_case ("{\"name\":\"ab\",\"extra\":1}", "extra");
	test_body_case ("{\"name\":\"abcde\"}", "name");
	test_body_case ("{\"name\":\"ab\",\"count\":1.5}", "count");
	test_body_case ("{\"name\":\"ab\",\"count\":\"3\"}", "count");
	test_body_case ("{\"name\":\"ab\",\"tags\":[\"x\",1]}", "tags");
	test_body_case ("{\"name\":\"ab\",\"tags\":[\"x\",\"y\",\"z\"]}", "tags");
	test_body_case ("{\"count\":3}", "name");
	test_body_case ("{\"name\":null}", "name");
}

static void
test_body_not_object (void)
{
	const gchar *bodies[] = {"", "[]", "\"x\"", "{", "{\"name\":\"a\"} x"};
	g_autofree gchar *deep = g_strnfill (100, '[');
	for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
		test_body_case (bodies[i], NULL);
	test_body_case (deep, NULL);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/api/routes/in-document", test_routes_in_document);
	g_test_add_func ("/api/routes/document-in-routes", test_document_in_routes);
	g_test_add_func ("/api/router/params", test_router_params);
	g_test_add_func ("/api/body/fields", test_body_fields);
	g_test_add_func ("/api/body/not-object", test_body_not_object);
	return g_test_run ();
}
