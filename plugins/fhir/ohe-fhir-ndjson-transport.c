/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "ohe-fhir-ndjson-folder.h"
#include "ohe-fhir-ndjson-fs.h"
#include "ohe-fhir-ndjson-index.h"
#include "ohe-fhir-ndjson-line.h"
#include "ohe-fhir-ndjson-transport.h"

/*
 * FHIR bulk-data style output, one folder per UTC day of the measurement and
 * patient, each a complete bulk-data export of its own:
 *
 *   <output_dir>/<YYYY-MM-DD>/<patient>/Observation.<n>.ndjson
 *   <output_dir>/<YYYY-MM-DD>/<patient>/manifest.json
 *   <output_dir>/<YYYY-MM-DD>/<patient>/.index
 *
 * ohe-fhir-ndjson-folder.c writes one folder: a push touches the segments
 * that hold the ids it writes and the last segment of each type, never the
 * rest of the day, so its cost follows what it writes. Directories are 0700
 * and files 0600 (0750/0640 with a group), reached without following links
 * (ohe-fhir-ndjson-fs.c). The indexes of the folders pushed to last stay in
 * memory (at most OHE_FHIR_NDJSON_CACHED folders or OHE_FHIR_NDJSON_CACHED_IDS
 * ids); another folder's is read from its file when a push needs it.
 */

#define OHE_FHIR_NDJSON_CACHED	   16
#define OHE_FHIR_NDJSON_CACHED_IDS 4000000

struct _OheFhirNdjsonTransport {
	GObject parent_instance;
	gchar *output_dir; /* owned */
	OheFhirNdjsonPerms perms;
	GMutex mutex;	     /* one writer at a time per file set; protects what follows */
	GHashTable *indexes; /* folder path → OheFhirNdjsonIndex */
	GHashTable *used;    /* folder path → the push that used it last */
	guint64 n_pushes;
};

G_DEFINE_TYPE (OheFhirNdjsonTransport, ohe_fhir_ndjson_transport, G_TYPE_OBJECT)

static void
ohe_fhir_ndjson_transport_finalize (GObject *object)
{
	OheFhirNdjsonTransport *self = OHE_FHIR_NDJSON_TRANSPORT (object);
	g_free (self->output_dir);
	g_hash_table_unref (self->indexes);
	g_hash_table_unref (self->used);
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
	self->indexes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)ohe_fhir_ndjson_index_free);
	self->used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	ohe_fhir_ndjson_perms_init (&self->perms, (gid_t)-1);
}

OheFhirNdjsonTransport *
ohe_fhir_ndjson_transport_new (const gchar *output_dir)
{
	OheFhirNdjsonTransport *self = g_object_new (OHE_TYPE_FHIR_NDJSON_TRANSPORT, NULL);
	self->output_dir = g_strdup (output_dir);
	return self;
}

/**
 * ohe_fhir_ndjson_transport_set_group:
 * @gid: the group that may read the output, or `(gid_t)-1` for none
 *
 * With a group, directories are 0750 and files 0640 and belong to @gid;
 * without, 0700 and 0600.
 */
void
ohe_fhir_ndjson_transport_set_group (OheFhirNdjsonTransport *self, gid_t gid)
{
	g_return_if_fail (OHE_IS_FHIR_NDJSON_TRANSPORT (self));
	ohe_fhir_ndjson_perms_init (&self->perms, gid);
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

/**
 * ohe_fhir_ndjson_dup_patient_dir:
 * @reference: the push's patient reference
 *
 * `Patient/<id>` gives the directory `<id>`; any other reference (absolute,
 * or an id that could be mistaken for a hidden file) gives `ref-` and the
 * first 32 hex digits of its SHA-256, so a reference never becomes a path.
 *
 * Returns: (transfer full): a single path component
 */
gchar *
ohe_fhir_ndjson_dup_patient_dir (const gchar *reference)
{
	g_autofree gchar *hash = NULL;

	if (reference != NULL && g_str_has_prefix (reference, "Patient/") &&
	    ohe_fhir_ndjson_is_fhir_id (reference + 8) && reference[8] != '.')
		return g_strdup (reference + 8);
	hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, reference != NULL ? reference : "",
					      -1);
	return g_strdup_printf ("ref-%.32s", hash);
}

static OheFhirNdjsonIndex *
ohe_fhir_ndjson_transport_get_index (OheFhirNdjsonTransport *self,
				     const gchar *day,
				     const gchar *patient)
{
	g_autofree gchar *folder = g_build_filename (self->output_dir, day, patient, NULL);
	OheFhirNdjsonIndex *index = g_hash_table_lookup (self->indexes, folder);

	if (index == NULL) {
		g_autofree gchar *display =
		    g_build_filename (folder, OHE_FHIR_NDJSON_INDEX_NAME, NULL);
		index = ohe_fhir_ndjson_index_new (display);
		g_hash_table_insert (self->indexes, g_strdup (folder), index);
	}
	g_hash_table_insert (self->used, g_steal_pointer (&folder),
			     GSIZE_TO_POINTER ((gsize)self->n_pushes));
	return index;
}

