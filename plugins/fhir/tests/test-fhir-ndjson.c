/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ohe-fhir-bundle.h"
#include "ohe-fhir-ndjson-transport.h"
#include "ohe-fhir-sink.h"

/*
 * The NDJSON transport in a scratch directory: per day and patient folders,
 * replace-on-replay across segments, private modes whatever the umask,
 * links and foreign files refused, the bulk-data manifest, garbage lines
 * dropped. Entries are written by hand so every byte is known.
 */

#define TEST_SYSTEM	"https://ohed.dev/fhir/id/test/hr"
#define TEST_DEV_SYSTEM "https://ohed.dev/fhir/id/test/device"
#define TEST_DAY_US	((gint64)1767225600 * G_USEC_PER_SEC) /* 2026-01-01T00:00:00Z */
#define TEST_SECRET	"SECRET-NOT-FOR-THE-EHR"

typedef struct {
	gchar *dir;    /* the scratch directory */
	gchar *out;    /* <dir>/out, the transport's output_dir */
	gchar *folder; /* <out>/2026-01-01/p1 */
	OheFhirNdjsonTransport *ndjson;
} Fixture;

static void
test_rm_rf (const gchar *path)
{
	GDir *dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *child = g_build_filename (path, name, NULL);
			if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
				g_unlink (child);
			else
				test_rm_rf (child);
		}
		g_dir_close (dir);
		g_rmdir (path);
		return;
	}
	g_unlink (path);
}

static void
fixture_setup (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	f->dir = g_dir_make_tmp ("ohe-fhir-ndjson-XXXXXX", &error);
	g_assert_no_error (error);
	f->out = g_build_filename (f->dir, "out", NULL);
	f->folder = g_build_filename (f->out, "2026-01-01", "p1", NULL);
	f->ndjson = ohe_fhir_ndjson_transport_new (f->out);
}

static void
fixture_teardown (Fixture *f, gconstpointer user_data)
{
	g_assert_finalize_object (f->ndjson);
	test_rm_rf (f->dir);
	g_free (f->folder);
	g_free (f->out);
	g_free (f->dir);
}

static OheFhirEntry *
test_observation (const gchar *id, guint owner, guint value)
{
	g_autofree gchar *json = g_strdup_printf (
	    "{\"resourceType\":\"Observation\",\"id\":\"%s\",\"identifier\":[{\"system\":\"%s\","
	    "\"value\":\"%s\"}],\"status\":\"final\",\"code\":{\"text\":\"heart rate\"},"
	    "\"subject\":{\"reference\":\"Patient/p1\"},\"device\":{\"reference\":\"Device/"
	    "dev1\"},\"valueQuantity\":{\"value\":%u.0,\"unit\":\"/min\"}}",
	    id, TEST_SYSTEM, id, value);
	return ohe_fhir_entry_new ("Observation", id, TEST_SYSTEM, id, json, owner,
				   TEST_DAY_US + (gint64)owner * G_USEC_PER_SEC);
}

static OheFhirEntry *
test_device (guint owner)
{
	return ohe_fhir_entry_new ("Device", "dev1", TEST_DEV_SYSTEM, "WATCH-1",
				   "{\"resourceType\":\"Device\",\"id\":\"dev1\",\"identifier\":[{"
				   "\"system\":\"" TEST_DEV_SYSTEM
				   "\",\"value\":\"WATCH-1\"}],\"status\":\"active\"}",
				   owner, TEST_DAY_US);
}

/* n measurements obs<first>…, each an Observation plus the shared Device */
static GPtrArray *
test_entries (guint first, guint n, guint value)
{
	g_autoptr(GPtrArray) raw =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_fhir_entry_unref);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *id = g_strdup_printf ("obs%05u", first + i);
		g_ptr_array_add (raw, test_device (i));
		g_ptr_array_add (raw, test_observation (id, i, value));
	}
	return ohe_fhir_entries_dedup (raw);
}

static OhePushRequest *
test_request (guint n, const gchar *patient)
{
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add (ms, ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE));
	return ohe_push_request_new ("link1", patient, ms);
}

static void
test_push (Fixture *f, GPtrArray *entries, guint n)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OhePushRequest) request = test_request (n, "Patient/p1");
	g_assert_true (ohe_fhir_ndjson_transport_push (f->ndjson, entries, request, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_WRITTEN), ==,
			  n);
}

