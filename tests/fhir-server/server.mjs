#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// FHIR R5 test server for the integration tests: @medplum/fhir-router with an in-memory
// repository, on 127.0.0.1 only. See README.md for the options and admin endpoints.

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { FhirAuth } from './fhir-auth.mjs';
import { FhirStore } from './fhir-store.mjs';
import { FhirValidator } from './fhir-validator.mjs';

const MAX_BODY = 64 * 1024 * 1024;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const env = process.env;

const { values: opt } = parseArgs({
	options: {
		port: { type: 'string', default: env.OHE_FHIR_PORT ?? '0' },
		base: { type: 'string', default: env.OHE_FHIR_BASE_PATH ?? '/fhir/R5' },
		bearer: { type: 'string', default: env.OHE_FHIR_BEARER },
		'client-id': { type: 'string', default: env.OHE_FHIR_CLIENT_ID },
		'client-secret': { type: 'string', default: env.OHE_FHIR_CLIENT_SECRET },
		'public-key': { type: 'string', default: env.OHE_FHIR_CLIENT_PUBLIC_KEY },
		'token-lifetime': { type: 'string', default: env.OHE_FHIR_TOKEN_LIFETIME ?? '300' },
		fail: { type: 'string', default: env.OHE_FHIR_FAIL },
		'max-transaction-entries': { type: 'string',
			default: env.OHE_FHIR_MAX_TRANSACTION_ENTRIES ?? '50' },
		'max-batch-entries': { type: 'string', default: env.OHE_FHIR_MAX_BATCH_ENTRIES ?? '1000' },
		'no-validate': { type: 'boolean', default: env.OHE_FHIR_VALIDATE === '0' },
		'log-requests': { type: 'boolean', default: false },
	},
	strict: true,
});

const base = '/' + opt.base.replace(/^\/+|\/+$/g, '');
const port = Number.parseInt(opt.port, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	process.stderr.write(`server.mjs: --port: "${opt.port}" is not a port number\n`);
	process.exit(2);
}

// Bundle size caps, as real servers enforce them (0: none). Medplum itself refuses transactions
// with more than 50 updates, with a message that states no limit; this check comes first and
// states it.
const maxEntries = {};
for (const type of ['transaction', 'batch']) {
	const text = opt[`max-${type}-entries`];
	const n = Number.parseInt(text, 10);
	if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n)) {
		process.stderr.write(`server.mjs: --max-${type}-entries: "${text}" is not a number >= 0\n`);
		process.exit(2);
	}
	maxEntries[type] = n;
}

const started = Date.now();
const store = new FhirStore();
const validator = opt['no-validate'] ? undefined : new FhirValidator();
let auth;
try {
	auth = new FhirAuth({ bearer: opt.bearer, clientId: opt['client-id'],
		clientSecret: opt['client-secret'], publicKeyFile: opt['public-key'],
		tokenLifetime: Number.parseInt(opt['token-lifetime'], 10) > 0 ?
			Number.parseInt(opt['token-lifetime'], 10) : 300 });
} catch (e) {
	process.stderr.write(`server.mjs: --public-key: cannot load: ${e.message}\n`);
	process.exit(2);
}
// injected failures: { status, count, retryAfter, target: 'fhir'|'token'|'any' }
let failure;
const stats = { requests: 0, fhir_requests: 0, injected_failures: 0, unauthorized: 0, rejected_invalid: 0,
	bundles: 0, bundles_refused: 0, bundles_too_large: 0, bundle_entries: 0 };

function parseFailure(status, count, retryAfter, target) {
	const s = Number.parseInt(status ?? '503', 10);
	const c = Number.parseInt(count ?? '1', 10);
	if (!(s >= 400 && s <= 599) || !(c >= 0))
		return undefined;
	const t = target ?? 'fhir';
	if (!['fhir', 'token', 'any'].includes(t))
		return undefined;
	return { status: s, count: c, retryAfter, target: t };
}

function outcome(severity, code, text, expression) {
	const issue = { severity, code, diagnostics: text };
	if (expression)
		issue.expression = [expression];
	return { resourceType: 'OperationOutcome', issue: [issue] };
}

function send(res, status, body, headers = {}) {
	const text = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': FHIR_JSON, 'Content-Length': Buffer.byteLength(text),
		...headers });
	res.end(text);
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size > MAX_BODY) {
				reject(new Error(`body larger than ${MAX_BODY} bytes`));
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function capabilityStatement(baseUrl) {
	const interaction = ['read', 'vread', 'update', 'create', 'search-type', 'history-instance']
		.map((code) => ({ code }));
	return {
		resourceType: 'CapabilityStatement',
		status: 'active',
		date: new Date(started).toISOString(),
		kind: 'instance',
		software: { name: 'ohed FHIR test server (medplum fhir-router, in memory)' },
		implementation: { description: 'test server', url: baseUrl },
		fhirVersion: '5.0.0',
		format: ['json'],
		rest: [{
			mode: 'server',
			security: auth.tokenEndpointEnabled ? {
				service: [{ coding: [{ system: 'http://hl7.org/fhir/restful-security-service',
					code: 'SMART-on-FHIR' }] }],
			} : undefined,
			resource: ['Observation', 'Device', 'DeviceAssociation', 'DeviceMetric', 'Patient',
				'Provenance', 'DiagnosticReport'].map((type) => ({ type, interaction,
				conditionalCreate: true, conditionalUpdate: true })),
			interaction: [{ code: 'transaction' }, { code: 'batch' }],
		}],
	};
}

function smartConfiguration(tokenUrl) {
	return {
		token_endpoint: tokenUrl,
		grant_types_supported: ['client_credentials'],
		token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic',
			'client_secret_post'],
		token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
		scopes_supported: ['system/*.rs', 'system/*.cruds', 'system/*.*'],
		capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric'],
	};
}

