/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fhir-bundle.h"

/*
 * Transaction and batch Bundles built as text: the resources arrive as JSON
 * text from the writer with exact decimals, and re-serialising them through
 * a JSON tree would turn 36.60 into a double. The response side is parsed
 * with json-glib since it is outside input.
 */

/* server text copied into dead letters is capped so one chatty server cannot bloat the store */
#define OHE_FHIR_DETAIL_MAX	   400
#define OHE_FHIR_DETAIL_MAX_ISSUES 3

static const struct {
	const gchar *name;
	OheFhirWriteMode mode;
} ohe_fhir_write_modes[] = {
    {"put", OHE_FHIR_WRITE_MODE_PUT},
    {"conditional-create", OHE_FHIR_WRITE_MODE_CONDITIONAL_CREATE},
    {"conditional-update", OHE_FHIR_WRITE_MODE_CONDITIONAL_UPDATE},
};

/* resources many measurements point at: upserted once, travel with every bundle */
static const gchar *const ohe_fhir_shared_types[] = {"Device", "DeviceAssociation", NULL};

gboolean
ohe_fhir_write_mode_from_string (const gchar *str, OheFhirWriteMode *mode)
{
	for (guint i = 0; str != NULL && i < G_N_ELEMENTS (ohe_fhir_write_modes); i++) {
		if (g_strcmp0 (str, ohe_fhir_write_modes[i].name) == 0) {
			*mode = ohe_fhir_write_modes[i].mode;
			return TRUE;
		}
	}
	return FALSE;
}

const gchar *
ohe_fhir_write_mode_to_string (OheFhirWriteMode mode)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_fhir_write_modes); i++) {
		if (ohe_fhir_write_modes[i].mode == mode)
			return ohe_fhir_write_modes[i].name;
	}
	return NULL;
}

gboolean
ohe_fhir_bundle_type_from_string (const gchar *str, OheFhirBundleType *type)
{
	if (g_strcmp0 (str, "transaction") == 0) {
		*type = OHE_FHIR_BUNDLE_TYPE_TRANSACTION;
		return TRUE;
	}
	if (g_strcmp0 (str, "batch") == 0) {
		*type = OHE_FHIR_BUNDLE_TYPE_BATCH;
		return TRUE;
	}
	return FALSE;
}

const gchar *
ohe_fhir_bundle_type_to_string (OheFhirBundleType type)
{
	return type == OHE_FHIR_BUNDLE_TYPE_BATCH ? "batch" : "transaction";
}

OheFhirEntry *
ohe_fhir_entry_new (const gchar *resource_type,
		    const gchar *id,
		    const gchar *identifier_system,
		    const gchar *identifier_value,
		    const gchar *json,
		    guint owner,
		    gint64 time_us)
{
	OheFhirEntry *self = g_new0 (OheFhirEntry, 1);
	self->ref_count = 1;
	self->resource_type = g_strdup (resource_type);
	self->id = g_strdup (id);
	self->identifier_system = g_strdup (identifier_system);
	self->identifier_value = g_strdup (identifier_value);
	self->json = g_string_new (json);
	self->owners = g_array_new (FALSE, FALSE, sizeof (guint));
	g_array_append_val (self->owners, owner);
	self->time_us = time_us;
	return self;
}

OheFhirEntry *
ohe_fhir_entry_ref (OheFhirEntry *self)
{
	g_atomic_int_inc (&self->ref_count);
	return self;
}

void
ohe_fhir_entry_unref (OheFhirEntry *self)
{
	if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
		return;
	g_free (self->resource_type);
	g_free (self->id);
	g_free (self->identifier_system);
	g_free (self->identifier_value);
	g_string_free (self->json, TRUE);
	g_array_unref (self->owners);
	g_free (self);
}

gboolean
ohe_fhir_entry_is_shared (OheFhirEntry *self)
{
	return g_strv_contains (ohe_fhir_shared_types, self->resource_type);
}

gchar *
ohe_fhir_entry_dup_key (OheFhirEntry *self)
{
	return g_strdup_printf ("%s/%s", self->resource_type, self->id);
}

