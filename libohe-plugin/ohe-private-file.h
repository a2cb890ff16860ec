/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean
ohe_private_file_check (const gchar *path, const gchar *what, GError **error);

G_END_DECLS
