/*
 * lib/claims/match.c - which indexed claims does a text repeat?
 *
 * One query runs in four steps (docs/claims.md has the formulas):
 *
 *  1. The text is normalised and cut into unigram and bigram terms and
 *     character shingles (features.c), exactly as the claims were.
 *  2. Candidates.  BM25, term at a time: each query term's postings in every
 *     segment add  idf * tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl))
 *     (bigrams times bigram_weight) to a per-claim accumulator in the
 *     scratch; the best POOL claims by this raw score are kept.  In a large
 *     index the commonest terms do not nominate (NOMINATE_* below).  Beside
 *     them, the MinHash-LSH tables give every claim that shares a band with
 *     the query - near-duplicates, whatever their BM25 rank.
 *  3. Each candidate is scored exactly: its text is normalised again, and
 *       coverage    = BM25(query, claim) / BM25(claim, claim)
 *                     the share of the claim's own BM25 weight that the
 *                     query reproduces (query terms counted once, so it is
 *                     at most 1);
 *       containment = share of the claim's character shingles (counted with
 *                     repetition) found among the query's;
 *       score       = w * coverage + (1 - w) * containment,
 *                     w = nt_claims_options.coverage_weight.
 *     Both parts are shares of the *claim*, so a long post that quotes a
 *     rumour word for word still scores high, and the score means the same
 *     thing whatever the query's length.
 *  4. Candidates are ranked by score (then raw BM25), the best k returned,
 *     each with its matched passage: on each side the maximum-sum run of
 *     tokens where a token shared with the other side counts +idf and any
 *     other word -GAP times the mean idf of the shared ones.
 *
 * The index is only read.  Everything a query writes is in the caller's
 * nt_claims_scratch, so threads share an index without locks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "claims/claims_int.h"
#include "core/diag.h"

/* Candidates kept from BM25 and at most this many more from LSH. */
#define POOL 32
#define POOL_LSH 32
/* An LSH bucket holding more claims than this (a template repeated in bulk)
 * nominates none of them: it no longer tells near-duplicates apart, and
 * scanning it would make every such query linear in the index. */
#define LSH_BUCKET_MAX 64
/* Terms in more than NOMINATE_SHARE of the claims (and more than
 * NOMINATE_MIN) do not nominate candidates - their postings are most of a
 * query's work at a million claims and their idf is small - but still count
 * when the candidates are scored.  The NOMINATE_RAREST rarest query terms
 * always nominate. */
#define NOMINATE_SHARE 0.05
#define NOMINATE_MIN 10000
#define NOMINATE_RAREST 3
/* Unmatched words inside a passage cost this times the mean matched idf. */
#define GAP 1.0

typedef struct qterm {
    uint64_t key;
    double w; /* idf * (1 or bigram_weight) */
    uint32_t df;
} qterm;

typedef struct qpost {
    const uint8_t *p;
    uint32_t df;
} qpost;

typedef struct cand {
    uint32_t ord;
    float acc;
    uint8_t lsh_hits;
} cand;

struct nt_claims_scratch {
    float *acc; /* per global ordinal, 0 when untouched */
    size_t acc_cap;
    uint32_t *touched;
    size_t ntouched, touched_cap;
    nt__cterms q, c, t;
    qterm *qt;
    size_t qtcap;
    qpost *qp;
    size_t qpcap;
    cand *pool;
    size_t npool, poolcap;
    nt_claim_match *res;
    size_t rescap;
    double *tokw; /* passage weights */
    size_t tokwcap;
};

nt_err nt_claims_scratch_new(nt_claims_scratch **out)
{
    if (!out)
        return NT_ERR_INVALID_ARG;
    nt_claims_scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NT_ERR_NOMEM;
    nt__cterms_init(&sc->q);
    nt__cterms_init(&sc->c);
    nt__cterms_init(&sc->t);
    *out = sc;
    return NT_OK;
}

