/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gmodule.h>

#include "ohe-plugin-loader.h"

/*
 * Loads provider and sink plugins from .so modules. Each module exports one
 * query function (OHE_PLUGIN_QUERY_SYMBOL) that returns its ABI version,
 * name and type function. A module that fails any check is refused with one
 * log line naming the file and the reason; the others keep working.
 *
 * Modules that pass are made resident: a registered GType cannot be
 * unregistered, so unloading the code behind it would be a crash waiting to
 * happen.
 */
struct _OhePluginLoader {
	GObject parent_instance;
	OheMetrics *metrics; /* owned */
	GStrv allow;	     /* owned, nullable: empty means every plugin */
	GStrv deny;	     /* owned, nullable */
	GPtrArray *plugins;  /* owned, of OhePlugin */
	GHashTable *paths;   /* owned: plugin name → module path */
	GPtrArray *failures; /* owned, of gchar*: "path: reason" */
};

G_DEFINE_TYPE (OhePluginLoader, ohe_plugin_loader, G_TYPE_OBJECT)

static void
ohe_plugin_loader_finalize (GObject *object)
{
	OhePluginLoader *self = OHE_PLUGIN_LOADER (object);
	for (guint i = 0; i < self->plugins->len; i++)
		ohe_plugin_shutdown (g_ptr_array_index (self->plugins, i));
	g_ptr_array_unref (self->plugins);
	g_hash_table_unref (self->paths);
	g_ptr_array_unref (self->failures);
	g_strfreev (self->allow);
	g_strfreev (self->deny);
	g_clear_object (&self->metrics);
	G_OBJECT_CLASS (ohe_plugin_loader_parent_class)->finalize (object);
}

static void
ohe_plugin_loader_class_init (OhePluginLoaderClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_plugin_loader_finalize;
}

static void
ohe_plugin_loader_init (OhePluginLoader *self)
{
	self->plugins = g_ptr_array_new_with_free_func (g_object_unref);
	self->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->failures = g_ptr_array_new_with_free_func (g_free);
}

OhePluginLoader *
ohe_plugin_loader_new (OheMetrics *metrics)
{
	OhePluginLoader *self = g_object_new (OHE_TYPE_PLUGIN_LOADER, NULL);
	if (metrics != NULL)
		self->metrics = g_object_ref (metrics);
	return self;
}

void
ohe_plugin_loader_set_allow_list (OhePluginLoader *self, const gchar *const *names)
{
	g_return_if_fail (OHE_IS_PLUGIN_LOADER (self));
	g_strfreev (self->allow);
	self->allow = g_strdupv ((gchar **)names);
}

void
ohe_plugin_loader_set_deny_list (OhePluginLoader *self, const gchar *const *names)
{
	g_return_if_fail (OHE_IS_PLUGIN_LOADER (self));
	g_strfreev (self->deny);
	self->deny = g_strdupv ((gchar **)names);
}

static gboolean
ohe_plugin_loader_name_is_valid (const gchar *name)
{
	/* the name becomes a config group and an environment variable part */
	if (name == NULL || name[0] == '\0' || strlen (name) > 32)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_plugin_loader_is_allowed (OhePluginLoader *self, const gchar *name)
{
	if (self->deny != NULL && g_strv_contains ((const gchar *const *)self->deny, name))
		return FALSE;
	if (self->allow != NULL && self->allow[0] != NULL &&
	    !g_strv_contains ((const gchar *const *)self->allow, name))
		return FALSE;
	return TRUE;
}

/* the plugin name in libohe_<name>.so, or NULL when @file is not named so */
static gchar *
ohe_plugin_loader_dup_file_plugin_name (const gchar *file)
{
	g_autofree gchar *name = NULL;
	gsize len = strlen (file);

	if (!g_str_has_prefix (file, "libohe_") || !g_str_has_suffix (file, ".so") ||
	    len <= strlen ("libohe_") + strlen (".so"))
		return NULL;
	name = g_strndup (file + strlen ("libohe_"), len - strlen ("libohe_") - strlen (".so"));
	if (!ohe_plugin_loader_name_is_valid (name))
		return NULL;
	return g_steal_pointer (&name);
}

/*
 * Whoever can write to a plugin, its directory or the directory above can
 * make ohed run their code. As ssh does for its keys, refuse modules and
 * directories writable by group or others, except a parent with the sticky
 * bit (such as /tmp) where others cannot rename our entries.
 */
static gboolean
ohe_plugin_loader_check_writable (const gchar *path,
				  const gchar *what,
				  gboolean allow_sticky,
				  GError **error)
{
	GStatBuf st;

	if (g_stat (path, &st) != 0) {
		gint saved = errno;
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "cannot check %s %s: %s", what,
			     path, g_strerror (saved));
		return FALSE;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return TRUE;
	if (allow_sticky && S_ISDIR (st.st_mode) && (st.st_mode & S_ISVTX) != 0)
		return TRUE;
	g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
		     "%s %s is writable by group or others (mode %04o); run chmod go-w %s", what,
		     path, (guint)(st.st_mode & 07777), path);
	return FALSE;
}

