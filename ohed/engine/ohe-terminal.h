/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OheTerminalEscapeFlags:
 * @OHE_TERMINAL_ESCAPE_FIELD: one value from outside input: newlines and tabs
 *   are escaped too, so it cannot forge lines or columns, and so is `\`
 * @OHE_TERMINAL_ESCAPE_OUTPUT: whole lines of output: newlines and tabs pass
 */
typedef enum {
	OHE_TERMINAL_ESCAPE_FIELD,
	OHE_TERMINAL_ESCAPE_OUTPUT,
} OheTerminalEscapeFlags;

gchar *
ohe_terminal_escape (const gchar *text, OheTerminalEscapeFlags flags);
void
ohe_terminal_install_print_handlers (void);

G_END_DECLS
