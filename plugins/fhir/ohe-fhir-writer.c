/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "ohe-fhir-identifier.h"
#include "ohe-fhir-writer.h"
#include "ohe-json-writer.h"

/*
 * Measurement → FHIR R5 JSON text. The sink writes up to a million
 * Observations a second, so everything constant is escaped once: the
 * category and code members come precomputed from the mapping, the meta,
 * identifier-system and subject members are cached per provider, kind and
 * patient, and Device ids are hashed once per device. What is left per
 * resource is a handful of memcpys, the number and time formatting (the
 * date part cached per day) and one SHA-256 block for the identifier, which
 * is also the id (ohe-fhir-identifier.c). Resources come from the slice
 * allocator and their text is sized like the previous one of its kind.
 *
 * Output order for one measurement: Device and DeviceAssociation (the first
 * time this writer sees the device, or the device with another patient),
 * then the Observation, then for an ECG its DiagnosticReport.
 */

#define OHE_FHIR_STATISTICS_SYSTEM	   "http://hl7.org/fhir/observation-statistics"
#define OHE_FHIR_ASSOCIATION_STATUS_SYSTEM "http://hl7.org/fhir/deviceassociation-status"

/* Observation/$stats component codes (CodeSystem observation-statistics) */
static const struct {
	OheStatistic statistic;
	const gchar *concept; /* CodeableConcept JSON */
	gboolean integer;     /* valueInteger instead of valueQuantity */
} ohe_fhir_statistics[] = {
    {OHE_STATISTIC_MEAN,
     "{\"coding\":[{\"system\":\"" OHE_FHIR_STATISTICS_SYSTEM
     "\",\"code\":\"average\",\"display\":\"Average\"}]}",
     FALSE},
    {OHE_STATISTIC_MINIMUM,
     "{\"coding\":[{\"system\":\"" OHE_FHIR_STATISTICS_SYSTEM
     "\",\"code\":\"minimum\",\"display\":\"Minimum\"}]}",
     FALSE},
    {OHE_STATISTIC_MAXIMUM,
     "{\"coding\":[{\"system\":\"" OHE_FHIR_STATISTICS_SYSTEM
     "\",\"code\":\"maximum\",\"display\":\"Maximum\"}]}",
     FALSE},
    {OHE_STATISTIC_SUM,
     "{\"coding\":[{\"system\":\"" OHE_FHIR_STATISTICS_SYSTEM
     "\",\"code\":\"sum\",\"display\":\"Sum\"}]}",
     FALSE},
    {OHE_STATISTIC_STD_DEV,
     "{\"coding\":[{\"system\":\"" OHE_FHIR_STATISTICS_SYSTEM
     "\",\"code\":\"std-dev\",\"display\":\"Standard Deviation\"}]}",
     FALSE},
    {OHE_STATISTIC_COUNT,
     "{\"coding\":[{\"system\":\"" OHE_FHIR_STATISTICS_SYSTEM
     "\",\"code\":\"count\",\"display\":\"Count\"}]}",
     TRUE},
};

/*
 * A resource and its strings in one slice: the slice allocator recycles
 * these per thread, which malloc does far more slowly for a batch of
 * hundreds freed at once.
 */
typedef struct {
	gsize size; /* of the whole block, for g_slice_free1() */
	OheFhirResource resource;
	/* id, identifier system and identifier value follow */
} OheFhirResourceBlock;

typedef struct {
	gchar id[OHE_FHIR_ID_LEN + 1]; /* of the Device resource */
	gchar *patient;		       /* owned: the patient of the last DeviceAssociation */
	guint64 patient_serial;	       /* of the writer's patient when @patient was set */
} OheFhirWriterDevice;

typedef struct {
	gchar *system;	  /* owned */
	gsize system_len; /* of @system */
	GString *members; /* "identifier":[{"system":"…","value":" */
	gsize json_len;	  /* of the last resource: the next one is about as long */
	/* everything between the id and the identifier value, without and with the
	 * profile (always the same one for a system): `","meta":{…},"identifier":…` */
	GString *frames[2];
} OheFhirWriterSystem;

typedef struct {
	const gchar *name; /* interned provider name */
	GString *meta;	   /* "meta":{"source":"…" (left open) */
	OheFhirWriterSystem kinds[OHE_MEASUREMENT_KIND_LAST]; /* lazily filled */
	OheFhirWriterSystem report;
	OheFhirWriterSystem device;
	OheFhirWriterSystem association;
	GHashTable *devices; /* device id → OheFhirWriterDevice */
} OheFhirWriterProvider;

struct _OheFhirWriter {
	GObject parent_instance;
	OheFhirMapping *mapping;     /* owned */
	gchar *identifier_base;	     /* owned */
	GHashTable *providers;	     /* interned name → OheFhirWriterProvider */
	OheFhirWriterProvider *last; /* cache of the last provider looked up */
	/* cache of the last device looked up; entries live until a reset */
	OheFhirWriterProvider *last_device_provider;
	const gchar *last_device_key; /* owned by last_device_provider->devices */
	OheFhirWriterDevice *last_device;
	gchar *patient;		/* owned: the patient of the cached subject */
	guint64 patient_serial; /* changes with @patient */
	GString *subject;	/* "subject":{…} of @patient */
	GString *value;		/* scratch for identifier values */
	OheFhirIdentifierCache identifier_cache;
	OheJsonDateCache dates;
};

G_DEFINE_TYPE (OheFhirWriter, ohe_fhir_writer, G_TYPE_OBJECT)

/**
 * ohe_fhir_resource_free:
 * @r: (transfer full) (nullable): an #OheFhirResource
 */
