/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "ohe-ctl-scheduler.h"
#include "ohe-ctl-policy.h"
#include "ohe-ctl-token.h"
#include "ohe-engine.h"
#include "ohe-terminal.h"

/*
 * The command line tool. It runs the engine in-process on the configured
 * store (like fwupdtool beside fwupd), which works with or without a running
 * daemon on the embedded SQLite store.
 */
typedef struct {
	OheConfig *config;
	OheEngine *engine;
} OheCtl;

typedef gboolean (*OheCtlCommandFunc) (OheCtl *ctl, gchar **args, GError **error);

typedef struct {
	const gchar *name;
	const gchar *arguments;
	const gchar *summary;
	OheCtlCommandFunc func;
} OheCtlCommand;

static gboolean
ohe_ctl_ensure_engine (OheCtl *ctl, GError **error)
{
	if (ctl->engine != NULL)
		return TRUE;
	ctl->engine = ohe_engine_new (ctl->config);
	if (!ohe_engine_setup (ctl->engine, NULL, error)) {
		g_clear_object (&ctl->engine);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_ctl_check_args (gchar **args, guint min, guint max, const gchar *usage, GError **error)
{
	guint n = args != NULL ? g_strv_length (args) : 0;
	if (n < min || n > max) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, _ ("Usage: ohectl %s"),
			     usage);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_ctl_version (OheCtl *ctl, gchar **args, GError **error)
{
	g_print ("ohectl %s\n", PACKAGE_VERSION);
	g_print (_ ("plugin ABI: %u\n"), (guint)OHE_PLUGIN_ABI_VERSION);
	return TRUE;
}

static gboolean
ohe_ctl_plugins (OheCtl *ctl, gchar **args, GError **error)
{
	OhePluginLoader *loader;
	GPtrArray *plugins;
	GPtrArray *failures;

	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	loader = ohe_engine_get_loader (ctl->engine);
	plugins = ohe_plugin_loader_get_plugins (loader);
	failures = ohe_plugin_loader_get_failures (loader);
	for (guint i = 0; i < plugins->len; i++) {
		OhePlugin *plugin = g_ptr_array_index (plugins, i);
		const gchar *name = ohe_plugin_get_name (plugin);
		g_print ("%-16s %-9s %s\n", name,
			 OHE_IS_PROVIDER (plugin) ? _ ("provider") : _ ("sink"),
			 ohe_plugin_loader_get_plugin_path (loader, name));
	}
	for (guint i = 0; i < failures->len; i++) {
		g_autofree gchar *failure = ohe_terminal_escape (g_ptr_array_index (failures, i),
								 OHE_TERMINAL_ESCAPE_OUTPUT);
		g_print (_ ("refused          %s\n"), failure);
	}
	if (plugins->len == 0 && failures->len == 0)
		g_print (_ ("No plugins found.\n"));
	return TRUE;
}

static gboolean
ohe_ctl_status (OheCtl *ctl, gchar **args, GError **error)
{
	OheStore *store;
	g_autoptr(GPtrArray) links = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	gint version;

	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	store = ohe_engine_get_store (ctl->engine);
	version = ohe_store_get_schema_version (store, error);
	if (version < 0)
		return FALSE;
	links = ohe_store_list_links (store, NULL, error);
	if (links == NULL)
		return FALSE;
	dead = ohe_store_list_dead_letters (store, error);
	if (dead == NULL)
		return FALSE;
	g_print (_ ("schema version:  %d\n"), version);
	g_print (_ ("plugins loaded:  %u\n"),
		 ohe_plugin_loader_get_plugins (ohe_engine_get_loader (ctl->engine))->len);
	g_print (_ ("links:           %u\n"), links->len);
	g_print (_ ("jobs queued:     %u\n"),
		 ohe_job_queue_get_depth (ohe_engine_get_queue (ctl->engine)));
	g_print (_ ("dead letters:    %u\n"), dead->len);
	return TRUE;
}

static gboolean
ohe_ctl_links (OheCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GPtrArray) links = NULL;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	links = ohe_store_list_links (ohe_engine_get_store (ctl->engine), NULL, error);
	if (links == NULL)
		return FALSE;
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		g_autofree gchar *kind_list = g_strjoinv (",", ohe_link_get_kinds (link));
		g_autofree gchar *external = ohe_terminal_escape (
		    ohe_link_get_external_user_id (link), OHE_TERMINAL_ESCAPE_FIELD);
		g_print ("%s\t%s\t%s\t%s\t%s\t%s\n", ohe_link_get_id (link),
			 ohe_link_get_user_id (link), ohe_link_get_provider (link),
			 ohe_link_state_to_string (ohe_link_get_state (link)), external,
			 kind_list[0] != '\0' ? kind_list : "-");
	}
	return TRUE;
}

