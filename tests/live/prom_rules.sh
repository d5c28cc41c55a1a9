#!/bin/sh
# prom_rules: the alert rules gmptop ships (prometheus/gmptop-alerts.yml) pass
# `promtool check rules`, use gmptop's default thresholds and hold times, and
# `promtool test rules` over recordings of the demos (tests/fixtures/alerts, made by
# scripts/record-alert-fixtures.sh) fires each demo's alert, nothing on the idle demo,
# and agrees with gmptop's own findings wherever they were steady. The recordings are
# replayed through this build's exporter (gmptop --replay -b --format prom).
. "$top_srcdir/tests/lib.sh"
need_cmd promtool python3
python3 -c 'import yaml' 2>/dev/null || skip "needs python3-yaml"
need_demo
rules=$top_srcdir/prometheus/gmptop-alerts.yml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-rules.XXXXXX") || fail "mktemp"
trap 'stop_demo; rm -rf "$tmp"' EXIT

promtool check rules "$rules" >"$tmp/check" 2>&1 || fail "promtool check rules: $(cat "$tmp/check")"
pass "promtool check rules: $(grep -o 'SUCCESS.*' "$tmp/check")"

# The thresholds in force with default settings, from a live gmptop on the idle demo;
# its exposition must lint too.
start_demo idle
XDG_CONFIG_HOME=$tmp "$GMPTOP" -p "$DEMO_PID" -b -n 1 -d 0.5 --format prom \
    >"$tmp/defaults.prom" 2>"$tmp/defaults.err" || fail "gmptop --format prom: $(cat "$tmp/defaults.err")"
# A history too short for goroutine_pileup's 3-minute window (--history 20 at 0.5 s):
# the rule says it cannot judge (left out of /metrics) instead of staying quiet.
XDG_CONFIG_HOME=$tmp "$GMPTOP" -p "$DEMO_PID" -b -n 1 -d 0.5 --history 20 --format prom \
    >"$tmp/short.prom" 2>"$tmp/short.err" || fail "gmptop --history 20: $(cat "$tmp/short.err")"
stop_demo
grep -q '^gmptop_diagnosis_active{rule="goroutine_pileup"} ' "$tmp/defaults.prom" ||
    fail "goroutine_pileup not judged with the default history"
grep -q '^gmptop_diagnosis_active{rule="goroutine_pileup"} ' "$tmp/short.prom" &&
    fail "goroutine_pileup judged a 180 s window from 10 s of history"
pass "--history 20: goroutine_pileup unavailable, not quiet"
[ "$(tail -n 1 "$tmp/defaults.prom")" = "# EOF" ] || fail "--format prom does not end with '# EOF'"
sed '$d' "$tmp/defaults.prom" | promtool check metrics >"$tmp/lint" 2>&1 ||
    fail "promtool check metrics on --format prom: $(cat "$tmp/lint")"
grep -q '^gmptop_diagnosis_figure{rule="runq_backlog",figure="queued_per_p"} ' "$tmp/defaults.prom" ||
    fail "no gmptop_diagnosis_figure for runq_backlog: $(grep diagnosis "$tmp/defaults.prom")"

python3 "$top_srcdir/tests/live/prom_rules_gen.py" "$GMPTOP" "$rules" \
    "$top_srcdir/tests/fixtures/alerts" "$tmp/defaults.prom" "$tmp/tests.yml" ||
    fail "building the rule tests"
promtool test rules "$tmp/tests.yml" >"$tmp/test.out" 2>&1 ||
    fail "promtool test rules: $(cat "$tmp/test.out")"
pass "promtool test rules: $(grep -c '"alertname"' "$tmp/tests.yml") alert checks over the demo recordings"
