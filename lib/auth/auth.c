/*
 * lib/auth/auth.c - the nt_auth handle: opening it on the registry's
 * database, the in-memory copy of keys and settings and how it notices
 * changes made by other processes, organisations, people and their
 * passwords, settings, and the audit log through the handle.
 *
 * The one idea: a write here is lock -> BEGIN IMMEDIATE -> check -> change ->
 * audit entry -> COMMIT, and every check that depends on the database (a
 * login taken, the last administrator) is made inside that transaction, so
 * two processes cannot both pass it; when keys or settings change, a counter
 * in the meta table ("auth_generation") moves in the same transaction, and
 * every handle re-reads its copy when it sees the counter move.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth_int.h"
#include "core/diag.h"
#include "niemtin/text.h"

#define GEN_KEY "auth_generation"

int64_t nt__auth_now(const nt_auth *a)
{
    return nt_store_now(a->st);
}

void nt_secret_wipe(void *p, size_t n)
{
    if (p && n)
        sodium_memzero(p, n);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the generation counter and the cache -------------------------------------------- */

static nt_err read_gen(nt_auth *a, int64_t *g, nt_diag *diag)
{
    void *db;
    const nt__store_ops *ops = nt__store_core(a->st, &db);
    char *v = NULL;
    nt_err e = ops->meta_get(db, GEN_KEY, &v, diag);
    *g = 0;
    if (e == NT_ERR_NOT_FOUND)
        return NT_OK;
    if (e)
        return e;
    *g = strtoll(v, NULL, 10);
    free(v);
    return NT_OK;
}

nt_err nt__auth_bump(nt_auth *a, nt_diag *diag)
{
    void *db;
    const nt__store_ops *ops = nt__store_core(a->st, &db);
    int64_t g;
    char buf[32];
    nt_err e = read_gen(a, &g, diag);
    if (e)
        return e;
    snprintf(buf, sizeof buf, "%lld", (long long)g + 1);
    return ops->meta_set(db, GEN_KEY, buf, diag);
}

static int load_setting(void *ctx, const char *key, const char *value)
{
    nt__settings *s = ctx;
    int id = nt__setting_find(key);
    long v[2];
    /* unknown keys (a newer NiemTin) and unparsable values keep the default */
    if (id >= 0 && nt__setting_parse(id, value, v, NULL) == NT_OK) {
        s->v[id][0] = v[0];
        s->v[id][1] = v[1];
        s->stored |= 1u << id;
    }
    return 0;
}

static nt_err load_settings(nt_auth *a, nt__settings *out, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    nt__settings_defaults(out);
    return ops->setting_list(db, load_setting, out, diag);
}

static int cmp_pid(const void *k, const void *e)
{
    uint64_t x = *(const uint64_t *)k, y = ((const nt__key_entry *)e)->pid;
    return (x > y) - (x < y);
}

nt_err nt__auth_reload(nt_auth *a, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    nt__key_entry *keys = NULL, *old;
    size_t n = 0;
    nt__settings set;
    int64_t gen = 0;
    nt_err e = ops->read_begin(db, diag);
    if (e)
        return e;
    if (!(e = read_gen(a, &gen, diag)) && !(e = nt__keys_load(a, &keys, &n, diag)))
        e = load_settings(a, &set, diag);
    ops->read_end(db);
    if (e) {
        free(keys);
        return e;
    }
    pthread_rwlock_wrlock(&a->cache_lock);
    old = a->keys;
    /* usage counted since the last flush moves to the new table */
    for (size_t i = 0; old && i < n; i++) {
        nt__key_entry *o = bsearch(&keys[i].pid, old, a->n_keys, sizeof *old, cmp_pid);
        if (o && o->id == keys[i].id) {
            atomic_store(&keys[i].pending, atomic_load(&o->pending));
            atomic_store(&keys[i].last_used, atomic_load(&o->last_used));
        }
    }
    a->keys = keys;
    a->n_keys = n;
    a->set = set;
    a->generation = gen;
    pthread_rwlock_unlock(&a->cache_lock);
    free(old);
    return NT_OK;
}

