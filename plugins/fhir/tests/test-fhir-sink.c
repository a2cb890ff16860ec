/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fake-fhir-server.h"
#include "ohe-fhir-bundle.h"
#include "ohe-fhir-ndjson-transport.h"
#include "ohe-fhir-rest-transport.h"
#include "ohe-fhir-sink.h"
#include "ohe-fhir-writer.h"

/*
 * Delivery of the FHIR sink: bundles, the REST transport against an
 * in-process FHIR server (fake-fhir-server.c), the NDJSON transport in a
 * scratch directory. The transport tests write their entries by hand so every
 * byte the server sees is known; the sink tests go through the writer.
 */

#define TEST_SYSTEM	"https://ohed.dev/fhir/id/test/hr"
#define TEST_DEV_SYSTEM "https://ohed.dev/fhir/id/test/device"
#define TEST_DAY_US	((gint64)1767225600 * G_USEC_PER_SEC) /* 2026-01-01T00:00:00Z */

typedef struct {
	FakeFhirServer *server;
	OheClock *clock;
	OheHttpClient *client;
	OheFhirRestTransport *rest;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	f->server = fake_fhir_server_new ();
	f->clock = ohe_clock_new_fake (TEST_DAY_US);
	f->client = ohe_http_client_new ("fhir");
	ohe_http_client_set_clock (f->client, f->clock);
	ohe_http_client_set_breaker (f->client, NULL, 5, 60, 3);
	f->rest = ohe_fhir_rest_transport_new (fake_fhir_server_get_base_url (f->server), f->client,
					       &error);
	g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	g_assert_finalize_object (f->rest);
	g_assert_finalize_object (f->client);
	g_assert_finalize_object (f->clock);
	fake_fhir_server_free (f->server);
}

static OheFhirEntry *
test_observation (guint idx, const gchar *status, guint value)
{
	g_autofree gchar *id = g_strdup_printf ("obs%04u", idx);
	g_autofree gchar *ident = g_strdup_printf ("m%04u", idx);
	g_autofree gchar *json = g_strdup_printf (
	    "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"identifier\":[{\"system\":\"%s\","
	    "\"value\":\"%s\"}],\"status\":\"%s\",\"code\":{\"text\":\"heart rate\"},"
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"device\":{\"reference\":\"Device/"
	    "dev1\"},\"valueQuantity\":{\"value\":%u.0,\"unit\":\"/min\"}}",
	    id, TEST_SYSTEM, ident, status, value);
	return ohe_fhir_entry_new ("Observation", id, TEST_SYSTEM, ident, json, idx,
				   TEST_DAY_US + (gint64)idx * G_USEC_PER_SEC);
}

static OheFhirEntry *
test_device (guint owner)
{
	return ohe_fhir_entry_new ("Device", "dev1", TEST_DEV_SYSTEM, "WATCH-1",
				   "{\"resourceType\":\"Device\",\"id\":\"dev1\",\"identifier\":[{"
				   "\"system\":\"" TEST_DEV_SYSTEM
				   "\",\"value\":\"WATCH-1\"}],\"status\":\"active\"}",
				   owner, TEST_DAY_US);
}

/* n measurements, each an Observation plus the shared Device; @bad gets status bogus */
static GPtrArray *
test_entries (guint n, gint bad, guint value)
{
	g_autoptr(GPtrArray) raw =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	for (guint i = 0; i < n; i++) {
		g_ptr_array_add (raw, test_device (i));
		g_ptr_array_add (raw,
				 test_observation (i, (gint)i == bad ? "bogus" : "final", value));
	}
	return ohe_fhir_entries_dedup (raw);
}

static OhePushRequest *
test_request (guint n)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add (ms, ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE));
	return ohe_push_request_new ("link1", "Patient/p1", ms);
}

static JsonObject *
test_post_entry (JsonNode *post, guint idx)
{
	JsonArray *entries = json_object_get_array_member (json_node_get_object (post), "entry");
	return json_array_get_object_element (entries, idx);
}

static void
test_bundle_dedup (void)
{
	g_autoptr(GPtrArray) entries = test_entries (3, -1, 60);
	OheFhirEntry *device;

	/* one Device for three measurements, first in place */
	g_assert_cmpuint (entries->len, ==, 4);
	device = g_ptr_array_index (entries, 0);
	g_assert_cmpstr (device->resource_type, ==, "Device");
	g_assert_true (ohe_fhir_entry_is_shared (device));
	g_assert_cmpuint (device->owners->len, ==, 3);
	g_assert_cmpuint (g_array_index (device->owners, guint, 2), ==, 2);
}

static void
test_bundle_outcome_detail (void)
{
	g_autoptr(JsonNode) oo = json_from_string (
	    "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":"
	    "\"invalid\",\"details\":{\"text\":\"bad code\"},\"expression\":[\"Bundle.entry[7]."
	    "resource\"]},{\"severity\":\"error\",\"code\":\"required\"}]}",
	    NULL);
	g_autoptr(JsonNode) junk = json_from_string ("[1,2]", NULL);
	g_autofree gchar *detail = NULL;
	gint idx = -2;

	detail = ohe_fhir_outcome_dup_detail (oo, &idx);
	g_assert_cmpstr (detail, ==,
			 "error invalid at Bundle.entry[7].resource: bad code; error required");
	g_assert_cmpint (idx, ==, 7);
	g_assert_null (ohe_fhir_outcome_dup_detail (junk, &idx));
	g_assert_cmpint (idx, ==, -1);
	g_assert_null (ohe_fhir_outcome_dup_detail (NULL, NULL));
}

/* a server quoting the rejected value leaves no health value in the dead letter */
static void
test_bundle_outcome_redacted (void)
{
	g_autoptr(JsonNode) oo = json_from_string (
	    "{\"resourceType\":\"OperationOutcome\",\"issue\":["
	    "{\"severity\":\"error\",\"code\":\"value\",\"diagnostics\":\"Observation/obs-1: "
	    "value 187.5 kg for Patient 4711 exceeds 150\",\"expression\":[\"Bundle.entry[2]."
	    "resource.valueQuantity.value\"]},"
	    "{\"severity\":\"warning\",\"code\":\"invariant\",\"details\":{\"text\":\"bp 120/80\"},"
	    "\"expression\":[\"Observation.component.where(value = 120).value\"]},"
	    "{\"severity\":\"ERROR 99\",\"code\":\"x y\",\"diagnostics\":\"72 bpm\"}]}",
	    NULL);
	g_autofree gchar *detail = NULL;
	gint idx = -2;

	detail = ohe_fhir_outcome_dup_detail (oo, &idx);
	g_assert_cmpstr (detail, ==,
			 "error value at Bundle.entry[2].resource.valueQuantity.value: "
			 "Observation/obs-#: value ###.# kg for Patient #### exceeds ###; "
			 "warning invariant at Observation.component.where(value = ###).value: "
			 "bp ###/##; issue: ## bpm");
	g_assert_cmpint (idx, ==, 2);
	for (const gchar *p = detail; *p != '\0'; p++) {
		if (!g_ascii_isdigit (*p))
			continue;
		/* the only digits left are the entry index of the element path */
		g_assert_true (p > detail && p[-1] == '[' && *p == '2');
	}
}

