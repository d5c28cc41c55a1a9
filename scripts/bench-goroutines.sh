#!/bin/sh
# bench-goroutines: what reading goroutine groups costs, at 1k, 10k and 100k goroutines.
# The Go fixture's `groups` mode (GROUPS_SCALE multiplies its 170 parked goroutines) runs
# under gmptop -b -d 1 for SECONDS with the default stack budget and with stacks off;
# the difference in gmptop's CPU is what the groups cost. Also prints how many
# goroutines each refresh read (all, or a sample) and the target's own CPU (it is only
# read, never stopped, so it should stay at its idle level).
# Usage: scripts/bench-goroutines.sh [SECONDS]   (from a built tree; GO picks the toolchain)
set -eu
secs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-$top/gmptop}
go=${GO:-go}
[ -x "$gmptop" ] || { echo "build first (make)" >&2; exit 1; }
work=$(mktemp -d /tmp/gmptop-bench-gr.XXXXXX)
fpid=""
cleanup() { [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
(cd "$top/tests/gofixture" && GOFLAGS=-buildvcs=false "$go" build -ldflags='-s -w' \
    -o "$work/fixture" .)
hz=$(getconf CLK_TCK)
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

echo "goroutine groups, $("$go" env GOVERSION) stripped, gmptop -b -d 1, ${secs} s per run"
printf '%9s %9s %13s %13s %13s %12s\n' goroutines budget "gmptop CPU%" "read/refresh" \
    "sampled" "target CPU%"
for scale in 6 60 600; do
    GROUPS_SCALE=$scale "$work/fixture" groups $((secs * 3 + 30)) >"$work/out" &
    fpid=$!
    until grep -q '^==end==' "$work/out"; do sleep 0.2; done
    for budget in 20 0; do
        "$gmptop" -p "$fpid" -b -d 1 --format json --stacks-budget "$budget" \
            --collectors sched >"$work/json" &
        gpid=$!
        sleep 3                          # attach and first refreshes
        g0=$(ticks "$gpid"); t0=$(ticks "$fpid")
        sleep "$secs"
        g1=$(ticks "$gpid"); t1=$(ticks "$fpid")
        kill "$gpid"; wait "$gpid" 2>/dev/null || :
        tail -n 3 "$work/json" | head -n 1 | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
i = d.get("goroutine_groups_info") or {}
print(i.get("goroutines", "-"), i.get("read", "-"), d.get("goroutine_groups_sampled"))
' >"$work/info"
        read -r total read sampled <"$work/info"
        awk -v g=$((g1 - g0)) -v t=$((t1 - t0)) -v hz="$hz" -v s="$secs" -v n="$total" \
            -v b="$budget" -v r="$read" -v sm="$sampled" 'BEGIN {
            printf "%9s %7s ms %12.2f%% %13s %13s %11.2f%%\n", n, b, 100 * g / hz / s, r, sm,
                100 * t / hz / s }'
    done
    kill "$fpid"; wait "$fpid" 2>/dev/null || :
    fpid=""
done
