#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs ohed into a scratch root, builds a provider plugin against the
# installed ohe-plugin-1.pc alone, installs it to the pkg-config plugindir
# and checks that ohectl loads it.
set -eu
build_root=$1
ohectl=$2
src=$(cd "$(dirname "$0")" && pwd)
echo "1..4"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
meson install -C "$build_root" --destdir "$work/root" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; echo "not ok 1 - meson install"; exit 1; }
pc=$(find "$work/root" -name ohe-plugin-1.pc | head -n 1)
[ -n "$pc" ] || { echo "not ok 1 - ohe-plugin-1.pc not installed"; exit 1; }
echo "ok 1 - installed with ohe-plugin-1.pc"

# the files sit under the scratch root, not at the prefix they were built
# for: relocate a copy of the installed .pc file (only its prefix line)
mkdir -p "$work/pc"
prefix=$(sed -n 's/^prefix=//p' "$pc")
sed "s|^prefix=.*|prefix=$work/root$prefix|" "$pc" >"$work/pc/ohe-plugin-1.pc"
export PKG_CONFIG_PATH="$work/pc"
cflags=$(pkg-config --cflags ohe-plugin-1)
libs=$(pkg-config --libs ohe-plugin-1)
plugindir=$(pkg-config --variable=plugindir ohe-plugin-1)
case "$plugindir" in
  "$work/root"/*) ;;
  *) echo "not ok 2 - plugindir $plugindir is outside the install root"; exit 1 ;;
esac
mkdir -p "$plugindir"
# shellcheck disable=SC2086
cc -shared -fPIC -Wall -Werror -o "$plugindir/libohe_hello.so" \
  "$src/out-of-tree/ohe-hello-provider.c" $cflags $libs
echo "ok 2 - plugin built against the installed pkg-config file"

export OHED_DAEMON_PLUGIN_DIR="$plugindir"
export OHED_DAEMON_STATE_DIR="$work/state"
export OHED_STORE_SCHEMA_DIR="$OHE_SOURCE_ROOT/schemas"
unset G_DEBUG
out=$("$ohectl" --local plugins)
echo "$out" | grep -Eq '^hello +provider +.*/libohe_hello\.so$' ||
  { echo "$out"; echo "not ok 3 - ohectl did not load the plugin"; exit 1; }
echo "ok 3 - ohectl loads the out-of-tree plugin"

# its declared keys are checked like the daemon's own
if out=$(OHED_PLUGIN_HELLO_GREETNG=hi "$ohectl" --local plugins 2>&1); then
  echo "$out"; echo "not ok 4 - a mistyped key of the plugin did not stop ohectl"; exit 1
fi
echo "$out" | grep -Fq '[plugin:hello] greetng: unknown key (known keys: greeting)' ||
  { echo "$out"; echo "not ok 4 - the refusal does not name group and key"; exit 1; }
OHED_PLUGIN_HELLO_GREETING=hi "$ohectl" --local plugins >/dev/null ||
  { echo "not ok 4 - a declared key was refused"; exit 1; }
echo "ok 4 - the plugin's declared keys are checked"
