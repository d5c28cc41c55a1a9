#!/bin/sh
# run-elsewhere: the tests that run gmptop as another identity (setpriv --reuid,
# unshare -U) or mount in a namespace of their own (unshare -m), run from two places a
# checkout like CI's never is, where both kinds once failed before asserting anything:
#  1. a clone under a fresh mode-700 directory in /root, where nobody and root of a user
#     namespace cannot reach the build tree (exec fails, 126);
#  2. that clone inside a chroot whose / is not a mount point, where plain `unshare -m`
#     fails with EINVAL (as in some containers), with the chroot's /sys shared as a
#     host's usually is, so a test mount that is not kept private shows up there.
# Usage, as root: tests/run-elsewhere.sh [REV]. Without REV it tests HEAD plus the
# uncommitted changes to tracked files; with REV (e.g. an old commit) that commit.
# The tests are found by what they use (see pick), so a new such test is run too. It
# builds a second tree, so it is not part of make check; .ci/run runs it.
set -u
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
src=$(cd "$(dirname "$0")/.." && pwd)
top_srcdir=$src
. "$src/tests/lib.sh"

# The chroot's bind mounts, most recent first, for the trap.
mounted=
unmount_all() {
    for m in $mounted; do
        umount -R "$m" 2>/dev/null || umount -R -l "$m"
    done
    mounted=
}

# Inside the mount namespace that private_mount_ns made (see below): build the chroot
# D, run the tests in it, and unmount. The namespace itself already keeps these mounts
# from the host and takes them away when it ends; the trap covers a stray process that
# would keep it alive.
if [ "${1:-}" = --inside ]; then
    work=$2 clone=$3
    shift 3
    D=$work/chroot
    trap unmount_all EXIT
    trap 'exit 1' INT TERM HUP
    bind() { # bind SRC [ro]: SRC at the same path in D
        if [ -d "$1" ]; then mkdir -p "$D$1"; else touch "$D$1"; fi
        mount --bind ${2:+-o "$2"} "$1" "$D$1" || exit 1
        mounted="$D$1 $mounted"
    }
    # Debian 12 has /bin, /lib, /lib64 and /sbin as links into /usr: the same links.
    for d in /bin /lib /lib32 /lib64 /libx32 /sbin; do
        if [ -L "$d" ]; then
            ln -s "$(readlink "$d")" "$D$d" || exit 1
        elif [ -d "$d" ]; then
            bind "$d" ro
        fi
    done
    bind /usr ro
    bind /etc ro
    [ -d /var/lib ] && bind /var/lib ro
    bind "$clone"
    # The clone's parents are mode 700 in the chroot too, as on the host.
    chmod 700 "$D/root" "$D$work" || exit 1
    mkdir -p "$D/proc" "$D/sys" "$D/dev" "$D/tmp"
    mount -t proc proc "$D/proc" || exit 1
    mounted="$D/proc $mounted"
    mount --rbind /sys "$D/sys" || exit 1
    mounted="$D/sys $mounted"
    mount --rbind /dev "$D/dev" || exit 1
    mounted="$D/dev $mounted"
    mount -t tmpfs -o mode=1777 tmpfs "$D/tmp" || exit 1
    mounted="$D/tmp $mounted"
    mkdir -p "$D/tmp/home"
    # Slaves first, whatever their sources' propagation here: nothing mounted below
    # them reaches the host. Then /sys, where the tests mount, shared, as a host's is:
    # a test's namespace that does not make it private sends its mounts back to this
    # one, and the test sees that.
    for m in $mounted; do
        mount --make-rslave "$m" || exit 1
    done
    mount --make-rshared "$D/sys" || exit 1

    # The point of the chroot: / in it is not a mount point.
    if chroot "$D" awk '$5 == "/" { found = 1 } END { exit !found }' /proc/self/mountinfo; then
        fail "/ is a mount point in the chroot $D"
    fi
    echo "chroot $D: / is not a mount point; $(chroot "$D" awk '$5 == "/sys" { print "/sys is", $7 }' /proc/self/mountinfo)"
    chroot "$D" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/tmp/home TERM="${TERM:-xterm}" LANG=C.UTF-8 GMPTOP_REQUIRE_LIVE=1 VERBOSE=1 \
        sh -c 'cd "$1" && shift && make check TESTS="$*"' sh "$clone" "$@"
    exit $?
