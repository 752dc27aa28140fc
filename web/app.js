/*
 * web/app.js - the "Kiểm tra tin nhắn" page: send the pasted message (or
 * chat) to POST /api/v1/check[/conversation] and show the verdict, each
 * tactic's evidence highlighted in its own colour on the person's own words,
 * the indicators found, the advice and the hotlines.
 *
 * Plain JavaScript, no build step, no third-party code.  Every text from the
 * server is inserted with textContent (never innerHTML).  Evidence spans are
 * UTF-8 byte offsets into the text sent; we cut the encoded bytes and decode
 * each piece, so highlights are exact for any script, emoji or NFD input.
 */
'use strict';

const STRINGS = {
  vi: {
    tabDesk: 'Chuyên viên', deskTitle: 'Bàn làm việc của chuyên viên', loginLead: 'Đăng nhập để xem và xác minh các báo cáo.',
    loginName: 'Tên đăng nhập', loginPassword: 'Mật khẩu', loginBtn: 'Đăng nhập', logoutBtn: 'Đăng xuất',
    queueStatus: 'Trạng thái', stReported: 'Mới báo cáo', stReview: 'Đang xác minh', stDisputed: 'Đang khiếu nại', stConfirmed: 'Đã xác nhận',
    loggedInAs: 'Đang đăng nhập: {name} ({role})', reasonLabel: 'Lý do', confirmBtn: 'Xác nhận lừa đảo', rejectBtn: 'Bác bỏ',
    clearBtnDesk: 'Gỡ cảnh báo', disputeBtn: 'Ghi nhận khiếu nại', reviewBtn: 'Bắt đầu xác minh', queueEmpty: 'Không có chỉ báo nào.',
    needReason: 'Hãy ghi lý do trước khi quyết định.', reportsCount: '{n} báo cáo từ {m} người',
    tabsNav: 'Chức năng', tabCheck: 'Kiểm tra tin nhắn', tabLookup: 'Tra cứu số, tài khoản, link', tabReport: 'Báo cáo lừa đảo',
    lookupTitle: 'Tra cứu số điện thoại, tài khoản, đường link',
    lookupLead: 'Xem một số điện thoại, số tài khoản, đường link hay tên miền đã bị báo cáo hoặc xác nhận lừa đảo chưa.',
    lookupLabel: 'Số điện thoại, số tài khoản, link hoặc tên miền',
    lookupPlaceholder: 'Ví dụ: 0912 345 678 hoặc vietcombank-xacthuc.com', lookupBtn: 'Tra cứu',
    lookupEmpty: 'Hãy nhập một số điện thoại, số tài khoản hoặc đường link.',
    asType: 'Dạng {type}: {value}', noWarning: 'Không có nghĩa là an toàn: kẻ gian đổi số, đổi link liên tục.',
    reportTitle: 'Báo cáo lừa đảo',
    reportLead: 'Báo số điện thoại, tài khoản hay đường link kẻ gian đã dùng để cảnh báo người khác. Chuyên viên sẽ xác minh.',
    reportTypeLabel: 'Loại', typePhone: 'Số điện thoại', typeBank: 'Số tài khoản ngân hàng', typeUrl: 'Đường link',
    typeDomain: 'Tên miền', typeEmail: 'Email', typeSocial: 'Tài khoản mạng xã hội', typeWallet: 'Ví tiền số',
    reportValueLabel: 'Số, tài khoản hoặc link', reportEvidenceLabel: 'Chuyện gì đã xảy ra? (dán tin nhắn nếu có)',
    reportChannelLabel: 'Họ liên lạc qua', chCall: 'Cuộc gọi', chSms: 'Tin nhắn SMS', chWeb: 'Trang web', chOther: 'Khác',
    reportAmountLabel: 'Số tiền bị mất (đồng, nếu có)',
    reportHelp: 'Không ghi mật khẩu, mã OTP hay số căn cước vào báo cáo.', reportBtn: 'Gửi báo cáo',
    reportEmpty: 'Hãy nhập số, tài khoản hoặc đường link cần báo cáo.',
    skip: 'Bỏ qua, đến nội dung chính', langNav: 'Ngôn ngữ',
    title: 'Kiểm tra tin nhắn',
    lead: 'Dán tin nhắn hoặc đoạn chat bạn nghi ngờ. NiemTin chỉ ra thủ đoạn kẻ xấu dùng, ngay trên chính lời của họ, và nói bạn nên làm gì.',
    modeLegend: 'Bạn muốn kiểm tra', modeMessage: 'Một tin nhắn',
    modeChat: 'Một đoạn chat (mỗi dòng: Tên: lời nhắn)',
    textLabel: 'Nội dung tin nhắn',
    textPlaceholder: 'Ví dụ: Công an quận thông báo bạn liên quan đường dây rửa tiền, chuyển tiền vào tài khoản tạm giữ ngay...',
    textHelp: 'Không ai khác thấy nội dung bạn dán. Đừng dán mật khẩu hay mã OTP.',
    checkBtn: 'Kiểm tra', checking: 'Đang kiểm tra…', exampleBtn: 'Thử một ví dụ', clearBtn: 'Xoá',
    tacticsTitle: 'Thủ đoạn được dùng', evidenceTitle: 'Bằng chứng trong tin nhắn',
    evidenceHelp: 'Những chỗ được tô màu là lời kẻ xấu dùng; màu cho biết thủ đoạn.',
    categoriesTitle: 'Có thể là', indicatorsTitle: 'Số điện thoại, tài khoản, đường link tìm thấy',
    hotlinesTitle: 'Cần giúp đỡ? Gọi ngay',
    neverShare: 'Không bao giờ chuyển tiền, đọc mã OTP hay gửi ảnh riêng tư cho người lạ — dù họ nói là công an, ngân hàng hay thầy cô.',
    footer: 'NiemTin — Liên minh Niềm Tin Số. Kết quả là lời khuyên, không thay cho công an hay ngân hàng.',
    empty: 'Hãy dán một tin nhắn vào ô trên trước đã.',
    emptyMessage: 'Tin nhắn trống: không có gì để kiểm tra.',
    risk: 'Mức rủi ro {risk}/100', turn: 'Lượt {n}',
    becameDangerous: 'Cuộc trò chuyện trở nên nguy hiểm ở lượt {n}.',
    neverDangerous: 'Cuộc trò chuyện chưa tới mức nguy hiểm.',
    networkError: 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.',
    chatFormat: 'Không đọc được đoạn chat: mỗi dòng nên có dạng "Tên: lời nhắn".',
    types: {url: 'Đường link', domain: 'Tên miền', ip: 'Địa chỉ IP', phone: 'Số điện thoại', bank: 'Tài khoản ngân hàng', email: 'Email', social: 'Tài khoản mạng xã hội', wallet: 'Ví tiền số', national_id: 'Số căn cước (đã ẩn)'},
    example: 'Alo, đây là Công an quận Hoàn Kiếm. Em có liên quan đến đường dây rửa tiền, có lệnh bắt tạm giam. Không được nói với ai, kể cả bố mẹ. Thuê phòng khách sạn một mình rồi chuyển 50 triệu vào tài khoản tạm giữ 0123456789 Vietcombank ngay để chứng minh trong sạch.',
    exampleChat: 'Anh Minh: em học lớp mấy rồi? chơi liên quân hay thế\nEm: lớp 7 ạ\nAnh Minh: anh nạp cho em bộ skin mới nhé, nhưng đừng kể với bố mẹ kẻo bị cấm chơi\nAnh Minh: tối nay đợi bố mẹ ngủ rồi gọi video cho anh, gửi anh ảnh em mặc đồ ngủ nhé',
  },
  en: {
    tabDesk: 'Analysts', deskTitle: "Analysts' desk", loginLead: 'Log in to see and verify reports.',
    loginName: 'Login', loginPassword: 'Password', loginBtn: 'Log in', logoutBtn: 'Log out',
    queueStatus: 'Status', stReported: 'Newly reported', stReview: 'Under review', stDisputed: 'Disputed', stConfirmed: 'Confirmed',
    loggedInAs: 'Logged in: {name} ({role})', reasonLabel: 'Reason', confirmBtn: 'Confirm as scam', rejectBtn: 'Reject',
    clearBtnDesk: 'Clear', disputeBtn: 'Record a dispute', reviewBtn: 'Start review', queueEmpty: 'Nothing here.',
    needReason: 'Write a reason before deciding.', reportsCount: '{n} reports from {m} people',
    tabsNav: 'Features', tabCheck: 'Check a message', tabLookup: 'Look up a number, account, link', tabReport: 'Report a scam',
    lookupTitle: 'Look up a phone number, account or link',
    lookupLead: 'See whether a phone number, bank account, link or domain has been reported or confirmed as a scam.',
    lookupLabel: 'Phone number, account number, link or domain',
    lookupPlaceholder: 'For example: 0912 345 678 or vietcombank-xacthuc.com', lookupBtn: 'Look up',
    lookupEmpty: 'Type a phone number, account number or link.',
    asType: 'As {type}: {value}', noWarning: 'This does not mean it is safe: scammers change numbers and links all the time.',
    reportTitle: 'Report a scam',
    reportLead: 'Report the phone number, account or link a scammer used, to warn others. An analyst will verify it.',
    reportTypeLabel: 'Kind', typePhone: 'Phone number', typeBank: 'Bank account number', typeUrl: 'Link',
    typeDomain: 'Domain', typeEmail: 'E-mail', typeSocial: 'Social media account', typeWallet: 'Crypto wallet',
    reportValueLabel: 'Number, account or link', reportEvidenceLabel: 'What happened? (paste the message if you have it)',
    reportChannelLabel: 'They contacted you by', chCall: 'Phone call', chSms: 'SMS', chWeb: 'Website', chOther: 'Other',
    reportAmountLabel: 'Money lost (VND, if any)',
    reportHelp: 'Do not write passwords, OTP codes or ID numbers in the report.', reportBtn: 'Send the report',
    reportEmpty: 'Type the number, account or link to report.',
    skip: 'Skip to the main content', langNav: 'Language',
    title: 'Check a message',
    lead: 'Paste a message or a chat you are unsure about. NiemTin shows the tactics a scammer or abuser uses, on their own words, and what to do.',
    modeLegend: 'You want to check', modeMessage: 'One message',
    modeChat: 'A chat (one line each: Name: message)',
    textLabel: 'The message',
    textPlaceholder: 'For example: This is the district police, you are linked to a money-laundering ring, transfer your money to the holding account now...',
    textHelp: 'Nobody else sees what you paste. Do not paste passwords or OTP codes.',
    checkBtn: 'Check', checking: 'Checking…', exampleBtn: 'Try an example', clearBtn: 'Clear',
    tacticsTitle: 'Tactics used', evidenceTitle: 'Evidence in the message',
    evidenceHelp: 'The coloured words are what the scammer wrote; the colour tells the tactic.',
    categoriesTitle: 'This may be', indicatorsTitle: 'Phone numbers, accounts and links found',
    hotlinesTitle: 'Need help? Call now',
    neverShare: 'Never transfer money, read out an OTP code or send private photos to a stranger — even if they say they are the police, a bank or a teacher.',
    footer: 'NiemTin — Digital Trust Alliance. The result is advice; it does not replace the police or your bank.',
    empty: 'Paste a message in the box above first.',
    emptyMessage: 'The message is empty: nothing to check.',
    risk: 'Risk {risk}/100', turn: 'Turn {n}',
    becameDangerous: 'The chat became dangerous at turn {n}.',
    neverDangerous: 'The chat has not reached the dangerous level.',
    networkError: 'Cannot reach the server. Check your connection and try again.',
    chatFormat: 'Cannot read the chat: each line should look like "Name: message".',
    types: {url: 'Link', domain: 'Domain', ip: 'IP address', phone: 'Phone number', bank: 'Bank account', email: 'E-mail', social: 'Social media account', wallet: 'Crypto wallet', national_id: 'ID number (hidden)'},
    example: 'Hello, this is the Hoan Kiem district police. You are linked to a money-laundering ring and there is an arrest warrant. Do not tell anyone, not even your parents. Take a hotel room alone and transfer 50 million to the holding account 0123456789 at Vietcombank now to prove your innocence.',
    exampleChat: 'Minh: what grade are you in? you play so well\nKid: grade 7\nMinh: I will buy you a new skin, but do not tell your parents or they will ban the game\nMinh: tonight wait until your parents sleep and video call me, send me a photo of you in your pyjamas',
  },
};

