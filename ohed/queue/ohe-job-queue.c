/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-job-queue.h"

/*
 * The front of the job queue interface: argument checks live here once, and the retry and
 * reason rules every backend must share.
 */

G_DEFINE_INTERFACE (OheJobQueue, ohe_job_queue, G_TYPE_OBJECT)

static void
ohe_job_queue_default_init (OheJobQueueInterface *iface)
{
}

/**
 * ohe_job_queue_push:
 * @self: an #OheJobQueue
 * @job: the job to run; the queue keeps its own copy
 * @error: a #GError, or %NULL
 *
 * Persists the job, then queues it. If @job has a dedup key and a queued (not yet running)
 * job of the same link has the same key, the queued job absorbs it instead: kinds are
 * united, windows widened, the more urgent priority and the earlier not-before time win. The
 * id of @job is then set to the id of the queued job, so the caller can report it.
 *
 * Returns: %TRUE if the job is queued or merged; %OHE_ERROR_CONFLICT if a job with its id is
 *   already queued or running
 */
gboolean
ohe_job_queue_push (OheJobQueue *self, OheJob *job, GError **error)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), FALSE);
	g_return_val_if_fail (OHE_IS_JOB (job), FALSE);
	return OHE_JOB_QUEUE_GET_IFACE (self)->push (self, job, error);
}

/**
 * ohe_job_queue_pop:
 * @self: an #OheJobQueue
 * @timeout_us: how long to wait for a ready job, in real time: 0 does not wait, a negative
 *   value waits until a job is ready, @cancellable is cancelled or the queue is woken
 * @cancellable: (nullable): a #GCancellable that ends the wait
 * @error: a #GError, or %NULL
 *
 * Takes the most urgent ready job (not-before time reached) and marks it running.
 *
 * Returns: (transfer full) (nullable): the job; %NULL without an error on timeout or when
 *   woken by ohe_job_queue_wake() with nothing ready; %NULL with %OHE_ERROR_CANCELLED if
 *   @cancellable was cancelled
 */
OheJob *
ohe_job_queue_pop (OheJobQueue *self, gint64 timeout_us, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), NULL);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
	return OHE_JOB_QUEUE_GET_IFACE (self)->pop (self, timeout_us, cancellable, error);
}

/**
 * ohe_job_queue_complete:
 * @self: an #OheJobQueue
 * @job: a running job
 * @error: a #GError, or %NULL
 *
 * The job is done and forgotten. The queue forgets it even if the store then fails; a stale
 * stored row only makes the job run once more after a restart, which is harmless.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if @job is not running
 */
gboolean
ohe_job_queue_complete (OheJobQueue *self, OheJob *job, GError **error)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), FALSE);
	g_return_val_if_fail (OHE_IS_JOB (job), FALSE);
	return OHE_JOB_QUEUE_GET_IFACE (self)->complete (self, job, error);
}

/**
 * ohe_job_queue_fail:
 * @self: an #OheJobQueue
 * @job: a running job
 * @reason: why it failed
 * @error: a #GError, or %NULL
 *
 * Counts a failed attempt. A transient @reason (ohe_error_is_transient()) with attempts
 * left queues the job again after a full-jitter exponential backoff; otherwise the job is
 * dead and a dead letter records @reason. A cancellation is not a failure: the job goes back
 * to the queue as with ohe_job_queue_requeue().
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if @job is not running
 */
gboolean
ohe_job_queue_fail (OheJobQueue *self, OheJob *job, const GError *reason, GError **error)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), FALSE);
	g_return_val_if_fail (OHE_IS_JOB (job), FALSE);
	g_return_val_if_fail (reason != NULL, FALSE);
	return OHE_JOB_QUEUE_GET_IFACE (self)->fail (self, job, reason, error);
}

/**
 * ohe_job_queue_requeue:
 * @self: an #OheJobQueue
 * @job: a running job
 * @error: a #GError, or %NULL
 *
 * Puts an interrupted job (e.g. on shutdown) back in the queue without counting an attempt.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if @job is not running
 */
gboolean
ohe_job_queue_requeue (OheJobQueue *self, OheJob *job, GError **error)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), FALSE);
	g_return_val_if_fail (OHE_IS_JOB (job), FALSE);
	return OHE_JOB_QUEUE_GET_IFACE (self)->requeue (self, job, error);
}

/**
 * ohe_job_queue_get_depth:
 * @self: an #OheJobQueue
 *
 * Returns: the number of queued jobs, ready or waiting for their not-before time
 */
guint
ohe_job_queue_get_depth (OheJobQueue *self)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), 0);
	return OHE_JOB_QUEUE_GET_IFACE (self)->get_depth (self);
}

/**
 * ohe_job_queue_get_running:
 * @self: an #OheJobQueue
 *
 * Returns: the number of jobs handed to workers and not yet completed, failed or requeued
 */
guint
ohe_job_queue_get_running (OheJobQueue *self)
{
	g_return_val_if_fail (OHE_IS_JOB_QUEUE (self), 0);
	return OHE_JOB_QUEUE_GET_IFACE (self)->get_running (self);
}

/**
 * ohe_job_queue_wake:
 * @self: an #OheJobQueue
 *
 * Makes every blocked ohe_job_queue_pop() look again: it returns a job that became ready
 * meanwhile, or %NULL. Used on shutdown, and after advancing a fake clock.
 */
void
ohe_job_queue_wake (OheJobQueue *self)
{
	g_return_if_fail (OHE_IS_JOB_QUEUE (self));
	OHE_JOB_QUEUE_GET_IFACE (self)->wake (self);
}

/**
 * ohe_job_queue_get_backoff:
 * @clock: the clock whose random numbers jitter the delay
 * @attempts: the failed attempts so far, at least 1
 *
 * Full jitter: a uniform delay between 0 and min(1 h, 30 s × 2^(attempts − 1)), so that
 * the jobs of many links failing together (a provider outage) do not retry together.
 *
 * Returns: the delay before the next attempt, in microseconds
 */
gint64
ohe_job_queue_get_backoff (OheClock *clock, guint attempts)
{
	gint64 ceiling = OHE_JOB_QUEUE_BACKOFF_BASE_US;
	g_return_val_if_fail (OHE_IS_CLOCK (clock), OHE_JOB_QUEUE_BACKOFF_BASE_US);
	for (guint i = 1; i < attempts && ceiling < OHE_JOB_QUEUE_BACKOFF_CAP_US; i++)
		ceiling *= 2;
	ceiling = MIN (ceiling, OHE_JOB_QUEUE_BACKOFF_CAP_US);
	return (gint64)((gdouble)ceiling * ohe_clock_random_double (clock));
}

/**
 * ohe_job_queue_format_reason:
 * @reason: a #GError
 *
 * Returns: (transfer full): the text stored as the last error and the dead letter reason,
 *   e.g. `Unavailable: provider answered 503`
 */
gchar *
ohe_job_queue_format_reason (const GError *reason)
{
	g_return_val_if_fail (reason != NULL, NULL);
	if (reason->domain == OHE_ERROR)
		return g_strdup_printf ("%s: %s", ohe_error_to_string (reason->code),
					reason->message);
	return g_strdup_printf ("%s: %s", g_quark_to_string (reason->domain), reason->message);
}

/**
 * ohe_job_queue_is_interruption:
 * @reason: a #GError
 *
 * Returns: %TRUE if @reason says the job was cancelled (shutdown) rather than failed
 */
gboolean
ohe_job_queue_is_interruption (const GError *reason)
{
	return g_error_matches (reason, OHE_ERROR, OHE_ERROR_CANCELLED) ||
	       g_error_matches (reason, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}
