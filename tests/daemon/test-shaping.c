/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "ohe-engine.h"

/*
 * Shaping end to end: the fixture provider serves exactly the measurements
 * a test writes, the FHIR sink writes NDJSON, and the test reads the
 * Observations back and compares them with what it computes itself from
 * its own data. With node available the output also goes through the R5
 * validator of tests/fhir-server.
 */

/* 2026-11-01T00:00:00Z, in seconds */
#define T0   G_GINT64_CONSTANT (1793491200)
#define HOUR G_GINT64_CONSTANT (3600)

typedef struct {
	gchar *tmpdir;
	gchar *data_path;
	gchar *log_path;
	gchar *out_dir;
	OheConfig *config;
	OheEngine *engine;
	gchar *link_id;
	GString *data;
} Fixture;

/* one sample the test wrote, for its own expectations */
typedef struct {
	const gchar *kind;
	const gchar *device;
	gint64 at;
	gdouble value;
} Sample;

static void
remove_tree (const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *child = g_build_filename (path, name, NULL);
		if (g_file_test (child, G_FILE_TEST_IS_DIR))
			remove_tree (child);
		else
			g_unlink (child);
	}
	g_rmdir (path);
}

static void
fixture_setup (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *db = NULL;
	g_autofree gchar *plugin_dirs = NULL;
	g_autoptr(OheLink) link = ohe_link_new ("u1", "fixture");

	fx->tmpdir = g_dir_make_tmp ("ohe-shaping-XXXXXX", &error);
	g_assert_no_error (error);
	db = g_build_filename (fx->tmpdir, "ohed.db", NULL);
	fx->data_path = g_build_filename (fx->tmpdir, "data.txt", NULL);
	fx->log_path = g_build_filename (fx->tmpdir, "fetches.txt", NULL);
	fx->out_dir = g_build_filename (fx->tmpdir, "ndjson", NULL);
	fx->data = g_string_new (NULL);
	g_assert_true (g_file_set_contents (fx->data_path, "", 0, NULL));
	plugin_dirs = g_strdup_printf ("%s,%s,%s", g_getenv ("OHE_TEST_FIXTURE_PLUGIN_DIR"),
				       g_getenv ("OHE_TEST_FHIR_PLUGIN_DIR"),
				       g_getenv ("OHE_TEST_PLUGIN_DIR"));
	fx->config = ohe_config_new ();
	ohe_config_set_string (fx->config, "daemon", "plugin_dir", plugin_dirs);
	/* @user_data: another sink than the FHIR one, configured by the test */
	ohe_config_set_string (fx->config, "daemon", "sink",
			       user_data != NULL ? user_data : "fhir");
	ohe_config_set_string (fx->config, "plugin:nullsink", "fail_pushes", "1");
	ohe_config_set_string (fx->config, "plugin:nullsink", "unmapped_kinds", "steps");
	ohe_config_set_string (fx->config, "daemon", "state_dir", fx->tmpdir);
	ohe_config_set_string (fx->config, "store", "sqlite_path", db);
	ohe_config_set_string (fx->config, "store", "schema_dir", OHE_SOURCE_SCHEMADIR);
	ohe_config_set_string (fx->config, "plugin:fixture", "data_path", fx->data_path);
	ohe_config_set_string (fx->config, "plugin:fixture", "log_path", fx->log_path);
	ohe_config_set_string (fx->config, "plugin:fixture", "batch_size", "3");
	ohe_config_set_string (fx->config, "plugin:fhir", "output_dir", fx->out_dir);
	fx->engine = ohe_engine_new (fx->config);
	g_assert_true (ohe_engine_setup (fx->engine, NULL, &error));
	g_assert_no_error (error);
	g_assert_true (
	    ohe_store_add_user (ohe_engine_get_store (fx->engine), "u1", "Patient/p1", &error));
	g_assert_no_error (error);
	ohe_link_set_state (link, OHE_LINK_STATE_ACTIVE);
	g_assert_true (ohe_store_add_link (ohe_engine_get_store (fx->engine), link, &error));
	g_assert_no_error (error);
	fx->link_id = g_strdup (ohe_link_get_id (link));
}

static void
fixture_teardown (Fixture *fx, gconstpointer user_data)
{
	g_assert_finalize_object (fx->engine);
	g_assert_finalize_object (fx->config);
	remove_tree (fx->tmpdir);
	g_free (fx->tmpdir);
	g_free (fx->data_path);
	g_free (fx->log_path);
	g_free (fx->out_dir);
	g_free (fx->link_id);
	g_string_free (fx->data, TRUE);
}

static void
fixture_write_data (Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_file_set_contents (fx->data_path, fx->data->str, -1, &error);
	g_assert_no_error (error);
}

/* a line of the fixture provider's data; @value is a decimal or "-" */
static void
fixture_add (Fixture *fx,
	     const gchar *kind,
	     const gchar *origin,
	     gint64 start,
	     gint64 end,
	     const gchar *value,
	     const gchar *device,
	     const gchar *native_id,
	     const gchar *parent)
{
	g_string_append_printf (fx->data,
				"%s %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s %s %s%s%s\n",
				kind, origin, start, end, value, device, native_id,
				parent != NULL ? " " : "", parent != NULL ? parent : "");
}

static void
fixture_add_sample (Fixture *fx, GArray *samples, const Sample *s, const gchar *native_id)
{
	gchar value[32];
	g_snprintf (value, sizeof (value), "%.1f", s->value);
	fixture_add (fx, s->kind, "stream", s->at, s->at, value, s->device, native_id, NULL);
	g_array_append_val (samples, *s);
}

static void
fixture_set_aggregation (Fixture *fx, const gchar *mode)
{
	g_autoptr(GError) error = NULL;
	g_assert_true (
	    ohe_store_set_user_aggregation (ohe_engine_get_store (fx->engine), "u1", mode, &error));
	g_assert_no_error (error);
}

/* runs one job; @start/@end in seconds, both 0 for a job from the link's cursor */
static OheJob *
fixture_run (Fixture *fx, gint64 start, gint64 end, OheSyncStats *stats)
{
	g_autoptr(GError) error = NULL;
	OheJob *job = ohe_job_new (fx->link_id, "fixture", OHE_JOB_PRIORITY_INCREMENTAL);

	if (start != 0 || end != 0)
		ohe_job_set_window (job, start * G_USEC_PER_SEC, end * G_USEC_PER_SEC);
	g_assert_true (ohe_engine_run_job (fx->engine, job, stats, NULL, &error));
	g_assert_no_error (error);
	return job;
}

/* the provider's fetch log, one "START END KINDS CURSOR" line each */
static GStrv
fixture_fetches (Fixture *fx)
{
	g_autofree gchar *text = NULL;
	if (!g_file_get_contents (fx->log_path, &text, NULL, NULL))
		return g_new0 (gchar *, 1);
	return g_strsplit (g_strstrip (text), "\n", -1);
}

