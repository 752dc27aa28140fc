// tests/web/check.mjs BASE_URL - the "Kiểm tra tin nhắn" page used the way a
// teacher or a child would, in headless Debian Chromium driven by
// playwright-core: type, click, read the verdict; switch language; a chat;
// a phone-sized screen; the keyboard only; hostile text.  Exits non-zero
// on the first failure, printing what was expected and what was seen.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
let passed = 0;

function check(cond, what, seen) {
  if (!cond) {
    console.error(`FAIL: ${what}${seen !== undefined ? `\n  seen: ${JSON.stringify(seen)}` : ''}`);
    throw new Error(what);
  }
  passed++;
}

const profile = mkdtempSync(join(tmpdir(), 'niemtin-chromium-'));
// a throwaway profile (--user-data-dir) via a persistent context
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: exe,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--no-first-run'],
});
let status = 0;
try {
  const page = browser.pages()[0] || await browser.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });

  // Vietnamese by default
  await page.goto(base + '/');
  check(await page.textContent('h1') === 'Kiểm tra tin nhắn', 'page title in Vietnamese', await page.textContent('h1'));
  check(await page.getAttribute('html', 'lang') === 'vi', 'html lang=vi');

  // empty: a clear message, announced, and no request
  await page.click('#check-btn');
  check(await page.isVisible('#text-error'), 'empty input shows an error');
  check((await page.getAttribute('#text-error', 'role')) === 'alert', 'error is announced (role=alert)');

  // a scam message: dangerous, the tactics, evidence highlighted on the exact words
  const scam = 'Alo, đây là Công an quận. Em có lệnh bắt tạm giam vì liên quan đường dây rửa tiền. ' +
    'Không được nói với ai, kể cả bố mẹ. Chuyển 50 triệu vào tài khoản tạm giữ 0123456789 Vietcombank ngay.';
  await page.fill('#text', scam);
  await page.click('#check-btn');
  await page.waitForSelector('#result:not([hidden])');
  const title = await page.textContent('#verdict-title');
  check(title === 'Nguy hiểm', 'verdict "Nguy hiểm"', title);
  check(await page.getAttribute('#verdict', 'class') === 'verdict level-dangerous', 'verdict styled dangerous');
  const marks = await page.$$eval('#evidence mark', ms => ms.map(m => ({ cls: m.className, text: m.firstChild.textContent })));
  check(marks.length >= 2, 'at least two highlighted pieces of evidence', marks);
  check(marks.every(m => scam.includes(m.text)), 'each highlight is a piece of the pasted text', marks);
  check(marks.some(m => m.cls === 't-fear') && marks.some(m => m.cls === 't-control'), 'fear and control in their own colours', marks);
  const evidenceText = await page.$eval('#evidence .msg', e => {
    const c = e.cloneNode(true);
    c.querySelectorAll('.sr-only').forEach(x => x.remove());
    return c.textContent;
  });
  check(evidenceText === scam, 'the evidence box shows the whole message unchanged', evidenceText);
  const tactics = await page.$$eval('#tactics li strong', ls => ls.map(l => l.textContent.trim()));
  check(tactics.includes('Gây sợ hãi') && tactics.includes('Kiểm soát hành vi'), 'tactics named', tactics);
  const inds = await page.textContent('#indicators');
  check(inds.includes('VCB:0123456789'), 'the bank account is listed with its bank', inds);
  const tels = await page.$$eval('#hotlines a', as => as.map(a => a.getAttribute('href')));
  check(tels.includes('tel:111') && tels.includes('tel:113'), 'hotlines 111 and 113 are tappable', tels);

  // English: the page and the verdict switch language
  await page.click('#lang-en');
  await page.waitForFunction(() => document.querySelector('#verdict-title').textContent === 'Dangerous');
  check(await page.textContent('h1') === 'Check a message', 'page title in English');
  check(await page.getAttribute('html', 'lang') === 'en', 'html lang=en');
  check(await page.getAttribute('#lang-en', 'aria-pressed') === 'true', 'language button state');
  await page.click('#lang-vi');
  await page.waitForFunction(() => document.querySelector('#verdict-title').textContent === 'Nguy hiểm');

  // a benign message is safe, with no evidence box
  await page.fill('#text', 'Mẹ ơi tối nay con ăn cơm với bạn, 9 giờ con về nhé');
  await page.click('#check-btn');
  await page.waitForFunction(() => document.querySelector('#verdict-title').textContent === 'An toàn');
  check(await page.isHidden('#evidence-box'), 'no evidence for a safe message');

  // hostile text is shown as text, never run
  await page.fill('#text', '<img src=x onerror="window.pwned=1"> chuyển khoản ngay, đọc mã OTP cho anh <script>window.pwned=2</script>');
  await page.click('#check-btn');
  await page.waitForSelector('#evidence mark');
  check(await page.evaluate(() => window.pwned === undefined && !document.querySelector('#result img, #result script')),
        'markup in a message is not executed');

  // a chat: the turn where it became dangerous
  await page.check('input[value=chat]');
  await page.click('#example-btn');
  await page.click('#check-btn');
  await page.waitForSelector('#evidence .turn .who'); /* .turn alone is also in a one-message result */
  const advice = await page.textContent('#verdict-advice');
  check(/trở nên nguy hiểm ở lượt \d/.test(advice), 'names the turn the chat became dangerous', advice);
  const turns = await page.$$eval('#evidence .who', ws => ws.map(w => w.textContent));
  check(turns.length >= 2 && turns.every(t => t.startsWith('Lượt')), 'evidence per turn', turns);

  // keyboard only: Tab to the box, type, Enter on the button
  await page.check('input[value=message]');
  await page.click('#clear-btn');
  check(await page.isHidden('#result'), 'clear hides the result');
  await page.focus('#text');
  await page.keyboard.type('Gửi mã OTP cho mình để kích hoạt quà tặng nhé');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'check-btn', 'Tab reaches the check button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#result:not([hidden])');
  check(['Đáng ngờ', 'Nguy hiểm'].includes(await page.textContent('#verdict-title')), 'checked from the keyboard');

  // every form control has a label
  const unlabelled = await page.$$eval('textarea, input, select', els => els.filter(e =>
    !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML));
  check(unlabelled.length === 0, 'every control is labelled', unlabelled);

  // look up: a listed domain is a confirmed scam; the page is reachable by its tab
  await page.click('#tab-lookup');
  check(await page.isVisible('#page-lookup') && await page.isHidden('#page-check'), 'the lookup tab shows its page');
  check(await page.getAttribute('#tab-lookup', 'aria-current') === 'page', 'the current tab is marked');
  await page.click('#lookup-btn');
  check(await page.isVisible('#lookup-error'), 'an empty lookup says what to type');
  await page.fill('#lookup-value', 'https://lua-dao-vi-du.com/dang-nhap');
  await page.click('#lookup-btn');
  await page.waitForSelector('#lookup-result:not([hidden]) .verdict');
  const lk = await page.textContent('#lookup-result');
  check(/LỪA ĐẢO/.test(lk) && await page.$('#lookup-result .level-dangerous') !== null, 'a listed link is a confirmed scam', lk);
  await page.fill('#lookup-value', '0912 345 678');
  await page.click('#lookup-btn');
  await page.waitForFunction(() => /\+84912345678/.test(document.querySelector('#lookup-result').textContent));
  check(/Chưa có trong danh sách/.test(await page.textContent('#lookup-result')), 'an unlisted number says so, without calling it safe');

  // report that number, then it is found as reported
  await page.click('#tab-report');
  await page.selectOption('#report-type', 'phone');
  await page.fill('#report-value', '0912 345 678');
  await page.fill('#report-evidence', 'Gọi tự xưng công an, bắt chuyển tiền vào tài khoản tạm giữ');
  await page.fill('#report-amount', '5000000');
  await page.click('#report-btn');
  await page.waitForSelector('#report-result:not([hidden])');
  check(/Cảm ơn bạn/.test(await page.textContent('#report-result')), 'the report is thanked');
  check(await page.inputValue('#report-value') === '', 'the form is cleared after sending');
  await page.fill('#report-value', 'not a number');
  await page.click('#report-btn');
  await page.waitForSelector('#report-error:not([hidden])');
  check((await page.textContent('#report-error')).length > 0, 'a bad value is explained');
  await page.click('#tab-lookup');
  await page.fill('#lookup-value', '0912345678');
  await page.click('#lookup-btn');
  await page.waitForFunction(() => document.querySelector('#lookup-result .level-suspicious') !== null);
  check(true, 'the reported number is now found as reported');
  // the analysts' desk: a wrong password is refused, the analyst logs in,
  // confirms the reported number with a reason, and logs out
  await page.click('#tab-desk');
  await page.waitForSelector('#login-form:not([hidden])');
  await page.fill('#login-name', 'demo-analyst');
  await page.fill('#login-password', 'wrong-password-here');
  await page.click('#login-btn');
  await page.waitForSelector('#login-error:not([hidden])');
  await page.fill('#login-password', 'demo-analyst-niemtin');
  await page.click('#login-btn');
  await page.waitForSelector('#desk:not([hidden]) .queue-item');
  check(/demo-analyst/.test(await page.textContent('#desk-who')), 'logged in as the analyst');
  const item = page.locator('.queue-item', { hasText: '+84912345678' });
  check(await item.count() === 1, 'the reported number is in the queue');
  await item.locator('button[data-action=confirm]').click();
  await page.waitForSelector('#desk-error:not([hidden])');
  check(/lý do/.test(await page.textContent('#desk-error')), 'a decision needs a reason');
  await item.locator('input').fill('Đã xác minh với ngân hàng');
  await item.locator('button[data-action=confirm]').click();
  await page.waitForFunction(() => ![...document.querySelectorAll('.queue-item')].some(li => li.textContent.includes('+84912345678')));
  await page.selectOption('#queue-status', 'confirmed');
  await page.waitForFunction(() => [...document.querySelectorAll('.queue-item')].some(li => li.textContent.includes('+84912345678')));
  check(true, 'the decision moved it to confirmed');
  await page.click('#logout-btn');
  await page.waitForSelector('#login-form:not([hidden])');
  check(await page.isHidden('#desk'), 'logged out');
  await page.click('#tab-check');
  errors.length = 0; /* the deliberate 400/401 above are logged by the browser */

  // a phone screen: nothing wider than the screen, buttons big enough to tap
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await page.fill('#text', scam);
  await page.click('#check-btn');
  await page.waitForSelector('#result:not([hidden])');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'no horizontal scrolling on a 360 px screen', overflow);
  const small = await page.$$eval('button', bs => bs.filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 44).map(b => b.id));
  check(small.length === 0, 'buttons at least 44 px tall', small);

  // the server's error shows in the page (a message over the limit); the
  // browser logs the 413 itself, which is expected here
  check(errors.length === 0, 'no script errors, CSP violations or failed loads', errors);
  await page.fill('#text', 'a'.repeat(1100000));
  await page.click('#check-btn');
  await page.waitForSelector('#text-error:not([hidden])');
  check((await page.textContent('#text-error')).length > 0, 'server errors are shown');

  const late = errors.filter(e => !/status of 413/.test(e));
  check(late.length === 0, 'no script errors after the server error', late);
  console.log(`web: ${passed} passed, 0 failed`);
} catch (e) {
  console.error(`web: ${passed} passed, 1 failed`);
  status = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
