/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ohe-error.h"
#include "ohe-private-file.h"

/**
 * ohe_private_file_check:
 * @path: a file holding a secret: a key, a client secret, a token, the store
 * @what: what it is, for the error (`token key`, `client_secret_file`)
 * @error: a #GError, or %NULL
 *
 * Refuses a secret file that group or others may read or write, as ssh
 * refuses such a private key: a secret others could read is no longer one.
 *
 * Returns: %TRUE if only the owner has access to @path, else %FALSE with
 * %OHE_ERROR_PERMISSION_DENIED naming the file, its mode and the fix
 * (%OHE_ERROR_NOT_FOUND when it cannot be checked)
 *
 * Since: 0.1
 */
gboolean
ohe_private_file_check (const gchar *path, const gchar *what, GError **error)
{
	GStatBuf st;

	g_return_val_if_fail (path != NULL, FALSE);
	if (what == NULL)
		what = "secret file";
	if (g_stat (path, &st) != 0) {
		gint saved = errno;
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "%s %s: %s", what, path,
			     g_strerror (saved));
		return FALSE;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "%s %s is accessible by group or others (mode %04o); run chmod 600 %s",
			     what, path, (guint)(st.st_mode & 07777), path);
		return FALSE;
	}
	return TRUE;
}
