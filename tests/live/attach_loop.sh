#!/bin/sh
# attach_loop: 500 attach/tick/detach rounds on one Go process leak no file descriptor,
# memory or BPF link (the BPF links are counted before and after when bpftool exists).
. "$top_srcdir/tests/lib.sh"
need_demo
loop=$top_builddir/tests/live/attach_loop
[ -x "$loop" ] || fail "attach_loop not built"
links() { command -v bpftool >/dev/null && bpftool link list 2>/dev/null | grep -c '^[0-9]' || echo 0; }
start_demo pingpong
trap stop_demo EXIT
before=$(links)
"$loop" "$DEMO_PID" "${ATTACH_ROUNDS:-500}" || fail "attach/detach loop leaked"
after=$(links)
[ "$before" = "$after" ] || fail "BPF links: $before before, $after after"
pass "attach/detach loop: no fd, memory or BPF link growth"
