/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-sim-server.h"

G_BEGIN_DECLS

/* between the server and its admin endpoints only */
JsonNode *
ohe_sim_server_dup_stats (OheSimServer *self);
gboolean
ohe_sim_server_build_webhook (OheSimServer *self,
			      const gchar *provider,
			      JsonObject *params,
			      OheSimWebhookMessage *message,
			      GError **error);
void
ohe_sim_admin_handle (OheSimServer *server, OheSimRequest *request);

G_END_DECLS
