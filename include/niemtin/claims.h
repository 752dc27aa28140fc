/*
 * niemtin/claims.h - claim matching for the fact-check desk: is this rumour
 * one that was already fact-checked?
 *
 * Analysts check a rumour once; every later variant of it - reworded, without
 * diacritics, in teencode, with the numbers, names and places changed,
 * wrapped in "Chia sẻ ngay!!!" and opinion - should find that verdict at once.
 * An nt_claims index holds the fact-checked claims; nt_claims_match takes any
 * text (a post, a message, a headline) and returns the claims it repeats,
 * ranked, each with a similarity score in [0, 1], whether that score passes
 * the "this is the same claim" threshold, and the matched passage as a byte
 * span of the query and of the claim.
 *
 * Method (docs/claims.md): every text goes through nt_text_normalize, and
 * matching sees the NT_FORM_FOLD tokens (lower case, no diacritics, teencode
 * expanded, obfuscation undone).  Two retrieval paths find candidates: BM25
 * over folded syllables and syllable bigrams (English words go through the
 * same path), and MinHash-LSH over character shingles for near-duplicates of
 * viral variants.  Each candidate is then scored exactly: the share of the
 * claim's own BM25 weight that the query reproduces, and the share of the
 * claim's character shingles found in the query, combined into one score.
 *
 * Index lifecycle.  nt_claims_build makes an immutable index.  nt_claims_add
 * makes a *new* index holding the old claims and the new ones; the old index
 * is untouched and stays valid (they share their immutable segments, counted
 * by reference, so each may be freed in any order).  This is how a store
 * feeds claims as analysts publish them: build at start-up, add as claims
 * arrive, swap the pointer readers use, free the old index when no reader
 * holds it.  nt_claims_compact rebuilds an index into one segment.
 *
 * Threads.  An index is never written after it is made: any number of
 * threads may query one index at once, each with its own nt_claims_scratch.
 *
 * Ownership.  nt_claims_build / nt_claims_add / nt_claims_compact allocate an
 * index freed with nt_claims_free; they copy every string of the claims
 * given (the caller's nt_claim array may be freed after the call).  The
 * teencode and synonym lexicons in the options are borrowed: they must outlive the index and
 * every index derived from it.  Strings an index hands out (nt_claims_get,
 * nt_claim_match.id) live as long as that index.  Matches returned by
 * nt_claims_match live in the scratch until its next use or its free.
 * nt_claim_set and nt_claim_dataset objects own everything they return.
 */
#ifndef NIEMTIN_CLAIMS_H
#define NIEMTIN_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/error.h"
#include "niemtin/text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits ---------------------------------------------------------------- */

/* Longest claim id, in bytes. */
#define NT_CLAIM_MAX_ID_BYTES 256u
/* Longest claim text or title, in bytes: a claim is a sentence or two, not
 * an article; longer ones are refused with NT_ERR_TOO_BIG. */
#define NT_CLAIM_MAX_TEXT_BYTES (64u * 1024u)
/* Longest optional field (lang, verdict, url), in bytes. */
#define NT_CLAIM_MAX_FIELD_BYTES 4096u
/* Most claims in one index (ordinals are 32-bit). */
#define NT_CLAIMS_MAX_CLAIMS 0x7fffffffu
/* Largest claims file nt_claim_set_load reads, and its longest line. */
#define NT_CLAIMS_MAX_FILE_BYTES (2048u * 1024u * 1024u - 1u)
#define NT_CLAIMS_MAX_LINE_BYTES (512u * 1024u)
/* Most matches one query may ask for. */
#define NT_CLAIMS_MAX_RESULTS 1000u

/* ---- Claims ---------------------------------------------------------------- */

/* One fact-checked claim, as given to an index (plain data, borrowed). */
typedef struct nt_claim {
    const char *id;      /* required, non-empty, unique within an index */
    const char *text;    /* required: the claim as fact-checked, UTF-8 (lenient) */
    const char *lang;    /* "vi", "en", ...; NULL or "" when unknown */
    const char *title;   /* optional headline of the fact-check; NULL if none */
    const char *verdict; /* optional ("false", "misleading", ...), carried through */
    const char *url;     /* optional link to the fact-check, carried through */
} nt_claim;

/* ---- Options ----------------------------------------------------------------- */

typedef struct nt_claims_options {
    const nt_lexicon *teencode; /* borrowed; NULL: no teencode expansion */
    const nt_lexicon *synonyms; /* borrowed; claim-matching variants (data/claims-synonyms.tsv)
                                   in the lexicon format; NULL: none */
    size_t max_query_bytes;     /* 0: NT_DEFAULT_MAX_MESSAGE_BYTES */
    double k1, b;               /* BM25 parameters */
    double bigram_weight;       /* weight of a syllable bigram relative to a syllable */
    int index_titles;           /* non-zero: the title's words count as the claim's */
    /* The score's weights (docs/claims.md; `niemtin claim fit` refits them):
     *   score = 1 / (1 + exp(-(w_bias + w_coverage * coverage
     *                          + w_query * query_coverage
     *                          + w_containment * containment
     *                          + w_evidence * ln(1 + evidence)))) */
    double w_bias, w_coverage, w_query, w_containment, w_evidence;
    double threshold; /* the "same claim" threshold on the score */
} nt_claims_options;