static void
test_bundle_parse_response_bad (void)
{
	g_autoptr(OheFhirBundle) bundle = ohe_fhir_bundle_new (OHE_FHIR_BUNDLE_TYPE_TRANSACTION,
								OHE_FHIR_WRITE_MODE_PUT);
	g_autoptr(OheFhirEntry) entry = test_observation (0, "final", 60);
	OheFhirEntryResult results[1] = {{0}};
	const struct {
		const gchar *json;
		const gchar *message;
	} cases[] = {
	    {"{\"resourceType\":\"OperationOutcome\"}", "response resourceType is not Bundle"},
	    {"{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]}",
	     "response Bundle.type is searchset, expected transaction-response or batch-response"},
	    {"{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[]}",
	     "response Bundle.entry has 0 entries, expected 1"},
	    {"{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[{"
	     "\"response\":{\"status\":\"OK\"}}]}",
	     "response Bundle.entry[0].response.status is missing or not an HTTP status"},
	    {"{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[{"
	     "\"response\":{\"status\":2001}}]}",
	     "response Bundle.entry[0].response.status is missing or not an HTTP status"},
	};

	ohe_fhir_bundle_add_entry (bundle, entry);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(JsonNode) root = json_from_string (cases[i].json, NULL);
		g_autoptr(GError) error = NULL;
		g_assert_false (ohe_fhir_bundle_parse_response (bundle, root, results, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
		g_assert_cmpstr (error->message, ==, cases[i].message);
	}
}

static void
test_rest_put (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (500, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (500);
	g_autoptr(OhePushRequest) replay = test_request (500);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) post = NULL;
	g_autofree gchar *stored = NULL;
	JsonObject *entry;
	JsonObject *req;

	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  500);
	/* 500 measurements: one transaction, 501 entries */
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 1);
	g_assert_cmpuint (ohe_fhir_rest_transport_get_n_requests (f->rest), ==, 1);
	post = fake_fhir_server_dup_post (f->server, 0);
	g_assert_cmpstr (json_object_get_string_member (json_node_get_object (post), "type"), ==,
			 "transaction");
	g_assert_cmpuint (json_array_get_length (
			      json_object_get_array_member (json_node_get_object (post), "entry")),
			  ==, 501);
	entry = test_post_entry (post, 0);
	req = json_object_get_object_member (entry, "request");
	g_assert_cmpstr (json_object_get_string_member (req, "method"), ==, "PUT");
	g_assert_cmpstr (json_object_get_string_member (req, "url"), ==, "Device/dev1");
	g_assert_false (json_object_has_member (entry, "fullUrl"));
	req = json_object_get_object_member (test_post_entry (post, 42), "request");
	g_assert_cmpstr (json_object_get_string_member (req, "url"), ==, "Observation/obs0041");
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 500);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);

	/* a replay with a changed value updates the same resources */
	g_clear_pointer (&entries, g_ptr_array_unref);
	entries = test_entries (500, -1, 61);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, replay, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  500);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 2);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 500);
	stored = fake_fhir_server_dup_resource (f->server, "Observation", "obs0007");
	g_assert_nonnull (strstr (stored, "\"value\":61"));
}

static void
test_rest_bundle_size (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (5, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (5);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) second = NULL;

	ohe_fhir_rest_transport_set_bundle_size (f->rest, 2);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	/* 2 + 2 + 1 measurements, the Device travels with each bundle */
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 3);
	second = fake_fhir_server_dup_post (f->server, 1);
	g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
			      json_node_get_object (second), "entry")),
			  ==, 3);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  5);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 5);
}

static void
test_rest_conditional_create (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (3, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (3);
	g_autoptr(OhePushRequest) replay = test_request (3);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) post = NULL;
	g_autofree gchar *device_ref = NULL;
	g_autofree gchar *obs_ref = NULL;
	g_autofree gchar *stored = NULL;
	g_autofree gchar *expected = NULL;
	JsonObject *entry;
	JsonObject *req;

	ohe_fhir_rest_transport_set_write_mode (f->rest, OHE_FHIR_WRITE_MODE_CONDITIONAL_CREATE);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  3);

	post = fake_fhir_server_dup_post (f->server, 0);
	entry = test_post_entry (post, 1);
	req = json_object_get_object_member (entry, "request");
	g_assert_cmpstr (json_object_get_string_member (req, "method"), ==, "POST");
	g_assert_cmpstr (json_object_get_string_member (req, "url"), ==, "Observation");
	g_assert_cmpstr (json_object_get_string_member (req, "ifNoneExist"), ==,
			 "identifier=https://ohed.dev/fhir/id/test/hr|m0000");
	g_assert_true (
	    g_str_has_prefix (json_object_get_string_member (entry, "fullUrl"), "urn:uuid:"));
	/* the server assigns ids: ours is not sent */
	g_assert_false (
	    json_object_has_member (json_object_get_object_member (entry, "resource"), "id"));

	/* the device reference went through the urn:uuid to the server's id */
	device_ref =
	    fake_fhir_server_dup_by_identifier (f->server, "Device", TEST_DEV_SYSTEM, "WATCH-1");
	g_assert_nonnull (device_ref);
	obs_ref =
	    fake_fhir_server_dup_by_identifier (f->server, "Observation", TEST_SYSTEM, "m0002");
	g_assert_nonnull (obs_ref);
	stored = fake_fhir_server_dup_resource (f->server, "Observation",
						obs_ref + strlen ("Observation/"));
	expected = g_strdup_printf ("\"device\":{\"reference\":\"%s\"}", device_ref);
	g_assert_nonnull (strstr (stored, expected));

	/* replaying creates nothing */
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, replay, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN), ==, 3);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 3);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);
}

static void
test_rest_conditional_update (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (2, -1, 60);
	g_autoptr(GPtrArray) changed = test_entries (2, -1, 65);
	g_autoptr(OhePushRequest) request = test_request (2);
	g_autoptr(OhePushRequest) replay = test_request (2);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) post = NULL;
	g_autofree gchar *obs_ref = NULL;
	g_autofree gchar *stored = NULL;
	JsonObject *req;

	ohe_fhir_rest_transport_set_write_mode (f->rest, OHE_FHIR_WRITE_MODE_CONDITIONAL_UPDATE);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	post = fake_fhir_server_dup_post (f->server, 0);
	req = json_object_get_object_member (test_post_entry (post, 2), "request");
	g_assert_cmpstr (json_object_get_string_member (req, "method"), ==, "PUT");
	g_assert_cmpstr (json_object_get_string_member (req, "url"), ==,
			 "Observation?identifier=https://ohed.dev/fhir/id/test/hr|m0001");
	g_assert_false (json_object_has_member (req, "ifNoneExist"));

	obs_ref =
	    fake_fhir_server_dup_by_identifier (f->server, "Observation", TEST_SYSTEM, "m0001");
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, changed, replay, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN), ==, 2);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 2);
	stored = fake_fhir_server_dup_resource (f->server, "Observation",
						obs_ref + strlen ("Observation/"));
	g_assert_nonnull (strstr (stored, "\"value\":65"));
}

static void
test_rest_recovers_from_503 (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (10, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (10);
	g_autoptr(GError) error = NULL;

	/* two 503 are retried inside the client (idempotent POST), with backoff on the fake clock
	 */
	fake_fhir_server_fail_next (f->server, 2, 503);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 3);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  10);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 10);
}

static void
test_rest_503_fails_then_replay (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (10, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (10);
	g_autoptr(OhePushRequest) replay = test_request (10);
	g_autoptr(GError) error = NULL;

	ohe_http_client_set_max_attempts (f->client, 2);
	fake_fhir_server_fail_next (f->server, 2, 503);
	g_assert_false (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_true (ohe_error_is_transient (error));
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_PENDING), ==,
			  10);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 0);
	g_clear_error (&error);

	/* the job is retried: everything lands once */
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, replay, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  10);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 10);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);
}

static void
test_rest_invalid_entry (Fixture *f, gconstpointer user_data)
{
	gboolean name_entry = GPOINTER_TO_INT (user_data);
	g_autoptr(GPtrArray) entries = test_entries (8, 5, 60);
	g_autoptr(OhePushRequest) request = test_request (8);
	g_autoptr(GError) error = NULL;

	fake_fhir_server_set_name_entry (f->server, name_entry);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	for (guint i = 0; i < 8; i++)
		g_assert_cmpint (ohe_push_request_get_outcome (request, i), ==,
				 i == 5 ? OHE_PUSH_OUTCOME_REFUSED : OHE_PUSH_OUTCOME_WRITTEN);
	/* a named entry comes with its element path */
	g_assert_cmpstr (ohe_push_request_get_reason (request, 5), ==,
			 name_entry
			     ? "HTTP 400: error invalid at Bundle.entry[6].resource.status: "
			       "Observation.status: the code is not in the value set"
			     : "HTTP 400: error invalid: Observation.status: the code is not "
			       "in the value set");
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 7);
	g_assert_null (fake_fhir_server_dup_resource (f->server, "Observation", "obs0005"));
	/* named: refused + resend; unnamed: refused, halves 4|4, then 2|2, then 1|1 */
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, name_entry ? 2 : 7);
}

