/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <oheplugin.h>

#include "ohe-config.h"
#include "ohe-engine.h"
#include "ohe-plugin-loader.h"

static void
test_config_defaults (void)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) deny = NULL;

	g_assert_true (ohe_config_validate (config, &error));
	g_assert_no_error (error);
	g_assert_cmpint (ohe_config_get_int (config, "daemon", "workers"), ==, 2);
	g_assert_cmpint (ohe_config_get_int (config, "queue", "max_attempts"), ==, 5);
	deny = ohe_config_get_list (config, "daemon", "plugin_deny");
	g_assert_cmpuint (g_strv_length (deny), ==, 0);
}

/* data/ohed.conf must load as it is and document every key the daemon knows */
static void
test_config_documented (void)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename (OHE_SOURCE_DATADIR, "ohed.conf", NULL);
	g_autoptr(GKeyFile) doc = g_key_file_new ();
	g_auto(GStrv) keys = ohe_config_list_documented_keys ();

	g_assert_true (ohe_config_load_file (config, path, &error));
	g_assert_no_error (error);
	g_assert_true (g_key_file_load_from_file (doc, path, G_KEY_FILE_NONE, &error));
	for (guint i = 0; keys[i] != NULL; i++) {
		g_auto(GStrv) parts = g_strsplit (keys[i], ".", 2);
		if (!g_key_file_has_key (doc, parts[0], parts[1], NULL))
			g_error ("key %s is not documented in data/ohed.conf", keys[i]);
	}
}

static void
test_config_errors (void)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;

	g_assert_false (ohe_config_load_data (config, "[daemon]\nworkers=0\n", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "[daemon] workers = '0'"));
	g_clear_error (&error);

	g_assert_false (ohe_config_load_data (config, "[daemon]\nwokers=3\n", &error));
	g_assert_nonnull (strstr (error->message, "unknown key 'wokers' in group [daemon]"));
	g_clear_error (&error);

	g_assert_false (ohe_config_load_data (config, "[deamon]\nworkers=3\n", &error));
	g_assert_nonnull (strstr (error->message, "unknown group [deamon]"));
	g_clear_error (&error);

	g_assert_false (ohe_config_load_data (config, "[store]\nbackend=mysql\n", &error));
	g_assert_nonnull (strstr (error->message, "is not one of sqlite|postgresql"));
	g_clear_error (&error);

	g_assert_false (ohe_config_load_data (config, "workers=3\n", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);

	/* plugin groups are checked against the plugin's table once it is loaded */
	g_assert_true (ohe_config_load_data (config, "[plugin:withings]\nclient_id=abc\n", &error));
	g_assert_no_error (error);
}

/* an engine over the test plugins (synthetic provider, nullsink) with @conf on top */
static gboolean
test_engine_start (const gchar *conf, const gchar *const *envp, GError **error)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(OheEngine) engine = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-config-XXXXXX", &error_local);
	g_autofree gchar *db = NULL;
	gboolean ok;

	g_assert_no_error (error_local);
	db = g_build_filename (dir, "ohed.db", NULL);
	ohe_config_set_string (config, "daemon", "plugin_dir", g_getenv ("OHE_TEST_PLUGIN_DIR"));
	ohe_config_set_string (config, "daemon", "sink", "nullsink");
	ohe_config_set_string (config, "daemon", "state_dir", dir);
	ohe_config_set_string (config, "store", "sqlite_path", db);
	ohe_config_set_string (config, "store", "schema_dir", OHE_SOURCE_SCHEMADIR);
	g_assert_true (ohe_config_load_data (config, conf, &error_local));
	g_assert_no_error (error_local);
	if (envp != NULL) {
		g_assert_true (ohe_config_apply_environment (config, envp, &error_local));
		g_assert_no_error (error_local);
	}
	engine = ohe_engine_new (config);
	ok = ohe_engine_setup (engine, NULL, error);
	g_clear_object (&engine);
	for (const gchar *const *suffix = (const gchar *const[]){"", "-wal", "-shm", NULL};
	     *suffix != NULL; suffix++) {
		g_autofree gchar *file = g_strconcat (db, *suffix, NULL);
		g_remove (file);
	}
	g_remove (dir);
	return ok;
}

