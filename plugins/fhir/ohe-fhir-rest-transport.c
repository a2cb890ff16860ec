/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fhir-rest-transport.h"

/*
 * Delivers entries to a FHIR REST server as batch (or transaction) Bundles,
 * one POST per bundle_size measurements and at most max_entries entries.
 * Every write is replay-safe (PUT with our id, or conditional on our
 * identifier), so the POST is marked idempotent and OheHttpClient retries it
 * on 5xx and transport errors.
 *
 * A batch is answered per entry. A transaction is all-or-nothing: when the
 * server refuses one for its content (400, 409, 412, 422), the measurements
 * are isolated so one bad entry costs its own measurement only. If the
 * OperationOutcome names the entry, that measurement is rejected and the
 * rest resent at once; otherwise the bundle is split in halves until the
 * culprits are alone, which costs O(k log n) requests for k bad measurements
 * of n.
 *
 * Servers cap the entries of a Bundle. A refusal that states the cap ("more
 * than the 50 this server accepts") is learned at once and the same entries
 * go again in bundles of that size; a refusal without one is split in
 * halves, and if every part then went through, the largest part that did is
 * learned. A learned limit only ever shrinks, holds per bundle type, and is
 * reported through the limit callback so the sink can remember it.
 */

#define OHE_FHIR_CONTENT_TYPE	"application/fhir+json"
#define OHE_FHIR_DEFAULT_BUNDLE 500

struct _OheFhirRestTransport {
	GObject parent_instance;
	gchar *base_url;       /* owned, without a trailing slash */
	OheHttpClient *client; /* owned */
	OheFhirWriteMode mode;
	gint bundle_type;  /* atomic OheFhirBundleType: check_health may change it */
	guint bundle_size; /* measurements per bundle */
	guint max_entries; /* entries per bundle, configured; 0: no cap of our own */
	gint entry_limit[OHE_FHIR_BUNDLE_TYPE_BATCH + 1]; /* atomic, learned; 0: unknown */
	OheFhirLimitFunc limit_learned;
	gpointer limit_data; /* owned by limit_data_free */
	GDestroyNotify limit_data_free;
	OheFhirAuthorizeFunc authorize;
	OheFhirInvalidateFunc invalidate;
	gpointer auth_data; /* owned by auth_data_free */
	GDestroyNotify auth_data_free;
	gint n_requests;     /* atomic: pushes run on several workers */
	gint n_refused;	     /* atomic: bundles refused as a whole */
	gint version_warned; /* atomic */
};

G_DEFINE_TYPE (OheFhirRestTransport, ohe_fhir_rest_transport, G_TYPE_OBJECT)

static void
ohe_fhir_rest_transport_finalize (GObject *object)
{
	OheFhirRestTransport *self = OHE_FHIR_REST_TRANSPORT (object);
	if (self->auth_data_free != NULL)
		self->auth_data_free (self->auth_data);
	if (self->limit_data_free != NULL)
		self->limit_data_free (self->limit_data);
	g_free (self->base_url);
	g_object_unref (self->client);
	G_OBJECT_CLASS (ohe_fhir_rest_transport_parent_class)->finalize (object);
}

static void
ohe_fhir_rest_transport_class_init (OheFhirRestTransportClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_rest_transport_finalize;
}

static void
ohe_fhir_rest_transport_init (OheFhirRestTransport *self)
{
	self->bundle_size = OHE_FHIR_DEFAULT_BUNDLE;
}

OheFhirRestTransport *
ohe_fhir_rest_transport_new (const gchar *base_url, OheHttpClient *client, GError **error)
{
	g_autoptr(GUri) uri = NULL;
	OheFhirRestTransport *self;
	gsize len;

	g_return_val_if_fail (OHE_IS_HTTP_CLIENT (client), NULL);

	uri = g_uri_parse (base_url, SOUP_HTTP_URI_FLAGS, NULL);
	if (uri == NULL ||
	    (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
	     g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
	    g_uri_get_host (uri) == NULL || g_uri_get_query (uri) != NULL ||
	    g_uri_get_userinfo (uri) != NULL) {
		/* the value is not quoted: a user info part may hold a password */
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "base_url is not an http(s) URL without user info or query");
		return NULL;
	}
	/* it carries the EHR's bearer token and health data */
	if (!ohe_url_policy_check (base_url, "base_url", error))
		return NULL;
	self = g_object_new (OHE_TYPE_FHIR_REST_TRANSPORT, NULL);
	self->client = g_object_ref (client);
	self->base_url = g_strdup (base_url);
	len = strlen (self->base_url);
	while (len > 0 && self->base_url[len - 1] == '/')
		self->base_url[--len] = '\0';
	return self;
}

