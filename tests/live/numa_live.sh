#!/bin/sh
# numa_live: the NUMA collector on real processes: 256 MiB under numactl --membind=0
# matches numastat -p within 1% with policy "bind"; --interleave=all reads as
# interleave; another user's process gets a message naming the permission; a fixture
# sysfs bind-mounted over /sys/devices/system/node (in a private mount namespace) gives
# two nodes with the fixture's meminfo, CPUs and distances; a fixture procfs tree gives
# the split by node.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd numactl numastat python3 unshare setpriv mount findmnt
[ -x "$GMPTOP" ] || fail "no gmptop binary at $GMPTOP"
go=
for g in ${GO_TOOLCHAINS:-} go; do
    command -v "$g" >/dev/null 2>&1 && { go=$g; break; }
done
[ -n "$go" ] || skip "no Go toolchain for the workload"

fix=$top_srcdir/tests/fixtures/numa
go_build_dir numa
bin=$outdir/numa_workload
tmp=$(mktemp -d /tmp/gmptop-numa.XXXXXX) || fail "mktemp"
chmod 755 "$tmp"
pids=""
trap 'for p in $pids; do kill -KILL $p 2>/dev/null; done; rm -rf "$tmp" "$REACHABLE"' EXIT
if [ ! -x "$bin" ] || [ "$top_srcdir/tests/live/numa_workload.go" -nt "$bin" ]; then
    cp "$top_srcdir/tests/live/numa_workload.go" "$tmp/main.go"
    (cd "$tmp" && "$go" build -o "$bin" main.go) || fail "go build numa_workload"
    rm -f "$tmp/main.go"
fi
# Other users run the workload and gmptop (b): copies they can reach wherever the
# build tree is.
reachable_copies "$bin"
bin=$REACHABLE/numa_workload

# start_workload NAME CMD...: run CMD $bin 256 in the background until it said ready.
start_workload() {
    name=$1
    shift
    : > "$tmp/$name.out"
    chmod 666 "$tmp/$name.out"
    "$@" "$bin" 256 > "$tmp/$name.out" 2>&1 &
    WPID=$!
    pids="$pids $WPID"
    i=0
    while ! grep -q '^ready' "$tmp/$name.out"; do
        i=$((i + 1))
        [ $i -lt 200 ] || fail "$name workload did not start: $(cat "$tmp/$name.out")"
        sleep 0.05
    done
}

json() { # json FILE PYTHON-EXPR-ON-n (n = the numa section)
    python3 -c "import json,sys; n=json.load(open(sys.argv[1]))['numa']; print($2)" "$1"
}

# ---- (a) membind: node 0 pages against numastat, policy bind ---------------------------
start_workload bind numactl --membind=0
"$GMPTOP" -p "$WPID" -b -n 1 --format json > "$tmp/bind.json" || fail "gmptop on bind workload"
numastat -p "$WPID" > "$tmp/numastat.txt" || fail "numastat -p $WPID"
ours=$(json "$tmp/bind.json" "n['nodes'][0]['pages']['total']*4096/1048576.0")
theirs=$(awk '$1 == "Total" { print $2 }' "$tmp/numastat.txt")
policy=$(json "$tmp/bind.json" "n['policy']")
heap=$(json "$tmp/bind.json" "n['nodes'][0]['pages']['heap']")
python3 -c "
import sys
ours, theirs = float('$ours'), float('$theirs')
sys.exit(0 if theirs > 256 and abs(ours - theirs) <= 0.01 * theirs else 1)" ||
    fail "node 0: gmptop $ours MiB vs numastat $theirs MiB (more than 1% apart)"
[ "$policy" = bind ] || fail "membind workload: policy '$policy', want bind"
[ "$heap" -ge 65536 ] || fail "membind workload: heap $heap pages, want >= 65536 (256 MiB)"
pass "membind=0: node 0 $ours MiB (numastat $theirs MiB), heap $heap pages, policy $policy"

# The move_pages sample of that 256 MiB heap: at most 512 pages asked each refresh, one
# permutation continued, pooled over the last 4 refreshes (2,048 distinct pages), all
# of the resident ones on node 0.
"$GMPTOP" -p "$WPID" -b -n 6 -d 0.2 --format json > "$tmp/sample.json" ||
    fail "gmptop -n 6 on bind workload"
python3 - "$tmp/sample.json" <<'PY' || fail "move_pages sample pool: $(cat "$tmp/sample.json" | head -c 300)"
import json, sys
rows = [json.loads(l)["numa"] for l in open(sys.argv[1]) if l.startswith("{")]
probes = [n["sampled_probes"] for n in rows]
print("probes by refresh", probes, "error", [n["sample_error_pct"] for n in rows],
      "ms", [n["sample_cost_ms"] for n in rows])
