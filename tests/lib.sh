# lib.sh: shared helpers for gmptop's shell tests (sourced, not run).
# A live test that cannot run here calls skip; under GMPTOP_REQUIRE_LIVE=1 (CI) a skip
# is a failure, so missing root/BPF/tools cannot pass silently.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${GMPTOP:=$top_builddir/gmptop}"
: "${GMPTOP_DEMO_BIN:=$top_builddir/demo/gmptop-demo}"
export GMPTOP GMPTOP_DEMO_BIN

skip() {
    if [ "${GMPTOP_REQUIRE_LIVE:-0}" = 1 ]; then
        echo "FAIL (skip not allowed with GMPTOP_REQUIRE_LIVE=1): $*" >&2
        exit 1
    fi
    echo "SKIP: $*" >&2
    exit 77
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

pass() {
    echo "ok: $*"
}

need_root() {
    [ "$(id -u)" = 0 ] || skip "needs root"
}

need_cmd() {
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "needs $c"
    done
}

need_demo() {
    [ -x "$GMPTOP_DEMO_BIN" ] || skip "demo workloads not built (no Go toolchain at configure time)"
}

# need_park: the park collector (BPF uprobe) works here, else skip with gmptop's reason.
need_park() {
    _park=$("$GMPTOP" --list-collectors | grep '^park:')
    case "$_park" in
    *": available"*) ;;
    *) skip "park collector: ${_park:-not listed}" ;;
    esac
}

# Start a demo scenario in the background; sets DEMO_PID. Extra env via the caller.
start_demo() {
    need_demo
    "$GMPTOP_DEMO_BIN" "$@" >/dev/null 2>&1 &
    DEMO_PID=$!
    # Wait for the Go runtime to be up (more than one thread).
    i=0
    while [ $i -lt 50 ]; do
        n=$(ls "/proc/$DEMO_PID/task" 2>/dev/null | wc -l)
        [ "$n" -gt 1 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "demo $* did not start"
}

# wait_line FILE PATTERN [SECONDS] [LOG]: poll (0.1 s) until FILE has a line matching
# the grep pattern, e.g. the "pid=N" a Go test program prints once its runtime is up
# (after any re-exec); fail after SECONDS (default 10) showing LOG (default FILE).
wait_line() {
    i=0
    until grep -q -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt $(( ${3:-10} * 10 )) ] ||
            fail "no line /$2/ in $1 after ${3:-10} s: $(head -c 300 "${4:-$1}" 2>/dev/null)"
        sleep 0.1
    done
}

# build_workload GOFILE OUT [ENV=VALUE...]: build a one-file Go test program into OUT
# with the first toolchain, in a module of its own; the ENV settings go to go build
# (GOARCH=386, or GOFLAGS, which then replaces the default -buildvcs=false).
build_workload() {
    bw_src=$1 bw_out=$2
    shift 2
    go=$(echo ${GO_TOOLCHAINS:-go} | cut -d' ' -f1)
    command -v "$go" >/dev/null 2>&1 || skip "needs a Go toolchain"
    bdir=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-build.XXXXXX") || fail "mktemp failed"
    cp "$bw_src" "$bdir/main.go" || fail "no $bw_src"
    printf 'module workload\n\ngo 1.19\n' >"$bdir/go.mod"
    [ -n "${HOME:-}" ] || [ -n "${GOCACHE:-}" ] || export GOCACHE="$bdir/.gocache"
    (cd "$bdir" && env GOFLAGS=-buildvcs=false "$@" "$go" build -o "$bw_out" .) \
        >"$bdir/log" 2>&1 || fail "building $bw_src $*: $(tail -n 5 "$bdir/log")"
    rm -rf "$bdir"
}

stop_demo() {
    [ -n "${DEMO_PID:-}" ] || return 0
    kill "$DEMO_PID" 2>/dev/null
    wait "$DEMO_PID" 2>/dev/null
    DEMO_PID=
}

