/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-fetch-request.h"

/*
 * What a provider is asked to fetch: one link, a UTC window and the kinds
 * the user consented to. The provider streams batches through emit().
 */
struct _OheFetchRequest {
	GObject parent_instance;
	gchar *link_id;		 /* owned */
	gint64 start_us;	 /* UTC, inclusive */
	gint64 end_us;		 /* UTC, exclusive */
	GArray *kinds;		 /* owned, of OheMeasurementKind */
	OheToken *token;	 /* owned, nullable */
	gchar *cursor;		 /* owned, nullable */
	gchar *external_user_id; /* owned, nullable */
	OheFetchEmitFunc emit_func;
	gpointer emit_data;
	GDestroyNotify emit_destroy;
	guint64 n_emitted;
};

G_DEFINE_TYPE (OheFetchRequest, ohe_fetch_request, G_TYPE_OBJECT)

static void
ohe_fetch_request_finalize (GObject *object)
{
	OheFetchRequest *self = OHE_FETCH_REQUEST (object);
	if (self->emit_destroy != NULL)
		self->emit_destroy (self->emit_data);
	g_free (self->link_id);
	g_array_unref (self->kinds);
	g_clear_object (&self->token);
	g_free (self->cursor);
	g_free (self->external_user_id);
	G_OBJECT_CLASS (ohe_fetch_request_parent_class)->finalize (object);
}

static void
ohe_fetch_request_class_init (OheFetchRequestClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fetch_request_finalize;
}

static void
ohe_fetch_request_init (OheFetchRequest *self)
{
	self->kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
}

/**
 * ohe_fetch_request_new:
 * @link_id: the provider link
 * @start_us: the window start, UTC microseconds, inclusive
 * @end_us: the window end, UTC microseconds, exclusive
 *
 * Returns: (transfer full): a new request
 *
 * Since: 0.1
 */
OheFetchRequest *
ohe_fetch_request_new (const gchar *link_id, gint64 start_us, gint64 end_us)
{
	OheFetchRequest *self = g_object_new (OHE_TYPE_FETCH_REQUEST, NULL);
	self->link_id = g_strdup (link_id);
	self->start_us = start_us;
	self->end_us = end_us;
	return self;
}

/**
 * ohe_fetch_request_get_link_id:
 * @self: an #OheFetchRequest
 *
 * Returns: the link id
 *
 * Since: 0.1
 */
const gchar *
ohe_fetch_request_get_link_id (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), NULL);
	return self->link_id;
}

/**
 * ohe_fetch_request_get_start:
 * @self: an #OheFetchRequest
 *
 * Returns: the window start, UTC microseconds
 *
 * Since: 0.1
 */
gint64
ohe_fetch_request_get_start (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), 0);
	return self->start_us;
}

/**
 * ohe_fetch_request_get_end:
 * @self: an #OheFetchRequest
 *
 * Returns: the window end, UTC microseconds
 *
 * Since: 0.1
 */
gint64
ohe_fetch_request_get_end (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), 0);
	return self->end_us;
}

/**
 * ohe_fetch_request_add_kind:
 * @self: an #OheFetchRequest
 * @kind: a kind to fetch
 *
 * Since: 0.1
 */
void
ohe_fetch_request_add_kind (OheFetchRequest *self, OheMeasurementKind kind)
{
	g_return_if_fail (OHE_IS_FETCH_REQUEST (self));
	if (!ohe_fetch_request_has_kind (self, kind))
		g_array_append_val (self->kinds, kind);
}

/**
 * ohe_fetch_request_has_kind:
 * @self: an #OheFetchRequest
 * @kind: a kind
 *
 * Returns: %TRUE if @kind is requested
 *
 * Since: 0.1
 */
gboolean
ohe_fetch_request_has_kind (OheFetchRequest *self, OheMeasurementKind kind)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), FALSE);
	for (guint i = 0; i < self->kinds->len; i++) {
		if (g_array_index (self->kinds, OheMeasurementKind, i) == kind)
			return TRUE;
	}
	return FALSE;
}

/**
 * ohe_fetch_request_get_n_kinds:
 * @self: an #OheFetchRequest
 *
 * Returns: the number of kinds requested
 *
 * Since: 0.1
 */
guint
ohe_fetch_request_get_n_kinds (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), 0);
	return self->kinds->len;
}

/**
 * ohe_fetch_request_get_kind:
 * @self: an #OheFetchRequest
 * @idx: an index below ohe_fetch_request_get_n_kinds()
 *
 * Returns: the kind
 *
 * Since: 0.1
 */
