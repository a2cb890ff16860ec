/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ohe-fhir-ndjson-fs.h"

/*
 * The NDJSON transport's file system access. Everything below the output
 * directory is reached with openat() from an already checked directory and
 * O_NOFOLLOW, so a symbolic link planted in the output tree is refused
 * instead of followed; every existing directory or file must belong to the
 * daemon's user, files must be regular with a single link (a hard link to
 * another file would be read and copied like a symbolic link). Modes are set
 * with fchmod() after creation: the umask never widens them.
 */

void
ohe_fhir_ndjson_perms_init (OheFhirNdjsonPerms *perms, gid_t gid)
{
	perms->gid = gid;
	perms->dir_mode = gid == (gid_t)-1 ? 0700 : 0750;
	perms->file_mode = gid == (gid_t)-1 ? 0600 : 0640;
}

static gboolean
ohe_fhir_ndjson_check_owner (const struct stat *st, const gchar *display, GError **error)
{
	if (st->st_uid != geteuid ()) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "refusing %s: it belongs to uid %u, not to the daemon's user (uid %u)",
			     display, (guint)st->st_uid, (guint)geteuid ());
		return FALSE;
	}
	return TRUE;
}

/* the mode and group of a directory or file we own, whatever it had before */
static gboolean
ohe_fhir_ndjson_apply_perms (gint fd,
			     const struct stat *st,
			     mode_t mode,
			     const OheFhirNdjsonPerms *perms,
			     const gchar *display,
			     GError **error)
{
	if (perms->gid != (gid_t)-1 && st->st_gid != perms->gid &&
	    fchown (fd, (uid_t)-1, perms->gid) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "cannot give %s to group %u: %s", display, (guint)perms->gid,
			     g_strerror (errno));
		return FALSE;
	}
	if ((st->st_mode & 07777) != mode && fchmod (fd, mode) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "cannot set the mode of %s to %04o: %s", display, (guint)mode,
			     g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

static gint
ohe_fhir_ndjson_check_dir_fd (gint fd,
			      const gchar *display,
			      const OheFhirNdjsonPerms *perms,
			      GError **error)
{
	struct stat st;

	if (fstat (fd, &st) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot stat %s: %s", display,
			     g_strerror (errno));
		close (fd);
		return -1;
	}
	if (!ohe_fhir_ndjson_check_owner (&st, display, error) ||
	    !ohe_fhir_ndjson_apply_perms (fd, &st, perms->dir_mode, perms, display, error)) {
		close (fd);
		return -1;
	}
	return fd;
}

static void
ohe_fhir_ndjson_set_open_error (GError **error, const gchar *display, gint err, gboolean is_dir)
{
	if (err == ELOOP || (is_dir && err == ENOTDIR)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "refusing %s: it is a symbolic link or not a %s", display,
			     is_dir ? "directory" : "regular file");
		return;
	}
	g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot open %s: %s", display,
		     g_strerror (err));
}

/**
 * ohe_fhir_ndjson_open_root:
 *
 * Creates @path (and missing parents, 0700) and opens it as the output root;
 * the root itself gets the output directory mode.
 *
 * Returns: a directory descriptor, or -1 with @error set
 */
gint
ohe_fhir_ndjson_open_root (const gchar *path, const OheFhirNdjsonPerms *perms, GError **error)
{
	gint fd;

	if (g_mkdir_with_parents (path, 0700) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot create %s: %s", path,
			     g_strerror (errno));
		return -1;
	}
	fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ohe_fhir_ndjson_set_open_error (error, path, errno, TRUE);
		return -1;
	}
	return ohe_fhir_ndjson_check_dir_fd (fd, path, perms, error);
}

/**
 * ohe_fhir_ndjson_open_dir:
 * @name: one path component below @parent_fd
 * @display: the path for messages
 * @created: (out): whether the directory was created, so its parent needs a sync
 *
 * Creates the directory if needed and opens it without following a link.
 *
 * Returns: a directory descriptor, or -1 with @error set
 */
gint
ohe_fhir_ndjson_open_dir (gint parent_fd,
			  const gchar *name,
			  const gchar *display,
			  const OheFhirNdjsonPerms *perms,
			  gboolean *created,
			  GError **error)
{
	gint fd;

	*created = mkdirat (parent_fd, name, perms->dir_mode) == 0;
	if (!*created && errno != EEXIST) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot create %s: %s",
			     display, g_strerror (errno));
		return -1;
	}
	fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ohe_fhir_ndjson_set_open_error (error, display, errno, TRUE);
		return -1;
	}
	return ohe_fhir_ndjson_check_dir_fd (fd, display, perms, error);
}

/* an existing file we may read or replace: regular, ours, one link */
static gboolean
ohe_fhir_ndjson_check_file_fd (gint fd, struct stat *st, const gchar *display, GError **error)
{
	if (fstat (fd, st) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot stat %s: %s", display,
			     g_strerror (errno));
		return FALSE;
	}
	if (!S_ISREG (st->st_mode)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "refusing %s: it is not a regular file", display);
		return FALSE;
	}
	if (!ohe_fhir_ndjson_check_owner (st, display, error))
		return FALSE;
	if (st->st_nlink != 1) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
			     "refusing %s: it has %u hard links", display, (guint)st->st_nlink);
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_fhir_ndjson_read_file:
 * @contents: (out): the file's bytes, or %NULL if it does not exist
 *
 * Returns: %FALSE if the file exists but may not or cannot be read
 */
