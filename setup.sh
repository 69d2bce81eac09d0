#!/bin/sh
# setup.sh - install sluice's build dependencies (Debian), configure build/ and compile.
# Idempotent and cheap to re-run: apt-get runs only when a dependency is missing.
# Usage: ./setup.sh [extra meson options for a fresh build/ ...]
set -eu
cd "$(dirname "$0")"

PKGS="meson ninja-build pkg-config gcc libglib2.0-dev libgsl-dev libjansson-dev libsqlite3-dev libcsv-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "setup: installing:$missing" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
            echo "setup: missing packages:$missing; run as root or install sudo" >&2; exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f build/build.ninja ]; then
    meson setup build "$@"
fi
ninja -C build >/dev/null
echo "setup: build/ is ready (build/sluice)" >&2
