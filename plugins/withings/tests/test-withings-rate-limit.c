/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>
#include <string.h>

#include "ohe-sim-server.h"
#include "ohe-sim-withings.h"
#include "ohe-withings-provider.h"

/*
 * A 90-day backfill against a simulator that enforces Withings' "N requests per
 * application in any window" the way the cloud does (status 601). The window is scaled
 * down (LIMIT per WINDOW_S instead of 120 per 60 s) so the test runs in seconds; the
 * client must end with no 601 and take at most 1.1 times the floor, the requests it needed
 * divided by the limit, times the window. Up to WINDOW_S / LIMIT (150 ms) of work per
 * request, the limit and not the machine sets the pace.
 */

#define CLIENT_ID     "sim-client"
#define CLIENT_SECRET "sim-secret-0123456789"
#define REDIRECT      "https://app.example.org/cb"
#define DAYS	      90
#define LIMIT	      20
#define WINDOW_S      3

/*
 * ASan and valgrind slow the work per request far beyond WINDOW_S / LIMIT: there the
 * backfill is shorter and only its correctness is checked (no 601, never more than LIMIT
 * per window), not its pace, which the default build asserts.
 */
#define SHORT_DAYS 10

static gboolean
test_is_instrumented (void)
{
	const gchar *preload = g_getenv ("LD_PRELOAD");
	return g_getenv ("ASAN_OPTIONS") != NULL ||
	       (preload != NULL && strstr (preload, "vgpreload") != NULL);
}

/* a host limiter that also counts the requests it admitted, per bucket */
#define TEST_TYPE_COUNTING_LIMITER (test_counting_limiter_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingLimiter, test_counting_limiter, TEST, COUNTING_LIMITER, GObject)

struct _TestCountingLimiter {
	GObject parent_instance;
	OheRateLimiter *inner; /* owned */
	GHashTable *admitted;  /* owned, bucket → count */
	guint n_admitted;
};

static void
test_counting_limiter_iface_init (OheRateLimiterInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestCountingLimiter,
			 test_counting_limiter,
			 G_TYPE_OBJECT,
			 G_IMPLEMENT_INTERFACE (OHE_TYPE_RATE_LIMITER,
						test_counting_limiter_iface_init))

static gboolean
test_counting_limiter_acquire (OheRateLimiter *limiter,
			       const OheRateLimit *limits,
			       guint n_limits,
			       gint64 *wait_us,
			       guint64 *ticket,
			       GError **error)
{
	TestCountingLimiter *self = TEST_COUNTING_LIMITER (limiter);
	if (!ohe_rate_limiter_acquire (self->inner, limits, n_limits, wait_us, ticket, error))
		return FALSE;
	if (*wait_us > 0)
		return TRUE;
	self->n_admitted++;
	for (guint i = 0; i < n_limits; i++) {
		guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->admitted, limits[i].bucket));
		g_hash_table_replace (self->admitted, g_strdup (limits[i].bucket),
				      GUINT_TO_POINTER (n + 1));
	}
	return TRUE;
}

static void
test_counting_limiter_complete (OheRateLimiter *limiter,
				const OheRateLimit *limits,
				guint n_limits,
				guint64 ticket)
{
	ohe_rate_limiter_complete (TEST_COUNTING_LIMITER (limiter)->inner, limits, n_limits,
				   ticket);
}

static void
test_counting_limiter_iface_init (OheRateLimiterInterface *iface)
{
	iface->acquire = test_counting_limiter_acquire;
	iface->complete = test_counting_limiter_complete;
}

static void
test_counting_limiter_finalize (GObject *object)
{
	TestCountingLimiter *self = TEST_COUNTING_LIMITER (object);
	g_object_unref (self->inner);
	g_hash_table_unref (self->admitted);
	G_OBJECT_CLASS (test_counting_limiter_parent_class)->finalize (object);
}

static void
test_counting_limiter_class_init (TestCountingLimiterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = test_counting_limiter_finalize;
}