void nt__auth_maybe_refresh(nt_auth *a)
{
    if (a->cfg.cache_ms != NT_AUTH_CACHE_ALWAYS &&
        mono_ms() - atomic_load(&a->checked_ms) < (int64_t)a->cfg.cache_ms)
        return;
    if (pthread_mutex_trylock(&a->db_lock) != 0)
        return; /* someone is using the database; the next call will look */
    atomic_store(&a->checked_ms, mono_ms());
    int64_t g;
    if (read_gen(a, &g, NULL) == NT_OK && g != a->generation)
        nt__auth_reload(a, NULL);
    pthread_mutex_unlock(&a->db_lock);
}

nt_err nt_auth_refresh(nt_auth *a, nt_diag *diag)
{
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    pthread_mutex_lock(&a->db_lock);
    int64_t g;
    nt_err e = read_gen(a, &g, diag);
    if (!e && g != a->generation)
        e = nt__auth_reload(a, diag);
    atomic_store(&a->checked_ms, mono_ms());
    pthread_mutex_unlock(&a->db_lock);
    return e;
}

void nt__auth_settings(nt_auth *a, nt__settings *out)
{
    pthread_rwlock_rdlock(&a->cache_lock);
    *out = a->set;
    pthread_rwlock_unlock(&a->cache_lock);
}

nt_err nt__auth_audit(nt_auth *a, int64_t now, const char *actor, const char *action,
                      const char *object, json_t *details, nt_diag *diag)
{
    char *d = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int had = details != NULL;
    json_decref(details);
    if (had && !d)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err e = nt__audit_append(a->st, now, actor, action, object, d, diag);
    free(d);
    return e;
}

/* ---- opening ------------------------------------------------------------------------------ */

void nt_auth_config_init(nt_auth_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->pw_opslimit = NT_PWHASH_OPSLIMIT;
    cfg->pw_memlimit = NT_PWHASH_MEMLIMIT;
    cfg->busy_timeout_ms = 5000;
    cfg->cache_ms = 1000;
}

nt_err nt_auth_open(const nt_auth_config *cfg, nt_auth **out, nt_diag *diag)
{
    nt_err e;
    if (!cfg || !cfg->path || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no database path");
    *out = NULL;
    if (sodium_init() < 0)
        return nt__fail(diag, NT_ERR_INTERNAL, 0, "libsodium failed to initialise");
    unsigned long long ops = cfg->pw_opslimit ? cfg->pw_opslimit : NT_PWHASH_OPSLIMIT;
    size_t mem = cfg->pw_memlimit ? cfg->pw_memlimit : NT_PWHASH_MEMLIMIT;
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_MAX)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0,
                        "argon2 limits out of range (passes %llu, memory %zu bytes)", ops, mem);
    nt_auth *a = calloc(1, sizeof *a);
    if (!a)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    a->cfg = *cfg;
    a->cfg.path = NULL; /* used only here */
    a->cfg.pw_opslimit = ops;
    a->cfg.pw_memlimit = mem;
    if (!a->cfg.cache_ms)
        a->cfg.cache_ms = 1000;
    pthread_mutex_init(&a->db_lock, NULL);
    pthread_mutex_init(&a->dummy_lock, NULL);
    pthread_rwlock_init(&a->cache_lock, NULL);
    nt__settings_defaults(&a->set);
    randombytes_buf(a->dummy_key_hash, sizeof a->dummy_key_hash);
    nt_store_config sc;
    nt_store_config_init(&sc);
    sc.path = cfg->path;
    sc.busy_timeout_ms = cfg->busy_timeout_ms;
    sc.clock = cfg->clock;
    sc.clock_ctx = cfg->clock_ctx;
    if ((e = nt_store_open(&sc, &a->st, diag)))
        goto fail;
    pthread_mutex_lock(&a->db_lock);
    e = nt__auth_reload(a, diag);
    pthread_mutex_unlock(&a->db_lock);
    if (e)
        goto fail;
    atomic_store(&a->checked_ms, mono_ms());
    *out = a;
    return NT_OK;
fail:
    nt_auth_close(a);
    return e;
}

