/*
 * lib/auth/session.c - logging in with a password, the throttling of failed
 * logins, web sessions and their CSRF tokens.
 *
 * A session token is 32 random bytes (43 base64url characters), the cookie's
 * value; the database keeps only its BLAKE2b hash, so a stolen database
 * opens no session.  The CSRF token is BLAKE2b of the token under another
 * label: whoever holds the cookie can be given it, a page on another site
 * cannot compute it, and nothing more is stored.
 *
 * The one idea of throttling: failures are counted per login name and per
 * client address (IPv6 per /64) in the database, so every server process
 * sees the same counts; past the limit each attempt must wait twice as long
 * as the last (1 s, 2 s, 4 s, ... up to login.lock_max_seconds), and while it
 * must wait the password is not even checked.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "core/diag.h"

#define SCOPE_LOGIN 1
#define SCOPE_ADDR 2
#define TOKEN_RAW 32
#define TOUCH_EVERY 60 /* seconds: last use is recorded to the minute */

static const unsigned char session_key[32] = "niemtin session hash, version 1";
static const unsigned char csrf_key[32] = "niemtin csrf token, version 1..";

static void b64(const unsigned char raw[TOKEN_RAW], char out[NT_SESSION_TOKEN_CHARS + 1])
{
    sodium_bin2base64(out, NT_SESSION_TOKEN_CHARS + 1, raw, TOKEN_RAW,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A session token's raw bytes; 0 on success (canonical spelling only). */
static int parse_token(const char *t, size_t len, unsigned char raw[TOKEN_RAW])
{
    char again[NT_SESSION_TOKEN_CHARS + 1];
    size_t got = 0;
    const char *end = NULL;
    if (!t || len != NT_SESSION_TOKEN_CHARS)
        return -1;
    if (sodium_base642bin(raw, TOKEN_RAW, t, len, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != TOKEN_RAW || end != t + len)
        return -1;
    b64(raw, again);
    return memcmp(again, t, len) == 0 ? 0 : -1;
}

static void session_hash(const unsigned char raw[TOKEN_RAW], unsigned char out[32])
{
    crypto_generichash(out, 32, raw, TOKEN_RAW, session_key, sizeof session_key);
}

static void csrf_of(const unsigned char raw[TOKEN_RAW], char out[NT_SESSION_TOKEN_CHARS + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, raw, TOKEN_RAW, csrf_key, sizeof csrf_key);
    b64(h, out);
    sodium_memzero(h, sizeof h);
}

nt_err nt_auth_csrf_token(const char *token, size_t len, char csrf[NT_SESSION_TOKEN_CHARS + 1])
{
    unsigned char raw[TOKEN_RAW];
    if (!csrf)
        return NT_ERR_INVALID_ARG;
    csrf[0] = '\0';
    if (parse_token(token, len, raw) != 0)
        return NT_ERR_INVALID;
    csrf_of(raw, csrf);
    sodium_memzero(raw, sizeof raw);
    return NT_OK;
}

int nt_auth_csrf_verify(const char *token, size_t len, const char *csrf, size_t csrf_len)
{
    char want[NT_SESSION_TOKEN_CHARS + 1];
    if (!csrf || csrf_len != NT_SESSION_TOKEN_CHARS ||
        nt_auth_csrf_token(token, len, want) != NT_OK)
        return 0;
    int ok = sodium_memcmp(want, csrf, NT_SESSION_TOKEN_CHARS) == 0;
    sodium_memzero(want, sizeof want);
    return ok;
}

/* ---- throttling ------------------------------------------------------------------------ */

/* The throttling key of a client address: IPv4 as is, IPv6 by its /64
 * (one customer's network), an IPv4-mapped IPv6 address as IPv4. */
static nt_err addr_key(const char *addr, char out[NT_MAX_ADDR_BYTES], nt_diag *diag)
{
    unsigned char b[16];
    out[0] = '\0';
    if (!addr)
        return NT_OK;
    if (strlen(addr) >= NT_MAX_ADDR_BYTES)
        return nt__fail(diag, NT_ERR_INVALID, 0, "addr: not an IP address");
    if (inet_pton(AF_INET, addr, b) == 1) {
        inet_ntop(AF_INET, b, out, NT_MAX_ADDR_BYTES);
        return NT_OK;
    }
    if (inet_pton(AF_INET6, addr, b) != 1)
        return nt__fail(diag, NT_ERR_INVALID, 0, "addr: not an IP address");
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
        inet_ntop(AF_INET, b + 12, out, NT_MAX_ADDR_BYTES);
        return NT_OK;
    }
    memset(b + 8, 0, 8);
    inet_ntop(AF_INET6, b, out, NT_MAX_ADDR_BYTES - 4);
    size_t n = strlen(out);
    snprintf(out + n, NT_MAX_ADDR_BYTES - n, "/64");
    return NT_OK;
}

/* Seconds to wait before the next attempt (0: may try now). */
static int64_t wait_for(const nt__throttle_row *r, int64_t now)
{
    return r->locked_until > now ? r->locked_until - now : 0;
}

/* One more failure: forget old ones, count, and lock when past the limit. */
static void bump(nt__throttle_row *r, int64_t now, const nt__settings *s, long max)
{
    if (now - r->last_at > s->v[SET_LOGIN_WINDOW_MINUTES][0] * 60)
        r->failures = 0;
    r->failures++;
    r->last_at = now;
    if (r->failures >= max) {
        int64_t k = r->failures - max, cap = s->v[SET_LOGIN_LOCK_MAX_SECONDS][0];
        int64_t wait = k >= 30 ? cap : (int64_t)1 << k;
        r->locked_until = now + (wait < cap ? wait : cap);
    }
}

typedef struct attempt {
    char login[NT_MAX_LOGIN_BYTES + 1]; /* "" when the name is not even well formed */
    char addr[NT_MAX_ADDR_BYTES];       /* "" for the console */
    nt__settings set;
    nt__ucopy user;
} attempt;

/* Phase 1 (db_lock held): is the attempt throttled?  Then load the person. */
static nt_err before_check(nt_auth *a, attempt *t, int64_t now, int64_t *retry, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    nt__throttle_row rn = {0}, ra = {0};
    nt_err e;
    *retry = 0;
    if ((t->login[0] && (e = ops->throttle_get(db, SCOPE_LOGIN, t->login, &rn, diag))) ||
        (t->addr[0] && (e = ops->throttle_get(db, SCOPE_ADDR, t->addr, &ra, diag))))
        return e;
    int64_t w1 = wait_for(&rn, now), w2 = wait_for(&ra, now);
    *retry = w1 > w2 ? w1 : w2;
    if (*retry || !t->login[0])
        return NT_OK;
    e = nt__user_load(a, t->login, &t->user, diag);
    return e == NT_ERR_NOT_FOUND ? NT_OK : e;
}

/* The argon2 hash unknown logins are checked against, so that they take as
 * long as known ones.  Made once per handle, with the handle's limits. */
static const char *dummy_hash(nt_auth *a)
{
    pthread_mutex_lock(&a->dummy_lock);
    if (!a->dummy_pwhash) {
        unsigned char r[16];
        char pw[33];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(pw, sizeof pw, r, sizeof r);
        nt__pw_hash(a, pw, strlen(pw), &a->dummy_pwhash, NULL);
    }
    pthread_mutex_unlock(&a->dummy_lock);
    return a->dummy_pwhash;
}

/* Was a stored hash made with less work than the limits now configured (or
 * not with argon2id)?  Then the next successful login replaces it.  A hash
 * made with more work is kept: a handle with smaller limits (a test setting)
 * never weakens one. */
static int weaker(const char *h, unsigned long long ops, size_t mem)
{
    unsigned m = 0, t = 0, p = 0;
    if (strncmp(h, "$argon2id$v=19$", 15) != 0 ||
        sscanf(h + 15, "m=%u,t=%u,p=%u$", &m, &t, &p) != 3)
        return 1;
    return (unsigned long long)t < ops || (size_t)m * 1024u < mem;
}

/* Phase 2 (no lock): does the password match?  *rehash gets a new hash
 * when the stored one was made with other limits. */
static int password_matches(nt_auth *a, const attempt *t, const char *pw, size_t len, char **rehash)
{
    *rehash = NULL;
    if (len > NT_MAX_PASSWORD_BYTES)
        return 0; /* never stored: no work for whoever sends megabytes */
    if (!t->user.found) {
        const char *d = dummy_hash(a);
        /* the same work as a real check; the answer is always no */
        if (d && crypto_pwhash_str_verify(d, pw ? pw : "", len) == 0)
            return 0;
        return 0;
    }
    if (crypto_pwhash_str_verify(t->user.pwhash, pw ? pw : "", len) != 0)
        return 0;
    if (weaker(t->user.pwhash, a->cfg.pw_opslimit, a->cfg.pw_memlimit))
        nt__pw_hash(a, pw, len, rehash, NULL);
    return 1;
}

/* Record a failure against the name and the address (in a transaction). */
static nt_err record_failure(nt_auth *a, const attempt *t, int64_t now, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    nt__throttle_row r;
    nt_err e;
    if (t->login[0]) {
        if ((e = ops->throttle_get(db, SCOPE_LOGIN, t->login, &r, diag)))
            return e;
        bump(&r, now, &t->set, t->set.v[SET_LOGIN_MAX_FAILURES][0]);
        if ((e = ops->throttle_set(db, SCOPE_LOGIN, t->login, &r, diag)))
            return e;
    }
    if (t->addr[0]) {
        if ((e = ops->throttle_get(db, SCOPE_ADDR, t->addr, &r, diag)))
            return e;
        bump(&r, now, &t->set, t->set.v[SET_LOGIN_MAX_FAILURES_ADDR][0]);
        if ((e = ops->throttle_set(db, SCOPE_ADDR, t->addr, &r, diag)))
            return e;
    }
    /* forget counters nobody has touched for a window past the longest lock */
    return ops->throttle_purge(db,
                               now - t->set.v[SET_LOGIN_WINDOW_MINUTES][0] * 60 -
                                   t->set.v[SET_LOGIN_LOCK_MAX_SECONDS][0],
                               diag);
}

static json_t *attempt_details(const attempt *t)
{
    json_t *j = json_object();
    if (j && t->addr[0])
        json_object_set_new(j, "addr", json_string(t->addr));
    return j;
}

/* The audit object of an attempt: the account, or "(unknown)" - a name that
 * is no account may be a password typed into the wrong field, and the audit
 * log keeps what it holds forever. */
static void attempt_object(const attempt *t, char *buf, size_t n)
{
    snprintf(buf, n, "user:%s", t->user.found ? t->login : "(unknown)");
}

/* Set up an attempt: the login as stored (or "" when malformed) and the address key. */
static nt_err attempt_init(nt_auth *a, attempt *t, const char *login, const char *addr,
                           nt_diag *diag)
{
    memset(t, 0, sizeof *t);
    nt_err e = addr_key(addr, t->addr, diag);
    if (e)
        return e;
    if (nt__login_norm(login, t->login, 1, NULL) != NT_OK)
        t->login[0] = '\0';
    nt__auth_settings(a, &t->set);
    return NT_OK;
}

/* ---- logging in ---------------------------------------------------------------------------- */

nt_err nt_auth_login(nt_auth *a, const char *login, const char *pw, size_t len, const char *addr,
                     nt_login_result *res, nt_diag *diag)
{
    nt_err e;
    void *db;
    attempt t;
    char *rehash = NULL, object[NT_MAX_LOGIN_BYTES + 16];
    if (!a || !res || (!pw && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(res, 0, sizeof *res);
    res->outcome = NT_AUTHN_INVALID;
    nt_principal_public(&res->who);
    nt__auth_maybe_refresh(a);
    if ((e = attempt_init(a, &t, login, addr, diag)))
        return e;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);

    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    e = before_check(a, &t, now, &res->retry_after, diag);
    pthread_mutex_unlock(&a->db_lock);
    if (e)
        goto done;
    if (res->retry_after) {
        res->outcome = NT_AUTHN_THROTTLED;
        goto done;
    }

    int ok = password_matches(a, &t, pw, len, &rehash);

    pthread_mutex_lock(&a->db_lock);
    now = nt__auth_now(a);
    attempt_object(&t, object, sizeof object);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    if (ok) {
        /* the person may have changed while argon2 ran */
        nt__ucopy now_u;
        e = nt__user_load(a, t.login, &now_u, diag);
        if (e && e != NT_ERR_NOT_FOUND)
            goto fail;
        ok = e == NT_OK && now_u.id == t.user.id && strcmp(now_u.pwhash, t.user.pwhash) == 0;
        e = NT_OK;
        if (ok)
            t.user = now_u;
        sodium_memzero(&now_u, sizeof now_u);
    }
    if (ok && t.user.disabled_at) {
        res->outcome = NT_AUTHN_DISABLED;
        json_t *j = attempt_details(&t);
        json_object_set_new(j, "reason", json_string("disabled"));
        if ((e = nt__auth_audit(a, now, t.login, "login.refused", object, j, diag)))
            goto fail;
    } else if (ok) {
        unsigned char raw[TOKEN_RAW], h[32];
        nt__user_row row;
        randombytes_buf(raw, sizeof raw);
        session_hash(raw, h);
        int64_t expires = now + t.set.v[SET_SESSION_MAX_HOURS][0] * 3600;
        t.user.last_login_at = now;
        if (rehash)
            snprintf(t.user.pwhash, sizeof t.user.pwhash, "%s", rehash);
        nt__ucopy_row(&t.user, &row);
        if (!(e = ops->session_add(db, h, t.user.id, now, expires, t.addr, diag)) &&
            !(e = ops->user_update(db, &row, diag)) &&
            !(e = ops->throttle_clear(db, SCOPE_LOGIN, t.login, diag)) &&
            !(e = ops->session_purge(db, now, diag))) {
            json_t *j = attempt_details(&t);
            if (rehash)
                json_object_set_new(j, "password_rehashed", json_true());
            e = nt__auth_audit(a, now, t.login, "login.success", object, j, diag);
        }
        if (!e) {
            b64(raw, res->token);
            csrf_of(raw, res->csrf);
            res->expires_at = expires;
        }
        sodium_memzero(raw, sizeof raw);
        sodium_memzero(h, sizeof h);
        if (e)
            goto fail;
        res->outcome = NT_AUTHN_OK;
        nt__principal_user(&t.user, &res->who);
    } else {
        if ((e = record_failure(a, &t, now, diag)) ||
            (e = nt__auth_audit(a, now, "public", "login.failure", object, attempt_details(&t),
                                diag)))
            goto fail;
    }
    if ((e = nt__store_commit(a->st, diag)))
        goto unlock;
    goto unlock;
fail:
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
done:
    if (e || res->outcome != NT_AUTHN_OK) {
        sodium_memzero(res->token, sizeof res->token);
        sodium_memzero(res->csrf, sizeof res->csrf);
        if (e)
            res->outcome = NT_AUTHN_INVALID;
        if (res->outcome != NT_AUTHN_OK)
            nt_principal_public(&res->who);
    }
    if (rehash) {
        sodium_memzero(rehash, strlen(rehash));
        free(rehash);
    }
    sodium_memzero(&t, sizeof t);
    return e;
}

nt_err nt_auth_password_change(nt_auth *a, const char *login, const char *old_pw, size_t old_len,
                               const char *new_pw, size_t new_len, const char *addr, nt_diag *diag)
{
    nt_err e;
    void *db;
    attempt t;
    char *unused = NULL, *h = NULL, object[NT_MAX_LOGIN_BYTES + 16];
    int64_t retry = 0;
    if (!a || (!old_pw && old_len) || (!new_pw && new_len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = attempt_init(a, &t, login, addr, diag)))
        return e;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    pthread_mutex_lock(&a->db_lock);
    e = before_check(a, &t, nt__auth_now(a), &retry, diag);
    pthread_mutex_unlock(&a->db_lock);
    if (e)
        goto done;
    if (retry) {
        e = nt__fail(diag, NT_ERR_STATE, 0, "too many failed attempts: try again in %lld seconds",
                     (long long)retry);
        goto done;
    }
    if (t.user.found && t.user.disabled_at) {
        e = nt__fail(diag, NT_ERR_STATE, 0, "the account is disabled");
        goto done;
    }
    int ok = password_matches(a, &t, old_pw, old_len, &unused);
    if (ok && ((e = nt_auth_password_check(t.user.login, t.user.display, new_pw, new_len, diag)) ||
               (e = nt__pw_hash(a, new_pw, new_len, &h, diag))))
        goto done;
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    attempt_object(&t, object, sizeof object);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    if (!ok) {
        if ((e = record_failure(a, &t, now, diag)) ||
            (e = nt__auth_audit(a, now, "public", "password.change_failed", object,
                                attempt_details(&t), diag)))
            goto fail;
        if ((e = nt__store_commit(a->st, diag)))
            goto unlock;
        e = nt__fail(diag, NT_ERR_STATE, 0, "the old password is wrong");
        goto unlock;
    }
    nt__ucopy cur;
    e = nt__user_load(a, t.login, &cur, diag);
    if (e || strcmp(cur.pwhash, t.user.pwhash) != 0) {
        e = nt__fail(diag, NT_ERR_STATE, 0, "the password was changed meanwhile: try again");
        sodium_memzero(&cur, sizeof cur);
        goto fail;
    }
    nt__user_row row;
    int64_t n = 0;
    snprintf(cur.pwhash, sizeof cur.pwhash, "%s", h);
    cur.password_changed_at = now;
    nt__ucopy_row(&cur, &row);
    if (!(e = ops->user_update(db, &row, diag)) &&
        !(e = ops->session_delete_user(db, cur.id, &n, diag))) {
        json_t *j = attempt_details(&t);
        json_object_set_new(j, "sessions_ended", json_integer(n));
        e = nt__auth_audit(a, now, t.login, "user.password", object, j, diag);
    }
    sodium_memzero(&cur, sizeof cur);
    if (e)
        goto fail;
    e = nt__store_commit(a->st, diag);
    goto unlock;
fail:
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
done:
    free(unused);
    free(h);
    sodium_memzero(&t, sizeof t);
    return e;
}

/* ---- sessions ---------------------------------------------------------------------------- */

typedef struct sess_copy {
    int found;
    int64_t id, created_at, last_seen_at, expires_at;
    nt__ucopy user;
} sess_copy;

static int sess_copy_fn(void *ctx, const nt__session_row *s)
{
    sess_copy *c = ctx;
    c->found = 1;
    c->id = s->id;
    c->created_at = s->created_at;
    c->last_seen_at = s->last_seen_at;
    c->expires_at = s->expires_at;
    nt__ucopy_fn(&c->user, &s->user);
    return 1;
}

nt_err nt_auth_session_check(nt_auth *a, const char *token, size_t len, nt_principal *who,
                             nt_authn *result, nt_diag *diag)
{
    unsigned char raw[TOKEN_RAW], h[32];
    void *db;
    nt__settings set;
    if (!a || !who || !result)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    nt_principal_public(who);
    *result = NT_AUTHN_INVALID;
    if (parse_token(token, len, raw) != 0)
        return NT_OK;
    session_hash(raw, h);
    sodium_memzero(raw, sizeof raw);
    nt__auth_maybe_refresh(a);
    nt__auth_settings(a, &set);
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    sess_copy s = {0};
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    nt_err e = ops->session_find(db, h, sess_copy_fn, &s, diag);
    if (e == NT_ERR_NOT_FOUND) {
        e = NT_OK;
        goto unlock;
    }
    if (e)
        goto unlock;
    int64_t idle = set.v[SET_SESSION_IDLE_MINUTES][0] * 60;
    if (now >= s.expires_at || now - s.last_seen_at >= idle) {
        *result = NT_AUTHN_EXPIRED;
        e = ops->session_delete(db, h, diag);
    } else if (s.user.disabled_at) {
        *result = NT_AUTHN_DISABLED;
        e = ops->session_delete(db, h, diag);
    } else {
        *result = NT_AUTHN_OK;
        nt__principal_user(&s.user, who);
        if (now - s.last_seen_at >= TOUCH_EVERY)
            e = ops->session_touch(db, s.id, now, diag);
    }
unlock:
    pthread_mutex_unlock(&a->db_lock);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(h, sizeof h);
    if (e) {
        *result = NT_AUTHN_INVALID;
        nt_principal_public(who);
    }
    return e;
}

nt_err nt_auth_logout(nt_auth *a, const char *token, size_t len, nt_diag *diag)
{
    unsigned char raw[TOKEN_RAW], h[32];
    void *db;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (parse_token(token, len, raw) != 0)
        return NT_OK;
    session_hash(raw, h);
    sodium_memzero(raw, sizeof raw);
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    sess_copy s = {0};
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    nt_err e = nt__store_begin(a->st, diag);
    if (e)
        goto unlock;
    e = ops->session_find(db, h, sess_copy_fn, &s, diag);
    if (e == NT_ERR_NOT_FOUND) {
        nt__store_rollback(a->st);
        e = NT_OK;
        goto unlock;
    }
    char object[NT_MAX_LOGIN_BYTES + 8];
    snprintf(object, sizeof object, "user:%s", s.user.login);
    if (e || (e = ops->session_delete(db, h, diag)) ||
        (e = nt__auth_audit(a, now, s.user.login, "logout", object, NULL, diag))) {
        nt__store_rollback(a->st);
        goto unlock;
    }
    e = nt__store_commit(a->st, diag);
unlock:
    pthread_mutex_unlock(&a->db_lock);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(h, sizeof h);
    return e;
}
