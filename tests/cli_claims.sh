#!/bin/sh
# tests/cli_claims.sh NIEMTIN - the fact-check desk driven as its users would:
# load the demo fact-checks, send rumours (variants get the verdict at once,
# new ones open items), assign, draft, publish (bad input refused, nothing
# stored), correct, show the ClaimReview, match text against the database, and
# `niemtin check --db` naming the fact-check a message repeats.  Also: the old
# `claim match --claims FILE` still works, accounts (--as) are checked, and
# the audit log records every step.  Prints "N passed, N failed"; exits
# non-zero on any failure.
NT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")/.." && pwd)
export NIEMTIN_DB="$tmp/desk.db"
export NIEMTIN_STORE_KEY=0001020304050607080910111213141516171819202122232425262728293031
unset NIEMTIN_NOW NIEMTIN_STORE_KEY_FILE NIEMTIN_AS NIEMTIN_SITE_URL NIEMTIN_ORG_NAME NIEMTIN_ORG_URL
ENVSET="" # VAR=value for the next expect only

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME EXPECTED_STATUS PATTERN -- ARGS...   (PATTERN: grep -E on stdout+stderr)
expect() {
    name=$1 want=$2 pat=$3
    shift 4
    # shellcheck disable=SC2086
    env $ENVSET "$NT" "$@" >"$tmp/out" 2>&1 </dev/null
    st=$?
    ENVSET=""
    if [ "$st" != "$want" ]; then
        bad "$name: exit $st, want $want"; sed 's/^/    /' "$tmp/out" | head -20; return
    fi
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
        bad "$name: output lacks /$pat/"; sed 's/^/    /' "$tmp/out" | head -20; return
    fi
    ok
}

# the number of rows of a table in the database (sqlite3 is not needed: the
# desk's own JSON says it)
count_all() { "$NT" claim list --json 2>/dev/null | grep -o '"all": *[0-9]*' | grep -o '[0-9]*$'; }
# the first number after "KEY": in the last output
jnum() { grep -o "\"$1\": *[0-9]*" "$tmp/out" | head -1 | grep -o '[0-9]*$'; }

expect "help names claim" 0 "claim" -- help
expect "claim help lists the desk" 0 "claim publish ITEM" -- claim help

# ---- the demo fact-checks -------------------------------------------------------------------
expect "import the demo" 0 "Đã đăng: 8, bỏ qua \(đã có\): 0" -- claim import "$here/data/demo/factchecks.jsonl"
expect "import again changes nothing" 0 "Published: 0, skipped \(already published\): 8" -- --lang en claim import "$here/data/demo/factchecks.jsonl"
expect "list counts" 0 '"published": 8' -- claim list --json
expect "list shows what spreads" 0 "#1 +đã đăng +3 lượt" -- claim list

# ---- the public sends rumours ------------------------------------------------------------------
expect "a variant gets the verdict at once" 0 "đã được kiểm chứng — kết luận: Sai sự thật" -- claim submit --channel zalo "NONG!!! tu 1/7 di xe may ko mang cavet goc bi phat 5 trieu 😱 chia se ngay"
expect "and the page" 0 "kiem-chung/1" -- claim submit "co that tu 1/7 ko mang cavet goc bi phat 5 trieu ko"
expect "json: the fact-check" 0 '"verdict": "false"' -- claim submit --json "co that tu 1/7 ko mang cavet goc bi phat 5 trieu ko"
expect "a new rumour opens an item" 0 "mục mới #9 \(mới, 1 lượt gửi\)" -- claim submit --channel facebook "Uống trà xanh lúc đói gây ung thư dạ dày"
expect "its variant joins it" 0 "gộp vào mục #9 \(mới, 2 lượt gửi\)" -- claim submit "uong tra xanh luc doi gay ung thu da day, that ko cac ban"
expect "a link alone" 0 "new item #10" -- --lang en claim submit --link "https://example.org/bai-viet/42"
expect "the same link joins" 0 "joined item #10" -- --lang en claim submit --link "https://example.org/bai-viet/42"
printf 'Tin nhắn chuyển tiếp: Bộ Y tế khuyến cáo uống nước muối ấm mỗi giờ để phòng cúm.\n' >"$tmp/fwd.txt"
expect "a forwarded message from a file" 0 "mục mới #11" -- claim submit --forwarded --channel zalo -f "$tmp/fwd.txt"
expect "SQL-looking text is just text" 0 "mục mới #12" -- claim submit "'; DROP TABLE desk_items; --"
expect "a contact is kept encrypted" 0 '"new_item": true' -- claim submit --json --channel hotline --contact "0912 000 111" "Nghe nói sắp đổi tiền mới, tiền cũ mất giá trị"
contact_tip=$(jnum tip)
if grep -q "0912 000 111" "$NIEMTIN_DB"* 2>/dev/null; then bad "the contact is in the database file in clear"; else ok; fi

