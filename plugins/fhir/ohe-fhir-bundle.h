/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

typedef enum {
	OHE_FHIR_WRITE_MODE_PUT,		/* PUT Type/id */
	OHE_FHIR_WRITE_MODE_CONDITIONAL_CREATE, /* POST Type + ifNoneExist */
	OHE_FHIR_WRITE_MODE_CONDITIONAL_UPDATE, /* PUT Type?identifier=system|value */
} OheFhirWriteMode;

typedef enum {
	OHE_FHIR_BUNDLE_TYPE_TRANSACTION,
	OHE_FHIR_BUNDLE_TYPE_BATCH,
} OheFhirBundleType;

gboolean
ohe_fhir_write_mode_from_string (const gchar *str, OheFhirWriteMode *mode);
const gchar *
ohe_fhir_write_mode_to_string (OheFhirWriteMode mode);
gboolean
ohe_fhir_bundle_type_from_string (const gchar *str, OheFhirBundleType *type);
const gchar *
ohe_fhir_bundle_type_to_string (OheFhirBundleType type);

/* one resource to deliver, and the measurements (request indices) it belongs to */
typedef struct {
	gchar *resource_type;	  /* owned */
	gchar *id;		  /* owned */
	gchar *identifier_system; /* owned, nullable */
	gchar *identifier_value;  /* owned, nullable */
	GString *json;		  /* owned, the resource as compact JSON */
	GArray *owners;		  /* owned, of guint measurement indices */
	gint64 time_us;		  /* the owning measurement's start, for NDJSON partitions */
	/*< private >*/
	gint ref_count;
} OheFhirEntry;

OheFhirEntry *
ohe_fhir_entry_new (const gchar *resource_type,
		    const gchar *id,
		    const gchar *identifier_system,
		    const gchar *identifier_value,
		    const gchar *json,
		    guint owner,
		    gint64 time_us);
OheFhirEntry *
ohe_fhir_entry_ref (OheFhirEntry *self);
void
ohe_fhir_entry_unref (OheFhirEntry *self);
gboolean
ohe_fhir_entry_is_shared (OheFhirEntry *self);
gchar *
ohe_fhir_entry_dup_key (OheFhirEntry *self);
void
ohe_fhir_entry_add_owner (OheFhirEntry *self, guint owner);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirEntry, ohe_fhir_entry_unref)

GPtrArray *
ohe_fhir_entries_dedup (GPtrArray *entries);

/* what the server said about one entry; status 0: not answered */
typedef struct {
	guint status;
	gchar *detail; /* owned, nullable; never holds health values we added */
} OheFhirEntryResult;

void
ohe_fhir_entry_result_clear (OheFhirEntryResult *result);
void
ohe_fhir_entry_results_apply (GPtrArray *entries,
			      const OheFhirEntryResult *results,
			      OhePushRequest *request);

#define OHE_TYPE_FHIR_BUNDLE (ohe_fhir_bundle_get_type ())
G_DECLARE_FINAL_TYPE (OheFhirBundle, ohe_fhir_bundle, OHE, FHIR_BUNDLE, GObject)

OheFhirBundle *
ohe_fhir_bundle_new (OheFhirBundleType type, OheFhirWriteMode mode);
void
ohe_fhir_bundle_add_entry (OheFhirBundle *self, OheFhirEntry *entry);
guint
ohe_fhir_bundle_get_n_entries (OheFhirBundle *self);
OheFhirEntry *
ohe_fhir_bundle_get_entry (OheFhirBundle *self, guint idx);
GBytes *
ohe_fhir_bundle_to_bytes (OheFhirBundle *self);
gboolean
ohe_fhir_bundle_parse_response (OheFhirBundle *self,
				JsonNode *root,
				OheFhirEntryResult *results,
				GError **error);

gchar *
ohe_fhir_outcome_dup_detail (JsonNode *outcome, gint *entry_index);
guint
ohe_fhir_outcome_parse_limit (const gchar *detail, guint n_sent);
guint
ohe_fhir_outcome_find_limit (JsonNode *outcome, guint n_sent);

G_END_DECLS
