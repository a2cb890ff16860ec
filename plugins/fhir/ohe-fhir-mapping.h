/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/* the shipped mapping; [plugin:fhir] mapping_file overrides it */
#define OHE_FHIR_MAPPING_DEFAULT_FILE OHE_PKGDATADIR "/mappings/fhir-r5.json"

/**
 * OheFhirCodeMap:
 *
 * One mapped code. The JSON fragments are escaped once at load time and
 * copied as they are into every resource.
 */
typedef struct {
	gchar *key;	  /* component or lead name as in the measurement; NULL for a kind */
	gchar *system;	  /* of the first coding */
	gchar *code;	  /* of the first coding */
	gchar *display;	  /* of the first coding, nullable */
	GString *concept; /* a CodeableConcept value: {"coding":[…],"text":…} */
	GString
	    *quantity; /* members "unit":…,"system":…,"code":… of a Quantity; NULL without unit */
	gchar *unit; /* UCUM code, nullable */
} OheFhirCodeMap;

/**
 * OheFhirKindMap:
 *
 * How one measurement kind is written.
 */
typedef struct {
	OheMeasurementKind kind;
	gboolean enabled;
	gchar *category;		   /* observation-category code */
	gchar *profile;			   /* vital-signs profile URL, nullable */
	OheFhirCodeMap main;		   /* the Observation code and unit */
	GString *head;			   /* members "category":[…],"code":{…} */
	GString *profile_member;	   /* member "profile":["…"], NULL without profile */
	GPtrArray *components;		   /* of OheFhirCodeMap: BP components, ECG leads */
	OheFhirCodeMap *default_component; /* ECG series without a lead name, nullable */
	OheFhirCodeMap *daily;		   /* steps: the civil-day total, nullable */
	GString *daily_head;	/* members "category":[…],"code":{…} of the daily code */
	OheFhirCodeMap *report; /* ECG: the DiagnosticReport code, nullable */
	gchar *value_system;	/* classification: the CodeSystem of the values, nullable */
	GHashTable *values;	/* classification: code → display, nullable */
} OheFhirKindMap;

#define OHE_TYPE_FHIR_MAPPING (ohe_fhir_mapping_get_type ())
G_DECLARE_FINAL_TYPE (OheFhirMapping, ohe_fhir_mapping, OHE, FHIR_MAPPING, GObject)

OheFhirMapping *
ohe_fhir_mapping_new_from_file (const gchar *path, GError **error);
OheFhirMapping *
ohe_fhir_mapping_new_from_data (const gchar *data,
				gssize len,
				const gchar *source_name,
				GError **error);
const OheFhirKindMap *
ohe_fhir_mapping_lookup (OheFhirMapping *self, OheMeasurementKind kind);
const OheFhirCodeMap *
ohe_fhir_mapping_lookup_component (const OheFhirKindMap *map, const gchar *key);
const gchar *
ohe_fhir_mapping_get_source_name (OheFhirMapping *self);

G_END_DECLS
