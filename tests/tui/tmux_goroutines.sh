#!/bin/sh
# Live test of the goroutines pane: gmptop under tmux on the Go fixture's `groups` mode
# (100 goroutines in a channel receive, 50 asleep, 20 with an inlined call on top, all
# from main.spawnGroups), built stripped with the newest toolchain. Key 7 shows the groups
# with their counts, where they wait and who created them; sorting, the / filter, Enter
# for a group's whole stack and back, F1 help, and a 40x12 terminal.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure tmux_goroutines
exec 9>&-
newest=$(echo $versions | awk '{ print $NF }')
bin=$GOBIN_DIR/$newest-stripped

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup goroutines

"$bin" groups 120 >"$tmp/stack" 2>&1 &
DEMO_PID=$!
wait_line "$tmp/stack" "^==end==" 10 "$tmp/stack"

printf 'set -g remain-on-exit on\n' >"$tmp/tmux.conf"
T -f "$tmp/tmux.conf" new-session -d -s main -x 120 -y 30 \
    "env LC_ALL=C.UTF-8 XDG_CONFIG_HOME='$tmp/cfg' '$GMPTOP' -p $DEMO_PID -d 0.5; echo \$? > '$tmp/status'" ||
    fail "tmux new-session failed"
wait_re "PID $DEMO_PID" 10
T send-keys -t main 7
wait_re "171 goroutines in 4 groups" 5
wait_re "^ +100 .*chan receive .*main\.blockedRecv +groups\.go:2[0-9] +main\.spawnGroups +groups\.go:" 5
wait_re "^ +50 .*sleep .*main\.napping +groups\.go:" 5
wait_re "^ +20 .*chan receive .*main\.waitFor +groups\.go:" 5
pass "pane 7 shows the fixture's groups, where they wait and who created them ($newest stripped)"

# I inverts the order: the main goroutine's group of 1 comes first.
T send-keys -t main I
wait_re "COUNT" 2
sleep 0.6
first=$(screen | grep -E '^ +[0-9]+ +[-+0-9.]+ +waiting ' | head -1)
echo "$first" | grep -qE '^ +1 ' || fail "I (invert) did not put the smallest group first: $first"
T send-keys -t main I
wait_re "^ +100 " 3
pass "I inverts the order"

# The filter: only the sleeping group is left; Esc brings the others back.
T send-keys -t main / n a p p i n g
wait_re "filter: napping" 3
wait_gone_re "blockedRecv" 3
wait_re "main\.napping" 2
T send-keys -t main Enter
wait_gone_re "filter: napping_" 2
# Enter now opens the filtered group's stack.
T send-keys -t main Enter
wait_re "50 goroutines +waiting: sleep" 3
wait_re "main\.napping" 2
wait_re "groups\.go:[0-9]+" 2
wait_re "created by main\.spawnGroups" 2
pass "/ filters the groups; Enter shows a group's stack with file:line and its creator"
# q closes the stack view, not gmptop.
T send-keys -t main q
wait_re "filter: napping" 3
T send-keys -t main Escape
wait_re "blockedRecv" 3
pass "q closes the stack view, Esc clears the filter"

# The inlined call is marked in the nested group's stack.
T send-keys -t main Home Down Down Enter
wait_re "main\.waitFor +\(inlined\)" 3
T send-keys -t main Escape
wait_re "171 goroutines" 3
pass "an inlined frame is marked"

T send-keys -t main F1
wait_re "Goroutines pane \(7\)" 3
T send-keys -t main q
wait_re "171 goroutines" 3
pass "F1 explains the pane"

# A small terminal: no crash, the main column still there.
T resize-window -t main -x 40 -y 12
wait_re "COUNT" 5
wait_re "blockedRecv" 3
T send-keys -t main Enter
wait_re "[0-9]+ goroutines? +waiting" 3
T send-keys -t main Escape
T resize-window -t main -x 120 -y 30
wait_re "171 goroutines" 5
T send-keys -t main q
i=0
until [ -s "$tmp/status" ]; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "gmptop did not quit on q"
    sleep 0.1
done
[ "$(cat "$tmp/status")" = 0 ] || fail "gmptop exited $(cat "$tmp/status")"
pass "40x12 works; q quits with status 0"
