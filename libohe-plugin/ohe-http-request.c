/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-error.h"
#include "ohe-http-request.h"
#include "ohe-http-response.h"

/*
 * A description of one HTTP request, from which OheHttpClient builds a fresh
 * SoupMessage for every attempt (a SoupMessage cannot be sent twice).
 *
 * The URI may carry secrets in its query or user info and the bearer token and
 * body are secrets, so nothing built here ever puts them in an error message;
 * only the method, the host and the name of what is wrong are reported.
 */
struct _OheHttpRequest {
	GObject parent_instance;
	gchar *method;	       /* owned */
	gchar *uri;	       /* owned, may hold secrets */
	GPtrArray *headers;    /* owned, of gchar*: name, value, name, value... */
	gchar *bearer;	       /* owned, nullable, secret */
	gchar *content_type;   /* owned, nullable */
	GBytes *body;	       /* owned, nullable, may hold secrets */
	gchar *rate_limit_key; /* owned, nullable */
	gchar *breaker_target; /* owned, nullable */
	gboolean idempotent;
	gboolean idempotent_set; /* FALSE: derived from the method */
	gsize max_body_size;	 /* 0: OHE_HTTP_RESPONSE_MAX_BODY_SIZE */
};

G_DEFINE_TYPE (OheHttpRequest, ohe_http_request, G_TYPE_OBJECT)

static void
ohe_http_request_wipe_string (gchar *str)
{
	if (str != NULL)
		memset (str, 0, strlen (str));
	g_free (str);
}

static void
ohe_http_request_finalize (GObject *object)
{
	OheHttpRequest *self = OHE_HTTP_REQUEST (object);
	g_free (self->method);
	g_free (self->uri);
	g_ptr_array_unref (self->headers);
	ohe_http_request_wipe_string (self->bearer);
	g_free (self->content_type);
	if (self->body != NULL)
		g_bytes_unref (self->body);
	g_free (self->rate_limit_key);
	g_free (self->breaker_target);
	G_OBJECT_CLASS (ohe_http_request_parent_class)->finalize (object);
}

static void
ohe_http_request_class_init (OheHttpRequestClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_http_request_finalize;
}

static void
ohe_http_request_init (OheHttpRequest *self)
{
	self->headers = g_ptr_array_new_with_free_func (g_free);
}

/**
 * ohe_http_request_new:
 * @method: the HTTP method, e.g. `GET`
 * @uri: an absolute http or https URI; its query may hold secrets, it is never logged
 *
 * Returns: (transfer full): a new request
 *
 * Since: 0.1
 */
OheHttpRequest *
ohe_http_request_new (const gchar *method, const gchar *uri)
{
	OheHttpRequest *self;
	g_return_val_if_fail (method != NULL, NULL);
	g_return_val_if_fail (uri != NULL, NULL);
	self = g_object_new (OHE_TYPE_HTTP_REQUEST, NULL);
	self->method = g_strdup (method);
	self->uri = g_strdup (uri);
	return self;
}

/**
 * ohe_http_request_get_method:
 * @self: an #OheHttpRequest
 *
 * Returns: the HTTP method
 *
 * Since: 0.1
 */
const gchar *
ohe_http_request_get_method (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);
	return self->method;
}

/**
 * ohe_http_request_get_uri:
 * @self: an #OheHttpRequest
 *
 * Returns: the URI; it may hold secrets in its query, do not log it
 *
 * Since: 0.1
 */
const gchar *
ohe_http_request_get_uri (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);
	return self->uri;
}

/**
 * ohe_http_request_add_header:
 * @self: an #OheHttpRequest
 * @name: a header name
 * @value: its value
 *
 * Appends a request header. Names and values are checked when the message is
 * built, see ohe_http_request_build_message().
 *
 * Since: 0.1
 */
