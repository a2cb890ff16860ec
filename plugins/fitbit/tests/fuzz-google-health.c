/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-google-health-notification.h"
#include "ohe-google-health-parser.h"

/*
 * libFuzzer entry point for every Google Health parser: each input is read as
 * a list response of every data type, as identity, settings, paired devices,
 * an error envelope and a notification. Nothing may crash or leak.
 */

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonNode) root =
		       ohe_google_health_parse_json ((const gchar *)data, size, "fuzz", NULL);
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
	g_autoptr(GPtrArray) hints = ohe_google_health_notification_parse (data, size, NULL);

	ohe_google_health_notification_is_verification (data, size);
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
		ohe_google_health_parse_identity (root, &user, &legacy, NULL);
		ohe_google_health_parse_error (root, &status, &reason);
	}
	return 0;
}
