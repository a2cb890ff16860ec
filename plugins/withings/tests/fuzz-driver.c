/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz-withings.h"

/*
 * Runs a libFuzzer target without clang: every seed file given on the
 * command line as is, then OHE_FUZZ_ITERATIONS (default 2000) mutations of
 * them from a fixed seed, so a failure reproduces. The target must neither
 * crash nor raise a critical (the test environment makes criticals fatal).
 */

static GPtrArray *seeds = NULL; /* element-type GBytes */

/* tokens that turn a valid document into an interesting invalid one */
static const gchar *const fuzz_tokens[] = {
    "null",
    "[]",
    "{}",
    "\"\"",
    "\"x\"",
    "-1",
    "0",
    "1e309",
    "9223372036854775808",
    "-9223372036854775809",
    "3.5",
    "true",
    "{\"a\":",
    "]",
    "&",
    "=",
    "%",
    "%zz",
    "\xff",
};

static GByteArray *
fuzz_mutate (GRand *rand, GBytes *seed)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (seed, &len);
	GByteArray *out = g_byte_array_sized_new ((guint)len + 64);
	guint n_ops = (guint)g_rand_int_range (rand, 1, 6);

	g_byte_array_append (out, data, (guint)len);
	for (guint op = 0; op < n_ops; op++) {
		guint pos = out->len > 0 ? (guint)g_rand_int_range (rand, 0, (gint)out->len) : 0;
		switch (g_rand_int_range (rand, 0, 6)) {
		case 0: /* flip a bit */
			if (out->len > 0)
				out->data[pos] ^= (guint8)(1u << g_rand_int_range (rand, 0, 8));
			break;
		case 1: /* truncate */
			g_byte_array_set_size (out, pos);
			break;
		case 2: { /* delete a run */
			guint want = (guint)g_rand_int_range (rand, 1, 16);
			if (out->len > 0)
				g_byte_array_remove_range (out, pos, MIN (want, out->len - pos));
			break;
		}
		case 3: { /* insert a token */
			const gchar *tok =
			    fuzz_tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (fuzz_tokens))];
			{
				g_autoptr(GByteArray) tail = g_byte_array_new ();
				g_byte_array_append (tail, out->data + pos, out->len - pos);
				g_byte_array_set_size (out, pos);
				g_byte_array_append (out, (const guint8 *)tok, (guint)strlen (tok));
				g_byte_array_append (out, tail->data, tail->len);
			}
			break;
		}
		case 4: /* replace a digit with another */
			for (guint i = pos; i < out->len; i++) {
				if (g_ascii_isdigit (out->data[i])) {
					out->data[i] =
					    (guint8)('0' + g_rand_int_range (rand, 0, 10));
					break;
				}
			}
			break;
		default: { /* duplicate a chunk */
			guint want = (guint)g_rand_int_range (rand, 1, 64);
			g_autoptr(GByteArray) chunk = g_byte_array_new ();
			g_byte_array_append (chunk, out->data + pos, MIN (want, out->len - pos));
			g_byte_array_append (out, chunk->data, chunk->len);
			break;
		}
		}
	}
	return out;
}

static void
test_fuzz_seeds (void)
{
	g_assert_cmpuint (seeds->len, >, 0);
	for (guint i = 0; i < seeds->len; i++) {
		gsize len = 0;
		const guint8 *data = g_bytes_get_data (g_ptr_array_index (seeds, i), &len);
		g_assert_cmpint (LLVMFuzzerTestOneInput (data, len), ==, 0);
	}
	/* the degenerate inputs */
	g_assert_cmpint (LLVMFuzzerTestOneInput ((const guint8 *)"", 0), ==, 0);
	g_assert_cmpint (LLVMFuzzerTestOneInput ((const guint8 *)"{", 1), ==, 0);
}

static void
test_fuzz_mutations (void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed (0x5eed);
	const gchar *env = g_getenv ("OHE_FUZZ_ITERATIONS");
	guint64 iterations = 2000;

	if (env != NULL)
		g_assert_true (
		    g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT32, &iterations, NULL));
	for (guint64 i = 0; i < iterations; i++) {
		GBytes *seed =
		    g_ptr_array_index (seeds, g_rand_int_range (rand, 0, (gint)seeds->len));
		g_autoptr(GByteArray) input = fuzz_mutate (rand, seed);
		g_assert_cmpint (LLVMFuzzerTestOneInput (input->data, input->len), ==, 0);
	}
	g_test_message ("%" G_GUINT64_FORMAT " mutations", iterations);
}

int
main (int argc, char **argv)
{
	g_autoptr(GPtrArray) files =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
	int rc;

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	for (int i = 1; i < argc; i++) {
		g_autoptr(GError) error = NULL;
		gchar *contents = NULL;
		gsize len = 0;
		if (!g_file_get_contents (argv[i], &contents, &len, &error))
			g_error ("seed %s: %s", argv[i], error->message);
		g_ptr_array_add (files, g_bytes_new_take (contents, len));
	}
	seeds = files;
	g_test_add_func ("/withings/fuzz/seeds", test_fuzz_seeds);
	g_test_add_func ("/withings/fuzz/mutations", test_fuzz_mutations);
	rc = g_test_run ();
	seeds = NULL;
	return rc;
}
