/*
 * lib/auth/keys.c - the API keys of member organisations: their format,
 * creation, revocation, and the check every API request makes.
 *
 * A key is "nt_live_" followed by 38 random bytes in base64url without
 * padding (51 characters): the first 6 bytes (8 characters) are a public id,
 * so "nt_live_AbCdEfGh" names the key in lists and in the audit log, and the
 * other 32 bytes are the secret.  Only BLAKE2b-256 of the 38 bytes (keyed
 * with a constant, for domain separation) is stored: with 256 random bits no
 * one can guess a key from its hash, so a slow password hash would only cost
 * every request ~0.1 s and protect nothing (docs/accounts.md).
 *
 * The one idea: checking a key never touches the database.  The keys live
 * in a sorted table in memory behind a read-write lock, refreshed when the
 * generation counter moves; uses are counted with atomics and written by
 * nt_auth_flush.
 */
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "core/diag.h"

#define KEY_TAG "nt_live_"
#define KEY_TAG_LEN 8
#define KEY_RAW 38
#define KEY_ID_BYTES 6
#define KEY_B64 (NT_KEY_TOKEN_CHARS - KEY_TAG_LEN) /* 51 */

/* BLAKE2b key: not a secret, a label so these hashes mean nothing elsewhere. */
static const unsigned char key_hash_key[32] = "niemtin api key hash, version 1";

void nt__key_hash(const unsigned char raw[KEY_RAW], unsigned char out[32])
{
    crypto_generichash(out, 32, raw, KEY_RAW, key_hash_key, sizeof key_hash_key);
}

