#!/bin/sh
# prom_export: gmptop --listen serves /metrics for a demo: promtool check metrics passes,
# key series are there, only GET/HEAD on /metrics; loopback unless an address is given.
. "$top_srcdir/tests/lib.sh"
need_cmd curl python3
command -v promtool >/dev/null 2>&1 || skip "needs promtool (Debian package prometheus)"
start_demo pingpong
"$GMPTOP" -p "$DEMO_PID" -n 1 -d 0.1 --listen 127.0.0.1:0 2>&1 |
    grep -q "built without libmicrohttpd" && skip "gmptop built without libmicrohttpd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmptop-prom.XXXXXX") || fail "mktemp"
lpid=
cleanup() {
    [ -n "$lpid" ] && kill "$lpid" 2>/dev/null
    stop_demo
    rm -rf "$tmp"
}
trap cleanup EXIT

# start_listen SPEC: run gmptop --listen in the background; sets lpid and url.
nstart=0
start_listen() {
    nstart=$((nstart + 1))
    err=$tmp/listen$nstart.err      # a fresh file: never read the last run's URL
    : >"$err"
    "$GMPTOP" -p "$DEMO_PID" -d 0.3 --listen "$1" 2>"$err" &
    lpid=$!
    i=0
    url=
    while [ $i -lt 50 ]; do
        url=$(sed -n 's/.* on \(http:[^ ]*\/metrics\)$/\1/p' "$err")
        [ -n "$url" ] && return 0
        kill -0 "$lpid" 2>/dev/null || fail "gmptop --listen $1 exited: $(cat "$err")"
        sleep 0.1
        i=$((i + 1))
    done
    fail "gmptop --listen $1 never said where it serves: $(cat "$err")"
}

# stop_listen: SIGTERM ends it with status 0.
stop_listen() {
    kill -TERM "$lpid"
    wait "$lpid"
    st=$?
    lpid=
    [ "$st" = 0 ] || fail "gmptop --listen exited $st on SIGTERM"
}

start_listen 127.0.0.1:0
case $url in http://127.0.0.1:*/metrics) ;; *) fail "unexpected url $url" ;; esac
sleep 1
curl -sf -D "$tmp/headers" "$url" >"$tmp/metrics" || fail "curl $url failed"
grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/headers" ||
    fail "content type: $(cat "$tmp/headers")"
promtool check metrics <"$tmp/metrics" >"$tmp/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$tmp/promtool.out")"
pass "promtool check metrics passes ($(grep -vc '^#' "$tmp/metrics") samples)"

for series in 'gmptop_target_info{pid="'"$DEMO_PID"'",comm="gmptop-demo",go_version="go1.' \
              'gmptop_p_runqueue{p="0"} ' 'gmptop_gomaxprocs ' 'gmptop_global_runqueue ' \
              'gmptop_threads ' 'gmptop_goroutines ' 'gmptop_cpu_utilization_ratio{cpu="0"} ' \
              'gmptop_sched_latency_seconds_bucket{le="+Inf"} ' 'gmptop_sched_latency_seconds_count ' \
              'gmptop_collector_available{collector="sched"} 1' \
              'gmptop_process_cpu_usage_cores '; do
    grep -qF -- "$series" "$tmp/metrics" || fail "missing series: $series"
done
if grep -q 'gmptop_collector_available{collector="park"} 1' "$tmp/metrics"; then
    grep -q '^gmptop_park_latency_seconds_bucket{reason=' "$tmp/metrics" ||
        fail "park collector works but gmptop_park_latency_seconds is missing"
fi
if grep -q 'gmptop_collector_available{collector="numa"} 1' "$tmp/metrics"; then
    grep -q '^gmptop_numa_pages{node="0",kind="heap"} ' "$tmp/metrics" ||
        fail "numa collector works but gmptop_numa_pages is missing"
fi
grep -Eq ' (NaN|nan)$' "$tmp/metrics" && fail "an unmeasurable value was exported"
pass "key series present; no NaN exported"

code=$(curl -s -o /dev/null -w '%{http_code}' "${url%/metrics}/nope")
[ "$code" = 404 ] || fail "/nope gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url")
[ "$code" = 405 ] || fail "POST gave $code"
pass "404 elsewhere, 405 for POST"

# Loopback by default: the socket is bound to 127.0.0.1, never the wildcard.
port=${url#http://127.0.0.1:}
port=${port%/metrics}
if command -v ss >/dev/null 2>&1; then
    ss -ltnH "sport = :$port" | grep -q "127.0.0.1:$port" || fail "not on 127.0.0.1:$port"
    ss -ltnH "sport = :$port" | grep -Eq '(0\.0\.0\.0|\*|\[::\]):'"$port" &&
        fail "bound beyond loopback without being asked"
fi
stop_listen
pass "127.0.0.1:0 serves on loopback only; SIGTERM exits 0"

start_listen 0
case $url in http://127.0.0.1:*/metrics) ;; *) fail "--listen PORT bound $url" ;; esac
stop_listen
pass "--listen PORT (no address) binds 127.0.0.1"

start_listen 0.0.0.0:0
case $url in http://0.0.0.0:*/metrics) ;; *) fail "--listen 0.0.0.0:0 bound $url" ;; esac
port=${url#http://0.0.0.0:}
port=${port%/metrics}
sleep 0.5
curl -sf "http://127.0.0.1:$port/metrics" | grep -q gmptop_gomaxprocs ||
    fail "0.0.0.0 listener not reachable"
stop_listen
pass "--listen 0.0.0.0:PORT binds every interface when asked"

"$GMPTOP" -p "$DEMO_PID" -d 0.1 -n 2 --listen 127.0.0.1:0 2>/dev/null ||
    fail "--listen -n 2 exited $?"
pass "--listen -n 2 stops by itself with status 0"
expect_exit 2 "cannot be combined with -b" "$GMPTOP" -p "$DEMO_PID" -b --listen 9090
expect_exit 2 "is not \[ADDR:\]PORT" "$GMPTOP" -p "$DEMO_PID" --listen 99999
