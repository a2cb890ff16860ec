/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-error.h"
#include "ohe-plugin.h"
#include "ohe-private-file.h"

typedef struct {
	gchar *name;		 /* owned */
	GKeyFile *config;	 /* owned, nullable */
	OheMetrics *metrics;	 /* owned */
	OheRateLimiter *limiter; /* owned, nullable */
	GMutex mutex;		 /* protects config and limiter */
	/* the host's key/value state, set once before setup */
	OhePluginStateLookupFunc state_lookup;
	OhePluginStateSaveFunc state_save;
	gpointer state_data;
	GDestroyNotify state_data_free;
} OhePluginPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (OhePlugin, ohe_plugin, G_TYPE_OBJECT)
#define GET_PRIVATE(o) (ohe_plugin_get_instance_private (o))

enum { PROP_0, PROP_NAME, PROP_METRICS, PROP_RATE_LIMITER, PROP_LAST };
static GParamSpec *ohe_plugin_props[PROP_LAST] = {NULL};

/**
 * ohe_plugin_get_name:
 * @self: an #OhePlugin
 *
 * Returns: the plugin name, e.g. `withings`
 *
 * Since: 0.1
 */
const gchar *
ohe_plugin_get_name (OhePlugin *self)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	return priv->name;
}

/**
 * ohe_plugin_get_metrics:
 * @self: an #OhePlugin
 *
 * Returns: (transfer none): the metrics registry shared with the host
 *
 * Since: 0.1
 */
OheMetrics *
ohe_plugin_get_metrics (OhePlugin *self)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	if (priv->metrics == NULL)
		priv->metrics = ohe_metrics_new ();
	return priv->metrics;
}

/**
 * ohe_plugin_set_metrics:
 * @self: an #OhePlugin
 * @metrics: the host's registry
 *
 * Since: 0.1
 */
void
ohe_plugin_set_metrics (OhePlugin *self, OheMetrics *metrics)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_return_if_fail (OHE_IS_PLUGIN (self));
	g_set_object (&priv->metrics, metrics);
}

/**
 * ohe_plugin_get_rate_limiter:
 * @self: an #OhePlugin
 *
 * The limiter provider budgets are kept with. The host sets one backed by its store
 * before setup, so that every process using that store (the daemon, ohectl) shares the
 * providers' budgets. Without one, each HTTP client counts its own requests, on its own
 * clock, within this process only.
 *
 * Returns: (transfer full) (nullable): the host's rate limiter, or %NULL
 *
 * Since: 0.1
 */
OheRateLimiter *
ohe_plugin_get_rate_limiter (OhePlugin *self)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	OheRateLimiter *limiter;
	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	g_mutex_lock (&priv->mutex);
	limiter = priv->limiter != NULL ? g_object_ref (priv->limiter) : NULL;
	g_mutex_unlock (&priv->mutex);
	return limiter;
}

/**
 * ohe_plugin_set_rate_limiter:
 * @self: an #OhePlugin
 * @limiter: (nullable): the host's limiter, %NULL for none
 *
 * Called by the host before setup.
 *
 * Since: 0.1
 */
void
ohe_plugin_set_rate_limiter (OhePlugin *self, OheRateLimiter *limiter)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_return_if_fail (OHE_IS_PLUGIN (self));
	g_return_if_fail (limiter == NULL || OHE_IS_RATE_LIMITER (limiter));
	g_mutex_lock (&priv->mutex);
	g_set_object (&priv->limiter, limiter);
	g_mutex_unlock (&priv->mutex);
	g_object_notify_by_pspec (G_OBJECT (self), ohe_plugin_props[PROP_RATE_LIMITER]);
}

/**
 * ohe_plugin_set_config:
 * @self: an #OhePlugin
 * @config: the daemon configuration, with environment overrides applied
 *
 * Called by the host before setup.
 *
 * Since: 0.1
 */
