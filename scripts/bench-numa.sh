#!/bin/sh
# bench-numa: cost per refresh of the NUMA collector's two memory sources on a Go
# process with SIZE MiB of touched heap (default 4096): the move_pages sample (each
# refresh), the full numa_maps scan (background) and, next to them, numastat -p and a
# plain read of numa_maps. Usage: scripts/bench-numa.sh [MIB] [REFRESHES] (built tree;
# needs numactl and a Go toolchain; gmptop's figures are its own JSON timings).
set -eu
mib=${1:-4096}
n=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
src=${top_srcdir:-$top}
gmptop=${GMPTOP:-$top/gmptop}
[ -x "$gmptop" ] || { echo "build first (make)" >&2; exit 1; }
command -v numastat >/dev/null || { echo "needs numastat (apt-get install numactl)" >&2; exit 1; }
go=${GO:-go}
work=$(mktemp -d /tmp/gmptop-bench-numa.XXXXXX)
wpid=
trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
cp "$src/tests/live/numa_workload.go" "$work/main.go"
(cd "$work" && GOFLAGS=-buildvcs=false "$go" build -o numa_workload main.go)
ms_of() { # ms_of RUNS CMD...: median wall time of CMD in ms
    runs=$1
    shift
    i=0
    while [ $i -lt "$runs" ]; do
        t0=$(date +%s%N)
        "$@" >/dev/null
        t1=$(date +%s%N)
        echo $(( (t1 - t0) / 1000 ))
        i=$((i + 1))
    done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] / 1000 }'
}

for thp in default off; do
[ -n "$wpid" ] && { kill "$wpid"; wait "$wpid" 2>/dev/null || :; }
if [ $thp = off ]; then export NUMA_WORKLOAD_NOTHP=1; else unset NUMA_WORKLOAD_NOTHP; fi
: > "$work/out"
"$work/numa_workload" "$mib" > "$work/out" 2>&1 &
wpid=$!
while ! grep -q '^ready' "$work/out"; do sleep 0.2; done
thp_kb=$(awk '/^AnonHugePages/ { print $2 }' "/proc/$wpid/smaps_rollup")

echo "target: numa_workload, $mib MiB touched Go heap, THP $thp ($thp_kb kB in THP), pid $wpid; medians of $n"
GMPTOP_NUMA_SCAN_S=0.1 "$gmptop" -p "$wpid" -b -n "$n" -d 0.25 --collectors threads,numa \
    --format json > "$work/g.json"
python3 - "$work/g.json" <<'EOF'
import json, statistics, sys
rows = [json.loads(l)['numa'] for l in open(sys.argv[1]) if l.strip()]
med = lambda k: statistics.median(r[k] for r in rows if r[k] is not None)
pages = statistics.median(r['nodes'][0]['pages']['total'] for r in rows)
scan = med('scan_cost_ms')
print("  numa_maps full scan (maps + numa_maps + parse): %.2f ms for %d resident pages"
      " = %.1f ns/page" % (scan, pages, scan * 1e6 / pages))
print("  move_pages sample per refresh: %.3f ms for %d pages (budget %.1f ms), +-%.2f%%"
      % (med('sample_cost_ms'), med('sampled_pages'), rows[0]['sample_budget_ms'],
         med('sample_error_pct')))
EOF
echo "  cat /proc/PID/numa_maps: $(ms_of "$n" cat "/proc/$wpid/numa_maps") ms"
echo "  numastat -p PID:         $(ms_of "$n" numastat -p "$wpid") ms"
done
