/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-sim-google.h"
#include "ohe-sim-server-private.h"
#include "ohe-sim-withings.h"

#define OHE_SIM_ADMIN_PREFIX  "/_sim"
#define OHE_SIM_FIRST_USER_ID 1001

typedef struct {
	gchar *path_prefix;
	OheSimHandlerFunc func;
	gpointer user_data;
	OheSimFaultFunc fault_func;
	gpointer fault_data;
	OheSimRateLimit *rate_limit; /* owned, nullable */
} OheSimProvider;

typedef struct {
	OheSimNotifyFunc func;
	gpointer user_data;
} OheSimNotifier;

/* one request in flight; owns what OheSimRequest points to */
typedef struct {
	OheSimRequest request;
	OheSimProvider *provider; /* not owned */
	gchar *path;
	guint slow_ms;
	GHashTable *query;
	GHashTable *form;
	JsonNode *json;
	GBytes *body;
	SoupServerMessage *msg;
} OheSimCall;

struct _OheSimServer {
	GObject parent_instance;
	GMutex mutex; /* guards users, user_index, stats, total, next_user_id */
	guint64 seed;
	gboolean verbose;
	gint64 data_end;
	OheClock *clock;	/* owned */
	OheSimFault *fault;	/* owned */
	OheSimWebhook *webhook; /* owned */
	GPtrArray *providers;	/* owned OheSimProvider */
	GHashTable *notifiers;	/* name → owned OheSimNotifier */
	GHashTable *oauths;	/* name → owned ref */
	GPtrArray *users;	/* owned OheSimUser */
	GHashTable *user_index; /* id → OheSimUser in users */
	guint next_user_id;
	GHashTable *stats; /* path → count */
	guint total;
	/* serving */
	SoupServer *soup;      /* owned, lives on the serving thread */
	GMainContext *context; /* owned, the serving context */
	GMainLoop *loop;       /* owned, thread mode only */
	GThread *thread;       /* owned, thread mode only */
	guint port;
	GMutex start_mutex;
	GCond start_cond;
	gboolean start_done;
	GError *start_error; /* owned until handed to the starter */
};

G_DEFINE_TYPE (OheSimServer, ohe_sim_server, G_TYPE_OBJECT)

static void
ohe_sim_provider_free (OheSimProvider *provider)
{
	g_free (provider->path_prefix);
	ohe_sim_rate_limit_free (provider->rate_limit);
	g_free (provider);
}

static void
ohe_sim_user_free (OheSimUser *user)
{
	g_free (user->id);
	g_free (user);
}

static void
ohe_sim_call_free (OheSimCall *call)
{
	g_free (call->path);
	g_clear_pointer (&call->query, g_hash_table_unref);
	g_clear_pointer (&call->form, g_hash_table_unref);
	g_clear_pointer (&call->json, json_node_unref);
	g_clear_pointer (&call->body, g_bytes_unref);
	g_clear_object (&call->msg);
	g_free (call);
}

OheSimServer *
ohe_sim_server_new (guint64 seed, GError **error)
{
	OheSimServer *self = g_object_new (OHE_TYPE_SIM_SERVER, NULL);
	gint64 now_s;

	self->seed = seed;
	self->fault = ohe_sim_fault_new (seed);
	self->clock = ohe_clock_new ();
	now_s = ohe_clock_get_real (self->clock) / G_USEC_PER_SEC;
	self->data_end = now_s - now_s % 3600;
	return self;
}

void
ohe_sim_server_register_builtin_providers (OheSimServer *self)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	ohe_sim_withings_register (self);
	ohe_sim_google_register (self);
}

static OheSimProvider *
ohe_sim_server_find_provider_exact (OheSimServer *self, const gchar *path_prefix)
{
	for (guint i = 0; i < self->providers->len; i++) {
		OheSimProvider *provider = g_ptr_array_index (self->providers, i);
		if (g_strcmp0 (provider->path_prefix, path_prefix) == 0)
			return provider;
	}
	return NULL;
}