const TACTIC_CLASS = {fear: 't-fear', lure: 't-lure', control: 't-control'};
let lang = 'vi';

function t(key, vars) {
  let s = STRINGS[lang][key] || STRINGS.vi[key] || key;
  if (vars) for (const k of Object.keys(vars)) s = s.replace('{' + k + '}', String(vars[k]));
  return s;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}

function $(id) { return document.getElementById(id); }

function setLang(l) {
  lang = l;
  document.documentElement.lang = l;
  try { localStorage.setItem('niemtin.lang', l); } catch (e) { /* private mode */ }
  $('lang-vi').setAttribute('aria-pressed', String(l === 'vi'));
  $('lang-en').setAttribute('aria-pressed', String(l === 'en'));
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
  for (const n of document.querySelectorAll('[data-i18n-aria]')) n.setAttribute('aria-label', t(n.dataset.i18nAria));
  document.title = 'NiemTin — ' + t('title');
  if (lastRequest) runCheck(lastRequest); /* re-render the verdict in the new language */
  const cur = currentPage();
  if (pageShown && PAGE_HOOKS[cur.page]) PAGE_HOOKS[cur.page](cur.arg); /* and a drawn page */
}

/* One page at a time, chosen by the URL fragment (#check, #lookup, #report,
 * #rumours, #desk, #member, #admin, #indicator/ID).  Pages drawn by the other scripts
 * (desk.js, member.js, admin.js) register a function in PAGE_HOOKS, called
 * with what follows the page name in the fragment. */