void nt_claims_scratch_free(nt_claims_scratch *sc)
{
    if (!sc)
        return;
    free(sc->acc);
    free(sc->touched);
    nt__cterms_release(&sc->q);
    nt__cterms_release(&sc->c);
    nt__cterms_release(&sc->t);
    free(sc->qt);
    free(sc->qp);
    free(sc->pool);
    free(sc->res);
    free(sc->tokw);
    free(sc);
}

static nt_err reserve(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return NT_OK;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *np = realloc(*p, ncap * sz);
    if (!np)
        return NT_ERR_NOMEM;
    *p = np;
    *cap = ncap;
    return NT_OK;
}

/* Accumulators for n claims, all zero. */
static nt_err reserve_acc(nt_claims_scratch *sc, size_t n)
{
    if (n <= sc->acc_cap)
        return NT_OK;
    float *a = realloc(sc->acc, n * sizeof *a);
    if (!a)
        return NT_ERR_NOMEM;
    memset(a + sc->acc_cap, 0, (n - sc->acc_cap) * sizeof *a);
    sc->acc = a;
    sc->acc_cap = n;
    return NT_OK;
}

static double tf_part(double tf, double dl, double avgdl, double k1, double b)
{
    return tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl / avgdl));
}

static uint32_t global_df(const nt_claims *idx, uint64_t key)
{
    uint32_t df = 0;
    for (size_t s = 0; s < idx->nseg; s++) {
        uint32_t d;
        if (nt__seg_lookup(idx->segs[s], key, &d))
            df += d;
    }
    return df;
}

/* Index of key in the sorted term array, or -1. */
static long find_term(const nt__term *t, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && t[lo].key == key ? (long)lo : -1;
}

/* Non-zero if key is in the sorted array a[0..n). */
static int find_u64(const uint64_t *a, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == key;
}

/* The highest df of a term that nominates candidates: NOMINATE_SHARE of the
 * index (at least NOMINATE_MIN claims), raised so that the NOMINATE_RAREST
 * rarest query terms always do. */
static uint32_t nominating_df(const nt_claims *idx, const qterm *qt, size_t nt)
{
    double cut = (double)idx->n * NOMINATE_SHARE;
    if (cut < NOMINATE_MIN)
        cut = NOMINATE_MIN;
    uint32_t rarest[NOMINATE_RAREST];
    size_t nr = 0;
    for (size_t i = 0; i < nt; i++) {
        uint32_t df = qt[i].df;
        if (!df)
            continue;
        size_t j = nr < NOMINATE_RAREST ? nr++ : NOMINATE_RAREST;
        if (j == NOMINATE_RAREST) {
            if (df >= rarest[NOMINATE_RAREST - 1])
                continue;
            j = NOMINATE_RAREST - 1;
        }
        while (j > 0 && rarest[j - 1] > df) {
            rarest[j] = rarest[j - 1];
            j--;
        }
        rarest[j] = df;
    }
    if (nr && rarest[nr - 1] > cut)
        cut = rarest[nr - 1];
    return cut >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)cut;
}

