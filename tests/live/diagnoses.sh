#!/bin/sh
# diagnoses: each demo that reproduces a pathology raises its rule within a stated time
# (gmptop --diagnose-only, 0.5 s refresh), and the healthy idle demo raises none.
. "$top_srcdir/tests/lib.sh"
need_demo
export XDG_CONFIG_HOME=$(mktemp -d /tmp/gmptop-diag.XXXXXX)   # defaults, not the user's
out=$XDG_CONFIG_HOME/out
gm=""
cleanup() {
    [ -n "$gm" ] && kill "$gm" 2>/dev/null
    stop_demo
    [ -n "${cg:-}" ] && rmdir "$cg" 2>/dev/null
    rm -rf "$XDG_CONFIG_HOME"
}
trap cleanup EXIT

# expect RULE WITHIN_S SCENARIO [env...]: start the demo, watch, want RULE in time.
expect() {
    rule=$1; within=$2; scen=$3; shift 3
    start_demo_env "$scen" "$@"
    watch_for "$rule" "$within" || fail "$scen: no '$rule' within $within s: $(cat "$out")"
    pass "$scen raises $rule ($(grep -m1 "START.* $rule:" "$out" | cut -c1-100)...)"
    stop_watch
}

# Wait until DEMO_PID runs the demo binary (env/taskset exec it) with its runtime up:
# the demo prints its pid line once ready (after the frozen demo's re-exec, too).
demo_out=$XDG_CONFIG_HOME/demo.out
wait_exec() {
    wait_line "$demo_out" "pid=$DEMO_PID\$"
}

start_demo_env() {
    scen=$1; shift
    # shellcheck disable=SC2086 # "mutex -n 32": the scenario and its options
    : >"$demo_out"
    env "$@" "$GMPTOP_DEMO_BIN" $scen >"$demo_out" 2>&1 &
    DEMO_PID=$!
    wait_exec
    : >"$out"
    "$GMPTOP" -p "$DEMO_PID" --diagnose-only -d 0.5 >"$out" 2>&1 &
    gm=$!
}

watch_for() {
    i=0
    while [ $i -lt $(($2 * 2)) ]; do
        grep -q "START.* $1:" "$out" && return 0
        sleep 0.5
        i=$((i + 1))
    done
    return 1
}

stop_watch() {
    kill "$gm" 2>/dev/null; wait "$gm" 2>/dev/null; gm=""
    stop_demo
}

expect runq_backlog 12 frozen GOMAXPROCS=2
expect runq_backlog 15 runnable GOMAXPROCS=2
expect gc_pressure 10 gc
# 32 contenders: enough waiters stay parked even when a loaded machine delays the
# woken ones (which then count as runnable, not waiting).
expect lock_contention 20 "mutex -n 32" GOMAXPROCS=2
expect syscall_block 10 syscall
if command -v taskset >/dev/null; then
    DEMO_PID=
    : >"$demo_out"
    taskset -c 0 env GOMAXPROCS=4 "$GMPTOP_DEMO_BIN" idle >"$demo_out" 2>&1 &
    DEMO_PID=$!
    wait_exec
    "$GMPTOP" -p "$DEMO_PID" --diagnose-only -d 0.5 >"$out" 2>&1 &
    gm=$!
    watch_for gomaxprocs 5 || fail "GOMAXPROCS=4 on one CPU: no gomaxprocs finding: $(cat "$out")"
    pass "GOMAXPROCS=4 on 1 CPU raises gomaxprocs"
    stop_watch
fi

# CPU quota throttling: a cgroup with half a CPU around the runnable demo (root).
cg=""
if [ "$(id -u)" = 0 ]; then
    for base in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup; do
        [ -w "$base" ] || continue
        d=$base/gmptop-test-$$
        mkdir "$d" 2>/dev/null || continue
        if [ -f "$d/cpu.max" ] && echo "50000 100000" >"$d/cpu.max" 2>/dev/null; then cg=$d; break; fi
        if [ -f "$d/cpu.cfs_quota_us" ] && echo 50000 >"$d/cpu.cfs_quota_us" 2>/dev/null; then cg=$d; break; fi
        rmdir "$d"
    done
fi
if [ -n "$cg" ]; then
    # 2 Ps on half a CPU is what Go 1.25+ itself chooses (max(ceil(quota), 2)): the
    # throttling is reported, GOMAXPROCS is not blamed for it.
    start_demo_env runnable GOMAXPROCS=2
    echo "$DEMO_PID" >"$cg/cgroup.procs"
    watch_for cpu_throttle 12 || fail "quota 0.5 CPU: no cpu_throttle finding: $(cat "$out")"
    sleep 3
    grep -q "START.* gomaxprocs:" "$out" &&
        fail "GOMAXPROCS 2 on a 0.5 CPU quota (the runtime's own choice) flagged: $(cat "$out")"
    stop_watch
    # 4 Ps are more than the runtime's rule gives for this quota: flagged, with the fix.
    start_demo_env runnable GOMAXPROCS=4
    echo "$DEMO_PID" >"$cg/cgroup.procs"
    watch_for gomaxprocs 12 || fail "GOMAXPROCS 4 over a 0.5 CPU quota: no gomaxprocs finding"
    grep -q "Set GOMAXPROCS=2" "$out" || fail "gomaxprocs finding without the fix: $(cat "$out")"
    pass "a 0.5 CPU quota raises cpu_throttle; gomaxprocs only above the runtime's own 2"
    stop_watch
else
    echo "note: no writable cgroup cpu controller here; throttling checked by unit tests only"
fi

# The healthy control: nothing for 15 s.
start_demo_env idle
sleep 15
[ -s "$out" ] && fail "idle demo raised findings: $(cat "$out")"
stop_watch
pass "idle demo: no findings in 15 s"
