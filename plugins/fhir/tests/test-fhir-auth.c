/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ohe-fhir-auth.h"
#include "ohe-fhir-jwt.h"
#include "ohe-fhir-key.h"

/*
 * EHR authorization against a token endpoint on loopback. The endpoint
 * checks what a real EHR checks: HTTP Basic client authentication, or the
 * client assertion's claims and its signature, verified with libgcrypt and
 * the public key as `openssl` prints it, independent of the key reader under
 * test. Keys are generated per run with `openssl`; Node's crypto verifies the
 * assertions a second time where it is installed.
 */

#define TEST_CLIENT_ID	   "ohed-sink"
#define TEST_CLIENT_SECRET "s3cr:et/+&x y"
#define TEST_KEY_ID	   "ohed-key-1"
#define TEST_SCOPE	   "system/Observation.write system/Device.write"
#define TEST_NOW_S	   G_GINT64_CONSTANT (1767225600)
#define TEST_THREADS	   8

/* a plugin with nothing but a name and a configuration */
#define TEST_TYPE_PLUGIN (test_plugin_get_type ())
G_DECLARE_FINAL_TYPE (TestPlugin, test_plugin, TEST, PLUGIN, OhePlugin)

struct _TestPlugin {
	OhePlugin parent_instance;
};

G_DEFINE_TYPE (TestPlugin, test_plugin, OHE_TYPE_PLUGIN)

static void
test_plugin_class_init (TestPluginClass *klass)
{
}

static void
test_plugin_init (TestPlugin *self)
{
}

/* keys made once per run; NULL members when openssl is missing */
typedef struct {
	gchar *dir;
	gchar *rsa_pkcs8;
	gchar *rsa_pkcs1;
	gchar *rsa_public_pem;
	gchar *rsa_modulus_hex;
	gchar *ec_pkcs8;
	gchar *ec_sec1;
	gchar *ec_no_public;
	gchar *ec_public_pem;
	GBytes *ec_point; /* 04 || x || y */
	gchar *ec_p256;
	gchar *rsa_1024;
	gchar *rsa_encrypted;
} TestKeys;

static TestKeys test_keys;

static gboolean
test_run (const gchar *const *argv, gchar **out)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *stdout_text = NULL;
	gint status = 0;

	if (!g_spawn_sync (NULL, (gchar **)argv, NULL,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
			   &stdout_text, NULL, &status, &error)) {
		g_printerr ("# %s: %s\n", argv[0], error->message);
		return FALSE;
	}
	if (!g_spawn_check_wait_status (status, &error)) {
		g_printerr ("# %s %s: %s\n", argv[0], argv[1], error->message);
		return FALSE;
	}
	if (out != NULL)
		*out = g_steal_pointer (&stdout_text);
	return TRUE;
}

static gchar *
test_key_path (const gchar *name)
{
	return g_build_filename (test_keys.dir, name, NULL);
}

/* secret files are owner-only, or the sink refuses them */
static void
test_write_private (const gchar *path, const gchar *contents)
{
	g_autoptr (GError) error = NULL;
	g_assert_true (g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
						 0600, &error));
	g_assert_no_error (error);
}

static gboolean
test_keys_generate (void)
{
	g_autofree gchar *modulus = NULL;
	g_autofree gchar *ec_der_path = NULL;
	g_autofree gchar *ec_der = NULL;
	gsize ec_der_len = 0;
	g_autofree gchar *openssl = g_find_program_in_path ("openssl");

	if (openssl == NULL)
		return FALSE;
	test_keys.dir = g_dir_make_tmp ("test-fhir-auth-XXXXXX", NULL);
	g_assert_nonnull (test_keys.dir);
	test_keys.rsa_pkcs8 = test_key_path ("rsa-pkcs8.pem");
	test_keys.rsa_pkcs1 = test_key_path ("rsa-pkcs1.pem");
	test_keys.rsa_public_pem = test_key_path ("rsa-public.pem");
	test_keys.ec_pkcs8 = test_key_path ("ec-pkcs8.pem");
	test_keys.ec_sec1 = test_key_path ("ec-sec1.pem");
	test_keys.ec_no_public = test_key_path ("ec-no-public.pem");
	test_keys.ec_public_pem = test_key_path ("ec-public.pem");
	test_keys.ec_p256 = test_key_path ("ec-p256.pem");
	test_keys.rsa_1024 = test_key_path ("rsa-1024.pem");
	test_keys.rsa_encrypted = test_key_path ("rsa-encrypted.pem");
	ec_der_path = test_key_path ("ec-public.der");
	{
		const gchar *const cmds[][12] = {
		    {"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072",
		     "-out", test_keys.rsa_pkcs8, NULL},
		    {"openssl", "rsa", "-in", test_keys.rsa_pkcs8, "-traditional", "-out",
		     test_keys.rsa_pkcs1, NULL},
		    {"openssl", "pkey", "-in", test_keys.rsa_pkcs8, "-pubout", "-out",
		     test_keys.rsa_public_pem, NULL},
		    {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
		     "ec_paramgen_curve:P-384", "-out", test_keys.ec_pkcs8, NULL},
		    {"openssl", "ec", "-in", test_keys.ec_pkcs8, "-out", test_keys.ec_sec1, NULL},
		    {"openssl", "ec", "-in", test_keys.ec_pkcs8, "-no_public", "-out",
		     test_keys.ec_no_public, NULL},
		    {"openssl", "pkey", "-in", test_keys.ec_pkcs8, "-pubout", "-out",
		     test_keys.ec_public_pem, NULL},
		    {"openssl", "pkey", "-in", test_keys.ec_pkcs8, "-pubout", "-outform", "DER",
		     "-out", ec_der_path, NULL},
		    {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
		     "ec_paramgen_curve:P-256", "-out", test_keys.ec_p256, NULL},
		    {"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024",
		     "-out", test_keys.rsa_1024, NULL},
		    {"openssl", "pkcs8", "-topk8", "-in", test_keys.rsa_1024, "-v2", "aes-256-cbc",
		     "-passout", "pass:test-only", "-out", test_keys.rsa_encrypted, NULL},
		};
		for (guint i = 0; i < G_N_ELEMENTS (cmds); i++) {
			if (!test_run (cmds[i], NULL))
				return FALSE;
		}
	}
	{
		const gchar *argv[] = {"openssl", "rsa",      "-in", test_keys.rsa_pkcs8,
				       "-noout",  "-modulus", NULL};
		if (!test_run (argv, &modulus))
			return FALSE;
	}
	g_assert_true (g_str_has_prefix (modulus, "Modulus="));
	test_keys.rsa_modulus_hex = g_strdup (g_strstrip (modulus) + strlen ("Modulus="));
	/* a P-384 SubjectPublicKeyInfo ends with the 97-byte uncompressed point */
	g_assert_true (g_file_get_contents (ec_der_path, &ec_der, &ec_der_len, NULL));
	g_assert_cmpuint (ec_der_len, ==, 120);
	g_assert_cmpint (ec_der[ec_der_len - 97], ==, 0x04);
	test_keys.ec_point = g_bytes_new (ec_der + ec_der_len - 97, 97);
	/* the sink refuses key files others can read */
	{
		g_autoptr (GDir) dir = g_dir_open (test_keys.dir, 0, NULL);
		const gchar *name;
		while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = g_build_filename (test_keys.dir, name, NULL);
			g_assert_cmpint (g_chmod (path, 0600), ==, 0);
		}
	}
	return TRUE;
}

