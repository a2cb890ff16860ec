/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-sync-frequency.h"

/* indexed by OheSyncFrequency: the stored name and the incremental interval */
static const struct {
	const gchar *name;
	gint64 interval_us;
} ohe_sync_frequencies[] = {
    {"realtime", G_GINT64_CONSTANT (5) * 60 * G_USEC_PER_SEC},
    {"hourly", G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC},
    {"daily", G_GINT64_CONSTANT (24) * 3600 * G_USEC_PER_SEC},
};

G_STATIC_ASSERT (G_N_ELEMENTS (ohe_sync_frequencies) == OHE_SYNC_FREQUENCY_LAST);

/**
 * ohe_sync_frequency_to_string:
 * @frequency: an #OheSyncFrequency
 *
 * Returns: its stored name, e.g. `hourly`, or %NULL if @frequency is invalid
 */
const gchar *
ohe_sync_frequency_to_string (OheSyncFrequency frequency)
{
	if ((guint)frequency >= OHE_SYNC_FREQUENCY_LAST)
		return NULL;
	return ohe_sync_frequencies[frequency].name;
}

/**
 * ohe_sync_frequency_from_string:
 * @name: (nullable): a frequency name
 *
 * Returns: the frequency, or %OHE_SYNC_FREQUENCY_LAST if @name is none
 */
OheSyncFrequency
ohe_sync_frequency_from_string (const gchar *name)
{
	for (guint i = 0; i < OHE_SYNC_FREQUENCY_LAST; i++) {
		if (g_strcmp0 (name, ohe_sync_frequencies[i].name) == 0)
			return (OheSyncFrequency)i;
	}
	return OHE_SYNC_FREQUENCY_LAST;
}

/**
 * ohe_sync_frequency_get_interval:
 * @frequency: an #OheSyncFrequency
 *
 * Returns: the time between two incremental syncs of a link, in microseconds; that of
 *   the default frequency if @frequency is invalid
 */
gint64
ohe_sync_frequency_get_interval (OheSyncFrequency frequency)
{
	if ((guint)frequency >= OHE_SYNC_FREQUENCY_LAST)
		frequency = OHE_SYNC_FREQUENCY_DEFAULT;
	return ohe_sync_frequencies[frequency].interval_us;
}
