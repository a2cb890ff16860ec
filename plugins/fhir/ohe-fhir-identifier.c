/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fhir-identifier.h"
#include "ohe-json-writer.h"

/*
 * Deterministic identifiers make every write idempotent: a replayed window
 * produces the same Observation.identifier and the same resource id, so a
 * `PUT Observation/<id>` updates instead of duplicating.
 *
 * - system: <base>/<provider>/<kind>, one per provider and kind;
 * - value: the provider's native id; for linked data
 *   <parent native id>/<kind>/<own native id or UTC start>, so a child
 *   derives from its parent; without a native id the lowercase hex SHA-256
 *   of system, patient, device, kind (+ shape) and time, separated by NUL
 *   bytes so that no field can run into the next;
 * - resource id: a hashed value covers its system and patient and is the id
 *   itself; any other value gives the lowercase hex SHA-256 of
 *   "<system>|<value>", a NUL byte and the patient reference (64 characters,
 *   exactly the longest FHIR id).
 *
 * Every id covers the patient the link is bound to: the same provider
 * account synced for two patients (a store that let two links hold it, or
 * an account moved from one patient to another) gives two sets of
 * resources, and one patient's sync can never overwrite the other's.
 *
 * A daily step total hashes its local civil day rather than its start, so a
 * total that grows during the day keeps one identifier and one resource.
 *
 * The hashed values put the constant fields first, so the SHA-256 state
 * after them is kept per series (OheFhirIdentifierCache) and each
 * measurement only hashes its time, mostly one block.
 */

#define OHE_FHIR_IDENTIFIER_MAX_PARTS 8

/* the shapes of hashed values; 0 marks an empty cache */
enum {
	OHE_FHIR_SHAPE_SAMPLE = 1,
	OHE_FHIR_SHAPE_DAY,
	OHE_FHIR_SHAPE_AGGREGATE,
};

/**
 * ohe_fhir_identifier_cache_clear:
 * @cache: an #OheFhirIdentifierCache
 *
 * Frees what @cache holds and empties it.
 */
void
ohe_fhir_identifier_cache_clear (OheFhirIdentifierCache *cache)
{
	g_clear_pointer (&cache->patient, g_free);
	g_clear_pointer (&cache->device, g_free);
	cache->system = NULL;
	cache->shape = 0;
}

/**
 * ohe_fhir_identifier_system:
 * @base: the identifier base URL, e.g. `https://ohed.dev/fhir/id`
 * @provider: the provider plugin name, e.g. `withings`
 * @suffix: the kind name, or `device`, `device-association`, `ecg-report`
 *
 * Returns: (transfer full): `<base>/<provider>/<suffix>`
 */
gchar *
ohe_fhir_identifier_system (const gchar *base, const gchar *provider, const gchar *suffix)
{
	gsize base_len = strlen (base);

	/* a configured base with a trailing slash names the same system */
	while (base_len > 0 && base[base_len - 1] == '/')
		base_len--;
	return g_strdup_printf ("%.*s/%s/%s", (gint)base_len, base, provider, suffix);
}

/**
 * ohe_fhir_identifier_resource_id:
 * @system: the identifier system
 * @value: the identifier value
 * @patient_reference: the patient the resource belongs to
 * @id: (out caller-allocates): 65 bytes for the id and its nul
 *
 * Computes the FHIR resource id that belongs to an identifier whose value
 * is not itself a hash (see ohe_fhir_identifier_append_value()).
 */
void
ohe_fhir_identifier_resource_id (const gchar *system,
				 const gchar *value,
				 const gchar *patient_reference,
				 gchar id[OHE_FHIR_ID_LEN + 1])
{
	OheFhirSha256 sha;

	ohe_fhir_sha256_init (&sha);
	ohe_fhir_sha256_update (&sha, system, strlen (system));
	ohe_fhir_sha256_update (&sha, "|", 1);
	ohe_fhir_sha256_update (&sha, value, strlen (value) + 1);
	ohe_fhir_sha256_update (&sha, patient_reference, strlen (patient_reference));
	ohe_fhir_sha256_finish_hex (&sha, id);
}

