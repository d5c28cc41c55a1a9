#!/bin/sh
# Live test of the cores pane under tmux: key 3 shows one row per online CPU under its
# node / L3 heading with live switch rates; on a machine without a PMU the headline says
# why the hardware columns are n/a; 't' switches to per-thread counters and back; a
# replayed AMD fixture shows coloured L3 figures per L3 domain; it fits 40x12.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_demo
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 0 ]; then
    skip "per-CPU perf events need root or perf_event_paranoid <= 0"
fi

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup cores
start() {   # start [ENV=VALUE...]: gmptop on the demo in a 120x40 tmux window
    restart_main 120 40 "env $* TERM=xterm-256color LANG=C.UTF-8 \
        XDG_CONFIG_HOME=/nonexistent '$GMPTOP' -p $DEMO_PID -d 0.5"
    wait_re "GOMAXPROCS [0-9]+" 10
    T send-keys -t main 3
}

start_demo pingpong
ncpu=$(grep -c '^processor' /proc/cpuinfo)

start
wait_re "^ *CPU +UTIL%" 5
wait_re "node [0-9?]+ +L3" 5
# Switch rates become numbers after two samples.
wait_re "^ +0 .* [0-9]+ +[0-9.]+ " 5
rows=$(screen | grep -cE '^ +[0-9]+ ')
[ "$rows" -ge "$ncpu" ] || fail "expected a row per CPU ($ncpu), saw $rows:
$(screen)"
if [ ! -e /sys/bus/event_source/devices/cpu ] && [ ! -e /sys/bus/event_source/devices/cpu_core ]; then
    wait_re "Hardware columns n/a: no .cpu. PMU under /sys/bus/event_source/devices" 3
    screen | grep -E '^ +0 ' | grep -q 'n/a' || fail "hardware cells are not n/a:
$(screen)"
    pass "no PMU: the headline says why, hardware cells are n/a, switches are live"
else
    pass "PMU present: rows per CPU with figures"
fi
screen | grep -qE "(\*?$DEMO_PID|P[0-9])" || fail "the target's threads or Ps are not marked:
$(screen)"
pass "the target's threads / Ps are marked on their CPUs"

T send-keys -t main t
wait_re "^ *TID +UTIL%" 5
wait_re "^ +$DEMO_PID " 5
wait_re "per thread" 3
pass "t shows per-thread counters (the main thread $DEMO_PID is listed)"
T send-keys -t main t
wait_re "^ *CPU +UTIL%" 5
pass "t again goes back to per-core"

# Replayed AMD Zen 3: two L3 domains on two nodes, L3 figures per domain, red at 40%.
start "GMPTOP_PERF_REPLAY=$top_srcdir/tests/fixtures/perf/amd.txt"
wait_re "node 1 +L3 #1 \(L3 figures for the whole domain\) +CPUs 4-7" 5
wait_re "^ +5 .* 1\.0 " 5
wait_re "AMD Zen 3/4/5" 3
pass "replayed AMD: rows grouped by node and L3 domain, L3 per domain"

T resize-window -t main -x 40 -y 12 2>/dev/null || T resize-window -x 40 -y 12
sleep 0.6
w=$(screen | LC_ALL=C tr -d '\200-\277' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[ "$w" -le 40 ] || fail "a line is $w columns wide at 40x12:
$(screen)"
screen | grep -q "CPU" || fail "no table at 40x12:
$(screen)"
pass "fits 40x12"
