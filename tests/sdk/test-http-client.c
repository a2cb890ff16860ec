/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-circuit-breaker.h"
#include "oheplugin.h"

/*
 * OheHttpClient against a SoupServer on loopback. The server runs in its own
 * thread with its own main context because ohe_http_client_send() blocks the
 * test thread. The client uses a fake clock, so backoff, Retry-After, rate
 * limits and breaker periods cost no real time; the clock records how long
 * the client slept, which is what the tests assert on.
 */

#define TEST_START_US ((gint64)1767225600 * G_USEC_PER_SEC) /* 2026-01-01T00:00:00Z */
#define TEST_SECOND   ((gint64)G_USEC_PER_SEC)

typedef enum {
	TEST_REPLY_NORMAL,
	TEST_REPLY_HANG,       /* never answer: for timeouts */
	TEST_REPLY_DATE_AFTER, /* Retry-After as an HTTP-date, retry_after seconds from now */
} TestReplyKind;

typedef struct {
	TestReplyKind kind;
	guint status;
	gchar *retry_after; /* nullable */
	gchar *content_type;
	gchar *body; /* nullable */
} TestReply;

typedef struct {
	/* set up before the server thread starts, then read-only */
	GMainContext *context;
	GMainLoop *loop;
	OheClock *clock;
	GThread *thread;
	SoupServer *server; /* owned by the server thread */
	guint16 port;

	/* protected by mutex */
	GMutex mutex;
	GCond cond;
	gboolean ready;
	GQueue replies;	    /* of owned TestReply, answered in order */
	TestReply fallback; /* once replies is empty */
	guint hits;
	gchar *last_method;
	gchar *last_path;
	gchar *last_query;
	gchar *last_authorization;
	gchar *last_user_agent;
	gchar *last_content_type;
	GBytes *last_body;

	/* test thread */
	OheHttpClient *client;
	gchar *base_uri; /* http://127.0.0.1:PORT */
	gchar *host;	 /* 127.0.0.1:PORT, the default breaker target */
} Fixture;

static void
test_reply_free (TestReply *reply)
{
	g_free (reply->retry_after);
	g_free (reply->content_type);
	g_free (reply->body);
	g_free (reply);
}

static void
test_reply_fill (
    TestReply *reply, TestReplyKind kind, guint status, const gchar *retry_after, const gchar *body)
{
	g_free (reply->retry_after);
	g_free (reply->content_type);
	g_free (reply->body);
	reply->kind = kind;
	reply->status = status;
	reply->retry_after = g_strdup (retry_after);
	reply->content_type = g_strdup ("application/json");
	reply->body = g_strdup (body);
}

static void
test_push_reply (Fixture *f, guint status, const gchar *retry_after, const gchar *body)
{
	TestReply *reply = g_new0 (TestReply, 1);
	test_reply_fill (reply, TEST_REPLY_NORMAL, status, retry_after, body);
	g_mutex_lock (&f->mutex);
	g_queue_push_tail (&f->replies, reply);
	g_mutex_unlock (&f->mutex);
}

static void
test_push_reply_full (Fixture *f,
		      TestReplyKind kind,
		      guint status,
		      const gchar *retry_after,
		      const gchar *content_type,
		      const gchar *body)
{
	TestReply *reply = g_new0 (TestReply, 1);
	test_reply_fill (reply, kind, status, retry_after, body);
	g_free (reply->content_type);
	reply->content_type = g_strdup (content_type);
	g_mutex_lock (&f->mutex);
	g_queue_push_tail (&f->replies, reply);
	g_mutex_unlock (&f->mutex);
}

static void
test_set_fallback (Fixture *f, guint status, const gchar *retry_after, const gchar *body)
{
	g_mutex_lock (&f->mutex);
	test_reply_fill (&f->fallback, TEST_REPLY_NORMAL, status, retry_after, body);
	g_mutex_unlock (&f->mutex);
}

static guint
test_get_hits (Fixture *f)
{
	guint hits;
	g_mutex_lock (&f->mutex);
	hits = f->hits;
	g_mutex_unlock (&f->mutex);
	return hits;
}

static void
test_server_handler_cb (SoupServer *server,
			SoupServerMessage *msg,
			const char *path,
			GHashTable *query,
			gpointer user_data)
{
	Fixture *f = user_data;
	SoupMessageHeaders *req_hdrs = soup_server_message_get_request_headers (msg);
	SoupMessageHeaders *resp_hdrs = soup_server_message_get_response_headers (msg);
	TestReply *reply;
	g_autoptr(GBytes) body = NULL;

	g_mutex_lock (&f->mutex);
	f->hits++;
	g_free (f->last_method);
	f->last_method = g_strdup (soup_server_message_get_method (msg));
	g_free (f->last_path);
	f->last_path = g_strdup (path);
	g_free (f->last_query);
	f->last_query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
	g_free (f->last_authorization);
	f->last_authorization = g_strdup (soup_message_headers_get_one (req_hdrs, "Authorization"));
	g_free (f->last_user_agent);
	f->last_user_agent = g_strdup (soup_message_headers_get_one (req_hdrs, "User-Agent"));
	g_free (f->last_content_type);
	f->last_content_type = g_strdup (soup_message_headers_get_content_type (req_hdrs, NULL));
	g_clear_pointer (&f->last_body, g_bytes_unref);
	f->last_body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

	reply = g_queue_pop_head (&f->replies);
	if (reply == NULL) {
		reply = g_new0 (TestReply, 1);
		test_reply_fill (reply, f->fallback.kind, f->fallback.status,
				 f->fallback.retry_after, f->fallback.body);
	}
	g_mutex_unlock (&f->mutex);

	if (reply->kind == TEST_REPLY_HANG) {
		/* the client gives up first; disconnecting the server ends it */
		soup_server_message_pause (msg);
		test_reply_free (reply);
		return;
	}
	soup_server_message_set_status (msg, reply->status, NULL);
	if (reply->kind == TEST_REPLY_DATE_AFTER) {
		gint64 seconds = g_ascii_strtoll (reply->retry_after, NULL, 10);
		g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (
		    ohe_clock_get_real (f->clock) / G_USEC_PER_SEC + seconds);
		g_autofree gchar *text = soup_date_time_to_string (date, SOUP_DATE_HTTP);
		soup_message_headers_replace (resp_hdrs, "Retry-After", text);
	} else if (reply->retry_after != NULL) {
		soup_message_headers_replace (resp_hdrs, "Retry-After", reply->retry_after);
	}
	if (reply->body != NULL)
		soup_server_message_set_response (msg, reply->content_type, SOUP_MEMORY_COPY,
						  reply->body, strlen (reply->body));
	test_reply_free (reply);
}

static gpointer
test_server_thread (gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	g_main_context_push_thread_default (f->context);
	f->server = soup_server_new (NULL, NULL);
	soup_server_add_handler (f->server, NULL, test_server_handler_cb, f, NULL);
	/* our own socket: soup_server_listen_local() of libsoup 3.2 leaks its address */
	socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			       &error);
	g_assert_no_error (error);
	g_assert_true (g_socket_bind (socket, address, TRUE, &error));
	g_assert_no_error (error);
	g_assert_true (g_socket_listen (socket, &error));
	g_assert_no_error (error);
	g_assert_true (soup_server_listen_socket (f->server, socket, 0, &error));
	g_assert_no_error (error);
	bound = g_socket_get_local_address (socket, &error);
	g_assert_no_error (error);

	g_mutex_lock (&f->mutex);
	f->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	f->ready = TRUE;
	g_cond_signal (&f->cond);
	g_mutex_unlock (&f->mutex);

	g_main_loop_run (f->loop);

	soup_server_disconnect (f->server);
	g_clear_object (&f->server);
	/* let the disconnected connections finish */
	while (g_main_context_iteration (f->context, FALSE))
		;
	g_main_context_pop_thread_default (f->context);
	return NULL;
}

