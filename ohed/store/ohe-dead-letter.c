/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-dead-letter.h"

/*
 * Something the daemon gave up on: a whole job or one item of it. Only a descriptor of the
 * item (kind, time, native id) and the reason are kept, never the value, so that dead letters
 * do not turn the daemon into a health data store. Immutable once read from the store.
 */
struct _OheDeadLetter {
	GObject parent_instance;
	gchar *id;	/* owned */
	gchar *job_id;	/* owned, nullable */
	gchar *link_id; /* owned, nullable */
	gchar *item;	/* owned, nullable: the whole job */
	gchar *reason;	/* owned */
	gint64 created_us;
};

G_DEFINE_TYPE (OheDeadLetter, ohe_dead_letter, G_TYPE_OBJECT)

static void
ohe_dead_letter_finalize (GObject *object)
{
	OheDeadLetter *self = OHE_DEAD_LETTER (object);
	g_free (self->id);
	g_free (self->job_id);
	g_free (self->link_id);
	g_free (self->item);
	g_free (self->reason);
	G_OBJECT_CLASS (ohe_dead_letter_parent_class)->finalize (object);
}

static void
ohe_dead_letter_class_init (OheDeadLetterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_dead_letter_finalize;
}

static void
ohe_dead_letter_init (OheDeadLetter *self)
{
}

/**
 * ohe_dead_letter_new:
 * @id: the dead letter id
 * @job_id: (nullable): the job that gave up
 * @link_id: (nullable): the link of the job
 * @item: (nullable): a descriptor of the failed item, %NULL for the whole job
 * @reason: why it was given up
 * @created_us: when, UTC microseconds
 *
 * Returns: (transfer full): a dead letter; stores build these when listing
 */
OheDeadLetter *
ohe_dead_letter_new (const gchar *id,
		     const gchar *job_id,
		     const gchar *link_id,
		     const gchar *item,
		     const gchar *reason,
		     gint64 created_us)
{
	OheDeadLetter *self = g_object_new (OHE_TYPE_DEAD_LETTER, NULL);
	self->id = g_strdup (id);
	self->job_id = g_strdup (job_id);
	self->link_id = g_strdup (link_id);
	self->item = g_strdup (item);
	self->reason = g_strdup (reason);
	self->created_us = created_us;
	return self;
}

const gchar *
ohe_dead_letter_get_id (OheDeadLetter *self)
{
	g_return_val_if_fail (OHE_IS_DEAD_LETTER (self), NULL);
	return self->id;
}

const gchar *
ohe_dead_letter_get_job_id (OheDeadLetter *self)
{
	g_return_val_if_fail (OHE_IS_DEAD_LETTER (self), NULL);
	return self->job_id;
}

const gchar *
ohe_dead_letter_get_link_id (OheDeadLetter *self)
{
	g_return_val_if_fail (OHE_IS_DEAD_LETTER (self), NULL);
	return self->link_id;
}

const gchar *
ohe_dead_letter_get_item (OheDeadLetter *self)
{
	g_return_val_if_fail (OHE_IS_DEAD_LETTER (self), NULL);
	return self->item;
}

const gchar *
ohe_dead_letter_get_reason (OheDeadLetter *self)
{
	g_return_val_if_fail (OHE_IS_DEAD_LETTER (self), NULL);
	return self->reason;
}

gint64
ohe_dead_letter_get_created (OheDeadLetter *self)
{
	g_return_val_if_fail (OHE_IS_DEAD_LETTER (self), 0);
	return self->created_us;
}
