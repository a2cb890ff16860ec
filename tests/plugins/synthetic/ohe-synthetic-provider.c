/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

/*
 * A provider that generates deterministic heart-rate samples, for the
 * pipeline tests and benchmarks. The keys of [plugin:synthetic] are in the
 * table below. The cursor is the index of the next sample, so a retried job
 * resumes.
 */
#define OHE_TYPE_SYNTHETIC_PROVIDER (ohe_synthetic_provider_get_type ())
G_DECLARE_FINAL_TYPE (
    OheSyntheticProvider, ohe_synthetic_provider, OHE, SYNTHETIC_PROVIDER, OheProvider)

struct _OheSyntheticProvider {
	OheProvider parent_instance;
};

G_DEFINE_TYPE (OheSyntheticProvider, ohe_synthetic_provider, OHE_TYPE_PROVIDER)

static const OhePluginConfigKey ohe_synthetic_config_keys[] = {
    {.name = "count",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "1000",
     .min = 0,
     .max = G_MAXINT32,
     .summary = "measurements per fetch window"},
    {.name = "batch_size",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "500",
     .min = 1,
     .max = 100000,
     .summary = "measurements per emitted batch"},
    {.name = "interval_s",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "60",
     .min = 1,
     .max = 86400,
     .summary = "seconds between samples"},
    {.name = "delay_us",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "0",
     .min = 0,
     .max = 60 * G_USEC_PER_SEC,
     .summary = "pause before each batch, to look like a slow cloud"},
    {.name = "invalid_every",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "0",
     .min = 0,
     .max = G_MAXINT32,
     .summary = "every Nth sample has no value, so the shaper refuses it (0 = never)"},
    {.name = "fail_at",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "-1",
     .min = -1,
     .max = G_MAXINT32,
     .summary = "fail once this index is reached (-1 = never)"},
    {.name = "fail_error",
     .type = OHE_PLUGIN_CONFIG_TYPE_ENUM,
     .default_value = "unavailable",
     .choices = "unavailable|auth_required|gone",
     .summary = "the error then: unavailable (transient), auth_required or gone"},
    {NULL},
};

static GArray *
ohe_synthetic_provider_get_kinds (OheProvider *provider)
{
	GArray *kinds = g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
	OheMeasurementKind kind = OHE_MEASUREMENT_KIND_HEART_RATE;
	g_array_append_val (kinds, kind);
	return kinds;
}

static gboolean
ohe_synthetic_provider_fetch (OheProvider *provider,
			      OheFetchRequest *request,
			      GCancellable *cancellable,
			      GError **error)
{
	OhePlugin *plugin = OHE_PLUGIN (provider);
	gint64 count = ohe_plugin_get_config_int (plugin, "count", 1000);
	gint64 batch_size = MAX (ohe_plugin_get_config_int (plugin, "batch_size", 500), 1);
	gint64 interval_s = ohe_plugin_get_config_int (plugin, "interval_s", 60);
	gint64 delay_us = ohe_plugin_get_config_int (plugin, "delay_us", 0);
	gint64 invalid_every = ohe_plugin_get_config_int (plugin, "invalid_every", 0);
	gint64 fail_at = ohe_plugin_get_config_int (plugin, "fail_at", -1);
	g_autofree gchar *fail_error =
	    ohe_plugin_get_config_string (plugin, "fail_error", "unavailable");
	const gchar *cursor = ohe_fetch_request_get_cursor (request);
	/* a job without a window starts at a fixed day: 2026-11-01T00:00:00Z */
	gint64 start = ohe_fetch_request_get_start (request) != 0
			   ? ohe_fetch_request_get_start (request)
			   : G_GINT64_CONSTANT (1793491200000000);
	guint64 index = 0;

	if (cursor != NULL &&
	    !g_ascii_string_to_unsigned (cursor, 10, 0, G_MAXUINT64, &index, NULL)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "synthetic cursor '%s' is not a number", cursor);
		return FALSE;
	}
	while (index < (guint64)count) {
		g_autoptr(GPtrArray) batch = g_ptr_array_new_full (
		    (guint)batch_size, (GDestroyNotify)ohe_measurement_unref);
		g_autofree gchar *next = NULL;

		if (delay_us > 0 &&
		    !ohe_clock_sleep (ohe_clock_get_default (), delay_us, cancellable, error))
			return FALSE;
		for (; index < (guint64)count && batch->len < (guint)batch_size; index++) {
			OheMeasurement *m;
			gchar native_id[32];
			gint64 at = start + (gint64)index * interval_s * G_USEC_PER_SEC;

			if (fail_at >= 0 && index == (guint64)fail_at) {
				OheError code = OHE_ERROR_UNAVAILABLE;
				if (g_strcmp0 (fail_error, "auth_required") == 0)
					code = OHE_ERROR_AUTH_REQUIRED;
				else if (g_strcmp0 (fail_error, "gone") == 0)
					code = OHE_ERROR_GONE;
				g_set_error (error, OHE_ERROR, code,
					     "synthetic cloud failed at sample %" G_GUINT64_FORMAT,
					     index);
				return FALSE;
			}
			m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
			ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
			ohe_measurement_set_time (m, at, at);
			if (invalid_every <= 0 || (index + 1) % (guint64)invalid_every != 0)
				ohe_measurement_set_value_decimal (m, 55 + (gint64)(index % 50), 0);
			g_snprintf (native_id, sizeof (native_id), "syn-%" G_GUINT64_FORMAT, index);
			ohe_measurement_set_native_id (m, native_id);
			ohe_measurement_set_device_id (m, "synthetic-1");
			g_ptr_array_add (batch, m);
		}
		next = g_strdup_printf ("%" G_GUINT64_FORMAT, index);
		if (!ohe_fetch_request_emit (request, batch, next, error))
			return FALSE;
	}
	return TRUE;
}

static void
ohe_synthetic_provider_class_init (OheSyntheticProviderClass *klass)
{
	OheProviderClass *provider_class = OHE_PROVIDER_CLASS (klass);
	ohe_plugin_class_set_config_keys (OHE_PLUGIN_CLASS (klass), ohe_synthetic_config_keys);
	provider_class->get_kinds = ohe_synthetic_provider_get_kinds;
	provider_class->fetch = ohe_synthetic_provider_fetch;
}

static void
ohe_synthetic_provider_init (OheSyntheticProvider *self)
{
}

OHE_PLUGIN_DEFINE ("synthetic", ohe_synthetic_provider_get_type)
