/*
 * lib/store/sqlite_accounts.c - the SQLite half of the accounts and audit
 * operations (nt__acct_ops in store_int.h): organisations, people, API keys,
 * sessions, failed-login counters, settings and the audit chain, each a few
 * prepared statements over the tables of migration 2 (sqlite.c).
 *
 * The one idea: this file only says how rows are read and written - which
 * login may do what, how secrets are hashed and how the chain links are
 * computed live above it in lib/auth and lib/audit, so a PostgreSQL backend
 * implements the same table of functions and nothing else.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"

enum astmt {
    A_ORG_ADD,
    A_ORG_FIND,
    A_ORG_LIST,
    A_USER_ADD,
    A_USER_FIND,
    A_USER_UPDATE,
    A_USER_LIST,
    A_USER_COUNT,
    A_USER_COUNT_ADMINS,
    A_USER_COUNT_NON_DEMO,
    A_KEY_ADD,
    A_KEY_FIND,
    A_KEY_LIST,
    A_KEY_REVOKE,
    A_KEY_USAGE,
    A_SESSION_ADD,
    A_SESSION_FIND,
    A_SESSION_TOUCH,
    A_SESSION_DELETE,
    A_SESSION_DELETE_USER,
    A_SESSION_PURGE,
    A_THROTTLE_GET,
    A_THROTTLE_SET,
    A_THROTTLE_CLEAR,
    A_THROTTLE_PURGE,
    A_SETTING_SET,
    A_SETTING_LIST,
    A_AUDIT_HEAD,
    A_AUDIT_INSERT,
    A_AUDIT_HEAD_SET,
    A_AUDIT_LIST,
    A__COUNT
};

#define ORG_COLS "id, name, kind, created_at, demo"
#define USER_COLS                                                                                  \
    "u.id, u.login, u.display_name, u.role, IFNULL(u.org_id, 0), IFNULL(o.name, ''), "             \
    "u.created_at, u.disabled_at, u.password_changed_at, u.last_login_at, u.demo, u.pwhash"
#define USER_FROM " FROM users u LEFT JOIN orgs o ON o.id = u.org_id "
#define KEY_COLS                                                                                   \
    "k.id, k.prefix, k.org_id, o.name, k.role, k.label, k.created_by, k.created_at, "              \
    "k.expires_at, k.revoked_at, k.last_used_at, k.uses, k.demo, k.hash"
#define KEY_FROM " FROM api_keys k JOIN orgs o ON o.id = k.org_id "

const char *const nt__sq_acct_sql[A__COUNT] = {
    [A_ORG_ADD] = "INSERT INTO orgs(name, kind, demo, created_at) VALUES(?1, ?2, ?3, ?4)",
    [A_ORG_FIND] = "SELECT " ORG_COLS " FROM orgs WHERE name = ?1",
    [A_ORG_LIST] = "SELECT " ORG_COLS " FROM orgs ORDER BY id",
    [A_USER_ADD] = "INSERT INTO users(login, display_name, role, org_id, pwhash, demo, created_at, "
                   "disabled_at, password_changed_at, last_login_at) "
                   "VALUES(?1, ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10)",
    [A_USER_FIND] = "SELECT " USER_COLS USER_FROM "WHERE u.login = ?1",
    [A_USER_UPDATE] = "UPDATE users SET display_name = ?2, role = ?3, org_id = NULLIF(?4, 0), "
                      "pwhash = ?5, disabled_at = ?6, password_changed_at = ?7, "
                      "last_login_at = ?8 WHERE id = ?1",
    [A_USER_LIST] = "SELECT " USER_COLS USER_FROM "ORDER BY u.id",
    [A_USER_COUNT] = "SELECT count(*) FROM users",
    [A_USER_COUNT_ADMINS] = "SELECT count(*) FROM users WHERE role = 4 AND disabled_at = 0",
    [A_USER_COUNT_NON_DEMO] = "SELECT (SELECT count(*) FROM users WHERE demo = 0) + "
                              "(SELECT count(*) FROM orgs WHERE demo = 0) + "
                              "(SELECT count(*) FROM api_keys WHERE demo = 0)",
    [A_KEY_ADD] = "INSERT INTO api_keys(prefix, hash, org_id, role, label, created_by, demo, "
                  "created_at, expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [A_KEY_FIND] = "SELECT " KEY_COLS KEY_FROM "WHERE k.prefix = ?1",
    [A_KEY_LIST] = "SELECT " KEY_COLS KEY_FROM "ORDER BY k.id",
    [A_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at = 0",
    [A_KEY_USAGE] = "UPDATE api_keys SET uses = uses + ?2, "
                    "last_used_at = max(last_used_at, ?3) WHERE id = ?1",
    [A_SESSION_ADD] = "INSERT INTO sessions(token_hash, user_id, created_at, last_seen_at, "
                      "expires_at, addr) VALUES(?1, ?2, ?3, ?3, ?4, ?5)",
    [A_SESSION_FIND] = "SELECT s.id, s.created_at, s.last_seen_at, s.expires_at, " USER_COLS
                       " FROM sessions s JOIN users u ON u.id = s.user_id "
                       "LEFT JOIN orgs o ON o.id = u.org_id WHERE s.token_hash = ?1",
    [A_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1",
    [A_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
    [A_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1",
    [A_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1",
    [A_THROTTLE_GET] = "SELECT failures, last_at, locked_until FROM login_failures "
                       "WHERE scope = ?1 AND key = ?2",
    [A_THROTTLE_SET] = "INSERT INTO login_failures(scope, key, failures, last_at, locked_until) "
                       "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(scope, key) DO UPDATE SET "
                       "failures = excluded.failures, last_at = excluded.last_at, "
                       "locked_until = excluded.locked_until",
    [A_THROTTLE_CLEAR] = "DELETE FROM login_failures WHERE scope = ?1 AND key = ?2",
    [A_THROTTLE_PURGE] = "DELETE FROM login_failures WHERE max(last_at, locked_until) < ?1",
    [A_SETTING_SET] = "INSERT INTO settings(key, value, updated_at, updated_by) "
                      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET "
                      "value = excluded.value, updated_at = excluded.updated_at, "
                      "updated_by = excluded.updated_by",
    [A_SETTING_LIST] = "SELECT key, value FROM settings ORDER BY key",
    [A_AUDIT_HEAD] = "SELECT last_id, count, hash FROM audit_head WHERE one = 1",
    [A_AUDIT_INSERT] = "INSERT INTO audit(id, at, actor, action, object, details, prev_hash, "
                       "hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [A_AUDIT_HEAD_SET] = "UPDATE audit_head SET last_id = ?1, count = ?2, hash = ?3 WHERE one = 1",
    [A_AUDIT_LIST] = "SELECT id, at, actor, action, object, details, prev_hash, hash FROM audit "
                     "WHERE id > ?1 ORDER BY id LIMIT ?2",
};
const int nt__sq_acct_count = A__COUNT;

#define ST(k) nt__sq_acct_stmt(db, (k))

/* Step through the rows of st, calling read_row for each until it returns
 * non-zero; NT_ERR_NOT_FOUND when `want_one` and there was no row. */