static void
fixture_clear_fetches (Fixture *fx)
{
	g_unlink (fx->log_path);
}

static void
collect_ndjson (const gchar *dir, GPtrArray *files)
{
	g_autoptr(GDir) gdir = g_dir_open (dir, 0, NULL);
	const gchar *name;

	while (gdir != NULL && (name = g_dir_read_name (gdir)) != NULL) {
		gchar *child = g_build_filename (dir, name, NULL);
		if (g_file_test (child, G_FILE_TEST_IS_DIR)) {
			collect_ndjson (child, files);
			g_free (child);
		} else if (g_str_has_suffix (name, ".ndjson")) {
			g_ptr_array_add (files, child);
		} else {
			g_free (child);
		}
	}
}

/* every Observation written so far, by id */
static GHashTable *
fixture_observations (Fixture *fx)
{
	GHashTable *by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						   (GDestroyNotify)json_object_unref);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

	collect_ndjson (fx->out_dir, files);
	for (guint f = 0; f < files->len; f++) {
		g_autofree gchar *text = NULL;
		g_auto(GStrv) lines = NULL;

		g_autofree gchar *base = g_path_get_basename (g_ptr_array_index (files, f));

		/* the segments <day>/<patient>/Observation.<n>.ndjson */
		if (!g_str_has_prefix (base, "Observation.") || !g_str_has_suffix (base, ".ndjson"))
			continue;
		g_assert_true (
		    g_file_get_contents (g_ptr_array_index (files, f), &text, NULL, NULL));
		lines = g_strsplit (text, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autoptr(JsonParser) parser = json_parser_new ();
			g_autoptr(GError) error = NULL;
			JsonObject *o;

			if (lines[i][0] == '\0')
				continue;
			json_parser_load_from_data (parser, lines[i], -1, &error);
			g_assert_no_error (error);
			o = json_node_get_object (json_parser_get_root (parser));
			g_assert_false (
			    g_hash_table_contains (by_id, json_object_get_string_member (o, "id")));
			g_hash_table_insert (by_id,
					     g_strdup (json_object_get_string_member (o, "id")),
					     json_object_ref (o));
		}
	}
	return by_id;
}

/* the R5 validator of tests/fhir-server over everything the sink wrote */
static void
fixture_validate (Fixture *fx)
{
	const gchar *node = g_getenv ("OHE_TEST_FHIR_NODE");
	const gchar *validator = g_getenv ("OHE_TEST_FHIR_VALIDATOR");
	g_autoptr(GPtrArray) argv = g_ptr_array_new ();
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr(GError) error = NULL;
	gint status;

	if (node == NULL || node[0] == '\0' || validator == NULL) {
		g_test_message ("no node: the R5 validator was not run");
		return;
	}
	collect_ndjson (fx->out_dir, files);
	g_assert_cmpuint (files->len, >, 0);
	g_ptr_array_add (argv, (gpointer)node);
	g_ptr_array_add (argv, (gpointer)validator);
	for (guint i = 0; i < files->len; i++)
		g_ptr_array_add (argv, g_ptr_array_index (files, i));
	g_ptr_array_add (argv, NULL);
	g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
		      &status, &error);
	g_assert_no_error (error);
	if (!g_spawn_check_wait_status (status, NULL))
		g_error ("R5 validator: %s%s", out, err);
}

static const gchar *
obs_code (JsonObject *o)
{
	JsonObject *code = json_object_get_object_member (o, "code");
	JsonArray *coding = json_object_get_array_member (code, "coding");
	return json_object_get_string_member (json_array_get_object_element (coding, 0), "code");
}

static gboolean
obs_is_aggregate (JsonObject *o)
{
	return json_object_has_member (o, "effectivePeriod") &&
	       json_object_has_member (o, "component") &&
	       !json_object_has_member (o, "derivedFrom");
}

static gint64
obs_period_start (JsonObject *o)
{
	JsonObject *period = json_object_get_object_member (o, "effectivePeriod");
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (
	    json_object_get_string_member (period, "start"), NULL);
	g_assert_nonnull (dt);
	return g_date_time_to_unix (dt);
}

static gint64
obs_period_end (JsonObject *o)
{
	JsonObject *period = json_object_get_object_member (o, "effectivePeriod");
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (
	    json_object_get_string_member (period, "end"), NULL);
	g_assert_nonnull (dt);
	return g_date_time_to_unix (dt);
}

static const gchar *
obs_device (JsonObject *o)
{
	JsonObject *device;
	if (!json_object_has_member (o, "device"))
		return NULL;
	device = json_object_get_object_member (o, "device");
	return json_object_get_string_member (device, "reference");
}

/* a statistic component (observation-statistics code) of an aggregate */
static gboolean
obs_statistic (JsonObject *o, const gchar *statistic, gdouble *value)
{
	JsonArray *components = json_object_get_array_member (o, "component");
	for (guint i = 0; i < json_array_get_length (components); i++) {
		JsonObject *c = json_array_get_object_element (components, i);
		if (g_strcmp0 (obs_code (c), statistic) != 0)
			continue;
		if (json_object_has_member (c, "valueInteger"))
			*value = (gdouble)json_object_get_int_member (c, "valueInteger");
		else
			*value = json_object_get_double_member (
			    json_object_get_object_member (c, "valueQuantity"), "value");
		return TRUE;
	}
	return FALSE;
}

/* statistics of @samples of @kind and @device in the hour starting at @hour */
typedef struct {
	guint count;
	gdouble min;
	gdouble max;
	gdouble sum;
} Expected;

static Expected
expect_hour (GArray *samples, const gchar *kind, const gchar *device, gint64 hour)
{
	Expected e = {0, INFINITY, -INFINITY, 0};
	for (guint i = 0; i < samples->len; i++) {
		const Sample *s = &g_array_index (samples, Sample, i);
		if (strcmp (s->kind, kind) != 0 || strcmp (s->device, device) != 0 ||
		    s->at < hour || s->at >= hour + HOUR)
			continue;
		e.count++;
		e.min = MIN (e.min, s->value);
		e.max = MAX (e.max, s->value);
		e.sum += s->value;
	}
	return e;
}

/*
 * Finds the one aggregate of LOINC @code and hour @hour whose device
 * reference belongs to @device (the Device id is a hash, so devices are
 * told apart by @device_refs, filled by the caller in order of first use).
 */
static JsonObject *
find_aggregate (GHashTable *observations, const gchar *code, gint64 hour, const gchar *device_ref)
{
	GHashTableIter iter;
	JsonObject *o;
	JsonObject *found = NULL;

	g_hash_table_iter_init (&iter, observations);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&o)) {
		if (!obs_is_aggregate (o) || g_strcmp0 (obs_code (o), code) != 0 ||
		    obs_period_start (o) != hour ||
		    (device_ref != NULL && g_strcmp0 (obs_device (o), device_ref) != 0))
			continue;
		g_assert_null (found);
		found = o;
	}
	return found;
}

