/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * OheJobPriority:
 * @OHE_JOB_PRIORITY_REALTIME: a webhook said there is new data
 * @OHE_JOB_PRIORITY_INCREMENTAL: a scheduled or manual sync from the cursor
 * @OHE_JOB_PRIORITY_BACKFILL: the initial history of a new link
 * @OHE_JOB_PRIORITY_NIGHTLY: the nightly reconciliation
 *
 * Lower is more urgent: realtime > incremental > backfill > nightly. The values are stored
 * and ordered on; schema version 10 swapped the stored 2 and 3 when backfill moved ahead of
 * the nightly reconciliation, so change them only with a migration.
 */
typedef enum {
	OHE_JOB_PRIORITY_REALTIME = 0,
	OHE_JOB_PRIORITY_INCREMENTAL = 1,
	OHE_JOB_PRIORITY_BACKFILL = 2,
	OHE_JOB_PRIORITY_NIGHTLY = 3,
	/*< private >*/
	OHE_JOB_PRIORITY_LAST
} OheJobPriority;

/**
 * OheJobState:
 * @OHE_JOB_STATE_QUEUED: waiting, possibly until its not-before time
 * @OHE_JOB_STATE_RUNNING: handed to a worker
 * @OHE_JOB_STATE_DONE: finished; no longer stored
 * @OHE_JOB_STATE_DEAD: given up, with a dead letter saying why
 */
typedef enum {
	OHE_JOB_STATE_QUEUED,
	OHE_JOB_STATE_RUNNING,
	OHE_JOB_STATE_DONE,
	OHE_JOB_STATE_DEAD,
	/*< private >*/
	OHE_JOB_STATE_LAST
} OheJobState;

#define OHE_JOB_DEFAULT_MAX_ATTEMPTS 5

const gchar *
ohe_job_priority_to_string (OheJobPriority priority);
OheJobPriority
ohe_job_priority_from_string (const gchar *name);
const gchar *
ohe_job_state_to_string (OheJobState state);
OheJobState
ohe_job_state_from_string (const gchar *name);

#define OHE_TYPE_JOB (ohe_job_get_type ())
G_DECLARE_FINAL_TYPE (OheJob, ohe_job, OHE, JOB, GObject)

OheJob *
ohe_job_new (const gchar *link_id, const gchar *provider, OheJobPriority priority);
OheJob *
ohe_job_copy (OheJob *self);
const gchar *
ohe_job_get_id (OheJob *self);
void
ohe_job_set_id (OheJob *self, const gchar *id);
const gchar *
ohe_job_get_link_id (OheJob *self);
void
ohe_job_set_link_id (OheJob *self, const gchar *link_id);
const gchar *
ohe_job_get_provider (OheJob *self);
void
ohe_job_set_provider (OheJob *self, const gchar *provider);
GStrv
ohe_job_get_kinds (OheJob *self);
void
ohe_job_set_kinds (OheJob *self, const gchar *const *kinds);
void
ohe_job_add_kind (OheJob *self, const gchar *kind);
gboolean
ohe_job_has_kind (OheJob *self, const gchar *kind);
gint64
ohe_job_get_window_start (OheJob *self);
void
ohe_job_set_window_start (OheJob *self, gint64 window_start_us);
gint64
ohe_job_get_window_end (OheJob *self);
void
ohe_job_set_window_end (OheJob *self, gint64 window_end_us);
void
ohe_job_set_window (OheJob *self, gint64 window_start_us, gint64 window_end_us);
OheJobPriority
ohe_job_get_priority (OheJob *self);
void
ohe_job_set_priority (OheJob *self, OheJobPriority priority);
const gchar *
ohe_job_get_reason (OheJob *self);
void
ohe_job_set_reason (OheJob *self, const gchar *reason);
guint
ohe_job_get_attempts (OheJob *self);
void
ohe_job_set_attempts (OheJob *self, guint attempts);
guint
ohe_job_get_max_attempts (OheJob *self);
void
ohe_job_set_max_attempts (OheJob *self, guint max_attempts);
gint64
ohe_job_get_not_before (OheJob *self);
void
ohe_job_set_not_before (OheJob *self, gint64 not_before_us);
OheJobState
ohe_job_get_state (OheJob *self);
void
ohe_job_set_state (OheJob *self, OheJobState state);
const gchar *
ohe_job_get_last_error (OheJob *self);
void
ohe_job_set_last_error (OheJob *self, const gchar *last_error);
gint64
ohe_job_get_created (OheJob *self);
void
ohe_job_set_created (OheJob *self, gint64 created_us);
const gchar *
ohe_job_get_dedup_key (OheJob *self);
void
ohe_job_set_dedup_key (OheJob *self, const gchar *dedup_key);

G_END_DECLS
