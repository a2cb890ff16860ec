/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-withings-tables.h"

/*
 * The Withings code tables as data, from the API reference
 * (https://developer.withings.com/api-reference/) and docs/measurement-kinds.md:
 * meastypes, AFib codes, appli values, intraday fields and the status families
 * of the HTTP-200 envelope. Meastypes not listed here (135–138,
 * 155, 167–169, 173–175, 196, 229) are not modelled and are skipped.
 */

#define K(x) OHE_MEASUREMENT_KIND_##x

static const OheWithingsMeastype ohe_withings_meastypes[] = {
    {1, K (BODY_WEIGHT), 0, OHE_WITHINGS_ROLE_SCALAR},
    {4, K (BODY_HEIGHT), 2, OHE_WITHINGS_ROLE_SCALAR},
    {5, K (FAT_FREE_MASS), 0, OHE_WITHINGS_ROLE_SCALAR},
    {6, K (BODY_FAT_RATIO), 0, OHE_WITHINGS_ROLE_SCALAR},
    {8, K (FAT_MASS), 0, OHE_WITHINGS_ROLE_SCALAR},
    {9, K (BLOOD_PRESSURE), 0, OHE_WITHINGS_ROLE_DIASTOLIC},
    {10, K (BLOOD_PRESSURE), 0, OHE_WITHINGS_ROLE_SYSTOLIC},
    {11, K (HEART_RATE), 0, OHE_WITHINGS_ROLE_PULSE},
    {12, K (BODY_TEMPERATURE), 0, OHE_WITHINGS_ROLE_SCALAR},
    {54, K (SPO2), 0, OHE_WITHINGS_ROLE_SCALAR},
    {71, K (BODY_TEMPERATURE), 0, OHE_WITHINGS_ROLE_SCALAR},
    {73, K (SKIN_TEMPERATURE), 0, OHE_WITHINGS_ROLE_SCALAR},
    {76, K (MUSCLE_MASS), 0, OHE_WITHINGS_ROLE_SCALAR},
    {77, K (BODY_WATER_MASS), 0, OHE_WITHINGS_ROLE_SCALAR},
    {88, K (BONE_MASS), 0, OHE_WITHINGS_ROLE_SCALAR},
    {91, K (PULSE_WAVE_VELOCITY), 0, OHE_WITHINGS_ROLE_SCALAR},
    {123, K (VO2MAX), 0, OHE_WITHINGS_ROLE_SCALAR},
    {130, K (AFIB_CLASSIFICATION), 0, OHE_WITHINGS_ROLE_AFIB_ECG},
    {139, K (AFIB_CLASSIFICATION), 0, OHE_WITHINGS_ROLE_AFIB_PPG},
    {170, K (VISCERAL_FAT_INDEX), 0, OHE_WITHINGS_ROLE_SCALAR},
    {226, K (BASAL_METABOLIC_RATE), 0, OHE_WITHINGS_ROLE_SCALAR},
    {227, K (METABOLIC_AGE), 0, OHE_WITHINGS_ROLE_SCALAR},
};

/* classification codes and heart-rate bands of the contract (ohe-classification.h, ohe-qualifier.h)
 */
#define C(name) OHE_CLASSIFICATION_##name
#define HIGH	OHE_QUALIFIER_HEART_RATE_BAND_VALUE_HIGH
#define LOW	OHE_QUALIFIER_HEART_RATE_BAND_VALUE_LOW

/* meastype 130 value codes */
static const OheWithingsAfibCode ohe_withings_afib_codes[] = {
    {0, C (NEGATIVE), NULL},	{1, C (POSITIVE), NULL},      {2, C (INCONCLUSIVE), NULL},
    {3, C (UNREADABLE), NULL},	{4, C (OTHER), NULL},	      {5, C (UNREADABLE), NULL},
    {6, C (INCONCLUSIVE), LOW}, {7, C (INCONCLUSIVE), HIGH},  {8, C (INCONCLUSIVE), NULL},
    {9, C (NEGATIVE), NULL},	{10, C (NEGATIVE), HIGH},     {11, C (POSITIVE), NULL},
    {12, C (POSITIVE), HIGH},	{13, C (NOT_ANALYZED), NULL},
};

