#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Organisation policies through ohectl.

policy-set creates a policy and changes only the keys it names, policy-show prints
it, user-set puts a user in an organisation and sets the user's aggregation, and
bad keys, values, organisations and users fail with a message that names them.
The store holds what the commands said.
"""
import os
import sqlite3
import sys
import tempfile

from ohe_cli_test import check, finish, run

ohectl = sys.argv[1]

with tempfile.TemporaryDirectory(prefix="ohe-cli-policy-") as state:
    conf = os.path.join(state, "ohed.conf")
    with open(conf, "w") as f:
        f.write(f"""[daemon]
plugin_dir={os.environ['OHE_TEST_PLUGIN_DIR']}
sink=nullsink
state_dir={state}
[store]
schema_dir={os.environ['OHE_SOURCE_ROOT']}/schemas
""")
    env = dict(os.environ)
    base = [ohectl, "--config", conf]

    run(base + ["user-add", "u1", "Patient/p1"], env)
    out = run(base + ["policy-set", "clinic", "allowed_kinds=heart_rate,steps",
                      "aggregation=hourly", "max_backfill_days=30"], env).stdout
    check("policy-set prints the policy",
          out == "allowed_kinds=heart_rate,steps\naggregation=hourly\n"
                 "aggregation_override=false\nlinked=ecg:heart_rate,rr_intervals:heart_rate\n"
                 "max_backfill_days=30\n", repr(out))
    run(base + ["policy-set", "clinic", "linked=none", "aggregation_override=true"], env)
    out = run(base + ["policy-show", "clinic"], env).stdout
    check("policy-set keeps the keys it does not name",
          "allowed_kinds=heart_rate,steps\n" in out and "max_backfill_days=30\n" in out
          and "linked=none\n" in out and "aggregation_override=true\n" in out, repr(out))

    run(base + ["user-set", "u1", "organisation=clinic", "aggregation=individual"], env)
    db = sqlite3.connect(os.path.join(state, "ohed.db"))
    row = db.execute("SELECT organisation_id, aggregation FROM users WHERE id = 'u1'").fetchone()
    check("user-set stores organisation and aggregation", row == ("clinic", "individual"),
          repr(row))
    run(base + ["user-set", "u1", "aggregation=default"], env)
    row = db.execute("SELECT aggregation FROM users WHERE id = 'u1'").fetchone()
    check("aggregation=default clears the user's choice", row == (None,), repr(row))
    db.close()

    for args, message in [
        (["policy-set", "clinic", "allowed_kinds=heart_rate,pulse"],
         "'pulse' is not a measurement kind"),
        (["policy-set", "clinic", "aggregation=daily"], "'daily' is neither individual nor hourly"),
        (["policy-set", "clinic", "colour=blue"], "unknown policy key 'colour'"),
        (["policy-set", "clinic", "max_backfill_days"], "'max_backfill_days' is not KEY=VALUE"),
        (["policy-show", "nowhere"], "no policy for organisation nowhere"),
        (["user-set", "u1", "organisation=nowhere"], "no policy for organisation nowhere"),
        (["user-set", "u9", "aggregation=hourly"], "no user u9"),
        (["user-set", "u1", "aggregation=weekly"], "'weekly' is neither individual nor hourly"),
        (["user-set", "u1", "mood=calm"], "unknown user setting 'mood'"),
    ]:
        result = run(base + args, env, expect_ok=False)
        check(f"ohectl {' '.join(args)} fails naming the problem",
              result.returncode != 0 and message in result.stderr, result.stderr.strip())
    out = run(base + ["policy-show", "clinic"], env).stdout
    check("a refused change leaves the policy as it was",
          "aggregation=hourly\n" in out and "allowed_kinds=heart_rate,steps\n" in out, repr(out))

finish()
