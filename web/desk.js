/*
 * web/desk.js - the analysts' desk beyond the queue (app.js): the queue's
 * filters, importing a list, and an indicator's page (#indicator/ID) with
 * its reports, history and the decisions an analyst may take from there.
 * Also the helpers member.js and admin.js share (api, loginForm, table).
 *
 * Loaded after app.js (classic scripts share their globals: t, el, $,
 * lang, csrf, STRINGS, PAGE_HOOKS).  Text from the server goes in with
 * textContent only.
 */
'use strict';

Object.assign(STRINGS.vi, {
  tabMember: 'Thành viên', tabAdmin: 'Quản trị', stRejected: 'Đã bác bỏ', stCleared: 'Đã gỡ cảnh báo', stExpired: 'Hết hạn',
  stAll: 'Tất cả', queueType: 'Loại', typeAny: 'Mọi loại', queueSearch: 'Tìm (số, tên miền...)', detailsLink: 'Chi tiết',
  importTitle: 'Nhập danh sách', importFormat: 'Định dạng', fmtList: 'Danh sách, mỗi dòng một giá trị', importType: 'Loại (cho danh sách)',
  importName: 'Tên nguồn (không bắt buộc)', importFile: 'Tệp', importText: 'hoặc dán nội dung', importBtn: 'Nhập',
  importEmpty: 'Hãy chọn một tệp hoặc dán nội dung.', importOk: 'Đã nhập {lines} dòng: {added} mới, {confirmed} được xác nhận, {unchanged} không đổi, {duplicates} trùng.',
  importBad: 'Không có gì được ghi. Các dòng lỗi:', importLine: 'dòng {n}', importObject: 'đối tượng {n}',
  exportTitle: 'Xuất danh sách đã xác nhận', backToQueue: '← Về hàng đợi', indicatorTitle: 'Chỉ báo',
  indStatus: 'Trạng thái', indSince: 'từ {at}', indBy: 'bởi {who}', indReports: '{n} báo cáo từ {m} người, điểm rủi ro {s}/100',
  indFirstSeen: 'Lần đầu thấy', indLastSeen: 'Lần cuối thấy', indReportsTitle: 'Các báo cáo', indNoReports: 'Chưa có báo cáo nào.',
  indHistoryTitle: 'Lịch sử', indDecideTitle: 'Quyết định', revealBtn: 'Hiện liên hệ người báo cáo (được ghi nhật ký)',
  colWhen: 'Khi nào', colWho: 'Ai', colWhat: 'Việc', colWhy: 'Lý do', colReporter: 'Người báo cáo', colChannel: 'Kênh',
  colEvidence: 'Nội dung', colAmount: 'Số tiền (đ)', colContact: 'Liên hệ', contactHidden: 'có (đã mã hoá)', none: '—',
  loginToSeeMore: 'Chuyên viên đăng nhập để xem các báo cáo và quyết định.',
  actReview: 'bắt đầu xác minh', actConfirm: 'xác nhận', actReject: 'bác bỏ', actDispute: 'khiếu nại', actClear: 'gỡ cảnh báo',
  actReported: 'được báo cáo', actImported: 'được nhập', actExpire: 'hết hạn',
});
Object.assign(STRINGS.en, {
  tabMember: 'Members', tabAdmin: 'Admin', stRejected: 'Rejected', stCleared: 'Cleared', stExpired: 'Expired',
  stAll: 'All', queueType: 'Type', typeAny: 'Any type', queueSearch: 'Search (number, domain...)', detailsLink: 'Details',
  importTitle: 'Import a list', importFormat: 'Format', fmtList: 'A list, one value a line', importType: 'Type (for a list)',
  importName: 'Source name (optional)', importFile: 'File', importText: 'or paste the content', importBtn: 'Import',
  importEmpty: 'Choose a file or paste the content.', importOk: 'Imported {lines} lines: {added} new, {confirmed} confirmed, {unchanged} unchanged, {duplicates} duplicates.',
  importBad: 'Nothing was written. The bad lines:', importLine: 'line {n}', importObject: 'object {n}',
  exportTitle: 'Export the confirmed list', backToQueue: '← Back to the queue', indicatorTitle: 'Indicator',
  indStatus: 'Status', indSince: 'since {at}', indBy: 'by {who}', indReports: '{n} reports from {m} reporters, risk score {s}/100',
  indFirstSeen: 'First seen', indLastSeen: 'Last seen', indReportsTitle: 'Reports', indNoReports: 'No reports yet.',
  indHistoryTitle: 'History', indDecideTitle: 'Decide', revealBtn: 'Show the reporters\' contacts (audited)',
  colWhen: 'When', colWho: 'Who', colWhat: 'What', colWhy: 'Why', colReporter: 'Reporter', colChannel: 'Channel',
  colEvidence: 'Evidence', colAmount: 'Amount (VND)', colContact: 'Contact', contactHidden: 'yes (encrypted)', none: '—',
  loginToSeeMore: 'Analysts log in to see the reports and decide.',
  actReview: 'review started', actConfirm: 'confirmed', actReject: 'rejected', actDispute: 'disputed', actClear: 'cleared',
  actReported: 'reported', actImported: 'imported', actExpire: 'expired',
});

