/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ohe-google-health-parser.h"

/*
 * Google Health JSON → OheMeasurement. Everything here is outside input: every
 * member is type-checked, int64 values arrive as strings and are parsed
 * strictly, and an error names the data type and the JSON path of the field.
 * Values keep their decimal precision (json-glib hands out doubles, which are
 * turned back into the shortest decimal that reproduces them).
 */

#define OHE_GOOGLE_HEALTH_PROVIDER "fitbit"

/* a UTC offset beyond ±18 h (ISO 8601 / java.time bound) is not an offset */
#define OHE_GOOGLE_HEALTH_MAX_OFFSET_S (18 * 3600)

/* an ECG longer than this many samples is not a wrist recording */
#define OHE_GOOGLE_HEALTH_MAX_ECG_SAMPLES (1024 * 1024)

void
ohe_google_health_device_free (OheGoogleHealthDevice *device)
{
	if (device == NULL)
		return;
	g_free (device->id);
	g_free (device->device_type);
	g_free (device->version);
	g_free (device);
}

/**
 * ohe_google_health_parse_int64:
 * @text: the JSON string carrying an int64
 * @field: the name of the field, for the error
 * @value: (out): the number
 * @error: a #GError, or %NULL
 *
 * Proto3 JSON writes int64 as a decimal string; anything but an optional
 * minus sign and digits is refused.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_google_health_parse_int64 (const gchar *text, const gchar *field, gint64 *value, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	if (text == NULL ||
	    !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, value, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s: not an int64 string",
			     field);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_google_health_parse_duration:
 * @text: a `google-duration`, e.g. `3600s`, `-18000s`, `3.5s`
 * @field: the name of the field, for the error
 * @value_us: (out): the duration in µs
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_google_health_parse_duration (const gchar *text,
				  const gchar *field,
				  gint64 *value_us,
				  GError **error)
{
	const gchar *p = text;
	gboolean negative = FALSE;
	gint64 seconds = 0;
	gint64 micros = 0;
	guint n_int = 0;
	guint n_frac = 0;

	if (p != NULL && *p == '-') {
		negative = TRUE;
		p++;
	}
	for (; p != NULL && g_ascii_isdigit (*p); p++, n_int++) {
		/* 12 digits are 31 700 years: plenty, and no overflow below */
		if (n_int >= 12)
			break;
		seconds = seconds * 10 + (*p - '0');
	}
	if (p != NULL && *p == '.') {
		for (p++; g_ascii_isdigit (*p); p++, n_frac++) {
			if (n_frac < 6)
				micros = micros * 10 + (*p - '0');
		}
		for (guint i = n_frac; i < 6; i++)
			micros *= 10;
	}
	if (p == NULL || n_int == 0 || n_frac > 9 || (n_frac == 0 && p[-1] == '.') || p[0] != 's' ||
	    p[1] != '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s: not a duration like \"3600s\"", field);
		return FALSE;
	}
	*value_us = (seconds * G_USEC_PER_SEC + micros) * (negative ? -1 : 1);
	return TRUE;
}

/**
 * ohe_google_health_parse_timestamp:
 * @text: an RFC 3339 timestamp with a zone, e.g. `2026-11-21T08:01:00Z`
 * @field: the name of the field, for the error
 * @value_us: (out): µs since the epoch
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_google_health_parse_timestamp (const gchar *text,
				   const gchar *field,
				   gint64 *value_us,
				   GError **error)
{
	g_autoptr(GDateTime) dt = NULL;
	gsize len = text != NULL ? strlen (text) : 0;

	/* RFC 3339 needs a date, a 'T' and a zone; GDateTime would accept a local time */
	if (len >= 20 && len <= 40 && (text[10] == 'T' || text[10] == 't') &&
	    (text[len - 1] == 'Z' || text[len - 1] == 'z' || text[len - 6] == '+' ||
	     text[len - 6] == '-'))
		dt = g_date_time_new_from_iso8601 (text, NULL);
	if (dt == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s: not an RFC 3339 timestamp", field);
		return FALSE;
	}
	/* a measurement needs a time after the epoch (ohe_measurement_validate) */
	if (g_date_time_to_unix (dt) <= 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s: not after 1970-01-01T00:00:00Z", field);
		return FALSE;
	}
	*value_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
	if (!ohe_plausible_time_us (*value_us)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s: before 1970 or after 2099", field);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_google_health_parse_json:
 * @data: the body
 * @len: its length
 * @what: what the body is, for the error
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the root, always a JSON object
 */
JsonNode *
ohe_google_health_parse_json (const gchar *data, gsize len, const gchar *what, GError **error)
{
	g_autoptr(JsonNode) root = NULL;

	if (data == NULL || len == 0 || len > G_MAXSSIZE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s: empty body", what);
		return NULL;
	}
	root = ohe_json_parse (data, (gssize)len, what, NULL, error);
	if (root == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s: not a JSON object",
			     what);
		return NULL;
	}
	return g_steal_pointer (&root);
}

/* typed member access; a missing member is not an error unless required */

typedef struct {
	const OheGoogleHealthDataType *type;
	const gchar *path; /* e.g. dataPoints[3].heartRate */
	gint64 start_us;
	gint64 end_us;
	gint32 offset_s;
	const gchar *device;
	gboolean manual;
	gchar *native_id; /* owned */
	GPtrArray *out;	  /* not owned */
} OheGoogleHealthPoint;

static void
ohe_google_health_set_field_error (GError **error,
				   OheGoogleHealthPoint *pt,
				   const gchar *member,
				   const gchar *problem)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s %s.%s: %s", pt->type->id,
		     pt->path, member, problem);
}

static gchar *
ohe_google_health_field (OheGoogleHealthPoint *pt, const gchar *member)
{
	return g_strdup_printf ("%s %s.%s", pt->type->id, pt->path, member);
}

static JsonNode *
ohe_google_health_member (JsonObject *obj, const gchar *member)
{
	JsonNode *node = json_object_get_member (obj, member);
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return NULL;
	return node;
}

static gboolean
ohe_google_health_get_object (OheGoogleHealthPoint *pt,
			      JsonObject *obj,
			      const gchar *member,
			      gboolean required,
			      JsonObject **value,
			      GError **error)
{
	JsonNode *node = ohe_google_health_member (obj, member);
	*value = NULL;
	if (node == NULL) {
		if (required)
			ohe_google_health_set_field_error (error, pt, member, "missing");
		return !required;
	}
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		ohe_google_health_set_field_error (error, pt, member, "not an object");
		return FALSE;
	}
	*value = json_node_get_object (node);
	return TRUE;
}