function takeFailure(target) {
	if (!failure || failure.count <= 0 || (failure.target !== 'any' && failure.target !== target))
		return undefined;
	failure.count--;
	stats.injected_failures++;
	return failure;
}

async function handleAdmin(req, res, url) {
	const what = url.pathname.slice('/_admin/'.length);
	if (what === 'stats' && req.method === 'GET')
		return send(res, 200, { ...stats, tokens_issued: auth.stats.issued,
			token_rejected: auth.stats.rejected, pending_failures: failure?.count ?? 0 });
	if (req.method !== 'POST')
		return send(res, 405, outcome('error', 'not-supported', `${req.method} /_admin/${what}`));
	if (what === 'reset') {
		store.reset();
		failure = undefined;
		for (const k of Object.keys(stats))
			stats[k] = 0;
		return send(res, 200, outcome('information', 'informational', 'repository cleared'));
	}
	if (what === 'fail') {
		const q = url.searchParams;
		const f = parseFailure(q.get('status'), q.get('count'), q.get('retry_after') ?? undefined,
			q.get('target') ?? undefined);
		if (!f)
			return send(res, 400, outcome('error', 'invalid',
				'status must be 400..599, count >= 0, target fhir|token|any'));
		failure = f;
		return send(res, 200, outcome('information', 'informational',
			`next ${f.count} ${f.target} request(s) fail with ${f.status}`));
	}
	return send(res, 404, outcome('error', 'not-found', `no admin endpoint /_admin/${what}`));
}

async function handleToken(req, res) {
	if (req.method !== 'POST')
		return send(res, 405, { error: 'invalid_request', error_description: 'POST only' });
	const injected = takeFailure('token');
	if (injected)
		return sendInjected(res, injected);
	const form = new URLSearchParams(await readBody(req));
	const r = auth.token(form, req.headers.authorization);
	const text = JSON.stringify(r.body);
	res.writeHead(r.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store',
		...(r.headers ?? {}) });
	res.end(text);
}

function sendInjected(res, f) {
	const headers = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
	return send(res, f.status, outcome('error', 'transient', `injected failure ${f.status}`), headers);
}

function validationOutcome(errors) {
	return {
		resourceType: 'OperationOutcome',
		issue: errors.map((e) => ({ severity: 'error', code: 'invalid',
			diagnostics: `${e.resource}: ${e.message}`, expression: [e.path] })),
	};
}

// POST [base] with a transaction or batch Bundle: the size cap, then validation and the router
async function handleBundle(res, body, baseUrl) {
	const n = Array.isArray(body.entry) ? body.entry.length : 0;
	const max = maxEntries[body.type];
	stats.bundles++;
	stats.bundle_entries += n;
	if (max > 0 && n > max) {
		stats.bundles_refused++;
		stats.bundles_too_large++;
		return send(res, 400, outcome('error', 'too-costly',
			`Bundle has ${n} entries, more than the ${max} this server accepts in a ${body.type}`));
	}
	if (body.type === 'batch' && n > 0)
		return handleBatch(res, body);
	if (validator) {
		const errors = validator.validate(body);
		if (errors.length > 0) {
			stats.rejected_invalid++;
			stats.bundles_refused++;
			return send(res, 400, validationOutcome(errors));
		}
	}
	const r = await store.handle('POST', '', {}, body, {});
	if (r.status >= 400)
		stats.bundles_refused++;
	return send(res, r.status, r.resource ?? r.outcome);
}

// A batch is answered per entry: an invalid entry gets its own 400, the others are processed
async function handleBatch(res, body) {
	const answers = new Array(body.entry.length);
	const valid = [];
	body.entry.forEach((entry, i) => {
		const errors = validator && entry?.resource !== undefined ?
			validator.validate(entry.resource, `Bundle entry[${i}] ${entry.resource?.resourceType}`) : [];
		if (errors.length > 0) {
			stats.rejected_invalid++;
			answers[i] = { response: { status: '400 Bad Request', outcome: validationOutcome(errors) } };
		} else {
			valid.push(i);
		}
	});
	if (valid.length > 0) {
		const r = await store.handle('POST', '', {}, { resourceType: 'Bundle', type: 'batch',
			entry: valid.map((i) => body.entry[i]) }, {});
		if (r.status >= 400 || r.resource?.resourceType !== 'Bundle') {
			stats.bundles_refused++;
			return send(res, r.status, r.resource ?? r.outcome);
		}
		valid.forEach((i, k) => { answers[i] = r.resource.entry[k]; });
	}
	return send(res, 200, { resourceType: 'Bundle', type: 'batch-response', entry: answers });
}

