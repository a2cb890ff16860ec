/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ohe-fitbit-provider.h"
#include "ohe-sim-google.h"
#include "ohe-sim-server.h"

/*
 * The provider against the simulated Google Health API, in process: OAuth,
 * backfill, incremental sync, token renewal, faults and webhooks. Every value
 * is checked against the simulator's generator for the same seed, user, kind
 * and time. One fake clock drives both sides, so token expiry and backoff
 * cost no real time.
 */

/* 2026-11-20T00:00:00Z: the simulated data ends here */
#define OHE_TEST_END	 ((gint64)1795132800)
#define OHE_TEST_DAY	 ((gint64)86400)
#define OHE_TEST_SEED	 ((guint64)7)
#define OHE_TEST_PAGE	 500
#define OHE_TEST_LINK	 "link-1"
#define OHE_TEST_ZONE	 "Europe/Berlin"
#define OHE_TEST_SECRET	 "Bearer webhook-secret"
#define OHE_TEST_CB	 "http://127.0.0.1:1/cb"
#define OHE_TEST_HR_PATH "/google/v4/users/me/dataTypes/heart-rate/dataPoints"

typedef struct {
	OheClock *clock;
	OheSimServer *server;
	const OheSimUser *user;
	gchar *base;
	gchar *key_file;
	GKeyFile *config; /* the plugin's, so that a test can change a key before use */
	OheFitbitProvider *provider;
	GPtrArray *refresh_tokens; /* of token-changed, in order */
} OheTestFixture;

/* what the simulator serves per data type, as the plugin must hand it on */
typedef struct {
	const gchar *data_type;
	OheMeasurementKind kind;
	OheMeasurementOrigin origin;
	gboolean daily;
	gint64 duration;
	const gchar *unit;
} OheTestType;

static const OheTestType ohe_test_types[] = {
    {"heart-rate", OHE_MEASUREMENT_KIND_HEART_RATE, OHE_MEASUREMENT_ORIGIN_STREAM, FALSE, 0,
     "/min"},
    {"daily-resting-heart-rate", OHE_MEASUREMENT_KIND_RESTING_HEART_RATE,
     OHE_MEASUREMENT_ORIGIN_SUMMARY, TRUE, 0, "/min"},
    {"heart-rate-variability", OHE_MEASUREMENT_KIND_HRV_RMSSD, OHE_MEASUREMENT_ORIGIN_STREAM, FALSE,
     0, "ms"},
    {"daily-heart-rate-variability", OHE_MEASUREMENT_KIND_HRV_RMSSD, OHE_MEASUREMENT_ORIGIN_SUMMARY,
     TRUE, 0, "ms"},
    {"oxygen-saturation", OHE_MEASUREMENT_KIND_SPO2, OHE_MEASUREMENT_ORIGIN_STREAM, FALSE, 0, "%"},
    {"daily-respiratory-rate", OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
     OHE_MEASUREMENT_ORIGIN_SUMMARY, TRUE, 0, "/min"},
    {"weight", OHE_MEASUREMENT_KIND_BODY_WEIGHT, OHE_MEASUREMENT_ORIGIN_SPOT, FALSE, 0, "kg"},
    {"body-fat", OHE_MEASUREMENT_KIND_BODY_FAT_RATIO, OHE_MEASUREMENT_ORIGIN_SPOT, FALSE, 0, "%"},
    {"core-body-temperature", OHE_MEASUREMENT_KIND_BODY_TEMPERATURE, OHE_MEASUREMENT_ORIGIN_SPOT,
     FALSE, 0, "Cel"},
    {"steps", OHE_MEASUREMENT_KIND_STEPS, OHE_MEASUREMENT_ORIGIN_STREAM, FALSE, 60, "{steps}"},
};

static void
ohe_test_token_changed_cb (OheProvider *provider,
			   const gchar *link_id,
			   OheToken *token,
			   gpointer user_data)
{
	OheTestFixture *fx = user_data;
	g_assert_cmpstr (link_id, ==, OHE_TEST_LINK);
	g_ptr_array_add (fx->refresh_tokens, g_strdup (ohe_token_get_refresh_token (token)));
}

static void
ohe_test_setup (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GPtrArray) users = NULL;
	g_autofree gchar *pem = NULL;
	g_autofree gchar *key_id = g_strdup_printf ("%u", OHE_SIM_GOOGLE_KEY_ID);
	g_autofree gchar *api = NULL;
	g_autofree gchar *authorize = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *revoke = NULL;
	guint port = 0;

	fx->clock = ohe_clock_new_fake ((OHE_TEST_END + 6 * 3600) * G_USEC_PER_SEC);
	fx->server = ohe_sim_server_new (OHE_TEST_SEED, &error);
	g_assert_no_error (error);
	ohe_sim_server_set_clock (fx->server, fx->clock);
	ohe_sim_google_register (fx->server);
	ohe_sim_google_set_client (fx->server, "cid", "csecret");
	ohe_sim_google_set_endpoint_secret (fx->server, OHE_TEST_SECRET);
	ohe_sim_server_set_data_end (fx->server, OHE_TEST_END);
	users = ohe_sim_server_add_users (fx->server, 1, 4, OHE_TEST_SEED);
	fx->user = g_ptr_array_index (users, 0);
	ohe_sim_google_set_timezone (fx->server, fx->user->id, OHE_TEST_ZONE);
	g_assert_true (ohe_sim_server_start_in_thread (fx->server, &port, &error));
	g_assert_no_error (error);
	fx->base = ohe_sim_server_get_base_url (fx->server);

	pem = ohe_sim_google_dup_public_key_pem (fx->server);
	g_assert_nonnull (pem);
	fx->key_file = g_build_filename (g_get_tmp_dir (), "google-webhook.pem", NULL);
	g_assert_true (g_file_set_contents (fx->key_file, pem, -1, &error));

	api = g_strconcat (fx->base, "/google", NULL);
	authorize = g_strconcat (fx->base, "/google/o/oauth2/v2/auth", NULL);
	token = g_strconcat (fx->base, "/google/token", NULL);
	revoke = g_strconcat (fx->base, "/google/revoke", NULL);
	g_key_file_set_string (config, "plugin:fitbit", "client_id", "cid");
	g_key_file_set_string (config, "plugin:fitbit", "client_secret", "csecret");
	g_key_file_set_string (config, "plugin:fitbit", "api_base", api);
	g_key_file_set_string (config, "plugin:fitbit", "authorize_url", authorize);
	g_key_file_set_string (config, "plugin:fitbit", "token_url", token);
	g_key_file_set_string (config, "plugin:fitbit", "revoke_url", revoke);
	g_key_file_set_integer (config, "plugin:fitbit", "page_size", OHE_TEST_PAGE);
	g_key_file_set_string (config, "plugin:fitbit", "notification_secret", OHE_TEST_SECRET);
	g_key_file_set_string (config, "plugin:fitbit", "notification_public_key_file",
			       fx->key_file);
	g_key_file_set_string (config, "plugin:fitbit", "notification_key_id", key_id);
	fx->provider = g_object_new (OHE_TYPE_FITBIT_PROVIDER, "name", "fitbit", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (fx->provider), config);
	fx->config = g_key_file_ref (config);
	ohe_oauth2_provider_set_clock (OHE_OAUTH2_PROVIDER (fx->provider), fx->clock);
	fx->refresh_tokens = g_ptr_array_new_with_free_func (g_free);
	g_signal_connect (fx->provider, "token-changed", G_CALLBACK (ohe_test_token_changed_cb),
			  fx);
}

