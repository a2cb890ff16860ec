# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the ohectl integration tests share: TAP checks, running a command, the consent
redirect of the simulator's OAuth2 flow, and reference closure over FHIR resources."""
import http.client
import subprocess
import sys
import urllib.parse

checks = []


def check(name, condition, detail=""):
    checks.append((name, bool(condition), detail))


def run(cmd, env, expect_ok=True, timeout=300):
    """Runs @cmd; a failure when @expect_ok bails out of the whole test."""
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if expect_ok and result.returncode != 0:
        print(f"Bail out! {' '.join(cmd)} exited {result.returncode}: {result.stderr}")
        sys.exit(1)
    return result


def follow_consent(url):
    """GET the authorize URL without following the redirect; return status and Location."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", f"{parts.path}?{parts.query}")
    response = conn.getresponse()
    location = response.getheader("Location")
    conn.close()
    return response.status, location


def collect_references(node, out):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                out.append(value)
            else:
                collect_references(value, out)
    elif isinstance(node, list):
        for value in node:
            collect_references(value, out)


def dangling_references(resources, patient):
    """Every reference of @resources ("Type/id" → resource) to neither @patient nor one of them."""
    dangling = []
    for key, resource in resources.items():
        refs = []
        collect_references(resource, refs)
        dangling += [f"{key} -> {ref}" for ref in refs if ref != patient and ref not in resources]
    return dangling


def finish():
    """Prints the TAP plan and results and exits, failing if a check failed."""
    print(f"1..{len(checks)}")
    failed = 0
    for i, (name, ok, detail) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}{'' if ok else f' ({detail})'}")
        failed += not ok
    sys.exit(1 if failed else 0)
