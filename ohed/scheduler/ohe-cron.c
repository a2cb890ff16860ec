/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-cron.h"
#include "ohe-error.h"

/*
 * A five-field cron expression, always in UTC: minute (0-59), hour (0-23), day of month
 * (1-31), month (1-12) and day of week (0-7, 0 and 7 are Sunday). A field is `*` or a
 * comma-separated list of `N`, `N-M`, `*` with an optional `/STEP`; `N/STEP` runs from N to
 * the field's maximum. As in Vixie cron, when both day fields are restricted a day matching
 * either one matches (`0 3 1 * 1` fires on the 1st and on every Monday).
 *
 * The expression is parsed once into one bit set per field; ohe_cron_get_next() walks
 * forward month, day, hour and minute at a time, so finding the next time costs at most a
 * few thousand steps even for a yearly expression.
 */
struct _OheCron {
	gint ref_count;
	gchar *expression;
	guint64 fields[5]; /* bit N set: value N matches */
	gboolean dom_restricted;
	gboolean dow_restricted;
};

typedef struct {
	const gchar *name;
	guint min;
	guint max;
} OheCronField;

/* the fields in the order they are written; data, not code */
static const OheCronField ohe_cron_fields[] = {
    {"minute", 0, 59}, {"hour", 0, 23},	      {"day of month", 1, 31},
    {"month", 1, 12},  {"day of week", 0, 7},
};

enum { OHE_CRON_MINUTE, OHE_CRON_HOUR, OHE_CRON_DOM, OHE_CRON_MONTH, OHE_CRON_DOW };

/* searching further than this for a match means the expression never fires (31 February) */
#define OHE_CRON_SEARCH_YEARS 8

G_DEFINE_BOXED_TYPE (OheCron, ohe_cron, ohe_cron_ref, ohe_cron_unref)

static gboolean
ohe_cron_parse_number (const gchar *expression,
		       const OheCronField *field,
		       const gchar *text,
		       guint *out,
		       GError **error)
{
	guint64 value = 0;
	if (!g_ascii_string_to_unsigned (text, 10, field->min, field->max, &value, NULL)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "cron expression '%s': %s '%s' is not a number from %u to %u",
			     expression, field->name, text, field->min, field->max);
		return FALSE;
	}
	*out = (guint)value;
	return TRUE;
}

static gboolean
ohe_cron_parse_item (const gchar *expression,
		     const OheCronField *field,
		     const gchar *item,
		     guint64 *bits,
		     GError **error)
{
	/* an empty item splits into no parts at all */
	g_auto(GStrv) step_parts = g_strsplit (item[0] != '\0' ? item : "/", "/", -1);
	g_auto(GStrv) range = NULL;
	guint first = field->min;
	guint last = field->max;
	guint step = 1;

	if (g_strv_length (step_parts) > 2 || step_parts[0][0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "cron expression '%s': %s '%s' is not N, N-M, * or one of them "
			     "with /STEP",
			     expression, field->name, item);
		return FALSE;
	}
	if (step_parts[1] != NULL) {
		guint64 value = 0;
		if (!g_ascii_string_to_unsigned (step_parts[1], 10, 1, field->max, &value, NULL)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "cron expression '%s': %s step '%s' is not a number from "
				     "1 to %u",
				     expression, field->name, step_parts[1], field->max);
			return FALSE;
		}
		step = (guint)value;
	}
	if (g_strcmp0 (step_parts[0], "*") != 0) {
		range = g_strsplit (step_parts[0], "-", -1);
		if (g_strv_length (range) > 2) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "cron expression '%s': %s '%s' is not a range N-M", expression,
				     field->name, step_parts[0]);
			return FALSE;
		}
		if (!ohe_cron_parse_number (expression, field, range[0], &first, error))
			return FALSE;
		last = step_parts[1] != NULL ? field->max : first;
		if (range[1] != NULL &&
		    !ohe_cron_parse_number (expression, field, range[1], &last, error))
			return FALSE;
		if (last < first) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "cron expression '%s': %s range %u-%u runs backwards",
				     expression, field->name, first, last);
			return FALSE;
		}
	}
	for (guint v = first; v <= last; v += step)
		*bits |= G_GUINT64_CONSTANT (1) << v;
	return TRUE;
}

/**
 * ohe_cron_new:
 * @expression: five fields separated by spaces, e.g. `0 3 * * *`
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the parsed expression, or %NULL with %OHE_ERROR_INVALID_ARGUMENT
 *   naming the field that is wrong, or saying the expression never fires
 */
