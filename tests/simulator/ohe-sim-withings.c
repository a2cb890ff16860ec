/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-sim-withings.h"

/*
 * The Withings cloud under /withings (https://developer.withings.com/api-reference/): authorize2,
 * the wrapped requesttoken, getnonce and signed revoke, getmeas with grpids, meastype filters and
 * more/offset paging, getintradayactivity, heart list/get, user getdevice and notify
 * subscribe/get/list/revoke. Every answer is HTTP 200 with {status, body}; faults become status 601
 * (rate limit) and 401 (expired or revoked token) as Withings sends them. Data comes from the
 * simulator's generator, so a test can recompute every value.
 *
 * The application's rolling-window limit (120 per 60 s at Withings) is the
 * server's: ohe_sim_server_set_rate_limit() or --rate-limit answers 601 beyond it.
 * Not simulated: the HEAD check of a callback URL on subscribe, sleep and
 * getactivity.
 */

#define OHE_SIM_WITHINGS_STATE		  "ohe-sim-withings-state"
#define OHE_SIM_WITHINGS_NONCE_LIFETIME_S (30 * 60)
#define OHE_SIM_WITHINGS_ECG_FS		  300
#define OHE_SIM_WITHINGS_ECG_SAMPLES	  9000
#define OHE_SIM_WITHINGS_DEVICE_SCALE	  "4c2e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a"
#define OHE_SIM_WITHINGS_DEVICE_BPM	  "9a1c0e4b7f2d3a5c6e8f0b1d2c3e4f5a6b7c8d9e"
#define OHE_SIM_WITHINGS_DEVICE_WATCH	  "7e5c3a1f9d8b6e4c2a0f8e6d4c2b0a9f8e7d6c5b"

typedef struct {
	GMutex mutex;
	gchar *client_id;	   /* owned, nullable */
	gchar *client_secret;	   /* owned, nullable */
	GHashTable *nonces;	   /* owned, nonce → issue time (gint64 *) */
	GHashTable *subscriptions; /* owned, "user/appli" → callback url */
	guint page_size;
} OheSimWithings;

/* the getmeas side of the generator: which kind feeds which group */
typedef struct {
	OheMeasurementKind kind;
	gint meastype;	 /* for scalars; BP uses 10, 9, 11 */
	gint group_kind; /* grpid suffix: weigh-ins share one */
} OheSimWithingsMeas;

static const OheSimWithingsMeas ohe_sim_withings_meas[] = {
    {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE, 10, 2},
    {OHE_MEASUREMENT_KIND_BODY_WEIGHT, 1, 1},
    {OHE_MEASUREMENT_KIND_BODY_FAT_RATIO, 6, 1},
    {OHE_MEASUREMENT_KIND_BODY_TEMPERATURE, 71, 3},
};

/* intraday fields and the generated kinds behind them */
static const struct {
	const gchar *field;
	OheMeasurementKind kind;
} ohe_sim_withings_intraday_fields[] = {
    {"heart_rate", OHE_MEASUREMENT_KIND_HEART_RATE}, {"steps", OHE_MEASUREMENT_KIND_STEPS},
    {"spo2_auto", OHE_MEASUREMENT_KIND_SPO2},	     {"rmssd", OHE_MEASUREMENT_KIND_HRV_RMSSD},
    {"rr", OHE_MEASUREMENT_KIND_RESPIRATORY_RATE},
};

static const gchar *const ohe_sim_withings_zones[] = {
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
};

static void
ohe_sim_withings_free (OheSimWithings *state)
{
	g_mutex_clear (&state->mutex);
	g_free (state->client_id);
	g_free (state->client_secret);
	g_hash_table_unref (state->nonces);
	g_hash_table_unref (state->subscriptions);
	g_free (state);
}

static OheSimWithings *
ohe_sim_withings_get (OheSimServer *server)
{
	return g_object_get_data (G_OBJECT (server), OHE_SIM_WITHINGS_STATE);
}

static void
ohe_sim_withings_respond_status (OheSimRequest *request, gint status, const gchar *text)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "status");
	json_builder_add_int_value (b, status);
	json_builder_set_member_name (b, "body");
	json_builder_begin_object (b);
	json_builder_end_object (b);
	json_builder_set_member_name (b, "error");
	json_builder_add_string_value (b, text);
	json_builder_end_object (b);
	ohe_sim_request_respond_json_builder (request, 200, b);
}

/* starts {"status":0,"body":{ ; the caller adds members, then ends */
static JsonBuilder *
ohe_sim_withings_begin_body (void)
{
	JsonBuilder *b = json_builder_new ();
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "status");
	json_builder_add_int_value (b, 0);
	json_builder_set_member_name (b, "body");
	json_builder_begin_object (b);
	return b;
}

static void
ohe_sim_withings_end_body (OheSimRequest *request, JsonBuilder *b)
{
	json_builder_end_object (b);
	json_builder_end_object (b);
	ohe_sim_request_respond_json_builder (request, 200, b);
}

