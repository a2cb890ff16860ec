// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Checks the R5 JSON Schema cannot express (https://hl7.org/fhir/R5/validation.html): required primitives, required
// code bindings, invariants (sdd-1, bdl-3c, bdl-7), the vital-signs profiles' code/unit
// pairs and reference syntax. Each check returns { path, message } items.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vitals = JSON.parse(readFileSync(join(here, 'vital-signs.json'), 'utf8'));

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const OBSERVATION_STATUS = new Set(['registered', 'preliminary', 'final', 'amended', 'corrected',
	'cancelled', 'entered-in-error', 'unknown']);
const DEVICE_ASSOCIATION_STATUS = {
	system: 'http://hl7.org/fhir/deviceassociation-status',
	codes: new Set(['implanted', 'explanted', 'entered-in-error', 'attached', 'unknown']),
};
const BUNDLE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']);
const METHODS_WITH_RESOURCE = new Set(['POST', 'PUT', 'PATCH']);
const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const UUID_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OID_RE = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const EFFECTIVE = ['effectiveDateTime', 'effectivePeriod', 'effectiveTiming', 'effectiveInstant'];

function codings(concept) {
	return Array.isArray(concept?.coding) ? concept.coding : [];
}

function hasCoding(concept, system, code) {
	return codings(concept).some((c) => c?.system === system && c?.code === code);
}

function checkUnit(quantity, units, path, what, errors) {
	if (quantity?.system !== UCUM)
		errors.push({ path: `${path}.system`, message: `${what} needs UCUM system ${UCUM}` });
	if (!units.includes(quantity?.code)) {
		errors.push({ path: `${path}.code`, message: `${what} needs UCUM code ` +
			`${units.map((u) => `"${u}"`).join(' or ')}, got "${quantity?.code ?? ''}"` });
	}
	// a value of the wrong type is the schema's to report
	if (quantity?.value === undefined)
		errors.push({ path: `${path}.value`, message: `${what} needs a value` });
}

function checkVitalSign(obs, loinc, profile, errors) {
	const what = `vital sign ${loinc} (profile ${profile.profile})`;
	const cat = vitals.category;
	if (!(Array.isArray(obs.category) && obs.category.some((c) => hasCoding(c, cat.system, cat.code)))) {
		errors.push({ path: 'Observation.category',
			message: `${what} needs category ${cat.system}|${cat.code}` });
	}
	if (!obs.subject)
		errors.push({ path: 'Observation.subject', message: `${what} needs a subject` });
	if (!EFFECTIVE.some((k) => obs[k] !== undefined))
		errors.push({ path: 'Observation.effective[x]', message: `${what} needs effective[x]` });
	if (obs.valueQuantity !== undefined) {
		if (profile.units.length === 0) {
			errors.push({ path: 'Observation.valueQuantity',
				message: `${what} carries its values in components, not valueQuantity` });
		} else {
			checkUnit(obs.valueQuantity, profile.units, 'Observation.valueQuantity', what, errors);
		}
	}
	const components = Array.isArray(obs.component) ? obs.component : [];
	const seen = new Set();
	components.forEach((comp, i) => {
		const path = `Observation.component[${i}]`;
		for (const [code, spec] of Object.entries(profile.components ?? {})) {
			if (!hasCoding(comp?.code, LOINC, code))
				continue;
			seen.add(code);
			if (comp.valueQuantity !== undefined)
				checkUnit(comp.valueQuantity, spec.units, `${path}.valueQuantity`,
					`component ${code} of ${what}`, errors);
			else if (comp.dataAbsentReason === undefined)
				errors.push({ path, message: `component ${code} of ${what} needs valueQuantity or dataAbsentReason (vs-3)` });
		}
		const stat = codings(comp?.code).find((c) => c?.system === vitals.statistics.system);
		if (stat && vitals.statistics.sameUnit.includes(stat.code) &&
		    comp.valueQuantity !== undefined && profile.units.length > 0) {
			checkUnit(comp.valueQuantity, profile.units, `${path}.valueQuantity`,
				`statistic "${stat.code}" of ${what}`, errors);
		}
	});
	for (const [code, spec] of Object.entries(profile.components ?? {})) {
		if (spec.required && !seen.has(code))
			errors.push({ path: 'Observation.component', message: `${what} needs a component ${LOINC}|${code}` });
	}
}

function checkObservation(obs, errors) {
	if (obs.status === undefined) {
		errors.push({ path: 'Observation.status', message: 'required element "status" missing' });
	} else if (!OBSERVATION_STATUS.has(obs.status)) {
		errors.push({ path: 'Observation.status', message: `"${obs.status}" is not an observation-status code ` +
			`(${[...OBSERVATION_STATUS].join(', ')})` });
	}
	for (const c of codings(obs.code)) {
		const profile = c?.system === LOINC ? vitals.codes[c.code] : undefined;
		if (profile)
			checkVitalSign(obs, c.code, profile, errors);
	}
}

function checkDeviceAssociation(da, errors) {
	const s = DEVICE_ASSOCIATION_STATUS;
	const ok = codings(da.status).some((c) => c?.system === s.system && s.codes.has(c?.code));
	if (!ok) {
		errors.push({ path: 'DeviceAssociation.status', message: `needs a coding from ${s.system} ` +
			`(${[...s.codes].join(', ')})` });
	}
}