static void
ohe_test_teardown (OheTestFixture *fx, gconstpointer data)
{
	g_object_add_weak_pointer (G_OBJECT (fx->provider), (gpointer *)&fx->provider);
	g_object_unref (fx->provider);
	g_assert_null (fx->provider);
	ohe_sim_server_stop (fx->server);
	g_object_add_weak_pointer (G_OBJECT (fx->server), (gpointer *)&fx->server);
	g_object_unref (fx->server);
	g_assert_null (fx->server);
	g_object_unref (fx->clock);
	g_key_file_unref (fx->config);
	g_unlink (fx->key_file);
	g_free (fx->key_file);
	g_free (fx->base);
	g_ptr_array_unref (fx->refresh_tokens);
}

/* OAuth: consent through the simulator's authorize endpoint, then the code exchange */
static OheToken *
ohe_test_link (OheTestFixture *fx)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *verifier = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *challenge = ohe_oauth2_compute_code_challenge (verifier);
	g_autofree gchar *url = NULL;
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autoptr (SoupMessage) msg = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GUri) location = NULL;
	g_autoptr (GHashTable) params = NULL;
	OheToken *token;

	url = ohe_provider_build_authorize_url (OHE_PROVIDER (fx->provider), "state-1", challenge,
						OHE_TEST_CB, &error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_prefix (url, fx->base));
	msg = soup_message_new ("GET", url);
	soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
	body = soup_session_send_and_read (session, msg, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_FOUND);
	location = g_uri_parse (
	    soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"),
	    G_URI_FLAGS_ENCODED_QUERY, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (g_uri_get_path (location), ==, "/cb");
	params =
	    g_uri_parse_params (g_uri_get_query (location), -1, "&", G_URI_PARAMS_NONE, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "state-1");
	g_assert_nonnull (g_hash_table_lookup (params, "code"));

	token = ohe_provider_exchange_code (OHE_PROVIDER (fx->provider),
					    g_hash_table_lookup (params, "code"), verifier,
					    OHE_TEST_CB, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (token);
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

static OheFetchRequest *
ohe_test_request_new (OheToken *token,
		      gint64 from,
		      gint64 to,
		      const gchar *cursor,
		      const OheMeasurementKind *kinds,
		      guint n_kinds,
		      GPtrArray *all)
{
	OheFetchRequest *request =
	    ohe_fetch_request_new (OHE_TEST_LINK, from * G_USEC_PER_SEC, to * G_USEC_PER_SEC);
	for (guint i = 0; i < n_kinds; i++)
		ohe_fetch_request_add_kind (request, kinds[i]);
	ohe_fetch_request_set_token (request, token);
	ohe_fetch_request_set_cursor (request, cursor);
	ohe_fetch_request_set_emit_func (request, ohe_test_collect, all, NULL);
	return request;
}

static GPtrArray *
ohe_test_measurements_new (void)
{
	return g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
}

static const gchar *
ohe_test_cursor (OheFetchRequest *request)
{
	return g_object_get_data (G_OBJECT (request), "cursor");
}

/* loading a zone parses its tzfile: do it once */
static GTimeZone *
ohe_test_zone (void)
{
	static GTimeZone *tz = NULL;
	if (g_once_init_enter (&tz))
		g_once_init_leave (&tz, g_time_zone_new_identifier (OHE_TEST_ZONE));
	return tz;
}

/* the local midnight that starts the civil day of a generated daily sample (UTC midnight) */
static gint64
ohe_test_local_midnight (gint64 utc_midnight, gint days_later)
{
	GTimeZone *tz = ohe_test_zone ();
	g_autoptr (GDateTime) day = g_date_time_new_from_unix_utc (utc_midnight);
	g_autoptr (GDateTime) local =
		       g_date_time_new (tz, g_date_time_get_year (day), g_date_time_get_month (day),
					g_date_time_get_day_of_month (day), 0, 0, 0);
	g_autoptr (GDateTime) later = g_date_time_add_days (local, days_later);
	return g_date_time_to_unix (later);
}

static gint32
ohe_test_offset (gint64 time)
{
	GTimeZone *tz = ohe_test_zone ();
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
	g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
	return (gint32)(g_date_time_get_utc_offset (local) / G_USEC_PER_SEC);
}

static void
ohe_test_assert_value (OheMeasurement *m, const OheSimSample *sample)
{
	gint64 mantissa = 0, want_mantissa = sample->values[0];
	gint exponent = 0, want_exponent = sample->exponent;
	g_autofree gchar *got = NULL;
	g_autofree gchar *want = NULL;

	g_assert_true (ohe_measurement_has_value (m));
	ohe_measurement_get_value_decimal (m, &mantissa, &exponent);
	ohe_decimal_normalize (&mantissa, &exponent);
	ohe_decimal_normalize (&want_mantissa, &want_exponent);
	got = ohe_decimal_to_string (mantissa, exponent);
	want = ohe_decimal_to_string (want_mantissa, want_exponent);
	g_assert_cmpstr (got, ==, want);
}

/* every measurement of @type against the generator, in order; returns how many */
static guint
ohe_test_check_type (
    OheTestFixture *fx, GPtrArray *all, const OheTestType *type, gint64 from, gint64 to)
{
	g_autoptr (GArray) want = ohe_sim_data_generate (fx->user->seed, fx->user->id, type->kind,
							 MAX (from, fx->user->data_from), to);
	guint n = 0;

	for (guint i = 0; i < all->len; i++) {
		OheMeasurement *m = g_ptr_array_index (all, i);
		const OheSimSample *sample;
		gint64 start, end;

		if (ohe_measurement_get_kind (m) != type->kind ||
		    ohe_measurement_get_origin (m) != type->origin)
			continue;
		g_assert_cmpuint (n, <, want->len);
		sample = &g_array_index (want, OheSimSample, n++);
		if (type->daily) {
			start = ohe_test_local_midnight (sample->time, 0);
			end = ohe_test_local_midnight (sample->time, 1);
		} else {
			start = sample->time;
			end = sample->time + type->duration;
		}
		ohe_test_assert_value (m, sample);
		g_assert_cmpstr (ohe_measurement_get_unit (m), ==, type->unit);
		g_assert_cmpint (ohe_measurement_get_start (m), ==, start * G_USEC_PER_SEC);
		g_assert_cmpint (ohe_measurement_get_end (m), ==, end * G_USEC_PER_SEC);
		g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, ohe_test_offset (start));
		g_assert_cmpstr (ohe_measurement_get_provider (m), ==, "fitbit");
	}
	g_assert_cmpuint (n, ==, want->len);
	return n;
}

/* the list requests one data type costs over [from, to) in 24 h windows */
static guint
ohe_test_expected_pages (OheTestFixture *fx, const OheTestType *type, gint64 from, gint64 to)
{
	guint pages = 0;
	for (gint64 w = from; w < to; w += OHE_TEST_DAY) {
		g_autoptr (GArray) samples = NULL;
		gint64 lo = MAX (w, fx->user->data_from);
		gint64 hi = MIN (w + OHE_TEST_DAY, to);
		if (type->daily) {
			pages++;
			continue;
		}
		samples = ohe_sim_data_generate (fx->user->seed, fx->user->id, type->kind, lo, hi);
		pages += samples->len == 0 ? 1 : (samples->len + OHE_TEST_PAGE - 1) / OHE_TEST_PAGE;
	}
	return pages;
}

static guint
ohe_test_requests (OheTestFixture *fx, const gchar *data_type)
{
	g_autofree gchar *path =
	    g_strdup_printf ("/google/v4/users/me/dataTypes/%s/dataPoints", data_type);
	return ohe_sim_server_get_request_count (fx->server, path);
}

static void
test_oauth_flow (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) devices = NULL;
	g_autofree gchar *health_id = ohe_sim_google_get_health_user_id (fx->user->id);
	g_autofree gchar *legacy_want =
	    ohe_sim_google_get_legacy_user_id (fx->server, fx->user->id);
	g_autofree gchar *user = NULL;
	g_autofree gchar *legacy = NULL;
	OheDevice *device;

	g_assert_true (g_str_has_prefix (ohe_token_get_access_token (token), "sim-at-"));
	g_assert_true (g_str_has_prefix (ohe_token_get_refresh_token (token), "sim-rt-"));
	g_assert_cmpint (ohe_token_get_expires_at (token), ==, OHE_TEST_END + 6 * 3600 + 3600);
	g_assert_cmpstr (ohe_token_get_external_user_id (token), ==, health_id);
	g_assert_cmpstr (health_id, ==, "SimHealthUser-1001");
	g_assert_nonnull (strstr (ohe_token_get_scope (token),
				  "googlehealth.health_metrics_and_measurements.readonly"));
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, "/google/token"), ==, 1);
	g_assert_cmpuint (
	    ohe_sim_server_get_request_count (fx->server, "/google/v4/users/me/identity"), ==, 1);

	g_assert_true (ohe_fitbit_provider_get_identity (fx->provider, OHE_TEST_LINK, token, &user,
							 &legacy, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (user, ==, health_id);
	g_assert_cmpstr (legacy, ==, legacy_want);
	g_assert_cmpuint (strlen (legacy), ==, 6);

	devices = ohe_provider_list_devices (OHE_PROVIDER (fx->provider), OHE_TEST_LINK, token,
					     NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (devices->len, ==, 2);
	device = g_ptr_array_index (devices, 0);
	g_assert_cmpstr (ohe_device_get_id (device), ==, "1001");
	g_assert_cmpstr (ohe_device_get_device_type (device), ==, "TRACKER");
	g_assert_cmpstr (ohe_device_get_model (device), ==, "Charge 6");
	g_assert_cmpint (ohe_device_get_battery_level (device), ==, 74);
	g_assert_cmpint (ohe_device_get_last_sync (device), ==, OHE_TEST_END * G_USEC_PER_SEC);
	device = g_ptr_array_index (devices, 1);
	g_assert_cmpstr (ohe_device_get_device_type (device), ==, "SCALE");
	g_assert_cmpint (ohe_device_get_battery_level (device), ==, -1);
	/* no refresh was needed */
	g_assert_cmpuint (fx->refresh_tokens->len, ==, 0);
}

static void
test_backfill (OheTestFixture *fx, gconstpointer data)
{
	static const OheMeasurementKind kinds[] = {
	    OHE_MEASUREMENT_KIND_HEART_RATE,
	    OHE_MEASUREMENT_KIND_RESTING_HEART_RATE,
	    OHE_MEASUREMENT_KIND_HRV_RMSSD,
	    OHE_MEASUREMENT_KIND_SPO2,
	    OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
	    OHE_MEASUREMENT_KIND_BODY_WEIGHT,
	    OHE_MEASUREMENT_KIND_BODY_FAT_RATIO,
	    OHE_MEASUREMENT_KIND_BODY_TEMPERATURE,
	    OHE_MEASUREMENT_KIND_STEPS,
	};
	/* the data types behind the kinds, in the plugin's table order */
	static const gchar *const cursor_types[] = {
	    "heart-rate",
	    "daily-resting-heart-rate",
	    "heart-rate-variability",
	    "daily-heart-rate-variability",
	    "oxygen-saturation",
	    "daily-oxygen-saturation",
	    "daily-respiratory-rate",
	    "respiratory-rate-sleep-summary",
	    "weight",
	    "body-fat",
	    "core-body-temperature",
	    "steps",
	};
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (GString) want_cursor = g_string_new (NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) request = NULL;
	gint64 from = OHE_TEST_END - 3 * OHE_TEST_DAY;
	guint total = 0;

	ohe_sim_server_reset_stats (fx->server);
	request = ohe_test_request_new (token, from, OHE_TEST_END, NULL, kinds,
					G_N_ELEMENTS (kinds), all);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, &error));
	g_assert_no_error (error);

	for (guint i = 0; i < G_N_ELEMENTS (ohe_test_types); i++) {
		const OheTestType *type = &ohe_test_types[i];
		total += ohe_test_check_type (fx, all, type, from, OHE_TEST_END);
		g_assert_cmpuint (ohe_test_requests (fx, type->data_type), ==,
				  ohe_test_expected_pages (fx, type, from, OHE_TEST_END));
	}
	g_assert_cmpuint (all->len, ==, total);
	/* three days of heart rate: 4320 points in pages of 500, three pages per day */
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 9);
	g_assert_cmpuint (ohe_test_requests (fx, "daily-oxygen-saturation"), ==, 3);
	/* the daily types needed the zone once */
	g_assert_cmpuint (
	    ohe_sim_server_get_request_count (fx->server, "/google/v4/users/me/settings"), ==, 1);
	for (guint i = 0; i < G_N_ELEMENTS (cursor_types); i++)
		g_string_append_printf (want_cursor, "%s%s=%" G_GINT64_FORMAT, i > 0 ? ";" : "",
					cursor_types[i], OHE_TEST_END * G_USEC_PER_SEC);
	g_assert_cmpstr (ohe_test_cursor (request), ==, want_cursor->str);
}

