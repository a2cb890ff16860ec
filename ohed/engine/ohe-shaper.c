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
 * the EHR even if a provider returned it; so is one of a kind the
 * organisation's policy does not allow (checked first, reason "policy").
 * Both stay in the batch with their outcome, so the pipeline can account for
 * every fetched item.
 */
struct _OheShaper {
	GObject parent_instance;
	const gchar *provider;			     /* interned */
	gboolean allowed[OHE_MEASUREMENT_KIND_LAST]; /* consent, by kind */
	gboolean allow_all;
	OheOrganisationPolicy *policy; /* owned, nullable */
};

G_DEFINE_TYPE (OheShaper, ohe_shaper, G_TYPE_OBJECT)

static void
ohe_shaper_finalize (GObject *object)
{
	OheShaper *self = OHE_SHAPER (object);
	g_clear_object (&self->policy);
	G_OBJECT_CLASS (ohe_shaper_parent_class)->finalize (object);
}

static void
ohe_shaper_class_init (OheShaperClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_shaper_finalize;
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

/* @policy: nullable; the organisation's allowed kinds narrow the consent */
void
ohe_shaper_set_policy (OheShaper *self, OheOrganisationPolicy *policy)
{
	g_return_if_fail (OHE_IS_SHAPER (self));
	g_set_object (&self->policy, policy);
}

/* whether a measurement of @kind may reach the EHR at all */
gboolean
ohe_shaper_allows_kind (OheShaper *self, OheMeasurementKind kind)
{
	g_return_val_if_fail (OHE_IS_SHAPER (self), FALSE);
	if ((guint)kind >= OHE_MEASUREMENT_KIND_LAST)
		return FALSE;
	if (self->policy != NULL && !ohe_organisation_policy_allows_kind (self->policy, kind))
		return FALSE;
	return self->allow_all || self->allowed[kind];
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
		if (self->policy != NULL && (guint)kind < OHE_MEASUREMENT_KIND_LAST &&
		    !ohe_organisation_policy_allows_kind (self->policy, kind)) {
			ohe_batch_set_outcome (batch, i, OHE_PUSH_OUTCOME_FILTERED,
					       OHE_PUSH_REASON_POLICY);
			continue;
		}
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
