/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ohe-sim-fault.h"

G_BEGIN_DECLS

typedef struct _OheSimServer OheSimServer;

/**
 * OheSimRequest:
 * @server: (transfer none): the simulator serving the request
 * @msg: (transfer none): the libsoup message; set the response with the helpers below
 * @method: "GET", "POST", …
 * @path: the full path, e.g. "/withings/v2/measure"
 * @subpath: @path without the provider's prefix, e.g. "/v2/measure"; "" for the prefix itself
 * @query: (element-type utf8 utf8): the query parameters, never %NULL (may be empty)
 * @form: (element-type utf8 utf8) (nullable): the parameters of an
 *   application/x-www-form-urlencoded body
 * @json: (nullable): the parsed application/json body; a body that does not parse is
 *   answered with 400 before any handler runs
 * @body: the raw request body, never %NULL (may be empty)
 * @fault: the fault chosen for this request; handlers normally see %OHE_SIM_FAULT_NONE, the
 *   fault function sees the fault it must format
 *
 * One request as the provider handlers see it. Everything is owned by the framework and valid
 * until the handler returns. Handlers run on the simulator's thread, one at a time.
 *
 * Since: 0.1
 */
typedef struct {
	OheSimServer *server;
	SoupServerMessage *msg;
	const gchar *method;
	const gchar *path;
	const gchar *subpath;
	GHashTable *query;
	GHashTable *form;
	JsonNode *json;
	GBytes *body;
	OheSimFaultKind fault;
} OheSimRequest;

/**
 * ohe_sim_request_get_param:
 * @self: a request
 * @name: a parameter name
 *
 * Looks @name up in the form body, then the query, then (string members only) the top-level
 * JSON object. Withings sends most parameters as a form, Google in the query or JSON.
 *
 * Returns: (nullable): the value
 */
const gchar *
ohe_sim_request_get_param (OheSimRequest *self, const gchar *name);
/**
 * ohe_sim_request_get_header:
 * @self: a request
 * @name: a header name, case-insensitive
 *
 * Returns: (nullable): the request header
 */
const gchar *
ohe_sim_request_get_header (OheSimRequest *self, const gchar *name);
/**
 * ohe_sim_request_get_bearer:
 * @self: a request
 *
 * Returns: (nullable): the token of an `Authorization: Bearer TOKEN` header
 */
const gchar *
ohe_sim_request_get_bearer (OheSimRequest *self);
/**
 * ohe_sim_request_respond_json:
 * @self: a request
 * @status: HTTP status
 * @node: (transfer none): the body
 *
 * Sets status, `Content-Type: application/json` and the serialized @node.
 */
void
ohe_sim_request_respond_json (OheSimRequest *self, guint status, JsonNode *node);
/**
 * ohe_sim_request_respond_json_builder:
 * @self: a request
 * @status: HTTP status
 * @builder: a builder holding a complete value
 *
 * Like ohe_sim_request_respond_json() with the builder's root.
 */
void
ohe_sim_request_respond_json_builder (OheSimRequest *self, guint status, JsonBuilder *builder);
/**
 * ohe_sim_request_respond_text:
 * @self: a request
 * @status: HTTP status
 * @content_type: e.g. "application/json" or "text/plain"
 * @text: the body, copied
 */
void
ohe_sim_request_respond_text (OheSimRequest *self,
			      guint status,
			      const gchar *content_type,
			      const gchar *text);
/**
 * ohe_sim_request_respond_error:
 * @self: a request
 * @status: HTTP status
 * @error: an OAuth2-style error code, e.g. "invalid_request"
 * @description: (nullable): a human-readable description (never put secrets here)
 *
 * Answers with the RFC 6749 shape `{"error": …, "error_description": …}`, which is also the
 * default body of injected faults.
 */
void
ohe_sim_request_respond_error (OheSimRequest *self,
			       guint status,
			       const gchar *error,
			       const gchar *description);
/**
 * ohe_sim_request_respond_redirect:
 * @self: a request
 * @location: the target URI
 *
 * Answers 302 Found with a `Location` header.
 */
void
ohe_sim_request_respond_redirect (OheSimRequest *self, const gchar *location);

G_END_DECLS
