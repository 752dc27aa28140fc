/*
 * lib/claims/claims_int.h - what the files of lib/claims share: the terms of
 * one text (features.c), the immutable segment (segment.c), the index as a
 * list of segments (index.c) and the constants of the method (docs/claims.md).
 */
#ifndef NT_CLAIMS_INT_H
#define NT_CLAIMS_INT_H

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "niemtin/claims.h"

/* ---- Method constants (docs/claims.md says why each has its value) ---------- */

#define NT__SHINGLE_BYTES 5 /* character shingles of the folded word stream */
#define NT__MINHASH_BANDS 8 /* LSH bands ... */
#define NT__MINHASH_ROWS 3  /* ... of this many min-hashes each */
#define NT__MINHASH_K (NT__MINHASH_BANDS * NT__MINHASH_ROWS)
#define NT__TF_MAX 255u /* term frequencies are stored saturated at this */

/* ---- Terms of one text (features.c) --------------------------------------- */

/* One matching token: a word or number of the FOLD form. */
typedef struct nt__ctok {
    uint64_t h;      /* unigram term */
    uint64_t hb;     /* its part in bigrams: h, or the number placeholder */
    uint32_t ostart; /* span in the original text */
    uint32_t oend;
    uint32_t fstart; /* span in the FOLD form */
    uint32_t fend;
    uint8_t boundary; /* no bigram with the token before */
    uint8_t number;
} nt__ctok;

/* A distinct term and how often it occurs. */
typedef struct nt__term {
    uint64_t key;
    uint32_t tf;
    uint32_t kind; /* 0 unigram, 1 bigram */
} nt__term;

/* Terms of a text, reusable: nt__cterms_reset keeps the allocations. */
typedef struct nt__cterms {
    nt__ctok *tok; /* tokens of the last text added (for passages) */
    size_t ntok, tokcap;
    nt__term *terms; /* distinct, sorted by key after nt__cterms_finish */
    size_t nterms, termcap;
    uint32_t dl;  /* tokens in all texts added */
    char *stream; /* folded words run together, numbers as '#' */
    size_t slen, scap;
    uint64_t *sh; /* distinct shingle hashes, sorted */
    size_t nsh, shcap;
} nt__cterms;

void nt__cterms_init(nt__cterms *ct);
void nt__cterms_reset(nt__cterms *ct);
void nt__cterms_release(nt__cterms *ct);
/* Add the tokens of a normalised text, words found in syn (may be NULL)
 * replaced by their expansion.  shingles: also extend the shingle stream
 * (the claim's text and the query; not titles).  The token array is
 * replaced by this text's tokens. */
nt_err nt__cterms_add_text(nt__cterms *ct, const nt_text *t, const nt_lexicon *syn, int shingles);
/* Collapse repeated terms into (term, tf), sort by key, hash the shingles
 * (made distinct and sorted when distinct is non-zero). */
nt_err nt__cterms_finish(nt__cterms *ct, int distinct);
/* Sort an array of 64-bit keys ascending. */
void nt__sort_u64(uint64_t *a, size_t n);
/* The LSH band keys of a shingle set (0 in every band when it is empty). */
void nt__minhash_bands(const uint64_t *sh, size_t n, uint32_t bands[NT__MINHASH_BANDS]);
/* Hash of a claim id (id tables). */
uint64_t nt__claims_id_hash(const char *id, size_t len);

/* ---- Segments (segment.c) ------------------------------------------------- */

/* An immutable run of claims with its own dictionary, postings, LSH tables
 * and id table.  Shared between indexes by reference count. */
typedef struct nt__seg {
    atomic_long refs;
    uint32_t n;
    char *arena; /* per claim: id\0 text\0 title\0 lang\0 verdict\0 url\0 */
    size_t arena_len;
    uint64_t *rec; /* arena offset of claim i */
    uint32_t *dl;  /* tokens of claim i (text and, if indexed, title) */
    uint64_t total_dl;
    /* dictionary: open addressing on key (0 = empty), value = postings offset */
    uint64_t *dkey;
    uint64_t *doff;
    size_t dcap, nterms;
    /* postings of a term at doff: varint df, then df times varint
     * (delta << 1 | tf > 1) [varint tf] with delta from the previous ordinal */
    uint8_t *post;
    size_t post_len, npostings;
    uint64_t *lsh[NT__MINHASH_BANDS]; /* (band hash << 32 | ordinal), sorted */
    /* ids: open addressing of (hash, ordinal + 1) */
    uint64_t *idtab;
    size_t idcap;
} nt__seg;

/* Build a segment from claims (validated by the caller). */
nt_err nt__seg_build(const nt_claims_options *o, const nt_claim *claims, size_t n, nt__seg **out,
                     nt_diag *diag);
void nt__seg_unref(nt__seg *s);
void nt__seg_ref(nt__seg *s);
/* Postings of a term: pointer to its list (after the df) and df; NULL if absent. */
const uint8_t *nt__seg_lookup(const nt__seg *s, uint64_t key, uint32_t *df);
/* Claim i's fields. */
void nt__seg_get(const nt__seg *s, uint32_t i, nt_claim *out);
/* Local ordinal of an id, or -1. */
long nt__seg_find(const nt__seg *s, const char *id, size_t len);
size_t nt__seg_bytes(const nt__seg *s);

static inline const uint8_t *nt__varint_get(const uint8_t *p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned shift = 0;
    for (;;) {
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *v = x;
    return p;
}

/* ---- The index (index.c) -------------------------------------------------- */

struct nt_claims {
    nt_claims_options opts;
    size_t nseg;
    nt__seg **segs;
    uint32_t *base; /* global ordinal of each segment's first claim */
    size_t n;
    uint64_t total_dl;
    double avgdl;
    /* per global ordinal: BM25's length normaliser k1 (1 - b + b dl / avgdl);
     * the index's own, since avgdl belongs to the whole index, not to a
     * segment.  A posting then costs one division: tf (k1+1) / (tf + norm). */
    float *norm;
};

/* Segment and local ordinal of a global ordinal. */
size_t nt__claims_locate(const nt_claims *idx, size_t ordinal, uint32_t *local);

/* BM25 idf (Lucene's, always positive). */
static inline double nt__bm25_idf(double n, double df)
{
    return log(1.0 + (n - df + 0.5) / (df + 0.5));
}

#endif
