/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

typedef struct _OheFhirNdjsonIndex OheFhirNdjsonIndex;

typedef void (*OheFhirNdjsonSegmentFunc) (const gchar *resource_type,
					  guint segment,
					  guint lines,
					  gpointer user_data);

OheFhirNdjsonIndex *
ohe_fhir_ndjson_index_open (const gchar *path, const gchar *display, GError **error);
void
ohe_fhir_ndjson_index_free (OheFhirNdjsonIndex *self);
gboolean
ohe_fhir_ndjson_index_begin (OheFhirNdjsonIndex *self, GError **error);
gboolean
ohe_fhir_ndjson_index_commit (OheFhirNdjsonIndex *self, GError **error);
void
ohe_fhir_ndjson_index_rollback (OheFhirNdjsonIndex *self);
gboolean
ohe_fhir_ndjson_index_lookup (OheFhirNdjsonIndex *self,
			      const gchar *resource_type,
			      const gchar *id,
			      guint *segment,
			      GError **error);
gboolean
ohe_fhir_ndjson_index_put (OheFhirNdjsonIndex *self,
			   const gchar *resource_type,
			   const gchar *id,
			   guint segment,
			   GError **error);
gboolean
ohe_fhir_ndjson_index_get_last_segment (OheFhirNdjsonIndex *self,
					const gchar *resource_type,
					guint *segment,
					guint *lines,
					GError **error);
gboolean
ohe_fhir_ndjson_index_set_segment (OheFhirNdjsonIndex *self,
				   const gchar *resource_type,
				   guint segment,
				   guint lines,
				   GError **error);
gboolean
ohe_fhir_ndjson_index_foreach_segment (OheFhirNdjsonIndex *self,
				       OheFhirNdjsonSegmentFunc func,
				       gpointer user_data,
				       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirNdjsonIndex, ohe_fhir_ndjson_index_free)

G_END_DECLS
