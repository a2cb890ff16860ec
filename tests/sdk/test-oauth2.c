/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "oheplugin.h"

#define OHE_TEST_CLIENT_ID     "ohed client"
#define OHE_TEST_CLIENT_SECRET "s3cr3t-client"
#define OHE_TEST_REDIRECT_URI  "http://localhost:8080/oauth/callback"
#define OHE_TEST_NOW_S	       G_GINT64_CONSTANT (1700000000)
#define OHE_TEST_THREADS       8

/* a minimal provider: everything OAuth2 comes from the base class */
#define OHE_TYPE_TEST_PROVIDER (ohe_test_provider_get_type ())
G_DECLARE_FINAL_TYPE (OheTestProvider, ohe_test_provider, OHE, TEST_PROVIDER, OheOAuth2Provider)

struct _OheTestProvider {
	OheOAuth2Provider parent_instance;
};

G_DEFINE_TYPE (OheTestProvider, ohe_test_provider, OHE_TYPE_OAUTH2_PROVIDER)

static GArray *
ohe_test_provider_get_kinds (OheProvider *provider)
{
	GArray *kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	OheMeasurementKind kind = OHE_MEASUREMENT_KIND_HEART_RATE;
	g_array_append_val (kinds, kind);
	return kinds;
}

static gboolean
ohe_test_provider_fetch (OheProvider *provider,
			 OheFetchRequest *request,
			 GCancellable *cancellable,
			 GError **error)
{
	return TRUE;
}

static void
ohe_test_provider_add_authorize_params (OheOAuth2Provider *self, GHashTable *params)
{
	g_hash_table_replace (params, g_strdup ("access_type"), g_strdup ("offline"));
}

static void
ohe_test_provider_add_token_params (OheOAuth2Provider *self, GHashTable *form, gboolean is_refresh)
{
	g_hash_table_replace (form, g_strdup ("x_grant_kind"),
			      g_strdup (is_refresh ? "refresh" : "code"));
}

static void
ohe_test_provider_class_init (OheTestProviderClass *klass)
{
	OheProviderClass *provider_class = OHE_PROVIDER_CLASS (klass);
	OheOAuth2ProviderClass *oauth2_class = OHE_OAUTH2_PROVIDER_CLASS (klass);
	provider_class->get_kinds = ohe_test_provider_get_kinds;
	provider_class->fetch = ohe_test_provider_fetch;
	oauth2_class->add_authorize_params = ohe_test_provider_add_authorize_params;
	oauth2_class->add_token_params = ohe_test_provider_add_token_params;
}

static void
ohe_test_provider_init (OheTestProvider *self)
{
}

/*
 * The vendor's token endpoint: it checks PKCE with its own S256 code, the
 * client credentials and the grant, and rotates refresh tokens. Its error
 * descriptions quote the secrets it received, as careless servers do.
 */
typedef struct {
	GMutex mutex;
	GCond cond;
	GHashTable *codes;	    /* code → challenge, protected by mutex */
	GHashTable *refresh_tokens; /* valid refresh tokens, protected by mutex */
	guint n_code_requests;	    /* protected by mutex */
	guint n_refresh_requests;   /* protected by mutex */
	guint serial;		    /* protected by mutex */
	gboolean rotate;	    /* protected by mutex */
	guint delay_ms;		    /* protected by mutex */
	guint expires_in;	    /* protected by mutex */
	gchar *base_url;	    /* protected by mutex until ready */
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
} OheTestServer;

static gchar *
ohe_test_base64url (const guint8 *data, gsize len)
{
	g_autofree gchar *b64 = g_base64_encode (data, len);
	GString *out = g_string_new (NULL);
	for (const gchar *p = b64; *p != '\0' && *p != '='; p++)
		g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
	return g_string_free (out, FALSE);
}

static gchar *
ohe_test_s256 (const gchar *verifier)
{
	g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof (digest);
	g_checksum_update (checksum, (const guchar *)verifier, -1);
	g_checksum_get_digest (checksum, digest, &len);
	return ohe_test_base64url (digest, len);
}

static void
ohe_test_server_reply (SoupServerMessage *msg, guint status, const gchar *json)
{
	soup_server_message_set_status (msg, status, NULL);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
					  strlen (json));
}

static void
ohe_test_server_reply_error (SoupServerMessage *msg,
			     guint status,
			     const gchar *code,
			     const gchar *description)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *json = NULL;
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_add_string_value (builder, code);
	json_builder_set_member_name (builder, "error_description");
	json_builder_add_string_value (builder, description);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	json = json_to_string (root, FALSE);
	ohe_test_server_reply (msg, status, json);
}

