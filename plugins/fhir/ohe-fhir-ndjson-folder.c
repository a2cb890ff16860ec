/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ohe-fhir-ndjson-folder.h"
#include "ohe-fhir-ndjson-line.h"
#include "ohe-fhir-ndjson-manifest.h"

/*
 * One push into one folder `<root>/<day>/<patient>/`: segments
 * `<Type>.<n>.ndjson`, their index and manifest.json.
 *
 * An id the index knows is replaced in the segment that holds it; new ids go
 * to the type's last segment while that stays small (it is rewritten, at most
 * OHE_FHIR_NDJSON_MERGE_LINES or as many lines as the push adds), else to a
 * new segment. So a push reads and writes the segments it touches and no
 * others: its cost follows what it writes, not what the folder holds.
 *
 * Every file is written to a hidden temporary, fsynced, then the index
 * commits, the temporaries are renamed into place (manifest last) and the
 * folder fsynced (its parents too when they were created). A reader sees each file old or new,
 * never partial.
 */

#define OHE_FHIR_NDJSON_MERGE_LINES 1000
/* an existing segment larger than this is refused rather than read */
#define OHE_FHIR_NDJSON_MAX_SEGMENT ((gsize)1 << 30)

/* one segment file the push writes */
typedef struct {
	gchar *resource_type; /* owned */
	guint n;
	gboolean fresh;	     /* a new segment: nothing to read */
	GHashTable *replace; /* id → OheFhirEntry, ids the index places here */
	GPtrArray *append;   /* of OheFhirEntry, new lines */
	gchar *name;	     /* owned, "<Type>.<n>.ndjson" */
	gchar *tmp;	     /* owned, nullable, the written temporary */
	guint lines;
} OheFhirNdjsonTarget;

typedef struct {
	gint root_fd; /* borrowed */
	gint day_fd;
	gint dir_fd;
	gchar *day_display; /* owned, "<root>/<day>" */
	gchar *display;	    /* owned, "<root>/<day>/<patient>" */
	gboolean day_created;
	gboolean dir_created;
	const OheFhirNdjsonPerms *perms;
	OheFhirNdjsonIndex *index; /* borrowed, locked while the folder is open */
	GHashTable *targets;	   /* "<Type>.<n>.ndjson" → OheFhirNdjsonTarget */
	gchar *manifest_tmp;	   /* owned, nullable */
} OheFhirNdjsonFolder;

static void
ohe_fhir_ndjson_target_free (OheFhirNdjsonTarget *target)
{
	g_free (target->resource_type);
	g_hash_table_unref (target->replace);
	g_ptr_array_unref (target->append);
	g_free (target->name);
	g_free (target->tmp);
	g_free (target);
}

static void
ohe_fhir_ndjson_folder_clear (OheFhirNdjsonFolder *folder)
{
	GHashTableIter iter;
	OheFhirNdjsonTarget *target;

	/* temporaries that were not renamed: the push failed */
	if (folder->targets != NULL) {
		g_hash_table_iter_init (&iter, folder->targets);
		while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&target)) {
			if (target->tmp != NULL)
				unlinkat (folder->dir_fd, target->tmp, 0);
		}
		g_hash_table_unref (folder->targets);
	}
	if (folder->manifest_tmp != NULL)
		unlinkat (folder->dir_fd, folder->manifest_tmp, 0);
	g_free (folder->manifest_tmp);
	/* after a commit this only unlocks */
	ohe_fhir_ndjson_index_rollback (folder->index);
	if (folder->dir_fd >= 0)
		close (folder->dir_fd);
	if (folder->day_fd >= 0)
		close (folder->day_fd);
	g_free (folder->day_display);
	g_free (folder->display);
}

static OheFhirNdjsonTarget *
ohe_fhir_ndjson_folder_get_target (OheFhirNdjsonFolder *folder,
				   const gchar *resource_type,
				   guint n,
				   gboolean fresh)
{
	g_autofree gchar *name = g_strdup_printf ("%s.%u.ndjson", resource_type, n);
	OheFhirNdjsonTarget *target = g_hash_table_lookup (folder->targets, name);

	if (target != NULL)
		return target;
	target = g_new0 (OheFhirNdjsonTarget, 1);
	target->resource_type = g_strdup (resource_type);
	target->n = n;
	target->fresh = fresh;
	target->replace = g_hash_table_new (g_str_hash, g_str_equal);
	target->append = g_ptr_array_new ();
	target->name = g_strdup (name);
	g_hash_table_insert (folder->targets, g_steal_pointer (&name), target);
	return target;
}

