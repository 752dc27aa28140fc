#!/bin/sh
# tests/server.sh NIEMTIN - start the real server on a loopback port and drive
# every endpoint over HTTP with curl: happy paths, bad JSON, missing, extra
# and mistyped fields, wrong content type and method, oversize bodies, the
# rate limit, concurrent clients, a rules reload (SIGHUP) and a clean stop
# (SIGTERM) with a request in flight.  Prints "N passed, N failed".
NT=$1
pass=0
fail=0
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# start_server ARGS...: start niemtin serve on a free port, set $H and $pid
start_server() {
    rm -f "$tmp/srv.out"
    "$NT" serve --port 0 --quiet --db "$tmp/srv.db" "$@" >"$tmp/srv.out" 2>"$tmp/srv.err" &
    pid=$!
    i=0
    while ! grep -q "127.0.0.1:" "$tmp/srv.out" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
        if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
            echo "server did not start:"; cat "$tmp/srv.err"; exit 1
        fi
    done
    port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/srv.out" | cut -d: -f2)
    H="http://127.0.0.1:$port"
}

# req NAME WANT_STATUS PATTERN METHOD PATH [CURL ARGS...]: PATTERN is grep -E
# on the body (empty: not checked)
req() {
    name=$1 want=$2 pat=$3 method=$4 path=$5
    shift 5
    st=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$@" "$H$path")
    if [ "$st" != "$want" ]; then
        bad "$name: status $st, want $want"; head -c 400 "$tmp/body"; echo; return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/body"; then
        bad "$name: body lacks /$pat/"; head -c 400 "$tmp/body"; echo; return
    fi
    ok
}
JSON="-H Content-Type:application/json"

# a registry with one imported list and one reported number
printf 'lua-dao-vi-du.com\nphishing.example.net/login\n' >"$tmp/list.txt"
"$NT" import --db "$tmp/srv.db" --format chongluadao "$tmp/list.txt" >/dev/null || { echo "import failed"; exit 1; }
"$NT" demo-accounts --db "$tmp/srv.db" >"$tmp/demo.txt" 2>&1 || { echo "demo-accounts failed"; cat "$tmp/demo.txt"; exit 1; }
start_server --rate 1000 --burst 1000

req "healthz" 200 '"status":"ok".*"rules":[1-9]' GET /healthz
req "openapi" 200 '^openapi: 3' GET /api/v1/openapi.yaml
req "index page" 200 'Kiểm tra tin nhắn' GET /
req "script" 200 'api/v1/check' GET /app.js
grep -qi "content-security-policy: default-src 'self'" "$tmp/headers" && ok || bad "CSP header missing"
req "unknown page" 404 '"code":"not_found"' GET /nope.html
req "path traversal" 404 '"code":"not_found"' GET /../../etc/passwd --path-as-is
req "dot file" 404 '"code":"not_found"' GET /.git/config
req "unknown api" 404 '"code":"not_found"' GET /api/v1/nothing

# check: happy paths, Vietnamese and English, evidence spans
req "check scam" 200 '"level":"dangerous".*"rules":\[\{"rule"' POST /api/v1/check $JSON \
    -d '{"text":"Công an thông báo anh có lệnh bắt tạm giam vì liên quan đường dây rửa tiền, chuyển tiền vào tài khoản tạm giữ ngay"}'
req "check evidence span" 200 '"evidence":\[\{"start":[0-9]+,"end":[0-9]+,"text":"' POST /api/v1/check $JSON \
    -d '{"text":"Em ơi đọc giúp anh mã OTP vừa gửi về máy nhé"}'
req "check benign" 200 '"level":"safe"' POST /api/v1/check $JSON -d '{"text":"Mẹ ơi tối nay con về muộn, con ăn cơm với bạn rồi"}'
req "check empty" 200 '"empty":true' POST /api/v1/check $JSON -d '{"text":""}'
req "check english" 200 '"level_text":"(Dangerous|Suspicious)"' POST /api/v1/check $JSON \
    -d '{"text":"Em ơi đọc giúp anh mã OTP vừa gửi về máy nhé","lang":"en"}'