void
ohe_http_request_add_header (OheHttpRequest *self, const gchar *name, const gchar *value)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	g_return_if_fail (name != NULL);
	g_return_if_fail (value != NULL);
	g_ptr_array_add (self->headers, g_strdup (name));
	g_ptr_array_add (self->headers, g_strdup (value));
}

/**
 * ohe_http_request_set_bearer:
 * @self: an #OheHttpRequest
 * @access_token: (nullable): an OAuth2 access token, or %NULL to send none
 *
 * Sends `Authorization: Bearer` with @access_token. The token is a secret:
 * it is wiped from memory when the request is finalized.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_bearer (OheHttpRequest *self, const gchar *access_token)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	ohe_http_request_wipe_string (self->bearer);
	self->bearer = g_strdup (access_token);
}

/**
 * ohe_http_request_set_body:
 * @self: an #OheHttpRequest
 * @content_type: (nullable): the media type of @body, e.g. `application/json`
 * @body: (nullable): the request body, or %NULL for none
 *
 * Since: 0.1
 */
void
ohe_http_request_set_body (OheHttpRequest *self, const gchar *content_type, GBytes *body)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	g_free (self->content_type);
	self->content_type = g_strdup (content_type);
	if (self->body != NULL)
		g_bytes_unref (self->body);
	self->body = (body != NULL) ? g_bytes_ref (body) : NULL;
}

/**
 * ohe_http_request_set_form:
 * @self: an #OheHttpRequest
 * @form: (element-type utf8 utf8): field names to values
 *
 * Sets the body to @form encoded as `application/x-www-form-urlencoded`, the
 * format of OAuth2 token requests.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_form (OheHttpRequest *self, GHashTable *form)
{
	g_autoptr(GBytes) body = NULL;
	gchar *encoded;
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	g_return_if_fail (form != NULL);
	encoded = soup_form_encode_hash (form);
	body = g_bytes_new_take (encoded, strlen (encoded));
	ohe_http_request_set_body (self, "application/x-www-form-urlencoded", body);
}

/**
 * ohe_http_request_set_json:
 * @self: an #OheHttpRequest
 * @json: a JSON document
 *
 * Sets the body to @json as `application/json`.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_json (OheHttpRequest *self, const gchar *json)
{
	g_autoptr(GBytes) body = NULL;
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	g_return_if_fail (json != NULL);
	body = g_bytes_new (json, strlen (json));
	ohe_http_request_set_body (self, "application/json", body);
}

/**
 * ohe_http_request_get_body:
 * @self: an #OheHttpRequest
 *
 * Returns: (transfer none) (nullable): the request body
 *
 * Since: 0.1
 */
GBytes *
ohe_http_request_get_body (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);
	return self->body;
}

/**
 * ohe_http_request_get_content_type:
 * @self: an #OheHttpRequest
 *
 * Returns: (nullable): the media type of the request body
 *
 * Since: 0.1
 */
const gchar *
ohe_http_request_get_content_type (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);
	return self->content_type;
}

/**
 * ohe_http_request_set_rate_limit_key:
 * @self: an #OheHttpRequest
 * @key: (nullable): the key of the per-user rate limit, e.g. the provider's user id
 *
 * Requests with the same key share one bucket of the client's per-user rate
 * limit, see ohe_http_client_set_user_rate_limit(). The key may appear in
 * debug logs, so it must not be a secret.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_rate_limit_key (OheHttpRequest *self, const gchar *key)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	g_free (self->rate_limit_key);
	self->rate_limit_key = g_strdup (key);
}

/**
 * ohe_http_request_get_rate_limit_key:
 * @self: an #OheHttpRequest
 *
 * Returns: (nullable): the per-user rate-limit key
 *
 * Since: 0.1
 */
const gchar *
ohe_http_request_get_rate_limit_key (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);
	return self->rate_limit_key;
}

