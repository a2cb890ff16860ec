/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <grp.h>

#include "ohe-fhir-bundle.h"
#include "ohe-fhir-config.h"
#include "ohe-fhir-ndjson-transport.h"
#include "ohe-fhir-rest-transport.h"
#include "ohe-fhir-sink.h"
#include "ohe-fhir-writer.h"
#include "ohe-fhir-auth.h"

/*
 * The FHIR R5 sink: measurements → resources (OheFhirWriter) → a FHIR REST
 * server (base_url set) or NDJSON files (the embedded default). Config keys
 * are documented in README.md.
 *
 * Each push starts with writers that forget the devices they have seen, so
 * every push carries the Device and DeviceAssociation its measurements
 * reference: a push that failed transiently is retried complete, and with
 * conditional writes the references can point at an entry of the same
 * bundle. In put mode a shared resource that was stored once is not sent
 * again for the lifetime of the sink.
 *
 * The entry limit a server was seen to enforce (see ohe-fhir-rest-transport.c)
 * is remembered per server and bundle type for the process and in the
 * plugin state the host keeps, so only the first push that meets it is
 * refused.
 */

/* "entry-limit/<type>/<write mode>/<base_url>" → learned limit, for every sink of the process */
G_LOCK_DEFINE_STATIC (ohe_fhir_sink_limits);
static GHashTable *ohe_fhir_sink_limits;

/* without a daemon state directory (tests, tools): relative to the working directory */
#define OHE_FHIR_SINK_DEFAULT_OUTPUT_DIR "fhir-ndjson"
#define OHE_FHIR_SINK_DEFAULT_BUNDLE	 500
#define OHE_FHIR_SINK_MAX_BUNDLE	 10000
#define OHE_FHIR_SINK_MAX_ENTRIES	 100000
/* plugin state key of a learned entry limit: prefix, bundle type, write mode, base URL */
#define OHE_FHIR_SINK_LIMIT_KEY	      "entry-limit"
#define OHE_FHIR_SINK_DEFAULT_TIMEOUT 30 /* s */
#define OHE_FHIR_SINK_MAX_TIMEOUT     3600
/* the wall-clock bound of one attempt, and the slowest answer body accepted */
#define OHE_FHIR_SINK_DEFAULT_DEADLINE 300 /* s */
#define OHE_FHIR_SINK_MAX_DEADLINE     86400
#define OHE_FHIR_SINK_DEFAULT_MIN_RATE 100 /* bytes/s */
#define OHE_FHIR_SINK_MAX_MIN_RATE     100000000
#define OHE_FHIR_SINK_MIN_RATE_PERIOD  30 /* s */
/* the FHIR server's breaker: 5 failures open it for 60 s, 3 good trials close it */
#define OHE_FHIR_SINK_BREAKER_FAILURES	5
#define OHE_FHIR_SINK_BREAKER_OPEN	60
#define OHE_FHIR_SINK_BREAKER_SUCCESSES 3

struct _OheFhirSink {
	OheSink parent_instance;
	OheFhirMapping *mapping; /* owned */
	gchar *identifier_base;	 /* owned */
	OheFhirWriteMode mode;
	OheHttpClient *client;		/* owned, REST only */
	OheFhirRestTransport *rest;	/* owned, nullable */
	OheFhirNdjsonTransport *ndjson; /* owned, nullable */
	OheFhirAuth *auth;		/* owned, REST only */
	GMutex mutex;			/* protects what follows */
	GPtrArray *idle_writers;	/* owned: a writer is not thread-safe, one per push */
	GHashTable *upserted;		/* "Type/id" of shared resources stored (put mode) */
};

G_DEFINE_TYPE (OheFhirSink, ohe_fhir_sink, OHE_TYPE_SINK)