static gboolean
ohe_google_health_point_get_string (OheGoogleHealthPoint *pt,
				    JsonObject *obj,
				    const gchar *member,
				    gboolean required,
				    const gchar **value,
				    GError **error)
{
	JsonNode *node = ohe_google_health_member (obj, member);
	*value = NULL;
	if (node == NULL) {
		if (required)
			ohe_google_health_set_field_error (error, pt, member, "missing");
		return !required;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		ohe_google_health_set_field_error (error, pt, member, "not a string");
		return FALSE;
	}
	*value = json_node_get_string (node);
	return TRUE;
}

/* int64: the proto3 JSON string, or a JSON integer, which proto3 parsers accept too */
static gboolean
ohe_google_health_get_int64 (OheGoogleHealthPoint *pt,
			     JsonObject *obj,
			     const gchar *member,
			     gboolean required,
			     gboolean *present,
			     gint64 *value,
			     GError **error)
{
	JsonNode *node = ohe_google_health_member (obj, member);
	g_autofree gchar *field = NULL;
	*present = FALSE;
	if (node == NULL) {
		if (required)
			ohe_google_health_set_field_error (error, pt, member, "missing");
		return !required;
	}
	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64) {
		*value = json_node_get_int (node);
		*present = TRUE;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		ohe_google_health_set_field_error (error, pt, member, "not an int64 string");
		return FALSE;
	}
	field = ohe_google_health_field (pt, member);
	if (!ohe_google_health_parse_int64 (json_node_get_string (node), field, value, error))
		return FALSE;
	*present = TRUE;
	return TRUE;
}

/* a double as an exact decimal */
static gboolean
ohe_google_health_get_number (OheGoogleHealthPoint *pt,
			      JsonObject *obj,
			      const gchar *member,
			      gboolean required,
			      gboolean *present,
			      gint64 *mantissa,
			      gint *exponent,
			      GError **error)
{
	JsonNode *node = ohe_google_health_member (obj, member);
	gdouble value;
	*present = FALSE;
	if (node == NULL) {
		if (required)
			ohe_google_health_set_field_error (error, pt, member, "missing");
		return !required;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
					      json_node_get_value_type (node) != G_TYPE_INT64)) {
		ohe_google_health_set_field_error (error, pt, member, "not a number");
		return FALSE;
	}
	if (json_node_get_value_type (node) == G_TYPE_INT64) {
		*mantissa = json_node_get_int (node);
		*exponent = 0;
		*present = TRUE;
		return TRUE;
	}
	value = json_node_get_double (node);
	/* beyond 1e15 the shortest decimal may not fit the int64 mantissa */
	if (!isfinite (value) || fabs (value) > 1e15) {
		ohe_google_health_set_field_error (error, pt, member, "number out of range");
		return FALSE;
	}
	ohe_decimal_from_double (value, mantissa, exponent);
	*present = TRUE;
	return TRUE;
}

static gboolean
ohe_google_health_get_int32 (
    OheGoogleHealthPoint *pt, JsonObject *obj, const gchar *member, gint32 *value, GError **error)
{
	JsonNode *node = ohe_google_health_member (obj, member);
	gint64 v;
	if (node == NULL) {
		ohe_google_health_set_field_error (error, pt, member, "missing");
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64) {
		ohe_google_health_set_field_error (error, pt, member, "not an integer");
		return FALSE;
	}
	v = json_node_get_int (node);
	if (v < G_MININT32 || v > G_MAXINT32) {
		ohe_google_health_set_field_error (error, pt, member, "out of the int32 range");
		return FALSE;
	}
	*value = (gint32)v;
	return TRUE;
}

static gboolean
ohe_google_health_get_time (OheGoogleHealthPoint *pt,
			    JsonObject *obj,
			    const gchar *member,
			    gint64 *value_us,
			    GError **error)
{
	const gchar *text = NULL;
	g_autofree gchar *field = NULL;
	if (!ohe_google_health_point_get_string (pt, obj, member, TRUE, &text, error))
		return FALSE;
	field = ohe_google_health_field (pt, member);
	return ohe_google_health_parse_timestamp (text, field, value_us, error);
}

static gboolean
ohe_google_health_get_offset (OheGoogleHealthPoint *pt,
			      JsonObject *obj,
			      const gchar *member,
			      gint32 *offset_s,
			      GError **error)
{
	const gchar *text = NULL;
	g_autofree gchar *field = NULL;
	gint64 us = 0;

	/* historic ECGs carry no offset: civil time is UTC then */
	*offset_s = 0;
	if (!ohe_google_health_point_get_string (pt, obj, member, FALSE, &text, error))
		return FALSE;
	if (text == NULL)
		return TRUE;
	field = ohe_google_health_field (pt, member);
	if (!ohe_google_health_parse_duration (text, field, &us, error))
		return FALSE;
	if (us % G_USEC_PER_SEC != 0 ||
	    ABS (us / G_USEC_PER_SEC) > OHE_GOOGLE_HEALTH_MAX_OFFSET_S) {
		ohe_google_health_set_field_error (error, pt, member,
						   "not a UTC offset in whole seconds");
		return FALSE;
	}
	*offset_s = (gint32)(us / G_USEC_PER_SEC);
	return TRUE;
}

/* the time container of the data point */

static gboolean
ohe_google_health_read_sample_time (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	JsonObject *st = NULL;
	OheGoogleHealthPoint sub = *pt;
	g_autofree gchar *path = g_strdup_printf ("%s.sampleTime", pt->path);

	if (!ohe_google_health_get_object (pt, payload, "sampleTime", TRUE, &st, error))
		return FALSE;
	sub.path = path;
	if (!ohe_google_health_get_time (&sub, st, "physicalTime", &pt->start_us, error))
		return FALSE;
	if (!ohe_google_health_get_offset (&sub, st, "utcOffset", &pt->offset_s, error))
		return FALSE;
	pt->end_us = pt->start_us;
	return TRUE;
}