static gboolean
ohe_sim_withings_int_param (OheSimRequest *request, const gchar *name, gint64 *out)
{
	const gchar *text = ohe_sim_request_get_param (request, name);
	if (text == NULL)
		return FALSE;
	return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, NULL);
}

/* the user of the bearer, or NULL after answering status 401 */
static const OheSimUser *
ohe_sim_withings_auth (OheSimServer *server, OheSimRequest *request)
{
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (server, "withings");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *user_id = ohe_sim_oauth_validate_bearer (
	    oauth, ohe_sim_request_get_bearer (request), NULL, &error);
	const OheSimUser *user;
	if (user_id == NULL) {
		ohe_sim_withings_respond_status (
		    request, 401,
		    "XRequestID: Not provided invalid_token: The access token provided is invalid");
		return NULL;
	}
	user = ohe_sim_server_lookup_user (server, user_id);
	if (user == NULL)
		ohe_sim_withings_respond_status (request, 401, "unknown user");
	return user;
}

const gchar *
ohe_sim_withings_get_timezone (OheSimServer *server, const gchar *user)
{
	const OheSimUser *u = ohe_sim_server_lookup_user (server, user);
	guint64 h = ohe_sim_data_hash (u != NULL ? u->seed : 0, user, 7, 0);
	return ohe_sim_withings_zones[h % G_N_ELEMENTS (ohe_sim_withings_zones)];
}

/* weigh-ins (weight and fat at the same minute) share a group, like a scale's */
gint64
ohe_sim_withings_grpid (OheMeasurementKind kind, gint64 time)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_sim_withings_meas); i++) {
		if (ohe_sim_withings_meas[i].kind == kind)
			return time * 10 + ohe_sim_withings_meas[i].group_kind;
	}
	return time * 10;
}

static void
ohe_sim_withings_add_measure (JsonBuilder *b, gint64 value, gint type, gint unit)
{
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "value");
	json_builder_add_int_value (b, value);
	json_builder_set_member_name (b, "type");
	json_builder_add_int_value (b, type);
	json_builder_set_member_name (b, "unit");
	json_builder_add_int_value (b, unit);
	json_builder_set_member_name (b, "algo");
	json_builder_add_int_value (b, 0);
	json_builder_end_object (b);
}

typedef struct {
	gint64 grpid;
	gint64 date;
	gint group_kind;
	GArray *samples; /* element-type OheSimSample, the kinds below in parallel */
	GArray *kinds;	 /* element-type OheMeasurementKind */
} OheSimWithingsGroup;

static void
ohe_sim_withings_group_free (OheSimWithingsGroup *g)
{
	g_array_unref (g->samples);
	g_array_unref (g->kinds);
	g_free (g);
}

static gint
ohe_sim_withings_group_cmp_newest (gconstpointer a, gconstpointer b)
{
	const OheSimWithingsGroup *ga = *(OheSimWithingsGroup *const *)a;
	const OheSimWithingsGroup *gb = *(OheSimWithingsGroup *const *)b;
	if (ga->grpid == gb->grpid)
		return 0;
	return ga->grpid > gb->grpid ? -1 : 1;
}

static gboolean
ohe_sim_withings_meastype_wanted (OheSimRequest *request, const OheSimWithingsMeas *meas)
{
	const gchar *one = ohe_sim_request_get_param (request, "meastype");
	const gchar *csv = ohe_sim_request_get_param (request, "meastypes");
	g_auto(GStrv) parts = NULL;
	if (one == NULL && csv == NULL)
		return TRUE;
	parts = g_strsplit (one != NULL ? one : csv, ",", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		gint64 t = 0;
		if (!g_ascii_string_to_signed (parts[i], 10, 0, 100000, &t, NULL))
			continue;
		if (t == meas->meastype ||
		    (meas->kind == OHE_MEASUREMENT_KIND_BLOOD_PRESSURE && (t == 9 || t == 11)))
			return TRUE;
	}
	return FALSE;
}

