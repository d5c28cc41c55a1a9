#!/bin/sh
# Live test of the interactive TUI: drive gmptop inside a detached tmux against a Go demo
# workload, and check what a person would see (header, panes, help, sizes, picker, quit).
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
[ -f "$top_srcdir/tests/lib.sh" ] && . "$top_srcdir/tests/lib.sh"
command -v skip >/dev/null 2>&1 || skip() {
    echo "SKIP: $*"
    [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ] && exit 1
    exit 77
}
command -v fail >/dev/null 2>&1 || fail() {
    echo "FAIL: $*" >&2
    exit 1
}
command -v pass >/dev/null 2>&1 || pass() {
    echo "ok: $*"
}

GMPTOP=${GMPTOP:-$top_builddir/gmptop}
DEMO=${GMPTOP_DEMO_BIN:-$top_builddir/demo/gmptop-demo}
command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
[ -x "$DEMO" ] || skip "no demo binary at $DEMO (configure found no Go toolchain?)"

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup basic
# gmptop remembers the last pane in its settings file: every run here gets a settings
# base that does not exist (nothing is written), except the one that tests remembering.
export XDG_CONFIG_HOME="$tmp/no-config"
# The picker runs as nobody and in a user namespace: copies of gmptop and its themes
# they can reach from any checkout. Made before the tmux server starts, so that its
# panes inherit the exported paths.
reachable_copies

# wait_for FIXED-TEXT [TIMEOUT-SECONDS]: poll the screen until the text shows.
wait_for() {
    i=0
    limit=$(( ${2:-5} * 10 ))
    while [ $i -lt "$limit" ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    screen > "$tmp/last-screen"
    fail "'$1' did not appear within ${2:-5}s; screen was:
$(cat "$tmp/last-screen")"
}

wait_gone() {
    i=0
    while [ $i -lt 50 ]; do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "'$1' still on screen after 5s"
}

# wait_dead STATUS-FILE WHAT: gmptop exited (the wrapper wrote its status) with 0.
# The status comes from a wrapper, not #{pane_dead_status}: tmux 3.3 can mark a pane
# dead before it has collected the exit status, and sometimes never shows it.
wait_dead() {
    i=0
    while [ $i -lt 50 ]; do
        if [ -s "$1" ]; then
            st=$(cat "$1")
            [ "$st" = 0 ] && return 0
            fail "gmptop exited with status $st after $2; screen:
$(screen)"
        fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "gmptop still running 5s after $2; screen:
$(screen)"
}


"$DEMO" pingpong >/dev/null 2>&1 &
DEMO_PID=$!
i=0
while [ "$(ls "/proc/$DEMO_PID/task" 2>/dev/null | wc -l)" -lt 2 ]; do
    [ $i -lt 50 ] || fail "demo pingpong did not start"
    sleep 0.1
    i=$((i + 1))
done

# remain-on-exit keeps the pane (and its screen) after gmptop quits.
printf 'set -g remain-on-exit on\n' > "$tmp/tmux.conf"
T -f "$tmp/tmux.conf" new-session -d -s main -x 80 -y 24 \
    "env LC_ALL=C.UTF-8 '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status1'" ||
    fail "tmux new-session failed"
target=main

# Header: pid and Go version.
wait_for "PID $DEMO_PID" 10
wait_for "go1."
pass "header shows PID $DEMO_PID and the Go version"

# A Go program opens on the scheduler pane: what gmptop is for.
wait_re "GOMAXPROCS [0-9]+" 5
wait_re "STATUS +RUNQ" 2
pass "a Go target opens on the scheduler pane"

# Threads pane: the main thread (tid == pid) is a row; count the others we can see.
T send-keys -t "$target" 5
wait_re "^ *$DEMO_PID +[^ ]" 5
seen=0
for tid in $(ls "/proc/$DEMO_PID/task"); do
    screen | grep -qE "^ *$tid " && seen=$((seen + 1))
done
pass "threads pane lists the main thread ($seen of $(ls "/proc/$DEMO_PID/task" | wc -l) tids visible)"
wait_re "[0-9]+\.[0-9] " 5
pass "threads pane shows rates"

# Pane 1 is the scheduler (or says why it cannot read it); 2-4 latency, cores, NUMA.
SCHED_RE='GOMAXPROCS [0-9]+|Scheduler data unavailable'
T send-keys -t "$target" 1
wait_re "$SCHED_RE" 5
pass "key 1 shows the scheduler pane"
for key in 2 3 4; do
    T send-keys -t "$target" "$key"
    case $key in
    2) wait_re "WAIT REASON|BPF|Runtime sched latency" 5 ;;  # the latency pane
    3) wait_re "CPU +UTIL%|Core counters unavailable" 5 ;;   # the cores pane
    4) wait_re "NUMA node|NUMA data unavailable" 5 ;;         # the NUMA pane
    esac
done
pass "keys 2-4 show the latency, cores and NUMA panes"
T send-keys -t "$target" Tab
wait_for "RUNDLY"
T send-keys -t "$target" Tab
wait_for "Active findings"
T send-keys -t "$target" Tab
wait_re "goroutines in [0-9]+ groups|goroutine stacks n/a" 5
T send-keys -t "$target" Tab
wait_re "on-CPU profile" 5
T send-keys -t "$target" Tab
wait_re "$SCHED_RE" 5
T send-keys -t "$target" BTab
wait_re "on-CPU profile" 5
T send-keys -t "$target" BTab
wait_re "goroutines in [0-9]+ groups|goroutine stacks n/a" 5
T send-keys -t "$target" BTab
wait_for "Active findings"
T send-keys -t "$target" BTab
wait_for "RUNDLY"
pass "Tab / Shift-Tab cycle the panes"

