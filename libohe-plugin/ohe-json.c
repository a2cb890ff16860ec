/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ohe-error.h"
#include "ohe-json.h"

/*
 * The one way outside JSON (HTTP bodies, OAuth answers, provider pages,
 * notifications, NDJSON lines, mapping files) is parsed. json-glib parses
 * recursively, so a few hundred kilobytes of `[` exhaust the stack; the bytes
 * are first scanned without recursion for nesting depth, token count and a
 * second top-level value, which json-glib would accept after a container.
 * Error messages name the input, the problem and its position; they never
 * quote the input, which may hold a secret or a health value.
 */

static const gchar *
ohe_json_error_to_string (const GError *error)
{
	/* json-glib's own messages quote the offending token */
	static const gchar *const names[] = {
	    [JSON_PARSER_ERROR_PARSE] = "syntax error",
	    [JSON_PARSER_ERROR_TRAILING_COMMA] = "trailing comma",
	    [JSON_PARSER_ERROR_MISSING_COMMA] = "missing comma",
	    [JSON_PARSER_ERROR_MISSING_COLON] = "missing colon",
	    [JSON_PARSER_ERROR_INVALID_BAREWORD] = "unexpected token",
	    [JSON_PARSER_ERROR_EMPTY_MEMBER_NAME] = "empty member name",
	    [JSON_PARSER_ERROR_INVALID_DATA] = "not UTF-8",
	    [JSON_PARSER_ERROR_UNKNOWN] = "unknown error",
	};
	if (error->domain != JSON_PARSER_ERROR || (guint)error->code >= G_N_ELEMENTS (names) ||
	    names[error->code] == NULL)
		return names[JSON_PARSER_ERROR_UNKNOWN];
	return names[error->code];
}

static gboolean
ohe_json_is_space (gchar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gboolean
ohe_json_is_structural (gchar c)
{
	return c == '[' || c == ']' || c == '{' || c == '}' || c == ',' || c == ':' || c == '"';
}

/**
 * ohe_json_check:
 * @data: (array length=length): the bytes
 * @length: their length
 * @what: (nullable): what the bytes are, for the error ("HTTP 200 response body")
 * @limits: (nullable): the bounds, %NULL for the defaults
 * @error: a #GError, or %NULL
 *
 * Scans @data iteratively, without parsing it: fails when arrays and objects
 * nest deeper than the limit, when it holds more tokens than the limit, when
 * a second value follows the first at the top level, or when it holds no
 * value at all. Syntax is left to json-glib.
 *
 * Returns: %TRUE when json-glib may parse @data, else %FALSE with
 * %OHE_ERROR_INVALID_DATA naming @what, the problem and its line and column
 *
 * Since: 0.1
 */
gboolean
ohe_json_check (
    const gchar *data, gsize length, const gchar *what, const OheJsonLimits *limits, GError **error)
{
	guint max_depth = OHE_JSON_DEFAULT_MAX_DEPTH;
	guint max_tokens = OHE_JSON_DEFAULT_MAX_TOKENS;
	gboolean in_string = FALSE;
	gboolean in_escape = FALSE;
	gboolean in_scalar = FALSE;
	gboolean seen_value = FALSE;
	guint depth = 0;
	guint tokens = 0;
	guint line = 1;
	guint column = 0;

	if (what == NULL)
		what = "JSON input";
	if (limits != NULL && limits->max_depth > 0)
		max_depth = limits->max_depth;
	if (limits != NULL && limits->max_tokens > 0)
		max_tokens = limits->max_tokens;
	if (data == NULL || length == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s is empty, expected JSON",
			     what);
		return FALSE;
	}

	for (gsize i = 0; i < length; i++) {
		gchar c = data[i];

		if (c == '\n') {
			line++;
			column = 0;
		} else if (((guchar)c & 0xc0) != 0x80) {
			column++; /* count characters, not UTF-8 continuation bytes */
		}
		if (in_string) {
			if (in_escape)
				in_escape = FALSE;
			else if (c == '\\')
				in_escape = TRUE;
			else if (c == '"')
				in_string = FALSE;
			continue;
		}
		if (in_scalar) {
			if (!ohe_json_is_space (c) && !ohe_json_is_structural (c))
				continue;
			in_scalar = FALSE;
		}
		if (ohe_json_is_space (c) || c == ',' || c == ':')
			continue;
		if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
			continue;
		}
		/* a UTF-8 byte order mark before the value is json-glib's to judge */
		if (!seen_value && i == 0 && length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) {
			i += 2;
			continue;
		}
		/* a token starts here */
		if (depth == 0) {
			if (seen_value) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "%s holds a second JSON value at line %u column %u",
					     what, line, column);
				return FALSE;
			}
			seen_value = TRUE;
		}
		if (++tokens > max_tokens) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s holds more than %u JSON tokens (at line %u column %u)",
				     what, max_tokens, line, column);
			return FALSE;
		}
		if (c == '[' || c == '{') {
			if (++depth > max_depth) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "%s nests arrays and objects deeper than %u levels "
					     "at line %u column %u",
					     what, max_depth, line, column);
				return FALSE;
			}
		} else if (c == '"') {
			in_string = TRUE;
		} else {
			in_scalar = TRUE;
		}
	}
	if (!seen_value) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s holds only whitespace, expected JSON", what);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_json_parse:
 * @data: (array length=length): the bytes
 * @length: their length, -1 when @data is nul-terminated
 * @what: (nullable): what the bytes are, for the error ("HTTP 200 response body")
 * @limits: (nullable): the bounds, %NULL for the defaults
 * @error: a #GError, or %NULL
 *
 * Checks @data with ohe_json_check(), then parses it with json-glib.
 *
 * Returns: (transfer full): the root node, or %NULL with
 * %OHE_ERROR_INVALID_DATA as "WHAT is not valid JSON: PROBLEM at line L
 * column C" or one of the messages of ohe_json_check(); @data is never quoted
 *
 * Since: 0.1
 */