static gboolean
ohe_google_health_read_interval (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	JsonObject *iv = NULL;
	OheGoogleHealthPoint sub = *pt;
	g_autofree gchar *path = g_strdup_printf ("%s.interval", pt->path);

	if (!ohe_google_health_get_object (pt, payload, "interval", TRUE, &iv, error))
		return FALSE;
	sub.path = path;
	if (!ohe_google_health_get_time (&sub, iv, "startTime", &pt->start_us, error))
		return FALSE;
	if (!ohe_google_health_get_time (&sub, iv, "endTime", &pt->end_us, error))
		return FALSE;
	if (!ohe_google_health_get_offset (&sub, iv, "startUtcOffset", &pt->offset_s, error))
		return FALSE;
	if (pt->end_us < pt->start_us) {
		ohe_google_health_set_field_error (error, &sub, "endTime", "before startTime");
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_google_health_get_date_part (OheGoogleHealthPoint *pt,
				 JsonObject *date,
				 const gchar *member,
				 gint min,
				 gint max,
				 gint *value,
				 GError **error)
{
	gint32 v = 0;
	if (!ohe_google_health_get_int32 (pt, date, member, &v, error))
		return FALSE;
	if (v < min || v > max) {
		ohe_google_health_set_field_error (error, pt, member, "out of range");
		return FALSE;
	}
	*value = v;
	return TRUE;
}

/* a civil day is [00:00, 24:00) in the user's zone (docs/measurement-kinds.md) */
static gboolean
ohe_google_health_read_date (OheGoogleHealthPoint *pt,
			     JsonObject *payload,
			     GTimeZone *tz,
			     GError **error)
{
	JsonObject *date = NULL;
	OheGoogleHealthPoint sub = *pt;
	g_autofree gchar *path = g_strdup_printf ("%s.date", pt->path);
	g_autoptr(GDateTime) start = NULL;
	g_autoptr(GDateTime) end = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
	gint year = 0, month = 0, day = 0;

	if (!ohe_google_health_get_object (pt, payload, "date", TRUE, &date, error))
		return FALSE;
	sub.path = path;
	if (!ohe_google_health_get_date_part (&sub, date, "year", 1970, 9999, &year, error) ||
	    !ohe_google_health_get_date_part (&sub, date, "month", 1, 12, &month, error) ||
	    !ohe_google_health_get_date_part (&sub, date, "day", 1, 31, &day, error))
		return FALSE;
	if (!g_date_valid_dmy ((GDateDay)day, (GDateMonth)month, (GDateYear)year)) {
		ohe_google_health_set_field_error (error, &sub, "day", "not a day of the month");
		return FALSE;
	}
	start = g_date_time_new (tz != NULL ? tz : utc, year, month, day, 0, 0, 0);
	if (start == NULL) {
		ohe_google_health_set_field_error (error, &sub, "day", "not a valid date");
		return FALSE;
	}
	/* 1970-01-01 starts at or before the epoch in UTC and east of it */
	if (g_date_time_to_unix (start) <= 0) {
		ohe_google_health_set_field_error (error, &sub, "day", "not after 1970-01-01");
		return FALSE;
	}
	end = g_date_time_add_days (start, 1);
	pt->start_us = g_date_time_to_unix (start) * G_USEC_PER_SEC;
	pt->end_us = g_date_time_to_unix (end) * G_USEC_PER_SEC;
	pt->offset_s = (gint32)(g_date_time_get_utc_offset (start) / G_USEC_PER_SEC);
	return TRUE;
}

/* building measurements */

static OheMeasurement *
ohe_google_health_add (OheGoogleHealthPoint *pt,
		       OheMeasurementKind kind,
		       OheMeasurementOrigin origin)
{
	OheMeasurement *m = ohe_measurement_new (kind);
	ohe_measurement_set_origin (m, origin);
	ohe_measurement_set_time (m, pt->start_us, pt->end_us);
	ohe_measurement_set_utc_offset (m, pt->offset_s);
	ohe_measurement_set_provider (m, OHE_GOOGLE_HEALTH_PROVIDER);
	ohe_measurement_set_native_id (m, pt->native_id);
	if (pt->device != NULL)
		ohe_measurement_set_device_id (m, pt->device);
	if (pt->manual)
		ohe_measurement_set_manual (m, TRUE);
	g_ptr_array_add (pt->out, m);
	return m;
}

/* a lower-case qualifier from an enum string, e.g. SEDENTARY → sedentary */
static void
ohe_google_health_set_enum_qualifier (OheMeasurement *m,
				      JsonObject *obj,
				      const gchar *member,
				      const gchar *key)
{
	const gchar *value;
	g_autofree gchar *lower = NULL;
	if (obj == NULL)
		return;
	value = ohe_json_object_lookup_string (obj, member);
	if (value == NULL || value[0] == '\0' || strlen (value) > 64)
		return;
	lower = g_ascii_strdown (value, -1);
	ohe_measurement_set_qualifier (m, key, lower);
}

static gboolean
ohe_google_health_add_int (OheGoogleHealthPoint *pt,
			   JsonObject *payload,
			   const gchar *member,
			   OheMeasurementKind kind,
			   OheMeasurementOrigin origin,
			   gint exponent,
			   OheMeasurement **out,
			   GError **error)
{
	gboolean present = FALSE;
	gint64 value = 0;
	OheMeasurement *m;
	if (!ohe_google_health_get_int64 (pt, payload, member, TRUE, &present, &value, error))
		return FALSE;
	/* counts, rates and lengths: never below zero */
	if (value < 0) {
		ohe_google_health_set_field_error (error, pt, member, "negative");
		return FALSE;
	}
	m = ohe_google_health_add (pt, kind, origin);
	ohe_measurement_set_value_decimal (m, value, exponent);
	if (out != NULL)
		*out = m;
	return TRUE;
}

static gboolean
ohe_google_health_add_number (OheGoogleHealthPoint *pt,
			      JsonObject *payload,
			      const gchar *member,
			      gboolean required,
			      OheMeasurementKind kind,
			      OheMeasurementOrigin origin,
			      gint exponent_shift,
			      OheMeasurement **out,
			      GError **error)
{
	gboolean present = FALSE;
	gint64 mantissa = 0;
	gint exponent = 0;
	OheMeasurement *m;
	if (out != NULL)
		*out = NULL;
	if (!ohe_google_health_get_number (pt, payload, member, required, &present, &mantissa,
					   &exponent, error))
		return FALSE;
	if (!present)
		return TRUE;
	m = ohe_google_health_add (pt, kind, origin);
	ohe_measurement_set_value_decimal (m, mantissa, exponent + exponent_shift);
	if (out != NULL)
		*out = m;
	return TRUE;
}

static gboolean
ohe_google_health_set_stat (OheGoogleHealthPoint *pt,
			    JsonObject *payload,
			    const gchar *member,
			    gboolean required,
			    OheMeasurement *m,
			    OheStatistic statistic,
			    GError **error)
{
	gboolean present = FALSE;
	gint64 mantissa = 0;
	gint exponent = 0;
	if (!ohe_google_health_get_number (pt, payload, member, required, &present, &mantissa,
					   &exponent, error))
		return FALSE;
	if (present)
		ohe_measurement_set_statistic (m, statistic,
					       ohe_decimal_to_double (mantissa, exponent));
	return TRUE;
}

/* one function per data type: payload → measurements */

typedef gboolean (*OheGoogleHealthPayloadFunc) (OheGoogleHealthPoint *pt,
						JsonObject *payload,
						GError **error);

static gboolean
ohe_google_health_parse_heart_rate (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	OheMeasurement *m = NULL;
	JsonObject *metadata = NULL;
	if (!ohe_google_health_get_object (pt, payload, "metadata", FALSE, &metadata, error))
		return FALSE;
	if (!ohe_google_health_add_int (pt, payload, "beatsPerMinute",
					OHE_MEASUREMENT_KIND_HEART_RATE,
					OHE_MEASUREMENT_ORIGIN_STREAM, 0, &m, error))
		return FALSE;
	ohe_google_health_set_enum_qualifier (m, metadata, "motionContext",
					      OHE_QUALIFIER_MOTION_CONTEXT);
	ohe_google_health_set_enum_qualifier (m, metadata, "sensorLocation",
					      OHE_QUALIFIER_SENSOR_LOCATION);
	return TRUE;
}

static gboolean
ohe_google_health_parse_resting_heart_rate (OheGoogleHealthPoint *pt,
					    JsonObject *payload,
					    GError **error)
{
	OheMeasurement *m = NULL;
	JsonObject *metadata = NULL;
	if (!ohe_google_health_get_object (pt, payload, "dailyRestingHeartRateMetadata", FALSE,
					   &metadata, error))
		return FALSE;
	if (!ohe_google_health_add_int (pt, payload, "beatsPerMinute",
					OHE_MEASUREMENT_KIND_RESTING_HEART_RATE,
					OHE_MEASUREMENT_ORIGIN_SUMMARY, 0, &m, error))
		return FALSE;
	ohe_google_health_set_enum_qualifier (m, metadata, "calculationMethod",
					      OHE_QUALIFIER_CALCULATION_METHOD);
	return TRUE;
}

static gboolean
ohe_google_health_parse_hrv (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	guint before = pt->out->len;
	if (!ohe_google_health_add_number (
		pt, payload, "rootMeanSquareOfSuccessiveDifferencesMilliseconds", FALSE,
		OHE_MEASUREMENT_KIND_HRV_RMSSD, OHE_MEASUREMENT_ORIGIN_STREAM, 0, NULL, error))
		return FALSE;
	if (!ohe_google_health_add_number (pt, payload, "standardDeviationMilliseconds", FALSE,
					   OHE_MEASUREMENT_KIND_HRV_SDNN,
					   OHE_MEASUREMENT_ORIGIN_STREAM, 0, NULL, error))
		return FALSE;
	if (pt->out->len == before) {
		ohe_google_health_set_field_error (
		    error, pt, "rootMeanSquareOfSuccessiveDifferencesMilliseconds",
		    "missing, and so is standardDeviationMilliseconds");
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_google_health_parse_daily_hrv (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	OheMeasurement *m = NULL;
	/* only the average is a kind; a point with only the other values yields nothing */
	if (!ohe_google_health_add_number (pt, payload, "averageHeartRateVariabilityMilliseconds",
					   FALSE, OHE_MEASUREMENT_KIND_HRV_RMSSD,
					   OHE_MEASUREMENT_ORIGIN_SUMMARY, 0, &m, error))
		return FALSE;
	if (m != NULL)
		ohe_measurement_set_statistic (m, OHE_STATISTIC_MEAN,
					       ohe_measurement_get_value (m));
	return TRUE;
}

static gboolean
ohe_google_health_parse_spo2 (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	return ohe_google_health_add_number (pt, payload, "percentage", TRUE,
					     OHE_MEASUREMENT_KIND_SPO2,
					     OHE_MEASUREMENT_ORIGIN_STREAM, 0, NULL, error);
}

static gboolean
ohe_google_health_parse_daily_spo2 (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	OheMeasurement *m = NULL;
	if (!ohe_google_health_add_number (pt, payload, "averagePercentage", TRUE,
					   OHE_MEASUREMENT_KIND_SPO2,
					   OHE_MEASUREMENT_ORIGIN_SUMMARY, 0, &m, error))
		return FALSE;
	ohe_measurement_set_statistic (m, OHE_STATISTIC_MEAN, ohe_measurement_get_value (m));
	/* what the bounds mean is undocumented; §6 maps them to minimum and maximum */
	return ohe_google_health_set_stat (pt, payload, "lowerBoundPercentage", TRUE, m,
					   OHE_STATISTIC_MINIMUM, error) &&
	       ohe_google_health_set_stat (pt, payload, "upperBoundPercentage", TRUE, m,
					   OHE_STATISTIC_MAXIMUM, error) &&
	       ohe_google_health_set_stat (pt, payload, "standardDeviationPercentage", FALSE, m,
					   OHE_STATISTIC_STD_DEV, error);
}

static gboolean
ohe_google_health_parse_daily_respiratory_rate (OheGoogleHealthPoint *pt,
						JsonObject *payload,
						GError **error)
{
	return ohe_google_health_add_number (pt, payload, "breathsPerMinute", TRUE,
					     OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
					     OHE_MEASUREMENT_ORIGIN_SUMMARY, 0, NULL, error);
}

static gboolean
ohe_google_health_parse_respiratory_rate_sleep (OheGoogleHealthPoint *pt,
						JsonObject *payload,
						GError **error)
{
	JsonObject *full = NULL;
	OheGoogleHealthPoint sub = *pt;
	g_autofree gchar *path = g_strdup_printf ("%s.fullSleepStats", pt->path);
	OheMeasurement *m = NULL;

	if (!ohe_google_health_get_object (pt, payload, "fullSleepStats", TRUE, &full, error))
		return FALSE;
	sub.path = path;
	if (!ohe_google_health_add_number (&sub, full, "breathsPerMinute", TRUE,
					   OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
					   OHE_MEASUREMENT_ORIGIN_SUMMARY, 0, &m, error))
		return FALSE;
	ohe_measurement_set_qualifier (m, OHE_QUALIFIER_SLEEP_PHASE,
				       OHE_QUALIFIER_SLEEP_PHASE_VALUE_FULL);
	return ohe_google_health_set_stat (&sub, full, "standardDeviation", FALSE, m,
					   OHE_STATISTIC_STD_DEV, error);
}

static gboolean
ohe_google_health_parse_weight (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	/* g → kg exactly: the decimal exponent moves by three */
	return ohe_google_health_add_number (pt, payload, "weightGrams", TRUE,
					     OHE_MEASUREMENT_KIND_BODY_WEIGHT,
					     OHE_MEASUREMENT_ORIGIN_SPOT, -3, NULL, error);
}

static gboolean
ohe_google_health_parse_body_fat (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	return ohe_google_health_add_number (pt, payload, "percentage", TRUE,
					     OHE_MEASUREMENT_KIND_BODY_FAT_RATIO,
					     OHE_MEASUREMENT_ORIGIN_SPOT, 0, NULL, error);
}

static gboolean
ohe_google_health_parse_height (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	/* mm → cm */
	return ohe_google_health_add_int (pt, payload, "heightMillimeters",
					  OHE_MEASUREMENT_KIND_BODY_HEIGHT,
					  OHE_MEASUREMENT_ORIGIN_SPOT, -1, NULL, error);
}

static gboolean
ohe_google_health_parse_core_temperature (OheGoogleHealthPoint *pt,
					  JsonObject *payload,
					  GError **error)
{
	OheMeasurement *m = NULL;
	if (!ohe_google_health_add_number (pt, payload, "temperatureCelsius", TRUE,
					   OHE_MEASUREMENT_KIND_BODY_TEMPERATURE,
					   OHE_MEASUREMENT_ORIGIN_SPOT, 0, &m, error))
		return FALSE;
	ohe_google_health_set_enum_qualifier (m, payload, "measurementLocation",
					      OHE_QUALIFIER_SITE);
	return TRUE;
}

static gboolean
ohe_google_health_parse_sleep_temperature (OheGoogleHealthPoint *pt,
					   JsonObject *payload,
					   GError **error)
{
	return ohe_google_health_add_number (pt, payload, "nightlyTemperatureCelsius", TRUE,
					     OHE_MEASUREMENT_KIND_SKIN_TEMPERATURE,
					     OHE_MEASUREMENT_ORIGIN_SUMMARY, 0, NULL, error);
}

static gboolean
ohe_google_health_parse_steps (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	return ohe_google_health_add_int (pt, payload, "count", OHE_MEASUREMENT_KIND_STEPS,
					  OHE_MEASUREMENT_ORIGIN_STREAM, 0, NULL, error);
}

/* resultClassification → the contract's classification code and heart-rate band */
typedef struct {
	const gchar *raw;
	const gchar *code;
	const gchar *band;
} OheGoogleHealthRhythm;

static const OheGoogleHealthRhythm ohe_google_health_rhythms[] = {
    {"NORMAL_SINUS_RHYTHM", OHE_CLASSIFICATION_NEGATIVE, NULL},
    {"ATRIAL_FIBRILLATION", OHE_CLASSIFICATION_POSITIVE, NULL},
    {"INCONCLUSIVE", OHE_CLASSIFICATION_INCONCLUSIVE, NULL},
    {"INCONCLUSIVE_HIGH_HEART_RATE", OHE_CLASSIFICATION_INCONCLUSIVE,
     OHE_QUALIFIER_HEART_RATE_BAND_VALUE_HIGH},
    {"INCONCLUSIVE_LOW_HEART_RATE", OHE_CLASSIFICATION_INCONCLUSIVE,
     OHE_QUALIFIER_HEART_RATE_BAND_VALUE_LOW},
    {"UNREADABLE", OHE_CLASSIFICATION_UNREADABLE, NULL},
    {"NOT_ANALYZED", OHE_CLASSIFICATION_NOT_ANALYZED, NULL},
};

/* leadNumber → the contract's series name (ohe-series-name.h); 0 or unknown: unnamed */
static const gchar *const ohe_google_health_leads[] = {
    NULL, OHE_SERIES_NAME_LEAD_I, OHE_SERIES_NAME_LEAD_II, OHE_SERIES_NAME_LEAD_III};

static void
ohe_google_health_add_device_info (OheMeasurement *m, JsonObject *payload)
{
	static const gchar *const members[][2] = {
	    {"deviceModel", OHE_QUALIFIER_DEVICE_MODEL},
	    {"firmwareVersion", OHE_QUALIFIER_FIRMWARE_VERSION},
	    {"featureVersion", OHE_QUALIFIER_FEATURE_VERSION},
	    {"algorithmVersion", OHE_QUALIFIER_ALGORITHM_VERSION},
	};
	JsonNode *node = ohe_google_health_member (payload, "medicalDeviceInfo");
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
		return;
	for (guint i = 0; i < G_N_ELEMENTS (members); i++) {
		const gchar *value =
		    ohe_json_object_lookup_string (json_node_get_object (node), members[i][0]);
		if (value != NULL && strlen (value) <= 128)
			ohe_measurement_set_qualifier (m, members[i][1], value);
	}
}

static gboolean
ohe_google_health_read_waveform (OheGoogleHealthPoint *pt,
				 JsonObject *payload,
				 OheSeries *series,
				 GError **error)
{
	JsonNode *node = ohe_google_health_member (payload, "waveformSamples");
	JsonArray *array;
	guint n;
	g_autofree gint32 *samples = NULL;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)) {
		ohe_google_health_set_field_error (error, pt, "waveformSamples",
						   node == NULL ? "missing" : "not an array");
		return FALSE;
	}
	array = json_node_get_array (node);
	n = json_array_get_length (array);
	if (n == 0 || n > OHE_GOOGLE_HEALTH_MAX_ECG_SAMPLES) {
		ohe_google_health_set_field_error (error, pt, "waveformSamples",
						   "empty or too long");
		return FALSE;
	}
	samples = g_new (gint32, n);
	for (guint i = 0; i < n; i++) {
		JsonNode *el = json_array_get_element (array, i);
		gint64 v;
		if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_INT64 ||
		    (v = json_node_get_int (el)) < G_MININT32 || v > G_MAXINT32) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s %s.waveformSamples[%u]: not an int32", pt->type->id,
				     pt->path, i);
			return FALSE;
		}
		samples[i] = (gint32)v;
	}
	ohe_series_append_samples (series, samples, n);
	return TRUE;
}

