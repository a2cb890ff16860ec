/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "ohe-sim-data.h"

#define SECONDS_PER_DAY 86400

typedef void (*OheSimValueFunc) (guint64 seed, const gchar *user, gint64 time, gdouble *values);

/* One row per kind: when readings happen and how values behave. @offset and @jitter place a
 * reading inside its @interval slot (weight at 07:00 plus up to 40 min), @lo/@hi clamp every
 * value so tests can rely on the documented ranges. */
typedef struct {
	OheMeasurementKind kind;
	gint64 interval;
	gint64 offset;
	gint64 jitter;
	gint64 duration;
	gint exponent;
	guint n_values;
	gdouble lo[OHE_SIM_SAMPLE_MAX_VALUES];
	gdouble hi[OHE_SIM_SAMPLE_MAX_VALUES];
	gdouble resolution;
	gboolean skip_zero;
	OheSimValueFunc func;
} OheSimKindInfo;

static guint64
ohe_sim_data_mix (guint64 x)
{
	/* splitmix64 finalizer: cheap, stable and well distributed */
	x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
	return x ^ (x >> 31);
}

guint64
ohe_sim_data_hash (guint64 seed, const gchar *user, guint64 a, guint64 b)
{
	guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

	/* FNV-1a of the user id, so that ids of any length mix in */
	for (const gchar *p = user != NULL ? user : ""; *p != '\0'; p++) {
		h ^= (guchar)*p;
		h *= G_GUINT64_CONSTANT (0x100000001b3);
	}
	h = ohe_sim_data_mix (ohe_sim_data_mix (seed) ^ h);
	h = ohe_sim_data_mix (h ^ a);
	return ohe_sim_data_mix (h ^ b);
}

/* uniform in [0, 1) */
static gdouble
ohe_sim_data_uniform (guint64 seed, const gchar *user, guint64 a, guint64 b)
{
	return (ohe_sim_data_hash (seed, user, a, b) >> 11) * (1.0 / 9007199254740992.0);
}

/* uniform in [-1, 1) */
static gdouble
ohe_sim_data_noise (guint64 seed, const gchar *user, guint64 a, guint64 b)
{
	return ohe_sim_data_uniform (seed, user, a, b) * 2.0 - 1.0;
}

