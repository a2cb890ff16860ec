#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Validates FHIR R5 resources against the official R5 JSON Schema plus the semantic checks of
// fhir-checks.mjs. Arguments: .json files (a resource or a Bundle), .ndjson files (one resource
// per line), or "-" for NDJSON on stdin. Prints one line per error:
//   FILE[:LINE]: RESOURCE: PATH: MESSAGE
// Exit status: 0 all valid, 1 any error, 2 usage.

import { readFileSync } from 'node:fs';
import { FhirValidator } from './fhir-validator.mjs';

function usage() {
	process.stderr.write('usage: validate.mjs [--quiet] FILE.json|FILE.ndjson|- ...\n');
	process.exit(2);
}

function* documents(file, text) {
	const ndjson = file === '-' || file.endsWith('.ndjson') || file.endsWith('.jsonl');
	if (!ndjson) {
		yield { where: file, text };
		return;
	}
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].trim() !== '')
			yield { where: `${file}:${i + 1}`, text: lines[i] };
	}
}

const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const files = args.filter((a) => a !== '--quiet');
if (files.length === 0 || files.some((f) => f.startsWith('--')))
	usage();

const validator = new FhirValidator();
let errors = 0;
let resources = 0;
for (const file of files) {
	let text;
	try {
		text = readFileSync(file === '-' ? 0 : file, 'utf8');
	} catch (e) {
		console.log(`${file}: (file): (root): cannot read: ${e.code ?? e.message}`);
		errors++;
		continue;
	}
	for (const doc of documents(file, text)) {
		let resource;
		try {
			resource = JSON.parse(doc.text);
		} catch (e) {
			console.log(`${doc.where}: (unparsed): (root): invalid JSON: ${e.message}`);
			errors++;
			continue;
		}
		resources++;
		for (const e of validator.validate(resource)) {
			console.log(`${doc.where}: ${e.resource}: ${e.path}: ${e.message}`);
			errors++;
		}
	}
}
if (!quiet)
	process.stderr.write(`validated ${resources} resource(s) in ${files.length} file(s): ${errors} error(s)\n`);
// exitCode, not exit(): a piped stdout is written asynchronously and would be cut
process.exitCode = errors > 0 ? 1 : 0;