/* Fill o with the defaults documented in docs/claims.md (chosen on CLEF train
 * and the Vietnamese dev set). */
void nt_claims_options_init(nt_claims_options *o);

/* ---- The index --------------------------------------------------------------- */

typedef struct nt_claims nt_claims;

/* Build an index of n claims (n may be 0).  Errors, with diag.offset = the
 * index of the offending claim and a message naming its id:
 * NT_ERR_INVALID (missing or empty id or text, duplicate id),
 * NT_ERR_TOO_BIG (a field over its limit, too many claims), NT_ERR_NOMEM.
 * opts may be NULL for the defaults (then there is no teencode lexicon). */
nt_err nt_claims_build(const nt_claims_options *opts, const nt_claim *claims, size_t n,
                       nt_claims **out, nt_diag *diag);

/* A new index with base's claims followed by these (same options as base).
 * base is not changed.  An id already in base, or twice in claims, is
 * NT_ERR_INVALID.  Small additions are kept as extra segments that are merged
 * as they accumulate, so a run of single-claim adds costs O(log n) rebuilt
 * claims each, amortised. */
nt_err nt_claims_add(const nt_claims *base, const nt_claim *claims, size_t n, nt_claims **out,
                     nt_diag *diag);

/* A new index with the same claims rebuilt into one segment. */
nt_err nt_claims_compact(const nt_claims *base, nt_claims **out, nt_diag *diag);

void nt_claims_free(nt_claims *idx);

/* Number of claims; ordinals run 0..count-1 in the order they were given. */
size_t nt_claims_count(const nt_claims *idx);

/* The claim at an ordinal (strings live as long as idx; absent optional
 * fields are NULL).  NT_ERR_INVALID_ARG out of range. */
nt_err nt_claims_get(const nt_claims *idx, size_t ordinal, nt_claim *out);

/* The ordinal of a claim id; NT_ERR_NOT_FOUND if absent. */
nt_err nt_claims_find(const nt_claims *idx, const char *id, size_t *ordinal);

/* The options the index was built with (the lexicon pointer included). */
const nt_claims_options *nt_claims_options_of(const nt_claims *idx);

typedef struct nt_claims_stats {
    size_t claims;
    size_t segments;
    size_t terms;       /* distinct terms, summed over segments */
    size_t postings;    /* (term, claim) pairs */
    size_t text_bytes;       /* the claims' stored strings */
    size_t postings_bytes;   /* the inverted lists */
    size_t dictionary_bytes; /* term hash -> postings tables */
    size_t lsh_bytes;        /* the MinHash-LSH band tables */
    size_t index_bytes;      /* everything but the strings (the three above included) */
    size_t total_bytes; /* everything the index holds, allocations included */
    double bytes_per_claim;
} nt_claims_stats;

void nt_claims_stats_get(const nt_claims *idx, nt_claims_stats *out);

/* ---- Matching -------------------------------------------------------------- */

/* Per-thread working memory for queries; reusable across indexes. */
typedef struct nt_claims_scratch nt_claims_scratch;
nt_err nt_claims_scratch_new(nt_claims_scratch **out);
void nt_claims_scratch_free(nt_claims_scratch *sc);

/* nt_claims_match flags. */
#define NT_CLAIMS_NO_PASSAGE 0x1u /* skip the matched passages (spans left 0) */
#define NT_CLAIMS_ONLY_SAME 0x2u  /* return only matches at or above the threshold */
#define NT_CLAIMS_RANK_BM25 0x4u  /* rank by raw BM25 instead of the score (an ablation:
                                     the classic baseline, for evaluation) */

typedef struct nt_claim_match {
    size_t ordinal;        /* nt_claims_get(idx, ordinal, ...) */
    const char *id;        /* lives as long as the index */
    double score;          /* the combined similarity, 0..1 (see nt_claims_options) */
    int same;              /* score >= the index's threshold */
    double bm25;           /* raw BM25 of the claim for this query */
    double coverage;       /* share of the claim's BM25 weight the query reproduces */
    double query_coverage; /* share of the query's word weight (idf) found in the claim */
    double containment;    /* share of the claim's character shingles in the query */
    double evidence;       /* the shared words' idf, in units of the rarest word's idf */
    int near_duplicate;    /* found by the MinHash-LSH path */
    /* The matched passage: [q_start, q_end) in the query as given, and
     * [c_start, c_end) in the claim's text (nt_claim.text). */
    size_t q_start, q_end;
    size_t c_start, c_end;
} nt_claim_match;