async function handleFhir(req, res, url, baseUrl, tokenUrl) {
	const rel = url.pathname.slice(base.length).replace(/^\/+/, '');
	if (req.method === 'GET' && rel === 'metadata')
		return send(res, 200, capabilityStatement(baseUrl));
	if (req.method === 'GET' && rel === '.well-known/smart-configuration')
		return send(res, 200, smartConfiguration(tokenUrl), { 'Content-Type': 'application/json' });
	stats.fhir_requests++;
	const denied = auth.checkBearer(req.headers.authorization);
	if (denied) {
		stats.unauthorized++;
		return send(res, 401, outcome('error', 'login', denied),
			{ 'WWW-Authenticate': 'Bearer realm="fhir"' });
	}
	const injected = takeFailure('fhir');
	if (injected)
		return sendInjected(res, injected);
	let body;
	if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
		const text = await readBody(req);
		try {
			body = text === '' ? undefined : JSON.parse(text);
		} catch (e) {
			return send(res, 400, outcome('error', 'structure', `invalid JSON body: ${e.message}`));
		}
		const isResource = body && typeof body === 'object' && typeof body.resourceType === 'string';
		if (isResource && body.resourceType === 'Bundle' && rel === '' && req.method === 'POST')
			return handleBundle(res, body, baseUrl);
		if (validator && isResource && !rel.endsWith('/_search') && req.method !== 'PATCH') {
			const errors = validator.validate(body);
			if (errors.length > 0) {
				stats.rejected_invalid++;
				return send(res, 400, validationOutcome(errors));
			}
		}
	}
	const headers = {};
	for (const h of ['if-none-exist', 'if-match', 'if-none-match', 'prefer'])
		if (req.headers[h] !== undefined)
			headers[h] = req.headers[h];
	const r = await store.handle(req.method, rel + url.search, {}, body, headers);
	const extra = {};
	const meta = r.resource?.meta;
	if (meta?.versionId && r.resource.resourceType !== 'Bundle') {
		extra.ETag = `W/"${meta.versionId}"`;
		if (meta.lastUpdated)
			extra['Last-Modified'] = new Date(meta.lastUpdated).toUTCString();
		if (r.status === 201)
			extra.Location = `${baseUrl}/${r.resource.resourceType}/${r.resource.id}/_history/${meta.versionId}`;
	}
	return send(res, r.status, r.resource ?? r.outcome, extra);
}

const server = createServer((req, res) => {
	const t0 = process.hrtime.bigint();
	stats.requests++;
	const host = `127.0.0.1:${server.address().port}`;
	const baseUrl = `http://${host}${base}`;
	const tokenUrl = `http://${host}/auth/token`;
	let url;
	try {
		url = new URL(req.url, `http://${host}`);
	} catch {
		return send(res, 400, outcome('error', 'invalid', 'malformed request URL'));
	}
	let work;
	if (url.pathname.startsWith('/_admin/'))
		work = handleAdmin(req, res, url);
	else if (url.pathname === '/auth/token')
		work = handleToken(req, res);
	else if (url.pathname === base || url.pathname.startsWith(base + '/'))
		work = handleFhir(req, res, url, baseUrl, tokenUrl);
	else
		work = Promise.resolve(send(res, 404, outcome('error', 'not-found', `no route ${url.pathname}`)));
	work.catch((e) => {
		if (!res.headersSent)
			send(res, 500, outcome('fatal', 'exception', `server error: ${e.message}`));
		process.stderr.write(`server.mjs: ${req.method} ${url.pathname}: ${e.stack}\n`);
	}).finally(() => {
		if (opt['log-requests']) {
			const ms = Number(process.hrtime.bigint() - t0) / 1e6;
			process.stderr.write(`${req.method} ${url.pathname}${url.search} -> ${res.statusCode} ` +
				`(${ms.toFixed(1)} ms)\n`);
		}
	});
});

if (opt.fail) {
	const [s, c] = opt.fail.split(':');
	failure = parseFailure(s, c, undefined, 'fhir');
	if (!failure) {
		process.stderr.write(`server.mjs: --fail: "${opt.fail}" is not STATUS:COUNT\n`);
		process.exit(2);
	}
}

server.listen(port, '127.0.0.1', () => {
	const p = server.address().port;
	// the audience a client assertion must name
	auth.tokenUrl = `http://127.0.0.1:${p}/auth/token`;
	process.stdout.write(`OHE_FHIR_SERVER_READY port=${p} base=http://127.0.0.1:${p}${base} ` +
		`token_url=http://127.0.0.1:${p}/auth/token startup_ms=${Date.now() - started}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => server.close(() => process.exit(0)));
