#!/bin/sh
# Live test of the CPU pane: gmptop under tmux on the Go fixture's `oncpu` mode (main.spinAll
# burning a whole core, main.quarterBurn a quarter of one: spinAll takes about 80% of the
# samples), built stripped with the newest toolchain. Key 8 shows the functions on the CPU
# with their shares; Enter shows the hottest stacks through one; W writes the profile into
# gmptop's current directory; the goroutines pane has each group's CPU%; F1 explains the
# pane; a 40x12 terminal keeps every tab's number.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
need_root
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure tmux_cpu
exec 9>&-
newest=$(echo $versions | awk '{ print $NF }')
bin=$GOBIN_DIR/$newest-stripped

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup cpu

"$bin" oncpu 120 "$tmp/ref.pb" >"$tmp/out" 2>&1 &
DEMO_PID=$!
wait_line "$tmp/out" "^profiling" 10 "$tmp/out"

# gmptop runs in a directory of its own, where W writes its files.
mkdir "$tmp/cwd" || fail "mkdir failed"
printf 'set -g remain-on-exit on\n' >"$tmp/tmux.conf"
# Paused 3 s after its panes close rather than a minute, for the pause/resume cycle.
mkdir -p "$tmp/cfg/gmptop" && printf 'profile_linger = 3\n' >"$tmp/cfg/gmptop/gmptoprc" ||
    fail "cannot write gmptoprc"
T -f "$tmp/tmux.conf" new-session -d -s main -x 120 -y 30 \
    "cd '$tmp/cwd' && env LC_ALL=C.UTF-8 XDG_CONFIG_HOME='$tmp/cfg' '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status'" ||
    fail "tmux new-session failed"
wait_re "PID $DEMO_PID" 10
# On the screen the profiler samples only while a pane shows it: on the scheduler pane it
# has closed its events (one per CPU, or one per target thread where the header says
# "one event each") by the second refresh.
gp=$(pgrep -n -f "$GMPTOP -p $DEMO_PID") || fail "no gmptop process"
perf_fds() { ls -l "/proc/$gp/fd" 2>/dev/null | grep -c 'perf_event'; }
sleep 1.2
n_paused=$(perf_fds)
T send-keys -t main 8
wait_re "on-CPU profile( n/a)?:" 5
if screen | grep -q "on-CPU profile n/a"; then
    skip "the on-CPU profile cannot run here: $(screen | grep 'on-CPU profile n/a')"
fi

# spinAll's SELF% within 5 s: about 80 (one core of the 1.25 the program burns).
i=0
self=
while [ $i -lt 50 ]; do
    self=$(screen | awk '$3 == "user" && $4 == "main.spinAll" { print $1; exit }')
    [ -n "$self" ] && awk -v s="$self" 'BEGIN { exit !(s >= 60 && s <= 95) }' && break
    sleep 0.1
    i=$((i + 1))
done
[ $i -lt 50 ] || fail "main.spinAll's SELF% is not 60-95 (last: '$self'); screen was:
$(screen)"
wait_re "user +main\.quarterBurn +oncpu\.go" 3
wait_re "^ +GOID +.*WHERE +STARTED AS +THREAD" 3
wait_re "^ +[0-9]+ +[0-9.]+ main\.spinAll +main\.spinAll +[0-9]+ " 3
pass "pane 8 shows main.spinAll at $self% SELF, quarterBurn and the goroutines on the CPU ($newest stripped)"
# The events the sampler opens: one per CPU, or one per thread of the target.
events() {
    if screen | grep -q "one event each"; then
        ls "/proc/$DEMO_PID/task" | wc -l
    else
        getconf _NPROCESSORS_ONLN
    fi
}
threads=$(events)
n_open=$(perf_fds)
[ "$n_open" -ge $((n_paused + threads)) ] ||
    fail "the profiler's events did not open with pane 8: $n_paused perf fds before, $n_open after ($threads events wanted)"
pass "the profiler starts with pane 8 ($n_paused perf fds on the scheduler pane, $n_open with $threads events)"

