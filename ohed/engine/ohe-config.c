/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <oheplugin.h>

#include "ohe-config.h"

/*
 * The daemon configuration: a keyfile (data/ohed.conf documents every key)
 * overlaid with environment variables, so a container can be configured
 * without a file. OHED_<GROUP>_<KEY> overrides a daemon key, e.g.
 * OHED_DAEMON_WORKERS=4; OHED_PLUGIN_<NAME>_<KEY> overrides a plugin key,
 * e.g. OHED_PLUGIN_WITHINGS_CLIENT_ID. Values are checked against the table
 * below so a typo fails at start-up with the group, key and value named; a
 * [plugin:NAME] group is checked the same way against the keys the plugin
 * declares (ohe_config_check_plugin(), once the plugins are loaded).
 */

typedef enum {
	OHE_CONFIG_TYPE_STRING,
	OHE_CONFIG_TYPE_INT,
	OHE_CONFIG_TYPE_BOOLEAN,
	OHE_CONFIG_TYPE_LIST,
	OHE_CONFIG_TYPE_ENUM,
} OheConfigType;

typedef struct {
	const gchar *group;
	const gchar *key;
	OheConfigType type;
	const gchar *default_value;
	gint64 min;
	gint64 max;
	const gchar *choices; /* for enums, separated by '|' */
} OheConfigKey;

static const OheConfigKey ohe_config_keys[] = {
    {"daemon", "workers", OHE_CONFIG_TYPE_INT, "2", 1, 64, NULL},
    {"daemon", "plugin_dir", OHE_CONFIG_TYPE_LIST, "", 0, 0, NULL},
    {"daemon", "plugin_allow", OHE_CONFIG_TYPE_LIST, "", 0, 0, NULL},
    {"daemon", "plugin_deny", OHE_CONFIG_TYPE_LIST, "", 0, 0, NULL},
    {"daemon", "state_dir", OHE_CONFIG_TYPE_STRING, OHE_LOCALSTATEDIR, 0, 0, NULL},
    {"daemon", "sink", OHE_CONFIG_TYPE_STRING, "fhir", 0, 0, NULL},
    {"daemon", "pipeline_depth", OHE_CONFIG_TYPE_INT, "4", 1, 1024, NULL},
    {"daemon", "batch_size", OHE_CONFIG_TYPE_INT, "500", 1, 100000, NULL},
    {"daemon", "drain_timeout", OHE_CONFIG_TYPE_INT, "30", 0, 3600, NULL},
    {"daemon", "token_key_file", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"daemon", "token_old_key_files", OHE_CONFIG_TYPE_LIST, "", 0, 0, NULL},
    {"daemon", "oauth_redirect_uri", OHE_CONFIG_TYPE_STRING,
     "http://localhost:8080/api/v1/links/callback", 0, 0, NULL},
    {"store", "backend", OHE_CONFIG_TYPE_ENUM, "sqlite", 0, 0, "sqlite|postgresql"},
    {"store", "sqlite_path", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"store", "postgresql_uri", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"store", "schema_dir", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"queue", "backend", OHE_CONFIG_TYPE_ENUM, "memory", 0, 0, "memory|redis"},
    {"queue", "max_attempts", OHE_CONFIG_TYPE_INT, "5", 1, 100, NULL},
    {"queue", "redis_uri", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"sync", "enabled", OHE_CONFIG_TYPE_BOOLEAN, "true", 0, 0, NULL},
    {"sync", "initial_backfill_days", OHE_CONFIG_TYPE_INT, "30", 0, 3650, NULL},
    {"sync", "backfill_window_days", OHE_CONFIG_TYPE_INT, "7", 1, 365, NULL},
    {"sync", "overlap", OHE_CONFIG_TYPE_INT, "900", 0, 86400, NULL},
    {"sync", "push_lookback", OHE_CONFIG_TYPE_INT, "900", 0, 86400, NULL},
    {"sync", "nightly", OHE_CONFIG_TYPE_STRING, "0 3 * * *", 0, 0, NULL},
    {"sync", "nightly_jitter", OHE_CONFIG_TYPE_INT, "900", 0, 21600, NULL},
    {"sync", "nightly_window", OHE_CONFIG_TYPE_INT, "2", 1, 90, NULL},
    {"sync", "tick", OHE_CONFIG_TYPE_INT, "15", 1, 3600, NULL},
    {"sync", "lease_ttl", OHE_CONFIG_TYPE_INT, "60", 2, 86400, NULL},
    {"api", "enabled", OHE_CONFIG_TYPE_BOOLEAN, "true", 0, 0, NULL},
    {"api", "listen", OHE_CONFIG_TYPE_LIST, "127.0.0.1:8080", 0, 0, NULL},
    {"api", "threads", OHE_CONFIG_TYPE_INT, "2", 1, 64, NULL},
    {"api", "tls_certificate_file", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"api", "tls_key_file", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
    {"api", "max_body_bytes", OHE_CONFIG_TYPE_INT, "65536", 1024, 16777216, NULL},
    {"api", "rate_limit", OHE_CONFIG_TYPE_INT, "600", 1, 1000000, NULL},
    {"api", "rate_burst", OHE_CONFIG_TYPE_INT, "120", 1, 1000000, NULL},
    {"api", "openapi_file", OHE_CONFIG_TYPE_STRING, "", 0, 0, NULL},
};

struct _OheConfig {
	GObject parent_instance;
	GKeyFile *keyfile; /* owned */
	gchar *source;	   /* owned: where the file came from, for error messages */
};

G_DEFINE_TYPE (OheConfig, ohe_config, G_TYPE_OBJECT)

static const OheConfigKey *
ohe_config_lookup_key (const gchar *group, const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_config_keys); i++) {
		if (g_strcmp0 (ohe_config_keys[i].group, group) == 0 &&
		    g_strcmp0 (ohe_config_keys[i].key, key) == 0)
			return &ohe_config_keys[i];
	}
	return NULL;
}