static gboolean
ohe_fhir_sink_get_uint (OhePlugin *plugin,
			const gchar *key,
			guint default_value,
			guint min,
			guint max,
			guint *value,
			GError **error)
{
	g_autofree gchar *text = ohe_plugin_get_config_string (plugin, key, NULL);
	guint64 parsed;

	if (text == NULL || g_strstrip (text)[0] == '\0') {
		*value = default_value;
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned (text, 10, min, max, &parsed, NULL)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[plugin:fhir] %s=%s is not a number from %u to %u", key, text, min,
			     max);
		return FALSE;
	}
	*value = (guint)parsed;
	return TRUE;
}

static gchar *
ohe_fhir_sink_dup_mapping_path (OhePlugin *plugin)
{
	g_autofree gchar *path = ohe_plugin_get_config_string (plugin, "mapping_file", NULL);
	if (path != NULL && path[0] != '\0')
		return g_steal_pointer (&path);
	/* an uninstalled build runs from the source tree */
	if (!g_file_test (OHE_FHIR_MAPPING_DEFAULT_FILE, G_FILE_TEST_EXISTS))
		return g_build_filename (OHE_SOURCE_DATADIR, "mappings", "fhir-r5.json", NULL);
	return g_strdup (OHE_FHIR_MAPPING_DEFAULT_FILE);
}

static gchar *
ohe_fhir_sink_authorize_cb (gpointer user_data, GCancellable *cancellable, GError **error)
{
	return ohe_fhir_auth_get_authorization (OHE_FHIR_AUTH (user_data), cancellable, error);
}

static void
ohe_fhir_sink_invalidate_cb (gpointer user_data)
{
	ohe_fhir_auth_invalidate (OHE_FHIR_AUTH (user_data));
}

static gboolean
ohe_fhir_sink_setup_auth (OheFhirSink *self, GError **error)
{
	self->auth = ohe_fhir_auth_new_from_config (OHE_PLUGIN (self), self->client, error);
	if (self->auth == NULL)
		return FALSE;
	if (ohe_fhir_auth_get_mode (self->auth) != OHE_FHIR_AUTH_MODE_NONE)
		ohe_fhir_rest_transport_set_authorizer (self->rest, ohe_fhir_sink_authorize_cb,
							ohe_fhir_sink_invalidate_cb,
							g_object_ref (self->auth), g_object_unref);
	return TRUE;
}

/* a server may cap conditional writes lower than plain ones: one limit per write mode too */
static gchar *
ohe_fhir_sink_dup_limit_key (OheFhirSink *self, OheFhirBundleType type)
{
	return g_strdup_printf ("%s/%s/%s/%s", OHE_FHIR_SINK_LIMIT_KEY,
				ohe_fhir_bundle_type_to_string (type),
				ohe_fhir_write_mode_to_string (self->mode),
				ohe_fhir_rest_transport_get_base_url (self->rest));
}

static void
ohe_fhir_sink_limit_learned_cb (gpointer user_data, OheFhirBundleType type, guint limit)
{
	OheFhirSink *self = OHE_FHIR_SINK (user_data);
	g_autofree gchar *key = ohe_fhir_sink_dup_limit_key (self, type);
	g_autofree gchar *value = g_strdup_printf ("%u", limit);
	g_autoptr(GError) error = NULL;
	guint known;

	G_LOCK (ohe_fhir_sink_limits);
	if (ohe_fhir_sink_limits == NULL)
		ohe_fhir_sink_limits =
		    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	known = GPOINTER_TO_UINT (g_hash_table_lookup (ohe_fhir_sink_limits, key));
	if (known == 0 || limit < known)
		g_hash_table_insert (ohe_fhir_sink_limits, g_strdup (key),
				     GUINT_TO_POINTER (limit));
	G_UNLOCK (ohe_fhir_sink_limits);
	if (!ohe_plugin_save_state (OHE_PLUGIN (self), key, value, &error) &&
	    !g_error_matches (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED))
		g_warning ("[plugin:fhir] cannot remember the entry limit of %s: %s",
			   ohe_fhir_rest_transport_get_base_url (self->rest), error->message);
}

