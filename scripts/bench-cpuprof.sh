#!/bin/sh
# bench-cpuprof: what gmptop's on-CPU sampler costs. Two figures:
#  1. per sample: a goroutine spinning alone (GOMAXPROCS=1) sampled at 1000 Hz versus not
#     sampled, in alternating runs: the work it loses per sample is the sample's cost to
#     the target (the kernel's timer interrupt, frame-pointer walk and ring write);
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

echo "== per sample: one spinning goroutine, 1000 Hz sampling vs none, ${secs}s runs"
costs=""
for i in 1 2 3; do
    base=$(GOMAXPROCS=1 "$work/srv" spin "$secs" | awk '{print $2}' | tr -d /s)
    GOMAXPROCS=1 "$work/srv" spin "$secs" >"$work/spin.out" &
    w=$!
    sleep 0.1
    "$gmptop" -p "$w" -b -d 1 --collectors cpuprof --profile-hz 1000 --bpf-budget 100 \
        --format json >"$work/spin.json" 2>/dev/null || :
    wait "$w" || :
    with=$(awk '{print $2}' "$work/spin.out" | tr -d /s)
    samples=$(python3 -c 'import json,sys
t=0
for l in open(sys.argv[1]):
    c=json.loads(l).get("cpu_profile") or {}
    t+=c.get("samples",0)
print(t)' "$work/spin.json")
    c=$(python3 -c "import sys; b,w,s,d=map(float,sys.argv[1:5]); print('%.2f' % ((b-w)/b*d/max(s,1)*1e6))" \
        "$base" "$with" "$samples" "$secs")
    echo "run $i: ops/s alone $base, sampled $with ($samples samples): ${c} us a sample"
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
for i in $(seq "$pairs"); do
    a=$(rps)
    "$gmptop" -p "$srv" -b -d 1 --collectors cpuprof --format json >"$work/g.json" 2>/dev/null &
    g=$!
    sleep 0.5
    t0=$(cpu_ticks $g)
    b=$(rps)
    t1=$(cpu_ticks $g)
    kill $g; wait $g 2>/dev/null || :
    gcpu=$(python3 -c "import sys; print('%.2f' % ((float(sys.argv[2])-float(sys.argv[1]))/float(sys.argv[3])/float(sys.argv[4])*100))" "$t0" "$t1" "$hz" "$secs")
    set -- $(tail -n 1 "$work/g.json" | python3 -c 'import json,sys
c=json.loads(sys.stdin.read())["cpu_profile"]
print(c["hz"], c["samples"], c.get("cost_pct"))')
    loss=$(python3 -c "import sys; a,b=map(float,sys.argv[1:3]); print('%.2f' % ((a-b)/a*100))" "$a" "$b")
    echo "pair $i: none $a req/s, sampled $b req/s: loss $loss%  (gmptop CPU $gcpu% of a core; $1 Hz, $2 samples/s; governor's cost estimate $3%)"
    losses="$losses $loss"
done
python3 -c "import sys, statistics as s; v=sorted(map(float,sys.argv[1:])); print('median loss %.2f%% (pairs: %s; spread %.2f..%.2f)' % (s.median(v), ' '.join('%.1f' % x for x in v), v[0], v[-1]))" $losses