void
ohe_fhir_resource_free (OheFhirResource *r)
{
	OheFhirResourceBlock *block;

	if (r == NULL)
		return;
	/* id and the identifier strings live in the same block as @r */
	if (r->json != NULL)
		g_string_free (r->json, TRUE);
	block = (OheFhirResourceBlock *)((guint8 *)r -
					 G_STRUCT_OFFSET (OheFhirResourceBlock, resource));
	g_slice_free1 (block->size, block);
}

static void
ohe_fhir_writer_device_free (OheFhirWriterDevice *device)
{
	g_free (device->patient);
	g_free (device);
}

static void
ohe_fhir_writer_system_clear (OheFhirWriterSystem *system)
{
	g_free (system->system);
	if (system->members != NULL)
		g_string_free (system->members, TRUE);
	for (guint i = 0; i < G_N_ELEMENTS (system->frames); i++) {
		if (system->frames[i] != NULL)
			g_string_free (system->frames[i], TRUE);
	}
}

static void
ohe_fhir_writer_provider_free (OheFhirWriterProvider *provider)
{
	for (guint i = 0; i < OHE_MEASUREMENT_KIND_LAST; i++)
		ohe_fhir_writer_system_clear (&provider->kinds[i]);
	ohe_fhir_writer_system_clear (&provider->report);
	ohe_fhir_writer_system_clear (&provider->device);
	ohe_fhir_writer_system_clear (&provider->association);
	g_string_free (provider->meta, TRUE);
	g_hash_table_unref (provider->devices);
	g_free (provider);
}

static void
ohe_fhir_writer_system_init (OheFhirWriter *self,
			     OheFhirWriterSystem *system,
			     const gchar *provider,
			     const gchar *suffix)
{
	system->system = ohe_fhir_identifier_system (self->identifier_base, provider, suffix);
	system->system_len = strlen (system->system);
	system->members = g_string_sized_new (96);
	OHE_JSON_PUT_LITERAL (system->members, "\"identifier\":[{\"system\":\"");
	ohe_json_append_escaped (system->members, system->system, -1);
	OHE_JSON_PUT_LITERAL (system->members, "\",\"value\":\"");
}

static OheFhirWriterProvider *
ohe_fhir_writer_get_provider (OheFhirWriter *self, const gchar *name)
{
	OheFhirWriterProvider *provider;
	g_autofree gchar *source = NULL;

	/* provider names are interned by OheMeasurement: compare pointers */
	if (self->last != NULL && self->last->name == name)
		return self->last;
	provider = g_hash_table_lookup (self->providers, name);
	if (provider == NULL) {
		provider = g_new0 (OheFhirWriterProvider, 1);
		provider->name = name;
		provider->devices = g_hash_table_new_full (
		    g_str_hash, g_str_equal, g_free, (GDestroyNotify)ohe_fhir_writer_device_free);
		source = g_strconcat (OHE_FHIR_PROVIDER_SOURCE_PREFIX, name, NULL);
		provider->meta = g_string_sized_new (64);
		OHE_JSON_PUT_LITERAL (provider->meta, "\"meta\":{\"source\":\"");
		ohe_json_append_escaped (provider->meta, source, -1);
		g_string_append_c (provider->meta, '"');
		ohe_fhir_writer_system_init (self, &provider->report, name, "ecg-report");
		ohe_fhir_writer_system_init (self, &provider->device, name, "device");
		ohe_fhir_writer_system_init (self, &provider->association, name,
					     "device-association");
		g_hash_table_insert (self->providers, (gpointer)name, provider);
	}
	self->last = provider;
	return provider;
}

static OheFhirWriterSystem *
ohe_fhir_writer_get_system (OheFhirWriter *self,
			    OheFhirWriterProvider *provider,
			    OheMeasurementKind kind)
{
	OheFhirWriterSystem *system = &provider->kinds[kind];
	if (system->system == NULL)
		ohe_fhir_writer_system_init (self, system, provider->name,
					     ohe_measurement_kind_to_string (kind));
	return system;
}

/* a literal reference, or a logical one by identifier for `system|value` */
static void
ohe_fhir_writer_update_subject (OheFhirWriter *self, const gchar *patient)
{
	const gchar *bar;
	OheJsonWriter w;

	if (self->patient != NULL && strcmp (self->patient, patient) == 0)
		return;
	g_free (self->patient);
	self->patient = g_strdup (patient);
	self->patient_serial++;
	g_string_truncate (self->subject, 0);
	ohe_json_writer_init (&w, self->subject);
	OHE_JSON_WRITER_KEY (&w, "subject");
	ohe_json_writer_begin_object (&w);
	bar = strchr (patient, '|');
	if (bar != NULL) {
		OHE_JSON_WRITER_KEY (&w, "identifier");
		ohe_json_writer_begin_object (&w);
		if (bar != patient) {
			OHE_JSON_WRITER_KEY (&w, "system");
			ohe_json_writer_string_len (&w, patient, bar - patient);
		}
		OHE_JSON_WRITER_KEY (&w, "value");
		ohe_json_writer_string (&w, bar + 1);
		ohe_json_writer_end_object (&w);
	} else {
		OHE_JSON_WRITER_KEY (&w, "reference");
		ohe_json_writer_string (&w, patient);
	}
	ohe_json_writer_end_object (&w);
}

/* one copy instead of four for the constant middle of every resource */
static const GString *
ohe_fhir_writer_system_frame (OheFhirWriterProvider *provider,
			      OheFhirWriterSystem *system,
			      const GString *profile_member)
{
	GString **frame = &system->frames[profile_member != NULL ? 1 : 0];

	if (*frame != NULL)
		return *frame;
	*frame = g_string_sized_new (provider->meta->len + system->members->len + 128);
	OHE_JSON_PUT_LITERAL (*frame, "\",");
	ohe_json_put (*frame, provider->meta->str, provider->meta->len);
	if (profile_member != NULL) {
		ohe_json_put_c (*frame, ',');
		ohe_json_put (*frame, profile_member->str, profile_member->len);
	}
	OHE_JSON_PUT_LITERAL (*frame, "},");
	ohe_json_put (*frame, system->members->str, system->members->len);
	return *frame;
}