function checkSampledData(sd, path, errors) {
	const hasInterval = sd.interval !== undefined;
	const hasOffsets = sd.offsets !== undefined;
	if (hasInterval === hasOffsets) {
		errors.push({ path, message: 'exactly one of "interval" and "offsets" must be present (sdd-1)' });
	}
	if (sd.intervalUnit === undefined)
		errors.push({ path: `${path}.intervalUnit`, message: 'required element "intervalUnit" missing' });
	if (hasOffsets && typeof sd.offsets === 'string' && typeof sd.data === 'string') {
		const offsets = sd.offsets.trim().split(/\s+/);
		const points = sd.data.trim().split(/\s+/);
		const dims = Number.isInteger(sd.dimensions) && sd.dimensions > 0 ? sd.dimensions : 1;
		if (offsets.length * dims !== points.length) {
			errors.push({ path: `${path}.offsets`, message: `${offsets.length} offsets for ` +
				`${points.length} data points in ${dims} dimension(s)` });
		}
		if (offsets.some((o) => !/^-?[0-9]+(\.[0-9]+)?$/.test(o)))
			errors.push({ path: `${path}.offsets`, message: 'offsets must be decimals separated by spaces' });
	}
}

function checkReference(ref, path, ctx, errors) {
	if (ref.startsWith('#'))
		return;
	if (ref.startsWith('urn:uuid:')) {
		if (!UUID_RE.test(ref))
			errors.push({ path, message: `malformed urn:uuid reference "${ref}"` });
		else if (!ctx.fullUrls?.has(ref))
			errors.push({ path, message: `reference "${ref}" matches no fullUrl in the Bundle` });
		return;
	}
	if (ref.startsWith('urn:oid:')) {
		if (!OID_RE.test(ref))
			errors.push({ path, message: `malformed urn:oid reference "${ref}"` });
		return;
	}
	// relative Type/id[/_history/vid], or an absolute URL ending in one
	const m = /^(?:https?:\/\/[^\s/]+(?:\/[^\s/]+)*\/)?([A-Z][A-Za-z]+)\/([^/\s]+)(?:\/_history\/([^/\s]+))?$/.exec(ref);
	if (!m) {
		errors.push({ path, message: `malformed reference "${ref}" (expected Type/id)` });
		return;
	}
	if (ctx.isResourceType && !ctx.isResourceType(m[1]))
		errors.push({ path, message: `reference "${ref}" names no R5 resource type` });
	if (!ID_RE.test(m[2]) || (m[3] !== undefined && !ID_RE.test(m[3])))
		errors.push({ path, message: `reference "${ref}" has a malformed id` });
}

// walks the resource once for the element-level checks (SampledData, Reference)
function walk(node, path, ctx, errors) {
	if (Array.isArray(node)) {
		node.forEach((item, i) => walk(item, `${path}[${i}]`, ctx, errors));
		return;
	}
	if (node === null || typeof node !== 'object')
		return;
	for (const [key, value] of Object.entries(node)) {
		const child = `${path}.${key}`;
		// contained resources and Bundle entries are checked as resources of their own
		if (key === 'contained' || (key === 'resource' && path.startsWith('Bundle.entry[')))
			continue;
		if (key === 'reference' && typeof value === 'string')
			checkReference(value, child, ctx, errors);
		else if (key.endsWith('SampledData') && value && typeof value === 'object')
			checkSampledData(value, child, errors);
		walk(value, child, ctx, errors);
	}
}

function checkBundle(bundle, errors) {
	const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
	const fullUrls = new Set();
	const isTxOrBatch = bundle.type === 'transaction' || bundle.type === 'batch';
	entries.forEach((entry, i) => {
		const path = `Bundle.entry[${i}]`;
		if (typeof entry?.fullUrl === 'string') {
			if (fullUrls.has(entry.fullUrl))
				errors.push({ path: `${path}.fullUrl`, message: `duplicate fullUrl "${entry.fullUrl}" (bdl-7)` });
			fullUrls.add(entry.fullUrl);
		}
		if (!isTxOrBatch)
			return;
		const method = entry?.request?.method;
		if (!BUNDLE_METHODS.has(method)) {
			errors.push({ path: `${path}.request.method`, message: `${bundle.type} entry needs request.method (bdl-3c)` });
			return;
		}
		if (typeof entry.request.url !== 'string' || entry.request.url === '')
			errors.push({ path: `${path}.request.url`, message: `${bundle.type} entry needs request.url` });
		if (METHODS_WITH_RESOURCE.has(method) !== (entry.resource !== undefined)) {
			errors.push({ path: `${path}.resource`, message: `a ${method} entry ` +
				(METHODS_WITH_RESOURCE.has(method) ? 'needs' : 'must not have') + ' a resource (bdl-3c)' });
		}
	});
	return fullUrls;
}

export function bundleFullUrls(bundle, errors) {
	return checkBundle(bundle, errors);
}

// ctx: { fullUrls: Set of the enclosing Bundle's fullUrls, isResourceType: name => bool }
export function checkResource(resource, ctx = {}) {
	const errors = [];
	const type = resource.resourceType;
	if (type === 'Observation')
		checkObservation(resource, errors);
	else if (type === 'DeviceAssociation')
		checkDeviceAssociation(resource, errors);
	walk(resource, type, ctx, errors);
	return errors;
}
