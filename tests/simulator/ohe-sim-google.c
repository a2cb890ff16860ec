/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gcrypt.h>
#include <string.h>

#include "ohe-sim-google.h"

/*
 * The Google Health API under /google (https://developers.google.com/health/about): Google OAuth
 * (/o/oauth2/v2/auth with PKCE, /token in RFC 6749 JSON with rotating refresh
 * tokens, /revoke), users/{user}/identity, settings and pairedDevices, and
 * dataTypes/{type}/dataPoints lists newest first with AIP-160 time filters and
 * opaque page tokens. Values come from the simulator's generator, ECG recordings
 * (waveform included) from its ECG generator; int64 values
 * are JSON strings, durations "3600s", times RFC 3339 with the user's UTC
 * offset. Errors use Google's envelope {"error": {code, message, status,
 * details[ErrorInfo]}}; webhooks carry the §4.4 body signed with ECDSA P-256
 * (a key generated at first use) in X-HEALTHAPI-SIGNATURE.
 *
 * Not simulated: reconcile, rollUp, dailyRollUp, profile, subscribers,
 * civil-time filters, and any data type without a generator (their lists are
 * empty).
 */

#define OHE_SIM_GOOGLE_STATE	  "ohe-sim-google-state"
#define OHE_SIM_GOOGLE_PROVIDER	  "google"
#define OHE_SIM_GOOGLE_SCOPE	  "https://www.googleapis.com/auth/googlehealth"
#define OHE_SIM_GOOGLE_SUBSCRIBER "ohe-sim-subscription"

typedef struct {
	GMutex mutex;
	GHashTable *zones;	/* owned, user → IANA zone override */
	GHashTable *data_ends;	/* owned, user → gint64 * */
	GHashTable *unlinked;	/* owned, set of users without a Google Health profile */
	GHashTable *tz_cache;	/* owned, zone name → GTimeZone */
	gchar *endpoint_secret; /* owned, nullable */
	gcry_sexp_t keypair;	/* owned, nullable until first use */
	gchar *public_pem;	/* owned, nullable until first use */
} OheSimGoogle;

typedef enum {
	OHE_SIM_GOOGLE_SAMPLE,
	OHE_SIM_GOOGLE_INTERVAL,
	OHE_SIM_GOOGLE_DAILY,
	OHE_SIM_GOOGLE_SESSION,
} OheSimGoogleRecord;

typedef enum {
	OHE_SIM_GOOGLE_INT64,  /* a JSON string */
	OHE_SIM_GOOGLE_DOUBLE, /* a JSON number */
	OHE_SIM_GOOGLE_GRAMS,  /* kilograms of the generator served as a number of grams */
} OheSimGoogleEncoding;

typedef struct {
	const gchar *id;
	const gchar *field;
	const gchar *filter;
	OheSimGoogleRecord record;
	OheMeasurementKind kind; /* UNKNOWN: no generator, the list is empty */
	const gchar *member;
	OheSimGoogleEncoding encoding;
	const gchar *scope;
	const gchar *method; /* dataSource.recordingMethod */
	const gchar *device; /* dataSource.device.displayName, nullable */
	const gchar *form_factor;
} OheSimGoogleDataType;

#define K(x) OHE_MEASUREMENT_KIND_##x
#define HM   ".health_metrics_and_measurements.readonly"
#define AF   ".activity_and_fitness.readonly"

static const OheSimGoogleDataType ohe_sim_google_types[] = {
    {"heart-rate", "heartRate", "heart_rate", OHE_SIM_GOOGLE_SAMPLE, K (HEART_RATE),
     "beatsPerMinute", OHE_SIM_GOOGLE_INT64, HM, "PASSIVELY_MEASURED", "Charge 6", "FITNESS_BAND"},
    {"steps", "steps", "steps", OHE_SIM_GOOGLE_INTERVAL, K (STEPS), "count", OHE_SIM_GOOGLE_INT64,
     AF, "PASSIVELY_MEASURED", "Charge 6", "FITNESS_BAND"},
    {"oxygen-saturation", "oxygenSaturation", "oxygen_saturation", OHE_SIM_GOOGLE_SAMPLE, K (SPO2),
     "percentage", OHE_SIM_GOOGLE_DOUBLE, HM, "PASSIVELY_MEASURED", "Charge 6", "FITNESS_BAND"},
    {"heart-rate-variability", "heartRateVariability", "heart_rate_variability",
     OHE_SIM_GOOGLE_SAMPLE, K (HRV_RMSSD), "rootMeanSquareOfSuccessiveDifferencesMilliseconds",
     OHE_SIM_GOOGLE_DOUBLE, HM, "PASSIVELY_MEASURED", "Charge 6", "FITNESS_BAND"},
    {"weight", "weight", "weight", OHE_SIM_GOOGLE_SAMPLE, K (BODY_WEIGHT), "weightGrams",
     OHE_SIM_GOOGLE_GRAMS, HM, "ACTIVELY_MEASURED", "Aria Air", "SCALE"},
    {"body-fat", "bodyFat", "body_fat", OHE_SIM_GOOGLE_SAMPLE, K (BODY_FAT_RATIO), "percentage",
     OHE_SIM_GOOGLE_DOUBLE, HM, "ACTIVELY_MEASURED", "Aria Air", "SCALE"},
    {"core-body-temperature", "coreBodyTemperature", "core_body_temperature", OHE_SIM_GOOGLE_SAMPLE,
     K (BODY_TEMPERATURE), "temperatureCelsius", OHE_SIM_GOOGLE_DOUBLE, HM, "MANUAL", NULL, NULL},
    {"daily-resting-heart-rate", "dailyRestingHeartRate", "daily_resting_heart_rate",
     OHE_SIM_GOOGLE_DAILY, K (RESTING_HEART_RATE), "beatsPerMinute", OHE_SIM_GOOGLE_INT64, HM,
     "DERIVED", NULL, NULL},
    {"daily-heart-rate-variability", "dailyHeartRateVariability", "daily_heart_rate_variability",
     OHE_SIM_GOOGLE_DAILY, K (HRV_RMSSD), "averageHeartRateVariabilityMilliseconds",
     OHE_SIM_GOOGLE_DOUBLE, HM, "DERIVED", NULL, NULL},
    {"daily-respiratory-rate", "dailyRespiratoryRate", "daily_respiratory_rate",
     OHE_SIM_GOOGLE_DAILY, K (RESPIRATORY_RATE), "breathsPerMinute", OHE_SIM_GOOGLE_DOUBLE, HM,
     "DERIVED", NULL, NULL},
    /* real types the generator has nothing for: valid, always empty */
    {"daily-oxygen-saturation", "dailyOxygenSaturation", "daily_oxygen_saturation",
     OHE_SIM_GOOGLE_DAILY, K (UNKNOWN), NULL, OHE_SIM_GOOGLE_DOUBLE, HM, NULL, NULL, NULL},
    {"respiratory-rate-sleep-summary", "respiratoryRateSleepSummary",
     "respiratory_rate_sleep_summary", OHE_SIM_GOOGLE_SAMPLE, K (UNKNOWN), NULL,
     OHE_SIM_GOOGLE_DOUBLE, HM, NULL, NULL, NULL},
    {"daily-sleep-temperature-derivations", "dailySleepTemperatureDerivations",
     "daily_sleep_temperature_derivations", OHE_SIM_GOOGLE_DAILY, K (UNKNOWN), NULL,
     OHE_SIM_GOOGLE_DOUBLE, HM, NULL, NULL, NULL},
    {"height", "height", "height", OHE_SIM_GOOGLE_SAMPLE, K (UNKNOWN), NULL, OHE_SIM_GOOGLE_INT64,
     HM, NULL, NULL, NULL},
    /* served by ohe_sim_google_append_ecg_page(): the recordings have their own generator */
    {"electrocardiogram", "electrocardiogram", "electrocardiogram", OHE_SIM_GOOGLE_SESSION, K (ECG),
     NULL, OHE_SIM_GOOGLE_INT64, ".ecg.readonly", "ACTIVELY_MEASURED", "Sense 2", "WATCH"},
    {"irregular-rhythm-notification", "irregularRhythmNotification",
     "irregular_rhythm_notification", OHE_SIM_GOOGLE_SESSION, K (UNKNOWN), NULL,
     OHE_SIM_GOOGLE_INT64, ".irn.readonly", NULL, NULL, NULL},
};

