/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-sink.h"

G_DEFINE_ABSTRACT_TYPE (OheSink, ohe_sink, OHE_TYPE_PLUGIN)

/**
 * ohe_sink_push:
 * @self: an #OheSink
 * @request: the batch
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Delivers a batch; blocks, so call it from a worker thread. Items the sink
 * left pending count as to be retried.
 *
 * Returns: %FALSE if the whole batch failed
 *
 * Since: 0.1
 */
gboolean
ohe_sink_push (OheSink *self, OhePushRequest *request, GCancellable *cancellable, GError **error)
{
	OheSinkClass *klass = OHE_SINK_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_SINK (self), FALSE);
	g_return_val_if_fail (OHE_IS_PUSH_REQUEST (request), FALSE);
	if (klass->push == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED, "sink %s cannot push",
			     ohe_plugin_get_name (OHE_PLUGIN (self)));
		return FALSE;
	}
	if (g_cancellable_set_error_if_cancelled (cancellable, error))
		return FALSE;
	return klass->push (self, request, cancellable, error);
}

/**
 * ohe_sink_flush:
 * @self: an #OheSink
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Called at the end of a job. Acknowledged items are already durable.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
ohe_sink_flush (OheSink *self, GCancellable *cancellable, GError **error)
{
	OheSinkClass *klass = OHE_SINK_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_SINK (self), FALSE);
	if (klass->flush == NULL)
		return TRUE;
	return klass->flush (self, cancellable, error);
}

/**
 * ohe_sink_check_health:
 * @self: an #OheSink
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE if the destination is reachable
 *
 * Since: 0.1
 */
gboolean
ohe_sink_check_health (OheSink *self, GCancellable *cancellable, GError **error)
{
	OheSinkClass *klass = OHE_SINK_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_SINK (self), FALSE);
	if (klass->check_health == NULL)
		return TRUE;
	return klass->check_health (self, cancellable, error);
}

static void
ohe_sink_class_init (OheSinkClass *klass)
{
}

static void
ohe_sink_init (OheSink *self)
{
}