/*
 * Starts a resource: {"resourceType":…,"id":…,"meta":{…},"identifier":[…].
 * @head is `{"resourceType":"<type>","id":"`. With @value_is_id the value
 * is a hex hash that is the id as well (see ohe-fhir-identifier.c) and needs
 * no escaping; otherwise the id covers @value, its system and @patient.
 */
static OheFhirResource *
ohe_fhir_writer_begin_resource (OheFhirWriterProvider *provider,
				const gchar *patient,
				OheFhirWriterSystem *system,
				const gchar *resource_type,
				const gchar *head,
				gsize head_len,
				const gchar *value,
				gsize value_len,
				gboolean value_is_id,
				const GString *profile_member,
				guint index,
				OheJsonWriter *w)
{
	gsize size = sizeof (OheFhirResourceBlock) + OHE_FHIR_ID_LEN + 1 + system->system_len + 1 +
		     value_len + 1;
	OheFhirResourceBlock *block = g_slice_alloc (size);
	OheFhirResource *r = &block->resource;
	const GString *frame = ohe_fhir_writer_system_frame (provider, system, profile_member);
	GString *json;
	gchar *id;

	block->size = size;
	id = (gchar *)(block + 1);
	r->id = id;
	r->identifier_system = id + OHE_FHIR_ID_LEN + 1;
	memcpy (r->identifier_system, system->system, system->system_len + 1);
	r->identifier_value = r->identifier_system + system->system_len + 1;
	memcpy (r->identifier_value, value, value_len);
	r->identifier_value[value_len] = '\0';
	if (value_is_id)
		memcpy (id, value, OHE_FHIR_ID_LEN + 1);
	else
		ohe_fhir_identifier_resource_id (r->identifier_system, r->identifier_value, patient,
						 id);
	r->resource_type = resource_type;
	r->measurement_index = index;
	/* sized like the last one of its system: one allocation, rarely a regrowth */
	json = r->json = g_string_sized_new (MAX (system->json_len + 64, 256));

	ohe_json_writer_init (w, json);
	ohe_json_put (json, head, head_len);
	ohe_json_put (json, id, OHE_FHIR_ID_LEN);
	ohe_json_put (json, frame->str, frame->len);
	if (value_is_id)
		ohe_json_put (json, value, value_len);
	else
		ohe_json_append_escaped (json, value, value_len);
	OHE_JSON_PUT_LITERAL (json, "\"}]");
	/* the writer continues inside the resource object, after a member */
	w->depth = 1;
	w->need_comma = TRUE;
	return r;
}

/* the resource type and head arguments of ohe_fhir_writer_begin_resource() */
#define OHE_FHIR_WRITER_TYPE(literal)                                                              \
	"" literal, "{\"resourceType\":\"" literal "\",\"id\":\"",                                 \
	    sizeof ("{\"resourceType\":\"" literal "\",\"id\":\"") - 1

/* "device":{"reference":"Device/<id>"} */
static void
ohe_fhir_writer_device_reference (OheJsonWriter *w, const gchar *id)
{
	OHE_JSON_WRITER_KEY (w, "device");
	OHE_JSON_PUT_LITERAL (w->out, "{\"reference\":\"Device/");
	ohe_json_put (w->out, id, OHE_FHIR_ID_LEN);
	OHE_JSON_PUT_LITERAL (w->out, "\"}");
	w->need_comma = TRUE;
}

/* the name and length of a member for ohe_json_writer_key_raw() */
#define OHE_FHIR_WRITER_QUANTITY_KEY(literal) "\"" literal "\":{\"value\":", sizeof (literal) + 11

/* @key: `"name":{"value":`, see OHE_FHIR_WRITER_QUANTITY_KEY() */
static void
ohe_fhir_writer_quantity (OheJsonWriter *w,
			  const gchar *key,
			  gsize key_len,
			  gint64 mantissa,
			  gint exponent,
			  const OheFhirCodeMap *unit)
{
	ohe_json_writer_key_raw (w, key, key_len);
	w->depth++;
	ohe_json_writer_decimal (w, mantissa, exponent);
	if (unit != NULL && unit->quantity != NULL)
		ohe_json_writer_fragment (w, unit->quantity->str, unit->quantity->len);
	ohe_json_writer_end_object (w);
}

static void
ohe_fhir_writer_quantity_double (
    OheJsonWriter *w, const gchar *key, gsize key_len, gdouble value, const OheFhirCodeMap *unit)
{
	gint64 mantissa;
	gint exponent;
	ohe_decimal_from_double (value, &mantissa, &exponent);
	ohe_fhir_writer_quantity (w, key, key_len, mantissa, exponent, unit);
}

static void
ohe_fhir_writer_effective (
    OheFhirWriter *self, OheJsonWriter *w, OheMeasurement *m, gboolean period, gint64 end)
{
	gint32 offset = ohe_measurement_get_utc_offset (m);

	if (!period) {
		OHE_JSON_WRITER_KEY (w, "effectiveDateTime");
		ohe_json_writer_date_time (w, &self->dates, ohe_measurement_get_start (m), offset);
		return;
	}
	OHE_JSON_WRITER_KEY (w, "effectivePeriod");
	ohe_json_writer_begin_object (w);
	OHE_JSON_WRITER_KEY (w, "start");
	ohe_json_writer_date_time (w, &self->dates, ohe_measurement_get_start (m), offset);
	if (end > ohe_measurement_get_start (m)) {
		OHE_JSON_WRITER_KEY (w, "end");
		ohe_json_writer_date_time (w, &self->dates, end, offset);
	}
	ohe_json_writer_end_object (w);
}

