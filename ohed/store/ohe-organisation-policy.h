/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/**
 * OheAggregationMode:
 * @OHE_AGGREGATION_MODE_INDIVIDUAL: every measurement is written as it came
 * @OHE_AGGREGATION_MODE_HOURLY: stream samples of an aggregatable kind become
 *   one aggregate per link, kind, device and UTC hour
 *
 * How a user's stream samples reach the EHR. The names are stored.
 */
typedef enum {
	OHE_AGGREGATION_MODE_INDIVIDUAL,
	OHE_AGGREGATION_MODE_HOURLY,
} OheAggregationMode;

const gchar *
ohe_aggregation_mode_to_string (OheAggregationMode mode);
gboolean
ohe_aggregation_mode_from_string (const gchar *name, OheAggregationMode *mode, GError **error);

#define OHE_TYPE_ORGANISATION_POLICY (ohe_organisation_policy_get_type ())
G_DECLARE_FINAL_TYPE (
    OheOrganisationPolicy, ohe_organisation_policy, OHE, ORGANISATION_POLICY, GObject)

OheOrganisationPolicy *
ohe_organisation_policy_new (const gchar *id);
const gchar *
ohe_organisation_policy_get_id (OheOrganisationPolicy *self);
const gchar *const *
ohe_organisation_policy_get_allowed_kinds (OheOrganisationPolicy *self);
void
ohe_organisation_policy_set_allowed_kinds (OheOrganisationPolicy *self, const gchar *const *kinds);
gboolean
ohe_organisation_policy_allows_kind (OheOrganisationPolicy *self, OheMeasurementKind kind);
OheAggregationMode
ohe_organisation_policy_get_aggregation (OheOrganisationPolicy *self);
void
ohe_organisation_policy_set_aggregation (OheOrganisationPolicy *self, OheAggregationMode mode);
gboolean
ohe_organisation_policy_get_aggregation_override (OheOrganisationPolicy *self);
void
ohe_organisation_policy_set_aggregation_override (OheOrganisationPolicy *self, gboolean override);
const gchar *const *
ohe_organisation_policy_get_linked (OheOrganisationPolicy *self);
void
ohe_organisation_policy_set_linked (OheOrganisationPolicy *self, const gchar *const *rules);
gboolean
ohe_organisation_policy_requires_linked (OheOrganisationPolicy *self,
					 OheMeasurementKind parent,
					 OheMeasurementKind child);
guint
ohe_organisation_policy_get_max_backfill_days (OheOrganisationPolicy *self);
void
ohe_organisation_policy_set_max_backfill_days (OheOrganisationPolicy *self, guint days);
gboolean
ohe_organisation_policy_set_key (OheOrganisationPolicy *self,
				 const gchar *key,
				 const gchar *value,
				 GError **error);
gchar *
ohe_organisation_policy_format (OheOrganisationPolicy *self);
OheAggregationMode
ohe_organisation_policy_resolve_aggregation (OheOrganisationPolicy *self,
					     const gchar *user_preference);

G_END_DECLS