static gboolean
ohe_ctl_user_add (OheCtl *ctl, gchar **args, GError **error)
{
	if (!ohe_ctl_check_args (args, 2, 2, "user-add USER-ID PATIENT-REFERENCE", error))
		return FALSE;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	return ohe_store_add_user (ohe_engine_get_store (ctl->engine), args[0], args[1], error);
}

/*
 * Sets the kinds @link consents to: @text, comma-separated kind names, each
 * checked against what @provider delivers; without @text every kind the
 * provider offers, and the list is printed.
 */
static gboolean
ohe_ctl_set_link_kinds (OheLink *link, OheProvider *provider, const gchar *text, GError **error)
{
	g_auto(GStrv) kinds = NULL;
	g_autoptr(GPtrArray) undeliverable = g_ptr_array_new ();

	if (text == NULL) {
		g_autoptr(GArray) offered = ohe_provider_get_kinds (provider);
		g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
		g_autofree gchar *list = NULL;
		for (guint i = 0; offered != NULL && i < offered->len; i++)
			g_strv_builder_add (builder, ohe_measurement_kind_to_string (g_array_index (
							 offered, OheMeasurementKind, i)));
		kinds = g_strv_builder_end (builder);
		if (kinds[0] == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("provider %s offers no measurement kind"),
				     ohe_plugin_get_name (OHE_PLUGIN (provider)));
			return FALSE;
		}
		list = g_strjoinv (",", kinds);
		g_print (_ ("consenting to every kind %s offers: %s\n"),
			 ohe_plugin_get_name (OHE_PLUGIN (provider)), list);
		ohe_link_set_kinds (link, (const gchar *const *)kinds);
		return TRUE;
	}
	kinds = g_strsplit (text, ",", -1);
	for (guint i = 0; kinds[i] != NULL; i++) {
		OheMeasurementKind kind = ohe_measurement_kind_from_string (kinds[i]);
		if (kind == OHE_MEASUREMENT_KIND_UNKNOWN) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("'%s' is not a measurement kind"), kinds[i]);
			return FALSE;
		}
		if (!ohe_provider_supports_kind (provider, kind))
			g_ptr_array_add (undeliverable, kinds[i]);
	}
	if (undeliverable->len > 0) {
		g_autofree gchar *names = NULL;
		g_ptr_array_add (undeliverable, NULL);
		names = g_strjoinv (", ", (gchar **)undeliverable->pdata);
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     _ ("provider %s cannot deliver %s"),
			     ohe_plugin_get_name (OHE_PLUGIN (provider)), names);
		return FALSE;
	}
	ohe_link_set_kinds (link, (const gchar *const *)kinds);
	return TRUE;
}

/*
 * One provider account, one patient: refuses to give @link the provider account
 * @external_user_id while another link holds it. The store enforces the same with a unique
 * index; this check names the way out.
 */
static gboolean
ohe_ctl_check_account_free (OheCtl *ctl,
			    OheLink *link,
			    const gchar *external_user_id,
			    GError **error)
{
	g_autoptr(GPtrArray) holders = NULL;

	if (external_user_id == NULL)
		return TRUE;
	holders = ohe_store_find_links (ohe_engine_get_store (ctl->engine),
					ohe_link_get_provider (link), external_user_id, error);
	if (holders == NULL)
		return FALSE;
	for (guint i = 0; i < holders->len; i++) {
		OheLink *holder = g_ptr_array_index (holders, i);
		OheLinkState state = ohe_link_get_state (holder);

		if (g_strcmp0 (ohe_link_get_id (holder), ohe_link_get_id (link)) == 0 ||
		    state == OHE_LINK_STATE_PENDING || state == OHE_LINK_STATE_REVOKED)
			continue;
		g_set_error (error, OHE_ERROR, OHE_ERROR_CONFLICT,
			     _ ("%s account %s is already linked to user %s (link %s, %s); "
				"to move it, run ohectl unlink %s first"),
			     ohe_link_get_provider (link), external_user_id,
			     ohe_link_get_user_id (holder), ohe_link_get_id (holder),
			     ohe_link_state_to_string (state), ohe_link_get_id (holder));
		return FALSE;
	}
	return TRUE;
}

static OheProvider *
ohe_ctl_get_provider (OheCtl *ctl, const gchar *name, GError **error)
{
	OheProvider *provider =
	    ohe_plugin_loader_get_provider (ohe_engine_get_loader (ctl->engine), name);
	if (provider == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND,
			     _ ("provider plugin '%s' is not loaded (see ohectl plugins)"), name);
		return NULL;
	}
	return provider;
}