void
ohe_fhir_rest_transport_set_write_mode (OheFhirRestTransport *self, OheFhirWriteMode mode)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	self->mode = mode;
}

void
ohe_fhir_rest_transport_set_bundle_type (OheFhirRestTransport *self, OheFhirBundleType type)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	g_atomic_int_set (&self->bundle_type, (gint)type);
}

OheFhirBundleType
ohe_fhir_rest_transport_get_bundle_type (OheFhirRestTransport *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), OHE_FHIR_BUNDLE_TYPE_BATCH);
	return (OheFhirBundleType)g_atomic_int_get (&self->bundle_type);
}

const gchar *
ohe_fhir_rest_transport_get_base_url (OheFhirRestTransport *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), NULL);
	return self->base_url;
}

/**
 * ohe_fhir_rest_transport_set_max_entries:
 * @entries: entries per Bundle, shared ones included; 0: no cap of our own
 *
 * A measurement's entries never straddle two Bundles: one with more entries
 * than the cap travels alone.
 */
void
ohe_fhir_rest_transport_set_max_entries (OheFhirRestTransport *self, guint entries)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	self->max_entries = entries;
}

/**
 * ohe_fhir_rest_transport_set_limit_func:
 * @func: (nullable): called once each time the transport learns a lower entry
 *   limit of the server, from the pushing thread
 *
 * Lets the owner remember what the server accepts, so a later transport for
 * the same server starts with it (ohe_fhir_rest_transport_set_entry_limit()).
 */
void
ohe_fhir_rest_transport_set_limit_func (OheFhirRestTransport *self,
					OheFhirLimitFunc func,
					gpointer user_data,
					GDestroyNotify user_data_free)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	if (self->limit_data_free != NULL)
		self->limit_data_free (self->limit_data);
	self->limit_learned = func;
	self->limit_data = user_data;
	self->limit_data_free = user_data_free;
}

/**
 * ohe_fhir_rest_transport_set_entry_limit:
 * @limit: entries the server accepts in one Bundle of @type, as learned earlier; 0: unknown
 *
 * Does not call the limit function.
 */
void
ohe_fhir_rest_transport_set_entry_limit (OheFhirRestTransport *self,
					 OheFhirBundleType type,
					 guint limit)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	g_return_if_fail (type <= OHE_FHIR_BUNDLE_TYPE_BATCH);
	g_return_if_fail (limit <= G_MAXINT);
	g_atomic_int_set (&self->entry_limit[type], (gint)limit);
}

/**
 * ohe_fhir_rest_transport_get_entry_limit:
 *
 * Returns: the entries the server was seen to accept in one Bundle of @type;
 *   0 while no refusal taught one
 */
guint
ohe_fhir_rest_transport_get_entry_limit (OheFhirRestTransport *self, OheFhirBundleType type)
{
	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), 0);
	g_return_val_if_fail (type <= OHE_FHIR_BUNDLE_TYPE_BATCH, 0);
	return (guint)g_atomic_int_get (&self->entry_limit[type]);
}

/* a lower limit wins; a higher one is ignored (another push learned better) */
static void
ohe_fhir_rest_transport_learn (OheFhirRestTransport *self, OheFhirBundleType type, guint limit)
{
	gint old;

	do {
		old = g_atomic_int_get (&self->entry_limit[type]);
		if (old > 0 && (guint)old <= limit)
			return;
	} while (!g_atomic_int_compare_and_exchange (&self->entry_limit[type], old, (gint)limit));
	g_message ("FHIR server at %s takes at most %u entries in a %s Bundle: sending no more "
		   "from now on",
		   self->base_url, limit, ohe_fhir_bundle_type_to_string (type));
	if (self->limit_learned != NULL)
		self->limit_learned (self->limit_data, type, limit);
}

