/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ohe-fhir-mapping.h"
#include "ohe-json-writer.h"

/*
 * The mapping file (data/mappings/fhir-r5.json, documented by
 * schemas/mapping/fhir-r5.schema.json) is outside input: an operator may
 * replace it. Every member is type-checked, unknown members are rejected so
 * a typo does not silently drop a code, and errors name the key path, e.g.
 * `kinds.heart_rate.unit: expected a string`.
 */

struct _OheFhirMapping {
	GObject parent_instance;
	gchar *source_name;				  /* owned */
	OheFhirKindMap *kinds[OHE_MEASUREMENT_KIND_LAST]; /* owned, NULL when not mapped */
};

G_DEFINE_TYPE (OheFhirMapping, ohe_fhir_mapping, G_TYPE_OBJECT)

typedef struct {
	const gchar *source;
	gchar *category_system;
	gchar *unit_system;
	JsonObject *categories;
} OheFhirMappingLoad;

static void
ohe_fhir_code_map_clear (OheFhirCodeMap *map)
{
	g_free (map->key);
	g_free (map->system);
	g_free (map->code);
	g_free (map->display);
	g_free (map->unit);
	if (map->concept != NULL)
		g_string_free (map->concept, TRUE);
	if (map->quantity != NULL)
		g_string_free (map->quantity, TRUE);
}

static void
ohe_fhir_code_map_free (OheFhirCodeMap *map)
{
	if (map == NULL)
		return;
	ohe_fhir_code_map_clear (map);
	g_free (map);
}

static void
ohe_fhir_kind_map_free (OheFhirKindMap *map)
{
	if (map == NULL)
		return;
	ohe_fhir_code_map_clear (&map->main);
	g_free (map->category);
	g_free (map->profile);
	g_free (map->value_system);
	if (map->head != NULL)
		g_string_free (map->head, TRUE);
	if (map->daily_head != NULL)
		g_string_free (map->daily_head, TRUE);
	if (map->profile_member != NULL)
		g_string_free (map->profile_member, TRUE);
	if (map->components != NULL)
		g_ptr_array_unref (map->components);
	if (map->values != NULL)
		g_hash_table_unref (map->values);
	ohe_fhir_code_map_free (map->default_component);
	ohe_fhir_code_map_free (map->daily);
	ohe_fhir_code_map_free (map->report);
	g_free (map);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirKindMap, ohe_fhir_kind_map_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheFhirCodeMap, ohe_fhir_code_map_free)

static gchar *
ohe_fhir_mapping_join (const gchar *path, const gchar *key)
{
	if (path[0] == '\0')
		return g_strdup (key);
	return g_strdup_printf ("%s.%s", path, key);
}

static gboolean
ohe_fhir_mapping_fail (GError **error,
		       const OheFhirMappingLoad *load,
		       const gchar *path,
		       const gchar *message)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s: %s: %s", load->source, path,
		     message);
	return FALSE;
}

/* checks that @obj has only the members in @allowed */
static gboolean
ohe_fhir_mapping_check_keys (JsonObject *obj,
			     const gchar *path,
			     const gchar *const *allowed,
			     const OheFhirMappingLoad *load,
			     GError **error)
{
	g_autoptr (GList) members = json_object_get_members (obj);
	for (GList *l = members; l != NULL; l = l->next) {
		const gchar *key = l->data;
		if (!g_strv_contains (allowed, key)) {
			g_autofree gchar *sub = ohe_fhir_mapping_join (path, key);
			return ohe_fhir_mapping_fail (error, load, sub, "unknown key");
		}
	}
	return TRUE;
}