static gboolean
ohe_ctl_link_add (OheCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(OheLink) link = NULL;
	OheProvider *provider;

	if (!ohe_ctl_check_args (args, 2, 4, "link-add USER-ID PROVIDER [KIND,KIND…] [EXTERNAL-ID]",
				 error))
		return FALSE;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	provider = ohe_ctl_get_provider (ctl, args[1], error);
	if (provider == NULL)
		return FALSE;
	link = ohe_link_new (args[0], args[1]);
	if (!ohe_ctl_set_link_kinds (link, provider, args[2], error))
		return FALSE;
	if (args[2] != NULL && args[3] != NULL)
		ohe_link_set_external_user_id (link, args[3]);
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	if (!ohe_ctl_check_account_free (ctl, link, ohe_link_get_external_user_id (link), error) ||
	    !ohe_store_add_link (ohe_engine_get_store (ctl->engine), link, error))
		return FALSE;
	g_print ("%s\n", ohe_link_get_id (link));
	return TRUE;
}

/* ends a link: it keeps its record and cursors for the audit trail, but no token and no
 * provider account, which another user's link may then take */
static gboolean
ohe_ctl_unlink (OheCtl *ctl, gchar **args, GError **error)
{
	OheStore *store;
	g_autoptr(OheLink) link = NULL;
	g_autofree gchar *detail = NULL;

	if (!ohe_ctl_check_args (args, 1, 1, "unlink LINK-ID", error))
		return FALSE;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	store = ohe_engine_get_store (ctl->engine);
	link = ohe_store_get_link (store, args[0], error);
	if (link == NULL)
		return FALSE;
	ohe_link_set_token (link, NULL);
	ohe_link_set_state (link, OHE_LINK_STATE_REVOKED);
	if (!ohe_store_update_link (store, link, error))
		return FALSE;
	detail = g_strdup_printf ("link %s of user %s (%s)", ohe_link_get_id (link),
				  ohe_link_get_user_id (link), ohe_link_get_provider (link));
	if (!ohe_store_add_audit (store, "ohectl", "link-revoke", detail, error))
		return FALSE;
	g_print (_ ("link %s is revoked\n"), ohe_link_get_id (link));
	return TRUE;
}

static gboolean
ohe_ctl_parse_time (const gchar *text, gint64 *out, GError **error)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);
	if (dt == NULL) {
		g_set_error (
		    error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		    _ ("'%s' is not an ISO 8601 time with a zone, e.g. 2026-11-01T00:00:00Z"),
		    text);
		return FALSE;
	}
	*out = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
	return TRUE;
}

static gboolean
ohe_ctl_sync (OheCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheJob) job = NULL;
	gint64 now = g_get_real_time ();
	gint64 start = now - 30 * G_TIME_SPAN_DAY;
	gint64 end = now;

	if (!ohe_ctl_check_args (args, 1, 3, "sync LINK-ID [FROM] [TO]", error))
		return FALSE;
	if (args[1] != NULL && !ohe_ctl_parse_time (args[1], &start, error))
		return FALSE;
	if (args[1] != NULL && args[2] != NULL && !ohe_ctl_parse_time (args[2], &end, error))
		return FALSE;
	if (end <= start) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("the window end must be after its start"));
		return FALSE;
	}
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	link = ohe_store_get_link (ohe_engine_get_store (ctl->engine), args[0], error);
	if (link == NULL)
		return FALSE;
	job = ohe_job_new (ohe_link_get_id (link), ohe_link_get_provider (link),
			   OHE_JOB_PRIORITY_REALTIME);
	ohe_job_set_window (job, start, end);
	ohe_job_set_reason (job, "manual");
	ohe_job_set_max_attempts (job,
				  (guint)ohe_config_get_int (ctl->config, "queue", "max_attempts"));
	if (!ohe_job_queue_push (ohe_engine_get_queue (ctl->engine), job, error))
		return FALSE;
	g_print ("%s\n", ohe_job_get_id (job));
	return TRUE;
}

/* the user's link to @provider */
static OheLink *
ohe_ctl_find_link (OheCtl *ctl, const gchar *user, const gchar *provider, GError **error)
{
	g_autoptr(GPtrArray) links =
		       ohe_store_list_links (ohe_engine_get_store (ctl->engine), provider, error);
	if (links == NULL)
		return NULL;
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		if (g_strcmp0 (ohe_link_get_user_id (link), user) == 0)
			return g_object_ref (link);
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, _ ("user %s has no %s link"), user,
		     provider);
	return NULL;
}

/* the user's existing link to @provider, or a new pending one */
static OheLink *
ohe_ctl_ensure_link (OheCtl *ctl, const gchar *user, const gchar *provider, GError **error)
{
	OheStore *store = ohe_engine_get_store (ctl->engine);
	g_autoptr(GPtrArray) links = ohe_store_list_links (store, provider, error);
	g_autoptr(OheLink) link = NULL;

	if (links == NULL)
		return NULL;
	for (guint i = 0; i < links->len; i++) {
		OheLink *candidate = g_ptr_array_index (links, i);
		if (g_strcmp0 (ohe_link_get_user_id (candidate), user) == 0)
			return g_object_ref (candidate);
	}
	link = ohe_link_new (user, provider);
	if (!ohe_store_add_link (store, link, error))
		return NULL;
	return g_steal_pointer (&link);
}

