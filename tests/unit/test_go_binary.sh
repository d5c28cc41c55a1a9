#!/bin/sh
# Unit test driver for go_binary: build the Go fixtures once (tests/gofixture, and its
# cgo variant, -tags cgofixture, into tests/gobin-cgo), then run the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_go_binary

# Still under go_fixtures_ensure's lock (fd 9). A cgo build needs the C compiler Go
# would call; without one the cgo checks are skipped (failed under GMPTOP_REQUIRE_LIVE).
cgo_src=$top_srcdir/tests/gofixture
cgo_dir=$top_builddir/tests/gobin-cgo
set -- $gos
cc=$("$1" env CC 2>/dev/null)
if [ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1; then
    mkdir -p "$cgo_dir" || exit 1
    stamp=$cgo_dir/.stamp
    if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "$gos" ] ||
       [ -n "$(find "$cgo_src"/*.go "$cgo_src/go.mod" \
            "$top_srcdir/tests/build-go-fixtures.sh" -newer "$stamp")" ]; then
        rm -f "$stamp" "$cgo_dir"/go*
        GO_TOOLCHAINS=$gos CGO_ENABLED=1 GO_FIXTURE_TAGS=cgofixture \
            sh "$top_srcdir/tests/build-go-fixtures.sh" "$cgo_dir" tests/gofixture || {
            echo "test_go_binary: FAIL: building the cgo fixture" >&2
            exit 1
        }
        printf '%s\n' "$gos" >"$stamp"
    fi
    GOBIN_CGO_DIR=$cgo_dir
    export GOBIN_CGO_DIR
elif [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
    echo "test_go_binary: FAIL: no C compiler ('$cc') for the cgo fixture" >&2
    exit 1
else
    echo "test_go_binary: no C compiler ('$cc'): cgo fixture checks skipped" >&2
fi
exec 9>&-
exec "$top_builddir/tests/unit/test_go_binary"
