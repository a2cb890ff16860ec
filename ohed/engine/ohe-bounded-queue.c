/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-bounded-queue.h"

/*
 * A single-producer, single-consumer channel between two pipeline stages
 * built from two GAsyncQueues: `items` carries the data and `slots` holds one
 * token per free place. A producer takes a token before it pushes, so it
 * blocks while the consumer is behind; that is the backpressure that keeps a
 * 30-day backfill in constant memory.
 *
 * close() ends the stream after the queued items; abort() also drops them
 * and wakes a blocked producer.
 */

/* distinct addresses that can never be items */
static gint ohe_bounded_queue_end_marker;
static gint ohe_bounded_queue_slot_token;
#define END_MARKER ((gpointer)&ohe_bounded_queue_end_marker)
#define SLOT_TOKEN ((gpointer)&ohe_bounded_queue_slot_token)

struct _OheBoundedQueue {
	GAsyncQueue *items; /* owned */
	GAsyncQueue *slots; /* owned */
	GDestroyNotify item_free;
	guint capacity;
	gint closed;	   /* atomic */
	gint aborted;	   /* atomic */
	gint depth;	   /* atomic: items queued */
	gint high_water;   /* atomic */
	gint64 blocked_us; /* producer time spent waiting for a slot; producer only */
};

OheBoundedQueue *
ohe_bounded_queue_new (guint capacity, GDestroyNotify item_free)
{
	OheBoundedQueue *self = g_new0 (OheBoundedQueue, 1);
	g_return_val_if_fail (capacity > 0, NULL);
	self->capacity = capacity;
	self->item_free = item_free;
	self->items = g_async_queue_new ();
	self->slots = g_async_queue_new ();
	for (guint i = 0; i < capacity; i++)
		g_async_queue_push (self->slots, SLOT_TOKEN);
	return self;
}

static void
ohe_bounded_queue_drain (OheBoundedQueue *self)
{
	gpointer item;
	while ((item = g_async_queue_try_pop (self->items)) != NULL) {
		if (item != END_MARKER && self->item_free != NULL)
			self->item_free (item);
	}
}

void
ohe_bounded_queue_free (OheBoundedQueue *self)
{
	if (self == NULL)
		return;
	ohe_bounded_queue_drain (self);
	g_async_queue_unref (self->items);
	g_async_queue_unref (self->slots);
	g_free (self);
}

/* Returns FALSE, and frees @item, when the queue was closed or aborted. */
gboolean
ohe_bounded_queue_push (OheBoundedQueue *self, gpointer item)
{
	gint64 before;
	gint depth;
	gint high;

	g_return_val_if_fail (item != NULL, FALSE);

	before = g_get_monotonic_time ();
	if (g_async_queue_try_pop (self->slots) == NULL) {
		g_async_queue_pop (self->slots);
		self->blocked_us += g_get_monotonic_time () - before;
	}
	if (g_atomic_int_get (&self->closed) || g_atomic_int_get (&self->aborted)) {
		/* keep the token for other producers woken by abort() */
		g_async_queue_push (self->slots, SLOT_TOKEN);
		if (self->item_free != NULL)
			self->item_free (item);
		return FALSE;
	}
	depth = g_atomic_int_add (&self->depth, 1) + 1;
	high = g_atomic_int_get (&self->high_water);
	while (depth > high && !g_atomic_int_compare_and_exchange (&self->high_water, high, depth))
		high = g_atomic_int_get (&self->high_water);
	g_async_queue_push (self->items, item);
	return TRUE;
}

/* Returns NULL at the end of the stream (closed and empty, or aborted). */
gpointer
ohe_bounded_queue_pop (OheBoundedQueue *self)
{
	gpointer item;

	if (g_atomic_int_get (&self->aborted))
		return NULL;
	item = g_async_queue_pop (self->items);
	if (item == END_MARKER) {
		/* let later pops see the end too */
		g_async_queue_push (self->items, END_MARKER);
		return NULL;
	}
	g_atomic_int_add (&self->depth, -1);
	g_async_queue_push (self->slots, SLOT_TOKEN);
	if (g_atomic_int_get (&self->aborted)) {
		if (self->item_free != NULL)
			self->item_free (item);
		return NULL;
	}
	return item;
}

/* No more items will come; the consumer sees NULL after the queued ones. */
void
ohe_bounded_queue_close (OheBoundedQueue *self)
{
	if (!g_atomic_int_compare_and_exchange (&self->closed, FALSE, TRUE))
		return;
	g_async_queue_push (self->items, END_MARKER);
}

/* Stops both ends at once and drops what is queued. */
void
ohe_bounded_queue_abort (OheBoundedQueue *self)
{
	if (!g_atomic_int_compare_and_exchange (&self->aborted, FALSE, TRUE))
		return;
	/* wake a producer blocked on a slot, and the consumer */
	g_async_queue_push (self->slots, SLOT_TOKEN);
	g_async_queue_push (self->items, END_MARKER);
	g_atomic_int_set (&self->closed, TRUE);
}

guint
ohe_bounded_queue_get_capacity (OheBoundedQueue *self)
{
	return self->capacity;
}

guint
ohe_bounded_queue_get_high_water (OheBoundedQueue *self)
{
	return (guint)g_atomic_int_get (&self->high_water);
}

gint64
ohe_bounded_queue_get_blocked_us (OheBoundedQueue *self)
{
	return self->blocked_us;
}
