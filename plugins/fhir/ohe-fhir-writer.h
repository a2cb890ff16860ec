/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-fhir-mapping.h"

G_BEGIN_DECLS

/**
 * OheFhirResource:
 * @resource_type: static: `Observation`, `DiagnosticReport`, `Device` or `DeviceAssociation`
 * @id: the deterministic FHIR id
 * @identifier_system: the system of the business identifier
 * @identifier_value: the value of the business identifier
 * @json: the whole resource as compact JSON, with `resourceType` and `id`
 * @measurement_index: the index of the source measurement in the batch
 *
 * One FHIR resource, ready to be put into a bundle or an NDJSON file. The
 * strings are owned by the resource and share its allocation: read them, do
 * not free or replace them; @json may be taken (set the member to %NULL).
 */
typedef struct {
	const gchar *resource_type;
	gchar *id;
	gchar *identifier_system;
	gchar *identifier_value;
	GString *json;
	guint measurement_index;
} OheFhirResource;

void
ohe_fhir_resource_free (OheFhirResource *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirResource, ohe_fhir_resource_free)

#define OHE_FHIR_PROVIDER_SOURCE_PREFIX "urn:ohed:provider:"

#define OHE_TYPE_FHIR_WRITER (ohe_fhir_writer_get_type ())
G_DECLARE_FINAL_TYPE (OheFhirWriter, ohe_fhir_writer, OHE, FHIR_WRITER, GObject)

OheFhirWriter *
ohe_fhir_writer_new (OheFhirMapping *mapping, const gchar *identifier_base);
gboolean
ohe_fhir_writer_write (OheFhirWriter *self,
		       OheMeasurement *m,
		       guint index,
		       const gchar *patient_reference,
		       GPtrArray *out,
		       GError **error);
void
ohe_fhir_writer_reset_devices (OheFhirWriter *self);
const gchar *
ohe_fhir_writer_get_identifier_base (OheFhirWriter *self);
OheFhirMapping *
ohe_fhir_writer_get_mapping (OheFhirWriter *self);

G_END_DECLS