/* what this process or the host's state learned of the server before */
static void
ohe_fhir_sink_load_limits (OheFhirSink *self)
{
	for (guint type = OHE_FHIR_BUNDLE_TYPE_TRANSACTION; type <= OHE_FHIR_BUNDLE_TYPE_BATCH;
	     type++) {
		g_autofree gchar *key = ohe_fhir_sink_dup_limit_key (self, type);
		g_autofree gchar *stored = NULL;
		g_autoptr(GError) error = NULL;
		guint64 parsed = 0;
		guint limit;

		G_LOCK (ohe_fhir_sink_limits);
		limit = ohe_fhir_sink_limits != NULL
			    ? GPOINTER_TO_UINT (g_hash_table_lookup (ohe_fhir_sink_limits, key))
			    : 0;
		G_UNLOCK (ohe_fhir_sink_limits);
		stored = ohe_plugin_lookup_state (OHE_PLUGIN (self), key, &error);
		if (error != NULL)
			g_warning ("[plugin:fhir] cannot read the entry limit of %s: %s",
				   ohe_fhir_rest_transport_get_base_url (self->rest),
				   error->message);
		else if (stored != NULL &&
			 !g_ascii_string_to_unsigned (stored, 10, 1, G_MAXINT, &parsed, NULL))
			g_warning ("[plugin:fhir] ignoring the stored entry limit %s of %s: not a "
				   "number",
				   stored, ohe_fhir_rest_transport_get_base_url (self->rest));
		if (parsed > 0 && (limit == 0 || parsed < limit))
			limit = (guint)parsed;
		if (limit > 0)
			ohe_fhir_rest_transport_set_entry_limit (self->rest, type, limit);
	}
}

static gboolean
ohe_fhir_sink_setup_rest (OheFhirSink *self, const gchar *base_url, GError **error)
{
	OhePlugin *plugin = OHE_PLUGIN (self);
	/*
	 * put mode's entries stand alone: batch. Conditional writes point at
	 * other entries' urn:uuid fullUrls, which only a transaction resolves.
	 */
	g_autofree gchar *bundle_type_text = ohe_plugin_get_config_string (
	    plugin, "bundle_type", self->mode == OHE_FHIR_WRITE_MODE_PUT ? "batch" : "transaction");
	OheFhirBundleType bundle_type;
	guint bundle_size;
	guint max_entries;
	guint timeout;
	guint deadline;
	guint min_rate;

	if (!ohe_fhir_bundle_type_from_string (bundle_type_text, &bundle_type)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[plugin:fhir] bundle_type=%s is not transaction or batch",
			     bundle_type_text);
		return FALSE;
	}
	if (bundle_type == OHE_FHIR_BUNDLE_TYPE_BATCH && self->mode != OHE_FHIR_WRITE_MODE_PUT) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[plugin:fhir] bundle_type=batch does not go with write_mode=%s: its "
			     "entries refer to each other by urn:uuid, which only a transaction "
			     "resolves",
			     ohe_fhir_write_mode_to_string (self->mode));
		return FALSE;
	}
	if (!ohe_fhir_sink_get_uint (plugin, "bundle_size", OHE_FHIR_SINK_DEFAULT_BUNDLE, 1,
				     OHE_FHIR_SINK_MAX_BUNDLE, &bundle_size, error))
		return FALSE;
	if (!ohe_fhir_sink_get_uint (plugin, "max_bundle_entries", 0, 0, OHE_FHIR_SINK_MAX_ENTRIES,
				     &max_entries, error))
		return FALSE;
	if (!ohe_fhir_sink_get_uint (plugin, "timeout", OHE_FHIR_SINK_DEFAULT_TIMEOUT, 1,
				     OHE_FHIR_SINK_MAX_TIMEOUT, &timeout, error))
		return FALSE;
	if (!ohe_fhir_sink_get_uint (plugin, "attempt_deadline", OHE_FHIR_SINK_DEFAULT_DEADLINE, 1,
				     OHE_FHIR_SINK_MAX_DEADLINE, &deadline, error))
		return FALSE;
	if (!ohe_fhir_sink_get_uint (plugin, "min_transfer_rate", OHE_FHIR_SINK_DEFAULT_MIN_RATE, 0,
				     OHE_FHIR_SINK_MAX_MIN_RATE, &min_rate, error))
		return FALSE;

	self->client = ohe_http_client_new ("fhir");
	ohe_http_client_set_metrics (self->client, ohe_plugin_get_metrics (plugin));
	ohe_http_client_set_timeout (self->client, timeout);
	ohe_http_client_set_attempt_deadline (self->client, deadline);
	ohe_http_client_set_min_transfer_rate (self->client, min_rate,
					       OHE_FHIR_SINK_MIN_RATE_PERIOD);
	ohe_http_client_set_breaker (self->client, NULL, OHE_FHIR_SINK_BREAKER_FAILURES,
				     OHE_FHIR_SINK_BREAKER_OPEN, OHE_FHIR_SINK_BREAKER_SUCCESSES);
	self->rest = ohe_fhir_rest_transport_new (base_url, self->client, error);
	if (self->rest == NULL) {
		g_prefix_error (error, "[plugin:fhir] ");
		return FALSE;
	}
	ohe_fhir_rest_transport_set_write_mode (self->rest, self->mode);
	ohe_fhir_rest_transport_set_bundle_type (self->rest, bundle_type);
	ohe_fhir_rest_transport_set_bundle_size (self->rest, bundle_size);
	ohe_fhir_rest_transport_set_max_entries (self->rest, max_entries);
	ohe_fhir_sink_load_limits (self);
	/* the transport lives no longer than the sink */
	ohe_fhir_rest_transport_set_limit_func (self->rest, ohe_fhir_sink_limit_learned_cb, self,
						NULL);
	return ohe_fhir_sink_setup_auth (self, error);
}

