#!/bin/sh
# fuzz/run.sh - run every libFuzzer harness of fuzz/ for a bounded time.
# Usage: fuzz/run.sh [SECONDS [HARNESS...]]    (default: 30 s each, every harness)
#
# Sets up build-fuzz/ with clang (CC=clang, -Dfuzz=true; `./setup.sh --fuzz` installs clang
# and libFuzzer when they are missing), builds the harnesses, replays the inputs saved in
# fuzz/regressions/ (<harness>-<anything>: each must pass now), then fuzzes each harness
# for SECONDS.  The corpus grows in build-fuzz/corpus/<harness>/ across runs; it starts
# from fuzz/corpus/<harness>/ (committed), the matching files of tests/data/, and, when
# ../shared/traces is there (SLUICE_SHARED overrides ../shared), the first lines of each
# real trace, copied under build-fuzz/seeds/ at run time (never into the repository).
# A crash, leak, UB report, timeout (10 s per input) or out-of-memory (2 GB) is saved as
# build-fuzz/artifacts/<harness>-crash-<sha1> (or leak-, timeout-, oom-); replay it with
# build-fuzz/fuzz/fuzz-<harness> FILE.  Exit status 1 if any harness failed.
set -eu
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-30}
[ $# -gt 0 ] && shift
case "$SECONDS_EACH" in
    ''|*[!0-9]*|0) echo "usage: fuzz/run.sh [SECONDS (>= 1) [HARNESS...]]" >&2; exit 2 ;;
esac
SHARED=${SLUICE_SHARED:-../shared}
B=build-fuzz
# GLib < 2.76 carves small blocks out of its own slabs, hidden from ASan: use malloc.
export G_SLICE=always-malloc

./setup.sh --fuzz     # cheap when clang and libFuzzer are there already
if [ ! -f "$B/build.ninja" ]; then
    CC=clang meson setup "$B" -Dfuzz=true >/dev/null
fi

if [ $# -gt 0 ]; then
    HARNESSES="$*"
else
    HARNESSES=$(ninja -C "$B" -t targets all | sed -n 's|^fuzz/fuzz-\([a-z]*\): .*|\1|p' | sort -u)
fi
targets=""
for h in $HARNESSES; do targets="$targets fuzz/fuzz-$h"; done
# shellcheck disable=SC2086
ninja -C "$B" $targets >/dev/null

# Seeds that are not committed: tests/data files by kind, and the heads of real traces.
rm -rf "$B/seeds"
for h in $HARNESSES; do mkdir -p "$B/seeds/$h" "$B/corpus/$h"; done
seed() {   # seed HARNESS FILE: the first 60 lines (at most 8 KiB) of FILE, decompressed
    [ -d "$B/seeds/$1" ] || return 0
    out="$B/seeds/$1/$(basename "$2")"
    case "$2" in
        *.gz) gzip -dc "$2" 2>/dev/null | head -n 60 | head -c 8192 >"$out" || true ;;
        *) head -n 60 "$2" | head -c 8192 >"$out" ;;
    esac
}
for f in tests/data/*.swf tests/data/*/*.swf; do [ -f "$f" ] && seed swf "$f"; done
for f in tests/data/*.conf tests/data/*/*.conf; do [ -f "$f" ] && seed slurmconf "$f"; done
for f in tests/data/*.csv tests/data/*/*.csv; do [ -f "$f" ] && seed csv "$f"; done
for f in tests/data/*.json* tests/data/*/*.json*; do [ -f "$f" ] && seed json "$f"; done
for f in tests/data/*sacct* tests/data/*/*sacct*; do
    case "$f" in
        *sacctmgr*) ;;
        *) [ -f "$f" ] && seed sacct "$f" ;;
    esac
done
for f in tests/data/assoc/*; do [ -f "$f" ] && seed assoc "$f"; done
if [ -d "$SHARED/traces" ]; then
    for f in "$SHARED"/traces/*.swf*; do [ -f "$f" ] && seed swf "$f"; done
    for f in "$SHARED"/traces/gpu/*.csv*; do
        case "$f" in
            *machine_list*|*node_list*) seed machinelist "$f" ;;
            *) [ -f "$f" ] && seed csv "$f" ;;
        esac
    done
    for f in "$SHARED"/traces/sacct/*; do
        case "$f" in *README*) ;; *) [ -f "$f" ] && seed sacct "$f" ;; esac
    done
fi

mkdir -p "$B/artifacts"
# Harnesses that need files make them under TMPDIR; a crash leaves them here, not in /tmp.
rm -rf "$B/tmp"
mkdir -p "$B/tmp"
TMPDIR="$(pwd)/$B/tmp"
export TMPDIR
failed=""
for h in $HARNESSES; do
    exe="$B/fuzz/fuzz-$h"
    dict=""
    [ -f "fuzz/dict/$h.dict" ] && dict="-dict=fuzz/dict/$h.dict"
    # Saved crashes first: each must now pass.
    for f in fuzz/regressions/"$h"-*; do
        [ -f "$f" ] || continue
        if ! "$exe" "$f" >"$B/artifacts/$h-regressions.log" 2>&1; then
            echo "fuzz: $h: $f fails again (log: $B/artifacts/$h-regressions.log)" >&2
            failed="$failed $h"
            continue 2
        fi
    done
    seeds="$B/seeds/$h"
    [ -d "fuzz/corpus/$h" ] && seeds="$seeds fuzz/corpus/$h"
    log="$B/artifacts/$h.log"
    # shellcheck disable=SC2086
    if "$exe" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$B/artifacts/$h-" $dict \
        "$B/corpus/$h" $seeds >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
        echo "fuzz: $h: ok, ${runs:-?} inputs in ${SECONDS_EACH} s, $cov" >&2
    else
        echo "fuzz: $h: FAILED (log: $log)" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*ERROR:|\*\*)|Test unit written' \
            "$log" | head -n 8 >&2 || true
        failed="$failed $h"
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed; inputs in $B/artifacts/" >&2
    exit 1
fi
