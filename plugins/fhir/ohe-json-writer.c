/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <oheplugin.h>

#include "ohe-json-writer.h"

/*
 * Strings are escaped per RFC 8259: '"', '\\' and the control characters
 * U+0000..U+001F are escaped (the common ones with their short forms, the
 * rest as \u00XX). Invalid UTF-8 (provider ids are outside input) is not an
 * error: each offending byte becomes U+FFFD, so one bad device name never
 * makes a whole batch unwritable and the output is always valid JSON.
 */

/* 0: copy as is; 1: short escape; 2: \u00XX */
/* clang-format off */
static const guint8 ohe_json_escape_class[128] = {
	2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 1, 1, 2, 2, /* 0x00: \b \t \n \f \r */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50: '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

static const gchar ohe_json_hex[] = "0123456789abcdef";

/*
 * Word-at-a-time test: (b - k) sets the high bit of a byte b < k (for b <
 * 0x80); a byte equal to c becomes 0 after XOR, and 0 - 1 sets its high bit.
 * A byte >= 0x80 sets its own high bit. Any high bit set means "look closer".
 */
#define OHE_JSON_ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define OHE_JSON_HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

static void
ohe_json_append_escape (GString *out, guchar c)
{
	gchar buf[6] = {'\\', 'u', '0', '0', 0, 0};

	switch (c) {
	case '"':
		OHE_JSON_PUT_LITERAL (out, "\\\"");
		return;
	case '\\':
		OHE_JSON_PUT_LITERAL (out, "\\\\");
		return;
	case '\b':
		OHE_JSON_PUT_LITERAL (out, "\\b");
		return;
	case '\t':
		OHE_JSON_PUT_LITERAL (out, "\\t");
		return;
	case '\n':
		OHE_JSON_PUT_LITERAL (out, "\\n");
		return;
	case '\f':
		OHE_JSON_PUT_LITERAL (out, "\\f");
		return;
	case '\r':
		OHE_JSON_PUT_LITERAL (out, "\\r");
		return;
	default:
		buf[4] = ohe_json_hex[c >> 4];
		buf[5] = ohe_json_hex[c & 0xf];
		ohe_json_put (out, buf, 6);
		return;
	}
}

/**
 * ohe_json_append_escaped:
 * @out: a #GString
 * @value: UTF-8 text, possibly invalid
 * @len: the length of @value in bytes, or -1 if it is nul-terminated
 *
 * Appends @value as the body of a JSON string (without the quotes).
 */
void
ohe_json_append_escaped (GString *out, const gchar *value, gssize len)
{
	const guchar *p = (const guchar *)value;
	const guchar *end;
	const guchar *run;

	if (len < 0)
		len = (gssize)strlen (value);
	end = p + len;
	run = p;
	while (p < end) {
		guchar c;
		/* skip 8 plain ASCII bytes at a time: none < 0x20, '"', '\\' or >= 0x80 */
		while (end - p >= 8) {
			guint64 x;
			memcpy (&x, p, 8);
			if (((x - OHE_JSON_ONES * 0x20) |
			     ((x ^ (OHE_JSON_ONES * '"')) - OHE_JSON_ONES) |
			     ((x ^ (OHE_JSON_ONES * '\\')) - OHE_JSON_ONES) | x) &
			    OHE_JSON_HIGHS) {
				break;
			}
			p += 8;
		}
		if (p >= end)
			break;
		c = *p;
		if (c < 0x80) {
			if (G_LIKELY (ohe_json_escape_class[c] == 0)) {
				p++;
				continue;
			}
			ohe_json_put (out, (const gchar *)run, p - run);
			ohe_json_append_escape (out, c);
			run = ++p;
			continue;
		}
		/* multi-byte: copy a valid sequence, replace a bad byte */
		{
			gunichar ch = g_utf8_get_char_validated ((const gchar *)p, end - p);
			if (ch == (gunichar)-1 || ch == (gunichar)-2) {
				ohe_json_put (out, (const gchar *)run, p - run);
				OHE_JSON_PUT_LITERAL (out, "\xef\xbf\xbd");
				run = ++p;
				continue;
			}
			p += g_unichar_to_utf8 (ch, NULL);
		}
	}
	ohe_json_put (out, (const gchar *)run, p - run);
}

/* "00" to "99": two digits per division */
static const gchar ohe_json_digit_pairs[201] = "00010203040506070809"
					       "10111213141516171819"
					       "20212223242526272829"
					       "30313233343536373839"
					       "40414243444546474849"
					       "50515253545556575859"
					       "60616263646566676869"
					       "70717273747576777879"
					       "80818283848586878889"
					       "90919293949596979899";

/**
 * ohe_json_format_int:
 * @buf: (out caller-allocates): room for %OHE_JSON_INT_MAX bytes
 * @value: an integer
 *
 * Formats the decimal digits of @value without going through printf; the
 * result is not nul-terminated.
 *
 * Returns: the number of bytes written
 */
gsize
ohe_json_format_int (gchar buf[OHE_JSON_INT_MAX], gint64 value)
{
	gchar digits[OHE_JSON_INT_MAX];
	gchar *p = digits + sizeof (digits);
	guint64 magnitude = value < 0 ? (guint64)(-(value + 1)) + 1 : (guint64)value;
	gsize len;

	/* eight digits at a time in 32 bits: microsecond times have sixteen */
	while (magnitude >= 100000000) {
		guint32 low = (guint32)(magnitude % 100000000);
		magnitude /= 100000000;
		for (guint i = 0; i < 4; i++) {
			p -= 2;
			memcpy (p, ohe_json_digit_pairs + 2 * (low % 100), 2);
			low /= 100;
		}
	}
	while (magnitude >= 100) {
		guint pair = (guint)(magnitude % 100);
		magnitude /= 100;
		p -= 2;
		memcpy (p, ohe_json_digit_pairs + 2 * pair, 2);
	}
	if (magnitude >= 10) {
		p -= 2;
		memcpy (p, ohe_json_digit_pairs + 2 * magnitude, 2);
	} else {
		*--p = (gchar)('0' + magnitude);
	}
	if (value < 0)
		*--p = '-';
	len = (gsize)(digits + sizeof (digits) - p);
	memcpy (buf, p, len);
	return len;
}

/**
 * ohe_json_append_int:
 * @out: a #GString
 * @value: an integer
 *
 * Appends the decimal digits of @value.
 */
void
ohe_json_append_int (GString *out, gint64 value)
{
	gchar buf[OHE_JSON_INT_MAX];
	ohe_json_put (out, buf, ohe_json_format_int (buf, value));
}

static void
ohe_json_put2 (gchar *p, guint value)
{
	p[0] = (gchar)('0' + value / 10);
	p[1] = (gchar)('0' + value % 10);
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date. Counting from
 * 0000-03-01 puts the leap day at the end of the year, so every 400-year era
 * has the same 146097 days and the month lengths repeat in a 153-day pattern.
 */
static void
ohe_json_civil_from_days (gint64 days, gint64 *year, guint *month, guint *day)
{
	gint64 z = days + 719468; /* days from 0000-03-01 to 1970-01-01 */
	gint64 era = (z >= 0 ? z : z - 146096) / 146097;
	guint day_of_era = (guint)(z - era * 146097);
	guint year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	guint day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	guint shifted_month = (5 * day_of_year + 2) / 153; /* 0 = March */

	*day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
	*month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
	*year = (gint64)year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

/**
 * ohe_json_format_date_time:
 * @cache: (nullable): the date of the last call, or %NULL
 * @buf: (out caller-allocates): room for %OHE_JSON_DATE_TIME_MAX bytes
 * @utc_us: UTC microseconds since the epoch
 * @utc_offset_s: the UTC offset to show the local time in
 *
 * Formats an RFC 3339 date-time in the local time of @utc_offset_s with that
 * offset, e.g. `2026-11-01T08:00:00+01:00`; `Z` for offset zero. Fractions
 * are written only when present (milliseconds, or microseconds when needed).
 * The result is not nul-terminated.
 *
 * Returns: the number of bytes written
 */
gsize
ohe_json_format_date_time (OheJsonDateCache *cache,
			   gchar buf[OHE_JSON_DATE_TIME_MAX],
			   gint64 utc_us,
			   gint32 utc_offset_s)
{
	gchar *p = buf;
	gint64 local_us = utc_us + (gint64)utc_offset_s * G_USEC_PER_SEC;
	gint64 seconds = local_us >= 0 ? local_us / G_USEC_PER_SEC
				       : -((-local_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
	guint fraction = (guint)(local_us - seconds * G_USEC_PER_SEC);
	gint64 days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
	guint second_of_day = (guint)(seconds - days * 86400);
	gint64 year;
	guint month, day;
	guint offset_abs;

	/* a stream of samples stays on one day for a long time */
	if (cache != NULL && cache->filled && cache->day == days) {
		memcpy (p, cache->date, sizeof (cache->date));
	} else {
		ohe_json_civil_from_days (days, &year, &month, &day);
		if (year < 0 || year > 9999)
			year = CLAMP (year, 0, 9999);
		p[0] = (gchar)('0' + year / 1000);
		p[1] = (gchar)('0' + year / 100 % 10);
		p[2] = (gchar)('0' + year / 10 % 10);
		p[3] = (gchar)('0' + year % 10);
		p[4] = '-';
		ohe_json_put2 (p + 5, month);
		p[7] = '-';
		ohe_json_put2 (p + 8, day);
		if (cache != NULL) {
			memcpy (cache->date, p, sizeof (cache->date));
			cache->day = days;
			cache->filled = TRUE;
		}
	}
	p[10] = 'T';
	ohe_json_put2 (p + 11, second_of_day / 3600);
	p[13] = ':';
	ohe_json_put2 (p + 14, second_of_day / 60 % 60);
	p[16] = ':';
	ohe_json_put2 (p + 17, second_of_day % 60);
	p += 19;
	if (fraction != 0) {
		guint digits = fraction % 1000 == 0 ? 3 : 6;
		guint value = digits == 3 ? fraction / 1000 : fraction;
		*p++ = '.';
		for (guint i = digits; i > 0; i--) {
			p[i - 1] = (gchar)('0' + value % 10);
			value /= 10;
		}
		p += digits;
	}
	if (utc_offset_s == 0) {
		*p++ = 'Z';
	} else {
		*p++ = utc_offset_s < 0 ? '-' : '+';
		offset_abs = (guint)ABS (utc_offset_s) / 60;
		ohe_json_put2 (p, offset_abs / 60 % 100);
		p[2] = ':';
		ohe_json_put2 (p + 3, offset_abs % 60);
		p += 5;
	}
	return (gsize)(p - buf);
}

/**
 * ohe_json_append_date_time:
 * @out: a #GString
 * @utc_us: UTC microseconds since the epoch
 * @utc_offset_s: the UTC offset to show the local time in
 *
 * Appends the date-time of ohe_json_format_date_time().
 */
void
ohe_json_append_date_time (GString *out, gint64 utc_us, gint32 utc_offset_s)
{
	gchar buf[OHE_JSON_DATE_TIME_MAX];
	ohe_json_put (out, buf, ohe_json_format_date_time (NULL, buf, utc_us, utc_offset_s));
}

/**
 * ohe_json_writer_init:
 * @self: an #OheJsonWriter
 * @out: the string to append to
 */
void
ohe_json_writer_init (OheJsonWriter *self, GString *out)
{
	self->out = out;
	self->need_comma = FALSE;
	self->depth = 0;
}

/**
 * ohe_json_writer_key:
 * @self: an #OheJsonWriter
 * @key: a member name
 *
 * Starts a member; the next call writes its value.
 */
void
ohe_json_writer_key (OheJsonWriter *self, const gchar *key)
{
	ohe_json_writer_separate (self);
	ohe_json_put_c (self->out, '"');
	ohe_json_append_escaped (self->out, key, -1);
	OHE_JSON_PUT_LITERAL (self->out, "\":");
	self->need_comma = FALSE;
}

/**
 * ohe_json_writer_string_len:
 * @self: an #OheJsonWriter
 * @value: UTF-8 text; invalid sequences are replaced by U+FFFD
 * @len: the length in bytes, or -1
 */
void
ohe_json_writer_string_len (OheJsonWriter *self, const gchar *value, gssize len)
{
	ohe_json_writer_separate (self);
	ohe_json_put_c (self->out, '"');
	ohe_json_append_escaped (self->out, value, len);
	ohe_json_put_c (self->out, '"');
	self->need_comma = TRUE;
}

/**
 * ohe_json_writer_string:
 * @self: an #OheJsonWriter
 * @value: (nullable): UTF-8 text, or %NULL for `null`
 */
void
ohe_json_writer_string (OheJsonWriter *self, const gchar *value)
{
	if (value == NULL) {
		ohe_json_writer_null (self);
		return;
	}
	ohe_json_writer_string_len (self, value, -1);
}

/**
 * ohe_json_writer_decimal:
 * @self: an #OheJsonWriter
 * @mantissa: the mantissa
 * @exponent: the power of ten
 *
 * Writes an exact decimal such as `72.345` (never `72.344999…`).
 */
void
ohe_json_writer_decimal (OheJsonWriter *self, gint64 mantissa, gint exponent)
{
	ohe_json_writer_separate (self);
	if (exponent == 0)
		ohe_json_append_int (self->out, mantissa);
	else
		ohe_decimal_append (self->out, mantissa, exponent);
	self->need_comma = TRUE;
}

/**
 * ohe_json_writer_double:
 * @self: an #OheJsonWriter
 * @value: a finite number
 *
 * Writes the shortest decimal that reads back as @value.
 */
void
ohe_json_writer_double (OheJsonWriter *self, gdouble value)
{
	gint64 mantissa;
	gint exponent;
	ohe_decimal_from_double (value, &mantissa, &exponent);
	ohe_json_writer_decimal (self, mantissa, exponent);
}

/**
 * ohe_json_writer_int:
 * @self: an #OheJsonWriter
 * @value: an integer
 */
void
ohe_json_writer_int (OheJsonWriter *self, gint64 value)
{
	ohe_json_writer_separate (self);
	ohe_json_append_int (self->out, value);
	self->need_comma = TRUE;
}

/**
 * ohe_json_writer_boolean:
 * @self: an #OheJsonWriter
 * @value: a boolean
 */
void
ohe_json_writer_boolean (OheJsonWriter *self, gboolean value)
{
	ohe_json_writer_separate (self);
	if (value)
		OHE_JSON_PUT_LITERAL (self->out, "true");
	else
		OHE_JSON_PUT_LITERAL (self->out, "false");
	self->need_comma = TRUE;
}

/**
 * ohe_json_writer_null:
 * @self: an #OheJsonWriter
 */
void
ohe_json_writer_null (OheJsonWriter *self)
{
	ohe_json_writer_separate (self);
	OHE_JSON_PUT_LITERAL (self->out, "null");
	self->need_comma = TRUE;
}

/**
 * ohe_json_writer_date_time:
 * @self: an #OheJsonWriter
 * @cache: (nullable): the date of the last call, or %NULL
 * @utc_us: UTC microseconds since the epoch
 * @utc_offset_s: the UTC offset to show
 *
 * Writes an RFC 3339 date-time string, see ohe_json_format_date_time().
 */
void
ohe_json_writer_date_time (OheJsonWriter *self,
			   OheJsonDateCache *cache,
			   gint64 utc_us,
			   gint32 utc_offset_s)
{
	gchar buf[OHE_JSON_DATE_TIME_MAX + 2];
	gsize len;

	ohe_json_writer_separate (self);
	buf[0] = '"';
	len = ohe_json_format_date_time (cache, buf + 1, utc_us, utc_offset_s);
	buf[len + 1] = '"';
	ohe_json_put (self->out, buf, len + 2);
	self->need_comma = TRUE;
}
