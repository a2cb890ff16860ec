/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fuzz.h"
#include "ohe-withings-parser.h"

/*
 * A Withings measure getintradayactivity answer, read in a zone with
 * daylight saving time and in UTC: every measurement it yields is valid.
 */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	static GTimeZone *zones[2];
	g_autoptr(JsonObject) body = NULL;

	if (zones[0] == NULL) {
		zones[0] = g_time_zone_new_identifier ("Europe/Berlin");
		zones[1] = g_time_zone_new_utc ();
		if (zones[0] == NULL)
			zones[0] = g_time_zone_new_utc ();
	}
	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	body = ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	if (body == NULL)
		return 0;
	for (guint z = 0; z < G_N_ELEMENTS (zones); z++) {
		g_autoptr(OheWithingsPage) page =
			       ohe_withings_parser_intraday (body, zones[z], NULL, NULL);
		for (guint i = 0; page != NULL && i < page->measurements->len; i++)
			g_assert_true (ohe_measurement_validate (
			    g_ptr_array_index (page->measurements, i), NULL));
	}
	return 0;
}
