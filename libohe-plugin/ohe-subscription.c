/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-subscription.h"

/*
 * One push subscription a provider holds for an account: its id in the
 * provider's terms (a Withings appli number, a subscription name), where the
 * provider delivers, and the kinds it announces.
 */
struct _OheSubscription {
	GObject parent_instance;
	gchar *id;	     /* owned */
	gchar *callback_url; /* owned, secrets removed */
	GArray *kinds;	     /* owned, of OheMeasurementKind */
};

G_DEFINE_TYPE (OheSubscription, ohe_subscription, G_TYPE_OBJECT)

static void
ohe_subscription_finalize (GObject *object)
{
	OheSubscription *self = OHE_SUBSCRIPTION (object);
	g_free (self->id);
	g_free (self->callback_url);
	g_array_unref (self->kinds);
	G_OBJECT_CLASS (ohe_subscription_parent_class)->finalize (object);
}

static void
ohe_subscription_class_init (OheSubscriptionClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_subscription_finalize;
}

static void
ohe_subscription_init (OheSubscription *self)
{
	self->kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
}

/**
 * ohe_subscription_new:
 * @id: the provider's id of the subscription
 * @callback_url: where the provider delivers, without any secret it carries
 *
 * Returns: (transfer full): a subscription announcing no kind yet
 *
 * Since: 0.1
 */
OheSubscription *
ohe_subscription_new (const gchar *id, const gchar *callback_url)
{
	OheSubscription *self;
	g_return_val_if_fail (id != NULL, NULL);
	g_return_val_if_fail (callback_url != NULL, NULL);
	self = g_object_new (OHE_TYPE_SUBSCRIPTION, NULL);
	self->id = g_strdup (id);
	self->callback_url = g_strdup (callback_url);
	return self;
}

/**
 * ohe_subscription_get_id:
 * @self: an #OheSubscription
 *
 * Returns: the provider's id of the subscription
 *
 * Since: 0.1
 */
const gchar *
ohe_subscription_get_id (OheSubscription *self)
{
	g_return_val_if_fail (OHE_IS_SUBSCRIPTION (self), NULL);
	return self->id;
}

/**
 * ohe_subscription_get_callback_url:
 * @self: an #OheSubscription
 *
 * Returns: where the provider delivers
 *
 * Since: 0.1
 */
const gchar *
ohe_subscription_get_callback_url (OheSubscription *self)
{
	g_return_val_if_fail (OHE_IS_SUBSCRIPTION (self), NULL);
	return self->callback_url;
}

/**
 * ohe_subscription_add_kind:
 * @self: an #OheSubscription
 * @kind: a kind the subscription announces
 *
 * Since: 0.1
 */
void
ohe_subscription_add_kind (OheSubscription *self, OheMeasurementKind kind)
{
	g_return_if_fail (OHE_IS_SUBSCRIPTION (self));
	for (guint i = 0; i < self->kinds->len; i++) {
		if (g_array_index (self->kinds, OheMeasurementKind, i) == kind)
			return;
	}
	g_array_append_val (self->kinds, kind);
}

/**
 * ohe_subscription_get_n_kinds:
 * @self: an #OheSubscription
 *
 * Returns: how many kinds the subscription announces
 *
 * Since: 0.1
 */
guint
ohe_subscription_get_n_kinds (OheSubscription *self)
{
	g_return_val_if_fail (OHE_IS_SUBSCRIPTION (self), 0);
	return self->kinds->len;
}

/**
 * ohe_subscription_get_kind:
 * @self: an #OheSubscription
 * @idx: an index below ohe_subscription_get_n_kinds()
 *
 * Returns: the kind at @idx
 *
 * Since: 0.1
 */
OheMeasurementKind
ohe_subscription_get_kind (OheSubscription *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_SUBSCRIPTION (self), OHE_MEASUREMENT_KIND_UNKNOWN);
	g_return_val_if_fail (idx < self->kinds->len, OHE_MEASUREMENT_KIND_UNKNOWN);
	return g_array_index (self->kinds, OheMeasurementKind, idx);
}
