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

static gboolean
ohe_api_router_match_pattern (const gchar *pattern, const gchar *path, GHashTable *params)
{
	g_auto(GStrv) want = g_strsplit (pattern, "/", -1);
	g_auto(GStrv) have = g_strsplit (path, "/", -1);

	if (g_strv_length (want) != g_strv_length (have))
		return FALSE;
	for (guint i = 0; want[i] != NULL; i++) {
		gsize len = strlen (want[i]);
		if (len > 2 && want[i][0] == '{' && want[i][len - 1] == '}') {
			if (have[i][0] == '\0' || strlen (have[i]) > OHE_API_ROUTER_MAX_PARAM)
				return FALSE;
			continue;
		}
		if (g_strcmp0 (want[i], have[i]) != 0)
			return FALSE;
	}
	if (params != NULL) {
		for (guint i = 0; want[i] != NULL; i++) {
			gsize len = strlen (want[i]);
			if (len > 2 && want[i][0] == '{')
				g_hash_table_replace (params, g_strndup (want[i] + 1, len - 2),
						      g_strdup (have[i]));
		}
	}
	return TRUE;
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
	g_autoptr(GString) methods = g_string_new (NULL);

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
		if (methods->len > 0)
			g_string_append (methods, ", ");
		g_string_append (methods, routes[i].method);
	}
	if (allow != NULL)
		*allow = methods->len > 0 ? g_strdup (methods->str) : NULL;
	return NULL;
}
