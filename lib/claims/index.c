/*
 * lib/claims/index.c - the claim index: an ordered list of immutable
 * segments (segment.c) and the global statistics BM25 needs.
 *
 * An index never changes after it is made.  Adding claims makes a new index
 * that shares every untouched segment with the old one (reference counts), so
 * a writer can publish new claims while readers go on querying the old index,
 * and either may be freed first.  Merging follows a binary-counter policy
 * (like a log-structured merge): the new claims and every trailing segment
 * not more than twice their size are rebuilt into one segment.  Segment sizes
 * therefore at least double towards the front, an index has O(log n)
 * segments, and each claim is rebuilt O(log n) times over its life.
 */
#include <stdlib.h>
#include <string.h>

#include "claims/claims_int.h"
#include "core/diag.h"

/* More segments than this and the last two are merged regardless of size. */
#define MAX_SEGMENTS 24

void nt_claims_options_init(nt_claims_options *o)
{
    memset(o, 0, sizeof *o);
    o->k1 = 1.2;
    o->b = 0.75;
    o->bigram_weight = 0.25;
    o->index_titles = 1;
    /* `niemtin claim fit` on CLEF train + the Vietnamese dev set (docs/claims.md) */
    o->w_bias = -6.852;
    o->w_coverage = 3.204;
    o->w_query = 0.485;
    o->w_containment = 2.197;
    o->w_evidence = 3.030;
    o->threshold = 0.49;
}

static nt_err check_field(const char *s, size_t max, const char *what, size_t i, const char *id,
                          nt_diag *diag)
{
    if (!s)
        return NT_OK;
    size_t len = strlen(s);
    if (len > max)
        return nt__fail(diag, NT_ERR_TOO_BIG, i,
                        "claim %zu (\"%.64s\"): %s is %zu bytes, over the %zu-byte limit", i, id,
                        what, len, max);
    return NT_OK;
}

/* A duplicate id inside claims[0..n): the first repeated one is reported
 * with both positions. */
static nt_err check_batch_ids(const nt_claim *claims, size_t n, nt_diag *diag)
{
    size_t cap = 16;
    while (cap < n * 10 / 7 + 1)
        cap *= 2;
    uint64_t *tab = calloc(cap, sizeof *tab); /* (hash high 32 | index + 1) */
    if (!tab)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err rc = NT_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint64_t h = nt__claims_id_hash(claims[i].id, strlen(claims[i].id));
        size_t j = (size_t)h & (cap - 1);
        for (; tab[j]; j = (j + 1) & (cap - 1)) {
            size_t other = (size_t)(tab[j] & 0xffffffffu) - 1;
            if ((tab[j] >> 32) == (h >> 32) && strcmp(claims[other].id, claims[i].id) == 0) {
                rc = nt__fail(diag, NT_ERR_INVALID, i,
                              "claim %zu: duplicate id \"%.64s\" (also claim %zu)", i, claims[i].id,
                              other);
                break;
            }
        }
        if (!rc)
            tab[j] = (h & 0xffffffff00000000ull) | (uint64_t)(i + 1);
    }
    free(tab);
    return rc;
}

/* Check every claim; ids must be new to base (which may be NULL). */
static nt_err validate(const nt_claims *base, const nt_claim *claims, size_t n, nt_diag *diag)
{
    nt_err rc;
    if (n > NT_CLAIMS_MAX_CLAIMS - (base ? base->n : 0))
        return nt__fail(diag, NT_ERR_TOO_BIG, 0, "more than %u claims in one index",
                        NT_CLAIMS_MAX_CLAIMS);
    for (size_t i = 0; i < n; i++) {
        const nt_claim *c = &claims[i];
        if (!c->id || !*c->id)
            return nt__fail(diag, NT_ERR_INVALID, i, "claim %zu: no id", i);
        size_t idlen = strlen(c->id);
        if (idlen > NT_CLAIM_MAX_ID_BYTES)
            return nt__fail(diag, NT_ERR_TOO_BIG, i,
                            "claim %zu: id is %zu bytes, over the %u-byte limit", i, idlen,
                            NT_CLAIM_MAX_ID_BYTES);
        if (!c->text || !*c->text)
            return nt__fail(diag, NT_ERR_INVALID, i, "claim %zu (\"%.64s\"): no text", i, c->id);
        if ((rc = check_field(c->text, NT_CLAIM_MAX_TEXT_BYTES, "the text", i, c->id, diag)) ||
            (rc = check_field(c->title, NT_CLAIM_MAX_TEXT_BYTES, "the title", i, c->id, diag)) ||
            (rc = check_field(c->lang, NT_CLAIM_MAX_FIELD_BYTES, "lang", i, c->id, diag)) ||
            (rc = check_field(c->verdict, NT_CLAIM_MAX_FIELD_BYTES, "verdict", i, c->id, diag)) ||
            (rc = check_field(c->url, NT_CLAIM_MAX_FIELD_BYTES, "url", i, c->id, diag)))
            return rc;
        if (base) {
            size_t ord;
            if (nt_claims_find(base, c->id, &ord) == NT_OK)
                return nt__fail(diag, NT_ERR_INVALID, i,
                                "claim %zu: id \"%.64s\" is already in the index (claim %zu)", i,
                                c->id, ord);
        }
    }
    return check_batch_ids(claims, n, diag);
}