void
ohe_sim_server_add_provider (OheSimServer *self,
			     const gchar *path_prefix,
			     OheSimHandlerFunc func,
			     gpointer user_data)
{
	OheSimProvider *provider;

	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_return_if_fail (path_prefix != NULL && path_prefix[0] == '/');
	g_return_if_fail (!g_str_has_prefix (path_prefix, OHE_SIM_ADMIN_PREFIX));
	g_return_if_fail (func != NULL);
	g_return_if_fail (ohe_sim_server_find_provider_exact (self, path_prefix) == NULL);

	provider = g_new0 (OheSimProvider, 1);
	provider->path_prefix = g_strdup (path_prefix);
	/* "/withings/" and "/withings" are the same prefix */
	if (strlen (provider->path_prefix) > 1 && g_str_has_suffix (provider->path_prefix, "/"))
		provider->path_prefix[strlen (provider->path_prefix) - 1] = '\0';
	provider->func = func;
	provider->user_data = user_data;
	g_ptr_array_add (self->providers, provider);
}

void
ohe_sim_server_set_fault_func (OheSimServer *self,
			       const gchar *path_prefix,
			       OheSimFaultFunc func,
			       gpointer user_data)
{
	OheSimProvider *provider;

	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	provider = ohe_sim_server_find_provider_exact (self, path_prefix);
	g_return_if_fail (provider != NULL);
	provider->fault_func = func;
	provider->fault_data = user_data;
}

void
ohe_sim_server_add_notifier (OheSimServer *self,
			     const gchar *provider,
			     OheSimNotifyFunc func,
			     gpointer user_data)
{
	OheSimNotifier *notifier;

	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_return_if_fail (provider != NULL && func != NULL);
	notifier = g_new0 (OheSimNotifier, 1);
	notifier->func = func;
	notifier->user_data = user_data;
	g_hash_table_replace (self->notifiers, g_strdup (provider), notifier);
}

gboolean
ohe_sim_server_build_webhook (OheSimServer *self,
			      const gchar *provider,
			      JsonObject *params,
			      OheSimWebhookMessage *message,
			      GError **error)
{
	OheSimNotifier *notifier;

	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), FALSE);
	notifier = provider != NULL ? g_hash_table_lookup (self->notifiers, provider) : NULL;
	if (notifier == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "provider: no webhooks for '%s'", provider != NULL ? provider : "");
		return FALSE;
	}
	return notifier->func (self, params, message, notifier->user_data, error);
}

void
ohe_sim_server_add_oauth (OheSimServer *self, const gchar *provider, OheSimOAuth *oauth)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_return_if_fail (provider != NULL);
	g_return_if_fail (OHE_IS_SIM_OAUTH (oauth));
	g_hash_table_replace (self->oauths, g_strdup (provider), g_object_ref (oauth));
}

OheSimOAuth *
ohe_sim_server_get_oauth (OheSimServer *self, const gchar *provider)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	if (provider == NULL)
		return NULL;
	return g_hash_table_lookup (self->oauths, provider);
}

OheSimFault *
ohe_sim_server_get_fault (OheSimServer *self)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	return self->fault;
}

OheSimWebhook *
ohe_sim_server_get_webhook (OheSimServer *self)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	return self->webhook;
}

OheClock *
ohe_sim_server_get_clock (OheSimServer *self)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	return self->clock;
}

void
ohe_sim_server_set_clock (OheSimServer *self, OheClock *clock)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	g_set_object (&self->clock, clock);
}

guint64
ohe_sim_server_get_seed (OheSimServer *self)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), 0);
	return self->seed;
}

void
ohe_sim_server_set_verbose (OheSimServer *self, gboolean verbose)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	self->verbose = verbose;
}

void
ohe_sim_server_set_data_end (OheSimServer *self, gint64 end)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_mutex_lock (&self->mutex);
	self->data_end = end;
	g_mutex_unlock (&self->mutex);
}

