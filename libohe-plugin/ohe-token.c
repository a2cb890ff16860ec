/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-error.h"
#include "ohe-json.h"
#include "ohe-token.h"

/*
 * The credentials of one provider link. The strings are secrets: they are
 * never logged and there are no GObject properties for them, so a debugger
 * or a D-Bus property dump cannot show them by accident.
 */
struct _OheToken {
	GObject parent_instance;
	gchar *access_token;	 /* owned, secret */
	gchar *refresh_token;	 /* owned, secret, nullable */
	gint64 expires_at;	 /* unix seconds, 0 when unknown */
	gchar *scope;		 /* owned, nullable */
	gchar *external_user_id; /* owned, nullable */
};

G_DEFINE_TYPE (OheToken, ohe_token, G_TYPE_OBJECT)

static void
ohe_token_finalize (GObject *object)
{
	OheToken *self = OHE_TOKEN (object);
	if (self->access_token != NULL)
		memset (self->access_token, 0, strlen (self->access_token));
	if (self->refresh_token != NULL)
		memset (self->refresh_token, 0, strlen (self->refresh_token));
	g_free (self->access_token);
	g_free (self->refresh_token);
	g_free (self->scope);
	g_free (self->external_user_id);
	G_OBJECT_CLASS (ohe_token_parent_class)->finalize (object);
}

static void
ohe_token_class_init (OheTokenClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_token_finalize;
}

static void
ohe_token_init (OheToken *self)
{
}

/**
 * ohe_token_new:
 *
 * Returns: (transfer full): an empty token
 *
 * Since: 0.1
 */
OheToken *
ohe_token_new (void)
{
	return g_object_new (OHE_TYPE_TOKEN, NULL);
}

static gboolean
ohe_token_read_string (
    JsonObject *obj, const gchar *key, gchar **out, gboolean required, GError **error)
{
	JsonNode *node = json_object_get_member (obj, key);
	if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
		if (required) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "token response has no '%s'", key);
			return FALSE;
		}
		return TRUE;
	}
	if (json_node_get_value_type (node) != G_TYPE_STRING) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "token response member '%s' is not a string", key);
		return FALSE;
	}
	g_free (*out);
	*out = g_strdup (json_node_get_string (node));
	return TRUE;
}

/**
 * ohe_token_copy:
 * @self: an #OheToken
 *
 * Copies every field of @self, secrets included; the copy is independent.
 *
 * Returns: (transfer full): a new token equal to @self
 *
 * Since: 0.1
 */
OheToken *
ohe_token_copy (OheToken *self)
{
	OheToken *copy;
	g_return_val_if_fail (OHE_IS_TOKEN (self), NULL);
	copy = ohe_token_new ();
	copy->access_token = g_strdup (self->access_token);
	copy->refresh_token = g_strdup (self->refresh_token);
	copy->expires_at = self->expires_at;
	copy->scope = g_strdup (self->scope);
	copy->external_user_id = g_strdup (self->external_user_id);
	return copy;
}

/**
 * ohe_token_new_from_json:
 * @obj: an OAuth2 token response (RFC 6749 §5.1)
 * @now_s: the current unix time, to turn `expires_in` into an expiry
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): a token, or %NULL if a member is missing or has the wrong type
 *
 * Since: 0.1
 */
