/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-config.h"
#include "ohe-job-queue.h"
#include "ohe-plugin-loader.h"
#include "ohe-scheduler.h"
#include "ohe-secret-box.h"
#include "ohe-store.h"
#include "ohe-sync-pipeline.h"

G_BEGIN_DECLS

#define OHE_TYPE_ENGINE (ohe_engine_get_type ())
G_DECLARE_FINAL_TYPE (OheEngine, ohe_engine, OHE, ENGINE, GObject)

void
ohe_engine_tune_memory (void);
OheEngine *
ohe_engine_new (OheConfig *config);
void
ohe_engine_set_clock (OheEngine *self, OheClock *clock);
gboolean
ohe_engine_setup (OheEngine *self, GCancellable *cancellable, GError **error);
gboolean
ohe_engine_start (OheEngine *self, GError **error);
void
ohe_engine_stop (OheEngine *self);
gboolean
ohe_engine_run_job (
    OheEngine *self, OheJob *job, OheSyncStats *stats, GCancellable *cancellable, GError **error);
gboolean
ohe_engine_wait_idle (OheEngine *self, gint64 timeout_us);
OheConfig *
ohe_engine_get_config (OheEngine *self);
OheMetrics *
ohe_engine_get_metrics (OheEngine *self);
OhePluginLoader *
ohe_engine_get_loader (OheEngine *self);
OheStore *
ohe_engine_get_store (OheEngine *self);
OheRateLimiter *
ohe_engine_get_rate_limiter (OheEngine *self);
OheJobQueue *
ohe_engine_get_queue (OheEngine *self);
guint64
ohe_engine_get_jobs_done (OheEngine *self);
GBytes *
ohe_engine_seal_token (OheEngine *self, const gchar *link_id, OheToken *token, GError **error);
OheSecretBox *
ohe_engine_get_secret_box (OheEngine *self);
OheToken *
ohe_engine_open_token (OheEngine *self, OheLink *link, GError **error);
OheScheduler *
ohe_engine_get_scheduler (OheEngine *self);
gboolean
ohe_engine_notify (OheEngine *self, const gchar *provider, OheSyncHint *hint, GError **error);

G_END_DECLS
