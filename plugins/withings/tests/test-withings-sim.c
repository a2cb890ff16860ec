/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

#include "ohe-sim-server.h"
#include "ohe-sim-withings.h"
#include "ohe-withings-provider.h"

/* the Withings provider against the in-process simulator */

#define CLIENT_ID	"sim-client"
#define CLIENT_SECRET	"sim-secret-0123456789"
#define REDIRECT	"https://app.example.org/cb"
#define CALLBACK_SECRET "hook-s3cret-42"

typedef struct {
	OheSimServer *server;
	OheWithingsProvider *provider;
	OheClock *clock;
	const OheSimUser *user;
	GPtrArray *emitted; /* element-type OheMeasurement */
	gchar *cursor;
	guint token_changed;
	OheToken *last_token;
	/* queued on the simulator by the first emit, so that a fault hits a later page */
	const gchar *fault_on_emit;
	guint fault_on_emit_count;
} Fixture;

static void
on_token_changed (OheProvider *provider, const gchar *link_id, OheToken *token, Fixture *f)
{
	f->token_changed++;
	g_set_object (&f->last_token, token);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GPtrArray) users = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *api = NULL;
	g_autofree gchar *authorize = NULL;
	guint port = 0;

	f->server = ohe_sim_server_new (42, &error);
	g_assert_no_error (error);
	ohe_sim_withings_register (f->server);
	ohe_sim_withings_set_client (f->server, CLIENT_ID, CLIENT_SECRET);
	users = ohe_sim_server_add_users (f->server, 1, 3, 7);
	f->user = g_ptr_array_index (users, 0);
	g_assert_true (ohe_sim_server_start_in_thread (f->server, &port, &error));
	g_assert_no_error (error);
	base = ohe_sim_server_get_base_url (f->server);
	api = g_strconcat (base, "/withings", NULL);

	g_key_file_set_string (config, "plugin:withings", "api_base", api);
	authorize = g_strconcat (api, "/oauth2_user/authorize2", NULL);
	g_key_file_set_string (config, "plugin:withings", "authorize_url", authorize);
	g_key_file_set_string (config, "plugin:withings", "client_id", CLIENT_ID);
	g_key_file_set_string (config, "plugin:withings", "client_secret", CLIENT_SECRET);
	g_key_file_set_string (config, "plugin:withings", "callback_url",
			       "https://hooks.example.org/w");
	g_key_file_set_string (config, "plugin:withings", "callback_secret", CALLBACK_SECRET);
	f->provider = g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (f->provider), config);
	/* a fake clock: the 601 backoff and the HTTP retries pass at once */
	f->clock = ohe_clock_new_fake (g_get_real_time ());
	ohe_oauth2_provider_set_clock (OHE_OAUTH2_PROVIDER (f->provider), f->clock);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (f->provider), NULL, &error));
	g_signal_connect (f->provider, "token-changed", G_CALLBACK (on_token_changed), f);
	f->emitted = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	ohe_sim_server_stop (f->server);
	g_assert_finalize_object (f->provider);
	g_object_unref (f->server);
	g_object_unref (f->clock);
	g_ptr_array_unref (f->emitted);
	g_free (f->cursor);
	g_clear_object (&f->last_token);
}

