/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ohe-sqlite-store.h"

G_BEGIN_DECLS

/* for the peers of ohe-sqlite-store.c (ohe-sqlite-<area>.c), which implement a part of the
 * store interface on the same connection */
sqlite3 *
ohe_sqlite_store_lock (OheSqliteStore *self);
void
ohe_sqlite_store_unlock (OheSqliteStore *self);
gint64
ohe_sqlite_store_get_now_locked (OheSqliteStore *self);

void
ohe_sqlite_scheduler_iface_init (OheStoreInterface *iface);

G_END_DECLS
