/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ohe-withings-parser.h"
#include "ohe-withings-tables.h"

/*
 * Parsers of the Withings answers (https://developer.withings.com/api-reference/)
 * into OheMeasurement. Everything here is outside input: every member is
 * type-checked, and an error names the member and where it was found.
 */

/* epoch seconds outside this range are not measurement times (and would overflow µs) */
#define OHE_WITHINGS_EPOCH_MAX (OHE_PLAUSIBLE_TIME_MAX_S - 1) /* 2099-12-31T23:59:59Z */

/* getmeas unit exponents beyond this are garbage, not scales */
#define OHE_WITHINGS_UNIT_MAX 18

/* an ECG longer than this many samples is not a recording we know */
#define OHE_WITHINGS_SIGNAL_MAX 1000000

void
ohe_withings_page_free (OheWithingsPage *page)
{
	if (page == NULL)
		return;
	g_ptr_array_unref (page->measurements);
	g_free (page->timezone);
	g_free (page);
}

void
ohe_withings_ecg_record_free (OheWithingsEcgRecord *record)
{
	if (record == NULL)
		return;
	g_free (record->deviceid);
	g_free (record);
}

void
ohe_withings_device_free (OheWithingsDevice *device)
{
	if (device == NULL)
		return;
	g_free (device->deviceid);
	g_free (device->model);
	g_free (device->type);
	g_free (device->timezone);
	g_free (device);
}

static OheWithingsPage *
ohe_withings_page_new (void)
{
	OheWithingsPage *page = g_new0 (OheWithingsPage, 1);
	page->measurements = g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	return page;
}

/* reads an integer member; integral doubles pass, strings only if @allow_string */
static gboolean
ohe_withings_json_int (JsonObject *obj,
		       const gchar *member,
		       const gchar *where,
		       gboolean required,
		       gboolean allow_string,
		       gint64 *out,
		       GError **error)
{
	JsonNode *node = json_object_get_member (obj, member);
	GType type;

	if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
		if (!required)
			return TRUE;
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s has no '%s'", where,
			     member);
		return FALSE;
	}
	type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
	if (type == G_TYPE_INT64) {
		*out = json_node_get_int (node);
		return TRUE;
	}
	if (type == G_TYPE_DOUBLE) {
		gdouble d = json_node_get_double (node);
		if (isfinite (d) && d == floor (d) && fabs (d) < 9007199254740992.0) {
			*out = (gint64)d;
			return TRUE;
		}
	}
	if (type == G_TYPE_STRING && allow_string &&
	    g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, out,
				      NULL))
		return TRUE;
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s member '%s' is not an integer",
		     where, member);
	return FALSE;
}

static gboolean
ohe_withings_json_epoch (JsonObject *obj,
			 const gchar *member,
			 const gchar *where,
			 gboolean required,
			 gint64 *out,
			 GError **error)
{
	gint64 value = -1;
	if (!ohe_withings_json_int (obj, member, where, required, FALSE, &value, error))
		return FALSE;
	if (value == -1 && !required)
		return TRUE;
	if (value <= 0 || value > OHE_WITHINGS_EPOCH_MAX) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s member '%s' is not a timestamp: %" G_GINT64_FORMAT, where, member,
			     value);
		return FALSE;
	}
	*out = value;
	return TRUE;
}

/* `more` is an integer on /measure and a boolean on the v2 services */
static gboolean
ohe_withings_json_more (JsonObject *obj, gboolean *more, GError **error)
{
	JsonNode *node = json_object_get_member (obj, "more");
	*more = FALSE;
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return TRUE;
	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN) {
		*more = json_node_get_boolean (node);
		return TRUE;
	}
	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64) {
		*more = json_node_get_int (node) != 0;
		return TRUE;
	}
	g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "body member 'more' is neither a boolean nor an integer");
	return FALSE;
}

