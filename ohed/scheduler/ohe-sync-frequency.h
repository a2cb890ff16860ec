/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OheSyncFrequency:
 * @OHE_SYNC_FREQUENCY_REALTIME: pushes sync at once; an incremental poll every 5 minutes
 *   catches what no push announces
 * @OHE_SYNC_FREQUENCY_HOURLY: an incremental sync every hour (the default)
 * @OHE_SYNC_FREQUENCY_DAILY: an incremental sync every 24 hours
 *
 * How often the scheduler syncs a user's links from their cursors. The names are stored in
 * the users table.
 */
typedef enum {
	OHE_SYNC_FREQUENCY_REALTIME,
	OHE_SYNC_FREQUENCY_HOURLY,
	OHE_SYNC_FREQUENCY_DAILY,
	/*< private >*/
	OHE_SYNC_FREQUENCY_LAST
} OheSyncFrequency;

#define OHE_SYNC_FREQUENCY_DEFAULT OHE_SYNC_FREQUENCY_HOURLY

const gchar *
ohe_sync_frequency_to_string (OheSyncFrequency frequency);
OheSyncFrequency
ohe_sync_frequency_from_string (const gchar *name);
gint64
ohe_sync_frequency_get_interval (OheSyncFrequency frequency);

G_END_DECLS
