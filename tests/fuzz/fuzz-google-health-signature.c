/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fuzz.h"
#include "ohe-google-health-notification.h"

/*
 * What a Google Health delivery brings besides its body: the signature
 * header (base64 DER ECDSA, optionally with the Tink prefix) and the
 * Authorization header. The input is the header value, a newline, and the
 * body; the whole input is also read as a PEM public key. The seeds are
 * signed with the private half of the key below, which exists nowhere else.
 */
static const gchar ohe_fuzz_public_key[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHV3QFldSxoILo//MxLfTnCflFC81\n"
    "MB3UW12iicHSb1cfX/5+f7n9i3B3+pY4b7zLj9ExMBYpR/yH+44k3Eq7cQ==\n"
    "-----END PUBLIC KEY-----\n";

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	static OheGoogleHealthPublicKey *key;
	g_autoptr(OheGoogleHealthPublicKey) pem = NULL;
	const guint8 *newline = memchr (data, '\n', size);
	gsize header_len = newline != NULL ? (gsize)(newline - data) : size;
	g_autofree gchar *header = ohe_fuzz_dup_string (data, header_len);
	const guint8 *body = newline != NULL ? newline + 1 : data + size;
	gsize body_len = size - (gsize)(body - data);
	g_autoptr(GError) error = NULL;

	if (key == NULL) {
		key = ohe_google_health_public_key_new_from_pem (
		    ohe_fuzz_public_key, strlen (ohe_fuzz_public_key), 0x5157e001, &error);
		g_assert_no_error (error);
	}
	if (!ohe_google_health_public_key_verify (key, body, body_len, header, &error)) {
		g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
		g_clear_error (&error);
	}
	ohe_google_health_notification_check_secret ("fuzz-endpoint-secret", header);
	pem = ohe_google_health_public_key_new_from_pem ((const gchar *)data, size, -1, &error);
	g_assert_true ((pem != NULL) == (error == NULL));
	return 0;
}
