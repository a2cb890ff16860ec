/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fuzz-withings.h"
#include "ohe-withings-webhook.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(OheWithingsSyncHint) hint =
		       ohe_withings_webhook_parse ((const gchar *)data, size, NULL);
	if (hint != NULL)
		g_assert_nonnull (hint->userid);
	return 0;
}
