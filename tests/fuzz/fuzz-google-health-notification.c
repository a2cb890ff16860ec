/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fuzz.h"
#include "ohe-google-health-notification.h"

/*
 * A Google Health notification delivery body: a verification request or a
 * list of changes, each of which names a user and a data type.
 */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(GPtrArray) hints = NULL;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	ohe_google_health_notification_is_verification (data, size);
	hints = ohe_google_health_notification_parse (data, size, NULL);
	for (guint i = 0; hints != NULL && i < hints->len; i++) {
		OheGoogleHealthSyncHint *hint = g_ptr_array_index (hints, i);
		g_assert_nonnull (hint->health_user_id);
		g_assert_nonnull (hint->data_type);
		g_assert_nonnull (hint->kinds);
		if (hint->start_us != 0 && hint->end_us != 0)
			g_assert_cmpint (hint->start_us, <=, hint->end_us);
	}
	return 0;
}
