#!/usr/bin/env python3
"""prom_rules_gen: turn gmptop recordings of the demos into a `promtool test rules` file
for prometheus/gmptop-alerts.yml, and check the rules file against gmptop's defaults.

  prom_rules_gen.py GMPTOP RULES FIXTURES DEFAULTS OUT

GMPTOP replays each recording (--replay FILE -b --format prom): the exposition gmptop
serves, one per snapshot, so the input series are what a Prometheus scraping gmptop at
1 s would have stored. DEFAULTS is a live `gmptop -b -n 1 --format prom` exposition
(default settings): its gmptop_diagnosis_threshold lines are the thresholds the alert
expressions must use. What each alert must do at the end of each recording:
  - the alert of the demo's pathology fires (and gmptop itself found it there);
  - on the idle demo nothing fires;
  - every other alert agrees with gmptop's own finding wherever that finding is steady
    at the end: on in the last ON_TICKS snapshots, or off in the last STEADY.
Cases for what this machine lacks (hardware counters, a second NUMA node, a thread
hopping CPUs 200 times a second) put a synthetic figure on the idle recording's series
and check the alert fires only once the rule's hold has passed.
Writes OUT (JSON, which promtool reads as YAML) and prints one line per case.
"""
import json
import os
import re
import subprocess
import sys

import yaml

STEADY = 12
ON_TICKS = 3
# Recording -> the alert its demo must raise (None: the healthy control, nothing fires).
CASES = {
    "frozen": "GmptopRunqBacklog",
    "runnable": "GmptopRunqBacklog",
    "gc": "GmptopGCPressure",
    "mutex": "GmptopLockContention",
    "syscall": "GmptopSyscallBlock",
    "gomaxprocs": "GmptopGomaxprocs",
    "throttle": "GmptopCPUThrottle",
    "pileup": "GmptopGoroutinePileup",
    "idle": None,
}
# Alert -> (figure, value) on top of the idle recording: no hardware for these here.
SYNTHETIC = {
    "GmptopCacheMisses": ("cache_misses", "l3_miss_pct", 40.0),
    "GmptopNUMARemote": ("numa_remote", "remote_pct", 70.0),
    "GmptopMigrations": ("migrations", "per_s", 350.0),
    "GmptopRunDelay": ("run_delay", "ms_per_s", 400.0),
    "GmptopSchedLatency": ("sched_latency", "p99_ms", 12.0),
}
KEEP = ("gmptop_diagnosis_figure", "gmptop_diagnosis_active")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def die(msg):
    sys.exit("prom_rules_gen: " + msg)