void nt__key_token(const unsigned char raw[KEY_RAW], char token[NT_KEY_TOKEN_CHARS + 1])
{
    memcpy(token, KEY_TAG, KEY_TAG_LEN);
    sodium_bin2base64(token + KEY_TAG_LEN, KEY_B64 + 1, raw, KEY_RAW,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static uint64_t pid_of(const unsigned char raw[KEY_ID_BYTES])
{
    uint64_t v = 0;
    for (int i = 0; i < KEY_ID_BYTES; i++)
        v = v << 8 | raw[i];
    return v;
}

/* Decode a token into its raw bytes; 0 on success.  Only the canonical
 * spelling is accepted (re-encoding must give the same text). */
static int parse_token(const char *t, size_t len, unsigned char raw[KEY_RAW])
{
    char again[NT_KEY_TOKEN_CHARS + 1];
    size_t got = 0;
    const char *end = NULL;
    if (!t || len != NT_KEY_TOKEN_CHARS || memcmp(t, KEY_TAG, KEY_TAG_LEN) != 0)
        return -1;
    if (sodium_base642bin(raw, KEY_RAW, t + KEY_TAG_LEN, KEY_B64, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != KEY_RAW || end != t + len)
        return -1;
    nt__key_token(raw, again);
    return memcmp(again, t, len) == 0 ? 0 : -1;
}

/* The 8 public id characters of "nt_live_XXXXXXXX" or "XXXXXXXX" (and of a
 * whole token, so pasting the key itself also works); 0 on success. */
static int prefix_norm(const char *in, char out[NT_KEY_PREFIX_CHARS + 1])
{
    if (!in)
        return -1;
    size_t n = strlen(in);
    if (n >= KEY_TAG_LEN && memcmp(in, KEY_TAG, KEY_TAG_LEN) == 0) {
        in += KEY_TAG_LEN;
        n -= KEY_TAG_LEN;
    }
    if (n != 8 && n != KEY_B64)
        return -1;
    for (size_t i = 0; i < 8; i++) {
        char c = in[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return -1;
    }
    memcpy(out, KEY_TAG, KEY_TAG_LEN);
    memcpy(out + KEY_TAG_LEN, in, 8);
    out[NT_KEY_PREFIX_CHARS] = '\0';
    return 0;
}

/* ---- the cache ----------------------------------------------------------------------- */

typedef struct load_ctx {
    nt__key_entry *v;
    size_t n, cap;
    int oom;
} load_ctx;

static int load_one(void *ctx, const nt__key_row *k)
{
    load_ctx *l = ctx;
    unsigned char id[KEY_ID_BYTES + 2];
    size_t got = 0;
    /* the prefix's 8 characters are exactly the 6 id bytes */
    if (strlen(k->pub.prefix) != NT_KEY_PREFIX_CHARS ||
        sodium_base642bin(id, sizeof id, k->pub.prefix + KEY_TAG_LEN, 8, NULL, &got, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != KEY_ID_BYTES)
        return 0; /* not a key this code made: it can never verify */
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        nt__key_entry *p = realloc(l->v, nc * sizeof *p);
        if (!p) {
            l->oom = 1;
            return 1;
        }
        l->v = p;
        l->cap = nc;
    }
    nt__key_entry *e = &l->v[l->n++];
    memset(e, 0, sizeof *e);
    e->pid = pid_of(id);
    memcpy(e->hash, k->hash, 32);
    e->id = k->pub.id;
    e->org_id = k->pub.org_id;
    e->expires_at = k->pub.expires_at;
    e->revoked_at = k->pub.revoked_at;
    e->role = k->pub.role;
    snprintf(e->prefix, sizeof e->prefix, "%s", k->pub.prefix);
    snprintf(e->org, sizeof e->org, "%s", k->pub.org);
    atomic_init(&e->pending, 0);
    atomic_init(&e->last_used, 0);
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const nt__key_entry *)a)->pid, y = ((const nt__key_entry *)b)->pid;
    return (x > y) - (x < y);
}

nt_err nt__keys_load(nt_auth *a, nt__key_entry **out, size_t *n, nt_diag *diag)
{
    void *db;
    load_ctx l = {0};
    nt_err e = nt__store_acct(a->st, &db)->key_list(db, load_one, &l, diag);
    if (!e && l.oom)
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (e) {
        free(l.v);
        return e;
    }
    if (l.n)
        qsort(l.v, l.n, sizeof *l.v, cmp_entry);
    *out = l.v;
    *n = l.n;
    return NT_OK;
}

static int cmp_pid_key(const void *k, const void *e)
{
    uint64_t x = *(const uint64_t *)k, y = ((const nt__key_entry *)e)->pid;
    return (x > y) - (x < y);
}

/* ---- checking a key ------------------------------------------------------------------ */

nt_err nt_auth_verify_key(nt_auth *a, const char *token, size_t len, nt_principal *who,
                          nt_authn *result)
{
    unsigned char raw[KEY_RAW], h[32];
    if (!a || !who || !result)
        return NT_ERR_INVALID_ARG;
    nt_principal_public(who);
    *result = NT_AUTHN_INVALID;
    if (parse_token(token, len, raw) != 0)
        return NT_OK; /* the format is public: rejecting it early leaks nothing */
    nt__auth_maybe_refresh(a);
    uint64_t pid = pid_of(raw);
    nt__key_hash(raw, h);
    int64_t now = nt__auth_now(a);
    pthread_rwlock_rdlock(&a->cache_lock);
    nt__key_entry *k = a->n_keys ? bsearch(&pid, a->keys, a->n_keys, sizeof *k, cmp_pid_key) : NULL;
    /* the same comparison whether or not the id is known */
    int same = sodium_memcmp(h, k ? k->hash : a->dummy_key_hash, 32) == 0;
    if (k && same) {
        if (k->revoked_at) {
            *result = NT_AUTHN_REVOKED;
        } else if (k->expires_at && now >= k->expires_at) {
            *result = NT_AUTHN_EXPIRED;
        } else {
            *result = NT_AUTHN_OK;
            who->kind = NT_PRINCIPAL_KEY;
            who->role = k->role;
            who->id = k->id;
            who->org_id = k->org_id;
            memcpy(who->name, k->prefix, sizeof k->prefix);
            snprintf(who->org, sizeof who->org, "%s", k->org);
            atomic_fetch_add_explicit(&k->pending, 1, memory_order_relaxed);
            int64_t last = atomic_load_explicit(&k->last_used, memory_order_relaxed);
            while (last < now && !atomic_compare_exchange_weak(&k->last_used, &last, now))
                ;
        }
    }
    pthread_rwlock_unlock(&a->cache_lock);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(h, sizeof h);
    return NT_OK;
}

typedef struct usage {
    int64_t id, last;
    uint64_t uses;
} usage;

nt_err nt_auth_flush(nt_auth *a, nt_diag *diag)
{
    void *db;
    nt_err e = NT_OK;
    usage *u = NULL;
    size_t n = 0;
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    pthread_mutex_lock(&a->db_lock);
    pthread_rwlock_rdlock(&a->cache_lock);
    if (a->n_keys && !(u = malloc(a->n_keys * sizeof *u)))
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; !e && i < a->n_keys; i++) {
        nt__key_entry *k = &a->keys[i];
        uint64_t uses = atomic_exchange(&k->pending, 0);
        if (uses)
            u[n++] = (usage){k->id, atomic_exchange(&k->last_used, 0), uses};
    }
    pthread_rwlock_unlock(&a->cache_lock);
    if (e || n == 0)
        goto unlock;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    if ((e = nt__store_begin(a->st, diag)))
        goto restore;
    for (size_t i = 0; i < n && !e; i++)
        e = ops->key_usage(db, u[i].id, u[i].uses, u[i].last, diag);
    if (e) {
        nt__store_rollback(a->st);
        goto restore;
    }
    if (!(e = nt__store_commit(a->st, diag)))
        goto unlock;
restore:
    /* not written: count them again next time */
    pthread_rwlock_rdlock(&a->cache_lock);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < a->n_keys; j++)
            if (a->keys[j].id == u[i].id) {
                atomic_fetch_add(&a->keys[j].pending, u[i].uses);
                int64_t last = atomic_load(&a->keys[j].last_used);
                while (last < u[i].last &&
                       !atomic_compare_exchange_weak(&a->keys[j].last_used, &last, u[i].last))
                    ;
            }
    pthread_rwlock_unlock(&a->cache_lock);
unlock:
    pthread_mutex_unlock(&a->db_lock);
    free(u);
    return e;
}