static gboolean
test_server_quit_cb (gpointer user_data)
{
	Fixture *f = user_data;
	g_main_loop_quit (f->loop);
	return G_SOURCE_REMOVE;
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	g_mutex_init (&f->mutex);
	g_cond_init (&f->cond);
	g_queue_init (&f->replies);
	test_reply_fill (&f->fallback, TEST_REPLY_NORMAL, 200, NULL, "{\"status\":0}");
	f->context = g_main_context_new ();
	f->loop = g_main_loop_new (f->context, FALSE);
	f->clock = ohe_clock_new_fake (TEST_START_US);
	f->thread = g_thread_new ("test-server", test_server_thread, f);

	g_mutex_lock (&f->mutex);
	while (!f->ready)
		g_cond_wait (&f->cond, &f->mutex);
	g_mutex_unlock (&f->mutex);

	f->base_uri = g_strdup_printf ("http://127.0.0.1:%u", f->port);
	f->host = g_strdup_printf ("127.0.0.1:%u", f->port);
	f->client = ohe_http_client_new ("test");
	ohe_http_client_set_clock (f->client, f->clock);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	g_assert_finalize_object (f->client);
	g_main_context_invoke (f->context, test_server_quit_cb, f);
	g_thread_join (f->thread);
	g_main_loop_unref (f->loop);
	g_main_context_unref (f->context);
	g_assert_finalize_object (f->clock);

	g_queue_clear_full (&f->replies, (GDestroyNotify)test_reply_free);
	g_free (f->fallback.retry_after);
	g_free (f->fallback.content_type);
	g_free (f->fallback.body);
	g_free (f->last_method);
	g_free (f->last_path);
	g_free (f->last_query);
	g_free (f->last_authorization);
	g_free (f->last_user_agent);
	g_free (f->last_content_type);
	g_clear_pointer (&f->last_body, g_bytes_unref);
	g_free (f->base_uri);
	g_free (f->host);
	g_mutex_clear (&f->mutex);
	g_cond_clear (&f->cond);
}

static gchar *
test_uri (Fixture *f, const gchar *path)
{
	return g_strdup_printf ("%s%s", f->base_uri, path);
}

static OheHttpResponse *
test_get (Fixture *f, const gchar *path, GError **error)
{
	g_autofree gchar *uri = test_uri (f, path);
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
	return ohe_http_client_send (f->client, request, NULL, error);
}

static gchar *
test_body_to_string (GBytes *bytes)
{
	gsize size = 0;
	const gchar *data = g_bytes_get_data (bytes, &size);
	return g_strndup (data, size);
}

/* requests and responses without a network */