static void
test_rest_too_large (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (6, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (6);
	g_autoptr(GError) error = NULL;

	/* the Device and 6 Observations are too many: split into 3 + 3, each with the Device */
	fake_fhir_server_set_max_entries (f->server, 4);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 3);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  6);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 6);
	/* both halves went through: the larger one (4 entries) is what the server takes */
	g_assert_cmpuint (ohe_fhir_rest_transport_get_n_refused (f->rest), ==, 1);
	g_assert_cmpuint (
	    ohe_fhir_rest_transport_get_entry_limit (f->rest, OHE_FHIR_BUNDLE_TYPE_TRANSACTION), ==,
	    4);
	g_assert_cmpuint (
	    ohe_fhir_rest_transport_get_entry_limit (f->rest, OHE_FHIR_BUNDLE_TYPE_BATCH), ==, 0);

	/* the next push is cut to size at once: two bundles, none refused */
	{
		g_autoptr(GPtrArray) again = test_entries (6, -1, 61);
		g_autoptr(OhePushRequest) replay = test_request (6);
		g_assert_true (ohe_fhir_rest_transport_push (f->rest, again, replay, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 5);
		g_assert_cmpuint (ohe_fhir_rest_transport_get_n_refused (f->rest), ==, 1);
		g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN),
				  ==, 6);
	}
}

static void
test_rest_limit_learned (gpointer user_data, OheFhirBundleType type, guint limit)
{
	GArray *learned = user_data;
	guint pair[2] = {type, limit};
	g_array_append_vals (learned, pair, 2);
}

/* a refusal that states the limit costs one request: the rest is cut to that size */
static void
test_rest_stated_limit (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (9, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (9);
	g_autoptr(GArray) learned = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr(GError) error = NULL;

	fake_fhir_server_set_max_entries (f->server, 4);
	fake_fhir_server_set_state_limit (f->server, TRUE);
	ohe_fhir_rest_transport_set_bundle_type (f->rest, OHE_FHIR_BUNDLE_TYPE_BATCH);
	ohe_fhir_rest_transport_set_limit_func (
	    f->rest, test_rest_limit_learned, g_array_ref (learned), (GDestroyNotify)g_array_unref);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	/* 10 entries refused, then the Device and 3 Observations three times */
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 4);
	g_assert_cmpuint (ohe_fhir_rest_transport_get_n_refused (f->rest), ==, 1);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  9);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 9);
	g_assert_cmpuint (learned->len, ==, 2);
	g_assert_cmpuint (g_array_index (learned, guint, 0), ==, OHE_FHIR_BUNDLE_TYPE_BATCH);
	g_assert_cmpuint (g_array_index (learned, guint, 1), ==, 4);
	for (guint i = 1; i < 4; i++) {
		g_autoptr(JsonNode) post = fake_fhir_server_dup_post (f->server, i);
		JsonArray *sent =
		    json_object_get_array_member (json_node_get_object (post), "entry");
		g_assert_cmpuint (json_array_get_length (sent), ==, 4);
	}

	/* a configured cap below the learned one wins; learning again does not call back */
	ohe_fhir_rest_transport_set_max_entries (f->rest, 2);
	{
		g_autoptr(GPtrArray) again = test_entries (3, -1, 61);
		g_autoptr(OhePushRequest) replay = test_request (3);
		g_assert_true (ohe_fhir_rest_transport_push (f->rest, again, replay, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 7);
		g_assert_cmpuint (ohe_fhir_rest_transport_get_n_refused (f->rest), ==, 1);
	}
	g_assert_cmpuint (learned->len, ==, 2);
}

static void
test_bundle_parse_limit (void)
{
	const struct {
		const gchar *detail;
		guint n_sent;
		guint limit;
	} cases[] = {
	    {"Bundle has 502 entries, more than the 50 this server accepts in a transaction", 502,
	     50},
	    {"The number of entries in the bundle exceeded the configured limit of 500.", 600, 500},
	    {"Bundle size 1200 exceeds max 1000", 1200, 1000},
	    /* says no number, or none below what was sent */
	    {"Transaction contains more update operations than allowed", 60, 0},
	    {"bundle has too many entries", 60, 0},
	    {"at most 80 entries", 60, 0},
	    /* speaks of no limit */
	    {"Observation.status: 12 is not a code", 60, 0},
	    {"limit 4.5", 60, 0},
	    {NULL, 60, 0},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
		g_assert_cmpuint (ohe_fhir_outcome_parse_limit (cases[i].detail, cases[i].n_sent),
				  ==, cases[i].limit);
}

/* the cap is read from the text as sent, while the detail that is kept has no digits */
static void
test_bundle_find_limit (void)
{
	g_autoptr(JsonNode) oo = json_from_string (
	    "{\"resourceType\":\"OperationOutcome\",\"issue\":["
	    "{\"severity\":\"error\",\"code\":\"too-costly\","
	    "\"diagnostics\":\"Bundle has 502 entries, more than the 50 this server accepts\"},"
	    "{\"severity\":\"error\",\"code\":\"too-costly\","
	    "\"details\":{\"text\":\"limit of 80 entries\"}}]}",
	    NULL);
	g_autofree gchar *detail = ohe_fhir_outcome_dup_detail (oo, NULL);

	g_assert_cmpuint (ohe_fhir_outcome_find_limit (oo, 502), ==, 80);
	g_assert_cmpuint (ohe_fhir_outcome_find_limit (oo, 70), ==, 50);
	g_assert_cmpuint (ohe_fhir_outcome_find_limit (oo, 40), ==, 0);
	g_assert_cmpuint (ohe_fhir_outcome_find_limit (NULL, 40), ==, 0);
	g_assert_null (strpbrk (detail, "0123456789"));
}

static void
test_rest_batch (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (4, 2, 60);
	g_autoptr(OhePushRequest) request = test_request (4);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) post = NULL;

	ohe_fhir_rest_transport_set_bundle_type (f->rest, OHE_FHIR_BUNDLE_TYPE_BATCH);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 1);
	post = fake_fhir_server_dup_post (f->server, 0);
	g_assert_cmpstr (json_object_get_string_member (json_node_get_object (post), "type"), ==,
			 "batch");
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  3);
	g_assert_cmpint (ohe_push_request_get_outcome (request, 2), ==, OHE_PUSH_OUTCOME_REFUSED);
	g_assert_cmpstr (
	    ohe_push_request_get_reason (request, 2), ==,
	    "HTTP 400: error invalid: Observation.status: the code is not in the value "
	    "set");
}

static void
test_rest_breaker (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (2, -1, 60);
	const gchar *host = fake_fhir_server_get_host (f->server);

	ohe_http_client_set_max_attempts (f->client, 1);
	fake_fhir_server_fail_next (f->server, 100, 500);
	for (guint i = 0; i < 5; i++) {
		g_autoptr(OhePushRequest) request = test_request (2);
		g_autoptr(GError) error = NULL;
		g_assert_false (
		    ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, host), ==,
			 OHE_BREAKER_STATE_OPEN);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 5);
	{
		/* open: fails fast, nothing sent */
		g_autoptr(OhePushRequest) request = test_request (2);
		g_autoptr(GError) error = NULL;
		g_assert_false (
		    ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
		g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
		g_assert_nonnull (strstr (error->message, "circuit breaker open"));
		g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 5);
	}
	/* after 60 s, three good trials close it */
	fake_fhir_server_fail_next (f->server, 0, 0);
	ohe_clock_advance (f->clock, 61 * G_USEC_PER_SEC);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(OhePushRequest) request = test_request (2);
		g_autoptr(GError) error = NULL;
		g_assert_true (
		    ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
		g_assert_no_error (error);
	}
	g_assert_cmpint (ohe_http_client_get_breaker_state (f->client, host), ==,
			 OHE_BREAKER_STATE_CLOSED);
}

typedef struct {
	guint authorize_calls;
	guint invalidations;
} TestAuth;

static gchar *
test_authorize_cb (gpointer user_data, GCancellable *cancellable, GError **error)
{
	TestAuth *auth = user_data;
	return g_strdup_printf ("Bearer token-%u", ++auth->authorize_calls);
}

static void
test_invalidate_cb (gpointer user_data)
{
	TestAuth *auth = user_data;
	auth->invalidations++;
}

