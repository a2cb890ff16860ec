/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include <oheplugin.h>

#include "ohe-secret-box.h"

/*
 * Seals OAuth tokens before they reach the store: AES-256-GCM with a random
 * 96-bit nonce and the link id as additional data, so a sealed token copied
 * onto another link does not open. The sealed form names the key by an id
 * (the first 8 hex digits of the key's SHA-256), so keys can rotate: the
 * first key seals, every key opens.
 *
 *   ohe1.<key id>.<base64url(nonce || ciphertext || tag)>
 */
#define OHE_SECRET_BOX_KEY_LEN	 32
#define OHE_SECRET_BOX_NONCE_LEN 12
#define OHE_SECRET_BOX_TAG_LEN	 16
#define OHE_SECRET_BOX_PREFIX	 "ohe1."

typedef struct {
	gchar id[9];
	guint8 key[OHE_SECRET_BOX_KEY_LEN];
} OheSecretKey;

struct _OheSecretBox {
	GObject parent_instance;
	GArray *keys; /* owned, of OheSecretKey; the first one seals */
};

G_DEFINE_TYPE (OheSecretBox, ohe_secret_box, G_TYPE_OBJECT)

static void
ohe_secret_box_finalize (GObject *object)
{
	OheSecretBox *self = OHE_SECRET_BOX (object);
	/* key material does not outlive the box */
	if (self->keys->len > 0)
		memset (self->keys->data, 0, self->keys->len * sizeof (OheSecretKey));
	g_array_unref (self->keys);
	G_OBJECT_CLASS (ohe_secret_box_parent_class)->finalize (object);
}

static void
ohe_secret_box_class_init (OheSecretBoxClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_secret_box_finalize;
}

static void
ohe_secret_box_init (OheSecretBox *self)
{
	self->keys = g_array_new (FALSE, TRUE, sizeof (OheSecretKey));
}

OheSecretBox *
ohe_secret_box_new (void)
{
	ohe_crypto_init ();
	return g_object_new (OHE_TYPE_SECRET_BOX, NULL);
}

gboolean
ohe_secret_box_add_key (OheSecretBox *self, const guint8 *key, gsize key_len, GError **error)
{
	OheSecretKey entry = {{0}};
	guint8 digest[32];

	g_return_val_if_fail (OHE_IS_SECRET_BOX (self), FALSE);
	if (key_len != OHE_SECRET_BOX_KEY_LEN) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "token key must be %d bytes, not %" G_GSIZE_FORMAT,
			     OHE_SECRET_BOX_KEY_LEN, key_len);
		return FALSE;
	}
	gcry_md_hash_buffer (GCRY_MD_SHA256, digest, key, key_len);
	for (guint i = 0; i < 4; i++)
		g_snprintf (entry.id + i * 2, 3, "%02x", digest[i]);
	memcpy (entry.key, key, key_len);
	g_array_append_val (self->keys, entry);
	memset (&entry, 0, sizeof (entry));
	return TRUE;
}

/* A key file holds 32 raw bytes or 64 hex digits; with @create a missing
 * file gets a new random key, readable by the owner only. */