static gboolean
ohe_withings_json_page_position (JsonObject *body, OheWithingsPage *page, GError **error)
{
	if (!ohe_withings_json_more (body, &page->more, error))
		return FALSE;
	if (!ohe_withings_json_int (body, "offset", "body", FALSE, FALSE, &page->offset, error))
		return FALSE;
	if (page->offset < 0 || (page->more && page->offset == 0)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "body member 'offset' is not a next page position: %" G_GINT64_FORMAT,
			     page->offset);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_withings_parser_envelope_from_data:
 *
 * Unwraps `{"status": …, "body": {…}}`. A status other than 0 becomes the
 * OheError of its family; the `error` text is not copied
 * because it may quote the request.
 *
 * Returns: (transfer full): the body object
 */
JsonObject *
ohe_withings_parser_envelope_from_data (const gchar *data, gsize len, GError **error)
{
	g_autoptr(JsonNode) root = NULL;
	JsonObject *obj;
	JsonNode *body;
	const gchar *family = NULL;
	gint64 status = 0;

	if (data == NULL || len == 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "Withings answered with an empty body");
		return NULL;
	}
	if (len > OHE_HTTP_RESPONSE_MAX_BODY_SIZE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "Withings answer is larger than %u bytes",
			     (guint)OHE_HTTP_RESPONSE_MAX_BODY_SIZE);
		return NULL;
	}
	root = ohe_json_parse (data, (gssize)len, "Withings answer", NULL, error);
	if (root == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "Withings answer is not a JSON object");
		return NULL;
	}
	obj = json_node_get_object (root);
	if (!ohe_withings_json_int (obj, "status", "envelope", TRUE, FALSE, &status, error))
		return NULL;
	if (status != 0) {
		OheError code = ohe_withings_status_to_error (
		    (gint)CLAMP (status, G_MININT, G_MAXINT), &family);
		g_set_error (error, OHE_ERROR, code,
			     "Withings answered status %" G_GINT64_FORMAT " (%s)", status, family);
		return NULL;
	}
	body = json_object_get_member (obj, "body");
	if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "envelope has no 'body' object");
		return NULL;
	}
	return json_object_ref (json_node_get_object (body));
}

JsonObject *
ohe_withings_parser_envelope (GBytes *data, GError **error)
{
	gsize len = 0;
	const gchar *buf = data != NULL ? g_bytes_get_data (data, &len) : NULL;
	return ohe_withings_parser_envelope_from_data (buf, len, error);
}

gint32
ohe_withings_parser_utc_offset (GTimeZone *tz, gint64 epoch_s)
{
	gint interval;
	if (tz == NULL)
		return 0;
	interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, epoch_s);
	if (interval < 0)
		return 0;
	return g_time_zone_get_offset (tz, interval);
}

/**
 * ohe_withings_parser_time_zone_new:
 * @name: (nullable): a `timezone` from a Withings answer
 *
 * Only a name shaped as an IANA name reaches the tzdata lookup, which opens
 * the path the name spells.
 *
 * Returns: (transfer full) (nullable): the zone, or %NULL for a missing,
 * malformed or unknown name: times then carry offset 0
 */
GTimeZone *
ohe_withings_parser_time_zone_new (const gchar *name)
{
	return ohe_time_zone_new_from_name (name, "timezone", NULL);
}

static OheMeasurement *
ohe_withings_measurement_new (OheMeasurementKind kind,
			      OheMeasurementOrigin origin,
			      gint64 start_s,
			      gint64 end_s,
			      GTimeZone *tz,
			      const gchar *deviceid,
			      const gchar *model)
{
	OheMeasurement *m = ohe_measurement_new (kind);
	ohe_measurement_set_provider (m, "withings");
	ohe_measurement_set_origin (m, origin);
	ohe_measurement_set_time (m, start_s * G_USEC_PER_SEC, end_s * G_USEC_PER_SEC);
	ohe_measurement_set_utc_offset (m, ohe_withings_parser_utc_offset (tz, start_s));
	if (deviceid != NULL)
		ohe_measurement_set_device_id (m, deviceid);
	if (model != NULL)
		ohe_measurement_set_qualifier (m, OHE_QUALIFIER_DEVICE_MODEL, model);
	return m;
}

static void
ohe_withings_set_afib (OheMeasurement *m,
		       const OheWithingsAfibCode *code,
		       gint64 raw,
		       const gchar *method)
{
	g_autofree gchar *raw_text = g_strdup_printf ("%" G_GINT64_FORMAT, raw);
	ohe_measurement_set_classification (
	    m, code != NULL ? code->classification : OHE_CLASSIFICATION_OTHER, raw_text);
	ohe_measurement_set_qualifier (m, OHE_QUALIFIER_METHOD, method);
	if (code != NULL && code->band != NULL)
		ohe_measurement_set_qualifier (m, OHE_QUALIFIER_HEART_RATE_BAND, code->band);
}

/* a 130/139 code is an integer; a scaled value is no code */
static const OheWithingsAfibCode *
ohe_withings_afib_code (gint64 value, gint64 unit)
{
	if (unit != 0 || value < 0 || value > G_MAXINT)
		return NULL;
	return ohe_withings_afib_lookup ((gint)value);
}