const PAGES = ['check', 'lookup', 'report', 'rumours', 'desk', 'member', 'admin', 'indicator'];
const PAGE_HOOKS = {};
let pageShown = null;

function currentPage() {
  const parts = (location.hash || '#check').slice(1).split('/');
  const page = PAGES.includes(parts[0]) ? parts[0] : 'check';
  let arg = parts.slice(1).join('/');
  try { arg = decodeURIComponent(arg); } catch (e) { /* keep it as it is */ }
  return {page, arg};
}

function showPage() {
  const {page, arg} = currentPage();
  pageShown = page;
  if (page === 'desk') refreshDesk();
  if (PAGE_HOOKS[page]) PAGE_HOOKS[page](arg);
  for (const p of PAGES) {
    $('page-' + p).hidden = p !== page;
    const tab = $('tab-' + p);
    if (!tab) continue;
    if (p === page) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

function formError(id, msg) {
  const e = $(id);
  e.textContent = msg || '';
  e.hidden = !msg;
}

async function postJSON(url, body) {
  const resp = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  return {ok: resp.ok, status: resp.status, data: await resp.json()};
}

/* A registry answer (GET /api/v1/lookup) as a verdict box per type. */
function answerBox(a) {
  const level = a.status === 'confirmed' || a.status === 'disputed' ? 'dangerous'
              : a.status === 'reported' || a.status === 'under_review' ? 'suspicious' : 'safe';
  const box = el('div', {class: 'verdict level-' + level});
  box.append(el('h2', null, a.verdict));
  box.append(el('p', {class: 'risk'}, t('asType', {type: STRINGS[lang].types[a.type] || a.type, value: a.canonical})));
  const ul = el('ul', {class: 'matches'});
  for (const m of a.matches || []) ul.append(el('li', null, el('code', null, m.value), ' — ' + m.explanation + ' ',
    el('a', {href: '#indicator/' + m.type + '/' + encodeURIComponent(m.value), class: 'details'}, t('detailsLink'))));
  if (ul.children.length) box.append(ul);
  if (!a.status) box.append(el('p', {class: 'help'}, t('noWarning')));
  return box;
}

async function onLookup(ev) {
  ev.preventDefault();
  const v = $('lookup-value').value.trim();
  if (!v) { formError('lookup-error', t('lookupEmpty')); return; }
  try {
    const resp = await fetch('/api/v1/lookup?lang=' + lang + '&value=' + encodeURIComponent(v));
    const data = await resp.json();
    if (!resp.ok) { formError('lookup-error', data.error ? data.error.message : String(resp.status)); return; }
    formError('lookup-error', '');
    const out = $('lookup-result');
    out.replaceChildren(...data.results.map(answerBox));
    out.hidden = false;
  } catch (e) { formError('lookup-error', t('networkError')); }
}

async function onReport(ev) {
  ev.preventDefault();
  const value = $('report-value').value.trim();
  if (!value) { formError('report-error', t('reportEmpty')); return; }
  const body = {type: $('report-type').value, value, channel: $('report-channel').value, lang};
  const evidence = $('report-evidence').value.trim();
  if (evidence) body.evidence = evidence;
  const amount = $('report-amount').value;
  if (amount) body.amount = Math.max(0, Math.round(Number(amount)));
  try {
    const r = await postJSON('/api/v1/reports', body);
    if (!r.ok) { formError('report-error', r.data.error ? r.data.error.message : String(r.status)); return; }
    formError('report-error', '');
    const out = $('report-result');
    out.replaceChildren(el('div', {class: 'verdict level-safe'}, el('h2', null, r.data.message)),
                        ...(r.data.indicator ? [answerBox(r.data.indicator)] : []));
    out.hidden = false;
    $('report-form').reset();
  } catch (e) { formError('report-error', t('networkError')); }
}

/* ---- the analysts' desk: login (session cookie + CSRF token), queue, decisions ---- */
let csrf = null;

const ACTIONS = {reported: ['review', 'confirm', 'reject'], under_review: ['confirm', 'reject'],
                 disputed: ['confirm', 'clear'], confirmed: ['dispute']};
const ACTION_LABEL = {review: 'reviewBtn', confirm: 'confirmBtn', reject: 'rejectBtn', clear: 'clearBtnDesk', dispute: 'disputeBtn'};

async function refreshDesk() {
  try {
    const me = await (await fetch('/api/v1/me')).json();
    const staff = me.role === 'analyst' || me.role === 'admin';
    csrf = me.csrf || null;
    $('login-form').hidden = staff;
    $('desk').hidden = !staff;
    if (staff) {
      $('desk-who').textContent = t('loggedInAs', {name: me.name, role: me.role}) + ' ';
      loadQueue();
    }
  } catch (e) { formError('login-error', t('networkError')); }
}

async function loadQueue() {
  const status = $('queue-status').value;
  const q = new URLSearchParams({status, lang});
  if ($('queue-type').value) q.set('type', $('queue-type').value);
  if ($('queue-q').value.trim()) q.set('q', $('queue-q').value.trim());
  const resp = await fetch('/api/v1/review?' + q);
  const data = await resp.json();
  if (!resp.ok) { formError('desk-error', data.error ? data.error.message : String(resp.status)); return; }
  formError('desk-error', '');
  const items = data.indicators.map(ind => {
    const li = el('li', {class: 'queue-item'});
    li.append(el('p', null, el('strong', null, (STRINGS[lang].types[ind.type] || ind.type) + ': '), el('code', null, ind.value), ' ',
      el('a', {href: '#indicator/' + ind.id, class: 'details'}, t('detailsLink'))));
    li.append(el('p', {class: 'help'}, t('reportsCount', {n: ind.reports, m: ind.reporters}) + ' · ' + ind.last_seen));
    const rid = 'reason-' + ind.id;
    li.append(el('label', {for: rid, class: 'field-label'}, t('reasonLabel')));
    const reason = el('input', {id: rid, type: 'text'});
    li.append(reason);
    const acts = el('div', {class: 'actions'});
    for (const a of ACTIONS[ind.status] || []) {
      const b = el('button', {type: 'button', class: a === 'confirm' ? 'primary' : 'secondary', 'data-action': a}, t(ACTION_LABEL[a]));
      b.addEventListener('click', () => decide(ind.id, a, reason.value));
      acts.append(b);
    }
    li.append(acts);
    return li;
  });
  $('queue').replaceChildren(...(items.length ? items : [el('li', null, t('queueEmpty'))]));
}

async function decide(id, action, reason) {
  if (!reason.trim()) { formError('desk-error', t('needReason')); return; }
  const resp = await fetch('/api/v1/review/' + id + '?lang=' + lang, {method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf || ''},
    body: JSON.stringify({action, reason})});
  const data = await resp.json();
  if (!resp.ok) { formError('desk-error', data.error ? data.error.message : String(resp.status)); return; }
  loadQueue();
}

async function onLogin(ev) {
  ev.preventDefault();
  const r = await postJSON('/api/v1/login?lang=' + lang, {login: $('login-name').value, password: $('login-password').value});
  $('login-password').value = '';
  if (!r.ok) { formError('login-error', r.data.error ? r.data.error.message : String(r.status)); return; }
  formError('login-error', '');
  refreshDesk();
}

async function onLogout() {
  await fetch('/api/v1/logout', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf || ''}, body: '{}'});
  csrf = null;
  refreshDesk();
}

