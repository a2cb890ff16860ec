/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OheSimRateScope:
 * @OHE_SIM_RATE_SCOPE_APP: every request to the provider counts in one window (Withings:
 *   per application)
 * @OHE_SIM_RATE_SCOPE_USER: one window per bearer token; requests without one are not
 *   counted (Google Health: per user)
 */
typedef enum {
	OHE_SIM_RATE_SCOPE_APP,
	OHE_SIM_RATE_SCOPE_USER,
} OheSimRateScope;

/*
 * "N requests in any window" as a cloud enforces it: a request that finds N admitted
 * requests in the window ending at its arrival is refused, and refused ones do not count.
 */
typedef struct _OheSimRateLimit OheSimRateLimit;

OheSimRateLimit *
ohe_sim_rate_limit_new (guint requests, guint window_ms, OheSimRateScope scope);
void
ohe_sim_rate_limit_free (OheSimRateLimit *self);
OheSimRateLimit *
ohe_sim_rate_limit_parse (const gchar *spec, gchar **prefix, GError **error);
OheSimRateScope
ohe_sim_rate_limit_get_scope (OheSimRateLimit *self);
gboolean
ohe_sim_rate_limit_admit (OheSimRateLimit *self, const gchar *key, gint64 now_us);
guint
ohe_sim_rate_limit_get_refused (OheSimRateLimit *self);
guint
ohe_sim_rate_limit_get_admitted (OheSimRateLimit *self);
guint
ohe_sim_rate_limit_get_peak (OheSimRateLimit *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheSimRateLimit, ohe_sim_rate_limit_free)

G_END_DECLS
