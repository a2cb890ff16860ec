/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_SECRET_BOX (ohe_secret_box_get_type ())
G_DECLARE_FINAL_TYPE (OheSecretBox, ohe_secret_box, OHE, SECRET_BOX, GObject)

OheSecretBox *
ohe_secret_box_new (void);
gboolean
ohe_secret_box_add_key_file (OheSecretBox *self,
			     const gchar *path,
			     gboolean create,
			     GError **error);
gboolean
ohe_secret_box_add_key (OheSecretBox *self, const guint8 *key, gsize key_len, GError **error);
const gchar *
ohe_secret_box_get_key_id (OheSecretBox *self);
GBytes *
ohe_secret_box_seal (OheSecretBox *self,
		     const gchar *plaintext,
		     const gchar *context,
		     GError **error);
gchar *
ohe_secret_box_open (OheSecretBox *self, GBytes *sealed, const gchar *context, GError **error);

G_END_DECLS
