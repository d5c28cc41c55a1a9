#!/bin/sh
# park_meter: the park probe's governor measures what the probe costs the target on the
# target itself. A channel ping-pong (some 300,000 casgstatus calls a second), built with
# the newest Go, stripped, PIE from the system linker, watched at a 5% budget for 16 s:
# the JSON's park section carries the meter's figure (measured_overhead_pct, its error,
# the measured cost per event) beside the model's (est_overhead_pct); the measured cost
# per event is positive and within 10x of the calibration's; once the governor takes it
# (cost_source "measured") it uses it within its error; what the target paid by the meter
# stays near the budget; and the waits the probe could not time are counted (a goroutine
# that sleeps 2 ms at a time is parked whenever a window opens).
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3
need_park
go_build_dir park

work=$(mktemp -d /tmp/gmptop-park-meter.XXXXXX)
wl=""
cleanup() {
    [ -z "$wl" ] || kill -9 "$wl" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
park_workload_newest "$work"

PARK_SLEEPER=1 "$bin" pingpong 30 >"$work/wl.out" 2>&1 &
wl=$!
# 16 s: off, the probe is re-measured 10 s or more after its first decision, and only
# that second window counts the waits it cannot time (a sanitized gmptop starts late).
"$GMPTOP" -p "$wl" -b -n 16 -d 1 --format json --collectors park --bpf-budget 5 \
    >"$work/gm.json" || fail "gmptop exited $?"
kill "$wl" 2>/dev/null
wait "$wl" 2>/dev/null
wl=""
python3 - "$work/gm.json" "$v" <<'PY' || fail "park meter figures wrong: $(tail -n 1 "$work/gm.json" | head -c 2000)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
p = rows[-1]["park"]
assert p is not None and p["state"] in ("on", "sampling", "off"), p
for k in ("measured_overhead_pct", "measured_overhead_err_pct", "measured_cost_ns",
          "measured_cost_err_ns", "gov_cost_ns", "cost_source", "est_overhead_pct"):
    assert k in p, ("missing", k)
m = p["measured_overhead_pct"]
assert isinstance(m, (int, float)), ("no measurement after 16 s", p["why"])
c = p["measured_cost_ns"]
assert isinstance(c, (int, float)) and c > 0, ("measured cost", c)
assert p["cost_ns"] / 10 <= c <= p["cost_ns"] * 10, ("measured vs calibrated", c, p["cost_ns"])
if p["cost_source"] == "measured":
    assert "(measured)" in p["why"], p["why"]
    err = p["measured_cost_err_ns"] or 0
    # gov_cost_ns is the cost at the governor's last step, a refresh may lie between;
    # sure of it, the governor takes the cost plus its error, unsure its cost less the
    # error (when that is above the calibration's)
    assert 0.5 * (c - err) <= p["gov_cost_ns"] <= 2 * (c + err), (p["gov_cost_ns"], c, err)
else:
    assert p["cost_source"] == "calibration" and p["gov_cost_ns"] == p["cost_ns"], p
# The window still holds the first attach (the probe on for its first decision, ~50 ms
# at well over a core): the paid share is near the budget, not within it to the digit.
err = p["measured_overhead_err_pct"] or 0
assert m <= 2 * p["budget_pct"] + 2 * err, ("paid", m, "+-", err, "budget", p["budget_pct"], p["why"])
# gmptop's own CPU where it displaced others (counted in the same budget): a figure once
# the governor has run a second, from 0 (idle CPUs) to a few % of a core, never more
# than gmptop's whole CPU could be.
s = p["self_overhead_pct"]
assert isinstance(s, (int, float)) and 0 <= s < 25, ("self_overhead_pct", s)
# Goroutines parked when a window opens end unseen-begun: counted, never filed. The
# sleeper is parked when the first window opens and wakes within 2 ms of it.
ev = p["events"]
assert ev["no_start"] + ev["stale"] > 0, ev
print("%s: %s, model %.2f%%, measured %.2f%% +- %.2f of a core; %.2f us/event measured "
      "(calibration %.2f us), governor uses %s" % (sys.argv[2], p["state"], p["est_overhead_pct"],
      m, err, c / 1e3, p["cost_ns"] / 1e3, p["cost_source"]))
PY
pass "the governor's meter measures the probe's cost on the target"