static gchar *
test_read (const gchar *dir, const gchar *name)
{
	g_autofree gchar *path = g_build_filename (dir, name, NULL);
	g_autoptr(GError) error = NULL;
	gchar *contents = NULL;
	g_file_get_contents (path, &contents, NULL, &error);
	g_assert_no_error (error);
	return contents;
}

static guint
test_count_lines (const gchar *dir, const gchar *name)
{
	g_autofree gchar *contents = test_read (dir, name);
	guint n = 0;
	for (const gchar *p = contents; *p != '\0'; p++)
		n += (*p == '\n') ? 1 : 0;
	return n;
}

/* how often each Observation id occurs over every segment of the folder */
static GHashTable *
test_count_ids (const gchar *folder, guint *total)
{
	g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
	GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	const gchar *name;

	*total = 0;
	g_assert_nonnull (dir);
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *contents = NULL;
		g_auto(GStrv) lines = NULL;
		if (!g_str_has_prefix (name, "Observation.") || !g_str_has_suffix (name, ".ndjson"))
			continue;
		contents = test_read (folder, name);
		lines = g_strsplit (contents, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autoptr(JsonNode) node = NULL;
			const gchar *id;
			if (lines[i][0] == '\0')
				continue;
			node = json_from_string (lines[i], NULL);
			g_assert_nonnull (node);
			id = json_object_get_string_member (json_node_get_object (node), "id");
			g_hash_table_insert (
			    ids, g_strdup (id),
			    GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (ids, id)) +
					      1));
			(*total)++;
		}
	}
	return ids;
}

static JsonNode *
test_manifest (const gchar *folder)
{
	g_autofree gchar *text = test_read (folder, "manifest.json");
	g_autoptr(GError) error = NULL;
	JsonNode *node = json_from_string (text, &error);
	g_assert_no_error (error);
	g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
	return node;
}

/* the files of the manifest by url, their counts checked against the files */
static GHashTable *
test_manifest_counts (const gchar *folder)
{
	g_autoptr(JsonNode) node = test_manifest (folder);
	JsonArray *output = json_object_get_array_member (json_node_get_object (node), "output");
	GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < json_array_get_length (output); i++) {
		JsonObject *file = json_array_get_object_element (output, i);
		const gchar *url = json_object_get_string_member (file, "url");
		guint count = (guint)json_object_get_int_member (file, "count");
		g_assert_true (
		    g_str_has_prefix (url, json_object_get_string_member (file, "type")));
		g_assert_cmpuint (test_count_lines (folder, url), ==, count);
		g_hash_table_insert (counts, g_strdup (url), GUINT_TO_POINTER (count));
	}
	return counts;
}

static void
test_ndjson_replay (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = test_entries (0, 20, 60);
	g_autoptr(GPtrArray) grown = test_entries (0, 20, 75);
	g_autofree gchar *contents = NULL;
	g_autoptr(GDir) listing = NULL;
	const gchar *name;
	guint n_files = 0;

	g_assert_true (ohe_fhir_ndjson_transport_check_health (f->ndjson, &error));
	g_assert_no_error (error);
	for (guint round = 0; round < 3; round++) {
		test_push (f, round < 2 ? entries : grown, 20);
		/* a replay or a changed value keeps one line per resource */
		g_assert_cmpuint (test_count_lines (f->folder, "Observation.1.ndjson"), ==, 20);
		g_assert_cmpuint (test_count_lines (f->folder, "Device.1.ndjson"), ==, 1);
	}
	contents = test_read (f->folder, "Observation.1.ndjson");
	g_assert_null (strstr (contents, "\"value\":60.0"));
	g_assert_true (
	    g_str_has_prefix (contents, "{\"resourceType\":\"Observation\",\"id\":\"obs00000\""));
	g_assert_nonnull (strstr (contents, "\"value\":75.0"));

	/* no temporary file left behind: segments, manifest, index */
	listing = g_dir_open (f->folder, 0, &error);
	g_assert_no_error (error);
	while ((name = g_dir_read_name (listing)) != NULL) {
		g_assert_true (g_str_equal (name, "Observation.1.ndjson") ||
			       g_str_equal (name, "Device.1.ndjson") ||
			       g_str_equal (name, "manifest.json") || g_str_equal (name, ".index"));
		n_files++;
	}
	g_assert_cmpuint (n_files, ==, 4);
}