/* Steps 1-2: look the query terms up and accumulate BM25. */
static nt_err accumulate(const nt_claims *idx, nt_claims_scratch *sc)
{
    const nt_claims_options *o = &idx->opts;
    size_t nt = sc->q.nterms, ns = idx->nseg;
    nt_err rc;
    if ((rc = reserve((void **)&sc->qt, &sc->qtcap, nt, sizeof *sc->qt)) ||
        (rc = reserve((void **)&sc->qp, &sc->qpcap, nt * ns, sizeof *sc->qp)))
        return rc;
    for (size_t i = 0; i < nt; i++) {
        qterm *q = &sc->qt[i];
        q->key = sc->q.terms[i].key;
        q->df = 0;
        for (size_t s = 0; s < ns; s++) {
            qpost *p = &sc->qp[i * ns + s];
            p->df = 0;
            p->p = nt__seg_lookup(idx->segs[s], q->key, &p->df);
            q->df += p->df;
        }
        q->w = nt__bm25_idf((double)idx->n, q->df) * (sc->q.terms[i].kind ? o->bigram_weight : 1.0);
    }
    uint32_t cut = nominating_df(idx, sc->qt, nt);
    for (size_t i = 0; i < nt; i++) {
        const qterm *q = &sc->qt[i];
        if (!q->df || !(q->w > 0) || q->df > cut)
            continue; /* a zero weight would add nothing (and mark nothing) */
        for (size_t s = 0; s < ns; s++) {
            const qpost *p = &sc->qp[i * ns + s];
            if (!p->p)
                continue;
            const uint8_t *cur = p->p;
            uint64_t ord = 0;
            uint32_t base = idx->base[s];
            const float *norm = idx->norm + base;
            const float qw = (float)(q->w * (o->k1 + 1.0));
            for (uint32_t j = 0; j < p->df; j++) {
                uint64_t v, tf = 1;
                cur = nt__varint_get(cur, &v);
                ord += v >> 1;
                if (v & 1)
                    cur = nt__varint_get(cur, &tf);
                float ftf = (float)tf;
                float w = qw * ftf / (ftf + norm[ord]);
                uint32_t gi = base + (uint32_t)ord;
                if (sc->acc[gi] == 0.0f) {
                    if ((rc = reserve((void **)&sc->touched, &sc->touched_cap, sc->ntouched + 1,
                                      sizeof *sc->touched)))
                        return rc;
                    sc->touched[sc->ntouched++] = gi;
                }
                sc->acc[gi] += w;
            }
        }
    }
    return NT_OK;
}

/* Min-heap on acc (ties: higher ordinal first out) of at most cap. */
static int cand_less(const cand *a, const cand *b)
{
    if (a->acc != b->acc)
        return a->acc < b->acc;
    return a->ord > b->ord;
}

static void heap_push(cand *h, size_t *n, size_t cap, cand c)
{
    if (*n == cap) {
        if (!cand_less(&h[0], &c))
            return;
        h[0] = c;
    } else {
        size_t i = (*n)++;
        h[i] = c;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!cand_less(&h[i], &h[p]))
                break;
            cand t = h[i];
            h[i] = h[p];
            h[p] = t;
            i = p;
        }
        return;
    }
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && cand_less(&h[l], &h[m]))
            m = l;
        if (r < *n && cand_less(&h[r], &h[m]))
            m = r;
        if (m == i)
            break;
        cand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int cmp_cand_ord(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static int cmp_cand_lsh(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->lsh_hits != y->lsh_hits)
        return x->lsh_hits > y->lsh_hits ? -1 : 1;
    if (x->acc != y->acc)
        return x->acc > y->acc ? -1 : 1;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Step 2 (end): the pool = best POOL by BM25 + up to POOL_LSH from LSH. */
static nt_err gather_pool(const nt_claims *idx, nt_claims_scratch *sc, size_t k)
{
    size_t cap = k > POOL ? k : POOL;
    nt_err rc = reserve((void **)&sc->pool, &sc->poolcap, cap + POOL_LSH + 1, sizeof *sc->pool);
    if (rc)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < sc->ntouched; i++) {
        cand c = {sc->touched[i], sc->acc[sc->touched[i]], 0};
        heap_push(sc->pool, &n, cap, c);
    }
    /* LSH: every claim sharing a band with the query. */
    size_t nl = 0, lcap = 0;
    cand *l = NULL;
    if (sc->q.nsh) {
        uint32_t bands[NT__MINHASH_BANDS];
        nt__minhash_bands(sc->q.sh, sc->q.nsh, bands);
        for (size_t s = 0; s < idx->nseg; s++) {
            const nt__seg *g = idx->segs[s];
            for (int b = 0; b < NT__MINHASH_BANDS; b++) {
                const uint64_t *e = g->lsh[b];
                uint64_t lo_key = (uint64_t)bands[b] << 32;
                size_t lo = 0, hi = g->n;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (e[mid] < lo_key)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                size_t hi_end = lo;
                while (hi_end < g->n && (uint32_t)(e[hi_end] >> 32) == bands[b] &&
                       hi_end - lo <= LSH_BUCKET_MAX)
                    hi_end++;
                if (hi_end - lo > LSH_BUCKET_MAX)
                    continue; /* a band shared by that many claims says nothing */
                for (; lo < hi_end; lo++) {
                    if ((rc = reserve((void **)&l, &lcap, nl + 1, sizeof *l))) {
                        free(l);
                        return rc;
                    }
                    uint32_t gi = idx->base[s] + (uint32_t)e[lo];
                    l[nl].ord = gi;
                    l[nl].acc = sc->acc[gi];
                    l[nl].lsh_hits = 1;
                    nl++;
                }
            }
        }
    }
    if (nl) {
        qsort(l, nl, sizeof *l, cmp_cand_ord);
        size_t w = 0;
        for (size_t i = 0; i < nl; i++) {
            if (w && l[w - 1].ord == l[i].ord)
                l[w - 1].lsh_hits++;
            else
                l[w++] = l[i];
        }
        nl = w;
        qsort(l, nl, sizeof *l, cmp_cand_lsh);
        if (nl > POOL_LSH)
            nl = POOL_LSH;
        /* merge into the pool, marking BM25 candidates found by LSH too */
        qsort(sc->pool, n, sizeof *sc->pool, cmp_cand_ord);
        size_t n0 = n;
        for (size_t i = 0; i < nl; i++) {
            size_t lo = 0, hi = n0;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (sc->pool[mid].ord < l[i].ord)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < n0 && sc->pool[lo].ord == l[i].ord)
                sc->pool[lo].lsh_hits = l[i].lsh_hits;
            else
                sc->pool[n++] = l[i];
        }
    }
    free(l);
    sc->npool = n;
    return NT_OK;
}

