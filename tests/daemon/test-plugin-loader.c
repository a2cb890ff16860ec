/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-plugin-loader.h"

static const gchar *
plugin_dir (void)
{
	const gchar *dir = g_getenv ("OHE_TEST_PLUGIN_DIR");
	g_assert_nonnull (dir);
	return dir;
}

static const gchar *
bad_plugin_dir (void)
{
	const gchar *dir = g_getenv ("OHE_TEST_BAD_PLUGIN_DIR");
	g_assert_nonnull (dir);
	return dir;
}

static void
test_loader_good (void)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (metrics);
	g_autoptr(GError) error = NULL;
	OhePlugin *plugin;

	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, plugin_dir (), &error), ==, 2);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_plugin_loader_get_failures (loader)->len, ==, 0);
	g_assert_nonnull (ohe_plugin_loader_get_provider (loader, "synthetic"));
	g_assert_nonnull (ohe_plugin_loader_get_sink (loader, "nullsink"));
	g_assert_null (ohe_plugin_loader_get_sink (loader, "synthetic"));
	plugin = ohe_plugin_loader_get_plugin (loader, "synthetic");
	g_assert_cmpstr (ohe_plugin_get_name (plugin), ==, "synthetic");
	g_assert_true (ohe_plugin_get_metrics (plugin) == metrics);
	g_assert_true (g_str_has_suffix (ohe_plugin_loader_get_plugin_path (loader, "synthetic"),
					 "libohe_synthetic.so"));
	g_assert_true (ohe_provider_supports_kind (OHE_PROVIDER (plugin),
						   OHE_MEASUREMENT_KIND_HEART_RATE));

	/* the same plugin twice is a conflict, not a second instance */
	{
		g_autofree gchar *path =
		    g_build_filename (plugin_dir (), "libohe_synthetic.so", NULL);
		g_assert_null (ohe_plugin_loader_load_file (loader, path, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	}
	g_assert_cmpuint (ohe_plugin_loader_get_plugins (loader)->len, ==, 2);
}

static void
test_loader_allow_deny (void)
{
	g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
	g_autoptr(OhePluginLoader) loader2 = ohe_plugin_loader_new (NULL);
	const gchar *allow[] = {"synthetic", NULL};
	const gchar *deny[] = {"synthetic", NULL};
	g_autoptr(GError) error = NULL;

	ohe_plugin_loader_set_allow_list (loader, allow);
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, plugin_dir (), &error), ==, 1);
	g_assert_nonnull (ohe_plugin_loader_get_plugin (loader, "synthetic"));
	g_assert_null (ohe_plugin_loader_get_plugin (loader, "nullsink"));
	/* excluded is not a failure */
	g_assert_cmpuint (ohe_plugin_loader_get_failures (loader)->len, ==, 0);

	/* deny wins over allow */
	ohe_plugin_loader_set_allow_list (loader2, allow);
	ohe_plugin_loader_set_deny_list (loader2, deny);
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader2, plugin_dir (), &error), ==, 0);
	g_assert_cmpuint (ohe_plugin_loader_get_plugins (loader2)->len, ==, 0);
}

static void
test_loader_bad (void)
{
	g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
	g_autoptr(GError) error = NULL;
	GPtrArray *failures;

	/* one clear log line per refused module, in name order */
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
			       "refusing plugin */libohe_corrupt.so: cannot open module*");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
			       "refusing plugin */libohe_noquery.so: module does not export "
			       "ohe_plugin_query()");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
			       "refusing plugin */libohe_notaprovider.so: plugin notaprovider: type "
			       "OheNotAProvider is neither an OheProvider nor an OheSink");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
			       "refusing plugin */libohe_wrongabi.so: built for plugin ABI 99, this "
			       "ohed provides ABI 1");
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, bad_plugin_dir (), &error), ==, 0);
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	failures = ohe_plugin_loader_get_failures (loader);
	g_assert_cmpuint (failures->len, ==, 4);
	g_assert_nonnull (strstr (g_ptr_array_index (failures, 3), "ABI 99"));

	/* the good plugins still load in the same process */
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, plugin_dir (), &error), ==, 2);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_plugin_loader_get_plugins (loader)->len, ==, 2);
}

static void
test_loader_missing_dir (void)
{
	g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
	g_autoptr(GError) error = NULL;
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, "/nonexistent/ohe", &error), ==, 0);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_nonnull (strstr (error->message, "/nonexistent/ohe"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/plugin-loader/good", test_loader_good);
	g_test_add_func ("/plugin-loader/allow-deny", test_loader_allow_deny);
	g_test_add_func ("/plugin-loader/bad", test_loader_bad);
	g_test_add_func ("/plugin-loader/missing-dir", test_loader_missing_dir);
	return g_test_run ();
}