#undef K
#undef HM
#undef AF

static const gchar *const ohe_sim_google_zones[] = {
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/New_York",
};

static void
ohe_sim_google_free (OheSimGoogle *state)
{
	g_mutex_clear (&state->mutex);
	g_hash_table_unref (state->zones);
	g_hash_table_unref (state->data_ends);
	g_hash_table_unref (state->unlinked);
	g_hash_table_unref (state->tz_cache);
	g_free (state->endpoint_secret);
	if (state->keypair != NULL)
		gcry_sexp_release (state->keypair);
	g_free (state->public_pem);
	g_free (state);
}

static OheSimGoogle *
ohe_sim_google_get (OheSimServer *server)
{
	return g_object_get_data (G_OBJECT (server), OHE_SIM_GOOGLE_STATE);
}

static const OheSimGoogleDataType *
ohe_sim_google_lookup_type (const gchar *id)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_sim_google_types); i++) {
		if (g_strcmp0 (ohe_sim_google_types[i].id, id) == 0)
			return &ohe_sim_google_types[i];
	}
	return NULL;
}

/* users and their settings */

gchar *
ohe_sim_google_get_health_user_id (const gchar *user)
{
	return g_strdup_printf ("SimHealthUser-%s", user);
}

/* the legacy Fitbit id: six characters of [A-Z0-9], stable per seed and user */
gchar *
ohe_sim_google_get_legacy_user_id (OheSimServer *server, const gchar *user)
{
	static const gchar alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const OheSimUser *u = ohe_sim_server_lookup_user (server, user);
	guint64 h = ohe_sim_data_hash (u != NULL ? u->seed : 0, user, 11, 0);
	gchar id[7];
	for (guint i = 0; i < 6; i++) {
		id[i] = alphabet[h % (sizeof (alphabet) - 1)];
		h /= sizeof (alphabet) - 1;
	}
	id[6] = '\0';
	return g_strdup (id);
}

gchar *
ohe_sim_google_dup_timezone (OheSimServer *server, const gchar *user)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	const OheSimUser *u = ohe_sim_server_lookup_user (server, user);
	guint64 h = ohe_sim_data_hash (u != NULL ? u->seed : 0, user, 7, 0);
	gchar *zone;
	g_mutex_lock (&state->mutex);
	zone = g_strdup (g_hash_table_lookup (state->zones, user));
	g_mutex_unlock (&state->mutex);
	if (zone == NULL)
		zone = g_strdup (ohe_sim_google_zones[h % G_N_ELEMENTS (ohe_sim_google_zones)]);
	return zone;
}

void
ohe_sim_google_set_timezone (OheSimServer *server, const gchar *user, const gchar *zone)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	g_return_if_fail (state != NULL && user != NULL && zone != NULL);
	g_mutex_lock (&state->mutex);
	g_hash_table_replace (state->zones, g_strdup (user), g_strdup (zone));
	g_mutex_unlock (&state->mutex);
}

/* GLib parses the tzfile on every lookup, which costs more than a whole page: cache */
static GTimeZone *
ohe_sim_google_new_zone (OheSimServer *server, const gchar *user)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	g_autofree gchar *name = ohe_sim_google_dup_timezone (server, user);
	GTimeZone *tz;

	g_mutex_lock (&state->mutex);
	tz = g_hash_table_lookup (state->tz_cache, name);
	if (tz == NULL) {
		tz = g_time_zone_new_identifier (name);
		if (tz == NULL)
			tz = g_time_zone_new_utc ();
		g_hash_table_insert (state->tz_cache, g_strdup (name), tz);
	}
	g_time_zone_ref (tz);
	g_mutex_unlock (&state->mutex);
	return tz;
}

/* the offset that applied to the user at @time, DST included */
gint32
ohe_sim_google_get_utc_offset (OheSimServer *server, const gchar *user, gint64 time)
{
	g_autoptr (GTimeZone) tz = ohe_sim_google_new_zone (server, user);
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
	g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
	return (gint32)(g_date_time_get_utc_offset (local) / G_USEC_PER_SEC);
}

gint64
ohe_sim_google_get_data_end (OheSimServer *server, const gchar *user)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	const OheSimUser *u = ohe_sim_server_lookup_user (server, user);
	const gint64 *end;
	gint64 value;
	g_return_val_if_fail (u != NULL, 0);
	g_mutex_lock (&state->mutex);
	end = g_hash_table_lookup (state->data_ends, user);
	value = end != NULL ? *end : u->data_to;
	g_mutex_unlock (&state->mutex);
	return value;
}

/* moves the end of a user's data, e.g. forward to make new data appear for an incremental sync */
void
ohe_sim_google_set_data_end (OheSimServer *server, const gchar *user, gint64 end)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	g_return_if_fail (state != NULL && user != NULL);
	g_mutex_lock (&state->mutex);
	g_hash_table_replace (state->data_ends, g_strdup (user), g_memdup2 (&end, sizeof (end)));
	g_mutex_unlock (&state->mutex);
}

void
ohe_sim_google_set_account_linked (OheSimServer *server, const gchar *user, gboolean linked)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	g_return_if_fail (state != NULL && user != NULL);
	g_mutex_lock (&state->mutex);
	if (linked)
		g_hash_table_remove (state->unlinked, user);
	else
		g_hash_table_add (state->unlinked, g_strdup (user));
	g_mutex_unlock (&state->mutex);
}

void
ohe_sim_google_set_endpoint_secret (OheSimServer *server, const gchar *secret)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	g_return_if_fail (state != NULL);
	g_mutex_lock (&state->mutex);
	g_free (state->endpoint_secret);
	state->endpoint_secret = g_strdup (secret);
	g_mutex_unlock (&state->mutex);
}

void
ohe_sim_google_set_client (OheSimServer *server, const gchar *client_id, const gchar *client_secret)
{
	ohe_sim_oauth_add_client (ohe_sim_server_get_oauth (server, OHE_SIM_GOOGLE_PROVIDER),
				  client_id, client_secret);
}

/* errors */

