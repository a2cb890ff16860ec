/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-lease.h"
#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_TYPE_STORE_LEASE (ohe_store_lease_get_type ())
G_DECLARE_FINAL_TYPE (OheStoreLease, ohe_store_lease, OHE, STORE_LEASE, GObject)

OheLease *
ohe_store_lease_new (OheStore *store, OheClock *clock, const gchar *holder);
gchar *
ohe_store_lease_new_holder_id (void);

G_END_DECLS
