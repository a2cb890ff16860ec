/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-sync-hint.h"

/*
 * What a provider says changed: new data for one of its accounts, in a UTC
 * window, optionally only for some kinds. A webhook notification parses into
 * hints; the engine turns a hint into a job for the link that owns the
 * account. A hint carries no measurement values, only where to look.
 */
struct _OheSyncHint {
	GObject parent_instance;
	gchar *external_user_id; /* owned */
	gint64 start_us;	 /* UTC, inclusive; 0 when the provider did not say */
	gint64 end_us;		 /* UTC, exclusive; 0 when the provider did not say */
	GArray *kinds;		 /* owned, of OheMeasurementKind; empty means every kind */
};

G_DEFINE_TYPE (OheSyncHint, ohe_sync_hint, G_TYPE_OBJECT)

static void
ohe_sync_hint_finalize (GObject *object)
{
	OheSyncHint *self = OHE_SYNC_HINT (object);
	g_free (self->external_user_id);
	g_array_unref (self->kinds);
	G_OBJECT_CLASS (ohe_sync_hint_parent_class)->finalize (object);
}

static void
ohe_sync_hint_class_init (OheSyncHintClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sync_hint_finalize;
}

static void
ohe_sync_hint_init (OheSyncHint *self)
{
	self->kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
}

/**
 * ohe_sync_hint_new:
 * @external_user_id: the provider's id of the account that has new data
 * @start_us: the window start, UTC microseconds, inclusive, or 0 if unknown
 * @end_us: the window end, UTC microseconds, exclusive, or 0 if unknown
 *
 * Returns: (transfer full): a new hint
 *
 * Since: 0.1
 */
OheSyncHint *
ohe_sync_hint_new (const gchar *external_user_id, gint64 start_us, gint64 end_us)
{
	OheSyncHint *self;
	g_return_val_if_fail (external_user_id != NULL, NULL);
	g_return_val_if_fail (start_us >= 0 && end_us >= 0, NULL);
	self = g_object_new (OHE_TYPE_SYNC_HINT, NULL);
	self->external_user_id = g_strdup (external_user_id);
	self->start_us = start_us;
	self->end_us = end_us;
	return self;
}

/**
 * ohe_sync_hint_get_external_user_id:
 * @self: an #OheSyncHint
 *
 * Returns: the provider's account id
 *
 * Since: 0.1
 */
const gchar *
ohe_sync_hint_get_external_user_id (OheSyncHint *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_HINT (self), NULL);
	return self->external_user_id;
}

/**
 * ohe_sync_hint_get_start:
 * @self: an #OheSyncHint
 *
 * Returns: the window start in UTC microseconds, or 0 if the provider did not say
 *
 * Since: 0.1
 */
gint64
ohe_sync_hint_get_start (OheSyncHint *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_HINT (self), 0);
	return self->start_us;
}

/**
 * ohe_sync_hint_get_end:
 * @self: an #OheSyncHint
 *
 * Returns: the window end in UTC microseconds, or 0 if the provider did not say
 *
 * Since: 0.1
 */
gint64
ohe_sync_hint_get_end (OheSyncHint *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_HINT (self), 0);
	return self->end_us;
}

/**
 * ohe_sync_hint_add_kind:
 * @self: an #OheSyncHint
 * @kind: a kind the notification names
 *
 * Narrows the hint to @kind (and any other kind added); a hint without kinds
 * means every kind the link consented to.
 *
 * Since: 0.1
 */
void
ohe_sync_hint_add_kind (OheSyncHint *self, OheMeasurementKind kind)
{
	g_return_if_fail (OHE_IS_SYNC_HINT (self));
	if (!ohe_sync_hint_has_kind (self, kind))
		g_array_append_val (self->kinds, kind);
}

/**
 * ohe_sync_hint_has_kind:
 * @self: an #OheSyncHint
 * @kind: a kind
 *
 * Returns: %TRUE if @kind was added
 *
 * Since: 0.1
 */
gboolean
ohe_sync_hint_has_kind (OheSyncHint *self, OheMeasurementKind kind)
{
	g_return_val_if_fail (OHE_IS_SYNC_HINT (self), FALSE);
	for (guint i = 0; i < self->kinds->len; i++) {
		if (g_array_index (self->kinds, OheMeasurementKind, i) == kind)
			return TRUE;
	}
	return FALSE;
}

/**
 * ohe_sync_hint_get_n_kinds:
 * @self: an #OheSyncHint
 *
 * Returns: the number of kinds added, 0 for every kind
 *
 * Since: 0.1
 */
guint
ohe_sync_hint_get_n_kinds (OheSyncHint *self)
{
	g_return_val_if_fail (OHE_IS_SYNC_HINT (self), 0);
	return self->kinds->len;
}

/**
 * ohe_sync_hint_get_kind:
 * @self: an #OheSyncHint
 * @idx: an index below ohe_sync_hint_get_n_kinds()
 *
 * Returns: the kind at @idx
 *
 * Since: 0.1
 */
OheMeasurementKind
ohe_sync_hint_get_kind (OheSyncHint *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_SYNC_HINT (self), 0);
	g_return_val_if_fail (idx < self->kinds->len, 0);
	return g_array_index (self->kinds, OheMeasurementKind, idx);
}
