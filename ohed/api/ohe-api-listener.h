/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define OHE_TYPE_API_LISTENER (ohe_api_listener_get_type ())
G_DECLARE_FINAL_TYPE (OheApiListener, ohe_api_listener, OHE, API_LISTENER, GObject)

OheApiListener *
ohe_api_listener_new (guint index,
		      GPtrArray *sockets,
		      GTlsCertificate *certificate,
		      SoupServerCallback early_handler,
		      SoupServerCallback handler,
		      gpointer user_data);
gboolean
ohe_api_listener_start (OheApiListener *self, GError **error);
void
ohe_api_listener_stop (OheApiListener *self);

G_END_DECLS
