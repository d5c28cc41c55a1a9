#!/bin/sh
# prom_export: gmptop --listen serves /metrics for a demo: promtool check metrics passes,
# key series are there, only GET/HEAD on /metrics; loopback unless an address is given.
# As node_exporter: its own build_info and scrape health, an HTML page on /, keep-alive,
# gzip when asked, and a port already taken refused before anything is attached.
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

# start_listen SPEC [DELAY]: run gmptop --listen in the background (-d DELAY, 0.3 s
# unless given); sets lpid and url.
nstart=0
start_listen() {
    nstart=$((nstart + 1))
    err=$tmp/listen$nstart.err      # a fresh file: never read the last run's URL
    : >"$err"
    "$GMPTOP" -p "$DEMO_PID" -d "${2:-0.3}" --listen "$1" 2>"$err" &
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

version=$("$GMPTOP" --version)
version=${version#gmptop }
for series in 'gmptop_build_info{version="'"$version"'",bpf="' \
              'gmptop_scrape_errors_total{cause="sample"} 0' \
              'gmptop_scrape_errors_total{cause="encode"} 0' \
              'gmptop_sample_duration_seconds ' 'gmptop_scrape_duration_seconds '; do
    grep -qF -- "$series" "$tmp/metrics" || fail "missing series: $series"
done
tail -n 1 "$tmp/metrics" | grep -Eq '^gmptop_scrape_duration_seconds [0-9.e-]+$' ||
    fail "the scrape duration is not the last line: $(tail -n 1 "$tmp/metrics")"
pass "gmptop_build_info{version=\"$version\"}, scrape duration and error counters present"

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

# One snapshot, then none for a minute: every response below is of the same exposition.
start_listen 127.0.0.1:0 60
i=0
until curl -sf -o "$tmp/steady" "$url"; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "no first snapshot on $url"
    sleep 0.1
done
base=${url%/metrics}

curl -sf -D "$tmp/root.headers" -o "$tmp/root.html" "$base/" || fail "curl $base/ failed"
grep -qi '^content-type: text/html' "$tmp/root.headers" || fail "/ is not HTML: $(cat "$tmp/root.headers")"
grep -q '<title>gmptop exporter</title>' "$tmp/root.html" || fail "/ has no title: $(cat "$tmp/root.html")"
grep -q '<a href="/metrics">' "$tmp/root.html" || fail "/ does not link /metrics"
grep -q "process $DEMO_PID (gmptop-demo)" "$tmp/root.html" || fail "/ does not name the target"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics/")
[ "$code" = 404 ] || fail "/metrics/ gave $code"
pass "/ is an HTML page linking /metrics; other paths 404"

curl -sf -H 'Accept-Encoding: gzip' -D "$tmp/gz.headers" -o "$tmp/steady.gz" "$url" ||
    fail "curl with Accept-Encoding: gzip failed"
grep -qi '^content-encoding: gzip' "$tmp/gz.headers" || fail "not gzip: $(cat "$tmp/gz.headers")"
grep -qi '^vary: accept-encoding' "$tmp/gz.headers" || fail "no Vary: $(cat "$tmp/gz.headers")"
gunzip -c <"$tmp/steady.gz" >"$tmp/steady.gunzip" || fail "the gzip body does not decode"
cmp -s "$tmp/steady" "$tmp/steady.gunzip" || fail "gzip decodes to other text than the plain one"
promtool check metrics <"$tmp/steady.gunzip" >"$tmp/promtool.gz" 2>&1 ||
    fail "promtool check metrics (gzip): $(cat "$tmp/promtool.gz")"
curl -sf --compressed -o "$tmp/steady.compressed" "$url" || fail "curl --compressed failed"
cmp -s "$tmp/steady" "$tmp/steady.compressed" || fail "curl --compressed got other text"
curl -sf -D "$tmp/plain.headers" -o /dev/null "$url" || fail "curl $url failed"
grep -qi '^content-encoding' "$tmp/plain.headers" && fail "encoded unasked: $(cat "$tmp/plain.headers")"
grep -qi '^vary: accept-encoding' "$tmp/plain.headers" || fail "plain reply has no Vary"
pass "gzip when asked ($(wc -c <"$tmp/steady.gz") of $(wc -c <"$tmp/steady") bytes), same text"

curl -sv -o /dev/null -o /dev/null "$url" "$url" >"$tmp/keepalive" 2>&1 ||
    fail "two scrapes on one curl failed: $(cat "$tmp/keepalive")"
grep -qi 're-using existing' "$tmp/keepalive" ||
    fail "the second scrape did not reuse the connection: $(grep -i 'connect' "$tmp/keepalive")"
grep -qi '^< connection: close' "$tmp/keepalive" && fail "the server asked to close"
pass "HTTP/1.1 keep-alive: the second scrape reuses the connection"

# A taken port: exit 1, one line naming the address and errno, before the attach (pid $$
# is this shell, no Go program: attaching first would say so instead).
port=${url#http://127.0.0.1:}
port=${port%/metrics}
"$GMPTOP" -p $$ --listen "127.0.0.1:$port" >"$tmp/busy.out" 2>"$tmp/busy.err"
st=$?
[ "$st" = 1 ] || fail "--listen on a taken port exited $st: $(cat "$tmp/busy.err")"
want="gmptop: --listen 127.0.0.1:$port: bind: Address already in use"
[ "$(cat "$tmp/busy.err")" = "$want" ] ||
    fail "--listen on a taken port said '$(cat "$tmp/busy.err")', want '$want'"
[ -s "$tmp/busy.out" ] && fail "--listen on a taken port printed on stdout"
expect_exit 1 "^gmptop: --listen 127\.0\.0\.1:$port: bind: Address already in use\$" \
    "$GMPTOP" --demo pingpong --listen "$port"
curl -sf -o /dev/null "$url" || fail "the first listener stopped serving"
stop_listen
pass "a taken port is refused with exit 1 before attaching; the first listener serves on"

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
