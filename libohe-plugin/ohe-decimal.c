/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "ohe-decimal.h"
#include "ohe-error.h"

/*
 * Measurement values are exact decimals (mantissa × 10^exponent), so a
 * Withings 72345 with unit -3 is written as 72.345 and never as
 * 72.344999999999999.
 */

static const gdouble ohe_decimal_pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/**
 * ohe_decimal_normalize:
 * @mantissa: (inout): the mantissa
 * @exponent: (inout): the power of ten
 *
 * Removes trailing zeros of the mantissa, so 72300 × 10^-3 becomes 723 × 10^-1.
 *
 * Since: 0.1
 */
void
ohe_decimal_normalize (gint64 *mantissa, gint *exponent)
{
	if (*mantissa == 0) {
		*exponent = 0;
		return;
	}
	while (*exponent < 0 && *mantissa % 10 == 0) {
		*mantissa /= 10;
		*exponent += 1;
	}
}

/**
 * ohe_decimal_from_double:
 * @value: a finite number
 * @mantissa: (out): the mantissa
 * @exponent: (out): the power of ten
 *
 * Finds the shortest decimal that converts back to exactly @value.
 *
 * Since: 0.1
 */
void
ohe_decimal_from_double (gdouble value, gint64 *mantissa, gint *exponent)
{
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_autoptr(GError) error = NULL;

	if (!isfinite (value)) {
		*mantissa = 0;
		*exponent = 0;
		return;
	}
	/* fast path: values with few decimals, which are nearly all of them */
	for (guint e = 0; e < G_N_ELEMENTS (ohe_decimal_pow10); e++) {
		gdouble scaled = value * ohe_decimal_pow10[e];
		gint64 m;
		if (fabs (scaled) >= 9e15)
			break;
		m = (gint64)llround (scaled);
		if ((gdouble)m / ohe_decimal_pow10[e] == value) {
			*mantissa = m;
			*exponent = -(gint)e;
			ohe_decimal_normalize (mantissa, exponent);
			return;
		}
	}
	for (gint precision = 1; precision <= 17; precision++) {
		g_snprintf (buf, sizeof (buf), "%.*e", precision - 1, value);
		if (g_ascii_strtod (buf, NULL) == value)
			break;
	}
	if (!ohe_decimal_parse (buf, mantissa, exponent, &error)) {
		*mantissa = 0;
		*exponent = 0;
	}
}

/**
 * ohe_decimal_to_double:
 * @mantissa: the mantissa
 * @exponent: the power of ten
 *
 * Returns: the nearest double
 *
 * Since: 0.1
 */
gdouble
ohe_decimal_to_double (gint64 mantissa, gint exponent)
{
	if (exponent < 0 && (guint)-exponent < G_N_ELEMENTS (ohe_decimal_pow10))
		return (gdouble)mantissa / ohe_decimal_pow10[-exponent];
	if (exponent >= 0 && (guint)exponent < G_N_ELEMENTS (ohe_decimal_pow10))
		return (gdouble)mantissa * ohe_decimal_pow10[exponent];
	return (gdouble)mantissa * pow (10.0, exponent);
}

/**
 * ohe_decimal_append:
 * @out: a #GString
 * @mantissa: the mantissa
 * @exponent: the power of ten
 *
 * Appends the plain decimal notation (no exponent), as JSON and FHIR want it.
 *
 * Since: 0.1
 */
void
ohe_decimal_append (GString *out, gint64 mantissa, gint exponent)
{
	gchar digits[24];
	gint n;
	guint64 magnitude;

	if (mantissa == 0) {
		g_string_append_c (out, '0');
		return;
	}
	if (mantissa < 0) {
		g_string_append_c (out, '-');
		magnitude = (guint64)(-(mantissa + 1)) + 1;
	} else {
		magnitude = (guint64)mantissa;
	}
	n = g_snprintf (digits, sizeof (digits), "%" G_GUINT64_FORMAT, magnitude);
	if (exponent >= 0) {
		g_string_append_len (out, digits, n);
		for (gint i = 0; i < exponent; i++)
			g_string_append_c (out, '0');
		return;
	}
	if (-exponent >= n) {
		g_string_append (out, "0.");
		for (gint i = 0; i < -exponent - n; i++)
			g_string_append_c (out, '0');
		g_string_append_len (out, digits, n);
		return;
	}
	g_string_append_len (out, digits, n + exponent);
	g_string_append_c (out, '.');
	g_string_append_len (out, digits + n + exponent, -exponent);
}

/**
 * ohe_decimal_to_string:
 * @mantissa: the mantissa
 * @exponent: the power of ten
 *
 * Returns: (transfer full): the plain decimal notation
 *
 * Since: 0.1
 */
gchar *
ohe_decimal_to_string (gint64 mantissa, gint exponent)
{
	GString *out = g_string_sized_new (24);
	ohe_decimal_append (out, mantissa, exponent);
	return g_string_free (out, FALSE);
}

/**
 * ohe_decimal_parse:
 * @text: a decimal number such as `-72.345` or `1.5e-3`
 * @mantissa: (out): the mantissa
 * @exponent: (out): the power of ten
 * @error: a #GError, or %NULL
 *
 * Parses a decimal exactly, without going through binary floating point.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
ohe_decimal_parse (const gchar *text, gint64 *mantissa, gint *exponent, GError **error)
{
	const gchar *p = text;
	gboolean negative = FALSE;
	gboolean seen_digit = FALSE;
	guint64 m = 0;
	gint e = 0;

	g_return_val_if_fail (text != NULL, FALSE);

	if (*p == '-' || *p == '+')
		negative = (*p++ == '-');
	for (; g_ascii_isdigit (*p); p++) {
		if (m > (G_MAXINT64 - 9) / 10) {
			e++;
		} else {
			m = m * 10 + (guint64)(*p - '0');
		}
		seen_digit = TRUE;
	}
	if (*p == '.') {
		p++;
		for (; g_ascii_isdigit (*p); p++) {
			if (m <= (G_MAXINT64 - 9) / 10) {
				m = m * 10 + (guint64)(*p - '0');
				e--;
			}
			seen_digit = TRUE;
		}
	}
	if (seen_digit && (*p == 'e' || *p == 'E')) {
		gchar *end = NULL;
		gint64 exp_part = g_ascii_strtoll (p + 1, &end, 10);
		if (end == p + 1 || exp_part > 300 || exp_part < -300) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "not a decimal number: '%s'", text);
			return FALSE;
		}
		e += (gint)exp_part;
		p = end;
	}
	if (!seen_digit || *p != '\0') {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA, "not a decimal number: '%s'",
			     text);
		return FALSE;
	}
	*mantissa = negative ? -(gint64)m : (gint64)m;
	*exponent = e;
	ohe_decimal_normalize (mantissa, exponent);
	return TRUE;
}
