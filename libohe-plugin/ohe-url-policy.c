/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "ohe-error.h"
#include "ohe-url-policy.h"

/*
 * Provider OAuth and API endpoints carry client secrets, tokens and health
 * data, the FHIR base URL the EHR's bearer token: only over TLS, or to this
 * machine (a local proxy, the test servers).
 */

/**
 * ohe_url_policy_is_loopback_host:
 * @host: (nullable): a host name or address, as g_uri_get_host() gives it
 *
 * Returns: %TRUE for `localhost` and loopback addresses (127.0.0.0/8, ::1)
 *
 * Since: 0.1
 */
gboolean
ohe_url_policy_is_loopback_host (const gchar *host)
{
	g_autoptr(GInetAddress) address = NULL;

	if (host == NULL)
		return FALSE;
	if (g_ascii_strcasecmp (host, "localhost") == 0)
		return TRUE;
	address = g_inet_address_new_from_string (host);
	return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * ohe_url_policy_check:
 * @url: an endpoint from the configuration
 * @key: the configuration key it came from, for the error (`[plugin:withings] api_base`)
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE if @url is an absolute https URL, or http to a loopback
 * host; else %FALSE with %OHE_ERROR_INVALID_ARGUMENT naming @key (the URL
 * itself is not quoted)
 *
 * Since: 0.1
 */
gboolean
ohe_url_policy_check (const gchar *url, const gchar *key, GError **error)
{
	g_autoptr(GUri) uri = NULL;
	const gchar *scheme;

	uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
	if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s: not an absolute URL", key);
		return FALSE;
	}
	scheme = g_uri_get_scheme (uri);
	if (g_ascii_strcasecmp (scheme, "https") == 0)
		return TRUE;
	if (g_ascii_strcasecmp (scheme, "http") == 0 &&
	    ohe_url_policy_is_loopback_host (g_uri_get_host (uri)))
		return TRUE;
	if (g_ascii_strcasecmp (scheme, "http") == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "%s: plain http to %s is refused, use https (http only to the "
			     "loopback address)",
			     key, g_uri_get_host (uri));
		return FALSE;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, "%s: must be an https URL", key);
	return FALSE;
}
