/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gmodule.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ohe-fhir-writer.h"
#include "ohe-fitbit-provider.h"
#include "ohe-sim-google.h"
#include "ohe-sim-server.h"
#include "ohe-sim-withings.h"
#include "ohe-withings-parser.h"
#include "ohe-withings-provider.h"

/*
 * The provider ↔ sink contract, end to end: every provider plugin fetches
 * from the in-process simulator, and every measurement of every kind it
 * emits must pass ohe_measurement_validate() (the shaper's check) and be
 * written by the real FHIR writer with the shipped mapping. The table below
 * has one row per (provider, kind); a kind a provider emits without a row,
 * or a row whose kind the provider does not emit, fails the coverage test.
 * A new provider adds a fetch function and its rows.
 *
 * When OHE_FHIR_VALIDATOR names tests/fhir-server/validate.mjs (and
 * OHE_FHIR_NODE the node binary), the last test validates every resource
 * written here against the R5 JSON Schema and the semantic checks, and
 * checks that every reference points to a resource written here or to the
 * Patient.
 */

#define TEST_MAPPING OHE_SOURCE_DATADIR "/mappings/fhir-r5.json"
#define TEST_PATIENT "Patient/contract-1"
#define TEST_SEED    ((guint64)7)

/* fetches every kind the provider declares, and returns those in @kinds */
typedef GPtrArray *(*TestFetchFunc) (GArray **kinds);

typedef struct {
	const gchar *name;
	TestFetchFunc fetch;
	GPtrArray *measurements; /* of OheMeasurement, fetched once */
	GArray *kinds;		 /* what ohe_provider_get_kinds() declares */
} TestProvider;

typedef struct {
	const gchar *provider;
	OheMeasurementKind kind;
	const gchar *resource_type; /* what each measurement of the kind writes first */
	gboolean report;	    /* and a DiagnosticReport after it */
} TestRow;

#define K(x) OHE_MEASUREMENT_KIND_##x

/* one row per (provider, kind) that the provider emits from the simulator's data */
static const TestRow test_rows[] = {
    {"withings", K (HEART_RATE), "Observation", FALSE},
    {"withings", K (HRV_RMSSD), "Observation", FALSE},
    {"withings", K (RESPIRATORY_RATE), "Observation", FALSE},
    {"withings", K (BLOOD_PRESSURE), "Observation", FALSE},
    {"withings", K (SPO2), "Observation", FALSE},
    {"withings", K (BODY_TEMPERATURE), "Observation", FALSE},
    {"withings", K (BODY_WEIGHT), "Observation", FALSE},
    {"withings", K (BODY_FAT_RATIO), "Observation", FALSE},
    {"withings", K (STEPS), "Observation", FALSE},
    {"withings", K (ECG), "Observation", TRUE},
    {"withings", K (AFIB_CLASSIFICATION), "Observation", FALSE},
    {"fitbit", K (HEART_RATE), "Observation", FALSE},
    {"fitbit", K (RESTING_HEART_RATE), "Observation", FALSE},
    {"fitbit", K (HRV_RMSSD), "Observation", FALSE},
    {"fitbit", K (SPO2), "Observation", FALSE},
    {"fitbit", K (RESPIRATORY_RATE), "Observation", FALSE},
    {"fitbit", K (BODY_TEMPERATURE), "Observation", FALSE},
    {"fitbit", K (BODY_WEIGHT), "Observation", FALSE},
    {"fitbit", K (BODY_FAT_RATIO), "Observation", FALSE},
    {"fitbit", K (STEPS), "Observation", FALSE},
    {"fitbit", K (ECG), "Observation", TRUE},
    {"fitbit", K (AFIB_CLASSIFICATION), "Observation", FALSE},
    {"synthetic", K (HEART_RATE), "Observation", FALSE},
    {"reference", K (HEART_RATE), "Observation", FALSE},
    {"reference", K (BLOOD_PRESSURE), "Observation", FALSE},
    {"reference", K (RR_INTERVALS), "Observation", FALSE},
    {"reference", K (ECG), "Observation", TRUE},
    {"reference", K (AFIB_CLASSIFICATION), "Observation", FALSE},
    {"reference", K (STEPS), "Observation", FALSE},
};

static OheFhirWriter *test_writer;
static GPtrArray *test_resources; /* of gchar *: every resource JSON written here */
static GHashTable *test_ids;	  /* "Type/id" of every resource written here */

/* ---- fetching ---- */

static gboolean
test_collect (OheFetchRequest *request,
	      GPtrArray *measurements,
	      const gchar *cursor,
	      gpointer user_data,
	      GError **error)
{
	GPtrArray *all = user_data;
	for (guint i = 0; i < measurements->len; i++)
		g_ptr_array_add (all, ohe_measurement_ref (g_ptr_array_index (measurements, i)));
	return TRUE;
}

static GPtrArray *
test_fetch (OheProvider *provider, OheToken *token, gint64 from_s, gint64 to_s, GArray **out_kinds)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) kinds = ohe_provider_get_kinds (provider);
	g_autoptr (OheFetchRequest) request = ohe_fetch_request_new (
	    "link-1", from_s * G_USEC_PER_SEC, to_s * G_USEC_PER_SEC);
	GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);

	for (guint i = 0; i < kinds->len; i++)
		ohe_fetch_request_add_kind (request, g_array_index (kinds, OheMeasurementKind, i));
	if (token != NULL)
		ohe_fetch_request_set_token (request, token);
	ohe_fetch_request_set_emit_func (request, test_collect, all, NULL);
	g_assert_true (ohe_provider_fetch (provider, request, NULL, &error));
	g_assert_no_error (error);
	*out_kinds = g_steal_pointer (&kinds);
	return all;
}

