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

extern const OhePluginConfigKey ohe_withings_config_keys[];

G_END_DECLS
