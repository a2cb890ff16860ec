/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-json.h"

/* times are RFC 3339 UTC text, or null when unset */
void
ohe_api_json_add_time (JsonBuilder *builder, const gchar *member, gint64 time_us)
{
	g_autoptr(GDateTime) time = NULL;
	g_autofree gchar *text = NULL;

	json_builder_set_member_name (builder, member);
	if (time_us <= 0) {
		json_builder_add_null_value (builder);
		return;
	}
	time = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
	text = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
	json_builder_add_string_value (builder, text);
}

void
ohe_api_json_add_strv (JsonBuilder *builder, const gchar *member, GStrv values)
{
	json_builder_set_member_name (builder, member);
	json_builder_begin_array (builder);
	for (guint i = 0; values != NULL && values[i] != NULL; i++)
		json_builder_add_string_value (builder, values[i]);
	json_builder_end_array (builder);
}

static void
ohe_api_json_add_string (JsonBuilder *builder, const gchar *member, const gchar *value)
{
	json_builder_set_member_name (builder, member);
	if (value == NULL)
		json_builder_add_null_value (builder);
	else
		json_builder_add_string_value (builder, value);
}

/* a link as the API shows it: never its token */
void
ohe_api_json_add_link (JsonBuilder *builder, OheLink *link)
{
	json_builder_begin_object (builder);
	ohe_api_json_add_string (builder, "id", ohe_link_get_id (link));
	ohe_api_json_add_string (builder, "user_id", ohe_link_get_user_id (link));
	ohe_api_json_add_string (builder, "provider", ohe_link_get_provider (link));
	ohe_api_json_add_string (builder, "external_user_id", ohe_link_get_external_user_id (link));
	ohe_api_json_add_string (builder, "state",
				 ohe_link_state_to_string (ohe_link_get_state (link)));
	ohe_api_json_add_strv (builder, "kinds", ohe_link_get_kinds (link));
	ohe_api_json_add_time (builder, "created", ohe_link_get_created (link));
	ohe_api_json_add_time (builder, "updated", ohe_link_get_updated (link));
	json_builder_end_object (builder);
}

void
ohe_api_json_add_job (JsonBuilder *builder, OheJob *job)
{
	json_builder_begin_object (builder);
	ohe_api_json_add_string (builder, "id", ohe_job_get_id (job));
	ohe_api_json_add_string (builder, "link_id", ohe_job_get_link_id (job));
	ohe_api_json_add_string (builder, "provider", ohe_job_get_provider (job));
	ohe_api_json_add_strv (builder, "kinds", ohe_job_get_kinds (job));
	ohe_api_json_add_string (builder, "priority",
				 ohe_job_priority_to_string (ohe_job_get_priority (job)));
	ohe_api_json_add_string (builder, "state",
				 ohe_job_state_to_string (ohe_job_get_state (job)));
	ohe_api_json_add_time (builder, "window_start", ohe_job_get_window_start (job));
	ohe_api_json_add_time (builder, "window_end", ohe_job_get_window_end (job));
	json_builder_set_member_name (builder, "attempts");
	json_builder_add_int_value (builder, ohe_job_get_attempts (job));
	ohe_api_json_add_string (builder, "last_error", ohe_job_get_last_error (job));
	ohe_api_json_add_time (builder, "not_before", ohe_job_get_not_before (job));
	ohe_api_json_add_time (builder, "created", ohe_job_get_created (job));
	json_builder_end_object (builder);
}
