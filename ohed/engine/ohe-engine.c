/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>

#include "ohe-engine.h"
#include "ohe-memory-job-queue.h"
#include "ohe-sqlite-rate-limiter.h"
#include "ohe-sqlite-store.h"
#include "ohe-store-lease.h"

/*
 * The engine owns the plugins, the store, the job queue and the workers.
 * Each worker thread pops a job and runs it through an OheSyncPipeline.
 *
 * Stopping drains: workers take no new job, running jobs get
 * [daemon] drain_timeout seconds to finish, then they are cancelled and put
 * back in the queue without counting an attempt. Their cursors stand at the
 * last acknowledged batch, so the next start continues where they stopped.
 */
struct _OheEngine {
	GObject parent_instance;
	OheConfig *config;		/* owned */
	OheMetrics *metrics;		/* owned */
	OhePluginLoader *loader;	/* owned */
	OheStore *store;		/* owned */
	OheRateLimiter *limiter;	/* owned: the provider budgets, shared through the store */
	OheJobQueue *queue;		/* owned */
	OheSecretBox *secrets;		/* owned: seals tokens for the store */
	OheClock *clock;		/* owned: the time of the queue, store and scheduler */
	OheScheduler *scheduler;	/* owned: the triggers that make jobs */
	GPtrArray *workers;		/* owned, of GThread */
	GCancellable *stop_cancellable; /* owned: cancels in-flight jobs */
	GCancellable *pop_cancellable;	/* owned: wakes idle workers */
	gint stopping;			/* atomic */
	GMutex mutex;
	GCond cond;	    /* signalled when a job ends */
	guint running_jobs; /* protected by mutex */
	guint64 jobs_done;  /* protected by mutex */
};

G_DEFINE_TYPE (OheEngine, ohe_engine, G_TYPE_OBJECT)

static void
ohe_engine_finalize (GObject *object)
{
	OheEngine *self = OHE_ENGINE (object);
	ohe_engine_stop (self);
	g_ptr_array_unref (self->workers);
	g_clear_object (&self->scheduler);
	g_clear_object (&self->queue);
	g_clear_object (&self->secrets);
	g_clear_object (&self->loader);
	g_clear_object (&self->store);
	g_clear_object (&self->limiter);
	g_clear_object (&self->metrics);
	g_clear_object (&self->config);
	g_clear_object (&self->clock);
	g_object_unref (self->stop_cancellable);
	g_object_unref (self->pop_cancellable);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	G_OBJECT_CLASS (ohe_engine_parent_class)->finalize (object);
}

static void
ohe_engine_class_init (OheEngineClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_engine_finalize;
}

static void
ohe_engine_init (OheEngine *self)
{
	self->workers = g_ptr_array_new ();
	self->stop_cancellable = g_cancellable_new ();
	self->pop_cancellable = g_cancellable_new ();
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
}

/*
 * Each batch allocates and frees a few MiB; by default glibc gives freed
 * memory at the top of the heap back to the kernel and then faults it in
 * again for the next batch, which cost a fifth of the FHIR writer's time.
 * The pipeline is bounded, so keeping that memory is cheap and safe.
 */
void
ohe_engine_tune_memory (void)
{
	mallopt (M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	mallopt (M_TOP_PAD, 64 * 1024 * 1024);
	mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);
}

OheEngine *
ohe_engine_new (OheConfig *config)
{
	OheEngine *self = g_object_new (OHE_TYPE_ENGINE, NULL);
	self->config = g_object_ref (config);
	self->metrics = ohe_metrics_new ();
	self->clock = g_object_ref (ohe_clock_get_default ());
	return self;
}

/**
 * ohe_engine_set_clock:
 * @self: an #OheEngine, not set up yet
 * @clock: the time of the job queue, the store and the scheduler
 *
 * Lets tests run schedules on a fake clock.
 */
void
ohe_engine_set_clock (OheEngine *self, OheClock *clock)
{
	g_return_if_fail (OHE_IS_ENGINE (self));
	g_return_if_fail (OHE_IS_CLOCK (clock));
	g_return_if_fail (self->queue == NULL);
	g_set_object (&self->clock, clock);
}

