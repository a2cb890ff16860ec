/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gcrypt.h>
#include <string.h>

#include "ohe-google-health-data-type.h"
#include "ohe-google-health-notification.h"
#include "ohe-google-health-parser.h"

/*
 * Google Health webhook deliveries (https://developers.google.com/health/webhooks). The static
 * Authorization secret only proves the endpoint handshake; a community report
 * says deliveries may arrive without it, so the ECDSA P-256 signature over the
 * raw body is the real check. The header is base64 of 0x01 ‖ key id (4 bytes,
 * big-endian) ‖ DER signature (Tink), or of the bare DER signature.
 */

/* a notification is a hint of a few hundred bytes; a batch stays small */
#define OHE_GOOGLE_HEALTH_MAX_BODY	 (1024 * 1024)
#define OHE_GOOGLE_HEALTH_MAX_DELIVERIES 1000

/* SubjectPublicKeyInfo of an uncompressed P-256 key, up to the 65-byte point */
static const guint8 ohe_google_health_p256_spki_prefix[] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
#define OHE_GOOGLE_HEALTH_P256_POINT_LEN 65

struct _OheGoogleHealthPublicKey {
	gcry_sexp_t sexp; /* owned */
	gint64 key_id;	  /* -1: accept any key id */
};

void
ohe_google_health_sync_hint_free (OheGoogleHealthSyncHint *hint)
{
	if (hint == NULL)
		return;
	g_free (hint->health_user_id);
	g_free (hint->data_type);
	if (hint->kinds != NULL)
		g_array_unref (hint->kinds);
	g_free (hint);
}

/* base64 without whitespace; g_base64_decode() would skip garbage silently */
static guint8 *
ohe_google_health_base64_decode (const gchar *text, gsize len, gsize *out_len)
{
	g_autoptr(GString) clean = g_string_sized_new (len);
	for (gsize i = 0; i < len; i++) {
		gchar c = text[i];
		if (g_ascii_isspace (c))
			continue;
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		if (!g_ascii_isalnum (c) && c != '+' && c != '/' && c != '=')
			return NULL;
		g_string_append_c (clean, c);
	}
	while (clean->len % 4 != 0)
		g_string_append_c (clean, '=');
	if (clean->len == 0)
		return NULL;
	return g_base64_decode (clean->str, out_len);
}

/**
 * ohe_google_health_public_key_new_from_pem:
 * @pem: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) of a P-256 key
 * @len: the length of @pem
 * @key_id: the Tink key id the signatures must carry, or -1 for any
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the key
 */
OheGoogleHealthPublicKey *
ohe_google_health_public_key_new_from_pem (const gchar *pem,
					   gsize len,
					   gint64 key_id,
					   GError **error)
{
	static const gchar begin[] = "-----BEGIN PUBLIC KEY-----";
	static const gchar end[] = "-----END PUBLIC KEY-----";
	g_autofree gchar *text = g_strndup (pem, len);
	g_autofree guint8 *der = NULL;
	g_autoptr(OheGoogleHealthPublicKey) key = g_new0 (OheGoogleHealthPublicKey, 1);
	const gchar *b;
	const gchar *e;
	gsize der_len = 0;
	gcry_error_t rc;

	ohe_crypto_init ();
	b = strstr (text, begin);
	/* after the whole BEGIN line: "-----BEGIN PUBLIC KEY--------END…" overlaps */
	if (b != NULL)
		b += strlen (begin);
	e = b != NULL ? strstr (b, end) : NULL;
	if (b == NULL || e == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification key: no PEM PUBLIC KEY block");
		return NULL;
	}
	der = ohe_google_health_base64_decode (b, (gsize)(e - b), &der_len);
	if (der == NULL ||
	    der_len !=
		sizeof (ohe_google_health_p256_spki_prefix) + OHE_GOOGLE_HEALTH_P256_POINT_LEN ||
	    memcmp (der, ohe_google_health_p256_spki_prefix,
		    sizeof (ohe_google_health_p256_spki_prefix)) != 0 ||
	    der[sizeof (ohe_google_health_p256_spki_prefix)] != 0x04) {
		g_set_error_literal (
		    error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
		    "notification key: not an uncompressed ECDSA P-256 public key");
		return NULL;
	}
	rc = gcry_sexp_build (&key->sexp, NULL, "(public-key(ecc(curve \"NIST P-256\")(q %b)))",
			      OHE_GOOGLE_HEALTH_P256_POINT_LEN,
			      der + sizeof (ohe_google_health_p256_spki_prefix));
	if (rc != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification key: libgcrypt refused the point: %s",
			     gcry_strerror (rc));
		return NULL;
	}
	key->key_id = key_id;
	return g_steal_pointer (&key);
}

