#!/bin/sh
# tests/server_claims.sh NIEMTIN - the fact-check desk over HTTP: start the
# real server on a loopback port and drive the desk's endpoints with curl as
# the public, a member key and an analyst would: tips that cluster, the
# tipline queue and counts, assign, draft, publish (and a duplicate
# publication refused), a variant of the rumour answered at once, search,
# one fact-check with its ClaimReview JSON-LD, the public HTML page (escaped,
# with the JSON-LD parsable in its head), corrections, dismissal; and bad
# input: bad JSON, missing, unknown and mistyped fields, bad links, oversize
# bodies, wrong content type and method, roles, CSRF.  Node.js (scripts/deps)
# parses the JSON and the JSON-LD.  Prints "N passed, N failed".
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
command -v node >/dev/null || { echo "server_claims: node is missing (run scripts/deps)"; exit 1; }

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

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
# js NAME EXPR: EXPR (JavaScript, `j` is the last body parsed as JSON) must be true
js() {
    if node -e 'const fs = require("fs"); const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
                process.exit(eval(process.argv[2]) ? 0 : 1)' "$tmp/body" "$2" 2>"$tmp/js.err"; then
        ok
    else
        bad "$1: not ($2)"; cat "$tmp/js.err"; head -c 600 "$tmp/body"; echo
    fi
}
# val EXPR: print a value of the last body
val() {
    node -e 'const fs = require("fs"); const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
             console.log(eval(process.argv[2]))' "$tmp/body" "$1"
}
JSON="-H Content-Type:application/json"

"$NT" demo-accounts --db "$tmp/srv.db" >"$tmp/demo.txt" 2>&1 || { echo "demo-accounts failed"; cat "$tmp/demo.txt"; exit 1; }
"$NT" serve --port 0 --quiet --rate 1000 --burst 1000 --max-body 65536 --db "$tmp/srv.db" \
    --site-url https://kiemchung.example.vn >"$tmp/srv.out" 2>"$tmp/srv.err" &
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

KEY=$(grep -o 'nt_live_[A-Za-z0-9_-]*' "$tmp/demo.txt" | head -1)
AK="Authorization: Bearer $KEY"
req "analyst login" 200 '"role":"analyst"' POST /api/v1/login $JSON -c "$tmp/ana" \
    -d '{"login":"demo-analyst","password":"demo-analyst-niemtin"}'
CSRF=$(val j.csrf)
A="-b $tmp/ana -H X-CSRF-Token:$CSRF"

# ---- tips from the public: the same rumour twice clusters into one item ----
RUMOUR='Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư, bác sĩ Nhật Bản đã xác nhận, hãy chia sẻ ngay cho người thân!'
req "tip received" 202 '"status":"received".*"message":"Đã nhận' POST /api/v1/tips $JSON \
    -d "{\"text\":\"$RUMOUR\",\"kind\":\"forward\",\"channel\":\"zalo\"}"
js "tip opens an item" 'j.item_id > 0 && j.count === 1 && j.new_item === true && j.fact_checks.length === 0'
ITEM=$(val j.item_id)
req "same rumour again" 202 '"status":"received"' POST /api/v1/tips $JSON \
    -d '{"text":"Uống nước chanh nóng mỗi sáng chữa khỏi ung thư, bác sĩ Nhật Bản xác nhận!!! Chia sẻ ngay","kind":"text"}'
js "it joins the item (count 2)" "j.item_id === $ITEM && j.count === 2 && j.new_item === false"
req "a link tip" 202 '"status":"received"' POST /api/v1/tips $JSON -d '{"url":"https://tin-gia.example.com/vaccine-gay-vo-sinh","lang":"en"}'
js "English message" 'j.message.startsWith("Received")'
req "another rumour" 202 '"status":"received"' POST /api/v1/tips $JSON \
    -d '{"text":"Ngân hàng Nhà nước sẽ đổi tiền mới, tiền polymer cũ hết giá trị từ tháng sau"}'
ITEM2=$(val j.item_id)

