/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-store.h"

/*
 * The front of the scheduler's part of the store interface (schema version 10): sync
 * frequencies, the lease, trigger marks and backfill progress. As in ohe-store.c, argument
 * checks live here once.
 */

static gboolean
ohe_store_scheduler_not_supported (OheStore *self, const gchar *what, GError **error)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED, "store: %s: not supported by %s",
		     what, G_OBJECT_TYPE_NAME (self));
	return FALSE;
}

/**
 * ohe_store_get_user_sync_frequency:
 * @self: an #OheStore
 * @user_id: the EHR user id
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): `realtime`, `hourly` or `daily`, or %NULL with
 *   %OHE_ERROR_NOT_FOUND if there is no such user
 */
gchar *
ohe_store_get_user_sync_frequency (OheStore *self, const gchar *user_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (user_id != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_user_sync_frequency == NULL) {
		ohe_store_scheduler_not_supported (self, "get sync frequency", error);
		return NULL;
	}
	return iface->get_user_sync_frequency (self, user_id, error);
}

/**
 * ohe_store_set_user_sync_frequency:
 * @self: an #OheStore
 * @user_id: the EHR user id
 * @frequency: `realtime`, `hourly` or `daily`
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if there is no such user,
 *   %OHE_ERROR_INVALID_DATA if @frequency is none of the three
 */
gboolean
ohe_store_set_user_sync_frequency (OheStore *self,
				   const gchar *user_id,
				   const gchar *frequency,
				   GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (user_id != NULL && frequency != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_user_sync_frequency == NULL)
		return ohe_store_scheduler_not_supported (self, "set sync frequency", error);
	return iface->set_user_sync_frequency (self, user_id, frequency, error);
}

/**
 * ohe_store_acquire_lease:
 * @self: an #OheStore
 * @name: the lease, e.g. `scheduler`
 * @holder: who asks: an id unique to the process
 * @now_us: the caller's clock, UTC microseconds
 * @ttl_us: how long the lease holds without being renewed
 * @held: (out): whether @holder holds the lease now
 * @error: a #GError, or %NULL
 *
 * Takes the lease if it is free, expired at @now_us or already @holder's (which renews it),
 * atomically across every process sharing the store.
 *
 * Returns: %TRUE on success, whether or not the lease was taken
 */
gboolean
ohe_store_acquire_lease (OheStore *self,
			 const gchar *name,
			 const gchar *holder,
			 gint64 now_us,
			 gint64 ttl_us,
			 gboolean *held,
			 GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (name != NULL && holder != NULL && held != NULL, FALSE);
	g_return_val_if_fail (ttl_us > 0, FALSE);
	*held = FALSE;
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->acquire_lease == NULL)
		return ohe_store_scheduler_not_supported (self, "acquire lease", error);
	return iface->acquire_lease (self, name, holder, now_us, ttl_us, held, error);
}

/**
 * ohe_store_release_lease:
 * @self: an #OheStore
 * @name: the lease
 * @holder: the holder giving it up; a lease someone else holds is left alone
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_release_lease (OheStore *self, const gchar *name, const gchar *holder, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (name != NULL && holder != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->release_lease == NULL)
		return ohe_store_scheduler_not_supported (self, "release lease", error);
	return iface->release_lease (self, name, holder, error);
}

/**
 * ohe_store_get_schedule_mark:
 * @self: an #OheStore
 * @name: the mark, e.g. `nightly` or `incremental:<link id>`
 * @value_us: (out): its time, UTC microseconds
 * @found: (out): whether the mark exists
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success, whether or not the mark exists
 */
gboolean
ohe_store_get_schedule_mark (
    OheStore *self, const gchar *name, gint64 *value_us, gboolean *found, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (name != NULL && value_us != NULL && found != NULL, FALSE);
	*value_us = 0;
	*found = FALSE;
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_schedule_mark == NULL)
		return ohe_store_scheduler_not_supported (self, "get schedule mark", error);
	return iface->get_schedule_mark (self, name, value_us, found, error);
}

/**
 * ohe_store_set_schedule_mark:
 * @self: an #OheStore
 * @name: the mark
 * @value_us: its new time, UTC microseconds
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_set_schedule_mark (OheStore *self, const gchar *name, gint64 value_us, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (name != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_schedule_mark == NULL)
		return ohe_store_scheduler_not_supported (self, "set schedule mark", error);
	return iface->set_schedule_mark (self, name, value_us, error);
}

/**
 * ohe_store_start_backfill:
 * @self: an #OheStore
 * @progress: the planned backfill: link, window and number of windows; the store stamps
 *   the start time and zeroes the counts
 * @started: (out): %TRUE if it was recorded now, %FALSE if the link already had one
 * @error: a #GError, or %NULL
 *
 * Records the initial backfill of a link, once: a second call for the same link changes
 * nothing, so each link is backfilled once however often it is seen active.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if the link does not exist
 */
gboolean
ohe_store_start_backfill (OheStore *self,
			  const OheBackfillProgress *progress,
			  gboolean *started,
			  GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (progress != NULL && progress->link_id != NULL, FALSE);
	g_return_val_if_fail (started != NULL, FALSE);
	*started = FALSE;
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->start_backfill == NULL)
		return ohe_store_scheduler_not_supported (self, "start backfill", error);
	return iface->start_backfill (self, progress, started, error);
}

/**
 * ohe_store_add_backfill_progress:
 * @self: an #OheStore
 * @link_id: the link
 * @window_start_us: the start of the window that finished
 * @measurements: measurements it wrote
 * @error: a #GError, or %NULL
 *
 * Counts one finished backfill window, once: a window whose job ran again (the process died
 * between counting it and removing its job) is not counted a second time.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if the link has no backfill
 */
gboolean
ohe_store_add_backfill_progress (OheStore *self,
				 const gchar *link_id,
				 gint64 window_start_us,
				 guint64 measurements,
				 GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (link_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_backfill_progress == NULL)
		return ohe_store_scheduler_not_supported (self, "add backfill progress", error);
	return iface->add_backfill_progress (self, link_id, window_start_us, measurements, error);
}

/**
 * ohe_store_get_backfill_progress:
 * @self: an #OheStore
 * @link_id: the link
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the progress, or %NULL with %OHE_ERROR_NOT_FOUND if the link
 *   has no backfill
 */
OheBackfillProgress *
ohe_store_get_backfill_progress (OheStore *self, const gchar *link_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (link_id != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_backfill_progress == NULL) {
		ohe_store_scheduler_not_supported (self, "get backfill progress", error);
		return NULL;
	}
	return iface->get_backfill_progress (self, link_id, error);
}