GPtrArray *
ohe_sim_server_add_users (OheSimServer *self, guint count, guint days, guint64 seed)
{
	GPtrArray *added = g_ptr_array_new ();

	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), added);
	g_mutex_lock (&self->mutex);
	for (guint i = 0; i < count; i++) {
		OheSimUser *user = g_new0 (OheSimUser, 1);
		user->id = g_strdup_printf ("%u", self->next_user_id++);
		user->seed = seed;
		user->data_to = self->data_end;
		user->data_from = self->data_end - (gint64)days * 86400;
		g_ptr_array_add (self->users, user);
		g_hash_table_insert (self->user_index, user->id, user);
		g_ptr_array_add (added, user);
	}
	g_mutex_unlock (&self->mutex);
	return added;
}

const OheSimUser *
ohe_sim_server_lookup_user (OheSimServer *self, const gchar *id)
{
	const OheSimUser *user;

	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	if (id == NULL)
		return NULL;
	g_mutex_lock (&self->mutex);
	user = g_hash_table_lookup (self->user_index, id);
	g_mutex_unlock (&self->mutex);
	return user;
}

const OheSimUser *
ohe_sim_server_get_default_user (OheSimServer *self)
{
	const OheSimUser *user = NULL;

	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	g_mutex_lock (&self->mutex);
	if (self->users->len > 0)
		user = g_ptr_array_index (self->users, 0);
	g_mutex_unlock (&self->mutex);
	return user;
}

GPtrArray *
ohe_sim_server_get_users (OheSimServer *self)
{
	GPtrArray *users = g_ptr_array_new ();

	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), users);
	g_mutex_lock (&self->mutex);
	for (guint i = 0; i < self->users->len; i++)
		g_ptr_array_add (users, g_ptr_array_index (self->users, i));
	g_mutex_unlock (&self->mutex);
	return users;
}

guint
ohe_sim_server_get_request_count (OheSimServer *self, const gchar *path)
{
	guint n;

	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), 0);
	g_mutex_lock (&self->mutex);
	n = path == NULL ? self->total : GPOINTER_TO_UINT (g_hash_table_lookup (self->stats, path));
	g_mutex_unlock (&self->mutex);
	return n;
}

void
ohe_sim_server_set_rate_limit (OheSimServer *self, const gchar *path_prefix, OheSimRateLimit *limit)
{
	OheSimProvider *provider;
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_return_if_fail (self->soup == NULL && self->thread == NULL);
	provider = ohe_sim_server_find_provider_exact (self, path_prefix);
	g_return_if_fail (provider != NULL);
	ohe_sim_rate_limit_free (provider->rate_limit);
	provider->rate_limit = limit;
}

guint
ohe_sim_server_get_rate_limited (OheSimServer *self, const gchar *path_prefix)
{
	OheSimProvider *provider;
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), 0);
	provider = ohe_sim_server_find_provider_exact (self, path_prefix);
	g_return_val_if_fail (provider != NULL, 0);
	return provider->rate_limit != NULL ? ohe_sim_rate_limit_get_refused (provider->rate_limit)
					    : 0;
}

guint
ohe_sim_server_get_rate_peak (OheSimServer *self, const gchar *path_prefix)
{
	OheSimProvider *provider;
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), 0);
	provider = ohe_sim_server_find_provider_exact (self, path_prefix);
	g_return_val_if_fail (provider != NULL, 0);
	return provider->rate_limit != NULL ? ohe_sim_rate_limit_get_peak (provider->rate_limit)
					    : 0;
}

void
ohe_sim_server_reset_stats (OheSimServer *self)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));
	g_mutex_lock (&self->mutex);
	g_hash_table_remove_all (self->stats);
	self->total = 0;
	g_mutex_unlock (&self->mutex);
}

