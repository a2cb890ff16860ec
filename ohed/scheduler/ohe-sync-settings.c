/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-job.h"
#include "ohe-sync-settings.h"

/*
 * The [sync] group of ohed.conf, read once into durations in microseconds. OheConfig has
 * checked every number against its range already; what only makes sense together (the
 * lease must outlive a tick) and the cron expression are checked here, with the group and
 * key named.
 */
struct _OheSyncSettings {
	GObject parent_instance;
	gboolean enabled;
	gint64 initial_backfill_us;
	gint64 backfill_window_us;
	gint64 overlap_us;
	gint64 push_lookback_us;
	OheCron *nightly; /* owned */
	gint64 nightly_jitter_us;
	gint64 nightly_window_us;
	gint64 tick_us;
	gint64 lease_ttl_us;
	guint max_attempts;
};

G_DEFINE_TYPE (OheSyncSettings, ohe_sync_settings, G_TYPE_OBJECT)

static void
ohe_sync_settings_finalize (GObject *object)
{
	OheSyncSettings *self = OHE_SYNC_SETTINGS (object);
	g_clear_pointer (&self->nightly, ohe_cron_unref);
	G_OBJECT_CLASS (ohe_sync_settings_parent_class)->finalize (object);
}

static void
ohe_sync_settings_class_init (OheSyncSettingsClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sync_settings_finalize;
}

static void
ohe_sync_settings_init (OheSyncSettings *self)
{
}

/**
 * ohe_sync_settings_new:
 * @config: the daemon configuration
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the settings, or %NULL with %OHE_ERROR_INVALID_ARGUMENT naming
 *   the key that is wrong
 */
OheSyncSettings *
ohe_sync_settings_new (OheConfig *config, GError **error)
{
	g_autoptr(OheSyncSettings) self = g_object_new (OHE_TYPE_SYNC_SETTINGS, NULL);
	g_autofree gchar *nightly = ohe_config_get_string (config, "sync", "nightly");
	g_autoptr(GError) error_local = NULL;
	const gint64 day = G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC;

	g_return_val_if_fail (OHE_IS_CONFIG (config), NULL);
	self->enabled = ohe_config_get_boolean (config, "sync", "enabled");
	self->initial_backfill_us =
	    ohe_config_get_int (config, "sync", "initial_backfill_days") * day;
	self->backfill_window_us =
	    ohe_config_get_int (config, "sync", "backfill_window_days") * day;
	self->overlap_us = ohe_config_get_int (config, "sync", "overlap") * G_USEC_PER_SEC;
	self->push_lookback_us =
	    ohe_config_get_int (config, "sync", "push_lookback") * G_USEC_PER_SEC;
	self->nightly_jitter_us =
	    ohe_config_get_int (config, "sync", "nightly_jitter") * G_USEC_PER_SEC;
	self->nightly_window_us = ohe_config_get_int (config, "sync", "nightly_window") * day;
	self->tick_us = ohe_config_get_int (config, "sync", "tick") * G_USEC_PER_SEC;
	self->lease_ttl_us = ohe_config_get_int (config, "sync", "lease_ttl") * G_USEC_PER_SEC;
	self->max_attempts = (guint)ohe_config_get_int (config, "queue", "max_attempts");
	self->nightly = ohe_cron_new (nightly != NULL ? nightly : "", &error_local);
	if (self->nightly == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, "[sync] nightly: %s",
			     error_local->message);
		return NULL;
	}
	if (self->lease_ttl_us <= self->tick_us) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[sync] lease_ttl = %" G_GINT64_FORMAT
			     " must be longer than [sync] tick = %" G_GINT64_FORMAT
			     ", or the lease lapses between two ticks",
			     self->lease_ttl_us / G_USEC_PER_SEC, self->tick_us / G_USEC_PER_SEC);
		return NULL;
	}
	return g_steal_pointer (&self);
}

/* whether ohed runs the scheduler at all */
gboolean
ohe_sync_settings_get_enabled (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), FALSE);
	return self->enabled;
}

/* how far back a new link is backfilled; 0 means no backfill */
gint64
ohe_sync_settings_get_initial_backfill (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->initial_backfill_us;
}

/* the length of one backfill job's window */
gint64
ohe_sync_settings_get_backfill_window (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->backfill_window_us;
}

/* how far an incremental sync reaches back before the previous one's end */
gint64
ohe_sync_settings_get_overlap (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->overlap_us;
}

/* how far a push's job reaches around the window the provider named */
gint64
ohe_sync_settings_get_push_lookback (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->push_lookback_us;
}

/* when the nightly reconciliation runs (transfer none) */
OheCron *
ohe_sync_settings_get_nightly (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), NULL);
	return self->nightly;
}

/* the reconciliation starts at a uniformly random delay up to this after its cron time */
gint64
ohe_sync_settings_get_nightly_jitter (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->nightly_jitter_us;
}

/* the trailing window the reconciliation reads again */
gint64
ohe_sync_settings_get_nightly_window (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->nightly_window_us;
}

/* how often the scheduler looks for due triggers */
gint64
ohe_sync_settings_get_tick (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->tick_us;
}

/* how long the scheduler lease holds without renewal */
gint64
ohe_sync_settings_get_lease_ttl (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), 0);
	return self->lease_ttl_us;
}

/* [queue] max_attempts, given to every job the scheduler makes */
guint
ohe_sync_settings_get_max_attempts (OheSyncSettings *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_SETTINGS (self), OHE_JOB_DEFAULT_MAX_ATTEMPTS);
	return self->max_attempts;
}
