#!/bin/sh
# Live rewind under tmux: gmptop watches the mutex demo at -d 0.5 while recording it
# (--record); the test steps the screen back N snapshots with Left and checks that the
# scheduler pane's P rows and the latency pane's wait-reason rows are what the JSON of
# that same snapshot says (the recording replayed with -b, matched by the snapshot's
# time to the millisecond; --rewind 40 makes chains of 5, so N back is in a chain that
# was packed and, where a disk-backed directory takes it, written to the spill file), that collection went on underneath (the rewound moment
# drifts further back while live), that g goes to a time typed as HH:MM:SS (Esc leaves
# its prompt), and that l returns to live. Then, on a mutex demo that calms down after
# 12 s, Enter on the lock contention finding that ended (diagnoses pane) rewinds to the
# snapshot where it began.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_root
need_demo
need_park

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup rewind
N=8

start_demo mutex
restart_main 160 50 "env TZ=UTC TERM=xterm-256color LANG=C.UTF-8 \
    XDG_CONFIG_HOME=/nonexistent '$GMPTOP' -p $DEMO_PID -d 0.5 --rewind 40 --record '$tmp/rec.gmrec'"
wait_re "PID $DEMO_PID" 10
T send-keys -t main 2
wait_re "^ *semacquire +[0-9]+ +[0-9.]+ " 15
T send-keys -t main 1
wait_re "^ *P STATUS" 5
# A few seconds of history to step through (the charts say how long they cover).
wait_re "over the last ([6-9]|[1-9][0-9])[.0-9]* s" 20
# The packed chains went to an unlinked file in the first disk-backed one of $TMPDIR,
# /var/tmp and /tmp (record/archive_spill.h), where there is one.
spill_dir=""
for d in ${TMPDIR:-} /var/tmp /tmp; do
    [ -d "$d" ] && [ -w "$d" ] || continue
    case $(stat -f -c %T "$d" 2>/dev/null) in tmpfs|ramfs|"") continue ;; esac
    spill_dir=$d
    break
done
gpid=$(pgrep -n -f "^$GMPTOP -p $DEMO_PID -d 0.5 --rewind 40")
if [ -n "$spill_dir" ]; then
    ls -l "/proc/$gpid/fd" 2>/dev/null | grep -q " $spill_dir/.*(deleted)" ||
        fail "no spill file in $spill_dir among gmptop's fds: $(ls -l /proc/$gpid/fd | tr '\n' ' ')"
    pass "the rewind history's packed chains are in an unlinked file in $spill_dir"
else
    echo "note: no disk-backed temporary directory here: the history stays in memory"
fi

# Rewinding while live: the moment shown stays put while new snapshots arrive.
T send-keys -t main Left
wait_re "REWIND -[0-9]+s at [0-9:.]+, [0-9]+ of [0-9]+ back" 3
a=$(screen | sed -nE 's/.*REWIND -[0-9]+s at ([0-9:.]+), ([0-9]+) of.*/\1 \2/p')
sleep 1.6
b=$(screen | sed -nE 's/.*REWIND -[0-9]+s at ([0-9:.]+), ([0-9]+) of.*/\1 \2/p')
[ "${a% *}" = "${b% *}" ] || fail "the rewound moment moved while live: '$a' then '$b'"
[ "${b#* }" -gt "${a#* }" ] || fail "collection did not go on under a rewind: '$a' then '$b'"
screen | head -n 1 | grep -qE "REWIND -[0-9]+s" || fail "no REWIND marker in the header"
pass "rewound while live: $a, then $b (the same moment, further back)"
T send-keys -t main l
wait_gone_re "REWIND" 3
pass "l returns to live"

# Pause (ticks stop, the recording holds the same frames), then N snapshots back.
T send-keys -t main Space
wait_re "PAUSED" 3
i=0
while [ $i -lt $N ]; do
    T send-keys -t main Left
    i=$((i + 1))
done
wait_re "REWIND -[0-9]+s at [0-9:.]+, $N of [0-9]+ back" 3
when=$(screen | sed -nE 's/.*REWIND -[0-9]+s at ([0-9:.]+),.*/\1/p')
screen >"$tmp/sched.txt"
T send-keys -t main 2
wait_re "WAIT REASON" 3
sleep 0.3
screen >"$tmp/latency.txt"
T send-keys -t main l
wait_gone_re "REWIND" 3
# g goes to a time, as in --replay: the second of the moment compared above (at -d 0.5
# two snapshots fall in it; the first is shown). Esc leaves the prompt.
sec=${when%.*}
T send-keys -t main g
wait_re "Go to \(HH:MM:SS" 3
T send-keys -t main "$sec" Enter
wait_re "REWIND -[0-9]+s at $sec\.[0-9]{3}, [0-9]+ of [0-9]+ back" 3
pass "g $sec: $(screen | grep -o "REWIND -[0-9]*s at [0-9:.]*, [0-9]* of [0-9]* back")"
T send-keys -t main g 9 Escape
wait_gone_re "Go to \(" 3
screen | grep -qE "REWIND -[0-9]+s at $sec\." || fail "Esc in the go-to prompt moved the view"
T send-keys -t main l
wait_gone_re "REWIND" 3
T send-keys -t main q
i=0
while T has-session -t main 2>/dev/null && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done