# ---- tips: bad input ----
req "tip empty" 400 '"code":"missing_field".*"field":"text"' POST /api/v1/tips $JSON -d '{}'
req "tip blank text" 400 '"field":"text"' POST /api/v1/tips $JSON -d '{"text":""}'
req "tip text not a string" 400 '"code":"bad_field".*"field":"text"' POST /api/v1/tips $JSON -d '{"text":42}'
req "tip unknown field" 400 '"code":"unknown_field".*"field":"verdict"' POST /api/v1/tips $JSON -d '{"text":"a b c","verdict":"true"}'
req "tip bad kind" 400 '"field":"kind"' POST /api/v1/tips $JSON -d '{"text":"a b c","kind":"fax"}'
req "tip javascript link" 400 '"field":"url"' POST /api/v1/tips $JSON -d '{"url":"javascript:alert(1)"}'
req "tip malformed link" 400 '"field":"url"' POST /api/v1/tips $JSON -d '{"text":"xem này","url":"http://exa mple.com/"}'
req "tip bad channel" 400 '"field":"channel"' POST /api/v1/tips $JSON -d '{"text":"a b c","channel":"pigeon"}'
req "tip bad lang" 400 '"field":"lang"' POST /api/v1/tips $JSON -d '{"text":"a b c","lang":"fr"}'
req "tip bad json" 400 '"code":"bad_json".*dòng 1' POST /api/v1/tips $JSON -d '{"text": "abc'
req "tip not an object" 400 '"code":"bad_json"' POST /api/v1/tips $JSON -d '["a"]'
req "tip duplicate key" 400 '"code":"bad_json"' POST /api/v1/tips $JSON -d '{"text":"a","text":"b"}'
req "tip NUL in text" 400 '"code":"bad_json"' POST /api/v1/tips $JSON -d '{"text":"a\u0000b"}'
req "tip form content type" 415 '"code":"unsupported_media_type"' POST /api/v1/tips -d 'text=a'
{ printf '{"text":"'; head -c 20000 /dev/zero | tr '\0' 'a'; printf '"}'; } >"$tmp/long.json"
req "tip over the tip limit" 413 '"field":"text"' POST /api/v1/tips $JSON --data-binary @"$tmp/long.json"
head -c 200000 /dev/zero | tr '\0' 'a' >"$tmp/big"
req "tip body over --max-body" 413 '"code":"payload_too_large"' POST /api/v1/tips $JSON --data-binary @"$tmp/big"
req "tip wrong method" 405 '"code":"method_not_allowed"' GET /api/v1/tips
grep -qi '^allow: POST' "$tmp/headers" && ok || bad "405 without Allow: POST"
req "sql-looking tip is just text" 202 '"status":"received"' POST /api/v1/tips $JSON \
    -d "{\"text\":\"'; DROP TABLE desk_items; -- tin đồn về xăng tăng giá\"}"

# ---- roles: the tipline is the analysts' ----
req "tipline public" 401 '"code":"unauthorized"' GET /api/v1/tipline
req "tipline member" 403 '"code":"forbidden"' GET /api/v1/tipline -H "$AK"
req "publish public" 401 '"code":"unauthorized"' POST "/api/v1/tipline/$ITEM/publish" $JSON -d '{}'
req "draft member" 403 '"code":"forbidden"' PUT "/api/v1/tipline/$ITEM/draft" $JSON -H "$AK" -d '{"verdict":"false"}'
req "assign without CSRF" 403 '"code":"csrf"' POST "/api/v1/tipline/$ITEM/assign" $JSON -b "$tmp/ana" -d '{}'

# ---- the queue ----
req "tipline" 200 '"counts":\{' GET "/api/v1/tipline?status=new" $A
js "counts and order (most tips first)" "j.counts.new >= 4 && j.items[0].id === $ITEM && j.items[0].count === 2"
req "tipline all" 200 '"status":"all"' GET /api/v1/tipline $A
req "tipline bad status" 400 '"field":"status"' GET "/api/v1/tipline?status=spreading" $A
req "tipline bad limit" 400 '"field":"limit"' GET "/api/v1/tipline?limit=0" $A
req "item" 200 '"submissions":\[' GET "/api/v1/tipline/$ITEM" $A
js "item has both tips" 'j.submissions.length === 2 && j.submissions[0].kind === "forward" && j.submissions[0].channel === "zalo" && j.draft === null'
req "item unknown" 404 '"code":"not_found"' GET /api/v1/tipline/999999 $A
req "item bad id" 404 '"code":"not_found"' GET /api/v1/tipline/abc $A

