/*
 * lib/registry/index.c - the lock-free lookup index of the registry (see
 * index.h for the design; docs/registry.md for the measurements).
 *
 * Memory per indicator: a 36-byte record, a 4-byte reference (writer side),
 * and one 8-byte slot per key at a load factor between 0.375 and 0.75, plus
 * the value itself (4-byte length, the bytes, a NUL, padded to 4) in the
 * arena right after the indicator's first record.
 */
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "registry/index.h"

#define ARENA_CHUNK_BITS 20u /* 1 MiB per chunk */
#define ARENA_CHUNK (1u << ARENA_CHUNK_BITS)
#define ARENA_MAX_CHUNKS 8192u /* refs count 4-byte units in 31 bits: 8 GiB */
#define REF_CHUNK_BITS 16u
#define REF_CHUNK (1u << REF_CHUNK_BITS)
#define REF_MAX_CHUNKS 32768u /* 2^31 indicators */
#define MAX_VALUE_BYTES (64u * 1024u)
#define DIGITS_BIT 0x80000000u
#define MIN_SLOTS 1024u

/* An immutable summary of one indicator (36 bytes), in the arena; the first
 * version of an indicator is followed there by its value, so a lookup that
 * finds the record finds the value to confirm against in the same or the
 * next cache line. */
typedef struct rec {
    uint32_t id;        /* the indicator */
    uint32_t value_ref; /* arena ref of the value ([u32 len][bytes][NUL]) */
    uint8_t type, status;
    uint16_t source; /* the confirming import's name: src_refs[source - 1], or 0 */
    uint32_t first_seen, last_seen, status_at;
    uint32_t n_reports, n_reporters;
    float score_log;
} rec;

#define REC_UNITS (sizeof(rec) / 4)

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
    /* writer only */
    uint32_t *refs[REF_MAX_CHUNKS]; /* indicator id -> its current record */
    size_t arena_used;              /* bytes, including the reserved first 8 */
    size_t arena_chunks;
    size_t n_recs, n_inds, n_keys;
    uint32_t src_refs[65535]; /* arena refs of interned source names (read by readers,
                                 each written before any record names it) */
    size_t n_src;
};

/* ---- chunked storage ------------------------------------------------------------------ */

static const char *arena_at(const nt__index *ix, uint32_t ref)
{
    size_t off = (size_t)ref << 2;
    return ix->arena[off >> ARENA_CHUNK_BITS] + (off & (ARENA_CHUNK - 1));
}

/* Room for n bytes (4-aligned) in one chunk; *ref gets its reference. */
static nt_err arena_alloc(nt__index *ix, size_t n, uint32_t *ref, char **at)
{
    size_t need = (n + 3) & ~(size_t)3;
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
    *at = ix->arena[c] + (off & (ARENA_CHUNK - 1));
    *ref = (uint32_t)(off >> 2);
    ix->arena_used = off + need;
    return NT_OK;
}

static void put_value(char *p, const char *s, size_t n)
{
    uint32_t len32 = (uint32_t)n;
    memcpy(p, &len32, 4);
    memcpy(p + 4, s, n);
    p[4 + n] = '\0';
}

/* Append [u32 len][bytes][NUL]; *ref gets its reference. */
static nt_err arena_add(nt__index *ix, const char *s, size_t n, uint32_t *ref)
{
    char *p;
    if (n > MAX_VALUE_BYTES)
        return NT_ERR_TOO_BIG;
    nt_err e = arena_alloc(ix, 4 + n + 1, ref, &p);
    if (!e)
        put_value(p, s, n);
    return e;
}

static const rec *rec_at(const nt__index *ix, uint32_t ref)
{
    return (const rec *)(const void *)arena_at(ix, ref);
}

/* A record, followed by the value s[0..n) when s is not NULL. */
static nt_err rec_add(nt__index *ix, const rec *r, const char *s, size_t n, uint32_t *ref)
{
    char *p;
    if (s && n > MAX_VALUE_BYTES)
        return NT_ERR_TOO_BIG;
    nt_err e = arena_alloc(ix, sizeof(rec) + (s ? 4 + n + 1 : 0), ref, &p);
    if (e)
        return e;
    memcpy(p, r, sizeof *r);
    if (s) {
        put_value(p + sizeof(rec), s, n);
        uint32_t vref = *ref + (uint32_t)REC_UNITS;
        memcpy(p + offsetof(rec, value_ref), &vref, 4);
    }
    ix->n_recs++;
    return NT_OK;
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
        const rec *r = rec_at(ix, lo & ~DIGITS_BIT);
        size_t kl;
        const char *k = rec_key(ix, r, digits, &kl);
        table_insert(t, ix->hash((nt_ind_type)r->type, digits, k, kl), lo);
    }
    table_swap(ix, t);
    return NT_OK;
}

