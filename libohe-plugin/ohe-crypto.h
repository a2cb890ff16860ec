/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void
ohe_crypto_init (void);
void
ohe_crypto_random (guint8 *buffer, gsize length);
gchar *
ohe_base64url_encode (const guint8 *data, gsize length);
guint8 *
ohe_base64url_decode (const gchar *text, gsize *length, GError **error);

G_END_DECLS
