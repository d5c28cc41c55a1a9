#!/bin/sh
# Live test of the scheduler pane: gmptop under tmux on the frozen demo (2 Ps, constant
# runqueues) must show the same Ps and queues as its own batch JSON, and fit 40x12.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_demo

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup sched

# The frozen demo re-executes itself (asyncpreemptoff) before printing its pid line, so
# wait for that line rather than for threads: the first image has threads too.
GOMAXPROCS=2 "$GMPTOP_DEMO_BIN" frozen >"$tmp/out" 2>"$tmp/err" &
DEMO_PID=$!
wait_line "$tmp/out" "pid=$DEMO_PID\$" 5 "$tmp/err"

# Expected figures from gmptop's own batch JSON, once two reads agree (the queues are
# constant once the demo has started all its goroutines). Without python3: the known
# shape of the frozen demo with 2 Ps.
sched_line() {
    "$GMPTOP" -p "$DEMO_PID" -b -n 1 --format json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin).get("sched") or {}
ps = s.get("ps") or []
print(s.get("gomaxprocs"), s.get("runq_global"),
      " ".join("%s:%s:%s:%d" % (p["id"], p["status"], p["runq"], p["runnext"]) for p in ps))
'
}
if command -v python3 >/dev/null 2>&1; then
    prev=
    i=0
    while :; do
        cur=$(sched_line) || fail "batch JSON of pid $DEMO_PID unreadable"
        [ -n "$cur" ] && [ "$cur" = "$prev" ] && break
        [ $i -lt 20 ] || fail "scheduler figures never settled: '$prev' then '$cur'"
        prev=$cur
        sleep 0.2
        i=$((i + 1))
    done
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- $cur
    procs=$1 global=$2
    shift 2
    rows="$*"
else
    procs=2 global=129 rows=
fi
[ "$procs" = 2 ] || fail "batch JSON says GOMAXPROCS $procs, want 2 (line: $cur)"
[ "$global" -gt 0 ] 2>/dev/null || fail "global runq '$global' is not a frozen queue"
echo "expected: GOMAXPROCS $procs, global runq $global, Ps: ${rows:-one 170+runnext, one 0}"

printf 'set -g remain-on-exit on\n' >"$tmp/tmux.conf"
T -f "$tmp/tmux.conf" new-session -d -s main -x 100 -y 30 \
    "env LC_ALL=C.UTF-8 '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status'" ||
    fail "tmux new-session failed"
wait_re "PID $DEMO_PID" 10
T send-keys -t main 1
wait_re "GOMAXPROCS $procs" 5
wait_re "STATUS +RUNQ" 2
wait_re "global runq $global( |\$)" 5
pass "pane 1 shows GOMAXPROCS $procs and global runq $global"

# One row per P, each one running (unpreemptible loops hold them).
wait_re "^ +1 running " 5
nrows=$(screen | grep -cE '^ +[0-9]+ (running|idle|syscall|gcstop|dead) ')
[ "$nrows" = 2 ] || fail "$nrows P rows, want 2:
$(screen)"
nrun=$(screen | grep -cE '^ +[01] running +[0-9]+ ')
[ "$nrun" = 2 ] || fail "$nrun Ps running, want both:
$(screen)"
if [ -n "$rows" ]; then
    for r in $rows; do
        id=${r%%:*} rest=${r#*:}
        rest=${rest#*:}
        q=${rest%%:*} next=${rest#*:}
        line=$(screen | grep -E "^ +$id running +$q ") ||
            fail "no row 'P $id running runq $q':
$(screen)"
        if [ "$next" = 1 ]; then
            echo "$line" | grep -q "✓" || fail "P $id: runnext set but no tick: $line"
        fi
    done
else
    # Without the JSON to compare with: the frozen demo's usual shape. (With it, the
    # rows above are exact; under load one P may hold a goroutine or two, not none.)
    screen | grep -qE '^ +[01] running +170 .*✓' || fail "no P with runq 170 + runnext:
$(screen)"
    screen | grep -qE '^ +[01] running +0 ' || fail "no P with an empty runqueue:
$(screen)"
fi
pass "2 P rows, both running, runqueues match the batch JSON"

# A tall terminal gets the history taller and longer: the census trend and a chart per
# P under the table, instead of rows left blank.
# The 100x30 screen already shows both charts, so their lines match before gmptop has
# redrawn at the new size: wait for the redraw itself, the last chart row (P1's) moving
# down near the bottom (the space is used, not left blank). A loaded CI machine once
# took longer than the first match to redraw.
T resize-window -t main -x 150 -y 45
i=0 used=0
while [ $i -lt 100 ]; do
    used=$(screen | grep -nE '^ +P1 ' | tail -n 1 | cut -d: -f1)
    [ "${used:-0}" -ge 38 ] && break
    sleep 0.1
    i=$((i + 1))
done
screen | grep -qE "^ +Goroutines [0-9]+ now, [0-9]+-[0-9]+ over the last [0-9.]+ s" ||
    fail "no census trend at 150x45:
$(screen)"
screen | grep -qE "^ +Local runqueue per P over the last [0-9.]+ s \(top of scale: [0-9]+ goroutines\)" ||
    fail "no per-P runqueue charts at 150x45:
$(screen)"
[ "${used:-0}" -ge 38 ] || fail "the charts end at row ${used:-?} of 45 at 150x45:
$(screen)"
w=$(widest)
[ "$w" -le 150 ] || fail "a line is $w columns wide at 150x45"
pass "150x45: census trend and per-P runqueue charts fill the pane (to row $used of 45)"
T resize-window -t main -x 80 -y 24
sleep 1.2
w=$(widest)
[ "$w" -le 80 ] || fail "a line is $w columns wide at 80x24:
$(screen)"
screen | grep -qE '^ +[01] running +[0-9]+ ' || fail "P rows lost at 80x24:
$(screen)"
pass "80x24: P rows kept, widest line $w"

# Small terminal: the rows stay, nothing wider than the screen.
T resize-window -t main -x 40 -y 12
sleep 1.2   # two ticks at the new size
w=$(widest)
[ "$w" -le 40 ] || fail "a line is $w columns wide at 40x12:
$(screen)"
[ "$(screen | wc -l)" -le 12 ] || fail "more than 12 rows at 40x12"
screen | grep -qE '^ +[01] running +[0-9]+ ' || fail "P rows lost at 40x12:
$(screen)"
screen | grep -q 'RUNQ' || fail "RUNQ column lost at 40x12:
$(screen)"
pass "40x12: P rows kept, widest line $w"

T send-keys -t main q
i=0
while [ ! -s "$tmp/status" ]; do
    [ $i -lt 50 ] || fail "gmptop still running 5 s after q"
    sleep 0.1
    i=$((i + 1))
done
[ "$(cat "$tmp/status")" = 0 ] || fail "gmptop exited with status $(cat "$tmp/status")"
pass "q quits with status 0"
exit 0
