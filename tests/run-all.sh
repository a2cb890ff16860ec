#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite: installs the test dependencies, builds once per
# setup and runs every test in the strict default setup, under ASan+UBSan,
# the unit tests under valgrind, and every fuzz target for a bounded time.
set -eu
cd "$(dirname "$0")/.."
deploy/install-deps.sh --tests

# C files as Debian 12's clang-format formats them with .clang-format
tests/check-format.sh

[ -d build ] || meson setup build -Dwerror=true
# everything, not only what the tests depend on: one test installs the tree
meson compile -C build
meson test -C build --print-errorlogs

[ -d build-sanitizers ] || meson setup build-sanitizers -Dwerror=true \
  -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=false
meson compile -C build-sanitizers
meson test -C build-sanitizers --setup=sanitizers --print-errorlogs

meson test -C build --setup=valgrind --suite unit --print-errorlogs

# coverage-guided fuzzing: every parser target for FUZZ_SECONDS (30) each,
# in a clang build with libFuzzer, ASan and UBSan set up once in build-fuzz
FUZZ_BUILD_DIR=build-fuzz tests/fuzz/run-fuzzers.sh "${FUZZ_SECONDS:-30}"

python3 - <<'PY'
import json
passed = failed = skipped = 0
for log in ["build/meson-logs/testlog.json",
            "build-sanitizers/meson-logs/testlog-sanitizers.json",
            "build/meson-logs/testlog-valgrind.json",
            "build-fuzz/fuzz-results.json"]:
    with open(log) as f:
        for line in f:
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