static nt_claims *index_new(const nt_claims_options *o, size_t nseg)
{
    nt_claims *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->opts = *o;
    idx->segs = calloc(nseg ? nseg : 1, sizeof *idx->segs);
    idx->base = calloc(nseg ? nseg : 1, sizeof *idx->base);
    if (!idx->segs || !idx->base) {
        free(idx->segs);
        free(idx->base);
        free(idx);
        return NULL;
    }
    return idx;
}

/* Fill base[], n, the length statistics and norm[] from segs[0..nseg). */
static nt_err index_finish(nt_claims *idx, size_t nseg)
{
    idx->nseg = nseg;
    idx->n = 0;
    idx->total_dl = 0;
    for (size_t i = 0; i < nseg; i++) {
        idx->base[i] = (uint32_t)idx->n;
        idx->n += idx->segs[i]->n;
        idx->total_dl += idx->segs[i]->total_dl;
    }
    idx->avgdl = idx->n ? (double)idx->total_dl / (double)idx->n : 1.0;
    if (idx->avgdl <= 0)
        idx->avgdl = 1.0;
    idx->norm = malloc((idx->n ? idx->n : 1) * sizeof *idx->norm);
    if (!idx->norm)
        return NT_ERR_NOMEM;
    const double k1 = idx->opts.k1, b = idx->opts.b;
    for (size_t s = 0; s < nseg; s++) {
        const nt__seg *g = idx->segs[s];
        float *out = idx->norm + idx->base[s];
        for (uint32_t i = 0; i < g->n; i++)
            out[i] = (float)(k1 * (1.0 - b + b * g->dl[i] / idx->avgdl));
    }
    return NT_OK;
}

nt_err nt_claims_build(const nt_claims_options *opts, const nt_claim *claims, size_t n,
                       nt_claims **out, nt_diag *diag)
{
    nt_claims_options defaults;
    if (!opts) {
        nt_claims_options_init(&defaults);
        opts = &defaults;
    }
    if (diag)
        nt_diag_clear(diag);
    if (!out || (n && !claims))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no claims or no output");
    *out = NULL;
    nt_err rc = validate(NULL, claims, n, diag);
    if (rc)
        return rc;
    nt_claims *idx = index_new(opts, 1);
    if (!idx)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if ((rc = nt__seg_build(opts, claims, n, &idx->segs[0], diag))) {
        nt_claims_free(idx);
        return rc;
    }
    if ((rc = index_finish(idx, 1))) {
        nt_claims_free(idx);
        return nt__fail(diag, rc, 0, "out of memory");
    }
    *out = idx;
    return NT_OK;
}

/* Claims of segs[from..nseg) followed by extra[0..n), as one array whose
 * strings point into the segments (valid while they are referenced). */
static nt_claim *gather(const nt_claims *base, size_t from, const nt_claim *extra, size_t n,
                        size_t *count)
{
    size_t total = n;
    for (size_t s = from; s < base->nseg; s++)
        total += base->segs[s]->n;
    nt_claim *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t k = 0;
    for (size_t s = from; s < base->nseg; s++)
        for (uint32_t i = 0; i < base->segs[s]->n; i++)
            nt__seg_get(base->segs[s], i, &all[k++]);
    if (n)
        memcpy(all + k, extra, n * sizeof *extra);
    *count = total;
    return all;
}

/* A new index: base's segments [0, keep) shared, then one segment rebuilt
 * from the rest of base plus the extra claims. */
static nt_err rebuild_tail(const nt_claims *base, size_t keep, const nt_claim *extra, size_t n,
                           nt_claims **out, nt_diag *diag)
{
    size_t count = 0;
    nt_claim *all = gather(base, keep, extra, n, &count);
    if (!all)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_claims *idx = index_new(&base->opts, keep + 1);
    if (!idx) {
        free(all);
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    }
    nt_err rc = nt__seg_build(&base->opts, all, count, &idx->segs[keep], diag);
    free(all);
    if (rc) {
        nt_claims_free(idx);
        return rc;
    }
    for (size_t s = 0; s < keep; s++) {
        nt__seg_ref(base->segs[s]);
        idx->segs[s] = base->segs[s];
    }
    if ((rc = index_finish(idx, keep + 1))) {
        nt_claims_free(idx);
        return nt__fail(diag, rc, 0, "out of memory");
    }
    *out = idx;
    return NT_OK;
}

