#!/bin/sh
# tests/cli_registry.sh NIEMTIN - the early-warning registry driven as its
# users would: import the real ChongLuaDao list and look up hits and misses;
# report -> review -> confirm -> lookup -> dispute -> clear -> feed; bad input.
# Prints "N passed, N failed"; exits non-zero on any failure.
NT=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIEMTIN_DB="$tmp/reg.db"
export NIEMTIN_STORE_KEY=0001020304050607080910111213141516171819202122232425262728293031
unset NIEMTIN_NOW NIEMTIN_STORE_KEY_FILE
ENVSET=""  # VAR=value for the next expect only

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME EXPECTED_STATUS PATTERN -- ARGS...   (PATTERN: grep -E on stdout+stderr)
expect() {
    name=$1 want=$2 pat=$3
    shift 4
    # shellcheck disable=SC2086
    env $ENVSET "$NT" "$@" >"$tmp/out" 2>&1
    st=$?
    if [ "$st" != "$want" ]; then
        bad "$name: exit $st, want $want"; sed 's/^/    /' "$tmp/out" | head -20; return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
        bad "$name: output lacks /$pat/"; sed 's/^/    /' "$tmp/out" | head -20; return
    fi
    ok
}

# the first number after "KEY": in JSON on stdin
jnum() { grep -o "\"$1\": *[0-9]*" | head -1 | grep -o '[0-9]*$'; }

expect "help lists registry commands" 0 "lookup" -- help
expect "lookup needs a value" 2 "lookup" -- lookup

# ---- the ChongLuaDao list ----------------------------------------------------------------
shared=${NT_SHARED_DATA:-$(dirname "$0")/../../shared/data}
cld="$shared/chongluadao-blocklist"
if [ -f "$cld/urls.txt" ]; then
    expect "import chongluadao" 0 "34468 (dòng|lines).*0 (dòng lỗi|bad)" -- import --format chongluadao "$cld/urls.txt"
    expect "import chongluadao ips" 0 "4 (mới|new)" -- --lang en import --format chongluadao "$cld/ips.txt"
    expect "reimport is unchanged" 0 "34461 (không đổi|unchanged)" -- import --format chongluadao "$cld/urls.txt"
    expect "hit: listed host" 0 "LỪA ĐẢO.*" -- lookup 0088shop.com
    expect "hit: explained" 0 "có trong danh sách chongluadao" -- lookup 0088shop.com
    expect "hit: subdomain" 0 "parent domain" -- --lang en lookup "http://login.0088shop.com/xac-minh"
    expect "hit: defanged link" 0 "SCAM" -- --lang en lookup "hxxps://0088shop[.]com/x"
    expect "hit: IDN host" 0 "xn--cccc-0x5ac.vn.*confirmed" -- lookup "https://cốccốc.vn/dang-nhap"
    expect "hit: host with port" 0 "sn99.cc \[confirmed\]" -- lookup "sn99.cc"
    expect "hit: URL path" 0 "url_expression" -- lookup --json "https://sites.google.com/site/hacksogarena?ref=1"
    expect "hit: IP" 0 "SCAM" -- --lang en lookup 14.182.113.62
    expect "miss: benign" 0 "Not in the warning list" -- --lang en lookup google.com vietcombank.com.vn
    expect "miss: other path on a shared host" 0 "Chưa có trong danh sách" -- lookup "https://sites.google.com/site/other"
    expect "lookup json source" 0 '"source": "chongluadao"' -- lookup --json 0088shop.com
    printf '0088shop.com\n{"value":"google.com","type":"domain"}\nxin chao\n{"value":1}\n' >"$tmp/batch"
    "$NT" lookup --batch "$tmp/batch" >"$tmp/out" 2>&1
    [ "$(wc -l <"$tmp/out")" = 4 ] && ok || bad "batch: one line out per line in"
    head -1 "$tmp/out" | grep -q '"status": *"confirmed"' && ok || bad "batch: hit"
    sed -n 2p "$tmp/out" | grep -q '"matches": *\[\]' && ok || bad "batch: miss"
    sed -n 3p "$tmp/out" | grep -q '"line": *3.*"error"\|"error".*"line": *3' && ok || bad "batch: unrecognised value names its line"
    sed -n 4p "$tmp/out" | grep -q '"line": *4' && ok || bad "batch: bad JSON names its line"
else
    echo "note: $cld not found; skipping the ChongLuaDao import"
fi

