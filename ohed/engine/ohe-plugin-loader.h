/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

#define OHE_TYPE_PLUGIN_LOADER (ohe_plugin_loader_get_type ())
G_DECLARE_FINAL_TYPE (OhePluginLoader, ohe_plugin_loader, OHE, PLUGIN_LOADER, GObject)

OhePluginLoader *
ohe_plugin_loader_new (OheMetrics *metrics);
void
ohe_plugin_loader_set_allow_list (OhePluginLoader *self, const gchar *const *names);
void
ohe_plugin_loader_set_deny_list (OhePluginLoader *self, const gchar *const *names);
guint
ohe_plugin_loader_load_dir (OhePluginLoader *self, const gchar *dir, GError **error);
OhePlugin *
ohe_plugin_loader_load_file (OhePluginLoader *self, const gchar *path, GError **error);
GPtrArray *
ohe_plugin_loader_get_plugins (OhePluginLoader *self);
OhePlugin *
ohe_plugin_loader_get_plugin (OhePluginLoader *self, const gchar *name);
OheProvider *
ohe_plugin_loader_get_provider (OhePluginLoader *self, const gchar *name);
OheSink *
ohe_plugin_loader_get_sink (OhePluginLoader *self, const gchar *name);
GPtrArray *
ohe_plugin_loader_get_failures (OhePluginLoader *self);
const gchar *
ohe_plugin_loader_get_plugin_path (OhePluginLoader *self, const gchar *name);

G_END_DECLS
