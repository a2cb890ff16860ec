/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-error.h"
#include "ohe-store.h"

/*
 * The front of the store interface: argument checks live here once, so each backend only
 * implements the storage. Every call blocks; call from worker threads, never the main loop.
 */

G_DEFINE_INTERFACE (OheStore, ohe_store, G_TYPE_OBJECT)

static void
ohe_store_default_init (OheStoreInterface *iface)
{
}

static gboolean
ohe_store_not_supported (OheStore *self, const gchar *what, GError **error)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED, "store: %s: not supported by %s",
		     what, G_OBJECT_TYPE_NAME (self));
	return FALSE;
}

/**
 * ohe_store_migrate:
 * @self: an #OheStore
 * @error: a #GError, or %NULL
 *
 * Applies the pending schema versions in order, each in its own transaction. Safe to call
 * again: with nothing pending it changes nothing.
 *
 * Returns: %TRUE if the schema is at the latest version
 */
gboolean
ohe_store_migrate (OheStore *self, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->migrate == NULL)
		return ohe_store_not_supported (self, "migrate", error);
	return iface->migrate (self, error);
}

/**
 * ohe_store_get_schema_version:
 * @self: an #OheStore
 * @error: a #GError, or %NULL
 *
 * Returns: the applied schema version, 0 for an empty database, or -1 with @error set
 */
gint
ohe_store_get_schema_version (OheStore *self, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), -1);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_schema_version == NULL) {
		ohe_store_not_supported (self, "get schema version", error);
		return -1;
	}
	return iface->get_schema_version (self, error);
}

/**
 * ohe_store_add_user:
 * @self: an #OheStore
 * @user_id: the EHR user id
 * @patient_reference: the FHIR Patient reference, e.g. `Patient/123`
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; %OHE_ERROR_CONFLICT if @user_id exists
 */
gboolean
ohe_store_add_user (OheStore *self,
		    const gchar *user_id,
		    const gchar *patient_reference,
		    GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (user_id != NULL, FALSE);
	g_return_val_if_fail (patient_reference != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_user == NULL)
		return ohe_store_not_supported (self, "add user", error);
	return iface->add_user (self, user_id, patient_reference, error);
}

/**
 * ohe_store_get_patient_reference:
 * @self: an #OheStore
 * @user_id: the EHR user id
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the FHIR Patient reference; %NULL with %OHE_ERROR_NOT_FOUND if
 *   there is no such user
 */
gchar *
ohe_store_get_patient_reference (OheStore *self, const gchar *user_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (user_id != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_patient_reference == NULL) {
		ohe_store_not_supported (self, "get patient reference", error);
		return NULL;
	}
	return iface->get_patient_reference (self, user_id, error);
}

/**
 * ohe_store_add_link:
 * @self: an #OheStore
 * @link: a new link; its times are set to now if they are 0
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; %OHE_ERROR_CONFLICT if the id or the (user, provider) pair
 *   exists, %OHE_ERROR_NOT_FOUND if the user does not exist
 */
gboolean
ohe_store_add_link (OheStore *self, OheLink *link, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (OHE_IS_LINK (link), FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_link == NULL)
		return ohe_store_not_supported (self, "add link", error);
	return iface->add_link (self, link, error);
}

/**
 * ohe_store_get_link:
 * @self: an #OheStore
 * @link_id: the link id
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the link; %NULL with %OHE_ERROR_NOT_FOUND if there is none
 */
OheLink *
ohe_store_get_link (OheStore *self, const gchar *link_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (link_id != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_link == NULL) {
		ohe_store_not_supported (self, "get link", error);
		return NULL;
	}
	return iface->get_link (self, link_id, error);
}

/**
 * ohe_store_find_links:
 * @self: an #OheStore
 * @provider: the provider plugin name
 * @external_user_id: the provider's id of the user, as webhooks name it
 * @error: a #GError, or %NULL
 *
 * Finds the links a provider notification is about. Usually one, but one provider account
 * may be linked to several EHR users.
 *
 * Returns: (transfer container) (element-type OheLink): the links, oldest first; empty if none
 */
