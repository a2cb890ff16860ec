#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds ohed and runs one sync job on the embedded default: a SQLite store
# and the in-process job queue in a scratch state directory, no services.
# The job streams a 30-day backfill of the synthetic provider (one sample a
# minute) through the fetch → shape → push pipeline into the null sink, and
# prints what it did.
set -eu
cd "$(dirname "$0")/.."
deploy/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
cat >"$state/ohed.conf" <<CONF
[daemon]
plugin_dir=$PWD/build/tests/plugins
sink=nullsink
state_dir=$state
[store]
schema_dir=$PWD/schemas
[plugin:synthetic]
count=43200
batch_size=500
CONF
export OHED_CONFIG="$state/ohed.conf"
ohectl=build/ohed/ohectl
$ohectl user-add demo-user Patient/demo >/dev/null
link=$($ohectl link-add demo-user synthetic heart_rate)
$ohectl sync "$link" 2026-10-01T00:00:00Z 2026-10-31T00:00:00Z >/dev/null
$ohectl run
$ohectl status
