#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-item accounting end to end: ohectl, the Withings plugin, the FHIR sink into NDJSON.

Runs the provider simulator, links a user with ohectl link-start without kinds (it
consents to every kind the provider offers and says so; a kind the provider cannot
deliver is refused by name), syncs a week with ohectl sync-now into NDJSON with a
mapping that leaves steps out, and checks: fetched = written + refused + filtered in
total and per kind, steps filtered "not mapped", the job record in the store agrees
with the summary, every refused item is a dead letter, and every reference in the
NDJSON output resolves to a resource written there or to the user's Patient. Then a
link whose consent names no kind the provider delivers says "nothing asked" instead
of "fetched 0".
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

from ohe_cli_test import check, dangling_references, finish, follow_consent, run


PATIENT = "Patient/acc-1"
SUMMARY = re.compile(
    r"^fetched (\d+), written (\d+), refused (\d+), filtered (\d+), (\d+) batches, [0-9.]+ s$",
    re.M)
KIND_LINE = re.compile(
    r"^  (\w+) +fetched (\d+), written (\d+), refused (\d+), filtered (\d+)$", re.M)


def write_mapping(state):
    """The default mapping with steps disabled: a kind this sink does not map."""
    src = os.path.join(os.environ["OHE_SOURCE_ROOT"], "data", "mappings", "fhir-r5.json")
    with open(src) as f:
        mapping = json.load(f)
    mapping["kinds"]["steps"]["enabled"] = False
    path = os.path.join(state, "mapping.json")
    with open(path, "w") as f:
        json.dump(mapping, f)
    return path


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
output_dir={state}/ndjson
mapping_file={write_mapping(state)}
""")
    return conf


def read_ndjson(root):
    """Every resource under @root: "Type/id" → resource."""
    resources = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".ndjson"):
                continue
            with open(os.path.join(folder, name)) as f:
                for line in f:
                    if line.strip():
                        r = json.loads(line)
                        resources[f"{r['resourceType']}/{r['id']}"] = r
    return resources


def link(ohectl, env, kinds=None):
    cmd = [ohectl, "link-start", "acc-user", "withings"] + ([kinds] if kinds else [])
    out = run(cmd, env).stdout
    authorize = out.strip().splitlines()[-1]
    status, location = follow_consent(authorize)
    check("consent redirects with a code", status == 302 and "code=" in (location or ""),
          f"{status} {location}")
    finished = run([ohectl, "link-finish", location], env).stdout
    return out, re.search(r"link (\S+) is active", finished).group(1)


def main():
    ohectl, simulator = sys.argv[1], sys.argv[2]
    plugin_dirs = sys.argv[3:]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env["LC_ALL"] = "C.UTF-8"
    sim = subprocess.Popen([simulator, "--port", "0", "--seed", "7", "--users", "1",
                            "--days", "8", "--client", "it-client:it-secret"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        sim_url = sim.stdout.readline().strip().removeprefix("listening on ")
        window = (time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 7 * 86400)),
                  time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime()))
        with tempfile.TemporaryDirectory(prefix="ohe-acc-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs)
            run([ohectl, "user-add", "acc-user", PATIENT], env)

            # a kind the provider cannot deliver is refused by name
            refused = run([ohectl, "link-start", "acc-user", "withings", "heart_rate,sleep"], env,
                          expect_ok=False)
            check("undeliverable kind refused", refused.returncode != 0 and
                  "provider withings cannot deliver sleep" in refused.stderr,
                  f"{refused.returncode} {refused.stderr!r}")

            # no kinds: every kind the provider offers, listed
            out, link_id = link(ohectl, env)
            listed = re.search(r"^consenting to every kind withings offers: (\S+)$", out, re.M)
            check("link-start lists the kinds it consents to", listed, out)
            offered = listed.group(1).split(",") if listed else []
            check("the list holds what Withings delivers",
                  {"heart_rate", "steps", "body_weight", "ecg"} <= set(offered), offered)
            links = run([ohectl, "links"], env).stdout
            check("the link stores the consented kinds", ",".join(offered) in links, links)

            out = run([ohectl, "sync-now", link_id, window[0], window[1]], env).stdout
            print("\n".join(f"# {line}" for line in out.splitlines()
                            if not line.startswith("  dead letter: ")))
            summary = SUMMARY.search(out)
            check("summary line", summary, out)
            fetched, written, refused_n, filtered, batches = (
                int(x) for x in summary.groups()) if summary else (0, 0, 0, 0, 0)
            check("something fetched", fetched > 500, fetched)
            check("fetched = written + refused + filtered",
                  fetched == written + refused_n + filtered,
                  f"{fetched} != {written} + {refused_n} + {filtered}")
            per_kind = {k: tuple(int(x) for x in v) for k, *v in KIND_LINE.findall(out)}
            check("per-kind lines add up to the totals",
                  [sum(v[i] for v in per_kind.values()) for i in range(4)] ==
                  [fetched, written, refused_n, filtered], per_kind)
            check("each kind adds up",
                  all(f == w + r + x for f, w, r, x in per_kind.values()), per_kind)
            steps = per_kind.get("steps", (0, 0, 0, 0))
            check("steps filtered, not written", steps[0] > 0 and steps[3] == steps[0] and
                  steps[1] == 0 and steps[2] == 0, steps)
            check("filter reason shown", re.search(r"^ +filtered: not mapped$", out, re.M), out)
            check("heart rate written", per_kind.get("heart_rate", (0, 0))[1] > 0, per_kind)
            dead_lines = re.findall(r"^  dead letter: ", out, re.M)
            check("every refused item is a dead letter", len(dead_lines) == refused_n,
                  f"{len(dead_lines)} != {refused_n}")

            db = sqlite3.connect(os.path.join(state, "ohed.db"))
            record = {}
            for kind, outcome, count in db.execute(
                    "SELECT kind, outcome, count FROM job_outcomes"):
                record.setdefault(kind, {})[outcome] = count
            as_printed = {k: {"fetched": v[0], "written": v[1], "refused": v[2],
                              "filtered": v[3]} for k, v in per_kind.items()}
            check("job record agrees with the summary", record == as_printed,
                  f"{record} != {as_printed}")

            resources = read_ndjson(os.path.join(state, "ndjson"))
            observations = sum(k.startswith("Observation/") for k in resources)
            check("observations written", observations > 0, observations)
            step_codes = {"55423-8", "41950-7"}
            check("no steps Observation written", not any(
                c.get("code") in step_codes for r in resources.values()
                for c in r.get("code", {}).get("coding", [])), "steps found")
            dangling = dangling_references(resources, PATIENT)
            check("reference closure over the NDJSON output", not dangling, dangling[:5])

            # a link from before consent lists were checked, asking for nothing Withings has
            db.execute("UPDATE links SET kinds = 'sleep' WHERE id = ?", (link_id,))
            db.commit()
            db.close()
            out = run([ohectl, "sync-now", link_id, window[0], window[1]], env).stdout
            check("nothing asked is said", "nothing asked" in out and "fetched 0" not in out, out)
    finally:
        sim.terminate()
        sim.wait(timeout=30)

    finish()


if __name__ == "__main__":
    main()