/*
 * A daily total grows over the day while other measurements fill more
 * segments: the total's line is replaced in its segment, wherever that is,
 * and a replay of the whole day adds nothing.
 */
static void
test_ndjson_grown_total (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) first = test_entries (0, 600, 60);
	g_autoptr(GPtrArray) second = test_entries (600, 500, 60);
	g_autoptr(GHashTable) ids = NULL;
	g_autoptr(GHashTable) counts = NULL;
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	guint total;

	test_push (f, first, 600);
	test_push (f, second, 500);
	/* 600 + 500 lines: too many to rewrite the first segment, a second one */
	g_assert_cmpuint (test_count_lines (f->folder, "Observation.1.ndjson"), ==, 600);
	g_assert_cmpuint (test_count_lines (f->folder, "Observation.2.ndjson"), ==, 500);
	for (guint step = 1; step <= 3; step++) {
		g_autoptr(GPtrArray) raw = g_ptr_array_new_with_free_func (
		    (GDestroyNotify)ohe_fhir_entry_unref);
		g_autoptr(GPtrArray) entries = NULL;
		g_autofree gchar *contents = NULL;
		g_autofree gchar *expected = g_strdup_printf ("\"value\":%u.0", 1000 * step);
		/* obs00007 plays the daily total; obs01100… are new measurements */
		g_ptr_array_add (raw, test_observation ("obs00007", 0, 1000 * step));
		for (guint i = 1; i < 10; i++) {
			g_autofree gchar *id = g_strdup_printf ("obs%05u", 1100 + step * 10 + i);
			g_ptr_array_add (raw, test_observation (id, i, 70));
		}
		entries = ohe_fhir_entries_dedup (raw);
		test_push (f, entries, 10);
		contents = test_read (f->folder, "Observation.1.ndjson");
		g_assert_nonnull (strstr (contents, expected));
	}
	/* and the whole day again, as a replayed window */
	test_push (f, first, 600);
	test_push (f, second, 500);

	ids = test_count_ids (f->folder, &total);
	g_assert_cmpuint (total, ==, 1100 + 27);
	g_assert_cmpuint (g_hash_table_size (ids), ==, 1100 + 27);
	g_hash_table_iter_init (&iter, ids);
	while (g_hash_table_iter_next (&iter, &key, &value))
		g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
	/* the replay wrote obs00007 back to its first value */
	{
		g_autofree gchar *contents = test_read (f->folder, "Observation.1.ndjson");
		g_assert_null (strstr (contents, "\"value\":3000.0"));
	}
	counts = test_manifest_counts (f->folder);
	g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "Observation.1.ndjson")),
			  ==, 600);
	g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "Observation.2.ndjson")),
			  ==, 527);
	g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "Device.1.ndjson")), ==,
			  1);
}

/*
 * A crash after the index committed but before the segments were renamed:
 * the index places ids in a segment that lacks them, or in one that does not
 * exist. The replay writes them once; the manifest lists only real files.
 */
static void
test_ndjson_crash_before_rename (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) first = test_entries (0, 10, 60);
	g_autoptr(GPtrArray) second = test_entries (10, 10, 60);
	g_autoptr(GPtrArray) third = test_entries (20, 10, 60);
	g_autoptr(GHashTable) ids = NULL;
	g_autoptr(GHashTable) counts = NULL;
	g_autofree gchar *segment = g_build_filename (f->folder, "Observation.1.ndjson", NULL);
	g_autofree gchar *after_first = NULL;
	GHashTableIter iter;
	gpointer value;
	guint total;

	test_push (f, first, 10);
	after_first = test_read (f->folder, "Observation.1.ndjson");
	test_push (f, second, 10);
	g_assert_cmpuint (test_count_lines (f->folder, "Observation.1.ndjson"), ==, 20);
	/* the second push's rename never happened */
	g_assert_true (g_file_set_contents (segment, after_first, -1, NULL));
	test_push (f, second, 10);
	ids = test_count_ids (f->folder, &total);
	g_assert_cmpuint (total, ==, 20);
	g_assert_cmpuint (g_hash_table_size (ids), ==, 20);
	g_hash_table_iter_init (&iter, ids);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);

	/* a segment that never arrived: not in the manifest until a push writes it */
	g_assert_cmpint (g_unlink (segment), ==, 0);
	{
		g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (
		    (GDestroyNotify)ohe_fhir_entry_unref);
		g_ptr_array_add (devices, test_device (0));
		test_push (f, devices, 1);
	}
	counts = test_manifest_counts (f->folder);
	g_assert_false (g_hash_table_contains (counts, "Observation.1.ndjson"));
	g_assert_true (g_hash_table_contains (counts, "Device.1.ndjson"));
	test_push (f, third, 10);
	g_clear_pointer (&counts, g_hash_table_unref);
	counts = test_manifest_counts (f->folder);
	g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "Observation.1.ndjson")),
			  ==, 10);
}