OheToken *
ohe_token_new_from_json (JsonObject *obj, gint64 now_s, GError **error)
{
	g_autoptr(OheToken) self = ohe_token_new ();
	JsonNode *node;

	if (!ohe_token_read_string (obj, "access_token", &self->access_token, TRUE, error))
		return NULL;
	if (!ohe_token_read_string (obj, "refresh_token", &self->refresh_token, FALSE, error))
		return NULL;
	if (!ohe_token_read_string (obj, "scope", &self->scope, FALSE, error))
		return NULL;
	node = json_object_get_member (obj, "expires_in");
	if (node != NULL && !JSON_NODE_HOLDS_NULL (node)) {
		gint64 expires_in;
		GType type = json_node_get_value_type (node);
		if (type == G_TYPE_INT64) {
			expires_in = json_node_get_int (node);
		} else if (type == G_TYPE_DOUBLE) {
			gdouble seconds = json_node_get_double (node);
			/* NaN and infinities too: casting them is undefined */
			if (!(seconds >= 0 && seconds <= G_MAXINT32)) {
				g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
						     "token response 'expires_in' out of range");
				return NULL;
			}
			expires_in = (gint64)seconds;
		} else if (type == G_TYPE_STRING &&
			   g_ascii_string_to_signed (json_node_get_string (node), 10, 0, G_MAXINT32,
						     &expires_in, NULL)) {
			/* some providers send it as a string */
		} else {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "token response member 'expires_in' is not a number");
			return NULL;
		}
		if (expires_in < 0 || expires_in > G_MAXINT32) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "token response 'expires_in' out of range: %" G_GINT64_FORMAT,
				     expires_in);
			return NULL;
		}
		self->expires_at = now_s + expires_in;
	}
	return g_steal_pointer (&self);
}

/**
 * ohe_token_get_access_token:
 * @self: an #OheToken
 *
 * Returns: (nullable): the access token; a secret
 *
 * Since: 0.1
 */
const gchar *
ohe_token_get_access_token (OheToken *self)
{
	g_return_val_if_fail (OHE_IS_TOKEN (self), NULL);
	return self->access_token;
}

/**
 * ohe_token_set_access_token:
 * @self: an #OheToken
 * @access_token: (nullable): the access token
 *
 * Since: 0.1
 */
void
ohe_token_set_access_token (OheToken *self, const gchar *access_token)
{
	g_return_if_fail (OHE_IS_TOKEN (self));
	g_free (self->access_token);
	self->access_token = g_strdup (access_token);
}

/**
 * ohe_token_get_refresh_token:
 * @self: an #OheToken
 *
 * Returns: (nullable): the refresh token; a secret
 *
 * Since: 0.1
 */
const gchar *
ohe_token_get_refresh_token (OheToken *self)
{
	g_return_val_if_fail (OHE_IS_TOKEN (self), NULL);
	return self->refresh_token;
}

/**
 * ohe_token_set_refresh_token:
 * @self: an #OheToken
 * @refresh_token: (nullable): the refresh token
 *
 * Since: 0.1
 */
void
ohe_token_set_refresh_token (OheToken *self, const gchar *refresh_token)
{
	g_return_if_fail (OHE_IS_TOKEN (self));
	g_free (self->refresh_token);
	self->refresh_token = g_strdup (refresh_token);
}

/**
 * ohe_token_get_expires_at:
 * @self: an #OheToken
 *
 * Returns: the expiry as unix seconds, or 0 when unknown
 *
 * Since: 0.1
 */
gint64
ohe_token_get_expires_at (OheToken *self)
{
	g_return_val_if_fail (OHE_IS_TOKEN (self), 0);
	return self->expires_at;
}

/**
 * ohe_token_set_expires_at:
 * @self: an #OheToken
 * @expires_at_s: the expiry as unix seconds
 *
 * Since: 0.1
 */
void
ohe_token_set_expires_at (OheToken *self, gint64 expires_at_s)
{
	g_return_if_fail (OHE_IS_TOKEN (self));
	self->expires_at = expires_at_s;
}

/**
 * ohe_token_is_expired:
 * @self: an #OheToken
 * @now_s: the current unix time
 * @margin_s: how long before the expiry a token already counts as expired
 *
 * Returns: %TRUE if the access token should be refreshed before use
 *
 * Since: 0.1
 */
gboolean
ohe_token_is_expired (OheToken *self, gint64 now_s, gint64 margin_s)
{
	g_return_val_if_fail (OHE_IS_TOKEN (self), TRUE);
	if (self->access_token == NULL)
		return TRUE;
	if (self->expires_at == 0)
		return FALSE;
	return now_s + margin_s >= self->expires_at;
}

