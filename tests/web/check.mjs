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
  await page.waitForSelector('#evidence .turn');
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
  const unlabelled = await page.$$eval('textarea, input', els => els.filter(e =>
    !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML));
  check(unlabelled.length === 0, 'every control is labelled', unlabelled);

  // a phone screen: nothing wider than the screen, buttons big enough to tap
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await page.fill('#text', scam);
  await page.click('#check-btn');
  await page.waitForSelector('#result:not([hidden])');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'no horizontal scrolling on a 360 px screen', overflow);
  const small = await page.$$eval('button', bs => bs.filter(b => b.getBoundingClientRect().height < 44).map(b => b.id));
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
