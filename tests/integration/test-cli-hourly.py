#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hourly aggregation end to end: the Withings simulator, ohectl, the FHIR test server.

Started by run-with-fhir-server.py (OHE_FHIR_BASE_URL, OHE_FHIR_BEARER). Syncs the
simulator's user twice over the same whole-hour window: once with individual
measurements into NDJSON files, from which the test computes every hour's statistics
itself, and once with `ohectl user-set USER aggregation=hourly` into the FHIR test
server, which validates every resource it stores. The server must then hold exactly one
aggregate per device and UTC hour for heart rate and steps, equal to the test's own
figures, and no individual stream sample.
"""
import datetime
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

KINDS = "heart_rate,steps,body_weight,blood_pressure"
HEART_RATE = "8867-4"
STEPS = "55423-8"


def run(cmd, env):
    return ohe_cli_test.run(cmd, env).stdout


def fhir_get(path):
    request = urllib.request.Request(f"{os.environ['OHE_FHIR_BASE_URL']}/{path}")
    bearer = os.environ.get("OHE_FHIR_BEARER")
    if bearer:
        request.add_header("Authorization", f"Bearer {bearer}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def fhir_search_all(query):
    resources = []
    while True:
        bundle = fhir_get(f"{query}&_count=1000&_offset={len(resources)}")
        page = [e["resource"] for e in bundle.get("entry", [])]
        resources += page
        if len(page) < 1000:
            return resources


def write_config(state, sim, plugin_dirs, rest):
    sink = (f"base_url={os.environ['OHE_FHIR_BASE_URL']}\nauth=bearer\n"
            f"token={os.environ.get('OHE_FHIR_BEARER', '')}\n") if rest else \
        f"output_dir={state}/ndjson\n"
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
{sink}""")
    return conf


def link_and_sync(ohectl, env, window, aggregation):
    run([ohectl, "user-add", "it-user", "Patient/it-1"], env)
    run([ohectl, "user-set", "it-user", f"aggregation={aggregation}"], env)
    out = run([ohectl, "link-start", "it-user", "withings", KINDS], env)
    status, location = follow_consent(out.strip().splitlines()[-1])
    check(f"{aggregation}: consent redirects with a code",
          status == 302 and "code=" in (location or ""), f"{status} {location}")
    out = run([ohectl, "link-finish", location], env)
    link = re.search(r"link (\S+) is active", out).group(1)
    out = run([ohectl, "sync-now", link, window[0], window[1]], env)
    summary = re.search(r"^fetched (\d+), written (\d+), refused (\d+), filtered (\d+), ",
                        out, re.M)
    fetched, written, refused, filtered = (int(x) for x in summary.groups())
    check(f"{aggregation}: every fetched item accounted for, none refused",
          fetched == written + filtered and refused == 0, summary.group(0))
    aggregates = re.search(r"^hourly aggregates written (\d+) \(0 hours fetched again\)",
                           out, re.M)
    check(f"{aggregation}: sync-now reports the aggregates of a whole-hour window",
          (aggregates is not None and int(aggregates.group(1)) > 24) if aggregation == "hourly"
          else aggregates is None, out)
    return written


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def code_of(resource):
    return resource["code"]["coding"][0]["code"]


def expected_hours(root):
    """(code, device, hour) → [values] of the individual stream samples in @root."""
    hours = {}
    resources, problems = ohe_cli_test.read_ndjson_output(root)
    check("the individual run's NDJSON output is well formed", not problems, problems[:5])
    for key, o in resources.items():
        if not key.startswith("Observation/"):
            continue
        # stream samples: a value of their own, no parent, no statistics
        if code_of(o) not in (HEART_RATE, STEPS) or "derivedFrom" in o \
                or "component" in o or "valueQuantity" not in o:
            continue
        start = o.get("effectiveDateTime") or o["effectivePeriod"]["start"]
        end = o.get("effectivePeriod", {}).get("end")
        # a provider day total (41950-7) never gets here; a stream interval is at most an hour
        if end is not None and parse_time(end) - parse_time(start) > 3600:
            continue
        t = parse_time(start)
        key = (code_of(o), o["device"]["reference"], int(t - t % 3600))
        hours.setdefault(key, []).append(o["valueQuantity"]["value"])
    return hours


def statistic(o, code):
    for c in o.get("component", []):
        if c["code"]["coding"][0]["code"] == code:
            return c.get("valueInteger", c.get("valueQuantity", {}).get("value"))
    return None


def main():
    ohectl, simulator = sys.argv[1], sys.argv[2]
    plugin_dirs = sys.argv[3:]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env["LC_ALL"] = "C.UTF-8"
    sim = subprocess.Popen([simulator, "--port", "0", "--seed", "5", "--users", "1",
                            "--days", "2", "--client", "it-client:it-secret"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        sim_url = sim.stdout.readline().strip().removeprefix("listening on ")
        window = (time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 2 * 86400)),
                  time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime()))

        with tempfile.TemporaryDirectory(prefix="ohe-cli-hourly-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs, rest=False)
            link_and_sync(ohectl, env, window, "individual")
            expected = expected_hours(os.path.join(state, "ndjson"))
        check("the simulator's user has heart-rate and steps samples",
              any(k[0] == HEART_RATE for k in expected) and any(k[0] == STEPS for k in expected),
              sorted({k[0] for k in expected}))

        with tempfile.TemporaryDirectory(prefix="ohe-cli-hourly-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs, rest=True)
            link_and_sync(ohectl, env, window, "hourly")

        aggregates = {}
        duplicates = []
        individual = 0
        for code in (HEART_RATE, STEPS):
            for o in fhir_search_all(f"Observation?code=http://loinc.org|{code}"):
                period = o.get("effectivePeriod")
                if "derivedFrom" in o or period is None or statistic(o, "count") is None:
                    if "derivedFrom" not in o and "component" not in o:
                        individual += 1
                    continue
                start, end = parse_time(period["start"]), parse_time(period["end"])
                if end - start != 3600:
                    continue
                key = (code, o["device"]["reference"], int(start))
                if key in aggregates:
                    duplicates.append(key)
                aggregates[key] = o
        check("one aggregate per device, kind and hour", not duplicates, duplicates[:4])
        check("no individual stream sample reached the server", individual == 0, individual)
        check("one aggregate per device and hour with samples",
              set(aggregates) == set(expected),
              f"{len(aggregates)} aggregates, {len(expected)} hours; "
              f"{sorted(set(aggregates) ^ set(expected))[:4]}")
        wrong = []
        for key, values in sorted(expected.items()):
            o = aggregates.get(key)
            if o is None:
                continue
            if key[0] == STEPS:
                ok = abs(o["valueQuantity"]["value"] - sum(values)) < 1e-6 and \
                    statistic(o, "count") == len(values)
            else:
                ok = statistic(o, "count") == len(values) and \
                    abs(statistic(o, "minimum") - min(values)) < 1e-6 and \
                    abs(statistic(o, "maximum") - max(values)) < 1e-6 and \
                    abs(statistic(o, "average") - sum(values) / len(values)) < 1e-3
            if not ok:
                wrong.append((key, o.get("component"), len(values)))
        check(f"all {len(expected)} aggregates equal the statistics of their hour's samples",
              len(expected) > 24 and not wrong, wrong[:2])
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    finish()


if __name__ == "__main__":
    main()
