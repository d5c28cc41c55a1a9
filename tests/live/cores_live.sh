#!/bin/sh
# cores_live: the cores collector opens, reads and scales real perf events per CPU here,
# seen through gmptop -b JSON: one entry per online CPU; context switches and migrations
# are numbers that agree with the kernel's own counts for a known workload (a ping-pong
# Go program for switches, a spinner that flips its own affinity between two CPUs for
# migrations); hardware fields are null with a reason naming the missing PMU when this
# machine exposes none (numbers in range when it does); and the replay hook works.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_cmd python3
need_demo
[ -r /proc/sys/kernel/perf_event_paranoid ] || skip "kernel without perf events"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$(id -u)" != 0 ] && [ "$paranoid" -gt 0 ]; then
    skip "per-CPU perf events need root or perf_event_paranoid <= 0 (it is $paranoid)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-cores.XXXXXX") || fail "mktemp failed"
SPIN_PID=
cleanup() {
    [ -n "$SPIN_PID" ] && kill "$SPIN_PID" 2>/dev/null
    stop_demo
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ncpu=$(python3 -c '
import re
n = 0
for part in open("/sys/devices/system/cpu/online").read().strip().split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
print(n)')

# ---- known workload 1: context switches from a ping-pong Go program -------------------
start_demo pingpong
sleep 0.5
ctxt() { awk '/^ctxt /{print $2}' /proc/stat; }
c0=$(ctxt); t0=$(date +%s.%N)
"$GMPTOP" -p "$DEMO_PID" -b -n 4 -d 1 --format json --collectors cpus,threads,cores \
    >"$tmp/out" 2>"$tmp/err" || fail "gmptop -b exited $?: $(head -c 400 "$tmp/err")"
c1=$(ctxt); t1=$(date +%s.%N)

# ---- known workload 2: migrations from a spinner that flips its own affinity ------------
# sched_setaffinity on the running task moves it at once (about 20 times a second in
# this VM, where a move through the stopper thread is slow); se.nr_migrations counts them.
m0=0 m1=0 mt0=0 mt1=1
if [ "$ncpu" -ge 2 ]; then
    python3 -c '
import os, time
end = time.time() + 30
i = 0
while time.time() < end:
    os.sched_setaffinity(0, {i % 2})
    i += 1
    t = time.time() + 0.005
    while time.time() < t:
        pass
' &
    SPIN_PID=$!
    sleep 0.3
    spin_migr() { awk '/^se.nr_migrations/{print $3}' "/proc/$SPIN_PID/sched"; }
    m0=$(spin_migr); mt0=$(date +%s.%N)
    "$GMPTOP" -p "$DEMO_PID" -b -n 3 -d 1 --format json --collectors cpus,cores \
        >"$tmp/migr" 2>"$tmp/err" || fail "gmptop -b exited $?: $(head -c 400 "$tmp/err")"
    m1=$(spin_migr); mt1=$(date +%s.%N)
    kill "$SPIN_PID" 2>/dev/null
    SPIN_PID=
fi

python3 - "$tmp/out" "$ncpu" "$c0" "$c1" "$t0" "$t1" "$tmp/migr" "$m0" "$m1" "$mt0" "$mt1" \
    <<'EOF' || exit 1
import json, os, sys
path, ncpu, c0, c1, t0, t1, mpath, m0, m1, mt0, mt1 = sys.argv[1:]
ncpu, c0, c1, m0, m1 = int(ncpu), int(c0), int(c1), int(m0), int(m1)
wall = float(t1) - float(t0)
snaps = [json.loads(l) for l in open(path) if l.strip()]
def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)
if len(snaps) != 4:
    fail("expected 4 snapshots, got %d" % len(snaps))
hw = ["ipc", "l3_miss_ratio", "l3_mpki", "dtlb_mpki", "dtlb_per_cycle"]
keys = ["cpu", "node", "l3_domain", "available", "why", "util_pct", "ipc", "l3_miss_ratio",
        "l3_mpki", "dtlb_mpki", "dtlb_per_cycle", "ctx_switches_per_s", "migrations_per_s",
        "multiplexed"]
devs = "/sys/bus/event_source/devices"
have_pmu = any(os.path.exists(os.path.join(devs, p)) for p in ("cpu", "cpu_core", "cpu_atom"))
first = snaps[0]["cores"]
if not isinstance(first, list) or len(first) != ncpu:
    fail("cores is not one entry per online CPU (%d): %r" % (ncpu, first))
for e in first:
    # Batch mode may take a warm-up sample; without one, no rate can exist yet.
    if snaps[0]["interval_s"] is None and e["ctx_switches_per_s"] is not None:
        fail("first snapshot has a rate without a previous sample: %r" % e)

def check(cores):
    if [e["cpu"] for e in cores] != sorted(e["cpu"] for e in cores) or len(cores) != ncpu:
        fail("cores[] not sorted / not one per CPU: %r" % [e["cpu"] for e in cores])
    for e in cores:
        missing = [k for k in keys if k not in e]
        if missing:
            fail("cpu %s lacks %s" % (e.get("cpu"), missing))
        for k in ("ctx_switches_per_s", "migrations_per_s"):
            if not isinstance(e[k], (int, float)) or e[k] < 0:
                fail("cpu %d %s = %r, want a number" % (e["cpu"], k, e[k]))
        if have_pmu:
            if not isinstance(e["ipc"], (int, float)) or not 0 < e["ipc"] < 10:
                fail("cpu %d has a PMU but ipc = %r (why: %s)" % (e["cpu"], e["ipc"], e["why"]))
        else:
            bad = [k for k in hw if e[k] is not None]
            if bad:
                fail("no PMU here, yet cpu %d has %s" % (e["cpu"], bad))
            if e["available"] or not e["why"] or "no `cpu` PMU" not in e["why"]:
                fail("cpu %d: available/why do not name the missing PMU: %r / %r"
                     % (e["cpu"], e["available"], e["why"]))

sw_total = 0.0
for s in snaps[1:]:
    check(s["cores"])
    sw_total += sum(e["ctx_switches_per_s"] for e in s["cores"]) * s["interval_s"]
status = [c for c in snaps[-1]["collectors"] if c["name"] == "cores"]
if not status or not status[0]["available"]:
    fail("cores collector not available: %r" % status)
if not have_pmu and "no `cpu` PMU under /sys/bus/event_source/devices" not in (status[0]["reason"] or ""):
    fail("collector reason does not name the missing PMU: %r" % status[0]["reason"])
# /proc/stat ctxt spans the whole run (gmptop's start-up included), so gmptop's three
# intervals must be a good part of it, and never more than it.
kernel = c1 - c0
ratio = sw_total / kernel if kernel else 0
print("context switches: gmptop %.0f over 3 intervals, /proc/stat ctxt %d over %.2f s (%.2f)"
      % (sw_total, kernel, wall, ratio))
if kernel < 1000:
    fail("the ping-pong workload made only %d switches" % kernel)
if not 0.4 <= ratio <= 1.02:
    fail("switch count %.0f is not plausible against the kernel's %d" % (sw_total, kernel))
if ncpu >= 2:
    ms = [json.loads(l) for l in open(mpath) if l.strip()]
    mig = secs = 0.0
    for s in ms[1:]:
        check(s["cores"])
        mig += sum(e["migrations_per_s"] for e in s["cores"]) * s["interval_s"]
        secs += s["interval_s"]
    spin = m1 - m0
    spin_rate = spin / (float(mt1) - float(mt0))
    print("migrations: gmptop %.0f in %.2f s (all CPUs); the spinner alone %d in %.2f s"
          % (mig, secs, spin, float(mt1) - float(mt0)))
    if spin < 10:
        fail("the flipping spinner migrated only %d times" % spin)
    if mig < 0.5 * spin_rate * secs:
        fail("gmptop saw %.0f migrations in %.2f s; the spinner alone makes %.1f/s"
             % (mig, secs, spin_rate))
EOF
pass "per-CPU software counters: one entry per CPU, switches and migrations match the kernel"

# ---- the replay hook drives the same pipeline from a fixture ------------------------------
GMPTOP_PERF_REPLAY="$top_srcdir/tests/fixtures/perf/vm.txt" \
    "$GMPTOP" -p "$DEMO_PID" -b -n 2 -d 0.5 --format json --collectors cores \
    >"$tmp/replay" 2>"$tmp/err" || fail "gmptop with replay exited $?: $(cat "$tmp/err")"
python3 - "$tmp/replay" <<'EOF' || exit 1
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
c = s["cores"]
ok = (len(c) == 2 and c[1]["ipc"] is None and c[1]["ctx_switches_per_s"] > 0
      and "not exposed to this VM" in c[1]["why"])
if not ok:
    print("FAIL: replayed vm.txt gave %r" % c, file=sys.stderr)
    sys.exit(1)
EOF
pass "GMPTOP_PERF_REPLAY feeds the collector from a fixture"