static const struct {
	const gchar *conf;
	const gchar *env;     /* one OHED_… variable, or NULL */
	const gchar *message; /* NULL: the engine starts */
} test_plugin_groups[] = {
    {"[plugin:synthetic]\ncount=5\nfail_error=gone\n[plugin:nullsink]\nreject_every=3\n", NULL,
     NULL},
    /* empty is "not set", whatever the type */
    {"[plugin:synthetic]\ncount=\n", NULL, NULL},
    {"[plugin:synthetic]\ncuont=5\n", NULL,
     "[plugin:synthetic] cuont: unknown key (known keys: count, batch_size, interval_s, "
     "delay_us, invalid_every, fail_at, fail_error)"},
    {"[plugin:synthetic]\ncount=-3\n", NULL,
     "[plugin:synthetic] count = '-3' is not an integer between 0 and 2147483647"},
    {"[plugin:synthetic]\nbatch_size=0\n", NULL,
     "[plugin:synthetic] batch_size = '0' is not an integer between 1 and 100000"},
    {"[plugin:nullsink]\nfail_pushes=many\n", NULL,
     "[plugin:nullsink] fail_pushes = 'many' is not an integer between 0 and 2147483647"},
    {"", "OHED_PLUGIN_SYNTHETIC_FAIL_ERROR=boom",
     "[plugin:synthetic] fail_error = 'boom' is not one of unavailable|auth_required|gone"},
    {"", "OHED_PLUGIN_NULLSINK_RECORD_PAHT=records.txt",
     "[plugin:nullsink] record_paht: unknown key (known keys: delay_us, record_path, "
     "reject_every, unmapped_kinds, forget_every, fail_pushes)"},
};

/* a typo or a bad value in [plugin:NAME] stops the start, naming group, key and value */
static void
test_config_plugin_groups (void)
{
	for (guint i = 0; i < G_N_ELEMENTS (test_plugin_groups); i++) {
		const gchar *envp[] = {test_plugin_groups[i].env, NULL};
		g_autoptr(GError) error = NULL;
		gboolean ok =
		    test_engine_start (test_plugin_groups[i].conf,
				       test_plugin_groups[i].env != NULL ? envp : NULL, &error);

		if (test_plugin_groups[i].message == NULL) {
			g_assert_no_error (error);
			g_assert_true (ok);
			continue;
		}
		g_assert_false (ok);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_cmpstr (error->message, ==, test_plugin_groups[i].message);
	}
}

/* the value of @key in the commented-out [plugin:@plugin] section of data/ohed.conf */
static gboolean
test_documented_default (const gchar *conf, const gchar *plugin, const gchar *key, gchar **value)
{
	g_autofree gchar *header = g_strdup_printf ("# [plugin:%s]", plugin);
	g_auto(GStrv) lines = g_strsplit (conf, "\n", -1);
	gboolean inside = FALSE;
	g_autofree gchar *prefix = g_strdup_printf ("#%s=", key);

	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix (lines[i], "# [plugin:"))
			inside = strcmp (lines[i], header) == 0;
		else if (inside && g_str_has_prefix (lines[i], prefix)) {
			*value = g_strdup (lines[i] + strlen (prefix));
			return TRUE;
		}
	}
	return FALSE;
}

/* every key a shipped plugin declares is in data/ohed.conf, with its default, and its README */
static void
test_config_plugin_keys_documented (void)
{
	g_auto(GStrv) dirs = g_strsplit (g_getenv ("OHE_TEST_SHIPPED_PLUGIN_DIRS"), ",", -1);
	g_autofree gchar *conf_path = g_build_filename (OHE_SOURCE_DATADIR, "ohed.conf", NULL);
	g_autofree gchar *conf = NULL;
	g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
	g_autoptr(GError) error = NULL;
	GPtrArray *plugins;

	if (dirs[0] == NULL) {
		g_test_skip ("no shipped plugin is built");
		return;
	}
	g_assert_true (g_file_get_contents (conf_path, &conf, NULL, &error));
	g_assert_no_error (error);
	for (guint i = 0; dirs[i] != NULL; i++) {
		ohe_plugin_loader_load_dir (loader, dirs[i], &error);
		g_assert_no_error (error);
	}
	plugins = ohe_plugin_loader_get_plugins (loader);
	g_assert_cmpuint (plugins->len, ==, g_strv_length (dirs));
	for (guint i = 0; i < plugins->len; i++) {
		OhePlugin *plugin = g_ptr_array_index (plugins, i);
		const gchar *name = ohe_plugin_get_name (plugin);
		const OhePluginConfigKey *keys = ohe_plugin_get_config_keys (plugin);
		g_autofree gchar *readme_path =
		    g_build_filename (OHE_TEST_SRCDIR, "..", "plugins", name, "README.md", NULL);
		g_autofree gchar *readme = NULL;

		g_assert_nonnull (keys);
		g_assert_nonnull (keys[0].name);
		g_assert_true (g_file_get_contents (readme_path, &readme, NULL, &error));
		g_assert_no_error (error);
		for (guint k = 0; keys[k].name != NULL; k++) {
			g_autofree gchar *quoted = g_strdup_printf ("`%s`", keys[k].name);
			g_autofree gchar *value = NULL;

			if (!test_documented_default (conf, name, keys[k].name, &value))
				g_error ("[plugin:%s] %s is not in data/ohed.conf", name,
					 keys[k].name);
			g_assert_cmpstr (
			    value, ==, keys[k].default_value != NULL ? keys[k].default_value : "");
			if (strstr (readme, quoted) == NULL)
				g_error ("[plugin:%s] %s is not in plugins/%s/README.md", name,
					 keys[k].name, name);
			g_assert_nonnull (keys[k].summary);
		}
	}
}

