#!/bin/sh
# soak: watches the churning demo (goroutines and threads coming and going, GC running)
# for MINUTES at --sched-hz 200 with every collector on, and records gmptop's RSS (and
# its anonymous part) and open fds each minute.
#
# By default it runs the TUI (under tmux) at -d 0.5 with --rewind 3600 on the CPU pane:
# the screen keeps the most memory, a full hour's worth of rewind snapshots (full after
# 30 minutes) and the on-CPU profile, which samples only while a pane shows it. RSS
# rises while the decoded history and the rewind archive fill, so the baseline is the
# first minute after both are full; it passes when RSS stays within 1 MB of it and the
# fewest fds seen in a minute never rise above the highest such floor of the minutes up
# to the baseline (the profiler holds a perf fd per target thread, and the churn demo's
# threads come and go: a leak is a floor that rises). SOAK_UI=batch runs -b instead (no
# archive; the history fills in a few minutes). Not part of make check.
# Usage: scripts/soak.sh [MINUTES]   (from a built tree; 60 for the full soak)
#        SOAK_UI=tui|batch  SOAK_DELAY=0.5  SOAK_REWIND=3600
set -eu
minutes=${1:-60}
ui=${SOAK_UI:-tui}
delay=${SOAK_DELAY:-0.5}
rewind=${SOAK_REWIND:-3600}
top=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-$top/gmptop}
demo=${GMPTOP_DEMO_BIN:-$top/demo/gmptop-demo}
[ -x "$gmptop" ] && [ -x "$demo" ] || { echo "build first (make)" >&2; exit 1; }
"$demo" churn >/dev/null 2>&1 &
dpid=$!
sleep 1
sock=soak-$$
gpid=""
trap 'kill $gpid $dpid 2>/dev/null; tmux -L $sock kill-server 2>/dev/null || :' EXIT INT TERM
case "$ui" in
tui)
    command -v tmux >/dev/null || { echo "soak: the TUI run needs tmux (or SOAK_UI=batch)" >&2; exit 1; }
    tmux -L "$sock" new-session -d -x 160 -y 50 \
        "env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME=/nonexistent '$gmptop' -p $dpid -d $delay --sched-hz 200 --rewind $rewind"
    i=0
    until gpid=$(pgrep -n -f "^$gmptop -p $dpid -d $delay"); do
        i=$((i + 1)); [ $i -lt 50 ] || { echo "soak: gmptop did not start" >&2; exit 1; }
        sleep 0.1
    done
    # The CPU pane: the on-CPU profiler samples only while a pane shows it, and its
    # ring, stacks and per-thread events are what a long run could leak.
    tmux -L "$sock" send-keys 8
    # Full once the archive holds $rewind snapshots (the decoded history fills sooner).
    full=$(awk -v r="$rewind" -v d="$delay" 'BEGIN { m = r * d / 60; print (m == int(m) ? m : int(m) + 1) }')
    ;;
batch)
    "$gmptop" -p "$dpid" -b -d "$delay" --sched-hz 200 --format json >/dev/null &
    gpid=$!
    # The decoded history: at most 600 snapshots (fewer at slow refresh).
    full=$(awk -v d="$delay" 'BEGIN { m = 600 * d / 60; if (m > 4) m = 4; print int(m) + 1 }')
    ;;
*) echo "soak: SOAK_UI is tui or batch" >&2; exit 2 ;;
esac
base_min=$((full + 1))
[ "$minutes" -ge "$base_min" ] || base_min=1
if [ "$ui" = tui ]; then what="TUI, -d $delay, --rewind $rewind"; else what="batch, -d $delay"; fi
echo "soak: $what; history full by minute $full, baseline at minute $base_min"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$gpid/status"; }
anon() { awk '/^RssAnon:/ { print $2 }' "/proc/$gpid/status"; }
fds() { ls "/proc/$gpid/fd" | wc -l; }
# The fewest fds over ~10 s of 1 s looks: the floor under the per-thread ones.
fds_floor() {
    lo=$(fds)
    for _ in 1 2 3 4 5 6 7 8 9; do
        sleep 1
        n=$(fds)
        [ "$n" -lt "$lo" ] && lo=$n
    done
    echo "$lo"
}
printf 'minute  rss_kb  anon_kb  fds(floor)  target_threads\n'
base_rss=""; base_fds=""; status=0
for m in $(seq 1 "$minutes"); do
    sleep 50
    kill -0 "$gpid" 2>/dev/null || { echo "gmptop died" >&2; exit 1; }
    f=$(fds_floor)
    r=$(rss); a=$(anon); t=$(ls "/proc/$dpid/task" | wc -l)
    printf '%6d  %6d  %7d  %3d  %d\n' "$m" "$r" "$a" "$f" "$t"
    # The fd floor to stay under: the highest floor up to the baseline minute. The
    # baseline's own floor alone can be a low one (the churn demo between threads: a
    # 60-minute run failed on 26 after a baseline of 25, 26 every other minute).
    if [ -z "$base_rss" ] && { [ -z "$base_fds" ] || [ "$f" -gt "$base_fds" ]; }; then
        base_fds=$f
    fi
    if [ "$m" -eq "$base_min" ]; then
        base_rss=$r
    fi
    if [ -n "$base_rss" ] && { [ "$r" -gt $((base_rss + 1024)) ] || [ "$f" -gt "$base_fds" ]; }; then
        status=1
    fi
done
[ $status -eq 0 ] && echo "PASS: RSS and fds flat once the history is full" ||
    echo "FAIL: growth after the history filled"
exit $status