GPtrArray *
ohe_store_find_links (OheStore *self,
		      const gchar *provider,
		      const gchar *external_user_id,
		      GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (provider != NULL, NULL);
	g_return_val_if_fail (external_user_id != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->find_links == NULL) {
		ohe_store_not_supported (self, "find links", error);
		return NULL;
	}
	return iface->find_links (self, provider, external_user_id, error);
}

/**
 * ohe_store_list_links:
 * @self: an #OheStore
 * @provider_or_null: (nullable): only the links of this provider
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheLink): the links, oldest first
 */
GPtrArray *
ohe_store_list_links (OheStore *self, const gchar *provider_or_null, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->list_links == NULL) {
		ohe_store_not_supported (self, "list links", error);
		return NULL;
	}
	return iface->list_links (self, provider_or_null, error);
}

/**
 * ohe_store_update_link_state:
 * @self: an #OheStore
 * @link_id: the link id
 * @state: the new state
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if there is no such link
 */
gboolean
ohe_store_update_link_state (OheStore *self,
			     const gchar *link_id,
			     OheLinkState state,
			     GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (link_id != NULL, FALSE);
	if ((guint)state >= OHE_LINK_STATE_LAST) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "store: update link state: invalid state %d", (gint)state);
		return FALSE;
	}
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->update_link_state == NULL)
		return ohe_store_not_supported (self, "update link state", error);
	return iface->update_link_state (self, link_id, state, error);
}

/**
 * ohe_store_set_link_token:
 * @self: an #OheStore
 * @link_id: the link id
 * @token: (nullable): the sealed token blob; %NULL forgets it
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if there is no such link
 */
gboolean
ohe_store_set_link_token (OheStore *self, const gchar *link_id, GBytes *token, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (link_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_link_token == NULL)
		return ohe_store_not_supported (self, "set link token", error);
	return iface->set_link_token (self, link_id, token, error);
}

/**
 * ohe_store_delete_link:
 * @self: an #OheStore
 * @link_id: the link id
 * @error: a #GError, or %NULL
 *
 * Deletes the link with its token and cursors. Its jobs and dead letters stay.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if there is no such link
 */
gboolean
ohe_store_delete_link (OheStore *self, const gchar *link_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (link_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->delete_link == NULL)
		return ohe_store_not_supported (self, "delete link", error);
	return iface->delete_link (self, link_id, error);
}

/**
 * ohe_store_update_link:
 * @self: an #OheStore
 * @link: the link, identified by its id
 * @error: a #GError, or %NULL
 *
 * Saves the external user id, state, kinds and token of an existing link.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if there is no such link
 */
gboolean
ohe_store_update_link (OheStore *self, OheLink *link, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (OHE_IS_LINK (link), FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->update_link == NULL)
		return ohe_store_not_supported (self, "update link", error);
	return iface->update_link (self, link, error);
}

/**
 * ohe_store_add_oauth_state:
 * @self: an #OheStore
 * @state: the random OAuth2 `state` sent to the provider
 * @link_id: the pending link the consent is for
 * @code_verifier: the PKCE verifier; a secret until the code is exchanged
 * @redirect_uri: the redirect URI of the authorize request
 * @error: a #GError, or %NULL
 *
 * Remembers an authorization in progress until the provider redirects back.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_add_oauth_state (OheStore *self,
			   const gchar *state,
			   const gchar *link_id,
			   const gchar *code_verifier,
			   const gchar *redirect_uri,
			   GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (state != NULL && link_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_oauth_state == NULL)
		return ohe_store_not_supported (self, "add oauth state", error);
	return iface->add_oauth_state (self, state, link_id, code_verifier, redirect_uri, error);
}

/**
 * ohe_store_take_oauth_state:
 * @self: an #OheStore
 * @state: the `state` that came back with the redirect
 * @max_age_us: how old the authorization may be
 * @link_id: (out): the pending link
 * @code_verifier: (out): the PKCE verifier
 * @redirect_uri: (out): the redirect URI
 * @error: a #GError, or %NULL
 *
 * Looks up and deletes an authorization in progress, so a state is used once.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND for an unknown, used or expired state
 */
