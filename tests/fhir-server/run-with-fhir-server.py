#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Starts the FHIR test server on a free loopback port, waits until /metadata answers, runs a
# command with the server's URLs in its environment, stops the server and exits with the
# command's status. The server's log is printed when the command (or the server) fails.
#
# usage: run-with-fhir-server.py [--node-modules DIR] [--node NODE] [--timeout S]
#                                [SERVER OPTIONS...] -- COMMAND [ARGS...]
# SERVER OPTIONS go to server.mjs unchanged (--bearer T, --client-id ID, --fail 503:2, ...).
# The command gets OHE_FHIR_BASE_URL, OHE_FHIR_TOKEN_URL, OHE_FHIR_ADMIN_URL, OHE_FHIR_PORT,
# OHE_FHIR_VALIDATOR, OHE_FHIR_NODE_MODULES, OHE_FHIR_NODE and, when given, OHE_FHIR_BEARER
# and OHE_FHIR_CLIENT_ID.

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
READY_RE = re.compile(r'^OHE_FHIR_SERVER_READY port=(\d+) base=(\S+) token_url=(\S+)')


def usage(msg):
    sys.stderr.write(f'run-with-fhir-server: {msg}\n')
    sys.exit(2)


def parse_args(argv):
    if '--' not in argv:
        usage('missing "--" before the command')
    split = argv.index('--')
    before, command = argv[:split], argv[split + 1:]
    if not command:
        usage('no command after "--"')
    opts = {'node_modules': os.environ.get('OHE_FHIR_NODE_MODULES'), 'node': 'node',
            'timeout': 60.0}
    server_args = []
    i = 0
    while i < len(before):
        arg = before[i]
        key = {'--node-modules': 'node_modules', '--node': 'node', '--timeout': 'timeout'}.get(arg)
        if key:
            if i + 1 >= len(before):
                usage(f'{arg} needs a value')
            opts[key] = before[i + 1]
            i += 2
            continue
        server_args.append(arg)
        i += 1
    opts['timeout'] = float(opts['timeout'])
    return opts, server_args, command


def server_option(args, name):
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + '='):
            return arg.split('=', 1)[1]
    return None


def wait_ready(proc, log_path, deadline):
    ready = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        if ready is None:
            with open(log_path, encoding='utf-8', errors='replace') as log:
                for line in log:
                    m = READY_RE.match(line)
                    if m:
                        ready = m
                        break
        if ready is not None:
            try:
                with urllib.request.urlopen(ready.group(2) + '/metadata', timeout=5) as r:
                    if r.status == 200:
                        return ready
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.05)
    return None


def stop(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def dump_log(log_path, why):
    sys.stderr.write(f'run-with-fhir-server: {why}; server log:\n')
    with open(log_path, encoding='utf-8', errors='replace') as log:
        sys.stderr.write(log.read())


def main():
    opts, server_args, command = parse_args(sys.argv[1:])
    env = dict(os.environ)
    if opts['node_modules']:
        env['OHE_FHIR_NODE_MODULES'] = os.path.abspath(opts['node_modules'])
    with tempfile.TemporaryDirectory(prefix='ohe-fhir-server-') as tmp:
        log_path = os.path.join(tmp, 'server.log')
        started = time.monotonic()
        with open(log_path, 'w', encoding='utf-8') as log:
            proc = subprocess.Popen(
                [opts['node'], os.path.join(HERE, 'server.mjs'), '--port', '0', '--log-requests']
                + server_args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)

        def on_signal(signum, _frame):
            stop(proc)
            sys.exit(128 + signum)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

        ready = wait_ready(proc, log_path, started + opts['timeout'])
        if ready is None:
            stop(proc)
            dump_log(log_path, f'server not ready within {opts["timeout"]:.0f} s')
            return 1
        sys.stderr.write(f'run-with-fhir-server: {ready.group(2)} ready in '
                         f'{time.monotonic() - started:.2f} s\n')
        env.update({
            'OHE_FHIR_BASE_URL': ready.group(2),
            'OHE_FHIR_TOKEN_URL': ready.group(3),
            'OHE_FHIR_ADMIN_URL': f'http://127.0.0.1:{ready.group(1)}/_admin',
            'OHE_FHIR_PORT': ready.group(1),
            'OHE_FHIR_VALIDATOR': os.path.join(HERE, 'validate.mjs'),
            'OHE_FHIR_NODE': opts['node'],
        })
        for option, var in (('--bearer', 'OHE_FHIR_BEARER'), ('--client-id', 'OHE_FHIR_CLIENT_ID')):
            value = server_option(server_args, option)
            if value is not None:
                env[var] = value
        try:
            rc = subprocess.call(command, env=env)
        finally:
            stop(proc)
        if rc != 0:
            dump_log(log_path, f'command exited with {rc}')
        return rc


if __name__ == '__main__':
    sys.exit(main())
