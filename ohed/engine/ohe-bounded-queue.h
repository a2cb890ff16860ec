/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OheBoundedQueue OheBoundedQueue;

OheBoundedQueue *
ohe_bounded_queue_new (guint capacity, GDestroyNotify item_free);
void
ohe_bounded_queue_free (OheBoundedQueue *self);
gboolean
ohe_bounded_queue_push (OheBoundedQueue *self, gpointer item);
gpointer
ohe_bounded_queue_pop (OheBoundedQueue *self);
void
ohe_bounded_queue_close (OheBoundedQueue *self);
void
ohe_bounded_queue_abort (OheBoundedQueue *self);
guint
ohe_bounded_queue_get_capacity (OheBoundedQueue *self);
guint
ohe_bounded_queue_get_high_water (OheBoundedQueue *self);
gint64
ohe_bounded_queue_get_blocked_us (OheBoundedQueue *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheBoundedQueue, ohe_bounded_queue_free)

G_END_DECLS
