#!/bin/sh
# attach_loop: 100 attach/tick/detach rounds (ATTACH_ROUNDS=500 for the soak) on one Go process leak no file descriptor,
# memory or BPF link (links are fds: the loop counts its own "bpf-link" fds; a machine-
# wide count would also see other programs' links).
. "$top_srcdir/tests/lib.sh"
need_demo
loop=$top_builddir/tests/live/attach_loop
[ -x "$loop" ] || fail "attach_loop not built"
start_demo pingpong
trap stop_demo EXIT
"$loop" "$DEMO_PID" "${ATTACH_ROUNDS:-100}" || fail "attach/detach loop leaked"
pass "attach/detach loop: no fd, memory or BPF link growth"
