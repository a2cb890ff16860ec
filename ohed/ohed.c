/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "ohe-api-server.h"
#include "ohe-engine.h"

/*
 * The daemon shell: configuration, the engine, the main loop and signals.
 * SIGTERM and SIGINT stop the engine, which drains running jobs and puts
 * interrupted ones back in the persistent queue. The scheduler ([sync]) ticks on
 * the main loop and queues the jobs of its triggers; stopping gives up its lease.
 */
typedef struct {
	GMainLoop *loop;
	OheEngine *engine;
	gboolean exit_when_idle;
	gint exit_code;
} OheDaemon;

static gboolean
ohe_daemon_signal_cb (gpointer user_data)
{
	OheDaemon *daemon = user_data;
	g_info ("signal received, stopping");
	g_main_loop_quit (daemon->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
ohe_daemon_idle_check_cb (gpointer user_data)
{
	OheDaemon *daemon = user_data;
	if (!ohe_engine_wait_idle (daemon->engine, 0))
		return G_SOURCE_CONTINUE;
	g_info ("queue empty, exiting");
	g_main_loop_quit (daemon->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
ohe_daemon_load_config (OheConfig *config, const gchar *path, GError **error)
{
	const gchar *env_path = g_getenv ("OHED_CONFIG");
	g_auto(GStrv) envp = g_get_environ ();
	g_autofree gchar *default_path = g_build_filename (OHE_SYSCONFDIR, "ohed.conf", NULL);

	if (path == NULL)
		path = env_path;
	if (path != NULL) {
		if (!ohe_config_load_file (config, path, error))
			return FALSE;
	} else if (g_file_test (default_path, G_FILE_TEST_EXISTS)) {
		if (!ohe_config_load_file (config, default_path, error))
			return FALSE;
	}
	return ohe_config_apply_environment (config, (const gchar *const *)envp, error);
}

int
main (int argc, char *argv[])
{
	OheDaemon daemon = {.exit_code = EXIT_SUCCESS};
	gboolean verbose = FALSE;
	gboolean version = FALSE;
	g_autofree gchar *config_path = NULL;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(OheConfig) config = NULL;
	g_autoptr(OheEngine) engine = NULL;
	g_autoptr(OheApiServer) api = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	const GOptionEntry options[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
	     N_ ("Configuration file (default: $OHED_CONFIG, then the system ohed.conf)"),
	     N_ ("FILE")},
	    {"exit-when-idle", '\0', 0, G_OPTION_ARG_NONE, &daemon.exit_when_idle,
	     N_ ("Exit once the job queue is empty"), NULL},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_ ("Show debug messages"), NULL},
	    {"version", '\0', 0, G_OPTION_ARG_NONE, &version, N_ ("Show the version"), NULL},
	    {NULL}};

	setlocale (LC_ALL, "");
	ohe_engine_tune_memory ();
	bindtextdomain (GETTEXT_PACKAGE, OHE_LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
	textdomain (GETTEXT_PACKAGE);

	context = g_option_context_new (NULL);
	g_option_context_set_summary (context, _ ("Open Health Exchange daemon"));
	g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
	if (!g_option_context_parse (context, &argc, &argv, &error)) {
		g_printerr ("%s\n", error->message);
		return EXIT_FAILURE;
	}
	if (version) {
		g_print ("ohed %s (plugin ABI %u)\n", PACKAGE_VERSION,
			 (guint)OHE_PLUGIN_ABI_VERSION);
		return EXIT_SUCCESS;
	}
	if (verbose)
		g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

	config = ohe_config_new ();
	if (!ohe_daemon_load_config (config, config_path, &error)) {
		g_printerr (_ ("Configuration error: %s\n"), error->message);
		return EXIT_FAILURE;
	}
	engine = ohe_engine_new (config);
	if (!ohe_engine_setup (engine, NULL, &error) || !ohe_engine_start (engine, &error)) {
		g_printerr (_ ("Failed to start: %s\n"), error->message);
		return EXIT_FAILURE;
	}
	/* HTTP runs on threads of its own, never on this loop, which the engine uses */
	if (ohe_config_get_boolean (config, "api", "enabled")) {
		api = ohe_api_server_new (engine);
		if (!ohe_api_server_start (api, &error)) {
			g_printerr (_ ("Failed to start the API: %s\n"), error->message);
			ohe_engine_stop (engine);
			return EXIT_FAILURE;
		}
	}

	loop = g_main_loop_new (NULL, FALSE);
	daemon.loop = loop;
	daemon.engine = engine;
	/* the triggers tick on this loop; pushes reach the engine however the scheduler is set */
	if (ohe_config_get_boolean (config, "sync", "enabled"))
		ohe_scheduler_start (ohe_engine_get_scheduler (engine));
	g_unix_signal_add (SIGTERM, ohe_daemon_signal_cb, &daemon);
	g_unix_signal_add (SIGINT, ohe_daemon_signal_cb, &daemon);
	if (daemon.exit_when_idle)
		g_timeout_add (200, ohe_daemon_idle_check_cb, &daemon);
	g_message ("ohed %s running", PACKAGE_VERSION);
	g_main_loop_run (loop);

	ohe_scheduler_stop (ohe_engine_get_scheduler (engine));
	if (api != NULL)
		ohe_api_server_stop (api);
	ohe_engine_stop (engine);
	return daemon.exit_code;
}