static void
assert_mean_aggregate (JsonObject *o, const Expected *e, gint64 hour)
{
	gdouble v;
	g_assert_nonnull (o);
	g_assert_cmpint (obs_period_start (o), ==, hour);
	g_assert_cmpint (obs_period_end (o), ==, hour + HOUR);
	g_assert_false (json_object_has_member (o, "valueQuantity"));
	g_assert_true (obs_statistic (o, "count", &v));
	g_assert_cmpfloat (v, ==, (gdouble)e->count);
	g_assert_true (obs_statistic (o, "minimum", &v));
	g_assert_cmpfloat_with_epsilon (v, e->min, 1e-9);
	g_assert_true (obs_statistic (o, "maximum", &v));
	g_assert_cmpfloat_with_epsilon (v, e->max, 1e-9);
	g_assert_true (obs_statistic (o, "average", &v));
	g_assert_cmpfloat_with_epsilon (v, e->sum / e->count, 1e-6);
}

#define LOINC_HEART_RATE "8867-4"
#define LOINC_STEPS	 "55423-8"
#define LOINC_WEIGHT	 "29463-7"

/* hours 10 and 11 of T0's day, two watches, steps, a weigh-in and a sample at 09:59 */
static GArray *
fixture_add_day (Fixture *fx)
{
	GArray *samples = g_array_new (FALSE, FALSE, sizeof (Sample));
	gchar native_id[32];
	guint n = 0;

	for (gint k = 0; k < 9; k++) {
		Sample s = {"heart_rate", "watch-1", T0 + 10 * HOUR + k * 7 * 60, 60 + k * 1.5};
		g_snprintf (native_id, sizeof (native_id), "hr-%u", n++);
		fixture_add_sample (fx, samples, &s, native_id);
	}
	for (gint k = 0; k < 6; k++) {
		Sample s = {"heart_rate", "watch-1", T0 + 11 * HOUR + k * 600 + 30,
			    90 - k * 2.5 + (k % 2) * 7};
		g_snprintf (native_id, sizeof (native_id), "hr-%u", n++);
		fixture_add_sample (fx, samples, &s, native_id);
	}
	for (gint k = 0; k < 2; k++) {
		Sample s = {"heart_rate", "watch-2", T0 + 10 * HOUR + 1200 + k * 60, 70.5 + k};
		g_snprintf (native_id, sizeof (native_id), "hr-%u", n++);
		fixture_add_sample (fx, samples, &s, native_id);
	}
	{
		static const gdouble steps[] = {100, 250, 37};
		for (guint k = 0; k < G_N_ELEMENTS (steps); k++) {
			Sample s = {"steps", "watch-1", T0 + 10 * HOUR + 300 + k * 900, steps[k]};
			g_snprintf (native_id, sizeof (native_id), "st-%u", k);
			fixture_add_sample (fx, samples, &s, native_id);
		}
	}
	fixture_add (fx, "body_weight", "spot", T0 + 10 * HOUR + 1800, T0 + 10 * HOUR + 1800,
		     "72.35", "scale-1", "w-1", NULL);
	/* outside the widened window of the windowed job */
	fixture_add (fx, "heart_rate", "stream", T0 + 10 * HOUR - 60, T0 + 10 * HOUR - 60, "99",
		     "watch-1", "hr-early", NULL);
	fixture_write_data (fx);
	return samples;
}

/* @with_hour_9: the early sample was fetched too (a job without a window) */
static void
assert_day (GHashTable *observations, GArray *samples, gboolean with_hour_9)
{
	GHashTableIter iter;
	JsonObject *o;
	JsonObject *steps;
	const gchar *watch_1 = NULL;
	gdouble v;
	Expected e;
	guint aggregates = 0;

	/* the steps aggregate names watch-1's Device: find it first */
	steps = find_aggregate (observations, LOINC_STEPS, T0 + 10 * HOUR, NULL);
	g_assert_nonnull (steps);
	watch_1 = obs_device (steps);
	g_assert_nonnull (watch_1);
	e = expect_hour (samples, "steps", "watch-1", T0 + 10 * HOUR);
	g_assert_true (json_object_has_member (steps, "valueQuantity"));
	g_assert_cmpfloat_with_epsilon (
	    json_object_get_double_member (json_object_get_object_member (steps, "valueQuantity"),
					   "value"),
	    e.sum, 1e-9);
	g_assert_true (obs_statistic (steps, "count", &v));
	g_assert_cmpfloat (v, ==, 3);

	e = expect_hour (samples, "heart_rate", "watch-1", T0 + 10 * HOUR);
	assert_mean_aggregate (
	    find_aggregate (observations, LOINC_HEART_RATE, T0 + 10 * HOUR, watch_1), &e,
	    T0 + 10 * HOUR);
	e = expect_hour (samples, "heart_rate", "watch-1", T0 + 11 * HOUR);
	assert_mean_aggregate (
	    find_aggregate (observations, LOINC_HEART_RATE, T0 + 11 * HOUR, watch_1), &e,
	    T0 + 11 * HOUR);

	/* watch-2's hour 10 is an aggregate of its own */
	g_hash_table_iter_init (&iter, observations);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&o)) {
		if (!obs_is_aggregate (o))
			continue;
		aggregates++;
		if (obs_period_start (o) == T0 + 9 * HOUR) {
			g_assert_true (with_hour_9);
			e = expect_hour (samples, "heart_rate", "watch-1", T0 + 9 * HOUR);
			g_assert_cmpuint (e.count, ==, 1);
			assert_mean_aggregate (o, &e, T0 + 9 * HOUR);
			continue;
		}
		if (g_strcmp0 (obs_code (o), LOINC_HEART_RATE) == 0 &&
		    g_strcmp0 (obs_device (o), watch_1) != 0) {
			e = expect_hour (samples, "heart_rate", "watch-2", T0 + 10 * HOUR);
			g_assert_cmpuint (e.count, ==, 2);
			assert_mean_aggregate (o, &e, T0 + 10 * HOUR);
		}
		/* the early sample never joins hour 10 */
		g_assert_cmpint (obs_period_start (o), >=, T0 + 10 * HOUR);
	}
	g_assert_cmpuint (aggregates, ==, with_hour_9 ? 5 : 4);
}

