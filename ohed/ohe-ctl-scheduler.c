/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ohe-ctl-scheduler.h"
#include "ohe-ctl-policy.h"
#include "ohe-sync-frequency.h"
#include "ohe-terminal.h"

/*
 * The ohectl commands of the scheduler: feeding the push entry point, a user's sync
 * frequency and backfill progress. ohectl.c checks the argument counts and sets the
 * engine up; these get their arguments after the command name.
 */

static gboolean
ohe_ctl_scheduler_parse_time (const gchar *text, gint64 *out, GError **error)
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

static gchar *
ohe_ctl_scheduler_format_time (gint64 time_us)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
	if (dt == NULL || time_us == 0)
		return g_strdup ("-");
	return g_date_time_format_iso8601 (dt);
}

/* notify PROVIDER PROVIDER-USER-ID [FROM TO] */
gboolean
ohe_ctl_scheduler_notify (OheEngine *engine, gchar **args, GError **error)
{
	g_autoptr(OheSyncHint) hint = NULL;
	g_autofree gchar *external = NULL;
	gint64 start = 0;
	gint64 end = 0;

	if (args[2] != NULL && args[3] == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("a window needs both FROM and TO"));
		return FALSE;
	}
	if (args[2] != NULL && (!ohe_ctl_scheduler_parse_time (args[2], &start, error) ||
				!ohe_ctl_scheduler_parse_time (args[3], &end, error)))
		return FALSE;
	if (args[2] != NULL && end <= start) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("the window end must be after its start"));
		return FALSE;
	}
	hint = ohe_sync_hint_new (args[1], start, end);
	if (!ohe_engine_notify (engine, args[0], hint, error))
		return FALSE;
	external = ohe_terminal_escape (args[1], OHE_TERMINAL_ESCAPE_FIELD);
	g_print (_ ("push for %s account %s queued; jobs waiting: %u\n"), args[0], external,
		 ohe_job_queue_get_depth (ohe_engine_get_queue (engine)));
	return TRUE;
}

/* user-set USER-ID KEY=VALUE… */
gboolean
ohe_ctl_scheduler_user_set (OheEngine *engine, gchar **args, GError **error)
{
	OheStore *store = ohe_engine_get_store (engine);

	for (guint i = 1; args[i] != NULL; i++) {
		g_auto(GStrv) pair = g_strsplit (args[i], "=", 2);
		if (pair[1] == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     _ ("'%s' is not KEY=VALUE"), args[i]);
			return FALSE;
		}
		if (g_strcmp0 (pair[0], "frequency") == 0) {
			if (ohe_sync_frequency_from_string (pair[1]) == OHE_SYNC_FREQUENCY_LAST) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
					     _ ("frequency '%s' is not realtime, hourly or daily"),
					     pair[1]);
				return FALSE;
			}
			if (!ohe_store_set_user_sync_frequency (store, args[0], pair[1], error))
				return FALSE;
			g_print (_ ("user %s syncs %s\n"), args[0], pair[1]);
		} else if (!ohe_ctl_policy_user_set_key (engine, args[0], pair[0], pair[1],
							 error)) {
			/* organisation and aggregation belong to the shaping policy */
			return FALSE;
		}
	}
	return TRUE;
}

static void
ohe_ctl_scheduler_print_progress (OheBackfillProgress *progress)
{
	g_autofree gchar *from = ohe_ctl_scheduler_format_time (progress->window_start_us);
	g_autofree gchar *to = ohe_ctl_scheduler_format_time (progress->window_end_us);
	g_autofree gchar *eta =
	    ohe_ctl_scheduler_format_time (ohe_backfill_progress_get_eta (progress));

	g_print (_ ("%s\t%s → %s\twindows %u/%u\tmeasurements %" G_GUINT64_FORMAT "\t%s %s\n"),
		 progress->link_id, from, to, progress->windows_done, progress->windows_total,
		 progress->measurements,
		 ohe_backfill_progress_is_done (progress) ? _ ("done") : _ ("eta"), eta);
}

/* backfill [LINK-ID] */
gboolean
ohe_ctl_scheduler_backfill (OheEngine *engine, gchar **args, GError **error)
{
	OheStore *store = ohe_engine_get_store (engine);
	g_autoptr(GPtrArray) links = NULL;

	if (args[0] != NULL) {
		g_autoptr(OheBackfillProgress) progress =
			       ohe_store_get_backfill_progress (store, args[0], error);
		if (progress == NULL)
			return FALSE;
		ohe_ctl_scheduler_print_progress (progress);
		return TRUE;
	}
	links = ohe_store_list_links (store, NULL, error);
	if (links == NULL)
		return FALSE;
	for (guint i = 0; i < links->len; i++) {
		OheLink *link = g_ptr_array_index (links, i);
		g_autoptr(GError) error_local = NULL;
		g_autoptr(OheBackfillProgress) progress = ohe_store_get_backfill_progress (
		    store, ohe_link_get_id (link), &error_local);
		if (progress != NULL) {
			ohe_ctl_scheduler_print_progress (progress);
		} else if (!g_error_matches (error_local, OHE_ERROR, OHE_ERROR_NOT_FOUND)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
	}
	return TRUE;
}