# ---- assign, draft ----
req "assign to me" 200 '"status":"assigned","count":2' POST "/api/v1/tipline/$ITEM/assign" $JSON $A -d '{}'
js "assignee" 'j.assignee === "demo-analyst"'
req "mine" 200 '' GET "/api/v1/tipline?status=assigned&assignee=me" $A
js "only mine" "j.items.length === 1 && j.items[0].id === $ITEM"
req "draft bad verdict" 400 '"field":"verdict"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"verdict":"pants-on-fire"}'
req "draft evidence not array" 400 '"field":"evidence"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"evidence":"https://a.vn"}'
req "draft evidence item type" 400 '"field":"evidence\[1\]"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"evidence":["https://a.vn",3]}'
req "draft quote in a link" 400 '"field":"evidence\[0\]"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"evidence":["https://a.vn/?q=\"x\""]}'
req "draft javascript evidence" 400 '"field":"evidence' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"evidence":["javascript:alert(1)"]}'
req "draft unknown field" 400 '"field":"published"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"published":true}'
req "draft wrong type" 400 '"field":"explanation"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"explanation":["x"]}'
req "draft wrong method" 405 '' POST "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{}'
req "publish an incomplete draft" 400 '"code":"(bad_field|missing_field)"' POST "/api/v1/tipline/$ITEM/publish" $JSON $A -d '{}'
CLAIM='Uống nước chanh nóng mỗi sáng chữa khỏi ung thư'
cat >"$tmp/draft.json" <<EOF
{"claim":"$CLAIM","headline":"Nước chanh nóng \"chữa khỏi ung thư\"? <script>alert('x')</script>",
 "verdict":"false",
 "explanation":"Không có nghiên cứu nào cho thấy nước chanh nóng chữa được ung thư; bác sĩ Nhật Bản được nhắc tới không tồn tại. <b>Sai</b> & bịa đặt.",
 "write_up":"Tin này lan truyền trên Zalo từ năm 2017.\n\nBộ Y tế đã bác bỏ. </script><script>alert(1)</script>",
 "evidence":["https://moh.gov.vn/tin-gia-chanh-nong","https://www.cancer.org/lemon?a=1&b=2"],
 "claim_author":"Tài khoản Zalo ẩn danh","claim_date":"2024-03-01","appearance":"https://zalo.example.vn/p/123"}
EOF
req "draft" 200 '"status":"drafting"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A --data-binary @"$tmp/draft.json"
js "draft saved" 'j.draft && j.draft.verdict === "false" && j.draft.evidence.length === 2 && j.draft.status === "draft" && j.fact_check === null'
DRAFT=$(val j.draft.id)
req "a draft is not public" 404 '"code":"not_found"' GET "/api/v1/fact-checks/$DRAFT"
req "a draft has no page" 404 '' GET "/kiem-chung/$DRAFT"

# ---- publish ----
req "publish" 201 '"status":"published"' POST "/api/v1/tipline/$ITEM/publish" $A
js "published fact-check" "j.id === $DRAFT && j.verdict === 'false' && j.url === '/kiem-chung/$DRAFT' && j.publisher === 'demo-analyst' && j.published_at"
FC=$DRAFT
req "publish again" 409 '"code":"conflict"' POST "/api/v1/tipline/$ITEM/publish" $JSON $A -d '{}'
req "draft after publication" 409 '"code":"conflict"' PUT "/api/v1/tipline/$ITEM/draft" $JSON $A -d '{"verdict":"true"}'
# the same claim from another item: a duplicate publication
req "assign item 2" 200 '' POST "/api/v1/tipline/$ITEM2/assign" $JSON $A -d '{}'
req "draft a duplicate" 200 '' PUT "/api/v1/tipline/$ITEM2/draft" $JSON $A \
    -d "{\"claim\":\"$CLAIM\",\"verdict\":\"false\",\"explanation\":\"x\",\"evidence\":[\"https://a.vn/\"]}"