typedef void (*any_fn)(void);
typedef int (*row_fn)(sqlite3_stmt *st, any_fn fn, void *ctx);

static nt_err loop(void *db, sqlite3_stmt *st, row_fn read_row, any_fn fn, void *ctx, int want_one,
                   nt_diag *diag, const char *what)
{
    int rc, rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rows++;
        if (read_row(st, fn, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return nt__sq_fail(db, diag, rc, what);
    return want_one && rows == 0 ? NT_ERR_NOT_FOUND : NT_OK;
}

static nt_err count_of(void *db, sqlite3_stmt *st, int64_t *n, nt_diag *diag, const char *what)
{
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? NT_OK : nt__sq_fail(db, diag, rc, what);
}

/* A 32-byte blob column into out (zero-padded or cut when the stored one
 * has another length: verification then finds the mismatch). */
static void blob32(sqlite3_stmt *st, int i, unsigned char out[32])
{
    const void *b = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    memset(out, 0, 32);
    if (b && n > 0)
        memcpy(out, b, n < 32 ? (size_t)n : 32);
}

/* ---- transactions ---------------------------------------------------------------- */

static nt_err sq_read_begin(void *db, nt_diag *diag)
{
    return nt__sq_exec(db, "BEGIN", diag, "starting a read");
}

static void sq_read_end(void *db)
{
    sqlite3_exec(nt__sq_db(db), "COMMIT", NULL, NULL, NULL);
}

/* ---- organisations ---------------------------------------------------------------- */

static int read_org(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt_org o = {.id = sqlite3_column_int64(st, 0),
                .name = nt__sq_text(st, 1),
                .kind = (nt_org_kind)sqlite3_column_int(st, 2),
                .created_at = sqlite3_column_int64(st, 3),
                .demo = sqlite3_column_int(st, 4)};
    return ((nt_org_fn)fn)(ctx, &o);
}

static nt_err sq_org_add(void *db, const char *name, nt_org_kind kind, int demo, int64_t now,
                         int64_t *id, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_ORG_ADD);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)kind);
    sqlite3_bind_int(st, 3, demo ? 1 : 0);
    sqlite3_bind_int64(st, 4, now);
    nt_err e = nt__sq_run(db, st, diag, "adding an organisation");
    if (!e)
        *id = sqlite3_last_insert_rowid(nt__sq_db(db));
    return e;
}