static gboolean
ohe_google_health_parse_ecg (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	g_autoptr(OheSeries) series = NULL;
	g_autofree gchar *fs_text = NULL;
	g_autofree gchar *hr_id = NULL;
	g_autofree gchar *afib_id = NULL;
	const gchar *classification = NULL;
	const gchar *lead;
	gint32 lead_number = 0, fs = 0, scale = 0;
	gboolean present = FALSE;
	gint64 bpm = 0;
	OheMeasurement *ecg;
	gchar *parent_id = pt->native_id;

	if (!ohe_google_health_get_int32 (pt, payload, "leadNumber", &lead_number, error) ||
	    !ohe_google_health_get_int32 (pt, payload, "samplingFrequencyHertz", &fs, error) ||
	    !ohe_google_health_get_int32 (pt, payload, "millivoltsScalingFactor", &scale, error) ||
	    !ohe_google_health_point_get_string (pt, payload, "resultClassification", FALSE,
						 &classification, error) ||
	    !ohe_google_health_get_int64 (pt, payload, "beatsPerMinuteAvg", FALSE, &present, &bpm,
					  error))
		return FALSE;
	if (fs <= 0 || fs > OHE_PLAUSIBLE_SAMPLE_RATE_MAX_HZ) {
		ohe_google_health_set_field_error (error, pt, "samplingFrequencyHertz",
						   "out of range");
		return FALSE;
	}
	if (scale <= 0) {
		ohe_google_health_set_field_error (error, pt, "millivoltsScalingFactor",
						   "not positive");
		return FALSE;
	}
	lead = lead_number > 0 && (guint)lead_number < G_N_ELEMENTS (ohe_google_health_leads)
		   ? ohe_google_health_leads[lead_number]
		   : NULL;
	series = ohe_series_new_with_interval (lead, 1000.0 / fs);
	ohe_series_set_factor (series, 1.0 / scale);
	if (!ohe_google_health_read_waveform (pt, payload, series, error))
		return FALSE;

	/* interval start == end at the reading time: the recording lasts n / fs */
	pt->end_us =
	    pt->start_us + (gint64)ohe_series_get_n_samples (series) * G_USEC_PER_SEC / (gint64)fs;
	ecg = ohe_google_health_add (pt, OHE_MEASUREMENT_KIND_ECG, OHE_MEASUREMENT_ORIGIN_SPOT);
	ohe_measurement_add_series (ecg, series);
	fs_text = g_strdup_printf ("%d", fs);
	ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_SAMPLING_FREQUENCY, fs_text);
	ohe_google_health_add_device_info (ecg, payload);

	if (present) {
		OheMeasurement *hr;
		hr_id = g_strdup_printf ("%s/heart-rate", parent_id);
		pt->native_id = hr_id;
		hr = ohe_google_health_add (pt, OHE_MEASUREMENT_KIND_HEART_RATE,
					    OHE_MEASUREMENT_ORIGIN_SPOT);
		ohe_measurement_set_value_decimal (hr, bpm, 0);
		ohe_measurement_set_parent (hr, OHE_MEASUREMENT_KIND_ECG, parent_id);
	}
	if (classification != NULL) {
		const OheGoogleHealthRhythm *rhythm = NULL;
		const gchar *code;
		OheMeasurement *afib;
		for (guint i = 0; i < G_N_ELEMENTS (ohe_google_health_rhythms); i++) {
			if (g_strcmp0 (ohe_google_health_rhythms[i].raw, classification) == 0)
				rhythm = &ohe_google_health_rhythms[i];
		}
		afib_id = g_strdup_printf ("%s/afib", parent_id);
		pt->native_id = afib_id;
		afib = ohe_google_health_add (pt, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION,
					      OHE_MEASUREMENT_ORIGIN_SPOT);
		/* an unknown future value is kept as text under `other` rather than dropped */
		code = rhythm != NULL ? rhythm->code : OHE_CLASSIFICATION_OTHER;
		ohe_measurement_set_classification (afib, code, classification);
		/* the recording's own result too, for its report's conclusion */
		ohe_measurement_set_classification (ecg, code, classification);
		ohe_measurement_set_qualifier (afib, OHE_QUALIFIER_METHOD,
					       OHE_QUALIFIER_METHOD_VALUE_ECG);
		if (rhythm != NULL && rhythm->band != NULL)
			ohe_measurement_set_qualifier (afib, OHE_QUALIFIER_HEART_RATE_BAND,
						       rhythm->band);
		ohe_measurement_set_parent (afib, OHE_MEASUREMENT_KIND_ECG, parent_id);
	}
	pt->native_id = parent_id;
	return TRUE;
}

