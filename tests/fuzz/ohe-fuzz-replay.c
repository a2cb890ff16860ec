/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "ohe-fuzz.h"

/*
 * Runs one fuzz target without libFuzzer, so the default build replays it
 * as a unit test: every file of its seed corpus (which must not be empty)
 * and of its crash directory (which may not exist), one test case each.
 * An input that made the target crash once must now parse or fail cleanly.
 *
 *   fuzz-replay-<target> --tap CORPUS_DIR [CRASH_DIR]
 */

static void
ohe_fuzz_replay_file (gconstpointer user_data)
{
	const gchar *path = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	g_assert_true (g_file_get_contents (path, &contents, &len, &error));
	g_assert_no_error (error);
	g_assert_cmpint (LLVMFuzzerTestOneInput ((const guint8 *)contents, len), ==, 0);
}

static gint
ohe_fuzz_compare_names (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* adds one test case per file of @dir; returns how many */
static guint
ohe_fuzz_replay_add_dir (GPtrArray *keep, const gchar *dir, const gchar *kind)
{
	g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const gchar *name;

	if (d == NULL)
		return 0;
	while ((name = g_dir_read_name (d)) != NULL) {
		if (name[0] != '.' && g_strcmp0 (name, "README.md") != 0)
			g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, ohe_fuzz_compare_names);
	for (guint i = 0; i < names->len; i++) {
		const gchar *file = g_ptr_array_index (names, i);
		gchar *path = g_build_filename (dir, file, NULL);
		g_autofree gchar *test_path =
		    g_strdup_printf ("/fuzz/%s/%s/%s", OHE_FUZZ_TARGET, kind, file);
		g_ptr_array_add (keep, path);
		g_test_add_data_func (test_path, path, ohe_fuzz_replay_file);
	}
	return names->len;
}

int
main (int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

	g_test_init (&argc, &argv, NULL);
	ohe_fuzz_init ();
	if (argc < 2 || argc > 3) {
		g_printerr ("usage: %s [--tap] CORPUS_DIR [CRASH_DIR]\n", argv[0]);
		return 2;
	}
	if (ohe_fuzz_replay_add_dir (paths, argv[1], "corpus") == 0) {
		g_printerr ("%s: the seed corpus %s is missing or empty\n", OHE_FUZZ_TARGET,
			    argv[1]);
		return 1;
	}
	if (argc == 3)
		ohe_fuzz_replay_add_dir (paths, argv[2], "crashes");
	return g_test_run ();
}
