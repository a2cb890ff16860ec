/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * OheLinkState:
 * @OHE_LINK_STATE_PENDING: created, waiting for the user's consent at the provider
 * @OHE_LINK_STATE_ACTIVE: consented, syncing
 * @OHE_LINK_STATE_NEEDS_RECONSENT: the grant is gone or too narrow, the user must consent again
 * @OHE_LINK_STATE_REVOKED: the user or an operator ended the link
 * @OHE_LINK_STATE_ERROR: syncing failed in a way an operator has to look at
 *
 * The life cycle of a provider link.
 */
typedef enum {
	OHE_LINK_STATE_PENDING,
	OHE_LINK_STATE_ACTIVE,
	OHE_LINK_STATE_NEEDS_RECONSENT,
	OHE_LINK_STATE_REVOKED,
	OHE_LINK_STATE_ERROR,
	/*< private >*/
	OHE_LINK_STATE_LAST
} OheLinkState;

const gchar *
ohe_link_state_to_string (OheLinkState state);
OheLinkState
ohe_link_state_from_string (const gchar *name);

#define OHE_TYPE_LINK (ohe_link_get_type ())
G_DECLARE_FINAL_TYPE (OheLink, ohe_link, OHE, LINK, GObject)

OheLink *
ohe_link_new (const gchar *user_id, const gchar *provider);
const gchar *
ohe_link_get_id (OheLink *self);
void
ohe_link_set_id (OheLink *self, const gchar *id);
const gchar *
ohe_link_get_user_id (OheLink *self);
void
ohe_link_set_user_id (OheLink *self, const gchar *user_id);
const gchar *
ohe_link_get_provider (OheLink *self);
void
ohe_link_set_provider (OheLink *self, const gchar *provider);
const gchar *
ohe_link_get_external_user_id (OheLink *self);
void
ohe_link_set_external_user_id (OheLink *self, const gchar *external_user_id);
OheLinkState
ohe_link_get_state (OheLink *self);
void
ohe_link_set_state (OheLink *self, OheLinkState state);
GStrv
ohe_link_get_kinds (OheLink *self);
void
ohe_link_set_kinds (OheLink *self, const gchar *const *kinds);
void
ohe_link_add_kind (OheLink *self, const gchar *kind);
gboolean
ohe_link_has_kind (OheLink *self, const gchar *kind);
GBytes *
ohe_link_get_token (OheLink *self);
void
ohe_link_set_token (OheLink *self, GBytes *token);
gint64
ohe_link_get_created (OheLink *self);
void
ohe_link_set_created (OheLink *self, gint64 created_us);
gint64
ohe_link_get_updated (OheLink *self);
void
ohe_link_set_updated (OheLink *self, gint64 updated_us);

G_END_DECLS
