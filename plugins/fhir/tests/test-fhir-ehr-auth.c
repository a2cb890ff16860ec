/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <oheplugin.h>

/*
 * The EHR auth modes of the FHIR sink end to end: the installed-shape
 * module (libohe_fhir.so, loaded like the daemon loads it) pushes to the
 * FHIR test server, whose token endpoint checks client secrets and signed
 * client assertions. Run through run-with-ehr-keys.py, which generates the
 * keys, gives their public halves to the server and sets OHE_FHIR_TEST_*;
 * the server's own bearer (OHE_FHIR_BEARER) is only used to read back.
 */

#define TEST_N_MEASUREMENTS 12
#define TEST_DAY_US	    ((gint64)1767225600 * G_USEC_PER_SEC) /* 2026-01-01T00:00:00Z */
#define TEST_WRONG_SECRET   "not-the-client-secret-7d2e"
#define TEST_HR_LOINC	    "8867-4"

static GType test_sink_type = G_TYPE_INVALID;

typedef struct {
	const gchar *name;
	const gchar *auth;
	const gchar *client_auth; /* client_credentials: basic or post */
	gboolean wrong_secret;
	const gchar *key_env; /* smart_backend: the variable naming private_key_file */
	const gchar *key_id;
	const gchar *algorithm;
	const gchar *refusal; /* NULL if the push lands, else the token endpoint's words */
} TestAuthCase;

static const TestAuthCase test_auth_cases[] = {
    {"client-credentials-basic", "client_credentials", "basic", FALSE, NULL, NULL, NULL, NULL},
    {"client-credentials-post", "client_credentials", "post", FALSE, NULL, NULL, NULL, NULL},
    {"client-credentials-basic-wrong-secret", "client_credentials", "basic", TRUE, NULL, NULL, NULL,
     "invalid_client (client authentication failed)"},
    {"client-credentials-post-wrong-secret", "client_credentials", "post", TRUE, NULL, NULL, NULL,
     "invalid_client (client authentication failed)"},
    {"smart-backend-rs384", "smart_backend", NULL, FALSE, "OHE_FHIR_TEST_RSA_KEY", "ohe-rsa-1",
     "RS384", NULL},
    {"smart-backend-es384", "smart_backend", NULL, FALSE, "OHE_FHIR_TEST_EC_KEY", "ohe-ec-1",
     "ES384", NULL},
    {"smart-backend-rs384-unknown-key", "smart_backend", NULL, FALSE,
     "OHE_FHIR_TEST_UNKNOWN_RSA_KEY", "ohe-rsa-1", "RS384",
     "invalid_client (client_assertion signature does not verify)"},
    {"smart-backend-es384-unknown-key", "smart_backend", NULL, FALSE,
     "OHE_FHIR_TEST_UNKNOWN_EC_KEY", "ohe-ec-1", "ES384",
     "invalid_client (client_assertion signature does not verify)"},
};

/* the plugin as the daemon sees it: a module exporting ohe_plugin_query */
static GType
test_load_plugin (const gchar *path)
{
	g_autoptr (GError) error = NULL;
	GModule *module;
	OhePluginQueryFunc query = NULL;
	const OhePluginInfo *info;

	module = g_module_open_full (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, &error);
	g_assert_no_error (error);
	g_assert_true (g_module_symbol (module, OHE_PLUGIN_QUERY_SYMBOL, (gpointer *)&query));
	info = query ();
	g_assert_cmpuint (info->abi_version, ==, OHE_PLUGIN_ABI_VERSION);
	g_assert_cmpstr (info->name, ==, "fhir");
	/* its types stay registered, so the module may never be unloaded */
	g_module_make_resident (module);
	return info->get_type ();
}

static gboolean
test_have_server (void)
{
	if (test_sink_type == G_TYPE_INVALID || g_getenv ("OHE_FHIR_BASE_URL") == NULL ||
	    g_getenv ("OHE_FHIR_TEST_CLIENT_SECRET") == NULL) {
		g_test_skip ("run through run-with-ehr-keys.py: no FHIR test server or keys");
		return FALSE;
	}
	return TRUE;
}

/* the server's open admin routes */
static JsonObject *
test_admin (OheHttpClient *client, const gchar *method, const gchar *what)
{
	g_autofree gchar *url = g_strdup_printf ("%s/%s", g_getenv ("OHE_FHIR_ADMIN_URL"), what);
	g_autoptr (OheHttpRequest) request = ohe_http_request_new (method, url);
	g_autoptr (OheHttpResponse) response = NULL;
	g_autoptr (JsonNode) root = NULL;
	g_autoptr (GError) error = NULL;

	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_http_response_get_status (response), ==, 200);
	root = ohe_http_response_get_json (response, &error);
	g_assert_no_error (error);
	return json_object_ref (json_node_get_object (root));
}

