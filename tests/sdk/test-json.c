/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "oheplugin.h"

#define OHE_TEST_DEEP 200000

/* @n copies of @unit, then @tail */
static gchar *
ohe_test_repeat (const gchar *unit, guint n, const gchar *tail)
{
	GString *s = g_string_sized_new (strlen (unit) * n + strlen (tail) + 1);
	for (guint i = 0; i < n; i++)
		g_string_append (s, unit);
	g_string_append (s, tail);
	return g_string_free (s, FALSE);
}

static void
ohe_test_json_deep (void)
{
	g_autofree gchar *arrays = ohe_test_repeat ("[", OHE_TEST_DEEP, "");
	g_autofree gchar *objects = ohe_test_repeat ("{\"a\":", OHE_TEST_DEEP, "1");
	g_autofree gchar *mixed = ohe_test_repeat (" [{\"k\":\n", OHE_TEST_DEEP, "");
	g_autoptr(GBytes) bytes = g_bytes_new_static (arrays, strlen (arrays));
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;

	node = ohe_json_parse (arrays, -1, "page", NULL, &error);
	g_assert_null (node);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "page nests arrays and objects deeper than 64 levels at line 1 column 65");
	g_clear_error (&error);

	node = ohe_json_parse_bytes (bytes, "page", NULL, &error);
	g_assert_null (node);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, "deeper than 64 levels"));
	g_clear_error (&error);

	node = ohe_json_parse (objects, -1, NULL, NULL, &error);
	g_assert_null (node);
	g_assert_cmpstr (error->message, ==,
			 "JSON input nests arrays and objects deeper than 64 levels at line 1 "
			 "column 321");
	g_clear_error (&error);

	/* positions count lines: every fourth bracket starts a line */
	node = ohe_json_parse (mixed, -1, "page", NULL, &error);
	g_assert_null (node);
	g_assert_cmpstr (error->message, ==,
			 "page nests arrays and objects deeper than 64 levels at line 33 column 2");
	g_clear_error (&error);

	g_assert_false (ohe_json_check (arrays, strlen (arrays), "page", NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
}

static void
ohe_test_json_depth_limit (void)
{
	g_autofree gchar *at_limit = NULL;
	g_autofree gchar *over_limit = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	OheJsonLimits limits = {.max_depth = 3};
	GString *s;

	s = g_string_new (NULL);
	for (guint i = 0; i < OHE_JSON_DEFAULT_MAX_DEPTH; i++)
		g_string_append_c (s, '[');
	for (guint i = 0; i < OHE_JSON_DEFAULT_MAX_DEPTH; i++)
		g_string_append_c (s, ']');
	at_limit = g_string_free (s, FALSE);
	over_limit = g_strdup_printf ("[%s]", at_limit);

	node = ohe_json_parse (at_limit, -1, "page", NULL, &error);
	g_assert_no_error (error);
	g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
	g_clear_pointer (&node, json_node_unref);
	node = ohe_json_parse (over_limit, -1, "page", NULL, &error);
	g_assert_null (node);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);

	/* a caller's own, tighter bound */
	node = ohe_json_parse ("{\"a\":[{\"b\":1}]}", -1, "page", &limits, &error);
	g_assert_no_error (error);
	g_clear_pointer (&node, json_node_unref);
	node = ohe_json_parse ("{\"a\":[{\"b\":[1]}]}", -1, "page", &limits, &error);
	g_assert_null (node);
	g_assert_cmpstr (error->message, ==,
			 "page nests arrays and objects deeper than 3 levels at line 1 column 12");
	g_clear_error (&error);

	/* brackets inside strings, escaped quotes included, do not nest */
	node = ohe_json_parse ("[\"[[[[\\\"[[[[{{{{\", \"\\\\\", \"]]]]\"]", -1, "page", &limits,
			       &error);
	g_assert_no_error (error);
	g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 3);
	g_assert_cmpstr (json_array_get_string_element (json_node_get_array (node), 0), ==,
			 "[[[[\"[[[[{{{{");
}