void
ohe_fhir_entry_add_owner (OheFhirEntry *self, guint owner)
{
	for (guint i = 0; i < self->owners->len; i++) {
		if (g_array_index (self->owners, guint, i) == owner)
			return;
	}
	g_array_append_val (self->owners, owner);
}

/*
 * A transaction may not touch one resource twice, and the writer emits the
 * Device once per measurement: merge by Type/id, keep the first position and
 * the last content (a later value of the same measurement wins).
 */
GPtrArray *
ohe_fhir_entries_dedup (GPtrArray *entries)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);

	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		g_autofree gchar *key = ohe_fhir_entry_dup_key (entry);
		OheFhirEntry *first = g_hash_table_lookup (seen, key);
		if (first == NULL) {
			g_hash_table_insert (seen, g_steal_pointer (&key), entry);
			g_ptr_array_add (out, ohe_fhir_entry_ref (entry));
			continue;
		}
		for (guint j = 0; j < entry->owners->len; j++)
			ohe_fhir_entry_add_owner (first, g_array_index (entry->owners, guint, j));
		if (!ohe_fhir_entry_is_shared (first))
			g_string_assign (first->json, entry->json->str);
	}
	return out;
}

void
ohe_fhir_entry_result_clear (OheFhirEntryResult *result)
{
	g_clear_pointer (&result->detail, g_free);
	result->status = 0;
}

typedef enum {
	OHE_FHIR_VERDICT_NONE,
	OHE_FHIR_VERDICT_ACCEPTED,
	OHE_FHIR_VERDICT_RETRY,
	OHE_FHIR_VERDICT_REJECTED, /* the worst wins */
} OheFhirVerdict;

static OheFhirVerdict
ohe_fhir_verdict_from_status (guint status)
{
	if (status >= 200 && status < 300)
		return OHE_FHIR_VERDICT_ACCEPTED;
	/* 408 and 429 say "later", not "never" */
	if (status >= 400 && status < 500 && status != 408 && status != 429)
		return OHE_FHIR_VERDICT_REJECTED;
	return OHE_FHIR_VERDICT_RETRY;
}

/*
 * A measurement is written only if every resource it produced was; a
 * rejected resource sends its measurement to the dead letters.
 */
void
ohe_fhir_entry_results_apply (GPtrArray *entries,
			      const OheFhirEntryResult *results,
			      OhePushRequest *request)
{
	guint n = ohe_push_request_get_n_measurements (request);
	g_autofree OheFhirVerdict *verdicts = g_new0 (OheFhirVerdict, n);
	g_autofree const OheFhirEntryResult **why = g_new0 (const OheFhirEntryResult *, n);

	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		OheFhirVerdict verdict = ohe_fhir_verdict_from_status (results[i].status);
		for (guint j = 0; j < entry->owners->len; j++) {
			guint owner = g_array_index (entry->owners, guint, j);
			if (owner >= n || verdict <= verdicts[owner])
				continue;
			verdicts[owner] = verdict;
			why[owner] = &results[i];
		}
	}
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *detail = NULL;
		if (verdicts[i] == OHE_FHIR_VERDICT_NONE)
			continue;
		if (verdicts[i] == OHE_FHIR_VERDICT_ACCEPTED) {
			ohe_push_request_set_outcome (request, i, OHE_PUSH_OUTCOME_WRITTEN, NULL);
			continue;
		}
		if (why[i]->status == 0)
			detail =
			    g_strdup (why[i]->detail != NULL ? why[i]->detail : "not delivered");
		else if (why[i]->detail != NULL)
			detail = g_strdup_printf ("HTTP %u: %s", why[i]->status, why[i]->detail);
		else
			detail = g_strdup_printf ("HTTP %u", why[i]->status);
		ohe_push_request_set_outcome (request, i,
					      verdicts[i] == OHE_FHIR_VERDICT_REJECTED
						  ? OHE_PUSH_OUTCOME_REFUSED
						  : OHE_PUSH_OUTCOME_RETRY,
					      detail);
	}
}

struct _OheFhirBundle {
	GObject parent_instance;
	OheFhirBundleType type;
	OheFhirWriteMode mode;
	GPtrArray *entries; /* owned, of owned OheFhirEntry */
};