/* hourly (or provider) statistics as Observation/$stats components */
static void
ohe_fhir_writer_statistics (OheJsonWriter *w,
			    OheMeasurement *m,
			    const OheFhirKindMap *map,
			    gboolean sum_is_value)
{
	gboolean open = FALSE;

	for (guint i = 0; i < G_N_ELEMENTS (ohe_fhir_statistics); i++) {
		gdouble value;
		if (sum_is_value && ohe_fhir_statistics[i].statistic == OHE_STATISTIC_SUM)
			continue;
		if (!ohe_measurement_get_statistic (m, ohe_fhir_statistics[i].statistic, &value))
			continue;
		if (!open) {
			OHE_JSON_WRITER_KEY (w, "component");
			ohe_json_writer_begin_array (w);
			open = TRUE;
		}
		ohe_json_writer_begin_object (w);
		OHE_JSON_WRITER_KEY (w, "code");
		ohe_json_writer_fragment (w, ohe_fhir_statistics[i].concept,
					  strlen (ohe_fhir_statistics[i].concept));
		if (ohe_fhir_statistics[i].integer) {
			OHE_JSON_WRITER_KEY (w, "valueInteger");
			ohe_json_writer_int (w, (gint64)CLAMP (llround (value), 0, G_MAXINT32));
		} else {
			ohe_fhir_writer_quantity_double (
			    w, OHE_FHIR_WRITER_QUANTITY_KEY ("valueQuantity"), value, &map->main);
		}
		ohe_json_writer_end_object (w);
	}
	if (open)
		ohe_json_writer_end_array (w);
}

static gboolean
ohe_fhir_writer_components (OheJsonWriter *w,
			    OheMeasurement *m,
			    const OheFhirKindMap *map,
			    GError **error)
{
	guint n = ohe_measurement_get_n_components (m);

	if (n == 0)
		return TRUE;
	OHE_JSON_WRITER_KEY (w, "component");
	ohe_json_writer_begin_array (w);
	for (guint i = 0; i < n; i++) {
		const gchar *name = ohe_measurement_get_component_name (m, i);
		const OheFhirCodeMap *component = ohe_fhir_mapping_lookup_component (map, name);
		gint64 mantissa;
		gint exponent;

		if (component == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "%s component '%s' is not mapped (kinds.%s.components)",
				     ohe_measurement_kind_to_string (map->kind), name,
				     ohe_measurement_kind_to_string (map->kind));
			return FALSE;
		}
		ohe_measurement_get_component_decimal (m, name, &mantissa, &exponent);
		ohe_json_writer_begin_object (w);
		OHE_JSON_WRITER_KEY (w, "code");
		ohe_json_writer_fragment (w, component->concept->str, component->concept->len);
		ohe_fhir_writer_quantity (w, OHE_FHIR_WRITER_QUANTITY_KEY ("valueQuantity"),
					  mantissa, exponent, &map->main);
		ohe_json_writer_end_object (w);
	}
	ohe_json_writer_end_array (w);
	return TRUE;
}

/* R5 SampledData: interval + intervalUnit for a fixed rate, offsets otherwise (sdd-1) */
static void
ohe_fhir_writer_sampled_data (OheJsonWriter *w, OheSeries *series, const OheFhirKindMap *map)
{
	gsize n_samples = 0;
	const gint32 *samples = ohe_series_get_samples (series, &n_samples);
	gdouble factor = ohe_series_get_factor (series);

	OHE_JSON_WRITER_KEY (w, "valueSampledData");
	ohe_json_writer_begin_object (w);
	ohe_fhir_writer_quantity_double (w, OHE_FHIR_WRITER_QUANTITY_KEY ("origin"),
					 ohe_series_get_origin (series), &map->main);
	if (ohe_series_has_offsets (series)) {
		gsize n_offsets = 0;
		const gdouble *offsets = ohe_series_get_offsets (series, &n_offsets);
		OHE_JSON_WRITER_KEY (w, "intervalUnit");
		ohe_json_writer_string (w, "ms");
		OHE_JSON_WRITER_KEY (w, "offsets");
		g_string_append_c (w->out, '"');
		for (gsize i = 0; i < n_offsets; i++) {
			gint64 mantissa;
			gint exponent;
			if (i > 0)
				g_string_append_c (w->out, ' ');
			ohe_decimal_from_double (offsets[i], &mantissa, &exponent);
			ohe_decimal_append (w->out, mantissa, exponent);
		}
		g_string_append_c (w->out, '"');
		w->need_comma = TRUE;
	} else {
		/* 1000/300 ms has no exact decimal: µs precision is plenty (design §4.2) */
		gint64 interval = llround (ohe_series_get_interval (series) * 1e6);
		gint exponent = -6;
		ohe_decimal_normalize (&interval, &exponent);
		OHE_JSON_WRITER_KEY (w, "interval");
		ohe_json_writer_decimal (w, interval, exponent);
		OHE_JSON_WRITER_KEY (w, "intervalUnit");
		ohe_json_writer_string (w, "ms");
	}
	if (factor != 1.0) {
		OHE_JSON_WRITER_KEY (w, "factor");
		ohe_json_writer_double (w, factor);
	}
	OHE_JSON_WRITER_KEY (w, "dimensions");
	ohe_json_writer_int (w, 1);
	if (n_samples > 0) {
		OHE_JSON_WRITER_KEY (w, "data");
		g_string_append_c (w->out, '"');
		for (gsize i = 0; i < n_samples; i++) {
			if (i > 0)
				g_string_append_c (w->out, ' ');
			ohe_json_append_int (w->out, samples[i]);
		}
		g_string_append_c (w->out, '"');
		w->need_comma = TRUE;
	}
	ohe_json_writer_end_object (w);
}

