/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ohe-api-token.h"
#include "ohe-audit-entry.h"
#include "ohe-backfill-progress.h"
#include "ohe-dead-letter.h"
#include "ohe-job.h"
#include "ohe-link.h"
#include "ohe-organisation-policy.h"

G_BEGIN_DECLS

#define OHE_TYPE_STORE (ohe_store_get_type ())
G_DECLARE_INTERFACE (OheStore, ohe_store, OHE, STORE, GObject)

/*
 * The daemon's persistent state: configuration, sealed tokens, cursors and job descriptors,
 * never health data. All calls block and are safe from any thread. Times are UTC microseconds
 * and ids are text, so a backend never shows its own types. Failures of the backend itself are
 * OHE_ERROR_STORE with a message "store: <what>: <backend message>".
 */
struct _OheStoreInterface {
	GTypeInterface parent_iface;

	gboolean (*migrate) (OheStore *self, GError **error);
	gint (*get_schema_version) (OheStore *self, GError **error);

	gboolean (*add_user) (OheStore *self,
			      const gchar *user_id,
			      const gchar *patient_reference,
			      GError **error);
	gchar *(*get_patient_reference) (OheStore *self, const gchar *user_id, GError **error);

	gboolean (*add_link) (OheStore *self, OheLink *link, GError **error);
	OheLink *(*get_link) (OheStore *self, const gchar *link_id, GError **error);
	GPtrArray *(*find_links) (OheStore *self,
				  const gchar *provider,
				  const gchar *external_user_id,
				  GError **error);
	GPtrArray *(*list_links) (OheStore *self, const gchar *provider, GError **error);
	gboolean (*update_link_state) (OheStore *self,
				       const gchar *link_id,
				       OheLinkState state,
				       GError **error);
	gboolean (*set_link_token) (OheStore *self,
				    const gchar *link_id,
				    GBytes *token,
				    GError **error);
	gboolean (*delete_link) (OheStore *self, const gchar *link_id, GError **error);
	gboolean (*update_link) (OheStore *self, OheLink *link, GError **error);
	gboolean (*add_oauth_state) (OheStore *self,
				     const gchar *state,
				     const gchar *link_id,
				     const gchar *code_verifier,
				     const gchar *redirect_uri,
				     GError **error);
	gboolean (*take_oauth_state) (OheStore *self,
				      const gchar *state,
				      gint64 max_age_us,
				      gchar **link_id,
				      gchar **code_verifier,
				      gchar **redirect_uri,
				      GError **error);

	gchar *(*get_cursor) (OheStore *self,
			      const gchar *link_id,
			      const gchar *stream,
			      GError **error);
	gboolean (*set_cursor) (OheStore *self,
				const gchar *link_id,
				const gchar *stream,
				const gchar *cursor,
				GError **error);

	gchar *(*get_plugin_state) (OheStore *self,
				    const gchar *plugin,
				    const gchar *key,
				    GError **error);
	gboolean (*set_plugin_state) (OheStore *self,
				      const gchar *plugin,
				      const gchar *key,
				      const gchar *value,
				      GError **error);

	gboolean (*save_job) (OheStore *self, OheJob *job, GError **error);
	gboolean (*delete_job) (OheStore *self, const gchar *job_id, GError **error);
	GPtrArray *(*list_jobs) (OheStore *self, GError **error);

	gboolean (*add_dead_letter) (OheStore *self,
				     const gchar *job_id,
				     const gchar *link_id,
				     const gchar *item,
				     const gchar *reason,
				     GError **error);
	GPtrArray *(*list_dead_letters) (OheStore *self, GError **error);

	gboolean (*add_audit) (OheStore *self,
			       const gchar *actor,
			       const gchar *action,
			       const gchar *detail,
			       GError **error);
	GPtrArray *(*list_audit) (OheStore *self, guint limit, GError **error);

	gboolean (*add_job_outcome) (OheStore *self,
				     const gchar *job_id,
				     const gchar *link_id,
				     const gchar *kind,
				     const gchar *outcome,
				     guint64 count,
				     GError **error);
	gint64 (*get_job_outcome) (OheStore *self,
				   const gchar *job_id,
				   const gchar *kind,
				   const gchar *outcome,
				   GError **error);

