/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fake-fhir-server.h"

/*
 * Resources are stored as JSON text under "Type/id"; identifiers are indexed
 * under "Type|system|value". A resource with "status": "bogus" is invalid, so
 * tests can plant one bad entry. Transactions are checked completely before
 * anything is stored (all-or-nothing, like a real server); batches answer
 * per entry. In a transaction, references to an entry's urn:uuid fullUrl are
 * rewritten to where that entry was stored, and POST bodies with an id are
 * refused, like on servers that forbid client ids.
 */

struct _FakeFhirServer {
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
	SoupServer *server; /* owned by the server thread */
	gchar *base_url;
	gchar *host;

	GMutex mutex; /* protects everything below */
	GCond cond;
	gboolean ready;
	guint16 port;
	GHashTable *store;	 /* "Type/id" → JSON text */
	GHashTable *identifiers; /* "Type|system|value" → id */
	GPtrArray *posts;	 /* of owned gchar*, the POST bodies */
	gboolean keep_bodies;
	gboolean discard;     /* answer without storing: benchmarks */
	guint max_entries;    /* larger bundles get 413; 0: no limit */
	gboolean state_limit; /* the 413 states max_entries */
	gchar *interactions;  /* owned, nullable: the metadata's rest[0].interaction */
	guint next_id;
	guint fail_count;
	guint fail_status;
	guint deny_count;
	gboolean name_entry;
	gchar *fhir_version;
	guint n_posts;
	guint n_requests;
	gchar *last_authorization;
};

static void
fake_set_json (SoupServerMessage *msg, guint status, const gchar *json)
{
	soup_server_message_set_status (msg, status, NULL);
	soup_server_message_set_response (msg, "application/fhir+json", SOUP_MEMORY_COPY, json,
					  strlen (json));
}

static gchar *
fake_outcome (const gchar *diagnostics, gint entry)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "resourceType");
	json_builder_add_string_value (b, "OperationOutcome");
	json_builder_set_member_name (b, "issue");
	json_builder_begin_array (b);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "severity");
	json_builder_add_string_value (b, "error");
	json_builder_set_member_name (b, "code");
	json_builder_add_string_value (b, "invalid");
	json_builder_set_member_name (b, "diagnostics");
	json_builder_add_string_value (b, diagnostics);
	if (entry >= 0) {
		g_autofree gchar *expr =
		    g_strdup_printf ("Bundle.entry[%d].resource.status", entry);
		json_builder_set_member_name (b, "expression");
		json_builder_begin_array (b);
		json_builder_add_string_value (b, expr);
		json_builder_end_array (b);
	}
	json_builder_end_object (b);
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	return json_to_string (root, FALSE);
}

/* one entry of a bundle, resolved before anything is stored */
typedef struct {
	JsonObject *resource; /* borrowed, nullable */
	gchar *type;
	gchar *id; /* where it goes, or NULL if it is invalid */
	gboolean exists;
	gboolean store; /* FALSE: conditional create found a match */
	gchar *error;	/* nullable */
	guint error_status;
} FakeEntry;

static void
fake_entry_clear (FakeEntry *e)
{
	g_free (e->type);
	g_free (e->id);
	g_free (e->error);
}

static gboolean
fake_parse_identifier_query (const gchar *query, gchar **system, gchar **value)
{
	const gchar *bar;
	g_autofree gchar *sys = NULL;
	if (query == NULL || !g_str_has_prefix (query, "identifier="))
		return FALSE;
	query += strlen ("identifier=");
	bar = strchr (query, '|');
	if (bar == NULL)
		return FALSE;
	sys = g_strndup (query, (gsize)(bar - query));
	*system = g_uri_unescape_string (sys, NULL);
	*value = g_uri_unescape_string (bar + 1, NULL);
	return *system != NULL && *value != NULL;
}

static void
fake_index_identifiers (FakeFhirServer *self, const gchar *type, JsonObject *res, const gchar *id)
{
	JsonArray *ids;
	if (!json_object_has_member (res, "identifier"))
		return;
	ids = json_object_get_array_member (res, "identifier");
	for (guint i = 0; i < json_array_get_length (ids); i++) {
		JsonObject *ident = json_array_get_object_element (ids, i);
		g_hash_table_replace (
		    self->identifiers,
		    g_strdup_printf (
			"%s|%s|%s", type,
			json_object_get_string_member_with_default (ident, "system", ""),
			json_object_get_string_member_with_default (ident, "value", "")),
		    g_strdup (id));
	}
}

