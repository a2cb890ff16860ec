/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "ohe-error.h"
#include "ohe-sqlite-rate-limiter.h"

/*
 * Rolling-window budgets in the store's database (table rate_limit_events, migration 8),
 * so the daemon and every ohectl run on the same store count their provider requests
 * together. Each acquire is one IMMEDIATE transaction: it takes the write lock first, so
 * two processes cannot both see the last free slot. Times are wall-clock microseconds,
 * the one clock all processes on a host share.
 *
 * Its own connection, not the store's: a wait for another process's lock then never
 * holds up the store's other callers.
 */
struct _OheSqliteRateLimiter {
	GObject parent_instance;
	sqlite3 *db;	  /* owned, protected by mutex */
	gchar *path;	  /* owned */
	OheClock *clock;  /* owned, protected by mutex */
	guint n_acquired; /* protected by mutex */
	GMutex mutex;
};

static void
ohe_sqlite_rate_limiter_iface_init (OheRateLimiterInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OheSqliteRateLimiter,
			 ohe_sqlite_rate_limiter,
			 G_TYPE_OBJECT,
			 G_IMPLEMENT_INTERFACE (OHE_TYPE_RATE_LIMITER,
						ohe_sqlite_rate_limiter_iface_init))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* how long an acquire waits for another process holding the write lock */
#define OHE_SQLITE_RATE_LIMITER_BUSY_TIMEOUT_MS 5000
/* every so many admissions, rows older than any window are dropped, also those of budgets
 * nobody consults any more (a deleted link's); plugins allow windows of a day at most */
#define OHE_SQLITE_RATE_LIMITER_SWEEP_EVERY   1000
#define OHE_SQLITE_RATE_LIMITER_MAX_WINDOW_US ((gint64)24 * 60 * 60 * G_USEC_PER_SEC)

static gboolean
ohe_sqlite_rate_limiter_fail (OheSqliteRateLimiter *self, const gchar *what, GError **error)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: rate limits: %s: %s", what,
		     sqlite3_errmsg (self->db));
	if (!sqlite3_get_autocommit (self->db))
		sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
	return FALSE;
}

