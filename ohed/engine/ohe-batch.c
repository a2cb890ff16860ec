/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-batch.h"

OheBatch *
ohe_batch_new (GPtrArray *measurements, const gchar *cursor)
{
	OheBatch *self = g_new0 (OheBatch, 1);
	self->measurements = g_ptr_array_ref (measurements);
	self->cursor = g_strdup (cursor);
	self->refused = g_ptr_array_new_with_free_func (g_free);
	return self;
}

void
ohe_batch_free (OheBatch *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref (self->measurements);
	g_ptr_array_unref (self->refused);
	g_free (self->cursor);
	g_free (self);
}

/* Identifies a measurement in a dead letter without carrying its value. */
gchar *
ohe_batch_describe (OheMeasurement *measurement)
{
	g_autoptr(GDateTime) dt =
	    g_date_time_new_from_unix_utc (ohe_measurement_get_start (measurement) / G_USEC_PER_SEC);
	g_autofree gchar *when = dt != NULL ? g_date_time_format_iso8601 (dt) : g_strdup ("?");
	const gchar *native_id = ohe_measurement_get_native_id (measurement);
	return g_strdup_printf ("%s@%s provider=%s native=%s",
				ohe_measurement_kind_to_string (ohe_measurement_get_kind (measurement)),
				when, ohe_measurement_get_provider (measurement) ?: "-",
				native_id != NULL ? native_id : "-");
}

void
ohe_batch_refuse (OheBatch *self, OheMeasurement *measurement, const gchar *reason)
{
	g_autofree gchar *descriptor = ohe_batch_describe (measurement);
	g_ptr_array_add (self->refused, g_strdup_printf ("%s\t%s", descriptor, reason));
}
