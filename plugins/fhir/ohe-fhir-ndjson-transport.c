/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ohe-fhir-ndjson-transport.h"

/*
 * FHIR bulk-data style output: one NDJSON file per resource type, one
 * resource per line, partitioned by the UTC day of the measurement:
 *
 *   <output_dir>/<YYYY-MM-DD>/Observation.ndjson
 *
 * A push rewrites each file it touches: old lines are read, a line whose
 * resource id comes again is replaced (so a replayed batch or a growing daily
 * total does not add a line), new ids are appended, and the result goes to
 * a hidden temporary file that is fsynced and renamed over the old one.
 * Readers see the old or the new file, never a partial one. Partitioning by
 * the measurement's day keeps the files a push rewrites small and makes a
 * replay of the same window land in the same files.
 */

struct _OheFhirNdjsonTransport {
	GObject parent_instance;
	gchar *output_dir; /* owned */
	GMutex mutex;	   /* one writer at a time per file set */
};

G_DEFINE_TYPE (OheFhirNdjsonTransport, ohe_fhir_ndjson_transport, G_TYPE_OBJECT)

static void
ohe_fhir_ndjson_transport_finalize (GObject *object)
{
	OheFhirNdjsonTransport *self = OHE_FHIR_NDJSON_TRANSPORT (object);
	g_free (self->output_dir);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_fhir_ndjson_transport_parent_class)->finalize (object);
}

static void
ohe_fhir_ndjson_transport_class_init (OheFhirNdjsonTransportClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_ndjson_transport_finalize;
}

static void
ohe_fhir_ndjson_transport_init (OheFhirNdjsonTransport *self)
{
	g_mutex_init (&self->mutex);
}

OheFhirNdjsonTransport *
ohe_fhir_ndjson_transport_new (const gchar *output_dir)
{
	OheFhirNdjsonTransport *self = g_object_new (OHE_TYPE_FHIR_NDJSON_TRANSPORT, NULL);
	self->output_dir = g_strdup (output_dir);
	return self;
}

const gchar *
ohe_fhir_ndjson_transport_get_output_dir (OheFhirNdjsonTransport *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_NDJSON_TRANSPORT (self), NULL);
	return self->output_dir;
}

static gchar *
ohe_fhir_ndjson_dup_partition (OheFhirEntry *entry)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (entry->time_us / G_USEC_PER_SEC);
	if (dt == NULL)
		return g_strdup ("undated");
	return g_date_time_format (dt, "%Y-%m-%d");
}

/* JSON whitespace outside strings is the only place a raw newline can be */
static gchar *
ohe_fhir_ndjson_dup_line (GString *json)
{
	GString *line = g_string_sized_new (json->len + 1);
	for (gsize i = 0; i < json->len; i++) {
		if (json->str[i] != '\n' && json->str[i] != '\r')
			g_string_append_c (line, json->str[i]);
	}
	return g_string_free (line, FALSE);
}

static gchar *
ohe_fhir_ndjson_dup_line_id (const gchar *line)
{
	g_autoptr(JsonNode) root = ohe_json_parse (line, -1, "NDJSON line", NULL, NULL);
	JsonNode *id;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return NULL;
	id = json_object_get_member (json_node_get_object (root), "id");
	if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) ||
	    json_node_get_value_type (id) != G_TYPE_STRING)
		return NULL;
	return g_strdup (json_node_get_string (id));
}

static gboolean
ohe_fhir_ndjson_write_atomic (const gchar *path, GString *contents, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname (path);
	g_autofree gchar *base = g_path_get_basename (path);
	g_autofree gchar *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
	gsize written = 0;
	gint fd;
	gint dfd;

	fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
			     "cannot create a file in %s: %s", dir, g_strerror (errno));
		return FALSE;
	}
	while (written < contents->len) {
		gssize n = write (fd, contents->str + written, contents->len - written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		written += (gsize)n;
	}
	if (written < contents->len || fsync (fd) != 0 || close (fd) != 0) {
		gint saved = errno;
		if (written < contents->len)
			close (fd);
		g_unlink (tmp);
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot write %s: %s", path,
			     g_strerror (saved));
		return FALSE;
	}
	if (g_rename (tmp, path) != 0) {
		gint saved = errno;
		g_unlink (tmp);
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot rename into %s: %s",
			     path, g_strerror (saved));
		return FALSE;
	}
	/* the rename itself is durable only once the directory is */
	dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync (dfd);
		close (dfd);
	}
	return TRUE;
}

