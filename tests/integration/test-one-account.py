#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One provider account, one patient, through ohectl and the simulator's OAuth2 flow.

Two EHR users consent with the same Withings account (the simulator has one user): the
first link-finish activates its link, the second is refused with a message naming the
first link's EHR user and leaves the second link pending without the account. After
ohectl unlink of the first link the second user can take the account; link-add of the
same account for a third user is refused too. The store runs the shipped migrations.
"""
import os
import re
import subprocess
import sys
import tempfile

from ohe_cli_test import check, finish, follow_consent, run


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
""")
    return conf


def consent(ohectl, env, user):
    """link-start for @user, consent at the simulator; returns the redirect address."""
    out = run([ohectl, "link-start", user, "withings", "heart_rate"], env).stdout
    _, location = follow_consent(out.strip().splitlines()[-1])
    if location is None or "code=" not in location:
        print(f"Bail out! consent for {user} did not redirect with a code: {location}")
        sys.exit(1)
    return location


def links(ohectl, env):
    """user → (link id, state, provider user) of the withings links."""
    out = run([ohectl, "links"], env).stdout
    rows = {}
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) >= 5 and fields[2] == "withings":
            rows[fields[1]] = (fields[0], fields[3], fields[4])
    return rows


def main():
    ohectl, simulator = sys.argv[1], sys.argv[2]
    plugin_dirs = sys.argv[3:]
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env["LC_ALL"] = "C.UTF-8"
    sim = subprocess.Popen([simulator, "--port", "0", "--seed", "5", "--users", "1",
                            "--days", "1", "--client", "it-client:it-secret"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        sim_url = sim.stdout.readline().strip().removeprefix("listening on ")
        with tempfile.TemporaryDirectory(prefix="ohe-account-") as state:
            env["OHED_CONFIG"] = write_config(state, sim_url, plugin_dirs)
            for user, patient in (("alice", "Patient/a-1"), ("bob", "Patient/b-2"),
                                  ("carol", "Patient/c-3")):
                run([ohectl, "user-add", user, patient], env)

            out = run([ohectl, "link-finish", consent(ohectl, env, "alice")], env).stdout
            match = re.search(r"link (\S+) is active \(provider user (\S+)\)", out)
            check("first link-finish activates the link", match is not None, out)
            if match is None:
                return
            alice_link, account = match.group(1), match.group(2)
            check("the provider names its user", account != "-", account)

            refused = run([ohectl, "link-finish", consent(ohectl, env, "bob")], env,
                          expect_ok=False)
            check("second link-finish for the same account is refused",
                  refused.returncode != 0, refused.stdout)
            check("the refusal names the existing link's EHR user",
                  f"withings account {account} is already linked to user alice "
                  f"(link {alice_link}, active)" in refused.stderr, refused.stderr)
            check("the refusal names the way out",
                  f"ohectl unlink {alice_link} first" in refused.stderr, refused.stderr)
            rows = links(ohectl, env)
            check("the first link is untouched", rows.get("alice") ==
                  (alice_link, "active", account), rows)
            check("the refused link stays pending without the account",
                  rows.get("bob", (None, None, None))[1:] == ("pending", "-"), rows)

            added = run([ohectl, "link-add", "carol", "withings", "heart_rate", account], env,
                        expect_ok=False)
            check("link-add of a linked account is refused",
                  added.returncode != 0 and "already linked to user alice" in added.stderr,
                  added.stderr)

            out = run([ohectl, "unlink", alice_link], env).stdout
            check("unlink revokes the link", f"link {alice_link} is revoked" in out, out)
            out = run([ohectl, "link-finish", consent(ohectl, env, "bob")], env).stdout
            bob = re.search(r"link (\S+) is active \(provider user (\S+)\)", out)
            check("after unlink the account moves to the other user",
                  bob is not None and bob.group(2) == account, out)
            rows = links(ohectl, env)
            check("one active link holds the account",
                  rows.get("alice", (None, None))[1] == "revoked" and
                  rows.get("bob", (None, None))[1] == "active" and "carol" not in rows, rows)
            again = run([ohectl, "link-finish", consent(ohectl, env, "alice")], env,
                        expect_ok=False)
            check("the old holder cannot take it back",
                  again.returncode != 0 and "already linked to user bob" in again.stderr,
                  again.stderr)
    finally:
        sim.terminate()
        sim.wait(timeout=30)

    finish()


if __name__ == "__main__":
    main()
