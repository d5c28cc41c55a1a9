#!/bin/sh
# seed-from-builds: adds real Go binaries and their .go.buildinfo / .gopclntab sections
# (from the test fixtures built by make check) to fuzz/work/go_binary, so the ELF, table
# and DWARF readers start from real files. Usage: fuzz/seed-from-builds.sh BUILDDIR
set -u
b=${1:-.}
out=$b/fuzz/work/go_binary
mkdir -p "$out"
for f in "$b"/tests/gobin/go*-stripped "$b"/tests/gobin/go*-pie; do
    [ -f "$f" ] || continue
    n=$(basename "$f")
    { printf '\002'; cat "$f"; } >"$out/elf-$n"
    for sec in .go.buildinfo .gopclntab .data.rel.ro.gopclntab; do
        if objcopy -O binary --only-section="$sec" "$f" "$out/tmp" 2>/dev/null && [ -s "$out/tmp" ]; then
            case $sec in *buildinfo) m='\000' ;; *) m='\001' ;; esac
            { printf "$m"; cat "$out/tmp"; } >"$out/sec$sec-$n"
        fi
    done
    rm -f "$out/tmp"
done
# The DWARF readers both ways: Go compresses .debug_* (SHF_COMPRESSED); a copy with them
# decompressed takes the other path through libdw.
for f in "$b"/tests/gobin/go*-plain; do
    [ -f "$f" ] || continue
    if objcopy --decompress-debug-sections "$f" "$out/tmp" 2>/dev/null; then
        { printf '\002'; cat "$out/tmp"; } >"$out/elf-$(basename "$f")-dwarf-plain"
    fi
    rm -f "$out/tmp"
done
ls "$out" | wc -l