static void
test_keys_clear (void)
{
	if (test_keys.dir != NULL) {
		g_autoptr (GDir) dir = g_dir_open (test_keys.dir, 0, NULL);
		const gchar *name;
		while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = g_build_filename (test_keys.dir, name, NULL);
			g_unlink (path);
		}
		g_rmdir (test_keys.dir);
	}
	g_free (test_keys.dir);
	g_free (test_keys.rsa_pkcs8);
	g_free (test_keys.rsa_pkcs1);
	g_free (test_keys.rsa_public_pem);
	g_free (test_keys.rsa_modulus_hex);
	g_free (test_keys.ec_pkcs8);
	g_free (test_keys.ec_sec1);
	g_free (test_keys.ec_no_public);
	g_free (test_keys.ec_public_pem);
	g_clear_pointer (&test_keys.ec_point, g_bytes_unref);
	g_free (test_keys.ec_p256);
	g_free (test_keys.rsa_1024);
	g_free (test_keys.rsa_encrypted);
}

static gboolean
test_keys_skip (void)
{
	if (test_keys.dir != NULL)
		return FALSE;
	g_test_skip ("openssl is not installed");
	return TRUE;
}

/* what the token endpoint expects of the client */
typedef enum {
	TEST_CLIENT_AUTH_BASIC,
	TEST_CLIENT_AUTH_POST,
	TEST_CLIENT_AUTH_JWT,
} TestClientAuth;

typedef struct {
	GMainContext *context; /* owned */
	GMainLoop *loop;       /* owned */
	GThread *thread;       /* owned */
	SoupServer *server;    /* owned by the server thread */
	GMutex mutex;
	GCond cond;
	guint16 port;
	gboolean ready;
	gchar *token_url; /* owned */
	/* set by the test before requests, protected by mutex */
	TestClientAuth client_auth;
	gcry_sexp_t public_key; /* owned, for TEST_CLIENT_AUTH_JWT */
	const gchar *alg;
	gint64 now_s;
	guint status; /* 0 issues tokens */
	const gchar *body;
	gint expires_in;
	guint delay_ms;
	/* what the server saw, protected by mutex */
	guint requests;
	GHashTable *jtis;     /* owned, every jti seen */
	gchar *assertion;     /* owned, the last client assertion */
	gchar *rejection;     /* owned, why the last request was refused */
	gchar *authorization; /* owned, the last Authorization header */
} TestServer;

static gchar *
test_base64url_decode (const gchar *text, gsize *len)
{
	g_autoptr (GString) b64 = g_string_new (text);
	g_string_replace (b64, "-", "+", 0);
	g_string_replace (b64, "_", "/", 0);
	while (b64->len % 4 != 0)
		g_string_append_c (b64, '=');
	return (gchar *)g_base64_decode (b64->str, len);
}

static JsonObject *
test_decode_part (const gchar *part)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autofree gchar *json = NULL;
	gsize len = 0;

	json = test_base64url_decode (part, &len);
	if (!json_parser_load_from_data (parser, json, len, NULL))
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
		return NULL;
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* an independent check of the signature, with the public key openssl printed */
static gboolean
test_verify_signature (TestServer *server, const gchar *signing_input, const gchar *sig_b64)
{
	g_auto (gcry_sexp_t) data = NULL;
	g_auto (gcry_sexp_t) sig = NULL;
	g_autofree guint8 *signature = NULL;
	guint8 digest[48];
	gsize len = 0;

	signature = (guint8 *)test_base64url_decode (sig_b64, &len);
	gcry_md_hash_buffer (GCRY_MD_SHA384, digest, signing_input, strlen (signing_input));
	if (g_strcmp0 (server->alg, "RS384") == 0) {
		if (len != 384)
			return FALSE;
		g_assert_cmpint (gcry_sexp_build (&data, NULL,
						  "(data (flags pkcs1) (hash sha384 %b))", 48,
						  digest),
				 ==, 0);
		g_assert_cmpint (
		    gcry_sexp_build (&sig, NULL, "(sig-val (rsa (s %b)))", (int)len, signature), ==,
		    0);
	} else {
		/* raw r || s, 48 bytes each, not DER */
		if (len != 96)
			return FALSE;
		g_assert_cmpint (
		    gcry_sexp_build (&data, NULL, "(data (flags raw) (value %b))", 48, digest), ==,
		    0);
		g_assert_cmpint (gcry_sexp_build (&sig, NULL, "(sig-val (ecdsa (r %b) (s %b)))", 48,
						  signature, 48, signature + 48),
				 ==, 0);
	}
	return gcry_pk_verify (sig, data, server->public_key) == 0;
}

/* NULL if @assertion is what SMART Backend Services asks for, else why not */
static gchar *
test_check_assertion (TestServer *server, const gchar *assertion)
{
	g_auto (GStrv) parts = g_strsplit (assertion, ".", -1);
	g_autoptr (JsonObject) header = NULL;
	g_autoptr (JsonObject) claims = NULL;
	g_autofree gchar *signing_input = NULL;
	const gchar *jti;
	gint64 iat;
	gint64 exp;

	if (g_strv_length (parts) != 3)
		return g_strdup ("not a compact JWS");
	header = test_decode_part (parts[0]);
	claims = test_decode_part (parts[1]);
	if (header == NULL || claims == NULL)
		return g_strdup ("header or claims are not JSON objects");
	if (json_object_get_size (header) != 3 ||
	    g_strcmp0 (json_object_get_string_member_with_default (header, "alg", ""),
		       server->alg) != 0 ||
	    g_strcmp0 (json_object_get_string_member_with_default (header, "typ", ""), "JWT") !=
		0 ||
	    g_strcmp0 (json_object_get_string_member_with_default (header, "kid", ""),
		       TEST_KEY_ID) != 0)
		return g_strdup ("bad header");
	if (g_strcmp0 (json_object_get_string_member_with_default (claims, "iss", ""),
		       TEST_CLIENT_ID) != 0 ||
	    g_strcmp0 (json_object_get_string_member_with_default (claims, "sub", ""),
		       TEST_CLIENT_ID) != 0)
		return g_strdup ("iss and sub must be the client id");
	if (g_strcmp0 (json_object_get_string_member_with_default (claims, "aud", ""),
		       server->token_url) != 0)
		return g_strdup ("aud must be the token URL");
	iat = json_object_get_int_member_with_default (claims, "iat", 0);
	exp = json_object_get_int_member_with_default (claims, "exp", 0);
	if (iat != server->now_s || exp <= server->now_s || exp > server->now_s + 300)
		return g_strdup ("iat must be now and exp at most five minutes later");
	jti = json_object_get_string_member_with_default (claims, "jti", "");
	if (strlen (jti) < 16)
		return g_strdup ("jti is missing or short");
	if (g_hash_table_contains (server->jtis, jti))
		return g_strdup ("jti replayed");
	g_hash_table_add (server->jtis, g_strdup (jti));
	signing_input = g_strconcat (parts[0], ".", parts[1], NULL);
	if (!test_verify_signature (server, signing_input, parts[2]))
		return g_strdup ("bad signature");
	return NULL;
}

