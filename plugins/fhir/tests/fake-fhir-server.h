/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/*
 * Just enough of a FHIR R5 server for the sink tests and the benchmark:
 * GET /fhir/metadata and POST /fhir with transaction or batch Bundles of
 * PUT Type/id, POST Type + ifNoneExist and PUT Type?identifier=… entries,
 * kept in memory. It runs in its own thread and main context.
 */
typedef struct _FakeFhirServer FakeFhirServer;

FakeFhirServer *
fake_fhir_server_new (void);
void
fake_fhir_server_free (FakeFhirServer *self);
const gchar *
fake_fhir_server_get_base_url (FakeFhirServer *self);
const gchar *
fake_fhir_server_get_host (FakeFhirServer *self);
/* answer the next @count POSTs with @status (e.g. 503) before processing any */
void
fake_fhir_server_fail_next (FakeFhirServer *self, guint count, guint status);
/* answer the next @count requests with 401 */
void
fake_fhir_server_deny_next (FakeFhirServer *self, guint count);
/* whether a refused transaction's OperationOutcome names the entry */
void
fake_fhir_server_set_name_entry (FakeFhirServer *self, gboolean name_entry);
void
fake_fhir_server_set_fhir_version (FakeFhirServer *self, const gchar *version);
/* stop keeping the last request body (the benchmark's bundles are large) */
void
fake_fhir_server_set_keep_bodies (FakeFhirServer *self, gboolean keep);
/* answer bundles of more than @max_entries entries with 413; 0: no limit */
void
fake_fhir_server_set_max_entries (FakeFhirServer *self, guint max_entries);
/* whether that 413 states the limit ("more than the N this server accepts") */
void
fake_fhir_server_set_state_limit (FakeFhirServer *self, gboolean state_limit);
/* the metadata's rest[0].interaction as JSON text, e.g. [{"code":"batch"}]; NULL: none */
void
fake_fhir_server_set_interactions (FakeFhirServer *self, const gchar *interactions);
/* answer every entry without storing it, so memory stays flat (benchmarks) */
void
fake_fhir_server_set_discard (FakeFhirServer *self, gboolean discard);
guint
fake_fhir_server_get_n_posts (FakeFhirServer *self);
guint
fake_fhir_server_get_n_requests (FakeFhirServer *self);
guint
fake_fhir_server_count (FakeFhirServer *self, const gchar *resource_type);
/* the stored resource as JSON text, or NULL */
gchar *
fake_fhir_server_dup_resource (FakeFhirServer *self, const gchar *resource_type, const gchar *id);
/* "Type/id" of the resource with this identifier, or NULL */
gchar *
fake_fhir_server_dup_by_identifier (FakeFhirServer *self,
				    const gchar *resource_type,
				    const gchar *system,
				    const gchar *value);
/* the parsed body of POST number @nth (from 0), or NULL */
JsonNode *
fake_fhir_server_dup_post (FakeFhirServer *self, guint nth);
gchar *
fake_fhir_server_dup_last_authorization (FakeFhirServer *self);

G_END_DECLS
