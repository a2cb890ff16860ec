/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ohe-clock.h"
#include "ohe-job.h"

G_BEGIN_DECLS

#define OHE_TYPE_JOB_QUEUE (ohe_job_queue_get_type ())
G_DECLARE_INTERFACE (OheJobQueue, ohe_job_queue, OHE, JOB_QUEUE, GObject)

/* retry delays: full jitter over an exponential ceiling of 30 s, 60 s, 120 s... up to 1 h */
#define OHE_JOB_QUEUE_BACKOFF_BASE_US (G_GINT64_CONSTANT (30) * G_USEC_PER_SEC)
#define OHE_JOB_QUEUE_BACKOFF_CAP_US  (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/*
 * Where sync jobs wait for a worker. Order: priority (realtime first), then the not-before
 * time, then creation (FIFO). A popped job is running until the worker completes, fails or
 * requeues it. All calls are safe from any thread; push and the state changes persist the
 * job before they return, so a restart loses nothing that was accepted.
 */
struct _OheJobQueueInterface {
	GTypeInterface parent_iface;

	gboolean (*push) (OheJobQueue *self, OheJob *job, GError **error);
	OheJob *(*pop) (OheJobQueue *self,
			gint64 timeout_us,
			GCancellable *cancellable,
			GError **error);
	gboolean (*complete) (OheJobQueue *self, OheJob *job, GError **error);
	gboolean (*fail) (OheJobQueue *self, OheJob *job, const GError *reason, GError **error);
	gboolean (*requeue) (OheJobQueue *self, OheJob *job, GError **error);
	guint (*get_depth) (OheJobQueue *self);
	guint (*get_running) (OheJobQueue *self);
	void (*wake) (OheJobQueue *self);
};

gboolean
ohe_job_queue_push (OheJobQueue *self, OheJob *job, GError **error);
OheJob *
ohe_job_queue_pop (OheJobQueue *self, gint64 timeout_us, GCancellable *cancellable, GError **error);
gboolean
ohe_job_queue_complete (OheJobQueue *self, OheJob *job, GError **error);
gboolean
ohe_job_queue_fail (OheJobQueue *self, OheJob *job, const GError *reason, GError **error);
gboolean
ohe_job_queue_requeue (OheJobQueue *self, OheJob *job, GError **error);
guint
ohe_job_queue_get_depth (OheJobQueue *self);
guint
ohe_job_queue_get_running (OheJobQueue *self);
void
ohe_job_queue_wake (OheJobQueue *self);

/* shared by the backends, so every queue retries and reports alike */
gint64
ohe_job_queue_get_backoff (OheClock *clock, guint attempts);
gchar *
ohe_job_queue_format_reason (const GError *reason);
gboolean
ohe_job_queue_is_interruption (const GError *reason);

G_END_DECLS
