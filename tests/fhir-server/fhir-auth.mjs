// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Bearer checking for the FHIR routes and an OAuth2 token endpoint for the client_credentials
// grant, with either a client secret (client_secret_basic / client_secret_post) or a SMART
// backend-services client assertion (private_key_jwt, RS384 or ES384). Tokens and secrets are
// never printed.

import { createPublicKey, randomBytes, timingSafeEqual, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
// SMART backend services: the assertion may live at most five minutes
const MAX_ASSERTION_LIFETIME = 300;
const ALGORITHMS = {
	RS384: { hash: 'sha384', keyType: 'rsa' },
	ES384: { hash: 'sha384', keyType: 'ec', dsaEncoding: 'ieee-p1363' },
};

class AuthError extends Error {
	constructor(status, error, description) {
		super(description);
		this.status = status;
		this.error = error;
	}
}

function sameSecret(a, b) {
	const x = Buffer.from(String(a));
	const y = Buffer.from(String(b));
	return x.length === y.length && timingSafeEqual(x, y);
}

function b64urlJson(part, what) {
	try {
		return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
	} catch {
		throw new AuthError(401, 'invalid_client', `client_assertion ${what} is not base64url JSON`);
	}
}

// keys: a JWKS file ({"keys":[...]}), a single JWK, or a PEM public key
function loadKeys(file) {
	const text = readFileSync(file, 'utf8');
	if (text.includes('-----BEGIN'))
		return [{ kid: undefined, key: createPublicKey(text) }];
	const json = JSON.parse(text);
	const jwks = Array.isArray(json.keys) ? json.keys : [json];
	return jwks.map((jwk) => ({ kid: jwk.kid, key: createPublicKey({ key: jwk, format: 'jwk' }) }));
}

export class FhirAuth {
	// opts: { bearer, clientId, clientSecret, publicKeyFile, tokenLifetime, tokenUrl }
	constructor(opts) {
		this.staticBearer = opts.bearer || undefined;
		this.clientId = opts.clientId || undefined;
		this.clientSecret = opts.clientSecret || undefined;
		this.keys = opts.publicKeyFile ? loadKeys(opts.publicKeyFile) : [];
		this.tokenLifetime = opts.tokenLifetime ?? 300;
		this.tokenUrl = opts.tokenUrl;
		this.issued = new Map();
		this.seenJti = new Set();
		this.stats = { issued: 0, rejected: 0 };
	}

	get required() {
		return Boolean(this.staticBearer || this.clientId);
	}

	get tokenEndpointEnabled() {
		return Boolean(this.clientId && (this.clientSecret || this.keys.length > 0));
	}

	// returns undefined when the request may go on, else the reason it may not
	checkBearer(header) {
		if (!this.required)
			return undefined;
		const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
		if (!m)
			return 'missing bearer token';
		const token = m[1];
		if (this.staticBearer && sameSecret(token, this.staticBearer))
			return undefined;
		const expiry = this.issued.get(token);
		if (expiry === undefined)
			return 'unknown bearer token';
		if (expiry <= Date.now()) {
			this.issued.delete(token);
			return 'expired bearer token';
		}
		return undefined;
	}

	// form: URLSearchParams of the POST body; returns { status, body }
	token(form, authorization) {
		try {
			return { status: 200, body: this.issue(form, authorization) };
		} catch (e) {
			if (!(e instanceof AuthError))
				throw e;
			this.stats.rejected++;
			const headers = e.status === 401 ? { 'WWW-Authenticate': 'Basic realm="token"' } : {};
			return { status: e.status, headers, body: { error: e.error, error_description: e.message } };
		}
	}

	issue(form, authorization) {
		if (!this.tokenEndpointEnabled)
			throw new AuthError(400, 'unauthorized_client', 'token endpoint not configured');
		const grant = form.get('grant_type');
		if (grant !== 'client_credentials')
			throw new AuthError(400, 'unsupported_grant_type', `grant_type "${grant ?? ''}" not supported`);
		if (form.get('client_assertion_type') !== null || form.get('client_assertion') !== null)
			this.checkAssertion(form);
		else
			this.checkSecret(form, authorization);
		const token = randomBytes(24).toString('base64url');
		this.issued.set(token, Date.now() + this.tokenLifetime * 1000);
		this.stats.issued++;
		return {
			access_token: token,
			token_type: 'Bearer',
			expires_in: this.tokenLifetime,
			scope: form.get('scope') ?? 'system/*.*',
		};
	}

	checkSecret(form, authorization) {
		let id = form.get('client_id');
		let secret = form.get('client_secret');
		const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
		if (basic) {
			const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon < 0)
				throw new AuthError(401, 'invalid_client', 'malformed Basic credentials');
			id = decodeURIComponent(decoded.slice(0, colon));
			secret = decodeURIComponent(decoded.slice(colon + 1));
		}
		if (id === null || secret === null)
			throw new AuthError(401, 'invalid_client', 'client_id and client_secret required');
		if (!this.clientSecret || id !== this.clientId || !sameSecret(secret, this.clientSecret))
			throw new AuthError(401, 'invalid_client', 'client authentication failed');
	}

	checkAssertion(form) {
		if (form.get('client_assertion_type') !== ASSERTION_TYPE)
			throw new AuthError(400, 'invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
		if (this.keys.length === 0)
			throw new AuthError(401, 'invalid_client', 'no public key configured for client_assertion');
		const parts = (form.get('client_assertion') ?? '').split('.');
		if (parts.length !== 3)
			throw new AuthError(401, 'invalid_client', 'client_assertion is not a compact JWS');
		const header = b64urlJson(parts[0], 'header');
		const claims = b64urlJson(parts[1], 'payload');
		const alg = ALGORITHMS[header.alg];
		if (!alg)
			throw new AuthError(401, 'invalid_client', `client_assertion alg "${header.alg}" not RS384 or ES384`);
		const candidates = this.keys.filter((k) => k.key.asymmetricKeyType === alg.keyType &&
			(header.kid === undefined || k.kid === undefined || k.kid === header.kid));
		const data = Buffer.from(`${parts[0]}.${parts[1]}`);
		const sig = Buffer.from(parts[2], 'base64url');
		const ok = candidates.some((k) => verify(alg.hash, data,
			alg.dsaEncoding ? { key: k.key, dsaEncoding: alg.dsaEncoding } : k.key, sig));
		if (!ok)
			throw new AuthError(401, 'invalid_client', 'client_assertion signature does not verify');
		const now = Math.floor(Date.now() / 1000);
		if (claims.iss !== this.clientId || claims.sub !== this.clientId)
			throw new AuthError(401, 'invalid_client', 'client_assertion iss and sub must be the client_id');
		const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
		if (!aud.includes(this.tokenUrl))
			throw new AuthError(401, 'invalid_client', `client_assertion aud must be ${this.tokenUrl}`);
		if (typeof claims.exp !== 'number' || claims.exp <= now)
			throw new AuthError(401, 'invalid_client', 'client_assertion expired or without exp');
		if (claims.exp > now + MAX_ASSERTION_LIFETIME)
			throw new AuthError(401, 'invalid_client', 'client_assertion exp more than 5 minutes ahead');
		if (typeof claims.jti !== 'string' || claims.jti === '')
			throw new AuthError(401, 'invalid_client', 'client_assertion needs a jti');
		if (this.seenJti.has(claims.jti))
			throw new AuthError(401, 'invalid_client', 'client_assertion jti replayed');
		this.seenJti.add(claims.jti);
	}
}
