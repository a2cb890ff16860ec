/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-withings-provider.h"

/* the module entry point; kept apart so the tests link the classes without it */
OHE_PLUGIN_DEFINE ("withings", ohe_withings_provider_get_type)