static gint64
ohe_sim_data_floor_div (gint64 a, gint64 b)
{
	gint64 q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static gdouble
ohe_sim_data_hour_of_day (gint64 time)
{
	return (gdouble)(time - ohe_sim_data_floor_div (time, SECONDS_PER_DAY) * SECONDS_PER_DAY) /
	       3600.0;
}

/* salts keep the random streams of different quantities apart */
enum {
	SALT_USER_BASE = 1,
	SALT_USER_BASE2,
	SALT_NOISE,
	SALT_NOISE2,
	SALT_NOISE3,
	SALT_ACTIVITY,
	SALT_PHASE,
	SALT_JITTER,
	SALT_ECG_TIME,
	SALT_ECG_ID,
	SALT_ECG_DEVICE,
	SALT_ECG_RHYTHM,
	SALT_ECG_HEART_RATE,
	SALT_ECG_BEAT,
	SALT_ECG_NOISE,
	SALT_ECG_PHASE,
};

static gdouble
ohe_sim_data_user_base (guint64 seed, const gchar *user, guint kind, gdouble lo, gdouble hi)
{
	return lo + (hi - lo) * ohe_sim_data_uniform (seed, user, SALT_USER_BASE, kind);
}

static gboolean
ohe_sim_data_is_active_block (guint64 seed, const gchar *user, gint64 time, gdouble p)
{
	/* activity comes in 10-minute blocks, while awake */
	gdouble hour = ohe_sim_data_hour_of_day (time);
	if (hour < 7.0 || hour >= 22.0)
		return FALSE;
	return ohe_sim_data_uniform (seed, user, SALT_ACTIVITY,
				     ohe_sim_data_floor_div (time, 600)) < p;
}

static void
ohe_sim_data_heart_rate (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble base = ohe_sim_data_user_base (seed, user, OHE_MEASUREMENT_KIND_HEART_RATE, 55, 70);
	gdouble hour = ohe_sim_data_hour_of_day (time);
	/* daily rhythm: lowest around 04:00, highest in the afternoon */
	gdouble v = base + 12.0 * sin (2.0 * G_PI * (hour - 10.0) / 24.0) + 8.0;
	if (ohe_sim_data_is_active_block (seed, user, time, 0.12))
		v += 45.0 + 50.0 * ohe_sim_data_uniform (seed, user, SALT_NOISE2, time / 600);
	v += 4.0 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
	values[0] = v;
}

static void
ohe_sim_data_steps (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gint64 minute = ohe_sim_data_floor_div (time, 60);
	gdouble hour = ohe_sim_data_hour_of_day (time);

	if (hour < 7.0 || hour >= 22.0)
		values[0] = 0;
	else if (ohe_sim_data_is_active_block (seed, user, time, 0.12))
		values[0] = 70.0 + 60.0 * ohe_sim_data_uniform (seed, user, SALT_NOISE, minute);
	else if (ohe_sim_data_uniform (seed, user, SALT_NOISE2, minute) < 0.15)
		values[0] = 3.0 + 40.0 * ohe_sim_data_uniform (seed, user, SALT_NOISE3, minute);
	else
		values[0] = 0;
}

static gdouble
ohe_sim_data_daily_wave (guint64 seed, const gchar *user, gint64 time, gdouble period_days)
{
	gdouble phase =
	    2.0 * G_PI * ohe_sim_data_uniform (seed, user, SALT_PHASE, (guint64)period_days);
	return sin (2.0 * G_PI * ((gdouble)time / SECONDS_PER_DAY) / period_days + phase);
}

static void
ohe_sim_data_body_weight (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble base =
	    ohe_sim_data_user_base (seed, user, OHE_MEASUREMENT_KIND_BODY_WEIGHT, 72, 88);
	values[0] = base + 1.5 * ohe_sim_data_daily_wave (seed, user, time, 23.0) +
		    0.6 * ohe_sim_data_daily_wave (seed, user, time, 7.0) +
		    0.3 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
}

static void
ohe_sim_data_body_fat_ratio (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble base =
	    ohe_sim_data_user_base (seed, user, OHE_MEASUREMENT_KIND_BODY_FAT_RATIO, 16, 29);
	values[0] = base + 0.8 * ohe_sim_data_daily_wave (seed, user, time, 23.0) +
		    0.4 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
}

static void
ohe_sim_data_blood_pressure (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	guint kind = OHE_MEASUREMENT_KIND_BLOOD_PRESSURE;
	gdouble sys = ohe_sim_data_user_base (seed, user, kind, 110, 145);
	gdouble dia = 65 + 20 * ohe_sim_data_uniform (seed, user, SALT_USER_BASE2, kind);

	values[0] = sys + 10.0 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
	values[1] = dia + 6.0 * ohe_sim_data_noise (seed, user, SALT_NOISE2, time);
	values[2] = 68.0 + 14.0 * ohe_sim_data_noise (seed, user, SALT_NOISE3, time);
}

static void
ohe_sim_data_spo2 (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble v = 97.0 + 2.0 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
	/* the occasional dip, as during sleep apnoea */
	if (ohe_sim_data_uniform (seed, user, SALT_NOISE2, time) < 0.05)
		v -= 4.0;
	values[0] = v;
}

static void
ohe_sim_data_body_temperature (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	values[0] = 36.7 + 0.25 * ohe_sim_data_daily_wave (seed, user, time, 28.0) +
		    0.35 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
}

static void
ohe_sim_data_resting_heart_rate (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble base = ohe_sim_data_user_base (seed, user, OHE_MEASUREMENT_KIND_HEART_RATE, 55, 70);
	values[0] = base - 3.0 + 3.0 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
}

static void
ohe_sim_data_hrv_rmssd (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble base = ohe_sim_data_user_base (seed, user, OHE_MEASUREMENT_KIND_HRV_RMSSD, 30, 65);
	values[0] = base + 10.0 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
}

static void
ohe_sim_data_respiratory_rate (guint64 seed, const gchar *user, gint64 time, gdouble *values)
{
	gdouble base =
	    ohe_sim_data_user_base (seed, user, OHE_MEASUREMENT_KIND_RESPIRATORY_RATE, 13, 17);
	values[0] = base + 1.5 * ohe_sim_data_noise (seed, user, SALT_NOISE, time);
}

#define HOUR 3600
static const OheSimKindInfo ohe_sim_kind_infos[] = {
    {OHE_MEASUREMENT_KIND_HEART_RATE,
     60,
     0,
     0,
     0,
     0,
     1,
     {50},
     {180},
     1,
     FALSE,
     ohe_sim_data_heart_rate},
    {OHE_MEASUREMENT_KIND_RESTING_HEART_RATE,
     SECONDS_PER_DAY,
     0,
     0,
     SECONDS_PER_DAY,
     0,
     1,
     {45},
     {80},
     1,
     FALSE,
     ohe_sim_data_resting_heart_rate},
    {OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
     12 * HOUR,
     7 * HOUR + 1800,
     1800,
     0,
     0,
     3,
     {100, 60, 50},
     {160, 100, 100},
     1,
     FALSE,
     ohe_sim_data_blood_pressure},
    {OHE_MEASUREMENT_KIND_HRV_RMSSD,
     SECONDS_PER_DAY,
     0,
     0,
     SECONDS_PER_DAY,
     -1,
     1,
     {15},
     {90},
     0.1,
     FALSE,
     ohe_sim_data_hrv_rmssd},
    {OHE_MEASUREMENT_KIND_SPO2, HOUR, 0, 600, 0, 0, 1, {92}, {100}, 1, FALSE, ohe_sim_data_spo2},
    {OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
     SECONDS_PER_DAY,
     0,
     0,
     SECONDS_PER_DAY,
     -1,
     1,
     {10},
     {22},
     0.1,
     FALSE,
     ohe_sim_data_respiratory_rate},
    {OHE_MEASUREMENT_KIND_BODY_TEMPERATURE,
     SECONDS_PER_DAY,
     7 * HOUR + 1800,
     1800,
     0,
     -2,
     1,
     {36.0},
     {37.5},
     0.01,
     FALSE,
     ohe_sim_data_body_temperature},
    {OHE_MEASUREMENT_KIND_BODY_WEIGHT,
     SECONDS_PER_DAY,
     7 * HOUR,
     2400,
     0,
     -3,
     1,
     {70},
     {90},
     0.005,
     FALSE,
     ohe_sim_data_body_weight},
    {OHE_MEASUREMENT_KIND_BODY_FAT_RATIO,
     SECONDS_PER_DAY,
     7 * HOUR,
     2400,
     0,
     -2,
     1,
     {10},
     {35},
     0.01,
     FALSE,
     ohe_sim_data_body_fat_ratio},
    {OHE_MEASUREMENT_KIND_STEPS, 60, 0, 0, 60, 0, 1, {0}, {200}, 1, TRUE, ohe_sim_data_steps},
};

static const OheSimKindInfo *
ohe_sim_data_lookup (OheMeasurementKind kind)
{
	for (guint i = 0; i < G_N_ELEMENTS (ohe_sim_kind_infos); i++) {
		if (ohe_sim_kind_infos[i].kind == kind)
			return &ohe_sim_kind_infos[i];
	}
	return NULL;
}

gboolean
ohe_sim_data_supports (OheMeasurementKind kind)
{
	return ohe_sim_data_lookup (kind) != NULL;
}

const OheMeasurementKind *
ohe_sim_data_get_kinds (guint *n_kinds)
{
	static const OheMeasurementKind kinds[] = {
	    OHE_MEASUREMENT_KIND_HEART_RATE,
	    OHE_MEASUREMENT_KIND_RESTING_HEART_RATE,
	    OHE_MEASUREMENT_KIND_BLOOD_PRESSURE,
	    OHE_MEASUREMENT_KIND_HRV_RMSSD,
	    OHE_MEASUREMENT_KIND_SPO2,
	    OHE_MEASUREMENT_KIND_RESPIRATORY_RATE,
	    OHE_MEASUREMENT_KIND_BODY_TEMPERATURE,
	    OHE_MEASUREMENT_KIND_BODY_WEIGHT,
	    OHE_MEASUREMENT_KIND_BODY_FAT_RATIO,
	    OHE_MEASUREMENT_KIND_STEPS,
	};
	G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == G_N_ELEMENTS (ohe_sim_kind_infos));
	if (n_kinds != NULL)
		*n_kinds = G_N_ELEMENTS (kinds);
	return kinds;
}

