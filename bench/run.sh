#!/bin/sh
# bench/run.sh - replay each real SWF trace under fcfs, easy and conservative, and a generated
# GPU/CPU mix on a heterogeneous cluster under slurm, and print, per case and policy, the
# median over RUNS runs of: jobs/s, simulated time / wall time, wall seconds and peak RSS.
# Figures come from each run's summary.json ("sim" object).
#
# Usage: bench/run.sh [TRACE.swf.gz | hetero ...]
#   RUNS=5 POLICIES="easy fcfs" bench/run.sh        (defaults: RUNS=3, all three policies)
#   TIMEOUT=600 bounds each run in seconds (a run over it prints "timeout" for its row)
#   SLUICE=path/to/sluice runs that binary instead of build/sluice
# With no arguments it uses every *.swf.gz in ../shared/traces, then the heterogeneous case.
# `hetero` (issue 4): `sluice gen --model gpu-mix --nodes 16 --jobs HETERO_JOBS --seed 7`
# (default 100000 jobs, written next to the outputs) replayed on bench/hetero.conf (32 CPU
# nodes, 16 nodes of 8 A100s) under HETERO_POLICIES (default slurm).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SLUICE:-}" ]; then
  sluice=$SLUICE
else
  [ -x "$here/build/sluice" ] || "$here/setup.sh"
  sluice="$here/build/sluice"
fi
runs=${RUNS:-3}
limit=${TIMEOUT:-600}
policies=${POLICIES:-"fcfs easy conservative"}
hetero_jobs=${HETERO_JOBS:-100000}
hetero_policies=${HETERO_POLICIES:-slurm}
if [ $# -eq 0 ]; then
  set -- "$here"/../shared/traces/*.swf.gz
  [ -e "$1" ] || { echo "bench: no traces given and none in ../shared/traces" >&2; exit 1; }
  set -- "$@" hetero
fi
# outputs go to memory when the machine has a tmpfs there: the figures measure the
# simulator, not the disk (set TMPDIR to choose)
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  tmp=$(mktemp -d -p /dev/shm)
else
  tmp=$(mktemp -d)
fi
trap 'rm -rf "$tmp"' EXIT

# field NAME FILE: the numeric value of "NAME": in a summary.json
field() { sed -n "s/^ *\"$1\": *\([0-9.eE+-]*\).*/\1/p" "$2" | tail -1; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# row LABEL POLICY SIM-ARGS...: RUNS runs of `sluice sim SIM-ARGS --policy POLICY`, one row
row() {
  label=$1 p=$2
  shift 2
  : > "$tmp/jps"; : > "$tmp/spd"; : > "$tmp/wall"; : > "$tmp/rss"
  i=0
  timed_out=0
  while [ $i -lt "$runs" ]; do
    if ! timeout "$limit" "$sluice" sim "$@" --policy "$p" --out "$tmp/out" --quiet; then
      timed_out=1
      break
    fi
    s="$tmp/out/summary.json"
    field jobs_per_s "$s" >> "$tmp/jps"
    field speedup "$s" >> "$tmp/spd"
    field wall_s "$s" >> "$tmp/wall"
    field peak_rss_kb "$s" >> "$tmp/rss"
    jobs=$(sed -n 's/^  "jobs": *\([0-9]*\).*/\1/p' "$s" | head -1)
    i=$((i + 1))
  done
  if [ $timed_out = 1 ]; then
    printf '%-34s %-13s %8s %12s (over %s s or failed)\n' "$label" "$p" "-" "timeout" "$limit"
    return 0
  fi
  printf '%-34s %-13s %8s %12.0f %14.0f %9.3f %11.0f\n' "$label" "$p" "$jobs" \
    "$(median < "$tmp/jps")" "$(median < "$tmp/spd")" "$(median < "$tmp/wall")" "$(median < "$tmp/rss")"
}

printf '%-34s %-13s %8s %12s %14s %9s %11s\n' trace policy jobs "jobs/s" "sim/wall" "wall_s" "peak_rss_kb"
for t in "$@"; do
  if [ "$t" = hetero ]; then
    mix="$tmp/gpu-mix-$hetero_jobs.jsonl"
    "$sluice" gen --model gpu-mix --nodes 16 --jobs "$hetero_jobs" --seed 7 -o "$mix"
    for p in $hetero_policies; do
      row "gpu-mix-$hetero_jobs (hetero.conf)" "$p" --trace "$mix" --cluster "$here/bench/hetero.conf"
    done
    continue
  fi
  for p in $policies; do
    row "$(basename "$t")" "$p" --trace "$t"
  done
done
echo "(medians of $runs runs; wall time includes reading the trace and writing jobs.csv to $(dirname "$tmp"))"