static gboolean
ohe_ctl_link_start (OheCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(OheLink) link = NULL;
	g_autofree gchar *verifier = NULL;
	g_autofree gchar *challenge = NULL;
	g_autofree gchar *state = NULL;
	g_autofree gchar *redirect_uri = NULL;
	g_autofree gchar *url = NULL;
	g_autoptr(GBytes) sealed_verifier = NULL;
	g_autofree gchar *sealed_text = NULL;
	OheProvider *provider;

	if (!ohe_ctl_check_args (args, 2, 3, "link-start USER-ID PROVIDER [KIND,KIND…]", error))
		return FALSE;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	provider = ohe_ctl_get_provider (ctl, args[1], error);
	if (provider == NULL)
		return FALSE;
	link = ohe_ctl_ensure_link (ctl, args[0], args[1], error);
	if (link == NULL)
		return FALSE;
	if (!ohe_ctl_set_link_kinds (link, provider, args[2], error) ||
	    !ohe_store_update_link (ohe_engine_get_store (ctl->engine), link, error))
		return FALSE;

	verifier = ohe_oauth2_new_code_verifier ();
	challenge = ohe_oauth2_compute_code_challenge (verifier);
	state = ohe_oauth2_new_state ();
	redirect_uri = ohe_config_get_string (ctl->config, "daemon", "oauth_redirect_uri");
	url = ohe_provider_build_authorize_url (provider, state, challenge, redirect_uri, error);
	if (url == NULL)
		return FALSE;
	/* the verifier is a secret until the code is exchanged */
	sealed_verifier =
	    ohe_secret_box_seal (ohe_engine_get_secret_box (ctl->engine), verifier, state, error);
	if (sealed_verifier == NULL)
		return FALSE;
	sealed_text = g_strndup (g_bytes_get_data (sealed_verifier, NULL),
				 g_bytes_get_size (sealed_verifier));
	if (!ohe_store_add_oauth_state (ohe_engine_get_store (ctl->engine), state,
					ohe_link_get_id (link), sealed_text, redirect_uri, error))
		return FALSE;
	g_print (_ ("Open this address, consent, then run ohectl link-finish with the address "
		    "the provider redirects to:\n"));
	g_print ("%s\n", url);
	return TRUE;
}

