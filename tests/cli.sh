#!/bin/sh
# tests/cli.sh NIEMTIN - drive the niemtin binary as a person would and check
# what it prints and its exit status.  Prints "N passed, N failed".
NT=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_out NAME EXPECTED_STATUS PATTERN -- ARGS...   (PATTERN: grep -E on stdout+stderr)
expect() {
    name=$1 want=$2 pat=$3
    shift 4
    "$NT" "$@" >"$tmp/out" 2>&1
    st=$?
    if [ "$st" != "$want" ]; then
        bad "$name: exit $st, want $want"; sed 's/^/    /' "$tmp/out"; return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
        bad "$name: output lacks /$pat/"; sed 's/^/    /' "$tmp/out"; return
    fi
    ok
}

expect "help lists commands" 0 "extract" -- help
expect "help in English" 0 "find scam indicators" -- --lang en help
expect "version" 0 "^niemtin [0-9]+\.[0-9]+" -- version
expect "unknown command" 2 "không có lệnh" -- frobnicate
expect "unknown option" 2 "unknown option" -- --lang en --nope help

# --rules DIR and --model FILE choose what the engine loads (serve takes them too)
mkdir -p "$tmp/rules-one"
cp "$NT_DATA_DIR"/rules/10-fear.rules "$tmp/rules-one/"
expect "--rules: a directory of one file" 0 "" -- --rules "$tmp/rules-one" rules list
n_one=$("$NT" --rules "$tmp/rules-one" rules list 2>/dev/null | wc -l)
n_all=$("$NT" rules list 2>/dev/null | wc -l)
[ "$n_one" -gt 0 ] && [ "$n_one" -lt "$n_all" ] && ok || bad "--rules: $n_one rules listed from one file, $n_all from data/rules"
expect "--rules: a missing directory is named" 1 "$tmp/no-such-rules" -- --rules "$tmp/no-such-rules" check "chuyển khoản ngay"
printf 'not a model\n' >"$tmp/bad.model"
expect "--model: a bad file is refused" 1 "bad.model" -- --model "$tmp/bad.model" check "chuyển khoản ngay"
expect "--model '': rules only" 0 "" -- --model "" check "chuyển khoản ngay"
expect "--rules: missing value" 2 "missing value" -- --lang en --rules

# normalize: NFD, teencode, obfuscation all reach the same folded form
expect "normalize teencode" 0 "fold: .*chuyen khoan" -- normalize "ck cho e 500k nhé"
expect "normalize obfuscated" 0 "fold: chuyen khoan" -- normalize "c.h.u.y.ể.n k.h.o.ả.n"
nfd=$(printf 'chuye\314\202\314\211n khoa\314\211n')
expect "normalize NFD" 0 "norm: chuyển khoản" -- normalize "$nfd"
expect "normalize json" 0 '"fold": "chuyen khoan"' -- normalize --json "Chuyển Khoản"
printf 'a\377b' >"$tmp/bad.txt"
expect "normalize lenient bad utf8" 0 "U\+FFFD" -- normalize -f "$tmp/bad.txt"
expect "normalize strict bad utf8" 1 "byte 1" -- normalize --strict -f "$tmp/bad.txt"
expect "normalize empty stdin" 0 "tokens: 0" -- normalize </dev/null
head -c 2000 /dev/zero | tr '\0' 'a' >"$tmp/big.txt"
expect "normalize over limit" 1 "limit|giới hạn" -- --max-bytes 1000 normalize -f "$tmp/big.txt"

# extract
expect "extract defanged url" 0 "url .*http://vcb-khoa-tk.com/xac-minh" -- extract "vào hxxp://vcb-khoa-tk[.]com/xac-minh"
expect "extract phone" 0 "phone .*\+84912345678" -- extract "Liên hệ 0912 345 678"
expect "extract bank" 0 "bank .*VCB:0123456789" -- extract "STK 0123456789 Vietcombank"
expect "extract json" 0 '"value": "\+84912345678"' -- extract --json "goi 0912.345.678"
expect "extract stdin" 0 "email .*a@example.com" -- extract - <<EOT
liên hệ a@example.com
EOT
expect "extract none" 0 "Không tìm thấy" -- extract "xin chào các bạn"
expect "extract hides CCCD" 0 "personal data, hidden" -- --lang en extract "CCCD 001099012345"
expect "extract missing file" 1 "No such file" -- extract -f "$tmp/nope.txt"
: >"$tmp/empty.txt"
expect "extract empty file" 0 "Không tìm thấy" -- extract -f "$tmp/empty.txt"

