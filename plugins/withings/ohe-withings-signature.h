/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

gchar *
ohe_withings_signature_compute (const gchar *client_secret, GHashTable *signed_fields);
gchar *
ohe_withings_signature_for_nonce (const gchar *client_secret,
				  const gchar *action,
				  const gchar *client_id,
				  const gchar *nonce);
gchar *
ohe_withings_signature_for_getnonce (const gchar *client_secret,
				     const gchar *client_id,
				     gint64 timestamp);
gboolean
ohe_withings_signature_verify (const gchar *client_secret,
			       GHashTable *signed_fields,
			       const gchar *signature);

G_END_DECLS
