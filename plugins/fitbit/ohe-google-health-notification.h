/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/* the signature header: the discovery document's name first, then the newer one */
#define OHE_GOOGLE_HEALTH_SIGNATURE_HEADER     "X-HEALTHAPI-SIGNATURE"
#define OHE_GOOGLE_HEALTH_SIGNATURE_HEADER_ALT "GOOGLE-HEALTH-API-SIGNATURE"

/* the Tink output prefix of a signature: 0x01 and a 4-byte key id */
#define OHE_GOOGLE_HEALTH_TINK_PREFIX 0x01

/**
 * OheGoogleHealthPublicKey:
 *
 * An ECDSA P-256 public key that signs notification deliveries.
 */
typedef struct _OheGoogleHealthPublicKey OheGoogleHealthPublicKey;

/**
 * OheGoogleHealthSyncHint:
 * @health_user_id: the user the change belongs to
 * @data_type: the kebab-case data type, e.g. `steps`
 * @kinds: (element-type OheMeasurementKind): the kinds behind @data_type; empty for a type
 *   the plugin does not read
 * @start_us: the start of the changed range, µs since the epoch, or 0 if not given
 * @end_us: the end of the changed range, or 0 if not given
 * @deleted: the operation was `DELETE`
 *
 * What one notification says: fetch these kinds of this user for this range.
 */
typedef struct {
	gchar *health_user_id;
	gchar *data_type;
	GArray *kinds;
	gint64 start_us;
	gint64 end_us;
	gboolean deleted;
} OheGoogleHealthSyncHint;

void
ohe_google_health_sync_hint_free (OheGoogleHealthSyncHint *hint);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheGoogleHealthSyncHint, ohe_google_health_sync_hint_free)

OheGoogleHealthPublicKey *
ohe_google_health_public_key_new_from_pem (const gchar *pem,
					   gsize len,
					   gint64 key_id,
					   GError **error);
void
ohe_google_health_public_key_free (OheGoogleHealthPublicKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OheGoogleHealthPublicKey, ohe_google_health_public_key_free)
gboolean
ohe_google_health_public_key_verify (OheGoogleHealthPublicKey *key,
				     const guint8 *body,
				     gsize body_len,
				     const gchar *signature,
				     GError **error);

gboolean
ohe_google_health_notification_is_verification (const guint8 *body, gsize body_len);
guint
ohe_google_health_notification_check_secret (const gchar *secret, const gchar *authorization);
GPtrArray *
ohe_google_health_notification_parse (const guint8 *body, gsize body_len, GError **error);

G_END_DECLS