/* called with the mutex held */
static void
ohe_test_server_issue (OheTestServer *server, SoupServerMessage *msg, gboolean with_refresh)
{
	g_autofree gchar *json = NULL;
	guint n = ++server->serial;
	if (with_refresh) {
		g_hash_table_add (server->refresh_tokens, g_strdup_printf ("rt-%u", n));
		json = g_strdup_printf ("{\"access_token\":\"at-%u\",\"token_type\":\"Bearer\","
					"\"expires_in\":%u,\"refresh_token\":\"rt-%u\","
					"\"scope\":\"activity heart_rate\"}",
					n, server->expires_in, n);
	} else {
		json = g_strdup_printf ("{\"access_token\":\"at-%u\",\"token_type\":\"bearer\","
					"\"expires_in\":%u}",
					n, server->expires_in);
	}
	ohe_test_server_reply (msg, SOUP_STATUS_OK, json);
}

static void
ohe_test_server_token_cb (SoupServer *soup_server,
			  SoupServerMessage *msg,
			  const gchar *path,
			  GHashTable *query,
			  gpointer user_data)
{
	OheTestServer *server = user_data;
	SoupMessageBody *body = soup_server_message_get_request_body (msg);
	g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
	g_autofree gchar *text =
	    g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
	g_autoptr(GHashTable) form = soup_form_decode (text);
	const gchar *content_type = soup_message_headers_get_content_type (
	    soup_server_message_get_request_headers (msg), NULL);
	const gchar *grant_type = g_hash_table_lookup (form, "grant_type");
	const gchar *client_secret = g_hash_table_lookup (form, "client_secret");
	g_autoptr(GMutexLocker) locker = NULL;
	guint delay_ms;

	if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0 ||
	    g_strcmp0 (content_type, "application/x-www-form-urlencoded") != 0) {
		ohe_test_server_reply_error (msg, 400, "invalid_request", "POST a form");
		return;
	}
	if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), OHE_TEST_CLIENT_ID) != 0 ||
	    g_strcmp0 (client_secret, OHE_TEST_CLIENT_SECRET) != 0) {
		g_autofree gchar *desc =
		    g_strdup_printf ("client secret %s is wrong", client_secret);
		ohe_test_server_reply_error (msg, 401, "invalid_client", desc);
		return;
	}

	locker = g_mutex_locker_new (&server->mutex);
	if (g_strcmp0 (grant_type, "authorization_code") == 0) {
		const gchar *code = g_hash_table_lookup (form, "code");
		const gchar *verifier = g_hash_table_lookup (form, "code_verifier");
		g_autofree gchar *code_stolen = NULL;
		g_autofree gchar *challenge = NULL;
		g_autofree gchar *computed = NULL;

		server->n_code_requests++;
		if (g_strcmp0 (g_hash_table_lookup (form, "x_grant_kind"), "code") != 0 ||
		    g_strcmp0 (g_hash_table_lookup (form, "redirect_uri"), OHE_TEST_REDIRECT_URI) !=
			0) {
			ohe_test_server_reply_error (msg, 400, "invalid_request", "bad form");
			return;
		}
		/* codes are single use */
		if (code == NULL ||
		    !g_hash_table_steal_extended (server->codes, code, (gpointer *)&code_stolen,
						  (gpointer *)&challenge)) {
			ohe_test_server_reply_error (msg, 400, "invalid_grant", "unknown code");
			return;
		}
		computed = verifier != NULL ? ohe_test_s256 (verifier) : NULL;
		if (g_strcmp0 (computed, challenge) != 0) {
			g_autofree gchar *desc =
			    g_strdup_printf ("verifier %s for code %s is wrong", verifier, code);
			ohe_test_server_reply_error (msg, 400, "invalid_grant", desc);
			return;
		}
		ohe_test_server_issue (server, msg, TRUE);
		return;
	}
	if (g_strcmp0 (grant_type, "refresh_token") == 0) {
		const gchar *refresh_token = g_hash_table_lookup (form, "refresh_token");

		server->n_refresh_requests++;
		delay_ms = server->delay_ms;
		/* keeps the refresh in flight long enough for the other threads to pile up */
		if (delay_ms > 0) {
			g_mutex_unlock (&server->mutex);
			g_usleep (delay_ms * 1000);
			g_mutex_lock (&server->mutex);
		}
		if (g_strcmp0 (g_hash_table_lookup (form, "x_grant_kind"), "refresh") != 0) {
			ohe_test_server_reply_error (msg, 400, "invalid_request", "bad form");
			return;
		}
		if (refresh_token == NULL ||
		    !g_hash_table_contains (server->refresh_tokens, refresh_token)) {
			g_autofree gchar *desc =
			    g_strdup_printf ("refresh token %s is not valid", refresh_token);
			ohe_test_server_reply_error (msg, 400, "invalid_grant", desc);
			return;
		}
		if (server->rotate)
			g_hash_table_remove (server->refresh_tokens, refresh_token);
		ohe_test_server_issue (server, msg, server->rotate);
		return;
	}
	ohe_test_server_reply_error (msg, 400, "unsupported_grant_type", "no such grant");
}

static void
ohe_test_server_unavailable_cb (SoupServer *soup_server,
				SoupServerMessage *msg,
				const gchar *path,
				GHashTable *query,
				gpointer user_data)
{
	ohe_test_server_reply (msg, 503, "<html>down for maintenance</html>");
}

