/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-config.h"
#include "ohe-fuzz.h"

/*
 * ohed.conf, as the daemon reads it: load, validate, and read the keys the
 * engine reads. A refused file comes with an error.
 */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(OheConfig) config = ohe_config_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;

	/* GKeyFile reads a C string: an embedded NUL ends the file early */
	text = ohe_fuzz_dup_string (data, size);
	if (!ohe_config_load_data (config, text, &error) || !ohe_config_validate (config, &error)) {
		g_assert_nonnull (error);
		g_assert_nonnull (error->message);
		return 0;
	}
	{
		g_auto(GStrv) dirs = ohe_config_get_list (config, "daemon", "plugin_dir");
		g_autofree gchar *db =
		    ohe_config_get_state_path (config, "store", "sqlite_path", "ohed.db");
		g_autofree gchar *sink = ohe_config_get_string (config, "daemon", "sink");
		gint workers = ohe_config_get_int (config, "daemon", "workers");

		g_assert_cmpint (workers, >=, 1);
		g_assert_cmpint (workers, <=, 64);
		g_assert_nonnull (db);
	}
	return 0;
}
