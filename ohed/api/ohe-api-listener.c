/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-listener.h"
#include "ohe-error.h"

/*
 * One listener thread: its own GMainContext, main loop and SoupServer, accepting on its own
 * SO_REUSEPORT sockets (one per listen address). The kernel spreads new connections over the
 * threads' sockets, so no thread hands work to another and none shares the engine's loop.
 */
struct _OheApiListener {
	GObject parent_instance;
	guint index;
	GPtrArray *sockets;	      /* owned, element-type GSocket */
	GTlsCertificate *certificate; /* owned, nullable */
	SoupServerCallback early_handler;
	SoupServerCallback handler;
	gpointer user_data;
	GThread *thread;       /* owned, nullable */
	GMainContext *context; /* owned */
	GMainLoop *loop;       /* owned */
	GMutex mutex;
	GCond cond;
	gboolean started;    /* protected by mutex */
	GError *start_error; /* owned, protected by mutex */
};

G_DEFINE_TYPE (OheApiListener, ohe_api_listener, G_TYPE_OBJECT)

static void
ohe_api_listener_finalize (GObject *object)
{
	OheApiListener *self = OHE_API_LISTENER (object);
	ohe_api_listener_stop (self);
	g_ptr_array_unref (self->sockets);
	g_clear_object (&self->certificate);
	g_main_loop_unref (self->loop);
	g_main_context_unref (self->context);
	g_clear_error (&self->start_error);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	G_OBJECT_CLASS (ohe_api_listener_parent_class)->finalize (object);
}

static void
ohe_api_listener_class_init (OheApiListenerClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_api_listener_finalize;
}

static void
ohe_api_listener_init (OheApiListener *self)
{
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
	self->context = g_main_context_new ();
	self->loop = g_main_loop_new (self->context, FALSE);
}

/**
 * ohe_api_listener_new:
 * @index: the thread's number, for its name
 * @sockets: (element-type GSocket): bound, listening sockets, one per address
 * @certificate: (nullable): serve HTTPS with it
 * @early_handler: runs after the headers, before the body is read
 * @handler: answers every request
 * @user_data: for both handlers
 *
 * Returns: (transfer full): a listener, not yet running
 */
OheApiListener *
ohe_api_listener_new (guint index,
		      GPtrArray *sockets,
		      GTlsCertificate *certificate,
		      SoupServerCallback early_handler,
		      SoupServerCallback handler,
		      gpointer user_data)
{
	OheApiListener *self = g_object_new (OHE_TYPE_API_LISTENER, NULL);
	self->index = index;
	self->sockets = g_ptr_array_ref (sockets);
	self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
	self->early_handler = early_handler;
	self->handler = handler;
	self->user_data = user_data;
	return self;
}

static void
ohe_api_listener_report (OheApiListener *self, GError *error)
{
	g_mutex_lock (&self->mutex);
	self->started = TRUE;
	self->start_error = error;
	g_cond_signal (&self->cond);
	g_mutex_unlock (&self->mutex);
}

static gpointer
ohe_api_listener_thread (gpointer user_data)
{
	OheApiListener *self = user_data;
	g_autoptr(SoupServer) server = NULL;
	GError *error = NULL;
	SoupServerListenOptions options = 0;

	g_main_context_push_thread_default (self->context);
	server =
	    soup_server_new ("server-header", "ohed", "tls-certificate", self->certificate, NULL);
	if (self->certificate != NULL)
		options |= SOUP_SERVER_LISTEN_HTTPS;
	soup_server_add_early_handler (server, NULL, self->early_handler, self->user_data, NULL);
	soup_server_add_handler (server, NULL, self->handler, self->user_data, NULL);
	for (guint i = 0; i < self->sockets->len; i++) {
		if (!soup_server_listen_socket (server, g_ptr_array_index (self->sockets, i),
						options, &error)) {
			g_prefix_error (&error, "api: listener %u: ", self->index);
			break;
		}
	}
	ohe_api_listener_report (self, error);
	if (error == NULL)
		g_main_loop_run (self->loop);
	soup_server_disconnect (server);
	g_clear_object (&server);
	/* let the disconnections finish on this context before it goes */
	while (g_main_context_iteration (self->context, FALSE))
		;
	g_main_context_pop_thread_default (self->context);
	return NULL;
}

/* Returns: %TRUE once the thread accepts on every socket */
gboolean
ohe_api_listener_start (OheApiListener *self, GError **error)
{
	g_autofree gchar *name = g_strdup_printf ("ohe-api-%u", self->index);

	g_return_val_if_fail (OHE_IS_API_LISTENER (self), FALSE);
	g_return_val_if_fail (self->thread == NULL, FALSE);
	self->thread = g_thread_new (name, ohe_api_listener_thread, self);
	g_mutex_lock (&self->mutex);
	while (!self->started)
		g_cond_wait (&self->cond, &self->mutex);
	g_mutex_unlock (&self->mutex);
	if (self->start_error != NULL) {
		g_thread_join (g_steal_pointer (&self->thread));
		g_propagate_error (error, g_steal_pointer (&self->start_error));
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_api_listener_quit_cb (gpointer user_data)
{
	g_main_loop_quit (user_data);
	return G_SOURCE_REMOVE;
}

void
ohe_api_listener_stop (OheApiListener *self)
{
	g_return_if_fail (OHE_IS_API_LISTENER (self));
	if (self->thread == NULL)
		return;
	g_main_context_invoke (self->context, ohe_api_listener_quit_cb, self->loop);
	g_thread_join (g_steal_pointer (&self->thread));
}