JsonNode *
ohe_sim_server_dup_stats (OheSimServer *self)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (GList) paths = NULL;
	GHashTableIter iter;
	gpointer key, value;

	json_builder_begin_object (builder);
	g_mutex_lock (&self->mutex);
	json_builder_set_member_name (builder, "total");
	json_builder_add_int_value (builder, self->total);
	json_builder_set_member_name (builder, "requests");
	json_builder_begin_object (builder);
	paths = g_list_sort (g_hash_table_get_keys (self->stats), (GCompareFunc)g_strcmp0);
	for (GList *l = paths; l != NULL; l = l->next) {
		json_builder_set_member_name (builder, l->data);
		json_builder_add_int_value (
		    builder, GPOINTER_TO_UINT (g_hash_table_lookup (self->stats, l->data)));
	}
	json_builder_end_object (builder);
	g_mutex_unlock (&self->mutex);

	json_builder_set_member_name (builder, "faults");
	json_builder_begin_object (builder);
	for (guint i = OHE_SIM_FAULT_NONE + 1; i < OHE_SIM_FAULT_LAST; i++) {
		json_builder_set_member_name (builder, ohe_sim_fault_kind_to_string (i));
		json_builder_add_int_value (builder, ohe_sim_fault_get_injected (self->fault, i));
	}
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "rate_limited");
	json_builder_begin_object (builder);
	for (guint i = 0; i < self->providers->len; i++) {
		OheSimProvider *provider = g_ptr_array_index (self->providers, i);
		if (provider->rate_limit == NULL)
			continue;
		json_builder_set_member_name (builder, provider->path_prefix);
		json_builder_add_int_value (builder,
					    ohe_sim_rate_limit_get_refused (provider->rate_limit));
	}
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "rate_peak");
	json_builder_begin_object (builder);
	for (guint i = 0; i < self->providers->len; i++) {
		OheSimProvider *provider = g_ptr_array_index (self->providers, i);
		if (provider->rate_limit == NULL)
			continue;
		json_builder_set_member_name (builder, provider->path_prefix);
		json_builder_add_int_value (builder,
					    ohe_sim_rate_limit_get_peak (provider->rate_limit));
	}
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "faults_pending");
	json_builder_add_int_value (builder, ohe_sim_fault_get_pending (self->fault));
	json_builder_set_member_name (builder, "webhooks_sent");
	json_builder_add_int_value (builder, ohe_sim_webhook_get_sent (self->webhook));
	json_builder_set_member_name (builder, "token_responses");
	json_builder_begin_object (builder);
	g_hash_table_iter_init (&iter, self->oauths);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		json_builder_set_member_name (builder, key);
		json_builder_add_int_value (builder, ohe_sim_oauth_get_token_requests (value));
	}
	json_builder_end_object (builder);
	json_builder_end_object (builder);
	return json_builder_get_root (builder);
}

static OheSimProvider *
ohe_sim_server_route (OheSimServer *self, const gchar *path, const gchar **subpath)
{
	OheSimProvider *best = NULL;
	gsize best_len = 0;

	for (guint i = 0; i < self->providers->len; i++) {
		OheSimProvider *provider = g_ptr_array_index (self->providers, i);
		gsize len = strlen (provider->path_prefix);
		/* match whole path segments only: "/withings" is not a prefix of "/withingsx" */
		if (strncmp (path, provider->path_prefix, len) != 0)
			continue;
		if (path[len] != '\0' && path[len] != '/' && len > 1)
			continue;
		if (len > best_len) {
			best = provider;
			best_len = len;
		}
	}
	if (best != NULL)
		*subpath = best_len > 1 ? path + best_len : path;
	return best;
}

static void
ohe_sim_server_count (OheSimServer *self, const gchar *path)
{
	g_mutex_lock (&self->mutex);
	g_hash_table_replace (
	    self->stats, g_strdup (path),
	    GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->stats, path)) + 1));
	self->total++;
	g_mutex_unlock (&self->mutex);
}

/* returns FALSE after answering 400 for a body that does not parse */
static gboolean
ohe_sim_server_parse_body (OheSimCall *call)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (call->msg);
	const gchar *type = soup_message_headers_get_content_type (headers, NULL);
	gsize len = 0;
	const gchar *data = g_bytes_get_data (call->body, &len);

	if (len == 0 || type == NULL)
		return TRUE;
	if (g_ascii_strcasecmp (type, "application/x-www-form-urlencoded") == 0) {
		g_autofree gchar *text = g_strndup (data, len);
		call->form = soup_form_decode (text);
	} else if (g_ascii_strcasecmp (type, "application/json") == 0) {
		g_autoptr (JsonParser) parser = json_parser_new ();
		g_autoptr (GError) error = NULL;
		if (!json_parser_load_from_data (parser, data, (gssize)len, &error)) {
			g_autofree gchar *msg =
			    g_strdup_printf ("body: not JSON: %s", error->message);
			ohe_sim_request_respond_error (&call->request, SOUP_STATUS_BAD_REQUEST,
						       "invalid_request", msg);
			return FALSE;
		}
		call->json = json_parser_steal_root (parser);
	}
	return TRUE;
}