/* output_group: a group name or number that may read the NDJSON output */
static gboolean
ohe_fhir_sink_setup_group (OheFhirSink *self, GError **error)
{
	g_autofree gchar *group =
	    ohe_plugin_get_config_string (OHE_PLUGIN (self), "output_group", NULL);
	struct group entry;
	struct group *found = NULL;
	gchar buf[4096];
	guint64 gid;

	if (group == NULL || g_strstrip (group)[0] == '\0')
		return TRUE;
	if (g_ascii_string_to_unsigned (group, 10, 0, G_MAXUINT32 - 1, &gid, NULL)) {
		ohe_fhir_ndjson_transport_set_group (self->ndjson, (gid_t)gid);
		return TRUE;
	}
	if (getgrnam_r (group, &entry, buf, sizeof buf, &found) != 0 || found == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[plugin:fhir] output_group=%s is not a group of this system", group);
		return FALSE;
	}
	ohe_fhir_ndjson_transport_set_group (self->ndjson, found->gr_gid);
	return TRUE;
}

static gboolean
ohe_fhir_sink_setup (OhePlugin *plugin, GCancellable *cancellable, GError **error)
{
	OheFhirSink *self = OHE_FHIR_SINK (plugin);
	g_autofree gchar *mapping_path = ohe_fhir_sink_dup_mapping_path (plugin);
	g_autofree gchar *mode = ohe_plugin_get_config_string (plugin, "write_mode", "put");
	g_autofree gchar *base_url = ohe_plugin_get_config_string (plugin, "base_url", "");
	g_autofree gchar *state_dir = ohe_plugin_get_state_dir (plugin);
	g_autofree gchar *default_output_dir = state_dir != NULL
						   ? g_build_filename (state_dir, "ndjson", NULL)
						   : g_strdup (OHE_FHIR_SINK_DEFAULT_OUTPUT_DIR);
	g_autofree gchar *output_dir =
	    ohe_plugin_get_config_string (plugin, "output_dir", default_output_dir);

	if (!ohe_metrics_register_counter (
		ohe_plugin_get_metrics (plugin), "ohe_sink_resources_written_total",
		"Resources a sink wrote, by sink and resource type",
		(const gchar *const[]){"sink", "resource_type", NULL}, error))
		return FALSE;
	if (!ohe_fhir_write_mode_from_string (mode, &self->mode)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "[plugin:fhir] write_mode=%s is not put, conditional-create or "
			     "conditional-update",
			     mode);
		return FALSE;
	}
	self->mapping = ohe_fhir_mapping_new_from_file (mapping_path, error);
	if (self->mapping == NULL)
		return FALSE;
	self->identifier_base = ohe_plugin_get_config_string (plugin, "identifier_base", NULL);
	if (g_strstrip (base_url)[0] != '\0')
		return ohe_fhir_sink_setup_rest (self, base_url, error);
	if (output_dir[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "[plugin:fhir] output_dir is empty and no base_url is set");
		return FALSE;
	}
	self->ndjson = ohe_fhir_ndjson_transport_new (output_dir);
	return ohe_fhir_sink_setup_group (self, error);
}