void nt_auth_close(nt_auth *a)
{
    if (!a)
        return;
    if (a->st) {
        nt_auth_flush(a, NULL);
        nt_store_close(a->st);
    }
    if (a->keys)
        sodium_memzero(a->keys, a->n_keys * sizeof *a->keys);
    free(a->keys);
    free(a->dummy_pwhash);
    pthread_rwlock_destroy(&a->cache_lock);
    pthread_mutex_destroy(&a->dummy_lock);
    pthread_mutex_destroy(&a->db_lock);
    free(a);
}

/* ---- names, logins, passwords -----------------------------------------------------------------
 */

static const char *const reserved_logins[] = {"public", "system", "anonymous", "expiry", "import"};

nt_err nt__login_norm(const char *in, char out[NT_MAX_LOGIN_BYTES + 1], int allow_reserved,
                      nt_diag *diag)
{
    out[0] = '\0';
    if (!in || !*in)
        return nt__fail(diag, NT_ERR_INVALID, 0, "login: a login name is required");
    size_t n = strlen(in);
    if (n > NT_MAX_LOGIN_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, NT_MAX_LOGIN_BYTES,
                        "login: %zu bytes, more than the limit of %u", n, NT_MAX_LOGIN_BYTES);
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return nt__fail(diag, NT_ERR_INVALID, i,
                            "login: only letters a-z, digits and . _ - (starting with a letter "
                            "or digit); byte %zu is not one",
                            i);
        out[i] = c;
    }
    out[n] = '\0';
    if (allow_reserved)
        return NT_OK;
    for (size_t i = 0; i < sizeof reserved_logins / sizeof reserved_logins[0]; i++)
        if (strcmp(out, reserved_logins[i]) == 0)
            return nt__fail(diag, NT_ERR_INVALID, 0,
                            "login: '%s' is reserved (the audit log uses it)", out);
    if (strncmp(out, "nt_", 3) == 0)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "login: names starting with nt_ are reserved for API keys");
    return NT_OK;
}

static int ascii_case_equal(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

nt_err nt_auth_password_check(const char *login, const char *display, const char *pw, size_t len,
                              nt_diag *diag)
{
    size_t bad, chars = 0;
    if (!pw && len)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL password");
    if (len > NT_MAX_PASSWORD_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, NT_MAX_PASSWORD_BYTES,
                        "password: %zu bytes, more than the limit of %u", len,
                        NT_MAX_PASSWORD_BYTES);
    if (len && nt_utf8_validate(pw, len, &bad) != NT_OK)
        return nt__fail(diag, NT_ERR_UTF8, bad, "password: malformed UTF-8 at byte %zu", bad);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pw[i];
        if (c < 0x20 || c == 0x7f)
            return nt__fail(diag, NT_ERR_INVALID, i, "password: control character at byte %zu", i);
        chars += (c & 0xc0) != 0x80;
    }
    if (chars < NT_MIN_PASSWORD_CHARS)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "password: at least %u characters are required (this one has %zu)",
                        NT_MIN_PASSWORD_CHARS, chars);
    if (login && ascii_case_equal(pw, len, login))
        return nt__fail(diag, NT_ERR_INVALID, 0, "password: must not be the login name");
    if (display && ascii_case_equal(pw, len, display))
        return nt__fail(diag, NT_ERR_INVALID, 0, "password: must not be the display name");
    size_t cp = 1;
    while (cp < len && ((unsigned char)pw[cp] & 0xc0) == 0x80)
        cp++;
    int same = len % cp == 0;
    for (size_t i = cp; same && i < len; i += cp)
        same = memcmp(pw, pw + i, cp) == 0;
    if (same)
        return nt__fail(diag, NT_ERR_INVALID, 0, "password: one character repeated is too easy");
    return NT_OK;
}

