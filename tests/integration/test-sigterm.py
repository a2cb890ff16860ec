#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""SIGTERM in the middle of a job loses nothing.

Runs the real ohed binary on a SQLite store with the synthetic provider and
a recording null sink that is slow, sends SIGTERM while the job runs, checks
that the job is back in the persistent queue and the cursor stands at what
the sink acknowledged, then starts ohed again and checks that every sample
reached the sink.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

COUNT = 3000
BATCH = 100


def fail(message):
    print(f"not ok - {message}")
    sys.exit(1)


def run(cmd, env):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        fail(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr}")
    return result.stdout


def records(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line for line in f.read().splitlines() if line]


def sqlite_scalar(db, sql):
    # the store is SQLite; read it through the sqlite3 module, not the daemon
    import sqlite3
    con = sqlite3.connect(db)
    try:
        row = con.execute(sql).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def main():
    ohed, ohectl = sys.argv[1], sys.argv[2]
    print("1..1")
    with tempfile.TemporaryDirectory(prefix="ohe-sigterm-") as tmp:
        db = os.path.join(tmp, "ohed.db")
        record_path = os.path.join(tmp, "records.txt")
        conf = os.path.join(tmp, "ohed.conf")
        with open(conf, "w") as f:
            f.write(f"""[daemon]
workers=1
plugin_dir={os.environ['OHE_TEST_PLUGIN_DIR']}
sink=nullsink
state_dir={tmp}
drain_timeout=0
[api]
listen=127.0.0.1:0
[store]
sqlite_path={db}
schema_dir={os.environ['OHE_SOURCE_ROOT']}/schemas
[sync]
enabled=false
[plugin:synthetic]
count={COUNT}
batch_size={BATCH}
[plugin:nullsink]
record_path={record_path}
delay_us=20000
""")
        # the scheduler is off ([sync] enabled=false): the one job is the manual one, so the
        # counts below are those of a single job
        env = dict(os.environ, OHED_CONFIG=conf)
        env.pop("G_DEBUG", None)
        run([ohectl, "user-add", "u1", "Patient/p1"], env)
        link_id = run([ohectl, "link-add", "u1", "synthetic", "heart_rate"], env).strip()
        run([ohectl, "sync", link_id, "2026-11-01T00:00:00Z", "2026-11-04T00:00:00Z"], env)

        daemon = subprocess.Popen([ohed], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 60
        while len(records(record_path)) < 5 * BATCH:
            if time.time() > deadline or daemon.poll() is not None:
                daemon.kill()
                fail(f"daemon did not start syncing: {daemon.stdout.read()}")
            time.sleep(0.02)
        daemon.send_signal(signal.SIGTERM)
        try:
            code = daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            fail("daemon did not stop within 30 s of SIGTERM")
        output = daemon.stdout.read()
        if code != 0:
            fail(f"daemon exited {code} after SIGTERM: {output}")

        delivered = records(record_path)
        cursor = sqlite_scalar(db, f"SELECT cursor FROM cursors WHERE link_id = '{link_id}'")
        queued = sqlite_scalar(db, "SELECT count(*) FROM jobs WHERE state = 'queued'")
        attempts = sqlite_scalar(db, "SELECT attempts FROM jobs")
        if len(delivered) >= COUNT:
            fail("the job finished before SIGTERM; the test proves nothing")
        if cursor is None or int(cursor) != len(delivered):
            fail(f"cursor {cursor} does not match the {len(delivered)} acknowledged items")
        if queued != 1:
            fail(f"interrupted job not back in the queue (queued={queued})")
        if attempts != 0:
            fail(f"an interrupted job must not count as a failed attempt (attempts={attempts})")

        # second start: finish the job and exit when the queue is empty
        result = subprocess.run([ohed, "--exit-when-idle"], env=env, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            fail(f"second run exited {result.returncode}: {result.stderr}")
        delivered = records(record_path)
        expected = {f"syn-{i}" for i in range(COUNT)}
        missing = expected - set(delivered)
        if missing:
            fail(f"{len(missing)} samples lost, e.g. {sorted(missing)[:3]}")
        if len(delivered) != COUNT:
            fail(f"{len(delivered) - COUNT} samples delivered twice")
        remaining = sqlite_scalar(db, "SELECT count(*) FROM jobs")
        if remaining != 0:
            fail(f"{remaining} jobs left in the store after the run")
        # the finished window job leaves no cursor behind
        cursors = sqlite_scalar(db, "SELECT count(*) FROM cursors")
        if cursors != 0:
            fail(f"{cursors} cursors left after the window job finished")
    print("ok 1 - SIGTERM mid-job loses nothing and sends nothing twice")


if __name__ == "__main__":
    main()
