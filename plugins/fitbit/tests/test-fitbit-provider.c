/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fitbit-provider.h"

/* the provider against a fake Google Health API on loopback, served from its own thread */

typedef struct {
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
	SoupServer *server;
	gchar *base;
	GMutex mutex;
	GCond cond;
	guint requests; /* protected by mutex */
} OheTestCloud;

static const gchar *ohe_test_hr_page1 =
    "{\"dataPoints\":["
    "{\"heartRate\":{\"beatsPerMinute\":\"64\",\"sampleTime\":{\"physicalTime\":"
    "\"2026-11-21T08:01:00Z\",\"utcOffset\":\"3600s\"}}},"
    "{\"heartRate\":{\"beatsPerMinute\":\"66\",\"sampleTime\":{\"physicalTime\":"
    "\"2026-11-21T08:00:00Z\",\"utcOffset\":\"3600s\"}}}],\"nextPageToken\":\"p2\"}";
static const gchar *ohe_test_hr_page2 =
    "{\"dataPoints\":[{\"heartRate\":{\"beatsPerMinute\":\"61\",\"sampleTime\":{"
    "\"physicalTime\":\"2026-11-21T07:59:00Z\",\"utcOffset\":\"3600s\"}}}]}";

static void
ohe_test_cloud_cb (SoupServer *server,
		   SoupServerMessage *msg,
		   const char *path,
		   GHashTable *query,
		   gpointer user_data)
{
	OheTestCloud *cloud = user_data;
	const gchar *auth = soup_message_headers_get_one (
	    soup_server_message_get_request_headers (msg), "Authorization");
	const gchar *page = query != NULL ? g_hash_table_lookup (query, "pageToken") : NULL;
	const gchar *filter = query != NULL ? g_hash_table_lookup (query, "filter") : NULL;
	const gchar *body = "{}";
	guint status = 200;

	g_mutex_lock (&cloud->mutex);
	cloud->requests++;
	g_mutex_unlock (&cloud->mutex);
	if (g_str_has_prefix (path, "/gone/")) {
		status = 410;
		body = "{\"error\":{\"code\":410,\"status\":\"GONE\"}}";
	} else if (g_strcmp0 (auth, "Bearer at-1") != 0) {
		status = 401;
		body = "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\"}}";
	} else if (g_strcmp0 (path, "/v4/users/me/dataTypes/heart-rate/dataPoints") == 0 &&
		   g_strcmp0 (filter, "heart_rate.sample_time.physical_time >= "
				      "\"2026-11-21T00:00:00Z\" AND "
				      "heart_rate.sample_time.physical_time < "
				      "\"2026-11-22T00:00:00Z\"") == 0) {
		body = g_strcmp0 (page, "p2") == 0 ? ohe_test_hr_page2 : ohe_test_hr_page1;
	} else if (g_strcmp0 (path, "/v4/users/me/identity") == 0) {
		body = "{\"healthUserId\":\"hu-1\",\"legacyUserId\":\"A1B2C3\"}";
	} else {
		status = 404;
	}
	soup_server_message_set_status (msg, status, NULL);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
					  strlen (body));
}