static gboolean
ohe_fhir_writer_series (OheJsonWriter *w,
			OheMeasurement *m,
			const OheFhirKindMap *map,
			GError **error)
{
	guint n = ohe_measurement_get_n_series (m);
	const gchar *kind = ohe_measurement_kind_to_string (map->kind);

	if (n == 0)
		return TRUE;
	/* without lead codes (R-R intervals) the one series is the value */
	if (map->components->len == 0 && map->default_component == NULL) {
		if (n != 1) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "%s measurement has %u series; one is supported", kind, n);
			return FALSE;
		}
		ohe_fhir_writer_sampled_data (w, ohe_measurement_get_series (m, 0), map);
		return TRUE;
	}
	OHE_JSON_WRITER_KEY (w, "component");
	ohe_json_writer_begin_array (w);
	for (guint i = 0; i < n; i++) {
		OheSeries *series = ohe_measurement_get_series (m, i);
		const gchar *name = ohe_series_get_name (series);
		const OheFhirCodeMap *component;

		if (name == NULL || name[0] == '\0')
			component = map->default_component;
		else
			component = ohe_fhir_mapping_lookup_component (map, name);
		if (component == NULL) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "%s series '%s' is not mapped (kinds.%s.components)", kind,
				     name != NULL ? name : "", kind);
			return FALSE;
		}
		ohe_json_writer_begin_object (w);
		OHE_JSON_WRITER_KEY (w, "code");
		ohe_json_writer_fragment (w, component->concept->str, component->concept->len);
		ohe_fhir_writer_sampled_data (w, series, map);
		ohe_json_writer_end_object (w);
	}
	ohe_json_writer_end_array (w);
	return TRUE;
}

/* a CodeableConcept value of the project's classification CodeSystem */
static gboolean
ohe_fhir_writer_classification (OheJsonWriter *w,
				const OheFhirKindMap *map,
				const gchar *code,
				const gchar *text,
				GError **error)
{
	const gchar *display = NULL;

	if (map == NULL || map->value_system == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "classification values have no system "
				     "(kinds.afib_classification.value_system)");
		return FALSE;
	}
	if (map->values != NULL &&
	    !g_hash_table_lookup_extended (map->values, code, NULL, (gpointer *)&display)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "classification '%s' is not mapped (kinds.afib_classification.values)",
			     code);
		return FALSE;
	}
	ohe_json_writer_begin_object (w);
	OHE_JSON_WRITER_KEY (w, "coding");
	ohe_json_writer_begin_array (w);
	ohe_json_writer_begin_object (w);
	OHE_JSON_WRITER_KEY (w, "system");
	ohe_json_writer_string (w, map->value_system);
	OHE_JSON_WRITER_KEY (w, "code");
	ohe_json_writer_string (w, code);
	if (display != NULL) {
		OHE_JSON_WRITER_KEY (w, "display");
		ohe_json_writer_string (w, display);
	}
	ohe_json_writer_end_object (w);
	ohe_json_writer_end_array (w);
	if (text != NULL) {
		OHE_JSON_WRITER_KEY (w, "text");
		ohe_json_writer_string (w, text);
	}
	ohe_json_writer_end_object (w);
	return TRUE;
}

static gint64
ohe_fhir_writer_end (OheMeasurement *m)
{
	gint64 start = ohe_measurement_get_start (m);
	gint64 end = ohe_measurement_get_end (m);
	gdouble longest_ms = 0;

	if (end > start)
		return end;
	/* a recording stored as an instant still lasts as long as its samples */
	for (guint i = 0; i < ohe_measurement_get_n_series (m); i++)
		longest_ms = MAX (longest_ms,
				  ohe_series_get_duration_ms (ohe_measurement_get_series (m, i)));
	return start + (gint64)llround (longest_ms * 1000);
}

/* the value[x], component or SampledData part of an Observation */
static gboolean
ohe_fhir_writer_value (OheFhirWriter *self,
		       OheJsonWriter *w,
		       OheMeasurement *m,
		       const OheFhirKindMap *map,
		       const OheFhirCodeMap *code,
		       GError **error)
{
	gboolean aggregate = ohe_measurement_is_aggregate (m);
	gboolean sum_kind = ohe_measurement_kind_get_aggregation (map->kind) == OHE_AGGREGATION_SUM;
	gint64 mantissa;
	gint exponent;
	gdouble sum;

	switch (ohe_measurement_kind_get_value_type (map->kind)) {
	case OHE_VALUE_TYPE_SCALAR:
		if (aggregate && sum_kind && !ohe_measurement_has_value (m) &&
		    ohe_measurement_get_statistic (m, OHE_STATISTIC_SUM, &sum)) {
			ohe_fhir_writer_quantity_double (
			    w, OHE_FHIR_WRITER_QUANTITY_KEY ("valueQuantity"), sum, code);
		} else if (ohe_measurement_has_value (m) && (!aggregate || sum_kind)) {
			ohe_measurement_get_value_decimal (m, &mantissa, &exponent);
			ohe_fhir_writer_quantity (w, OHE_FHIR_WRITER_QUANTITY_KEY ("valueQuantity"),
						  mantissa, exponent, code);
		}
		if (aggregate)
			ohe_fhir_writer_statistics (w, m, map, sum_kind);
		return TRUE;
	case OHE_VALUE_TYPE_COMPONENTS:
		return ohe_fhir_writer_components (w, m, map, error);
	case OHE_VALUE_TYPE_SERIES:
		return ohe_fhir_writer_series (w, m, map, error);
	case OHE_VALUE_TYPE_CLASSIFICATION:
		if (ohe_measurement_get_classification (m) == NULL)
			return TRUE;
		OHE_JSON_WRITER_KEY (w, "valueCodeableConcept");
		return ohe_fhir_writer_classification (
		    w, map, ohe_measurement_get_classification (m),
		    ohe_measurement_get_classification_raw (m), error);
	case OHE_VALUE_TYPE_SESSION:
	default:
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "%s measurements cannot be written to FHIR",
			     ohe_measurement_kind_to_string (map->kind));
		return FALSE;
	}
}