static nt_err sq_org_find(void *db, const char *name, nt_org_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_ORG_FIND);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return loop(db, st, read_org, (any_fn)fn, ctx, 1, diag, "reading organisations");
}

static nt_err sq_org_list(void *db, nt_org_fn fn, void *ctx, nt_diag *diag)
{
    return loop(db, ST(A_ORG_LIST), read_org, (any_fn)fn, ctx, 0, diag, "listing organisations");
}

/* ---- people ------------------------------------------------------------------------- */

/* USER_COLS starting at column c. */
static void user_cols(sqlite3_stmt *st, int c, nt__user_row *u)
{
    memset(u, 0, sizeof *u);
    u->pub.id = sqlite3_column_int64(st, c);
    u->pub.login = nt__sq_text(st, c + 1);
    u->pub.display_name = nt__sq_text(st, c + 2);
    u->pub.role = (nt_role)sqlite3_column_int(st, c + 3);
    u->pub.org_id = sqlite3_column_int64(st, c + 4);
    u->pub.org = nt__sq_text(st, c + 5);
    u->pub.created_at = sqlite3_column_int64(st, c + 6);
    u->pub.disabled_at = sqlite3_column_int64(st, c + 7);
    u->pub.password_changed_at = sqlite3_column_int64(st, c + 8);
    u->pub.last_login_at = sqlite3_column_int64(st, c + 9);
    u->pub.demo = sqlite3_column_int(st, c + 10);
    u->pwhash = nt__sq_text(st, c + 11);
}

static int read_user(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt__user_row u;
    user_cols(st, 0, &u);
    return ((nt__user_fn)fn)(ctx, &u);
}

static nt_err sq_user_add(void *db, const nt__user_row *u, int64_t *id, nt_diag *diag)
{
    const nt_user *p = &u->pub;
    sqlite3_stmt *st = ST(A_USER_ADD);
    sqlite3_bind_text(st, 1, p->login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)p->role);
    sqlite3_bind_int64(st, 4, p->org_id);
    sqlite3_bind_text(st, 5, u->pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, p->demo ? 1 : 0);
    sqlite3_bind_int64(st, 7, p->created_at);
    sqlite3_bind_int64(st, 8, p->disabled_at);
    sqlite3_bind_int64(st, 9, p->password_changed_at);
    sqlite3_bind_int64(st, 10, p->last_login_at);
    nt_err e = nt__sq_run(db, st, diag, "adding a person");
    if (!e)
        *id = sqlite3_last_insert_rowid(nt__sq_db(db));
    return e;
}