typedef struct {
	gint64 value;
	gint64 unit;
	gboolean set;
} OheWithingsDecimal;

/* one measuregrp → its measurements, appended to @out */
static gboolean
ohe_withings_parse_group (
    JsonObject *grp, const gchar *where, GTimeZone *tz, GPtrArray *out, GError **error)
{
	g_autoptr(GPtrArray) scalars =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	OheWithingsDecimal sys = {0}, dia = {0}, pulse = {0};
	g_autoptr(OheMeasurement) bp = NULL;
	gint64 grpid = 0, date = 0, category = 1, attrib = 0, model_id = -1;
	const gchar *deviceid = NULL;
	const gchar *model = NULL;
	gboolean has_weight = FALSE;
	gboolean manual;
	JsonArray *measures;

	if (!ohe_withings_json_int (grp, "grpid", where, TRUE, FALSE, &grpid, error))
		return FALSE;
	if (!ohe_withings_json_int (grp, "category", where, FALSE, FALSE, &category, error))
		return FALSE;
	if (!ohe_withings_json_int (grp, "attrib", where, FALSE, FALSE, &attrib, error))
		return FALSE;
	/* user objectives and readings that may belong to someone else are not data */
	if (category != 1 || attrib == 1)
		return TRUE;
	if (!ohe_withings_json_epoch (grp, "date", where, TRUE, &date, error))
		return FALSE;
	if (!ohe_json_object_get_string (grp, "deviceid", where, FALSE, &deviceid, error))
		return FALSE;
	if (!ohe_json_object_get_string (grp, "model", where, FALSE, &model, error))
		return FALSE;
	/* the spec spells model_id, a wire capture modelid */
	if (!ohe_withings_json_int (grp, "model_id", where, FALSE, FALSE, &model_id, error))
		return FALSE;
	if (model_id == -1 &&
	    !ohe_withings_json_int (grp, "modelid", where, FALSE, FALSE, &model_id, error))
		return FALSE;
	if (model == NULL && model_id >= 0)
		model = ohe_withings_model_to_string (model_id);
	measures = ohe_json_object_get_array (grp, "measures", where, error);
	if (measures == NULL)
		return FALSE;
	manual = attrib == 2 || attrib == 4;

	for (guint i = 0; i < json_array_get_length (measures); i++) {
		JsonNode *node = json_array_get_element (measures, i);
		g_autofree gchar *mwhere = g_strdup_printf ("%s measures[%u]", where, i);
		const OheWithingsMeastype *mt;
		gint64 type = 0, value = 0, unit = 0;
		OheMeasurement *m;

		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s is not an object", mwhere);
			return FALSE;
		}
		if (!ohe_withings_json_int (json_node_get_object (node), "type", mwhere, TRUE,
					    FALSE, &type, error) ||
		    !ohe_withings_json_int (json_node_get_object (node), "value", mwhere, TRUE,
					    FALSE, &value, error) ||
		    !ohe_withings_json_int (json_node_get_object (node), "unit", mwhere, TRUE,
					    FALSE, &unit, error))
			return FALSE;
		if (unit < -OHE_WITHINGS_UNIT_MAX || unit > OHE_WITHINGS_UNIT_MAX) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s member 'unit' is out of range: %" G_GINT64_FORMAT, mwhere,
				     unit);
			return FALSE;
		}
		mt = ohe_withings_meastype_lookup ((gint)CLAMP (type, G_MININT, G_MAXINT));
		if (mt == NULL)
			continue;
		switch (mt->role) {
		case OHE_WITHINGS_ROLE_SYSTOLIC:
			sys = (OheWithingsDecimal){value, unit, TRUE};
			continue;
		case OHE_WITHINGS_ROLE_DIASTOLIC:
			dia = (OheWithingsDecimal){value, unit, TRUE};
			continue;
		case OHE_WITHINGS_ROLE_PULSE:
			pulse = (OheWithingsDecimal){value, unit, TRUE};
			continue;
		case OHE_WITHINGS_ROLE_AFIB_ECG:
		case OHE_WITHINGS_ROLE_AFIB_PPG:
			m = ohe_withings_measurement_new (mt->kind, OHE_MEASUREMENT_ORIGIN_SPOT,
							  date, date, tz, deviceid, model);
			ohe_withings_set_afib (m, ohe_withings_afib_code (value, unit), value,
					       mt->role == OHE_WITHINGS_ROLE_AFIB_ECG
						   ? OHE_QUALIFIER_METHOD_VALUE_ECG
						   : OHE_QUALIFIER_METHOD_VALUE_PPG);
			break;
		case OHE_WITHINGS_ROLE_SCALAR:
		default:
			m = ohe_withings_measurement_new (mt->kind, OHE_MEASUREMENT_ORIGIN_SPOT,
							  date, date, tz, deviceid, model);
			ohe_measurement_set_value_decimal (m, value,
							   (gint)unit + mt->exponent_shift);
			has_weight |= mt->kind == OHE_MEASUREMENT_KIND_BODY_WEIGHT;
			break;
		}
		{
			g_autofree gchar *native_id =
			    g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, grpid, type);
			ohe_measurement_set_native_id (m, native_id);
		}
		ohe_measurement_set_manual (m, manual);
		g_ptr_array_add (scalars, m);
	}

	/* a BP group lacking either pressure is not a reading */
	if (sys.set && dia.set) {
		g_autofree gchar *native_id = g_strdup_printf ("%" G_GINT64_FORMAT, grpid);
		bp = ohe_withings_measurement_new (OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
						   OHE_MEASUREMENT_ORIGIN_SPOT, date, date, tz,
						   deviceid, model);
		ohe_measurement_set_component_decimal (bp, OHE_COMPONENT_NAME_SYSTOLIC, sys.value,
						       (gint)sys.unit);
		ohe_measurement_set_component_decimal (bp, OHE_COMPONENT_NAME_DIASTOLIC, dia.value,
						       (gint)dia.unit);
		ohe_measurement_set_native_id (bp, native_id);
		ohe_measurement_set_manual (bp, manual);
	}
	if (bp != NULL)
		g_ptr_array_add (out, ohe_measurement_ref (bp));
	for (guint i = 0; i < scalars->len; i++)
		g_ptr_array_add (out, ohe_measurement_ref (g_ptr_array_index (scalars, i)));
	if (pulse.set) {
		g_autofree gchar *native_id = g_strdup_printf ("%" G_GINT64_FORMAT "-11", grpid);
		OheMeasurement *hr = ohe_withings_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE,
								   OHE_MEASUREMENT_ORIGIN_SPOT,
								   date, date, tz, deviceid, model);
		ohe_measurement_set_value_decimal (hr, pulse.value, (gint)pulse.unit);
		ohe_measurement_set_native_id (hr, native_id);
		ohe_measurement_set_manual (hr, manual);
		if (bp != NULL) {
			ohe_measurement_set_parent (hr, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
						    ohe_measurement_get_native_id (bp));
		} else if (has_weight) {
			g_autofree gchar *parent =
			    g_strdup_printf ("%" G_GINT64_FORMAT "-1", grpid);
			ohe_measurement_set_parent (hr, OHE_MEASUREMENT_KIND_BODY_WEIGHT, parent);
		}
		g_ptr_array_add (out, hr);
	}
	return TRUE;
}

