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
	self->n_fetched = measurements->len;
	self->cursor = g_strdup (cursor);
	self->outcomes =
	    g_array_sized_new (FALSE, TRUE, sizeof (OhePushOutcome), measurements->len);
	g_array_set_size (self->outcomes, measurements->len);
	self->reasons = g_ptr_array_new_full (measurements->len, g_free);
	g_ptr_array_set_size (self->reasons, measurements->len);
	return self;
}

void
ohe_batch_free (OheBatch *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref (self->measurements);
	g_array_unref (self->outcomes);
	g_ptr_array_unref (self->reasons);
	g_free (self->cursor);
	g_free (self);
}

/* @reason: nullable; never a health value */
void
ohe_batch_set_outcome (OheBatch *self, guint idx, OhePushOutcome outcome, const gchar *reason)
{
	g_return_if_fail (idx < self->outcomes->len);
	g_array_index (self->outcomes, OhePushOutcome, idx) = outcome;
	g_free (self->reasons->pdata[idx]);
	self->reasons->pdata[idx] = g_strdup (reason);
}

OhePushOutcome
ohe_batch_get_outcome (OheBatch *self, guint idx)
{
	g_return_val_if_fail (idx < self->outcomes->len, OHE_PUSH_OUTCOME_PENDING);
	return g_array_index (self->outcomes, OhePushOutcome, idx);
}

const gchar *
ohe_batch_get_reason (OheBatch *self, guint idx)
{
	g_return_val_if_fail (idx < self->reasons->len, NULL);
	return g_ptr_array_index (self->reasons, idx);
}

/*
 * Returns the measurements still pending, for the sink; @indices receives
 * the batch index of each.
 */
GPtrArray *
ohe_batch_dup_pending (OheBatch *self, GArray **indices)
{
	GPtrArray *pending =
	    g_ptr_array_new_full (self->measurements->len, (GDestroyNotify)ohe_measurement_unref);
	*indices = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->measurements->len);
	for (guint i = 0; i < self->measurements->len; i++) {
		if (ohe_batch_get_outcome (self, i) != OHE_PUSH_OUTCOME_PENDING)
			continue;
		g_ptr_array_add (pending,
				 ohe_measurement_ref (g_ptr_array_index (self->measurements, i)));
		g_array_append_val (*indices, i);
	}
	return pending;
}

/* Identifies a measurement in a dead letter without carrying its value. */
gchar *
ohe_batch_describe (OheMeasurement *measurement)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (
	    ohe_measurement_get_start (measurement) / G_USEC_PER_SEC);
	g_autofree gchar *when = dt != NULL ? g_date_time_format_iso8601 (dt) : g_strdup ("?");
	const gchar *native_id = ohe_measurement_get_native_id (measurement);
	return g_strdup_printf (
	    "%s@%s provider=%s native=%s",
	    ohe_measurement_kind_to_string (ohe_measurement_get_kind (measurement)), when,
	    ohe_measurement_get_provider (measurement) ?: "-", native_id != NULL ? native_id : "-");
}
