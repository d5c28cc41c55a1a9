#!/bin/sh
# bench-governor: does the park probe's overhead governor keep its promise? Throughput of
# a Go program without gmptop and with `gmptop -p PID -b -d 1` (every collector at its
# defaults) at park probe budgets of 1%, 2% (the default) and 5% of one core, in
# alternating pairs (none first, then gmptop first, so a drift of the machine does not
# read as a cost). For each budget: the median loss and the spread of the pairs, and
# what gmptop said while it ran: its model's estimate (park.est_overhead_pct), its own
# measurement (park.measured_overhead_pct +- its error), its own CPU on busy CPUs
# (park.self_overhead_pct), the duty cycle, gmptop's own CPU.
#
# Workloads: "server", an HTTP server (sha256, a mutex, allocation per request,
# GOMAXPROCS 2) saturated by `wrk -t1 -c32`; "pingpong", "mixed" and "threadpong" (a
# ping-pong between goroutines locked to OS threads: a thread switch per bounce) from
# tests/live/park_workload.go (ops/s). GMPTOP_CPUPROF_PER_THREAD=1 in the environment
# makes the on-CPU sampler use per-thread events (what they cost at each switch). On a 2-core machine a budget of B% of one core is
# B/2% of the machine: the loss a saturated server may show is that plus gmptop's own CPU.
# Every pair is phases of one new workload process, without gmptop before and after the
# phase with it (phases_pair), counted by the process itself at each SIGUSR1; the
# server's phases run under one unbroken wrk load (server_pair). Two wrk runs per pair
# (this script's earlier design) read the server's moves between throughput levels, which
# last tens of seconds on this VM, as gmptop's cost: a pair read -44..+37%.
#
# Usage: SRCDIR/scripts/bench-governor.sh [PAIRS] [SECONDS] [WORKLOADS] [BUDGETS]
#   defaults: 6 pairs, 8 s runs, "server pingpong mixed", "2 1 5"; a budget of "-" is
#   the control: the same pairs with no gmptop (the machine's own noise)
#   (root; wrk for the server; GO=toolchain, GMPTOP=path/to/gmptop; LEAD=seconds
#   gmptop runs before each timed run, default 6; GMPTOP_ARGS: more options for gmptop,
#   e.g. "--profile-hz 0" to take a collector out; PIN=1: the server on one core and
#   wrk on the other, and the park workloads with one P on CPU 1, which takes out most
#   of the park workloads' run-to-run noise; the pinned server jumps between throughput
#   levels within seconds, unpinned it drifts more slowly: README)
set -eu
pairs=${1:-6}
secs=${2:-8}
workloads=${3:-server pingpong mixed}
budgets=${4:-2 1 5}
lead=${LEAD:-6}      # seconds gmptop watches before the timed run
srcdir=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-./gmptop}
[ -x "$gmptop" ] || gmptop=$srcdir/gmptop
go=${GO:-go}
[ "$(id -u)" = 0 ] || { echo "bench-governor: needs root (uprobes)" >&2; exit 1; }
[ -x "$gmptop" ] || { echo "bench-governor: build first (make)" >&2; exit 1; }
work=$(mktemp -d /tmp/gmptop-bench-governor.XXXXXX)
# The pairs run in command substitutions (subshells): what they start is listed in
# $work/pids, for this trap to stop if the run is cut short.
trap 'kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || :; rm -rf "$work"' EXIT INT TERM
build() {   # build NAME SOURCE
    mkdir -p "$work/$1"
    cp "$2" "$work/$1/main.go"
    printf 'module %s\n\ngo 1.19\n' "$1" >"$work/$1/go.mod"
    (cd "$work/$1" && GOFLAGS=-buildvcs=false "$go" build -o "$work/$1.bin" .)
}
build server "$srcdir/tests/live/server_workload.go"
build parkwl "$srcdir/tests/live/park_workload.go"
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# gmptop_start PID BUDGET: gmptop in batch mode on PID; sets g
gmptop_start() {
    # shellcheck disable=SC2086
    "$gmptop" -p "$1" -b -d 1 --format json --bpf-budget "$2" ${GMPTOP_ARGS:-} \
        >"$work/g.json" 2>"$work/g.err" &
    g=$!
    echo "$g" >>"$work/pids"
}
# gmptop_stop: stops it; writes to $work/said its CPU (% of one core, over gsecs) and
# what the governor said (the runs are in command substitutions: no variables survive)
gmptop_stop() {
    t1=$(cpu_ticks "$g")
    kill "$g" 2>/dev/null || :
    wait "$g" 2>/dev/null || :
    gcpu=$(python3 -c "import sys; t0,t1,hz,s=map(float,sys.argv[1:5]); print('%.2f' % ((t1-t0)/hz/s*100))" \
        "$gt0" "$t1" "$hz" "$gsecs")
    # What the governor said over the timed run: the mean of each refresh's figures.
    gsaid=$(python3 - "$work/g.json" "$gskip" <<'EOF'
import json, sys
rows = []
for l in open(sys.argv[1]):
    try:
        rows.append(json.loads(l))
    except ValueError:      # the line gmptop was writing when it was stopped
        pass
rows = rows[int(sys.argv[2]):]
def mean(k):
    v = [r["park"].get(k) for r in rows if isinstance(r.get("park"), dict)]
    v = [x for x in v if isinstance(x, (int, float))]
    return sum(v) / len(v) if v else float("nan")
states = []
for r in rows:
    s = (r.get("park") or {}).get("state")
    if s and (not states or states[-1] != s):
        states.append(s)
print("est %.2f%% measured %.2f%% +- %.2f self %.2f%% duty %.2f %s" % (mean("est_overhead_pct"),
      mean("measured_overhead_pct"), mean("measured_overhead_err_pct"),
      mean("self_overhead_pct"), mean("duty"), "/".join(states) or "-"))
EOF
)
    echo "gmptop CPU $gcpu%; $gsaid" >"$work/said"
}