static guint
ohe_fhir_rest_transport_get_cap (OheFhirRestTransport *self, OheFhirBundleType type)
{
	guint learned = (guint)g_atomic_int_get (&self->entry_limit[type]);
	if (learned > 0 && (self->max_entries == 0 || learned < self->max_entries))
		return learned;
	return self->max_entries;
}

void
ohe_fhir_rest_transport_set_bundle_size (OheFhirRestTransport *self, guint measurements)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	g_return_if_fail (measurements > 0);
	self->bundle_size = measurements;
}

void
ohe_fhir_rest_transport_set_authorizer (OheFhirRestTransport *self,
					OheFhirAuthorizeFunc authorize,
					OheFhirInvalidateFunc invalidate,
					gpointer user_data,
					GDestroyNotify user_data_free)
{
	g_return_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self));
	if (self->auth_data_free != NULL)
		self->auth_data_free (self->auth_data);
	self->authorize = authorize;
	self->invalidate = invalidate;
	self->auth_data = user_data;
	self->auth_data_free = user_data_free;
}

guint64
ohe_fhir_rest_transport_get_n_requests (OheFhirRestTransport *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), 0);
	return (guint64)g_atomic_int_get (&self->n_requests);
}

/**
 * ohe_fhir_rest_transport_get_n_refused:
 *
 * Returns: the Bundles the server refused as a whole so far (4xx other than
 *   401 and 429); each one cost a request
 */
guint64
ohe_fhir_rest_transport_get_n_refused (OheFhirRestTransport *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), 0);
	return (guint64)g_atomic_int_get (&self->n_refused);
}

static OheHttpResponse *
ohe_fhir_rest_transport_send (OheFhirRestTransport *self,
			      const gchar *method,
			      const gchar *url,
			      GBytes *body,
			      GCancellable *cancellable,
			      GError **error)
{
	/* a 401 may only mean the cached token expired early: one fresh try */
	for (guint attempt = 0;; attempt++) {
		g_autoptr(OheHttpRequest) request = ohe_http_request_new (method, url);
		g_autoptr(OheHttpResponse) response = NULL;
		g_autofree gchar *authorization = NULL;

		ohe_http_request_add_header (request, "Accept", OHE_FHIR_CONTENT_TYPE);
		if (body != NULL)
			ohe_http_request_set_body (request, OHE_FHIR_CONTENT_TYPE, body);
		ohe_http_request_set_idempotent (request, TRUE);
		if (self->authorize != NULL) {
			g_autoptr(GError) error_local = NULL;
			authorization =
			    self->authorize (self->auth_data, cancellable, &error_local);
			if (authorization == NULL && error_local != NULL) {
				g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
							    "FHIR server authorization: ");
				return NULL;
			}
			if (authorization != NULL)
				ohe_http_request_add_header (request, "Authorization",
							     authorization);
		}
		g_atomic_int_inc (&self->n_requests);
		response = ohe_http_client_send (self->client, request, cancellable, error);
		if (response == NULL)
			return NULL;
		if (ohe_http_response_get_status (response) == SOUP_STATUS_UNAUTHORIZED &&
		    self->invalidate != NULL && attempt == 0) {
			self->invalidate (self->auth_data);
			continue;
		}
		return g_steal_pointer (&response);
	}
}

/*
 * A content problem of the bundle, as opposed to a misconfigured server or
 * URL; a bundle too large for the server is split like one with a bad entry.
 */
static gboolean
ohe_fhir_rest_status_is_content_error (guint status)
{
	return status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_CONFLICT ||
	       status == SOUP_STATUS_PRECONDITION_FAILED ||
	       status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE ||
	       status == SOUP_STATUS_UNPROCESSABLE_ENTITY;
}