static void
test_assert_unique (const gchar *folder, guint expected)
{
	g_autoptr(GHashTable) ids = NULL;
	GHashTableIter iter;
	gpointer value;
	guint total;

	ids = test_count_ids (folder, &total);
	g_assert_cmpuint (total, ==, expected);
	g_hash_table_iter_init (&iter, ids);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
}

/*
 * Two writers on one output directory (the daemon and ohectl sync-now):
 * each catches up with what the other appended to the index before it
 * writes, and a record cut short by a crash is cut off.
 */
static void
test_ndjson_two_writers (Fixture *f, gconstpointer user_data)
{
	g_autoptr(OheFhirNdjsonTransport) other = ohe_fhir_ndjson_transport_new (f->out);
	g_autoptr(GPtrArray) first = test_entries (0, 10, 60);
	g_autoptr(GPtrArray) both = test_entries (0, 20, 70);
	g_autoptr(GPtrArray) later = test_entries (10, 20, 80);
	g_autoptr(OhePushRequest) request = test_request (20, "Patient/p1");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *index = g_build_filename (f->folder, ".index", NULL);
	g_autofree gchar *contents = NULL;
	FILE *fp;

	test_push (f, first, 10);
	g_assert_true (ohe_fhir_ndjson_transport_push (other, both, request, NULL, &error));
	g_assert_no_error (error);
	test_assert_unique (f->folder, 20);
	/* the first writer knows obs00010… only from the other's records */
	test_push (f, later, 20);
	test_assert_unique (f->folder, 30);

	fp = fopen (index, "a");
	g_assert_nonnull (fp);
	fputs ("I 00ff", fp);
	fclose (fp);
	g_clear_object (&request);
	request = test_request (20, "Patient/p1");
	g_assert_true (ohe_fhir_ndjson_transport_push (other, later, request, NULL, &error));
	g_assert_no_error (error);
	test_assert_unique (f->folder, 30);
	contents = test_read (f->folder, ".index");
	g_assert_null (strstr (contents, "I 00ff"));
	g_assert_true (g_str_has_suffix (contents, "\n"));
	test_push (f, both, 20);
	test_assert_unique (f->folder, 30);
}

/* no file in the output but the planted one holds the secret */
static void
test_assert_no_secret (const gchar *path, const gchar *planted)
{
	GDir *dir;
	const gchar *name;

	if (g_str_equal (path, planted) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
		return;
	dir = g_dir_open (path, 0, NULL);
	if (dir == NULL) {
		g_autofree gchar *contents = NULL;
		g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
		g_assert_null (strstr (contents, TEST_SECRET));
		return;
	}
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		test_assert_no_secret (child, planted);
	}
	g_dir_close (dir);
}

static void
test_push_refused (Fixture *f, const gchar *patient, const gchar *planted, const gchar *message)
{
	g_autoptr(GPtrArray) entries = test_entries (0, 5, 60);
	g_autoptr(OhePushRequest) request = test_request (5, patient);
	g_autoptr(GError) error = NULL;

	g_assert_false (ohe_fhir_ndjson_transport_push (f->ndjson, entries, request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpstr (error->message, ==, message);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_PENDING), ==,
			  5);
	test_assert_no_secret (f->out, planted);
}

/*
 * Someone who can write to the output folder plants a link (or a hard link,
 * or a file of another user) where a push reads: the push is refused with a
 * message naming the file, and nothing of the target is copied.
 */
