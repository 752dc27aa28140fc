/*
 * web/admin.js - the administrators' page (#admin): people (create with a
 * role and an organisation, change the role, disable or enable, reset the
 * password), organisations, settings (rate limits per role, sessions,
 * login throttling) and the newest audit-log entries.  Every change is a
 * POST with the session's CSRF token; the server checks the role again and
 * writes the audit entry.
 *
 * Uses desk.js's helpers (api, whoAmI, loginForm, whoLine, table, when).
 */
'use strict';

Object.assign(STRINGS.vi, {
  adminTitle: 'Quản trị', adminLead: 'Tài khoản, vai trò, tổ chức, cài đặt và nhật ký.',
  adminLogin: 'Quản trị viên đăng nhập để quản lý tài khoản.', adminOnly: 'Trang này chỉ dành cho quản trị viên.',
  usersTitle: 'Người dùng', colLogin: 'Tên đăng nhập', colName: 'Tên', colLastLogin: 'Đăng nhập lần cuối',
  userEnabled: 'đang hoạt động', userDisabled: 'đã khoá', disableBtn: 'Khoá', enableBtn: 'Mở khoá', setRoleBtn: 'Đổi vai trò',
  newPassword: 'Mật khẩu mới cho {login}', resetBtn: 'Đặt lại mật khẩu', resetDone: 'Đã đặt lại mật khẩu của {login}.',
  newUserTitle: 'Thêm người dùng', userLogin: 'Tên đăng nhập (a-z 0-9 . _ -)', userDisplay: 'Tên hiển thị',
  userPassword: 'Mật khẩu (ít nhất 10 ký tự)', userRole: 'Vai trò', userOrg: 'Tổ chức (bắt buộc với thành viên)', noOrg: '(không)',
  addUserBtn: 'Thêm', roleMember: 'thành viên', roleAnalyst: 'chuyên viên', roleAdmin: 'quản trị viên',
  orgsTitle: 'Tổ chức thành viên', colKind: 'Loại', orgName: 'Tên tổ chức', orgKind: 'Loại tổ chức', addOrgBtn: 'Thêm tổ chức',
  kindBank: 'ngân hàng', kindTelco: 'nhà mạng', kindPlatform: 'nền tảng', kindOther: 'khác',
  settingsTitle: 'Cài đặt', colKey: 'Khoá', colValue: 'Giá trị', colHelp: 'Ý nghĩa', saveBtn: 'Lưu', saved: 'Đã lưu {key} = {value}.',
  auditTitle: 'Nhật ký (20 mục mới nhất)', colObject: 'Đối tượng',
  adminKeyTitle: 'Tạo khoá API cho một tổ chức', allKeysLink: 'Mọi khoá API',
});
Object.assign(STRINGS.en, {
  adminTitle: 'Administration', adminLead: 'Accounts, roles, organisations, settings and the audit log.',
  adminLogin: 'Administrators log in to manage accounts.', adminOnly: 'This page is for administrators only.',
  usersTitle: 'People', colLogin: 'Login', colName: 'Name', colLastLogin: 'Last login',
  userEnabled: 'enabled', userDisabled: 'disabled', disableBtn: 'Disable', enableBtn: 'Enable', setRoleBtn: 'Change role',
  newPassword: 'New password for {login}', resetBtn: 'Reset password', resetDone: '{login}\'s password was reset.',
  newUserTitle: 'Add a person', userLogin: 'Login (a-z 0-9 . _ -)', userDisplay: 'Display name',
  userPassword: 'Password (at least 10 characters)', userRole: 'Role', userOrg: 'Organisation (required for members)', noOrg: '(none)',
  addUserBtn: 'Add', roleMember: 'member', roleAnalyst: 'analyst', roleAdmin: 'administrator',
  orgsTitle: 'Member organisations', colKind: 'Kind', orgName: 'Organisation name', orgKind: 'Kind', addOrgBtn: 'Add organisation',
  kindBank: 'bank', kindTelco: 'telco', kindPlatform: 'platform', kindOther: 'other',
  settingsTitle: 'Settings', colKey: 'Key', colValue: 'Value', colHelp: 'Meaning', saveBtn: 'Save', saved: 'Saved {key} = {value}.',
  auditTitle: 'Audit log (the 20 newest entries)', colObject: 'Object',
  adminKeyTitle: 'Create an API key for an organisation', allKeysLink: 'Every API key',
});

const ROLES = [['member', 'roleMember'], ['analyst', 'roleAnalyst'], ['admin', 'roleAdmin']];
const KINDS = [['bank', 'kindBank'], ['telco', 'kindTelco'], ['platform', 'kindPlatform'], ['other', 'kindOther']];