static void
ohe_engine_register_metrics (OheEngine *self)
{
	const gchar *const job_labels[] = {"provider", "result", NULL};
	const gchar *const item_labels[] = {"provider", "outcome", NULL};
	const gchar *const kind_labels[] = {"provider", "kind", "outcome", NULL};
	const gchar *const push_labels[] = {"provider", "result", NULL};
	const gchar *const no_labels[] = {NULL};
	const gdouble job_buckets[] = {0.1, 0.5, 1, 5, 15, 60, 300, 1800};
	g_autoptr(GError) error = NULL;

	if (!ohe_metrics_register_counter (self->metrics, "ohe_sync_jobs_total",
					   "Sync jobs finished, by provider and result", job_labels,
					   &error) ||
	    !ohe_metrics_register_counter (self->metrics, "ohe_sync_measurements_total",
					   "Measurements handled, by provider and outcome",
					   item_labels, &error) ||
	    !ohe_metrics_register_counter (self->metrics, "ohe_sync_measurements_by_kind_total",
					   "Measurements handled, by provider, kind and outcome",
					   kind_labels, &error) ||
	    !ohe_metrics_register_histogram (self->metrics, "ohe_sync_job_duration_seconds",
					     "Duration of sync jobs", no_labels, job_buckets,
					     G_N_ELEMENTS (job_buckets), &error) ||
	    !ohe_metrics_register_gauge (self->metrics, "ohe_job_queue_depth",
					 "Jobs waiting in the queue", no_labels, &error) ||
	    !ohe_metrics_register_gauge (self->metrics, "ohe_jobs_running", "Jobs being worked on",
					 no_labels, &error) ||
	    !ohe_metrics_register_counter (
		self->metrics, "ohe_push_notifications_total",
		"Provider notifications, by provider and result (queued, coalesced, "
		"unknown_account, inactive_link, refused)",
		push_labels, &error))
		g_warning ("metrics: %s", error->message);
}

GBytes *
ohe_engine_seal_token (OheEngine *self, const gchar *link_id, OheToken *token, GError **error)
{
	g_autofree gchar *json = NULL;
	GBytes *sealed;

	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	json = ohe_token_to_json (token);
	sealed = ohe_secret_box_seal (self->secrets, json, link_id, error);
	memset (json, 0, strlen (json));
	return sealed;
}

OheSecretBox *
ohe_engine_get_secret_box (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->secrets;
}

OheToken *
ohe_engine_open_token (OheEngine *self, OheLink *link, GError **error)
{
	g_autofree gchar *json = NULL;
	OheToken *token;

	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	if (ohe_link_get_token (link) == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
			     "link %s has no token: the user must consent first",
			     ohe_link_get_id (link));
		return NULL;
	}
	json = ohe_secret_box_open (self->secrets, ohe_link_get_token (link),
				    ohe_link_get_id (link), error);
	if (json == NULL)
		return NULL;
	token = ohe_token_new_from_string (json, error);
	memset (json, 0, strlen (json));
	return token;
}

static void
ohe_engine_token_changed_cb (OheProvider *provider,
			     const gchar *link_id,
			     OheToken *token,
			     gpointer user_data)
{
	OheEngine *self = OHE_ENGINE (user_data);
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(GError) error = NULL;

	/* a rotated refresh token that is not saved breaks the link for good */
	sealed = ohe_engine_seal_token (self, link_id, token, &error);
	if (sealed == NULL || !ohe_store_set_link_token (self->store, link_id, sealed, &error))
		g_warning ("cannot save the renewed token of link %s: %s", link_id, error->message);
}

static gboolean
ohe_engine_setup_secrets (OheEngine *self, GError **error)
{
	g_autofree gchar *key_file =
	    ohe_config_get_state_path (self->config, "daemon", "token_key_file", "token.key");
	g_auto(GStrv) old_files =
		    ohe_config_get_list (self->config, "daemon", "token_old_key_files");
	g_autofree gchar *configured =
	    ohe_config_get_string (self->config, "daemon", "token_key_file");
	/* only the embedded default key is created; a configured one must exist */
	gboolean create = configured == NULL || configured[0] == '\0';

	self->secrets = ohe_secret_box_new ();
	if (!ohe_secret_box_add_key_file (self->secrets, key_file, create, error))
		return FALSE;
	for (guint i = 0; old_files[i] != NULL; i++) {
		if (!ohe_secret_box_add_key_file (self->secrets, old_files[i], FALSE, error))
			return FALSE;
	}
	return TRUE;
}

static gchar *
ohe_engine_lookup_plugin_state_cb (gpointer user_data,
				   const gchar *plugin,
				   const gchar *key,
				   GError **error)
{
	return ohe_store_get_plugin_state (OHE_STORE (user_data), plugin, key, error);
}

static gboolean
ohe_engine_save_plugin_state_cb (
    gpointer user_data, const gchar *plugin, const gchar *key, const gchar *value, GError **error)
{
	return ohe_store_set_plugin_state (OHE_STORE (user_data), plugin, key, value, error);
}