/* a group becomes visible 60 s after it was measured (its created/modified time) */
static void
ohe_sim_withings_getmeas (OheSimServer *server, OheSimRequest *request)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	const OheSimUser *user = ohe_sim_withings_auth (server, request);
	g_autoptr(GHashTable) groups = NULL;
	g_autoptr(GPtrArray) sorted = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	gint64 now = ohe_clock_get_real (ohe_sim_server_get_clock (server)) / G_USEC_PER_SEC;
	gint64 from, to, lastupdate = 0, offset = 0, category = 1;
	GHashTableIter iter;
	gpointer value;
	guint page_size;
	guint end;

	if (user == NULL)
		return;
	g_mutex_lock (&state->mutex);
	page_size = state->page_size;
	g_mutex_unlock (&state->mutex);
	from = user->data_from;
	to = MIN (user->data_to, now - 60);
	if (ohe_sim_withings_int_param (request, "lastupdate", &lastupdate)) {
		from = MAX (from, lastupdate - 60 + 1);
	} else {
		gint64 start = 0, end_date = 0;
		if (ohe_sim_withings_int_param (request, "startdate", &start))
			from = MAX (from, start);
		if (ohe_sim_withings_int_param (request, "enddate", &end_date))
			to = MIN (to, end_date + 1);
	}
	ohe_sim_withings_int_param (request, "offset", &offset);
	ohe_sim_withings_int_param (request, "category", &category);

	groups = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
					(GDestroyNotify)ohe_sim_withings_group_free);
	for (guint i = 0; category == 1 && from < to && i < G_N_ELEMENTS (ohe_sim_withings_meas);
	     i++) {
		const OheSimWithingsMeas *meas = &ohe_sim_withings_meas[i];
		g_autoptr(GArray) samples = NULL;
		if (!ohe_sim_withings_meastype_wanted (request, meas))
			continue;
		samples = ohe_sim_data_generate (user->seed, user->id, meas->kind, from, to);
		for (guint s = 0; s < samples->len; s++) {
			OheSimSample *sample = &g_array_index (samples, OheSimSample, s);
			gint64 grpid = ohe_sim_withings_grpid (meas->kind, sample->time);
			OheSimWithingsGroup *g = g_hash_table_lookup (groups, &grpid);
			if (g == NULL) {
				g = g_new0 (OheSimWithingsGroup, 1);
				g->grpid = grpid;
				g->date = sample->time;
				g->group_kind = meas->group_kind;
				g->samples = g_array_new (FALSE, FALSE, sizeof (OheSimSample));
				g->kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
				g_hash_table_insert (groups, &g->grpid, g);
			}
			g_array_append_val (g->samples, *sample);
			g_array_append_val (g->kinds, meas->kind);
		}
	}
	sorted = g_ptr_array_new ();
	g_hash_table_iter_init (&iter, groups);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_add (sorted, value);
	g_ptr_array_sort (sorted, ohe_sim_withings_group_cmp_newest);
	offset = CLAMP (offset, 0, (gint64)sorted->len);
	end = MIN (sorted->len, (guint)offset + page_size);

	b = ohe_sim_withings_begin_body ();
	json_builder_set_member_name (b, "updatetime");
	json_builder_add_int_value (b, now);
	json_builder_set_member_name (b, "timezone");
	json_builder_add_string_value (b, ohe_sim_withings_get_timezone (server, user->id));
	json_builder_set_member_name (b, "measuregrps");
	json_builder_begin_array (b);
	for (guint i = (guint)offset; i < end; i++) {
		OheSimWithingsGroup *g = g_ptr_array_index (sorted, i);
		const gboolean is_bp = g->group_kind == 2;
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "grpid");
		json_builder_add_int_value (b, g->grpid);
		json_builder_set_member_name (b, "attrib");
		json_builder_add_int_value (b, 0);
		json_builder_set_member_name (b, "date");
		json_builder_add_int_value (b, g->date);
		json_builder_set_member_name (b, "created");
		json_builder_add_int_value (b, g->date + 60);
		json_builder_set_member_name (b, "modified");
		json_builder_add_int_value (b, g->date + 60);
		json_builder_set_member_name (b, "category");
		json_builder_add_int_value (b, 1);
		json_builder_set_member_name (b, "deviceid");
		json_builder_add_string_value (b, is_bp ? OHE_SIM_WITHINGS_DEVICE_BPM
							: OHE_SIM_WITHINGS_DEVICE_SCALE);
		json_builder_set_member_name (b, "model");
		json_builder_add_string_value (b, is_bp ? "BPM Connect" : "Body Cardio");
		json_builder_set_member_name (b, "model_id");
		json_builder_add_int_value (b, is_bp ? 45 : 6);
		json_builder_set_member_name (b, "comment");
		json_builder_add_null_value (b);
		json_builder_set_member_name (b, "measures");
		json_builder_begin_array (b);
		for (guint s = 0; s < g->samples->len; s++) {
			OheSimSample *sample = &g_array_index (g->samples, OheSimSample, s);
			OheMeasurementKind kind = g_array_index (g->kinds, OheMeasurementKind, s);
			if (kind == OHE_MEASUREMENT_KIND_BLOOD_PRESSURE) {
				ohe_sim_withings_add_measure (b, sample->values[0], 10,
							      sample->exponent);
				ohe_sim_withings_add_measure (b, sample->values[1], 9,
							      sample->exponent);
				ohe_sim_withings_add_measure (b, sample->values[2], 11,
							      sample->exponent);
				continue;
			}
			for (guint m = 0; m < G_N_ELEMENTS (ohe_sim_withings_meas); m++) {
				if (ohe_sim_withings_meas[m].kind == kind)
					ohe_sim_withings_add_measure (
					    b, sample->values[0], ohe_sim_withings_meas[m].meastype,
					    sample->exponent);
			}
		}
		json_builder_end_array (b);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_set_member_name (b, "more");
	json_builder_add_int_value (b, end < sorted->len ? 1 : 0);
	json_builder_set_member_name (b, "offset");
	json_builder_add_int_value (b, end < sorted->len ? end : 0);
	ohe_sim_withings_end_body (request, b);
}

