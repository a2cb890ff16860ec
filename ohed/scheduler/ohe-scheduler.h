/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-job-queue.h"
#include "ohe-lease.h"
#include "ohe-store.h"
#include "ohe-sync-settings.h"

G_BEGIN_DECLS

/* the reason of the jobs each trigger makes, as stored and shown */
#define OHE_SCHEDULER_REASON_BACKFILL	 "backfill"
#define OHE_SCHEDULER_REASON_INCREMENTAL "incremental"
#define OHE_SCHEDULER_REASON_PUSH	 "push"
#define OHE_SCHEDULER_REASON_NIGHTLY	 "nightly"

/* the lease that decides which process fires the timed triggers */
#define OHE_SCHEDULER_LEASE "scheduler"

/**
 * OheSchedulerTrigger:
 * @OHE_SCHEDULER_TRIGGER_BACKFILL: a link seen active for the first time
 * @OHE_SCHEDULER_TRIGGER_INCREMENTAL: a link's sync frequency came round
 * @OHE_SCHEDULER_TRIGGER_PUSH: a provider said there is new data
 * @OHE_SCHEDULER_TRIGGER_NIGHTLY: the nightly reconciliation
 */
typedef enum {
	OHE_SCHEDULER_TRIGGER_BACKFILL,
	OHE_SCHEDULER_TRIGGER_INCREMENTAL,
	OHE_SCHEDULER_TRIGGER_PUSH,
	OHE_SCHEDULER_TRIGGER_NIGHTLY,
	/*< private >*/
	OHE_SCHEDULER_TRIGGER_LAST
} OheSchedulerTrigger;

#define OHE_TYPE_SCHEDULER (ohe_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (OheScheduler, ohe_scheduler, OHE, SCHEDULER, GObject)

OheScheduler *
ohe_scheduler_new (OheStore *store,
		   OheJobQueue *queue,
		   OheLease *lease,
		   OheSyncSettings *settings,
		   OheClock *clock);
gboolean
ohe_scheduler_tick (OheScheduler *self, GError **error);
gboolean
ohe_scheduler_is_leader (OheScheduler *self);
void
ohe_scheduler_start (OheScheduler *self);
void
ohe_scheduler_stop (OheScheduler *self);
gboolean
ohe_scheduler_link_activated (OheScheduler *self, const gchar *link_id, GError **error);
gboolean
ohe_scheduler_notify (OheScheduler *self,
		      const gchar *provider,
		      OheSyncHint *hint,
		      gboolean *coalesced,
		      GError **error);
void
ohe_scheduler_job_done (OheScheduler *self, OheJob *job, guint64 measurements);
guint64
ohe_scheduler_get_jobs_made (OheScheduler *self, OheSchedulerTrigger trigger);
const gchar *
ohe_scheduler_trigger_to_string (OheSchedulerTrigger trigger);

G_END_DECLS
