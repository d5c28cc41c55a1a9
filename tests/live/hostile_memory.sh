#!/bin/sh
# hostile_memory: gmptop never trusts the target's memory. The test (not gmptop) stops a
# Go workload, forges its allp slice header and a P's runqueue indices through
# /proc/PID/mem, and checks gmptop neither crashes nor shows the forged values as real:
# the scheduler section is dropped with a reason; after restoring, it reads normally.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3 readelf
need_demo
allp=$(readelf -sW "$GMPTOP_DEMO_BIN" | awk '$8 == "runtime.allp" { print $2 }')
[ -n "$allp" ] || skip "demo binary has no runtime.allp symbol"
start_demo idle
pid=$DEMO_PID
trap 'kill -CONT $pid 2>/dev/null; stop_demo' EXIT
sleep 0.5
tmp=$(mktemp)

# poke OFFSET_EXPR VALUE WIDTH: write through /proc/PID/mem (prints the old value).
mem() {
    python3 - "$pid" "$@" <<'PY'
import struct, sys
pid, op, addr, width = int(sys.argv[1]), sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4])
fmt = {4: "<I", 8: "<Q"}[width]
with open(f"/proc/{pid}/mem", "r+b", buffering=0) as f:
    f.seek(addr)
    old = struct.unpack(fmt, f.read(width))[0]
    if op == "write":
        f.seek(addr)
        f.write(struct.pack(fmt, int(sys.argv[5], 0)))
    print(old)
PY
}

# check_dropped WHAT: gmptop must exit normally, print sched null and say why.
check_dropped() {
    "$GMPTOP" -p "$pid" -b -n 1 -d 0.1 --format json >"$tmp" 2>&1 ||
        fail "$1: gmptop exited $? (crash?): $(tail -2 "$tmp")"
    python3 - "$tmp" "$1" <<'PY' || fail "$1: forged values shown"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["sched"] is None, ("forged scheduler data shown as real", o["sched"])
st = [c for c in o["collectors"] if c["name"] == "sched"][0]
assert not st["available"] and st["reason"], st
print(sys.argv[2], "-> dropped:", st["reason"])
PY
}

kill -STOP "$pid"
a=$(printf '%d' "0x$allp")
arr=$(mem read $a 8)
len=$(mem read $((a + 8)) 8)
cap=$(mem read $((a + 16)) 8)

# 1. allp length far beyond any GOMAXPROCS (and beyond the array).
mem write $((a + 8)) 8 5000 >/dev/null; mem write $((a + 16)) 8 5000 >/dev/null
check_dropped "allp len 5000"
# 2. allp pointing at unmapped memory.
mem write $((a + 8)) 8 "$len" >/dev/null; mem write $((a + 16)) 8 "$cap" >/dev/null
mem write $a 8 0x1000 >/dev/null
check_dropped "allp -> 0x1000"
mem write $a 8 "$arr" >/dev/null
# 3. P 0's runqueue indices: 1000 queued in a 256-slot ring.
p0=$(mem read "$arr" 8)
# runqhead's offset in runtime.p by Go version (FACTS.md: 400 in 1.19-1.22, 392 in 1.23)
minor=$(strings -n 8 "$GMPTOP_DEMO_BIN" | sed -n 's/^go1\.\([0-9]*\).*/\1/p' | head -1)
head_off=400
[ -n "$minor" ] && [ "$minor" -ge 23 ] && head_off=392
h=$(mem read $((p0 + head_off)) 4)
t=$(mem read $((p0 + head_off + 4)) 4)
mem write $((p0 + head_off + 4)) 4 $((h + 1000)) >/dev/null
check_dropped "P0 runq 1000"
mem write $((p0 + head_off + 4)) 4 "$t" >/dev/null

# Restored: the same process reads normally again (the forgeries were the only cause).
"$GMPTOP" -p "$pid" -b -n 1 -d 0.1 --format json >"$tmp" || fail "restored: exit $?"
python3 -c "
import json; o = json.loads(open('$tmp').readline())
assert o['sched'] is not None and o['sched']['gomaxprocs'] == $len, o['sched']
" || fail "restored memory not read back"
kill -CONT "$pid"
rm -f "$tmp"
pass "forged allp and runq indices are dropped with a reason, never shown"
