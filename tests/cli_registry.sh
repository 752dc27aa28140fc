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
expect "unknown format" 2 "format" -- import --format stix "$tmp/phones.txt"

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
expect "expired no longer warns" 0 "No current warning" -- --lang en lookup 0088shop.com

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
