/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-push-request.h"

/*
 * One batch handed to a sink, with one typed outcome per measurement (what
 * happened, why, and for a written item the resource ids it produced): the
 * host advances the cursor only when every item is written, refused or
 * filtered.
 */
struct _OhePushRequest {
	GObject parent_instance;
	gchar *link_id;		  /* owned */
	gchar *patient_reference; /* owned, nullable */
	GPtrArray *measurements;  /* owned, of OheMeasurement */
	GArray *outcomes;	  /* owned, of OhePushOutcome */
	GPtrArray *reasons;	  /* owned, of nullable gchar* */
	GPtrArray *resource_ids;  /* owned, of nullable GStrv */
};

G_DEFINE_TYPE (OhePushRequest, ohe_push_request, G_TYPE_OBJECT)

static void
ohe_push_request_finalize (GObject *object)
{
	OhePushRequest *self = OHE_PUSH_REQUEST (object);
	g_free (self->link_id);
	g_free (self->patient_reference);
	g_ptr_array_unref (self->measurements);
	g_array_unref (self->outcomes);
	g_ptr_array_unref (self->reasons);
	g_ptr_array_unref (self->resource_ids);
	G_OBJECT_CLASS (ohe_push_request_parent_class)->finalize (object);
}

static void
ohe_push_request_class_init (OhePushRequestClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_push_request_finalize;
}

static void
ohe_push_request_init (OhePushRequest *self)
{
}

/**
 * ohe_push_outcome_to_string:
 * @outcome: an #OhePushOutcome
 *
 * Returns: the outcome's name as the summary, the job record and the
 *   metrics spell it: `pending`, `written`, `refused`, `filtered`, `retry`
 *
 * Since: 0.1
 */
const gchar *
ohe_push_outcome_to_string (OhePushOutcome outcome)
{
	switch (outcome) {
	case OHE_PUSH_OUTCOME_PENDING:
		return "pending";
	case OHE_PUSH_OUTCOME_WRITTEN:
		return "written";
	case OHE_PUSH_OUTCOME_REFUSED:
		return "refused";
	case OHE_PUSH_OUTCOME_FILTERED:
		return "filtered";
	case OHE_PUSH_OUTCOME_RETRY:
		return "retry";
	default:
		return "unknown";
	}
}

/**
 * ohe_push_request_new:
 * @link_id: the provider link the batch came from
 * @patient_reference: (nullable): the EHR Patient the data belongs to
 * @measurements: (element-type OheMeasurement): the batch
 *
 * Returns: (transfer full): a new request, every outcome pending
 *
 * Since: 0.1
 */
OhePushRequest *
ohe_push_request_new (const gchar *link_id, const gchar *patient_reference, GPtrArray *measurements)
{
	OhePushRequest *self = g_object_new (OHE_TYPE_PUSH_REQUEST, NULL);
	self->link_id = g_strdup (link_id);
	self->patient_reference = g_strdup (patient_reference);
	self->measurements = g_ptr_array_ref (measurements);
	self->outcomes =
	    g_array_sized_new (FALSE, TRUE, sizeof (OhePushOutcome), measurements->len);
	g_array_set_size (self->outcomes, measurements->len);
	self->reasons = g_ptr_array_new_full (measurements->len, g_free);
	g_ptr_array_set_size (self->reasons, measurements->len);
	self->resource_ids = g_ptr_array_new_full (measurements->len, (GDestroyNotify)g_strfreev);
	g_ptr_array_set_size (self->resource_ids, measurements->len);
	return self;
}

/**
 * ohe_push_request_get_link_id:
 * @self: an #OhePushRequest
 *
 * Returns: the link id
 *
 * Since: 0.1
 */
const gchar *
ohe_push_request_get_link_id (OhePushRequest *self)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), NULL);
	return self->link_id;
}

/**
 * ohe_push_request_get_patient_reference:
 * @self: an #OhePushRequest
 *
 * Returns: (nullable): the configured Patient reference of the EHR user
 *
 * Since: 0.1
 */
const gchar *
ohe_push_request_get_patient_reference (OhePushRequest *self)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), NULL);
	return self->patient_reference;
}

/**
 * ohe_push_request_get_measurements:
 * @self: an #OhePushRequest
 *
 * Returns: (transfer none) (element-type OheMeasurement): the batch
 *
 * Since: 0.1
 */
GPtrArray *
ohe_push_request_get_measurements (OhePushRequest *self)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), NULL);
	return self->measurements;
}

/**
 * ohe_push_request_get_n_measurements:
 * @self: an #OhePushRequest
 *
 * Returns: the batch size
 *
 * Since: 0.1
 */
guint
ohe_push_request_get_n_measurements (OhePushRequest *self)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), 0);
	return self->measurements->len;
}

