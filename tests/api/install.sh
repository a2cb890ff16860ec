#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs the OpenAPI validator's npm packages into DEST (a directory in the build tree) with
# "npm ci" from the checked-in lock file; skips it when DEST holds an install of that lock file.
#
# usage: install.sh DEST
set -eu

src=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: install.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

stamp="$dest/.lock-sha256"
want=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
   [ -d "$dest/node_modules/@seriousme/openapi-schema-validator" ]; then
	touch "$stamp"
	exit 0
fi
command -v npm >/dev/null || { echo "openapi-validator: npm not found" >&2; exit 1; }
rm -f "$stamp"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --omit=dev --loglevel=error)
echo "$want" > "$stamp"
