/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-health.h"

/*
 * The checks behind the health and ready probes. Store and queue are local and answer at
 * once, so they are checked on every probe. The FHIR sink is not: asking the EHR can take as
 * long as its timeout, so a thread of its own checks it every interval and a probe reports
 * the last answer and its age. A probe never waits for the EHR.
 */
struct _OheApiHealth {
	GObject parent_instance;
	OheEngine *engine; /* owned */
	gint64 sink_interval_us;
	GThread *thread;	   /* owned, nullable */
	GCancellable *cancellable; /* owned */
	GMutex mutex;
	GCond cond;
	gboolean stopping;	/* protected by mutex */
	gboolean sink_checked;	/* protected by mutex */
	gboolean sink_ok;	/* protected by mutex */
	gchar *sink_error;	/* owned, protected by mutex */
	gdouble sink_ms;	/* protected by mutex */
	gint64 sink_checked_us; /* monotonic, protected by mutex */
};

G_DEFINE_TYPE (OheApiHealth, ohe_api_health, G_TYPE_OBJECT)

static void
ohe_api_health_finalize (GObject *object)
{
	OheApiHealth *self = OHE_API_HEALTH (object);
	ohe_api_health_stop (self);
	g_clear_object (&self->engine);
	g_clear_object (&self->cancellable);
	g_free (self->sink_error);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	G_OBJECT_CLASS (ohe_api_health_parent_class)->finalize (object);
}

static void
ohe_api_health_class_init (OheApiHealthClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_api_health_finalize;
}

static void
ohe_api_health_init (OheApiHealth *self)
{
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
	self->cancellable = g_cancellable_new ();
}

OheApiHealth *
ohe_api_health_new (OheEngine *engine, gint64 sink_interval_us)
{
	OheApiHealth *self = g_object_new (OHE_TYPE_API_HEALTH, NULL);
	self->engine = g_object_ref (engine);
	self->sink_interval_us = sink_interval_us;
	return self;
}

static OheSink *
ohe_api_health_get_sink (OheApiHealth *self)
{
	g_autofree gchar *name =
	    ohe_config_get_string (ohe_engine_get_config (self->engine), "daemon", "sink");
	return ohe_plugin_loader_get_sink (ohe_engine_get_loader (self->engine), name);
}

static gpointer
ohe_api_health_thread (gpointer user_data)
{
	OheApiHealth *self = user_data;
	OheSink *sink = ohe_api_health_get_sink (self);

	g_mutex_lock (&self->mutex);
	while (!self->stopping) {
		g_autoptr(GError) error = NULL;
		gint64 start = g_get_monotonic_time ();
		gboolean ok = TRUE;

		g_mutex_unlock (&self->mutex);
		if (sink != NULL)
			ok = ohe_sink_check_health (sink, self->cancellable, &error);
		g_mutex_lock (&self->mutex);
		self->sink_checked = TRUE;
		self->sink_ok = sink != NULL && ok;
		g_free (self->sink_error);
		self->sink_error = sink == NULL ? g_strdup ("the sink plugin is not loaded")
				   : ok		? NULL
						: g_strdup (error->message);
		self->sink_ms = (g_get_monotonic_time () - start) / 1000.0;
		self->sink_checked_us = g_get_monotonic_time ();
		g_cond_wait_until (&self->cond, &self->mutex,
				   g_get_monotonic_time () + self->sink_interval_us);
	}
	g_mutex_unlock (&self->mutex);
	return NULL;
}

void
ohe_api_health_start (OheApiHealth *self)
{
	g_return_if_fail (OHE_IS_API_HEALTH (self));
	if (self->thread != NULL)
		return;
	self->thread = g_thread_new ("ohe-api-health", ohe_api_health_thread, self);
}

void
ohe_api_health_stop (OheApiHealth *self)
{
	if (self->thread == NULL)
		return;
	g_mutex_lock (&self->mutex);
	self->stopping = TRUE;
	g_cond_signal (&self->cond);
	g_mutex_unlock (&self->mutex);
	g_cancellable_cancel (self->cancellable);
	g_thread_join (g_steal_pointer (&self->thread));
}

static void
ohe_api_health_add (
    JsonBuilder *checks, const gchar *name, const gchar *status, gdouble ms, const gchar *detail)
{
	json_builder_set_member_name (checks, name);
	json_builder_begin_object (checks);
	json_builder_set_member_name (checks, "status");
	json_builder_add_string_value (checks, status);
	json_builder_set_member_name (checks, "response_time_ms");
	json_builder_add_double_value (checks, ms);
	if (detail != NULL) {
		json_builder_set_member_name (checks, "detail");
		json_builder_add_string_value (checks, detail);
	}
}

/**
 * ohe_api_health_check:
 * @self: an #OheApiHealth
 * @with_sink: whether to report the sink's last check too
 * @checks: a builder inside an object: one member per check is added
 *
 * Returns: whether the store and the queue answer; the sink does not decide it, since jobs
 *   wait and retry while the EHR is down
 */
gboolean
ohe_api_health_check (OheApiHealth *self, gboolean with_sink, JsonBuilder *checks)
{
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time ();
	OheJobQueue *queue = ohe_engine_get_queue (self->engine);
	gboolean store_ok;
	gint version;

	version = ohe_store_get_schema_version (ohe_engine_get_store (self->engine), &error);
	store_ok = version > 0;
	ohe_api_health_add (checks, "store", store_ok ? "ok" : "failing",
			    (g_get_monotonic_time () - start) / 1000.0,
			    store_ok ? NULL : "the store does not answer");
	if (store_ok) {
		json_builder_set_member_name (checks, "schema_version");
		json_builder_add_int_value (checks, version);
	} else {
		g_warning ("api: health: %s", error->message);
	}
	json_builder_end_object (checks);

	start = g_get_monotonic_time ();
	if (queue != NULL) {
		guint depth = ohe_job_queue_get_depth (queue);
		guint running = ohe_job_queue_get_running (queue);
		ohe_api_health_add (checks, "queue", "ok",
				    (g_get_monotonic_time () - start) / 1000.0, NULL);
		json_builder_set_member_name (checks, "depth");
		json_builder_add_int_value (checks, depth);
		json_builder_set_member_name (checks, "running");
		json_builder_add_int_value (checks, running);
	} else {
		ohe_api_health_add (checks, "queue", "failing", 0, "the queue is not set up");
	}
	json_builder_end_object (checks);

	if (with_sink) {
		g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
		if (!self->sink_checked) {
			ohe_api_health_add (checks, "fhir_sink", "unknown", 0, "not checked yet");
		} else {
			ohe_api_health_add (checks, "fhir_sink", self->sink_ok ? "ok" : "failing",
					    self->sink_ms, self->sink_error);
			json_builder_set_member_name (checks, "checked_seconds_ago");
			json_builder_add_double_value (
			    checks, (g_get_monotonic_time () - self->sink_checked_us) /
					(gdouble)G_USEC_PER_SEC);
		}
		json_builder_end_object (checks);
	}
	return store_ok && queue != NULL;
}