/* ---- shared helpers ---------------------------------------------------------------- */

/* A JSON request with the session's CSRF token; never throws for an HTTP
 * error: {ok, status, data}, data.error.message for a refusal. */
async function api(method, url, body, contentType) {
  const opts = {method, headers: {}};
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf || '';
  if (body !== undefined) {
    opts.headers['Content-Type'] = contentType || 'application/json';
    opts.body = contentType ? body : JSON.stringify(body);
  }
  const sep = url.includes('?') ? '&' : '?';
  try {
    const resp = await fetch(url + sep + 'lang=' + lang, opts);
    let data = null;
    try { data = await resp.json(); } catch (e) { data = {}; }
    return {ok: resp.ok, status: resp.status, data};
  } catch (e) {
    return {ok: false, status: 0, data: {error: {message: t('networkError')}}};
  }
}

function errText(r) {
  return (r.data && r.data.error && r.data.error.message) || String(r.status);
}

/* Who is logged in (and the session's CSRF token, kept in app.js's csrf). */
async function whoAmI() {
  const r = await api('GET', '/api/v1/me');
  if (r.ok) csrf = r.data.csrf || null;
  return r.ok ? r.data : {kind: 'public', role: 'public'};
}

/* A login form (labelled fields, an error line) in box, unless one is there
 * already (a form being filled in is never replaced); onDone runs after a
 * successful login. */
function showLogin(box, prefix, leadKey, onDone) {
  if (!document.getElementById(prefix + '-login')) box.replaceChildren(loginForm(prefix, leadKey, onDone));
}

function loginForm(prefix, leadKey, onDone) {
  const f = el('form', {id: prefix + '-login', novalidate: ''});
  const err = el('p', {id: prefix + '-login-error', class: 'error', role: 'alert'});
  err.hidden = true;
  const name = el('input', {id: prefix + '-login-name', type: 'text', autocomplete: 'username'});
  const pw = el('input', {id: prefix + '-login-password', type: 'password', autocomplete: 'current-password'});
  /* data-i18n: setLang translates the form in place (it is not redrawn) */
  f.append(el('p', {class: 'lead', 'data-i18n': leadKey}, t(leadKey)),
    el('label', {for: name.id, class: 'field-label', 'data-i18n': 'loginName'}, t('loginName')), name,
    el('label', {for: pw.id, class: 'field-label', 'data-i18n': 'loginPassword'}, t('loginPassword')), pw, err,
    el('div', {class: 'actions'}, el('button', {type: 'submit', id: prefix + '-login-btn', class: 'primary', 'data-i18n': 'loginBtn'}, t('loginBtn'))));
  f.addEventListener('submit', async ev => {
    ev.preventDefault();
    const r = await api('POST', '/api/v1/login', {login: name.value, password: pw.value});
    pw.value = '';
    if (!r.ok) { err.textContent = errText(r); err.hidden = false; return; }
    csrf = r.data.csrf;
    onDone();
  });
  return f;
}