static void
ohe_config_finalize (GObject *object)
{
	OheConfig *self = OHE_CONFIG (object);
	g_key_file_unref (self->keyfile);
	g_free (self->source);
	G_OBJECT_CLASS (ohe_config_parent_class)->finalize (object);
}

static void
ohe_config_class_init (OheConfigClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_config_finalize;
}

static void
ohe_config_init (OheConfig *self)
{
	self->keyfile = g_key_file_new ();
	self->source = g_strdup ("defaults");
	g_key_file_set_list_separator (self->keyfile, ',');
	for (guint i = 0; i < G_N_ELEMENTS (ohe_config_keys); i++) {
		g_key_file_set_string (self->keyfile, ohe_config_keys[i].group,
				       ohe_config_keys[i].key, ohe_config_keys[i].default_value);
	}
}

OheConfig *
ohe_config_new (void)
{
	return g_object_new (OHE_TYPE_CONFIG, NULL);
}

static gboolean
ohe_config_validate_keyfile (OheConfig *self, GKeyFile *keyfile, GError **error);

/* Applies @overlay only if the result is valid, so a bad file or variable
 * never leaves a half-applied configuration behind. */
static gboolean
ohe_config_merge (OheConfig *self, GKeyFile *overlay, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups (overlay, NULL);
	g_autoptr(GKeyFile) merged = g_key_file_new ();
	g_autofree gchar *data = g_key_file_to_data (self->keyfile, NULL, NULL);

	g_key_file_set_list_separator (merged, ',');
	if (!g_key_file_load_from_data (merged, data, -1, G_KEY_FILE_NONE, error))
		return FALSE;
	for (guint i = 0; groups[i] != NULL; i++) {
		g_auto(GStrv) keys = g_key_file_get_keys (overlay, groups[i], NULL, NULL);
		gboolean is_plugin = g_str_has_prefix (groups[i], "plugin:");
		if (!is_plugin) {
			gboolean known = FALSE;
			for (guint j = 0; j < G_N_ELEMENTS (ohe_config_keys); j++)
				known |= g_strcmp0 (ohe_config_keys[j].group, groups[i]) == 0;
			if (!known) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "%s: unknown group [%s]", self->source, groups[i]);
				return FALSE;
			}
		}
		for (guint j = 0; keys != NULL && keys[j] != NULL; j++) {
			g_autofree gchar *value =
			    g_key_file_get_value (overlay, groups[i], keys[j], NULL);
			if (!is_plugin && ohe_config_lookup_key (groups[i], keys[j]) == NULL) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "%s: unknown key '%s' in group [%s]", self->source,
					     keys[j], groups[i]);
				return FALSE;
			}
			g_key_file_set_value (merged, groups[i], keys[j], value);
		}
	}
	if (!ohe_config_validate_keyfile (self, merged, error))
		return FALSE;
	/* plugins hold a reference to the keyfile: update it in place */
	g_free (data);
	data = g_key_file_to_data (merged, NULL, NULL);
	return g_key_file_load_from_data (self->keyfile, data, -1, G_KEY_FILE_NONE, error);
}

