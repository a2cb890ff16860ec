/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <oheplugin.h>

G_BEGIN_DECLS

/* what a getmeas measure becomes inside its group */
typedef enum {
	OHE_WITHINGS_ROLE_SCALAR,    /* its own measurement of the kind */
	OHE_WITHINGS_ROLE_SYSTOLIC,  /* component of the group's blood_pressure */
	OHE_WITHINGS_ROLE_DIASTOLIC, /* component of the group's blood_pressure */
	OHE_WITHINGS_ROLE_PULSE,     /* heart_rate, child of the group's BP or weigh-in */
	OHE_WITHINGS_ROLE_AFIB_ECG,  /* afib_classification from the 130 code table */
	OHE_WITHINGS_ROLE_AFIB_PPG,  /* afib_classification, 139 read with the 130 table */
} OheWithingsRole;

typedef struct {
	gint meastype;
	OheMeasurementKind kind;
	gint exponent_shift; /* added to the unit exponent: m → cm is +2 */
	OheWithingsRole role;
} OheWithingsMeastype;

typedef struct {
	gint code;
	const gchar *classification; /* OHE_CLASSIFICATION_* */
	const gchar *band;	     /* nullable, heart-rate band */
} OheWithingsAfibCode;

typedef struct {
	gint appli;
	const gchar *scope;
	OheMeasurementKind kinds[12]; /* ends at OHE_MEASUREMENT_KIND_UNKNOWN */
} OheWithingsAppli;

typedef struct {
	const gchar *field; /* getintradayactivity data_fields name */
	OheMeasurementKind kind;
} OheWithingsIntradayField;

const OheWithingsMeastype *
ohe_withings_meastype_lookup (gint meastype);
guint
ohe_withings_meastype_get_n (void);
const OheWithingsMeastype *
ohe_withings_meastype_get (guint idx);
const OheWithingsAfibCode *
ohe_withings_afib_lookup (gint code);
const OheWithingsAfibCode *
ohe_withings_heart_afib_lookup (gint code);
const gchar *
ohe_withings_wear_position_to_string (gint position);
const OheWithingsAppli *
ohe_withings_appli_lookup (gint appli);
guint
ohe_withings_appli_get_n (void);
const OheWithingsAppli *
ohe_withings_appli_get (guint idx);
gboolean
ohe_withings_appli_has_kind (const OheWithingsAppli *appli, OheMeasurementKind kind);
guint
ohe_withings_intraday_field_get_n (void);
const OheWithingsIntradayField *
ohe_withings_intraday_field_get (guint idx);
const OheWithingsIntradayField *
ohe_withings_intraday_field_lookup (const gchar *field);
const gchar *
ohe_withings_model_to_string (gint64 model_id);
OheError
ohe_withings_status_to_error (gint status, const gchar **family);

G_END_DECLS
