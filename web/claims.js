/*
 * web/claims.js - the fact-check desk in the browser.
 *
 * "Tin đồn" (#rumours): anyone sends a rumour, a link or a forwarded
 * message to POST /api/v1/tips and sees at once the verdict of the
 * fact-check it repeats, or "received, an analyst will check it"; and
 * searches the published fact-checks (GET /api/v1/fact-checks?q=).
 *
 * In the analysts' desk (#desk, after login): the tipline queue by status
 * with counts (what is spreading first), an item opened with its
 * submissions, "assign to me", the draft (claim, verdict, explanation,
 * write-up, evidence links), publish, and correct a published fact-check.
 *
 * Loaded after app.js and shares its globals (STRINGS, lang, t, el, $,
 * formError, csrf): its strings are merged into STRINGS so the data-i18n
 * attributes of index.html switch language with the rest of the page.
 * Server text is inserted with textContent only.
 */
'use strict';

Object.assign(STRINGS.vi, {
  fcCheckTitle: 'Tin này đã được kiểm chứng', tabRumours: 'Tin đồn', rumTitle: 'Tin đồn: đã được kiểm chứng chưa?',
  rumLead: 'Gửi một tin đồn, một đường link hay một tin nhắn được chuyển tiếp. Nếu đã được kiểm chứng, bạn thấy kết luận ngay; nếu chưa, chuyên viên sẽ kiểm chứng.',
  tipTextLabel: 'Tin đồn hoặc tin nhắn được chuyển tiếp', tipLinkLabel: 'Đường link (nếu có)',
  tipPlaceholder: 'Ví dụ: Uống nước chanh nóng mỗi sáng chữa khỏi ung thư, chia sẻ ngay!',
  tipForwarded: 'Đây là tin nhắn tôi được chuyển tiếp',
  tipHelp: 'Đừng gửi thông tin cá nhân của bạn (số điện thoại, mật khẩu, mã OTP).',
  tipBtn: 'Kiểm chứng', tipSending: 'Đang tìm…', tipEmpty: 'Hãy dán tin đồn hoặc một đường link trước đã.',
  tipChecked: 'Tin này đã được kiểm chứng', tipReceived: 'Đã nhận: chuyên viên sẽ kiểm chứng tin này',
  tipItem: 'Mã tin của bạn: {id}. {n} người đã gửi tin giống vậy.',
  readMore: 'Đọc bài kiểm chứng', publishedOn: 'Đăng ngày {d}',
  fcSearchTitle: 'Tìm trong các bài đã kiểm chứng', fcSearchLabel: 'Từ khoá', fcSearchBtn: 'Tìm',
  fcMore: 'Xem thêm', fcFound: '{n} bài kiểm chứng', fcNone: 'Chưa có bài kiểm chứng nào khớp.',
  fcDeskTitle: 'Tin đồn cần kiểm chứng', tipMine: 'Chỉ việc của tôi', tipAssign: 'Nhận việc này',
  draftClaim: 'Nội dung được kiểm chứng (claim)', draftVerdict: 'Kết luận', vNone: '— Chọn kết luận —',
  vFalse: 'Sai sự thật', vMisleading: 'Gây hiểu lầm', vMissingContext: 'Thiếu bối cảnh', vTrue: 'Đúng',
  vUnproven: 'Chưa đủ căn cứ',
  draftExplanation: 'Giải thích ngắn (một hai câu)', draftWriteup: 'Bài viết đầy đủ',
  draftEvidence: 'Đường link bằng chứng (mỗi dòng một link)', draftNote: 'Đính chính: đã sửa gì và vì sao',
  draftSave: 'Lưu bản nháp', draftPublish: 'Xuất bản', draftCorrect: 'Đính chính',
  draftSaved: 'Đã lưu bản nháp.', draftPublished: 'Đã xuất bản: {url}', draftCorrected: 'Đã ghi đính chính.',
  needVerdict: 'Hãy chọn kết luận.', needNote: 'Hãy ghi đã sửa gì và vì sao.',
  openBtn: 'Mở', tipsEmpty: 'Không có tin nào ở trạng thái này.',
  tipCount: '{n} lượt gửi', tipAssignee: 'Người phụ trách: {who}', tipNobody: 'Chưa ai nhận',
  tipFirstSeen: 'Lần đầu: {d}', tipLastSeen: 'Gần nhất: {d}', assigned: 'Đã nhận việc.',
  corrections: 'Đính chính',
  statuses: {new: 'Mới', assigned: 'Đã nhận', drafting: 'Đang soạn', published: 'Đã xuất bản', dismissed: 'Đã bỏ qua', all: 'Tất cả'},
  dismissNote: 'Lý do bỏ qua (không cần kiểm chứng, trùng, spam…)', dismissBtn: 'Bỏ qua tin này', dismissed: 'Đã bỏ qua.', needDismissNote: 'Hãy ghi lý do bỏ qua.',
  verdicts: {false: 'Sai sự thật', misleading: 'Gây hiểu lầm', missing_context: 'Thiếu bối cảnh', true: 'Đúng', unproven: 'Chưa đủ căn cứ'},
});
Object.assign(STRINGS.en, {
  fcCheckTitle: 'This was already fact-checked', tabRumours: 'Rumours', rumTitle: 'Rumours: has it been fact-checked?',
  rumLead: 'Send a rumour, a link or a forwarded message. If it was already checked you see the verdict at once; if not, an analyst will check it.',
  tipTextLabel: 'The rumour or forwarded message', tipLinkLabel: 'Link (if any)',
  tipPlaceholder: 'For example: Drinking hot lemon water every morning cures cancer, share now!',
  tipForwarded: 'This is a message that was forwarded to me',
  tipHelp: 'Do not send your own personal details (phone number, password, OTP code).',
  tipBtn: 'Check it', tipSending: 'Searching…', tipEmpty: 'Paste the rumour or a link first.',
  tipChecked: 'This was already fact-checked', tipReceived: 'Received: an analyst will check it',
  tipItem: 'Your item number: {id}. {n} people sent the same thing.',
  readMore: 'Read the fact-check', publishedOn: 'Published {d}',
  fcSearchTitle: 'Search the fact-checks', fcSearchLabel: 'Keywords', fcSearchBtn: 'Search',
  fcMore: 'Show more', fcFound: '{n} fact-checks', fcNone: 'No fact-check matches yet.',
  fcDeskTitle: 'Rumours to check', tipMine: 'Only mine', tipAssign: 'Assign to me',
  draftClaim: 'The claim being checked', draftVerdict: 'Verdict', vNone: '— Choose a verdict —',
  vFalse: 'False', vMisleading: 'Misleading', vMissingContext: 'Missing context', vTrue: 'True',
  vUnproven: 'Unproven',
  draftExplanation: 'Short explanation (a sentence or two)', draftWriteup: 'Full write-up',
  draftEvidence: 'Evidence links (one per line)', draftNote: 'Correction: what changed and why',
  draftSave: 'Save draft', draftPublish: 'Publish', draftCorrect: 'Correct',
  draftSaved: 'Draft saved.', draftPublished: 'Published: {url}', draftCorrected: 'Correction recorded.',
  needVerdict: 'Choose a verdict.', needNote: 'Say what changed and why.',
  openBtn: 'Open', tipsEmpty: 'No items with this status.',
  tipCount: '{n} submissions', tipAssignee: 'Assigned to: {who}', tipNobody: 'Nobody yet',
  tipFirstSeen: 'First seen: {d}', tipLastSeen: 'Last seen: {d}', assigned: 'Assigned.',
  corrections: 'Corrections',
  statuses: {new: 'New', assigned: 'Assigned', drafting: 'Drafting', published: 'Published', dismissed: 'Dismissed', all: 'All'},
  dismissNote: 'Why dismiss it (not checkable, duplicate, spam…)', dismissBtn: 'Dismiss', dismissed: 'Dismissed.', needDismissNote: 'Say why it is dismissed.',
  verdicts: {false: 'False', misleading: 'Misleading', missing_context: 'Missing context', true: 'True', unproven: 'Unproven'},
});

