/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/**
 * OheGoogleHealthRecord:
 * @OHE_GOOGLE_HEALTH_RECORD_SAMPLE: a point in time (`sampleTime`)
 * @OHE_GOOGLE_HEALTH_RECORD_INTERVAL: an interval (`interval`)
 * @OHE_GOOGLE_HEALTH_RECORD_DAILY: a civil day (`date`)
 * @OHE_GOOGLE_HEALTH_RECORD_SESSION: a session (`interval`, start may equal end)
 *
 * The time container of a Google Health data type; it decides both how a
 * data point is read and which list filter applies.
 */
typedef enum {
	OHE_GOOGLE_HEALTH_RECORD_SAMPLE,
	OHE_GOOGLE_HEALTH_RECORD_INTERVAL,
	OHE_GOOGLE_HEALTH_RECORD_DAILY,
	OHE_GOOGLE_HEALTH_RECORD_SESSION,
} OheGoogleHealthRecord;

/**
 * OheGoogleHealthDataType:
 * @id: the kebab-case id used in URLs and notifications, e.g. `heart-rate`
 * @field: the camelCase DataPoint member holding the payload
 * @filter: the snake_case name used in list filters
 * @record: the time container
 * @kinds: the kinds the type produces, %OHE_MEASUREMENT_KIND_UNKNOWN terminated
 * @scope: the read scope suffix after `https://www.googleapis.com/auth/googlehealth`
 * @pushed: whether Google's webhooks announce changes of the type
 *
 * One row of the static data type table.
 */
typedef struct {
	const gchar *id;
	const gchar *field;
	const gchar *filter;
	OheGoogleHealthRecord record;
	OheMeasurementKind kinds[4];
	const gchar *scope;
	gboolean pushed;
} OheGoogleHealthDataType;

#define OHE_GOOGLE_HEALTH_SCOPE_PREFIX "https://www.googleapis.com/auth/googlehealth"

guint
ohe_google_health_data_type_get_n_items (void);
const OheGoogleHealthDataType *
ohe_google_health_data_type_get_item (guint idx);
const OheGoogleHealthDataType *
ohe_google_health_data_type_lookup (const gchar *id);
gboolean
ohe_google_health_data_type_has_kind (const OheGoogleHealthDataType *type, OheMeasurementKind kind);
GArray *
ohe_google_health_data_type_get_all_kinds (void);
GArray *
ohe_google_health_data_type_get_poll_only_kinds (void);
GPtrArray *
ohe_google_health_data_type_for_kinds (const OheMeasurementKind *kinds, guint n_kinds);
gchar *
ohe_google_health_data_type_build_scope (const OheMeasurementKind *kinds, guint n_kinds);

G_END_DECLS
