/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <oheplugin.h>

#include "ohe-fuzz.h"
#include "ohe-withings-parser.h"

/*
 * An OAuth2 token endpoint answer, read both ways the plugins read one: as
 * a plain RFC 6749 object (Google, the EHR) and inside the Withings
 * {status, body} envelope. A token always has an access token.
 */
static void
ohe_fuzz_token_check (JsonObject *obj)
{
	g_autoptr(OheToken) token = ohe_token_new_from_json (obj, 1767225600, NULL);

	if (token != NULL)
		g_assert_nonnull (ohe_token_get_access_token (token));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable ();
	g_autoptr(JsonObject) body = NULL;
	JsonNode *root;

	if (!ohe_fuzz_json_depth_ok (data, size) || size == 0)
		return 0;
	if (json_parser_load_from_data (parser, (const gchar *)data, (gssize)size, NULL)) {
		root = json_parser_get_root (parser);
		if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
			ohe_fuzz_token_check (json_node_get_object (root));
	}
	body = ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	if (body != NULL)
		ohe_fuzz_token_check (body);
	return 0;
}