/* verdict -> the colour of the box (app.js's verdict levels) */
const VERDICT_LEVEL = {false: 'dangerous', misleading: 'suspicious', missing_context: 'suspicious', unproven: 'suspicious', true: 'safe'};

function verdictName(v) { return (STRINGS[lang].verdicts || {})[v] || v; }
function statusName(s) { return (STRINGS[lang].statuses || {})[s] || s; }
function day(iso) { return iso ? String(iso).slice(0, 10) : ''; }
function claimsErrText(data, status) { return data && data.error ? data.error.message : String(status); }

async function claimsApi(method, url, body) {
  const opt = {method, headers: {}};
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  if (method !== 'GET') {
    /* a logged-in person who has not opened the desk since the page loaded:
       their session needs its CSRF token even for a tip */
    if (!csrf) {
      try { csrf = (await (await fetch('/api/v1/me')).json()).csrf || null; } catch (e) { /* offline */ }
    }
    opt.headers['X-CSRF-Token'] = csrf || '';
  }
  const resp = await fetch(url + (url.includes('?') ? '&' : '?') + 'lang=' + lang, opt);
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  return {ok: resp.ok, status: resp.status, data};
}

/* One published fact-check as a card: verdict, claim, explanation, link. */
function factCheckCard(fc, tag) {
  const box = el(tag || 'div', {class: 'verdict fc-card level-' + (VERDICT_LEVEL[fc.verdict] || 'suspicious')});
  box.append(el('p', {class: 'fc-verdict'}, verdictName(fc.verdict)));
  box.append(el('h3', {class: 'fc-claim'}, fc.claim));
  if (fc.explanation) box.append(el('p', null, fc.explanation));
  const meta = el('p', {class: 'help'});
  if (fc.published_at) meta.append(t('publishedOn', {d: day(fc.published_at)}) + ' · ');
  meta.append(el('a', {href: (fc.url || '/kiem-chung/' + encodeURIComponent(fc.id)) + (lang === 'en' ? '?lang=en' : '')}, t('readMore')));
  box.append(meta);
  return box;
}

