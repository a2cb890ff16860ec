/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A third-party provider built only against the installed ohe-plugin-1.pc. */
#include <oheplugin.h>

#define OHE_TYPE_HELLO_PROVIDER (ohe_hello_provider_get_type ())
G_DECLARE_FINAL_TYPE (OheHelloProvider, ohe_hello_provider, OHE, HELLO_PROVIDER, OheProvider)

struct _OheHelloProvider {
	OheProvider parent_instance;
};

G_DEFINE_TYPE (OheHelloProvider, ohe_hello_provider, OHE_TYPE_PROVIDER)

static gboolean
ohe_hello_provider_fetch (OheProvider *provider,
			  OheFetchRequest *request,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autoptr(GPtrArray) batch =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	gint64 at = ohe_fetch_request_get_start (request);
	ohe_measurement_set_time (m, at, at);
	ohe_measurement_set_value_decimal (m, 705, -1);
	ohe_measurement_set_native_id (m, "hello-1");
	g_ptr_array_add (batch, m);
	return ohe_fetch_request_emit (request, batch, "1", error);
}

/* the keys of [plugin:hello]; the daemon refuses any other */
static const OhePluginConfigKey ohe_hello_config_keys[] = {
    {.name = "greeting",
     .type = OHE_PLUGIN_CONFIG_TYPE_ENUM,
     .default_value = "hello",
     .choices = "hello|hi",
     .summary = "what the plugin would say"},
    {NULL},
};

static void
ohe_hello_provider_class_init (OheHelloProviderClass *klass)
{
	ohe_plugin_class_set_config_keys (OHE_PLUGIN_CLASS (klass), ohe_hello_config_keys);
	OHE_PROVIDER_CLASS (klass)->fetch = ohe_hello_provider_fetch;
}

static void
ohe_hello_provider_init (OheHelloProvider *self)
{
}

OHE_PLUGIN_DEFINE ("hello", ohe_hello_provider_get_type)
