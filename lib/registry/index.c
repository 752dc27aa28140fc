/*
 * lib/registry/index.c - the lock-free lookup index of the registry (see
 * index.h for the design; docs/registry.md for the measurements).
 *
 * Memory per indicator: a 32-byte record, a 4-byte reference, and one 8-byte
 * slot per key at a load factor between 0.375 and 0.75, plus the value
 * itself (4-byte length, the bytes, a NUL, padded to 8) in the arena.
 */
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "registry/index.h"

#define ARENA_CHUNK_BITS 20u /* 1 MiB of values per chunk */
#define ARENA_CHUNK (1u << ARENA_CHUNK_BITS)
#define ARENA_MAX_CHUNKS 32768u /* refs count 8-byte units: 32 GiB */
#define REC_CHUNK_BITS 14u
#define REC_CHUNK (1u << REC_CHUNK_BITS)
#define REC_MAX_CHUNKS 16384u /* 2^28 record versions */
#define REF_CHUNK_BITS 16u
#define REF_CHUNK (1u << REF_CHUNK_BITS)
#define REF_MAX_CHUNKS 32768u /* 2^31 indicators */
#define MAX_VALUE_BYTES (64u * 1024u)
#define DIGITS_BIT 0x80000000u
#define MIN_SLOTS 1024u

/* An immutable summary of one indicator (32 bytes). */
typedef struct rec {
    uint32_t value_ref; /* arena ref of the value */
    uint8_t type, status;
    uint16_t source; /* the confirming import's name: src_refs[source - 1], or 0 */
    uint32_t first_seen, last_seen, status_at;
    uint32_t n_reports, n_reporters;
    float score_log;
} rec;

typedef struct table {
    size_t mask;
    size_t used;
    _Atomic uint64_t slot[];
} table;

struct nt__index {
    double half_life_s;
    nt__index_hash_fn hash;
    /* readers */
    _Atomic(table *) tab;
    _Alignas(64) _Atomic uint64_t epoch;
    _Alignas(64) _Atomic int64_t readers[2];
    _Alignas(64) char *arena[ARENA_MAX_CHUNKS];
    rec *recs[REC_MAX_CHUNKS];
    _Atomic uint32_t *refs[REF_MAX_CHUNKS];
    /* writer only */
    size_t arena_used; /* bytes, including the reserved first 8 */
    size_t arena_chunks;
    uint32_t n_recs; /* next record ref (0 is "none") */
    size_t n_inds, n_keys;
    uint32_t src_refs[65535]; /* arena refs of interned source names (read by readers,
                                 each written before any record names it) */
    size_t n_src;
};

/* ---- chunked storage ------------------------------------------------------------------ */

static const char *arena_at(const nt__index *ix, uint32_t ref)
{
    size_t off = (size_t)ref << 3;
    return ix->arena[off >> ARENA_CHUNK_BITS] + (off & (ARENA_CHUNK - 1));
}

/* Append [u32 len][bytes][NUL] 8-aligned; *ref gets its reference. */
static nt_err arena_add(nt__index *ix, const char *s, size_t n, uint32_t *ref)
{
    if (n > MAX_VALUE_BYTES)
        return NT_ERR_TOO_BIG;
    size_t need = (4 + n + 1 + 7) & ~(size_t)7;
    size_t off = ix->arena_used;
    size_t c = off >> ARENA_CHUNK_BITS;
    if ((off & (ARENA_CHUNK - 1)) + need > ARENA_CHUNK) {
        c++;
        off = c << ARENA_CHUNK_BITS;
    }
    if (c >= ARENA_MAX_CHUNKS)
        return NT_ERR_TOO_BIG;
    if (!ix->arena[c]) {
        if (!(ix->arena[c] = malloc(ARENA_CHUNK)))
            return NT_ERR_NOMEM;
        ix->arena_chunks = c + 1;
    }
    char *p = ix->arena[off >> ARENA_CHUNK_BITS] + (off & (ARENA_CHUNK - 1));
    uint32_t len32 = (uint32_t)n;
    memcpy(p, &len32, 4);
    memcpy(p + 4, s, n);
    p[4 + n] = '\0';
    *ref = (uint32_t)(off >> 3);
    ix->arena_used = off + need;
    return NT_OK;
}

