#!/bin/sh
# goroutine_groups: gmptop's goroutine groups equal the program's own runtime.Stack(all)
# on every installed Go toolchain, each build plain, -s -w, PIE and PIE from the system
# linker (stripped and not): the fixture's `groups` mode parks 100 goroutines in a
# channel receive, 50 asleep and 20 with an inlined call on top, prints the dump, and
# stays still while gmptop reads it. Counts, functions, files and lines must match.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd python3
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure goroutine_groups
exec 9>&-
work=$(mktemp -d /tmp/gmptop-groups.XXXXXX) || fail "mktemp"
pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$work"' EXIT

checked=0
for v in $versions; do
    for mode in plain stripped pie extpie extpie-stripped; do
        bin=$GOBIN_DIR/$v-$mode
        label=$v-$mode
        "$bin" groups 20 >"$work/stack" 2>&1 &
        pid=$!
        i=0
        until grep -q '^==end==' "$work/stack"; do
            i=$((i + 1)); [ $i -lt 100 ] || fail "$label: no dump: $(tail -3 "$work/stack")"
            sleep 0.1
        done
        "$GMPTOP" -p "$pid" -b -n 1 --collectors sched --format json >"$work/gm.json" ||
            fail "$label: gmptop exited $?"
        kill "$pid"; wait "$pid" 2>/dev/null; pid=""
        python3 "$top_srcdir/tests/live/goroutine_groups_check.py" "$work/gm.json" \
            "$work/stack" "$label" main.spawnGroups || fail "$label: groups differ"
        checked=$((checked + 1))
    done
done
pass "goroutine groups equal runtime.Stack on $checked builds"