# ---- bad tips: clear errors, nothing stored --------------------------------------------------------
before=$(count_all)
expect "empty tip" 1 "text: empty" -- claim submit "   "
head -c 20000 /dev/zero | tr '\0' 'a' >"$tmp/huge.txt"
expect "huge tip" 1 "text: 20000 bytes, more than the limit of 16384" -- claim submit -f "$tmp/huge.txt"
expect "malformed link" 1 "link: not an http\(s\) URL" -- claim submit --link "javascript:alert(1)" "xem"
expect "unknown channel" 1 "channel: unknown channel 'pigeon'" -- claim submit --channel pigeon "xem"
printf 'tin \377\376 hỏng\n' >"$tmp/bad-utf8.txt"
expect "malformed UTF-8" 1 "text: malformed UTF-8 at byte 4" -- claim submit -f "$tmp/bad-utf8.txt"
ENVSET="NIEMTIN_STORE_KEY="
expect "a contact without the key" 1 "contact: no store key" -- claim submit --contact "0912" "Tin gì đó mới toanh"
after=$(count_all)
if [ "$before" = "$after" ]; then ok; else bad "bad tips changed the item count: $before -> $after"; fi
expect "reveal the contact" 0 "^0912 000 111$" -- claim contact "$contact_tip" --analyst lan
expect "a tip without a contact" 1 "tip 1 has no contact" -- claim contact 1

# ---- the analysts' workflow -------------------------------------------------------------------------
expect "assign" 0 "Mục #9: đã giao @lan" -- claim assign 9 --to lan --analyst truong-ban
expect "assign needs --to" 2 "--to NAME" -- claim assign 9
expect "draft" 0 "Đã lưu bản nháp" -- claim draft 9 --verdict false --headline "Trà xanh không gây ung thư dạ dày" --analyst lan
expect "the item is drafting" 0 "\[đang viết\]" -- claim show 9
expect "publish: no explanation" 1 "explanation: required to publish" -- claim publish 9 --analyst lan
expect "publish: unknown verdict" 1 "verdict: unknown verdict 'sai'" -- claim publish 9 --verdict sai --analyst lan
expect "publish: malformed evidence" 1 "evidence\[1\]: not an http\(s\) URL: 'ftp://x'" -- claim publish 9 --explanation "Không có bằng chứng." --evidence https://example.org/a --evidence ftp://x --analyst lan
expect "publish: bad claim date" 1 "claim_date: '2026-13-01'" -- claim publish 9 --claim-date 2026-13-01 --analyst lan
expect "still a draft with none of it" 0 '"status": "draft"' -- claim show --factcheck 9 --json
expect "the draft kept no evidence" 0 '"evidence": \[\]' -- claim show --factcheck 9 --json
expect "publish" 0 "Đã đăng" -- claim publish 9 --explanation "Không có nghiên cứu nào cho thấy điều này." --evidence https://example.org/tra-xanh --claim-date 2026-10-01 --analyst lan
expect "published: a ClaimReview" 0 '"@type": "ClaimReview"' -- claim show --factcheck 9 --claimreview
expect "ClaimReview rating" 0 '"alternateName": "Sai sự thật"' -- claim show --factcheck 9 --claimreview
expect "publish twice" 1 "already published as fact-check 9" -- claim publish 9 --analyst lan
expect "draft a published item" 1 "is published" -- claim draft 9 --verdict true --analyst lan
expect "now the public gets it" 0 "kết luận: Sai sự thật" -- claim submit "uong tra xanh khi doi bung bi ung thu da day"

# duplicate publication: another item, the same claim
expect "a variant of a checked claim is answered" 0 "kiem-chung/7" -- claim submit "Có ai biết vụ cầu Long Biên sẽ bị tháo dỡ hoàn toàn năm sau không"
expect "an item for the duplicate" 0 '"new_item": true' -- claim submit --json "Tin đồn mới về một cây cầu cổ ở Hà Nội"
dup_item=$(jnum item)
expect "duplicate publication refused" 1 "the same claim as published fact-check 7" -- claim publish "$dup_item" --claim "Cầu Long Biên sẽ bị tháo dỡ hoàn toàn vào năm sau." --verdict false --explanation "x" --evidence https://example.org/x --analyst lan
expect "the refused one stayed an open item" 0 '"status": "(new|drafting)"' -- claim show "$dup_item" --json
expect "deliberately, as a second check" 0 "Đã đăng" -- claim publish "$dup_item" --claim "Cầu Long Biên sẽ bị tháo dỡ hoàn toàn vào năm sau." --verdict false --explanation "x" --evidence https://example.org/x --allow-similar --analyst lan
expect "dismiss needs a reason" 1 "reason: required" -- claim dismiss 12
expect "dismiss" 0 "đã bỏ qua" -- claim dismiss 12 --reason "không phải tin đồn" --analyst lan
expect "unknown item" 1 "item 999: no such item" -- claim show 999
expect "not an id" 2 "expected an id" -- --lang en claim show abc

