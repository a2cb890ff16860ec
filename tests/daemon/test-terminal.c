/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-terminal.h"

static void
test_terminal_escape_field (void)
{
	struct {
		const gchar *text;
		const gchar *escaped;
	} cases[] = {
	    {"access_denied", "access_denied"},
	    {"\x1b[2J\x1b[1;1Hok", "\\x1b[2J\\x1b[1;1Hok"},
	    /* OSC 52 writes the clipboard */
	    {"\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"},
	    {"line\nforged\tcolumn\r", "line\\x0aforged\\x09column\\x0d"},
	    {"back\\slash", "back\\\\slash"},
	    {"del\x7f", "del\\x7f"},
	    /* C1 CSI as UTF-8, and as a raw byte that is not UTF-8 */
	    {"\xc2\x9b"
	     "2J",
	     "\\u009b2J"},
	    {"\x9b"
	     "2J",
	     "\\x9b2J"},
	    {"Z\xc3\xbcrich \xe2\x9c\x93", "Z\xc3\xbcrich \xe2\x9c\x93"},
	    /* a right-to-left override reorders what follows on screen */
	    {"abc\xe2\x80\xae"
	     "fed",
	     "abc\\u202efed"},
	    {"trunc\xe2\x80", "trunc\\xe2\\x80"},
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *escaped =
		    ohe_terminal_escape (cases[i].text, OHE_TERMINAL_ESCAPE_FIELD);
		g_assert_cmpstr (escaped, ==, cases[i].escaped);
	}
	{
		g_autofree gchar *none = ohe_terminal_escape (NULL, OHE_TERMINAL_ESCAPE_FIELD);
		g_assert_cmpstr (none, ==, "-");
	}
}

static void
test_terminal_escape_output (void)
{
	g_autofree gchar *escaped =
	    ohe_terminal_escape ("a\tb\\c\n\x1b[31mred\x1b[0m\n", OHE_TERMINAL_ESCAPE_OUTPUT);
	g_assert_cmpstr (escaped, ==, "a\tb\\c\n\\x1b[31mred\\x1b[0m\n");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/terminal/escape-field", test_terminal_escape_field);
	g_test_add_func ("/terminal/escape-output", test_terminal_escape_output);
	return g_test_run ();
}
