/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ohe-api-auth.h"
#include "ohe-api-listener.h"
#include "ohe-api-rate-limiter.h"
#include "ohe-api-router.h"
#include "ohe-api-server.h"
#include "ohe-error.h"
#include "ohe-private-file.h"

/*
 * The REST front-end: [api] threads listener threads, each with its own main loop and
 * SoupServer, accepting on SO_REUSEPORT sockets bound to every [api] listen address. Handlers
 * read the store and the engine's counters and never call a provider or the EHR, so a busy
 * sync cannot hold a request up; slow checks (the EHR's health) run on a thread of their own
 * and are reported from the last result.
 */
struct _OheApiServer {
	GObject parent_instance;
	OheEngine *engine;	    /* owned */
	GPtrArray *listeners;	    /* owned, element-type OheApiListener */
	GPtrArray *uris;	    /* owned, element-type utf8 */
	OheApiAuth *auth;	    /* owned */
	OheApiRateLimiter *limiter; /* owned */
	OheApiHealth *health;	    /* owned */
	GBytes *openapi;	    /* owned */
	OheMetrics *metrics;	    /* unowned: the engine's */
	gsize max_body;
	gint ready; /* atomic */
};

G_DEFINE_TYPE (OheApiServer, ohe_api_server, G_TYPE_OBJECT)

/* how long a token lookup is cached, and so how long a revoked token may still pass */
#define OHE_API_SERVER_AUTH_CACHE_US (5 * G_USEC_PER_SEC)
/* how often the sink's health is asked */
#define OHE_API_SERVER_SINK_CHECK_US (30 * G_USEC_PER_SEC)
#define OHE_API_SERVER_DEFAULT_PORT  8080

static const gdouble ohe_api_server_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
						 0.1,	0.25,	0.5,   1,    2.5};

static void
ohe_api_server_finalize (GObject *object)
{
	OheApiServer *self = OHE_API_SERVER (object);
	ohe_api_server_stop (self);
	g_ptr_array_unref (self->listeners);
	g_ptr_array_unref (self->uris);
	g_clear_object (&self->auth);
	g_clear_object (&self->limiter);
	g_clear_object (&self->health);
	g_clear_pointer (&self->openapi, g_bytes_unref);
	g_clear_object (&self->engine);
	G_OBJECT_CLASS (ohe_api_server_parent_class)->finalize (object);
}

static void
ohe_api_server_class_init (OheApiServerClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_api_server_finalize;
}

static void
ohe_api_server_init (OheApiServer *self)
{
	self->listeners = g_ptr_array_new_with_free_func (g_object_unref);
	self->uris = g_ptr_array_new_with_free_func (g_free);
}

OheApiServer *
ohe_api_server_new (OheEngine *engine)
{
	OheApiServer *self = g_object_new (OHE_TYPE_API_SERVER, NULL);
	self->engine = g_object_ref (engine);
	return self;
}

OheApiHealth *
ohe_api_server_get_health (OheApiServer *self)
{
	return self->health;
}

GBytes *
ohe_api_server_get_openapi (OheApiServer *self)
{
	return self->openapi;
}

gboolean
ohe_api_server_is_ready (OheApiServer *self)
{
	return g_atomic_int_get (&self->ready);
}

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080", "*:8080" */
static GInetSocketAddress *
ohe_api_server_parse_address (const gchar *text, GError **error)
{
	g_autofree gchar *host = NULL;
	g_autoptr(GInetAddress) address = NULL;
	const gchar *port_text = NULL;
	guint64 port = 0;

	if (text[0] == '[') {
		const gchar *end = strchr (text, ']');
		if (end != NULL && end[1] == ':') {
			host = g_strndup (text + 1, end - text - 1);
			port_text = end + 2;
		}
	} else {
		const gchar *colon = strrchr (text, ':');
		if (colon != NULL && strchr (text, ':') == colon) {
			host = g_strndup (text, colon - text);
			port_text = colon + 1;
		}
	}
	if (host == NULL || !g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL)) {
		g_set_error (
		    error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		    "[api] listen: '%s' is not host:port (e.g. 127.0.0.1:8080, [::1]:8080)", text);
		return NULL;
	}
	if (g_strcmp0 (host, "localhost") == 0)
		address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	else if (g_strcmp0 (host, "*") == 0)
		address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
	else
		address = g_inet_address_new_from_string (host);
	if (address == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[api] listen: '%s' is not an IP address, localhost or *", host);
		return NULL;
	}
	return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, (guint16)port));
}

