// tests/web/claims.mjs BASE_URL - the fact-check desk in headless Debian
// Chromium (playwright-core): a visitor sends a variant of a rumour that was
// already fact-checked and sees the verdict at once, opens the public page
// (server-rendered, ClaimReview in the head); a new rumour is "received";
// search; the English switch; an analyst logs in, finds the new rumour in
// the tipline queue with its count, assigns it, drafts, publishes and
// corrects it, and the next visitor gets that verdict at once; a phone-sized
// screen; hostile text.  The database has the fact-checks of
// tests/web/data/factchecks.jsonl (run.sh imports them with the desk CLI).
// Screenshots go to $NT_ARTIFACTS (run.sh sets it) as claims-*.png.
// Exits non-zero on the first failure, printing what was expected and seen.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = process.env.NT_ARTIFACTS || join(process.cwd(), 'web-artifacts');
mkdirSync(artifacts, { recursive: true });
rmSync(join(artifacts, 'claims-failure.png'), { force: true }); /* from an earlier run */
let passed = 0;

function check(cond, what, seen) {
  if (!cond) {
    console.error(`FAIL: ${what}${seen !== undefined ? `\n  seen: ${JSON.stringify(seen)}` : ''}`);
    throw new Error(what);
  }
  passed++;
}

const profile = mkdtempSync(join(tmpdir(), 'niemtin-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: exe,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--no-first-run'],
});
let status = 0;
let page;
const shot = async name => page.screenshot({ path: join(artifacts, `claims-${name}.png`), fullPage: true });
try {
  page = browser.pages()[0] || await browser.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });

  // ---- a visitor: the Rumours tab, Vietnamese by default ----
  await page.goto(base + '/#rumours');
  await page.waitForSelector('#page-rumours:not([hidden])');
  check(await page.textContent('#page-rumours h1') === 'Tin đồn: đã được kiểm chứng chưa?', 'Rumours page in Vietnamese',
        await page.textContent('#page-rumours h1'));
  check(await page.getAttribute('#tab-rumours', 'aria-current') === 'page', 'the Rumours tab is current');
  await page.waitForSelector('#fc-list li');
  const listed = await page.$$eval('#fc-list li h3', hs => hs.map(h => h.textContent));
  check(listed.length === 3, 'the latest fact-checks are listed', listed);
  check(listed.some(t => t.includes('<script>alert("x")</script>')), 'a claim with markup is shown as text', listed);
  check(await page.evaluate(() => !document.querySelector('#fc-list script')), 'no script element from a claim');

  // nothing typed: a clear, announced error and no request
  await page.click('#tip-btn');
  check(await page.isVisible('#tip-error'), 'an empty tip shows an error');
  check(await page.getAttribute('#tip-error', 'role') === 'alert', 'the error is announced');

  // a variant of a checked rumour: the verdict at once
  await page.fill('#tip-text', 'Mọi người ơi, uống nước chanh nóng mỗi buổi sáng là chữa khỏi ung thư đấy, chia sẻ ngay!!!');
  await page.check('#tip-forwarded');
  await page.click('#tip-btn');
  await page.waitForSelector('#tip-result:not([hidden]) .fc-card');
  const verdict = await page.textContent('#tip-result .fc-verdict');
  check(verdict === 'Sai sự thật', 'the verdict "Sai sự thật" at once', verdict);
  check(/Tin này đã được kiểm chứng/.test(await page.textContent('#tip-result h2')), 'says it was already checked');
  check(await page.getAttribute('#tip-result .fc-card', 'class') === 'verdict fc-card level-dangerous', 'a false claim is styled dangerous');
  check((await page.textContent('#tip-result .fc-claim')).includes('nước chanh nóng'), 'the fact-checked claim is shown');
  await shot('verdict-vi');

  // the public page: readable without JavaScript, ClaimReview in the head
  const href = await page.getAttribute('#tip-result .fc-card a', 'href');
  check(/^\/kiem-chung\/\d+$/.test(href), 'the card links to the public page', href);
  await page.click('#tip-result .fc-card a');
  await page.waitForSelector('h1.claim');
  check((await page.textContent('h1.claim')).includes('Uống nước chanh nóng'), 'the page shows the claim');
  check(/Sai sự thật/.test(await page.textContent('.fc-verdict')), 'the page shows the verdict');
  const ld = await page.$eval('head script[type="application/ld+json"]', s => JSON.parse(s.textContent));
  check(ld['@type'] === 'ClaimReview' && ld.reviewRating.alternateName === 'Sai sự thật' && ld.claimReviewed.includes('chanh'),
        'the JSON-LD ClaimReview parses', ld);
  const evid = await page.$$eval('ul.evidence a', as => as.map(a => a.getAttribute('href')));
  check(evid.length === 2 && evid.every(h => h.startsWith('https://')), 'evidence links are clickable', evid);
  await shot('page');
  await page.goto(base + '/#rumours');
  await page.waitForSelector('#page-rumours:not([hidden])');

  // a rumour nobody checked yet: received, with its item number
  const fresh = 'Cục Thuế thông báo mỗi người dân phải nộp thêm 500 nghìn đồng thuế mạng xã hội trước ngày 15';
  await page.fill('#tip-text', fresh);
  await page.fill('#tip-link', 'https://tin-don.example.vn/thue-mxh');
  await page.click('#tip-btn');
  await page.waitForSelector('#tip-result .received');
  const rec = await page.textContent('#tip-result');
  check(/Đã nhận: chuyên viên sẽ kiểm chứng/.test(rec) && /Mã tin của bạn: \d+/.test(rec), 'a new rumour is received with its number', rec);
  // the same again from someone else: the count goes up
  await page.fill('#tip-link', '');
  await page.fill('#tip-text', 'cuc thue thong bao moi nguoi dan phai nop them 500 nghin dong thue mang xa hoi truoc ngay 15');
  await page.click('#tip-btn');
  await page.waitForFunction(() => /2 người đã gửi/.test(document.querySelector('#tip-result').textContent));
  check(true, 'a variant joins the same item (2 people sent it)');
  await page.fill('#tip-link', '');

  // search, without diacritics
  await page.fill('#fc-q', 'tien polymer');
  await page.click('#fc-search-btn');
  await page.waitForFunction(() => document.querySelectorAll('#fc-list li').length >= 1 &&
    document.querySelector('#fc-list li h3').textContent.includes('polymer'));
  check(true, 'search finds the polymer rumour without diacritics');

  // English: labels and the verdict switch
  await page.fill('#tip-text', 'Uống nước chanh nóng mỗi sáng chữa khỏi ung thư');
  await page.click('#tip-btn');
  await page.waitForSelector('#tip-result .fc-card');
  await page.click('#lang-en');
  await page.waitForFunction(() => document.querySelector('#page-rumours h1').textContent === 'Rumours: has it been fact-checked?');
  check(await page.textContent('#tab-rumours') === 'Rumours', 'the tab in English');
  await page.waitForFunction(() => document.querySelector('#tip-result .fc-verdict').textContent === 'False');
  check(/already fact-checked/.test(await page.textContent('#tip-result h2')), 'the answer re-rendered in English');
  check(await page.getAttribute('html', 'lang') === 'en', 'html lang=en');
  await shot('verdict-en');
  await page.click('#lang-vi');
  await page.waitForFunction(() => document.querySelector('#tip-result .fc-verdict').textContent === 'Sai sự thật');

  // hostile text in a tip is stored and shown as text, never run
  await page.fill('#tip-text', '<img src=x onerror="window.pwned=1"> tin đồn <script>window.pwned=2</script> về xăng tăng giá 10 nghìn');
  await page.click('#tip-btn');
  await page.waitForSelector('#tip-result .received');

  // the message check names the fact-check a forwarded message repeats
  await page.click('#tab-check');
  await page.fill('#text', 'Chuyển tiếp: uống nước chanh nóng mỗi sáng chữa khỏi ung thư, ai cũng nên biết');
  await page.click('#check-btn');
  await page.waitForSelector('#fc-check-box:not([hidden]) .fc-card');
  check(await page.textContent('#fc-check .fc-verdict') === 'Sai sự thật', 'the check page shows the fact-check verdict');
  await page.fill('#text', 'Mẹ ơi tối nay con ăn cơm với bạn nhé');
  await page.click('#check-btn');
  await page.waitForFunction(() => document.querySelector('#fc-check-box').hidden);
  check(true, 'no fact-check box for an unrelated message');

  // ---- an analyst: the tipline queue, assign, draft, publish, correct ----
  await page.click('#tab-desk');
  await page.waitForSelector('#login-form:not([hidden])');
  await page.fill('#login-name', 'demo-analyst');
  await page.fill('#login-password', 'demo-analyst-niemtin');
  await page.click('#login-btn');
  await page.waitForSelector('#desk:not([hidden]) #tip-counts button');
  const counts = await page.$$eval('#tip-counts button', bs => bs.map(b => b.textContent));
  check(counts.some(c => /^Mới \(\d+\)$/.test(c)) && counts.some(c => /^Đã xuất bản \(3\)$/.test(c)), 'counts by status', counts);
  check(await page.getAttribute('#tip-counts button[data-status=new]', 'aria-pressed') === 'true', 'new is the status shown');
  const item = page.locator('.tip-item', { hasText: 'Cục Thuế' });
  await item.waitFor();
  check(/2 lượt gửi/.test(await item.textContent()), 'the spreading rumour shows its 2 submissions', await item.textContent());
  check(await page.evaluate(() => window.pwned === undefined && !document.querySelector('#tip-queue img, #tip-queue script')),
        'markup in a tip is not executed in the queue');
  await shot('queue');
  // the hostile tip is not worth checking: dismissed with a reason
  await page.locator('.tip-item', { hasText: 'xăng tăng giá' }).locator('button[data-action=open]').click();
  await page.waitForFunction(() => /xăng tăng giá/.test(document.querySelector('#tip-editor-title').textContent));
  await page.click('#dismiss-btn');
  await page.waitForSelector('#draft-error:not([hidden])');
  await page.fill('#dismiss-note', 'Không có nội dung cụ thể để kiểm chứng');
  await page.click('#dismiss-btn');
  await page.waitForFunction(() => document.querySelector('#draft-status').textContent === 'Đã bỏ qua.');
  check(await page.isHidden('#dismiss-box'), 'a dismissed item cannot be dismissed again');
  await page.waitForFunction(() => ![...document.querySelectorAll('.tip-item')].some(li => /xăng tăng giá/.test(li.textContent)));
  check(true, 'the dismissed item leaves the new queue');
  await item.locator('button[data-action=open]').click();
  await page.waitForFunction(() => /Cục Thuế/.test(document.querySelector('#tip-editor-title').textContent));
  check(await page.evaluate(() => document.activeElement.id) === 'tip-editor-title', 'focus moves to the opened item');
  check(await page.$$eval('#tip-submissions li', ls => ls.length) === 2, 'both submissions are listed');
  await page.click('#tip-assign');
  await page.waitForFunction(() => /demo-analyst/.test(document.querySelector('#tip-editor-meta').textContent));
  check(true, 'assigned to me');
  // publishing without a verdict is refused in the page
  await page.click('#draft-publish');
  await page.waitForSelector('#draft-error:not([hidden])');
  check(/kết luận/.test(await page.textContent('#draft-error')), 'a verdict is needed');
  await page.fill('#draft-claim', 'Người dân phải nộp thuế mạng xã hội 500 nghìn đồng');
  await page.selectOption('#draft-verdict', 'false');
  await page.fill('#draft-explanation', 'Không có loại thuế nào như vậy; Cục Thuế đã bác bỏ.');
  await page.fill('#draft-writeup', 'Tin nhắn giả danh cơ quan thuế để lừa người dân chuyển tiền.');
  await page.fill('#draft-evidence', 'https://www.gdt.gov.vn/\nhttps://chinhphu.vn/');
  await page.click('#draft-save');
  await page.waitForFunction(() => document.querySelector('#draft-status').textContent === 'Đã lưu bản nháp.');
  check(/^Đang soạn/.test(await page.textContent('#tip-editor-meta')), 'the item is being drafted', await page.textContent('#tip-editor-meta'));
  await page.click('#draft-publish');
  await page.waitForFunction(() => /^Đã xuất bản: \/kiem-chung\/\d+$/.test(document.querySelector('#draft-status').textContent));
  check(/^\/kiem-chung\/\d+$/.test(await page.getAttribute('#draft-status a', 'href')), 'the published page is linked');
  check(await page.isVisible('#draft-correct') && await page.isHidden('#draft-publish'), 'after publication only a correction is offered');
  await shot('published');
  // a correction needs a note; then it is recorded
  await page.click('#draft-correct');
  await page.waitForSelector('#draft-error:not([hidden])');
  await page.fill('#draft-explanation', 'Không có loại thuế mạng xã hội nào; Cục Thuế đã bác bỏ ngày 10.');
  await page.fill('#draft-note', 'Thêm ngày Cục Thuế bác bỏ');
  await page.click('#draft-correct');
  await page.waitForFunction(() => document.querySelector('#draft-status').textContent === 'Đã ghi đính chính.');
  check(true, 'the correction is recorded');
  errors.length = 0; /* the deliberate 4xx above are logged by the browser */

  // the next visitor gets the new verdict at once (here the analyst, still
  // logged in, on a freshly loaded page: the tip needs the session's CSRF token)
  await page.goto(base + '/#rumours');
  await page.waitForSelector('#page-rumours:not([hidden])');
  await page.fill('#tip-text', 'Nghe nói phải nộp thuế mạng xã hội 500 nghìn đồng, có đúng không?');
  await page.click('#tip-btn');
  await page.waitForFunction(() => {
    const v = document.querySelector('#tip-result .fc-verdict');
    return v && v.textContent === 'Sai sự thật' && /thuế mạng xã hội/.test(document.querySelector('#tip-result .fc-claim').textContent);
  });
  check(true, 'the freshly published verdict answers the next visitor');

  // every control is labelled; a phone screen; no errors
  const unlabelled = await page.$$eval('textarea, input, select', els => els.filter(e =>
    !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.outerHTML));
  check(unlabelled.length === 0, 'every control is labelled', unlabelled);
  await page.setViewportSize({ width: 360, height: 740 });
  for (const tab of ['#tab-rumours', '#tab-desk']) {
    await page.click(tab);
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `no horizontal scrolling on a 360 px screen (${tab})`, overflow);
    const small = await page.$$eval('button', bs => bs.filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 44).map(b => b.id || b.textContent));
    check(small.length === 0, `buttons at least 44 px tall (${tab})`, small);
  }
  await shot('desk-phone');
  await page.click('#logout-btn');
  await page.waitForSelector('#login-form:not([hidden])');
  check(await page.isHidden('#tip-editor'), 'the editor closes on logout');
  check(errors.length === 0, 'no script errors, CSP violations or failed loads', errors);
  console.log(`web claims: ${passed} passed, 0 failed`);
} catch (e) {
  console.error(`web claims: ${passed} passed, 1 failed`);
  if (page) await shot('failure').catch(() => {});
  status = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
