/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-withings-signature.h"

/*
 * Withings request signatures (https://developer.withings.com/developer-guide/v3/
 * integration-guide/bulkship-sdk/get-access/sign-your-requests): the values of the signed
 * fields, taken in the alphabetical order of their names and joined with
 * commas, authenticated with HMAC-SHA256 keyed by the client secret, as 64
 * lowercase hex digits. getnonce signs action, client_id and timestamp; a
 * signed call signs action, client_id and nonce, and nothing else.
 */

static gint
ohe_withings_signature_cmp (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/**
 * ohe_withings_signature_compute:
 * @client_secret: the key
 * @signed_fields: name → value of exactly the fields that are signed
 *
 * Returns: (transfer full): the lowercase hex HMAC-SHA256 signature
 */
gchar *
ohe_withings_signature_compute (const gchar *client_secret, GHashTable *signed_fields)
{
	g_autoptr(GPtrArray) keys = g_ptr_array_new ();
	g_autoptr(GString) msg = g_string_new (NULL);
	GHashTableIter iter;
	gpointer key;
	gchar *signature;

	g_return_val_if_fail (client_secret != NULL, NULL);
	g_return_val_if_fail (signed_fields != NULL, NULL);

	g_hash_table_iter_init (&iter, signed_fields);
	while (g_hash_table_iter_next (&iter, &key, NULL))
		g_ptr_array_add (keys, key);
	g_ptr_array_sort (keys, ohe_withings_signature_cmp);
	for (guint i = 0; i < keys->len; i++) {
		const gchar *value = g_hash_table_lookup (signed_fields, keys->pdata[i]);
		if (i > 0)
			g_string_append_c (msg, ',');
		g_string_append (msg, value != NULL ? value : "");
	}
	signature =
	    g_compute_hmac_for_data (G_CHECKSUM_SHA256, (const guchar *)client_secret,
				     strlen (client_secret), (const guchar *)msg->str, msg->len);
	/* the message holds a nonce; not a secret, but not kept around either */
	memset (msg->str, 0, msg->len);
	return signature;
}

/**
 * ohe_withings_signature_for_nonce:
 *
 * Returns: (transfer full): the signature of a signed call (action, client_id, nonce)
 */
gchar *
ohe_withings_signature_for_nonce (const gchar *client_secret,
				  const gchar *action,
				  const gchar *client_id,
				  const gchar *nonce)
{
	g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
	g_hash_table_insert (fields, (gpointer) "action", (gpointer)action);
	g_hash_table_insert (fields, (gpointer) "client_id", (gpointer)client_id);
	g_hash_table_insert (fields, (gpointer) "nonce", (gpointer)nonce);
	return ohe_withings_signature_compute (client_secret, fields);
}

/**
 * ohe_withings_signature_for_getnonce:
 *
 * Returns: (transfer full): the signature of a getnonce call (action, client_id, timestamp)
 */
gchar *
ohe_withings_signature_for_getnonce (const gchar *client_secret,
				     const gchar *client_id,
				     gint64 timestamp)
{
	g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
	g_autofree gchar *ts = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
	g_hash_table_insert (fields, (gpointer) "action", (gpointer) "getnonce");
	g_hash_table_insert (fields, (gpointer) "client_id", (gpointer)client_id);
	g_hash_table_insert (fields, (gpointer) "timestamp", ts);
	return ohe_withings_signature_compute (client_secret, fields);
}

/**
 * ohe_withings_signature_verify:
 *
 * Compares in constant time, so a server built on it leaks nothing by timing.
 *
 * Returns: %TRUE if @signature signs @signed_fields
 */
gboolean
ohe_withings_signature_verify (const gchar *client_secret,
			       GHashTable *signed_fields,
			       const gchar *signature)
{
	g_autofree gchar *expected = NULL;
	guint8 diff = 0;
	gsize len;

	if (signature == NULL)
		return FALSE;
	expected = ohe_withings_signature_compute (client_secret, signed_fields);
	len = strlen (expected);
	if (strlen (signature) != len)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		diff |= (guint8)(expected[i] ^ g_ascii_tolower (signature[i]));
	return diff == 0;
}
