/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fitbit-provider.h"
#include "ohe-sim-google.h"
#include "ohe-sim-server.h"

/*
 * An 11-day backfill against a simulator that enforces Google's "N requests per user in
 * any window" the way the API does (HTTP 429). The window is scaled down (LIMIT per
 * WINDOW_S instead of 300 per 60 s) so the test runs in seconds; the client must end with
 * no 429 and take at most 1.1 times the floor, the requests it needed divided by the
 * limit, times the window. Up to WINDOW_S / LIMIT (150 ms) of work per request, the limit
 * and not the machine sets the pace.
 */

#define DAYS	 11
#define LIMIT	 20
#define WINDOW_S 3
#define LINK	 "link-1"
#define CB	 "http://127.0.0.1:1/cb"

/*
 * ASan and valgrind slow the work per request far beyond WINDOW_S / LIMIT: there the
 * backfill is shorter and only its correctness is checked (no 429, never more than LIMIT
 * per window), not its pace, which the default build asserts.
 */
#define SHORT_DAYS 3

static gboolean
test_is_instrumented (void)
{
	const gchar *preload = g_getenv ("LD_PRELOAD");
	return g_getenv ("ASAN_OPTIONS") != NULL ||
	       (preload != NULL && strstr (preload, "vgpreload") != NULL);
}

typedef struct {
	OheSimServer *server;
	OheFitbitProvider *provider;
	const OheSimUser *user;
	OheRateLimiter *limiter;
	guint n_emitted;
} Fixture;

static void
fixture_start (Fixture *f, guint client_limit)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GPtrArray) users = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *api = NULL;
	g_autofree gchar *authorize = NULL;
	g_autofree gchar *token = NULL;
	guint port = 0;

	f->server = ohe_sim_server_new (7, &error);
	g_assert_no_error (error);
	ohe_sim_google_register (f->server);
	ohe_sim_google_set_client (f->server, "cid", "csecret");
	ohe_sim_server_set_rate_limit (
	    f->server, "/google",
	    ohe_sim_rate_limit_new (LIMIT, WINDOW_S * 1000, OHE_SIM_RATE_SCOPE_USER));
	users =
	    ohe_sim_server_add_users (f->server, 1, test_is_instrumented () ? SHORT_DAYS : DAYS, 7);
	f->user = g_ptr_array_index (users, 0);
	g_assert_true (ohe_sim_server_start_in_thread (f->server, &port, &error));
	g_assert_no_error (error);
	base = ohe_sim_server_get_base_url (f->server);
	api = g_strconcat (base, "/google", NULL);
	authorize = g_strconcat (base, "/google/o/oauth2/v2/auth", NULL);
	token = g_strconcat (base, "/google/token", NULL);

	g_key_file_set_string (config, "plugin:fitbit", "client_id", "cid");
	g_key_file_set_string (config, "plugin:fitbit", "client_secret", "csecret");
	g_key_file_set_string (config, "plugin:fitbit", "api_base", api);
	g_key_file_set_string (config, "plugin:fitbit", "authorize_url", authorize);
	g_key_file_set_string (config, "plugin:fitbit", "token_url", token);
	g_key_file_set_integer (config, "plugin:fitbit", "rate_limit_requests", client_limit);
	g_key_file_set_integer (config, "plugin:fitbit", "rate_limit_window", WINDOW_S);
	f->provider = g_object_new (OHE_TYPE_FITBIT_PROVIDER, "name", "fitbit", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (f->provider), config);
	/* as the host does: the budget lives in the limiter, not in the plugin */
	f->limiter = ohe_memory_rate_limiter_new (NULL);
	ohe_plugin_set_rate_limiter (OHE_PLUGIN (f->provider), f->limiter);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (f->provider), NULL, &error));
	g_assert_no_error (error);
	/* a 429 fails the request at once: retries would hide it */
	ohe_http_client_set_max_attempts (
	    ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (f->provider)), 1);
}

static void
fixture_stop (Fixture *f)
{
	ohe_sim_server_stop (f->server);
	g_assert_finalize_object (f->provider);
	g_object_unref (f->server);
	g_object_unref (f->limiter);
}

static OheToken *
link_user (Fixture *f)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *verifier = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *challenge = ohe_oauth2_compute_code_challenge (verifier);
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autoptr (SoupMessage) msg = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GUri) location = NULL;
	g_autoptr (GHashTable) params = NULL;
	g_autofree gchar *url = ohe_provider_build_authorize_url (OHE_PROVIDER (f->provider),
								  "state-1", challenge, CB, &error);
	OheToken *token;

	g_assert_no_error (error);
	msg = soup_message_new ("GET", url);
	soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
	body = soup_session_send_and_read (session, msg, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_FOUND);
	location = g_uri_parse (
	    soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"),
	    G_URI_FLAGS_ENCODED_QUERY, &error);
	g_assert_no_error (error);
	params =
	    g_uri_parse_params (g_uri_get_query (location), -1, "&", G_URI_PARAMS_NONE, &error);
	g_assert_no_error (error);
	token = ohe_provider_exchange_code (OHE_PROVIDER (f->provider),
					    g_hash_table_lookup (params, "code"), verifier, CB,
					    NULL, &error);
	g_assert_no_error (error);
	/* the exchange reads the identity before any link exists, so no user budget counts
	 * that call: let it leave the simulator's window before the backfill starts */
	g_usleep (WINDOW_S * G_USEC_PER_SEC);
	ohe_sim_server_reset_stats (f->server);
	return token;
}

static gboolean
count_cb (OheFetchRequest *request,
	  GPtrArray *ms,
	  const gchar *cursor,
	  gpointer user_data,
	  GError **error)
{
	Fixture *f = user_data;
	f->n_emitted += ms->len;
	return TRUE;
}

