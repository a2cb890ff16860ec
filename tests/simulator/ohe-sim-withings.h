/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-sim-server.h"

G_BEGIN_DECLS

/* the measurement groups of one getmeas page are at most this many */
#define OHE_SIM_WITHINGS_DEFAULT_PAGE_SIZE 50

void
ohe_sim_withings_register (OheSimServer *server);
void
ohe_sim_withings_set_client (OheSimServer *server,
			     const gchar *client_id,
			     const gchar *client_secret);
void
ohe_sim_withings_set_page_size (OheSimServer *server, guint page_size);
const gchar *
ohe_sim_withings_get_timezone (OheSimServer *server, const gchar *user);
gint64
ohe_sim_withings_grpid (OheMeasurementKind kind, gint64 time);
guint
ohe_sim_withings_get_n_subscriptions (OheSimServer *server, const gchar *user);
gchar *
ohe_sim_withings_build_notification (const gchar *user, gint appli, gint64 start, gint64 end);

G_END_DECLS
