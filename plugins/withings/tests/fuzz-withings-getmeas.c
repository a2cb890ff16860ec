/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fuzz-withings.h"
#include "ohe-withings-parser.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonObject) body =
		       ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	g_autoptr(OheWithingsPage) page = NULL;
	if (body == NULL)
		return 0;
	page = ohe_withings_parser_getmeas (body, NULL);
	if (page != NULL) {
		for (guint i = 0; i < page->measurements->len; i++)
			g_assert_true (ohe_measurement_validate (
			    g_ptr_array_index (page->measurements, i), NULL));
	}
	return 0;
}