static gboolean
ohe_sim_withings_field_wanted (const gchar *data_fields, const gchar *field)
{
	g_auto(GStrv) parts = NULL;
	if (data_fields == NULL)
		return TRUE;
	parts = g_strsplit (data_fields, ",", -1);
	return g_strv_contains ((const gchar *const *)parts, field);
}

static void
ohe_sim_withings_intraday (OheSimServer *server, OheSimRequest *request)
{
	const OheSimUser *user = ohe_sim_withings_auth (server, request);
	const gchar *fields = ohe_sim_request_get_param (request, "data_fields");
	g_autoptr(GTree) buckets = NULL; /* time → JsonObject */
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonObject *series;
	JsonObject *body;
	gint64 start = 0, end = 0;

	if (user == NULL)
		return;
	if (!ohe_sim_withings_int_param (request, "startdate", &start) ||
	    !ohe_sim_withings_int_param (request, "enddate", &end)) {
		ohe_sim_withings_respond_status (request, 503,
						 "Invalid Params: startdate, enddate");
		return;
	}
	/* only the first 24 h are answered; enddate is inclusive */
	end = MIN (end + 1, start + 86400);
	start = MAX (start, user->data_from);
	end = MIN (end, user->data_to);

	series = json_object_new ();
	for (guint f = 0; f < G_N_ELEMENTS (ohe_sim_withings_intraday_fields); f++) {
		g_autoptr(GArray) samples = NULL;
		if (!ohe_sim_withings_field_wanted (fields,
						    ohe_sim_withings_intraday_fields[f].field) ||
		    start >= end)
			continue;
		samples = ohe_sim_data_generate (
		    user->seed, user->id, ohe_sim_withings_intraday_fields[f].kind, start, end);
		for (guint s = 0; s < samples->len; s++) {
			OheSimSample *sample = &g_array_index (samples, OheSimSample, s);
			g_autofree gchar *key = g_strdup_printf ("%" G_GINT64_FORMAT, sample->time);
			JsonObject *bucket = json_object_has_member (series, key)
						 ? json_object_get_object_member (series, key)
						 : NULL;
			g_autofree gchar *text = ohe_sim_sample_value_to_string (sample, 0);
			JsonNode *node;
			if (bucket == NULL) {
				bucket = json_object_new ();
				json_object_set_string_member (bucket, "deviceid",
							       OHE_SIM_WITHINGS_DEVICE_WATCH);
				json_object_set_string_member (bucket, "model", "ScanWatch");
				json_object_set_int_member (bucket, "model_id", 93);
				json_object_set_int_member (bucket, "duration", 60);
				json_object_set_object_member (series, key, bucket);
			}
			/* exact decimals: integers stay integers, the rest is parsed from text */
			node = json_from_string (text, NULL);
			if (node != NULL)
				json_object_set_member (
				    bucket, ohe_sim_withings_intraday_fields[f].field, node);
		}
	}
	body = json_object_new ();
	json_object_set_object_member (body, "series", series);
	root = json_node_new (JSON_NODE_OBJECT);
	{
		JsonObject *env = json_object_new ();
		json_object_set_int_member (env, "status", 0);
		json_object_set_object_member (env, "body", body);
		json_node_take_object (root, env);
	}
	ohe_sim_request_respond_json (request, 200, root);
}

/* one ECG a day at a user- and day-specific time */
static gboolean
ohe_sim_withings_ecg_at (const OheSimUser *user, gint64 day, gint64 *time, gint64 *signalid)
{
	guint64 h = ohe_sim_data_hash (user->seed, user->id, 54, (guint64)day);
	*time = day * 86400 + 8 * 3600 + (gint64)(h % (12 * 3600));
	*signalid = (gint64)(h >> 24) % G_GINT64_CONSTANT (1000000000000) + 1;
	return *time >= user->data_from && *time < user->data_to;
}

static void
ohe_sim_withings_heart_list (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	g_autoptr(JsonBuilder) b = ohe_sim_withings_begin_body ();
	gint64 start = user->data_from, end = user->data_to;
	ohe_sim_withings_int_param (request, "startdate", &start);
	ohe_sim_withings_int_param (request, "enddate", &end);
	json_builder_set_member_name (b, "series");
	json_builder_begin_array (b);
	for (gint64 day = start / 86400; day <= end / 86400; day++) {
		gint64 time = 0, signalid = 0;
		OheSimSample hr;
		if (!ohe_sim_withings_ecg_at (user, day, &time, &signalid) || time < start ||
		    time > end)
			continue;
		ohe_sim_data_sample_at (user->seed, user->id, OHE_MEASUREMENT_KIND_HEART_RATE, time,
					&hr);
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "deviceid");
		json_builder_add_string_value (b, OHE_SIM_WITHINGS_DEVICE_WATCH);
		json_builder_set_member_name (b, "model");
		json_builder_add_int_value (b, 93);
		json_builder_set_member_name (b, "ecg");
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "signalid");
		json_builder_add_int_value (b, signalid);
		json_builder_set_member_name (b, "afib");
		json_builder_add_int_value (
		    b, (gint64)(ohe_sim_data_hash (user->seed, user->id, 55, (guint64)day) % 3));
		json_builder_end_object (b);
		json_builder_set_member_name (b, "heart_rate");
		json_builder_add_int_value (b, hr.values[0]);
		json_builder_set_member_name (b, "modified");
		json_builder_add_int_value (b, time + 100);
		json_builder_set_member_name (b, "timestamp");
		json_builder_add_int_value (b, time);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_set_member_name (b, "more");
	json_builder_add_boolean_value (b, FALSE);
	json_builder_set_member_name (b, "offset");
	json_builder_add_int_value (b, 0);
	ohe_sim_withings_end_body (request, b);
}

