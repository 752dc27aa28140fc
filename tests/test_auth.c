/*
 * tests/test_auth.c - accounts (lib/auth): the permission table against the
 * one in docs/accounts.md, password rules and argon2id hashing (and the
 * upgrade of old hashes), people and bad input (nothing stored is touched),
 * roles and the last administrator, API keys (format, verification, wrong
 * and tampered secrets, revocation seen by another process, expiry, usage
 * counts under many threads), sessions (idle and absolute expiry, logout,
 * ended by a password change or a disabled account), CSRF tokens, login
 * throttling per name and per address, settings, and the demo accounts.
 * argon2 runs at the test limits (NT_PWHASH_TEST_*) so the file stays fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "niemtin/niemtin.h"
#include "testutil.h"

#define T0 1767225600LL /* 2026-01-01 */
#define DAY 86400LL
#define PW "mật khẩu đủ dài 2026"

typedef struct fx {
    char dir[256];
    char path[300];
    int64_t now;
    nt_auth *a;
    nt_principal sys;
} fx;

static int64_t fx_clock(void *ctx)
{
    return ((fx *)ctx)->now;
}

static nt_auth *fx_auth(fx *f, unsigned long long ops)
{
    nt_auth_config cfg;
    nt_auth_config_init(&cfg);
    cfg.path = f->path;
    cfg.pw_opslimit = ops;
    cfg.pw_memlimit = NT_PWHASH_TEST_MEMLIMIT;
    cfg.cache_ms = NT_AUTH_CACHE_ALWAYS;
    cfg.clock = fx_clock;
    cfg.clock_ctx = f;
    nt_auth *a = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_open(&cfg, &a, &d);
    if (rc)
        fprintf(stderr, "auth open: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    return a;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/nt_auth_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/reg.db", f->dir);
    f->now = T0;
    f->a = fx_auth(f, NT_PWHASH_TEST_OPSLIMIT);
    nt_principal_system(&f->sys);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    nt_auth_close(f->a);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static long long sql_int(const char *path, const char *q)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static char *sql_text(const char *path, const char *q)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Everything the accounts tables and the audit log hold, as one number that
 * changes when any of them does. */
static long long fingerprint(fx *f)
{
    return sql_int(f->path,
                   "SELECT (SELECT count(*) FROM users) * 1000003 + (SELECT count(*) FROM orgs) * "
                   "10007 + (SELECT count(*) FROM api_keys) * 1009 + (SELECT count(*) FROM "
                   "sessions) * 101 + (SELECT count(*) FROM audit) * 7 + (SELECT count(*) FROM "
                   "settings) + (SELECT total(length(pwhash) + role + disabled_at) FROM users)");
}

static void org(fx *f, const char *name)
{
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_org_add(f->a, &f->sys, name, NT_ORG_BANK, NULL, &d);
    if (rc)
        fprintf(stderr, "org: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
}

static void user(fx *f, const char *login, nt_role role, const char *o)
{
    nt_user_in in = {
        .login = login, .role = role, .org = o, .password = PW, .password_len = strlen(PW)};
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_user_add(f->a, &f->sys, &in, NULL, &d);
    if (rc)
        fprintf(stderr, "user %s: %s\n", login, d.message);
    assert_int_equal(rc, NT_OK);
}

static nt_login_result login(fx *f, const char *name, const char *pw, const char *addr)
{
    nt_login_result r;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_login(f->a, name, pw, strlen(pw), addr, &r, &d);
    if (rc)
        fprintf(stderr, "login: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    return r;
}

static nt_authn check(fx *f, const char *token, nt_principal *who)
{
    nt_principal p;
    nt_authn r;
    assert_int_equal(nt_auth_session_check(f->a, token, strlen(token), who ? who : &p, &r, NULL),
                     NT_OK);
    return r;
}

static nt_authn verify_key(nt_auth *a, const char *token, nt_principal *who)
{
    nt_principal p;
    nt_authn r;
    assert_int_equal(nt_auth_verify_key(a, token, strlen(token), who ? who : &p, &r), NT_OK);
    return r;
}

/* ---- the permission table ------------------------------------------------------------------ */

/* The table of docs/accounts.md, row by row: public member analyst admin. */
static const struct {
    nt_auth_action action;
    const char *name;
    int allowed[4];
} table[] = {
    {NT_AUTH_CHECK, "check", {1, 1, 1, 1}},
    {NT_AUTH_LOOKUP, "lookup", {1, 1, 1, 1}},
    {NT_AUTH_REPORT, "report", {1, 1, 1, 1}},
    {NT_AUTH_LOOKUP_BATCH, "lookup_batch", {0, 1, 1, 1}},
    {NT_AUTH_FEED, "feed", {0, 1, 1, 1}},
    {NT_AUTH_REPORT_AS_MEMBER, "report_as_member", {0, 1, 1, 1}},
    {NT_AUTH_REVIEW, "review", {0, 0, 1, 1}},
    {NT_AUTH_REVEAL_CONTACT, "reveal_contact", {0, 0, 1, 1}},
    {NT_AUTH_IMPORT, "import", {0, 0, 1, 1}},
    {NT_AUTH_EXPORT, "export", {0, 0, 1, 1}},
    {NT_AUTH_PUBLISH, "publish", {0, 0, 1, 1}},
    {NT_AUTH_EXPIRE, "expire", {0, 0, 1, 1}},
    {NT_AUTH_AUDIT_READ, "audit_read", {0, 0, 0, 1}},
    {NT_AUTH_MANAGE_USERS, "manage_users", {0, 0, 0, 1}},
    {NT_AUTH_MANAGE_ORGS, "manage_orgs", {0, 0, 0, 1}},
    {NT_AUTH_MANAGE_KEYS, "manage_keys", {0, 0, 0, 1}},
    {NT_AUTH_SETTINGS, "settings", {0, 0, 0, 1}},
    {NT_AUTH_MANAGE_ORG_KEYS, "manage_org_keys", {0, 1, 1, 1}},
};

static void test_permission_table(void **state)
{
    (void)state;
    assert_int_equal(sizeof table / sizeof table[0], NT_AUTH__COUNT - 1);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_string_equal(nt_auth_action_name(table[i].action), table[i].name);
        nt_auth_action back;
        assert_int_equal(nt_auth_action_parse(table[i].name, &back), NT_OK);
        assert_int_equal(back, table[i].action);
        for (nt_role r = NT_ROLE_PUBLIC; r <= NT_ROLE_ADMIN; r++)
            assert_int_equal(nt_auth_allowed(r, table[i].action), table[i].allowed[r - 1]);
    }
    assert_int_equal(nt_auth_allowed(0, NT_AUTH_CHECK), 0);
    assert_int_equal(nt_auth_allowed(NT_ROLE__COUNT, NT_AUTH_CHECK), 0);
    assert_int_equal(nt_auth_allowed(NT_ROLE_ADMIN, 0), 0);
    assert_int_equal(nt_auth_allowed(NT_ROLE_ADMIN, NT_AUTH__COUNT), 0);
    assert_int_equal(nt_auth_allowed((nt_role)-1, NT_AUTH_CHECK), 0);
    const char *roles[] = {"public", "member", "analyst", "admin"};
    for (int i = 0; i < 4; i++) {
        nt_role r;
        assert_int_equal(nt_role_parse(roles[i], &r), NT_OK);
        assert_string_equal(nt_role_name(r), roles[i]);
    }
    nt_role r;
    assert_int_equal(nt_role_parse("root", &r), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_role_parse(NULL, &r), NT_ERR_NOT_FOUND);
    assert_string_equal(nt_role_name(99), "unknown");
    assert_string_equal(nt_authn_name(NT_AUTHN_THROTTLED), "throttled");
}

/* ---- passwords ------------------------------------------------------------------------------- */

static void test_password_rules(void **state)
{
    (void)state;
    nt_diag d;
#define PWCHECK(pw, want)                                                                          \
    assert_int_equal(nt_auth_password_check("lan", "Nguyễn Thị Lan", pw, sizeof pw - 1, &d), want)
    PWCHECK(PW, NT_OK);
    PWCHECK("mậtkhẩuviệ", NT_OK); /* 10 characters, 15 bytes */
    PWCHECK("mậtkhẩuvi", NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "at least 10 characters"));
    PWCHECK("", NT_ERR_INVALID);
    PWCHECK("LAN", NT_ERR_INVALID);
    PWCHECK("aaaaaaaaaaaa", NT_ERR_INVALID);
    PWCHECK("ẩẩẩẩẩẩẩẩẩẩẩẩ", NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "repeated"));
    PWCHECK("ababababababab", NT_OK);
    PWCHECK("NGUYỄN THỊ LAN", NT_OK);          /* only ASCII case is folded: not equal */
    PWCHECK("nguyễn thị lan", NT_ERR_INVALID); /* the same but for ASCII case */
    PWCHECK("Nguyễn Thị Lan", NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "display name"));
    PWCHECK("password\twith tab", NT_ERR_INVALID);
    PWCHECK("bad utf8 \xff\xfe here", NT_ERR_UTF8);
    assert_int_equal(d.offset, 9);
    PWCHECK("nul\0inside password", NT_ERR_INVALID);
    PWCHECK("'; DROP TABLE users; --", NT_OK); /* just a password */
    char big[NT_MAX_PASSWORD_BYTES + 2];
    memset(big, 'x', sizeof big);
    big[0] = 'y';
    assert_int_equal(nt_auth_password_check("lan", NULL, big, sizeof big, &d), NT_ERR_TOO_BIG);
    assert_int_equal(nt_auth_password_check("lanlanlanlan", NULL, "LanLanLanLan", 12, &d),
                     NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "login"));
