#!/bin/sh
# record-alert-fixtures: record the demos gmptop's alert rules are tested on
# (prometheus/gmptop-alerts.yml, tests/live/prom_rules.sh) into tests/fixtures/alerts/.
# Each case runs one demo workload and `gmptop -b -d 1 --record` on it for a while:
# the recordings hold every snapshot, diagnoses and their figures included, so the test
# replays them through the exporter into `promtool test rules` input series.
#
# Run from a built tree as root (the throttle case needs a cgroup CPU controller, the
# gomaxprocs case taskset). Takes about 6 minutes (pileup judges 3 minutes of growth).
#   scripts/record-alert-fixtures.sh [CASE...]     (default: all)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
GMPTOP=${GMPTOP:-$top/gmptop}
DEMO=${GMPTOP_DEMO_BIN:-$top/demo/gmptop-demo}
out=${ALERT_FIXTURES:-$top/tests/fixtures/alerts}
[ -x "$GMPTOP" ] && [ -x "$DEMO" ] || { echo "build gmptop and the demos first" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d) || exit 1
cg=''
dpid=''
cleanup() {
    [ -n "$dpid" ] && kill "$dpid" 2>/dev/null
    [ -n "$cg" ] && rmdir "$cg" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# quota_cgroup: a cgroup with half a CPU (v2 cpu.max or v1 cfs quota); sets cg.
quota_cgroup() {
    for base in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup; do
        [ -w "$base" ] || continue
        d=$base/gmptop-alerts-$$
        mkdir "$d" 2>/dev/null || continue
        if [ -f "$d/cpu.max" ] && echo "50000 100000" >"$d/cpu.max" 2>/dev/null; then
            cg=$d; return 0
        fi
        if [ -f "$d/cpu.cfs_quota_us" ] && echo 50000 >"$d/cpu.cfs_quota_us" 2>/dev/null; then
            cg=$d; return 0
        fi
        rmdir "$d"
    done
    return 1
}

# record NAME SECONDS [WRAPPER...] -- DEMO-ARGS: start the demo (through the wrapper:
# env, taskset), wait for its pid line, record SECONDS snapshots a second apart.
record() {
    name=$1 secs=$2
    shift 2
    wrap=''
    while [ "$1" != -- ]; do wrap="$wrap $1"; shift; done
    shift
    # shellcheck disable=SC2086 # the wrapper words and the demo's arguments
    $wrap "$DEMO" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    dpid=$!
    i=0
    until grep -q "pid=$dpid\$" "$tmp/$name.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "$name: the demo never printed its pid" >&2; exit 1; }
        sleep 0.1
    done
    [ "$name" = throttle ] && echo "$dpid" >"$cg/cgroup.procs"
    rm -f "$out/$name.gmrec"
    XDG_CONFIG_HOME=$tmp "$GMPTOP" -p "$dpid" -b -d 1 -n "$secs" \
        --record "$out/$name.gmrec" >/dev/null 2>"$tmp/$name.gm" ||
        { echo "$name: gmptop failed: $(cat "$tmp/$name.gm")" >&2; exit 1; }
    kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=''
    echo "$name: $(wc -c <"$out/$name.gmrec") bytes, $secs snapshots"
}

cases=${*:-frozen runnable gc mutex syscall idle gomaxprocs throttle pileup}
for c in $cases; do
    case $c in
    frozen) record frozen 20 env GOMAXPROCS=2 -- frozen ;;
    runnable) record runnable 20 env GOMAXPROCS=2 -- runnable ;;
    gc) record gc 20 env -- gc ;;
    mutex) record mutex 20 env GOMAXPROCS=2 -- mutex -n 32 ;;
    syscall) record syscall 20 env -- syscall ;;
    idle) record idle 20 env -- idle ;;
    gomaxprocs) record gomaxprocs 16 taskset -c 0 env GOMAXPROCS=4 -- idle ;;
    throttle)
        quota_cgroup || { echo "throttle: no writable cgroup CPU controller" >&2; exit 1; }
        record throttle 20 env GOMAXPROCS=2 -- runnable
        rmdir "$cg"; cg='' ;;
    pileup) record pileup 200 env -- pileup -n 2 ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
    esac
done