static OheFhirResource *
ohe_fhir_writer_observation (OheFhirWriter *self,
			     OheFhirWriterProvider *provider,
			     OheMeasurement *m,
			     const OheFhirKindMap *map,
			     const gchar *device_id,
			     guint index,
			     GError **error)
{
	OheMeasurementKind kind = ohe_measurement_get_kind (m);
	OheFhirWriterSystem *system = ohe_fhir_writer_get_system (self, provider, kind);
	gboolean daily = map->daily != NULL && ohe_fhir_identifier_is_daily_total (m);
	gboolean aggregate = ohe_measurement_is_aggregate (m);
	gboolean retracted = ohe_measurement_get_retracted (m);
	const OheFhirCodeMap *code = daily ? map->daily : &map->main;
	const GString *head = daily ? map->daily_head : map->head;
	const GString *profile = NULL;
	gint64 end = ohe_fhir_writer_end (m);
	const gchar *parent_native_id = ohe_measurement_get_parent_native_id (m);
	OheMeasurementKind parent_kind = ohe_measurement_get_parent_kind (m);
	g_autoptr (OheFhirResource) r = NULL;
	gboolean hashed;
	OheJsonWriter w;

	/* a profile is claimed only for the single reading it describes */
	if (!aggregate && (!retracted || ohe_measurement_has_value (m) ||
			   ohe_measurement_get_n_components (m) > 0))
		profile = map->profile_member;

	g_string_truncate (self->value, 0);
	hashed = ohe_fhir_identifier_append_value (&self->identifier_cache, self->value, m,
						   system->system, self->patient);
	r = ohe_fhir_writer_begin_resource (provider, self->patient, system,
					    OHE_FHIR_WRITER_TYPE ("Observation"), self->value->str,
					    self->value->len, hashed, profile, index, &w);
	if (retracted)
		OHE_JSON_WRITER_FRAGMENT (&w, "\"status\":\"entered-in-error\"");
	else
		OHE_JSON_WRITER_FRAGMENT (&w, "\"status\":\"final\"");
	ohe_json_writer_fragment (&w, head->str, head->len);
	ohe_json_writer_fragment (&w, self->subject->str, self->subject->len);
	ohe_fhir_writer_effective (self, &w, m,
				   aggregate || daily || end > ohe_measurement_get_start (m), end);
	if (!ohe_fhir_writer_value (self, &w, m, map, code, error))
		return NULL;
	if (device_id != NULL)
		ohe_fhir_writer_device_reference (&w, device_id);
	if (parent_kind != OHE_MEASUREMENT_KIND_UNKNOWN &&
	    (guint)parent_kind < OHE_MEASUREMENT_KIND_LAST && parent_native_id != NULL &&
	    parent_native_id[0] != '\0') {
		/* the parent's id follows from its identifier: no lookup needed */
		OheFhirWriterSystem *parent =
		    ohe_fhir_writer_get_system (self, provider, parent_kind);
		gchar parent_id[OHE_FHIR_ID_LEN + 1];
		g_autofree gchar *valid = g_utf8_make_valid (parent_native_id, -1);

		ohe_fhir_identifier_resource_id (parent->system, valid, self->patient, parent_id);
		OHE_JSON_WRITER_KEY (&w, "derivedFrom");
		ohe_json_writer_begin_array (&w);
		w.need_comma = FALSE;
		OHE_JSON_PUT_LITERAL (w.out, "{\"reference\":\"Observation/");
		ohe_json_put (w.out, parent_id, OHE_FHIR_ID_LEN);
		OHE_JSON_PUT_LITERAL (w.out, "\"}");
		w.need_comma = TRUE;
		ohe_json_writer_end_array (&w);
	}
	ohe_json_writer_end_object (&w);
	system->json_len = r->json->len;
	return g_steal_pointer (&r);
}

/* the DiagnosticReport of an ECG: result → the Observation, conclusion from its classification */
static OheFhirResource *
ohe_fhir_writer_report (OheFhirWriter *self,
			OheFhirWriterProvider *provider,
			OheMeasurement *m,
			const OheFhirKindMap *map,
			const OheFhirResource *observation,
			GError **error)
{
	const OheFhirKindMap *classification_map =
	    ohe_fhir_mapping_lookup (self->mapping, OHE_MEASUREMENT_KIND_AFIB_CLASSIFICATION);
	const gchar *classification = ohe_measurement_get_classification (m);
	const gchar *raw = ohe_measurement_get_classification_raw (m);
	const gchar *qualifier = ohe_measurement_get_qualifier (m, OHE_QUALIFIER_CLASSIFICATION);
	g_autoptr (OheFhirResource) r = NULL;
	OheJsonWriter w;

	r = ohe_fhir_writer_begin_resource (
	    provider, self->patient, &provider->report, OHE_FHIR_WRITER_TYPE ("DiagnosticReport"),
	    observation->identifier_value, strlen (observation->identifier_value), FALSE, NULL,
	    observation->measurement_index, &w);
	OHE_JSON_WRITER_KEY (&w, "status");
	ohe_json_writer_string (&w,
				ohe_measurement_get_retracted (m) ? "entered-in-error" : "final");
	OHE_JSON_WRITER_KEY (&w, "code");
	ohe_json_writer_fragment (&w, map->report->concept->str, map->report->concept->len);
	ohe_json_writer_fragment (&w, self->subject->str, self->subject->len);
	ohe_fhir_writer_effective (self, &w, m, TRUE, ohe_fhir_writer_end (m));
	OHE_JSON_WRITER_KEY (&w, "result");
	ohe_json_writer_begin_array (&w);
	ohe_json_writer_begin_object (&w);
	OHE_JSON_WRITER_KEY (&w, "reference");
	OHE_JSON_PUT_LITERAL (w.out, "\"Observation/");
	g_string_append (w.out, observation->id);
	g_string_append_c (w.out, '"');
	w.need_comma = TRUE;
	ohe_json_writer_end_object (&w);
	ohe_json_writer_end_array (&w);
	if (classification != NULL) {
		const gchar *display = NULL;
		if (classification_map != NULL && classification_map->values != NULL)
			display = g_hash_table_lookup (classification_map->values, classification);
		OHE_JSON_WRITER_KEY (&w, "conclusion");
		ohe_json_writer_string (&w, raw != NULL	      ? raw
					    : display != NULL ? display
							      : classification);
		OHE_JSON_WRITER_KEY (&w, "conclusionCode");
		ohe_json_writer_begin_array (&w);
		if (!ohe_fhir_writer_classification (&w, classification_map, classification, NULL,
						     error))
			return NULL;
		ohe_json_writer_end_array (&w);
	} else if (qualifier != NULL) {
		OHE_JSON_WRITER_KEY (&w, "conclusion");
		ohe_json_writer_string (&w, qualifier);
	}
	ohe_json_writer_end_object (&w);
	return g_steal_pointer (&r);
}

