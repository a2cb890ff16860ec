/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fuzz-withings.h"
#include "ohe-withings-parser.h"

/* heart list and heart get: one input is fed to both */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonObject) body =
		       ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	g_autoptr(GPtrArray) records = NULL;
	g_autoptr(GPtrArray) ecg = NULL;
	OheWithingsEcgRecord record = {887766502, 1, 72, 1736850000, 91, (gchar *)"dev"};
	gboolean more = FALSE;
	gint64 offset = 0;

	if (body == NULL)
		return 0;
	records = ohe_withings_parser_heart_list (body, &more, &offset, NULL);
	ecg = ohe_withings_parser_heart_get (body, &record, NULL, NULL);
	if (ecg != NULL) {
		for (guint i = 0; i < ecg->len; i++)
			g_assert_true (ohe_measurement_validate (g_ptr_array_index (ecg, i), NULL));
	}
	return 0;
}