static void
test_hourly_window (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GArray) samples = fixture_add_day (fx);
	g_autoptr(GHashTable) observations = NULL;
	g_autoptr(OheJob) job = NULL;
	g_auto(GStrv) fetches = NULL;
	g_autofree gchar *widened = NULL;
	OheSyncStats stats = {0};
	guint individual = 0;
	GHashTableIter iter;
	JsonObject *o;

	fixture_set_aggregation (fx, "hourly");
	/* 10:20 to 11:40: the engine widens it to 10:00 to 12:00 */
	job = fixture_run (fx, T0 + 10 * HOUR + 1200, T0 + 11 * HOUR + 2400, &stats);

	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 1);
	widened = g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " ", T0 + 10 * HOUR,
				   T0 + 12 * HOUR);
	g_assert_true (g_str_has_prefix (fetches[0], widened));

	/* every fetched item is accounted for: 17 heart rates, 3 steps, 1 weight */
	g_assert_cmpuint (stats.fetched, ==, 21);
	g_assert_cmpuint (stats.written, ==, 21);
	g_assert_cmpuint (stats.aggregates, ==, 4);
	g_assert_cmpuint (stats.hours_refetched, ==, 0);

	observations = fixture_observations (fx);
	g_assert_cmpuint (expect_hour (samples, "heart_rate", "watch-1", T0 + 10 * HOUR).count, ==,
			  9);
	g_assert_cmpuint (expect_hour (samples, "heart_rate", "watch-1", T0 + 11 * HOUR).count, ==,
			  6);
	assert_day (observations, samples, FALSE);
	g_hash_table_iter_init (&iter, observations);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&o)) {
		if (obs_is_aggregate (o))
			continue;
		/* a spot reading is always written as it came */
		individual++;
		g_assert_cmpstr (obs_code (o), ==, LOINC_WEIGHT);
	}
	g_assert_cmpuint (individual, ==, 1);
	fixture_validate (fx);
	ohe_sync_stats_clear (&stats);
}

static void
test_hourly_late_data (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GArray) samples = fixture_add_day (fx);
	g_autoptr(GHashTable) before = NULL;
	g_autoptr(GHashTable) after = NULL;
	g_autoptr(OheJob) first = NULL;
	g_autoptr(OheJob) second = NULL;
	g_auto(GStrv) fetches = NULL;
	g_autofree gchar *hour_10 = NULL;
	JsonObject *old_agg;
	JsonObject *new_agg;
	const gchar *watch_1;
	OheSyncStats stats = {0};
	Expected e;
	Sample late = {"heart_rate", "watch-1", T0 + 10 * HOUR + 3500, 41.5};

	fixture_set_aggregation (fx, "hourly");
	/* from the link's cursor: everything the provider has; the early sample is in hour 9 */
	g_array_append_val (samples, ((Sample){"heart_rate", "watch-1", T0 + 10 * HOUR - 60, 99}));
	first = fixture_run (fx, 0, 0, &stats);
	g_assert_cmpuint (stats.aggregates, ==, 5);
	ohe_sync_stats_clear (&stats);
	before = fixture_observations (fx);
	old_agg = find_aggregate (
	    before, LOINC_HEART_RATE, T0 + 10 * HOUR,
	    obs_device (find_aggregate (before, LOINC_STEPS, T0 + 10 * HOUR, NULL)));
	g_assert_nonnull (old_agg);

	/* a sample of hour 10 arrives late: the next incremental fetch brings only it */
	fixture_clear_fetches (fx);
	fixture_add_sample (fx, samples, &late, "hr-late");
	fixture_write_data (fx);
	second = fixture_run (fx, 0, 0, &stats);
	g_assert_cmpuint (stats.fetched, ==, 1);
	g_assert_cmpuint (stats.written, ==, 1);
	/* the hour of heart rate is rewritten for both watches that have samples in it */
	g_assert_cmpuint (stats.aggregates, ==, 2);
	g_assert_cmpuint (stats.hours_refetched, ==, 1);

	/* the whole hour was fetched again, for heart rate only */
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 2);
	hour_10 = g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " heart_rate -",
				   T0 + 10 * HOUR, T0 + 11 * HOUR);
	g_assert_cmpstr (fetches[1], ==, hour_10);

	/* one aggregate per hour still, under the same id, with the hour's new values */
	after = fixture_observations (fx);
	g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
	watch_1 = obs_device (find_aggregate (after, LOINC_STEPS, T0 + 10 * HOUR, NULL));
	new_agg = find_aggregate (after, LOINC_HEART_RATE, T0 + 10 * HOUR, watch_1);
	g_assert_cmpstr (json_object_get_string_member (new_agg, "id"), ==,
			 json_object_get_string_member (old_agg, "id"));
	e = expect_hour (samples, "heart_rate", "watch-1", T0 + 10 * HOUR);
	g_assert_cmpuint (e.count, ==, 10);
	g_assert_cmpfloat (e.min, ==, 41.5);
	assert_mean_aggregate (new_agg, &e, T0 + 10 * HOUR);
	assert_day (after, samples, TRUE);
	fixture_validate (fx);
	ohe_sync_stats_clear (&stats);
}

/* children of the parent with @parent_native_id: derivedFrom names its Observation */
static guint
count_children (GHashTable *observations, const gchar *parent_id, GPtrArray *values)
{
	GHashTableIter iter;
	JsonObject *o;
	guint n = 0;

	g_hash_table_iter_init (&iter, observations);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&o)) {
		JsonArray *derived;
		const gchar *ref;
		if (!json_object_has_member (o, "derivedFrom"))
			continue;
		derived = json_object_get_array_member (o, "derivedFrom");
		ref = json_object_get_string_member (json_array_get_object_element (derived, 0),
						     "reference");
		if (!g_str_has_suffix (ref, parent_id))
			continue;
		n++;
		if (values != NULL && json_object_has_member (o, "valueQuantity"))
			g_ptr_array_add (values,
					 g_strdup_printf ("%g", json_object_get_double_member (
								    json_object_get_object_member (
									o, "valueQuantity"),
								    "value")));
	}
	return n;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the Observation id of the parent with native id @native_id and LOINC @code */
static const gchar *
find_parent_id (GHashTable *observations, const gchar *code, gint64 start)
{
	GHashTableIter iter;
	JsonObject *o;

	g_hash_table_iter_init (&iter, observations);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&o)) {
		if (g_strcmp0 (obs_code (o), code) == 0 &&
		    json_object_has_member (o, "effectivePeriod") && obs_period_start (o) == start)
			return json_object_get_string_member (o, "id");
	}
	return NULL;
}

#define LOINC_ECG "11524-6"
#define MDC_RR	  "147240"