/**
 * ohe_push_request_get_measurement:
 * @self: an #OhePushRequest
 * @idx: an index below ohe_push_request_get_n_measurements()
 *
 * Returns: (transfer none): the measurement
 *
 * Since: 0.1
 */
OheMeasurement *
ohe_push_request_get_measurement (OhePushRequest *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), NULL);
	g_return_val_if_fail (idx < self->measurements->len, NULL);
	return g_ptr_array_index (self->measurements, idx);
}

/**
 * ohe_push_request_set_outcome:
 * @self: an #OhePushRequest
 * @idx: the measurement index
 * @outcome: what happened to it
 * @reason: (nullable): why, e.g. the server's OperationOutcome text or an
 *   `OHE_PUSH_REASON_` constant; never a health value
 *
 * Sets the outcome of one item and forgets any resource ids set before.
 *
 * Since: 0.1
 */
void
ohe_push_request_set_outcome (OhePushRequest *self,
			      guint idx,
			      OhePushOutcome outcome,
			      const gchar *reason)
{
	g_return_if_fail (OHE_IS_PUSH_REQUEST (self));
	g_return_if_fail (idx < self->outcomes->len);
	g_return_if_fail (outcome <= OHE_PUSH_OUTCOME_RETRY);
	g_array_index (self->outcomes, OhePushOutcome, idx) = outcome;
	g_free (self->reasons->pdata[idx]);
	self->reasons->pdata[idx] = g_strdup (reason);
	g_clear_pointer (&self->resource_ids->pdata[idx], g_strfreev);
}

/**
 * ohe_push_request_set_written:
 * @self: an #OhePushRequest
 * @idx: the measurement index
 * @resource_ids: (nullable) (array zero-terminated=1): the resources the item
 *   produced, e.g. `Observation/abc`
 *
 * Marks one item %OHE_PUSH_OUTCOME_WRITTEN with the resources it produced.
 *
 * Since: 0.1
 */
void
ohe_push_request_set_written (OhePushRequest *self, guint idx, const gchar *const *resource_ids)
{
	g_return_if_fail (OHE_IS_PUSH_REQUEST (self));
	g_return_if_fail (idx < self->outcomes->len);
	ohe_push_request_set_outcome (self, idx, OHE_PUSH_OUTCOME_WRITTEN, NULL);
	self->resource_ids->pdata[idx] = g_strdupv ((gchar **)resource_ids);
}

/**
 * ohe_push_request_set_all_outcomes:
 * @self: an #OhePushRequest
 * @outcome: what happened to every item
 * @reason: (nullable): why
 *
 * Since: 0.1
 */
void
ohe_push_request_set_all_outcomes (OhePushRequest *self,
				   OhePushOutcome outcome,
				   const gchar *reason)
{
	g_return_if_fail (OHE_IS_PUSH_REQUEST (self));
	for (guint i = 0; i < self->outcomes->len; i++)
		ohe_push_request_set_outcome (self, i, outcome, reason);
}

/**
 * ohe_push_request_get_outcome:
 * @self: an #OhePushRequest
 * @idx: the measurement index
 *
 * Returns: the outcome
 *
 * Since: 0.1
 */
OhePushOutcome
ohe_push_request_get_outcome (OhePushRequest *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), OHE_PUSH_OUTCOME_PENDING);
	g_return_val_if_fail (idx < self->outcomes->len, OHE_PUSH_OUTCOME_PENDING);
	return g_array_index (self->outcomes, OhePushOutcome, idx);
}

/**
 * ohe_push_request_get_reason:
 * @self: an #OhePushRequest
 * @idx: the measurement index
 *
 * Returns: (nullable): why the item has its outcome
 *
 * Since: 0.1
 */
const gchar *
ohe_push_request_get_reason (OhePushRequest *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), NULL);
	g_return_val_if_fail (idx < self->reasons->len, NULL);
	return g_ptr_array_index (self->reasons, idx);
}

/**
 * ohe_push_request_get_resource_ids:
 * @self: an #OhePushRequest
 * @idx: the measurement index
 *
 * Returns: (nullable) (array zero-terminated=1) (transfer none): the
 *   resources a written item produced
 *
 * Since: 0.1
 */
const gchar *const *
ohe_push_request_get_resource_ids (OhePushRequest *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), NULL);
	g_return_val_if_fail (idx < self->resource_ids->len, NULL);
	return g_ptr_array_index (self->resource_ids, idx);
}

/**
 * ohe_push_request_count_outcome:
 * @self: an #OhePushRequest
 * @outcome: an #OhePushOutcome
 *
 * Returns: how many items have @outcome
 *
 * Since: 0.1
 */
guint
ohe_push_request_count_outcome (OhePushRequest *self, OhePushOutcome outcome)
{
	guint n = 0;
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (self), 0);
	for (guint i = 0; i < self->outcomes->len; i++) {
		if (g_array_index (self->outcomes, OhePushOutcome, i) == outcome)
			n++;
	}
	return n;
}
