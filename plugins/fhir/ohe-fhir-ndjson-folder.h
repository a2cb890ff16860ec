/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-fhir-bundle.h"
#include "ohe-fhir-ndjson-fs.h"
#include "ohe-fhir-ndjson-index.h"

G_BEGIN_DECLS

gboolean
ohe_fhir_ndjson_folder_write (gint root_fd,
			      const gchar *root_path,
			      const gchar *day,
			      const gchar *patient,
			      const gchar *request,
			      GPtrArray *entries,
			      OheFhirNdjsonIndex *index,
			      const OheFhirNdjsonPerms *perms,
			      gint64 now_us,
			      GError **error);

G_END_DECLS