static gboolean
ohe_engine_load_plugins (OheEngine *self, GCancellable *cancellable, GError **error)
{
	g_auto(GStrv) dirs = ohe_config_get_list (self->config, "daemon", "plugin_dir");
	g_auto(GStrv) allow = ohe_config_get_list (self->config, "daemon", "plugin_allow");
	g_auto(GStrv) deny = ohe_config_get_list (self->config, "daemon", "plugin_deny");
	GPtrArray *plugins;

	self->loader = ohe_plugin_loader_new (self->metrics);
	ohe_plugin_loader_set_allow_list (self->loader, (const gchar *const *)allow);
	ohe_plugin_loader_set_deny_list (self->loader, (const gchar *const *)deny);
	if (dirs[0] == NULL) {
		g_strfreev (dirs);
		dirs = g_strsplit (OHE_PLUGINDIR, ",", -1);
	}
	for (guint i = 0; dirs[i] != NULL; i++) {
		g_autoptr(GError) error_local = NULL;
		ohe_plugin_loader_load_dir (self->loader, dirs[i], &error_local);
		if (error_local != NULL)
			g_warning ("%s", error_local->message);
	}

	plugins = ohe_plugin_loader_get_plugins (self->loader);
	/* every group first: a typo stops the start before any plugin sets up */
	for (guint i = 0; i < plugins->len; i++) {
		OhePlugin *plugin = g_ptr_array_index (plugins, i);
		if (!ohe_config_check_plugin (self->config, ohe_plugin_get_name (plugin),
					      ohe_plugin_get_config_keys (plugin), error))
			return FALSE;
	}
	{
		g_auto(GStrv) names = ohe_config_list_plugin_names (self->config);
		for (guint i = 0; names[i] != NULL; i++) {
			if (ohe_plugin_loader_get_plugin (self->loader, names[i]) == NULL)
				g_warning ("[plugin:%s] configures no loaded plugin", names[i]);
		}
	}
	for (guint i = 0; i < plugins->len; i++) {
		OhePlugin *plugin = g_ptr_array_index (plugins, i);
		g_autoptr(GError) error_local = NULL;
		ohe_plugin_set_config (plugin, ohe_config_get_keyfile (self->config));
		ohe_plugin_set_rate_limiter (plugin, self->limiter);
		ohe_plugin_set_state_store (plugin, ohe_engine_lookup_plugin_state_cb,
					    ohe_engine_save_plugin_state_cb,
					    g_object_ref (self->store), g_object_unref);
		if (!ohe_plugin_setup (plugin, cancellable, &error_local)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_PLUGIN_INVALID,
				     "plugin %s failed to set up: %s", ohe_plugin_get_name (plugin),
				     error_local != NULL ? error_local->message
							 : "no reason given");
			return FALSE;
		}
		if (OHE_IS_PROVIDER (plugin)) {
			g_signal_connect_object (plugin, "token-changed",
						 G_CALLBACK (ohe_engine_token_changed_cb), self, 0);
		}
	}
	return TRUE;
}

static gboolean
ohe_engine_open_store (OheEngine *self, GError **error)
{
	g_autofree gchar *backend = ohe_config_get_string (self->config, "store", "backend");
	g_autofree gchar *schema_dir = ohe_config_get_string (self->config, "store", "schema_dir");
	g_autofree gchar *path = NULL;
	g_autofree gchar *sqlite_dir = NULL;
	g_autofree gchar *dirname = NULL;

	if (g_strcmp0 (backend, "sqlite") != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "store backend '%s' is not available in this build", backend);
		return FALSE;
	}
	path = ohe_config_get_state_path (self->config, "store", "sqlite_path", "ohed.db");
	dirname = g_path_get_dirname (path);
	if (g_strcmp0 (path, ":memory:") != 0 && g_mkdir_with_parents (dirname, 0700) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_STORE, "cannot create %s: %s", dirname,
			     g_strerror (errno));
		return FALSE;
	}
	if (schema_dir == NULL || schema_dir[0] == '\0') {
		g_free (schema_dir);
		schema_dir = g_strdup (g_file_test (OHE_SCHEMADIR, G_FILE_TEST_IS_DIR)
					   ? OHE_SCHEMADIR
					   : OHE_SOURCE_SCHEMADIR);
	}
	sqlite_dir = g_build_filename (schema_dir, "sqlite", NULL);
	self->store = ohe_sqlite_store_new (path, sqlite_dir, error);
	if (self->store == NULL)
		return FALSE;
	/* the daemon and every ohectl on this database spend one budget per provider limit;
	 * a database in memory has no other process to share with */
	if (g_strcmp0 (path, ":memory:") == 0)
		self->limiter = ohe_memory_rate_limiter_new (NULL);
	else
		self->limiter = ohe_sqlite_rate_limiter_new (path, error);
	return self->limiter != NULL;
}