function mode() { return document.querySelector('input[name=mode]:checked').value; }

/* "Name: text" lines -> turns; a line without "Name:" continues the last turn. */
function parseChat(s) {
  const turns = [];
  for (const raw of s.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([^:]{1,40}):\s*(.*)$/.exec(line);
    if (m && m[2]) turns.push({speaker: m[1].trim(), text: m[2]});
    else if (turns.length) turns[turns.length - 1].text += '\n' + line;
    else turns.push({speaker: '', text: line});
  }
  return turns;
}

/* Text with evidence highlighted: spans are UTF-8 byte offsets. */
function highlighted(text, rules) {
  const bytes = new TextEncoder().encode(text);
  const owner = new Array(bytes.length).fill(null);
  for (const r of rules) for (const sp of r.evidence || [])
    for (let i = sp.start; i < sp.end && i < bytes.length; i++) if (!owner[i]) owner[i] = r;
  const dec = new TextDecoder();
  const box = el('p', {class: 'msg'});
  let i = 0;
  while (i < bytes.length) {
    let j = i;
    while (j < bytes.length && owner[j] === owner[i]) j++;
    const piece = dec.decode(bytes.subarray(i, j));
    const r = owner[i];
    if (r) {
      const m = el('mark', {class: TACTIC_CLASS[r.tactic] || 't-other', title: r.description}, piece);
      m.append(el('span', {class: 'sr-only'}, ' (' + r.description + ')'));
      box.append(m);
    } else box.append(piece);
    i = j;
  }
  return box;
}

