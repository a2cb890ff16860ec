/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-clock.h"

G_BEGIN_DECLS

/* private to libohe-plugin: not installed, not part of the ABI */

typedef struct _OheTokenBucket OheTokenBucket;

OheTokenBucket *
ohe_token_bucket_new (OheClock *clock, guint capacity, gdouble refill_per_second);
void
ohe_token_bucket_free (OheTokenBucket *self);
gint64
ohe_token_bucket_get_wait (OheTokenBucket *self);
gint64
ohe_token_bucket_take (OheTokenBucket *self);
gboolean
ohe_token_bucket_is_full (OheTokenBucket *self);
gdouble
ohe_token_bucket_get_tokens (OheTokenBucket *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheTokenBucket, ohe_token_bucket_free)

G_END_DECLS