/* RFC 6749 §2.3.1, decoded the way an EHR decodes it */
static gchar *
test_check_basic (const gchar *authorization)
{
	g_autofree gchar *pair = NULL;
	g_autofree gchar *id = NULL;
	g_autofree gchar *secret = NULL;
	gchar *colon;
	gsize len = 0;

	if (authorization == NULL || !g_str_has_prefix (authorization, "Basic "))
		return g_strdup ("no Basic authorization");
	pair = (gchar *)g_base64_decode (authorization + strlen ("Basic "), &len);
	pair = g_realloc (pair, len + 1);
	pair[len] = '\0';
	colon = strchr (pair, ':');
	if (colon == NULL)
		return g_strdup ("no colon in Basic credentials");
	*colon = '\0';
	id = g_uri_unescape_string (pair, NULL);
	secret = g_uri_unescape_string (colon + 1, NULL);
	if (g_strcmp0 (id, TEST_CLIENT_ID) != 0 || g_strcmp0 (secret, TEST_CLIENT_SECRET) != 0)
		return g_strdup ("wrong client credentials");
	return NULL;
}

static gchar *
test_check_form (TestServer *server, GHashTable *form, const gchar *authorization)
{
	if (g_strcmp0 (g_hash_table_lookup (form, "grant_type"), "client_credentials") != 0)
		return g_strdup ("grant_type must be client_credentials");
	if (g_strcmp0 (g_hash_table_lookup (form, "scope"), TEST_SCOPE) != 0)
		return g_strdup ("wrong scope");
	switch (server->client_auth) {
	case TEST_CLIENT_AUTH_BASIC:
		if (g_hash_table_contains (form, "client_secret"))
			return g_strdup ("client_secret in the body as well");
		return test_check_basic (authorization);
	case TEST_CLIENT_AUTH_POST:
		if (authorization != NULL)
			return g_strdup ("unexpected Authorization header");
		if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), TEST_CLIENT_ID) != 0 ||
		    g_strcmp0 (g_hash_table_lookup (form, "client_secret"), TEST_CLIENT_SECRET) !=
			0)
			return g_strdup ("wrong client credentials in the body");
		return NULL;
	case TEST_CLIENT_AUTH_JWT:
	default:
		if (g_strcmp0 (g_hash_table_lookup (form, "client_assertion_type"),
			       "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") != 0)
			return g_strdup ("wrong client_assertion_type");
		if (!g_hash_table_contains (form, "client_assertion"))
			return g_strdup ("no client_assertion");
		g_free (server->assertion);
		server->assertion = g_strdup (g_hash_table_lookup (form, "client_assertion"));
		return test_check_assertion (server, server->assertion);
	}
}

static void
test_server_token_cb (SoupServer *soup_server,
		      SoupServerMessage *msg,
		      const char *path,
		      GHashTable *query,
		      gpointer user_data)
{
	TestServer *server = user_data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GHashTable) form = NULL;
	g_autofree gchar *form_text = NULL;
	g_autofree gchar *rejection = NULL;
	g_autofree gchar *reply = NULL;
	guint delay_ms;

	body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
	form_text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
	form = soup_form_decode (form_text);

	g_mutex_lock (&server->mutex);
	server->requests++;
	delay_ms = server->delay_ms;
	g_free (server->authorization);
	server->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
	if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0 ||
	    g_strcmp0 (soup_message_headers_get_content_type (headers, NULL),
		       "application/x-www-form-urlencoded") != 0) {
		rejection = g_strdup ("not a form POST");
	} else {
		rejection = test_check_form (server, form, server->authorization);
	}
	g_free (server->rejection);
	server->rejection = g_strdup (rejection);
	if (server->status != 0) {
		soup_server_message_set_status (msg, server->status, NULL);
		reply = g_strdup (server->body);
	} else if (rejection != NULL) {
		soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
		reply = g_strdup_printf (
		    "{\"error\":\"invalid_client\",\"error_description\":\"%s\"}", rejection);
	} else {
		soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
		reply = g_strdup_printf ("{\"access_token\":\"tok-%u\",\"token_type\":\"Bearer\","
					 "\"expires_in\":%d,\"scope\":\"%s\"}",
					 server->requests, server->expires_in, TEST_SCOPE);
	}
	g_mutex_unlock (&server->mutex);

	/* so that concurrent callers pile up behind the first request */
	if (delay_ms > 0)
		g_usleep (delay_ms * G_TIME_SPAN_MILLISECOND);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, reply,
					  strlen (reply));
}

static gpointer
test_server_thread (gpointer user_data)
{
	TestServer *server = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocket) socket = NULL;
	g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
	g_autoptr (GSocketAddress) bound = NULL;

	g_main_context_push_thread_default (server->context);
	server->server = soup_server_new (NULL, NULL);
	soup_server_add_handler (server->server, "/token", test_server_token_cb, server, NULL);
	/* an own socket: soup_server_listen_local() of libsoup 3.2 leaks its address */
	socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			       &error);
	g_assert_no_error (error);
	g_assert_true (g_socket_bind (socket, address, TRUE, &error));
	g_assert_true (g_socket_listen (socket, &error));
	g_assert_true (soup_server_listen_socket (server->server, socket, 0, &error));
	bound = g_socket_get_local_address (socket, &error);
	g_assert_no_error (error);

	g_mutex_lock (&server->mutex);
	server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	server->ready = TRUE;
	g_cond_signal (&server->cond);
	g_mutex_unlock (&server->mutex);

	g_main_loop_run (server->loop);

	soup_server_disconnect (server->server);
	g_clear_object (&server->server);
	while (g_main_context_iteration (server->context, FALSE))
		;
	g_main_context_pop_thread_default (server->context);
	return NULL;
}