req "check ?lang=en" 200 '"level_text":"Safe"' POST "/api/v1/check?lang=en" $JSON -d '{"text":"hello"}'
req "check echoes id" 200 '"id":\{"a":1\}' POST /api/v1/check $JSON -d '{"text":"hi","id":{"a":1}}'
req "check indicators" 200 '"type":"phone","value":"\+84912345678"' POST /api/v1/check $JSON \
    -d '{"text":"gọi ngay 0912 345 678 để nhận quà"}'
req "check NFD" 200 '"rule":"control.share_otp"' POST /api/v1/check $JSON \
    -d "{\"text\":\"$(printf 'gu\314\233\314\211i ma\314\203 OTP cho anh')\"}"

# bad input: each gets a clear JSON error with the right status and field
req "bad json" 400 '"code":"bad_json".*dòng 1, cột' POST /api/v1/check $JSON -d '{"text": "ab'
req "bad json en" 400 'invalid JSON at line' POST "/api/v1/check?lang=en" $JSON -d '{"text": '
req "not an object" 400 '"code":"bad_json"' POST /api/v1/check $JSON -d '["text"]'
req "missing text" 400 '"code":"missing_field".*"field":"text"' POST /api/v1/check $JSON -d '{}'
req "text not string" 400 '"code":"bad_field".*"field":"text"' POST /api/v1/check $JSON -d '{"text":5}'
req "text null" 400 '"field":"text"' POST /api/v1/check $JSON -d '{"text":null}'
req "unknown field" 400 '"code":"unknown_field".*"field":"x"' POST /api/v1/check $JSON -d '{"text":"a","x":1}'
req "bad lang" 400 '"field":"lang"' POST /api/v1/check $JSON -d '{"text":"a","lang":"fr"}'
req "duplicate key" 400 '"code":"bad_json"' POST /api/v1/check $JSON -d '{"text":"a","text":"b"}'
printf '{"text":"\377\376 broken"}' >"$tmp/badutf8.json"
req "broken utf-8" 400 '"code":"bad_json"' POST /api/v1/check $JSON --data-binary @"$tmp/badutf8.json"
req "sql-looking text" 200 '"level"' POST /api/v1/check $JSON -d "{\"text\":\"'; DROP TABLE reports; --\"}"
req "no content type" 415 '"code":"unsupported_media_type"' POST /api/v1/check -d '{"text":"a"}'
req "form content type" 415 '"code":"unsupported_media_type"' POST /api/v1/check -H 'Content-Type: application/x-www-form-urlencoded' -d 'text=a'
req "wrong method" 405 '"code":"method_not_allowed"' GET /api/v1/check
grep -qi '^allow: POST' "$tmp/headers" && ok || bad "405 without Allow: POST"
head -c 3000000 /dev/zero | tr '\0' 'a' >"$tmp/big"
req "10 MB body" 413 '"code":"payload_too_large"' POST /api/v1/check $JSON --data-binary @"$tmp/big"
# a JSON body under the body limit whose text is over the 1 MiB message limit
{ printf '{"text":"'; head -c 1100000 /dev/zero | tr '\0' 'b'; printf '"}'; } >"$tmp/longtext.json"
req "message over 1 MiB" 413 '"field":"text"' POST /api/v1/check $JSON --data-binary @"$tmp/longtext.json"
req "chunked oversize" 413 '"code":"payload_too_large"' POST /api/v1/check $JSON -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big"

# conversation
cat >"$tmp/chat.json" <<'EOF'
{"turns":[{"speaker":"A","text":"em học lớp mấy rồi?","time":"20:01"},
 {"speaker":"B","text":"lớp 7 ạ"},
 {"speaker":"A","text":"anh nạp cho em bộ skin nhé, nhưng đừng kể với bố mẹ"},
 {"speaker":"A","text":"gửi anh ảnh em mặc đồ ngủ đi, chỉ mình anh xem thôi"}]}
