/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-api-router.h"

/*
 * Matches a request path against the route table segment by segment: `{name}` takes one
 * non-empty segment. The table is a dozen rows, so a scan is as fast as a tree.
 */

/* the longest path parameter accepted; ids are far shorter */
#define OHE_API_ROUTER_MAX_PARAM 128

/* walks pattern and path together without allocating: this runs for every request */
static gboolean
ohe_api_router_match_pattern (const gchar *pattern, const gchar *path, GHashTable *params)
{
	const gchar *p = pattern;
	const gchar *q = path;

	while (*p != '\0') {
		if (*p == '{') {
			const gchar *name_end = strchr (p, '}');
			const gchar *value_end = strchr (q, '/');
			gsize value_len;
			if (name_end == NULL)
				return FALSE;
			if (value_end == NULL)
				value_end = q + strlen (q);
			value_len = (gsize)(value_end - q);
			if (value_len == 0 || value_len > OHE_API_ROUTER_MAX_PARAM)
				return FALSE;
			if (params != NULL)
				g_hash_table_replace (params, g_strndup (p + 1, name_end - p - 1),
						      g_strndup (q, value_len));
			p = name_end + 1;
			q = value_end;
			continue;
		}
		if (*p != *q)
			return FALSE;
		p++;
		q++;
	}
	return *q == '\0';
}

/**
 * ohe_api_router_match:
 * @method: the request method; HEAD matches GET routes
 * @path: the decoded request path
 * @params: (nullable): filled with the path parameters of the match
 * @allow: (out) (optional) (transfer full): when the path exists with other methods only,
 *   those methods for the Allow header; %NULL otherwise
 *
 * Returns: (transfer none) (nullable): the route
 */
const OheApiRoute *
ohe_api_router_match (const gchar *method, const gchar *path, GHashTable *params, gchar **allow)
{
	guint n_routes = 0;
	const OheApiRoute *routes = ohe_api_routes_get (&n_routes);
	g_autoptr(GString) methods = NULL;

	if (g_strcmp0 (method, "HEAD") == 0)
		method = "GET";
	for (guint i = 0; i < n_routes; i++) {
		if (!ohe_api_router_match_pattern (routes[i].pattern, path, NULL))
			continue;
		if (g_strcmp0 (routes[i].method, method) == 0) {
			if (params != NULL)
				ohe_api_router_match_pattern (routes[i].pattern, path, params);
			return &routes[i];
		}
		if (methods == NULL)
			methods = g_string_new (NULL);
		else
			g_string_append (methods, ", ");
		g_string_append (methods, routes[i].method);
	}
	if (allow != NULL)
		*allow = methods != NULL ? g_strdup (methods->str) : NULL;
	return NULL;
}
