/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <oheplugin.h>

#include "ohe-fhir-jwt.h"

/*
 * Compact JWS (RFC 7515) for the client assertion of RFC 7523 as SMART
 * Backend Services profile it: iss = sub = client_id, aud = token URL, a
 * random jti, exp at most five minutes ahead.
 */

#define OHE_FHIR_JWT_JTI_BYTES 16

static gchar *
ohe_fhir_jwt_encode_object (JsonObject *obj)
{
	g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
	g_autoptr (JsonGenerator) generator = json_generator_new ();
	g_autofree gchar *json = NULL;

	json_node_set_object (node, obj);
	json_generator_set_root (generator, node);
	json_generator_set_pretty (generator, FALSE);
	json = json_generator_to_data (generator, NULL);
	return ohe_base64url_encode ((const guint8 *)json, strlen (json));
}

/**
 * ohe_fhir_jwt_sign:
 * @key: the signing key; its type picks `RS384` or `ES384`
 * @kid: (nullable): the key id the verifier looks the public key up by
 * @claims: the payload
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the compact serialization, or %NULL
 */
gchar *
ohe_fhir_jwt_sign (OheFhirKey *key, const gchar *kid, JsonObject *claims, GError **error)
{
	g_autoptr (JsonObject) header = json_object_new ();
	g_autofree gchar *header_b64 = NULL;
	g_autofree gchar *claims_b64 = NULL;
	g_autofree gchar *signing_input = NULL;
	g_autofree gchar *signature_b64 = NULL;
	g_autoptr (GBytes) signature = NULL;

	g_return_val_if_fail (OHE_IS_FHIR_KEY (key), NULL);
	g_return_val_if_fail (claims != NULL, NULL);

	json_object_set_string_member (header, "alg", ohe_fhir_key_get_algorithm (key));
	json_object_set_string_member (header, "typ", "JWT");
	if (kid != NULL)
		json_object_set_string_member (header, "kid", kid);
	header_b64 = ohe_fhir_jwt_encode_object (header);
	claims_b64 = ohe_fhir_jwt_encode_object (claims);
	signing_input = g_strconcat (header_b64, ".", claims_b64, NULL);
	signature =
	    ohe_fhir_key_sign (key, (const guint8 *)signing_input, strlen (signing_input), error);
	if (signature == NULL)
		return NULL;
	signature_b64 =
	    ohe_base64url_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
	return g_strconcat (signing_input, ".", signature_b64, NULL);
}

/**
 * ohe_fhir_jwt_new_client_assertion:
 * @key: the client's private key
 * @kid: the key id registered with the EHR
 * @client_id: the client id, both issuer and subject
 * @audience: the token endpoint URL
 * @now_s: the current unix time
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): a signed client assertion valid for
 *   %OHE_FHIR_JWT_ASSERTION_LIFETIME_S, or %NULL
 */
gchar *
ohe_fhir_jwt_new_client_assertion (OheFhirKey *key,
				   const gchar *kid,
				   const gchar *client_id,
				   const gchar *audience,
				   gint64 now_s,
				   GError **error)
{
	g_autoptr (JsonObject) claims = json_object_new ();
	g_autofree gchar *jti = NULL;
	guint8 nonce[OHE_FHIR_JWT_JTI_BYTES];

	g_return_val_if_fail (client_id != NULL, NULL);
	g_return_val_if_fail (audience != NULL, NULL);

	/* the server rejects a replayed jti, so it must never repeat */
	ohe_crypto_random (nonce, sizeof (nonce));
	jti = ohe_base64url_encode (nonce, sizeof (nonce));

	json_object_set_string_member (claims, "iss", client_id);
	json_object_set_string_member (claims, "sub", client_id);
	json_object_set_string_member (claims, "aud", audience);
	json_object_set_string_member (claims, "jti", jti);
	json_object_set_int_member (claims, "iat", now_s);
	json_object_set_int_member (claims, "exp", now_s + OHE_FHIR_JWT_ASSERTION_LIFETIME_S);
	return ohe_fhir_jwt_sign (key, kid, claims, error);
}