/* the whole consent flow: authorize URL → simulator redirect → code → exchange */
static OheToken *
link_user (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autoptr (SoupMessage) msg = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GUri) location = NULL;
	g_autoptr (GHashTable) query = NULL;
	g_autofree gchar *url = ohe_provider_build_authorize_url (
	    OHE_PROVIDER (f->provider), "st4te", "challenge-ignored", REDIRECT, &error);
	OheToken *token;

	g_assert_no_error (error);
	g_assert_nonnull (
	    strstr (url, "/oauth2_user/authorize2?response_type=code&client_id=sim-client"));
	g_assert_nonnull (strstr (url, "scope=user.info%2Cuser.metrics%2Cuser.activity"));
	g_assert_null (strstr (url, "code_challenge"));
	msg = soup_message_new ("GET", url);
	soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
	body = soup_session_send_and_read (session, msg, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (soup_message_get_status (msg), ==, 302);
	location = g_uri_parse (
	    soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"),
	    G_URI_FLAGS_ENCODED, &error);
	g_assert_no_error (error);
	query = soup_form_decode (g_uri_get_query (location));
	g_assert_cmpstr (g_hash_table_lookup (query, "state"), ==, "st4te");
	token = ohe_provider_exchange_code (OHE_PROVIDER (f->provider),
					    g_hash_table_lookup (query, "code"), NULL, REDIRECT,
					    NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (ohe_token_get_refresh_token (token));
	g_assert_cmpstr (ohe_token_get_external_user_id (token), ==, f->user->id);
	/* the code was single use */
	{
		g_autoptr (GError) error2 = NULL;
		g_autoptr (OheToken) again = ohe_provider_exchange_code (
		    OHE_PROVIDER (f->provider), g_hash_table_lookup (query, "code"), NULL, REDIRECT,
		    NULL, &error2);
		g_assert_null (again);
		g_assert_error (error2, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
		g_assert_nonnull (strstr (error2->message, "valid 30 s"));
	}
	return token;
}

static gboolean
emit_cb (OheFetchRequest *request,
	 GPtrArray *ms,
	 const gchar *cursor,
	 gpointer user_data,
	 GError **error)
{
	Fixture *f = user_data;
	for (guint i = 0; i < ms->len; i++)
		g_ptr_array_add (f->emitted, ohe_measurement_ref (g_ptr_array_index (ms, i)));
	if (cursor != NULL) {
		g_free (f->cursor);
		f->cursor = g_strdup (cursor);
	}
	if (f->fault_on_emit != NULL) {
		g_assert_true (ohe_sim_fault_queue (ohe_sim_server_get_fault (f->server),
						    "/withings/measure", f->fault_on_emit,
						    f->fault_on_emit_count, NULL));
		f->fault_on_emit = NULL;
	}
	return TRUE;
}

static gboolean
fetch (Fixture *f, OheToken *token, const OheMeasurementKind *kinds, guint n_kinds, GError **error)
{
	g_autoptr (OheFetchRequest) req = ohe_fetch_request_new (
	    "link-1", f->user->data_from * G_USEC_PER_SEC, f->user->data_to * G_USEC_PER_SEC);
	for (guint i = 0; i < n_kinds; i++)
		ohe_fetch_request_add_kind (req, kinds[i]);
	ohe_fetch_request_set_token (req, token);
	ohe_fetch_request_set_cursor (req, f->cursor);
	ohe_fetch_request_set_emit_func (req, emit_cb, f, NULL);
	return ohe_provider_fetch (OHE_PROVIDER (f->provider), req, NULL, error);
}

static guint
count_kind (GPtrArray *ms, OheMeasurementKind kind)
{
	guint n = 0;
	for (guint i = 0; i < ms->len; i++)
		n += ohe_measurement_get_kind (g_ptr_array_index (ms, i)) == kind ? 1 : 0;
	return n;
}

static void
test_backfill (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
					    OHE_MEASUREMENT_KIND_HEART_RATE,
					    OHE_MEASUREMENT_KIND_BODY_WEIGHT};
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) bp = ohe_sim_data_generate (f->user->seed, f->user->id,
						       OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
						       f->user->data_from, f->user->data_to);
	g_autoptr (GArray) weight = ohe_sim_data_generate (f->user->seed, f->user->id,
							   OHE_MEASUREMENT_KIND_BODY_WEIGHT,
							   f->user->data_from, f->user->data_to);
	g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (
	    ohe_sim_withings_get_timezone (f->server, f->user->id));
	OheSimSample *s0 = &g_array_index (bp, OheSimSample, 0);
	gboolean found = FALSE;

	ohe_sim_withings_set_page_size (f->server, 2);
	ohe_sim_server_reset_stats (f->server);
	g_assert_true (fetch (f, token, kinds, G_N_ELEMENTS (kinds), &error));
	g_assert_no_error (error);
	g_assert_cmpuint (bp->len, >, 2);
	g_assert_cmpuint (count_kind (f->emitted, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE), ==,
			  bp->len);
	g_assert_cmpuint (count_kind (f->emitted, OHE_MEASUREMENT_KIND_BODY_WEIGHT), ==,
			  weight->len);
	/* pulse children of BP only: intraday HR comes from the intraday call */
	g_assert_cmpuint ((bp->len + weight->len + 1) / 2, <=,
			  ohe_sim_server_get_request_count (f->server, "/withings/measure"));
	for (guint i = 0; i < f->emitted->len; i++) {
		OheMeasurement *m = g_ptr_array_index (f->emitted, i);
		gint64 mantissa = 0;
		gint exponent = 0;
		g_autofree gchar *sys = NULL;
		g_autofree gchar *expected = NULL;
		if (ohe_measurement_get_kind (m) != OHE_MEASUREMENT_KIND_BLOOD_PRESSURE ||
		    ohe_measurement_get_start (m) != s0->time * G_USEC_PER_SEC)
			continue;
		found = TRUE;
		g_assert_true (
		    ohe_measurement_get_component_decimal (m, "systolic", &mantissa, &exponent));
		sys = ohe_decimal_to_string (mantissa, exponent);
		expected = ohe_sim_sample_value_to_string (s0, 0);
		g_assert_cmpstr (sys, ==, expected);
		g_assert_cmpint (
		    ohe_measurement_get_utc_offset (m), ==,
		    g_time_zone_get_offset (
			tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, s0->time)));
	}
	g_assert_true (found);
	g_assert_nonnull (f->cursor);
	g_assert_true (g_str_has_prefix (f->cursor, "lastupdate="));

	/* incremental: nothing new since the cursor */
	g_ptr_array_set_size (f->emitted, 0);
	g_assert_true (fetch (f, token, kinds, 1, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (count_kind (f->emitted, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE), ==, 0);
}

static void
test_faults (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_BODY_WEIGHT};
	g_autoptr (OheToken) token = link_user (f);
	OheSimFault *fault = ohe_sim_server_get_fault (f->server);
	gint64 slept;

	/* 601 once: waited out on the fake clock, then served */
	slept = ohe_clock_get_slept (f->clock);
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "429", 1, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (fetch (f, token, kinds, 1, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpint (ohe_clock_get_slept (f->clock) - slept, >=, 60 * G_USEC_PER_SEC);
	/* 601 twice: the second is an error */
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "429", 2, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
		g_assert_cmpstr (
		    error->message, ==,
		    "withings getmeas: Withings answered status 601 (too many requests)");
	}
	/* malformed and truncated bodies */
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "malformed", 1, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	}
	/* 500 on every attempt: unavailable */
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "500", 10, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	}
	ohe_sim_fault_clear (fault);
	/* the 500s opened the circuit breaker: let its open period pass */
	ohe_clock_advance (f->clock, 120 * G_USEC_PER_SEC);
	/* expired token in the envelope: refresh once, rotation persisted, retry succeeds */
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "expired-token", 1, NULL));
	{
		g_autoptr (GError) error = NULL;
		gboolean ok = fetch (f, token, kinds, 1, &error);
		g_assert_no_error (error);
		g_assert_true (ok);
	}
	g_assert_cmpuint (f->token_changed, ==, 1);
	g_assert_cmpstr (ohe_token_get_refresh_token (f->last_token), !=,
			 ohe_token_get_refresh_token (token));
	/* revoked: the refresh fails too; the link needs consent again */
	ohe_sim_oauth_revoke_user (ohe_sim_server_get_oauth (f->server, "withings"), f->user->id);
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, f->last_token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	}
}

