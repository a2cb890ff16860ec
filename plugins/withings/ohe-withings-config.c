/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-withings-config.h"

/* every key of [plugin:withings]; the daemon refuses any other (README "Config keys") */
const OhePluginConfigKey ohe_withings_config_keys[] = {
    {.name = "api_base",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .default_value = OHE_WITHINGS_API_BASE,
     .summary = "base URL of the Withings API"},
    {.name = "authorize_url",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .default_value = OHE_WITHINGS_AUTHORIZE_URL,
     .summary = "consent page"},
    {.name = "token_url",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .summary = "token endpoint (default <api_base>/v2/oauth2)"},
    {.name = "callback_url",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .summary = "notification URL given to notify subscribe"},
    {.name = "callback_secret",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET,
     .summary = "secret added to the callback URL; deliveries without it are refused"},
    {.name = "callback_secret_file",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "file whose first line is the callback secret"},
    {.name = "client_id",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "client id of the Withings application"},
    {.name = "client_secret",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET,
     .summary = "client secret of the Withings application"},
    {.name = "client_secret_file",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "file whose first line is the client secret"},
    {.name = "scope",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .default_value = OHE_WITHINGS_SCOPE,
     .summary = "scopes asked at consent, comma-separated"},
    {.name = "rate_limit_waits",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "1",
     .min = 0,
     .max = 100,
     .summary = "how often a call waits out status 601 before failing"},
    {NULL},
};