#undef PWCHECK
}

static void test_password_hashing(void **state)
{
    fx *f = *state;
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    user(f, "minh", NT_ROLE_ANALYST, NULL);
    char *h1 = sql_text(f->path, "SELECT pwhash FROM users WHERE login = 'lan'");
    char *h2 = sql_text(f->path, "SELECT pwhash FROM users WHERE login = 'minh'");
    assert_non_null(strstr(h1, "$argon2id$v=19$m=8,t=1,p=1$"));
    assert_null(strstr(h1, "khẩu"));
    assert_string_not_equal(h1, h2); /* salted */
    free(h2);

    nt_login_result r = login(f, "lan", PW, NULL);
    assert_int_equal(r.outcome, NT_AUTHN_OK);
    assert_string_equal(r.who.name, "lan");
    assert_int_equal(r.who.role, NT_ROLE_ANALYST);
    assert_int_equal(r.who.kind, NT_PRINCIPAL_USER);
    assert_int_equal(login(f, "LAN", PW, NULL).outcome, NT_AUTHN_OK); /* logins ignore case */
    assert_int_equal(login(f, "lan", "mật khẩu đủ dài 2025", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "nobody", PW, NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "bad login!", PW, NULL).outcome, NT_AUTHN_INVALID);

    /* stronger limits configured: the next login upgrades the stored hash */
    nt_auth *b = fx_auth(f, 2);
    nt_login_result r2;
    assert_int_equal(nt_auth_login(b, "lan", PW, strlen(PW), NULL, &r2, NULL), NT_OK);
    assert_int_equal(r2.outcome, NT_AUTHN_OK);
    char *h3 = sql_text(f->path, "SELECT pwhash FROM users WHERE login = 'lan'");
    assert_non_null(strstr(h3, "$argon2id$v=19$m=8,t=2,p=1$"));
    /* a handle with weaker limits never weakens a stored hash */
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_OK);
    char *h4 = sql_text(f->path, "SELECT pwhash FROM users WHERE login = 'lan'");
    assert_string_equal(h4, h3);
    free(h4);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'login.success' "
                                      "AND details LIKE '%rehashed%'"),
                     1);
    nt_auth_close(b);
    free(h1);
    free(h3);
}

/* ---- people and bad input ---------------------------------------------------------------------
 */

