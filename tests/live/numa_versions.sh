#!/bin/sh
# numa_versions: the NUMA pane counts the Go heap as heap on every installed Go
# toolchain, each build plain, stripped, PIE and stripped PIE from the system linker,
# including Go 1.26+'s randomised heap base: a workload that touched 64 MiB of heap
# shows at least that many heap pages, and no more than the runtime itself says it has
# mapped (runtime.MemStats.HeapSys).
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
src=$top_srcdir/tests/live/numa_workload.go
go_build_dir numa-versions
work=$(mktemp -d /tmp/gmptop-numav.XXXXXX) || fail "mktemp"
pids=""
trap 'for p in $pids; do kill -KILL $p 2>/dev/null; done; rm -rf "$work"' EXIT
cp "$src" "$work/main.go"
printf 'module numaworkload\n\ngo 1.19\n' >"$work/go.mod"

bins=""
seen=" "
for go in $GO_TOOLCHAINS; do
    v=$("$go" env GOVERSION 2>/dev/null) || fail "toolchain $go not runnable"
    case "$seen" in *" $v "*) continue ;; esac
    seen="$seen$v "
    build_go_modes "$go" "$work" "$outdir/$v" "$src"
done
[ -n "$bins" ] || skip "no Go toolchain"

checked=0
for bin in $bins; do
    label=$(basename "$bin")
    : >"$work/out"
    "$bin" 64 >"$work/out" 2>&1 &
    pid=$!
    pids="$pids $pid"
    i=0
    until grep -q '^ready' "$work/out"; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "$label: did not start: $(cat "$work/out")"
        sleep 0.1
    done
    "$GMPTOP" -p "$pid" -b -n 1 --collectors threads,numa --format json >"$work/gm.json" ||
        fail "$label: gmptop exited $?"
    kill "$pid"; wait "$pid" 2>/dev/null
    python3 - "$work/gm.json" "$work/out" "$label" <<'PY' || fail "$label: heap pages"
import json, sys
numa = json.loads(open(sys.argv[1]).readline())["numa"]
ready = open(sys.argv[2]).read().split()
heap_sys = int(ready[ready.index("heap_sys") + 1])
assert numa is not None, "numa section null"
heap = sum(n["pages"]["heap"] for n in numa["nodes"])
anon = sum(n["pages"]["anon"] for n in numa["nodes"])
touched = 64 << 20 >> 12
assert heap >= touched, ("heap pages", heap, "want >=", touched, "anon", anon)
assert heap * 4096 <= heap_sys, ("heap", heap * 4096, "bytes > runtime HeapSys", heap_sys)
print(sys.argv[3], "heap", heap, "pages (", heap * 4096 >> 20, "MiB ), HeapSys",
      heap_sys >> 20, "MiB, anon", anon)
PY
    checked=$((checked + 1))
done
pass "Go heap classified on $checked builds"
