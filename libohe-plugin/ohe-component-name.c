/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-component-name.h"

static const gchar *const ohe_component_name_blood_pressure[] = {
    OHE_COMPONENT_NAME_SYSTOLIC,
    OHE_COMPONENT_NAME_DIASTOLIC,
    OHE_COMPONENT_NAME_MEAN,
    NULL,
};
static const gchar *const ohe_component_name_none[] = {NULL};

/**
 * ohe_component_name_list:
 * @kind: an #OheMeasurementKind
 *
 * Returns: (transfer none) (array zero-terminated=1): the component names
 *   of @kind; empty for a kind without components
 *
 * Since: 0.1
 */
const gchar *const *
ohe_component_name_list (OheMeasurementKind kind)
{
	return kind == OHE_MEASUREMENT_KIND_BLOOD_PRESSURE ? ohe_component_name_blood_pressure
							   : ohe_component_name_none;
}

/**
 * ohe_component_name_is_valid:
 * @kind: an #OheMeasurementKind
 * @name: a component name
 *
 * Returns: %TRUE if a measurement of @kind may hold a component @name
 *
 * Since: 0.1
 */
gboolean
ohe_component_name_is_valid (OheMeasurementKind kind, const gchar *name)
{
	const gchar *const *names = ohe_component_name_list (kind);

	g_return_val_if_fail (name != NULL, FALSE);
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_str_equal (names[i], name))
			return TRUE;
	}
	return FALSE;
}

/**
 * ohe_component_name_is_required:
 * @kind: an #OheMeasurementKind
 * @name: a component name
 *
 * Returns: %TRUE if every measurement of @kind must hold a component @name
 *
 * Since: 0.1
 */
gboolean
ohe_component_name_is_required (OheMeasurementKind kind, const gchar *name)
{
	g_return_val_if_fail (name != NULL, FALSE);
	return kind == OHE_MEASUREMENT_KIND_BLOOD_PRESSURE &&
	       (g_str_equal (name, OHE_COMPONENT_NAME_SYSTOLIC) ||
		g_str_equal (name, OHE_COMPONENT_NAME_DIASTOLIC));
}