/* Google's envelope around a google.rpc.Status with one ErrorInfo */
static void
ohe_sim_google_respond_status (OheSimRequest *request,
			       guint code,
			       const gchar *status,
			       const gchar *reason,
			       const gchar *message)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "error");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "code");
	json_builder_add_int_value (b, code);
	json_builder_set_member_name (b, "message");
	json_builder_add_string_value (b, message);
	json_builder_set_member_name (b, "status");
	json_builder_add_string_value (b, status);
	if (reason != NULL) {
		json_builder_set_member_name (b, "details");
		json_builder_begin_array (b);
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "@type");
		json_builder_add_string_value (b, "type.googleapis.com/google.rpc.ErrorInfo");
		json_builder_set_member_name (b, "reason");
		json_builder_add_string_value (b, reason);
		json_builder_set_member_name (b, "domain");
		json_builder_add_string_value (b, "googleapis.com");
		json_builder_end_object (b);
		json_builder_end_array (b);
	}
	json_builder_end_object (b);
	json_builder_end_object (b);
	ohe_sim_request_respond_json_builder (request, code, b);
}

static void
ohe_sim_google_respond_unauthenticated (OheSimRequest *request, const gchar *reason)
{
	soup_message_headers_replace (
	    soup_server_message_get_response_headers (request->msg), "WWW-Authenticate",
	    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
	ohe_sim_google_respond_status (
	    request, SOUP_STATUS_UNAUTHORIZED, "UNAUTHENTICATED", reason,
	    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
	    "login cookie or other valid authentication credential.");
}

static void
ohe_sim_google_respond_bad_request (OheSimRequest *request,
				    const gchar *reason,
				    const gchar *message)
{
	ohe_sim_google_respond_status (request, SOUP_STATUS_BAD_REQUEST, "INVALID_ARGUMENT", reason,
				       message);
}

/* a 429, 5xx or token fault the way Google's front end answers it */
static gboolean
ohe_sim_google_fault (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	OheSimFault *fault = ohe_sim_server_get_fault (server);
	gboolean token_endpoint = g_strcmp0 (request->subpath, "/token") == 0;

	switch (request->fault) {
	case OHE_SIM_FAULT_RATE_LIMITED: {
		g_autofree gchar *retry =
		    g_strdup_printf ("%u", ohe_sim_fault_get_retry_after (fault));
		soup_message_headers_replace (
		    soup_server_message_get_response_headers (request->msg), "Retry-After", retry);
		ohe_sim_google_respond_status (request, 429, "RESOURCE_EXHAUSTED",
					       "RATE_LIMIT_EXCEEDED",
					       "Quota exceeded for quota metric 'Read requests' "
					       "and limit 'Read requests per minute per user'.");
		return TRUE;
	}
	case OHE_SIM_FAULT_INTERNAL:
		ohe_sim_google_respond_status (request, SOUP_STATUS_INTERNAL_SERVER_ERROR,
					       "INTERNAL", NULL, "Internal error encountered.");
		return TRUE;
	case OHE_SIM_FAULT_UNAVAILABLE:
		ohe_sim_google_respond_status (request, SOUP_STATUS_SERVICE_UNAVAILABLE,
					       "UNAVAILABLE", NULL,
					       "The service is currently unavailable.");
		return TRUE;
	case OHE_SIM_FAULT_EXPIRED_TOKEN:
	case OHE_SIM_FAULT_REVOKED_TOKEN:
		if (token_endpoint) {
			ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST,
						       "invalid_grant",
						       "Token has been expired or revoked.");
			return TRUE;
		}
		ohe_sim_google_respond_unauthenticated (request, request->fault ==
									 OHE_SIM_FAULT_EXPIRED_TOKEN
								     ? "ACCESS_TOKEN_EXPIRED"
								     : "ACCESS_TOKEN_INVALID");
		return TRUE;
	default:
		return FALSE;
	}
}

/* OAuth */

/* Google's token endpoint: RFC 6749 JSON, with Google's descriptions */
static void
ohe_sim_google_token (OheSimServer *server, OheSimRequest *request)
{
	static const gchar *const names[] = {
	    "grant_type",    "code",	      "redirect_uri",  "client_id",
	    "client_secret", "code_verifier", "refresh_token",
	};
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (server, OHE_SIM_GOOGLE_PROVIDER);
	g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (OheSimTokenGrant) grant = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) node = NULL;

	if (g_strcmp0 (request->method, "POST") != 0) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED,
					       "invalid_request", "Method not allowed.");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		const gchar *value = ohe_sim_request_get_param (request, names[i]);
		if (value != NULL)
			g_hash_table_insert (params, (gpointer)names[i], (gpointer)value);
	}
	grant = ohe_sim_oauth_token (oauth, params, &error);
	if (grant == NULL) {
		const gchar *code = ohe_sim_oauth_error_to_string (error);
		if (g_error_matches (error, OHE_SIM_OAUTH_ERROR,
				     OHE_SIM_OAUTH_ERROR_INVALID_CLIENT))
			ohe_sim_request_respond_error (request, SOUP_STATUS_UNAUTHORIZED, code,
						       "Unauthorized");
		else if (g_error_matches (error, OHE_SIM_OAUTH_ERROR,
					  OHE_SIM_OAUTH_ERROR_INVALID_GRANT))
			ohe_sim_request_respond_error (
			    request, SOUP_STATUS_BAD_REQUEST, code,
			    g_hash_table_contains (params, "refresh_token")
				? "Token has been expired or revoked."
				: "Malformed auth code.");
		else
			ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, code,
						       "Bad Request");
		return;
	}
	node = ohe_sim_token_grant_to_json (grant);
	ohe_sim_request_respond_json (request, SOUP_STATUS_OK, node);
}

static void
ohe_sim_google_revoke (OheSimServer *server, OheSimRequest *request)
{
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (server, OHE_SIM_GOOGLE_PROVIDER);
	const gchar *token = ohe_sim_request_get_param (request, "token");
	if (token == NULL || !ohe_sim_oauth_revoke (oauth, token)) {
		ohe_sim_request_respond_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_token",
					       "Token expired or revoked");
		return;
	}
	ohe_sim_request_respond_text (request, SOUP_STATUS_OK, "application/json", "{}");
}

/* the user of the bearer, or NULL after answering */
static const OheSimUser *
ohe_sim_google_auth (OheSimServer *server,
		     OheSimRequest *request,
		     const gchar *path_user,
		     gchar **scope)
{
	OheSimOAuth *oauth = ohe_sim_server_get_oauth (server, OHE_SIM_GOOGLE_PROVIDER);
	OheSimGoogle *state = ohe_sim_google_get (server);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *user_id = NULL;
	g_autofree gchar *health_id = NULL;
	const OheSimUser *user;
	gboolean unlinked;

	user_id = ohe_sim_oauth_validate_bearer (oauth, ohe_sim_request_get_bearer (request), scope,
						 &error);
	if (user_id == NULL) {
		ohe_sim_google_respond_unauthenticated (
		    request,
		    g_error_matches (error, OHE_SIM_OAUTH_ERROR, OHE_SIM_OAUTH_ERROR_EXPIRED_TOKEN)
			? "ACCESS_TOKEN_EXPIRED"
			: "ACCESS_TOKEN_INVALID");
		return NULL;
	}
	user = ohe_sim_server_lookup_user (server, user_id);
	health_id = ohe_sim_google_get_health_user_id (user_id);
	if (user == NULL ||
	    (g_strcmp0 (path_user, "me") != 0 && g_strcmp0 (path_user, health_id) != 0)) {
		ohe_sim_google_respond_status (request, SOUP_STATUS_FORBIDDEN, "PERMISSION_DENIED",
					       NULL, "The caller does not have permission");
		return NULL;
	}
	g_mutex_lock (&state->mutex);
	unlinked = g_hash_table_contains (state->unlinked, user_id);
	g_mutex_unlock (&state->mutex);
	if (unlinked) {
		ohe_sim_google_respond_status (
		    request, SOUP_STATUS_BAD_REQUEST, "FAILED_PRECONDITION", "ACCOUNT_NOT_LINKED",
		    "The Google account is not linked to a Fitbit account.");
		return NULL;
	}
	return user;
}

