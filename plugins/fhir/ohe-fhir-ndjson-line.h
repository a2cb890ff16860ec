/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/* the longest line and the deepest nesting an existing NDJSON line may have */
#define OHE_FHIR_NDJSON_MAX_LINE  (8 * 1024 * 1024)
#define OHE_FHIR_NDJSON_MAX_DEPTH 32

gboolean
ohe_fhir_ndjson_is_fhir_id (const gchar *id);
gboolean
ohe_fhir_ndjson_is_type_name (const gchar *name);
gchar *
ohe_fhir_ndjson_line_new (const GString *json);
gchar *
ohe_fhir_ndjson_line_dup_id (const gchar *line, gsize len, const gchar *resource_type);

G_END_DECLS
