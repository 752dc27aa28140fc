/*
 * lib/claims/features.c - what claim matching sees of a text.
 *
 * Everything starts from the NT_FORM_FOLD tokens of nt_text_normalize, so
 * "Bộ Y tế", "bo y te" and "BYT"-style teencode (when the lexicon has it)
 * meet as the same syllables.  Three views are taken of the words and numbers
 * (links, emoji and punctuation are left out):
 *
 *   unigrams   each folded syllable or word; plain-ASCII words lose an English
 *              plural "s" (Harman's S-stemmer: "ies" -> "y", "es" -> "e",
 *              "s" -> "", not after "ss"/"us"/"is").  No folded Vietnamese
 *              syllable ends in "s", so Vietnamese is untouched.
 *   bigrams    two consecutive tokens not separated by a clause boundary
 *              (. ! ? ; : , or a line break); a number takes part as the
 *              placeholder "#", so "mũi 4" and "mũi 5" share "mui #".
 *   shingles   5-byte character shingles of the folded words run together
 *              without spaces, every number written "#": near-duplicates that
 *              differ in spacing ("vacxin" / "vac xin"), a changed number or a
 *              changed name keep most of their shingles.  A claim's shingles
 *              are kept with repetition (MinHash does not care, and
 *              containment counts them that way); the query's are made
 *              distinct and sorted, so a candidate's are looked up in them.
 *
 * Terms are 64-bit XXH3 hashes (unigrams and bigrams with different seeds), so
 * the index stores no term strings.  The MinHash signature of the shingles is
 * NT__MINHASH_K multiply-shift hashes of each shingle hash, minimised; LSH
 * bands are hashes of NT__MINHASH_ROWS consecutive minima.  Words listed in
 * the synonym lexicon (data/claims-synonyms.tsv) are replaced by their
 * expansion first, on both sides.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "claims/claims_int.h"

#define SEED_UNI 0x6e7455u
#define SEED_BI 0x6e7442u
#define SEED_SH 0x6e7453u
#define SEED_BAND 0x6e744cu
#define SEED_ID 0x6e7449u

void nt__cterms_init(nt__cterms *ct)
{
    memset(ct, 0, sizeof *ct);
}

void nt__cterms_reset(nt__cterms *ct)
{
    ct->ntok = 0;
    ct->nterms = 0;
    ct->dl = 0;
    ct->slen = 0;
    ct->nsh = 0;
}

void nt__cterms_release(nt__cterms *ct)
{
    free(ct->tok);
    free(ct->terms);
    free(ct->stream);
    free(ct->sh);
    memset(ct, 0, sizeof *ct);
}

/* Grow *p (of *cap elements of size sz) to hold at least need elements. */
static nt_err grow(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return NT_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / sz)
            return NT_ERR_NOMEM;
        ncap *= 2;
    }
    void *np = realloc(*p, ncap * sz);
    if (!np)
        return NT_ERR_NOMEM;
    *p = np;
    *cap = ncap;
    return NT_OK;
}

static nt_err push_term(nt__cterms *ct, uint64_t key, uint32_t kind)
{
    nt_err rc = grow((void **)&ct->terms, &ct->termcap, ct->nterms + 1, sizeof *ct->terms);
    if (rc)
        return rc;
    ct->terms[ct->nterms].key = key ? key : 1; /* 0 marks an empty dictionary slot */
    ct->terms[ct->nterms].tf = 1;
    ct->terms[ct->nterms].kind = kind;
    ct->nterms++;
    return NT_OK;
}

static nt_err push_stream(nt__cterms *ct, const char *s, size_t n)
{
    nt_err rc = grow((void **)&ct->stream, &ct->scap, ct->slen + n + 1, 1);
    if (rc)
        return rc;
    memcpy(ct->stream + ct->slen, s, n);
    ct->slen += n;
    return NT_OK;
}

static int is_ascii_lower_word(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    return 1;
}

/* Harman's S-stemmer on a plain-ASCII lower-case word; writes into buf (at
 * least n bytes) and returns the new length. */
static size_t stem_s(const char *w, size_t n, char *buf)
{
    memcpy(buf, w, n);
    if (n < 4 || buf[n - 1] != 's')
        return n;
    if (memcmp(buf + n - 3, "ies", 3) == 0 && buf[n - 4] != 'e' && buf[n - 4] != 'a') {
        buf[n - 3] = 'y';
        return n - 2;
    }
    if (memcmp(buf + n - 2, "es", 2) == 0 && buf[n - 3] != 'a' && buf[n - 3] != 'e' &&
        buf[n - 3] != 'o')
        return n - 1;
    if (buf[n - 2] != 'u' && buf[n - 2] != 's' && buf[n - 2] != 'i')
        return n - 1;
    return n;
}