static nt_err sq_user_find(void *db, const char *login, nt__user_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_USER_FIND);
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    return loop(db, st, read_user, (any_fn)fn, ctx, 1, diag, "reading accounts");
}

static nt_err sq_user_update(void *db, const nt__user_row *u, nt_diag *diag)
{
    const nt_user *p = &u->pub;
    sqlite3_stmt *st = ST(A_USER_UPDATE);
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_text(st, 2, p->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)p->role);
    sqlite3_bind_int64(st, 4, p->org_id);
    sqlite3_bind_text(st, 5, u->pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, p->disabled_at);
    sqlite3_bind_int64(st, 7, p->password_changed_at);
    sqlite3_bind_int64(st, 8, p->last_login_at);
    return nt__sq_run(db, st, diag, "updating an account");
}

static nt_err sq_user_list(void *db, nt__user_fn fn, void *ctx, nt_diag *diag)
{
    return loop(db, ST(A_USER_LIST), read_user, (any_fn)fn, ctx, 0, diag, "listing accounts");
}

static nt_err sq_user_count(void *db, int which, int64_t *n, nt_diag *diag)
{
    int k = which == NT__COUNT_ENABLED_ADMINS ? A_USER_COUNT_ADMINS
            : which == NT__COUNT_NON_DEMO     ? A_USER_COUNT_NON_DEMO
                                              : A_USER_COUNT;
    return count_of(db, ST(k), n, diag, "counting accounts");
}

/* ---- API keys ------------------------------------------------------------------------ */

static int read_key(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    unsigned char hash[32];
    blob32(st, 13, hash);
    nt__key_row k = {.pub = {.id = sqlite3_column_int64(st, 0),
                             .prefix = nt__sq_text(st, 1),
                             .org_id = sqlite3_column_int64(st, 2),
                             .org = nt__sq_text(st, 3),
                             .role = (nt_role)sqlite3_column_int(st, 4),
                             .label = nt__sq_text(st, 5),
                             .created_by = nt__sq_text(st, 6),
                             .created_at = sqlite3_column_int64(st, 7),
                             .expires_at = sqlite3_column_int64(st, 8),
                             .revoked_at = sqlite3_column_int64(st, 9),
                             .last_used_at = sqlite3_column_int64(st, 10),
                             .uses = (uint64_t)sqlite3_column_int64(st, 11),
                             .demo = sqlite3_column_int(st, 12)},
                     .hash = hash};
    return ((nt__key_fn)fn)(ctx, &k);
}

static nt_err sq_key_add(void *db, const nt__key_row *k, int64_t *id, nt_diag *diag)
{
    const nt_key_info *p = &k->pub;
    sqlite3_stmt *st = ST(A_KEY_ADD);
    sqlite3_bind_text(st, 1, p->prefix, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, k->hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, p->org_id);
    sqlite3_bind_int(st, 4, (int)p->role);
    sqlite3_bind_text(st, 5, p->label ? p->label : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->created_by, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, p->demo ? 1 : 0);
    sqlite3_bind_int64(st, 8, p->created_at);
    sqlite3_bind_int64(st, 9, p->expires_at);
    nt_err e = nt__sq_run(db, st, diag, "adding an API key");
    if (!e)
        *id = sqlite3_last_insert_rowid(nt__sq_db(db));
    return e;
}

static nt_err sq_key_find(void *db, const char *prefix, nt__key_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_KEY_FIND);
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    return loop(db, st, read_key, (any_fn)fn, ctx, 1, diag, "reading API keys");
}

static nt_err sq_key_list(void *db, nt__key_fn fn, void *ctx, nt_diag *diag)
{
    return loop(db, ST(A_KEY_LIST), read_key, (any_fn)fn, ctx, 0, diag, "listing API keys");
}

static nt_err sq_key_revoke(void *db, int64_t id, int64_t now, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_KEY_REVOKE);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return nt__sq_run(db, st, diag, "revoking an API key");
}

