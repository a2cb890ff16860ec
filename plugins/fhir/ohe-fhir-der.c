/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <oheplugin.h>

#include "ohe-fhir-der.h"

/*
 * Only as much DER as PKCS#1, PKCS#8 and SEC1 private keys need: definite
 * lengths, single-byte tags, no indefinite forms. The input is an operator's
 * file, so every length is checked against what is left before it is used;
 * messages describe the structure only, never the bytes.
 */

void
ohe_fhir_der_init (OheFhirDer *der, const guint8 *data, gsize len)
{
	der->data = data;
	der->len = len;
}

gboolean
ohe_fhir_der_is_empty (const OheFhirDer *der)
{
	return der->len == 0;
}

guint8
ohe_fhir_der_peek_tag (const OheFhirDer *der)
{
	return der->len > 0 ? der->data[0] : 0;
}

/**
 * ohe_fhir_der_read:
 * @der: the cursor, advanced past the item on success
 * @tag: the tag the next item must have
 * @content: (out): the item's content
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE if the next item has @tag and fits into what is left
 */
gboolean
ohe_fhir_der_read (OheFhirDer *der, guint8 tag, OheFhirDer *content, GError **error)
{
	gsize header = 2;
	gsize len;

	if (der->len < 2) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "DER: truncated, expected tag 0x%02x", tag);
		return FALSE;
	}
	if (der->data[0] != tag) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "DER: expected tag 0x%02x, found 0x%02x", tag, der->data[0]);
		return FALSE;
	}
	len = der->data[1];
	if (len & 0x80) {
		guint n_octets = len & 0x7f;
		/* 0x80 is the indefinite form, which DER forbids; 4 octets cover any key file */
		if (n_octets == 0 || n_octets > 4) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "DER: unsupported length form in tag 0x%02x", tag);
			return FALSE;
		}
		if (der->len < 2 + n_octets) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "DER: truncated length in tag 0x%02x", tag);
			return FALSE;
		}
		len = 0;
		for (guint i = 0; i < n_octets; i++)
			len = (len << 8) | der->data[2 + i];
		header += n_octets;
	}
	if (len > der->len - header) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "DER: tag 0x%02x claims %" G_GSIZE_FORMAT
			     " bytes, only %" G_GSIZE_FORMAT " left",
			     tag, len, der->len - header);
		return FALSE;
	}
	ohe_fhir_der_init (content, der->data + header, len);
	der->data += header + len;
	der->len -= header + len;
	return TRUE;
}

/**
 * ohe_fhir_der_read_uint:
 * @der: the cursor
 * @value: (out): the big-endian magnitude without its sign octet, borrowed
 * @value_len: (out): its length
 * @error: a #GError, or %NULL
 *
 * Reads an INTEGER that must not be negative: every number in a private key
 * is a non-negative magnitude.
 */
gboolean
ohe_fhir_der_read_uint (OheFhirDer *der, const guint8 **value, gsize *value_len, GError **error)
{
	OheFhirDer content;

	if (!ohe_fhir_der_read (der, OHE_FHIR_DER_TAG_INTEGER, &content, error))
		return FALSE;
	if (content.len == 0 || (content.data[0] & 0x80) != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "DER: integer is empty or negative");
		return FALSE;
	}
	/* the leading zero only keeps the sign positive */
	while (content.len > 1 && content.data[0] == 0) {
		content.data++;
		content.len--;
	}
	*value = content.data;
	*value_len = content.len;
	return TRUE;
}

/* for version fields */
gboolean
ohe_fhir_der_read_small_uint (OheFhirDer *der, guint *value, GError **error)
{
	const guint8 *data;
	gsize len;

	if (!ohe_fhir_der_read_uint (der, &data, &len, error))
		return FALSE;
	if (len > 2) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "DER: version number out of range");
		return FALSE;
	}
	*value = 0;
	for (gsize i = 0; i < len; i++)
		*value = (*value << 8) | data[i];
	return TRUE;
}

gboolean
ohe_fhir_der_equal (const OheFhirDer *content, const guint8 *expected, gsize expected_len)
{
	return content->len == expected_len && memcmp (content->data, expected, expected_len) == 0;
}
