/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>
#include <sys/types.h>

G_BEGIN_DECLS

/*
 * How the NDJSON output is protected: directories 0700 and files 0600, or
 * 0750/0640 with a group. Applied with fchmod/fchown after creation, so the
 * umask and an existing directory's mode do not matter.
 */
typedef struct {
	mode_t dir_mode;
	mode_t file_mode;
	gid_t gid; /* (gid_t)-1: no group */
} OheFhirNdjsonPerms;

void
ohe_fhir_ndjson_perms_init (OheFhirNdjsonPerms *perms, gid_t gid);

gint
ohe_fhir_ndjson_open_root (const gchar *path, const OheFhirNdjsonPerms *perms, GError **error);
gint
ohe_fhir_ndjson_open_dir (gint parent_fd,
			  const gchar *name,
			  const gchar *display,
			  const OheFhirNdjsonPerms *perms,
			  gboolean *created,
			  GError **error);
gboolean
ohe_fhir_ndjson_read_file (gint dir_fd,
			   const gchar *name,
			   const gchar *display,
			   gsize max_size,
			   GString **contents,
			   GError **error);
gint
ohe_fhir_ndjson_open_private_file (gint dir_fd,
				   const gchar *name,
				   const gchar *display,
				   const OheFhirNdjsonPerms *perms,
				   GError **error);
gchar *
ohe_fhir_ndjson_write_temp (gint dir_fd,
			    const gchar *name,
			    const gchar *display,
			    const GString *contents,
			    const OheFhirNdjsonPerms *perms,
			    GError **error);
gboolean
ohe_fhir_ndjson_commit_temp (
    gint dir_fd, const gchar *tmp, const gchar *name, const gchar *display, GError **error);
gboolean
ohe_fhir_ndjson_sync_dir (gint dir_fd, const gchar *display, GError **error);
gboolean
ohe_fhir_ndjson_file_exists (gint dir_fd, const gchar *name);

G_END_DECLS
