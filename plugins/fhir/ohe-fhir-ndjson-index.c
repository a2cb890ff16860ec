/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ohe-fhir-ndjson-index.h"
#include "ohe-fhir-ndjson-line.h"

/*
 * The index of one NDJSON folder: which segment holds each resource id, and
 * how many lines each segment has. It is an append-only log, `.index`:
 *
 *   I <64-bit fingerprint of "Type/id", hex> <segment>
 *   S <Type> <segment> <lines>
 *
 * kept in memory between pushes, so a push costs a lookup per id and an
 * append of its own records, never a pass over the folder; a process
 * catches up with what another appended since (the tail of the file) under
 * an exclusive flock() held for the whole push. It holds fingerprints and
 * file names only, never a resource.
 *
 * A fingerprint that collides is harmless: the writer then looks for the id
 * in a segment that lacks it and appends it there. Records are appended and
 * fsynced before the segment files they describe are renamed into place; a
 * crash in between leaves records for lines that are not there yet, which the
 * writer tolerates the same way (a segment file that is missing reads as
 * empty, an id its segment lacks is written again). A record cut short by a
 * crash is cut off by the next writer.
 */

struct _OheFhirNdjsonIndex {
	gchar *display;	   /* owned, the log's path for messages */
	GHashTable *ids;   /* fingerprint → segment */
	GHashTable *types; /* type → GArray of guint lines, segment n at n - 1 */
	GString *pending;  /* records of the open transaction */
	gint fd;	   /* the locked log during a transaction, else -1 */
	dev_t dev;
	ino_t ino;
	goffset loaded; /* bytes of the log applied */
	gboolean stale; /* a rolled back transaction changed the maps */
};

OheFhirNdjsonIndex *
ohe_fhir_ndjson_index_new (const gchar *display)
{
	OheFhirNdjsonIndex *self = g_new0 (OheFhirNdjsonIndex, 1);
	self->display = g_strdup (display);
	self->ids = g_hash_table_new (g_direct_hash, g_direct_equal);
	self->types =
	    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
	self->pending = g_string_new (NULL);
	self->fd = -1;
	return self;
}

void
ohe_fhir_ndjson_index_free (OheFhirNdjsonIndex *self)
{
	if (self == NULL)
		return;
	ohe_fhir_ndjson_index_rollback (self);
	g_hash_table_unref (self->ids);
	g_hash_table_unref (self->types);
	g_string_free (self->pending, TRUE);
	g_free (self->display);
	g_free (self);
}

/* ids known: what the index costs in memory */
guint
ohe_fhir_ndjson_index_get_size (OheFhirNdjsonIndex *self)
{
	return g_hash_table_size (self->ids);
}

static guint64
ohe_fhir_ndjson_fingerprint (const gchar *resource_type, const gchar *id)
{
	g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof digest;
	guint64 fp = 0;

	g_checksum_update (sha, (const guchar *)resource_type, -1);
	g_checksum_update (sha, (const guchar *)"/", 1);
	g_checksum_update (sha, (const guchar *)id, -1);
	g_checksum_get_digest (sha, digest, &len);
	for (guint i = 0; i < 8; i++)
		fp = (fp << 8) | digest[i];
	return fp;
}

/* a pointer-sized key, never NULL (a narrower pointer only collides more) */
static gpointer
ohe_fhir_ndjson_fingerprint_key (guint64 fp)
{
	return GSIZE_TO_POINTER ((gsize)fp | 1);
}

static GArray *
ohe_fhir_ndjson_index_get_type_segments (OheFhirNdjsonIndex *self,
					 const gchar *resource_type,
					 gboolean create)
{
	GArray *segments = g_hash_table_lookup (self->types, resource_type);
	if (segments == NULL && create) {
		segments = g_array_new (FALSE, TRUE, sizeof (guint));
		g_hash_table_insert (self->types, g_strdup (resource_type), segments);
	}
	return segments;
}

static void
ohe_fhir_ndjson_index_apply_segment (OheFhirNdjsonIndex *self,
				     const gchar *resource_type,
				     guint segment,
				     guint lines)
{
	GArray *segments = ohe_fhir_ndjson_index_get_type_segments (self, resource_type, TRUE);
	if (segments->len < segment)
		g_array_set_size (segments, segment);
	g_array_index (segments, guint, segment - 1) = lines;
}

