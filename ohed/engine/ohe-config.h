/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include <oheplugin.h>

G_BEGIN_DECLS

#define OHE_TYPE_CONFIG (ohe_config_get_type ())
G_DECLARE_FINAL_TYPE (OheConfig, ohe_config, OHE, CONFIG, GObject)

OheConfig *
ohe_config_new (void);
gboolean
ohe_config_load_file (OheConfig *self, const gchar *path, GError **error);
gboolean
ohe_config_load_data (OheConfig *self, const gchar *data, GError **error);
gboolean
ohe_config_apply_environment (OheConfig *self, const gchar *const *envp, GError **error);
gboolean
ohe_config_validate (OheConfig *self, GError **error);
GKeyFile *
ohe_config_get_keyfile (OheConfig *self);
gchar *
ohe_config_get_string (OheConfig *self, const gchar *group, const gchar *key);
gint64
ohe_config_get_int (OheConfig *self, const gchar *group, const gchar *key);
gboolean
ohe_config_get_boolean (OheConfig *self, const gchar *group, const gchar *key);
gchar **
ohe_config_get_list (OheConfig *self, const gchar *group, const gchar *key);
void
ohe_config_set_string (OheConfig *self, const gchar *group, const gchar *key, const gchar *value);
gchar *
ohe_config_get_state_path (OheConfig *self,
			   const gchar *group,
			   const gchar *key,
			   const gchar *file);
gchar **
ohe_config_list_documented_keys (void);
gboolean
ohe_config_check_plugin (OheConfig *self,
			 const gchar *plugin_name,
			 const OhePluginConfigKey *keys,
			 GError **error);
gchar **
ohe_config_list_plugin_names (OheConfig *self);

G_END_DECLS