static void
ohe_sim_server_respond_fault_default (OheSimServer *self, OheSimRequest *request)
{
	guint status = ohe_sim_fault_kind_get_status (request->fault);

	if (request->fault == OHE_SIM_FAULT_RATE_LIMITED) {
		g_autofree gchar *retry =
		    g_strdup_printf ("%u", ohe_sim_fault_get_retry_after (self->fault));
		soup_message_headers_replace (
		    soup_server_message_get_response_headers (request->msg), "Retry-After", retry);
		ohe_sim_request_respond_error (request, status, "rate_limited",
					       "too many requests");
	} else if (request->fault == OHE_SIM_FAULT_EXPIRED_TOKEN) {
		ohe_sim_request_respond_error (request, status, "invalid_token",
					       "the access token expired");
	} else if (request->fault == OHE_SIM_FAULT_REVOKED_TOKEN) {
		ohe_sim_request_respond_error (request, status, "invalid_token",
					       "the access token was revoked");
	} else {
		ohe_sim_request_respond_error (request, status, "server_error",
					       soup_status_get_phrase (status));
	}
}

/* cut the answer in half on the wire: announce the full length, send half, close */
static void
ohe_sim_server_truncate (OheSimCall *call)
{
	SoupServerMessage *msg = call->msg;
	SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
	g_autoptr (GBytes) body =
		       soup_message_body_flatten (soup_server_message_get_response_body (msg));
	g_autoptr (GString) head = g_string_new (NULL);
	g_autoptr (GIOStream) stream = NULL;
	SoupMessageHeadersIter iter;
	const gchar *name, *value;
	guint status = soup_server_message_get_status (msg);
	gsize len = g_bytes_get_size (body);

	g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status,
				soup_status_get_phrase (status));
	soup_message_headers_iter_init (&iter, headers);
	while (soup_message_headers_iter_next (&iter, &name, &value)) {
		if (g_ascii_strcasecmp (name, "Content-Length") == 0 ||
		    g_ascii_strcasecmp (name, "Transfer-Encoding") == 0 ||
		    g_ascii_strcasecmp (name, "Connection") == 0)
			continue;
		g_string_append_printf (head, "%s: %s\r\n", name, value);
	}
	g_string_append_printf (
	    head, "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n", len);
	g_string_append_len (head, g_bytes_get_data (body, NULL), (gssize)(len / 2));

	stream = soup_server_message_steal_connection (msg);
	if (stream == NULL)
		return;
	/* loopback and a small answer: a blocking write cannot stall for long */
	g_output_stream_write_all (g_io_stream_get_output_stream (stream), head->str, head->len,
				   NULL, NULL, NULL);
	g_io_stream_close (stream, NULL, NULL);
}

static void
ohe_sim_server_malform (OheSimCall *call)
{
	g_autoptr (GBytes) body = soup_message_body_flatten (
	    soup_server_message_get_response_body (call->msg));
	g_autoptr (GString) text = g_string_new_len (g_bytes_get_data (body, NULL),
						     (gssize)(g_bytes_get_size (body) / 2));

	/* whatever the handler said, the client gets 200 and a body no JSON parser accepts */
	g_string_append (text, "<<malformed");
	soup_server_message_set_status (call->msg, SOUP_STATUS_OK, NULL);
	soup_message_body_truncate (soup_server_message_get_response_body (call->msg));
	soup_server_message_set_response (call->msg, "application/json", SOUP_MEMORY_COPY,
					  text->str, text->len);
}

static void
ohe_sim_server_log (OheSimServer *self, OheSimCall *call)
{
	if (!self->verbose)
		return;
	/* the path only: queries and bodies may carry codes and tokens */
	g_printerr ("%s %s -> %u%s%s\n", call->request.method, call->path,
		    soup_server_message_get_status (call->msg),
		    call->request.fault != OHE_SIM_FAULT_NONE ? " fault=" : "",
		    call->request.fault != OHE_SIM_FAULT_NONE
			? ohe_sim_fault_kind_to_string (call->request.fault)
			: "");
}