/* figures out where an entry goes; the caller holds the mutex */
static void
fake_resolve_entry (FakeFhirServer *self, JsonObject *entry, FakeEntry *e)
{
	JsonObject *req = json_object_get_object_member (entry, "request");
	const gchar *method = json_object_get_string_member_with_default (req, "method", "");
	const gchar *url = json_object_get_string_member_with_default (req, "url", "");
	const gchar *q = strchr (url, '?');
	g_autofree gchar *system = NULL;
	g_autofree gchar *value = NULL;
	g_autofree gchar *key = NULL;
	const gchar *found;
	JsonNode *status;

	e->resource = json_object_has_member (entry, "resource")
			  ? json_object_get_object_member (entry, "resource")
			  : NULL;
	e->type = q != NULL ? g_strndup (url, (gsize)(q - url)) : g_strdup (url);
	if (strchr (e->type, '/') != NULL)
		*strchr (e->type, '/') = '\0';
	e->store = TRUE;
	if (e->resource == NULL ||
	    g_strcmp0 (json_object_get_string_member_with_default (e->resource, "resourceType", ""),
		       e->type) != 0) {
		e->error = g_strdup ("resource type does not match the request url");
		e->error_status = 400;
		return;
	}
	status = json_object_get_member (e->resource, "status");
	if (status != NULL && JSON_NODE_HOLDS_VALUE (status) &&
	    g_strcmp0 (json_node_get_string (status), "bogus") == 0) {
		e->error = g_strdup_printf ("%s.status: the code is not in the value set", e->type);
		e->error_status = 400;
		return;
	}
	if (g_strcmp0 (method, "PUT") == 0 && q == NULL) {
		g_autofree gchar *path = g_strdup_printf ("%s/", e->type);
		e->id = g_strdup (url + strlen (path));
	} else if (g_strcmp0 (method, "POST") == 0 && json_object_has_member (e->resource, "id")) {
		e->error = g_strdup ("this server assigns the ids: a POST body must not have one");
		e->error_status = 400;
		return;
	} else if (g_strcmp0 (method, "POST") == 0) {
		if (fake_parse_identifier_query (
			json_object_get_string_member_with_default (req, "ifNoneExist", NULL),
			&system, &value)) {
			key = g_strdup_printf ("%s|%s|%s", e->type, system, value);
			found = g_hash_table_lookup (self->identifiers, key);
			if (found != NULL) {
				e->id = g_strdup (found);
				e->exists = TRUE;
				e->store = FALSE;
				return;
			}
		}
		e->id = g_strdup_printf ("srv%u", ++self->next_id);
	} else if (g_strcmp0 (method, "PUT") == 0 &&
		   fake_parse_identifier_query (q + 1, &system, &value)) {
		key = g_strdup_printf ("%s|%s|%s", e->type, system, value);
		found = g_hash_table_lookup (self->identifiers, key);
		e->id =
		    found != NULL ? g_strdup (found) : g_strdup_printf ("srv%u", ++self->next_id);
	} else {
		e->error = g_strdup_printf ("unsupported request %s %s", method, url);
		e->error_status = 400;
		return;
	}
	g_free (key);
	key = g_strdup_printf ("%s/%s", e->type, e->id);
	e->exists = g_hash_table_contains (self->store, key);
}

static void
fake_rewrite_references (JsonNode *node, GHashTable *urls)
{
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *obj = json_node_get_object (node);
		g_autoptr(GList) members = json_object_get_members (obj);
		for (GList *l = members; l != NULL; l = l->next) {
			JsonNode *child = json_object_get_member (obj, l->data);
			const gchar *target;
			if (g_strcmp0 (l->data, "reference") == 0 &&
			    JSON_NODE_HOLDS_VALUE (child) &&
			    (target = g_hash_table_lookup (urls, json_node_get_string (child))) !=
				NULL) {
				json_object_set_string_member (obj, "reference", target);
				continue;
			}
			fake_rewrite_references (child, urls);
		}
	} else if (JSON_NODE_HOLDS_ARRAY (node)) {
		JsonArray *arr = json_node_get_array (node);
		for (guint i = 0; i < json_array_get_length (arr); i++)
			fake_rewrite_references (json_array_get_element (arr, i), urls);
	}
}

static void
fake_store_entry (FakeFhirServer *self, FakeEntry *e)
{
	g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
	json_node_set_object (node, e->resource);
	json_object_set_string_member (e->resource, "id", e->id);
	g_hash_table_replace (self->store, g_strdup_printf ("%s/%s", e->type, e->id),
			      json_to_string (node, FALSE));
	fake_index_identifiers (self, e->type, e->resource, e->id);
}