EOF
req "conversation" 200 '"level":"dangerous".*"dangerous_turn":[0-9]' POST /api/v1/check/conversation $JSON --data-binary @"$tmp/chat.json"
req "conversation turns" 200 '"conversation_risk"' POST /api/v1/check/conversation $JSON --data-binary @"$tmp/chat.json"
req "conversation no turns" 400 '"field":"turns"' POST /api/v1/check/conversation $JSON -d '{"turns":[]}'
req "conversation bad turn" 400 '"field":"turns\[1\].text"' POST /api/v1/check/conversation $JSON -d '{"turns":[{"text":"a"},{"text":3}]}'
req "conversation extra" 400 '"field":"turns\[0\].mood"' POST /api/v1/check/conversation $JSON -d '{"turns":[{"text":"a","mood":1}]}'

# registry: lookup and report (public)
req "lookup listed domain" 200 '"status":"confirmed"' GET "/api/v1/lookup?value=lua-dao-vi-du.com"
req "lookup URL on a listed host" 200 '"status":"confirmed"' GET "/api/v1/lookup?value=https://lua-dao-vi-du.com/dang-nhap"
req "lookup defanged" 200 '"status":"confirmed"' GET "/api/v1/lookup?value=hxxps://lua-dao-vi-du%5B.%5Dcom/x"
req "lookup unlisted" 200 '"status":null' GET "/api/v1/lookup?value=vnexpress.net"
req "lookup phone not listed" 200 '"canonical":"\+84912345678"' GET "/api/v1/lookup?value=0912%20345%20678"
req "lookup missing value" 400 '"field":"value"' GET /api/v1/lookup
req "lookup bad type" 400 '"field":"type"' GET "/api/v1/lookup?value=1&type=star"
req "lookup nonsense" 400 '"field":"value"' GET "/api/v1/lookup?value=%25%25%25&type=phone"
req "report" 201 '"report_id":[0-9]+.*"status":"reported"' POST /api/v1/reports $JSON \
    -d '{"type":"phone","value":"0912 345 678","evidence":"Gọi tự xưng công an, bắt chuyển tiền","channel":"call","amount":5000000}'
req "reported number is found" 200 '"status":"reported"' GET "/api/v1/lookup?value=%2B84912345678"
req "report bad value" 400 '"field":"value"' POST /api/v1/reports $JSON -d '{"type":"phone","value":"abc"}'
req "report bad type" 400 '"field":"type"' POST /api/v1/reports $JSON -d '{"type":"fax","value":"1"}'
req "report missing value" 400 '"code":"missing_field".*"field":"value"' POST /api/v1/reports $JSON -d '{"type":"phone"}'
req "report bad amount" 400 '"field":"amount"' POST /api/v1/reports $JSON -d '{"type":"phone","value":"0912345678","amount":-5}'
req "report extra field" 400 '"field":"admin"' POST /api/v1/reports $JSON -d '{"type":"phone","value":"0912345678","admin":true}'
req "report contact without key" 400 '"field":"contact"' POST /api/v1/reports $JSON -d '{"type":"phone","value":"0912345678","contact":"me@example.vn"}'
req "report sql-looking value" 400 '"field":"value"' POST /api/v1/reports $JSON -d "{\"type\":\"domain\",\"value\":\"x'; DROP TABLE indicators;--\"}"
req "lookup still works after that" 200 '"status":"confirmed"' GET "/api/v1/lookup?value=lua-dao-vi-du.com"
req "check sees the registry" 200 '"registry":\{"status":"confirmed"' POST /api/v1/check $JSON \
    -d '{"text":"Vào lua-dao-vi-du.com để nhận quà nhé"}'

# accounts: roles, API keys, sessions with CSRF (demo accounts on this database)
KEY=$(grep -o 'nt_live_[A-Za-z0-9_-]*' "$tmp/demo.txt" | head -1)
AK="Authorization: Bearer $KEY"
req "feed needs a member" 401 '"code":"unauthorized"' GET "/api/v1/feed?since=0"
req "feed with the member key" 200 '"next":[1-9][0-9]*.*"kind":"added"' GET "/api/v1/feed?since=0" -H "$AK"
req "feed cursor" 200 '"changes":\[\]' GET "/api/v1/feed?since=999999" -H "$AK"
req "feed bad cursor" 400 '"field":"since"' GET "/api/v1/feed?since=-1" -H "$AK"
req "bad key" 401 '"field":"Authorization"' GET "/api/v1/feed?since=0" -H "Authorization: Bearer nt_live_forged"
req "batch lookup" 200 '"status":"confirmed"' POST /api/v1/lookup/batch $JSON -H "$AK" \
    -d '{"values":["lua-dao-vi-du.com","0912345678",7]}'
