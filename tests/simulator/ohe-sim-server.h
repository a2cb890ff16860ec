/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oheplugin.h"

#include "ohe-sim-data.h"
#include "ohe-sim-fault.h"
#include "ohe-sim-oauth.h"
#include "ohe-sim-rate-limit.h"
#include "ohe-sim-request.h"
#include "ohe-sim-webhook.h"

G_BEGIN_DECLS

#define OHE_TYPE_SIM_SERVER (ohe_sim_server_get_type ())
G_DECLARE_FINAL_TYPE (OheSimServer, ohe_sim_server, OHE, SIM_SERVER, GObject)

/**
 * OheSimUser:
 * @id: the user id, numeric text ("1001", "1002", …) so that it also fits Withings' `userid`
 * @seed: the data seed of this user, pass it to ohe_sim_data_generate()
 * @data_from: the user's data starts here, Unix seconds, inclusive
 * @data_to: and ends here, exclusive
 *
 * A simulated user. Users are never removed, so the pointer stays valid as long as the server.
 *
 * Since: 0.1
 */
typedef struct {
	gchar *id;
	guint64 seed;
	gint64 data_from;
	gint64 data_to;
} OheSimUser;

/**
 * OheSimHandlerFunc:
 * @server: the simulator
 * @request: the request; answer it with the ohe_sim_request_respond_*() helpers
 * @user_data: from ohe_sim_server_add_provider()
 *
 * Serves every request under a provider's path prefix. A handler that sets no status answers
 * 404.
 */
typedef void (*OheSimHandlerFunc) (OheSimServer *server,
				   OheSimRequest *request,
				   gpointer user_data);

/**
 * OheSimFaultFunc:
 * @server: the simulator
 * @request: the request; @request->fault says which fault to format
 * @user_data: from ohe_sim_server_set_fault_func()
 *
 * Formats an injected 429, 500, 503, expired-token or revoked-token fault the way the
 * provider's cloud does.
 *
 * Returns: %TRUE if the function answered, %FALSE for the default answer (the status of
 *   ohe_sim_fault_kind_get_status(), an RFC 6749 error body, `Retry-After` on 429)
 */
typedef gboolean (*OheSimFaultFunc) (OheSimServer *server,
				     OheSimRequest *request,
				     gpointer user_data);

/**
 * OheSimNotifyFunc:
 * @server: the simulator
 * @params: the JSON object posted to `/_sim/notify`, e.g. {"provider": "withings",
 *   "user": "1001", "appli": 1, "start": …, "end": …}
 * @message: the webhook to fill: at least content_type and body; url when the provider keeps
 *   its own subscriptions (Withings), else the server's callback URL is used
 * @user_data: from ohe_sim_server_add_notifier()
 * @error: return location for an error; the admin endpoint answers 400 with its message
 *
 * Builds the body of a provider's webhook. The framework sends it.
 *
 * Returns: %TRUE if @message is ready to send
 */
typedef gboolean (*OheSimNotifyFunc) (OheSimServer *server,
				      JsonObject *params,
				      OheSimWebhookMessage *message,
				      gpointer user_data,
				      GError **error);

/**
 * ohe_sim_server_new:
 * @seed: the default data seed for users, also seeds the fault PRNG
 * @error: return location for an error
 *
 * Creates a simulator with no users and no providers, on the real clock. Register providers
 * and add users before ohe_sim_server_listen() or ohe_sim_server_start_in_thread().
 *
 * Returns: (transfer full): a simulator, or %NULL with @error set
 */
OheSimServer *
ohe_sim_server_new (guint64 seed, GError **error);
/**
 * ohe_sim_server_register_builtin_providers:
 * @self: a simulator
 *
 * Registers Withings under "/withings" and Google Health under "/google" (as far as their
 * handler files implement them). The standalone simulator calls this; in-process tests may
 * call it or register only what they need.
 */
void
ohe_sim_server_register_builtin_providers (OheSimServer *self);
/**
 * ohe_sim_server_add_provider:
 * @self: a simulator
 * @path_prefix: e.g. "/withings"; matches itself and paths below it ("/withings/…")
 * @func: the handler
 * @user_data: passed to @func
 *
 * Routes requests to a provider. The longest matching prefix wins. Paths under "/_sim" are
 * the simulator's own.
 */