gboolean
ohe_secret_box_add_key_file (OheSecretBox *self, const gchar *path, gboolean create, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	guint8 key[OHE_SECRET_BOX_KEY_LEN];
	g_autoptr(GError) error_local = NULL;
	gboolean ok;

	if (create && !g_file_test (path, G_FILE_TEST_EXISTS)) {
		g_autofree gchar *hex = NULL;
		g_autofree gchar *dirname = g_path_get_dirname (path);
		g_autofree gchar *tmp = g_strdup_printf ("%s.XXXXXX", path);
		gsize hex_len = 2 * sizeof (key) + 1;
		gsize done = 0;
		gint fd;

		ohe_crypto_random (key, sizeof (key));
		hex = g_malloc (hex_len + 1);
		for (guint i = 0; i < sizeof (key); i++)
			g_snprintf (hex + 2 * i, 3, "%02x", key[i]);
		hex[2 * sizeof (key)] = '\n';
		hex[hex_len] = '\0';
		memset (key, 0, sizeof (key));
		if (g_mkdir_with_parents (dirname, 0700) != 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "cannot create %s: %s",
				     dirname, g_strerror (errno));
			return FALSE;
		}
		/* written aside, then linked into place: a second process starting at
		 * the same time either sees no file or a whole one */
		fd = g_mkstemp_full (tmp, O_WRONLY, 0600);
		if (fd < 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "cannot create %s: %s",
				     tmp, g_strerror (errno));
			return FALSE;
		}
		while (done < hex_len) {
			gssize n = write (fd, hex + done, hex_len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			done += (gsize)n;
		}
		memset (hex, 0, hex_len);
		if (done != hex_len || fsync (fd) != 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "cannot write %s: %s", tmp,
				     g_strerror (errno));
			close (fd);
			g_unlink (tmp);
			return FALSE;
		}
		close (fd);
		if (link (tmp, path) != 0 && errno != EEXIST) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "cannot create %s: %s",
				     path, g_strerror (errno));
			g_unlink (tmp);
			return FALSE;
		}
		g_unlink (tmp);
		g_info ("created a new token key in %s", path);
	}
	if (g_file_test (path, G_FILE_TEST_EXISTS) &&
	    !ohe_private_file_check (path, "token key", error))
		return FALSE;
	if (!g_file_get_contents (path, &contents, &len, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "cannot read token key: %s", error_local->message);
		return FALSE;
	}
	if (len == OHE_SECRET_BOX_KEY_LEN) {
		memcpy (key, contents, len);
	} else {
		g_strstrip (contents);
		if (strlen (contents) != 2 * OHE_SECRET_BOX_KEY_LEN) {
			memset (contents, 0, len);
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "token key %s must hold 32 bytes or 64 hex digits", path);
			return FALSE;
		}
		for (guint i = 0; i < OHE_SECRET_BOX_KEY_LEN; i++) {
			gint hi = g_ascii_xdigit_value (contents[2 * i]);
			gint lo = g_ascii_xdigit_value (contents[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				memset (contents, 0, len);
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "token key %s is not hexadecimal", path);
				return FALSE;
			}
			key[i] = (guint8)(hi << 4 | lo);
		}
	}
	memset (contents, 0, len);
	ok = ohe_secret_box_add_key (self, key, sizeof (key), error);
	memset (key, 0, sizeof (key));
	return ok;
}

const gchar *
ohe_secret_box_get_key_id (OheSecretBox *self)
{
	g_return_val_if_fail (OHE_IS_SECRET_BOX (self), NULL);
	if (self->keys->len == 0)
		return NULL;
	return g_array_index (self->keys, OheSecretKey, 0).id;
}

static gcry_cipher_hd_t
ohe_secret_box_cipher (const OheSecretKey *key,
		       const guint8 *nonce,
		       const gchar *context,
		       GError **error)
{
	gcry_cipher_hd_t hd = NULL;
	gcry_error_t rc = gcry_cipher_open (&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0);
	if (rc == 0)
		rc = gcry_cipher_setkey (hd, key->key, OHE_SECRET_BOX_KEY_LEN);
	if (rc == 0)
		rc = gcry_cipher_setiv (hd, nonce, OHE_SECRET_BOX_NONCE_LEN);
	if (rc == 0 && context != NULL)
		rc = gcry_cipher_authenticate (hd, context, strlen (context));
	if (rc != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "AES-256-GCM: %s",
			     gcry_strerror (rc));
		if (hd != NULL)
			gcry_cipher_close (hd);
		return NULL;
	}
	return hd;
}

