/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-fhir-ndjson-fs.h"

G_BEGIN_DECLS

/* the name of a folder's index, next to its segments and manifest.json */
#define OHE_FHIR_NDJSON_INDEX_NAME ".index"

typedef struct _OheFhirNdjsonIndex OheFhirNdjsonIndex;

typedef void (*OheFhirNdjsonSegmentFunc) (const gchar *resource_type,
					  guint segment,
					  guint lines,
					  gpointer user_data);

OheFhirNdjsonIndex *
ohe_fhir_ndjson_index_new (const gchar *display);
void
ohe_fhir_ndjson_index_free (OheFhirNdjsonIndex *self);
guint
ohe_fhir_ndjson_index_get_size (OheFhirNdjsonIndex *self);
gboolean
ohe_fhir_ndjson_index_begin (OheFhirNdjsonIndex *self,
			     gint dir_fd,
			     const OheFhirNdjsonPerms *perms,
			     GError **error);
gboolean
ohe_fhir_ndjson_index_commit (OheFhirNdjsonIndex *self, GError **error);
void
ohe_fhir_ndjson_index_rollback (OheFhirNdjsonIndex *self);
guint
ohe_fhir_ndjson_index_lookup (OheFhirNdjsonIndex *self,
			      const gchar *resource_type,
			      const gchar *id);
void
ohe_fhir_ndjson_index_put (OheFhirNdjsonIndex *self,
			   const gchar *resource_type,
			   const gchar *id,
			   guint segment);
guint
ohe_fhir_ndjson_index_get_last_segment (OheFhirNdjsonIndex *self,
					const gchar *resource_type,
					guint *lines);
void
ohe_fhir_ndjson_index_set_segment (OheFhirNdjsonIndex *self,
				   const gchar *resource_type,
				   guint segment,
				   guint lines);
void
ohe_fhir_ndjson_index_foreach_segment (OheFhirNdjsonIndex *self,
				       OheFhirNdjsonSegmentFunc func,
				       gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirNdjsonIndex, ohe_fhir_ndjson_index_free)

G_END_DECLS
