#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The daemon syncs by itself: ohed, the scheduler, the Withings plugin, the FHIR sink into NDJSON.

Runs the provider simulator, links a user through the OAuth2 flow with ohectl, then starts
ohed --exit-when-idle with nothing queued: the scheduler sees the new link, queues its
backfill ([sync] initial_backfill_days=7 in 2-day windows, so 4 windows) and the workers
run it. Checks the backfill progress (4/4 windows, the measurements written), that the
NDJSON output holds Observations from the oldest and the newest window, and that no job is
left. A second start queues no second backfill. ohectl notify for an unknown account fails
naming it; for the linked account it queues one push job, which the next start runs.
"""
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

from ohe_cli_test import check, finish, follow_consent, run


PATIENT = "Patient/sched-1"
PROGRESS = re.compile(r"^(\S+)\t(\S+) → (\S+)\twindows (\d+)/(\d+)\tmeasurements (\d+)\t(done|eta) ",
                      re.M)


def write_config(state, sim, plugin_dirs):
    conf = os.path.join(state, "ohed.conf")
    with open(conf, "w") as f:
        f.write(f"""[daemon]
plugin_dir={','.join(plugin_dirs)}
sink=fhir
state_dir={state}
workers=2
oauth_redirect_uri=http://localhost:8080/api/v1/links/callback
[store]
schema_dir={os.environ['OHE_SOURCE_ROOT']}/schemas
[sync]
initial_backfill_days=7
backfill_window_days=2
[plugin:withings]
api_base={sim}/withings
authorize_url={sim}/withings/oauth2_user/authorize2
client_id=it-client
client_secret=it-secret
[plugin:fhir]
output_dir={state}/ndjson
""")
    return conf


def read_observation_times(root):
    """The effective time (start) of every Observation under @root, as datetimes."""
    times = []
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".ndjson"):
                continue
            with open(os.path.join(folder, name)) as f:
                for line in f:
                    if not line.strip():
                        continue
                    r = json.loads(line)
                    if r.get("resourceType") != "Observation":
                        continue
                    when = (r.get("effectiveDateTime") or r.get("effectiveInstant") or
                            r.get("effectivePeriod", {}).get("start"))
                    if when:
                        times.append(datetime.datetime.fromisoformat(when.replace("Z", "+00:00")))
    return times


def run_daemon(ohed, env):
    started = time.time()
    result = subprocess.run([ohed, "--exit-when-idle"], env=env, capture_output=True, text=True,
                            timeout=300)
    check("ohed --exit-when-idle exits 0", result.returncode == 0,
          f"{result.returncode}: {result.stderr[-2000:]}")
    return time.time() - started


def main():
    ohed, ohectl, simulator = sys.argv[1], sys.argv[2], sys.argv[3]
    plugin_dirs = sys.argv[4:]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env["LC_ALL"] = "C.UTF-8"
    sim = subprocess.Popen([simulator, "--port", "0", "--seed", "11", "--users", "1",
                            "--days", "9", "--client", "it-client:it-secret"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        sim_url = sim.stdout.readline().strip().removeprefix("listening on ")
        with tempfile.TemporaryDirectory(prefix="ohe-sched-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs)
            db_path = os.path.join(state, "ohed.db")
            run([ohectl, "user-add", "sched-user", PATIENT], env)
            out = run([ohectl, "link-start", "sched-user", "withings", "heart_rate,steps"],
                      env).stdout
            status, location = follow_consent(out.strip().splitlines()[-1])
            check("consent redirects with a code", status == 302 and "code=" in (location or ""),
                  f"{status} {location}")
            finished = run([ohectl, "link-finish", location], env).stdout
            found = re.search(r"link (\S+) is active \(provider user (\S+)\)", finished)
            check("link active", found, finished)
            link_id, external = found.groups() if found else ("?", "?")
            queued = run([ohectl, "status"], env).stdout
            check("nothing queued by hand", re.search(r"^jobs queued: +0$", queued, re.M), queued)

            # the daemon alone: backfill planned, run and recorded
            linked_at = datetime.datetime.now(datetime.timezone.utc)
            elapsed = run_daemon(ohed, env)
            print(f"# backfill of 7 days in 4 windows took {elapsed:.2f} s")
            out = run([ohectl, "backfill", link_id], env).stdout
            print(f"# {out.strip()}")
            progress = PROGRESS.search(out)
            check("backfill progress shown", progress, out)
            if progress:
                done, total, measurements = (int(progress.group(i)) for i in (4, 5, 6))
                check("4 windows of 4 done", (done, total) == (4, 4), (done, total))
                check("measurements written", measurements > 100, measurements)
                check("marked done", progress.group(7) == "done", out)
            times = read_observation_times(os.path.join(state, "ndjson"))
            check("observations written", len(times) > 100, len(times))
            if times:
                oldest, newest = min(times), max(times)
                print(f"# observations from {oldest.isoformat()} to {newest.isoformat()}")
                check("the oldest window reached the EHR",
                      oldest < linked_at - datetime.timedelta(days=6), oldest)
                check("nothing older than the backfill",
                      oldest >= linked_at - datetime.timedelta(days=7, minutes=10), oldest)
                check("the newest window reached the EHR",
                      newest > linked_at - datetime.timedelta(days=1), newest)
            db = sqlite3.connect(db_path)
            check("no job left", db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0)
            db.close()

            # a second start: the link is not backfilled again
            run_daemon(ohed, env)
            out = run([ohectl, "backfill", link_id], env).stdout
            again = PROGRESS.search(out)
            check("no second backfill", again and progress and
                  again.group(6) == progress.group(6) and again.group(5) == "4", out)

            # pushes: an unknown account is refused by name, the linked one is queued once
            refused = run([ohectl, "notify", "withings", "no-such-account"], env, expect_ok=False)
            check("unknown account refused", refused.returncode != 0 and
                  "no link holds withings account no-such-account" in refused.stderr,
                  f"{refused.returncode} {refused.stderr!r}")
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            window = [(now - datetime.timedelta(hours=h)).isoformat().replace("+00:00", "Z")
                      for h in (3, 2)]
            for _ in range(3):
                out = run([ohectl, "notify", "withings", external] + window, env).stdout
            check("pushes coalesce into one job", "jobs waiting: 1" in out, out)
            db = sqlite3.connect(db_path)
            rows = db.execute("SELECT priority, reason, window_start_us, window_end_us "
                              "FROM jobs").fetchall()
            db.close()
            start_us = int((now - datetime.timedelta(hours=3, minutes=15)).timestamp()) * 10**6
            end_us = int((now - datetime.timedelta(hours=2) + datetime.timedelta(minutes=15))
                         .timestamp()) * 10**6
            check("one realtime push job around the window",
                  rows == [(0, "push", start_us, end_us)], rows)
            run_daemon(ohed, env)
            db = sqlite3.connect(db_path)
            check("the push job ran", db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0)
            db.close()
    finally:
        sim.terminate()
        sim.wait(timeout=30)

    finish()


if __name__ == "__main__":
    main()
