/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the deepest JSON nesting a target hands to json-glib */
#define OHE_FUZZ_JSON_MAX_DEPTH 256

/* the entry point every fuzz-<target>.c defines */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

void
ohe_fuzz_init (void);
gboolean
ohe_fuzz_json_depth_ok (const guint8 *data, gsize size);
gchar *
ohe_fuzz_dup_string (const guint8 *data, gsize size);

G_END_DECLS
