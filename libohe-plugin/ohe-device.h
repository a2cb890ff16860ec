/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_DEVICE (ohe_device_get_type ())
G_DECLARE_FINAL_TYPE (OheDevice, ohe_device, OHE, DEVICE, GObject)

OheDevice *
ohe_device_new (const gchar *id);
const gchar *
ohe_device_get_id (OheDevice *self);
const gchar *
ohe_device_get_model (OheDevice *self);
void
ohe_device_set_model (OheDevice *self, const gchar *model);
const gchar *
ohe_device_get_device_type (OheDevice *self);
void
ohe_device_set_device_type (OheDevice *self, const gchar *device_type);
gint
ohe_device_get_battery_level (OheDevice *self);
void
ohe_device_set_battery_level (OheDevice *self, gint battery_level);
gint64
ohe_device_get_last_sync (OheDevice *self);
void
ohe_device_set_last_sync (OheDevice *self, gint64 last_sync_us);

G_END_DECLS