static void
ohe_fhir_rest_set_status_error (GError **error, OheHttpResponse *response, const gchar *detail)
{
	guint status = ohe_http_response_get_status (response);
	OheError code = OHE_ERROR_INVALID_ARGUMENT;

	if (status == SOUP_STATUS_UNAUTHORIZED)
		code = OHE_ERROR_AUTH_REQUIRED;
	else if (status == SOUP_STATUS_FORBIDDEN)
		code = OHE_ERROR_PERMISSION_DENIED;
	else if (status == SOUP_STATUS_NOT_FOUND)
		code = OHE_ERROR_NOT_FOUND;
	g_set_error (error, OHE_ERROR, code, "FHIR server answered HTTP %u%s%s", status,
		     detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

/* the state of one push: entries, their grouping and what the server said */
typedef struct {
	OheFhirRestTransport *self;
	GPtrArray *entries;	     /* borrowed */
	OheFhirEntryResult *results; /* one per entry */
	GArray *shared;		     /* entry indices of Device, DeviceAssociation */
	GCancellable *cancellable;
	OheFhirBundleType type; /* for the whole push */
	guint min_refused;	/* entries of the smallest bundle refused without a reason */
	guint max_delivered;	/* entries of the largest bundle that went through */
	gboolean leaf_refused;	/* a lone measurement was refused without a reason */
} OheFhirRestPush;

static void
ohe_fhir_rest_push_set (OheFhirRestPush *push, guint idx, guint status, const gchar *detail)
{
	OheFhirEntryResult *result = &push->results[idx];
	/* a shared entry travels in several bundles: a refusal anywhere sticks */
	if (result->status >= 300 && status < 300)
		return;
	ohe_fhir_entry_result_clear (result);
	result->status = status;
	result->detail = g_strdup (detail);
}

static void
ohe_fhir_rest_push_set_group (OheFhirRestPush *push,
			      GArray *group,
			      guint status,
			      const gchar *detail)
{
	for (guint i = 0; i < group->len; i++)
		ohe_fhir_rest_push_set (push, g_array_index (group, guint, i), status, detail);
}

static gboolean
ohe_fhir_rest_push_deliver (OheFhirRestPush *push, GPtrArray *groups, GError **error);

/*
 * The end of the bundle that starts at @groups[@start]: at most bundle_size
 * measurements and @cap entries (the shared ones included), at least one
 * measurement.
 */
static guint
ohe_fhir_rest_push_pack (OheFhirRestPush *push, GPtrArray *groups, guint start, guint cap)
{
	guint n_entries = push->shared->len;
	guint end = start;

	while (end < groups->len && end - start < push->self->bundle_size) {
		GArray *group = g_ptr_array_index (groups, end);
		if (end > start && cap > 0 && n_entries + group->len > cap)
			break;
		n_entries += group->len;
		end++;
	}
	return end;
}

/* @groups again, in bundles of at most @cap entries */
static gboolean
ohe_fhir_rest_push_deliver_packed (OheFhirRestPush *push,
				   GPtrArray *groups,
				   guint cap,
				   GError **error)
{
	for (guint start = 0, end; start < groups->len; start = end) {
		g_autoptr(GPtrArray) chunk = g_ptr_array_new ();
		end = ohe_fhir_rest_push_pack (push, groups, start, cap);
		for (guint i = start; i < end; i++)
			g_ptr_array_add (chunk, g_ptr_array_index (groups, i));
		if (!ohe_fhir_rest_push_deliver (push, chunk, error))
			return FALSE;
	}
	return TRUE;
}

/* the named entry's measurement is rejected, the others go again */
static gboolean
ohe_fhir_rest_push_isolate_named (OheFhirRestPush *push,
				  GPtrArray *groups,
				  guint entry_idx,
				  guint status,
				  const gchar *detail,
				  GError **error)
{
	g_autoptr(GPtrArray) rest = g_ptr_array_new ();

	for (guint i = 0; i < push->shared->len; i++) {
		if (g_array_index (push->shared, guint, i) != entry_idx)
			continue;
		/* its measurements are rejected through the shared entry's result */
		ohe_fhir_rest_push_set (push, entry_idx, status, detail);
		g_array_remove_index (push->shared, i);
		return ohe_fhir_rest_push_deliver (push, groups, error);
	}
	for (guint i = 0; i < groups->len; i++) {
		GArray *group = g_ptr_array_index (groups, i);
		gboolean named = FALSE;
		for (guint j = 0; j < group->len && !named; j++)
			named = g_array_index (group, guint, j) == entry_idx;
		if (named)
			ohe_fhir_rest_push_set_group (push, group, status, detail);
		else
			g_ptr_array_add (rest, group);
	}
	if (rest->len == 0)
		return TRUE;
	return ohe_fhir_rest_push_deliver (push, rest, error);
}

static gboolean
ohe_fhir_rest_push_isolate (OheFhirRestPush *push,
			    GPtrArray *groups,
			    GArray *positions,
			    OheHttpResponse *response,
			    GError **error)
{
	g_autoptr(JsonNode) root = ohe_http_response_get_json (response, NULL);
	g_autofree gchar *detail = NULL;
	g_autoptr(GPtrArray) left = NULL;
	g_autoptr(GPtrArray) right = NULL;
	guint status = ohe_http_response_get_status (response);
	gint named = -1;
	guint limit;
	guint half;

	detail = ohe_fhir_outcome_dup_detail (root, &named);
	limit = ohe_fhir_outcome_find_limit (root, positions->len);
	if (limit > 0 && named < 0) {
		/* too many entries, and the server said how many it takes */
		ohe_fhir_rest_transport_learn (push->self, push->type, limit);
		if (groups->len > 1 &&
		    ohe_fhir_rest_push_pack (push, groups, 0, limit) < groups->len)
			return ohe_fhir_rest_push_deliver_packed (push, groups, limit, error);
	}
	if (groups->len == 1) {
		if (named < 0 && push->min_refused > 0)
			push->leaf_refused = TRUE;
		ohe_fhir_rest_push_set_group (push, g_ptr_array_index (groups, 0), status, detail);
		return TRUE;
	}
	if (named >= 0 && (guint)named < positions->len)
		return ohe_fhir_rest_push_isolate_named (
		    push, groups, g_array_index (positions, guint, named), status, detail, error);
	if (push->min_refused == 0 || positions->len < push->min_refused)
		push->min_refused = positions->len;
	g_debug ("FHIR server refused a bundle of %u measurements without naming the entry, "
		 "splitting it",
		 groups->len);
	half = groups->len / 2;
	left = g_ptr_array_new ();
	right = g_ptr_array_new ();
	for (guint i = 0; i < groups->len; i++)
		g_ptr_array_add (i < half ? left : right, g_ptr_array_index (groups, i));
	if (!ohe_fhir_rest_push_deliver (push, left, error))
		return FALSE;
	return ohe_fhir_rest_push_deliver (push, right, error);
}

/* sends the shared entries plus @groups (GArrays of entry indices) as one bundle */
static gboolean
ohe_fhir_rest_push_deliver (OheFhirRestPush *push, GPtrArray *groups, GError **error)
{
	OheFhirRestTransport *self = push->self;
	g_autoptr(OheFhirBundle) bundle = ohe_fhir_bundle_new (push->type, self->mode);
	g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(JsonNode) root = NULL;
	OheFhirEntryResult *results;
	guint status;

	for (guint i = 0; i < push->shared->len; i++)
		g_array_append_val (positions, g_array_index (push->shared, guint, i));
	for (guint i = 0; i < groups->len; i++) {
		GArray *group = g_ptr_array_index (groups, i);
		g_array_append_vals (positions, group->data, group->len);
	}
	for (guint i = 0; i < positions->len; i++)
		ohe_fhir_bundle_add_entry (
		    bundle, g_ptr_array_index (push->entries, g_array_index (positions, guint, i)));
	body = ohe_fhir_bundle_to_bytes (bundle);
	response = ohe_fhir_rest_transport_send (self, "POST", self->base_url, body,
						 push->cancellable, error);
	if (response == NULL)
		return FALSE;
	status = ohe_http_response_get_status (response);
	if (SOUP_STATUS_IS_SUCCESSFUL (status)) {
		g_autoptr(GError) error_local = NULL;
		root = ohe_http_response_get_json (response, &error_local);
		results = g_new0 (OheFhirEntryResult, positions->len);
		if (root == NULL ||
		    !ohe_fhir_bundle_parse_response (bundle, root, results, &error_local)) {
			for (guint i = 0; i < positions->len; i++)
				ohe_fhir_entry_result_clear (&results[i]);
			g_free (results);
			/* the server may have stored it; a replay is harmless */
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
				     "FHIR server answered HTTP %u with an unusable bundle: %s",
				     status, error_local->message);
			return FALSE;
		}
		for (guint i = 0; i < positions->len; i++) {
			ohe_fhir_rest_push_set (push, g_array_index (positions, guint, i),
						results[i].status, results[i].detail);
			ohe_fhir_entry_result_clear (&results[i]);
		}
		g_free (results);
		push->max_delivered = MAX (push->max_delivered, positions->len);
		return TRUE;
	}
	if (ohe_fhir_rest_status_is_content_error (status))
		g_atomic_int_inc (&self->n_refused);
	if (ohe_fhir_rest_status_is_content_error (status) && groups->len > 0)
		return ohe_fhir_rest_push_isolate (push, groups, positions, response, error);
	root = ohe_http_response_get_json (response, NULL);
	{
		g_autofree gchar *detail = ohe_fhir_outcome_dup_detail (root, NULL);
		ohe_fhir_rest_set_status_error (error, response, detail);
	}
	return FALSE;
}

/* entry indices by measurement, in the order of the request; shared ones apart */
static GPtrArray *
ohe_fhir_rest_push_group (OheFhirRestPush *push)
{
	g_autoptr(GHashTable) by_owner = g_hash_table_new (g_direct_hash, g_direct_equal);
	GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);

	for (guint i = 0; i < push->entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (push->entries, i);
		guint owner = g_array_index (entry->owners, guint, 0);
		GArray *group;
		if (ohe_fhir_entry_is_shared (entry)) {
			g_array_append_val (push->shared, i);
			continue;
		}
		group = g_hash_table_lookup (by_owner, GUINT_TO_POINTER (owner));
		if (group == NULL) {
			group = g_array_new (FALSE, FALSE, sizeof (guint));
			g_hash_table_insert (by_owner, GUINT_TO_POINTER (owner), group);
			g_ptr_array_add (groups, group);
		}
		g_array_append_val (group, i);
	}
	return groups;
}