req "batch lookup public" 401 '"code":"unauthorized"' POST /api/v1/lookup/batch $JSON -d '{"values":["a.com"]}'
req "batch too big" 400 '"field":"values"' POST /api/v1/lookup/batch $JSON -H "$AK" -d '{"values":[]}'
req "member may not review" 403 '"code":"forbidden"' GET /api/v1/review -H "$AK"
req "member report" 201 '"report_id"' POST /api/v1/reports $JSON -H "$AK" -d '{"type":"domain","value":"ngan-hang-gia-demo.com","evidence":"phishing page"}'
req "wrong password" 401 '"code":"unauthorized"' POST /api/v1/login $JSON -d '{"login":"demo-analyst","password":"nope-nope-nope"}'
req "login" 200 '"role":"analyst".*"csrf":"' POST /api/v1/login $JSON -c "$tmp/cookies" \
    -d '{"login":"demo-analyst","password":"demo-analyst-niemtin"}'
grep -qi '^set-cookie: nt_session=.*HttpOnly.*SameSite=Strict' "$tmp/headers" && ok || bad "session cookie not HttpOnly SameSite=Strict"
CSRF=$(grep -o '"csrf":"[^"]*"' "$tmp/body" | cut -d'"' -f4)
req "me" 200 '"name":"demo-analyst"' GET /api/v1/me -b "$tmp/cookies"
req "review queue" 200 '"status":"reported".*"value":"\+84912345678"' GET "/api/v1/review?status=reported" -b "$tmp/cookies"
ID=$(grep -o '"id":[0-9]*,"type":"phone","value":"+84912345678"' "$tmp/body" | grep -o '[0-9]*' | head -1)
req "decide without CSRF" 403 '"code":"csrf"' POST "/api/v1/review/$ID" $JSON -b "$tmp/cookies" -d '{"action":"confirm","reason":"x"}'
req "decide without reason" 400 '"field":"reason"' POST "/api/v1/review/$ID" $JSON -b "$tmp/cookies" -H "X-CSRF-Token: $CSRF" -d '{"action":"confirm"}'
req "decide" 200 '"by":"demo-analyst"' POST "/api/v1/review/$ID" $JSON -b "$tmp/cookies" -H "X-CSRF-Token: $CSRF" \
    -d '{"action":"confirm","reason":"Verified with the bank"}'
req "decide again" 409 '"code":"conflict"' POST "/api/v1/review/$ID" $JSON -b "$tmp/cookies" -H "X-CSRF-Token: $CSRF" \
    -d '{"action":"confirm","reason":"again"}'
req "decide unknown id" 404 '"code":"not_found"' POST "/api/v1/review/999999" $JSON -b "$tmp/cookies" -H "X-CSRF-Token: $CSRF" \
    -d '{"action":"confirm","reason":"x"}'
req "confirmed now" 200 '"status":"confirmed"' GET "/api/v1/lookup?value=0912345678&type=phone"
req "analyst may not read the audit log" 403 '"code":"forbidden"' GET /api/v1/audit/verify -b "$tmp/cookies"
req "logout" 200 '"ok":true' POST /api/v1/logout $JSON -b "$tmp/cookies" -H "X-CSRF-Token: $CSRF" -d '{}'
req "session ended" 200 '"kind":"public"' GET /api/v1/me -b "$tmp/cookies"
req "admin login" 200 '"role":"admin"' POST /api/v1/login $JSON -c "$tmp/admin" -d '{"login":"demo-admin","password":"demo-admin-niemtin"}'
req "audit chain intact" 200 '"ok":true,"entries":[1-9]' GET /api/v1/audit/verify -b "$tmp/admin"

# concurrent clients: 40 checks from 8 parallel loops, all 200
pids=
for k in 1 2 3 4 5 6 7 8; do
    ( for j in 1 2 3 4 5; do
        curl -s -o /dev/null -w '%{http_code}\n' -X POST $JSON -d '{"text":"chuyển khoản ngay vào tài khoản 0123456789 để nhận thưởng"}' "$H/api/v1/check"
      done >"$tmp/par.$k" ) &
    pids="$pids $!"
