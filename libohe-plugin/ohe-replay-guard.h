/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ohe-clock.h"

G_BEGIN_DECLS

/**
 * OHE_REPLAY_GUARD_DEFAULT_CAPACITY:
 *
 * How many deliveries a replay guard remembers by default.
 *
 * Since: 0.1
 */
#define OHE_REPLAY_GUARD_DEFAULT_CAPACITY 4096

/**
 * OHE_REPLAY_GUARD_DEFAULT_WINDOW_S:
 *
 * How long a replay guard remembers a delivery by default, in seconds.
 *
 * Since: 0.1
 */
#define OHE_REPLAY_GUARD_DEFAULT_WINDOW_S (24 * 60 * 60)

#define OHE_TYPE_REPLAY_GUARD (ohe_replay_guard_get_type ())
G_DECLARE_FINAL_TYPE (OheReplayGuard, ohe_replay_guard, OHE, REPLAY_GUARD, GObject)

OheReplayGuard *
ohe_replay_guard_new (guint capacity, gint64 window_us);
void
ohe_replay_guard_set_clock (OheReplayGuard *self, OheClock *clock);
gboolean
ohe_replay_guard_check (OheReplayGuard *self, GBytes *delivery, GError **error);
guint
ohe_replay_guard_get_size (OheReplayGuard *self);

G_END_DECLS
