/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-error.h"
#include "ohe-sim-rate-limit.h"

struct _OheSimRateLimit {
	GMutex mutex;
	guint requests;
	gint64 window_us;
	OheSimRateScope scope;
	GHashTable *windows; /* key → owned GQueue of gint64 * (arrival times, oldest first) */
	guint admitted;
	guint refused;
	guint peak; /* the most requests ever seen in one window */
};

static void
ohe_sim_rate_window_free (GQueue *queue)
{
	g_queue_free_full (queue, g_free);
}

OheSimRateLimit *
ohe_sim_rate_limit_new (guint requests, guint window_ms, OheSimRateScope scope)
{
	OheSimRateLimit *self;
	g_return_val_if_fail (requests > 0 && window_ms > 0, NULL);
	self = g_new0 (OheSimRateLimit, 1);
	g_mutex_init (&self->mutex);
	self->requests = requests;
	self->window_us = (gint64)window_ms * 1000;
	self->scope = scope;
	self->windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)ohe_sim_rate_window_free);
	return self;
}

void
ohe_sim_rate_limit_free (OheSimRateLimit *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref (self->windows);
	g_mutex_clear (&self->mutex);
	g_free (self);
}

/*
 * PREFIX=N/MS or PREFIX=N/MS/user, e.g. "/withings=120/60000" or "/google=300/60000/user"
 * (the leading slash of the prefix is optional)
 */
OheSimRateLimit *
ohe_sim_rate_limit_parse (const gchar *spec, gchar **prefix, GError **error)
{
	const gchar *eq = strchr (spec, '=');
	g_auto (GStrv) parts = NULL;
	g_autofree gchar *name = NULL;
	guint64 requests = 0;
	guint64 window_ms = 0;
	OheSimRateScope scope = OHE_SIM_RATE_SCOPE_APP;
	guint n;

	if (eq == NULL || eq == spec) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "rate-limit: '%s' is not PREFIX=N/MS[/user]", spec);
		return NULL;
	}
	parts = g_strsplit (eq + 1, "/", 4);
	n = g_strv_length (parts);
	if (n < 2 || n > 3 ||
	    !g_ascii_string_to_unsigned (parts[0], 10, 1, 1000000, &requests, NULL) ||
	    !g_ascii_string_to_unsigned (parts[1], 10, 1, 86400000, &window_ms, NULL) ||
	    (n == 3 && g_strcmp0 (parts[2], "user") != 0 && g_strcmp0 (parts[2], "app") != 0)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "rate-limit: '%s' is not PREFIX=N/MS[/user|/app] with N in "
			     "1..1000000 and MS in 1..86400000",
			     spec);
		return NULL;
	}
	if (n == 3 && g_strcmp0 (parts[2], "user") == 0)
		scope = OHE_SIM_RATE_SCOPE_USER;
	name = g_strndup (spec, (gsize)(eq - spec));
	*prefix = name[0] == '/' ? g_steal_pointer (&name) : g_strconcat ("/", name, NULL);
	return ohe_sim_rate_limit_new ((guint)requests, (guint)window_ms, scope);
}

OheSimRateScope
ohe_sim_rate_limit_get_scope (OheSimRateLimit *self)
{
	return self->scope;
}

/* records and admits a request arriving at @now_us (monotonic), or refuses it */
gboolean
ohe_sim_rate_limit_admit (OheSimRateLimit *self, const gchar *key, gint64 now_us)
{
	GQueue *window;
	gboolean admit;

	g_mutex_lock (&self->mutex);
	window = g_hash_table_lookup (self->windows, key);
	if (window == NULL) {
		window = g_queue_new ();
		g_hash_table_insert (self->windows, g_strdup (key), window);
	}
	while (!g_queue_is_empty (window) &&
	       *(gint64 *)g_queue_peek_head (window) <= now_us - self->window_us)
		g_free (g_queue_pop_head (window));
	admit = g_queue_get_length (window) < self->requests;
	if (admit) {
		gint64 *at = g_new (gint64, 1);
		*at = now_us;
		g_queue_push_tail (window, at);
		self->admitted++;
		self->peak = MAX (self->peak, g_queue_get_length (window));
	} else {
		self->refused++;
	}
	g_mutex_unlock (&self->mutex);
	return admit;
}

guint
ohe_sim_rate_limit_get_refused (OheSimRateLimit *self)
{
	guint n;
	g_mutex_lock (&self->mutex);
	n = self->refused;
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
ohe_sim_rate_limit_get_admitted (OheSimRateLimit *self)
{
	guint n;
	g_mutex_lock (&self->mutex);
	n = self->admitted;
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
ohe_sim_rate_limit_get_peak (OheSimRateLimit *self)
{
	guint n;
	g_mutex_lock (&self->mutex);
	n = self->peak;
	g_mutex_unlock (&self->mutex);
	return n;
}