static TestServer *
test_server_new (TestClientAuth client_auth)
{
	TestServer *server = g_new0 (TestServer, 1);

	g_mutex_init (&server->mutex);
	g_cond_init (&server->cond);
	server->context = g_main_context_new ();
	server->loop = g_main_loop_new (server->context, FALSE);
	server->client_auth = client_auth;
	server->now_s = TEST_NOW_S;
	server->expires_in = 300;
	server->jtis = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	server->thread = g_thread_new ("token-server", test_server_thread, server);
	g_mutex_lock (&server->mutex);
	while (!server->ready)
		g_cond_wait (&server->cond, &server->mutex);
	g_mutex_unlock (&server->mutex);
	server->token_url = g_strdup_printf ("http://127.0.0.1:%u/token", server->port);
	return server;
}

static void
test_server_free (TestServer *server)
{
	g_main_loop_quit (server->loop);
	g_thread_join (server->thread);
	g_main_loop_unref (server->loop);
	g_main_context_unref (server->context);
	g_clear_pointer (&server->public_key, gcry_sexp_release);
	g_hash_table_unref (server->jtis);
	g_free (server->token_url);
	g_free (server->assertion);
	g_free (server->rejection);
	g_free (server->authorization);
	g_mutex_clear (&server->mutex);
	g_cond_clear (&server->cond);
	g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

static guint
test_server_get_requests (TestServer *server)
{
	guint n;
	g_mutex_lock (&server->mutex);
	n = server->requests;
	g_mutex_unlock (&server->mutex);
	return n;
}

static void
test_server_set_reply (TestServer *server, guint status, const gchar *body)
{
	g_mutex_lock (&server->mutex);
	server->status = status;
	server->body = body;
	g_mutex_unlock (&server->mutex);
}

/* an authenticator for the config lines in @keys ("key=value" pairs) */
static OheFhirAuth *
test_auth_new (OheHttpClient *client, const gchar *const *keys, GError **error)
{
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (OhePlugin) plugin = g_object_new (TEST_TYPE_PLUGIN, "name", "fhir", NULL);

	for (guint i = 0; keys[i] != NULL; i += 2)
		g_key_file_set_string (config, "plugin:fhir", keys[i], keys[i + 1]);
	ohe_plugin_set_config (plugin, config);
	return ohe_fhir_auth_new_from_config (plugin, client, error);
}

static void
test_assert_authorization (OheFhirAuth *auth, const gchar *expected)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *authorization = ohe_fhir_auth_get_authorization (auth, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (authorization, ==, expected);
}

static void
test_none (void)
{
	const gchar *none[] = {"auth", "none", NULL};
	const gchar *unset[] = {NULL};
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFhirAuth) auth = test_auth_new (NULL, none, &error);
	g_autoptr (OheFhirAuth) auth_default = NULL;

	g_assert_no_error (error);
	g_assert_cmpint (ohe_fhir_auth_get_mode (auth), ==, OHE_FHIR_AUTH_MODE_NONE);
	test_assert_authorization (auth, NULL);
	auth_default = test_auth_new (NULL, unset, &error);
	g_assert_no_error (error);
	g_assert_cmpint (ohe_fhir_auth_get_mode (auth_default), ==, OHE_FHIR_AUTH_MODE_NONE);
	test_assert_authorization (auth_default, NULL);
}

static void
test_bearer (void)
{
	const gchar *keys[] = {"auth", "bearer", "token", "static-token.1", NULL};
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFhirAuth) auth = test_auth_new (NULL, keys, &error);

	g_assert_no_error (error);
	test_assert_authorization (auth, "Bearer static-token.1");
	/* nothing to renew a static token from */
	ohe_fhir_auth_invalidate (auth);
	test_assert_authorization (auth, "Bearer static-token.1");
}

static void
test_bearer_file (void)
{
	g_autofree gchar *path = g_build_filename (g_get_user_config_dir (), "token", NULL);
	const gchar *keys[] = {"auth", "bearer", "token_file", path, NULL};
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFhirAuth) auth = NULL;

	g_assert_true (g_mkdir_with_parents (g_get_user_config_dir (), 0700) == 0);
	test_write_private (path, "file-token-1\r\nsecond line\n");
	auth = test_auth_new (NULL, keys, &error);
	g_assert_no_error (error);
	test_assert_authorization (auth, "Bearer file-token-1");
	/* the operator rotates the file; it is read again only after a 401 */
	test_write_private (path, "file-token-2\n");
	test_assert_authorization (auth, "Bearer file-token-1");
	ohe_fhir_auth_invalidate (auth);
	test_assert_authorization (auth, "Bearer file-token-2");
	/* a file emptied in between gives an error naming the key, not a bare header */
	test_write_private (path, "\n");
	ohe_fhir_auth_invalidate (auth);
	{
		g_autofree gchar *authorization =
		    ohe_fhir_auth_get_authorization (auth, NULL, &error);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==,
				 "[plugin:fhir] token_file: first line is empty or holds spaces "
				 "or control characters");
		g_assert_null (authorization);
	}
}

typedef struct {
	const gchar *keys[16];
	gint code;
	const gchar *message;
} TestConfigError;