/**
 * ohe_http_request_set_breaker_target:
 * @self: an #OheHttpRequest
 * @target: (nullable): the circuit breaker to use, or %NULL for the URI's `host[:port]`
 *
 * Lets several hosts share a breaker, or one host have several. The target
 * is a metrics label, so it must not be a secret.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_breaker_target (OheHttpRequest *self, const gchar *target)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	g_free (self->breaker_target);
	self->breaker_target = g_strdup (target);
}

/**
 * ohe_http_request_get_breaker_target:
 * @self: an #OheHttpRequest
 *
 * Returns: (nullable): the breaker target set with ohe_http_request_set_breaker_target()
 *
 * Since: 0.1
 */
const gchar *
ohe_http_request_get_breaker_target (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);
	return self->breaker_target;
}

/**
 * ohe_http_request_set_idempotent:
 * @self: an #OheHttpRequest
 * @idempotent: whether sending the request twice has the effect of sending it once
 *
 * Only idempotent requests are retried. `GET`, `HEAD`, `OPTIONS`, `PUT` and
 * `DELETE` are idempotent unless this says otherwise; set it for a `POST` that
 * is safe to repeat, e.g. a FHIR transaction of `PUT` entries.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_idempotent (OheHttpRequest *self, gboolean idempotent)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	self->idempotent = idempotent;
	self->idempotent_set = TRUE;
}

/**
 * ohe_http_request_get_idempotent:
 * @self: an #OheHttpRequest
 *
 * Returns: %TRUE if the request may be retried
 *
 * Since: 0.1
 */
gboolean
ohe_http_request_get_idempotent (OheHttpRequest *self)
{
	const gchar *idempotent_methods[] = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", NULL};
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), FALSE);
	if (self->idempotent_set)
		return self->idempotent;
	return g_strv_contains (idempotent_methods, self->method);
}

/**
 * ohe_http_request_set_max_body_size:
 * @self: an #OheHttpRequest
 * @max_bytes: the largest response body accepted for this request, 0 for the
 *   client's limit (%OHE_HTTP_RESPONSE_MAX_BODY_SIZE); larger values are capped at it
 *
 * Sizes the cap to what the endpoint really returns: a body announced larger
 * is refused before it is read, one that grows larger while it is read is
 * refused as soon as it crosses the cap, and the error names the cap.
 *
 * Since: 0.1
 */
void
ohe_http_request_set_max_body_size (OheHttpRequest *self, gsize max_bytes)
{
	g_return_if_fail (OHE_IS_HTTP_REQUEST (self));
	self->max_body_size = MIN (max_bytes, (gsize)OHE_HTTP_RESPONSE_MAX_BODY_SIZE);
}

/**
 * ohe_http_request_get_max_body_size:
 * @self: an #OheHttpRequest
 *
 * Returns: the largest response body accepted for this request, in bytes
 *
 * Since: 0.1
 */
gsize
ohe_http_request_get_max_body_size (OheHttpRequest *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), 0);
	return self->max_body_size > 0 ? self->max_body_size
				       : (gsize)OHE_HTTP_RESPONSE_MAX_BODY_SIZE;
}