static void
test_incremental (OheTestFixture *fx, gconstpointer data)
{
	static const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_HEART_RATE,
						   OHE_MEASUREMENT_KIND_STEPS};
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (GPtrArray) again = ohe_test_measurements_new ();
	g_autoptr (GPtrArray) fresh = ohe_test_measurements_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) first = NULL;
	g_autoptr (OheFetchRequest) second = NULL;
	g_autoptr (OheFetchRequest) third = NULL;
	g_autofree gchar *cursor = NULL;
	gint64 from = OHE_TEST_END - 2 * OHE_TEST_DAY;
	gint64 new_end = OHE_TEST_END + 3 * 3600;

	first = ohe_test_request_new (token, from, OHE_TEST_END, NULL, kinds, 2, all);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), first, NULL, &error));
	g_assert_no_error (error);
	ohe_test_check_type (fx, all, &ohe_test_types[0], from, OHE_TEST_END);
	cursor = g_strdup (ohe_test_cursor (first));
	g_assert_cmpstr (cursor, ==, "heart-rate=1795132800000000;steps=1795132800000000");

	/* nothing new: no data request at all */
	ohe_sim_server_reset_stats (fx->server);
	second = ohe_test_request_new (token, from, OHE_TEST_END, cursor, kinds, 2, again);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), second, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (again->len, ==, 0);
	g_assert_cmpuint (ohe_fetch_request_get_n_emitted (second), ==, 0);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, NULL), ==, 0);

	/* three more hours of data appear: exactly those come, in one page per type */
	ohe_sim_google_set_data_end (fx->server, fx->user->id, new_end);
	third = ohe_test_request_new (token, from, new_end, cursor, kinds, 2, fresh);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), third, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (
	    ohe_test_check_type (fx, fresh, &ohe_test_types[0], OHE_TEST_END, new_end), ==, 180);
	ohe_test_check_type (fx, fresh, &ohe_test_types[9], OHE_TEST_END, new_end);
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 1);
	g_assert_cmpuint (ohe_test_requests (fx, "steps"), ==, 1);
	g_assert_cmpstr (ohe_test_cursor (third), ==,
			 "heart-rate=1795143600000000;steps=1795143600000000");
}

static void
ohe_test_assert_google_error (SoupMessage *msg, GBytes *body, guint status, const gchar *code)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonObject *obj;
	g_assert_cmpuint (soup_message_get_status (msg), ==, status);
	g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
						   (gssize)g_bytes_get_size (body), NULL));
	obj = json_node_get_object (json_parser_get_root (parser));
	g_assert_cmpstr (json_object_get_string_member (obj, "error"), ==, code);
	g_assert_cmpstr (json_object_get_string_member (obj, "error_description"), ==,
			 "Token has been expired or revoked.");
}

