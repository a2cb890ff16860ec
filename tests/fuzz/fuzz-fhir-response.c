/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fhir-bundle.h"
#include "ohe-fuzz.h"

#define OHE_FUZZ_MAX_ENTRIES 64

/*
 * What a FHIR server answers to a bundle: a transaction-response or
 * batch-response for a bundle with as many entries as the answer has (so
 * the per-entry reading is reached), or an OperationOutcome. A status read
 * is an HTTP status; a detail is bounded.
 */
static guint
ohe_fuzz_count_entries (JsonNode *root)
{
	JsonObject *obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
	JsonNode *entry = obj != NULL ? json_object_get_member (obj, "entry") : NULL;

	if (entry == NULL || !JSON_NODE_HOLDS_ARRAY (entry))
		return 1;
	return CLAMP (json_array_get_length (json_node_get_array (entry)), 1, OHE_FUZZ_MAX_ENTRIES);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable ();
	g_autoptr(OheFhirBundle) bundle = NULL;
	OheFhirEntryResult results[OHE_FUZZ_MAX_ENTRIES] = {{0}};
	g_autofree gchar *detail = NULL;
	JsonNode *root;
	guint n;
	gint idx = -2;

	if (size == 0 || !ohe_fuzz_json_depth_ok (data, size) ||
	    !json_parser_load_from_data (parser, (const gchar *)data, (gssize)size, NULL))
		return 0;
	root = json_parser_get_root (parser);
	if (root == NULL)
		return 0;

	detail = ohe_fhir_outcome_dup_detail (root, &idx);
	g_assert_cmpint (idx, >=, -1);
	if (detail != NULL)
		g_assert_true (g_utf8_validate (detail, -1, NULL));

	bundle = ohe_fhir_bundle_new (size % 2 == 0 ? OHE_FHIR_BUNDLE_TYPE_TRANSACTION
						    : OHE_FHIR_BUNDLE_TYPE_BATCH,
				      OHE_FHIR_WRITE_MODE_PUT);
	n = ohe_fuzz_count_entries (root);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *id = g_strdup_printf ("fuzz-%u", i);
		g_autoptr(OheFhirEntry) entry =
			       ohe_fhir_entry_new ("Observation", id, "urn:ietf:rfc:3986", id,
						   "{\"resourceType\":\"Observation\"}", i, 0);
		ohe_fhir_bundle_add_entry (bundle, entry);
	}
	if (ohe_fhir_bundle_parse_response (bundle, root, results, NULL)) {
		for (guint i = 0; i < n; i++) {
			g_assert_cmpuint (results[i].status, >=, 100);
			g_assert_cmpuint (results[i].status, <=, 599);
		}
	}
	for (guint i = 0; i < n; i++)
		ohe_fhir_entry_result_clear (&results[i]);
	return 0;
}
