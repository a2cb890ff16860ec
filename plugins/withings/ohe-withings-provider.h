/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-withings-webhook.h"

G_BEGIN_DECLS

#define OHE_TYPE_WITHINGS_PROVIDER (ohe_withings_provider_get_type ())
G_DECLARE_FINAL_TYPE (
    OheWithingsProvider, ohe_withings_provider, OHE, WITHINGS_PROVIDER, OheOAuth2Provider)

GArray *
ohe_withings_provider_appli_for_kinds (const OheMeasurementKind *kinds, guint n_kinds);

G_END_DECLS