void
ohe_plugin_set_config (OhePlugin *self, GKeyFile *config)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_return_if_fail (OHE_IS_PLUGIN (self));
	g_mutex_lock (&priv->mutex);
	g_clear_pointer (&priv->config, g_key_file_unref);
	if (config != NULL)
		priv->config = g_key_file_ref (config);
	g_mutex_unlock (&priv->mutex);
}

/**
 * ohe_plugin_class_set_config_keys:
 * @klass: the plugin class, in its class_init
 * @keys: (array zero-terminated=1): a static table of the keys the plugin reads,
 *   terminated by an entry whose name is %NULL
 *
 * Declares the plugin's configuration keys (see #OhePluginConfigKey): the
 * daemon checks the plugin's `[plugin:NAME]` group against them before
 * setup and refuses to start on an unknown key or a bad value.
 *
 * Since: 0.1
 */
void
ohe_plugin_class_set_config_keys (OhePluginClass *klass, const OhePluginConfigKey *keys)
{
	g_return_if_fail (OHE_IS_PLUGIN_CLASS (klass));
	klass->config_keys = keys;
}

/**
 * ohe_plugin_get_config_keys:
 * @self: an #OhePlugin
 *
 * Returns: (nullable) (transfer none): the key table of the plugin's class,
 *   or %NULL if it declares none
 *
 * Since: 0.1
 */
const OhePluginConfigKey *
ohe_plugin_get_config_keys (OhePlugin *self)
{
	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	return OHE_PLUGIN_GET_CLASS (self)->config_keys;
}

/**
 * ohe_plugin_get_config_group:
 * @self: an #OhePlugin
 *
 * Returns: (transfer full): the configuration group of the plugin, `plugin:NAME`
 *
 * Since: 0.1
 */
gchar *
ohe_plugin_get_config_group (OhePlugin *self)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	return g_strdup_printf ("plugin:%s", priv->name);
}

/**
 * ohe_plugin_get_config_string:
 * @self: an #OhePlugin
 * @key: a key of the plugin's configuration group
 * @default_value: (nullable): the value when the key is not set
 *
 * Returns: (transfer full) (nullable): the value
 *
 * Since: 0.1
 */
gchar *
ohe_plugin_get_config_string (OhePlugin *self, const gchar *key, const gchar *default_value)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_autofree gchar *group = ohe_plugin_get_config_group (self);
	gchar *value = NULL;

	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	g_mutex_lock (&priv->mutex);
	if (priv->config != NULL)
		value = g_key_file_get_string (priv->config, group, key, NULL);
	g_mutex_unlock (&priv->mutex);
	if (value == NULL)
		return g_strdup (default_value);
	return value;
}

/**
 * ohe_plugin_get_config_trimmed:
 * @self: an #OhePlugin
 * @key: a key of the plugin's configuration group
 * @fallback: (nullable): the value when the key is unset, empty or blank
 *
 * The helper every plugin wants for URLs, ids and names: the value without
 * surrounding white space, where a key set to nothing counts as unset.
 *
 * Returns: (transfer full) (nullable): the trimmed value, or a copy of @fallback
 *
 * Since: 0.1
 */
gchar *
ohe_plugin_get_config_trimmed (OhePlugin *self, const gchar *key, const gchar *fallback)
{
	g_autofree gchar *value = ohe_plugin_get_config_string (self, key, NULL);
	if (value != NULL)
		g_strstrip (value);
	if (value == NULL || value[0] == '\0')
		return g_strdup (fallback);
	return g_steal_pointer (&value);
}

/**
 * ohe_plugin_get_config_secret:
 * @self: an #OhePlugin
 * @key: the key holding the secret itself
 * @file_key: (nullable): the key naming a file whose first line is the secret
 * @error: a #GError, or %NULL
 *
 * Reads a secret from the configuration: @key wins; otherwise the first line
 * of the file named by @file_key, which must not be readable by others. The
 * error names the key and the file, never the secret.
 *
 * Returns: (transfer full) (nullable): the secret; %NULL without @error when
 *   neither key is set, %NULL with @error when the file is unusable or empty
 *
 * Since: 0.1
 */