void
ohe_google_health_public_key_free (OheGoogleHealthPublicKey *key)
{
	if (key == NULL)
		return;
	gcry_sexp_release (key->sexp);
	g_free (key);
}

/* one DER INTEGER of the signature, as an unsigned big-endian number of ≤ 32 bytes */
static gboolean
ohe_google_health_der_integer (const guint8 **p, const guint8 *end, const guint8 **v, gsize *v_len)
{
	gsize n;
	if (end - *p < 2 || (*p)[0] != 0x02)
		return FALSE;
	n = (*p)[1];
	*p += 2;
	if (n == 0 || n > 33 || (gsize)(end - *p) < n)
		return FALSE;
	*v = *p;
	*v_len = n;
	*p += n;
	while (*v_len > 1 && (*v)[0] == 0x00) {
		(*v)++;
		(*v_len)--;
	}
	return *v_len <= 32;
}

static gboolean
ohe_google_health_der_signature (
    const guint8 *der, gsize len, const guint8 **r, gsize *r_len, const guint8 **s, gsize *s_len)
{
	const guint8 *p = der;
	const guint8 *end = der + len;
	/* two integers of ≤ 33 bytes fit a short-form length */
	if (len < 8 || p[0] != 0x30 || p[1] != len - 2)
		return FALSE;
	p += 2;
	return ohe_google_health_der_integer (&p, end, r, r_len) &&
	       ohe_google_health_der_integer (&p, end, s, s_len) && p == end;
}

/**
 * ohe_google_health_public_key_verify:
 * @key: the key
 * @body: the raw request body, exactly as received
 * @body_len: its length
 * @signature: (nullable): the value of the signature header
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE if @signature is a valid ECDSA P-256 / SHA-256 signature of
 *   @body by @key; otherwise %OHE_ERROR_PERMISSION_DENIED
 */
gboolean
ohe_google_health_public_key_verify (OheGoogleHealthPublicKey *key,
				     const guint8 *body,
				     gsize body_len,
				     const gchar *signature,
				     GError **error)
{
	g_autofree guint8 *raw = NULL;
	gsize raw_len = 0;
	const guint8 *der;
	gsize der_len;
	const guint8 *r = NULL, *s = NULL;
	gsize r_len = 0, s_len = 0;
	guint8 digest[32];
	gcry_sexp_t sig = NULL;
	gcry_sexp_t data = NULL;
	gcry_error_t rc;

	g_return_val_if_fail (key != NULL, FALSE);
	ohe_crypto_init ();
	if (signature == NULL || signature[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "notification has no " OHE_GOOGLE_HEALTH_SIGNATURE_HEADER
				     " header");
		return FALSE;
	}
	if (strlen (signature) <= 512)
		raw = ohe_google_health_base64_decode (signature, strlen (signature), &raw_len);
	if (raw == NULL || raw_len < 8) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "notification signature header is not base64");
		return FALSE;
	}
	der = raw;
	der_len = raw_len;
	if (raw[0] == OHE_GOOGLE_HEALTH_TINK_PREFIX) {
		guint32 key_id = ((guint32)raw[1] << 24) | ((guint32)raw[2] << 16) |
				 ((guint32)raw[3] << 8) | raw[4];
		if (key->key_id >= 0 && (gint64)key_id != key->key_id) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "notification is signed with key id %u, not the configured "
				     "one",
				     key_id);
			return FALSE;
		}
		der += 5;
		der_len -= 5;
	}
	if (!ohe_google_health_der_signature (der, der_len, &r, &r_len, &s, &s_len)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "notification signature is not a DER ECDSA signature");
		return FALSE;
	}
	gcry_md_hash_buffer (GCRY_MD_SHA256, digest, body != NULL ? body : (const guint8 *)"",
			     body_len);
	rc = gcry_sexp_build (&sig, NULL, "(sig-val(ecdsa(r %b)(s %b)))", (int)r_len, r, (int)s_len,
			      s);
	if (rc == 0)
		rc = gcry_sexp_build (&data, NULL, "(data(flags raw)(value %b))",
				      (int)sizeof (digest), digest);
	if (rc == 0)
		rc = gcry_pk_verify (sig, data, key->sexp);
	gcry_sexp_release (sig);
	gcry_sexp_release (data);
	if (rc != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "notification signature does not match the body");
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_google_health_notification_is_verification:
 * @body: the raw request body
 * @body_len: its length
 *
 * Returns: %TRUE for the body of the endpoint handshake, `{"type": "verification"}`
 */
