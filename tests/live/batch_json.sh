#!/bin/sh
# batch_json: -b --format json prints the documented contract, one object per line,
# for a real Go process; -b text prints a table; the target exiting, or exec'ing another
# program, gives exit 3.
. "$top_srcdir/tests/lib.sh"
need_cmd python3
start_demo pingpong
trap stop_demo EXIT

out=$(mktemp)
"$GMPTOP" -p "$DEMO_PID" -b -n 3 -d 0.3 --format json >"$out" || fail "batch json exited $?"
[ "$(wc -l <"$out")" = 3 ] || fail "want 3 lines, got $(wc -l <"$out")"
python3 - "$out" "$DEMO_PID" <<'PY' || fail "JSON contract"
import calendar, json, os, sys, math, time
path, pid = sys.argv[1], int(sys.argv[2])
lines = open(path).read().splitlines()
keys = {"schema", "time", "pid", "comm", "go_version", "threads"}
tkeys = {"tid", "name", "state", "cpu", "cpu_pct", "migrations_per_s", "nvcsw_per_s",
         "nivcsw_per_s", "run_delay_ms_per_s"}
ncpu = os.cpu_count()
for line in lines:
    o = json.loads(line)
    missing = keys - o.keys()
    assert not missing, f"missing keys {missing}"
    assert o["schema"] == 1 and o["pid"] == pid, o
    assert o["go_version"].startswith("go1."), o["go_version"]
    assert o["comm"] == open(f"/proc/{pid}/comm").read().strip()
    tids = {t["tid"] for t in o["threads"]}
    assert pid in tids, "main thread missing"
    for t in o["threads"]:
        assert tkeys <= t.keys(), f"thread keys missing {tkeys - t.keys()}"
        assert t["cpu"] is None or 0 <= t["cpu"] < ncpu
        for k in ("cpu_pct", "migrations_per_s", "nvcsw_per_s", "nivcsw_per_s",
                  "run_delay_ms_per_s"):
            v = t[k]
            assert v is None or (isinstance(v, (int, float)) and v >= 0), (k, v)
last = json.loads(lines[-1])
seen = {t["tid"] for t in last["threads"]}
live = {int(x) for x in os.listdir(f"/proc/{pid}/task")}
# The Go runtime may start a thread between the sample and this listing: every thread
# gmptop showed must exist, and any extra one must have started after the sample.
assert seen <= live, f"threads {seen - live} shown but not in /proc"
ticks = os.sysconf("SC_CLK_TCK")
boot = time.time() - float(open("/proc/uptime").read().split()[0])
sample = calendar.timegm(time.strptime(last["time"][:19], "%Y-%m-%dT%H:%M:%S"))
for tid in live - seen:
    st = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
    started = boot + int(st[19]) / ticks
    assert started > sample - 1.5, f"thread {tid} (started {started:.1f}) missing from sample at {sample:.1f}"
# ping-pong switches voluntarily all the time: some thread must show it.
assert any((t["nvcsw_per_s"] or 0) > 10 for t in last["threads"]), "no switches seen"
total = sum(t["cpu_pct"] or 0 for t in last["threads"])
assert total > 5, f"ping-pong should use CPU, total {total}"
print("json contract ok:", len(lines), "lines,", len(seen), "threads, cpu", round(total, 1))
PY

"$GMPTOP" -p "$DEMO_PID" -b -n 1 -d 0.2 >"$out" || fail "batch text exited $?"
grep -q "TID .*NAME .*CPU%" "$out" || fail "text header missing: $(cat "$out")"
grep -q "pid $DEMO_PID" "$out" || fail "text pid line missing"

# Target exits while watched: batch mode exits 3 with a message.
"$GMPTOP" -p "$DEMO_PID" -b -n 50 -d 0.1 --format json >"$out" 2>"$out.err" &
gm=$!
sleep 0.5
stop_demo
wait $gm
rc=$?
[ "$rc" = 3 ] || fail "target exit: want status 3, got $rc"
grep -q "exited" "$out.err" || fail "no exit message: $(cat "$out.err")"
rm -f "$out" "$out.err"
pass "batch json/text and target exit"

# The target execs another program: the same pid, but not the program gmptop read (its
# layouts, symbols and probe belong to the old image). Batch mode ends as for an exit.
work=$(mktemp -d /tmp/gmptop-exec.XXXXXX)
trap 'stop_demo; [ -n "${xpid:-}" ] && kill "$xpid" 2>/dev/null; rm -rf "$work"' EXIT
build_workload "$top_srcdir/tests/live/exec_workload.go" "$work/execer"
EXEC_TO=/bin/sleep "$work/execer" >"$work/out" 2>&1 &
xpid=$!
wait_line "$work/out" "pid=$xpid image=\$"
"$GMPTOP" -p "$xpid" -b -n 40 -d 0.2 --format json >"$work/json" 2>"$work/err"
rc=$?
[ "$rc" = 3 ] || fail "target exec: want status 3, got $rc: $(cat "$work/err")"
grep -q "exec'd /.*sleep: no longer the program gmptop attached to" "$work/err" ||
    fail "no exec message: $(cat "$work/err")"
[ "$(wc -l <"$work/json")" -ge 2 ] || fail "no snapshots before the exec"
pass "target exec: $(cat "$work/err")"
