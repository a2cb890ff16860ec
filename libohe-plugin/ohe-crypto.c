/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gcrypt.h>
#include <string.h>

#include "ohe-crypto.h"
#include "ohe-error.h"

/**
 * ohe_crypto_init:
 *
 * Initialises libgcrypt once per process. The host, the SDK and plugins all
 * call it before their first use of libgcrypt; only the first call acts.
 *
 * Since: 0.1
 */
void
ohe_crypto_init (void)
{
	static gsize initialized = 0;
	if (g_once_init_enter (&initialized)) {
		if (!gcry_control (GCRYCTL_INITIALIZATION_FINISHED_P)) {
			if (gcry_check_version (GCRYPT_VERSION) == NULL)
				g_warning ("libgcrypt is older than %s", GCRYPT_VERSION);
			gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
		}
		g_once_init_leave (&initialized, 1);
	}
}

/**
 * ohe_crypto_random:
 * @buffer: (out caller-allocates) (array length=length): where to write
 * @length: how many bytes
 *
 * Fills @buffer with bytes from libgcrypt's strong random generator, for
 * keys, nonces, PKCE verifiers and OAuth states.
 *
 * Since: 0.1
 */
void
ohe_crypto_random (guint8 *buffer, gsize length)
{
	ohe_crypto_init ();
	gcry_randomize (buffer, length, GCRY_STRONG_RANDOM);
}

/**
 * ohe_base64url_encode:
 * @data: (array length=length): bytes
 * @length: the number of bytes
 *
 * Returns: (transfer full): base64url without padding (RFC 4648 §5)
 *
 * Since: 0.1
 */
gchar *
ohe_base64url_encode (const guint8 *data, gsize length)
{
	gchar *text = g_base64_encode (data, length);
	gchar *end = strchr (text, '=');
	if (end != NULL)
		*end = '\0';
	for (gchar *p = text; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	return text;
}

/**
 * ohe_base64url_decode:
 * @text: base64url, with or without padding
 * @length: (out): the number of bytes
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (array length=length): the bytes, or %NULL if @text is not base64url
 *
 * Since: 0.1
 */
guint8 *
ohe_base64url_decode (const gchar *text, gsize *length, GError **error)
{
	gsize n = strlen (text);
	g_autoptr(GString) standard = g_string_sized_new (n + 3);

	for (gsize i = 0; i < n; i++) {
		gchar c = text[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (c == '=' && i >= n - 2)
			continue;
		else if (!g_ascii_isalnum (c)) {
			g_set_error (
			    error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			    "not base64url: unexpected character at offset %" G_GSIZE_FORMAT, i);
			return NULL;
		}
		g_string_append_c (standard, c);
	}
	if (standard->len % 4 == 1) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "not base64url: truncated");
		return NULL;
	}
	while (standard->len % 4 != 0)
		g_string_append_c (standard, '=');
	return g_base64_decode (standard->str, length);
}