/* the consent flow against the simulator: authorize URL → redirect → code → token */
static OheToken *
test_link (OheProvider *provider, const gchar *redirect, const gchar *verifier)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autoptr (SoupMessage) msg = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GUri) location = NULL;
	g_autoptr (GHashTable) params = NULL;
	/* Withings has no PKCE: any challenge is left out of its URL */
	g_autofree gchar *challenge =
	    verifier != NULL ? ohe_oauth2_compute_code_challenge (verifier) : g_strdup ("unused");
	g_autofree gchar *url =
	    ohe_provider_build_authorize_url (provider, "state-1", challenge, redirect, &error);
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
	token = ohe_provider_exchange_code (provider, g_hash_table_lookup (params, "code"),
					    verifier, redirect, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (token);
	return token;
}

static GPtrArray *
test_fetch_withings (GArray **kinds)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GPtrArray) users = NULL;
	g_autoptr (OheSimServer) server = ohe_sim_server_new (TEST_SEED, &error);
	g_autoptr (OheClock) clock = ohe_clock_new_fake (g_get_real_time ());
	g_autoptr (OheWithingsProvider) provider = NULL;
	g_autoptr (OheToken) token = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *api = NULL;
	g_autofree gchar *authorize = NULL;
	const OheSimUser *user;
	GPtrArray *all;
	guint port = 0;

	g_assert_no_error (error);
	ohe_sim_withings_register (server);
	ohe_sim_withings_set_client (server, "sim-client", "sim-secret-0123456789");
	users = ohe_sim_server_add_users (server, 1, 3, TEST_SEED);
	user = g_ptr_array_index (users, 0);
	g_assert_true (ohe_sim_server_start_in_thread (server, &port, &error));
	g_assert_no_error (error);
	base = ohe_sim_server_get_base_url (server);
	api = g_strconcat (base, "/withings", NULL);
	authorize = g_strconcat (api, "/oauth2_user/authorize2", NULL);
	g_key_file_set_string (config, "plugin:withings", "api_base", api);
	g_key_file_set_string (config, "plugin:withings", "authorize_url", authorize);
	g_key_file_set_string (config, "plugin:withings", "client_id", "sim-client");
	g_key_file_set_string (config, "plugin:withings", "client_secret", "sim-secret-0123456789");
	g_key_file_set_string (config, "plugin:withings", "callback_url",
			       "https://hooks.example.org/w");
	provider = g_object_new (OHE_TYPE_WITHINGS_PROVIDER, "name", "withings", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	ohe_oauth2_provider_set_clock (OHE_OAUTH2_PROVIDER (provider), clock);
	g_assert_true (ohe_plugin_setup (OHE_PLUGIN (provider), NULL, &error));
	g_assert_no_error (error);
	token = test_link (OHE_PROVIDER (provider), "https://app.example.org/cb", NULL);
	all = test_fetch (OHE_PROVIDER (provider), token, user->data_from, user->data_to, kinds);
	ohe_sim_server_stop (server);
	return all;
}

#define TEST_GOOGLE_END ((gint64)1795132800)

static GPtrArray *
test_fetch_fitbit (GArray **kinds)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GPtrArray) users = NULL;
	g_autoptr (OheClock) clock =
		       ohe_clock_new_fake ((TEST_GOOGLE_END + 6 * 3600) * G_USEC_PER_SEC);
	g_autoptr (OheSimServer) server = ohe_sim_server_new (TEST_SEED, &error);
	g_autoptr (OheFitbitProvider) provider = NULL;
	g_autoptr (OheToken) token = NULL;
	g_autofree gchar *verifier = ohe_oauth2_new_code_verifier ();
	g_autofree gchar *base = NULL;
	g_autofree gchar *api = NULL;
	g_autofree gchar *authorize = NULL;
	g_autofree gchar *token_url = NULL;
	const OheSimUser *user;
	GPtrArray *all;
	guint port = 0;

	g_assert_no_error (error);
	ohe_sim_server_set_clock (server, clock);
	ohe_sim_google_register (server);
	ohe_sim_google_set_client (server, "cid", "csecret");
	ohe_sim_server_set_data_end (server, TEST_GOOGLE_END);
	users = ohe_sim_server_add_users (server, 1, 4, TEST_SEED);
	user = g_ptr_array_index (users, 0);
	ohe_sim_google_set_timezone (server, user->id, "Europe/Berlin");
	g_assert_true (ohe_sim_server_start_in_thread (server, &port, &error));
	g_assert_no_error (error);
	base = ohe_sim_server_get_base_url (server);
	api = g_strconcat (base, "/google", NULL);
	authorize = g_strconcat (base, "/google/o/oauth2/v2/auth", NULL);
	token_url = g_strconcat (base, "/google/token", NULL);
	g_key_file_set_string (config, "plugin:fitbit", "client_id", "cid");
	g_key_file_set_string (config, "plugin:fitbit", "client_secret", "csecret");
	g_key_file_set_string (config, "plugin:fitbit", "api_base", api);
	g_key_file_set_string (config, "plugin:fitbit", "authorize_url", authorize);
	g_key_file_set_string (config, "plugin:fitbit", "token_url", token_url);
	provider = g_object_new (OHE_TYPE_FITBIT_PROVIDER, "name", "fitbit", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	ohe_oauth2_provider_set_clock (OHE_OAUTH2_PROVIDER (provider), clock);
	token = test_link (OHE_PROVIDER (provider), "http://127.0.0.1:1/cb", verifier);
	all = test_fetch (OHE_PROVIDER (provider), token, TEST_GOOGLE_END - 2 * 86400,
			  TEST_GOOGLE_END, kinds);
	ohe_sim_server_stop (server);
	return all;
}

