/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"
#include "ohe-job-queue.h"
#include "ohe-store.h"

G_BEGIN_DECLS

#define OHE_TYPE_MEMORY_JOB_QUEUE (ohe_memory_job_queue_get_type ())
G_DECLARE_FINAL_TYPE (OheMemoryJobQueue, ohe_memory_job_queue, OHE, MEMORY_JOB_QUEUE, GObject)

OheJobQueue *
ohe_memory_job_queue_new (OheStore *store, OheClock *clock, GError **error);

G_END_DECLS