nt_err nt__pw_hash(const nt_auth *a, const char *pw, size_t len, char **out, nt_diag *diag)
{
    char *h = malloc(crypto_pwhash_STRBYTES);
    *out = NULL;
    if (!h)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (crypto_pwhash_str_alg(h, pw ? pw : "", len, a->cfg.pw_opslimit, a->cfg.pw_memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        free(h);
        return nt__fail(diag, NT_ERR_NOMEM, 0, "argon2id could not get its %zu bytes of memory",
                        a->cfg.pw_memlimit);
    }
    *out = h;
    return NT_OK;
}

/* ---- people: shared pieces ------------------------------------------------------------------ */

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int nt__ucopy_fn(void *ctx, const nt__user_row *u)
{
    nt__ucopy *c = ctx;
    memset(c, 0, sizeof *c);
    c->found = 1;
    c->id = u->pub.id;
    c->org_id = u->pub.org_id;
    c->created_at = u->pub.created_at;
    c->disabled_at = u->pub.disabled_at;
    c->password_changed_at = u->pub.password_changed_at;
    c->last_login_at = u->pub.last_login_at;
    c->role = u->pub.role;
    c->demo = u->pub.demo;
    copy_str(c->login, sizeof c->login, u->pub.login);
    copy_str(c->display, sizeof c->display, u->pub.display_name);
    copy_str(c->org, sizeof c->org, u->pub.org);
    copy_str(c->pwhash, sizeof c->pwhash, u->pwhash);
    return 1;
}

void nt__ucopy_row(const nt__ucopy *c, nt__user_row *row)
{
    memset(row, 0, sizeof *row);
    row->pub.id = c->id;
    row->pub.login = c->login;
    row->pub.display_name = c->display;
    row->pub.role = c->role;
    row->pub.org_id = c->org_id;
    row->pub.org = c->org;
    row->pub.created_at = c->created_at;
    row->pub.disabled_at = c->disabled_at;
    row->pub.password_changed_at = c->password_changed_at;
    row->pub.last_login_at = c->last_login_at;
    row->pub.demo = c->demo;
    row->pwhash = c->pwhash;
}

nt_err nt__user_load(nt_auth *a, const char *login, nt__ucopy *out, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    memset(out, 0, sizeof *out);
    return ops->user_find(db, login, nt__ucopy_fn, out, diag);
}

void nt__principal_user(const nt__ucopy *u, nt_principal *p)
{
    memset(p, 0, sizeof *p);
    p->kind = NT_PRINCIPAL_USER;
    p->role = u->role;
    p->id = u->id;
    p->org_id = u->org_id;
    copy_str(p->name, sizeof p->name, u->login);
    copy_str(p->org, sizeof p->org, u->org);
}

typedef struct org_copy {
    int found;
    int64_t id;
} org_copy;

static int org_copy_fn(void *ctx, const nt_org *o)
{
    org_copy *c = ctx;
    c->found = 1;
    c->id = o->id;
    return 1;
}

/* The id of an organisation by name (in a transaction); NT_ERR_INVALID when
 * there is none. */
static nt_err org_id_of(nt_auth *a, const char *org, int64_t *id, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    org_copy c = {0};
    nt_err e = ops->org_find(db, org, org_copy_fn, &c, diag);
    if (e == NT_ERR_NOT_FOUND)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "org: there is no organisation named '%s' (niemtin org add)", org);
    *id = c.id;
    return e;
}

/* ---- organisations ------------------------------------------------------------------------------
 */