static void test_users_bad_input(void **state)
{
    fx *f = *state;
    nt_diag d;
    org(f, "Ngân hàng A");
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    long long before = fingerprint(f);
    struct {
        const char *login, *display, *org, *pw;
        nt_role role;
        nt_err want;
        const char *words;
    } bad[] = {
        {"Lan", NULL, NULL, PW, NT_ROLE_ANALYST, NT_ERR_INVALID, "already taken"},
        {"public", NULL, NULL, PW, NT_ROLE_ANALYST, NT_ERR_INVALID, "reserved"},
        {"system", NULL, NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, "reserved"},
        {"nt_live_abcdefgh", NULL, NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, "API keys"},
        {"x'; DROP TABLE users;--", NULL, NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, "byte 1"},
        {"", NULL, NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, "required"},
        {".dot", NULL, NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, "byte 0"},
        {"trần", NULL, NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, NULL},
        {"minh", NULL, NULL, PW, NT_ROLE_PUBLIC, NT_ERR_INVALID, "member, analyst or admin"},
        {"minh", NULL, NULL, PW, (nt_role)42, NT_ERR_INVALID, NULL},
        {"minh", NULL, NULL, PW, NT_ROLE_MEMBER, NT_ERR_INVALID, "organisation"},
        {"minh", NULL, "Ngân hàng Z", PW, NT_ROLE_MEMBER, NT_ERR_INVALID, "no organisation"},
        {"minh", NULL, NULL, "short", NT_ROLE_ADMIN, NT_ERR_INVALID, "at least"},
        {"minh", NULL, NULL, "minh", NT_ROLE_ADMIN, NT_ERR_INVALID, NULL},
        {"minhminhminh", NULL, NULL, "MinhMinhMinh", NT_ROLE_ADMIN, NT_ERR_INVALID, "login"},
        {"minh", "Minh\xc3", NULL, PW, NT_ROLE_ADMIN, NT_ERR_UTF8, NULL},
        {"minh", "Minh\nX", NULL, PW, NT_ROLE_ADMIN, NT_ERR_INVALID, "control"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nt_user_in in = {.login = bad[i].login,
                         .display_name = bad[i].display,
                         .role = bad[i].role,
                         .org = bad[i].org,
                         .password = bad[i].pw,
                         .password_len = strlen(bad[i].pw)};
        nt_diag_clear(&d);
        nt_err rc = nt_auth_user_add(f->a, &f->sys, &in, NULL, &d);
        if (rc != bad[i].want || (bad[i].words && !strstr(d.message, bad[i].words)))
            fprintf(stderr, "case %zu (%s): %s: %s\n", i, bad[i].login, nt_strerror(rc), d.message);
        assert_int_equal(rc, bad[i].want);
        if (bad[i].words)
            assert_non_null(strstr(d.message, bad[i].words));
        assert_int_equal(fingerprint(f), before); /* nothing touched */
    }
    /* huge strings */
    char *huge = malloc(1 << 20);
    memset(huge, 'a', (1 << 20) - 1);
    huge[(1 << 20) - 1] = '\0';
    nt_user_in in = {.login = huge, .role = NT_ROLE_ADMIN, .password = PW, .password_len = 20};
    assert_int_equal(nt_auth_user_add(f->a, &f->sys, &in, NULL, &d), NT_ERR_TOO_BIG);
    in.login = "minh";
    in.display_name = huge;
    assert_int_equal(nt_auth_user_add(f->a, &f->sys, &in, NULL, &d), NT_ERR_TOO_BIG);
    in.display_name = NULL;
    in.password = huge;
    in.password_len = strlen(huge);
    assert_int_equal(nt_auth_user_add(f->a, &f->sys, &in, NULL, &d), NT_ERR_TOO_BIG);
    assert_int_equal(nt_auth_org_add(f->a, &f->sys, huge, NT_ORG_BANK, NULL, &d), NT_ERR_TOO_BIG);
    nt_login_result r;
    assert_int_equal(nt_auth_login(f->a, "lan", huge, strlen(huge), NULL, &r, &d), NT_OK);
    assert_int_equal(r.outcome, NT_AUTHN_INVALID);
    free(huge);
    before = fingerprint(f);
    /* organisations */
    assert_int_equal(nt_auth_org_add(f->a, &f->sys, "Ngân hàng A", NT_ORG_BANK, NULL, &d),
                     NT_ERR_INVALID);
    assert_non_null(strstr(d.message, "already exists"));
    assert_int_equal(nt_auth_org_add(f->a, &f->sys, "", NT_ORG_BANK, NULL, &d), NT_ERR_INVALID);
    assert_int_equal(nt_auth_org_add(f->a, &f->sys, "X", (nt_org_kind)9, NULL, &d), NT_ERR_INVALID);
    assert_int_equal(fingerprint(f), before);
    /* a SQL-looking display name is stored as it is */
    nt_user_in ok = {.login = "minh.tran_2",
                     .display_name = "Robert'); DROP TABLE users;--",
                     .role = NT_ROLE_MEMBER,
                     .org = "Ngân hàng A",
                     .password = PW,
                     .password_len = strlen(PW)};
    assert_int_equal(nt_auth_user_add(f->a, &f->sys, &ok, NULL, &d), NT_OK);
    nt_user u;
    assert_int_equal(nt_auth_user_get(f->a, "Minh.Tran_2", &u, &d), NT_OK);
    assert_string_equal(u.display_name, "Robert'); DROP TABLE users;--");
    assert_string_equal(u.org, "Ngân hàng A");
    assert_int_equal(u.role, NT_ROLE_MEMBER);
    nt_user_release(&u);
    assert_int_equal(nt_auth_user_get(f->a, "ghost", &u, &d), NT_ERR_NOT_FOUND);
}

static void test_actor_permissions(void **state)
{
    fx *f = *state;
    nt_diag d;
    org(f, "Bank");
    nt_principal pub, mem;
    nt_principal_public(&pub);
    nt_principal_public(&mem);
    mem.kind = NT_PRINCIPAL_KEY;
    mem.role = NT_ROLE_MEMBER;
    snprintf(mem.name, sizeof mem.name, "nt_live_AbCdEfGh");
    nt_user_in in = {.login = "x1", .role = NT_ROLE_ADMIN, .password = PW, .password_len = 20};
    long long before = fingerprint(f);
    assert_int_equal(nt_auth_user_add(f->a, &pub, &in, NULL, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "public (public) may not manage_users"));
    assert_int_equal(nt_auth_user_add(f->a, &mem, &in, NULL, &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_user_add(f->a, NULL, &in, NULL, &d), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_auth_org_add(f->a, &mem, "Org2", NT_ORG_BANK, NULL, &d), NT_ERR_STATE);
    nt_key_in k = {.org = "Bank", .role = NT_ROLE_MEMBER};
    nt_key_secret s;
    assert_int_equal(nt_auth_key_create(f->a, &mem, &k, &s, &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_setting_set(f->a, &mem, "rate.member", "1/1", &d), NT_ERR_STATE);
    assert_int_equal(fingerprint(f), before);
}

static void test_roles_and_disable(void **state)
{
    fx *f = *state;
    nt_diag d;
    org(f, "Bank");
    user(f, "boss", NT_ROLE_ADMIN, NULL);
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    /* the last enabled admin stays */
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "boss", NT_ROLE_ANALYST, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "last enabled administrator"));
    assert_int_equal(nt_auth_user_disable(f->a, &f->sys, "boss", &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "lan", NT_ROLE_ADMIN, &d), NT_OK);
    assert_int_equal(nt_auth_user_disable(f->a, &f->sys, "boss", &d), NT_OK);
    assert_int_equal(nt_auth_user_disable(f->a, &f->sys, "lan", &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_user_disable(f->a, &f->sys, "boss", &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "already disabled"));
    assert_int_equal(nt_auth_user_enable(f->a, &f->sys, "boss", &d), NT_OK);
    assert_int_equal(nt_auth_user_enable(f->a, &f->sys, "boss", &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "lan", NT_ROLE_ADMIN, &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "lan", NT_ROLE_MEMBER, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "no organisation"));
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "lan", NT_ROLE_PUBLIC, &d), NT_ERR_INVALID);
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "ghost", NT_ROLE_ADMIN, &d),
                     NT_ERR_NOT_FOUND);

    /* a role change applies to a session at once */
    nt_login_result r = login(f, "lan", PW, "10.0.0.1");
    assert_int_equal(r.outcome, NT_AUTHN_OK);
    nt_principal who;
    assert_int_equal(check(f, r.token, &who), NT_AUTHN_OK);
    assert_int_equal(who.role, NT_ROLE_ADMIN);
    assert_int_equal(nt_auth_user_role(f->a, &f->sys, "lan", NT_ROLE_ANALYST, &d), NT_OK);
    assert_int_equal(check(f, r.token, &who), NT_AUTHN_OK);
    assert_int_equal(who.role, NT_ROLE_ANALYST);
    /* disabling ends the session and refuses logins (said only after the right password) */
    assert_int_equal(nt_auth_user_disable(f->a, &f->sys, "lan", &d), NT_OK);
    assert_int_equal(check(f, r.token, NULL), NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_DISABLED);
    assert_int_equal(login(f, "lan", "wrong password!", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(nt_auth_user_enable(f->a, &f->sys, "lan", &d), NT_OK);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_OK);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'user.role' AND "
                                      "details LIKE '%\"from\":\"analyst\",\"to\":\"admin\"%'"),
                     1);
    assert_int_equal(
        sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'user.disable' AND object = "
                         "'user:lan' AND details LIKE '%\"sessions_ended\":1%'"),
        1);
}

