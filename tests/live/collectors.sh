#!/bin/sh
# collectors: the threads and cpus collectors against a real Go process, through the
# batch JSON output: tids match /proc, a spinning thread shows ~100% CPU, rates are
# null without a previous sample and numbers with one, last CPUs are real CPU numbers.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
[ -f "$top_srcdir/tests/lib.sh" ] && . "$top_srcdir/tests/lib.sh"
# Fallbacks so the script also runs before/without tests/lib.sh.
command -v skip >/dev/null 2>&1 || skip() {
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then echo "FAIL (skip): $*" >&2; exit 1; fi
    echo "SKIP: $*" >&2; exit 77
}
command -v fail >/dev/null 2>&1 || fail() { echo "FAIL: $*" >&2; exit 1; }
: "${top_builddir:=$top_srcdir}"
: "${GMPTOP:=$top_builddir/gmptop}"

GO=${GMPTOP_TEST_GO:-/usr/bin/go}
[ -x "$GMPTOP" ] || skip "gmptop binary not built: $GMPTOP"
[ -x "$GO" ] || skip "needs a Go toolchain at $GO"
command -v python3 >/dev/null 2>&1 || skip "needs python3"

tmp=$(mktemp -d)
SPIN_PID=
cleanup() {
    [ -n "$SPIN_PID" ] && kill "$SPIN_PID" 2>/dev/null && wait "$SPIN_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# ---- --list-collectors --------------------------------------------------------------------
"$GMPTOP" --list-collectors >"$tmp/list" 2>&1 || fail "--list-collectors exited $?"
for c in threads cpus; do
    line=$(grep -E "(^|[^[:alnum:]_])$c([^[:alnum:]_]|$)" "$tmp/list" | head -n 1)
    [ -n "$line" ] || fail "--list-collectors does not list $c: $(cat "$tmp/list")"
    printf '%s\n' "$line" | grep -qw available || fail "$c not available: $line"
    printf '%s\n' "$line" | grep -Eqi 'not available|unavailable' &&
        fail "$c not available: $line"
done

# ---- a Go CPU burner ----------------------------------------------------------------------
# One goroutine spins on a locked OS thread and prints that thread's id; the rest of the
# process sleeps, so exactly one thread should be near 100% of a CPU.
mkdir -p "$tmp/spin"
cat >"$tmp/spin/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

var sink uint64

func main() {
	go func() {
		runtime.LockOSThread()
		fmt.Println(syscall.Gettid())
		os.Stdout.Sync()
		for {
			sink++
		}
	}()
	time.Sleep(10 * time.Minute)
}
EOF
printf 'module spin\n\ngo 1.19\n' >"$tmp/spin/go.mod"
# make check may run without HOME; keep the build cache inside the temp dir then.
case $("$GO" env GOCACHE 2>/dev/null) in
    /*) ;;
    *) GOCACHE="$tmp/gocache"; export GOCACHE ;;
esac
(cd "$tmp/spin" && GOFLAGS=-buildvcs=false GO111MODULE=on "$GO" build -o spin .) \
    >"$tmp/build.log" 2>&1 || fail "go build of the burner failed: $(cat "$tmp/build.log")"

GOMAXPROCS=2 "$tmp/spin/spin" >"$tmp/spin.out" &
SPIN_PID=$!
i=0
while [ ! -s "$tmp/spin.out" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
SPIN_TID=$(head -n 1 "$tmp/spin.out")
[ -n "$SPIN_TID" ] || fail "burner did not report its spinning thread"
# Let the runtime finish creating its threads so the set is stable while sampling.
prev=0; i=0
while [ $i -lt 30 ]; do
    n=$(ls "/proc/$SPIN_PID/task" | wc -l)
    [ "$n" = "$prev" ] && break
    prev=$n; sleep 0.2; i=$((i + 1))
done

# ---- batch JSON ---------------------------------------------------------------------------
# python runs gmptop itself so it can time the spinner's own schedstat around the run.
python3 - "$GMPTOP" "$SPIN_PID" "$SPIN_TID" <<'PY' || fail "threads collector"
import json, os, subprocess, sys, time
gmptop, pid, spin_tid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def spin_run_ns():
    with open(f"/proc/{pid}/task/{spin_tid}/schedstat") as f:
        return int(f.read().split()[0])

run0, t0 = spin_run_ns(), time.monotonic()
res = subprocess.run([gmptop, "-p", str(pid), "-b", "-n", "3", "-d", "0.5",
                      "--format", "json"], capture_output=True, text=True, timeout=60)
assert res.returncode == 0, f"gmptop -b exited {res.returncode}: {res.stderr}"
live = {int(x) for x in os.listdir(f"/proc/{pid}/task")}
run1, t1 = spin_run_ns(), time.monotonic()
spin_avg = (run1 - run0) / 1e9 / (t1 - t0) * 100

lines = [l for l in res.stdout.splitlines() if l.strip()]
assert len(lines) == 3, f"want 3 JSON lines, got {len(lines)}"
objs = [json.loads(l) for l in lines]
rates = ("cpu_pct", "migrations_per_s", "nvcsw_per_s", "nivcsw_per_s",
         "run_delay_ms_per_s")
ncpu = os.cpu_count()

# The tids of the last sample are the threads in /proc right after it.
last = objs[-1]
tids = {t["tid"] for t in last["threads"]}
assert tids == live, f"tids {sorted(tids)} != /proc/{pid}/task {sorted(live)}"

# Rates need a previous sample. Batch mode may take an unprinted first sample (as
# pidstat does): then the first line carries interval_s and numbers; without one its
# interval_s and every rate are null, never 0.
first = objs[0]
if first.get("interval_s") is None:
    for t in first["threads"]:
        for k in rates:
            assert t[k] is None, f"first sample: {k} of {t['tid']} = {t[k]!r}, want null"
    later = list(zip(objs, objs[1:]))
else:
    later = [(None, objs[0])] + list(zip(objs, objs[1:]))

def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0

for prev, cur in later:
    assert is_num(cur.get("interval_s")), f"interval_s {cur.get('interval_s')!r}"
    before = {t["tid"] for t in prev["threads"]} if prev else None
    for t in cur["threads"]:
        if before is not None and t["tid"] not in before:
            continue      # a thread new in this sample has no rate yet
        for k in rates:
            assert is_num(t[k]), f"{k} of {t['tid']} = {t[k]!r}, want a number >= 0"

spin = [t for t in last["threads"] if t["tid"] == spin_tid]
assert spin, f"spinning thread {spin_tid} missing"
pct = spin[0]["cpu_pct"]
# A spinning thread gets most of a CPU; on a machine busy with other work (make -j)
# it gets less, so then gmptop's figure must instead agree with the share the thread's
# own schedstat shows over the run.
if not 60 <= pct <= 110:
    assert spin_avg < 70 and pct <= 110 and abs(pct - spin_avg) <= 30, \
        f"spinning thread cpu_pct {pct}, want 60..110 (schedstat says {spin_avg:.1f}%)"

# Last CPU: a real CPU number; compare with field 39 of the thread's stat now (a
# sleeping thread has not moved; a running one may have, so mismatches only count).
same = 0
for t in last["threads"]:
    assert isinstance(t["cpu"], int) and 0 <= t["cpu"] < ncpu, f"cpu {t['cpu']!r}"
    try:
        stat = open(f"/proc/{pid}/task/{t['tid']}/stat").read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    same += int(fields[36]) == t["cpu"]   # field 39; fields[0] is field 3
others = sum(t["cpu_pct"] for t in last["threads"] if t["tid"] != spin_tid)
print(f"ok: {len(tids)} threads, spinner {pct:.1f}% (schedstat {spin_avg:.1f}%), "
      f"rest {others:.1f}%, "
      f"last CPU matches /proc for {same}/{len(tids)}")
PY
echo "ok: collectors"