/* the token endpoint's answer to an old refresh token */
static void
ohe_test_assert_refresh_refused (OheTestFixture *fx, const gchar *refresh_token)
{
	g_autofree gchar *url = g_strconcat (fx->base, "/google/token", NULL);
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autoptr (SoupMessage) msg = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *form =
	    soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
			      "client_id", "cid", "client_secret", "csecret", NULL);

	msg = soup_message_new_from_encoded_form ("POST", url, g_steal_pointer (&form));
	body = soup_session_send_and_read (session, msg, NULL, &error);
	g_assert_no_error (error);
	ohe_test_assert_google_error (msg, body, SOUP_STATUS_BAD_REQUEST, "invalid_grant");
}

static guint
ohe_test_fetch_heart_rate (OheTestFixture *fx, OheToken *token, GError **error)
{
	static const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_HEART_RATE};
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	gint64 from = OHE_TEST_END - OHE_TEST_DAY;
	g_autoptr (OheFetchRequest) request =
		       ohe_test_request_new (token, from, OHE_TEST_END, NULL, kinds, 1, all);
	if (!ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, error)) {
		g_assert_cmpuint (all->len, ==, 0);
		g_assert_null (ohe_test_cursor (request));
		return 0;
	}
	return ohe_test_check_type (fx, all, &ohe_test_types[0], from, OHE_TEST_END);
}

static void
test_refresh_on_expiry (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (fx->server, "google");
	guint grants = ohe_sim_oauth_get_token_requests (oauth);

	/* an hour later the access token is expired for both sides */
	ohe_clock_advance (fx->clock, (gint64)3601 * G_USEC_PER_SEC);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 1440);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_oauth_get_token_requests (oauth), ==, grants + 1);
	g_assert_cmpuint (fx->refresh_tokens->len, ==, 1);
	g_assert_true (g_str_has_prefix (g_ptr_array_index (fx->refresh_tokens, 0), "sim-rt-"));
	g_assert_cmpstr (g_ptr_array_index (fx->refresh_tokens, 0), !=,
			 ohe_token_get_refresh_token (token));
	/* the rotated-out refresh token is dead */
	ohe_test_assert_refresh_refused (fx, ohe_token_get_refresh_token (token));
}

static void
test_expired_token (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (fx->server, "google");

	/* the server expires the token early: 401 UNAUTHENTICATED, one refresh, success */
	g_assert_cmpuint (ohe_sim_oauth_expire_access_tokens (oauth, fx->user->id), ==, 1);
	ohe_sim_server_reset_stats (fx->server);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 1440);
	g_assert_no_error (error);
	g_assert_cmpuint (fx->refresh_tokens->len, ==, 1);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, "/google/token"), ==, 1);
	/* three pages, and the first one twice */
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 4);
}

static void
test_revoked_token (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (fx->server, "google");

	g_assert_true (ohe_sim_oauth_revoke (oauth, ohe_token_get_access_token (token)));
	ohe_sim_server_reset_stats (fx->server);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 0);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_false (ohe_error_is_transient (error));
	/* one data request (401), one refresh (invalid_grant), no retry loop */
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 1);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, "/google/token"), ==, 1);
	g_assert_cmpuint (fx->refresh_tokens->len, ==, 0);
}

static void
test_legacy_link (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_token_new ();
	g_autoptr (GError) error = NULL;

	ohe_token_set_access_token (token, "legacy-at");
	ohe_token_set_refresh_token (token, "legacy-rt");
	ohe_token_set_expires_at (token, OHE_TEST_END + 7 * 3600);
	ohe_token_set_scope (token, "heartrate activity weight");
	ohe_sim_server_reset_stats (fx->server);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 0);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_GONE);
	g_assert_cmpstr (error->message, ==, OHE_FITBIT_LEGACY_MESSAGE);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, NULL), ==, 0);
}

static void
test_partial_consent (OheTestFixture *fx, gconstpointer data)
{
	static const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_HEART_RATE};
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (OheFetchRequest) request = NULL;
	g_autoptr (OheToken) token = NULL;
	g_autoptr (OheToken) unrecorded = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *json = NULL;

	/* the user ticked activity (and settings) only */
	g_key_file_set_string (
	    fx->config, "plugin:fitbit", "scope",
	    "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly "
	    "https://www.googleapis.com/auth/googlehealth.settings.readonly");
	token = ohe_test_link (fx);

	/* the granted scope is recorded: heart rate is skipped without asking */
	ohe_sim_server_reset_stats (fx->server);
	request = ohe_test_request_new (token, OHE_TEST_END - OHE_TEST_DAY, OHE_TEST_END, NULL,
					kinds, 1, all);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (all->len, ==, 0);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, NULL), ==, 0);

	/* without a recorded scope the API decides: 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT */
	json = ohe_token_to_json (token);
	unrecorded = ohe_token_new_from_string (json, &error);
	g_assert_no_error (error);
	ohe_token_set_scope (unrecorded, NULL);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, unrecorded, &error), ==, 0);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (
	    error->message, ==,
	    "Google Health heart-rate list: HTTP 403 (ACCESS_TOKEN_SCOPE_INSUFFICIENT)");
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 1);
}

static void
test_account_not_linked (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;

	ohe_sim_google_set_account_linked (fx->server, fx->user->id, FALSE);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 0);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (error->message, ==,
			 "Google Health heart-rate list: HTTP 400 (ACCOUNT_NOT_LINKED)");
	g_assert_false (ohe_error_is_transient (error));
}

static void
test_rate_limited (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	OheSimFault *fault = ohe_sim_server_get_fault (fx->server);
	gint64 slept = ohe_clock_get_slept (fx->clock);

	ohe_sim_fault_set_retry_after (fault, 7);
	g_assert_true (ohe_sim_fault_queue (fault, OHE_TEST_HR_PATH, "429", 1, &error));
	ohe_sim_server_reset_stats (fx->server);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 1440);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_RATE_LIMITED), ==, 1);
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 4);
	/* the client waited at least what Retry-After asked for */
	g_assert_cmpint (ohe_clock_get_slept (fx->clock) - slept, >=, (gint64)7 * G_USEC_PER_SEC);
}

static void
test_server_errors (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	OheSimFault *fault = ohe_sim_server_get_fault (fx->server);

	g_assert_true (ohe_sim_fault_queue (fault, OHE_TEST_HR_PATH, "503", 1, &error));
	g_assert_true (ohe_sim_fault_queue (fault, OHE_TEST_HR_PATH, "500", 1, &error));
	ohe_sim_server_reset_stats (fx->server);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 1440);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_UNAVAILABLE), ==, 1);
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_INTERNAL), ==, 1);
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 5);
	g_assert_cmpuint (ohe_sim_fault_get_pending (fault), ==, 0);
}

static void
test_slow (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GError) error = NULL;
	OheSimFault *fault = ohe_sim_server_get_fault (fx->server);

	g_assert_true (ohe_sim_fault_queue (fault, OHE_TEST_HR_PATH, "slow:300", 2, &error));
	ohe_sim_server_reset_stats (fx->server);
	g_assert_cmpuint (ohe_test_fetch_heart_rate (fx, token, &error), ==, 1440);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_SLOW), ==, 2);
	/* late but in time: no retry */
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 3);
}

/* the emit function that breaks the next request: the second day's first page */
typedef struct {
	OheTestFixture *fx;
	GPtrArray *all;
	const gchar *fault;
	guint batches;
} OheTestBreaker;

