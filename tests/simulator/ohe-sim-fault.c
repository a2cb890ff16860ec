/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "oheplugin.h"

#include "ohe-sim-fault.h"

typedef struct {
	OheSimFaultKind kind;
	const gchar *name;
	guint status;
	gboolean by_rate;
} OheSimFaultInfo;

/* indexed by OheSimFaultKind */
static const OheSimFaultInfo ohe_sim_fault_infos[] = {
    {OHE_SIM_FAULT_NONE, "none", 0, FALSE},
    {OHE_SIM_FAULT_RATE_LIMITED, "429", 429, TRUE},
    {OHE_SIM_FAULT_INTERNAL, "500", 500, TRUE},
    {OHE_SIM_FAULT_UNAVAILABLE, "503", 503, TRUE},
    {OHE_SIM_FAULT_EXPIRED_TOKEN, "expired-token", 401, TRUE},
    {OHE_SIM_FAULT_REVOKED_TOKEN, "revoked-token", 401, TRUE},
    {OHE_SIM_FAULT_SLOW, "slow", 0, FALSE},
    {OHE_SIM_FAULT_TRUNCATE, "truncate", 0, TRUE},
    {OHE_SIM_FAULT_MALFORMED, "malformed", 0, TRUE},
};
G_STATIC_ASSERT (G_N_ELEMENTS (ohe_sim_fault_infos) == OHE_SIM_FAULT_LAST);

#define OHE_SIM_FAULT_MAX_SLOW_MS 600000

typedef struct {
	gchar *path_prefix;
	OheSimFaultKind kind;
	guint slow_ms;
	guint remaining;
} OheSimFaultEntry;

struct _OheSimFault {
	GObject parent_instance;
	GMutex mutex;
	GRand *rand;			   /* owned, seeded */
	gdouble rates[OHE_SIM_FAULT_LAST]; /* probability per kind */
	GQueue queue;			   /* of owned OheSimFaultEntry */
	guint injected[OHE_SIM_FAULT_LAST];
	gint retry_after;
};

G_DEFINE_TYPE (OheSimFault, ohe_sim_fault, G_TYPE_OBJECT)

const gchar *
ohe_sim_fault_kind_to_string (OheSimFaultKind kind)
{
	if ((guint)kind >= OHE_SIM_FAULT_LAST)
		return "none";
	return ohe_sim_fault_infos[kind].name;
}

guint
ohe_sim_fault_kind_get_status (OheSimFaultKind kind)
{
	if ((guint)kind >= OHE_SIM_FAULT_LAST)
		return 0;
	return ohe_sim_fault_infos[kind].status;
}

gboolean
ohe_sim_fault_kind_parse (const gchar *text, OheSimFaultKind *kind, guint *slow_ms, GError **error)
{
	g_return_val_if_fail (kind != NULL, FALSE);

	if (slow_ms != NULL)
		*slow_ms = 0;
	if (text == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "fault: missing");
		return FALSE;
	}
	if (g_str_has_prefix (text, "slow:")) {
		guint64 ms = 0;
		if (!g_ascii_string_to_unsigned (text + 5, 10, 0, OHE_SIM_FAULT_MAX_SLOW_MS, &ms,
						 NULL)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "fault: slow needs milliseconds 0..%u, got '%s'",
				     (guint)OHE_SIM_FAULT_MAX_SLOW_MS, text + 5);
			return FALSE;
		}
		*kind = OHE_SIM_FAULT_SLOW;
		if (slow_ms != NULL)
			*slow_ms = (guint)ms;
		return TRUE;
	}
	for (guint i = OHE_SIM_FAULT_NONE + 1; i < OHE_SIM_FAULT_LAST; i++) {
		if (i == OHE_SIM_FAULT_SLOW)
			continue;
		if (g_strcmp0 (text, ohe_sim_fault_infos[i].name) == 0) {
			*kind = (OheSimFaultKind)i;
			return TRUE;
		}
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		     "fault: unknown fault '%s' (429, 500, 503, slow:MS, truncate, malformed, "
		     "expired-token, revoked-token)",
		     text);
	return FALSE;
}

