/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib.h>

/*
 * Runs the fuzz entry point without libFuzzer: over every fixture, then over
 * seeded random mutations of them (byte flips, truncations, insertions of
 * JSON-significant characters), so every CI run covers malformed input.
 */

#define OHE_FUZZ_MUTATIONS 2500

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static const gchar ohe_fuzz_tokens[] = "{}[]\":,-0123456789.eEsZT\\ ntf";

static void
ohe_fuzz_mutate (GRand *rand, GByteArray *buf)
{
	guint n = (guint)g_rand_int_range (rand, 1, 8);
	for (guint i = 0; i < n && buf->len > 0; i++) {
		guint pos = (guint)g_rand_int_range (rand, 0, (gint32)buf->len);
		switch (g_rand_int_range (rand, 0, 5)) {
		case 0:
			buf->data[pos] ^= (guint8)(1u << g_rand_int_range (rand, 0, 8));
			break;
		case 1:
			g_byte_array_set_size (buf, pos);
			break;
		case 2: {
			guint8 c = (guint8)ohe_fuzz_tokens[g_rand_int_range (
			    rand, 0, sizeof (ohe_fuzz_tokens) - 1)];
			g_array_insert_val ((GArray *)buf, pos, c);
			break;
		}
		case 3:
			g_byte_array_remove_index (buf, pos);
			break;
		default:
			buf->data[pos] = (guint8)ohe_fuzz_tokens[g_rand_int_range (
			    rand, 0, sizeof (ohe_fuzz_tokens) - 1)];
			break;
		}
	}
}

static void
test_fuzz (void)
{
	g_autofree gchar *dirname = g_test_build_filename (G_TEST_DIST, "fixtures", NULL);
	g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
	g_autoptr(GPtrArray) corpus =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	g_autoptr(GRand) rand = g_rand_new_with_seed (0x0fe1);
	const gchar *name;

	g_assert_nonnull (dir);
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *path = g_build_filename (dirname, name, NULL);
		gchar *data = NULL;
		gsize len = 0;
		g_assert_true (g_file_get_contents (path, &data, &len, NULL));
		LLVMFuzzerTestOneInput ((const guint8 *)data, len);
		g_ptr_array_add (corpus, g_bytes_new_take (data, len));
	}
	g_assert_cmpuint (corpus->len, >=, 20);
	for (guint i = 0; i < OHE_FUZZ_MUTATIONS; i++) {
		GBytes *seed = g_ptr_array_index (corpus, i % corpus->len);
		gsize len = 0;
		const guint8 *data = g_bytes_get_data (seed, &len);
		g_autoptr(GByteArray) buf = g_byte_array_sized_new ((guint)len);
		g_byte_array_append (buf, data, (guint)len);
		ohe_fuzz_mutate (rand, buf);
		LLVMFuzzerTestOneInput (buf->data, buf->len);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/fitbit/fuzz/parsers", test_fuzz);
	return g_test_run ();
}
