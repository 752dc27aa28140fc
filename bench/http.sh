#!/bin/sh
# bench/http.sh [NIEMTIN] - the HTTP server under wrk, beside nginx serving a
# static answer of the same size in the same run (the HTTP floor of this
# machine).  Prints one JSON document on stdout; progress goes to stderr.
#
#   POST /api/v1/check   the SMS-length Vietnamese messages of
#                        tests/data/vi-messages-*.jsonl (359, scams and
#                        ordinary messages), sent in rotation
#   GET  /api/v1/lookup  a fixed mix of 44 values, half listed (hits), half
#                        not (misses): phone numbers, bank accounts, domains,
#                        links, an e-mail address, a profile
#
# Targets (issue 5): lookup >= 50% of nginx's requests per second, check >=
# 25%.  For each endpoint the script measures the mean size of niemtin's real
# answers to that mix first, then has nginx serve a static JSON file of that
# many bytes, with the same response headers, at the same path; wrk then
# replays the same requests against each (bench/http_wrk.lua), ROUNDS times,
# alternating nginx and niemtin.  The figures are the median round.
#
# Layout on this 2-core machine (docs/server.md says why): LAYOUT=pinned
# (default) puts wrk on CPU 0 and the server under test on CPU 1, one server
# thread and one nginx worker; LAYOUT=shared lets everything share all the
# cores with as many server threads and nginx workers as cores.  Beside the
# requests per second the script reports each server's CPU time per request
# (from /proc), which other load on the machine moves much less.
#
# Environment: SECONDS_EACH (5), ROUNDS (3), CONNECTIONS (32), LAYOUT,
# NT_SHARED_DATA (../shared/data: the ChongLuaDao list, if there, is the
# registry; otherwise a generated list of the same size).
#
# It installs nothing: scripts/deps installs wrk and nginx.  Everything it
# starts listens on 127.0.0.1 only and is stopped on exit.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
NT=${1:-$here/build/niemtin}
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
LAYOUT=${LAYOUT:-pinned}
shared=${NT_SHARED_DATA:-$here/../shared/data}

for tool in wrk nginx curl; do
    command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || {
        echo "bench/http.sh: $tool is missing (scripts/deps installs it)" >&2
        exit 1
    }
done
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$NT" ] || { echo "bench/http.sh: $NT: no such program (make build)" >&2; exit 1; }

ncpu=$(nproc 2>/dev/null || echo 1)
if [ "$LAYOUT" = pinned ] && [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
    THREADS=1
    LOADGEN="taskset -c 0"
    UNDER_TEST="taskset -c 1"
    WRK_THREADS=1
else
    LAYOUT=shared
    THREADS=$ncpu
    LOADGEN=""
    UNDER_TEST=""
    WRK_THREADS=$ncpu
fi

tmp=$(mktemp -d /tmp/niemtin-bench-http.XXXXXX)
srv_pid=
ngx_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    [ -n "$ngx_pid" ] && kill -QUIT "$ngx_pid" 2>/dev/null && wait "$ngx_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench/http.sh: $*" >&2; }

# ---- the registry: a list of the size of ChongLuaDao's, the demo reports ----
NIEMTIN_STORE_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export NIEMTIN_STORE_KEY
DB=$tmp/niemtin.db
if [ -f "$shared/chongluadao-blocklist/urls.txt" ]; then
    list=$shared/chongluadao-blocklist/urls.txt
    src=chongluadao
else
    list=$tmp/list.txt
    src=generated
    awk 'BEGIN { for (i = 0; i < 34000; i++) printf "canh-bao-%05d-demo.vn\n", i }' >"$list"
