/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/**
 * OHE_HTTP_RESPONSE_MAX_BODY_SIZE:
 *
 * The largest response body OheHttpClient reads and ohe_http_response_get_json()
 * parses, in bytes. Provider pages are far smaller; a larger body is a
 * misbehaving server, not data.
 *
 * Since: 0.1
 */
#define OHE_HTTP_RESPONSE_MAX_BODY_SIZE (64 * 1024 * 1024)

#define OHE_TYPE_HTTP_RESPONSE (ohe_http_response_get_type ())
G_DECLARE_FINAL_TYPE (OheHttpResponse, ohe_http_response, OHE, HTTP_RESPONSE, GObject)

OheHttpResponse *
ohe_http_response_new (guint status, SoupMessageHeaders *headers, GBytes *body);
guint
ohe_http_response_get_status (OheHttpResponse *self);
const gchar *
ohe_http_response_get_header (OheHttpResponse *self, const gchar *name);
GBytes *
ohe_http_response_get_body (OheHttpResponse *self);
JsonNode *
ohe_http_response_get_json (OheHttpResponse *self, GError **error);
guint
ohe_http_response_get_attempts (OheHttpResponse *self);
void
ohe_http_response_set_attempts (OheHttpResponse *self, guint attempts);
gboolean
ohe_http_response_check_status (OheHttpResponse *self, GError **error);

G_END_DECLS