static gboolean
ohe_test_collect_then_break (OheFetchRequest *request,
			     GPtrArray *measurements,
			     const gchar *cursor,
			     gpointer user_data,
			     GError **error)
{
	OheTestBreaker *breaker = user_data;
	g_autoptr (GError) error_local = NULL;
	breaker->batches++;
	g_assert_true (ohe_sim_fault_queue (ohe_sim_server_get_fault (breaker->fx->server),
					    OHE_TEST_HR_PATH, breaker->fault, 8, &error_local));
	return ohe_test_collect (request, measurements, cursor, breaker->all, error);
}

static void
ohe_test_broken_body (OheTestFixture *fx,
		      const gchar *fault,
		      gint expected_code,
		      const gchar *expected_text)
{
	static const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_HEART_RATE};
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) request = NULL;
	OheTestBreaker breaker = {fx, all, fault, 0};
	gint64 from = OHE_TEST_END - 2 * OHE_TEST_DAY;
	g_autofree gchar *cursor = g_strdup_printf ("heart-rate=%" G_GINT64_FORMAT,
						    (from + OHE_TEST_DAY) * G_USEC_PER_SEC);

	request = ohe_test_request_new (token, from, OHE_TEST_END, NULL, kinds, 1, all);
	ohe_fetch_request_set_emit_func (request, ohe_test_collect_then_break, &breaker, NULL);
	g_assert_false (ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, &error));
	g_assert_error (error, OHE_ERROR, expected_code);
	g_test_message ("%s: %s", fault, error->message);
	g_assert_nonnull (strstr (error->message, expected_text));
	/* the first day came whole, the cursor stops where the emitted data stops */
	g_assert_cmpuint (breaker.batches, ==, 1);
	g_assert_cmpstr (ohe_test_cursor (request), ==, cursor);
	g_assert_cmpuint (
	    ohe_test_check_type (fx, all, &ohe_test_types[0], from, from + OHE_TEST_DAY), ==, 1440);
	ohe_sim_fault_clear (ohe_sim_server_get_fault (fx->server));
}

static void
test_malformed (OheTestFixture *fx, gconstpointer data)
{
	ohe_test_broken_body (fx, "malformed", OHE_ERROR_INVALID_DATA,
			      "heart-rate list is not valid JSON: ");
	g_assert_cmpuint (ohe_sim_fault_get_injected (ohe_sim_server_get_fault (fx->server),
						      OHE_SIM_FAULT_MALFORMED),
			  ==, 1);
}

static void
test_truncated (OheTestFixture *fx, gconstpointer data)
{
	/* a body cut short is a transport failure, retried until the attempts run out */
	ohe_test_broken_body (fx, "truncate", OHE_ERROR_UNAVAILABLE,
			      "failed after 5 attempts: connection closed after ");
	g_assert_cmpuint (ohe_sim_fault_get_injected (ohe_sim_server_get_fault (fx->server),
						      OHE_SIM_FAULT_TRUNCATE),
			  >=, 1);
}

/* one POST to the webhook route through the SDK verb; returns the status it answers */
static guint
ohe_test_hook (OheTestFixture *fx,
	       const gchar *authorization,
	       const gchar *signature,
	       GBytes *body,
	       GPtrArray **hints,
	       GError **error)
{
	g_autoptr (OheWebhookRequest) request =
		       ohe_webhook_request_new ("POST", "/webhooks/fitbit", body);
	g_autoptr (GPtrArray) out = NULL;
	if (authorization != NULL)
		ohe_webhook_request_add_header (request, "Authorization", authorization);
	if (signature != NULL)
		ohe_webhook_request_add_header (request, OHE_GOOGLE_HEALTH_SIGNATURE_HEADER,
						signature);
	out = ohe_provider_handle_webhook (OHE_PROVIDER (fx->provider), request, error);
	if (hints != NULL)
		*hints = g_steal_pointer (&out);
	return ohe_webhook_request_get_response_status (request);
}

static void
test_webhook (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *body = ohe_sim_google_build_notification (
	    fx->server, fx->user->id, "steps", OHE_TEST_END - 900, OHE_TEST_END, FALSE);
	g_autofree gchar *signature = ohe_sim_google_sign (fx->server, body, strlen (body));
	g_autofree gchar *other = ohe_sim_google_build_notification (
	    fx->server, fx->user->id, "weight", OHE_TEST_END - 900, OHE_TEST_END, FALSE);
	g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
	g_autoptr (GBytes) other_bytes = g_bytes_new (other, strlen (other));
	g_autoptr (GPtrArray) hints = NULL;
	OheSyncHint *hint;

	g_assert_nonnull (signature);
	/* unsigned */
	g_assert_cmpuint (ohe_test_hook (fx, OHE_TEST_SECRET, NULL, bytes, NULL, &error), ==,
			  SOUP_STATUS_FORBIDDEN);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);
	/* forged: a valid signature of another body */
	g_assert_cmpuint (ohe_test_hook (fx, OHE_TEST_SECRET, signature, other_bytes, NULL, &error),
			  ==, SOUP_STATUS_FORBIDDEN);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);
	/* signed, but with the wrong endpoint secret */
	g_assert_cmpuint (ohe_test_hook (fx, "Bearer nope", signature, bytes, NULL, &error), ==,
			  SOUP_STATUS_FORBIDDEN);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_clear_error (&error);

	/* good */
	g_assert_cmpuint (ohe_test_hook (fx, OHE_TEST_SECRET, signature, bytes, &hints, &error), ==,
			  SOUP_STATUS_NO_CONTENT);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 1);
	hint = g_ptr_array_index (hints, 0);
	g_assert_cmpstr (ohe_sync_hint_get_external_user_id (hint), ==, "SimHealthUser-1001");
	g_assert_cmpuint (ohe_sync_hint_get_n_kinds (hint), ==, 1);
	g_assert_cmpint (ohe_sync_hint_get_kind (hint, 0), ==, OHE_MEASUREMENT_KIND_STEPS);
	g_assert_cmpint (ohe_sync_hint_get_start (hint), ==, (OHE_TEST_END - 900) * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_sync_hint_get_end (hint), ==, OHE_TEST_END * G_USEC_PER_SEC);
	g_clear_pointer (&hints, g_ptr_array_unref);

	/* replayed: the secret may be missing, the signature decides; still a replay */
	g_assert_cmpuint (ohe_test_hook (fx, NULL, signature, bytes, &hints, &error), ==,
			  SOUP_STATUS_NO_CONTENT);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_null (hints);
}

/* the webhook endpoint of the daemon, reduced to the plugin's checks */
typedef struct {
	OheFitbitProvider *provider;
	guint deliveries;
	guint last_status;
	gchar *last_error; /* owned, nullable */
} OheTestReceiver;

static void
ohe_test_receiver_cb (SoupServer *server,
		      SoupServerMessage *msg,
		      const char *path,
		      GHashTable *query,
		      gpointer user_data)
{
	OheTestReceiver *receiver = user_data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
	g_autoptr (GBytes) body =
		       soup_message_body_flatten (soup_server_message_get_request_body (msg));
	g_autoptr (GError) error = NULL;

	g_autoptr (OheWebhookRequest) request =
		       ohe_webhook_request_new (soup_server_message_get_method (msg), path, body);
	g_autoptr (GPtrArray) hints = NULL;
	SoupMessageHeadersIter iter;
	const char *name, *value;

	soup_message_headers_iter_init (&iter, headers);
	while (soup_message_headers_iter_next (&iter, &name, &value))
		ohe_webhook_request_add_header (request, name, value);
	receiver->deliveries++;
	hints = ohe_provider_handle_webhook (OHE_PROVIDER (receiver->provider), request, &error);
	receiver->last_status = ohe_webhook_request_get_response_status (request);
	g_free (receiver->last_error);
	receiver->last_error = error != NULL ? g_strdup (error->message) : NULL;
	soup_server_message_set_status (msg, receiver->last_status, NULL);
}