done
for p in $pids; do wait $p; done
n200=$(cat "$tmp"/par.* | grep -c '^200$')
[ "$n200" = 40 ] && ok || bad "concurrent: $n200 of 40 were 200"

req "metrics" 200 'niemtin_checks_total\{level="dangerous"\} [1-9]' GET /metrics
grep -q 'niemtin_http_request_duration_seconds_bucket{route="check",le="+Inf"}' "$tmp/body" && ok || bad "metrics: no latency histogram"
grep -q 'niemtin_http_requests_total{route="static",code="2xx"}' "$tmp/body" && ok || bad "metrics: static pages not labelled"
grep -q 'route="review_decide"' "$tmp/body" && ok || bad "metrics: review decisions not labelled"
grep -q '(null)' "$tmp/body" && bad "metrics: a route without a label" || ok

# stop: SIGTERM lets a request in flight finish
( curl -s -o "$tmp/inflight" -w '%{http_code}' -X POST $JSON --data-binary @"$tmp/chat.json" "$H/api/v1/check/conversation" >"$tmp/inflight.st" ) &
cpid=$!
sleep 0.05
kill -TERM $pid
wait $cpid
wait $pid
st=$?
pid=
[ "$st" = 0 ] && ok || bad "server exit status $st after SIGTERM"
[ "$(cat "$tmp/inflight.st")" = 200 ] && ok || bad "request in flight during SIGTERM: $(cat "$tmp/inflight.st")"
grep -q "stopped\|đã dừng" "$tmp/srv.err" && ok || bad "no stop message"

# rate limit: burst of 3 at 1 per second -> the 4th is 429 with Retry-After
start_server --rate 1 --burst 3
for k in 1 2 3; do curl -s -o /dev/null "$H/healthz"; done
req "rate limited" 429 '"code":"rate_limited"' GET /healthz
grep -qi '^retry-after: [1-9]' "$tmp/headers" && ok || bad "429 without Retry-After"
kill -TERM $pid; wait $pid; pid=

# rules reload on SIGHUP: a broken file keeps the old rules, a good one applies
cp -r "$(dirname "$0")/../data" "$tmp/data" && rm -f "$tmp/data/rules/"*.rules
printf 'rule t.a {\n tactic: fear\n weight: 40\n vi: "A"\n en: "A"\n any: "lenh bat"\n}\n' >"$tmp/data/rules/t.rules"
# (--data-dir is a global option: it comes before the subcommand)
rm -f "$tmp/srv.out"
"$NT" --data-dir "$tmp/data" serve --port 0 --quiet --no-db >"$tmp/srv.out" 2>"$tmp/srv.err" &
pid=$!
i=0
while ! grep -q "127.0.0.1:" "$tmp/srv.out" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/srv.out" | cut -d: -f2)
H="http://127.0.0.1:$port"
req "one rule" 200 '"rules":1,"rules_generation":1' GET /healthz
printf 'rule t.b {\n tactic: nonsense\n}\n' >>"$tmp/data/rules/t.rules"
kill -HUP $pid
i=0; while ! grep -q "t.rules:9" "$tmp/srv.err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
req "broken reload keeps rules" 200 '"rules":1,"rules_generation":1' GET /healthz
printf 'rule t.a {\n tactic: fear\n weight: 40\n vi: "A"\n en: "A"\n any: "lenh bat"\n}\nrule t.b {\n tactic: control\n weight: 30\n vi: "B"\n en: "B"\n any: "giu bi mat"\n}\n' >"$tmp/data/rules/t.rules"
kill -HUP $pid
i=0; while ! grep -q "generation 2\|thế hệ 2" "$tmp/srv.err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
req "good reload" 200 '"rules":2,"rules_generation":2' GET /healthz
req "new rule applies" 200 '"rule":"t.b"' POST /api/v1/check $JSON -d '{"text":"lenh bat, giu bi mat"}'
kill -TERM $pid; wait $pid; pid=

echo "server: $pass passed, $fail failed"
[ "$fail" = 0 ]
