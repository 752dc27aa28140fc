/*
 * web/member.js - the member page (#member): a member organisation's person
 * logs in (a web session for an account with role member, which belongs to
 * the organisation) and sees the organisation's API keys with their usage,
 * creates a key (its secret shown once, here only), revokes one, and sees how
 * to pull the early-warning feed with a key, with the feed's current cursor.
 * An administrator sees every organisation's keys here too.
 *
 * Uses desk.js's helpers (api, whoAmI, loginForm, whoLine, table, when).
 */
'use strict';

Object.assign(STRINGS.vi, {
  memberTitle: 'Trang thành viên', memberLead: 'Tổ chức thành viên: khoá API, dòng cảnh báo (feed) và lượt dùng.',
  memberLogin: 'Nhân viên của tổ chức thành viên đăng nhập để quản lý khoá API.',
  memberNoOrg: 'Tài khoản này không thuộc tổ chức thành viên nào.',
  memberOrg: 'Tổ chức: {org}', memberAllOrgs: 'Mọi tổ chức (quản trị viên)',
  usageLine: '{active} khoá đang dùng, tổng {uses} lượt gọi API.',
  keysTitle: 'Khoá API', colPrefix: 'Mã khoá', colLabel: 'Ghi chú', colCreated: 'Tạo lúc', colLastUsed: 'Dùng lần cuối',
  colUses: 'Lượt dùng', colState: 'Trạng thái', colOrg: 'Tổ chức', colRole: 'Vai trò', keyActive: 'đang dùng', keyRevoked: 'đã thu hồi',
  keyExpired: 'hết hạn', revokeBtn: 'Thu hồi', revokeConfirm: 'Thu hồi khoá {prefix}? Hệ thống dùng khoá này sẽ bị từ chối ngay.',
  newKeyTitle: 'Tạo khoá mới', keyLabel: 'Ghi chú (khoá dùng cho việc gì)', keyDays: 'Hết hạn sau (ngày, 0: không hết hạn)',
  createKeyBtn: 'Tạo khoá', newKeyShown: 'Khoá mới — chỉ hiện một lần này, hãy lưu lại ngay:',
  feedTitle: 'Dòng cảnh báo (feed)',
  feedHelp: 'Hệ thống của bạn gọi feed bằng khoá API, bắt đầu từ since=0, rồi mỗi lần truyền lại giá trị "next" nhận được. Con trỏ (cursor) do bạn giữ; chạy lại từ 0 luôn cho đúng danh sách hiện tại.',
  feedHead: 'Trang đầu của feed: {n} thay đổi, con trỏ tiếp theo next = {next}.', feedBtn: 'Xem trang đầu của feed',
});
Object.assign(STRINGS.en, {
  memberTitle: 'Member page', memberLead: 'Member organisations: API keys, the early-warning feed and usage.',
  memberLogin: 'Staff of a member organisation log in to manage its API keys.',
  memberNoOrg: 'This account belongs to no member organisation.',
  memberOrg: 'Organisation: {org}', memberAllOrgs: 'Every organisation (administrator)',
  usageLine: '{active} keys in use, {uses} API calls in all.',
  keysTitle: 'API keys', colPrefix: 'Key', colLabel: 'Label', colCreated: 'Created', colLastUsed: 'Last used',
  colUses: 'Uses', colState: 'State', colOrg: 'Organisation', colRole: 'Role', keyActive: 'active', keyRevoked: 'revoked',
  keyExpired: 'expired', revokeBtn: 'Revoke', revokeConfirm: 'Revoke key {prefix}? Systems using it are refused at once.',
  newKeyTitle: 'Create a key', keyLabel: 'Label (what the key is for)', keyDays: 'Expires after (days, 0: never)',
  createKeyBtn: 'Create key', newKeyShown: 'The new key — shown this once only, store it now:',
  feedTitle: 'The early-warning feed',
  feedHelp: 'Your system calls the feed with an API key, from since=0, then each time passes back the "next" it got. The cursor is yours to keep; replaying from 0 always gives the current list.',
  feedHead: 'The feed\'s first page: {n} changes, next cursor next = {next}.', feedBtn: 'Show the feed\'s first page',
});

let newKeySecret = null; /* shown once after creation, then forgotten */