nt_err nt_claims_add(const nt_claims *base, const nt_claim *claims, size_t n, nt_claims **out,
                     nt_diag *diag)
{
    if (diag)
        nt_diag_clear(diag);
    if (!base || !out || (n && !claims))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no index, claims or output");
    *out = NULL;
    nt_err rc = validate(base, claims, n, diag);
    if (rc)
        return rc;
    size_t tail = n, keep = base->nseg;
    while (keep > 0 && base->segs[keep - 1]->n <= 2 * tail) {
        tail += base->segs[keep - 1]->n;
        keep--;
    }
    if (keep + 1 > MAX_SEGMENTS)
        keep = MAX_SEGMENTS - 1;
    if (keep == base->nseg && n == 0) {
        /* nothing to add or merge: share everything */
        nt_claims *idx = index_new(&base->opts, base->nseg);
        if (!idx)
            return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        for (size_t s = 0; s < base->nseg; s++) {
            nt__seg_ref(base->segs[s]);
            idx->segs[s] = base->segs[s];
        }
        if ((rc = index_finish(idx, base->nseg))) {
            nt_claims_free(idx);
            return nt__fail(diag, rc, 0, "out of memory");
        }
        *out = idx;
        return NT_OK;
    }
    return rebuild_tail(base, keep, claims, n, out, diag);
}

nt_err nt_claims_compact(const nt_claims *base, nt_claims **out, nt_diag *diag)
{
    if (diag)
        nt_diag_clear(diag);
    if (!base || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no index or output");
    *out = NULL;
    return rebuild_tail(base, 0, NULL, 0, out, diag);
}

void nt_claims_free(nt_claims *idx)
{
    if (!idx)
        return;
    for (size_t s = 0; s < idx->nseg; s++)
        nt__seg_unref(idx->segs[s]);
    free(idx->segs);
    free(idx->base);
    free(idx->norm);
    free(idx);
}

size_t nt_claims_count(const nt_claims *idx)
{
    return idx ? idx->n : 0;
}

size_t nt__claims_locate(const nt_claims *idx, size_t ordinal, uint32_t *local)
{
    size_t lo = 0, hi = idx->nseg;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (idx->base[mid] <= ordinal)
            lo = mid;
        else
            hi = mid;
    }
    *local = (uint32_t)(ordinal - idx->base[lo]);
    return lo;
}

nt_err nt_claims_get(const nt_claims *idx, size_t ordinal, nt_claim *out)
{
    if (!idx || !out || ordinal >= idx->n)
        return NT_ERR_INVALID_ARG;
    uint32_t local;
    size_t s = nt__claims_locate(idx, ordinal, &local);
    nt__seg_get(idx->segs[s], local, out);
    return NT_OK;
}

nt_err nt_claims_find(const nt_claims *idx, const char *id, size_t *ordinal)
{
    if (!idx || !id)
        return NT_ERR_INVALID_ARG;
    size_t len = strlen(id);
    for (size_t s = 0; s < idx->nseg; s++) {
        long o = nt__seg_find(idx->segs[s], id, len);
        if (o >= 0) {
            if (ordinal)
                *ordinal = idx->base[s] + (size_t)o;
            return NT_OK;
        }
    }
    return NT_ERR_NOT_FOUND;
}

const nt_claims_options *nt_claims_options_of(const nt_claims *idx)
{
    return idx ? &idx->opts : NULL;
}

void nt_claims_stats_get(const nt_claims *idx, nt_claims_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!idx)
        return;
    out->claims = idx->n;
    out->segments = idx->nseg;
    size_t total = sizeof *idx + idx->nseg * (sizeof *idx->segs + sizeof *idx->base) +
                   idx->n * sizeof *idx->norm;
    for (size_t s = 0; s < idx->nseg; s++) {
        const nt__seg *g = idx->segs[s];
        out->terms += g->nterms;
        out->postings += g->npostings;
        out->text_bytes += g->arena_len;
        out->postings_bytes += g->post_len;
        out->dictionary_bytes += g->dcap * (sizeof *g->dkey + sizeof *g->doff);
        out->lsh_bytes += NT__MINHASH_BANDS * (size_t)g->n * sizeof(uint64_t);
        total += nt__seg_bytes(g);
    }
    out->total_bytes = total;
    out->index_bytes = total - out->text_bytes;
    out->bytes_per_claim = idx->n ? (double)total / (double)idx->n : 0.0;
}