static void
test_linked_heart_rate (Fixture *fx, gconstpointer user_data)
{
	g_autoptr(GHashTable) observations = NULL;
	g_autoptr(OheJob) job = NULL;
	g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
	g_auto(GStrv) fetches = NULL;
	g_autofree gchar *ecg_window = NULL;
	g_autofree gchar *rr_window = NULL;
	const gchar *ecg_1;
	const gchar *ecg_2;
	const gchar *rr_1;
	OheSyncStats stats = {0};
	gint64 e1 = T0 + 14 * HOUR;
	gint64 e2 = T0 + 15 * HOUR;
	gint64 r1 = T0 + 16 * HOUR;

	/* ecg-1 and rr-1 come without heart rate, ecg-2 with the provider's own */
	fixture_add (fx, "ecg", "spot", e1, e1 + 30, "-", "watch-1", "ecg-1", NULL);
	fixture_add (fx, "ecg", "spot", e2, e2 + 30, "-", "watch-1", "ecg-2", NULL);
	fixture_add (fx, "heart_rate", "spot", e2, e2 + 30, "64", "watch-1", "ecg-2-hr",
		     "ecg ecg-2");
	fixture_add (fx, "rr_intervals", "stream", r1, r1 + 60, "-", "strap-1", "rr-1", NULL);
	/* the heart-rate stream: inside and just outside the recordings */
	fixture_add (fx, "heart_rate", "stream", e1 - 10, e1 - 10, "58", "watch-1", "s-1", NULL);
	fixture_add (fx, "heart_rate", "stream", e1 + 5, e1 + 5, "61", "watch-1", "s-2", NULL);
	fixture_add (fx, "heart_rate", "stream", e1 + 20, e1 + 20, "63", "watch-1", "s-3", NULL);
	fixture_add (fx, "heart_rate", "stream", e1 + 30, e1 + 30, "66", "watch-1", "s-4", NULL);
	fixture_add (fx, "heart_rate", "stream", e2 + 10, e2 + 10, "70", "watch-1", "s-5", NULL);
	fixture_add (fx, "heart_rate", "stream", r1 + 30, r1 + 30, "75", "strap-1", "s-6", NULL);
	fixture_write_data (fx);

	job = fixture_run (fx, T0 + 13 * HOUR, T0 + 17 * HOUR, &stats);
	/* 10 fetched, 3 heart-rate samples again as children */
	g_assert_cmpuint (stats.linked, ==, 3);
	g_assert_cmpuint (stats.fetched, ==, 13);
	g_assert_cmpuint (stats.written, ==, 13);

	/* one linked fetch per recording without heart rate, over its interval */
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 3);
	ecg_window =
	    g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " heart_rate -", e1, e1 + 30);
	rr_window =
	    g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " heart_rate -", r1, r1 + 60);
	g_assert_true (g_strv_contains ((const gchar *const *)fetches, ecg_window));
	g_assert_true (g_strv_contains ((const gchar *const *)fetches, rr_window));

	observations = fixture_observations (fx);
	ecg_1 = find_parent_id (observations, LOINC_ECG, e1);
	ecg_2 = find_parent_id (observations, LOINC_ECG, e2);
	rr_1 = find_parent_id (observations, MDC_RR, r1);
	g_assert_nonnull (ecg_1);
	g_assert_nonnull (ecg_2);
	g_assert_nonnull (rr_1);
	g_assert_cmpuint (count_children (observations, ecg_1, values), ==, 2);
	g_ptr_array_sort (values, compare_strings);
	g_assert_cmpstr (g_ptr_array_index (values, 0), ==, "61");
	g_assert_cmpstr (g_ptr_array_index (values, 1), ==, "63");
	/* the provider's own value is enough: no stream sample added */
	g_ptr_array_set_size (values, 0);
	g_assert_cmpuint (count_children (observations, ecg_2, values), ==, 1);
	g_assert_cmpstr (g_ptr_array_index (values, 0), ==, "64");
	g_ptr_array_set_size (values, 0);
	g_assert_cmpuint (count_children (observations, rr_1, values), ==, 1);
	g_assert_cmpstr (g_ptr_array_index (values, 0), ==, "75");
	fixture_validate (fx);
	ohe_sync_stats_clear (&stats);
}

/* the organisation's rules and the user's consent decide whether a child is fetched */
static void
test_linked_rules (Fixture *fx, gconstpointer user_data)
{
	OheStore *store = ohe_engine_get_store (fx->engine);
	g_autoptr(OheOrganisationPolicy) policy = ohe_organisation_policy_new ("clinic");
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJob) job = NULL;
	g_autoptr(OheLink) link = NULL;
	g_auto(GStrv) fetches = NULL;
	OheSyncStats stats = {0};
	gint64 e1 = T0 + 14 * HOUR;
	const gchar *const ecg_only[] = {"ecg", NULL};

	fixture_add (fx, "ecg", "spot", e1, e1 + 30, "-", "watch-1", "ecg-1", NULL);
	fixture_add (fx, "heart_rate", "stream", e1 + 5, e1 + 5, "61", "watch-1", "s-1", NULL);
	fixture_write_data (fx);

	/* an organisation without linked-data rules: no extra fetch */
	g_assert_true (ohe_organisation_policy_set_key (policy, "linked", "none", &error));
	g_assert_true (ohe_store_save_policy (store, policy, &error));
	g_assert_true (ohe_store_set_user_organisation (store, "u1", "clinic", &error));
	g_assert_no_error (error);
	job = fixture_run (fx, T0 + 13 * HOUR, T0 + 15 * HOUR, &stats);
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 1);
	g_assert_cmpuint (stats.linked, ==, 0);
	g_assert_cmpuint (stats.written, ==, 2);
	ohe_sync_stats_clear (&stats);
	g_clear_object (&job);
	g_clear_pointer (&fetches, g_strfreev);

	/* the rule again, but the user consents to ECG only: consent beats completeness */
	fixture_clear_fetches (fx);
	g_assert_true (
	    ohe_organisation_policy_set_key (policy, "linked", "ecg:heart_rate", &error));
	g_assert_true (ohe_store_save_policy (store, policy, &error));
	link = ohe_store_get_link (store, fx->link_id, &error);
	g_assert_no_error (error);
	ohe_link_set_kinds (link, ecg_only);
	g_assert_true (ohe_store_update_link (store, link, &error));
	g_assert_no_error (error);
	job = fixture_run (fx, T0 + 13 * HOUR, T0 + 15 * HOUR, &stats);
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 1);
	g_assert_cmpuint (stats.linked, ==, 0);
	g_assert_cmpuint (stats.written, ==, 1);
	g_assert_cmpuint (stats.filtered_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==, 1);
	g_assert_cmpstr (stats.filter_reason_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==,
			 OHE_PUSH_REASON_NOT_CONSENTED);
	ohe_sync_stats_clear (&stats);
}