nt_err nt_auth_org_add(nt_auth *a, const nt_principal *actor, const char *name, nt_org_kind kind,
                       int64_t *id, nt_diag *diag)
{
    nt_err e;
    void *db;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_MANAGE_ORGS, diag)))
        return e;
    if (!name || !*name)
        return nt__fail(diag, NT_ERR_INVALID, 0, "org: a name is required");
    if ((e = nt__store_check_text("org", name, strlen(name), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    if ((unsigned)kind >= NT_ORG__COUNT || kind == 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "kind: bank, telco, platform or other");
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    int64_t new_id = 0;
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    org_copy c = {0};
    e = ops->org_find(db, name, org_copy_fn, &c, diag);
    if (e == NT_OK) {
        e = nt__fail(diag, NT_ERR_INVALID, 0, "org: '%s' already exists", name);
        goto fail;
    }
    if (e != NT_ERR_NOT_FOUND)
        goto fail;
    if ((e = ops->org_add(db, name, kind, 0, now, &new_id, diag)))
        goto fail;
    char object[48];
    snprintf(object, sizeof object, "org:%lld", (long long)new_id);
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(name));
    json_object_set_new(j, "kind", json_string(nt_org_kind_name(kind)));
    if ((e = nt__auth_audit(a, now, actor->name, "org.add", object, j, diag)))
        goto fail;
    if ((e = nt__store_commit(a->st, diag)))
        goto unlock;
    if (id)
        *id = new_id;
    goto unlock;
fail:
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
    return e;
}

nt_err nt_auth_org_list(nt_auth *a, nt_org_fn fn, void *ctx, nt_diag *diag)
{
    void *db;
    if (!a || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    pthread_mutex_lock(&a->db_lock);
    nt_err e = ops->org_list(db, fn, ctx, diag);
    pthread_mutex_unlock(&a->db_lock);
    return e;
}

/* ---- people ------------------------------------------------------------------------------------
 */

nt_err nt__user_insert(nt_auth *a, const nt_principal *actor, const char *login,
                       const char *display, nt_role role, const char *org, const char *pwhash,
                       int demo, int64_t *id, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    nt__ucopy have;
    int64_t org_id = 0, now = nt__auth_now(a);
    nt_err e = nt__user_load(a, login, &have, diag);
    if (e == NT_OK)
        return nt__fail(diag, NT_ERR_INVALID, 0, "login: '%s' is already taken", login);
    if (e != NT_ERR_NOT_FOUND)
        return e;
    if (org && *org && (e = org_id_of(a, org, &org_id, diag)))
        return e;
    nt__user_row row = {.pub = {.login = login,
                                .display_name = display,
                                .role = role,
                                .org_id = org_id,
                                .created_at = now,
                                .password_changed_at = now,
                                .demo = demo},
                        .pwhash = pwhash};
    if ((e = ops->user_add(db, &row, id, diag)))
        return e;
    char object[NT_MAX_LOGIN_BYTES + 8];
    snprintf(object, sizeof object, "user:%s", login);
    json_t *j = json_object();
    json_object_set_new(j, "display_name", json_string(display));
    json_object_set_new(j, "role", json_string(nt_role_name(role)));
    if (org_id)
        json_object_set_new(j, "org", json_string(org));
    if (demo)
        json_object_set_new(j, "demo", json_true());
    return nt__auth_audit(a, now, actor->name, "user.add", object, j, diag);
}

nt_err nt_auth_user_add(nt_auth *a, const nt_principal *actor, const nt_user_in *in, int64_t *id,
                        nt_diag *diag)
{
    nt_err e;
    char login[NT_MAX_LOGIN_BYTES + 1], *h = NULL;
    if (!a || !in)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_MANAGE_USERS, diag)) ||
        (e = nt__login_norm(in->login, login, 0, diag)))
        return e;
    const char *display = in->display_name && *in->display_name ? in->display_name : login;
    if ((e = nt__store_check_text("display name", display, strlen(display), NT_MAX_NAME_BYTES, 1,
                                  diag)))
        return e;
    if (in->role != NT_ROLE_MEMBER && in->role != NT_ROLE_ANALYST && in->role != NT_ROLE_ADMIN)
        return nt__fail(diag, NT_ERR_INVALID, 0, "role: a person is a member, analyst or admin");
    int has_org = in->org && *in->org;
    if (in->role == NT_ROLE_MEMBER && !has_org)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "org: a member works for a member organisation; name it");
    if (has_org &&
        (e = nt__store_check_text("org", in->org, strlen(in->org), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    if ((e = nt_auth_password_check(login, display, in->password, in->password_len, diag)) ||
        (e = nt__pw_hash(a, in->password, in->password_len, &h, diag)))
        return e;
    int64_t new_id = 0;
    pthread_mutex_lock(&a->db_lock);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    if ((e = nt__user_insert(a, actor, login, display, in->role, has_org ? in->org : NULL, h, 0,
                             &new_id, diag))) {
        nt__store_rollback(a->st);
        goto unlock;
    }
    if (!(e = nt__store_commit(a->st, diag)) && id)
        *id = new_id;
unlock:
    pthread_mutex_unlock(&a->db_lock);
    free(h);
    return e;
}

typedef struct user_out {
    nt_user *u;
    int oom;
} user_out;

static int user_dup(void *ctx, const nt__user_row *r)
{
    user_out *o = ctx;
    *o->u = r->pub;
    o->u->login = strdup(r->pub.login);
    o->u->display_name = strdup(r->pub.display_name);
    o->u->org = strdup(r->pub.org);
    o->oom = !o->u->login || !o->u->display_name || !o->u->org;
    return 1;
}

void nt_user_release(nt_user *u)
{
    if (!u)
        return;
    free((char *)u->login);
    free((char *)u->display_name);
    free((char *)u->org);
    u->login = u->display_name = u->org = NULL;
}

nt_err nt_auth_user_get(nt_auth *a, const char *login, nt_user *out, nt_diag *diag)
{
    char norm[NT_MAX_LOGIN_BYTES + 1];
    void *db;
    if (!a || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(out, 0, sizeof *out);
    nt_err e = nt__login_norm(login, norm, 1, diag);
    if (e)
        return e;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    user_out o = {out, 0};
    pthread_mutex_lock(&a->db_lock);
    e = ops->user_find(db, norm, user_dup, &o, diag);
    pthread_mutex_unlock(&a->db_lock);
    if (e == NT_ERR_NOT_FOUND)
        return nt__fail(diag, e, 0, "there is no account '%s'", norm);
    if (!e && o.oom) {
        nt_user_release(out);
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    }
    return e;
}

typedef struct user_list_ctx {
    nt_user_fn fn;
    void *ctx;
} user_list_ctx;

static int user_list_one(void *ctx, const nt__user_row *r)
{
    user_list_ctx *l = ctx;
    return l->fn(l->ctx, &r->pub);
}

nt_err nt_auth_user_list(nt_auth *a, nt_user_fn fn, void *ctx, nt_diag *diag)
{
    void *db;
    if (!a || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    user_list_ctx l = {fn, ctx};
    pthread_mutex_lock(&a->db_lock);
    nt_err e = ops->user_list(db, user_list_one, &l, diag);
    pthread_mutex_unlock(&a->db_lock);
    return e;
}

/* An edit of one person: fn changes *u (or refuses) and adds to details. */
typedef nt_err (*user_edit_fn)(nt_auth *a, nt__ucopy *u, const void *arg, json_t *details,
                               int64_t now, nt_diag *diag);

static nt_err edit_user(nt_auth *a, const nt_principal *actor, const char *login,
                        const char *action, user_edit_fn fn, const void *arg, int end_sessions,
                        nt_diag *diag)
{
    nt_err e;
    void *db;
    char norm[NT_MAX_LOGIN_BYTES + 1];
    nt__ucopy u;
    nt__user_row row;
    json_t *details = NULL;
    if ((e = nt__login_norm(login, norm, 1, diag)))
        return e;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    e = nt__user_load(a, norm, &u, diag);
    if (e == NT_ERR_NOT_FOUND)
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "there is no account '%s'", norm);
    if (e)
        goto fail;
    if (!(details = json_object())) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    if ((e = fn(a, &u, arg, details, now, diag)))
        goto fail;
    nt__ucopy_row(&u, &row);
    if ((e = ops->user_update(db, &row, diag)))
        goto fail;
    if (end_sessions) {
        int64_t n = 0;
        if ((e = ops->session_delete_user(db, u.id, &n, diag)))
            goto fail;
        json_object_set_new(details, "sessions_ended", json_integer(n));
    }
    char object[NT_MAX_LOGIN_BYTES + 8];
    snprintf(object, sizeof object, "user:%s", norm);
    e = nt__auth_audit(a, now, actor->name, action, object, details, diag);
    details = NULL;
    if (e)
        goto fail;
    e = nt__store_commit(a->st, diag);
    goto unlock;
fail:
    json_decref(details);
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
    sodium_memzero(&u, sizeof u);
    return e;
}

/* The last enabled administrator may not stop being one. */
static nt_err keep_an_admin(nt_auth *a, const nt__ucopy *u, nt_diag *diag)
{
    void *db;
    int64_t n = 0;
    if (u->role != NT_ROLE_ADMIN || u->disabled_at)
        return NT_OK;
    nt_err e = nt__store_acct(a->st, &db)->user_count(db, NT__COUNT_ENABLED_ADMINS, &n, diag);
    if (!e && n <= 1)
        e = nt__fail(diag, NT_ERR_STATE, 0,
                     "%s is the last enabled administrator: add another one first", u->login);
    return e;
}

static nt_err set_password(nt_auth *a, nt__ucopy *u, const void *arg, json_t *details, int64_t now,
                           nt_diag *diag)
{
    (void)a;
    (void)details;
    snprintf(u->pwhash, sizeof u->pwhash, "%s", (const char *)arg);
    u->password_changed_at = now;
    (void)diag;
    return NT_OK;
}

nt_err nt_auth_user_password(nt_auth *a, const nt_principal *actor, const char *login,
                             const char *password, size_t len, nt_diag *diag)
{
    nt_err e;
    nt_user u;
    char *h = NULL;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_MANAGE_USERS, diag)) ||
        (e = nt_auth_user_get(a, login, &u, diag)))
        return e;
    e = nt_auth_password_check(u.login, u.display_name, password, len, diag);
    nt_user_release(&u);
    if (e || (e = nt__pw_hash(a, password, len, &h, diag)))
        return e;
    e = edit_user(a, actor, login, "user.password", set_password, h, 1, diag);
    free(h);
    return e;
}

