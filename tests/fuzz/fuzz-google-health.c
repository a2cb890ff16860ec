/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fuzz.h"
#include "ohe-google-health-parser.h"

/*
 * A Google Health API answer, read as the list response of every data type
 * (with and without the user's zone), as identity, settings, paired devices
 * and an error envelope. Every measurement it yields is valid.
 */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	static GTimeZone *tz;
	g_autoptr(JsonNode) root = NULL;

	if (tz == NULL)
		tz = g_time_zone_new_utc ();
	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	root = ohe_google_health_parse_json ((const gchar *)data, size, "fuzz", NULL);
	if (root == NULL)
		return 0;
	for (guint i = 0; i < ohe_google_health_data_type_get_n_items (); i++) {
		g_autofree gchar *next = NULL;
		g_autoptr(GPtrArray) out = ohe_google_health_parse_data_points (
		    ohe_google_health_data_type_get_item (i), root, i % 2 == 0 ? tz : NULL, &next,
		    NULL);
		for (guint j = 0; out != NULL && j < out->len; j++)
			g_assert_true (ohe_measurement_validate (g_ptr_array_index (out, j), NULL));
	}
	{
		g_autofree gchar *user = NULL;
		g_autofree gchar *legacy = NULL;
		g_autofree gchar *next = NULL;
		g_autofree gchar *status = NULL;
		g_autofree gchar *reason = NULL;
		g_autoptr(GTimeZone) zone = ohe_google_health_parse_settings (root, NULL);
		g_autoptr(GPtrArray) devices =
			       ohe_google_health_parse_paired_devices (root, &next, NULL);

		if (ohe_google_health_parse_identity (root, &user, &legacy, NULL))
			g_assert_nonnull (user);
		for (guint i = 0; devices != NULL && i < devices->len; i++) {
			OheGoogleHealthDevice *device = g_ptr_array_index (devices, i);
			g_assert_nonnull (device->id);
		}
		ohe_google_health_parse_error (root, &status, &reason);
	}
	return 0;
}