static void
fake_add_response (JsonBuilder *b, FakeEntry *e)
{
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "response");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "status");
	if (e->error != NULL) {
		g_autofree gchar *outcome = fake_outcome (e->error, -1);
		json_builder_add_string_value (b, "400 Bad Request");
		json_builder_set_member_name (b, "outcome");
		json_builder_add_value (b, json_from_string (outcome, NULL));
	} else {
		g_autofree gchar *location = g_strdup_printf ("%s/%s/_history/1", e->type, e->id);
		json_builder_add_string_value (b, e->exists ? "200 OK" : "201 Created");
		json_builder_set_member_name (b, "location");
		json_builder_add_string_value (b, location);
	}
	json_builder_end_object (b);
	json_builder_end_object (b);
}

static void
fake_handle_bundle (FakeFhirServer *self, SoupServerMessage *msg, JsonNode *root)
{
	JsonObject *bundle = json_node_get_object (root);
	const gchar *type = json_object_get_string_member_with_default (bundle, "type", "");
	gboolean transaction = g_strcmp0 (type, "transaction") == 0;
	JsonArray *entries = json_object_get_array_member (bundle, "entry");
	guint n = json_array_get_length (entries);
	g_autofree FakeEntry *es = g_new0 (FakeEntry, n);
	g_autoptr(GHashTable) urls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) answer = NULL;
	g_autofree gchar *text = NULL;
	gint bad = -1;

	if (self->max_entries > 0 && n > self->max_entries) {
		g_autofree gchar *why =
		    self->state_limit
			? g_strdup_printf ("Bundle has %u entries, more than the %u this server "
					   "accepts",
					   n, self->max_entries)
			: g_strdup ("bundle has too many entries");
		g_autofree gchar *outcome = fake_outcome (why, -1);
		fake_set_json (msg, 413, outcome);
		return;
	}
	for (guint i = 0; i < n; i++) {
		JsonObject *entry = json_array_get_object_element (entries, i);
		fake_resolve_entry (self, entry, &es[i]);
		if (es[i].error != NULL && bad < 0)
			bad = (gint)i;
		if (es[i].id != NULL && json_object_has_member (entry, "fullUrl"))
			g_hash_table_insert (
			    urls, (gpointer)json_object_get_string_member (entry, "fullUrl"),
			    g_strdup_printf ("%s/%s", es[i].type, es[i].id));
	}
	if (transaction && bad >= 0) {
		g_autofree gchar *outcome =
		    fake_outcome (es[bad].error, self->name_entry ? bad : -1);
		fake_set_json (msg, es[bad].error_status, outcome);
		for (guint i = 0; i < n; i++)
			fake_entry_clear (&es[i]);
		return;
	}
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "resourceType");
	json_builder_add_string_value (b, "Bundle");
	json_builder_set_member_name (b, "type");
	json_builder_add_string_value (b, transaction ? "transaction-response" : "batch-response");
	json_builder_set_member_name (b, "entry");
	json_builder_begin_array (b);
	for (guint i = 0; i < n; i++) {
		if (es[i].error == NULL && es[i].store) {
			g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
			json_node_set_object (node, es[i].resource);
			if (transaction && g_hash_table_size (urls) > 0)
				fake_rewrite_references (node, urls);
			if (!self->discard)
				fake_store_entry (self, &es[i]);
		}
		fake_add_response (b, &es[i]);
		fake_entry_clear (&es[i]);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	answer = json_builder_get_root (b);
	text = json_to_string (answer, FALSE);
	fake_set_json (msg, 200, text);
}

