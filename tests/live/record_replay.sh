#!/bin/sh
# record_replay: record 10 ticks of a demo while printing JSON live; the replay prints the
# same bytes; 100 truncations and 30 flipped bytes replay their complete prefix and name
# the damage (exit 5, never a signal); a newer format is refused; strangers' files and
# symlinks are not written; appending works; the TUI replays, pauses, steps and seeks.
. "$top_srcdir/tests/lib.sh"
need_cmd python3 cmp
start_demo pingpong
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-rec.XXXXXX") || fail "mktemp"
SOCK=gmptop-rec-$$
cleanup() {
    stop_demo
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

rec=$tmp/run.gmpr
"$GMPTOP" -p "$DEMO_PID" -b --format json -n 10 -d 0.2 --record "$rec" >"$tmp/live.json" \
    2>"$tmp/rec.err" || fail "recording run exited $?: $(cat "$tmp/rec.err")"
[ "$(wc -l <"$tmp/live.json")" = 10 ] || fail "live run printed $(wc -l <"$tmp/live.json") lines"
size=$(wc -c <"$rec")
pass "recorded 11 snapshots (10 printed + the priming one) in $size bytes"

"$GMPTOP" --replay "$rec" -b --format json >"$tmp/replay.json" || fail "replay exited $?"
cmp "$tmp/live.json" "$tmp/replay.json" || fail "replayed JSON differs from the live JSON"
pass "replay -b --format json is byte-identical to the live JSON"

"$GMPTOP" --replay "$rec" -b -n 3 --format json >"$tmp/three.json" || fail "replay -n 3"
[ "$(wc -l <"$tmp/three.json")" = 3 ] || fail "-n 3 printed $(wc -l <"$tmp/three.json")"
"$GMPTOP" --replay "$rec" -b >"$tmp/replay.txt" || fail "text replay exited $?"
grep -q "pid $DEMO_PID (gmptop-demo)" "$tmp/replay.txt" || fail "text replay lacks the header"
pass "replay honours -n and prints text"

# check_prefix OUT ERR RC WHAT: a damaged replay printed a prefix of the full one, whole
# lines only, and either ended cleanly (0, silent) or said where the damage is (5).
check_prefix() {
    case $3 in
    0) [ -s "$2" ] && fail "$4: exit 0 but stderr: $(cat "$2")" ;;
    5) grep -Eq "damaged at byte [0-9]+ \((frame [0-9]+|header)\)|not a gmptop recording" "$2" ||
           fail "$4: exit 5 without a damage message: $(cat "$2")" ;;
    *) fail "$4: exit status $3 (a signal is $(($3 - 128))); stderr: $(cat "$2")" ;;
    esac
    n=$(wc -c <"$1")
    head -c "$n" "$tmp/replay.json" | cmp -s - "$1" || fail "$4: output is not a prefix"
    [ "$n" = 0 ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] ||
        fail "$4: output ends in a partial line"
}

offsets=$(python3 -c "
import random
r = random.Random(20241127)
print(' '.join(str(r.randrange(1, $size)) for _ in range(100)))")
damaged=0
for off in $offsets; do
    head -c "$off" "$rec" >"$tmp/cut.gmpr"
    "$GMPTOP" --replay "$tmp/cut.gmpr" -b --format json >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check_prefix "$tmp/out" "$tmp/err" "$rc" "truncated at $off"
    [ "$rc" = 5 ] && damaged=$((damaged + 1))
done
[ "$damaged" -ge 90 ] || fail "only $damaged of 100 truncations reported damage"
pass "100 truncations: complete prefix every time, $damaged reported where the damage is"

i=0
while [ $i -lt 30 ]; do
    python3 - "$rec" "$tmp/flip.gmpr" "$i" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]) * 7919)
at = r.randrange(len(data))
data[at] ^= r.randrange(1, 256)
open(sys.argv[2], "wb").write(data)
PY
    "$GMPTOP" --replay "$tmp/flip.gmpr" -b --format json >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 5 ] || fail "flipped byte (case $i): exit $rc, want 5; $(cat "$tmp/err")"
    check_prefix "$tmp/out" "$tmp/err" "$rc" "flipped byte (case $i)"
    i=$((i + 1))
done
pass "30 flipped bytes: each detected (exit 5), prefix intact"