static void
test_request_build (void)
{
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(SoupMessage) msg = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
	SoupMessageHeaders *hdrs;

	request = ohe_http_request_new ("GET", "https://api.example.com/v2/measure?action=getmeas");
	ohe_http_request_add_header (request, "Accept", "application/json");
	ohe_http_request_set_bearer (request, "tok123");
	msg = ohe_http_request_build_message (request, &error);
	g_assert_no_error (error);
	g_assert_nonnull (msg);
	g_assert_cmpstr (soup_message_get_method (msg), ==, "GET");
	g_assert_cmpstr (g_uri_get_host (soup_message_get_uri (msg)), ==, "api.example.com");
	g_assert_cmpstr (g_uri_get_query (soup_message_get_uri (msg)), ==, "action=getmeas");
	hdrs = soup_message_get_request_headers (msg);
	g_assert_cmpstr (soup_message_headers_get_one (hdrs, "Authorization"), ==, "Bearer tok123");
	g_assert_cmpstr (soup_message_headers_get_one (hdrs, "Accept"), ==, "application/json");
	g_assert_true (soup_message_get_flags (msg) & SOUP_MESSAGE_NO_REDIRECT);
	g_assert_true (ohe_http_request_get_idempotent (request));
	g_clear_object (&msg);
	g_clear_object (&request);

	/* form bodies are encoded once and carry their content type */
	request = ohe_http_request_new ("POST", "https://auth.example.com/oauth2/token");
	g_hash_table_insert (form, "grant_type", "refresh_token");
	ohe_http_request_set_form (request, form);
	g_assert_cmpstr (ohe_http_request_get_content_type (request), ==,
			 "application/x-www-form-urlencoded");
	{
		g_autofree gchar *body = test_body_to_string (ohe_http_request_get_body (request));
		g_assert_cmpstr (body, ==, "grant_type=refresh_token");
	}
	g_assert_false (ohe_http_request_get_idempotent (request));
	ohe_http_request_set_idempotent (request, TRUE);
	g_assert_true (ohe_http_request_get_idempotent (request));
	ohe_http_request_set_json (request, "{\"a\":1}");
	g_assert_cmpstr (ohe_http_request_get_content_type (request), ==, "application/json");
	msg = ohe_http_request_build_message (request, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (
	    soup_message_headers_get_content_type (soup_message_get_request_headers (msg), NULL),
	    ==, "application/json");
	g_clear_object (&msg);
	g_clear_object (&request);

	/* the defaults of the other methods */
	request = ohe_http_request_new ("PUT", "https://fhir.example.com/Observation/1");
	g_assert_true (ohe_http_request_get_idempotent (request));
	g_clear_object (&request);
	request = ohe_http_request_new ("DELETE", "https://fhir.example.com/Observation/1");
	g_assert_true (ohe_http_request_get_idempotent (request));
	g_clear_object (&request);
	request = ohe_http_request_new ("PATCH", "https://fhir.example.com/Observation/1");
	g_assert_false (ohe_http_request_get_idempotent (request));
	g_clear_object (&request);
}

static void
test_request_invalid (void)
{
	struct {
		const gchar *method;
		const gchar *uri;
		const gchar *message;
	} cases[] = {
	    {"GET", "ftp://example.com/file?secret=S3CRET", "scheme must be http or https"},
	    {"GET", "https://exa mple.com/?secret=S3CRET", "its host is invalid"},
	    {"GET", "https:///path?secret=S3CRET", "it has no host"},
	    {"GET", "/relative?secret=S3CRET", "invalid URI for GET request"},
	    {"GET", "https://example.com:99999/?secret=S3CRET", "its port is invalid"},
	    {"GE T", "https://example.com/?secret=S3CRET", "method is not a valid token"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(OheHttpRequest) request =
			       ohe_http_request_new (cases[i].method, cases[i].uri);
		g_autoptr(GError) error = NULL;
		g_autoptr(SoupMessage) msg = ohe_http_request_build_message (request, &error);
		g_assert_null (msg);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_nonnull (strstr (error->message, cases[i].message));
		g_assert_null (strstr (error->message, "S3CRET"));
	}

	/* header injection is refused without quoting the value */
	{
		g_autoptr(OheHttpRequest) request =
			       ohe_http_request_new ("GET", "https://example.com/");
		g_autoptr(GError) error = NULL;
		g_autoptr(SoupMessage) msg = NULL;
		ohe_http_request_add_header (request, "X-Token", "S3CRET\r\nX-Evil: 1");
		msg = ohe_http_request_build_message (request, &error);
		g_assert_null (msg);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_cmpstr (error->message, ==,
				 "value of HTTP header X-Token contains a line break");
	}
	{
		g_autoptr(OheHttpRequest) request =
			       ohe_http_request_new ("GET", "https://example.com/");
		g_autoptr(GError) error = NULL;
		g_autoptr(SoupMessage) msg = NULL;
		ohe_http_request_set_bearer (request, "S3CRET\nX-Evil: 1");
		msg = ohe_http_request_build_message (request, &error);
		g_assert_null (msg);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_null (strstr (error->message, "S3CRET"));
	}
}

static void
test_response_check_status (void)
{
	struct {
		guint status;
		gint code; /* -1: no error */
		const gchar *message;
	} cases[] = {
	    {200, -1, NULL},
	    {204, -1, NULL},
	    {301, OHE_ERROR_FAILED, "HTTP 301 Moved Permanently"},
	    {400, OHE_ERROR_INVALID_ARGUMENT, "HTTP 400 Bad Request"},
	    {401, OHE_ERROR_AUTH_EXPIRED, "HTTP 401 Unauthorized"},
	    {403, OHE_ERROR_PERMISSION_DENIED, "HTTP 403 Forbidden"},
	    {404, OHE_ERROR_NOT_FOUND, "HTTP 404 Not Found"},
	    {409, OHE_ERROR_CONFLICT, "HTTP 409 Conflict"},
	    {410, OHE_ERROR_GONE, "HTTP 410 Gone"},
	    {422, OHE_ERROR_INVALID_ARGUMENT, "HTTP 422 Unprocessable Entity"},
	    {429, OHE_ERROR_RATE_LIMITED, "HTTP 429 Too Many Requests"},
	    {500, OHE_ERROR_UNAVAILABLE, "HTTP 500 Internal Server Error"},
	    {503, OHE_ERROR_UNAVAILABLE, "HTTP 503 Service Unavailable"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(OheHttpResponse) response =
			       ohe_http_response_new (cases[i].status, NULL, NULL);
		g_autoptr(GError) error = NULL;
		gboolean ok = ohe_http_response_check_status (response, &error);
		g_assert_cmpint (ohe_http_response_get_status (response), ==, cases[i].status);
		if (cases[i].code < 0) {
			g_assert_no_error (error);
			g_assert_true (ok);
			continue;
		}
		g_assert_false (ok);
		g_assert_error (error, OHE_ERROR, cases[i].code);
		g_assert_cmpstr (error->message, ==, cases[i].message);
	}
}

static OheHttpResponse *
test_response_new (const gchar *content_type, const gchar *body, gsize size)
{
	g_autoptr(SoupMessageHeaders) hdrs =
		       soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
	g_autoptr(GBytes) bytes = g_bytes_new (body, size);
	if (content_type != NULL)
		soup_message_headers_set_content_type (hdrs, content_type, NULL);
	return ohe_http_response_new (200, hdrs, bytes);
}

static void
test_response_json (void)
{
	struct {
		const gchar *content_type;
		const gchar *body;
		const gchar *message;
	} cases[] = {
	    {"application/json", "", "HTTP 200 response body is empty, expected JSON"},
	    {"application/json", " \n ",
	     "HTTP 200 response body holds only whitespace, expected JSON"},
	    {"application/json", "{\"token\": S3CRET}",
	     "HTTP 200 response body is not valid JSON: unexpected token at line 1 column 16"},
	    {"application/json", "{\"a\":\n  [1 2]}",
	     "HTTP 200 response body is not valid JSON: missing comma at line 2 column 4"},
	    {"text/html", "<html>S3CRET</html>",
	     "HTTP 200 response body (content type text/html) is not valid JSON: unexpected token "
	     "at line 1 column 1"},
	    {"application/json", "{\"a\": \"\xff\"}",
	     "HTTP 200 response body is not valid JSON: not UTF-8"},
	};
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;

	const gchar *good = "{\"status\":0,\"body\":{\"measuregrps\":[]}}";

	response = test_response_new ("application/json; charset=utf-8", good, strlen (good));
	node = ohe_http_response_get_json (response, &error);
	g_assert_no_error (error);
	g_assert_nonnull (node);
	g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
	g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "status"), ==, 0);
	g_assert_cmpstr (ohe_http_response_get_header (response, "content-type"), ==,
			 "application/json; charset=utf-8");

	/* larger than any provider page: refused without parsing */
	{
		gsize size = (gsize)OHE_HTTP_RESPONSE_MAX_BODY_SIZE + 1;
		g_autoptr(GBytes) bytes = g_bytes_new_take (g_malloc0 (size), size);
		g_autoptr(OheHttpResponse) huge = ohe_http_response_new (200, NULL, bytes);
		g_autoptr(JsonNode) huge_node = ohe_http_response_get_json (huge, &error);
		g_assert_null (huge_node);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (
		    error->message, ==,
		    "HTTP 200 response body of 67108865 bytes exceeds the JSON limit of "
		    "67108864 bytes");
		g_clear_error (&error);
	}

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(OheHttpResponse) bad = test_response_new (
		    cases[i].content_type, cases[i].body, strlen (cases[i].body));
		g_autoptr(JsonNode) bad_node = NULL;
		g_autoptr(GError) bad_error = NULL;
		bad_node = ohe_http_response_get_json (bad, &bad_error);
		g_assert_null (bad_node);
		g_assert_error (bad_error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (bad_error->message, ==, cases[i].message);
	}
}

/* the private helpers */

static void
test_memory_rate_limiter (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheRateLimiter) limiter = ohe_memory_rate_limiter_new (clock);
	const OheRateLimit app = {"p:app", 3, 10 * TEST_SECOND};
	const OheRateLimit both[] = {{"p:app", 3, 10 * TEST_SECOND},
				     {"p:user:u", 1, 4 * TEST_SECOND}};
	const OheRateLimit bad = {"p:app", 0, 10 * TEST_SECOND};
	g_autoptr(GError) error = NULL;
	guint64 tickets[3] = {0};
	guint64 ticket = 0;
	gint64 wait_us = -1;

	/* three at once, then nothing until the first of them leaves the window */
	for (guint i = 0; i < 3; i++) {
		g_assert_true (
		    ohe_rate_limiter_acquire (limiter, &app, 1, &wait_us, &tickets[i], &error));
		g_assert_no_error (error);
		g_assert_cmpint (wait_us, ==, 0);
		g_assert_cmpuint (tickets[i], !=, 0);
		ohe_clock_advance (clock, TEST_SECOND);
	}
	g_assert_cmpuint (ohe_memory_rate_limiter_count (OHE_MEMORY_RATE_LIMITER (limiter), "p:app",
							 10 * TEST_SECOND),
			  ==, 3);
	/* now start+3 s: the first (start) leaves at start+10 s, not after a refill of 10/3 s */
	g_assert_true (ohe_rate_limiter_acquire (limiter, &app, 1, &wait_us, &ticket, &error));
	g_assert_cmpint (wait_us, ==, 7 * TEST_SECOND);
	g_assert_cmpuint (ticket, ==, 0);

	/* an answer that came 5 s after its request counts from then: the first request,
	 * completed at start+5 s, now holds its slot until start+15 s */
	ohe_clock_advance (clock, 2 * TEST_SECOND);
	ohe_rate_limiter_complete (limiter, &app, 1, tickets[0]);
	ohe_clock_advance (clock, 6 * TEST_SECOND);
	/* start+11 s: the second (start+1 s) has left, so one slot is free */
	g_assert_true (ohe_rate_limiter_acquire (limiter, &app, 1, &wait_us, &ticket, &error));
	g_assert_cmpint (wait_us, ==, 0);
	/* and the next waits for the third (start+2 s, leaving at start+12 s) */
	g_assert_true (ohe_rate_limiter_acquire (limiter, &app, 1, &wait_us, &ticket, &error));
	g_assert_cmpint (wait_us, ==, 1 * TEST_SECOND);

	/* two limits: admitted under both or recorded in neither */
	ohe_clock_advance (clock, 2 * TEST_SECOND);
	g_assert_true (ohe_rate_limiter_acquire (limiter, both, 2, &wait_us, &ticket, &error));
	g_assert_cmpint (wait_us, ==, 0);
	/* start+13 s: the app window holds +5 s (completed), +11 s, +13 s and waits 2 s,
	 * the user's holds +13 s and waits its whole 4 s window: the longer wait wins */
	g_assert_true (ohe_rate_limiter_acquire (limiter, both, 2, &wait_us, &ticket, &error));
	g_assert_cmpint (wait_us, ==, 4 * TEST_SECOND);
	g_assert_cmpuint (ohe_memory_rate_limiter_count (OHE_MEMORY_RATE_LIMITER (limiter),
							 "p:user:u", 4 * TEST_SECOND),
			  ==, 1);
	ohe_clock_advance (clock, 3 * TEST_SECOND);
	/* start+16 s: the app has a slot, the user (start+13 s, 4 s window) not yet */
	g_assert_true (ohe_rate_limiter_acquire (limiter, both, 2, &wait_us, &ticket, &error));
	g_assert_cmpint (wait_us, ==, 1 * TEST_SECOND);
	g_assert_cmpuint (ohe_memory_rate_limiter_count (OHE_MEMORY_RATE_LIMITER (limiter), "p:app",
							 10 * TEST_SECOND),
			  ==, 2);

	/* a limit that allows nothing is the caller's mistake, named */
	g_assert_false (ohe_rate_limiter_acquire (limiter, &bad, 1, &wait_us, &ticket, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "p:app"));
}