gint64
ohe_sim_data_get_interval (OheMeasurementKind kind)
{
	const OheSimKindInfo *info = ohe_sim_data_lookup (kind);
	return info != NULL ? info->interval : 0;
}

const gchar *
ohe_sim_data_get_component_name (OheMeasurementKind kind, guint index)
{
	static const gchar *bp[] = {"systolic", "diastolic", "pulse"};
	const OheSimKindInfo *info = ohe_sim_data_lookup (kind);

	if (info == NULL || index >= info->n_values)
		return NULL;
	if (kind == OHE_MEASUREMENT_KIND_BLOOD_PRESSURE)
		return bp[index];
	return ohe_measurement_kind_to_string (kind);
}

static gint64
ohe_sim_data_pow10 (gint exponent)
{
	gint64 p = 1;
	for (gint i = 0; i < exponent; i++)
		p *= 10;
	return p;
}

gboolean
ohe_sim_data_sample_at (
    guint64 seed, const gchar *user, OheMeasurementKind kind, gint64 time, OheSimSample *sample)
{
	const OheSimKindInfo *info = ohe_sim_data_lookup (kind);
	gdouble values[OHE_SIM_SAMPLE_MAX_VALUES] = {0};
	gint64 scale;

	g_return_val_if_fail (sample != NULL, FALSE);
	if (info == NULL)
		return FALSE;

	memset (sample, 0, sizeof (*sample));
	sample->time = time;
	sample->duration = info->duration;
	sample->n_values = info->n_values;
	sample->exponent = info->exponent;
	info->func (seed, user, time, values);

	/* round to the device's resolution, then express in units of 10^exponent */
	scale = ohe_sim_data_pow10 (-info->exponent);
	for (guint i = 0; i < info->n_values; i++) {
		gdouble v = CLAMP (values[i], info->lo[i], info->hi[i]);
		v = round (v / info->resolution) * info->resolution;
		sample->values[i] = (gint64)llround (v * (gdouble)scale);
	}
	return TRUE;
}

