/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean
ohe_url_policy_is_loopback_host (const gchar *host);
gboolean
ohe_url_policy_check (const gchar *url, const gchar *key, GError **error);

G_END_DECLS
