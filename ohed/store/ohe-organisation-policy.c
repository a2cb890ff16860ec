/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-organisation-policy.h"

/*
 * What an organisation lets its users send to the EHR. A user without an
 * organisation gets the defaults of a new policy: every kind, individual
 * measurements unless the user asks for hourly ones, ECG and RR intervals
 * bring heart rate, no backfill limit. The user's consent per kind narrows
 * the allowed kinds further; it never widens them.
 */
struct _OheOrganisationPolicy {
	GObject parent_instance;
	gchar *id;	     /* owned */
	GStrv allowed_kinds; /* owned, nullable: NULL allows every kind */
	OheAggregationMode aggregation;
	gboolean aggregation_override;
	GStrv linked;		 /* owned: "parent:child" kind names */
	guint max_backfill_days; /* 0: no limit */
};

G_DEFINE_TYPE (OheOrganisationPolicy, ohe_organisation_policy, G_TYPE_OBJECT)

/* indexed by OheAggregationMode; the names are stored, so they never change */
static const gchar *const ohe_aggregation_mode_names[] = {
    "individual",
    "hourly",
};

/* the linked data an organisation requires unless it says otherwise */
static const gchar *const ohe_organisation_policy_default_linked[] = {
    "ecg:heart_rate",
    "rr_intervals:heart_rate",
    NULL,
};

/* the most a backfill may reach back: ten years */
#define OHE_ORGANISATION_POLICY_MAX_BACKFILL_DAYS 3650

const gchar *
ohe_aggregation_mode_to_string (OheAggregationMode mode)
{
	g_return_val_if_fail ((guint)mode < G_N_ELEMENTS (ohe_aggregation_mode_names), NULL);
	return ohe_aggregation_mode_names[mode];
}

gboolean
ohe_aggregation_mode_from_string (const gchar *name, OheAggregationMode *mode, GError **error)
{
	for (guint i = 0; name != NULL && i < G_N_ELEMENTS (ohe_aggregation_mode_names); i++) {
		if (strcmp (name, ohe_aggregation_mode_names[i]) == 0) {
			*mode = (OheAggregationMode)i;
			return TRUE;
		}
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "aggregation '%s' is neither individual nor hourly", name ? name : "");
	return FALSE;
}

static void
ohe_organisation_policy_finalize (GObject *object)
{
	OheOrganisationPolicy *self = OHE_ORGANISATION_POLICY (object);
	g_free (self->id);
	g_strfreev (self->allowed_kinds);
	g_strfreev (self->linked);
	G_OBJECT_CLASS (ohe_organisation_policy_parent_class)->finalize (object);
}

static void
ohe_organisation_policy_class_init (OheOrganisationPolicyClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_organisation_policy_finalize;
}

static void
ohe_organisation_policy_init (OheOrganisationPolicy *self)
{
	self->linked = g_strdupv ((gchar **)ohe_organisation_policy_default_linked);
}

/* @id: nullable for the policy of a user without an organisation */
OheOrganisationPolicy *
ohe_organisation_policy_new (const gchar *id)
{
	OheOrganisationPolicy *self = g_object_new (OHE_TYPE_ORGANISATION_POLICY, NULL);
	self->id = g_strdup (id);
	return self;
}

const gchar *
ohe_organisation_policy_get_id (OheOrganisationPolicy *self)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), NULL);
	return self->id;
}

/* Returns: (nullable): the allowed kind names; %NULL allows every kind */
const gchar *const *
ohe_organisation_policy_get_allowed_kinds (OheOrganisationPolicy *self)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), NULL);
	return (const gchar *const *)self->allowed_kinds;
}

void
ohe_organisation_policy_set_allowed_kinds (OheOrganisationPolicy *self, const gchar *const *kinds)
{
	g_return_if_fail (OHE_IS_ORGANISATION_POLICY (self));
	g_strfreev (self->allowed_kinds);
	self->allowed_kinds = g_strdupv ((gchar **)kinds);
}

gboolean
ohe_organisation_policy_allows_kind (OheOrganisationPolicy *self, OheMeasurementKind kind)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), FALSE);
	if (self->allowed_kinds == NULL)
		return TRUE;
	return g_strv_contains ((const gchar *const *)self->allowed_kinds,
				ohe_measurement_kind_to_string (kind));
}