/**
 * ohe_fhir_rest_transport_push:
 * @entries: deduplicated entries (see ohe_fhir_entries_dedup())
 * @request: receives one outcome per measurement that owns an entry
 *
 * Returns: %FALSE if nothing could be delivered (5xx, transport error, open
 *   breaker, auth or server misconfiguration); measurements of a later bundle
 *   that failed that way get %OHE_PUSH_OUTCOME_RETRY instead
 */
gboolean
ohe_fhir_rest_transport_push (OheFhirRestTransport *self,
			      GPtrArray *entries,
			      OhePushRequest *request,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autoptr(GArray) shared = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr(GPtrArray) groups = NULL;
	g_autofree OheFhirEntryResult *results = g_new0 (OheFhirEntryResult, entries->len);
	OheFhirRestPush push = {self, entries, results, shared, cancellable};
	gboolean delivered = FALSE;
	gboolean ok = TRUE;
	guint start = 0;

	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), FALSE);

	push.type = ohe_fhir_rest_transport_get_bundle_type (self);
	groups = ohe_fhir_rest_push_group (&push);
	/* once at least: shared entries alone still go */
	do {
		g_autoptr(GPtrArray) chunk = g_ptr_array_new ();
		g_autoptr(GError) error_local = NULL;
		/* the cap may have been learned by the previous bundle */
		guint end = ohe_fhir_rest_push_pack (
		    &push, groups, start, ohe_fhir_rest_transport_get_cap (self, push.type));
		for (guint i = start; i < end; i++)
			g_ptr_array_add (chunk, g_ptr_array_index (groups, i));
		start = end;
		if (push.shared->len == 0 && chunk->len == 0)
			break;
		if (ohe_fhir_rest_push_deliver (&push, chunk, &error_local)) {
			delivered = TRUE;
			continue;
		}
		if (!delivered) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			ok = FALSE;
			break;
		}
		/* what went through stays acknowledged; the rest is retried with the job */
		for (guint i = 0; i < entries->len; i++) {
			if (results[i].status == 0 && results[i].detail == NULL)
				results[i].detail = g_strdup (error_local->message);
		}
		break;
	} while (start < groups->len);
	/* every part of a bundle refused without a reason went through: it was too large */
	if (ok && push.min_refused > 0 && !push.leaf_refused && push.max_delivered > 0 &&
	    push.max_delivered < push.min_refused)
		ohe_fhir_rest_transport_learn (self, push.type, push.max_delivered);
	if (ok)
		ohe_fhir_entry_results_apply (entries, results, request);
	for (guint i = 0; i < entries->len; i++)
		ohe_fhir_entry_result_clear (&results[i]);
	return ok;
}