static gboolean
ohe_ctl_parse_redirect (const gchar *text, gchar **code, gchar **state, GError **error)
{
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GHashTable) query = NULL;
	const gchar *denied;

	if (strchr (text, '?') == NULL) {
		*code = g_strdup (text);
		return TRUE;
	}
	uri = g_uri_parse (text, G_URI_FLAGS_NONE, error);
	if (uri == NULL)
		return FALSE;
	if (g_uri_get_query (uri) != NULL)
		query =
		    g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, error);
	if (query == NULL) {
		if (error != NULL && *error == NULL)
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     _ ("the redirect address has no query"));
		return FALSE;
	}
	denied = g_hash_table_lookup (query, "error");
	if (denied != NULL) {
		g_autofree gchar *escaped = ohe_terminal_escape (denied, OHE_TERMINAL_ESCAPE_FIELD);
		g_set_error (error, OHE_ERROR, OHE_ERROR_AUTH_REQUIRED,
			     _ ("the provider refused the consent: %s"), escaped);
		return FALSE;
	}
	*code = g_strdup (g_hash_table_lookup (query, "code"));
	*state = g_strdup (g_hash_table_lookup (query, "state"));
	if (*code == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("the redirect address carries no code"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_ctl_link_finish (OheCtl *ctl, gchar **args, GError **error)
{
	OheStore *store;
	g_autofree gchar *code = NULL;
	g_autofree gchar *state = NULL;
	g_autofree gchar *link_id = NULL;
	g_autofree gchar *sealed_verifier = NULL;
	g_autofree gchar *verifier = NULL;
	g_autofree gchar *redirect_uri = NULL;
	g_autoptr(GBytes) sealed_bytes = NULL;
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheToken) token = NULL;
	g_autoptr(GBytes) sealed_token = NULL;
	g_autofree gchar *external = NULL;
	OheProvider *provider;

	if (!ohe_ctl_check_args (args, 1, 2, "link-finish REDIRECT-ADDRESS | CODE STATE", error))
		return FALSE;
	if (!ohe_ctl_parse_redirect (args[0], &code, &state, error))
		return FALSE;
	if (state == NULL)
		state = g_strdup (args[1]);
	if (state == NULL) {
		g_set_error_literal (
		    error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
		    _ ("the OAuth state is missing: pass the whole redirect address"));
		return FALSE;
	}
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	store = ohe_engine_get_store (ctl->engine);
	if (!ohe_store_take_oauth_state (store, state, 10 * 60 * G_USEC_PER_SEC, &link_id,
					 &sealed_verifier, &redirect_uri, error))
		return FALSE;
	sealed_bytes = g_bytes_new (sealed_verifier, strlen (sealed_verifier));
	verifier = ohe_secret_box_open (ohe_engine_get_secret_box (ctl->engine), sealed_bytes,
					state, error);
	if (verifier == NULL)
		return FALSE;
	link = ohe_store_get_link (store, link_id, error);
	if (link == NULL)
		return FALSE;
	provider = ohe_ctl_get_provider (ctl, ohe_link_get_provider (link), error);
	if (provider == NULL)
		return FALSE;
	token = ohe_provider_exchange_code (provider, code, verifier, redirect_uri, NULL, error);
	if (token == NULL)
		return FALSE;
	sealed_token = ohe_engine_seal_token (ctl->engine, link_id, token, error);
	if (sealed_token == NULL)
		return FALSE;
	if (!ohe_ctl_check_account_free (ctl, link,
					 ohe_token_get_external_user_id (token) != NULL
					     ? ohe_token_get_external_user_id (token)
					     : ohe_link_get_external_user_id (link),
					 error))
		return FALSE;
	ohe_link_set_token (link, sealed_token);
	if (ohe_token_get_external_user_id (token) != NULL)
		ohe_link_set_external_user_id (link, ohe_token_get_external_user_id (token));
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	if (!ohe_store_update_link (store, link, error))
		return FALSE;
	external =
	    ohe_terminal_escape (ohe_link_get_external_user_id (link), OHE_TERMINAL_ESCAPE_FIELD);
	g_print (_ ("link %s is active (provider user %s)\n"), link_id, external);
	return TRUE;
}

/* sinks count what they wrote in ohe_sink_resources_written_total{sink,resource_type} */
static void
ohe_ctl_print_resources_written (OheCtl *ctl)
{
	OheMetrics *metrics = ohe_engine_get_metrics (ctl->engine);
	g_autoptr(GPtrArray) series =
		       ohe_metrics_list_series (metrics, "ohe_sink_resources_written_total");

	if (series->len > 0)
		g_print (_ ("resources written:\n"));
	for (guint i = 0; i < series->len; i++) {
		const gchar *const *labels = g_ptr_array_index (series, i);
		g_print (
		    "  %-22s %.0f (%s)\n", labels[1],
		    ohe_metrics_get_value (metrics, "ohe_sink_resources_written_total", labels),
		    labels[0]);
	}
}

static gboolean
ohe_ctl_sync_now (OheCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(OheLink) link = NULL;
	g_autoptr(OheJob) job = NULL;
	g_autoptr(GPtrArray) dead_before = NULL;
	g_autoptr(GPtrArray) dead_after = NULL;
	OheSyncStats stats = {0};
	gint64 start = 0;
	gint64 end = 0;
	gint64 started;
	gboolean ok;

	guint n_args = args != NULL ? g_strv_length (args) : 0;
	const gchar *const *window;

	if (!ohe_ctl_check_args (args, 3, 4, "sync-now LINK-ID | USER-ID PROVIDER, FROM TO", error))
		return FALSE;
	window = (const gchar *const *)args + n_args - 2;
	if (!ohe_ctl_parse_time (window[0], &start, error) ||
	    !ohe_ctl_parse_time (window[1], &end, error))
		return FALSE;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	if (n_args == 4)
		link = ohe_ctl_find_link (ctl, args[0], args[1], error);
	else
		link = ohe_store_get_link (ohe_engine_get_store (ctl->engine), args[0], error);
	if (link == NULL)
		return FALSE;
	dead_before = ohe_store_list_dead_letters (ohe_engine_get_store (ctl->engine), error);
	if (dead_before == NULL)
		return FALSE;
	job = ohe_job_new (ohe_link_get_id (link), ohe_link_get_provider (link),
			   OHE_JOB_PRIORITY_REALTIME);
	ohe_job_set_window (job, start, end);
	ohe_job_set_reason (job, "manual");
	started = g_get_monotonic_time ();
	ok = ohe_engine_run_job (ctl->engine, job, &stats, NULL, error);

	g_print (_ ("link %s (%s), %s → %s\n"), ohe_link_get_id (link),
		 ohe_link_get_provider (link), window[0], window[1]);
	if (ok && stats.nothing_asked) {
		g_autofree gchar *kind_list = g_strjoinv (",", ohe_link_get_kinds (link));
		g_print (_ ("nothing asked: the link consents to %s, none of which %s delivers; "
			    "nothing fetched\n"),
			 kind_list, ohe_link_get_provider (link));
		ohe_sync_stats_clear (&stats);
		return TRUE;
	}
	/* per kind, only what was acknowledged */
	for (guint kind = 0; kind < OHE_MEASUREMENT_KIND_LAST; kind++) {
		if (stats.fetched_by_kind[kind] == 0)
			continue;
		g_print (_ ("  %-22s fetched %u, written %u, refused %u, filtered %u\n"),
			 ohe_measurement_kind_to_string (kind), (guint)stats.fetched_by_kind[kind],
			 (guint)stats.written_by_kind[kind], (guint)stats.refused_by_kind[kind],
			 (guint)stats.filtered_by_kind[kind]);
		if (stats.filtered_by_kind[kind] > 0 && stats.filter_reason_by_kind[kind] != NULL) {
			g_autofree gchar *reason = ohe_terminal_escape (
			    stats.filter_reason_by_kind[kind], OHE_TERMINAL_ESCAPE_FIELD);
			g_print (_ ("  %-22s filtered: %s\n"), "", reason);
		}
	}
	g_print (_ ("fetched %u, written %u, refused %u, filtered %u, %u batches, %.2f s\n"),
		 (guint)stats.fetched, (guint)stats.written, (guint)stats.refused,
		 (guint)stats.filtered, (guint)stats.batches,
		 (gdouble)(g_get_monotonic_time () - started) / G_USEC_PER_SEC);
	if (stats.aggregates > 0 || stats.hours_refetched > 0 || stats.linked > 0)
		g_print (
		    _ ("hourly aggregates written %u (%u hours fetched again), linked children "
		       "fetched %u\n"),
		    (guint)stats.aggregates, (guint)stats.hours_refetched, (guint)stats.linked);
	if (stats.fetched > stats.written + stats.refused + stats.filtered)
		g_print (
		    _ ("not acknowledged: %u (the job failed; they are fetched again on retry)\n"),
		    (guint)(stats.fetched - stats.written - stats.refused - stats.filtered));
	if (stats.cursor != NULL) {
		g_autofree gchar *cursor =
		    ohe_terminal_escape (stats.cursor, OHE_TERMINAL_ESCAPE_FIELD);
		g_print (_ ("cursor: %s\n"), cursor);
	}
	ohe_ctl_print_resources_written (ctl);
	dead_after = ohe_store_list_dead_letters (ohe_engine_get_store (ctl->engine), NULL);
	for (guint i = dead_before->len; dead_after != NULL && i < dead_after->len; i++) {
		OheDeadLetter *letter = g_ptr_array_index (dead_after, i);
		g_autofree gchar *item = ohe_terminal_escape (ohe_dead_letter_get_item (letter),
							      OHE_TERMINAL_ESCAPE_FIELD);
		g_autofree gchar *reason = ohe_terminal_escape (ohe_dead_letter_get_reason (letter),
								OHE_TERMINAL_ESCAPE_FIELD);
		g_print (_ ("  dead letter: %s: %s\n"), item, reason);
	}
	ohe_sync_stats_clear (&stats);
	return ok;
}

static gboolean
ohe_ctl_run (OheCtl *ctl, gchar **args, GError **error)
{
	OheMetrics *metrics;
	g_autoptr(GPtrArray) links = NULL;
	g_autoptr(GPtrArray) dead = NULL;
	g_autoptr(GHashTable) providers = g_hash_table_new (g_str_hash, g_str_equal);
	gint64 started;

	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	started = g_get_monotonic_time ();
	if (!ohe_engine_start (ctl->engine, error))
		return FALSE;
	ohe_engine_wait_idle (ctl->engine, G_MAXINT64 / 2);
	ohe_engine_stop (ctl->engine);

	metrics = ohe_engine_get_metrics (ctl->engine);
	links = ohe_store_list_links (ohe_engine_get_store (ctl->engine), NULL, error);
	if (links == NULL)
		return FALSE;
	dead = ohe_store_list_dead_letters (ohe_engine_get_store (ctl->engine), error);
	if (dead == NULL)
		return FALSE;
	g_print (_ ("jobs run:        %u\n"), (guint)ohe_engine_get_jobs_done (ctl->engine));
	for (guint i = 0; i < links->len; i++) {
		const gchar *provider = ohe_link_get_provider (g_ptr_array_index (links, i));
		if (!g_hash_table_add (providers, (gpointer)provider))
			continue;
		g_print (_ ("%-16s %.0f written, %.0f refused, %.0f filtered\n"), provider,
			 ohe_metrics_get_value (metrics, "ohe_sync_measurements_total",
						OHE_METRICS_LABELS (provider, "written")),
			 ohe_metrics_get_value (metrics, "ohe_sync_measurements_total",
						OHE_METRICS_LABELS (provider, "refused")),
			 ohe_metrics_get_value (metrics, "ohe_sync_measurements_total",
						OHE_METRICS_LABELS (provider, "filtered")));
	}
	g_print (_ ("dead letters:    %u\n"), dead->len);
	g_print (_ ("jobs waiting for a retry: %u\n"),
		 ohe_job_queue_get_depth (ohe_engine_get_queue (ctl->engine)));
	g_print (_ ("elapsed:         %.2f s\n"),
		 (gdouble)(g_get_monotonic_time () - started) / G_USEC_PER_SEC);
	return TRUE;
}

static gboolean
ohe_ctl_dead_letters (OheCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GPtrArray) dead = NULL;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	dead = ohe_store_list_dead_letters (ohe_engine_get_store (ctl->engine), error);
	if (dead == NULL)
		return FALSE;
	for (guint i = 0; i < dead->len; i++) {
		OheDeadLetter *letter = g_ptr_array_index (dead, i);
		g_autofree gchar *item = ohe_terminal_escape (ohe_dead_letter_get_item (letter),
							      OHE_TERMINAL_ESCAPE_FIELD);
		g_autofree gchar *reason = ohe_terminal_escape (ohe_dead_letter_get_reason (letter),
								OHE_TERMINAL_ESCAPE_FIELD);
		g_print ("%s\t%s\t%s\t%s\n", ohe_dead_letter_get_link_id (letter),
			 ohe_dead_letter_get_job_id (letter), item, reason);
	}
	return TRUE;
}