static void
ohe_test_server_garbage_cb (SoupServer *soup_server,
			    SoupServerMessage *msg,
			    const gchar *path,
			    GHashTable *query,
			    gpointer user_data)
{
	ohe_test_server_reply (msg, 200, "{\"access_token\": 42, \"token_type\": \"Bearer\"}");
}

/* 200,000 nested arrays: json-glib alone would exhaust the stack */
static void
ohe_test_server_deep_cb (SoupServer *soup_server,
			 SoupServerMessage *msg,
			 const gchar *path,
			 GHashTable *query,
			 gpointer user_data)
{
	g_autofree gchar *json = g_malloc (200000 + 1);
	memset (json, '[', 200000);
	json[200000] = '\0';
	ohe_test_server_reply (msg, 200, json);
}

static gpointer
ohe_test_server_thread (gpointer user_data)
{
	OheTestServer *server = user_data;
	g_autoptr(SoupServer) soup_server = NULL;
	g_autoptr(GError) error = NULL;
	GSList *uris;

	g_main_context_push_thread_default (server->context);
	soup_server = soup_server_new (NULL, NULL);
	soup_server_add_handler (soup_server, "/token", ohe_test_server_token_cb, server, NULL);
	soup_server_add_handler (soup_server, "/unavailable", ohe_test_server_unavailable_cb,
				 server, NULL);
	soup_server_add_handler (soup_server, "/garbage", ohe_test_server_garbage_cb, server, NULL);
	soup_server_add_handler (soup_server, "/deep", ohe_test_server_deep_cb, server, NULL);
	soup_server_listen_local (soup_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
	g_assert_no_error (error);
	uris = soup_server_get_uris (soup_server);
	g_assert_nonnull (uris);

	g_mutex_lock (&server->mutex);
	server->base_url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
	/* without the trailing slash */
	server->base_url[strlen (server->base_url) - 1] = '\0';
	g_cond_signal (&server->cond);
	g_mutex_unlock (&server->mutex);
	g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

	g_main_loop_run (server->loop);
	soup_server_disconnect (soup_server);
	g_clear_object (&soup_server);
	/* lets the closed connections finish their teardown */
	while (g_main_context_iteration (server->context, FALSE))
		;
	g_main_context_pop_thread_default (server->context);
	return NULL;
}

static OheTestServer *
ohe_test_server_new (void)
{
	OheTestServer *server = g_new0 (OheTestServer, 1);
	g_mutex_init (&server->mutex);
	g_cond_init (&server->cond);
	server->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	server->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	server->rotate = TRUE;
	server->expires_in = 3600;
	server->context = g_main_context_new ();
	server->loop = g_main_loop_new (server->context, FALSE);
	server->thread = g_thread_new ("token-server", ohe_test_server_thread, server);
	g_mutex_lock (&server->mutex);
	while (server->base_url == NULL)
		g_cond_wait (&server->cond, &server->mutex);
	g_mutex_unlock (&server->mutex);
	return server;
}

static gboolean
ohe_test_server_quit_cb (gpointer user_data)
{
	OheTestServer *server = user_data;
	g_main_loop_quit (server->loop);
	return G_SOURCE_REMOVE;
}

static void
ohe_test_server_free (OheTestServer *server)
{
	g_autoptr(GSource) source = g_idle_source_new ();

	/* from inside the loop: a quit before g_main_loop_run() starts would be lost */
	g_source_set_callback (source, ohe_test_server_quit_cb, server, NULL);
	g_source_attach (source, server->context);
	g_thread_join (server->thread);
	g_main_loop_unref (server->loop);
	g_main_context_unref (server->context);
	g_hash_table_unref (server->codes);
	g_hash_table_unref (server->refresh_tokens);
	g_free (server->base_url);
	g_mutex_clear (&server->mutex);
	g_cond_clear (&server->cond);
	g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheTestServer, ohe_test_server_free)

static void
ohe_test_server_add_code (OheTestServer *server, const gchar *code, const gchar *challenge)
{
	g_mutex_lock (&server->mutex);
	g_hash_table_insert (server->codes, g_strdup (code), g_strdup (challenge));
	g_mutex_unlock (&server->mutex);
}

static void
ohe_test_server_add_refresh_token (OheTestServer *server, const gchar *refresh_token)
{
	g_mutex_lock (&server->mutex);
	g_hash_table_add (server->refresh_tokens, g_strdup (refresh_token));
	g_mutex_unlock (&server->mutex);
}

static guint
ohe_test_server_get_refresh_requests (OheTestServer *server)
{
	guint n;
	g_mutex_lock (&server->mutex);
	n = server->n_refresh_requests;
	g_mutex_unlock (&server->mutex);
	return n;
}

typedef struct {
	OheTestServer *server;
	OheClock *clock;
	OheTestProvider *provider;
	gchar *secret_file;
	GMutex mutex;
	GPtrArray *changed; /* of OheToken, protected by mutex */
} OheTestFixture;

static void
ohe_test_token_changed_cb (OheProvider *provider,
			   const gchar *link_id,
			   OheToken *token,
			   OheTestFixture *fixture)
{
	g_mutex_lock (&fixture->mutex);
	g_ptr_array_add (fixture->changed, g_object_ref (token));
	g_mutex_unlock (&fixture->mutex);
}

static void
ohe_test_fixture_set_config (OheTestFixture *fixture, const gchar *token_path, gboolean with_id)
{
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autofree gchar *token_url =
	    g_strdup_printf ("%s%s", fixture->server->base_url, token_path);
	const gchar *group = "plugin:oauth2test";

	g_key_file_set_string (config, group, "authorize_url",
			       "https://auth.example.com/oauth2/authorize?tenant=a%20b");
	g_key_file_set_string (config, group, "token_url", token_url);
	if (with_id)
		g_key_file_set_string (config, group, "client_id", OHE_TEST_CLIENT_ID);
	g_key_file_set_string (config, group, "client_secret_file", fixture->secret_file);
	g_key_file_set_string (config, group, "scope", "activity heart_rate");
	ohe_plugin_set_config (OHE_PLUGIN (fixture->provider), config);
}

static void
ohe_test_fixture_setup (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheHttpClient) client = ohe_http_client_new ("oauth2test");

	g_mutex_init (&fixture->mutex);
	fixture->changed = g_ptr_array_new_with_free_func (g_object_unref);
	fixture->server = ohe_test_server_new ();
	fixture->clock = ohe_clock_new_fake (OHE_TEST_NOW_S * G_USEC_PER_SEC);
	fixture->secret_file = g_build_filename (g_get_user_config_dir (), "client-secret", NULL);
	g_assert_true (g_mkdir_with_parents (g_get_user_config_dir (), 0700) == 0);
	/* only the first line counts */
	g_assert_true (g_file_set_contents_full (fixture->secret_file,
						 "  " OHE_TEST_CLIENT_SECRET "  \nsecond line\n",
						 -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
	g_assert_no_error (error);

	fixture->provider = g_object_new (OHE_TYPE_TEST_PROVIDER, "name", "oauth2test", NULL);
	ohe_test_fixture_set_config (fixture, "/token", TRUE);
	ohe_oauth2_provider_set_clock (OHE_OAUTH2_PROVIDER (fixture->provider), fixture->clock);
	ohe_http_client_set_clock (client, fixture->clock);
	ohe_oauth2_provider_set_http_client (OHE_OAUTH2_PROVIDER (fixture->provider), client);
	g_signal_connect (fixture->provider, "token-changed",
			  G_CALLBACK (ohe_test_token_changed_cb), fixture);
}

static void
ohe_test_fixture_teardown (OheTestFixture *fixture, gconstpointer user_data)
{
	g_object_add_weak_pointer (G_OBJECT (fixture->provider), (gpointer *)&fixture->provider);
	g_object_unref (fixture->provider);
	g_assert_null (fixture->provider);
	g_object_add_weak_pointer (G_OBJECT (fixture->clock), (gpointer *)&fixture->clock);
	g_object_unref (fixture->clock);
	g_assert_null (fixture->clock);
	ohe_test_server_free (fixture->server);
	g_ptr_array_unref (fixture->changed);
	g_free (fixture->secret_file);
	g_mutex_clear (&fixture->mutex);
}

static OheToken *
ohe_test_token_new (const gchar *access_token, const gchar *refresh_token, gint64 expires_at)
{
	OheToken *token = ohe_token_new ();
	ohe_token_set_access_token (token, access_token);
	ohe_token_set_refresh_token (token, refresh_token);
	ohe_token_set_expires_at (token, expires_at);
	return token;
}

/* a secret in an error message ends up in logs, D-Bus replies and the audit log */
static void
ohe_test_assert_no_secret (const GError *error, const gchar *const *secrets)
{
	g_assert_nonnull (error);
	g_assert_null (strstr (error->message, OHE_TEST_CLIENT_SECRET));
	for (guint i = 0; secrets != NULL && secrets[i] != NULL; i++) {
		g_test_message ("checking for secret %u in: %s", i, error->message);
		g_assert_null (strstr (error->message, secrets[i]));
	}
}

static void
ohe_test_oauth2_pkce (void)
{
	g_autofree gchar *challenge =
	    ohe_oauth2_compute_code_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
	g_autofree gchar *verifier1 = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *verifier2 = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *state1 = ohe_oauth2_new_state ();
	g_autofree gchar *state2 = ohe_oauth2_new_state ();
	g_autofree gchar *challenge1 = ohe_oauth2_compute_code_challenge (verifier1);
	g_autofree gchar *expected1 = ohe_test_s256 (verifier1);
	const gchar *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	/* RFC 7636 Appendix B */
	g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

	g_assert_cmpuint (strlen (verifier1), ==, 43);
	g_assert_cmpuint (strspn (verifier1, alphabet), ==, 43);
	g_assert_cmpstr (verifier1, !=, verifier2);
	g_assert_cmpstr (challenge1, ==, expected1);
	g_assert_cmpuint (strlen (state1), ==, 32);
	g_assert_cmpuint (strspn (state1, alphabet), ==, 32);
	g_assert_cmpstr (state1, !=, state2);
}

static void
ohe_test_oauth2_authorize_url (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *verifier = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *challenge = ohe_oauth2_compute_code_challenge (verifier);
	g_autofree gchar *url = NULL;
	g_autofree gchar *url2 = NULL;
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GHashTable) params = NULL;
	g_autoptr(GKeyFile) empty = g_key_file_new ();

	url = ohe_provider_build_authorize_url (OHE_PROVIDER (fixture->provider), "st/ate+1",
						challenge, OHE_TEST_REDIRECT_URI, &error);
	g_assert_no_error (error);
	g_assert_nonnull (url);
	g_assert_true (
	    g_str_has_prefix (url, "https://auth.example.com/oauth2/authorize?tenant=a%20b&"));
	/* escaped, not form-encoded, and never carrying the verifier */
	g_assert_nonnull (strstr (url, "scope=activity%20heart_rate"));
	g_assert_nonnull (
	    strstr (url, "redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Foauth%2Fcallback"));
	g_assert_nonnull (strstr (url, "state=st%2Fate%2B1"));
	g_assert_null (strstr (url, verifier));
	g_assert_null (strstr (url, OHE_TEST_CLIENT_SECRET));

	uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &error);
	g_assert_no_error (error);
	params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (g_hash_table_size (params), ==, 9);
	g_assert_cmpstr (g_hash_table_lookup (params, "tenant"), ==, "a b");
	g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
	g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, OHE_TEST_CLIENT_ID);
	g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==, OHE_TEST_REDIRECT_URI);
	g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==, "activity heart_rate");
	g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st/ate+1");
	g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge"), ==, challenge);
	g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
	g_assert_cmpstr (g_hash_table_lookup (params, "access_type"), ==, "offline");

	/* deterministic */
	url2 = ohe_provider_build_authorize_url (OHE_PROVIDER (fixture->provider), "st/ate+1",
						 challenge, OHE_TEST_REDIRECT_URI, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (url, ==, url2);

	/* missing configuration is named */
	ohe_test_fixture_set_config (fixture, "/token", FALSE);
	g_assert_null (ohe_provider_build_authorize_url (OHE_PROVIDER (fixture->provider), "state",
							 challenge, OHE_TEST_REDIRECT_URI, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "'client_id'"));
	g_clear_error (&error);

	ohe_plugin_set_config (OHE_PLUGIN (fixture->provider), empty);
	g_assert_null (ohe_provider_build_authorize_url (OHE_PROVIDER (fixture->provider), "state",
							 challenge, OHE_TEST_REDIRECT_URI, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "'authorize_url'"));
	g_clear_error (&error);
}

