/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-fhir-sha256.h"

G_BEGIN_DECLS

#define OHE_FHIR_IDENTIFIER_DEFAULT_BASE "https://ohed.dev/fhir/id"

/**
 * OheFhirIdentifierCache:
 *
 * The hash state after the constant part of hashed identifier values
 * (system, patient, device, kind), reused while those stay the same.
 * Zero-initialise it; free its contents with ohe_fhir_identifier_cache_clear().
 */
typedef struct {
	OheFhirSha256 prefix;
	const gchar *system; /* not owned: compared by address, outlives the cache */
	gchar *patient;	     /* owned */
	gchar *device;	     /* owned */
	guint shape;	     /* sample, civil-day total or aggregate */
} OheFhirIdentifierCache;

void
ohe_fhir_identifier_cache_clear (OheFhirIdentifierCache *cache);

gchar *
ohe_fhir_identifier_system (const gchar *base, const gchar *provider, const gchar *suffix);
void
ohe_fhir_identifier_resource_id (const gchar *system,
				 const gchar *value,
				 const gchar *patient_reference,
				 gchar id[OHE_FHIR_ID_LEN + 1]);
void
ohe_fhir_identifier_hash (const gchar *const *parts, gchar hex[OHE_FHIR_ID_LEN + 1]);
gboolean
ohe_fhir_identifier_is_daily_total (OheMeasurement *m);
gboolean
ohe_fhir_identifier_append_value (OheFhirIdentifierCache *cache,
				  GString *out,
				  OheMeasurement *m,
				  const gchar *system,
				  const gchar *patient_reference);

G_END_DECLS
