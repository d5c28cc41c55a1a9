# tmux_lib.sh: helpers the tmux tests share; sourced after tests/lib.sh. SOCK names the
# test's own tmux server; screen reads the pane named by $target (default "main").

# tmux_setup NAME: the test's own tmux server ($SOCK), a scratch directory ($tmp), and an
# exit trap that removes both (and $REACHABLE, from reachable_copies) and kills the
# program whose pid is in $DEMO_PID.
tmux_setup() {
    SOCK=gmptop-$1-$$
    DEMO_PID=
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-tui-$1.XXXXXX") || fail "mktemp failed"
    trap tmux_cleanup EXIT
    trap 'exit 1' INT TERM
}

tmux_cleanup() {
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
    [ -n "${DEMO_PID:-}" ] && kill -KILL "$DEMO_PID" 2>/dev/null
    rm -rf "$tmp" "${REACHABLE:-}"
}

T() { tmux -L "$SOCK" "$@"; }
screen() { T capture-pane -p -t "${target:-main}" 2>/dev/null; }

# wait_re ERE [TIMEOUT-SECONDS]: poll the screen until a line matches.
wait_re() {
    i=0
    limit=$(( ${2:-5} * 10 ))
    while [ $i -lt "$limit" ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "/$1/ did not appear within ${2:-5}s; screen was:
$(screen)"
}

# wait_gone_re ERE [TIMEOUT-SECONDS]: poll the screen until no line matches.
wait_gone_re() {
    i=0
    while [ $i -lt "$(( ${2:-5} * 10 ))" ]; do
        screen | grep -qE -- "$1" || return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "/$1/ still on screen after ${2:-5}s; screen was:
$(screen)"
}

# Longest line of the screen in characters (UTF-8 continuation bytes not counted).
widest() {
    screen | LC_ALL=C tr -d '\200-\277' |
        LC_ALL=C awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'
}

# restart_main W H COMMAND: (re)create the session "main", W x H, running COMMAND. A
# session that outlives "main" keeps the server up: killing the server's last session
# makes it exit asynchronously, and a new-session racing that exit fails ("server
# exited unexpectedly").
restart_main() {
    T has-session -t keep 2>/dev/null || T new-session -d -s keep "sleep 600" ||
        fail "tmux new-session failed"
    T kill-session -t main >/dev/null 2>&1
    T new-session -d -s main -x "$1" -y "$2" "$3" || fail "tmux new-session failed"
}