assert all(b >= a for a, b in zip(probes, probes[1:])), "the pool shrank"
assert all(b - a <= 512 for a, b in zip(probes, probes[1:])), "over 512 pages a refresh"
assert probes[-1] == 2048, "the pool of 4 refreshes is not 2048 distinct pages"
last = rows[-1]
assert last["sampled_pages"] > 0 and 0 < last["sample_error_pct"] < 5, last
assert last["nodes"][0]["heap_sampled_pct"] == 100.0, last["nodes"][0]
PY
pass "move_pages sample: 512 pages a refresh, 2048 pooled over 4, all on node 0"
kill "$WPID"

# ---- interleave ---------------------------------------------------------------------
start_workload interleave numactl --interleave=all
"$GMPTOP" -p "$WPID" -b -n 1 --format json > "$tmp/il.json" || fail "gmptop on interleave"
policy=$(json "$tmp/il.json" "n['policy']")
[ "$policy" = interleave ] || fail "interleave workload: policy '$policy'"
pass "interleave=all: policy $policy ($(json "$tmp/il.json" "n['policy_text']"))"

# ---- (c) two nodes through a bind-mounted sysfs fixture (libnuma sees them too) ------
private_mount_ns /sys/devices/system/node \
    sh -c "mount --bind '$fix/sys/devices/system/node' /sys/devices/system/node &&
    numactl --hardware > '$tmp/hw.txt' &&
    '$GMPTOP' -p $WPID -b -n 1 --format json > '$tmp/two.json'" ||
    fail "private mount namespace with the fixture node tree"
grep -q '^available: 2 nodes (0-1)' "$tmp/hw.txt" ||
    fail "numactl --hardware under the fixture: $(head -3 "$tmp/hw.txt")"
got=$(json "$tmp/two.json" "[(x['node'], x['cpus'], x['mem_total_kb'], x['mem_free_kb'], x['distance']) for x in n['nodes']]")
want="[(0, '0', 8388608, 4194304, [10, 21]), (1, '1', 4194304, 1048576, [21, 10])]"
[ "$got" = "$want" ] || fail "fixture nodes: got $got, want $want"
pass "fixture sysfs: libnuma sees 2 nodes; gmptop $got"
kill "$WPID"

# ---- fixture procfs: pages split across nodes, remote share ---------------------------
start_workload plain env
mkdir -p "$tmp/proc"
cp -r "$fix/proc/4242" "$tmp/proc/$WPID"
GMPTOP_PROCFS=$tmp/proc GMPTOP_SYSFS=$fix/sys "$GMPTOP" -p "$WPID" -b -n 1 --format json \
    --collectors threads,numa > "$tmp/fixproc.json" || fail "gmptop with fixture procfs"
got=$(json "$tmp/fixproc.json" "[(x['node'], x['pages']) for x in n['nodes']]")
want="[(0, {'total': 1591, 'heap': 1000, 'stack': 3, 'anon': 0, 'file': 76, 'huge': 512}), (1, {'total': 2610, 'heap': 2000, 'stack': 8, 'anon': 50, 'file': 40, 'huge': 512})]"
[ "$got" = "$want" ] || fail "fixture procfs pages: got $got"
python3 - "$tmp/fixproc.json" <<'EOF' || fail "fixture procfs local share"
import json, sys
n = json.load(open(sys.argv[1]))['numa']
t = [x['threads'] for x in n['nodes']]
want = 100.0 * (t[0] * 1591 + t[1] * 2610) / (t[0] + t[1]) / 4201
assert n['policy'] == 'interleave', n['policy']
assert n['local_basis'] == 'threads', n['local_basis']
assert abs(n['local_pct'] - want) < 0.01, (n['local_pct'], want)
print('ok: fixture procfs: threads per node %s, local %.2f%% (want %.2f%%)' % (t, n['local_pct'], want))
EOF
kill "$WPID"

# ---- (b) another user's process: the message names the permission --------------------
start_workload other setpriv --reuid=65534 --regid=65534 --clear-groups
out=$(HOME=$tmp setpriv --reuid=65533 --regid=65533 --clear-groups "$GMPTOP" -p "$WPID" \
      -b -n 1 --format json 2>&1 >/dev/null)
rc=$?
[ $rc -ne 0 ] || fail "gmptop as another user succeeded on pid $WPID"
printf '%s\n' "$out" | grep -Eq '(exe|numa_maps).*(Permission denied|Operation not permitted).*(root|CAP_SYS_PTRACE)' ||
    fail "another user's process: message does not name the permission: $out"
pass "another user's process: exit $rc: $out"
exit 0
