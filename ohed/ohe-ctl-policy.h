/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-engine.h"

G_BEGIN_DECLS

gboolean
ohe_ctl_policy_set (OheEngine *engine, gchar **args, GError **error);
gboolean
ohe_ctl_policy_show (OheEngine *engine, gchar **args, GError **error);
gboolean
ohe_ctl_policy_user_set_key (
    OheEngine *engine, const gchar *user_id, const gchar *key, const gchar *value, GError **error);

G_END_DECLS