static OheFhirResource *
ohe_fhir_writer_device (OheFhirWriter *self,
			OheFhirWriterProvider *provider,
			OheMeasurement *m,
			guint index)
{
	const gchar *device_id = ohe_measurement_get_device_id (m);
	const gchar *model = ohe_measurement_get_qualifier (m, OHE_QUALIFIER_DEVICE_MODEL);
	g_autofree gchar *valid = g_utf8_make_valid (device_id, -1);
	OheFhirResource *r;
	OheJsonWriter w;

	r = ohe_fhir_writer_begin_resource (provider, self->patient, &provider->device,
					    OHE_FHIR_WRITER_TYPE ("Device"), valid, strlen (valid),
					    FALSE, NULL, index, &w);
	OHE_JSON_WRITER_KEY (&w, "status");
	ohe_json_writer_string (&w, "active");
	if (model != NULL) {
		OHE_JSON_WRITER_KEY (&w, "displayName");
		ohe_json_writer_string (&w, model);
	}
	ohe_json_writer_end_object (&w);
	return r;
}

/* R5 moved the patient link of a device into DeviceAssociation */
static OheFhirResource *
ohe_fhir_writer_association (OheFhirWriter *self,
			     OheFhirWriterProvider *provider,
			     const OheFhirResource *device,
			     guint index)
{
	const gchar *parts[] = {provider->association.system, device->identifier_value,
				self->patient, NULL};
	gchar value[OHE_FHIR_ID_LEN + 1];
	OheFhirResource *r;
	OheJsonWriter w;

	/* a hash: the value must not spell out the patient reference; it covers the system */
	ohe_fhir_identifier_hash (parts, value);
	r = ohe_fhir_writer_begin_resource (provider, self->patient, &provider->association,
					    OHE_FHIR_WRITER_TYPE ("DeviceAssociation"), value,
					    OHE_FHIR_ID_LEN, TRUE, NULL, index, &w);
	ohe_fhir_writer_device_reference (&w, device->id);
	OHE_JSON_WRITER_KEY (&w, "status");
	OHE_JSON_WRITER_FRAGMENT (&w,
				  "{\"coding\":[{\"system\":\"" OHE_FHIR_ASSOCIATION_STATUS_SYSTEM
				  "\",\"code\":\"attached\",\"display\":\"Attached\"}]}");
	ohe_json_writer_fragment (&w, self->subject->str, self->subject->len);
	ohe_json_writer_end_object (&w);
	return r;
}

/* a stream of one device asks for the same entry over and over: skip the hashing */
static OheFhirWriterDevice *
ohe_fhir_writer_lookup_device (OheFhirWriter *self,
			       OheFhirWriterProvider *provider,
			       const gchar *device_id)
{
	gpointer key;
	gpointer device;

	if (self->last_device != NULL && self->last_device_provider == provider &&
	    strcmp (self->last_device_key, device_id) == 0)
		return self->last_device;
	if (!g_hash_table_lookup_extended (provider->devices, device_id, &key, &device))
		return NULL;
	self->last_device_provider = provider;
	self->last_device_key = key;
	self->last_device = device;
	return device;
}

/**
 * ohe_fhir_writer_write:
 * @self: an #OheFhirWriter
 * @m: a measurement
 * @index: the index of @m in its batch, copied into each resource
 * @patient_reference: `Patient/<id>`, or `<system>|<value>` for a logical reference
 * @out: (element-type OheFhirResource): where to append the resources
 * @error: a #GError, or %NULL
 *
 * Appends the resources of one measurement: Device and DeviceAssociation the
 * first time the device is seen, the Observation and for an ECG its
 * DiagnosticReport. Nothing is appended on error.
 *
 * Returns: %TRUE on success
 */
