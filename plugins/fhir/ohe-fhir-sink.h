/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

#include "ohe-fhir-rest-transport.h"

G_BEGIN_DECLS

#define OHE_TYPE_FHIR_SINK (ohe_fhir_sink_get_type ())
G_DECLARE_FINAL_TYPE (OheFhirSink, ohe_fhir_sink, OHE, FHIR_SINK, OheSink)

OheHttpClient *
ohe_fhir_sink_get_http_client (OheFhirSink *self);
guint64
ohe_fhir_sink_get_n_requests (OheFhirSink *self);
guint64
ohe_fhir_sink_get_n_refused (OheFhirSink *self);
OheFhirRestTransport *
ohe_fhir_sink_get_rest_transport (OheFhirSink *self);

G_END_DECLS