static const rec *rec_at(const nt__index *ix, uint32_t ref)
{
    return &ix->recs[ref >> REC_CHUNK_BITS][ref & (REC_CHUNK - 1)];
}

static nt_err rec_add(nt__index *ix, const rec *r, uint32_t *ref)
{
    uint32_t n = ix->n_recs;
    size_t c = n >> REC_CHUNK_BITS;
    if (c >= REC_MAX_CHUNKS)
        return NT_ERR_TOO_BIG;
    if (!ix->recs[c] && !(ix->recs[c] = malloc(REC_CHUNK * sizeof(rec))))
        return NT_ERR_NOMEM;
    ix->recs[c][n & (REC_CHUNK - 1)] = *r;
    ix->n_recs = n + 1;
    *ref = n;
    return NT_OK;
}

static _Atomic uint32_t *ref_slot(const nt__index *ix, uint32_t ind)
{
    _Atomic uint32_t *c = ix->refs[ind >> REF_CHUNK_BITS];
    return c ? &c[ind & (REF_CHUNK - 1)] : NULL;
}

/* The current record of an indicator, or NULL. */
static const rec *current(const nt__index *ix, uint32_t ind)
{
    _Atomic uint32_t *s = ref_slot(ix, ind);
    if (!s)
        return NULL;
    uint32_t r = atomic_load_explicit(s, memory_order_acquire);
    return r ? rec_at(ix, r) : NULL;
}

/* ---- keys ---------------------------------------------------------------------------------- */

static uint64_t key_hash(nt_ind_type type, int digits, const char *k, size_t n)
{
    uint64_t seed = (uint64_t)type * 0x9E3779B97F4A7C15ull + (uint64_t)(digits != 0);
    return XXH3_64bits_withSeed(k, n, seed);
}

/* The key bytes of a record: its value, or for a digits key the digits after
 * the bank code. */
static const char *rec_key(const nt__index *ix, const rec *r, int digits, size_t *n)
{
    const char *v = arena_at(ix, r->value_ref);
    uint32_t len;
    memcpy(&len, v, 4);
    v += 4;
    if (digits) {
        const char *colon = memchr(v, ':', len);
        if (!colon) {
            *n = 0;
            return NULL;
        }
        *n = len - (size_t)(colon + 1 - v);
        return colon + 1;
    }
    *n = len;
    return v;
}

void nt__index_set_hash(nt__index *ix, nt__index_hash_fn fn)
{
    ix->hash = fn ? fn : key_hash;
}

static table *table_new(size_t slots)
{
    table *t = calloc(1, sizeof(table) + slots * sizeof(_Atomic uint64_t));
    if (!t)
        return NULL;
    t->mask = slots - 1;
    for (size_t i = 0; i < slots; i++)
        atomic_init(&t->slot[i], 0);
    return t;
}

static void table_insert(table *t, uint64_t h, uint32_t lo)
{
    uint64_t w = (h & 0xffffffff00000000ull) | lo;
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        if (atomic_load_explicit(&t->slot[i], memory_order_relaxed) == 0) {
            atomic_store_explicit(&t->slot[i], w, memory_order_release);
            t->used++;
            return;
        }
    }
}

/* ---- readers: an RCU-style grace period for retired tables ---------------------------------- */

static uint64_t reader_enter(nt__index *ix)
{
    for (;;) {
        uint64_t e = atomic_load(&ix->epoch);
        atomic_fetch_add(&ix->readers[e & 1], 1);
        if (atomic_load(&ix->epoch) == e)
            return e;
        atomic_fetch_sub(&ix->readers[e & 1], 1);
    }
}

static void reader_exit(nt__index *ix, uint64_t e)
{
    atomic_fetch_sub(&ix->readers[e & 1], 1);
}