static void
test_policy_filtered (Fixture *fx, gconstpointer user_data)
{
	OheStore *store = ohe_engine_get_store (fx->engine);
	g_autoptr(OheOrganisationPolicy) policy = ohe_organisation_policy_new ("clinic");
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) samples = NULL;
	g_autoptr(GHashTable) observations = NULL;
	g_autoptr(OheJob) job = NULL;
	g_auto(GStrv) fetches = NULL;
	OheSyncStats stats = {0};
	GHashTableIter iter;
	JsonObject *o;

	g_assert_true (
	    ohe_organisation_policy_set_key (policy, "allowed_kinds", "heart_rate,ecg", &error));
	g_assert_true (ohe_store_save_policy (store, policy, &error));
	g_assert_true (ohe_store_set_user_organisation (store, "u1", "clinic", &error));
	g_assert_no_error (error);
	samples = fixture_add_day (fx);

	job = fixture_run (fx, T0, T0 + 24 * HOUR, &stats);
	/* no request asks for a kind outside the policy */
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 1);
	g_assert_null (strstr (fetches[0], "steps"));
	g_assert_null (strstr (fetches[0], "body_weight"));
	g_assert_nonnull (strstr (fetches[0], "heart_rate"));

	/* what the provider sent anyway is counted as filtered, with the reason */
	g_assert_cmpuint (stats.fetched, ==, 22);
	g_assert_cmpuint (stats.written, ==, 18);
	g_assert_cmpuint (stats.filtered, ==, 4);
	g_assert_cmpuint (stats.filtered_by_kind[OHE_MEASUREMENT_KIND_STEPS], ==, 3);
	g_assert_cmpuint (stats.filtered_by_kind[OHE_MEASUREMENT_KIND_BODY_WEIGHT], ==, 1);
	g_assert_cmpstr (stats.filter_reason_by_kind[OHE_MEASUREMENT_KIND_STEPS], ==,
			 OHE_PUSH_REASON_POLICY);
	g_assert_cmpint (
	    ohe_store_get_job_outcome (store, ohe_job_get_id (job), "steps", "filtered", &error),
	    ==, 3);
	g_assert_cmpint (ohe_store_get_job_outcome (store, ohe_job_get_id (job), "body_weight",
						    "filtered", &error),
			 ==, 1);
	g_assert_no_error (error);

	/* and never reaches FHIR */
	observations = fixture_observations (fx);
	g_assert_cmpuint (g_hash_table_size (observations), ==, 18);
	g_hash_table_iter_init (&iter, observations);
	while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&o))
		g_assert_cmpstr (obs_code (o), ==, LOINC_HEART_RATE);
	ohe_sync_stats_clear (&stats);
}

static void
test_policy_aggregation_and_backfill (Fixture *fx, gconstpointer user_data)
{
	OheStore *store = ohe_engine_get_store (fx->engine);
	g_autoptr(OheOrganisationPolicy) policy = ohe_organisation_policy_new ("clinic");
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
	g_autoptr(OheJob) job = NULL;
	g_auto(GStrv) fetches = NULL;
	g_autoptr(GHashTable) observations = NULL;
	OheSyncStats stats = {0};
	gint64 now = g_get_real_time () / G_USEC_PER_SEC;
	gint64 earliest = now - 2 * 24 * HOUR;
	gint64 hour = now - now % HOUR - 3 * HOUR;
	gint64 from, to;
	Expected e;

	/* the organisation makes everyone hourly, whatever the user chose */
	g_assert_true (ohe_organisation_policy_set_key (policy, "aggregation", "hourly", &error));
	g_assert_true (
	    ohe_organisation_policy_set_key (policy, "aggregation_override", "true", &error));
	g_assert_true (ohe_organisation_policy_set_key (policy, "max_backfill_days", "2", &error));
	g_assert_true (ohe_store_save_policy (store, policy, &error));
	g_assert_true (ohe_store_set_user_organisation (store, "u1", "clinic", &error));
	g_assert_no_error (error);
	fixture_set_aggregation (fx, "individual");
	for (gint k = 0; k < 3; k++) {
		Sample s = {"heart_rate", "watch-1", hour + 600 + k * 900, 80 + k * 4.5};
		g_autofree gchar *native_id = g_strdup_printf ("now-%d", k);
		fixture_add_sample (fx, samples, &s, native_id);
	}
	fixture_write_data (fx);

	/* a window wholly before the backfill limit fetches nothing (T0 is weeks ago) */
	g_assert_cmpint (now, >, T0 + 3 * 24 * HOUR);
	job = fixture_run (fx, T0, T0 + 24 * HOUR, &stats);
	g_assert_true (stats.nothing_asked);
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 0);
	g_clear_object (&job);
	ohe_sync_stats_clear (&stats);

	/* a window reaching further back starts at the limit, in whole hours */
	job = fixture_run (fx, now - 30 * 24 * HOUR, now, &stats);
	g_strfreev (fetches);
	fetches = fixture_fetches (fx);
	g_assert_cmpuint (g_strv_length (fetches), ==, 1);
	g_assert_cmpint (sscanf (fetches[0], "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &from, &to),
			 ==, 2);
	g_assert_cmpint (from % HOUR, ==, 0);
	g_assert_cmpint (from, >=, earliest);
	/* the engine's clock read the time a moment later than this test */
	g_assert_cmpint (from, <=, earliest + HOUR + 60);
	g_assert_cmpint (to % HOUR, ==, 0);
	g_assert_cmpint (to, >=, now);

	/* with the override the organisation's hourly beats the user's individual */
	g_assert_cmpuint (stats.fetched, ==, 3);
	g_assert_cmpuint (stats.aggregates, ==, 1);
	observations = fixture_observations (fx);
	g_assert_cmpuint (g_hash_table_size (observations), ==, 1);
	e = expect_hour (samples, "heart_rate", "watch-1", hour);
	g_assert_cmpuint (e.count, ==, 3);
	assert_mean_aggregate (find_aggregate (observations, LOINC_HEART_RATE, hour, NULL), &e,
			       hour);
	ohe_sync_stats_clear (&stats);
}

