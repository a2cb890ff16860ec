/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ohe-fhir-key.h"

G_BEGIN_DECLS

/* SMART Backend Services: exp no more than five minutes in the future */
#define OHE_FHIR_JWT_ASSERTION_LIFETIME_S 300

gchar *
ohe_fhir_jwt_sign (OheFhirKey *key, const gchar *kid, JsonObject *claims, GError **error);
gchar *
ohe_fhir_jwt_new_client_assertion (OheFhirKey *key,
				   const gchar *kid,
				   const gchar *client_id,
				   const gchar *audience,
				   gint64 now_s,
				   GError **error);

G_END_DECLS
