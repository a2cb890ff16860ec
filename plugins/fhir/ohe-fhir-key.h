/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gcrypt.h>
#include <glib-object.h>

G_BEGIN_DECLS

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gcry_sexp_t, gcry_sexp_release, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gcry_mpi_t, gcry_mpi_release, NULL)

/**
 * OheFhirKeyType:
 * @OHE_FHIR_KEY_TYPE_RSA: an RSA key of at least 2048 bits, signs RS384
 * @OHE_FHIR_KEY_TYPE_EC_P384: an EC key on NIST P-384, signs ES384
 */
typedef enum {
	OHE_FHIR_KEY_TYPE_RSA,
	OHE_FHIR_KEY_TYPE_EC_P384,
} OheFhirKeyType;

#define OHE_TYPE_FHIR_KEY (ohe_fhir_key_get_type ())
G_DECLARE_FINAL_TYPE (OheFhirKey, ohe_fhir_key, OHE, FHIR_KEY, GObject)

OheFhirKey *
ohe_fhir_key_new_from_pem (const gchar *pem, gsize pem_len, GError **error);
OheFhirKey *
ohe_fhir_key_new_from_file (const gchar *filename, GError **error);
OheFhirKeyType
ohe_fhir_key_get_key_type (OheFhirKey *self);
guint
ohe_fhir_key_get_bits (OheFhirKey *self);
const gchar *
ohe_fhir_key_get_algorithm (OheFhirKey *self);
GBytes *
ohe_fhir_key_sign (OheFhirKey *self, const guint8 *data, gsize data_len, GError **error);

G_END_DECLS