	/* the scheduler (schema version 10) */
	gchar *(*get_user_sync_frequency) (OheStore *self, const gchar *user_id, GError **error);
	gboolean (*set_user_sync_frequency) (OheStore *self,
					     const gchar *user_id,
					     const gchar *frequency,
					     GError **error);
	gboolean (*acquire_lease) (OheStore *self,
				   const gchar *name,
				   const gchar *holder,
				   gint64 now_us,
				   gint64 ttl_us,
				   gboolean *held,
				   GError **error);
	gboolean (*release_lease) (OheStore *self,
				   const gchar *name,
				   const gchar *holder,
				   GError **error);
	gboolean (*get_schedule_mark) (
	    OheStore *self, const gchar *name, gint64 *value_us, gboolean *found, GError **error);
	gboolean (*set_schedule_mark) (OheStore *self,
				       const gchar *name,
				       gint64 value_us,
				       GError **error);
	gboolean (*start_backfill) (OheStore *self,
				    const OheBackfillProgress *progress,
				    gboolean *started,
				    GError **error);
	gboolean (*add_backfill_progress) (OheStore *self,
					   const gchar *link_id,
					   gint64 window_start_us,
					   guint64 measurements,
					   GError **error);
	OheBackfillProgress *(*get_backfill_progress) (OheStore *self,
						       const gchar *link_id,
						       GError **error);

	/* organisation policies and shaping (schema version 12) */
	gboolean (*save_policy) (OheStore *self, OheOrganisationPolicy *policy, GError **error);
	OheOrganisationPolicy *(*get_policy) (OheStore *self,
					      const gchar *organisation_id,
					      GError **error);
	gboolean (*set_user_organisation) (OheStore *self,
					   const gchar *user_id,
					   const gchar *organisation_id,
					   GError **error);
	gboolean (*set_user_aggregation) (OheStore *self,
					  const gchar *user_id,
					  const gchar *aggregation,
					  GError **error);
	gboolean (*get_user_shaping) (OheStore *self,
				      const gchar *user_id,
				      gchar **organisation_id,
				      gchar **aggregation,
				      GError **error);

	/* API tokens (schema version 13) */
	gboolean (*add_api_token) (OheStore *self,
				   OheApiToken *token,
				   const gchar *hash,
				   GError **error);
	OheApiToken *(*find_api_token) (OheStore *self, const gchar *hash, GError **error);
	GPtrArray *(*list_api_tokens) (OheStore *self, GError **error);
	gboolean (*revoke_api_token) (OheStore *self, const gchar *token_id, GError **error);
	GPtrArray *(*list_users) (OheStore *self, GError **error);
};

gboolean
ohe_store_migrate (OheStore *self, GError **error);
gint
ohe_store_get_schema_version (OheStore *self, GError **error);

gboolean
ohe_store_add_user (OheStore *self,
		    const gchar *user_id,
		    const gchar *patient_reference,
		    GError **error);
gchar *
ohe_store_get_patient_reference (OheStore *self, const gchar *user_id, GError **error);

gboolean
ohe_store_add_link (OheStore *self, OheLink *link, GError **error);
OheLink *
ohe_store_get_link (OheStore *self, const gchar *link_id, GError **error);
GPtrArray *
ohe_store_find_links (OheStore *self,
		      const gchar *provider,
		      const gchar *external_user_id,
		      GError **error);
GPtrArray *
ohe_store_list_links (OheStore *self, const gchar *provider_or_null, GError **error);
gboolean
ohe_store_update_link_state (OheStore *self,
			     const gchar *link_id,
			     OheLinkState state,
			     GError **error);
gboolean
ohe_store_set_link_token (OheStore *self, const gchar *link_id, GBytes *token, GError **error);
gboolean
ohe_store_delete_link (OheStore *self, const gchar *link_id, GError **error);
gboolean
ohe_store_update_link (OheStore *self, OheLink *link, GError **error);
gboolean
ohe_store_add_oauth_state (OheStore *self,
			   const gchar *state,
			   const gchar *link_id,
			   const gchar *code_verifier,
			   const gchar *redirect_uri,
			   GError **error);
gboolean
ohe_store_take_oauth_state (OheStore *self,
			    const gchar *state,
			    gint64 max_age_us,
			    gchar **link_id,
			    gchar **code_verifier,
			    gchar **redirect_uri,
			    GError **error);

