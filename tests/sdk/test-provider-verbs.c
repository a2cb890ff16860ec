/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "oheplugin.h"

/* the provider verbs of the SDK: their defaults, the webhook wrapper's guards, and the types */

/* a provider with only the two required methods: every optional verb is the default */
#define OHE_TYPE_BARE_PROVIDER (ohe_bare_provider_get_type ())
G_DECLARE_FINAL_TYPE (OheBareProvider, ohe_bare_provider, OHE, BARE_PROVIDER, OheProvider)

struct _OheBareProvider {
	OheProvider parent_instance;
	guint n_webhooks;
	gboolean refuse;
};

G_DEFINE_TYPE (OheBareProvider, ohe_bare_provider, OHE_TYPE_PROVIDER)

static GArray *
ohe_bare_provider_get_kinds (OheProvider *provider)
{
	return g_array_new (FALSE, FALSE, sizeof (OheMeasurementKind));
}

static gboolean
ohe_bare_provider_fetch (OheProvider *provider,
			 OheFetchRequest *request,
			 GCancellable *cancellable,
			 GError **error)
{
	return TRUE;
}

static void
ohe_bare_provider_class_init (OheBareProviderClass *klass)
{
	OHE_PROVIDER_CLASS (klass)->get_kinds = ohe_bare_provider_get_kinds;
	OHE_PROVIDER_CLASS (klass)->fetch = ohe_bare_provider_fetch;
}

static void
ohe_bare_provider_init (OheBareProvider *self)
{
}

/* the same with a webhook handler that answers nothing itself */
#define OHE_TYPE_HOOK_PROVIDER (ohe_hook_provider_get_type ())
G_DECLARE_FINAL_TYPE (OheHookProvider, ohe_hook_provider, OHE, HOOK_PROVIDER, OheProvider)

struct _OheHookProvider {
	OheProvider parent_instance;
	guint n_calls;
};

G_DEFINE_TYPE (OheHookProvider, ohe_hook_provider, OHE_TYPE_PROVIDER)

static GPtrArray *
ohe_hook_provider_handle_webhook (OheProvider *provider, OheWebhookRequest *request, GError **error)
{
	OheHookProvider *self = OHE_HOOK_PROVIDER (provider);
	GPtrArray *hints;
	self->n_calls++;
	if (g_strcmp0 (ohe_webhook_request_get_header (request, "X-Test-Key"), "right") != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED,
				     "delivery is not signed");
		return NULL;
	}
	hints = g_ptr_array_new_with_free_func (g_object_unref);
	g_ptr_array_add (hints, ohe_sync_hint_new ("account-7", 0, 0));
	return hints;
}

static void
ohe_hook_provider_class_init (OheHookProviderClass *klass)
{
	OHE_PROVIDER_CLASS (klass)->get_kinds = ohe_bare_provider_get_kinds;
	OHE_PROVIDER_CLASS (klass)->fetch = ohe_bare_provider_fetch;
	OHE_PROVIDER_CLASS (klass)->handle_webhook = ohe_hook_provider_handle_webhook;
}

static void
ohe_hook_provider_init (OheHookProvider *self)
{
}

/* an OAuth2 provider whose endpoints and scope are class data */
#define OHE_TYPE_CLASS_DATA_PROVIDER (ohe_class_data_provider_get_type ())
G_DECLARE_FINAL_TYPE (
    OheClassDataProvider, ohe_class_data_provider, OHE, CLASS_DATA_PROVIDER, OheOAuth2Provider)

struct _OheClassDataProvider {
	OheOAuth2Provider parent_instance;
};

G_DEFINE_TYPE (OheClassDataProvider, ohe_class_data_provider, OHE_TYPE_OAUTH2_PROVIDER)

