// tests/web/member.mjs BASE_URL - the member page in headless Chromium: a
// visitor sees a login form; the demo member (a bank's staff, role member)
// logs in, sees the bank's API keys and usage, creates a key (shown once,
// and it works), revokes it (and it stops working), reads how to pull the
// feed; the page in English; an analyst without an organisation is told so.
// Screenshots in $NT_ARTIFACTS as member-NN-step.png.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = process.env.NT_ARTIFACTS || join(process.cwd(), 'web-artifacts');
mkdirSync(artifacts, { recursive: true });
let passed = 0;
let shots = 0;
let page = null;

function check(cond, what, seen) {
  if (!cond) {
    console.error(`FAIL: ${what}${seen !== undefined ? `\n  seen: ${JSON.stringify(seen)}` : ''}`);
    throw Object.assign(new Error(what), { reported: true });
  }
  passed++;
}
async function shot(name) {
  if (!page) return;
  shots++;
  await page.screenshot({ path: join(artifacts, `member-${String(shots).padStart(2, '0')}-${name}.png`), fullPage: true });
}
async function feedStatus(key) {
  const r = await fetch(base + '/api/v1/feed?since=0&limit=1', { headers: { Authorization: 'Bearer ' + key } });
  return r.status;
}

const profile = mkdtempSync(join(tmpdir(), 'niemtin-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: exe,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--no-first-run'],
});
let status = 0;
try {
  page = browser.pages()[0] || await browser.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', d => d.accept()); // "revoke this key?"

  // a visitor: the tab leads to a login form
  await page.goto(base + '/');
  await page.click('#tab-member');
  await page.waitForSelector('#member-login');
  check(await page.textContent('#page-member h1') === 'Trang thành viên', 'member page title in Vietnamese');
  check(await page.getAttribute('#tab-member', 'aria-current') === 'page', 'the member tab is current');

  // the demo member logs in
  await page.fill('#member-login-name', 'demo-bank');
  await page.fill('#member-login-password', 'demo-bank-niemtin');
  await page.click('#member-login-btn');
  await page.waitForSelector('#keys-table');
  const org = await page.textContent('#member-org');
  check(/DEMO Ngân hàng Thử nghiệm/.test(org), 'the member sees its organisation', org);
  const keys0 = await page.$$eval('#keys-table tbody tr', rs => rs.map(r => r.textContent));
  check(keys0.length >= 1 && keys0.some(r => /nt_live_/.test(r) && /DEMO key/.test(r)), 'the demo key is listed by its prefix', keys0);
  check(!keys0.some(r => /nt_live_[A-Za-z0-9_-]{20,}/.test(r)), 'no secret in the list', keys0);
  check(/khoá đang dùng/.test(await page.textContent('#member-usage')), 'usage shown');
  const example = await page.textContent('#feed-example');
  check(example.includes(base + '/api/v1/feed?since=0') && example.includes('Authorization: Bearer'), 'an example curl for the feed', example);
  await page.click('#feed-btn');
  await page.waitForFunction(() => /next = \d+/.test(document.querySelector('#feed-head').textContent));
  check(true, 'the feed\'s cursor is shown');
  await shot('keys');

  // create a key: shown once, and it works
  await page.fill('#key-label', 'Hệ thống chống gian lận');
  await page.fill('#key-days', '30');
  await page.click('#key-create-btn');
  await page.waitForSelector('#new-key-value');
  const secret = (await page.textContent('#new-key-value')).trim();
  check(/^nt_live_[A-Za-z0-9_-]{51}$/.test(secret), 'the new key is shown', secret);
  await shot('new-key');
  check(await feedStatus(secret) === 200, 'the new key pulls the feed');
  const row = page.locator('#keys-table tbody tr', { hasText: 'Hệ thống chống gian lận' });
  check(await row.count() === 1, 'the new key is listed with its label');
  const prefix = secret.slice(0, 16);
  check((await row.textContent()).includes(prefix), 'listed by its prefix');
  // shown once: the page loaded again does not show it
  await page.reload();
  await page.waitForSelector('#keys-table');
  check(await page.$('#new-key-value') === null, 'the secret is not shown again');
  check(!(await page.textContent('#member')).includes(secret), 'the secret is nowhere on the page');

  // revoke it
  await page.click(`button[data-revoke="${prefix}"]`);
  await page.waitForFunction(p => [...document.querySelectorAll('#keys-table tbody tr')].some(r =>
    r.textContent.includes(p) && /đã thu hồi/.test(r.textContent)), prefix);
  check(true, 'the key shows as revoked');
  check(await feedStatus(secret) === 401, 'the revoked key is refused');
  await shot('revoked');

  // English
  await page.click('#lang-en');
  await page.waitForFunction(() => document.querySelector('#page-member h1').textContent === 'Member page');
  await page.waitForFunction(() => /Organisation: /.test(document.querySelector('#member-org')?.textContent || ''));
  check(/API keys/.test(await page.textContent('#keys')), 'the keys section in English');
  await shot('english');
  await page.click('#lang-vi');

  // every control on the page is labelled
  const unlabelled = await page.$$eval('#page-member input, #page-member select', els => els.filter(e =>
    !(e.labels && e.labels.length) && !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.getAttribute('aria-label')).map(e => e.outerHTML));
  check(unlabelled.length === 0, 'every control is labelled', unlabelled);

  // log out; an analyst (no organisation) is told this page is not theirs
  await page.click('#member button.secondary >> text=Đăng xuất');
  await page.waitForSelector('#member-login');
  await page.fill('#member-login-name', 'demo-analyst');
  await page.fill('#member-login-password', 'demo-analyst-niemtin');
  await page.click('#member-login-btn');
  await page.waitForSelector('#member-error');
  check(/không thuộc tổ chức/.test(await page.textContent('#member-error')), 'an analyst without an organisation is told so');
  await page.click('#member button.secondary >> text=Đăng xuất');
  await page.waitForSelector('#member-login');

  const real = errors.filter(e => !/status of (401|403)/.test(e));
  check(real.length === 0, 'no script errors or CSP violations', real);
  console.log(`web member: ${passed} passed, 0 failed (${shots} screenshots in ${artifacts})`);
} catch (e) {
  console.error(`web member: ${passed} passed, 1 failed`);
  if (!e.reported) console.error(e);
  try { await shot('FAILED'); } catch (e2) { /* the page may be gone */ }
  status = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