static void
test_circuit_breaker (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (TEST_START_US);
	g_autoptr(OheCircuitBreaker) breaker = ohe_circuit_breaker_new (clock, 2, 10, 2);
	guint64 stale = 0;
	guint64 ticket = 0;
	guint64 trials[3] = {0};
	gint64 retry_in_us = 0;

	/* a request started while closed */
	g_assert_true (ohe_circuit_breaker_admit (breaker, &stale, NULL));
	for (guint i = 0; i < 2; i++) {
		g_assert_true (ohe_circuit_breaker_admit (breaker, &ticket, NULL));
		ohe_circuit_breaker_record (breaker, ticket, OHE_CIRCUIT_BREAKER_RESULT_FAILURE);
	}
	g_assert_cmpint (ohe_circuit_breaker_get_state (breaker), ==, OHE_BREAKER_STATE_OPEN);
	ohe_clock_advance (clock, 4 * TEST_SECOND);
	g_assert_false (ohe_circuit_breaker_admit (breaker, &ticket, &retry_in_us));
	g_assert_cmpint (retry_in_us, ==, 6 * TEST_SECOND);
	ohe_clock_advance (clock, 6 * TEST_SECOND);
	g_assert_cmpint (ohe_circuit_breaker_get_state (breaker), ==, OHE_BREAKER_STATE_HALF_OPEN);

	/* half-open admits as many trials as it needs successes, no more */
	g_assert_true (ohe_circuit_breaker_admit (breaker, &trials[0], NULL));
	g_assert_true (ohe_circuit_breaker_admit (breaker, &trials[1], NULL));
	g_assert_false (ohe_circuit_breaker_admit (breaker, &trials[2], NULL));
	/* the late success of the request from before does not count */
	ohe_circuit_breaker_record (breaker, stale, OHE_CIRCUIT_BREAKER_RESULT_SUCCESS);
	ohe_circuit_breaker_record (breaker, trials[0], OHE_CIRCUIT_BREAKER_RESULT_SUCCESS);
	g_assert_cmpint (ohe_circuit_breaker_get_state (breaker), ==, OHE_BREAKER_STATE_HALF_OPEN);
	/* a neutral result frees its trial slot */
	ohe_circuit_breaker_record (breaker, trials[1], OHE_CIRCUIT_BREAKER_RESULT_NEUTRAL);
	g_assert_true (ohe_circuit_breaker_admit (breaker, &trials[2], NULL));
	ohe_circuit_breaker_record (breaker, trials[2], OHE_CIRCUIT_BREAKER_RESULT_SUCCESS);
	g_assert_cmpint (ohe_circuit_breaker_get_state (breaker), ==, OHE_BREAKER_STATE_CLOSED);

	/* successes in between reset the count of consecutive failures */
	g_assert_true (ohe_circuit_breaker_admit (breaker, &ticket, NULL));
	ohe_circuit_breaker_record (breaker, ticket, OHE_CIRCUIT_BREAKER_RESULT_FAILURE);
	g_assert_true (ohe_circuit_breaker_admit (breaker, &ticket, NULL));
	ohe_circuit_breaker_record (breaker, ticket, OHE_CIRCUIT_BREAKER_RESULT_SUCCESS);
	g_assert_true (ohe_circuit_breaker_admit (breaker, &ticket, NULL));
	ohe_circuit_breaker_record (breaker, ticket, OHE_CIRCUIT_BREAKER_RESULT_FAILURE);
	g_assert_cmpint (ohe_circuit_breaker_get_state (breaker), ==, OHE_BREAKER_STATE_CLOSED);

	/* disabled: never opens */
	ohe_circuit_breaker_configure (breaker, 0, 10, 2);
	for (guint i = 0; i < 10; i++) {
		g_assert_true (ohe_circuit_breaker_admit (breaker, &ticket, NULL));
		ohe_circuit_breaker_record (breaker, ticket, OHE_CIRCUIT_BREAKER_RESULT_FAILURE);
	}
	g_assert_cmpint (ohe_circuit_breaker_get_state (breaker), ==, OHE_BREAKER_STATE_CLOSED);
}

/* the client against the server */

static void
test_client_success (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uri = test_uri (f, "/measure?action=getmeas&meastype=1");
	g_autofree gchar *body = NULL;

	test_push_reply (f, 200, NULL, "{\"status\":0,\"body\":{}}");
	request = ohe_http_request_new ("GET", uri);
	ohe_http_request_set_bearer (request, "access-token-1");
	response = ohe_http_client_send (f->client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (response);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 200);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 1);
	body = test_body_to_string (ohe_http_response_get_body (response));
	g_assert_cmpstr (body, ==, "{\"status\":0,\"body\":{}}");
	g_assert_cmpstr (ohe_http_response_get_header (response, "Content-Type"), ==,
			 "application/json");
	g_assert_true (ohe_http_response_check_status (response, &error));
	g_assert_no_error (error);

	g_mutex_lock (&f->mutex);
	g_assert_cmpint (f->hits, ==, 1);
	g_assert_cmpstr (f->last_method, ==, "GET");
	g_assert_cmpstr (f->last_path, ==, "/measure");
	g_assert_cmpstr (f->last_query, ==, "action=getmeas&meastype=1");
	g_assert_cmpstr (f->last_authorization, ==, "Bearer access-token-1");
	g_assert_cmpstr (f->last_user_agent, ==, "ohed/" OHE_VERSION_STRING);
	g_mutex_unlock (&f->mutex);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 0);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_CLOSED);
}