/* the daemon's webhook route, reduced to the SDK verb: request in, status and hints out */
typedef struct {
	OheProvider *provider;
	guint deliveries;
	guint last_status;
	GError *last_error; /* owned, nullable */
	GPtrArray *hints;   /* owned, element-type OheSyncHint, of all deliveries */
} Receiver;

static OheWebhookRequest *
webhook_request_from_message (SoupServerMessage *msg)
{
	GUri *uri = soup_server_message_get_uri (msg);
	g_autofree gchar *target = g_strdup_printf (
	    "%s%s%s", g_uri_get_path (uri), g_uri_get_query (uri) != NULL ? "?" : "",
	    g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "");
	g_autoptr (GBytes) body =
		       soup_message_body_flatten (soup_server_message_get_request_body (msg));
	OheWebhookRequest *request =
	    ohe_webhook_request_new (soup_server_message_get_method (msg), target, body);
	SoupMessageHeadersIter iter;
	const char *name, *value;

	soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
	while (soup_message_headers_iter_next (&iter, &name, &value))
		ohe_webhook_request_add_header (request, name, value);
	return request;
}

static void
receiver_cb (SoupServer *server,
	     SoupServerMessage *msg,
	     const char *path,
	     GHashTable *query,
	     gpointer user_data)
{
	Receiver *receiver = user_data;
	g_autoptr (OheWebhookRequest) request = webhook_request_from_message (msg);
	g_autoptr (GPtrArray) hints = NULL;

	receiver->deliveries++;
	g_clear_error (&receiver->last_error);
	hints = ohe_provider_handle_webhook (receiver->provider, request, &receiver->last_error);
	for (guint i = 0; hints != NULL && i < hints->len; i++)
		g_ptr_array_add (receiver->hints, g_object_ref (g_ptr_array_index (hints, i)));
	receiver->last_status = ohe_webhook_request_get_response_status (request);
	soup_server_message_set_status (msg, receiver->last_status, NULL);
}

