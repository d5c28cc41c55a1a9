#!/bin/sh
# pmu-check: the real-hardware check of the cores pane. Not part of
# make check: it needs a machine with a hardware PMU, root (or perf_event_paranoid <= 0),
# perf (Debian: linux-perf), a C compiler, python3 and a built gmptop with its demo.
#
# It runs a cache-thrashing workload (random pointer chase over a buffer larger than the
# L3) and a cache-friendly one (sequential sums over a buffer that fits L2), each pinned
# to one CPU, and over the same seconds reads that CPU with gmptop (-b JSON) and with
# `perf stat -a -A` (system-wide, per CPU). It checks that
#   1. gmptop's L3 miss ratio and dTLB misses per cycle are higher when thrashing, and
#   2. gmptop's IPC, L3 miss ratio, L3 MPKI and dTLB per cycle agree with perf's within
#      10% (or a small absolute margin for figures near zero, where 10% is noise).
# AMD: the L3 figures are per L3 domain (amd_l3 uncore), so perf's amd_l3 counts are
# taken on the domain's counting CPU and its MPKI over all the domain's instructions.
# Prints a table and PASS/FAIL; exits 0 only when every check passes.
#
# Usage: tests/hw/pmu-check.sh [BUILD_DIR]   (default: the current directory)
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$(pwd)}
GMPTOP=${GMPTOP:-$build/gmptop}
DEMO=${GMPTOP_DEMO_BIN:-$build/demo/gmptop-demo}
SECS=${PMU_CHECK_SECONDS:-6}
CPU=${PMU_CHECK_CPU:-1}
TOL=${PMU_CHECK_TOLERANCE:-0.10}

die() { echo "FAIL: $*"; exit 1; }
for c in perf python3 cc; do
    command -v $c >/dev/null 2>&1 || die "needs $c (perf: apt-get install linux-perf)"
done
[ -x "$GMPTOP" ] || die "no gmptop at $GMPTOP (pass the build directory)"
[ -x "$DEMO" ] || die "no gmptop-demo at $DEMO (configure with Go)"
devs=/sys/bus/event_source/devices
[ -e $devs/cpu ] || [ -e $devs/cpu_core ] ||
    die "no hardware PMU here (no cpu PMU under $devs): run this on real hardware"
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 0 ]; then
    die "needs root or perf_event_paranoid <= 0 for per-CPU counters"
fi
[ -d /sys/devices/system/cpu/cpu$CPU ] || CPU=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmu-check.XXXXXX") || die "mktemp"
TARGET=
BENCH=
cleanup() {
    [ -n "$BENCH" ] && kill "$BENCH" 2>/dev/null
    [ -n "$TARGET" ] && kill "$TARGET" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

cc -O2 -o "$tmp/cachebench" "$here/cachebench.c" || die "cannot build cachebench"

# perf events matching what gmptop opens (collectors/pmu_intel.c, pmu_amd.c).
vendor=$(awk -F': *' '/^vendor_id/{print $2; exit}' /proc/cpuinfo)
family=$(awk -F': *' '/^cpu family/{print $2; exit}' /proc/cpuinfo)
case $vendor in
GenuineIntel)
    EVENTS="cycles,instructions,cache-misses,cache-references,dTLB-load-misses"
    AMD=0 ;;
AuthenticAMD|HygonGenuine)
    [ -e $devs/amd_l3 ] || die "AMD without the amd_l3 uncore PMU: load amd_uncore"
    if [ "$family" -ge 25 ]; then
        L3="amd_l3/event=0x04,umask=0x01/,amd_l3/event=0x04,umask=0xff/"
    else
        L3="amd_l3/event=0x06,umask=0x01/,amd_l3/event=0x01,umask=0x80/"
    fi
    EVENTS="cycles,instructions,$L3,cpu/event=0x45,umask=0xf0/"
    AMD=1 ;;
*) die "no event table for vendor '$vendor' in this check" ;;
esac
# L3 domain of the bench CPU, and its CPUs (for AMD's per-domain figures).
l3dir=$(grep -l '^3$' /sys/devices/system/cpu/cpu$CPU/cache/index*/level | head -n 1)
DOMAIN_CPUS=$(cat "$(dirname "$l3dir")/shared_cpu_list" 2>/dev/null || echo "$CPU")

"$DEMO" idle >/dev/null 2>&1 &
TARGET=$!
sleep 1

run_mode() {   # run_mode thrash|friendly SIZE
    "$tmp/cachebench" "$1" $((SECS + 4)) "$2" "$CPU" >"$tmp/$1.bench" &
    BENCH=$!
    sleep 1.5
    # The same seconds for both: perf stat over the sleep gmptop's intervals take.
    perf stat -a -A -x';' -e "$EVENTS" -o "$tmp/$1.perf" -- sleep "$SECS" &
    pp=$!
    "$GMPTOP" -p "$TARGET" -b -n $((SECS + 1)) -d 1 --format json \
        --collectors cpus,threads,cores >"$tmp/$1.json" 2>"$tmp/$1.err" ||
        die "gmptop failed: $(head -c 300 "$tmp/$1.err")"
    wait $pp || die "perf stat failed: $(cat "$tmp/$1.perf")"
    wait "$BENCH"
    BENCH=
}
run_mode thrash 2048
run_mode friendly 128

