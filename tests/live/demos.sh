#!/bin/sh
# Live test of the bundled Go demos: each scenario starts, is a Go binary, and shows its
# pathology in /proc (or in GODEBUG traces) within a couple of seconds.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
[ -f "$top_srcdir/tests/lib.sh" ] && . "$top_srcdir/tests/lib.sh"
command -v skip >/dev/null 2>&1 || skip() {
    echo "SKIP: $*"
    [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ] && exit 1
    exit 77
}
command -v fail >/dev/null 2>&1 || fail() {
    echo "FAIL: $*" >&2
    exit 1
}

DEMO=${GMPTOP_DEMO_BIN:-$top_builddir/demo/gmptop-demo}
[ -x "$DEMO" ] || skip "no demo binary at $DEMO (configure found no Go toolchain?)"
[ -r /proc/self/stat ] || skip "no /proc"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-demos.XXXXXX") || fail "mktemp failed"
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
failures=0
bad() {
    echo "  FAIL $name: $*" >&2
    failures=$((failures + 1))
}

# utime+stime of a process, in clock ticks (fields 14 and 15; comm may hold spaces).
cpu_ticks() {
    read -r line <"/proc/$1/stat" || { echo 0; return; }
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- ${line##*) }
    echo $((${12} + ${13}))
}

# Run time plus run-queue wait of all threads, in ns: grows by 1 s per second for each
# thread that always wants a CPU, however loaded the machine is.
# Printed as "UPTIME_S DEMAND_NS", so the rate uses the real interval.
cpu_demand() {
    read -r up _ </proc/uptime
    cat /proc/"$1"/task/*/schedstat 2>/dev/null |
        awk -v up="$up" '{ s += $1 + $2 } END { printf "%s %.0f\n", up, s }'
}

# Threads that are running or runnable right now.
running_threads() {
    n=0
    for t in /proc/"$1"/task/*/stat; do
        read -r line <"$t" 2>/dev/null || continue
        # shellcheck disable=SC2086
        set -- ${line##*) }
        [ "$1" = R ] && n=$((n + 1))
    done
    echo "$n"
}

max_running_threads() {
    best=0
    for _ in 1 2 3 4 5 6; do
        n=$(running_threads "$1")
        [ "$n" -gt "$best" ] && best=$n
        sleep 0.1
    done
    echo "$best"
}

voluntary_switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'
}

# Start scenario $name with the environment given as arguments; sets pid.
start_demo() {
    : >"$tmp/out"
    : >"$tmp/err"
    env -u GOMAXPROCS "$@" "$DEMO" "$name" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 100); do
        grep -q "^gmptop-demo: $name pid=" "$tmp/out" && break
        sleep 0.05
    done
    if ! grep -q "^gmptop-demo: $name pid=$pid\$" "$tmp/out"; then
        bad "no 'gmptop-demo: $name pid=$pid' line on stdout: $(head -c 200 "$tmp/out")" \
            "stderr: $(head -c 300 "$tmp/err")"
        return 1
    fi
}

stop_demo() {
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}

check_go_binary() {
    grep -q -a 'Go buildinf:' "/proc/$pid/exe" || bad "/proc/$pid/exe has no Go build info"
    if [ -x /usr/bin/go ]; then
        v=$(GOTOOLCHAIN=local /usr/bin/go version "/proc/$pid/exe" 2>&1)
        case $v in
        *go1.*) ;;
        *) bad "go version on the exe says: $v" ;;
        esac
    fi
}