static OheFhirWriter *
ohe_fhir_sink_take_writer (OheFhirSink *self)
{
	OheFhirWriter *writer = NULL;
	g_mutex_lock (&self->mutex);
	if (self->idle_writers->len > 0)
		writer =
		    g_ptr_array_steal_index_fast (self->idle_writers, self->idle_writers->len - 1);
	g_mutex_unlock (&self->mutex);
	if (writer == NULL)
		writer = ohe_fhir_writer_new (self->mapping, self->identifier_base);
	ohe_fhir_writer_reset_devices (writer);
	return writer;
}

static void
ohe_fhir_sink_return_writer (OheFhirSink *self, OheFhirWriter *writer)
{
	g_mutex_lock (&self->mutex);
	g_ptr_array_add (self->idle_writers, writer);
	g_mutex_unlock (&self->mutex);
}

static gboolean
ohe_fhir_sink_is_upserted (OheFhirSink *self, OheFhirResource *r)
{
	g_autofree gchar *key = NULL;
	gboolean found;

	if (self->mode != OHE_FHIR_WRITE_MODE_PUT || self->rest == NULL)
		return FALSE;
	key = g_strdup_printf ("%s/%s", r->resource_type, r->id);
	g_mutex_lock (&self->mutex);
	found = g_hash_table_contains (self->upserted, key);
	g_mutex_unlock (&self->mutex);
	return found;
}

/* a shared resource counts as stored once a measurement that carried it was accepted */
static void
ohe_fhir_sink_remember_upserted (OheFhirSink *self, GPtrArray *entries, OhePushRequest *request)
{
	if (self->mode != OHE_FHIR_WRITE_MODE_PUT || self->rest == NULL)
		return;
	g_mutex_lock (&self->mutex);
	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		guint owner = g_array_index (entry->owners, guint, 0);
		if (ohe_fhir_entry_is_shared (entry) &&
		    ohe_push_request_get_outcome (request, owner) == OHE_PUSH_OUTCOME_WRITTEN)
			g_hash_table_add (self->upserted, ohe_fhir_entry_dup_key (entry));
	}
	g_mutex_unlock (&self->mutex);
}

/* a kind the mapping disables or lacks is not for this sink: filtered, not refused */
static gboolean
ohe_fhir_sink_maps_kind (OheFhirSink *self, OheMeasurement *m)
{
	const OheFhirKindMap *map =
	    ohe_fhir_mapping_lookup (self->mapping, ohe_measurement_get_kind (m));
	return map != NULL && map->enabled;
}

static gchar *
ohe_fhir_sink_dup_native_key (OheMeasurementKind kind, const gchar *native_id)
{
	return g_strdup_printf ("%s\t%s", ohe_measurement_kind_to_string (kind), native_id);
}

/*
 * Reference closure within a push: a measurement derived from one in the
 * same push that cannot be written (e.g. a heart rate computed from an ECG
 * recording the writer refused) would point at a resource that never
 * exists, so it is refused too, naming its parent. A parent from an earlier
 * push was acknowledged then.
 */