void
ohe_sim_server_add_provider (OheSimServer *self,
			     const gchar *path_prefix,
			     OheSimHandlerFunc func,
			     gpointer user_data);
/**
 * ohe_sim_server_set_fault_func:
 * @self: a simulator
 * @path_prefix: a prefix given to ohe_sim_server_add_provider()
 * @func: formats faults for that provider
 * @user_data: passed to @func
 */
void
ohe_sim_server_set_fault_func (OheSimServer *self,
			       const gchar *path_prefix,
			       OheSimFaultFunc func,
			       gpointer user_data);
/**
 * ohe_sim_server_add_notifier:
 * @self: a simulator
 * @provider: the name used in `POST /_sim/notify {"provider": …}`, e.g. "withings"
 * @func: builds the webhook
 * @user_data: passed to @func
 */
void
ohe_sim_server_add_notifier (OheSimServer *self,
			     const gchar *provider,
			     OheSimNotifyFunc func,
			     gpointer user_data);
/**
 * ohe_sim_server_add_oauth:
 * @self: a simulator
 * @provider: a name, e.g. "withings"
 * @oauth: (transfer none): the provider's authorization server; the simulator keeps a ref
 *
 * Makes a provider's authorization server reachable by name for tests and the admin
 * endpoint `POST /_sim/expire {"provider": …, "user": …}`.
 */
void
ohe_sim_server_add_oauth (OheSimServer *self, const gchar *provider, OheSimOAuth *oauth);
/**
 * ohe_sim_server_get_oauth:
 * @self: a simulator
 * @provider: a name given to ohe_sim_server_add_oauth()
 *
 * Returns: (transfer none) (nullable): the authorization server
 */
OheSimOAuth *
ohe_sim_server_get_oauth (OheSimServer *self, const gchar *provider);
/**
 * ohe_sim_server_get_fault:
 * @self: a simulator
 *
 * Returns: (transfer none): the fault injector
 */
OheSimFault *
ohe_sim_server_get_fault (OheSimServer *self);
/**
 * ohe_sim_server_get_webhook:
 * @self: a simulator
 *
 * Returns: (transfer none): the webhook sender
 */
OheSimWebhook *
ohe_sim_server_get_webhook (OheSimServer *self);
/**
 * ohe_sim_server_get_clock:
 * @self: a simulator
 *
 * Returns: (transfer none): the clock token lifetimes are measured on
 */
OheClock *
ohe_sim_server_get_clock (OheSimServer *self);
/**
 * ohe_sim_server_set_clock:
 * @self: a simulator
 * @clock: e.g. ohe_clock_new_fake() so that a test can expire tokens by advancing it
 *
 * Call before registering providers: their #OheSimOAuth take the clock at creation.
 */
void
ohe_sim_server_set_clock (OheSimServer *self, OheClock *clock);
/**
 * ohe_sim_server_get_seed:
 * @self: a simulator
 *
 * Returns: the default data seed
 */
guint64
ohe_sim_server_get_seed (OheSimServer *self);
/**
 * ohe_sim_server_set_verbose:
 * @self: a simulator
 * @verbose: log each request (method, path without query, status, fault) to stderr
 */
void
ohe_sim_server_set_verbose (OheSimServer *self, gboolean verbose);
/**
 * ohe_sim_server_set_data_end:
 * @self: a simulator
 * @end: Unix seconds; users added later have data up to here (exclusive)
 *
 * Default: the clock's time when the server was created, rounded down to the hour.
 */
void
ohe_sim_server_set_data_end (OheSimServer *self, gint64 end);
/**
 * ohe_sim_server_add_users:
 * @self: a simulator
 * @count: number of users to create
 * @days: days of data each, ending at the data end
 * @seed: their data seed
 *
 * Creates users with the next free ids ("1001", "1002", …); also `POST /_sim/users
 * {"count", "days", "seed"}`.
 *
 * Returns: (transfer container) (element-type OheSimUser): the new users
 */
GPtrArray *
ohe_sim_server_add_users (OheSimServer *self, guint count, guint days, guint64 seed);
/**
 * ohe_sim_server_lookup_user:
 * @self: a simulator
 * @id: a user id
 *
 * Returns: (transfer none) (nullable): the user
 */