gboolean
ohe_store_take_oauth_state (OheStore *self,
			    const gchar *state,
			    gint64 max_age_us,
			    gchar **link_id,
			    gchar **code_verifier,
			    gchar **redirect_uri,
			    GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (state != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->take_oauth_state == NULL)
		return ohe_store_not_supported (self, "take oauth state", error);
	return iface->take_oauth_state (self, state, max_age_us, link_id, code_verifier,
					redirect_uri, error);
}

/**
 * ohe_store_get_plugin_state:
 * @self: an #OheStore
 * @plugin: the plugin name
 * @key: the plugin's key
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the value; %NULL without an error if none was set
 */
gchar *
ohe_store_get_plugin_state (OheStore *self, const gchar *plugin, const gchar *key, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (plugin != NULL, NULL);
	g_return_val_if_fail (key != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_plugin_state == NULL) {
		ohe_store_not_supported (self, "get plugin state", error);
		return NULL;
	}
	return iface->get_plugin_state (self, plugin, key, error);
}

/**
 * ohe_store_set_plugin_state:
 * @self: an #OheStore
 * @plugin: the plugin name
 * @key: the plugin's key
 * @value: (nullable): the value; %NULL forgets the key
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_set_plugin_state (
    OheStore *self, const gchar *plugin, const gchar *key, const gchar *value, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (plugin != NULL, FALSE);
	g_return_val_if_fail (key != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_plugin_state == NULL)
		return ohe_store_not_supported (self, "set plugin state", error);
	return iface->set_plugin_state (self, plugin, key, value, error);
}

/**
 * ohe_store_get_cursor:
 * @self: an #OheStore
 * @link_id: the link id
 * @stream: the data stream, e.g. a kind name
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the opaque cursor; %NULL without an error if none was
 *   set yet
 */
gchar *
ohe_store_get_cursor (OheStore *self, const gchar *link_id, const gchar *stream, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (link_id != NULL, NULL);
	g_return_val_if_fail (stream != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_cursor == NULL) {
		ohe_store_not_supported (self, "get cursor", error);
		return NULL;
	}
	return iface->get_cursor (self, link_id, stream, error);
}

/**
 * ohe_store_set_cursor:
 * @self: an #OheStore
 * @link_id: the link id
 * @stream: the data stream, e.g. a kind name
 * @cursor: (nullable): the opaque cursor; %NULL forgets it, so the stream starts over
 * @error: a #GError, or %NULL
 *
 * Call only once the sink acknowledged everything up to @cursor.
 *
 * Returns: %TRUE on success; %OHE_ERROR_NOT_FOUND if there is no such link
 */
gboolean
ohe_store_set_cursor (
    OheStore *self, const gchar *link_id, const gchar *stream, const gchar *cursor, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (link_id != NULL, FALSE);
	g_return_val_if_fail (stream != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_cursor == NULL)
		return ohe_store_not_supported (self, "set cursor", error);
	return iface->set_cursor (self, link_id, stream, cursor, error);
}

/**
 * ohe_store_save_job:
 * @self: an #OheStore
 * @job: a job
 * @error: a #GError, or %NULL
 *
 * Inserts @job, or replaces the stored job with the same id.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_save_job (OheStore *self, OheJob *job, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (OHE_IS_JOB (job), FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->save_job == NULL)
		return ohe_store_not_supported (self, "save job", error);
	return iface->save_job (self, job, error);
}

/**
 * ohe_store_delete_job:
 * @self: an #OheStore
 * @job_id: the job id
 * @error: a #GError, or %NULL
 *
 * Deleting a job that is not stored succeeds, so finishing a job twice is harmless.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_delete_job (OheStore *self, const gchar *job_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (job_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->delete_job == NULL)
		return ohe_store_not_supported (self, "delete job", error);
	return iface->delete_job (self, job_id, error);
}

/**
 * ohe_store_list_jobs:
 * @self: an #OheStore
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheJob): all stored jobs in any state, by
 *   priority, then not-before time, then creation time
 */