/* The claims that text[0..len) repeats, best first, at most k (1..
 * NT_CLAIMS_MAX_RESULTS).  Empty text (or text without words) gives no
 * matches.  Malformed UTF-8 is repaired (lenient).  *out points into the
 * scratch and lives until its next use.  Errors: NT_ERR_TOO_BIG past the
 * query limit (diag.offset = the limit), NT_ERR_INVALID_ARG, NT_ERR_NOMEM. */
nt_err nt_claims_match(const nt_claims *idx, nt_claims_scratch *sc, const char *text, size_t len,
                       size_t k, unsigned flags, const nt_claim_match **out, size_t *n,
                       nt_diag *diag);

/* ---- Claims files ------------------------------------------------------------ */

/* A claims file is JSON lines, one claim a line:
 *   {"id": "...", "text": "...", "lang": "vi", "title": "...", "verdict": "...", "url": "..."}
 * id and text are required, the rest optional; other keys are errors (a typo
 * should not silently drop a field).  Blank lines and lines starting with #
 * are skipped.  Errors name file:line:col: NT_ERR_PARSE (not JSON, not an
 * object, a field of the wrong type, an unknown key), NT_ERR_INVALID (missing
 * or empty id or text, a duplicate id - the message names the line of the
 * first), NT_ERR_TOO_BIG (a line, field or the file over its limit). */
typedef struct nt_claim_set nt_claim_set;

nt_err nt_claim_set_parse(const char *data, size_t len, const char *source, nt_claim_set **out,
                          nt_diag *diag);
nt_err nt_claim_set_load(const char *path, nt_claim_set **out, nt_diag *diag);
/* The claims in file order; *n gets the count.  Lives as long as set. */
const nt_claim *nt_claim_set_claims(const nt_claim_set *set, size_t *n);
/* 1-based line of claim i in its file (0 if out of range). */
unsigned nt_claim_set_line(const nt_claim_set *set, size_t i);
void nt_claim_set_free(nt_claim_set *set);

/* ---- Evaluation ------------------------------------------------------------- */

/* One query of an evaluation set and the claims that answer it. */
typedef struct nt_claim_query {
    const char *id;
    const char *text;
    size_t len;
    const char *const *relevant; /* claim ids; none for a rumour that matches nothing */
    size_t n_relevant;
    const char *note; /* free text from the data set (may be NULL) */
} nt_claim_query;

typedef struct nt_claim_dataset nt_claim_dataset;

/* CLEF 2020 CheckThat! Task 2 (v3.0 layout): dir/verified_claims.docs.tsv
 * (vclaim_id, vclaim, title; tab-separated, with CSV-style "quoted" fields
 * that may span lines and double their quotes), dir/<split>/tweets.queries.tsv
 * and dir/<split>/tweet-vclaim-pairs.qrels.  split is "train" or "dev" (or any
 * folder with those files).  Errors name file:line. */
nt_err nt_claim_dataset_load_clef(const char *dir, const char *split, nt_claim_dataset **out,
                                  nt_diag *diag);

/* A JSON-lines set: a claims file (above) and a queries file whose lines are
 *   {"id": "...", "text": "...", "claim": "<claim id>" | null, "note": "..."}
 * ("claims": [...] for several); every claim named must be in the claims
 * file.  tests/data/vi-claims/README.md describes the Vietnamese set. */
nt_err nt_claim_dataset_load_jsonl(const char *claims_path, const char *queries_path,
                                   nt_claim_dataset **out, nt_diag *diag);

const nt_claim *nt_claim_dataset_claims(const nt_claim_dataset *ds, size_t *n);
const nt_claim_query *nt_claim_dataset_queries(const nt_claim_dataset *ds, size_t *n);
void nt_claim_dataset_free(nt_claim_dataset *ds);

/* Ranking metrics over one ranked list.  rel[i] is non-zero when the i-th
 * result is relevant; n_relevant is the number of relevant claims in the
 * gold standard (trec_eval's convention: AP divides by it, so a relevant
 * claim never retrieved counts as a miss).
 *   AP@k   = (1 / n_relevant) * sum over relevant results i <= k of P@i
 *   RR     = 1 / rank of the first relevant result (0 if none)
 *   R@k    = relevant results in the top k / n_relevant
 * All three are 0 when n_relevant is 0. */
double nt_rank_ap_at(const unsigned char *rel, size_t n, size_t n_relevant, size_t k);
double nt_rank_rr(const unsigned char *rel, size_t n);
double nt_rank_recall_at(const unsigned char *rel, size_t n, size_t n_relevant, size_t k);

#ifdef __cplusplus
}
#endif
#endif