static void
ohe_test_oauth2_exchange (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *verifier = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *wrong = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *challenge = ohe_oauth2_compute_code_challenge (verifier);
	g_autoptr(OheToken) token = NULL;
	g_autoptr(OheToken) token_bad = NULL;

	ohe_test_server_add_code (fixture->server, "code-good", challenge);
	token = ohe_provider_exchange_code (OHE_PROVIDER (fixture->provider), "code-good", verifier,
					    OHE_TEST_REDIRECT_URI, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (token);
	g_assert_cmpstr (ohe_token_get_access_token (token), ==, "at-1");
	g_assert_cmpstr (ohe_token_get_refresh_token (token), ==, "rt-1");
	g_assert_cmpstr (ohe_token_get_scope (token), ==, "activity heart_rate");
	/* the fake clock, not the wall clock */
	g_assert_cmpint (ohe_token_get_expires_at (token), ==, OHE_TEST_NOW_S + 3600);
	g_assert_cmpuint (fixture->changed->len, ==, 0);

	/* a wrong verifier loses the grant; the server's echo of it is not repeated */
	ohe_test_server_add_code (fixture->server, "code-second", challenge);
	token_bad = ohe_provider_exchange_code (OHE_PROVIDER (fixture->provider), "code-second",
						wrong, OHE_TEST_REDIRECT_URI, NULL, &error);
	g_assert_null (token_bad);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_nonnull (strstr (error->message, "invalid_grant"));
	ohe_test_assert_no_secret (error,
				   (const gchar *const[]){wrong, verifier, "code-second", NULL});
	g_clear_error (&error);

	/* the code was used up by the failed attempt */
	token_bad = ohe_provider_exchange_code (OHE_PROVIDER (fixture->provider), "code-second",
						verifier, OHE_TEST_REDIRECT_URI, NULL, &error);
	g_assert_null (token_bad);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_clear_error (&error);
}

static void
ohe_test_oauth2_client_errors (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheToken) token = NULL;
	g_autoptr(OheToken) expired =
		       ohe_test_token_new ("at-old", "rt-seed", OHE_TEST_NOW_S - 10);
	g_autoptr(OheToken) no_refresh = ohe_test_token_new ("at-old", NULL, OHE_TEST_NOW_S - 10);
	g_autoptr(GKeyFile) config = g_key_file_new ();
	const gchar *group = "plugin:oauth2test";
	g_autofree gchar *token_url = g_strdup_printf ("%s/token", fixture->server->base_url);

	ohe_test_server_add_refresh_token (fixture->server, "rt-seed");

	/* wrong client secret: a configuration problem, not the user's */
	g_key_file_set_string (config, group, "token_url", token_url);
	g_key_file_set_string (config, group, "client_id", OHE_TEST_CLIENT_ID);
	g_key_file_set_string (config, group, "client_secret", "s3cr3t-wrong");
	ohe_plugin_set_config (OHE_PLUGIN (fixture->provider), config);
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", expired,
					    NULL, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "invalid_client"));
	ohe_test_assert_no_secret (error, (const gchar *const[]){"s3cr3t-wrong", "rt-seed", NULL});
	g_clear_error (&error);

	/* no token endpoint */
	g_key_file_remove_key (config, group, "token_url", NULL);
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", expired,
					    NULL, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "'token_url'"));
	g_clear_error (&error);

	/* 5xx with an HTML body */
	ohe_test_fixture_set_config (fixture, "/unavailable", TRUE);
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", expired,
					    NULL, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	ohe_test_assert_no_secret (error, (const gchar *const[]){"rt-seed", NULL});
	g_clear_error (&error);

	/* a 200 with a malformed token */
	ohe_test_fixture_set_config (fixture, "/garbage", TRUE);
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", expired,
					    NULL, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_nonnull (strstr (error->message, "access_token"));
	g_clear_error (&error);

	/* a 200 nesting arrays 200,000 deep is refused before it is parsed */
	ohe_test_fixture_set_config (fixture, "/deep", TRUE);
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", expired,
					    NULL, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "plugin oauth2test: token endpoint answer nests arrays and objects deeper "
			 "than 64 levels at line 1 column 65");
	g_clear_error (&error);

	/* a client secret file others can read stops the plugin at setup, and is not sent */
	ohe_test_fixture_set_config (fixture, "/token", TRUE);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (fixture->provider), NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_chmod (fixture->secret_file, 0644), ==, 0);
	g_assert_false (ohe_plugin_setup (OHE_PLUGIN (fixture->provider), NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	{
		g_autofree gchar *expected = g_strdup_printf (
		    "plugin oauth2test: client_secret_file %s is accessible by group or others "
		    "(mode 0644); run chmod 600 %s",
		    fixture->secret_file, fixture->secret_file);
		g_assert_cmpstr (error->message, ==, expected);
	}
	g_clear_error (&error);
	g_assert_cmpint (g_chmod (fixture->secret_file, 0600), ==, 0);

	/* endpoints carrying secrets in plain http to another host are a configuration error */
	{
		g_autoptr(GKeyFile) plain = g_key_file_new ();
		const gchar *const keys[] = {"authorize_url", "token_url", "api_base"};
		for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
			g_autofree gchar *expected = g_strdup_printf (
			    "[plugin:oauth2test] %s: plain http to api.example.com is refused, use "
			    "https (http only to the loopback address)",
			    keys[i]);
			g_key_file_set_string (plain, group, "client_id", OHE_TEST_CLIENT_ID);
			g_key_file_set_string (plain, group, keys[i], "http://api.example.com/x");
			ohe_plugin_set_config (OHE_PLUGIN (fixture->provider), plain);
			g_assert_false (
			    ohe_plugin_setup (OHE_PLUGIN (fixture->provider), NULL, &error));
			g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
			g_assert_cmpstr (error->message, ==, expected);
			g_clear_error (&error);
			g_key_file_set_string (plain, group, keys[i], "http://127.0.0.1:9/x");
		}
		ohe_plugin_set_config (OHE_PLUGIN (fixture->provider), plain);
		g_assert_true (ohe_plugin_setup (OHE_PLUGIN (fixture->provider), NULL, &error));
		g_assert_no_error (error);
	}

	/* nothing to refresh with: the user must consent again */
	ohe_test_fixture_set_config (fixture, "/token", TRUE);
	token = ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (fixture->provider), "link-1",
						  no_refresh, NULL, &error);
	g_assert_null (token);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_clear_error (&error);

	g_assert_cmpuint (fixture->changed->len, ==, 0);
	/* the refresh token was never accepted, so it is still valid */
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", expired,
					    NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (token), ==, "at-1");
}

