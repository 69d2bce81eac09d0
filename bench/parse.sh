#!/bin/sh
# bench/parse.sh - trace parsing speed: SWF lines/s and CSV rows/s, medians of RUNS runs.
#
# Usage: bench/parse.sh                 (RUNS=5 by default)
# Each run reads a trace with `sluice convert --parse-only IN` (the reader alone: parsing
# and the reader's rules, no machine scan, no output), timed inside sluice.  SWF: the
# uncompressed shared traces (RICC-2010, SDSC-SP2, ...) concatenated into one file when
# ../shared/traces is there, else a generated 1,000,000-job Downey workload.  CSV: the
# same jobs written as CSV by sluice (the generic column set).  The files are decompressed
# first (into /dev/shm when writable), so gzip does not count.  Targets: >= 2,000,000 SWF
# lines/s and >= 500,000 CSV rows/s.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=${SLUICE:-"$here/build/sluice"}
[ -x "$sluice" ] || "$here/setup.sh"
runs=${RUNS:-5}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  tmp=$(mktemp -d -p /dev/shm)
else
  tmp=$(mktemp -d)
fi
trap 'rm -rf "$tmp"' EXIT
shared=${SLUICE_SHARED:-"$here/../shared"}/traces

swf="$tmp/trace.swf"
if ls "$shared"/*.swf.gz >/dev/null 2>&1; then
  for t in "$shared"/*.swf.gz; do gzip -dc "$t"; done > "$swf"
  src="shared traces ($(ls "$shared"/*.swf.gz | wc -l) files)"
else
  "$sluice" gen --model downey --jobs 1000000 --seed 1 -o "$swf"
  src="generated (downey, 1,000,000 jobs)"
fi
csv="$tmp/trace.csv"
"$sluice" convert -q --from swf --to csv "$swf" "$csv"
swf_lines=$(grep -vc '^;' "$swf" || true)
csv_rows=$(($(wc -l < "$csv") - 1))

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
measure() {   # measure FORMAT FILE: prints the median records per second
  : > "$tmp/rates"
  i=0
  while [ $i -lt "$runs" ]; do
    "$sluice" convert --parse-only --from "$1" "$2" | awk '{print $(NF-1)}' >> "$tmp/rates"
    i=$((i + 1))
  done
  median < "$tmp/rates"
}

echo "input: $src: $swf_lines SWF lines, $csv_rows CSV rows"
printf '%-6s %12s %14s %10s\n' format records "records/s" target
printf '%-6s %12s %14.0f %10s\n' swf "$swf_lines" "$(measure swf "$swf")" 2000000
printf '%-6s %12s %14.0f %10s\n' csv "$csv_rows" "$(measure csv "$csv")" 500000
echo "(medians of $runs runs of sluice convert --parse-only; files in $(dirname "$tmp"))"