gboolean
ohe_fhir_ndjson_read_file (gint dir_fd,
			   const gchar *name,
			   const gchar *display,
			   gsize max_size,
			   GString **contents,
			   GError **error)
{
	g_autoptr(GString) buf = NULL;
	struct stat st;
	gint fd;

	*contents = NULL;
	/* O_NONBLOCK: a FIFO planted in the folder does not hang the push */
	fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return TRUE;
	if (fd < 0) {
		ohe_fhir_ndjson_set_open_error (error, display, errno, FALSE);
		return FALSE;
	}
	if (!ohe_fhir_ndjson_check_file_fd (fd, &st, display, error)) {
		close (fd);
		return FALSE;
	}
	if ((guint64)st.st_size > max_size) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "refusing %s: %" G_GUINT64_FORMAT " bytes, more than %" G_GSIZE_FORMAT,
			     display, (guint64)st.st_size, max_size);
		close (fd);
		return FALSE;
	}
	buf = g_string_sized_new ((gsize)st.st_size + 1);
	for (;;) {
		gchar chunk[65536];
		gssize n = read (fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot read %s: %s",
				     display, g_strerror (errno));
			close (fd);
			return FALSE;
		}
		if (n == 0)
			break;
		if (buf->len + (gsize)n > max_size) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "refusing %s: more than %" G_GSIZE_FORMAT " bytes", display,
				     max_size);
			close (fd);
			return FALSE;
		}
		g_string_append_len (buf, chunk, n);
	}
	close (fd);
	*contents = g_steal_pointer (&buf);
	return TRUE;
}

/**
 * ohe_fhir_ndjson_open_private_file:
 *
 * Opens @name for appending, creating it if it is missing; checks it like a
 * file to read and gives it the output file mode.
 *
 * Returns: a descriptor, or -1 with @error set
 */
gint
ohe_fhir_ndjson_open_private_file (gint dir_fd,
				   const gchar *name,
				   const gchar *display,
				   const OheFhirNdjsonPerms *perms,
				   GError **error)
{
	struct stat st;
	gint fd =
	    openat (dir_fd, name, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    perms->file_mode);

	if (fd < 0) {
		ohe_fhir_ndjson_set_open_error (error, display, errno, FALSE);
		return -1;
	}
	if (!ohe_fhir_ndjson_check_file_fd (fd, &st, display, error) ||
	    !ohe_fhir_ndjson_apply_perms (fd, &st, perms->file_mode, perms, display, error)) {
		close (fd);
		return -1;
	}
	return fd;
}

static gboolean
ohe_fhir_ndjson_write_all (gint fd, const GString *contents)
{
	gsize written = 0;
	while (written < contents->len) {
		gssize n = write (fd, contents->str + written, contents->len - written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		written += (gsize)n;
	}
	return TRUE;
}

/**
 * ohe_fhir_ndjson_write_temp:
 *
 * Writes @contents to a new hidden file `.<name>.XXXXXX` next to @name with
 * the output file mode, and fsyncs it.
 *
 * Returns: (transfer full): the temporary file's name, or %NULL with @error
 */
gchar *
ohe_fhir_ndjson_write_temp (gint dir_fd,
			    const gchar *name,
			    const gchar *display,
			    const GString *contents,
			    const OheFhirNdjsonPerms *perms,
			    GError **error)
{
	g_autofree gchar *tmp = NULL;
	struct stat st;
	gint fd = -1;

	for (guint attempt = 0; attempt < 100 && fd < 0; attempt++) {
		g_free (tmp);
		tmp = g_strdup_printf (".%s.%08x", name, g_random_int ());
		fd = openat (dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     perms->file_mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
			     "cannot create a temporary file for %s: %s", display,
			     g_strerror (errno));
		return NULL;
	}
	if (fstat (fd, &st) != 0 ||
	    !ohe_fhir_ndjson_apply_perms (fd, &st, perms->file_mode, perms, display, error) ||
	    !ohe_fhir_ndjson_write_all (fd, contents) || fsync (fd) != 0) {
		gint saved = errno;
		close (fd);
		unlinkat (dir_fd, tmp, 0);
		if (error != NULL && *error == NULL)
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot write %s: %s",
				     display, g_strerror (saved));
		return NULL;
	}
	if (close (fd) != 0) {
		gint saved = errno;
		unlinkat (dir_fd, tmp, 0);
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot write %s: %s",
			     display, g_strerror (saved));
		return NULL;
	}
	return g_steal_pointer (&tmp);
}

/* renames @tmp over @name; a link planted at @name is replaced, not followed */
gboolean
ohe_fhir_ndjson_commit_temp (
    gint dir_fd, const gchar *tmp, const gchar *name, const gchar *display, GError **error)
{
	if (renameat (dir_fd, tmp, dir_fd, name) != 0) {
		gint saved = errno;
		unlinkat (dir_fd, tmp, 0);
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot rename into %s: %s",
			     display, g_strerror (saved));
		return FALSE;
	}
	return TRUE;
}

/* renames and new entries are durable only once their directory is */
gboolean
ohe_fhir_ndjson_sync_dir (gint dir_fd, const gchar *display, GError **error)
{
	if (fsync (dir_fd) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot sync %s: %s", display,
			     g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

gboolean
ohe_fhir_ndjson_file_exists (gint dir_fd, const gchar *name)
{
	struct stat st;
	return fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}