gchar *
ohe_store_get_plugin_state (OheStore *self, const gchar *plugin, const gchar *key, GError **error);
gboolean
ohe_store_set_plugin_state (
    OheStore *self, const gchar *plugin, const gchar *key, const gchar *value, GError **error);
gchar *
ohe_store_get_cursor (OheStore *self, const gchar *link_id, const gchar *stream, GError **error);
gboolean
ohe_store_set_cursor (
    OheStore *self, const gchar *link_id, const gchar *stream, const gchar *cursor, GError **error);

gboolean
ohe_store_save_job (OheStore *self, OheJob *job, GError **error);
gboolean
ohe_store_delete_job (OheStore *self, const gchar *job_id, GError **error);
GPtrArray *
ohe_store_list_jobs (OheStore *self, GError **error);

gboolean
ohe_store_add_dead_letter (OheStore *self,
			   const gchar *job_id,
			   const gchar *link_id,
			   const gchar *item,
			   const gchar *reason,
			   GError **error);
GPtrArray *
ohe_store_list_dead_letters (OheStore *self, GError **error);

gboolean
ohe_store_add_audit (
    OheStore *self, const gchar *actor, const gchar *action, const gchar *detail, GError **error);
GPtrArray *
ohe_store_list_audit (OheStore *self, guint limit, GError **error);

gboolean
ohe_store_add_job_outcome (OheStore *self,
			   const gchar *job_id,
			   const gchar *link_id,
			   const gchar *kind,
			   const gchar *outcome,
			   guint64 count,
			   GError **error);
gint64
ohe_store_get_job_outcome (
    OheStore *self, const gchar *job_id, const gchar *kind, const gchar *outcome, GError **error);

gchar *
ohe_store_get_user_sync_frequency (OheStore *self, const gchar *user_id, GError **error);
gboolean
ohe_store_set_user_sync_frequency (OheStore *self,
				   const gchar *user_id,
				   const gchar *frequency,
				   GError **error);
gboolean
ohe_store_acquire_lease (OheStore *self,
			 const gchar *name,
			 const gchar *holder,
			 gint64 now_us,
			 gint64 ttl_us,
			 gboolean *held,
			 GError **error);
gboolean
ohe_store_release_lease (OheStore *self, const gchar *name, const gchar *holder, GError **error);
gboolean
ohe_store_get_schedule_mark (
    OheStore *self, const gchar *name, gint64 *value_us, gboolean *found, GError **error);
gboolean
ohe_store_set_schedule_mark (OheStore *self, const gchar *name, gint64 value_us, GError **error);
gboolean
ohe_store_start_backfill (OheStore *self,
			  const OheBackfillProgress *progress,
			  gboolean *started,
			  GError **error);
gboolean
ohe_store_add_backfill_progress (OheStore *self,
				 const gchar *link_id,
				 gint64 window_start_us,
				 guint64 measurements,
				 GError **error);
OheBackfillProgress *
ohe_store_get_backfill_progress (OheStore *self, const gchar *link_id, GError **error);
gboolean
ohe_store_save_policy (OheStore *self, OheOrganisationPolicy *policy, GError **error);
OheOrganisationPolicy *
ohe_store_get_policy (OheStore *self, const gchar *organisation_id, GError **error);
gboolean
ohe_store_set_user_organisation (OheStore *self,
				 const gchar *user_id,
				 const gchar *organisation_id,
				 GError **error);
gboolean
ohe_store_set_user_aggregation (OheStore *self,
				const gchar *user_id,
				const gchar *aggregation,
				GError **error);
gboolean
ohe_store_get_user_shaping (OheStore *self,
			    const gchar *user_id,
			    gchar **organisation_id,
			    gchar **aggregation,
			    GError **error);
OheOrganisationPolicy *
ohe_store_dup_user_policy (OheStore *self,
			   const gchar *user_id,
			   OheAggregationMode *aggregation,
			   GError **error);
gboolean
ohe_store_add_api_token (OheStore *self, OheApiToken *token, const gchar *hash, GError **error);
OheApiToken *
ohe_store_find_api_token (OheStore *self, const gchar *hash, GError **error);
GPtrArray *
ohe_store_list_api_tokens (OheStore *self, GError **error);
gboolean
ohe_store_revoke_api_token (OheStore *self, const gchar *token_id, GError **error);
GPtrArray *
ohe_store_list_users (OheStore *self, GError **error);

G_END_DECLS
