#!/bin/sh
# Unit test driver for go_binary: build the Go fixtures once, then run the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
toolchains=${GO_TOOLCHAINS:-}
[ -n "$(echo $toolchains)" ] || toolchains=go
outdir=$top_builddir/tests/gobin

skip() {
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
        echo "test_go_binary: FAIL: $1 (GMPTOP_REQUIRE_LIVE=1 forbids skipping)" >&2
        exit 1
    fi
    echo "test_go_binary: SKIP: $1" >&2
    exit 77
}

# The versions we expect fixtures for, one per distinct toolchain.
versions=" "
missing=""
for go in $toolchains; do
    v=$("$go" env GOVERSION 2>/dev/null) || v=""
    if [ -z "$v" ]; then
        missing="$missing $go"
        continue
    fi
    case "$versions" in *" $v "*) ;; *) versions="$versions$v " ;; esac
done
[ -n "$(echo $versions)" ] || skip "no usable Go toolchain in '$toolchains'"
if [ -n "$missing" ]; then
    echo "test_go_binary: FAIL: toolchains not runnable:$missing" >&2
    exit 1
fi

# make -j runs this next to test_go_offsets.sh: one builder at a time where flock exists.
mkdir -p "$outdir"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$outdir/.lock"
    flock 9
fi

# Fresh: built for this toolchain list, after the last change to the fixture or script.
stamp=$outdir/.stamp
fresh=no
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$toolchains" ] &&
   [ "$stamp" -nt "$top_srcdir/tests/gofixture/main.go" ] &&
   [ "$stamp" -nt "$top_srcdir/tests/gofixture/go.mod" ] &&
   [ "$stamp" -nt "$top_srcdir/tests/build-go-fixtures.sh" ]; then
    fresh=yes
fi
if [ $fresh = no ]; then
    rm -f "$stamp" "$outdir"/go*-plain "$outdir"/go*-stripped "$outdir"/go*-pie \
        "$outdir"/go*.nm "$outdir"/go*.version
    GO_TOOLCHAINS=$toolchains top_srcdir=$top_srcdir \
        sh "$top_srcdir/tests/build-go-fixtures.sh" "$outdir"
    printf '%s\n' "$toolchains" >"$stamp"
fi

built=0
wanted=0
for v in $versions; do
    wanted=$((wanted + 1))
    if [ -f "$outdir/$v.version" ]; then
        built=$((built + 1))
    else
        echo "test_go_binary: no fixture built for $v" >&2
    fi
done
if [ $built -lt $wanted ]; then
    rm -f "$stamp"
    echo "test_go_binary: FAIL: built fixtures for $built of $wanted toolchains" >&2
    exit 1
fi

GOBIN_DIR=$outdir
export GOBIN_DIR
exec "$top_builddir/tests/unit/test_go_binary"