static void
test_config_errors (void)
{
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	const TestConfigError cases[] = {
	    {{"auth", "oauth1", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] auth: 'oauth1' is not none, bearer, client_credentials or "
	     "smart_backend"},
	    {{"auth", "bearer", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] token: missing, set token or token_file"},
	    {{"auth", "bearer", "token", "a", "token_file", "/nonexistent", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] token_file: set token or token_file, not both"},
	    {{"auth", "bearer", "token", "two words", NULL},
	     OHE_ERROR_INVALID_DATA,
	     "[plugin:fhir] token: empty or holds spaces or control characters"},
	    {{"auth", "client_credentials", "client_id", "x", "client_secret", "y", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] token_url: missing, required by auth=client_credentials"},
	    {{"auth", "client_credentials", "token_url", "http://ehr.example.org/token",
	      "client_id", "x", "client_secret", "y", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] token_url: must be https (http only to the loopback address)"},
	    {{"auth", "client_credentials", "token_url", "not a url", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] token_url: not an absolute URL"},
	    {{"auth", "client_credentials", "token_url", "https://ehr.example.org/token",
	      "client_secret", "y", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] client_id: missing, required by auth=client_credentials"},
	    {{"auth", "client_credentials", "token_url", "https://ehr.example.org/token",
	      "client_id", "x", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] client_secret: missing, set client_secret or client_secret_file"},
	    {{"auth", "client_credentials", "token_url", "https://ehr.example.org/token",
	      "client_id", "x", "client_secret", "y", "client_auth", "jwt", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] client_auth: 'jwt' is not basic or post"},
	    {{"auth", "client_credentials", "token_url", "https://ehr.example.org/token",
	      "client_id", "x", "client_secret_file", "/nonexistent/secret", NULL},
	     OHE_ERROR_NOT_FOUND,
	     "[plugin:fhir] client_secret_file: cannot read: Failed to open file "
	     "“/nonexistent/secret”: No such file or directory"},
	    {{"auth", "smart_backend", "token_url", "https://ehr.example.org/token", "client_id",
	      "x", "private_key_file", "/nonexistent/key.pem", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] key_id: missing, required by auth=smart_backend"},
	    {{"auth", "smart_backend", "token_url", "https://ehr.example.org/token", "client_id",
	      "x", "key_id", "k", NULL},
	     OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] private_key_file: missing, required by auth=smart_backend"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (OheFhirAuth) auth = test_auth_new (client, cases[i].keys, &error);
		g_test_message ("case %u", i);
		g_assert_error (error, OHE_ERROR, cases[i].code);
		g_assert_cmpstr (error->message, ==, cases[i].message);
		g_assert_null (auth);
	}
}

static OheFhirAuth *
test_client_credentials_new (TestServer *server, OheHttpClient *client, const gchar *client_auth)
{
	const gchar *keys[] = {
	    "auth",	 "client_credentials", "token_url",	server->token_url,
	    "client_id", TEST_CLIENT_ID,       "client_secret", TEST_CLIENT_SECRET,
	    "scope",	 TEST_SCOPE,	       "client_auth",	client_auth,
	    NULL};
	g_autoptr (GError) error = NULL;
	OheFhirAuth *auth = test_auth_new (client, keys, &error);
	g_assert_no_error (error);
	return auth;
}

static void
test_client_credentials_basic (void)
{
	g_autoptr (TestServer) server = test_server_new (TEST_CLIENT_AUTH_BASIC);
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheFhirAuth) auth = test_client_credentials_new (server, client, "basic");

	test_assert_authorization (auth, "Bearer tok-1");
	g_assert_cmpstr (server->rejection, ==, NULL);
	/* both halves form-encoded: ':' in the secret cannot split it */
	g_assert_cmpstr (server->authorization, ==,
			 "Basic b2hlZC1zaW5rOnMzY3IlM0FldCUyRiUyQiUyNnglMjB5");
	/* cached: no second request */
	test_assert_authorization (auth, "Bearer tok-1");
	g_assert_cmpuint (test_server_get_requests (server), ==, 1);
	g_assert_cmpuint (ohe_fhir_auth_get_token_requests (auth), ==, 1);
}

static void
test_client_credentials_post (void)
{
	g_autoptr (TestServer) server = test_server_new (TEST_CLIENT_AUTH_POST);
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheFhirAuth) auth = test_client_credentials_new (server, client, "post");

	test_assert_authorization (auth, "Bearer tok-1");
	g_assert_cmpstr (server->rejection, ==, NULL);
	g_assert_null (server->authorization);
	g_assert_cmpuint (test_server_get_requests (server), ==, 1);
}

static void
test_expiry (void)
{
	g_autoptr (TestServer) server = test_server_new (TEST_CLIENT_AUTH_BASIC);
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheFhirAuth) auth = test_client_credentials_new (server, client, "basic");
	g_autoptr (OheClock) clock = ohe_clock_new_fake (TEST_NOW_S * G_USEC_PER_SEC);

	ohe_fhir_auth_set_clock (auth, clock);
	test_assert_authorization (auth, "Bearer tok-1");
	/* expires_in 300: still good 1 s before the 60 s margin */
	ohe_clock_advance (clock, 239 * G_USEC_PER_SEC);
	test_assert_authorization (auth, "Bearer tok-1");
	g_assert_cmpuint (test_server_get_requests (server), ==, 1);
	ohe_clock_advance (clock, 1 * G_USEC_PER_SEC);
	test_assert_authorization (auth, "Bearer tok-2");
	g_assert_cmpuint (test_server_get_requests (server), ==, 2);

	/* a 90 s token is used for half its life rather than 30 s */
	g_mutex_lock (&server->mutex);
	server->expires_in = 90;
	g_mutex_unlock (&server->mutex);
	ohe_fhir_auth_invalidate (auth);
	test_assert_authorization (auth, "Bearer tok-3");
	ohe_clock_advance (clock, 44 * G_USEC_PER_SEC);
	test_assert_authorization (auth, "Bearer tok-3");
	ohe_clock_advance (clock, 1 * G_USEC_PER_SEC);
	test_assert_authorization (auth, "Bearer tok-4");
	g_assert_cmpuint (test_server_get_requests (server), ==, 4);
}

static void
test_invalidate (void)
{
	g_autoptr (TestServer) server = test_server_new (TEST_CLIENT_AUTH_BASIC);
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheFhirAuth) auth = test_client_credentials_new (server, client, "basic");

	test_assert_authorization (auth, "Bearer tok-1");
	ohe_fhir_auth_invalidate (auth);
	test_assert_authorization (auth, "Bearer tok-2");
	test_assert_authorization (auth, "Bearer tok-2");
	g_assert_cmpuint (test_server_get_requests (server), ==, 2);
}

typedef struct {
	OheFhirAuth *auth;
	gchar *authorization;
	GError *error;
} TestJob;

static gpointer
test_concurrent_thread (gpointer user_data)
{
	TestJob *job = user_data;
	job->authorization = ohe_fhir_auth_get_authorization (job->auth, NULL, &job->error);
	return NULL;
}

static void
test_run_concurrently (OheFhirAuth *auth, TestJob *jobs)
{
	GThread *threads[TEST_THREADS];
	for (guint i = 0; i < TEST_THREADS; i++) {
		jobs[i].auth = auth;
		threads[i] = g_thread_new ("auth", test_concurrent_thread, &jobs[i]);
	}
	for (guint i = 0; i < TEST_THREADS; i++)
		g_thread_join (threads[i]);
}

static void
test_concurrent (void)
{
	g_autoptr (TestServer) server = test_server_new (TEST_CLIENT_AUTH_BASIC);
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheFhirAuth) auth = test_client_credentials_new (server, client, "basic");
	TestJob jobs[TEST_THREADS] = {{NULL}};
	TestJob failing[TEST_THREADS] = {{NULL}};

	g_mutex_lock (&server->mutex);
	server->delay_ms = 300;
	g_mutex_unlock (&server->mutex);
	test_run_concurrently (auth, jobs);
	for (guint i = 0; i < TEST_THREADS; i++) {
		g_assert_no_error (jobs[i].error);
		g_assert_cmpstr (jobs[i].authorization, ==, "Bearer tok-1");
		g_free (jobs[i].authorization);
	}
	g_assert_cmpuint (test_server_get_requests (server), ==, 1);

	/* a refusal is shared too: one request, eight errors */
	test_server_set_reply (server, 401, "{\"error\":\"invalid_client\"}");
	ohe_fhir_auth_invalidate (auth);
	test_run_concurrently (auth, failing);
	for (guint i = 0; i < TEST_THREADS; i++) {
		g_assert_error (failing[i].error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
		g_assert_null (failing[i].authorization);
		g_clear_error (&failing[i].error);
	}
	g_assert_cmpuint (test_server_get_requests (server), ==, 2);
}

static void
test_refused (void)
{
	g_autoptr (TestServer) server = test_server_new (TEST_CLIENT_AUTH_BASIC);
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheFhirAuth) auth = test_client_credentials_new (server, client, "basic");
	const struct {
		guint status;
		const gchar *body;
		gint code;
		const gchar *message;
	} cases[] = {
	    {401, "{\"error\":\"invalid_client\",\"error_description\":\"unknown client\"}",
	     OHE_ERROR_AUTH_REQUIRED,
	     "[plugin:fhir] token_url: token endpoint answered HTTP 401 Unauthorized: "
	     "invalid_client (unknown client)"},
	    /* a server that echoes the secret does not get it into the message */
	    {400,
	     "{\"error\":\"invalid_client\",\"error_description\":\"bad secret " TEST_CLIENT_SECRET
	     "\"}",
	     OHE_ERROR_AUTH_REQUIRED,
	     "[plugin:fhir] token_url: token endpoint answered HTTP 400 Bad Request: "
	     "invalid_client"},
	    {403, "<html>forbidden</html>", OHE_ERROR_AUTH_REQUIRED,
	     "[plugin:fhir] token_url: token endpoint answered HTTP 403 Forbidden"},
	    {404, "{}", OHE_ERROR_NOT_FOUND,
	     "[plugin:fhir] token_url: token endpoint answered HTTP 404 Not Found"},
	    {200, "not json", OHE_ERROR_INVALID_DATA, NULL},
	    {200, "[1]", OHE_ERROR_INVALID_DATA,
	     "[plugin:fhir] token_url: token response is not a JSON object"},
	    {200, "{\"token_type\":\"bearer\"}", OHE_ERROR_INVALID_DATA, NULL},
	    {200, "{\"access_token\":\"a b\",\"token_type\":\"bearer\"}", OHE_ERROR_INVALID_DATA,
	     "[plugin:fhir] token_url: access_token is empty or holds spaces or control "
	     "characters"},
	    {200, "{\"access_token\":\"x\",\"token_type\":\"DPoP\"}", OHE_ERROR_NOT_SUPPORTED,
	     "[plugin:fhir] token_url: token_type is not bearer"},
	    {200, "{\"access_token\":\"x\",\"expires_in\":\"soon\"}", OHE_ERROR_INVALID_DATA, NULL},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *authorization = NULL;

		g_test_message ("case %u", i);
		test_server_set_reply (server, cases[i].status, cases[i].body);
		authorization = ohe_fhir_auth_get_authorization (auth, NULL, &error);
		g_assert_error (error, OHE_ERROR, cases[i].code);
		g_assert_null (authorization);
		g_assert_true (g_str_has_prefix (error->message, "[plugin:fhir] token_url: "));
		if (cases[i].message != NULL)
			g_assert_cmpstr (error->message, ==, cases[i].message);
		g_assert_null (strstr (error->message, TEST_CLIENT_SECRET));
		g_assert_null (strstr (error->message, "s3cr"));
	}
	g_assert_cmpuint (test_server_get_requests (server), ==, G_N_ELEMENTS (cases));

	/* no expires_in: used for five minutes */
	test_server_set_reply (server, 200, "{\"access_token\":\"forever\"}");
	test_assert_authorization (auth, "Bearer forever");
	test_assert_authorization (auth, "Bearer forever");
	g_assert_cmpuint (test_server_get_requests (server), ==, G_N_ELEMENTS (cases) + 1);
}

static void
test_server_set_public_key (TestServer *server, const gchar *alg)
{
	g_auto (gcry_mpi_t) n = NULL;
	g_auto (gcry_mpi_t) e = gcry_mpi_set_ui (NULL, 65537);

	server->alg = alg;
	if (g_strcmp0 (alg, "RS384") == 0) {
		g_assert_cmpint (
		    gcry_mpi_scan (&n, GCRYMPI_FMT_HEX, test_keys.rsa_modulus_hex, 0, NULL), ==, 0);
		g_assert_cmpint (gcry_sexp_build (&server->public_key, NULL,
						  "(public-key (rsa (n %m) (e %m)))", n, e),
				 ==, 0);
	} else {
		g_assert_cmpint (
		    gcry_sexp_build (&server->public_key, NULL,
				     "(public-key (ecc (curve \"NIST P-384\") (q %b)))",
				     (int)g_bytes_get_size (test_keys.ec_point),
				     g_bytes_get_data (test_keys.ec_point, NULL)),
		    ==, 0);
	}
}

static OheFhirAuth *
test_smart_new (TestServer *server,
		OheHttpClient *client,
		OheClock *clock,
		const gchar *key_file,
		const gchar *algorithm,
		GError **error)
{
	const gchar *keys[] = {"auth",
			       "smart_backend",
			       "token_url",
			       server->token_url,
			       "client_id",
			       TEST_CLIENT_ID,
			       "private_key_file",
			       key_file,
			       "key_id",
			       TEST_KEY_ID,
			       "scope",
			       TEST_SCOPE,
			       algorithm != NULL ? "algorithm" : NULL,
			       algorithm,
			       NULL};
	OheFhirAuth *auth = test_auth_new (client, keys, error);
	if (auth != NULL)
		ohe_fhir_auth_set_clock (auth, clock);
	return auth;
}

typedef struct {
	const gchar *const *key_file;
	const gchar *algorithm; /* the algorithm key, or NULL to take the key's */
	const gchar *alg;
} TestSmartCase;

static void
test_smart (gconstpointer user_data)
{
	const TestSmartCase *c = user_data;
	g_autoptr (TestServer) server = NULL;
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheClock) clock = ohe_clock_new_fake (TEST_NOW_S * G_USEC_PER_SEC);
	g_autoptr (OheFhirAuth) auth = NULL;
	g_autoptr (GError) error = NULL;

	if (test_keys_skip ())
		return;
	server = test_server_new (TEST_CLIENT_AUTH_JWT);
	test_server_set_public_key (server, c->alg);
	auth = test_smart_new (server, client, clock, *c->key_file, c->algorithm, &error);
	g_assert_no_error (error);
	test_assert_authorization (auth, "Bearer tok-1");
	g_assert_cmpstr (server->rejection, ==, NULL);
	test_assert_authorization (auth, "Bearer tok-1");
	g_assert_cmpuint (test_server_get_requests (server), ==, 1);

	/* a new assertion with a new jti, at the new time */
	ohe_clock_advance (clock, 241 * G_USEC_PER_SEC);
	g_mutex_lock (&server->mutex);
	server->now_s = TEST_NOW_S + 241;
	g_mutex_unlock (&server->mutex);
	test_assert_authorization (auth, "Bearer tok-2");
	g_assert_cmpstr (server->rejection, ==, NULL);
	ohe_fhir_auth_invalidate (auth);
	test_assert_authorization (auth, "Bearer tok-3");
	g_assert_cmpstr (server->rejection, ==, NULL);
	g_assert_cmpuint (g_hash_table_size (server->jtis), ==, 3);
}

static void
test_smart_wrong_key (void)
{
	g_autoptr (TestServer) server = NULL;
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheClock) clock = ohe_clock_new_fake (TEST_NOW_S * G_USEC_PER_SEC);
	g_autoptr (OheFhirAuth) auth = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *authorization = NULL;

	if (test_keys_skip ())
		return;
	/* the EHR knows the EC key; a token signed with the RSA key must fail */
	server = test_server_new (TEST_CLIENT_AUTH_JWT);
	test_server_set_public_key (server, "RS384");
	auth = test_smart_new (server, client, clock, test_keys.ec_pkcs8, NULL, &error);
	g_assert_no_error (error);
	authorization = ohe_fhir_auth_get_authorization (auth, NULL, &error);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_cmpstr (error->message, ==,
			 "[plugin:fhir] token_url: token endpoint answered HTTP 400 Bad Request: "
			 "invalid_client (bad header)");
	g_assert_null (authorization);
}

static void
test_smart_bad_keys (void)
{
	g_autoptr (TestServer) server = NULL;
	g_autoptr (OheHttpClient) client = ohe_http_client_new ("fhir-auth-test");
	g_autoptr (OheClock) clock = ohe_clock_new_fake (TEST_NOW_S * G_USEC_PER_SEC);
	g_autofree gchar *garbage =
	    g_build_filename (g_get_user_config_dir (), "garbage.pem", NULL);
	g_autofree gchar *truncated =
	    g_build_filename (g_get_user_config_dir (), "truncated.pem", NULL);
	g_autofree gchar *pkcs8 = NULL;
	g_autofree gchar *cut = NULL;
	struct {
		const gchar *file;
		const gchar *algorithm;
		gint code;
		const gchar *message;
	} cases[] = {
	    {garbage, NULL, OHE_ERROR_INVALID_DATA,
	     "[plugin:fhir] private_key_file: not a PEM RSA or EC P-384 private key"},
	    {test_keys.rsa_public_pem, NULL, OHE_ERROR_INVALID_DATA,
	     "[plugin:fhir] private_key_file: not a PEM RSA or EC P-384 private key"},
	    {test_keys.ec_p256, NULL, OHE_ERROR_NOT_SUPPORTED,
	     "[plugin:fhir] private_key_file: EC key is not on curve P-384, which ES384 needs"},
	    {test_keys.rsa_1024, NULL, OHE_ERROR_NOT_SUPPORTED,
	     "[plugin:fhir] private_key_file: RSA key has 1024 bits, RS384 needs 2048 to 16384"},
	    {test_keys.rsa_encrypted, NULL, OHE_ERROR_NOT_SUPPORTED,
	     "[plugin:fhir] private_key_file: encrypted private keys are not supported"},
	    {truncated, NULL, OHE_ERROR_INVALID_DATA, NULL},
	    {test_keys.rsa_pkcs8, "ES384", OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] algorithm: ES384 needs an EC P-384 key, private_key_file holds a "
	     "RS384 key"},
	    {test_keys.ec_sec1, "RS384", OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] algorithm: RS384 needs an RSA key, private_key_file holds a ES384 "
	     "key"},
	    {test_keys.ec_sec1, "HS256", OHE_ERROR_INVALID_ARGUMENT,
	     "[plugin:fhir] algorithm: 'HS256' is not RS384 or ES384"},
	};

	if (test_keys_skip ())
		return;
	server = test_server_new (TEST_CLIENT_AUTH_JWT);
	g_assert_true (g_mkdir_with_parents (g_get_user_config_dir (), 0700) == 0);
	test_write_private (garbage, "hello\n-----BEGIN PRIVATE KEY-----\n");
	/* a PEM block whose DER ends in the middle of the modulus */
	g_assert_true (g_file_get_contents (test_keys.rsa_pkcs8, &pkcs8, NULL, NULL));
	cut = g_strdup_printf ("-----BEGIN PRIVATE KEY-----\n%.64s\n-----END PRIVATE KEY-----\n",
			       pkcs8 + strlen ("-----BEGIN PRIVATE KEY-----\n"));
	test_write_private (truncated, cut);

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (OheFhirAuth) auth = NULL;

		g_test_message ("case %u", i);
		auth = test_smart_new (server, client, clock, cases[i].file, cases[i].algorithm,
				       &error);
		g_assert_error (error, OHE_ERROR, cases[i].code);
		g_assert_null (auth);
		if (cases[i].message != NULL)
			g_assert_cmpstr (error->message, ==, cases[i].message);
		else
			g_assert_true (g_str_has_prefix (error->message,
							 "[plugin:fhir] private_key_file: DER: "));
	}
	g_assert_cmpuint (test_server_get_requests (server), ==, 0);
}