static gboolean
ohe_engine_setup_scheduler (OheEngine *self, GError **error)
{
	g_autoptr(OheSyncSettings) settings = ohe_sync_settings_new (self->config, error);
	g_autoptr(OheLease) lease = NULL;

	if (settings == NULL)
		return FALSE;
	lease = ohe_store_lease_new (self->store, self->clock, NULL);
	self->scheduler =
	    ohe_scheduler_new (self->store, self->queue, lease, settings, self->clock);
	return TRUE;
}

gboolean
ohe_engine_setup (OheEngine *self, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *queue_backend = NULL;

	g_return_val_if_fail (OHE_IS_ENGINE (self), FALSE);

	ohe_engine_register_metrics (self);
	if (!ohe_engine_setup_secrets (self, error))
		return FALSE;
	if (!ohe_engine_open_store (self, error))
		return FALSE;
	queue_backend = ohe_config_get_string (self->config, "queue", "backend");
	if (g_strcmp0 (queue_backend, "memory") != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "queue backend '%s' is not available in this build", queue_backend);
		return FALSE;
	}
	ohe_sqlite_store_set_clock (OHE_SQLITE_STORE (self->store), self->clock);
	self->queue = ohe_memory_job_queue_new (self->store, self->clock, error);
	if (self->queue == NULL)
		return FALSE;
	if (!ohe_engine_setup_scheduler (self, error))
		return FALSE;
	return ohe_engine_load_plugins (self, cancellable, error);
}

/* A revoked grant or a retired API cannot heal by retrying: the link waits
 * for the user to consent again, and the audit log says why. */
static void
ohe_engine_check_consent (OheEngine *self, OheLink *link, const GError *error)
{
	g_autoptr(GError) error_store = NULL;

	if (error == NULL || !(g_error_matches (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED) ||
			       g_error_matches (error, OHE_ERROR, OHE_ERROR_GONE)))
		return;
	if (!ohe_store_update_link_state (self->store, ohe_link_get_id (link),
					  OHE_LINK_STATE_NEEDS_RECONSENT, &error_store) ||
	    !ohe_store_add_audit (self->store, "ohed", "link-needs-reconsent", error->message,
				  &error_store))
		g_warning ("link %s: %s", ohe_link_get_id (link), error_store->message);
}

/*
 * Asks @request for the consented @kinds the provider delivers; no consented
 * kind (a link from before consent lists were filled in) means every kind
 * the provider offers. Returns %FALSE if that leaves nothing to ask for.
 */
static gboolean
ohe_engine_ask_kinds (OheProvider *provider,
		      const gchar *const *kinds,
		      OheOrganisationPolicy *policy,
		      OheFetchRequest *request)
{
	if (kinds == NULL || kinds[0] == NULL) {
		g_autoptr(GArray) offered = ohe_provider_get_kinds (provider);
		for (guint i = 0; offered != NULL && i < offered->len; i++) {
			OheMeasurementKind kind = g_array_index (offered, OheMeasurementKind, i);
			if (ohe_organisation_policy_allows_kind (policy, kind))
				ohe_fetch_request_add_kind (request, kind);
		}
		return ohe_fetch_request_get_n_kinds (request) > 0;
	}
	for (guint i = 0; kinds[i] != NULL; i++) {
		OheMeasurementKind kind = ohe_measurement_kind_from_string (kinds[i]);
		if (kind != OHE_MEASUREMENT_KIND_UNKNOWN &&
		    ohe_organisation_policy_allows_kind (policy, kind) &&
		    ohe_provider_supports_kind (provider, kind))
			ohe_fetch_request_add_kind (request, kind);
	}
	return ohe_fetch_request_get_n_kinds (request) > 0;
}

/*
 * The window a job fetches: no further back than the organisation's maximum
 * backfill, and with hourly aggregation widened to whole UTC hours at both
 * edges, so an hour is aggregated over all of its samples. A job without a
 * window (from the link's cursor) keeps none. Returns %FALSE if the policy
 * leaves nothing of the window.
 */
static gboolean
ohe_engine_shape_window (OheOrganisationPolicy *policy,
			 OheAggregationMode aggregation,
			 gint64 *start,
			 gint64 *end)
{
	guint max_days = ohe_organisation_policy_get_max_backfill_days (policy);

	if (*start == 0 && *end == 0)
		return TRUE;
	if (max_days > 0) {
		gint64 now = ohe_clock_get_real (ohe_clock_get_default ());
		gint64 earliest = now - (gint64)max_days * 24 * OHE_HOUR_US;
		if (aggregation == OHE_AGGREGATION_MODE_HOURLY)
			earliest = ohe_hour_ceil (earliest);
		if (*end != 0 && *end <= earliest)
			return FALSE;
		*start = MAX (*start, earliest);
	}
	if (aggregation == OHE_AGGREGATION_MODE_HOURLY) {
		*start = ohe_hour_floor (*start);
		if (*end != 0)
			*end = ohe_hour_ceil (*end);
	}
	return TRUE;
}