static nt_err sq_key_usage(void *db, int64_t id, uint64_t uses, int64_t last, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_KEY_USAGE);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)uses);
    sqlite3_bind_int64(st, 3, last);
    return nt__sq_run(db, st, diag, "counting API key use");
}

/* ---- sessions ------------------------------------------------------------------------ */

static int read_session(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt__session_row s;
    s.id = sqlite3_column_int64(st, 0);
    s.created_at = sqlite3_column_int64(st, 1);
    s.last_seen_at = sqlite3_column_int64(st, 2);
    s.expires_at = sqlite3_column_int64(st, 3);
    user_cols(st, 4, &s.user);
    return ((nt__session_fn)fn)(ctx, &s);
}

static nt_err sq_session_add(void *db, const unsigned char hash[32], int64_t user_id, int64_t now,
                             int64_t expires_at, const char *addr, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SESSION_ADD);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, expires_at);
    sqlite3_bind_text(st, 5, addr ? addr : "", -1, SQLITE_STATIC);
    return nt__sq_run(db, st, diag, "starting a session");
}

static nt_err sq_session_find(void *db, const unsigned char hash[32], nt__session_fn fn, void *ctx,
                              nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SESSION_FIND);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return loop(db, st, read_session, (any_fn)fn, ctx, 1, diag, "reading sessions");
}

static nt_err sq_session_touch(void *db, int64_t id, int64_t now, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SESSION_TOUCH);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return nt__sq_run(db, st, diag, "updating a session");
}

static nt_err sq_session_delete(void *db, const unsigned char hash[32], nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SESSION_DELETE);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return nt__sq_run(db, st, diag, "ending a session");
}

static nt_err sq_session_delete_user(void *db, int64_t user_id, int64_t *n, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SESSION_DELETE_USER);
    sqlite3_bind_int64(st, 1, user_id);
    nt_err e = nt__sq_run(db, st, diag, "ending sessions");
    if (n)
        *n = e ? 0 : sqlite3_changes(nt__sq_db(db));
    return e;
}

static nt_err sq_session_purge(void *db, int64_t now, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SESSION_PURGE);
    sqlite3_bind_int64(st, 1, now);
    return nt__sq_run(db, st, diag, "removing ended sessions");
}

/* ---- failed logins ------------------------------------------------------------------- */

static nt_err sq_throttle_get(void *db, int scope, const char *key, nt__throttle_row *out,
                              nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_THROTTLE_GET);
    sqlite3_bind_int(st, 1, scope);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    memset(out, 0, sizeof *out);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->failures = sqlite3_column_int64(st, 0);
        out->last_at = sqlite3_column_int64(st, 1);
        out->locked_until = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? NT_OK
               : nt__sq_fail(db, diag, rc, "reading failed logins");
}

static nt_err sq_throttle_set(void *db, int scope, const char *key, const nt__throttle_row *r,
                              nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_THROTTLE_SET);
    sqlite3_bind_int(st, 1, scope);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->failures);
    sqlite3_bind_int64(st, 4, r->last_at);
    sqlite3_bind_int64(st, 5, r->locked_until);
    return nt__sq_run(db, st, diag, "recording a failed login");
}

static nt_err sq_throttle_clear(void *db, int scope, const char *key, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_THROTTLE_CLEAR);
    sqlite3_bind_int(st, 1, scope);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return nt__sq_run(db, st, diag, "clearing failed logins");
}

static nt_err sq_throttle_purge(void *db, int64_t before, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_THROTTLE_PURGE);
    sqlite3_bind_int64(st, 1, before);
    return nt__sq_run(db, st, diag, "forgetting old failed logins");
}

/* ---- settings ------------------------------------------------------------------------ */

static nt_err sq_setting_set(void *db, const char *key, const char *value, int64_t now,
                             const char *by, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_SETTING_SET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    return nt__sq_run(db, st, diag, "writing a setting");
}

static int read_setting(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    return ((nt__setting_fn)fn)(ctx, nt__sq_text(st, 0), nt__sq_text(st, 1));
}

