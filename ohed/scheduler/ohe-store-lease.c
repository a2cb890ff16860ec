/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <unistd.h>

#include "ohe-store-lease.h"

/*
 * The lease as a row of the store (scheduler_leases): the store takes it in one statement
 * when it is free, expired or ours, so two processes on one store never both hold it.
 * Expiry is judged by this side's clock; processes sharing a store need clocks that agree
 * to well under the time to live.
 */
struct _OheStoreLease {
	GObject parent_instance;
	OheStore *store; /* owned */
	OheClock *clock; /* owned */
	gchar *holder;	 /* owned */
};

static void
ohe_store_lease_iface_init (OheLeaseInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OheStoreLease,
			 ohe_store_lease,
			 G_TYPE_OBJECT,
			 G_IMPLEMENT_INTERFACE (OHE_TYPE_LEASE, ohe_store_lease_iface_init))

static void
ohe_store_lease_finalize (GObject *object)
{
	OheStoreLease *self = OHE_STORE_LEASE (object);
	g_object_unref (self->store);
	g_object_unref (self->clock);
	g_free (self->holder);
	G_OBJECT_CLASS (ohe_store_lease_parent_class)->finalize (object);
}

static void
ohe_store_lease_class_init (OheStoreLeaseClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_store_lease_finalize;
}

static void
ohe_store_lease_init (OheStoreLease *self)
{
}

static gboolean
ohe_store_lease_acquire (
    OheLease *lease, const gchar *name, gint64 ttl_us, gboolean *held, GError **error)
{
	OheStoreLease *self = OHE_STORE_LEASE (lease);
	return ohe_store_acquire_lease (self->store, name, self->holder,
					ohe_clock_get_real (self->clock), ttl_us, held, error);
}

static gboolean
ohe_store_lease_release (OheLease *lease, const gchar *name, GError **error)
{
	OheStoreLease *self = OHE_STORE_LEASE (lease);
	return ohe_store_release_lease (self->store, name, self->holder, error);
}

static const gchar *
ohe_store_lease_get_holder (OheLease *lease)
{
	return OHE_STORE_LEASE (lease)->holder;
}

static void
ohe_store_lease_iface_init (OheLeaseInterface *iface)
{
	iface->acquire = ohe_store_lease_acquire;
	iface->release = ohe_store_lease_release;
	iface->get_holder = ohe_store_lease_get_holder;
}

/**
 * ohe_store_lease_new:
 * @store: the store shared by the processes
 * @clock: (nullable): the clock that judges expiry; %NULL for the default
 * @holder: (nullable): this side's id; %NULL for ohe_store_lease_new_holder_id()
 *
 * Returns: (transfer full): the lease
 */
OheLease *
ohe_store_lease_new (OheStore *store, OheClock *clock, const gchar *holder)
{
	OheStoreLease *self;
	g_return_val_if_fail (OHE_IS_STORE (store), NULL);
	self = g_object_new (OHE_TYPE_STORE_LEASE, NULL);
	self->store = g_object_ref (store);
	self->clock = g_object_ref (clock != NULL ? clock : ohe_clock_get_default ());
	self->holder = holder != NULL ? g_strdup (holder) : ohe_store_lease_new_holder_id ();
	return OHE_LEASE (self);
}

/**
 * ohe_store_lease_new_holder_id:
 *
 * Returns: (transfer full): `HOST:PID:RANDOM`, unique to this process
 */
gchar *
ohe_store_lease_new_holder_id (void)
{
	return g_strdup_printf ("%s:%d:%08x", g_get_host_name (), (gint)getpid (), g_random_int ());
}
