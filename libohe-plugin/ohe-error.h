/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OHE_ERROR ohe_error_quark ()

/**
 * OheError:
 * @OHE_ERROR_FAILED: generic failure
 * @OHE_ERROR_INVALID_ARGUMENT: the caller passed a bad value
 * @OHE_ERROR_INVALID_DATA: outside input (provider JSON, HTTP body, config, CSV) is malformed
 * @OHE_ERROR_NOT_FOUND: the object does not exist
 * @OHE_ERROR_NOT_SUPPORTED: the plugin or backend cannot do this
 * @OHE_ERROR_AUTH_EXPIRED: the access token expired, a refresh may help
 * @OHE_ERROR_AUTH_REQUIRED: the grant is gone (revoked, invalid_grant), the user must consent again
 * @OHE_ERROR_PERMISSION_DENIED: authenticated, but not allowed
 * @OHE_ERROR_RATE_LIMITED: a rate limit was hit, retry later
 * @OHE_ERROR_UNAVAILABLE: the remote service failed or a circuit breaker is open, retry later
 * @OHE_ERROR_TIMEOUT: the operation timed out
 * @OHE_ERROR_CANCELLED: the operation was cancelled
 * @OHE_ERROR_CONFLICT: the object exists or changed concurrently
 * @OHE_ERROR_GONE: the remote API was retired (e.g. HTTP 410)
 * @OHE_ERROR_PLUGIN_INVALID: a plugin could not be loaded
 * @OHE_ERROR_STORE: the store backend failed
 *
 * The one error domain of ohed and its plugins.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_ERROR_FAILED,
	OHE_ERROR_INVALID_ARGUMENT,
	OHE_ERROR_INVALID_DATA,
	OHE_ERROR_NOT_FOUND,
	OHE_ERROR_NOT_SUPPORTED,
	OHE_ERROR_AUTH_EXPIRED,
	OHE_ERROR_AUTH_REQUIRED,
	OHE_ERROR_PERMISSION_DENIED,
	OHE_ERROR_RATE_LIMITED,
	OHE_ERROR_UNAVAILABLE,
	OHE_ERROR_TIMEOUT,
	OHE_ERROR_CANCELLED,
	OHE_ERROR_CONFLICT,
	OHE_ERROR_GONE,
	OHE_ERROR_PLUGIN_INVALID,
	OHE_ERROR_STORE,
	/*< private >*/
	OHE_ERROR_LAST
} OheError;

GQuark
ohe_error_quark (void);
const gchar *
ohe_error_to_string (OheError code);
guint
ohe_error_to_http_status (const GError *error);
gboolean
ohe_error_is_transient (const GError *error);
void
ohe_error_convert (GError **perror);

G_END_DECLS