static void
ohe_sim_server_dispatch (OheSimServer *self, OheSimCall *call)
{
	OheSimFaultKind fault = call->request.fault;

	/* the handler sees the normal request; wrapping faults are applied afterwards */
	call->request.fault = OHE_SIM_FAULT_NONE;
	call->provider->func (self, &call->request, call->provider->user_data);
	call->request.fault = fault;
	if (soup_server_message_get_status (call->msg) == SOUP_STATUS_NONE)
		ohe_sim_request_respond_error (&call->request, SOUP_STATUS_NOT_FOUND, "not_found",
					       "no such endpoint");
	ohe_sim_server_log (self, call);
	if (fault == OHE_SIM_FAULT_TRUNCATE)
		ohe_sim_server_truncate (call);
	else if (fault == OHE_SIM_FAULT_MALFORMED)
		ohe_sim_server_malform (call);
}

static gboolean
ohe_sim_server_slow_cb (gpointer user_data)
{
	OheSimCall *call = user_data;
	OheSimServer *self = call->request.server;

	ohe_sim_server_dispatch (self, call);
	soup_server_message_unpause (call->msg);
	return G_SOURCE_REMOVE;
}

static GHashTable *
ohe_sim_server_copy_query (GHashTable *query)
{
	GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	GHashTableIter iter;
	gpointer key, value;

	if (query == NULL)
		return copy;
	g_hash_table_iter_init (&iter, query);
	while (g_hash_table_iter_next (&iter, &key, &value))
		g_hash_table_replace (copy, g_strdup (key), g_strdup (value));
	return copy;
}

/* counts the request in its provider's window; FALSE if the window is full */
static gboolean
ohe_sim_server_admit_rate (OheSimServer *self, OheSimProvider *provider, OheSimRequest *request)
{
	const gchar *key = "app";
	if (provider->rate_limit == NULL)
		return TRUE;
	if (ohe_sim_rate_limit_get_scope (provider->rate_limit) == OHE_SIM_RATE_SCOPE_USER) {
		/* the token stands for its user; token grants are not in the per-user quota */
		key = ohe_sim_request_get_header (request, "Authorization");
		if (key == NULL || !g_str_has_prefix (key, "Bearer "))
			return TRUE;
	}
	return ohe_sim_rate_limit_admit (provider->rate_limit, key, g_get_monotonic_time ());
}

