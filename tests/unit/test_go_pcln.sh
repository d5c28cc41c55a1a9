#!/bin/sh
# Unit test driver for go_pclntab_pc_lookup: build (or reuse) the Go fixtures, then ask
# each toolchain's own `go tool addr2line` (Go's debug/gosym reading the same table)
# where a sample of program counters are, in the stripped build, and let the cmocka test
# compare gmptop's answers for the stripped and the plain build with those.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_go_pcln
exec 9>&-
ref=$top_builddir/tests/gobin-pcln
mkdir -p "$ref" || exit 1
rm -f "$ref"/*.ref
for go in $gos; do
    v=$("$go" env GOVERSION) || exit 1
    # Every 5th text symbol of `go tool nm` (runtime, main and the rest), at its entry
    # and 9 bytes in: a few hundred pcs a version, in functions of every size.
    awk '($2 == "T" || $2 == "t") && NR % 5 == 0 { print $1 }' "$GOBIN_DIR/$v-plain.nm" |
        while read -r a; do printf '0x%s\n0x%x\n' "$a" $((0x$a + 9)); done >"$ref/$v.pcs" ||
        exit 1
    "$go" tool addr2line "$GOBIN_DIR/$v-stripped" <"$ref/$v.pcs" >"$ref/$v.out" || {
        echo "test_go_pcln: go tool addr2line ($v) failed" >&2
        exit 1
    }
    # pc, function, file:line per line.
    awk 'NR == FNR { pc[FNR] = $1; next }
         FNR % 2 == 1 { fn = $0; next }
         { print pc[FNR / 2], fn, $0 }' "$ref/$v.pcs" "$ref/$v.out" >"$ref/$v.ref" || exit 1
done
GOBIN_PCLN_REF=$ref
export GOBIN_PCLN_REF
exec "$top_builddir/tests/unit/test_go_pcln"
