/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oheplugin.h"

G_BEGIN_DECLS

#define OHE_SIM_SAMPLE_MAX_VALUES 3

/**
 * OheSimSample:
 * @time: start of the sample, Unix seconds (UTC)
 * @duration: length of the interval the value covers in seconds, 0 for an instant
 * @n_values: number of values: 1 for scalars, 3 for blood pressure
 * @values: the exact values as decimal mantissas, value = mantissa × 10^@exponent;
 *   for blood pressure: systolic, diastolic, pulse
 * @exponent: the power of ten shared by all @values (Withings calls it `unit`)
 *
 * One generated reading. Values are exact decimals so that tests can compare what a plugin
 * produced with what the simulator served, digit for digit.
 *
 * Since: 0.1
 */
typedef struct {
	gint64 time;
	gint64 duration;
	guint n_values;
	gint64 values[OHE_SIM_SAMPLE_MAX_VALUES];
	gint exponent;
} OheSimSample;

/* The generator is a pure function: the same seed, user, kind and time always give the same
 * sample, so the simulator's handlers and the tests that check a plugin compute identical
 * values independently. Kinds without a generator: ohe_sim_data_supports() is FALSE. */

/**
 * ohe_sim_data_supports:
 * @kind: a measurement kind
 *
 * Returns: %TRUE if the simulator generates data for @kind: heart_rate, resting_heart_rate,
 *   blood_pressure, hrv_rmssd, spo2, respiratory_rate, body_temperature, body_weight,
 *   body_fat_ratio and steps.
 */
gboolean
ohe_sim_data_supports (OheMeasurementKind kind);
/**
 * ohe_sim_data_get_kinds:
 * @n_kinds: (out): number of kinds
 *
 * Returns: (transfer none): the kinds the generator supports, in a fixed order
 */
const OheMeasurementKind *
ohe_sim_data_get_kinds (guint *n_kinds);
/**
 * ohe_sim_data_get_interval:
 * @kind: a supported kind
 *
 * Returns: the spacing of the kind's schedule in seconds: 60 for heart_rate and steps (steps
 *   are 60 s intervals), 3600 for spo2, 43200 for blood_pressure, 86400 for the daily kinds;
 *   0 if @kind is not supported
 */
gint64
ohe_sim_data_get_interval (OheMeasurementKind kind);
/**
 * ohe_sim_data_get_component_name:
 * @kind: a supported kind
 * @index: index into #OheSimSample.values
 *
 * Returns: (nullable): "systolic", "diastolic", "pulse" for blood_pressure; the kind name
 *   for index 0 of a scalar kind; %NULL past the last value
 */
const gchar *
ohe_sim_data_get_component_name (OheMeasurementKind kind, guint index);
/**
 * ohe_sim_data_sample_at:
 * @seed: the data seed (per simulated user, see #OheSimUser)
 * @user: the user id
 * @kind: a supported kind
 * @time: Unix seconds
 * @sample: (out caller-allocates): the value at @time
 *
 * Computes the value the kind would have at any instant, whether or not @time is on the
 * kind's schedule (handy for 1-second heart-rate windows). Steps are 0 at night.
 *
 * Returns: %FALSE if @kind is not supported
 */
gboolean
ohe_sim_data_sample_at (
    guint64 seed, const gchar *user, OheMeasurementKind kind, gint64 time, OheSimSample *sample);
/**
 * ohe_sim_data_generate:
 * @seed: the data seed
 * @user: the user id
 * @kind: a supported kind
 * @from: start, Unix seconds, inclusive
 * @to: end, Unix seconds, exclusive
 *
 * All readings of @kind whose #OheSimSample.time lies in [@from, @to), oldest first. Daily
 * kinds happen at a user- and day-specific minute (weight in the morning, BP morning and
 * evening); minutes without steps are left out, like the real clouds do.
 *
 * Returns: (transfer full) (element-type OheSimSample): the samples; empty for unsupported
 *   kinds or an empty range
 */
GArray *
ohe_sim_data_generate (
    guint64 seed, const gchar *user, OheMeasurementKind kind, gint64 from, gint64 to);
/**
 * ohe_sim_sample_value_to_string:
 * @sample: a sample
 * @index: index into @sample's values
 *
 * Returns: (transfer full): the exact decimal, e.g. "72.345", "36.74", "118"
 */
gchar *
ohe_sim_sample_value_to_string (const OheSimSample *sample, guint index);
/**
 * ohe_sim_sample_value_to_double:
 * @sample: a sample
 * @index: index into @sample's values
 *
 * Returns: the value as a double, for range checks only
 */
