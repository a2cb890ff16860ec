/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-fhir-bundle.h"

G_BEGIN_DECLS

#define OHE_TYPE_FHIR_NDJSON_TRANSPORT (ohe_fhir_ndjson_transport_get_type ())
G_DECLARE_FINAL_TYPE (
    OheFhirNdjsonTransport, ohe_fhir_ndjson_transport, OHE, FHIR_NDJSON_TRANSPORT, GObject)

OheFhirNdjsonTransport *
ohe_fhir_ndjson_transport_new (const gchar *output_dir);
const gchar *
ohe_fhir_ndjson_transport_get_output_dir (OheFhirNdjsonTransport *self);
gboolean
ohe_fhir_ndjson_transport_push (OheFhirNdjsonTransport *self,
				GPtrArray *entries,
				OhePushRequest *request,
				GCancellable *cancellable,
				GError **error);
gboolean
ohe_fhir_ndjson_transport_check_health (OheFhirNdjsonTransport *self, GError **error);

G_END_DECLS