static void
test_ndjson_planted (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (0, 5, 60);
	g_autofree gchar *secret = g_build_filename (f->dir, "secret", NULL);
	g_autofree gchar *secret_dir = g_build_filename (f->dir, "secret-dir", NULL);
	g_autofree gchar *segment = g_build_filename (f->folder, "Observation.1.ndjson", NULL);
	g_autofree gchar *index = g_build_filename (f->folder, ".index", NULL);
	g_autofree gchar *p2 = g_build_filename (f->out, "2026-01-01", "p2", NULL);
	g_autofree gchar *message = NULL;
	g_autofree gchar *saved = NULL;
	g_autofree gchar *saved_index = NULL;

	g_assert_true (g_file_set_contents (
	    secret,
	    "{\"resourceType\":\"Observation\",\"id\":\"obs00001\",\"note\":\"" TEST_SECRET "\"}\n",
	    -1, NULL));
	test_push (f, entries, 5);
	saved = g_build_filename (f->dir, "saved", NULL);
	g_assert_cmpint (g_rename (segment, saved), ==, 0);

	/* a symbolic link in place of a segment */
	g_assert_cmpint (symlink (secret, segment), ==, 0);
	message =
	    g_strdup_printf ("refusing %s: it is a symbolic link or not a regular file", segment);
	test_push_refused (f, "Patient/p1", segment, message);
	g_assert_true (g_file_test (segment, G_FILE_TEST_IS_SYMLINK));
	g_unlink (segment);

	/* a hard link to the secret */
	g_assert_cmpint (link (secret, segment), ==, 0);
	g_free (message);
	message = g_strdup_printf ("refusing %s: it has 2 hard links", segment);
	test_push_refused (f, "Patient/p1", segment, message);
	g_unlink (segment);

	/* a directory link in place of a patient's folder */
	g_assert_cmpint (g_mkdir (secret_dir, 0700), ==, 0);
	g_assert_cmpint (symlink (secret_dir, p2), ==, 0);
	g_free (message);
	message = g_strdup_printf ("refusing %s: it is a symbolic link or not a directory", p2);
	test_push_refused (f, "Patient/p2", p2, message);
	{
		g_autoptr(GDir) dir = g_dir_open (secret_dir, 0, NULL);
		g_assert_null (g_dir_read_name (dir));
	}

	/* a link in place of the index */
	saved_index = g_build_filename (f->dir, "saved-index", NULL);
	g_assert_cmpint (g_rename (index, saved_index), ==, 0);
	g_assert_cmpint (symlink (secret, index), ==, 0);
	g_free (message);
	message =
	    g_strdup_printf ("refusing %s: it is a symbolic link or not a regular file", index);
	test_push_refused (f, "Patient/p1", index, message);
	g_unlink (index);
	g_assert_cmpint (g_rename (saved_index, index), ==, 0);

	/* a file of another user: only root can make one */
	g_assert_cmpint (g_rename (saved, segment), ==, 0);
	if (geteuid () == 0) {
		g_assert_cmpint (chown (segment, 65534, (gid_t)-1), ==, 0);
		g_free (message);
		message = g_strdup_printf (
		    "refusing %s: it belongs to uid 65534, not to the daemon's user (uid 0)",
		    segment);
		test_push_refused (f, "Patient/p1", segment, message);
		g_assert_cmpint (chown (segment, 0, (gid_t)-1), ==, 0);
	}
	/* the real segment back: pushes work again */
	test_push (f, entries, 5);
	g_assert_cmpuint (test_count_lines (f->folder, "Observation.1.ndjson"), ==, 5);
}

static void
test_assert_modes (const gchar *path, guint dir_mode, guint file_mode, guint *n_files)
{
	struct stat st;
	GDir *dir;
	const gchar *name;

	g_assert_cmpint (lstat (path, &st), ==, 0);
	if (!S_ISDIR (st.st_mode)) {
		g_assert_true (S_ISREG (st.st_mode));
		if ((st.st_mode & 07777) != file_mode)
			g_error ("%s has mode %04o, not %04o", path, st.st_mode & 07777, file_mode);
		(*n_files)++;
		return;
	}
	if ((st.st_mode & 07777) != dir_mode)
		g_error ("%s has mode %04o, not %04o", path, st.st_mode & 07777, dir_mode);
	dir = g_dir_open (path, 0, NULL);
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		test_assert_modes (child, dir_mode, file_mode, n_files);
	}
	g_dir_close (dir);
}