static void
ohe_class_data_provider_class_init (OheClassDataProviderClass *klass)
{
	OheOAuth2ProviderClass *oauth2_class = OHE_OAUTH2_PROVIDER_CLASS (klass);
	OHE_PROVIDER_CLASS (klass)->get_kinds = ohe_bare_provider_get_kinds;
	OHE_PROVIDER_CLASS (klass)->fetch = ohe_bare_provider_fetch;
	oauth2_class->default_authorize_endpoint = "https://auth.example.org/authorize";
	oauth2_class->default_token_endpoint = "https://auth.example.org/token";
	oauth2_class->default_scope = "read.metrics";
}

static void
ohe_class_data_provider_init (OheClassDataProvider *self)
{
}

static void
assert_not_supported (GError *error, const gchar *what)
{
	g_autofree gchar *expected = g_strdup_printf ("provider bare does not support %s", what);
	g_assert_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED);
	g_assert_cmpstr (error->message, ==, expected);
}

static void
test_defaults (void)
{
	g_autoptr(OheProvider) provider =
		       g_object_new (OHE_TYPE_BARE_PROVIDER, "name", "bare", NULL);
	g_autoptr(OheToken) token = ohe_token_new ();
	g_autoptr(OheWebhookRequest) request =
		       ohe_webhook_request_new ("POST", "/webhooks/bare", NULL);
	g_autoptr(GError) error = NULL;

	ohe_token_set_access_token (token, "access");
	g_assert_null (ohe_provider_handle_webhook (provider, request, &error));
	assert_not_supported (error, "webhooks");
	g_assert_cmpuint (ohe_webhook_request_get_response_status (request), ==, 404);
	g_clear_error (&error);

	g_assert_false (
	    ohe_provider_subscribe (provider, "link-1", token, NULL, NULL, NULL, &error));
	assert_not_supported (error, "subscriptions");
	g_clear_error (&error);
	g_assert_false (ohe_provider_unsubscribe (provider, "link-1", token, NULL, NULL, &error));
	assert_not_supported (error, "subscriptions");
	g_clear_error (&error);
	g_assert_null (ohe_provider_list_subscriptions (provider, "link-1", token, NULL, &error));
	assert_not_supported (error, "subscriptions");
	g_clear_error (&error);
	g_assert_null (ohe_provider_list_devices (provider, "link-1", token, NULL, &error));
	assert_not_supported (error, "device lists");
	g_clear_error (&error);
	g_assert_false (ohe_provider_revoke (provider, "link-1", token, NULL, &error));
	assert_not_supported (error, "revocation");
}

