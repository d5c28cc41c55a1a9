#!/bin/sh
# bad_input_matrix: the README's troubleshooting cases not asserted elsewhere, each with
# its message: a user without privileges watching their own Go program (perf counters
# refused by perf_event_paranoid, BPF needing CAP_BPF; the scheduler still read), and a
# kernel without BTF (hidden with a private mount), and an unknown theme.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3 setpriv unshare findmnt
need_demo
work=$(mktemp -d /tmp/gmptop-matrix.XXXXXX)
chmod 777 "$work"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work" "$REACHABLE"' EXIT
# nobody runs gmptop and the demo: run copies it can reach whatever the checkout's path.
reachable_copies
as_nobody() { exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$work" "$@"; }

# 1. Unprivileged, own process.
(as_nobody "$GMPTOP_DEMO_BIN" idle) >/dev/null 2>&1 &   # exec: $! is the demo itself
pid=$!
sleep 0.7
(as_nobody "$GMPTOP" -p "$pid" -b -n 1 -d 0.2 --format json) >"$work/out" 2>&1 ||
    fail "unprivileged gmptop exited $?: $(cat "$work/out")"
python3 - "$work/out" "$(cat /proc/sys/kernel/perf_event_paranoid)" <<'PY' || fail "unprivileged reasons"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
st = {c["name"]: c for c in o["collectors"]}
assert o["sched"] is not None, "same-user scheduler read failed"
park = st["park"]
assert not park["available"] and "CAP_BPF" in park["reason"], park
if int(sys.argv[2]) > 0:
    cores = st["cores"]
    assert "perf_event_paranoid is" in cores["reason"] and "CAP_PERFMON" in cores["reason"], cores
# The on-CPU sampler needs per-thread cpu-clock events of a process of the same user:
# paranoid <= 1 gives all of it, 2 user mode only (said in the note), above that only
# CAP_PERFMON; refused, it says which, and the rest goes on.
cpu = st["cpuprof"]
par = int(sys.argv[2])
if par > 2:
    assert not cpu["available"] and "CAP_PERFMON" in cpu["reason"] and \
        "perf_event_paranoid" in cpu["reason"], cpu
    assert o["cpu_profile"] is None, o["cpu_profile"]
else:
    assert cpu["available"] and o["cpu_profile"] is not None, cpu
    # Without CAP_BPF the per-CPU events' filter cannot load: one event per thread.
    assert o["cpu_profile"]["events"] == "per-thread", o["cpu_profile"]
    assert "one event per thread (per-CPU: the BPF filter did not load" in cpu["reason"], cpu
    if par == 2:
        assert "user-mode time only" in (o["cpu_profile"]["note"] or ""), o["cpu_profile"]
print("park:", park["reason"]); print("cores:", st["cores"]["reason"]); print("cpuprof:", cpu["reason"])
PY
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
pass "unprivileged: perf and BPF refusals named, scheduler still read"

# 2. No BTF: hide /sys/kernel/btf in a private mount namespace.
if [ -d /sys/kernel/btf ]; then
    private_mount_ns /sys/kernel/btf \
        sh -c "mount -t tmpfs none /sys/kernel/btf && \"$GMPTOP\" --list-collectors" \
        >"$work/list" 2>&1 || fail "unshare/mount failed: $(cat "$work/list")"
    grep -q "^park: unavailable: .*BTF" "$work/list" || fail "no BTF not reported: $(cat "$work/list")"
    # The on-CPU profile needs no BTF (perf events, no BPF).
    grep -q "^cpuprof: available" "$work/list" || fail "cpuprof without BTF: $(cat "$work/list")"
    pass "no BTF: $(grep '^park:' "$work/list"); cpuprof still available"
fi

# 3. Unknown theme in the TUI: a message, the default theme, a normal exit.
if command -v tmux >/dev/null; then
    start_demo idle
    sock=gmptop-matrix-$$
    tmux -L "$sock" new-session -d -x 100 -y 30 "$GMPTOP -p $DEMO_PID --theme nosuch; echo exit=\$? >$work/rc; sleep 5"
    i=0
    until tmux -L "$sock" capture-pane -p | grep -q "theme 'nosuch' not found"; do
        i=$((i + 1)); [ $i -lt 50 ] || { tmux -L "$sock" kill-server; fail "no unknown-theme message"; }
        sleep 0.1
    done
    tmux -L "$sock" send-keys q
    i=0; until [ -s "$work/rc" ]; do i=$((i + 1)); [ $i -lt 50 ] || break; sleep 0.1; done
    tmux -L "$sock" kill-server 2>/dev/null
    stop_demo
    grep -q "exit=0" "$work/rc" || fail "unknown theme: exit $(cat "$work/rc")"
    pass "unknown theme: message shown, default theme, exit 0"
fi