# canon
expect "canon url" 0 "^http://www.google.com/$" -- canon url "http://www.GOOgle.com/"
expect "canon url expressions" 0 "b.c/1/" -- canon url "http://a.b.c/1/2.html?param=1"
expect "canon phone" 0 "^\+84912345678$" -- canon phone "+84 912 345 678"
expect "canon phone kind" 0 "mobile" -- canon phone "0912 345 678"
expect "canon phone invalid" 1 "invalid|không hợp lệ" -- canon phone "12"
expect "canon domain" 0 "vietcombank.com.vn" -- canon domain "WWW.VietcomBank.com.vn."
expect "canon domain not a domain" 1 "" -- canon domain "file.txt"
expect "canon bank" 0 "^VCB:0123456789$" -- canon bank "Vietcombank 0123 456 789"
expect "canon unknown type" 2 "unknown type|loại không rõ" -- canon colour red
expect "canon json" 0 '"value": "\+84912345678"' -- canon --json phone 0912345678

# check: verdict, tactics on the person's own words, advice
expect "check dangerous" 0 "Nguy hiểm" -- check "Đây là công an, anh có lệnh bắt tạm giam. Không được nói với ai, chuyển tiền trong vòng 24h"
expect "check evidence span" 0 "\[\[lệnh bắt tạm giam\]\]" -- check "Anh có lệnh bắt tạm giam"
expect "check safe" 0 "An toàn" -- check "Tối nay cả nhà ăn cơm lúc 7 giờ nhé"
expect "check english" 0 "Level: Safe" -- --lang en check "hello"
expect "check json" 0 '"level": "dangerous"' -- check --json "Anh có lệnh bắt tạm giam, không được nói với ai, trong vòng 24h"
expect "check empty" 0 "An toàn" -- check </dev/null
expect "check bad data dir" 1 "taxonomy.json" -- --data-dir /nonexistent check "x"

printf '{"speaker":"A","text":"Anh có lệnh bắt tạm giam"}\n{"speaker":"B","text":"dạ"}\n' >"$tmp/conv.jsonl"
expect "check conversation" 0 "Lượt  1" -- check --conversation "$tmp/conv.jsonl"
expect "check conversation json" 0 '"risk_so_far": [0-9]+' -- check --json --conversation "$tmp/conv.jsonl"
printf '{"speaker":"A","text":5}\n' >"$tmp/badconv.jsonl"
expect "check conversation bad line" 1 "badconv.jsonl:1" -- check --conversation "$tmp/badconv.jsonl"
printf '{"id":7,"text":"xin chao"}\nnot json but text\n{"text":5}\n' >"$tmp/batch.jsonl"
expect "check batch" 0 '"line":3,"error"' -- check --batch "$tmp/batch.jsonl"
expect "eval" 0 "harmful" -- eval --data "$tmp/batch.jsonl"