G_DEFINE_TYPE (OheFhirBundle, ohe_fhir_bundle, G_TYPE_OBJECT)

static void
ohe_fhir_bundle_finalize (GObject *object)
{
	OheFhirBundle *self = OHE_FHIR_BUNDLE (object);
	g_ptr_array_unref (self->entries);
	G_OBJECT_CLASS (ohe_fhir_bundle_parent_class)->finalize (object);
}

static void
ohe_fhir_bundle_class_init (OheFhirBundleClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_bundle_finalize;
}

static void
ohe_fhir_bundle_init (OheFhirBundle *self)
{
	self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
}

OheFhirBundle *
ohe_fhir_bundle_new (OheFhirBundleType type, OheFhirWriteMode mode)
{
	OheFhirBundle *self = g_object_new (OHE_TYPE_FHIR_BUNDLE, NULL);
	self->type = type;
	self->mode = mode;
	return self;
}

void
ohe_fhir_bundle_add_entry (OheFhirBundle *self, OheFhirEntry *entry)
{
	g_return_if_fail (OHE_IS_FHIR_BUNDLE (self));
	g_ptr_array_add (self->entries, ohe_fhir_entry_ref (entry));
}

guint
ohe_fhir_bundle_get_n_entries (OheFhirBundle *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_BUNDLE (self), 0);
	return self->entries->len;
}

OheFhirEntry *
ohe_fhir_bundle_get_entry (OheFhirBundle *self, guint idx)
{
	g_return_val_if_fail (OHE_IS_FHIR_BUNDLE (self), NULL);
	g_return_val_if_fail (idx < self->entries->len, NULL);
	return g_ptr_array_index (self->entries, idx);
}

static void
ohe_fhir_append_json_string (GString *out, const gchar *str)
{
	g_string_append_c (out, '"');
	for (const gchar *p = str; *p != '\0'; p++) {
		guchar c = (guchar)*p;
		if (c == '"' || c == '\\')
			g_string_append_printf (out, "\\%c", c);
		else if (c < 0x20)
			g_string_append_printf (out, "\\u%04x", c);
		else
			g_string_append_c (out, (gchar)c);
	}
	g_string_append_c (out, '"');
}

/* a name-based UUID (RFC 9562 layout, SHA-256 based) so a replayed bundle is byte-identical */
static gchar *
ohe_fhir_dup_entry_urn (OheFhirEntry *entry)
{
	g_autofree gchar *key = ohe_fhir_entry_dup_key (entry);
	g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof (digest);

	g_checksum_update (checksum, (const guchar *)key, -1);
	g_checksum_get_digest (checksum, digest, &len);
	digest[6] = (guint8)((digest[6] & 0x0f) | 0x80);
	digest[8] = (guint8)((digest[8] & 0x3f) | 0x80);
	return g_strdup_printf ("urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
				"%02x%02x%02x%02x%02x%02x",
				digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
				digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
				digest[12], digest[13], digest[14], digest[15]);
}

static gchar *
ohe_fhir_dup_identifier_query (OheFhirEntry *entry)
{
	g_autofree gchar *system = g_uri_escape_string (entry->identifier_system, ":/", FALSE);
	g_autofree gchar *value = g_uri_escape_string (entry->identifier_value, ":/", FALSE);
	return g_strdup_printf ("identifier=%s|%s", system, value);
}

/*
 * With server-assigned ids, `Device/<our id>` would dangle: point references
 * at the urn:uuid fullUrl of an entry of the same bundle instead, which the
 * server rewrites to wherever it stored (or found) that resource.
 */
static void
ohe_fhir_append_rewritten (GString *out, const gchar *json, GHashTable *urns)
{
	const gchar *p = json;
	const gchar *hit;

	while ((hit = strstr (p, "\"reference\"")) != NULL) {
		const gchar *q = hit + strlen ("\"reference\"");
		const gchar *end;
		g_autofree gchar *value = NULL;
		const gchar *urn;

		while (*q == ' ')
			q++;
		if (*q == ':')
			q++;
		while (*q == ' ')
			q++;
		if (*q != '"') {
			g_string_append_len (out, p, q - p);
			p = q;
			continue;
		}
		q++;
		end = strchr (q, '"');
		if (end == NULL)
			break;
		value = g_strndup (q, (gsize)(end - q));
		urn = g_hash_table_lookup (urns, value);
		g_string_append_len (out, p, q - p);
		g_string_append (out, urn != NULL ? urn : value);
		p = end;
	}
	g_string_append (out, p);
}

