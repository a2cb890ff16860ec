/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/* one parsed page of a paginated answer */
typedef struct {
	GPtrArray *measurements; /* owned, element-type OheMeasurement, in time order */
	gboolean more;
	gint64 offset;
	gint64 updatetime; /* 0 when absent */
	gchar *timezone;   /* owned, nullable, IANA name */
} OheWithingsPage;

/* one item of heart list */
typedef struct {
	gint64 signalid;
	gint64 afib;	   /* -1 when absent */
	gint64 heart_rate; /* -1 when absent */
	gint64 timestamp;  /* epoch s */
	gint64 model;	   /* -1 when absent */
	gchar *deviceid;   /* owned, nullable */
} OheWithingsEcgRecord;

/* one device of user getdevice */
typedef struct {
	gchar *deviceid; /* owned */
	gchar *model;	 /* owned, nullable */
	gint64 model_id; /* -1 when absent */
	gchar *type;	 /* owned, nullable */
	gchar *timezone; /* owned, nullable */
} OheWithingsDevice;

void
ohe_withings_page_free (OheWithingsPage *page);
void
ohe_withings_ecg_record_free (OheWithingsEcgRecord *record);
void
ohe_withings_device_free (OheWithingsDevice *device);

JsonObject *
ohe_withings_parser_envelope (GBytes *data, GError **error);
JsonObject *
ohe_withings_parser_envelope_from_data (const gchar *data, gsize len, GError **error);
gint32
ohe_withings_parser_utc_offset (GTimeZone *tz, gint64 epoch_s);
GTimeZone *
ohe_withings_parser_time_zone_new (const gchar *name);
OheWithingsPage *
ohe_withings_parser_getmeas (JsonObject *body, GError **error);
OheWithingsPage *
ohe_withings_parser_intraday (JsonObject *body, GTimeZone *tz, GHashTable *models, GError **error);
GPtrArray *
ohe_withings_parser_heart_list (JsonObject *body, gboolean *more, gint64 *offset, GError **error);
GPtrArray *
ohe_withings_parser_heart_get (JsonObject *body,
			       const OheWithingsEcgRecord *record,
			       GTimeZone *tz,
			       GError **error);
GPtrArray *
ohe_withings_parser_devices (JsonObject *body, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheWithingsPage, ohe_withings_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheWithingsEcgRecord, ohe_withings_ecg_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheWithingsDevice, ohe_withings_device_free)

G_END_DECLS
