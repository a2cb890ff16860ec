/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-job.h"

/*
 * A sync job: which link to sync, which kinds, which window, how urgently and why. It is a
 * descriptor only and never carries health data, so it can be stored, queued across
 * processes and shown to operators. Not thread-safe: a queue hands each job to one worker at
 * a time.
 */
struct _OheJob {
	GObject parent_instance;
	gchar *id;	 /* owned */
	gchar *link_id;	 /* owned */
	gchar *provider; /* owned */
	GStrv kinds;	 /* owned, never NULL */
	gint64 window_start_us;
	gint64 window_end_us;
	OheJobPriority priority;
	gchar *reason; /* owned, nullable: webhook, schedule, manual, link-created */
	guint attempts;
	guint max_attempts;
	gint64 not_before_us; /* 0: ready at once */
	OheJobState state;
	gchar *last_error; /* owned, nullable */
	gint64 created_us;
	gchar *dedup_key; /* owned, nullable */
};

G_DEFINE_TYPE (OheJob, ohe_job, G_TYPE_OBJECT)

/* indexed by the enums; the names are stored and shown by ohectl, so they never change */
static const gchar *const ohe_job_priority_names[] = {
    "realtime",
    "incremental",
    "backfill",
    "nightly",
};
static const gchar *const ohe_job_state_names[] = {
    "queued",
    "running",
    "done",
    "dead",
};

G_STATIC_ASSERT (G_N_ELEMENTS (ohe_job_priority_names) == OHE_JOB_PRIORITY_LAST);
G_STATIC_ASSERT (G_N_ELEMENTS (ohe_job_state_names) == OHE_JOB_STATE_LAST);

/**
 * ohe_job_priority_to_string:
 * @priority: an #OheJobPriority
 *
 * Returns: the stable name, e.g. `nightly`, or %NULL if invalid
 */
const gchar *
ohe_job_priority_to_string (OheJobPriority priority)
{
	if ((guint)priority >= OHE_JOB_PRIORITY_LAST)
		return NULL;
	return ohe_job_priority_names[priority];
}

/**
 * ohe_job_priority_from_string:
 * @name: (nullable): a priority name
 *
 * Returns: the priority, or %OHE_JOB_PRIORITY_LAST if @name is unknown
 */
OheJobPriority
ohe_job_priority_from_string (const gchar *name)
{
	for (guint i = 0; i < OHE_JOB_PRIORITY_LAST; i++) {
		if (g_strcmp0 (name, ohe_job_priority_names[i]) == 0)
			return (OheJobPriority)i;
	}
	return OHE_JOB_PRIORITY_LAST;
}

/**
 * ohe_job_state_to_string:
 * @state: an #OheJobState
 *
 * Returns: the stable name, e.g. `queued`, or %NULL if invalid
 */
const gchar *
ohe_job_state_to_string (OheJobState state)
{
	if ((guint)state >= OHE_JOB_STATE_LAST)
		return NULL;
	return ohe_job_state_names[state];
}

/**
 * ohe_job_state_from_string:
 * @name: (nullable): a state name
 *
 * Returns: the state, or %OHE_JOB_STATE_LAST if @name is unknown
 */
OheJobState
ohe_job_state_from_string (const gchar *name)
{
	for (guint i = 0; i < OHE_JOB_STATE_LAST; i++) {
		if (g_strcmp0 (name, ohe_job_state_names[i]) == 0)
			return (OheJobState)i;
	}
	return OHE_JOB_STATE_LAST;
}

static void
ohe_job_finalize (GObject *object)
{
	OheJob *self = OHE_JOB (object);
	g_free (self->id);
	g_free (self->link_id);
	g_free (self->provider);
	g_strfreev (self->kinds);
	g_free (self->reason);
	g_free (self->last_error);
	g_free (self->dedup_key);
	G_OBJECT_CLASS (ohe_job_parent_class)->finalize (object);
}

static void
ohe_job_class_init (OheJobClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_job_finalize;
}

static void
ohe_job_init (OheJob *self)
{
	self->kinds = g_new0 (gchar *, 1);
	self->max_attempts = OHE_JOB_DEFAULT_MAX_ATTEMPTS;
	self->priority = OHE_JOB_PRIORITY_INCREMENTAL;
	self->state = OHE_JOB_STATE_QUEUED;
}

