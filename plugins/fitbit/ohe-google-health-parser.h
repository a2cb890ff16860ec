/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-google-health-data-type.h"

G_BEGIN_DECLS

/**
 * OheGoogleHealthDevice:
 * @id: the last segment of `name`, e.g. `1001`
 * @device_type: `TRACKER` or `SCALE`
 * @version: the product name, e.g. `Charge 6`
 * @battery_level: 0–100, or -1 when not reported
 * @last_sync_us: the last sync with the app in µs since the epoch, or 0
 *
 * One entry of `users/me/pairedDevices`.
 */
typedef struct {
	gchar *id;
	gchar *device_type;
	gchar *version;
	gint battery_level;
	gint64 last_sync_us;
} OheGoogleHealthDevice;

void
ohe_google_health_device_free (OheGoogleHealthDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheGoogleHealthDevice, ohe_google_health_device_free)

gboolean
ohe_google_health_parse_int64 (const gchar *text,
			       const gchar *field,
			       gint64 *value,
			       GError **error);
gboolean
ohe_google_health_parse_duration (const gchar *text,
				  const gchar *field,
				  gint64 *value_us,
				  GError **error);
gboolean
ohe_google_health_parse_timestamp (const gchar *text,
				   const gchar *field,
				   gint64 *value_us,
				   GError **error);
JsonNode *
ohe_google_health_parse_json (const gchar *data, gsize len, const gchar *what, GError **error);
GPtrArray *
ohe_google_health_parse_data_points (const OheGoogleHealthDataType *type,
				     JsonNode *root,
				     GTimeZone *tz,
				     gchar **next_page_token,
				     GError **error);
gboolean
ohe_google_health_parse_identity (JsonNode *root,
				  gchar **health_user_id,
				  gchar **legacy_user_id,
				  GError **error);
GTimeZone *
ohe_google_health_parse_settings (JsonNode *root, GError **error);
GPtrArray *
ohe_google_health_parse_paired_devices (JsonNode *root, gchar **next_page_token, GError **error);
gboolean
ohe_google_health_parse_error (JsonNode *root, gchar **status, gchar **reason);

G_END_DECLS
