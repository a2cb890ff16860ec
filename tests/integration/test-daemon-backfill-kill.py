#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kill -9 of ohed in the middle of a backfill loses no window.

Runs the real ohed on a SQLite store with the synthetic provider and a slow recording
null sink. Nothing is queued by hand: the scheduler backfills the new link in 4 windows of a
day. Once the first window is done, ohed gets SIGKILL; the store must still hold every
window not done. A second start finishes them: 4/4 windows (none counted twice), no job left,
and every window's samples delivered (a window cut by the kill resumes after its last
acknowledged batch, so at most one batch of it arrives twice).
"""
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

COUNT = 600
BATCH = 100
WINDOWS = 4


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


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def main():
    ohed, ohectl = sys.argv[1], sys.argv[2]
    print("1..1")
    with tempfile.TemporaryDirectory(prefix="ohe-backfill-kill-") as tmp:
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
[store]
sqlite_path={db}
schema_dir={os.environ['OHE_SOURCE_ROOT']}/schemas
[sync]
initial_backfill_days={WINDOWS}
backfill_window_days=1
[plugin:synthetic]
count={COUNT}
batch_size={BATCH}
[plugin:nullsink]
record_path={record_path}
delay_us=40000
""")
        env = dict(os.environ, OHED_CONFIG=conf)
        env.pop("G_DEBUG", None)
        run([ohectl, "user-add", "u1", "Patient/p1"], env)
        link_id = run([ohectl, "link-add", "u1", "synthetic", "heart_rate"], env).strip()

        daemon = subprocess.Popen([ohed], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            done = query(db, "SELECT windows_done FROM backfill_progress")
            if done and done[0][0] >= 1:
                break
            if time.time() > deadline or daemon.poll() is not None:
                daemon.kill()
                fail("the daemon did not finish a backfill window by itself")
            time.sleep(0.01)
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(timeout=30)

        done = query(db, "SELECT windows_done, windows_total FROM backfill_progress")[0]
        left = query(db, "SELECT count(*) FROM jobs WHERE reason = 'backfill' AND "
                         "state IN ('queued', 'running')")[0][0]
        if done[1] != WINDOWS:
            fail(f"the backfill was planned in {done[1]} windows, not {WINDOWS}")
        if done[0] >= WINDOWS:
            fail("the backfill finished before the kill; the test proves nothing")
        # every window not done is still stored; at most one more, the window the kill hit
        # between counting it done and removing its job (it runs again, and is not counted
        # twice)
        if not WINDOWS - done[0] <= left <= WINDOWS - done[0] + 1:
            fail(f"{left} windows stored after the kill, {WINDOWS - done[0]} not done")

        result = subprocess.run([ohed, "--exit-when-idle"], env=env, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            fail(f"second run exited {result.returncode}: {result.stderr}")
        done = query(db, "SELECT windows_done, windows_total FROM backfill_progress")[0]
        if done != (WINDOWS, WINDOWS):
            fail(f"backfill at {done[0]}/{done[1]} windows after the restart")
        remaining = query(db, "SELECT count(*) FROM jobs")[0][0]
        if remaining != 0:
            fail(f"{remaining} jobs left in the store after the run")
        delivered = len(records(record_path))
        if not WINDOWS * COUNT <= delivered <= WINDOWS * COUNT + BATCH:
            fail(f"{delivered} samples delivered for {WINDOWS} windows of {COUNT}")
        out = run([ohectl, "backfill", link_id], env)
        if f"windows {WINDOWS}/{WINDOWS}" not in out or "\tdone " not in out:
            fail(f"ohectl backfill says: {out}")
    print(f"ok - kill -9 during the backfill: {left} windows kept, {delivered} samples "
          f"delivered after the restart")


if __name__ == "__main__":
    main()