static void
ohe_fhir_sink_refuse_orphans (OhePushRequest *request)
{
	g_autoptr(GHashTable) unwritten =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	guint n = ohe_push_request_get_n_measurements (request);

	for (guint i = 0; i < n; i++) {
		OheMeasurement *m = ohe_push_request_get_measurement (request, i);
		const gchar *native_id = ohe_measurement_get_native_id (m);
		if (native_id != NULL &&
		    ohe_push_request_get_outcome (request, i) != OHE_PUSH_OUTCOME_PENDING)
			g_hash_table_add (unwritten, ohe_fhir_sink_dup_native_key (
							 ohe_measurement_get_kind (m), native_id));
	}
	if (g_hash_table_size (unwritten) == 0)
		return;
	for (guint i = 0; i < n; i++) {
		OheMeasurement *m = ohe_push_request_get_measurement (request, i);
		const gchar *parent = ohe_measurement_get_parent_native_id (m);
		g_autofree gchar *key = NULL;
		g_autofree gchar *reason = NULL;

		if (parent == NULL ||
		    ohe_push_request_get_outcome (request, i) != OHE_PUSH_OUTCOME_PENDING)
			continue;
		key = ohe_fhir_sink_dup_native_key (ohe_measurement_get_parent_kind (m), parent);
		if (!g_hash_table_contains (unwritten, key))
			continue;
		reason = g_strdup_printf (
		    "derived from %s %s, which is not written",
		    ohe_measurement_kind_to_string (ohe_measurement_get_parent_kind (m)), parent);
		ohe_push_request_set_outcome (request, i, OHE_PUSH_OUTCOME_REFUSED, reason);
	}
}

/*
 * Writes every measurement; those that cannot be written get their outcome
 * now. @resource_ids receives, per measurement, the "Type/id" of every
 * resource it produced (those already stored included); @orphans the
 * indices of refused orphans whose shared resources are sent all the same.
 */
static GPtrArray *
ohe_fhir_sink_write (OheFhirSink *self,
		     OhePushRequest *request,
		     GPtrArray *resource_ids,
		     GPtrArray *orphans)
{
	g_autoptr(OheFhirWriter) writer = ohe_fhir_sink_take_writer (self);
	g_autoptr(GPtrArray) raw =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	g_autoptr(GPtrArray) resources =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_resource_free);
	g_autoptr(GPtrArray) by_item =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
	const gchar *patient = ohe_push_request_get_patient_reference (request);
	guint n = ohe_push_request_get_n_measurements (request);

	for (guint i = 0; i < n; i++) {
		OheMeasurement *m = ohe_push_request_get_measurement (request, i);
		g_autoptr(GError) error = NULL;
		g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
		GPtrArray *entries =
		    g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);

		g_ptr_array_add (resource_ids, NULL);
		g_ptr_array_add (by_item, entries);
		if (!ohe_fhir_sink_maps_kind (self, m)) {
			ohe_push_request_set_outcome (request, i, OHE_PUSH_OUTCOME_FILTERED,
						      OHE_PUSH_REASON_NOT_MAPPED);
			continue;
		}
		g_ptr_array_set_size (resources, 0);
		/* the kind is mapped: whatever stops its writer is a dead letter */
		if (!ohe_fhir_writer_write (writer, m, i, patient, resources, &error)) {
			ohe_push_request_set_outcome (request, i, OHE_PUSH_OUTCOME_REFUSED,
						      error->message);
			continue;
		}
		for (guint j = 0; j < resources->len; j++) {
			OheFhirResource *r = g_ptr_array_index (resources, j);
			g_autofree gchar *id = g_strdup_printf ("%s/%s", r->resource_type, r->id);
			g_strv_builder_add (ids, id);
			if (ohe_fhir_sink_is_upserted (self, r))
				continue;
			g_ptr_array_add (entries, ohe_fhir_entry_new (
						      r->resource_type, r->id, r->identifier_system,
						      r->identifier_value, r->json->str, i,
						      ohe_measurement_get_start (m)));
		}
		resource_ids->pdata[i] = g_strv_builder_end (ids);
	}
	ohe_fhir_sink_return_writer (self, g_steal_pointer (&writer));
	ohe_fhir_sink_refuse_orphans (request);
	for (guint i = 0; i < n; i++) {
		GPtrArray *entries = g_ptr_array_index (by_item, i);
		/* a refused orphan still carries the Device its siblings reference */
		gboolean orphan =
		    ohe_push_request_get_outcome (request, i) != OHE_PUSH_OUTCOME_PENDING;
		if (orphan && entries->len > 0)
			g_ptr_array_add (orphans, GUINT_TO_POINTER (i));
		for (guint j = 0; j < entries->len; j++) {
			OheFhirEntry *entry = g_ptr_array_index (entries, j);
			if (!orphan || ohe_fhir_entry_is_shared (entry))
				g_ptr_array_add (raw, ohe_fhir_entry_ref (entry));
		}
	}
	return ohe_fhir_entries_dedup (raw);
}