/* the job record and the metrics: what became of every acknowledged item, per kind */
static void
ohe_engine_record_outcomes (OheEngine *self, OheJob *job, const OheSyncStats *stats)
{
	const gchar *provider = ohe_job_get_provider (job);
	g_autoptr(GError) error = NULL;

	ohe_metrics_counter_add (self->metrics, "ohe_sync_measurements_total",
				 OHE_METRICS_LABELS (provider, "written"), stats->written);
	ohe_metrics_counter_add (self->metrics, "ohe_sync_measurements_total",
				 OHE_METRICS_LABELS (provider, "refused"), stats->refused);
	ohe_metrics_counter_add (self->metrics, "ohe_sync_measurements_total",
				 OHE_METRICS_LABELS (provider, "filtered"), stats->filtered);
	for (guint k = 0; k < OHE_MEASUREMENT_KIND_LAST; k++) {
		const gchar *kind = ohe_measurement_kind_to_string (k);
		const struct {
			const gchar *outcome;
			guint64 count;
		} rows[] = {
		    {"fetched", stats->fetched_by_kind[k]},
		    {"written", stats->written_by_kind[k]},
		    {"refused", stats->refused_by_kind[k]},
		    {"filtered", stats->filtered_by_kind[k]},
		};
		if (stats->fetched_by_kind[k] == 0)
			continue;
		for (guint r = 0; r < G_N_ELEMENTS (rows); r++) {
			if (r > 0)
				ohe_metrics_counter_add (
				    self->metrics, "ohe_sync_measurements_by_kind_total",
				    OHE_METRICS_LABELS (provider, kind, rows[r].outcome),
				    rows[r].count);
			if (error == NULL &&
			    !ohe_store_add_job_outcome (self->store, ohe_job_get_id (job),
							ohe_job_get_link_id (job), kind,
							rows[r].outcome, rows[r].count, &error))
				g_warning ("job %s: %s", ohe_job_get_id (job), error->message);
		}
	}
}