python3 - "$tmp" "$CPU" "$DOMAIN_CPUS" "$AMD" "$TOL" <<'EOF'
import json, sys
tmp, cpu, domain, amd, tol = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1", float(sys.argv[5])

def cpulist(s):
    out = []
    for part in s.strip().split(","):
        a, _, b = part.partition("-")
        out += range(int(a), int(b or a) + 1)
    return out
dom = cpulist(domain)

def perf_counts(mode):
    """{(cpu, event): count} from perf stat -A -x';' output."""
    c = {}
    for line in open("%s/%s.perf" % (tmp, mode)):
        f = line.strip().split(";")   # ';': raw event names contain commas
        if len(f) < 4 or not f[0].startswith("CPU"):
            continue
        try:
            c[(int(f[0][3:]), f[3])] = float(f[1])
        except ValueError:
            pass     # <not counted> / <not supported>
    return c

def perf_figures(mode):
    c = perf_counts(mode)
    names = sorted({e for (_, e) in c})
    def get(cpu_, key):
        for e in names:
            if key(e) and (cpu_, e) in c:
                return c[(cpu_, e)]
        return float("nan")
    cyc = get(cpu, lambda e: e.startswith("cycles") or e == "cpu-cycles")
    ins = get(cpu, lambda e: e.startswith("instructions"))
    if amd:
        l3 = [e for e in names if e.startswith("amd_l3")]
        # Both Zen tables count misses with umask 0x01; the other event is all accesses.
        miss_e = next((e for e in l3 if "umask=0x01" in e), None)
        acc_e = next((e for e in l3 if e != miss_e), None)
        miss = sum(c.get((k, miss_e), 0) for k in dom)
        acc = sum(c.get((k, acc_e), 0) for k in dom)
        dins = sum(get(k, lambda e: e.startswith("instructions")) for k in dom)
        dtlb = get(cpu, lambda e: "0x45" in e)
    else:
        miss = get(cpu, lambda e: e.startswith("cache-misses"))
        acc = get(cpu, lambda e: e.startswith("cache-references"))
        dins = ins
        dtlb = get(cpu, lambda e: e.startswith("dTLB-load-misses"))
    return {"ipc": ins / cyc, "l3_miss_ratio": miss / acc, "l3_mpki": 1000 * miss / dins,
            "dtlb_per_cycle": dtlb / cyc}

def gmptop_figures(mode):
    snaps = [json.loads(l) for l in open("%s/%s.json" % (tmp, mode)) if l.strip()][1:]
    out = {}
    for k in ("ipc", "l3_miss_ratio", "l3_mpki", "dtlb_per_cycle"):
        vals = [e[k] for s in snaps for e in (s["cores"] or []) if e["cpu"] == cpu and e[k] is not None]
        out[k] = sum(vals) / len(vals) if vals else float("nan")
    return out

# Absolute margins for figures near zero, where 10% of nothing is noise.
floor = {"ipc": 0.02, "l3_miss_ratio": 0.01, "l3_mpki": 0.05, "dtlb_per_cycle": 2e-6}
fails = []
res = {}
print("CPU %d, L3 domain CPUs %s, tolerance %.0f%%" % (cpu, domain, tol * 100))
print("%-9s %-15s %12s %12s %8s" % ("workload", "figure", "gmptop", "perf stat", "diff"))
for mode in ("thrash", "friendly"):
    g, p = gmptop_figures(mode), perf_figures(mode)
    res[mode] = g
    for k in ("ipc", "l3_miss_ratio", "l3_mpki", "dtlb_per_cycle"):
        diff = abs(g[k] - p[k])
        rel = diff / abs(p[k]) if p[k] else float("inf")
        ok = diff <= floor[k] or rel <= tol
        print("%-9s %-15s %12.6g %12.6g %7.1f%% %s" % (mode, k, g[k], p[k], rel * 100,
              "ok" if ok else "FAIL"))
        if not ok:
            fails.append("%s %s: gmptop %.6g vs perf %.6g" % (mode, k, g[k], p[k]))
for k in ("l3_miss_ratio", "dtlb_per_cycle"):
    t, f = res["thrash"][k], res["friendly"][k]
    ok = t > f
    print("direction %-15s thrash %.6g %s friendly %.6g %s" % (k, t, ">" if ok else "<=", f,
          "ok" if ok else "FAIL"))
    if not ok:
        fails.append("%s not higher when thrashing (%.6g vs %.6g)" % (k, t, f))
if fails:
    print("FAIL: " + "; ".join(fails))
    sys.exit(1)
print("PASS: gmptop's per-core counters agree with perf stat and move the right way")
EOF
