/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"
#include "ohe-api-json.h"

/* GET /api/v1/dead-letters: what the daemon gave up on, descriptors only; replay comes here */
void
ohe_api_dead_letters_list (OheApiRequest *request)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(GPtrArray) letters = NULL;
	g_autoptr(GError) error = NULL;

	letters = ohe_store_list_dead_letters (ohe_engine_get_store (request->engine), &error);
	if (letters == NULL) {
		ohe_api_request_reply_error (request, error);
		return;
	}
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "dead_letters");
	json_builder_begin_array (builder);
	for (guint i = 0; i < letters->len; i++) {
		OheDeadLetter *letter = g_ptr_array_index (letters, i);
		const gchar *members[][2] = {
		    {"id", ohe_dead_letter_get_id (letter)},
		    {"job_id", ohe_dead_letter_get_job_id (letter)},
		    {"link_id", ohe_dead_letter_get_link_id (letter)},
		    {"item", ohe_dead_letter_get_item (letter)},
		    {"reason", ohe_dead_letter_get_reason (letter)},
		};
		json_builder_begin_object (builder);
		for (guint j = 0; j < G_N_ELEMENTS (members); j++) {
			json_builder_set_member_name (builder, members[j][0]);
			if (members[j][1] == NULL)
				json_builder_add_null_value (builder);
			else
				json_builder_add_string_value (builder, members[j][1]);
		}
		ohe_api_json_add_time (builder, "created", ohe_dead_letter_get_created (letter));
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
