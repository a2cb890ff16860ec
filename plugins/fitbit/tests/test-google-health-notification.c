/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gcrypt.h>
#include <glib/gstdio.h>

#include "ohe-fitbit-provider.h"
#include "ohe-google-health-notification.h"

/*
 * Webhook handshake, signature and payload. The signing key is generated at
 * test time with libgcrypt, so no private key is checked in.
 */

#define OHE_TEST_KEY_ID 0x01020304u

typedef struct {
	gcry_sexp_t keypair;
	gchar *pem;
} OheTestKey;

static void
ohe_test_key_free (OheTestKey *key)
{
	gcry_sexp_release (key->keypair);
	g_free (key->pem);
	g_free (key);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheTestKey, ohe_test_key_free)

static OheTestKey *
ohe_test_key_new (void)
{
	static const guint8 spki[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
				      0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
				      0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
	OheTestKey *key = g_new0 (OheTestKey, 1);
	gcry_sexp_t params = NULL;
	gcry_sexp_t q = NULL;
	const guint8 *point;
	size_t point_len = 0;
	guint8 der[sizeof (spki) + 65];
	g_autofree gchar *b64 = NULL;

	g_assert_cmpint (gcry_sexp_build (&params, NULL, "(genkey(ecc(curve \"NIST P-256\")))"), ==,
			 0);
	g_assert_cmpint (gcry_pk_genkey (&key->keypair, params), ==, 0);
	gcry_sexp_release (params);
	q = gcry_sexp_find_token (key->keypair, "q", 0);
	g_assert_nonnull (q);
	point = (const guint8 *)gcry_sexp_nth_data (q, 1, &point_len);
	g_assert_cmpuint (point_len, ==, 65);
	memcpy (der, spki, sizeof (spki));
	memcpy (der + sizeof (spki), point, 65);
	gcry_sexp_release (q);
	b64 = g_base64_encode (der, sizeof (der));
	key->pem = g_strdup_printf (
	    "-----BEGIN PUBLIC KEY-----\n%.64s\n%s\n-----END PUBLIC KEY-----\n", b64, b64 + 64);
	return key;
}

static void
ohe_test_der_append_int (GByteArray *out, const guint8 *v, gsize len)
{
	guint8 hdr[2] = {0x02, 0};
	guint8 zero = 0;
	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	hdr[1] = (guint8)(len + ((v[0] & 0x80) ? 1 : 0));
	g_byte_array_append (out, hdr, 2);
	if (v[0] & 0x80)
		g_byte_array_append (out, &zero, 1);
	g_byte_array_append (out, v, (guint)len);
}

/* base64 of 0x01 ‖ key id ‖ DER(r, s), as Google's Tink signer writes it */
static gchar *
ohe_test_sign (OheTestKey *key, const gchar *body, guint32 key_id, gboolean tink_prefix)
{
	guint8 digest[32];
	gcry_sexp_t data = NULL, sig = NULL, r = NULL, s = NULL;
	const guint8 *rv, *sv;
	size_t r_len = 0, s_len = 0;
	g_autoptr(GByteArray) seq = g_byte_array_new ();
	g_autoptr(GByteArray) out = g_byte_array_new ();
	guint8 hdr[2] = {0x30, 0};
	gchar *b64;

	gcry_md_hash_buffer (GCRY_MD_SHA256, digest, body, strlen (body));
	g_assert_cmpint (gcry_sexp_build (&data, NULL, "(data(flags raw)(value %b))", 32, digest),
			 ==, 0);
	g_assert_cmpint (gcry_pk_sign (&sig, data, key->keypair), ==, 0);
	r = gcry_sexp_find_token (sig, "r", 0);
	s = gcry_sexp_find_token (sig, "s", 0);
	rv = (const guint8 *)gcry_sexp_nth_data (r, 1, &r_len);
	sv = (const guint8 *)gcry_sexp_nth_data (s, 1, &s_len);
	ohe_test_der_append_int (seq, rv, r_len);
	ohe_test_der_append_int (seq, sv, s_len);
	if (tink_prefix) {
		guint8 prefix[5] = {0x01, key_id >> 24, (key_id >> 16) & 0xff, (key_id >> 8) & 0xff,
				    key_id & 0xff};
		g_byte_array_append (out, prefix, 5);
	}
	hdr[1] = (guint8)seq->len;
	g_byte_array_append (out, hdr, 2);
	g_byte_array_append (out, seq->data, seq->len);
	b64 = g_base64_encode (out->data, out->len);
	gcry_sexp_release (data);
	gcry_sexp_release (sig);
	gcry_sexp_release (r);
	gcry_sexp_release (s);
	return b64;
}

static gchar *
ohe_test_fixture (const gchar *name)
{
	g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
	gchar *data = NULL;
	g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
	return data;
}

static void
test_signature (void)
{
	g_autoptr(OheTestKey) key = ohe_test_key_new ();
	g_autoptr(OheTestKey) other = ohe_test_key_new ();
	g_autofree gchar *body = ohe_test_fixture ("webhook-notification.UNOFFICIAL.json");
	g_autofree gchar *sig = ohe_test_sign (key, body, OHE_TEST_KEY_ID, TRUE);
	g_autofree gchar *sig_raw = ohe_test_sign (key, body, 0, FALSE);
	g_autofree gchar *sig_wrong_id = ohe_test_sign (key, body, 7, TRUE);
	g_autofree gchar *forged = ohe_test_sign (other, body, OHE_TEST_KEY_ID, TRUE);
	g_autofree gchar *tampered = g_strdup (body);
	g_autoptr(OheGoogleHealthPublicKey) pub = NULL;
	g_autoptr(OheGoogleHealthPublicKey) pub_any = NULL;
	g_autoptr(GError) error = NULL;

	pub = ohe_google_health_public_key_new_from_pem (key->pem, strlen (key->pem),
							 OHE_TEST_KEY_ID, &error);
	g_assert_no_error (error);
	pub_any =
	    ohe_google_health_public_key_new_from_pem (key->pem, strlen (key->pem), -1, &error);
	g_assert_no_error (error);

	g_assert_true (ohe_google_health_public_key_verify (pub, (const guint8 *)body,
							    strlen (body), sig, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_google_health_public_key_verify (pub, (const guint8 *)body,
							    strlen (body), sig_raw, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_google_health_public_key_verify (pub_any, (const guint8 *)body,
							    strlen (body), sig_wrong_id, &error));
	g_assert_no_error (error);

	g_assert_false (ohe_google_health_public_key_verify (pub, (const guint8 *)body,
							     strlen (body), sig_wrong_id, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (error->message, ==,
			 "notification is signed with key id 7, not the configured one");
	g_clear_error (&error);

	g_assert_false (ohe_google_health_public_key_verify (pub, (const guint8 *)body,
							     strlen (body), forged, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (error->message, ==, "notification signature does not match the body");
	g_clear_error (&error);

	tampered[strlen (tampered) / 2] ^= 0x01;
	g_assert_false (ohe_google_health_public_key_verify (pub, (const guint8 *)tampered,
							     strlen (tampered), sig, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);

	g_assert_false (ohe_google_health_public_key_verify (pub, (const guint8 *)body,
							     strlen (body), NULL, &error));
	g_assert_cmpstr (error->message, ==, "notification has no X-HEALTHAPI-SIGNATURE header");
	g_clear_error (&error);
	g_assert_false (ohe_google_health_public_key_verify (pub, (const guint8 *)body,
							     strlen (body), "not*base64", &error));
	g_assert_cmpstr (error->message, ==, "notification signature header is not base64");
	g_clear_error (&error);
	g_assert_false (ohe_google_health_public_key_verify (
	    pub, (const guint8 *)body, strlen (body), "AQECAwQwBgIBAQIBAQ==", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);

	g_assert_null (ohe_google_health_public_key_new_from_pem ("junk", 4, -1, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==, "notification key: no PEM PUBLIC KEY block");
}

static void
test_handshake (void)
{
	g_autofree gchar *body = ohe_test_fixture ("webhook-verification.request-body.json");
	g_assert_true (
	    ohe_google_health_notification_is_verification ((const guint8 *)body, strlen (body)));
	g_assert_false (ohe_google_health_notification_is_verification ((const guint8 *)"{}", 2));
	g_assert_false (ohe_google_health_notification_is_verification ((const guint8 *)"[", 1));
	g_assert_cmpuint (
	    ohe_google_health_notification_check_secret ("Bearer s3cret", "Bearer s3cret"), ==,
	    201);
	g_assert_cmpuint (ohe_google_health_notification_check_secret ("Bearer s3cret", NULL), ==,
			  401);
	g_assert_cmpuint (ohe_google_health_notification_check_secret ("Bearer s3cret", ""), ==,
			  401);
	g_assert_cmpuint (
	    ohe_google_health_notification_check_secret ("Bearer s3cret", "Bearer s3cre"), ==, 403);
	g_assert_cmpuint (
	    ohe_google_health_notification_check_secret ("Bearer s3cret", "Bearer s3cret2"), ==,
	    403);
	g_assert_cmpuint (ohe_google_health_notification_check_secret (NULL, "Bearer x"), ==, 403);
}

/* 200,000 nested arrays, which exhaust json-glib's stack unless refused first */
static gchar *
ohe_test_deep_json (void)
{
	gchar *json = g_malloc (200000 + 1);
	memset (json, '[', 200000);
	json[200000] = '\0';
	return json;
}

static void
test_deep (void)
{
	g_autofree gchar *deep = ohe_test_deep_json ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) hints = ohe_google_health_notification_parse ((const guint8 *)deep,
									    strlen (deep), &error);

	g_assert_null (hints);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "notification nests arrays and objects deeper than 64 levels at line 1 "
			 "column 65");
}

static void
test_parse (void)
{
	g_autofree gchar *body = ohe_test_fixture ("webhook-notification.UNOFFICIAL.json");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) hints = ohe_google_health_notification_parse ((const guint8 *)body,
									    strlen (body), &error);
	g_autoptr(GPtrArray) batch = NULL;
	g_autoptr(GPtrArray) bad = NULL;
	OheGoogleHealthSyncHint *hint;
	const gchar *array = "[{\"data\":{\"healthUserId\":\"u-1\",\"dataType\":\"weight\","
			     "\"operation\":\"DELETE\"}},{\"healthUserId\":\"u-2\",\"dataType\":"
			     "\"distance\"}]";
	const gchar *missing_user = "{\"data\":{\"dataType\":\"x\"}}";

	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 1);
	hint = g_ptr_array_index (hints, 0);
	g_assert_cmpstr (hint->health_user_id, ==, "SyntheticHealthUser-0001");
	g_assert_cmpstr (hint->data_type, ==, "steps");
	g_assert_cmpuint (hint->kinds->len, ==, 1);
	g_assert_cmpint (g_array_index (hint->kinds, OheMeasurementKind, 0), ==,
			 OHE_MEASUREMENT_KIND_STEPS);
	g_assert_cmpint (hint->start_us, ==, (gint64)1795248000 * G_USEC_PER_SEC);
	g_assert_cmpint (hint->end_us, ==, (gint64)1795248900 * G_USEC_PER_SEC);
	g_assert_false (hint->deleted);

	batch =
	    ohe_google_health_notification_parse ((const guint8 *)array, strlen (array), &error);
	g_assert_no_error (error);
	g_assert_cmpuint (batch->len, ==, 2);
	hint = g_ptr_array_index (batch, 0);
	g_assert_cmpstr (hint->data_type, ==, "weight");
	g_assert_true (hint->deleted);
	g_assert_cmpint (g_array_index (hint->kinds, OheMeasurementKind, 0), ==,
			 OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	g_assert_cmpint (hint->start_us, ==, 0);
	hint = g_ptr_array_index (batch, 1);
	g_assert_cmpstr (hint->health_user_id, ==, "u-2");
	g_assert_cmpuint (hint->kinds->len, ==, 0);

	bad = ohe_google_health_notification_parse ((const guint8 *)missing_user,
						    strlen (missing_user), &error);
	g_assert_null (bad);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "notification[0].healthUserId: missing or not 1-63 of [A-Za-z0-9-]");
}

/* one POST to the webhook route through the SDK verb; returns the status it answers */
static guint
ohe_test_hook (OheFitbitProvider *provider,
	       const gchar *authorization,
	       const gchar *signature,
	       const gchar *signature_header,
	       GBytes *body,
	       GPtrArray **hints,
	       GError **error)
{
	g_autoptr(OheWebhookRequest) request =
		       ohe_webhook_request_new ("POST", "/webhooks/fitbit", body);
	g_autoptr(GPtrArray) out = NULL;
	if (authorization != NULL)
		ohe_webhook_request_add_header (request, "Authorization", authorization);
	if (signature != NULL)
		ohe_webhook_request_add_header (request, signature_header, signature);
	out = ohe_provider_handle_webhook (OHE_PROVIDER (provider), request, error);
	if (hints != NULL)
		*hints = g_steal_pointer (&out);
	return ohe_webhook_request_get_response_status (request);
}

static void
test_provider (void)
{
	g_autoptr(OheTestKey) key = ohe_test_key_new ();
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-fitbit-XXXXXX", NULL);
	g_autofree gchar *key_file = g_build_filename (dir, "key.pem", NULL);
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheFitbitProvider) provider =
		       g_object_new (OHE_TYPE_FITBIT_PROVIDER, "name", "fitbit", NULL);
	g_autofree gchar *verification =
	    ohe_test_fixture ("webhook-verification.request-body.json");
	g_autofree gchar *delivery = ohe_test_fixture ("webhook-notification.UNOFFICIAL.json");
	g_autofree gchar *sig = ohe_test_sign (key, delivery, OHE_TEST_KEY_ID, TRUE);
	g_autoptr(GBytes) vbody = g_bytes_new (verification, strlen (verification));
	g_autoptr(GBytes) dbody = g_bytes_new (delivery, strlen (delivery));
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) hints = NULL;
	g_autoptr(GArray) poll = ohe_fitbit_provider_get_poll_only_kinds ();

	g_assert_true (g_file_set_contents (key_file, key->pem, -1, NULL));
	g_key_file_set_string (config, "plugin:fitbit", "notification_secret",
			       "Bearer hook-secret");
	g_key_file_set_string (config, "plugin:fitbit", "notification_public_key_file", key_file);
	g_key_file_set_integer (config, "plugin:fitbit", "notification_key_id", OHE_TEST_KEY_ID);
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);

	g_assert_cmpuint (
	    ohe_test_hook (provider, "Bearer hook-secret", NULL, NULL, vbody, &hints, &error), ==,
	    201);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 0);
	g_clear_pointer (&hints, g_ptr_array_unref);
	g_assert_cmpuint (ohe_test_hook (provider, NULL, NULL, NULL, vbody, NULL, &error), ==, 401);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_clear_error (&error);
	g_assert_cmpuint (ohe_test_hook (provider, "Bearer nope", NULL, NULL, vbody, NULL, &error),
			  ==, 403);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);

	/* unsigned, forged secret: refused before the replay guard sees them */
	g_assert_cmpuint (
	    ohe_test_hook (provider, "Bearer hook-secret", NULL, NULL, dbody, NULL, &error), ==,
	    403);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);
	g_assert_cmpuint (ohe_test_hook (provider, "Bearer evil", sig, "X-HEALTHAPI-SIGNATURE",
					 dbody, NULL, &error),
			  ==, 403);
	g_assert_cmpstr (error->message, ==, "notification with a wrong Authorization");
	g_clear_error (&error);

	/* signed without the static secret, under the newer header name in lower case */
	g_assert_cmpuint (ohe_test_hook (provider, NULL, sig, "google-health-api-signature", dbody,
					 &hints, &error),
			  ==, 204);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 1);
	g_assert_cmpstr (ohe_sync_hint_get_external_user_id (g_ptr_array_index (hints, 0)), !=,
			 NULL);
	g_clear_pointer (&hints, g_ptr_array_unref);
	/* the same delivery again, with the secret: a replay, acknowledged, no hints */
	g_assert_cmpuint (ohe_test_hook (provider, "Bearer hook-secret", sig,
					 "X-HEALTHAPI-SIGNATURE", dbody, &hints, &error),
			  ==, 204);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_null (hints);
	g_clear_error (&error);
	g_assert_cmpuint (poll->len, ==, 4);

	g_unlink (key_file);
	g_rmdir (dir);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	ohe_crypto_init ();
	g_test_add_func ("/fitbit/notification/signature", test_signature);
	g_test_add_func ("/fitbit/notification/handshake", test_handshake);
	g_test_add_func ("/fitbit/notification/parse", test_parse);
	g_test_add_func ("/fitbit/notification/deep", test_deep);
	g_test_add_func ("/fitbit/notification/provider", test_provider);
	return g_test_run ();
}