static gint
ohe_withings_group_cmp (gconstpointer a, gconstpointer b)
{
	JsonObject *ga = *(JsonObject *const *)a;
	JsonObject *gb = *(JsonObject *const *)b;
	gint64 da = 0, db = 0, ia = 0, ib = 0;
	ohe_withings_json_int (ga, "date", "", FALSE, FALSE, &da, NULL);
	ohe_withings_json_int (gb, "date", "", FALSE, FALSE, &db, NULL);
	if (da != db)
		return da < db ? -1 : 1;
	ohe_withings_json_int (ga, "grpid", "", FALSE, FALSE, &ia, NULL);
	ohe_withings_json_int (gb, "grpid", "", FALSE, FALSE, &ib, NULL);
	return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

/**
 * ohe_withings_parser_getmeas:
 *
 * Parses a getmeas body: one measurement per modelled meastype, BP as one
 * blood_pressure with a heart_rate child, weigh-in pulse as a child of the
 * weight; groups in date order.
 *
 * Returns: (transfer full): the page
 */
OheWithingsPage *
ohe_withings_parser_getmeas (JsonObject *body, GError **error)
{
	g_autoptr(OheWithingsPage) page = ohe_withings_page_new ();
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GPtrArray) groups = g_ptr_array_new ();
	const gchar *timezone = NULL;
	JsonArray *grps;

	g_return_val_if_fail (body != NULL, NULL);

	if (!ohe_withings_json_int (body, "updatetime", "body", FALSE, TRUE, &page->updatetime,
				    error))
		return NULL;
	if (!ohe_json_object_get_string (body, "timezone", "body", FALSE, &timezone, error))
		return NULL;
	if (!ohe_withings_json_page_position (body, page, error))
		return NULL;
	grps = ohe_json_object_get_array (body, "measuregrps", "body", error);
	if (grps == NULL)
		return NULL;
	page->timezone = g_strdup (timezone);
	tz = ohe_withings_parser_time_zone_new (timezone);

	for (guint i = 0; i < json_array_get_length (grps); i++) {
		JsonNode *node = json_array_get_element (grps, i);
		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "measuregrps[%u] is not an object", i);
			return NULL;
		}
		g_ptr_array_add (groups, json_node_get_object (node));
	}
	/* the comparison ignores bad dates; the group parser reports them */
	g_ptr_array_sort (groups, ohe_withings_group_cmp);
	for (guint i = 0; i < groups->len; i++) {
		g_autofree gchar *where = NULL;
		gint64 grpid = 0;
		ohe_withings_json_int (g_ptr_array_index (groups, i), "grpid", "", FALSE, FALSE,
				       &grpid, NULL);
		where = g_strdup_printf ("measuregrp %" G_GINT64_FORMAT, grpid);
		if (!ohe_withings_parse_group (g_ptr_array_index (groups, i), where, tz,
					       page->measurements, error))
			return NULL;
	}
	return g_steal_pointer (&page);
}

