# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the ohectl integration tests share: TAP checks, running a command, the consent
redirect of the simulator's OAuth2 flow, reading the FHIR sink's NDJSON output, and
reference closure over FHIR resources."""
import http.client
import json
import os
import re
import stat
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


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SEGMENT = re.compile(r"^([A-Z][A-Za-z]*)\.(\d+)\.ndjson$")


def read_ndjson_output(root):
    """Every resource the FHIR sink wrote under @root ("Type/id" → resource), read the way a
    bulk-data consumer does: each <day>/<patient>/manifest.json and the segments its output[]
    lists. Also returns what is wrong with the layout: a segment the manifest does not list or
    miscounts, a line of another type, an id twice, a file or folder that is not private."""
    resources = {}
    folder_of = {}
    problems = []
    for day in sorted(os.listdir(root)):
        day_dir = os.path.join(root, day)
        if not DAY.match(day) or not os.path.isdir(day_dir):
            problems.append(f"{day}: not a <YYYY-MM-DD> folder")
            continue
        for patient in sorted(os.listdir(day_dir)):
            folder = os.path.join(day_dir, patient)
            where = f"{day}/{patient}"
            if stat.S_IMODE(os.lstat(folder).st_mode) != 0o700:
                problems.append(f"{where}: mode {oct(os.lstat(folder).st_mode)}")
            try:
                with open(os.path.join(folder, "manifest.json")) as f:
                    manifest = json.load(f)
            except (OSError, ValueError) as e:
                problems.append(f"{where}/manifest.json: {e}")
                continue
            listed = set()
            for output in manifest.get("output", []):
                name = output.get("url", "")
                match = SEGMENT.match(name)
                if match is None or match.group(1) != output.get("type"):
                    problems.append(f"{where}: manifest lists {output}")
                    continue
                listed.add(name)
                path = os.path.join(folder, name)
                if stat.S_IMODE(os.lstat(path).st_mode) != 0o600:
                    problems.append(f"{where}/{name}: mode {oct(os.lstat(path).st_mode)}")
                count = 0
                with open(path) as f:
                    for line in f:
                        resource = json.loads(line)
                        key = f"{resource['resourceType']}/{resource['id']}"
                        if resource["resourceType"] != output["type"]:
                            problems.append(f"{where}/{name}: holds {key}")
                        if key in resources and folder_of.get(key) == folder:
                            problems.append(f"{where}: {key} twice")
                        folder_of[key] = folder
                        resources[key] = resource
                        count += 1
                if count != output.get("count"):
                    problems.append(f"{where}/{name}: {count} lines, manifest says "
                                    f"{output.get('count')}")
            for name in os.listdir(folder):
                if name.endswith(".ndjson") and name not in listed:
                    problems.append(f"{where}/{name}: not in the manifest")
    return resources, problems


def finish():
    """Prints the TAP plan and results and exits, failing if a check failed."""
    print(f"1..{len(checks)}")
    failed = 0
    for i, (name, ok, detail) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}{'' if ok else f' ({detail})'}")
        failed += not ok
    sys.exit(1 if failed else 0)
