#!/bin/sh
# Test driver for go_timehist: build tests/live/sched_latency_metrics.go with every Go
# toolchain (plain, PIE, and -w so offsets come from the table), then run the cmocka tests,
# whose live part compares each program's runtime/metrics with its memory read from outside.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
toolchains=${GO_TOOLCHAINS:-}
[ -n "$(printf '%s' "$toolchains" | tr -d ' \t\n')" ] || toolchains=go
src=$top_srcdir/tests/live/sched_latency_metrics.go
# Under tests/gobin so `make clean` removes them; names unlike the go_binary fixtures'.
outdir=$top_builddir/tests/gobin
test_bin=$top_builddir/tests/unit/test_go_timehist

fail() {
    echo "test_go_timehist: FAIL: $1" >&2
    exit 1
}

[ -x "$test_bin" ] || fail "$test_bin not built"
mkdir -p "$outdir" || fail "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
export GOFLAGS=-buildvcs=false
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then
    export GOCACHE="$outdir/.gocache"
fi
if command -v flock >/dev/null 2>&1; then
    exec 9>"$outdir/.lock-schedlat"
    flock 9
fi

# Build into a temporary directory: the source tree is read-only under distcheck, and a
# single .go file builds outside any module.
bins=""
seen=" "
work=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-schedlat.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
cp "$src" "$work/main.go" || fail "cannot copy $src"
for go in $toolchains; do
    v=$("$go" env GOVERSION 2>/dev/null) || v=""
    if [ -z "$v" ]; then
        # No Go at all is a skip of the live part; a listed toolchain that is broken is not.
        if [ "$toolchains" = go ] && ! command -v go >/dev/null 2>&1; then
            continue
        fi
        fail "toolchain '$go' not runnable"
    fi
    case "$seen" in *" $v "*) continue ;; esac
    seen="$seen$v "
    for kind in plain pie nodwarf; do
        out=$outdir/schedlat-$v-$kind
        if [ ! -x "$out" ] || [ -n "$(find "$src" -newer "$out")" ]; then
            case $kind in
            plain) flags="" ;;
            pie) flags="-buildmode=pie" ;;
            nodwarf) flags="-ldflags=-w" ;;
            esac
            # shellcheck disable=SC2086
            if ! (cd "$work" && "$go" build $flags -o "$out.tmp" main.go) ||
               ! mv "$out.tmp" "$out"; then
                fail "building $src with $go ($v, $kind) failed"
            fi
        fi
        bins="$bins $out"
    done
done

if [ -z "$bins" ]; then
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
        fail "no Go toolchain in '$toolchains' (GMPTOP_REQUIRE_LIVE=1 forbids skipping)"
    fi
    echo "test_go_timehist: no Go toolchain: running the synthetic tests only" >&2
fi
TIMEHIST_BINS=$bins
export TIMEHIST_BINS
"$test_bin"
