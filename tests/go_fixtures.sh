# go_fixtures.sh: sourced by the unit-test drivers that need the Go fixture binaries
# (tests/gofixture built with every toolchain, plain / -s -w / PIE, by
# build-go-fixtures.sh). go_fixtures_ensure NAME builds them once into
# $top_builddir/tests/gobin (fresh per toolchain list and source change), holds the
# build lock on fd 9 (the caller may add files, then `exec 9>&-`), and sets
# GOBIN_DIR, versions (one per distinct Go version) and gos (one toolchain each).
# A toolchain that does not run fails the test; no toolchain at all is a skip.

go_fixtures_skip() {
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
        echo "$1: FAIL: $2 (GMPTOP_REQUIRE_LIVE=1 forbids skipping)" >&2
        exit 1
    fi
    echo "$1: SKIP: $2" >&2
    exit 77
}

go_fixtures_ensure() {
    name=$1
    top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
    top_builddir=${top_builddir:-$(pwd)}
    toolchains=${GO_TOOLCHAINS:-}
    [ -n "$(printf '%s' "$toolchains" | tr -d ' \t\n')" ] || toolchains=go
    outdir=$top_builddir/tests/gobin
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
    [ "$versions" != " " ] || go_fixtures_skip "$name" "no usable Go toolchain in '$toolchains'"
    if [ -n "$missing" ]; then
        echo "$name: FAIL: toolchains not runnable:$missing" >&2
        exit 1
    fi
    mkdir -p "$outdir" || exit 1
    # make -j runs the fixture users side by side: one builder at a time.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$outdir/.lock"
        flock 9
    fi
    stamp=$outdir/.stamp
    if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "$toolchains" ] ||
       [ -n "$(find "$top_srcdir"/tests/gofixture/*.go "$top_srcdir/tests/gofixture/go.mod" \
            "$top_srcdir/tests/build-go-fixtures.sh" -newer "$stamp")" ]; then
        rm -f "$stamp" "$outdir"/go*-plain "$outdir"/go*-stripped "$outdir"/go*-pie \
            "$outdir"/go*-extpie "$outdir"/go*-extpie-stripped "$outdir"/go*.nm \
            "$outdir"/go*.version
        GO_TOOLCHAINS=$toolchains
        export GO_TOOLCHAINS top_srcdir
        sh "$top_srcdir/tests/build-go-fixtures.sh" "$outdir"
        printf '%s\n' "$toolchains" >"$stamp"
    fi
    for v in $versions; do
        if [ ! -f "$outdir/$v.version" ]; then
            rm -f "$stamp"
            echo "$name: FAIL: no fixture built for $v" >&2
            exit 1
        fi
    done
    GOBIN_DIR=$outdir
    export GOBIN_DIR
}
