/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gmodule.h>

#include "ohe-metrics.h"
#include "ohe-plugin-config-key.h"
#include "ohe-rate-limiter.h"
#include "ohe-version.h"

G_BEGIN_DECLS

#define OHE_TYPE_PLUGIN (ohe_plugin_get_type ())
G_DECLARE_DERIVABLE_TYPE (OhePlugin, ohe_plugin, OHE, PLUGIN, GObject)

/**
 * OhePluginClass:
 * @setup: has default; prepares the plugin after its configuration was set;
 *   runs on a worker thread and may block
 * @shutdown: has default; releases what setup acquired
 * @config_keys: (array zero-terminated=1): the configuration keys the plugin reads, set
 *   with ohe_plugin_class_set_config_keys(); %NULL leaves the group unchecked
 *
 * The base of every provider and sink plugin.
 *
 * Since: 0.1
 */
struct _OhePluginClass {
	GObjectClass parent_class;
	gboolean (*setup) (OhePlugin *self, GCancellable *cancellable, GError **error);
	void (*shutdown) (OhePlugin *self);
	const OhePluginConfigKey *config_keys;
	/*< private >*/
	gpointer padding[13];
};

/**
 * OhePluginInfo:
 * @abi_version: %OHE_PLUGIN_ABI_VERSION at build time
 * @name: the plugin name, e.g. `withings`
 * @get_type: returns the #GType of the plugin class
 *
 * What the exported query function of a plugin module returns.
 *
 * Since: 0.1
 */
typedef struct {
	guint32 abi_version;
	const gchar *name;
	GType (*get_type) (void);
	/*< private >*/
	gpointer padding[5];
} OhePluginInfo;

/**
 * OhePluginQueryFunc:
 *
 * The type of the one function a plugin module exports, named
 * %OHE_PLUGIN_QUERY_SYMBOL.
 *
 * Returns: the plugin's static information
 *
 * Since: 0.1
 */
typedef const OhePluginInfo *(*OhePluginQueryFunc) (void);

/**
 * OHE_PLUGIN_QUERY_SYMBOL:
 *
 * The name of the function every plugin module exports.
 *
 * Since: 0.1
 */
#define OHE_PLUGIN_QUERY_SYMBOL "ohe_plugin_query"

/**
 * OHE_PLUGIN_DEFINE:
 * @plugin_name: the plugin name as a string literal
 * @type_func: the get_type function of the plugin class
 *
 * Defines the exported query function of a plugin module. Use it once in
 * the plugin's main source file.
 *
 * Since: 0.1
 */
#define OHE_PLUGIN_DEFINE(plugin_name, type_func)                                                  \
	G_MODULE_EXPORT const OhePluginInfo *ohe_plugin_query (void);                              \
	const OhePluginInfo *ohe_plugin_query (void)                                               \
	{                                                                                          \
		static const OhePluginInfo info = {                                                \
		    OHE_PLUGIN_ABI_VERSION, plugin_name, type_func, {NULL}};                       \
		return &info;                                                                      \
	}

/**
 * OhePluginStateLookupFunc:
 * @user_data: the host's data
 * @plugin: the plugin name
 * @key: the key
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the value, %NULL without an error if unset
 *
 * Since: 0.1
 */
typedef gchar *(*OhePluginStateLookupFunc) (gpointer user_data,
					    const gchar *plugin,
					    const gchar *key,
					    GError **error);
/**
 * OhePluginStateSaveFunc:
 * @user_data: the host's data
 * @plugin: the plugin name
 * @key: the key
 * @value: (nullable): the value, %NULL to forget the key
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
typedef gboolean (*OhePluginStateSaveFunc) (
    gpointer user_data, const gchar *plugin, const gchar *key, const gchar *value, GError **error);

const gchar *
ohe_plugin_get_name (OhePlugin *self);
OheMetrics *
ohe_plugin_get_metrics (OhePlugin *self);
void
ohe_plugin_set_metrics (OhePlugin *self, OheMetrics *metrics);
OheRateLimiter *
ohe_plugin_get_rate_limiter (OhePlugin *self);
void
ohe_plugin_set_rate_limiter (OhePlugin *self, OheRateLimiter *limiter);
void
ohe_plugin_set_config (OhePlugin *self, GKeyFile *config);
void
ohe_plugin_class_set_config_keys (OhePluginClass *klass, const OhePluginConfigKey *keys);
const OhePluginConfigKey *
ohe_plugin_get_config_keys (OhePlugin *self);
gchar *
ohe_plugin_get_config_group (OhePlugin *self);
gchar *
ohe_plugin_get_config_string (OhePlugin *self, const gchar *key, const gchar *default_value);
gchar *
ohe_plugin_get_config_trimmed (OhePlugin *self, const gchar *key, const gchar *fallback);
gchar *
ohe_plugin_get_config_secret (OhePlugin *self,
			      const gchar *key,
			      const gchar *file_key,
			      GError **error);
gint64
ohe_plugin_get_config_int (OhePlugin *self, const gchar *key, gint64 default_value);
gboolean
ohe_plugin_get_config_boolean (OhePlugin *self, const gchar *key, gboolean default_value);
gchar *
ohe_plugin_get_state_dir (OhePlugin *self);
void
ohe_plugin_set_state_store (OhePlugin *self,
			    OhePluginStateLookupFunc lookup,
			    OhePluginStateSaveFunc save,
			    gpointer user_data,
			    GDestroyNotify user_data_free);
gchar *
ohe_plugin_lookup_state (OhePlugin *self, const gchar *key, GError **error);
gboolean
ohe_plugin_save_state (OhePlugin *self, const gchar *key, const gchar *value, GError **error);
gboolean
ohe_plugin_setup (OhePlugin *self, GCancellable *cancellable, GError **error);
void
ohe_plugin_setup_async (OhePlugin *self,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data);
gboolean
ohe_plugin_setup_finish (OhePlugin *self, GAsyncResult *res, GError **error);
void
ohe_plugin_shutdown (OhePlugin *self);

G_END_DECLS