/* resources whose measurements were all written, by type: what ohectl and /metrics report;
 * a resource of a measurement to be retried is not counted until it is acknowledged */
static void
ohe_fhir_sink_count_written (OheFhirSink *self, GPtrArray *entries, OhePushRequest *request)
{
	OheMetrics *metrics = ohe_plugin_get_metrics (OHE_PLUGIN (self));
	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		gboolean landed = TRUE;
		for (guint j = 0; j < entry->owners->len; j++) {
			guint owner = g_array_index (entry->owners, guint, j);
			landed &= ohe_push_request_get_outcome (request, owner) ==
				  OHE_PUSH_OUTCOME_WRITTEN;
		}
		if (landed)
			ohe_metrics_counter_add (metrics, "ohe_sink_resources_written_total",
						 OHE_METRICS_LABELS ("fhir", entry->resource_type),
						 1);
	}
}

static gboolean
ohe_fhir_sink_push (OheSink *sink,
		    OhePushRequest *request,
		    GCancellable *cancellable,
		    GError **error)
{
	OheFhirSink *self = OHE_FHIR_SINK (sink);
	g_autoptr(GPtrArray) entries = NULL;
	g_autoptr(GPtrArray) resource_ids =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
	g_autoptr(GPtrArray) orphans = g_ptr_array_new ();
	g_autoptr(GPtrArray) orphan_reasons = g_ptr_array_new_with_free_func (g_free);
	gboolean ok;

	if (self->mapping == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_FAILED, "FHIR sink is not set up");
		return FALSE;
	}
	entries = ohe_fhir_sink_write (self, request, resource_ids, orphans);
	for (guint i = 0; i < orphans->len; i++)
		g_ptr_array_add (orphan_reasons,
				 g_strdup (ohe_push_request_get_reason (
				     request, GPOINTER_TO_UINT (orphans->pdata[i]))));
	if (self->rest != NULL)
		ok =
		    ohe_fhir_rest_transport_push (self->rest, entries, request, cancellable, error);
	else
		ok = ohe_fhir_ndjson_transport_push (self->ndjson, entries, request, cancellable,
						     error);
	if (!ok)
		return FALSE;
	/* the transport answered for the shared resources an orphan carried, not for it;
	 * a transient failure of those still retries the batch */
	for (guint i = 0; i < orphans->len; i++) {
		guint idx = GPOINTER_TO_UINT (orphans->pdata[i]);
		if (ohe_push_request_get_outcome (request, idx) != OHE_PUSH_OUTCOME_RETRY)
			ohe_push_request_set_outcome (request, idx, OHE_PUSH_OUTCOME_REFUSED,
						      orphan_reasons->pdata[i]);
	}
	/* pending: only skipped resources (e.g. a Device stored earlier), nothing to send */
	for (guint i = 0; i < ohe_push_request_get_n_measurements (request); i++) {
		OhePushOutcome outcome = ohe_push_request_get_outcome (request, i);
		if (outcome == OHE_PUSH_OUTCOME_PENDING || outcome == OHE_PUSH_OUTCOME_WRITTEN)
			ohe_push_request_set_written (request, i,
						      g_ptr_array_index (resource_ids, i));
	}
	ohe_fhir_sink_remember_upserted (self, entries, request);
	ohe_fhir_sink_count_written (self, entries, request);
	return TRUE;
}