static gboolean
ohe_fhir_ndjson_folder_open (OheFhirNdjsonFolder *folder,
			     const gchar *root_path,
			     const gchar *day,
			     const gchar *patient,
			     GError **error)
{
	folder->day_display = g_build_filename (root_path, day, NULL);
	folder->display = g_build_filename (folder->day_display, patient, NULL);
	folder->day_fd = ohe_fhir_ndjson_open_dir (folder->root_fd, day, folder->day_display,
						   folder->perms, &folder->day_created, error);
	if (folder->day_fd < 0)
		return FALSE;
	folder->dir_fd = ohe_fhir_ndjson_open_dir (folder->day_fd, patient, folder->display,
						   folder->perms, &folder->dir_created, error);
	if (folder->dir_fd < 0)
		return FALSE;
	return ohe_fhir_ndjson_index_begin (folder->index, folder->dir_fd, folder->perms, error);
}

/* which segment each entry goes to */
static gboolean
ohe_fhir_ndjson_folder_place (OheFhirNdjsonFolder *folder, GPtrArray *entries, GError **error)
{
	g_autoptr(GHashTable) fresh = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
							      (GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GList) types = NULL;

	for (guint i = 0; i < entries->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (entries, i);
		GPtrArray *list;
		guint n;

		if (!ohe_fhir_ndjson_is_type_name (entry->resource_type) ||
		    !ohe_fhir_ndjson_is_fhir_id (entry->id)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "a resource for %s has no valid type and id", folder->display);
			return FALSE;
		}
		n = ohe_fhir_ndjson_index_lookup (folder->index, entry->resource_type, entry->id);
		if (n > 0) {
			OheFhirNdjsonTarget *target = ohe_fhir_ndjson_folder_get_target (
			    folder, entry->resource_type, n, FALSE);
			g_hash_table_insert (target->replace, entry->id, entry);
			continue;
		}
		list = g_hash_table_lookup (fresh, entry->resource_type);
		if (list == NULL) {
			list = g_ptr_array_new ();
			g_hash_table_insert (fresh, entry->resource_type, list);
		}
		g_ptr_array_add (list, entry);
	}
	types = g_list_sort (g_hash_table_get_keys (fresh), (GCompareFunc)g_strcmp0);
	for (GList *l = types; l != NULL; l = l->next) {
		GPtrArray *list = g_hash_table_lookup (fresh, l->data);
		OheFhirNdjsonTarget *target;
		guint last;
		guint lines;

		last = ohe_fhir_ndjson_index_get_last_segment (folder->index, l->data, &lines);
		/* rewriting the last segment costs at most what the push adds, or a little */
		if (last > 0 &&
		    lines + list->len <= MAX (2 * list->len, OHE_FHIR_NDJSON_MERGE_LINES))
			target = ohe_fhir_ndjson_folder_get_target (folder, l->data, last, FALSE);
		else
			target =
			    ohe_fhir_ndjson_folder_get_target (folder, l->data, last + 1, TRUE);
		g_ptr_array_extend (target->append, list, NULL, NULL);
	}
	return TRUE;
}

static gboolean
ohe_fhir_ndjson_folder_add_line (OheFhirNdjsonFolder *folder,
				 OheFhirNdjsonTarget *target,
				 GString *contents,
				 OheFhirEntry *entry,
				 GError **error)
{
	g_autofree gchar *line = ohe_fhir_ndjson_line_new (entry->json);
	g_string_append (contents, line);
	g_string_append_c (contents, '\n');
	target->lines++;
	ohe_fhir_ndjson_index_put (folder->index, target->resource_type, entry->id, target->n);
	return TRUE;
}

/*
 * The old lines that are resources of the segment's type; a line whose id
 * the push writes again takes the new resource's place.
 */
