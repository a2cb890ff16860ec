/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "oheplugin.h"

/*
 * What one HTTP attempt may cost whatever the server does: a wall-clock deadline, a
 * minimum transfer rate and response size caps. The servers are raw sockets on loopback,
 * in their own thread, so they can misbehave as no HTTP library would: drip the answer one
 * byte per second, or announce and send a body larger than the request's cap. These tests
 * wait for real (a few seconds each): the deadline is wall-clock time.
 */

typedef enum {
	DRIP_BODY,    /* complete headers, then the body one byte per second */
	DRIP_HEADERS, /* the status line and headers one byte per second */
	BIG_BODY,     /* a Content-Length body of big_size bytes, at once */
	BIG_CHUNKED,  /* a chunked body of big_size bytes, at once */
} ServerMode;

typedef struct {
	ServerMode mode;
	gsize big_size;
	GSocketListener *listener; /* owned */
	guint16 port;
	GThread *thread;
	gint stop;	  /* atomic */
	gsize body_sent;  /* body bytes written, read after the thread ended */
	gint64 closed_at; /* monotonic time the client went away, 0 if it did not */
	gchar *uri;	  /* owned */
	gchar *host;	  /* owned, 127.0.0.1:PORT */
} Server;

static gboolean
server_write (GOutputStream *out, const void *data, gsize len)
{
	return g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

/* one byte per second until the client goes away, @len bytes are out or the test ends */
static gboolean
server_drip (Server *s, GOutputStream *out, const gchar *data, gsize len, gsize *sent)
{
	for (gsize i = 0; i < len && !g_atomic_int_get (&s->stop); i++) {
		if (!server_write (out, data + i, 1) || !g_output_stream_flush (out, NULL, NULL))
			return FALSE;
		if (sent != NULL)
			(*sent)++;
		g_usleep (G_USEC_PER_SEC);
	}
	return TRUE;
}

static gpointer
server_thread (gpointer data)
{
	Server *s = data;
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GString) request = g_string_new (NULL);
	g_autofree gchar *headers = NULL;
	g_autofree gchar *body = NULL;
	GInputStream *in;
	GOutputStream *out;
	gboolean ok = TRUE;

	conn = g_socket_listener_accept (s->listener, NULL, NULL, NULL);
	if (conn == NULL)
		return NULL;
	in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
	out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
	/* the request line and headers; GET has no body */
	while (strstr (request->str, "\r\n\r\n") == NULL) {
		gchar c;
		if (g_input_stream_read (in, &c, 1, NULL, NULL) != 1)
			return NULL;
		g_string_append_c (request, c);
	}

	switch (s->mode) {
	case DRIP_BODY:
		body = g_strnfill (1000, 'x');
		headers = g_strdup ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				    "Content-Length: 1000\r\n\r\n");
		ok = server_write (out, headers, strlen (headers)) &&
		     g_output_stream_flush (out, NULL, NULL) &&
		     server_drip (s, out, body, 1000, &s->body_sent);
		break;
	case DRIP_HEADERS:
		headers =
		    g_strdup ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			      "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
			      "Content-Length: 2\r\n\r\n{}");
		ok = server_drip (s, out, headers, strlen (headers), NULL);
		break;
	case BIG_BODY:
	case BIG_CHUNKED: {
		g_autofree gchar *chunk = g_strnfill (64 * 1024, ' ');
		if (s->mode == BIG_BODY)
			headers = g_strdup_printf (
			    "HTTP/1.1 200 OK\r\nContent-Type: "
			    "application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
			    s->big_size);
		else
			headers = g_strdup ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					    "Transfer-Encoding: chunked\r\n\r\n");
		ok = server_write (out, headers, strlen (headers));
		/* until the client goes away or all is out, whatever the stop flag says */
		while (ok && s->body_sent < s->big_size) {
			gsize n = MIN ((gsize)64 * 1024, s->big_size - s->body_sent);
			if (s->mode == BIG_CHUNKED) {
				g_autofree gchar *size_line = g_strdup_printf ("%zx\r\n", n);
				ok = server_write (out, size_line, strlen (size_line)) &&
				     server_write (out, chunk, n) && server_write (out, "\r\n", 2);
			} else {
				ok = server_write (out, chunk, n);
			}
			if (ok)
				s->body_sent += n;
		}
		if (ok && s->mode == BIG_CHUNKED)
			ok = server_write (out, "0\r\n\r\n", 5);
		break;
	}
	}
	if (!ok)
		s->closed_at = g_get_monotonic_time ();
	g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
	return NULL;
}

