/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-plugin.h"
#include "ohe-push-request.h"

G_BEGIN_DECLS

#define OHE_TYPE_SINK (ohe_sink_get_type ())
G_DECLARE_DERIVABLE_TYPE (OheSink, ohe_sink, OHE, SINK, OhePlugin)

/**
 * OheSinkClass:
 * @push: must implement; delivers a batch and sets one outcome per item;
 *   an item marked accepted must be durable when push returns, because the
 *   host then stores the cursor past it; returning %FALSE means the whole
 *   batch failed and is retried
 * @flush: has default; called at the end of a job, e.g. to close files; it
 *   must not hold back data that push already acknowledged
 * @check_health: has default; tells whether the destination is reachable
 *
 * A sink plugin: one destination, e.g. a FHIR R5 server.
 *
 * Since: 0.1
 */
struct _OheSinkClass {
	OhePluginClass parent_class;
	gboolean (*push) (OheSink *self,
			  OhePushRequest *request,
			  GCancellable *cancellable,
			  GError **error);
	gboolean (*flush) (OheSink *self, GCancellable *cancellable, GError **error);
	gboolean (*check_health) (OheSink *self, GCancellable *cancellable, GError **error);
	/*< private >*/
	gpointer padding[16];
};

gboolean
ohe_sink_push (OheSink *self, OhePushRequest *request, GCancellable *cancellable, GError **error);
gboolean
ohe_sink_flush (OheSink *self, GCancellable *cancellable, GError **error);
gboolean
ohe_sink_check_health (OheSink *self, GCancellable *cancellable, GError **error);

G_END_DECLS
