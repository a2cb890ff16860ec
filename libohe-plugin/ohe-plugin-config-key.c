/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-error.h"
#include "ohe-measurement-kind.h"
#include "ohe-plugin-config-key.h"

/*
 * The checks behind a plugin's key table: the same rules and the same
 * message shape as the daemon's own keys, `[group] key = 'value' is not …`.
 * A secret's value is never part of a message.
 */

/**
 * ohe_plugin_config_key_lookup:
 * @keys: (array zero-terminated=1): a key table, terminated by an entry without a name
 * @name: a key name
 *
 * Returns: (nullable) (transfer none): the entry of @name, or %NULL
 *
 * Since: 0.1
 */
const OhePluginConfigKey *
ohe_plugin_config_key_lookup (const OhePluginConfigKey *keys, const gchar *name)
{
	g_return_val_if_fail (name != NULL, NULL);
	for (guint i = 0; keys != NULL && keys[i].name != NULL; i++) {
		if (strcmp (keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

/* `'value'`, or a placeholder for a secret */
static gchar *
ohe_plugin_config_key_quote (const OhePluginConfigKey *key, const gchar *value)
{
	if (key->flags & OHE_PLUGIN_CONFIG_KEY_SECRET)
		return g_strdup ("(secret, not shown)");
	return g_strdup_printf ("'%s'", value);
}

static gboolean
ohe_plugin_config_key_is_url (const gchar *value)
{
	g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
	const gchar *scheme;

	if (uri == NULL)
		return FALSE;
	scheme = g_uri_get_scheme (uri);
	return (g_ascii_strcasecmp (scheme, "http") == 0 ||
		g_ascii_strcasecmp (scheme, "https") == 0) &&
	       g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0';
}

/* the first name in comma-separated @value that is not a kind, or NULL */
static gchar *
ohe_plugin_config_key_bad_kind (const gchar *value)
{
	g_auto(GStrv) names = g_strsplit (value, ",", -1);
	for (guint i = 0; names[i] != NULL; i++) {
		g_strstrip (names[i]);
		if (names[i][0] == '\0' ||
		    ohe_measurement_kind_from_string (names[i]) == OHE_MEASUREMENT_KIND_UNKNOWN)
			return g_strdup (names[i]);
	}
	return NULL;
}

/**
 * ohe_plugin_config_key_check:
 * @key: the table entry of the key
 * @group: the group, e.g. `plugin:withings`, for the message
 * @value: the value as written, surrounding spaces ignored; empty means not set
 * @error: a #GError, or %NULL
 *
 * Checks @value against the type and range of @key.
 *
 * Returns: %TRUE if the value is allowed
 *
 * Since: 0.1
 */
gboolean
ohe_plugin_config_key_check (const OhePluginConfigKey *key,
			     const gchar *group,
			     const gchar *value,
			     GError **error)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *shown = NULL;
	g_autofree gchar *bad_kind = NULL;
	g_autofree gchar *problem = NULL;
	gint64 number;

	g_return_val_if_fail (key != NULL && key->name != NULL, FALSE);
	g_return_val_if_fail (group != NULL && value != NULL, FALSE);

	text = g_strstrip (g_strdup (value));
	if (text[0] == '\0')
		return TRUE;
	switch (key->type) {
	case OHE_PLUGIN_CONFIG_TYPE_INT:
		if (!g_ascii_string_to_signed (text, 10, key->min, key->max, &number, NULL))
			problem = g_strdup_printf ("is not an integer between %" G_GINT64_FORMAT
						   " and %" G_GINT64_FORMAT,
						   key->min, key->max);
		break;
	case OHE_PLUGIN_CONFIG_TYPE_BOOLEAN:
		if (strcmp (text, "true") != 0 && strcmp (text, "false") != 0)
			problem = g_strdup ("is not true or false");
		break;
	case OHE_PLUGIN_CONFIG_TYPE_ENUM: {
		g_auto(GStrv) choices =
			    g_strsplit (key->choices != NULL ? key->choices : "", "|", -1);
		if (!g_strv_contains ((const gchar *const *)choices, text))
			problem = g_strdup_printf ("is not one of %s", key->choices);
		break;
	}
	case OHE_PLUGIN_CONFIG_TYPE_URL:
		if (!ohe_plugin_config_key_is_url (text))
			problem = g_strdup ("is not an http(s) URL with a host");
		break;
	case OHE_PLUGIN_CONFIG_TYPE_KINDS:
		bad_kind = ohe_plugin_config_key_bad_kind (text);
		if (bad_kind != NULL)
			problem = g_strdup_printf ("names '%s', which is not a measurement kind",
						   bad_kind);
		break;
	case OHE_PLUGIN_CONFIG_TYPE_STRING:
	default:
		break;
	}
	if (problem == NULL)
		return TRUE;
	shown = ohe_plugin_config_key_quote (key, text);
	g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT, "[%s] %s = %s %s", group,
		     key->name, shown, problem);
	return FALSE;
}

/**
 * ohe_plugin_config_keys_check_group:
 * @keys: (array zero-terminated=1): the plugin's key table
 * @keyfile: the configuration
 * @group: the plugin's group, `plugin:NAME`
 * @error: a #GError, or %NULL
 *
 * Checks every key of @group in @keyfile: a key the table does not declare
 * is refused with the list of keys it does declare (its value is not shown:
 * a mistyped secret key still holds a secret), a bad value with
 * ohe_plugin_config_key_check(). A missing group is fine.
 *
 * Returns: %TRUE if the group is valid
 *
 * Since: 0.1
 */
gboolean
ohe_plugin_config_keys_check_group (const OhePluginConfigKey *keys,
				    GKeyFile *keyfile,
				    const gchar *group,
				    GError **error)
{
	g_auto(GStrv) names = NULL;

	g_return_val_if_fail (keyfile != NULL && group != NULL, FALSE);
	names = g_key_file_get_keys (keyfile, group, NULL, NULL);
	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		const OhePluginConfigKey *key = ohe_plugin_config_key_lookup (keys, names[i]);
		g_autofree gchar *value = NULL;
		g_autoptr(GError) error_local = NULL;

		if (key == NULL) {
			g_autoptr(GString) known = g_string_new (NULL);
			for (guint j = 0; keys != NULL && keys[j].name != NULL; j++)
				g_string_append_printf (known, "%s%s", j > 0 ? ", " : "",
							keys[j].name);
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "[%s] %s: unknown key (known keys: %s)", group, names[i],
				     known->len > 0 ? known->str : "none");
			return FALSE;
		}
		/* unescaped, as the plugin reads it */
		value = g_key_file_get_string (keyfile, group, names[i], &error_local);
		if (value == NULL || error_local != NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "[%s] %s: the value holds an invalid escape sequence", group,
				     names[i]);
			return FALSE;
		}
		if (!ohe_plugin_config_key_check (key, group, value, error))
			return FALSE;
	}
	return TRUE;
}
