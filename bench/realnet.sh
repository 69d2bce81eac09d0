#!/bin/sh
# bench/realnet.sh - the real cluster's figures: submit throughput (serial sbatch processes
# and a burst through one connection), 1,000 trivial jobs end to end, submit-to-start
# latency, squeue latency with 10,000 and 100,000 queued jobs, controller memory, and a
# controller with 1,000 registered nodes heartbeating.
#
#   bench/realnet.sh                 # RUNS=3 of each figure, medians
#   RUNS=5 NODES=4 bench/realnet.sh
#   ONLY=serial bench/realnet.sh     # the serial sbatch figures alone
#   SLURM=1 bench/realnet.sh         # also real Slurm, through its own sbatch/squeue and
#                                    # the SLURM_CONF in the environment, when installed
#
# Everything runs on loopback in a temporary folder: under /dev/shm when writable (where the
# state database's fdatasync costs nothing), else /tmp; BENCH_DIR=/some/disk/dir measures
# with a real disk under the controller's commits.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
sluice=${SLUICE:-$here/build/sluice}
bin=$(dirname "$sluice")/bin
RUNS=${RUNS:-3}
NODES=${NODES:-4}
[ -x "$sluice" ] || { echo "bench/realnet.sh: build first (./setup.sh), no $sluice" >&2; exit 1; }
base=/tmp
[ -w /dev/shm ] && base=/dev/shm
base=${BENCH_DIR:-$base}
dir=$(mktemp -d "$base/sluice-bench-XXXXXX")
work=$dir/work
mkdir -p "$work"
cleanup() {
  for d in "$dir"/c*; do [ -f "$d/pids" ] && "$sluice" cluster down --dir "$d" >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "n/a"}'; }