static void
test_policy_store (Fixture *fx, gconstpointer user_data)
{
	OheStore *store = ohe_engine_get_store (fx->engine);
	g_autoptr(OheOrganisationPolicy) policy = ohe_organisation_policy_new ("clinic");
	g_autoptr(OheOrganisationPolicy) read = NULL;
	g_autoptr(OheOrganisationPolicy) none = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	OheAggregationMode mode = OHE_AGGREGATION_MODE_HOURLY;

	/* a user without an organisation: the defaults */
	none = ohe_store_dup_user_policy (store, "u1", &mode, &error);
	g_assert_no_error (error);
	g_assert_cmpint (mode, ==, OHE_AGGREGATION_MODE_INDIVIDUAL);
	g_assert_true (ohe_organisation_policy_allows_kind (none, OHE_MEASUREMENT_KIND_STEPS));
	g_assert_true (ohe_organisation_policy_requires_linked (none, OHE_MEASUREMENT_KIND_ECG,
								OHE_MEASUREMENT_KIND_HEART_RATE));
	g_assert_true (ohe_organisation_policy_requires_linked (
	    none, OHE_MEASUREMENT_KIND_RR_INTERVALS, OHE_MEASUREMENT_KIND_HEART_RATE));
	g_clear_object (&none);

	g_assert_true (
	    ohe_organisation_policy_set_key (policy, "allowed_kinds", "heart_rate, steps", &error));
	g_assert_true (ohe_organisation_policy_set_key (policy, "aggregation", "hourly", &error));
	g_assert_true (
	    ohe_organisation_policy_set_key (policy, "linked", "ecg:heart_rate", &error));
	g_assert_true (ohe_organisation_policy_set_key (policy, "max_backfill_days", "90", &error));
	g_assert_no_error (error);
	/* bad keys and values name the problem and change nothing */
	g_assert_false (
	    ohe_organisation_policy_set_key (policy, "allowed_kinds", "heart_rate,pulse", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull (strstr (error->message, "'pulse' is not a measurement kind"));
	g_clear_error (&error);
	g_assert_false (ohe_organisation_policy_set_key (policy, "allowed_kinds", " , ", &error));
	g_assert_nonnull (strstr (error->message, "name at least one kind, or all"));
	g_clear_error (&error);
	g_assert_false (ohe_organisation_policy_set_key (policy, "aggregation", "daily", &error));
	g_assert_nonnull (strstr (error->message, "'daily'"));
	g_clear_error (&error);
	g_assert_false (ohe_organisation_policy_set_key (policy, "linked", "ecg", &error));
	g_assert_nonnull (strstr (error->message, "PARENT:CHILD"));
	g_clear_error (&error);
	g_assert_false (
	    ohe_organisation_policy_set_key (policy, "max_backfill_days", "-1", &error));
	g_clear_error (&error);
	g_assert_false (ohe_organisation_policy_set_key (policy, "colour", "blue", &error));
	g_assert_nonnull (strstr (error->message, "unknown policy key 'colour'"));
	g_clear_error (&error);

	g_assert_true (ohe_store_save_policy (store, policy, &error));
	g_assert_no_error (error);
	read = ohe_store_get_policy (store, "clinic", &error);
	g_assert_no_error (error);
	text = ohe_organisation_policy_format (read);
	g_assert_cmpstr (text, ==,
			 "allowed_kinds=heart_rate,steps\naggregation=hourly\n"
			 "aggregation_override=false\nlinked=ecg:heart_rate\n"
			 "max_backfill_days=90\n");
	g_assert_false (ohe_organisation_policy_allows_kind (read, OHE_MEASUREMENT_KIND_SPO2));
	g_assert_false (ohe_organisation_policy_requires_linked (
	    read, OHE_MEASUREMENT_KIND_RR_INTERVALS, OHE_MEASUREMENT_KIND_HEART_RATE));

	/* the user's own choice counts unless the organisation overrides it */
	g_assert_true (ohe_store_set_user_organisation (store, "u1", "clinic", &error));
	g_assert_true (ohe_store_set_user_aggregation (store, "u1", "individual", &error));
	none = ohe_store_dup_user_policy (store, "u1", &mode, &error);
	g_assert_no_error (error);
	g_assert_cmpint (mode, ==, OHE_AGGREGATION_MODE_INDIVIDUAL);
	g_clear_object (&none);
	g_assert_true (ohe_store_set_user_aggregation (store, "u1", NULL, &error));
	none = ohe_store_dup_user_policy (store, "u1", &mode, &error);
	g_assert_cmpint (mode, ==, OHE_AGGREGATION_MODE_HOURLY);
	g_clear_object (&none);

	/* unknown organisations, users and modes are refused by name */
	g_assert_false (ohe_store_set_user_organisation (store, "u1", "nowhere", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (ohe_store_set_user_aggregation (store, "u9", "hourly", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
	g_clear_error (&error);
	g_assert_false (ohe_store_set_user_aggregation (store, "u1", "weekly", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_clear_error (&error);
	g_assert_null (ohe_store_get_policy (store, "nowhere", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND);
}

static OheMeasurement *
make_measurement (OheMeasurementKind kind, OheMeasurementOrigin origin, gint64 at, gdouble value)
{
	OheMeasurement *m = ohe_measurement_new (kind);
	ohe_measurement_set_origin (m, origin);
	ohe_measurement_set_time (m, at * G_USEC_PER_SEC, at * G_USEC_PER_SEC);
	ohe_measurement_set_value (m, value);
	ohe_measurement_set_device_id (m, "watch-1");
	return m;
}

/* which measurements the aggregator takes, and what it makes of them */
static void
test_aggregator_rules (void)
{
	g_autoptr(OheHourlyAggregator) aggregator = ohe_hourly_aggregator_new ("fixture");
	g_autoptr(GPtrArray) items =
		       g_ptr_array_new_with_free_func ((GDestroyNotify)ohe_measurement_unref);
	g_autoptr(OheBatch) batch = NULL;
	g_autoptr(GPtrArray) aggregates = NULL;
	g_autoptr(GArray) absorbed = NULL;
	OheMeasurement *child;
	OheMeasurement *summary;
	gdouble v;

	g_assert_cmpint (ohe_hour_floor (2 * HOUR * G_USEC_PER_SEC), ==, 2 * HOUR * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_hour_floor (2 * HOUR * G_USEC_PER_SEC - 1), ==, HOUR * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_hour_floor (-1), ==, -HOUR * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_hour_ceil (HOUR * G_USEC_PER_SEC + 1), ==, 2 * HOUR * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_hour_ceil (HOUR * G_USEC_PER_SEC), ==, HOUR * G_USEC_PER_SEC);

	/* aggregated: stream heart rate and steps */
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 10, 60));
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 3599, 80));
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_STEPS,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 100, 40));
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_STEPS,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 200, 2));
	/* individual: a spot reading, a summary, a linked child, HRV, a retraction */
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE,
						  OHE_MEASUREMENT_ORIGIN_SPOT, T0 + 20, 70));
	summary = make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, OHE_MEASUREMENT_ORIGIN_SUMMARY,
				    T0 + 30, 71);
	g_ptr_array_add (items, summary);
	child = make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE, OHE_MEASUREMENT_ORIGIN_STREAM,
				  T0 + 40, 72);
	ohe_measurement_set_parent (child, OHE_MEASUREMENT_KIND_ECG, "ecg-1");
	g_ptr_array_add (items, child);
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_HRV_RMSSD,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 50, 42));
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 60, 73));
	ohe_measurement_set_retracted (g_ptr_array_index (items, items->len - 1), TRUE);
	/* already answered by the shaper: left alone */
	g_ptr_array_add (items, make_measurement (OHE_MEASUREMENT_KIND_HEART_RATE,
						  OHE_MEASUREMENT_ORIGIN_STREAM, T0 + 70, 300));

	batch = ohe_batch_new (items, NULL);
	ohe_batch_set_outcome (batch, items->len - 1, OHE_PUSH_OUTCOME_FILTERED,
			       OHE_PUSH_REASON_POLICY);
	ohe_hourly_aggregator_absorb (aggregator, batch);
	for (guint i = 0; i < 4; i++) {
		g_assert_cmpint (ohe_batch_get_outcome (batch, i), ==, OHE_PUSH_OUTCOME_WRITTEN);
		g_assert_cmpstr (ohe_batch_get_reason (batch, i), ==, OHE_HOURLY_AGGREGATOR_REASON);
	}
	for (guint i = 4; i < items->len - 1; i++)
		g_assert_cmpint (ohe_batch_get_outcome (batch, i), ==, OHE_PUSH_OUTCOME_PENDING);
	g_assert_cmpint (ohe_batch_get_outcome (batch, items->len - 1), ==,
			 OHE_PUSH_OUTCOME_FILTERED);
	g_assert_cmpuint (
	    ohe_hourly_aggregator_get_absorbed (aggregator, OHE_MEASUREMENT_KIND_HEART_RATE), ==,
	    2);
	g_assert_cmpuint (
	    ohe_hourly_aggregator_get_absorbed (aggregator, OHE_MEASUREMENT_KIND_STEPS), ==, 2);

	aggregates = ohe_hourly_aggregator_build (aggregator, &absorbed);
	g_assert_cmpuint (aggregates->len, ==, 2);
	/* heart rate: minimum, maximum, mean, count and no sum */
	g_assert_cmpint (ohe_measurement_get_kind (g_ptr_array_index (aggregates, 0)), ==,
			 OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_true (ohe_measurement_validate (g_ptr_array_index (aggregates, 0), NULL));
	g_assert_true (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 0),
						      OHE_STATISTIC_MEAN, &v));
	g_assert_cmpfloat (v, ==, 70);
	g_assert_true (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 0),
						      OHE_STATISTIC_MINIMUM, &v));
	g_assert_cmpfloat (v, ==, 60);
	g_assert_true (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 0),
						      OHE_STATISTIC_MAXIMUM, &v));
	g_assert_cmpfloat (v, ==, 80);
	g_assert_false (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 0),
						       OHE_STATISTIC_SUM, &v));
	g_assert_cmpint (ohe_measurement_get_start (g_ptr_array_index (aggregates, 0)), ==,
			 T0 * G_USEC_PER_SEC);
	g_assert_cmpint (ohe_measurement_get_end (g_ptr_array_index (aggregates, 0)), ==,
			 (T0 + HOUR) * G_USEC_PER_SEC);
	/* steps: sum and count, no mean */
	g_assert_true (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 1),
						      OHE_STATISTIC_SUM, &v));
	g_assert_cmpfloat (v, ==, 42);
	g_assert_true (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 1),
						      OHE_STATISTIC_COUNT, &v));
	g_assert_cmpfloat (v, ==, 2);
	g_assert_false (ohe_measurement_get_statistic (g_ptr_array_index (aggregates, 1),
						       OHE_STATISTIC_MEAN, &v));
	g_assert_cmpuint (g_array_index (absorbed, guint64, 0), ==, 2);
	g_assert_cmpuint (g_array_index (absorbed, guint64, 1), ==, 2);

	/* a window covering the hour needs nothing again; a cursor fetch needs both kinds */
	{
		g_autoptr(GArray) none = ohe_hourly_aggregator_dup_uncovered (
		    aggregator, T0 * G_USEC_PER_SEC, (T0 + HOUR) * G_USEC_PER_SEC);
		g_autoptr(GArray) all = ohe_hourly_aggregator_dup_uncovered (aggregator, 0, 0);
		g_assert_cmpuint (none->len, ==, 0);
		g_assert_cmpuint (all->len, ==, 2);
	}
}

