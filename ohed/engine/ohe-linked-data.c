/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-linked-data.h"

/*
 * Required linked data (measurement-kinds.md §1.6): a parent the
 * organisation's rules name ("ecg:heart_rate", "rr_intervals:heart_rate")
 * always reaches the EHR with its child. The provider's own child (an ECG's
 * average heart rate, linked by the parent's native id) is enough; for a
 * parent without one, the pipeline fetches the child kind's stream over the
 * parent's interval and writes those samples as its children
 * (ohe_linked_data_make_child()). Only a parent that is itself going to the
 * EHR counts, and the pipeline asks only for a child kind the link may send:
 * consent beats completeness.
 */
struct _OheLinkedData {
	GObject parent_instance;
	gboolean rules[OHE_MEASUREMENT_KIND_LAST][OHE_MEASUREMENT_KIND_LAST]; /* parent, child */
	gboolean any_parent[OHE_MEASUREMENT_KIND_LAST];
	GHashTable *parents;   /* "parent/native/child" (owned) → OheLinkedParent */
	GHashTable *satisfied; /* "parent/native/child" (owned), set */
};

G_DEFINE_TYPE (OheLinkedData, ohe_linked_data, G_TYPE_OBJECT)

static void
ohe_linked_parent_free (OheLinkedParent *parent)
{
	g_free (parent->native_id);
	g_free (parent);
}

static gchar *
ohe_linked_data_key (OheMeasurementKind parent, const gchar *native_id, OheMeasurementKind child)
{
	return g_strdup_printf ("%d/%d/%s", parent, child, native_id);
}

static void
ohe_linked_data_finalize (GObject *object)
{
	OheLinkedData *self = OHE_LINKED_DATA (object);
	g_hash_table_unref (self->parents);
	g_hash_table_unref (self->satisfied);
	G_OBJECT_CLASS (ohe_linked_data_parent_class)->finalize (object);
}

static void
ohe_linked_data_class_init (OheLinkedDataClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_linked_data_finalize;
}

static void
ohe_linked_data_init (OheLinkedData *self)
{
	self->parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)ohe_linked_parent_free);
	self->satisfied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

OheLinkedData *
ohe_linked_data_new (OheOrganisationPolicy *policy)
{
	OheLinkedData *self = g_object_new (OHE_TYPE_LINKED_DATA, NULL);

	/* looked up once per measurement: a table, not the policy's text */
	for (guint p = 1; p < OHE_MEASUREMENT_KIND_LAST; p++) {
		for (guint c = 1; c < OHE_MEASUREMENT_KIND_LAST; c++) {
			self->rules[p][c] = ohe_organisation_policy_requires_linked (policy, p, c);
			self->any_parent[p] |= self->rules[p][c];
		}
	}
	return self;
}

/* notes the parents in @batch that go to the EHR and the children it brings */
void
ohe_linked_data_observe (OheLinkedData *self, OheBatch *batch)
{
	g_return_if_fail (OHE_IS_LINKED_DATA (self));
	for (guint i = 0; i < batch->measurements->len; i++) {
		OheMeasurement *m = g_ptr_array_index (batch->measurements, i);
		OheMeasurementKind kind = ohe_measurement_get_kind (m);
		const gchar *native_id = ohe_measurement_get_native_id (m);
		OheMeasurementKind parent_kind = ohe_measurement_get_parent_kind (m);
		const gchar *parent_id = ohe_measurement_get_parent_native_id (m);

		if (parent_kind != OHE_MEASUREMENT_KIND_UNKNOWN && parent_id != NULL) {
			if ((guint)parent_kind < OHE_MEASUREMENT_KIND_LAST &&
			    (guint)kind < OHE_MEASUREMENT_KIND_LAST &&
			    self->rules[parent_kind][kind])
				g_hash_table_add (
				    self->satisfied,
				    ohe_linked_data_key (parent_kind, parent_id, kind));
			continue;
		}
		if ((guint)kind >= OHE_MEASUREMENT_KIND_LAST || !self->any_parent[kind] ||
		    ohe_batch_get_outcome (batch, i) != OHE_PUSH_OUTCOME_PENDING ||
		    native_id == NULL || native_id[0] == '\0' ||
		    ohe_measurement_get_retracted (m) ||
		    ohe_measurement_get_end (m) <= ohe_measurement_get_start (m))
			continue;
		for (guint c = 1; c < OHE_MEASUREMENT_KIND_LAST; c++) {
			OheLinkedParent *parent;
			if (!self->rules[kind][c])
				continue;
			parent = g_new0 (OheLinkedParent, 1);
			parent->parent_kind = kind;
			parent->child_kind = c;
			parent->native_id = g_strdup (native_id);
			parent->start = ohe_measurement_get_start (m);
			parent->end = ohe_measurement_get_end (m);
			g_hash_table_replace (self->parents,
					      ohe_linked_data_key (kind, native_id, c), parent);
		}
	}
}