async function showMember() {
  const box = $('member');
  const me = await whoAmI();
  if (me.kind !== 'user') {
    showLogin(box, 'member', 'memberLogin', showMember);
    return;
  }
  const head = whoLine(me, showMember);
  const r = await api('GET', '/api/v1/org/keys');
  if (!r.ok) {
    box.replaceChildren(head, el('p', {class: 'error', role: 'alert', id: 'member-error'},
      r.status === 403 && me.role !== 'member' && !me.org ? t('memberNoOrg') : errText(r)));
    return;
  }
  const d = r.data;
  const parts = [head, el('p', {id: 'member-org'}, el('strong', null, d.org ? t('memberOrg', {org: d.org}) : t('memberAllOrgs'))),
    el('p', {id: 'member-usage'}, t('usageLine', {active: d.usage.active_keys, uses: d.usage.uses}))];
  if (newKeySecret) {
    parts.push(el('div', {class: 'box', id: 'new-key'}, el('p', null, el('strong', null, t('newKeyShown'))),
      el('code', {class: 'secret', id: 'new-key-value'}, newKeySecret)));
    newKeySecret = null;
  }
  const now = Date.now();
  const rows = d.keys.map(k => {
    const state = k.revoked_at ? 'keyRevoked' : k.expires_at && Date.parse(k.expires_at) < now ? 'keyExpired' : 'keyActive';
    let action = '';
    if (!k.revoked_at) {
      action = el('button', {type: 'button', class: 'secondary', 'data-revoke': k.prefix}, t('revokeBtn'));
      action.addEventListener('click', async () => {
        if (!window.confirm(t('revokeConfirm', {prefix: k.prefix}))) return;
        const res = await api('DELETE', '/api/v1/org/keys/' + encodeURIComponent(k.prefix));
        if (!res.ok) { showFormError($('keys-error'), errText(res)); return; }
        showMember();
      });
    }
    const row = [el('code', null, k.prefix + '…'), k.label, when(k.created_at), when(k.last_used_at), String(k.uses),
      el('span', {class: 'badge ' + (state === 'keyActive' ? 'on' : 'off')}, t(state)), action];
    if (!d.org) row.splice(1, 0, k.org + ' (' + k.role + ')');
    return row;
  });
  const heads = ['colPrefix', 'colLabel', 'colCreated', 'colLastUsed', 'colUses', 'colState', 'none'];
  if (!d.org) heads.splice(1, 0, 'colOrg');
  const keysErr = el('p', {class: 'error', role: 'alert', id: 'keys-error'});
  keysErr.hidden = true;
  parts.push(el('section', {class: 'box', id: 'keys'}, el('h2', null, t('keysTitle')), table(heads, rows, {id: 'keys-table'}), keysErr));

  if (d.org) {
    const label = el('input', {id: 'key-label', type: 'text', autocomplete: 'off'});
    const days = el('input', {id: 'key-days', type: 'number', min: '0', step: '1', value: '0', inputmode: 'numeric'});
    const err = el('p', {class: 'error', role: 'alert', id: 'key-error'});
    err.hidden = true;
    const f = el('form', {id: 'key-form', novalidate: ''}, el('h2', null, t('newKeyTitle')),
      el('label', {for: 'key-label', class: 'field-label'}, t('keyLabel')), label,
      el('label', {for: 'key-days', class: 'field-label'}, t('keyDays')), days, err,
      el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', id: 'key-create-btn'}, t('createKeyBtn'))));
    f.addEventListener('submit', async ev => {
      ev.preventDefault();
      const body = {days: Number(days.value || 0)};
      if (label.value.trim()) body.label = label.value.trim();
      const res = await api('POST', '/api/v1/org/keys', body);
      if (!res.ok) { showFormError(err, errText(res)); return; }
      newKeySecret = res.data.key;
      showMember();
    });
    parts.push(f);
  }

  const base = location.origin;
  const feedOut = el('p', {id: 'feed-head', 'aria-live': 'polite'});
  const feedBtn = el('button', {type: 'button', class: 'secondary', id: 'feed-btn'}, t('feedBtn'));
  feedBtn.addEventListener('click', async () => {
    const res = await api('GET', '/api/v1/feed?since=0&limit=1000');
    feedOut.textContent = res.ok ? t('feedHead', {n: res.data.changes.length, next: res.data.next}) : errText(res);
  });
  parts.push(el('section', {class: 'box', id: 'feed'}, el('h2', null, t('feedTitle')), el('p', null, t('feedHelp')),
    el('pre', {class: 'example', id: 'feed-example'},
      'curl -H "Authorization: Bearer nt_live_…" \\\n  "' + base + '/api/v1/feed?since=0&limit=1000"\n' +
      'curl -H "Authorization: Bearer nt_live_…" -H "Content-Type: application/json" \\\n  -d \'{"values":["0912345678","example.com"]}\' "' +
      base + '/api/v1/lookup/batch"'),
    el('div', {class: 'actions'}, feedBtn), feedOut));
  box.replaceChildren(...parts);
}

PAGE_HOOKS.member = () => showMember();
