#!/bin/sh
# Build a Go program (default: the go_binary test fixture) with every Go toolchain in
# $GO_TOOLCHAINS, five ways: plain, -s -w, PIE, and PIE linked by the system linker
# (-linkmode=external, with and without -s -w: the C start-up code then sits before
# runtime.text and the pcln table inside .data.rel.ro).
# Usage: build-go-fixtures.sh OUTDIR [SOURCE_DIR relative to top_srcdir]
# GO_FIXTURE_TAGS: build tags for every build (the cgo variant: cgofixture).
# Writes OUTDIR/<goversion>-{plain,stripped,pie,extpie,extpie-stripped},
# OUTDIR/<goversion>-{plain,pie,extpie}.nm (`go tool nm` output: the expected
# link-time addresses) and OUTDIR/<goversion>.version.
# Prints one line per toolchain built; exits nonzero if any toolchain failed to build.
set -u

outdir=${1:?usage: build-go-fixtures.sh OUTDIR}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/${2:-tests/gofixture}
toolchains=${GO_TOOLCHAINS:-go}

mkdir -p "$outdir" || exit 1
outdir=$(cd "$outdir" && pwd)
export GOFLAGS="-buildvcs=false${GO_FIXTURE_TAGS:+ -tags=$GO_FIXTURE_TAGS}"
# Go refuses to run without a cache directory; HOME is often unset under make.
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then
    export GOCACHE="$outdir/.gocache"
fi

status=0
seen=" "
for go in $toolchains; do
    if ! command -v "$go" >/dev/null 2>&1; then
        echo "build-go-fixtures: $go: not found" >&2
        status=1
        continue
    fi
    v=$("$go" env GOVERSION 2>/dev/null)
    if [ -z "$v" ]; then
        echo "build-go-fixtures: $go env GOVERSION failed" >&2
        status=1
        continue
    fi
    case "$seen" in *" $v "*) continue ;; esac
    seen="$seen$v "
    # The source tree is read-only under distcheck: build from it, write only to outdir.
    if (cd "$srcdir" &&
        "$go" build -o "$outdir/$v-plain" . &&
        "$go" build -ldflags='-s -w' -o "$outdir/$v-stripped" . &&
        "$go" build -buildmode=pie -o "$outdir/$v-pie" . &&
        "$go" build -buildmode=pie -ldflags='-linkmode=external' -o "$outdir/$v-extpie" . &&
        "$go" build -buildmode=pie -ldflags='-s -w -linkmode=external' \
            -o "$outdir/$v-extpie-stripped" .) &&
       "$go" tool nm "$outdir/$v-plain" >"$outdir/$v-plain.nm" &&
       "$go" tool nm "$outdir/$v-pie" >"$outdir/$v-pie.nm" &&
       "$go" tool nm "$outdir/$v-extpie" >"$outdir/$v-extpie.nm"; then
        printf '%s\n' "$v" >"$outdir/$v.version"
        echo "built $v with $go"
    else
        echo "build-go-fixtures: building with $go ($v) failed" >&2
        rm -f "$outdir/$v-plain" "$outdir/$v-stripped" "$outdir/$v-pie" \
            "$outdir/$v-extpie" "$outdir/$v-extpie-stripped" "$outdir/$v-plain.nm" \
            "$outdir/$v-pie.nm" "$outdir/$v-extpie.nm" "$outdir/$v.version"
        status=1
    fi
done
exit $status
