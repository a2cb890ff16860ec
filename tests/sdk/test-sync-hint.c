/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <oheplugin.h>

static void
test_sync_hint_window (void)
{
	g_autoptr (OheSyncHint) hint = ohe_sync_hint_new ("12345", 1000, 2000);
	g_assert_cmpstr (ohe_sync_hint_get_external_user_id (hint), ==, "12345");
	g_assert_cmpint (ohe_sync_hint_get_start (hint), ==, 1000);
	g_assert_cmpint (ohe_sync_hint_get_end (hint), ==, 2000);
	g_assert_cmpuint (ohe_sync_hint_get_n_kinds (hint), ==, 0);
}

static void
test_sync_hint_kinds (void)
{
	g_autoptr (OheSyncHint) hint = ohe_sync_hint_new ("12345", 0, 0);
	ohe_sync_hint_add_kind (hint, OHE_MEASUREMENT_KIND_HEART_RATE);
	ohe_sync_hint_add_kind (hint, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	ohe_sync_hint_add_kind (hint, OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_cmpuint (ohe_sync_hint_get_n_kinds (hint), ==, 2);
	g_assert_cmpint (ohe_sync_hint_get_kind (hint, 0), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_cmpint (ohe_sync_hint_get_kind (hint, 1), ==, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	g_assert_true (ohe_sync_hint_has_kind (hint, OHE_MEASUREMENT_KIND_BODY_WEIGHT));
	g_assert_false (ohe_sync_hint_has_kind (hint, OHE_MEASUREMENT_KIND_STEPS));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/sync-hint/window", test_sync_hint_window);
	g_test_add_func ("/sync-hint/kinds", test_sync_hint_kinds);
	return g_test_run ();
}