static GSocket *
ohe_api_server_bind (GInetSocketAddress *address, GError **error)
{
	g_autoptr(GSocket) socket = NULL;
	g_autofree gchar *text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
	struct sockaddr_storage native;
	gssize native_len;

	socket = g_socket_new (g_socket_address_get_family (G_SOCKET_ADDRESS (address)),
			       G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
	if (socket == NULL)
		return NULL;
	/* every listener thread binds the same address; the kernel balances between them.
	 * g_socket_bind() clears SO_REUSEPORT on stream sockets, so bind(2) it is */
	native_len = g_socket_address_get_native_size (G_SOCKET_ADDRESS (address));
	if (native_len < 0 || (gsize)native_len > sizeof (native) ||
	    !g_socket_address_to_native (G_SOCKET_ADDRESS (address), &native, sizeof (native),
					 error) ||
	    !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error) ||
	    !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error)) {
		g_prefix_error (error, "[api] listen %s: ", text);
		return NULL;
	}
	if (bind (g_socket_get_fd (socket), (struct sockaddr *)&native, (socklen_t)native_len) !=
	    0) {
		gint saved = errno;
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
			     "[api] listen %s: %s", text, g_strerror (saved));
		return NULL;
	}
	g_socket_set_listen_backlog (socket, 1024);
	if (!g_socket_listen (socket, error)) {
		g_prefix_error (error, "[api] listen %s: ", text);
		return NULL;
	}
	return g_steal_pointer (&socket);
}

static void
ohe_api_server_count (
    OheApiServer *self, const gchar *method, const gchar *endpoint, guint status, gint64 start_us)
{
	g_autofree gchar *status_text = g_strdup_printf ("%u", status);
	ohe_metrics_counter_add (self->metrics, "ohe_api_requests_total",
				 OHE_METRICS_LABELS (method, endpoint, status_text), 1);
	ohe_metrics_histogram_observe (self->metrics, "ohe_api_request_duration_seconds",
				       OHE_METRICS_LABELS (method, endpoint),
				       (g_get_monotonic_time () - start_us) /
					   (gdouble)G_USEC_PER_SEC);
}

static const gchar *
ohe_api_server_metric_method (const gchar *method)
{
	/* a label value per method a client invents would grow the metrics without bound */
	const gchar *known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	for (guint i = 0; i < G_N_ELEMENTS (known); i++) {
		if (g_strcmp0 (known[i], method) == 0)
			return known[i];
	}
	return "other";
}

/* refuses an oversized or unbounded body before it is read */
static void
ohe_api_server_early_cb (SoupServer *server,
			 SoupServerMessage *msg,
			 const char *path,
			 GHashTable *query,
			 gpointer user_data)
{
	OheApiServer *self = user_data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
	g_autoptr(OheApiRequest) request = NULL;
	g_autofree gchar *detail = NULL;
	goffset length;

	switch (soup_message_headers_get_encoding (headers)) {
	case SOUP_ENCODING_NONE:
		return;
	case SOUP_ENCODING_CONTENT_LENGTH:
		length = soup_message_headers_get_content_length (headers);
		if (length >= 0 && (gsize)length <= self->max_body)
			return;
		request = ohe_api_request_new (msg, self, self->engine);
		detail = g_strdup_printf ("the body may hold at most %" G_GSIZE_FORMAT " bytes",
					  self->max_body);
		ohe_api_request_reply_problem (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
					       "Body too large", detail, "Content-Length");
		break;
	default:
		request = ohe_api_request_new (msg, self, self->engine);
		ohe_api_request_reply_problem (
		    request, SOUP_STATUS_LENGTH_REQUIRED, "Length required",
		    "a request body needs a Content-Length", "Content-Length");
		break;
	}
	/* the body is not read: the connection cannot be reused */
	soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
				      "close");
	ohe_api_server_count (self,
			      ohe_api_server_metric_method (soup_server_message_get_method (msg)),
			      "unmatched", request->status, g_get_monotonic_time ());
}

