/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ohe-measurement.h"
#include "ohe-token.h"

G_BEGIN_DECLS

#define OHE_TYPE_FETCH_REQUEST (ohe_fetch_request_get_type ())
G_DECLARE_FINAL_TYPE (OheFetchRequest, ohe_fetch_request, OHE, FETCH_REQUEST, GObject)

/**
 * OheFetchEmitFunc:
 * @request: the #OheFetchRequest
 * @measurements: (element-type OheMeasurement): one batch
 * @cursor: (nullable): the stream position after the batch
 * @user_data: the data given with the function
 * @error: a #GError, or %NULL
 *
 * Receives each batch a provider emits; it blocks while the pipeline is
 * full, which is how backpressure reaches the provider.
 *
 * Returns: %FALSE to stop the fetch, with @error set
 *
 * Since: 0.1
 */
typedef gboolean (*OheFetchEmitFunc) (OheFetchRequest *request,
				      GPtrArray *measurements,
				      const gchar *cursor,
				      gpointer user_data,
				      GError **error);

OheFetchRequest *
ohe_fetch_request_new (const gchar *link_id, gint64 start_us, gint64 end_us);
const gchar *
ohe_fetch_request_get_link_id (OheFetchRequest *self);
gint64
ohe_fetch_request_get_start (OheFetchRequest *self);
gint64
ohe_fetch_request_get_end (OheFetchRequest *self);
void
ohe_fetch_request_add_kind (OheFetchRequest *self, OheMeasurementKind kind);
gboolean
ohe_fetch_request_has_kind (OheFetchRequest *self, OheMeasurementKind kind);
guint
ohe_fetch_request_get_n_kinds (OheFetchRequest *self);
OheMeasurementKind
ohe_fetch_request_get_kind (OheFetchRequest *self, guint idx);
void
ohe_fetch_request_set_token (OheFetchRequest *self, OheToken *token);
OheToken *
ohe_fetch_request_get_token (OheFetchRequest *self);
void
ohe_fetch_request_set_cursor (OheFetchRequest *self, const gchar *cursor);
const gchar *
ohe_fetch_request_get_cursor (OheFetchRequest *self);
void
ohe_fetch_request_set_external_user_id (OheFetchRequest *self, const gchar *external_user_id);
const gchar *
ohe_fetch_request_get_external_user_id (OheFetchRequest *self);
void
ohe_fetch_request_set_emit_func (OheFetchRequest *self,
				 OheFetchEmitFunc func,
				 gpointer user_data,
				 GDestroyNotify destroy);
gboolean
ohe_fetch_request_emit (OheFetchRequest *self,
			GPtrArray *measurements,
			const gchar *cursor,
			GError **error);
guint64
ohe_fetch_request_get_n_emitted (OheFetchRequest *self);

G_END_DECLS