static gboolean
ohe_fhir_ndjson_folder_carry_over (OheFhirNdjsonFolder *folder,
				   OheFhirNdjsonTarget *target,
				   GString *contents,
				   GHashTable *pending,
				   GError **error)
{
	g_autofree gchar *display = g_build_filename (folder->display, target->name, NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GString) old = NULL;
	guint dropped = 0;
	gsize pos = 0;

	if (!ohe_fhir_ndjson_read_file (folder->dir_fd, target->name, display,
					OHE_FHIR_NDJSON_MAX_SEGMENT, &old, error))
		return FALSE;
	while (old != NULL && pos < old->len) {
		const gchar *line = old->str + pos;
		const gchar *nl = memchr (line, '\n', old->len - pos);
		gsize len = nl != NULL ? (gsize)(nl - line) : old->len - pos;
		g_autofree gchar *id = NULL;
		OheFhirEntry *entry;

		pos += len + 1;
		if (len == 0)
			continue;
		id = ohe_fhir_ndjson_line_dup_id (line, len, target->resource_type);
		if (id == NULL) {
			dropped++;
			continue;
		}
		/* one line per id, whatever the file held */
		if (g_hash_table_contains (seen, id))
			continue;
		entry = g_hash_table_lookup (pending, id);
		if (entry != NULL) {
			if (!ohe_fhir_ndjson_folder_add_line (folder, target, contents, entry,
							      error))
				return FALSE;
			g_hash_table_remove (pending, id);
		} else {
			g_string_append_len (contents, line, (gssize)len);
			g_string_append_c (contents, '\n');
			target->lines++;
		}
		g_hash_table_add (seen, g_steal_pointer (&id));
	}
	/* counts only: a line's content may be health data */
	if (dropped > 0)
		g_warning ("%s: dropped %u line(s) that are not %s resources", display, dropped,
			   target->resource_type);
	return TRUE;
}

static gint
ohe_fhir_ndjson_compare_entries (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (((const OheFhirEntry *)a)->id, ((const OheFhirEntry *)b)->id);
}

static gboolean
ohe_fhir_ndjson_folder_write_target (OheFhirNdjsonFolder *folder,
				     OheFhirNdjsonTarget *target,
				     GError **error)
{
	g_autofree gchar *display = g_build_filename (folder->display, target->name, NULL);
	g_autoptr(GString) contents = g_string_new (NULL);
	g_autoptr(GHashTable) pending = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr(GList) missing = NULL;
	GHashTableIter iter;
	gpointer key;
	gpointer value;

	g_hash_table_iter_init (&iter, target->replace);
	while (g_hash_table_iter_next (&iter, &key, &value))
		g_hash_table_insert (pending, key, value);
	for (guint i = 0; i < target->append->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (target->append, i);
		g_hash_table_insert (pending, entry->id, entry);
	}
	if (!target->fresh &&
	    !ohe_fhir_ndjson_folder_carry_over (folder, target, contents, pending, error))
		return FALSE;
	/* new ids in push order */
	for (guint i = 0; i < target->append->len; i++) {
		OheFhirEntry *entry = g_ptr_array_index (target->append, i);
		if (!g_hash_table_remove (pending, entry->id))
			continue;
		if (!ohe_fhir_ndjson_folder_add_line (folder, target, contents, entry, error))
			return FALSE;
	}
	/* ids the index placed here but the file lacks (a crash before the rename) */
	missing = g_list_sort (g_hash_table_get_values (pending), ohe_fhir_ndjson_compare_entries);
	for (GList *l = missing; l != NULL; l = l->next) {
		if (!ohe_fhir_ndjson_folder_add_line (folder, target, contents, l->data, error))
			return FALSE;
	}
	ohe_fhir_ndjson_index_set_segment (folder->index, target->resource_type, target->n,
					   target->lines);
	target->tmp = ohe_fhir_ndjson_write_temp (folder->dir_fd, target->name, display, contents,
						  folder->perms, error);
	return target->tmp != NULL;
}

typedef struct {
	OheFhirNdjsonFolder *folder;
	OheFhirNdjsonManifest *manifest;
} OheFhirNdjsonManifestData;

static void
ohe_fhir_ndjson_folder_add_output (const gchar *resource_type,
				   guint n,
				   guint lines,
				   gpointer user_data)
{
	OheFhirNdjsonManifestData *data = user_data;
	g_autofree gchar *name = g_strdup_printf ("%s.%u.ndjson", resource_type, n);

	/* a segment the index knows but a crash kept from its rename is not listed */
	if (lines == 0 || (!g_hash_table_contains (data->folder->targets, name) &&
			   !ohe_fhir_ndjson_file_exists (data->folder->dir_fd, name)))
		return;
	ohe_fhir_ndjson_manifest_add_output (data->manifest, resource_type, name, lines);
}