/* no DER, however broken, makes the reader crash or accept an inconsistent key */
static void
test_key_mutations (void)
{
	g_autofree gchar *pem = NULL;
	g_autofree guchar *der = NULL;
	g_autoptr (GRand) rand = g_rand_new_with_seed (7);
	gsize der_len = 0;
	gsize n_flips;
	gsize n_random;
	guint accepted = 0;
	const gchar *begin = "-----BEGIN EC PRIVATE KEY-----\n";
	const gchar *end = "-----END EC PRIVATE KEY-----";
	g_autofree gchar *b64 = NULL;

	if (test_keys_skip ())
		return;
	g_assert_true (g_file_get_contents (test_keys.ec_sec1, &pem, NULL, NULL));
	g_assert_true (g_str_has_prefix (pem, begin));
	b64 = g_strndup (pem + strlen (begin), strstr (pem, end) - pem - strlen (begin));
	der = g_base64_decode (b64, &der_len);
	/* -m thorough flips every byte; by default the header, version and scalar, as
	 * each flip in the public point costs a scalar multiplication in libgcrypt */
	n_flips = g_test_thorough () ? der_len : MIN (der_len, 64);
	n_random = g_test_thorough () ? 200 : 30;
	for (guint i = 0; i < der_len + n_flips + n_random; i++) {
		g_autofree guchar *copy = g_memdup2 (der, der_len);
		g_autofree gchar *mutated_b64 = NULL;
		g_autofree gchar *mutated = NULL;
		g_autoptr (GError) error = NULL;
		g_autoptr (OheFhirKey) key = NULL;
		gsize len = der_len;

		if (i < der_len)
			len = i; /* every truncation */
		else if (i < der_len + n_flips)
			copy[i - der_len] ^= 0xff; /* bytes inverted */
		else
			copy[g_rand_int_range (rand, 0, der_len)] = g_rand_int_range (rand, 0, 256);
		mutated_b64 = g_base64_encode (copy, len);
		mutated = g_strconcat (begin, mutated_b64, "\n", end, "\n", NULL);
		key = ohe_fhir_key_new_from_pem (mutated, strlen (mutated), &error);
		if (key != NULL) {
			g_assert_no_error (error);
			accepted++;
		} else {
			g_assert_nonnull (error);
		}
	}
	/* only mutations of bytes libgcrypt ignores, like the unused bits of the point */
	g_assert_cmpuint (accepted, <, 50);
}