/* drops what left the window and returns the wait until the bucket has a free slot */
static gboolean
ohe_sqlite_rate_limiter_check (OheSqliteRateLimiter *self,
			       const OheRateLimit *limit,
			       gint64 now_us,
			       gint64 *wait_us,
			       GError **error)
{
	g_autoptr(sqlite3_stmt) prune = NULL;
	g_autoptr(sqlite3_stmt) nth = NULL;
	gint rc;

	if (sqlite3_prepare_v2 (self->db,
				"DELETE FROM rate_limit_events WHERE bucket = ?1 AND at_us <= ?2",
				-1, &prune, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (prune, 1, limit->bucket, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64 (prune, 2, now_us - limit->window_us) != SQLITE_OK ||
	    sqlite3_step (prune) != SQLITE_DONE)
		return ohe_sqlite_rate_limiter_fail (self, "prune", error);
	/* the requests-th newest request in the window must leave it first */
	if (sqlite3_prepare_v2 (
		self->db,
		"SELECT at_us FROM rate_limit_events WHERE bucket = ?1 AND at_us > ?2 "
		"ORDER BY at_us DESC LIMIT 1 OFFSET ?3",
		-1, &nth, NULL) != SQLITE_OK ||
	    sqlite3_bind_text (nth, 1, limit->bucket, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64 (nth, 2, now_us - limit->window_us) != SQLITE_OK ||
	    sqlite3_bind_int64 (nth, 3, (gint64)limit->requests - 1) != SQLITE_OK)
		return ohe_sqlite_rate_limiter_fail (self, "count", error);
	rc = sqlite3_step (nth);
	if (rc == SQLITE_ROW)
		*wait_us = MAX (*wait_us,
				MAX (sqlite3_column_int64 (nth, 0) + limit->window_us - now_us, 1));
	else if (rc != SQLITE_DONE)
		return ohe_sqlite_rate_limiter_fail (self, "count", error);
	return TRUE;
}

static gboolean
ohe_sqlite_rate_limiter_acquire (OheRateLimiter *limiter,
				 const OheRateLimit *limits,
				 guint n_limits,
				 gint64 *wait_us,
				 guint64 *ticket,
				 GError **error)
{
	OheSqliteRateLimiter *self = OHE_SQLITE_RATE_LIMITER (limiter);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	gint64 now_us;
	gint64 wait = 0;
	guint64 id;

	if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return ohe_sqlite_rate_limiter_fail (self, "begin", error);
	/* read the time with the lock held, so no other process admits in between */
	now_us = ohe_clock_get_real (self->clock);
	for (guint i = 0; i < n_limits; i++) {
		if (!ohe_sqlite_rate_limiter_check (self, &limits[i], now_us, &wait, error))
			return FALSE;
	}
	*wait_us = wait;
	if (wait > 0) {
		if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return ohe_sqlite_rate_limiter_fail (self, "commit", error);
		return TRUE;
	}
	/* unique enough across processes; 0 means "no ticket" */
	do
		id = ((guint64)g_random_int () << 31) ^ g_random_int ();
	while (id == 0);
	for (guint i = 0; i < n_limits; i++) {
		g_autoptr(sqlite3_stmt) insert = NULL;
		if (sqlite3_prepare_v2 (self->db,
					"INSERT INTO rate_limit_events (bucket, ticket, at_us) "
					"VALUES (?1, ?2, ?3)",
					-1, &insert, NULL) != SQLITE_OK ||
		    sqlite3_bind_text (insert, 1, limits[i].bucket, -1, SQLITE_TRANSIENT) !=
			SQLITE_OK ||
		    sqlite3_bind_int64 (insert, 2, (gint64)id) != SQLITE_OK ||
		    sqlite3_bind_int64 (insert, 3, now_us) != SQLITE_OK ||
		    sqlite3_step (insert) != SQLITE_DONE)
			return ohe_sqlite_rate_limiter_fail (self, "record", error);
	}
	if (++self->n_acquired % OHE_SQLITE_RATE_LIMITER_SWEEP_EVERY == 0) {
		g_autoptr(sqlite3_stmt) sweep = NULL;
		if (sqlite3_prepare_v2 (self->db, "DELETE FROM rate_limit_events WHERE at_us <= ?1",
					-1, &sweep, NULL) != SQLITE_OK ||
		    sqlite3_bind_int64 (sweep, 1, now_us - OHE_SQLITE_RATE_LIMITER_MAX_WINDOW_US) !=
			SQLITE_OK ||
		    sqlite3_step (sweep) != SQLITE_DONE)
			return ohe_sqlite_rate_limiter_fail (self, "sweep", error);
	}
	if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return ohe_sqlite_rate_limiter_fail (self, "commit", error);
	*ticket = id;
	return TRUE;
}

static void
ohe_sqlite_rate_limiter_complete (OheRateLimiter *limiter,
				  const OheRateLimit *limits,
				  guint n_limits,
				  guint64 ticket)
{
	OheSqliteRateLimiter *self = OHE_SQLITE_RATE_LIMITER (limiter);
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
	g_autoptr(sqlite3_stmt) update = NULL;

	/* a failure leaves the request counted from when it was sent: at worst the next
	 * request goes out by the answer's latency too early */
	if (sqlite3_prepare_v2 (
		self->db, "UPDATE rate_limit_events SET at_us = MAX(at_us, ?1) WHERE ticket = ?2",
		-1, &update, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64 (update, 1, ohe_clock_get_real (self->clock)) != SQLITE_OK ||
	    sqlite3_bind_int64 (update, 2, (gint64)ticket) != SQLITE_OK ||
	    sqlite3_step (update) != SQLITE_DONE)
		g_warning ("store: rate limits: complete: %s", sqlite3_errmsg (self->db));
}

static void
ohe_sqlite_rate_limiter_iface_init (OheRateLimiterInterface *iface)
{
	iface->acquire = ohe_sqlite_rate_limiter_acquire;
	iface->complete = ohe_sqlite_rate_limiter_complete;
}

static void
ohe_sqlite_rate_limiter_finalize (GObject *object)
{
	OheSqliteRateLimiter *self = OHE_SQLITE_RATE_LIMITER (object);
	if (self->db != NULL && sqlite3_close (self->db) != SQLITE_OK)
		g_warning ("store: rate limits: close %s: %s", self->path,
			   sqlite3_errmsg (self->db));
	g_free (self->path);
	g_object_unref (self->clock);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_sqlite_rate_limiter_parent_class)->finalize (object);
}

static void
ohe_sqlite_rate_limiter_class_init (OheSqliteRateLimiterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sqlite_rate_limiter_finalize;
}

static void
ohe_sqlite_rate_limiter_init (OheSqliteRateLimiter *self)
{
	g_mutex_init (&self->mutex);
	self->clock = g_object_ref (ohe_clock_get_default ());
}

/**
 * ohe_sqlite_rate_limiter_new:
 * @path: the database file of an #OheSqliteStore, already migrated to version 9 or later
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the limiter, or %NULL with @error set
 */
OheRateLimiter *
ohe_sqlite_rate_limiter_new (const gchar *path, GError **error)
{
	g_autoptr(OheSqliteRateLimiter) self = NULL;
	g_autoptr(sqlite3_stmt) probe = NULL;

	g_return_val_if_fail (path != NULL, NULL);
	self = g_object_new (OHE_TYPE_SQLITE_RATE_LIMITER, NULL);
	self->path = g_strdup (path);
	/* the store created the file and its tables: never create one here */
	if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "store: rate limits: open %s: %s",
			     path, self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
		return NULL;
	}
	sqlite3_busy_timeout (self->db, OHE_SQLITE_RATE_LIMITER_BUSY_TIMEOUT_MS);
	/* the store put the file in WAL mode; as there, a power loss may lose the last rows:
	 * then a few requests after the restart may go out early, and a refusal is retried */
	if (sqlite3_exec (self->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE,
			     "store: rate limits: %s: set synchronous: %s", path,
			     sqlite3_errmsg (self->db));
		return NULL;
	}
	if (sqlite3_prepare_v2 (self->db, "SELECT COUNT(*) FROM rate_limit_events", -1, &probe,
				NULL) != SQLITE_OK) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE,
			     "store: rate limits: %s has no rate_limit_events table (schema "
			     "version 9): %s",
			     path, sqlite3_errmsg (self->db));
		return NULL;
	}
	return OHE_RATE_LIMITER (g_steal_pointer (&self));
}

/**
 * ohe_sqlite_rate_limiter_set_clock:
 * @self: an #OheSqliteRateLimiter
 * @clock: the clock whose real time stamps the requests
 *
 * Lets tests move time; processes sharing a database must all use the system clock.
 */
void
ohe_sqlite_rate_limiter_set_clock (OheSqliteRateLimiter *self, OheClock *clock)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_if_fail (OHE_IS_SQLITE_RATE_LIMITER (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	locker = g_mutex_locker_new (&self->mutex);
	g_set_object (&self->clock, clock);
}
