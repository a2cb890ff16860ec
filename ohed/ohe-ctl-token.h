/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_CTL_TOKEN_USAGE "token create NAME admin|operator|user [USER-ID] | list | revoke ID"

gboolean
ohe_ctl_token (OheStore *store, gchar **args, GError **error);

G_END_DECLS