static void
ohe_test_oauth2_refresh (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheToken) token = NULL;
	g_autoptr(OheToken) token_again = NULL;
	g_autoptr(OheToken) old = ohe_test_token_new ("at-old", "rt-seed", OHE_TEST_NOW_S + 3600);

	ohe_token_set_scope (old, "activity heart_rate");
	ohe_test_server_add_refresh_token (fixture->server, "rt-seed");

	/* an explicit refresh does not look at the expiry */
	token = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", old, NULL,
					    &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (token), ==, "at-1");
	g_assert_cmpstr (ohe_token_get_refresh_token (token), ==, "rt-1");
	g_assert_cmpuint (fixture->changed->len, ==, 1);
	g_assert_true (g_ptr_array_index (fixture->changed, 0) == (gpointer)token);
	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 1);

	/* the rotated refresh token is dead */
	token_again = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", old,
						  NULL, &error);
	g_assert_null (token_again);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_nonnull (strstr (error->message, "invalid_grant"));
	ohe_test_assert_no_secret (error, (const gchar *const[]){"rt-seed", "rt-1", NULL});
	g_clear_error (&error);
	g_assert_cmpuint (fixture->changed->len, ==, 1);

	/* a server that does not rotate leaves the refresh token as it was */
	g_mutex_lock (&fixture->server->mutex);
	fixture->server->rotate = FALSE;
	g_mutex_unlock (&fixture->server->mutex);
	token_again = ohe_provider_refresh_token (OHE_PROVIDER (fixture->provider), "link-1", token,
						  NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (token_again), ==, "at-2");
	g_assert_cmpstr (ohe_token_get_refresh_token (token_again), ==, "rt-1");
	g_assert_cmpstr (ohe_token_get_scope (token_again), ==, "activity heart_rate");
	g_assert_cmpuint (fixture->changed->len, ==, 2);
}