# ---- bad imports are all or nothing --------------------------------------------------------
printf 'ok-one.example.vn\nnot a host!!\nok-two.example.vn\n' >"$tmp/bad.txt"
expect "bad line rejects the import" 1 "bad.txt:2: .*not a valid" -- import --format chongluadao "$tmp/bad.txt"
expect "nothing of it was written" 0 "Chưa có trong danh sách" -- lookup ok-one.example.vn
expect "--skip-bad imports the rest" 0 "2 (mới|new).*1 (dòng lỗi|bad)" -- import --format chongluadao --skip-bad "$tmp/bad.txt"
printf '0912 000 111\n+84 912 000 222\n12\n' >"$tmp/phones.txt"
expect "plain list with a bad number" 1 "phones.txt:3" -- import --format list --type phone "$tmp/phones.txt"
expect "plain list needs a type" 2 "type" -- import --format list "$tmp/phones.txt"
expect "unknown format" 2 "format" -- import --format xml "$tmp/phones.txt"

# ---- report -> review -> confirm -> lookup -> dispute -> clear -> feed -----------------------------
# follow the feed to its end, a page at a time, as a member would
cursor=0
while :; do
    n=$("$NT" feed --since "$cursor" --limit 10000 --json | jnum next)
    [ "$n" = "$cursor" ] && break
    cursor=$n
done
expect "report" 0 "reported" -- report add --type phone --value "0912 345 678" --reporter an \
    --contact "an@example.vn" --channel call --amount 5000000 --evidence "Gọi giả công an, đòi chuyển tiền"
expect "report again, other reporter" 0 "2 (báo cáo|reports)" -- report add --type phone --value "+84912345678" --reporter binh --channel sms
expect "lookup reported" 0 "Nhiều người đã báo cáo" -- lookup "0912.345.678"
id=$("$NT" lookup --json --type phone 0912345678 | jnum id)
expect "review list" 0 "$id .*reported" -- review list --status reported
expect "review needs a reason" 2 "reason" -- review confirm "$id"
expect "illegal: clear a reported number" 1 "cannot clear it \(only from disputed\)" -- review clear "$id" --reason x
expect "review start" 0 "under_review" -- review start "$id" --reason "đang xác minh" --analyst lan
expect "confirm" 0 "confirmed \(lan\)" -- review confirm "$id" --reason "ngân hàng xác nhận" --analyst lan
expect "lookup confirmed" 0 "2 báo cáo từ 2 người báo cáo, được chuyên viên xác nhận là lừa đảo" -- lookup 0912345678
expect "lookup confirmed en" 0 "confirmed as a scam by an analyst" -- --lang en lookup 0912345678
expect "dispute" 0 "disputed" -- review dispute "$id" --reason "chủ thuê bao khiếu nại" --analyst lan
expect "lookup disputed" 0 "khiếu nại" -- lookup 0912345678
expect "clear" 0 "cleared" -- review clear "$id" --reason "số đã đổi chủ" --analyst minh
expect "lookup cleared" 0 "Không còn cảnh báo" -- lookup 0912345678
expect "show history" 0 "clear .*disputed → cleared  minh: số đã đổi chủ" -- review show "$id"
expect "show hides the contact" 0 "đã mã hoá" -- review show "$id"
expect "reveal the contact with the key" 0 "an@example.vn" -- review show "$id" --reveal-contact
if grep -q "an@example.vn" "$NIEMTIN_DB" "$NIEMTIN_DB-wal" 2>/dev/null; then bad "contact in clear on disk"; else ok; fi
"$NT" feed --since "$cursor" --json >"$tmp/feed" 2>&1
kinds=$(grep -o '"change": "[a-z_]*"' "$tmp/feed" | sed 's/.*: "//; s/"$//' | tr '\n' ' ' | sed 's/ $//')
[ "$kinds" = "added under_review confirmed disputed cleared" ] && ok || bad "feed kinds: $kinds"
next=$(jnum next <"$tmp/feed")
expect "feed from the end is empty" 0 "^next	$next$" -- feed --since "$next"
expect "feed cursor must be a number" 2 "since" -- feed --since abc

