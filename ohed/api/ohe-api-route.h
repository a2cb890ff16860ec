/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OheApiRequest OheApiRequest;

/**
 * OheApiAccess:
 * @OHE_API_ACCESS_PUBLIC: no token (probes; later webhooks and the OAuth callback)
 * @OHE_API_ACCESS_ADMIN: admin tokens only
 * @OHE_API_ACCESS_STAFF: admin and operator tokens
 * @OHE_API_ACCESS_OWNER: staff, or the token of the user the resource belongs to; the
 *   handler checks ownership with ohe_api_request_can_see_user()
 * @OHE_API_ACCESS_ANY: every valid token; the handler shows a user token its own rows only
 *
 * Who may call a route. The OpenAPI document states the same per operation as the scopes of
 * its `apiToken` security requirement, and the tests hold the two together.
 */
typedef enum {
	OHE_API_ACCESS_PUBLIC,
	OHE_API_ACCESS_ADMIN,
	OHE_API_ACCESS_STAFF,
	OHE_API_ACCESS_OWNER,
	OHE_API_ACCESS_ANY,
} OheApiAccess;

typedef void (*OheApiHandler) (OheApiRequest *request);

/**
 * OheApiRoute:
 * @method: the HTTP method; GET routes answer HEAD too
 * @pattern: the path, with `{name}` for one path segment
 * @access: who may call it
 * @handler: what answers it
 *
 * One operation of the REST API.
 */
typedef struct {
	const gchar *method;
	const gchar *pattern;
	OheApiAccess access;
	OheApiHandler handler;
} OheApiRoute;

const OheApiRoute *
ohe_api_routes_get (guint *n_routes);

G_END_DECLS
