/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void
ohe_decimal_from_double (gdouble value, gint64 *mantissa, gint *exponent);
gdouble
ohe_decimal_to_double (gint64 mantissa, gint exponent);
void
ohe_decimal_normalize (gint64 *mantissa, gint *exponent);
void
ohe_decimal_append (GString *out, gint64 mantissa, gint exponent);
gchar *
ohe_decimal_to_string (gint64 mantissa, gint exponent);
gboolean
ohe_decimal_parse (const gchar *text, gint64 *mantissa, gint *exponent, GError **error);

G_END_DECLS