static void
test_rest_unauthorized (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (2, -1, 60);
	g_autoptr(OhePushRequest) request = test_request (2);
	g_autoptr(OhePushRequest) denied = test_request (2);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *authorization = NULL;
	TestAuth auth = {0};

	ohe_fhir_rest_transport_set_authorizer (f->rest, test_authorize_cb, test_invalidate_cb,
						&auth, NULL);
	/* a 401 invalidates the token and the push goes through with a new one */
	fake_fhir_server_deny_next (f->server, 1);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (auth.invalidations, ==, 1);
	g_assert_cmpuint (auth.authorize_calls, ==, 2);
	authorization = fake_fhir_server_dup_last_authorization (f->server);
	g_assert_cmpstr (authorization, ==, "Bearer token-2");
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  2);

	/* a second 401 in a row is not retried again */
	fake_fhir_server_deny_next (f->server, 2);
	g_assert_false (ohe_fhir_rest_transport_push (f->rest, entries, denied, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED);
	g_assert_cmpstr (error->message, ==, "FHIR server answered HTTP 401");
	g_assert_cmpuint (auth.invalidations, ==, 2);
	g_assert_cmpuint (fake_fhir_server_get_n_requests (f->server), ==, 4);
}

/* batches unless the server lists transactions and no batches */
static void
test_rest_prefers_batch (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;

	ohe_fhir_rest_transport_set_bundle_type (f->rest, OHE_FHIR_BUNDLE_TYPE_BATCH);
	g_assert_true (ohe_fhir_rest_transport_check_health (f->rest, NULL, &error));
	g_assert_cmpint (ohe_fhir_rest_transport_get_bundle_type (f->rest), ==,
			 OHE_FHIR_BUNDLE_TYPE_BATCH);
	fake_fhir_server_set_interactions (f->server, "[{\"code\":\"transaction\"},{\"code\":"
						      "\"batch\"},{\"code\":7}]");
	g_assert_true (ohe_fhir_rest_transport_check_health (f->rest, NULL, &error));
	g_assert_cmpint (ohe_fhir_rest_transport_get_bundle_type (f->rest), ==,
			 OHE_FHIR_BUNDLE_TYPE_BATCH);
	fake_fhir_server_set_interactions (f->server, "[{\"code\":\"transaction\"},{}]");
	g_assert_true (ohe_fhir_rest_transport_check_health (f->rest, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpint (ohe_fhir_rest_transport_get_bundle_type (f->rest), ==,
			 OHE_FHIR_BUNDLE_TYPE_TRANSACTION);
}

/* a push of shared entries only still goes, once */
static void
test_rest_shared_only (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) raw =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	g_autoptr(GPtrArray) entries = NULL;
	g_autoptr(OhePushRequest) request = test_request (1);
	g_autoptr(GError) error = NULL;

	g_ptr_array_add (raw, test_device (0));
	entries = ohe_fhir_entries_dedup (raw);
	g_assert_true (ohe_fhir_rest_transport_push (f->rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 1);
	g_assert_cmpint (ohe_push_request_get_outcome (request, 0), ==, OHE_PUSH_OUTCOME_WRITTEN);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);
}

static void
test_rest_health (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheFhirRestTransport) bad = NULL;

	g_assert_true (ohe_fhir_rest_transport_check_health (f->rest, NULL, &error));
	g_assert_no_error (error);

	fake_fhir_server_set_fhir_version (f->server, "4.0.1");
	g_test_expect_message ("OheFhir", G_LOG_LEVEL_WARNING,
			       "*reports fhirVersion 4.0.1, expected 5.0.0");
	g_assert_true (ohe_fhir_rest_transport_check_health (f->rest, NULL, &error));
	/* warned once only */
	g_assert_true (ohe_fhir_rest_transport_check_health (f->rest, NULL, &error));
	g_test_assert_expected_messages ();

	bad = ohe_fhir_rest_transport_new ("ftp://example.org/fhir", f->client, &error);
	g_assert_null (bad);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_cmpstr (error->message, ==,
			 "base_url is not an http(s) URL without user info or query");
	g_clear_error (&error);

	/* plain http only to this machine */
	bad = ohe_fhir_rest_transport_new ("http://ehr.example.org/fhir", f->client, &error);
	g_assert_null (bad);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_cmpstr (error->message, ==,
			 "base_url: plain http to ehr.example.org is refused, use https (http only "
			 "to the loopback address)");
	g_clear_error (&error);
	for (guint i = 0; i < 4; i++) {
		const gchar *const ok[] = {"https://ehr.example.org/fhir",
					   "http://127.0.0.1:8080/fhir", "http://[::1]:8080/fhir",
					   "http://localhost/fhir"};
		g_autoptr(OheFhirRestTransport) good =
			       ohe_fhir_rest_transport_new (ok[i], f->client, &error);
		g_assert_no_error (error);
		g_assert_nonnull (good);
	}
}

static guint
test_count_lines (const gchar *path)
{
	g_autofree gchar *contents = NULL;
	guint n = 0;
	g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
	for (const gchar *p = contents; *p != '\0'; p++)
		n += (*p == '\n') ? 1 : 0;
	return n;
}

/* the sink end to end: writer → bundles → the fake server */
static OheSink *
test_sink_new (const gchar *const *keys, OheClock *clock, GError **error)
{
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheSink) sink = g_object_new (OHE_TYPE_FHIR_SINK, "name", "fhir", NULL);
	OheHttpClient *client;

	g_key_file_set_string (config, "plugin:fhir", "mapping_file",
			       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
	for (guint i = 0; keys[i] != NULL; i += 2)
		g_key_file_set_string (config, "plugin:fhir", keys[i], keys[i + 1]);
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	if (!ohe_plugin_setup (OHE_PLUGIN (sink), NULL, error))
		return NULL;
	client = ohe_fhir_sink_get_http_client (OHE_FHIR_SINK (sink));
	if (client != NULL)
		ohe_http_client_set_clock (client, clock);
	return g_steal_pointer (&sink);
}

static gchar *
test_state_lookup (gpointer user_data, const gchar *plugin, const gchar *key, GError **error)
{
	g_autofree gchar *full = g_strdup_printf ("%s %s", plugin, key);
	return g_strdup (g_hash_table_lookup (user_data, full));
}

static gboolean
test_state_save (
    gpointer user_data, const gchar *plugin, const gchar *key, const gchar *value, GError **error)
{
	g_hash_table_insert (user_data, g_strdup_printf ("%s %s", plugin, key), g_strdup (value));
	return TRUE;
}

/* a sink whose plugin state lives in @state ("plugin key" → value) */
static OheSink *
test_sink_new_with_state (const gchar *base_url, GHashTable *state, GError **error)
{
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheSink) sink = g_object_new (OHE_TYPE_FHIR_SINK, "name", "fhir", NULL);

	g_key_file_set_string (config, "plugin:fhir", "mapping_file",
			       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
	g_key_file_set_string (config, "plugin:fhir", "base_url", base_url);
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	ohe_plugin_set_state_store (OHE_PLUGIN (sink), test_state_lookup, test_state_save,
				    g_hash_table_ref (state), (GDestroyNotify)g_hash_table_unref);
	if (!ohe_plugin_setup (OHE_PLUGIN (sink), NULL, error))
		return NULL;
	return g_steal_pointer (&sink);
}

/* @n heart rates of one device, one a minute; @bump changes every value */
static OhePushRequest *
test_sink_request (guint n, guint bump)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < n; i++) {
		OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
		gint64 t = TEST_DAY_US + (gint64)i * 60 * G_USEC_PER_SEC;
		ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
		ohe_measurement_set_provider (m, "withings");
		ohe_measurement_set_device_id (m, "a1b2c3d4e5f6");
		ohe_measurement_set_time (m, t, t);
		ohe_measurement_set_value_decimal (m, 60 + i % 40 + bump, 0);
		g_ptr_array_add (ms, m);
	}
	return ohe_push_request_new ("link1", "Patient/p1", ms);
}

