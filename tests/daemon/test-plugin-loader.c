/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
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
	g_assert_true (
	    ohe_provider_supports_kind (OHE_PROVIDER (plugin), OHE_MEASUREMENT_KIND_HEART_RATE));

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
	g_test_expect_message (
	    "ohed", G_LOG_LEVEL_WARNING,
	    "refusing plugin */libohe_notaprovider.so: plugin notaprovider: type "
	    "OheNotAProvider is neither an OheProvider nor an OheSink");
	g_test_expect_message (
	    "ohed", G_LOG_LEVEL_WARNING,
	    "refusing plugin */libohe_wrongabi.so: built for plugin ABI 99, this "
	    "ohed provides ABI 1");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
			       "refusing plugin */ohe-misnamed.so: file name is not "
			       "libohe_<name>.so with a name of 1-32 characters of [a-z0-9]; not "
			       "opened");
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, bad_plugin_dir (), &error), ==, 0);
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	failures = ohe_plugin_loader_get_failures (loader);
	g_assert_cmpuint (failures->len, ==, 5);
	g_assert_nonnull (strstr (g_ptr_array_index (failures, 3), "ABI 99"));
	/* its constructor never ran */
	g_assert_null (g_getenv ("OHE_TEST_MISNAMED_OPENED"));

	/* the good plugins still load in the same process */
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, plugin_dir (), &error), ==, 2);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_plugin_loader_get_plugins (loader)->len, ==, 2);
}

static void
copy_module (const gchar *from_dir,
	     const gchar *from_name,
	     const gchar *to_dir,
	     const gchar *to_name)
{
	g_autofree gchar *from = g_build_filename (from_dir, from_name, NULL);
	g_autofree gchar *to = g_build_filename (to_dir, to_name, NULL);
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	g_assert_true (g_file_get_contents (from, &contents, &len, &error));
	g_assert_no_error (error);
	g_assert_true (g_file_set_contents_full (to, contents, (gssize)len,
						 G_FILE_SET_CONTENTS_NONE, 0755, &error));
	g_assert_no_error (error);
}

/* a name other than libohe_<name>.so is refused before it is opened */
static void
test_loader_file_names (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *root = g_dir_make_tmp ("ohe-plugins-XXXXXX", &error);
	g_autofree gchar *dir = g_build_filename (root, "plugins", NULL);
	g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
	const gchar *const refused[] = {"synthetic.so", "libohe_.so", "libohe_Synthetic.so",
					"libohe_synthetic-2.so", "libohe_synthetic.so.so"};
	GPtrArray *failures;

	g_assert_no_error (error);
	g_assert_cmpint (g_chmod (root, 0755), ==, 0);
	g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
	/* the module that marks the environment when opened, under each name */
	for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
		copy_module (bad_plugin_dir (), "ohe-misnamed.so", dir, refused[i]);

	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING, "refusing plugin *not opened");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING, "refusing plugin *not opened");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING, "refusing plugin *not opened");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING, "refusing plugin *not opened");
	g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING, "refusing plugin *not opened");
	g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, dir, &error), ==, 0);
	g_test_assert_expected_messages ();
	g_assert_no_error (error);
	g_assert_null (g_getenv ("OHE_TEST_MISNAMED_OPENED"));
	failures = ohe_plugin_loader_get_failures (loader);
	g_assert_cmpuint (failures->len, ==, G_N_ELEMENTS (refused));

	for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
		g_autofree gchar *path = g_build_filename (dir, refused[i], NULL);
		g_unlink (path);
	}
	g_rmdir (dir);
	g_rmdir (root);
}

/* whoever can write a module or its directory could run code in ohed; run
 * in a subprocess, as it registers the null sink's type */
static void
test_loader_writable_run (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *root = g_dir_make_tmp ("ohe-plugins-XXXXXX", &error);
	g_autofree gchar *dir = g_build_filename (root, "plugins", NULL);
	g_autofree gchar *module = g_build_filename (dir, "libohe_nullsink.so", NULL);
	g_autofree gchar *expected = NULL;

	g_assert_no_error (error);
	g_assert_cmpint (g_chmod (root, 0755), ==, 0);
	g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
	copy_module (plugin_dir (), "libohe_nullsink.so", dir, "libohe_nullsink.so");

	/* a directory writable by others */
	{
		g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
		g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
		g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, dir, &error), ==, 0);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
		expected = g_strdup_printf ("plugin directory %s is writable by group or others "
					    "(mode 0777); run chmod go-w %s",
					    dir, dir);
		g_assert_cmpstr (error->message, ==, expected);
		g_clear_pointer (&expected, g_free);
		g_clear_error (&error);
		g_assert_cmpuint (ohe_plugin_loader_get_plugins (loader)->len, ==, 0);
		g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
	}
	/* its parent writable by the group */
	{
		g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
		g_assert_cmpint (g_chmod (root, 0775), ==, 0);
		g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, dir, &error), ==, 0);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
		g_assert_true (
		    g_str_has_prefix (error->message, "parent of the plugin directory "));
		g_clear_error (&error);
		/* with the sticky bit, as /tmp, others cannot replace the directory */
		g_assert_cmpint (g_chmod (root, 01777), ==, 0);
		g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, dir, &error), ==, 1);
		g_assert_no_error (error);
		g_assert_cmpint (g_chmod (root, 0755), ==, 0);
	}
	/* a module writable by the group is refused unopened, the others still load */
	{
		g_autoptr(OhePluginLoader) loader = ohe_plugin_loader_new (NULL);
		GPtrArray *failures;
		g_assert_cmpint (g_chmod (module, 0775), ==, 0);
		g_test_expect_message ("ohed", G_LOG_LEVEL_WARNING,
				       "refusing plugin */libohe_nullsink.so: plugin "
				       "*/libohe_nullsink.so is writable by group or others (mode "
				       "0775); run chmod go-w */libohe_nullsink.so");
		g_assert_cmpuint (ohe_plugin_loader_load_dir (loader, dir, &error), ==, 0);
		g_test_assert_expected_messages ();
		g_assert_no_error (error);
		failures = ohe_plugin_loader_get_failures (loader);
		g_assert_cmpuint (failures->len, ==, 1);
	}
	g_unlink (module);
	g_rmdir (dir);
	g_rmdir (root);
}

static void
test_loader_writable (void)
{
	if (!g_test_subprocess ()) {
		g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
		g_test_trap_assert_passed ();
		return;
	}
	test_loader_writable_run ();
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
	g_test_add_func ("/plugin-loader/file-names", test_loader_file_names);
	g_test_add_func ("/plugin-loader/writable", test_loader_writable);
	return g_test_run ();
}
