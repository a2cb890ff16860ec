/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"
#include "ohe-api-server.h"

/*
 * The probe and document routes, at the paths of the earlier service so that Kubernetes
 * probes and Prometheus scrape configurations carry over.
 */

static void
ohe_api_probes_add_time (JsonBuilder *builder)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
	g_autofree gchar *text = g_date_time_format_iso8601 (now);
	json_builder_set_member_name (builder, "timestamp");
	json_builder_add_string_value (builder, text);
}

/* GET /api/metrics/health/: store, queue and FHIR sink; 503 when store or queue fail */
void
ohe_api_probes_health (OheApiRequest *request)
{
	OheApiHealth *health = ohe_api_server_get_health (request->server);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	gint64 start = g_get_monotonic_time ();
	gboolean ok;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "checks");
	json_builder_begin_object (builder);
	ok = ohe_api_health_check (health, TRUE, builder);
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "status");
	json_builder_add_string_value (builder, ok ? "healthy" : "unhealthy");
	ohe_api_probes_add_time (builder);
	json_builder_set_member_name (builder, "response_time_ms");
	json_builder_add_double_value (builder, (g_get_monotonic_time () - start) / 1000.0);
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (
	    request, ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, builder);
}

/* GET /api/metrics/ready/: serving, and store and queue answer */
void
ohe_api_probes_ready (OheApiRequest *request)
{
	OheApiHealth *health = ohe_api_server_get_health (request->server);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	gboolean ok;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "checks");
	json_builder_begin_object (builder);
	ok = ohe_api_health_check (health, FALSE, builder) &&
	     ohe_api_server_is_ready (request->server);
	json_builder_end_object (builder);
	json_builder_set_member_name (builder, "ready");
	json_builder_add_boolean_value (builder, ok);
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (
	    request, ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, builder);
}

/* GET /api/metrics/live/: the process answers; touches nothing else */
void
ohe_api_probes_live (OheApiRequest *request)
{
	static const gchar body[] = "{\"alive\":true}";
	ohe_api_request_reply_text (request, SOUP_STATUS_OK, "application/json", body,
				    sizeof (body) - 1);
}

/* GET /metrics and /api/metrics/: the Prometheus text format */
void
ohe_api_probes_metrics (OheApiRequest *request)
{
	g_autofree gchar *text = ohe_metrics_render (ohe_engine_get_metrics (request->engine));
	ohe_api_request_reply_text (request, SOUP_STATUS_OK, "text/plain; version=0.0.4", text, -1);
}

/* GET /api/v1/openapi.json */
void
ohe_api_probes_openapi (OheApiRequest *request)
{
	GBytes *document = ohe_api_server_get_openapi (request->server);
	gsize length = 0;
	const gchar *data = g_bytes_get_data (document, &length);
	ohe_api_request_reply_text (request, SOUP_STATUS_OK, "application/json", data,
				    (gssize)length);
}