req "duplicate publication" 409 '"code":"conflict"' POST "/api/v1/tipline/$ITEM2/publish" $JSON $A -d '{}'
req "allow_similar wrong type" 400 '"field":"allow_similar"' POST "/api/v1/tipline/$ITEM2/publish" $JSON $A -d '{"allow_similar":"yes"}'
req "dismiss without note" 400 '"field":"note"' POST "/api/v1/tipline/$ITEM2/dismiss" $JSON $A -d '{}'
req "dismiss" 200 '"status":"dismissed"' POST "/api/v1/tipline/$ITEM2/dismiss" $JSON $A -d '{"note":"Trùng với bài đã đăng"}'
req "dismiss again" 409 '"code":"conflict"' POST "/api/v1/tipline/$ITEM2/dismiss" $JSON $A -d '{"note":"again"}'

# ---- the public gets the verdict at once for a variant ----
req "variant answered at once" 200 '"status":"checked"' POST /api/v1/tips $JSON \
    -d '{"text":"uong nuoc chanh nong moi sang chua khoi benh ung thu - chia se ngay nhe moi nguoi"}'
js "with the fact-check" "j.item_id === $ITEM && j.fact_checks[0].id === $FC && j.fact_checks[0].verdict === 'false' && j.fact_checks[0].verdict_text === 'Sai sự thật' && j.message.startsWith('Tin này đã')"
req "variant in English" 200 '"verdict_text":"False"' POST "/api/v1/tips?lang=en" $JSON \
    -d '{"text":"Nước chanh nóng chữa khỏi ung thư, chia sẻ ngay"}'

req "a check names the fact-check" 200 '"fact_checks":\[\{"id":' POST /api/v1/check $JSON \
    -d '{"text":"Chia sẻ ngay: uống nước chanh nóng mỗi sáng chữa khỏi ung thư, bác sĩ Nhật Bản xác nhận"}'
js "its verdict and page" "j.fact_checks[0].id === $FC && j.fact_checks[0].verdict === 'false' && j.fact_checks[0].same_claim === true && j.fact_checks[0].url === '/kiem-chung/$FC'"
req "an unrelated check has none" 200 '"fact_checks":\[\]' POST /api/v1/check $JSON -d '{"text":"Mẹ ơi tối nay con về muộn nhé"}'

# ---- search and read ----
req "list published" 200 '"total":1' GET /api/v1/fact-checks
js "the summary" "j.items.length === 1 && j.items[0].id === $FC && j.items[0].url === '/kiem-chung/$FC' && !('write_up' in j.items[0])"
req "search" 200 '"total":[1-9]' GET "/api/v1/fact-checks?q=chanh%20n%C3%B3ng%20ung%20th%C6%B0"
js "search finds it" "j.items[0].id === $FC && j.items[0].score > 0"
req "search without diacritics" 200 '' GET "/api/v1/fact-checks?q=nuoc%20chanh%20ung%20thu"
js "search folds diacritics" "j.items.length >= 1 && j.items[0].id === $FC"
req "search nothing" 200 '"total":0,"items":\[\]' GET "/api/v1/fact-checks?q=xyzzy%20plugh"
req "search paging past the end" 200 '"items":\[\]' GET "/api/v1/fact-checks?offset=5"
req "search bad limit" 400 '"field":"limit"' GET "/api/v1/fact-checks?limit=1000"
req "search bad offset" 400 '"field":"offset"' GET "/api/v1/fact-checks?offset=-1"
req "search bad utf-8" 400 '"field":"q"' GET "/api/v1/fact-checks?q=%FF%FE"
req "one fact-check" 200 '"claim_review":\{' GET "/api/v1/fact-checks/$FC"
js "full record" "j.write_up.includes('Bộ Y tế') && j.evidence.length === 2 && j.corrections.length === 0 && j.page_url === 'https://kiemchung.example.vn/kiem-chung/$FC'"
# the ClaimReview: the fields Google's Fact Check tools require and recommend
js "ClaimReview required fields" "const c = j.claim_review; c['@context'] === 'https://schema.org' && c['@type'] === 'ClaimReview' &&
    c.url === j.page_url && c.claimReviewed === '$CLAIM' && /^\\d{4}-\\d{2}-\\d{2}/.test(c.datePublished) &&
    c.author && c.author.name && c.reviewRating && c.reviewRating['@type'] === 'Rating' &&
    c.reviewRating.ratingValue === 1 && c.reviewRating.bestRating === 5 && c.reviewRating.worstRating === 1 &&
    c.reviewRating.alternateName === 'Sai sự thật' && c.itemReviewed && c.itemReviewed['@type'] === 'Claim'"