/* servers that forbid client ids also refuse one in a conditional write's body */
static gchar *
ohe_fhir_dup_without_id (OheFhirEntry *entry)
{
	g_autofree gchar *member = g_strdup_printf ("\"id\":\"%s\"", entry->id);
	GString *json = g_string_new (entry->json->str);
	const gchar *hit = strstr (json->str, member);
	gsize pos;
	gsize len;

	if (hit == NULL)
		return g_string_free (json, FALSE);
	pos = (gsize)(hit - json->str);
	len = strlen (member);
	/* take one neighbouring comma along, so the object stays valid JSON */
	if (json->str[pos + len] == ',') {
		len++;
	} else if (pos > 0 && json->str[pos - 1] == ',') {
		pos--;
		len++;
	}
	g_string_erase (json, (gssize)pos, (gssize)len);
	return g_string_free (json, FALSE);
}

static void
ohe_fhir_bundle_append_request (OheFhirBundle *self, GString *out, OheFhirEntry *entry)
{
	gboolean has_identifier =
	    entry->identifier_system != NULL && entry->identifier_value != NULL;
	g_autofree gchar *url = NULL;
	g_autofree gchar *query = NULL;

	/* without an identifier there is nothing to be conditional on: fall back to the id */
	if (self->mode == OHE_FHIR_WRITE_MODE_PUT || !has_identifier) {
		url = g_strdup_printf ("%s/%s", entry->resource_type, entry->id);
		g_string_append (out, "\"request\":{\"method\":\"PUT\",\"url\":");
		ohe_fhir_append_json_string (out, url);
		g_string_append (out, "}");
		return;
	}
	query = ohe_fhir_dup_identifier_query (entry);
	if (self->mode == OHE_FHIR_WRITE_MODE_CONDITIONAL_CREATE) {
		g_string_append (out, "\"request\":{\"method\":\"POST\",\"url\":");
		ohe_fhir_append_json_string (out, entry->resource_type);
		g_string_append (out, ",\"ifNoneExist\":");
		ohe_fhir_append_json_string (out, query);
		g_string_append (out, "}");
		return;
	}
	url = g_strdup_printf ("%s?%s", entry->resource_type, query);
	g_string_append (out, "\"request\":{\"method\":\"PUT\",\"url\":");
	ohe_fhir_append_json_string (out, url);
	g_string_append (out, "}");
}

GBytes *
ohe_fhir_bundle_to_bytes (OheFhirBundle *self)
{
	g_autoptr(GHashTable) urns =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	GString *out = g_string_sized_new (4096);
	gboolean conditional = self->mode != OHE_FHIR_WRITE_MODE_PUT;

	g_return_val_if_fail (OHE_IS_FHIR_BUNDLE (self), NULL);

	if (conditional) {
		for (guint i = 0; i < self->entries->len; i++) {
			OheFhirEntry *entry = g_ptr_array_index (self->entries, i);
			g_hash_table_replace (urns, ohe_fhir_entry_dup_key (entry),
					      ohe_fhir_dup_entry_urn (entry));
		}
	}
	g_string_append_printf (out, "{\"resourceType\":\"Bundle\",\"type\":\"%s\",\"entry\":[",
				ohe_fhir_bundle_type_to_string (self->type));
	for (guint i = 0; i < self->entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (self->entries, i);
		if (i > 0)
			g_string_append_c (out, ',');
		g_string_append_c (out, '{');
		if (conditional) {
			g_autofree gchar *key = ohe_fhir_entry_dup_key (entry);
			g_autofree gchar *json = ohe_fhir_dup_without_id (entry);
			g_string_append (out, "\"fullUrl\":");
			ohe_fhir_append_json_string (out, g_hash_table_lookup (urns, key));
			g_string_append (out, ",\"resource\":");
			ohe_fhir_append_rewritten (out, json, urns);
		} else {
			g_string_append (out, "\"resource\":");
			g_string_append_len (out, entry->json->str, (gssize)entry->json->len);
		}
		g_string_append_c (out, ',');
		ohe_fhir_bundle_append_request (self, out, entry);
		g_string_append_c (out, '}');
	}
	g_string_append (out, "]}");
	return g_string_free_to_bytes (out);
}