/* the test module, loaded as the daemon loads a plugin (its query function) */
static OheProvider *
test_load_synthetic (void)
{
	const gchar *path = g_getenv ("OHE_CONTRACT_SYNTHETIC_PLUGIN");
	GModule *module;
	OhePluginQueryFunc query = NULL;

	g_assert_nonnull (path);
	module = g_module_open (path, G_MODULE_BIND_LOCAL);
	g_assert_nonnull (module);
	g_assert_true (g_module_symbol (module, OHE_PLUGIN_QUERY_SYMBOL, (gpointer *)&query));
	/* its type stays registered, so the module stays loaded */
	g_module_make_resident (module);
	return g_object_new (query ()->get_type (), "name", query ()->name, NULL);
}

static GPtrArray *
test_fetch_synthetic (GArray **kinds)
{
	g_autoptr (OheProvider) provider = test_load_synthetic ();
	g_autoptr (GKeyFile) config = g_key_file_new ();

	g_key_file_set_integer (config, "plugin:synthetic", "count", 120);
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	return test_fetch (provider, NULL, 1793491200, 1793491200 + 7200, kinds);
}

/*
 * No provider plugin delivers R-R interval series, multi-lead ECGs, a mean blood
 * pressure or a civil-day step total today. The reference rows build them from the
 * simulator's generator with the contract's names, so that every declared series and
 * component name goes through the writer, the shipped mapping and the validator.
 */
static OheMeasurement *
test_reference_new (GPtrArray *all, OheMeasurementKind kind, const gchar *native_id, gint64 start_s)
{
	OheMeasurement *m = ohe_measurement_new (kind);
	ohe_measurement_set_provider (m, "reference");
	ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_SPOT);
	ohe_measurement_set_device_id (m, "reference-1");
	ohe_measurement_set_native_id (m, native_id);
	ohe_measurement_set_time (m, start_s * G_USEC_PER_SEC, start_s * G_USEC_PER_SEC);
	ohe_measurement_set_utc_offset (m, 3600);
	g_ptr_array_add (all, m);
	return m;
}

