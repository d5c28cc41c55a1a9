#!/bin/sh
# unknown_version: a stripped Go binary (no DWARF) of a version missing from the offset
# table: gmptop derives the layouts from the binary and says so; where the code it
# derives from is not what it expects, the scheduler section says why and shows no
# numbers, the other collectors keep working, and gmptop exits 0 — no guessed layout,
# no crash.
. "$top_srcdir/tests/lib.sh"
need_cmd python3
go=$(echo ${GO_TOOLCHAINS:-go} | cut -d' ' -f1)
command -v "$go" >/dev/null 2>&1 || skip "no Go toolchain"
work=$(mktemp -d /tmp/gmptop-unknown.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
export GOFLAGS=-buildvcs=false
[ -n "${HOME:-}" ] || export GOCACHE="$work/.gocache"
(cd "$top_srcdir/demo" && "$go" build -ldflags='-s -w' -o "$work/demo" .) || fail "build"
v=$("$go" env GOVERSION)
# Same length, so the .go.buildinfo layout stays valid: go1.19.8 -> go1.99.8 etc.
fake=$(echo "$v" | sed 's/^go1\.[0-9][0-9]/go1.99/')
[ ${#fake} -eq ${#v} ] || skip "cannot fake a version of the same length as $v"
python3 - "$work/demo" "$v" "$fake" <<'PY' || fail "patching the version"
import sys
p, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
d = open(p, "rb").read()
i = d.find(b"\xff Go buildinf:")
assert i >= 0
j = d.find(old, i, i + 4096)
assert j >= 0
d = d[:j] + new + d[j + len(new):]
open(p, "wb").write(d)
PY
"$work/demo" idle >"$work/demo.out" 2>&1 &
pid=$!
# Its pid line says the runtime is up (a fixed sleep is too short on a loaded machine).
wait_line "$work/demo.out" "pid=$pid\$"
"$GMPTOP" -p "$pid" -b -n 1 -d 0.2 --format json >"$work/out" 2>&1 || fail "exit $?: $(cat "$work/out")"
python3 - "$work/out" "$fake" <<'PY' || fail "unknown version not derived"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["go_version"] == sys.argv[2], o["go_version"]
st = [c for c in o["collectors"] if c["name"] == "sched"][0]
assert st["available"] and "derived" in st["reason"], st
s = o["sched"]
assert s is not None and len(s["ps"]) == s["gomaxprocs"] >= 1, s
assert [p["id"] for p in s["ps"]] == list(range(s["gomaxprocs"])), s["ps"]
assert s["goroutines"] is not None and s["goroutines"]["total"] >= 1, s["goroutines"]
assert len(o["threads"]) >= 2 and all(t["tid"] for t in o["threads"]), "threads pane lost"
print("sched:", st["reason"])
PY
pass "unknown Go version without DWARF: layouts derived from the binary, verified"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""

# The same unknown version whose runtime.schedtrace (never run without
# GODEBUG=schedtrace) is overwritten with int3: nothing to derive the scheduler's
# counters from, so the section is null with the reason; symbols kept (-w) to find it.
(cd "$top_srcdir/demo" && "$go" build -ldflags='-w' -o "$work/demo-w" .) || fail "build -w"
set -- $("$go" tool nm -size "$work/demo-w" | awk '$4 == "runtime.schedtrace" { print $1, $2 }')
[ $# -eq 2 ] || fail "no runtime.schedtrace in the -w build"
python3 - "$work/demo-w" "$v" "$fake" "$1" "$2" <<'PY' || fail "patching schedtrace"
import struct, sys
p, old, new, addr = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), int(sys.argv[4], 16)
size = int(sys.argv[5])
d = bytearray(open(p, "rb").read())
i = d.find(b"\xff Go buildinf:")
j = d.find(old, i, i + 4096)
assert i >= 0 and j >= 0
d[j:j + len(new)] = new
phoff, = struct.unpack_from("<Q", d, 0x20)
phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
for k in range(phnum):
    typ, flags, off, vaddr, paddr, filesz = struct.unpack_from("<IIQQQQ", d, phoff + k * phentsize)
    if typ == 1 and vaddr <= addr < vaddr + filesz:
        o = off + addr - vaddr
        d[o:o + size] = b"\xcc" * size
        break
else:
    sys.exit("schedtrace in no PT_LOAD")
open(p, "wb").write(bytes(d))
PY
"$work/demo-w" idle >"$work/demo.out" 2>&1 &
pid=$!
wait_line "$work/demo.out" "pid=$pid\$"
"$GMPTOP" -p "$pid" -b -n 1 -d 0.2 --format json >"$work/out" 2>&1 || fail "exit $?: $(cat "$work/out")"
python3 - "$work/out" "$fake" <<'PY' || fail "underivable layout not reported"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["go_version"] == sys.argv[2], o["go_version"]
assert o["sched"] is None
st = [c for c in o["collectors"] if c["name"] == "sched"][0]
assert not st["available"] and "not in the offset table" in st["reason"], st
assert "runtime.schedtrace" in st["reason"], st
assert len(o["threads"]) >= 2 and all(t["tid"] for t in o["threads"]), "threads pane lost"
print("sched:", st["reason"])
PY
pass "unknown Go version, layout not derivable: stated, other collectors work"
kill "$pid"; wait "$pid" 2>/dev/null; pid=""

# A 32-bit (GOARCH=386) program on this 64-bit machine: the scheduler and the probe say
# why they cannot read it (4-byte pointers, stack arguments), the NUMA pane leaves the
# heap unknown instead of 0, and the threads still show.
build_workload "$top_srcdir/tests/live/exec_workload.go" "$work/b386" CGO_ENABLED=0 GOARCH=386
# A kernel without IA32 emulation (CONFIG_IA32_EMULATION off, or ia32_emulation=0 on
# its command line) cannot run one at all (execve fails with ENOEXEC): there is then no
# 32-bit process for gmptop to meet, and nothing of this part to test. (Asked through
# Python's posix_spawn, which reports the exec's own error: a shell, or execvp, would
# retry the file as a shell script; a started program is killed at once. No timeout:
# a loaded machine can take over a second to start Python.)
python3 -c 'import errno, os, sys
try:
    pid = os.posix_spawn(sys.argv[1], [sys.argv[1]], os.environ)
except OSError as e:
    sys.exit(8 if e.errno == errno.ENOEXEC else 1)
os.kill(pid, 9)
os.waitpid(pid, 0)' "$work/b386" >/dev/null 2>&1
if [ $? = 8 ]; then
    echo "note: GOARCH=386 part not run: this kernel does not execute 32-bit x86 programs (no IA32 emulation)"
    exit 0
fi
"$work/b386" >"$work/b386.out" 2>&1 &
pid=$!
wait_line "$work/b386.out" "pid=$pid image=\$"
"$GMPTOP" -p "$pid" -b -n 2 -d 0.3 --format json >"$work/out" 2>&1 || fail "exit $?: $(cat "$work/out")"
python3 - "$work/out" <<'PY' || fail "386 program not reported"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])][-1]
st = {c["name"]: c for c in o["collectors"]}
assert o["sched"] is None and "GOARCH=386" in st["sched"]["reason"], st["sched"]
assert not st["park"]["available"] and "GOARCH=386" in st["park"]["reason"], st["park"]
assert o["numa"] is None or all(n["pages"]["heap"] is None for n in o["numa"]["nodes"]), o["numa"]
assert len(o["threads"]) >= 2, "threads pane lost"
print("sched:", st["sched"]["reason"]); print("park:", st["park"]["reason"])
PY
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
pass "GOARCH=386 program: stated, not misread"