"$GMPTOP" --replay "$tmp/rec.gmrec" -b --format json >"$tmp/replay.json" 2>"$tmp/replay.err" ||
    fail "replay failed: $(cat "$tmp/replay.err")"
python3 - "$tmp/replay.json" "$when" "$tmp/sched.txt" "$tmp/latency.txt" <<'EOF' ||
import json, re, sys
path, when, sched_txt, lat_txt = sys.argv[1:5]
rows = [json.loads(l) for l in open(path) if l.startswith("{")]
snap = [r for r in rows if r["time"].endswith("T%sZ" % when)]
if len(snap) != 1:
    sys.exit("no single snapshot at %s in the replay (%d rows, %s..%s)" %
             (when, len(rows), rows[0]["time"] if rows else "", rows[-1]["time"] if rows else ""))
snap = snap[0]

def dash(v):
    return "-" if v is None or v == -1 else str(v)

# P rows: P STATUS RUNQ MAX MEAN NEXT SCHED/s SYSC/s M TID CPU G ...
seen = {}
for line in open(sched_txt):
    m = re.match(r"^ +(\d+) (idle|running|syscall|gcstop|dead) +(\d+) +(\d+) +[0-9.]+ +\S+ +"
                 r"[0-9.n/a-]+ +[0-9.n/a-]+ +(\S+) +(\S+) +(\S+) +(\S+)", line)
    if m:
        seen[int(m.group(1))] = m.groups()[1:]
ps = snap["sched"]["ps"]
if not ps or len(seen) != len(ps):
    sys.exit("scheduler pane shows %d P rows, the JSON %d" % (len(seen), len(ps)))
for p in ps:
    want = (p["status"], str(p["runq"]), str(p["runq_max"]), dash(p["m_id"]),
            dash(p["m_tid"]), dash(p["cpu"]), dash(p["curg"]))
    if tuple(seen[p["id"]]) != want:
        sys.exit("P%d: pane %s, JSON %s" % (p["id"], seen[p["id"]], want))

# Wait reasons: the table's PARKS column is the interval's, or since the attach when
# the pane says the probe was off for the interval.
lat = open(lat_txt).read()
since = "since attach" in lat
table = lat.split("WAIT REASON", 1)[1].splitlines()[1:]
shown = {}
for line in table:
    m = re.match(r"^ (\S.*?\S) +(\d+) +[0-9.]+ ", line)
    if not m:
        break
    shown[m.group(1)] = int(m.group(2))
want = {}
for r in snap["park"].get("reasons") or []:
    n = r["since_attach"]["count"] if since else r["count"]
    if n:
        want[r["reason"]] = n
if not shown or shown != want:
    sys.exit("latency pane %s, JSON %s (since attach: %s)" % (shown, want, since))
print("%d Ps and %d wait reasons match the JSON at %s" % (len(ps), len(shown), when))
EOF
    fail "the rewound panes differ from the recording's JSON"
pass "rewound $N snapshots: the scheduler and latency panes equal -b's JSON of that moment"

# ---- Enter on a finding that ended rewinds to the snapshot where it began ----------
# The mutex demo contends for 12 s and then calms down: lock contention fires (after its
# 5 s hold) and ends while the program lives on.
kill "$DEMO_PID" 2>/dev/null
wait "$DEMO_PID" 2>/dev/null
start_demo mutex -calm-after 12s
restart_main 160 50 "env TZ=UTC TERM=xterm-256color LANG=C.UTF-8 \
    XDG_CONFIG_HOME=/nonexistent '$GMPTOP' -p $DEMO_PID -d 0.5"
wait_re "PID $DEMO_PID" 10
T send-keys -t main 6
# The ended lock contention, selected: a selected ended finding is marked ">" and shows
# its message (the line under it). To the top with Up (tmux's Home is not xterm's),
# then Down until it is the one. (No {n} in the patterns: mawk has none.)
past='^[ >]*[A-Z]+ +lock contention +([0-9][0-9]:[0-9][0-9]:[0-9][0-9])-[0-9:]+ [(]'
selected() {
    screen | awk -v re="$past" '
        found { sel = ($0 ~ /[Mm]utex/); checked = 1; exit }
        $0 ~ re && seen_head { found = 1 }
        /Recent findings that ended/ { seen_head = 1 }
        END { exit !(found && checked && sel) }'
}
# Other findings (threads waiting for a CPU) may end first: wait for this one.
wait_re "$past" 40
i=0
while [ $i -lt 20 ]; do
    T send-keys -t main Up
    i=$((i + 1))
done
i=0
until selected; do
    i=$((i + 1))
    [ $i -lt 20 ] || fail "could not select the ended lock contention; screen was:
$(screen)"
    T send-keys -t main Down
    sleep 0.2
done
from=$(screen | awk '/Recent findings that ended/ { h = 1 } h' | grep -m1 -oE "$past" |
       sed -E "s/$past/\1/")
[ -n "$from" ] || fail "no start time on the ended finding's line: $(screen)"
T send-keys -t main Enter
wait_re "REWIND -[0-9]+s at $from\.[0-9]{3}, [0-9]+ of [0-9]+ back" 5
pass "Enter on lock contention that ended (began $from): $(screen | grep -o "REWIND -[0-9]*s at [0-9:.]*")"
T send-keys -t main l
wait_gone_re "REWIND" 3
T send-keys -t main q
