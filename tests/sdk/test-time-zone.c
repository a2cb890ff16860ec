/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "oheplugin.h"

static void
ohe_test_time_zone_names (void)
{
	const gchar *const valid[] = {
	    "UTC",
	    "Europe/Paris",
	    "America/Port-au-Prince",
	    "America/Argentina/Buenos_Aires",
	    "Etc/GMT+5",
	    "Etc/GMT-14",
	    "EST5EDT",
	    "America/Argentina/ComodRivadavia",
	};
	const gchar *const invalid[] = {
	    "",
	    "/etc/shadow",
	    "../../../../etc/passwd",
	    "Europe/../../../etc/passwd",
	    "Europe/./Paris",
	    ".hidden",
	    "Europe/.Paris",
	    "Europe//Paris",
	    "Europe/",
	    "-Europe",
	    "Europe/Paris ",
	    "Europe/Paris\n",
	    "Europe\\Paris",
	    "Europe/Par\x1b[2Jis",
	    "Europe/Z\xc3\xbcrich",
	    "EST5EDT,M3.2.0,M11.1.0",
	    "+01:00",
	    "0Europe",
	    "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", /* 65 */
	};

	for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
		g_test_message ("valid: %s", valid[i]);
		g_assert_true (ohe_time_zone_name_is_valid (valid[i]));
	}
	for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
		g_test_message ("invalid %u", i);
		g_assert_false (ohe_time_zone_name_is_valid (invalid[i]));
	}
	g_assert_false (ohe_time_zone_name_is_valid (NULL));
	g_assert_cmpuint (strlen (invalid[G_N_ELEMENTS (invalid) - 1]), ==,
			  OHE_TIME_ZONE_NAME_MAX + 1);
}

static void
ohe_test_time_zone_new (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GTimeZone) tz = NULL;

	tz = ohe_time_zone_new_from_name ("America/New_York", "body.timezone", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (g_time_zone_get_identifier (tz), ==, "America/New_York");
	/* 2023-11-14T22:13:20Z is in standard time */
	g_assert_cmpint (g_time_zone_get_offset (
			     tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, 1700000000)),
			 ==, -5 * 3600);
	g_clear_pointer (&tz, g_time_zone_unref);

	tz = ohe_time_zone_new_from_name ("/etc/shadow", "body.timezone", &error);
	g_assert_null (tz);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "body.timezone is not an IANA time-zone name");
	g_clear_error (&error);

	tz = ohe_time_zone_new_from_name ("../../../../etc/passwd", "body.timezone", &error);
	g_assert_null (tz);
	g_assert_cmpstr (error->message, ==, "body.timezone is not an IANA time-zone name");
	g_clear_error (&error);

	tz = ohe_time_zone_new_from_name ("Mars/Olympus_Mons", "body.timezone", &error);
	g_assert_null (tz);
	g_assert_cmpstr (error->message, ==, "body.timezone is not a known IANA time zone");
	g_clear_error (&error);

	tz = ohe_time_zone_new_from_name (NULL, NULL, &error);
	g_assert_null (tz);
	g_assert_cmpstr (error->message, ==, "time zone is missing");
}

/* opening a FIFO blocks until a writer comes: the name must be refused unopened */
static void
ohe_test_time_zone_fifo (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-tz-XXXXXX", &error);
	g_autofree gchar *fifo = NULL;
	g_autofree gchar *relative = NULL;
	g_autoptr(GTimeZone) tz = NULL;

	g_assert_no_error (error);
	fifo = g_build_filename (dir, "zone", NULL);
	g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
	relative = g_strconcat ("../../../../../../../../../..", fifo, NULL);

	tz = ohe_time_zone_new_from_name (fifo, "timezone", &error);
	g_assert_null (tz);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_clear_error (&error);
	tz = ohe_time_zone_new_from_name (relative, "timezone", &error);
	g_assert_null (tz);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);

	g_unlink (fifo);
	g_rmdir (dir);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/time-zone/names", ohe_test_time_zone_names);
	g_test_add_func ("/time-zone/new", ohe_test_time_zone_new);
	g_test_add_func ("/time-zone/fifo", ohe_test_time_zone_fifo);
	return g_test_run ();
}