static gboolean
ohe_google_health_parse_irn (OheGoogleHealthPoint *pt, JsonObject *payload, GError **error)
{
	JsonNode *node = ohe_google_health_member (payload, "alertWindows");
	JsonArray *windows;
	gchar *parent_id = pt->native_id;

	if (node == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_ARRAY (node)) {
		ohe_google_health_set_field_error (error, pt, "alertWindows", "not an array");
		return FALSE;
	}
	windows = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (windows); i++) {
		JsonNode *el = json_array_get_element (windows, i);
		g_autofree gchar *path = g_strdup_printf ("%s.alertWindows[%u]", pt->path, i);
		g_autofree gchar *id = g_strdup_printf ("%s/%u", parent_id, i);
		OheGoogleHealthPoint sub = *pt;
		JsonObject *window;
		JsonNode *positive;
		OheMeasurement *m;

		sub.path = path;
		if (!JSON_NODE_HOLDS_OBJECT (el)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s %s: not an object", pt->type->id, path);
			return FALSE;
		}
		window = json_node_get_object (el);
		positive = ohe_google_health_member (window, "positive");
		if (positive != NULL && (!JSON_NODE_HOLDS_VALUE (positive) ||
					 json_node_get_value_type (positive) != G_TYPE_BOOLEAN)) {
			ohe_google_health_set_field_error (error, &sub, "positive",
							   "not a boolean");
			return FALSE;
		}
		/* [D] only a positive window says something */
		if (positive == NULL || !json_node_get_boolean (positive))
			continue;
		if (!ohe_google_health_get_time (&sub, window, "startTime", &sub.start_us, error) ||
		    !ohe_google_health_get_time (&sub, window, "endTime", &sub.end_us, error) ||
		    !ohe_google_health_get_offset (&sub, window, "startUtcOffset", &sub.offset_s,
						   error))
			return FALSE;
		if (sub.end_us < sub.start_us) {
			ohe_google_health_set_field_error (error, &sub, "endTime",
							   "before startTime");
			return FALSE;
		}
		sub.native_id = id;
		m = ohe_google_health_add (&sub, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION,
					   OHE_MEASUREMENT_ORIGIN_SPOT);
		ohe_measurement_set_classification (m, OHE_CLASSIFICATION_POSITIVE, "positive");
		ohe_measurement_set_qualifier (m, OHE_QUALIFIER_METHOD,
					       OHE_QUALIFIER_METHOD_VALUE_PPG);
	}
	return TRUE;
}