static void
ohe_plugin_loader_add_failure (OhePluginLoader *self, const gchar *path, const GError *error)
{
	g_warning ("refusing plugin %s: %s", path, error->message);
	g_ptr_array_add (self->failures, g_strdup_printf ("%s: %s", path, error->message));
}

/* Returns the new plugin, or NULL with @error set; a plugin that the
 * allow/deny lists exclude gives NULL with OHE_ERROR_PERMISSION_DENIED. */
OhePlugin *
ohe_plugin_loader_load_file (OhePluginLoader *self, const gchar *path, GError **error)
{
	GModule *module;
	OhePluginQueryFunc query = NULL;
	const OhePluginInfo *info;
	GType type;
	OhePlugin *plugin;

	g_return_val_if_fail (OHE_IS_PLUGIN_LOADER (self), NULL);

	module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID, "cannot open module: %s",
			     g_module_error ());
		return NULL;
	}
	if (!g_module_symbol (module, OHE_PLUGIN_QUERY_SYMBOL, (gpointer *)&query) ||
	    query == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
			     "module does not export %s()", OHE_PLUGIN_QUERY_SYMBOL);
		g_module_close (module);
		return NULL;
	}
	info = query ();
	if (info == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
				     "query function returned no plugin information");
		g_module_close (module);
		return NULL;
	}
	if (info->abi_version != OHE_PLUGIN_ABI_VERSION) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
			     "built for plugin ABI %u, this ohed provides ABI %u",
			     info->abi_version, (guint)OHE_PLUGIN_ABI_VERSION);
		g_module_close (module);
		return NULL;
	}
	if (!ohe_plugin_loader_name_is_valid (info->name)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
			     "plugin name '%s' is not 1-32 characters of [a-z0-9]",
			     info->name != NULL ? info->name : "(null)");
		g_module_close (module);
		return NULL;
	}
	if (g_hash_table_contains (self->paths, info->name)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_CONFLICT,
			     "plugin %s is already loaded from %s", info->name,
			     (const gchar *)g_hash_table_lookup (self->paths, info->name));
		g_module_close (module);
		return NULL;
	}
	if (!ohe_plugin_loader_is_allowed (self, info->name)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "plugin %s is disabled by the allow/deny lists", info->name);
		g_module_close (module);
		return NULL;
	}
	if (info->get_type == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
			     "plugin %s has no type function", info->name);
		g_module_close (module);
		return NULL;
	}

	/* from here on the module has registered types: it must stay */
	g_module_make_resident (module);
	type = info->get_type ();
	if (!g_type_is_a (type, OHE_TYPE_PROVIDER) && !g_type_is_a (type, OHE_TYPE_SINK)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
			     "plugin %s: type %s is neither an OheProvider nor an OheSink",
			     info->name, type != G_TYPE_INVALID ? g_type_name (type) : "(invalid)");
		return NULL;
	}
	if (G_TYPE_IS_ABSTRACT (type)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
			     "plugin %s: type %s is abstract", info->name, g_type_name (type));
		return NULL;
	}
	plugin = g_object_new (type, "name", info->name, "metrics", self->metrics, NULL);
	g_ptr_array_add (self->plugins, plugin);
	g_hash_table_insert (self->paths, g_strdup (info->name), g_strdup (path));
	g_debug ("loaded plugin %s (%s) from %s", info->name, g_type_name (type), path);
	return plugin;
}

