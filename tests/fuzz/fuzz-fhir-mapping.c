/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fhir-mapping.h"
#include "ohe-fuzz.h"

/*
 * A FHIR mapping file ([plugin:fhir] mapping_file): either an error naming
 * the problem, or a mapping whose every enabled kind has a code.
 */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr(OheFhirMapping) mapping = NULL;
	g_autoptr(GError) error = NULL;

	if (!ohe_fuzz_json_depth_ok (data, size))
		return 0;
	mapping =
	    ohe_fhir_mapping_new_from_data ((const gchar *)data, (gssize)size, "fuzz.json", &error);
	if (mapping == NULL) {
		g_assert_nonnull (error);
		g_assert_true (g_str_has_prefix (error->message, "fuzz.json"));
		return 0;
	}
	for (guint kind = 0; kind < OHE_MEASUREMENT_KIND_LAST; kind++) {
		const OheFhirKindMap *map = ohe_fhir_mapping_lookup (mapping, kind);
		if (map == NULL)
			continue;
		g_assert_nonnull (map->main.code);
		g_assert_nonnull (map->main.system);
		for (guint i = 0; map->components != NULL && i < map->components->len; i++) {
			const OheFhirCodeMap *c = g_ptr_array_index (map->components, i);
			g_assert_true (ohe_fhir_mapping_lookup_component (map, c->key) != NULL);
		}
	}
	return 0;
}