gboolean
ohe_engine_run_job (
    OheEngine *self, OheJob *job, OheSyncStats *stats, GCancellable *cancellable, GError **error)
{
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheToken) token = NULL;
	g_autoptr(OheFetchRequest) request = NULL;
	g_autoptr(OheShaper) shaper = NULL;
	g_autoptr(OheSyncPipeline) pipeline = NULL;
	g_autoptr(OheOrganisationPolicy) policy = NULL;
	OheAggregationMode aggregation = OHE_AGGREGATION_MODE_INDIVIDUAL;
	gint64 window_start;
	gint64 window_end;
	g_autofree gchar *sink_name = NULL;
	g_autofree gchar *patient = NULL;
	const gchar *const *kinds;
	OheProvider *provider;
	OheSink *sink;
	gboolean ok;

	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *stream = NULL;

	g_return_val_if_fail (OHE_IS_ENGINE (self), FALSE);

	link = ohe_store_get_link (self->store, ohe_job_get_link_id (job), error);
	if (link == NULL)
		return FALSE;
	/* consent first: only an active link syncs, whatever is queued for it */
	if (ohe_link_get_state (link) != OHE_LINK_STATE_ACTIVE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "link %s is %s, not active: not syncing", ohe_link_get_id (link),
			     ohe_link_state_to_string (ohe_link_get_state (link)));
		return FALSE;
	}
	provider = ohe_plugin_loader_get_provider (self->loader, ohe_link_get_provider (link));
	if (provider == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     "link %s needs provider plugin %s, which is not loaded",
			     ohe_link_get_id (link), ohe_link_get_provider (link));
		return FALSE;
	}
	sink_name = ohe_config_get_string (self->config, "daemon", "sink");
	sink = ohe_plugin_loader_get_sink (self->loader, sink_name);
	if (sink == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "sink plugin %s is not loaded",
			     sink_name);
		return FALSE;
	}
	patient = ohe_store_get_patient_reference (self->store, ohe_link_get_user_id (link), error);
	if (patient == NULL)
		return FALSE;
	/* a link without a token is fine for providers that need none (tests, CSV import) */
	if (ohe_link_get_token (link) != NULL) {
		token = ohe_engine_open_token (self, link, error);
		if (token == NULL)
			return FALSE;
	}

	policy = ohe_store_dup_user_policy (self->store, ohe_link_get_user_id (link), &aggregation,
					    error);
	if (policy == NULL)
		return FALSE;
	window_start = ohe_job_get_window_start (job);
	window_end = ohe_job_get_window_end (job);
	if (!ohe_engine_shape_window (policy, aggregation, &window_start, &window_end)) {
		g_info ("link %s: the window lies before the organisation's backfill limit of %u "
			"days: nothing to fetch",
			ohe_link_get_id (link),
			ohe_organisation_policy_get_max_backfill_days (policy));
		stats->nothing_asked = TRUE;
		return TRUE;
	}
	request = ohe_fetch_request_new (ohe_link_get_id (link), window_start, window_end);
	ohe_fetch_request_set_token (request, token);
	ohe_fetch_request_set_external_user_id (request, ohe_link_get_external_user_id (link));
	kinds = (const gchar *const *)ohe_job_get_kinds (job);
	if (kinds == NULL || kinds[0] == NULL)
		kinds = (const gchar *const *)ohe_link_get_kinds (link);
	if (!ohe_engine_ask_kinds (provider, kinds, policy, request)) {
		/* nothing to ask for: no fetch at all, and the summary says why */
		g_info ("link %s: no kind it consents to is delivered by %s: nothing to fetch",
			ohe_link_get_id (link), ohe_link_get_provider (link));
		stats->nothing_asked = TRUE;
		return TRUE;
	}
	shaper = ohe_shaper_new (ohe_link_get_provider (link),
				 (const gchar *const *)ohe_link_get_kinds (link));
	ohe_shaper_set_policy (shaper, policy);
	pipeline = ohe_sync_pipeline_new (
	    provider, sink, self->store,
	    (guint)ohe_config_get_int (self->config, "daemon", "pipeline_depth"));
	if (aggregation == OHE_AGGREGATION_MODE_HOURLY) {
		g_autoptr(OheHourlyAggregator) aggregator =
			       ohe_hourly_aggregator_new (ohe_link_get_provider (link));
		ohe_sync_pipeline_set_aggregator (pipeline, aggregator);
	}
	if (ohe_organisation_policy_get_linked (policy)[0] != NULL) {
		g_autoptr(OheLinkedData) linked = ohe_linked_data_new (policy);
		ohe_sync_pipeline_set_linked_data (pipeline, linked);
	}
	ok = ohe_sync_pipeline_run (pipeline, job, request, shaper, patient, stats, cancellable,
				    &error_local);
	ohe_engine_record_outcomes (self, job, stats);
	if (!ok) {
		ohe_engine_check_consent (self, link, error_local);
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	/* a finished window job leaves no cursor behind; the link's own stays */
	stream = ohe_sync_pipeline_dup_stream (job);
	if (g_str_has_prefix (stream, "job:") &&
	    !ohe_store_set_cursor (self->store, ohe_link_get_id (link), stream, NULL, &error_local))
		g_warning ("link %s: %s", ohe_link_get_id (link), error_local->message);
	return TRUE;
}

static void
ohe_engine_record_job (
    OheEngine *self, OheJob *job, const OheSyncStats *stats, const gchar *result, gint64 started_us)
{
	const gchar *provider = ohe_job_get_provider (job);
	ohe_metrics_counter_add (self->metrics, "ohe_sync_jobs_total",
				 OHE_METRICS_LABELS (provider, result), 1);
	ohe_metrics_histogram_observe (
	    self->metrics, "ohe_sync_job_duration_seconds", (const gchar *const[]){NULL},
	    (gdouble)(g_get_monotonic_time () - started_us) / G_USEC_PER_SEC);
}