/* "Logged in as …" with a logout button that redraws via onDone. */
function whoLine(me, onDone) {
  const b = el('button', {type: 'button', class: 'secondary'}, t('logoutBtn'));
  b.addEventListener('click', async () => { await api('POST', '/api/v1/logout', {}); csrf = null; onDone(); });
  return el('p', {class: 'lead'}, t('loggedInAs', {name: me.name, role: me.role}) + ' ', b);
}

/* A table: heads are string keys; rows are arrays of nodes or strings. */
function table(heads, rows, attrs) {
  const tb = el('table', Object.assign({class: 'data'}, attrs || {}));
  tb.append(el('thead', null, el('tr', null, ...heads.map(h => el('th', {scope: 'col'}, t(h))))));
  tb.append(el('tbody', null, ...rows.map(r => el('tr', null, ...r.map(c => el('td', null, c == null ? '' : c))))));
  return el('div', {class: 'table-wrap'}, tb);
}

function when(iso) { return iso ? iso.replace('T', ' ').replace('Z', ' UTC') : t('none'); }

function showFormError(node, msg) { node.textContent = msg || ''; node.hidden = !msg; }

/* ---- the queue's filters and an import ----------------------------------------------------- */

let queueTimer = null;

async function onImport(ev) {
  ev.preventDefault();
  const err = $('import-error'), out = $('import-result');
  showFormError(err, '');
  out.replaceChildren();
  const file = $('import-file').files[0];
  const text = $('import-text').value;
  if (!file && !text.trim()) { showFormError(err, t('importEmpty')); return; }
  const format = $('import-format').value;
  const q = new URLSearchParams({format});
  if (format === 'list') q.set('type', $('import-type').value);
  if ($('import-name').value.trim()) q.set('name', $('import-name').value.trim());
  const body = file ? await file.text() : text;
  const ctype = format === 'csv' ? 'text/csv' : format === 'stix' ? 'application/json' : 'text/plain';
  $('import-btn').disabled = true;
  const r = await api('POST', '/api/v1/import?' + q, body, ctype);
  $('import-btn').disabled = false;
  if (r.ok) {
    out.append(el('p', {class: 'verdict level-safe', id: 'import-ok'}, t('importOk', r.data)));
    $('import-text').value = '';
    $('import-file').value = '';
    loadQueue();
    return;
  }
  showFormError(err, errText(r));
  const errs = (r.data.import && r.data.import.errors) || [];
  if (errs.length) {
    out.append(el('p', null, t('importBad')), el('ul', {id: 'import-errors'}, ...errs.map(e =>
      el('li', null, (e.line != null ? t('importLine', {n: e.line}) : t('importObject', {n: e.object})) + ': ' + e.error))));
  }
}

/* ---- an indicator's page ------------------------------------------------------------------ */

const STATUS_LABEL = {reported: 'stReported', under_review: 'stReview', disputed: 'stDisputed', confirmed: 'stConfirmed',
                      rejected: 'stRejected', cleared: 'stCleared', expired: 'stExpired'};
const ACT_LABEL = {review: 'actReview', confirm: 'actConfirm', reject: 'actReject', dispute: 'actDispute', clear: 'actClear',
                   reported: 'actReported', imported: 'actImported', expire: 'actExpire'};

