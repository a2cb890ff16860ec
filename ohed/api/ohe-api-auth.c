/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-api-auth.h"
#include "ohe-error.h"

/*
 * Bearer token checks. The store is asked by the token's hash; answers (found or not) are
 * kept for a few seconds so that a busy client does not put one store query behind every
 * request. A revocation therefore takes effect within that time.
 */
struct _OheApiAuth {
	GObject parent_instance;
	OheStore *store;   /* owned */
	gint64 cache_us;   /* how long an answer is kept */
	GHashTable *cache; /* owned: hash → OheApiAuthEntry, protected by mutex */
	GMutex mutex;
};

typedef struct {
	OheApiToken *token; /* owned, nullable: not a token */
	gint64 expires_us;  /* monotonic */
} OheApiAuthEntry;

/* bounds the cache against a client sending random tokens */
#define OHE_API_AUTH_CACHE_MAX 4096
/* longer than any token ohed makes, short enough to never matter for memory */
#define OHE_API_AUTH_MAX_TOKEN 256

G_DEFINE_TYPE (OheApiAuth, ohe_api_auth, G_TYPE_OBJECT)

static void
ohe_api_auth_entry_free (OheApiAuthEntry *entry)
{
	g_clear_object (&entry->token);
	g_free (entry);
}

static void
ohe_api_auth_finalize (GObject *object)
{
	OheApiAuth *self = OHE_API_AUTH (object);
	g_clear_object (&self->store);
	g_hash_table_unref (self->cache);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_api_auth_parent_class)->finalize (object);
}

static void
ohe_api_auth_class_init (OheApiAuthClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_api_auth_finalize;
}

static void
ohe_api_auth_init (OheApiAuth *self)
{
	g_mutex_init (&self->mutex);
	self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)ohe_api_auth_entry_free);
}

OheApiAuth *
ohe_api_auth_new (OheStore *store, gint64 cache_us)
{
	OheApiAuth *self = g_object_new (OHE_TYPE_API_AUTH, NULL);
	self->store = g_object_ref (store);
	self->cache_us = cache_us;
	return self;
}

static OheApiToken *
ohe_api_auth_lookup (OheApiAuth *self, const gchar *hash, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(OheApiToken) token = NULL;
	gint64 now = g_get_monotonic_time ();
	OheApiAuthEntry *entry;

	g_mutex_lock (&self->mutex);
	entry = g_hash_table_lookup (self->cache, hash);
	if (entry != NULL && entry->expires_us > now) {
		OheApiToken *found = entry->token != NULL ? g_object_ref (entry->token) : NULL;
		g_mutex_unlock (&self->mutex);
		return found;
	}
	g_mutex_unlock (&self->mutex);

	token = ohe_store_find_api_token (self->store, hash, &error_local);
	if (token == NULL && !g_error_matches (error_local, OHE_ERROR, OHE_ERROR_NOT_FOUND)) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	if (token != NULL && ohe_api_token_get_revoked (token) != 0)
		g_clear_object (&token);

	g_mutex_lock (&self->mutex);
	if (g_hash_table_size (self->cache) >= OHE_API_AUTH_CACHE_MAX)
		g_hash_table_remove_all (self->cache);
	entry = g_new0 (OheApiAuthEntry, 1);
	entry->token = token != NULL ? g_object_ref (token) : NULL;
	entry->expires_us = now + self->cache_us;
	g_hash_table_replace (self->cache, g_strdup (hash), entry);
	g_mutex_unlock (&self->mutex);
	return g_steal_pointer (&token);
}

/**
 * ohe_api_auth_verify:
 * @self: an #OheApiAuth
 * @authorization: (nullable): the Authorization header
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the valid token, or %NULL with OHE_ERROR_AUTH_REQUIRED (none, not
 *   a bearer, unknown or revoked) or OHE_ERROR_STORE
 */
OheApiToken *
ohe_api_auth_verify (OheApiAuth *self, const gchar *authorization, GError **error)
{
	g_autofree gchar *hash = NULL;
	const gchar *secret;
	OheApiToken *token;

	g_return_val_if_fail (OHE_IS_API_AUTH (self), NULL);
	if (authorization == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
				     "an Authorization: Bearer token is required");
		return NULL;
	}
	if (g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
				     "the Authorization header is not a Bearer token");
		return NULL;
	}
	secret = authorization + 7;
	while (*secret == ' ')
		secret++;
	if (*secret == '\0' || strlen (secret) > OHE_API_AUTH_MAX_TOKEN) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
				     "the bearer token is not valid");
		return NULL;
	}
	hash = ohe_api_token_hash_secret (secret);
	token = ohe_api_auth_lookup (self, hash, error);
	if (token == NULL && error != NULL && *error == NULL)
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
				     "the bearer token is not valid");
	return token;
}