static void
notify_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
	GBytes **body = user_data;
	g_autoptr (GError) error = NULL;
	*body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
	g_assert_no_error (error);
}

/* a request to the receiver, served meanwhile; returns the HTTP status it answered */
static guint
send_to (const gchar *method, const gchar *url, const gchar *content_type, const gchar *text)
{
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autoptr (SoupMessage) msg = soup_message_new (method, url);
	g_autoptr (GBytes) body = NULL;
	if (text != NULL) {
		g_autoptr (GBytes) request_body = g_bytes_new (text, strlen (text));
		soup_message_set_request_body_from_bytes (msg, content_type, request_body);
	}
	soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, notify_done_cb,
					  &body);
	while (body == NULL)
		g_main_context_iteration (NULL, TRUE);
	return soup_message_get_status (msg);
}

/* POST /_sim/notify: the simulator delivers to the URL the subscription holds */
static gint64
sim_notify (Fixture *f, gint appli, gint64 start, gint64 end)
{
	g_autofree gchar *base = ohe_sim_server_get_base_url (f->server);
	g_autofree gchar *url = g_strconcat (base, "/_sim/notify", NULL);
	g_autofree gchar *params = g_strdup_printf (
	    "{\"provider\":\"withings\",\"user\":\"%s\",\"appli\":%d,\"start\":%" G_GINT64_FORMAT
	    ",\"end\":%" G_GINT64_FORMAT "}",
	    f->user->id, appli, start, end);
	g_assert_cmpuint (send_to ("POST", url, "application/json", params), ==, 200);
	return 0;
}

static OheSubscription *
find_subscription (GPtrArray *subs, const gchar *id)
{
	for (guint i = 0; i < subs->len; i++) {
		if (g_strcmp0 (ohe_subscription_get_id (g_ptr_array_index (subs, i)), id) == 0)
			return g_ptr_array_index (subs, i);
	}
	return NULL;
}

