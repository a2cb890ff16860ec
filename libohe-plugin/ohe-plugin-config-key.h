/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OhePluginConfigType:
 * @OHE_PLUGIN_CONFIG_TYPE_STRING: any text (a path, an id, a secret)
 * @OHE_PLUGIN_CONFIG_TYPE_INT: a decimal integer from @min to @max
 * @OHE_PLUGIN_CONFIG_TYPE_BOOLEAN: `true` or `false`
 * @OHE_PLUGIN_CONFIG_TYPE_ENUM: one of @choices
 * @OHE_PLUGIN_CONFIG_TYPE_URL: an absolute `http` or `https` URL with a host
 * @OHE_PLUGIN_CONFIG_TYPE_KINDS: comma-separated measurement kind names
 *
 * The value types of plugin configuration keys. An empty value always
 * means "not set": the plugin uses its default.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_PLUGIN_CONFIG_TYPE_STRING,
	OHE_PLUGIN_CONFIG_TYPE_INT,
	OHE_PLUGIN_CONFIG_TYPE_BOOLEAN,
	OHE_PLUGIN_CONFIG_TYPE_ENUM,
	OHE_PLUGIN_CONFIG_TYPE_URL,
	OHE_PLUGIN_CONFIG_TYPE_KINDS,
} OhePluginConfigType;

/**
 * OhePluginConfigKeyFlags:
 * @OHE_PLUGIN_CONFIG_KEY_NONE: no flag
 * @OHE_PLUGIN_CONFIG_KEY_SECRET: the value is a secret: no message ever shows it
 *
 * Since: 0.1
 */
typedef enum {
	OHE_PLUGIN_CONFIG_KEY_NONE = 0,
	OHE_PLUGIN_CONFIG_KEY_SECRET = 1 << 0,
} OhePluginConfigKeyFlags;

/**
 * OhePluginConfigKey:
 * @name: the key in the plugin's `[plugin:NAME]` group
 * @type: the value type
 * @default_value: (nullable): the default as it would be written in ohed.conf,
 *   %NULL when there is none or it is computed (the plugin README says how)
 * @min: the smallest value of an integer key
 * @max: the largest value of an integer key
 * @choices: (nullable): the values of an enumeration, separated by `|`
 * @flags: #OhePluginConfigKeyFlags
 * @summary: one line for operators
 *
 * One configuration key a plugin reads. A plugin declares all of them in a
 * table, terminated by an entry whose @name is %NULL, and hands it to
 * ohe_plugin_class_set_config_keys(); the daemon then refuses to start
 * when its group holds an unknown key or a value the table does not allow,
 * naming group, key and value (never the value of a secret).
 *
 * A table is data: write it with designated initializers, e.g.
 * |[<!-- language="C" -->
 * static const OhePluginConfigKey hello_keys[] = {
 *     OHE_OAUTH2_PROVIDER_CONFIG_KEYS,
 *     {.name = "page_size", .type = OHE_PLUGIN_CONFIG_TYPE_INT, .default_value = "100",
 *      .min = 1, .max = 1000, .summary = "items per list request"},
 *     {NULL},
 * };
 * ]|
 *
 * Since: 0.1
 */
typedef struct {
	const gchar *name;
	OhePluginConfigType type;
	const gchar *default_value;
	gint64 min;
	gint64 max;
	const gchar *choices;
	OhePluginConfigKeyFlags flags;
	const gchar *summary;
	/*< private >*/
	gpointer padding[2];
} OhePluginConfigKey;

const OhePluginConfigKey *
ohe_plugin_config_key_lookup (const OhePluginConfigKey *keys, const gchar *name);
gboolean
ohe_plugin_config_key_check (const OhePluginConfigKey *key,
			     const gchar *group,
			     const gchar *value,
			     GError **error);
gboolean
ohe_plugin_config_keys_check_group (const OhePluginConfigKey *keys,
				    GKeyFile *keyfile,
				    const gchar *group,
				    GError **error);

G_END_DECLS