typedef struct {
	const gchar *id;
	OheGoogleHealthPayloadFunc func;
} OheGoogleHealthPayloadParser;

static const OheGoogleHealthPayloadParser ohe_google_health_payload_parsers[] = {
    {"heart-rate", ohe_google_health_parse_heart_rate},
    {"daily-resting-heart-rate", ohe_google_health_parse_resting_heart_rate},
    {"heart-rate-variability", ohe_google_health_parse_hrv},
    {"daily-heart-rate-variability", ohe_google_health_parse_daily_hrv},
    {"oxygen-saturation", ohe_google_health_parse_spo2},
    {"daily-oxygen-saturation", ohe_google_health_parse_daily_spo2},
    {"daily-respiratory-rate", ohe_google_health_parse_daily_respiratory_rate},
    {"respiratory-rate-sleep-summary", ohe_google_health_parse_respiratory_rate_sleep},
    {"electrocardiogram", ohe_google_health_parse_ecg},
    {"irregular-rhythm-notification", ohe_google_health_parse_irn},
    {"weight", ohe_google_health_parse_weight},
    {"body-fat", ohe_google_health_parse_body_fat},
    {"height", ohe_google_health_parse_height},
    {"core-body-temperature", ohe_google_health_parse_core_temperature},
    {"daily-sleep-temperature-derivations", ohe_google_health_parse_sleep_temperature},
    {"steps", ohe_google_health_parse_steps},
};