static GPtrArray *
test_fetch_reference (GArray **kinds)
{
	static const OheMeasurementKind declared[] = {K (HEART_RATE),	       K (BLOOD_PRESSURE),
						      K (RR_INTERVALS),	       K (ECG),
						      K (AFIB_CLASSIFICATION), K (STEPS)};
	const gchar *user = "1001";
	const gint64 day = 1793491200; /* 2026-11-01T00:00:00Z */
	GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr (GError) error = NULL;

	/* one minute of beats at noon, each R-R interval from the simulated heart rate */
	{
		const gint64 start = day + 12 * 3600;
		g_autoptr (OheSeries) beats = ohe_series_new_with_offsets (NULL);
		OheMeasurement *rr = test_reference_new (all, K (RR_INTERVALS), "rr-1", start);
		OheMeasurement *hr;
		OheSimSample sample;
		gdouble t = 0;

		while (t < 60000) {
			gint32 interval;
			g_assert_true (ohe_sim_data_sample_at (
			    TEST_SEED, user, K (HEART_RATE), start + (gint64)(t / 1000), &sample));
			interval =
			    (gint32)(60000.0 / ohe_sim_sample_value_to_double (&sample, 0) + 0.5);
			g_assert_true (
			    ohe_series_append_offset_sample (beats, t, interval, &error));
			g_assert_no_error (error);
			t += interval;
		}
		ohe_measurement_add_series (rr, beats);
		ohe_measurement_set_time (rr, start * G_USEC_PER_SEC,
					  start * G_USEC_PER_SEC + (gint64)t * 1000);
		hr = test_reference_new (all, K (HEART_RATE), "rr-1/hr", start);
		g_assert_true (
		    ohe_sim_data_sample_at (TEST_SEED, user, K (HEART_RATE), start, &sample));
		ohe_measurement_set_value_decimal (hr, sample.values[0], sample.exponent);
		ohe_measurement_set_parent (hr, K (RR_INTERVALS), "rr-1");
	}
	/* the day's recording as limb leads I, II and III (III = II − I) */
	{
		g_autoptr (GArray) ecgs =
			       ohe_sim_data_generate_ecg (TEST_SEED, user, day, day + 86400);
		const OheSimEcg *e = &g_array_index (ecgs, OheSimEcg, 0);
		g_autoptr (GArray) samples = ohe_sim_data_ecg_get_samples (TEST_SEED, user, e);
		const gchar *const *leads = ohe_series_name_list (K (ECG));
		g_autofree gchar *fs = g_strdup_printf ("%u", e->sampling_frequency);
		OheMeasurement *ecg = test_reference_new (all, K (ECG), "ecg-1", e->time);
		OheMeasurement *child;

		g_assert_cmpuint (ecgs->len, ==, 1);
		for (guint l = 0; leads[l] != NULL; l++) {
			g_autoptr (OheSeries) lead = ohe_series_new_with_interval (
			    leads[l], 1000.0 / e->sampling_frequency);
			ohe_series_set_factor (lead, 1.0 / e->scaling_factor);
			for (guint i = 0; i < samples->len; i++) {
				gint32 one = g_array_index (samples, gint32, i);
				gint32 two = one + one / 2;
				ohe_series_append_sample (lead, l == 0	 ? one
								: l == 1 ? two
									 : two - one);
			}
			ohe_measurement_add_series (ecg, lead);
		}
		ohe_measurement_set_time (ecg, e->time * G_USEC_PER_SEC,
					  e->time * G_USEC_PER_SEC + (gint64)e->n_samples *
									 G_USEC_PER_SEC /
									 e->sampling_frequency);
		ohe_measurement_set_classification (ecg, ohe_sim_ecg_rhythm_to_code (e->rhythm),
						    NULL);
		ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_SAMPLING_FREQUENCY, fs);
		ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_DEVICE_MODEL, "Reference 3-lead");
		ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_FIRMWARE_VERSION, "1.0");
		ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_WEAR_POSITION,
					       OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST);
		child = test_reference_new (all, K (AFIB_CLASSIFICATION), "ecg-1/afib", e->time);
		ohe_measurement_set_classification (child, ohe_sim_ecg_rhythm_to_code (e->rhythm),
						    NULL);
		ohe_measurement_set_qualifier (child, OHE_QUALIFIER_METHOD,
					       OHE_QUALIFIER_METHOD_VALUE_ECG);
		ohe_measurement_set_parent (child, K (ECG), "ecg-1");
		child = test_reference_new (all, K (HEART_RATE), "ecg-1/hr", e->time);
		ohe_measurement_set_value_decimal (child, e->heart_rate, 0);
		ohe_measurement_set_parent (child, K (ECG), "ecg-1");
	}
	/* a cuff that reports the mean pressure, its pulse and a flagged rhythm */
	{
		g_autoptr (GArray) bps = ohe_sim_data_generate (TEST_SEED, user, K (BLOOD_PRESSURE),
								day, day + 86400);
		const OheSimSample *b = &g_array_index (bps, OheSimSample, 0);
		OheMeasurement *bp = test_reference_new (all, K (BLOOD_PRESSURE), "bp-1", b->time);
		OheMeasurement *child;

		ohe_measurement_set_component_decimal (bp, OHE_COMPONENT_NAME_SYSTOLIC,
						       b->values[0], b->exponent);
		ohe_measurement_set_component_decimal (bp, OHE_COMPONENT_NAME_DIASTOLIC,
						       b->values[1], b->exponent);
		ohe_measurement_set_component_decimal (bp, OHE_COMPONENT_NAME_MEAN,
						       (b->values[0] + 2 * b->values[1]) * 10 / 3,
						       b->exponent - 1);
		child = test_reference_new (all, K (HEART_RATE), "bp-1/hr", b->time);
		ohe_measurement_set_value_decimal (child, b->values[2], b->exponent);
		ohe_measurement_set_parent (child, K (BLOOD_PRESSURE), "bp-1");
		child = test_reference_new (all, K (AFIB_CLASSIFICATION), "bp-1/afib", b->time);
		ohe_measurement_set_classification (child, OHE_CLASSIFICATION_POSITIVE, "true");
		ohe_measurement_set_qualifier (child, OHE_QUALIFIER_METHOD,
					       OHE_QUALIFIER_METHOD_VALUE_BP_CUFF);
		ohe_measurement_set_parent (child, K (BLOOD_PRESSURE), "bp-1");
	}
	/* the day's steps as one civil-day total */
	{
		g_autoptr (GArray) steps =
			       ohe_sim_data_generate (TEST_SEED, user, K (STEPS), day, day + 86400);
		OheMeasurement *total = test_reference_new (all, K (STEPS), "steps-1", day);
		gint64 sum = 0;

		for (guint i = 0; i < steps->len; i++)
			sum += g_array_index (steps, OheSimSample, i).values[0];
		g_assert_cmpint (sum, >, 0);
		ohe_measurement_set_origin (total, OHE_MEASUREMENT_ORIGIN_SUMMARY);
		ohe_measurement_set_time (total, day * G_USEC_PER_SEC,
					  (day + 86400) * G_USEC_PER_SEC);
		ohe_measurement_set_value_decimal (total, sum, 0);
		ohe_measurement_set_qualifier (total, OHE_QUALIFIER_TOTAL,
					       OHE_QUALIFIER_TOTAL_VALUE_DAY);
	}
	*kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	g_array_append_vals (*kinds, declared, G_N_ELEMENTS (declared));
	return all;
}

