/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-classification.h"

static const gchar *const ohe_classification_codes[] = {
    OHE_CLASSIFICATION_NEGATIVE,
    OHE_CLASSIFICATION_POSITIVE,
    OHE_CLASSIFICATION_INCONCLUSIVE,
    OHE_CLASSIFICATION_UNREADABLE,
    OHE_CLASSIFICATION_NOT_ANALYZED,
    OHE_CLASSIFICATION_OTHER,
    NULL,
};

/**
 * ohe_classification_list:
 *
 * Returns: (transfer none) (array zero-terminated=1): every classification
 *   code, in the order of the value set
 *
 * Since: 0.1
 */
const gchar *const *
ohe_classification_list (void)
{
	return ohe_classification_codes;
}

/**
 * ohe_classification_is_valid:
 * @code: (nullable): a classification code
 *
 * Returns: %TRUE if @code is one of the declared classification codes
 *
 * Since: 0.1
 */
gboolean
ohe_classification_is_valid (const gchar *code)
{
	if (code == NULL)
		return FALSE;
	for (guint i = 0; ohe_classification_codes[i] != NULL; i++) {
		if (g_str_equal (ohe_classification_codes[i], code))
			return TRUE;
	}
	return FALSE;
}