# Help opens with F1 and h on the pane in view (threads), ? at the top, and any key
# closes it.
T send-keys -t "$target" F1
wait_for "Threads pane (5)"
T send-keys -t "$target" x
wait_gone "Threads pane (5)"
T send-keys -t "$target" h
wait_for "Threads pane (5)"
T send-keys -t "$target" Enter
wait_gone "Threads pane (5)"
T send-keys -t "$target" '?'
wait_for "run delay"
T send-keys -t "$target" Enter
wait_gone "run delay"
wait_for "RUNDLY"
pass "help opens (F1, h on the pane in view; ? at the top), explains run delay, closes on any key"

# Small terminals: the header stays, nothing wider than the screen; below 40x12 a note.
T resize-window -t "$target" -x 40 -y 12
wait_for "PID $DEMO_PID"
sleep 0.7   # one more tick at the new size
w=$(widest)
[ "$w" -le 40 ] || fail "a line is $w columns wide at 40x12:
$(screen)"
[ "$(screen | wc -l)" -le 12 ] || fail "more than 12 rows at 40x12"
screen | grep -q "PID $DEMO_PID" || fail "header lost at 40x12: $(screen)"
pass "40x12: header kept, widest line $w"
T resize-window -t "$target" -x 30 -y 10
wait_for "too small"
pass "30x10: says the terminal is too small"
T resize-window -t "$target" -x 80 -y 24
wait_for "RUNDLY"

# Picker lists the demo.
T send-keys -t "$target" p
wait_for "Pick a"
wait_re "^ *\\*?$DEMO_PID +[^ ]" 5
pass "picker lists the demo pid"

# q quits with status 0.
T send-keys -t "$target" q
wait_dead "$tmp/status1" q
# endwin() leaves the alternate screen: the UI must not stay painted on the terminal.
wait_gone "F1 Help"
pass "q quits with status 0 and restores the terminal"

# Processes the picker cannot check get a note with the right advice: an unprivileged
# user needs root; root in a user namespace of its own already is root there, and the
# processes outside it stay unreadable whatever it does.
# picker_note WINDOW PREFIX ERE: the picker of gmptop run under PREFIX shows ERE.
picker_note() {
    T new-window -d -t main -n "$1" "$2 env XDG_CONFIG_HOME=/nonexistent '$GMPTOP'" ||
        fail "tmux new-window failed"
    target=main:$1
    wait_for "Pick a" 10
    wait_re "$3" 5
    T send-keys -t "$target" q
}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    picker_note nobody "setpriv --reuid=65534 --regid=65534 --clear-groups" \
        "process(es)? could not be checked \(GO \?\): needs root or CAP_SYS_PTRACE"
    pass "picker as an unprivileged user: the unchecked processes need root"
    if unshare -U -r true 2>/dev/null; then
        picker_note userns "unshare -U -r" \
            "could not be checked \(GO \?\): outside gmptop's user namespace"
        pass "picker as root in its own user namespace: no 'needs root' advice"
    fi
fi

# A Linux console without colours and without UTF-8 still starts and quits cleanly.
T new-window -d -t main -n plain \
    "env TERM=linux NO_COLOR=1 LC_ALL=C '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status2'" ||
    fail "tmux new-window failed"
target=main:plain
wait_for "PID $DEMO_PID" 10
wait_for "GOMAXPROCS"
T send-keys -t "$target" F10
wait_dead "$tmp/status2" F10
pass "TERM=linux NO_COLOR=1 LC_ALL=C: starts and quits (F10) cleanly"

# A program whose scheduler cannot be read opens on Threads, and pane 1 says why. Here
# the sched collector is left out; an unverifiable layout takes the same path.
T new-window -d -t main -n nosched \
    "'$GMPTOP' -p $DEMO_PID -d 0.5 --collectors threads,cpus; echo \$? > '$tmp/status3'" ||
    fail "tmux new-window failed"
target=main:nosched
wait_for "PID $DEMO_PID" 10
wait_for "RUNDLY"
T send-keys -t "$target" 1
wait_re "Scheduler data unavailable: the sched collector is" 5
T send-keys -t "$target" q
wait_dead "$tmp/status3" q
pass "a target whose scheduler cannot be read opens on Threads; pane 1 says why"

# The pane last chosen is where the next run opens, kept in the settings file.
cfg="$tmp/config"
mkdir -p "$cfg"
T new-window -d -t main -n remember1 \
    "env XDG_CONFIG_HOME='$cfg' '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status4'" ||
    fail "tmux new-window failed"
target=main:remember1
wait_re "GOMAXPROCS [0-9]+" 10
T send-keys -t "$target" 4
wait_re "NUMA node|NUMA data unavailable" 5
T send-keys -t "$target" q
wait_dead "$tmp/status4" q
grep -qx 'tui.pane = numa' "$cfg/gmptop/gmptoprc" ||
    fail "settings file lacks 'tui.pane = numa': $(cat "$cfg/gmptop/gmptoprc" 2>&1)"
T new-window -d -t main -n remember2 \
    "env XDG_CONFIG_HOME='$cfg' '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status5'" ||
    fail "tmux new-window failed"
target=main:remember2
wait_for "PID $DEMO_PID" 10
wait_re "NUMA node|NUMA data unavailable" 5
T send-keys -t "$target" q
wait_dead "$tmp/status5" q
[ -e "$tmp/no-config" ] && fail "a run with XDG_CONFIG_HOME pointing nowhere created it"
pass "the last pane chosen (NUMA) is where the next run opens; nothing written elsewhere"

exit 0