static void
ohe_test_notify_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
	GBytes **body = user_data;
	g_autoptr (GError) error = NULL;
	*body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
	g_assert_no_error (error);
}

/* POST /_sim/notify and serve the delivery meanwhile; returns the status the receiver gave */
static gint64
ohe_test_notify (OheTestFixture *fx, const gchar *hook, gboolean sign)
{
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autofree gchar *url = g_strconcat (fx->base, "/_sim/notify", NULL);
	g_autofree gchar *params = g_strdup_printf (
	    "{\"provider\":\"google\",\"user\":\"%s\",\"data_type\":\"weight\",\"start\":"
	    "%" G_GINT64_FORMAT ",\"end\":%" G_GINT64_FORMAT ",\"signed\":%s,\"callback\":\"%s\"}",
	    fx->user->id, OHE_TEST_END - 3600, OHE_TEST_END, sign ? "true" : "false", hook);
	g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
	g_autoptr (GBytes) request_body = g_bytes_new (params, strlen (params));
	g_autoptr (GBytes) body = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();

	soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
	soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
					  ohe_test_notify_done_cb, &body);
	while (body == NULL)
		g_main_context_iteration (NULL, TRUE);
	g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
	g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
						   (gssize)g_bytes_get_size (body), NULL));
	return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
					   "status");
}

static void
test_webhook_delivery (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
	g_autoptr (GError) error = NULL;
	OheTestReceiver receiver = {fx->provider, 0, 0, NULL};
	g_autofree gchar *hook = NULL;
	GSList *uris;

	soup_server_add_handler (server, "/hook", ohe_test_receiver_cb, &receiver, NULL);
	g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	g_assert_no_error (error);
	uris = soup_server_get_uris (server);
	hook = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
	g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

	/* signed by the simulator's key, with the endpoint secret: accepted */
	g_assert_cmpint (ohe_test_notify (fx, hook, TRUE), ==, SOUP_STATUS_NO_CONTENT);
	g_assert_cmpuint (receiver.deliveries, ==, 1);
	g_assert_null (receiver.last_error);
	/* the same delivery without a signature: refused */
	g_assert_cmpint (ohe_test_notify (fx, hook, FALSE), ==, SOUP_STATUS_FORBIDDEN);
	g_assert_cmpuint (receiver.deliveries, ==, 2);
	g_assert_nonnull (receiver.last_error);
	g_assert_cmpuint (ohe_sim_webhook_get_sent (ohe_sim_server_get_webhook (fx->server)), ==,
			  2);
	soup_server_disconnect (server);
	g_free (receiver.last_error);
}

/* ECG: the recordings of the simulator's generator, mapped as docs/measurement-kinds.md says */

#define OHE_TEST_ECG_NAME "users/me/dataTypes/electrocardiogram/dataPoints/%" G_GINT64_FORMAT

/* Google's resultClassification and what §9 makes of it, indexed by OheSimEcgRhythm */
static const struct {
	const gchar *raw;
	const gchar *code;
	const gchar *band;
} ohe_test_rhythms[] = {
    [OHE_SIM_ECG_RHYTHM_SINUS] = {"NORMAL_SINUS_RHYTHM", "negative", NULL},
    [OHE_SIM_ECG_RHYTHM_AFIB] = {"ATRIAL_FIBRILLATION", "positive", NULL},
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE] = {"INCONCLUSIVE", "inconclusive", NULL},
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_HIGH_HR] = {"INCONCLUSIVE_HIGH_HEART_RATE", "inconclusive",
						 "high"},
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_LOW_HR] = {"INCONCLUSIVE_LOW_HEART_RATE", "inconclusive",
						"low"},
    [OHE_SIM_ECG_RHYTHM_UNREADABLE] = {"UNREADABLE", "unreadable", NULL},
    [OHE_SIM_ECG_RHYTHM_NOT_ANALYZED] = {"NOT_ANALYZED", "not_analyzed", NULL},
};
G_STATIC_ASSERT (G_N_ELEMENTS (ohe_test_rhythms) == OHE_SIM_ECG_RHYTHM_LAST);

static OheMeasurement *
ohe_test_find_child (GPtrArray *all, OheMeasurementKind kind, const gchar *parent_id)
{
	OheMeasurement *found = NULL;
	for (guint i = 0; i < all->len; i++) {
		OheMeasurement *m = g_ptr_array_index (all, i);
		if (ohe_measurement_get_kind (m) != kind ||
		    g_strcmp0 (ohe_measurement_get_parent_native_id (m), parent_id) != 0)
			continue;
		/* one child of a kind per recording */
		g_assert_null (found);
		found = m;
	}
	return found;
}

/* the times, lead and waveform of one recording */
static void
ohe_test_assert_ecg (OheTestFixture *fx, OheMeasurement *m, const OheSimEcg *ecg)
{
	g_autoptr (GArray) samples =
		       ohe_sim_data_ecg_get_samples (fx->user->seed, fx->user->id, ecg);
	g_autofree gchar *native_id = g_strdup_printf (OHE_TEST_ECG_NAME, ecg->id);
	g_autofree gchar *fs = g_strdup_printf ("%u", ecg->sampling_frequency);
	const gint32 *got;
	gsize n = 0;
	OheSeries *lead;

	g_assert_cmpstr (ohe_measurement_get_native_id (m), ==, native_id);
	g_assert_cmpint (ohe_measurement_get_origin (m), ==, OHE_MEASUREMENT_ORIGIN_SPOT);
	g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "mV");
	g_assert_cmpstr (ohe_measurement_get_provider (m), ==, "fitbit");
	g_assert_cmpstr (ohe_measurement_get_device_id (m), ==, "Sense 2");
	g_assert_null (ohe_measurement_get_parent_native_id (m));
	/* the wire's interval is an instant; the recording lasts n / fs, here 30 s */
	g_assert_cmpint (ohe_measurement_get_start (m), ==, ecg->time * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_measurement_get_end (m), ==,
			 ecg->time * G_USEC_PER_SEC +
			     (gint64)ecg->n_samples * G_USEC_PER_SEC / ecg->sampling_frequency);
	g_assert_cmpint (ohe_measurement_get_end (m), ==, (ecg->time + 30) * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_measurement_get_utc_offset (m), ==, ohe_test_offset (ecg->time));
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "sampling_frequency"), ==, fs);
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "device_model"), ==, "Sense 2");
	g_assert_cmpstr (ohe_measurement_get_qualifier (m, "firmware_version"), ==, "0.0.0-sim");

	g_assert_cmpuint (ohe_measurement_get_n_series (m), ==, 1);
	lead = ohe_measurement_get_series (m, 0);
	g_assert_cmpstr (ohe_series_get_name (lead), ==, "I");
	g_assert_false (ohe_series_has_offsets (lead));
	g_assert_cmpfloat (ohe_series_get_interval (lead), ==, 1000.0 / ecg->sampling_frequency);
	g_assert_cmpfloat (ohe_series_get_factor (lead), ==, 1.0 / ecg->scaling_factor);
	g_assert_cmpfloat (ohe_series_get_origin (lead), ==, 0.0);
	got = ohe_series_get_samples (lead, &n);
	g_assert_cmpuint (n, ==, ecg->n_samples);
	g_assert_cmpuint (samples->len, ==, ecg->n_samples);
	g_assert_cmpint (got[0], ==, g_array_index (samples, gint32, 0));
	g_assert_cmpint (got[n - 1], ==, g_array_index (samples, gint32, n - 1));
	g_assert_cmpmem (got, n * sizeof (gint32), samples->data, samples->len * sizeof (gint32));
}

