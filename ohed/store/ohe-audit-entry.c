/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-audit-entry.h"

/*
 * One line of the audit log as read back from the store. Immutable: the log is append-only.
 */
struct _OheAuditEntry {
	GObject parent_instance;
	gint64 time_us;
	gchar *actor;  /* owned */
	gchar *action; /* owned */
	gchar *detail; /* owned, nullable */
};

G_DEFINE_TYPE (OheAuditEntry, ohe_audit_entry, G_TYPE_OBJECT)

static void
ohe_audit_entry_finalize (GObject *object)
{
	OheAuditEntry *self = OHE_AUDIT_ENTRY (object);
	g_free (self->actor);
	g_free (self->action);
	g_free (self->detail);
	G_OBJECT_CLASS (ohe_audit_entry_parent_class)->finalize (object);
}

static void
ohe_audit_entry_class_init (OheAuditEntryClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_audit_entry_finalize;
}

static void
ohe_audit_entry_init (OheAuditEntry *self)
{
}

/**
 * ohe_audit_entry_new:
 * @time_us: when, UTC microseconds
 * @actor: who, e.g. `token:ops` or `dbus:uid=0`
 * @action: what, e.g. `link.revoke`
 * @detail: (nullable): ids of the objects involved; never a secret or a health value
 *
 * Returns: (transfer full): an audit entry; stores build these when listing
 */
OheAuditEntry *
ohe_audit_entry_new (gint64 time_us, const gchar *actor, const gchar *action, const gchar *detail)
{
	OheAuditEntry *self = g_object_new (OHE_TYPE_AUDIT_ENTRY, NULL);
	self->time_us = time_us;
	self->actor = g_strdup (actor);
	self->action = g_strdup (action);
	self->detail = g_strdup (detail);
	return self;
}

gint64
ohe_audit_entry_get_time (OheAuditEntry *self)
{
	g_return_val_if_fail (OHE_IS_AUDIT_ENTRY (self), 0);
	return self->time_us;
}

const gchar *
ohe_audit_entry_get_actor (OheAuditEntry *self)
{
	g_return_val_if_fail (OHE_IS_AUDIT_ENTRY (self), NULL);
	return self->actor;
}

const gchar *
ohe_audit_entry_get_action (OheAuditEntry *self)
{
	g_return_val_if_fail (OHE_IS_AUDIT_ENTRY (self), NULL);
	return self->action;
}

const gchar *
ohe_audit_entry_get_detail (OheAuditEntry *self)
{
	g_return_val_if_fail (OHE_IS_AUDIT_ENTRY (self), NULL);
	return self->detail;
}
