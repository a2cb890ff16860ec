/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fuzz.h"
#include "ohe-withings-parser.h"

/* a Withings user getdevice answer: every device has an id */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GPtrArray) devices = NULL;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	body = ohe_withings_parser_envelope_from_data ((const gchar *)data, size, NULL);
	if (body == NULL)
		return 0;
	devices = ohe_withings_parser_devices (body, NULL);
	for (guint i = 0; devices != NULL && i < devices->len; i++) {
		OheWithingsDevice *device = g_ptr_array_index (devices, i);
		g_assert_nonnull (device->deviceid);
	}
	return 0;
}