static gint64
test_stat (OheHttpClient *client, const gchar *name)
{
	g_autoptr (JsonObject) stats = test_admin (client, "GET", "stats");
	g_assert_true (json_object_has_member (stats, name));
	return json_object_get_int_member (stats, name);
}

/* all resources of @type, read with the server's own bearer */
static JsonArray *
test_search (OheHttpClient *client, const gchar *type)
{
	g_autofree gchar *url =
	    g_strdup_printf ("%s/%s?_count=1000", g_getenv ("OHE_FHIR_BASE_URL"), type);
	g_autoptr (OheHttpRequest) request = ohe_http_request_new ("GET", url);
	g_autoptr (OheHttpResponse) response = NULL;
	g_autoptr (JsonNode) root = NULL;
	g_autoptr (GError) error = NULL;
	JsonObject *bundle;

	ohe_http_request_set_bearer (request, g_getenv ("OHE_FHIR_BEARER"));
	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_http_response_get_status (response), ==, 200);
	root = ohe_http_response_get_json (response, &error);
	g_assert_no_error (error);
	bundle = json_node_get_object (root);
	g_assert_cmpstr (json_object_get_string_member (bundle, "type"), ==, "searchset");
	if (!json_object_has_member (bundle, "entry"))
		return json_array_new ();
	return json_array_ref (json_object_get_array_member (bundle, "entry"));
}

static guint
test_count (OheHttpClient *client, const gchar *type)
{
	g_autoptr (JsonArray) entries = test_search (client, type);
	return json_array_get_length (entries);
}

/* the Observations on the server are exactly the heart rates of test_request (@bump) */
static void
test_assert_observations (OheHttpClient *client, guint bump)
{
	g_autoptr (JsonArray) entries = test_search (client, "Observation");
	gboolean seen[TEST_N_MEASUREMENTS] = {FALSE};

	g_assert_cmpuint (json_array_get_length (entries), ==, TEST_N_MEASUREMENTS);
	for (guint i = 0; i < json_array_get_length (entries); i++) {
		JsonObject *obs = json_object_get_object_member (
		    json_array_get_object_element (entries, i), "resource");
		JsonObject *quantity = json_object_get_object_member (obs, "valueQuantity");
		JsonObject *coding = json_array_get_object_element (
		    json_object_get_array_member (json_object_get_object_member (obs, "code"),
						  "coding"),
		    0);
		gint64 value = json_object_get_int_member (quantity, "value");

		g_assert_cmpstr (json_object_get_string_member (
				     json_object_get_object_member (obs, "subject"), "reference"),
				 ==, "Patient/p1");
		g_assert_cmpstr (json_object_get_string_member (coding, "code"), ==, TEST_HR_LOINC);
		g_assert_cmpstr (json_object_get_string_member (quantity, "code"), ==, "/min");
		g_assert_cmpint (value, >=, 60 + bump);
		g_assert_cmpint (value, <, 60 + bump + TEST_N_MEASUREMENTS);
		g_assert_false (seen[value - 60 - bump]);
		seen[value - 60 - bump] = TRUE;
	}
}

/* TEST_N_MEASUREMENTS heart rates of one device, one a minute, 60 + bump bpm upwards */
static OhePushRequest *
test_request (guint bump)
{
	g_autoptr (GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < TEST_N_MEASUREMENTS; i++) {
		OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
		gint64 t = TEST_DAY_US + (gint64)i * 60 * G_USEC_PER_SEC;
		ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
		ohe_measurement_set_provider (m, "withings");
		ohe_measurement_set_device_id (m, "a1b2c3d4e5f6");
		ohe_measurement_set_time (m, t, t);
		ohe_measurement_set_value_decimal (m, 60 + i + bump, 0);
		g_ptr_array_add (ms, m);
	}
	return ohe_push_request_new ("link1", "Patient/p1", ms);
}

static OheSink *
test_sink_new (const TestAuthCase *tc)
{
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	OheSink *sink;
	const gchar *group = "plugin:fhir";

	g_key_file_set_string (config, group, "base_url", g_getenv ("OHE_FHIR_BASE_URL"));
	g_key_file_set_string (config, group, "mapping_file",
			       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
	g_key_file_set_string (config, group, "auth", tc->auth);
	g_key_file_set_string (config, group, "token_url", g_getenv ("OHE_FHIR_TOKEN_URL"));
	g_key_file_set_string (config, group, "client_id", g_getenv ("OHE_FHIR_CLIENT_ID"));
	g_key_file_set_string (config, group, "scope", "system/Observation.write");
	if (tc->client_auth != NULL) {
		g_key_file_set_string (config, group, "client_auth", tc->client_auth);
		g_key_file_set_string (config, group, "client_secret",
				       tc->wrong_secret ? TEST_WRONG_SECRET
							: g_getenv ("OHE_FHIR_TEST_CLIENT_SECRET"));
	}
	if (tc->key_env != NULL) {
		g_assert_nonnull (g_getenv (tc->key_env));
		g_key_file_set_string (config, group, "private_key_file", g_getenv (tc->key_env));
		g_key_file_set_string (config, group, "key_id", tc->key_id);
		g_key_file_set_string (config, group, "algorithm", tc->algorithm);
	}
	sink = g_object_new (test_sink_type, "name", "fhir", NULL);
	g_assert_true (OHE_IS_SINK (sink));
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (sink), NULL, &error));
	g_assert_no_error (error);
	return sink;
}

