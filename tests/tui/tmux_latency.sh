#!/bin/sh
# Live test of the latency pane: gmptop under tmux on the timers demo (goroutines in
# 5-20 ms time.Sleep loops and 5 ms tickers) shows the probe attached (on, or sampling
# when the governor finds it over budget), a "sleep" row whose median is in
# milliseconds, a "chan receive" row (the tickers), the histograms of the leading
# reasons, wake-to-run beside the runtime's own scheduling latency; v, < > and I change
# the view; it fits 40x12. Without CAP_BPF the pane says what is needed and still shows
# the runtime's histogram.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_root
need_demo
need_park

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup latency

# start [PREFIX...]: gmptop (run through PREFIX) on the demo, latency pane, 120x40.
start() {
    restart_main 120 40 "env TERM=xterm-256color LANG=C.UTF-8 \
        XDG_CONFIG_HOME=/nonexistent $* '$GMPTOP' -p $DEMO_PID -d 0.5"
    wait_re "PID $DEMO_PID" 10
    T send-keys -t main 2
}

# The table row of one wait reason: "REASON  PARKS  PER S  P50 ..." (the name may hold
# a space, so match it whole).
row() { screen | grep -E "^ *$1 +[0-9]+ +[0-9.]+ " | head -n 1; }
# The reasons in the table, top to bottom.
reasons() {
    screen | sed -n '/WAIT REASON/,$p' | sed 1d |
        sed -nE 's/^ *(.*[^ ]) +[0-9]+ +[0-9.]+ +.*/\1/p'
}

start_demo timers
start

# ~50k parks/s here: the governor may well sample rather than stay attached.
wait_re "probe (on|sampling)  " 15
wait_re "WAIT REASON +.?PARKS" 5
wait_re "^ *sleep +[1-9][0-9]* +[0-9.]+ " 10
pass "probe attached, the table lists sleep parks: $(row sleep | tr -s ' ')"

# The sleeps last 5-20 ms, so the median park of "sleep" is in milliseconds (the
# cell is like "8.2ms"); the tickers park on a channel receive.
i=0
until row sleep | awk '{ exit !($4 ~ /ms$/) }'; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "sleep p50 not in ms: '$(row sleep)'"
    sleep 0.1
done
pass "sleep p50 in milliseconds: $(row sleep | awk '{ print $4 }')"
wait_re "^ *chan receive +[1-9][0-9]* +[0-9.]+ " 10
pass "the tickers park on chan receive: $(row 'chan receive' | tr -s ' ')"

# Histograms: the leading reasons, and wake-to-run beside the runtime's own.
wait_re "Wake-to-run \(BPF\)" 5
wait_re "Runtime sched latency" 5
# The band of leading reasons goes by parks, two to a row at 120 columns: "sleep" may
# lead its row or follow "chan receive" in it (the first frames hold a few parks each).
wait_re "(^ *| {2,})sleep [0-9]+  p50 " 5
pass "wake-to-run and the runtime's scheduling latency side by side"

# v: last interval <-> since attach.
wait_re "last interval \(" 2
T send-keys -t main v
wait_re "since attach \(" 3
T send-keys -t main v
wait_re "last interval \(" 3
pass "v toggles last interval / since attach"

# Sorting: by parks (descending) at start; '<' goes to the reason column (ascending),
# so the rows are in name order.
T send-keys -t main '<'
sleep 1.2
names=$(reasons)
[ -n "$names" ] || fail "no table rows after sorting: $(screen)"
[ "$names" = "$(printf '%s\n' "$names" | LC_ALL=C sort)" ] ||
    fail "'<' did not sort by reason: $names"
T send-keys -t main I
sleep 1.2
names2=$(reasons)
[ "$names2" = "$(printf '%s\n' "$names" | LC_ALL=C sort -r)" ] ||
    fail "'I' did not invert the order: $names2"
pass "< sorts by reason, I inverts ($(printf '%s\n' "$names" | wc -l) rows)"

# 40x12: still the pane, nothing past the edge.
T resize-window -t main -x 40 -y 12 2>/dev/null || T resize-window -x 40 -y 12
sleep 1.2
[ "$(widest)" -le 40 ] || fail "40x12: a line is $(widest) columns wide: $(screen)"
T resize-window -t main -x 120 -y 40 2>/dev/null || T resize-window -x 120 -y 40
wait_re "WAIT REASON" 5
pass "fits 40x12 and comes back"
T send-keys -t main q

# Without CAP_BPF (root, but the bounding set lacks bpf, perfmon and sys_admin): the
# pane names what is missing, and the runtime's histogram still shows.
start "setpriv --bounding-set=-bpf,-perfmon,-sys_admin"
wait_re "Park latency \(BPF\) unavailable" 10
wait_re "CAP_BPF" 3
wait_re "Runtime sched latency" 10
pass "no CAP_BPF: $(screen | grep -m1 CAP_BPF | sed 's/^ *//')"
T send-keys -t main q
