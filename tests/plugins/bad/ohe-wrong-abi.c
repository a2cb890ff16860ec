/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

/* A plugin that claims a future ABI: the host must refuse it. */
static GType
ohe_wrong_abi_get_type (void)
{
	return G_TYPE_OBJECT;
}

G_MODULE_EXPORT const OhePluginInfo *
ohe_plugin_query (void);

const OhePluginInfo *
ohe_plugin_query (void)
{
	static const OhePluginInfo info = {
	    OHE_PLUGIN_ABI_VERSION + 98, "wrongabi", ohe_wrong_abi_get_type, {NULL}};
	return &info;
}
