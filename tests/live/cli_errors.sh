#!/bin/sh
# cli_errors: every documented bad input gets its one-line message and exit status.
. "$top_srcdir/tests/lib.sh"
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"

# Unknown pid: a pid above pid_max cannot exist.
expect_exit 1 "no process with pid 2147483646" "$GMPTOP" -p 2147483646 -b -n 1
# Unknown option, bad values: usage, exit 2.
expect_exit 2 "unknown option '--frobnicate'" "$GMPTOP" --frobnicate
expect_exit 2 "is not a process id" "$GMPTOP" -p abc
expect_exit 2 "not a delay" "$GMPTOP" -p 1 -d 0
expect_exit 2 "not text, json or prom" "$GMPTOP" -p 1 -b --format xml
expect_exit 2 "leave it out" "$GMPTOP" -p 1 --diagnose-only --format prom
expect_exit 2 "between 10 and 36000" "$GMPTOP" -p 1 --history 9
expect_exit 2 "0 or a count of snapshots between 10 and 36000" "$GMPTOP" -p 1 --rewind 9
expect_exit 2 "0 or a count of snapshots between 10 and 36000" "$GMPTOP" -p 1 --rewind -1
expect_exit 2 "0 or a count of snapshots between 10 and 36000" "$GMPTOP" -p 1 --rewind 36001
expect_exit 2 "needs -p PID" "$GMPTOP" -b -n 1
expect_exit 2 "unknown collector 'nosuch'" "$GMPTOP" -p $$ --collectors nosuch -b -n 1
expect_exit 2 "unknown demo 'nosuch'" "$GMPTOP" --demo nosuch
expect_exit 2 "not a terminal" "$GMPTOP" -p $$ </dev/null

# A non-Go process (this shell, and a kernel thread): exit 2, says so.
expect_exit 2 "is not a Go program" "$GMPTOP" -p $$ -b -n 1
expect_exit 2 "not a Go program" "$GMPTOP" -p 2 -b -n 1

# No permission: another user's Go process, watched by an unprivileged user.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ -x "$GMPTOP_DEMO_BIN" ]; then
    # nobody and the namespace's root run gmptop: copies they can reach from any checkout.
    trap 'stop_demo; rm -rf "$REACHABLE"' EXIT
    reachable_copies
    start_demo idle
    expect_exit 1 "(root|CAP_SYS_PTRACE|same user)" \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$GMPTOP" -p "$DEMO_PID" -b -n 1
    # Root in a user namespace of its own holds CAP_SYS_PTRACE there, not over the demo
    # outside it: the advice must not be "run as root".
    if unshare -U -r true 2>/dev/null; then
        expect_exit 1 "already has CAP_SYS_PTRACE: the target is in a user namespace" \
            unshare -U -r "$GMPTOP" -p "$DEMO_PID" -b -n 1
    else
        echo "note: no user namespaces here (unshare -U -r failed): namespace case not run"
    fi
    stop_demo
else
    skip "permission case needs root, setpriv and the demo workloads"
fi

"$GMPTOP" --help | grep -q "Usage: gmptop" || fail "--help"
"$GMPTOP" --version | grep -q "^gmptop " || fail "--version"
echo "all CLI error cases pass"
