/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a FHIR id: [A-Za-z0-9\-\.]{1,64}; ours are 64 lowercase hex digits */
#define OHE_FHIR_ID_LEN 64

/**
 * OheFhirSha256:
 *
 * A SHA-256 computation that can be copied: the state after a constant
 * prefix is kept and continued for each identifier.
 */
typedef struct {
	guint32 h[8];	   /* the state after the whole blocks so far */
	guint64 length;	   /* bytes hashed so far */
	guint8 buffer[64]; /* bytes after the last whole block */
} OheFhirSha256;

void
ohe_fhir_sha256_init (OheFhirSha256 *self);
void
ohe_fhir_sha256_update (OheFhirSha256 *self, const void *data, gsize len);
void
ohe_fhir_sha256_finish_hex (OheFhirSha256 *self, gchar hex[OHE_FHIR_ID_LEN + 1]);
gboolean
ohe_fhir_sha256_set_accelerated (gboolean accelerated);

G_END_DECLS