/* Node's crypto as a second, independent JWS verifier */
static void
test_node_verify (gconstpointer user_data)
{
	const TestSmartCase *c = user_data;
	g_autofree gchar *node = g_find_program_in_path ("node");
	g_autoptr (OheFhirKey) key = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *jwt = NULL;
	g_autofree gchar *out = NULL;
	const gchar *script =
	    "const c = require('crypto'), fs = require('fs');"
	    "const [h, p, s] = process.argv[1].split('.');"
	    "const alg = JSON.parse(Buffer.from(h, 'base64url')).alg;"
	    "const pub = fs.readFileSync(process.argv[2]);"
	    "const key = alg === 'ES384' ? {key: pub, dsaEncoding: 'ieee-p1363'} : pub;"
	    "const ok = c.verify('sha384', Buffer.from(h + '.' + p), key, Buffer.from(s, "
	    "'base64url'));"
	    "const claims = JSON.parse(Buffer.from(p, 'base64url'));"
	    "process.stdout.write(alg + ' ' + ok + ' ' + (claims.exp - claims.iat));";

	if (test_keys_skip ())
		return;
	if (node == NULL) {
		g_test_skip ("node is not installed");
		return;
	}
	key = ohe_fhir_key_new_from_file (*c->key_file, &error);
	g_assert_no_error (error);
	jwt = ohe_fhir_jwt_new_client_assertion (
	    key, TEST_KEY_ID, TEST_CLIENT_ID, "https://ehr.example.org/token", TEST_NOW_S, &error);
	g_assert_no_error (error);
	{
		const gchar *argv[] = {"node",
				       "-e",
				       script,
				       jwt,
				       g_strcmp0 (c->alg, "RS384") == 0 ? test_keys.rsa_public_pem
									: test_keys.ec_public_pem,
				       NULL};
		g_assert_true (test_run (argv, &out));
	}
	if (g_strcmp0 (c->alg, "RS384") == 0)
		g_assert_cmpstr (out, ==, "RS384 true 300");
	else
		g_assert_cmpstr (out, ==, "ES384 true 300");
}

