// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The npm packages live in the build tree (install.sh), not next to these scripts, and ESM
// bare imports ignore NODE_PATH: resolve them with a require() rooted at that node_modules.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function findNodeModules() {
	const candidates = [];
	if (process.env.OHE_FHIR_NODE_MODULES)
		candidates.push(process.env.OHE_FHIR_NODE_MODULES);
	candidates.push(join(here, 'node_modules'));
	candidates.push(join(process.cwd(), 'node_modules'));
	for (const dir of candidates) {
		if (existsSync(join(dir, '@medplum', 'fhir-router')))
			return resolve(dir);
	}
	throw new Error('npm packages not found (looked in ' + candidates.join(', ') +
		'); run tests/fhir-server/install.sh or set OHE_FHIR_NODE_MODULES');
}

export const nodeModules = findNodeModules();
export const requireDep = createRequire(join(nodeModules, 'package.json'));
export const r5CoreDir = join(nodeModules, 'hl7.fhir.r5.core');