static gboolean
ohe_fhir_sink_check_health (OheSink *sink, GCancellable *cancellable, GError **error)
{
	OheFhirSink *self = OHE_FHIR_SINK (sink);
	if (self->rest != NULL)
		return ohe_fhir_rest_transport_check_health (self->rest, cancellable, error);
	if (self->ndjson != NULL)
		return ohe_fhir_ndjson_transport_check_health (self->ndjson, error);
	g_set_error_literal (error, OHE_ERROR, OHE_ERROR_FAILED, "FHIR sink is not set up");
	return FALSE;
}

/* both transports are durable when push returns: nothing is buffered */
static gboolean
ohe_fhir_sink_flush (OheSink *sink, GCancellable *cancellable, GError **error)
{
	return TRUE;
}

static void
ohe_fhir_sink_finalize (GObject *object)
{
	OheFhirSink *self = OHE_FHIR_SINK (object);
	g_clear_object (&self->rest);
	g_clear_object (&self->ndjson);
	g_clear_object (&self->auth);
	g_clear_object (&self->client);
	g_clear_object (&self->mapping);
	g_free (self->identifier_base);
	g_ptr_array_unref (self->idle_writers);
	g_hash_table_unref (self->upserted);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_fhir_sink_parent_class)->finalize (object);
}

static void
ohe_fhir_sink_class_init (OheFhirSinkClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_sink_finalize;
	OHE_PLUGIN_CLASS (klass)->setup = ohe_fhir_sink_setup;
	ohe_plugin_class_set_config_keys (OHE_PLUGIN_CLASS (klass), ohe_fhir_config_keys);
	OHE_SINK_CLASS (klass)->push = ohe_fhir_sink_push;
	OHE_SINK_CLASS (klass)->flush = ohe_fhir_sink_flush;
	OHE_SINK_CLASS (klass)->check_health = ohe_fhir_sink_check_health;
}

static void
ohe_fhir_sink_init (OheFhirSink *self)
{
	g_mutex_init (&self->mutex);
	self->idle_writers = g_ptr_array_new_with_free_func (g_object_unref);
	self->upserted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * ohe_fhir_sink_get_http_client:
 *
 * Returns: (transfer none) (nullable): the client of the REST transport, so
 *   tests can give it a fake clock
 */
OheHttpClient *
ohe_fhir_sink_get_http_client (OheFhirSink *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_SINK (self), NULL);
	return self->client;
}

/**
 * ohe_fhir_sink_get_n_requests:
 *
 * Returns: the FHIR HTTP requests sent for pushes and health checks so far
 */
guint64
ohe_fhir_sink_get_n_requests (OheFhirSink *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_SINK (self), 0);
	return self->rest != NULL ? ohe_fhir_rest_transport_get_n_requests (self->rest) : 0;
}

/**
 * ohe_fhir_sink_get_n_refused:
 *
 * Returns: the Bundles the FHIR server refused as a whole so far
 */
guint64
ohe_fhir_sink_get_n_refused (OheFhirSink *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_SINK (self), 0);
	return self->rest != NULL ? ohe_fhir_rest_transport_get_n_refused (self->rest) : 0;
}

/**
 * ohe_fhir_sink_get_rest_transport:
 *
 * Returns: (transfer none) (nullable): the REST transport, for tests
 */
OheFhirRestTransport *
ohe_fhir_sink_get_rest_transport (OheFhirSink *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_SINK (self), NULL);
	return self->rest;
}

OHE_PLUGIN_DEFINE ("fhir", ohe_fhir_sink_get_type)