fi

need_root
need_cmd git autoreconf make unshare chroot findmnt mount setpriv
sha=$(git -C "$src" rev-parse --verify "${1:-HEAD}^{commit}") || fail "no commit ${1:-HEAD}"

# Mounts in this namespace at the paths the tests mount on, and under the work
# directory: none of them may be left over at the end.
leftovers() {
    awk -v w="$work/" 'index($5, w) == 1 ||
        $5 == "/sys/devices/system/node" || $5 == "/sys/kernel/btf" { print $5 }' \
        /proc/self/mountinfo
}

work=$(mktemp -d /root/gmptop-elsewhere.XXXXXX) || fail "mktemp -d under /root"
chmod 700 "$work"
cleanup() {
    # Never rm -rf through a mount: that would empty what is mounted (/usr, /sys...).
    if leftovers | grep -qF "$work/"; then
        echo "run-elsewhere: mounts left under $work, not removed: $(leftovers | tr '\n' ' ')" >&2
        exit 1
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
before=$(leftovers)

clone=$work/gmptop
if [ -n "${1:-}" ]; then
    echo "== clone of $1 ($sha) in $clone"
else
    echo "== clone of HEAD ($sha) with the checkout's changes in $clone"
fi
git clone -q "$src" "$clone" && git -C "$clone" checkout -q "$sha" ||
    fail "git clone $src"
if [ -z "${1:-}" ] && ! git -C "$src" diff --quiet HEAD; then
    git -C "$src" diff --binary HEAD | git -C "$clone" apply || fail "applying the changes"
fi
(cd "$clone" && autoreconf -fi && ./configure && make -j"$(nproc)" &&
    make -j"$(nproc)" check TESTS=) >"$work/build.log" 2>&1 ||
    fail "building the clone: $(tail -n 20 "$work/build.log")"
# The case this is for: other identities cannot reach the clone's gmptop.
if setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '[ -x "$1" ]' sh "$clone/gmptop"; then
    fail "nobody can reach $clone/gmptop: the identity tests would not be tested here"
fi

# pick ERE: the test scripts of the clone that use ERE (helper libraries left out).
pick() {
    for f in "$clone"/tests/live/*.sh "$clone"/tests/tui/*.sh; do
        case $f in *_lib.sh) continue ;; esac
        grep -qE -- "$1" "$f" && printf '%s ' "${f#"$clone"/}"
    done
}
ident_tests=$(pick 'setpriv --reuid|unshare -U|reachable_copies')
ns_tests=$(pick 'unshare -m|private_mount_ns')
all=$(printf '%s\n' $ident_tests $ns_tests | sort -u | tr '\n' ' ')
[ -n "$ident_tests" ] && [ -n "$ns_tests" ] || fail "no tests found to run"

status=0
echo "== in $clone (mode-700 parent): $all"
(cd "$clone" && GMPTOP_REQUIRE_LIVE=1 VERBOSE=1 make check TESTS="$all") || status=1

echo "== in a chroot whose / is not a mount point: $ns_tests"
# The chroot's mounts live in a namespace of their own, private from this one: they
# cannot leak here and end with it, even if this script is killed.
mkdir "$work/chroot" || fail "mkdir $work/chroot"
# shellcheck disable=SC2086
private_mount_ns "$work/chroot" sh "$self" --inside "$work" "$clone" $ns_tests || status=1

after=$(leftovers)
[ "$after" = "$before" ] || fail "mounts left over: $after (before: $before)"
echo "== no mounts left over"
[ $status = 0 ] || fail "some tests failed (their logs are above)"
pass "identity and namespace tests from a mode-700 clone and from a chroot"