# ---- bad input --------------------------------------------------------------------------------
expect "unknown type" 2 "unknown type|loại không rõ" -- report add --type colour --value red
expect "value does not canonicalise" 1 "rejected|bị từ chối" -- report add --type phone --value 12
expect "SQL-looking strings are data" 0 "reported" -- report add --type social --value "@robert" --reporter "'; DROP TABLE indicators; --"
expect "and nothing was dropped" 0 "ok-one.example.vn \[confirmed\]" -- lookup ok-one.example.vn
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/huge.txt"
expect "huge evidence" 1 "evidence: 70000 bytes, more than the limit of 65536" -- report add --type phone --value 0912345670 --evidence-file "$tmp/huge.txt"
printf 'ok \303\050 bad' >"$tmp/badutf8.txt"
expect "invalid UTF-8 evidence" 1 "malformed UTF-8 at byte 3" -- report add --type phone --value 0912345670 --evidence-file "$tmp/badutf8.txt"
ENVSET="NIEMTIN_STORE_KEY="
expect "contact without a key" 1 "never stored in clear" -- report add --type phone --value 0912345670 --contact x
ENVSET=""
head -c 4096 /dev/urandom >"$tmp/garbage.db"
cp "$tmp/garbage.db" "$tmp/garbage.copy"
expect "not a database" 1 "corrupt or not a NiemTin database" -- lookup --db "$tmp/garbage.db" 0912345678
cmp -s "$tmp/garbage.db" "$tmp/garbage.copy" && ok || bad "a bad database file was modified"
printf '%064d' 5 >"$tmp/key"
chmod 600 "$tmp/key"
expect "wrong key" 1 "differs from the key" -- lookup --key-file "$tmp/key" 0912345678
chmod 644 "$tmp/key"
expect "key file readable by others" 1 "chmod 600" -- lookup --key-file "$tmp/key" 0912345678

# ---- expiry -------------------------------------------------------------------------------------
expect "expire nothing recent" 0 "0" -- expire --older-than 30
ENVSET="NIEMTIN_NOW=$(($(date +%s) + 200 * 86400))"
expect "expire after 200 days" 0 "expired: [1-9][0-9]*" -- --lang en expire --older-than 90
ENVSET=""
if [ -f "$cld/urls.txt" ]; then
    expect "expired no longer warns" 0 "No current warning" -- --lang en lookup 0088shop.com
fi

# ---- exchange: STIX 2.1 and CSV import, STIX/CSV/hosts export (docs/registry.md) -------------------
X="--db $tmp/x.db"
cat >"$tmp/b.json" <<'JSON'
{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
 {"type": "identity", "spec_version": "2.1", "id": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff", "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "VNCERT", "identity_class": "organization"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff", "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "pattern": "[domain-name:value = 'vietcombank-xacthuc.com'] OR [url:value = 'http://evil-shop.vn/thanh-toan']", "pattern_type": "stix", "valid_from": "2026-01-02T00:00:00Z", "labels": ["phishing"], "confidence": 90},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--1e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "pattern": "[x-niemtin-phone:value IN ('0912 345 001', '+84987654002')] OR [x-niemtin-bank-account:value = 'VCB:0011223344']", "pattern_type": "stix", "valid_from": "2026-01-02T00:00:00Z"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--2e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "pattern": "[domain-name:value = 'revoked.vn']", "pattern_type": "stix", "valid_from": "2026-01-02T00:00:00Z", "revoked": true}
]}
JSON
expect "import stix" 0 "5 (mới|new).*" -- --lang en import $X --format stix "$tmp/b.json"
expect "stix: left out revoked" 0 "1 revoked" -- --lang en import $X --format stix "$tmp/b.json"
expect "stix: lookup names the publisher" 0 "listed in VNCERT" -- --lang en lookup $X vietcombank-xacthuc.com
expect "stix: custom phone object" 0 "SCAM" -- --lang en lookup $X 0912345001
expect "stix: revoked not listed" 0 "Not in the warning list" -- --lang en lookup $X revoked.vn
sed 's/"revoked": true/"revoked": true}, {"type": "indicator", "spec_version": "2.1", "id": "indicator--3e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "pattern": "[domain-name:value = '"'"'a.vn'"'"' AND domain-name:value = '"'"'b.vn'"'"']", "pattern_type": "stix", "valid_from": "2026-01-02T00:00:00Z"}, {"type": "x-acme", "id": "x-acme--1"/' "$tmp/b.json" | sed 's/vietcombank-xacthuc.com/new-scam.vn/' >"$tmp/bad.json"
expect "stix: AND names the object" 1 "objects\[4\] indicator--3e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: pattern, column 29: AND is not supported" -- --lang en import $X --format stix "$tmp/bad.json"
expect "stix: unknown type names the object" 1 "objects\[5\] x-acme--1: unknown object type" -- --lang en import $X --format stix "$tmp/bad.json"
expect "stix: nothing of it written" 0 "Not in the warning list" -- --lang en lookup $X new-scam.vn
expect "stix: --skip-bad imports the rest" 0 "2 bad records" -- --lang en import $X --format stix --skip-bad "$tmp/bad.json"
printf '{"type": "bundle", "objects": [' >"$tmp/trunc.json"
expect "stix: not JSON, with a position" 1 "trunc.json:1:[0-9]+: not a STIX bundle" -- import $X --format stix "$tmp/trunc.json"
printf 'type,value,first_seen,status,source,note\r\nphone,0912 345 003,2026-01-05,confirmed,Viettel,"gọi giả công an, đòi ""phí"""\r\nurl,"http://a.vn/x,y",,,,"hai\ndòng"\r\nphone,12,,,,\r\ndomain,b.vn,,maybe,,\r\n' >"$tmp/in.csv"
expect "csv: errors name line and column" 1 "in.csv:5: column 2 \(value\): not a valid phone" -- import $X --format csv "$tmp/in.csv"
expect "csv: second error too" 1 "in.csv:6: column 4 \(status\): unknown status" -- import $X --format csv "$tmp/in.csv"
expect "csv: nothing written" 0 "Chưa có trong danh sách" -- lookup $X 0912345003
expect "csv: --skip-bad" 0 "2 (mới|new)" -- --lang en import $X --format csv --skip-bad "$tmp/in.csv"
expect "csv: publisher from the source column" 0 "listed in Viettel" -- --lang en lookup $X 0912345003
printf 'typ,value\n' >"$tmp/head.csv"
expect "csv: bad header" 1 "head.csv:1:1: header, column 1: unknown column" -- --lang en import $X --format csv "$tmp/head.csv"
if [ -f "$cld/urls.txt" ]; then
    "$NT" import $X --format chongluadao "$cld/urls.txt" >/dev/null 2>&1 || bad "exchange: chongluadao into x.db"
