/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

/* the one header a plugin includes */
#define __OHEPLUGIN_H_INSIDE__

#include "ohe-classification.h"
#include "ohe-clock.h"
#include "ohe-component-name.h"
#include "ohe-crypto.h"
#include "ohe-decimal.h"
#include "ohe-device.h"
#include "ohe-error.h"
#include "ohe-fetch-request.h"
#include "ohe-sync-hint.h"
#include "ohe-http-client.h"
#include "ohe-http-request.h"
#include "ohe-http-response.h"
#include "ohe-json.h"
#include "ohe-measurement-kind.h"
#include "ohe-measurement.h"
#include "ohe-memory-rate-limiter.h"
#include "ohe-metrics.h"
#include "ohe-oauth2-provider.h"
#include "ohe-plausible.h"
#include "ohe-plugin.h"
#include "ohe-plugin-config-key.h"
#include "ohe-private-file.h"
#include "ohe-provider.h"
#include "ohe-push-request.h"
#include "ohe-rate-limiter.h"
#include "ohe-qualifier.h"
#include "ohe-replay-guard.h"
#include "ohe-series.h"
#include "ohe-series-name.h"
#include "ohe-sink.h"
#include "ohe-subscription.h"
#include "ohe-time-zone.h"
#include "ohe-token.h"
#include "ohe-url-policy.h"
#include "ohe-webhook-request.h"
#include "ohe-version.h"

#undef __OHEPLUGIN_H_INSIDE__
