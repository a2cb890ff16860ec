/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-replay-guard.h"

/*
 * Remembers the authenticated webhook deliveries of a while, by SHA-256, so
 * that a delivery sent again (a captured request replayed, or a sender's
 * retry of one already accepted) schedules nothing new. Bounded in entries
 * and in time; the oldest entry goes first. Safe to use from any thread.
 */
struct _OheReplayGuard {
	GObject parent_instance;
	GMutex mutex;
	OheClock *clock;  /* owned, protected by mutex */
	GHashTable *seen; /* owned, digest → monotonic µs, protected by mutex */
	GQueue order;	  /* digests (owned by seen) oldest first, protected by mutex */
	guint capacity;
	gint64 window_us;
};

G_DEFINE_TYPE (OheReplayGuard, ohe_replay_guard, G_TYPE_OBJECT)

static void
ohe_replay_guard_finalize (GObject *object)
{
	OheReplayGuard *self = OHE_REPLAY_GUARD (object);
	g_queue_clear (&self->order);
	g_hash_table_unref (self->seen);
	g_clear_object (&self->clock);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_replay_guard_parent_class)->finalize (object);
}

static void
ohe_replay_guard_class_init (OheReplayGuardClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_replay_guard_finalize;
}

static void
ohe_replay_guard_init (OheReplayGuard *self)
{
	g_mutex_init (&self->mutex);
	g_queue_init (&self->order);
	self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->clock = g_object_ref (ohe_clock_get_default ());
}

/**
 * ohe_replay_guard_new:
 * @capacity: how many deliveries to remember, 0 for %OHE_REPLAY_GUARD_DEFAULT_CAPACITY
 * @window_us: how long to remember one, 0 for %OHE_REPLAY_GUARD_DEFAULT_WINDOW_S
 *
 * Returns: (transfer full): a new guard using the default clock
 *
 * Since: 0.1
 */
OheReplayGuard *
ohe_replay_guard_new (guint capacity, gint64 window_us)
{
	OheReplayGuard *self;
	g_return_val_if_fail (window_us >= 0, NULL);
	self = g_object_new (OHE_TYPE_REPLAY_GUARD, NULL);
	self->capacity = capacity > 0 ? capacity : OHE_REPLAY_GUARD_DEFAULT_CAPACITY;
	self->window_us =
	    window_us > 0 ? window_us : (gint64)OHE_REPLAY_GUARD_DEFAULT_WINDOW_S * G_USEC_PER_SEC;
	return self;
}

/**
 * ohe_replay_guard_set_clock:
 * @self: an #OheReplayGuard
 * @clock: the clock that ages entries; tests pass a fake one
 *
 * Since: 0.1
 */
void
ohe_replay_guard_set_clock (OheReplayGuard *self, OheClock *clock)
{
	g_return_if_fail (OHE_IS_REPLAY_GUARD (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	g_mutex_lock (&self->mutex);
	g_set_object (&self->clock, clock);
	g_mutex_unlock (&self->mutex);
}

/* called with the mutex held */
static void
ohe_replay_guard_expire (OheReplayGuard *self, gint64 now)
{
	while (!g_queue_is_empty (&self->order)) {
		const gchar *oldest = g_queue_peek_head (&self->order);
		const gint64 *at = g_hash_table_lookup (self->seen, oldest);
		if (g_hash_table_size (self->seen) < self->capacity && at != NULL &&
		    now - *at < self->window_us)
			break;
		g_hash_table_remove (self->seen, g_queue_pop_head (&self->order));
	}
}

/**
 * ohe_replay_guard_check:
 * @self: an #OheReplayGuard
 * @delivery: the bytes that identify a delivery, e.g. its body and signature
 * @error: a #GError, or %NULL
 *
 * Records @delivery and tells whether it is new. Call it only after the
 * delivery was authenticated, so that forged requests cannot fill the guard.
 *
 * Returns: %TRUE the first time @delivery is seen within the window;
 *   %FALSE with %OHE_ERROR_CONFLICT for a replay
 *
 * Since: 0.1
 */
gboolean
ohe_replay_guard_check (OheReplayGuard *self, GBytes *delivery, GError **error)
{
	g_autofree gchar *digest = NULL;
	gint64 now;

	g_return_val_if_fail (OHE_IS_REPLAY_GUARD (self), FALSE);
	g_return_val_if_fail (delivery != NULL, FALSE);
	digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, delivery);
	g_mutex_lock (&self->mutex);
	now = ohe_clock_get_monotonic (self->clock);
	ohe_replay_guard_expire (self, now);
	if (g_hash_table_contains (self->seen, digest)) {
		g_mutex_unlock (&self->mutex);
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_CONFLICT,
				     "webhook delivery was already received: a replay");
		return FALSE;
	}
	g_queue_push_tail (&self->order, digest);
	g_hash_table_insert (self->seen, g_steal_pointer (&digest), g_memdup2 (&now, sizeof (now)));
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

/**
 * ohe_replay_guard_get_size:
 * @self: an #OheReplayGuard
 *
 * Returns: how many deliveries are remembered now
 *
 * Since: 0.1
 */
guint
ohe_replay_guard_get_size (OheReplayGuard *self)
{
	guint n;
	g_return_val_if_fail (OHE_IS_REPLAY_GUARD (self), 0);
	g_mutex_lock (&self->mutex);
	n = g_hash_table_size (self->seen);
	g_mutex_unlock (&self->mutex);
	return n;
}