/* merges the entries at @indices (all of one type and day) into @path */
static gboolean
ohe_fhir_ndjson_merge_file (const gchar *path,
			    GPtrArray *entries,
			    GPtrArray *indices,
			    GError **error)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GHashTable) by_id =
		       g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GString) contents = g_string_new (NULL);
	g_autofree gchar *old = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!g_file_get_contents (path, &old, NULL, &error_local) &&
	    !g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot read %s: %s", path,
			     error_local->message);
		return FALSE;
	}
	if (old != NULL) {
		/* the array only: its strings move into @lines or are freed here */
		g_autofree gchar **old_lines = g_strsplit (old, "\n", -1);
		for (guint i = 0; old_lines[i] != NULL; i++) {
			gchar *id;
			if (old_lines[i][0] == '\0') {
				g_free (old_lines[i]);
				continue;
			}
			/* a line we cannot read is kept as it is */
			id = ohe_fhir_ndjson_dup_line_id (old_lines[i]);
			if (id != NULL)
				g_hash_table_replace (by_id, id, GUINT_TO_POINTER (lines->len));
			g_ptr_array_add (lines, old_lines[i]);
		}
	}
	for (guint i = 0; i < indices->len; i++) {
		OheFhirEntry *entry =
		    g_ptr_array_index (entries, GPOINTER_TO_UINT (g_ptr_array_index (indices, i)));
		gpointer pos;
		if (g_hash_table_lookup_extended (by_id, entry->id, NULL, &pos)) {
			g_free (lines->pdata[GPOINTER_TO_UINT (pos)]);
			lines->pdata[GPOINTER_TO_UINT (pos)] =
			    ohe_fhir_ndjson_dup_line (entry->json);
			continue;
		}
		g_hash_table_replace (by_id, g_strdup (entry->id), GUINT_TO_POINTER (lines->len));
		g_ptr_array_add (lines, ohe_fhir_ndjson_dup_line (entry->json));
	}
	for (guint i = 0; i < lines->len; i++) {
		g_string_append (contents, g_ptr_array_index (lines, i));
		g_string_append_c (contents, '\n');
	}
	return ohe_fhir_ndjson_write_atomic (path, contents, error);
}

/**
 * ohe_fhir_ndjson_transport_push:
 * @entries: deduplicated entries
 * @request: receives %OHE_PUSH_OUTCOME_WRITTEN for every measurement whose
 *   files were renamed into place
 *
 * Returns: %FALSE if no file could be written
 */
gboolean
ohe_fhir_ndjson_transport_push (OheFhirNdjsonTransport *self,
				GPtrArray *entries,
				OhePushRequest *request,
				GCancellable *cancellable,
				GError **error)
{
	g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
							      (GDestroyNotify)g_ptr_array_unref);
	g_autofree OheFhirEntryResult *results = g_new0 (OheFhirEntryResult, entries->len);
	g_autoptr(GList) paths = NULL;
	g_autoptr(GError) error_local = NULL;
	gboolean written = FALSE;

	g_return_val_if_fail (OHE_IS_FHIR_NDJSON_TRANSPORT (self), FALSE);

	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		g_autofree gchar *day = ohe_fhir_ndjson_dup_partition (entry);
		g_autofree gchar *name = g_strdup_printf ("%s.ndjson", entry->resource_type);
		g_autofree gchar *path = g_build_filename (self->output_dir, day, name, NULL);
		GPtrArray *list = g_hash_table_lookup (files, path);
		if (list == NULL) {
			list = g_ptr_array_new ();
			g_hash_table_insert (files, g_steal_pointer (&path), list);
		}
		g_ptr_array_add (list, GUINT_TO_POINTER (i));
	}
	/* a stable order, so the same failure leaves the same files behind */
	paths = g_list_sort (g_hash_table_get_keys (files), (GCompareFunc)g_strcmp0);

	g_mutex_lock (&self->mutex);
	for (GList *l = paths; l != NULL && error_local == NULL; l = l->next) {
		GPtrArray *list = g_hash_table_lookup (files, l->data);
		g_autofree gchar *dir = g_path_get_dirname (l->data);
		if (g_cancellable_set_error_if_cancelled (cancellable, &error_local))
			break;
		if (g_mkdir_with_parents (dir, 0755) != 0) {
			g_set_error (&error_local, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
				     "cannot create %s: %s", dir, g_strerror (errno));
			break;
		}
		if (!ohe_fhir_ndjson_merge_file (l->data, entries, list, &error_local))
			break;
		written = TRUE;
		for (guint i = 0; i < list->len; i++)
			results[GPOINTER_TO_UINT (g_ptr_array_index (list, i))].status =
			    SOUP_STATUS_OK;
	}
	g_mutex_unlock (&self->mutex);

	if (error_local != NULL && !written) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	for (guint i = 0; i < entries->len; i++) {
		if (results[i].status == 0)
			results[i].detail = g_strdup (error_local->message);
	}
	ohe_fhir_entry_results_apply (entries, results, request);
	for (guint i = 0; i < entries->len; i++)
		ohe_fhir_entry_result_clear (&results[i]);
	return TRUE;
}

gboolean
ohe_fhir_ndjson_transport_check_health (OheFhirNdjsonTransport *self, GError **error)
{
	g_autofree gchar *probe = NULL;
	gint fd;

	g_return_val_if_fail (OHE_IS_FHIR_NDJSON_TRANSPORT (self), FALSE);

	if (g_mkdir_with_parents (self->output_dir, 0755) != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "cannot create %s: %s",
			     self->output_dir, g_strerror (errno));
		return FALSE;
	}
	/* access() would ignore read-only mounts; really create a file */
	probe = g_build_filename (self->output_dir, ".health.XXXXXX", NULL);
	fd = g_mkstemp (probe);
	if (fd < 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE, "%s is not writable: %s",
			     self->output_dir, g_strerror (errno));
		return FALSE;
	}
	close (fd);
	g_unlink (probe);
	return TRUE;
}