function showError(msg) {
  const e = $('text-error');
  e.textContent = msg;
  e.hidden = !msg;
  $('text').setAttribute('aria-invalid', msg ? 'true' : 'false');
}

function fill(list, items) {
  list.replaceChildren(...items);
  list.closest('section').hidden = items.length === 0;
}

function render(res, turns) {
  const sec = $('result');
  sec.hidden = false;
  const v = $('verdict');
  v.className = 'verdict level-' + res.level;
  $('verdict-title').textContent = res.level_text || res.level;
  $('verdict-risk').textContent = res.empty ? t('emptyMessage') : t('risk', {risk: res.risk});
  $('meter-fill').className = 'meter-fill w' + Math.round(res.risk / 10) * 10;
  let advice = res.advice || '';
  if (turns) advice = (res.dangerous_turn != null ? t('becameDangerous', {n: res.dangerous_turn + 1})
                                                   : t('neverDangerous')) + ' ' + advice;
  $('verdict-advice').textContent = advice;

  const tactics = res.tactics || [];
  fill($('tactics'), tactics.map(x => el('li', {class: TACTIC_CLASS[x.id] || ''},
    el('strong', null, x.name + ' '), el('span', {class: 'score'}, x.score + '/100'),
    el('p', null, x.explain))));

  const parts = turns ? res.turns : [res];
  const texts = turns ? turns.map(x => x.text) : [lastRequest.text];
  const ev = [];
  const seen = new Set();
  parts.forEach((p, k) => {
    if (!(p.rules || []).length && turns) return;
    if (!(p.rules || []).length) return;
    const block = el('div', {class: 'turn'});
    if (turns) block.append(el('p', {class: 'who'}, t('turn', {n: k + 1}) + (turns[k].speaker ? ' — ' + turns[k].speaker : '')));
    block.append(highlighted(texts[k], p.rules));
    ev.push(block);
    for (const r of p.rules) seen.add(r.tactic);
  });
  $('evidence').replaceChildren(...ev);
  $('evidence-box').hidden = ev.length === 0;
  $('legend').replaceChildren(...tactics.filter(x => seen.has(x.id)).map(x =>
    el('span', {class: 'key ' + (TACTIC_CLASS[x.id] || '')}, x.name)));

  const cats = new Map();
  for (const p of parts) for (const c of p.categories || []) if (!cats.has(c.id)) cats.set(c.id, c);
  fill($('categories'), [...cats.values()].map(c => el('li', null, el('strong', null, c.name), el('p', null, c.advice))));

  const inds = [];
  for (const p of parts) for (const x of p.indicators || []) inds.push(x);
  fill($('indicators'), inds.map(x => el('li', null,
    el('span', {class: 'itype'}, (STRINGS[lang].types[x.type] || x.type) + ': '), el('code', null, x.value))));

  const hl = (parts[0] && parts[0].hotlines) || res.hotlines || [
    {number: '111', name: lang === 'en' ? 'National child protection hotline' : 'Tổng đài quốc gia bảo vệ trẻ em'},
    {number: '113', name: lang === 'en' ? 'Police' : 'Công an'}];
  $('hotlines').replaceChildren(...hl.map(h => el('li', null,
    el('a', {href: 'tel:' + h.number, class: 'tel'}, h.number), ' ' + h.name)));
  if (typeof renderCheckFactChecks === 'function') renderCheckFactChecks(res); /* claims.js */
  sec.hidden = false;
}

