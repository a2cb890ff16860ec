/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/**
 * OheFhirAuthMode:
 * @OHE_FHIR_AUTH_MODE_NONE: no Authorization header
 * @OHE_FHIR_AUTH_MODE_BEARER: a static token from the configuration or a file
 * @OHE_FHIR_AUTH_MODE_CLIENT_CREDENTIALS: OAuth2 client credentials (RFC 6749 §4.4)
 *   with a client secret
 * @OHE_FHIR_AUTH_MODE_SMART_BACKEND: SMART Backend Services, client credentials with
 *   a signed JWT assertion (RFC 7523)
 */
typedef enum {
	OHE_FHIR_AUTH_MODE_NONE,
	OHE_FHIR_AUTH_MODE_BEARER,
	OHE_FHIR_AUTH_MODE_CLIENT_CREDENTIALS,
	OHE_FHIR_AUTH_MODE_SMART_BACKEND,
} OheFhirAuthMode;

/* a token is renewed this long before it expires */
#define OHE_FHIR_AUTH_EXPIRY_MARGIN_S 60

#define OHE_TYPE_FHIR_AUTH (ohe_fhir_auth_get_type ())
G_DECLARE_FINAL_TYPE (OheFhirAuth, ohe_fhir_auth, OHE, FHIR_AUTH, GObject)

OheFhirAuth *
ohe_fhir_auth_new_from_config (OhePlugin *plugin, OheHttpClient *client, GError **error);
OheFhirAuthMode
ohe_fhir_auth_get_mode (OheFhirAuth *self);
void
ohe_fhir_auth_set_clock (OheFhirAuth *self, OheClock *clock);
gchar *
ohe_fhir_auth_get_authorization (OheFhirAuth *self, GCancellable *cancellable, GError **error);
void
ohe_fhir_auth_invalidate (OheFhirAuth *self);
guint
ohe_fhir_auth_get_token_requests (OheFhirAuth *self);

G_END_DECLS
