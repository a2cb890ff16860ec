/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_TYPE_SQLITE_STORE (ohe_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (OheSqliteStore, ohe_sqlite_store, OHE, SQLITE_STORE, GObject)

OheStore *
ohe_sqlite_store_new (const gchar *path, const gchar *migrations_dir, GError **error);
void
ohe_sqlite_store_set_clock (OheSqliteStore *self, OheClock *clock);

G_END_DECLS
