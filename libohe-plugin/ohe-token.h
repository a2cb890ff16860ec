/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define OHE_TYPE_TOKEN (ohe_token_get_type ())
G_DECLARE_FINAL_TYPE (OheToken, ohe_token, OHE, TOKEN, GObject)

OheToken *
ohe_token_new (void);
OheToken *
ohe_token_copy (OheToken *self);
OheToken *
ohe_token_new_from_json (JsonObject *obj, gint64 now_s, GError **error);
const gchar *
ohe_token_get_access_token (OheToken *self);
void
ohe_token_set_access_token (OheToken *self, const gchar *access_token);
const gchar *
ohe_token_get_refresh_token (OheToken *self);
void
ohe_token_set_refresh_token (OheToken *self, const gchar *refresh_token);
gint64
ohe_token_get_expires_at (OheToken *self);
void
ohe_token_set_expires_at (OheToken *self, gint64 expires_at_s);
gboolean
ohe_token_is_expired (OheToken *self, gint64 now_s, gint64 margin_s);
const gchar *
ohe_token_get_scope (OheToken *self);
void
ohe_token_set_scope (OheToken *self, const gchar *scope);
const gchar *
ohe_token_get_external_user_id (OheToken *self);
void
ohe_token_set_external_user_id (OheToken *self, const gchar *external_user_id);
gchar *
ohe_token_to_json (OheToken *self);
OheToken *
ohe_token_new_from_string (const gchar *json, GError **error);

G_END_DECLS