static void
ohe_test_oauth2_not_expired (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheToken) fresh =
		       ohe_test_token_new ("at-fresh", "rt-seed", OHE_TEST_NOW_S + 61);
	g_autoptr(OheToken) result = NULL;
	g_autoptr(OheToken) result2 = NULL;

	ohe_test_server_add_refresh_token (fixture->server, "rt-seed");
	result = ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (fixture->provider),
						   "link-1", fresh, NULL, &error);
	g_assert_no_error (error);
	g_assert_true (result == fresh);
	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 0);

	/* inside the 60 s margin it is renewed */
	ohe_clock_advance (fixture->clock, (gint64)2 * G_USEC_PER_SEC);
	result2 = ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (fixture->provider),
						    "link-1", fresh, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (result2), ==, "at-1");
	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 1);
	g_assert_cmpuint (fixture->changed->len, ==, 1);
}

typedef struct {
	OheTestFixture *fixture;
	const gchar *link_id;
	OheToken *token;  /* not owned */
	OheToken *result; /* owned */
	GError *error;	  /* owned */
	gint *start;	  /* all threads begin together */
} OheTestEnsureJob;

static gpointer
ohe_test_ensure_thread (gpointer user_data)
{
	OheTestEnsureJob *job = user_data;
	while (!g_atomic_int_get (job->start))
		g_thread_yield ();
	job->result =
	    ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (job->fixture->provider),
					      job->link_id, job->token, NULL, &job->error);
	return NULL;
}