GPtrArray *
ohe_store_list_jobs (OheStore *self, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->list_jobs == NULL) {
		ohe_store_not_supported (self, "list jobs", error);
		return NULL;
	}
	return iface->list_jobs (self, error);
}

/**
 * ohe_store_add_dead_letter:
 * @self: an #OheStore
 * @job_id: (nullable): the job that gave up
 * @link_id: (nullable): the link of the job
 * @item: (nullable): a descriptor of the item, e.g.
 *   `heart_rate@2026-11-01T10:00:00Z native=123`; %NULL for the whole job. Never a value.
 * @reason: why
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_add_dead_letter (OheStore *self,
			   const gchar *job_id,
			   const gchar *link_id,
			   const gchar *item,
			   const gchar *reason,
			   GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (reason != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_dead_letter == NULL)
		return ohe_store_not_supported (self, "add dead letter", error);
	return iface->add_dead_letter (self, job_id, link_id, item, reason, error);
}

/**
 * ohe_store_list_dead_letters:
 * @self: an #OheStore
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheDeadLetter): the dead letters, oldest first
 */
GPtrArray *
ohe_store_list_dead_letters (OheStore *self, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->list_dead_letters == NULL) {
		ohe_store_not_supported (self, "list dead letters", error);
		return NULL;
	}
	return iface->list_dead_letters (self, error);
}

/**
 * ohe_store_add_audit:
 * @self: an #OheStore
 * @actor: who, e.g. `token:ops`
 * @action: what, e.g. `link.revoke`
 * @detail: (nullable): ids of the objects involved; never a secret or a health value
 * @error: a #GError, or %NULL
 *
 * Appends to the audit log, stamped with the current time.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_add_audit (
    OheStore *self, const gchar *actor, const gchar *action, const gchar *detail, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (actor != NULL, FALSE);
	g_return_val_if_fail (action != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_audit == NULL)
		return ohe_store_not_supported (self, "add audit", error);
	return iface->add_audit (self, actor, action, detail, error);
}

/**
 * ohe_store_list_audit:
 * @self: an #OheStore
 * @limit: the most entries to return, 0 for all
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheAuditEntry): the newest entries, newest first
 */
GPtrArray *
ohe_store_list_audit (OheStore *self, guint limit, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->list_audit == NULL) {
		ohe_store_not_supported (self, "list audit", error);
		return NULL;
	}
	return iface->list_audit (self, limit, error);
}

/**
 * ohe_store_add_job_outcome:
 * @self: an #OheStore
 * @job_id: the job
 * @link_id: the link of the job
 * @kind: a measurement kind name
 * @outcome: `fetched`, `written`, `refused` or `filtered`
 * @count: how many items of @kind an attempt of the job acknowledged with @outcome
 * @error: a #GError, or %NULL
 *
 * Adds to the job record: the counts of every attempt of a job add up, as a
 * retried job resumes after what was acknowledged.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_add_job_outcome (OheStore *self,
			   const gchar *job_id,
			   const gchar *link_id,
			   const gchar *kind,
			   const gchar *outcome,
			   guint64 count,
			   GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (job_id != NULL && kind != NULL && outcome != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_job_outcome == NULL)
		return ohe_store_not_supported (self, "add job outcome", error);
	return iface->add_job_outcome (self, job_id, link_id, kind, outcome, count, error);
}

/**
 * ohe_store_get_job_outcome:
 * @self: an #OheStore
 * @job_id: the job
 * @kind: a measurement kind name
 * @outcome: `fetched`, `written`, `refused` or `filtered`
 * @error: a #GError, or %NULL
 *
 * Returns: the recorded count (0 if none), or -1 on error
 */