static void
server_start (Server *s, ServerMode mode, gsize big_size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	s->mode = mode;
	s->big_size = big_size;
	s->listener = g_socket_listener_new ();
	g_assert_true (g_socket_listener_add_address (s->listener, address, G_SOCKET_TYPE_STREAM,
						      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
	g_assert_no_error (error);
	s->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	s->uri = g_strdup_printf ("http://127.0.0.1:%u/page", s->port);
	s->host = g_strdup_printf ("127.0.0.1:%u", s->port);
	s->thread = g_thread_new ("test-server", server_thread, s);
}

static void
server_stop (Server *s)
{
	g_atomic_int_set (&s->stop, 1);
	g_thread_join (s->thread);
	g_socket_listener_close (s->listener);
	g_object_unref (s->listener);
	g_free (s->uri);
	g_free (s->host);
}

static OheHttpClient *
test_client_new (void)
{
	OheHttpClient *client = ohe_http_client_new ("test");
	/* one attempt, so the figures are the attempt's */
	ohe_http_client_set_max_attempts (client, 1);
	/* the inactivity timeout must not be what fires: the server is never idle long */
	ohe_http_client_set_timeout (client, 60);
	return client;
}

/* a body dripped one byte per second is cut off by the minimum rate, naming host and limit */
static void
test_drip_body (void)
{
	Server s = {0};
	g_autoptr(OheHttpClient) client = test_client_new ();
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start;
	gdouble elapsed;

	server_start (&s, DRIP_BODY, 0);
	ohe_http_client_set_min_transfer_rate (client, 50, 2);
	/* the deadline is far: only the rate may fire */
	ohe_http_client_set_attempt_deadline (client, 60);
	request = ohe_http_request_new ("GET", s.uri);
	start = g_get_monotonic_time ();
	response = ohe_http_client_send (client, request, NULL, &error);
	elapsed = (gdouble)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
	g_test_message ("drip body: cut off after %.2f s: %s", elapsed,
			error != NULL ? error->message : "(no error)");
	g_assert_null (response);
	/* a timeout: UNAVAILABLE, which the job queue retries later */
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_nonnull (strstr (error->message, s.host));
	g_assert_nonnull (strstr (error->message, "below the minimum transfer rate of 50 bytes/s"));
	/* one period of 2 s, plus the second the last read took */
	g_assert_cmpfloat (elapsed, >=, 2.0);
	g_assert_cmpfloat (elapsed, <, 5.0);
	server_stop (&s);
	g_assert_cmpuint (s.body_sent, <, 10);
}

/* headers dripped one byte per second: the attempt deadline cuts them off */
static void
test_drip_headers (void)
{
	Server s = {0};
	g_autoptr(OheHttpClient) client = test_client_new ();
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start;
	gdouble elapsed;

	server_start (&s, DRIP_HEADERS, 0);
	ohe_http_client_set_attempt_deadline (client, 2);
	request = ohe_http_request_new ("GET", s.uri);
	start = g_get_monotonic_time ();
	response = ohe_http_client_send (client, request, NULL, &error);
	elapsed = (gdouble)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
	g_test_message ("drip headers: cut off after %.2f s: %s", elapsed,
			error != NULL ? error->message : "(no error)");
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_nonnull (strstr (error->message, s.host));
	g_assert_nonnull (strstr (error->message, "attempt deadline of 2 s"));
	g_assert_cmpfloat (elapsed, >=, 1.9);
	g_assert_cmpfloat (elapsed, <, 4.0);
	server_stop (&s);
}

static gpointer
canceller_thread (gpointer data)
{
	GCancellable *cancellable = data;
	g_usleep (1500 * 1000);
	g_cancellable_cancel (cancellable);
	return NULL;
}

/* the caller's cancellable still cancels: the deadline's own does not hide it */
static void
test_cancel_during_drip (void)
{
	Server s = {0};
	g_autoptr(OheHttpClient) client = test_client_new ();
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new ();
	GThread *canceller;

	server_start (&s, DRIP_BODY, 0);
	ohe_http_client_set_attempt_deadline (client, 60);
	ohe_http_client_set_min_transfer_rate (client, 0, 1);
	canceller = g_thread_new ("canceller", canceller_thread, cancellable);
	request = ohe_http_request_new ("GET", s.uri);
	response = ohe_http_client_send (client, request, cancellable, &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CANCELLED);
	g_thread_join (canceller);
	server_stop (&s);
}

/* a body over the request's cap is refused, naming the cap, and not read to its end */
static void
test_size_cap (gconstpointer data)
{
	ServerMode mode = GPOINTER_TO_INT (data);
	Server s = {0};
	g_autoptr(OheHttpClient) client = test_client_new ();
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	/* far beyond the client's own 64 MiB limit: only the request's cap can stop early */
	const gsize big = (gsize)256 * 1024 * 1024;

	server_start (&s, mode, big);
	request = ohe_http_request_new ("GET", s.uri);
	ohe_http_request_set_max_body_size (request, 1024 * 1024);
	g_assert_cmpuint (ohe_http_request_get_max_body_size (request), ==, 1024 * 1024);
	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_null (response);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, s.host));
	g_assert_nonnull (strstr (error->message, "larger than the cap of 1048576 bytes"));
	server_stop (&s);
	g_test_message ("%s: the server got %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
			" bytes out before the client closed",
			mode == BIG_BODY ? "Content-Length" : "chunked", s.body_sent, big);
	/* the client closed the connection long before the end: at most the cap and what
	 * the loopback socket buffers hold went out */
	g_assert_cmpuint (s.closed_at, >, 0);
	g_assert_cmpuint (s.body_sent, <, (gsize)32 * 1024 * 1024);
}