# Two consecutive SCHED lines (after start-up) must have the same runqueue=N [a b ...].
check_frozen_sched() {
    for _ in $(seq 40); do
        [ "$(grep -c '^SCHED [1-9][0-9]*ms' "$tmp/err")" -ge 2 ] && break
        sleep 0.1
    done
    grep '^SCHED [1-9][0-9]*ms' "$tmp/err" | tail -n 2 |
        sed -n 's/.*\(runqueue=[0-9]* \[[0-9 ]*\]\).*/\1/p' >"$tmp/rq"
    if [ "$(wc -l <"$tmp/rq")" -ne 2 ]; then
        bad "fewer than two SCHED lines in 4 s: $(tail -n 3 "$tmp/err")"
        return
    fi
    first=$(sed -n 1p "$tmp/rq")
    second=$(sed -n 2p "$tmp/rq")
    [ "$first" = "$second" ] || bad "runqueues moved: '$first' then '$second'"
    # 300 queued goroutines: one sits in runnext, which schedtrace does not count, so
    # 299. On a loaded machine one more goroutine can end up queued behind them for
    # good (seen once in CI-like runs: 300), since nothing queued ever runs again.
    total=$(echo "$first" | tr -c '0-9\n' ' ' | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
    [ "$total" -eq 299 ] || [ "$total" -eq 300 ] ||
        bad "expected 299 (or 300) queued goroutines in '$first', got $total"
    echo "  frozen: $first"
}

names=$("$DEMO" list | awk '{ print $1 }')
[ -n "$names" ] || fail "'$DEMO list' printed nothing"

# The C table behind gmptop --demo must name the same scenarios as the Go binary.
if [ -x "${GMPTOP:-}" ] && "$GMPTOP" --demo list >"$tmp/clist" 2>/dev/null; then
    cnames=$(awk '{ print $1 }' "$tmp/clist")
    [ "$cnames" = "$names" ] ||
        fail "gmptop --demo list ($(echo "$cnames" | tr '\n' ' ')) differs from" \
            "gmptop-demo list ($(echo "$names" | tr '\n' ' '))"
fi

for name in $names; do
    case $name in
    frozen) start_demo GOMAXPROCS=2 GODEBUG=asyncpreemptoff=1,schedtrace=1000 || continue ;;
    gc) start_demo GODEBUG=gctrace=1 || continue ;;
    *) start_demo || continue ;;
    esac
    sleep 1
    if ! kill -0 "$pid" 2>/dev/null; then
        bad "died within 1 s: $(tail -n 3 "$tmp/err")"
        wait "$pid" 2>/dev/null
        pid=
        continue
    fi
    check_go_binary
    c0=$(cpu_ticks "$pid")
    v0=$(voluntary_switches "$pid")
    d0=$(cpu_demand "$pid")
    sleep 1
    c1=$(cpu_ticks "$pid")
    v1=$(voluntary_switches "$pid")
    d1=$(cpu_demand "$pid")
    cpu=$(((c1 - c0) * 100 / hz)) # percent of one core over the last second
    demand=$(echo "$d0 $d1" | awk '{ t = $3 - $1; print (t > 0 ? int(($4 - $2) / t / 1e7) : 0) }')
    threads=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l)
    procs=$ncpu
    [ "$name" = frozen ] && procs=2
    [ "$procs" -gt "$ncpu" ] && procs=$ncpu
    echo "  $name: cpu=${cpu}% demand=${demand}% threads=$threads vcsw/s=$((v1 - v0))"
    # Busy scenarios are judged by CPU demand (run + runqueue wait), not CPU time:
    # other tests may share the machine.
    case $name in
    runnable | frozen)
        r=$(max_running_threads "$pid")
        [ "$r" -ge "$procs" ] || bad "only $r threads running/runnable, want >= $procs"
        [ "$demand" -ge $((procs * 80)) ] ||
            bad "threads wanted ${demand}% of a core, want >= $((procs * 80))%"
        ;;
    pingpong | mutex)
        [ "$demand" -ge 5 ] || bad "threads wanted ${demand}% of a core: not busy"
        ;;
    syscall)
        [ "$threads" -gt $((ncpu + 3)) ] || bad "$threads threads, want > GOMAXPROCS+3 = $((ncpu + 3))"
        ;;
    gc)
        n=$(grep -c '^gc [0-9]' "$tmp/err")
        [ "$n" -ge 5 ] || bad "only $n GC cycles in 2 s"
        ;;
    timers)
        [ $((v1 - v0)) -ge 100 ] || bad "only $((v1 - v0)) voluntary switches/s"
        ;;
    idle)
        [ "$cpu" -lt 10 ] || bad "idle uses ${cpu}% cpu"
        ;;
    esac
    [ "$name" = frozen ] && check_frozen_sched
    kill -0 "$pid" 2>/dev/null || bad "died during the test"
    [ "$(wc -l <"$tmp/out")" -eq 1 ] || bad "stdout has more than the pid line: $(head -c 200 "$tmp/out")"
    stop_demo
done

[ "$failures" -eq 0 ] || fail "$failures demo check(s) failed"
echo "PASS: $(echo "$names" | wc -l) demo scenarios"
exit 0