static gboolean
ohe_api_server_authorize (OheApiServer *self, OheApiRequest *request)
{
	const gchar *authorization = soup_message_headers_get_one (
	    soup_server_message_get_request_headers (request->msg), "Authorization");
	g_autoptr(GError) error = NULL;
	OheApiScope scope;
	guint retry_after = 0;

	if (request->route->access == OHE_API_ACCESS_PUBLIC)
		return TRUE;
	request->token = ohe_api_auth_verify (self->auth, authorization, &error);
	if (request->token == NULL) {
		if (g_error_matches (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED)) {
			soup_message_headers_replace (
			    soup_server_message_get_response_headers (request->msg),
			    "WWW-Authenticate", "Bearer realm=\"ohed\"");
			ohe_api_request_reply_problem (request, SOUP_STATUS_UNAUTHORIZED,
						       "Unauthorized", error->message,
						       "Authorization");
		} else {
			ohe_api_request_reply_error (request, error);
		}
		return FALSE;
	}
	if (!ohe_api_rate_limiter_take (self->limiter, ohe_api_token_get_id (request->token),
					g_get_monotonic_time (), &retry_after)) {
		g_autofree gchar *value = g_strdup_printf ("%u", retry_after);
		soup_message_headers_replace (
		    soup_server_message_get_response_headers (request->msg), "Retry-After", value);
		ohe_api_request_reply_problem (
		    request, 429 /* Too Many Requests; libsoup has no name for it */,
		    "Too many requests", "this token's request rate is exceeded; retry later",
		    NULL);
		return FALSE;
	}
	scope = ohe_api_token_get_scope (request->token);
	switch (request->route->access) {
	case OHE_API_ACCESS_ADMIN:
		if (scope == OHE_API_SCOPE_ADMIN)
			return TRUE;
		break;
	case OHE_API_ACCESS_STAFF:
		if (scope != OHE_API_SCOPE_USER)
			return TRUE;
		break;
	case OHE_API_ACCESS_OWNER:
	case OHE_API_ACCESS_ANY:
	case OHE_API_ACCESS_PUBLIC:
		return TRUE;
	}
	ohe_api_request_reply_problem (request, SOUP_STATUS_FORBIDDEN, "Forbidden",
				       "this token's scope does not allow this operation", NULL);
	return FALSE;
}

static void
ohe_api_server_request_cb (SoupServer *server,
			   SoupServerMessage *msg,
			   const char *path,
			   GHashTable *query,
			   gpointer user_data)
{
	OheApiServer *self = user_data;
	g_autoptr(OheApiRequest) request = ohe_api_request_new (msg, self, self->engine);
	g_autofree gchar *allow = NULL;
	const gchar *method = soup_server_message_get_method (msg);
	gint64 start = g_get_monotonic_time ();

	request->route = ohe_api_router_match (method, path, request->params, &allow);
	if (request->route == NULL) {
		if (allow != NULL) {
			soup_message_headers_replace (
			    soup_server_message_get_response_headers (msg), "Allow", allow);
			ohe_api_request_reply_problem (request, SOUP_STATUS_METHOD_NOT_ALLOWED,
						       "Method not allowed", allow, NULL);
		} else {
			ohe_api_request_reply_problem (request, SOUP_STATUS_NOT_FOUND, "Not found",
						       "no such route", NULL);
		}
		ohe_api_server_count (self, ohe_api_server_metric_method (method), "unmatched",
				      request->status, start);
		return;
	}
	if (ohe_api_server_authorize (self, request))
		request->route->handler (request);
	ohe_api_server_count (self, ohe_api_server_metric_method (method), request->route->pattern,
			      request->status, start);
}

