/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * OheApiScope:
 * @OHE_API_SCOPE_ADMIN: everything, configuration included
 * @OHE_API_SCOPE_OPERATOR: users, links, jobs and dead letters of every user
 * @OHE_API_SCOPE_USER: one EHR user's own data only
 *
 * What a REST API token may do. The names are stored, so they never change.
 */
typedef enum {
	OHE_API_SCOPE_ADMIN,
	OHE_API_SCOPE_OPERATOR,
	OHE_API_SCOPE_USER,
	/*< private >*/
	OHE_API_SCOPE_LAST
} OheApiScope;

const gchar *
ohe_api_scope_to_string (OheApiScope scope);
OheApiScope
ohe_api_scope_from_string (const gchar *name);

#define OHE_TYPE_API_TOKEN (ohe_api_token_get_type ())
G_DECLARE_FINAL_TYPE (OheApiToken, ohe_api_token, OHE, API_TOKEN, GObject)

OheApiToken *
ohe_api_token_new (const gchar *id,
		   const gchar *name,
		   OheApiScope scope,
		   const gchar *user_id,
		   gint64 created_us,
		   gint64 revoked_us);
const gchar *
ohe_api_token_get_id (OheApiToken *self);
const gchar *
ohe_api_token_get_name (OheApiToken *self);
OheApiScope
ohe_api_token_get_scope (OheApiToken *self);
const gchar *
ohe_api_token_get_user_id (OheApiToken *self);
gint64
ohe_api_token_get_created (OheApiToken *self);
gint64
ohe_api_token_get_revoked (OheApiToken *self);

gchar *
ohe_api_token_generate_secret (void);
gchar *
ohe_api_token_hash_secret (const gchar *secret);

G_END_DECLS
