/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * OheApiBodyType:
 * @OHE_API_BODY_TYPE_STRING: a JSON string
 * @OHE_API_BODY_TYPE_INTEGER: a JSON number without fraction
 * @OHE_API_BODY_TYPE_BOOLEAN: true or false
 * @OHE_API_BODY_TYPE_STRINGS: an array of strings
 */
typedef enum {
	OHE_API_BODY_TYPE_STRING,
	OHE_API_BODY_TYPE_INTEGER,
	OHE_API_BODY_TYPE_BOOLEAN,
	OHE_API_BODY_TYPE_STRINGS,
} OheApiBodyType;

/**
 * OheApiBodyField:
 * @name: the member name
 * @type: the JSON type it must have
 * @required: whether it must be there
 * @max_length: longest string (or array) allowed, 0 for no limit
 *
 * One member of a request body. A body is an object of exactly these members: an unknown
 * member, a wrong type, a missing required one or a too long value is refused, naming it.
 */
typedef struct {
	const gchar *name;
	OheApiBodyType type;
	gboolean required;
	guint max_length;
} OheApiBodyField;

JsonObject *
ohe_api_body_field_parse (const gchar *data,
			  gsize length,
			  const OheApiBodyField *fields,
			  guint n_fields,
			  gchar **bad_field,
			  GError **error);

G_END_DECLS
