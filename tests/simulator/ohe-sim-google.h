/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-sim-server.h"

G_BEGIN_DECLS

/* the Tink key id of the simulator's webhook signing key */
#define OHE_SIM_GOOGLE_KEY_ID 0x5157e001u

/* list pages: Google's default and the largest it accepts */
#define OHE_SIM_GOOGLE_DEFAULT_PAGE_SIZE 1440
#define OHE_SIM_GOOGLE_MAX_PAGE_SIZE	 10000

void
ohe_sim_google_register (OheSimServer *server);
void
ohe_sim_google_set_client (OheSimServer *server,
			   const gchar *client_id,
			   const gchar *client_secret);
gchar *
ohe_sim_google_dup_timezone (OheSimServer *server, const gchar *user);
void
ohe_sim_google_set_timezone (OheSimServer *server, const gchar *user, const gchar *zone);
gint32
ohe_sim_google_get_utc_offset (OheSimServer *server, const gchar *user, gint64 time);
gchar *
ohe_sim_google_get_health_user_id (const gchar *user);
gchar *
ohe_sim_google_get_legacy_user_id (OheSimServer *server, const gchar *user);
gint64
ohe_sim_google_get_data_end (OheSimServer *server, const gchar *user);
void
ohe_sim_google_set_data_end (OheSimServer *server, const gchar *user, gint64 end);
void
ohe_sim_google_set_account_linked (OheSimServer *server, const gchar *user, gboolean linked);
void
ohe_sim_google_set_endpoint_secret (OheSimServer *server, const gchar *secret);
gchar *
ohe_sim_google_dup_public_key_pem (OheSimServer *server);
gchar *
ohe_sim_google_build_notification (OheSimServer *server,
				   const gchar *user,
				   const gchar *data_type,
				   gint64 start,
				   gint64 end,
				   gboolean deleted);
gchar *
ohe_sim_google_sign (OheSimServer *server, const gchar *body, gsize len);

G_END_DECLS
