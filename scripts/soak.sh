#!/bin/sh
# soak: watches the churning demo (goroutines and threads coming and going, GC running)
# for MINUTES at --sched-hz 200 with every collector on, and records gmptop's RSS and
# open fds each minute. RSS rises while the history ring fills (600 ticks: 10 minutes
# at 1 s), so the baseline is taken at minute 11 (or the first minute of a short run);
# passes when RSS stays within 1 MB of it and the fd count never changes after it.
# Not part of make check.
# Usage: scripts/soak.sh [MINUTES]   (from a built tree; 60 for the full soak)
set -eu
minutes=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-$top/gmptop}
demo=${GMPTOP_DEMO_BIN:-$top/demo/gmptop-demo}
[ -x "$gmptop" ] && [ -x "$demo" ] || { echo "build first (make)" >&2; exit 1; }
"$demo" churn >/dev/null 2>&1 &
dpid=$!
sleep 1
"$gmptop" -p "$dpid" -b -d 1 --sched-hz 200 --format json >/dev/null &
gpid=$!
trap 'kill $gpid $dpid 2>/dev/null' EXIT INT TERM
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$gpid/status"; }
fds() { ls "/proc/$gpid/fd" | wc -l; }
printf 'minute  rss_kb  fds  target_threads\n'
base_rss=""; base_fds=""; status=0
for m in $(seq 1 "$minutes"); do
    sleep 60
    kill -0 "$gpid" 2>/dev/null || { echo "gmptop died" >&2; exit 1; }
    r=$(rss); f=$(fds); t=$(ls "/proc/$dpid/task" | wc -l)
    printf '%6d  %6d  %3d  %d\n' "$m" "$r" "$f" "$t"
    if [ "$m" -eq 11 ] || { [ "$minutes" -lt 11 ] && [ "$m" -eq 1 ]; }; then
        base_rss=$r; base_fds=$f
    fi
    if [ -n "$base_rss" ] && { [ "$r" -gt $((base_rss + 1024)) ] || [ "$f" -ne "$base_fds" ]; }; then
        status=1
    fi
done
[ $status -eq 0 ] && echo "PASS: RSS and fds flat once the history ring is full" ||
    echo "FAIL: growth after the history ring filled"
exit $status