static void
test_counting_limiter_init (TestCountingLimiter *self)
{
	self->inner = ohe_memory_rate_limiter_new (NULL);
	self->admitted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static guint
test_counting_limiter_get (TestCountingLimiter *self, const gchar *bucket)
{
	return GPOINTER_TO_UINT (g_hash_table_lookup (self->admitted, bucket));
}

typedef struct {
	OheSimServer *server;
	OheWithingsProvider *provider;
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
	guint port = 0;

	f->server = ohe_sim_server_new (42, &error);
	g_assert_no_error (error);
	ohe_sim_withings_register (f->server);
	ohe_sim_withings_set_client (f->server, CLIENT_ID, CLIENT_SECRET);
	ohe_sim_server_set_rate_limit (
	    f->server, "/withings",
	    ohe_sim_rate_limit_new (LIMIT, WINDOW_S * 1000, OHE_SIM_RATE_SCOPE_APP));
	users =
	    ohe_sim_server_add_users (f->server, 1, test_is_instrumented () ? SHORT_DAYS : DAYS, 7);
	f->user = g_ptr_array_index (users, 0);
	g_assert_true (ohe_sim_server_start_in_thread (f->server, &port, &error));
	g_assert_no_error (error);
	base = ohe_sim_server_get_base_url (f->server);
	api = g_strconcat (base, "/withings", NULL);
	authorize = g_strconcat (api, "/oauth2_user/authorize2", NULL);

	g_key_file_set_string (config, "plugin:withings", "api_base", api);
	g_key_file_set_string (config, "plugin:withings", "authorize_url", authorize);
	g_key_file_set_string (config, "plugin:withings", "client_id", CLIENT_ID);
	g_key_file_set_string (config, "plugin:withings", "client_secret", CLIENT_SECRET);
	g_key_file_set_string (config, "plugin:withings", "callback_url",
			       "https://hooks.example.org/w");
	g_key_file_set_string (config, "plugin:withings", "callback_secret",
			       "rate-limit-test-secret");
	g_key_file_set_integer (config, "plugin:withings", "rate_limit_requests", client_limit);
	g_key_file_set_integer (config, "plugin:withings", "rate_limit_window", WINDOW_S);
	/* a 601 fails the fetch at once instead of waiting a minute */
	g_key_file_set_integer (config, "plugin:withings", "rate_limit_waits", 0);
	f->provider = g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (f->provider), config);
	/* as the host does: the budget lives in the limiter, not in the plugin */
	if (f->limiter == NULL)
		f->limiter = ohe_memory_rate_limiter_new (NULL);
	ohe_plugin_set_rate_limiter (OHE_PLUGIN (f->provider), f->limiter);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (f->provider), NULL, &error));
	g_assert_no_error (error);
}

static void
fixture_stop (Fixture *f)
{
	ohe_sim_server_stop (f->server);
	g_assert_finalize_object (f->provider);
	g_object_unref (f->server);
	g_object_unref (f->limiter);
}

/* consent through the simulator, as a browser would */
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
	token = ohe_provider_exchange_code (OHE_PROVIDER (f->provider),
					    g_hash_table_lookup (query, "code"), NULL, REDIRECT,
					    NULL, &error);
	g_assert_no_error (error);
	/* the browser's authorize request is not the client's to count: let it leave the
	 * simulator's window before the backfill starts */
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
	    "link-1", f->user->data_from * G_USEC_PER_SEC, f->user->data_to * G_USEC_PER_SEC);
	for (guint i = 0; i < kinds->len; i++)
		ohe_fetch_request_add_kind (req, g_array_index (kinds, OheMeasurementKind, i));
	ohe_fetch_request_set_token (req, token);
	ohe_fetch_request_set_emit_func (req, count_cb, f, NULL);
	return ohe_provider_fetch (OHE_PROVIDER (f->provider), req, NULL, error);
}

static void
test_backfill_90_days (void)
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
						   "withings:app", WINDOW_S * G_USEC_PER_SEC),
		    >, 0);
	}
	requests = ohe_sim_server_get_request_count (f.server, NULL);
	floor_s = (gdouble)requests / LIMIT * WINDOW_S;
	g_test_message ("%d-day backfill: %u measurements, %u requests, %.2f s, floor %.2f s "
			"(%.3f of it), peak %u per %d s",
			(gint)((f.user->data_to - f.user->data_from) / 86400), f.n_emitted,
			requests, elapsed, floor_s, elapsed / floor_s,
			ohe_sim_server_get_rate_peak (f.server, "/withings"), WINDOW_S);

	g_assert_cmpuint (ohe_sim_server_get_rate_limited (f.server, "/withings"), ==, 0);
	g_assert_cmpuint (f.n_emitted, >, 0);
	g_assert_cmpuint (ohe_sim_server_get_rate_peak (f.server, "/withings"), <=, LIMIT);
	if (test_is_instrumented ()) {
		g_test_message ("instrumented build: the pace is not checked");
		fixture_stop (&f);
		return;
	}
	/* enough requests that the window binds several times */
	g_assert_cmpuint (requests, >, 3 * LIMIT);
	/* the budget was used to its limit, never beyond */
	g_assert_cmpuint (ohe_sim_server_get_rate_peak (f.server, "/withings"), ==, LIMIT);
	g_assert_cmpfloat (elapsed, <=, 1.1 * floor_s);
	/* and paced: no client that keeps the limit is faster than this */
	g_assert_cmpfloat (elapsed, >=, ((requests + LIMIT - 1) / LIMIT - 1) * WINDOW_S - 0.01);
	fixture_stop (&f);
}

/* the control: a client allowing twice the cloud's limit draws 601 within one window */
static void
test_over_limit_601 (void)
{
	Fixture f = {0};
	g_autoptr (OheToken) token = NULL;
	g_autoptr (GError) error = NULL;

	fixture_start (&f, 2 * LIMIT);
	token = link_user (&f);
	if (!test_is_instrumented ()) {
		g_assert_false (backfill (&f, token, &error));
	} else {
		/* the short backfill has too few requests, and too much work per request, to
		 * send more than LIMIT in one window there: small notify list calls can */
		for (guint i = 0; i < 3 * LIMIT && error == NULL; i++) {
			g_autoptr (GPtrArray) subs = ohe_provider_list_subscriptions (
			    OHE_PROVIDER (f.provider), "link-1", token, NULL, &error);
		}
	}
	g_assert_error (error, OHE_ERROR, OHE_ERROR_RATE_LIMITED);
	g_assert_cmpuint (ohe_sim_server_get_rate_limited (f.server, "/withings"), ==, 1);
	/* at least the window's LIMIT went through first (more if the machine is so slow that
	 * the first ones left the window before the client had sent twice as many) */
	g_assert_cmpuint (ohe_sim_server_get_request_count (f.server, NULL), >=, LIMIT + 1);
	fixture_stop (&f);
}

