/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OHE_TIME_ZONE_NAME_MAX:
 *
 * The longest time-zone name accepted; the longest IANA name,
 * America/Argentina/ComodRivadavia, has 32 characters.
 *
 * Since: 0.1
 */
#define OHE_TIME_ZONE_NAME_MAX 64

gboolean
ohe_time_zone_name_is_valid (const gchar *name);
GTimeZone *
ohe_time_zone_new_from_name (const gchar *name, const gchar *what, GError **error);

G_END_DECLS