/*
 * Batches are preferred; a server whose CapabilityStatement lists its
 * system interactions without batch but with transaction gets transactions.
 */
static void
ohe_fhir_rest_transport_check_interactions (OheFhirRestTransport *self, JsonObject *statement)
{
	JsonNode *rest = json_object_get_member (statement, "rest");
	gboolean batch = FALSE;
	gboolean transaction = FALSE;
	gboolean listed = FALSE;

	if (ohe_fhir_rest_transport_get_bundle_type (self) != OHE_FHIR_BUNDLE_TYPE_BATCH ||
	    rest == NULL || !JSON_NODE_HOLDS_ARRAY (rest))
		return;
	for (guint i = 0; i < json_array_get_length (json_node_get_array (rest)); i++) {
		JsonNode *node = json_array_get_element (json_node_get_array (rest), i);
		JsonNode *interactions =
		    JSON_NODE_HOLDS_OBJECT (node)
			? json_object_get_member (json_node_get_object (node), "interaction")
			: NULL;
		if (interactions == NULL || !JSON_NODE_HOLDS_ARRAY (interactions))
			continue;
		for (guint j = 0; j < json_array_get_length (json_node_get_array (interactions));
		     j++) {
			JsonNode *item =
			    json_array_get_element (json_node_get_array (interactions), j);
			JsonNode *member =
			    JSON_NODE_HOLDS_OBJECT (item)
				? json_object_get_member (json_node_get_object (item), "code")
				: NULL;
			const gchar *code = NULL;
			if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
			    json_node_get_value_type (member) == G_TYPE_STRING)
				code = json_node_get_string (member);
			listed = TRUE;
			batch |= g_strcmp0 (code, "batch") == 0;
			transaction |= g_strcmp0 (code, "transaction") == 0;
		}
	}
	if (listed && !batch && transaction) {
		g_message ("FHIR server at %s offers transactions but no batches: sending "
			   "transaction Bundles",
			   self->base_url);
		ohe_fhir_rest_transport_set_bundle_type (self, OHE_FHIR_BUNDLE_TYPE_TRANSACTION);
	}
}

