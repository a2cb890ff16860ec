/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ohe-api-body-field.h"
#include "ohe-api-route.h"
#include "ohe-api-token.h"
#include "ohe-engine.h"

G_BEGIN_DECLS

typedef struct _OheApiServer OheApiServer;

/*
 * One request on its way through the server: what the router matched, who asked, and the
 * replies a handler gives. Lives for the duration of the handler call, on a listener thread.
 */
struct _OheApiRequest {
	SoupServerMessage *msg;	  /* unowned */
	OheApiServer *server;	  /* unowned */
	OheEngine *engine;	  /* unowned */
	const OheApiRoute *route; /* unowned, static */
	GHashTable *params;	  /* owned: path parameter name → value */
	OheApiToken *token;	  /* owned, nullable: public routes */
	guint status;		  /* what was replied, for the metrics */
};

OheApiRequest *
ohe_api_request_new (SoupServerMessage *msg, OheApiServer *server, OheEngine *engine);
void
ohe_api_request_free (OheApiRequest *self);
const gchar *
ohe_api_request_get_param (OheApiRequest *self, const gchar *name);
gboolean
ohe_api_request_is_staff (OheApiRequest *self);
gboolean
ohe_api_request_can_see_user (OheApiRequest *self, const gchar *user_id);
void
ohe_api_request_reply_json (OheApiRequest *self, guint status, JsonNode *node);
void
ohe_api_request_reply_builder (OheApiRequest *self, guint status, JsonBuilder *builder);
void
ohe_api_request_reply_text (
    OheApiRequest *self, guint status, const gchar *content_type, const gchar *text, gssize length);
void
ohe_api_request_reply_problem (
    OheApiRequest *self, guint status, const gchar *title, const gchar *detail, const gchar *field);
void
ohe_api_request_reply_error (OheApiRequest *self, const GError *error);
JsonObject *
ohe_api_request_read_body (OheApiRequest *self, const OheApiBodyField *fields, guint n_fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheApiRequest, ohe_api_request_free)

G_END_DECLS
