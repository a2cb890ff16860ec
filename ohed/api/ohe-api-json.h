/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ohe-store.h"

G_BEGIN_DECLS

/* the JSON shapes of the store's objects, shared by the route handlers */
void
ohe_api_json_add_time (JsonBuilder *builder, const gchar *member, gint64 time_us);
void
ohe_api_json_add_strv (JsonBuilder *builder, const gchar *member, GStrv values);
void
ohe_api_json_add_link (JsonBuilder *builder, OheLink *link);
void
ohe_api_json_add_job (JsonBuilder *builder, OheJob *job);

G_END_DECLS