gchar *
ohe_plugin_get_config_secret (OhePlugin *self,
			      const gchar *key,
			      const gchar *file_key,
			      GError **error)
{
	g_autofree gchar *filename = NULL;
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error_local = NULL;
	gchar *secret;
	gchar *eol;

	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	g_return_val_if_fail (key != NULL, NULL);
	secret = ohe_plugin_get_config_trimmed (self, key, NULL);
	if (secret != NULL || file_key == NULL)
		return secret;
	filename = ohe_plugin_get_config_trimmed (self, file_key, NULL);
	if (filename == NULL)
		return NULL;
	if (!ohe_private_file_check (filename, file_key, error)) {
		g_prefix_error (error, "plugin %s: ", ohe_plugin_get_name (self));
		return NULL;
	}
	if (!g_file_get_contents (filename, &contents, NULL, &error_local)) {
		/* GFileError messages name the file, never its contents */
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "plugin %s: cannot read %s: %s", ohe_plugin_get_name (self), file_key,
			     error_local->message);
		return NULL;
	}
	eol = strpbrk (contents, "\r\n");
	if (eol != NULL)
		*eol = '\0';
	g_strstrip (contents);
	if (contents[0] == '\0') {
		memset (contents, 0, strlen (contents));
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
			     "plugin %s: %s %s is empty", ohe_plugin_get_name (self), file_key,
			     filename);
		return NULL;
	}
	secret = g_strdup (contents);
	memset (contents, 0, strlen (contents));
	return secret;
}

/**
 * ohe_plugin_get_config_int:
 * @self: an #OhePlugin
 * @key: a key of the plugin's configuration group
 * @default_value: the value when the key is not set or not a number
 *
 * Returns: the value
 *
 * Since: 0.1
 */
gint64
ohe_plugin_get_config_int (OhePlugin *self, const gchar *key, gint64 default_value)
{
	g_autofree gchar *text = ohe_plugin_get_config_string (self, key, NULL);
	gint64 value;
	if (text == NULL)
		return default_value;
	if (!g_ascii_string_to_signed (g_strstrip (text), 10, G_MININT64, G_MAXINT64, &value,
				       NULL)) {
		g_warning ("plugin %s: config key %s is not an integer, using %" G_GINT64_FORMAT,
			   ohe_plugin_get_name (self), key, default_value);
		return default_value;
	}
	return value;
}

/**
 * ohe_plugin_get_config_boolean:
 * @self: an #OhePlugin
 * @key: a key of the plugin's configuration group
 * @default_value: the value when the key is not set or not a boolean
 *
 * Returns: the value
 *
 * Since: 0.1
 */
gboolean
ohe_plugin_get_config_boolean (OhePlugin *self, const gchar *key, gboolean default_value)
{
	g_autofree gchar *text = ohe_plugin_get_config_string (self, key, NULL);
	if (text == NULL)
		return default_value;
	g_strstrip (text);
	if (g_ascii_strcasecmp (text, "true") == 0 || g_strcmp0 (text, "1") == 0)
		return TRUE;
	if (g_ascii_strcasecmp (text, "false") == 0 || g_strcmp0 (text, "0") == 0)
		return FALSE;
	g_warning ("plugin %s: config key %s is not a boolean", ohe_plugin_get_name (self), key);
	return default_value;
}

/**
 * ohe_plugin_get_state_dir:
 * @self: an #OhePlugin
 *
 * The directory where the plugin may keep files, e.g. output or caches: a
 * folder named after the plugin inside the daemon's `[daemon] state_dir`.
 * The plugin creates it when it needs it.
 *
 * Returns: (transfer full) (nullable): the path, or %NULL when the host has no state directory
 *
 * Since: 0.1
 */
gchar *
ohe_plugin_get_state_dir (OhePlugin *self)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_autofree gchar *state_dir = NULL;

	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	g_mutex_lock (&priv->mutex);
	if (priv->config != NULL)
		state_dir = g_key_file_get_string (priv->config, "daemon", "state_dir", NULL);
	g_mutex_unlock (&priv->mutex);
	if (state_dir == NULL || g_strstrip (state_dir)[0] == '\0')
		return NULL;
	return g_build_filename (state_dir, priv->name, NULL);
}

