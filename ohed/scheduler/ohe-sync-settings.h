/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-config.h"
#include "ohe-cron.h"

G_BEGIN_DECLS

#define OHE_TYPE_SYNC_SETTINGS (ohe_sync_settings_get_type ())
G_DECLARE_FINAL_TYPE (OheSyncSettings, ohe_sync_settings, OHE, SYNC_SETTINGS, GObject)

OheSyncSettings *
ohe_sync_settings_new (OheConfig *config, GError **error);
gboolean
ohe_sync_settings_get_enabled (OheSyncSettings *self);
gint64
ohe_sync_settings_get_initial_backfill (OheSyncSettings *self);
gint64
ohe_sync_settings_get_backfill_window (OheSyncSettings *self);
gint64
ohe_sync_settings_get_overlap (OheSyncSettings *self);
gint64
ohe_sync_settings_get_push_lookback (OheSyncSettings *self);
OheCron *
ohe_sync_settings_get_nightly (OheSyncSettings *self);
gint64
ohe_sync_settings_get_nightly_jitter (OheSyncSettings *self);
gint64
ohe_sync_settings_get_nightly_window (OheSyncSettings *self);
gint64
ohe_sync_settings_get_tick (OheSyncSettings *self);
gint64
ohe_sync_settings_get_lease_ttl (OheSyncSettings *self);
guint
ohe_sync_settings_get_max_attempts (OheSyncSettings *self);

G_END_DECLS
