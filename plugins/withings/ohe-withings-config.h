/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

#define OHE_WITHINGS_API_BASE	   "https://wbsapi.withings.net"
#define OHE_WITHINGS_AUTHORIZE_URL "https://account.withings.com/oauth2_user/authorize2"
#define OHE_WITHINGS_SCOPE	   "user.info,user.metrics,user.activity"

/* 120 requests per minute per application, all users together:
 * https://developer.withings.com/developer-guide/v3/data-api/keep-user-data-up-to-date/ */
#define OHE_WITHINGS_APP_RATE_REQUESTS 120
#define OHE_WITHINGS_APP_RATE_SECONDS  60
/* a day: longer windows are no provider's and only grow the limiter's log */
#define OHE_WITHINGS_RATE_MAX_SECONDS  86400
#define OHE_WITHINGS_RATE_MAX_REQUESTS 100000

extern const OhePluginConfigKey ohe_withings_config_keys[];

G_END_DECLS
