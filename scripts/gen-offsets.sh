#!/bin/sh
# Regenerate target/go_offsets_table.c: build the offsets probe with every installed Go
# toolchain and read the runtime layouts from its DWARF with gmptop's own extractor.
# Usage: scripts/gen-offsets.sh [--fresh] [OUTPUT]   (default OUTPUT: target/go_offsets_table.c)
#   GO_TOOLCHAINS  toolchains to use (default: /usr/bin/go /usr/lib/go-1.*/bin/go)
#   CC             C compiler for the extractor (default: cc)
# Versions already in the table but not installed here are kept unless --fresh is given.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
fresh=
if [ "${1:-}" = --fresh ]; then
    fresh=--fresh
    shift
fi
out=${1:-$top/target/go_offsets_table.c}
toolchains=${GO_TOOLCHAINS:-}
if [ -z "$toolchains" ]; then
    for go in /usr/bin/go /usr/lib/go-1.*/bin/go; do
        [ -x "$go" ] && toolchains="$toolchains $go"
    done
fi
[ -n "$toolchains" ] || { echo "gen-offsets: no Go toolchain found" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gen-offsets.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export GOFLAGS=-buildvcs=false
[ -n "${GOCACHE:-}" ] || [ -n "${HOME:-}" ] || export GOCACHE="$work/gocache"

cc=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
$cc -std=gnu11 -O2 -I"$top" $(pkg-config --cflags libdw libelf) \
    -o "$work/gen-offsets" "$top/scripts/gen-offsets.c" "$top/target/go_dwarf.c" \
    "$top/target/go_offsets.c" "$top/target/go_offsets_table.c" "$top/target/go_binary.c" \
    "$top/target/go_pclntab.c" "$top/target/go_buildinfo.c" "$top/target/elf_reloc.c" \
    "$top/target/go_moduledata.c" "$top/target/dw_dl.c" "$top/target/go_symtab.c" "$top/target/elf_image.c" "$top/target/go_derive.c" "$top/target/x86_riprel.c" \
    "$top/base/util.c" $(pkg-config --libs libdw libelf) -lpthread

bins=
for go in $toolchains; do
    v=$("$go" env GOVERSION) || { echo "gen-offsets: $go env GOVERSION failed" >&2; exit 1; }
    # Default build mode and flags: the layouts do not depend on them, the DWARF must be kept.
    (cd "$top/scripts/offsets-probe" && "$go" build -o "$work/probe-$v" .)
    bins="$bins $work/probe-$v"
done

# shellcheck disable=SC2086 # one word per binary
"$work/gen-offsets" $fresh $bins >"$work/table.c"
mv "$work/table.c" "$out"
echo "gen-offsets: wrote $out"
