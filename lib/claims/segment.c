/*
 * lib/claims/segment.c - an immutable segment of the claim index.
 *
 * A segment is built once from a run of claims and never written again; an
 * index is a list of segments (index.c), so adding claims builds a new small
 * segment instead of touching the big ones, and readers of an older index
 * keep theirs.  A segment holds:
 *
 *   - the claims' strings in one arena (id, text, title, lang, verdict, url);
 *   - a dictionary from 64-bit term hash to a postings list (open
 *     addressing, load <= 0.7), postings delta- and varint-coded with the
 *     term frequency folded into the low bit - about 1.3 bytes a posting;
 *   - NT__MINHASH_BANDS LSH tables: band hash << 32 | ordinal, sorted;
 *   - an id table for duplicate checks and nt_claims_find.
 *
 * Building takes two passes over the claims' terms without ever sorting
 * postings: the first normalises each claim once, numbers the distinct terms
 * and keeps a forward list (term number, tf) per claim while it counts every
 * term's df and the exact bytes of its postings; the second writes each
 * posting at its term's cursor.  Ordinals arrive in increasing order, so
 * every list comes out sorted.  Peak transient memory is about 5 bytes per
 * (claim, term) pair plus 32 bytes per distinct term.
 */
#include <stdlib.h>
#include <string.h>

#include "claims/claims_int.h"
#include "core/diag.h"

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *varint_put(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n)
        c *= 2;
    return c;
}

/* ---- Build-time term numbering -------------------------------------------- */

typedef struct termtab {
    uint32_t *slot; /* term number + 1, 0 = empty */
    size_t cap;
    uint64_t *key; /* per term number */
    uint32_t *df;
    uint32_t *last;
    uint64_t *bytes; /* postings bytes so far; later the write cursor */
    size_t n, ncap;
} termtab;

static void termtab_release(termtab *tt)
{
    free(tt->slot);
    free(tt->key);
    free(tt->df);
    free(tt->last);
    free(tt->bytes);
}

static nt_err termtab_rehash(termtab *tt, size_t cap)
{
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return NT_ERR_NOMEM;
    for (size_t t = 0; t < tt->n; t++) {
        size_t i = (size_t)tt->key[t] & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = (uint32_t)(t + 1);
    }
    free(tt->slot);
    tt->slot = slot;
    tt->cap = cap;
    return NT_OK;
}

static nt_err termtab_grow_arrays(termtab *tt)
{
    size_t ncap = tt->ncap ? tt->ncap * 2 : 1024;
    uint64_t *key = realloc(tt->key, ncap * sizeof *key);
    if (!key)
        return NT_ERR_NOMEM;
    tt->key = key;
    uint32_t *df = realloc(tt->df, ncap * sizeof *df);
    if (!df)
        return NT_ERR_NOMEM;
    tt->df = df;
    uint32_t *last = realloc(tt->last, ncap * sizeof *last);
    if (!last)
        return NT_ERR_NOMEM;
    tt->last = last;
    uint64_t *bytes = realloc(tt->bytes, ncap * sizeof *bytes);
    if (!bytes)
        return NT_ERR_NOMEM;
    tt->bytes = bytes;
    tt->ncap = ncap;
    return NT_OK;
}

/* The number of a term, added if new. */
static nt_err termtab_get(termtab *tt, uint64_t key, uint32_t *num)
{
    nt_err rc;
    if ((tt->n + 1) * 2 > tt->cap && (rc = termtab_rehash(tt, tt->cap ? tt->cap * 2 : 4096)))
        return rc;
    size_t i = (size_t)key & (tt->cap - 1);
    while (tt->slot[i]) {
        uint32_t t = tt->slot[i] - 1;
        if (tt->key[t] == key) {
            *num = t;
            return NT_OK;
        }
        i = (i + 1) & (tt->cap - 1);
    }
    if (tt->n >= UINT32_MAX - 1)
        return NT_ERR_TOO_BIG;
    if (tt->n == tt->ncap && (rc = termtab_grow_arrays(tt)))
        return rc;
    uint32_t t = (uint32_t)tt->n++;
    tt->key[t] = key;
    tt->df[t] = 0;
    tt->last[t] = 0;
    tt->bytes[t] = 0;
    tt->slot[i] = t + 1;
    *num = t;
    return NT_OK;
}