def parse_exposition(text):
    """{(name, ((label, value), ...)): float} of one exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            die("unparsable exposition line: " + line)
        labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def replay(gmptop, path):
    """The expositions of a recording, one per snapshot, oldest first."""
    r = subprocess.run([gmptop, "--replay", path, "-b", "--format", "prom"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        die("%s --replay %s: exit %d: %s" % (gmptop, path, r.returncode, r.stderr.strip()))
    parts = r.stdout.split("# EOF\n")
    if parts and not parts[-1].strip():
        parts.pop()
    return [parse_exposition(p) for p in parts]


def series_of(snaps, instance, keep=KEEP):
    """{(name, labels): [value or None per snapshot]} with instance/job added."""
    keys = sorted({k for s in snaps for k in s if k[0] in keep})
    out = {}
    for name, labels in keys:
        full = tuple(sorted(labels + (("instance", instance), ("job", "gmptop"))))
        out[(name, full)] = [s.get((name, labels)) for s in snaps]
    return out


def fmt_value(v):
    if v is None:
        return "_"
    return repr(float(v)) if v != int(v) else str(int(v))


def input_series(series):
    return [{"series": "%s{%s}" % (name, ",".join('%s="%s"' % kv for kv in labels)),
             "values": " ".join(fmt_value(v) for v in vals)}
            for (name, labels), vals in sorted(series.items())]


def active(series, instance, rule):
    for (name, labels), vals in series.items():
        d = dict(labels)
        if name == "gmptop_diagnosis_active" and d.get("rule") == rule:
            return vals
    return None


def exp_alert(alert, instance):
    labels = dict(alert.get("labels", {}))
    labels.update({"instance": instance, "job": "gmptop"})
    return {"exp_labels": {k: str(v) for k, v in labels.items()},
            "exp_annotations": {k: str(v) for k, v in alert.get("annotations", {}).items()}}


def check_thresholds(alerts, defaults):
    """Every `figure OP number` in an expression uses the default threshold of that name,
    and a rule's hold_s is the alert's `for:` or a range of that length in its expr."""
    thr = {}
    for (name, labels), v in defaults.items():
        if name == "gmptop_diagnosis_threshold":
            d = dict(labels)
            thr[(d["rule"], d["threshold"])] = v
    if not thr:
        die("the defaults exposition has no gmptop_diagnosis_threshold")
    aliases = {"added": "min_added"}
    rules_seen = set()
    for a in alerts:
        rule = a["labels"]["rule"]
        rules_seen.add(rule)
        expr = a["expr"]
        for fig, num in re.findall(
                r'gmptop_diagnosis_figure\{rule="%s",figure="([a-z0-9_]+)"\}\)?\s*(?:>=|>|<=|<|==)\s*'
                r'(?:bool\s+)?([0-9.]+)' % rule, expr):
            want = thr.get((rule, aliases.get(fig, fig)))
            if want is not None and abs(float(num) - want) > 1e-9 * max(1, abs(want)):
                die("%s: %s compared with %s, gmptop's default is %g" % (a["alert"], fig, num, want))
        hold = thr.get((rule, "hold_s"))
        if hold is not None:
            f = a.get("for", "0s")
            ok = f == "%ds" % hold or ("[%ds" % hold) in expr
            if not ok:
                die("%s: for %s, but rule %s holds %g s" % (a["alert"], f, rule, hold))
    rules = {dict(l)["rule"] for (n, l) in defaults if n == "gmptop_diagnosis_threshold"}
    missing = rules - rules_seen
    if missing:
        die("rules without an alert: " + ", ".join(sorted(missing)))


def main():
    if len(sys.argv) != 6:
        die("usage: prom_rules_gen.py GMPTOP RULES FIXTURES DEFAULTS OUT")
    gmptop, rules_path, fixtures, defaults_path, out_path = sys.argv[1:]
    with open(rules_path) as f:
        alerts = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"] if "alert" in r]
    by_name = {a["alert"]: a for a in alerts}
    with open(defaults_path) as f:
        check_thresholds(alerts, parse_exposition(f.read().split("# EOF\n")[0]))

    tests = []
    for case, must in CASES.items():
        snaps = replay(gmptop, os.path.join(fixtures, case + ".gmrec"))
        if len(snaps) < STEADY + 2:
            die("%s: only %d snapshots" % (case, len(snaps)))
        instance = "demo-" + case
        series = series_of(snaps, instance)
        end = len(snaps) - 1
        checks, said = [], []
        for a in alerts:
            name, rule = a["alert"], a["labels"]["rule"]
            act = active(series, instance, rule)
            # On in the last ON_TICKS snapshots: gmptop judged the rule's hold passed
            # three times running, so the alert's `for:` has passed too. Off: off for
            # the last STEADY seconds, so no hold or window can still be catching up.
            on_tail = (act or [])[-ON_TICKS:]
            steady_on = len(on_tail) == ON_TICKS and all(v == 1 for v in on_tail)
            steady_off = all(v in (None, 0) for v in (act or [])[-STEADY:])
            if name == must and not steady_on:
                die("%s: gmptop's own %s finding is not on in the recording's last %d snapshots; "
                    "re-record it (scripts/record-alert-fixtures.sh %s)" % (case, rule, ON_TICKS, case))
            if must is None and not steady_off:
                die("%s: gmptop found %s on the healthy demo; re-record it" % (case, rule))
            if steady_on:
                exp = [exp_alert(a, instance)]
            elif steady_off:
                exp = []
            else:
                continue                  # gmptop's finding changed lately: no verdict
            checks.append({"eval_time": "%ds" % end, "alertname": name, "exp_alerts": exp})
            if exp:
                said.append(name)
        tests.append({"name": "%s demo (%d snapshots)" % (case, len(snaps)),
                      "interval": "1s", "input_series": input_series(series),
                      "alert_rule_test": checks})
        print("%s: %d series, %d s; firing at %ds: %s" % (
            case, len(series), len(snaps), end, ", ".join(said) or "none"))
        if case == "idle":
            idle_series, idle_end = series, end

    # What the machine cannot produce: a figure on top of the idle recording, from 5 s in.
    for name, (rule, fig, value) in SYNTHETIC.items():
        a = by_name.get(name)
        if a is None:
            die("no alert %s in %s" % (name, rules_path))
        instance = "demo-idle"
        series = dict(idle_series)
        key = ("gmptop_diagnosis_figure", tuple(sorted(
            (("rule", rule), ("figure", fig), ("instance", instance), ("job", "gmptop")))))
        series[key] = [None] * 5 + [value] * (idle_end - 4)
        hold = int(a.get("for", "0s").rstrip("s"))
        tests.append({"name": "synthetic %s=%g on the idle recording" % (fig, value),
                      "interval": "1s", "input_series": input_series(series),
                      "alert_rule_test": [
                          {"eval_time": "%ds" % (5 + hold - 1) if hold else "4s",
                           "alertname": name, "exp_alerts": []},
                          {"eval_time": "%ds" % (5 + hold), "alertname": name,
                           "exp_alerts": [exp_alert(a, instance)]}]})
        print("synthetic %s: %s=%g fires after %d s" % (name, fig, value, hold))

    with open(out_path, "w") as f:
        json.dump({"rule_files": [os.path.abspath(rules_path)], "evaluation_interval": "1s",
                   "tests": tests}, f, indent=1)


if __name__ == "__main__":
    main()