/* a body within the cap is read whole; a cap above the client's limit is the limit */
static void
test_size_cap_within (void)
{
	Server s = {0};
	g_autoptr(OheHttpClient) client = test_client_new ();
	g_autoptr(OheHttpRequest) request = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;

	server_start (&s, BIG_CHUNKED, 200 * 1024);
	request = ohe_http_request_new ("GET", s.uri);
	g_assert_cmpuint (ohe_http_request_get_max_body_size (request), ==,
			  OHE_HTTP_RESPONSE_MAX_BODY_SIZE);
	ohe_http_request_set_max_body_size (request, G_MAXSIZE);
	g_assert_cmpuint (ohe_http_request_get_max_body_size (request), ==,
			  OHE_HTTP_RESPONSE_MAX_BODY_SIZE);
	ohe_http_request_set_max_body_size (request, 200 * 1024);
	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_bytes_get_size (ohe_http_response_get_body (response)), ==, 200 * 1024);
	server_stop (&s);
}

int
main (int argc, char **argv)
{
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/http-bounds/drip-body", test_drip_body);
	g_test_add_func ("/http-bounds/drip-headers", test_drip_headers);
	g_test_add_func ("/http-bounds/cancel-during-drip", test_cancel_during_drip);
	g_test_add_data_func ("/http-bounds/size-cap/content-length", GINT_TO_POINTER (BIG_BODY),
			      test_size_cap);
	g_test_add_data_func ("/http-bounds/size-cap/chunked", GINT_TO_POINTER (BIG_CHUNKED),
			      test_size_cap);
	g_test_add_func ("/http-bounds/size-cap/within", test_size_cap_within);
	return g_test_run ();
}