gboolean
ohe_google_health_notification_is_verification (const guint8 *body, gsize body_len)
{
	g_autoptr(JsonNode) root = NULL;
	JsonNode *type;
	if (body_len > OHE_GOOGLE_HEALTH_MAX_BODY)
		return FALSE;
	root = ohe_google_health_parse_json ((const gchar *)body, body_len, "notification", NULL);
	if (root == NULL)
		return FALSE;
	type = json_object_get_member (json_node_get_object (root), "type");
	return type != NULL && JSON_NODE_HOLDS_VALUE (type) &&
	       json_node_get_value_type (type) == G_TYPE_STRING &&
	       g_strcmp0 (json_node_get_string (type), "verification") == 0;
}

/* compares without an early exit, so the time taken says nothing about the secret */
static gboolean
ohe_google_health_secret_equal (const gchar *a, const gchar *b)
{
	gsize len_a = strlen (a);
	gsize len_b = strlen (b);
	guint8 diff = len_a != len_b;
	for (gsize i = 0; i < len_b; i++)
		diff |= (guint8)(a[i % MAX (len_a, 1)] ^ b[i]);
	return diff == 0 && len_a > 0;
}

/**
 * ohe_google_health_notification_check_secret:
 * @secret: (nullable): the configured `endpointAuthorization.secret`, scheme included
 * @authorization: (nullable): the Authorization header of the request
 *
 * The status a handshake request must get (§4.2): 201 with the exact secret,
 * 401 without the header and 403 with another value. Without a configured
 * secret nothing can be proven: 403.
 *
 * Returns: 201, 401 or 403
 */
guint
ohe_google_health_notification_check_secret (const gchar *secret, const gchar *authorization)
{
	if (authorization == NULL || authorization[0] == '\0')
		return SOUP_STATUS_UNAUTHORIZED;
	if (secret == NULL || secret[0] == '\0')
		return SOUP_STATUS_FORBIDDEN;
	if (!ohe_google_health_secret_equal (secret, authorization))
		return SOUP_STATUS_FORBIDDEN;
	return SOUP_STATUS_CREATED;
}

static gboolean
ohe_google_health_read_interval (
    JsonObject *interval, guint idx, guint n, OheGoogleHealthSyncHint *hint, GError **error)
{
	JsonNode *node = json_object_get_member (interval, "physicalTimeInterval");
	JsonObject *obj;
	const gchar *start;
	const gchar *end;
	gint64 start_us = 0, end_us = 0;
	g_autofree gchar *field_start = NULL;
	g_autofree gchar *field_end = NULL;

	/* a civil-only interval cannot be placed without the user's zone: fetch by default */
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return TRUE;
	field_start = g_strdup_printf (
	    "notification[%u].intervals[%u].physicalTimeInterval.startTime", n, idx);
	field_end =
	    g_strdup_printf ("notification[%u].intervals[%u].physicalTimeInterval.endTime", n, idx);
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification[%u].intervals[%u].physicalTimeInterval: not an object",
			     n, idx);
		return FALSE;
	}
	obj = json_node_get_object (node);
	start = ohe_json_object_lookup_string (obj, "startTime");
	end = ohe_json_object_lookup_string (obj, "endTime");
	if (!ohe_google_health_parse_timestamp (start, field_start, &start_us, error) ||
	    !ohe_google_health_parse_timestamp (end, field_end, &end_us, error))
		return FALSE;
	if (end_us < start_us) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s: before startTime",
			     field_end);
		return FALSE;
	}
	/* several intervals collapse to one range: a refetch is idempotent */
	if (hint->start_us == 0 || start_us < hint->start_us)
		hint->start_us = start_us;
	if (end_us > hint->end_us)
		hint->end_us = end_us;
	return TRUE;
}

