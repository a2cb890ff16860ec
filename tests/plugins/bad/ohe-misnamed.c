/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

/*
 * A module whose file name does not follow libohe_<name>.so. Opening it
 * would run this constructor, which leaves a mark the loader test looks for.
 */
__attribute__ ((constructor)) static void
ohe_misnamed_constructor (void)
{
	setenv ("OHE_TEST_MISNAMED_OPENED", "1", 1);
}
