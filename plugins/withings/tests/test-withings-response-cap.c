/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>
#include <string.h>

#include "ohe-withings-provider.h"

/*
 * Each Withings endpoint has its own response cap: a hostile cloud that answers a
 * getmeas page or a notify list with more than the cap is refused with an error naming
 * the cap, before the body is buffered. The cloud is a raw socket on loopback that
 * answers every request with HTTP 200 and a body of `size` spaces, announced with
 * Content-Length or sent chunked, until the client goes away.
 */

typedef struct {
	gsize size;
	gboolean chunked;
	GSocketListener *listener; /* owned */
	GThread *thread;
	gsize body_sent; /* read after the thread ended */
	gchar *api_base; /* owned */
} Cloud;

static gboolean
cloud_write (GOutputStream *out, const void *data, gsize len)
{
	return g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

static gpointer
cloud_thread (gpointer data)
{
	Cloud *c = data;
	g_autoptr(GSocketConnection) conn =
		       g_socket_listener_accept (c->listener, NULL, NULL, NULL);
	g_autoptr(GString) request = g_string_new (NULL);
	g_autofree gchar *chunk = g_strnfill (64 * 1024, ' ');
	g_autofree gchar *headers = NULL;
	GOutputStream *out;
	gboolean ok;

	if (conn == NULL)
		return NULL;
	while (strstr (request->str, "\r\n\r\n") == NULL) {
		gchar ch;
		if (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), &ch, 1,
					 NULL, NULL) != 1)
			return NULL;
		g_string_append_c (request, ch);
	}
	out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
	if (c->chunked)
		headers = g_strdup ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				    "Transfer-Encoding: chunked\r\n\r\n");
	else
		headers = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					   "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
					   c->size);
	ok = cloud_write (out, headers, strlen (headers));
	while (ok && c->body_sent < c->size) {
		gsize n = MIN ((gsize)64 * 1024, c->size - c->body_sent);
		if (c->chunked) {
			g_autofree gchar *line = g_strdup_printf ("%zx\r\n", n);
			ok = cloud_write (out, line, strlen (line)) &&
			     cloud_write (out, chunk, n) && cloud_write (out, "\r\n", 2);
		} else {
			ok = cloud_write (out, chunk, n);
		}
		if (ok)
			c->body_sent += n;
	}
	g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
	return NULL;
}

static void
cloud_start (Cloud *c, gsize size, gboolean chunked)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	c->size = size;
	c->chunked = chunked;
	c->listener = g_socket_listener_new ();
	g_assert_true (g_socket_listener_add_address (c->listener, address, G_SOCKET_TYPE_STREAM,
						      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
	g_assert_no_error (error);
	c->api_base = g_strdup_printf (
	    "http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
	c->thread = g_thread_new ("cloud", cloud_thread, c);
}

static void
cloud_stop (Cloud *c)
{
	g_thread_join (c->thread);
	g_socket_listener_close (c->listener);
	g_object_unref (c->listener);
	g_free (c->api_base);
}

static OheWithingsProvider *
provider_new (Cloud *c)
{
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(GError) error = NULL;
	OheWithingsProvider *provider =
	    g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);

	g_key_file_set_string (config, "plugin:withings", "api_base", c->api_base);
	g_key_file_set_string (config, "plugin:withings", "client_id", "cap-client");
	g_key_file_set_string (config, "plugin:withings", "client_secret", "cap-secret");
	g_key_file_set_string (config, "plugin:withings", "callback_url",
			       "https://hooks.example.org/w");
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (provider), NULL, &error));
	g_assert_no_error (error);
	/* one attempt: the cap is not a transient failure anyway */
	ohe_http_client_set_max_attempts (
	    ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (provider)), 1);
	return provider;
}

static OheToken *
token_new (void)
{
	OheToken *token = ohe_token_new ();
	ohe_token_set_access_token (token, "cap-access");
	ohe_token_set_refresh_token (token, "cap-refresh");
	ohe_token_set_expires_at (token, g_get_real_time () / G_USEC_PER_SEC + 3600);
	return token;
}

static gboolean
emit_cb (OheFetchRequest *request,
	 GPtrArray *ms,
	 const gchar *cursor,
	 gpointer user_data,
	 GError **error)
{
	return TRUE;
}

/* a getmeas page over the data cap of 16 MiB, announced with Content-Length */
static void
test_getmeas_over_cap (void)
{
	Cloud c = {0};
	g_autoptr(OheWithingsProvider) provider = NULL;
	g_autoptr(OheToken) token = token_new ();
	g_autoptr(OheFetchRequest) req = NULL;
	g_autoptr(GError) error = NULL;
	gint64 now_us = g_get_real_time ();

	cloud_start (&c, (gsize)48 * 1024 * 1024, FALSE);
	provider = provider_new (&c);
	req = ohe_fetch_request_new ("link-1", now_us - (gint64)86400 * G_USEC_PER_SEC, now_us);
	ohe_fetch_request_add_kind (req, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	ohe_fetch_request_set_token (req, token);
	ohe_fetch_request_set_emit_func (req, emit_cb, NULL, NULL);
	g_assert_false (ohe_provider_fetch (OHE_PROVIDER (provider), req, NULL, &error));
	g_test_message ("%s", error->message);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, "larger than the cap of 16777216 bytes"));
	g_assert_nonnull (strstr (error->message, "127.0.0.1"));
	cloud_stop (&c);
	/* refused at the headers: the cloud could not send the body */
	g_assert_cmpuint (c.body_sent, <, (gsize)40 * 1024 * 1024);
}

/* a notify list answer over the 1 MiB cap of control endpoints, sent chunked */
static void
test_notify_over_cap (void)
{
	Cloud c = {0};
	g_autoptr(OheWithingsProvider) provider = NULL;
	g_autoptr(OheToken) token = token_new ();
	g_autoptr(GPtrArray) subs = NULL;
	g_autoptr(GError) error = NULL;

	cloud_start (&c, (gsize)8 * 1024 * 1024, TRUE);
	provider = provider_new (&c);
	subs = ohe_provider_list_subscriptions (OHE_PROVIDER (provider), "link-1", token, NULL,
						&error);
	g_assert_null (subs);
	g_test_message ("%s", error->message);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, "larger than the cap of 1048576 bytes"));
	cloud_stop (&c);
	/* read up to the cap, then the connection was dropped */
	g_assert_cmpuint (c.body_sent, <, (gsize)8 * 1024 * 1024);
}

int
main (int argc, char **argv)
{
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/withings/response-cap/getmeas", test_getmeas_over_cap);
	g_test_add_func ("/withings/response-cap/notify", test_notify_over_cap);
	return g_test_run ();
}
