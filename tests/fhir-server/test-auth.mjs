#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The token endpoint of server.mjs: client_credentials with a client secret (post and basic)
// and with SMART backend-services client assertions (RS384, ES384), and the FHIR routes
// accepting the issued, unexpired bearer only. Starts its own server: the public keys are
// made here. TAP output.

import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const results = [];
const check = (name, ok, detail = '') => results.push({ name, ok: Boolean(ok), detail });

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const tmp = mkdtempSync(join(tmpdir(), 'ohe-fhir-auth-'));
const jwksPath = join(tmp, 'jwks.json');
writeFileSync(jwksPath, JSON.stringify({ keys: [
	{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa1', alg: 'RS384' },
	{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec1', alg: 'ES384' },
] }));

function startServer() {
	const child = spawn(process.execPath, [join(here, 'server.mjs'), '--port', '0',
		'--client-id', 'c1', '--client-secret', 's3cret', '--public-key', jwksPath,
		'--token-lifetime', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
	return new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
			const m = /port=(\d+)/.exec(out);
			if (m)
				resolve({ child, port: Number(m[1]) });
		});
		child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
	});
}

function assertion(tokenUrl, alg, key, kid, claims = {}) {
	const now = Math.floor(Date.now() / 1000);
	const header = Buffer.from(JSON.stringify({ alg, kid, typ: 'JWT' })).toString('base64url');
	const payload = Buffer.from(JSON.stringify({ iss: 'c1', sub: 'c1', aud: tokenUrl,
		exp: now + 240, jti: randomUUID(), ...claims })).toString('base64url');
	const sig = sign('sha384', Buffer.from(`${header}.${payload}`),
		alg === 'ES384' ? { key, dsaEncoding: 'ieee-p1363' } : key);
	return `${header}.${payload}.${sig.toString('base64url')}`;
}

async function token(tokenUrl, form, headers = {}) {
	const r = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams(form),
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } });
	return { status: r.status, body: await r.json() };
}

async function fhirStatus(base, bearer) {
	const headers = bearer ? { Authorization: `Bearer ${bearer}` } : {};
	const r = await fetch(`${base}/Observation?_summary=count`, { headers });
	return { status: r.status, body: await r.json() };
}

async function run(port) {
	const tokenUrl = `http://127.0.0.1:${port}/auth/token`;
	const base = `http://127.0.0.1:${port}/fhir/R5`;
	const jwtForm = (jwt) => ({ grant_type: 'client_credentials', scope: 'system/*.cruds',
		client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
		client_assertion: jwt });

	let r = await fhirStatus(base);
	check('FHIR route without bearer: 401', r.status === 401 && r.body.issue[0].code === 'login');
	const smart = await (await fetch(`${base}/.well-known/smart-configuration`)).json();
	check('smart-configuration names the token endpoint', smart.token_endpoint === tokenUrl &&
		smart.token_endpoint_auth_signing_alg_values_supported.join() === 'RS384,ES384');

	r = await token(tokenUrl, { grant_type: 'client_credentials', client_id: 'c1', client_secret: 's3cret' });
	check('client_secret_post: token', r.status === 200 && r.body.token_type === 'Bearer' &&
		r.body.expires_in === 2 && r.body.access_token.length >= 32, JSON.stringify(r));
	const issued = r.body.access_token;
	r = await fhirStatus(base, issued);
	check('issued token opens the FHIR routes', r.status === 200 && r.body.total === 0);

	const basic = Buffer.from('c1:s3cret').toString('base64');
	r = await token(tokenUrl, { grant_type: 'client_credentials' }, { Authorization: `Basic ${basic}` });
	check('client_secret_basic: token', r.status === 200 && typeof r.body.access_token === 'string');
	r = await token(tokenUrl, { grant_type: 'client_credentials', client_id: 'c1', client_secret: 'nope' });
	check('wrong secret: 401 invalid_client', r.status === 401 && r.body.error === 'invalid_client' &&
		!JSON.stringify(r.body).includes('nope'));
	r = await token(tokenUrl, { grant_type: 'password', client_id: 'c1', client_secret: 's3cret' });
	check('other grant: 400 unsupported_grant_type', r.status === 400 &&
		r.body.error === 'unsupported_grant_type');

	const rsJwt = assertion(tokenUrl, 'RS384', rsa.privateKey, 'rsa1');
	r = await token(tokenUrl, jwtForm(rsJwt));
	check('RS384 client assertion: token', r.status === 200 && r.body.scope === 'system/*.cruds',
		JSON.stringify(r.body));
	r = await token(tokenUrl, jwtForm(rsJwt));
	check('replayed jti: 401', r.status === 401 &&
		r.body.error_description === 'client_assertion jti replayed');
	r = await token(tokenUrl, jwtForm(assertion(tokenUrl, 'ES384', ec.privateKey, 'ec1')));
	check('ES384 client assertion: token', r.status === 200, JSON.stringify(r.body));
	const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });
	r = await token(tokenUrl, jwtForm(assertion(tokenUrl, 'ES384', other.privateKey, 'ec1')));
	check('assertion signed by an unknown key: 401', r.status === 401 &&
		r.body.error_description === 'client_assertion signature does not verify');
	r = await token(tokenUrl, jwtForm(assertion(tokenUrl, 'RS384', rsa.privateKey, 'rsa1',
		{ aud: 'http://elsewhere/token' })));
	check('assertion for another audience: 401', r.status === 401 &&
		r.body.error_description === `client_assertion aud must be ${tokenUrl}`);
	r = await token(tokenUrl, jwtForm(assertion(tokenUrl, 'RS384', rsa.privateKey, 'rsa1',
		{ exp: Math.floor(Date.now() / 1000) - 1 })));
	check('expired assertion: 401', r.status === 401 &&
		r.body.error_description === 'client_assertion expired or without exp');
	r = await token(tokenUrl, jwtForm('not.a-jwt'));
	check('garbage assertion: 401', r.status === 401 && r.body.error === 'invalid_client');

	await new Promise((done) => setTimeout(done, 2100));
	r = await fhirStatus(base, issued);
	check('token past expires_in: 401', r.status === 401 &&
		r.body.issue[0].diagnostics === 'expired bearer token');
}

let server;
try {
	server = await startServer();
	await run(server.port);
} catch (e) {
	check('auth tests ran', false, e.stack);
} finally {
	server?.child.kill('SIGTERM');
	rmSync(tmp, { recursive: true, force: true });
}
console.log(`1..${results.length}`);
results.forEach((r, i) => {
	console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${r.name}`);
	if (!r.ok && r.detail)
		console.log(`# ${r.detail.replace(/\n/g, '\n# ')}`);
});
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