# check --batch reloads its rules on SIGHUP: a broken file is reported and the
# old rules stay; a good one applies from the next line on.  (A small rule set
# in a copy of data/, so compiling it is quick.)
wait_lines() { # FILE N: wait until FILE has N lines (30 s at most)
    i=0
    while [ "$(wc -l <"$1")" -lt "$2" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
cp -r "$(dirname "$0")/../data" "$tmp/rl" && rm -f "$tmp/rl/rules/"*.rules
printf 'rule t.a {\n tactic: fear\n weight: 40\n vi: "A"\n en: "A"\n any: "lenh bat"\n}\n' >"$tmp/rl/rules/t.rules"
mkfifo "$tmp/rl.in"
"$NT" --lang en --data-dir "$tmp/rl" check --batch "$tmp/rl.in" >"$tmp/rl.out" 2>"$tmp/rl.err" &
rlpid=$!
exec 3>"$tmp/rl.in"
echo "lenh bat, giu bi mat" >&3
wait_lines "$tmp/rl.out" 1
printf 'rule t.b {\n tactic: nonsense\n}\n' >>"$tmp/rl/rules/t.rules"
kill -HUP $rlpid
echo "lenh bat, giu bi mat" >&3
wait_lines "$tmp/rl.out" 2
printf 'rule t.a {\n tactic: fear\n weight: 40\n vi: "A"\n en: "A"\n any: "lenh bat"\n}\nrule t.b {\n tactic: control\n weight: 30\n vi: "B"\n en: "B"\n any: "giu bi mat"\n}\n' >"$tmp/rl/rules/t.rules"
kill -HUP $rlpid
echo "lenh bat, giu bi mat" >&3
exec 3>&-
wait $rlpid
if sed -n 2p "$tmp/rl.out" | grep -q '"t.b"' || ! sed -n 3p "$tmp/rl.out" | grep -q '"t.b"'; then
    bad "batch reload: the new rule should apply from line 3 only"; cat "$tmp/rl.out" "$tmp/rl.err"
elif ! grep -q "previous ones stay in force: .*t.rules:9:10: unknown tactic" "$tmp/rl.err" || ! grep -q "generation 2" "$tmp/rl.err"; then
    bad "batch reload: stderr should report the bad file and then generation 2"; cat "$tmp/rl.err"
else
    ok
fi

# claim matching: a forwarded variant finds the fact-check, an unrelated rumour does not
claims="$(dirname "$0")/data/vi-claims/claims.jsonl"
expect "claim match variant" 0 "vi-c001" -- claim match --claims "$claims" "uong nuoc chanh am moi sang chua khoi ung thu giai doan cuoi, chia se ngay!!!"
expect "claim match json" 0 '"id": "vi-c001"' -- claim match --json --claims "$claims" "Uống nước chanh ấm mỗi sáng chữa khỏi ung thư giai đoạn cuối"
printf '{"id":"a","text":"x"}\n{"id":"a","text":"y"}\n' >"$tmp/dup.jsonl"
expect "claim duplicate id" 1 "dup.jsonl:2" -- claim match --claims "$tmp/dup.jsonl" "x"

# rules for analysts
expect "rules list" 0 "control.share_otp" -- rules list
expect "rules check" 0 "rules|luật" -- rules check
mkdir -p "$tmp/badrules"
printf 'rule x {\n  tactic: anger\n}\n' >"$tmp/badrules/a.rules"
expect "rules check error position" 1 "a.rules:2:11" -- rules check "$tmp/badrules"

# option handling and hostile arguments
expect "no command" 2 "help" --
expect "lang without value" 2 "missing value|thiếu giá trị" -- --lang
expect "lang unknown" 2 "vi|en" -- --lang fr help
expect "extract -- keeps offsets" 0 "phone +6-16 " -- extract -- "Gọi 0912345678"
expect "extract unknown option" 2 "unknown option|tuỳ chọn không rõ" -- extract --jsn "x"
expect "normalize unknown option" 2 "unknown option|tuỳ chọn không rõ" -- normalize --jsn "x"
expect "extract -f without file" 2 "-f" -- extract -f
printf '0912\000345678 x\000y' >"$tmp/nul.txt"
expect "normalize keeps text after NUL" 0 "nfc:  0912" -- normalize -f "$tmp/nul.txt"
printf 'goi 0912 345 678 \377 ok' >"$tmp/badspan.txt"
expect "extract json with bad utf8 elsewhere" 0 '"text": "0912 345 678"' -- extract --json -f "$tmp/badspan.txt"
NIEMTIN_ID_KEY=abc expect "bad id key" 2 "NIEMTIN_ID_KEY" -- extract "CCCD 001099012345"
key=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
a=$(NIEMTIN_ID_KEY=$key "$NT" extract --json "CCCD 001099012345" | grep '"value"')
b=$(NIEMTIN_ID_KEY=$key "$NT" extract --json "CCCD 001099012345" | grep '"value"')
c=$("$NT" extract --json "CCCD 001099012345" | grep '"value"')
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ]; then ok; else bad "id key: same key same hash, no key a random one ($a / $b / $c)"; fi
head -c 3000000 /dev/zero | tr '\0' '7' >"$tmp/huge.txt"
expect "extract 3 MB refused" 1 "limit|giới hạn" -- extract -f "$tmp/huge.txt"

# the statistical model (docs/model.md)
expect "train needs --out" 2 "--out" -- train
expect "eval needs --data or --model" 2 "--model" -- eval
printf 'not a model' >"$tmp/bad.model"
expect "eval refuses a damaged model" 1 "magic" -- eval --model "$tmp/bad.model"
expect "eval bad split" 2 "validation" -- eval --model "$tmp/bad.model" --split train
if [ -d "${NT_SHARED_DATA:-/nonexistent}" ]; then
    expect "train a small model" 0 "threshold" -- train --data "$NT_SHARED_DATA" --out "$tmp/small.model" --bits 10 --epochs 1 --seed 3
    expect "eval it as JSON" 0 '"test/sms-en"' -- eval --json --data "$NT_SHARED_DATA" --model "$tmp/small.model"
    expect "eval the shipped model" 0 "scam" -- eval --data "$NT_SHARED_DATA" --model "$NT_DATA_DIR/models/niemtin.model"
    expect "choose level thresholds" 0 "suspicious [0-9]+, dangerous [0-9]+" -- --lang en eval --levels --data "$NT_SHARED_DATA"
else
    echo "note: NT_SHARED_DATA absent; skipping train/eval on the public corpora"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