/* a deterministic waveform: a spike per beat on a flat line, in µV */
static void
ohe_sim_withings_heart_get (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	g_autoptr(JsonBuilder) b = ohe_sim_withings_begin_body ();
	gint64 signalid = 0;
	if (!ohe_sim_withings_int_param (request, "signalid", &signalid) || signalid <= 0) {
		ohe_sim_withings_respond_status (request, 503, "Invalid Params: signalid");
		return;
	}
	json_builder_set_member_name (b, "signal");
	json_builder_begin_array (b);
	for (gint i = 0; i < OHE_SIM_WITHINGS_ECG_SAMPLES; i++) {
		gint phase = i % OHE_SIM_WITHINGS_ECG_FS;
		json_builder_add_int_value (b, phase < 10 ? 100 * phase
							  : (phase < 20 ? 100 * (20 - phase) : 0));
	}
	json_builder_end_array (b);
	json_builder_set_member_name (b, "sampling_frequency");
	json_builder_add_int_value (b, OHE_SIM_WITHINGS_ECG_FS);
	json_builder_set_member_name (b, "wearposition");
	json_builder_add_int_value (b, (gint64)(signalid % 2));
	json_builder_set_member_name (b, "model");
	json_builder_add_int_value (b, 93);
	ohe_sim_withings_end_body (request, b);
}

static void
ohe_sim_withings_getdevice (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	static const struct {
		const gchar *type, *model, *deviceid;
		gint model_id;
	} devices[] = {
	    {"Scale", "Body Cardio", OHE_SIM_WITHINGS_DEVICE_SCALE, 6},
	    {"Blood Pressure Monitor", "BPM Connect", OHE_SIM_WITHINGS_DEVICE_BPM, 45},
	    {"Activity Tracker", "ScanWatch", OHE_SIM_WITHINGS_DEVICE_WATCH, 93},
	};
	g_autoptr(JsonBuilder) b = ohe_sim_withings_begin_body ();
	json_builder_set_member_name (b, "devices");
	json_builder_begin_array (b);
	for (guint i = 0; i < G_N_ELEMENTS (devices); i++) {
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "type");
		json_builder_add_string_value (b, devices[i].type);
		json_builder_set_member_name (b, "model");
		json_builder_add_string_value (b, devices[i].model);
		json_builder_set_member_name (b, "model_id");
		json_builder_add_int_value (b, devices[i].model_id);
		json_builder_set_member_name (b, "battery");
		json_builder_add_string_value (b, "high");
		json_builder_set_member_name (b, "deviceid");
		json_builder_add_string_value (b, devices[i].deviceid);
		json_builder_set_member_name (b, "hash_deviceid");
		json_builder_add_string_value (b, devices[i].deviceid);
		json_builder_set_member_name (b, "timezone");
		json_builder_add_string_value (b, ohe_sim_withings_get_timezone (server, user->id));
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	ohe_sim_withings_end_body (request, b);
}