fi
"$NT" import --db "$DB" --format chongluadao --name "$src" "$list" >/dev/null
while IFS= read -r line; do
    [ -n "$line" ] || continue
    field() { printf '%s' "$line" | sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"; }
    "$NT" report add --db "$DB" --type "$(field type)" --value "$(field value)" \
        --channel "$(field channel)" --evidence "$(field evidence)" --reporter bench >/dev/null
done <"$here/data/demo/reports.jsonl"

# ---- the requests ------------------------------------------------------------
# check: {"text": ...} of each message, its JSON string taken as it is
cat "$here"/tests/data/vi-messages-*.jsonl |
    sed -nE 's/.*"text": ("([^"\\]|\\.)*").*/POST\t\/api\/v1\/check\t{"text":\1}/p' >"$tmp/check.req"
# lookup: 22 hits (11 values of the demo reports: phones, bank accounts, a
# domain, an e-mail; 11 listed domains and links on them), then
# the 22 misses below: half and half
{
    sed -nE 's/.*"value": "([^"]*)".*/\1/p' "$here/data/demo/reports.jsonl" | sort -u | awk 'NR % 2 == 1' | head -11
    grep -v '[/:]' "$list" | awk 'NR % 1000 == 7 { print; print "https://" $0 "/dang-nhap" }' | head -11
} >"$tmp/hits.txt"
cat >"$tmp/misses.txt" <<'EOF'
0912 345 678
0987 654 321
+84 903 111 222
028 3822 1234
0355 246 810
0799 000 111
1903 8888 6666
0011 0045 6789
101 000 222 333
190 3000 1111
vnexpress.net
dantri.com.vn
shopee.vn
tiki.vn
vietcombank.com.vn
dichvucong.gov.vn
zalo.me
google.com
https://vnexpress.net/thoi-su
https://chinhphu.vn/
hotro@example.vn
facebook.com/nguoi.ban.binh.thuong
EOF
{
    cat "$tmp/hits.txt"
    head -n "$(wc -l <"$tmp/hits.txt")" "$tmp/misses.txt"
} | while IFS= read -r v; do
    # percent-encode what a query value needs
    printf 'GET\t/api/v1/lookup?value=%s\n' "$(printf '%s' "$v" |
        sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/+/%2B/g' -e 's/&/%26/g' -e 's/#/%23/g' \
            -e 's/?/%3F/g' -e 's/@/%40/g' -e 's/:/%3A/g' -e 's/\//%2F/g')"
done >"$tmp/lookup.req"
nhits=$(wc -l <"$tmp/hits.txt")
nlookup=$(wc -l <"$tmp/lookup.req")
ncheck=$(wc -l <"$tmp/check.req")

# ---- niemtin serve ---------------------------------------------------------
$UNDER_TEST "$NT" serve --port 0 --db "$DB" --quiet --threads "$THREADS" \
    --rate 1000000000 --burst 1000000000 >"$tmp/srv.out" 2>"$tmp/srv.err" &
srv_pid=$!
i=0
while ! grep -q "127.0.0.1:" "$tmp/srv.out" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$srv_pid" 2>/dev/null; then
        log "niemtin serve did not start:"; cat "$tmp/srv.err" >&2; exit 1
    fi
done
srv_port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/srv.out" | cut -d: -f2)

