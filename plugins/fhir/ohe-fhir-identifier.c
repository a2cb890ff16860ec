/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gcrypt.h>
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
 *   of patient, device, kind (+ shape) and time, separated by NUL bytes so
 *   that no field can run into the next;
 * - resource id: lowercase hex SHA-256 of "<system>|<value>" (64 characters,
 *   exactly the longest FHIR id).
 *
 * A daily step total hashes its local civil day rather than its start, so a
 * total that grows during the day keeps one identifier and one resource.
 */

#define OHE_FHIR_IDENTIFIER_MAX_PARTS 8

static const gchar ohe_fhir_hex[] = "0123456789abcdef";

static void
ohe_fhir_identifier_sha256_hex (const gcry_buffer_t *iov,
				gint n_iov,
				gchar hex[OHE_FHIR_ID_LEN + 1])
{
	guint8 digest[32];

	ohe_crypto_init ();
	if (gcry_md_hash_buffers (GCRY_MD_SHA256, 0, digest, iov, n_iov) != 0) {
		/* cannot happen for SHA-256 in a working libgcrypt */
		memset (digest, 0, sizeof (digest));
	}
	for (guint i = 0; i < sizeof (digest); i += 2) {
		guint32 four = (guint32)ohe_fhir_hex[digest[i] >> 4] |
			       (guint32)ohe_fhir_hex[digest[i] & 0xf] << 8 |
			       (guint32)ohe_fhir_hex[digest[i + 1] >> 4] << 16 |
			       (guint32)ohe_fhir_hex[digest[i + 1] & 0xf] << 24;
		memcpy (hex + 2 * i, &four, 4);
	}
	hex[OHE_FHIR_ID_LEN] = '\0';
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
 * @id: (out caller-allocates): 65 bytes for the id and its nul
 *
 * Computes the FHIR resource id that belongs to an identifier.
 */
void
ohe_fhir_identifier_resource_id (const gchar *system,
				 const gchar *value,
				 gchar id[OHE_FHIR_ID_LEN + 1])
{
	gcry_buffer_t iov[3] = {
	    {.data = (gpointer)system, .len = strlen (system)},
	    {.data = (gpointer) "|", .len = 1},
	    {.data = (gpointer)value, .len = strlen (value)},
	};
	ohe_fhir_identifier_sha256_hex (iov, G_N_ELEMENTS (iov), id);
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
	gcry_buffer_t iov[2 * OHE_FHIR_IDENTIFIER_MAX_PARTS] = {{0}};
	gint n = 0;

	for (guint i = 0; parts[i] != NULL && i < OHE_FHIR_IDENTIFIER_MAX_PARTS; i++) {
		if (i > 0) {
			iov[n].data = (gpointer) "";
			iov[n++].len = 1;
		}
		iov[n].data = (gpointer)parts[i];
		iov[n++].len = strlen (parts[i]);
	}
	ohe_fhir_identifier_sha256_hex (iov, n, hex);
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
	total = ohe_measurement_get_qualifier (m, "total");
	return g_strcmp0 (total, "day") == 0;
}

/* decimal digits without printf: this runs once per measurement */
static const gchar *
ohe_fhir_identifier_format_int (gchar buf[24], gint64 value)
{
	gchar *p = buf + 23;
	guint64 magnitude = value < 0 ? (guint64)(-(value + 1)) + 1 : (guint64)value;

	*p = '\0';
	do {
		*--p = (gchar)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude != 0);
	if (value < 0)
		*--p = '-';
	return p;
}

static void
ohe_fhir_identifier_append_hash (GString *out, OheMeasurement *m, const gchar *patient_reference)
{
	const gchar *kind = ohe_measurement_kind_to_string (ohe_measurement_get_kind (m));
	const gchar *device = ohe_measurement_get_device_id (m);
	const gchar *parts[6] = {patient_reference, device != NULL ? device : "", NULL};
	gchar kind_part[64];
	gchar start[24];
	gchar end[24];
	gchar hex[OHE_FHIR_ID_LEN + 1];
	g_autoptr (GString) day = NULL;

	if (ohe_fhir_identifier_is_daily_total (m)) {
		/* the local civil day, not the start: the total grows, the day stays */
		day = g_string_sized_new (40);
		ohe_json_append_date_time (day, ohe_measurement_get_start (m),
					   ohe_measurement_get_utc_offset (m));
		g_string_truncate (day, 10);
		g_snprintf (kind_part, sizeof (kind_part), "%s/day", kind);
		parts[2] = kind_part;
		parts[3] = day->str;
	} else if (ohe_measurement_is_aggregate (m)) {
		/* an hourly aggregate must never collide with a sample at hh:00 */
		g_snprintf (kind_part, sizeof (kind_part), "%s/aggregate", kind);
		parts[2] = kind_part;
		parts[3] = ohe_fhir_identifier_format_int (start, ohe_measurement_get_start (m));
		parts[4] = ohe_fhir_identifier_format_int (end, ohe_measurement_get_end (m));
	} else {
		parts[2] = kind;
		parts[3] = ohe_fhir_identifier_format_int (start, ohe_measurement_get_start (m));
	}
	ohe_fhir_identifier_hash (parts, hex);
	g_string_append_len (out, hex, OHE_FHIR_ID_LEN);
}

/**
 * ohe_fhir_identifier_append_value:
 * @out: a #GString
 * @m: an #OheMeasurement with a provider
 * @patient_reference: the patient the measurement belongs to
 *
 * Appends the identifier value of @m; the result is always valid UTF-8 so
 * that the value written to JSON is the value that was hashed.
 */
void
ohe_fhir_identifier_append_value (GString *out, OheMeasurement *m, const gchar *patient_reference)
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
		ohe_fhir_identifier_append_hash (out, m, patient_reference);
		return;
	}
	if (!g_utf8_validate (out->str + start, out->len - start, NULL)) {
		g_autofree gchar *valid = g_utf8_make_valid (out->str + start, out->len - start);
		g_string_truncate (out, start);
		g_string_append (out, valid);
	}
}