/* the average heart rate, pointing at its recording; absent without consent */
static void
ohe_test_assert_ecg_heart_rate (OheFetchRequest *request,
				GPtrArray *all,
				OheMeasurement *parent,
				const OheSimEcg *ecg)
{
	const gchar *parent_id = ohe_measurement_get_native_id (parent);
	OheMeasurement *hr = ohe_test_find_child (all, OHE_MEASUREMENT_KIND_HEART_RATE, parent_id);
	g_autofree gchar *hr_id = g_strconcat (parent_id, "/heart-rate", NULL);
	gint64 mantissa = 0;
	gint exponent = 0;

	if (!ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_HEART_RATE)) {
		g_assert_null (hr);
		return;
	}
	g_assert_nonnull (hr);
	g_assert_cmpint (ohe_measurement_get_parent_kind (hr), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpstr (ohe_measurement_get_native_id (hr), ==, hr_id);
	g_assert_cmpint (ohe_measurement_get_origin (hr), ==, OHE_MEASUREMENT_ORIGIN_SPOT);
	g_assert_cmpstr (ohe_measurement_get_unit (hr), ==, "/min");
	ohe_measurement_get_value_decimal (hr, &mantissa, &exponent);
	g_assert_cmpint (mantissa, ==, ecg->heart_rate);
	g_assert_cmpint (exponent, ==, 0);
	g_assert_cmpint (ohe_measurement_get_start (hr), ==, ohe_measurement_get_start (parent));
	g_assert_cmpint (ohe_measurement_get_end (hr), ==, ohe_measurement_get_end (parent));
}

/* the rhythm result, pointing at its recording; absent without consent */
static void
ohe_test_assert_ecg_rhythm (OheFetchRequest *request,
			    GPtrArray *all,
			    OheMeasurement *parent,
			    const OheSimEcg *ecg)
{
	const gchar *parent_id = ohe_measurement_get_native_id (parent);
	OheMeasurement *afib =
	    ohe_test_find_child (all, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, parent_id);
	g_autofree gchar *afib_id = g_strconcat (parent_id, "/afib", NULL);

	if (!ohe_fetch_request_has_kind (request, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION)) {
		g_assert_null (afib);
		return;
	}
	g_assert_nonnull (afib);
	g_assert_cmpint (ohe_measurement_get_parent_kind (afib), ==, OHE_MEASUREMENT_KIND_ECG);
	g_assert_cmpstr (ohe_measurement_get_native_id (afib), ==, afib_id);
	g_assert_cmpstr (ohe_measurement_get_classification (afib), ==,
			 ohe_test_rhythms[ecg->rhythm].code);
	g_assert_cmpstr (ohe_measurement_get_classification (afib), ==,
			 ohe_sim_ecg_rhythm_to_code (ecg->rhythm));
	g_assert_cmpstr (ohe_measurement_get_classification_raw (afib), ==,
			 ohe_test_rhythms[ecg->rhythm].raw);
	g_assert_cmpstr (ohe_measurement_get_qualifier (afib, "method"), ==, "ecg");
	g_assert_cmpstr (ohe_measurement_get_qualifier (afib, "heart_rate_band"), ==,
			 ohe_test_rhythms[ecg->rhythm].band);
	g_assert_cmpint (ohe_measurement_get_start (afib), ==, ohe_measurement_get_start (parent));
	g_assert_cmpint (ohe_measurement_get_end (afib), ==, ohe_measurement_get_end (parent));
}

/* every recording in [from, to) exactly once, in order, with the children @request consented
 * to; returns the rhythms seen as bits */
static guint
ohe_test_check_ecgs (OheTestFixture *fx,
		     OheFetchRequest *request,
		     GPtrArray *all,
		     gint64 from,
		     gint64 to,
		     guint *n_ecgs)
{
	g_autoptr (GArray) want = ohe_sim_data_generate_ecg (fx->user->seed, fx->user->id,
							     MAX (from, fx->user->data_from), to);
	guint n = 0;
	guint rhythms = 0;

	for (guint i = 0; i < all->len; i++) {
		OheMeasurement *m = g_ptr_array_index (all, i);
		const OheSimEcg *ecg;

		if (ohe_measurement_get_kind (m) != OHE_MEASUREMENT_KIND_ECG)
			continue;
		g_assert_cmpuint (n, <, want->len);
		ecg = &g_array_index (want, OheSimEcg, n++);
		ohe_test_assert_ecg (fx, m, ecg);
		rhythms |= 1u << ecg->rhythm;
		ohe_test_assert_ecg_heart_rate (request, all, m, ecg);
		ohe_test_assert_ecg_rhythm (request, all, m, ecg);
	}
	g_assert_cmpuint (n, ==, want->len);
	*n_ecgs = n;
	return rhythms;
}

/* the list requests of the ECG type over [from, to): the filter takes no upper bound, so the
 * plugin reads the range in one window, everything up to the end of the data, in pages of
 * @page_size */
static guint
ohe_test_expected_ecg_pages (OheTestFixture *fx, gint64 from, guint page_size)
{
	gint64 data_end = ohe_sim_google_get_data_end (fx->server, fx->user->id);
	g_autoptr (GArray) ecgs = ohe_sim_data_generate_ecg (
	    fx->user->seed, fx->user->id, MAX (from, fx->user->data_from), data_end);
	return ecgs->len == 0 ? 1 : (ecgs->len + page_size - 1) / page_size;
}

static void
test_ecg_backfill (OheTestFixture *fx, gconstpointer data)
{
	static const OheMeasurementKind kinds[] = {
	    OHE_MEASUREMENT_KIND_ECG,
	    OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION,
	    OHE_MEASUREMENT_KIND_HEART_RATE,
	};
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) request = NULL;
	g_autofree gchar *cursor = NULL;
	/* a week, so that the rhythm result goes once round all seven values: the user's four days
	 * of data grow by three (the list does not look at the clock) */
	gint64 from = fx->user->data_from;
	gint64 to = from + 7 * OHE_TEST_DAY;
	guint n_ecgs = 0, n_stream;

	ohe_sim_google_set_data_end (fx->server, fx->user->id, to);
	ohe_sim_server_reset_stats (fx->server);
	request = ohe_test_request_new (token, from, to, NULL, kinds, G_N_ELEMENTS (kinds), all);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, &error));
	g_assert_no_error (error);

	g_assert_cmpuint (ohe_test_check_ecgs (fx, request, all, from, to, &n_ecgs), ==,
			  (1u << OHE_SIM_ECG_RHYTHM_LAST) - 1);
	g_assert_cmpuint (n_ecgs, ==, 7);
	/* the heart-rate stream came as well, unmixed with the recordings' averages */
	n_stream = ohe_test_check_type (fx, all, &ohe_test_types[0], from, to);
	g_assert_cmpuint (n_stream, ==, 7 * 1440);
	g_assert_cmpuint (all->len, ==, n_stream + 3 * n_ecgs);
	g_assert_cmpuint (ohe_test_requests (fx, "electrocardiogram"), ==,
			  ohe_test_expected_ecg_pages (fx, from, OHE_TEST_PAGE));
	/* one request for the week, not one per day listing all later recordings again */
	g_assert_cmpuint (ohe_test_requests (fx, "electrocardiogram"), ==, 1);
	/* the rhythm kind also reads the (empty) irregular-rhythm notifications */
	g_assert_cmpuint (ohe_test_requests (fx, "irregular-rhythm-notification"), ==, 1);
	cursor =
	    g_strdup_printf ("heart-rate=%" G_GINT64_FORMAT ";electrocardiogram=%" G_GINT64_FORMAT
			     ";irregular-rhythm-notification=%" G_GINT64_FORMAT,
			     to * G_USEC_PER_SEC, to * G_USEC_PER_SEC, to * G_USEC_PER_SEC);
	g_assert_cmpstr (ohe_test_cursor (request), ==, cursor);
}