static gint
ohe_plugin_loader_compare_names (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* Loads every .so in @dir, in name order; returns how many were loaded.
 * Only an unreadable directory is an error: a bad module is logged, recorded
 * in the failures and skipped. */
guint
ohe_plugin_loader_load_dir (OhePluginLoader *self, const gchar *dir, GError **error)
{
	g_autoptr(GDir) gdir = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GError) error_local = NULL;
	const gchar *name;
	guint loaded = 0;

	g_return_val_if_fail (OHE_IS_PLUGIN_LOADER (self), 0);

	gdir = g_dir_open (dir, 0, &error_local);
	if (gdir == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "cannot read plugin directory: %s", error_local->message);
		return 0;
	}
	{
		g_autofree gchar *parent = g_path_get_dirname (dir);
		if (!ohe_plugin_loader_check_writable (dir, "plugin directory", FALSE, error) ||
		    !ohe_plugin_loader_check_writable (parent, "parent of the plugin directory",
						       TRUE, error))
			return 0;
	}
	while ((name = g_dir_read_name (gdir)) != NULL) {
		if (g_str_has_suffix (name, ".so"))
			g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, ohe_plugin_loader_compare_names);
	for (guint i = 0; i < names->len; i++) {
		const gchar *file = g_ptr_array_index (names, i);
		g_autofree gchar *path = g_build_filename (dir, file, NULL);
		g_autofree gchar *plugin_name = ohe_plugin_loader_dup_file_plugin_name (file);
		g_autoptr(GError) error_plugin = NULL;

		/* opening a module runs its constructors: only a module named
		 * libohe_<name>.so, that the lists include and that only its
		 * owner can write is ever opened */
		if (plugin_name == NULL) {
			g_set_error_literal (&error_plugin, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
					     "file name is not libohe_<name>.so with a name of "
					     "1-32 characters of [a-z0-9]; not opened");
			ohe_plugin_loader_add_failure (self, path, error_plugin);
			continue;
		}
		if (!ohe_plugin_loader_is_allowed (self, plugin_name)) {
			g_info ("skipping %s: plugin %s is disabled by the allow/deny lists", path,
				plugin_name);
			continue;
		}
		if (!ohe_plugin_loader_check_writable (path, "plugin", FALSE, &error_plugin)) {
			ohe_plugin_loader_add_failure (self, path, error_plugin);
			continue;
		}
		if (ohe_plugin_loader_load_file (self, path, &error_plugin) != NULL) {
			loaded++;
			continue;
		}
		if (g_error_matches (error_plugin, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED)) {
			g_info ("skipping %s: %s", path, error_plugin->message);
			continue;
		}
		ohe_plugin_loader_add_failure (self, path, error_plugin);
	}
	return loaded;
}

GPtrArray *
ohe_plugin_loader_get_plugins (OhePluginLoader *self)
{
	g_return_val_if_fail (OHE_IS_PLUGIN_LOADER (self), NULL);
	return self->plugins;
}

OhePlugin *
ohe_plugin_loader_get_plugin (OhePluginLoader *self, const gchar *name)
{
	g_return_val_if_fail (OHE_IS_PLUGIN_LOADER (self), NULL);
	for (guint i = 0; i < self->plugins->len; i++) {
		OhePlugin *plugin = g_ptr_array_index (self->plugins, i);
		if (g_strcmp0 (ohe_plugin_get_name (plugin), name) == 0)
			return plugin;
	}
	return NULL;
}

OheProvider *
ohe_plugin_loader_get_provider (OhePluginLoader *self, const gchar *name)
{
	OhePlugin *plugin = ohe_plugin_loader_get_plugin (self, name);
	return OHE_IS_PROVIDER (plugin) ? OHE_PROVIDER (plugin) : NULL;
}

OheSink *
ohe_plugin_loader_get_sink (OhePluginLoader *self, const gchar *name)
{
	OhePlugin *plugin = ohe_plugin_loader_get_plugin (self, name);
	return OHE_IS_SINK (plugin) ? OHE_SINK (plugin) : NULL;
}

GPtrArray *
ohe_plugin_loader_get_failures (OhePluginLoader *self)
{
	g_return_val_if_fail (OHE_IS_PLUGIN_LOADER (self), NULL);
	return self->failures;
}

const gchar *
ohe_plugin_loader_get_plugin_path (OhePluginLoader *self, const gchar *name)
{
	g_return_val_if_fail (OHE_IS_PLUGIN_LOADER (self), NULL);
	return g_hash_table_lookup (self->paths, name);
}