/* ---- Forward lists ------------------------------------------------------- */

typedef struct fwd {
    uint32_t *term;
    uint8_t *tf;
    size_t n, cap;
} fwd;

static nt_err fwd_push(fwd *f, uint32_t term, uint32_t tf)
{
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 65536;
        uint32_t *t = realloc(f->term, ncap * sizeof *t);
        if (!t)
            return NT_ERR_NOMEM;
        f->term = t;
        uint8_t *q = realloc(f->tf, ncap);
        if (!q)
            return NT_ERR_NOMEM;
        f->tf = q;
        f->cap = ncap;
    }
    f->term[f->n] = term;
    f->tf[f->n] = (uint8_t)(tf > NT__TF_MAX ? NT__TF_MAX : tf);
    f->n++;
    return NT_OK;
}

/* ---- Strings ------------------------------------------------------------- */

static const char *field_or_empty(const char *s)
{
    return s ? s : "";
}

static nt_err copy_strings(nt__seg *s, const nt_claim *claims, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const nt_claim *c = &claims[i];
        total += strlen(c->id) + strlen(c->text) + strlen(field_or_empty(c->title)) +
                 strlen(field_or_empty(c->lang)) + strlen(field_or_empty(c->verdict)) +
                 strlen(field_or_empty(c->url)) + 6;
    }
    s->arena = malloc(total ? total : 1);
    s->rec = malloc((n ? n : 1) * sizeof *s->rec);
    if (!s->arena || !s->rec)
        return NT_ERR_NOMEM;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const nt_claim *c = &claims[i];
        const char *f[6] = {c->id,
                            c->text,
                            field_or_empty(c->title),
                            field_or_empty(c->lang),
                            field_or_empty(c->verdict),
                            field_or_empty(c->url)};
        s->rec[i] = off;
        for (int k = 0; k < 6; k++) {
            size_t l = strlen(f[k]) + 1;
            memcpy(s->arena + off, f[k], l);
            off += l;
        }
    }
    s->arena_len = total;
    return NT_OK;
}

void nt__seg_get(const nt__seg *s, uint32_t i, nt_claim *out)
{
    const char *p = s->arena + s->rec[i];
    const char *f[6];
    for (int k = 0; k < 6; k++) {
        f[k] = p;
        p += strlen(p) + 1;
    }
    out->id = f[0];
    out->text = f[1];
    out->title = *f[2] ? f[2] : NULL;
    out->lang = *f[3] ? f[3] : NULL;
    out->verdict = *f[4] ? f[4] : NULL;
    out->url = *f[5] ? f[5] : NULL;
}

/* ---- Id table ------------------------------------------------------------ */

static nt_err build_ids(nt__seg *s, nt_diag *diag)
{
    s->idcap = pow2_at_least((size_t)s->n * 10 / 7 + 1);
    s->idtab = calloc(s->idcap, sizeof *s->idtab);
    if (!s->idtab)
        return NT_ERR_NOMEM;
    for (uint32_t ord = 0; ord < s->n; ord++) {
        const char *id = s->arena + s->rec[ord];
        size_t len = strlen(id);
        uint64_t h = nt__claims_id_hash(id, len);
        size_t i = (size_t)h & (s->idcap - 1);
        while (s->idtab[i]) {
            uint64_t e = s->idtab[i];
            if ((e >> 32) == (h >> 32)) {
                uint32_t other = (uint32_t)(e & 0xffffffffu) - 1;
                if (strcmp(s->arena + s->rec[other], id) == 0)
                    return nt__fail(diag, NT_ERR_INVALID, ord,
                                    "claim %u: duplicate id \"%.*s\" (also claim %u)", ord,
                                    (int)(len > 64 ? 64 : len), id, other);
            }
            i = (i + 1) & (s->idcap - 1);
        }
        s->idtab[i] = (h & 0xffffffff00000000ull) | (uint64_t)(ord + 1);
    }
    return NT_OK;
}