JsonNode *
ohe_json_parse (const gchar *data,
		gssize length,
		const gchar *what,
		const OheJsonLimits *limits,
		GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) error_local = NULL;
	gsize size;
	JsonNode *root;

	if (what == NULL)
		what = "JSON input";
	size = length < 0 ? (data != NULL ? strlen (data) : 0) : (gsize)length;
	if (size > G_MAXSSIZE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s is too large", what);
		return NULL;
	}
	if (!ohe_json_check (data, size, what, limits, error))
		return NULL;
	parser = json_parser_new_immutable ();
	if (!json_parser_load_from_data (parser, data, (gssize)size, &error_local)) {
		guint line = 0;
		guint column = 0;
		/* the position is only available in the message, as "<data>:LINE:COL: ..." */
		if (error_local->domain == JSON_PARSER_ERROR &&
		    sscanf (error_local->message, "<data>:%u:%u:", &line, &column) == 2)
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s is not valid JSON: %s at line %u column %u", what,
				     ohe_json_error_to_string (error_local), line, column);
		else
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s is not valid JSON: %s", what,
				     ohe_json_error_to_string (error_local));
		return NULL;
	}
	root = json_parser_steal_root (parser);
	if (root == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s holds only whitespace, expected JSON", what);
		return NULL;
	}
	return root;
}

/**
 * ohe_json_parse_bytes:
 * @bytes: (nullable): the bytes, %NULL reads as empty
 * @what: (nullable): what the bytes are, for the error
 * @limits: (nullable): the bounds, %NULL for the defaults
 * @error: a #GError, or %NULL
 *
 * ohe_json_parse() on the contents of @bytes.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 *
 * Since: 0.1
 */
JsonNode *
ohe_json_parse_bytes (GBytes *bytes, const gchar *what, const OheJsonLimits *limits, GError **error)
{
	gsize size = 0;
	const gchar *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

	if (size > G_MAXSSIZE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s is too large",
			     what != NULL ? what : "JSON input");
		return NULL;
	}
	return ohe_json_parse (data, data != NULL ? (gssize)size : 0, what, limits, error);
}

/* a member that is absent or JSON null counts as absent */
static JsonNode *
ohe_json_object_member (JsonObject *obj, const gchar *member)
{
	JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return NULL;
	return node;
}

