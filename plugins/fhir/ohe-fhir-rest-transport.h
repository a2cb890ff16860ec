/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-fhir-bundle.h"

G_BEGIN_DECLS

/* "Bearer …" or NULL without auth; NULL with @error set on failure */
typedef gchar *(*OheFhirAuthorizeFunc) (gpointer user_data,
					GCancellable *cancellable,
					GError **error);
/* the server answered 401: forget the cached credentials */
typedef void (*OheFhirInvalidateFunc) (gpointer user_data);
/* the server was seen to take at most @limit entries in one Bundle of @type */
typedef void (*OheFhirLimitFunc) (gpointer user_data, OheFhirBundleType type, guint limit);

#define OHE_TYPE_FHIR_REST_TRANSPORT (ohe_fhir_rest_transport_get_type ())
G_DECLARE_FINAL_TYPE (
    OheFhirRestTransport, ohe_fhir_rest_transport, OHE, FHIR_REST_TRANSPORT, GObject)

OheFhirRestTransport *
ohe_fhir_rest_transport_new (const gchar *base_url, OheHttpClient *client, GError **error);
void
ohe_fhir_rest_transport_set_write_mode (OheFhirRestTransport *self, OheFhirWriteMode mode);
void
ohe_fhir_rest_transport_set_bundle_type (OheFhirRestTransport *self, OheFhirBundleType type);
OheFhirBundleType
ohe_fhir_rest_transport_get_bundle_type (OheFhirRestTransport *self);
const gchar *
ohe_fhir_rest_transport_get_base_url (OheFhirRestTransport *self);
void
ohe_fhir_rest_transport_set_bundle_size (OheFhirRestTransport *self, guint measurements);
void
ohe_fhir_rest_transport_set_max_entries (OheFhirRestTransport *self, guint entries);
void
ohe_fhir_rest_transport_set_limit_func (OheFhirRestTransport *self,
					OheFhirLimitFunc func,
					gpointer user_data,
					GDestroyNotify user_data_free);
void
ohe_fhir_rest_transport_set_entry_limit (OheFhirRestTransport *self,
					 OheFhirBundleType type,
					 guint limit);
guint
ohe_fhir_rest_transport_get_entry_limit (OheFhirRestTransport *self, OheFhirBundleType type);
void
ohe_fhir_rest_transport_set_authorizer (OheFhirRestTransport *self,
					OheFhirAuthorizeFunc authorize,
					OheFhirInvalidateFunc invalidate,
					gpointer user_data,
					GDestroyNotify user_data_free);
guint64
ohe_fhir_rest_transport_get_n_requests (OheFhirRestTransport *self);
guint64
ohe_fhir_rest_transport_get_n_refused (OheFhirRestTransport *self);
gboolean
ohe_fhir_rest_transport_push (OheFhirRestTransport *self,
			      GPtrArray *entries,
			      OhePushRequest *request,
			      GCancellable *cancellable,
			      GError **error);
gboolean
ohe_fhir_rest_transport_check_health (OheFhirRestTransport *self,
				      GCancellable *cancellable,
				      GError **error);

G_END_DECLS