long nt__seg_find(const nt__seg *s, const char *id, size_t len)
{
    uint64_t h = nt__claims_id_hash(id, len);
    size_t i = (size_t)h & (s->idcap - 1);
    while (s->idtab[i]) {
        uint64_t e = s->idtab[i];
        if ((e >> 32) == (h >> 32)) {
            uint32_t ord = (uint32_t)(e & 0xffffffffu) - 1;
            const char *other = s->arena + s->rec[ord];
            if (strncmp(other, id, len) == 0 && other[len] == '\0')
                return (long)ord;
        }
        i = (i + 1) & (s->idcap - 1);
    }
    return -1;
}

/* ---- Dictionary ---------------------------------------------------------- */

const uint8_t *nt__seg_lookup(const nt__seg *s, uint64_t key, uint32_t *df)
{
    if (!s->dcap)
        return NULL;
    size_t i = (size_t)key & (s->dcap - 1);
    for (;;) {
        uint64_t k = s->dkey[i];
        if (k == key) {
            uint64_t v;
            const uint8_t *p = nt__varint_get(s->post + s->doff[i], &v);
            *df = (uint32_t)v;
            return p;
        }
        if (k == 0)
            return NULL;
        i = (i + 1) & (s->dcap - 1);
    }
}

/* ---- Build --------------------------------------------------------------- */