/* The fact-checks a checked message repeats (POST /api/v1/check's
 * "fact_checks"), on the "Kiểm tra tin nhắn" page; app.js calls this. */
function renderCheckFactChecks(res) {
  const fcs = (res && res.fact_checks) || [];
  $('fc-check').replaceChildren(...fcs.map(fc => factCheckCard(fc, 'li')));
  $('fc-check-box').hidden = fcs.length === 0;
}

/* ---- the public: send a rumour, search ---------------------------------- */

let lastTip = null;

function renderTip(data) {
  const out = $('tip-result');
  const parts = [];
  if (data.status === 'checked' && (data.fact_checks || []).length) {
    parts.push(el('h2', null, t('tipChecked')));
    for (const fc of data.fact_checks) parts.push(factCheckCard(fc));
  } else {
    parts.push(el('div', {class: 'verdict level-safe received'}, el('h2', null, t('tipReceived')),
      el('p', null, t('tipItem', {id: data.item_id, n: data.count || 1}))));
  }
  out.replaceChildren(...parts);
  out.hidden = false;
}

async function onTip(ev) {
  ev.preventDefault();
  const text = $('tip-text').value.trim(), url = $('tip-link').value.trim();
  if (!text && !url) { formError('tip-error', t('tipEmpty')); $('tip-text').focus(); return; }
  const body = {};
  if (text) body.text = text;
  if (url) body.url = url;
  body.kind = $('tip-forwarded').checked ? 'forward' : url && !text ? 'link' : 'text';
  const btn = $('tip-btn');
  btn.disabled = true;
  btn.textContent = t('tipSending');
  try {
    const r = await claimsApi('POST', '/api/v1/tips', body);
    if (!r.ok) { formError('tip-error', claimsErrText(r.data, r.status)); return; }
    formError('tip-error', '');
    lastTip = r.data;
    renderTip(r.data);
  } catch (e) {
    formError('tip-error', t('networkError'));
  } finally {
    btn.disabled = false;
    btn.textContent = t('tipBtn');
  }
}

let search = {q: '', offset: 0, items: [], total: 0};

function renderSearch() {
  $('fc-count').textContent = search.items.length ? t('fcFound', {n: search.total}) : t('fcNone');
  $('fc-list').replaceChildren(...search.items.map(fc => factCheckCard(fc, 'li')));
  $('fc-more').hidden = search.items.length >= search.total;
}

async function runSearch(more) {
  const offset = more ? search.items.length : 0;
  try {
    const r = await claimsApi('GET', '/api/v1/fact-checks?limit=10&offset=' + offset + '&q=' + encodeURIComponent(search.q));
    if (!r.ok) { formError('fc-search-error', claimsErrText(r.data, r.status)); return; }
    formError('fc-search-error', '');
    search.items = more ? search.items.concat(r.data.items) : r.data.items;
    search.total = r.data.total;
    renderSearch();
  } catch (e) { formError('fc-search-error', t('networkError')); }
}