/* a plain JSON number as an exact decimal; intraday values are not scaled */
static gboolean
ohe_withings_json_decimal (
    JsonNode *node, const gchar *where, gint64 *mantissa, gint *exponent, GError **error)
{
	GType type =
	    JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
	if (type == G_TYPE_INT64) {
		*mantissa = json_node_get_int (node);
		*exponent = 0;
		return TRUE;
	}
	if (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (node))) {
		ohe_decimal_from_double (json_node_get_double (node), mantissa, exponent);
		return TRUE;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "%s is not a number", where);
	return FALSE;
}

typedef struct {
	gint64 ts;
	JsonObject *bucket;
} OheWithingsBucket;

static gint
ohe_withings_bucket_cmp (gconstpointer a, gconstpointer b)
{
	const OheWithingsBucket *ba = a;
	const OheWithingsBucket *bb = b;
	return ba->ts < bb->ts ? -1 : (ba->ts > bb->ts ? 1 : 0);
}

/**
 * ohe_withings_parser_intraday:
 * @tz: (nullable): the user's zone, for the offsets
 * @models: (nullable): deviceid → model name, for buckets without a model
 *
 * Parses a getintradayactivity body: `series` keyed by epoch strings, each
 * bucket holding only the fields that have data. One stream measurement per
 * field of the intraday table; steps cover [key, key + duration).
 *
 * Returns: (transfer full): the page, in time order
 */
