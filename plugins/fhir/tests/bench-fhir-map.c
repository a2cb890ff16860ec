/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <malloc.h>
#include <sys/resource.h>

#include "ohe-fhir-writer.h"

/*
 * Measurement → FHIR JSON text on one core: N stream heart-rate samples
 * without native ids (so each costs two SHA-256: identifier value and
 * resource id), written in batches of 500 like the sink does, the resources
 * freed after each batch. Prints measurements per second and the peak RSS.
 *
 * Usage: bench-fhir-map [COUNT] (default 2000000)
 */

#define BENCH_BATCH 500

int
main (int argc, char **argv)
{
	guint64 count = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 2000000;
	g_autoptr (GError) error = NULL;
	g_autoptr (OheFhirMapping) mapping = NULL;
	g_autoptr (OheFhirWriter) writer = NULL;
	g_autoptr (GPtrArray) batch = g_ptr_array_new ();
	g_autoptr (GPtrArray) out =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_resource_free);
	gint64 base_us = G_GINT64_CONSTANT (1793491200000000);
	gsize bytes = 0;
	struct rusage usage;
	gint64 started;
	gdouble seconds;
	gdouble cpu_before;
	gdouble cpu_seconds;

	/* the heap settings of ohed (ohe_engine_tune_memory), which hosts the sink */
	mallopt (M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	mallopt (M_TOP_PAD, 64 * 1024 * 1024);
	mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);

	mapping =
	    ohe_fhir_mapping_new_from_file (OHE_SOURCE_DATADIR "/mappings/fhir-r5.json", &error);
	if (mapping == NULL) {
		g_printerr ("%s\n", error->message);
		return 1;
	}
	writer = ohe_fhir_writer_new (mapping, NULL);
	for (guint i = 0; i < BENCH_BATCH; i++) {
		OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
		ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
		ohe_measurement_set_provider (m, "withings");
		ohe_measurement_set_device_id (m, "a1b2c3d4e5f6");
		ohe_measurement_set_utc_offset (m, 3600);
		ohe_measurement_set_value_decimal (m, 60 + i % 60, 0);
		g_ptr_array_add (batch, m);
	}

	/* CPU time as well as wall time: the build machine is shared */
	getrusage (RUSAGE_SELF, &usage);
	cpu_before = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
		     usage.ru_stime.tv_usec / 1e6;
	started = g_get_monotonic_time ();
	for (guint64 n = 0; n < count;) {
		for (guint i = 0; i < BENCH_BATCH && n < count; i++, n++) {
			OheMeasurement *m = g_ptr_array_index (batch, i);
			gint64 t = base_us + (gint64)n * G_USEC_PER_SEC;
			ohe_measurement_set_time (m, t, t);
			if (!ohe_fhir_writer_write (writer, m, i, "Patient/bench", out, &error)) {
				g_printerr ("%s\n", error->message);
				return 1;
			}
		}
		for (guint i = 0; i < out->len; i++)
			bytes += ((OheFhirResource *)g_ptr_array_index (out, i))->json->len;
		g_ptr_array_set_size (out, 0);
	}
	seconds = (gdouble)(g_get_monotonic_time () - started) / G_USEC_PER_SEC;
	getrusage (RUSAGE_SELF, &usage);
	cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
		      usage.ru_stime.tv_usec / 1e6 - cpu_before;
	g_print ("fhir-map: %" G_GUINT64_FORMAT " heart-rate Observations, %.0f bytes each: "
		 "%.0f/s per CPU second (%.3f s CPU), %.0f/s wall (%.3f s), peak RSS %ld KiB\n",
		 count, (gdouble)bytes / count, count / cpu_seconds, cpu_seconds, count / seconds,
		 seconds, usage.ru_maxrss);
	g_ptr_array_set_free_func (batch, (GDestroyNotify)ohe_measurement_unref);
	return 0;
}