OheCron *
ohe_cron_new (const gchar *expression, GError **error)
{
	g_autoptr(OheCron) self = NULL;
	g_auto(GStrv) fields = NULL;
	g_autoptr(GPtrArray) words = g_ptr_array_new ();

	g_return_val_if_fail (expression != NULL, NULL);
	fields = g_strsplit_set (expression, " \t", -1);
	for (guint i = 0; fields[i] != NULL; i++) {
		if (fields[i][0] != '\0')
			g_ptr_array_add (words, fields[i]);
	}
	if (words->len != G_N_ELEMENTS (ohe_cron_fields)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "cron expression '%s' has %u fields, not 5 (minute hour "
			     "day-of-month month day-of-week)",
			     expression, words->len);
		return NULL;
	}
	self = g_new0 (OheCron, 1);
	self->ref_count = 1;
	self->expression = g_strdup (expression);
	for (guint i = 0; i < words->len; i++) {
		g_auto(GStrv) items = g_strsplit (g_ptr_array_index (words, i), ",", -1);
		for (guint j = 0; items[j] != NULL; j++) {
			if (!ohe_cron_parse_item (expression, &ohe_cron_fields[i], items[j],
						  &self->fields[i], error))
				return NULL;
		}
	}
	/* Sunday is 0 and 7 */
	if (self->fields[OHE_CRON_DOW] & (G_GUINT64_CONSTANT (1) << 7))
		self->fields[OHE_CRON_DOW] |= 1;
	self->dom_restricted = ((const gchar *)g_ptr_array_index (words, OHE_CRON_DOM))[0] != '*';
	self->dow_restricted = ((const gchar *)g_ptr_array_index (words, OHE_CRON_DOW))[0] != '*';
	if (ohe_cron_get_next (self, 0) == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "cron expression '%s' never fires", expression);
		return NULL;
	}
	return g_steal_pointer (&self);
}

OheCron *
ohe_cron_ref (OheCron *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	g_atomic_int_inc (&self->ref_count);
	return self;
}

void
ohe_cron_unref (OheCron *self)
{
	if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
		return;
	g_free (self->expression);
	g_free (self);
}

const gchar *
ohe_cron_get_expression (OheCron *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->expression;
}

static gboolean
ohe_cron_has (OheCron *self, guint field, gint value)
{
	return (self->fields[field] & (G_GUINT64_CONSTANT (1) << value)) != 0;
}

static gboolean
ohe_cron_day_matches (OheCron *self, GDateTime *dt)
{
	gboolean dom = ohe_cron_has (self, OHE_CRON_DOM, g_date_time_get_day_of_month (dt));
	/* GLib counts Monday 1 to Sunday 7, cron Sunday 0 (and 7) to Saturday 6 */
	gboolean dow = ohe_cron_has (self, OHE_CRON_DOW, g_date_time_get_day_of_week (dt) % 7);
	if (self->dom_restricted && self->dow_restricted)
		return dom || dow;
	return dom && dow;
}

/**
 * ohe_cron_matches:
 * @self: an #OheCron
 * @time_us: UTC microseconds
 *
 * Returns: %TRUE if the minute of @time_us is one the expression names
 */
gboolean
ohe_cron_matches (OheCron *self, gint64 time_us)
{
	g_autoptr(GDateTime) dt = NULL;
	g_return_val_if_fail (self != NULL, FALSE);
	dt = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
	if (dt == NULL)
		return FALSE;
	return ohe_cron_has (self, OHE_CRON_MONTH, g_date_time_get_month (dt)) &&
	       ohe_cron_day_matches (self, dt) &&
	       ohe_cron_has (self, OHE_CRON_HOUR, g_date_time_get_hour (dt)) &&
	       ohe_cron_has (self, OHE_CRON_MINUTE, g_date_time_get_minute (dt));
}

/**
 * ohe_cron_get_next:
 * @self: an #OheCron
 * @after_us: UTC microseconds
 *
 * Returns: the first whole minute strictly after @after_us that the expression names, in
 *   UTC microseconds, or 0 if there is none within eight years
 */
gint64
ohe_cron_get_next (OheCron *self, gint64 after_us)
{
	g_autoptr(GDateTime) dt = NULL;
	gint64 seconds;
	gint limit_year;

	g_return_val_if_fail (self != NULL, 0);
	seconds = after_us / G_USEC_PER_SEC;
	if (after_us < 0 && after_us % G_USEC_PER_SEC != 0)
		seconds--;
	seconds = seconds - (((seconds % 60) + 60) % 60) + 60;
	dt = g_date_time_new_from_unix_utc (seconds);
	if (dt == NULL)
		return 0;
	limit_year = g_date_time_get_year (dt) + OHE_CRON_SEARCH_YEARS;
	while (g_date_time_get_year (dt) <= limit_year) {
		GDateTime *next;
		if (!ohe_cron_has (self, OHE_CRON_MONTH, g_date_time_get_month (dt))) {
			/* the first minute of the next month */
			next = g_date_time_new_utc (g_date_time_get_year (dt),
						    g_date_time_get_month (dt), 1, 0, 0, 0);
			g_date_time_unref (dt);
			dt = g_date_time_add_months (next, 1);
			g_date_time_unref (next);
		} else if (!ohe_cron_day_matches (self, dt)) {
			next = g_date_time_new_utc (g_date_time_get_year (dt),
						    g_date_time_get_month (dt),
						    g_date_time_get_day_of_month (dt), 0, 0, 0);
			g_date_time_unref (dt);
			dt = g_date_time_add_days (next, 1);
			g_date_time_unref (next);
		} else if (!ohe_cron_has (self, OHE_CRON_HOUR, g_date_time_get_hour (dt))) {
			next = g_date_time_add_minutes (dt, -g_date_time_get_minute (dt));
			g_date_time_unref (dt);
			dt = g_date_time_add_hours (next, 1);
			g_date_time_unref (next);
		} else if (!ohe_cron_has (self, OHE_CRON_MINUTE, g_date_time_get_minute (dt))) {
			next = g_date_time_add_minutes (dt, 1);
			g_date_time_unref (dt);
			dt = next;
		} else {
			return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
		}
		if (dt == NULL)
			return 0;
	}
	return 0;
}