/* no credential of the test, nor a JWT (base64url of `{"`), in what may reach a log */
static void
test_assert_no_secret (const gchar *message)
{
	g_assert_null (strstr (message, g_getenv ("OHE_FHIR_TEST_CLIENT_SECRET")));
	g_assert_null (strstr (message, TEST_WRONG_SECRET));
	g_assert_null (strstr (message, "eyJ"));
	g_assert_null (strstr (message, "Basic "));
	g_assert_null (strstr (message, "PRIVATE KEY"));
}

static void
test_auth_lands (OheSink *sink, OheHttpClient *reader, gint64 issued_before)
{
	g_autoptr (GError) error = NULL;

	/* the token fetched for the health check serves both pushes */
	g_assert_true (ohe_sink_check_health (sink, NULL, &error));
	g_assert_no_error (error);
	for (guint bump = 0; bump <= 5; bump += 5) {
		g_autoptr (OhePushRequest) request = test_request (bump);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
		    TEST_N_MEASUREMENTS);
	}
	g_assert_cmpint (test_stat (reader, "tokens_issued") - issued_before, ==, 1);
	g_assert_cmpint (test_stat (reader, "unauthorized"), ==, 0);
	/* the second push rewrote the same resources with the new values */
	test_assert_observations (reader, 5);
	g_assert_cmpuint (test_count (reader, "Device"), ==, 1);
	g_assert_cmpuint (test_count (reader, "DeviceAssociation"), ==, 1);
}

static void
test_auth_refused (OheSink *sink,
		   OheHttpClient *reader,
		   const TestAuthCase *tc,
		   gint64 issued_before,
		   gint64 rejected_before)
{
	g_autoptr (OhePushRequest) request = test_request (0);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *expected =
	    g_strdup_printf ("FHIR server authorization: [plugin:fhir] token_url: token endpoint "
			     "answered HTTP 401 Unauthorized: %s",
			     tc->refusal);

	g_assert_false (ohe_sink_check_health (sink, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_cmpstr (error->message, ==, expected);
	test_assert_no_secret (error->message);
	g_clear_error (&error);

	g_assert_false (ohe_sink_push (sink, request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_cmpstr (error->message, ==, expected);
	test_assert_no_secret (error->message);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  0);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_REFUSED), ==,
			  0);
	/* a refusal is not retried by the client: one token request per attempt, none granted */
	g_assert_cmpint (test_stat (reader, "token_rejected") - rejected_before, ==, 2);
	g_assert_cmpint (test_stat (reader, "tokens_issued") - issued_before, ==, 0);
	/* the sink never reached the FHIR routes, so nothing landed */
	g_assert_cmpint (test_stat (reader, "unauthorized"), ==, 0);
	g_assert_cmpuint (test_count (reader, "Observation"), ==, 0);
	g_assert_cmpuint (test_count (reader, "Device"), ==, 0);
	g_assert_cmpuint (test_count (reader, "DeviceAssociation"), ==, 0);
}

static void
test_auth (gconstpointer user_data)
{
	const TestAuthCase *tc = user_data;
	g_autoptr (OheHttpClient) reader = NULL;
	g_autoptr (JsonObject) reset = NULL;
	g_autoptr (OheSink) sink = NULL;
	gint64 issued;
	gint64 rejected;

	if (!test_have_server ())
		return;
	reader = ohe_http_client_new ("test-reader");
	reset = test_admin (reader, "POST", "reset");
	issued = test_stat (reader, "tokens_issued");
	rejected = test_stat (reader, "token_rejected");
	sink = test_sink_new (tc);
	if (tc->refusal == NULL)
		test_auth_lands (sink, reader, issued);
	else
		test_auth_refused (sink, reader, tc, issued, rejected);
	g_assert_finalize_object (g_steal_pointer (&sink));
}

int
main (int argc, char **argv)
{
	const gchar *plugin = g_getenv ("OHE_FHIR_TEST_PLUGIN");

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	if (plugin != NULL)
		test_sink_type = test_load_plugin (plugin);
	for (guint i = 0; i < G_N_ELEMENTS (test_auth_cases); i++) {
		g_autofree gchar *path =
		    g_strdup_printf ("/fhir/ehr-auth/%s", test_auth_cases[i].name);
		g_test_add_data_func (path, &test_auth_cases[i], test_auth);
	}
	return g_test_run ();
}