/**
 * ohe_plugin_set_state_store:
 * @self: an #OhePlugin
 * @lookup: (scope notified) (nullable): reads a value
 * @save: (scope notified) (nullable): writes or (value %NULL) forgets a value
 * @user_data: (closure): data for both functions
 * @user_data_free: (destroy user_data) (nullable): frees @user_data with the plugin
 *
 * Called by the host before ohe_plugin_setup(): gives the plugin a small
 * persistent key/value state of its own (the daemon keeps it in its store),
 * for facts learned at run time that should survive a restart and be shared
 * by every process using the same store, e.g. the entry limit a FHIR server
 * enforces. Never for health data or secrets.
 *
 * Since: 0.1
 */
void
ohe_plugin_set_state_store (OhePlugin *self,
			    OhePluginStateLookupFunc lookup,
			    OhePluginStateSaveFunc save,
			    gpointer user_data,
			    GDestroyNotify user_data_free)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);

	g_return_if_fail (OHE_IS_PLUGIN (self));
	g_mutex_lock (&priv->mutex);
	if (priv->state_data_free != NULL)
		priv->state_data_free (priv->state_data);
	priv->state_lookup = lookup;
	priv->state_save = save;
	priv->state_data = user_data;
	priv->state_data_free = user_data_free;
	g_mutex_unlock (&priv->mutex);
}

/**
 * ohe_plugin_lookup_state:
 * @self: an #OhePlugin
 * @key: a key the plugin chose, e.g. `entry-limit/batch/https://ehr.example/fhir`
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the value; %NULL without an error when the key is
 *   not set or the host keeps no state
 *
 * Since: 0.1
 */
gchar *
ohe_plugin_lookup_state (OhePlugin *self, const gchar *key, GError **error)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);

	g_return_val_if_fail (OHE_IS_PLUGIN (self), NULL);
	g_return_val_if_fail (key != NULL, NULL);
	if (priv->state_lookup == NULL)
		return NULL;
	return priv->state_lookup (priv->state_data, priv->name, key, error);
}

/**
 * ohe_plugin_save_state:
 * @self: an #OhePlugin
 * @key: a key the plugin chose
 * @value: (nullable): the value; %NULL forgets the key
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE once the value is stored; %FALSE with %OHE_ERROR_NOT_SUPPORTED when the
 *   host keeps no state
 *
 * Since: 0.1
 */
gboolean
ohe_plugin_save_state (OhePlugin *self, const gchar *key, const gchar *value, GError **error)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);

	g_return_val_if_fail (OHE_IS_PLUGIN (self), FALSE);
	g_return_val_if_fail (key != NULL, FALSE);
	if (priv->state_save == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "plugin %s: the host keeps no plugin state", priv->name);
		return FALSE;
	}
	return priv->state_save (priv->state_data, priv->name, key, value, error);
}

/**
 * ohe_plugin_setup:
 * @self: an #OhePlugin
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Runs the plugin's setup; may block, so call it from a worker thread.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
ohe_plugin_setup (OhePlugin *self, GCancellable *cancellable, GError **error)
{
	OhePluginClass *klass = OHE_PLUGIN_GET_CLASS (self);
	g_return_val_if_fail (OHE_IS_PLUGIN (self), FALSE);
	if (klass->setup == NULL)
		return TRUE;
	return klass->setup (self, cancellable, error);
}

static void
ohe_plugin_setup_thread (GTask *task,
			 gpointer source,
			 gpointer task_data,
			 GCancellable *cancellable)
{
	GError *error = NULL;
	if (!ohe_plugin_setup (OHE_PLUGIN (source), cancellable, &error)) {
		g_task_return_error (task, error);
		return;
	}
	g_task_return_boolean (task, TRUE);
}

/**
 * ohe_plugin_setup_async:
 * @self: an #OhePlugin
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Runs ohe_plugin_setup() on a worker thread.
 *
 * Since: 0.1
 */