static void
fake_handler_cb (SoupServer *server,
		 SoupServerMessage *msg,
		 const char *path,
		 GHashTable *query,
		 gpointer user_data)
{
	FakeFhirServer *self = user_data;
	const gchar *method = soup_server_message_get_method (msg);
	SoupMessageHeaders *hdrs = soup_server_message_get_request_headers (msg);
	SoupMessageBody *body = soup_server_message_get_request_body (msg);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(JsonNode) root = NULL;

	g_mutex_lock (&self->mutex);
	self->n_requests++;
	g_free (self->last_authorization);
	self->last_authorization = g_strdup (soup_message_headers_get_one (hdrs, "Authorization"));
	if (self->deny_count > 0) {
		self->deny_count--;
		fake_set_json (msg, 401, "{\"resourceType\":\"OperationOutcome\",\"issue\":[]}");
	} else if (g_strcmp0 (method, "GET") == 0 && g_strcmp0 (path, "/fhir/metadata") == 0) {
		g_autofree gchar *rest =
		    self->interactions != NULL
			? g_strdup_printf (",\"rest\":[{\"mode\":\"server\",\"interaction\":%s}]",
					   self->interactions)
			: g_strdup ("");
		g_autofree gchar *json = g_strdup_printf (
		    "{\"resourceType\":\"CapabilityStatement\",\"status\":\"active\","
		    "\"kind\":\"instance\",\"fhirVersion\":\"%s\",\"format\":[\"json\"]%s}",
		    self->fhir_version, rest);
		fake_set_json (msg, 200, json);
	} else if (g_strcmp0 (method, "POST") == 0 && g_strcmp0 (path, "/fhir") == 0) {
		self->n_posts++;
		bytes = soup_message_body_flatten (body);
		root = json_from_string (g_bytes_get_data (bytes, NULL), NULL);
		/* kept as text: handling the bundle changes the parsed tree */
		if (self->keep_bodies)
			g_ptr_array_add (self->posts, g_strndup (g_bytes_get_data (bytes, NULL),
								 g_bytes_get_size (bytes)));
		if (self->fail_count > 0) {
			self->fail_count--;
			fake_set_json (msg, self->fail_status,
				       "{\"resourceType\":\"OperationOutcome\",\"issue\":[]}");
		} else if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
			g_autofree gchar *outcome = fake_outcome ("body is not JSON", -1);
			fake_set_json (msg, 400, outcome);
		} else {
			fake_handle_bundle (self, msg, root);
		}
	} else {
		g_autofree gchar *outcome = fake_outcome ("no such endpoint", -1);
		fake_set_json (msg, 404, outcome);
	}
	g_mutex_unlock (&self->mutex);
}

static gpointer
fake_thread (gpointer user_data)
{
	FakeFhirServer *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	g_main_context_push_thread_default (self->context);
	self->server = soup_server_new (NULL, NULL);
	soup_server_add_handler (self->server, NULL, fake_handler_cb, self, NULL);
	/* our own socket: soup_server_listen_local() of libsoup 3.2 leaks its address */
	socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			       &error);
	g_assert_no_error (error);
	g_assert_true (g_socket_bind (socket, address, TRUE, &error));
	g_assert_true (g_socket_listen (socket, &error));
	g_assert_true (soup_server_listen_socket (self->server, socket, 0, &error));
	bound = g_socket_get_local_address (socket, &error);
	g_assert_no_error (error);

	g_mutex_lock (&self->mutex);
	self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	self->ready = TRUE;
	g_cond_signal (&self->cond);
	g_mutex_unlock (&self->mutex);

	g_main_loop_run (self->loop);
	soup_server_disconnect (self->server);
	g_clear_object (&self->server);
	while (g_main_context_iteration (self->context, FALSE))
		;
	g_main_context_pop_thread_default (self->context);
	return NULL;
}

FakeFhirServer *
fake_fhir_server_new (void)
{
	FakeFhirServer *self = g_new0 (FakeFhirServer, 1);
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
	self->store = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->identifiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->posts = g_ptr_array_new_with_free_func (g_free);
	self->keep_bodies = TRUE;
	self->fhir_version = g_strdup ("5.0.0");
	self->context = g_main_context_new ();
	self->loop = g_main_loop_new (self->context, FALSE);
	self->thread = g_thread_new ("fake-fhir", fake_thread, self);
	g_mutex_lock (&self->mutex);
	while (!self->ready)
		g_cond_wait (&self->cond, &self->mutex);
	g_mutex_unlock (&self->mutex);
	self->base_url = g_strdup_printf ("http://127.0.0.1:%u/fhir", self->port);
	self->host = g_strdup_printf ("127.0.0.1:%u", self->port);
	return self;
}

static gboolean
fake_quit_cb (gpointer user_data)
{
	FakeFhirServer *self = user_data;
	g_main_loop_quit (self->loop);
	return G_SOURCE_REMOVE;
}

void
fake_fhir_server_free (FakeFhirServer *self)
{
	g_main_context_invoke (self->context, fake_quit_cb, self);
	g_thread_join (self->thread);
	g_main_loop_unref (self->loop);
	g_main_context_unref (self->context);
	g_hash_table_unref (self->store);
	g_hash_table_unref (self->identifiers);
	g_ptr_array_unref (self->posts);
	g_free (self->fhir_version);
	g_free (self->interactions);
	g_free (self->last_authorization);
	g_free (self->base_url);
	g_free (self->host);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	g_free (self);
}

