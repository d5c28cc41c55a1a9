#!/bin/sh
# bench-attach: how long gmptop takes from attach to its first full frame on a large
# stripped Go binary, cold (binary parsed, layouts read or derived) and again from the
# same process (layouts from the per-build-id cache), per collector set.
# Usage: scripts/bench-attach.sh [BUILD_DIR] [FUNCS]
#   BUILD_DIR  a configured and built tree (default: the source tree); needs
#              tests/live/attach_loop (make check builds it, or make tests/live/attach_loop)
#   FUNCS      generated functions, in thousands (default 100: a ~100 MB binary)
#   GO         toolchain (default: the newest /usr/lib/go-1.*/bin/go)
#   GMPTOP_OFFSET_TABLE=off is passed through: then stripped layouts are derived.
# Prints one line per figure. The generated program is cached under $TMPDIR.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
kfuncs=${2:-100}
go=${GO:-$(ls -d /usr/lib/go-1.*/bin/go 2>/dev/null | sort -t. -k2 -n | tail -1)}
[ -x "$go" ] || { echo "bench-attach: no Go toolchain" >&2; exit 1; }
loop=$build/tests/live/attach_loop
[ -x "$loop" ] || make -C "$build" tests/live/attach_loop >/dev/null
v=$("$go" env GOVERSION)
work=${TMPDIR:-/tmp}/gmptop-bench-attach-$v-$kfuncs
bin=$work/big
mkdir -p "$work"
export GOFLAGS=-buildvcs=false

if [ ! -x "$bin" ]; then
    echo "building a stripped $v program with ${kfuncs}k functions (minutes)..." >&2
    # 50 packages of distinct, non-inlined functions with 20-way switches: about 1 KB
    # of text + pclntab each, like a large real program's mix of many small functions.
    python3 - "$work" "$kfuncs" <<'PY'
import os, sys
work, kfuncs = sys.argv[1], int(sys.argv[2])
npkg = 50
per = kfuncs * 1000 // npkg
open(f"{work}/go.mod", "w").write("module bigbin\n\ngo 1.19\n")
imports, tables = [], []
for p in range(npkg):
    d = f"{work}/p{p}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f.go", "w") as o:
        o.write(f"package p{p}\n\n")
        for i in range(per):
            n = p * per + i
            o.write(f"//go:noinline\nfunc F{i}(x, y uint64) uint64 {{\n"
                    "\tfor i := uint64(0); i < y; i++ {\n\t\tswitch (x + i) % 21 {\n")
            for a in range(20):
                o.write(f"\t\tcase {a}:\n\t\t\tx = (x*{(n*7+a)%251+3} + {n*31+a}) ^ (x >> {a%17+1})\n")
            o.write("\t\tdefault:\n\t\t\tx = x<<1 | x>>63\n\t\t}\n\t}\n\treturn x\n}\n\n")
        o.write("var Table = []func(uint64, uint64) uint64{\n")
        o.write("".join(f"\tF{i},\n" for i in range(per)))
        o.write("}\n")
    imports.append(f'\t"bigbin/p{p}"')
    tables.append(f"p{p}.Table")
with open(f"{work}/main.go", "w") as o:
    o.write("package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n" + "\n".join(imports) + "\n)\n\n")
    o.write("var tables = [][]func(uint64, uint64) uint64{" + ", ".join(tables) + "}\n\n")
    o.write("func main() {\n\tvar s uint64\n\tfor _, t := range tables {\n"
            "\t\tfor i := range t {\n\t\t\ts += t[i](uint64(i), 1)\n\t\t}\n\t}\n"
            "\tfmt.Println(\"ready\", s%7)\n\tfor {\n\t\ttime.Sleep(time.Second)\n\t}\n}\n")
PY
    (cd "$work" && "$go" build -ldflags='-s -w' -o "$bin.tmp" .) && mv "$bin.tmp" "$bin"
fi

"$bin" >"$work/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT INT TERM
i=0
until grep -q ready "$work/out"; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "bench-attach: program did not start" >&2; exit 1; }
    sleep 0.1
done
size=$(stat -c %s "$bin")
echo "binary: $v stripped, $((size / 1048576)) MiB, ${kfuncs}k generated functions"
for set in threads,sched threads,sched,numa,cores threads,sched,numa,cores,park; do
    sync
    echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
    printf '%-34s ' "$set:"
    "$loop" "$pid" 6 "$set" | head -1
done
# A whole gmptop process, page cache warm: start, attach, one frame, exit.
t0=$(date +%s%N)
"$build/gmptop" -p "$pid" -b -n 1 -d 0.05 --format json >/dev/null
t1=$(date +%s%N)
echo "gmptop -b -n 1 (all collectors, new process): $(( (t1 - t0) / 1000000 )) ms"
