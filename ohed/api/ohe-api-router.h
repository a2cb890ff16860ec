/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-api-route.h"

G_BEGIN_DECLS

const OheApiRoute *
ohe_api_router_match (const gchar *method, const gchar *path, GHashTable *params, gchar **allow);

G_END_DECLS
