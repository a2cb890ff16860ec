/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The baseline of bench-api.sh: a bare libsoup server on one main loop, answering every
 * request with the body ohed's liveness probe sends. Prints its port, then serves until killed.
 */

static void
bench_bare_cb (SoupServer *server,
	       SoupServerMessage *msg,
	       const char *path,
	       GHashTable *query,
	       gpointer user_data)
{
	static const gchar body[] = "{\"alive\":true}";
	soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
					  sizeof (body) - 1);
}

int
main (int argc, char **argv)
{
	g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
	g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
	g_autoptr(GError) error = NULL;
	GSList *uris;

	soup_server_add_handler (server, NULL, bench_bare_cb, NULL, NULL);
	if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error)) {
		g_printerr ("bench-bare-soup: %s\n", error->message);
		return EXIT_FAILURE;
	}
	uris = soup_server_get_uris (server);
	printf ("%d\n", g_uri_get_port (uris->data));
	fflush (stdout);
	g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
	g_main_loop_run (loop);
	return EXIT_SUCCESS;
}