python3 - "$rec" "$tmp/newer.gmpr" <<'PY'
import sys, zlib
data = bytearray(open(sys.argv[1], "rb").read())
data[8:10] = (2).to_bytes(2, "little")          # major version 2
data[20:24] = zlib.crc32(bytes(data[:20])).to_bytes(4, "little")
open(sys.argv[2], "wb").write(data)
PY
expect_exit 5 "format version 2\.0 is newer than this gmptop reads" \
    "$GMPTOP" --replay "$tmp/newer.gmpr" -b
expect_exit 1 "No such file" "$GMPTOP" --replay "$tmp/missing.gmpr" -b
expect_exit 5 "not a gmptop recording" "$GMPTOP" --replay "$tmp/live.json" -b

# Writing: never over a stranger's file, never through a symlink.
echo "precious" >"$tmp/notes.txt"
expect_exit 1 "not overwriting" "$GMPTOP" -p "$DEMO_PID" -b -n 1 -d 0.1 --record "$tmp/notes.txt"
[ "$(cat "$tmp/notes.txt")" = precious ] || fail "notes.txt was modified"
ln -s "$tmp/elsewhere.gmpr" "$tmp/link.gmpr"
expect_exit 1 "symbolic link" "$GMPTOP" -p "$DEMO_PID" -b -n 1 -d 0.1 --record "$tmp/link.gmpr"
[ -e "$tmp/elsewhere.gmpr" ] && fail "the symlink's target was created"

# Appending: a second run adds its snapshots; its priming sample is not printed again.
"$GMPTOP" -p "$DEMO_PID" -b --format json -n 3 -d 0.2 --record "$rec" >"$tmp/live2.json" \
    2>"$tmp/app.err" || fail "appending run exited $?"
grep -q "appending to" "$tmp/app.err" || fail "no appending note: $(cat "$tmp/app.err")"
"$GMPTOP" --replay "$rec" -b --format json >"$tmp/both.json" || fail "replay of appended file"
cat "$tmp/live.json" "$tmp/live2.json" | cmp -s - "$tmp/both.json" ||
    fail "appended recording does not replay as both runs printed"
pass "appended a second run: replay prints both runs' lines, byte-identical"

# ---- the TUI on the recording (15 snapshots) ----------------------------------------
command -v tmux >/dev/null 2>&1 || skip "needs tmux for the replay TUI part"
T() { tmux -L "$SOCK" "$@"; }
screen() { T capture-pane -p -t main 2>/dev/null; }
wait_re() {
    i=0
    while [ $i -lt $(( ${2:-5} * 10 )) ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "/$1/ did not appear within ${2:-5}s; screen was:
$(screen)"
}
printf 'set -g remain-on-exit on\n' >"$tmp/tmux.conf"
T -f "$tmp/tmux.conf" new-session -d -s main -x 100 -y 30 \
    "env LC_ALL=C.UTF-8 '$GMPTOP' --replay '$rec'; echo \$? > '$tmp/tui.status'" ||
    fail "tmux new-session failed"
wait_re "REPLAY (PLAYING|PAUSED)" 5
wait_re "gmptop-demo" 5
wait_re "end of recording" 10
wait_re "REPLAY PAUSED .* 15/15 " 2
pass "TUI plays the recording to its end and pauses there"
T send-keys -t main Left
wait_re " 14/15 " 2
T send-keys -t main Left Left Right
wait_re " 13/15 " 2
pass "Left/Right step back and forward"
T send-keys -t main g
wait_re "Seek to" 2
T send-keys -t main 0 Enter
wait_re " 1/15 " 2
T send-keys -t main g 1 . 0 Enter
wait_re " (5|6|7)/15 " 2
pass "g seeks by seconds from the start"
T send-keys -t main ']'
wait_re "REPLAY PAUSED  x2 " 2
T send-keys -t main '[' '['
wait_re "REPLAY PAUSED  x0.5 " 2
T send-keys -t main ']' ']' ']'
wait_re " x4 " 2
T send-keys -t main Space
wait_re "REPLAY PLAYING" 2
wait_re " 15/15 " 10
pass "speed changes (x0.5..x16) and Space resumes to the end"
T send-keys -t main q
i=0
while [ ! -s "$tmp/tui.status" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$tmp/tui.status" 2>/dev/null)" = 0 ] || fail "replay TUI exit status $(cat "$tmp/tui.status" 2>/dev/null)"
pass "q quits the replay TUI with status 0"