/* heart list ecg.afib */
static const OheWithingsAfibCode ohe_withings_heart_afib_codes[] = {
    {0, C (NEGATIVE), NULL},
    {1, C (POSITIVE), NULL},
    {2, C (INCONCLUSIVE), NULL},
};

#undef C
#undef HIGH
#undef LOW

/* heart get wearposition, as the reference defines it, in the contract's values */
static const gchar *const ohe_withings_wear_positions[] = {
    OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_WRIST, OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_WRIST,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_ARM,   OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_ARM,
    OHE_QUALIFIER_WEAR_POSITION_VALUE_RIGHT_FOOT,  OHE_QUALIFIER_WEAR_POSITION_VALUE_LEFT_FOOT,
};

static const OheWithingsAppli ohe_withings_applis[] = {
    {1,
     "user.metrics",
     {K (BODY_WEIGHT), K (BODY_HEIGHT), K (FAT_FREE_MASS), K (BODY_FAT_RATIO), K (FAT_MASS),
      K (MUSCLE_MASS), K (BODY_WATER_MASS), K (BONE_MASS), K (PULSE_WAVE_VELOCITY),
      K (BODY_TEMPERATURE), K (SKIN_TEMPERATURE), K (UNKNOWN)}},
    {2, "user.metrics", {K (BODY_TEMPERATURE), K (SKIN_TEMPERATURE), K (UNKNOWN)}},
    {4, "user.metrics", {K (BLOOD_PRESSURE), K (HEART_RATE), K (SPO2), K (UNKNOWN)}},
    {16,
     "user.activity",
     {K (STEPS), K (HEART_RATE), K (SPO2), K (HRV_RMSSD), K (HRV_SDNN), K (RESPIRATORY_RATE),
      K (BODY_TEMPERATURE), K (UNKNOWN)}},
    {44, "user.activity", {K (SLEEP), K (UNKNOWN)}},
    {46, "user.info", {K (UNKNOWN)}},
    {54, "user.metrics", {K (ECG), K (AFIB_CLASSIFICATION), K (HEART_RATE), K (UNKNOWN)}},
};

static const OheWithingsIntradayField ohe_withings_intraday_fields[] = {
    {"heart_rate", K (HEART_RATE)},
    {"steps", K (STEPS)},
    {"spo2_auto", K (SPO2)},
    {"rmssd", K (HRV_RMSSD)},
    {"sdnn1", K (HRV_SDNN)},
    {"rr", K (RESPIRATORY_RATE)},
    {"core_body_temperature", K (BODY_TEMPERATURE)},
};

#undef K

/* model_id → model name, for records (heart list) that carry only the id */
static const struct {
	gint model_id;
	const gchar *name;
} ohe_withings_models[] = {
    {1, "WBS01"},
    {5, "Body+"},
    {6, "Body Cardio"},
    {7, "Body"},
    {9, "Body Pro"},
    {10, "Body Scan"},
    {11, "WBS10"},
    {12, "WBS11"},
    {18, "Body Comp"},
    {41, "BPM V1"},
    {42, "BPM V2"},
    {43, "BPM V3"},
    {44, "BPM Core"},
    {45, "BPM Connect"},
    {46, "BPM Connect Pro"},
    {47, "BPM Pro 2"},
    {48, "BPM Vision"},
    {51, "Pulse"},
    {55, "Activite Steel HR"},
    {58, "Pulse HR"},
    {59, "Activite Steel HR Sport Edition"},
    {60, "Aura Dock"},
    {61, "Aura Sensor"},
    {63, "Aura Sensor V2"},
    {70, "Thermo"},
    {71, "BeamO"},
    {90, "Move"},
    {91, "Move ECG"},
    {92, "Move ECG"},
    {93, "ScanWatch"},
    {94, "ScanWatch 2"},
    {95, "ScanWatch Light"},
};

