/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "oheplugin.h"

/* a provider's table: the OAuth2 keys and one of each type */
static const OhePluginConfigKey test_keys[] = {
    OHE_OAUTH2_PROVIDER_CONFIG_KEYS,
    {.name = "page_size",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .default_value = "100",
     .min = 1,
     .max = 1000,
     .summary = "items per page"},
    {.name = "offset",
     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
     .min = -5,
     .max = 5,
     .summary = "a signed range"},
    {.name = "verbose",
     .type = OHE_PLUGIN_CONFIG_TYPE_BOOLEAN,
     .default_value = "false",
     .summary = "more log lines"},
    {.name = "mode",
     .type = OHE_PLUGIN_CONFIG_TYPE_ENUM,
     .default_value = "put",
     .choices = "put|post",
     .summary = "write mode"},
    {.name = "kinds", .type = OHE_PLUGIN_CONFIG_TYPE_KINDS, .summary = "kinds"},
    {.name = "api_key",
     .type = OHE_PLUGIN_CONFIG_TYPE_STRING,
     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET,
     .summary = "a secret"},
    {NULL},
};

static const struct {
	const gchar *key;
	const gchar *value;
	const gchar *message; /* NULL: accepted */
} test_values[] = {
    /* empty means "not set", whatever the type */
    {"page_size", "", NULL},
    {"page_size", "  ", NULL},
    {"page_size", "1", NULL},
    {"page_size", " 1000 ", NULL},
    {"page_size", "0", "[plugin:test] page_size = '0' is not an integer between 1 and 1000"},
    {"page_size", "1001", "[plugin:test] page_size = '1001' is not an integer between 1 and 1000"},
    {"page_size", "12abc",
     "[plugin:test] page_size = '12abc' is not an integer between 1 and 1000"},
    {"page_size", "1e3", "[plugin:test] page_size = '1e3' is not an integer between 1 and 1000"},
    {"offset", "-5", NULL},
    {"offset", "-6", "[plugin:test] offset = '-6' is not an integer between -5 and 5"},
    {"verbose", "true", NULL},
    {"verbose", "false", NULL},
    {"verbose", "yes", "[plugin:test] verbose = 'yes' is not true or false"},
    {"verbose", "1", "[plugin:test] verbose = '1' is not true or false"},
    {"mode", "post", NULL},
    {"mode", "PUT", "[plugin:test] mode = 'PUT' is not one of put|post"},
    {"mode", "patch", "[plugin:test] mode = 'patch' is not one of put|post"},
    {"authorize_url", "https://account.example/oauth2/authorize", NULL},
    {"token_url", "http://127.0.0.1:8080/token", NULL},
    {"token_url", "ftp://example.org/token",
     "[plugin:test] token_url = 'ftp://example.org/token' is not an http(s) URL with a host"},
    {"token_url", "example.org/token",
     "[plugin:test] token_url = 'example.org/token' is not an http(s) URL with a host"},
    {"token_url", "https:///token",
     "[plugin:test] token_url = 'https:///token' is not an http(s) URL with a host"},
    {"kinds", "heart_rate", NULL},
    {"kinds", "heart_rate, steps,spo2", NULL},
    {"kinds", "heart_rate,stpes",
     "[plugin:test] kinds = 'heart_rate,stpes' names 'stpes', which is not a measurement kind"},
    {"kinds", "heart_rate,,steps",
     "[plugin:test] kinds = 'heart_rate,,steps' names '', which is not a measurement kind"},
    {"client_id", "any text at all", NULL},
    {"api_key", "s3cr3t", NULL},
};

static void
test_config_key_values (void)
{
	for (guint i = 0; i < G_N_ELEMENTS (test_values); i++) {
		const OhePluginConfigKey *key =
		    ohe_plugin_config_key_lookup (test_keys, test_values[i].key);
		g_autoptr(GError) error = NULL;
		gboolean ok;

		g_assert_nonnull (key);
		ok = ohe_plugin_config_key_check (key, "plugin:test", test_values[i].value, &error);
		if (test_values[i].message == NULL) {
			g_assert_no_error (error);
			g_assert_true (ok);
		} else {
			g_assert_false (ok);
			g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
			g_assert_cmpstr (error->message, ==, test_values[i].message);
		}
	}
}

