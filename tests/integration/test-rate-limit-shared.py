#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Two ohectl processes on one store share the providers' rate limits.

Runs the provider simulator enforcing a scaled-down Withings window (LIMIT requests per
WINDOW seconds per application, status 601 beyond), links two users of one Withings
application with ohectl, then runs two `ohectl sync-now` at once. Each process alone keeps
the limit; only if they count their requests together in the store does the simulator
refuse none. A 601 fails the sync (rate_limit_waits=0).
"""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

LIMIT = 4
WINDOW = 2
DAYS = 6

checks = []


def check(name, condition, detail=""):
    checks.append((name, bool(condition), detail))


def run(cmd, env):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        print(f"Bail out! {' '.join(cmd)} exited {result.returncode}: {result.stderr}")
        sys.exit(1)
    return result.stdout


def sim_stats(sim):
    with urllib.request.urlopen(f"{sim}/_sim/stats", timeout=30) as response:
        return json.load(response)


def follow_consent(url):
    """GET the authorize URL without following the redirect; return Location."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", f"{parts.path}?{parts.query}")
    response = conn.getresponse()
    location = response.getheader("Location")
    conn.close()
    return response.status, location


def write_config(state, name, sim, plugin_dirs):
    """One store and token key for both processes; each its own NDJSON folder."""
    conf = os.path.join(state, f"{name}.conf")
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
rate_limit_requests={LIMIT}
rate_limit_window={WINDOW}
rate_limit_waits=0
[plugin:fhir]
output_dir={state}/ndjson-{name}
""")
    return conf


def link(ohectl, env, user, patient, sim_user):
    run([ohectl, "user-add", user, patient], env)
    out = run([ohectl, "link-start", user, "withings", "heart_rate,steps,body_weight"], env)
    authorize = out.strip().splitlines()[-1] + f"&login_hint={sim_user}"
    status, location = follow_consent(authorize)
    check(f"consent of {sim_user} redirects with a code",
          status == 302 and "code=" in (location or ""), f"{status} {location}")
    out = run([ohectl, "link-finish", location], env)
    return re.search(r"link (\S+) is active", out).group(1)


def main():
    ohectl, simulator = sys.argv[1], sys.argv[2]
    plugin_dirs = sys.argv[3:]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env["LC_ALL"] = "C.UTF-8"
    sim = subprocess.Popen([simulator, "--port", "0", "--seed", "11", "--users", "2",
                            "--days", str(DAYS), "--client", "it-client:it-secret",
                            "--rate-limit", f"withings={LIMIT}/{WINDOW * 1000}"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        sim_url = sim.stdout.readline().strip().removeprefix("listening on ")
        window = (time.strftime("%Y-%m-%dT00:00:00Z",
                                time.gmtime(time.time() - DAYS * 86400)),
                  time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime()))
        with tempfile.TemporaryDirectory(prefix="ohe-rate-") as state:
            env_a = dict(env, OHED_CONFIG=write_config(state, "a", sim_url, plugin_dirs))
            env_b = dict(env, OHED_CONFIG=write_config(state, "b", sim_url, plugin_dirs))
            links = [link(ohectl, env_a, "u1", "Patient/p-1", "1001"),
                     link(ohectl, env_a, "u2", "Patient/p-2", "1002")]
            # the browser's authorize requests are not the client's to count
            time.sleep(WINDOW)
            before = sim_stats(sim_url)["total"]

            start = time.monotonic()
            procs = [subprocess.Popen([ohectl, "sync-now", links[i], window[0], window[1]],
                                      env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)
                     for i, e in enumerate([env_a, env_b])]
            outs = [p.communicate(timeout=300) for p in procs]
            elapsed = time.monotonic() - start

            stats = sim_stats(sim_url)
            requests = stats["total"] - before
            for i, (p, (out, err)) in enumerate(zip(procs, outs)):
                check(f"sync-now {i + 1} succeeded", p.returncode == 0, err.strip())
                written = re.search(r"^fetched \d+, written (\d+),", out, re.M)
                check(f"sync-now {i + 1} wrote measurements",
                      written is not None and int(written.group(1)) > 0, out)
            refused = stats["rate_limited"]["/withings"]
            check("the simulator refused no request (no 601)", refused == 0, refused)
            check("the two runs needed several windows", requests > 3 * LIMIT, requests)
            check("together they used the budget to its limit, never beyond",
                  stats["rate_peak"]["/withings"] == LIMIT, stats["rate_peak"])
            # two processes each keeping LIMIT alone would have been done in half the time
            paced = ((requests + LIMIT - 1) // LIMIT - 1) * WINDOW
            check("paced as one budget", elapsed >= paced - 0.05,
                  f"{elapsed:.2f} s < {paced} s for {requests} requests")
            print(f"# two processes: {requests} requests in {elapsed:.2f} s, floor "
                  f"{requests / LIMIT * WINDOW:.2f} s")
    finally:
        sim.terminate()
        sim.wait(timeout=30)

    print(f"1..{len(checks)}")
    failed = 0
    for i, (name, ok, detail) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}{'' if ok else f' ({detail})'}")
        failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