/* ---- creating, revoking, listing ----------------------------------------------------- */

typedef struct org_pick {
    int found;
    int64_t id;
    char name[NT_MAX_NAME_BYTES + 1];
} org_pick;

static int org_pick_fn(void *ctx, const nt_org *o)
{
    org_pick *p = ctx;
    p->found = 1;
    p->id = o->id;
    snprintf(p->name, sizeof p->name, "%s", o->name);
    return 1;
}

static int key_exists_fn(void *ctx, const nt__key_row *k)
{
    (void)k;
    *(int *)ctx = 1;
    return 1;
}

nt_err nt__key_insert(nt_auth *a, const nt_principal *actor, const unsigned char raw[KEY_RAW],
                      int64_t org_id, const char *org, nt_role role, int64_t expires_at,
                      const char *label, int demo, int64_t *id, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    char token[NT_KEY_TOKEN_CHARS + 1], prefix[NT_KEY_PREFIX_CHARS + 1];
    unsigned char h[32];
    int64_t now = nt__auth_now(a);
    nt__key_token(raw, token);
    memcpy(prefix, token, NT_KEY_PREFIX_CHARS);
    prefix[NT_KEY_PREFIX_CHARS] = '\0';
    sodium_memzero(token, sizeof token);
    nt__key_hash(raw, h);
    nt__key_row row = {.pub = {.prefix = prefix,
                               .org_id = org_id,
                               .role = role,
                               .label = label ? label : "",
                               .created_by = actor->name,
                               .created_at = now,
                               .expires_at = expires_at,
                               .demo = demo},
                       .hash = h};
    nt_err e = ops->key_add(db, &row, id, diag);
    if (e)
        return e;
    char object[NT_KEY_PREFIX_CHARS + 8];
    snprintf(object, sizeof object, "key:%s", prefix);
    json_t *j = json_object();
    json_object_set_new(j, "org", json_string(org));
    json_object_set_new(j, "role", json_string(nt_role_name(role)));
    if (label && *label)
        json_object_set_new(j, "label", json_string(label));
    if (expires_at)
        json_object_set_new(j, "expires_at", json_integer(expires_at));
    if (demo)
        json_object_set_new(j, "demo", json_true());
    if ((e = nt__auth_audit(a, now, actor->name, "key.create", object, j, diag)))
        return e;
    return nt__auth_bump(a, diag);
}