static void
ohe_sim_server_handle (SoupServer *soup,
		       SoupServerMessage *msg,
		       const char *path,
		       GHashTable *query,
		       gpointer user_data)
{
	OheSimServer *self = OHE_SIM_SERVER (user_data);
	OheSimCall *call = g_new0 (OheSimCall, 1);
	OheSimRequest *request = &call->request;
	const gchar *requested;
	g_autoptr (GError) error = NULL;

	call->msg = g_object_ref (msg);
	call->path = g_strdup (path);
	call->query = ohe_sim_server_copy_query (query);
	call->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
	request->server = self;
	request->msg = msg;
	request->method = soup_server_message_get_method (msg);
	request->path = call->path;
	request->subpath = call->path;
	request->query = call->query;
	request->body = call->body;

	if (!ohe_sim_server_parse_body (call)) {
		ohe_sim_call_free (call);
		return;
	}
	request->form = call->form;
	request->json = call->json;

	if (g_str_has_prefix (path, OHE_SIM_ADMIN_PREFIX "/") ||
	    g_strcmp0 (path, OHE_SIM_ADMIN_PREFIX) == 0) {
		ohe_sim_admin_handle (self, request);
		ohe_sim_server_log (self, call);
		ohe_sim_call_free (call);
		return;
	}

	ohe_sim_server_count (self, path);
	call->provider = ohe_sim_server_route (self, path, &request->subpath);
	if (call->provider == NULL) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found",
					       "no provider serves this path");
		ohe_sim_server_log (self, call);
		ohe_sim_call_free (call);
		return;
	}

	/* the cloud's own rolling window comes before any injected fault */
	if (!ohe_sim_server_admit_rate (self, call->provider, request)) {
		request->fault = OHE_SIM_FAULT_RATE_LIMITED;
		if (call->provider->fault_func == NULL ||
		    !call->provider->fault_func (self, request, call->provider->fault_data))
			ohe_sim_server_respond_fault_default (self, request);
		ohe_sim_server_log (self, call);
		ohe_sim_call_free (call);
		return;
	}

	requested = ohe_sim_request_get_header (request, "X-Sim-Fault");
	if (requested == NULL)
		requested = g_hash_table_lookup (call->query, "_fault");
	if (!ohe_sim_fault_pick (self->fault, path, requested, &request->fault, &call->slow_ms,
				 &error)) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_request",
					       error->message);
		ohe_sim_server_log (self, call);
		ohe_sim_call_free (call);
		return;
	}
	g_hash_table_remove (call->query, "_fault");

	switch (request->fault) {
	case OHE_SIM_FAULT_RATE_LIMITED:
	case OHE_SIM_FAULT_INTERNAL:
	case OHE_SIM_FAULT_UNAVAILABLE:
	case OHE_SIM_FAULT_EXPIRED_TOKEN:
	case OHE_SIM_FAULT_REVOKED_TOKEN:
		if (call->provider->fault_func == NULL ||
		    !call->provider->fault_func (self, request, call->provider->fault_data))
			ohe_sim_server_respond_fault_default (self, request);
		ohe_sim_server_log (self, call);
		break;
	case OHE_SIM_FAULT_SLOW: {
		g_autoptr (GSource) source = g_timeout_source_new (call->slow_ms);
		soup_server_message_pause (msg);
		g_source_set_callback (source, ohe_sim_server_slow_cb, g_steal_pointer (&call),
				       (GDestroyNotify)ohe_sim_call_free);
		g_source_attach (source, self->context);
		return;
	}
	case OHE_SIM_FAULT_NONE:
	case OHE_SIM_FAULT_TRUNCATE:
	case OHE_SIM_FAULT_MALFORMED:
	case OHE_SIM_FAULT_LAST:
	default:
		ohe_sim_server_dispatch (self, call);
		break;
	}
	ohe_sim_call_free (call);
}

static gboolean
ohe_sim_server_listen_here (OheSimServer *self, guint port, GError **error)
{
	g_autoptr (SoupServer) soup = NULL;
	g_autoptr (GError) error_local = NULL;
	GSList *uris;

	soup = soup_server_new ("server-header", "ohe-simulator", NULL);
	soup_server_add_handler (soup, NULL, ohe_sim_server_handle, self, NULL);
	if (!soup_server_listen_local (soup, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
			     "port: cannot listen on 127.0.0.1:%u: %s", port, error_local->message);
		return FALSE;
	}
	uris = soup_server_get_uris (soup);
	self->port = uris != NULL ? (guint)g_uri_get_port (uris->data) : 0;
	g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
	self->soup = g_steal_pointer (&soup);
	g_clear_pointer (&self->context, g_main_context_unref);
	self->context = g_main_context_ref_thread_default ();
	return TRUE;
}

gboolean
ohe_sim_server_listen (OheSimServer *self, guint port, GError **error)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), FALSE);
	g_return_val_if_fail (self->soup == NULL, FALSE);
	return ohe_sim_server_listen_here (self, port, error);
}

static gpointer
ohe_sim_server_thread (gpointer user_data)
{
	OheSimServer *self = OHE_SIM_SERVER (user_data);
	GMainContext *context = g_main_loop_get_context (self->loop);
	GError *error = NULL;
	gboolean ok;

	g_main_context_push_thread_default (context);
	ok = ohe_sim_server_listen_here (self, self->port, &error);

	g_mutex_lock (&self->start_mutex);
	self->start_error = error;
	self->start_done = TRUE;
	g_cond_signal (&self->start_cond);
	g_mutex_unlock (&self->start_mutex);

	if (ok) {
		g_main_loop_run (self->loop);
		soup_server_disconnect (self->soup);
		g_clear_object (&self->soup);
		/* let the disconnects finish and queued sources (slow answers) go */
		while (g_main_context_iteration (context, FALSE))
			;
	}
	g_main_context_pop_thread_default (context);
	return NULL;
}

