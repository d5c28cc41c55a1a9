#!/bin/sh
# Unit test driver for go_globals: the shared Go fixtures, plus a stripped PIE and objdump
# listings of our own, then the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_go_globals
# Ours alone: <version>-stripped-pie and <version>-plain.insns.
gdir=$top_builddir/tests/gobin-globals
mkdir -p "$gdir" || exit 1

# A stripped PIE per toolchain (the shared set has stripped and PIE, not both), and what
# objdump makes of the plain build's .text: "addr" or "addr rip-relative-target" a line.
export GOFLAGS=-buildvcs=false
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then
    export GOCACHE="$outdir/.gocache"
fi
for go in $gos; do
    v=$("$go" env GOVERSION)
    bin=$gdir/$v-stripped-pie
    if [ ! -f "$bin" ] || [ -n "$(find "$stamp" -newer "$bin")" ]; then
        (cd "$top_srcdir/tests/gofixture" &&
         "$go" build -buildmode=pie -ldflags='-s -w' -o "$bin" .) || {
            echo "test_go_globals: FAIL: building $bin with $go" >&2
            rm -f "$bin"
            exit 1
        }
    fi
    insns=$gdir/$v-plain.insns
    if command -v objdump >/dev/null 2>&1 &&
       { [ ! -s "$insns" ] || [ -n "$(find "$outdir/$v-plain" -newer "$insns")" ]; }; then
        objdump -d --no-show-raw-insn -j .text "$outdir/$v-plain" |
            awk '/^ +[0-9a-f]+:/ {
                     a = $1; sub(":", "", a)
                     if (match($0, /\(%rip\).*# [0-9a-f]+/)) {
                         n = split($0, x, "# "); split(x[n], y, " "); print a, y[1]
                     } else print a
                 }' >"$insns.tmp" && mv "$insns.tmp" "$insns"
    fi
done
exec 9>&-

GOBIN_DIR=$outdir
GLOBALS_DIR=$gdir
export GOBIN_DIR GLOBALS_DIR
exec "$top_builddir/tests/unit/test_go_globals"