# The phases of one pair on process $1 (PARK_PHASES: it prints the ops since the
# previous SIGUSR1 at each one; $3 is where it prints them): $secs/2 without gmptop,
# $secs with gmptop at budget $2 (after gmptop has watched for $lead s: what a watched
# program loses, not what attaching costs, scripts/bench-attach.sh), $secs/2 without.
# Threads are placed per process and ping-pong's rate differs by 10-20% between
# placements; within one process both sides share it, and the two halves without
# gmptop, before and after, take out a drift of the process's rate (the mixed pool's
# moves by several % over a minute, the server's between levels). Prints "none gmptop".
phases_pair() {
    half=$(awk -v s="$secs" 'BEGIN{print s / 2}')
    sleep 1
    kill -USR1 "$1"; sleep "$half"; kill -USR1 "$1"              # phases 1 (gap), 2
    if [ "$2" = - ]; then
        # The control: the same phases with no gmptop. Its pairs' spread is what this
        # machine's own noise does to a pair; its median should be 0 within it.
        sleep "$((lead + 1))"
        kill -USR1 "$1"; sleep "$secs"; kill -USR1 "$1"
        echo "control: no gmptop" >"$work/said"
    else
        gmptop_start "$1" "$2"
        until [ -s "$work/g.json" ]; do sleep 0.05; done
        sleep "$lead"
        gskip=$((lead + 1))
        gt0=$(cpu_ticks "$g")
        gsecs=$secs
        kill -USR1 "$1"; sleep "$secs"; kill -USR1 "$1"          # 3 (gap), 4
        gmptop_stop
    fi
    sleep 1     # the probe's last detach retires
    kill -USR1 "$1"; sleep "$half"; kill -USR1 "$1"              # 5 (gap), 6
    n=0
    until [ "$(grep -c '^phase' "$3")" -ge 6 ] || [ $n -ge 100 ]; do
        sleep 0.05; n=$((n + 1))
    done
    awk '/^phase/{n++; r[n] = $7}
        END{ if (r[2] == "" || r[4] == "" || r[6] == "") print "nan nan"
             else print (r[2] + r[6]) / 2, r[4] }' "$3"
}
# One pair on a park workload ($1: pingpong or mixed) at budget $2.
park_pair() {
    rm -f "$work/out"
    if [ "${PIN:-0}" = 1 ]; then
        # One P on CPU 1: a ping-pong or the mixed pool then runs at one rate (within 1%
        # and 2% a second here) where two Ps on two CPUs switch between placements.
        GOMAXPROCS=1 PARK_PHASES=1 taskset -c 1 "$work/parkwl.bin" "$1" >"$work/out" 2>&1 &
    else
        PARK_PHASES=1 "$work/parkwl.bin" "$1" >"$work/out" 2>&1 &
    fi
    w=$!
    echo "$w" >>"$work/pids"
    until grep -q ready "$work/out" 2>/dev/null; do sleep 0.05; done
    phases_pair "$w" "$2" "$work/out"
    kill "$w" 2>/dev/null || :
    wait "$w" 2>/dev/null || :
}
# One pair on the server at budget $1: a new server, saturated by wrk from before the
# first phase to after the last (its requests counted by the server).
server_pair() {
    rm -f "$work/srv.out"
    if [ "${PIN:-0}" = 1 ]; then
        # One core each: the server (GOMAXPROCS 1) on CPU 1, wrk on CPU 0. Unpinned, a
        # 2-core VM here settles run by run into one of two placements 15% apart.
        GOMAXPROCS=1 PARK_PHASES=1 taskset -c 1 "$work/server.bin" 127.0.0.1:0 \
            >"$work/srv.out" 2>&1 &
        wrk="taskset -c 0 wrk"
    else
        GOMAXPROCS=2 PARK_PHASES=1 "$work/server.bin" 127.0.0.1:0 >"$work/srv.out" 2>&1 &
        wrk=wrk
    fi
    srv=$!
    echo "$srv" >>"$work/pids"
    until grep -q listening "$work/srv.out" 2>/dev/null; do sleep 0.05; done
    addr=$(awk '/listening/{print $2}' "$work/srv.out")
    # Longer than the phases (about secs*2 + lead + 4 s): stopped when they are done.
    $wrk -t1 -c32 -d"$((secs * 2 + lead + 30))s" "http://$addr/x" >/dev/null 2>&1 &
    load=$!
    echo "$load" >>"$work/pids"
    phases_pair "$srv" "$1" "$work/srv.out"
    kill "$load" 2>/dev/null || :
    wait "$load" 2>/dev/null || :
    kill "$srv" 2>/dev/null || :
    wait "$srv" 2>/dev/null || :
}