/**
 * ohe_token_get_scope:
 * @self: an #OheToken
 *
 * Returns: (nullable): the granted scopes, space separated
 *
 * Since: 0.1
 */
const gchar *
ohe_token_get_scope (OheToken *self)
{
	g_return_val_if_fail (OHE_IS_TOKEN (self), NULL);
	return self->scope;
}

/**
 * ohe_token_set_scope:
 * @self: an #OheToken
 * @scope: (nullable): the granted scopes
 *
 * Since: 0.1
 */
void
ohe_token_set_scope (OheToken *self, const gchar *scope)
{
	g_return_if_fail (OHE_IS_TOKEN (self));
	g_free (self->scope);
	self->scope = g_strdup (scope);
}

/**
 * ohe_token_get_external_user_id:
 * @self: an #OheToken
 *
 * Returns: (nullable): the provider's id of the user, e.g. the Withings `userid`
 *
 * Since: 0.1
 */
const gchar *
ohe_token_get_external_user_id (OheToken *self)
{
	g_return_val_if_fail (OHE_IS_TOKEN (self), NULL);
	return self->external_user_id;
}

/**
 * ohe_token_set_external_user_id:
 * @self: an #OheToken
 * @external_user_id: (nullable): the provider's id of the user
 *
 * Since: 0.1
 */
void
ohe_token_set_external_user_id (OheToken *self, const gchar *external_user_id)
{
	g_return_if_fail (OHE_IS_TOKEN (self));
	g_free (self->external_user_id);
	self->external_user_id = g_strdup (external_user_id);
}

/**
 * ohe_token_to_json:
 * @self: an #OheToken
 *
 * Serialises the token so the host can seal it into the store.
 *
 * Returns: (transfer full): JSON text; a secret
 *
 * Since: 0.1
 */
gchar *
ohe_token_to_json (OheToken *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;

	g_return_val_if_fail (OHE_IS_TOKEN (self), NULL);

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "access_token");
	json_builder_add_string_value (builder, self->access_token);
	if (self->refresh_token != NULL) {
		json_builder_set_member_name (builder, "refresh_token");
		json_builder_add_string_value (builder, self->refresh_token);
	}
	json_builder_set_member_name (builder, "expires_at");
	json_builder_add_int_value (builder, self->expires_at);
	if (self->scope != NULL) {
		json_builder_set_member_name (builder, "scope");
		json_builder_add_string_value (builder, self->scope);
	}
	if (self->external_user_id != NULL) {
		json_builder_set_member_name (builder, "external_user_id");
		json_builder_add_string_value (builder, self->external_user_id);
	}
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	return json_to_string (root, FALSE);
}

/**
 * ohe_token_new_from_string:
 * @json: the text written by ohe_token_to_json()
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): a token, or %NULL
 *
 * Since: 0.1
 */
OheToken *
ohe_token_new_from_string (const gchar *json, GError **error)
{
	g_autoptr(OheToken) self = ohe_token_new ();
	g_autoptr(JsonNode) node = NULL;
	JsonObject *obj;

	/* the parse errors never quote the secret text */
	node = ohe_json_parse (json, -1, "stored token", NULL, error);
	if (node == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "stored token is not a JSON object");
		return NULL;
	}
	obj = json_node_get_object (node);
	if (!ohe_token_read_string (obj, "access_token", &self->access_token, TRUE, error))
		return NULL;
	if (!ohe_token_read_string (obj, "refresh_token", &self->refresh_token, FALSE, error))
		return NULL;
	if (!ohe_token_read_string (obj, "scope", &self->scope, FALSE, error))
		return NULL;
	if (!ohe_token_read_string (obj, "external_user_id", &self->external_user_id, FALSE, error))
		return NULL;
	self->expires_at = json_object_get_int_member_with_default (obj, "expires_at", 0);
	return g_steal_pointer (&self);
}
