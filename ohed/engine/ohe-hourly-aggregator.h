/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-batch.h"

G_BEGIN_DECLS

#define OHE_HOURLY_AGGREGATOR_REASON "aggregated"
#define OHE_HOUR_US		     (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/* one kind over whole UTC hours [start, end) that must be fetched again */
typedef struct {
	OheMeasurementKind kind;
	gint64 start;
	gint64 end;
} OheHourRange;

#define OHE_TYPE_HOURLY_AGGREGATOR (ohe_hourly_aggregator_get_type ())
G_DECLARE_FINAL_TYPE (OheHourlyAggregator, ohe_hourly_aggregator, OHE, HOURLY_AGGREGATOR, GObject)

gint64
ohe_hour_floor (gint64 time_us);
gint64
ohe_hour_ceil (gint64 time_us);
gboolean
ohe_hourly_aggregator_accepts (OheMeasurement *measurement);
OheHourlyAggregator *
ohe_hourly_aggregator_new (const gchar *provider);
void
ohe_hourly_aggregator_absorb (OheHourlyAggregator *self, OheBatch *batch);
void
ohe_hourly_aggregator_add (OheHourlyAggregator *self, OheMeasurement *measurement);
guint64
ohe_hourly_aggregator_get_absorbed (OheHourlyAggregator *self, OheMeasurementKind kind);
GArray *
ohe_hourly_aggregator_dup_uncovered (OheHourlyAggregator *self,
				     gint64 covered_start,
				     gint64 covered_end);
void
ohe_hourly_aggregator_replace (OheHourlyAggregator *self,
			       OheHourlyAggregator *refetched,
			       const OheHourRange *range);
GPtrArray *
ohe_hourly_aggregator_build (OheHourlyAggregator *self, GArray **absorbed);

G_END_DECLS