static void
ohe_test_run_jobs (OheTestEnsureJob *jobs, guint n_jobs)
{
	GThread *threads[OHE_TEST_THREADS];
	gint start = 0;

	g_assert_cmpuint (n_jobs, <=, G_N_ELEMENTS (threads));
	for (guint i = 0; i < n_jobs; i++) {
		jobs[i].start = &start;
		threads[i] = g_thread_new ("ensure", ohe_test_ensure_thread, &jobs[i]);
	}
	g_atomic_int_set (&start, 1);
	for (guint i = 0; i < n_jobs; i++)
		g_thread_join (threads[i]);
}

static void
ohe_test_jobs_clear (OheTestEnsureJob *jobs, guint n_jobs)
{
	for (guint i = 0; i < n_jobs; i++) {
		g_clear_object (&jobs[i].result);
		g_clear_error (&jobs[i].error);
	}
}

static void
ohe_test_oauth2_coalesce (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheToken) expired =
		       ohe_test_token_new ("at-old", "rt-seed", OHE_TEST_NOW_S - 10);
	g_autoptr(OheToken) late = NULL;
	OheTestEnsureJob jobs[OHE_TEST_THREADS] = {{NULL}};

	ohe_test_server_add_refresh_token (fixture->server, "rt-seed");
	g_mutex_lock (&fixture->server->mutex);
	fixture->server->delay_ms = 200;
	fixture->server->expires_in = 300;
	g_mutex_unlock (&fixture->server->mutex);

	for (guint i = 0; i < G_N_ELEMENTS (jobs); i++) {
		jobs[i].fixture = fixture;
		jobs[i].link_id = "link-1";
		jobs[i].token = expired;
	}
	ohe_test_run_jobs (jobs, G_N_ELEMENTS (jobs));

	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 1);
	for (guint i = 0; i < G_N_ELEMENTS (jobs); i++) {
		g_assert_no_error (jobs[i].error);
		g_assert_cmpstr (ohe_token_get_access_token (jobs[i].result), ==, "at-1");
		g_assert_cmpstr (ohe_token_get_refresh_token (jobs[i].result), ==, "rt-1");
	}
	g_assert_cmpuint (fixture->changed->len, ==, 1);
	g_assert_cmpstr (ohe_token_get_refresh_token (g_ptr_array_index (fixture->changed, 0)), ==,
			 "rt-1");

	/* a job that still holds the rotated-away token must not replay rt-seed */
	late = ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (fixture->provider), "link-1",
						 expired, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (late), ==, "at-1");
	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 1);
	g_clear_object (&late);

	/* once the new token expires too, the newest refresh token is used */
	ohe_clock_advance (fixture->clock, (gint64)250 * G_USEC_PER_SEC);
	late = ohe_oauth2_provider_ensure_token (OHE_OAUTH2_PROVIDER (fixture->provider), "link-1",
						 expired, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (late), ==, "at-2");
	g_assert_cmpstr (ohe_token_get_refresh_token (late), ==, "rt-2");
	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 2);
	g_assert_cmpuint (fixture->changed->len, ==, 2);

	ohe_test_jobs_clear (jobs, G_N_ELEMENTS (jobs));
}

