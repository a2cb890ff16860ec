/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_DEAD_LETTER (ohe_dead_letter_get_type ())
G_DECLARE_FINAL_TYPE (OheDeadLetter, ohe_dead_letter, OHE, DEAD_LETTER, GObject)

OheDeadLetter *
ohe_dead_letter_new (const gchar *id,
		     const gchar *job_id,
		     const gchar *link_id,
		     const gchar *item,
		     const gchar *reason,
		     gint64 created_us);
const gchar *
ohe_dead_letter_get_id (OheDeadLetter *self);
const gchar *
ohe_dead_letter_get_job_id (OheDeadLetter *self);
const gchar *
ohe_dead_letter_get_link_id (OheDeadLetter *self);
const gchar *
ohe_dead_letter_get_item (OheDeadLetter *self);
const gchar *
ohe_dead_letter_get_reason (OheDeadLetter *self);
gint64
ohe_dead_letter_get_created (OheDeadLetter *self);

G_END_DECLS