/* ---- API keys ----------------------------------------------------------------------------------
 */

static nt_key_secret make_key(fx *f, const char *o, nt_role role, double days)
{
    nt_key_in in = {.org = o, .role = role, .days = days, .label = "gateway"};
    nt_key_secret s;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_auth_key_create(f->a, &f->sys, &in, &s, &d);
    if (rc)
        fprintf(stderr, "key: %s\n", d.message);
    assert_int_equal(rc, NT_OK);
    return s;
}

static void test_keys(void **state)
{
    fx *f = *state;
    nt_diag d;
    org(f, "Vietcombank");
    nt_key_secret k = make_key(f, "Vietcombank", NT_ROLE_MEMBER, 0);
    assert_int_equal(strlen(k.token), NT_KEY_TOKEN_CHARS);
    assert_int_equal(strncmp(k.token, "nt_live_", 8), 0);
    assert_int_equal(strncmp(k.token, k.prefix, NT_KEY_PREFIX_CHARS), 0);
    assert_int_equal(k.expires_at, 0);
    /* only the hash is stored */
    char q[200];
    snprintf(q, sizeof q, "SELECT count(*) FROM api_keys WHERE prefix = '%s' AND length(hash) = 32",
             k.prefix);
    assert_int_equal(sql_int(f->path, q), 1);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM api_keys WHERE instr(hash, prefix)"),
                     0);

    nt_principal who;
    assert_int_equal(verify_key(f->a, k.token, &who), NT_AUTHN_OK);
    assert_int_equal(who.kind, NT_PRINCIPAL_KEY);
    assert_int_equal(who.role, NT_ROLE_MEMBER);
    assert_string_equal(who.name, k.prefix);
    assert_string_equal(who.org, "Vietcombank");
    assert_int_equal(who.id, k.id);

    /* every wrong key is "invalid", and the principal is public */
    char t[NT_KEY_TOKEN_CHARS + 1];
    memcpy(t, k.token, sizeof t);
    t[30] = t[30] == 'A' ? 'B' : 'A'; /* wrong secret, known prefix */
    assert_int_equal(verify_key(f->a, t, &who), NT_AUTHN_INVALID);
    assert_int_equal(who.kind, NT_PRINCIPAL_PUBLIC);
    memcpy(t, k.token, sizeof t);
    t[10] = t[10] == 'A' ? 'B' : 'A'; /* unknown prefix */
    assert_int_equal(verify_key(f->a, t, NULL), NT_AUTHN_INVALID);
    memcpy(t, k.token, sizeof t);
    /* the last character carries 2 padding bits: a non-canonical spelling */
    const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int idx = (int)(strchr(alpha, t[NT_KEY_TOKEN_CHARS - 1]) - alpha);
    t[NT_KEY_TOKEN_CHARS - 1] = alpha[idx ^ 1];
    assert_int_equal(verify_key(f->a, t, NULL), NT_AUTHN_INVALID);
    const char *junk[] = {"", "nt_live_", "Bearer x",
                          "nt_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                          "nt_live_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(verify_key(f->a, junk[i], NULL), NT_AUTHN_INVALID);
    nt_authn r;
    assert_int_equal(nt_auth_verify_key(f->a, k.token, NT_KEY_TOKEN_CHARS - 1, &who, &r), NT_OK);
    assert_int_equal(r, NT_AUTHN_INVALID);
    assert_int_equal(nt_auth_verify_key(f->a, NULL, 0, &who, &r), NT_OK);
    assert_int_equal(r, NT_AUTHN_INVALID);
    assert_int_equal(nt_auth_verify_key(f->a, k.token, strlen(k.token), NULL, &r),
                     NT_ERR_INVALID_ARG);

    /* usage counts reach the database on flush */
    for (int i = 0; i < 4; i++)
        assert_int_equal(verify_key(f->a, k.token, NULL), NT_AUTHN_OK);
    f->now += 60;
    assert_int_equal(verify_key(f->a, k.token, NULL), NT_AUTHN_OK);
    assert_int_equal(nt_auth_flush(f->a, &d), NT_OK);
    assert_int_equal(sql_int(f->path, "SELECT uses FROM api_keys"), 6);
    assert_int_equal(sql_int(f->path, "SELECT last_used_at FROM api_keys"), T0 + 60);
    assert_int_equal(nt_auth_flush(f->a, &d), NT_OK);
    assert_int_equal(sql_int(f->path, "SELECT uses FROM api_keys"), 6);

    /* revoke by prefix, by the 8 characters, or with the whole key */
    assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, k.prefix + 8, &d), NT_OK);
    assert_int_equal(verify_key(f->a, k.token, &who), NT_AUTHN_REVOKED);
    assert_int_equal(who.kind, NT_PRINCIPAL_PUBLIC);
    assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, k.prefix, &d), NT_ERR_STATE);
    assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, "nt_live_zzzzzzzz", &d), NT_ERR_NOT_FOUND);
    assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, "nt_live_zz", &d), NT_ERR_INVALID);
    assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, "'; DELETE FROM api_keys;--", &d),
                     NT_ERR_INVALID);

    /* expiry */
    nt_key_secret e = make_key(f, "Vietcombank", NT_ROLE_ANALYST, 30);
    assert_int_equal(e.expires_at, f->now + 30 * DAY);
    assert_int_equal(verify_key(f->a, e.token, &who), NT_AUTHN_OK);
    assert_int_equal(who.role, NT_ROLE_ANALYST);
    f->now += 30 * DAY - 1;
    assert_int_equal(verify_key(f->a, e.token, NULL), NT_AUTHN_OK);
    f->now += 1;
    assert_int_equal(verify_key(f->a, e.token, NULL), NT_AUTHN_EXPIRED);

    /* bad requests change nothing */
    long long before = fingerprint(f);
    nt_key_secret s;
    nt_key_in bad[] = {
        {.org = "Nowhere", .role = NT_ROLE_MEMBER},
        {.org = NULL, .role = NT_ROLE_MEMBER},
        {.org = "Vietcombank", .role = NT_ROLE_ADMIN},
        {.org = "Vietcombank", .role = NT_ROLE_PUBLIC},
        {.org = "Vietcombank", .role = NT_ROLE_MEMBER, .days = -1},
        {.org = "Vietcombank", .role = NT_ROLE_MEMBER, .days = 1e9},
        {.org = "Vietcombank", .role = NT_ROLE_MEMBER, .days = 0.0 / 0.0},
        {.org = "Vietcombank", .role = NT_ROLE_MEMBER, .label = "a\x01"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_not_equal(nt_auth_key_create(f->a, &f->sys, &bad[i], &s, &d), NT_OK);
        assert_int_equal(s.token[0], '\0');
    }
    assert_int_equal(fingerprint(f), before);

    /* the audit log names keys by prefix, never by secret */
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE object = 'key:%s'", k.prefix);
    assert_int_equal(sql_int(f->path, q), 2);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE "
                                      "length(details) > 0 AND details LIKE '%nt_live_%'"),
                     0);
}