static TestProvider test_providers[] = {
    {"withings", test_fetch_withings, NULL, NULL},
    {"fitbit", test_fetch_fitbit, NULL, NULL},
    {"synthetic", test_fetch_synthetic, NULL, NULL},
    {"reference", test_fetch_reference, NULL, NULL},
};

static TestProvider *
test_provider (const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS (test_providers); i++) {
		TestProvider *p = &test_providers[i];
		if (!g_str_equal (p->name, name))
			continue;
		if (p->measurements == NULL)
			p->measurements = p->fetch (&p->kinds);
		return p;
	}
	g_assert_not_reached ();
	return NULL;
}

/* ---- writing ---- */

static void
test_keep (const OheFhirResource *r)
{
	g_autofree gchar *ref = g_strconcat (r->resource_type, "/", r->id, NULL);
	g_ptr_array_add (test_resources, g_strdup (r->json->str));
	g_hash_table_add (test_ids, g_steal_pointer (&ref));
}

/* the first reference of member @name of the resource, e.g. DiagnosticReport.result */
static gchar *
test_first_reference (const OheFhirResource *r, const gchar *name)
{
	g_autoptr (JsonNode) root = json_from_string (r->json->str, NULL);
	JsonObject *obj = json_node_get_object (root);
	JsonArray *array;

	if (!json_object_has_member (obj, name))
		return NULL;
	array = json_object_get_array_member (obj, name);
	return g_strdup (
	    json_object_get_string_member (json_array_get_object_element (array, 0), "reference"));
}

/* one component per series (ECG leads) or per component (blood pressure) */
static void
test_check_shape (OheMeasurement *m, const OheFhirResource *r)
{
	g_autoptr (JsonNode) root = json_from_string (r->json->str, NULL);
	JsonObject *obj = json_node_get_object (root);
	guint expected = 0;

	switch (ohe_measurement_kind_get_value_type (ohe_measurement_get_kind (m))) {
	case OHE_VALUE_TYPE_COMPONENTS:
		expected = ohe_measurement_get_n_components (m);
		break;
	case OHE_VALUE_TYPE_SERIES:
		if (ohe_measurement_get_kind (m) == OHE_MEASUREMENT_KIND_ECG)
			expected = ohe_measurement_get_n_series (m);
		else
			g_assert_true (json_object_has_member (obj, "valueSampledData"));
		break;
	default:
		return;
	}
	if (expected > 0)
		g_assert_cmpuint (
		    json_array_get_length (json_object_get_array_member (obj, "component")), ==,
		    expected);
}

static void
test_row (gconstpointer data)
{
	const TestRow *row = data;
	TestProvider *provider = test_provider (row->provider);
	guint n = 0;

	for (guint i = 0; i < provider->measurements->len; i++) {
		OheMeasurement *m = g_ptr_array_index (provider->measurements, i);
		g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
		    (GDestroyNotify)ohe_fhir_resource_free);
		g_autoptr (GError) error = NULL;
		const OheFhirResource *main = NULL;
		guint n_reports = 0;

		if (ohe_measurement_get_kind (m) != row->kind)
			continue;
		n++;
		/* as the shaper does: the plugin's name when it set no provider */
		if (ohe_measurement_get_provider (m) == NULL)
			ohe_measurement_set_provider (m, row->provider);
		/* the shaper's check: every name within the contract */
		if (!ohe_measurement_validate (m, &error))
			g_error ("%s", error->message);
		if (!ohe_fhir_writer_write (test_writer, m, i, TEST_PATIENT, out, &error))
			g_error ("%s %s: %s", row->provider,
				 ohe_measurement_kind_to_string (row->kind), error->message);
		for (guint j = 0; j < out->len; j++) {
			const OheFhirResource *r = g_ptr_array_index (out, j);
			test_keep (r);
			/* Device and DeviceAssociation come with the first reading of a device */
			if (main == NULL && g_str_equal (r->resource_type, row->resource_type)) {
				main = r;
				test_check_shape (m, r);
			} else if (g_str_equal (r->resource_type, "DiagnosticReport")) {
				g_autofree gchar *result = test_first_reference (r, "result");
				g_autofree gchar *own = NULL;
				/* after its Observation, pointing at it */
				g_assert_nonnull (main);
				own = g_strconcat (main->resource_type, "/", main->id, NULL);
				g_assert_cmpstr (result, ==, own);
				n_reports++;
			} else {
				g_assert_true (g_str_has_prefix (r->resource_type, "Device"));
			}
		}
		g_assert_nonnull (main);
		g_assert_cmpuint (n_reports, ==, row->report ? 1 : 0);
	}
	g_test_message ("%s %s: %u measurements written", row->provider,
			ohe_measurement_kind_to_string (row->kind), n);
	g_assert_cmpuint (n, >, 0);
}

/*
 * The ECG loss of a Withings sync, as a new user met it: heart list, then heart get per
 * recording — ScanWatch (30 s at 300 Hz, 9000 samples), BPM Core (20 s at 500 Hz, 10000
 * samples), Move ECG (30 s at 300 Hz) — at wear positions 1–3. The plugin named the series
 * "signal", the mapping knew only leads I, II, III and unnamed, so the writer refused the ECG
 * and the sink acknowledged nothing written while the heart-rate and AFib children pointed at
 * it. Now every ECG is written with its DiagnosticReport after it, and a series named outside
 * the contract is refused by the shaper's check, naming it, instead of vanishing.
 */