/* appends @part and its NUL separator */
static void
ohe_fhir_identifier_hash_part (OheFhirSha256 *sha, const gchar *part)
{
	ohe_fhir_sha256_update (sha, part, strlen (part) + 1);
}

/**
 * ohe_fhir_identifier_hash:
 * @parts: a %NULL-terminated list of at most 8 strings
 * @hex: (out caller-allocates): 65 bytes for the hex digest and its nul
 *
 * Hashes @parts separated by NUL bytes.
 */
void
ohe_fhir_identifier_hash (const gchar *const *parts, gchar hex[OHE_FHIR_ID_LEN + 1])
{
	OheFhirSha256 sha;

	ohe_fhir_sha256_init (&sha);
	for (guint i = 0; parts[i] != NULL && i < OHE_FHIR_IDENTIFIER_MAX_PARTS; i++) {
		if (i > 0)
			ohe_fhir_sha256_update (&sha, "", 1);
		ohe_fhir_sha256_update (&sha, parts[i], strlen (parts[i]));
	}
	ohe_fhir_sha256_finish_hex (&sha, hex);
}

/**
 * ohe_fhir_identifier_is_daily_total:
 * @m: an #OheMeasurement
 *
 * Returns: %TRUE for a step count over one civil day (qualifier `total` =
 *   `day`, or a provider summary), which FHIR codes differently
 */
gboolean
ohe_fhir_identifier_is_daily_total (OheMeasurement *m)
{
	const gchar *total;

	if (ohe_measurement_get_kind (m) != OHE_MEASUREMENT_KIND_STEPS)
		return FALSE;
	if (ohe_measurement_get_origin (m) == OHE_MEASUREMENT_ORIGIN_SUMMARY)
		return TRUE;
	total = ohe_measurement_get_qualifier (m, OHE_QUALIFIER_TOTAL);
	return g_strcmp0 (total, OHE_QUALIFIER_TOTAL_VALUE_DAY) == 0;
}

/* the state after system, patient, device and kind (+ shape), each with its NUL */
static void
ohe_fhir_identifier_cache_update (OheFhirIdentifierCache *cache,
				  OheMeasurement *m,
				  const gchar *system,
				  const gchar *patient_reference,
				  const gchar *device,
				  guint shape)
{
	const gchar *kind = ohe_measurement_kind_to_string (ohe_measurement_get_kind (m));

	if (cache->system == system && cache->shape == shape &&
	    g_strcmp0 (cache->patient, patient_reference) == 0 &&
	    g_strcmp0 (cache->device, device) == 0)
		return;
	ohe_fhir_identifier_cache_clear (cache);
	ohe_fhir_sha256_init (&cache->prefix);
	ohe_fhir_identifier_hash_part (&cache->prefix, system);
	ohe_fhir_identifier_hash_part (&cache->prefix, patient_reference);
	ohe_fhir_identifier_hash_part (&cache->prefix, device);
	ohe_fhir_sha256_update (&cache->prefix, kind, strlen (kind));
	if (shape == OHE_FHIR_SHAPE_DAY)
		ohe_fhir_sha256_update (&cache->prefix, "/day", 4);
	else if (shape == OHE_FHIR_SHAPE_AGGREGATE)
		ohe_fhir_sha256_update (&cache->prefix, "/aggregate", 10);
	ohe_fhir_sha256_update (&cache->prefix, "", 1);
	cache->system = system;
	cache->shape = shape;
	cache->patient = g_strdup (patient_reference);
	cache->device = g_strdup (device);
}