static void
test_client_post_body (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uri = test_uri (f, "/fhir");
	g_autofree gchar *sent = NULL;

	test_push_reply (f, 201, NULL, "{\"resourceType\":\"Bundle\"}");
	request = ohe_http_request_new ("POST", uri);
	ohe_http_request_set_json (request,
				   "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}");
	response = ohe_http_client_send (f->client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 201);
	g_mutex_lock (&f->mutex);
	g_assert_cmpstr (f->last_method, ==, "POST");
	g_assert_cmpstr (f->last_content_type, ==, "application/json");
	sent = test_body_to_string (f->last_body);
	g_mutex_unlock (&f->mutex);
	g_assert_cmpstr (sent, ==, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}");
}

static void
test_client_4xx (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;

	/* 4xx is the caller's business: returned with its body, not retried, breaker untouched */
	test_set_fallback (f, 404, NULL, "{\"error\":\"no such user\"}");
	response = test_get (f, "/user", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 404);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 1);
	g_assert_cmpint (test_get_hits (f), ==, 1);
	node = ohe_http_response_get_json (response, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==,
			 "no such user");
	g_assert_false (ohe_http_response_check_status (response, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_assert_cmpstr (error->message, ==, "HTTP 404 Not Found");

	/* redirects reach the caller too */
	g_clear_object (&response);
	g_clear_error (&error);
	test_push_reply (f, 302, NULL, NULL);
	response = test_get (f, "/moved", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 302);
	g_assert_cmpint (test_get_hits (f), ==, 2);
}

static void
test_client_retry_5xx (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OheClock) twin = ohe_clock_new_fake (0);
	gint64 expected;

	test_push_reply (f, 503, NULL, "{}");
	test_push_reply (f, 503, NULL, "{}");
	test_push_reply (f, 200, NULL, "{\"ok\":true}");
	response = test_get (f, "/flaky", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 200);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 3);
	g_assert_cmpint (test_get_hits (f), ==, 3);

	/* full jitter: the waits are uniform in [0, 500 ms) and [0, 1 s) */
	g_assert_cmpint (ohe_clock_get_slept (f->clock), >=, 0);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), <, 1500 * 1000);
	/* and drawn from the clock's generator, so a twin with the same seed predicts them */
	expected = (gint64)(ohe_clock_random_double (twin) * 500000.0);
	expected += (gint64)(ohe_clock_random_double (twin) * 1000000.0);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, expected);
}

static void
test_client_backoff_bounds (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	gint64 slept_before = 0;
	/* ceilings with base 1 s and cap 4 s: 1, 2, 4, 4, 4 s */
	const gint64 ceilings[] = {1, 2, 4, 4, 4};

	ohe_http_client_set_backoff (f->client, 1000, 4000);
	ohe_http_client_set_max_attempts (f->client, 6);
	ohe_http_client_set_breaker (f->client, NULL, 0, 60, 3);
	for (guint i = 0; i < G_N_ELEMENTS (ceilings); i++)
		test_push_reply (f, 500, NULL, NULL);
	for (guint i = 0; i < 50; i++) {
		/* each round: 5 failures and a success, 5 waits to check */
		if (i > 0) {
			for (guint j = 0; j < G_N_ELEMENTS (ceilings); j++)
				test_push_reply (f, 502, NULL, NULL);
		}
		g_clear_object (&response);
		response = test_get (f, "/jitter", &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 6);
		/* the total of the waits is within the sum of the ceilings */
		g_assert_cmpint (ohe_clock_get_slept (f->clock) - slept_before, <,
				 15 * TEST_SECOND);
		slept_before = ohe_clock_get_slept (f->clock);
	}
	/* the mean wait is about half the ceiling: 7.5 s per round */
	g_assert_cmpint (slept_before / 50, >, 6 * TEST_SECOND);
	g_assert_cmpint (slept_before / 50, <, 9 * TEST_SECOND);
}

static void
test_client_retry_after_seconds (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start = ohe_clock_get_monotonic (f->clock);

	test_push_reply (f, 429, "7", "{}");
	response = test_get (f, "/limited", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 200);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	/* max(7 s, backoff below 500 ms) */
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 7 * TEST_SECOND);
	g_assert_cmpint (ohe_clock_get_monotonic (f->clock) - start, ==, 7 * TEST_SECOND);
	/* 429 says nothing about the health of the target */
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_CLOSED);
}

static void
test_client_retry_after_date (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;

	test_push_reply_full (f, TEST_REPLY_DATE_AFTER, 503, "20", "application/json", "{}");
	response = test_get (f, "/maintenance", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 20 * TEST_SECOND);

	/* a date in the past means no extra wait: only the backoff, below 500 ms */
	g_clear_object (&response);
	test_push_reply (f, 429, "Thu, 01 Jan 2015 00:00:00 GMT", "{}");
	response = test_get (f, "/maintenance", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), <, 20 * TEST_SECOND + 500 * 1000);

	/* garbage is ignored: only the backoff */
	g_clear_object (&response);
	test_push_reply (f, 429, "soon-ish", "{}");
	response = test_get (f, "/maintenance", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), <, 20 * TEST_SECOND + 1000 * 1000);
}

static void
test_client_retry_after_cap (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;

	/* an hour is beyond the 15 minute limit: no wait, no retry */
	test_set_fallback (f, 429, "3600", "{}");
	response = test_get (f, "/limited", &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
	g_assert_cmpstr (strstr (error->message, "HTTP 429 Too Many Requests after 1 attempt: "
						 "server asks to retry after 3600 s, longer than "
						 "the 900 s limit"),
			 !=, NULL);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 0);
	g_assert_cmpint (test_get_hits (f), ==, 1);

	/* the limit is configurable */
	g_clear_error (&error);
	ohe_http_client_set_max_retry_after (f->client, 7200);
	test_push_reply (f, 429, "3600", "{}");
	test_push_reply (f, 200, NULL, "{}");
	response = test_get (f, "/limited", &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 3600 * TEST_SECOND);
}

static void
test_client_post_not_retried (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uri = test_uri (f, "/notify");

	test_push_reply (f, 503, NULL, "{}");
	request = ohe_http_request_new ("POST", uri);
	ohe_http_request_set_json (request, "{}");
	response = ohe_http_client_send (f->client, request, NULL, &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_nonnull (strstr (error->message, "not retried: not idempotent"));
	g_assert_cmpint (test_get_hits (f), ==, 1);
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 0);

	/* the same POST declared idempotent is retried */
	g_clear_error (&error);
	test_push_reply (f, 503, NULL, "{}");
	ohe_http_request_set_idempotent (request, TRUE);
	response = ohe_http_client_send (f->client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_http_response_get_status (response), ==, 200);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	g_assert_cmpint (test_get_hits (f), ==, 3);
}

static void
test_client_exhausted (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uri = test_uri (f, "/measure?action=getmeas&access_token=QUERYSECRET");
	g_autofree gchar *expected = NULL;

	test_set_fallback (f, 503, NULL, "{\"error\":\"BODYSECRET\"}");
	request = ohe_http_request_new ("GET", uri);
	ohe_http_request_set_bearer (request, "BEARERSECRET");
	ohe_http_request_set_breaker_target (request, "api");
	response = ohe_http_client_send (f->client, request, NULL, &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	expected = g_strdup_printf (
	    "test: GET %s failed with HTTP 503 Service Unavailable after 5 attempts", f->host);
	g_assert_cmpstr (error->message, ==, expected);
	g_assert_null (strstr (error->message, "SECRET"));
	g_assert_null (strstr (error->message, "getmeas"));
	g_assert_cmpint (test_get_hits (f), ==, 5);
	/* 4 waits with ceilings 0.5, 1, 2 and 4 s */
	g_assert_cmpint (ohe_clock_get_slept (f->clock), <, 7500 * 1000);
	/* 5 failures: the breaker of the target opened with the last one */
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, "api"), ==,
			 OHE_BREAKER_STATE_OPEN);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_CLOSED);

	/* 429 until the end is a rate limit */
	g_clear_error (&error);
	g_clear_pointer (&expected, g_free);
	ohe_http_client_set_max_attempts (f->client, 2);
	test_set_fallback (f, 429, NULL, "{}");
	response = test_get (f, "/limited?token=QUERYSECRET", &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
	expected = g_strdup_printf (
	    "test: GET %s failed with HTTP 429 Too Many Requests after 2 attempts", f->host);
	g_assert_cmpstr (error->message, ==, expected);
	g_assert_cmpint (test_get_hits (f), ==, 7);
}