# Assert that a command exits with a given status and that its stderr matches a regex.
expect_exit() {
    want=$1; pattern=$2; shift 2
    out=$("$@" 2>&1 >/dev/null)
    got=$?
    [ "$got" = "$want" ] || fail "'$*' exited $got, want $want (stderr: $out)"
    printf '%s\n' "$out" | grep -Eq -- "$pattern" ||
        fail "'$*' stderr '$out' does not match /$pattern/"
    [ "$(printf '%s\n' "$out" | wc -l)" -le 2 ] ||
        fail "'$*' printed more than a short message: $out"
    pass "$* -> exit $got: $out"
}

# reachable_copies [FILE...]: for a test that runs gmptop or the demo as another user
# (setpriv --reuid) or as root of a user namespace (unshare -U -r). Those identities
# cannot search a mode-700 directory above the build tree (a clone in /root/gmptop),
# so their exec fails with 126 before any assertion is reached. Copies gmptop, the
# demo, the themes and each FILE into $REACHABLE, a fresh directory under /tmp (not
# $TMPDIR, which may be private too) that everyone can read and search, and exports
# GMPTOP, GMPTOP_DEMO_BIN and GMPTOP_THEMES_DIR as the copies: gmptop finds the demo and
# the themes through those, not next to its own path. FILE's copy is
# $REACHABLE/$(basename FILE). The caller's exit trap removes "$REACHABLE".
REACHABLE=
reachable_copies() {
    [ -n "$REACHABLE" ] || {
        REACHABLE=$(mktemp -d /tmp/gmptop-reach.XXXXXX) || fail "mktemp under /tmp"
        chmod 755 "$REACHABLE" || fail "chmod $REACHABLE"
    }
    cp "$GMPTOP" "$REACHABLE/gmptop" || fail "copying $GMPTOP to $REACHABLE"
    GMPTOP=$REACHABLE/gmptop
    # Absent pieces stay absent (and their paths unchanged), so need_demo still skips.
    if [ -x "$GMPTOP_DEMO_BIN" ]; then
        cp "$GMPTOP_DEMO_BIN" "$REACHABLE/gmptop-demo" || fail "copying the demo"
        GMPTOP_DEMO_BIN=$REACHABLE/gmptop-demo
    fi
    if [ -d "${GMPTOP_THEMES_DIR:-}" ]; then
        cp -R "$GMPTOP_THEMES_DIR" "$REACHABLE/themes" || fail "copying the themes"
        GMPTOP_THEMES_DIR=$REACHABLE/themes
        export GMPTOP_THEMES_DIR
    fi
    for rc_f in "$@"; do
        cp -R "$rc_f" "$REACHABLE/" || fail "copying $rc_f to $REACHABLE"
    done
    # cp applies the umask (077 leaves 700): everyone may read, and run what runs.
    chmod -R u+w,a+rX "$REACHABLE" || fail "chmod -R $REACHABLE"
    export GMPTOP GMPTOP_DEMO_BIN
}

# mounts_at PATH: how many mounts this namespace has at PATH (field 5 of mountinfo).
mounts_at() {
    awk -v t="$1" '$5 == t' /proc/self/mountinfo | wc -l
}

