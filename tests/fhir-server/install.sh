#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs the FHIR test server's npm packages into DEST (a directory in the build tree) with
# "npm ci" from the checked-in lock file, then compiles the R5 schema validators once.
# Skips all of it when DEST already holds an install made from the same lock file.
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
   [ -d "$dest/node_modules/@medplum/fhir-router" ] && [ -f "$dest/fhir-r5-validators.cjs" ]; then
	echo "fhir-server: npm packages up to date in $dest"
	# meson's custom_target compares this file's time with the lock file's
	touch "$dest/fhir-r5-validators.cjs"
	exit 0
fi

command -v npm >/dev/null || { echo "fhir-server: npm not found" >&2; exit 1; }
rm -f "$stamp"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
start=$(date +%s)
(cd "$dest" && npm ci --no-audit --no-fund --omit=dev --loglevel=error)
echo "fhir-server: npm ci took $(( $(date +%s) - start )) s, node_modules $(du -sh "$dest/node_modules" | cut -f1)"
OHE_FHIR_NODE_MODULES="$dest/node_modules" node "$src/fhir-schema.mjs"
touch "$dest/fhir-r5-validators.cjs"
echo "$want" > "$stamp"
