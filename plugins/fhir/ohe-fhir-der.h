/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the few universal and context tags a private key file uses */
#define OHE_FHIR_DER_TAG_INTEGER      0x02
#define OHE_FHIR_DER_TAG_BIT_STRING   0x03
#define OHE_FHIR_DER_TAG_OCTET_STRING 0x04
#define OHE_FHIR_DER_TAG_NULL	      0x05
#define OHE_FHIR_DER_TAG_OID	      0x06
#define OHE_FHIR_DER_TAG_SEQUENCE     0x30
#define OHE_FHIR_DER_TAG_CONTEXT_0    0xa0
#define OHE_FHIR_DER_TAG_CONTEXT_1    0xa1

/**
 * OheFhirDer:
 * @data: the unread bytes, borrowed
 * @len: how many bytes are left
 *
 * A cursor over DER-encoded ASN.1. Items point into the caller's buffer.
 */
typedef struct {
	const guint8 *data;
	gsize len;
} OheFhirDer;

void
ohe_fhir_der_init (OheFhirDer *der, const guint8 *data, gsize len);
gboolean
ohe_fhir_der_is_empty (const OheFhirDer *der);
guint8
ohe_fhir_der_peek_tag (const OheFhirDer *der);
gboolean
ohe_fhir_der_read (OheFhirDer *der, guint8 tag, OheFhirDer *content, GError **error);
gboolean
ohe_fhir_der_read_uint (OheFhirDer *der, const guint8 **value, gsize *value_len, GError **error);
gboolean
ohe_fhir_der_read_small_uint (OheFhirDer *der, guint *value, GError **error);
gboolean
ohe_fhir_der_equal (const OheFhirDer *content, const guint8 *expected, gsize expected_len);

G_END_DECLS