static void
test_subscriptions (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind bp[] = {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE};
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) subs = NULL;
	g_autoptr (GArray) kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	OheSubscription *sub;

	/* blood pressure is appli 4; weight would be 1 */
	g_array_append_vals (kinds, bp, G_N_ELEMENTS (bp));
	g_assert_true (ohe_provider_subscribe (OHE_PROVIDER (f->provider), "link-1", token, NULL,
					       kinds, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_withings_get_n_subscriptions (f->server, f->user->id), ==, 1);
	subs = ohe_provider_list_subscriptions (OHE_PROVIDER (f->provider), "link-1", token, NULL,
						&error);
	g_assert_no_error (error);
	g_assert_cmpuint (subs->len, ==, 1);
	sub = find_subscription (subs, "4");
	g_assert_nonnull (sub);
	/* the callback secret is not shown */
	g_assert_cmpstr (ohe_subscription_get_callback_url (sub), ==,
			 "https://hooks.example.org/w");
	g_assert_cmpuint (ohe_subscription_get_n_kinds (sub), >=, 1);
	g_assert_cmpint (ohe_subscription_get_kind (sub, 0), ==,
			 OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	g_clear_pointer (&subs, g_ptr_array_unref);

	/* all kinds: every appli the provider covers */
	g_assert_true (ohe_provider_subscribe (OHE_PROVIDER (f->provider), "link-1", token, NULL,
					       NULL, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_withings_get_n_subscriptions (f->server, f->user->id), >, 1);

	/* unsubscribe removes every subscription to the URL; again removes nothing */
	g_assert_true (ohe_provider_unsubscribe (OHE_PROVIDER (f->provider), "link-1", token, NULL,
						 NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_withings_get_n_subscriptions (f->server, f->user->id), ==, 0);
	g_assert_true (ohe_provider_unsubscribe (OHE_PROVIDER (f->provider), "link-1", token, NULL,
						 NULL, &error));
	g_assert_no_error (error);

	/* revoke: a signed call (getnonce, then revoke); the link's tokens stop working */
	g_assert_true (
	    ohe_provider_revoke (OHE_PROVIDER (f->provider), "link-1", token, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/v2/signature"),
			  ==, 1);
	{
		const OheMeasurementKind weight[] = {OHE_MEASUREMENT_KIND_BODY_WEIGHT};
		g_assert_false (fetch (f, token, weight, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	}
}

static void
test_subscribe_needs_secret (Fixture *f, gconstpointer data)
{
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GError) error = NULL;

	/* without a callback secret, deliveries could not be told from forgeries */
	g_key_file_set_string (config, "plugin:withings", "client_id", CLIENT_ID);
	g_key_file_set_string (config, "plugin:withings", "callback_url",
			       "https://hooks.example.org/w");
	ohe_plugin_set_config (OHE_PLUGIN (f->provider), config);
	g_assert_false (ohe_provider_subscribe (OHE_PROVIDER (f->provider), "link-1", token, NULL,
						NULL, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (error->message, ==,
			 "plugin withings: config key 'callback_secret' is not set: "
			 "notifications cannot be authenticated");
	g_assert_cmpuint (ohe_sim_withings_get_n_subscriptions (f->server, f->user->id), ==, 0);
}

static void
test_list_devices (Fixture *f, gconstpointer data)
{
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) devices = ohe_provider_list_devices (OHE_PROVIDER (f->provider),
								   "link-1", token, NULL, &error);

	g_assert_no_error (error);
	g_assert_cmpuint (devices->len, >=, 1);
	for (guint i = 0; i < devices->len; i++) {
		OheDevice *device = g_ptr_array_index (devices, i);
		g_assert_cmpuint (strlen (ohe_device_get_id (device)), >, 0);
		g_assert_nonnull (ohe_device_get_model (device));
		g_assert_nonnull (ohe_device_get_device_type (device));
	}
}

static void
test_webhook (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind bp[] = {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE};
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
	g_autoptr (GArray) kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	g_autoptr (GError) error = NULL;
	Receiver receiver = {OHE_PROVIDER (f->provider), 0, 0, NULL,
			     g_ptr_array_new_with_free_func (g_object_unref)};
	g_autofree gchar *hook = NULL;
	g_autofree gchar *forged = NULL;
	g_autofree gchar *good = NULL;
	g_autofree gchar *body =
	    ohe_sim_withings_build_notification (f->user->id, 4, 1736935112, 1736935200);
	OheSyncHint *hint;
	GSList *uris;

	soup_server_add_handler (server, "/w", receiver_cb, &receiver, NULL);
	g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	g_assert_no_error (error);
	uris = soup_server_get_uris (server);
	hook = g_strdup_printf ("http://127.0.0.1:%d/w", g_uri_get_port (uris->data));
	g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

	/* Withings checks the URL with HEAD before it subscribes */
	g_assert_cmpuint (send_to ("HEAD", hook, NULL, NULL), ==, 200);
	g_assert_cmpuint (receiver.hints->len, ==, 0);

	g_array_append_vals (kinds, bp, G_N_ELEMENTS (bp));
	g_assert_true (ohe_provider_subscribe (OHE_PROVIDER (f->provider), "link-1", token, hook,
					       kinds, NULL, &error));
	g_assert_no_error (error);

	/* good: through the subscription, so with the secret the URL carries */
	sim_notify (f, 4, 1736935112, 1736935200);
	g_assert_cmpuint (receiver.deliveries, ==, 2);
	g_assert_no_error (receiver.last_error);
	g_assert_cmpuint (receiver.last_status, ==, 200);
	g_assert_cmpuint (receiver.hints->len, ==, 1);
	hint = g_ptr_array_index (receiver.hints, 0);
	g_assert_cmpstr (ohe_sync_hint_get_external_user_id (hint), ==, f->user->id);
	g_assert_cmpint (ohe_sync_hint_get_start (hint), ==,
			 G_GINT64_CONSTANT (1736935112) * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_sync_hint_get_end (hint), ==,
			 G_GINT64_CONSTANT (1736935201) * G_USEC_PER_SEC);
	g_assert_true (ohe_sync_hint_has_kind (hint, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE));

	/* replayed: the same delivery again is acknowledged but schedules nothing */
	sim_notify (f, 4, 1736935112, 1736935200);
	g_assert_cmpuint (receiver.deliveries, ==, 3);
	g_assert_error (receiver.last_error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_cmpuint (receiver.last_status, ==, 200);
	g_assert_cmpuint (receiver.hints->len, ==, 1);

	/* unsigned: the right body without the URL secret */
	g_assert_cmpuint (send_to ("POST", hook, "application/x-www-form-urlencoded", body), ==,
			  403);
	g_assert_error (receiver.last_error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (receiver.last_error->message, ==,
			 "withings notification is unsigned: the callback URL token is missing");

	/* forged: a guessed secret */
	forged = g_strconcat (hook, "?hook_token=guess", NULL);
	g_assert_cmpuint (send_to ("POST", forged, "application/x-www-form-urlencoded", body), ==,
			  403);
	g_assert_error (receiver.last_error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (receiver.last_error->message, ==,
			 "withings notification is forged: the callback URL token is wrong");

	/* with the secret but a body that is not a notification */
	good = g_strconcat (hook, "?hook_token=" CALLBACK_SECRET, NULL);
	g_assert_cmpuint (
	    send_to ("POST", good, "application/x-www-form-urlencoded", "userid=1&appli=99"), ==,
	    400);
	g_assert_error (receiver.last_error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (receiver.last_error->message, ==,
			 "withings: notification field 'appli' has unknown value 99");
	/* an empty test POST is answered 200 and gives nothing */
	g_assert_cmpuint (send_to ("POST", hook, "application/x-www-form-urlencoded", ""), ==, 200);
	g_assert_no_error (receiver.last_error);
	g_assert_cmpuint (send_to ("DELETE", good, NULL, NULL), ==, 405);
	g_assert_error (receiver.last_error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED);
	g_assert_cmpuint (receiver.hints->len, ==, 1);

	soup_server_disconnect (server);
	g_clear_error (&receiver.last_error);
	g_ptr_array_unref (receiver.hints);
}

static void
test_intraday_ecg (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_STEPS, OHE_MEASUREMENT_KIND_ECG,
					    OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION};
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) steps = ohe_sim_data_generate (f->user->seed, f->user->id,
							  OHE_MEASUREMENT_KIND_STEPS,
							  f->user->data_from, f->user->data_to);

	g_assert_true (fetch (f, token, kinds, G_N_ELEMENTS (kinds), &error));
	g_assert_no_error (error);
	g_assert_cmpuint (count_kind (f->emitted, OHE_MEASUREMENT_KIND_STEPS), ==, steps->len);
	g_assert_cmpuint (count_kind (f->emitted, OHE_MEASUREMENT_KIND_ECG), >=, 2);
	g_assert_cmpuint (count_kind (f->emitted, OHE_MEASUREMENT_KIND_ECG), ==,
			  count_kind (f->emitted, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION));
	/* 3 days of intraday in 24 h windows */
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/v2/measure"), ==,
			  3);
	g_assert_nonnull (strstr (f->cursor, ";intraday="));
}

/*
 * Every emitted body weight is one of the generator's samples, with its exact value; returns
 * how many there were. Weights are the only kind these fetches ask for.
 */
static guint
assert_weights_exact (Fixture *f, GArray *samples)
{
	for (guint i = 0; i < f->emitted->len; i++) {
		OheMeasurement *m = g_ptr_array_index (f->emitted, i);
		const OheSimSample *sample;
		g_autofree gchar *value = NULL;
		g_autofree gchar *expected = NULL;
		gint64 mantissa = 0;
		gint exponent = 0;
		guint j = 0;

		g_assert_cmpint (ohe_measurement_get_kind (m), ==,
				 OHE_MEASUREMENT_KIND_BODY_WEIGHT);
		g_assert_cmpstr (ohe_measurement_get_unit (m), ==, "kg");
		while (j < samples->len &&
		       g_array_index (samples, OheSimSample, j).time * G_USEC_PER_SEC !=
			   ohe_measurement_get_start (m))
			j++;
		g_assert_cmpuint (j, <, samples->len);
		sample = &g_array_index (samples, OheSimSample, j);
		/* the same number: Withings may send fewer trailing zeros than the generator */
		ohe_measurement_get_value_decimal (m, &mantissa, &exponent);
		ohe_decimal_normalize (&mantissa, &exponent);
		value = ohe_decimal_to_string (mantissa, exponent);
		mantissa = sample->values[0];
		exponent = sample->exponent;
		ohe_decimal_normalize (&mantissa, &exponent);
		expected = ohe_decimal_to_string (mantissa, exponent);
		g_assert_cmpstr (value, ==, expected);
	}
	return f->emitted->len;
}

static GArray *
generate_weights (Fixture *f)
{
	return ohe_sim_data_generate (f->user->seed, f->user->id, OHE_MEASUREMENT_KIND_BODY_WEIGHT,
				      f->user->data_from, f->user->data_to);
}

/* how the HTTP client words a request whose every attempt failed on the transport */
static gchar *
expected_failure (Fixture *f, guint attempts)
{
	return g_strdup_printf ("withings getmeas: withings: POST 127.0.0.1:%u failed after %u "
				"attempts: ",
				ohe_sim_server_get_port (f->server), attempts);
}

/*
 * "truncate": the headers announce the whole body, the connection closes after half of it.
 * The HTTP client takes the short body for the transport error it is and retries; when every
 * attempt is cut, the fetch fails with a transient error, keeps what earlier pages emitted and
 * moves no cursor, and the job's retry gets everything.
 */
static void
test_truncate (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_BODY_WEIGHT};
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GArray) weights = generate_weights (f);
	g_autofree gchar *expected = expected_failure (f, 5);
	g_autofree gchar *cursor = NULL;
	OheSimFault *fault = ohe_sim_server_get_fault (f->server);

	/* one weight a day: one measure group per page makes three pages */
	ohe_sim_withings_set_page_size (f->server, 1);
	g_assert_cmpuint (weights->len, ==, 3);

	/* one cut answer: retried inside the client, the fetch does not notice */
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "truncate", 1, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (fetch (f, token, kinds, 1, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_TRUNCATE), ==, 1);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/measure"), ==, 4);
	g_assert_cmpuint (assert_weights_exact (f, weights), ==, 3);
	g_assert_true (g_str_has_prefix (f->cursor, "lastupdate="));

	/* page 2 and all its retries cut: page 1 stays emitted, the cursor (last page) unset */
	g_ptr_array_set_size (f->emitted, 0);
	g_clear_pointer (&f->cursor, g_free);
	ohe_sim_server_reset_stats (f->server);
	f->fault_on_emit = "truncate";
	f->fault_on_emit_count = 5;
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_true (g_str_has_prefix (error->message, expected));
		/* "connection closed after HALF of FULL body bytes"; the size follows the data */
		g_assert_nonnull (strstr (error->message, ": connection closed after "));
		g_assert_true (g_str_has_suffix (error->message, " body bytes"));
		g_assert_true (ohe_error_is_transient (error));
		/* the token never reaches an error message */
		g_assert_null (strstr (error->message, ohe_token_get_access_token (token)));
	}
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_TRUNCATE), ==, 6);
	g_assert_cmpuint (ohe_sim_fault_get_pending (fault), ==, 0);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/measure"), ==, 6);
	g_assert_cmpuint (assert_weights_exact (f, weights), ==, 1);
	g_assert_null (f->cursor);

	/* five transport failures opened the breaker; once it half-opens, the job is retried */
	ohe_clock_advance (f->clock, 120 * G_USEC_PER_SEC);
	g_ptr_array_set_size (f->emitted, 0);
	ohe_sim_server_reset_stats (f->server);
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (fetch (f, token, kinds, 1, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/measure"), ==, 3);
	g_assert_cmpuint (assert_weights_exact (f, weights), ==, 3);
	g_assert_true (g_str_has_prefix (f->cursor, "lastupdate="));
	cursor = g_strdup (f->cursor);

	/* an incremental fetch whose only page is always cut: nothing emitted, cursor kept */
	g_ptr_array_set_size (f->emitted, 0);
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "truncate", 5, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_true (g_str_has_prefix (error->message, expected));
	}
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_TRUNCATE), ==, 11);
	g_assert_cmpuint (f->emitted->len, ==, 0);
	g_assert_cmpstr (f->cursor, ==, cursor);
}

/*
 * "slow:MS": the normal answer, late. Within the client's I/O timeout that is only a delay;
 * beyond it the attempt times out and is retried, and when every attempt does the fetch fails
 * with a transient error that a later fetch recovers from.
 */
static void
test_slow (Fixture *f, gconstpointer data)
{
	const OheMeasurementKind kinds[] = {OHE_MEASUREMENT_KIND_BODY_WEIGHT};
	g_autoptr (OheToken) token = link_user (f);
	g_autoptr (GArray) weights = generate_weights (f);
	g_autofree gchar *failure = expected_failure (f, 2);
	/* GIO's words, in the C locale of the tests */
	g_autofree gchar *expected = g_strconcat (failure, "Socket I/O timed out", NULL);
	OheSimFault *fault = ohe_sim_server_get_fault (f->server);
	OheHttpClient *client =
	    ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (f->provider));
	gint64 started;

	/* 300 ms late, default 30 s timeout: one request, exact values */
	ohe_sim_server_reset_stats (f->server);
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "slow:300", 1, NULL));
	started = g_get_monotonic_time ();
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (fetch (f, token, kinds, 1, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpint (g_get_monotonic_time () - started, >=, 300 * G_TIME_SPAN_MILLISECOND);
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_SLOW), ==, 1);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/measure"), ==, 1);
	g_assert_cmpuint (assert_weights_exact (f, weights), ==, weights->len);

	/* a 1 s timeout and one answer 2.5 s late: that attempt times out, the retry answers */
	ohe_http_client_set_timeout (client, 1);
	g_ptr_array_set_size (f->emitted, 0);
	g_clear_pointer (&f->cursor, g_free);
	ohe_sim_server_reset_stats (f->server);
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "slow:2500", 1, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (fetch (f, token, kinds, 1, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/measure"), ==, 2);
	g_assert_cmpuint (assert_weights_exact (f, weights), ==, weights->len);

	/* two attempts, both late: a transient error, nothing emitted, no cursor */
	ohe_http_client_set_max_attempts (client, 2);
	g_ptr_array_set_size (f->emitted, 0);
	g_clear_pointer (&f->cursor, g_free);
	ohe_sim_server_reset_stats (f->server);
	g_assert_true (ohe_sim_fault_queue (fault, "/withings/measure", "slow:2500", 2, NULL));
	{
		g_autoptr (GError) error = NULL;
		g_assert_false (fetch (f, token, kinds, 1, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_cmpstr (error->message, ==, expected);
		g_assert_true (ohe_error_is_transient (error));
	}
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_SLOW), ==, 4);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/withings/measure"), ==, 2);
	g_assert_cmpuint (f->emitted->len, ==, 0);
	g_assert_null (f->cursor);

	/* the job's retry, still under the short timeout, gets everything */
	{
		g_autoptr (GError) error = NULL;
		g_assert_true (fetch (f, token, kinds, 1, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpuint (assert_weights_exact (f, weights), ==, weights->len);
	g_assert_true (g_str_has_prefix (f->cursor, "lastupdate="));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add ("/withings/sim/backfill", Fixture, NULL, fixture_setup, test_backfill,
		    fixture_teardown);
	g_test_add ("/withings/sim/faults", Fixture, NULL, fixture_setup, test_faults,
		    fixture_teardown);
	g_test_add ("/withings/sim/subscriptions", Fixture, NULL, fixture_setup, test_subscriptions,
		    fixture_teardown);
	g_test_add ("/withings/sim/subscribe-needs-secret", Fixture, NULL, fixture_setup,
		    test_subscribe_needs_secret, fixture_teardown);
	g_test_add ("/withings/sim/list-devices", Fixture, NULL, fixture_setup, test_list_devices,
		    fixture_teardown);
	g_test_add ("/withings/sim/webhook", Fixture, NULL, fixture_setup, test_webhook,
		    fixture_teardown);
	g_test_add ("/withings/sim/intraday-ecg", Fixture, NULL, fixture_setup, test_intraday_ecg,
		    fixture_teardown);
	g_test_add ("/withings/sim/truncate", Fixture, NULL, fixture_setup, test_truncate,
		    fixture_teardown);
	g_test_add ("/withings/sim/slow", Fixture, NULL, fixture_setup, test_slow,
		    fixture_teardown);
	return g_test_run ();
}
