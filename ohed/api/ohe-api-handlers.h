/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "ohe-api-request.h"

G_BEGIN_DECLS

/* ohe-api-probes.c */
void
ohe_api_probes_health (OheApiRequest *request);
void
ohe_api_probes_ready (OheApiRequest *request);
void
ohe_api_probes_live (OheApiRequest *request);
void
ohe_api_probes_metrics (OheApiRequest *request);
void
ohe_api_probes_openapi (OheApiRequest *request);

/* ohe-api-users.c */
void
ohe_api_users_list (OheApiRequest *request);
void
ohe_api_users_create (OheApiRequest *request);
void
ohe_api_users_get (OheApiRequest *request);

/* ohe-api-links.c */
void
ohe_api_links_list (OheApiRequest *request);
void
ohe_api_links_get (OheApiRequest *request);

/* ohe-api-jobs.c */
void
ohe_api_jobs_list (OheApiRequest *request);

/* ohe-api-dead-letters.c */
void
ohe_api_dead_letters_list (OheApiRequest *request);

/* ohe-api-plugins.c */
void
ohe_api_plugins_list (OheApiRequest *request);

G_END_DECLS