/* RFC 9110 §5.6.2: methods and header names are tokens */
static gboolean
ohe_http_request_is_token (const gchar *str)
{
	if (str == NULL || str[0] == '\0')
		return FALSE;
	for (const gchar *p = str; *p != '\0'; p++) {
		if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* a value that would end the header line could inject headers or requests */
static gboolean
ohe_http_request_is_field_value (const gchar *str)
{
	return strpbrk (str, "\r\n") == NULL;
}

static const gchar *
ohe_http_request_uri_error_to_string (const GError *error)
{
	/* GLib's own messages may quote parts of the URI, so only the kind is reported */
	static const gchar *const names[] = {
	    [G_URI_ERROR_FAILED] = "it cannot be parsed",
	    [G_URI_ERROR_BAD_SCHEME] = "its scheme is invalid",
	    [G_URI_ERROR_BAD_USER] = "its user name is invalid",
	    [G_URI_ERROR_BAD_PASSWORD] = "its password is invalid",
	    [G_URI_ERROR_BAD_AUTH_PARAMS] = "its authentication parameters are invalid",
	    [G_URI_ERROR_BAD_HOST] = "its host is invalid",
	    [G_URI_ERROR_BAD_PORT] = "its port is invalid",
	    [G_URI_ERROR_BAD_PATH] = "its path is invalid",
	    [G_URI_ERROR_BAD_QUERY] = "its query is invalid",
	    [G_URI_ERROR_BAD_FRAGMENT] = "its fragment is invalid",
	};
	if (error->domain != G_URI_ERROR || (guint)error->code >= G_N_ELEMENTS (names) ||
	    names[error->code] == NULL)
		return names[G_URI_ERROR_FAILED];
	return names[error->code];
}

/**
 * ohe_http_request_build_message:
 * @self: an #OheHttpRequest
 * @error: a #GError, or %NULL
 *
 * Builds a new message for one attempt. Redirects are not followed, so
 * credentials never travel to another host; a 3xx answer reaches the caller.
 *
 * Returns: (transfer full): a new #SoupMessage, or %NULL with %OHE_ERROR_INVALID_ARGUMENT
 * if the method, URI or a header is invalid; the message names the problem
 * but never quotes the URI or a header value
 *
 * Since: 0.1
 */
SoupMessage *
ohe_http_request_build_message (OheHttpRequest *self, GError **error)
{
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(SoupMessage) msg = NULL;
	SoupMessageHeaders *hdrs;
	const gchar *scheme;
	const gchar *host;

	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (self), NULL);

	if (!ohe_http_request_is_token (self->method)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "HTTP method is not a valid token");
		return NULL;
	}
	uri = g_uri_parse (self->uri, SOUP_HTTP_URI_FLAGS, &error_local);
	if (uri == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "invalid URI for %s request: %s", self->method,
			     ohe_http_request_uri_error_to_string (error_local));
		return NULL;
	}
	scheme = g_uri_get_scheme (uri);
	if (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "invalid URI for %s request: scheme must be http or https",
			     self->method);
		return NULL;
	}
	host = g_uri_get_host (uri);
	if (host == NULL || host[0] == '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "invalid URI for %s request: it has no host", self->method);
		return NULL;
	}
	/* GLib accepts any character here, a resolver would fail later with less clarity */
	if (host[strspn (host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			       "-._~%:")] != '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "invalid URI for %s request: its host is invalid", self->method);
		return NULL;
	}

	msg = soup_message_new_from_uri (self->method, uri);
	soup_message_set_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
	hdrs = soup_message_get_request_headers (msg);
	for (guint i = 0; i + 1 < self->headers->len; i += 2) {
		const gchar *name = g_ptr_array_index (self->headers, i);
		const gchar *value = g_ptr_array_index (self->headers, i + 1);
		if (!ohe_http_request_is_token (name)) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "HTTP header name is not a valid token");
			return NULL;
		}
		if (!ohe_http_request_is_field_value (value)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "value of HTTP header %s contains a line break", name);
			return NULL;
		}
		soup_message_headers_append (hdrs, name, value);
	}
	if (self->bearer != NULL) {
		g_autofree gchar *authorization = NULL;
		if (!ohe_http_request_is_field_value (self->bearer)) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "bearer token contains a line break");
			return NULL;
		}
		authorization = g_strdup_printf ("Bearer %s", self->bearer);
		soup_message_headers_replace (hdrs, "Authorization", authorization);
		memset (authorization, 0, strlen (authorization));
	}
	if (self->body != NULL) {
		if (self->content_type != NULL &&
		    !ohe_http_request_is_field_value (self->content_type)) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     "content type contains a line break");
			return NULL;
		}
		soup_message_set_request_body_from_bytes (msg, self->content_type, self->body);
	}
	return g_steal_pointer (&msg);
}