static void
ohe_test_oauth2_coalesce_error (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(OheToken) revoked =
		       ohe_test_token_new ("at-old", "rt-revoked", OHE_TEST_NOW_S - 10);
	OheTestEnsureJob jobs[OHE_TEST_THREADS] = {{NULL}};

	g_mutex_lock (&fixture->server->mutex);
	fixture->server->delay_ms = 200;
	g_mutex_unlock (&fixture->server->mutex);
	for (guint i = 0; i < G_N_ELEMENTS (jobs); i++) {
		jobs[i].fixture = fixture;
		jobs[i].link_id = "link-1";
		jobs[i].token = revoked;
	}
	ohe_test_run_jobs (jobs, G_N_ELEMENTS (jobs));

	/* the failure is shared too */
	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 1);
	for (guint i = 0; i < G_N_ELEMENTS (jobs); i++) {
		g_assert_null (jobs[i].result);
		g_assert_error (jobs[i].error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
		ohe_test_assert_no_secret (jobs[i].error,
					   (const gchar *const[]){"rt-revoked", NULL});
	}
	g_assert_cmpuint (fixture->changed->len, ==, 0);
	ohe_test_jobs_clear (jobs, G_N_ELEMENTS (jobs));
}

static void
ohe_test_oauth2_two_links (OheTestFixture *fixture, gconstpointer user_data)
{
	g_autoptr(OheToken) token_a = ohe_test_token_new ("at-a", "rt-a", OHE_TEST_NOW_S - 10);
	g_autoptr(OheToken) token_b = ohe_test_token_new ("at-b", "rt-b", OHE_TEST_NOW_S - 10);
	OheTestEnsureJob jobs[4] = {{NULL}};

	ohe_test_server_add_refresh_token (fixture->server, "rt-a");
	ohe_test_server_add_refresh_token (fixture->server, "rt-b");
	g_mutex_lock (&fixture->server->mutex);
	fixture->server->delay_ms = 100;
	g_mutex_unlock (&fixture->server->mutex);
	for (guint i = 0; i < G_N_ELEMENTS (jobs); i++) {
		jobs[i].fixture = fixture;
		jobs[i].link_id = i % 2 == 0 ? "link-a" : "link-b";
		jobs[i].token = i % 2 == 0 ? token_a : token_b;
	}
	ohe_test_run_jobs (jobs, G_N_ELEMENTS (jobs));

	g_assert_cmpuint (ohe_test_server_get_refresh_requests (fixture->server), ==, 2);
	for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
		g_assert_no_error (jobs[i].error);
	/* each link got its own token, shared by its callers */
	g_assert_cmpstr (ohe_token_get_access_token (jobs[0].result), ==,
			 ohe_token_get_access_token (jobs[2].result));
	g_assert_cmpstr (ohe_token_get_access_token (jobs[1].result), ==,
			 ohe_token_get_access_token (jobs[3].result));
	g_assert_cmpstr (ohe_token_get_access_token (jobs[0].result), !=,
			 ohe_token_get_access_token (jobs[1].result));
	g_assert_cmpuint (fixture->changed->len, ==, 2);
	ohe_test_jobs_clear (jobs, G_N_ELEMENTS (jobs));
}

int
main (int argc, char **argv)
{
	/* the isolated XDG dirs hide the GSettings schemas the system proxy resolver reads */
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/oauth2/pkce", ohe_test_oauth2_pkce);
#define ADD(path, func)                                                                            \
	g_test_add (path, OheTestFixture, NULL, ohe_test_fixture_setup, func,                      \
		    ohe_test_fixture_teardown)
	ADD ("/oauth2/authorize-url", ohe_test_oauth2_authorize_url);
	ADD ("/oauth2/exchange", ohe_test_oauth2_exchange);
	ADD ("/oauth2/client-errors", ohe_test_oauth2_client_errors);
	ADD ("/oauth2/refresh", ohe_test_oauth2_refresh);
	ADD ("/oauth2/not-expired", ohe_test_oauth2_not_expired);
	ADD ("/oauth2/coalesce", ohe_test_oauth2_coalesce);
	ADD ("/oauth2/coalesce-error", ohe_test_oauth2_coalesce_error);
	ADD ("/oauth2/two-links", ohe_test_oauth2_two_links);
#undef ADD
	return g_test_run ();
}
