#!/bin/sh
# sched_latency: gmptop's sched_latency (and gc_pauses) read from the target's memory
# equal, bucket for bucket, what the program reads from runtime/metrics itself, for
# every installed Go toolchain, each build plain, stripped (-s -w), PIE and stripped PIE
# linked by the system linker (what cgo programs are).
. "$top_srcdir/tests/lib.sh"
need_cmd python3 mkfifo
src=$top_srcdir/tests/live/sched_latency_metrics.go
go_build_dir schedlat

work=$(mktemp -d /tmp/gmptop-lat.XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$work"' EXIT
cp "$src" "$work/main.go"

bins=""
seen=" "
for go in $GO_TOOLCHAINS; do
    v=$("$go" env GOVERSION 2>/dev/null) || skip "toolchain $go not runnable"
    case "$seen" in *" $v "*) continue ;; esac
    seen="$seen$v "
    build_go_modes "$go" "$work" "$outdir/$v" "$src" main.go
done
[ -n "$bins" ] || skip "no Go toolchain"

n=0
for bin in $bins; do
    label=$(basename "$bin")
    mkfifo "$work/in.$n"
    "$bin" <"$work/in.$n" >"$work/out.$n" 2>&1 &
    pid=$!
    pids="$pids $pid"
    exec 8>"$work/in.$n"      # hold stdin open: the program blocks in read(2)
    i=0
    until [ -s "$work/out.$n" ]; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "$label: no report"; sleep 0.1
    done
    # An event the program did not cause can still land between its report and gmptop's
    # read (a loaded CI machine); a byte on stdin asks for a fresh report, and a real
    # misread fails all three tries.
    try=1
    while :; do
        "$GMPTOP" -p "$pid" -b -n 1 -d 0.2 --format json >"$work/gm.$n" ||
            fail "$label: gmptop $?"
        tail -n 1 "$work/out.$n" >"$work/want.$n"
        if python3 - "$work/want.$n" "$work/gm.$n" "$label" <<'PY' 2>"$work/why.$n"
import json, sys
want = json.loads(open(sys.argv[1]).readline())
got = json.loads(open(sys.argv[2]).readline())
def expected(h):
    out = []
    for i, c in enumerate(h["counts"]):
        if c:
            ub = h["buckets"][i + 1]
            out.append((None if ub == "+Inf" else round(float(ub) * 1e9), c))
    return out
for key, name in (("sched_latency", "/sched/latencies:seconds"),
                  ("gc_pauses", "/gc/pauses:seconds")):
    g = got[key]
    assert g is not None, (key, "not read", got["collectors"])
    have = [(b["le_ns"], b["count"]) for b in g["since_start"]["buckets"]]
    exp = expected(want[name])
    if have != exp:
        diff = [(a, b) for a, b in zip(have, exp) if a != b] or (have[len(exp):], exp[len(have):])
        raise AssertionError((key, "first differing buckets (gmptop, runtime/metrics):", diff))
print(sys.argv[3], "ok:", sum(c for _, c in expected(want["/sched/latencies:seconds"])),
      "scheduling-latency events match runtime/metrics")
PY
        then
            break
        fi
        [ $try -lt 3 ] || { cat "$work/why.$n" >&2; fail "$label: histograms differ (3 tries)"; }
        echo "$label: try $try differs, asking for a fresh report: $(tail -n 1 "$work/why.$n")"
        lines=$(wc -l <"$work/out.$n")
        printf x >&8
        i=0
        until [ "$(wc -l <"$work/out.$n")" -gt "$lines" ]; do
            i=$((i + 1)); [ $i -lt 100 ] || fail "$label: no second report"; sleep 0.1
        done
        try=$((try + 1))
    done
    exec 8>&-
    wait "$pid" 2>/dev/null
    n=$((n + 1))
done
pass "sched_latency and gc_pauses equal runtime/metrics on $n builds"
