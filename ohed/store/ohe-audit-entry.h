/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_AUDIT_ENTRY (ohe_audit_entry_get_type ())
G_DECLARE_FINAL_TYPE (OheAuditEntry, ohe_audit_entry, OHE, AUDIT_ENTRY, GObject)

OheAuditEntry *
ohe_audit_entry_new (gint64 time_us, const gchar *actor, const gchar *action, const gchar *detail);
gint64
ohe_audit_entry_get_time (OheAuditEntry *self);
const gchar *
ohe_audit_entry_get_actor (OheAuditEntry *self);
const gchar *
ohe_audit_entry_get_action (OheAuditEntry *self);
const gchar *
ohe_audit_entry_get_detail (OheAuditEntry *self);

G_END_DECLS
