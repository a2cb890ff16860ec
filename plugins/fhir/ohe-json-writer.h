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

static inline void
ohe_json_put_c (GString *out, gchar c)
{
	if (G_LIKELY (out->len + 1 < out->allocated_len)) {
		out->str[out->len++] = c;
		out->str[out->len] = '\0';
	} else {
		g_string_append_c (out, c);
	}
}

/* the longest decimal gint64: -9223372036854775808 */
#define OHE_JSON_INT_MAX 20

/* the longest RFC 3339 date-time written: 2026-11-01T08:00:00.000001+14:00 */
#define OHE_JSON_DATE_TIME_MAX 40

/**
 * OheJsonDateCache:
 *
 * The date part of the last date-time formatted, keyed by its local day.
 * Zero-initialise it.
 */
typedef struct {
	gint64 day;	/* local days since 1970-01-01 */
	gchar date[10]; /* YYYY-MM-DD */
	gboolean filled;
} OheJsonDateCache;

void
ohe_json_writer_init (OheJsonWriter *self, GString *out);
void
ohe_json_writer_key (OheJsonWriter *self, const gchar *key);
void
ohe_json_writer_string (OheJsonWriter *self, const gchar *value);
void
ohe_json_writer_string_len (OheJsonWriter *self, const gchar *value, gssize len);
void
ohe_json_writer_decimal (OheJsonWriter *self, gint64 mantissa, gint exponent);
void
ohe_json_writer_double (OheJsonWriter *self, gdouble value);
void
ohe_json_writer_int (OheJsonWriter *self, gint64 value);
void
ohe_json_writer_boolean (OheJsonWriter *self, gboolean value);
void
ohe_json_writer_null (OheJsonWriter *self);
void
ohe_json_writer_date_time (OheJsonWriter *self,
			   OheJsonDateCache *cache,
			   gint64 utc_us,
			   gint32 utc_offset_s);

void
ohe_json_append_escaped (GString *out, const gchar *value, gssize len);
void
ohe_json_append_int (GString *out, gint64 value);
gsize
ohe_json_format_int (gchar buf[OHE_JSON_INT_MAX], gint64 value);
void
ohe_json_append_date_time (GString *out, gint64 utc_us, gint32 utc_offset_s);
gsize
ohe_json_format_date_time (OheJsonDateCache *cache,
			   gchar buf[OHE_JSON_DATE_TIME_MAX],
			   gint64 utc_us,
			   gint32 utc_offset_s);

/*
 * The structural calls are inline: a resource makes dozens of them and
 * each is a byte or two of output.
 */

static inline void
ohe_json_writer_separate (OheJsonWriter *self)
{
	if (self->need_comma)
		ohe_json_put_c (self->out, ',');
}

static inline void
ohe_json_writer_begin_object (OheJsonWriter *self)
{
	ohe_json_writer_separate (self);
	ohe_json_put_c (self->out, '{');
	self->need_comma = FALSE;
	self->depth++;
}

static inline void
ohe_json_writer_end_object (OheJsonWriter *self)
{
	g_return_if_fail (self->depth > 0);
	ohe_json_put_c (self->out, '}');
	self->need_comma = TRUE;
	self->depth--;
}

static inline void
ohe_json_writer_begin_array (OheJsonWriter *self)
{
	ohe_json_writer_separate (self);
	ohe_json_put_c (self->out, '[');
	self->need_comma = FALSE;
	self->depth++;
}

static inline void
ohe_json_writer_end_array (OheJsonWriter *self)
{
	g_return_if_fail (self->depth > 0);
	ohe_json_put_c (self->out, ']');
	self->need_comma = TRUE;
	self->depth--;
}

/* starts a member whose name needs no escaping; see OHE_JSON_WRITER_KEY() */
static inline void
ohe_json_writer_key_raw (OheJsonWriter *self, const gchar *quoted_key_colon, gsize len)
{
	ohe_json_writer_separate (self);
	ohe_json_put (self->out, quoted_key_colon, len);
	self->need_comma = FALSE;
}

/* a member name known at compile time to need no escaping */
#define OHE_JSON_WRITER_KEY(self, literal)                                                         \
	ohe_json_writer_key_raw ((self), "\"" literal "\":", sizeof (literal) + 2)

/*
 * Appends pre-escaped JSON (one complete value, or one or more complete
 * members) that was produced once, e.g. by the FHIR mapping at load time,
 * so that constant parts of a resource cost one memcpy.
 */
static inline void
ohe_json_writer_fragment (OheJsonWriter *self, const gchar *json, gsize len)
{
	ohe_json_writer_separate (self);
	ohe_json_put (self->out, json, len);
	self->need_comma = TRUE;
}

/* a fragment known at compile time */
#define OHE_JSON_WRITER_FRAGMENT(self, literal)                                                    \
	ohe_json_writer_fragment ((self), "" literal, sizeof (literal) - 1)

G_END_DECLS
