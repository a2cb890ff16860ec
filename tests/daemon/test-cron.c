/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-cron.h"
#include "ohe-error.h"

/* UTC microseconds of a calendar time, computed independently of the parser */
static gint64
test_utc (gint year, gint month, gint day, gint hour, gint minute, gint second)
{
	g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, second);
	g_assert_nonnull (dt);
	return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

static OheCron *
test_cron (const gchar *expression)
{
	g_autoptr(GError) error = NULL;
	OheCron *cron = ohe_cron_new (expression, &error);
	g_assert_no_error (error);
	g_assert_nonnull (cron);
	return cron;
}

static void
test_cron_daily (void)
{
	g_autoptr(OheCron) cron = test_cron ("0 3 * * *");
	/* Friday 2027-01-15 noon: tomorrow 03:00 */
	gint64 noon = test_utc (2027, 1, 15, 12, 0, 0);
	gint64 next = ohe_cron_get_next (cron, noon);

	g_assert_cmpstr (ohe_cron_get_expression (cron), ==, "0 3 * * *");
	g_assert_cmpint (next, ==, test_utc (2027, 1, 16, 3, 0, 0));
	g_assert_cmpint (next, ==, G_GINT64_CONSTANT (1800068400) * G_USEC_PER_SEC);
	/* strictly after: at 03:00 the next one is the day after */
	g_assert_cmpint (ohe_cron_get_next (cron, next), ==, test_utc (2027, 1, 17, 3, 0, 0));
	/* a microsecond before it still gives it */
	g_assert_cmpint (ohe_cron_get_next (cron, next - 1), ==, next);
	/* over a month and a year end */
	g_assert_cmpint (ohe_cron_get_next (cron, test_utc (2027, 12, 31, 3, 0, 0)), ==,
			 test_utc (2028, 1, 1, 3, 0, 0));
	g_assert_true (ohe_cron_matches (cron, next + 30 * G_USEC_PER_SEC));
	g_assert_false (ohe_cron_matches (cron, next + 60 * G_USEC_PER_SEC));
}

static void
test_cron_fields (void)
{
	const struct {
		const gchar *expression;
		gint64 after;
		gint64 next;
	} cases[] = {
	    {"*/15 * * * *", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 15, 12, 15, 0)},
	    {"*/15 * * * *", test_utc (2027, 1, 15, 12, 7, 30), test_utc (2027, 1, 15, 12, 15, 0)},
	    {"5,35 * * * *", test_utc (2027, 1, 15, 12, 6, 0), test_utc (2027, 1, 15, 12, 35, 0)},
	    {"0 9-17/4 * * *", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 15, 13, 0, 0)},
	    {"0 9-17/4 * * *", test_utc (2027, 1, 15, 17, 0, 0), test_utc (2027, 1, 16, 9, 0, 0)},
	    {"30 4 1 * *", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 2, 1, 4, 30, 0)},
	    {"0 0 29 2 *", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2028, 2, 29, 0, 0, 0)},
	    {"0 12 * 6-8 *", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 6, 1, 12, 0, 0)},
	    /* Monday; the 15th is a Friday */
	    {"0 0 * * 1", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 18, 0, 0, 0)},
	    /* Sunday as 7 and as 0 */
	    {"0 0 * * 7", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 17, 0, 0, 0)},
	    {"0 0 * * 0", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 17, 0, 0, 0)},
	    /* both day fields restricted: the 13th or a Friday, whichever comes first */
	    {"0 0 13 * 5", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 22, 0, 0, 0)},
	    {"0 0 16 * 5", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 1, 16, 0, 0, 0)},
	    /* a restricted day of month with any weekday is that day only */
	    {"0 0 13 * *", test_utc (2027, 1, 15, 12, 0, 0), test_utc (2027, 2, 13, 0, 0, 0)},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(OheCron) cron = test_cron (cases[i].expression);
		gint64 next = ohe_cron_get_next (cron, cases[i].after);
		if (next != cases[i].next)
			g_error ("'%s' after %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT
				 ", expected %" G_GINT64_FORMAT,
				 cases[i].expression, cases[i].after, next, cases[i].next);
		g_assert_true (ohe_cron_matches (cron, next));
	}
}

static void
test_cron_invalid (void)
{
	const struct {
		const gchar *expression;
		const gchar *message;
	} cases[] = {
	    {"0 3 * *", "has 4 fields, not 5"},
	    {"0 3 * * * *", "has 6 fields, not 5"},
	    {"", "has 0 fields"},
	    {"60 3 * * *", "minute '60' is not a number from 0 to 59"},
	    {"0 24 * * *", "hour '24' is not a number from 0 to 23"},
	    {"0 3 0 * *", "day of month '0' is not a number from 1 to 31"},
	    {"0 3 * 13 *", "month '13' is not a number from 1 to 12"},
	    {"0 3 * * 8", "day of week '8' is not a number from 0 to 7"},
	    {"0 5-1 * * *", "hour range 5-1 runs backwards"},
	    {"*/0 * * * *", "minute step '0' is not a number from 1 to 59"},
	    {"a 3 * * *", "minute 'a' is not a number"},
	    {"0 3 * * MON", "day of week 'MON' is not a number"},
	    {"0,,5 3 * * *", "minute '' is not N, N-M, *"},
	    {"1-2-3 3 * * *", "minute '1-2-3' is not a range N-M"},
	    {"0 0 31 2 *", "never fires"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheCron) cron = ohe_cron_new (cases[i].expression, &error);
		g_assert_null (cron);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		if (strstr (error->message, cases[i].message) == NULL)
			g_error ("'%s': message '%s' lacks '%s'", cases[i].expression,
				 error->message, cases[i].message);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/cron/daily", test_cron_daily);
	g_test_add_func ("/cron/fields", test_cron_fields);
	g_test_add_func ("/cron/invalid", test_cron_invalid);
	return g_test_run ();
}
