/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <oheplugin.h>

#include "ohe-secret-box.h"

static const guint8 key_a[32] = {1,  2,	 3,  4,	 5,  6,	 7,  8,	 9,  10, 11, 12, 13, 14, 15, 16,
				 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const guint8 key_b[32] = {9};

static void
test_secret_box_round_trip (void)
{
	g_autoptr(OheSecretBox) box = ohe_secret_box_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(GBytes) sealed2 = NULL;
	g_autofree gchar *opened = NULL;
	const gchar *secret = "{\"access_token\":\"at-secret\",\"refresh_token\":\"rt-secret\"}";
	gsize size;
	const gchar *data;

	g_assert_true (ohe_secret_box_add_key (box, key_a, sizeof (key_a), &error));
	g_assert_no_error (error);
	g_assert_cmpuint (strlen (ohe_secret_box_get_key_id (box)), ==, 8);
	sealed = ohe_secret_box_seal (box, secret, "link-1", &error);
	g_assert_no_error (error);
	data = g_bytes_get_data (sealed, &size);
	g_assert_true (g_str_has_prefix (data, "ohe1."));
	g_assert_null (g_strstr_len (data, size, "secret"));

	opened = ohe_secret_box_open (box, sealed, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (opened, ==, secret);

	/* a fresh nonce each time */
	sealed2 = ohe_secret_box_seal (box, secret, "link-1", &error);
	g_assert_false (g_bytes_equal (sealed, sealed2));
}

static void
test_secret_box_refuses (void)
{
	g_autoptr(OheSecretBox) box = ohe_secret_box_new ();
	g_autoptr(OheSecretBox) other = ohe_secret_box_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(GBytes) tampered = NULL;
	g_autoptr(GBytes) garbage = g_bytes_new_static ("{\"access_token\":\"x\"}", 20);
	g_autofree gchar *opened = NULL;
	g_autofree gchar *copy = NULL;
	gsize size;

	g_assert_true (ohe_secret_box_add_key (box, key_a, sizeof (key_a), &error));
	g_assert_true (ohe_secret_box_add_key (other, key_b, sizeof (key_b), &error));
	sealed = ohe_secret_box_seal (box, "secret", "link-1", &error);
	g_assert_no_error (error);

	/* bound to its link */
	opened = ohe_secret_box_open (box, sealed, "link-2", &error);
	g_assert_null (opened);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);

	/* unknown key id */
	opened = ohe_secret_box_open (other, sealed, "link-1", &error);
	g_assert_null (opened);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, ohe_secret_box_get_key_id (box)));
	g_clear_error (&error);

	/* one flipped character */
	copy = g_strndup (g_bytes_get_data (sealed, &size), g_bytes_get_size (sealed));
	copy[size - 3] = copy[size - 3] == 'A' ? 'B' : 'A';
	tampered = g_bytes_new (copy, size);
	opened = ohe_secret_box_open (box, tampered, "link-1", &error);
	g_assert_null (opened);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);

	/* plaintext from before sealing existed */
	opened = ohe_secret_box_open (box, garbage, "link-1", &error);
	g_assert_null (opened);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);

	g_assert_false (ohe_secret_box_add_key (box, key_a, 16, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
}

static void
test_secret_box_rotation_and_files (void)
{
	g_autofree gchar *dir = g_build_filename (g_get_user_data_dir (), "keys", NULL);
	g_autofree gchar *path = g_build_filename (dir, "token.key", NULL);
	g_autofree gchar *bad = g_build_filename (g_get_user_data_dir (), "bad.key", NULL);
	g_autoptr(OheSecretBox) old_box = ohe_secret_box_new ();
	g_autoptr(OheSecretBox) new_box = ohe_secret_box_new ();
	g_autoptr(OheSecretBox) again = ohe_secret_box_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autofree gchar *opened = NULL;
	GStatBuf st;

	/* created once with mode 0600, then read back as the same key */
	g_assert_true (ohe_secret_box_add_key_file (new_box, path, TRUE, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_stat (path, &st), ==, 0);
	g_assert_cmpint (st.st_mode & 0777, ==, 0600);
	g_assert_true (ohe_secret_box_add_key_file (again, path, FALSE, &error));
	g_assert_cmpstr (ohe_secret_box_get_key_id (again), ==,
			 ohe_secret_box_get_key_id (new_box));

	/* rotation: the new key seals, the old one still opens */
	g_assert_true (ohe_secret_box_add_key (old_box, key_a, sizeof (key_a), &error));
	sealed = ohe_secret_box_seal (old_box, "old secret", "link-1", &error);
	g_assert_true (ohe_secret_box_add_key (new_box, key_a, sizeof (key_a), &error));
	opened = ohe_secret_box_open (new_box, sealed, "link-1", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (opened, ==, "old secret");

	g_assert_true (g_file_set_contents_full (bad, "not a key\n", -1,
						 G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
	g_assert_false (ohe_secret_box_add_key_file (again, bad, FALSE, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "32 bytes or 64 hex digits"));
	g_clear_error (&error);

	/* a key others can read is refused, whatever it holds, like ssh's */
	{
		g_autofree gchar *expected = NULL;
		g_assert_cmpint (g_chmod (path, 0640), ==, 0);
		g_assert_false (ohe_secret_box_add_key_file (again, path, TRUE, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
		expected = g_strdup_printf ("token key %s is accessible by group or others (mode "
					    "0640); run chmod 600 %s",
					    path, path);
		g_assert_cmpstr (error->message, ==, expected);
		g_clear_error (&error);
		g_assert_cmpint (g_chmod (path, 0604), ==, 0);
		g_assert_false (ohe_secret_box_add_key_file (again, path, FALSE, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/secret-box/round-trip", test_secret_box_round_trip);
	g_test_add_func ("/secret-box/refuses", test_secret_box_refuses);
	g_test_add_func ("/secret-box/rotation-and-files", test_secret_box_rotation_and_files);
	return g_test_run ();
}