/* token, notify, nonce and data calls all count in the one application budget */
static void
test_every_call_counts (void)
{
	Fixture f = {0};
	TestCountingLimiter *counting = g_object_new (TEST_TYPE_COUNTING_LIMITER, NULL);
	g_autoptr (OheToken) token = NULL;
	g_autoptr (OheToken) refreshed = NULL;
	g_autoptr (GPtrArray) subs = NULL;
	g_autoptr (GArray) kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	const OheMeasurementKind bp = OHE_MEASUREMENT_KIND_BLOOD_PRESSURE;
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFetchRequest) req = NULL;

	f.limiter = OHE_RATE_LIMITER (counting);
	fixture_start (&f, LIMIT);
	token = link_user (&f);
	/* the code exchange: one token request */
	g_assert_cmpuint (counting->n_admitted, ==, 1);
	g_assert_cmpuint (test_counting_limiter_get (counting, "withings:app"), ==, 1);

	refreshed =
	    ohe_provider_refresh_token (OHE_PROVIDER (f.provider), "link-1", token, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (refreshed);
	g_array_append_val (kinds, bp);
	g_assert_true (ohe_provider_subscribe (OHE_PROVIDER (f.provider), "link-1", refreshed, NULL,
					       kinds, NULL, &error));
	g_assert_no_error (error);
	subs = ohe_provider_list_subscriptions (OHE_PROVIDER (f.provider), "link-1", refreshed,
						NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (subs->len, ==, 1);
	g_assert_true (ohe_provider_unsubscribe (OHE_PROVIDER (f.provider), "link-1", refreshed,
						 NULL, NULL, &error));
	g_assert_no_error (error);
	/* one day of weights: one data request */
	req = ohe_fetch_request_new ("link-1", (f.user->data_to - 86400) * G_USEC_PER_SEC,
				     f.user->data_to * G_USEC_PER_SEC);
	ohe_fetch_request_add_kind (req, OHE_MEASUREMENT_KIND_BODY_WEIGHT);
	ohe_fetch_request_set_token (req, refreshed);
	ohe_fetch_request_set_emit_func (req, count_cb, &f, NULL);
	g_assert_true (ohe_provider_fetch (OHE_PROVIDER (f.provider), req, NULL, &error));
	g_assert_no_error (error);
	/* revoking asks for a signature nonce, then revokes: two more requests */
	g_assert_true (
	    ohe_provider_revoke (OHE_PROVIDER (f.provider), "link-1", refreshed, NULL, &error));
	g_assert_no_error (error);

	/* every request the cloud saw after the exchange went through the budget, under
	 * the application's bucket and no other */
	g_assert_cmpuint (ohe_sim_server_get_request_count (f.server, NULL), >=, 6);
	g_assert_cmpuint (counting->n_admitted, ==,
			  1 + ohe_sim_server_get_request_count (f.server, NULL));
	g_assert_cmpuint (test_counting_limiter_get (counting, "withings:app"), ==,
			  counting->n_admitted);
	g_assert_cmpuint (g_hash_table_size (counting->admitted), ==, 1);
	g_assert_cmpuint (ohe_sim_server_get_rate_limited (f.server, "/withings"), ==, 0);
	fixture_stop (&f);
}

/* a value that is no budget stops the setup, naming group, key and value */
static void
test_bad_config (void)
{
	const gchar *cases[][3] = {
	    {"rate_limit_requests", "0", "100000"},   {"rate_limit_requests", "many", "100000"},
	    {"rate_limit_window", "-5", "86400"},     {"rate_limit_window", "86401", "86400"},
	    {"rate_limit_requests", "1.5", "100000"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GKeyFile) config = g_key_file_new ();
		g_autoptr (OheWithingsProvider) provider =
			       g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
		g_autoptr (GError) error = NULL;
		g_autofree gchar *expected = g_strdup_printf (
		    "[plugin:withings] %s = '%s' is not an integer between 1 and %s", cases[i][0],
		    cases[i][1], cases[i][2]);
		g_key_file_set_string (config, "plugin:withings", cases[i][0], cases[i][1]);
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
	g_test_add_func ("/withings/rate-limit/backfill-90-days", test_backfill_90_days);
	g_test_add_func ("/withings/rate-limit/over-limit-601", test_over_limit_601);
	g_test_add_func ("/withings/rate-limit/every-call-counts", test_every_call_counts);
	g_test_add_func ("/withings/rate-limit/bad-config", test_bad_config);
	return g_test_run ();
}
