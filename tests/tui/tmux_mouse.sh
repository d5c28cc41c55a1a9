#!/bin/sh
# Live test of the mouse: drive gmptop inside a detached tmux with the reports a
# terminal sends (SGR 1006, and the old X10 form), and check that a click on a tab
# switches pane, on a column title sorts, on a footer key presses it, on a picker row
# attaches, that the wheel scrolls, and that "mouse = false" (or the F2 row) leaves the
# mouse to the terminal.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "needs tmux"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
need_demo

. "$top_srcdir/tests/tui/tmux_lib.sh"
tmux_setup mouse

# at TEXT: "X Y", the 1-based cell where TEXT first shows on the screen (UTF-8 glyphs
# count one column each).
at() {
    screen | LC_ALL=C tr -d '\200-\277' |
        LC_ALL=C awk -v t="$1" '(i = index($0, t)) { print i, NR; f = 1; exit }
                                END { exit !f }' ||
        fail "'$1' is not on the screen:
$(screen)"
}

# A terminal in SGR mode reports a press as ESC [ < B ; X ; Y M and a release with m
# (1-based cells; B 0 is the left button, 64 and 65 the wheel up and down).
sgr() { T send-keys -t "$target" -l "$(printf '\033[<%d;%d;%d%s' "$1" "$2" "$3" "$4")"; }
click() { sgr 0 "$1" "$2" M; sgr 0 "$1" "$2" m; }
click_on() { click $(at "$1"); }
wheel() { sgr "$([ "$1" = up ] && echo 64 || echo 65)" 10 10 M; }
# What the program asked the terminal for: "11" = mouse reports, in the SGR form.
flags() { T display -p -t "$target" '#{mouse_any_flag}#{mouse_sgr_flag}'; }

export XDG_CONFIG_HOME="$tmp/config"
rc="$XDG_CONFIG_HOME/gmptop/gmptoprc"
start_demo pingpong

target=main
restart_main 100 30 "env LC_ALL=C.UTF-8 '$GMPTOP' -p $DEMO_PID -d 0.5"
wait_re "PID $DEMO_PID" 10
wait_re "GOMAXPROCS [0-9]+" 5
wait_re "F1 Help  F2 Setup" 5
[ "$(flags)" = 11 ] || fail "mouse reports not asked for in the SGR form: flags $(flags)"
pass "gmptop asks the terminal for mouse reports, in the SGR (1006) form"

click_on "3 Cores"
wait_re "CPU +UTIL%|Core counters unavailable" 3
click_on "5 Threads"
wait_re "RUNDLY" 3
pass "a click on a tab switches pane"

# The old X10 form (ESC [ M and three bytes of 32 + button, column, row), which a
# terminal without SGR sends, is read by ncurses.
set -- $(at "1 Sched")
T send-keys -t "$target" -l "$(printf '\033[M %b%b' "\\0$(printf %o $(( 32 + $1 )))" \
    "\\0$(printf %o $(( 32 + $2 )))")"
wait_re "GOMAXPROCS [0-9]+|Scheduler data unavailable" 3
click_on "5 Threads"
wait_re "RUNDLY" 3
pass "an X10 click works too"

wait_re "sorted by CPU% desc" 3
click_on "TID"
wait_re "sorted by TID asc" 3
click_on "TID"
wait_re "sorted by TID desc" 3
click_on "NAME"
wait_re "sorted by NAME asc" 3
pass "a click on a column title sorts by it; again inverts it"

# F1 opens the help on the pane in view (threads).
click_on "F1 Help"
wait_re "Threads pane \(5\)" 3
for n in 1 2 3; do wheel down; done
wait_gone_re "Threads pane \(5\)" 3
wheel up; wheel up; wheel up
wait_re "Threads pane \(5\)" 3
pass "a click on F1 in the footer opens the help; the wheel scrolls it"
click 50 15
wait_gone_re "Threads pane \(5\)" 3
wait_re "RUNDLY" 3
pass "a click closes the help"

click_on "p Pick"
wait_re "Pick a" 3
T send-keys -t "$target" Escape
wait_gone_re "Pick a" 3
pass "a click on p in the footer opens the picker"

# The setup screen's first row switches the mouse: a click on the selected row is
# Enter there; the terminal is told at once, and leaving saves "mouse = false".
T send-keys -t "$target" F2
wait_re "^> *\\[x\\] mouse" 3
click_on "[x] mouse"
wait_re "^> *\\[ \\] mouse" 3
[ "$(flags)" = 00 ] || fail "mouse reports still on after the switch: flags $(flags)"
T send-keys -t "$target" F2
wait_re "saved to " 3
grep -qx 'mouse = false' "$rc" || fail "settings file lacks 'mouse = false':
$(cat "$rc" 2>/dev/null)"
pass "F2's mouse row switches reports off and saves mouse = false"

# Started with "mouse = false": no reports asked for, so a real terminal sends none
# and selects text; a report sent anyway changes nothing.
restart_main 100 30 "env LC_ALL=C.UTF-8 '$GMPTOP' -p $DEMO_PID -d 0.5"
wait_re "PID $DEMO_PID" 10
T send-keys -t "$target" 5
wait_re "RUNDLY" 5
[ "$(flags)" = 00 ] || fail "mouse reports asked for with mouse = false: flags $(flags)"
click_on "3 Cores"
click_on "TID"
sleep 1
screen | grep -qE "RUNDLY" || fail "a click switched pane with mouse = false:
$(screen)"
screen | grep -q "sorted by CPU% desc" || fail "a click sorted with mouse = false:
$(screen)"
pass "with mouse = false no reports are asked for and a click does nothing"

# TERM=xterm-256color, where ncurses reads the SGR reports itself, and no process yet:
# the picker, searched for the demo, attaches it on a click on its (selected) row.
# The gmptop running now saves its settings ("mouse = false") as it exits: let it exit
# first, or under load that save lands after the file is removed.
T send-keys -t "$target" q
i=0
while pgrep -f -- "-p $DEMO_PID -d 0.5" >/dev/null; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "gmptop did not quit on q"
    sleep 0.1
done
rm -f "$rc"
restart_main 100 30 "env TERM=xterm-256color LC_ALL=C.UTF-8 '$GMPTOP' -d 0.5"
wait_re "Pick a" 10
[ "$(flags)" = 11 ] || fail "xterm-256color: flags $(flags)"
T send-keys -t "$target" / "$DEMO_PID"
wait_re "^ *$DEMO_PID " 3
# The search also keeps PIDs that contain the demo's; if another one is selected, the
# first click only selects the demo and the second attaches it.
for n in 1 2; do
    screen | grep -q "Pick a" || break
    row=$(screen | grep -nE "^ *$DEMO_PID " | head -n 1 | cut -d: -f1)
    click 20 "$row"
    sleep 0.3
done
wait_re "PID $DEMO_PID" 5
wait_gone_re "Pick a" 3
pass "TERM=xterm-256color: a click on the selected process in the picker attaches"
click_on "3 Cores"
wait_re "CPU +UTIL%|Core counters unavailable" 3
pass "TERM=xterm-256color: a click on a tab switches pane"

exit 0
