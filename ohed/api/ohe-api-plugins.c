/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"

/* GET /api/v1/plugins: the loaded plugins and, for staff, the ones refused at start-up */
void
ohe_api_plugins_list (OheApiRequest *request)
{
	OhePluginLoader *loader = ohe_engine_get_loader (request->engine);
	GPtrArray *plugins = ohe_plugin_loader_get_plugins (loader);
	GPtrArray *failures = ohe_plugin_loader_get_failures (loader);
	g_autoptr(JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "plugins");
	json_builder_begin_array (builder);
	for (guint i = 0; i < plugins->len; i++) {
		OhePlugin *plugin = g_ptr_array_index (plugins, i);
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, ohe_plugin_get_name (plugin));
		json_builder_set_member_name (builder, "type");
		json_builder_add_string_value (builder, OHE_IS_PROVIDER (plugin) ? "provider"
							: OHE_IS_SINK (plugin)	 ? "sink"
										 : "other");
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	/* refusals name files of the host: for staff only */
	if (ohe_api_request_is_staff (request)) {
		json_builder_set_member_name (builder, "refused");
		json_builder_begin_array (builder);
		for (guint i = 0; failures != NULL && i < failures->len; i++)
			json_builder_add_string_value (builder, g_ptr_array_index (failures, i));
		json_builder_end_array (builder);
	}
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
