#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs a test against the FHIR test server with the EHR's side of authentication set up: a
# confidential client (client id and secret) and, for SMART Backend Services, the public keys of
# freshly generated private keys. The keys are made with openssl at test time, so no key is
# checked in; two further keys of the same types stay unknown to the server.
#
# usage: run-with-ehr-keys.py --runner RUN_WITH_FHIR_SERVER_PY [--openssl PATH] [--plugin SO]
#                             [RUNNER OPTIONS...] -- COMMAND [ARGS...]
# RUNNER OPTIONS go to run-with-fhir-server.py (--node-modules DIR --node NODE ...). The command
# also gets OHE_FHIR_TEST_CLIENT_SECRET, OHE_FHIR_TEST_RSA_KEY, OHE_FHIR_TEST_EC_KEY,
# OHE_FHIR_TEST_UNKNOWN_RSA_KEY, OHE_FHIR_TEST_UNKNOWN_EC_KEY (private key files) and
# OHE_FHIR_TEST_PLUGIN. Without openssl it reports a skipped TAP plan and exits 0.

import os
import secrets
import shutil
import subprocess
import sys
import tempfile

CLIENT_ID = 'ohe-ehr-client'
READER_BEARER = 'ohe-test-reader'
# kid → (environment variable, key type)
KNOWN_KEYS = {
    'ohe-rsa-1': ('OHE_FHIR_TEST_RSA_KEY', 'rsa-3072'),
    'ohe-ec-1': ('OHE_FHIR_TEST_EC_KEY', 'ec'),
}
# the unknown RSA key has the smallest size the sink accepts: cheaper to make, still RS384
UNKNOWN_KEYS = {
    'OHE_FHIR_TEST_UNKNOWN_RSA_KEY': 'rsa-2048',
    'OHE_FHIR_TEST_UNKNOWN_EC_KEY': 'ec',
}
# the public half of each key as a JWK with its kid, in one JWKS
JWKS_SCRIPT = '''
const { createPublicKey } = require('node:crypto');
const { readFileSync } = require('node:fs');
const keys = process.argv.slice(1).map((arg) => {
	const [kid, file] = arg.split('=');
	const jwk = createPublicKey(readFileSync(file)).export({ format: 'jwk' });
	return { ...jwk, kid, use: 'sig', alg: jwk.kty === 'RSA' ? 'RS384' : 'ES384' };
});
process.stdout.write(JSON.stringify({ keys }));
'''


def usage(msg):
    sys.stderr.write(f'run-with-ehr-keys: {msg}\n')
    sys.exit(2)


def parse_args(argv):
    if '--' not in argv:
        usage('missing "--" before the command')
    split = argv.index('--')
    before, command = argv[:split], argv[split + 1:]
    opts = {'runner': None, 'openssl': None, 'plugin': None}
    runner_args = []
    i = 0
    while i < len(before):
        key = {'--runner': 'runner', '--openssl': 'openssl', '--plugin': 'plugin'}.get(before[i])
        if key:
            if i + 1 >= len(before):
                usage(f'{before[i]} needs a value')
            opts[key] = before[i + 1]
            i += 2
            continue
        runner_args.append(before[i])
        i += 1
    if not opts['runner'] or not command:
        usage('--runner and a command are required')
    return opts, runner_args, command


def runner_option(args, name, default):
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
    return default


def openssl_command(openssl, kind, out):
    if kind.startswith('rsa-'):
        # PKCS#8 "PRIVATE KEY"
        return [openssl, 'genpkey', '-algorithm', 'RSA', '-pkeyopt',
                'rsa_keygen_bits:' + kind[len('rsa-'):], '-out', out]
    # SEC1 "EC PRIVATE KEY" on P-384, the other PEM form the sink reads
    return [openssl, 'ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', out]


def generate_keys(openssl, tmp):
    """Starts all key generations at once (RSA-3072 takes a while) and waits for them."""
    jobs = []
    files = {}
    for kid, (var, kind) in KNOWN_KEYS.items():
        files[var] = os.path.join(tmp, f'{kid}.pem')
        jobs.append((var, subprocess.Popen(openssl_command(openssl, kind, files[var]),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    for var, kind in UNKNOWN_KEYS.items():
        files[var] = os.path.join(tmp, f'unknown-{kind}.pem')
        jobs.append((var, subprocess.Popen(openssl_command(openssl, kind, files[var]),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    for var, job in jobs:
        _, err = job.communicate()
        if job.returncode != 0:
            sys.stderr.write(f'run-with-ehr-keys: openssl failed for {var}: {err.decode()}\n')
            sys.exit(1)
    return files


def main():
    opts, runner_args, command = parse_args(sys.argv[1:])
    openssl = opts['openssl'] or shutil.which('openssl')
    if not openssl or not os.access(openssl, os.X_OK):
        print('1..0 # SKIP openssl not found: the EHR keys cannot be generated')
        return 0
    node = runner_option(runner_args, '--node', 'node')
    with tempfile.TemporaryDirectory(prefix='ohe-ehr-keys-') as tmp:
        files = generate_keys(openssl, tmp)
        jwks_path = os.path.join(tmp, 'jwks.json')
        with open(jwks_path, 'w', encoding='utf-8') as jwks:
            subprocess.run([node, '-e', JWKS_SCRIPT]
                           + [f'{kid}={files[var]}' for kid, (var, _) in KNOWN_KEYS.items()],
                           stdout=jwks, check=True)
        client_secret = 'cs-' + secrets.token_urlsafe(24)
        env = dict(os.environ)
        env.update(files)
        env['OHE_FHIR_TEST_CLIENT_SECRET'] = client_secret
        if opts['plugin']:
            env['OHE_FHIR_TEST_PLUGIN'] = opts['plugin']
        return subprocess.call(
            [sys.executable, opts['runner']] + runner_args
            + ['--client-id', CLIENT_ID, '--client-secret', client_secret,
               '--public-key', jwks_path, '--bearer', READER_BEARER, '--']
            + command, env=env)


if __name__ == '__main__':
    sys.exit(main())
