#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End to end through ohectl, the Withings plugin, the FHIR sink and a real FHIR server.

Started by run-with-fhir-server.py (OHE_FHIR_BASE_URL, OHE_FHIR_BEARER): runs the
provider simulator, links a user through the OAuth2 flow with ohectl link-start and
link-finish, syncs three days with ohectl sync-now into the FHIR server over REST,
reads the data back with FHIR searches, checks reference closure over every resource
the server holds (each reference resolves to a stored resource or the user's Patient),
then replays the same window from a fresh state directory and checks that the server
holds no duplicate.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import ohe_cli_test
from ohe_cli_test import check, finish, follow_consent


def run(cmd, env):
    return ohe_cli_test.run(cmd, env).stdout


def fhir_get(path):
    base = os.environ["OHE_FHIR_BASE_URL"]
    request = urllib.request.Request(f"{base}/{path}")
    bearer = os.environ.get("OHE_FHIR_BEARER")
    if bearer:
        request.add_header("Authorization", f"Bearer {bearer}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def write_config(state, sim, plugin_dirs):
    conf = os.path.join(state, "ohed.conf")
    with open(conf, "w") as f:
        f.write(f"""[daemon]
plugin_dir={','.join(plugin_dirs)}
sink=fhir
state_dir={state}
oauth_redirect_uri=http://localhost:8080/api/v1/links/callback
[store]
schema_dir={os.environ['OHE_SOURCE_ROOT']}/schemas
[plugin:withings]
api_base={sim}/withings
authorize_url={sim}/withings/oauth2_user/authorize2
client_id=it-client
client_secret=it-secret
[plugin:fhir]
base_url={os.environ['OHE_FHIR_BASE_URL']}
auth=bearer
token={os.environ.get('OHE_FHIR_BEARER', '')}
""")
    return conf


def link_and_sync(ohectl, env, window):
    run([ohectl, "user-add", "it-user", "Patient/it-1"], env)
    out = run([ohectl, "link-start", "it-user", "withings",
               "heart_rate,steps,body_weight,blood_pressure,spo2,ecg,afib_classification"], env)
    authorize = out.strip().splitlines()[-1]
    status, location = follow_consent(authorize)
    check("consent redirects with a code", status == 302 and "code=" in (location or ""),
          f"{status} {location}")
    out = run([ohectl, "link-finish", location], env)
    link = re.search(r"link (\S+) is active", out).group(1)
    out = run([ohectl, "sync-now", link, window[0], window[1]], env)
    kinds = dict(re.findall(r"^  (\w+) +fetched \d+, written (\d+), ", out, re.M))
    summary = re.search(r"^fetched (\d+), written (\d+), refused (\d+), filtered (\d+), ",
                        out, re.M)
    fetched, delivered, dead, filtered = (int(x) for x in summary.groups())
    check("fetched = written + refused + filtered", fetched == delivered + dead + filtered,
          summary.group(0))
    return {k: int(v) for k, v in kinds.items()}, delivered, dead


def fhir_search_all(resource_type):
    """Every resource of a type, a page of 1000 at a time (_offset)."""
    resources = []
    while True:
        bundle = fhir_get(f"{resource_type}?_count=1000&_offset={len(resources)}")
        page = [e["resource"] for e in bundle.get("entry", [])]
        resources += page
        if len(page) < 1000:
            return resources


def dangling_references_on_server(patient):
    stored = {}
    for resource_type in ["Observation", "DiagnosticReport", "Device", "DeviceAssociation"]:
        for r in fhir_search_all(resource_type):
            stored[f"{r['resourceType']}/{r['id']}"] = r
    return len(stored), ohe_cli_test.dangling_references(stored, patient)


def main():
    ohectl, simulator = sys.argv[1], sys.argv[2]
    plugin_dirs = sys.argv[3:]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env["LC_ALL"] = "C.UTF-8"
    sim = subprocess.Popen([simulator, "--port", "0", "--seed", "11", "--users", "1",
                            "--days", "3", "--client", "it-client:it-secret"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = sim.stdout.readline()
        sim_url = line.strip().removeprefix("listening on ")
        now = time.gmtime()
        window = (time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 3 * 86400)),
                  time.strftime("%Y-%m-%dT%H:00:00Z", now))

        with tempfile.TemporaryDirectory(prefix="ohe-cli-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs)
            kinds, delivered, dead = link_and_sync(ohectl, env, window)
        check("measurements delivered", delivered > 1000, delivered)
        check("no dead letters", dead == 0, dead)
        check("every kind synced", all(kinds.get(k, 0) > 0 for k in
              ["heart_rate", "steps", "body_weight", "blood_pressure", "spo2", "ecg",
               "afib_classification"]), kinds)

        observations = fhir_get("Observation?subject=Patient/it-1&_summary=count")["total"]
        check("server holds one Observation per measurement", observations == delivered,
              f"{observations} != {delivered}")
        weights = fhir_get("Observation?code=http://loinc.org|29463-7&_summary=count")["total"]
        check("body weight by LOINC code", weights == kinds.get("body_weight"),
              f"{weights} != {kinds.get('body_weight')}")
        bp = fhir_get("Observation?code=http://loinc.org|85354-9&_count=1")
        components = [c["code"]["coding"][0]["code"]
                      for c in bp["entry"][0]["resource"].get("component", [])]
        check("blood pressure panel has systolic and diastolic",
              "8480-6" in components and "8462-4" in components, components)
        # every ECG is written, with its DiagnosticReport pointing at it (the Withings series
        # once had a name no sink knew, and the recordings silently went missing)
        ecgs = fhir_get("Observation?code=http://loinc.org|11524-6&_summary=count")["total"]
        check("one ECG Observation per recording", ecgs == kinds.get("ecg"),
              f"{ecgs} != {kinds.get('ecg')}")
        reports = fhir_get("DiagnosticReport?_count=100").get("entry", [])
        check("one DiagnosticReport per recording", len(reports) == kinds.get("ecg"),
              f"{len(reports)} != {kinds.get('ecg')}")
        for entry in reports:
            result = entry["resource"]["result"][0]["reference"]
            ecg = fhir_get(result)
            check(f"report result {result} is the ECG",
                  ecg["code"]["coding"][0]["code"] == "11524-6" and
                  ecg["component"][0]["code"]["coding"][0]["code"] == "131328",
                  ecg["code"])
        devices = fhir_get("Device?_summary=count")["total"]
        check("devices written", devices >= 1, devices)
        associations = fhir_get("DeviceAssociation?_summary=count")["total"]
        check("R5 DeviceAssociation written", associations == devices,
              f"{associations} != {devices}")
        n_stored, dangling = dangling_references_on_server("Patient/it-1")
        check("reference closure over the server's resources",
              n_stored >= observations + devices and not dangling,
              f"{n_stored} stored, {observations} + {devices} expected, {dangling[:5]}")

        # replay: a fresh daemon state, same user data → same resources, no duplicates
        with tempfile.TemporaryDirectory(prefix="ohe-cli-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs)
            _, delivered_again, _ = link_and_sync(ohectl, env, window)
        again = fhir_get("Observation?subject=Patient/it-1&_summary=count")["total"]
        check("replay delivered the same window", delivered_again == delivered,
              f"{delivered_again} != {delivered}")
        check("replay created no duplicate", again == observations, f"{again} != {observations}")
    finally:
        sim.terminate()
        sim.wait(timeout=30)

    finish()


if __name__ == "__main__":
    main()