/* forgets the least recently used indexes beyond the bounds */
static void
ohe_fhir_ndjson_transport_evict (OheFhirNdjsonTransport *self)
{
	for (;;) {
		GHashTableIter iter;
		gpointer key;
		gpointer value;
		const gchar *oldest = NULL;
		gsize oldest_push = G_MAXSIZE;
		guint64 ids = 0;

		g_hash_table_iter_init (&iter, self->indexes);
		while (g_hash_table_iter_next (&iter, &key, &value)) {
			gsize push = GPOINTER_TO_SIZE (g_hash_table_lookup (self->used, key));
			ids += ohe_fhir_ndjson_index_get_size (value);
			if (push < oldest_push) {
				oldest_push = push;
				oldest = key;
			}
		}
		if (g_hash_table_size (self->indexes) <= 1 ||
		    (g_hash_table_size (self->indexes) <= OHE_FHIR_NDJSON_CACHED &&
		     ids <= OHE_FHIR_NDJSON_CACHED_IDS))
			return;
		g_hash_table_remove (self->used, oldest);
		g_hash_table_remove (self->indexes, oldest);
	}
}

/**
 * ohe_fhir_ndjson_transport_push:
 * @entries: deduplicated entries
 * @request: receives %OHE_PUSH_OUTCOME_WRITTEN for every measurement whose
 *   folder was written and synced
 *
 * Returns: %FALSE if no folder could be written
 */
gboolean
ohe_fhir_ndjson_transport_push (OheFhirNdjsonTransport *self,
				GPtrArray *entries,
				OhePushRequest *request,
				GCancellable *cancellable,
				GError **error)
{
	g_autoptr(GHashTable) days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
							     (GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GHashTable) positions = g_hash_table_new (NULL, NULL);
	g_autofree OheFhirEntryResult *results = g_new0 (OheFhirEntryResult, entries->len);
	const gchar *reference = ohe_push_request_get_patient_reference (request);
	g_autofree gchar *patient = ohe_fhir_ndjson_dup_patient_dir (reference);
	g_autofree gchar *export_request = g_strdup_printf ("%s/$export", reference);
	g_autoptr(GList) keys = NULL;
	g_autoptr(GError) error_local = NULL;
	gboolean written = FALSE;
	gint root_fd;

	g_return_val_if_fail (OHE_IS_FHIR_NDJSON_TRANSPORT (self), FALSE);

	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		g_autofree gchar *day = ohe_fhir_ndjson_dup_partition (entry);
		GPtrArray *list = g_hash_table_lookup (days, day);
		if (list == NULL) {
			list = g_ptr_array_new ();
			g_hash_table_insert (days, g_steal_pointer (&day), list);
		}
		g_ptr_array_add (list, entry);
		g_hash_table_insert (positions, entry, GUINT_TO_POINTER (i));
	}
	/* a stable order, so the same failure leaves the same files behind */
	keys = g_list_sort (g_hash_table_get_keys (days), (GCompareFunc)g_strcmp0);

	g_mutex_lock (&self->mutex);
	self->n_pushes++;
	root_fd = ohe_fhir_ndjson_open_root (self->output_dir, &self->perms, &error_local);
	for (GList *l = keys; l != NULL && root_fd >= 0; l = l->next) {
		GPtrArray *list = g_hash_table_lookup (days, l->data);
		OheFhirNdjsonIndex *index;
		if (g_cancellable_set_error_if_cancelled (cancellable, &error_local))
			break;
		index = ohe_fhir_ndjson_transport_get_index (self, l->data, patient);
		if (!ohe_fhir_ndjson_folder_write (root_fd, self->output_dir, l->data, patient,
						   export_request, list, index, &self->perms,
						   g_get_real_time (), &error_local))
			break;
		written = TRUE;
		for (guint i = 0; i < list->len; i++)
			results[GPOINTER_TO_UINT (
				    g_hash_table_lookup (positions, g_ptr_array_index (list, i)))]
			    .status = SOUP_STATUS_OK;
	}
	if (root_fd >= 0)
		close (root_fd);
	ohe_fhir_ndjson_transport_evict (self);
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
	g_autoptr(GString) empty = g_string_new (NULL);
	g_autofree gchar *probe = NULL;
	gint fd;

	g_return_val_if_fail (OHE_IS_FHIR_NDJSON_TRANSPORT (self), FALSE);

	fd = ohe_fhir_ndjson_open_root (self->output_dir, &self->perms, error);
	if (fd < 0)
		return FALSE;
	/* access() would ignore read-only mounts; really create a file */
	probe =
	    ohe_fhir_ndjson_write_temp (fd, "health", self->output_dir, empty, &self->perms, error);
	if (probe != NULL)
		unlinkat (fd, probe, 0);
	close (fd);
	if (probe == NULL) {
		g_prefix_error (error, "%s is not writable: ", self->output_dir);
		return FALSE;
	}
	return TRUE;
}
