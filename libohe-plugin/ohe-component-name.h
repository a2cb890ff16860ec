/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "ohe-measurement-kind.h"

G_BEGIN_DECLS

/**
 * SECTION:ohe-component-name
 * @title: Component names
 * @short_description: the component names of a components measurement, part of the provider ↔ sink
 * contract
 *
 * The named numbers of a measurement of value type
 * %OHE_VALUE_TYPE_COMPONENTS. Only `blood_pressure` has components:
 * %OHE_COMPONENT_NAME_SYSTOLIC and %OHE_COMPONENT_NAME_DIASTOLIC (both
 * required) and %OHE_COMPONENT_NAME_MEAN (optional). The pulse of a cuff
 * reading is its own `heart_rate` measurement, never a component.
 */

/**
 * OHE_COMPONENT_NAME_SYSTOLIC:
 *
 * Systolic blood pressure in mm[Hg]; required in `blood_pressure`.
 *
 * Since: 0.1
 */
#define OHE_COMPONENT_NAME_SYSTOLIC "systolic"

/**
 * OHE_COMPONENT_NAME_DIASTOLIC:
 *
 * Diastolic blood pressure in mm[Hg]; required in `blood_pressure`.
 *
 * Since: 0.1
 */
#define OHE_COMPONENT_NAME_DIASTOLIC "diastolic"

/**
 * OHE_COMPONENT_NAME_MEAN:
 *
 * Mean arterial pressure in mm[Hg]; optional in `blood_pressure`.
 *
 * Since: 0.1
 */
#define OHE_COMPONENT_NAME_MEAN "mean"

const gchar *const *
ohe_component_name_list (OheMeasurementKind kind);
gboolean
ohe_component_name_is_valid (OheMeasurementKind kind, const gchar *name);
gboolean
ohe_component_name_is_required (OheMeasurementKind kind, const gchar *name);

G_END_DECLS
