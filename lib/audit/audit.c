/*
 * lib/audit/audit.c - the hash-chained audit log (niemtin/audit.h): how an
 * entry is serialised and hashed, appending inside a store transaction, and
 * walking the chain to prove it intact or name the first entry that is not.
 *
 * The one idea: hash_n = SHA-256(hash_{n-1} || canonical(n)), where
 * canonical(n) length-prefixes every field so no two different entries
 * serialise alike, and the id is inside it so an entry cannot be moved.  A
 * separate head row (last id, count, last hash) catches what a chain alone
 * cannot: its last entries being cut off.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "niemtin/audit.h"
#include "store/store_int.h"

#define CANON_MAGIC "NTAUDIT1"

static const char *const problem_names[] = {
    [NT_AUDIT_INTACT] = "intact",
    [NT_AUDIT_EDITED] = "edited",
    [NT_AUDIT_BROKEN_LINK] = "broken_link",
    [NT_AUDIT_MISSING] = "missing",
    [NT_AUDIT_TRUNCATED] = "truncated",
    [NT_AUDIT_HEAD_MISMATCH] = "head_mismatch",
    [NT_AUDIT_ANCHOR_MISMATCH] = "anchor_mismatch",
};

const char *nt_audit_problem_name(nt_audit_problem p)
{
    if ((unsigned)p >= sizeof problem_names / sizeof problem_names[0])
        return "unknown";
    return problem_names[p];
}

/* ---- hashing ------------------------------------------------------------------------ */

static void put_u64(crypto_hash_sha256_state *h, int64_t v)
{
    unsigned char b[8];
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
    crypto_hash_sha256_update(h, b, sizeof b);
}

static void put_str(crypto_hash_sha256_state *h, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    unsigned char b[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 8), (unsigned char)n};
    crypto_hash_sha256_update(h, b, sizeof b);
    if (n)
        crypto_hash_sha256_update(h, (const unsigned char *)s, n);
}

void nt_audit_entry_hash(const nt_audit_entry *e, unsigned char out[NT_AUDIT_HASH_BYTES])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, e->prev, NT_AUDIT_HASH_BYTES);
    crypto_hash_sha256_update(&h, (const unsigned char *)CANON_MAGIC, strlen(CANON_MAGIC));
    put_u64(&h, e->id);
    put_u64(&h, e->at);
    put_str(&h, e->actor);
    put_str(&h, e->action);
    put_str(&h, e->object);
    put_str(&h, e->details);
    crypto_hash_sha256_final(&h, out);
}

/* ---- appending ----------------------------------------------------------------------- */

static nt_err check_fields(const char *actor, const char *action, const char *object,
                           const char *details, nt_diag *diag)
{
    nt_err e;
    if (!actor || !*actor || !action || !*action || !object || !*object)
        return nt__fail(diag, NT_ERR_INVALID, 0, "audit: actor, action and object are required");
    if ((e = nt__store_check_text("audit actor", actor, strlen(actor), NT_MAX_NAME_BYTES, 1,
                                  diag)) ||
        (e = nt__store_check_text("audit action", action, strlen(action), NT_MAX_NAME_BYTES, 1,
                                  diag)) ||
        (e = nt__store_check_text("audit object", object, strlen(object), NT_MAX_NAME_BYTES, 1,
                                  diag)))
        return e;
    if (details && (e = nt__store_check_text("audit details", details, strlen(details),
                                             NT_MAX_AUDIT_DETAILS_BYTES, 0, diag)))
        return e;
    return NT_OK;
}

nt_err nt__audit_append(nt_store *st, int64_t at, const char *actor, const char *action,
                        const char *object, const char *details, nt_diag *diag)
{
    void *db;
    const nt__acct_ops *ops = nt__store_acct(st, &db);
    nt_audit_head head;
    nt_err e = check_fields(actor, action, object, details, diag);
    if (e)
        return e;
    if ((e = ops->audit_head(db, &head, diag)))
        return e;
    nt_audit_entry ent = {.id = head.last_id + 1,
                          .at = at,
                          .actor = actor,
                          .action = action,
                          .object = object,
                          .details = details ? details : "{}"};
    memcpy(ent.prev, head.hash, NT_AUDIT_HASH_BYTES);
    nt_audit_entry_hash(&ent, ent.hash);
    if ((e = ops->audit_insert(db, &ent, diag)))
        return e;
    head.last_id = ent.id;
    head.count++;
    memcpy(head.hash, ent.hash, NT_AUDIT_HASH_BYTES);
    return ops->audit_head_set(db, &head, diag);
}

