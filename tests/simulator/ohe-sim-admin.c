/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-sim-server-private.h"

#define OHE_SIM_ADMIN_MAX_USERS 10000
#define OHE_SIM_ADMIN_MAX_DAYS	3660

typedef void (*OheSimAdminFunc) (OheSimServer *server, OheSimRequest *request, JsonObject *params);

typedef struct {
	const gchar *method;
	const gchar *path;
	gboolean needs_body;
	OheSimAdminFunc func;
} OheSimAdminRoute;

/* reads an optional non-negative integer member; FALSE after answering 400 */
static gboolean
ohe_sim_admin_get_uint (
    OheSimRequest *request, JsonObject *params, const gchar *name, guint64 max, guint64 *value)
{
	JsonNode *node = json_object_get_member (params, name);
	g_autofree gchar *msg = NULL;

	if (node == NULL)
		return TRUE;
	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
	    json_node_get_int (node) >= 0 && (guint64)json_node_get_int (node) <= max) {
		*value = (guint64)json_node_get_int (node);
		return TRUE;
	}
	msg = g_strdup_printf ("%s: must be an integer in 0..%" G_GUINT64_FORMAT, name, max);
	ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request", msg);
	return FALSE;
}

static const gchar *
ohe_sim_admin_get_string (JsonObject *params, const gchar *name)
{
	JsonNode *node = json_object_get_member (params, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
	    json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

static void
ohe_sim_admin_add_user (JsonBuilder *builder, const OheSimUser *user)
{
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "id");
	json_builder_add_string_value (builder, user->id);
	json_builder_set_member_name (builder, "seed");
	json_builder_add_int_value (builder, (gint64)user->seed);
	json_builder_set_member_name (builder, "from");
	json_builder_add_int_value (builder, user->data_from);
	json_builder_set_member_name (builder, "to");
	json_builder_add_int_value (builder, user->data_to);
	json_builder_end_object (builder);
}

static void
ohe_sim_admin_respond_users (OheSimRequest *request, guint status, GPtrArray *users)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "users");
	json_builder_begin_array (builder);
	for (guint i = 0; i < users->len; i++)
		ohe_sim_admin_add_user (builder, g_ptr_array_index (users, i));
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	ohe_sim_request_respond_json_builder (request, status, builder);
}

static void
ohe_sim_admin_respond_count (OheSimRequest *request, const gchar *name, guint64 count)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, name);
	json_builder_add_int_value (builder, (gint64)count);
	json_builder_end_object (builder);
	ohe_sim_request_respond_json_builder (request, SOUP_STATUS_OK, builder);
}

static void
ohe_sim_admin_list_users (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	g_autoptr (GPtrArray) users = ohe_sim_server_get_users (server);
	ohe_sim_admin_respond_users (request, SOUP_STATUS_OK, users);
}

static void
ohe_sim_admin_create_users (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	guint64 count = 1;
	guint64 days = 7;
	guint64 seed = ohe_sim_server_get_seed (server);
	g_autoptr (GPtrArray) users = NULL;

	if (!ohe_sim_admin_get_uint (request, params, "count", OHE_SIM_ADMIN_MAX_USERS, &count) ||
	    !ohe_sim_admin_get_uint (request, params, "days", OHE_SIM_ADMIN_MAX_DAYS, &days) ||
	    !ohe_sim_admin_get_uint (request, params, "seed", G_MAXINT64, &seed))
		return;
	users = ohe_sim_server_add_users (server, (guint)count, (guint)days, seed);
	ohe_sim_admin_respond_users (request, SOUP_STATUS_CREATED, users);
}

static void
ohe_sim_admin_get_stats (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	g_autoptr (JsonNode) stats = ohe_sim_server_dup_stats (server);
	ohe_sim_request_respond_json (request, SOUP_STATUS_OK, stats);
}

static void
ohe_sim_admin_reset_stats (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	ohe_sim_server_reset_stats (server);
	ohe_sim_admin_get_stats (server, request, params);
}

static void
ohe_sim_admin_get_faults (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	ohe_sim_admin_respond_count (request, "pending",
				     ohe_sim_fault_get_pending (ohe_sim_server_get_fault (server)));
}

static void
ohe_sim_admin_queue_fault (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	OheSimFault *fault = ohe_sim_server_get_fault (server);
	guint64 count = 1;
	g_autoptr (GError) error = NULL;

	if (!ohe_sim_admin_get_uint (request, params, "count", G_MAXUINT, &count))
		return;
	if (!ohe_sim_fault_queue (fault, ohe_sim_admin_get_string (params, "path_prefix"),
				  ohe_sim_admin_get_string (params, "fault"), (guint)count,
				  &error)) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
					       error->message);
		return;
	}
	ohe_sim_admin_get_faults (server, request, params);
}

static void
ohe_sim_admin_clear_faults (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	ohe_sim_fault_clear (ohe_sim_server_get_fault (server));
	ohe_sim_admin_get_faults (server, request, params);
}

