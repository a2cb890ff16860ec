/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-error.h"
#include "ohe-time-zone.h"

/*
 * Time-zone names from providers (Withings `timezone`, Google Health
 * `timeZone`) are looked up in the tz database, a directory of files:
 * g_time_zone_new_identifier() opens whatever path the name spells, so an
 * absolute path, a `..` component or a FIFO must never reach it. Only names
 * shaped as the IANA rules describe pass, see
 * https://data.iana.org/time-zones/theory.html#naming
 */

/**
 * ohe_time_zone_name_is_valid:
 * @name: (nullable): a time-zone name from outside input
 *
 * Whether @name has the shape of an IANA time-zone name such as
 * `Europe/Paris`, `America/Port-au-Prince` or `Etc/GMT+5`: at most
 * %OHE_TIME_ZONE_NAME_MAX characters, components separated by single `/`,
 * each starting with an ASCII letter and holding only ASCII letters, digits,
 * `_`, `-`, `+` and `.`. Absolute paths, `.` and `..`, empty components,
 * spaces, control characters and POSIX TZ strings are refused. Whether the
 * zone exists is not checked.
 *
 * Returns: %TRUE if @name may be looked up in the tz database
 *
 * Since: 0.1
 */
gboolean
ohe_time_zone_name_is_valid (const gchar *name)
{
	gboolean component_start = TRUE;
	gsize len;

	if (name == NULL)
		return FALSE;
	len = strnlen (name, OHE_TIME_ZONE_NAME_MAX + 1);
	if (len == 0 || len > OHE_TIME_ZONE_NAME_MAX)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		gchar c = name[i];
		if (component_start) {
			if (!g_ascii_isalpha (c))
				return FALSE;
			component_start = FALSE;
			continue;
		}
		if (c == '/') {
			component_start = TRUE;
			continue;
		}
		if (!g_ascii_isalnum (c) && c != '_' && c != '-' && c != '+' && c != '.')
			return FALSE;
	}
	/* a trailing '/' leaves an empty last component */
	return !component_start;
}

/**
 * ohe_time_zone_new_from_name:
 * @name: (nullable): a time-zone name from outside input
 * @what: what the name is, for the error (`settings.timeZone`)
 * @error: a #GError, or %NULL
 *
 * Looks @name up in the tz database once ohe_time_zone_name_is_valid()
 * accepts it.
 *
 * Returns: (transfer full): the zone, or %NULL with %OHE_ERROR_INVALID_DATA
 * when @name is missing, not shaped as an IANA name or not a known zone; the
 * name itself is not quoted
 *
 * Since: 0.1
 */
GTimeZone *
ohe_time_zone_new_from_name (const gchar *name, const gchar *what, GError **error)
{
	GTimeZone *tz;

	if (what == NULL)
		what = "time zone";
	if (name == NULL || name[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s is missing", what);
		return NULL;
	}
	if (!ohe_time_zone_name_is_valid (name)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s is not an IANA time-zone name", what);
		return NULL;
	}
	tz = g_time_zone_new_identifier (name);
	if (tz == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s is not a known IANA time zone", what);
		return NULL;
	}
	return tz;
}
