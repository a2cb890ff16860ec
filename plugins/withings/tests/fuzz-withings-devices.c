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
	g_autoptr(GPtrArray) devices = NULL;
	if (body == NULL)
		return 0;
	devices = ohe_withings_parser_devices (body, NULL);
	return 0;
}
