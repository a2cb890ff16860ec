#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# GET /api/metrics/live/ with wrk at 1, 16, 64 and 256 connections, against ohed (its
# listener threads, with a backfill of the synthetic provider running meanwhile) and against
# a bare one-loop libsoup server, in the same run. Prints a table of requests/s and p99.
#
# usage: tests/bench/bench-api.sh BUILD-DIR [SECONDS-PER-POINT]
#   OHE_BENCH_API_THREADS  ohed's [api] threads (default 2)
# needs wrk (deploy/install-deps.sh --bench)
set -eu

build=$(cd "${1:?usage: bench-api.sh BUILD-DIR [SECONDS]}" && pwd)
seconds=${2:-5}
threads=${OHE_BENCH_API_THREADS:-2}
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v wrk >/dev/null || { echo "bench-api: wrk not found (deploy/install-deps.sh --bench)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

cat > "$tmp/ohed.conf" <<CONF
[daemon]
workers=1
plugin_dir=$build/tests/plugins
plugin_allow=synthetic,nullsink
sink=nullsink
state_dir=$tmp
[store]
sqlite_path=$tmp/ohed.db
schema_dir=$src/schemas
[api]
listen=127.0.0.1:0
threads=$threads
openapi_file=$src/data/openapi/ohed-api-v1.json
[plugin:synthetic]
count=20000000
batch_size=500
CONF
export OHED_CONFIG="$tmp/ohed.conf"
unset G_DEBUG

# a long backfill, so the engine is busy while the API is measured
"$build/ohed/ohectl" user-add bench Patient/bench >/dev/null
link=$("$build/ohed/ohectl" link-add bench synthetic heart_rate)
"$build/ohed/ohectl" sync "$link" 2020-01-01T00:00:00Z 2026-01-01T00:00:00Z >/dev/null

"$build/ohed/ohed" 2> "$tmp/ohed.log" &
pids="$pids $!"
for _ in $(seq 100); do
	grep -q 'api: listening on' "$tmp/ohed.log" && break
	sleep 0.1
done
ohed_url=$(sed -n 's|.*api: listening on \(http://[^ ]*/\) .*|\1|p' "$tmp/ohed.log" | head -n1)
[ -n "$ohed_url" ] || { cat "$tmp/ohed.log" >&2; exit 1; }

"$build/tests/bench/bench-bare-soup" > "$tmp/bare.port" &
pids="$pids $!"
for _ in $(seq 50); do [ -s "$tmp/bare.port" ] && break; sleep 0.1; done
bare_url="http://127.0.0.1:$(cat "$tmp/bare.port")/"

# "Requests/sec: 1234.56" and the 99% line of --latency, in milliseconds
measure() {
	url=$1; conns=$2
	t=2; [ "$conns" -lt 2 ] && t=1
	wrk -t"$t" -c"$conns" -d"${seconds}s" --latency "${url}api/metrics/live/" > "$tmp/wrk.out"
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$tmp/wrk.out")
	p99=$(awk '$1 == "99%" {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000
		printf "%.2f", v }' "$tmp/wrk.out")
	errors=$(awk '/Non-2xx|Socket errors/ {print}' "$tmp/wrk.out" | tr '\n' ' ')
	echo "$rps $p99 $errors"
}

printf '%-6s | %-28s | %-28s | %s\n' "conns" "ohed ($threads threads) req/s  p99 ms" \
	"bare libsoup req/s  p99 ms" "ohed/bare"
for c in 1 16 64 256; do
	set -- $(measure "$ohed_url" "$c")
	o_rps=$1; o_p99=$2; shift 2; o_err="$*"
	set -- $(measure "$bare_url" "$c")
	b_rps=$1; b_p99=$2; shift 2; b_err="$*"
	ratio=$(awk -v a="$o_rps" -v b="$b_rps" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')
	printf '%-6s | %12s  %12s   | %12s  %12s   | %s %s %s\n' "$c" "$o_rps" "$o_p99" \
		"$b_rps" "$b_p99" "$ratio" "$o_err" "$b_err"
done
jobs=$("$build/ohed/ohectl" status 2>/dev/null | tr '\n' ' ')
echo "engine after the run (a backfill ran throughout): $jobs"
