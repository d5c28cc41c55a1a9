#!/bin/sh
# bench-park: what the park probe costs a Go program. For a channel ping-pong and a mixed
# workload (worker pool, mutex, timers, allocation): ops/s with nothing attached, with
# gmptop's probe attached all the time (--bpf-budget 100), with gmptop's default budget,
# and with a naive bpftrace probe on the entry of runtime.gopark; and the microseconds
# each probe hit costs, from the slowdown per operation and the hits per operation.
# Usage: SRCDIR/scripts/bench-park.sh [SECONDS]   (root; in the build directory, or
# GMPTOP=path/to/gmptop; GO=toolchain)
set -eu
secs=${1:-5}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
src=$srcdir/tests/live/park_workload.go
gmptop=${GMPTOP:-./gmptop}
[ -x "$gmptop" ] || gmptop=$srcdir/gmptop
go=${GO:-go}
[ "$(id -u)" = 0 ] || { echo "bench-park: needs root (uprobes)" >&2; exit 1; }
[ -x "$gmptop" ] || { echo "build first (make)" >&2; exit 1; }
command -v bpftrace >/dev/null || { echo "bench-park: needs bpftrace" >&2; exit 1; }
work=$(mktemp -d /tmp/gmptop-bench-park.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
cp "$src" "$work/main.go"
printf 'module parkworkload\n\ngo 1.19\n' >"$work/go.mod"
(cd "$work" && GOFLAGS=-buildvcs=false "$go" build -o "$work/wl" .) || exit 1
bin=$work/wl

# run MODE TOOL: one timed run; prints "ops secs hits cost_ns state" (hits/cost: the tool's)
run() {
    rm -f "$work/out" "$work/tool" "$work/tool.err"   # no stale lines from the last run
    PARK_WAIT=1 "$bin" "$1" "$secs" >"$work/out" 2>&1 &
    w=$!
    until grep -q ready "$work/out" 2>/dev/null; do sleep 0.05; done
    t=""
    case $2 in
    gmptop|gmptop-default)
        budget=100; [ "$2" = gmptop ] || budget=2
        "$gmptop" -p "$w" -b -d 0.25 --format json --collectors park --bpf-budget "$budget" \
            >"$work/tool" 2>"$work/tool.err" &
        t=$!
        until [ -s "$work/tool" ]; do sleep 0.05; done ;;
    bpftrace)
        printf 'uprobe:%s:runtime.gopark /pid == %s/ { @hits = count(); }\n' "$bin" "$w" \
            >"$work/naive.bt"
        bpftrace "$work/naive.bt" >"$work/tool" 2>&1 &
        t=$!
        until grep -q Attaching "$work/tool"; do sleep 0.05; done
        sleep 0.3 ;;
    esac
    kill -USR1 "$w"
    until grep -q '^ops' "$work/out"; do sleep 0.1; done
    sleep 0.8                        # the tool's last read while the target lingers
    hits=0 cost=0 state=-
    case $2 in
    gmptop*)
        wait "$w" 2>/dev/null || :
        wait "$t" 2>/dev/null || :
        set -- $(grep '^{' "$work/tool" | tail -n 1 | python3 -c 'import json, sys
p = json.loads(sys.stdin.read())["park"]
print(p["events"]["calls"], p["cost_ns"])')
        hits=$1 cost=$2
        # What the governor did while the workload ran (the last lines are after it).
        state=$(grep '^{' "$work/tool" | python3 -c 'import json, sys
seen = []
for l in sys.stdin:
    s = json.loads(l)["park"]["state"]
    if not seen or seen[-1] != s:
        seen.append(s)
print("/".join(seen))') ;;
    bpftrace)
        kill -INT "$t"; wait "$t" 2>/dev/null || :
        wait "$w" 2>/dev/null || :
        hits=$(sed -n 's/^@hits: //p' "$work/tool") ;;
    *)
        wait "$w" 2>/dev/null || : ;;
    esac
    set -- $(grep '^ops' "$work/out")
    echo "$2 $4 ${hits:-0} $cost $state"
}

echo "Go: $("$go" env GOVERSION); $secs s per run; ops/s and cost per probe hit"
for mode in pingpong mixed; do
    base=$(run "$mode" none)
    echo "$mode none $base $base"
    for tool in gmptop gmptop-default bpftrace; do
        echo "$mode $tool $base $(run "$mode" "$tool")"
    done
done | awk '{
    mode = $1; tool = $2
    bops = $3; bsecs = $4; ops = $8; s = $9; hits = $10; cost = $11; state = $12
    bper = bsecs / bops; per = s / ops          # seconds per operation
    line = sprintf("  %-8s %-15s %12.0f ops/s", mode, tool, ops / s)
    if (tool != "none") {
        line = line sprintf("  %+6.1f%%", 100 * (bper / per - 1))
        if (hits > 0) {
            hpo = hits / ops
            line = line sprintf("  %6.2f hits/op  %6.2f us/hit", hpo, 1e6 * (per - bper) / hpo)
        }
        if (tool ~ /^gmptop/)
            line = line sprintf("  (self-measured %.2f us, %s)", cost / 1e3, state)
    }
    print line
}'