/* umask 000 and world-writable existing directories: still 0700/0600 */
static void
test_ndjson_modes (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (0, 5, 60);
	g_autofree gchar *day = g_build_filename (f->out, "2026-01-01", NULL);
	g_autofree gchar *group_out = g_build_filename (f->dir, "group-out", NULL);
	g_autoptr(OheFhirNdjsonTransport) grouped = ohe_fhir_ndjson_transport_new (group_out);
	g_autoptr(OhePushRequest) request = test_request (5, "Patient/p1");
	g_autoptr(GError) error = NULL;
	mode_t old = umask (0);
	guint n_files = 0;
	struct stat st;

	g_assert_cmpint (g_mkdir_with_parents (day, 0777), ==, 0);
	g_assert_cmpint (g_chmod (f->out, 0777), ==, 0);
	g_assert_cmpint (g_chmod (day, 0777), ==, 0);
	test_push (f, entries, 5);
	test_push (f, entries, 5);
	test_assert_modes (f->out, 0700, 0600, &n_files);
	/* two segments, the manifest, the index */
	g_assert_cmpuint (n_files, >=, 4);

	/* with a group that may read: 0750/0640, owned by the group */
	ohe_fhir_ndjson_transport_set_group (grouped, getegid ());
	g_assert_true (ohe_fhir_ndjson_transport_push (grouped, entries, request, NULL, &error));
	g_assert_no_error (error);
	n_files = 0;
	test_assert_modes (group_out, 0750, 0640, &n_files);
	g_assert_cmpuint (n_files, >=, 4);
	g_assert_cmpint (stat (group_out, &st), ==, 0);
	g_assert_cmpuint (st.st_gid, ==, getegid ());
	umask (old);
}

static void
test_ndjson_manifest (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (0, 20, 60);
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GDateTime) when = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
	gint64 before = g_get_real_time () / G_USEC_PER_SEC;
	gint64 after;
	JsonObject *manifest;
	JsonArray *output;
	JsonObject *file;
	const gchar *instant;

	test_push (f, entries, 20);
	after = g_get_real_time () / G_USEC_PER_SEC;
	node = test_manifest (f->folder);
	manifest = json_node_get_object (node);
	instant = json_object_get_string_member (manifest, "transactionTime");
	g_assert_true (g_regex_match_simple (
	    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", instant, 0, 0));
	when = g_date_time_new_from_iso8601 (instant, utc);
	g_assert_nonnull (when);
	g_assert_cmpint (g_date_time_to_unix (when), >=, before);
	g_assert_cmpint (g_date_time_to_unix (when), <=, after);
	g_assert_cmpstr (json_object_get_string_member (manifest, "request"), ==,
			 "Patient/p1/$export");
	g_assert_false (json_object_get_boolean_member (manifest, "requiresAccessToken"));
	g_assert_cmpuint (json_array_get_length (json_object_get_array_member (manifest, "error")),
			  ==, 0);
	output = json_object_get_array_member (manifest, "output");
	g_assert_cmpuint (json_array_get_length (output), ==, 2);
	file = json_array_get_object_element (output, 0);
	g_assert_cmpstr (json_object_get_string_member (file, "type"), ==, "Device");
	g_assert_cmpstr (json_object_get_string_member (file, "url"), ==, "Device.1.ndjson");
	g_assert_cmpint (json_object_get_int_member (file, "count"), ==, 1);
	file = json_array_get_object_element (output, 1);
	g_assert_cmpstr (json_object_get_string_member (file, "type"), ==, "Observation");
	g_assert_cmpstr (json_object_get_string_member (file, "url"), ==, "Observation.1.ndjson");
	g_assert_cmpint (json_object_get_int_member (file, "count"), ==, 20);
}

/* lines that are not resources of the file's type are not carried over */
static void
test_ndjson_garbage (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (0, 5, 60);
	g_autoptr(GPtrArray) replay = test_entries (0, 1, 61);
	g_autofree gchar *segment = g_build_filename (f->folder, "Observation.1.ndjson", NULL);
	g_autofree gchar *contents = NULL;
	g_autofree gchar *first_line = NULL;
	g_autoptr(GHashTable) counts = NULL;
	g_autoptr(GString) garbage = g_string_new (NULL);
	g_autoptr(GString) deep =
		       g_string_new ("{\"resourceType\":\"Observation\",\"id\":\"deep\",\"x\":");
	FILE *fp;

	test_push (f, entries, 5);
	contents = test_read (f->folder, "Observation.1.ndjson");
	first_line = g_strndup (contents, strchr (contents, '\n') - contents);
	for (guint i = 0; i < 100; i++)
		g_string_append_c (deep, '[');
	for (guint i = 0; i < 100; i++)
		g_string_append_c (deep, ']');
	g_string_append_c (deep, '}');
	g_string_append (garbage, "not json at all\n");
	g_string_append (garbage, "{\"resourceType\":\"Patient\",\"id\":\"x1\"}\n");
	g_string_append (garbage, "{\"resourceType\":\"Observation\",\"id\":\"../x\"}\n");
	g_string_append (garbage, "{\"resourceType\":\"Observation\",\"id\":7}\n");
	g_string_append_printf (garbage, "%s\n", deep->str);
	g_string_append_printf (garbage, "%s\n", first_line); /* a second line for one id */
	/* nesting json-glib would recurse into until the stack runs out */
	for (guint i = 0; i < 200000; i++)
		g_string_append_c (garbage, '[');
	g_string_append_c (garbage, '\n');
	g_string_append (garbage, "{\"resourceType\":\"Observation\",\"id\":\"cut");
	fp = fopen (segment, "a");
	g_assert_nonnull (fp);
	g_assert_cmpuint (fwrite (garbage->str, 1, garbage->len, fp), ==, garbage->len);
	fclose (fp);

	/* a replay of one id rewrites the segment */
	g_test_expect_message (
	    "OheFhir", G_LOG_LEVEL_WARNING,
	    "*/Observation.1.ndjson: dropped 7 line(s) that are not Observation resources");
	test_push (f, replay, 1);
	g_test_assert_expected_messages ();
	g_free (contents);
	contents = test_read (f->folder, "Observation.1.ndjson");
	g_assert_cmpuint (test_count_lines (f->folder, "Observation.1.ndjson"), ==, 5);
	g_assert_null (strstr (contents, "not json"));
	g_assert_null (strstr (contents, "\"resourceType\":\"Patient\""));
	g_assert_null (strstr (contents, "deep"));
	g_assert_nonnull (strstr (contents, "\"value\":61.0"));
	counts = test_manifest_counts (f->folder);
	g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "Observation.1.ndjson")),
			  ==, 5);
}