OheWithingsPage *
ohe_withings_parser_intraday (JsonObject *body, GTimeZone *tz, GHashTable *models, GError **error)
{
	g_autoptr(OheWithingsPage) page = ohe_withings_page_new ();
	g_autoptr(GArray) buckets = g_array_new (FALSE, FALSE, sizeof (OheWithingsBucket));
	g_autoptr(GList) keys = NULL;
	JsonNode *series = json_object_get_member (body, "series");
	JsonObject *obj;

	/* no data in the window: Withings sends an empty array instead of an object */
	if (series == NULL || JSON_NODE_HOLDS_NULL (series) ||
	    (JSON_NODE_HOLDS_ARRAY (series) &&
	     json_array_get_length (json_node_get_array (series)) == 0))
		return g_steal_pointer (&page);
	if (!JSON_NODE_HOLDS_OBJECT (series)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "body member 'series' is not an object");
		return NULL;
	}
	obj = json_node_get_object (series);
	keys = json_object_get_members (obj);
	for (GList *l = keys; l != NULL; l = l->next) {
		OheWithingsBucket b = {0};
		JsonNode *node = json_object_get_member (obj, l->data);
		if (!g_ascii_string_to_signed (l->data, 10, 1, OHE_WITHINGS_EPOCH_MAX, &b.ts,
					       NULL)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "series key '%.32s' is not a timestamp",
				     (const gchar *)l->data);
			return NULL;
		}
		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "series[%" G_GINT64_FORMAT "] is not an object", b.ts);
			return NULL;
		}
		b.bucket = json_node_get_object (node);
		g_array_append_val (buckets, b);
	}
	g_array_sort (buckets, ohe_withings_bucket_cmp);

	for (guint i = 0; i < buckets->len; i++) {
		OheWithingsBucket *b = &g_array_index (buckets, OheWithingsBucket, i);
		g_autofree gchar *where = g_strdup_printf ("series[%" G_GINT64_FORMAT "]", b->ts);
		const gchar *deviceid = NULL;
		const gchar *model = NULL;
		gint64 duration = 0;
		gint64 model_id = -1;

		if (!ohe_json_object_get_string (b->bucket, "deviceid", where, FALSE, &deviceid,
						 error) ||
		    !ohe_json_object_get_string (b->bucket, "model", where, FALSE, &model, error) ||
		    !ohe_withings_json_int (b->bucket, "model_id", where, FALSE, FALSE, &model_id,
					    error) ||
		    !ohe_withings_json_int (b->bucket, "duration", where, FALSE, FALSE, &duration,
					    error))
			return NULL;
		if (duration < 0 || duration > 86400) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s member 'duration' is out of range: %" G_GINT64_FORMAT,
				     where, duration);
			return NULL;
		}
		if (model == NULL && deviceid != NULL && models != NULL)
			model = g_hash_table_lookup (models, deviceid);
		if (model == NULL && model_id >= 0)
			model = ohe_withings_model_to_string (model_id);
		for (guint f = 0; f < ohe_withings_intraday_field_get_n (); f++) {
			const OheWithingsIntradayField *field = ohe_withings_intraday_field_get (f);
			JsonNode *value = json_object_get_member (b->bucket, field->field);
			g_autofree gchar *vwhere = NULL;
			g_autofree gchar *native_id = NULL;
			OheMeasurement *m;
			gint64 mantissa = 0;
			gint exponent = 0;
			gint64 end = b->ts;

			if (value == NULL || JSON_NODE_HOLDS_NULL (value))
				continue;
			vwhere = g_strdup_printf ("%s member '%s'", where, field->field);
			if (!ohe_withings_json_decimal (value, vwhere, &mantissa, &exponent, error))
				return NULL;
			/* counts, distances, rates: never below zero */
			if (mantissa < 0) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "%s is negative", vwhere);
				return NULL;
			}
			/* a step count is a count over the bucket, the others are samples */
			if (field->kind == OHE_MEASUREMENT_KIND_STEPS)
				end = b->ts + duration;
			m = ohe_withings_measurement_new (field->kind,
							  OHE_MEASUREMENT_ORIGIN_STREAM, b->ts, end,
							  tz, deviceid, model);
			ohe_measurement_set_value_decimal (m, mantissa, exponent);
			native_id = g_strdup_printf ("intraday:%s:%" G_GINT64_FORMAT ":%s",
						     deviceid != NULL ? deviceid : "-", b->ts,
						     field->field);
			ohe_measurement_set_native_id (m, native_id);
			if (field->kind == OHE_MEASUREMENT_KIND_HRV_SDNN)
				ohe_measurement_set_qualifier (m, OHE_QUALIFIER_WINDOW, "60 s");
			g_ptr_array_add (page->measurements, m);
		}
	}
	return g_steal_pointer (&page);
}

/**
 * ohe_withings_parser_heart_list:
 *
 * Returns: (transfer full) (element-type OheWithingsEcgRecord): the records of a heart list page
 */
GPtrArray *
ohe_withings_parser_heart_list (JsonObject *body, gboolean *more, gint64 *offset, GError **error)
{
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (
	    (GDestroyNotify)ohe_withings_ecg_record_free);
	g_autoptr(OheWithingsPage) position = ohe_withings_page_new ();
	JsonArray *series;

	if (!ohe_withings_json_page_position (body, position, error))
		return NULL;
	series = ohe_json_object_get_array (body, "series", "body", error);
	if (series == NULL)
		return NULL;
	for (guint i = 0; i < json_array_get_length (series); i++) {
		JsonNode *node = json_array_get_element (series, i);
		g_autoptr(OheWithingsEcgRecord) rec = g_new0 (OheWithingsEcgRecord, 1);
		g_autofree gchar *where = g_strdup_printf ("series[%u]", i);
		const gchar *deviceid = NULL;
		JsonNode *ecg_node;
		JsonObject *item;

		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s is not an object", where);
			return NULL;
		}
		item = json_node_get_object (node);
		rec->afib = -1;
		rec->heart_rate = -1;
		rec->model = -1;
		if (!ohe_withings_json_epoch (item, "timestamp", where, TRUE, &rec->timestamp,
					      error) ||
		    !ohe_withings_json_int (item, "heart_rate", where, FALSE, FALSE,
					    &rec->heart_rate, error) ||
		    !ohe_withings_json_int (item, "model", where, FALSE, FALSE, &rec->model,
					    error) ||
		    !ohe_json_object_get_string (item, "deviceid", where, FALSE, &deviceid, error))
			return NULL;
		ecg_node = json_object_get_member (item, "ecg");
		if (ecg_node == NULL || !JSON_NODE_HOLDS_OBJECT (ecg_node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s has no 'ecg' object", where);
			return NULL;
		}
		if (!ohe_withings_json_int (json_node_get_object (ecg_node), "signalid", where,
					    TRUE, FALSE, &rec->signalid, error) ||
		    !ohe_withings_json_int (json_node_get_object (ecg_node), "afib", where, FALSE,
					    FALSE, &rec->afib, error))
			return NULL;
		rec->deviceid = g_strdup (deviceid);
		g_ptr_array_add (records, g_steal_pointer (&rec));
	}
	*more = position->more;
	*offset = position->offset;
	return g_steal_pointer (&records);
}

