/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fhir-ndjson-manifest.h"

/*
 * The bulk-data export manifest of one NDJSON folder, as a completed
 * $export answers it (https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status):
 * transactionTime, request, requiresAccessToken, output[] (type, url,
 * count) and error[]. The files are local, so no access token is required and
 * every url is the file name, relative to the manifest.
 */

struct _OheFhirNdjsonManifest {
	gchar *request;
	gint64 transaction_time_us;
	JsonArray *output; /* owned */
};

OheFhirNdjsonManifest *
ohe_fhir_ndjson_manifest_new (const gchar *request, gint64 transaction_time_us)
{
	OheFhirNdjsonManifest *self = g_new0 (OheFhirNdjsonManifest, 1);
	self->request = g_strdup (request);
	self->transaction_time_us = transaction_time_us;
	self->output = json_array_new ();
	return self;
}

void
ohe_fhir_ndjson_manifest_free (OheFhirNdjsonManifest *self)
{
	if (self == NULL)
		return;
	g_free (self->request);
	json_array_unref (self->output);
	g_free (self);
}

void
ohe_fhir_ndjson_manifest_add_output (OheFhirNdjsonManifest *self,
				     const gchar *resource_type,
				     const gchar *url,
				     guint count)
{
	JsonObject *file = json_object_new ();
	json_object_set_string_member (file, "type", resource_type);
	json_object_set_string_member (file, "url", url);
	json_object_set_int_member (file, "count", count);
	json_array_add_object_element (self->output, file);
}

/* a FHIR instant in UTC with milliseconds */
static gchar *
ohe_fhir_ndjson_manifest_dup_instant (gint64 time_us)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
	g_autofree gchar *seconds = NULL;

	if (dt == NULL)
		dt = g_date_time_new_from_unix_utc (0);
	seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
	return g_strdup_printf ("%s.%03dZ", seconds, (gint)((time_us % G_USEC_PER_SEC) / 1000));
}

GString *
ohe_fhir_ndjson_manifest_to_string (OheFhirNdjsonManifest *self)
{
	g_autoptr(JsonObject) root = json_object_new ();
	g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
	g_autofree gchar *instant =
	    ohe_fhir_ndjson_manifest_dup_instant (self->transaction_time_us);
	g_autofree gchar *text = NULL;
	GString *out;

	json_object_set_string_member (root, "transactionTime", instant);
	json_object_set_string_member (root, "request", self->request);
	json_object_set_boolean_member (root, "requiresAccessToken", FALSE);
	json_object_set_array_member (root, "output", json_array_ref (self->output));
	json_object_set_array_member (root, "error", json_array_new ());
	json_node_set_object (node, root);
	text = json_to_string (node, TRUE);
	out = g_string_new (text);
	g_string_append_c (out, '\n');
	return out;
}
