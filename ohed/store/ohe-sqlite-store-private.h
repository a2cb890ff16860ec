/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ohe-sqlite-store.h"

G_BEGIN_DECLS

/* for the peers of ohe-sqlite-store.c that implement one area of the interface each */

sqlite3 *
ohe_sqlite_store_lock (OheSqliteStore *self);
void
ohe_sqlite_store_unlock (OheSqliteStore *self);
gint64
ohe_sqlite_store_get_now (OheSqliteStore *self);
void
ohe_sqlite_store_fail (OheSqliteStore *self, GError **error, const gchar *what);

void
ohe_sqlite_api_token_iface_init (OheStoreInterface *iface);

G_END_DECLS
