#!/bin/sh
# gomaxprocs_quota: under a cgroup CPU quota of half a CPU, the GOMAXPROCS gmptop says
# the runtime picks by itself (sched.gomaxprocs_default) is the one the runtime really
# picked (the workload prints runtime.GOMAXPROCS(0)), on every toolchain tested: Go
# 1.25+ built from a go.mod that says 1.25 (its quota rule: min(CPUs, max(ceil(0.5), 2)))
# or 1.19 (DefaultGODEBUG containermaxprocs=0: all CPUs), either turned the other way by
# the GODEBUG environment, and Go before 1.25 (all CPUs). The gomaxprocs diagnosis stays
# quiet on all of those, and GOMAXPROCS=4 set by hand is flagged with "unset it" where
# the runtime would pick well by itself.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
src=$top_srcdir/tests/live/maxprocs_workload.go
go_build_dir maxprocs
work=$(mktemp -d /tmp/gmptop-maxprocs.XXXXXX) || fail "mktemp"
pid=""
cg=""
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    [ -n "$cg" ] && rmdir "$cg" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A cgroup of half a CPU: cgroup v2's cpu.max, or v1's cpu controller (the runtime reads
# both).
for base in /sys/fs/cgroup /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct; do
    [ -w "$base" ] || continue
    d=$base/gmptop-maxprocs-$$
    mkdir "$d" 2>/dev/null || continue
    if [ -f "$d/cpu.max" ] && echo "50000 100000" >"$d/cpu.max" 2>/dev/null; then cg=$d; break; fi
    if [ -f "$d/cpu.cfs_quota_us" ] && echo 100000 >"$d/cpu.cfs_period_us" 2>/dev/null &&
        echo 50000 >"$d/cpu.cfs_quota_us" 2>/dev/null; then cg=$d; break; fi
    rmdir "$d"
done
[ -n "$cg" ] || skip "no writable cgroup cpu controller (v2 cpu.max or v1 cpu.cfs_quota_us)"
ncpu=$(nproc)

# build TOOLCHAIN GOLINE: the workload with this go.mod go line; prints the binary.
build() {
    v=$("$1" env GOVERSION 2>/dev/null) || fail "toolchain $1 not runnable"
    out=$outdir/$v-go$2
    if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
        mkdir -p "$work/src-$2"
        cp "$src" "$work/src-$2/main.go"
        printf 'module maxprocsworkload\n\ngo %s\n' "$2" >"$work/src-$2/go.mod"
        (cd "$work/src-$2" && "$1" build -o "$out" .) >&2 || fail "build $v with go $2"
    fi
    echo "$out"
}

# check BIN LABEL WANT_DEFAULT POLICY FIRES [env...]: start BIN inside the cgroup (so
# its runtime opens that cgroup's limit at start), read 4 JSON snapshots, compare.
# POLICY: "none" (before 1.25), "on", "off-build", "off-env". FIRES: "quiet" or the
# text the gomaxprocs finding must contain.
checked=0
check() {
    bin=$1; label=$2; want=$3; policy=$4; fires=$5; shift 5
    : >"$work/out"
    env "$@" sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2"' sh "$cg" "$bin" \
        >"$work/out" 2>&1 &
    pid=$!
    wait_line "$work/out" "pid=$pid\$" 10 || fail "$label: did not start: $(cat "$work/out")"
    "$GMPTOP" -p "$pid" -b -n 4 -d 0.4 --collectors threads,sched --format json \
        >"$work/gm.json" || fail "$label: gmptop exited $?"
    kill "$pid"; wait "$pid" 2>/dev/null; pid=""
    python3 - "$work/gm.json" "$work/out" "$label" "$want" "$policy" "$fires" <<'PY' || fail "$label"
import json, re, sys
path, out, label, want, policy, fires = sys.argv[1:7]
printed = [int(m) for m in re.findall(r"gomaxprocs=(\d+)", open(out).read())]
assert printed and len(set(printed)) == 1, f"{label}: workload printed {printed}"
runtime = printed[-1]
assert runtime == int(want), f"{label}: the runtime picked {runtime}, the test expected {want}"
frames = [json.loads(l) for l in open(path) if l.strip()]
assert len(frames) == 4, f"{label}: {len(frames)} snapshots"
for o in frames:
    s = o["sched"]
    assert s is not None, f"{label}: no sched section: {o.get('collectors')}"
    assert s["gomaxprocs"] == runtime, f"{label}: gmptop read {s['gomaxprocs']}, runtime {runtime}"
    assert abs(s["cpu_quota"] - 0.5) < 1e-6, f"{label}: quota {s['cpu_quota']}"
    env_set = s["gomaxprocs_source"] == "env"
    if not env_set:
        assert s["gomaxprocs_default"] == runtime, \
            f"{label}: gmptop's runtime default {s['gomaxprocs_default']} != runtime's {runtime}"
    p = s["gomaxprocs_policy"]
    if policy == "none":
        assert p is None, f"{label}: policy {p} before Go 1.25"
    else:
        on = policy == "on"
        assert p is not None and p["containermaxprocs"] == on and p["cgroup_file_open"] == on, \
            f"{label}: policy {p}, want {policy}"
        assert p["off_by"] == {"on": None, "off-build": "build", "off-env": "env"}[policy], \
            f"{label}: policy {p}, want {policy}"
    found = [d for d in (o.get("diagnoses") or []) if d["id"] == "gomaxprocs"]
    if fires == "quiet":
        assert not found, f"{label}: gomaxprocs flagged the runtime's own choice: {found}"
    else:
        assert found and fires in found[0]["message"], f"{label}: want '{fires}' in {found}"
print(f"{label}: runtime {runtime}, gmptop default "
      f"{frames[-1]['sched']['gomaxprocs_default']}, policy {frames[-1]['sched']['gomaxprocs_policy']}")
PY
    pass "$label"
    checked=$((checked + 1))
}

# Go 1.25+'s rule for half a CPU on this machine's CPUs.
rule=$((ncpu < 2 ? ncpu : 2))
seen=" "
for go in $GO_TOOLCHAINS; do
    v=$("$go" env GOVERSION 2>/dev/null) || fail "toolchain $go not runnable"
    case "$seen" in *" $v "*) continue ;; esac
    seen="$seen$v "
    minor=$(echo "$v" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
    [ -n "$minor" ] || fail "$v: version not understood"
    old=$(build "$go" 1.19)
    if [ "$minor" -lt 25 ]; then
        check "$old" "$v: quota ignored before 1.25" "$ncpu" none quiet
        continue
    fi
    new=$(build "$go" 1.25)
    check "$new" "$v go.mod 1.25: the quota rule" "$rule" on quiet
    check "$old" "$v go.mod 1.19: DefaultGODEBUG keeps all CPUs" "$ncpu" off-build quiet
    check "$new" "$v go.mod 1.25, GODEBUG=containermaxprocs=0" "$ncpu" off-env quiet \
        GODEBUG=containermaxprocs=0
    check "$old" "$v go.mod 1.19, GODEBUG=containermaxprocs=1" "$rule" on quiet \
        GODEBUG=containermaxprocs=1
    if [ "$rule" -lt 4 ]; then
        check "$new" "$v go.mod 1.25, GOMAXPROCS=4 by hand" 4 on \
            "Unset it: Go 1.$minor picks $rule by itself" GOMAXPROCS=4
    fi
done
[ "$checked" -gt 0 ] || skip "no Go toolchain"
echo "checked $checked cases on $ncpu CPUs under a 0.5-CPU quota in $cg"
