#!/bin/sh
# test_gen_offsets: scripts/gen-offsets.sh still builds and runs, and what it writes for
# every installed Go toolchain equals the committed target/go_offsets_table.c entry of the
# same minor release (the version line aside: a newer patch release of the same minor
# must give the same layout). Catches a generator that rotted and a table that drifted
# from the toolchains' DWARF.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
need_cmd python3 pkg-config
toolchains=${GO_TOOLCHAINS:-}
[ -n "$(printf '%s' "$toolchains" | tr -d ' \t\n')" ] || toolchains=go
for go in $toolchains; do
    "$go" env GOVERSION >/dev/null 2>&1 || skip "Go toolchain $go does not run"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-genoff.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
GO_TOOLCHAINS=$toolchains sh "$top_srcdir/scripts/gen-offsets.sh" --fresh "$tmp/table.c" \
    >"$tmp/log" 2>&1 || fail "gen-offsets.sh failed: $(tail -n 5 "$tmp/log")"
cat "$tmp/log"

python3 - "$tmp/table.c" "$top_srcdir/target/go_offsets_table.c" <<'EOF' || exit 1
import re, sys

def entries(path):
    """family -> (version, field lines) of each entry of a generated table."""
    text = open(path).read()
    out = {}
    for m in re.finditer(r'\.version = "([^"]+)",\s*\.family = "([^"]+)",(.*?)\n    \},',
                         text, re.S):
        fields = [l.strip() for l in m.group(3).splitlines() if l.strip()]
        out[m.group(2)] = (m.group(1), fields)
    return out

fresh, committed = entries(sys.argv[1]), entries(sys.argv[2])
if not fresh:
    sys.exit("FAIL: the generated table has no entries")
bad = False
for fam, (ver, fields) in sorted(fresh.items()):
    if fam not in committed:
        print(f"FAIL: {ver} is installed but {fam} is not in target/go_offsets_table.c "
              "(run scripts/gen-offsets.sh)")
        bad = True
        continue
    cver, cfields = committed[fam]
    if fields != cfields:
        diff = [f"  - {a}\n  + {b}" for a, b in zip(cfields, fields) if a != b][:5]
        print(f"FAIL: {ver} differs from the committed {cver} entry:\n" + "\n".join(diff))
        bad = True
    else:
        print(f"ok: {ver}: {len(fields)} lines equal the committed {cver} entry")
sys.exit(1 if bad else 0)
EOF