# private_mount_ns TARGET COMMAND...: run COMMAND in a mount namespace of its own where
# it may mount on TARGET without the mount reaching this namespace. A new namespace's
# copies of shared mounts stay peers of the originals, so something must be made private
# first. Plain `unshare -m` makes / rprivate, which fails with EINVAL where / is not a
# mount point (a chroot, some containers); so the propagation is left as it is and only
# the mount that holds TARGET (findmnt -T: /sys for anything in sysfs), with those
# below it, is made private in the new namespace before COMMAND runs. Where no mount
# holding TARGET can be found COMMAND does not run. Returns COMMAND's status, or 1 (with
# a message) if a mount at TARGET shows up here afterwards (one propagated back; it is
# unmounted).
private_mount_ns() {
    pm_target=$1
    shift
    pm_before=$(mounts_at "$pm_target")
    unshare -m --propagation unchanged sh -c '
        m=$(findmnt -n -o TARGET -T "$1") && [ -n "$m" ] ||
            { echo "private_mount_ns: no mount holds $1 here" >&2; exit 1; }
        mount --make-rprivate "$m" || exit 1
        shift
        exec "$@"' private_mount_ns "$pm_target" "$@"
    pm_rc=$?
    # Said on stderr and returned, not fail: callers often send stderr to a file that
    # their own failure message shows.
    if [ "$(mounts_at "$pm_target")" -gt "$pm_before" ]; then
        echo "private_mount_ns: a mount on $pm_target leaked out of its namespace:" \
            "$(grep -F " $pm_target " /proc/self/mountinfo)" >&2
        # Undo it: this namespace must not keep a test's mount over its sysfs.
        while [ "$(mounts_at "$pm_target")" -gt "$pm_before" ] && umount "$pm_target"; do
            :
        done
        return 1
    fi
    return $pm_rc
}

# build_go_modes GO WORKDIR OUT SRC [PKG]: build the Go program in WORKDIR (PKG, default
# ".") with toolchain GO as OUT-plain, OUT-stripped (-s -w), OUT-pie and
# OUT-extpie-stripped (PIE, -s -w, linked by the system linker: what cgo programs are),
# each unless already newer than SRC, and append them to $bins. A failed build fails.
build_go_modes() {
    _bgm_go=$1 _bgm_work=$2 _bgm_out=$3 _bgm_src=$4 _bgm_pkg=${5:-.}
    for _bgm_kind in plain stripped pie extpie-stripped; do
        _bgm_bin=$_bgm_out-$_bgm_kind
        if [ ! -x "$_bgm_bin" ] || [ "$_bgm_src" -nt "$_bgm_bin" ]; then
            case $_bgm_kind in
            plain) set -- ;;
            stripped) set -- "-ldflags=-s -w" ;;
            pie) set -- -buildmode=pie ;;
            extpie-stripped) set -- -buildmode=pie "-ldflags=-s -w -linkmode=external" ;;
            esac
            (cd "$_bgm_work" && "$_bgm_go" build "$@" -o "$_bgm_bin" "$_bgm_pkg") ||
                fail "build $(basename "$_bgm_bin")"
        fi
        bins="$bins $_bgm_bin"
    done
}

# park_workload_newest WORK: tests/live/park_workload.go built in WORK (a fresh folder)
# by the newest of $GO_TOOLCHAINS in every mode (build_go_modes, into go_build_dir's
# $outdir); sets v (its version) and bin (the stripped external-linker PIE, as programs
# ship).
park_workload_newest() {
    cp "$top_srcdir/tests/live/park_workload.go" "$1/main.go"
    printf 'module parkworkload\n\ngo 1.19\n' >"$1/go.mod"
    _pwn_go=""
    for _pwn_g in $GO_TOOLCHAINS; do _pwn_go=$_pwn_g; done
    v=$("$_pwn_go" env GOVERSION 2>/dev/null) || skip "toolchain $_pwn_go not runnable"
    build_go_modes "$_pwn_go" "$1" "$outdir/$v" "$top_srcdir/tests/live/park_workload.go"
    bin=$outdir/$v-extpie-stripped
}

# go_build_dir NAME: where a live test builds its Go programs, $top_builddir/tests/gobin-NAME
# (make clean removes tests/gobin-*), created; sets outdir, defaults GO_TOOLCHAINS to the
# go on PATH, and gives go build what it needs under make (no VCS stamping; a cache
# directory when HOME is unset).
go_build_dir() {
    [ -n "${GO_TOOLCHAINS:-}" ] || GO_TOOLCHAINS=go
    outdir=$top_builddir/tests/gobin-$1
    mkdir -p "$outdir" || fail "cannot create $outdir"
    export GOFLAGS=-buildvcs=false
    [ -n "${HOME:-}" ] || export GOCACHE="$outdir/.gocache"
}
