/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_LEASE (ohe_lease_get_type ())
G_DECLARE_INTERFACE (OheLease, ohe_lease, OHE, LEASE, GObject)

/*
 * A named lease shared by every ohed process on one store: at most one holder at a time,
 * for a time to live the holder renews by acquiring again. The SQLite store keeps it in a
 * row (OheStoreLease); a Redis backend can keep it in a key set with NX and PX.
 */
struct _OheLeaseInterface {
	GTypeInterface parent_iface;

	gboolean (*acquire) (
	    OheLease *self, const gchar *name, gint64 ttl_us, gboolean *held, GError **error);
	gboolean (*release) (OheLease *self, const gchar *name, GError **error);
	const gchar *(*get_holder) (OheLease *self);
};

gboolean
ohe_lease_acquire (
    OheLease *self, const gchar *name, gint64 ttl_us, gboolean *held, GError **error);
gboolean
ohe_lease_release (OheLease *self, const gchar *name, GError **error);
const gchar *
ohe_lease_get_holder (OheLease *self);

G_END_DECLS