/* @context binds the sealed value to its owner, e.g. the link id */
GBytes *
ohe_secret_box_seal (OheSecretBox *self,
		     const gchar *plaintext,
		     const gchar *context,
		     GError **error)
{
	const OheSecretKey *key;
	gsize len;
	g_autofree guint8 *blob = NULL;
	g_autofree gchar *encoded = NULL;
	gcry_cipher_hd_t hd;
	gcry_error_t rc;
	gchar *sealed;

	g_return_val_if_fail (OHE_IS_SECRET_BOX (self), NULL);
	if (self->keys->len == 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "no token key configured");
		return NULL;
	}
	key = &g_array_index (self->keys, OheSecretKey, 0);
	len = strlen (plaintext);
	blob = g_malloc (OHE_SECRET_BOX_NONCE_LEN + len + OHE_SECRET_BOX_TAG_LEN);
	ohe_crypto_random (blob, OHE_SECRET_BOX_NONCE_LEN);
	hd = ohe_secret_box_cipher (key, blob, context, error);
	if (hd == NULL)
		return NULL;
	rc = gcry_cipher_encrypt (hd, blob + OHE_SECRET_BOX_NONCE_LEN, len, plaintext, len);
	if (rc == 0)
		rc = gcry_cipher_gettag (hd, blob + OHE_SECRET_BOX_NONCE_LEN + len,
					 OHE_SECRET_BOX_TAG_LEN);
	gcry_cipher_close (hd);
	if (rc != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "AES-256-GCM: %s",
			     gcry_strerror (rc));
		return NULL;
	}
	encoded =
	    ohe_base64url_encode (blob, OHE_SECRET_BOX_NONCE_LEN + len + OHE_SECRET_BOX_TAG_LEN);
	sealed = g_strdup_printf (OHE_SECRET_BOX_PREFIX "%s.%s", key->id, encoded);
	return g_bytes_new_take (sealed, strlen (sealed));
}

gchar *
ohe_secret_box_open (OheSecretBox *self, GBytes *sealed, const gchar *context, GError **error)
{
	gsize size = 0;
	const gchar *data = g_bytes_get_data (sealed, &size);
	g_autofree gchar *text = g_strndup (data, size);
	g_auto(GStrv) parts = NULL;
	g_autofree guint8 *blob = NULL;
	const OheSecretKey *key = NULL;
	gsize blob_len = 0;
	gsize len;
	gchar *plaintext;
	gcry_cipher_hd_t hd;
	gcry_error_t rc;

	g_return_val_if_fail (OHE_IS_SECRET_BOX (self), NULL);
	parts = g_strsplit (text, ".", 3);
	if (g_strv_length (parts) != 3 || g_strcmp0 (parts[0], "ohe1") != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "stored token is not sealed in a known format");
		return NULL;
	}
	for (guint i = 0; i < self->keys->len; i++) {
		if (g_strcmp0 (g_array_index (self->keys, OheSecretKey, i).id, parts[1]) == 0)
			key = &g_array_index (self->keys, OheSecretKey, i);
	}
	if (key == NULL) {
		/* an operator can fix this (token_old_key_files): not the user's consent */
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED,
			     "stored token was sealed with key %s, which is not configured "
			     "([daemon] token_key_file or token_old_key_files)",
			     parts[1]);
		return NULL;
	}
	blob = ohe_base64url_decode (parts[2], &blob_len, error);
	if (blob == NULL)
		return NULL;
	if (blob_len < OHE_SECRET_BOX_NONCE_LEN + OHE_SECRET_BOX_TAG_LEN) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "stored token is truncated");
		return NULL;
	}
	len = blob_len - OHE_SECRET_BOX_NONCE_LEN - OHE_SECRET_BOX_TAG_LEN;
	hd = ohe_secret_box_cipher (key, blob, context, error);
	if (hd == NULL)
		return NULL;
	plaintext = g_malloc0 (len + 1);
	rc = gcry_cipher_decrypt (hd, plaintext, len, blob + OHE_SECRET_BOX_NONCE_LEN, len);
	if (rc == 0)
		rc = gcry_cipher_checktag (hd, blob + OHE_SECRET_BOX_NONCE_LEN + len,
					   OHE_SECRET_BOX_TAG_LEN);
	gcry_cipher_close (hd);
	if (rc != 0) {
		memset (plaintext, 0, len);
		g_free (plaintext);
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "stored token does not authenticate: wrong key, wrong link or "
				     "tampered with");
		return NULL;
	}
	return plaintext;
}
