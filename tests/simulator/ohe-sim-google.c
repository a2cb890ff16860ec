/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-sim-google.h"

/* placeholder until the provider handlers land: registers nothing yet */
void
ohe_sim_google_register (OheSimServer *server)
{
	g_return_if_fail (OHE_IS_SIM_SERVER (server));
}