static OheSimOAuth *
ohe_sim_admin_get_oauth (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	const gchar *provider = ohe_sim_admin_get_string (params, "provider");
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (server, provider);

	if (oauth == NULL)
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
					       "provider: missing or without an OAuth server");
	return oauth;
}

static void
ohe_sim_admin_expire (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	OheSimOAuth *oauth = ohe_sim_admin_get_oauth (server, request, params);
	if (oauth == NULL)
		return;
	ohe_sim_admin_respond_count (
	    request, "expired",
	    ohe_sim_oauth_expire_access_tokens (oauth, ohe_sim_admin_get_string (params, "user")));
}

static void
ohe_sim_admin_revoke (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	OheSimOAuth *oauth = ohe_sim_admin_get_oauth (server, request, params);
	const gchar *user = ohe_sim_admin_get_string (params, "user");

	if (oauth == NULL)
		return;
	if (user == NULL) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
					       "user: missing");
		return;
	}
	ohe_sim_admin_respond_count (request, "revoked", ohe_sim_oauth_revoke_user (oauth, user));
}

static void
ohe_sim_admin_notify_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr (SoupServerMessage) msg = SOUP_SERVER_MESSAGE (user_data);
	OheSimRequest request = {.msg = msg};
	g_autoptr (GError) error = NULL;
	guint status = ohe_sim_webhook_send_finish (OHE_SIM_WEBHOOK (source), result, &error);

	if (status == 0)
		ohe_sim_request_respond_error (&request, SOUP_STATUS_BAD_GATEWAY, "delivery_failed",
					       error->message);
	else
		ohe_sim_admin_respond_count (&request, "status", status);
	soup_server_message_unpause (msg);
}

static void
ohe_sim_admin_notify (OheSimServer *server, OheSimRequest *request, JsonObject *params)
{
	g_autoptr (OheSimWebhookMessage) message = ohe_sim_webhook_message_new ();
	const gchar *callback = ohe_sim_admin_get_string (params, "callback");
	g_autoptr (GError) error = NULL;

	if (!ohe_sim_server_build_webhook (server, ohe_sim_admin_get_string (params, "provider"),
					   params, message, &error)) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
					       error->message);
		return;
	}
	/* an explicit callback in the request beats the provider's and the default */
	if (callback != NULL) {
		g_free (message->url);
		message->url = g_strdup (callback);
	}
	/* answer once the receiver answered, so callers can assert on its status */
	soup_server_message_pause (request->msg);
	ohe_sim_webhook_send_async (ohe_sim_server_get_webhook (server), g_steal_pointer (&message),
				    NULL, ohe_sim_admin_notify_cb, g_object_ref (request->msg));
}

static const OheSimAdminRoute ohe_sim_admin_routes[] = {
    {"GET", "/_sim/users", FALSE, ohe_sim_admin_list_users},
    {"POST", "/_sim/users", TRUE, ohe_sim_admin_create_users},
    {"GET", "/_sim/stats", FALSE, ohe_sim_admin_get_stats},
    {"DELETE", "/_sim/stats", FALSE, ohe_sim_admin_reset_stats},
    {"GET", "/_sim/faults", FALSE, ohe_sim_admin_get_faults},
    {"POST", "/_sim/faults", TRUE, ohe_sim_admin_queue_fault},
    {"DELETE", "/_sim/faults", FALSE, ohe_sim_admin_clear_faults},
    {"POST", "/_sim/expire", TRUE, ohe_sim_admin_expire},
    {"POST", "/_sim/revoke", TRUE, ohe_sim_admin_revoke},
    {"POST", "/_sim/notify", TRUE, ohe_sim_admin_notify},
};

void
ohe_sim_admin_handle (OheSimServer *server, OheSimRequest *request)
{
	gboolean path_known = FALSE;

	for (guint i = 0; i < G_N_ELEMENTS (ohe_sim_admin_routes); i++) {
		const OheSimAdminRoute *route = &ohe_sim_admin_routes[i];
		g_autoptr (JsonObject) empty = NULL;
		JsonObject *params;

		if (g_strcmp0 (route->path, request->path) != 0)
			continue;
		path_known = TRUE;
		if (g_strcmp0 (route->method, request->method) != 0)
			continue;
		if (request->json != NULL && JSON_NODE_HOLDS_OBJECT (request->json)) {
			params = json_node_get_object (request->json);
		} else if (route->needs_body && request->json != NULL) {
			ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST,
						       "invalid_request",
						       "body: must be a JSON object");
			return;
		} else {
			empty = json_object_new ();
			params = empty;
		}
		route->func (server, request, params);
		return;
	}
	if (path_known)
		ohe_sim_request_respond_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED,
					       "invalid_request", "method not allowed here");
	else
		ohe_sim_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found",
					       "no such admin endpoint");
}