static gint
ohe_linked_parent_compare (gconstpointer a, gconstpointer b)
{
	const OheLinkedParent *x = *(const OheLinkedParent *const *)a;
	const OheLinkedParent *y = *(const OheLinkedParent *const *)b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return g_strcmp0 (x->native_id, y->native_id);
}

/*
 * Returns: (transfer container): the parents still without their child,
 *   oldest first; they stay owned by @self
 */
GPtrArray *
ohe_linked_data_dup_missing (OheLinkedData *self)
{
	GPtrArray *missing = g_ptr_array_new ();
	GHashTableIter iter;
	const gchar *key;
	OheLinkedParent *parent;

	g_return_val_if_fail (OHE_IS_LINKED_DATA (self), missing);
	g_hash_table_iter_init (&iter, self->parents);
	while (g_hash_table_iter_next (&iter, (gpointer *)&key, (gpointer *)&parent))
		if (!g_hash_table_contains (self->satisfied, key))
			g_ptr_array_add (missing, parent);
	g_ptr_array_sort (missing, ohe_linked_parent_compare);
	return missing;
}

/*
 * A stream @sample inside the parent's interval, as the parent's child:
 * the same reading, written individually and pointing to the parent.
 * Returns %NULL for a sample that is not one.
 */
OheMeasurement *
ohe_linked_data_make_child (const OheLinkedParent *parent, OheMeasurement *sample)
{
	OheMeasurement *child;
	gint64 mantissa;
	gint exponent;

	if (ohe_measurement_get_kind (sample) != parent->child_kind ||
	    ohe_measurement_get_parent_kind (sample) != OHE_MEASUREMENT_KIND_UNKNOWN ||
	    !ohe_measurement_has_value (sample) || ohe_measurement_get_retracted (sample) ||
	    ohe_measurement_get_start (sample) < parent->start ||
	    ohe_measurement_get_start (sample) >= parent->end)
		return NULL;
	child = ohe_measurement_new (parent->child_kind);
	ohe_measurement_set_origin (child, ohe_measurement_get_origin (sample));
	ohe_measurement_set_time (child, ohe_measurement_get_start (sample),
				  ohe_measurement_get_end (sample));
	ohe_measurement_set_utc_offset (child, ohe_measurement_get_utc_offset (sample));
	ohe_measurement_get_value_decimal (sample, &mantissa, &exponent);
	ohe_measurement_set_value_decimal (child, mantissa, exponent);
	ohe_measurement_set_provider (child, ohe_measurement_get_provider (sample));
	ohe_measurement_set_device_id (child, ohe_measurement_get_device_id (sample));
	ohe_measurement_set_native_id (child, ohe_measurement_get_native_id (sample));
	ohe_measurement_set_manual (child, ohe_measurement_get_manual (sample));
	ohe_measurement_set_parent (child, parent->parent_kind, parent->native_id);
	return child;
}
