#!/bin/sh
# bench-sched: gmptop's own CPU while monitoring a Go process with N Ps at several
# --sched-hz rates (batch mode, 1 s refresh, all collectors). Prints % of one core.
# Usage: scripts/bench-sched.sh [SECONDS] [GOMAXPROCS]   (from a built tree)
set -eu
secs=${1:-20}
procs=${2:-8}
top=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-$top/gmptop}
demo=${GMPTOP_DEMO_BIN:-$top/demo/gmptop-demo}
[ -x "$gmptop" ] && [ -x "$demo" ] || { echo "build first (make)" >&2; exit 1; }
GOMAXPROCS=$procs "$demo" runnable >/dev/null 2>&1 &
dpid=$!
trap 'kill $dpid 2>/dev/null' EXIT INT TERM
sleep 1
hz_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
echo "target: runnable demo, GOMAXPROCS=$procs; $secs s per rate; 1 s refresh"
for rate in 0 50 200 1000; do
    "$gmptop" -p "$dpid" -b -d 1 --sched-hz "$rate" --format json >/dev/null &
    g=$!
    sleep 2                                   # past start-up (DWARF, symbols)
    t0=$(hz_ticks "$g")
    sleep "$secs"
    t1=$(hz_ticks "$g")
    kill "$g"; wait "$g" 2>/dev/null || :
    awk -v t=$((t1 - t0)) -v hz="$hz" -v s="$secs" -v r="$rate" \
        'BEGIN { printf "  --sched-hz %-5s %.2f%% of one core\n", r, 100 * t / hz / s }'
done
