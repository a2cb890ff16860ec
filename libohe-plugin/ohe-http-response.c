/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-http-response.h"
#include "ohe-json.h"

/*
 * The answer to an OheHttpRequest: status, headers and the whole body.
 * Provider APIs such as Withings answer 200 with an error status inside the
 * body, so the body is kept for every status the client returns.
 */
struct _OheHttpResponse {
	GObject parent_instance;
	guint status;
	SoupMessageHeaders *headers; /* owned */
	GBytes *body;		     /* owned, never NULL */
	guint attempts;		     /* how many sends it took, at least 1 */
};

G_DEFINE_TYPE (OheHttpResponse, ohe_http_response, G_TYPE_OBJECT)

static void
ohe_http_response_finalize (GObject *object)
{
	OheHttpResponse *self = OHE_HTTP_RESPONSE (object);
	soup_message_headers_unref (self->headers);
	g_bytes_unref (self->body);
	G_OBJECT_CLASS (ohe_http_response_parent_class)->finalize (object);
}

static void
ohe_http_response_class_init (OheHttpResponseClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_http_response_finalize;
}

static void
ohe_http_response_init (OheHttpResponse *self)
{
	self->attempts = 1;
}

/**
 * ohe_http_response_new:
 * @status: the HTTP status code
 * @headers: (nullable): the response headers
 * @body: (nullable): the response body, %NULL for none
 *
 * Returns: (transfer full): a new response
 *
 * Since: 0.1
 */
OheHttpResponse *
ohe_http_response_new (guint status, SoupMessageHeaders *headers, GBytes *body)
{
	OheHttpResponse *self = g_object_new (OHE_TYPE_HTTP_RESPONSE, NULL);
	self->status = status;
	self->headers = (headers != NULL)
			    ? soup_message_headers_ref (headers)
			    : soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
	self->body = (body != NULL) ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
	return self;
}

/**
 * ohe_http_response_get_status:
 * @self: an #OheHttpResponse
 *
 * Returns: the HTTP status code
 *
 * Since: 0.1
 */
guint
ohe_http_response_get_status (OheHttpResponse *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_RESPONSE (self), 0);
	return self->status;
}

/**
 * ohe_http_response_get_header:
 * @self: an #OheHttpResponse
 * @name: a header name, case-insensitive
 *
 * Returns: (nullable): the header value; repeated headers are joined with `, `
 *
 * Since: 0.1
 */
const gchar *
ohe_http_response_get_header (OheHttpResponse *self, const gchar *name)
{
	g_return_val_if_fail (OHE_IS_HTTP_RESPONSE (self), NULL);
	g_return_val_if_fail (name != NULL, NULL);
	return soup_message_headers_get_list (self->headers, name);
}

/**
 * ohe_http_response_get_body:
 * @self: an #OheHttpResponse
 *
 * Returns: (transfer none): the body, empty if there was none
 *
 * Since: 0.1
 */
GBytes *
ohe_http_response_get_body (OheHttpResponse *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_RESPONSE (self), NULL);
	return self->body;
}

/* a hint for the error message when an HTML error page or similar came back */
static gchar *
ohe_http_response_dup_content_type_hint (OheHttpResponse *self)
{
	const gchar *content_type = soup_message_headers_get_content_type (self->headers, NULL);
	if (content_type == NULL)
		return g_strdup ("");
	if (g_str_has_suffix (content_type, "/json") || g_str_has_suffix (content_type, "+json"))
		return g_strdup ("");
	return g_strdup_printf (" (content type %s)", content_type);
}

/**
 * ohe_http_response_get_json:
 * @self: an #OheHttpResponse
 * @error: a #GError, or %NULL
 *
 * Parses the body as JSON. The status is not checked: some providers answer
 * 200 with an error inside the JSON, others 4xx with a JSON error object.
 *
 * Returns: (transfer full): the root node, or %NULL with %OHE_ERROR_INVALID_DATA
 * naming the problem (empty body, too large, not UTF-8, syntax error at
 * line:column, nested too deeply, see ohe_json_parse()); the body itself is
 * never quoted
 *
 * Since: 0.1
 */
JsonNode *
ohe_http_response_get_json (OheHttpResponse *self, GError **error)
{
	g_autofree gchar *hint = NULL;
	g_autofree gchar *what = NULL;
	const gchar *data;
	gsize size = 0;

	g_return_val_if_fail (OHE_IS_HTTP_RESPONSE (self), NULL);

	hint = ohe_http_response_dup_content_type_hint (self);
	data = g_bytes_get_data (self->body, &size);
	if (size == 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "HTTP %u response body is empty, expected JSON%s", self->status, hint);
		return NULL;
	}
	if (size > OHE_HTTP_RESPONSE_MAX_BODY_SIZE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "HTTP %u response body of %" G_GSIZE_FORMAT
			     " bytes exceeds the JSON limit of %u bytes",
			     self->status, size, (guint)OHE_HTTP_RESPONSE_MAX_BODY_SIZE);
		return NULL;
	}
	what = g_strdup_printf ("HTTP %u response body%s", self->status, hint);
	return ohe_json_parse (data, (gssize)size, what, NULL, error);
}