/* the limit learned once is kept for the process and in the plugin state */
static void
test_sink_remembers_limit (Fixture *f, gconstpointer user_data)
{
	const gchar *base = fake_fhir_server_get_base_url (f->server);
	g_autoptr(GHashTable) state =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) empty =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) seeded =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *key = g_strdup_printf ("fhir entry-limit/batch/put/%s", base);
	FakeFhirServer *other = fake_fhir_server_new ();
	g_autofree gchar *other_key = g_strdup_printf ("fhir entry-limit/batch/put/%s",
						       fake_fhir_server_get_base_url (other));
	g_autoptr(GError) error = NULL;

	fake_fhir_server_set_max_entries (f->server, 4);
	fake_fhir_server_set_state_limit (f->server, TRUE);
	{
		g_autoptr(OheSink) sink = test_sink_new_with_state (base, state, &error);
		g_autoptr(OhePushRequest) request = test_sink_request (6, 0);
		g_assert_no_error (error);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==, 6);
		/* 8 entries refused; Device, DeviceAssociation and 2 Observations, 3 times */
		g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 4);
		g_assert_cmpuint (ohe_fhir_sink_get_n_refused (OHE_FHIR_SINK (sink)), ==, 1);
		g_assert_cmpstr (g_hash_table_lookup (state, key), ==, "4");
	}
	{
		/* another sink of the process knows it without a store */
		g_autoptr(OheSink) sink = test_sink_new_with_state (base, empty, &error);
		g_autoptr(OhePushRequest) request = test_sink_request (6, 1);
		g_assert_no_error (error);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 7);
		g_assert_cmpuint (ohe_fhir_sink_get_n_refused (OHE_FHIR_SINK (sink)), ==, 0);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==, 6);
	}
	{
		/* a server this process never met: the stored limit alone */
		g_autoptr(OheSink) sink = NULL;
		g_autoptr(OhePushRequest) request = test_sink_request (4, 0);
		g_hash_table_insert (seeded, g_strdup (other_key), g_strdup ("3"));
		sink = test_sink_new_with_state (fake_fhir_server_get_base_url (other), seeded,
						 &error);
		g_assert_no_error (error);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (fake_fhir_server_get_n_posts (other), ==, 4);
		g_assert_cmpuint (ohe_fhir_sink_get_n_refused (OHE_FHIR_SINK (sink)), ==, 0);
		g_assert_cmpuint (ohe_fhir_rest_transport_get_entry_limit (
				      ohe_fhir_sink_get_rest_transport (OHE_FHIR_SINK (sink)),
				      OHE_FHIR_BUNDLE_TYPE_BATCH),
				  ==, 3);
	}
	fake_fhir_server_free (other);
}

static void
test_sink_put (Fixture *f, gconstpointer user_data)
{
	const gchar *keys[] = {"base_url", fake_fhir_server_get_base_url (f->server), NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSink) sink = test_sink_new (keys, f->clock, &error);
	g_autoptr(OhePushRequest) request = test_sink_request (500, 0);
	g_autoptr(OhePushRequest) replay = test_sink_request (500, 0);
	g_autoptr(OhePushRequest) changed = test_sink_request (500, 5);
	g_autoptr(JsonNode) first = NULL;
	g_autoptr(JsonNode) second = NULL;
	g_autoptr(JsonNode) third = NULL;
	JsonArray *entries;
	JsonObject *obs;

	g_assert_no_error (error);
	g_assert_true (ohe_sink_check_health (sink, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (ohe_sink_push (sink, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  500);
	/* 500 measurements, one transaction: 500 Observations, Device, DeviceAssociation */
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 1);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 500);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "DeviceAssociation"), ==, 1);
	first = fake_fhir_server_dup_post (f->server, 0);
	entries = json_object_get_array_member (json_node_get_object (first), "entry");
	g_assert_cmpuint (json_array_get_length (entries), ==, 502);
	for (guint i = 0; i < json_array_get_length (entries); i++) {
		JsonObject *entry = json_array_get_object_element (entries, i);
		JsonObject *req = json_object_get_object_member (entry, "request");
		JsonObject *res = json_object_get_object_member (entry, "resource");
		g_autofree gchar *url =
		    g_strdup_printf ("%s/%s", json_object_get_string_member (res, "resourceType"),
				     json_object_get_string_member (res, "id"));
		g_assert_cmpstr (json_object_get_string_member (req, "method"), ==, "PUT");
		g_assert_cmpstr (json_object_get_string_member (req, "url"), ==, url);
	}

	/* replay: same urls; the Device is known and not sent again */
	g_assert_true (ohe_sink_push (sink, replay, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  500);
	second = fake_fhir_server_dup_post (f->server, 1);
	entries = json_object_get_array_member (json_node_get_object (second), "entry");
	g_assert_cmpuint (json_array_get_length (entries), ==, 500);
	obs = json_object_get_object_member (json_array_get_object_element (entries, 0), "request");
	g_assert_true (
	    g_str_has_prefix (json_object_get_string_member (obs, "url"), "Observation/"));
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 500);

	/* changed values update the same resources */
	g_assert_true (ohe_sink_push (sink, changed, NULL, &error));
	g_assert_no_error (error);
	third = fake_fhir_server_dup_post (f->server, 2);
	g_assert_cmpstr (
	    json_object_get_string_member (
		json_object_get_object_member (
		    json_array_get_object_element (
			json_object_get_array_member (json_node_get_object (third), "entry"), 7),
		    "request"),
		"url"),
	    ==,
	    json_object_get_string_member (
		json_object_get_object_member (json_array_get_object_element (entries, 7),
					       "request"),
		"url"));
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 500);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 3);
	g_assert_cmpuint (ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)), ==, 4);
	g_assert_finalize_object (g_steal_pointer (&sink));
}

static void
test_sink_conditional_create (Fixture *f, gconstpointer user_data)
{
	const gchar *keys[] = {"base_url",    fake_fhir_server_get_base_url (f->server),
			       "write_mode",  "conditional-create",
			       "bundle_size", "100",
			       NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSink) sink = test_sink_new (keys, f->clock, &error);
	g_autoptr(OhePushRequest) request = test_sink_request (250, 0);
	g_autoptr(OhePushRequest) replay = test_sink_request (250, 0);

	g_assert_no_error (error);
	g_assert_true (ohe_sink_push (sink, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  250);
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 3);
	g_assert_true (ohe_sink_push (sink, replay, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (replay, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  250);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 250);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "DeviceAssociation"), ==, 1);
	g_assert_finalize_object (g_steal_pointer (&sink));
}

static void
test_sink_503_then_recovery (Fixture *f, gconstpointer user_data)
{
	const gchar *keys[] = {"base_url", fake_fhir_server_get_base_url (f->server), NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSink) sink = test_sink_new (keys, f->clock, &error);
	g_autoptr(OhePushRequest) request = test_sink_request (50, 0);
	g_autoptr(OhePushRequest) retried = test_sink_request (50, 0);

	g_assert_no_error (error);
	/* more 503 than the client's 5 attempts: the push fails and the job is retried */
	fake_fhir_server_fail_next (f->server, 5, 503);
	g_assert_false (ohe_sink_push (sink, request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_clear_error (&error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_PENDING), ==,
			  50);
	/* five failures opened the breaker; the job comes back after it half-opens */
	g_assert_cmpint (
	    ohe_http_client_get_breaker_state (ohe_fhir_sink_get_http_client (OHE_FHIR_SINK (sink)),
					       fake_fhir_server_get_host (f->server)),
	    ==, OHE_BREAKER_STATE_OPEN);
	ohe_clock_advance (f->clock, 61 * G_USEC_PER_SEC);
	g_assert_true (ohe_sink_push (sink, retried, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (retried, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  50);
	/* the retried push carried the Device again, since the first never landed */
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 50);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 1);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "DeviceAssociation"), ==, 1);
	g_assert_finalize_object (g_steal_pointer (&sink));
}

typedef struct {
	OheSink *sink;
	guint nr;
	guint accepted;
} TestWorker;

static gpointer
test_worker_thread (gpointer user_data)
{
	TestWorker *worker = user_data;
	g_autoptr(OhePushRequest) request = test_sink_request (200, 0);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *device = g_strdup_printf ("device-%u", worker->nr);

	/* one device per worker, so their Observations differ */
	for (guint i = 0; i < 200; i++)
		ohe_measurement_set_device_id (ohe_push_request_get_measurement (request, i),
					       device);
	if (ohe_sink_push (worker->sink, request, NULL, &error))
		worker->accepted =
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN);
	return NULL;
}