/* a space-separated OAuth scope holds the read scope @suffix (NULL: any Google Health scope) */
static gboolean
ohe_sim_google_scope_has (const gchar *scope, const gchar *suffix)
{
	g_auto (GStrv) parts = g_strsplit (scope != NULL ? scope : "", " ", -1);
	g_autofree gchar *full = g_strconcat (OHE_SIM_GOOGLE_SCOPE, suffix, NULL);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (suffix == NULL ? g_str_has_prefix (parts[i], OHE_SIM_GOOGLE_SCOPE)
				   : g_strcmp0 (parts[i], full) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
ohe_sim_google_check_scope (OheSimRequest *request, const gchar *scope, const gchar *suffix)
{
	if (ohe_sim_google_scope_has (scope, suffix))
		return TRUE;
	ohe_sim_google_respond_status (request, SOUP_STATUS_FORBIDDEN, "PERMISSION_DENIED",
				       "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
				       "Request had insufficient authentication scopes.");
	return FALSE;
}

/* JSON text: numbers keep their exact decimals, which JsonBuilder's doubles would not */

static void
ohe_sim_google_append_time (GString *out, gint64 time)
{
	g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (time);
	g_autofree gchar *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
	g_string_append_printf (out, "\"%s\"", text);
}

static void
ohe_sim_google_append_date (GString *out, GDateTime *dt)
{
	g_string_append_printf (out, "{\"year\":%d,\"month\":%d,\"day\":%d}",
				g_date_time_get_year (dt), g_date_time_get_month (dt),
				g_date_time_get_day_of_month (dt));
}

/* CivilDateTime; proto3 JSON leaves zero fields out */
static void
ohe_sim_google_append_civil (GString *out, GTimeZone *tz, gint64 time)
{
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
	g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
	const gchar *names[] = {"hours", "minutes", "seconds"};
	gint values[] = {g_date_time_get_hour (local), g_date_time_get_minute (local),
			 g_date_time_get_second (local)};
	gboolean first = TRUE;

	g_string_append (out, "{\"date\":");
	ohe_sim_google_append_date (out, local);
	g_string_append (out, ",\"time\":{");
	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		if (values[i] == 0)
			continue;
		g_string_append_printf (out, "%s\"%s\":%d", first ? "" : ",", names[i], values[i]);
		first = FALSE;
	}
	g_string_append (out, "}}");
}

static gint32
ohe_sim_google_offset_at (GTimeZone *tz, gint64 time)
{
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
	g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
	return (gint32)(g_date_time_get_utc_offset (local) / G_USEC_PER_SEC);
}

static void
ohe_sim_google_append_value (GString *out,
			     const OheSimGoogleDataType *type,
			     const OheSimSample *sample)
{
	gint exponent = sample->exponent + (type->encoding == OHE_SIM_GOOGLE_GRAMS ? 3 : 0);
	g_autofree gchar *text = ohe_decimal_to_string (sample->values[0], exponent);

	if (type->encoding == OHE_SIM_GOOGLE_INT64)
		g_string_append_printf (out, "\"%s\"", text);
	else if (strchr (text, '.') == NULL && strchr (text, 'e') == NULL)
		/* proto3 JSON writes an integral double as 72350.0 */
		g_string_append_printf (out, "%s.0", text);
	else
		g_string_append (out, text);
}

static void
ohe_sim_google_append_point (GString *out,
			     const OheSimGoogleDataType *type,
			     const OheSimSample *sample,
			     GTimeZone *tz)
{
	gint32 offset = ohe_sim_google_offset_at (tz, sample->time);

	g_string_append (out, "{\"dataSource\":{");
	g_string_append_printf (out, "\"recordingMethod\":\"%s\"", type->method);
	if (type->device != NULL)
		g_string_append_printf (out,
					",\"device\":{\"displayName\":\"%s\",\"formFactor\":\"%s\","
					"\"manufacturer\":\"Google\"}",
					type->device, type->form_factor);
	g_string_append_printf (out, ",\"platform\":\"FITBIT\"},\"%s\":{\"%s\":", type->field,
				type->member);
	ohe_sim_google_append_value (out, type, sample);
	if (type->kind == OHE_MEASUREMENT_KIND_HEART_RATE)
		g_string_append_printf (out,
					",\"metadata\":{\"motionContext\":\"%s\","
					"\"sensorLocation\":\"WRIST\"}",
					sample->values[0] >= 100 ? "ACTIVE" : "SEDENTARY");
	if (type->kind == OHE_MEASUREMENT_KIND_RESTING_HEART_RATE)
		g_string_append (out, ",\"dailyRestingHeartRateMetadata\":"
				      "{\"calculationMethod\":\"WITH_SLEEP\"}");
	switch (type->record) {
	case OHE_SIM_GOOGLE_SAMPLE:
		g_string_append (out, ",\"sampleTime\":{\"physicalTime\":");
		ohe_sim_google_append_time (out, sample->time);
		g_string_append_printf (out, ",\"utcOffset\":\"%ds\",\"civilTime\":", offset);
		ohe_sim_google_append_civil (out, tz, sample->time);
		g_string_append (out, "}");
		break;
	case OHE_SIM_GOOGLE_INTERVAL:
	case OHE_SIM_GOOGLE_SESSION: {
		gint64 end = sample->time + sample->duration;
		g_string_append (out, ",\"interval\":{\"startTime\":");
		ohe_sim_google_append_time (out, sample->time);
		g_string_append_printf (out, ",\"startUtcOffset\":\"%ds\",\"endTime\":", offset);
		ohe_sim_google_append_time (out, end);
		g_string_append_printf (out, ",\"endUtcOffset\":\"%ds\",\"civilStartTime\":",
					ohe_sim_google_offset_at (tz, end));
		ohe_sim_google_append_civil (out, tz, sample->time);
		g_string_append (out, ",\"civilEndTime\":");
		ohe_sim_google_append_civil (out, tz, end);
		g_string_append (out, "}");
		break;
	}
	case OHE_SIM_GOOGLE_DAILY:
	default: {
		/* the generator puts a day's summary at UTC midnight: that day is the civil date */
		g_autoptr (GDateTime) day = g_date_time_new_from_unix_utc (sample->time);
		g_string_append (out, ",\"date\":");
		ohe_sim_google_append_date (out, day);
		break;
	}
	}
	g_string_append (out, "}}");
}

/* AIP-160 filters: `{type}.{field} >= "…" AND {type}.{field} < "…"` */

static gboolean
ohe_sim_google_parse_literal (const OheSimGoogleDataType *type, const gchar *text, gint64 *value)
{
	g_autoptr (GDateTime) dt = NULL;
	gsize len = strlen (text);

	if (type->record == OHE_SIM_GOOGLE_DAILY) {
		g_autofree gchar *iso = NULL;
		if (len != 10 || text[4] != '-' || text[7] != '-')
			return FALSE;
		iso = g_strdup_printf ("%sT00:00:00Z", text);
		dt = g_date_time_new_from_iso8601 (iso, NULL);
	} else if (len >= 20 && text[10] == 'T' &&
		   (text[len - 1] == 'Z' || text[len - 6] == '+' || text[len - 6] == '-')) {
		dt = g_date_time_new_from_iso8601 (text, NULL);
	}
	if (dt == NULL)
		return FALSE;
	*value = g_date_time_to_unix (dt);
	return TRUE;
}

static gboolean
ohe_sim_google_parse_filter (const OheSimGoogleDataType *type,
			     const gchar *filter,
			     gint64 *from,
			     gint64 *to,
			     gboolean *has_upper)
{
	const gchar *field = type->record == OHE_SIM_GOOGLE_SAMPLE  ? "sample_time.physical_time"
			     : type->record == OHE_SIM_GOOGLE_DAILY ? "date"
								    : "interval.start_time";
	g_autofree gchar *name = g_strdup_printf ("%s.%s", type->filter, field);
	g_auto (GStrv) clauses = NULL;

	*has_upper = FALSE;
	if (filter == NULL || filter[0] == '\0')
		return TRUE;
	clauses = g_strsplit (filter, " AND ", -1);
	for (guint i = 0; clauses[i] != NULL; i++) {
		g_auto (GStrv) parts = g_strsplit (g_strstrip (clauses[i]), " ", 3);
		gsize len;
		gint64 value = 0;
		g_autofree gchar *literal = NULL;

		if (g_strv_length (parts) != 3 || g_strcmp0 (parts[0], name) != 0)
			return FALSE;
		len = strlen (parts[2]);
		if (len < 2 || parts[2][0] != '"' || parts[2][len - 1] != '"')
			return FALSE;
		literal = g_strndup (parts[2] + 1, len - 2);
		if (!ohe_sim_google_parse_literal (type, literal, &value))
			return FALSE;
		if (g_strcmp0 (parts[1], ">=") == 0) {
			*from = MAX (*from, value);
		} else if (g_strcmp0 (parts[1], "<") == 0 &&
			   type->record != OHE_SIM_GOOGLE_SESSION) {
			/* ECG and IRN take a lower bound only (§2.3) */
			*to = MIN (*to, value);
			*has_upper = TRUE;
		} else {
			return FALSE;
		}
	}
	return TRUE;
}

/* a page token is the exclusive upper bound of the next page: pages stay stable as data grows */
static gchar *
ohe_sim_google_page_token_new (const OheSimGoogleDataType *type, gint64 before)
{
	g_autofree gchar *plain = g_strdup_printf ("%s:%" G_GINT64_FORMAT, type->id, before);
	return g_base64_encode ((const guchar *)plain, strlen (plain));
}

static gboolean
ohe_sim_google_page_token_parse (const OheSimGoogleDataType *type,
				 const gchar *token,
				 gint64 *before)
{
	gsize len = 0;
	g_autofree gchar *plain = (gchar *)g_base64_decode (token, &len);
	g_autofree gchar *text = plain != NULL ? g_strndup (plain, len) : NULL;
	g_autofree gchar *prefix = g_strdup_printf ("%s:", type->id);
	if (text == NULL || !g_str_has_prefix (text, prefix))
		return FALSE;
	return g_ascii_string_to_signed (text + strlen (prefix), 10, G_MININT64, G_MAXINT64, before,
					 NULL);
}

/* resultClassification, indexed by OheSimEcgRhythm */
static const gchar *const ohe_sim_google_rhythms[] = {
    [OHE_SIM_ECG_RHYTHM_SINUS] = "NORMAL_SINUS_RHYTHM",
    [OHE_SIM_ECG_RHYTHM_AFIB] = "ATRIAL_FIBRILLATION",
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE] = "INCONCLUSIVE",
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_HIGH_HR] = "INCONCLUSIVE_HIGH_HEART_RATE",
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_LOW_HR] = "INCONCLUSIVE_LOW_HEART_RATE",
    [OHE_SIM_ECG_RHYTHM_UNREADABLE] = "UNREADABLE",
    [OHE_SIM_ECG_RHYTHM_NOT_ANALYZED] = "NOT_ANALYZED",
};
G_STATIC_ASSERT (G_N_ELEMENTS (ohe_sim_google_rhythms) == OHE_SIM_ECG_RHYTHM_LAST);