let lastRequest = null;

async function runCheck(req) {
  const btn = $('check-btn');
  btn.disabled = true;
  btn.textContent = t('checking');
  try {
    const url = req.turns ? '/api/v1/check/conversation' : '/api/v1/check';
    const body = req.turns ? {turns: req.turns, lang} : {text: req.text, lang};
    const resp = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    const data = await resp.json();
    if (!resp.ok) { showError(data.error ? data.error.message : String(resp.status)); return; }
    showError('');
    render(data, req.turns);
  } catch (e) {
    showError(t('networkError'));
  } finally {
    btn.disabled = false;
    btn.textContent = t('checkBtn');
  }
}

function onSubmit(ev) {
  ev.preventDefault();
  const text = $('text').value;
  if (!text.trim()) { showError(t('empty')); $('text').focus(); return; }
  if (mode() === 'chat') {
    const turns = parseChat(text);
    if (!turns.length) { showError(t('chatFormat')); return; }
    lastRequest = {turns};
  } else {
    lastRequest = {text};
  }
  runCheck(lastRequest);
}

document.addEventListener('DOMContentLoaded', () => {
  let saved = null;
  try { saved = localStorage.getItem('niemtin.lang'); } catch (e) { /* private mode */ }
  const q = new URLSearchParams(location.search).get('lang');
  setLang(q === 'en' || q === 'vi' ? q : saved === 'en' ? 'en' : 'vi');
  $('lang-vi').addEventListener('click', () => setLang('vi'));
  $('lang-en').addEventListener('click', () => setLang('en'));
  $('check-form').addEventListener('submit', onSubmit);
  $('lookup-form').addEventListener('submit', onLookup);
  $('report-form').addEventListener('submit', onReport);
  $('login-form').addEventListener('submit', onLogin);
  $('logout-btn').addEventListener('click', onLogout);
  $('queue-status').addEventListener('change', loadQueue);
  window.addEventListener('hashchange', showPage);
  showPage();
  $('example-btn').addEventListener('click', () => {
    $('text').value = mode() === 'chat' ? t('exampleChat') : t('example');
    showError('');
    $('text').focus();
  });
  $('clear-btn').addEventListener('click', () => {
    $('text').value = '';
    $('result').hidden = true;
    lastRequest = null;
    showError('');
    $('text').focus();
  });
});
