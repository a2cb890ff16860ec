/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/*
 * OheWithingsSyncHint:
 *
 * What a notification says: which user, which data family, which window.
 * It is only a hint; data always comes from an authenticated fetch.
 */
typedef struct {
	gchar *userid; /* owned */
	gint appli;
	GArray *kinds;	  /* owned, element-type OheMeasurementKind; empty for appli 46 */
	gint64 startdate; /* epoch s, 0 when absent */
	gint64 enddate;	  /* epoch s, 0 when absent */
	gchar *action;	  /* owned, nullable: appli 46 delete/unlink/update */
} OheWithingsSyncHint;

/* the query parameter of the callback URL that carries the callback secret */
#define OHE_WITHINGS_WEBHOOK_TOKEN_PARAM "hook_token"

void
ohe_withings_sync_hint_free (OheWithingsSyncHint *hint);
OheWithingsSyncHint *
ohe_withings_webhook_parse (const gchar *body, gsize len, GError **error);
guint
ohe_withings_webhook_status_for_method (const gchar *method);
gchar *
ohe_withings_webhook_url_with_token (const gchar *url, const gchar *token);
gchar *
ohe_withings_webhook_url_strip_token (const gchar *url);
gboolean
ohe_withings_webhook_token_equal (const gchar *expected, const gchar *given);
gchar *
ohe_withings_webhook_build (const gchar *userid, gint appli, gint64 startdate, gint64 enddate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheWithingsSyncHint, ohe_withings_sync_hint_free)

G_END_DECLS