static void
test_ecg_consent (OheTestFixture *fx, gconstpointer data)
{
	static const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_ECG};
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (GPtrArray) fresh = ohe_test_measurements_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) request = NULL;
	g_autoptr (OheFetchRequest) next = NULL;
	g_autofree gchar *cursor = NULL;
	gint64 from = OHE_TEST_END - 2 * OHE_TEST_DAY;
	gint64 new_end = OHE_TEST_END + OHE_TEST_DAY;
	guint n_ecgs = 0;

	/* heart rate and rhythm not consented: the recordings go alone, and no stream is read */
	ohe_sim_server_reset_stats (fx->server);
	request = ohe_test_request_new (token, from, OHE_TEST_END, NULL, kinds, 1, all);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, &error));
	g_assert_no_error (error);
	ohe_test_check_ecgs (fx, request, all, from, OHE_TEST_END, &n_ecgs);
	g_assert_cmpuint (n_ecgs, ==, 2);
	g_assert_cmpuint (all->len, ==, 2);
	g_assert_cmpuint (ohe_test_requests (fx, "heart-rate"), ==, 0);
	g_assert_cmpuint (ohe_test_requests (fx, "electrocardiogram"), ==, 1);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, NULL), ==, 1);
	cursor =
	    g_strdup_printf ("electrocardiogram=%" G_GINT64_FORMAT, OHE_TEST_END * G_USEC_PER_SEC);
	g_assert_cmpstr (ohe_test_cursor (request), ==, cursor);

	/* a day later: the cursor is the lower bound, only the new recording comes */
	ohe_sim_google_set_data_end (fx->server, fx->user->id, new_end);
	ohe_sim_server_reset_stats (fx->server);
	next = ohe_test_request_new (token, from, new_end, cursor, kinds, 1, fresh);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), next, NULL, &error));
	g_assert_no_error (error);
	ohe_test_check_ecgs (fx, next, fresh, OHE_TEST_END, new_end, &n_ecgs);
	g_assert_cmpuint (n_ecgs, ==, 1);
	g_assert_cmpuint (fresh->len, ==, 1);
	g_assert_cmpuint (ohe_test_requests (fx, "electrocardiogram"), ==, 1);
}

static void
test_ecg_paging (OheTestFixture *fx, gconstpointer data)
{
	static const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_ECG,
						   OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION};
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (GPtrArray) all = ohe_test_measurements_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) request = NULL;
	gint64 from = fx->user->data_from;
	guint n_ecgs = 0;

	/* one recording a page, newest first: the plugin puts them back in order */
	g_key_file_set_integer (fx->config, "plugin:fitbit", "page_size", 1);
	ohe_sim_server_reset_stats (fx->server);
	request = ohe_test_request_new (token, from, OHE_TEST_END, NULL, kinds, 2, all);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (fx->provider), request, NULL, &error));
	g_assert_no_error (error);
	ohe_test_check_ecgs (fx, request, all, from, OHE_TEST_END, &n_ecgs);
	g_assert_cmpuint (n_ecgs, ==, 4);
	/* ecg and its rhythm result; no heart rate without consent */
	g_assert_cmpuint (all->len, ==, 2 * n_ecgs);
	for (guint i = 0; i < all->len; i += 2) {
		OheMeasurement *ecg = g_ptr_array_index (all, i);
		OheMeasurement *afib = g_ptr_array_index (all, i + 1);
		g_assert_cmpint (ohe_measurement_get_kind (afib), ==,
				 OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
		g_assert_cmpstr (ohe_measurement_get_parent_native_id (afib), ==,
				 ohe_measurement_get_native_id (ecg));
	}
	g_assert_cmpuint (ohe_test_requests (fx, "electrocardiogram"), ==,
			  ohe_test_expected_ecg_pages (fx, from, 1));
	g_assert_cmpuint (ohe_test_requests (fx, "electrocardiogram"), ==, 4);
}

/* revoke ends the grant at Google; subscriptions are the project's, not the link's */
static void
test_revoke (OheTestFixture *fx, gconstpointer data)
{
	g_autoptr (OheToken) token = ohe_test_link (fx);
	g_autoptr (OheToken) renewed = NULL;
	g_autoptr (OheToken) after = NULL;
	g_autoptr (GError) error = NULL;

	/* a forced refresh renews a token that has not expired yet */
	renewed = ohe_oauth2_provider_force_refresh (OHE_OAUTH2_PROVIDER (fx->provider),
						     OHE_TEST_LINK, token, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (ohe_token_get_access_token (renewed), !=,
			 ohe_token_get_access_token (token));
	g_assert_cmpuint (fx->refresh_tokens->len, ==, 1);

	g_assert_true (ohe_provider_revoke (OHE_PROVIDER (fx->provider), OHE_TEST_LINK, renewed,
					    NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_server_get_request_count (fx->server, "/google/revoke"), ==, 1);
	after = ohe_oauth2_provider_force_refresh (OHE_OAUTH2_PROVIDER (fx->provider),
						   OHE_TEST_LINK, renewed, NULL, &error);
	g_assert_null (after);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_clear_error (&error);

	/* Google Health subscriptions belong to the project's subscriber, not to a link */
	g_assert_false (ohe_provider_subscribe (OHE_PROVIDER (fx->provider), OHE_TEST_LINK, token,
						NULL, NULL, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED);
	g_assert_cmpstr (error->message, ==, "provider fitbit does not support subscriptions");
	g_clear_error (&error);
	g_assert_null (ohe_provider_list_subscriptions (OHE_PROVIDER (fx->provider), OHE_TEST_LINK,
							token, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED);
}

static void
ohe_test_add (const gchar *path, void (*func) (OheTestFixture *, gconstpointer))
{
	g_test_add (path, OheTestFixture, NULL, ohe_test_setup, func, ohe_test_teardown);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	ohe_test_add ("/fitbit/sim/oauth-flow", test_oauth_flow);
	ohe_test_add ("/fitbit/sim/backfill", test_backfill);
	ohe_test_add ("/fitbit/sim/incremental", test_incremental);
	ohe_test_add ("/fitbit/sim/refresh-on-expiry", test_refresh_on_expiry);
	ohe_test_add ("/fitbit/sim/expired-token", test_expired_token);
	ohe_test_add ("/fitbit/sim/revoked-token", test_revoked_token);
	ohe_test_add ("/fitbit/sim/legacy-link", test_legacy_link);
	ohe_test_add ("/fitbit/sim/partial-consent", test_partial_consent);
	ohe_test_add ("/fitbit/sim/account-not-linked", test_account_not_linked);
	ohe_test_add ("/fitbit/sim/rate-limited", test_rate_limited);
	ohe_test_add ("/fitbit/sim/server-errors", test_server_errors);
	ohe_test_add ("/fitbit/sim/slow", test_slow);
	ohe_test_add ("/fitbit/sim/malformed", test_malformed);
	ohe_test_add ("/fitbit/sim/truncated", test_truncated);
	ohe_test_add ("/fitbit/sim/webhook", test_webhook);
	ohe_test_add ("/fitbit/sim/webhook-delivery", test_webhook_delivery);
	ohe_test_add ("/fitbit/sim/ecg-backfill", test_ecg_backfill);
	ohe_test_add ("/fitbit/sim/ecg-consent", test_ecg_consent);
	ohe_test_add ("/fitbit/sim/ecg-paging", test_ecg_paging);
	ohe_test_add ("/fitbit/sim/revoke", test_revoke);
	return g_test_run ();
}
