/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/**
 * OheJsonWriter:
 *
 * A streaming JSON writer that appends compact JSON text to a #GString.
 * It lives on the stack and never allocates apart from growing the string,
 * because the FHIR sink writes a million Observations a second with it.
 * Commas between members and elements are inserted automatically.
 */
typedef struct {
	GString *out;	     /* not owned */
	gboolean need_comma; /* the next member or element follows another one */
	guint depth;
} OheJsonWriter;

/* g_string_append_len() is not inline in GLib 2.74; most appends fit */
static inline void
ohe_json_put (GString *out, const gchar *text, gsize len)
{
	if (G_LIKELY (out->len + len < out->allocated_len)) {
		memcpy (out->str + out->len, text, len);
		out->len += len;
		out->str[out->len] = '\0';
	} else {
		g_string_append_len (out, text, (gssize)len);
	}
}

/* appends a string literal */
#define OHE_JSON_PUT_LITERAL(out, literal) ohe_json_put ((out), "" literal, sizeof (literal) - 1)

void ohe_json_writer_init (OheJsonWriter *self, GString *out);
void ohe_json_writer_begin_object (OheJsonWriter *self);
void ohe_json_writer_end_object (OheJsonWriter *self);
void ohe_json_writer_begin_array (OheJsonWriter *self);
void ohe_json_writer_end_array (OheJsonWriter *self);
void ohe_json_writer_key (OheJsonWriter *self, const gchar *key);
void ohe_json_writer_key_raw (OheJsonWriter *self, const gchar *quoted_key_colon, gsize len);

/* a member name known at compile time to need no escaping */
#define OHE_JSON_WRITER_KEY(self, literal)                                                         \
	ohe_json_writer_key_raw ((self), "\"" literal "\":", sizeof (literal) + 2)
void ohe_json_writer_string (OheJsonWriter *self, const gchar *value);
void ohe_json_writer_string_len (OheJsonWriter *self, const gchar *value, gssize len);
void ohe_json_writer_decimal (OheJsonWriter *self, gint64 mantissa, gint exponent);
void ohe_json_writer_double (OheJsonWriter *self, gdouble value);
void ohe_json_writer_int (OheJsonWriter *self, gint64 value);
void ohe_json_writer_boolean (OheJsonWriter *self, gboolean value);
void ohe_json_writer_null (OheJsonWriter *self);
void ohe_json_writer_fragment (OheJsonWriter *self, const gchar *json, gsize len);
void ohe_json_writer_date_time (OheJsonWriter *self, gint64 utc_us, gint32 utc_offset_s);

void ohe_json_append_escaped (GString *out, const gchar *value, gssize len);
void ohe_json_append_int (GString *out, gint64 value);
void ohe_json_append_date_time (GString *out, gint64 utc_us, gint32 utc_offset_s);

G_END_DECLS