static void
ohe_sim_withings_notify (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	const gchar *action = ohe_sim_request_get_param (request, "action");
	const gchar *url = ohe_sim_request_get_param (request, "callbackurl");
	gint64 appli = -1;
	g_autoptr(JsonBuilder) b = NULL;

	ohe_sim_withings_int_param (request, "appli", &appli);
	if (g_strcmp0 (action, "list") == 0) {
		GHashTableIter iter;
		gpointer key, value;
		g_autofree gchar *prefix = g_strdup_printf ("%s/", user->id);
		b = ohe_sim_withings_begin_body ();
		json_builder_set_member_name (b, "profiles");
		json_builder_begin_array (b);
		g_mutex_lock (&state->mutex);
		g_hash_table_iter_init (&iter, state->subscriptions);
		while (g_hash_table_iter_next (&iter, &key, &value)) {
			gint64 a = 0;
			if (!g_str_has_prefix (key, prefix))
				continue;
			a = g_ascii_strtoll ((const gchar *)key + strlen (prefix), NULL, 10);
			if (appli >= 0 && a != appli)
				continue;
			json_builder_begin_object (b);
			json_builder_set_member_name (b, "appli");
			json_builder_add_int_value (b, a);
			json_builder_set_member_name (b, "callbackurl");
			json_builder_add_string_value (b, value);
			json_builder_set_member_name (b, "comment");
			json_builder_add_string_value (b, "sim");
			json_builder_end_object (b);
		}
		g_mutex_unlock (&state->mutex);
		json_builder_end_array (b);
		ohe_sim_withings_end_body (request, b);
		return;
	}
	if (url == NULL || appli < 0) {
		ohe_sim_withings_respond_status (request, 503,
						 "Invalid Params: callbackurl, appli");
		return;
	}
	if (g_strcmp0 (action, "subscribe") == 0 || g_strcmp0 (action, "revoke") == 0) {
		g_autofree gchar *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, user->id, appli);
		gboolean ok = TRUE;
		g_mutex_lock (&state->mutex);
		if (g_strcmp0 (action, "subscribe") == 0)
			g_hash_table_replace (state->subscriptions, g_steal_pointer (&key),
					      g_strdup (url));
		else
			ok = g_hash_table_remove (state->subscriptions, key);
		g_mutex_unlock (&state->mutex);
		if (!ok) {
			ohe_sim_withings_respond_status (request, 2553,
							 "Unauthorized: no such subscription");
			return;
		}
		b = ohe_sim_withings_begin_body ();
		ohe_sim_withings_end_body (request, b);
		return;
	}
	ohe_sim_withings_respond_status (request, 2554, "Not implemented");
}

/* getnonce and the signed calls: the signature decides, not a bearer */
static gboolean
ohe_sim_withings_check_signature (OheSimServer *server,
				  OheSimRequest *request,
				  const gchar *last_key,
				  const gchar *last_value)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	const gchar *client_id = ohe_sim_request_get_param (request, "client_id");
	const gchar *signature = ohe_sim_request_get_param (request, "signature");
	const gchar *action = ohe_sim_request_get_param (request, "action");
	g_autofree gchar *msg = NULL;
	g_autofree gchar *expected = NULL;
	gboolean ok;

	g_mutex_lock (&state->mutex);
	ok = state->client_secret != NULL && g_strcmp0 (client_id, state->client_id) == 0 &&
	     signature != NULL && last_value != NULL;
	if (ok) {
		/* action, client_id and nonce/timestamp are already in key order */
		msg = g_strdup_printf ("%s,%s,%s", action, client_id, last_value);
		expected = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
						      (const guchar *)state->client_secret,
						      strlen (state->client_secret), msg, -1);
		ok = g_ascii_strcasecmp (expected, signature) == 0;
	}
	g_mutex_unlock (&state->mutex);
	if (!ok)
		ohe_sim_withings_respond_status (request, 100, "Authentication failed: signature");
	return ok;
}

static gboolean
ohe_sim_withings_take_nonce (OheSimServer *server, OheSimRequest *request)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	const gchar *nonce = ohe_sim_request_get_param (request, "nonce");
	gint64 now = ohe_clock_get_real (ohe_sim_server_get_clock (server)) / G_USEC_PER_SEC;
	gint64 *issued;
	gboolean ok;

	g_mutex_lock (&state->mutex);
	issued = nonce != NULL ? g_hash_table_lookup (state->nonces, nonce) : NULL;
	ok = issued != NULL && now - *issued <= OHE_SIM_WITHINGS_NONCE_LIFETIME_S;
	if (nonce != NULL)
		g_hash_table_remove (state->nonces, nonce);
	g_mutex_unlock (&state->mutex);
	if (!ok)
		ohe_sim_withings_respond_status (request, 503, "Invalid Params: nonce");
	return ok;
}

static void
ohe_sim_withings_getnonce (OheSimServer *server, OheSimRequest *request)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	gint64 now = ohe_clock_get_real (ohe_sim_server_get_clock (server)) / G_USEC_PER_SEC;
	const gchar *ts = ohe_sim_request_get_param (request, "timestamp");
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree gchar *nonce = NULL;
	g_autofree gchar *seed = g_uuid_string_random ();
	gint64 *issued;

	if (!ohe_sim_withings_check_signature (server, request, "timestamp", ts))
		return;
	nonce = g_compute_checksum_for_string (G_CHECKSUM_SHA1, seed, -1);
	issued = g_new (gint64, 1);
	*issued = now;
	g_mutex_lock (&state->mutex);
	g_hash_table_replace (state->nonces, g_strdup (nonce), issued);
	g_mutex_unlock (&state->mutex);
	b = ohe_sim_withings_begin_body ();
	json_builder_set_member_name (b, "nonce");
	json_builder_add_string_value (b, nonce);
	ohe_sim_withings_end_body (request, b);
}