req "unknown fact-check" 404 '"code":"not_found"' GET /api/v1/fact-checks/424242
req "fact-check bad id" 404 '"code":"not_found"' GET "/api/v1/fact-checks/1%20OR%201=1"

# ---- the public page: escaped, ClaimReview in the head, readable without JS ----
req "page" 200 'Sai sự thật' GET "/kiem-chung/$FC"
grep -qi '^content-type: text/html; charset=utf-8' "$tmp/headers" && ok || bad "page is not text/html"
grep -qi "content-security-policy: default-src 'self'" "$tmp/headers" && ok || bad "page without the CSP"
cp "$tmp/body" "$tmp/page.html"
grep -q '<html lang="vi">' "$tmp/page.html" && ok || bad "page not lang=vi"
grep -q '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;' "$tmp/page.html" && ok || bad "headline <script> not escaped"
grep -q '&quot;chữa khỏi ung thư&quot;' "$tmp/page.html" && ok || bad "quotes not escaped"
grep -q '&lt;b&gt;Sai&lt;/b&gt; &amp; bịa đặt' "$tmp/page.html" && ok || bad "explanation not escaped"
grep -q '&lt;/script&gt;&lt;script&gt;alert(1)' "$tmp/page.html" && ok || bad "write-up not escaped"
grep -q 'href="https://www.cancer.org/lemon?a=1&amp;b=2"' "$tmp/page.html" && ok || bad "evidence link not escaped in href"
grep -q 'href="https://moh.gov.vn/tin-gia-chanh-nong" rel="nofollow' "$tmp/page.html" && ok || bad "evidence link not clickable"
grep -q "<link rel=\"canonical\" href=\"https://kiemchung.example.vn/kiem-chung/$FC\">" "$tmp/page.html" && ok || bad "no canonical link"
grep -q '<meta property="og:title" content="Sai sự thật: Uống nước chanh' "$tmp/page.html" && ok || bad "no og:title for link previews"
n=$(grep -o '<script' "$tmp/page.html" | wc -l)
[ "$n" = 1 ] && ok || bad "page has $n <script> elements, want only the JSON-LD"
if node -e '
const fs = require("fs");
const html = fs.readFileSync(process.argv[1], "utf8");
const head = html.slice(0, html.indexOf("</head>"));
const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(head);
if (!m) throw new Error("no JSON-LD in the head");
const c = JSON.parse(m[1]);
const need = (x, what) => { if (!x) throw new Error(what); };
need(c["@type"] === "ClaimReview", "@type");
need(c.claimReviewed === process.argv[2], "claimReviewed");
need(c.reviewRating && c.reviewRating.alternateName === "Sai sự thật", "alternateName");
need(c.url === "https://kiemchung.example.vn/kiem-chung/" + process.argv[3], "url");
need(c.name && c.name.includes("<script>"), "the headline round-trips through the escapes");
' "$tmp/page.html" "$CLAIM" "$FC" 2>"$tmp/js.err"; then ok; else bad "JSON-LD in the page: $(cat "$tmp/js.err" | head -3)"; fi
req "page in English" 200 'Verdict: False' GET "/kiem-chung/$FC?lang=en"
grep -q '<html lang="en">' "$tmp/body" && ok || bad "English page not lang=en"
req "page alias" 200 'Sai sự thật' GET "/fact-checks/$FC"
req "page unknown" 404 'Không có bài kiểm chứng này' GET /kiem-chung/999999
grep -qi '^content-type: text/html' "$tmp/headers" && ok || bad "404 page is not HTML"
req "index page" 200 "href=\"/kiem-chung/$FC\"" GET /kiem-chung
req "index search echoes q escaped" 200 'value="&lt;script&gt;&quot;' GET "/kiem-chung?q=%3Cscript%3E%22"
req "index page, search" 200 "href=\"/kiem-chung/$FC\"" GET "/kiem-chung?q=chanh%20ung%20thu"

