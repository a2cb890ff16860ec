/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ohe-engine.h"

G_BEGIN_DECLS

#define OHE_TYPE_API_HEALTH (ohe_api_health_get_type ())
G_DECLARE_FINAL_TYPE (OheApiHealth, ohe_api_health, OHE, API_HEALTH, GObject)

OheApiHealth *
ohe_api_health_new (OheEngine *engine, gint64 sink_interval_us);
void
ohe_api_health_start (OheApiHealth *self);
void
ohe_api_health_stop (OheApiHealth *self);
gboolean
ohe_api_health_check (OheApiHealth *self, gboolean with_sink, JsonBuilder *checks);

G_END_DECLS