function onSearch(ev) {
  ev.preventDefault();
  search.q = $('fc-q').value.trim();
  runSearch(false);
}

/* ---- the analysts: tipline queue, item, draft, publish, correct ----------- */

let tipStatus = 'new';
let openItem = null;

async function loadTips() {
  const mine = $('tip-mine').checked ? '&assignee=me' : '';
  const r = await claimsApi('GET', '/api/v1/tipline?status=' + encodeURIComponent(tipStatus) + mine);
  if (!r.ok) { formError('fc-desk-error', claimsErrText(r.data, r.status)); return; }
  formError('fc-desk-error', '');
  const counts = r.data.counts || {};
  $('tip-counts').replaceChildren(...Object.keys(counts).map(s => {
    const b = el('button', {type: 'button', class: 'count secondary', 'data-status': s,
                            'aria-pressed': String(s === tipStatus)}, statusName(s) + ' (' + counts[s] + ')');
    b.addEventListener('click', () => { tipStatus = s; loadTips(); });
    return b;
  }));
  const items = r.data.items.map(it => {
    const li = el('li', {class: 'queue-item tip-item', 'data-id': String(it.id)});
    li.append(el('p', null, el('strong', {class: 'tip-count'}, t('tipCount', {n: it.count}) + ' · '), it.text));
    li.append(el('p', {class: 'help'}, statusName(it.status) + ' · ' +
      (it.assignee ? t('tipAssignee', {who: it.assignee}) : t('tipNobody')) + ' · ' + t('tipLastSeen', {d: day(it.last_seen)})));
    const b = el('button', {type: 'button', class: 'secondary', 'data-action': 'open',
                            'aria-label': t('openBtn') + ': ' + it.text.slice(0, 80)}, t('openBtn'));
    b.addEventListener('click', () => openTip(it.id));
    li.append(el('div', {class: 'actions'}, b));
    return li;
  });
  $('tip-queue').replaceChildren(...(items.length ? items : [el('li', null, t('tipsEmpty'))]));
}

/* The editor's status line; a published fact-check's page is a link. */
function draftStatus(msg, url) {
  const st = $('draft-status');
  st.replaceChildren(msg || '');
  if (url) st.append(' ', el('a', {href: url + (lang === 'en' ? '?lang=en' : '')}, url));
}

function fillEditor(item) {
  openItem = item;
  const ed = $('tip-editor');
  ed.hidden = false;
  $('tip-editor-title').textContent = item.text;
  $('tip-editor-meta').textContent = [statusName(item.status), t('tipCount', {n: item.count}),
    item.assignee ? t('tipAssignee', {who: item.assignee}) : t('tipNobody'),
    t('tipFirstSeen', {d: day(item.first_seen)})].join(' · ');
  $('tip-submissions').replaceChildren(...(item.submissions || []).map(s =>
    el('li', null, (s.kind ? '[' + s.kind + '] ' : '') + (s.text || ''), s.url ? el('code', null, ' ' + s.url) : null)));
  const fc = item.fact_check, d = fc || item.draft || {};
  $('draft-claim').value = d.claim || item.text || '';
  $('draft-verdict').value = d.verdict || '';
  $('draft-explanation').value = d.explanation || '';
  $('draft-writeup').value = d.write_up || '';
  $('draft-evidence').value = (d.evidence || []).join('\n');
  $('draft-note').value = '';
  $('dismiss-note').value = '';
  const published = !!fc;
  $('dismiss-box').hidden = published || item.status === 'dismissed';
  $('correction-box').hidden = !published;
  $('draft-correct').hidden = !published;
  $('draft-save').hidden = published;
  $('draft-publish').hidden = published;
  $('tip-assign').hidden = published;
  formError('draft-error', '');
}

async function openTip(id) {
  const r = await claimsApi('GET', '/api/v1/tipline/' + encodeURIComponent(id));
  if (!r.ok) { formError('fc-desk-error', claimsErrText(r.data, r.status)); return; }
  fillEditor(r.data);
  draftStatus('');
  $('tip-editor-title').focus();
}

function draftBody() {
  const b = {claim: $('draft-claim').value.trim(), explanation: $('draft-explanation').value.trim(),
             write_up: $('draft-writeup').value.trim(),
             evidence: $('draft-evidence').value.split(/\r?\n/).map(s => s.trim()).filter(Boolean)};
  if ($('draft-verdict').value) b.verdict = $('draft-verdict').value;
  return b;
}

