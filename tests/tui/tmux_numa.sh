#!/bin/sh
# Live test of the NUMA pane (key 4) against gmptop's own batch JSON, on a loaded HTTP
# server with GOMAXPROCS=2: the Ps column per node and the "Node of each P's thread"
# line must place the Ps where the JSON does (numa.nodes[].ps and sched.ps[].node). The
# pane and a JSON sample are taken at slightly different instants, and a P whose
# goroutine is in a syscall or that is idle has no M at that instant, so a try counts
# only when both place every P; a few tries are allowed. Each side must also agree with
# itself: the Ps column is the count of its line's Ps on that node. Run twice: with the
# default collectors, and without the cpus collector (CPU rows carry no node then).
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
need_cmd python3
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup numa

build_workload "$top_srcdir/tests/live/http_workload.go" "$tmp/http"
GOMAXPROCS=2 "$tmp/http" >"$tmp/out" 2>"$tmp/err" &
DEMO_PID=$!
wait_line "$tmp/out" "pid=$DEMO_PID\$" 10 "$tmp/err"

# compare PANE JSON: "ok ..." when both place every P and agree, else why not.
cat >"$tmp/compare.py" <<'EOF'
import json, re, sys
pane = open(sys.argv[1]).read().splitlines()
try:
    d = json.load(open(sys.argv[2]))
except ValueError as e:
    print("JSON unreadable: %s" % e)
    sys.exit(1)

def counts(nodes_of_ps):
    c = {}
    for n in nodes_of_ps.values():
        if n is not None:
            c[n] = c.get(n, 0) + 1
    return c

# The pane: node rows under the NODE header, then the P line.
rows, in_table = {}, False
for line in pane:
    if re.match(r"^ *NODE +CPUS", line):
        in_table = True
        continue
    m = re.match(r"^ +(\d+) +\S+ +\S+ +(\d+) +(\d+) ", line) if in_table else None
    if m:
        rows[int(m.group(1))] = int(m.group(3))
    elif in_table:
        in_table = False
pline = [l for l in pane if "Node of each P's thread:" in l]
if not rows or not pline:
    print("pane: no node rows or no P line")
    sys.exit(1)
pane_ps = {}
for pid, node in re.findall(r"P(\d+):(n\d+|-)", pline[0]):
    pane_ps[int(pid)] = int(node[1:]) if node != "-" else None

# The JSON: the numa section's Ps per node, the sched section's node of each P.
numa, sched = d.get("numa") or {}, d.get("sched") or {}
json_rows = {n["node"]: n["ps"] for n in numa.get("nodes") or []}
json_ps = {p["id"]: p["node"] for p in sched.get("ps") or []}

why = []
if {n: c for n, c in rows.items() if c} != counts(pane_ps):
    why.append("pane disagrees with itself: Ps column %s, P line %s" % (rows, pane_ps))
if {n: c for n, c in json_rows.items() if c} != counts(json_ps):
    why.append("JSON disagrees with itself: numa ps %s, sched nodes %s" % (json_rows, json_ps))
if len(pane_ps) != 2 or None in pane_ps.values():
    why.append("pane does not place every P: %s" % pline[0].strip())
if len(json_ps) != 2 or None in json_ps.values():
    why.append("JSON does not place every P: %s (%s)" % (
        json_ps, ", ".join("P%d %s" % (p["id"], p["status"]) for p in sched.get("ps") or [])))
if rows != json_rows:
    why.append("Ps per node: pane %s, JSON %s" % (rows, json_rows))
print("; ".join(why) if why else "ok: Ps per node %s, P nodes %s" % (rows, pane_ps))
EOF

# check_run LABEL [GMPTOP OPTIONS]: the pane and the JSON, both with those options.
check_run() {
    label=$1
    shift
    restart_main 160 40 "env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME=/nonexistent \
        '$GMPTOP' -p $DEMO_PID -d 0.5 $*"
    wait_re "PID $DEMO_PID" 10
    T send-keys -t main 4
    wait_re "Node of each P's thread:" 5
    try=0 last=
    while [ $try -lt 8 ]; do
        screen >"$tmp/pane.txt"
        "$GMPTOP" -p "$DEMO_PID" -b -n 1 --format json "$@" >"$tmp/sample.json" 2>/dev/null
        last=$(python3 "$tmp/compare.py" "$tmp/pane.txt" "$tmp/sample.json")
        case $last in
        ok:*) pass "$label: $last (try $((try + 1)))"; return 0 ;;
        esac
        echo "$label try $((try + 1)): $last"
        try=$((try + 1))
        sleep 0.3
    done
    fail "$label: the NUMA pane and the JSON never agreed in $try tries; last: $last
$(cat "$tmp/pane.txt")"
}

check_run "default collectors"
check_run "without the cpus collector" --collectors threads,sched,numa
exit 0
