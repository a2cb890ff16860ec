/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

/* A plugin whose type is a plain GObject, not a provider or sink. */
#define OHE_TYPE_NOT_A_PROVIDER (ohe_not_a_provider_get_type ())
G_DECLARE_FINAL_TYPE (OheNotAProvider, ohe_not_a_provider, OHE, NOT_A_PROVIDER, GObject)

struct _OheNotAProvider {
	GObject parent_instance;
};

G_DEFINE_TYPE (OheNotAProvider, ohe_not_a_provider, G_TYPE_OBJECT)

static void
ohe_not_a_provider_class_init (OheNotAProviderClass *klass)
{
}

static void
ohe_not_a_provider_init (OheNotAProvider *self)
{
}

OHE_PLUGIN_DEFINE ("notaprovider", ohe_not_a_provider_get_type)