static gpointer
ohe_test_cloud_thread (gpointer user_data)
{
	OheTestCloud *cloud = user_data;
	g_autoptr(GError) error = NULL;
	GSList *uris;

	g_main_context_push_thread_default (cloud->context);
	cloud->server = soup_server_new (NULL, NULL);
	soup_server_add_handler (cloud->server, NULL, ohe_test_cloud_cb, cloud, NULL);
	g_assert_true (
	    soup_server_listen_local (cloud->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	g_assert_no_error (error);
	uris = soup_server_get_uris (cloud->server);
	g_mutex_lock (&cloud->mutex);
	cloud->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
	g_cond_signal (&cloud->cond);
	g_mutex_unlock (&cloud->mutex);
	g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
	g_main_loop_run (cloud->loop);
	g_clear_object (&cloud->server);
	g_main_context_pop_thread_default (cloud->context);
	return NULL;
}

static OheTestCloud *
ohe_test_cloud_new (void)
{
	OheTestCloud *cloud = g_new0 (OheTestCloud, 1);
	g_mutex_init (&cloud->mutex);
	g_cond_init (&cloud->cond);
	cloud->context = g_main_context_new ();
	cloud->loop = g_main_loop_new (cloud->context, FALSE);
	cloud->thread = g_thread_new ("cloud", ohe_test_cloud_thread, cloud);
	g_mutex_lock (&cloud->mutex);
	while (cloud->base == NULL)
		g_cond_wait (&cloud->cond, &cloud->mutex);
	g_mutex_unlock (&cloud->mutex);
	return cloud;
}

static gboolean
ohe_test_cloud_quit_cb (gpointer user_data)
{
	g_main_loop_quit (user_data);
	return G_SOURCE_REMOVE;
}

static void
ohe_test_cloud_free (OheTestCloud *cloud)
{
	g_autoptr(GSource) source = g_idle_source_new ();
	g_source_set_callback (source, ohe_test_cloud_quit_cb, cloud->loop, NULL);
	g_source_attach (source, cloud->context);
	g_thread_join (cloud->thread);
	g_main_loop_unref (cloud->loop);
	g_main_context_unref (cloud->context);
	g_mutex_clear (&cloud->mutex);
	g_cond_clear (&cloud->cond);
	g_free (cloud->base);
	g_free (cloud);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheTestCloud, ohe_test_cloud_free)

static OheFitbitProvider *
ohe_test_provider_new (const gchar *api_base)
{
	g_autoptr(GKeyFile) config = g_key_file_new ();
	OheFitbitProvider *provider =
	    g_object_new (OHE_TYPE_FITBIT_PROVIDER, "name", "fitbit", NULL);
	g_key_file_set_string (config, "plugin:fitbit", "client_id", "cid");
	g_key_file_set_string (config, "plugin:fitbit", "client_secret", "csecret");
	g_key_file_set_string (config, "plugin:fitbit", "api_base", api_base);
	g_key_file_set_string (config, "plugin:fitbit", "kinds", "heart_rate,steps");
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	return provider;
}

static OheToken *
ohe_test_token_new (const gchar *scope)
{
	OheToken *token = ohe_token_new ();
	ohe_token_set_access_token (token, "at-1");
	ohe_token_set_refresh_token (token, "rt-1");
	ohe_token_set_expires_at (token, g_get_real_time () / G_USEC_PER_SEC + 3600);
	ohe_token_set_scope (token, scope);
	return token;
}

static gboolean
ohe_test_collect (OheFetchRequest *request,
		  GPtrArray *measurements,
		  const gchar *cursor,
		  gpointer user_data,
		  GError **error)
{
	GPtrArray *all = user_data;
	for (guint i = 0; i < measurements->len; i++)
		g_ptr_array_add (all, ohe_measurement_ref (g_ptr_array_index (measurements, i)));
	g_object_set_data_full (G_OBJECT (request), "cursor", g_strdup (cursor), g_free);
	return TRUE;
}

static void
test_authorize_url (void)
{
	g_autoptr(OheFitbitProvider) provider = ohe_test_provider_new ("http://127.0.0.1:1");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *url = ohe_provider_build_authorize_url (
	    OHE_PROVIDER (provider), "st", "challenge", "https://app.example/cb", &error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_prefix (url, "https://accounts.google.com/o/oauth2/v2/auth?"));
	g_assert_nonnull (strstr (url, "&access_type=offline&prompt=consent"));
	g_assert_nonnull (strstr (url, "code_challenge=challenge&code_challenge_method=S256"));
	g_assert_nonnull (strstr (
	    url, "googlehealth.health_metrics_and_measurements.readonly%20https%3A%2F%2Fwww."
		 "googleapis.com%2Fauth%2Fgooglehealth.activity_and_fitness.readonly"));
}

static void
test_fetch_pages (void)
{
	g_autoptr(OheTestCloud) cloud = ohe_test_cloud_new ();
	g_autoptr(OheFitbitProvider) provider = ohe_test_provider_new (cloud->base);
	g_autoptr(OheToken) token = ohe_test_token_new (NULL);
	/* 2026-11-21T00:00:00Z .. +1 day */
	g_autoptr(OheFetchRequest) request = ohe_fetch_request_new (
	    "link-1", (gint64)1795219200 * G_USEC_PER_SEC, (gint64)1795305600 * G_USEC_PER_SEC);
	g_autoptr(GPtrArray) all =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *user = NULL;
	g_autofree gchar *legacy = NULL;

	ohe_fetch_request_add_kind (request, OHE_MEASUREMENT_KIND_HEART_RATE);
	ohe_fetch_request_set_token (request, token);
	ohe_fetch_request_set_emit_func (request, ohe_test_collect, all, NULL);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (provider), request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (cloud->requests, ==, 2);
	g_assert_cmpuint (all->len, ==, 3);
	/* oldest first, although the API lists newest first */
	g_assert_cmpint (ohe_measurement_get_start (g_ptr_array_index (all, 0)), ==,
			 (gint64)1795247940 * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_measurement_get_start (g_ptr_array_index (all, 2)), ==,
			 (gint64)1795248060 * G_USEC_PER_SEC);
	g_assert_cmpstr (g_object_get_data (G_OBJECT (request), "cursor"), ==,
			 "heart-rate=1795305600000000");

	/* incremental: the cursor says everything is fetched, so nothing is asked */
	ohe_fetch_request_set_cursor (request, "heart-rate=1795305600000000");
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (provider), request, NULL, &error));
	g_assert_cmpuint (cloud->requests, ==, 2);

	g_assert_true (ohe_fitbit_provider_get_identity (provider, "link-1", token, &user, &legacy,
							 NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (user, ==, "hu-1");
	g_assert_cmpstr (legacy, ==, "A1B2C3");
}

static void
test_legacy_gone (void)
{
	g_autoptr(OheTestCloud) cloud = ohe_test_cloud_new ();
	g_autofree gchar *gone_base = g_strconcat (cloud->base, "/gone", NULL);
	g_autoptr(OheFitbitProvider) provider = ohe_test_provider_new (cloud->base);
	g_autoptr(OheFitbitProvider) provider_gone = ohe_test_provider_new (gone_base);
	g_autoptr(OheToken) legacy = ohe_test_token_new ("heartrate weight activity");
	g_autoptr(OheToken) token = ohe_test_token_new (NULL);
	g_autoptr(OheFetchRequest) request = ohe_fetch_request_new (
	    "link-1", (gint64)1795219200 * G_USEC_PER_SEC, (gint64)1795305600 * G_USEC_PER_SEC);
	g_autoptr(GPtrArray) all =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(GError) error = NULL;

	ohe_fetch_request_add_kind (request, OHE_MEASUREMENT_KIND_HEART_RATE);
	ohe_fetch_request_set_emit_func (request, ohe_test_collect, all, NULL);

	/* a token of the old Fitbit OAuth server: refused before any request */
	ohe_fetch_request_set_token (request, legacy);
	g_assert_false (ohe_provider_fetch (OHE_PROVIDER (provider), request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_GONE);
	g_assert_cmpstr (error->message, ==,
			 "legacy Fitbit Web API link: the user must consent again through Google "
			 "Health");
	g_assert_false (ohe_error_is_transient (error));
	g_assert_cmpuint (cloud->requests, ==, 0);
	g_clear_error (&error);

	/* 410 from the API: the same, after exactly one request (no retries) */
	ohe_fetch_request_set_token (request, token);
	g_assert_false (ohe_provider_fetch (OHE_PROVIDER (provider_gone), request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_GONE);
	g_assert_cmpuint (cloud->requests, ==, 1);
	g_assert_cmpuint (all->len, ==, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/fitbit/provider/authorize-url", test_authorize_url);
	g_test_add_func ("/fitbit/provider/fetch-pages", test_fetch_pages);
	g_test_add_func ("/fitbit/provider/legacy-gone", test_legacy_gone);
	return g_test_run ();
}