/* Publish t and free the old table once no reader can still be in it. */
static void table_swap(nt__index *ix, table *t)
{
    table *old = atomic_exchange(&ix->tab, t);
    uint64_t e = atomic_fetch_add(&ix->epoch, 1);
    while (atomic_load(&ix->readers[e & 1]) != 0)
        sched_yield();
    free(old);
}

static nt_err grow(nt__index *ix)
{
    table *old = atomic_load_explicit(&ix->tab, memory_order_relaxed);
    size_t n = (old->mask + 1) * 2;
    table *t = table_new(n);
    if (!t)
        return NT_ERR_NOMEM;
    for (size_t i = 0; i <= old->mask; i++) {
        uint64_t w = atomic_load_explicit(&old->slot[i], memory_order_relaxed);
        if (!w)
            continue;
        uint32_t lo = (uint32_t)w;
        int digits = (lo & DIGITS_BIT) != 0;
        const rec *r = current(ix, lo & ~DIGITS_BIT);
        size_t kl;
        const char *k = rec_key(ix, r, digits, &kl);
        table_insert(t, ix->hash((nt_ind_type)r->type, digits, k, kl), lo);
    }
    table_swap(ix, t);
    return NT_OK;
}

static nt_err add_key(nt__index *ix, const rec *r, uint32_t ind, int digits)
{
    table *t = atomic_load_explicit(&ix->tab, memory_order_relaxed);
    if ((t->used + 1) * 4 > (t->mask + 1) * 3) {
        nt_err e = grow(ix);
        if (e)
            return e;
        t = atomic_load_explicit(&ix->tab, memory_order_relaxed);
    }
    size_t kl;
    const char *k = rec_key(ix, r, digits, &kl);
    if (!k)
        return NT_OK;
    table_insert(t, ix->hash((nt_ind_type)r->type, digits, k, kl), ind | (digits ? DIGITS_BIT : 0));
    ix->n_keys++;
    return NT_OK;
}

/* ---- public (internal) API ---------------------------------------------------------------------
 */

nt_err nt__index_new(double half_life_days, nt__index **out)
{
    nt__index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NT_ERR_NOMEM;
    ix->hash = key_hash;
    ix->half_life_s =
        (half_life_days > 0 ? half_life_days : NT_REPUTATION_HALF_LIFE_DAYS) * 86400.0;
    table *t = table_new(MIN_SLOTS);
    if (!t) {
        free(ix);
        return NT_ERR_NOMEM;
    }
    atomic_init(&ix->tab, t);
    atomic_init(&ix->epoch, 0);
    atomic_init(&ix->readers[0], 0);
    atomic_init(&ix->readers[1], 0);
    ix->arena_used = 8; /* ref 0 means "none" */
    ix->n_recs = 1;     /* so does record 0 */
    *out = ix;
    return NT_OK;
}

void nt__index_free(nt__index *ix)
{
    if (!ix)
        return;
    free(atomic_load(&ix->tab));
    for (size_t i = 0; i < ARENA_MAX_CHUNKS; i++)
        free(ix->arena[i]);
    for (size_t i = 0; i < REC_MAX_CHUNKS; i++)
        free(ix->recs[i]);
    for (size_t i = 0; i < REF_MAX_CHUNKS; i++)
        free(ix->refs[i]);
    free(ix);
}

static uint32_t to_u32_time(int64_t t)
{
    if (t < 0)
        return 0;
    if (t > (int64_t)UINT32_MAX)
        return UINT32_MAX;
    return (uint32_t)t;
}

static nt_err source_index(nt__index *ix, const char *name, uint16_t *idx)
{
    *idx = 0;
    if (!name)
        return NT_OK;
    size_t n = strlen(name);
    for (size_t i = 0; i < ix->n_src; i++) {
        const char *v = arena_at(ix, ix->src_refs[i]);
        uint32_t len;
        memcpy(&len, v, 4);
        if (len == n && memcmp(v + 4, name, n) == 0) {
            *idx = (uint16_t)(i + 1);
            return NT_OK;
        }
    }
    if (ix->n_src == sizeof ix->src_refs / sizeof ix->src_refs[0])
        return NT_ERR_TOO_BIG;
    nt_err e = arena_add(ix, name, n, &ix->src_refs[ix->n_src]);
    if (!e)
        *idx = (uint16_t)(++ix->n_src);
    return e;
}

