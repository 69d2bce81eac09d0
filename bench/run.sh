#!/bin/sh
# bench/run.sh - replay each real SWF trace under fcfs, easy and conservative and print, per
# trace and policy, the median over RUNS runs of: jobs/s, simulated time / wall time, wall
# seconds and peak RSS.  Figures come from each run's summary.json ("sim" object).
#
# Usage: bench/run.sh [TRACE.swf.gz ...]
#   RUNS=5 POLICIES="easy fcfs" bench/run.sh        (defaults: RUNS=3, all three policies)
#   TIMEOUT=600 bounds each run in seconds (a run over it prints "timeout" for its row)
# With no trace arguments it uses every *.swf.gz in ../shared/traces.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$here/build/sluice" ] || "$here/setup.sh"
sluice="$here/build/sluice"
runs=${RUNS:-3}
limit=${TIMEOUT:-600}
policies=${POLICIES:-"fcfs easy conservative"}
if [ $# -eq 0 ]; then
  set -- "$here"/../shared/traces/*.swf.gz
  [ -e "$1" ] || { echo "bench: no traces given and none in ../shared/traces" >&2; exit 1; }
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

printf '%-34s %-13s %8s %12s %14s %9s %11s\n' trace policy jobs "jobs/s" "sim/wall" "wall_s" "peak_rss_kb"
for t in "$@"; do
  for p in $policies; do
    : > "$tmp/jps"; : > "$tmp/spd"; : > "$tmp/wall"; : > "$tmp/rss"
    i=0
    timed_out=0
    while [ $i -lt "$runs" ]; do
      if ! timeout "$limit" "$sluice" sim --trace "$t" --policy "$p" --out "$tmp/out" --quiet; then
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
      printf '%-34s %-13s %8s %12s (over %s s or failed)\n' "$(basename "$t")" "$p" "-" "timeout" "$limit"
      continue
    fi
    printf '%-34s %-13s %8s %12.0f %14.0f %9.3f %11.0f\n' "$(basename "$t")" "$p" "$jobs" \
      "$(median < "$tmp/jps")" "$(median < "$tmp/spd")" "$(median < "$tmp/wall")" "$(median < "$tmp/rss")"
  done
done
echo "(medians of $runs runs; wall time includes reading the trace and writing jobs.csv to $(dirname "$tmp"))"