static void
test_client_transport_error (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GSocketAddress) address = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uri = NULL;
	g_autofree gchar *target = NULL;
	guint16 port;

	/* a port that was just free: nothing listens there */
	socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			       &error);
	g_assert_no_error (error);
	address = g_inet_socket_address_new (loopback, 0);
	g_assert_true (g_socket_bind (socket, address, FALSE, &error));
	g_assert_no_error (error);
	bound = g_socket_get_local_address (socket, &error);
	g_assert_no_error (error);
	port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	g_assert_true (g_socket_close (socket, &error));

	uri = g_strdup_printf ("http://127.0.0.1:%u/x?key=QUERYSECRET", port);
	target = g_strdup_printf ("127.0.0.1:%u", port);
	request = ohe_http_request_new ("GET", uri);
	response = ohe_http_client_send (f->client, request, NULL, &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_true (g_str_has_prefix (error->message, "test: GET "));
	g_assert_nonnull (strstr (error->message, target));
	g_assert_nonnull (strstr (error->message, "failed after 5 attempts: "));
	g_assert_null (strstr (error->message, "QUERYSECRET"));
	g_assert_cmpint (ohe_clock_get_slept (f->clock), >, 0);
	/* connection failures count for the breaker */
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, target), ==,
			 OHE_BREAKER_STATE_OPEN);
}

static void
test_client_timeout (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;

	/* the one test that waits for real: the session timeout has a resolution of 1 s */
	ohe_http_client_set_timeout (f->client, 1);
	ohe_http_client_set_max_attempts (f->client, 1);
	test_push_reply_full (f, TEST_REPLY_HANG, 0, NULL, NULL, NULL);
	response = test_get (f, "/slow", &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_nonnull (strstr (error->message, "failed after 1 attempt: "));
	g_assert_cmpint (test_get_hits (f), ==, 1);
}

static void
test_client_app_rate_limit (Fixture *f, gconstpointer user_data)
{
	gint64 start = ohe_clock_get_monotonic (f->clock);

	ohe_http_client_set_app_rate_limit (f->client, 2, 10);
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/a", &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_http_response_get_status (response), ==, 200);
	}
	/* the burst of 2 did not wait */
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 0);
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/a", &error);
		g_assert_no_error (error);
	}
	/* the third waits until the first leaves the rolling window: 10 s, where a token
	 * bucket refilling at 2 per 10 s would have let it through after 5 s */
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 10 * TEST_SECOND);
	g_assert_cmpint (ohe_clock_get_monotonic (f->clock) - start, ==,
			 ohe_clock_get_slept (f->clock));
	g_assert_cmpint (test_get_hits (f), ==, 3);

	/* a retry counts as well: with the window empty again, 503 and its retry use both slots */
	ohe_clock_advance (f->clock, 10 * TEST_SECOND);
	test_push_reply (f, 503, NULL, "{}");
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = NULL;
		gint64 slept = ohe_clock_get_slept (f->clock);
		response = test_get (f, "/a", &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
		/* two slots were free: only the backoff, below 500 ms */
		g_assert_cmpint (ohe_clock_get_slept (f->clock) - slept, <, 500 * 1000);
		g_clear_object (&response);
		/* so the next request waits until the first attempt leaves the window, 10 s
		 * after it, the backoff included */
		response = test_get (f, "/a", &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_clock_get_slept (f->clock) - slept, ==, 10 * TEST_SECOND);
	}
	g_assert_cmpint (test_get_hits (f), ==, 6);
}

static void
test_client_user_rate_limit (Fixture *f, gconstpointer user_data)
{
	const gchar *keys[] = {"alice", "bob", "carol"};
	g_autofree gchar *uri = test_uri (f, "/u");

	ohe_http_client_set_user_rate_limit (f->client, 1, 60);
	for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		ohe_http_request_set_rate_limit_key (request, keys[i]);
		response = ohe_http_client_send (f->client, request, NULL, &error);
		g_assert_no_error (error);
	}
	/* one request per key: nobody waited */
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 0);

	/* requests without a key are not subject to the per-user limit */
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/u", &error);
		g_assert_no_error (error);
	}
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 0);

	/* alice's second request waits for her budget only */
	{
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		ohe_http_request_set_rate_limit_key (request, "alice");
		response = ohe_http_client_send (f->client, request, NULL, &error);
		g_assert_no_error (error);
	}
	g_assert_cmpint (ohe_clock_get_slept (f->clock), ==, 60 * TEST_SECOND);

	/* both limits: the app budget (1 per 30 s) is spent by bob, dave waits for it */
	ohe_http_client_set_app_rate_limit (f->client, 1, 30);
	{
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		gint64 slept = ohe_clock_get_slept (f->clock);
		ohe_http_request_set_rate_limit_key (request, "bob");
		response = ohe_http_client_send (f->client, request, NULL, &error);
		g_assert_no_error (error);
		/* bob's own request left his window during alice's wait */
		g_assert_cmpint (ohe_clock_get_slept (f->clock) - slept, ==, 0);
		g_clear_object (&request);
		g_clear_object (&response);
		request = ohe_http_request_new ("GET", uri);
		ohe_http_request_set_rate_limit_key (request, "dave");
		response = ohe_http_client_send (f->client, request, NULL, &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_clock_get_slept (f->clock) - slept, ==, 30 * TEST_SECOND);
	}
	g_assert_cmpint (test_get_hits (f), ==, 9);
}

static void
test_client_breaker (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *expected = NULL;

	ohe_http_client_set_max_attempts (f->client, 1);
	test_set_fallback (f, 500, NULL, "{}");
	for (guint i = 0; i < 5; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_null (response);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
				 i < 4 ? OHE_BREAKER_STATE_CLOSED : OHE_BREAKER_STATE_OPEN);
	}
	g_assert_cmpint (test_get_hits (f), ==, 5);

	/* open: fails fast, nothing is sent */
	test_set_fallback (f, 200, NULL, "{}");
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_null (response);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		expected = g_strdup_printf (
		    "test: circuit breaker open for %s, GET %s not sent (retry in 60 s)", f->host,
		    f->host);
		g_assert_cmpstr (error->message, ==, expected);
	}
	g_assert_cmpint (test_get_hits (f), ==, 5);

	/* after the open period: half-open, and 3 successful trials close it */
	ohe_clock_advance (f->clock, 59 * TEST_SECOND);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_OPEN);
	ohe_clock_advance (f->clock, 1 * TEST_SECOND);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_HALF_OPEN);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
				 i < 2 ? OHE_BREAKER_STATE_HALF_OPEN : OHE_BREAKER_STATE_CLOSED);
	}
	g_assert_cmpint (test_get_hits (f), ==, 8);
}