/**
 * ohe_http_response_get_attempts:
 * @self: an #OheHttpResponse
 *
 * Returns: how many times the request was sent to get this response
 *
 * Since: 0.1
 */
guint
ohe_http_response_get_attempts (OheHttpResponse *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_RESPONSE (self), 0);
	return self->attempts;
}

/**
 * ohe_http_response_set_attempts:
 * @self: an #OheHttpResponse
 * @attempts: how many times the request was sent
 *
 * Since: 0.1
 */
void
ohe_http_response_set_attempts (OheHttpResponse *self, guint attempts)
{
	g_return_if_fail (OHE_IS_HTTP_RESPONSE (self));
	self->attempts = attempts;
}

/* libsoup 3.2 has no name for it */
#define OHE_HTTP_STATUS_TOO_MANY_REQUESTS 429

typedef struct {
	guint status;
	OheError code;
} OheHttpStatusMap;

/* statuses with their own meaning; other 4xx are the caller's fault, 5xx the server's */
static const OheHttpStatusMap ohe_http_status_map[] = {
    {SOUP_STATUS_UNAUTHORIZED, OHE_ERROR_AUTH_EXPIRED},
    {SOUP_STATUS_FORBIDDEN, OHE_ERROR_PERMISSION_DENIED},
    {SOUP_STATUS_NOT_FOUND, OHE_ERROR_NOT_FOUND},
    {SOUP_STATUS_CONFLICT, OHE_ERROR_CONFLICT},
    {SOUP_STATUS_GONE, OHE_ERROR_GONE},
    {OHE_HTTP_STATUS_TOO_MANY_REQUESTS, OHE_ERROR_RATE_LIMITED},
};

static OheError
ohe_http_response_status_to_error (guint status)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_http_status_map); i++) {
		if (ohe_http_status_map[i].status == status)
			return ohe_http_status_map[i].code;
	}
	if (status >= 400 && status < 500)
		return OHE_ERROR_INVALID_ARGUMENT;
	if (status >= 500 && status < 600)
		return OHE_ERROR_UNAVAILABLE;
	/* 1xx, 3xx (redirects are not followed) and nonsense */
	return OHE_ERROR_FAILED;
}

/* RFC 6585 and RFC 9110 statuses libsoup 3.2 has no phrase for */
static const struct {
	guint status;
	const gchar *phrase;
} ohe_http_status_phrases[] = {
    {421, "Misdirected Request"},
    {425, "Too Early"},
    {428, "Precondition Required"},
    {OHE_HTTP_STATUS_TOO_MANY_REQUESTS, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {511, "Network Authentication Required"},
};

static const gchar *
ohe_http_response_status_to_phrase (guint status)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_http_status_phrases); i++) {
		if (ohe_http_status_phrases[i].status == status)
			return ohe_http_status_phrases[i].phrase;
	}
	return soup_status_get_phrase (status);
}

/**
 * ohe_http_response_check_status:
 * @self: an #OheHttpResponse
 * @error: a #GError, or %NULL
 *
 * Maps the status to an error: 401 is %OHE_ERROR_AUTH_EXPIRED, 403
 * %OHE_ERROR_PERMISSION_DENIED, 404 %OHE_ERROR_NOT_FOUND, 409
 * %OHE_ERROR_CONFLICT, 410 %OHE_ERROR_GONE, 429 %OHE_ERROR_RATE_LIMITED,
 * other 4xx %OHE_ERROR_INVALID_ARGUMENT, 5xx %OHE_ERROR_UNAVAILABLE and
 * anything else but 2xx %OHE_ERROR_FAILED. The message is the status and its
 * reason phrase, e.g. `HTTP 404 Not Found`; the body is never quoted.
 *
 * Returns: %TRUE for a 2xx status
 *
 * Since: 0.1
 */
gboolean
ohe_http_response_check_status (OheHttpResponse *self, GError **error)
{
	g_return_val_if_fail (OHE_IS_HTTP_RESPONSE (self), FALSE);
	if (SOUP_STATUS_IS_SUCCESSFUL (self->status))
		return TRUE;
	g_set_error (error, OHE_ERROR, ohe_http_response_status_to_error (self->status),
		     "HTTP %u %s", self->status, ohe_http_response_status_to_phrase (self->status));
	return FALSE;
}
