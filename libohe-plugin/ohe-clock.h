/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OHE_TYPE_CLOCK (ohe_clock_get_type ())
G_DECLARE_FINAL_TYPE (OheClock, ohe_clock, OHE, CLOCK, GObject)

OheClock *
ohe_clock_new (void);
OheClock *
ohe_clock_new_fake (gint64 start_us);
OheClock *
ohe_clock_get_default (void);
gboolean
ohe_clock_is_fake (OheClock *self);
gint64
ohe_clock_get_monotonic (OheClock *self);
gint64
ohe_clock_get_real (OheClock *self);
gboolean
ohe_clock_sleep (OheClock *self, gint64 duration_us, GCancellable *cancellable, GError **error);
void
ohe_clock_advance (OheClock *self, gint64 duration_us);
gint64
ohe_clock_get_slept (OheClock *self);
void
ohe_clock_set_random_seed (OheClock *self, guint32 seed);
gdouble
ohe_clock_random_double (OheClock *self);

G_END_DECLS