static nt_err set_role(nt_auth *a, nt__ucopy *u, const void *arg, json_t *details, int64_t now,
                       nt_diag *diag)
{
    nt_role role = *(const nt_role *)arg;
    (void)now;
    if (u->role == role)
        return nt__fail(diag, NT_ERR_STATE, 0, "%s is already %s", u->login, nt_role_name(role));
    if (role == NT_ROLE_MEMBER && !u->org_id)
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "%s belongs to no organisation, so cannot be a member", u->login);
    nt_err e = role == NT_ROLE_ADMIN ? NT_OK : keep_an_admin(a, u, diag);
    if (e)
        return e;
    json_object_set_new(details, "from", json_string(nt_role_name(u->role)));
    json_object_set_new(details, "to", json_string(nt_role_name(role)));
    u->role = role;
    return NT_OK;
}

nt_err nt_auth_user_role(nt_auth *a, const nt_principal *actor, const char *login, nt_role role,
                         nt_diag *diag)
{
    nt_err e;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_MANAGE_USERS, diag)))
        return e;
    if (role != NT_ROLE_MEMBER && role != NT_ROLE_ANALYST && role != NT_ROLE_ADMIN)
        return nt__fail(diag, NT_ERR_INVALID, 0, "role: a person is a member, analyst or admin");
    return edit_user(a, actor, login, "user.role", set_role, &role, 0, diag);
}