# ---- corrections: recorded, never silent ----
req "correct without note" 400 '"code":"missing_field".*"field":"note"' POST "/api/v1/fact-checks/$FC/corrections" $JSON $A -d '{"verdict":"misleading"}'
req "correct public" 401 '' POST "/api/v1/fact-checks/$FC/corrections" $JSON -d '{"note":"x","verdict":"misleading"}'
req "correct bad verdict" 400 '"field":"verdict"' POST "/api/v1/fact-checks/$FC/corrections" $JSON $A -d '{"note":"x","verdict":"meh"}'
req "correct nothing" 400 '' POST "/api/v1/fact-checks/$FC/corrections" $JSON $A -d '{"note":"nothing changes"}'
req "correct unknown" 404 '"code":"not_found"' POST /api/v1/fact-checks/999999/corrections $JSON $A -d '{"note":"x","verdict":"true"}'
req "correct" 200 '"corrections":\[\{"seq":1' POST "/api/v1/fact-checks/$FC/corrections" $JSON $A \
    -d '{"note":"Bổ sung nguồn WHO <i>mới</i>","evidence":["https://moh.gov.vn/tin-gia-chanh-nong","https://www.who.int/vi/news"]}'
js "correction recorded" "j.corrections[0].by === 'demo-analyst' && j.corrections[0].fields.includes('evidence') && j.corrections[0].before && j.corrections[0].after && j.evidence.length === 2 && j.evidence[1] === 'https://www.who.int/vi/news'"
req "page shows the correction" 200 'Bổ sung nguồn WHO &lt;i&gt;mới&lt;/i&gt;' GET "/kiem-chung/$FC"
req "tipline item shows it published" 200 '"status":"published"' GET "/api/v1/tipline/$ITEM" $A
js "fact_check on the item" "j.fact_check && j.fact_check.id === $FC && j.draft === null"

# ---- concurrent tips: 8 clients x 5 tips of one new rumour, all stored in one item ----
pids=
for k in 1 2 3 4 5 6 7 8; do
    ( for j in 1 2 3 4 5; do
        curl -s -o /dev/null -w '%{http_code}\n' -X POST $JSON \
            -d "{\"text\":\"Từ tháng sau xe máy không chính chủ bị phạt 5 triệu đồng, người gửi $k-$j\"}" "$H/api/v1/tips"
      done >"$tmp/par.$k" ) &
    pids="$pids $!"
done
for p in $pids; do wait $p; done
n2=$(cat "$tmp"/par.* | grep -c '^20[02]$')
[ "$n2" = 40 ] && ok || bad "concurrent tips: $n2 of 40 stored"
req "the 40 tips in the queue" 200 '' GET "/api/v1/tipline?status=new" $A
js "one item per rumour, counted" "j.items.filter(i => i.text.includes('không chính chủ')).reduce((s, i) => s + i.count, 0) === 40 && j.items[0].text.includes('không chính chủ')"

# ---- the rest ----
req "metrics by route" 200 'route="tip"' GET /metrics
grep -q 'route="factcheck_page"' "$tmp/body" && ok || bad "metrics: no factcheck_page route"
req "admin login" 200 '"role":"admin"' POST /api/v1/login $JSON -c "$tmp/admin" -d '{"login":"demo-admin","password":"demo-admin-niemtin"}'
req "audit chain intact after the desk" 200 '"ok":true' GET /api/v1/audit/verify -b "$tmp/admin"

kill -TERM $pid
wait $pid
st=$?
pid=
[ "$st" = 0 ] && ok || bad "server exit status $st after SIGTERM"
# a site URL that is not http(s) is refused at start, with the reason
if "$NT" serve --port 0 --quiet --db "$tmp/srv.db" --site-url ftp://kiemchung.example.vn >"$tmp/bad.out" 2>"$tmp/bad.err"; then
    bad "serve with an ftp:// site URL started"
else
    grep -q 'site_url' "$tmp/bad.err" && ok || bad "no reason for the bad site URL: $(cat "$tmp/bad.err")"
fi

echo "server_claims: $pass passed, $fail failed"
[ "$fail" = 0 ]