static const struct {
	gint64 signalid;
	gint model;
	const gchar *model_name;
	gint fs;
	guint n_samples;
	gint wear;
	const gchar *wear_name;
	gint afib;
	const gchar *classification;
} test_withings_ecgs[] = {
    {7700001, 93, "ScanWatch", 300, 9000, 1, OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST, 0,
     OHE_CLASSIFICATION_NEGATIVE},
    {7700002, 44, "BPM Core", 500, 10000, 2, OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_ARM, 1,
     OHE_CLASSIFICATION_POSITIVE},
    {7700003, 91, "Move ECG", 300, 9000, 3, OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_ARM, 2,
     OHE_CLASSIFICATION_INCONCLUSIVE},
};

static JsonObject *
test_withings_body (const gchar *json)
{
	g_autoptr (GError) error = NULL;
	JsonObject *body = ohe_withings_parser_envelope_from_data (json, strlen (json), &error);
	g_assert_no_error (error);
	g_assert_nonnull (body);
	return body;
}

static gchar *
test_withings_heart_get (guint i)
{
	GString *json = g_string_new ("{\"status\":0,\"body\":{\"signal\":[");
	for (guint s = 0; s < test_withings_ecgs[i].n_samples; s++)
		g_string_append_printf (json, "%s%d", s > 0 ? "," : "",
					(gint)((s * 37 + i * 11) % 2001) - 1000);
	g_string_append_printf (json,
				"],\"sampling_frequency\":%d,\"wearposition\":%d,\"model\":%d,"
				"\"heart_rate\":%u}}",
				test_withings_ecgs[i].fs, test_withings_ecgs[i].wear,
				test_withings_ecgs[i].model, 60 + i * 7);
	return g_string_free (json, FALSE);
}

