/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-rate-limiter.h"

G_BEGIN_DECLS

#define OHE_TYPE_MEMORY_RATE_LIMITER (ohe_memory_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (
    OheMemoryRateLimiter, ohe_memory_rate_limiter, OHE, MEMORY_RATE_LIMITER, GObject)

OheRateLimiter *
ohe_memory_rate_limiter_new (OheClock *clock);
guint
ohe_memory_rate_limiter_count (OheMemoryRateLimiter *self, const gchar *bucket, gint64 window_us);

G_END_DECLS
