/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-sim-server.h"

G_BEGIN_DECLS

void
ohe_sim_google_register (OheSimServer *server);

G_END_DECLS