echo "Go $("$go" env GOVERSION); $(nproc) CPUs; $pairs pairs of ${secs} s per budget"
for wl in $workloads; do
    if [ "$wl" = server ] && ! command -v wrk >/dev/null; then
        echo "bench-governor: server needs wrk (apt-get install wrk)" >&2
        continue
    fi
    for b in $budgets; do
        echo "== $wl, --bpf-budget $b"
        losses=""
        for i in $(seq "$pairs"); do
            # shellcheck disable=SC2046
            if [ "$wl" = server ]; then
                set -- $(server_pair "$b")
            else
                set -- $(park_pair "$wl" "$b")
            fi
            a=$1 o=$2
            loss=$(python3 -c "import sys; a,b=map(float,sys.argv[1:3]); print('%.2f' % ((a-b)/a*100))" "$a" "$o")
            echo "pair $i: none $a/s, gmptop $o/s: loss $loss%  ($(cat "$work/said"))"
            losses="$losses $loss"
        done
        # The median's 90% interval by bootstrap (2,000 resamples of the pairs, fixed
        # seed): on this VM a pair's loss spreads over tens of points, and a median of
        # six is only as good as that interval says.
        # shellcheck disable=SC2086
        python3 - "$wl" "$b" $losses <<'PY'
import random, statistics as s, sys
v = sorted(x for x in map(float, sys.argv[3:]) if x == x)   # a failed pair is nan
if not v:
    sys.exit("%s, budget %s%%: no pair completed" % (sys.argv[1], sys.argv[2]))
rng = random.Random(1)
meds = sorted(s.median(rng.choices(v, k=len(v))) for _ in range(2000))
lo, hi = meds[int(0.05 * len(meds))], meds[int(0.95 * len(meds)) - 1]
print("%s, budget %s%%: median loss %.2f%% (90%% interval %.2f..%.2f; pairs: %s)" % (
    sys.argv[1], sys.argv[2], s.median(v), lo, hi, " ".join("%.1f" % x for x in v)))
PY
    done
done