gint64
ohe_store_get_job_outcome (
    OheStore *self, const gchar *job_id, const gchar *kind, const gchar *outcome, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), -1);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_job_outcome == NULL) {
		ohe_store_not_supported (self, "get job outcome", error);
		return -1;
	}
	return iface->get_job_outcome (self, job_id, kind, outcome, error);
}

/**
 * ohe_store_save_policy:
 * @self: an #OheStore
 * @policy: an #OheOrganisationPolicy with an id
 * @error: a #GError, or %NULL
 *
 * Creates or replaces the policy of an organisation.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_save_policy (OheStore *self, OheOrganisationPolicy *policy, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (OHE_IS_ORGANISATION_POLICY (policy), FALSE);
	g_return_val_if_fail (ohe_organisation_policy_get_id (policy) != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->save_policy == NULL)
		return ohe_store_not_supported (self, "save policy", error);
	return iface->save_policy (self, policy, error);
}

/**
 * ohe_store_get_policy:
 * @self: an #OheStore
 * @organisation_id: an organisation
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the policy, or %NULL with OHE_ERROR_NOT_FOUND
 *   when the organisation has none
 */
OheOrganisationPolicy *
ohe_store_get_policy (OheStore *self, const gchar *organisation_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (organisation_id != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_policy == NULL) {
		ohe_store_not_supported (self, "get policy", error);
		return NULL;
	}
	return iface->get_policy (self, organisation_id, error);
}

/**
 * ohe_store_set_user_organisation:
 * @self: an #OheStore
 * @user_id: a user
 * @organisation_id: (nullable): an organisation with a policy, or %NULL for none
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; OHE_ERROR_NOT_FOUND names a missing user or policy
 */
gboolean
ohe_store_set_user_organisation (OheStore *self,
				 const gchar *user_id,
				 const gchar *organisation_id,
				 GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (user_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_user_organisation == NULL)
		return ohe_store_not_supported (self, "set user organisation", error);
	return iface->set_user_organisation (self, user_id, organisation_id, error);
}

/**
 * ohe_store_set_user_aggregation:
 * @self: an #OheStore
 * @user_id: a user
 * @aggregation: (nullable): `individual`, `hourly`, or %NULL for the
 *   organisation's default
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_store_set_user_aggregation (OheStore *self,
				const gchar *user_id,
				const gchar *aggregation,
				GError **error)
{
	OheStoreInterface *iface;
	OheAggregationMode mode;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (user_id != NULL, FALSE);
	if (aggregation != NULL && !ohe_aggregation_mode_from_string (aggregation, &mode, error))
		return FALSE;
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->set_user_aggregation == NULL)
		return ohe_store_not_supported (self, "set user aggregation", error);
	return iface->set_user_aggregation (self, user_id, aggregation, error);
}

/**
 * ohe_store_get_user_shaping:
 * @self: an #OheStore
 * @user_id: a user
 * @organisation_id: (out) (nullable): the user's organisation, or %NULL
 * @aggregation: (out) (nullable): the user's own aggregation choice, or %NULL
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; OHE_ERROR_NOT_FOUND if there is no such user
 */
gboolean
ohe_store_get_user_shaping (OheStore *self,
			    const gchar *user_id,
			    gchar **organisation_id,
			    gchar **aggregation,
			    GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (user_id != NULL && organisation_id != NULL && aggregation != NULL,
			      FALSE);
	*organisation_id = NULL;
	*aggregation = NULL;
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->get_user_shaping == NULL)
		return ohe_store_not_supported (self, "get user shaping", error);
	return iface->get_user_shaping (self, user_id, organisation_id, aggregation, error);
}