/* "201 Created" → 201; 0 if it does not start with a three-digit status */
static guint
ohe_fhir_parse_status (const gchar *text)
{
	guint status = 0;
	if (text == NULL)
		return 0;
	while (*text == ' ')
		text++;
	for (guint i = 0; i < 3; i++) {
		if (!g_ascii_isdigit (text[i]))
			return 0;
		status = status * 10 + (guint)g_ascii_digit_value (text[i]);
	}
	if (text[3] != '\0' && text[3] != ' ')
		return 0;
	return (status >= 100 && status <= 599) ? status : 0;
}

/* "Bundle.entry[3].resource.status" → 3 */
static void
ohe_fhir_scan_entry_index (const gchar *text, gint *entry_index)
{
	const gchar *hit = text != NULL ? strstr (text, "entry[") : NULL;
	guint64 idx;
	gchar *end = NULL;

	if (hit == NULL || *entry_index >= 0)
		return;
	idx = g_ascii_strtoull (hit + strlen ("entry["), &end, 10);
	if (end != NULL && *end == ']' && idx < G_MAXINT)
		*entry_index = (gint)idx;
}

static void
ohe_fhir_scan_strings (JsonArray *array, gint *entry_index)
{
	for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
		JsonNode *node = json_array_get_element (array, i);
		if (JSON_NODE_HOLDS_VALUE (node) &&
		    json_node_get_value_type (node) == G_TYPE_STRING)
			ohe_fhir_scan_entry_index (json_node_get_string (node), entry_index);
	}
}

static void
ohe_fhir_append_capped (GString *out, const gchar *text)
{
	const gchar *end;
	gsize room;

	if (out->len >= OHE_FHIR_DETAIL_MAX)
		return;
	if (out->len > 0)
		g_string_append (out, "; ");
	room = OHE_FHIR_DETAIL_MAX - MIN (out->len, OHE_FHIR_DETAIL_MAX);
	if (!g_utf8_validate (text, -1, &end))
		room = MIN (room, (gsize)(end - text));
	if (strlen (text) <= room) {
		g_string_append (out, text);
		return;
	}
	/* cut on a character boundary */
	end = g_utf8_find_prev_char (text, text + room + 1);
	g_string_append_len (out, text, end != NULL ? end - text : 0);
	g_string_append (out, "…");
}

/* a coded value (severity, code): a lower-case word, or nothing */
static const gchar *
ohe_fhir_outcome_token (JsonObject *issue, const gchar *key)
{
	const gchar *value = ohe_json_object_lookup_string (issue, key);
	if (value == NULL || value[0] == '\0' || strlen (value) > 32)
		return NULL;
	for (const gchar *p = value; *p != '\0'; p++) {
		if (!g_ascii_islower (*p) && *p != '-')
			return NULL;
	}
	return value;
}

/* free text may quote the rejected value: every digit becomes '#' */
static gchar *
ohe_fhir_outcome_redact (const gchar *text)
{
	gchar *out = g_strdup (text);
	for (gchar *p = out; *p != '\0'; p++) {
		if (g_ascii_isdigit (*p))
			*p = '#';
	}
	return out;
}

/* an element path such as Bundle.entry[3].resource.valueQuantity is kept;
 * an expression with anything else (a where() with a literal) is redacted */
static gchar *
ohe_fhir_outcome_path (JsonObject *issue)
{
	const gchar *const keys[] = {"expression", "location"};

	for (guint k = 0; k < G_N_ELEMENTS (keys); k++) {
		JsonArray *array = ohe_json_object_lookup_array (issue, keys[k]);
		JsonNode *node;
		const gchar *path;

		if (array == NULL || json_array_get_length (array) == 0)
			continue;
		node = json_array_get_element (array, 0);
		if (!JSON_NODE_HOLDS_VALUE (node) ||
		    json_node_get_value_type (node) != G_TYPE_STRING)
			continue;
		path = json_node_get_string (node);
		for (const gchar *p = path; *p != '\0'; p++) {
			if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '[' &&
			    *p != ']')
				return ohe_fhir_outcome_redact (path);
		}
		return g_strdup (path);
	}
	return NULL;
}