nt_err nt__seg_build(const nt_claims_options *o, const nt_claim *claims, size_t n, nt__seg **out,
                     nt_diag *diag)
{
    nt_err rc = NT_OK;
    termtab tt = {0};
    fwd fw = {0};
    uint64_t *fstart = NULL;
    nt__cterms ct;
    nt_text *t = NULL;
    nt__cterms_init(&ct);
    nt__seg *s = calloc(1, sizeof *s);
    if (!s)
        return NT_ERR_NOMEM;
    atomic_init(&s->refs, 1);
    s->n = (uint32_t)n;
    if ((rc = copy_strings(s, claims, n)))
        goto cleanup;
    s->dl = calloc(n ? n : 1, sizeof *s->dl);
    fstart = malloc((n + 1) * sizeof *fstart);
    if (!s->dl || !fstart) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    for (int b = 0; b < NT__MINHASH_BANDS; b++) {
        s->lsh[b] = malloc((n ? n : 1) * sizeof *s->lsh[b]);
        if (!s->lsh[b]) {
            rc = NT_ERR_NOMEM;
            goto cleanup;
        }
    }
    nt_text_options to;
    nt_text_options_init(&to);
    to.teencode = o->teencode;
    to.max_bytes = NT_CLAIM_MAX_TEXT_BYTES;

    /* Pass 1: normalise, number the terms, forward lists, postings sizes. */
    for (size_t i = 0; i < n; i++) {
        nt_claim c;
        nt__seg_get(s, (uint32_t)i, &c);
        nt__cterms_reset(&ct);
        if ((rc = nt_text_normalize(c.text, strlen(c.text), &to, &t, diag)))
            goto cleanup;
        rc = nt__cterms_add_text(&ct, t, o->synonyms, 1);
        nt_text_free(t);
        t = NULL;
        if (rc)
            goto cleanup;
        if (o->index_titles && c.title) {
            if ((rc = nt_text_normalize(c.title, strlen(c.title), &to, &t, diag)))
                goto cleanup;
            rc = nt__cterms_add_text(&ct, t, o->synonyms, 0);
            nt_text_free(t);
            t = NULL;
            if (rc)
                goto cleanup;
        }
        if ((rc = nt__cterms_finish(&ct, 0)))
            goto cleanup;
        s->dl[i] = ct.dl;
        s->total_dl += ct.dl;
        uint32_t bands[NT__MINHASH_BANDS];
        nt__minhash_bands(ct.sh, ct.nsh, bands);
        for (int b = 0; b < NT__MINHASH_BANDS; b++)
            s->lsh[b][i] = (uint64_t)bands[b] << 32 | (uint64_t)i;
        fstart[i] = fw.n;
        for (size_t k = 0; k < ct.nterms; k++) {
            uint32_t num;
            if ((rc = termtab_get(&tt, ct.terms[k].key, &num)))
                goto cleanup;
            uint32_t tf = ct.terms[k].tf > NT__TF_MAX ? NT__TF_MAX : ct.terms[k].tf;
            if ((rc = fwd_push(&fw, num, tf)))
                goto cleanup;
            uint64_t delta = (uint64_t)i - tt.last[num];
            tt.bytes[num] += varint_len(delta << 1 | (tf > 1)) + (tf > 1 ? varint_len(tf) : 0);
            tt.last[num] = (uint32_t)i;
            tt.df[num]++;
        }
    }
    fstart[n] = fw.n;

    /* Lay out the postings: df header, then the entries. */
    size_t total = 0;
    for (size_t k = 0; k < tt.n; k++)
        total += varint_len(tt.df[k]) + tt.bytes[k];
    s->post = malloc(total ? total : 1);
    s->dcap = pow2_at_least(tt.n * 10 / 7 + 1);
    s->dkey = calloc(s->dcap, sizeof *s->dkey);
    s->doff = malloc(s->dcap * sizeof *s->doff);
    if (!s->post || !s->dkey || !s->doff) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    size_t off = 0;
    for (size_t k = 0; k < tt.n; k++) {
        size_t i = (size_t)tt.key[k] & (s->dcap - 1);
        while (s->dkey[i])
            i = (i + 1) & (s->dcap - 1);
        s->dkey[i] = tt.key[k];
        s->doff[i] = off;
        uint8_t *p = varint_put(s->post + off, tt.df[k]);
        off += (size_t)(p - (s->post + off)) + tt.bytes[k];
        tt.bytes[k] = (uint64_t)(p - s->post); /* now the write cursor */
        tt.last[k] = 0;
    }
    s->post_len = total;
    s->nterms = tt.n;
    s->npostings = fw.n;

    /* Pass 2: write every posting at its term's cursor. */
    for (size_t i = 0; i < n; i++) {
        for (uint64_t j = fstart[i]; j < fstart[i + 1]; j++) {
            uint32_t num = fw.term[j];
            uint32_t tf = fw.tf[j];
            uint64_t delta = (uint64_t)i - tt.last[num];
            uint8_t *p = varint_put(s->post + tt.bytes[num], delta << 1 | (tf > 1));
            if (tf > 1)
                p = varint_put(p, tf);
            tt.bytes[num] = (uint64_t)(p - s->post);
            tt.last[num] = (uint32_t)i;
        }
    }
    for (int b = 0; b < NT__MINHASH_BANDS; b++)
        nt__sort_u64(s->lsh[b], n);
    if ((rc = build_ids(s, diag)))
        goto cleanup;
    *out = s;
    s = NULL;
cleanup:
    if (rc == NT_ERR_NOMEM && diag)
        nt__fail(diag, rc, 0, "out of memory building the claim index");
    else if (rc == NT_ERR_TOO_BIG && diag && diag->code == NT_OK)
        nt__fail(diag, rc, 0, "more than %u distinct terms in one segment", UINT32_MAX - 1);
    nt_text_free(t);
    nt__cterms_release(&ct);
    termtab_release(&tt);
    free(fw.term);
    free(fw.tf);
    free(fstart);
    if (s)
        nt__seg_unref(s);
    return rc;
}

void nt__seg_ref(nt__seg *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void nt__seg_unref(nt__seg *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(s->arena);
    free(s->rec);
    free(s->dl);
    free(s->dkey);
    free(s->doff);
    free(s->post);
    for (int b = 0; b < NT__MINHASH_BANDS; b++)
        free(s->lsh[b]);
    free(s->idtab);
    free(s);
}

size_t nt__seg_bytes(const nt__seg *s)
{
    return sizeof *s + s->arena_len + (size_t)s->n * (sizeof *s->rec + sizeof *s->dl) +
           s->dcap * (sizeof *s->dkey + sizeof *s->doff) + s->post_len +
           NT__MINHASH_BANDS * (size_t)s->n * sizeof(uint64_t) + s->idcap * sizeof *s->idtab;
}
