/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-fuzz.h"

/*
 * What every target shares, under libFuzzer and in the replay driver alike:
 * criticals abort (a parser that trips a GLib precondition has a bug), and
 * the parsers' own debug and warning output is dropped so that the fuzzer
 * runs at full speed.
 */

static GLogWriterOutput
ohe_fuzz_log_writer (GLogLevelFlags level,
		     const GLogField *fields,
		     gsize n_fields,
		     gpointer user_data)
{
	if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) == 0)
		return G_LOG_WRITER_HANDLED;
	return g_log_writer_standard_streams (level, fields, n_fields, user_data);
}

void
ohe_fuzz_init (void)
{
	static gsize done = 0;

	if (!g_once_init_enter (&done))
		return;
	g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_log_set_writer_func (ohe_fuzz_log_writer, NULL, NULL);
	g_once_init_leave (&done, 1);
}

/**
 * ohe_fuzz_json_depth_ok:
 *
 * json-glib parses recursively, so a few hundred kilobytes of `[` exhaust
 * the stack. The parsers refuse deep input through the SDK's JSON guard
 * (ohe-json.h); the targets still skip inputs nested deeper than
 * OHE_FUZZ_JSON_MAX_DEPTH here, a skip that is to go so that deep inputs
 * reach that guard.
 *
 * Returns: %TRUE if no array or object nests deeper than the cap
 */
gboolean
ohe_fuzz_json_depth_ok (const guint8 *data, gsize size)
{
	gboolean in_string = FALSE;
	guint depth = 0;

	for (gsize i = 0; i < size; i++) {
		guint8 c = data[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = FALSE;
			continue;
		}
		if (c == '"') {
			in_string = TRUE;
		} else if (c == '[' || c == '{') {
			if (++depth > OHE_FUZZ_JSON_MAX_DEPTH)
				return FALSE;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return TRUE;
}

/* the input as a NUL-terminated string, for parsers that want one */
gchar *
ohe_fuzz_dup_string (const guint8 *data, gsize size)
{
	gchar *out = g_malloc (size + 1);

	if (size > 0)
		memcpy (out, data, size);
	out[size] = '\0';
	return out;
}