# ---- corrections --------------------------------------------------------------------------------------
expect "a correction needs a reason" 1 "reason: required" -- claim correct 1 --verdict misleading --analyst lan
expect "a correction with nothing new" 1 "nothing to correct" -- claim correct 1 --verdict false --reason "x" --analyst lan
expect "correct" 0 "Correction 1 \(.*lan\): Wrong fine \[verdict\]" -- --lang en claim correct 1 --verdict misleading --reason "Wrong fine" --analyst lan
expect "the correction in JSON" 0 '"before": \{' -- claim show --factcheck 1 --json
expect "the verdict now" 0 '"verdict": "misleading"' -- claim show --factcheck 1 --json
expect "a draft to correct" 0 "\"status\": \"draft\"" -- claim draft 11 --verdict false --json --analyst lan
draft_fc=$(jnum id)
expect "correct a draft" 1 "is a draft" -- claim correct "$draft_fc" --verdict true --reason x --analyst lan

# ---- matching and check ------------------------------------------------------------------------------
expect "match against the database" 0 "đã được kiểm chứng — kết luận: Sai sự thật" -- claim match "cac me oi dung cho con tiem vacxin HPV tiem xong bi vo sinh"
expect "match json" 0 '"fact_checked": true' -- claim match --json "Nghe nói uống nước chanh ấm mỗi sáng chữa khỏi ung thư giai đoạn cuối"
expect "match: nothing related" 0 "Không có bài kiểm chứng" -- claim match --same "Hôm nay trời đẹp quá"
expect "match: no such database" 1 "no such database" -- --lang en claim match --db "$tmp/none.db" "x"
expect "match --claims FILE still works" 0 "vi-c041" -- claim match --claims "$here/tests/data/vi-claims/claims.jsonl" -k 2 "NONG!!! tu 1/9 di xe may ko mang cavet goc bi phat 6 trieu"
expect "check --db names the fact-check" 0 "Tin này đã được kiểm chứng: Sai sự thật" -- check --db "$NIEMTIN_DB" "Các mẹ ơi đừng cho con tiêm vacxin HPV, tiêm xong bị vô sinh đấy"
expect "check --db json" 0 '"fact_checks": \[' -- check --db "$NIEMTIN_DB" --json "Các mẹ ơi đừng cho con tiêm vacxin HPV, tiêm xong bị vô sinh đấy"
expect "check --db json: the verdict" 0 '"verdict": "false"' -- check --db "$NIEMTIN_DB" --json "Các mẹ ơi đừng cho con tiêm vacxin HPV, tiêm xong bị vô sinh đấy"
expect "check --db: an unrelated message has none" 0 '"fact_checks": \[\]' -- check --db "$NIEMTIN_DB" --json "Chiều nay họp lớp lúc 5 giờ nhé"
printf 'Các mẹ ơi đừng cho con tiêm vacxin HPV, tiêm xong bị vô sinh đấy\nChiều nay họp lớp\n' >"$tmp/batch.txt"
expect "check --batch --db" 0 '"fact_checks":\[\{"id":4' -- check --db "$NIEMTIN_DB" --batch "$tmp/batch.txt"
(cd "$tmp" && env -u NIEMTIN_DB "$NT" check --json "Các mẹ ơi đừng cho con tiêm vacxin HPV, tiêm xong bị vô sinh đấy" >"$tmp/out" 2>&1 </dev/null)
if grep -q '"level"' "$tmp/out" && ! grep -q fact_checks "$tmp/out"; then ok; else bad "check without a database has no fact_checks"; fi

# ---- accounts and the audit log ------------------------------------------------------------------------
expect "--as an unknown account" 1 "no account 'ghost'" -- claim assign 11 --to lan --as ghost
expect "audit: the publication" 0 "lan +factcheck.publish +factcheck:9" -- audit list
expect "audit: the correction" 0 "lan +factcheck.correct +factcheck:1" -- audit list
expect "audit: the contact reveal" 0 "lan +tip.contact.reveal +tip:$contact_tip" -- audit list
expect "audit: tips are public" 0 "public +tip.submit +item:9" -- audit list
expect "audit chain intact" 0 "" -- audit verify

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