static void
test_sink_concurrent (Fixture *f, gconstpointer user_data)
{
	const gchar *keys[] = {"base_url", fake_fhir_server_get_base_url (f->server), NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSink) sink = test_sink_new (keys, f->clock, &error);
	TestWorker workers[4] = {{NULL}};
	GThread *threads[4];

	g_assert_no_error (error);
	for (guint i = 0; i < G_N_ELEMENTS (workers); i++) {
		workers[i].sink = sink;
		workers[i].nr = i;
		threads[i] = g_thread_new ("worker", test_worker_thread, &workers[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (workers); i++) {
		g_thread_join (threads[i]);
		g_assert_cmpuint (workers[i].accepted, ==, 200);
	}
	g_assert_cmpuint (fake_fhir_server_get_n_posts (f->server), ==, 4);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Observation"), ==, 800);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "Device"), ==, 4);
	g_assert_cmpuint (fake_fhir_server_count (f->server, "DeviceAssociation"), ==, 4);
	g_assert_cmpuint (ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)), ==, 4);
	g_assert_finalize_object (g_steal_pointer (&sink));
}

static void
test_sink_bearer (Fixture *f, gconstpointer user_data)
{
	const gchar *keys[] = {"base_url", fake_fhir_server_get_base_url (f->server),
			       "auth",	   "bearer",
			       "token",	   "test-token-1",
			       NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSink) sink = test_sink_new (keys, f->clock, &error);
	g_autoptr(OhePushRequest) request = test_sink_request (10, 0);
	g_autofree gchar *authorization = NULL;

	g_assert_no_error (error);
	/* a 401 invalidates the credentials and the push is sent once more */
	fake_fhir_server_deny_next (f->server, 1);
	g_assert_true (ohe_sink_push (sink, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  10);
	g_assert_cmpuint (fake_fhir_server_get_n_requests (f->server), ==, 2);
	authorization = fake_fhir_server_dup_last_authorization (f->server);
	g_assert_cmpstr (authorization, ==, "Bearer test-token-1");
	g_assert_finalize_object (g_steal_pointer (&sink));
}

static void
test_sink_ndjson (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-fhir-sink-XXXXXX", &error);
	g_autofree gchar *out = g_build_filename (dir, "out", NULL);
	g_autofree gchar *day = g_build_filename (out, "2026-01-01", NULL);
	g_autofree gchar *folder = g_build_filename (day, "p1", NULL);
	g_autofree gchar *index = g_build_filename (folder, ".index", NULL);
	g_autofree gchar *manifest = g_build_filename (folder, "manifest.json", NULL);
	const gchar *keys[] = {"output_dir", out, NULL};
	g_autoptr(OheSink) sink = test_sink_new (keys, NULL, &error);
	const gchar *types[] = {"Observation", "Device", "DeviceAssociation"};
	const guint lines[] = {30, 1, 1};

	g_assert_no_error (error);
	g_assert_true (ohe_sink_check_health (sink, NULL, &error));
	g_assert_no_error (error);
	for (guint round = 0; round < 2; round++) {
		g_autoptr(OhePushRequest) request = test_sink_request (30, round);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==, 30);
	}
	g_assert_true (ohe_sink_flush (sink, NULL, &error));
	for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
		g_autofree gchar *name = g_strdup_printf ("%s.1.ndjson", types[i]);
		g_autofree gchar *path = g_build_filename (folder, name, NULL);
		g_assert_cmpuint (test_count_lines (path), ==, lines[i]);
		g_unlink (path);
	}
	g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
	g_unlink (manifest);
	g_unlink (index);
	g_rmdir (folder);
	g_rmdir (day);
	g_rmdir (out);
	g_rmdir (dir);
}

static void
test_sink_config_errors (void)
{
	const struct {
		const gchar *key;
		const gchar *value;
		const gchar *message;
		const gchar *other_key; /* nullable */
		const gchar *other_value;
	} cases[] = {
	    {"write_mode", "post",
	     "[plugin:fhir] write_mode=post is not put, conditional-create or "
	     "conditional-update"},
	    {"bundle_size", "0", "[plugin:fhir] bundle_size=0 is not a number from 1 to 10000"},
	    {"max_bundle_entries", "-1",
	     "[plugin:fhir] max_bundle_entries=-1 is not a number from 0 to 100000"},
	    {"bundle_type", "history",
	     "[plugin:fhir] bundle_type=history is not transaction or "
	     "batch"},
	    {"timeout", "x", "[plugin:fhir] timeout=x is not a number from 1 to 3600"},
	    {"attempt_deadline", "0",
	     "[plugin:fhir] attempt_deadline=0 is not a number from 1 to 86400"},
	    {"min_transfer_rate", "-5",
	     "[plugin:fhir] min_transfer_rate=-5 is not a number from 0 to 100000000"},
	    {"bundle_type", "batch",
	     "[plugin:fhir] bundle_type=batch does not go with write_mode=conditional-update: "
	     "its entries refer to each other by urn:uuid, which only a transaction resolves",
	     "write_mode", "conditional-update"},
	    {"base_url", "http://user:pw@ehr.example/fhir",
	     "[plugin:fhir] base_url is not an http(s) URL without user info or query"},
	    {"output_dir", "", "[plugin:fhir] output_dir is empty and no base_url is set"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		const gchar *keys[] = {
		    "base_url",		"http://127.0.0.1:9/fhir", cases[i].key, cases[i].value,
		    cases[i].other_key, cases[i].other_value,	   NULL};
		g_autoptr(OheSink) sink = NULL;
		/* the base_url under test (or none) comes last and wins */
		if (g_str_equal (cases[i].key, "output_dir"))
			keys[1] = "";
		sink = test_sink_new (keys, NULL, &error);
		g_assert_null (sink);
		g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
		g_assert_cmpstr (error->message, ==, cases[i].message);
	}
}

/*
 * Against the real FHIR test server (tests/fhir-server, run through
 * run-with-fhir-server.py, which sets OHE_FHIR_BASE_URL): push, then read
 * back with identifier searches.
 */
typedef struct {
	gchar *id;
	gchar *system;
	gchar *value;
} TestIdentifier;

static void
test_identifier_free (TestIdentifier *ident)
{
	g_free (ident->id);
	g_free (ident->system);
	g_free (ident->value);
	g_free (ident);
}

/* what the writer makes of the request's Observations, to search for them */
static GPtrArray *
test_observation_identifiers (OhePushRequest *request)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheFhirMapping) mapping = ohe_fhir_mapping_new_from_file (
	    OHE_SOURCE_DATADIR "/mappings/fhir-r5.json", &error);
	g_autoptr(OheFhirWriter) writer = NULL;
	g_autoptr(GPtrArray) out =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_resource_free);
	GPtrArray *idents = g_ptr_array_new_with_free_func ((GDestroyNotify)test_identifier_free);

	g_assert_no_error (error);
	writer = ohe_fhir_writer_new (mapping, NULL);
	for (guint i = 0; i < ohe_push_request_get_n_measurements (request); i++) {
		g_assert_true (ohe_fhir_writer_write (writer,
						      ohe_push_request_get_measurement (request, i),
						      i, "Patient/p1", out, &error));
		g_assert_no_error (error);
	}
	for (guint i = 0; i < out->len; i++) {
		OheFhirResource *r = g_ptr_array_index (out, i);
		TestIdentifier *ident;
		if (g_strcmp0 (r->resource_type, "Observation") != 0)
			continue;
		ident = g_new0 (TestIdentifier, 1);
		ident->id = g_strdup (r->id);
		ident->system = g_strdup (r->identifier_system);
		ident->value = g_strdup (r->identifier_value);
		g_ptr_array_add (idents, ident);
	}
	return idents;
}

/* the ids of the Observations with this identifier */
static GPtrArray *
test_search_identifier (OheHttpClient *client, const gchar *base, TestIdentifier *ident)
{
	g_autofree gchar *system = g_uri_escape_string (ident->system, NULL, FALSE);
	g_autofree gchar *value = g_uri_escape_string (ident->value, NULL, FALSE);
	g_autofree gchar *url =
	    g_strdup_printf ("%s/Observation?identifier=%s%%7C%s", base, system, value);
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", url);
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
	JsonObject *bundle;

	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_http_response_get_status (response), ==, 200);
	root = ohe_http_response_get_json (response, &error);
	g_assert_no_error (error);
	bundle = json_node_get_object (root);
	g_assert_cmpstr (json_object_get_string_member (bundle, "type"), ==, "searchset");
	if (json_object_has_member (bundle, "entry")) {
		JsonArray *entries = json_object_get_array_member (bundle, "entry");
		for (guint i = 0; i < json_array_get_length (entries); i++) {
			JsonObject *res = json_object_get_object_member (
			    json_array_get_object_element (entries, i), "resource");
			g_ptr_array_add (ids, g_strdup (json_object_get_string_member (res, "id")));
		}
	}
	return ids;
}