/* one folder per patient; a reference that is not Patient/<id> is hashed */
static void
test_ndjson_patients (Fixture *f, gconstpointer user_data)
{
	g_autoptr(GPtrArray) entries = test_entries (0, 3, 60);
	const gchar *patients[] = {"Patient/p1", "Patient/p-2.b", "https://ehr.example/Patient/9",
				   "Patient/..", NULL};
	g_autofree gchar *hashed = ohe_fhir_ndjson_dup_patient_dir (patients[2]);
	g_autofree gchar *dots = ohe_fhir_ndjson_dup_patient_dir (patients[3]);
	g_autofree gchar *expected = NULL;

	g_assert_cmpstr (hashed, ==, "ref-284ccaaa91ed36be90e2aa4c230b3196");
	g_assert_true (g_str_has_prefix (dots, "ref-"));
	g_assert_cmpuint (strlen (dots), ==, 36);
	for (guint i = 0; patients[i] != NULL; i++) {
		g_autoptr(OhePushRequest) request = test_request (3, patients[i]);
		g_autoptr(GError) error = NULL;
		g_autofree gchar *name = ohe_fhir_ndjson_dup_patient_dir (patients[i]);
		g_autofree gchar *folder = g_build_filename (f->out, "2026-01-01", name, NULL);
		g_autoptr(JsonNode) manifest = NULL;
		g_assert_true (
		    ohe_fhir_ndjson_transport_push (f->ndjson, entries, request, NULL, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (test_count_lines (folder, "Observation.1.ndjson"), ==, 3);
		manifest = test_manifest (folder);
		g_free (expected);
		expected = g_strdup_printf ("%s/$export", patients[i]);
		g_assert_cmpstr (
		    json_object_get_string_member (json_node_get_object (manifest), "request"), ==,
		    expected);
	}
	g_assert_true (g_file_test (f->folder, G_FILE_TEST_IS_DIR));
}

static OheSink *
test_sink_new (const gchar *out, const gchar *group, GError **error)
{
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(OheSink) sink = g_object_new (OHE_TYPE_FHIR_SINK, "name", "fhir", NULL);

	g_key_file_set_string (config, "plugin:fhir", "mapping_file",
			       OHE_SOURCE_DATADIR "/mappings/fhir-r5.json");
	g_key_file_set_string (config, "plugin:fhir", "output_dir", out);
	g_key_file_set_string (config, "plugin:fhir", "output_group", group);
	ohe_plugin_set_config (OHE_PLUGIN (sink), config);
	if (!ohe_plugin_setup (OHE_PLUGIN (sink), NULL, error))
		return NULL;
	return g_steal_pointer (&sink);
}

/* [plugin:fhir] output_group: a group by number or name, or a clear error */
static void
test_ndjson_sink_group (Fixture *f, gconstpointer user_data)
{
	g_autofree gchar *gid = g_strdup_printf ("%u", (guint)getegid ());
	g_autoptr(GError) error = NULL;
	g_autoptr(OheSink) sink = test_sink_new (f->out, "ohe-no-such-group", &error);
	g_autoptr(OhePushRequest) request = NULL;
	g_autoptr(GPtrArray) ms =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	OheMeasurement *m = ohe_measurement_new (OHE_MEASUREMENT_KIND_HEART_RATE);
	guint n_files = 0;

	g_assert_null (sink);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_cmpstr (error->message, ==,
			 "[plugin:fhir] output_group=ohe-no-such-group is not a group of this "
			 "system");
	g_clear_error (&error);

	sink = test_sink_new (f->out, gid, &error);
	g_assert_no_error (error);
	ohe_measurement_set_origin (m, OHE_MEASUREMENT_ORIGIN_STREAM);
	ohe_measurement_set_provider (m, "withings");
	ohe_measurement_set_device_id (m, "a1b2c3d4e5f6");
	ohe_measurement_set_time (m, TEST_DAY_US, TEST_DAY_US);
	ohe_measurement_set_value_decimal (m, 61, 0);
	g_ptr_array_add (ms, m);
	request = ohe_push_request_new ("link1", "Patient/p1", ms);
	g_assert_true (ohe_sink_push (sink, request, NULL, &error));
	g_assert_no_error (error);
	test_assert_modes (f->out, 0750, 0640, &n_files);
	/* Observation, Device, DeviceAssociation, the manifest, the index */
	g_assert_cmpuint (n_files, ==, 5);
}

static void
test_ndjson_unwritable (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OheFhirNdjsonTransport) ndjson =
		       ohe_fhir_ndjson_transport_new ("/proc/ohe-no-such-dir");
	g_autoptr(GPtrArray) entries = test_entries (0, 2, 60);
	g_autoptr(OhePushRequest) request = test_request (2, "Patient/p1");

	g_assert_false (ohe_fhir_ndjson_transport_check_health (ndjson, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_true (g_str_has_prefix (error->message, "cannot create /proc/ohe-no-such-dir: "));
	g_clear_error (&error);
	g_assert_false (ohe_fhir_ndjson_transport_push (ndjson, entries, request, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_assert_cmpuint (ohe_push_request_count_outcome (request, OHE_PUSH_OUTCOME_PENDING), ==,
			  2);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add ("/fhir/ndjson/replay", Fixture, NULL, fixture_setup, test_ndjson_replay,
		    fixture_teardown);
	g_test_add ("/fhir/ndjson/grown-total", Fixture, NULL, fixture_setup,
		    test_ndjson_grown_total, fixture_teardown);
	g_test_add ("/fhir/ndjson/crash-before-rename", Fixture, NULL, fixture_setup,
		    test_ndjson_crash_before_rename, fixture_teardown);
	g_test_add ("/fhir/ndjson/two-writers", Fixture, NULL, fixture_setup,
		    test_ndjson_two_writers, fixture_teardown);
	g_test_add ("/fhir/ndjson/planted", Fixture, NULL, fixture_setup, test_ndjson_planted,
		    fixture_teardown);
	g_test_add ("/fhir/ndjson/modes", Fixture, NULL, fixture_setup, test_ndjson_modes,
		    fixture_teardown);
	g_test_add ("/fhir/ndjson/manifest", Fixture, NULL, fixture_setup, test_ndjson_manifest,
		    fixture_teardown);
	g_test_add ("/fhir/ndjson/garbage", Fixture, NULL, fixture_setup, test_ndjson_garbage,
		    fixture_teardown);
	g_test_add ("/fhir/ndjson/patients", Fixture, NULL, fixture_setup, test_ndjson_patients,
		    fixture_teardown);
	g_test_add ("/fhir/ndjson/sink-output-group", Fixture, NULL, fixture_setup,
		    test_ndjson_sink_group, fixture_teardown);
	g_test_add_func ("/fhir/ndjson/unwritable", test_ndjson_unwritable);
	return g_test_run ();
}
