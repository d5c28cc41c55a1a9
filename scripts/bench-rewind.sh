#!/bin/sh
# bench-rewind: what the live rewind history costs, on an HTTP server under wrk load
# (tests/live/server_workload.go: many threads, a mutex, allocation, GC).
#  1. A recording of SNAPSHOTS snapshots at -d 0.2, replayed through the rewind archive
#     (tests/bench_record): bytes held per snapshot, CPU to keep one, time of a step back.
#  2. With RSS_SECS > 0: the TUI (under tmux) attached at -d 0.1 for RSS_SECS seconds
#     with --rewind 3600 (a full hour at 1 s once 3600 ticks have passed, 6 minutes at
#     -d 0.1), its RSS every 30 s, next to htop -d 10 on the same machine, and the
#     bytes its spill file (the packed chains, out of its memory) takes on disk.
#  3. With CPU_SECS > 0: the TUI at the default -d 1 with a full rewind ring (--rewind 60,
#     full after a minute: pushing into a full ring costs what it costs at 3600) and
#     htop -d 10 side by side, their CPU in CPU_WINDOWS windows (default 8) of CPU_SECS
#     seconds once the ring is full: every thread's schedstat run time (ns; the
#     process's own /proc/PID/schedstat counts only its main thread). Each window gives
#     gmptop/htop; the median and the spread of that ratio are the figure, as the two
#     share the machine's load and its ups and downs within a window.
# Usage: scripts/bench-rewind.sh [SNAPSHOTS]   (root; wrk, tmux; GO=toolchain;
#        RSS_SECS=seconds for part 2, CPU_SECS for part 3, default 0; run from a build
#        directory after make check: needs ./gmptop and ./tests/bench_record)
set -eu
snaps=${1:-300}
rss_secs=${RSS_SECS:-0}
cpu_secs=${CPU_SECS:-0}
cpu_windows=${CPU_WINDOWS:-8}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
b=${top_builddir:-.}
go=${GO:-go}
for f in "$b/gmptop" "$b/tests/bench_record"; do
    [ -x "$f" ] || { echo "bench-rewind: $f missing (make && make check first)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench-rewind: needs wrk" >&2; exit 1; }
work=$(mktemp -d /tmp/gmptop-bench-rewind.XXXXXX)
srv=""
load=""
trap 'kill $srv $load 2>/dev/null || :; tmux -L bench-rewind-$$ kill-server 2>/dev/null || :; rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/server"
cp "$srcdir/tests/live/server_workload.go" "$work/server/main.go"
printf 'module server\n\ngo 1.19\n' >"$work/server/go.mod"
(cd "$work/server" && GOFLAGS=-buildvcs=false "$go" build -o "$work/server.bin" .)
"$work/server.bin" 127.0.0.1:0 >"$work/srv.out" 2>&1 &
srv=$!
until grep -q listening "$work/srv.out"; do sleep 0.05; done
addr=$(awk '/listening/{print $2}' "$work/srv.out")
# Longer than every part takes (the exit trap stops it): a load that ended during a
# window would read as gmptop's and htop's cost on an idle machine.
secs=$(python3 -c "print(int($snaps * 0.5 + 120 + $rss_secs + ($cpu_secs * $cpu_windows + 75 if $cpu_secs else 0)))")
wrk -t1 -c32 -d"${secs}s" "http://$addr/x" >/dev/null 2>&1 &
load=$!
sleep 2
echo "Go $("$go" env GOVERSION); $(nproc) CPUs; server pid $srv, $(ls /proc/$srv/task | wc -l) threads"

"$b/gmptop" -p "$srv" -b --format json -n "$snaps" -d 0.2 --record "$work/rec.gmpr" \
    >"$work/rec.json"
