/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-lease.h"

G_DEFINE_INTERFACE (OheLease, ohe_lease, G_TYPE_OBJECT)

static void
ohe_lease_default_init (OheLeaseInterface *iface)
{
}

/**
 * ohe_lease_acquire:
 * @self: an #OheLease
 * @name: the lease, e.g. `scheduler`
 * @ttl_us: how long it holds from now unless renewed
 * @held: (out): whether this holder holds @name now
 * @error: a #GError, or %NULL
 *
 * Takes @name if it is free or expired, renews it if this holder has it already, and
 * otherwise leaves it to its holder.
 *
 * Returns: %TRUE on success, whether or not the lease is held
 */
gboolean
ohe_lease_acquire (OheLease *self, const gchar *name, gint64 ttl_us, gboolean *held, GError **error)
{
	g_return_val_if_fail (OHE_IS_LEASE (self), FALSE);
	g_return_val_if_fail (name != NULL && held != NULL, FALSE);
	g_return_val_if_fail (ttl_us > 0, FALSE);
	*held = FALSE;
	return OHE_LEASE_GET_IFACE (self)->acquire (self, name, ttl_us, held, error);
}

/**
 * ohe_lease_release:
 * @self: an #OheLease
 * @name: the lease
 * @error: a #GError, or %NULL
 *
 * Gives @name up if this holder has it, so another process can take it at once instead of
 * waiting for it to expire.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_lease_release (OheLease *self, const gchar *name, GError **error)
{
	g_return_val_if_fail (OHE_IS_LEASE (self), FALSE);
	g_return_val_if_fail (name != NULL, FALSE);
	return OHE_LEASE_GET_IFACE (self)->release (self, name, error);
}

/**
 * ohe_lease_get_holder:
 * @self: an #OheLease
 *
 * Returns: the id this side holds leases under, unique to the process
 */
const gchar *
ohe_lease_get_holder (OheLease *self)
{
	g_return_val_if_fail (OHE_IS_LEASE (self), NULL);
	return OHE_LEASE_GET_IFACE (self)->get_holder (self);
}