static gboolean
ohe_api_server_load (OheApiServer *self, GTlsCertificate **certificate, GError **error)
{
	OheConfig *config = ohe_engine_get_config (self->engine);
	g_autofree gchar *cert_file = ohe_config_get_string (config, "api", "tls_certificate_file");
	g_autofree gchar *key_file = ohe_config_get_string (config, "api", "tls_key_file");
	g_autofree gchar *openapi_file = ohe_config_get_string (config, "api", "openapi_file");
	g_autofree gchar *data = NULL;
	gsize length = 0;

	if ((cert_file[0] == '\0') != (key_file[0] == '\0')) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "[api] tls_certificate_file and tls_key_file go together: set "
				     "both for HTTPS or neither");
		return FALSE;
	}
	if (cert_file[0] != '\0') {
		/* the key must not be readable by anyone but the daemon, like every secret file */
		if (!ohe_private_file_check (key_file, "[api] tls_key_file", error))
			return FALSE;
		*certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
		if (*certificate == NULL) {
			g_prefix_error (error, "[api] tls_certificate_file: ");
			return FALSE;
		}
	}
	if (openapi_file[0] == '\0') {
		g_free (openapi_file);
		openapi_file =
		    g_build_filename (OHE_PKGDATADIR, "openapi", "ohed-api-v1.json", NULL);
		/* an uninstalled build runs from the source tree */
		if (!g_file_test (openapi_file, G_FILE_TEST_EXISTS)) {
			g_free (openapi_file);
			openapi_file = g_build_filename (OHE_SOURCE_DATADIR, "openapi",
							 "ohed-api-v1.json", NULL);
		}
	}
	if (!g_file_get_contents (openapi_file, &data, &length, error)) {
		g_prefix_error (error, "[api] openapi_file: ");
		return FALSE;
	}
	self->openapi = g_bytes_new_take (g_steal_pointer (&data), length);
	return TRUE;
}

static void
ohe_api_server_register_metrics (OheApiServer *self)
{
	g_autoptr(GError) error = NULL;
	/* a second server on the same engine (tests) finds them registered already */
	if (!ohe_metrics_register_counter (self->metrics, "ohe_api_requests_total",
					   "REST API requests by method, route and status",
					   OHE_METRICS_LABELS ("method", "endpoint", "status_code"),
					   &error) ||
	    !ohe_metrics_register_histogram (
		self->metrics, "ohe_api_request_duration_seconds",
		"Time to answer a REST API request", OHE_METRICS_LABELS ("method", "endpoint"),
		ohe_api_server_buckets, G_N_ELEMENTS (ohe_api_server_buckets), &error))
		g_debug ("api: metrics: %s", error->message);
}

/**
 * ohe_api_server_start:
 * @self: an #OheApiServer
 * @error: a #GError, or %NULL
 *
 * Binds every [api] listen address once per listener thread and starts the threads.
 *
 * Returns: %TRUE once every thread accepts connections
 */