/* Maximum-sum run of w[0..n); returns 0 when nothing is positive. */
static int best_run(const double *w, size_t n, size_t *from, size_t *to)
{
    double best = 0, cur = 0;
    size_t start = 0, bs = 0, be = 0;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (cur <= 0) {
            cur = 0;
            start = i;
        }
        cur += w[i];
        if (cur > best) {
            best = cur;
            bs = start;
            be = i;
            found = 1;
        }
    }
    *from = bs;
    *to = be;
    return found;
}

/* The passage of toks (one side) given the other side's terms. */
static nt_err passage(nt_claims_scratch *sc, const nt__ctok *tok, size_t ntok,
                      const nt__term *other, size_t nother, const nt_claims *idx, size_t *start,
                      size_t *end)
{
    *start = *end = 0;
    nt_err rc = reserve((void **)&sc->tokw, &sc->tokwcap, ntok ? ntok : 1, sizeof *sc->tokw);
    if (rc)
        return rc;
    double sum = 0;
    size_t matched = 0;
    for (size_t i = 0; i < ntok; i++) {
        sc->tokw[i] = 0;
        if (find_term(other, nother, tok[i].h) < 0)
            continue;
        long qi = find_term(sc->q.terms, sc->q.nterms, tok[i].h);
        double idf =
            qi >= 0 ? sc->qt[qi].w : nt__bm25_idf((double)idx->n, global_df(idx, tok[i].h));
        sc->tokw[i] = idf;
        sum += idf;
        matched++;
    }
    if (!matched)
        return NT_OK;
    double pen = -GAP * sum / (double)matched;
    for (size_t i = 0; i < ntok; i++)
        if (sc->tokw[i] == 0)
            sc->tokw[i] = pen;
    size_t a, b;
    if (best_run(sc->tokw, ntok, &a, &b)) {
        *start = tok[a].ostart;
        *end = tok[b].oend;
    }
    return NT_OK;
}