# replay FILE once with curl against PORT: the mean body size, or fail on any
# answer that is not 200
mean_size() {
    total=0 n=0
    while IFS="$(printf '\t')" read -r method path body; do
        if [ "$method" = POST ]; then
            out=$(printf '%s' "$body" | curl -s -o /dev/null -w '%{http_code} %{size_download}' \
                -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$2$path")
        else
            out=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$2$path")
        fi
        case "$out" in
            "200 "*) ;;
            *) log "$method $path: answered $out, not 200"; return 1 ;;
        esac
        total=$((total + ${out#200 }))
        n=$((n + 1))
    done <"$1"
    echo $((total / n))
}
check_bytes=$(mean_size "$tmp/check.req" "$srv_port")
lookup_bytes=$(mean_size "$tmp/lookup.req" "$srv_port")
log "mean answers: check $check_bytes bytes, lookup $lookup_bytes bytes"

# ---- nginx: the same paths, a static JSON file of the same size ------------
mkdir -p "$tmp/www" "$tmp/nginx"
# a JSON object {"pad":"xxx..."} of exactly N bytes
pad_json() { awk -v n="$1" 'BEGIN { s = "{\"pad\":\""; for (i = 0; i < n - 10; i++) s = s "x"; print s "\"}" }' | head -c "$1"; }
pad_json "$check_bytes" >"$tmp/www/check.json"
pad_json "$lookup_bytes" >"$tmp/www/lookup.json"
chmod 755 "$tmp" "$tmp/www"
chmod 644 "$tmp/www/check.json" "$tmp/www/lookup.json"
ngx_port=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 40000) }')
csp="default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'"
cat >"$tmp/nginx/nginx.conf" <<EOF
# written by bench/http.sh; the HTTP floor beside niemtin serve
worker_processes $THREADS;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    etag off;
    keepalive_requests 1000000000;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    types { }
    default_type "application/json; charset=utf-8";
    server {
        listen 127.0.0.1:$ngx_port;
        root $tmp/www;
        add_header Cache-Control no-store;
        add_header X-Content-Type-Options nosniff;
        add_header Referrer-Policy no-referrer;
        add_header X-Frame-Options DENY;
        add_header Content-Security-Policy "$csp";
        location = /api/v1/lookup { try_files /lookup.json =404; }
        # the static module answers POST with 405: serve the file for it
        location = /api/v1/check {
            client_body_buffer_size 64k;
            error_page 405 =200 /check.json;
            try_files /check.json =404;
        }
    }
}
EOF
$UNDER_TEST "$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
ngx_pid=$!
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$ngx_port/api/v1/lookup"; do
    sleep 0.1
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$ngx_pid" 2>/dev/null; then
        log "nginx did not start:"; cat "$tmp/nginx/error.log" >&2; exit 1
    fi
done

# the processes whose CPU time is counted: niemtin; nginx's master and workers
ngx_procs=$ngx_pid
for f in /proc/[0-9]*/stat; do
    { read -r st <"$f"; } 2>/dev/null || continue
    rest=${st##*) }
    # shellcheck disable=SC2086 # the fields after the command name, split
    set -- $rest
    [ "$2" = "$ngx_pid" ] && ngx_procs="$ngx_procs ${f#/proc/}" && ngx_procs=${ngx_procs%/stat}
done
# CPU ticks (user + system, all threads) of the processes PIDS...
cpu_ticks() {
    t=0
    for p in "$@"; do
        { read -r st <"/proc/$p/stat"; } 2>/dev/null || continue
        rest=${st##*) }
        # shellcheck disable=SC2086 # the fields after the command name, split
        set -- $rest
        shift 11
        t=$((t + $1 + $2)) # utime, stime
    done
    echo $t
}
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run NAME PORT "PIDS" REQFILE: one wrk run against PORT; prints its JSON
# with the CPU time of PIDS per request
# shellcheck disable=SC2086 # $3 is a list of process ids
run() {
    c0=$(cpu_ticks $3)
    NT_BENCH_REQUESTS=$4 $LOADGEN wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${SECONDS_EACH}s" \
        --latency -s "$here/bench/http_wrk.lua" "http://127.0.0.1:$2" >"$tmp/wrk.out" 2>&1 || {
        log "wrk failed against $1:"; cat "$tmp/wrk.out" >&2; return 1
    }
    c1=$(cpu_ticks $3)
    line=$(grep '^{"wrk":' "$tmp/wrk.out") || { log "no figures from wrk:"; cat "$tmp/wrk.out" >&2; return 1; }
    case "$line" in
        *'"status":0,'*) ;;
        *) log "$1 answered some requests with an error status: $line"; return 1 ;;
    esac
    reqs=$(printf '%s' "$line" | sed -E 's/.*"requests":([0-9]+).*/\1/')
    cpu_us=$(awk -v d="$((c1 - c0))" -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.2f", n ? d / hz * 1e6 / n : 0 }')
    printf '%s\n' "$line" | sed -e "s/^{\"wrk\":1,/{/" -e "s/}\$/,\"cpu_us_per_request\":$cpu_us}/"
}

# field NAME JSON: a number out of a flat JSON line
field() { printf '%s' "$2" | sed -E "s/.*\"$1\":([-0-9.e]+).*/\\1/"; }

