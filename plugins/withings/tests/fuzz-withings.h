/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* the libFuzzer entry point each fuzz-withings-*.c defines */
int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size);