/* Step 3: score one candidate exactly; fills m. */
/* BM25 weight of a claim's terms (ct) and the part the query shares. */
static void claim_weight(const nt_claims *idx, nt_claims_scratch *sc, const nt__cterms *ct,
                         double dl, double avgdl, double *self, double *covered)
{
    const nt_claims_options *o = &idx->opts;
    for (size_t i = 0; i < ct->nterms; i++) {
        const nt__term *term = &ct->terms[i];
        long qi = find_term(sc->q.terms, sc->q.nterms, term->key);
        double idfw;
        if (qi >= 0)
            idfw = sc->qt[qi].w;
        else
            idfw = nt__bm25_idf((double)idx->n, global_df(idx, term->key)) *
                   (term->kind ? o->bigram_weight : 1.0);
        double tf = term->tf > NT__TF_MAX ? NT__TF_MAX : term->tf;
        double w = idfw * tf_part(tf, dl, avgdl, o->k1, o->b);
        *self += w;
        if (qi >= 0)
            *covered += w;
    }
}

static nt_err terms_of(const nt_claims *idx, const char *s, nt__cterms *ct, int shingles,
                       nt_diag *diag)
{
    nt_text_options to;
    nt_text_options_init(&to);
    to.teencode = idx->opts.teencode;
    to.max_bytes = NT_CLAIM_MAX_TEXT_BYTES;
    nt_text *t = NULL;
    nt__cterms_reset(ct);
    nt_err rc = nt_text_normalize(s, strlen(s), &to, &t, diag);
    if (rc)
        return rc;
    rc = nt__cterms_add_text(ct, t, idx->opts.synonyms, shingles);
    nt_text_free(t);
    if (!rc)
        rc = nt__cterms_finish(ct, 0);
    return rc;
}

/* Step 3: score one candidate exactly; fills m. */
static nt_err score_one(const nt_claims *idx, nt_claims_scratch *sc, const cand *cd, double avgdl,
                        unsigned flags, nt_claim_match *m, nt_diag *diag)
{
    const nt_claims_options *o = &idx->opts;
    nt_claim c;
    nt_err rc;
    nt_claims_get(idx, cd->ord, &c);
    if ((rc = terms_of(idx, c.text, &sc->c, 1, diag)))
        return rc;
    int title = o->index_titles && c.title;
    if (title && (rc = terms_of(idx, c.title, &sc->t, 0, diag)))
        return rc;

    /* the claim's length as indexed (text and title), for BM25's length norm */
    uint32_t local;
    size_t seg = nt__claims_locate(idx, cd->ord, &local);
    double dl = idx->segs[seg]->dl[local];
    double self_x = 0, cov_x = 0, self_t = 0, cov_t = 0;
    claim_weight(idx, sc, &sc->c, dl, avgdl, &self_x, &cov_x);
    if (title)
        claim_weight(idx, sc, &sc->t, dl, avgdl, &self_t, &cov_t);
    double qall = 0, qin = 0, ev = 0;
    double idf_max = nt__bm25_idf((double)idx->n, 1);
    for (size_t i = 0; i < sc->q.nterms; i++) {
        if (sc->q.terms[i].kind)
            continue;
        qall += sc->qt[i].w;
        uint64_t key = sc->q.terms[i].key;
        if (find_term(sc->c.terms, sc->c.nterms, key) >= 0 ||
            (title && find_term(sc->t.terms, sc->t.nterms, key) >= 0)) {
            qin += sc->qt[i].w;
            ev += sc->qt[i].w / idf_max;
        }
    }
    size_t inter = 0;
    for (size_t i = 0; i < sc->c.nsh; i++)
        inter += find_u64(sc->q.sh, sc->q.nsh, sc->c.sh[i]);
    memset(m, 0, sizeof *m);
    m->ordinal = cd->ord;
    m->id = c.id;
    m->bm25 = cov_x + cov_t;
    m->coverage = self_x + self_t > 0 ? (cov_x + cov_t) / (self_x + self_t) : 0;
    m->evidence = ev;
    m->containment = sc->c.nsh ? (double)inter / (double)sc->c.nsh : 0;
    m->near_duplicate = cd->lsh_hits > 0;
    m->query_coverage = qall > 0 ? qin / qall : 0;
    double z = o->w_bias + o->w_coverage * m->coverage + o->w_query * m->query_coverage +
               o->w_containment * m->containment + o->w_evidence * log1p(m->evidence);
    m->score = 1.0 / (1.0 + exp(-z));
    m->same = m->score >= o->threshold;
    if (!(flags & NT_CLAIMS_NO_PASSAGE)) {
        if ((rc = passage(sc, sc->q.tok, sc->q.ntok, sc->c.terms, sc->c.nterms, idx, &m->q_start,
                          &m->q_end)) ||
            (rc = passage(sc, sc->c.tok, sc->c.ntok, sc->q.terms, sc->q.nterms, idx, &m->c_start,
                          &m->c_end)))
            return rc;
    }
    return NT_OK;
}