typedef struct key_row_ctx {
    int n;
    uint64_t uses;
    char label[64];
} key_row_ctx;

static int key_row(void *ctx, const nt_key_info *k)
{
    key_row_ctx *c = ctx;
    c->n++;
    c->uses += k->uses;
    snprintf(c->label, sizeof c->label, "%s", k->label);
    return 0;
}

/* A revocation made through another handle (another process) reaches this
 * one without a restart. */
/* A member manages its own organisation's member keys, and nothing else:
 * the rule is in the library, whatever the front end checks. */
static void test_keys_own_org(void **state)
{
    fx *f = *state;
    nt_diag d;
    org(f, "Vietcombank");
    org(f, "Techcombank");
    user(f, "hoa", NT_ROLE_MEMBER, "Vietcombank");
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    nt_key_secret other = make_key(f, "Techcombank", NT_ROLE_MEMBER, 0);
    nt_login_result lr = login(f, "hoa", PW, "192.0.2.1");
    assert_int_equal(lr.outcome, NT_AUTHN_OK);
    nt_principal hoa;
    assert_int_equal(check(f, lr.token, &hoa), NT_AUTHN_OK);
    assert_true(hoa.org_id > 0);
    long long before = fingerprint(f);

    nt_key_secret k;
    nt_key_in mine = {.org = "Vietcombank", .role = NT_ROLE_MEMBER, .label = "sms"};
    nt_key_in theirs = {.org = "Techcombank", .role = NT_ROLE_MEMBER};
    nt_key_in analyst = {.org = "Vietcombank", .role = NT_ROLE_ANALYST};
    nt_diag_clear(&d);
    assert_int_equal(nt_auth_key_create(f->a, &hoa, &theirs, &k, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "own organisation"));
    assert_int_equal(nt_auth_key_create(f->a, &hoa, &analyst, &k, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "member keys"));
    /* another organisation's key: as if it did not exist */
    assert_int_equal(nt_auth_key_revoke(f->a, &hoa, other.prefix, &d), NT_ERR_NOT_FOUND);
    assert_int_equal(fingerprint(f), before); /* nothing written, nothing audited */
    assert_int_equal(verify_key(f->a, other.token, NULL), NT_AUTHN_OK);

    /* its own: created (audited with the person's name), used, revoked */
    assert_int_equal(nt_auth_key_create(f->a, &hoa, &mine, &k, &d), NT_OK);
    nt_principal who;
    assert_int_equal(verify_key(f->a, k.token, &who), NT_AUTHN_OK);
    assert_string_equal(who.org, "Vietcombank");
    assert_int_equal(who.role, NT_ROLE_MEMBER);
    char q[200];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM audit WHERE actor = 'hoa' AND action = 'key.create' AND "
             "object = 'key:%s'",
             k.prefix);
    assert_int_equal(sql_int(f->path, q), 1);
    /* the key itself may make another of its organisation */
    nt_key_secret k2;
    assert_int_equal(nt_auth_key_create(f->a, &who, &mine, &k2, &d), NT_OK);
    assert_int_equal(nt_auth_key_revoke(f->a, &hoa, k2.prefix, &d), NT_OK);
    assert_int_equal(nt_auth_key_revoke(f->a, &hoa, k.prefix, &d), NT_OK);
    assert_int_equal(verify_key(f->a, k.token, NULL), NT_AUTHN_REVOKED);

    /* an analyst has the permission but no organisation */
    nt_login_result ll = login(f, "lan", PW, "192.0.2.2");
    nt_principal lan;
    assert_int_equal(check(f, ll.token, &lan), NT_AUTHN_OK);
    assert_int_equal(nt_auth_key_create(f->a, &lan, &mine, &k, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "no organisation"));
    assert_int_equal(nt_auth_key_revoke(f->a, &lan, other.prefix, &d), NT_ERR_STATE);
    /* the public may not at all */
    nt_principal pub;
    nt_principal_public(&pub);
    assert_int_equal(nt_auth_key_create(f->a, &pub, &mine, &k, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "may not manage_org_keys"));
    nt_secret_wipe(&lr, sizeof lr);
    nt_secret_wipe(&ll, sizeof ll);
}

