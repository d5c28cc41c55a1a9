#!/bin/sh
# bench-listen: does a scrape hold up sampling? One gmptop --listen samples a demo at a
# fixed period while a scraper alternates PHASE-second stretches of quiet and of a
# scrape every 100 ms (gzip, on a kept-alive connection, as Prometheus scrapes). Each
# snapshot interval, from the CLOCK_MONOTONIC stamps of a --record file, goes to the
# stretch it ended in; the jitter |interval - period| of both sets is printed. Stretches
# alternate so that whatever else loads the machine falls on both alike.
# The target is the idle demo unless DEMO says otherwise: a busy one would compete with
# gmptop for the CPUs and its noise drown what is measured.
# Run from a build directory (needs ./gmptop, ./demo/gmptop-demo, python3).
# Usage: scripts/bench-listen.sh [SECONDS] [INTERVAL] [PHASE] [DEMO]
set -eu
seconds=${1:-120}
interval=${2:-0.1}
phase=${3:-2}
demo=${4:-idle}
b=${top_builddir:-.}
for f in "$b/gmptop" "$b/demo/gmptop-demo"; do
    [ -x "$f" ] || { echo "bench-listen: $f missing (make first)" >&2; exit 1; }
done
command -v python3 >/dev/null 2>&1 || { echo "bench-listen: needs python3" >&2; exit 1; }
# The recording on tmpfs when there is one: its fdatasync per snapshot on a disk busy
# with something else would stall the loop and be taken for scrape jitter.
dir=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && dir=/dev/shm
tmp=$(mktemp -d "$dir/bench-listen.XXXXXX")
dp=
gp=
cleanup() {
    for p in $gp $dp; do
        kill "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

"$b/demo/gmptop-demo" "$demo" >/dev/null 2>&1 &
dp=$!
sleep 0.5
"$b/gmptop" -p "$dp" -d "$interval" --listen 127.0.0.1:0 --record "$tmp/rec.gmpr" \
    2>"$tmp/err" &
gp=$!
url=
while [ -z "$url" ]; do
    kill -0 "$gp" 2>/dev/null || { echo "bench-listen: gmptop: $(cat "$tmp/err")" >&2; exit 1; }
    sleep 0.05
    url=$(sed -n 's/.* on \(http:[^ ]*\/metrics\)$/\1/p' "$tmp/err")
done

python3 - "$url" "$seconds" "$phase" "$tmp/spans.json" <<'PY'
import http.client, json, sys, time, urllib.parse

url, seconds, phase, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(url)
# Alternate quiet and scraped stretches; note each stretch's CLOCK_MONOTONIC span
# (time.monotonic_ns is CLOCK_MONOTONIC on Linux, as the recording's stamps).
spans, scrapes = [], []
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
end = time.monotonic() + seconds
scraping = False
while time.monotonic() < end:
    t0 = time.monotonic_ns()
    stop = time.monotonic() + phase
    while time.monotonic() < stop:
        if scraping:
            s = time.monotonic_ns()
            conn.request("GET", u.path, headers={"Accept-Encoding": "gzip"})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                sys.exit("bench-listen: scrape answered %d" % r.status)
            scrapes.append((time.monotonic_ns() - s) / 1e6)
        time.sleep(0.1)
    spans.append((t0, time.monotonic_ns(), scraping))
    scraping = not scraping
conn.close()
json.dump({"spans": spans, "scrapes": scrapes}, open(out, "w"))
PY
kill -TERM "$gp"
wait "$gp" || true
gp=

python3 - "$interval" "$phase" "$demo" "$tmp/rec.gmpr" "$tmp/spans.json" <<'PY'
import json, struct, sys

period_ms, phase, demo = float(sys.argv[1]) * 1e3, float(sys.argv[2]), sys.argv[3]
log = json.load(open(sys.argv[5]))
spans, scrapes = log["spans"], log["scrapes"]

def monos(path):
    """CLOCK_MONOTONIC of each snapshot frame (doc/recording.md), dictionaries skipped."""
    data = open(path, "rb").read()
    off = struct.unpack_from("<I", data, 12)[0]
    out = []
    while off + 36 <= len(data):
        magic, clen, _, flags = struct.unpack_from("<4sIIH", data, off)
        if magic != b"GMPF":
            sys.exit("bench-listen: %s: no frame at byte %d" % (path, off))
        if not flags & 2:
            out.append(struct.unpack_from("<q", data, off + 24)[0])
        off += 36 + clen
    return out

jit = {False: [], True: []}
m = monos(sys.argv[4])
for a, b in zip(m, m[1:]):
    for t0, t1, scr in spans:
        if t0 <= b < t1:
            jit[scr].append(abs((b - a) / 1e6 - period_ms))
            break

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]

seconds = (spans[-1][1] - spans[0][0]) / 1e9
print("demo %s, period %.1f ms, %.0f s in %.0f-second stretches; "
      "jitter = |interval between snapshots - period|" % (demo, period_ms, seconds, phase))
print("%-8s %6s %8s %12s %9s %9s %9s %17s" % ("stretch", "ticks", "scrapes",
      "jitter mean", "p50", "p99", "max", "scrape mean/max"))
res = {}
for scr in (False, True):
    j = jit[scr]
    if not j:
        sys.exit("bench-listen: no snapshot in the %s stretches" % ("scraped" if scr else "quiet"))
    res[scr] = (sum(j) / len(j), pct(j, 50), pct(j, 99), max(j))
    sc = "%.2f/%.2f ms" % (sum(scrapes) / len(scrapes), max(scrapes)) if scr else "-"
    print("%-8s %6d %8d %9.3f ms %6.3f ms %6.3f ms %6.3f ms %17s" % (
        "scraped" if scr else "quiet", len(j), len(scrapes) if scr else 0, *res[scr], sc))
q, s = res[False], res[True]
print("scraping changed the jitter by %+.3f ms (mean), %+.3f ms (p50), %+.3f ms (p99), "
      "%+.3f ms (max)" % tuple(s[i] - q[i] for i in range(4)))
PY