/**
 * ohe_withings_parser_heart_get:
 * @record: the heart list item the signal belongs to
 *
 * Builds the ECG (µV samples, factor 0.001 → mV) and its children: the
 * afib_classification of the list item and the recording's average heart rate.
 *
 * Returns: (transfer full) (element-type OheMeasurement): ECG first, then its children
 */
GPtrArray *
ohe_withings_parser_heart_get (JsonObject *body,
			       const OheWithingsEcgRecord *record,
			       GTimeZone *tz,
			       GError **error)
{
	g_autoptr(GPtrArray) out =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(OheSeries) series = NULL;
	g_autoptr(OheMeasurement) ecg = NULL;
	g_autofree gint32 *samples = NULL;
	g_autofree gchar *native_id = NULL;
	g_autofree gchar *fs_text = NULL;
	gint64 fs = 0, wear = -1, heart_rate = record->heart_rate, model = record->model;
	const gchar *model_name;
	const gchar *wear_name;
	JsonArray *signal;
	guint n;

	if (!ohe_withings_json_int (body, "sampling_frequency", "body", TRUE, FALSE, &fs, error) ||
	    !ohe_withings_json_int (body, "wearposition", "body", FALSE, FALSE, &wear, error) ||
	    !ohe_withings_json_int (body, "heart_rate", "body", FALSE, FALSE, &heart_rate, error) ||
	    !ohe_withings_json_int (body, "model", "body", FALSE, FALSE, &model, error))
		return NULL;
	if (fs <= 0 || fs > OHE_PLAUSIBLE_SAMPLE_RATE_MAX_HZ) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "body member 'sampling_frequency' is out of range: %" G_GINT64_FORMAT,
			     fs);
		return NULL;
	}
	signal = ohe_json_object_get_array (body, "signal", "body", error);
	if (signal == NULL)
		return NULL;
	n = json_array_get_length (signal);
	if (n == 0 || n > OHE_WITHINGS_SIGNAL_MAX) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "body member 'signal' has %u samples", n);
		return NULL;
	}
	samples = g_new (gint32, n);
	for (guint i = 0; i < n; i++) {
		JsonNode *node = json_array_get_element (signal, i);
		if (!JSON_NODE_HOLDS_VALUE (node) ||
		    json_node_get_value_type (node) != G_TYPE_INT64 ||
		    json_node_get_int (node) < G_MININT32 ||
		    json_node_get_int (node) > G_MAXINT32) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "signal[%u] is not a 32-bit integer", i);
			return NULL;
		}
		samples[i] = (gint32)json_node_get_int (node);
	}
	model_name = ohe_withings_model_to_string (model);
	ecg = ohe_withings_measurement_new (OHE_MEASUREMENT_KIND_ECG, OHE_MEASUREMENT_ORIGIN_SPOT,
					    record->timestamp, record->timestamp, tz,
					    record->deviceid, model_name);
	/* the end is exact to the µs: n samples at fs Hz */
	ohe_measurement_set_time (ecg, record->timestamp * G_USEC_PER_SEC,
				  record->timestamp * G_USEC_PER_SEC +
				      (gint64)n * G_USEC_PER_SEC / fs);
	/*
	 * Withings does not state the lead: the series stays unnamed (the contract's
	 * "lead not stated", ohe-series-name.h), never the wire name "signal"
	 */
	series = ohe_series_new_with_interval (NULL, 1000.0 / (gdouble)fs);
	ohe_series_set_factor (series, 0.001);
	ohe_series_append_samples (series, samples, n);
	ohe_measurement_add_series (ecg, series);
	native_id = g_strdup_printf ("%" G_GINT64_FORMAT, record->signalid);
	ohe_measurement_set_native_id (ecg, native_id);
	fs_text = g_strdup_printf ("%" G_GINT64_FORMAT, fs);
	ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_SAMPLING_FREQUENCY, fs_text);
	wear_name = ohe_withings_wear_position_to_string ((gint)CLAMP (wear, -1, 100));
	if (wear_name != NULL)
		ohe_measurement_set_qualifier (ecg, OHE_QUALIFIER_WEAR_POSITION, wear_name);
	g_ptr_array_add (out, ohe_measurement_ref (ecg));

	if (record->afib >= 0) {
		g_autofree gchar *child_id = g_strdup_printf ("%s-afib", native_id);
		const OheWithingsAfibCode *code =
		    record->afib <= G_MAXINT ? ohe_withings_heart_afib_lookup ((gint)record->afib)
					     : NULL;
		OheMeasurement *m = ohe_withings_measurement_new (
		    OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION, OHE_MEASUREMENT_ORIGIN_SPOT,
		    record->timestamp, record->timestamp, tz, record->deviceid, model_name);
		ohe_withings_set_afib (m, code, record->afib, OHE_QUALIFIER_METHOD_VALUE_ECG);
		/* the recording's own result, for its report's conclusion; the numeric raw
		 * code stays on the AFib child */
		ohe_measurement_set_classification (
		    ecg, code != NULL ? code->classification : OHE_CLASSIFICATION_OTHER, NULL);
		ohe_measurement_set_time (m, ohe_measurement_get_start (ecg),
					  ohe_measurement_get_end (ecg));
		ohe_measurement_set_native_id (m, child_id);
		ohe_measurement_set_parent (m, OHE_MEASUREMENT_KIND_ECG, native_id);
		g_ptr_array_add (out, m);
	}
	if (heart_rate > 0) {
		g_autofree gchar *child_id = g_strdup_printf ("%s-hr", native_id);
		OheMeasurement *m = ohe_withings_measurement_new (
		    OHE_MEASUREMENT_KIND_HEART_RATE, OHE_MEASUREMENT_ORIGIN_SPOT, record->timestamp,
		    record->timestamp, tz, record->deviceid, model_name);
		ohe_measurement_set_time (m, ohe_measurement_get_start (ecg),
					  ohe_measurement_get_end (ecg));
		ohe_measurement_set_value_decimal (m, heart_rate, 0);
		ohe_measurement_set_native_id (m, child_id);
		ohe_measurement_set_parent (m, OHE_MEASUREMENT_KIND_ECG, native_id);
		g_ptr_array_add (out, m);
	}
	return g_steal_pointer (&out);
}

