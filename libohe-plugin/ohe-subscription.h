/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "ohe-measurement-kind.h"

G_BEGIN_DECLS

#define OHE_TYPE_SUBSCRIPTION (ohe_subscription_get_type ())
G_DECLARE_FINAL_TYPE (OheSubscription, ohe_subscription, OHE, SUBSCRIPTION, GObject)

OheSubscription *
ohe_subscription_new (const gchar *id, const gchar *callback_url);
const gchar *
ohe_subscription_get_id (OheSubscription *self);
const gchar *
ohe_subscription_get_callback_url (OheSubscription *self);
void
ohe_subscription_add_kind (OheSubscription *self, OheMeasurementKind kind);
guint
ohe_subscription_get_n_kinds (OheSubscription *self);
OheMeasurementKind
ohe_subscription_get_kind (OheSubscription *self, guint idx);

G_END_DECLS