const gchar *
fake_fhir_server_get_base_url (FakeFhirServer *self)
{
	return self->base_url;
}

const gchar *
fake_fhir_server_get_host (FakeFhirServer *self)
{
	return self->host;
}

void
fake_fhir_server_fail_next (FakeFhirServer *self, guint count, guint status)
{
	g_mutex_lock (&self->mutex);
	self->fail_count = count;
	self->fail_status = status;
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_deny_next (FakeFhirServer *self, guint count)
{
	g_mutex_lock (&self->mutex);
	self->deny_count = count;
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_name_entry (FakeFhirServer *self, gboolean name_entry)
{
	g_mutex_lock (&self->mutex);
	self->name_entry = name_entry;
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_fhir_version (FakeFhirServer *self, const gchar *version)
{
	g_mutex_lock (&self->mutex);
	g_free (self->fhir_version);
	self->fhir_version = g_strdup (version);
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_keep_bodies (FakeFhirServer *self, gboolean keep)
{
	g_mutex_lock (&self->mutex);
	self->keep_bodies = keep;
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_max_entries (FakeFhirServer *self, guint max_entries)
{
	g_mutex_lock (&self->mutex);
	self->max_entries = max_entries;
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_state_limit (FakeFhirServer *self, gboolean state_limit)
{
	g_mutex_lock (&self->mutex);
	self->state_limit = state_limit;
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_interactions (FakeFhirServer *self, const gchar *interactions)
{
	g_mutex_lock (&self->mutex);
	g_free (self->interactions);
	self->interactions = g_strdup (interactions);
	g_mutex_unlock (&self->mutex);
}

void
fake_fhir_server_set_discard (FakeFhirServer *self, gboolean discard)
{
	g_mutex_lock (&self->mutex);
	self->discard = discard;
	g_mutex_unlock (&self->mutex);
}

guint
fake_fhir_server_get_n_posts (FakeFhirServer *self)
{
	guint n;
	g_mutex_lock (&self->mutex);
	n = self->n_posts;
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
fake_fhir_server_get_n_requests (FakeFhirServer *self)
{
	guint n;
	g_mutex_lock (&self->mutex);
	n = self->n_requests;
	g_mutex_unlock (&self->mutex);
	return n;
}

guint
fake_fhir_server_count (FakeFhirServer *self, const gchar *resource_type)
{
	g_autofree gchar *prefix = g_strdup_printf ("%s/", resource_type);
	GHashTableIter iter;
	gpointer key;
	guint n = 0;

	g_mutex_lock (&self->mutex);
	g_hash_table_iter_init (&iter, self->store);
	while (g_hash_table_iter_next (&iter, &key, NULL))
		n += g_str_has_prefix (key, prefix) ? 1 : 0;
	g_mutex_unlock (&self->mutex);
	return n;
}

gchar *
fake_fhir_server_dup_resource (FakeFhirServer *self, const gchar *resource_type, const gchar *id)
{
	g_autofree gchar *key = g_strdup_printf ("%s/%s", resource_type, id);
	gchar *json;
	g_mutex_lock (&self->mutex);
	json = g_strdup (g_hash_table_lookup (self->store, key));
	g_mutex_unlock (&self->mutex);
	return json;
}

gchar *
fake_fhir_server_dup_by_identifier (FakeFhirServer *self,
				    const gchar *resource_type,
				    const gchar *system,
				    const gchar *value)
{
	g_autofree gchar *key = g_strdup_printf ("%s|%s|%s", resource_type, system, value);
	const gchar *id;
	gchar *ref = NULL;
	g_mutex_lock (&self->mutex);
	id = g_hash_table_lookup (self->identifiers, key);
	if (id != NULL)
		ref = g_strdup_printf ("%s/%s", resource_type, id);
	g_mutex_unlock (&self->mutex);
	return ref;
}

JsonNode *
fake_fhir_server_dup_post (FakeFhirServer *self, guint nth)
{
	JsonNode *node = NULL;
	g_mutex_lock (&self->mutex);
	if (nth < self->posts->len)
		node = json_from_string (g_ptr_array_index (self->posts, nth), NULL);
	g_mutex_unlock (&self->mutex);
	return node;
}

gchar *
fake_fhir_server_dup_last_authorization (FakeFhirServer *self)
{
	gchar *auth;
	g_mutex_lock (&self->mutex);
	auth = g_strdup (self->last_authorization);
	g_mutex_unlock (&self->mutex);
	return auth;
}