static void test_keys_other_process(void **state)
{
    fx *f = *state;
    org(f, "Viettel");
    nt_key_secret k = make_key(f, "Viettel", NT_ROLE_MEMBER, 0);
    nt_auth *b = fx_auth(f, NT_PWHASH_TEST_OPSLIMIT);
    assert_int_equal(verify_key(b, k.token, NULL), NT_AUTHN_OK);
    nt_key_secret k2 = make_key(f, "Viettel", NT_ROLE_MEMBER, 0);
    assert_int_equal(verify_key(b, k2.token, NULL), NT_AUTHN_OK); /* created elsewhere */
    assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, k.prefix, NULL), NT_OK);
    assert_int_equal(verify_key(b, k.token, NULL), NT_AUTHN_REVOKED);
    /* and b's counts survive the reload it did */
    assert_int_equal(nt_auth_flush(b, NULL), NT_OK);
    key_row_ctx c = {0};
    assert_int_equal(nt_auth_key_list(f->a, key_row, &c, NULL), NT_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.uses, 2);
    assert_string_equal(c.label, "gateway");
    nt_auth_close(b);
}

typedef struct th {
    nt_auth *a;
    const char *token;
    int n, ok;
} th;

static void *verify_many(void *arg)
{
    th *t = arg;
    for (int i = 0; i < t->n; i++) {
        nt_principal p;
        nt_authn r;
        if (nt_auth_verify_key(t->a, t->token, strlen(t->token), &p, &r) == NT_OK &&
            r == NT_AUTHN_OK)
            t->ok++;
        if (i % 1000 == 0)
            nt_auth_flush(t->a, NULL);
    }
    return NULL;
}

/* Many threads verify while others create and revoke keys and flush counts:
 * no lost counts, no torn reads (ASan/TSan-friendly). */
static void test_keys_threads(void **state)
{
    fx *f = *state;
    org(f, "MoMo");
    nt_key_secret k = make_key(f, "MoMo", NT_ROLE_MEMBER, 0);
    enum { N = 4, EACH = 3000 };
    pthread_t tid[N];
    th t[N];
    for (int i = 0; i < N; i++) {
        t[i] = (th){f->a, k.token, EACH, 0};
        assert_int_equal(pthread_create(&tid[i], NULL, verify_many, &t[i]), 0);
    }
    for (int i = 0; i < 10; i++) {
        nt_key_secret o = make_key(f, "MoMo", NT_ROLE_MEMBER, 0);
        assert_int_equal(nt_auth_key_revoke(f->a, &f->sys, o.prefix, NULL), NT_OK);
    }
    for (int i = 0; i < N; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < N; i++)
        assert_int_equal(t[i].ok, EACH);
    assert_int_equal(nt_auth_flush(f->a, NULL), NT_OK);
    char q[160];
    snprintf(q, sizeof q, "SELECT uses FROM api_keys WHERE prefix = '%s'", k.prefix);
    assert_int_equal(sql_int(f->path, q), N * EACH);
}

/* ---- sessions
 * ------------------------------------------------------------------------------------ */

static void test_sessions(void **state)
{
    fx *f = *state;
    nt_diag d;
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    nt_login_result r = login(f, "lan", PW, "203.0.113.9");
    assert_int_equal(r.outcome, NT_AUTHN_OK);
    assert_int_equal(strlen(r.token), NT_SESSION_TOKEN_CHARS);
    assert_int_equal(strlen(r.csrf), NT_SESSION_TOKEN_CHARS);
    assert_int_equal(r.expires_at, T0 + 12 * 3600);
    /* stored hashed */
    assert_int_equal(
        sql_int(f->path, "SELECT count(*) FROM sessions WHERE length(token_hash) = 32"), 1);

    /* CSRF */
    assert_true(nt_auth_csrf_verify(r.token, strlen(r.token), r.csrf, strlen(r.csrf)));
    char c2[NT_SESSION_TOKEN_CHARS + 1];
    assert_int_equal(nt_auth_csrf_token(r.token, strlen(r.token), c2), NT_OK);
    assert_string_equal(c2, r.csrf);
    c2[5] ^= 1;
    assert_false(nt_auth_csrf_verify(r.token, strlen(r.token), c2, strlen(c2)));
    assert_false(nt_auth_csrf_verify(r.token, strlen(r.token), r.csrf, 10));
    assert_false(nt_auth_csrf_verify(r.token, strlen(r.token), "", 0));
    assert_false(nt_auth_csrf_verify(r.token, strlen(r.token), NULL, 0));
    assert_false(nt_auth_csrf_verify("garbage", 7, r.csrf, strlen(r.csrf)));
    nt_login_result r2 = login(f, "lan", PW, NULL);
    assert_string_not_equal(r2.token, r.token);
    assert_false(nt_auth_csrf_verify(r2.token, strlen(r2.token), r.csrf, strlen(r.csrf)));
    assert_false(nt_auth_csrf_verify(r.csrf, strlen(r.csrf), r.csrf, strlen(r.csrf)));

    /* idle timeout: 30 minutes without use */
    nt_principal who;
    f->now += 29 * 60;
    assert_int_equal(check(f, r.token, &who), NT_AUTHN_OK);
    assert_string_equal(who.name, "lan");
    f->now += 29 * 60; /* used 29 minutes ago: still fine */
    assert_int_equal(check(f, r.token, NULL), NT_AUTHN_OK);
    assert_int_equal(check(f, r2.token, NULL), NT_AUTHN_EXPIRED); /* unused for 58 minutes */
    assert_int_equal(check(f, r2.token, NULL), NT_AUTHN_INVALID); /* and gone */

    /* absolute lifetime: 12 hours even when used every 20 minutes */
    while (f->now + 20 * 60 < r.expires_at) {
        f->now += 20 * 60;
        assert_int_equal(check(f, r.token, NULL), NT_AUTHN_OK);
    }
    f->now = r.expires_at;
    assert_int_equal(check(f, r.token, NULL), NT_AUTHN_EXPIRED);

    /* logout */
    nt_login_result r3 = login(f, "lan", PW, NULL);
    assert_int_equal(check(f, r3.token, NULL), NT_AUTHN_OK);
    assert_int_equal(nt_auth_logout(f->a, r3.token, strlen(r3.token), &d), NT_OK);
    assert_int_equal(check(f, r3.token, NULL), NT_AUTHN_INVALID);
    assert_int_equal(nt_auth_logout(f->a, r3.token, strlen(r3.token), &d), NT_OK);
    assert_int_equal(nt_auth_logout(f->a, "nonsense", 8, &d), NT_OK);

    /* a password change ends every session of the person */
    nt_login_result s1 = login(f, "lan", PW, NULL), s2 = login(f, "lan", PW, "::1");
    assert_int_equal(check(f, s1.token, NULL), NT_AUTHN_OK);
    const char *np = "một mật khẩu mới hơn";
    assert_int_equal(nt_auth_user_password(f->a, &f->sys, "lan", np, strlen(np), &d), NT_OK);
    assert_int_equal(check(f, s1.token, NULL), NT_AUTHN_INVALID);
    assert_int_equal(check(f, s2.token, NULL), NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_INVALID);
    nt_login_result s3 = login(f, "lan", np, NULL);
    assert_int_equal(s3.outcome, NT_AUTHN_OK);
    /* weak new passwords are refused and change nothing */
    long long before = fingerprint(f);
    assert_int_equal(nt_auth_user_password(f->a, &f->sys, "lan", "lan", 3, &d), NT_ERR_INVALID);
    assert_int_equal(fingerprint(f), before);
    assert_int_equal(check(f, s3.token, NULL), NT_AUTHN_OK);

    /* the person changes their own: the old one must be right */
    assert_int_equal(
        nt_auth_password_change(f->a, "lan", "wrong old one", 13, PW, strlen(PW), NULL, &d),
        NT_ERR_STATE);
    assert_non_null(strstr(d.message, "old password is wrong"));
    assert_int_equal(check(f, s3.token, NULL), NT_AUTHN_OK);
    assert_int_equal(nt_auth_password_change(f->a, "lan", np, strlen(np), "short", 5, NULL, &d),
                     NT_ERR_INVALID);
    assert_int_equal(nt_auth_password_change(f->a, "lan", np, strlen(np), PW, strlen(PW), NULL, &d),
                     NT_OK);
    assert_int_equal(check(f, s3.token, NULL), NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_OK);

    /* malformed tokens */
    const char *junk[] = {"", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                          "'; DROP TABLE sessions; --AAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(check(f, junk[i], NULL), NT_AUTHN_INVALID);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'logout'"), 1);
}

