/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-api-health.h"
#include "ohe-api-request.h"
#include "ohe-engine.h"

G_BEGIN_DECLS

#define OHE_TYPE_API_SERVER (ohe_api_server_get_type ())
G_DECLARE_FINAL_TYPE (OheApiServer, ohe_api_server, OHE, API_SERVER, GObject)

OheApiServer *
ohe_api_server_new (OheEngine *engine);
gboolean
ohe_api_server_start (OheApiServer *self, GError **error);
void
ohe_api_server_stop (OheApiServer *self);
GStrv
ohe_api_server_get_uris (OheApiServer *self);
OheApiHealth *
ohe_api_server_get_health (OheApiServer *self);
GBytes *
ohe_api_server_get_openapi (OheApiServer *self);
gboolean
ohe_api_server_is_ready (OheApiServer *self);

G_END_DECLS