gboolean
ohe_config_load_data (OheConfig *self, const gchar *data, GError **error)
{
	g_autoptr(GKeyFile) overlay = g_key_file_new ();
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OHE_IS_CONFIG (self), FALSE);
	g_key_file_set_list_separator (overlay, ',');
	if (!g_key_file_load_from_data (overlay, data, -1, G_KEY_FILE_NONE, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, "%s: %s", self->source,
			     error_local->message);
		return FALSE;
	}
	return ohe_config_merge (self, overlay, error);
}

gboolean
ohe_config_load_file (OheConfig *self, const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail (OHE_IS_CONFIG (self), FALSE);
	if (!g_file_get_contents (path, &data, NULL, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "cannot read configuration: %s", error_local->message);
		return FALSE;
	}
	g_free (self->source);
	self->source = g_strdup (path);
	return ohe_config_load_data (self, data, error);
}

static gchar *
ohe_config_env_name (const gchar *group, const gchar *key)
{
	g_autofree gchar *name = g_strdup_printf ("OHED_%s_%s", group, key);
	for (gchar *p = name; *p != '\0'; p++)
		*p = g_ascii_isalnum (*p) ? g_ascii_toupper (*p) : '_';
	return g_steal_pointer (&name);
}

gboolean
ohe_config_apply_environment (OheConfig *self, const gchar *const *envp, GError **error)
{
	g_autoptr(GKeyFile) overlay = g_key_file_new ();
	g_autofree gchar *old_source = NULL;
	gboolean ret;

	g_return_val_if_fail (OHE_IS_CONFIG (self), FALSE);
	for (guint i = 0; envp != NULL && envp[i] != NULL; i++) {
		const gchar *eq = strchr (envp[i], '=');
		g_autofree gchar *name = NULL;
		gboolean matched = FALSE;

		if (eq == NULL || !g_str_has_prefix (envp[i], "OHED_"))
			continue;
		name = g_strndup (envp[i], eq - envp[i]);
		if (g_strcmp0 (name, "OHED_CONFIG") == 0)
			continue;
		/* one value per variable: a newline must not smuggle in more keys */
		for (const gchar *p = eq + 1; *p != '\0'; p++) {
			if (g_ascii_iscntrl (*p)) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "environment variable %s holds a control character",
					     name);
				return FALSE;
			}
		}
		for (guint j = 0; j < G_N_ELEMENTS (ohe_config_keys); j++) {
			g_autofree gchar *candidate =
			    ohe_config_env_name (ohe_config_keys[j].group, ohe_config_keys[j].key);
			if (g_strcmp0 (candidate, name) == 0) {
				g_key_file_set_string (overlay, ohe_config_keys[j].group,
						       ohe_config_keys[j].key, eq + 1);
				matched = TRUE;
				break;
			}
		}
		if (!matched && g_str_has_prefix (name, "OHED_PLUGIN_")) {
			/* plugin names are [a-z0-9]+, so the first '_' ends the name */
			const gchar *rest = name + strlen ("OHED_PLUGIN_");
			const gchar *sep = strchr (rest, '_');
			if (sep != NULL && sep != rest && sep[1] != '\0') {
				g_autofree gchar *plugin = g_ascii_strdown (rest, sep - rest);
				g_autofree gchar *key = g_ascii_strdown (sep + 1, -1);
				g_autofree gchar *group = g_strdup_printf ("plugin:%s", plugin);
				g_key_file_set_string (overlay, group, key, eq + 1);
				matched = TRUE;
			}
		}
		if (!matched) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "environment variable %s is not a configuration key", name);
			return FALSE;
		}
	}
	old_source = g_steal_pointer (&self->source);
	self->source = g_strdup ("environment");
	ret = ohe_config_merge (self, overlay, error);
	g_free (self->source);
	self->source = g_steal_pointer (&old_source);
	return ret;
}