nt_err nt__index_put(nt__index *ix, const nt_store_indicator *ind, const char *source)
{
    if (ind->id <= 0 || ind->id > (int64_t)NT_MAX_REGISTRY_INDICATORS)
        return NT_ERR_TOO_BIG;
    uint32_t id = (uint32_t)ind->id;
    size_t c = id >> REF_CHUNK_BITS;
    if (!ix->refs[c]) {
        _Atomic uint32_t *chunk = malloc(REF_CHUNK * sizeof *chunk);
        if (!chunk)
            return NT_ERR_NOMEM;
        for (size_t i = 0; i < REF_CHUNK; i++)
            atomic_init(&chunk[i], 0);
        ix->refs[c] = chunk;
    }
    _Atomic uint32_t *slot = ref_slot(ix, id);
    uint32_t old = atomic_load_explicit(slot, memory_order_relaxed);
    rec r;
    memset(&r, 0, sizeof r);
    nt_err e;
    if (old) {
        r.value_ref = rec_at(ix, old)->value_ref;
    } else if ((e = arena_add(ix, ind->value, strlen(ind->value), &r.value_ref))) {
        return e;
    }
    if ((e = source_index(ix, source, &r.source)))
        return e;
    r.type = (uint8_t)ind->type;
    r.status = (uint8_t)ind->status;
    r.first_seen = to_u32_time(ind->first_seen);
    r.last_seen = to_u32_time(ind->last_seen);
    r.status_at = to_u32_time(ind->status_at);
    r.n_reports = ind->n_reports;
    r.n_reporters = ind->n_reporters;
    r.score_log = ind->score_e > 0
                      ? (float)(log2(ind->score_e) + (double)ind->score_at / ix->half_life_s)
                      : -INFINITY;
    uint32_t ref;
    if ((e = rec_add(ix, &r, &ref)))
        return e;
    atomic_store_explicit(slot, ref, memory_order_release);
    if (old)
        return NT_OK;
    ix->n_inds++;
    const rec *pr = rec_at(ix, ref);
    if ((e = add_key(ix, pr, id, 0)))
        return e;
    if (ind->type == NT_IND_BANK_ACCOUNT && strchr(ind->value, ':'))
        e = add_key(ix, pr, id, 1);
    return e;
}

uint64_t nt__index_enter(const nt__index *ix)
{
    return reader_enter((nt__index *)ix); /* the reader counters are the only writes */
}

void nt__index_leave(const nt__index *ix, uint64_t token)
{
    reader_exit((nt__index *)ix, token);
}

uint64_t nt__index_hash(const nt__index *ix, nt_ind_type type, int digits, const char *key,
                        size_t len)
{
    return ix->hash(type, digits, key, len);
}

size_t nt__index_find_in(const nt__index *ix, uint64_t h, nt_ind_type type, int digits,
                         const char *key, size_t len, nt__index_fn fn, void *ctx)
{
    uint32_t tag = (uint32_t)(h >> 32);
    size_t found = 0;
    table *t = atomic_load_explicit(&((nt__index *)ix)->tab, memory_order_acquire);
    for (size_t i = h & t->mask, probes = 0; probes <= t->mask; i = (i + 1) & t->mask, probes++) {
        uint64_t w = atomic_load_explicit(&t->slot[i], memory_order_acquire);
        if (!w)
            break;
        uint32_t lo = (uint32_t)w;
        if ((uint32_t)(w >> 32) != tag || ((lo & DIGITS_BIT) != 0) != (digits != 0))
            continue;
        uint32_t ind = lo & ~DIGITS_BIT;
        const rec *r = current(ix, ind);
        if (!r || r->type != (uint8_t)type)
            continue;
        size_t kl;
        const char *k = rec_key(ix, r, digits, &kl);
        if (!k || kl != len || memcmp(k, key, len) != 0)
            continue; /* a fingerprint collision: confirmed against the value */
        const char *v = arena_at(ix, r->value_ref);
        uint32_t vl;
        memcpy(&vl, v, 4);
        nt__index_entry e = {.ind = ind,
                             .type = (nt_ind_type)r->type,
                             .value = v + 4,
                             .value_len = vl,
                             .source =
                                 r->source ? arena_at(ix, ix->src_refs[r->source - 1]) + 4 : NULL,
                             .status = (nt_status)r->status,
                             .first_seen = r->first_seen,
                             .last_seen = r->last_seen,
                             .status_at = r->status_at,
                             .n_reports = r->n_reports,
                             .n_reporters = r->n_reporters,
                             .score_log = r->score_log};
        found++;
        if (fn && fn(ctx, &e))
            break;
        if (!digits)
            break; /* exact keys are unique */
    }
    return found;
}