GArray *
ohe_sim_data_generate (
    guint64 seed, const gchar *user, OheMeasurementKind kind, gint64 from, gint64 to)
{
	const OheSimKindInfo *info = ohe_sim_data_lookup (kind);
	GArray *samples = g_array_new (FALSE, FALSE, sizeof (OheSimSample));

	if (info == NULL || to <= from)
		return samples;

	/* walk the slots that can hold a reading in range; the slot before @from may still
	 * place its reading after @from thanks to offset and jitter */
	for (gint64 slot = ohe_sim_data_floor_div (from, info->interval) - 1;
	     slot * info->interval < to; slot++) {
		OheSimSample sample;
		gint64 t = slot * info->interval + info->offset;

		if (info->jitter > 0) {
			guint64 h = ohe_sim_data_hash (seed, user, SALT_JITTER,
						       ((guint64)kind << 40) ^ (guint64)slot);
			t += (gint64)(h % (guint64)(info->jitter + 1));
		}
		if (t < from || t >= to)
			continue;
		ohe_sim_data_sample_at (seed, user, kind, t, &sample);
		if (info->skip_zero && sample.values[0] == 0)
			continue;
		g_array_append_val (samples, sample);
	}
	return samples;
}

gchar *
ohe_sim_sample_value_to_string (const OheSimSample *sample, guint index)
{
	g_return_val_if_fail (sample != NULL, NULL);
	g_return_val_if_fail (index < sample->n_values, NULL);
	return ohe_decimal_to_string (sample->values[index], sample->exponent);
}

gdouble
ohe_sim_sample_value_to_double (const OheSimSample *sample, guint index)
{
	g_return_val_if_fail (sample != NULL, 0);
	g_return_val_if_fail (index < sample->n_values, 0);
	return ohe_decimal_to_double (sample->values[index], sample->exponent);
}

/* ECG recordings */

#define ECG_SECONDS 30

/* per rhythm: its §9 code and the average heart rates that go with it (a high- or low-rate
 * inconclusive result needs a rate above 120 or below 50, as the devices decide) */
static const struct {
	const gchar *code;
	gint64 heart_rate_lo;
	gint64 heart_rate_hi;
} ohe_sim_ecg_rhythms[] = {
    [OHE_SIM_ECG_RHYTHM_SINUS] = {"negative", 58, 95},
    [OHE_SIM_ECG_RHYTHM_AFIB] = {"positive", 80, 120},
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE] = {"inconclusive", 60, 100},
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_HIGH_HR] = {"inconclusive", 121, 140},
    [OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_LOW_HR] = {"inconclusive", 40, 49},
    [OHE_SIM_ECG_RHYTHM_UNREADABLE] = {"unreadable", 60, 100},
    [OHE_SIM_ECG_RHYTHM_NOT_ANALYZED] = {"not_analyzed", 60, 100},
};
G_STATIC_ASSERT (G_N_ELEMENTS (ohe_sim_ecg_rhythms) == OHE_SIM_ECG_RHYTHM_LAST);

