/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"
#include "ohe-api-json.h"

/* GET /api/v1/jobs: queued and running jobs; a user token sees the jobs of its links only */
void
ohe_api_jobs_list (OheApiRequest *request)
{
	OheStore *store = ohe_engine_get_store (request->engine);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(GPtrArray) jobs = NULL;
	g_autoptr(GHashTable) own_links = NULL;
	g_autoptr(GError) error = NULL;

	jobs = ohe_store_list_jobs (store, &error);
	if (jobs == NULL) {
		ohe_api_request_reply_error (request, error);
		return;
	}
	if (!ohe_api_request_is_staff (request)) {
		g_autoptr(GPtrArray) links = ohe_store_list_links (store, NULL, &error);
		if (links == NULL) {
			ohe_api_request_reply_error (request, error);
			return;
		}
		own_links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		for (guint i = 0; i < links->len; i++) {
			OheLink *link = g_ptr_array_index (links, i);
			if (ohe_api_request_can_see_user (request, ohe_link_get_user_id (link)))
				g_hash_table_add (own_links, g_strdup (ohe_link_get_id (link)));
		}
	}
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "jobs");
	json_builder_begin_array (builder);
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		if (own_links != NULL &&
		    !g_hash_table_contains (own_links, ohe_job_get_link_id (job)))
			continue;
		ohe_api_json_add_job (builder, job);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
