#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every libFuzzer target (tests/fuzz/fuzz-<target>.c) for a bounded
# time each, in a clang build with ASan and UBSan.
#
#   tests/fuzz/run-fuzzers.sh [--merge] [SECONDS [TARGET...]]
#
# SECONDS per target, 30 by default (CI); give 3600 or more for a long run.
# Targets run FUZZ_JOBS at a time (default: the number of cores). The build
# is configured once in build-fuzz/ (FUZZ_BUILD_DIR overrides it).
#
# New inputs go to build-fuzz/fuzz-corpus/<target>/; --merge adds those that
# reach new coverage to the seed corpus tests/fuzz/corpus/<target>/. A crash,
# leak, timeout or out-of-memory input is written to
# tests/fuzz/crashes/<target>/, where the default build replays it as a
# unit test (fuzz-replay-<target>): fix the parser and commit the input.
#
# Each target's final libFuzzer figures (executions, cov, ft, corpus) are
# printed as a table, written to build-fuzz/fuzz-results.json (one JSON
# object a line, counted by tests/run-all.sh) and appended to
# build-fuzz/fuzz-history.tsv, which adds up executions across runs.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${FUZZ_BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build="$root/$build" ;; esac

# one target, run by the loop below through xargs: --one SECONDS TARGET
if [ "${1:-}" = "--one" ]; then
  seconds=$2
  target=$3
  exe="$build/tests/fuzz/fuzz-$target"
  work="$build/fuzz-corpus/$target"
  crashes="$root/tests/fuzz/crashes/$target"
  log="$build/fuzz-logs/$target.log"
  # a target's own dictionary, or the one of the JSON targets
  dict="-dict=tests/fuzz/json.dict"
  [ -f "tests/fuzz/$target.dict" ] && dict="-dict=tests/fuzz/$target.dict"
  mkdir -p "$work" "$crashes" "$build/fuzz-logs"
  rc=0
  # shellcheck disable=SC2086
  "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" $dict "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
  # an empty crash directory is not kept
  rmdir "$crashes" 2>/dev/null || true
  if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$rc" -eq 0 ]; then
    "$exe" -merge=1 "tests/fuzz/corpus/$target" "$work" >>"$log" 2>&1 || rc=$?
  fi
  python3 - "$target" "$seconds" "$rc" "$log" <<'PY'
import json, re, sys
target, seconds, rc, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
stats = {"name": target, "seconds": seconds, "execs": 0, "cov": 0, "ft": 0, "corpus": 0,
         "exec_per_sec": 0, "peak_rss_mb": 0}
with open(log, errors="replace") as f:
    text = f.read()
for m in re.finditer(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)", text, re.M):
    stats["execs"], stats["cov"], stats["ft"], stats["corpus"] = map(int, m.groups())
for key, name in (("execs", "number_of_executed_units"), ("exec_per_sec", "average_exec_per_sec"),
                  ("peak_rss_mb", "peak_rss_mb")):
    m = re.search(r"^stat::%s:\s+(\d+)" % name, text, re.M)
    if m:
        stats[key] = int(m.group(1))
# libFuzzer leaves the average at 0 when it stops early
if stats["exec_per_sec"] == 0 and seconds > 0:
    stats["exec_per_sec"] = stats["execs"] // seconds
crashed = rc != 0 or "ERROR: libFuzzer" in text or "SUMMARY: " in text
stats["result"] = "FAIL" if crashed else "OK"
if crashed:
    m = re.search(r"^(?:==\d+==ERROR: .*|SUMMARY: .*|.*Test unit written to .*)$", text, re.M)
    stats["error"] = m.group(0) if m else "exit status %d" % rc
print(json.dumps(stats))
PY
  exit 0
fi

merge=0
if [ "${1:-}" = "--merge" ]; then
  merge=1
  shift
fi
seconds=${1:-30}
[ $# -gt 0 ] && shift
case $seconds in ''|*[!0-9]*) echo "run-fuzzers.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;; esac

if [ ! -d "$build" ]; then
  CC=${FUZZ_CC:-clang} meson setup "$build" -Dfuzzing=true -Dintrospection=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
else
  # so that the target list below sees targets added since the last run
  meson setup --reconfigure "$build" >/dev/null
fi
targets="$*"
if [ -z "$targets" ]; then
  targets=$(meson introspect "$build" --targets | python3 -c '
import json, sys
names = sorted(t["name"] for t in json.load(sys.stdin)
               if "/tests/fuzz/" in t["filename"][0] and t["name"].startswith("fuzz-")
               and not t["name"].startswith("fuzz-replay-"))
print(" ".join(n[len("fuzz-"):] for n in names))')
fi
if [ -z "$targets" ]; then
  echo "run-fuzzers.sh: $build has no fuzz targets; was it set up with -Dfuzzing=true?" >&2
  exit 2
fi
exes=""
for t in $targets; do exes="$exes tests/fuzz/fuzz-$t"; done
# shellcheck disable=SC2086
meson compile -C "$build" $exes

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp"
export G_DEBUG="fatal-criticals"
export LC_ALL="C.UTF-8"
export FUZZ_MERGE=$merge
# the NDJSON target writes and renames a file per input: keep that in memory
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi
results="$build/fuzz-results.json"
echo "fuzzing $(echo "$targets" | wc -w) targets for ${seconds}s each, ${FUZZ_JOBS:-$(nproc)} at a time"
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "${FUZZ_JOBS:-$(nproc)}" -I{} "$root/tests/fuzz/run-fuzzers.sh" --one "$seconds" {} >"$results"

python3 - "$results" "$build/fuzz-history.tsv" <<'PY'
import datetime, json, os, sys
results, history = sys.argv[1], sys.argv[2]
rows = sorted((json.loads(l) for l in open(results) if l.strip()), key=lambda r: r["name"])
new = not os.path.exists(history)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(history, "a") as f:
    if new:
        f.write("time\ttarget\tseconds\texecs\tcov\tft\tcorpus\tresult\n")
    for r in rows:
        f.write("%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n" % (now, r["name"], r["seconds"], r["execs"],
                                                     r["cov"], r["ft"], r["corpus"], r["result"]))
total = {}
for line in list(open(history))[1:]:
    cols = line.rstrip("\n").split("\t")
    total[cols[1]] = total.get(cols[1], 0) + int(cols[3])
print("%-28s %5s %10s %8s %6s %6s %6s %12s" % ("target", "s", "execs", "exec/s", "cov", "ft",
                                               "corpus", "execs, all"))
for r in rows:
    print("%-28s %5d %10d %8d %6d %6d %6d %12d %s" % (r["name"], r["seconds"], r["execs"],
          r["exec_per_sec"], r["cov"], r["ft"], r["corpus"], total[r["name"]],
          "" if r["result"] == "OK" else "FAILED: " + r.get("error", "")))
failed = [r["name"] for r in rows if r["result"] != "OK"]
if failed:
    print("crashing inputs are in tests/fuzz/crashes/<target>/; logs in %s"
          % os.path.join(os.path.dirname(results), "fuzz-logs"))
sys.exit(1 if failed else 0)
PY