static void
test_client_breaker_reopen (Fixture *f, gconstpointer user_data)
{
	ohe_http_client_set_max_attempts (f->client, 1);
	test_set_fallback (f, 502, NULL, NULL);
	for (guint i = 0; i < 5; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_OPEN);
	ohe_clock_advance (f->clock, 60 * TEST_SECOND);

	/* one success, then a failing trial: open again for a full period */
	test_push_reply (f, 200, NULL, "{}");
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_no_error (error);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_HALF_OPEN);
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_nonnull (strstr (error->message, "HTTP 502"));
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_OPEN);
	g_assert_cmpint (test_get_hits (f), ==, 7);
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_nonnull (strstr (error->message, "circuit breaker open"));
	}
	g_assert_cmpint (test_get_hits (f), ==, 7);

	/* 4xx proves the target alive: it counts as a successful trial */
	ohe_clock_advance (f->clock, 60 * TEST_SECOND);
	test_set_fallback (f, 404, NULL, NULL);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/b", &error);
		g_assert_no_error (error);
		g_assert_cmpint (ohe_http_response_get_status (response), ==, 404);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_CLOSED);
}

static void
test_client_breaker_per_target (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *uri = test_uri (f, "/t");

	/* this host opens after 2 failures for 10 s and closes after 1 success */
	ohe_http_client_set_breaker (f->client, f->host, 2, 10, 1);
	ohe_http_client_set_max_attempts (f->client, 1);
	test_set_fallback (f, 503, NULL, NULL);
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/t", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_OPEN);

	/* the same server under another target name has the defaults: 5 failures */
	for (guint i = 0; i < 4; i++) {
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		ohe_http_request_set_breaker_target (request, "withings-api");
		response = ohe_http_client_send (f->client, request, NULL, &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_null (strstr (error->message, "circuit breaker"));
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, "withings-api"), ==,
			 OHE_BREAKER_STATE_CLOSED);
	/* changing the default applies to existing breakers without their own settings */
	ohe_http_client_set_breaker (f->client, NULL, 4, 30, 2);
	{
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		ohe_http_request_set_breaker_target (request, "withings-api");
		response = ohe_http_client_send (f->client, request, NULL, &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, "withings-api"), ==,
			 OHE_BREAKER_STATE_OPEN);
	g_assert_cmpint (test_get_hits (f), ==, 7);

	/* the host's own period is 10 s, one success closes it */
	ohe_clock_advance (f->clock, 10 * TEST_SECOND);
	test_set_fallback (f, 200, NULL, "{}");
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/t", &error);
		g_assert_no_error (error);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_CLOSED);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, "withings-api"), ==,
			 OHE_BREAKER_STATE_OPEN);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, "never-used"), ==,
			 OHE_BREAKER_STATE_CLOSED);
}

typedef struct {
	GCancellable *cancellable;
	OheClock *clock;
	gint64 slept_us; /* cancel once the client sleeps this long */
} TestCancelData;

static gpointer
test_cancel_thread (gpointer user_data)
{
	TestCancelData *data = user_data;
	gint64 deadline = g_get_monotonic_time () + 20 * TEST_SECOND;

	/* the clock counts a sleep when it starts, so this sees the client waiting */
	while (ohe_clock_get_slept (data->clock) < data->slept_us &&
	       g_get_monotonic_time () < deadline)
		g_usleep (5000);
	g_usleep (50000);
	g_cancellable_cancel (data->cancellable);
	return NULL;
}

static void
test_client_cancel_backoff (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheClock) clock = ohe_clock_new ();
	g_autoptr(GCancellable) cancellable = g_cancellable_new ();
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *uri = test_uri (f, "/busy");
	g_autofree gchar *expected = NULL;
	TestCancelData data = {cancellable, clock, 30 * TEST_SECOND};
	GThread *thread;
	gint64 start;

	/*
	 * A fake clock cannot be interrupted, so this test uses the real one:
	 * the server asks for 30 s, the cancellable fires 50 ms into the wait.
	 */
	ohe_http_client_set_clock (f->client, clock);
	test_set_fallback (f, 503, "30", "{}");
	request = ohe_http_request_new ("GET", uri);
	start = g_get_monotonic_time ();
	thread = g_thread_new ("cancel", test_cancel_thread, &data);
	response = ohe_http_client_send (f->client, request, cancellable, &error);
	g_thread_join (thread);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CANCELLED);
	expected = g_strdup_printf ("test: GET %s cancelled", f->host);
	g_assert_cmpstr (error->message, ==, expected);
	g_assert_cmpint (test_get_hits (f), ==, 1);
	/* it was in the 30 s wait, and left it early */
	g_assert_cmpint (ohe_clock_get_slept (clock), >=, 30 * TEST_SECOND);
	g_assert_cmpint (g_get_monotonic_time () - start, <, 25 * TEST_SECOND);

	/* already cancelled: nothing is sent */
	g_clear_error (&error);
	response = ohe_http_client_send (f->client, request, cancellable, &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CANCELLED);
	g_assert_cmpint (test_get_hits (f), ==, 1);
}

static void
test_client_cancel_rate_limit (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheClock) clock = ohe_clock_new ();
	g_autoptr(GCancellable) cancellable = g_cancellable_new ();
	g_autofree gchar *uri = test_uri (f, "/slowly");
	TestCancelData data = {cancellable, clock, 3599 * TEST_SECOND};
	GThread *thread;

	ohe_http_client_set_clock (f->client, clock);
	ohe_http_client_set_app_rate_limit (f->client, 1, 3600);
	for (guint i = 0; i < 2; i++) {
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		thread = (i == 1) ? g_thread_new ("cancel", test_cancel_thread, &data) : NULL;
		response = ohe_http_client_send (f->client, request, cancellable, &error);
		if (thread != NULL)
			g_thread_join (thread);
		if (i == 0) {
			g_assert_no_error (error);
		} else {
			g_assert_null (response);
			g_assert_error (error, OHE_ERROR, OHE_ERROR_CANCELLED);
		}
	}
	/* the second request never got its token */
	g_assert_cmpint (test_get_hits (f), ==, 1);
	g_assert_cmpint (ohe_clock_get_slept (clock), >=, 3599 * TEST_SECOND);
}

static void
test_client_async_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	OheHttpResponse **response = user_data;
	g_autoptr(GError) error = NULL;
	*response = ohe_http_client_send_finish (OHE_HTTP_CLIENT (source), res, &error);
	g_assert_no_error (error);
}

static void
test_client_async_error_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
	GError **error = user_data;
	g_autoptr(OheHttpResponse) response =
		       ohe_http_client_send_finish (OHE_HTTP_CLIENT (source), res, error);
	g_assert_null (response);
}

static void
test_client_async (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheHttpRequest) request = NULL;
	g_autofree gchar *uri = test_uri (f, "/async");
	g_autofree gchar *body = NULL;
	OheHttpResponse *response = NULL;
	GError *error = NULL;

	test_push_reply (f, 503, NULL, "{}");
	test_push_reply (f, 200, NULL, "{\"async\":true}");
	request = ohe_http_request_new ("GET", uri);
	ohe_http_client_send_async (f->client, request, NULL, test_client_async_cb, &response);
	while (response == NULL)
		g_main_context_iteration (NULL, TRUE);
	g_assert_cmpint (ohe_http_response_get_attempts (response), ==, 2);
	body = test_body_to_string (ohe_http_response_get_body (response));
	g_assert_cmpstr (body, ==, "{\"async\":true}");
	g_assert_finalize_object (response);

	/* errors come through _finish */
	test_set_fallback (f, 429, "3600", "{}");
	ohe_http_client_send_async (f->client, request, NULL, test_client_async_error_cb, &error);
	while (error == NULL)
		g_main_context_iteration (NULL, TRUE);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
	g_clear_error (&error);
	/* the worker thread drops its task, and with it the client, just after returning */
	while (g_atomic_int_get (&G_OBJECT (f->client)->ref_count) > 1) {
		g_main_context_iteration (NULL, FALSE);
		g_usleep (1000);
	}
}