static void
test_admin_post (OheHttpClient *client, const gchar *what)
{
	g_autofree gchar *url = g_strdup_printf ("%s/%s", g_getenv ("OHE_FHIR_ADMIN_URL"), what);
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("POST", url);
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;
	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_http_response_get_status (response), ==, 200);
}

/* a counter of the test server's GET /_admin/stats */
static gint64
test_admin_stat (OheHttpClient *client, const gchar *member)
{
	g_autofree gchar *url = g_strdup_printf ("%s/stats", g_getenv ("OHE_FHIR_ADMIN_URL"));
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", url);
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GError) error = NULL;

	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_http_response_get_status (response), ==, 200);
	root = ohe_http_response_get_json (response, &error);
	g_assert_no_error (error);
	g_assert_true (json_object_has_member (json_node_get_object (root), member));
	return json_object_get_int_member (json_node_get_object (root), member);
}

static guint
test_get_status (OheHttpClient *client, const gchar *base, const gchar *path)
{
	g_autofree gchar *url = g_strdup_printf ("%s/%s", base, path);
	g_autoptr(OheHttpRequest) request = ohe_http_request_new ("GET", url);
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(GError) error = NULL;

	response = ohe_http_client_send (client, request, NULL, &error);
	g_assert_no_error (error);
	return ohe_http_response_get_status (response);
}

/* every Observation of @request is on the server, once */
static void
test_integration_assert_stored (OheHttpClient *client, const gchar *base, OhePushRequest *request)
{
	g_autoptr(GPtrArray) idents = test_observation_identifiers (request);
	g_assert_cmpuint (idents->len, ==, ohe_push_request_get_n_measurements (request));
	for (guint i = 0; i < idents->len; i += MAX (idents->len / 7, 1)) {
		g_autoptr(GPtrArray) ids =
			       test_search_identifier (client, base, g_ptr_array_index (idents, i));
		g_assert_cmpuint (ids->len, ==, 1);
	}
}

static gboolean
test_integration_skip (void)
{
	if (g_getenv ("OHE_FHIR_BASE_URL") != NULL && g_getenv ("OHE_FHIR_ADMIN_URL") != NULL)
		return FALSE;
	g_test_skip ("OHE_FHIR_BASE_URL is not set: run through run-with-fhir-server.py");
	return TRUE;
}

/*
 * The defaults against the test server, which caps transactions at 50 and
 * batches at 1000 entries: a few hundred measurements cost one POST.
 */
static void
test_integration_economy (void)
{
	const gchar *base = g_getenv ("OHE_FHIR_BASE_URL");
	g_autoptr(OheHttpClient) client = ohe_http_client_new ("test");
	g_autoptr(GHashTable) state =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(OheSink) sink = NULL;
	g_autoptr(GError) error = NULL;
	guint n = 0;

	if (test_integration_skip ())
		return;
	test_admin_post (client, "reset");
	sink = test_sink_new_with_state (base, state, &error);
	g_assert_no_error (error);
	g_assert_true (ohe_sink_check_health (sink, NULL, &error));
	g_assert_no_error (error);
	for (guint round = 0; round < 2; round++) {
		g_autoptr(OhePushRequest) request = test_sink_request (300, round);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==, 300);
		n += 300;
		test_integration_assert_stored (client, base, request);
	}
	/* the metadata GET and one POST per push: 3 requests for 600 measurements */
	g_assert_cmpuint (ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)), ==, 3);
	g_assert_cmpfloat ((gdouble)ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)) / n, <=,
			   0.01);
	g_assert_cmpuint (ohe_fhir_sink_get_n_refused (OHE_FHIR_SINK (sink)), ==, 0);
	g_assert_cmpint (test_admin_stat (client, "bundles"), ==, 2);
	g_assert_cmpint (test_admin_stat (client, "bundles_refused"), ==, 0);
	g_assert_cmpuint (g_hash_table_size (state), ==, 0);
}

/* transactions meet the server's cap of 50 once, then are cut to it */
static void
test_integration_transaction_limit (void)
{
	const gchar *base = g_getenv ("OHE_FHIR_BASE_URL");
	g_autoptr(OheHttpClient) client = ohe_http_client_new ("test");
	g_autoptr(GHashTable) state =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(OheSink) sink = NULL;
	g_autoptr(OhePushRequest) first = test_sink_request (300, 0);
	g_autoptr(OhePushRequest) second = test_sink_request (300, 1);
	g_autofree gchar *key = NULL;
	g_autoptr(GError) error = NULL;

	if (test_integration_skip ())
		return;
	key = g_strdup_printf ("fhir entry-limit/transaction/put/%s", base);
	test_admin_post (client, "reset");
	{
		const gchar *keys[] = {"base_url", base, "bundle_type", "transaction", NULL};
		g_autoptr(GKeyFile) config = g_key_file_new ();
		sink = g_object_new (OHE_TYPE_FHIR_SINK, "name", "fhir", NULL);
		g_key_file_set_string (config, "plugin:fhir", "mapping_file",
				       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
		for (guint i = 0; keys[i] != NULL; i += 2)
			g_key_file_set_string (config, "plugin:fhir", keys[i], keys[i + 1]);
		ohe_plugin_set_config (OHE_PLUGIN (sink), config);
		ohe_plugin_set_state_store (OHE_PLUGIN (sink), test_state_lookup, test_state_save,
					    g_hash_table_ref (state),
					    (GDestroyNotify)g_hash_table_unref);
		g_assert_true (ohe_plugin_setup (OHE_PLUGIN (sink), NULL, &error));
		g_assert_no_error (error);
	}

	/* 302 entries refused, then 7 transactions of the Device, its association, 48 more */
	g_assert_true (ohe_sink_push (sink, first, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (first, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  300);
	g_assert_cmpuint (ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)), ==, 8);
	g_assert_cmpstr (g_hash_table_lookup (state, key), ==, "50");

	/* the Device is stored: 6 transactions of 50 Observations, none refused */
	g_assert_true (ohe_sink_push (sink, second, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (second, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  300);
	g_assert_cmpuint (ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)), ==, 14);
	g_assert_cmpuint (ohe_fhir_sink_get_n_refused (OHE_FHIR_SINK (sink)), ==, 1);
	g_assert_cmpint (test_admin_stat (client, "bundles_refused"), ==, 1);
	g_assert_cmpint (test_admin_stat (client, "bundles_too_large"), ==, 1);
	test_integration_assert_stored (client, base, second);
}

/* a batch answers per entry: the invalid Observation is refused, the others written */
static void
test_integration_batch_bad_entry (void)
{
	const gchar *base = g_getenv ("OHE_FHIR_BASE_URL");
	g_autoptr(OheHttpClient) client = ohe_http_client_new ("test");
	g_autoptr(OheFhirRestTransport) rest = NULL;
	g_autoptr(GPtrArray) entries = test_entries (5, 2, 60);
	g_autoptr(OhePushRequest) request = test_request (5);
	g_autoptr(GError) error = NULL;

	if (test_integration_skip ())
		return;
	test_admin_post (client, "reset");
	rest = ohe_fhir_rest_transport_new (base, client, &error);
	g_assert_no_error (error);
	ohe_fhir_rest_transport_set_bundle_type (rest, OHE_FHIR_BUNDLE_TYPE_BATCH);
	g_assert_true (ohe_fhir_rest_transport_push (rest, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_fhir_rest_transport_get_n_requests (rest), ==, 1);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  4);
	g_assert_cmpint (ohe_push_request_get_outcome (request, 2), ==, OHE_PUSH_OUTCOME_REFUSED);
	g_assert_nonnull (strstr (ohe_push_request_get_reason (request, 2), "HTTP 400: "));
	g_assert_nonnull (strstr (ohe_push_request_get_reason (request, 2), "observation-status"));
	g_assert_cmpuint (test_get_status (client, base, "Observation/obs0002"), ==, 404);
	for (guint i = 0; i < 5; i++) {
		g_autofree gchar *path = g_strdup_printf ("Observation/obs%04u", i);
		if (i != 2)
			g_assert_cmpuint (test_get_status (client, base, path), ==, 200);
	}
	g_assert_cmpuint (test_get_status (client, base, "Device/dev1"), ==, 200);
}

/* a batch above the server's cap of 1000 entries: refused once, then cut to size */
static void
test_integration_batch_limit (void)
{
	const gchar *base = g_getenv ("OHE_FHIR_BASE_URL");
	g_autoptr(OheHttpClient) client = ohe_http_client_new ("test");
	g_autoptr(OheSink) sink = NULL;
	g_autoptr(GError) error = NULL;

	if (test_integration_skip ())
		return;
	test_admin_post (client, "reset");
	{
		const gchar *keys[] = {"base_url", base, "bundle_size", "2000", NULL};
		sink = test_sink_new (keys, NULL, &error);
		g_assert_no_error (error);
	}
	for (guint round = 0; round < 2; round++) {
		g_autoptr(OhePushRequest) request = test_sink_request (1200, round);
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==, 1200);
	}
	/* 1202 entries refused, 1000 + 202, then 1000 + 200 */
	g_assert_cmpuint (ohe_fhir_sink_get_n_requests (OHE_FHIR_SINK (sink)), ==, 5);
	g_assert_cmpuint (ohe_fhir_sink_get_n_refused (OHE_FHIR_SINK (sink)), ==, 1);
	g_assert_cmpuint (ohe_fhir_rest_transport_get_entry_limit (
			      ohe_fhir_sink_get_rest_transport (OHE_FHIR_SINK (sink)),
			      OHE_FHIR_BUNDLE_TYPE_BATCH),
			  ==, 1000);
	g_assert_cmpint (test_admin_stat (client, "bundles_refused"), ==, 1);
}