static gboolean
ohe_config_validate_keyfile (OheConfig *self, GKeyFile *keyfile, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_config_keys); i++) {
		const OheConfigKey *k = &ohe_config_keys[i];
		g_autoptr(GError) error_local = NULL;
		g_autofree gchar *value =
		    g_key_file_get_string (keyfile, k->group, k->key, &error_local);
		gint64 number;

		/* a value GKeyFile cannot read (bad UTF-8 or escape) would read as absent */
		if (value == NULL &&
		    !g_error_matches (error_local, G_KEY_FILE_ERROR,
				      G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
		    !g_error_matches (error_local, G_KEY_FILE_ERROR,
				      G_KEY_FILE_ERROR_GROUP_NOT_FOUND)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "%s: [%s] %s is not valid UTF-8 or holds an invalid escape",
				     self->source, k->group, k->key);
			return FALSE;
		}
		if (value == NULL)
			value = g_strdup (k->default_value);
		g_strstrip (value);
		switch (k->type) {
		case OHE_CONFIG_TYPE_INT:
			if (!g_ascii_string_to_signed (value, 10, k->min, k->max, &number, NULL)) {
				g_set_error (
				    error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				    "%s: [%s] %s = '%s' is not an integer between %" G_GINT64_FORMAT
				    " and %" G_GINT64_FORMAT,
				    self->source, k->group, k->key, value, k->min, k->max);
				return FALSE;
			}
			break;
		case OHE_CONFIG_TYPE_BOOLEAN:
			if (g_strcmp0 (value, "true") != 0 && g_strcmp0 (value, "false") != 0) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "%s: [%s] %s = '%s' is not true or false",
					     self->source, k->group, k->key, value);
				return FALSE;
			}
			break;
		case OHE_CONFIG_TYPE_ENUM: {
			g_auto(GStrv) choices = g_strsplit (k->choices, "|", -1);
			if (!g_strv_contains ((const gchar *const *)choices, value)) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "%s: [%s] %s = '%s' is not one of %s", self->source,
					     k->group, k->key, value, k->choices);
				return FALSE;
			}
			break;
		}
		case OHE_CONFIG_TYPE_STRING:
		case OHE_CONFIG_TYPE_LIST:
		default:
			break;
		}
	}
	return TRUE;
}

gboolean
ohe_config_validate (OheConfig *self, GError **error)
{
	g_return_val_if_fail (OHE_IS_CONFIG (self), FALSE);
	return ohe_config_validate_keyfile (self, self->keyfile, error);
}

GKeyFile *
ohe_config_get_keyfile (OheConfig *self)
{
	g_return_val_if_fail (OHE_IS_CONFIG (self), NULL);
	return self->keyfile;
}