nt_err nt_audit_append(nt_store *st, const char *actor, const char *action, const char *object,
                       const char *details, int64_t *id, nt_diag *diag)
{
    if (!st)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    nt_err e = check_fields(actor, action, object, details, diag);
    if (e)
        return e;
    if (details) {
        json_error_t jerr;
        json_t *j = json_loads(details, JSON_REJECT_DUPLICATES, &jerr);
        int ok = j && json_is_object(j);
        json_decref(j);
        if (!ok)
            return nt__fail(diag, NT_ERR_INVALID, j ? 0 : (size_t)jerr.position,
                            "audit details: not a JSON object%s%s", j ? "" : ": ",
                            j ? "" : jerr.text);
    }
    if ((e = nt__store_begin(st, diag)))
        return e;
    if ((e = nt__audit_append(st, nt_store_now(st), actor, action, object, details, diag))) {
        nt__store_rollback(st);
        return e;
    }
    if (id) {
        void *db;
        nt_audit_head h;
        if (nt__store_acct(st, &db)->audit_head(db, &h, NULL) == NT_OK)
            *id = h.last_id;
    }
    return nt__store_commit(st, diag);
}

/* ---- reading -------------------------------------------------------------------------- */

nt_err nt_audit_head_get(nt_store *st, nt_audit_head *out, nt_diag *diag)
{
    void *db;
    if (!st || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    return nt__store_acct(st, &db)->audit_head(db, out, diag);
}

typedef struct list_ctx {
    nt_audit_fn fn;
    void *ctx;
    int64_t last;
} list_ctx;

static int list_one(void *ctx, const nt_audit_entry *e)
{
    list_ctx *l = ctx;
    l->last = e->id;
    return l->fn(l->ctx, e);
}

nt_err nt_audit_list(nt_store *st, int64_t since, size_t limit, nt_audit_fn fn, void *ctx,
                     int64_t *next, nt_diag *diag)
{
    void *db;
    if (!st || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (since < 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "since: the cursor must be >= 0");
    if (limit > NT_MAX_AUDIT_LIST_LIMIT)
        return nt__fail(diag, NT_ERR_INVALID, 0, "limit: at most %u entries a request",
                        NT_MAX_AUDIT_LIST_LIMIT);
    if (limit == 0)
        limit = NT_MAX_AUDIT_LIST_LIMIT;
    list_ctx l = {fn, ctx, since};
    nt_err e = nt__store_acct(st, &db)->audit_list(db, since, (int64_t)limit, list_one, &l, diag);
    if (!e && next)
        *next = l.last;
    return e;
}

/* ---- verifying ------------------------------------------------------------------------ */

typedef struct walk {
    nt_audit_verdict *v;
    const nt_audit_anchor *anchors;
    size_t n_anchors;
    size_t *anchor_seen; /* per anchor: 1 once its entry was walked */
    int64_t expect_id;
    unsigned char expect_prev[NT_AUDIT_HASH_BYTES];
} walk;

static int found(walk *w, nt_audit_problem p, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int found(walk *w, nt_audit_problem p, int64_t id, const char *fmt, ...)
{
    va_list ap;
    w->v->problem = p;
    w->v->bad_id = id;
    va_start(ap, fmt);
    vsnprintf(w->v->message, sizeof w->v->message, fmt, ap);
    va_end(ap);
    return 1;
}

static int walk_one(void *ctx, const nt_audit_entry *e)
{
    walk *w = ctx;
    unsigned char h[NT_AUDIT_HASH_BYTES];
    long long id = (long long)e->id;
    if (e->id != w->expect_id) {
        if (e->id - w->expect_id == 1)
            return found(w, NT_AUDIT_MISSING, e->id,
                         "entry %lld is missing: the entry before %lld was deleted",
                         (long long)w->expect_id, id);
        return found(w, NT_AUDIT_MISSING, e->id,
                     "entries %lld to %lld are missing: the ids jump from %lld to %lld",
                     (long long)w->expect_id, id - 1, (long long)w->expect_id - 1, id);
    }
    if (sodium_memcmp(e->prev, w->expect_prev, NT_AUDIT_HASH_BYTES) != 0) {
        if (e->id == 1)
            return found(w, NT_AUDIT_BROKEN_LINK, e->id,
                         "entry 1 does not start the chain (its previous hash is not zero)");
        return found(w, NT_AUDIT_BROKEN_LINK, e->id,
                     "entry %lld does not follow entry %lld: entry %lld was changed (and its "
                     "hash recomputed), replaced or moved",
                     id, id - 1, id - 1);
    }
    nt_audit_entry_hash(e, h);
    if (sodium_memcmp(h, e->hash, NT_AUDIT_HASH_BYTES) != 0)
        return found(w, NT_AUDIT_EDITED, e->id,
                     "entry %lld was changed: its contents do not match its hash", id);
    for (size_t i = 0; i < w->n_anchors; i++) {
        if (w->anchors[i].id != e->id)
            continue;
        w->anchor_seen[i] = 1;
        if (sodium_memcmp(w->anchors[i].hash, e->hash, NT_AUDIT_HASH_BYTES) != 0)
            return found(w, NT_AUDIT_ANCHOR_MISMATCH, e->id,
                         "entry %lld is not the one recorded in the anchor: the chain was "
                         "rewritten up to here",
                         id);
    }
    w->v->entries++;
    w->expect_id = e->id + 1;
    memcpy(w->expect_prev, e->hash, NT_AUDIT_HASH_BYTES);
    return 0;
}

nt_err nt_audit_verify(nt_store *st, const nt_audit_anchor *anchors, size_t n_anchors,
                       nt_audit_verdict *out, nt_diag *diag)
{
    void *db;
    nt_err e;
    if (!st || !out || (n_anchors && !anchors))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    memset(out, 0, sizeof *out);
    const nt__acct_ops *ops = nt__store_acct(st, &db);
    walk w = {.v = out, .anchors = anchors, .n_anchors = n_anchors, .expect_id = 1};
    if (n_anchors && !(w.anchor_seen = calloc(n_anchors, sizeof *w.anchor_seen)))
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if ((e = ops->read_begin(db, diag)))
        goto cleanup;
    nt_diag hd;
    nt_diag_clear(&hd);
    nt_err he = ops->audit_head(db, &out->head, &hd);
    if (he && he != NT_ERR_STATE) {
        e = he;
        if (diag)
            *diag = hd;
        goto done;
    }
    if ((e = ops->audit_list(db, 0, -1, walk_one, &w, diag)))
        goto done;
    if (out->problem != NT_AUDIT_INTACT)
        goto done;
    int64_t last = w.expect_id - 1;
    if (he == NT_ERR_STATE) {
        found(&w, NT_AUDIT_HEAD_MISMATCH, last,
              "the head row is missing (the chain itself holds %lld intact entries)",
              (long long)last);
    } else if (out->head.last_id > last) {
        long long cut = (long long)(out->head.last_id - last);
        found(&w, NT_AUDIT_TRUNCATED, last + 1,
              "the chain ends at entry %lld but the head says %lld: the last %lld entr%s deleted",
              (long long)last, (long long)out->head.last_id, cut, cut == 1 ? "y was" : "ies were");
    } else if (out->head.last_id < last) {
        found(&w, NT_AUDIT_HEAD_MISMATCH, out->head.last_id + 1,
              "entries %lld to %lld come after the head (%lld): appended without moving it",
              (long long)out->head.last_id + 1, (long long)last, (long long)out->head.last_id);
    } else if (out->head.count != last ||
               (last > 0 && sodium_memcmp(out->head.hash, w.expect_prev, NT_AUDIT_HASH_BYTES))) {
        found(&w, NT_AUDIT_HEAD_MISMATCH, last,
              "the head (entry %lld, %lld entries) does not match the last entry's hash or the "
              "count: the head row was edited",
              (long long)out->head.last_id, (long long)out->head.count);
    } else {
        for (size_t i = 0; i < n_anchors; i++)
            if (!w.anchor_seen[i]) {
                found(&w, NT_AUDIT_ANCHOR_MISMATCH, anchors[i].id,
                      "anchor entry %lld is not in the chain (it has %lld entries)",
                      (long long)anchors[i].id, (long long)last);
                break;
            }
    }
done:
    ops->read_end(db);
cleanup:
    free(w.anchor_seen);
    return e;
}