now() { date +%s.%N; }
ctld_pid() { head -1 "$1/pids" | cut -d' ' -f1; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

up() {   # up NAME NODES: a fresh cluster in $dir/NAME, environment set
  "$sluice" cluster up -q -n "$2" --cpus 16 --dir "$dir/$1" >/dev/null
  SLUICE_CONF=$dir/$1/slurm.conf
  export SLUICE_CONF
}
down() { "$sluice" cluster down --dir "$dir/$1" >/dev/null 2>&1 || true; }

cd "$work"
echo "sluice real cluster, $NODES node daemons x 16 CPUs on loopback, medians of $RUNS runs"

# 1. serial sbatch processes, one after the other as a shell loop runs them: jobs that
#    queue behind a full cluster (each submission still enters the scheduler's queue and
#    pass), and jobs that start at once on an idle cluster (their launch, run and end share
#    the machine's two CPUs with the loop)
serial_loop() {   # serial_loop N SBATCH-ARGS...: prints jobs/s
  n=$1; shift
  t0=$(now)
  i=0
  while [ $i -lt "$n" ]; do "$bin/sbatch" "$@" >/dev/null; i=$((i + 1)); done
  t1=$(now)
  echo "$n / ($t1 - $t0)" | bc -l
}
queued=""; running=""
for r in $(seq "$RUNS"); do
  up c$r "$NODES"
  "$bin/sbatch" -N "$NODES" --exclusive -t 30 -o /dev/null --wrap="sleep 1800" >/dev/null
  queued="$queued $(serial_loop 500 -t 10 -o /dev/null --wrap=true)"
  down c$r
  up s$r "$NODES"
  running="$running $(serial_loop 500 -o /dev/null --wrap=true)"
  down s$r
done
printf "%-44s %8.0f jobs/s   (target >= 500; Slurm 22.05 here: 30-75)\n" \
  "serial sbatch processes, jobs queue" "$(echo $queued | tr ' ' '\n' | median)"
printf "%-44s %8.0f jobs/s\n" "serial sbatch processes, jobs run at once" \
  "$(echo $running | tr ' ' '\n' | median)"
[ "${ONLY:-}" = serial ] && exit 0

# 2. burst through one connection, 3. 1,000 trivial jobs end to end, 4. latency
burst=""; e2e=""; lat=""
for r in $(seq "$RUNS"); do
  up d$r "$NODES"
  burst="$burst $("$sluice" loadgen submit --count 5000 --hold | awk '/submit_jobs_per_s/ {print $2}')"
  down d$r
  up e$r "$NODES"
  e2e="$e2e $("$sluice" loadgen submit --count 1000 --wait | awk '/all_done_seconds/ {print $2}')"
  lat="$lat $("$sluice" loadgen latency --count 30 | awk '/submit_to_start_ms_p50/ {print $2}')"
  down e$r
done
printf "%-44s %8.0f jobs/s   (target >= 5,000)\n" "burst of 5,000 through one connection" \
  "$(echo $burst | tr ' ' '\n' | median)"
printf "%-44s %8.2f s        (target < 5; Slurm 22.05: ~35)\n" "1,000 trivial jobs, first submit to last end" \
  "$(echo $e2e | tr ' ' '\n' | median)"
printf "%-44s %8.1f ms       (target < 50)\n" "submit to start, idle cluster (p50)" \
  "$(echo $lat | tr ' ' '\n' | median)"

# 5. squeue with 10,000 and 100,000 queued jobs; controller memory
up q "$NODES"
for total in 10000 100000; do
  have=$("$bin/squeue" -h | wc -l)
  "$sluice" loadgen submit --count $((total - have)) --hold >/dev/null
  "$bin/squeue" >/dev/null   # the controller renders its cache once
  ts=""
  for r in $(seq "$RUNS"); do
    t0=$(now); "$bin/squeue" >/dev/null; t1=$(now)
    ts="$ts $(echo "($t1 - $t0) * 1000" | bc -l)"
  done
  printf "%-44s %8.0f ms       (target < 500 at 100,000)\n" "squeue with $total queued jobs" \
    "$(echo $ts | tr ' ' '\n' | median)"
  printf "%-44s %8s MB\n" "controller RSS with $total jobs" "$(rss_mb "$(ctld_pid "$dir/q")")"
done
down q

# 6. 1,000 nodes registered and heartbeating (fake node daemons: sluice loadgen nodes)
mkdir -p "$dir/big/state" "$dir/big/spool" "$dir/big/log"
port=$(( 20000 + $$ % 20000 ))
cat > "$dir/big/slurm.conf" <<EOF
ClusterName=big
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
StateSaveLocation=$dir/big/state
SlurmdSpoolDir=$dir/big/spool
SlurmdTimeout=30
NodeName=n[1-1000] CPUs=16 RealMemory=64000
PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
SLUICE_CONF=$dir/big/slurm.conf
export SLUICE_CONF
"$sluice" ctld -q > "$dir/big/log/ctld.log" 2>&1 &
cpid=$!
echo "$cpid ctld" > "$dir/big/pids"
sleep 0.5
"$sluice" loadgen nodes --names 'n[1-1000]' --seconds 25 > "$dir/big/nodes.out" &
lpid=$!
sleep 5
c0=$(awk '{print $14 + $15}' "/proc/$cpid/stat")
"$sluice" loadgen submit --count 2000 --wait > "$dir/big/submit.out"
t0=$(now); "$bin/squeue" >/dev/null; t1=$(now)
sleep 10
c1=$(awk '{print $14 + $15}' "/proc/$cpid/stat")
wait $lpid || true
printf "%-44s %8s s\n" "1,000 nodes: time to register all" "$(awk '/register_seconds/ {print $2}' "$dir/big/nodes.out")"
printf "%-44s %8s jobs/s\n" "1,000 nodes: 2,000 jobs end to end" "$(awk '/end_to_end_jobs_per_s/ {print $2}' "$dir/big/submit.out")"
printf "%-44s %8.0f ms\n" "1,000 nodes: squeue" "$(echo "($t1 - $t0) * 1000" | bc -l)"
printf "%-44s %8.1f %%\n" "1,000 nodes: controller CPU while heartbeating" \
  "$(echo "($c1 - $c0) / $(getconf CLK_TCK) / 10 * 100 / 1" | bc -l)"
printf "%-44s %8s MB\n" "1,000 nodes: controller RSS" "$(rss_mb $cpid)"
kill $cpid 2>/dev/null || true
rm -f "$dir/big/pids"

# 7. real Slurm side by side, when asked and installed
if [ "${SLURM:-0}" = 1 ]; then
  if command -v /usr/bin/sbatch >/dev/null 2>&1 && /usr/bin/scontrol ping >/dev/null 2>&1; then
    unset SLUICE_CONF
    t0=$(now)
    for i in $(seq 100); do /usr/bin/sbatch -o /dev/null --wrap=true >/dev/null; done
    t1=$(now)
    printf "%-44s %8.0f jobs/s\n" "Slurm: serial sbatch processes" "$(echo "100 / ($t1 - $t0)" | bc -l)"
    t0=$(now); /usr/bin/squeue >/dev/null; t1=$(now)
    printf "%-44s %8.0f ms\n" "Slurm: squeue" "$(echo "($t1 - $t0) * 1000" | bc -l)"
  else
    echo "SLURM=1: no running Slurm here (/usr/bin/sbatch and scontrol ping); skipped"
  fi
fi
