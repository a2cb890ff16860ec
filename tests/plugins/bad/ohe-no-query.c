/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A shared object that is not a plugin: it exports no query function. */
int
ohe_not_a_plugin (void);

int
ohe_not_a_plugin (void)
{
	return 42;
}