/*
 * A sink that fails the push of the aggregates: the job fails, no cursor is
 * stored and nothing counts as written; the retry writes them. An aggregate
 * the sink filters counts its samples as filtered.
 */
static void
test_aggregates_failure_and_filtered (Fixture *fx, gconstpointer user_data)
{
	OheStore *store = ohe_engine_get_store (fx->engine);
	g_autoptr(GError) error = NULL;
	g_autoptr(OheJob) job = ohe_job_new (fx->link_id, "fixture", OHE_JOB_PRIORITY_INCREMENTAL);
	g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (Sample));
	g_autofree gchar *cursor = NULL;
	OheSyncStats stats = {0};

	for (gint k = 0; k < 5; k++) {
		Sample s = {"heart_rate", "watch-1", T0 + k * 700, 60 + k};
		g_autofree gchar *native_id = g_strdup_printf ("hr-%d", k);
		fixture_add_sample (fx, samples, &s, native_id);
	}
	for (gint k = 0; k < 3; k++) {
		Sample s = {"steps", "watch-1", T0 + k * 1000, 10 + k};
		g_autofree gchar *native_id = g_strdup_printf ("st-%d", k);
		fixture_add_sample (fx, samples, &s, native_id);
	}
	fixture_write_data (fx);
	fixture_set_aggregation (fx, "hourly");

	/* the only push is the one of the aggregates, and it fails */
	g_assert_false (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE);
	g_clear_error (&error);
	g_assert_cmpuint (stats.fetched, ==, 8);
	g_assert_cmpuint (stats.written, ==, 0);
	g_assert_cmpuint (stats.written_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==, 0);
	cursor = ohe_store_get_cursor (store, fx->link_id, "default", &error);
	g_assert_no_error (error);
	g_assert_null (cursor);
	ohe_sync_stats_clear (&stats);

	/* the retry: heart rate written as one aggregate, steps filtered as not mapped */
	g_assert_true (ohe_engine_run_job (fx->engine, job, &stats, NULL, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (stats.fetched, ==, 8);
	g_assert_cmpuint (stats.aggregates, ==, 1);
	g_assert_cmpuint (stats.written, ==, 5);
	g_assert_cmpuint (stats.written_by_kind[OHE_MEASUREMENT_KIND_HEART_RATE], ==, 5);
	g_assert_cmpuint (stats.filtered, ==, 3);
	g_assert_cmpuint (stats.filtered_by_kind[OHE_MEASUREMENT_KIND_STEPS], ==, 3);
	g_assert_cmpstr (stats.filter_reason_by_kind[OHE_MEASUREMENT_KIND_STEPS], ==,
			 OHE_PUSH_REASON_NOT_MAPPED);
	cursor = ohe_store_get_cursor (store, fx->link_id, "default", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (cursor, ==, "8");
	ohe_sync_stats_clear (&stats);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/shaping/aggregator-rules", test_aggregator_rules);
	g_test_add ("/shaping/hourly-window", Fixture, NULL, fixture_setup, test_hourly_window,
		    fixture_teardown);
	g_test_add ("/shaping/hourly-late-data", Fixture, NULL, fixture_setup,
		    test_hourly_late_data, fixture_teardown);
	g_test_add ("/shaping/aggregates-failure-and-filtered", Fixture, "nullsink", fixture_setup,
		    test_aggregates_failure_and_filtered, fixture_teardown);
	g_test_add ("/shaping/linked-heart-rate", Fixture, NULL, fixture_setup,
		    test_linked_heart_rate, fixture_teardown);
	g_test_add ("/shaping/linked-rules", Fixture, NULL, fixture_setup, test_linked_rules,
		    fixture_teardown);
	g_test_add ("/shaping/policy-filtered", Fixture, NULL, fixture_setup, test_policy_filtered,
		    fixture_teardown);
	g_test_add ("/shaping/policy-aggregation-and-backfill", Fixture, NULL, fixture_setup,
		    test_policy_aggregation_and_backfill, fixture_teardown);
	g_test_add ("/shaping/policy-store", Fixture, NULL, fixture_setup, test_policy_store,
		    fixture_teardown);
	return g_test_run ();
}