static OheGoogleHealthPayloadFunc
ohe_google_health_payload_func (const OheGoogleHealthDataType *type)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_google_health_payload_parsers); i++) {
		if (g_strcmp0 (ohe_google_health_payload_parsers[i].id, type->id) == 0)
			return ohe_google_health_payload_parsers[i].func;
	}
	return NULL;
}

/* most types have no name, so the native id is a hash of what identifies the point */
static gchar *
ohe_google_health_native_id (const OheGoogleHealthDataType *type,
			     JsonObject *point,
			     gint64 start_us,
			     gint64 end_us,
			     const gchar *device)
{
	const gchar *name = ohe_json_object_lookup_string (point, "name");
	g_autofree gchar *key = NULL;
	g_autofree gchar *sum = NULL;
	if (name != NULL && name[0] != '\0' && strlen (name) <= 256)
		return g_strdup (name);
	key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%s", type->id,
			       start_us, end_us, device != NULL ? device : "");
	sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
	return g_strdup_printf ("%s/%.32s", type->id, sum);
}

static gboolean
ohe_google_health_parse_point (const OheGoogleHealthDataType *type,
			       OheGoogleHealthPayloadFunc func,
			       JsonObject *point,
			       guint idx,
			       GTimeZone *tz,
			       GPtrArray *out,
			       GError **error)
{
	g_autofree gchar *path = g_strdup_printf ("dataPoints[%u]", idx);
	g_autofree gchar *payload_path = g_strdup_printf ("%s.%s", path, type->field);
	OheGoogleHealthPoint pt = {type, path, 0, 0, 0, NULL, FALSE, NULL, out};
	JsonObject *source = NULL;
	JsonObject *payload = NULL;
	guint before = out->len;
	gboolean ok;

	if (!ohe_google_health_get_object (&pt, point, "dataSource", FALSE, &source, error) ||
	    !ohe_google_health_get_object (&pt, point, type->field, TRUE, &payload, error))
		return FALSE;
	if (source != NULL) {
		JsonNode *device = ohe_google_health_member (source, "device");
		const gchar *method = ohe_json_object_lookup_string (source, "recordingMethod");
		if (device != NULL && JSON_NODE_HOLDS_OBJECT (device))
			pt.device = ohe_json_object_lookup_string (json_node_get_object (device),
								   "displayName");
		if (pt.device != NULL && (pt.device[0] == '\0' || strlen (pt.device) > 128))
			pt.device = NULL;
		pt.manual = g_strcmp0 (method, "MANUAL") == 0;
	}
	pt.path = payload_path;
	switch (type->record) {
	case OHE_GOOGLE_HEALTH_RECORD_SAMPLE:
		ok = ohe_google_health_read_sample_time (&pt, payload, error);
		break;
	case OHE_GOOGLE_HEALTH_RECORD_DAILY:
		ok = ohe_google_health_read_date (&pt, payload, tz, error);
		break;
	case OHE_GOOGLE_HEALTH_RECORD_INTERVAL:
	case OHE_GOOGLE_HEALTH_RECORD_SESSION:
	default:
		ok = ohe_google_health_read_interval (&pt, payload, error);
		break;
	}
	if (!ok)
		return FALSE;
	pt.native_id = ohe_google_health_native_id (type, point, pt.start_us, pt.end_us, pt.device);
	ok = func (&pt, payload, error);
	g_free (pt.native_id);
	if (!ok) {
		/* a point is taken whole or not at all */
		g_ptr_array_remove_range (out, before, out->len - before);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_google_health_parse_data_points:
 * @type: the data type that was listed
 * @root: the body of a `dataPoints` list response
 * @tz: (nullable): the user's zone for daily types; UTC if %NULL
 * @next_page_token: (out) (optional) (nullable): the token of the next page
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheMeasurement): the
 *   measurements in response order, or %NULL with @error set
 */
GPtrArray *
ohe_google_health_parse_data_points (const OheGoogleHealthDataType *type,
				     JsonNode *root,
				     GTimeZone *tz,
				     gchar **next_page_token,
				     GError **error)
{
	OheGoogleHealthPayloadFunc func = ohe_google_health_payload_func (type);
	g_autoptr(GPtrArray) out =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	JsonObject *obj;
	JsonNode *points;
	JsonNode *token;

	g_return_val_if_fail (type != NULL, NULL);
	if (func == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "data type %s has no parser", type->id);
		return NULL;
	}
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s list: not a JSON object",
			     type->id);
		return NULL;
	}
	obj = json_node_get_object (root);
	token = ohe_google_health_member (obj, "nextPageToken");
	if (token != NULL &&
	    (!JSON_NODE_HOLDS_VALUE (token) || json_node_get_value_type (token) != G_TYPE_STRING)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s list: nextPageToken is not a string", type->id);
		return NULL;
	}
	points = ohe_google_health_member (obj, "dataPoints");
	if (points != NULL && !JSON_NODE_HOLDS_ARRAY (points)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s list: dataPoints is not an array", type->id);
		return NULL;
	}
	for (guint i = 0;
	     points != NULL && i < json_array_get_length (json_node_get_array (points)); i++) {
		JsonNode *point = json_array_get_element (json_node_get_array (points), i);
		if (!JSON_NODE_HOLDS_OBJECT (point)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s dataPoints[%u]: not an object", type->id, i);
			return NULL;
		}
		if (!ohe_google_health_parse_point (type, func, json_node_get_object (point), i, tz,
						    out, error))
			return NULL;
	}
	if (next_page_token != NULL) {
		const gchar *text = token != NULL ? json_node_get_string (token) : NULL;
		*next_page_token = text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
	}
	return g_steal_pointer (&out);
}

/* a user id of the API: 1–63 characters of [A-Za-z0-9-] */
static gboolean
ohe_google_health_user_id_is_valid (const gchar *id)
{
	gsize len = 0;
	for (const gchar *p = id; *p != '\0'; p++, len++) {
		if (!g_ascii_isalnum (*p) && *p != '-')
			return FALSE;
	}
	return len >= 1 && len <= 63;
}

