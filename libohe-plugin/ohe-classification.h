/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SECTION:ohe-classification
 * @title: Classification values
 * @short_description: the rhythm classification value set, part of the provider ↔ sink contract
 *
 * The canonical codes of an `afib_classification` measurement (and of the
 * classification an `ecg` may carry), set with
 * ohe_measurement_set_classification(). The provider's own value travels
 * beside the code as the raw text; a provider value the plugin does not
 * know is %OHE_CLASSIFICATION_OTHER with the raw text kept, never dropped.
 * Whether a heart rate was too high or too low for a decision is the
 * separate qualifier %OHE_QUALIFIER_HEART_RATE_BAND.
 */

/**
 * OHE_CLASSIFICATION_NEGATIVE:
 *
 * Analysed: no atrial fibrillation found (sinus rhythm).
 *
 * Since: 0.1
 */
#define OHE_CLASSIFICATION_NEGATIVE "negative"

/**
 * OHE_CLASSIFICATION_POSITIVE:
 *
 * Analysed: atrial fibrillation found (an ECG result or a positive PPG
 * notification window).
 *
 * Since: 0.1
 */
#define OHE_CLASSIFICATION_POSITIVE "positive"

/**
 * OHE_CLASSIFICATION_INCONCLUSIVE:
 *
 * Recorded and analysed, but no decision (for instance heart rate out of
 * the algorithm's range).
 *
 * Since: 0.1
 */
#define OHE_CLASSIFICATION_INCONCLUSIVE "inconclusive"

/**
 * OHE_CLASSIFICATION_UNREADABLE:
 *
 * Signal missing or too poor to analyse.
 *
 * Since: 0.1
 */
#define OHE_CLASSIFICATION_UNREADABLE "unreadable"

/**
 * OHE_CLASSIFICATION_NOT_ANALYZED:
 *
 * Recorded, no analysis made.
 *
 * Since: 0.1
 */
#define OHE_CLASSIFICATION_NOT_ANALYZED "not_analyzed"

/**
 * OHE_CLASSIFICATION_OTHER:
 *
 * A provider result outside the value set; the raw text says what it was.
 *
 * Since: 0.1
 */
#define OHE_CLASSIFICATION_OTHER "other"

const gchar *const *
ohe_classification_list (void);
gboolean
ohe_classification_is_valid (const gchar *code);

G_END_DECLS
