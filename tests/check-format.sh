#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when a tracked C file (*.c, *.h; not the *.h.in templates meson fills in) is not formatted as clang-format formats it
# with the project's .clang-format (Debian 12's clang-format 14).
set -eu
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 || { echo "check-format: clang-format is not installed" >&2; exit 1; }
bad=0
for f in $(git ls-files '*.c' '*.h'); do
  if ! clang-format --style=file "$f" | cmp -s - "$f"; then
    echo "not formatted: $f (run: clang-format -i $f)" >&2
    bad=1
  fi
done
exit $bad
