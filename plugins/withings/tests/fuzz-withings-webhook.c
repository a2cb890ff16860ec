/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fuzz-withings.h"
#include "ohe-withings-provider.h"
#include "ohe-withings-webhook.h"

/* one provider for all inputs, with the callback secret the URI carries */
static OheProvider *
fuzz_provider (void)
{
	static OheProvider *provider = NULL;
	if (provider == NULL) {
		g_autoptr(GKeyFile) config = g_key_file_new ();
		g_key_file_set_string (config, "plugin:withings", "callback_secret", "fuzz-secret");
		provider = g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
		ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	}
	return provider;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(OheWithingsSyncHint) hint =
		       ohe_withings_webhook_parse ((const gchar *)data, size, NULL);
	g_autoptr(GBytes) body = g_bytes_new (data, size);
	g_autoptr(OheWebhookRequest) request = ohe_webhook_request_new (
	    "POST", "/webhooks/withings?hook_token=fuzz-secret", body);
	g_autoptr(GPtrArray) hints = NULL;

	if (hint != NULL)
		g_assert_nonnull (hint->userid);
	/* the whole verb: authentic URI, hostile body */
	hints = ohe_provider_handle_webhook (fuzz_provider (), request, NULL);
	g_assert_cmpuint (ohe_webhook_request_get_response_status (request), >=, 200);
	for (guint i = 0; hints != NULL && i < hints->len; i++)
		g_assert_nonnull (
		    ohe_sync_hint_get_external_user_id (g_ptr_array_index (hints, i)));
	return 0;
}
