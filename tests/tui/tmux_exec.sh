#!/bin/sh
# Live test of a target that execs in place, under tmux: a Go program that re-executes
# itself (a PIE: the new image has a new load address) is watched on, on the same pane,
# with the scheduler read from the new image; one that execs /bin/sleep ends in the
# picker with the reason.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup exec

build_workload "$top_srcdir/tests/live/exec_workload.go" "$tmp/reexec" \
    GOFLAGS="-buildvcs=false -buildmode=pie"

# run [ENV=VALUE...]: start the program, wait for its first image, gmptop on it.
run() {
    env "$@" "$tmp/reexec" >"$tmp/out" 2>&1 &
    DEMO_PID=$!
    wait_line "$tmp/out" "pid=$DEMO_PID image=\$"
    restart_main 120 30 "env TERM=xterm-256color LANG=C.UTF-8 \
        XDG_CONFIG_HOME=/nonexistent '$GMPTOP' -p $DEMO_PID -d 0.3"
    wait_re "PID $DEMO_PID" 10
}

run EXEC_TO=self EXEC_AFTER_MS=2500
T send-keys -t main 1
wait_re "GOMAXPROCS" 5
wait_re "exec'd .*reexec: watching the new program" 10
grep -q "pid=$DEMO_PID image=1" "$tmp/out" || fail "the program did not re-execute itself"
# Still this pid, still the scheduler pane, read from the new image.
wait_re "PID $DEMO_PID " 3
wait_re "^ +[01] (idle|running|syscall) " 5
screen | grep -q "Pick a process" && fail "went to the picker on a Go re-exec: $(screen)"
pass "a Go program that re-execs itself is watched on: $(screen | grep -m1 "exec'd" | sed 's/^ *//')"
kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null; DEMO_PID=

run EXEC_TO=/bin/sleep EXEC_AFTER_MS=2500
wait_re "exec'd .*sleep: pid $DEMO_PID \(sleep\) is not a Go program" 10
pass "exec into a non-Go program: the picker says why"
T send-keys -t main q