/**
 * ohe_fhir_outcome_dup_detail:
 * @outcome: (nullable): an OperationOutcome, or anything the server sent
 * @entry_index: (out) (optional): the bundle entry an issue names, or -1
 *
 * The detail ends up in dead letters and logs, which carry no health values,
 * while a server's `diagnostics` may quote the value it rejected. Per issue:
 * severity and code, the first element path, and the free text (diagnostics,
 * else details.text) with every digit replaced by `#`.
 *
 * Returns: (transfer full) (nullable): "SEVERITY CODE at PATH: TEXT" per
 *   issue, joined with "; " and capped
 */
gchar *
ohe_fhir_outcome_dup_detail (JsonNode *outcome, gint *entry_index)
{
	g_autoptr(GString) out = g_string_new (NULL);
	JsonObject *obj = (outcome != NULL && JSON_NODE_HOLDS_OBJECT (outcome))
			      ? json_node_get_object (outcome)
			      : NULL;
	JsonArray *issues = ohe_json_object_lookup_array (obj, "issue");
	gint idx = -1;

	for (guint i = 0; issues != NULL && i < json_array_get_length (issues); i++) {
		JsonNode *node = json_array_get_element (issues, i);
		JsonObject *issue =
		    JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
		const gchar *text = ohe_json_object_lookup_string (issue, "diagnostics");
		const gchar *severity = ohe_fhir_outcome_token (issue, "severity");
		const gchar *code = ohe_fhir_outcome_token (issue, "code");
		g_autofree gchar *path = NULL;
		g_autofree gchar *redacted = NULL;
		g_autoptr(GString) piece = NULL;

		if (text == NULL)
			text = ohe_json_object_lookup_string (
			    ohe_json_object_lookup_object (issue, "details"), "text");
		ohe_fhir_scan_strings (ohe_json_object_lookup_array (issue, "expression"), &idx);
		ohe_fhir_scan_strings (ohe_json_object_lookup_array (issue, "location"), &idx);
		ohe_fhir_scan_entry_index (text, &idx);
		if (issue == NULL || i >= OHE_FHIR_DETAIL_MAX_ISSUES)
			continue;
		piece = g_string_new (severity != NULL ? severity : "issue");
		if (code != NULL)
			g_string_append_printf (piece, " %s", code);
		path = ohe_fhir_outcome_path (issue);
		if (path != NULL)
			g_string_append_printf (piece, " at %s", path);
		if (text != NULL) {
			redacted = ohe_fhir_outcome_redact (text);
			g_string_append_printf (piece, ": %s", redacted);
		}
		ohe_fhir_append_capped (out, piece->str);
	}
	if (entry_index != NULL)
		*entry_index = idx;
	if (out->len == 0)
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* words with which servers state a size cap, lowercase */
static const gchar *const ohe_fhir_limit_words[] = {
    "limit",  "maximum",  "max ",    "max.",	"max:",	 "at most", "more than",
    "exceed", "too many", "allowed", "accepts", "up to", NULL,
};

/**
 * ohe_fhir_outcome_parse_limit:
 * @detail: (nullable): the free text of one issue of a refused Bundle
 * @n_sent: the entries of that Bundle
 *
 * Finds the size cap a server states when it refuses a Bundle for its size,
 * e.g. "Bundle has 502 entries, more than the 50 this server accepts": the
 * largest number in the text below @n_sent, if the text speaks of a limit.
 *
 * Returns: the cap, or 0 if the text states none
 */
guint
ohe_fhir_outcome_parse_limit (const gchar *detail, guint n_sent)
{
	g_autofree gchar *lower = NULL;
	gboolean speaks = FALSE;
	guint limit = 0;

	if (detail == NULL)
		return 0;
	lower = g_ascii_strdown (detail, -1);
	for (guint i = 0; ohe_fhir_limit_words[i] != NULL && !speaks; i++)
		speaks = strstr (lower, ohe_fhir_limit_words[i]) != NULL;
	if (!speaks)
		return 0;
	for (const gchar *p = lower; *p != '\0';) {
		gchar *end = NULL;
		guint64 value;
		if (!g_ascii_isdigit (*p) ||
		    (p > lower && (g_ascii_isalnum (p[-1]) || p[-1] == '.'))) {
			p++;
			continue;
		}
		value = g_ascii_strtoull (p, &end, 10);
		/* "4.5" or "50%" are not entry counts */
		if (!(*end == '.' && g_ascii_isdigit (end[1])) && *end != '%' && value > 0 &&
		    value < n_sent && value > limit)
			limit = (guint)value;
		p = end;
	}
	return limit;
}

/**
 * ohe_fhir_outcome_find_limit:
 * @outcome: (nullable): the OperationOutcome of a refused Bundle
 * @n_sent: the entries of that Bundle
 *
 * The size cap the issues state, read from their free text as the server
 * sent it: the detail of ohe_fhir_outcome_dup_detail() has its digits
 * redacted. Only the number leaves this function.
 *
 * Returns: the largest cap an issue states, or 0
 */
guint
ohe_fhir_outcome_find_limit (JsonNode *outcome, guint n_sent)
{
	JsonObject *obj = (outcome != NULL && JSON_NODE_HOLDS_OBJECT (outcome))
			      ? json_node_get_object (outcome)
			      : NULL;
	JsonArray *issues = ohe_json_object_lookup_array (obj, "issue");
	guint limit = 0;

	for (guint i = 0; issues != NULL && i < json_array_get_length (issues); i++) {
		JsonNode *node = json_array_get_element (issues, i);
		JsonObject *issue =
		    JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
		const gchar *texts[] = {
		    ohe_json_object_lookup_string (issue, "diagnostics"),
		    ohe_json_object_lookup_string (ohe_json_object_lookup_object (issue, "details"),
						   "text"),
		};

		for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
			limit = MAX (limit, ohe_fhir_outcome_parse_limit (texts[t], n_sent));
	}
	return limit;
}

/**
 * ohe_fhir_bundle_parse_response:
 * @self: the bundle that was sent
 * @root: the response body
 * @results: one per entry of @self, filled in
 *
 * Reads a transaction-response or batch-response: one entry per request
 * entry, in the same order.
 */
gboolean
ohe_fhir_bundle_parse_response (OheFhirBundle *self,
				JsonNode *root,
				OheFhirEntryResult *results,
				GError **error)
{
	JsonObject *obj = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
	JsonArray *entries = ohe_json_object_lookup_array (obj, "entry");
	const gchar *type = ohe_json_object_lookup_string (obj, "type");

	if (g_strcmp0 (ohe_json_object_lookup_string (obj, "resourceType"), "Bundle") != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "response resourceType is not Bundle");
		return FALSE;
	}
	if (g_strcmp0 (type, "transaction-response") != 0 &&
	    g_strcmp0 (type, "batch-response") != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "response Bundle.type is %s, expected transaction-response or "
			     "batch-response",
			     type != NULL ? type : "missing");
		return FALSE;
	}
	if (entries == NULL || json_array_get_length (entries) != self->entries->len) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "response Bundle.entry has %u entries, expected %u",
			     entries != NULL ? json_array_get_length (entries) : 0,
			     self->entries->len);
		return FALSE;
	}
	for (guint i = 0; i < self->entries->len; i++) {
		JsonNode *node = json_array_get_element (entries, i);
		JsonObject *response = ohe_json_object_lookup_object (
		    JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL, "response");
		guint status =
		    ohe_fhir_parse_status (ohe_json_object_lookup_string (response, "status"));
		if (status == 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "response Bundle.entry[%u].response.status is missing or not "
				     "an HTTP status",
				     i);
			return FALSE;
		}
		ohe_fhir_entry_result_clear (&results[i]);
		results[i].status = status;
		if (status >= 300)
			results[i].detail = ohe_fhir_outcome_dup_detail (
			    json_object_get_member (response, "outcome"), NULL);
	}
	return TRUE;
}
