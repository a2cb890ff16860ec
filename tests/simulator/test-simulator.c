/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "ohe-sim-server.h"

#define TEST_CLIENT_ID	   "sim-client"
#define TEST_CLIENT_SECRET "sim-secret"
#define TEST_REDIRECT	   "http://localhost:9/cb"
#define TEST_VERIFIER	   "dBjftJeZ4CVP-mJ92K9Ts7TFtaUKTVt-k8y1Bsg2Gnq0"
/* base64url (SHA-256 (TEST_VERIFIER)) */
#define TEST_CHALLENGE "d4oOeBop113hxE0plpjICtTjLsvRV-J5XvwF1FXzePA"
#define TEST_END       G_GINT64_CONSTANT (1767225600) /* 2026-01-01T00:00:00Z */

typedef struct {
	OheSimServer *server;
	OheSimOAuth *oauth;
	OheClock *clock;
	SoupSession *session;
	gchar *base;
} Fixture;

typedef struct {
	guint status;
	gchar *body;
	gchar *location;
	gchar *retry_after;
	GError *error;
} Response;

static void
response_clear (Response *r)
{
	g_free (r->body);
	g_free (r->location);
	g_free (r->retry_after);
	g_clear_error (&r->error);
}

static Response
http (Fixture *f,
      const gchar *method,
      const gchar *path,
      const gchar *type,
      const gchar *body,
      const gchar *header,
      const gchar *value)
{
	g_autofree gchar *url = g_strconcat (f->base, path, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (method, url);
	g_autoptr (GBytes) bytes = NULL;
	SoupMessageHeaders *headers;
	Response r = {0};

	g_assert_nonnull (msg);
	soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
	if (body != NULL) {
		g_autoptr (GBytes) req = g_bytes_new (body, strlen (body));
		soup_message_set_request_body_from_bytes (msg, type, req);
	}
	if (header != NULL)
		soup_message_headers_replace (soup_message_get_request_headers (msg), header,
					      value);
	bytes = soup_session_send_and_read (f->session, msg, NULL, &r.error);
	if (bytes == NULL)
		return r;
	headers = soup_message_get_response_headers (msg);
	r.status = soup_message_get_status (msg);
	r.body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
	r.location = g_strdup (soup_message_headers_get_one (headers, "Location"));
	r.retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
	return r;
}

static gchar *
json_get_string (const gchar *text, const gchar *member)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonObject *obj;

	if (!json_parser_load_from_data (parser, text, -1, NULL))
		return NULL;
	obj = json_node_get_object (json_parser_get_root (parser));
	if (!json_object_has_member (obj, member))
		return NULL;
	if (json_node_get_value_type (json_object_get_member (obj, member)) == G_TYPE_INT64)
		return g_strdup_printf ("%" G_GINT64_FORMAT,
					json_object_get_int_member (obj, member));
	return g_strdup (json_object_get_string_member (obj, member));
}

/* a minimal provider on the generic pieces, as the real handlers use them */
static void
test_provider_handle (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	Fixture *f = user_data;
	g_autofree gchar *user = NULL;
	g_autoptr (GError) error = NULL;

	if (g_strcmp0 (request->subpath, "/authorize") == 0) {
		ohe_sim_oauth_handle_authorize (f->oauth, request);
	} else if (g_strcmp0 (request->subpath, "/token") == 0) {
		ohe_sim_oauth_handle_token (f->oauth, request);
	} else if (g_strcmp0 (request->subpath, "/data") == 0) {
		g_autofree gchar *json = NULL;
		user = ohe_sim_oauth_validate_bearer (
		    f->oauth, ohe_sim_request_get_bearer (request), NULL, &error);
		if (user == NULL) {
			ohe_sim_request_respond_error (request, SOUP_STATUS_UNAUTHORIZED,
						       ohe_sim_oauth_error_to_string (error),
						       error->message);
			return;
		}
		json = g_strdup_printf ("{\"user\":\"%s\"}", user);
		ohe_sim_request_respond_text (request, SOUP_STATUS_OK, "application/json", json);
	} else if (g_strcmp0 (request->subpath, "/open") == 0) {
		ohe_sim_request_respond_text (request, SOUP_STATUS_OK, "application/json",
					      "{\"status\":0,\"body\":{\"value\":72345}}");
	}
}

/* formats token faults like Withings does: HTTP 200, the status in the body */
static gboolean
test_provider_fault (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	if (request->fault != OHE_SIM_FAULT_EXPIRED_TOKEN)
		return FALSE;
	ohe_sim_request_respond_text (request, SOUP_STATUS_OK, "application/json",
				      "{\"status\":401,\"body\":{}}");
	return TRUE;
}

static GMutex hook_mutex;
static GPtrArray *hook_bodies;

