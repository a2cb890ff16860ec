/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-engine.h"

G_BEGIN_DECLS

gboolean
ohe_ctl_scheduler_notify (OheEngine *engine, gchar **args, GError **error);
gboolean
ohe_ctl_scheduler_user_set (OheEngine *engine, gchar **args, GError **error);
gboolean
ohe_ctl_scheduler_backfill (OheEngine *engine, gchar **args, GError **error);

G_END_DECLS