/**
 * ohe_store_dup_user_policy:
 * @self: an #OheStore
 * @user_id: a user
 * @aggregation: (out): the aggregation the user's data gets
 * @error: a #GError, or %NULL
 *
 * The policy in force for a user: the organisation's, or the defaults of
 * ohe_organisation_policy_new() for a user without an organisation.
 *
 * Returns: (transfer full): the policy, or %NULL on error
 */
OheOrganisationPolicy *
ohe_store_dup_user_policy (OheStore *self,
			   const gchar *user_id,
			   OheAggregationMode *aggregation,
			   GError **error)
{
	g_autofree gchar *organisation_id = NULL;
	g_autofree gchar *preference = NULL;
	OheOrganisationPolicy *policy;

	if (!ohe_store_get_user_shaping (self, user_id, &organisation_id, &preference, error))
		return NULL;
	if (organisation_id != NULL)
		policy = ohe_store_get_policy (self, organisation_id, error);
	else
		policy = ohe_organisation_policy_new (NULL);
	if (policy == NULL)
		return NULL;
	*aggregation = ohe_organisation_policy_resolve_aggregation (policy, preference);
	return policy;
}

/**
 * ohe_store_add_api_token:
 * @self: an #OheStore
 * @token: the token's id, name, scope and user
 * @hash: the hex SHA-256 of its secret (see ohe_api_token_hash_secret()); never the secret
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success; OHE_ERROR_NOT_FOUND for an unknown user
 */
gboolean
ohe_store_add_api_token (OheStore *self, OheApiToken *token, const gchar *hash, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (OHE_IS_API_TOKEN (token), FALSE);
	g_return_val_if_fail (hash != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->add_api_token == NULL)
		return ohe_store_not_supported (self, "add API token", error);
	return iface->add_api_token (self, token, hash, error);
}

/**
 * ohe_store_find_api_token:
 * @self: an #OheStore
 * @hash: the hex SHA-256 of a presented secret
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the token, revoked ones included (check
 *   ohe_api_token_get_revoked()), or %NULL with OHE_ERROR_NOT_FOUND
 */
OheApiToken *
ohe_store_find_api_token (OheStore *self, const gchar *hash, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	g_return_val_if_fail (hash != NULL, NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->find_api_token == NULL) {
		ohe_store_not_supported (self, "find API token", error);
		return NULL;
	}
	return iface->find_api_token (self, hash, error);
}

/**
 * ohe_store_list_api_tokens:
 * @self: an #OheStore
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type OheApiToken): every token, oldest first
 */
GPtrArray *
ohe_store_list_api_tokens (OheStore *self, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->list_api_tokens == NULL) {
		ohe_store_not_supported (self, "list API tokens", error);
		return NULL;
	}
	return iface->list_api_tokens (self, error);
}

/**
 * ohe_store_revoke_api_token:
 * @self: an #OheStore
 * @token_id: the token's id
 * @error: a #GError, or %NULL
 *
 * Marks the token revoked; it keeps its row for the record.
 *
 * Returns: %TRUE on success; OHE_ERROR_NOT_FOUND for an unknown or already revoked token
 */
gboolean
ohe_store_revoke_api_token (OheStore *self, const gchar *token_id, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), FALSE);
	g_return_val_if_fail (token_id != NULL, FALSE);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->revoke_api_token == NULL)
		return ohe_store_not_supported (self, "revoke API token", error);
	return iface->revoke_api_token (self, token_id, error);
}

/**
 * ohe_store_list_users:
 * @self: an #OheStore
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer container) (element-type utf8): the EHR user ids, sorted
 */
GPtrArray *
ohe_store_list_users (OheStore *self, GError **error)
{
	OheStoreInterface *iface;
	g_return_val_if_fail (OHE_IS_STORE (self), NULL);
	iface = OHE_STORE_GET_IFACE (self);
	if (iface->list_users == NULL) {
		ohe_store_not_supported (self, "list users", error);
		return NULL;
	}
	return iface->list_users (self, error);
}