static OheGoogleHealthSyncHint *
ohe_google_health_notification_parse_one (JsonNode *node, guint n, GError **error)
{
	g_autoptr(OheGoogleHealthSyncHint) hint = g_new0 (OheGoogleHealthSyncHint, 1);
	const OheGoogleHealthDataType *type;
	JsonObject *data;
	JsonNode *inner;
	JsonNode *intervals;
	const gchar *user;
	const gchar *data_type;
	const gchar *operation;

	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification[%u]: not an object", n);
		return NULL;
	}
	/* the envelope {"data": {…}}; a bare payload is accepted too */
	data = json_node_get_object (node);
	inner = json_object_get_member (data, "data");
	if (inner != NULL) {
		if (!JSON_NODE_HOLDS_OBJECT (inner)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification[%u].data: not an object", n);
			return NULL;
		}
		data = json_node_get_object (inner);
	}
	user = ohe_json_object_lookup_string (data, "healthUserId");
	if (user == NULL || user[0] == '\0' || strlen (user) > 63 ||
	    strspn (user, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
		strlen (user)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification[%u].healthUserId: missing or not 1-63 of [A-Za-z0-9-]",
			     n);
		return NULL;
	}
	data_type = ohe_json_object_lookup_string (data, "dataType");
	if (data_type == NULL || data_type[0] == '\0' || strlen (data_type) > 64 ||
	    strspn (data_type, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen (data_type)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "notification[%u].dataType: missing or not a kebab-case data type", n);
		return NULL;
	}
	operation = ohe_json_object_lookup_string (data, "operation");
	hint->health_user_id = g_strdup (user);
	hint->data_type = g_strdup (data_type);
	hint->deleted = g_strcmp0 (operation, "DELETE") == 0;
	hint->kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	type = ohe_google_health_data_type_lookup (data_type);
	for (guint i = 0; type != NULL && i < G_N_ELEMENTS (type->kinds); i++) {
		if (type->kinds[i] == OHE_MEASUREMENT_KIND_UNKNOWN)
			break;
		g_array_append_val (hint->kinds, type->kinds[i]);
	}
	intervals = json_object_get_member (data, "intervals");
	if (intervals != NULL && !JSON_NODE_HOLDS_NULL (intervals)) {
		JsonArray *array;
		if (!JSON_NODE_HOLDS_ARRAY (intervals)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification[%u].intervals: not an array", n);
			return NULL;
		}
		array = json_node_get_array (intervals);
		for (guint i = 0; i < json_array_get_length (array); i++) {
			JsonNode *el = json_array_get_element (array, i);
			if (!JSON_NODE_HOLDS_OBJECT (el)) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "notification[%u].intervals[%u]: not an object", n, i);
				return NULL;
			}
			if (!ohe_google_health_read_interval (json_node_get_object (el), i, n, hint,
							      error))
				return NULL;
		}
	}
	return g_steal_pointer (&hint);
}

/**
 * ohe_google_health_notification_parse:
 * @body: the raw body of a delivery
 * @body_len: its length
 * @error: a #GError, or %NULL
 *
 * Reads one delivery, or a JSON array of them (the schema is not documented;
 * this is the shape third parties agree on).
 *
 * Returns: (transfer container) (element-type OheGoogleHealthSyncHint): the hints
 */
GPtrArray *
ohe_google_health_notification_parse (const guint8 *body, gsize body_len, GError **error)
{
	g_autoptr(GPtrArray) hints = g_ptr_array_new_with_free_func (
	    (GDestroyNotify)ohe_google_health_sync_hint_free);
	g_autoptr(JsonNode) root = NULL;

	if (body == NULL || body_len == 0 || body_len > OHE_GOOGLE_HEALTH_MAX_BODY) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification: empty or too large");
		return NULL;
	}
	root = ohe_json_parse ((const gchar *)body, (gssize)body_len, "notification", NULL, error);
	if (root == NULL)
		return NULL;
	if (root != NULL && JSON_NODE_HOLDS_ARRAY (root)) {
		JsonArray *array = json_node_get_array (root);
		if (json_array_get_length (array) > OHE_GOOGLE_HEALTH_MAX_DELIVERIES) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "notification: too many deliveries in one batch");
			return NULL;
		}
		for (guint i = 0; i < json_array_get_length (array); i++) {
			OheGoogleHealthSyncHint *hint = ohe_google_health_notification_parse_one (
			    json_array_get_element (array, i), i, error);
			if (hint == NULL)
				return NULL;
			g_ptr_array_add (hints, hint);
		}
		return g_steal_pointer (&hints);
	}
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "notification: not a JSON object or array");
		return NULL;
	}
	{
		OheGoogleHealthSyncHint *hint =
		    ohe_google_health_notification_parse_one (root, 0, error);
		if (hint == NULL)
			return NULL;
		g_ptr_array_add (hints, hint);
	}
	return g_steal_pointer (&hints);
}
