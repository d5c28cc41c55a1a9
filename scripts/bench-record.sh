#!/bin/sh
# bench-record: bytes and CPU per recorded snapshot, for demo workloads recorded live and
# for a synthetic 64-P, 1000-thread snapshot. Run from a build directory after make check
# (needs ./gmptop, ./demo/gmptop-demo and ./tests/bench_record).
# Usage: scripts/bench-record.sh [TICKS] [INTERVAL]
set -eu
ticks=${1:-30}
interval=${2:-0.5}
b=${top_builddir:-.}
for f in "$b/gmptop" "$b/demo/gmptop-demo" "$b/tests/bench_record"; do
    [ -x "$f" ] || { echo "bench-record: $f missing (make && make check first)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-record.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for demo in pingpong gc runnable; do
    "$b/demo/gmptop-demo" "$demo" >/dev/null 2>&1 &
    dp=$!
    sleep 0.5
    "$b/gmptop" -p "$dp" -b --format json -n "$ticks" -d "$interval" \
        --record "$tmp/$demo.gmpr" >"$tmp/$demo.json"
    kill "$dp"
    wait "$dp" 2>/dev/null || true
    total=$(wc -c <"$tmp/$demo.gmpr")
    echo "== demo $demo: $((ticks + 1)) snapshots, $total bytes in all" \
         "($((total / (ticks + 1))) B/snapshot with header and dictionary frame)"
    "$b/tests/bench_record" --file "$tmp/$demo.gmpr"
done
echo "== synthetic"
"$b/tests/bench_record" --synthetic 64 1000 64 "$ticks"
