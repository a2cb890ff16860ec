/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OHE_TYPE_API_RATE_LIMITER (ohe_api_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (OheApiRateLimiter, ohe_api_rate_limiter, OHE, API_RATE_LIMITER, GObject)

OheApiRateLimiter *
ohe_api_rate_limiter_new (guint per_minute, guint burst);
gboolean
ohe_api_rate_limiter_take (OheApiRateLimiter *self,
			   const gchar *key,
			   gint64 now_us,
			   guint *retry_after_s);

G_END_DECLS
