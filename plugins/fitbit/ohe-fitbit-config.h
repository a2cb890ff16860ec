/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

extern const OhePluginConfigKey ohe_fitbit_config_keys[];

G_END_DECLS