/* one record; a malformed one (not ours) is skipped */
static void
ohe_fhir_ndjson_index_apply (OheFhirNdjsonIndex *self, gchar *line)
{
	g_auto(GStrv) fields = g_strsplit (line, " ", 5);
	guint64 fp;
	guint64 segment;
	guint64 lines;

	if (g_strv_length (fields) == 3 && g_str_equal (fields[0], "I") &&
	    g_ascii_string_to_unsigned (fields[1], 16, 0, G_MAXUINT64, &fp, NULL) &&
	    g_ascii_string_to_unsigned (fields[2], 10, 1, G_MAXUINT32, &segment, NULL)) {
		g_hash_table_insert (self->ids, ohe_fhir_ndjson_fingerprint_key (fp),
				     GUINT_TO_POINTER ((guint)segment));
	} else if (g_strv_length (fields) == 4 && g_str_equal (fields[0], "S") &&
		   ohe_fhir_ndjson_is_type_name (fields[1]) &&
		   g_ascii_string_to_unsigned (fields[2], 10, 1, 1000000, &segment, NULL) &&
		   g_ascii_string_to_unsigned (fields[3], 10, 0, G_MAXUINT32, &lines, NULL)) {
		ohe_fhir_ndjson_index_apply_segment (self, fields[1], (guint)segment, (guint)lines);
	}
}

/* applies what was appended since the last load; cuts a torn last record */
static gboolean
ohe_fhir_ndjson_index_catch_up (OheFhirNdjsonIndex *self, goffset size, GError **error)
{
	g_autoptr(GString) buf = g_string_sized_new ((gsize)(size - self->loaded) + 1);
	goffset pos = self->loaded;
	gsize start = 0;

	while (pos < size) {
		gchar chunk[65536];
		gssize n = pread (self->fd, chunk, MIN ((goffset)sizeof chunk, size - pos), pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot read %s: %s",
				     self->display, n < 0 ? g_strerror (errno) : "cut short");
			return FALSE;
		}
		g_string_append_len (buf, chunk, n);
		pos += n;
	}
	for (gsize i = 0; i < buf->len; i++) {
		if (buf->str[i] != '\n')
			continue;
		buf->str[i] = '\0';
		ohe_fhir_ndjson_index_apply (self, buf->str + start);
		start = i + 1;
	}
	self->loaded += (goffset)start;
	if (start < buf->len && ftruncate (self->fd, self->loaded) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot repair %s: %s",
			     self->display, g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

/**
 * ohe_fhir_ndjson_index_begin:
 * @dir_fd: the folder
 *
 * Opens and locks the folder's log and catches up with it.
 */
gboolean
ohe_fhir_ndjson_index_begin (OheFhirNdjsonIndex *self,
			     gint dir_fd,
			     const OheFhirNdjsonPerms *perms,
			     GError **error)
{
	struct stat st;

	g_return_val_if_fail (self->fd < 0, FALSE);
	self->fd = ohe_fhir_ndjson_open_private_file (dir_fd, OHE_FHIR_NDJSON_INDEX_NAME,
						      self->display, perms, error);
	if (self->fd < 0)
		return FALSE;
	while (flock (self->fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot lock %s: %s",
				     self->display, g_strerror (errno));
			ohe_fhir_ndjson_index_rollback (self);
			return FALSE;
		}
	}
	if (fstat (self->fd, &st) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot stat %s: %s",
			     self->display, g_strerror (errno));
		ohe_fhir_ndjson_index_rollback (self);
		return FALSE;
	}
	/* another file, a shorter one or our own failed changes: read it all again */
	if (self->stale || st.st_dev != self->dev || st.st_ino != self->ino ||
	    st.st_size < self->loaded) {
		g_hash_table_remove_all (self->ids);
		g_hash_table_remove_all (self->types);
		self->loaded = 0;
		self->stale = FALSE;
		self->dev = st.st_dev;
		self->ino = st.st_ino;
	}
	if (!ohe_fhir_ndjson_index_catch_up (self, st.st_size, error)) {
		self->stale = TRUE;
		ohe_fhir_ndjson_index_rollback (self);
		return FALSE;
	}
	g_string_truncate (self->pending, 0);
	return TRUE;
}