void
ohe_plugin_setup_async (OhePlugin *self,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
	g_task_set_source_tag (task, ohe_plugin_setup_async);
	g_task_run_in_thread (task, ohe_plugin_setup_thread);
}

/**
 * ohe_plugin_setup_finish:
 * @self: an #OhePlugin
 * @res: the #GAsyncResult
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
ohe_plugin_setup_finish (OhePlugin *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
	return g_task_propagate_boolean (G_TASK (res), error);
}

/**
 * ohe_plugin_shutdown:
 * @self: an #OhePlugin
 *
 * Since: 0.1
 */
void
ohe_plugin_shutdown (OhePlugin *self)
{
	OhePluginClass *klass = OHE_PLUGIN_GET_CLASS (self);
	g_return_if_fail (OHE_IS_PLUGIN (self));
	if (klass->shutdown != NULL)
		klass->shutdown (self);
}

static void
ohe_plugin_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	OhePlugin *self = OHE_PLUGIN (object);
	OhePluginPrivate *priv = GET_PRIVATE (self);
	switch (prop_id) {
	case PROP_NAME:
		g_value_set_string (value, priv->name);
		break;
	case PROP_METRICS:
		g_value_set_object (value, priv->metrics);
		break;
	case PROP_RATE_LIMITER:
		g_value_take_object (value, ohe_plugin_get_rate_limiter (self));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ohe_plugin_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	OhePlugin *self = OHE_PLUGIN (object);
	OhePluginPrivate *priv = GET_PRIVATE (self);
	switch (prop_id) {
	case PROP_NAME:
		g_free (priv->name);
		priv->name = g_value_dup_string (value);
		break;
	case PROP_METRICS:
		ohe_plugin_set_metrics (self, g_value_get_object (value));
		break;
	case PROP_RATE_LIMITER:
		ohe_plugin_set_rate_limiter (self, g_value_get_object (value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
		break;
	}
}

static void
ohe_plugin_finalize (GObject *object)
{
	OhePlugin *self = OHE_PLUGIN (object);
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_free (priv->name);
	g_clear_pointer (&priv->config, g_key_file_unref);
	g_clear_object (&priv->metrics);
	g_clear_object (&priv->limiter);
	if (priv->state_data_free != NULL)
		priv->state_data_free (priv->state_data);
	g_mutex_clear (&priv->mutex);
	G_OBJECT_CLASS (ohe_plugin_parent_class)->finalize (object);
}

static void
ohe_plugin_class_init (OhePluginClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	object_class->get_property = ohe_plugin_get_property;
	object_class->set_property = ohe_plugin_set_property;
	object_class->finalize = ohe_plugin_finalize;

	/**
	 * OhePlugin:name:
	 *
	 * The plugin name, set by the host from the plugin's query function.
	 *
	 * Since: 0.1
	 */
	ohe_plugin_props[PROP_NAME] = g_param_spec_string (
	    "name", NULL, NULL, NULL,
	    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	/**
	 * OhePlugin:metrics:
	 *
	 * The metrics registry shared with the host.
	 *
	 * Since: 0.1
	 */
	ohe_plugin_props[PROP_METRICS] = g_param_spec_object (
	    "metrics", NULL, NULL, OHE_TYPE_METRICS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
	/**
	 * OhePlugin:rate-limiter:
	 *
	 * Where provider budgets are kept, see ohe_plugin_get_rate_limiter().
	 *
	 * Since: 0.1
	 */
	ohe_plugin_props[PROP_RATE_LIMITER] = g_param_spec_object (
	    "rate-limiter", NULL, NULL, OHE_TYPE_RATE_LIMITER,
	    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties (object_class, PROP_LAST, ohe_plugin_props);
}

static void
ohe_plugin_init (OhePlugin *self)
{
	OhePluginPrivate *priv = GET_PRIVATE (self);
	g_mutex_init (&priv->mutex);
}