fi
expect "export csv" 0 "Exported [0-9]+ indicators" -- --lang en export $X --format csv --out "$tmp/a.csv"
expect "export stix" 0 "Exported [0-9]+ indicators" -- --lang en export $X --format stix --out "$tmp/a.stix.json"
expect "export hosts" 0 "Exported [0-9]+ hosts" -- --lang en export $X --format hosts --out "$tmp/a.hosts"
grep -q '^0.0.0.0 vietcombank-xacthuc.com$' "$tmp/a.hosts" && grep -q '^0.0.0.0 evil-shop.vn$' "$tmp/a.hosts" && ok || bad "hosts: domains and URL hosts"
grep -q '"type":"identity".*"name":"NiemTin"' "$tmp/a.stix.json" && ok || bad "stix export: the NiemTin identity"
"$NT" export $X --format stix >"$tmp/a2.stix.json" 2>/dev/null
cmp -s "$tmp/a.stix.json" "$tmp/a2.stix.json" && ok || bad "stix export is byte-stable"
# round trips: the confirmed set is the same after export -> import into a new database
expect "csv round trip: import" 0 "" -- import --db "$tmp/y.db" --format csv "$tmp/a.csv"
expect "stix round trip: import" 0 "" -- import --db "$tmp/z.db" --format stix "$tmp/a.stix.json"
"$NT" export --db "$tmp/y.db" --format csv >"$tmp/y.csv" 2>/dev/null
"$NT" export --db "$tmp/z.db" --format csv >"$tmp/z.csv" 2>/dev/null
cut -d, -f1,2 "$tmp/a.csv" | sort >"$tmp/a.set"
cut -d, -f1,2 "$tmp/y.csv" | sort >"$tmp/y.set"
cut -d, -f1,2 "$tmp/z.csv" | sort >"$tmp/z.set"
[ "$(wc -l <"$tmp/a.set")" -gt 5 ] && cmp -s "$tmp/a.set" "$tmp/y.set" && ok || bad "csv round trip: same confirmed set"
cmp -s "$tmp/a.set" "$tmp/z.set" && ok || bad "stix round trip: same confirmed set"
"$NT" export --db "$tmp/z.db" --format stix 2>/dev/null | grep -o 'indicator--[0-9a-f-]*' | sort >"$tmp/z.ids"
grep -o 'indicator--[0-9a-f-]*' "$tmp/a.stix.json" | sort >"$tmp/a.ids"
cmp -s "$tmp/a.ids" "$tmp/z.ids" && ok || bad "stix round trip: the same ids"
expect "export: unknown format" 2 "format" -- export $X --format xml
expect "export: stix is confirmed only" 2 "confirmed|xác nhận" -- export $X --format stix --status reported
expect "export: csv of every status" 0 "" -- export $X --format csv --status all
expect "export: unwritable --out" 1 "" -- export $X --format csv --out "$tmp/no/such/dir/x.csv"
[ ! -e "$tmp/no/such/dir/x.csv" ] && ok || bad "export: nothing left behind"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
