#!/bin/sh
# tests/server_admin.sh NIEMTIN - the member, analyst and administrator
# endpoints of the real server on a loopback port, driven with curl: import
# and export, an indicator's page and contact reveal, the review queue's
# filters, an organisation's API keys, people, organisations, settings and
# the audit log.  For each: the happy path, each role's permission (401 for
# nobody, 403 for the wrong role), bad JSON, missing, extra and mistyped
# fields, oversize bodies, a missing CSRF token, and an import with bad lines
# that names them and stores nothing.  Prints "N passed, N failed".
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

# argon2 at its smallest (tests only), and a contact-encryption key
export NIEMTIN_PWHASH_TEST=1
export NIEMTIN_STORE_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# req NAME WANT_STATUS PATTERN METHOD PATH [CURL ARGS...]: PATTERN is grep -E
# on the body (empty: not checked)
req() {
    name=$1 want=$2 pat=$3 method=$4 path=$5
    shift 5
    st=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$@" "$H$path")
    if [ "$st" != "$want" ]; then
        bad "$name: status $st, want $want"; head -c 600 "$tmp/body"; echo; return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/body"; then
        bad "$name: body lacks /$pat/"; head -c 600 "$tmp/body"; echo; return
    fi
    ok
}
# nobody NAME PATTERN: the body must NOT match
lacks() {
    if grep -Eq -- "$2" "$tmp/body"; then bad "$1: body has /$2/"; head -c 600 "$tmp/body"; echo; else ok; fi
}
JSON="-H Content-Type:application/json"
TEXT="-H Content-Type:text/plain"

printf 'lua-dao-vi-du.com\n' >"$tmp/list.txt"
"$NT" import --db "$tmp/srv.db" --format chongluadao "$tmp/list.txt" >/dev/null || { echo "import failed"; exit 1; }
"$NT" demo-accounts --db "$tmp/srv.db" >"$tmp/demo.txt" 2>&1 || { echo "demo-accounts failed"; cat "$tmp/demo.txt"; exit 1; }
KEY=$(grep -o 'nt_live_[A-Za-z0-9_-]*' "$tmp/demo.txt" | head -1)
AK="Authorization: Bearer $KEY"

"$NT" serve --port 0 --quiet --db "$tmp/srv.db" --rate 1000 --burst 1000 --max-body 4096 \
    --max-import 65536 >"$tmp/srv.out" 2>"$tmp/srv.err" &