static void
ohe_sim_fault_entry_free (OheSimFaultEntry *entry)
{
	g_free (entry->path_prefix);
	g_free (entry);
}

OheSimFault *
ohe_sim_fault_new (guint64 seed)
{
	OheSimFault *self = g_object_new (OHE_TYPE_SIM_FAULT, NULL);
	guint32 words[2] = {(guint32)(seed & 0xffffffff), (guint32)(seed >> 32)};
	g_rand_set_seed_array (self->rand, words, G_N_ELEMENTS (words));
	return self;
}

gboolean
ohe_sim_fault_set_rates (OheSimFault *self, const gchar *spec, GError **error)
{
	gdouble rates[OHE_SIM_FAULT_LAST] = {0};
	gdouble sum = 0;
	g_auto (GStrv) entries = NULL;

	g_return_val_if_fail (OHE_IS_SIM_FAULT (self), FALSE);
	g_return_val_if_fail (spec != NULL, FALSE);

	entries = g_strsplit (spec, ",", -1);
	for (guint i = 0; entries[i] != NULL; i++) {
		const gchar *eq;
		g_autofree gchar *name = NULL;
		gchar *end = NULL;
		OheSimFaultKind kind;
		gdouble p;

		g_strstrip (entries[i]);
		if (entries[i][0] == '\0')
			continue;
		eq = strchr (entries[i], '=');
		if (eq == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "fault-rate: entry '%s' is not FAULT=PROBABILITY", entries[i]);
			return FALSE;
		}
		name = g_strndup (entries[i], eq - entries[i]);
		if (!ohe_sim_fault_kind_parse (name, &kind, NULL, error)) {
			g_prefix_error (error, "fault-rate: ");
			return FALSE;
		}
		if (!ohe_sim_fault_infos[kind].by_rate) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "fault-rate: '%s' cannot be injected by probability", name);
			return FALSE;
		}
		p = g_ascii_strtod (eq + 1, &end);
		if (end == eq + 1 || *end != '\0' || !(p >= 0.0 && p <= 1.0)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "fault-rate: probability of '%s' must be in 0..1, got '%s'",
				     name, eq + 1);
			return FALSE;
		}
		rates[kind] = p;
	}
	for (guint i = 0; i < OHE_SIM_FAULT_LAST; i++)
		sum += rates[i];
	if (sum > 1.0 + 1e-9) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "fault-rate: probabilities add up to %.3f, more than 1", sum);
		return FALSE;
	}

	g_mutex_lock (&self->mutex);
	memcpy (self->rates, rates, sizeof (rates));
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

gboolean
ohe_sim_fault_queue (
    OheSimFault *self, const gchar *path_prefix, const gchar *fault, guint count, GError **error)
{
	OheSimFaultEntry *entry;
	OheSimFaultKind kind;
	guint slow_ms = 0;

	g_return_val_if_fail (OHE_IS_SIM_FAULT (self), FALSE);

	if (!ohe_sim_fault_kind_parse (fault, &kind, &slow_ms, error))
		return FALSE;
	if (count == 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "count: must be at least 1");
		return FALSE;
	}
	if (path_prefix == NULL || path_prefix[0] != '/') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "path_prefix: must start with '/'");
		return FALSE;
	}
	entry = g_new0 (OheSimFaultEntry, 1);
	entry->path_prefix = g_strdup (path_prefix);
	entry->kind = kind;
	entry->slow_ms = slow_ms;
	entry->remaining = count;

	g_mutex_lock (&self->mutex);
	g_queue_push_tail (&self->queue, entry);
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

void
ohe_sim_fault_clear (OheSimFault *self)
{
	g_return_if_fail (OHE_IS_SIM_FAULT (self));
	g_mutex_lock (&self->mutex);
	g_queue_clear_full (&self->queue, (GDestroyNotify)ohe_sim_fault_entry_free);
	g_mutex_unlock (&self->mutex);
}