/**
 * ohe_job_new:
 * @link_id: the link to sync
 * @provider: the provider plugin name of the link
 * @priority: how urgent
 *
 * The job gets a random UUID, the current time as creation time, no kinds (all consented
 * kinds), no window (from the cursors), five attempts and is ready at once.
 *
 * Returns: (transfer full): a queued job
 */
OheJob *
ohe_job_new (const gchar *link_id, const gchar *provider, OheJobPriority priority)
{
	OheJob *self;
	g_return_val_if_fail ((guint)priority < OHE_JOB_PRIORITY_LAST, NULL);
	self = g_object_new (OHE_TYPE_JOB, NULL);
	self->id = g_uuid_string_random ();
	self->link_id = g_strdup (link_id);
	self->provider = g_strdup (provider);
	self->priority = priority;
	self->created_us = g_get_real_time ();
	return self;
}

/**
 * ohe_job_copy:
 * @self: an #OheJob
 *
 * Returns: (transfer full): an independent copy with the same id
 */
OheJob *
ohe_job_copy (OheJob *self)
{
	OheJob *copy;
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	copy = g_object_new (OHE_TYPE_JOB, NULL);
	copy->id = g_strdup (self->id);
	copy->link_id = g_strdup (self->link_id);
	copy->provider = g_strdup (self->provider);
	ohe_job_set_kinds (copy, (const gchar *const *)self->kinds);
	copy->window_start_us = self->window_start_us;
	copy->window_end_us = self->window_end_us;
	copy->priority = self->priority;
	copy->reason = g_strdup (self->reason);
	copy->attempts = self->attempts;
	copy->max_attempts = self->max_attempts;
	copy->not_before_us = self->not_before_us;
	copy->state = self->state;
	copy->last_error = g_strdup (self->last_error);
	copy->created_us = self->created_us;
	copy->dedup_key = g_strdup (self->dedup_key);
	return copy;
}

const gchar *
ohe_job_get_id (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->id;
}

/**
 * ohe_job_set_id:
 * @self: an #OheJob
 * @id: (nullable): the job id; %NULL makes a new random UUID
 */
void
ohe_job_set_id (OheJob *self, const gchar *id)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_free (self->id);
	self->id = id != NULL ? g_strdup (id) : g_uuid_string_random ();
}

const gchar *
ohe_job_get_link_id (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->link_id;
}

void
ohe_job_set_link_id (OheJob *self, const gchar *link_id)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_free (self->link_id);
	self->link_id = g_strdup (link_id);
}

const gchar *
ohe_job_get_provider (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->provider;
}

void
ohe_job_set_provider (OheJob *self, const gchar *provider)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_free (self->provider);
	self->provider = g_strdup (provider);
}

/**
 * ohe_job_get_kinds:
 * @self: an #OheJob
 *
 * Returns: (transfer none): the kind names to sync, never %NULL; empty means all the link's
 *   consented kinds
 */
GStrv
ohe_job_get_kinds (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->kinds;
}

/**
 * ohe_job_set_kinds:
 * @self: an #OheJob
 * @kinds: (nullable): kind names; %NULL for none
 */
void
ohe_job_set_kinds (OheJob *self, const gchar *const *kinds)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_strfreev (self->kinds);
	self->kinds = kinds != NULL ? g_strdupv ((gchar **)kinds) : g_new0 (gchar *, 1);
}

/**
 * ohe_job_add_kind:
 * @self: an #OheJob
 * @kind: a kind name; added once however often it is given
 */
void
ohe_job_add_kind (OheJob *self, const gchar *kind)
{
	guint len;
	g_return_if_fail (OHE_IS_JOB (self));
	g_return_if_fail (kind != NULL);
	if (ohe_job_has_kind (self, kind))
		return;
	len = g_strv_length (self->kinds);
	self->kinds = g_renew (gchar *, self->kinds, len + 2);
	self->kinds[len] = g_strdup (kind);
	self->kinds[len + 1] = NULL;
}

gboolean
ohe_job_has_kind (OheJob *self, const gchar *kind)
{
	g_return_val_if_fail (OHE_IS_JOB (self), FALSE);
	return g_strv_contains ((const gchar *const *)self->kinds, kind);
}