pid=$!
i=0
while ! grep -q "127.0.0.1:" "$tmp/srv.out" 2>/dev/null; do
    sleep 0.1; i=$((i + 1))
    if [ $i -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then echo "server did not start:"; cat "$tmp/srv.err"; exit 1; fi
done
H="http://127.0.0.1:$(grep -o '127.0.0.1:[0-9]*' "$tmp/srv.out" | cut -d: -f2)"

# login LOGIN PASSWORD JAR: a session; prints its CSRF token
login() {
    curl -s -c "$3" $JSON -d "{\"login\":\"$1\",\"password\":\"$2\"}" "$H/api/v1/login" |
        grep -o '"csrf":"[^"]*"' | cut -d'"' -f4
}
ACS=$(login demo-analyst demo-analyst-niemtin "$tmp/an")
DCS=$(login demo-admin demo-admin-niemtin "$tmp/ad")
MCS=$(login demo-bank demo-bank-niemtin "$tmp/mem")
[ -n "$ACS" ] && [ -n "$DCS" ] && [ -n "$MCS" ] && ok || { bad "demo logins"; exit 1; }
AN="-b $tmp/an -H X-CSRF-Token:$ACS"
AD="-b $tmp/ad -H X-CSRF-Token:$DCS"
MEM="-b $tmp/mem -H X-CSRF-Token:$MCS"
req "the demo member logs in as a member of its bank" 200 '"role":"member","org":"DEMO' GET /api/v1/me -b "$tmp/mem"

# ---- import ----------------------------------------------------------------------------
printf '0912 345 678\n# a comment\n\n0987654321\n' >"$tmp/phones.txt"
req "import: nobody" 401 '"code":"unauthorized"' POST "/api/v1/import?format=list&type=phone" $TEXT --data-binary @"$tmp/phones.txt"
req "import: member key" 403 '"code":"forbidden"' POST "/api/v1/import?format=list&type=phone" $TEXT -H "$AK" --data-binary @"$tmp/phones.txt"
req "import: member person" 403 '"code":"forbidden"' POST "/api/v1/import?format=list&type=phone" $TEXT $MEM --data-binary @"$tmp/phones.txt"
req "import: no CSRF token" 403 '"code":"csrf"' POST "/api/v1/import?format=list&type=phone" $TEXT -b "$tmp/an" --data-binary @"$tmp/phones.txt"
req "import: list of phones" 200 '"lines":2,"added":2.*"ok":true.*"by":"demo-analyst"' POST "/api/v1/import?format=list&type=phone&name=bank-list" $TEXT $AN --data-binary @"$tmp/phones.txt"
req "imported number is confirmed" 200 '"status":"confirmed"' GET "/api/v1/lookup?value=0912345678&type=phone"
printf '0911111111\nnot-a-phone\n0922222222\n09x\n' >"$tmp/badphones.txt"
req "import: bad lines rejected with their line numbers" 400 '"code":"import_rejected".*"field":"body".*"bad":2.*"errors":\[\{"line":2,.*\{"line":4,' \
    POST "/api/v1/import?format=list&type=phone" $TEXT $AN --data-binary @"$tmp/badphones.txt"
req "import: nothing stored from the rejected file" 200 '"results":\[\{"type":"phone","canonical":"\+84911111111","status":null' GET "/api/v1/lookup?value=0911111111&type=phone"
req "import: skip_bad=1 takes the good lines" 200 '"added":2.*"bad":2' POST "/api/v1/import?format=list&type=phone&skip_bad=1" $TEXT $AN --data-binary @"$tmp/badphones.txt"
printf 'lua-dao-2.com\nhttps://phish-example.org/login\n' >"$tmp/cld.txt"
req "import: chongluadao" 200 '"added":2' POST "/api/v1/import?format=chongluadao" $TEXT $AD --data-binary @"$tmp/cld.txt"
printf 'type,value,first_seen,status,source,note\nphone,0933333333,2026-01-02,confirmed,bank-x,\ndomain,csv-scam.vn,,confirmed,,\n' >"$tmp/ok.csv"
req "import: csv" 200 '"added":2' POST "/api/v1/import?format=csv" -H 'Content-Type: text/csv' $AN --data-binary @"$tmp/ok.csv"
printf 'type,value,first_seen,status,source,note\nphone,0944444444,,confirmed,,\nfax,123,,confirmed,,\n' >"$tmp/bad.csv"
req "import: csv broken row named" 400 '"errors":\[\{"line":3,"column":1' POST "/api/v1/import?format=csv" -H 'Content-Type: text/csv' $AN --data-binary @"$tmp/bad.csv"
req "import: csv good row of a rejected file not stored" 200 '"status":null' GET "/api/v1/lookup?value=0944444444&type=phone"
cat >"$tmp/ok.stix" <<'EOF'
{"type":"bundle","id":"bundle--6f1b2a5c-1111-4a4a-8a8a-000000000001","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--6f1b2a5c-1111-4a4a-8a8a-000000000002",
  "created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",
  "pattern":"[domain-name:value = 'stix-scam.net']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}]}
EOF
req "import: stix" 200 '"added":1.*"other_objects":0' POST "/api/v1/import?format=stix" $JSON $AN --data-binary @"$tmp/ok.stix"
printf '{"type":"bundle","objects":[{"type":"indicator","pattern":"[nonsense'"'"']"}]}' >"$tmp/bad.stix"
req "import: bad stix object named" 400 '"errors":\[\{"object":0' POST "/api/v1/import?format=stix" $JSON $AN --data-binary @"$tmp/bad.stix"
req "import: not json at all" 400 '"code":"import_rejected"' POST "/api/v1/import?format=stix" $JSON $AN -d 'nope'
req "import: missing format" 400 '"code":"missing_field".*"field":"format"' POST "/api/v1/import" $TEXT $AN --data-binary @"$tmp/phones.txt"
req "import: unknown format" 400 '"field":"format"' POST "/api/v1/import?format=xml" $TEXT $AN --data-binary @"$tmp/phones.txt"
req "import: list without type" 400 '"code":"missing_field".*"field":"type"' POST "/api/v1/import?format=list" $TEXT $AN --data-binary @"$tmp/phones.txt"
req "import: unknown parameter" 400 '"code":"unknown_field".*"field":"fromat"' POST "/api/v1/import?fromat=list" $TEXT $AN --data-binary @"$tmp/phones.txt"
req "import: bad skip_bad" 400 '"field":"skip_bad"' POST "/api/v1/import?format=chongluadao&skip_bad=yes" $TEXT $AN --data-binary @"$tmp/cld.txt"
req "import: empty body" 400 '"field":"body"' POST "/api/v1/import?format=chongluadao" $TEXT $AN -d ''
req "import: form content type" 415 '"code":"unsupported_media_type"' POST "/api/v1/import?format=chongluadao" $AN \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$tmp/cld.txt"
# bigger than --max-body (4096) is fine for an import; bigger than --max-import is not
i=0; while [ $i -lt 400 ]; do printf 'host-%d.scam-example.net\n' $i; i=$((i + 1)); done >"$tmp/mid.txt"
req "import: over max-body, under max-import" 200 '"added":400' POST "/api/v1/import?format=chongluadao" $TEXT $AN --data-binary @"$tmp/mid.txt"
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/huge.txt"
req "import: over max-import" 413 '"code":"payload_too_large"' POST "/api/v1/import?format=chongluadao" $TEXT $AN --data-binary @"$tmp/huge.txt"

# ---- export ----------------------------------------------------------------------------
req "export: nobody" 401 '"code":"unauthorized"' GET "/api/v1/export?format=csv"
req "export: member" 403 '"code":"forbidden"' GET "/api/v1/export?format=csv" -H "$AK"
req "export: csv" 200 '^type,value,first_seen,status,source,note' GET "/api/v1/export?format=csv" -b "$tmp/an"
grep -qi '^content-type: text/csv' "$tmp/headers" && ok || bad "export csv: content type"
grep -qi '^content-disposition: attachment; filename="niemtin-[0-9]*\.csv"' "$tmp/headers" && ok || bad "export csv: content disposition"
grep -q '^phone,+84912345678,' "$tmp/body" && ok || bad "export csv: the imported number"
req "export: stix" 200 'stix-scam.net' GET "/api/v1/export?format=stix" -b "$tmp/an"
grep -qi '^content-type: application/stix+json;version=2.1' "$tmp/headers" && ok || bad "export stix: content type"
grep -qi 'filename="niemtin-[0-9]*\.stix\.json"' "$tmp/headers" && ok || bad "export stix: file name"
req "export: hosts" 200 '^0\.0\.0\.0 ' GET "/api/v1/export?format=hosts" -b "$tmp/ad"
grep -q '^0.0.0.0 lua-dao-vi-du.com' "$tmp/body" && ok || bad "export hosts: the listed domain"
req "export: hosts, domains only" 200 '' GET "/api/v1/export?format=hosts&domains_only=1" -b "$tmp/an"
grep -q 'phish-example.org' "$tmp/body" && bad "domains_only kept a URL's host" || ok
req "export: csv of every status" 200 'reported|confirmed' GET "/api/v1/export?format=csv&status=all" -b "$tmp/an"
req "export: stix of every status refused" 400 '"field":"status"' GET "/api/v1/export?format=stix&status=all" -b "$tmp/an"
req "export: missing format" 400 '"field":"format"' GET "/api/v1/export" -b "$tmp/an"
req "export: bad status" 400 '"field":"status"' GET "/api/v1/export?format=csv&status=sold" -b "$tmp/an"
req "export: unknown parameter" 400 '"code":"unknown_field"' GET "/api/v1/export?format=csv&x=1" -b "$tmp/an"
req "export: round trip (csv imports back)" 200 '"ok":true' POST "/api/v1/import?format=csv" -H 'Content-Type: text/csv' $AN \
    --data-binary "$(curl -s -b "$tmp/an" "$H/api/v1/export?format=csv")"

# ---- an indicator's page -----------------------------------------------------------------
req "report with a contact" 201 '"indicator_id":[0-9]+' POST /api/v1/reports $JSON \
    -d '{"type":"phone","value":"0955 555 555","evidence":"Gọi xưng công an","channel":"call","contact":"me@example.vn"}'
PID=$(grep -o '"indicator_id":[0-9]*' "$tmp/body" | cut -d: -f2)
req "page: a reported one is not listed by id for nobody" 404 '"code":"not_found"' GET "/api/v1/indicators/$PID"
req "page: nor for a member" 404 '"code":"not_found"' GET "/api/v1/indicators/$PID" -H "$AK"
req "page: anyone sees status and history by value" 200 '"value":"\+84955555555","status":"reported".*"history":\[\{"at":' GET "/api/v1/indicators/phone/0955555555"
lacks "page: nobody sees no reports" '"reports":\['
lacks "page: nobody sees no actors" '"actor"'
req "page: by id for an analyst" 200 "\"id\":$PID," GET "/api/v1/indicators/$PID" -b "$tmp/an"
req "page: analyst sees reports and actions" 200 '"reports":\[\{"id":[0-9]+,"reporter":"anonymous".*"evidence":"Gọi xưng công an".*"has_contact":true.*"actions":\["review","confirm","reject"\]' \
    GET "/api/v1/indicators/$PID" -b "$tmp/an"
lacks "page: contact not shown unless asked" 'me@example.vn'
req "page: contact for nobody" 401 '"field":"reveal"' GET "/api/v1/indicators/$PID?reveal=contact"
req "page: contact for a member" 403 '"field":"reveal"' GET "/api/v1/indicators/$PID?reveal=contact" -H "$AK"
req "page: contact decrypted for an analyst" 200 '"contact":"me@example.vn"' GET "/api/v1/indicators/$PID?reveal=contact" -b "$tmp/an"
req "page: bad reveal" 400 '"field":"reveal"' GET "/api/v1/indicators/$PID?reveal=all" -b "$tmp/an"
req "page: no such id" 404 '"code":"not_found"' GET "/api/v1/indicators/999999"
req "page: not an id" 404 '"code":"not_found"' GET "/api/v1/indicators/abc"
req "page: not listed" 404 '"code":"not_found"' GET "/api/v1/indicators/phone/0966666666"
req "page: bad type" 400 '"field":"type"' GET "/api/v1/indicators/fax/123"
req "page: bad value" 400 '"field":"value"' GET "/api/v1/indicators/phone/abc"
req "decide from the page" 200 '"action":"confirm"' POST "/api/v1/review/$PID" $JSON $AN -d '{"action":"confirm","reason":"Đã xác minh"}'
req "page: history says who and why" 200 '"action":"confirm","from":"reported","to":"confirmed","actor":"demo-analyst","reason":"Đã xác minh"' \
    GET "/api/v1/indicators/$PID" -b "$tmp/an"
req "page: next actions follow the status" 200 '"actions":\["dispute"\]' GET "/api/v1/indicators/$PID" -b "$tmp/an"
req "page: a confirmed one is public by id" 200 '"status":"confirmed"' GET "/api/v1/indicators/$PID"
lacks "page: still no reports for nobody" '"reports":\['
req "page: a URL by its value (slashes and all)" 200 '"type":"url","type_label":"[^"]*","value":"phish-example.org/login"' GET "/api/v1/indicators/url/https:%2F%2Fphish-example.org%2Flogin"

# ---- the review queue's filters ------------------------------------------------------------
curl -s -o /dev/null $JSON -d '{"type":"domain","value":"queue-filter.com"}' "$H/api/v1/reports"
curl -s -o /dev/null $JSON -d '{"type":"phone","value":"0977 777 777"}' "$H/api/v1/reports"
req "queue: by type" 200 '"value":"queue-filter.com"' GET "/api/v1/review?status=reported&type=domain" -b "$tmp/an"
lacks "queue: by type leaves out phones" '"type":"phone"'
req "queue: text search, local number form" 200 '"value":"\+84977777777"' GET "/api/v1/review?status=reported&q=0977" -b "$tmp/an"
lacks "queue: text search leaves out others" 'queue-filter'
req "queue: every status" 200 '"status":"all".*"value":"\+84955555555"' GET "/api/v1/review?status=all&q=955" -b "$tmp/an"
req "queue: bad type" 400 '"field":"type"' GET "/api/v1/review?type=fax" -b "$tmp/an"
req "queue: paging cursor" 200 '"next_after":[1-9]' GET "/api/v1/review?status=all&limit=1" -b "$tmp/an"

# ---- an organisation's API keys (the member page) ------------------------------------------
req "keys: nobody" 401 '"code":"unauthorized"' GET /api/v1/org/keys
req "keys: an analyst without an organisation" 403 '"code":"forbidden"' GET /api/v1/org/keys -b "$tmp/an"
curl -s -o /dev/null -H "$AK" "$H/api/v1/feed?since=0"
req "keys: the member's own, with usage" 200 '"org":"DEMO Ngân hàng Thử nghiệm","keys":\[\{"id":[0-9]+,"prefix":"nt_live_.*"uses":[1-9]' GET /api/v1/org/keys -b "$tmp/mem"
lacks "keys: no secret in the list" "$KEY"
req "keys: with the organisation's key" 200 '"you":\{"name":"nt_live_' GET /api/v1/org/keys -H "$AK"
req "keys: create without CSRF" 403 '"code":"csrf"' POST /api/v1/org/keys $JSON -b "$tmp/mem" -d '{"label":"x"}'
req "keys: create" 201 '"key":"nt_live_[A-Za-z0-9_-]{51}","prefix":"nt_live_' POST /api/v1/org/keys $JSON $MEM -d '{"label":"Chống gian lận","days":30}'
NEWKEY=$(grep -o '"key":"[^"]*"' "$tmp/body" | cut -d'"' -f4)
NEWPFX=$(grep -o '"prefix":"[^"]*"' "$tmp/body" | cut -d'"' -f4)
grep -q '"expires_at":"20' "$tmp/body" && ok || bad "keys: expiry set"
req "keys: the new key works" 200 '"changes"' GET "/api/v1/feed?since=0&limit=1" -H "Authorization: Bearer $NEWKEY"
req "keys: listed by prefix" 200 "\"prefix\":\"$NEWPFX\",.*\"label\":\"Chống gian lận\"" GET /api/v1/org/keys -b "$tmp/mem"
lacks "keys: the new secret is not listed" "$NEWKEY"
req "keys: a member may not make an analyst key" 403 '"code":"forbidden"' POST /api/v1/org/keys $JSON $MEM -d '{"role":"analyst"}'
req "keys: nor one for another organisation" 403 '"field":"org"' POST /api/v1/org/keys $JSON $MEM -d '{"org":"Other Bank"}'
req "keys: bad json" 400 '"code":"bad_json"' POST /api/v1/org/keys $JSON $MEM -d '{"label":'
req "keys: extra field" 400 '"code":"unknown_field".*"field":"admin"' POST /api/v1/org/keys $JSON $MEM -d '{"admin":true}'
req "keys: label of the wrong type" 400 '"field":"label"' POST /api/v1/org/keys $JSON $MEM -d '{"label":5}'
req "keys: negative days" 400 '"field":"days"' POST /api/v1/org/keys $JSON $MEM -d '{"days":-1}'
req "keys: days too many" 400 '"field":"expires"' POST /api/v1/org/keys $JSON $MEM -d '{"days":100000}'
req "keys: revoke without CSRF" 403 '"code":"csrf"' DELETE "/api/v1/org/keys/$NEWPFX" -b "$tmp/mem"
req "keys: revoke" 200 '"revoked":true,"by":"demo-bank"' DELETE "/api/v1/org/keys/$NEWPFX" $MEM
req "keys: the revoked key is refused" 401 '"field":"Authorization"' GET "/api/v1/feed?since=0" -H "Authorization: Bearer $NEWKEY"
req "keys: revoke again" 409 '"code":"conflict"' DELETE "/api/v1/org/keys/$NEWPFX" $MEM
req "keys: revoke an unknown key" 404 '"code":"not_found"' DELETE "/api/v1/org/keys/nt_live_AAAAAAAA" $MEM
req "keys: revoke nonsense" 404 '"code":"not_found"' DELETE "/api/v1/org/keys/xyz" $MEM
req "keys: the key itself may make one" 201 '"key":"nt_live_' POST /api/v1/org/keys $JSON -H "$AK" -d '{"label":"by key"}'
# another organisation's key: invisible and untouchable for the member
req "orgs: admin adds one" 201 '"name":"Other Bank","kind":"bank"' POST /api/v1/admin/orgs $JSON $AD -d '{"name":"Other Bank","kind":"bank"}'
req "keys: admin makes an analyst key for it" 201 '"org":"Other Bank","role":"analyst"' POST /api/v1/org/keys $JSON $AD -d '{"org":"Other Bank","role":"analyst"}'
OTHER=$(grep -o '"prefix":"[^"]*"' "$tmp/body" | cut -d'"' -f4)
req "keys: admin needs to say which organisation" 400 '"field":"org"' POST /api/v1/org/keys $JSON $AD -d '{}'
req "keys: the member does not see it" 200 '' GET /api/v1/org/keys -b "$tmp/mem"
lacks "keys: other organisation's key hidden" "$OTHER"
req "keys: nor revoke it" 404 '"code":"not_found"' DELETE "/api/v1/org/keys/$OTHER" $MEM
req "keys: admin sees every key" 200 "$OTHER" GET /api/v1/org/keys -b "$tmp/ad"
req "keys: admin lists one organisation" 200 '"org":"Other Bank"' GET "/api/v1/org/keys?org=Other%20Bank" -b "$tmp/ad"

req "keys: wrong method" 405 '"code":"method_not_allowed"' PUT /api/v1/org/keys $JSON $MEM -d '{}'
grep -qi '^allow: GET, POST' "$tmp/headers" && ok || bad "405 on a path with two methods names both"

# ---- people (administrators) ---------------------------------------------------------------
req "users: nobody" 401 '"code":"unauthorized"' GET /api/v1/admin/users
req "users: member" 403 '"code":"forbidden"' GET /api/v1/admin/users -H "$AK"
req "users: analyst" 403 '"code":"forbidden"' GET /api/v1/admin/users -b "$tmp/an"
req "users: admin" 200 '"login":"demo-admin".*"login":"demo-bank","display_name":"[^"]*","role":"member","org":"DEMO' GET /api/v1/admin/users -b "$tmp/ad"
lacks "users: no password hashes" 'argon2'
req "users: analyst may not add" 403 '"code":"forbidden"' POST /api/v1/admin/users $JSON $AN -d '{"login":"x1","password":"mot-mat-khau-dai","role":"analyst"}'
req "users: add without CSRF" 403 '"code":"csrf"' POST /api/v1/admin/users $JSON -b "$tmp/ad" -d '{"login":"lan","password":"mat-khau-cua-lan","role":"analyst"}'
req "users: add an analyst" 201 '"login":"lan","display_name":"Lan Nguyễn","role":"analyst"' POST /api/v1/admin/users $JSON $AD \
    -d '{"login":"lan","password":"mat-khau-cua-lan","role":"analyst","display_name":"Lan Nguyễn"}'
req "users: the new analyst logs in" 200 '"role":"analyst"' POST /api/v1/login $JSON -c "$tmp/lan" -d '{"login":"lan","password":"mat-khau-cua-lan"}'
req "users: and reads the queue" 200 '"indicators"' GET /api/v1/review -b "$tmp/lan"
req "users: duplicate login" 400 '"field":"login"' POST /api/v1/admin/users $JSON $AD -d '{"login":"lan","password":"mat-khau-cua-lan","role":"analyst"}'
req "users: weak password" 400 '"field":"password"' POST /api/v1/admin/users $JSON $AD -d '{"login":"minh","password":"short","role":"analyst"}'
req "users: member without organisation" 400 '"field":"org"' POST /api/v1/admin/users $JSON $AD -d '{"login":"minh","password":"mat-khau-cua-minh","role":"member"}'
req "users: member of an organisation" 201 '"role":"member","org":"Other Bank"' POST /api/v1/admin/users $JSON $AD -d '{"login":"minh","password":"mat-khau-cua-minh","role":"member","org":"Other Bank"}'
req "users: missing password" 400 '"code":"missing_field".*"field":"password"' POST /api/v1/admin/users $JSON $AD -d '{"login":"hoa","role":"analyst"}'
req "users: role of the wrong type" 400 '"field":"role"' POST /api/v1/admin/users $JSON $AD -d '{"login":"hoa","password":"mat-khau-cua-hoa","role":3}'
req "users: public is not a role for a person" 400 '"field":"role"' POST /api/v1/admin/users $JSON $AD -d '{"login":"hoa","password":"mat-khau-cua-hoa","role":"public"}'
req "users: extra field" 400 '"code":"unknown_field".*"field":"is_admin"' POST /api/v1/admin/users $JSON $AD -d '{"login":"hoa","password":"mat-khau-cua-hoa","role":"analyst","is_admin":true}'
req "users: bad json" 400 '"code":"bad_json"' POST /api/v1/admin/users $JSON $AD -d '{"login":"hoa",'
req "users: not json" 415 '"code":"unsupported_media_type"' POST /api/v1/admin/users $TEXT $AD -d 'login=hoa'
req "users: sql-looking login" 400 '"field":"login"' POST /api/v1/admin/users $JSON $AD -d "{\"login\":\"x'; DROP TABLE users;--\",\"password\":\"mat-khau-cua-hoa\",\"role\":\"analyst\"}"
head -c 5000 /dev/zero | tr '\0' 'a' >"$tmp/big"
req "users: oversize body" 413 '"code":"payload_too_large"' POST /api/v1/admin/users $JSON $AD --data-binary "{\"login\":\"$(cat "$tmp/big")\"}"
req "users: change role" 200 '"login":"lan".*"role":"admin"' POST /api/v1/admin/users/lan $JSON $AD -d '{"role":"admin"}'
req "users: the role applies at once" 200 '"role":"admin"' GET /api/v1/me -b "$tmp/lan"
req "users: back to analyst" 200 '"role":"analyst"' POST /api/v1/admin/users/lan $JSON $AD -d '{"role":"analyst"}'
req "users: disable" 200 '"login":"lan".*"disabled":true' POST /api/v1/admin/users/lan $JSON $AD -d '{"disabled":true}'
req "users: a disabled person's session ended" 200 '"kind":"public"' GET /api/v1/me -b "$tmp/lan"
req "users: a disabled person cannot log in" 401 '"code":"unauthorized"' POST /api/v1/login $JSON -d '{"login":"lan","password":"mat-khau-cua-lan"}'
req "users: enable" 200 '"disabled":false' POST /api/v1/admin/users/lan $JSON $AD -d '{"disabled":false}'
req "users: reset password" 200 '"login":"lan"' POST /api/v1/admin/users/lan $JSON $AD -d '{"password":"mat-khau-moi-cua-lan"}'
req "users: the old password fails" 401 '' POST /api/v1/login $JSON -d '{"login":"lan","password":"mat-khau-cua-lan"}'
req "users: the new one works" 200 '"name":"lan"' POST /api/v1/login $JSON -d '{"login":"lan","password":"mat-khau-moi-cua-lan"}'
req "users: two changes at once" 400 '' POST /api/v1/admin/users/lan $JSON $AD -d '{"role":"admin","disabled":true}'
req "users: no change" 400 '"code":"missing_field"' POST /api/v1/admin/users/lan $JSON $AD -d '{}'
req "users: disabled not a boolean" 400 '"field":"disabled"' POST /api/v1/admin/users/lan $JSON $AD -d '{"disabled":"yes"}'
req "users: unknown role" 400 '"field":"role"' POST /api/v1/admin/users/lan $JSON $AD -d '{"role":"king"}'
req "users: no such person" 404 '"code":"not_found"' POST /api/v1/admin/users/nobody $JSON $AD -d '{"disabled":true}'
req "users: the last admin stays an admin" 409 '"code":"conflict"' POST /api/v1/admin/users/demo-admin $JSON $AD -d '{"disabled":true}'
req "users: change without CSRF" 403 '"code":"csrf"' POST /api/v1/admin/users/lan $JSON -b "$tmp/ad" -d '{"disabled":true}'
req "users: member may not change people" 403 '"code":"forbidden"' POST /api/v1/admin/users/lan $JSON $MEM -d '{"disabled":true}'

# ---- organisations and settings ------------------------------------------------------------
req "orgs: list" 200 '"name":"DEMO Ngân hàng Thử nghiệm","kind":"bank".*"name":"Other Bank"' GET /api/v1/admin/orgs -b "$tmp/ad"
req "orgs: analyst" 403 '"code":"forbidden"' GET /api/v1/admin/orgs -b "$tmp/an"
req "orgs: duplicate" 400 '"field":"name"' POST /api/v1/admin/orgs $JSON $AD -d '{"name":"Other Bank","kind":"bank"}'
req "orgs: bad kind" 400 '"field":"kind"' POST /api/v1/admin/orgs $JSON $AD -d '{"name":"X","kind":"casino"}'
req "orgs: missing name" 400 '"code":"missing_field".*"field":"name"' POST /api/v1/admin/orgs $JSON $AD -d '{"kind":"bank"}'
req "settings: list" 200 '"key":"rate.member","value":"[0-9]+/[0-9]+"' GET /api/v1/admin/settings -b "$tmp/ad"
req "settings: member" 403 '"code":"forbidden"' GET /api/v1/admin/settings -H "$AK"
req "settings: set a role's rate limit" 200 '"key":"rate.analyst","value":"40/80"' POST /api/v1/admin/settings $JSON $AD -d '{"key":"rate.analyst","value":"40/80"}'
req "settings: applied" 200 '"key":"rate.analyst","value":"40/80","help":"[^"]+","default":false' GET /api/v1/admin/settings -b "$tmp/ad"
req "settings: bad value" 400 '"field":"value"' POST /api/v1/admin/settings $JSON $AD -d '{"key":"rate.analyst","value":"fast"}'
req "settings: unknown key" 400 '"field":"key"' POST /api/v1/admin/settings $JSON $AD -d '{"key":"debug","value":"1"}'
req "settings: value of the wrong type" 400 '"field":"value"' POST /api/v1/admin/settings $JSON $AD -d '{"key":"rate.analyst","value":40}'

# ---- the audit log: every change above, with its actor ---------------------------------------
req "audit: analyst" 403 '"code":"forbidden"' GET "/api/v1/audit?last=10" -b "$tmp/an"
req "audit: admin" 200 '"entries":\[\{"id":' GET "/api/v1/audit?limit=1000" -b "$tmp/ad"
for want in '"actor":"demo-analyst","action":"registry.import"' '"actor":"demo-analyst","action":"registry.export"' \
            '"actor":"demo-analyst","action":"contact.reveal"' '"actor":"demo-bank","action":"key.create"' \
            '"actor":"demo-bank","action":"key.revoke"' '"actor":"demo-admin","action":"user.add","object":"user:lan"' \
            '"actor":"demo-admin","action":"user.role"' '"actor":"demo-admin","action":"user.disable"' \
            '"actor":"demo-admin","action":"user.enable"' '"actor":"demo-admin","action":"user.password"' \
            '"actor":"demo-admin","action":"org.add"' '"actor":"demo-admin","action":"setting.set"' \
            "\"actor\":\"$(echo "$KEY" | cut -c1-16)\",\"action\":\"key.create\""; do
    grep -q -- "$want" "$tmp/body" && ok || bad "audit lacks $want"
done
req "audit: the newest entries" 200 '"entries":\[\{"id":[0-9]+.*\}\]' GET "/api/v1/audit?last=3" -b "$tmp/ad"
[ "$(grep -o '"id":[0-9]*,"at"' "$tmp/body" | wc -l)" = 3 ] && ok || bad "audit last=3 gave another count"
req "audit: bad limit" 400 '"field":"limit"' GET "/api/v1/audit?limit=0" -b "$tmp/ad"
req "audit: the chain is intact" 200 '"ok":true' GET /api/v1/audit/verify -b "$tmp/ad"
req "metrics label the new routes" 200 'route="import"' GET /metrics
grep -q 'route="admin"' "$tmp/body" && grep -q 'route="org_keys"' "$tmp/body" && ok || bad "metrics: admin and org_keys routes"

# ---- concurrent writers: imports, reports, key changes and people at once ----------------------
# (the store and the accounts write through two connections to one database
# and one audit chain: every write must land, and the chain stay whole)
for k in 1 2 3 4; do
    i=0; while [ $i -lt 50 ]; do printf 'par-%d-%d.scam-host.net\n' $k $i; i=$((i + 1)); done >"$tmp/par$k.txt"
done
printf 'good-one.scam-host.net\nbad line here\n' >"$tmp/parbad.txt"
pids=
for k in 1 2 3 4; do
    ( curl -s -o /dev/null -w '%{http_code}\n' -X POST $TEXT $AN --data-binary @"$tmp/par$k.txt" \
        "$H/api/v1/import?format=chongluadao&name=par$k" >"$tmp/par.imp.$k" ) &
    pids="$pids $!"
    ( for j in 1 2 3 4 5; do
        curl -s -o /dev/null -w '%{http_code}\n' -X POST $JSON \
            -d "{\"type\":\"phone\",\"value\":\"09880$k$j$j$j$j\",\"evidence\":\"song song\"}" "$H/api/v1/reports"
      done >"$tmp/par.rep.$k" ) &
    pids="$pids $!"
    ( for j in 1 2; do
        curl -s -o /dev/null -w '%{http_code}\n' -X POST $JSON $MEM -d "{\"label\":\"par $k $j\"}" "$H/api/v1/org/keys"
      done >"$tmp/par.key.$k" ) &
    pids="$pids $!"
done
( curl -s -o /dev/null -w '%{http_code}\n' -X POST $TEXT $AN --data-binary @"$tmp/parbad.txt" \
    "$H/api/v1/import?format=chongluadao" >"$tmp/par.bad" ) &
pids="$pids $!"
( curl -s -o /dev/null -w '%{http_code}\n' -X POST $JSON $AD \
    -d '{"login":"par-user","password":"mat-khau-song-song","role":"analyst"}' "$H/api/v1/admin/users" >"$tmp/par.user" ) &
pids="$pids $!"
for p in $pids; do wait $p; done
[ "$(cat "$tmp"/par.imp.* | grep -c '^200$')" = 4 ] && ok || bad "concurrent imports: $(cat "$tmp"/par.imp.* | tr '\n' ' ')"
[ "$(cat "$tmp"/par.rep.* | grep -c '^201$')" = 20 ] && ok || bad "concurrent reports: $(cat "$tmp"/par.rep.* | tr '\n' ' ')"
[ "$(cat "$tmp"/par.key.* | grep -c '^201$')" = 8 ] && ok || bad "concurrent key creations: $(cat "$tmp"/par.key.* | tr '\n' ' ')"
[ "$(cat "$tmp/par.bad")" = 400 ] && ok || bad "concurrent bad import: $(cat "$tmp/par.bad")"
[ "$(cat "$tmp/par.user")" = 201 ] && ok || bad "concurrent user add: $(cat "$tmp/par.user")"
req "concurrent: every imported host is exported" 200 '' GET "/api/v1/export?format=hosts" -b "$tmp/an"
[ "$(grep -c 'par-[1-4]-[0-9]*\.scam-host\.net' "$tmp/body")" = 200 ] && ok || bad "concurrent: $(grep -c 'par-' "$tmp/body") of 200 hosts"
grep -q 'good-one.scam-host.net' "$tmp/body" && bad "concurrent: the rejected import wrote" || ok
req "concurrent: every key listed" 200 '' GET /api/v1/org/keys -b "$tmp/mem"
[ "$(grep -o '"label":"par [1-4] [12]"' "$tmp/body" | sort -u | wc -l)" = 8 ] && ok || bad "concurrent: not every new key is listed"
req "concurrent: the audit chain is intact" 200 '"ok":true' GET /api/v1/audit/verify -b "$tmp/ad"

kill -TERM $pid
wait $pid
st=$?
pid=
[ "$st" = 0 ] && ok || { bad "server exit status $st"; cat "$tmp/srv.err"; }
echo "server_admin: $pass passed, $fail failed"
[ "$fail" = 0 ]
