/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-fitbit-config.h"
#include "ohe-fitbit-provider.h"

/* every key of [plugin:fitbit]; the daemon refuses any other (README "Config keys") */
const OhePluginConfigKey ohe_fitbit_config_keys[] = {
    {.name = "authorize_url",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .default_value = OHE_FITBIT_DEFAULT_AUTHORIZE_URL,
     .summary = "Google's consent page"},
    {.name = "token_url",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .default_value = OHE_FITBIT_DEFAULT_TOKEN_URL,
     .summary = "Google's token endpoint"},
    {.name = "api_base",
     .type = OHE_PLUGIN_CONFIG_TYPE_URL,
     .default_value = OHE_FITBIT_DEFAULT_API_BASE,
     .summary = "base URL of the Google Health API"},
    {.name = "client_id",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "OAuth client id of the Google Cloud project"},
    {.name = "client_secret",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET,
     .summary = "OAuth client secret"},
    {.name = "client_secret_file",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "file whose first line is the client secret"},
    {.name = "scope",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "overrides the scope built from kinds"},
    {.name = "kinds",
     .type = OHE_PLUGIN_CONFIG_TYPE_KINDS,
     .summary = "kinds to ask consent for, comma-separated (default all)"},
    {.name = "page_size",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "1440",
     .min = 1,
     .max = 10000,
     .summary = "data points per list page"},
    {.name = "window_hours",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "24",
     .min = 1,
     .max = 24 * 90,
     .summary = "backfill slice per list query, in hours"},
    {.name = "notification_secret",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET,
     .summary = "endpointAuthorization secret of the webhook, scheme included"},
    {.name = "notification_secret_file",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "file whose first line is the notification secret"},
    {.name = "notification_public_key_file",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .summary = "PEM P-256 public key that signs deliveries"},
    {.name = "notification_key_id",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .min = 0,
     .max = G_MAXUINT32,
     .summary = "Tink key id of that key (default any)"},
    {NULL},
};