# median of the lines on stdin by the numeric field rps
median_by_rps() { awk -F'"rps":' '{ split($2, a, ","); print a[1] "\t" $0 }' | sort -n | awk -F'\t' '{ l[NR] = $2 } END { print l[int((NR + 1) / 2)] }'; }

endpoint_json() { # NAME REQFILE TARGET BYTES
    : >"$tmp/$1.nt" 
    : >"$tmp/$1.ngx"
    # a short warm-up of each (first-use allocations, caches)
    SECONDS_EACH=1 run nginx "$ngx_port" "$ngx_procs" "$2" >/dev/null
    SECONDS_EACH=1 run niemtin "$srv_port" "$srv_pid" "$2" >/dev/null
    r=1
    while [ $r -le "$ROUNDS" ]; do
        log "$1: round $r of $ROUNDS"
        run nginx "$ngx_port" "$ngx_procs" "$2" >>"$tmp/$1.ngx"
        run niemtin "$srv_port" "$srv_pid" "$2" >>"$tmp/$1.nt"
        r=$((r + 1))
    done
    nt=$(median_by_rps <"$tmp/$1.nt")
    ngx=$(median_by_rps <"$tmp/$1.ngx")
    rounds=$(paste "$tmp/$1.nt" "$tmp/$1.ngx" | awk -F'\t' '{
        split($1, a, "\"rps\":"); split(a[2], x, ",")
        split($2, b, "\"rps\":"); split(b[2], y, ",")
        printf "%s%.3f", (NR > 1 ? "," : ""), x[1] / y[1] }')
    awk -v name="$1" -v target="$3" -v bytes="$4" -v nt="$nt" -v ngx="$ngx" -v rounds="$rounds" \
        -v ntr="$(field rps "$nt")" -v ngr="$(field rps "$ngx")" \
        -v ntc="$(field cpu_us_per_request "$nt")" -v ngc="$(field cpu_us_per_request "$ngx")" '
        BEGIN {
            ratio = ngr > 0 ? ntr / ngr : 0
            cpu_ratio = ntc > 0 ? ngc / ntc : 0
            printf "    \"%s\": {\n", name
            printf "      \"answer_bytes\": %d,\n", bytes
            printf "      \"niemtin\": %s,\n", nt
            printf "      \"nginx\": %s,\n", ngx
            printf "      \"ratio\": %.3f,\n", ratio
            printf "      \"ratio_by_round\": [%s],\n", rounds
            printf "      \"cpu_ratio\": %.3f,\n", cpu_ratio
            printf "      \"target\": %.2f,\n", target
            printf "      \"target_met\": %s\n", (ratio >= target ? "true" : "false")
            printf "    }"
        }'
}

check_json=$(endpoint_json check "$tmp/check.req" 0.25 "$check_bytes")
lookup_json=$(endpoint_json lookup "$tmp/lookup.req" 0.50 "$lookup_bytes")
model=$(sed -n -e '/^model name/{s/^[^:]*: *//' -e 's/["\\]//g' -e p -e q -e '}' /proc/cpuinfo)

cat <<EOF
{
  "benchmark": "http",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "machine": {"cpus": $ncpu, "model": "$model", "load_average_1m": $(cut -d' ' -f1 /proc/loadavg)},
  "layout": "$LAYOUT",
  "server_threads": $THREADS,
  "nginx_workers": $THREADS,
  "wrk": {"threads": $WRK_THREADS, "connections": $CONNECTIONS, "seconds": $SECONDS_EACH, "rounds": $ROUNDS, "pinned": $([ "$LAYOUT" = pinned ] && echo '"wrk on CPU 0, servers on CPU 1"' || echo null)},
  "nginx_version": "$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')",
  "registry": {"list": "$src", "check_messages": $ncheck, "lookup_values": $nlookup, "lookup_hits": $nhits},
  "endpoints": {
$check_json,
$lookup_json
  },
  "note": "rps: requests per second, the median of the rounds; ratio = niemtin rps / nginx rps in the same round layout; cpu_ratio = nginx CPU time per request / niemtin CPU time per request; latencies in ms from wrk"
}
EOF
