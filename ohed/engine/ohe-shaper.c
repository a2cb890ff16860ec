/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-shaper.h"

/*
 * The middle pipeline stage. It never trusts a plugin: a measurement that
 * fails validation is refused with the reason (it becomes a dead letter) and
 * one of a kind the user did not consent to is filtered, so it never reaches
 * the EHR even if a provider returned it. Both stay in the batch with their
 * outcome, so the pipeline can account for every fetched item.
 */
struct _OheShaper {
	GObject parent_instance;
	const gchar *provider;			     /* interned */
	gboolean allowed[OHE_MEASUREMENT_KIND_LAST]; /* consent, by kind */
	gboolean allow_all;
};

G_DEFINE_TYPE (OheShaper, ohe_shaper, G_TYPE_OBJECT)

static void
ohe_shaper_class_init (OheShaperClass *klass)
{
}

static void
ohe_shaper_init (OheShaper *self)
{
}

/* @consented_kinds: kind names; NULL or empty allows every kind */
OheShaper *
ohe_shaper_new (const gchar *provider, const gchar *const *consented_kinds)
{
	OheShaper *self = g_object_new (OHE_TYPE_SHAPER, NULL);
	self->provider = g_intern_string (provider);
	self->allow_all = consented_kinds == NULL || consented_kinds[0] == NULL;
	for (guint i = 0; consented_kinds != NULL && consented_kinds[i] != NULL; i++) {
		OheMeasurementKind kind = ohe_measurement_kind_from_string (consented_kinds[i]);
		if (kind != OHE_MEASUREMENT_KIND_UNKNOWN)
			self->allowed[kind] = TRUE;
	}
	return self;
}

void
ohe_shaper_apply (OheShaper *self, OheBatch *batch)
{
	for (guint i = 0; i < batch->measurements->len; i++) {
		OheMeasurement *m = g_ptr_array_index (batch->measurements, i);
		OheMeasurementKind kind = ohe_measurement_get_kind (m);
		g_autoptr(GError) error = NULL;

		if (ohe_batch_get_outcome (batch, i) != OHE_PUSH_OUTCOME_PENDING)
			continue;
		if (!self->allow_all && (guint)kind < OHE_MEASUREMENT_KIND_LAST &&
		    !self->allowed[kind]) {
			ohe_batch_set_outcome (batch, i, OHE_PUSH_OUTCOME_FILTERED,
					       OHE_PUSH_REASON_NOT_CONSENTED);
			continue;
		}
		if (ohe_measurement_get_provider (m) == NULL)
			ohe_measurement_set_provider (m, self->provider);
		if (!ohe_measurement_validate (m, &error)) {
			ohe_batch_set_outcome (batch, i, OHE_PUSH_OUTCOME_REFUSED, error->message);
			continue;
		}
	}
}
