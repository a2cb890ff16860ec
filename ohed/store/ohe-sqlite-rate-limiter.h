/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-rate-limiter.h"

G_BEGIN_DECLS

#define OHE_TYPE_SQLITE_RATE_LIMITER (ohe_sqlite_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (
    OheSqliteRateLimiter, ohe_sqlite_rate_limiter, OHE, SQLITE_RATE_LIMITER, GObject)

OheRateLimiter *
ohe_sqlite_rate_limiter_new (const gchar *path, GError **error);
void
ohe_sqlite_rate_limiter_set_clock (OheSqliteRateLimiter *self, OheClock *clock);

G_END_DECLS