/**
 * ohe_google_health_parse_identity:
 * @root: the body of `users/me/identity`
 * @health_user_id: (out): the Google Health user id
 * @legacy_user_id: (out) (optional) (nullable): the old Fitbit user id, if any
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_google_health_parse_identity (JsonNode *root,
				  gchar **health_user_id,
				  gchar **legacy_user_id,
				  GError **error)
{
	JsonObject *obj;
	const gchar *id;
	const gchar *legacy;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "identity: not a JSON object");
		return FALSE;
	}
	obj = json_node_get_object (root);
	id = ohe_json_object_lookup_string (obj, "healthUserId");
	if (id == NULL || !ohe_google_health_user_id_is_valid (id)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "identity.healthUserId: missing or not 1-63 of [A-Za-z0-9-]");
		return FALSE;
	}
	legacy = ohe_json_object_lookup_string (obj, "legacyUserId");
	if (legacy != NULL && !ohe_google_health_user_id_is_valid (legacy)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "identity.legacyUserId: not 1-63 of [A-Za-z0-9-]");
		return FALSE;
	}
	*health_user_id = g_strdup (id);
	if (legacy_user_id != NULL)
		*legacy_user_id = g_strdup (legacy);
	return TRUE;
}

/**
 * ohe_google_health_parse_settings:
 * @root: the body of `users/me/settings`
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the user's zone from `timeZone`
 */
GTimeZone *
ohe_google_health_parse_settings (JsonNode *root, GError **error)
{
	const gchar *name = NULL;

	if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
		name = ohe_json_object_lookup_string (json_node_get_object (root), "timeZone");
	/* only a name shaped as an IANA name reaches the tzdata lookup */
	return ohe_time_zone_new_from_name (name, "settings.timeZone", error);
}

/**
 * ohe_google_health_parse_paired_devices:
 * @root: the body of `users/me/pairedDevices`
 * @next_page_token: (out) (optional) (nullable): the token of the next page
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheGoogleHealthDevice): the devices
 */
GPtrArray *
ohe_google_health_parse_paired_devices (JsonNode *root, gchar **next_page_token, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (
	    (GDestroyNotify)ohe_google_health_device_free);
	JsonObject *obj;
	JsonNode *list;
	const gchar *token;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "pairedDevices: not a JSON object");
		return NULL;
	}
	obj = json_node_get_object (root);
	list = ohe_google_health_member (obj, "pairedDevices");
	if (list != NULL && !JSON_NODE_HOLDS_ARRAY (list)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "pairedDevices: not an array");
		return NULL;
	}
	for (guint i = 0; list != NULL && i < json_array_get_length (json_node_get_array (list));
	     i++) {
		JsonNode *el = json_array_get_element (json_node_get_array (list), i);
		g_autoptr(OheGoogleHealthDevice) device = g_new0 (OheGoogleHealthDevice, 1);
		JsonObject *d;
		JsonNode *battery;
		const gchar *name, *slash, *sync;

		if (!JSON_NODE_HOLDS_OBJECT (el)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "pairedDevices[%u]: not an object", i);
			return NULL;
		}
		d = json_node_get_object (el);
		name = ohe_json_object_lookup_string (d, "name");
		slash = name != NULL ? strrchr (name, '/') : NULL;
		if (slash == NULL || slash[1] == '\0' || strlen (slash) > 64) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "pairedDevices[%u].name: not users/{user}/pairedDevices/{id}",
				     i);
			return NULL;
		}
		device->id = g_strdup (slash + 1);
		device->device_type = g_strdup (ohe_json_object_lookup_string (d, "deviceType"));
		device->version = g_strdup (ohe_json_object_lookup_string (d, "deviceVersion"));
		device->battery_level = -1;
		battery = ohe_google_health_member (d, "batteryLevel");
		if (battery != NULL && JSON_NODE_HOLDS_VALUE (battery) &&
		    json_node_get_value_type (battery) == G_TYPE_INT64 &&
		    json_node_get_int (battery) >= 0 && json_node_get_int (battery) <= 100)
			device->battery_level = (gint)json_node_get_int (battery);
		sync = ohe_json_object_lookup_string (d, "lastSyncTime");
		if (sync != NULL) {
			g_autofree gchar *field =
			    g_strdup_printf ("pairedDevices[%u].lastSyncTime", i);
			if (!ohe_google_health_parse_timestamp (sync, field, &device->last_sync_us,
								error))
				return NULL;
		}
		g_ptr_array_add (out, g_steal_pointer (&device));
	}
	token = ohe_json_object_lookup_string (obj, "nextPageToken");
	if (next_page_token != NULL)
		*next_page_token = token != NULL && token[0] != '\0' ? g_strdup (token) : NULL;
	return g_steal_pointer (&out);
}

/**
 * ohe_google_health_parse_error:
 * @root: (nullable): the body of an error response
 * @status: (out) (optional) (nullable): `error.status`, e.g. `RESOURCE_EXHAUSTED`
 * @reason: (out) (optional) (nullable): the first `ErrorInfo.reason`
 *
 * Reads the Google error envelope. Only the canonical status and the reason
 * are taken: both are short upper-case words, safe to put in a message; the
 * free-text message is not.
 *
 * Returns: %TRUE if @root is an error envelope
 */
gboolean
ohe_google_health_parse_error (JsonNode *root, gchar **status, gchar **reason)
{
	JsonNode *err;
	JsonNode *details;
	const gchar *st;
	const gchar *rs = NULL;

	if (status != NULL)
		*status = NULL;
	if (reason != NULL)
		*reason = NULL;
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return FALSE;
	err = ohe_google_health_member (json_node_get_object (root), "error");
	if (err == NULL || !JSON_NODE_HOLDS_OBJECT (err))
		return FALSE;
	st = ohe_json_object_lookup_string (json_node_get_object (err), "status");
	details = ohe_google_health_member (json_node_get_object (err), "details");
	for (guint i = 0; details != NULL && JSON_NODE_HOLDS_ARRAY (details) &&
			  i < json_array_get_length (json_node_get_array (details)) && rs == NULL;
	     i++) {
		JsonNode *el = json_array_get_element (json_node_get_array (details), i);
		if (JSON_NODE_HOLDS_OBJECT (el))
			rs = ohe_json_object_lookup_string (json_node_get_object (el), "reason");
	}
	if (status != NULL && st != NULL && strlen (st) <= 64 &&
	    strspn (st, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == strlen (st))
		*status = g_strdup (st);
	if (reason != NULL && rs != NULL && strlen (rs) <= 64 &&
	    strspn (rs, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == strlen (rs))
		*reason = g_strdup (rs);
	return TRUE;
}
