#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds ohed and runs one sync on the embedded default: a SQLite store and
# the in-process queue in a scratch state directory, FHIR R5 NDJSON output,
# no services. The provider is the simulator speaking the Withings API on
# loopback: the demo links a user through the real OAuth2 flow
# (ohectl link-start, the consent redirect, ohectl link-finish), syncs three
# days of data through fetch → shape → push, and shows the FHIR files.
set -eu
# the state directory holds the token key, the store and a config with the
# client secret: ohed refuses any of them readable by group or others
umask 077
cd "$(dirname "$0")/.."
deploy/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

state=$(mktemp -d)
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT

build/tests/simulator/ohe-simulator --port 0 --seed 7 --users 1 --days 3 \
  --client demo-client:demo-secret >"$state/simulator.out" 2>"$state/simulator.err" &
sim_pid=$!
for _ in $(seq 50); do
  grep -q '^listening on' "$state/simulator.out" 2>/dev/null && break
  sleep 0.1
done
sim=$(sed -n 's/^listening on //p' "$state/simulator.out")
[ -n "$sim" ] || { cat "$state/simulator.err"; echo "the simulator did not start" >&2; exit 1; }

cat >"$state/ohed.conf" <<CONF
[daemon]
plugin_dir=$PWD/build/plugins/fhir,$PWD/build/plugins/withings,$PWD/build/plugins/fitbit
sink=fhir
state_dir=$state
oauth_redirect_uri=http://localhost:8080/api/v1/links/callback
[store]
schema_dir=$PWD/schemas
[plugin:withings]
api_base=$sim/withings
authorize_url=$sim/withings/oauth2_user/authorize2
client_id=demo-client
client_secret=demo-secret
CONF
export OHED_CONFIG="$state/ohed.conf"
ohectl=build/ohed/ohectl

$ohectl user-add demo-user Patient/demo >/dev/null
authorize=$($ohectl link-start demo-user withings heart_rate,steps,body_weight,blood_pressure,spo2 | tail -n 1)
# the simulator consents at once and redirects back with the code
redirect=$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize")
$ohectl link-finish "$redirect"
$ohectl sync-now demo-user withings "$(date -u -d '3 days ago' +%Y-%m-%dT00:00:00Z)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "FHIR R5 NDJSON written:"
find "$state/fhir/ndjson" -name '*.ndjson' | sort | while read -r f; do
  printf '  %-48s %6d resources\n' "${f#"$state"/}" "$(wc -l <"$f")"
done
