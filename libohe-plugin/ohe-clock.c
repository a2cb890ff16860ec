/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-clock.h"
#include "ohe-error.h"

/*
 * Time and randomness for retry, rate-limit and breaker logic. A fake clock
 * does not wait: sleeping advances it, so tests of backoff, Retry-After and
 * breaker timing run instantly and deterministically.
 */
struct _OheClock {
	GObject parent_instance;
	gboolean fake;
	gint64 fake_now_us; /* protected by mutex */
	gint64 slept_us;    /* protected by mutex; total time slept */
	GRand *rand;	    /* owned, protected by mutex */
	GMutex mutex;
};

G_DEFINE_TYPE (OheClock, ohe_clock, G_TYPE_OBJECT)

static void
ohe_clock_finalize (GObject *object)
{
	OheClock *self = OHE_CLOCK (object);
	g_rand_free (self->rand);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_clock_parent_class)->finalize (object);
}

static void
ohe_clock_class_init (OheClockClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_clock_finalize;
}

static void
ohe_clock_init (OheClock *self)
{
	g_mutex_init (&self->mutex);
	self->rand = g_rand_new ();
}

/**
 * ohe_clock_new:
 *
 * Returns: (transfer full): a clock that follows the system clocks
 *
 * Since: 0.1
 */
OheClock *
ohe_clock_new (void)
{
	return g_object_new (OHE_TYPE_CLOCK, NULL);
}

/**
 * ohe_clock_new_fake:
 * @start_us: the initial time, microseconds since the epoch
 *
 * Returns: (transfer full): a clock that only moves when slept on or advanced
 *
 * Since: 0.1
 */
OheClock *
ohe_clock_new_fake (gint64 start_us)
{
	OheClock *self = g_object_new (OHE_TYPE_CLOCK, NULL);
	self->fake = TRUE;
	self->fake_now_us = start_us;
	g_rand_set_seed (self->rand, 42);
	return self;
}

/**
 * ohe_clock_get_default:
 *
 * Returns: (transfer none): the process-wide system clock
 *
 * Since: 0.1
 */
OheClock *
ohe_clock_get_default (void)
{
	static gsize clock = 0;
	if (g_once_init_enter (&clock))
		g_once_init_leave (&clock, (gsize)ohe_clock_new ());
	return (OheClock *)clock;
}

/**
 * ohe_clock_is_fake:
 * @self: an #OheClock
 *
 * Returns: %TRUE for a fake clock
 *
 * Since: 0.1
 */
gboolean
ohe_clock_is_fake (OheClock *self)
{
	g_return_val_if_fail (OHE_IS_CLOCK (self), FALSE);
	return self->fake;
}

/**
 * ohe_clock_get_monotonic:
 * @self: an #OheClock
 *
 * Returns: monotonic microseconds
 *
 * Since: 0.1
 */
gint64
ohe_clock_get_monotonic (OheClock *self)
{
	gint64 now;
	g_return_val_if_fail (OHE_IS_CLOCK (self), 0);
	if (!self->fake)
		return g_get_monotonic_time ();
	g_mutex_lock (&self->mutex);
	now = self->fake_now_us;
	g_mutex_unlock (&self->mutex);
	return now;
}

/**
 * ohe_clock_get_real:
 * @self: an #OheClock
 *
 * Returns: microseconds since the epoch
 *
 * Since: 0.1
 */
gint64
ohe_clock_get_real (OheClock *self)
{
	g_return_val_if_fail (OHE_IS_CLOCK (self), 0);
	if (!self->fake)
		return g_get_real_time ();
	return ohe_clock_get_monotonic (self);
}

/**
 * ohe_clock_advance:
 * @self: a fake #OheClock
 * @duration_us: how far to move
 *
 * Since: 0.1
 */
void
ohe_clock_advance (OheClock *self, gint64 duration_us)
{
	g_return_if_fail (OHE_IS_CLOCK (self));
	g_return_if_fail (self->fake);
	g_mutex_lock (&self->mutex);
	self->fake_now_us += duration_us;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_clock_sleep:
 * @self: an #OheClock
 * @duration_us: how long to wait
 * @cancellable: (nullable): a #GCancellable that ends the wait early
 * @error: a #GError, or %NULL
 *
 * Waits, or on a fake clock advances the time at once.
 *
 * Returns: %FALSE if cancelled
 *
 * Since: 0.1
 */
gboolean
ohe_clock_sleep (OheClock *self, gint64 duration_us, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail (OHE_IS_CLOCK (self), FALSE);
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return FALSE;
	}
	if (duration_us <= 0)
		return TRUE;
	g_mutex_lock (&self->mutex);
	self->slept_us += duration_us;
	if (self->fake)
		self->fake_now_us += duration_us;
	g_mutex_unlock (&self->mutex);
	if (self->fake)
		return TRUE;
	if (cancellable == NULL) {
		g_usleep ((gulong)duration_us);
		return TRUE;
	}
	{
		/* poll the cancellable's fd so a shutdown ends the wait at once */
		GPollFD pollfd;
		gint timeout_ms = (gint)MIN (duration_us / 1000 + 1, G_MAXINT);
		if (!g_cancellable_make_pollfd (cancellable, &pollfd)) {
			g_usleep ((gulong)duration_us);
		} else {
			g_poll (&pollfd, 1, timeout_ms);
			g_cancellable_release_fd (cancellable);
		}
	}
	if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
		ohe_error_convert (error);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_clock_get_slept:
 * @self: an #OheClock
 *
 * Returns: the total time slept through this clock, in microseconds
 *
 * Since: 0.1
 */
gint64
ohe_clock_get_slept (OheClock *self)
{
	gint64 slept;
	g_return_val_if_fail (OHE_IS_CLOCK (self), 0);
	g_mutex_lock (&self->mutex);
	slept = self->slept_us;
	g_mutex_unlock (&self->mutex);
	return slept;
}

/**
 * ohe_clock_set_random_seed:
 * @self: an #OheClock
 * @seed: the seed of the jitter generator
 *
 * Since: 0.1
 */
void
ohe_clock_set_random_seed (OheClock *self, guint32 seed)
{
	g_return_if_fail (OHE_IS_CLOCK (self));
	g_mutex_lock (&self->mutex);
	g_rand_set_seed (self->rand, seed);
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_clock_random_double:
 * @self: an #OheClock
 *
 * Returns: a number in [0, 1) for backoff jitter; not for secrets
 *
 * Since: 0.1
 */
gdouble
ohe_clock_random_double (OheClock *self)
{
	gdouble value;
	g_return_val_if_fail (OHE_IS_CLOCK (self), 0);
	g_mutex_lock (&self->mutex);
	value = g_rand_double (self->rand);
	g_mutex_unlock (&self->mutex);
	return value;
}