/**
 * ohe_withings_parser_devices:
 *
 * Returns: (transfer full) (element-type OheWithingsDevice): the devices of user getdevice
 */
GPtrArray *
ohe_withings_parser_devices (JsonObject *body, GError **error)
{
	g_autoptr(GPtrArray) devices =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_withings_device_free);
	JsonArray *arr = ohe_json_object_get_array (body, "devices", "body", error);

	if (arr == NULL)
		return NULL;
	for (guint i = 0; i < json_array_get_length (arr); i++) {
		JsonNode *node = json_array_get_element (arr, i);
		g_autoptr(OheWithingsDevice) dev = g_new0 (OheWithingsDevice, 1);
		g_autofree gchar *where = g_strdup_printf ("devices[%u]", i);
		const gchar *deviceid = NULL, *model = NULL, *type = NULL, *timezone = NULL;
		JsonObject *obj;

		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s is not an object", where);
			return NULL;
		}
		obj = json_node_get_object (node);
		dev->model_id = -1;
		if (!ohe_json_object_get_string (obj, "deviceid", where, FALSE, &deviceid, error) ||
		    !ohe_json_object_get_string (obj, "model", where, FALSE, &model, error) ||
		    !ohe_json_object_get_string (obj, "type", where, FALSE, &type, error) ||
		    !ohe_json_object_get_string (obj, "timezone", where, FALSE, &timezone, error) ||
		    !ohe_withings_json_int (obj, "model_id", where, FALSE, FALSE, &dev->model_id,
					    error))
			return NULL;
		if (deviceid == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s has no 'deviceid'", where);
			return NULL;
		}
		dev->deviceid = g_strdup (deviceid);
		dev->model = g_strdup (model);
		dev->type = g_strdup (type);
		dev->timezone = g_strdup (timezone);
		g_ptr_array_add (devices, g_steal_pointer (&dev));
	}
	return g_steal_pointer (&devices);
}