/* an ECG data point in the shape of list-electrocardiogram.json: the interval starts and ends
 * at the reading time, int64 as strings, int32 as numbers */
static void
ohe_sim_google_append_ecg (GString *out,
			   const OheSimGoogleDataType *type,
			   const OheSimUser *user,
			   const OheSimEcg *ecg,
			   GTimeZone *tz)
{
	gint32 offset = ohe_sim_google_offset_at (tz, ecg->time);
	g_autoptr (GArray) samples = ohe_sim_data_ecg_get_samples (user->seed, user->id, ecg);

	g_string_append_printf (out,
				"{\"name\":\"users/me/dataTypes/%s/dataPoints/%" G_GINT64_FORMAT
				"\",\"dataSource\":{\"recordingMethod\":\"%s\",\"device\":{"
				"\"displayName\":\"%s\",\"formFactor\":\"%s\",\"manufacturer\":"
				"\"Google\"},\"platform\":\"FITBIT\"},\"%s\":{\"interval\":{"
				"\"startTime\":",
				type->id, ecg->id, type->method, type->device, type->form_factor,
				type->field);
	ohe_sim_google_append_time (out, ecg->time);
	g_string_append_printf (out, ",\"startUtcOffset\":\"%ds\",\"endTime\":", offset);
	ohe_sim_google_append_time (out, ecg->time);
	g_string_append_printf (out, ",\"endUtcOffset\":\"%ds\",\"civilStartTime\":", offset);
	ohe_sim_google_append_civil (out, tz, ecg->time);
	g_string_append (out, ",\"civilEndTime\":");
	ohe_sim_google_append_civil (out, tz, ecg->time);
	g_string_append_printf (
	    out,
	    "},\"beatsPerMinuteAvg\":\"%" G_GINT64_FORMAT "\",\"leadNumber\":%u,"
	    "\"samplingFrequencyHertz\":%u,\"millivoltsScalingFactor\":%d,"
	    "\"waveformSamples\":[",
	    ecg->heart_rate, ecg->lead, ecg->sampling_frequency, ecg->scaling_factor);
	for (guint i = 0; i < samples->len; i++)
		g_string_append_printf (out, "%s%d", i > 0 ? "," : "",
					g_array_index (samples, gint32, i));
	g_string_append_printf (out,
				"],\"resultClassification\":\"%s\",\"medicalDeviceInfo\":{"
				"\"deviceModel\":\"%s\",\"firmwareVersion\":\"0.0.0-sim\","
				"\"featureVersion\":\"0.0-sim\"}}}",
				ohe_sim_google_rhythms[ecg->rhythm], type->device);
}

