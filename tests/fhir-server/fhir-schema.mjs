// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The official FHIR R5 JSON Schema (hl7.fhir.r5.core@5.0.0, openapi/fhir.schema.json)
// compiled with ajv, one validator per resource type. Compiling takes seconds (every type
// reaches Extension and with it every data type), so the compiled code is cached as a
// standalone module next to node_modules, keyed by the schema's hash and the ajv version.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeModules, requireDep, r5CoreDir } from './node-deps.mjs';

// bump when patchSchema() changes: the cache is keyed by it
const PATCH_VERSION = 1;

export const schemaPath = join(r5CoreDir, 'openapi', 'fhir.schema.json');
export const cachePath = join(dirname(nodeModules), 'fhir-r5-validators.cjs');

function patchSchema(schema) {
	// draft-06 spells the identifier "$id"; ajv 8 does not read the older "id"
	schema.$id = 'fhir';
	delete schema.id;
	// an OpenAPI keyword, not JSON Schema
	delete schema.discriminator;
	// Nested resources (Bundle entries, contained) are checked one by one against their own
	// type by FhirValidator: the 158-way oneOf of ResourceList buries the real error in noise
	schema.definitions.ResourceList = { type: 'object', required: ['resourceType'] };
	return schema;
}

function cacheStamp(schemaText) {
	const sha = createHash('sha256').update(schemaText).digest('hex');
	const ajvVersion = requireDep('ajv/package.json').version;
	return `// ohe fhir-r5-validators patch=${PATCH_VERSION} ajv=${ajvVersion} schema=${sha}\n`;
}

function readCachedStamp() {
	let fd;
	try {
		fd = openSync(cachePath, 'r');
		const buf = Buffer.alloc(256);
		const n = readSync(fd, buf, 0, buf.length, 0);
		const text = buf.subarray(0, n).toString('utf8');
		return text.slice(0, text.indexOf('\n') + 1);
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined)
			closeSync(fd);
	}
}

// Compiles every resource type and returns { Type: validateFunction }; writes the cache
function compileAll(schemaText, stamp) {
	const Ajv = requireDep('ajv').default;
	const addFormats = requireDep('ajv-formats').default;
	const standaloneCode = requireDep('ajv/dist/standalone').default;
	const schema = patchSchema(JSON.parse(schemaText));
	// unicodeRegExp: the decimal pattern has a stray '}' that unicode mode refuses
	const ajv = new Ajv({ strict: false, validateSchema: false, unicodeRegExp: false,
		allErrors: true, code: { source: true } });
	ajv.addMetaSchema(requireDep('ajv/dist/refs/json-schema-draft-06.json'));
	addFormats(ajv);
	ajv.addSchema(schema);
	const refs = {};
	for (const { $ref } of schema.oneOf) {
		const type = $ref.replace('#/definitions/', '');
		refs[type] = `fhir#/definitions/${type}`;
	}
	const validators = {};
	for (const [type, ref] of Object.entries(refs))
		validators[type] = ajv.getSchema(ref);
	try {
		// rename: tests running in parallel must never load a half-written file
		const tmp = `${cachePath}.${process.pid}.tmp`;
		writeFileSync(tmp, stamp + standaloneCode(ajv, refs));
		renameSync(tmp, cachePath);
	} catch (e) {
		process.stderr.write(`fhir-schema: cannot write ${cachePath}: ${e.message}\n`);
	}
	return validators;
}

function loadValidators() {
	const schemaText = readFileSync(schemaPath, 'utf8');
	const stamp = cacheStamp(schemaText);
	if (readCachedStamp() === stamp) {
		const cached = requireDep(cachePath);
		return { ...cached };
	}
	return compileAll(schemaText, stamp);
}

export class FhirSchema {
	constructor() {
		this.validators = loadValidators();
	}

	isResourceType(name) {
		return Object.hasOwn(this.validators, name);
	}

	// Returns a list of { path, message }; path is FHIR-style (Observation.valueQuantity.value)
	validate(resource) {
		const type = resource?.resourceType;
		if (typeof type !== 'string')
			return [{ path: '(root)', message: 'resourceType missing or not a string' }];
		if (!this.isResourceType(type))
			return [{ path: 'resourceType', message: `unknown R5 resource type "${type}"` }];
		const validate = this.validators[type];
		if (validate(resource))
			return [];
		return validate.errors.map((e) => ({
			path: pointerToPath(type, e.instancePath),
			message: describe(e),
		}));
	}
}

function pointerToPath(type, pointer) {
	let path = type;
	for (const seg of pointer.split('/').slice(1)) {
		const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
		path += /^[0-9]+$/.test(s) ? `[${s}]` : `.${s}`;
	}
	return path;
}

function describe(e) {
	if (e.keyword === 'additionalProperties')
		return `unknown property "${e.params.additionalProperty}"`;
	if (e.keyword === 'required')
		return `required property "${e.params.missingProperty}" missing`;
	if (e.keyword === 'type')
		return `must be of type ${e.params.type}`;
	if (e.keyword === 'pattern')
		return `does not match the pattern of its FHIR type (${e.params.pattern})`;
	return e.message;
}

// "node fhir-schema.mjs": build the cache (install.sh does this once per install)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const t0 = Date.now();
	const n = Object.keys(new FhirSchema().validators).length;
	process.stdout.write(`fhir-schema: ${n} R5 resource validators ready in ${Date.now() - t0} ms (${cachePath})\n`);
}