static nt_err add_key(nt__index *ix, uint32_t ref, int digits)
{
    table *t = atomic_load_explicit(&ix->tab, memory_order_relaxed);
    if ((t->used + 1) * 4 > (t->mask + 1) * 3) {
        nt_err e = grow(ix);
        if (e)
            return e;
        t = atomic_load_explicit(&ix->tab, memory_order_relaxed);
    }
    const rec *r = rec_at(ix, ref);
    size_t kl;
    const char *k = rec_key(ix, r, digits, &kl);
    if (!k)
        return NT_OK;
    table_insert(t, ix->hash((nt_ind_type)r->type, digits, k, kl), ref | (digits ? DIGITS_BIT : 0));
    ix->n_keys++;
    return NT_OK;
}

/* Point the key of record old (digits or not) at record new: one release
 * store, so a reader sees the one or the other. */
static void repoint_key(nt__index *ix, uint32_t old, uint32_t new_ref, int digits)
{
    table *t = atomic_load_explicit(&ix->tab, memory_order_relaxed);
    const rec *r = rec_at(ix, old);
    size_t kl;
    const char *k = rec_key(ix, r, digits, &kl);
    if (!k)
        return;
    uint64_t h = ix->hash((nt_ind_type)r->type, digits, k, kl);
    uint32_t want = old | (digits ? DIGITS_BIT : 0);
    for (size_t i = h & t->mask, probes = 0; probes <= t->mask; i = (i + 1) & t->mask, probes++) {
        uint64_t w = atomic_load_explicit(&t->slot[i], memory_order_relaxed);
        if (!w)
            return;
        if ((uint32_t)w == want) {
            uint64_t nw = (w & 0xffffffff00000000ull) | new_ref | (digits ? DIGITS_BIT : 0);
            atomic_store_explicit(&t->slot[i], nw, memory_order_release);
            return;
        }
    }
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
    if (!ix->refs[c] && !(ix->refs[c] = calloc(REF_CHUNK, sizeof(uint32_t))))
        return NT_ERR_NOMEM;
    uint32_t *slot = &ix->refs[c][id & (REF_CHUNK - 1)];
    uint32_t old = *slot;
    rec r;
    memset(&r, 0, sizeof r);
    nt_err e;
    if ((e = source_index(ix, source, &r.source)))
        return e;
    r.id = id;
    r.type = (uint8_t)(old ? rec_at(ix, old)->type : ind->type);
    r.value_ref = old ? rec_at(ix, old)->value_ref : 0;
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
    if ((e = rec_add(ix, &r, old ? NULL : ind->value, old ? 0 : strlen(ind->value), &ref)))
        return e;
    *slot = ref;
    if (old) {
        size_t kl;
        int two = r.type == NT_IND_BANK_ACCOUNT && rec_key(ix, &r, 1, &kl) != NULL;
        repoint_key(ix, old, ref, 0);
        if (two)
            repoint_key(ix, old, ref, 1);
        return NT_OK;
    }
    ix->n_inds++;
    if ((e = add_key(ix, ref, 0)))
        return e;
    if (ind->type == NT_IND_BANK_ACCOUNT && strchr(ind->value, ':'))
        e = add_key(ix, ref, 1);
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
        const rec *r = rec_at(ix, lo & ~DIGITS_BIT);
        if (r->type != (uint8_t)type)
            continue;
        size_t kl;
        const char *k = rec_key(ix, r, digits, &kl);
        if (!k || kl != len || memcmp(k, key, len) != 0)
            continue; /* a fingerprint collision: confirmed against the value */
        const char *v = arena_at(ix, r->value_ref);
        uint32_t vl;
        memcpy(&vl, v, 4);
        nt__index_entry e = {.ind = r->id,
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
        uint64_t w = atomic_load_explicit(&t->slot[i], memory_order_acquire);
        if (!w)
            return 0;
        uint32_t lo = (uint32_t)w;
        if ((uint32_t)(w >> 32) != tag || ((lo & DIGITS_BIT) != 0) != (digits != 0))
            continue;
        const char *p = arena_at(ix, lo & ~DIGITS_BIT);
        __builtin_prefetch(p);
        __builtin_prefetch(p + sizeof(rec) + 16); /* the value after it */
        return lo & ~DIGITS_BIT;
    }
    return 0;
}

const void *nt__index_prefetch_rec(const nt__index *ix, uint32_t ref)
{
    return ref ? rec_at(ix, ref) : NULL;
}

void nt__index_prefetch_value(const nt__index *ix, const void *r)
{
    if (r) {
        const rec *x = r;
        const char *self = (const char *)r;
        const char *v = arena_at(ix, x->value_ref);
        if (v != self + sizeof(rec))
            __builtin_prefetch(v); /* a later version: the value is elsewhere */
    }
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
    st->record_versions = ix->n_recs;
    st->bytes_slots = sizeof(table) + st->slots * sizeof(uint64_t);
    st->bytes_records = ix->n_recs * sizeof(rec); /* in the arena, beside the values */
    for (size_t i = 0; i < REF_MAX_CHUNKS; i++)
        if (ix->refs[i])
            st->bytes_refs += REF_CHUNK * sizeof(uint32_t);
    st->bytes_values = ix->arena_used - st->bytes_records;
    st->bytes_directories = sizeof *ix;
}
