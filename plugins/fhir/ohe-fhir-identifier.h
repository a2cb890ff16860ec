/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/* a FHIR id: [A-Za-z0-9\-\.]{1,64}; ours are 64 lowercase hex digits */
#define OHE_FHIR_ID_LEN 64

#define OHE_FHIR_IDENTIFIER_DEFAULT_BASE "https://ohed.dev/fhir/id"

gchar *ohe_fhir_identifier_system (const gchar *base, const gchar *provider, const gchar *suffix);
void ohe_fhir_identifier_resource_id (const gchar *system,
				      const gchar *value,
				      gchar id[OHE_FHIR_ID_LEN + 1]);
void ohe_fhir_identifier_hash (const gchar *const *parts, gchar hex[OHE_FHIR_ID_LEN + 1]);
gboolean ohe_fhir_identifier_is_daily_total (OheMeasurement *m);
void
ohe_fhir_identifier_append_value (GString *out, OheMeasurement *m, const gchar *patient_reference);

G_END_DECLS
