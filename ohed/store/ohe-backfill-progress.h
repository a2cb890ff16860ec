/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * OheBackfillProgress:
 * @link_id: the link being backfilled
 * @window_start_us: the start of the whole backfill, UTC
 * @window_end_us: its end, UTC: the time the link was seen active
 * @windows_total: the windows it was split into
 * @windows_done: the windows whose job finished
 * @measurements: the measurements those jobs wrote
 * @started_us: when it was planned
 * @updated_us: when a window last finished (or @started_us)
 *
 * The initial backfill of one link, as the store keeps it.
 */
typedef struct {
	gchar *link_id;
	gint64 window_start_us;
	gint64 window_end_us;
	guint windows_total;
	guint windows_done;
	guint64 measurements;
	gint64 started_us;
	gint64 updated_us;
} OheBackfillProgress;

#define OHE_TYPE_BACKFILL_PROGRESS (ohe_backfill_progress_get_type ())

GType
ohe_backfill_progress_get_type (void);
OheBackfillProgress *
ohe_backfill_progress_new (const gchar *link_id);
OheBackfillProgress *
ohe_backfill_progress_copy (const OheBackfillProgress *self);
void
ohe_backfill_progress_free (OheBackfillProgress *self);
gboolean
ohe_backfill_progress_is_done (const OheBackfillProgress *self);
gint64
ohe_backfill_progress_get_eta (const OheBackfillProgress *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheBackfillProgress, ohe_backfill_progress_free)

G_END_DECLS