gboolean
ohe_sim_server_start_in_thread (OheSimServer *self, guint *port, GError **error)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), FALSE);
	g_return_val_if_fail (self->thread == NULL && self->soup == NULL, FALSE);

	self->port = port != NULL ? *port : 0;
	self->start_done = FALSE;
	{
		g_autoptr (GMainContext) context = g_main_context_new ();
		self->loop = g_main_loop_new (context, FALSE);
	}
	self->thread = g_thread_new ("ohe-simulator", ohe_sim_server_thread, self);

	g_mutex_lock (&self->start_mutex);
	while (!self->start_done)
		g_cond_wait (&self->start_cond, &self->start_mutex);
	g_mutex_unlock (&self->start_mutex);

	if (self->start_error != NULL) {
		g_propagate_error (error, g_steal_pointer (&self->start_error));
		g_thread_join (g_steal_pointer (&self->thread));
		g_clear_pointer (&self->loop, g_main_loop_unref);
		return FALSE;
	}
	if (port != NULL)
		*port = self->port;
	return TRUE;
}

static gboolean
ohe_sim_server_quit_cb (gpointer user_data)
{
	g_main_loop_quit (user_data);
	return G_SOURCE_REMOVE;
}

void
ohe_sim_server_stop (OheSimServer *self)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (self));

	if (self->thread != NULL) {
		/* through the context: quitting before the loop runs would be lost */
		g_main_context_invoke (self->context, ohe_sim_server_quit_cb, self->loop);
		g_thread_join (g_steal_pointer (&self->thread));
		g_clear_pointer (&self->loop, g_main_loop_unref);
	} else if (self->soup != NULL) {
		soup_server_disconnect (self->soup);
		g_clear_object (&self->soup);
	}
	g_clear_pointer (&self->context, g_main_context_unref);
	self->port = 0;
}

guint
ohe_sim_server_get_port (OheSimServer *self)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), 0);
	return self->port;
}

gchar *
ohe_sim_server_get_base_url (OheSimServer *self)
{
	g_return_val_if_fail (OHE_IS_SIM_SERVER (self), NULL);
	return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

static void
ohe_sim_server_dispose (GObject *object)
{
	OheSimServer *self = OHE_SIM_SERVER (object);

	ohe_sim_server_stop (self);
	G_OBJECT_CLASS (ohe_sim_server_parent_class)->dispose (object);
}

static void
ohe_sim_server_finalize (GObject *object)
{
	OheSimServer *self = OHE_SIM_SERVER (object);

	g_clear_object (&self->fault);
	g_clear_object (&self->webhook);
	g_clear_object (&self->clock);
	g_ptr_array_unref (self->providers);
	g_hash_table_unref (self->notifiers);
	g_hash_table_unref (self->oauths);
	g_hash_table_unref (self->user_index);
	g_ptr_array_unref (self->users);
	g_hash_table_unref (self->stats);
	g_clear_error (&self->start_error);
	g_mutex_clear (&self->mutex);
	g_mutex_clear (&self->start_mutex);
	g_cond_clear (&self->start_cond);
	G_OBJECT_CLASS (ohe_sim_server_parent_class)->finalize (object);
}

static void
ohe_sim_server_class_init (OheSimServerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	object_class->dispose = ohe_sim_server_dispose;
	object_class->finalize = ohe_sim_server_finalize;
}

static void
ohe_sim_server_init (OheSimServer *self)
{
	g_mutex_init (&self->mutex);
	g_mutex_init (&self->start_mutex);
	g_cond_init (&self->start_cond);
	self->webhook = ohe_sim_webhook_new ();
	self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_sim_provider_free);
	self->notifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->oauths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
	self->users = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_sim_user_free);
	self->user_index = g_hash_table_new (g_str_hash, g_str_equal);
	self->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->next_user_id = OHE_SIM_FIRST_USER_ID;
}
