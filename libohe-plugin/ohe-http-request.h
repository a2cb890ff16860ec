/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define OHE_TYPE_HTTP_REQUEST (ohe_http_request_get_type ())
G_DECLARE_FINAL_TYPE (OheHttpRequest, ohe_http_request, OHE, HTTP_REQUEST, GObject)

OheHttpRequest *
ohe_http_request_new (const gchar *method, const gchar *uri);
const gchar *
ohe_http_request_get_method (OheHttpRequest *self);
const gchar *
ohe_http_request_get_uri (OheHttpRequest *self);
void
ohe_http_request_add_header (OheHttpRequest *self, const gchar *name, const gchar *value);
void
ohe_http_request_set_bearer (OheHttpRequest *self, const gchar *access_token);
void
ohe_http_request_set_body (OheHttpRequest *self, const gchar *content_type, GBytes *body);
void
ohe_http_request_set_form (OheHttpRequest *self, GHashTable *form);
void
ohe_http_request_set_json (OheHttpRequest *self, const gchar *json);
GBytes *
ohe_http_request_get_body (OheHttpRequest *self);
const gchar *
ohe_http_request_get_content_type (OheHttpRequest *self);
void
ohe_http_request_set_rate_limit_key (OheHttpRequest *self, const gchar *key);
const gchar *
ohe_http_request_get_rate_limit_key (OheHttpRequest *self);
void
ohe_http_request_set_breaker_target (OheHttpRequest *self, const gchar *target);
const gchar *
ohe_http_request_get_breaker_target (OheHttpRequest *self);
void
ohe_http_request_set_idempotent (OheHttpRequest *self, gboolean idempotent);
gboolean
ohe_http_request_get_idempotent (OheHttpRequest *self);
void
ohe_http_request_set_max_body_size (OheHttpRequest *self, gsize max_bytes);
gsize
ohe_http_request_get_max_body_size (OheHttpRequest *self);
SoupMessage *
ohe_http_request_build_message (OheHttpRequest *self, GError **error);

G_END_DECLS