const OheSimUser *
ohe_sim_server_lookup_user (OheSimServer *self, const gchar *id);
/**
 * ohe_sim_server_get_default_user:
 * @self: a simulator
 *
 * Returns: (transfer none) (nullable): the first user; /authorize picks it without login_hint
 */
const OheSimUser *
ohe_sim_server_get_default_user (OheSimServer *self);
/**
 * ohe_sim_server_get_users:
 * @self: a simulator
 *
 * Returns: (transfer container) (element-type OheSimUser): all users, in creation order
 */
GPtrArray *
ohe_sim_server_get_users (OheSimServer *self);
/**
 * ohe_sim_server_get_request_count:
 * @self: a simulator
 * @path: (nullable): a request path without query, %NULL for all provider requests
 *
 * Counts provider requests, faulted ones included, admin requests excluded; also
 * `GET /_sim/stats`.
 *
 * Returns: the count since start or the last ohe_sim_server_reset_stats()
 */
guint
ohe_sim_server_get_request_count (OheSimServer *self, const gchar *path);
/**
 * ohe_sim_server_set_rate_limit:
 * @self: a simulator
 * @path_prefix: a prefix given to ohe_sim_server_add_provider()
 * @limit: (transfer full) (nullable): the rolling window the provider's cloud enforces,
 *   %NULL for none
 *
 * Call before serving. A request over the limit gets the provider's rate-limit answer
 * (Withings: status 601 in an HTTP 200 envelope; Google: HTTP 429), before any injected
 * fault; `--rate-limit` of the standalone simulator.
 */
void
ohe_sim_server_set_rate_limit (OheSimServer *self,
			       const gchar *path_prefix,
			       OheSimRateLimit *limit);
/**
 * ohe_sim_server_get_rate_limited:
 * @self: a simulator
 * @path_prefix: a provider prefix
 *
 * Returns: the requests refused by the provider's rolling window so far; also
 *   `rate_limited` in `GET /_sim/stats`
 */
guint
ohe_sim_server_get_rate_limited (OheSimServer *self, const gchar *path_prefix);
/**
 * ohe_sim_server_get_rate_peak:
 * @self: a simulator
 * @path_prefix: a provider prefix
 *
 * Returns: the most admitted requests seen in one window; also `rate_peak` in
 *   `GET /_sim/stats`
 */
guint
ohe_sim_server_get_rate_peak (OheSimServer *self, const gchar *path_prefix);
/**
 * ohe_sim_server_reset_stats:
 * @self: a simulator
 *
 * Zeroes the request counts; also `DELETE /_sim/stats`.
 */
void
ohe_sim_server_reset_stats (OheSimServer *self);
/**
 * ohe_sim_server_listen:
 * @self: a simulator
 * @port: a TCP port on 127.0.0.1, 0 for a free one
 * @error: return location for an error
 *
 * Serves from the thread-default main context of the caller.
 *
 * Returns: %FALSE with @error set if the port cannot be bound
 */
gboolean
ohe_sim_server_listen (OheSimServer *self, guint port, GError **error);
/**
 * ohe_sim_server_start_in_thread:
 * @self: a simulator
 * @port: (inout): the port to bind (0 for a free one); the bound port on return
 * @error: return location for an error
 *
 * Serves from a new thread with its own main context, for in-process plugin tests. Handlers
 * then run on that thread.
 *
 * Returns: %FALSE with @error set if the port cannot be bound
 */
gboolean
ohe_sim_server_start_in_thread (OheSimServer *self, guint *port, GError **error);
/**
 * ohe_sim_server_stop:
 * @self: a simulator
 *
 * Stops listening and, after ohe_sim_server_start_in_thread(), joins the thread. Safe to
 * call twice.
 */
void
ohe_sim_server_stop (OheSimServer *self);
/**
 * ohe_sim_server_get_port:
 * @self: a simulator
 *
 * Returns: the bound port, 0 when not listening
 */
guint
ohe_sim_server_get_port (OheSimServer *self);
/**
 * ohe_sim_server_get_base_url:
 * @self: a simulator
 *
 * Returns: (transfer full): "http://127.0.0.1:PORT"
 */
gchar *
ohe_sim_server_get_base_url (OheSimServer *self);

G_END_DECLS