static void
ohe_test_json_token_limit (void)
{
	OheJsonLimits limits = {.max_tokens = 5};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;

	/* the object, two member names, a number and an array: true is the sixth token */
	node = ohe_json_parse ("{\"a\": 1.5e+3, \"b\": [true]}", -1, "page", &limits, &error);
	g_assert_null (node);
	g_assert_cmpstr (error->message, ==,
			 "page holds more than 5 JSON tokens (at line 1 column 21)");
	g_clear_error (&error);

	node = ohe_json_parse ("{\"a\": 1.5e+3, \"b\": []}", -1, "page", &limits, &error);
	g_assert_no_error (error);
	g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (node), "a"), ==,
			   1500.0);
}

static void
ohe_test_json_refused (void)
{
	struct {
		const gchar *json;
		gssize length;
		const gchar *message;
	} cases[] = {
	    {"", 0, "body is empty, expected JSON"},
	    {" \r\n\t ", -1, "body holds only whitespace, expected JSON"},
	    {"[] []", -1, "body holds a second JSON value at line 1 column 4"},
	    {"{\"a\":1}\n{\"a\":2}", -1, "body holds a second JSON value at line 2 column 1"},
	    {"{}x", -1, "body holds a second JSON value at line 1 column 3"},
	    {"1 2", -1, "body holds a second JSON value at line 1 column 3"},
	    {"{\"pin\": 12345 6789}", -1,
	     "body is not valid JSON: unexpected token at line 1 column 13"},
	    {"{\"a\": [1,]}", -1, "body is not valid JSON: trailing comma at line 1 column 9"},
	    {"[\"\xff\"]", -1, "body is not valid JSON: not UTF-8"},
	    {"[1] ", 2, "body is not valid JSON: missing comma at line 1 column 2"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonNode) node = ohe_json_parse (cases[i].json, cases[i].length, "body",
							    NULL, &error);
		g_test_message ("case %u: %s", i, error != NULL ? error->message : "(parsed)");
		g_assert_null (node);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==, cases[i].message);
	}
}

static void
ohe_test_json_accepted (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GBytes) bytes = g_bytes_new_static ("  \"h\\u00e9\"\n", 12);

	node = ohe_json_parse ("\xef\xbb\xbf{\"a\":[1,2,{}]}\n", -1, "body", NULL, &error);
	g_assert_no_error (error);
	g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
	g_clear_pointer (&node, json_node_unref);

	node = ohe_json_parse_bytes (bytes, "body", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (json_node_get_string (node), ==, "h\xc3\xa9");
	g_clear_pointer (&node, json_node_unref);

	node = ohe_json_parse ("-0.5", -1, "body", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpfloat (json_node_get_double (node), ==, -0.5);
}

/* every SDK entry point that reads outside JSON goes through the check */
static void
ohe_test_json_sdk_paths (void)
{
	g_autofree gchar *deep = ohe_test_repeat ("[", OHE_TEST_DEEP, "");
	g_autoptr(GBytes) body = g_bytes_new_static (deep, strlen (deep));
	g_autoptr(OheHttpResponse) response = ohe_http_response_new (200, NULL, body);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(OheToken) token = NULL;

	node = ohe_http_response_get_json (response, &error);
	g_assert_null (node);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "HTTP 200 response body nests arrays and objects deeper than 64 levels at "
			 "line 1 column 65");
	g_clear_error (&error);

	token = ohe_token_new_from_string (deep, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "stored token nests arrays and objects deeper than 64 levels at line 1 "
			 "column 65");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/json/deep", ohe_test_json_deep);
	g_test_add_func ("/json/depth-limit", ohe_test_json_depth_limit);
	g_test_add_func ("/json/token-limit", ohe_test_json_token_limit);
	g_test_add_func ("/json/refused", ohe_test_json_refused);
	g_test_add_func ("/json/accepted", ohe_test_json_accepted);
	g_test_add_func ("/json/sdk-paths", ohe_test_json_sdk_paths);
	return g_test_run ();
}