/* ---- throttling
 * ------------------------------------------------------------------------------------ */

static void test_throttle_by_name(void **state)
{
    fx *f = *state;
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    /* 5 failures (login.max_failures), each from another address */
    for (int i = 0; i < 5; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "198.51.100.%d", i);
        assert_int_equal(login(f, "lan", "wrong password!", addr).outcome, NT_AUTHN_INVALID);
    }
    /* now even the right password must wait 1 s */
    nt_login_result r = login(f, "lan", PW, "192.0.2.1");
    assert_int_equal(r.outcome, NT_AUTHN_THROTTLED);
    assert_int_equal(r.retry_after, 1);
    assert_int_equal(r.token[0], '\0');
    f->now += 1;
    assert_int_equal(login(f, "lan", "wrong again!!", NULL).outcome, NT_AUTHN_INVALID);
    r = login(f, "lan", PW, NULL);
    assert_int_equal(r.outcome, NT_AUTHN_THROTTLED);
    assert_int_equal(r.retry_after, 2); /* doubled */
    f->now += 2;
    assert_int_equal(login(f, "lan", "wrong again!!", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).retry_after, 4);
    /* many more: capped at login.lock_max_seconds */
    for (int i = 0; i < 12; i++) {
        nt_login_result t = login(f, "lan", PW, NULL);
        assert_int_equal(t.outcome, NT_AUTHN_THROTTLED);
        f->now += t.retry_after;
        assert_int_equal(login(f, "lan", "wrong again!!", NULL).outcome, NT_AUTHN_INVALID);
    }
    r = login(f, "lan", PW, NULL);
    assert_int_equal(r.outcome, NT_AUTHN_THROTTLED);
    assert_int_equal(r.retry_after, 900);
    /* after the wait the right password works and clears the count */
    f->now += 900;
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_OK);
    assert_int_equal(login(f, "lan", "wrong again!!", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_OK);
    /* failures older than login.window_minutes are forgotten */
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(f, "lan", "wrong again!!", NULL).outcome, NT_AUTHN_INVALID);
    f->now += 16 * 60;
    assert_int_equal(login(f, "lan", "wrong again!!", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_OK);
    /* unknown names are throttled the same way (no telling them apart) */
    for (int i = 0; i < 5; i++)
        assert_int_equal(login(f, "ghost", "whatever pw", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "ghost", "whatever pw", NULL).outcome, NT_AUTHN_THROTTLED);
    /* an unknown name is not kept in the audit log (it may be a mistyped password) */
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE object = 'user:(unknown)'"),
                     5);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE details LIKE '%ghost%' OR "
                                      "object LIKE '%ghost%'"),
                     0);
    /* every failure and success is in the audit log */
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'login.failure' "
                                      "AND actor = 'public' AND object = 'user:lan'"),
                     5 + 1 + 1 + 12 + 1 + 4 + 1);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'login.failure' "
                                      "AND details LIKE '%198.51.100.3%'"),
                     1);
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'login.success'"),
                     3);
}

static void test_throttle_by_address(void **state)
{
    fx *f = *state;
    nt_diag d;
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    user(f, "minh", NT_ROLE_ANALYST, NULL);
    /* 20 failures from one IPv6 /64 against many names (login.max_failures_addr) */
    for (int i = 0; i < 20; i++) {
        char name[16], addr[64];
        snprintf(name, sizeof name, "user%d", i);
        snprintf(addr, sizeof addr, "2001:db8:1:2::%x", i + 1);
        assert_int_equal(login(f, name, "wrong password!", addr).outcome, NT_AUTHN_INVALID);
    }
    nt_login_result r = login(f, "minh", PW, "2001:db8:1:2:ffff::9");
    assert_int_equal(r.outcome, NT_AUTHN_THROTTLED);
    assert_int_equal(r.retry_after, 1);
    /* another /64, and IPv4, are not affected */
    assert_int_equal(login(f, "minh", PW, "2001:db8:1:3::1").outcome, NT_AUTHN_OK);
    assert_int_equal(login(f, "lan", PW, "192.0.2.7").outcome, NT_AUTHN_OK);
    /* an IPv4-mapped IPv6 address is its IPv4 address */
    for (int i = 0; i < 20; i++)
        assert_int_equal(login(f, "nobody", "x", "192.0.2.50").outcome,
                         i < 5 ? NT_AUTHN_INVALID : NT_AUTHN_THROTTLED);
    f->now += 5;
    assert_int_equal(login(f, "lan", PW, "::ffff:192.0.2.50").outcome, NT_AUTHN_OK);
    /* a bad address is a caller's error */
    assert_int_equal(nt_auth_login(f->a, "lan", PW, strlen(PW), "not-an-ip", &r, &d),
                     NT_ERR_INVALID);
    assert_int_equal(nt_auth_login(f->a, "lan", PW, strlen(PW), "1.2.3.4'; --", &r, &d),
                     NT_ERR_INVALID);
}