/* the ECG page below @before, newest first; the paging rules are those of the other types */
static void
ohe_sim_google_append_ecg_page (GString *out,
				const OheSimGoogleDataType *type,
				const OheSimUser *user,
				gint64 from,
				gint64 before,
				gint64 page_size,
				GTimeZone *tz)
{
	g_autoptr (GArray) ecgs = ohe_sim_data_generate_ecg (user->seed, user->id, from, before);
	guint n = 0;
	gint i;

	for (i = (gint)ecgs->len - 1; i >= 0 && n < page_size; i--, n++) {
		g_string_append (out, n == 0 ? "\"dataPoints\":[" : ",");
		ohe_sim_google_append_ecg (out, type, user, &g_array_index (ecgs, OheSimEcg, i),
					   tz);
	}
	if (n > 0)
		g_string_append (out, "]");
	if (i >= 0) {
		g_autofree gchar *next = ohe_sim_google_page_token_new (
		    type, g_array_index (ecgs, OheSimEcg, i + 1).time);
		g_string_append_printf (out, "%s\"nextPageToken\":\"%s\"", n > 0 ? "," : "", next);
	}
}

static void
ohe_sim_google_list (OheSimServer *server,
		     OheSimRequest *request,
		     const OheSimUser *user,
		     const gchar *scope,
		     const gchar *type_id)
{
	const OheSimGoogleDataType *type = ohe_sim_google_lookup_type (type_id);
	const gchar *page_token = ohe_sim_request_get_param (request, "pageToken");
	const gchar *page_size_text = ohe_sim_request_get_param (request, "pageSize");
	g_autoptr (GTimeZone) tz = NULL;
	g_autoptr (GArray) samples = NULL;
	g_autoptr (GString) out = g_string_new ("{");
	gint64 from = user->data_from;
	gint64 to = ohe_sim_google_get_data_end (server, user->id);
	gint64 before = G_MAXINT64;
	gint64 page_size = OHE_SIM_GOOGLE_DEFAULT_PAGE_SIZE;
	gboolean has_upper = FALSE;
	guint n = 0;
	gint i;

	if (type == NULL) {
		ohe_sim_google_respond_bad_request (request, "INVALID_PARENT_DATA_TYPE_COLLECTION",
						    "Unknown data type in the parent.");
		return;
	}
	if (!ohe_sim_google_check_scope (request, scope, type->scope))
		return;
	if (!ohe_sim_google_parse_filter (type, ohe_sim_request_get_param (request, "filter"),
					  &from, &to, &has_upper)) {
		ohe_sim_google_respond_bad_request (request, "INVALID_DATA_POINT_FILTER",
						    "Invalid filter for this data type.");
		return;
	}
	if (page_size_text != NULL &&
	    !g_ascii_string_to_signed (page_size_text, 10, 1, G_MAXINT32, &page_size, NULL)) {
		ohe_sim_google_respond_bad_request (request, NULL, "pageSize must be positive.");
		return;
	}
	/* larger page sizes are truncated, not refused */
	page_size = MIN (page_size, OHE_SIM_GOOGLE_MAX_PAGE_SIZE);
	if (page_token != NULL && !ohe_sim_google_page_token_parse (type, page_token, &before)) {
		ohe_sim_google_respond_bad_request (request, NULL, "Invalid page token.");
		return;
	}
	tz = ohe_sim_google_new_zone (server, user->id);
	if (type->kind == OHE_MEASUREMENT_KIND_ECG) {
		ohe_sim_google_append_ecg_page (out, type, user, from, MIN (to, before), page_size,
						tz);
		g_string_append (out, "}");
		ohe_sim_request_respond_text (request, SOUP_STATUS_OK, "application/json",
					      out->str);
		return;
	}
	samples =
	    type->kind == OHE_MEASUREMENT_KIND_UNKNOWN
		? g_array_new (FALSE, FALSE, sizeof (OheSimSample))
		: ohe_sim_data_generate (user->seed, user->id, type->kind, from, MIN (to, before));
	/* newest first, like the real list */
	for (i = (gint)samples->len - 1; i >= 0 && n < page_size; i--, n++) {
		g_string_append (out, n == 0 ? "\"dataPoints\":[" : ",");
		ohe_sim_google_append_point (out, type, &g_array_index (samples, OheSimSample, i),
					     tz);
	}
	if (n > 0)
		g_string_append (out, "]");
	if (i >= 0) {
		g_autofree gchar *next = ohe_sim_google_page_token_new (
		    type, g_array_index (samples, OheSimSample, i + 1).time);
		g_string_append_printf (out, "%s\"nextPageToken\":\"%s\"", n > 0 ? "," : "", next);
	}
	g_string_append (out, "}");
	ohe_sim_request_respond_text (request, SOUP_STATUS_OK, "application/json", out->str);
}

static void
ohe_sim_google_identity (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autofree gchar *health_id = ohe_sim_google_get_health_user_id (user->id);
	g_autofree gchar *legacy_id = ohe_sim_google_get_legacy_user_id (server, user->id);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "name");
	json_builder_add_string_value (b, "users/me/identity");
	json_builder_set_member_name (b, "healthUserId");
	json_builder_add_string_value (b, health_id);
	json_builder_set_member_name (b, "legacyUserId");
	json_builder_add_string_value (b, legacy_id);
	json_builder_end_object (b);
	ohe_sim_request_respond_json_builder (request, SOUP_STATUS_OK, b);
}

static void
ohe_sim_google_settings (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	static const gchar *const units[][2] = {
	    {"distanceUnit", "DISTANCE_UNIT_KILOMETERS"},
	    {"weightUnit", "WEIGHT_UNIT_KILOGRAMS"},
	    {"heightUnit", "HEIGHT_UNIT_CENTIMETERS"},
	    {"temperatureUnit", "TEMPERATURE_UNIT_CELSIUS"},
	};
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autofree gchar *zone = ohe_sim_google_dup_timezone (server, user->id);
	gint64 now = ohe_clock_get_real (ohe_sim_server_get_clock (server)) / G_USEC_PER_SEC;
	g_autofree gchar *offset =
	    g_strdup_printf ("%ds", ohe_sim_google_get_utc_offset (server, user->id, now));

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "name");
	json_builder_add_string_value (b, "users/me/settings");
	json_builder_set_member_name (b, "timeZone");
	json_builder_add_string_value (b, zone);
	json_builder_set_member_name (b, "utcOffset");
	json_builder_add_string_value (b, offset);
	for (guint i = 0; i < G_N_ELEMENTS (units); i++) {
		json_builder_set_member_name (b, units[i][0]);
		json_builder_add_string_value (b, units[i][1]);
	}
	json_builder_end_object (b);
	ohe_sim_request_respond_json_builder (request, SOUP_STATUS_OK, b);
}

static void
ohe_sim_google_paired_devices (OheSimServer *server, OheSimRequest *request, const OheSimUser *user)
{
	static const struct {
		const gchar *id, *type, *version, *battery;
		gint level;
	} devices[] = {
	    {"1001", "TRACKER", "Charge 6", "High", 74},
	    {"1002", "SCALE", "Aria Air", "Medium", -1},
	};
	g_autoptr (JsonBuilder) b = json_builder_new ();
	gint64 end = ohe_sim_google_get_data_end (server, user->id);
	g_autoptr (GDateTime) sync = g_date_time_new_from_unix_utc (end);
	g_autofree gchar *sync_text = g_date_time_format (sync, "%Y-%m-%dT%H:%M:%SZ");

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "pairedDevices");
	json_builder_begin_array (b);
	for (guint i = 0; i < G_N_ELEMENTS (devices); i++) {
		g_autofree gchar *name =
		    g_strdup_printf ("users/me/pairedDevices/%s", devices[i].id);
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "name");
		json_builder_add_string_value (b, name);
		json_builder_set_member_name (b, "deviceType");
		json_builder_add_string_value (b, devices[i].type);
		json_builder_set_member_name (b, "deviceVersion");
		json_builder_add_string_value (b, devices[i].version);
		if (devices[i].level >= 0) {
			json_builder_set_member_name (b, "batteryLevel");
			json_builder_add_int_value (b, devices[i].level);
		}
		json_builder_set_member_name (b, "batteryStatus");
		json_builder_add_string_value (b, devices[i].battery);
		json_builder_set_member_name (b, "lastSyncTime");
		json_builder_add_string_value (b, sync_text);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	ohe_sim_request_respond_json_builder (request, SOUP_STATUS_OK, b);
}

