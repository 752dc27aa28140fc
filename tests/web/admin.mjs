// tests/web/admin.mjs BASE_URL - the administrators' page and the
// analysts' desk beyond the queue, in headless Chromium: the demo admin
// logs in, creates an analyst account (a weak password is refused), saves
// a setting; the new analyst logs in at the desk, imports a small list (a
// list with a bad line is refused with the line named, nothing stored),
// filters the queue, opens an indicator's page from the queue and from a
// lookup, and decides there; a visitor's view of that page has no reports;
// the admin disables the analyst, who can no longer log in.
// Screenshots in $NT_ARTIFACTS as admin-NN-step.png.
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
  await page.screenshot({ path: join(artifacts, `admin-${String(shots).padStart(2, '0')}-${name}.png`), fullPage: true });
}
async function apiLogin(login, password) {
  const r = await fetch(base + '/api/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }) });
  return r.status;
}
async function lookupStatus(value) {
  const r = await (await fetch(base + '/api/v1/lookup?type=phone&value=' + encodeURIComponent(value))).json();
  return r.results[0].status;
}

const NEW_LOGIN = 'web-analyst';
const NEW_PW = 'mat-khau-web-analyst';
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

  // the admin logs in on the admin page
  await page.goto(base + '/#admin');
  await page.waitForSelector('#admin-login');
  await page.fill('#admin-login-name', 'demo-admin');
  await page.fill('#admin-login-password', 'demo-admin-niemtin');
  await page.click('#admin-login-btn');
  await page.waitForSelector('#users-list');
  const users = await page.$$eval('#users-list li', rs => rs.map(r => r.textContent));
  check(users.some(u => u.includes('demo-analyst')) && users.some(u => u.includes('demo-bank')), 'the people are listed', users);
  check(/DEMO Ngân hàng Thử nghiệm/.test(await page.textContent('#orgs')), 'the organisations are listed');
  check(/rate\.member/.test(await page.textContent('#settings')), 'the settings are listed');
  check(/login\.success/.test(await page.textContent('#audit')), 'the audit log shows the login');
  await shot('admin');

  // a weak password is refused with the reason
  await page.fill('#new-login', NEW_LOGIN);
  await page.fill('#new-password', 'short');
  await page.selectOption('#new-role', 'analyst');
  await page.click('#add-user-btn');
  await page.waitForSelector('#admin-error:not([hidden])');
  check(/password/.test(await page.textContent('#admin-error')), 'a weak password is refused', await page.textContent('#admin-error'));
  // the analyst account
  await page.fill('#new-login', NEW_LOGIN);
  await page.fill('#new-display', 'Chuyên viên Web');
  await page.fill('#new-password', NEW_PW);
  await page.selectOption('#new-role', 'analyst');
  await page.click('#add-user-btn');
  await page.waitForFunction(l => [...document.querySelectorAll('#users-list li')].some(r => r.textContent.includes(l)), NEW_LOGIN);
  check(await page.$eval(`#role-${NEW_LOGIN}`, s => s.value) === 'analyst', 'the new person is an analyst');
  check(/user\.add/.test(await page.textContent('#audit')), 'the audit log shows the new person');
  // a setting
  await page.fill('#set-rate\\.analyst', '60/120');
  await page.click('button[data-setting="rate.analyst"]');
  await page.waitForFunction(() => /60\/120/.test(document.querySelector('#admin-note').textContent));
  check(true, 'a setting is saved');
  // an analyst key for the demo bank (shown once), then seen among every key
  await page.selectOption('#admin-key-role', 'analyst');
  await page.fill('#admin-key-label', 'pipeline');
  await page.click('#admin-key-btn');
  await page.waitForSelector('#admin-new-key');
  const akey = (await page.textContent('#admin-new-key')).trim();
  check(/^nt_live_/.test(akey), 'an admin creates an analyst key', akey);
  const kr = await fetch(base + '/api/v1/review', { headers: { Authorization: 'Bearer ' + akey } });
  check(kr.status === 200, 'the analyst key reads the queue', kr.status);
  await shot('user-added');
  await page.click('#admin-key-form a.button');
  await page.waitForSelector('#keys-table');
  const allKeys = await page.textContent('#keys-table');
  check(allKeys.includes(akey.slice(0, 16)) && allKeys.includes('pipeline'), 'the admin sees it among every key', allKeys);
  await page.click('#member button.secondary >> text=Đăng xuất');
  await page.waitForSelector('#member-login');

  // the new analyst logs in at the desk
  await page.click('#tab-desk');
  await page.waitForSelector('#login-form:not([hidden])');
  await page.fill('#login-name', NEW_LOGIN);
  await page.fill('#login-password', NEW_PW);
  await page.click('#login-btn');
  await page.waitForSelector('#desk:not([hidden])');
  check(new RegExp(NEW_LOGIN).test(await page.textContent('#desk-who')), 'the new analyst is logged in');

  // an import with a bad line: refused, the line named, nothing stored
  await page.selectOption('#import-format', 'list');
  await page.selectOption('#import-type', 'phone');
  await page.fill('#import-text', '0903 456 789\nkhông phải số\n');
  await page.click('#import-btn');
  await page.waitForSelector('#import-errors li');
  const ierr = await page.textContent('#import-errors');
  check(/dòng 2/.test(ierr), 'the bad line is named', ierr);
  check(await page.isVisible('#import-error'), 'the refusal is shown');
  check(await lookupStatus('0903456789') === null, 'nothing from the refused file was stored');
  await shot('import-refused');
  // a good list
  await page.fill('#import-name', 'web-test-list');
  await page.fill('#import-text', '0901 234 567\n0902 345 678\n');
  await page.click('#import-btn');
  await page.waitForSelector('#import-ok');
  check(/2 mới/.test(await page.textContent('#import-ok')), 'two new numbers imported', await page.textContent('#import-ok'));
  check(await lookupStatus('0901234567') === 'confirmed', 'the imported number is confirmed');
  await shot('imported');

  // the queue, filtered, leads to the indicator's page
  await page.selectOption('#queue-status', 'confirmed');
  await page.selectOption('#queue-type', 'phone');
  await page.fill('#queue-q', '0901');
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('#queue .queue-item')];
    return items.length === 1 && items[0].textContent.includes('+84901234567');
  });
  check(true, 'the filtered queue shows the one number');
  await page.click('#queue .queue-item a.details');
  await page.waitForSelector('#indicator-value');
  check(await page.textContent('#indicator-value') === '+84901234567', 'the indicator page shows the value');
  check(await page.getAttribute('#indicator-status', 'data-status') === 'confirmed', 'and its status');
  const hist = await page.textContent('#indicator-history');
  check(hist.includes(NEW_LOGIN) && /được nhập/.test(hist), 'the history says who imported it', hist);
  check(/web-test-list/.test(await page.textContent('#indicator-head')), 'the explanation names the list');
  await shot('indicator');
  // decide on the page: a dispute needs a reason, then it shows in the history
  await page.click('#indicator-decide button[data-action=dispute]');
  await page.waitForSelector('#indicator-decide-error:not([hidden])');
  await page.fill('#indicator-reason', 'Chủ thuê bao khiếu nại');
  await page.click('#indicator-decide button[data-action=dispute]');
  await page.waitForFunction(() => document.querySelector('#indicator-status')?.dataset.status === 'disputed');
  check(/Chủ thuê bao khiếu nại/.test(await page.textContent('#indicator-history')), 'the reason is in the history');
  const url = page.url();

  // a lookup links to the indicator's page too
  await page.click('#tab-lookup');
  await page.fill('#lookup-value', '0902 345 678');
  await page.click('#lookup-btn');
  await page.waitForSelector('#lookup-result a.details');
  await page.click('#lookup-result a.details');
  await page.waitForFunction(() => document.querySelector('#indicator-value')?.textContent === '+84902345678');
  check(true, 'a lookup result opens the indicator page');
  await shot('from-lookup');

  // a visitor sees the status and history but not the reports or the actors
  await page.click('#tab-desk');
  await page.click('#logout-btn');
  await page.waitForSelector('#login-form:not([hidden])');
  await page.goto(url);
  await page.waitForSelector('#indicator-history');
  check(await page.$('#indicator-reports') === null && await page.$('#indicator-decide') === null, 'no reports or decisions for a visitor');
  check(!(await page.textContent('#indicator-history')).includes(NEW_LOGIN), 'no analyst names for a visitor');
  await page.click('#lang-en');
  await page.waitForFunction(() => /History/.test(document.querySelector('#indicator-history h3')?.textContent || ''));
  check(true, 'the indicator page in English');
  await shot('visitor-english');
  await page.click('#lang-vi');

  // the admin disables the analyst, who can no longer log in
  await page.click('#tab-admin');
  await page.waitForSelector('#admin-login');
  await page.fill('#admin-login-name', 'demo-admin');
  await page.fill('#admin-login-password', 'demo-admin-niemtin');
  await page.click('#admin-login-btn');
  await page.waitForSelector('#users-list');
  await page.click(`button[data-user="${NEW_LOGIN}"][data-do=toggle]`);
  await page.waitForFunction(l => [...document.querySelectorAll('#users-list li')].some(r =>
    r.textContent.includes(l) && /đã khoá/.test(r.textContent)), NEW_LOGIN);
  check(await apiLogin(NEW_LOGIN, NEW_PW) === 401, 'a disabled analyst cannot log in');
  // the last admin cannot lock themself out
  await page.click('button[data-user="demo-admin"][data-do=toggle]');
  await page.waitForSelector('#admin-error:not([hidden])');
  check(await page.isVisible('#admin-error'), 'the last admin cannot be disabled');
  await shot('disabled');
  const unlabelled = await page.$$eval('#page-admin input, #page-admin select, #page-desk input, #page-desk select, #page-desk textarea',
    els => els.filter(e => !(e.labels && e.labels.length) && !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.getAttribute('aria-label')).map(e => e.outerHTML));
  check(unlabelled.length === 0, 'every control is labelled', unlabelled);
  await page.click('#admin button.secondary >> text=Đăng xuất');
  await page.waitForSelector('#admin-login');

  const real = errors.filter(e => !/status of (400|401|403|409)/.test(e));
  check(real.length === 0, 'no script errors or CSP violations', real);
  console.log(`web admin: ${passed} passed, 0 failed (${shots} screenshots in ${artifacts})`);
} catch (e) {
  console.error(`web admin: ${passed} passed, 1 failed`);
  if (!e.reported) console.error(e);
  try { await shot('FAILED'); } catch (e2) { /* the page may be gone */ }
  status = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
