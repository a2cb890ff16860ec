/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-backfill-progress.h"

/*
 * A plain record: the store fills it, ohectl and the REST API show it. The estimate is
 * linear in windows, which fits a backfill whose windows are all the same length.
 */

G_DEFINE_BOXED_TYPE (OheBackfillProgress,
		     ohe_backfill_progress,
		     ohe_backfill_progress_copy,
		     ohe_backfill_progress_free)

OheBackfillProgress *
ohe_backfill_progress_new (const gchar *link_id)
{
	OheBackfillProgress *self = g_new0 (OheBackfillProgress, 1);
	self->link_id = g_strdup (link_id);
	return self;
}

OheBackfillProgress *
ohe_backfill_progress_copy (const OheBackfillProgress *self)
{
	OheBackfillProgress *copy;
	g_return_val_if_fail (self != NULL, NULL);
	copy = g_memdup2 (self, sizeof (*self));
	copy->link_id = g_strdup (self->link_id);
	return copy;
}

void
ohe_backfill_progress_free (OheBackfillProgress *self)
{
	if (self == NULL)
		return;
	g_free (self->link_id);
	g_free (self);
}

/**
 * ohe_backfill_progress_is_done:
 * @self: an #OheBackfillProgress
 *
 * Returns: %TRUE once every window finished
 */
gboolean
ohe_backfill_progress_is_done (const OheBackfillProgress *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->windows_done >= self->windows_total;
}

/**
 * ohe_backfill_progress_get_eta:
 * @self: an #OheBackfillProgress
 *
 * The time the last window should finish, at the pace of the windows done so far.
 *
 * Returns: the estimate in UTC microseconds; @updated_us when done; 0 when no window
 *   finished yet, so there is no pace to go by
 */
gint64
ohe_backfill_progress_get_eta (const OheBackfillProgress *self)
{
	gint64 per_window;
	g_return_val_if_fail (self != NULL, 0);
	if (ohe_backfill_progress_is_done (self))
		return self->updated_us;
	if (self->windows_done == 0)
		return 0;
	per_window = (self->updated_us - self->started_us) / self->windows_done;
	return self->updated_us + per_window * (self->windows_total - self->windows_done);
}