gboolean
ohe_fhir_writer_write (OheFhirWriter *self,
		       OheMeasurement *m,
		       guint index,
		       const gchar *patient_reference,
		       GPtrArray *out,
		       GError **error)
{
	OheMeasurementKind kind;
	const gchar *provider_name;
	const gchar *device_id;
	const OheFhirKindMap *map;
	OheFhirWriterProvider *provider;
	OheFhirWriterDevice *device = NULL;
	g_autoptr (OheFhirResource) device_resource = NULL;
	g_autoptr (OheFhirResource) association = NULL;
	g_autoptr (OheFhirResource) observation = NULL;
	g_autoptr (OheFhirResource) report = NULL;

	g_return_val_if_fail (OHE_IS_FHIR_WRITER (self), FALSE);
	g_return_val_if_fail (m != NULL, FALSE);
	g_return_val_if_fail (out != NULL, FALSE);

	if (patient_reference == NULL || patient_reference[0] == '\0') {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_ARGUMENT,
				     "no patient reference to write the measurement for");
		return FALSE;
	}
	if (!ohe_measurement_validate (m, error))
		return FALSE;
	kind = ohe_measurement_get_kind (m);
	provider_name = ohe_measurement_get_provider (m);
	if (provider_name == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "%s measurement has no provider",
			     ohe_measurement_kind_to_string (kind));
		return FALSE;
	}
	map = ohe_fhir_mapping_lookup (self->mapping, kind);
	if (map == NULL || !map->enabled) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "%s measurements are %s in the FHIR mapping %s",
			     ohe_measurement_kind_to_string (kind),
			     map == NULL ? "not mapped" : "disabled",
			     ohe_fhir_mapping_get_source_name (self->mapping));
		return FALSE;
	}
	provider = ohe_fhir_writer_get_provider (self, provider_name);
	ohe_fhir_writer_update_subject (self, patient_reference);

	device_id = ohe_measurement_get_device_id (m);
	if (device_id != NULL && device_id[0] != '\0') {
		device = ohe_fhir_writer_lookup_device (self, provider, device_id);
		if (device == NULL || (device->patient_serial != self->patient_serial &&
				       g_strcmp0 (device->patient, self->patient) != 0)) {
			device_resource = ohe_fhir_writer_device (self, provider, m, index);
			association =
			    ohe_fhir_writer_association (self, provider, device_resource, index);
		}
	}
	/* a Device written anew (first sight, or another patient) has the id to refer to */
	observation = ohe_fhir_writer_observation (self, provider, m, map,
						   device_resource != NULL ? device_resource->id
						   : device != NULL	   ? device->id
									   : NULL,
						   index, error);
	if (observation == NULL)
		return FALSE;
	if (map->report != NULL) {
		report = ohe_fhir_writer_report (self, provider, m, map, observation, error);
		if (report == NULL)
			return FALSE;
	}

	/* only now, so that a failed write leaves neither output nor state */
	if (device_resource != NULL) {
		if (device == NULL) {
			device = g_new0 (OheFhirWriterDevice, 1);
			g_hash_table_insert (provider->devices, g_strdup (device_id), device);
		}
		memcpy (device->id, device_resource->id, OHE_FHIR_ID_LEN + 1);
		g_free (device->patient);
		device->patient = g_strdup (self->patient);
		device->patient_serial = self->patient_serial;
		g_ptr_array_add (out, g_steal_pointer (&device_resource));
		g_ptr_array_add (out, g_steal_pointer (&association));
	}
	g_ptr_array_add (out, g_steal_pointer (&observation));
	if (report != NULL)
		g_ptr_array_add (out, g_steal_pointer (&report));
	return TRUE;
}

/**
 * ohe_fhir_writer_reset_devices:
 * @self: an #OheFhirWriter
 *
 * Forgets the devices written so far, so the next measurement of each device
 * writes its Device and DeviceAssociation again (e.g. at a new bundle).
 */
void
ohe_fhir_writer_reset_devices (OheFhirWriter *self)
{
	GHashTableIter iter;
	gpointer value;

	g_return_if_fail (OHE_IS_FHIR_WRITER (self));
	g_hash_table_iter_init (&iter, self->providers);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		OheFhirWriterProvider *provider = value;
		g_hash_table_remove_all (provider->devices);
	}
	self->last_device_provider = NULL;
	self->last_device_key = NULL;
	self->last_device = NULL;
}

/**
 * ohe_fhir_writer_get_identifier_base:
 * @self: an #OheFhirWriter
 *
 * Returns: the base URL of the identifier systems
 */
const gchar *
ohe_fhir_writer_get_identifier_base (OheFhirWriter *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_WRITER (self), NULL);
	return self->identifier_base;
}

/**
 * ohe_fhir_writer_get_mapping:
 * @self: an #OheFhirWriter
 *
 * Returns: (transfer none): the mapping
 */
OheFhirMapping *
ohe_fhir_writer_get_mapping (OheFhirWriter *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_WRITER (self), NULL);
	return self->mapping;
}

static void
ohe_fhir_writer_finalize (GObject *object)
{
	OheFhirWriter *self = OHE_FHIR_WRITER (object);

	g_object_unref (self->mapping);
	g_free (self->identifier_base);
	g_hash_table_unref (self->providers);
	g_free (self->patient);
	g_string_free (self->subject, TRUE);
	g_string_free (self->value, TRUE);
	ohe_fhir_identifier_cache_clear (&self->identifier_cache);
	G_OBJECT_CLASS (ohe_fhir_writer_parent_class)->finalize (object);
}

static void
ohe_fhir_writer_class_init (OheFhirWriterClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_writer_finalize;
}

static void
ohe_fhir_writer_init (OheFhirWriter *self)
{
	self->providers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
						 (GDestroyNotify)ohe_fhir_writer_provider_free);
	self->subject = g_string_sized_new (64);
	self->value = g_string_sized_new (128);
}

/**
 * ohe_fhir_writer_new:
 * @mapping: the FHIR mapping
 * @identifier_base: (nullable): the base URL of identifier systems, or %NULL
 *   for %OHE_FHIR_IDENTIFIER_DEFAULT_BASE
 *
 * A writer caches per-provider fragments and the devices it has written; use
 * one per worker thread.
 *
 * Returns: (transfer full): a new #OheFhirWriter
 */
OheFhirWriter *
ohe_fhir_writer_new (OheFhirMapping *mapping, const gchar *identifier_base)
{
	OheFhirWriter *self;

	g_return_val_if_fail (OHE_IS_FHIR_MAPPING (mapping), NULL);
	self = g_object_new (OHE_TYPE_FHIR_WRITER, NULL);
	self->mapping = g_object_ref (mapping);
	self->identifier_base = g_strdup (identifier_base != NULL && identifier_base[0] != '\0'
					      ? identifier_base
					      : OHE_FHIR_IDENTIFIER_DEFAULT_BASE);
	return self;
}
