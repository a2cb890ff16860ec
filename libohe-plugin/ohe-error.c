/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "ohe-error.h"

typedef struct {
	OheError code;
	const gchar *name;
	guint http_status;
	gboolean transient;
} OheErrorInfo;

/* indexed by OheError; the name doubles as the D-Bus error suffix */
static const OheErrorInfo ohe_error_table[] = {
    {OHE_ERROR_FAILED, "Failed", 500, FALSE},
    {OHE_ERROR_INVALID_ARGUMENT, "InvalidArgument", 400, FALSE},
    {OHE_ERROR_INVALID_DATA, "InvalidData", 422, FALSE},
    {OHE_ERROR_NOT_FOUND, "NotFound", 404, FALSE},
    {OHE_ERROR_NOT_SUPPORTED, "NotSupported", 501, FALSE},
    {OHE_ERROR_AUTH_EXPIRED, "AuthExpired", 401, TRUE},
    {OHE_ERROR_AUTH_REQUIRED, "AuthRequired", 401, FALSE},
    {OHE_ERROR_PERMISSION_DENIED, "PermissionDenied", 403, FALSE},
    {OHE_ERROR_RATE_LIMITED, "RateLimited", 429, TRUE},
    {OHE_ERROR_UNAVAILABLE, "Unavailable", 503, TRUE},
    {OHE_ERROR_TIMEOUT, "Timeout", 504, TRUE},
    {OHE_ERROR_CANCELLED, "Cancelled", 499, FALSE},
    {OHE_ERROR_CONFLICT, "Conflict", 409, FALSE},
    {OHE_ERROR_GONE, "Gone", 410, FALSE},
    {OHE_ERROR_PLUGIN_INVALID, "PluginInvalid", 500, FALSE},
    {OHE_ERROR_STORE, "Store", 500, TRUE},
};

G_STATIC_ASSERT (G_N_ELEMENTS (ohe_error_table) == OHE_ERROR_LAST);

/**
 * ohe_error_quark:
 *
 * Returns: the #GQuark of the %OHE_ERROR domain
 *
 * Since: 0.1
 */
/* the quark name is stringified as written */
/* clang-format off */
G_DEFINE_QUARK (ohe-error-quark, ohe_error)
/* clang-format on */

/**
 * ohe_error_to_string:
 * @code: an #OheError
 *
 * Returns: a stable name for @code, e.g. `RateLimited`
 *
 * Since: 0.1
 */
const gchar *
ohe_error_to_string (OheError code)
{
	if ((guint)code >= OHE_ERROR_LAST)
		return "Failed";
	return ohe_error_table[code].name;
}

/**
 * ohe_error_to_http_status:
 * @error: a #GError
 *
 * Returns: the HTTP status a REST front-end answers for @error
 *
 * Since: 0.1
 */
guint
ohe_error_to_http_status (const GError *error)
{
	if (error == NULL || error->domain != OHE_ERROR || (guint)error->code >= OHE_ERROR_LAST)
		return 500;
	return ohe_error_table[error->code].http_status;
}

/**
 * ohe_error_is_transient:
 * @error: a #GError
 *
 * Returns: %TRUE if retrying the same operation later may succeed
 *
 * Since: 0.1
 */
gboolean
ohe_error_is_transient (const GError *error)
{
	if (error == NULL)
		return FALSE;
	if (error->domain == OHE_ERROR && (guint)error->code < OHE_ERROR_LAST)
		return ohe_error_table[error->code].transient;
	if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
	    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
	    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
	    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
	    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
		return TRUE;
	return FALSE;
}

/**
 * ohe_error_convert:
 * @perror: (inout) (nullable): a #GError, possibly of a foreign domain
 *
 * Converts GIO errors to the %OHE_ERROR domain, keeping the message.
 *
 * Since: 0.1
 */
void
ohe_error_convert (GError **perror)
{
	GError *error = (perror != NULL) ? *perror : NULL;
	if (error == NULL || error->domain == OHE_ERROR)
		return;
	if (error->domain == G_IO_ERROR) {
		switch (error->code) {
		case G_IO_ERROR_CANCELLED:
			error->code = OHE_ERROR_CANCELLED;
			break;
		case G_IO_ERROR_TIMED_OUT:
			error->code = OHE_ERROR_TIMEOUT;
			break;
		case G_IO_ERROR_NOT_FOUND:
			error->code = OHE_ERROR_NOT_FOUND;
			break;
		case G_IO_ERROR_NOT_SUPPORTED:
			error->code = OHE_ERROR_NOT_SUPPORTED;
			break;
		case G_IO_ERROR_INVALID_ARGUMENT:
		case G_IO_ERROR_INVALID_DATA:
			error->code = OHE_ERROR_INVALID_DATA;
			break;
		case G_IO_ERROR_PERMISSION_DENIED:
			error->code = OHE_ERROR_PERMISSION_DENIED;
			break;
		case G_IO_ERROR_EXISTS:
			error->code = OHE_ERROR_CONFLICT;
			break;
		default:
			error->code = ohe_error_is_transient (error) ? OHE_ERROR_UNAVAILABLE
								     : OHE_ERROR_FAILED;
			break;
		}
		error->domain = OHE_ERROR;
		return;
	}
	error->code = OHE_ERROR_FAILED;
	error->domain = OHE_ERROR;
}