gchar *
ohe_config_get_string (OheConfig *self, const gchar *group, const gchar *key)
{
	gchar *value;
	g_return_val_if_fail (OHE_IS_CONFIG (self), NULL);
	value = g_key_file_get_string (self->keyfile, group, key, NULL);
	if (value != NULL)
		g_strstrip (value);
	return value;
}

gint64
ohe_config_get_int (OheConfig *self, const gchar *group, const gchar *key)
{
	g_autofree gchar *value = ohe_config_get_string (self, group, key);
	gint64 number = 0;
	/* validated on load; a plugin key that is not a number reads as 0 */
	if (value != NULL)
		g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL);
	return number;
}

gboolean
ohe_config_get_boolean (OheConfig *self, const gchar *group, const gchar *key)
{
	g_autofree gchar *value = ohe_config_get_string (self, group, key);
	return g_strcmp0 (value, "true") == 0;
}

gchar **
ohe_config_get_list (OheConfig *self, const gchar *group, const gchar *key)
{
	g_autofree gchar *value = ohe_config_get_string (self, group, key);
	g_auto(GStrv) parts = NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

	if (value == NULL || value[0] == '\0')
		return g_new0 (gchar *, 1);
	parts = g_strsplit (value, ",", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		g_strstrip (parts[i]);
		if (parts[i][0] != '\0')
			g_ptr_array_add (out, g_strdup (parts[i]));
	}
	g_ptr_array_add (out, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

void
ohe_config_set_string (OheConfig *self, const gchar *group, const gchar *key, const gchar *value)
{
	g_return_if_fail (OHE_IS_CONFIG (self));
	g_key_file_set_string (self->keyfile, group, key, value);
}

/* A path key that defaults to a file in the state directory when empty. */
gchar *
ohe_config_get_state_path (OheConfig *self, const gchar *group, const gchar *key, const gchar *file)
{
	g_autofree gchar *value = ohe_config_get_string (self, group, key);
	g_autofree gchar *state_dir = NULL;
	if (value != NULL && value[0] != '\0')
		return g_steal_pointer (&value);
	state_dir = ohe_config_get_string (self, "daemon", "state_dir");
	return g_build_filename (state_dir, file, NULL);
}

/* "group.key" of every key the daemon knows, for the documentation test */
gchar **
ohe_config_list_documented_keys (void)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
	for (guint i = 0; i < G_N_ELEMENTS (ohe_config_keys); i++) {
		g_ptr_array_add (out, g_strdup_printf ("%s.%s", ohe_config_keys[i].group,
						       ohe_config_keys[i].key));
	}
	g_ptr_array_add (out, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/*
 * Checks the [plugin:NAME] group against the plugin's key table (see
 * OhePluginConfigKey): an unknown key or a bad value is an error naming group, key and
 * value, as for the daemon's own keys. A plugin without a table is not checked; that is
 * logged once, when its group holds keys.
 */
gboolean
ohe_config_check_plugin (OheConfig *self,
			 const gchar *plugin_name,
			 const OhePluginConfigKey *keys,
			 GError **error)
{
	g_autofree gchar *group = g_strdup_printf ("plugin:%s", plugin_name);

	g_return_val_if_fail (OHE_IS_CONFIG (self), FALSE);
	if (keys == NULL) {
		if (g_key_file_has_group (self->keyfile, group))
			g_warning ("plugin %s declares no configuration keys: [%s] is not checked",
				   plugin_name, group);
		return TRUE;
	}
	return ohe_plugin_config_keys_check_group (keys, self->keyfile, group, error);
}

/* the NAME of every [plugin:NAME] group */
gchar **
ohe_config_list_plugin_names (OheConfig *self)
{
	g_auto(GStrv) groups = NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

	g_return_val_if_fail (OHE_IS_CONFIG (self), NULL);
	groups = g_key_file_get_groups (self->keyfile, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix (groups[i], "plugin:"))
			g_ptr_array_add (out, g_strdup (groups[i] + strlen ("plugin:")));
	}
	g_ptr_array_add (out, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