static gboolean
ohe_ctl_token_cmd (OheCtl *ctl, gchar **args, GError **error)
{
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	return ohe_ctl_token (ohe_engine_get_store (ctl->engine), args, error);
}

static gboolean
ohe_ctl_metrics (OheCtl *ctl, gchar **args, GError **error)
{
	g_autofree gchar *text = NULL;
	if (!ohe_ctl_ensure_engine (ctl, error))
		return FALSE;
	text = ohe_metrics_render (ohe_engine_get_metrics (ctl->engine));
	g_print ("%s", text);
	return TRUE;
}

static gboolean
ohe_ctl_notify (OheCtl *ctl, gchar **args, GError **error)
{
	return ohe_ctl_check_args (args, 2, 4, "notify PROVIDER PROVIDER-USER-ID [FROM TO]",
				   error) &&
	       ohe_ctl_ensure_engine (ctl, error) &&
	       ohe_ctl_scheduler_notify (ctl->engine, args, error);
}

static gboolean
ohe_ctl_policy_set_cmd (OheCtl *ctl, gchar **args, GError **error)
{
	return ohe_ctl_check_args (args, 2, 16, "policy-set ORGANISATION KEY=VALUE...", error) &&
	       ohe_ctl_ensure_engine (ctl, error) && ohe_ctl_policy_set (ctl->engine, args, error);
}

