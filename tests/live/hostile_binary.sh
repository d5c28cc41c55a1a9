#!/bin/sh
# hostile_binary: a Go binary whose .debug_* sections are overwritten with garbage still
# runs; gmptop attached to it shows correct per-P figures (layouts from the fallback
# table, compared with GODEBUG=schedtrace) or says the layout is unusable, never wrong
# figures, never a crash. Several random corruptions, each with its own seed.
. "$top_srcdir/tests/lib.sh"
need_cmd python3 readelf
need_demo
work=$(mktemp -d /tmp/gmptop-hostile.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

corrupt() {   # corrupt SRC DST SEED MODE
    python3 - "$@" <<'PY'
import random, subprocess, sys
src, dst, seed, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
data = bytearray(open(src, "rb").read())
rnd = random.Random(seed)
out = subprocess.run(["readelf", "-SW", src], capture_output=True, text=True).stdout
hit = 0
for line in out.splitlines():
    f = line.replace("[ ", "[").split()
    if len(f) > 6 and f[1].startswith(".debug_"):
        off, size = int(f[4], 16), int(f[5], 16)
        if mode == "all":            # every byte garbage
            data[off:off + size] = bytes(rnd.getrandbits(8) for _ in range(size))
        elif mode == "header":       # the compression header (type, size, alignment)
            data[off:off + 24] = bytes(rnd.getrandbits(8) for _ in range(24))
        else:                        # a few flipped bytes deep inside
            for _ in range(16):
                i = off + rnd.randrange(size)
                data[i] ^= 1 << rnd.randrange(8)
        hit += 1
assert hit, "no .debug_ sections"
open(dst, "wb").write(data)
PY
}

n=0
for spec in "1 all" "2 header" "3 flip" "4 flip" "5 all" "6 flip"; do
    set -- $spec
    bin=$work/demo-$1
    corrupt "$GMPTOP_DEMO_BIN" "$bin" "$1" "$2" || fail "corrupting ($spec)"
    chmod +x "$bin"
    # Files of this run only: a stale SCHED line from the last one, read before the
    # shell has even exec'd the new binary, would send gmptop to a shell. The frozen
    # demo re-executes itself, so its pid line on stdout says the final image is up.
    err=$work/err-$1
    GOMAXPROCS=2 GODEBUG=schedtrace=200 "$bin" frozen >"$work/stdout-$1" 2>"$err" &
    pid=$!
    wait_line "$work/stdout-$1" "pid=$pid\$" 15 "$err"
    i=0
    until [ "$(grep -c '^SCHED' "$err" 2>/dev/null)" -ge 2 ]; do
        i=$((i + 1)); [ $i -lt 150 ] || fail "corrupted demo ($spec) did not run"; sleep 0.1
    done
    "$GMPTOP" -p "$pid" -b -n 1 -d 0.2 --format json >"$work/out" 2>&1 ||
        fail "gmptop exited $? on a binary with garbage DWARF ($spec): $(tail -2 "$work/out")"
    grep '^SCHED' "$err" | tail -1 >"$work/sched"
    python3 - "$work/out" "$work/sched" "$spec" <<'PY' || fail "wrong figures ($spec)"
import json, re, sys
o = json.loads(open(sys.argv[1]).readline())
line = open(sys.argv[2]).read()
st = [c for c in o["collectors"] if c["name"] == "sched"][0]
s = o["sched"]
if s is None:
    assert st["reason"], st
    print(sys.argv[3], "-> refused:", st["reason"])
else:
    m = re.search(r"runqueue=(\d+) \[([\d ]*)\]", line)
    assert s["runq_global"] == int(m.group(1)), (s["runq_global"], line)
    assert [p["runq"] for p in s["ps"]] == [int(x) for x in m.group(2).split()], line
    print(sys.argv[3], "-> correct figures:", st["reason"])
PY
    kill "$pid"; wait "$pid" 2>/dev/null; pid=""
    n=$((n + 1))
done
pass "$n corrupted-DWARF binaries: correct figures or a stated refusal"