static void
test_config_environment (void)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *client_id = NULL;
	const gchar *envp[] = {"PATH=/usr/bin",
			       "OHED_DAEMON_WORKERS=7",
			       "OHED_STORE_SQLITE_PATH=/tmp/x.db",
			       "OHED_PLUGIN_WITHINGS_CLIENT_ID=from-env",
			       "OHED_CONFIG=/etc/ohed/ohed.conf",
			       NULL};
	const gchar *bad_envp[] = {"OHED_DAEMON_WORKRES=7", NULL};
	const gchar *bad_value[] = {"OHED_DAEMON_WORKERS=lots", NULL};
	const gchar *smuggled[] = {"OHED_DAEMON_SINK=fhir\n[daemon]\nworkers=0", NULL};
	const gchar *backslash[] = {"OHED_PLUGIN_WITHINGS_CLIENT_SECRET=a\\nb", NULL};
	g_autofree gchar *secret = NULL;
	g_autofree gchar *path = NULL;

	g_assert_true (ohe_config_load_data (config, "[daemon]\nworkers=3\n", &error));
	g_assert_true (ohe_config_apply_environment (config, envp, &error));
	g_assert_no_error (error);
	g_assert_cmpint (ohe_config_get_int (config, "daemon", "workers"), ==, 7);
	path = ohe_config_get_state_path (config, "store", "sqlite_path", "ohed.db");
	g_assert_cmpstr (path, ==, "/tmp/x.db");
	client_id = ohe_config_get_string (config, "plugin:withings", "client_id");
	g_assert_cmpstr (client_id, ==, "from-env");

	g_assert_false (ohe_config_apply_environment (config, bad_envp, &error));
	g_assert_nonnull (strstr (error->message, "OHED_DAEMON_WORKRES"));
	g_clear_error (&error);
	g_assert_false (ohe_config_apply_environment (config, bad_value, &error));
	g_assert_nonnull (strstr (error->message, "environment: [daemon] workers = 'lots'"));
	g_clear_error (&error);

	/* a newline cannot add keys that were never checked */
	g_assert_false (ohe_config_apply_environment (config, smuggled, &error));
	g_assert_nonnull (strstr (error->message, "OHED_DAEMON_SINK holds a control character"));
	g_clear_error (&error);
	g_assert_cmpint (ohe_config_get_int (config, "daemon", "workers"), ==, 7);

	/* a backslash in a secret is kept as it is */
	g_assert_true (ohe_config_apply_environment (config, backslash, &error));
	g_assert_no_error (error);
	secret = ohe_config_get_string (config, "plugin:withings", "client_secret");
	g_assert_cmpstr (secret, ==, "a\\nb");
}

static void
test_config_state_path (void)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;

	g_assert_true (ohe_config_load_data (config, "[daemon]\nstate_dir=/srv/ohed\n", &error));
	path = ohe_config_get_state_path (config, "store", "sqlite_path", "ohed.db");
	g_assert_cmpstr (path, ==, "/srv/ohed/ohed.db");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/config/defaults", test_config_defaults);
	g_test_add_func ("/config/documented", test_config_documented);
	g_test_add_func ("/config/errors", test_config_errors);
	g_test_add_func ("/config/environment", test_config_environment);
	g_test_add_func ("/config/state-path", test_config_state_path);
	g_test_add_func ("/config/plugin-groups", test_config_plugin_groups);
	g_test_add_func ("/config/plugin-keys-documented", test_config_plugin_keys_documented);
	return g_test_run ();
}