reasons=$(python3 -c "
import json,sys
s=set()
for l in open(sys.argv[1]):
    if l.startswith('{'):
        for r in (json.loads(l).get('park') or {}).get('reasons') or []: s.add(r['reason'])
print(len(s))" "$work/rec.json")
echo "== $snaps snapshots of the loaded server ($reasons wait reasons seen)"
"$b/tests/bench_record" --file "$work/rec.gmpr" | sed -n 1,2p

[ "$rss_secs" -gt 0 ] || [ "$cpu_secs" -gt 0 ] || exit 0
command -v tmux >/dev/null || { echo "bench-rewind: part 2 needs tmux" >&2; exit 1; }
command -v htop >/dev/null || { echo "bench-rewind: part 2 needs htop" >&2; exit 1; }
T() { tmux -L "bench-rewind-$$" "$@"; }
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
anon() { awk '/^RssAnon/{print $2}' "/proc/$1/status"; }
# Run time of every thread of process $1, ns.
run_ns() { cat "/proc/$1/task"/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d\n", s}'; }
# KB the unlinked spill file of process $1 takes (0: none, the history is in memory).
spill() {
    f=$(ls -l "/proc/$1/fd" 2>/dev/null | awk '/\(deleted\)/{print $9; exit}')
    if [ -n "$f" ]; then echo $(( $(stat -L -c %b "/proc/$1/fd/$f") / 2 )); else echo 0; fi
}
T new-session -d -s h -x 160 -y 50 "htop -d 10"
sleep 1
hp=$(pgrep -n -x htop) || { echo "bench-rewind: htop did not start" >&2; exit 1; }
if [ "$rss_secs" -gt 0 ]; then
    T new-session -d -s g -x 160 -y 50 "env XDG_CONFIG_HOME=$work/cfg '$b/gmptop' -p $srv -d 0.1 --rewind 3600"
    sleep 2
    gp=$(pgrep -n -f "gmptop -p $srv -d 0.1") || { echo "bench-rewind: gmptop did not start" >&2; exit 1; }
    echo "== RSS: gmptop -d 0.1 --rewind 3600 (full after 360 s) beside htop -d 10"
    t=0
    while [ "$t" -lt "$rss_secs" ]; do
        sleep 30
        t=$((t + 30))
        echo "t=${t}s  gmptop RSS $(rss "$gp") KB (anon $(anon "$gp"), spill file $(spill "$gp") KB)  htop RSS $(rss "$hp") KB (anon $(anon "$hp"))"
    done
    T kill-session -t g
fi
[ "$cpu_secs" -gt 0 ] || exit 0
T new-session -d -s c -x 160 -y 50 "env XDG_CONFIG_HOME=$work/cfg '$b/gmptop' -p $srv -d 1 --rewind 60"
sleep 2
gp=$(pgrep -n -f "gmptop -p $srv -d 1 ") || { echo "bench-rewind: gmptop did not start" >&2; exit 1; }
echo "== CPU at 1 s: gmptop -d 1 --rewind 60 (full after 60 s) beside htop -d 10, $cpu_windows windows of ${cpu_secs}s from the 70th second (ms of CPU a second)"
sleep 68
w=0
: >"$work/cpu"
while [ "$w" -lt "$cpu_windows" ]; do
    w=$((w + 1))
    g0=$(run_ns "$gp"); h0=$(run_ns "$hp")
    sleep "$cpu_secs"
    g1=$(run_ns "$gp"); h1=$(run_ns "$hp")
    echo "$w $((g1 - g0)) $((h1 - h0))" | tee -a "$work/cpu" |
        awk -v s="$cpu_secs" '{printf "  window %d: gmptop %.2f, htop %.2f, ratio %.2f\n", $1, $2 / s / 1e6, $3 / s / 1e6, $2 / $3}'
done
python3 - "$work/cpu" "$cpu_secs" <<'PY'
import statistics, sys
rows = [list(map(int, l.split()))[1:] for l in open(sys.argv[1])]
s = float(sys.argv[2])
r = sorted(g / h for g, h in rows)
g = statistics.median(g for g, _ in rows) / s / 1e6
h = statistics.median(h for _, h in rows) / s / 1e6
print("CPU: gmptop %.2f ms/s (%.2f%% of a core), htop %.2f ms/s (median of %d windows); "
      "gmptop/htop median %.2f, spread %.2f-%.2f, gmptop at or below htop in %d of %d"
      % (g, g / 10, h, len(rows), statistics.median(r), r[0], r[-1],
         sum(1 for x in r if x <= 1), len(r)))
PY