static void
ohe_fhir_identifier_append_hash (OheFhirIdentifierCache *cache,
				 GString *out,
				 OheMeasurement *m,
				 const gchar *system,
				 const gchar *patient_reference)
{
	const gchar *device = ohe_measurement_get_device_id (m);
	OheFhirSha256 sha;
	gchar time[2 * OHE_JSON_INT_MAX + 1];
	gsize time_len;
	guint shape;

	if (ohe_fhir_identifier_is_daily_total (m)) {
		/* the local civil day, not the start: the total grows, the day stays */
		gchar date_time[OHE_JSON_DATE_TIME_MAX];
		shape = OHE_FHIR_SHAPE_DAY;
		ohe_json_format_date_time (NULL, date_time, ohe_measurement_get_start (m),
					   ohe_measurement_get_utc_offset (m));
		time_len = 10;
		memcpy (time, date_time, time_len);
	} else if (ohe_measurement_is_aggregate (m)) {
		/* an hourly aggregate must never collide with a sample at hh:00 */
		shape = OHE_FHIR_SHAPE_AGGREGATE;
		time_len = ohe_json_format_int (time, ohe_measurement_get_start (m));
		time[time_len++] = '\0';
		time_len += ohe_json_format_int (time + time_len, ohe_measurement_get_end (m));
	} else {
		shape = OHE_FHIR_SHAPE_SAMPLE;
		time_len = ohe_json_format_int (time, ohe_measurement_get_start (m));
	}
	ohe_fhir_identifier_cache_update (cache, m, system, patient_reference,
					  device != NULL ? device : "", shape);
	sha = cache->prefix;
	ohe_fhir_sha256_update (&sha, time, time_len);
	g_string_set_size (out, out->len + OHE_FHIR_ID_LEN);
	ohe_fhir_sha256_finish_hex (&sha, out->str + out->len - OHE_FHIR_ID_LEN);
}

/**
 * ohe_fhir_identifier_append_value:
 * @cache: the hash state of the writer
 * @out: a #GString
 * @m: an #OheMeasurement with a provider
 * @system: the identifier system of @m
 * @patient_reference: the patient the measurement belongs to
 *
 * Appends the identifier value of @m; the result is always valid UTF-8 so
 * that the value written to JSON is the value that was hashed.
 *
 * Returns: %TRUE if the value is a hash that covers @system, and so is the
 *   resource id itself; %FALSE if the id is ohe_fhir_identifier_resource_id()
 */
gboolean
ohe_fhir_identifier_append_value (OheFhirIdentifierCache *cache,
				  GString *out,
				  OheMeasurement *m,
				  const gchar *system,
				  const gchar *patient_reference)
{
	const gchar *native_id = ohe_measurement_get_native_id (m);
	const gchar *parent_id = ohe_measurement_get_parent_native_id (m);
	gsize start = out->len;

	/* an empty native id identifies nothing */
	if (native_id != NULL && native_id[0] == '\0')
		native_id = NULL;
	if (parent_id != NULL && parent_id[0] == '\0')
		parent_id = NULL;
	if (ohe_measurement_get_parent_kind (m) != OHE_MEASUREMENT_KIND_UNKNOWN &&
	    parent_id != NULL) {
		g_string_append (out, parent_id);
		g_string_append_c (out, '/');
		g_string_append (out,
				 ohe_measurement_kind_to_string (ohe_measurement_get_kind (m)));
		g_string_append_c (out, '/');
		if (native_id != NULL)
			g_string_append (out, native_id);
		else
			ohe_json_append_date_time (out, ohe_measurement_get_start (m), 0);
	} else if (native_id != NULL) {
		g_string_append (out, native_id);
	} else {
		ohe_fhir_identifier_append_hash (cache, out, m, system, patient_reference);
		return TRUE;
	}
	if (!g_utf8_validate (out->str + start, out->len - start, NULL)) {
		g_autofree gchar *valid = g_utf8_make_valid (out->str + start, out->len - start);
		g_string_truncate (out, start);
		g_string_append (out, valid);
	}
	return FALSE;
}