nt_err nt_auth_key_create(nt_auth *a, const nt_principal *actor, const nt_key_in *in,
                          nt_key_secret *out, nt_diag *diag)
{
    nt_err e;
    void *db;
    unsigned char raw[KEY_RAW];
    if (!a || !in || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(out, 0, sizeof *out);
    /* an administrator for anyone; a member for its own organisation only */
    int own_only = actor && !nt_auth_allowed(actor->role, NT_AUTH_MANAGE_KEYS);
    if ((e = nt__auth_actor(actor, own_only ? NT_AUTH_MANAGE_ORG_KEYS : NT_AUTH_MANAGE_KEYS,
                            diag)))
        return e;
    if (own_only && !actor->org_id)
        return nt__fail(diag, NT_ERR_STATE, 0, "%s belongs to no organisation", actor->name);
    if (own_only && in->role != NT_ROLE_MEMBER)
        return nt__fail(diag, NT_ERR_STATE, 0, "%s (%s) may only create member keys", actor->name,
                        nt_role_name(actor->role));
    if (!in->org || !*in->org)
        return nt__fail(diag, NT_ERR_INVALID, 0, "org: a key belongs to an organisation");
    if ((e = nt__store_check_text("org", in->org, strlen(in->org), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    if (in->role != NT_ROLE_MEMBER && in->role != NT_ROLE_ANALYST)
        return nt__fail(diag, NT_ERR_INVALID, 0, "role: a key is for a member or an analyst");
    if (!(in->days >= 0) || in->days > NT_MAX_KEY_DAYS)
        return nt__fail(diag, NT_ERR_INVALID, 0, "expires: 0 (never) or up to %u days",
                        NT_MAX_KEY_DAYS);
    if (in->label && (e = nt__store_check_text("label", in->label, strlen(in->label),
                                               NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a), id = 0;
    int64_t expires = in->days > 0 ? now + (int64_t)ceil(in->days * 86400.0) : 0;
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    org_pick org = {0};
    e = ops->org_find(db, in->org, org_pick_fn, &org, diag);
    if (e == NT_ERR_NOT_FOUND)
        e = nt__fail(diag, NT_ERR_INVALID, 0,
                     "org: there is no organisation named '%s' (niemtin org add)", in->org);
    if (!e && own_only && org.id != actor->org_id)
        e = nt__fail(diag, NT_ERR_STATE, 0, "%s may only create keys of its own organisation",
                     actor->name);
    if (e)
        goto fail;
    /* a fresh public id (48 random bits: a clash is astronomically rare, but checked) */
    for (int tries = 0;; tries++) {
        char tok[NT_KEY_TOKEN_CHARS + 1], prefix[NT_KEY_PREFIX_CHARS + 1];
        int exists = 0;
        randombytes_buf(raw, sizeof raw);
        nt__key_token(raw, tok);
        memcpy(prefix, tok, NT_KEY_PREFIX_CHARS);
        prefix[NT_KEY_PREFIX_CHARS] = '\0';
        sodium_memzero(tok, sizeof tok);
        e = ops->key_find(db, prefix, key_exists_fn, &exists, diag);
        if (e && e != NT_ERR_NOT_FOUND)
            goto fail;
        if (!exists)
            break;
        if (tries == 8) {
            e = nt__fail(diag, NT_ERR_INTERNAL, 0, "could not find an unused key id");
            goto fail;
        }
    }
    if ((e = nt__key_insert(a, actor, raw, org.id, org.name, in->role, expires, in->label, 0, &id,
                            diag)))
        goto fail;
    if ((e = nt__store_commit(a->st, diag)))
        goto unlock;
    out->id = id;
    nt__key_token(raw, out->token);
    memcpy(out->prefix, out->token, NT_KEY_PREFIX_CHARS);
    out->prefix[NT_KEY_PREFIX_CHARS] = '\0';
    out->expires_at = expires;
    e = nt__auth_reload(a, diag);
    goto unlock;
fail:
    nt__store_rollback(a->st);
unlock:
    pthread_mutex_unlock(&a->db_lock);
    sodium_memzero(raw, sizeof raw);
    return e;
}

typedef struct key_pick {
    int found;
    int64_t id, revoked_at, org_id;
    nt_role role;
    char org[NT_MAX_NAME_BYTES + 1];
} key_pick;

static int key_pick_fn(void *ctx, const nt__key_row *k)
{
    key_pick *p = ctx;
    p->found = 1;
    p->id = k->pub.id;
    p->revoked_at = k->pub.revoked_at;
    p->org_id = k->pub.org_id;
    p->role = k->pub.role;
    snprintf(p->org, sizeof p->org, "%s", k->pub.org);
    return 1;
}

nt_err nt_auth_key_revoke(nt_auth *a, const nt_principal *actor, const char *prefix_in,
                          nt_diag *diag)
{
    nt_err e;
    void *db;
    char prefix[NT_KEY_PREFIX_CHARS + 1];
    if (!a)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    int own_only = actor && !nt_auth_allowed(actor->role, NT_AUTH_MANAGE_KEYS);
    if ((e = nt__auth_actor(actor, own_only ? NT_AUTH_MANAGE_ORG_KEYS : NT_AUTH_MANAGE_KEYS,
                            diag)))
        return e;
    if (own_only && !actor->org_id)
        return nt__fail(diag, NT_ERR_STATE, 0, "%s belongs to no organisation", actor->name);
    if (prefix_norm(prefix_in, prefix) != 0)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "key: expected a key prefix like nt_live_AbCd1234 (niemtin key list)");
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    pthread_mutex_lock(&a->db_lock);
    int64_t now = nt__auth_now(a);
    if ((e = nt__store_begin(a->st, diag)))
        goto unlock;
    key_pick k = {0};
    e = ops->key_find(db, prefix, key_pick_fn, &k, diag);
    if (!e && own_only && k.org_id != actor->org_id)
        e = NT_ERR_NOT_FOUND; /* another organisation's key: as if there were none */
    if (e == NT_ERR_NOT_FOUND)
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "there is no key %s", prefix);
    if (e)
        goto fail;
    if (k.revoked_at) {
        e = nt__fail(diag, NT_ERR_STATE, 0, "key %s is already revoked", prefix);
        goto fail;
    }
    if ((e = ops->key_revoke(db, k.id, now, diag)))
        goto fail;
    char object[NT_KEY_PREFIX_CHARS + 8];
    snprintf(object, sizeof object, "key:%s", prefix);
    json_t *j = json_object();
    json_object_set_new(j, "org", json_string(k.org));
    json_object_set_new(j, "role", json_string(nt_role_name(k.role)));
    if ((e = nt__auth_audit(a, now, actor->name, "key.revoke", object, j, diag)) ||
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

typedef struct key_list_ctx {
    nt_key_fn fn;
    void *ctx;
} key_list_ctx;

static int key_list_one(void *ctx, const nt__key_row *k)
{
    key_list_ctx *l = ctx;
    return l->fn(l->ctx, &k->pub);
}

nt_err nt_auth_key_list(nt_auth *a, nt_key_fn fn, void *ctx, nt_diag *diag)
{
    void *db;
    if (!a || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    const nt__acct_ops *ops = nt__store_acct(a->st, &db);
    key_list_ctx l = {fn, ctx};
    pthread_mutex_lock(&a->db_lock);
    nt_err e = ops->key_list(db, key_list_one, &l, diag);
    pthread_mutex_unlock(&a->db_lock);
    return e;
}
