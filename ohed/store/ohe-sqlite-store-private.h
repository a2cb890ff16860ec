/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ohe-sqlite-store.h"

G_BEGIN_DECLS

/*
 * For the peer files of the SQLite backend (ohe-sqlite-<area>.c): one
 * connection, serialised by the store's mutex. Take it with
 * ohe_sqlite_store_lock(), use the helpers only while holding it.
 */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

sqlite3 *
ohe_sqlite_store_lock (OheSqliteStore *self);
void
ohe_sqlite_store_unlock (OheSqliteStore *self);
gint64
ohe_sqlite_store_get_now (OheSqliteStore *self);
void
ohe_sqlite_store_set_db_error (OheSqliteStore *self, GError **error, const gchar *what);

void
ohe_sqlite_scheduler_iface_init (OheStoreInterface *iface);
void
ohe_sqlite_policy_iface_init (OheStoreInterface *iface);
void
ohe_sqlite_api_token_iface_init (OheStoreInterface *iface);

G_END_DECLS