static void
test_config_key_lookup (void)
{
	const OhePluginConfigKey *key = ohe_plugin_config_key_lookup (test_keys, "client_secret");

	g_assert_nonnull (key);
	g_assert_cmpint (key->type, ==, OHE_PLUGIN_CONFIG_TYPE_STRING);
	g_assert_true (key->flags & OHE_PLUGIN_CONFIG_KEY_SECRET);
	key = ohe_plugin_config_key_lookup (test_keys, "client_secret_file");
	g_assert_false (key->flags & OHE_PLUGIN_CONFIG_KEY_SECRET);
	g_assert_nonnull (ohe_plugin_config_key_lookup (test_keys, "scope"));
	g_assert_cmpstr (ohe_plugin_config_key_lookup (test_keys, "page_size")->default_value, ==,
			 "100");
	g_assert_null (ohe_plugin_config_key_lookup (test_keys, "page"));
	g_assert_null (ohe_plugin_config_key_lookup (test_keys, "PAGE_SIZE"));
	g_assert_null (ohe_plugin_config_key_lookup (NULL, "page_size"));
}

/* a secret's value never appears in a message, however it is wrong */
static void
test_config_key_secret (void)
{
	static const OhePluginConfigKey secret_int[] = {
	    {.name = "pin",
	     .type = OHE_PLUGIN_CONFIG_TYPE_INT,
	     .min = 0,
	     .max = 9999,
	     .flags = OHE_PLUGIN_CONFIG_KEY_SECRET},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;

	g_assert_false (
	    ohe_plugin_config_key_check (&secret_int[0], "plugin:test", "12345x", &error));
	g_assert_cmpstr (error->message, ==,
			 "[plugin:test] pin = (secret, not shown) is not an integer between 0 and "
			 "9999");
	g_assert_null (strstr (error->message, "12345x"));
}

static GKeyFile *
test_keyfile (const gchar *data)
{
	GKeyFile *keyfile = g_key_file_new ();
	g_autoptr(GError) error = NULL;
	g_assert_true (g_key_file_load_from_data (keyfile, data, -1, G_KEY_FILE_NONE, &error));
	g_assert_no_error (error);
	return keyfile;
}

static void
test_config_key_group (void)
{
	g_autoptr(GKeyFile) good = test_keyfile ("[plugin:test]\n"
						  "client_id=abc\n"
						  "client_secret=xyz\n"
						  "page_size=250\n"
						  "kinds=steps\n"
						  "[plugin:other]\n"
						  "anything=1\n");
	g_autoptr(GKeyFile) typo = test_keyfile ("[plugin:test]\n"
						  "client_id=abc\n"
						  "client_secert=hunter2\n");
	g_autoptr(GKeyFile) bad = test_keyfile ("[plugin:test]\n"
						 "page_size=250\n"
						 "mode=patch\n");
	g_autoptr(GKeyFile) escape = test_keyfile ("[plugin:test]\nclient_id=a\\qb\n");
	g_autoptr(GError) error = NULL;

	g_assert_true (ohe_plugin_config_keys_check_group (test_keys, good, "plugin:test", &error));
	g_assert_no_error (error);
	/* a group that is not there has nothing wrong in it */
	g_assert_true (
	    ohe_plugin_config_keys_check_group (test_keys, good, "plugin:missing", &error));
	g_assert_no_error (error);

	/* an unknown key is named with the keys there are; its value, maybe a secret, is not */
	g_assert_false (
	    ohe_plugin_config_keys_check_group (test_keys, typo, "plugin:test", &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT);
	g_assert_cmpstr (
	    error->message, ==,
	    "[plugin:test] client_secert: unknown key (known keys: authorize_url, "
	    "token_url, client_id, client_secret, client_secret_file, scope, page_size, "
	    "offset, verbose, mode, kinds, api_key)");
	g_assert_null (strstr (error->message, "hunter2"));
	g_clear_error (&error);

	g_assert_false (ohe_plugin_config_keys_check_group (test_keys, bad, "plugin:test", &error));
	g_assert_cmpstr (error->message, ==, "[plugin:test] mode = 'patch' is not one of put|post");
	g_clear_error (&error);

	g_assert_false (
	    ohe_plugin_config_keys_check_group (test_keys, escape, "plugin:test", &error));
	g_assert_cmpstr (error->message, ==,
			 "[plugin:test] client_id: the value holds an invalid escape sequence");
	g_clear_error (&error);

	/* a plugin with an empty table accepts no key at all */
	{
		static const OhePluginConfigKey none[] = {{NULL}};
		g_assert_false (
		    ohe_plugin_config_keys_check_group (none, good, "plugin:test", &error));
		g_assert_cmpstr (error->message, ==,
				 "[plugin:test] client_id: unknown key (known keys: none)");
	}
}

int
main (int argc, char *argv[])
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/plugin-config-key/values", test_config_key_values);
	g_test_add_func ("/plugin-config-key/lookup", test_config_key_lookup);
	g_test_add_func ("/plugin-config-key/secret", test_config_key_secret);
	g_test_add_func ("/plugin-config-key/group", test_config_key_group);
	return g_test_run ();
}