# t sorts by TOTAL%: runtime.goexit, under every goroutine's stack, comes first.
T send-keys -t main t
wait_re "by TOTAL%" 3
wait_re "^ +[0-9.]+ +(9[0-9]|100)\.[0-9] +runtime +runtime\.goexit" 3
T send-keys -t main m
wait_re "window: last minute" 3
T send-keys -t main s m
wait_re "window: last [0-9.]+ s, by SELF%" 3
pass "t and s sort by TOTAL% and SELF%, m switches to the last minute and back"

# Enter on the top row (spinAll) shows its stack; Esc returns to the functions.
T send-keys -t main Home Enter
wait_re "Hottest stacks through main\.spinAll" 3
wait_re "^ +> main\.spinAll +oncpu\.go:[0-9]+" 3
wait_re "^ +runtime\.goexit +asm_amd64\.s:[0-9]+" 3
T send-keys -t main Escape
wait_re "Functions on the CPU" 3
wait_gone_re "Hottest stacks" 2
pass "Enter shows the hottest stack through main.spinAll down to runtime.goexit; Esc closes it"

# W: the profile of the last seconds lands in gmptop's directory.
T send-keys -t main W
wait_re "wrote [0-9]+ samples" 5
set -- "$tmp/cwd"/gmptop-$DEMO_PID-*.pb.gz
[ -s "$1" ] || fail "W said it wrote, but no gmptop-$DEMO_PID-*.pb.gz in $tmp/cwd: $(ls "$tmp/cwd")"
gzip -t "$1" || fail "$1 is not gzip"
grep -q "main\.spinAll" "$tmp/cwd"/gmptop-$DEMO_PID-*.folded ||
    fail "the folded stacks have no main.spinAll"
pass "W writes $(basename "$1") and the folded stacks"

T send-keys -t main F1
wait_re "CPU pane \(8\)" 3
T send-keys -t main q
wait_re "Functions on the CPU" 3
pass "F1 on pane 8 opens the help at its section"

# The goroutines pane: the spinning goroutine's group takes most of the samples.
T send-keys -t main 7
wait_re "CPU%" 3
wait_re " ([6-9][0-9]\.[0-9]) +(running: stack not readable|main\.spinAll)" 5
T send-keys -t main 8
wait_re "Functions on the CPU" 3
pass "pane 7 shows each group's CPU%"

# Away from panes 7 and 8 for longer than profile_linger: the events close; back on 8,
# they open again and the profile fills from an empty window.
T send-keys -t main 1
i=0
while [ "$(perf_fds)" -gt "$n_paused" ]; do
    i=$((i + 1)); [ $i -lt 80 ] || fail "the profiler's events stayed open 8 s after leaving pane 8: $(perf_fds) perf fds, $n_paused when paused"
    sleep 0.1
done
T send-keys -t main 8
wait_re "on-CPU profile: starting|window: last" 3
wait_re "user +main\.spinAll" 5
# One event per CPU, or per target thread against the threads there are now (the
# runtime may have made or ended one meanwhile), given the profiler's next look at them.
j=0
while :; do
    threads=$(events)
    n_again=$(perf_fds)
    [ "$n_again" -lt $((n_paused + threads)) ] || break
    j=$((j + 1))
    [ $j -lt 30 ] ||
        fail "the profiler did not start again: $n_again perf fds, $n_paused when paused, $threads events wanted"
    sleep 0.1
done
pass "with profile_linger = 3 it paused ${i}00 ms after pane 1 was chosen ($n_paused perf fds) and starts again on pane 8 ($n_again)"

# A small terminal: no crash, every pane's number still on the tabs row.
T resize-window -t main -x 40 -y 12
wait_re "^ 1 .*7( [A-Za-z]+)? 8( CPU)? *$" 5
wait_re "main\.spinAll" 3
T send-keys -t main Home Enter
wait_re "Hottest stacks" 3
T send-keys -t main Escape
T resize-window -t main -x 30 -y 8
wait_re "too small" 3
T resize-window -t main -x 120 -y 30
wait_re "Functions on the CPU" 5
[ ! -s "$tmp/status" ] || fail "gmptop exited $(cat "$tmp/status") while resized"
T send-keys -t main q
i=0
until [ -s "$tmp/status" ]; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "gmptop did not quit on q"
    sleep 0.1
done
[ "$(cat "$tmp/status")" = 0 ] || fail "gmptop exited $(cat "$tmp/status")"
pass "40x12 keeps tabs 1-8 and the functions; q quits with status 0"