OheAggregationMode
ohe_organisation_policy_get_aggregation (OheOrganisationPolicy *self)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), OHE_AGGREGATION_MODE_INDIVIDUAL);
	return self->aggregation;
}

void
ohe_organisation_policy_set_aggregation (OheOrganisationPolicy *self, OheAggregationMode mode)
{
	g_return_if_fail (OHE_IS_ORGANISATION_POLICY (self));
	self->aggregation = mode;
}

gboolean
ohe_organisation_policy_get_aggregation_override (OheOrganisationPolicy *self)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), FALSE);
	return self->aggregation_override;
}

void
ohe_organisation_policy_set_aggregation_override (OheOrganisationPolicy *self, gboolean override)
{
	g_return_if_fail (OHE_IS_ORGANISATION_POLICY (self));
	self->aggregation_override = override;
}

const gchar *const *
ohe_organisation_policy_get_linked (OheOrganisationPolicy *self)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), NULL);
	return (const gchar *const *)self->linked;
}

/* @rules: "parent:child" kind names, already checked; NULL or empty requires none */
void
ohe_organisation_policy_set_linked (OheOrganisationPolicy *self, const gchar *const *rules)
{
	g_return_if_fail (OHE_IS_ORGANISATION_POLICY (self));
	g_strfreev (self->linked);
	self->linked = rules != NULL ? g_strdupv ((gchar **)rules) : g_new0 (gchar *, 1);
}

gboolean
ohe_organisation_policy_requires_linked (OheOrganisationPolicy *self,
					 OheMeasurementKind parent,
					 OheMeasurementKind child)
{
	g_autofree gchar *rule = NULL;

	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), FALSE);
	rule = g_strdup_printf ("%s:%s", ohe_measurement_kind_to_string (parent),
				ohe_measurement_kind_to_string (child));
	return g_strv_contains ((const gchar *const *)self->linked, rule);
}

guint
ohe_organisation_policy_get_max_backfill_days (OheOrganisationPolicy *self)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), 0);
	return self->max_backfill_days;
}

void
ohe_organisation_policy_set_max_backfill_days (OheOrganisationPolicy *self, guint days)
{
	g_return_if_fail (OHE_IS_ORGANISATION_POLICY (self));
	self->max_backfill_days = days;
}

static gboolean
ohe_organisation_policy_check_kind (const gchar *key, const gchar *name, GError **error)
{
	if (ohe_measurement_kind_from_string (name) != OHE_MEASUREMENT_KIND_UNKNOWN)
		return TRUE;
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "policy key %s: '%s' is not a measurement kind", key, name);
	return FALSE;
}

/* "a,b,c"; "all" (allowed_kinds) or "none" (linked) for the special values */
static GStrv
ohe_organisation_policy_split (const gchar *value)
{
	g_auto(GStrv) parts = g_strsplit (value, ",", -1);
	GPtrArray *out = g_ptr_array_new ();
	for (guint i = 0; parts[i] != NULL; i++) {
		g_strstrip (parts[i]);
		if (parts[i][0] != '\0')
			g_ptr_array_add (out, g_strdup (parts[i]));
	}
	g_ptr_array_add (out, NULL);
	return (GStrv)g_ptr_array_free (out, FALSE);
}

static gboolean
ohe_organisation_policy_parse_bool (const gchar *key,
				    const gchar *value,
				    gboolean *out,
				    GError **error)
{
	if (g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "yes") == 0) {
		*out = TRUE;
		return TRUE;
	}
	if (g_strcmp0 (value, "false") == 0 || g_strcmp0 (value, "no") == 0) {
		*out = FALSE;
		return TRUE;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "policy key %s: '%s' is neither true nor false", key, value);
	return FALSE;
}

