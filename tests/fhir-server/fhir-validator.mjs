// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Schema plus semantic validation of one resource; Bundles are opened and each entry's resource
// is validated against its own type. Shared by validate.mjs and server.mjs.

import { FhirSchema } from './fhir-schema.mjs';
import { bundleFullUrls, checkResource } from './fhir-checks.mjs';

export function resourceLabel(resource) {
	const type = typeof resource?.resourceType === 'string' ? resource.resourceType : '(no resourceType)';
	if (typeof resource?.id === 'string')
		return `${type}/${resource.id}`;
	const ident = Array.isArray(resource?.identifier) ? resource.identifier[0] : undefined;
	if (typeof ident?.value === 'string')
		return `${type}?identifier=${ident.system ?? ''}|${ident.value}`;
	return type;
}

export class FhirValidator {
	constructor() {
		this.schema = new FhirSchema();
	}

	// Returns [{ resource, path, message }]; empty when valid
	validate(resource, label = resourceLabel(resource), fullUrls = undefined) {
		if (resource === null || typeof resource !== 'object' || Array.isArray(resource))
			return [{ resource: label, path: '(root)', message: 'not a JSON object' }];
		const found = this.schema.validate(resource).map((e) => ({ resource: label, ...e }));
		if (found.length > 0 && found[0].path === 'resourceType')
			return found;
		let urls = fullUrls;
		if (resource.resourceType === 'Bundle') {
			const bundleErrors = [];
			urls = bundleFullUrls(resource, bundleErrors);
			found.push(...bundleErrors.map((e) => ({ resource: label, ...e })));
		}
		const ctx = { fullUrls: urls, isResourceType: (t) => this.schema.isResourceType(t) };
		found.push(...checkResource(resource, ctx).map((e) => ({ resource: label, ...e })));
		if (Array.isArray(resource.contained)) {
			resource.contained.forEach((inner, i) => {
				found.push(...this.validate(inner, `${label} contained[${i}] ${resourceLabel(inner)}`, urls));
			});
		}
		if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
			resource.entry.forEach((entry, i) => {
				if (entry?.resource === undefined)
					return;
				const inner = `${label} entry[${i}] ${resourceLabel(entry.resource)}`;
				found.push(...this.validate(entry.resource, inner, urls));
			});
		}
		return found;
	}
}
