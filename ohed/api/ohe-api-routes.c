/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"
#include "ohe-api-route.h"

/*
 * Every operation the server answers. Each one is described in data/openapi/ohed-api-v1.json;
 * tests/daemon/test-api-routes.c fails when the two differ. Webhook routes
 * (/webhooks/<provider>/), the OAuth callback and the event stream join this table as
 * OHE_API_ACCESS_PUBLIC or OHE_API_ACCESS_OWNER rows with their own handler files.
 */
static const OheApiRoute ohe_api_routes[] = {
    {"GET", "/api/metrics/health/", OHE_API_ACCESS_PUBLIC, ohe_api_probes_health},
    {"GET", "/api/metrics/ready/", OHE_API_ACCESS_PUBLIC, ohe_api_probes_ready},
    {"GET", "/api/metrics/live/", OHE_API_ACCESS_PUBLIC, ohe_api_probes_live},
    {"GET", "/api/metrics/", OHE_API_ACCESS_STAFF, ohe_api_probes_metrics},
    {"GET", "/metrics", OHE_API_ACCESS_STAFF, ohe_api_probes_metrics},
    {"GET", "/api/v1/openapi.json", OHE_API_ACCESS_PUBLIC, ohe_api_probes_openapi},
    {"GET", "/api/v1/users", OHE_API_ACCESS_STAFF, ohe_api_users_list},
    {"POST", "/api/v1/users", OHE_API_ACCESS_STAFF, ohe_api_users_create},
    {"GET", "/api/v1/users/{user_id}", OHE_API_ACCESS_OWNER, ohe_api_users_get},
    {"GET", "/api/v1/users/{user_id}/links", OHE_API_ACCESS_OWNER, ohe_api_links_list},
    {"GET", "/api/v1/links/{link_id}", OHE_API_ACCESS_OWNER, ohe_api_links_get},
    {"GET", "/api/v1/jobs", OHE_API_ACCESS_ANY, ohe_api_jobs_list},
    {"GET", "/api/v1/dead-letters", OHE_API_ACCESS_STAFF, ohe_api_dead_letters_list},
    {"GET", "/api/v1/plugins", OHE_API_ACCESS_ANY, ohe_api_plugins_list},
};

/**
 * ohe_api_routes_get:
 * @n_routes: (out): how many there are
 *
 * Returns: (transfer none): the route table
 */
const OheApiRoute *
ohe_api_routes_get (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (ohe_api_routes);
	return ohe_api_routes;
}