static void
test_webhook_wrapper (void)
{
	g_autoptr(OheHookProvider) provider =
		       g_object_new (OHE_TYPE_HOOK_PROVIDER, "name", "hook", NULL);
	g_autofree gchar *big = g_malloc0 (OHE_WEBHOOK_MAX_BODY + 1);
	g_autoptr(GBytes) big_body =
		       g_bytes_new_take (g_steal_pointer (&big), OHE_WEBHOOK_MAX_BODY + 1);
	g_autoptr(OheWebhookRequest) huge = ohe_webhook_request_new ("POST", "/", big_body);
	g_autoptr(OheWebhookRequest) unsigned_req = ohe_webhook_request_new ("POST", "/", NULL);
	g_autoptr(OheWebhookRequest) good = ohe_webhook_request_new ("post", "/", NULL);
	g_autoptr(GPtrArray) hints = NULL;
	g_autoptr(GError) error = NULL;

	/* an oversized body never reaches the plugin */
	g_assert_null (ohe_provider_handle_webhook (OHE_PROVIDER (provider), huge, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA);
	g_assert_cmpstr (error->message, ==,
			 "provider hook: webhook body is larger than 65536 bytes");
	g_assert_cmpuint (ohe_webhook_request_get_response_status (huge), ==, 413);
	g_assert_cmpuint (provider->n_calls, ==, 0);
	g_clear_error (&error);

	/* a refusal without an answer of its own gets the status of its error */
	g_assert_null (ohe_provider_handle_webhook (OHE_PROVIDER (provider), unsigned_req, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_PERMISSION_DENIED);
	g_assert_cmpuint (ohe_webhook_request_get_response_status (unsigned_req), ==, 403);
	g_clear_error (&error);

	/* header names are case-insensitive; success without an answer is 200 */
	ohe_webhook_request_add_header (good, "x-test-key", "right");
	hints = ohe_provider_handle_webhook (OHE_PROVIDER (provider), good, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (hints->len, ==, 1);
	g_assert_cmpstr (ohe_sync_hint_get_external_user_id (g_ptr_array_index (hints, 0)), ==,
			 "account-7");
	g_assert_cmpuint (ohe_webhook_request_get_response_status (good), ==, 200);
	g_assert_cmpstr (ohe_webhook_request_get_method (good), ==, "POST");
	g_assert_cmpuint (provider->n_calls, ==, 2);
}

static void
test_webhook_request (void)
{
	g_autoptr(GBytes) body = g_bytes_new_static ("a=1", 3);
	g_autoptr(GBytes) answer = g_bytes_new_static ("{}", 2);
	g_autoptr(OheWebhookRequest) request =
		       ohe_webhook_request_new ("HEAD", "/webhooks/withings?token=ab%2Bc&x=", body);

	g_assert_cmpstr (ohe_webhook_request_get_uri (request), ==,
			 "/webhooks/withings?token=ab%2Bc&x=");
	g_assert_cmpstr (ohe_webhook_request_get_query_param (request, "token"), ==, "ab+c");
	g_assert_cmpstr (ohe_webhook_request_get_query_param (request, "x"), ==, "");
	g_assert_null (ohe_webhook_request_get_query_param (request, "y"));
	g_assert_cmpuint (g_bytes_get_size (ohe_webhook_request_get_body (request)), ==, 3);

	/* a repeated header cannot override the first */
	ohe_webhook_request_add_header (request, "Authorization", "Bearer first");
	ohe_webhook_request_add_header (request, "AUTHORIZATION", "Bearer second");
	g_assert_cmpstr (ohe_webhook_request_get_header (request, "authorization"), ==,
			 "Bearer first");
	g_assert_null (ohe_webhook_request_get_header (request, "X-Other"));

	g_assert_cmpuint (ohe_webhook_request_get_response_status (request), ==, 0);
	ohe_webhook_request_set_response (request, 201, "application/json", answer);
	g_assert_cmpuint (ohe_webhook_request_get_response_status (request), ==, 201);
	g_assert_cmpstr (ohe_webhook_request_get_response_content_type (request), ==,
			 "application/json");
	g_assert_true (g_bytes_equal (ohe_webhook_request_get_response_body (request), answer));
}

static void
test_replay_guard (void)
{
	g_autoptr(OheClock) clock = ohe_clock_new_fake (1000 * G_USEC_PER_SEC);
	g_autoptr(OheReplayGuard) guard = ohe_replay_guard_new (3, 60 * G_USEC_PER_SEC);
	g_autoptr(GBytes) a = g_bytes_new_static ("delivery a", 10);
	g_autoptr(GBytes) b = g_bytes_new_static ("delivery b", 10);
	g_autoptr(GBytes) c = g_bytes_new_static ("delivery c", 10);
	g_autoptr(GBytes) d = g_bytes_new_static ("delivery d", 10);
	g_autoptr(GError) error = NULL;

	ohe_replay_guard_set_clock (guard, clock);
	g_assert_true (ohe_replay_guard_check (guard, a, &error));
	g_assert_no_error (error);
	g_assert_false (ohe_replay_guard_check (guard, a, &error));
	g_assert_error (error, OHE_ERROR, OHE_ERROR_CONFLICT);
	g_assert_cmpstr (error->message, ==, "webhook delivery was already received: a replay");
	g_clear_error (&error);

	/* forgotten after the window */
	ohe_clock_advance (clock, 61 * G_USEC_PER_SEC);
	g_assert_true (ohe_replay_guard_check (guard, a, NULL));
	g_assert_cmpuint (ohe_replay_guard_get_size (guard), ==, 1);

	/* bounded: the oldest entry goes first */
	g_assert_true (ohe_replay_guard_check (guard, b, NULL));
	g_assert_true (ohe_replay_guard_check (guard, c, NULL));
	g_assert_true (ohe_replay_guard_check (guard, d, NULL));
	g_assert_cmpuint (ohe_replay_guard_get_size (guard), ==, 3);
	g_assert_false (ohe_replay_guard_check (guard, d, NULL));
	g_assert_true (ohe_replay_guard_check (guard, a, NULL));
}

static void
test_device_subscription (void)
{
	g_autoptr(OheDevice) device = ohe_device_new ("dev-1");
	g_autoptr(OheSubscription) sub = ohe_subscription_new ("4", "https://hooks.example.org/w");

	g_assert_cmpstr (ohe_device_get_id (device), ==, "dev-1");
	g_assert_null (ohe_device_get_model (device));
	g_assert_cmpint (ohe_device_get_battery_level (device), ==, -1);
	ohe_device_set_model (device, "Body+");
	ohe_device_set_device_type (device, "Scale");
	ohe_device_set_battery_level (device, 80);
	ohe_device_set_last_sync (device, G_GINT64_CONSTANT (1736935112) * G_USEC_PER_SEC);
	g_assert_cmpstr (ohe_device_get_model (device), ==, "Body+");
	g_assert_cmpstr (ohe_device_get_device_type (device), ==, "Scale");
	g_assert_cmpint (ohe_device_get_battery_level (device), ==, 80);
	g_assert_cmpint (ohe_device_get_last_sync (device), ==,
			 G_GINT64_CONSTANT (1736935112) * G_USEC_PER_SEC);

	ohe_subscription_add_kind (sub, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	ohe_subscription_add_kind (sub, OHE_MEASUREMENT_KIND_BLOOD_PRESSURE);
	ohe_subscription_add_kind (sub, OHE_MEASUREMENT_KIND_HEART_RATE);
	g_assert_cmpstr (ohe_subscription_get_id (sub), ==, "4");
	g_assert_cmpstr (ohe_subscription_get_callback_url (sub), ==,
			 "https://hooks.example.org/w");
	g_assert_cmpuint (ohe_subscription_get_n_kinds (sub), ==, 2);
	g_assert_cmpint (ohe_subscription_get_kind (sub, 1), ==, OHE_MEASUREMENT_KIND_HEART_RATE);
}

static void
test_token_copy (void)
{
	g_autoptr(OheToken) token = ohe_token_new ();
	g_autoptr(OheToken) copy = NULL;

	ohe_token_set_access_token (token, "access-1");
	ohe_token_set_refresh_token (token, "refresh-1");
	ohe_token_set_expires_at (token, 1736935112);
	ohe_token_set_scope (token, "user.metrics");
	ohe_token_set_external_user_id (token, "31415926");
	copy = ohe_token_copy (token);
	ohe_token_set_access_token (token, "access-2");
	g_assert_cmpstr (ohe_token_get_access_token (copy), ==, "access-1");
	g_assert_cmpstr (ohe_token_get_refresh_token (copy), ==, "refresh-1");
	g_assert_cmpint (ohe_token_get_expires_at (copy), ==, 1736935112);
	g_assert_cmpstr (ohe_token_get_scope (copy), ==, "user.metrics");
	g_assert_cmpstr (ohe_token_get_external_user_id (copy), ==, "31415926");
}

static void
test_config_helpers (void)
{
	g_autoptr(OheProvider) provider =
		       g_object_new (OHE_TYPE_BARE_PROVIDER, "name", "bare", NULL);
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("ohe-verbs-XXXXXX", NULL);
	g_autofree gchar *file = g_build_filename (dir, "secret", NULL);
	g_autofree gchar *value = NULL;

	g_assert_true (g_file_set_contents (file, "  hook-secret  \nignored\n", -1, NULL));
	g_assert_cmpint (g_chmod (file, 0600), ==, 0);
	g_key_file_set_string (config, "plugin:bare", "api_base", "  https://api.example.org  ");
	g_key_file_set_string (config, "plugin:bare", "blank", "   ");
	g_key_file_set_string (config, "plugin:bare", "secret_file", file);
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);

	value = ohe_plugin_get_config_trimmed (OHE_PLUGIN (provider), "api_base", "x");
	g_assert_cmpstr (value, ==, "https://api.example.org");
	g_clear_pointer (&value, g_free);
	value = ohe_plugin_get_config_trimmed (OHE_PLUGIN (provider), "blank", "fallback");
	g_assert_cmpstr (value, ==, "fallback");
	g_clear_pointer (&value, g_free);

	value =
	    ohe_plugin_get_config_secret (OHE_PLUGIN (provider), "secret", "secret_file", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (value, ==, "hook-secret");
	g_clear_pointer (&value, g_free);
	/* neither key: no secret, no error */
	value = ohe_plugin_get_config_secret (OHE_PLUGIN (provider), "other", "other_file", &error);
	g_assert_no_error (error);
	g_assert_null (value);

	/* a file others can read is refused, naming the key, not the secret */
	g_assert_cmpint (g_chmod (file, 0644), ==, 0);
	value =
	    ohe_plugin_get_config_secret (OHE_PLUGIN (provider), "secret", "secret_file", &error);
	g_assert_null (value);
	g_assert_nonnull (error);
	g_assert_nonnull (strstr (error->message, "secret_file"));
	g_assert_null (strstr (error->message, "hook-secret"));
	g_unlink (file);
	g_rmdir (dir);
}

static void
test_class_data_endpoints (void)
{
	g_autoptr(OheProvider) provider =
		       g_object_new (OHE_TYPE_CLASS_DATA_PROVIDER, "name", "classdata", NULL);
	g_autoptr(GKeyFile) config = g_key_file_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *url = NULL;

	g_key_file_set_string (config, "plugin:classdata", "client_id", "cid");
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	url = ohe_provider_build_authorize_url (provider, "st", NULL, "https://app.example.org/cb",
						&error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_prefix (url, "https://auth.example.org/authorize?"));
	g_assert_nonnull (strstr (url, "&scope=read.metrics&"));
	g_clear_pointer (&url, g_free);

	/* the config key wins over the class data */
	g_key_file_set_string (config, "plugin:classdata", "authorize_url",
			       " https://other.example.org/a ");
	g_key_file_set_string (config, "plugin:classdata", "scope", "write");
	ohe_plugin_set_config (OHE_PLUGIN (provider), config);
	url = ohe_provider_build_authorize_url (provider, "st", NULL, "https://app.example.org/cb",
						&error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_prefix (url, "https://other.example.org/a?"));
	g_assert_nonnull (strstr (url, "&scope=write&"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/provider-verbs/defaults", test_defaults);
	g_test_add_func ("/provider-verbs/webhook-wrapper", test_webhook_wrapper);
	g_test_add_func ("/provider-verbs/webhook-request", test_webhook_request);
	g_test_add_func ("/provider-verbs/replay-guard", test_replay_guard);
	g_test_add_func ("/provider-verbs/device-subscription", test_device_subscription);
	g_test_add_func ("/provider-verbs/token-copy", test_token_copy);
	g_test_add_func ("/provider-verbs/config-helpers", test_config_helpers);
	g_test_add_func ("/provider-verbs/class-data-endpoints", test_class_data_endpoints);
	return g_test_run ();
}
