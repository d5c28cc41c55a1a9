#!/bin/sh
# cpu_events: the on-CPU sampler counts the target's CPU time and only the target's.
# As root with BPF it samples with one cpu-clock event per CPU behind a BPF filter that
# drops other tasks' samples (JSON cpu_profile.events "per-cpu"); with
# GMPTOP_CPUPROF_PER_THREAD=1 (and where BPF is refused) one event per thread
# ("per-thread"). A channel ping-pong (newest Go, stripped external PIE) runs beside two
# shell loops that keep both CPUs busy: in either mode the samples over the run, divided
# by the rate, come within 0.6-1.3x of the CPU time the kernel charged the target over
# the same stretch (an unfiltered per-CPU event would count the loops' time too: about
# 1.7x here). Then a program whose goroutines are locked to OS threads (threadpong: some
# 100,000 thread switches a second): per-thread events would cost it about 1 us at each,
# some 10% of a core whatever the rate, so the governor closes them and says why within
# a few seconds; per-CPU events stay on.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3
need_park
go_build_dir park

work=$(mktemp -d /tmp/gmptop-cpu-events.XXXXXX)
pids=""
hogs=""
cleanup() {
    for p in $hogs; do kill -9 "$p" 2>/dev/null; done
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
park_workload_newest "$work"

for i in 1 2; do
    sh -c 'while :; do :; done' &
    hogs="$hogs $!"
done

# gmptop on pid $2 for $3 refreshes at --bpf-budget $4, the sampler alone, its events
# as mode $1 asks; JSON to $work/gm.json. Its exit status.
watch() {
    if [ "$1" = per-thread ]; then
        set -- "$2" "$3" "$4" env GMPTOP_CPUPROF_PER_THREAD=1
    else
        set -- "$2" "$3" "$4" env
    fi
    _w_pid=$1 _w_n=$2 _w_budget=$3
    shift 3
    "$@" "$GMPTOP" -p "$_w_pid" -b -n "$_w_n" -d 1 --format json --collectors cpuprof \
        --bpf-budget "$_w_budget" >"$work/gm.json" 2>"$work/gm.err"
}

# utime + stime of pid $1 in clock ticks.
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

for mode in per-cpu per-thread; do
    "$bin" pingpong 60 >"$work/wl.out" 2>&1 &
    wl=$!
    pids="$pids $wl"
    sleep 0.5
    t0=$(ticks "$wl")
    # A budget the sampler stays well within, switches and all (its rate held at 99 Hz:
    # the samples are counted against one rate).
    watch "$mode" "$wl" 5 50
    rc=$?
    t1=$(ticks "$wl")
    kill "$wl" 2>/dev/null
    wait "$wl" 2>/dev/null
    [ $rc = 0 ] || fail "$mode: gmptop exited $rc: $(cat "$work/gm.err")"
    python3 - "$work/gm.json" "$mode" "$t0" "$t1" "$(getconf CLK_TCK)" <<'PY' ||
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
mode, t0, t1, hz_tick = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
cps = [r["cpu_profile"] for r in rows if r.get("cpu_profile")]
assert cps, "no cpu_profile section"
for c in cps:
    assert c["events"] == mode, ("events", c["events"], "wanted", mode)
samples = sum(c["samples"] for c in cps)
cpu_s = (t1 - t0) / hz_tick
est_s = samples / cps[-1]["hz"]
ratio = est_s / cpu_s if cpu_s > 0 else float("inf")
print("%s: %d samples at %.0f Hz = %.2f s of CPU; the kernel charged %.2f s (x%.2f)" %
      (mode, samples, cps[-1]["hz"], est_s, cpu_s, ratio))
assert cpu_s > 1.0, ("the target hardly ran", cpu_s)
assert 0.6 <= ratio <= 1.3, ("samples vs the target's CPU time", ratio)
PY
        fail "$mode: samples do not match the target's CPU time: $(tail -n 1 "$work/gm.json" | head -c 600)"
done
for p in $hogs; do kill -9 "$p" 2>/dev/null; done
hogs=""

for mode in per-thread per-cpu; do
    "$bin" threadpong 60 >"$work/wl.out" 2>&1 &
    wl=$!
    pids="$pids $wl"
    sleep 0.5
    watch "$mode" "$wl" 6 2
    rc=$?
    kill "$wl" 2>/dev/null
    wait "$wl" 2>/dev/null
    [ $rc = 0 ] || fail "threadpong $mode: gmptop exited $rc: $(cat "$work/gm.err")"
    python3 - "$work/gm.json" "$mode" <<'PY' ||
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
mode, last = sys.argv[2], rows[-1]
st = [c for c in last["collectors"] if c["name"] == "cpuprof"][0]
if mode == "per-thread":
    m = re.search(r"off: one event per thread costs ([0-9.]+)% of a core at ([0-9]+) "
                  r"switches/s x ([0-9.]+) us", st["reason"])
    assert m, ("not switched off", st["reason"])
    assert last["cpu_profile"] is None, last["cpu_profile"]
    pct, rate, us = float(m.group(1)), int(m.group(2)), float(m.group(3))
    assert rate > 10000 and 0.05 <= us <= 20 and pct > 2, (pct, rate, us)
    print("threadpong per-thread: %s" % st["reason"])
else:
    c = last["cpu_profile"]
    assert c is not None and c["events"] == "per-cpu" and c["samples"] > 0, (c, st)
    print("threadpong per-cpu: %s; %d samples" % (st["reason"], c["samples"]))
PY
        fail "threadpong $mode: $(tail -n 1 "$work/gm.json" | head -c 800)"
done
pass "the on-CPU sampler counts the target's CPU time alone, per CPU (BPF filter) and per thread; per-thread events over the budget by their switch cost are closed"
