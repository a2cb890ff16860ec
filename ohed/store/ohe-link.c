/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-link.h"

/*
 * A provider link: one EHR user connected to one provider account. The token is the sealed
 * blob as stored; it is opaque here and has no GObject property, so a property dump can never
 * show it.
 */
struct _OheLink {
	GObject parent_instance;
	gchar *id;		 /* owned */
	gchar *user_id;		 /* owned */
	gchar *provider;	 /* owned */
	gchar *external_user_id; /* owned, nullable */
	OheLinkState state;
	GStrv kinds;   /* owned, never NULL */
	GBytes *token; /* owned, nullable, sealed secret */
	gint64 created_us;
	gint64 updated_us;
};

G_DEFINE_TYPE (OheLink, ohe_link, G_TYPE_OBJECT)

/* indexed by OheLinkState; the names are stored, so they never change */
static const gchar *const ohe_link_state_names[] = {
    "pending", "active", "needs_reconsent", "revoked", "error",
};

G_STATIC_ASSERT (G_N_ELEMENTS (ohe_link_state_names) == OHE_LINK_STATE_LAST);

/**
 * ohe_link_state_to_string:
 * @state: an #OheLinkState
 *
 * Returns: the stable name of @state, e.g. `needs_reconsent`, or %NULL if invalid
 */
const gchar *
ohe_link_state_to_string (OheLinkState state)
{
	if ((guint)state >= OHE_LINK_STATE_LAST)
		return NULL;
	return ohe_link_state_names[state];
}

/**
 * ohe_link_state_from_string:
 * @name: (nullable): a state name
 *
 * Returns: the state, or %OHE_LINK_STATE_LAST if @name is unknown
 */
OheLinkState
ohe_link_state_from_string (const gchar *name)
{
	for (guint i = 0; i < OHE_LINK_STATE_LAST; i++) {
		if (g_strcmp0 (name, ohe_link_state_names[i]) == 0)
			return (OheLinkState)i;
	}
	return OHE_LINK_STATE_LAST;
}

static void
ohe_link_finalize (GObject *object)
{
	OheLink *self = OHE_LINK (object);
	g_free (self->id);
	g_free (self->user_id);
	g_free (self->provider);
	g_free (self->external_user_id);
	g_strfreev (self->kinds);
	g_clear_pointer (&self->token, g_bytes_unref);
	G_OBJECT_CLASS (ohe_link_parent_class)->finalize (object);
}

static void
ohe_link_class_init (OheLinkClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_link_finalize;
}

static void
ohe_link_init (OheLink *self)
{
	self->kinds = g_new0 (gchar *, 1);
	self->state = OHE_LINK_STATE_PENDING;
}

/**
 * ohe_link_new:
 * @user_id: the EHR user
 * @provider: the provider plugin name, e.g. `withings`
 *
 * The id is a new random UUID; the store stamps the times when the link is added.
 *
 * Returns: (transfer full): a pending link
 */
OheLink *
ohe_link_new (const gchar *user_id, const gchar *provider)
{
	OheLink *self = g_object_new (OHE_TYPE_LINK, NULL);
	self->id = g_uuid_string_random ();
	self->user_id = g_strdup (user_id);
	self->provider = g_strdup (provider);
	return self;
}

const gchar *
ohe_link_get_id (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), NULL);
	return self->id;
}

void
ohe_link_set_id (OheLink *self, const gchar *id)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_return_if_fail (id != NULL);
	g_free (self->id);
	self->id = g_strdup (id);
}

const gchar *
ohe_link_get_user_id (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), NULL);
	return self->user_id;
}

void
ohe_link_set_user_id (OheLink *self, const gchar *user_id)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_free (self->user_id);
	self->user_id = g_strdup (user_id);
}

const gchar *
ohe_link_get_provider (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), NULL);
	return self->provider;
}

void
ohe_link_set_provider (OheLink *self, const gchar *provider)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_free (self->provider);
	self->provider = g_strdup (provider);
}

const gchar *
ohe_link_get_external_user_id (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), NULL);
	return self->external_user_id;
}

void
ohe_link_set_external_user_id (OheLink *self, const gchar *external_user_id)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_free (self->external_user_id);
	self->external_user_id = g_strdup (external_user_id);
}

OheLinkState
ohe_link_get_state (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), OHE_LINK_STATE_ERROR);
	return self->state;
}

void
ohe_link_set_state (OheLink *self, OheLinkState state)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_return_if_fail ((guint)state < OHE_LINK_STATE_LAST);
	self->state = state;
}

/**
 * ohe_link_get_kinds:
 * @self: an #OheLink
 *
 * Returns: (transfer none): the consented kind names, never %NULL
 */
GStrv
ohe_link_get_kinds (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), NULL);
	return self->kinds;
}

/**
 * ohe_link_set_kinds:
 * @self: an #OheLink
 * @kinds: (nullable): kind names, e.g. `heart_rate`; %NULL for none
 */
void
ohe_link_set_kinds (OheLink *self, const gchar *const *kinds)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_strfreev (self->kinds);
	self->kinds = kinds != NULL ? g_strdupv ((gchar **)kinds) : g_new0 (gchar *, 1);
}

/**
 * ohe_link_add_kind:
 * @self: an #OheLink
 * @kind: a kind name; added once however often it is given
 */
void
ohe_link_add_kind (OheLink *self, const gchar *kind)
{
	guint len;
	g_return_if_fail (OHE_IS_LINK (self));
	g_return_if_fail (kind != NULL);
	if (ohe_link_has_kind (self, kind))
		return;
	len = g_strv_length (self->kinds);
	self->kinds = g_renew (gchar *, self->kinds, len + 2);
	self->kinds[len] = g_strdup (kind);
	self->kinds[len + 1] = NULL;
}

gboolean
ohe_link_has_kind (OheLink *self, const gchar *kind)
{
	g_return_val_if_fail (OHE_IS_LINK (self), FALSE);
	return g_strv_contains ((const gchar *const *)self->kinds, kind);
}

/**
 * ohe_link_get_token:
 * @self: an #OheLink
 *
 * Returns: (transfer none) (nullable): the sealed token blob
 */
GBytes *
ohe_link_get_token (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), NULL);
	return self->token;
}

/**
 * ohe_link_set_token:
 * @self: an #OheLink
 * @token: (nullable): the sealed token blob
 */
void
ohe_link_set_token (OheLink *self, GBytes *token)
{
	g_return_if_fail (OHE_IS_LINK (self));
	g_clear_pointer (&self->token, g_bytes_unref);
	if (token != NULL)
		self->token = g_bytes_ref (token);
}

gint64
ohe_link_get_created (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), 0);
	return self->created_us;
}

void
ohe_link_set_created (OheLink *self, gint64 created_us)
{
	g_return_if_fail (OHE_IS_LINK (self));
	self->created_us = created_us;
}

gint64
ohe_link_get_updated (OheLink *self)
{
	g_return_val_if_fail (OHE_IS_LINK (self), 0);
	return self->updated_us;
}

void
ohe_link_set_updated (OheLink *self, gint64 updated_us)
{
	g_return_if_fail (OHE_IS_LINK (self));
	self->updated_us = updated_us;
}