static void
test_hook_handle (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	g_autofree gchar *entry =
	    g_strdup_printf ("%s %.*s",
			     soup_message_headers_get_content_type (
				 soup_server_message_get_request_headers (request->msg), NULL),
			     (int)g_bytes_get_size (request->body),
			     (const gchar *)g_bytes_get_data (request->body, NULL));
	g_mutex_lock (&hook_mutex);
	g_ptr_array_add (hook_bodies, g_steal_pointer (&entry));
	g_mutex_unlock (&hook_mutex);
	soup_server_message_set_status (request->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static gboolean
test_notify (OheSimServer *server,
	     JsonObject *params,
	     OheSimWebhookMessage *message,
	     gpointer user_data,
	     GError **error)
{
	g_autofree gchar *body = NULL;

	if (!json_object_has_member (params, "user")) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, "user: missing");
		return FALSE;
	}
	body =
	    g_strdup_printf ("{\"user\":\"%s\"}", json_object_get_string_member (params, "user"));
	ohe_sim_webhook_message_set_body (message, "application/json", body);
	return TRUE;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) users = NULL;
	guint port = 0;

	f->server = ohe_sim_server_new (42, &error);
	g_assert_no_error (error);
	f->clock = ohe_clock_new_fake (TEST_END * G_USEC_PER_SEC);
	ohe_sim_server_set_clock (f->server, f->clock);
	ohe_sim_server_set_data_end (f->server, TEST_END);
	users = ohe_sim_server_add_users (f->server, 3, 7, 42);
	f->oauth = ohe_sim_oauth_new (ohe_sim_server_get_clock (f->server));
	ohe_sim_oauth_add_client (f->oauth, TEST_CLIENT_ID, TEST_CLIENT_SECRET);
	ohe_sim_oauth_set_access_lifetime (f->oauth, 60);
	ohe_sim_server_add_oauth (f->server, "test", f->oauth);
	ohe_sim_server_add_provider (f->server, "/test", test_provider_handle, f);
	ohe_sim_server_set_fault_func (f->server, "/test", test_provider_fault, f);
	ohe_sim_server_add_notifier (f->server, "test", test_notify, f);
	g_assert_true (ohe_sim_server_start_in_thread (f->server, &port, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (port, >, 0);
	f->base = ohe_sim_server_get_base_url (f->server);
	f->session = soup_session_new_with_options ("timeout", 10, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
	ohe_sim_server_stop (f->server);
	g_clear_object (&f->session);
	g_clear_object (&f->oauth);
	g_assert_finalize_object (f->server);
	g_clear_object (&f->clock);
	g_free (f->base);
}

static void
test_data_determinism (void)
{
	g_autoptr (GArray) a = ohe_sim_data_generate (42, "1001", OHE_MEASUREMENT_KIND_HEART_RATE,
						      TEST_END - 3600, TEST_END);
	g_autoptr (GArray) b = ohe_sim_data_generate (42, "1001", OHE_MEASUREMENT_KIND_HEART_RATE,
						      TEST_END - 3600, TEST_END);
	g_autoptr (GArray) c = ohe_sim_data_generate (43, "1001", OHE_MEASUREMENT_KIND_HEART_RATE,
						      TEST_END - 3600, TEST_END);
	g_autoptr (GArray) d = ohe_sim_data_generate (42, "1002", OHE_MEASUREMENT_KIND_HEART_RATE,
						      TEST_END - 3600, TEST_END);
	OheSimSample one;
	guint differ_seed = 0, differ_user = 0;

	g_assert_cmpuint (a->len, ==, 60);
	g_assert_cmpuint (c->len, ==, 60);
	g_assert_cmpmem (a->data, a->len * sizeof (OheSimSample), b->data,
			 b->len * sizeof (OheSimSample));
	for (guint i = 0; i < a->len; i++) {
		OheSimSample *sa = &g_array_index (a, OheSimSample, i);
		g_assert_cmpint (sa->time, ==, TEST_END - 3600 + 60 * (gint64)i);
		if (sa->values[0] != g_array_index (c, OheSimSample, i).values[0])
			differ_seed++;
		if (sa->values[0] != g_array_index (d, OheSimSample, i).values[0])
			differ_user++;
	}
	g_assert_cmpuint (differ_seed, >, 30);
	g_assert_cmpuint (differ_user, >, 30);

	/* the value at a time does not depend on the range it was generated in */
	g_assert_true (ohe_sim_data_sample_at (42, "1001", OHE_MEASUREMENT_KIND_HEART_RATE,
					       TEST_END - 60, &one));
	g_assert_cmpint (one.values[0], ==, g_array_index (a, OheSimSample, 59).values[0]);
	g_assert_false (ohe_sim_data_sample_at (42, "1001", OHE_MEASUREMENT_KIND_ECG, 0, &one));
}

typedef struct {
	OheMeasurementKind kind;
	guint per_week; /* 0: not fixed */
	gint exponent;
	gdouble lo[3];
	gdouble hi[3];
} RangeCase;

static void
test_data_ranges (void)
{
	static const RangeCase cases[] = {
	    {OHE_MEASUREMENT_KIND_HEART_RATE, 7 * 1440, 0, {50}, {180}},
	    {OHE_MEASUREMENT_KIND_RESTING_HEART_RATE, 7, 0, {45}, {80}},
	    {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, 14, 0, {100, 60, 50}, {160, 100, 100}},
	    {OHE_MEASUREMENT_KIND_HRV_RMSSD, 7, -1, {15}, {90}},
	    {OHE_MEASUREMENT_KIND_SPO2, 7 * 24, 0, {92}, {100}},
	    {OHE_MEASUREMENT_KIND_RESPIRATORY_RATE, 7, -1, {10}, {22}},
	    {OHE_MEASUREMENT_KIND_BODY_TEMPERATURE, 7, -2, {36.0}, {37.5}},
	    {OHE_MEASUREMENT_KIND_BODY_WEIGHT, 7, -3, {70}, {90}},
	    {OHE_MEASUREMENT_KIND_BODY_FAT_RATIO, 7, -2, {10}, {35}},
	    {OHE_MEASUREMENT_KIND_STEPS, 0, 0, {1}, {200}},
	};
	const gchar *users[] = {"1001", "1002", "1003"};
	guint n_kinds = 0;

	ohe_sim_data_get_kinds (&n_kinds);
	g_assert_cmpuint (n_kinds, ==, G_N_ELEMENTS (cases));
	for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
		for (guint u = 0; u < G_N_ELEMENTS (users); u++) {
			g_autoptr (GArray) samples = ohe_sim_data_generate (
			    42, users[u], cases[c].kind, TEST_END - 7 * 86400, TEST_END);
			if (cases[c].per_week != 0)
				g_assert_cmpuint (samples->len, ==, cases[c].per_week);
			else
				g_assert_cmpuint (samples->len, >, 7 * 100);
			for (guint i = 0; i < samples->len; i++) {
				OheSimSample *s = &g_array_index (samples, OheSimSample, i);
				g_assert_cmpint (s->exponent, ==, cases[c].exponent);
				g_assert_cmpint (s->time, >=, TEST_END - 7 * 86400);
				g_assert_cmpint (s->time, <, TEST_END);
				for (guint v = 0; v < s->n_values; v++) {
					gdouble x = ohe_sim_sample_value_to_double (s, v);
					g_assert_cmpfloat (x, >=, cases[c].lo[v] - 1e-9);
					g_assert_cmpfloat (x, <=, cases[c].hi[v] + 1e-9);
				}
			}
		}
	}
	/* the weight drifts, not a constant */
	{
		g_autoptr (GArray) w = ohe_sim_data_generate (
		    42, "1001", OHE_MEASUREMENT_KIND_BODY_WEIGHT, TEST_END - 7 * 86400, TEST_END);
		OheSimSample s = {.n_values = 1, .values = {72345}, .exponent = -3};
		g_autofree gchar *text = ohe_sim_sample_value_to_string (&s, 0);
		g_assert_cmpstr (text, ==, "72.345");
		g_assert_cmpint (g_array_index (w, OheSimSample, 0).values[0], !=,
				 g_array_index (w, OheSimSample, 6).values[0]);
		g_assert_cmpint (g_array_index (w, OheSimSample, 0).values[0] % 5, ==, 0);
	}
	g_assert_cmpstr (ohe_sim_data_get_component_name (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, 1),
			 ==, "diastolic");
	g_assert_null (ohe_sim_data_get_component_name (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, 3));
}

static gchar *
query_value (const gchar *uri, const gchar *name)
{
	g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
	g_autoptr (GHashTable) params = NULL;

	g_assert_nonnull (parsed);
	params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
	return g_strdup (g_hash_table_lookup (params, name));
}

static gchar *
authorize (Fixture *f, const gchar *hint, const gchar *challenge)
{
	g_autofree gchar *path = g_strdup_printf (
	    "/test/authorize?response_type=code&client_id=" TEST_CLIENT_ID
	    "&redirect_uri=" TEST_REDIRECT "&state=st%%20ate&scope=user.metrics%s%s%s%s",
	    hint ? "&login_hint=" : "", hint ? hint : "",
	    challenge ? "&code_challenge_method=S256"
			"&code_challenge="
		      : "",
	    challenge ? challenge : "");
	Response r = http (f, "GET", path, NULL, NULL, NULL, NULL);
	gchar *code;
	g_autofree gchar *state = NULL;

	g_assert_no_error (r.error);
	g_assert_cmpuint (r.status, ==, 302);
	g_assert_true (g_str_has_prefix (r.location, TEST_REDIRECT "?code=sim-code-"));
	state = query_value (r.location, "state");
	g_assert_cmpstr (state, ==, "st ate");
	code = query_value (r.location, "code");
	response_clear (&r);
	return code;
}

static Response
token (Fixture *f, const gchar *form)
{
	return http (f, "POST", "/test/token", "application/x-www-form-urlencoded", form, NULL,
		     NULL);
}

static Response
get_data (Fixture *f, const gchar *access)
{
	g_autofree gchar *auth = g_strdup_printf ("Bearer %s", access);
	return http (f, "GET", "/test/data", NULL, NULL, "Authorization", auth);
}

static void
test_oauth_flow (Fixture *f, gconstpointer data)
{
	g_autofree gchar *code = authorize (f, "1002", TEST_CHALLENGE);
	g_autofree gchar *form = NULL;
	g_autofree gchar *access = NULL;
	g_autofree gchar *refresh = NULL;
	g_autofree gchar *access2 = NULL;
	g_autofree gchar *refresh2 = NULL;
	g_autofree gchar *value = NULL;
	Response r;

	/* wrong verifier */
	form = g_strdup_printf ("grant_type=authorization_code&code=%s&client_id=" TEST_CLIENT_ID
				"&client_secret=" TEST_CLIENT_SECRET "&redirect_uri=" TEST_REDIRECT
				"&code_verifier=%s",
				code, "x" TEST_VERIFIER);
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 400);
	g_assert_cmpstr (r.body, ==,
			 "{\"error\":\"invalid_grant\",\"error_description\":\"code_verifier: does "
			 "not match the code_challenge\"}");
	response_clear (&r);

	/* wrong client secret */
	r = token (f, "grant_type=authorization_code&code=x&client_id=" TEST_CLIENT_ID
		      "&client_secret=nope");
	g_assert_cmpuint (r.status, ==, 401);
	value = json_get_string (r.body, "error");
	g_assert_cmpstr (value, ==, "invalid_client");
	g_clear_pointer (&value, g_free);
	response_clear (&r);

	/* right verifier */
	g_free (form);
	form = g_strdup_printf ("grant_type=authorization_code&code=%s&client_id=" TEST_CLIENT_ID
				"&client_secret=" TEST_CLIENT_SECRET "&redirect_uri=" TEST_REDIRECT
				"&code_verifier=" TEST_VERIFIER,
				code);
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 200);
	access = json_get_string (r.body, "access_token");
	refresh = json_get_string (r.body, "refresh_token");
	value = json_get_string (r.body, "expires_in");
	g_assert_cmpstr (value, ==, "60");
	g_clear_pointer (&value, g_free);
	value = json_get_string (r.body, "scope");
	g_assert_cmpstr (value, ==, "user.metrics");
	g_clear_pointer (&value, g_free);
	g_assert_true (g_str_has_prefix (access, "sim-at-"));
	g_assert_true (g_str_has_prefix (refresh, "sim-rt-"));
	response_clear (&r);

	/* codes are single use */
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 400);
	value = json_get_string (r.body, "error_description");
	g_assert_cmpstr (value, ==, "code: unknown or already used");
	g_clear_pointer (&value, g_free);
	response_clear (&r);

	r = get_data (f, access);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_cmpstr (r.body, ==, "{\"user\":\"1002\"}");
	response_clear (&r);

	/* rotation: the old refresh token is dead after one use */
	g_free (form);
	form =
	    g_strdup_printf ("grant_type=refresh_token&refresh_token=%s&client_id=" TEST_CLIENT_ID
			     "&client_secret=" TEST_CLIENT_SECRET,
			     refresh);
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 200);
	access2 = json_get_string (r.body, "access_token");
	refresh2 = json_get_string (r.body, "refresh_token");
	g_assert_cmpstr (access2, !=, access);
	g_assert_cmpstr (refresh2, !=, refresh);
	response_clear (&r);
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 400);
	g_assert_cmpstr (r.body, ==,
			 "{\"error\":\"invalid_grant\",\"error_description\":\"refresh_token: "
			 "already used (tokens rotate)\"}");
	response_clear (&r);
	g_assert_cmpuint (ohe_sim_oauth_get_token_requests (f->oauth), ==, 2);

	/* access tokens expire on the simulator's clock */
	ohe_clock_advance (f->clock, 61 * G_USEC_PER_SEC);
	r = get_data (f, access2);
	g_assert_cmpuint (r.status, ==, 401);
	g_assert_cmpstr (r.body, ==,
			 "{\"error\":\"invalid_token\",\"error_description\":\"Authorization: the "
			 "access token expired\"}");
	response_clear (&r);

	/* revoking the user kills the refresh token too */
	g_assert_cmpuint (ohe_sim_oauth_revoke_user (f->oauth, "1002"), ==, 1);
	g_free (form);
	form =
	    g_strdup_printf ("grant_type=refresh_token&refresh_token=%s&client_id=" TEST_CLIENT_ID
			     "&client_secret=" TEST_CLIENT_SECRET,
			     refresh2);
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 400);
	value = json_get_string (r.body, "error_description");
	g_assert_cmpstr (value, ==, "refresh_token: access was revoked");
	response_clear (&r);
}