/* two recorders, so that both common sampling rates and a factor that is not a power of ten
 * reach the plugins */
static const struct {
	guint sampling_frequency;
	gint scaling_factor;
} ohe_sim_ecg_devices[] = {
    {250, 1000},
    {300, 10922},
};

/* the waves of one PQRST complex: Gaussian bumps around the R peak, in seconds and mV */
typedef struct {
	gdouble at;
	gdouble amplitude;
	gdouble width;
	gboolean atrial; /* the P wave, absent in AFib */
} OheSimEcgWave;

static const OheSimEcgWave ohe_sim_ecg_waves[] = {
    {-0.160, 0.12, 0.025, TRUE},   /* P */
    {-0.035, -0.10, 0.010, FALSE}, /* Q */
    {0.000, 1.10, 0.012, FALSE},   /* R */
    {0.035, -0.25, 0.010, FALSE},  /* S */
    {0.260, 0.30, 0.050, FALSE},   /* T, at a rate of 60 */
};

const gchar *
ohe_sim_ecg_rhythm_to_code (OheSimEcgRhythm rhythm)
{
	if ((guint)rhythm >= G_N_ELEMENTS (ohe_sim_ecg_rhythms))
		return NULL;
	return ohe_sim_ecg_rhythms[rhythm].code;
}

static void
ohe_sim_data_ecg_of_day (guint64 seed, const gchar *user, gint64 day, OheSimEcg *ecg)
{
	guint64 d = (guint64)day;
	guint device =
	    ohe_sim_data_hash (seed, user, SALT_ECG_DEVICE, d) % G_N_ELEMENTS (ohe_sim_ecg_devices);
	guint64 first =
	    ohe_sim_data_hash (seed, user, SALT_ECG_RHYTHM, 0) % OHE_SIM_ECG_RHYTHM_LAST;
	gint64 lo, hi, step;

	memset (ecg, 0, sizeof (*ecg));
	/* ids look like the large positive integers the clouds hand out */
	ecg->id = (gint64)(ohe_sim_data_hash (seed, user, SALT_ECG_ID, d) >> 12) + 1;
	ecg->time = day * SECONDS_PER_DAY + 8 * 3600 +
		    (gint64)(ohe_sim_data_hash (seed, user, SALT_ECG_TIME, d) % (12 * 3600));
	ecg->sampling_frequency = ohe_sim_ecg_devices[device].sampling_frequency;
	ecg->scaling_factor = ohe_sim_ecg_devices[device].scaling_factor;
	ecg->lead = 1;
	ecg->n_samples = ECG_SECONDS * ecg->sampling_frequency;
	/* one step through the rhythms per day, from a user-specific start */
	step = day % OHE_SIM_ECG_RHYTHM_LAST + OHE_SIM_ECG_RHYTHM_LAST + (gint64)first;
	ecg->rhythm = (OheSimEcgRhythm)(step % OHE_SIM_ECG_RHYTHM_LAST);
	lo = ohe_sim_ecg_rhythms[ecg->rhythm].heart_rate_lo;
	hi = ohe_sim_ecg_rhythms[ecg->rhythm].heart_rate_hi;
	ecg->heart_rate = lo + (gint64)(ohe_sim_data_hash (seed, user, SALT_ECG_HEART_RATE, d) %
					(guint64)(hi - lo + 1));
}

GArray *
ohe_sim_data_generate_ecg (guint64 seed, const gchar *user, gint64 from, gint64 to)
{
	GArray *ecgs = g_array_new (FALSE, FALSE, sizeof (OheSimEcg));

	if (to <= from)
		return ecgs;
	/* a recording never leaves its UTC day, so the days of the range are enough */
	for (gint64 day = ohe_sim_data_floor_div (from, SECONDS_PER_DAY);
	     day * SECONDS_PER_DAY < to; day++) {
		OheSimEcg ecg;
		ohe_sim_data_ecg_of_day (seed, user, day, &ecg);
		if (ecg.time < from || ecg.time >= to)
			continue;
		g_array_append_val (ecgs, ecg);
	}
	return ecgs;
}

