/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

typedef struct _OheFhirNdjsonManifest OheFhirNdjsonManifest;

OheFhirNdjsonManifest *
ohe_fhir_ndjson_manifest_new (const gchar *request, gint64 transaction_time_us);
void
ohe_fhir_ndjson_manifest_free (OheFhirNdjsonManifest *self);
void
ohe_fhir_ndjson_manifest_add_output (OheFhirNdjsonManifest *self,
				     const gchar *resource_type,
				     const gchar *url,
				     guint count);
GString *
ohe_fhir_ndjson_manifest_to_string (OheFhirNdjsonManifest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirNdjsonManifest, ohe_fhir_ndjson_manifest_free)

G_END_DECLS