OheMeasurementKind
ohe_fetch_request_get_kind (OheFetchRequest *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), OHE_MEASUREMENT_KIND_UNKNOWN);
	g_return_val_if_fail (idx < self->kinds->len, OHE_MEASUREMENT_KIND_UNKNOWN);
	return g_array_index (self->kinds, OheMeasurementKind, idx);
}

/**
 * ohe_fetch_request_set_token:
 * @self: an #OheFetchRequest
 * @token: (nullable): the link's token
 *
 * Since: 0.1
 */
void
ohe_fetch_request_set_token (OheFetchRequest *self, OheToken *token)
{
	g_return_if_fail (OHE_IS_FETCH_REQUEST (self));
	g_set_object (&self->token, token);
}

/**
 * ohe_fetch_request_get_token:
 * @self: an #OheFetchRequest
 *
 * Returns: (transfer none) (nullable): the link's token
 *
 * Since: 0.1
 */
OheToken *
ohe_fetch_request_get_token (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), NULL);
	return self->token;
}

/**
 * ohe_fetch_request_set_cursor:
 * @self: an #OheFetchRequest
 * @cursor: (nullable): the acknowledged stream position, opaque to the host
 *
 * Since: 0.1
 */
void
ohe_fetch_request_set_cursor (OheFetchRequest *self, const gchar *cursor)
{
	g_return_if_fail (OHE_IS_FETCH_REQUEST (self));
	g_free (self->cursor);
	self->cursor = g_strdup (cursor);
}

/**
 * ohe_fetch_request_get_cursor:
 * @self: an #OheFetchRequest
 *
 * Returns: (nullable): the acknowledged stream position
 *
 * Since: 0.1
 */
const gchar *
ohe_fetch_request_get_cursor (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), NULL);
	return self->cursor;
}

/**
 * ohe_fetch_request_set_external_user_id:
 * @self: an #OheFetchRequest
 * @external_user_id: (nullable): the provider's id of the user
 *
 * Since: 0.1
 */
void
ohe_fetch_request_set_external_user_id (OheFetchRequest *self, const gchar *external_user_id)
{
	g_return_if_fail (OHE_IS_FETCH_REQUEST (self));
	g_free (self->external_user_id);
	self->external_user_id = g_strdup (external_user_id);
}

/**
 * ohe_fetch_request_get_external_user_id:
 * @self: an #OheFetchRequest
 *
 * Returns: (nullable): the provider's id of the user
 *
 * Since: 0.1
 */
const gchar *
ohe_fetch_request_get_external_user_id (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), NULL);
	return self->external_user_id;
}

/**
 * ohe_fetch_request_set_emit_func: (skip)
 * @self: an #OheFetchRequest
 * @func: the host's batch receiver
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Since: 0.1
 */
void
ohe_fetch_request_set_emit_func (OheFetchRequest *self,
				 OheFetchEmitFunc func,
				 gpointer user_data,
				 GDestroyNotify destroy)
{
	g_return_if_fail (OHE_IS_FETCH_REQUEST (self));
	if (self->emit_destroy != NULL)
		self->emit_destroy (self->emit_data);
	self->emit_func = func;
	self->emit_data = user_data;
	self->emit_destroy = destroy;
}

/**
 * ohe_fetch_request_emit:
 * @self: an #OheFetchRequest
 * @measurements: (element-type OheMeasurement): one batch, in time order
 * @cursor: (nullable): the stream position once this batch is acknowledged
 * @error: a #GError, or %NULL
 *
 * Hands a batch to the host. It may block while the pipeline is full.
 *
 * Returns: %FALSE if the fetch must stop, e.g. on shutdown
 *
 * Since: 0.1
 */
gboolean
ohe_fetch_request_emit (OheFetchRequest *self,
			GPtrArray *measurements,
			const gchar *cursor,
			GError **error)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), FALSE);
	g_return_val_if_fail (measurements != NULL, FALSE);
	if (self->emit_func == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "fetch request has no receiver");
		return FALSE;
	}
	self->n_emitted += measurements->len;
	return self->emit_func (self, measurements, cursor, self->emit_data, error);
}

/**
 * ohe_fetch_request_get_n_emitted:
 * @self: an #OheFetchRequest
 *
 * Returns: the number of measurements emitted so far
 *
 * Since: 0.1
 */
guint64
ohe_fetch_request_get_n_emitted (OheFetchRequest *self)
{
	g_return_val_if_fail (OHE_IS_FETCH_REQUEST (self), 0);
	return self->n_emitted;
}