function select(id, options, value) {
  const s = el('select', {id});
  for (const [v, label] of options) {
    const o = el('option', {value: v}, t(label)); /* a name with no string is itself */
    if (v === value) o.selected = true;
    s.append(o);
  }
  return s;
}

function field(id, labelKey, input) {
  return [el('label', {for: id, class: 'field-label'}, t(labelKey)), input];
}

async function showAdmin() {
  const box = $('admin');
  const me = await whoAmI();
  if (me.kind !== 'user') { showLogin(box, 'admin', 'adminLogin', showAdmin); return; }
  const head = whoLine(me, showAdmin);
  if (me.role !== 'admin') {
    box.replaceChildren(head, el('p', {class: 'error', role: 'alert', id: 'admin-error'}, t('adminOnly')));
    return;
  }
  const [users, orgs, settings, audit] = await Promise.all([api('GET', '/api/v1/admin/users'),
    api('GET', '/api/v1/admin/orgs'), api('GET', '/api/v1/admin/settings'), api('GET', '/api/v1/audit?last=20')]);
  const err = el('p', {class: 'error', role: 'alert', id: 'admin-error'});
  err.hidden = true;
  const note = el('p', {class: 'help', id: 'admin-note', 'aria-live': 'polite'});
  const fail = r => { showFormError(err, errText(r)); };
  const bad = [users, orgs, settings, audit].find(r => !r.ok);
  if (bad) { box.replaceChildren(head, err); fail(bad); return; }
  const orgNames = orgs.data.orgs.map(o => [o.name, o.name]);

  /* people: one row each, with its own controls */
  const rows = users.data.users.map(u => {
    const sid = 'role-' + u.login;
    const roleSel = select(sid, ROLES, u.role);
    roleSel.setAttribute('aria-label', t('userRole') + ' ' + u.login);
    const setRole = el('button', {type: 'button', class: 'secondary', 'data-user': u.login, 'data-do': 'role'}, t('setRoleBtn'));
    setRole.addEventListener('click', async () => {
      const r = await api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.login), {role: roleSel.value});
      if (!r.ok) fail(r); else showAdmin();
    });
    const toggle = el('button', {type: 'button', class: 'secondary', 'data-user': u.login, 'data-do': 'toggle'},
      t(u.disabled ? 'enableBtn' : 'disableBtn'));
    toggle.addEventListener('click', async () => {
      const r = await api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.login), {disabled: !u.disabled});
      if (!r.ok) fail(r); else showAdmin();
    });
    const pw = el('input', {type: 'password', id: 'pw-' + u.login, autocomplete: 'new-password', 'aria-label': t('newPassword', {login: u.login})});
    const reset = el('button', {type: 'button', class: 'secondary', 'data-user': u.login, 'data-do': 'reset'}, t('resetBtn'));
    reset.addEventListener('click', async () => {
      const r = await api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.login), {password: pw.value});
      pw.value = '';
      if (!r.ok) { fail(r); return; }
      showFormError(err, '');
      note.textContent = t('resetDone', {login: u.login});
    });
    /* a card per person (a table of controls does not fit a phone) */
    return el('li', {class: 'card', 'data-login': u.login},
      el('p', null, el('strong', null, u.login), ' — ' + u.display_name + (u.org ? ' · ' + u.org : '') + ' ',
        el('span', {class: 'badge ' + (u.disabled ? 'off' : 'on')}, t(u.disabled ? 'userDisabled' : 'userEnabled'))),
      el('p', {class: 'help'}, t('colLastLogin') + ': ' + when(u.last_login_at)),
      el('div', {class: 'inline'}, roleSel, setRole, toggle),
      el('div', {class: 'inline'}, pw, reset));
  });
  const people = el('section', {class: 'box', id: 'users'}, el('h2', null, t('usersTitle')),
    el('ul', {class: 'cards', id: 'users-list'}, ...rows));

  /* a new person */
  const nu = {login: el('input', {id: 'new-login', type: 'text', autocomplete: 'off'}),
              display: el('input', {id: 'new-display', type: 'text', autocomplete: 'off'}),
              password: el('input', {id: 'new-password', type: 'password', autocomplete: 'new-password'}),
              role: select('new-role', ROLES, 'analyst'),
              org: select('new-org', [['', 'noOrg'], ...orgNames], '')};
  const userForm = el('form', {id: 'user-form', novalidate: ''}, el('h2', null, t('newUserTitle')),
    ...field('new-login', 'userLogin', nu.login), ...field('new-display', 'userDisplay', nu.display),
    ...field('new-password', 'userPassword', nu.password), ...field('new-role', 'userRole', nu.role),
    ...field('new-org', 'userOrg', nu.org),
    el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', id: 'add-user-btn'}, t('addUserBtn'))));
  userForm.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {login: nu.login.value.trim(), password: nu.password.value, role: nu.role.value};
    if (nu.display.value.trim()) body.display_name = nu.display.value.trim();
    if (nu.org.value) body.org = nu.org.value;
    const r = await api('POST', '/api/v1/admin/users', body);
    nu.password.value = '';
    if (!r.ok) fail(r); else showAdmin();
  });

  /* organisations */
  const on = el('input', {id: 'org-name', type: 'text', autocomplete: 'off'});
  const ok = select('org-kind', KINDS, 'bank');
  const orgForm = el('form', {id: 'org-form', novalidate: ''}, ...field('org-name', 'orgName', on), ...field('org-kind', 'orgKind', ok),
    el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'secondary', id: 'add-org-btn'}, t('addOrgBtn'))));
  orgForm.addEventListener('submit', async ev => {
    ev.preventDefault();
    const r = await api('POST', '/api/v1/admin/orgs', {name: on.value.trim(), kind: ok.value});
    if (!r.ok) fail(r); else showAdmin();
  });
  /* API keys of any organisation: create (member or analyst role); the
   * list, usage and revocation are on the member page, which shows an
   * administrator every key */
  const kOrg = select('admin-key-org', orgNames, orgNames.length ? orgNames[0][0] : '');
  const kRole = select('admin-key-role', ROLES.slice(0, 2), 'member');
  const kLabel = el('input', {id: 'admin-key-label', type: 'text', autocomplete: 'off'});
  const kOut = el('div', {id: 'admin-key-out', 'aria-live': 'polite'});
  const keyForm = el('form', {id: 'admin-key-form', novalidate: ''}, el('h3', null, t('adminKeyTitle')),
    ...field('admin-key-org', 'colOrg', kOrg), ...field('admin-key-role', 'colRole', kRole),
    ...field('admin-key-label', 'keyLabel', kLabel), kOut,
    el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'secondary', id: 'admin-key-btn'}, t('createKeyBtn')),
      el('a', {href: '#member', class: 'button'}, t('allKeysLink'))));
  keyForm.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = {org: kOrg.value, role: kRole.value};
    if (kLabel.value.trim()) body.label = kLabel.value.trim();
    const r = await api('POST', '/api/v1/org/keys', body);
    if (!r.ok) { fail(r); return; }
    showFormError(err, '');
    kLabel.value = '';
    kOut.replaceChildren(el('p', null, el('strong', null, t('newKeyShown'))), el('code', {class: 'secret', id: 'admin-new-key'}, r.data.key));
  });
  const orgSec = el('section', {class: 'box', id: 'orgs'}, el('h2', null, t('orgsTitle')),
    table(['colOrg', 'colKind', 'colCreated'], orgs.data.orgs.map(o => [o.name, t(KINDS.find(k => k[0] === o.kind)?.[1] || o.kind), when(o.created_at)])),
    orgForm, keyForm);

  /* settings */
  const setRows = settings.data.settings.map(s => {
    const input = el('input', {type: 'text', id: 'set-' + s.key, value: s.value, 'aria-label': s.key});
    const b = el('button', {type: 'button', class: 'secondary', 'data-setting': s.key}, t('saveBtn'));
    b.addEventListener('click', async () => {
      const r = await api('POST', '/api/v1/admin/settings', {key: s.key, value: input.value.trim()});
      if (!r.ok) { fail(r); return; }
      showFormError(err, '');
      note.textContent = t('saved', r.data);
    });
    return [el('code', null, s.key), el('div', {class: 'inline'}, input, b), s.help];
  });
  const setSec = el('section', {class: 'box', id: 'settings'}, el('h2', null, t('settingsTitle')),
    table(['colKey', 'colValue', 'colHelp'], setRows));

  const auditSec = el('section', {class: 'box', id: 'audit'}, el('h2', null, t('auditTitle')),
    table(['colWhen', 'colWho', 'colWhat', 'colObject'],
      audit.data.entries.slice().reverse().map(e => [when(e.at), e.actor, e.action, e.object])));

  box.replaceChildren(head, err, note, people, userForm, orgSec, setSec, auditSec);
}

PAGE_HOOKS.admin = () => showAdmin();
