/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

/*
 * FHIR request economy against the real FHIR test server (tests/fhir-server,
 * started by run-with-fhir-server.py, which caps transactions at 50 and
 * batches at 1000 entries): the fhir module, loaded as the daemon loads it,
 * pushes COUNT heart rates in jobs of 500 measurements; the server's own
 * counters say how many FHIR requests and refused Bundles that cost. Prints
 * requests per measurement and the refusals, first push and later pushes
 * apart.
 *
 * Usage: bench-fhir-server MODULE [COUNT [KEY=VALUE...]]
 *   KEY=VALUE: extra [plugin:fhir] keys, e.g. bundle_type=transaction
 */

#define BENCH_BATCH 500

static GType
bench_load (const gchar *path, GError **error)
{
	GModule *module =
	    g_module_open_full (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, error);
	OhePluginQueryFunc query = NULL;

	if (module == NULL)
		return G_TYPE_INVALID;
	if (!g_module_symbol (module, OHE_PLUGIN_QUERY_SYMBOL, (gpointer *)&query)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID, "%s has no %s", path,
			     OHE_PLUGIN_QUERY_SYMBOL);
		g_module_close (module);
		return G_TYPE_INVALID;
	}
	g_module_make_resident (module);
	return query ()->get_type ();
}

/* POST /_admin/reset, or with @member a counter of GET /_admin/stats (-1 if it has none) */
static gboolean
bench_admin (OheHttpClient *client, const gchar *member, gint64 *value, GError **error)
{
	g_autofree gchar *url = g_strdup_printf ("%s/%s", g_getenv ("OHE_FHIR_ADMIN_URL"),
						 member != NULL ? "stats" : "reset");
	g_autoptr(OheHttpRequest) request =
		       ohe_http_request_new (member != NULL ? "GET" : "POST", url);
	g_autoptr(OheHttpResponse) response = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonObject *obj;

	response = ohe_http_client_send (client, request, NULL, error);
	if (response == NULL)
		return FALSE;
	if (ohe_http_response_get_status (response) != 200) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "%s answered HTTP %u", url,
			     ohe_http_response_get_status (response));
		return FALSE;
	}
	if (member == NULL)
		return TRUE;
	root = ohe_http_response_get_json (response, error);
	if (root == NULL)
		return FALSE;
	obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
	if (obj == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s is not an object", url);
		return FALSE;
	}
	/* -1: a server without this counter (an older test server, for a baseline) */
	*value = json_object_get_int_member_with_default (obj, member, -1);
	return TRUE;
}

static OhePushRequest *
bench_request (guint64 first)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	gint64 base_us = G_GINT64_CONSTANT (1793491200000000);
	for (guint i = 0; i < BENCH_BATCH; i++) {
		OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
		gint64 t = base_us + (gint64)(first + i) * G_USEC_PER_SEC;
		ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
		ohe_measurement_set_provider (m, "withings");
		ohe_measurement_set_device_id (m, "a1b2c3d4e5f6");
		ohe_measurement_set_time (m, t, t);
		ohe_measurement_set_value_decimal (m, 60 + (gint64)(i % 60), 0);
		g_ptr_array_add (ms, m);
	}
	return ohe_push_request_new ("bench", "Patient/bench", ms);
}

static gboolean
bench_counters (OheHttpClient *client, gint64 *requests, gint64 *refused, GError **error)
{
	return bench_admin (client, "fhir_requests", requests, error) &&
	       bench_admin (client, "bundles_refused", refused, error);
}

static gboolean
bench_run (GType type, guint64 count, gchar **keys, GError **error)
{
	g_autoptr(OheHttpClient) admin = ohe_http_client_new ("bench");
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheSink) sink = NULL;
	g_autofree gchar *mapping = g_build_filename (g_getenv ("OHE_SOURCE_ROOT"), "data",
						      "mappings", "fhir-r5.json", NULL);
	g_autofree gchar *settings = NULL;
	guint64 written = 0;
	gint64 requests = 0;
	gint64 refused = 0;
	gint64 first_requests = 0;
	gint64 first_refused = 0;
	gint64 started;
	gdouble seconds;

	g_key_file_set_string (config, "plugin:fhir", "base_url", g_getenv ("OHE_FHIR_BASE_URL"));
	g_key_file_set_string (config, "plugin:fhir", "mapping_file", mapping);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		g_auto(GStrv) kv = g_strsplit (keys[i], "=", 2);
		if (kv[0] == NULL || kv[1] == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "%s is not KEY=VALUE", keys[i]);
			return FALSE;
		}
		g_key_file_set_string (config, "plugin:fhir", kv[0], kv[1]);
	}
	settings = keys != NULL && keys[0] != NULL ? g_strjoinv (" ", keys) : g_strdup ("defaults");
	if (!bench_admin (admin, NULL, NULL, error))
		return FALSE;
	sink = g_object_new (type, "name", "fhir", NULL);
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	if (!ohe_plugin_setup (OHE_PLUGIN (sink), NULL, error) ||
	    !ohe_sink_check_health (sink, NULL, error))
		return FALSE;

	started = g_get_monotonic_time ();
	for (guint64 n = 0; n < count; n += BENCH_BATCH) {
		g_autoptr(OhePushRequest) request = bench_request (n);
		if (!ohe_sink_push (sink, request, NULL, error))
			return FALSE;
		written += ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN);
		if (n == 0 && !bench_counters (admin, &first_requests, &first_refused, error))
			return FALSE;
	}
	seconds = (gdouble)(g_get_monotonic_time () - started) / G_USEC_PER_SEC;
	if (!bench_counters (admin, &requests, &refused, error))
		return FALSE;
	g_print ("fhir-server (%s): %" G_GUINT64_FORMAT " measurements written in %.2f s, "
		 "%" G_GINT64_FORMAT " FHIR requests = %.4f per measurement, %" G_GINT64_FORMAT
		 " refused; first push of %u: %" G_GINT64_FORMAT " requests, %" G_GINT64_FORMAT
		 " refused; later pushes: %" G_GINT64_FORMAT " requests, %" G_GINT64_FORMAT
		 " refused\n",
		 settings, written, seconds, requests, (gdouble)requests / MAX (written, 1),
		 refused, BENCH_BATCH, first_requests, first_refused, requests - first_requests,
		 refused - first_refused);
	if (written != count) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED,
			     "expected %" G_GUINT64_FORMAT " written, got %" G_GUINT64_FORMAT,
			     count, written);
		return FALSE;
	}
	return TRUE;
}

int
main (int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	guint64 count = 5000;
	GType type;

	if (argc < 2) {
		g_printerr ("usage: bench-fhir-server MODULE [COUNT [KEY=VALUE...]]\n");
		return 2;
	}
	if (g_getenv ("OHE_FHIR_BASE_URL") == NULL || g_getenv ("OHE_FHIR_ADMIN_URL") == NULL) {
		g_printerr ("bench-fhir-server: OHE_FHIR_BASE_URL is not set: run through "
			    "run-with-fhir-server.py\n");
		return 2;
	}
	if (argc > 2)
		count = MAX (g_ascii_strtoull (argv[2], NULL, 10) / BENCH_BATCH, 1) * BENCH_BATCH;
	type = bench_load (argv[1], &error);
	if (type == G_TYPE_INVALID ||
	    !bench_run (type, count, argc > 3 ? argv + 3 : NULL, &error)) {
		g_printerr ("bench-fhir-server: %s\n", error->message);
		return 1;
	}
	return 0;
}
