/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "ohe-sim-server.h"
#include "ohe-sim-withings.h"

static gboolean
ohe_simulator_quit_cb (gpointer user_data)
{
	g_main_loop_quit (user_data);
	return G_SOURCE_REMOVE;
}

int
main (int argc, char *argv[])
{
	gint port = 0;
	gint64 seed = 42;
	gint users = 3;
	gint days = 7;
	gboolean verbose = FALSE;
	g_autofree gchar *fault_rate = NULL;
	g_autofree gchar *callback = NULL;
	g_autofree gchar *client = NULL;
	g_auto (GStrv) rate_limits = NULL;
	g_auto (GStrv) client_parts = NULL;
	const GOptionEntry entries[] = {
	    {"port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1, 0 for a free one",
	     "PORT"},
	    {"seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated data and faults",
	     "SEED"},
	    {"users", 'u', 0, G_OPTION_ARG_INT, &users, "Number of simulated users", "N"},
	    {"days", 'd', 0, G_OPTION_ARG_INT, &days, "Days of data per user", "D"},
	    {"fault-rate", 0, 0, G_OPTION_ARG_STRING, &fault_rate,
	     "Random faults, e.g. 429=0.1,503=0.05", "SPEC"},
	    {"callback", 0, 0, G_OPTION_ARG_STRING, &callback, "Default webhook callback URL",
	     "URL"},
	    {"client", 0, 0, G_OPTION_ARG_STRING, &client,
	     "OAuth2 client every simulated cloud accepts", "ID:SECRET"},
	    {"rate-limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &rate_limits,
	     "Enforce a rolling window, e.g. withings=120/60000 or google=300/60000/user "
	     "(requests/milliseconds[/user]); repeatable",
	     "SPEC"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log requests to stderr", NULL},
	    {NULL},
	};
	g_autoptr (GOptionContext) context = g_option_context_new ("- fake provider clouds");
	g_autoptr (OheSimServer) server = NULL;
	g_autoptr (GMainLoop) loop = NULL;
	g_autoptr (GPtrArray) added = NULL;
	g_autoptr (GError) error = NULL;

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error)) {
		g_printerr ("ohe-simulator: %s\n", error->message);
		return 2;
	}
	if (port < 0 || port > 65535 || users < 0 || users > 10000 || days < 0 || days > 3660 ||
	    seed < 0) {
		g_printerr ("ohe-simulator: --port must be 0..65535, --users 0..10000, --days "
			    "0..3660, --seed not negative\n");
		return 2;
	}

	server = ohe_sim_server_new ((guint64)seed, &error);
	if (server == NULL) {
		g_printerr ("ohe-simulator: %s\n", error->message);
		return 1;
	}
	ohe_sim_server_set_verbose (server, verbose);
	if (fault_rate != NULL &&
	    !ohe_sim_fault_set_rates (ohe_sim_server_get_fault (server), fault_rate, &error)) {
		g_printerr ("ohe-simulator: --%s\n", error->message);
		return 2;
	}
	ohe_sim_webhook_set_callback_url (ohe_sim_server_get_webhook (server), callback);
	added = ohe_sim_server_add_users (server, (guint)users, (guint)days, (guint64)seed);
	ohe_sim_server_register_builtin_providers (server);
	for (guint i = 0; rate_limits != NULL && rate_limits[i] != NULL; i++) {
		g_autofree gchar *prefix = NULL;
		OheSimRateLimit *limit = ohe_sim_rate_limit_parse (rate_limits[i], &prefix, &error);
		if (limit == NULL) {
			g_printerr ("ohe-simulator: --%s\n", error->message);
			return 2;
		}
		if (g_strcmp0 (prefix, "/withings") != 0 && g_strcmp0 (prefix, "/google") != 0) {
			g_printerr ("ohe-simulator: --rate-limit: no provider is served under %s\n",
				    prefix);
			ohe_sim_rate_limit_free (limit);
			return 2;
		}
		ohe_sim_server_set_rate_limit (server, prefix, limit);
	}
	if (client != NULL) {
		client_parts = g_strsplit (client, ":", 2);
		if (g_strv_length (client_parts) != 2 || client_parts[0][0] == '\0') {
			g_printerr ("ohe-simulator: --client must be ID:SECRET\n");
			return 2;
		}
		ohe_sim_withings_set_client (server, client_parts[0], client_parts[1]);
	}

	if (!ohe_sim_server_listen (server, (guint)port, &error)) {
		g_printerr ("ohe-simulator: %s\n", error->message);
		return 1;
	}
	/* the first line is the contract with tests and scripts that start us */
	g_print ("listening on http://127.0.0.1:%u\n", ohe_sim_server_get_port (server));
	fflush (stdout);

	loop = g_main_loop_new (NULL, FALSE);
	g_unix_signal_add (SIGINT, ohe_simulator_quit_cb, loop);
	g_unix_signal_add (SIGTERM, ohe_simulator_quit_cb, loop);
	g_main_loop_run (loop);
	ohe_sim_server_stop (server);
	return 0;
}