static void
ohe_engine_process_job (OheEngine *self, OheJob *job)
{
	OheSyncStats stats = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error_queue = NULL;
	gint64 started = g_get_monotonic_time ();
	gboolean ok;

	ok = ohe_engine_run_job (self, job, &stats, self->stop_cancellable, &error);
	if (ok) {
		g_debug ("job %s done: fetched %" G_GUINT64_FORMAT ", written %" G_GUINT64_FORMAT
			 ", refused %" G_GUINT64_FORMAT ", filtered %" G_GUINT64_FORMAT,
			 ohe_job_get_id (job), stats.fetched, stats.written, stats.refused,
			 stats.filtered);
		ohe_engine_record_job (self, job, &stats, "done", started);
		ohe_scheduler_job_done (self->scheduler, job, stats.written);
		if (!ohe_job_queue_complete (self->queue, job, &error_queue))
			g_warning ("job %s: %s", ohe_job_get_id (job), error_queue->message);
	} else if (g_atomic_int_get (&self->stopping) &&
		   g_cancellable_is_cancelled (self->stop_cancellable)) {
		g_info ("job %s interrupted by shutdown, re-queued", ohe_job_get_id (job));
		ohe_engine_record_job (self, job, &stats, "requeued", started);
		if (!ohe_job_queue_requeue (self->queue, job, &error_queue))
			g_warning ("job %s: %s", ohe_job_get_id (job), error_queue->message);
	} else {
		/* the queue re-queues a cancelled job as a shutdown casualty, without a
		 * backoff; a cancellation that is not ours (a plugin's own timeout) is
		 * an ordinary transient failure */
		if (g_error_matches (error, OHE_ERROR, OHE_ERROR_CANCELLED) ||
		    g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			error->domain = OHE_ERROR;
			error->code = OHE_ERROR_UNAVAILABLE;
		}
		g_warning ("job %s failed: %s", ohe_job_get_id (job), error->message);
		ohe_engine_record_job (self, job, &stats, "failed", started);
		if (!ohe_job_queue_fail (self->queue, job, error, &error_queue))
			g_warning ("job %s: %s", ohe_job_get_id (job), error_queue->message);
	}
	ohe_sync_stats_clear (&stats);
}

static gpointer
ohe_engine_worker_thread (gpointer user_data)
{
	OheEngine *self = OHE_ENGINE (user_data);

	while (!g_atomic_int_get (&self->stopping)) {
		g_autoptr(GError) error = NULL;
		g_autoptr(OheJob) job = ohe_job_queue_pop (self->queue, G_USEC_PER_SEC,
							    self->pop_cancellable, &error);
		if (job == NULL) {
			if (error != NULL &&
			    !g_error_matches (error, OHE_ERROR, OHE_ERROR_CANCELLED))
				g_warning ("job queue: %s", error->message);
			continue;
		}
		g_mutex_lock (&self->mutex);
		self->running_jobs++;
		g_mutex_unlock (&self->mutex);

		ohe_engine_process_job (self, job);

		g_mutex_lock (&self->mutex);
		self->running_jobs--;
		self->jobs_done++;
		g_cond_broadcast (&self->cond);
		g_mutex_unlock (&self->mutex);
	}
	return NULL;
}

gboolean
ohe_engine_start (OheEngine *self, GError **error)
{
	guint n_workers;

	g_return_val_if_fail (OHE_IS_ENGINE (self), FALSE);
	if (self->queue == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_FAILED, "engine is not set up");
		return FALSE;
	}
	n_workers = (guint)ohe_config_get_int (self->config, "daemon", "workers");
	for (guint i = 0; i < n_workers; i++) {
		g_autofree gchar *name = g_strdup_printf ("ohe-worker-%u", i);
		g_ptr_array_add (self->workers,
				 g_thread_new (name, ohe_engine_worker_thread, self));
	}
	g_debug ("engine started with %u workers", n_workers);
	return TRUE;
}

/* jobs that could run now: queued, and past their backoff */
static guint
ohe_engine_count_ready_jobs (OheEngine *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) jobs = ohe_store_list_jobs (self->store, &error);
	gint64 now = g_get_real_time ();
	guint ready = 0;

	if (jobs == NULL) {
		g_warning ("cannot list jobs: %s", error->message);
		return ohe_job_queue_get_depth (self->queue);
	}
	for (guint i = 0; i < jobs->len; i++) {
		OheJob *job = g_ptr_array_index (jobs, i);
		if (ohe_job_get_state (job) == OHE_JOB_STATE_QUEUED &&
		    ohe_job_get_not_before (job) <= now)
			ready++;
	}
	return ready;
}

/* Blocks until no job runs and none is ready to run (jobs waiting for a
 * retry do not count), or until @timeout_us passes. */
gboolean
ohe_engine_wait_idle (OheEngine *self, gint64 timeout_us)
{
	gint64 deadline = g_get_monotonic_time () + timeout_us;

	g_return_val_if_fail (OHE_IS_ENGINE (self), FALSE);
	while (TRUE) {
		guint running;
		g_mutex_lock (&self->mutex);
		running = self->running_jobs;
		g_mutex_unlock (&self->mutex);
		/* a job just popped is running for the queue before the worker counts it */
		running = MAX (running, ohe_job_queue_get_running (self->queue));
		if (running == 0 && ohe_engine_count_ready_jobs (self) == 0)
			return TRUE;
		if (g_get_monotonic_time () >= deadline)
			return FALSE;
		g_mutex_lock (&self->mutex);
		g_cond_wait_until (&self->cond, &self->mutex,
				   MIN (deadline, g_get_monotonic_time () + 50000));
		g_mutex_unlock (&self->mutex);
	}
}