static void
test_oauth_authorize_errors (Fixture *f, gconstpointer data)
{
	g_autofree gchar *code = authorize (f, NULL, NULL);
	g_autofree gchar *form = NULL;
	g_autofree gchar *access = NULL;
	g_autofree gchar *error = NULL;
	Response r;

	/* no login_hint: the default user; no challenge: no verifier needed */
	form = g_strdup_printf ("grant_type=authorization_code&code=%s&client_id=" TEST_CLIENT_ID
				"&client_secret=" TEST_CLIENT_SECRET "&redirect_uri=" TEST_REDIRECT,
				code);
	r = token (f, form);
	g_assert_cmpuint (r.status, ==, 200);
	access = json_get_string (r.body, "access_token");
	response_clear (&r);
	r = get_data (f, access);
	g_assert_cmpstr (r.body, ==, "{\"user\":\"1001\"}");
	response_clear (&r);

	r = http (f, "GET",
		  "/test/authorize?response_type=code&client_id=" TEST_CLIENT_ID
		  "&redirect_uri=" TEST_REDIRECT "&state=s1&login_hint=999",
		  NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 302);
	g_assert_cmpstr (r.location, ==, TEST_REDIRECT "?error=access_denied&state=s1");
	response_clear (&r);

	r = http (f, "GET",
		  "/test/authorize?response_type=code&client_id=other&redirect_uri=" TEST_REDIRECT,
		  NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 400);
	error = json_get_string (r.body, "error");
	g_assert_cmpstr (error, ==, "invalid_client");
	response_clear (&r);
}

