#!/bin/sh
# bench-cpuprof: what gmptop's on-CPU sampler costs. Two figures:
#  1. per sample: a goroutine reading the clock in a tight loop (GOMAXPROCS=1), its
#     interruptions counted and timed with 1000 Hz sampling and without: each extra one
#     is a sample, its length what the sample costs the target (the kernel's timer
#     interrupt, frame-pointer walk and ring write);
#  2. at the default rate: an HTTP server (sha256, a mutex, allocation per request,
#     GOMAXPROCS 2) saturated by `wrk -t1 -c32`, in alternating pairs without and with
#     `gmptop -b --collectors cpuprof` (99 Hz): requests/s, the median loss and the
#     spread of the pairs, and gmptop's own CPU.
# Usage: SRCDIR/scripts/bench-cpuprof.sh [PAIRS] [SECONDS]   (root; wrk; GO=toolchain)
set -eu
pairs=${1:-6}
secs=${2:-8}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-./gmptop}
[ -x "$gmptop" ] || gmptop=$srcdir/gmptop
go=${GO:-go}
[ "$(id -u)" = 0 ] || { echo "bench-cpuprof: needs root (perf events of another process)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench-cpuprof: needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d /tmp/gmptop-bench-cpuprof.XXXXXX)
trap 'kill $srv 2>/dev/null || :; rm -rf "$work"' EXIT INT TERM
srv=""
cp "$srcdir/tests/live/server_workload.go" "$work/main.go"
printf 'module serverworkload\n\ngo 1.19\n' >"$work/go.mod"
(cd "$work" && GOFLAGS=-buildvcs=false "$go" build -o "$work/srv" .) || exit 1

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)

echo "== per sample: a goroutine reading the clock in a loop (GOMAXPROCS=1), its interruptions over 1 us counted with 1000 Hz sampling and without, ${secs}s runs"
costs=""
for i in 1 2 3; do
    set -- $(GOMAXPROCS=1 "$work/srv" gaps "$secs")
    n0=$2 t0=$4
    GOMAXPROCS=1 "$work/srv" gaps "$secs" >"$work/gaps.out" &
    w=$!
    "$gmptop" -p "$w" -b -d 1 --collectors cpuprof --profile-hz 1000 --bpf-budget 100 \
        --format json >"$work/spin.json" 2>/dev/null || :
    wait "$w" || :
    set -- $(cat "$work/gaps.out")
    n1=$2 t1=$4
    samples=$(python3 -c 'import json,sys
t=0
for l in open(sys.argv[1]):
    c=json.loads(l).get("cpu_profile") or {}
    t+=c.get("samples",0)
print(t)' "$work/spin.json")
    c=$(python3 -c "import sys; n0,t0,n1,t1,s=map(float,sys.argv[1:6]); print('%.2f' % ((t1-t0)/max(n1-n0,1)/1e3))" \
        "$n0" "$t0" "$n1" "$t1" "$samples")
    echo "run $i: interruptions alone $n0 ($t0 ns), sampled $n1 ($t1 ns; $samples samples seen): ${c} us each extra one"
    costs="$costs $c"
done
echo "per-sample cost (us), 3 runs:$costs"

echo "== HTTP server saturated by wrk -t1 -c32, $pairs pairs of ${secs}s: none vs gmptop --collectors cpuprof"
GOMAXPROCS=2 "$work/srv" 127.0.0.1:0 >"$work/srv.out" 2>&1 &
srv=$!
until grep -q listening "$work/srv.out"; do sleep 0.05; done
addr=$(awk '/listening/{print $2}' "$work/srv.out")
wrk -t1 -c32 -d2s "http://$addr/" >/dev/null 2>&1 || :      # warm-up
rps() { wrk -t1 -c32 -d"${secs}s" "http://$addr/x" 2>/dev/null | awk '/Requests\/sec/{print $2}'; }
losses=""
sampled() {   # one wrk run with gmptop's sampler attached; sets b, gcpu, ghz, gsamples, gcost
    "$gmptop" -p "$srv" -b -d 1 --collectors cpuprof --format json >"$work/g.json" 2>/dev/null &
    g=$!
    sleep 2                          # past the attach (binary read, calibration)
    t0=$(cpu_ticks $g)
    b=$(rps)
    t1=$(cpu_ticks $g)
    kill $g; wait $g 2>/dev/null || :
    gcpu=$(python3 -c "import sys; print('%.2f' % ((float(sys.argv[2])-float(sys.argv[1]))/float(sys.argv[3])/float(sys.argv[4])*100))" "$t0" "$t1" "$hz" "$secs")
    set -- $(tail -n 1 "$work/g.json" | python3 -c 'import json,sys
c=json.loads(sys.stdin.read())["cpu_profile"]
print(c["hz"], c["samples"], c.get("cost_pct"))')
    ghz=$1 gsamples=$2 gcost=$3
}
# Pairs in alternating order (none first, then sampled first) so a drift of the machine
# over the run does not read as a cost.
for i in $(seq "$pairs"); do
    if [ $((i % 2)) = 1 ]; then a=$(rps); sampled; else sampled; a=$(rps); fi
    loss=$(python3 -c "import sys; a,b=map(float,sys.argv[1:3]); print('%.2f' % ((a-b)/a*100))" "$a" "$b")
    echo "pair $i: none $a req/s, sampled $b req/s: loss $loss%  (gmptop CPU $gcpu% of a core; $ghz Hz, $gsamples samples/s; governor's cost estimate $gcost%)"
    losses="$losses $loss"
done
python3 -c "import sys, statistics as s; v=sorted(map(float,sys.argv[1:])); print('median loss %.2f%% (pairs: %s; spread %.2f..%.2f)' % (s.median(v), ' '.join('%.1f' % x for x in v), v[0], v[-1]))" $losses
