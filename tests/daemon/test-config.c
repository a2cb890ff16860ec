/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <oheplugin.h>

#include "ohe-config.h"

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

	/* plugin groups take any key: plugins check their own */
	g_assert_true (ohe_config_load_data (config, "[plugin:withings]\nclient_id=abc\n", &error));
	g_assert_no_error (error);
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
	return g_test_run ();
}