/**
 * ohe_fhir_rest_transport_check_health:
 *
 * Reads [base]/metadata; a server that does not claim FHIR 5.0.0 is used
 * anyway, with one warning.
 */
gboolean
ohe_fhir_rest_transport_check_health (OheFhirRestTransport *self,
				      GCancellable *cancellable,
				      GError **error)
{
	g_autofree gchar *url = NULL;
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonObject *obj;
	const gchar *version = NULL;

	g_return_val_if_fail (OHE_IS_FHIR_REST_TRANSPORT (self), FALSE);

	url = g_strdup_printf ("%s/metadata", self->base_url);
	response = ohe_fhir_rest_transport_send (self, "GET", url, NULL, cancellable, error);
	if (response == NULL)
		return FALSE;
	if (!SOUP_STATUS_IS_SUCCESSFUL (ohe_http_response_get_status (response))) {
		ohe_fhir_rest_set_status_error (error, response, "GET metadata");
		return FALSE;
	}
	root = ohe_http_response_get_json (response, error);
	if (root == NULL) {
		g_prefix_error (error, "FHIR server metadata: ");
		return FALSE;
	}
	obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
	if (obj == NULL ||
	    g_strcmp0 (json_object_get_string_member_with_default (obj, "resourceType", NULL),
		       "CapabilityStatement") != 0) {
		g_set_error_literal (
		    error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
		    "FHIR server metadata: resourceType is not CapabilityStatement");
		return FALSE;
	}
	if (json_object_has_member (obj, "fhirVersion") &&
	    JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "fhirVersion")) &&
	    json_node_get_value_type (json_object_get_member (obj, "fhirVersion")) == G_TYPE_STRING)
		version = json_object_get_string_member (obj, "fhirVersion");
	ohe_fhir_rest_transport_check_interactions (self, obj);
	if (g_strcmp0 (version, "5.0.0") != 0 &&
	    g_atomic_int_compare_and_exchange (&self->version_warned, 0, 1))
		g_warning ("FHIR server at %s reports fhirVersion %s, expected 5.0.0",
			   self->base_url, version != NULL ? version : "(none)");
	return TRUE;
}