void
ohe_engine_stop (OheEngine *self)
{
	gint64 drain_us;
	gint64 deadline;

	g_return_if_fail (OHE_IS_ENGINE (self));
	if (self->workers->len == 0)
		return;
	if (!g_atomic_int_compare_and_exchange (&self->stopping, FALSE, TRUE))
		return;

	/* no new jobs; let the running ones finish within the drain timeout */
	g_cancellable_cancel (self->pop_cancellable);
	ohe_job_queue_wake (self->queue);
	drain_us = ohe_config_get_int (self->config, "daemon", "drain_timeout") * G_USEC_PER_SEC;
	deadline = g_get_monotonic_time () + drain_us;
	g_mutex_lock (&self->mutex);
	while (self->running_jobs > 0 || ohe_job_queue_get_running (self->queue) > 0) {
		/* short waits: a job popped just before the stop signals nothing yet */
		if (!g_cond_wait_until (&self->cond, &self->mutex,
					MIN (deadline, g_get_monotonic_time () + 50000)) &&
		    g_get_monotonic_time () >= deadline)
			break;
	}
	if (self->running_jobs > 0)
		g_info ("drain timeout: interrupting %u running jobs", self->running_jobs);
	g_mutex_unlock (&self->mutex);

	g_cancellable_cancel (self->stop_cancellable);
	for (guint i = 0; i < self->workers->len; i++)
		g_thread_join (g_ptr_array_index (self->workers, i));
	g_ptr_array_set_size (self->workers, 0);
	g_debug ("engine stopped");
}

OheConfig *
ohe_engine_get_config (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->config;
}

OheMetrics *
ohe_engine_get_metrics (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->metrics;
}

OhePluginLoader *
ohe_engine_get_loader (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->loader;
}

OheStore *
ohe_engine_get_store (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->store;
}

/* the limiter the engine gives its plugins: store-backed, or per process for `:memory:` */
OheRateLimiter *
ohe_engine_get_rate_limiter (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->limiter;
}

OheJobQueue *
ohe_engine_get_queue (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->queue;
}

guint64
ohe_engine_get_jobs_done (OheEngine *self)
{
	guint64 done;
	g_return_val_if_fail (OHE_IS_ENGINE (self), 0);
	g_mutex_lock (&self->mutex);
	done = self->jobs_done;
	g_mutex_unlock (&self->mutex);
	return done;
}

OheScheduler *
ohe_engine_get_scheduler (OheEngine *self)
{
	g_return_val_if_fail (OHE_IS_ENGINE (self), NULL);
	return self->scheduler;
}

/* the result label of ohe_push_notifications_total for a refused notification */
static const gchar *
ohe_engine_notify_result (const GError *error)
{
	if (g_error_matches (error, OHE_ERROR, OHE_ERROR_NOT_FOUND))
		return "unknown_account";
	if (g_error_matches (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED))
		return "inactive_link";
	return "refused";
}

/**
 * ohe_engine_notify:
 * @self: an #OheEngine, set up
 * @provider: the provider plugin name the notification came from
 * @hint: the account, window and kinds it names
 * @error: a #GError, or %NULL
 *
 * The push entry point of the webhook routes and `ohectl notify`: queues a realtime job for
 * the active link holding the account, coalesced with a push job of that link still waiting
 * (see ohe_scheduler_notify()). Counted in ohe_push_notifications_total{provider,result}.
 *
 * Returns: %TRUE if queued or coalesced; %FALSE with %OHE_ERROR_NOT_FOUND for an account no
 *   link holds, %OHE_ERROR_PERMISSION_DENIED for a link that is not active
 */
gboolean
ohe_engine_notify (OheEngine *self, const gchar *provider, OheSyncHint *hint, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gboolean coalesced = FALSE;

	g_return_val_if_fail (OHE_IS_ENGINE (self), FALSE);
	g_return_val_if_fail (provider != NULL, FALSE);
	g_return_val_if_fail (OHE_IS_SYNC_HINT (hint), FALSE);
	if (self->scheduler == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_FAILED, "engine is not set up");
		return FALSE;
	}
	if (!ohe_scheduler_notify (self->scheduler, provider, hint, &coalesced, &error_local)) {
		ohe_metrics_counter_add (
		    self->metrics, "ohe_push_notifications_total",
		    OHE_METRICS_LABELS (provider, ohe_engine_notify_result (error_local)), 1);
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	ohe_metrics_counter_add (self->metrics, "ohe_push_notifications_total",
				 OHE_METRICS_LABELS (provider, coalesced ? "coalesced" : "queued"),
				 1);
	return TRUE;
}
