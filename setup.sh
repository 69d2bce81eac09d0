#!/bin/sh
# setup.sh - install sluice's build dependencies (Debian), configure build/ and compile.
# Idempotent and cheap to re-run: apt-get runs only when a dependency is missing.
# Usage: ./setup.sh [extra meson options for a fresh build/ ...]
#        ./setup.sh --fuzz    install clang and libFuzzer as well, and stop there
#                             (fuzz/run.sh calls it and configures build-fuzz/ itself)
# SLUICE_MESON_OPTS (e.g. "-Dwerror=true", as .ci/run sets it) are meson options for
# build/, given to a fresh build/ and applied to an existing one.
set -eu
cd "$(dirname "$0")"

PKGS="meson ninja-build pkg-config gcc libglib2.0-dev libgsl-dev libjansson-dev libsqlite3-dev libcsv-dev"
fuzz=""
if [ "${1:-}" = "--fuzz" ]; then
    fuzz=1
    PKGS="$PKGS clang libclang-rt-dev"
fi

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

if [ -n "$fuzz" ]; then
    echo "setup: clang and libFuzzer are installed (fuzz/run.sh)" >&2
    exit 0
fi

# shellcheck disable=SC2086
if [ ! -f build/build.ninja ]; then
    meson setup build ${SLUICE_MESON_OPTS:-} "$@"
elif [ -n "${SLUICE_MESON_OPTS:-}" ]; then
    meson configure build $SLUICE_MESON_OPTS
fi
ninja -C build >/dev/null
echo "setup: build/ is ready (build/sluice)" >&2
