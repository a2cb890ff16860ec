/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-batch.h"
#include "ohe-organisation-policy.h"

G_BEGIN_DECLS

/* a parent measurement whose required linked child the provider did not deliver */
typedef struct {
	OheMeasurementKind parent_kind;
	OheMeasurementKind child_kind;
	gchar *native_id; /* the parent's */
	gint64 start;	  /* the parent's interval, the child's window */
	gint64 end;
} OheLinkedParent;

#define OHE_TYPE_LINKED_DATA (ohe_linked_data_get_type ())
G_DECLARE_FINAL_TYPE (OheLinkedData, ohe_linked_data, OHE, LINKED_DATA, GObject)

OheLinkedData *
ohe_linked_data_new (OheOrganisationPolicy *policy);
void
ohe_linked_data_observe (OheLinkedData *self, OheBatch *batch);
GPtrArray *
ohe_linked_data_dup_missing (OheLinkedData *self);
OheMeasurement *
ohe_linked_data_make_child (const OheLinkedParent *parent, OheMeasurement *sample);

G_END_DECLS