typedef struct {
	gint lo;
	gint hi;
	OheError code;
	const gchar *family;
} OheWithingsStatusRange;

#define AUTH	 OHE_ERROR_AUTH_EXPIRED, "authentication failed"
#define PARAMS	 OHE_ERROR_INVALID_ARGUMENT, "invalid params"
#define UNAUTH	 OHE_ERROR_PERMISSION_DENIED, "unauthorized"
#define OCCURRED OHE_ERROR_UNAVAILABLE, "an error occurred"

/* the envelope status families; the auth family asks for one refresh, see the provider */
static const OheWithingsStatusRange ohe_withings_status_ranges[] = {
    {100, 102, AUTH},
    {200, 200, AUTH},
    {401, 401, AUTH},
    {201, 213, PARAMS},
    {216, 218, PARAMS},
    {220, 221, PARAMS},
    {223, 223, PARAMS},
    {225, 225, PARAMS},
    {227, 230, PARAMS},
    {234, 236, PARAMS},
    {238, 238, PARAMS},
    {240, 252, PARAMS},
    {254, 254, PARAMS},
    {260, 267, PARAMS},
    {271, 272, PARAMS},
    {275, 276, PARAMS},
    {283, 288, PARAMS},
    {290, 290, PARAMS},
    {293, 295, PARAMS},
    {297, 297, PARAMS},
    {300, 304, PARAMS},
    {321, 321, PARAMS},
    {323, 353, PARAMS},
    {380, 382, PARAMS},
    {400, 400, PARAMS},
    {501, 511, PARAMS},
    {523, 523, PARAMS},
    {532, 532, PARAMS},
    {3017, 3019, PARAMS},
    {214, 214, UNAUTH},
    {277, 277, UNAUTH},
    {2553, 2553, UNAUTH},
    {2555, 2555, UNAUTH},
    {522, 522, OHE_ERROR_TIMEOUT, "timeout"},
    {524, 524, OHE_ERROR_FAILED, "bad state"},
    {601, 601, OHE_ERROR_RATE_LIMITED, "too many requests"},
    {2554, 2554, OHE_ERROR_NOT_SUPPORTED, "not implemented"},
    {215, 215, OCCURRED},
    {219, 219, OCCURRED},
    {222, 222, OCCURRED},
    {224, 224, OCCURRED},
    {226, 226, OCCURRED},
    {231, 233, OCCURRED},
    {237, 237, OCCURRED},
    {253, 253, OCCURRED},
    {255, 259, OCCURRED},
    {268, 270, OCCURRED},
    {273, 274, OCCURRED},
    {278, 282, OCCURRED},
    {289, 289, OCCURRED},
    {291, 292, OCCURRED},
    {296, 296, OCCURRED},
    {298, 298, OCCURRED},
    {305, 320, OCCURRED},
    {322, 322, OCCURRED},
    {370, 375, OCCURRED},
    {383, 383, OCCURRED},
    {391, 391, OCCURRED},
    {402, 402, OCCURRED},
    {516, 521, OCCURRED},
    {525, 531, OCCURRED},
    {533, 533, OCCURRED},
    {602, 602, OCCURRED},
    {700, 700, OCCURRED},
    {1051, 1054, OCCURRED},
    {2551, 2552, OCCURRED},
    {2556, 2559, OCCURRED},
    {3000, 3016, OCCURRED},
    {3020, 3024, OCCURRED},
    {5000, 5006, OCCURRED},
    {6000, 6000, OCCURRED},
    {6010, 6011, OCCURRED},
    {9000, 9000, OCCURRED},
    {10000, 10000, OCCURRED},
};

