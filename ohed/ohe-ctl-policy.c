/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ohe-ctl-policy.h"

/*
 * ohectl's organisation-policy commands: policy-set ORG KEY=VALUE...,
 * policy-show ORG, and the user's organisation and aggregation in
 * user-set USER-ID KEY=VALUE...
 */

static gboolean
ohe_ctl_policy_split (const gchar *arg, gchar ***pair, GError **error)
{
	*pair = g_strsplit (arg, "=", 2);
	if ((*pair)[0] == NULL || (*pair)[0][0] == '\0' || (*pair)[1] == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     _ ("'%s' is not KEY=VALUE"), arg);
		g_clear_pointer (pair, g_strfreev);
		return FALSE;
	}
	return TRUE;
}

static void
ohe_ctl_policy_print (OheOrganisationPolicy *policy)
{
	g_autofree gchar *text = ohe_organisation_policy_format (policy);
	g_print ("%s", text);
}

/* policy-set ORG KEY=VALUE...: creates the policy or changes the keys named */
gboolean
ohe_ctl_policy_set (OheEngine *engine, gchar **args, GError **error)
{
	OheStore *store = ohe_engine_get_store (engine);
	g_autoptr(OheOrganisationPolicy) policy = NULL;
	g_autoptr(GError) error_get = NULL;

	policy = ohe_store_get_policy (store, args[0], &error_get);
	if (policy == NULL && !g_error_matches (error_get, OHE_ERROR, OHE_ERROR_NOT_FOUND)) {
		g_propagate_error (error, g_steal_pointer (&error_get));
		return FALSE;
	}
	if (policy == NULL)
		policy = ohe_organisation_policy_new (args[0]);
	for (guint i = 1; args[i] != NULL; i++) {
		g_auto(GStrv) pair = NULL;
		if (!ohe_ctl_policy_split (args[i], &pair, error) ||
		    !ohe_organisation_policy_set_key (policy, pair[0], pair[1], error))
			return FALSE;
	}
	if (!ohe_store_save_policy (store, policy, error) ||
	    !ohe_store_add_audit (store, "ohectl", "policy-set", args[0], error))
		return FALSE;
	ohe_ctl_policy_print (policy);
	return TRUE;
}

gboolean
ohe_ctl_policy_show (OheEngine *engine, gchar **args, GError **error)
{
	g_autoptr(OheOrganisationPolicy) policy =
		       ohe_store_get_policy (ohe_engine_get_store (engine), args[0], error);
	if (policy == NULL)
		return FALSE;
	ohe_ctl_policy_print (policy);
	return TRUE;
}

/*
 * One user setting: `organisation` (an organisation with a policy, or
 * `none`) or `aggregation` (`individual`, `hourly`, or `default` for the
 * organisation's).
 */
gboolean
ohe_ctl_policy_user_set_key (
    OheEngine *engine, const gchar *user_id, const gchar *key, const gchar *value, GError **error)
{
	OheStore *store = ohe_engine_get_store (engine);

	if (g_strcmp0 (key, "organisation") == 0) {
		const gchar *organisation = g_strcmp0 (value, "none") == 0 ? NULL : value;
		if (!ohe_store_set_user_organisation (store, user_id, organisation, error))
			return FALSE;
		g_print (_ ("user %s: organisation %s\n"), user_id, value);
		return TRUE;
	}
	if (g_strcmp0 (key, "aggregation") == 0) {
		const gchar *aggregation = g_strcmp0 (value, "default") == 0 ? NULL : value;
		if (!ohe_store_set_user_aggregation (store, user_id, aggregation, error))
			return FALSE;
		g_print (_ ("user %s: aggregation %s\n"), user_id, value);
		return TRUE;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     _ ("unknown user setting '%s' (known: frequency, organisation, aggregation)"),
		     key);
	return FALSE;
}
