/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fuzz.h"
#include "ohe-withings-parser.h"

/*
 * A Withings heart list and heart get answer: the records of one, the ECG
 * of the other, whose measurements must all be valid.
 */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) records = NULL;
	g_autoptr(GPtrArray) ecg = NULL;
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
	OheWithingsEcgRecord record = {887766502, 1, 72, 1736850000, 91, (gchar *)"dev"};
	gboolean more = FALSE;
	gint64 offset = 0;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	body = ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	if (body == NULL)
		return 0;
	records = ohe_withings_parser_heart_list (body, &more, &offset, NULL);
	for (guint i = 0; records != NULL && i < records->len; i++) {
		OheWithingsEcgRecord *r = g_ptr_array_index (records, i);
		g_assert_nonnull (r);
	}
	ecg = ohe_withings_parser_heart_get (body, &record, size % 2 == 0 ? tz : NULL, NULL);
	for (guint i = 0; ecg != NULL && i < ecg->len; i++)
		g_assert_true (ohe_measurement_validate (g_ptr_array_index (ecg, i), NULL));
	return 0;
}