static int cmp_match_bm25(const void *a, const void *b)
{
    const nt_claim_match *x = a, *y = b;
    if (x->bm25 != y->bm25)
        return x->bm25 > y->bm25 ? -1 : 1;
    return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

static int cmp_match(const void *a, const void *b)
{
    const nt_claim_match *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->bm25 != y->bm25)
        return x->bm25 > y->bm25 ? -1 : 1;
    return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

static void reset_acc(nt_claims_scratch *sc)
{
    for (size_t i = 0; i < sc->ntouched; i++)
        sc->acc[sc->touched[i]] = 0.0f;
    sc->ntouched = 0;
}

nt_err nt_claims_match(const nt_claims *idx, nt_claims_scratch *sc, const char *text, size_t len,
                       size_t k, unsigned flags, const nt_claim_match **out, size_t *n,
                       nt_diag *diag)
{
    if (!idx || !sc || !out || !n || (!text && len) || k == 0 || k > NT_CLAIMS_MAX_RESULTS)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0,
                        "nt_claims_match: missing argument or k outside 1..%u",
                        NT_CLAIMS_MAX_RESULTS);
    *out = NULL;
    *n = 0;
    const nt_claims_options *o = &idx->opts;
    nt_text_options to;
    nt_text_options_init(&to);
    to.teencode = o->teencode;
    to.max_bytes = o->max_query_bytes;
    nt_text *qt = NULL;
    nt_err rc = nt_text_normalize(text ? text : "", len, &to, &qt, diag);
    if (rc)
        return rc;
    nt__cterms_reset(&sc->q);
    rc = nt__cterms_add_text(&sc->q, qt, idx->opts.synonyms, 1);
    nt_text_free(qt);
    if (rc || (rc = nt__cterms_finish(&sc->q, 1)))
        goto cleanup;
    if (sc->q.nterms == 0 || idx->n == 0)
        goto cleanup;
    double avgdl = idx->avgdl;
    if ((rc = reserve_acc(sc, idx->n)) || (rc = accumulate(idx, sc)) ||
        (rc = gather_pool(idx, sc, k)))
        goto cleanup;
    if ((rc = reserve((void **)&sc->res, &sc->rescap, sc->npool ? sc->npool : 1, sizeof *sc->res)))
        goto cleanup;
    size_t m = 0;
    for (size_t i = 0; i < sc->npool; i++) {
        if ((rc = score_one(idx, sc, &sc->pool[i], avgdl, flags, &sc->res[m], diag)))
            goto cleanup;
        if (sc->res[m].score <= 0 && sc->res[m].bm25 <= 0)
            continue;
        if ((flags & NT_CLAIMS_ONLY_SAME) && !sc->res[m].same)
            continue;
        m++;
    }
    qsort(sc->res, m, sizeof *sc->res, (flags & NT_CLAIMS_RANK_BM25) ? cmp_match_bm25 : cmp_match);
    *out = sc->res;
    *n = m < k ? m : k;
cleanup:
    reset_acc(sc);
    if (rc == NT_ERR_NOMEM && diag)
        nt__fail(diag, rc, 0, "out of memory matching claims");
    return rc;
}
