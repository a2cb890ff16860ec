/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-batch.h"
#include "ohe-organisation-policy.h"

G_BEGIN_DECLS

#define OHE_TYPE_SHAPER (ohe_shaper_get_type ())
G_DECLARE_FINAL_TYPE (OheShaper, ohe_shaper, OHE, SHAPER, GObject)

OheShaper *
ohe_shaper_new (const gchar *provider, const gchar *const *consented_kinds);
void
ohe_shaper_set_policy (OheShaper *self, OheOrganisationPolicy *policy);
gboolean
ohe_shaper_allows_kind (OheShaper *self, OheMeasurementKind kind);
void
ohe_shaper_apply (OheShaper *self, OheBatch *batch);

G_END_DECLS