static gboolean
ohe_fhir_ndjson_folder_write_manifest (OheFhirNdjsonFolder *folder,
				       const gchar *request,
				       gint64 now_us,
				       GError **error)
{
	g_autoptr(OheFhirNdjsonManifest) manifest = ohe_fhir_ndjson_manifest_new (request, now_us);
	g_autofree gchar *display = g_build_filename (folder->display, "manifest.json", NULL);
	OheFhirNdjsonManifestData data = {folder, manifest};
	g_autoptr(GString) contents = NULL;

	ohe_fhir_ndjson_index_foreach_segment (folder->index, ohe_fhir_ndjson_folder_add_output,
					       &data);
	contents = ohe_fhir_ndjson_manifest_to_string (manifest);
	folder->manifest_tmp = ohe_fhir_ndjson_write_temp (folder->dir_fd, "manifest.json", display,
							   contents, folder->perms, error);
	return folder->manifest_tmp != NULL;
}

static gboolean
ohe_fhir_ndjson_folder_rename_all (OheFhirNdjsonFolder *folder, GList *names, GError **error)
{
	g_autofree gchar *manifest = g_build_filename (folder->display, "manifest.json", NULL);
	g_autofree gchar *tmp = NULL;

	for (GList *l = names; l != NULL; l = l->next) {
		OheFhirNdjsonTarget *target = g_hash_table_lookup (folder->targets, l->data);
		g_autofree gchar *display = g_build_filename (folder->display, target->name, NULL);
		g_autofree gchar *target_tmp = g_steal_pointer (&target->tmp);
		if (!ohe_fhir_ndjson_commit_temp (folder->dir_fd, target_tmp, target->name, display,
						  error))
			return FALSE;
	}
	tmp = g_steal_pointer (&folder->manifest_tmp);
	return ohe_fhir_ndjson_commit_temp (folder->dir_fd, tmp, "manifest.json", manifest, error);
}

/**
 * ohe_fhir_ndjson_folder_write:
 * @root_fd: the checked output directory
 * @day: `YYYY-MM-DD`, a directory below it
 * @patient: the patient's directory name below @day
 * @request: the manifest's `request`
 * @entries: the entries for this folder, deduplicated
 * @index: the folder's index, kept by the caller between pushes
 *
 * Returns: %TRUE once every file is renamed into place and durable
 */
gboolean
ohe_fhir_ndjson_folder_write (gint root_fd,
			      const gchar *root_path,
			      const gchar *day,
			      const gchar *patient,
			      const gchar *request,
			      GPtrArray *entries,
			      OheFhirNdjsonIndex *index,
			      const OheFhirNdjsonPerms *perms,
			      gint64 now_us,
			      GError **error)
{
	OheFhirNdjsonFolder folder = {
	    .root_fd = root_fd,
	    .index = index,
	    .day_fd = -1,
	    .dir_fd = -1,
	    .perms = perms,
	    .targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)ohe_fhir_ndjson_target_free),
	};
	g_autoptr(GList) names = NULL;
	gboolean ok = FALSE;

	if (!ohe_fhir_ndjson_folder_open (&folder, root_path, day, patient, error) ||
	    !ohe_fhir_ndjson_folder_place (&folder, entries, error))
		goto out;
	/* a stable order, so the same failure leaves the same files behind */
	names = g_list_sort (g_hash_table_get_keys (folder.targets), (GCompareFunc)g_strcmp0);
	for (GList *l = names; l != NULL; l = l->next) {
		if (!ohe_fhir_ndjson_folder_write_target (
			&folder, g_hash_table_lookup (folder.targets, l->data), error))
			goto out;
	}
	if (!ohe_fhir_ndjson_folder_write_manifest (&folder, request, now_us, error) ||
	    !ohe_fhir_ndjson_index_commit (folder.index, error) ||
	    !ohe_fhir_ndjson_folder_rename_all (&folder, names, error) ||
	    !ohe_fhir_ndjson_sync_dir (folder.dir_fd, folder.display, error))
		goto out;
	/* a new directory's entry is durable only once its parent is */
	if ((folder.dir_created &&
	     !ohe_fhir_ndjson_sync_dir (folder.day_fd, folder.day_display, error)) ||
	    (folder.day_created && !ohe_fhir_ndjson_sync_dir (root_fd, root_path, error)))
		goto out;
	ok = TRUE;
out:
	ohe_fhir_ndjson_folder_clear (&folder);
	return ok;
}
