#!/bin/sh
# Live test of the diagnoses in the TUI: on the frozen demo (2 Ps, runqueues that never
# drain) the strip names the runqueue backlog, pane 6 lists it, Enter goes to the
# scheduler pane, F1 explains it (with the figures it judged), F2 switches it off and
# saves the settings file, and everything fits 40x12.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_demo

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup diag
rows() { T display -p -t main '#{pane_height}'; }
# The strip is the row above the footer; the pane is everything above it.
strip() { screen | sed -n "$(( $(rows) - 1 ))p"; }
pane() { screen | head -n "$(( $(rows) - 2 ))"; }

# wait_in FUNC ERE [TIMEOUT-SECONDS]: poll FUNC's output until a line matches.
wait_in() {
    i=0
    limit=$(( ${3:-5} * 10 ))
    while [ $i -lt "$limit" ]; do
        $1 | grep -qE -- "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "/$2/ did not appear in the $1 within ${3:-5}s; screen was:
$(screen)"
}
wait_gone_in() {
    i=0
    limit=$(( ${3:-5} * 10 ))
    while [ $i -lt "$limit" ]; do
        $1 | grep -qE -- "$2" || return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "/$2/ still in the $1 after ${3:-5}s; screen was:
$(screen)"
}


# A settings file from "before": run delay off (a loaded machine would otherwise raise
# it next to the backlog) and a key gmptop does not know, which a save must keep.
export XDG_CONFIG_HOME="$tmp/config"
rc="$XDG_CONFIG_HOME/gmptop/gmptoprc"
mkdir -p "$XDG_CONFIG_HOME/gmptop"
printf 'diag.run_delay.enabled = false\nfuture.option = kept\n' >"$rc"

GOMAXPROCS=2 "$GMPTOP_DEMO_BIN" frozen >"$tmp/out" 2>"$tmp/err" &
DEMO_PID=$!
wait_line "$tmp/out" "pid=$DEMO_PID\$" 5 "$tmp/err"

printf 'set -g remain-on-exit on\n' >"$tmp/tmux.conf"
T -f "$tmp/tmux.conf" new-session -d -s main -x 100 -y 30 \
    "env XDG_CONFIG_HOME='$XDG_CONFIG_HOME' LC_ALL=C.UTF-8 '$GMPTOP' -p $DEMO_PID -d 0.5; \
     echo \$? > '$tmp/status'" ||
    fail "tmux new-session failed"
wait_in screen "PID $DEMO_PID" 10
wait_in screen "1 Sched  2 Latency  3 Cores  4 NUMA  5 Threads  6 Diag" 2
# The rule needs 5 s of backlog; the demo needs a moment to queue its goroutines.
wait_in strip "WARN runqueue backlog: [0-9]+ goroutines have waited" 20
pass "the strip shows the runqueue backlog"

T send-keys -t main 6
wait_in pane "^ Active findings \\(1\\)" 3
wait_in pane "^>WARN runqueue backlog +for [0-9]" 2
wait_in pane "^   [0-9]+ goroutines have waited in runqueues" 2
wait_in pane "queued=[0-9]+ +runq_global=[0-9]+" 2
wait_in pane "^ run_delay +.* disabled" 2
wait_in pane "^ runq_backlog +.* ACTIVE +queued_per_p [0-9.]+/16" 2
wait_in pane "^ lock_contention +.* quiet +waiters [0-9]+/4" 2
pass "pane 6 lists the finding, its message and evidence, and the rules' states and figures"

T send-keys -t main Enter
wait_in pane "GOMAXPROCS 2" 3
pass "Enter goes to the scheduler pane"

T send-keys -t main d
wait_in pane "^ Active findings" 3
T send-keys -t main F1
wait_in screen "diagnosis explained" 3
wait_in screen "runqueue backlog \\(runq_backlog\\)" 2
wait_in screen "queued_per_p = 16 goroutines \\(default 16\\)" 2
wait_in screen "Figures now: queued_per_p = [0-9.]+ \\(threshold 16\\)" 2
wait_in screen "Each P .* local queue" 2
T send-keys -t main Escape
wait_gone_in screen "diagnosis explained" 3
pass "F1 explains the finding with its thresholds"

T send-keys -t main F2
wait_in pane "^ Setup: " 3
wait_in pane "file: $rc" 2
i=0
until screen | grep -qE '^> *\[x\] runq_backlog'; do
    [ $i -lt 60 ] || fail "no runq_backlog row in the setup screen:
$(screen)"
    T send-keys -t main Down
    sleep 0.05
    i=$((i + 1))
done
T send-keys -t main Space
wait_in pane "^> *\\[ \\] runq_backlog" 2
T send-keys -t main Down Enter a b c Enter
wait_in pane "not a number: 'abc'" 2
T send-keys -t main C-u 3 2 Enter
wait_in pane "^> +queued_per_p +32 goroutines" 2
T send-keys -t main F2
wait_in screen "saved to $rc" 3
wait_gone_in pane "^ Setup: " 2
grep -qx 'diag.runq_backlog.enabled = false' "$rc" ||
    fail "settings file lacks 'diag.runq_backlog.enabled = false':
$(cat "$rc")"
grep -qx 'diag.runq_backlog.queued_per_p = 32' "$rc" ||
    fail "settings file lacks 'diag.runq_backlog.queued_per_p = 32':
$(cat "$rc")"
grep -qx 'diag.run_delay.enabled = false' "$rc" || fail "run_delay setting lost:
$(cat "$rc")"
grep -qx 'future.option = kept' "$rc" || fail "unknown key lost by the save:
$(cat "$rc")"
ls "$XDG_CONFIG_HOME/gmptop" | grep -qv '^gmptoprc$' &&
    fail "temp files left next to the settings: $(ls "$XDG_CONFIG_HOME/gmptop")"
pass "F2 switches the rule off, edits a threshold (rejecting 'abc') and saves atomically"

wait_gone_in strip "runqueue backlog" 3
wait_in pane "^ runq_backlog +.* disabled" 3
wait_in pane "^ Recent findings that ended \\(1\\)" 2
pass "the strip drops the disabled rule; pane 6 lists it as ended and disabled"

# Small terminal: nothing wider than the screen on the diagnoses pane, the strip, setup.
T resize-window -t main -x 40 -y 12
sleep 1.2   # two ticks at the new size
for view in 6 1 F2; do
    T send-keys -t main "$view"
    sleep 0.3
    w=$(widest)
    [ "$w" -le 40 ] || fail "a line is $w columns wide at 40x12 ($view):
$(screen)"
    [ "$(screen | wc -l)" -le 12 ] || fail "more than 12 rows at 40x12 ($view)"
done
wait_in pane "^ Setup: " 2
T send-keys -t main Escape
wait_gone_in pane "^ Setup: " 2
pass "40x12: pane 6, the strip and the setup screen fit"

T send-keys -t main q
i=0
while [ ! -s "$tmp/status" ]; do
    # Collectors stop on the way out (BPF probes detach): allow a loaded machine 10 s.
    [ $i -lt 100 ] || fail "gmptop still running 10 s after q"
    sleep 0.1
    i=$((i + 1))
done
[ "$(cat "$tmp/status")" = 0 ] || fail "gmptop exited with status $(cat "$tmp/status")"
pass "q quits with status 0"
exit 0