size_t nt__index_find(const nt__index *ix, nt_ind_type type, int digits, const char *key,
                      size_t len, nt__index_fn fn, void *ctx)
{
    uint64_t h = ix->hash(type, digits, key, len);
    uint64_t ep = nt__index_enter(ix);
    size_t found = nt__index_find_in(ix, h, type, digits, key, len, fn, ctx);
    nt__index_leave(ix, ep);
    return found;
}

/* ---- batch prefetching (index.h) ----------------------------------------------------------- */

void nt__index_prefetch_slot(const nt__index *ix, uint64_t h)
{
    table *t = atomic_load_explicit(&((nt__index *)ix)->tab, memory_order_acquire);
    __builtin_prefetch((const void *)&t->slot[h & t->mask]);
}

uint32_t nt__index_prefetch_ref(const nt__index *ix, uint64_t h, int digits)
{
    table *t = atomic_load_explicit(&((nt__index *)ix)->tab, memory_order_acquire);
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = h & t->mask, probes = 0; probes <= t->mask; i = (i + 1) & t->mask, probes++) {
        uint64_t w = atomic_load_explicit(&t->slot[i], memory_order_relaxed);
        if (!w)
            return 0;
        uint32_t lo = (uint32_t)w;
        if ((uint32_t)(w >> 32) != tag || ((lo & DIGITS_BIT) != 0) != (digits != 0))
            continue;
        uint32_t ind = lo & ~DIGITS_BIT;
        _Atomic uint32_t *s = ref_slot(ix, ind);
        if (!s)
            return 0;
        __builtin_prefetch((const void *)s);
        return ind;
    }
    return 0;
}

const void *nt__index_prefetch_rec(const nt__index *ix, uint32_t ind)
{
    const rec *r = current(ix, ind);
    if (r)
        __builtin_prefetch(r);
    return r;
}

void nt__index_prefetch_value(const nt__index *ix, const void *r)
{
    if (r)
        __builtin_prefetch(arena_at(ix, ((const rec *)r)->value_ref));
}

double nt__index_score(const nt__index *ix, const nt__index_entry *e, int64_t now)
{
    if (isinf(e->score_log))
        return 0.0;
    double ev = exp2((double)e->score_log - (double)now / ix->half_life_s);
    return 100.0 * (1.0 - exp(-ev));
}

void nt__index_stats_get(const nt__index *ix, nt__index_stats *st)
{
    memset(st, 0, sizeof *st);
    table *t = atomic_load(&((nt__index *)ix)->tab);
    st->indicators = ix->n_inds;
    st->keys = ix->n_keys;
    st->slots = t->mask + 1;
    st->record_versions = ix->n_recs - 1;
    st->bytes_slots = sizeof(table) + st->slots * sizeof(uint64_t);
    for (size_t i = 0; i < REC_MAX_CHUNKS; i++)
        if (ix->recs[i])
            st->bytes_records += REC_CHUNK * sizeof(rec);
    for (size_t i = 0; i < REF_MAX_CHUNKS; i++)
        if (ix->refs[i])
            st->bytes_refs += REF_CHUNK * sizeof(uint32_t);
    st->bytes_values = ix->arena_used;
    st->bytes_directories = sizeof *ix;
}