static void
ohe_sim_withings_oauth2 (OheSimServer *server, OheSimRequest *request)
{
	static const gchar *const token_params[] = {
	    "grant_type",    "code",	      "redirect_uri",  "client_id",
	    "client_secret", "code_verifier", "refresh_token",
	};
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (server, "withings");
	const gchar *action = ohe_sim_request_get_param (request, "action");
	g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr(OheSimTokenGrant) grant = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	gint64 userid = 0;

	if (g_strcmp0 (action, "revoke") == 0) {
		const gchar *user = ohe_sim_request_get_param (request, "userid");
		if (!ohe_sim_withings_check_signature (
			server, request, "nonce", ohe_sim_request_get_param (request, "nonce")) ||
		    !ohe_sim_withings_take_nonce (server, request))
			return;
		if (user == NULL || ohe_sim_oauth_revoke_user (oauth, user) == 0) {
			ohe_sim_withings_respond_status (request, 503, "Invalid Params: userid");
			return;
		}
		b = ohe_sim_withings_begin_body ();
		ohe_sim_withings_end_body (request, b);
		return;
	}
	if (g_strcmp0 (action, "requesttoken") != 0) {
		ohe_sim_withings_respond_status (request, 2554, "Not implemented");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (token_params); i++) {
		const gchar *value = ohe_sim_request_get_param (request, token_params[i]);
		if (value != NULL)
			g_hash_table_insert (params, (gpointer)token_params[i], (gpointer)value);
	}
	grant = ohe_sim_oauth_token (oauth, params, &error);
	if (grant == NULL) {
		if (g_error_matches (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_CLIENT))
			ohe_sim_withings_respond_status (request, 100, "Authentication failed");
		else
			ohe_sim_withings_respond_status (request, 503,
							 "Invalid Params: invalid refresh_token");
		return;
	}
	b = ohe_sim_withings_begin_body ();
	json_builder_set_member_name (b, "userid");
	/* the spec's integer */
	if (g_ascii_string_to_signed (grant->user_id, 10, 0, G_MAXINT64, &userid, NULL))
		json_builder_add_int_value (b, userid);
	else
		json_builder_add_string_value (b, grant->user_id);
	json_builder_set_member_name (b, "access_token");
	json_builder_add_string_value (b, grant->access_token);
	if (grant->refresh_token != NULL) {
		json_builder_set_member_name (b, "refresh_token");
		json_builder_add_string_value (b, grant->refresh_token);
	}
	json_builder_set_member_name (b, "expires_in");
	json_builder_add_int_value (b, grant->expires_in);
	json_builder_set_member_name (b, "scope");
	json_builder_add_string_value (b, grant->scope != NULL ? grant->scope : "");
	json_builder_set_member_name (b, "token_type");
	json_builder_add_string_value (b, "Bearer");
	ohe_sim_withings_end_body (request, b);
}

static void
ohe_sim_withings_handle (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	const gchar *action = ohe_sim_request_get_param (request, "action");
	const gchar *sub = request->subpath;
	const OheSimUser *user;

	if (g_strcmp0 (sub, "/oauth2_user/authorize2") == 0) {
		ohe_sim_oauth_handle_authorize (ohe_sim_server_get_oauth (server, "withings"),
						request);
		return;
	}
	if (g_strcmp0 (sub, "/v2/oauth2") == 0) {
		ohe_sim_withings_oauth2 (server, request);
		return;
	}
	if (g_strcmp0 (sub, "/v2/signature") == 0 && g_strcmp0 (action, "getnonce") == 0) {
		ohe_sim_withings_getnonce (server, request);
		return;
	}
	if (g_strcmp0 (sub, "/measure") == 0 && g_strcmp0 (action, "getmeas") == 0) {
		ohe_sim_withings_getmeas (server, request);
		return;
	}
	if (g_strcmp0 (sub, "/v2/measure") == 0 && g_strcmp0 (action, "getintradayactivity") == 0) {
		ohe_sim_withings_intraday (server, request);
		return;
	}
	if (g_strcmp0 (sub, "/v2/heart") != 0 && g_strcmp0 (sub, "/v2/user") != 0 &&
	    g_strcmp0 (sub, "/notify") != 0) {
		ohe_sim_withings_respond_status (request, 2554, "Not implemented");
		return;
	}
	user = ohe_sim_withings_auth (server, request);
	if (user == NULL)
		return;
	if (g_strcmp0 (sub, "/v2/heart") == 0 && g_strcmp0 (action, "list") == 0)
		ohe_sim_withings_heart_list (server, request, user);
	else if (g_strcmp0 (sub, "/v2/heart") == 0 && g_strcmp0 (action, "get") == 0)
		ohe_sim_withings_heart_get (server, request, user);
	else if (g_strcmp0 (sub, "/v2/user") == 0 && g_strcmp0 (action, "getdevice") == 0)
		ohe_sim_withings_getdevice (server, request, user);
	else if (g_strcmp0 (sub, "/notify") == 0)
		ohe_sim_withings_notify (server, request, user);
	else
		ohe_sim_withings_respond_status (request, 2554, "Not implemented");
}

