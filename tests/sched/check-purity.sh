#!/bin/sh
# sched-purity: fail if libsched.a references a clock, randomness, file or socket function.
# Usage: check-purity.sh path/to/libsched.a
set -eu
lib="$1"
bad='^(time|clock_gettime|gettimeofday|rand|random|srand|srandom|drand48|fopen|open|open64|openat|socket|connect|read|write|printf|fprintf|getenv|g_get_real_time|g_get_monotonic_time|g_random_.*|g_rand_.*|g_file_.*|g_spawn_.*|sleep|usleep|g_usleep)$'
undef=$(nm -u "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
[ -n "$undef" ] || { echo "check-purity: nm found no symbols in $lib" >&2; exit 1; }
found=$(printf '%s\n' "$undef" | grep -E "$bad" || true)
if [ -n "$found" ]; then
  echo "libsched references forbidden functions:" >&2
  printf '  %s\n' $found >&2
  exit 1
fi
echo "libsched is pure ($(printf '%s\n' "$undef" | wc -l) undefined symbols checked)"
