/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ohe-measurement-kind.h"

G_BEGIN_DECLS

#define OHE_TYPE_SYNC_HINT (ohe_sync_hint_get_type ())
G_DECLARE_FINAL_TYPE (OheSyncHint, ohe_sync_hint, OHE, SYNC_HINT, GObject)

OheSyncHint *
ohe_sync_hint_new (const gchar *external_user_id, gint64 start_us, gint64 end_us);
const gchar *
ohe_sync_hint_get_external_user_id (OheSyncHint *self);
gint64
ohe_sync_hint_get_start (OheSyncHint *self);
gint64
ohe_sync_hint_get_end (OheSyncHint *self);
void
ohe_sync_hint_add_kind (OheSyncHint *self, OheMeasurementKind kind);
gboolean
ohe_sync_hint_has_kind (OheSyncHint *self, OheMeasurementKind kind);
guint
ohe_sync_hint_get_n_kinds (OheSyncHint *self);
OheMeasurementKind
ohe_sync_hint_get_kind (OheSyncHint *self, guint idx);

G_END_DECLS