static gboolean
ohe_sim_fault_take_queued (OheSimFault *self,
			   const gchar *path,
			   OheSimFaultKind *kind,
			   guint *slow_ms)
{
	for (GList *l = self->queue.head; l != NULL; l = l->next) {
		OheSimFaultEntry *entry = l->data;
		if (!g_str_has_prefix (path, entry->path_prefix))
			continue;
		*kind = entry->kind;
		*slow_ms = entry->slow_ms;
		if (--entry->remaining == 0) {
			g_queue_delete_link (&self->queue, l);
			ohe_sim_fault_entry_free (entry);
		}
		return TRUE;
	}
	return FALSE;
}

static OheSimFaultKind
ohe_sim_fault_draw (OheSimFault *self)
{
	/* one draw per request whatever happens, so the sequence of faults depends only on the
	 * seed and the number of requests */
	gdouble r = g_rand_double (self->rand);
	gdouble acc = 0;

	for (guint i = 0; i < OHE_SIM_FAULT_LAST; i++) {
		acc += self->rates[i];
		if (self->rates[i] > 0 && r < acc)
			return (OheSimFaultKind)i;
	}
	return OHE_SIM_FAULT_NONE;
}

gboolean
ohe_sim_fault_pick (OheSimFault *self,
		    const gchar *path,
		    const gchar *requested,
		    OheSimFaultKind *kind,
		    guint *slow_ms,
		    GError **error)
{
	OheSimFaultKind drawn;
	OheSimFaultKind result = OHE_SIM_FAULT_NONE;
	guint ms = 0;

	g_return_val_if_fail (OHE_IS_SIM_FAULT (self), FALSE);
	g_return_val_if_fail (path != NULL, FALSE);
	g_return_val_if_fail (kind != NULL && slow_ms != NULL, FALSE);

	if (requested != NULL && !ohe_sim_fault_kind_parse (requested, &result, &ms, error)) {
		g_prefix_error (error, "X-Sim-Fault: ");
		return FALSE;
	}

	g_mutex_lock (&self->mutex);
	drawn = ohe_sim_fault_draw (self);
	if (requested == NULL && !ohe_sim_fault_take_queued (self, path, &result, &ms))
		result = drawn;
	self->injected[result]++;
	g_mutex_unlock (&self->mutex);

	*kind = result;
	*slow_ms = ms;
	return TRUE;
}

guint
ohe_sim_fault_get_injected (OheSimFault *self, OheSimFaultKind kind)
{
	guint n;
	g_return_val_if_fail (OHE_IS_SIM_FAULT (self), 0);
	g_return_val_if_fail ((guint)kind < OHE_SIM_FAULT_LAST, 0);
	g_mutex_lock (&self->mutex);
	n = self->injected[kind];
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
ohe_sim_fault_get_pending (OheSimFault *self)
{
	guint n = 0;
	g_return_val_if_fail (OHE_IS_SIM_FAULT (self), 0);
	g_mutex_lock (&self->mutex);
	for (GList *l = self->queue.head; l != NULL; l = l->next)
		n += ((OheSimFaultEntry *)l->data)->remaining;
	g_mutex_unlock (&self->mutex);
	return n;
}

void
ohe_sim_fault_set_retry_after (OheSimFault *self, guint seconds)
{
	g_return_if_fail (OHE_IS_SIM_FAULT (self));
	g_atomic_int_set (&self->retry_after, (gint)seconds);
}

guint
ohe_sim_fault_get_retry_after (OheSimFault *self)
{
	g_return_val_if_fail (OHE_IS_SIM_FAULT (self), 0);
	return (guint)g_atomic_int_get (&self->retry_after);
}

static void
ohe_sim_fault_finalize (GObject *object)
{
	OheSimFault *self = OHE_SIM_FAULT (object);

	g_queue_clear_full (&self->queue, (GDestroyNotify)ohe_sim_fault_entry_free);
	g_rand_free (self->rand);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_sim_fault_parent_class)->finalize (object);
}

static void
ohe_sim_fault_class_init (OheSimFaultClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_sim_fault_finalize;
}

static void
ohe_sim_fault_init (OheSimFault *self)
{
	g_mutex_init (&self->mutex);
	g_queue_init (&self->queue);
	self->rand = g_rand_new_with_seed (0);
	self->retry_after = 1;
}