static gboolean
backfill (Fixture *f, OheToken *token, GError **error)
{
	g_autoptr (GArray) kinds = ohe_provider_get_kinds (OHE_PROVIDER (f->provider));
	g_autoptr (OheFetchRequest) req = ohe_fetch_request_new (
	    LINK, f->user->data_from * G_USEC_PER_SEC, f->user->data_to * G_USEC_PER_SEC);
	for (guint i = 0; i < kinds->len; i++)
		ohe_fetch_request_add_kind (req, g_array_index (kinds, OheMeasurementKind, i));
	ohe_fetch_request_set_token (req, token);
	ohe_fetch_request_set_emit_func (req, count_cb, f, NULL);
	return ohe_provider_fetch (OHE_PROVIDER (f->provider), req, NULL, error);
}

/* the requests the simulator counted in the user's window: those carrying a bearer token */
static guint
count_api_requests (Fixture *f)
{
	return ohe_sim_server_get_request_count (f->server, NULL) -
	       ohe_sim_server_get_request_count (f->server, "/google/token");
}

static void
test_backfill_11_days (void)
{
	Fixture f = {0};
	g_autoptr (OheToken) token = NULL;
	g_autoptr (GError) error = NULL;
	gint64 start;
	gdouble elapsed;
	gdouble floor_s;
	guint requests;

	fixture_start (&f, LIMIT);
	token = link_user (&f);
	start = g_get_monotonic_time ();
	backfill (&f, token, &error);
	g_assert_no_error (error);
	elapsed = (gdouble)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
	/* the requests were counted in the host's limiter, under the provider's budget */
	{
		g_autoptr (OheRateLimiter) used = ohe_http_client_get_rate_limiter (
		    ohe_oauth2_provider_get_http_client (OHE_OAUTH2_PROVIDER (f.provider)));
		g_assert_true (used == f.limiter);
		g_assert_cmpuint (
		    ohe_memory_rate_limiter_count (OHE_MEMORY_RATE_LIMITER (f.limiter),
						   "fitbit:user:" LINK, WINDOW_S * G_USEC_PER_SEC),
		    >, 0);
	}
	requests = count_api_requests (&f);
	floor_s = (gdouble)requests / LIMIT * WINDOW_S;
	g_test_message ("%d-day backfill: %u measurements, %u requests, %.2f s, floor %.2f s "
			"(%.3f of it), peak %u per %d s",
			(gint)((f.user->data_to - f.user->data_from) / 86400), f.n_emitted,
			requests, elapsed, floor_s, elapsed / floor_s,
			ohe_sim_server_get_rate_peak (f.server, "/google"), WINDOW_S);

	g_assert_cmpuint (ohe_sim_server_get_rate_limited (f.server, "/google"), ==, 0);
	g_assert_cmpuint (f.n_emitted, >, 0);
	g_assert_cmpuint (ohe_sim_server_get_rate_peak (f.server, "/google"), <=, LIMIT);
	if (test_is_instrumented ()) {
		g_test_message ("instrumented build: the pace is not checked");
		fixture_stop (&f);
		return;
	}
	g_assert_cmpuint (requests, >, 3 * LIMIT);
	g_assert_cmpuint (ohe_sim_server_get_rate_peak (f.server, "/google"), ==, LIMIT);
	g_assert_cmpfloat (elapsed, <=, 1.1 * floor_s);
	g_assert_cmpfloat (elapsed, >=, ((requests + LIMIT - 1) / LIMIT - 1) * WINDOW_S - 0.01);
	fixture_stop (&f);
}

/* the control: a client allowing twice the API's limit draws 429 within one window */
static void
test_over_limit_429 (void)
{
	Fixture f = {0};
	g_autoptr (OheToken) token = NULL;
	g_autoptr (GError) error = NULL;

	fixture_start (&f, 2 * LIMIT);
	token = link_user (&f);
	g_assert_false (backfill (&f, token, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
	g_assert_cmpuint (ohe_sim_server_get_rate_limited (f.server, "/google"), ==, 1);
	/* at least the window's LIMIT went through first (more if the machine is so slow that
	 * the first ones left the window before the client had sent twice as many) */
	g_assert_cmpuint (count_api_requests (&f), >=, LIMIT + 1);
	fixture_stop (&f);
}

static void
test_bad_config (void)
{
	const gchar *cases[][3] = {
	    {"rate_limit_requests", "0", "100000"},
	    {"rate_limit_window", "sixty", "86400"},
	    {"rate_limit_requests", "100001", "100000"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GKeyFile) config = g_key_file_new ();
		g_autoptr (OheFitbitProvider) provider =
			       g_object_new (OHE_TYPE_FITBIT_PROVIDER, "name", "fitbit", NULL);
		g_autoptr (GError) error = NULL;
		g_autofree gchar *expected =
		    g_strdup_printf ("[plugin:fitbit] %s = '%s' is not an integer between 1 and %s",
				     cases[i][0], cases[i][1], cases[i][2]);
		g_key_file_set_string (config, "plugin:fitbit", cases[i][0], cases[i][1]);
		ohe_plugin_set_config (OHE_PLUGIN (provider), config);
		g_assert_false (ohe_plugin_setup (OHE_PLUGIN (provider), NULL, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_nonnull (strstr (error->message, expected));
	}
}

int
main (int argc, char **argv)
{
	g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/fitbit/rate-limit/backfill-11-days", test_backfill_11_days);
	g_test_add_func ("/fitbit/rate-limit/over-limit-429", test_over_limit_429);
	g_test_add_func ("/fitbit/rate-limit/bad-config", test_bad_config);
	return g_test_run ();
}
