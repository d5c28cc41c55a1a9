#!/bin/sh
# bench-cost: gmptop's own CPU over N seconds at 1 s refresh, attached to a demo
# workload, next to htop (-d 10 = 1 s) over the same seconds on the same machine.
# Both run in real terminals (tmux) at 120x40. Prints CPU seconds and % of one core.
# Usage: scripts/bench-cost.sh [SECONDS] [SCENARIO]   (from a built tree)
# GMPTOP_ARGS adds options to gmptop's command line (e.g. --sched-hz 0).
set -eu
secs=${1:-30}
scenario=${2:-pingpong}
top=$(cd "$(dirname "$0")/.." && pwd)
gmptop=${GMPTOP:-$top/gmptop}
demo=${GMPTOP_DEMO_BIN:-$top/demo/gmptop-demo}
command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 1; }
command -v htop >/dev/null || { echo "needs htop (apt-get install htop)" >&2; exit 1; }
[ -x "$gmptop" ] && [ -x "$demo" ] || { echo "build first (make)" >&2; exit 1; }

sock=gmptop-bench-$$
"$demo" "$scenario" >/dev/null 2>&1 &
dpid=$!
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || :; kill "$dpid" 2>/dev/null || :; }
trap cleanup EXIT INT TERM
sleep 1

tmux -L "$sock" new-session -d -x 120 -y 40 -s g "$gmptop -p $dpid -d 1 ${GMPTOP_ARGS:-}"
tmux -L "$sock" new-session -d -x 120 -y 40 -s h "htop -d 10"
sleep 2
gpid=$(tmux -L "$sock" list-panes -t g -F '#{pane_pid}')
hpid=$(tmux -L "$sock" list-panes -t h -F '#{pane_pid}')
hz=$(getconf CLK_TCK)
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
g0=$(ticks "$gpid"); h0=$(ticks "$hpid"); d0=$(ticks "$dpid")
sleep "$secs"
g1=$(ticks "$gpid"); h1=$(ticks "$hpid"); d1=$(ticks "$dpid")
awk -v g=$((g1 - g0)) -v h=$((h1 - h0)) -v d=$((d1 - d0)) -v hz="$hz" -v s="$secs" \
    -v sc="$scenario" 'BEGIN {
    printf "workload %s, %d s, refresh 1 s, 120x40 terminals\n", sc, s
    printf "  gmptop: %.2f CPU s (%.2f%% of one core)\n", g / hz, 100 * g / hz / s
    printf "  htop:   %.2f CPU s (%.2f%% of one core)\n", h / hz, 100 * h / hz / s
    printf "  demo workload itself: %.1f%% of one core\n", 100 * d / hz / s
    if (h > 0) printf "  gmptop / htop = %.2f\n", g / h
}'