gdouble
ohe_sim_sample_value_to_double (const OheSimSample *sample, guint index);
/**
 * ohe_sim_data_hash:
 * @seed: a seed
 * @user: (nullable): a user id
 * @a: any number
 * @b: any number
 *
 * The stable 64-bit mix the generator uses; handlers may use it for other deterministic
 * choices (device ids, record ids) so that they too follow the seed.
 *
 * Returns: a well-mixed hash
 */
guint64
ohe_sim_data_hash (guint64 seed, const gchar *user, guint64 a, guint64 b);

/**
 * OheSimEcgRhythm:
 * @OHE_SIM_ECG_RHYTHM_SINUS: normal sinus rhythm
 * @OHE_SIM_ECG_RHYTHM_AFIB: atrial fibrillation
 * @OHE_SIM_ECG_RHYTHM_INCONCLUSIVE: recorded, no decision
 * @OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_HIGH_HR: no decision, heart rate above 120
 * @OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_LOW_HR: no decision, heart rate below 50
 * @OHE_SIM_ECG_RHYTHM_UNREADABLE: signal too poor
 * @OHE_SIM_ECG_RHYTHM_NOT_ANALYZED: no analysis made
 *
 * The rhythm results of docs/measurement-kinds.md that a provider can report for an ECG; each
 * provider's handler names them its own way.
 *
 * Since: 0.1
 */
typedef enum {
	OHE_SIM_ECG_RHYTHM_SINUS,
	OHE_SIM_ECG_RHYTHM_AFIB,
	OHE_SIM_ECG_RHYTHM_INCONCLUSIVE,
	OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_HIGH_HR,
	OHE_SIM_ECG_RHYTHM_INCONCLUSIVE_LOW_HR,
	OHE_SIM_ECG_RHYTHM_UNREADABLE,
	OHE_SIM_ECG_RHYTHM_NOT_ANALYZED,
	OHE_SIM_ECG_RHYTHM_LAST,
} OheSimEcgRhythm;

/**
 * OheSimEcg:
 * @id: a positive record id, stable per seed, user and day (a Withings `signalid`, the last
 *   segment of a Google data point name)
 * @time: start of the recording, Unix seconds (UTC)
 * @sampling_frequency: samples per second, 250 or 300
 * @scaling_factor: raw units per millivolt (mV = sample / factor), 1000 or 10922
 * @lead: the lead number, always 1 (lead I, a wrist recording)
 * @n_samples: number of samples: 30 s × @sampling_frequency
 * @heart_rate: the average heart rate the device reports, beats per minute
 * @rhythm: the rhythm result; it cycles through all values, one step per day
 *
 * One generated ECG recording. The waveform itself comes from ohe_sim_data_ecg_get_samples().
 * ECGs have a generator of their own: ohe_sim_data_supports() stays %FALSE for `ecg`.
 *
 * Since: 0.1
 */
typedef struct {
	gint64 id;
	gint64 time;
	guint sampling_frequency;
	gint scaling_factor;
	guint lead;
	guint n_samples;
	gint64 heart_rate;
	OheSimEcgRhythm rhythm;
} OheSimEcg;

/**
 * ohe_sim_data_generate_ecg:
 * @seed: the data seed
 * @user: the user id
 * @from: start, Unix seconds, inclusive
 * @to: end, Unix seconds, exclusive
 *
 * The ECG recordings whose #OheSimEcg.time lies in [@from, @to), oldest first: one 30-second
 * recording per user and UTC day, at a user- and day-specific second between 08:00 and 20:00.
 *
 * Returns: (transfer full) (element-type OheSimEcg): the recordings; empty for an empty range
 */
GArray *
ohe_sim_data_generate_ecg (guint64 seed, const gchar *user, gint64 from, gint64 to);
/**
 * ohe_sim_data_ecg_get_samples:
 * @seed: the data seed the recording was generated with
 * @user: the user id the recording was generated for
 * @ecg: a recording of ohe_sim_data_generate_ecg()
 *
 * Renders the waveform: P, QRS and T waves around beats at @ecg's heart rate (irregular and
 * without P waves for AFib, buried in noise when unreadable), baseline wander and noise, in
 * raw units of @ecg's scaling factor.
 *
 * Returns: (transfer full) (element-type gint32): #OheSimEcg.n_samples samples
 */
GArray *
ohe_sim_data_ecg_get_samples (guint64 seed, const gchar *user, const OheSimEcg *ecg);
/**
 * ohe_sim_ecg_rhythm_to_code:
 * @rhythm: a rhythm
 *
 * Returns: the canonical code (docs/measurement-kinds.md): "negative", "positive",
 *   "inconclusive", "unreadable" or "not_analyzed"; %NULL if @rhythm is out of range
 */
const gchar *
ohe_sim_ecg_rhythm_to_code (OheSimEcgRhythm rhythm);

G_END_DECLS
