#!/bin/sh
# The first thing a newcomer runs is the README's demo command, exactly as written. Within
# 10 s of starting it, every pane must be alive: the scheduler with its Ps, the latency
# pane with park histograms (the probe sampling, its budget said on screen), cores, NUMA
# with each P's node, and the threads. On a machine without a PMU the cores pane's
# hardware columns stay honestly n/a; its software columns still count.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
need_root
need_demo
top_builddir=${top_builddir:-.}
[ -x "$top_builddir/gmptop" ] || fail "no gmptop binary in $top_builddir"
need_park

# The command under test is the README's, so the two cannot drift apart.
cmd=$(sed -n 's/.*&& \(\.\/gmptop --demo [a-z]*\)$/\1/p' "$top_srcdir/README.md" | head -n 1)
[ "$cmd" = "./gmptop --demo pingpong" ] ||
    fail "the README's first command is no longer './gmptop --demo pingpong' ('$cmd'): update this test with it"

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup firstdemo
export XDG_CONFIG_HOME="$tmp/no-config"   # no remembered pane: the defaults a newcomer gets

start=$(date +%s)
restart_main 80 24 "cd '$top_builddir' && $cmd"

# within ERE: the screen shows ERE before 10 s have passed since the start.
within() {
    while ! screen | grep -qE -- "$1"; do
        [ $(( $(date +%s) - start )) -lt 10 ] || fail "/$1/ not on screen within 10 s of
starting '$cmd'; screen was:
$(screen)"
        sleep 0.1
    done
}

within "PID [0-9]+ +gmptop-demo"
within "GOMAXPROCS [0-9]+"
within "^ +0 +(idle|running|syscall|gcstop) "
pass "the scheduler pane opens with its Ps"

T send-keys -t main 2
within "^ probe (on|sampling) "
within "budget \\(raised for gmptop's|within the [0-9.]+% budget"
within "^ *chan (receive|send) +[1-9][0-9]* +[0-9.]+ "
within "^ measured on the target: -?[0-9.]+% of a core"
pass "the latency pane shows park histograms per wait reason"

T send-keys -t main 3
within "^ *CPU +UTIL%"
within "^ +0 .* [0-9]+ +[0-9]+\.[0-9]( |$)"    # CPU 0's switches and migrations per s
pass "the cores pane counts"

T send-keys -t main 4
within "^ +0 +[0-9-]+ +[0-9.]+[KMGT]?/[0-9.]+[KMGT]? +[1-9][0-9]* +[1-9]"
within "Node of each P's thread: .*P[0-9]+:n[0-9]"
pass "the NUMA pane places the threads and Ps on nodes"

T send-keys -t main 5
within "RUNDLY"
within "^ *[0-9]+ +gmptop-demo"
pass "the threads pane lists the demo's threads"
pass "all panes alive within $(( $(date +%s) - start )) s"

T send-keys -t main q
exit 0
