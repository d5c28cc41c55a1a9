#!/bin/sh
# Unit test driver for go_offsets: build (or reuse) the Go fixtures, then run the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
toolchains=${GO_TOOLCHAINS:-}
[ -n "$(printf '%s' "$toolchains" | tr -d ' \t\n')" ] || toolchains=go
# Shared with test_go_binary.sh: same fixtures, same freshness stamp.
outdir=$top_builddir/tests/gobin

skip() {
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
        echo "test_go_offsets: FAIL: $1 (GMPTOP_REQUIRE_LIVE=1 forbids skipping)" >&2
        exit 1
    fi
    echo "test_go_offsets: SKIP: $1" >&2
    exit 77
}

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
[ "$versions" != " " ] || skip "no usable Go toolchain in '$toolchains'"
if [ -n "$missing" ]; then
    echo "test_go_offsets: FAIL: toolchains not runnable:$missing" >&2
    exit 1
fi

mkdir -p "$outdir" || exit 1
# make -j runs this next to test_go_binary.sh: one builder at a time where flock exists.
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
        echo "test_go_offsets: FAIL: no fixture built for $v" >&2
        exit 1
    fi
done

GOBIN_DIR=$outdir
export GOBIN_DIR
exec "$top_builddir/tests/unit/test_go_offsets"
