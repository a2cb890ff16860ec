/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fuzz.h"
#include "ohe-withings-parser.h"

/* a Withings measure getmeas answer: every measurement it yields is valid */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(OheWithingsPage) page = NULL;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	body = ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	if (body == NULL)
		return 0;
	page = ohe_withings_parser_getmeas (body, NULL);
	for (guint i = 0; page != NULL && i < page->measurements->len; i++)
		g_assert_true (
		    ohe_measurement_validate (g_ptr_array_index (page->measurements, i), NULL));
	return 0;
}