static nt_err set_disabled(nt_auth *a, nt__ucopy *u, const void *arg, json_t *details, int64_t now,
                           nt_diag *diag)
{
    int disable = *(const int *)arg;
    (void)details;
    if (disable && u->disabled_at)
        return nt__fail(diag, NT_ERR_STATE, 0, "%s is already disabled", u->login);
    if (!disable && !u->disabled_at)
        return nt__fail(diag, NT_ERR_STATE, 0, "%s is not disabled", u->login);
    if (disable) {
        nt_err e = keep_an_admin(a, u, diag);
        if (e)
            return e;
    }
    u->disabled_at = disable ? now : 0;
    return NT_OK;
}

nt_err nt_auth_user_disable(nt_auth *a, const nt_principal *actor, const char *login, nt_diag *diag)
{
    static const int yes = 1;
    nt_err e;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_MANAGE_USERS, diag)))
        return e;
    return edit_user(a, actor, login, "user.disable", set_disabled, &yes, 1, diag);
}

nt_err nt_auth_user_enable(nt_auth *a, const nt_principal *actor, const char *login, nt_diag *diag)
{
    static const int no = 0;
    nt_err e;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_MANAGE_USERS, diag)))
        return e;
    return edit_user(a, actor, login, "user.enable", set_disabled, &no, 0, diag);
}

/* ---- settings
 * ------------------------------------------------------------------------------------ */

nt_err nt_auth_rate(nt_auth *a, nt_role role, nt_rate *out)
{
    if (!a || !out || role < NT_ROLE_PUBLIC || role > NT_ROLE_ADMIN)
        return NT_ERR_INVALID_ARG;
    nt__auth_maybe_refresh(a);
    int id = SET_RATE_PUBLIC + (int)(role - NT_ROLE_PUBLIC);
    pthread_rwlock_rdlock(&a->cache_lock);
    out->per_second = (uint32_t)a->set.v[id][0];
    out->burst = (uint32_t)a->set.v[id][1];
    pthread_rwlock_unlock(&a->cache_lock);
    return NT_OK;
}

