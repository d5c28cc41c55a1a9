#!/bin/sh
# Unit test driver for go_globals: the shared Go fixtures, plus a stripped PIE and objdump
# listings of our own, then the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
toolchains=${GO_TOOLCHAINS:-}
[ -n "$(printf '%s' "$toolchains" | tr -d ' \t\n')" ] || toolchains=go
# Shared with test_go_binary.sh and test_go_offsets.sh: same fixtures, same stamp.
outdir=$top_builddir/tests/gobin
# Ours alone: <version>-stripped-pie and <version>-plain.insns.
gdir=$top_builddir/tests/gobin-globals

skip() {
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
        echo "test_go_globals: FAIL: $1 (GMPTOP_REQUIRE_LIVE=1 forbids skipping)" >&2
        exit 1
    fi
    echo "test_go_globals: SKIP: $1" >&2
    exit 77
}

versions=" "
gos=""
missing=""
for go in $toolchains; do
    v=$("$go" env GOVERSION 2>/dev/null) || v=""
    if [ -z "$v" ]; then
        missing="$missing $go"
        continue
    fi
    case "$versions" in *" $v "*) ;; *) versions="$versions$v " gos="$gos $go" ;; esac
done
[ "$versions" != " " ] || skip "no usable Go toolchain in '$toolchains'"
if [ -n "$missing" ]; then
    echo "test_go_globals: FAIL: toolchains not runnable:$missing" >&2
    exit 1
fi

mkdir -p "$outdir" "$gdir" || exit 1
# make -j runs this next to the other fixture users: one builder at a time.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$outdir/.lock"
    flock 9
fi

stamp=$outdir/.stamp
fresh=no
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$toolchains" ] &&
   [ -z "$(find "$top_srcdir/tests/gofixture/main.go" "$top_srcdir/tests/gofixture/go.mod" \
        "$top_srcdir/tests/build-go-fixtures.sh" -newer "$stamp")" ]; then
    fresh=yes
fi
if [ $fresh = no ]; then
    rm -f "$stamp" "$outdir"/go*-plain "$outdir"/go*-stripped "$outdir"/go*-pie \
        "$outdir"/go*.nm "$outdir"/go*.version
    GO_TOOLCHAINS=$toolchains
    export GO_TOOLCHAINS top_srcdir
    sh "$top_srcdir/tests/build-go-fixtures.sh" "$outdir"
    printf '%s\n' "$toolchains" >"$stamp"
fi
for v in $versions; do
    if [ ! -f "$outdir/$v.version" ]; then
        rm -f "$stamp"
        echo "test_go_globals: FAIL: no fixture built for $v" >&2
        exit 1
    fi
done

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