async function editorCall(method, url, body, done) {
  const r = await claimsApi(method, url, body);
  if (!r.ok) { formError('draft-error', claimsErrText(r.data, r.status)); draftStatus(''); return null; }
  formError('draft-error', '');
  draftStatus(done(r.data));
  loadTips();
  return r.data;
}

async function onAssign() {
  if (!openItem) return;
  const d = await editorCall('POST', '/api/v1/tipline/' + openItem.id + '/assign', {}, () => t('assigned'));
  if (d) { fillEditor(d); draftStatus(t('assigned')); }
}

async function onSaveDraft() {
  if (!openItem) return;
  const d = await editorCall('PUT', '/api/v1/tipline/' + openItem.id + '/draft', draftBody(), () => t('draftSaved'));
  if (d) { fillEditor(d); draftStatus(t('draftSaved')); }
}

async function onPublish() {
  if (!openItem) return;
  if (!$('draft-verdict').value) { formError('draft-error', t('needVerdict')); $('draft-verdict').focus(); return; }
  /* the draft as it is on screen is saved first, then published */
  const saved = await editorCall('PUT', '/api/v1/tipline/' + openItem.id + '/draft', draftBody(), () => t('draftSaved'));
  if (!saved) return;
  const d = await editorCall('POST', '/api/v1/tipline/' + openItem.id + '/publish', {}, () => '');
  if (d) {
    const r = await claimsApi('GET', '/api/v1/tipline/' + encodeURIComponent(openItem.id));
    if (r.ok) fillEditor(r.data);
    draftStatus(t('draftPublished', {url: ''}).trim(), d.url);
  }
}

async function onCorrect() {
  if (!openItem || !openItem.fact_check) return;
  const note = $('draft-note').value.trim();
  if (!note) { formError('draft-error', t('needNote')); $('draft-note').focus(); return; }
  const body = Object.assign(draftBody(), {note});
  const d = await editorCall('POST', '/api/v1/fact-checks/' + encodeURIComponent(openItem.fact_check.id) + '/corrections',
                             body, () => t('draftCorrected'));
  if (d) {
    const r = await claimsApi('GET', '/api/v1/tipline/' + encodeURIComponent(openItem.id));
    if (r.ok) fillEditor(r.data);
    draftStatus(t('draftCorrected'));
  }
}

async function onDismiss() {
  if (!openItem) return;
  const note = $('dismiss-note').value.trim();
  if (!note) { formError('draft-error', t('needDismissNote')); $('dismiss-note').focus(); return; }
  const d = await editorCall('POST', '/api/v1/tipline/' + openItem.id + '/dismiss', {note}, () => t('dismissed'));
  if (d) { fillEditor(d); draftStatus(t('dismissed')); }
}

function rerender() {
  if (lastTip && !$('tip-result').hidden) renderTip(lastTip);
  if (search.items.length || $('fc-count').textContent) renderSearch();
  if (!$('desk').hidden) loadTips();
  if (openItem) fillEditor(openItem);
}

document.addEventListener('DOMContentLoaded', () => {
  $('tip-form').addEventListener('submit', onTip);
  $('fc-search-form').addEventListener('submit', onSearch);
  $('fc-more').addEventListener('click', () => runSearch(true));
  $('tip-mine').addEventListener('change', loadTips);
  $('tip-assign').addEventListener('click', onAssign);
  $('draft-save').addEventListener('click', onSaveDraft);
  $('draft-publish').addEventListener('click', onPublish);
  $('draft-correct').addEventListener('click', onCorrect);
  $('dismiss-btn').addEventListener('click', onDismiss);
  $('draft-form').addEventListener('submit', ev => ev.preventDefault());
  /* app.js's handlers switch the language first (they were added first) */
  $('lang-vi').addEventListener('click', rerender);
  $('lang-en').addEventListener('click', rerender);
  /* the desk becomes visible after a login: load the tipline then */
  new MutationObserver(() => { if (!$('desk').hidden) loadTips(); else { openItem = null; $('tip-editor').hidden = true; } })
    .observe($('desk'), {attributes: true, attributeFilter: ['hidden']});
  /* the rumours page lists the latest fact-checks when first shown */
  const showRumours = () => { if (location.hash === '#rumours' && !search.total && !search.items.length) runSearch(false); };
  window.addEventListener('hashchange', showRumours);
  showRumours();
});
