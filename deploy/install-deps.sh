#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages ohed needs: to build and run it, with
# --tests also to run its test suite, and with --bench also the load generator of
# tests/bench/bench-api.sh. Installs nothing when all are present.
set -eu

build_deps="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libglib2.0-dev-bin \
libsoup-3.0-dev libjson-glib-dev libgcrypt20-dev libsqlite3-dev libpq-dev libhiredis-dev \
gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0 gir1.2-soup-3.0 gir1.2-json-1.0 \
gettext curl"
# clang and its compiler-rt (libclang_rt.fuzzer, ASan, UBSan) build the fuzz targets
test_deps="python3 python3-gi valgrind sqlite3 nodejs clang libclang-rt-14-dev clang-format git"
# wrk drives tests/bench/bench-api.sh; not needed by the default test run
bench_deps="wrk"

packages=$build_deps
[ "${1:-}" = "--tests" ] && packages="$packages $test_deps"
[ "${1:-}" = "--bench" ] && packages="$packages $test_deps $bench_deps"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm comes with the nodejs package of some repositories and on its own in Debian's
if { [ "${1:-}" = "--tests" ] || [ "${1:-}" = "--bench" ]; } && ! command -v npm >/dev/null 2>&1; then
  missing="$missing npm"
fi
[ -z "$missing" ] && exit 0

echo "installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