async function showIndicator(arg, reveal) {
  const box = $('indicator');
  showFormError($('indicator-error'), '');
  if (!arg) { box.replaceChildren(); return; }
  const me = await whoAmI();
  const staff = me.role === 'analyst' || me.role === 'admin';
  const r = await api('GET', '/api/v1/indicators/' + arg.split('/').map(encodeURIComponent).join('/') + (reveal ? '?reveal=contact' : ''));
  if (!r.ok) { box.replaceChildren(); showFormError($('indicator-error'), errText(r)); return; }
  const d = r.data;
  const level = d.status === 'confirmed' || d.status === 'disputed' ? 'dangerous'
              : d.status === 'reported' || d.status === 'under_review' ? 'suspicious' : 'safe';
  const head = el('div', {class: 'verdict level-' + level, id: 'indicator-head'},
    el('h2', null, (STRINGS[lang].types[d.type] || d.type) + ': ', el('code', {id: 'indicator-value'}, d.value)),
    el('p', {class: 'risk'}, el('span', {id: 'indicator-status', class: 'badge', 'data-status': d.status}, t(STATUS_LABEL[d.status] || d.status)), ' ',
       t('indSince', {at: when(d.status_at)}) + (d.status_by ? ' ' + t('indBy', {who: d.status_by}) : '')),
    el('p', null, d.verdict || ''),
    el('p', {class: 'help'}, (d.explanation ? d.explanation + '. ' : '') +
       t('indReports', {n: d.reports_count, m: d.reporters_count, s: d.score})),
    el('p', {class: 'help'}, t('indFirstSeen') + ': ' + when(d.first_seen) + ' · ' + t('indLastSeen') + ': ' + when(d.last_seen)));
  const parts = [head];
  if (staff && d.actions && d.actions.length) {
    const reason = el('input', {id: 'indicator-reason', type: 'text'});
    const err = el('p', {class: 'error', role: 'alert', id: 'indicator-decide-error'});
    err.hidden = true;
    const acts = el('div', {class: 'actions'});
    for (const a of d.actions) {
      const b = el('button', {type: 'button', class: a === 'confirm' ? 'primary' : 'secondary', 'data-action': a}, t(ACTION_LABEL[a]));
      b.addEventListener('click', async () => {
        if (!reason.value.trim()) { showFormError(err, t('needReason')); return; }
        const res = await api('POST', '/api/v1/review/' + d.id, {action: a, reason: reason.value});
        if (!res.ok) { showFormError(err, errText(res)); return; }
        showIndicator(String(d.id));
      });
      acts.append(b);
    }
    parts.push(el('section', {class: 'box', id: 'indicator-decide'}, el('h3', null, t('indDecideTitle')),
      el('label', {for: 'indicator-reason', class: 'field-label'}, t('reasonLabel')), reason, err, acts));
  }
  if (staff) {
    const reps = d.reports || [];
    const sec = el('section', {class: 'box', id: 'indicator-reports'}, el('h3', null, t('indReportsTitle')));
    if (!reps.length) sec.append(el('p', null, t('indNoReports')));
    else sec.append(table(['colWhen', 'colReporter', 'colChannel', 'colEvidence', 'colAmount', 'colContact'],
      reps.map(x => [when(x.reported_at), x.reporter + ' (' + x.reporter_kind + ')', x.channel, x.evidence,
        x.amount ? x.amount.toLocaleString('vi-VN') : t('none'),
        x.contact || x.contact_error || (x.has_contact ? t('contactHidden') : t('none'))])));
    if (reps.some(x => x.has_contact) && !reveal) {
      const b = el('button', {type: 'button', class: 'secondary', id: 'reveal-btn'}, t('revealBtn'));
      b.addEventListener('click', () => showIndicator(String(d.id), true));
      sec.append(el('div', {class: 'actions'}, b));
    }
    parts.push(sec);
  } else {
    parts.push(el('p', {class: 'help'}, t('loginToSeeMore') + ' ', el('a', {href: '#desk'}, t('tabDesk'))));
  }
  const hist = (d.history || []).map(h => [when(h.at), h.actor || t('none'),
    t(ACT_LABEL[h.action] || h.action) + ': ' + (h.from ? t(STATUS_LABEL[h.from] || h.from) : '∅') + ' → ' +
    t(STATUS_LABEL[h.to] || h.to), h.reason || '']);
  parts.push(el('section', {class: 'box', id: 'indicator-history'}, el('h3', null, t('indHistoryTitle')),
    table(['colWhen', 'colWho', 'colWhat', 'colWhy'], hist)));
  box.replaceChildren(...parts);
}

PAGE_HOOKS.indicator = arg => showIndicator(arg);

document.addEventListener('DOMContentLoaded', () => {
  $('queue-type').addEventListener('change', loadQueue);
  $('queue-q').addEventListener('input', () => {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(loadQueue, 250);
  });
  $('import-form').addEventListener('submit', onImport);
  $('import-format').addEventListener('change', () => {
    $('import-type').disabled = $('import-format').value !== 'list';
  });
});
