/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_TYPE_API_AUTH (ohe_api_auth_get_type ())
G_DECLARE_FINAL_TYPE (OheApiAuth, ohe_api_auth, OHE, API_AUTH, GObject)

OheApiAuth *
ohe_api_auth_new (OheStore *store, gint64 cache_us);
OheApiToken *
ohe_api_auth_verify (OheApiAuth *self, const gchar *authorization, GError **error);

G_END_DECLS