static void
test_withings_ecg_regression (void)
{
	g_autoptr (GString) list = g_string_new ("{\"status\":0,\"body\":{\"series\":[");
	g_autoptr (JsonObject) list_body = NULL;
	g_autoptr (GPtrArray) records = NULL;
	g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Paris");
	g_autoptr (GError) error = NULL;
	gboolean more = TRUE;
	gint64 offset = -1;

	for (guint i = 0; i < G_N_ELEMENTS (test_withings_ecgs); i++)
		g_string_append_printf (
		    list,
		    "%s{\"deviceid\":\"dev-%d\",\"model\":%d,\"ecg\":{\"signalid\":"
		    "%" G_GINT64_FORMAT
		    ",\"afib\":%d},\"heart_rate\":%u,\"timestamp\":%" G_GINT64_FORMAT "}",
		    i > 0 ? "," : "", test_withings_ecgs[i].model, test_withings_ecgs[i].model,
		    test_withings_ecgs[i].signalid, test_withings_ecgs[i].afib, 60 + i * 7,
		    (gint64)1793520000 + i * 86400);
	g_string_append (list, "],\"more\":false,\"offset\":0}}");
	list_body = test_withings_body (list->str);
	records = ohe_withings_parser_heart_list (list_body, &more, &offset, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (records->len, ==, G_N_ELEMENTS (test_withings_ecgs));

	for (guint i = 0; i < records->len; i++) {
		g_autofree gchar *get_json = test_withings_heart_get (i);
		g_autoptr (JsonObject) get_body = test_withings_body (get_json);
		g_autoptr (GPtrArray) ms = ohe_withings_parser_heart_get (
		    get_body, g_ptr_array_index (records, i), tz, &error);
		g_autofree gchar *fs = g_strdup_printf ("%d", test_withings_ecgs[i].fs);
		g_autofree gchar *ecg_ref = NULL;
		OheMeasurement *ecg;
		gboolean report_seen = FALSE;

		g_assert_no_error (error);
		g_assert_cmpuint (ms->len, ==, 3);
		ecg = g_ptr_array_index (ms, 0);
		g_assert_cmpint (ohe_measurement_get_kind (ecg), ==, OHE_MEASUREMENT_KIND_ECG);
		g_assert_cmpuint (ohe_measurement_get_n_series (ecg), ==, 1);
		/* the lead is not stated: unnamed, never the wire name "signal" */
		g_assert_null (ohe_series_get_name (ohe_measurement_get_series (ecg, 0)));
		g_assert_cmpuint (ohe_series_get_n_samples (ohe_measurement_get_series (ecg, 0)),
				  ==, test_withings_ecgs[i].n_samples);
		g_assert_cmpint (ohe_measurement_get_end (ecg) - ohe_measurement_get_start (ecg),
				 ==,
				 (gint64)test_withings_ecgs[i].n_samples * G_USEC_PER_SEC /
				     test_withings_ecgs[i].fs);
		g_assert_cmpstr (
		    ohe_measurement_get_qualifier (ecg, OHE_QUALIFIER_SAMPLING_FREQUENCY), ==, fs);
		g_assert_cmpstr (ohe_measurement_get_qualifier (ecg, OHE_QUALIFIER_WEAR_POSITION),
				 ==, test_withings_ecgs[i].wear_name);
		g_assert_cmpstr (ohe_measurement_get_qualifier (ecg, OHE_QUALIFIER_DEVICE_MODEL),
				 ==, test_withings_ecgs[i].model_name);

		/* in fetch order: the ECG, then its AFib result and its heart rate */
		for (guint j = 0; j < ms->len; j++) {
			OheMeasurement *m = g_ptr_array_index (ms, j);
			g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
			    (GDestroyNotify)ohe_fhir_resource_free);
			const OheFhirResource *obs = NULL;

			g_assert_true (ohe_measurement_validate (m, &error));
			g_assert_no_error (error);
			g_assert_true (
			    ohe_fhir_writer_write (test_writer, m, j, TEST_PATIENT, out, &error));
			g_assert_no_error (error);
			for (guint k = 0; k < out->len; k++) {
				const OheFhirResource *r = g_ptr_array_index (out, k);
				g_autoptr (JsonNode) root = json_from_string (r->json->str, NULL);
				JsonObject *o = json_node_get_object (root);

				test_keep (r);
				if (g_str_equal (r->resource_type, "Observation") && obs == NULL) {
					obs = r;
					if (j == 0) {
						JsonObject *c = json_array_get_object_element (
						    json_object_get_array_member (o, "component"),
						    0);
						JsonObject *coding = json_array_get_object_element (
						    json_object_get_array_member (
							json_object_get_object_member (c, "code"),
							"coding"),
						    0);
						ecg_ref = g_strconcat ("Observation/", r->id, NULL);
						/* MDC_ECG_ELEC_POTL: lead not stated */
						g_assert_cmpstr (
						    json_object_get_string_member (coding, "code"),
						    ==, "131328");
					} else {
						JsonObject *from = json_array_get_object_element (
						    json_object_get_array_member (o, "derivedFrom"),
						    0);
						g_assert_cmpstr (json_object_get_string_member (
								     from, "reference"),
								 ==, ecg_ref);
					}
				} else if (g_str_equal (r->resource_type, "DiagnosticReport")) {
					g_autofree gchar *result =
					    test_first_reference (r, "result");
					JsonArray *codes =
					    json_object_get_array_member (o, "conclusionCode");
					JsonObject *coding = json_array_get_object_element (
					    json_object_get_array_member (
						json_array_get_object_element (codes, 0), "coding"),
					    0);
					g_assert_cmpuint (j, ==, 0);
					g_assert_nonnull (obs);
					g_assert_cmpstr (result, ==, ecg_ref);
					g_assert_cmpstr (
					    json_object_get_string_member (coding, "code"), ==,
					    test_withings_ecgs[i].classification);
					report_seen = TRUE;
				}
			}
			g_assert_nonnull (obs);
		}
		g_assert_true (report_seen);
		g_assert_true (g_hash_table_contains (test_ids, ecg_ref));
	}

	/* what the plugin emitted before: refused by the shaper's check, naming the name */
	{
		g_autoptr (OheMeasurement) old = ohe_measurement_new (OHE_MEASUREMENT_KIND_ECG);
		g_autoptr (OheSeries) signal =
			       ohe_series_new_with_interval ("signal", 1000.0 / 300);
		g_autoptr (GPtrArray) out = g_ptr_array_new ();

		ohe_series_append_sample (signal, 12);
		ohe_measurement_add_series (old, signal);
		ohe_measurement_set_provider (old, "withings");
		ohe_measurement_set_native_id (old, "7700009");
		ohe_measurement_set_time (old, G_GINT64_CONSTANT (1793520000) * G_USEC_PER_SEC,
					  G_GINT64_CONSTANT (1793520030) * G_USEC_PER_SEC);
		g_assert_false (ohe_measurement_validate (old, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==,
				 "withings ecg measurement: series name 'signal' is not in the "
				 "contract (expected I, II, III or unnamed)");
		g_clear_error (&error);
		g_assert_false (
		    ohe_fhir_writer_write (test_writer, old, 0, TEST_PATIENT, out, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpuint (out->len, ==, 0);
	}
}

/* every kind a provider emits has a row, and every row's kind is declared and emitted */
static void
test_coverage (void)
{
	g_autoptr (GString) problems = g_string_new (NULL);

	for (guint p = 0; p < G_N_ELEMENTS (test_providers); p++) {
		TestProvider *provider = test_provider (test_providers[p].name);
		g_autoptr (GHashTable) emitted = g_hash_table_new (NULL, NULL);
		g_autoptr (GHashTable) declared = g_hash_table_new (NULL, NULL);
		g_autoptr (GHashTable) rows = g_hash_table_new (NULL, NULL);
		GHashTableIter iter;
		gpointer key;

		for (guint i = 0; i < provider->measurements->len; i++)
			g_hash_table_add (emitted,
					  GINT_TO_POINTER (ohe_measurement_get_kind (
					      g_ptr_array_index (provider->measurements, i))));
		for (guint i = 0; i < G_N_ELEMENTS (test_rows); i++) {
			if (g_str_equal (test_rows[i].provider, provider->name))
				g_assert_true (
				    g_hash_table_add (rows, GINT_TO_POINTER (test_rows[i].kind)));
		}
		for (guint i = 0; i < provider->kinds->len; i++)
			g_hash_table_add (declared, GINT_TO_POINTER (g_array_index (
							provider->kinds, OheMeasurementKind, i)));
		g_hash_table_iter_init (&iter, emitted);
		while (g_hash_table_iter_next (&iter, &key, NULL)) {
			if (!g_hash_table_contains (rows, key))
				g_string_append_printf (
				    problems, "\n%s emits %s, which has no contract row",
				    provider->name,
				    ohe_measurement_kind_to_string (GPOINTER_TO_INT (key)));
		}
		g_hash_table_iter_init (&iter, rows);
		while (g_hash_table_iter_next (&iter, &key, NULL)) {
			const gchar *kind = ohe_measurement_kind_to_string (GPOINTER_TO_INT (key));
			if (!g_hash_table_contains (declared, key))
				g_string_append_printf (
				    problems, "\n%s row %s: the provider does not declare the kind",
				    provider->name, kind);
			if (!g_hash_table_contains (emitted, key))
				g_string_append_printf (
				    problems,
				    "\n%s row %s: nothing emitted from the simulator's data",
				    provider->name, kind);
		}
	}
	if (problems->len > 0)
		g_error ("contract table out of date:%s", problems->str);
}

/* every reference of every resource points to one written here, or to the Patient */
static void
test_check_references (JsonNode *node, const gchar *where)
{
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *obj = json_node_get_object (node);
		g_autoptr (GList) members = json_object_get_members (obj);
		for (GList *l = members; l != NULL; l = l->next) {
			JsonNode *child = json_object_get_member (obj, l->data);
			if (g_str_equal (l->data, "reference") && JSON_NODE_HOLDS_VALUE (child)) {
				const gchar *ref = json_node_get_string (child);
				if (!g_str_equal (ref, TEST_PATIENT) &&
				    !g_hash_table_contains (test_ids, ref))
					g_error ("%s: dangling reference %s", where, ref);
			} else {
				test_check_references (child, where);
			}
		}
	} else if (JSON_NODE_HOLDS_ARRAY (node)) {
		JsonArray *array = json_node_get_array (node);
		for (guint i = 0; i < json_array_get_length (array); i++)
			test_check_references (json_array_get_element (array, i), where);
	}
}

static void
test_closure_and_r5 (void)
{
	const gchar *validator = g_getenv ("OHE_FHIR_VALIDATOR");
	const gchar *node = g_getenv ("OHE_FHIR_NODE");
	g_autoptr (GString) ndjson = g_string_new (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *file = NULL;
	g_autofree gchar *stdout_text = NULL;
	gint status = 0;

	/* one row at least per provider ran before */
	g_assert_cmpuint (test_resources->len, >, G_N_ELEMENTS (test_rows));
	for (guint i = 0; i < test_resources->len; i++) {
		const gchar *json = g_ptr_array_index (test_resources, i);
		g_autoptr (JsonNode) root = json_from_string (json, &error);
		g_autofree gchar *where = g_strdup_printf ("resource %u", i);
		g_assert_no_error (error);
		test_check_references (root, where);
		g_string_append (ndjson, json);
		g_string_append_c (ndjson, '\n');
	}
	if (validator == NULL || node == NULL) {
		g_test_skip ("OHE_FHIR_VALIDATOR and OHE_FHIR_NODE are not set");
		return;
	}
	dir = g_dir_make_tmp ("ohe-contract-XXXXXX", &error);
	g_assert_no_error (error);
	file = g_build_filename (dir, "contract.ndjson", NULL);
	g_assert_true (g_file_set_contents (file, ndjson->str, ndjson->len, &error));
	g_assert_no_error (error);
	{
		const gchar *argv[] = {node, validator, "--quiet", file, NULL};
		g_assert_true (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL,
					     NULL, &stdout_text, NULL, &status, &error));
	}
	g_assert_no_error (error);
	if (stdout_text != NULL && stdout_text[0] != '\0')
		g_test_message ("%s", stdout_text);
	g_assert_true (g_spawn_check_wait_status (status, &error));
	g_assert_no_error (error);
	g_assert_cmpint (g_unlink (file), ==, 0);
	g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
	g_autoptr (OheFhirMapping) mapping = NULL;
	g_autoptr (GError) error = NULL;
	int rc;

	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	mapping = ohe_fhir_mapping_new_from_file (TEST_MAPPING, &error);
	g_assert_no_error (error);
	test_writer = ohe_fhir_writer_new (mapping, NULL);
	test_resources = g_ptr_array_new_with_free_func (g_free);
	test_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < G_N_ELEMENTS (test_rows); i++) {
		g_autofree gchar *path =
		    g_strdup_printf ("/contract/row/%s/%s", test_rows[i].provider,
				     ohe_measurement_kind_to_string (test_rows[i].kind));
		g_test_add_data_func (path, &test_rows[i], test_row);
	}
	g_test_add_func ("/contract/regression/withings-ecg", test_withings_ecg_regression);
	/* after every row: the sub-suites run in the order they were added */
	g_test_add_func ("/contract/whole/coverage", test_coverage);
	g_test_add_func ("/contract/whole/closure-r5", test_closure_and_r5);
	rc = g_test_run ();
	for (guint i = 0; i < G_N_ELEMENTS (test_providers); i++) {
		g_clear_pointer (&test_providers[i].measurements, g_ptr_array_unref);
		g_clear_pointer (&test_providers[i].kinds, g_array_unref);
	}
	g_object_unref (test_writer);
	g_ptr_array_unref (test_resources);
	g_hash_table_unref (test_ids);
	return rc;
}