gint64
ohe_job_get_window_start (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), 0);
	return self->window_start_us;
}

void
ohe_job_set_window_start (OheJob *self, gint64 window_start_us)
{
	g_return_if_fail (OHE_IS_JOB (self));
	self->window_start_us = window_start_us;
}

gint64
ohe_job_get_window_end (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), 0);
	return self->window_end_us;
}

void
ohe_job_set_window_end (OheJob *self, gint64 window_end_us)
{
	g_return_if_fail (OHE_IS_JOB (self));
	self->window_end_us = window_end_us;
}

/**
 * ohe_job_set_window:
 * @self: an #OheJob
 * @window_start_us: UTC microseconds, inclusive; 0 with @window_end_us 0 means "from the cursor"
 * @window_end_us: UTC microseconds, exclusive
 */
void
ohe_job_set_window (OheJob *self, gint64 window_start_us, gint64 window_end_us)
{
	g_return_if_fail (OHE_IS_JOB (self));
	self->window_start_us = window_start_us;
	self->window_end_us = window_end_us;
}

OheJobPriority
ohe_job_get_priority (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), OHE_JOB_PRIORITY_NIGHTLY);
	return self->priority;
}

void
ohe_job_set_priority (OheJob *self, OheJobPriority priority)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_return_if_fail ((guint)priority < OHE_JOB_PRIORITY_LAST);
	self->priority = priority;
}

const gchar *
ohe_job_get_reason (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->reason;
}

/**
 * ohe_job_set_reason:
 * @self: an #OheJob
 * @reason: (nullable): the trigger: `webhook`, `schedule`, `manual` or `link-created`
 */
void
ohe_job_set_reason (OheJob *self, const gchar *reason)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_free (self->reason);
	self->reason = g_strdup (reason);
}

guint
ohe_job_get_attempts (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), 0);
	return self->attempts;
}

void
ohe_job_set_attempts (OheJob *self, guint attempts)
{
	g_return_if_fail (OHE_IS_JOB (self));
	self->attempts = attempts;
}

guint
ohe_job_get_max_attempts (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), 0);
	return self->max_attempts;
}

/**
 * ohe_job_set_max_attempts:
 * @self: an #OheJob
 * @max_attempts: failed runs before the job is dead-lettered, at least 1
 */
void
ohe_job_set_max_attempts (OheJob *self, guint max_attempts)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_return_if_fail (max_attempts > 0);
	self->max_attempts = max_attempts;
}

gint64
ohe_job_get_not_before (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), 0);
	return self->not_before_us;
}

/**
 * ohe_job_set_not_before:
 * @self: an #OheJob
 * @not_before_us: the earliest start, UTC microseconds; 0 for at once
 */
void
ohe_job_set_not_before (OheJob *self, gint64 not_before_us)
{
	g_return_if_fail (OHE_IS_JOB (self));
	self->not_before_us = not_before_us;
}

OheJobState
ohe_job_get_state (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), OHE_JOB_STATE_DEAD);
	return self->state;
}

void
ohe_job_set_state (OheJob *self, OheJobState state)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_return_if_fail ((guint)state < OHE_JOB_STATE_LAST);
	self->state = state;
}

const gchar *
ohe_job_get_last_error (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->last_error;
}

void
ohe_job_set_last_error (OheJob *self, const gchar *last_error)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_free (self->last_error);
	self->last_error = g_strdup (last_error);
}

gint64
ohe_job_get_created (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), 0);
	return self->created_us;
}

void
ohe_job_set_created (OheJob *self, gint64 created_us)
{
	g_return_if_fail (OHE_IS_JOB (self));
	self->created_us = created_us;
}

const gchar *
ohe_job_get_dedup_key (OheJob *self)
{
	g_return_val_if_fail (OHE_IS_JOB (self), NULL);
	return self->dedup_key;
}

/**
 * ohe_job_set_dedup_key:
 * @self: an #OheJob
 * @dedup_key: (nullable): jobs with the same key merge while they wait, e.g.
 *   `webhook:withings:LINK`
 */
void
ohe_job_set_dedup_key (OheJob *self, const gchar *dedup_key)
{
	g_return_if_fail (OHE_IS_JOB (self));
	g_free (self->dedup_key);
	self->dedup_key = g_strdup (dedup_key);
}
