/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-google-health-notification.h"
#include "ohe-google-health-parser.h"

G_BEGIN_DECLS

#define OHE_FITBIT_DEFAULT_AUTHORIZE_URL "https://accounts.google.com/o/oauth2/v2/auth"
#define OHE_FITBIT_DEFAULT_TOKEN_URL	 "https://oauth2.googleapis.com/token"
#define OHE_FITBIT_DEFAULT_API_BASE	 "https://health.googleapis.com"
#define OHE_FITBIT_DEFAULT_REVOKE_URL	 "https://oauth2.googleapis.com/revoke"

/* Google's per-user quota (https://developers.google.com/health/rate-limits) */
#define OHE_FITBIT_USER_RATE_LIMIT   300
#define OHE_FITBIT_USER_RATE_SECONDS 60
/* a day: longer windows are no provider's and only grow the limiter's log */
#define OHE_FITBIT_RATE_MAX_SECONDS  86400
#define OHE_FITBIT_RATE_MAX_REQUESTS 100000

#define OHE_FITBIT_LEGACY_MESSAGE                                                                  \
	"legacy Fitbit Web API link: the user must consent again through Google Health"

#define OHE_TYPE_FITBIT_PROVIDER (ohe_fitbit_provider_get_type ())
G_DECLARE_FINAL_TYPE (
    OheFitbitProvider, ohe_fitbit_provider, OHE, FITBIT_PROVIDER, OheOAuth2Provider)

gboolean
ohe_fitbit_provider_get_identity (OheFitbitProvider *self,
				  const gchar *link_id,
				  OheToken *token,
				  gchar **health_user_id,
				  gchar **legacy_user_id,
				  GCancellable *cancellable,
				  GError **error);
GArray *
ohe_fitbit_provider_get_poll_only_kinds (void);

G_END_DECLS
