/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-api-token.h"
#include "ohe-crypto.h"

/*
 * A REST API bearer token as the store knows it: never the secret, only what it may do.
 * Secrets are 32 random bytes (256 bits), so a plain SHA-256 is enough to store them: there
 * is nothing to brute-force that a slow password hash would protect.
 */
struct _OheApiToken {
	GObject parent_instance;
	gchar *id;   /* owned */
	gchar *name; /* owned */
	OheApiScope scope;
	gchar *user_id; /* owned, nullable: only user tokens have one */
	gint64 created_us;
	gint64 revoked_us; /* 0 while valid */
};

G_DEFINE_TYPE (OheApiToken, ohe_api_token, G_TYPE_OBJECT)

#define OHE_API_TOKEN_PREFIX	   "ohe_"
#define OHE_API_TOKEN_SECRET_BYTES 32

static const gchar *const ohe_api_scope_names[] = {"admin", "operator", "user"};
G_STATIC_ASSERT (G_N_ELEMENTS (ohe_api_scope_names) == OHE_API_SCOPE_LAST);

const gchar *
ohe_api_scope_to_string (OheApiScope scope)
{
	if (scope >= OHE_API_SCOPE_LAST)
		return NULL;
	return ohe_api_scope_names[scope];
}

/* Returns: the scope, or OHE_API_SCOPE_LAST for a name that is none */
OheApiScope
ohe_api_scope_from_string (const gchar *name)
{
	for (guint i = 0; i < OHE_API_SCOPE_LAST; i++) {
		if (g_strcmp0 (ohe_api_scope_names[i], name) == 0)
			return (OheApiScope)i;
	}
	return OHE_API_SCOPE_LAST;
}

static void
ohe_api_token_finalize (GObject *object)
{
	OheApiToken *self = OHE_API_TOKEN (object);
	g_free (self->id);
	g_free (self->name);
	g_free (self->user_id);
	G_OBJECT_CLASS (ohe_api_token_parent_class)->finalize (object);
}

static void
ohe_api_token_class_init (OheApiTokenClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_api_token_finalize;
}

static void
ohe_api_token_init (OheApiToken *self)
{
}

OheApiToken *
ohe_api_token_new (const gchar *id,
		   const gchar *name,
		   OheApiScope scope,
		   const gchar *user_id,
		   gint64 created_us,
		   gint64 revoked_us)
{
	OheApiToken *self;
	g_return_val_if_fail (id != NULL, NULL);
	g_return_val_if_fail (scope < OHE_API_SCOPE_LAST, NULL);
	self = g_object_new (OHE_TYPE_API_TOKEN, NULL);
	self->id = g_strdup (id);
	self->name = g_strdup (name != NULL ? name : "");
	self->scope = scope;
	self->user_id = g_strdup (user_id);
	self->created_us = created_us;
	self->revoked_us = revoked_us;
	return self;
}

const gchar *
ohe_api_token_get_id (OheApiToken *self)
{
	g_return_val_if_fail (OHE_IS_API_TOKEN (self), NULL);
	return self->id;
}

const gchar *
ohe_api_token_get_name (OheApiToken *self)
{
	g_return_val_if_fail (OHE_IS_API_TOKEN (self), NULL);
	return self->name;
}

OheApiScope
ohe_api_token_get_scope (OheApiToken *self)
{
	g_return_val_if_fail (OHE_IS_API_TOKEN (self), OHE_API_SCOPE_LAST);
	return self->scope;
}

const gchar *
ohe_api_token_get_user_id (OheApiToken *self)
{
	g_return_val_if_fail (OHE_IS_API_TOKEN (self), NULL);
	return self->user_id;
}

gint64
ohe_api_token_get_created (OheApiToken *self)
{
	g_return_val_if_fail (OHE_IS_API_TOKEN (self), 0);
	return self->created_us;
}

gint64
ohe_api_token_get_revoked (OheApiToken *self)
{
	g_return_val_if_fail (OHE_IS_API_TOKEN (self), 0);
	return self->revoked_us;
}

/**
 * ohe_api_token_generate_secret:
 *
 * Returns: (transfer full): a new token text, `ohe_` and 43 base64url characters
 */
gchar *
ohe_api_token_generate_secret (void)
{
	guint8 raw[OHE_API_TOKEN_SECRET_BYTES];
	g_autofree gchar *encoded = NULL;
	gchar *secret;

	ohe_crypto_random (raw, sizeof (raw));
	encoded = ohe_base64url_encode (raw, sizeof (raw));
	secret = g_strconcat (OHE_API_TOKEN_PREFIX, encoded, NULL);
	memset (raw, 0, sizeof (raw));
	return secret;
}

/**
 * ohe_api_token_hash_secret:
 * @secret: a token text as presented by a client
 *
 * Returns: (transfer full): the lowercase hex SHA-256 the store keeps instead of @secret
 */
gchar *
ohe_api_token_hash_secret (const gchar *secret)
{
	g_return_val_if_fail (secret != NULL, NULL);
	return g_compute_checksum_for_string (G_CHECKSUM_SHA256, secret, -1);
}