/* ---- settings
 * ---------------------------------------------------------------------------------------- */

static int list_fn(void *ctx, const char *key, const char *value, const char *help, int is_default)
{
    int *c = ctx;
    assert_non_null(key);
    assert_non_null(value);
    assert_true(strlen(help) > 10);
    c[0]++;
    c[1] += is_default;
    return 0;
}

static void test_settings(void **state)
{
    fx *f = *state;
    nt_diag d;
    nt_rate r;
    char buf[64];
    assert_int_equal(nt_auth_rate(f->a, NT_ROLE_MEMBER, &r), NT_OK);
    assert_int_equal(r.per_second, 200);
    assert_int_equal(r.burst, 400);
    assert_int_equal(nt_auth_rate(f->a, NT_ROLE_PUBLIC, &r), NT_OK);
    assert_int_equal(r.per_second, 20);
    assert_int_equal(nt_auth_rate(f->a, 0, &r), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "rate.member", "50/100", &d), NT_OK);
    assert_int_equal(nt_auth_rate(f->a, NT_ROLE_MEMBER, &r), NT_OK);
    assert_int_equal(r.per_second, 50);
    assert_int_equal(r.burst, 100);
    assert_int_equal(nt_auth_setting_get(f->a, "rate.member", buf, sizeof buf, &d), NT_OK);
    assert_string_equal(buf, "50/100");
    assert_int_equal(sql_int(f->path, "SELECT count(*) FROM audit WHERE action = 'setting.set' AND "
                                      "details = '{\"from\":\"200/400\",\"to\":\"50/100\"}'"),
                     1);
    long long before = fingerprint(f);
    const char *bad[] = {"50", "0/10", "50/abc",    "-1/2",   " 50/100", "50/100 ",  "50//1",
                         "1/", "/1",   "9999999/1", "1e3/10", "",        "50/100/1", "0x10/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nt_diag_clear(&d);
        assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "rate.member", bad[i], &d),
                         NT_ERR_INVALID);
        assert_non_null(strstr(d.message, "50/100"));
    }
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "rate.root", "1/1", &d), NT_ERR_NOT_FOUND);
    assert_non_null(strstr(d.message, "rate.member"));
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "session.idle_minutes", "0", &d),
                     NT_ERR_INVALID);
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "session.idle_minutes", "5/5", &d),
                     NT_ERR_INVALID);
    assert_int_equal(fingerprint(f), before);

    /* another handle (process) sees changes */
    nt_auth *b = fx_auth(f, NT_PWHASH_TEST_OPSLIMIT);
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "rate.public", "5/10", &d), NT_OK);
    assert_int_equal(nt_auth_rate(b, NT_ROLE_PUBLIC, &r), NT_OK);
    assert_int_equal(r.per_second, 5);
    assert_int_equal(r.burst, 10);
    nt_auth_close(b);

    /* session lengths apply to new logins; the idle timeout at once */
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "session.max_hours", "1", &d), NT_OK);
    nt_login_result s = login(f, "lan", PW, NULL);
    assert_int_equal(s.expires_at, f->now + 3600);
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "session.idle_minutes", "2", &d), NT_OK);
    f->now += 121;
    assert_int_equal(check(f, s.token, NULL), NT_AUTHN_EXPIRED);
    /* throttling settings */
    assert_int_equal(nt_auth_setting_set(f->a, &f->sys, "login.max_failures", "2", &d), NT_OK);
    assert_int_equal(login(f, "lan", "wrong password", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", "wrong password", NULL).outcome, NT_AUTHN_INVALID);
    assert_int_equal(login(f, "lan", PW, NULL).outcome, NT_AUTHN_THROTTLED);

    int c[2] = {0, 0};
    assert_int_equal(nt_auth_settings_list(f->a, list_fn, c, NULL), NT_OK);
    assert_int_equal(c[0], 10);
    assert_int_equal(c[1], 10 - 5);
}

/* ---- demo accounts
 * ---------------------------------------------------------------------------------- */

static void test_demo_accounts(void **state)
{
    fx *f = *state;
    nt_demo_accounts d1, d2;
    nt_diag d;
    assert_int_equal(nt_auth_demo_accounts(f->a, &d1, &d), NT_OK);
    assert_true(d1.created);
    assert_string_equal(d1.admin_login, "demo-admin");
    long long after = fingerprint(f);
    assert_int_equal(nt_auth_demo_accounts(f->a, &d2, &d), NT_OK);
    assert_false(d2.created);
    assert_string_equal(d1.key, d2.key);
    assert_int_equal(fingerprint(f), after);
    nt_principal who;
    assert_int_equal(verify_key(f->a, d1.key, &who), NT_AUTHN_OK);
    assert_int_equal(who.role, NT_ROLE_MEMBER);
    assert_non_null(strstr(who.org, "DEMO"));
    assert_int_equal(login(f, d1.admin_login, d1.admin_password, NULL).outcome, NT_AUTHN_OK);
    assert_int_equal(login(f, d1.analyst_login, d1.analyst_password, NULL).outcome, NT_AUTHN_OK);
    nt_login_result m = login(f, d1.member_login, d1.member_password, NULL);
    assert_int_equal(m.outcome, NT_AUTHN_OK);
    assert_int_equal(m.who.role, NT_ROLE_MEMBER);
    assert_string_equal(m.who.org, d1.org);
    /* refused in a database with real accounts */
    user(f, "lan", NT_ROLE_ANALYST, NULL);
    assert_int_equal(nt_auth_demo_accounts(f->a, &d2, &d), NT_ERR_STATE);
    assert_non_null(strstr(d.message, "demo"));
    assert_int_equal(d2.key[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_permission_table),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test_setup_teardown(test_password_hashing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actor_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles_and_disable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_own_org, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_other_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_by_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_accounts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