/* GET /v4/users/{user}/… */
static void
ohe_sim_google_users (OheSimServer *server, OheSimRequest *request)
{
	g_auto (GStrv) parts = g_strsplit (request->subpath, "/", -1);
	g_autofree gchar *scope = NULL;
	guint n = g_strv_length (parts);
	const OheSimUser *user;

	/* "", "v4", "users", user, … */
	if (n < 5 || g_strcmp0 (request->method, "GET") != 0) {
		ohe_sim_google_respond_status (request, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", NULL,
					       "Requested entity was not found.");
		return;
	}
	user = ohe_sim_google_auth (server, request, parts[3], &scope);
	if (user == NULL)
		return;
	if (n == 5 && g_strcmp0 (parts[4], "identity") == 0) {
		if (ohe_sim_google_check_scope (request, scope, NULL))
			ohe_sim_google_identity (server, request, user);
	} else if (n == 5 && g_strcmp0 (parts[4], "settings") == 0) {
		if (ohe_sim_google_check_scope (request, scope, ".settings.readonly"))
			ohe_sim_google_settings (server, request, user);
	} else if (n == 5 && g_strcmp0 (parts[4], "pairedDevices") == 0) {
		if (ohe_sim_google_check_scope (request, scope, ".settings.readonly"))
			ohe_sim_google_paired_devices (server, request, user);
	} else if (n == 7 && g_strcmp0 (parts[4], "dataTypes") == 0 &&
		   g_strcmp0 (parts[6], "dataPoints") == 0) {
		ohe_sim_google_list (server, request, user, scope, parts[5]);
	} else {
		ohe_sim_google_respond_status (request, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", NULL,
					       "Requested entity was not found.");
	}
}

static void
ohe_sim_google_handle (OheSimServer *server, OheSimRequest *request, gpointer user_data)
{
	const gchar *sub = request->subpath;

	if (g_strcmp0 (sub, "/o/oauth2/v2/auth") == 0)
		ohe_sim_oauth_handle_authorize (
		    ohe_sim_server_get_oauth (server, OHE_SIM_GOOGLE_PROVIDER), request);
	else if (g_strcmp0 (sub, "/token") == 0)
		ohe_sim_google_token (server, request);
	else if (g_strcmp0 (sub, "/revoke") == 0)
		ohe_sim_google_revoke (server, request);
	else if (g_str_has_prefix (sub, "/v4/users/"))
		ohe_sim_google_users (server, request);
	else
		ohe_sim_google_respond_status (request, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", NULL,
					       "Requested entity was not found.");
}

/* webhooks */

/* DER INTEGER of an unsigned big-endian number */
static void
ohe_sim_google_der_int (GByteArray *out, const guint8 *v, gsize len)
{
	guint8 head[3] = {0x02, 0, 0};
	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	head[1] = (guint8)(len + ((v[0] & 0x80) != 0 ? 1 : 0));
	g_byte_array_append (out, head, (v[0] & 0x80) != 0 ? 3 : 2);
	g_byte_array_append (out, v, (guint)len);
}

/* called with the mutex held */
static gboolean
ohe_sim_google_ensure_key_locked (OheSimGoogle *state)
{
	/* SubjectPublicKeyInfo of an uncompressed P-256 point, up to the point itself */
	static const guint8 spki[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
				      0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
				      0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
	gcry_sexp_t params = NULL;
	gcry_sexp_t q = NULL;
	const guint8 *point;
	size_t point_len = 0;
	guint8 der[sizeof (spki) + 65];
	g_autofree gchar *b64 = NULL;
	g_autoptr (GString) pem = g_string_new ("-----BEGIN PUBLIC KEY-----\n");

	if (state->keypair != NULL)
		return TRUE;
	ohe_crypto_init ();
	if (gcry_sexp_build (&params, NULL, "(genkey(ecc(curve \"NIST P-256\")))") != 0)
		return FALSE;
	if (gcry_pk_genkey (&state->keypair, params) != 0) {
		gcry_sexp_release (params);
		state->keypair = NULL;
		return FALSE;
	}
	gcry_sexp_release (params);
	q = gcry_sexp_find_token (state->keypair, "q", 0);
	point = q != NULL ? (const guint8 *)gcry_sexp_nth_data (q, 1, &point_len) : NULL;
	if (point == NULL || point_len != 65) {
		gcry_sexp_release (q);
		return FALSE;
	}
	memcpy (der, spki, sizeof (spki));
	memcpy (der + sizeof (spki), point, 65);
	gcry_sexp_release (q);
	b64 = g_base64_encode (der, sizeof (der));
	for (gsize i = 0, n = strlen (b64); i < n; i += 64)
		g_string_append_printf (pem, "%.64s\n", b64 + i);
	g_string_append (pem, "-----END PUBLIC KEY-----\n");
	state->public_pem = g_string_free (g_steal_pointer (&pem), FALSE);
	return TRUE;
}

/* the PEM public key a receiver verifies deliveries with */
gchar *
ohe_sim_google_dup_public_key_pem (OheSimServer *server)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	gchar *pem = NULL;
	g_return_val_if_fail (state != NULL, NULL);
	g_mutex_lock (&state->mutex);
	if (ohe_sim_google_ensure_key_locked (state))
		pem = g_strdup (state->public_pem);
	g_mutex_unlock (&state->mutex);
	return pem;
}

/* base64 of 0x01 ‖ key id ‖ DER(r, s) over SHA-256 of the raw body, as Tink writes it */
gchar *
ohe_sim_google_sign (OheSimServer *server, const gchar *body, gsize len)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	guint8 digest[32];
	guint8 prefix[5] = {0x01, (OHE_SIM_GOOGLE_KEY_ID >> 24) & 0xff,
			    (OHE_SIM_GOOGLE_KEY_ID >> 16) & 0xff,
			    (OHE_SIM_GOOGLE_KEY_ID >> 8) & 0xff, OHE_SIM_GOOGLE_KEY_ID & 0xff};
	guint8 seq_head[2] = {0x30, 0};
	gcry_sexp_t data = NULL, sig = NULL, r = NULL, s = NULL;
	g_autoptr (GByteArray) seq = g_byte_array_new ();
	g_autoptr (GByteArray) out = g_byte_array_new ();
	const guint8 *rv = NULL, *sv = NULL;
	size_t r_len = 0, s_len = 0;
	gboolean ok;

	g_return_val_if_fail (state != NULL, NULL);
	gcry_md_hash_buffer (GCRY_MD_SHA256, digest, body, len);
	g_mutex_lock (&state->mutex);
	ok = ohe_sim_google_ensure_key_locked (state) &&
	     gcry_sexp_build (&data, NULL, "(data(flags raw)(value %b))", 32, digest) == 0 &&
	     gcry_pk_sign (&sig, data, state->keypair) == 0;
	g_mutex_unlock (&state->mutex);
	if (ok) {
		r = gcry_sexp_find_token (sig, "r", 0);
		s = gcry_sexp_find_token (sig, "s", 0);
		rv = r != NULL ? (const guint8 *)gcry_sexp_nth_data (r, 1, &r_len) : NULL;
		sv = s != NULL ? (const guint8 *)gcry_sexp_nth_data (s, 1, &s_len) : NULL;
		ok = rv != NULL && sv != NULL && r_len > 0 && s_len > 0;
	}
	if (ok) {
		ohe_sim_google_der_int (seq, rv, r_len);
		ohe_sim_google_der_int (seq, sv, s_len);
		seq_head[1] = (guint8)seq->len;
		g_byte_array_append (out, prefix, sizeof (prefix));
		g_byte_array_append (out, seq_head, sizeof (seq_head));
		g_byte_array_append (out, seq->data, seq->len);
	}
	gcry_sexp_release (data);
	gcry_sexp_release (sig);
	gcry_sexp_release (r);
	gcry_sexp_release (s);
	return ok ? g_base64_encode (out->data, out->len) : NULL;
}