gboolean
ohe_api_server_start (OheApiServer *self, GError **error)
{
	OheConfig *config = ohe_engine_get_config (self->engine);
	g_auto(GStrv) listen = ohe_config_get_list (config, "api", "listen");
	guint threads = (guint)ohe_config_get_int (config, "api", "threads");
	g_autoptr(GTlsCertificate) certificate = NULL;
	g_autoptr(GPtrArray) per_thread =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);

	g_return_val_if_fail (OHE_IS_API_SERVER (self), FALSE);
	if (listen == NULL || listen[0] == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "[api] listen names no address");
		return FALSE;
	}
	if (!ohe_api_server_load (self, &certificate, error))
		return FALSE;
	self->max_body = (gsize)ohe_config_get_int (config, "api", "max_body_bytes");
	self->metrics = ohe_engine_get_metrics (self->engine);
	ohe_api_server_register_metrics (self);
	self->auth =
	    ohe_api_auth_new (ohe_engine_get_store (self->engine), OHE_API_SERVER_AUTH_CACHE_US);
	self->limiter =
	    ohe_api_rate_limiter_new ((guint)ohe_config_get_int (config, "api", "rate_limit"),
				      (guint)ohe_config_get_int (config, "api", "rate_burst"));
	self->health = ohe_api_health_new (self->engine, OHE_API_SERVER_SINK_CHECK_US);

	for (guint t = 0; t < threads; t++)
		g_ptr_array_add (per_thread, g_ptr_array_new_with_free_func (g_object_unref));
	for (guint i = 0; listen[i] != NULL; i++) {
		g_autoptr(GInetSocketAddress) address =
			       ohe_api_server_parse_address (listen[i], error);
		g_autoptr(GSocketAddress) bound = NULL;
		g_autofree gchar *host = NULL;
		GInetAddress *inet;
		if (address == NULL)
			return FALSE;
		for (guint t = 0; t < threads; t++) {
			GSocket *socket = ohe_api_server_bind (address, error);
			if (socket == NULL)
				return FALSE;
			g_ptr_array_add (g_ptr_array_index (per_thread, t), socket);
			if (bound != NULL)
				continue;
			/* port 0: the others bind the port the kernel chose for the first */
			bound = g_socket_get_local_address (socket, error);
			if (bound == NULL)
				return FALSE;
			g_clear_object (&address);
			address = G_INET_SOCKET_ADDRESS (g_object_ref (bound));
		}
		inet = g_inet_socket_address_get_address (address);
		host = g_inet_address_to_string (inet);
		g_ptr_array_add (
		    self->uris,
		    g_strdup_printf (
			"%s://%s%s%s:%u/", certificate != NULL ? "https" : "http",
			g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? "[" : "", host,
			g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? "]" : "",
			g_inet_socket_address_get_port (address)));
	}
	ohe_api_health_start (self->health);
	for (guint t = 0; t < threads; t++) {
		g_autoptr(OheApiListener) listener = ohe_api_listener_new (
		    t, g_ptr_array_index (per_thread, t), certificate, ohe_api_server_early_cb,
		    ohe_api_server_request_cb, self);
		if (!ohe_api_listener_start (listener, error)) {
			ohe_api_server_stop (self);
			return FALSE;
		}
		g_ptr_array_add (self->listeners, g_steal_pointer (&listener));
	}
	g_atomic_int_set (&self->ready, TRUE);
	for (guint i = 0; i < self->uris->len; i++)
		g_message ("api: listening on %s (%u threads)",
			   (const gchar *)g_ptr_array_index (self->uris, i), threads);
	return TRUE;
}

void
ohe_api_server_stop (OheApiServer *self)
{
	g_return_if_fail (OHE_IS_API_SERVER (self));
	g_atomic_int_set (&self->ready, FALSE);
	for (guint i = 0; i < self->listeners->len; i++)
		ohe_api_listener_stop (g_ptr_array_index (self->listeners, i));
	g_ptr_array_set_size (self->listeners, 0);
	if (self->health != NULL)
		ohe_api_health_stop (self->health);
}

/* Returns: (transfer full): the base URI of each listen address, port resolved */
GStrv
ohe_api_server_get_uris (OheApiServer *self)
{
	GStrvBuilder *builder = g_strv_builder_new ();
	GStrv out;
	for (guint i = 0; i < self->uris->len; i++)
		g_strv_builder_add (builder, g_ptr_array_index (self->uris, i));
	out = g_strv_builder_end (builder);
	g_strv_builder_unref (builder);
	return out;
}
