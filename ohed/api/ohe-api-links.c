/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"
#include "ohe-api-json.h"
#include "ohe-error.h"

/*
 * Provider links of a user and link detail. Connect, the OAuth callback and unlink join here
 * as further handlers of this file.
 */

/* GET /api/v1/users/{user_id}/links */
void
ohe_api_links_list (OheApiRequest *request)
{
	const gchar *user_id = ohe_api_request_get_param (request, "user_id");
	OheStore *store = ohe_engine_get_store (request->engine);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(GPtrArray) links = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *reference = NULL;

	if (!ohe_api_request_can_see_user (request, user_id)) {
		ohe_api_request_reply_problem (request, SOUP_STATUS_NOT_FOUND, "Not found",
					       "no such user", "user_id");
		return;
	}
	reference = ohe_store_get_patient_reference (store, user_id, &error);
	if (reference == NULL) {
		if (g_error_matches (error, OHE_ERROR, OHE_ERROR_NOT_FOUND))
			ohe_api_request_reply_problem (request, SOUP_STATUS_NOT_FOUND, "Not found",
						       "no such user", "user_id");
		else
			ohe_api_request_reply_error (request, error);
		return;
	}
	links = ohe_store_list_links (store, NULL, &error);
	if (links == NULL) {
		ohe_api_request_reply_error (request, error);
		return;
	}
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "links");
	json_builder_begin_array (builder);
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		if (g_strcmp0 (ohe_link_get_user_id (link), user_id) == 0)
			ohe_api_json_add_link (builder, link);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

/* GET /api/v1/links/{link_id} */
void
ohe_api_links_get (OheApiRequest *request)
{
	const gchar *link_id = ohe_api_request_get_param (request, "link_id");
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(OheLink) link = NULL;
	g_autoptr(GError) error = NULL;

	link = ohe_store_get_link (ohe_engine_get_store (request->engine), link_id, &error);
	if (link == NULL && !g_error_matches (error, OHE_ERROR, OHE_ERROR_NOT_FOUND)) {
		ohe_api_request_reply_error (request, error);
		return;
	}
	if (link == NULL || !ohe_api_request_can_see_user (request, ohe_link_get_user_id (link))) {
		ohe_api_request_reply_problem (request, SOUP_STATUS_NOT_FOUND, "Not found",
					       "no such link", "link_id");
		return;
	}
	ohe_api_json_add_link (builder, link);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
