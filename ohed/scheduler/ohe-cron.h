/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _OheCron OheCron;

#define OHE_TYPE_CRON (ohe_cron_get_type ())

GType
ohe_cron_get_type (void);
OheCron *
ohe_cron_new (const gchar *expression, GError **error);
OheCron *
ohe_cron_ref (OheCron *self);
void
ohe_cron_unref (OheCron *self);
const gchar *
ohe_cron_get_expression (OheCron *self);
gboolean
ohe_cron_matches (OheCron *self, gint64 time_us);
gint64
ohe_cron_get_next (OheCron *self, gint64 after_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheCron, ohe_cron_unref)

G_END_DECLS
