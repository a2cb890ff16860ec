/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-api-handlers.h"
#include "ohe-error.h"

/* /api/v1/users: the EHR users; a user token sees only itself */

static const OheApiBodyField ohe_api_users_create_fields[] = {
    {"id", OHE_API_BODY_TYPE_STRING, TRUE, 64},
    {"patient_reference", OHE_API_BODY_TYPE_STRING, TRUE, 72},
};

static gboolean
ohe_api_users_valid_id (const gchar *id, gboolean fhir)
{
	if (id[0] == '\0')
		return FALSE;
	for (const gchar *p = id; *p != '\0'; p++) {
		if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && (fhir || *p != '_'))
			return FALSE;
	}
	return TRUE;
}

static void
ohe_api_users_add (JsonBuilder *builder, const gchar *user_id, const gchar *patient_reference)
{
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "id");
	json_builder_add_string_value (builder, user_id);
	json_builder_set_member_name (builder, "patient_reference");
	json_builder_add_string_value (builder, patient_reference);
	json_builder_end_object (builder);
}

void
ohe_api_users_list (OheApiRequest *request)
{
	OheStore *store = ohe_engine_get_store (request->engine);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(GPtrArray) users = NULL;
	g_autoptr(GError) error = NULL;

	users = ohe_store_list_users (store, &error);
	if (users == NULL) {
		ohe_api_request_reply_error (request, error);
		return;
	}
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "users");
	json_builder_begin_array (builder);
	for (guint i = 0; i < users->len; i++) {
		const gchar *user_id = g_ptr_array_index (users, i);
		g_autofree gchar *reference =
		    ohe_store_get_patient_reference (store, user_id, NULL);
		/* a user deleted between the two reads is simply not listed */
		if (reference != NULL)
			ohe_api_users_add (builder, user_id, reference);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}

void
ohe_api_users_create (OheApiRequest *request)
{
	OheStore *store = ohe_engine_get_store (request->engine);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *location = NULL;
	g_autofree gchar *actor = NULL;
	const gchar *user_id;
	const gchar *reference;

	body = ohe_api_request_read_body (request, ohe_api_users_create_fields,
					  G_N_ELEMENTS (ohe_api_users_create_fields));
	if (body == NULL)
		return;
	user_id = json_object_get_string_member (body, "id");
	reference = json_object_get_string_member (body, "patient_reference");
	if (!ohe_api_users_valid_id (user_id, FALSE)) {
		ohe_api_request_reply_problem (
		    request, SOUP_STATUS_BAD_REQUEST, "Invalid body",
		    "'id' may hold letters, digits, '-', '.' and '_' only", "id");
		return;
	}
	if (!g_str_has_prefix (reference, "Patient/") ||
	    !ohe_api_users_valid_id (reference + 8, TRUE)) {
		ohe_api_request_reply_problem (request, SOUP_STATUS_BAD_REQUEST, "Invalid body",
					       "'patient_reference' must be Patient/<id>, the id "
					       "of letters, digits, '-' and '.'",
					       "patient_reference");
		return;
	}
	if (!ohe_store_add_user (store, user_id, reference, &error)) {
		if (g_error_matches (error, OHE_ERROR, OHE_ERROR_CONFLICT)) {
			ohe_api_request_reply_problem (request, SOUP_STATUS_CONFLICT, "Conflict",
						       "a user with this id exists", "id");
			return;
		}
		ohe_api_request_reply_error (request, error);
		return;
	}
	actor = g_strdup_printf ("token:%s", ohe_api_token_get_id (request->token));
	if (!ohe_store_add_audit (store, actor, "user.create", user_id, &error))
		g_warning ("api: audit: %s", error->message);
	location = g_strdup_printf ("/api/v1/users/%s", user_id);
	soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
				      "Location", location);
	ohe_api_users_add (builder, user_id, reference);
	ohe_api_request_reply_builder (request, SOUP_STATUS_CREATED, builder);
}

void
ohe_api_users_get (OheApiRequest *request)
{
	const gchar *user_id = ohe_api_request_get_param (request, "user_id");
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *reference = NULL;

	/* another user's id looks exactly like one that does not exist */
	if (!ohe_api_request_can_see_user (request, user_id)) {
		ohe_api_request_reply_problem (request, SOUP_STATUS_NOT_FOUND, "Not found",
					       "no such user", "user_id");
		return;
	}
	reference = ohe_store_get_patient_reference (ohe_engine_get_store (request->engine),
						     user_id, &error);
	if (reference == NULL) {
		if (g_error_matches (error, OHE_ERROR, OHE_ERROR_NOT_FOUND))
			ohe_api_request_reply_problem (request, SOUP_STATUS_NOT_FOUND, "Not found",
						       "no such user", "user_id");
		else
			ohe_api_request_reply_error (request, error);
		return;
	}
	ohe_api_users_add (builder, user_id, reference);
	ohe_api_request_reply_builder (request, SOUP_STATUS_OK, builder);
}