static nt_err sq_setting_list(void *db, nt__setting_fn fn, void *ctx, nt_diag *diag)
{
    return loop(db, ST(A_SETTING_LIST), read_setting, (any_fn)fn, ctx, 0, diag, "reading settings");
}

/* ---- the audit chain ------------------------------------------------------------------- */

static nt_err sq_audit_head(void *db, nt_audit_head *out, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_AUDIT_HEAD);
    memset(out, 0, sizeof *out);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->last_id = sqlite3_column_int64(st, 0);
        out->count = sqlite3_column_int64(st, 1);
        blob32(st, 2, out->hash);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "the audit log's head row is missing: the log was tampered with "
                        "(niemtin audit verify)");
    return rc == SQLITE_ROW ? NT_OK : nt__sq_fail(db, diag, rc, "reading the audit head");
}

static nt_err sq_audit_insert(void *db, const nt_audit_entry *e, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_AUDIT_INSERT);
    sqlite3_bind_int64(st, 1, e->id);
    sqlite3_bind_int64(st, 2, e->at);
    sqlite3_bind_text(st, 3, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->object, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->details, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e->prev, NT_AUDIT_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, e->hash, NT_AUDIT_HASH_BYTES, SQLITE_STATIC);
    return nt__sq_run(db, st, diag, "appending to the audit log");
}

static nt_err sq_audit_head_set(void *db, const nt_audit_head *h, nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_AUDIT_HEAD_SET);
    sqlite3_bind_int64(st, 1, h->last_id);
    sqlite3_bind_int64(st, 2, h->count);
    sqlite3_bind_blob(st, 3, h->hash, NT_AUDIT_HASH_BYTES, SQLITE_STATIC);
    nt_err e = nt__sq_run(db, st, diag, "moving the audit head");
    if (!e && sqlite3_changes(nt__sq_db(db)) != 1)
        e = nt__fail(diag, NT_ERR_STATE, 0, "the audit log's head row is missing");
    return e;
}

static int read_audit(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt_audit_entry e = {.id = sqlite3_column_int64(st, 0),
                        .at = sqlite3_column_int64(st, 1),
                        .actor = nt__sq_text(st, 2),
                        .action = nt__sq_text(st, 3),
                        .object = nt__sq_text(st, 4),
                        .details = nt__sq_text(st, 5)};
    blob32(st, 6, e.prev);
    blob32(st, 7, e.hash);
    return ((nt_audit_fn)fn)(ctx, &e);
}

static nt_err sq_audit_list(void *db, int64_t since, int64_t limit, nt_audit_fn fn, void *ctx,
                            nt_diag *diag)
{
    sqlite3_stmt *st = ST(A_AUDIT_LIST);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, limit);
    return loop(db, st, read_audit, (any_fn)fn, ctx, 0, diag, "reading the audit log");
}

const nt__acct_ops nt__sqlite_acct_ops = {
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .org_add = sq_org_add,
    .org_find = sq_org_find,
    .org_list = sq_org_list,
    .user_add = sq_user_add,
    .user_find = sq_user_find,
    .user_update = sq_user_update,
    .user_list = sq_user_list,
    .user_count = sq_user_count,
    .key_add = sq_key_add,
    .key_find = sq_key_find,
    .key_list = sq_key_list,
    .key_revoke = sq_key_revoke,
    .key_usage = sq_key_usage,
    .session_add = sq_session_add,
    .session_find = sq_session_find,
    .session_touch = sq_session_touch,
    .session_delete = sq_session_delete,
    .session_delete_user = sq_session_delete_user,
    .session_purge = sq_session_purge,
    .throttle_get = sq_throttle_get,
    .throttle_set = sq_throttle_set,
    .throttle_clear = sq_throttle_clear,
    .throttle_purge = sq_throttle_purge,
    .setting_set = sq_setting_set,
    .setting_list = sq_setting_list,
    .audit_head = sq_audit_head,
    .audit_insert = sq_audit_insert,
    .audit_head_set = sq_audit_head_set,
    .audit_list = sq_audit_list,
};