static gboolean
ohe_fhir_mapping_get_string (JsonObject *obj,
			     const gchar *path,
			     const gchar *key,
			     gboolean required,
			     const gchar **out,
			     const OheFhirMappingLoad *load,
			     GError **error)
{
	g_autofree gchar *sub = ohe_fhir_mapping_join (path, key);
	JsonNode *node = json_object_get_member (obj, key);

	*out = NULL;
	if (node == NULL) {
		if (required)
			return ohe_fhir_mapping_fail (error, load, sub, "missing");
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
		return ohe_fhir_mapping_fail (error, load, sub, "expected a string");
	*out = json_node_get_string (node);
	if (**out == '\0')
		return ohe_fhir_mapping_fail (error, load, sub, "must not be empty");
	return TRUE;
}

static gboolean
ohe_fhir_mapping_get_object (JsonObject *obj,
			     const gchar *path,
			     const gchar *key,
			     gboolean required,
			     JsonObject **out,
			     const OheFhirMappingLoad *load,
			     GError **error)
{
	g_autofree gchar *sub = ohe_fhir_mapping_join (path, key);
	JsonNode *node = json_object_get_member (obj, key);

	*out = NULL;
	if (node == NULL) {
		if (required)
			return ohe_fhir_mapping_fail (error, load, sub, "missing");
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_OBJECT (node))
		return ohe_fhir_mapping_fail (error, load, sub, "expected an object");
	*out = json_node_get_object (node);
	return TRUE;
}

static void
ohe_fhir_mapping_write_coding (OheJsonWriter *w,
			       const gchar *system,
			       const gchar *code,
			       const gchar *display)
{
	ohe_json_writer_begin_object (w);
	ohe_json_writer_key (w, "system");
	ohe_json_writer_string (w, system);
	ohe_json_writer_key (w, "code");
	ohe_json_writer_string (w, code);
	if (display != NULL) {
		ohe_json_writer_key (w, "display");
		ohe_json_writer_string (w, display);
	}
	ohe_json_writer_end_object (w);
}

/* a CodeableConcept: {"coding": [{"system", "code", "display"?}…], "text"?} */
static gboolean
ohe_fhir_mapping_parse_concept (JsonObject *obj,
				const gchar *path,
				OheFhirCodeMap *map,
				const OheFhirMappingLoad *load,
				GError **error)
{
	static const gchar *const concept_keys[] = {"coding", "text", NULL};
	static const gchar *const coding_keys[] = {"system", "code", "display", NULL};
	g_autofree gchar *coding_path = g_strdup_printf ("%s.coding", path);
	JsonNode *coding = json_object_get_member (obj, "coding");
	JsonArray *codings;
	const gchar *text = NULL;
	OheJsonWriter w;

	if (!ohe_fhir_mapping_check_keys (obj, path, concept_keys, load, error))
		return FALSE;
	if (coding == NULL)
		return ohe_fhir_mapping_fail (error, load, coding_path, "missing");
	if (!JSON_NODE_HOLDS_ARRAY (coding))
		return ohe_fhir_mapping_fail (error, load, coding_path, "expected an array");
	codings = json_node_get_array (coding);
	if (json_array_get_length (codings) == 0)
		return ohe_fhir_mapping_fail (error, load, coding_path, "must not be empty");
	if (!ohe_fhir_mapping_get_string (obj, path, "text", FALSE, &text, load, error))
		return FALSE;

	map->concept = g_string_sized_new (128);
	ohe_json_writer_init (&w, map->concept);
	ohe_json_writer_begin_object (&w);
	ohe_json_writer_key (&w, "coding");
	ohe_json_writer_begin_array (&w);
	for (guint i = 0; i < json_array_get_length (codings); i++) {
		g_autofree gchar *item_path = g_strdup_printf ("%s[%u]", coding_path, i);
		JsonNode *item = json_array_get_element (codings, i);
		JsonObject *item_obj;
		const gchar *system, *code, *display;

		if (!JSON_NODE_HOLDS_OBJECT (item))
			return ohe_fhir_mapping_fail (error, load, item_path, "expected an object");
		item_obj = json_node_get_object (item);
		if (!ohe_fhir_mapping_check_keys (item_obj, item_path, coding_keys, load, error) ||
		    !ohe_fhir_mapping_get_string (item_obj, item_path, "system", TRUE, &system,
						  load, error) ||
		    !ohe_fhir_mapping_get_string (item_obj, item_path, "code", TRUE, &code, load,
						  error) ||
		    !ohe_fhir_mapping_get_string (item_obj, item_path, "display", FALSE, &display,
						  load, error))
			return FALSE;
		if (i == 0) {
			map->system = g_strdup (system);
			map->code = g_strdup (code);
			map->display = g_strdup (display);
		}
		ohe_fhir_mapping_write_coding (&w, system, code, display);
	}
	ohe_json_writer_end_array (&w);
	if (text != NULL) {
		ohe_json_writer_key (&w, "text");
		ohe_json_writer_string (&w, text);
	}
	ohe_json_writer_end_object (&w);
	return TRUE;
}

/* the members of a Quantity after its value */
static GString *
ohe_fhir_mapping_quantity (const OheFhirMappingLoad *load, const gchar *unit, const gchar *display)
{
	GString *out = g_string_sized_new (96);
	OheJsonWriter w;

	ohe_json_writer_init (&w, out);
	ohe_json_writer_key (&w, "unit");
	ohe_json_writer_string (&w, display != NULL ? display : unit);
	ohe_json_writer_key (&w, "system");
	ohe_json_writer_string (&w, load->unit_system);
	ohe_json_writer_key (&w, "code");
	ohe_json_writer_string (&w, unit);
	return out;
}

/* "code": {…} plus optional "unit"/"unit_display", in @obj at @path */
static gboolean
ohe_fhir_mapping_parse_code_entry (JsonObject *obj,
				   const gchar *path,
				   OheFhirCodeMap *map,
				   gboolean with_unit,
				   const OheFhirMappingLoad *load,
				   GError **error)
{
	JsonObject *code = NULL;
	const gchar *unit = NULL;
	const gchar *unit_display = NULL;

	if (!ohe_fhir_mapping_get_object (obj, path, "code", TRUE, &code, load, error))
		return FALSE;
	{
		g_autofree gchar *code_path = g_strdup_printf ("%s.code", path);
		if (!ohe_fhir_mapping_parse_concept (code, code_path, map, load, error))
			return FALSE;
	}
	if (!with_unit)
		return TRUE;
	if (!ohe_fhir_mapping_get_string (obj, path, "unit", FALSE, &unit, load, error) ||
	    !ohe_fhir_mapping_get_string (obj, path, "unit_display", FALSE, &unit_display, load,
					  error))
		return FALSE;
	if (unit != NULL) {
		map->unit = g_strdup (unit);
		map->quantity = ohe_fhir_mapping_quantity (load, unit, unit_display);
	}
	return TRUE;
}

static GString *
ohe_fhir_mapping_head (const OheFhirMappingLoad *load,
		       const OheFhirKindMap *map,
		       const GString *concept)
{
	GString *out = g_string_sized_new (256);
	OheJsonWriter w;

	ohe_json_writer_init (&w, out);
	ohe_json_writer_key (&w, "category");
	ohe_json_writer_begin_array (&w);
	ohe_json_writer_begin_object (&w);
	ohe_json_writer_key (&w, "coding");
	ohe_json_writer_begin_array (&w);
	ohe_fhir_mapping_write_coding (
	    &w, load->category_system, map->category,
	    json_object_get_string_member (load->categories, map->category));
	ohe_json_writer_end_array (&w);
	ohe_json_writer_end_object (&w);
	ohe_json_writer_end_array (&w);
	ohe_json_writer_key (&w, "code");
	ohe_json_writer_fragment (&w, concept->str, concept->len);
	return out;
}

/* "components": {"name": CodeableConcept, …} for BP components and ECG leads */
static gboolean
ohe_fhir_mapping_parse_components (JsonObject *obj,
				   const gchar *path,
				   OheFhirKindMap *map,
				   const OheFhirMappingLoad *load,
				   GError **error)
{
	JsonObject *components = NULL;
	JsonObject *fallback = NULL;
	g_autoptr (GList) members = NULL;

	if (!ohe_fhir_mapping_get_object (obj, path, "components", FALSE, &components, load,
					  error) ||
	    !ohe_fhir_mapping_get_object (obj, path, "default_component", FALSE, &fallback, load,
					  error))
		return FALSE;
	map->components = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_code_map_free);
	if (components != NULL)
		members = json_object_get_members (components);
	for (GList *l = members; l != NULL; l = l->next) {
		const gchar *key = l->data;
		g_autofree gchar *sub = g_strdup_printf ("%s.components.%s", path, key);
		JsonNode *node = json_object_get_member (components, key);
		g_autoptr (OheFhirCodeMap) component = g_new0 (OheFhirCodeMap, 1);

		if (!JSON_NODE_HOLDS_OBJECT (node))
			return ohe_fhir_mapping_fail (error, load, sub, "expected an object");
		/* only names of the provider ↔ sink contract: leads or BP components */
		if (!(ohe_measurement_kind_get_value_type (map->kind) == OHE_VALUE_TYPE_SERIES
			  ? ohe_series_name_is_valid (map->kind, key)
			  : ohe_component_name_is_valid (map->kind, key)))
			return ohe_fhir_mapping_fail (error, load, sub,
						      "not a series or component name the "
						      "contract declares for the kind");
		component->key = g_strdup (key);
		if (!ohe_fhir_mapping_parse_concept (json_node_get_object (node), sub, component,
						     load, error))
			return FALSE;
		g_ptr_array_add (map->components, g_steal_pointer (&component));
	}
	if (fallback != NULL) {
		g_autofree gchar *sub = g_strdup_printf ("%s.default_component", path);
		if (ohe_measurement_kind_get_value_type (map->kind) != OHE_VALUE_TYPE_SERIES ||
		    !ohe_series_name_allows_unnamed (map->kind))
			return ohe_fhir_mapping_fail (error, load, sub,
						      "the kind has no unnamed series");
		map->default_component = g_new0 (OheFhirCodeMap, 1);
		if (!ohe_fhir_mapping_parse_concept (fallback, sub, map->default_component, load,
						     error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_fhir_mapping_parse_values (JsonObject *obj,
			       const gchar *path,
			       OheFhirKindMap *map,
			       const OheFhirMappingLoad *load,
			       GError **error)
{
	const gchar *value_system = NULL;
	JsonObject *values = NULL;
	g_autoptr (GList) members = NULL;

	if (!ohe_fhir_mapping_get_string (obj, path, "value_system", FALSE, &value_system, load,
					  error) ||
	    !ohe_fhir_mapping_get_object (obj, path, "values", FALSE, &values, load, error))
		return FALSE;
	map->value_system = g_strdup (value_system);
	if (values == NULL)
		return TRUE;
	map->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	members = json_object_get_members (values);
	for (GList *l = members; l != NULL; l = l->next) {
		g_autofree gchar *sub = g_strdup_printf ("%s.values", path);
		const gchar *display = NULL;
		if (!ohe_fhir_mapping_get_string (values, sub, l->data, TRUE, &display, load,
						  error))
			return FALSE;
		if (!ohe_classification_is_valid (l->data)) {
			g_autofree gchar *member = g_strdup_printf ("%s.%s", sub, (gchar *)l->data);
			return ohe_fhir_mapping_fail (error, load, member,
						      "not a classification code of the contract");
		}
		g_hash_table_insert (map->values, g_strdup (l->data), g_strdup (display));
	}
	return TRUE;
}

static gboolean
ohe_fhir_mapping_parse_kind (JsonObject *obj,
			     const gchar *path,
			     OheFhirKindMap *map,
			     const OheFhirMappingLoad *load,
			     GError **error)
{
	static const gchar *const kind_keys[] = {
	    "enabled",	   "category",	   "profile",	   "code",
	    "unit",	   "unit_display", "components",   "default_component",
	    "daily_total", "report",	   "value_system", "values",
	    NULL};
	static const gchar *const daily_keys[] = {"code", "unit", "unit_display", NULL};
	static const gchar *const report_keys[] = {"code", NULL};
	const gchar *canonical_unit = ohe_measurement_kind_get_unit (map->kind);
	const gchar *category = NULL;
	const gchar *profile = NULL;
	JsonNode *enabled = json_object_get_member (obj, "enabled");
	JsonObject *daily = NULL;
	JsonObject *report = NULL;

	if (!ohe_fhir_mapping_check_keys (obj, path, kind_keys, load, error))
		return FALSE;
	map->enabled = TRUE;
	if (enabled != NULL) {
		g_autofree gchar *sub = g_strdup_printf ("%s.enabled", path);
		if (!JSON_NODE_HOLDS_VALUE (enabled) ||
		    json_node_get_value_type (enabled) != G_TYPE_BOOLEAN)
			return ohe_fhir_mapping_fail (error, load, sub, "expected a boolean");
		map->enabled = json_node_get_boolean (enabled);
	}
	if (!ohe_fhir_mapping_get_string (obj, path, "category", TRUE, &category, load, error) ||
	    !ohe_fhir_mapping_get_string (obj, path, "profile", FALSE, &profile, load, error))
		return FALSE;
	if (!json_object_has_member (load->categories, category)) {
		g_autofree gchar *sub = g_strdup_printf ("%s.category", path);
		g_autofree gchar *msg =
		    g_strdup_printf ("'%s' is not listed in categories", category);
		return ohe_fhir_mapping_fail (error, load, sub, msg);
	}
	map->category = g_strdup (category);
	map->profile = g_strdup (profile);
	if (!ohe_fhir_mapping_parse_code_entry (obj, path, &map->main, TRUE, load, error))
		return FALSE;
	/* the sink never converts a value, so the unit must be the kind's own */
	if (g_strcmp0 (map->main.unit, canonical_unit) != 0) {
		g_autofree gchar *sub = g_strdup_printf ("%s.unit", path);
		g_autofree gchar *msg = NULL;
		if (canonical_unit == NULL)
			msg = g_strdup ("the kind has no unit");
		else if (map->main.unit == NULL)
			msg = g_strdup_printf ("missing (the canonical unit is '%s')",
					       canonical_unit);
		else
			msg = g_strdup_printf ("'%s' is not the canonical unit '%s' of the kind",
					       map->main.unit, canonical_unit);
		return ohe_fhir_mapping_fail (error, load, sub, msg);
	}
	map->head = ohe_fhir_mapping_head (load, map, map->main.concept);
	if (profile != NULL) {
		OheJsonWriter w;
		map->profile_member = g_string_sized_new (80);
		ohe_json_writer_init (&w, map->profile_member);
		ohe_json_writer_key (&w, "profile");
		ohe_json_writer_begin_array (&w);
		ohe_json_writer_string (&w, profile);
		ohe_json_writer_end_array (&w);
	}
	if (!ohe_fhir_mapping_parse_components (obj, path, map, load, error))
		return FALSE;
	if (!ohe_fhir_mapping_get_object (obj, path, "daily_total", FALSE, &daily, load, error) ||
	    !ohe_fhir_mapping_get_object (obj, path, "report", FALSE, &report, load, error))
		return FALSE;
	if (daily != NULL) {
		g_autofree gchar *sub = g_strdup_printf ("%s.daily_total", path);
		map->daily = g_new0 (OheFhirCodeMap, 1);
		if (!ohe_fhir_mapping_check_keys (daily, sub, daily_keys, load, error) ||
		    !ohe_fhir_mapping_parse_code_entry (daily, sub, map->daily, TRUE, load, error))
			return FALSE;
		if (map->daily->unit == NULL) {
			g_autofree gchar *unit_path = g_strdup_printf ("%s.unit", sub);
			return ohe_fhir_mapping_fail (error, load, unit_path, "missing");
		}
		map->daily_head = ohe_fhir_mapping_head (load, map, map->daily->concept);
	}
	if (report != NULL) {
		g_autofree gchar *sub = g_strdup_printf ("%s.report", path);
		map->report = g_new0 (OheFhirCodeMap, 1);
		if (!ohe_fhir_mapping_check_keys (report, sub, report_keys, load, error) ||
		    !ohe_fhir_mapping_parse_code_entry (report, sub, map->report, FALSE, load,
							error))
			return FALSE;
	}
	return ohe_fhir_mapping_parse_values (obj, path, map, load, error);
}

static gboolean
ohe_fhir_mapping_parse (OheFhirMapping *self, JsonNode *root, GError **error)
{
	static const gchar *const top_keys[] = {"format_version", "category_system", "categories",
						"unit_system",	  "kinds",	     NULL};
	OheFhirMappingLoad load = {.source = self->source_name};
	JsonObject *top;
	JsonObject *kinds = NULL;
	JsonNode *version;
	const gchar *category_system = NULL;
	const gchar *unit_system = NULL;
	g_autoptr (GList) members = NULL;
	g_autoptr (GList) category_names = NULL;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return ohe_fhir_mapping_fail (error, &load, "(root)", "expected a JSON object");
	top = json_node_get_object (root);
	if (!ohe_fhir_mapping_check_keys (top, "", top_keys, &load, error))
		return FALSE;
	version = json_object_get_member (top, "format_version");
	if (version == NULL)
		return ohe_fhir_mapping_fail (error, &load, "format_version", "missing");
	if (!JSON_NODE_HOLDS_VALUE (version) ||
	    json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
		return ohe_fhir_mapping_fail (error, &load, "format_version", "expected 1");
	if (!ohe_fhir_mapping_get_string (top, "", "category_system", TRUE, &category_system, &load,
					  error) ||
	    !ohe_fhir_mapping_get_string (top, "", "unit_system", TRUE, &unit_system, &load,
					  error) ||
	    !ohe_fhir_mapping_get_object (top, "", "categories", TRUE, &load.categories, &load,
					  error) ||
	    !ohe_fhir_mapping_get_object (top, "", "kinds", TRUE, &kinds, &load, error))
		return FALSE;
	load.category_system = (gchar *)category_system;
	load.unit_system = (gchar *)unit_system;
	category_names = json_object_get_members (load.categories);
	for (GList *l = category_names; l != NULL; l = l->next) {
		const gchar *display = NULL;
		if (!ohe_fhir_mapping_get_string (load.categories, "categories", l->data, TRUE,
						  &display, &load, error))
			return FALSE;
	}

	members = json_object_get_members (kinds);
	for (GList *l = members; l != NULL; l = l->next) {
		const gchar *name = l->data;
		g_autofree gchar *path = g_strdup_printf ("kinds.%s", name);
		OheMeasurementKind kind = ohe_measurement_kind_from_string (name);
		JsonNode *node = json_object_get_member (kinds, name);
		g_autoptr (OheFhirKindMap) map = NULL;

		if (kind == OHE_MEASUREMENT_KIND_UNKNOWN ||
		    (guint)kind >= OHE_MEASUREMENT_KIND_LAST)
			return ohe_fhir_mapping_fail (error, &load, path,
						      "unknown measurement kind");
		if (!JSON_NODE_HOLDS_OBJECT (node))
			return ohe_fhir_mapping_fail (error, &load, path, "expected an object");
		map = g_new0 (OheFhirKindMap, 1);
		map->kind = kind;
		if (!ohe_fhir_mapping_parse_kind (json_node_get_object (node), path, map, &load,
						  error))
			return FALSE;
		ohe_fhir_kind_map_free (self->kinds[kind]);
		self->kinds[kind] = g_steal_pointer (&map);
	}
	return TRUE;
}

/**
 * ohe_fhir_mapping_new_from_data:
 * @data: the mapping JSON
 * @len: the length of @data, or -1
 * @source_name: the name to use in error messages, e.g. the file name
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): a validated mapping, or %NULL with @error set
 */
OheFhirMapping *
ohe_fhir_mapping_new_from_data (const gchar *data,
				gssize len,
				const gchar *source_name,
				GError **error)
{
	g_autoptr (OheFhirMapping) self = g_object_new (OHE_TYPE_FHIR_MAPPING, NULL);
	g_autoptr (JsonNode) root = NULL;

	g_return_val_if_fail (data != NULL, NULL);
	self->source_name = g_strdup (source_name != NULL ? source_name : "mapping");
	root = ohe_json_parse (data, len, self->source_name, NULL, error);
	if (root == NULL)
		return NULL;
	if (!ohe_fhir_mapping_parse (self, root, error))
		return NULL;
	return g_steal_pointer (&self);
}

/**
 * ohe_fhir_mapping_new_from_file:
 * @path: a mapping file, e.g. %OHE_FHIR_MAPPING_DEFAULT_FILE
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): a validated mapping, or %NULL with @error set
 */
OheFhirMapping *
ohe_fhir_mapping_new_from_file (const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr (GError) error_local = NULL;

	if (!g_file_get_contents (path, &data, &len, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "cannot read FHIR mapping: %s",
			     error_local->message);
		return NULL;
	}
	return ohe_fhir_mapping_new_from_data (data, (gssize)len, path, error);
}

/**
 * ohe_fhir_mapping_lookup:
 * @self: an #OheFhirMapping
 * @kind: an #OheMeasurementKind
 *
 * Returns: (nullable): how @kind is written, or %NULL if the mapping lacks it
 */
const OheFhirKindMap *
ohe_fhir_mapping_lookup (OheFhirMapping *self, OheMeasurementKind kind)
{
	g_return_val_if_fail (OHE_IS_FHIR_MAPPING (self), NULL);
	if ((guint)kind >= OHE_MEASUREMENT_KIND_LAST)
		return NULL;
	return self->kinds[kind];
}

/**
 * ohe_fhir_mapping_lookup_component:
 * @map: an #OheFhirKindMap
 * @key: a component or lead name, e.g. `systolic` or `II`
 *
 * Returns: (nullable): the component mapping
 */
const OheFhirCodeMap *
ohe_fhir_mapping_lookup_component (const OheFhirKindMap *map, const gchar *key)
{
	if (map->components == NULL || key == NULL)
		return NULL;
	for (guint i = 0; i < map->components->len; i++) {
		const OheFhirCodeMap *component = g_ptr_array_index (map->components, i);
		if (g_strcmp0 (component->key, key) == 0)
			return component;
	}
	return NULL;
}

/**
 * ohe_fhir_mapping_get_source_name:
 * @self: an #OheFhirMapping
 *
 * Returns: the file or source name the mapping was loaded from
 */
const gchar *
ohe_fhir_mapping_get_source_name (OheFhirMapping *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_MAPPING (self), NULL);
	return self->source_name;
}

static void
ohe_fhir_mapping_finalize (GObject *object)
{
	OheFhirMapping *self = OHE_FHIR_MAPPING (object);
	for (guint i = 0; i < OHE_MEASUREMENT_KIND_LAST; i++)
		ohe_fhir_kind_map_free (self->kinds[i]);
	g_free (self->source_name);
	G_OBJECT_CLASS (ohe_fhir_mapping_parent_class)->finalize (object);
}

static void
ohe_fhir_mapping_class_init (OheFhirMappingClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_mapping_finalize;
}

static void
ohe_fhir_mapping_init (OheFhirMapping *self)
{
}