static void
test_integration (gconstpointer user_data)
{
	const gchar *mode = user_data;
	const gchar *base = g_getenv ("OHE_FHIR_BASE_URL");
	g_autoptr(OheHttpClient) client = ohe_http_client_new ("test");
	g_autoptr(OheSink) sink = NULL;
	g_autoptr(GPtrArray) idents = NULL;
	g_autoptr(GError) error = NULL;

	if (base == NULL || g_getenv ("OHE_FHIR_ADMIN_URL") == NULL) {
		g_test_skip ("OHE_FHIR_BASE_URL is not set: run through run-with-fhir-server.py");
		return;
	}
	test_admin_post (client, "reset");
	{
		const gchar *keys[] = {"base_url",    base, "write_mode", mode,
				       "bundle_size", "10", NULL};
		sink = test_sink_new (keys, NULL, &error);
		g_assert_no_error (error);
	}
	g_assert_true (ohe_sink_check_health (sink, NULL, &error));
	g_assert_no_error (error);

	/* three rounds: first write, a replay after two 503s, a changed value */
	for (guint round = 0; round < 3; round++) {
		g_autoptr(OhePushRequest) request = test_sink_request (25, round == 2 ? 3 : 0);
		if (round == 1)
			test_admin_post (client, "fail?status=503&count=2");
		g_assert_true (ohe_sink_push (sink, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (
		    ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==, 25);
		if (idents == NULL)
			idents = test_observation_identifiers (request);
	}
	g_assert_cmpuint (idents->len, ==, 25);
	for (guint i = 0; i < idents->len; i++) {
		TestIdentifier *ident = g_ptr_array_index (idents, i);
		g_autoptr(GPtrArray) ids = test_search_identifier (client, base, ident);
		/* exactly one resource per identifier after three pushes */
		g_assert_cmpuint (ids->len, ==, 1);
		if (g_str_equal (mode, "put"))
			g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, ident->id);
		else
			g_assert_cmpstr (g_ptr_array_index (ids, 0), !=, ident->id);
	}
	g_assert_finalize_object (g_steal_pointer (&sink));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

	g_test_add_func ("/fhir/bundle/dedup", test_bundle_dedup);
	g_test_add_func ("/fhir/bundle/outcome-detail", test_bundle_outcome_detail);
	g_test_add_func ("/fhir/bundle/parse-response-bad", test_bundle_parse_response_bad);
	g_test_add ("/fhir/rest/put", Fixture, NULL, fixture_setup, test_rest_put,
		    fixture_teardown);
	g_test_add ("/fhir/rest/bundle-size", Fixture, NULL, fixture_setup, test_rest_bundle_size,
		    fixture_teardown);
	g_test_add ("/fhir/rest/conditional-create", Fixture, NULL, fixture_setup,
		    test_rest_conditional_create, fixture_teardown);
	g_test_add ("/fhir/rest/conditional-update", Fixture, NULL, fixture_setup,
		    test_rest_conditional_update, fixture_teardown);
	g_test_add ("/fhir/rest/503-recovers", Fixture, NULL, fixture_setup,
		    test_rest_recovers_from_503, fixture_teardown);
	g_test_add ("/fhir/rest/503-fails-then-replay", Fixture, NULL, fixture_setup,
		    test_rest_503_fails_then_replay, fixture_teardown);
	g_test_add ("/fhir/rest/invalid-entry-named", Fixture, GINT_TO_POINTER (TRUE),
		    fixture_setup, test_rest_invalid_entry, fixture_teardown);
	g_test_add ("/fhir/rest/invalid-entry-unnamed", Fixture, GINT_TO_POINTER (FALSE),
		    fixture_setup, test_rest_invalid_entry, fixture_teardown);
	g_test_add ("/fhir/rest/too-large", Fixture, NULL, fixture_setup, test_rest_too_large,
		    fixture_teardown);
	g_test_add ("/fhir/rest/stated-limit", Fixture, NULL, fixture_setup, test_rest_stated_limit,
		    fixture_teardown);
	g_test_add_func ("/fhir/bundle/parse-limit", test_bundle_parse_limit);
	g_test_add_func ("/fhir/bundle/find-limit", test_bundle_find_limit);
	g_test_add ("/fhir/rest/batch", Fixture, NULL, fixture_setup, test_rest_batch,
		    fixture_teardown);
	g_test_add ("/fhir/rest/breaker", Fixture, NULL, fixture_setup, test_rest_breaker,
		    fixture_teardown);
	g_test_add ("/fhir/rest/unauthorized", Fixture, NULL, fixture_setup, test_rest_unauthorized,
		    fixture_teardown);
	g_test_add ("/fhir/rest/health", Fixture, NULL, fixture_setup, test_rest_health,
		    fixture_teardown);
	g_test_add ("/fhir/rest/prefers-batch", Fixture, NULL, fixture_setup,
		    test_rest_prefers_batch, fixture_teardown);
	g_test_add ("/fhir/rest/shared-only", Fixture, NULL, fixture_setup, test_rest_shared_only,
		    fixture_teardown);
	g_test_add_func ("/fhir/bundle/outcome-redacted", test_bundle_outcome_redacted);
	g_test_add ("/fhir/sink/put", Fixture, NULL, fixture_setup, test_sink_put,
		    fixture_teardown);
	g_test_add ("/fhir/sink/remembers-limit", Fixture, NULL, fixture_setup,
		    test_sink_remembers_limit, fixture_teardown);
	g_test_add ("/fhir/sink/conditional-create", Fixture, NULL, fixture_setup,
		    test_sink_conditional_create, fixture_teardown);
	g_test_add ("/fhir/sink/503-then-recovery", Fixture, NULL, fixture_setup,
		    test_sink_503_then_recovery, fixture_teardown);
	g_test_add ("/fhir/sink/concurrent", Fixture, NULL, fixture_setup, test_sink_concurrent,
		    fixture_teardown);
	g_test_add ("/fhir/sink/bearer", Fixture, NULL, fixture_setup, test_sink_bearer,
		    fixture_teardown);
	g_test_add_func ("/fhir/sink/ndjson", test_sink_ndjson);
	g_test_add_func ("/fhir/sink/config-errors", test_sink_config_errors);
	g_test_add_data_func ("/fhir/integration/put", "put", test_integration);
	g_test_add_data_func ("/fhir/integration/conditional-create", "conditional-create",
			      test_integration);
	g_test_add_data_func ("/fhir/integration/conditional-update", "conditional-update",
			      test_integration);
	g_test_add_func ("/fhir/integration/economy", test_integration_economy);
	g_test_add_func ("/fhir/integration/transaction-limit", test_integration_transaction_limit);
	g_test_add_func ("/fhir/integration/batch-bad-entry", test_integration_batch_bad_entry);
	/* last: it teaches this process the server's batch limit */
	g_test_add_func ("/fhir/integration/batch-limit", test_integration_batch_limit);
	return g_test_run ();
}