static void
test_faults_queued (Fixture *f, gconstpointer data)
{
	Response r;

	r = http (f, "POST", "/_sim/faults", "application/json",
		  "{\"path_prefix\":\"/test/open\",\"fault\":\"503\",\"count\":2}", NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_cmpstr (r.body, ==, "{\"pending\":2}");
	response_clear (&r);
	/* other paths are not hit */
	r = http (f, "GET", "/test/data", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 401);
	response_clear (&r);
	for (guint i = 0; i < 2; i++) {
		r = http (f, "GET", "/test/open", NULL, NULL, NULL, NULL);
		g_assert_cmpuint (r.status, ==, 503);
		g_assert_cmpstr (r.body, ==,
				 "{\"error\":\"server_error\",\"error_description\":\"Service "
				 "Unavailable\"}");
		response_clear (&r);
	}
	r = http (f, "GET", "/test/open", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	response_clear (&r);
	g_assert_cmpuint (ohe_sim_fault_get_injected (ohe_sim_server_get_fault (f->server),
						      OHE_SIM_FAULT_UNAVAILABLE),
			  ==, 2);

	r = http (f, "POST", "/_sim/faults", "application/json",
		  "{\"path_prefix\":\"/test\",\"fault\":\"404\",\"count\":1}", NULL, NULL);
	g_assert_cmpuint (r.status, ==, 400);
	g_assert_nonnull (strstr (r.body, "unknown fault '404'"));
	response_clear (&r);
}

static void
test_faults_per_request (Fixture *f, gconstpointer data)
{
	gint64 start;
	Response r;

	r = http (f, "GET", "/test/open", NULL, NULL, "X-Sim-Fault", "429");
	g_assert_cmpuint (r.status, ==, 429);
	g_assert_cmpstr (r.retry_after, ==, "1");
	response_clear (&r);

	/* the provider's fault function formats token faults */
	r = http (f, "GET", "/test/open?_fault=expired-token", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_cmpstr (r.body, ==, "{\"status\":401,\"body\":{}}");
	response_clear (&r);

	r = http (f, "GET", "/test/open?_fault=malformed", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_cmpstr (r.body, ==, "{\"status\":0,\"body<<malformed");
	response_clear (&r);

	r = http (f, "GET", "/test/open", NULL, NULL, "X-Sim-Fault", "truncate");
	/* libsoup 3.2 hands out the half body without an error when the peer closes early;
	 * either way the client cannot get the whole answer */
	if (r.error == NULL) {
		g_assert_cmpuint (r.status, ==, 200);
		g_assert_cmpstr (r.body, ==, "{\"status\":0,\"body");
	}
	response_clear (&r);

	start = g_get_monotonic_time ();
	r = http (f, "GET", "/test/open", NULL, NULL, "X-Sim-Fault", "slow:300");
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_cmpstr (r.body, ==, "{\"status\":0,\"body\":{\"value\":72345}}");
	g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
	response_clear (&r);

	r = http (f, "GET", "/test/open", NULL, NULL, "X-Sim-Fault", "teapot");
	g_assert_cmpuint (r.status, ==, 400);
	g_assert_nonnull (strstr (r.body, "X-Sim-Fault: fault: unknown fault 'teapot'"));
	response_clear (&r);
}

static GString *
draw_faults (guint64 seed, guint n)
{
	g_autoptr (OheSimFault) fault = ohe_sim_fault_new (seed);
	g_autoptr (GError) error = NULL;
	GString *seq = g_string_new (NULL);

	g_assert_true (ohe_sim_fault_set_rates (fault, "429=0.1,503=0.05", &error));
	g_assert_no_error (error);
	for (guint i = 0; i < n; i++) {
		OheSimFaultKind kind;
		guint ms;
		g_assert_true (ohe_sim_fault_pick (fault, "/x", NULL, &kind, &ms, &error));
		g_string_append_c (seq, kind == OHE_SIM_FAULT_RATE_LIMITED  ? '4'
					: kind == OHE_SIM_FAULT_UNAVAILABLE ? '5'
									    : 'N');
	}
	g_assert_cmpuint (ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_NONE) +
			      ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_RATE_LIMITED) +
			      ohe_sim_fault_get_injected (fault, OHE_SIM_FAULT_UNAVAILABLE),
			  ==, n);
	return seq;
}

static void
test_faults_by_rate (void)
{
	g_autoptr (GString) a = draw_faults (7, 2000);
	g_autoptr (GString) b = draw_faults (7, 2000);
	g_autoptr (GString) c = draw_faults (8, 2000);
	g_autoptr (OheSimFault) fault = ohe_sim_fault_new (1);
	g_autoptr (GError) error = NULL;
	guint n429 = 0, n503 = 0;

	g_assert_cmpstr (a->str, ==, b->str);
	g_assert_cmpstr (a->str, !=, c->str);
	for (gsize i = 0; i < a->len; i++) {
		n429 += a->str[i] == '4';
		n503 += a->str[i] == '5';
	}
	/* 2000 draws: expected 200 and 100, generous bounds */
	g_assert_cmpuint (n429, >, 140);
	g_assert_cmpuint (n429, <, 260);
	g_assert_cmpuint (n503, >, 55);
	g_assert_cmpuint (n503, <, 145);

	g_assert_false (ohe_sim_fault_set_rates (fault, "429=0.7,503=0.5", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_cmpstr (error->message, ==,
			 "fault-rate: probabilities add up to 1.200, more than 1");
	g_clear_error (&error);
	g_assert_false (ohe_sim_fault_set_rates (fault, "slow:5=0.1", &error));
	g_assert_cmpstr (error->message, ==,
			 "fault-rate: 'slow:5' cannot be injected by probability");
}

static void
test_stats (Fixture *f, gconstpointer data)
{
	Response r;

	for (guint i = 0; i < 3; i++) {
		r = http (f, "GET", "/test/open?x=1", NULL, NULL, NULL, NULL);
		response_clear (&r);
	}
	r = http (f, "GET", "/nowhere", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 404);
	response_clear (&r);
	r = http (f, "GET", "/test/missing", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 404);
	response_clear (&r);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, "/test/open"), ==, 3);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, NULL), ==, 5);

	r = http (f, "GET", "/_sim/stats", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_true (g_str_has_prefix (
	    r.body,
	    "{\"total\":5,\"requests\":{\"/nowhere\":1,\"/test/missing\":1,\"/test/open\":3},"
	    "\"faults\":{\"429\":0,"));
	g_assert_nonnull (strstr (r.body, "\"token_responses\":{\"test\":0}"));
	response_clear (&r);

	r = http (f, "DELETE", "/_sim/stats", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	response_clear (&r);
	g_assert_cmpuint (ohe_sim_server_get_request_count (f->server, NULL), ==, 0);
}

static void
test_users (Fixture *f, gconstpointer data)
{
	Response r = http (f, "POST", "/_sim/users", "application/json",
			   "{\"count\":2,\"days\":1,\"seed\":9}", NULL, NULL);
	const OheSimUser *user;

	g_assert_cmpuint (r.status, ==, 201);
	g_assert_cmpstr (r.body, ==,
			 "{\"users\":[{\"id\":\"1004\",\"seed\":9,\"from\":1767139200,\"to\":"
			 "1767225600},{\"id\":\"1005\",\"seed\":9,\"from\":1767139200,\"to\":"
			 "1767225600}]}");
	response_clear (&r);
	user = ohe_sim_server_lookup_user (f->server, "1005");
	g_assert_nonnull (user);
	g_assert_cmpuint (user->seed, ==, 9);

	r = http (f, "POST", "/_sim/users", "application/json", "{\"count\":-1}", NULL, NULL);
	g_assert_cmpuint (r.status, ==, 400);
	g_assert_cmpstr (r.body, ==,
			 "{\"error\":\"invalid_request\",\"error_description\":\"count: must be an "
			 "integer in 0..10000\"}");
	response_clear (&r);
	r = http (f, "POST", "/_sim/users", "application/json", "{\"count\":", NULL, NULL);
	g_assert_cmpuint (r.status, ==, 400);
	response_clear (&r);
}

static void
test_webhook (Fixture *f, gconstpointer data)
{
	g_autoptr (OheSimServer) receiver = ohe_sim_server_new (1, NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *receiver_url = NULL;
	g_autofree gchar *body = NULL;
	guint port = 0;
	Response r;

	hook_bodies = g_ptr_array_new_with_free_func (g_free);
	ohe_sim_server_add_provider (receiver, "/hook", test_hook_handle, NULL);
	g_assert_true (ohe_sim_server_start_in_thread (receiver, &port, &error));
	g_assert_no_error (error);
	receiver_url = g_strdup_printf ("http://127.0.0.1:%u/hook", port);

	body = g_strdup_printf ("{\"provider\":\"test\",\"user\":\"1001\",\"callback\":\"%s\"}",
				receiver_url);
	r = http (f, "POST", "/_sim/notify", "application/json", body, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_cmpstr (r.body, ==, "{\"status\":204}");
	response_clear (&r);

	/* the default callback URL */
	ohe_sim_webhook_set_callback_url (ohe_sim_server_get_webhook (f->server), receiver_url);
	r = http (f, "POST", "/_sim/notify", "application/json",
		  "{\"provider\":\"test\",\"user\":\"1003\"}", NULL, NULL);
	g_assert_cmpstr (r.body, ==, "{\"status\":204}");
	response_clear (&r);

	g_mutex_lock (&hook_mutex);
	g_assert_cmpuint (hook_bodies->len, ==, 2);
	g_assert_cmpstr (g_ptr_array_index (hook_bodies, 0), ==,
			 "application/json {\"user\":\"1001\"}");
	g_assert_cmpstr (g_ptr_array_index (hook_bodies, 1), ==,
			 "application/json {\"user\":\"1003\"}");
	g_mutex_unlock (&hook_mutex);
	g_assert_cmpuint (ohe_sim_webhook_get_sent (ohe_sim_server_get_webhook (f->server)), ==, 2);

	r = http (f, "POST", "/_sim/notify", "application/json", "{\"provider\":\"test\"}", NULL,
		  NULL);
	g_assert_cmpuint (r.status, ==, 400);
	g_assert_cmpstr (r.body, ==,
			 "{\"error\":\"invalid_request\",\"error_description\":\"user: missing\"}");
	response_clear (&r);
	r = http (f, "POST", "/_sim/notify", "application/json", "{\"provider\":\"nope\"}", NULL,
		  NULL);
	g_assert_cmpuint (r.status, ==, 400);
	response_clear (&r);

	ohe_sim_server_stop (receiver);
	g_clear_pointer (&hook_bodies, g_ptr_array_unref);
}

static void
test_standalone (void)
{
	const gchar *argv[] = {OHE_SIMULATOR_PATH, "--port", "0",      "--seed", "42",
			       "--users",	   "2",	     "--days", "1",	 NULL};
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GDataInputStream) out = NULL;
	g_autofree gchar *line = NULL;
	g_autoptr (GError) error = NULL;
	Fixture f = {0};
	Response r;

	proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
	g_assert_no_error (error);
	out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
	line = g_data_input_stream_read_line (out, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
	f.base = g_strdup (line + strlen ("listening on "));
	f.session = soup_session_new ();

	r = http (&f, "GET", "/_sim/users", NULL, NULL, NULL, NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_true (g_str_has_prefix (r.body, "{\"users\":[{\"id\":\"1001\",\"seed\":42,"));
	g_assert_nonnull (strstr (r.body, "{\"id\":\"1002\",\"seed\":42,"));
	response_clear (&r);

	g_subprocess_send_signal (proc, SIGTERM);
	g_assert_true (g_subprocess_wait (proc, NULL, &error));
	g_assert_true (g_subprocess_get_if_exited (proc));
	g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
	g_clear_object (&f.session);
	g_free (f.base);
}

static void
test_rate_limit_window (void)
{
	g_autoptr (OheSimRateLimit) limit =
		       ohe_sim_rate_limit_new (3, 1000, OHE_SIM_RATE_SCOPE_APP);
	g_autoptr (OheSimRateLimit) parsed = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *prefix = NULL;
	const gchar *bad[] = {"withings",
			      "=3/10",
			      "withings=0/10",
			      "withings=3",
			      "withings=3/0",
			      "withings=3/10/team",
			      "withings=3/10/user/x"};
	const gint64 t0 = 1000000000;

	/* three in any second, counted from their arrival; refused ones do not count */
	for (guint i = 0; i < 3; i++)
		g_assert_true (ohe_sim_rate_limit_admit (limit, "app", t0 + i * 100000));
	g_assert_false (ohe_sim_rate_limit_admit (limit, "app", t0 + 300000));
	g_assert_false (ohe_sim_rate_limit_admit (limit, "app", t0 + 999999));
	/* the first leaves the window exactly one second after it arrived */
	g_assert_true (ohe_sim_rate_limit_admit (limit, "app", t0 + 1000000));
	g_assert_false (ohe_sim_rate_limit_admit (limit, "app", t0 + 1050000));
	g_assert_true (ohe_sim_rate_limit_admit (limit, "other", t0 + 1050000));
	g_assert_cmpuint (ohe_sim_rate_limit_get_admitted (limit), ==, 5);
	g_assert_cmpuint (ohe_sim_rate_limit_get_refused (limit), ==, 3);
	g_assert_cmpuint (ohe_sim_rate_limit_get_peak (limit), ==, 3);

	parsed = ohe_sim_rate_limit_parse ("google=300/60000/user", &prefix, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (prefix, ==, "/google");
	g_assert_cmpint (ohe_sim_rate_limit_get_scope (parsed), ==, OHE_SIM_RATE_SCOPE_USER);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (OheSimRateLimit) none = NULL;
		g_autofree gchar *p = NULL;
		g_clear_error (&error);
		none = ohe_sim_rate_limit_parse (bad[i], &p, &error);
		g_assert_null (none);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_nonnull (strstr (error->message, bad[i]));
	}
}

static gint64
stats_member (Fixture *f, const gchar *object, const gchar *member)
{
	Response r = http (f, "GET", "/_sim/stats", NULL, NULL, NULL, NULL);
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonObject *root;
	gint64 value;

	g_assert_cmpuint (r.status, ==, 200);
	g_assert_true (json_parser_load_from_data (parser, r.body, -1, NULL));
	root = json_node_get_object (json_parser_get_root (parser));
	value = json_object_get_int_member (json_object_get_object_member (root, object), member);
	response_clear (&r);
	return value;
}

/* the standalone simulator enforces the windows its command line gives, as each cloud
 * answers: Withings with status 601 in an HTTP 200 envelope, Google with HTTP 429 */
static void
test_rate_limit_standalone (void)
{
	const gchar *argv[] = {OHE_SIMULATOR_PATH,
			       "--port",
			       "0",
			       "--users",
			       "1",
			       "--days",
			       "1",
			       "--rate-limit",
			       "withings=3/1500",
			       "--rate-limit",
			       "google=2/1500/user",
			       NULL};
	const gchar *form = "action=getmeas";
	g_autoptr (GSubprocess) proc = NULL;
	g_autoptr (GDataInputStream) out = NULL;
	g_autofree gchar *line = NULL;
	g_autoptr (GError) error = NULL;
	Fixture f = {0};
	Response r;

	proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
	g_assert_no_error (error);
	out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
	line = g_data_input_stream_read_line (out, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
	f.base = g_strdup (line + strlen ("listening on "));
	f.session = soup_session_new ();

	for (guint i = 0; i < 3; i++) {
		r = http (&f, "POST", "/withings/measure", "application/x-www-form-urlencoded",
			  form, NULL, NULL);
		g_assert_cmpuint (r.status, ==, 200);
		g_assert_null (strstr (r.body, "\"status\":601"));
		response_clear (&r);
	}
	r = http (&f, "POST", "/withings/measure", "application/x-www-form-urlencoded", form, NULL,
		  NULL);
	g_assert_cmpuint (r.status, ==, 200);
	g_assert_nonnull (strstr (r.body, "\"status\":601"));
	response_clear (&r);
	g_assert_cmpint (stats_member (&f, "rate_limited", "/withings"), ==, 1);
	g_assert_cmpint (stats_member (&f, "rate_peak", "/withings"), ==, 3);

	/* per user: each token has its own window */
	for (guint i = 0; i < 3; i++) {
		r = http (&f, "GET", "/google/v4/users/me/identity", NULL, NULL, "Authorization",
			  "Bearer token-a");
		if (i < 2)
			g_assert_cmpuint (r.status, !=, 429);
		else
			g_assert_cmpuint (r.status, ==, 429);
		response_clear (&r);
	}
	r = http (&f, "GET", "/google/v4/users/me/identity", NULL, NULL, "Authorization",
		  "Bearer token-b");
	g_assert_cmpuint (r.status, !=, 429);
	response_clear (&r);
	g_assert_cmpint (stats_member (&f, "rate_limited", "/google"), ==, 1);

	/* the window rolls on */
	g_usleep (1600 * 1000);
	r = http (&f, "POST", "/withings/measure", "application/x-www-form-urlencoded", form, NULL,
		  NULL);
	g_assert_null (strstr (r.body, "\"status\":601"));
	response_clear (&r);

	g_subprocess_send_signal (proc, SIGTERM);
	g_assert_true (g_subprocess_wait (proc, NULL, &error));
	g_clear_object (&f.session);
	g_free (f.base);

	/* a spec that does not parse stops the start, named */
	{
		const gchar *bad_argv[] = {OHE_SIMULATOR_PATH, "--port",       "0",
					   "--rate-limit",     "withings=120", NULL};
		g_autoptr (GSubprocess) bad =
			       g_subprocess_newv (bad_argv, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
		g_autofree gchar *err = NULL;
		g_assert_no_error (error);
		g_assert_true (g_subprocess_communicate_utf8 (bad, NULL, NULL, NULL, &err, &error));
		g_assert_cmpint (g_subprocess_get_exit_status (bad), ==, 2);
		g_assert_nonnull (strstr (err, "withings=120"));
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/simulator/data/determinism", test_data_determinism);
	g_test_add_func ("/simulator/data/ranges", test_data_ranges);
	g_test_add ("/simulator/oauth/flow", Fixture, NULL, fixture_setup, test_oauth_flow,
		    fixture_teardown);
	g_test_add ("/simulator/oauth/authorize-errors", Fixture, NULL, fixture_setup,
		    test_oauth_authorize_errors, fixture_teardown);
	g_test_add ("/simulator/faults/queued", Fixture, NULL, fixture_setup, test_faults_queued,
		    fixture_teardown);
	g_test_add ("/simulator/faults/per-request", Fixture, NULL, fixture_setup,
		    test_faults_per_request, fixture_teardown);
	g_test_add_func ("/simulator/faults/by-rate", test_faults_by_rate);
	g_test_add ("/simulator/stats", Fixture, NULL, fixture_setup, test_stats, fixture_teardown);
	g_test_add ("/simulator/users", Fixture, NULL, fixture_setup, test_users, fixture_teardown);
	g_test_add ("/simulator/webhook", Fixture, NULL, fixture_setup, test_webhook,
		    fixture_teardown);
	g_test_add_func ("/simulator/standalone", test_standalone);
	g_test_add_func ("/simulator/rate-limit/window", test_rate_limit_window);
	g_test_add_func ("/simulator/rate-limit/standalone", test_rate_limit_standalone);
	return g_test_run ();
}