static gboolean
ohe_json_node_is_string (JsonNode *node)
{
	return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/**
 * ohe_json_object_lookup_string:
 * @obj: (nullable): a #JsonObject
 * @member: a member name
 *
 * The lenient getter, for optional members whose wrong type is ignored.
 *
 * Returns: (nullable): the string value of @member, or %NULL when @obj is
 *   %NULL or @member is absent, null or not a string
 *
 * Since: 0.1
 */
const gchar *
ohe_json_object_lookup_string (JsonObject *obj, const gchar *member)
{
	JsonNode *node = ohe_json_object_member (obj, member);
	return node != NULL && ohe_json_node_is_string (node) ? json_node_get_string (node) : NULL;
}

/**
 * ohe_json_object_lookup_object:
 * @obj: (nullable): a #JsonObject
 * @member: a member name
 *
 * Returns: (nullable) (transfer none): the object value of @member, or %NULL when
 *   absent or of another type
 *
 * Since: 0.1
 */
JsonObject *
ohe_json_object_lookup_object (JsonObject *obj, const gchar *member)
{
	JsonNode *node = ohe_json_object_member (obj, member);
	return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/**
 * ohe_json_object_lookup_array:
 * @obj: (nullable): a #JsonObject
 * @member: a member name
 *
 * Returns: (nullable) (transfer none): the array value of @member, or %NULL when
 *   absent or of another type
 *
 * Since: 0.1
 */
JsonArray *
ohe_json_object_lookup_array (JsonObject *obj, const gchar *member)
{
	JsonNode *node = ohe_json_object_member (obj, member);
	return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/**
 * ohe_json_object_get_string:
 * @obj: a #JsonObject of outside input
 * @member: a member name
 * @where: what @obj is, for the error, e.g. `Withings notify list profiles[2]`
 * @required: whether an absent or null member is an error
 * @out: (out) (transfer none) (nullable): the value, %NULL when absent
 * @error: a #GError, or %NULL
 *
 * The strict getter: a member of another type is %OHE_ERROR_INVALID_DATA
 * naming @where and @member, never the value.
 *
 * Returns: %TRUE unless the member is missing and @required, or not a string
 *
 * Since: 0.1
 */
gboolean
ohe_json_object_get_string (JsonObject *obj,
			    const gchar *member,
			    const gchar *where,
			    gboolean required,
			    const gchar **out,
			    GError **error)
{
	JsonNode *node = ohe_json_object_member (obj, member);
	*out = NULL;
	if (node == NULL) {
		if (!required)
			return TRUE;
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s member '%s' is missing",
			     where, member);
		return FALSE;
	}
	if (!ohe_json_node_is_string (node)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s member '%s' is not a string", where, member);
		return FALSE;
	}
	*out = json_node_get_string (node);
	return TRUE;
}

/**
 * ohe_json_object_get_int:
 * @obj: a #JsonObject of outside input
 * @member: a member name
 * @where: what @obj is, for the error
 * @required: whether an absent or null member is an error
 * @out: (out): the value; left alone when absent
 * @error: a #GError, or %NULL
 *
 * Only a JSON integer counts: a string of digits or a fraction is
 * %OHE_ERROR_INVALID_DATA.
 *
 * Returns: %TRUE unless the member is missing and @required, or not an integer
 *
 * Since: 0.1
 */
gboolean
ohe_json_object_get_int (JsonObject *obj,
			 const gchar *member,
			 const gchar *where,
			 gboolean required,
			 gint64 *out,
			 GError **error)
{
	JsonNode *node = ohe_json_object_member (obj, member);
	if (node == NULL) {
		if (!required)
			return TRUE;
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s member '%s' is missing",
			     where, member);
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s member '%s' is not an integer", where, member);
		return FALSE;
	}
	*out = json_node_get_int (node);
	return TRUE;
}

/**
 * ohe_json_object_get_object:
 * @obj: a #JsonObject of outside input
 * @member: a member name
 * @where: what @obj is, for the error
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer none): the object value of @member, or %NULL with
 *   %OHE_ERROR_INVALID_DATA when it is absent or of another type
 *
 * Since: 0.1
 */
JsonObject *
ohe_json_object_get_object (JsonObject *obj,
			    const gchar *member,
			    const gchar *where,
			    GError **error)
{
	JsonObject *value = ohe_json_object_lookup_object (obj, member);
	if (value == NULL)
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s has no '%s' object",
			     where, member);
	return value;
}

/**
 * ohe_json_object_get_array:
 * @obj: a #JsonObject of outside input
 * @member: a member name
 * @where: what @obj is, for the error
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer none): the array value of @member, or %NULL with
 *   %OHE_ERROR_INVALID_DATA when it is absent or of another type
 *
 * Since: 0.1
 */
JsonArray *
ohe_json_object_get_array (JsonObject *obj, const gchar *member, const gchar *where, GError **error)
{
	JsonArray *value = ohe_json_object_lookup_array (obj, member);
	if (value == NULL)
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s has no '%s' array",
			     where, member);
	return value;
}