/**
 * ohe_organisation_policy_set_key:
 * @self: an #OheOrganisationPolicy
 * @key: `allowed_kinds`, `aggregation`, `aggregation_override`, `linked` or
 *   `max_backfill_days`
 * @value: the value as an operator types it
 * @error: a #GError, or %NULL
 *
 * Sets one key from text; @self is unchanged when the key or value is bad.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_organisation_policy_set_key (OheOrganisationPolicy *self,
				 const gchar *key,
				 const gchar *value,
				 GError **error)
{
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), FALSE);
	g_return_val_if_fail (key != NULL && value != NULL, FALSE);

	if (strcmp (key, "allowed_kinds") == 0) {
		g_auto(GStrv) kinds = NULL;
		if (strcmp (value, "all") == 0) {
			ohe_organisation_policy_set_allowed_kinds (self, NULL);
			return TRUE;
		}
		kinds = ohe_organisation_policy_split (value);
		if (kinds[0] == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "policy key %s: name at least one kind, or all", key);
			return FALSE;
		}
		for (guint i = 0; kinds[i] != NULL; i++)
			if (!ohe_organisation_policy_check_kind (key, kinds[i], error))
				return FALSE;
		ohe_organisation_policy_set_allowed_kinds (self, (const gchar *const *)kinds);
		return TRUE;
	}
	if (strcmp (key, "aggregation") == 0) {
		OheAggregationMode mode;
		if (!ohe_aggregation_mode_from_string (value, &mode, error)) {
			g_prefix_error (error, "policy key %s: ", key);
			return FALSE;
		}
		self->aggregation = mode;
		return TRUE;
	}
	if (strcmp (key, "aggregation_override") == 0)
		return ohe_organisation_policy_parse_bool (key, value, &self->aggregation_override,
							   error);
	if (strcmp (key, "linked") == 0) {
		g_auto(GStrv) rules = NULL;
		if (strcmp (value, "none") == 0) {
			ohe_organisation_policy_set_linked (self, NULL);
			return TRUE;
		}
		rules = ohe_organisation_policy_split (value);
		for (guint i = 0; rules[i] != NULL; i++) {
			g_auto(GStrv) pair = g_strsplit (rules[i], ":", -1);
			if (g_strv_length (pair) != 2) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "policy key %s: '%s' is not PARENT:CHILD", key,
					     rules[i]);
				return FALSE;
			}
			if (!ohe_organisation_policy_check_kind (key, pair[0], error) ||
			    !ohe_organisation_policy_check_kind (key, pair[1], error))
				return FALSE;
		}
		ohe_organisation_policy_set_linked (self, (const gchar *const *)rules);
		return TRUE;
	}
	if (strcmp (key, "max_backfill_days") == 0) {
		guint64 days;
		if (!g_ascii_string_to_unsigned (
			value, 10, 0, OHE_ORGANISATION_POLICY_MAX_BACKFILL_DAYS, &days, NULL)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "policy key %s: '%s' is not a number of days from 0 to %d",
				     key, value, OHE_ORGANISATION_POLICY_MAX_BACKFILL_DAYS);
			return FALSE;
		}
		self->max_backfill_days = (guint)days;
		return TRUE;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "unknown policy key '%s' (allowed_kinds, aggregation, aggregation_override, "
		     "linked, max_backfill_days)",
		     key);
	return FALSE;
}

/* the keys of ohe_organisation_policy_set_key(), one "key=value" line each */
gchar *
ohe_organisation_policy_format (OheOrganisationPolicy *self)
{
	GString *out = g_string_new (NULL);
	g_autofree gchar *kinds = NULL;
	g_autofree gchar *linked = NULL;

	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), NULL);
	kinds =
	    self->allowed_kinds != NULL ? g_strjoinv (",", self->allowed_kinds) : g_strdup ("all");
	linked = self->linked[0] != NULL ? g_strjoinv (",", self->linked) : g_strdup ("none");
	g_string_append_printf (out, "allowed_kinds=%s\n", kinds);
	g_string_append_printf (out, "aggregation=%s\n",
				ohe_aggregation_mode_to_string (self->aggregation));
	g_string_append_printf (out, "aggregation_override=%s\n",
				self->aggregation_override ? "true" : "false");
	g_string_append_printf (out, "linked=%s\n", linked);
	g_string_append_printf (out, "max_backfill_days=%u\n", self->max_backfill_days);
	return g_string_free (out, FALSE);
}

/*
 * The aggregation a user of this organisation gets: the user's own choice
 * (@user_preference, nullable) unless the organisation overrides it, else
 * the organisation's default. A preference that is not a mode name counts
 * as none.
 */
OheAggregationMode
ohe_organisation_policy_resolve_aggregation (OheOrganisationPolicy *self,
					     const gchar *user_preference)
{
	OheAggregationMode mode;

	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (self), OHE_AGGREGATION_MODE_INDIVIDUAL);
	if (self->aggregation_override || user_preference == NULL ||
	    !ohe_aggregation_mode_from_string (user_preference, &mode, NULL))
		return self->aggregation;
	return mode;
}