/* appends and fsyncs the transaction's records, then unlocks */
gboolean
ohe_fhir_ndjson_index_commit (OheFhirNdjsonIndex *self, GError **error)
{
	gsize written = 0;

	g_return_val_if_fail (self->fd >= 0, FALSE);
	while (written < self->pending->len) {
		gssize n =
		    write (self->fd, self->pending->str + written, self->pending->len - written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		written += (gsize)n;
	}
	if (written < self->pending->len || fsync (self->fd) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot write %s: %s",
			     self->display, g_strerror (errno));
		/* the maps hold records the file may lack: read it again next time */
		self->stale = TRUE;
		ohe_fhir_ndjson_index_rollback (self);
		return FALSE;
	}
	self->loaded += (goffset)written;
	g_string_truncate (self->pending, 0);
	close (self->fd);
	self->fd = -1;
	return TRUE;
}

/* unlocks; changes made since begin are forgotten (the next begin reloads) */
void
ohe_fhir_ndjson_index_rollback (OheFhirNdjsonIndex *self)
{
	if (self->pending->len > 0)
		self->stale = TRUE;
	g_string_truncate (self->pending, 0);
	if (self->fd >= 0)
		close (self->fd);
	self->fd = -1;
}

/* Returns: the segment that holds the id, 0 if none */
guint
ohe_fhir_ndjson_index_lookup (OheFhirNdjsonIndex *self, const gchar *resource_type, const gchar *id)
{
	guint64 fp = ohe_fhir_ndjson_fingerprint (resource_type, id);
	return GPOINTER_TO_UINT (
	    g_hash_table_lookup (self->ids, ohe_fhir_ndjson_fingerprint_key (fp)));
}

void
ohe_fhir_ndjson_index_put (OheFhirNdjsonIndex *self,
			   const gchar *resource_type,
			   const gchar *id,
			   guint segment)
{
	guint64 fp = ohe_fhir_ndjson_fingerprint (resource_type, id);
	gpointer key = ohe_fhir_ndjson_fingerprint_key (fp);

	if (GPOINTER_TO_UINT (g_hash_table_lookup (self->ids, key)) == segment)
		return;
	g_hash_table_insert (self->ids, key, GUINT_TO_POINTER (segment));
	g_string_append_printf (self->pending, "I %016" G_GINT64_MODIFIER "x %u\n", fp, segment);
}

/* Returns: the type's last segment, 0 if it has none */
guint
ohe_fhir_ndjson_index_get_last_segment (OheFhirNdjsonIndex *self,
					const gchar *resource_type,
					guint *lines)
{
	GArray *segments = ohe_fhir_ndjson_index_get_type_segments (self, resource_type, FALSE);
	if (segments == NULL || segments->len == 0) {
		*lines = 0;
		return 0;
	}
	*lines = g_array_index (segments, guint, segments->len - 1);
	return segments->len;
}

void
ohe_fhir_ndjson_index_set_segment (OheFhirNdjsonIndex *self,
				   const gchar *resource_type,
				   guint segment,
				   guint lines)
{
	ohe_fhir_ndjson_index_apply_segment (self, resource_type, segment, lines);
	g_string_append_printf (self->pending, "S %s %u %u\n", resource_type, segment, lines);
}

static gint
ohe_fhir_ndjson_compare_types (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* every segment with lines, by type and number */
void
ohe_fhir_ndjson_index_foreach_segment (OheFhirNdjsonIndex *self,
				       OheFhirNdjsonSegmentFunc func,
				       gpointer user_data)
{
	g_autofree gpointer *types = g_hash_table_get_keys_as_array (self->types, NULL);
	guint n_types = g_hash_table_size (self->types);

	qsort (types, n_types, sizeof (gpointer), ohe_fhir_ndjson_compare_types);
	for (guint i = 0; i < n_types; i++) {
		GArray *segments = g_hash_table_lookup (self->types, types[i]);
		for (guint n = 1; n <= segments->len; n++)
			func (types[i], n, g_array_index (segments, guint, n - 1), user_data);
	}
}