/* Add one matching token (a word of the text or of a synonym's expansion). */
typedef struct emit_state {
    int have_prev;
    uint64_t prev_hb;
} emit_state;

static nt_err emit(nt__cterms *ct, emit_state *st, const char *w, size_t wn, int number,
                   const nt_token *src, int boundary, int shingles)
{
    nt_err rc = grow((void **)&ct->tok, &ct->tokcap, ct->ntok + 1, sizeof *ct->tok);
    if (rc)
        return rc;
    static const uint64_t num_part = 0x4e554d4245525f23ull; /* "#" in bigrams */
    char buf[64];
    const char *key = w;
    size_t keyn = wn;
    if (!number && wn <= sizeof buf && is_ascii_lower_word(w, wn)) {
        keyn = stem_s(w, wn, buf);
        key = buf;
    }
    nt__ctok *c = &ct->tok[ct->ntok++];
    c->h = XXH3_64bits_withSeed(key, keyn, SEED_UNI);
    c->number = (uint8_t)number;
    c->hb = number ? num_part : c->h;
    c->ostart = src->ostart;
    c->oend = src->oend;
    c->fstart = src->fstart;
    c->fend = src->fend;
    c->boundary = !st->have_prev || boundary;
    if ((rc = push_term(ct, c->h, 0)))
        return rc;
    if (!c->boundary) {
        uint64_t pair[2] = {st->prev_hb, c->hb};
        if ((rc = push_term(ct, XXH3_64bits_withSeed(pair, sizeof pair, SEED_BI), 1)))
            return rc;
    }
    if (shingles && (rc = number ? push_stream(ct, "#", 1) : push_stream(ct, w, wn)))
        return rc;
    st->prev_hb = c->hb;
    st->have_prev = 1;
    ct->dl++;
    return NT_OK;
}

/* The words of a synonym's expansion, folded, each emitted for the token. */
static nt_err emit_synonym(nt__cterms *ct, emit_state *st, const char *exp, const nt_token *src,
                           int shingles)
{
    char *f = NULL;
    size_t fn = 0;
    nt_err rc = nt_text_fold(exp, strlen(exp), &f, &fn);
    if (rc)
        return rc;
    int first = 1;
    for (size_t i = 0; i < fn && !rc;) {
        while (i < fn && f[i] == ' ')
            i++;
        size_t j = i;
        while (j < fn && f[j] != ' ')
            j++;
        if (j > i) {
            rc = emit(ct, st, f + i, j - i, 0, src, first && (src->flags & NT_TOKF_BOUNDARY),
                      shingles);
            first = 0;
        }
        i = j;
    }
    free(f);
    return rc;
}

nt_err nt__cterms_add_text(nt__cterms *ct, const nt_text *t, const nt_lexicon *syn, int shingles)
{
    size_t ntok = 0;
    const nt_token *tok = nt_text_tokens(t, &ntok);
    const char *fold = nt_text_form(t, NT_FORM_FOLD, NULL);
    const char *norm = nt_text_form(t, NT_FORM_NORM, NULL);
    nt_err rc = NT_OK;
    emit_state st = {0, 0};
    ct->ntok = 0;
    for (size_t i = 0; i < ntok && !rc; i++) {
        unsigned kind = tok[i].kind;
        if (kind != NT_TOK_WORD && kind != NT_TOK_NUMBER)
            continue;
        size_t wn = tok[i].fend - tok[i].fstart;
        if (wn == 0)
            continue;
        const char *exp = NULL;
        if (syn && kind == NT_TOK_WORD)
            exp = nt_lexicon_lookup(syn, norm + tok[i].start, tok[i].end - tok[i].start);
        if (exp)
            rc = emit_synonym(ct, &st, exp, &tok[i], shingles);
        else
            rc = emit(ct, &st, fold + tok[i].fstart, wn, kind == NT_TOK_NUMBER, &tok[i],
                      (tok[i].flags & NT_TOKF_BOUNDARY) != 0, shingles);
    }
    return rc;
}

/* Sorting on the query path: every candidate's terms and shingles are
 * sorted, so these are typed (no comparator call per comparison): Hoare
 * quicksort on a median of three, insertion sort below 16 elements.  Keys
 * are hashes, so adversarial orders are not a concern; equal keys (a term
 * that occurs twice) stop both scans, which keeps them balanced. */
