#!/bin/sh
# cpu_profile: gmptop's on-CPU profile of an unmodified Go program agrees with the
# program's own runtime/pprof CPU profile of the same stretch of time. With
# CPU_PROFILE_BUILDS=all (make check-versions): on every installed Go toolchain, each
# build plain and stripped (-s -w), and on the newest also PIE and PIE from the system
# linker, stripped and not; otherwise (make check) the newest toolchain's stripped and
# external-PIE stripped builds, as programs ship. The fixture's `oncpu` mode burns a
# whole core in main.spinAll and a quarter of one in main.quarterBurn and profiles
# itself at 250 Hz for 4 s; gmptop samples 3 s inside that window at 250 Hz and writes
# a pprof file. Both files are read by `go tool pprof -top`: the two functions' self
# shares (flat%) split the two between them alike (within 5 percentage points of
# spinAll's part of the pair), hold over 85% of samples in both, and are the two
# hottest in both.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure cpu_profile
exec 9>&-
work=$(mktemp -d /tmp/gmptop-cpuprof.XXXXXX) || fail "mktemp"
pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$work"' EXIT
newest=""
for go in $gos; do newest=$go; done

# flat% of the two functions, and the two hottest, from `go tool pprof -top FILE`.
shares() {
    "$newest" tool pprof -top "$1" 2>&1 | python3 -c '
import sys
rows = []
for line in sys.stdin:
    f = line.split()
    if len(f) == 6 and f[1].endswith("%") and f[0][0].isdigit():
        rows.append((f[5], float(f[1][:-1])))
d = dict(rows)
top = sorted(n for n, _ in rows[:2])
print(d.get("main.spinAll", -1), d.get("main.quarterBurn", -1), ",".join(top))'
}

checked=0
last_v=""
for v in $versions; do last_v=$v; done
for v in $versions; do
    if [ "${CPU_PROFILE_BUILDS:-}" = all ]; then
        modes="plain stripped"
        [ "$v" = "$last_v" ] && modes="plain stripped pie extpie extpie-stripped"
    else
        modes=""
        [ "$v" = "$last_v" ] && modes="stripped extpie-stripped"
    fi
    for mode in $modes; do
        bin=$GOBIN_DIR/$v-$mode
        label=$v-$mode
        rm -f "$work/ref.pb" "$work/gm.pb.gz"
        "$bin" oncpu 4 "$work/ref.pb" 250 >"$work/out" 2>&1 &
        pid=$!
        i=0
        until grep -q '^profiling' "$work/out"; do
            i=$((i + 1)); [ $i -lt 100 ] || fail "$label: fixture did not start: $(tail -3 "$work/out")"
            sleep 0.05
        done
        "$GMPTOP" -p "$pid" --profile "$work/gm.pb.gz" --profile-seconds 3 --profile-hz 250 \
            2>"$work/gm.err" || fail "$label: gmptop exited $?: $(cat "$work/gm.err")"
        i=0
        until grep -q '^done' "$work/out"; do
            i=$((i + 1)); [ $i -lt 100 ] || fail "$label: fixture did not finish: $(tail -3 "$work/out")"
            sleep 0.05
        done
        wait "$pid" 2>/dev/null; pid=""
        set -- $(shares "$work/ref.pb"); rs=$1 rq=$2 rtop=$3
        set -- $(shares "$work/gm.pb.gz"); gs=$1 gq=$2 gtop=$3
        # How each profile divides the program's time between the two functions, and
        # that the two hold nearly all of it in both. Not the raw shares: what lies
        # around the interruption itself differs (runtime/pprof's own SIGPROF handler
        # and signal return are outside its profile, inside the kernel's cpu-clock:
        # up to 6% of samples at 250 Hz on a loaded VM), not the program's division.
        python3 -c "
import sys
rs, rq, gs, gq = map(float, sys.argv[1:5])
if min(rs, rq, gs, gq) <= 0 or rs + rq < 85 or gs + gq < 85:
    sys.exit(1)
if abs(100 * rs / (rs + rq) - 100 * gs / (gs + gq)) > 5:
    sys.exit(1)" "$rs" "$rq" "$gs" "$gq" ||
            fail "$label: self shares differ: runtime/pprof spinAll $rs% quarterBurn $rq%, gmptop $gs% $gq%"
        [ "$rtop" = "$gtop" ] || fail "$label: hottest functions differ: pprof $rtop, gmptop $gtop"
        echo "$label: spinAll pprof $rs% gmptop $gs%, quarterBurn pprof $rq% gmptop $gq%"
        checked=$((checked + 1))
    done
done
pass "on-CPU profiles divide the time between the two functions as runtime/pprof does (within 5 points; both over 85% of samples) on $checked builds"