static gboolean
ohe_ctl_policy_show_cmd (OheCtl *ctl, gchar **args, GError **error)
{
	return ohe_ctl_check_args (args, 1, 1, "policy-show ORGANISATION", error) &&
	       ohe_ctl_ensure_engine (ctl, error) && ohe_ctl_policy_show (ctl->engine, args, error);
}

static gboolean
ohe_ctl_user_set (OheCtl *ctl, gchar **args, GError **error)
{
	return ohe_ctl_check_args (args, 2, 8, "user-set USER-ID KEY=VALUE...", error) &&
	       ohe_ctl_ensure_engine (ctl, error) &&
	       ohe_ctl_scheduler_user_set (ctl->engine, args, error);
}

static gboolean
ohe_ctl_backfill (OheCtl *ctl, gchar **args, GError **error)
{
	return ohe_ctl_check_args (args, 0, 1, "backfill [LINK-ID]", error) &&
	       ohe_ctl_ensure_engine (ctl, error) &&
	       ohe_ctl_scheduler_backfill (ctl->engine, args, error);
}

static const OheCtlCommand ohe_ctl_commands[] = {
    {"version", "", N_ ("Show the version and plugin ABI"), ohe_ctl_version},
    {"plugins", "", N_ ("List loaded and refused plugins"), ohe_ctl_plugins},
    {"status", "", N_ ("Show store, queue and link counts"), ohe_ctl_status},
    {"user-add", "USER-ID PATIENT-REFERENCE", N_ ("Add an EHR user and its Patient reference"),
     ohe_ctl_user_add},
    {"links", "", N_ ("List provider links: id, user, provider, state, provider user, kinds"),
     ohe_ctl_links},
    {"link-add", "USER-ID PROVIDER [KINDS] [EXTERNAL-ID]",
     N_ ("Add a provider link; without KINDS, every kind the provider offers"), ohe_ctl_link_add},
    {"link-start", "USER-ID PROVIDER [KINDS]",
     N_ ("Start linking a provider account (OAuth2); without KINDS, every kind it offers"),
     ohe_ctl_link_start},
    {"link-finish", "REDIRECT-ADDRESS",
     N_ ("Finish linking with the address the provider redirected to"), ohe_ctl_link_finish},
    {"unlink", "LINK-ID", N_ ("End a link: revoke it, drop its token, free its provider account"),
     ohe_ctl_unlink},
    {"sync", "LINK-ID [FROM] [TO]", N_ ("Queue a sync job for a link"), ohe_ctl_sync},
    {"sync-now", "LINK-ID | USER-ID PROVIDER, FROM TO",
     N_ ("Sync a window now, in this process, and print a summary"), ohe_ctl_sync_now},
    {"run", "", N_ ("Run queued jobs in-process until the queue is empty"), ohe_ctl_run},
    {"dead-letters", "", N_ ("List dead letters"), ohe_ctl_dead_letters},
    {"metrics", "", N_ ("Print the metrics of this process"), ohe_ctl_metrics},
    {"notify", "PROVIDER PROVIDER-USER-ID [FROM TO]",
     N_ ("Queue a push: new data for a provider account, as a webhook would"), ohe_ctl_notify},
    {"user-set", "USER-ID KEY=VALUE...",
     N_ ("Change a user's settings: frequency=realtime|hourly|daily, organisation=ORG|none, "
	 "aggregation=individual|hourly|default"),
     ohe_ctl_user_set},
    {"backfill", "[LINK-ID]",
     N_ ("Show initial backfill progress: windows, measurements, estimated end"), ohe_ctl_backfill},
    {"policy-set", "ORGANISATION KEY=VALUE...",
     N_ ("Create or change an organisation's policy: allowed_kinds, aggregation, "
	 "aggregation_override, linked, max_backfill_days"),
     ohe_ctl_policy_set_cmd},
    {"policy-show", "ORGANISATION", N_ ("Print an organisation's policy"), ohe_ctl_policy_show_cmd},
    {"token", "create NAME SCOPE [USER-ID] | list | revoke ID",
     N_ ("REST API tokens: create (the secret is shown once), list, revoke"), ohe_ctl_token_cmd},
};