static nt_err unknown_setting(const char *key, nt_diag *diag)
{
    char list[512];
    size_t at = 0;
    list[0] = '\0';
    for (int i = 0; i < SET__COUNT; i++)
        at += (size_t)snprintf(list + at, at < sizeof list ? sizeof list - at : 0, "%s%s",
                               i ? ", " : "", nt__setting_key(i));
    return nt__fail(diag, NT_ERR_NOT_FOUND, 0, "unknown setting '%.64s' (known: %s)",
                    key ? key : "", list);
}

nt_err nt_auth_setting_get(nt_auth *a, const char *key, char *buf, size_t n, nt_diag *diag)
{
    nt__settings s;
    if (!a || !buf || !n)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    int id = nt__setting_find(key);
    if (id < 0)
        return unknown_setting(key, diag);
    nt__auth_maybe_refresh(a);
    nt__auth_settings(a, &s);
    nt__setting_format(id, s.v[id], buf, n);
    return NT_OK;
}

nt_err nt_auth_settings_list(nt_auth *a, nt_setting_fn fn, void *ctx, nt_diag *diag)
{
    nt__settings s;
    char buf[NT_MAX_SETTING_BYTES + 1];
    if (!a || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    nt__auth_maybe_refresh(a);
    nt__auth_settings(a, &s);
    for (int i = 0; i < SET__COUNT; i++) {
        nt__setting_format(i, s.v[i], buf, sizeof buf);
        if (fn(ctx, nt__setting_key(i), buf, nt__setting_help(i), !(s.stored & (1u << i))))
            break;
    }
    return NT_OK;
}

nt_err nt_auth_setting_set(nt_auth *a, const nt_principal *actor, const char *key,
                           const char *value, nt_diag *diag)
{
    nt_err e;
    void *db;
    long v[2];
    nt__settings cur;
    char canon[NT_MAX_SETTING_BYTES + 1], old[NT_MAX_SETTING_BYTES + 1];
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = nt__auth_actor(actor, NT_AUTH_SETTINGS, diag)))
        return e;
    int id = nt__setting_find(key);
    if (id < 0)
        return unknown_setting(key, diag);
    if ((e = nt__setting_parse(id, value, v, diag)))
        return e;
    nt__setting_format(id, v, canon, sizeof canon);
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    if ((e = load_settings(a, &cur, diag)))
        goto fail;
    nt__setting_format(id, cur.v[id], old, sizeof old);
    if ((e = ops->setting_set(db, nt__setting_key(id), canon, now, actor->name, diag)))
        goto fail;
    char object[64];
    snprintf(object, sizeof object, "setting:%s", nt__setting_key(id));
    json_t *j = json_object();
    json_object_set_new(j, "from", json_string(old));
    json_object_set_new(j, "to", json_string(canon));
    if ((e = nt__auth_audit(a, now, actor->name, "setting.set", object, j, diag)) ||
        (e = nt__auth_bump(a, diag)))
        goto fail;
    if ((e = nt__store_commit(a->st, diag)))
        goto unlock;
    e = nt__auth_reload(a, diag);
    goto unlock;
fail:
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
    return e;
}

/* ---- the audit log through the handle ----------------------------------------------------------
 */

nt_err nt_auth_audit_list(nt_auth *a, int64_t since, size_t limit, nt_audit_fn fn, void *ctx,
                          int64_t *next, nt_diag *diag)
{
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    pthread_mutex_lock(&a->db_lock);
    nt_err e = nt_audit_list(a->st, since, limit, fn, ctx, next, diag);
    pthread_mutex_unlock(&a->db_lock);
    return e;
}

nt_err nt_auth_audit_verify(nt_auth *a, const nt_audit_anchor *anchors, size_t n,
                            nt_audit_verdict *out, nt_diag *diag)
{
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    pthread_mutex_lock(&a->db_lock);
    nt_err e = nt_audit_verify(a->st, anchors, n, out, diag);
    pthread_mutex_unlock(&a->db_lock);
    return e;
}