static gchar *
ohe_sim_google_format_civil (GTimeZone *tz, gint64 time)
{
	g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time);
	g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
	return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
}

/* the data-change notification of §4.4 (the third-party shape; the schema is undocumented) */
gchar *
ohe_sim_google_build_notification (OheSimServer *server,
				   const gchar *user,
				   const gchar *data_type,
				   gint64 start,
				   gint64 end,
				   gboolean deleted)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	g_autoptr (JsonNode) root = NULL;
	g_autoptr (GTimeZone) tz = ohe_sim_google_new_zone (server, user);
	g_autofree gchar *health_id = ohe_sim_google_get_health_user_id (user);
	g_autoptr (GDateTime) start_dt = g_date_time_new_from_unix_utc (start);
	g_autoptr (GDateTime) end_dt = g_date_time_new_from_unix_utc (end);
	g_autofree gchar *start_text = g_date_time_format (start_dt, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree gchar *end_text = g_date_time_format (end_dt, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree gchar *civil_start = ohe_sim_google_format_civil (tz, start);
	g_autofree gchar *civil_end = ohe_sim_google_format_civil (tz, end);

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "data");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "version");
	json_builder_add_string_value (b, "1");
	json_builder_set_member_name (b, "clientProvidedSubscriptionName");
	json_builder_add_string_value (b, OHE_SIM_GOOGLE_SUBSCRIBER);
	json_builder_set_member_name (b, "healthUserId");
	json_builder_add_string_value (b, health_id);
	json_builder_set_member_name (b, "dataType");
	json_builder_add_string_value (b, data_type);
	json_builder_set_member_name (b, "operation");
	json_builder_add_string_value (b, deleted ? "DELETE" : "UPSERT");
	json_builder_set_member_name (b, "intervals");
	json_builder_begin_array (b);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "physicalTimeInterval");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "startTime");
	json_builder_add_string_value (b, start_text);
	json_builder_set_member_name (b, "endTime");
	json_builder_add_string_value (b, end_text);
	json_builder_end_object (b);
	json_builder_set_member_name (b, "civilIso8601TimeInterval");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "startTime");
	json_builder_add_string_value (b, civil_start);
	json_builder_set_member_name (b, "endTime");
	json_builder_add_string_value (b, civil_end);
	json_builder_end_object (b);
	json_builder_end_object (b);
	json_builder_end_array (b);
	json_builder_end_object (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	return json_generator_to_data (gen, NULL);
}

/*
 * POST /_sim/notify {"provider": "google", "user", "data_type" (default "steps"),
 * "start", "end", "operation" ("UPSERT"|"DELETE"), "signed" (default true)}
 */
static gboolean
ohe_sim_google_notifier (OheSimServer *server,
			 JsonObject *params,
			 OheSimWebhookMessage *message,
			 gpointer user_data,
			 GError **error)
{
	OheSimGoogle *state = ohe_sim_google_get (server);
	const gchar *user = json_object_get_string_member_with_default (params, "user", NULL);
	const gchar *data_type =
	    json_object_get_string_member_with_default (params, "data_type", "steps");
	const gchar *operation =
	    json_object_get_string_member_with_default (params, "operation", "UPSERT");
	gint64 start = json_object_get_int_member_with_default (params, "start", 0);
	gint64 end = json_object_get_int_member_with_default (params, "end", start);
	gboolean sign = json_object_get_boolean_member_with_default (params, "signed", TRUE);
	g_autofree gchar *body = NULL;

	if (user == NULL || ohe_sim_server_lookup_user (server, user) == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "google notify needs a known 'user'");
		return FALSE;
	}
	if (ohe_sim_google_lookup_type (data_type) == NULL || end < start) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "google notify: 'data_type' unknown or 'end' before 'start'");
		return FALSE;
	}
	body = ohe_sim_google_build_notification (server, user, data_type, start, end,
						  g_strcmp0 (operation, "DELETE") == 0);
	ohe_sim_webhook_message_set_body (message, "application/json", body);
	if (sign) {
		g_autofree gchar *signature = ohe_sim_google_sign (server, body, strlen (body));
		if (signature == NULL) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_FAILED,
					     "google notify: signing failed");
			return FALSE;
		}
		g_hash_table_replace (message->headers, g_strdup ("X-HEALTHAPI-SIGNATURE"),
				      g_steal_pointer (&signature));
	}
	g_mutex_lock (&state->mutex);
	if (state->endpoint_secret != NULL)
		g_hash_table_replace (message->headers, g_strdup ("Authorization"),
				      g_strdup (state->endpoint_secret));
	g_mutex_unlock (&state->mutex);
	return TRUE;
}

void
ohe_sim_google_register (OheSimServer *server)
{
	OheSimGoogle *state;
	g_autoptr (OheSimOAuth) oauth = NULL;

	g_return_if_fail (OHE_IS_SIM_SERVER (server));
	state = g_new0 (OheSimGoogle, 1);
	g_mutex_init (&state->mutex);
	state->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	state->data_ends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	state->unlinked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	state->tz_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						 (GDestroyNotify)g_time_zone_unref);
	g_object_set_data_full (G_OBJECT (server), OHE_SIM_GOOGLE_STATE, state,
				(GDestroyNotify)ohe_sim_google_free);

	/* Google: codes live minutes, access tokens an hour; the simulator rotates refresh
	 * tokens so that clients prove they persist the new one */
	oauth = ohe_sim_oauth_new (ohe_sim_server_get_clock (server));
	ohe_sim_oauth_set_code_lifetime (oauth, 600);
	ohe_sim_oauth_set_access_lifetime (oauth, 3600);
	ohe_sim_oauth_set_rotate_refresh (oauth, TRUE);
	ohe_sim_server_add_oauth (server, OHE_SIM_GOOGLE_PROVIDER, oauth);
	ohe_sim_server_add_provider (server, "/google", ohe_sim_google_handle, NULL);
	ohe_sim_server_set_fault_func (server, "/google", ohe_sim_google_fault, NULL);
	ohe_sim_server_add_notifier (server, OHE_SIM_GOOGLE_PROVIDER, ohe_sim_google_notifier,
				     NULL);
}