static void
test_base64url (void)
{
	const guint8 data[] = {0xfb, 0xff, 0xbf, 0x00};
	g_autofree gchar *a = ohe_base64url_encode (data, 1);
	g_autofree gchar *b = ohe_base64url_encode (data, 3);
	g_autofree gchar *c = ohe_base64url_encode (data, 4);
	g_assert_cmpstr (a, ==, "-w");
	g_assert_cmpstr (b, ==, "-_-_");
	g_assert_cmpstr (c, ==, "-_-_AA");
}

static const gchar *const *test_rsa_pkcs8 = (const gchar *const *)&test_keys.rsa_pkcs8;
static const gchar *const *test_rsa_pkcs1 = (const gchar *const *)&test_keys.rsa_pkcs1;
static const gchar *const *test_ec_pkcs8 = (const gchar *const *)&test_keys.ec_pkcs8;
static const gchar *const *test_ec_sec1 = (const gchar *const *)&test_keys.ec_sec1;
static const gchar *const *test_ec_no_public = (const gchar *const *)&test_keys.ec_no_public;

int
main (int argc, char **argv)
{
	int rc;
	TestSmartCase rsa_pkcs8 = {NULL, "RS384", "RS384"};
	TestSmartCase rsa_pkcs1 = {NULL, NULL, "RS384"};
	TestSmartCase ec_pkcs8 = {NULL, "ES384", "ES384"};
	TestSmartCase ec_sec1 = {NULL, NULL, "ES384"};
	TestSmartCase ec_no_public = {NULL, NULL, "ES384"};

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	ohe_crypto_init ();
	rsa_pkcs8.key_file = test_rsa_pkcs8;
	rsa_pkcs1.key_file = test_rsa_pkcs1;
	ec_pkcs8.key_file = test_ec_pkcs8;
	ec_sec1.key_file = test_ec_sec1;
	ec_no_public.key_file = test_ec_no_public;
	if (!test_keys_generate ())
		test_keys_clear ();

	g_test_add_func ("/fhir-auth/none", test_none);
	g_test_add_func ("/fhir-auth/bearer/token", test_bearer);
	g_test_add_func ("/fhir-auth/bearer/token-file", test_bearer_file);
	g_test_add_func ("/fhir-auth/config-errors", test_config_errors);
	g_test_add_func ("/fhir-auth/client-credentials/basic", test_client_credentials_basic);
	g_test_add_func ("/fhir-auth/client-credentials/post", test_client_credentials_post);
	g_test_add_func ("/fhir-auth/cache/expiry", test_expiry);
	g_test_add_func ("/fhir-auth/cache/invalidate", test_invalidate);
	g_test_add_func ("/fhir-auth/cache/concurrent", test_concurrent);
	g_test_add_func ("/fhir-auth/refused", test_refused);
	g_test_add_data_func ("/fhir-auth/smart/rsa-pkcs8", &rsa_pkcs8, test_smart);
	g_test_add_data_func ("/fhir-auth/smart/rsa-pkcs1", &rsa_pkcs1, test_smart);
	g_test_add_data_func ("/fhir-auth/smart/ec-pkcs8", &ec_pkcs8, test_smart);
	g_test_add_data_func ("/fhir-auth/smart/ec-sec1", &ec_sec1, test_smart);
	g_test_add_data_func ("/fhir-auth/smart/ec-no-public", &ec_no_public, test_smart);
	g_test_add_func ("/fhir-auth/smart/wrong-key", test_smart_wrong_key);
	g_test_add_func ("/fhir-auth/smart/bad-keys", test_smart_bad_keys);
	g_test_add_func ("/fhir-auth/key/mutations", test_key_mutations);
	g_test_add_func ("/fhir-auth/jwt/base64url", test_base64url);
	g_test_add_data_func ("/fhir-auth/jwt/node-rs384", &rsa_pkcs1, test_node_verify);
	g_test_add_data_func ("/fhir-auth/jwt/node-es384", &ec_sec1, test_node_verify);
	rc = g_test_run ();
	test_keys_clear ();
	return rc;
}
