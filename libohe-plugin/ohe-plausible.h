/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OHE_PLAUSIBLE_TIME_MIN_S:
 *
 * The earliest measurement time a parser accepts, in seconds since the
 * epoch: 1970-01-01T00:00:00Z. No wearable recorded anything earlier.
 *
 * Since: 0.1
 */
#define OHE_PLAUSIBLE_TIME_MIN_S G_GINT64_CONSTANT (0)

/**
 * OHE_PLAUSIBLE_TIME_MAX_S:
 *
 * The first measurement time a parser refuses: 2100-01-01T00:00:00Z.
 *
 * Since: 0.1
 */
#define OHE_PLAUSIBLE_TIME_MAX_S G_GINT64_CONSTANT (4102444800)

/**
 * OHE_PLAUSIBLE_SAMPLE_RATE_MAX_HZ:
 *
 * The highest sampling frequency of a waveform a parser accepts; wearable
 * ECGs record at a few hundred Hz.
 *
 * Since: 0.1
 */
#define OHE_PLAUSIBLE_SAMPLE_RATE_MAX_HZ 10000

gboolean
ohe_plausible_time_us (gint64 time_us);

G_END_DECLS
