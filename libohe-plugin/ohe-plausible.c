/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-plausible.h"

/*
 * Bounds every parser of provider data applies, so that a value outside them
 * is an error naming its path at parse time instead of a measurement that
 * fails later (a FHIR dateTime of year 1012, an hour-long ECG).
 */

/**
 * ohe_plausible_time_us:
 * @time_us: µs since the epoch
 *
 * Returns: %TRUE if @time_us lies in [%OHE_PLAUSIBLE_TIME_MIN_S,
 * %OHE_PLAUSIBLE_TIME_MAX_S)
 *
 * Since: 0.1
 */
gboolean
ohe_plausible_time_us (gint64 time_us)
{
	return time_us >= OHE_PLAUSIBLE_TIME_MIN_S * G_USEC_PER_SEC &&
	       time_us < OHE_PLAUSIBLE_TIME_MAX_S * G_USEC_PER_SEC;
}