#undef AUTH
#undef PARAMS
#undef UNAUTH
#undef OCCURRED

const OheWithingsMeastype *
ohe_withings_meastype_lookup (gint meastype)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_meastypes); i++) {
		if (ohe_withings_meastypes[i].meastype == meastype)
			return &ohe_withings_meastypes[i];
	}
	return NULL;
}

guint
ohe_withings_meastype_get_n (void)
{
	return G_N_ELEMENTS (ohe_withings_meastypes);
}

const OheWithingsMeastype *
ohe_withings_meastype_get (guint idx)
{
	g_return_val_if_fail (idx < G_N_ELEMENTS (ohe_withings_meastypes), NULL);
	return &ohe_withings_meastypes[idx];
}

const OheWithingsAfibCode *
ohe_withings_afib_lookup (gint code)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_afib_codes); i++) {
		if (ohe_withings_afib_codes[i].code == code)
			return &ohe_withings_afib_codes[i];
	}
	return NULL;
}

const OheWithingsAfibCode *
ohe_withings_heart_afib_lookup (gint code)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_heart_afib_codes); i++) {
		if (ohe_withings_heart_afib_codes[i].code == code)
			return &ohe_withings_heart_afib_codes[i];
	}
	return NULL;
}

const gchar *
ohe_withings_wear_position_to_string (gint position)
{
	if (position < 0 || (guint)position >= G_N_ELEMENTS (ohe_withings_wear_positions))
		return NULL;
	return ohe_withings_wear_positions[position];
}

const OheWithingsAppli *
ohe_withings_appli_lookup (gint appli)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_applis); i++) {
		if (ohe_withings_applis[i].appli == appli)
			return &ohe_withings_applis[i];
	}
	return NULL;
}

guint
ohe_withings_appli_get_n (void)
{
	return G_N_ELEMENTS (ohe_withings_applis);
}

const OheWithingsAppli *
ohe_withings_appli_get (guint idx)
{
	g_return_val_if_fail (idx < G_N_ELEMENTS (ohe_withings_applis), NULL);
	return &ohe_withings_applis[idx];
}

gboolean
ohe_withings_appli_has_kind (const OheWithingsAppli *appli, OheMeasurementKind kind)
{
	for (guint i = 0; i < G_N_ELEMENTS (appli->kinds); i++) {
		if (appli->kinds[i] == OHE_MEASUREMENT_KIND_UNKNOWN)
			return FALSE;
		if (appli->kinds[i] == kind)
			return TRUE;
	}
	return FALSE;
}

guint
ohe_withings_intraday_field_get_n (void)
{
	return G_N_ELEMENTS (ohe_withings_intraday_fields);
}

const OheWithingsIntradayField *
ohe_withings_intraday_field_get (guint idx)
{
	g_return_val_if_fail (idx < G_N_ELEMENTS (ohe_withings_intraday_fields), NULL);
	return &ohe_withings_intraday_fields[idx];
}

const OheWithingsIntradayField *
ohe_withings_intraday_field_lookup (const gchar *field)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_intraday_fields); i++) {
		if (g_strcmp0 (ohe_withings_intraday_fields[i].field, field) == 0)
			return &ohe_withings_intraday_fields[i];
	}
	return NULL;
}

const gchar *
ohe_withings_model_to_string (gint64 model_id)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_models); i++) {
		if (ohe_withings_models[i].model_id == model_id)
			return ohe_withings_models[i].name;
	}
	return NULL;
}

/* an unlisted status is a failure nobody documented: not retried */
OheError
ohe_withings_status_to_error (gint status, const gchar **family)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_withings_status_ranges); i++) {
		const OheWithingsStatusRange *r = &ohe_withings_status_ranges[i];
		if (status < r->lo || status > r->hi)
			continue;
		if (family != NULL)
			*family = r->family;
		return r->code;
	}
	if (family != NULL)
		*family = "unknown status";
	return OHE_ERROR_FAILED;
}