/* Withings reports throttling and bad tokens in the envelope of an HTTP 200 */
static gboolean
ohe_sim_withings_fault (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	switch (request->fault) {
	case OHE_SIM_FAULT_RATE_LIMITED:
		ohe_sim_withings_respond_status (request, 601, "Too many request");
		return TRUE;
	case OHE_SIM_FAULT_EXPIRED_TOKEN:
	case OHE_SIM_FAULT_REVOKED_TOKEN:
		ohe_sim_withings_respond_status (
		    request, 401,
		    "XRequestID: Not provided invalid_token: The access token provided is invalid");
		return TRUE;
	default:
		return FALSE;
	}
}

gchar *
ohe_sim_withings_build_notification (const gchar *user, gint appli, gint64 start, gint64 end)
{
	g_autofree gchar *escaped = g_uri_escape_string (user, NULL, FALSE);
	return g_strdup_printf ("userid=%s&appli=%d&startdate=%" G_GINT64_FORMAT
				"&enddate=%" G_GINT64_FORMAT,
				escaped, appli, start, end);
}

static gboolean
ohe_sim_withings_notifier (OheSimServer *server,
			   JsonObject *params,
			   OheSimWebhookMessage *message,
			   gpointer user_data,
			   GError **error)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	const gchar *user = json_object_get_string_member_with_default (params, "user", NULL);
	gint64 appli = json_object_get_int_member_with_default (params, "appli", 1);
	gint64 start = json_object_get_int_member_with_default (params, "start", 0);
	gint64 end = json_object_get_int_member_with_default (params, "end", start);
	g_autofree gchar *key = NULL;
	g_autofree gchar *body = NULL;

	if (user == NULL || ohe_sim_server_lookup_user (server, user) == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "withings notify needs a known 'user'");
		return FALSE;
	}
	key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, user, appli);
	g_mutex_lock (&state->mutex);
	message->url = g_strdup (g_hash_table_lookup (state->subscriptions, key));
	g_mutex_unlock (&state->mutex);
	body = ohe_sim_withings_build_notification (user, (gint)appli, start, end);
	ohe_sim_webhook_message_set_body (message, "application/x-www-form-urlencoded", body);
	return TRUE;
}

void
ohe_sim_withings_set_client (OheSimServer *server,
			     const gchar *client_id,
			     const gchar *client_secret)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	g_return_if_fail (state != NULL);
	g_mutex_lock (&state->mutex);
	g_free (state->client_id);
	g_free (state->client_secret);
	state->client_id = g_strdup (client_id);
	state->client_secret = g_strdup (client_secret);
	g_mutex_unlock (&state->mutex);
	ohe_sim_oauth_add_client (ohe_sim_server_get_oauth (server, "withings"), client_id,
				  client_secret);
}

void
ohe_sim_withings_set_page_size (OheSimServer *server, guint page_size)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	g_return_if_fail (state != NULL && page_size > 0);
	g_mutex_lock (&state->mutex);
	state->page_size = page_size;
	g_mutex_unlock (&state->mutex);
}

guint
ohe_sim_withings_get_n_subscriptions (OheSimServer *server, const gchar *user)
{
	OheSimWithings *state = ohe_sim_withings_get (server);
	g_autofree gchar *prefix = g_strdup_printf ("%s/", user);
	GHashTableIter iter;
	gpointer key;
	guint n = 0;
	g_mutex_lock (&state->mutex);
	g_hash_table_iter_init (&iter, state->subscriptions);
	while (g_hash_table_iter_next (&iter, &key, NULL))
		n += g_str_has_prefix (key, prefix) ? 1 : 0;
	g_mutex_unlock (&state->mutex);
	return n;
}

void
ohe_sim_withings_register (OheSimServer *server)
{
	OheSimWithings *state;
	g_autoptr(OheSimOAuth) oauth = NULL;

	g_return_if_fail (OHE_IS_SIM_SERVER (server));
	state = g_new0 (OheSimWithings, 1);
	g_mutex_init (&state->mutex);
	state->nonces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	state->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	state->page_size = OHE_SIM_WITHINGS_DEFAULT_PAGE_SIZE;
	g_object_set_data_full (G_OBJECT (server), OHE_SIM_WITHINGS_STATE, state,
				(GDestroyNotify)ohe_sim_withings_free);

	/* a code lives 30 s, an access token 3 h, refresh tokens rotate */
	oauth = ohe_sim_oauth_new (ohe_sim_server_get_clock (server));
	ohe_sim_oauth_set_code_lifetime (oauth, 30);
	ohe_sim_oauth_set_access_lifetime (oauth, 10800);
	ohe_sim_oauth_set_rotate_refresh (oauth, TRUE);
	ohe_sim_server_add_oauth (server, "withings", oauth);
	ohe_sim_server_add_provider (server, "/withings", ohe_sim_withings_handle, NULL);
	ohe_sim_server_set_fault_func (server, "/withings", ohe_sim_withings_fault, NULL);
	ohe_sim_server_add_notifier (server, "withings", ohe_sim_withings_notifier, NULL);
}