/* R-peak times in seconds from the start, from one beat before the recording to one after, so
 * that complexes cut by the edges still show */
static GArray *
ohe_sim_data_ecg_beats (guint64 seed, const gchar *user, const OheSimEcg *ecg)
{
	GArray *beats = g_array_new (FALSE, FALSE, sizeof (gdouble));
	gdouble rr = 60.0 / (gdouble)MAX (ecg->heart_rate, 20);
	/* sinus rhythm varies a little from beat to beat, AFib is irregularly irregular */
	gdouble spread = ecg->rhythm == OHE_SIM_ECG_RHYTHM_AFIB ? 0.3 : 0.04;
	gdouble duration = (gdouble)ecg->n_samples / (gdouble)ecg->sampling_frequency;
	guint64 key = (guint64)ecg->time << 16;
	gdouble t = -rr * ohe_sim_data_uniform (seed, user, SALT_ECG_BEAT, key);

	for (guint64 k = 1; t < duration + rr; k++) {
		g_array_append_val (beats, t);
		t += rr * (1.0 + spread * ohe_sim_data_noise (seed, user, SALT_ECG_BEAT, key + k));
	}
	return beats;
}

static gdouble
ohe_sim_data_ecg_complex (gdouble dt, gdouble rr, gboolean atrial)
{
	gdouble v = 0;
	for (guint i = 0; i < G_N_ELEMENTS (ohe_sim_ecg_waves); i++) {
		const OheSimEcgWave *w = &ohe_sim_ecg_waves[i];
		/* the T wave comes later at slower rates (Bazett) */
		gdouble at = w->at > 0.1 ? w->at * sqrt (rr) : w->at;
		gdouble x = (dt - at) / w->width;
		if (w->atrial && !atrial)
			continue;
		v += w->amplitude * exp (-0.5 * x * x);
	}
	return v;
}

GArray *
ohe_sim_data_ecg_get_samples (guint64 seed, const gchar *user, const OheSimEcg *ecg)
{
	g_autoptr (GArray) beats = NULL;
	GArray *samples;
	gboolean afib, poor;
	gdouble rr, phase, f_phase;
	guint64 key;
	guint first = 0;

	g_return_val_if_fail (ecg != NULL, NULL);
	samples = g_array_sized_new (FALSE, FALSE, sizeof (gint32), ecg->n_samples);
	if (ecg->sampling_frequency == 0)
		return samples;
	beats = ohe_sim_data_ecg_beats (seed, user, ecg);
	afib = ecg->rhythm == OHE_SIM_ECG_RHYTHM_AFIB;
	poor = ecg->rhythm == OHE_SIM_ECG_RHYTHM_UNREADABLE;
	rr = 60.0 / (gdouble)MAX (ecg->heart_rate, 20);
	key = (guint64)ecg->time << 16;
	phase = 2.0 * G_PI * ohe_sim_data_uniform (seed, user, SALT_ECG_PHASE, key);
	f_phase = 2.0 * G_PI * ohe_sim_data_uniform (seed, user, SALT_ECG_PHASE, key + 1);

	for (guint i = 0; i < ecg->n_samples; i++) {
		gdouble t = (gdouble)i / (gdouble)ecg->sampling_frequency;
		/* breathing moves the baseline */
		gdouble mv = 0.06 * sin (2.0 * G_PI * 0.3 * t + phase);
		gint32 raw;

		/* only beats within a second matter; the Gaussians are nil beyond */
		while (first < beats->len && g_array_index (beats, gdouble, first) < t - 1.0)
			first++;
		for (guint b = first; b < beats->len && g_array_index (beats, gdouble, b) < t + 1.0;
		     b++)
			mv += (poor ? 0.3 : 1.0) *
			      ohe_sim_data_ecg_complex (t - g_array_index (beats, gdouble, b), rr,
							!afib);
		if (afib)
			mv += 0.04 * sin (2.0 * G_PI * 6.3 * t + f_phase);
		if (poor)
			mv += 0.3 * sin (2.0 * G_PI * 1.7 * t + f_phase) +
			      0.4 * ohe_sim_data_noise (seed, user, SALT_ECG_NOISE, key + i);
		else
			mv += 0.015 * ohe_sim_data_noise (seed, user, SALT_ECG_NOISE, key + i);
		raw = (gint32)lround (mv * (gdouble)ecg->scaling_factor);
		g_array_append_val (samples, raw);
	}
	return samples;
}