void nt__sort_u64(uint64_t *a, size_t n)
{
    while (n > 16) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        size_t left = j + 1;
        if (left < n - left) {
            nt__sort_u64(a, left);
            a += left;
            n -= left;
        } else {
            nt__sort_u64(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static void sort_terms(nt__term *a, size_t n)
{
    while (n > 16) {
        uint64_t x = a[0].key, y = a[n / 2].key, z = a[n - 1].key;
        uint64_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i].key < p)
                i++;
            while (a[j].key > p)
                j--;
            if (i >= j)
                break;
            nt__term t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        size_t left = j + 1;
        if (left < n - left) {
            sort_terms(a, left);
            a += left;
            n -= left;
        } else {
            sort_terms(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        nt__term v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].key > v.key; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

nt_err nt__cterms_finish(nt__cterms *ct, int distinct)
{
    if (ct->nterms > 1) {
        sort_terms(ct->terms, ct->nterms);
        size_t w = 0;
        for (size_t i = 0; i < ct->nterms; i++) {
            if (w && ct->terms[w - 1].key == ct->terms[i].key)
                ct->terms[w - 1].tf++;
            else
                ct->terms[w++] = ct->terms[i];
        }
        ct->nterms = w;
    }
    ct->nsh = 0;
    if (ct->slen == 0)
        return NT_OK;
    size_t k = NT__SHINGLE_BYTES;
    size_t count = ct->slen >= k ? ct->slen - k + 1 : 1;
    nt_err rc = grow((void **)&ct->sh, &ct->shcap, count, sizeof *ct->sh);
    if (rc)
        return rc;
    if (ct->slen < k) {
        ct->sh[0] = XXH3_64bits_withSeed(ct->stream, ct->slen, SEED_SH);
    } else {
        for (size_t i = 0; i < count; i++)
            ct->sh[i] = XXH3_64bits_withSeed(ct->stream + i, k, SEED_SH);
    }
    ct->nsh = count;
    if (!distinct)
        return NT_OK;
    nt__sort_u64(ct->sh, count);
    size_t w = 0;
    for (size_t i = 0; i < count; i++)
        if (!w || ct->sh[w - 1] != ct->sh[i])
            ct->sh[w++] = ct->sh[i];
    ct->nsh = w;
    return NT_OK;
}

/* The multipliers and offsets of the K hash functions: a fixed splitmix64
 * sequence (the index and every query must agree), recomputed per call - it
 * costs less than hashing the shingles and needs no shared state. */
static void minhash_params(uint64_t p[2 * NT__MINHASH_K])
{
    uint64_t x = 0x4e69656d54696e21ull;
    for (size_t i = 0; i < 2 * NT__MINHASH_K; i++) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        p[i] = z ^ (z >> 31);
        if (i % 2 == 0)
            p[i] |= 1; /* odd multiplier */
    }
}

void nt__minhash_bands(const uint64_t *sh, size_t n, uint32_t bands[NT__MINHASH_BANDS])
{
    if (n == 0) {
        memset(bands, 0, NT__MINHASH_BANDS * sizeof bands[0]);
        return;
    }
    uint64_t p[2 * NT__MINHASH_K];
    minhash_params(p);
    uint32_t a[NT__MINHASH_K];
    uint64_t off[NT__MINHASH_K];
    uint32_t mins[NT__MINHASH_K];
    for (size_t j = 0; j < NT__MINHASH_K; j++) {
        a[j] = (uint32_t)p[2 * j] | 1u;
        off[j] = p[2 * j + 1];
        mins[j] = UINT32_MAX;
    }
    /* h_j(x) = (a_j x + b_j) >> 32 on the 32-bit fold of the shingle hash:
     * Dietzfelbinger's multiply-shift, one 32x32->64 multiply per function. */
    for (size_t i = 0; i < n; i++) {
        uint32_t x = (uint32_t)(sh[i] >> 32) ^ (uint32_t)sh[i];
        for (size_t j = 0; j < NT__MINHASH_K; j++) {
            uint32_t v = (uint32_t)(((uint64_t)a[j] * x + off[j]) >> 32);
            if (v < mins[j])
                mins[j] = v;
        }
    }
    for (size_t b = 0; b < NT__MINHASH_BANDS; b++) {
        uint32_t h = (uint32_t)XXH3_64bits_withSeed(
            &mins[b * NT__MINHASH_ROWS], NT__MINHASH_ROWS * sizeof mins[0], SEED_BAND + b);
        bands[b] = h ? h : 1;
    }
}

uint64_t nt__claims_id_hash(const char *id, size_t len)
{
    uint64_t h = XXH3_64bits_withSeed(id, len, SEED_ID);
    return h ? h : 1;
}