static void
test_client_metrics (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	g_autoptr(OheHttpClient) other = ohe_http_client_new ("other");
	g_autofree gchar *text = NULL;

	ohe_http_client_set_metrics (f->client, metrics);
	/* a second client registers the same families without trouble */
	ohe_http_client_set_metrics (other, metrics);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/m", &error);
		g_assert_no_error (error);
	}
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_requests_total",
						  OHE_METRICS_LABELS ("test", f->host, "200")),
			   ==, 3);
	g_assert_cmpint (ohe_metrics_get_histogram_count (metrics,
							  "ohe_http_request_duration_seconds",
							  OHE_METRICS_LABELS ("test", f->host)),
			 ==, 3);

	/* a retried 503 */
	test_push_reply (f, 503, NULL, "{}");
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/m", &error);
		g_assert_no_error (error);
	}
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_requests_total",
						  OHE_METRICS_LABELS ("test", f->host, "503")),
			   ==, 1);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_requests_total",
						  OHE_METRICS_LABELS ("test", f->host, "200")),
			   ==, 4);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_retries_total",
						  OHE_METRICS_LABELS ("test", f->host, "503")),
			   ==, 1);
	g_assert_cmpint (ohe_metrics_get_histogram_count (metrics,
							  "ohe_http_request_duration_seconds",
							  OHE_METRICS_LABELS ("test", f->host)),
			 ==, 5);

	/* the breaker gauge follows the state */
	ohe_http_client_set_max_attempts (f->client, 1);
	ohe_http_client_set_breaker (f->client, NULL, 1, 60, 1);
	test_push_reply (f, 500, NULL, "{}");
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/m", &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	}
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_breaker_state",
						  OHE_METRICS_LABELS ("test", f->host)),
			   ==, OHE_BREAKER_STATE_OPEN);
	ohe_clock_advance (f->clock, 60 * TEST_SECOND);
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, f->host), ==,
			 OHE_BREAKER_STATE_HALF_OPEN);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_breaker_state",
						  OHE_METRICS_LABELS ("test", f->host)),
			   ==, OHE_BREAKER_STATE_HALF_OPEN);
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(OheHttpResponse) response = test_get (f, "/m", &error);
		g_assert_no_error (error);
	}
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_breaker_state",
						  OHE_METRICS_LABELS ("test", f->host)),
			   ==, OHE_BREAKER_STATE_CLOSED);

	/* labels carry neither the query nor the token */
	text = ohe_metrics_render (metrics);
	g_assert_nonnull (strstr (text, "ohe_http_requests_total{client=\"test\""));
	g_assert_null (strstr (text, "/m"));
}

typedef struct {
	Fixture *f;
	guint n_requests;
	guint n_ok; /* written by the thread, read after join */
} TestWorker;

static gpointer
test_worker_thread (gpointer user_data)
{
	TestWorker *worker = user_data;
	g_autofree gchar *uri = test_uri (worker->f, "/worker");
	for (guint i = 0; i < worker->n_requests; i++) {
		g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", uri);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autoptr(GError) error = NULL;
		ohe_http_request_set_rate_limit_key (request, i % 2 == 0 ? "even" : "odd");
		response = ohe_http_client_send (worker->f->client, request, NULL, &error);
		g_assert_no_error (error);
		if (ohe_http_response_get_status (response) == 200)
			worker->n_ok++;
	}
	return NULL;
}

static void
test_client_threads (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheMetrics) metrics = ohe_metrics_new ();
	TestWorker workers[4];
	GThread *threads[G_N_ELEMENTS (workers)];
	guint n_ok = 0;

	/* worker threads share one client, its budgets and breakers */
	ohe_http_client_set_metrics (f->client, metrics);
	ohe_http_client_set_app_rate_limit (f->client, 5, 1);
	ohe_http_client_set_user_rate_limit (f->client, 2, 1);
	for (guint i = 0; i < G_N_ELEMENTS (workers); i++) {
		workers[i].f = f;
		workers[i].n_requests = 10;
		workers[i].n_ok = 0;
		threads[i] = g_thread_new ("worker", test_worker_thread, &workers[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (workers); i++) {
		g_thread_join (threads[i]);
		n_ok += workers[i].n_ok;
	}
	g_assert_cmpint (n_ok, ==, 40);
	g_assert_cmpint (test_get_hits (f), ==, 40);
	g_assert_cmpfloat (ohe_metrics_get_value (metrics, "ohe_http_requests_total",
						  OHE_METRICS_LABELS ("test", f->host, "200")),
			   ==, 40);
	/* 40 requests at 2 per second per key over 2 keys: at least 9.5 s of (fake) time */
	g_assert_cmpint (ohe_clock_get_monotonic (f->clock) - TEST_START_US, >=,
			 9 * TEST_SECOND - 100);
}

static void
test_add (const gchar *path, void (*func) (Fixture *, gconstpointer))
{
	g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int argc, char **argv)
{
	/* the isolated XDG dirs hide the GSettings schemas the desktop proxy resolver reads */
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/http-client/request/build", test_request_build);
	g_test_add_func ("/http-client/request/invalid", test_request_invalid);
	g_test_add_func ("/http-client/response/check-status", test_response_check_status);
	g_test_add_func ("/http-client/response/json", test_response_json);
	g_test_add_func ("/http-client/memory-rate-limiter", test_memory_rate_limiter);
	g_test_add_func ("/http-client/circuit-breaker", test_circuit_breaker);
	test_add ("/http-client/send/success", test_client_success);
	test_add ("/http-client/send/post-body", test_client_post_body);
	test_add ("/http-client/send/4xx", test_client_4xx);
	test_add ("/http-client/send/async", test_client_async);
	test_add ("/http-client/send/threads", test_client_threads);
	test_add ("/http-client/retry/5xx", test_client_retry_5xx);
	test_add ("/http-client/retry/backoff-bounds", test_client_backoff_bounds);
	test_add ("/http-client/retry/retry-after-seconds", test_client_retry_after_seconds);
	test_add ("/http-client/retry/retry-after-date", test_client_retry_after_date);
	test_add ("/http-client/retry/retry-after-cap", test_client_retry_after_cap);
	test_add ("/http-client/retry/post", test_client_post_not_retried);
	test_add ("/http-client/retry/exhausted", test_client_exhausted);
	test_add ("/http-client/retry/transport", test_client_transport_error);
	test_add ("/http-client/retry/timeout", test_client_timeout);
	test_add ("/http-client/rate-limit/app", test_client_app_rate_limit);
	test_add ("/http-client/rate-limit/user", test_client_user_rate_limit);
	test_add ("/http-client/breaker/open", test_client_breaker);
	test_add ("/http-client/breaker/reopen", test_client_breaker_reopen);
	test_add ("/http-client/breaker/per-target", test_client_breaker_per_target);
	test_add ("/http-client/cancel/backoff", test_client_cancel_backoff);
	test_add ("/http-client/cancel/rate-limit", test_client_cancel_rate_limit);
	test_add ("/http-client/metrics", test_client_metrics);
	return g_test_run ();
}
