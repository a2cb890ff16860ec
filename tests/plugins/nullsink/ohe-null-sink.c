/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <oheplugin.h>

/*
 * A sink that accepts everything and writes nothing, for the pipeline tests
 * and benchmarks; the keys of [plugin:nullsink] are in the table below. A
 * written item produces the resource id "Null/<native id>". It counts written
 * items in the metric ohe_nullsink_accepted_total.
 */
#define OHE_TYPE_NULL_SINK (ohe_null_sink_get_type ())
G_DECLARE_FINAL_TYPE (OheNullSink, ohe_null_sink, OHE, NULL_SINK, OheSink)

struct _OheNullSink {
	OheSink parent_instance;
	gint failed_pushes; /* atomic */
	GMutex mutex;	    /* serialises writes to the record file */
};

static const OhePluginConfigKey ohe_null_sink_config_keys[] = {
    {.name = "delay_us",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "0",
     .min = 0,
     .max = 60 * G_USEC_PER_SEC,
     .summary = "pause per batch, to look like a slow EHR"},
    {.name = "record_path",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "append the native id of every written item to this file"},
    {.name = "reject_every",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "0",
     .min = 0,
     .max = G_MAXINT32,
     .summary = "reject every Nth item of a batch for good (0 = never)"},
    {.name = "unmapped_kinds",
     .type = OHE_PLUGIN_CONFIG_TYPE_KINDS,
     .summary = "kinds it filters as not mapped"},
    {.name = "forget_every",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "0",
     .min = 0,
     .max = G_MAXINT32,
     .summary = "leave every Nth item without an outcome, as a faulty sink would (0 = never)"},
    {.name = "fail_pushes",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "0",
     .min = 0,
     .max = G_MAXINT32,
     .summary = "fail this many pushes (transiently) before accepting"},
    {NULL},
};

G_DEFINE_TYPE (OheNullSink, ohe_null_sink, OHE_TYPE_SINK)

static gboolean
ohe_null_sink_setup (OhePlugin *plugin, GCancellable *cancellable, GError **error)
{
	const gchar *const labels[] = {NULL};
	return ohe_metrics_register_counter (ohe_plugin_get_metrics (plugin),
					     "ohe_nullsink_accepted_total",
					     "Items the null sink accepted", labels, error);
}

static gboolean
ohe_null_sink_record (OheNullSink *self, const gchar *path, OhePushRequest *request, GError **error)
{
	g_autoptr(GString) lines = g_string_new (NULL);
	FILE *fp;

	for (guint i = 0; i < ohe_push_request_get_n_measurements (request); i++) {
		if (ohe_push_request_get_outcome (request, i) != OHE_PUSH_OUTCOME_WRITTEN)
			continue;
		g_string_append_printf (
		    lines, "%s\n",
		    ohe_measurement_get_native_id (ohe_push_request_get_measurement (request, i)));
	}
	g_mutex_lock (&self->mutex);
	fp = fopen (path, "a");
	if (fp == NULL) {
		g_mutex_unlock (&self->mutex);
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot open %s", path);
		return FALSE;
	}
	fwrite (lines->str, 1, lines->len, fp);
	fflush (fp);
	fsync (fileno (fp));
	fclose (fp);
	g_mutex_unlock (&self->mutex);
	return TRUE;
}

static gboolean
ohe_null_sink_push (OheSink *sink,
		    OhePushRequest *request,
		    GCancellable *cancellable,
		    GError **error)
{
	OheNullSink *self = OHE_NULL_SINK (sink);
	OhePlugin *plugin = OHE_PLUGIN (sink);
	gint64 delay_us = ohe_plugin_get_config_int (plugin, "delay_us", 0);
	gint64 reject_every = ohe_plugin_get_config_int (plugin, "reject_every", 0);
	gint64 fail_pushes = ohe_plugin_get_config_int (plugin, "fail_pushes", 0);
	gint64 forget_every = ohe_plugin_get_config_int (plugin, "forget_every", 0);
	g_autofree gchar *record_path = ohe_plugin_get_config_string (plugin, "record_path", NULL);
	g_autofree gchar *unmapped_text =
	    ohe_plugin_get_config_string (plugin, "unmapped_kinds", "");
	g_auto(GStrv) unmapped = g_strsplit (unmapped_text, ",", -1);
	guint accepted = 0;

	if (delay_us > 0 &&
	    !ohe_clock_sleep (ohe_clock_get_default (), delay_us, cancellable, error))
		return FALSE;
	if (g_atomic_int_get (&self->failed_pushes) < fail_pushes) {
		g_atomic_int_inc (&self->failed_pushes);
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
				     "null sink configured to fail");
		return FALSE;
	}
	for (guint i = 0; i < ohe_push_request_get_n_measurements (request); i++) {
		OheMeasurement *m = ohe_push_request_get_measurement (request, i);
		const gchar *kind = ohe_measurement_kind_to_string (ohe_measurement_get_kind (m));
		g_autofree gchar *id = NULL;

		if (g_strv_contains ((const gchar *const *)unmapped, kind)) {
			ohe_push_request_set_outcome (request, i, OHE_PUSH_OUTCOME_FILTERED,
						      OHE_PUSH_REASON_NOT_MAPPED);
			continue;
		}
		if (forget_every > 0 && (i + 1) % (guint)forget_every == 0)
			continue;
		if (reject_every > 0 && (i + 1) % (guint)reject_every == 0) {
			ohe_push_request_set_outcome (request, i, OHE_PUSH_OUTCOME_REFUSED,
						      "rejected by configuration");
			continue;
		}
		id = g_strdup_printf ("Null/%s", ohe_measurement_get_native_id (m) ?: "-");
		ohe_push_request_set_written (request, i, (const gchar *const[]){id, NULL});
		accepted++;
	}
	if (record_path != NULL && record_path[0] != '\0' &&
	    !ohe_null_sink_record (self, record_path, request, error))
		return FALSE;
	ohe_metrics_counter_add (ohe_plugin_get_metrics (plugin), "ohe_nullsink_accepted_total",
				 (const gchar *const[]){NULL}, accepted);
	return TRUE;
}

static void
ohe_null_sink_finalize (GObject *object)
{
	OheNullSink *self = OHE_NULL_SINK (object);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_null_sink_parent_class)->finalize (object);
}

static void
ohe_null_sink_class_init (OheNullSinkClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_null_sink_finalize;
	OHE_PLUGIN_CLASS (klass)->setup = ohe_null_sink_setup;
	ohe_plugin_class_set_config_keys (OHE_PLUGIN_CLASS (klass), ohe_null_sink_config_keys);
	OHE_SINK_CLASS (klass)->push = ohe_null_sink_push;
}

static void
ohe_null_sink_init (OheNullSink *self)
{
	g_mutex_init (&self->mutex);
}

OHE_PLUGIN_DEFINE ("nullsink", ohe_null_sink_get_type)
