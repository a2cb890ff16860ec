/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-device.h"

/*
 * A device paired with a provider account, as the provider lists it: a scale,
 * a watch, a tracker. The id is the provider's; the other fields are what the
 * provider says and may be missing.
 */
struct _OheDevice {
	GObject parent_instance;
	gchar *id;	    /* owned */
	gchar *model;	    /* owned, nullable */
	gchar *device_type; /* owned, nullable */
	gint battery_level; /* 0–100, or -1 when not reported */
	gint64 last_sync;   /* µs since the epoch, UTC, or 0 */
};

G_DEFINE_TYPE (OheDevice, ohe_device, G_TYPE_OBJECT)

static void
ohe_device_finalize (GObject *object)
{
	OheDevice *self = OHE_DEVICE (object);
	g_free (self->id);
	g_free (self->model);
	g_free (self->device_type);
	G_OBJECT_CLASS (ohe_device_parent_class)->finalize (object);
}

static void
ohe_device_class_init (OheDeviceClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_device_finalize;
}

static void
ohe_device_init (OheDevice *self)
{
	self->battery_level = -1;
}

/**
 * ohe_device_new:
 * @id: the provider's id of the device
 *
 * Returns: (transfer full): a device with only its id set
 *
 * Since: 0.1
 */
OheDevice *
ohe_device_new (const gchar *id)
{
	OheDevice *self;
	g_return_val_if_fail (id != NULL && id[0] != '\0', NULL);
	self = g_object_new (OHE_TYPE_DEVICE, NULL);
	self->id = g_strdup (id);
	return self;
}

/**
 * ohe_device_get_id:
 * @self: an #OheDevice
 *
 * Returns: the provider's id of the device
 *
 * Since: 0.1
 */
const gchar *
ohe_device_get_id (OheDevice *self)
{
	g_return_val_if_fail (OHE_IS_DEVICE (self), NULL);
	return self->id;
}

/**
 * ohe_device_get_model:
 * @self: an #OheDevice
 *
 * Returns: (nullable): the product name, e.g. `Body+` or `Charge 6`
 *
 * Since: 0.1
 */
const gchar *
ohe_device_get_model (OheDevice *self)
{
	g_return_val_if_fail (OHE_IS_DEVICE (self), NULL);
	return self->model;
}

/**
 * ohe_device_set_model:
 * @self: an #OheDevice
 * @model: (nullable): the product name
 *
 * Since: 0.1
 */
void
ohe_device_set_model (OheDevice *self, const gchar *model)
{
	g_return_if_fail (OHE_IS_DEVICE (self));
	g_free (self->model);
	self->model = g_strdup (model);
}

/**
 * ohe_device_get_device_type:
 * @self: an #OheDevice
 *
 * Returns: (nullable): the provider's device class, e.g. `Scale` or `TRACKER`
 *
 * Since: 0.1
 */
const gchar *
ohe_device_get_device_type (OheDevice *self)
{
	g_return_val_if_fail (OHE_IS_DEVICE (self), NULL);
	return self->device_type;
}

/**
 * ohe_device_set_device_type:
 * @self: an #OheDevice
 * @device_type: (nullable): the provider's device class
 *
 * Since: 0.1
 */
void
ohe_device_set_device_type (OheDevice *self, const gchar *device_type)
{
	g_return_if_fail (OHE_IS_DEVICE (self));
	g_free (self->device_type);
	self->device_type = g_strdup (device_type);
}

/**
 * ohe_device_get_battery_level:
 * @self: an #OheDevice
 *
 * Returns: the battery level in percent, or -1 when not reported
 *
 * Since: 0.1
 */
gint
ohe_device_get_battery_level (OheDevice *self)
{
	g_return_val_if_fail (OHE_IS_DEVICE (self), -1);
	return self->battery_level;
}

/**
 * ohe_device_set_battery_level:
 * @self: an #OheDevice
 * @battery_level: 0–100, or -1 for unknown
 *
 * Since: 0.1
 */
void
ohe_device_set_battery_level (OheDevice *self, gint battery_level)
{
	g_return_if_fail (OHE_IS_DEVICE (self));
	g_return_if_fail (battery_level >= -1 && battery_level <= 100);
	self->battery_level = battery_level;
}

/**
 * ohe_device_get_last_sync:
 * @self: an #OheDevice
 *
 * Returns: when the device last synced with the provider, µs since the epoch, or 0
 *
 * Since: 0.1
 */
gint64
ohe_device_get_last_sync (OheDevice *self)
{
	g_return_val_if_fail (OHE_IS_DEVICE (self), 0);
	return self->last_sync;
}

/**
 * ohe_device_set_last_sync:
 * @self: an #OheDevice
 * @last_sync_us: µs since the epoch, or 0 for unknown
 *
 * Since: 0.1
 */
void
ohe_device_set_last_sync (OheDevice *self, gint64 last_sync_us)
{
	g_return_if_fail (OHE_IS_DEVICE (self));
	g_return_if_fail (last_sync_us >= 0);
	self->last_sync = last_sync_us;
}