static gchar *
ohe_ctl_describe_commands (void)
{
	GString *out = g_string_new (_ ("Commands:"));
	for (guint i = 0; i < G_N_ELEMENTS (ohe_ctl_commands); i++) {
		g_autofree gchar *usage = g_strdup_printf ("%s %s", ohe_ctl_commands[i].name,
							   ohe_ctl_commands[i].arguments);
		g_string_append_printf (out, "\n  %-44s %s", usage,
					_ (ohe_ctl_commands[i].summary));
	}
	return g_string_free (out, FALSE);
}

int
main (int argc, char *argv[])
{
	OheCtl ctl = {NULL};
	gboolean local = FALSE;
	gboolean verbose = FALSE;
	g_autofree gchar *config_path = NULL;
	g_autofree gchar *description = NULL;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) envp = g_get_environ ();
	const OheCtlCommand *command = NULL;
	gboolean ok;
	const GOptionEntry options[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, N_ ("Configuration file"),
	     N_ ("FILE")},
	    {"local", '\0', 0, G_OPTION_ARG_NONE, &local,
	     N_ ("Run the engine in this process (the default until the D-Bus interface exists)"),
	     NULL},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_ ("Show debug messages"), NULL},
	    {NULL}};

	setlocale (LC_ALL, "");
	/* provider and server text reaches the terminal: no control sequences */
	ohe_terminal_install_print_handlers ();
	ohe_engine_tune_memory ();
	bindtextdomain (GETTEXT_PACKAGE, OHE_LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
	textdomain (GETTEXT_PACKAGE);

	context = g_option_context_new (_ ("COMMAND [ARGUMENTS…]"));
	g_option_context_set_summary (context, _ ("Control the Open Health Exchange daemon"));
	description = ohe_ctl_describe_commands ();
	g_option_context_set_description (context, description);
	g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
	g_option_context_set_strict_posix (context, TRUE);
	if (!g_option_context_parse (context, &argc, &argv, &error)) {
		g_printerr ("%s\n", error->message);
		return EXIT_FAILURE;
	}
	if (verbose)
		g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
	if (argc < 2) {
		g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);
		g_printerr ("%s", help);
		return EXIT_FAILURE;
	}
	for (guint i = 0; i < G_N_ELEMENTS (ohe_ctl_commands); i++) {
		if (g_strcmp0 (ohe_ctl_commands[i].name, argv[1]) == 0)
			command = &ohe_ctl_commands[i];
	}
	if (command == NULL) {
		g_printerr (_ ("Unknown command '%s'\n%s\n"), argv[1], description);
		return EXIT_FAILURE;
	}

	ctl.config = ohe_config_new ();
	if (config_path == NULL)
		config_path = g_strdup (g_getenv ("OHED_CONFIG"));
	if ((config_path != NULL && !ohe_config_load_file (ctl.config, config_path, &error)) ||
	    !ohe_config_apply_environment (ctl.config, (const gchar *const *)envp, &error)) {
		g_printerr (_ ("Configuration error: %s\n"), error->message);
		g_object_unref (ctl.config);
		return EXIT_FAILURE;
	}
	ok = command->func (&ctl, argv + 2, &error);
	g_clear_object (&ctl.engine);
	g_clear_object (&ctl.config);
	if (!ok) {
		g_printerr ("%s\n", error->message);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
