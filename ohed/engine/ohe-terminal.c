/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ohe-terminal.h"

/*
 * What ohectl prints from outside input (an OAuth redirect's `error`, a
 * provider's or FHIR server's message in a dead letter, a provider user id)
 * may carry terminal control sequences: ESC [ … rewrites the screen, OSC 52
 * writes the clipboard. Control characters (C0, DEL, C1), bidirectional
 * overrides and bytes that are not UTF-8 are printed as visible escapes.
 */

static gboolean
ohe_terminal_is_bidi_control (gunichar c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
	       c == 0x200f || c == 0x061c;
}

/**
 * ohe_terminal_escape:
 * @text: (nullable): text from outside input
 * @flags: what @text is
 *
 * Returns: (transfer full): @text with every control character as `\xNN`
 * (C0, DEL, and invalid UTF-8 bytes) or `\uNNNN` (C1, bidi controls); "-"
 * for %NULL
 */
gchar *
ohe_terminal_escape (const gchar *text, OheTerminalEscapeFlags flags)
{
	GString *out;
	const gchar *p;
	const gchar *end;

	if (text == NULL)
		return g_strdup ("-");
	out = g_string_sized_new (strlen (text));
	end = text + strlen (text);
	for (p = text; p < end;) {
		guchar b = (guchar)*p;
		gunichar c;

		if (b < 0x80) {
			if ((b == '\n' || b == '\t') && flags == OHE_TERMINAL_ESCAPE_OUTPUT)
				g_string_append_c (out, (gchar)b);
			else if (b == '\\' && flags == OHE_TERMINAL_ESCAPE_FIELD)
				g_string_append (out, "\\\\");
			else if (b < 0x20 || b == 0x7f)
				g_string_append_printf (out, "\\x%02x", b);
			else
				g_string_append_c (out, (gchar)b);
			p++;
			continue;
		}
		c = g_utf8_get_char_validated (p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf (out, "\\x%02x", b);
			p++;
			continue;
		}
		if ((c >= 0x80 && c <= 0x9f) || ohe_terminal_is_bidi_control (c))
			g_string_append_printf (out, "\\u%04x", c);
		else
			g_string_append_len (out, p, g_utf8_next_char (p) - p);
		p = g_utf8_next_char (p);
	}
	return g_string_free (out, FALSE);
}

static void
ohe_terminal_print_stdout (const gchar *text)
{
	g_autofree gchar *escaped = ohe_terminal_escape (text, OHE_TERMINAL_ESCAPE_OUTPUT);
	fputs (escaped, stdout);
	fflush (stdout);
}

static void
ohe_terminal_print_stderr (const gchar *text)
{
	g_autofree gchar *escaped = ohe_terminal_escape (text, OHE_TERMINAL_ESCAPE_OUTPUT);
	fputs (escaped, stderr);
	fflush (stderr);
}

/**
 * ohe_terminal_install_print_handlers:
 *
 * Makes g_print() and g_printerr() escape control characters in all they
 * print, newlines and tabs excepted: the net below the escaping of each
 * outside value with %OHE_TERMINAL_ESCAPE_FIELD.
 */
void
ohe_terminal_install_print_handlers (void)
{
	g_set_print_handler (ohe_terminal_print_stdout);
	g_set_printerr_handler (ohe_terminal_print_stderr);
}
