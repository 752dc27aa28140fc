/*
 * lib/model/features.c - a message as a sparse vector of hashed features.
 *
 * The one idea: every feature is a short key (a kind plus some text) hashed
 * with XXH3 into one of 2^bits buckets, so the model needs no vocabulary and
 * any new word, number shape or rule id simply lands somewhere.  Each kind of
 * feature hashes under its own seed so "url" the word and "url" the indicator
 * type are different keys.
 *
 * What is extracted (all from the folded form, so "chuyển khoản",
 * "chuyen khoan" and "c.h.u.y.ể.n k.h.o.ả.n" look the same):
 *   - unigrams: a word token's text; numbers as their digit count ("#10"),
 *     links as one "<link>" unit, emoji and punctuation as themselves;
 *   - bigrams of consecutive non-punctuation tokens, not across a sentence
 *     boundary or punctuation;
 *   - character 3-5-grams of each word padded with start/end marks, counted
 *     in code points (words over 64 code points get none: such "words" are
 *     noise, and their unigram is still there), at weight 0.2: they back
 *     the words up (misspellings, unseen forms) without drowning them;
 *   - one count per token flag (teencode expanded, letters rejoined across
 *     separators, look-alike characters, squeezed runs): obfuscation is
 *     itself a scam signal;
 *   - one per indicator type present, one per indicator flag;
 *   - number shapes beyond the digit count: digit runs as #n with the
 *     letters and separators kept ("150p" -> "#3p", "50tr" -> "#2tr",
 *     "1.50" -> "#1.#2"), for numbers that are not plain digits;
 *   - one per word written in capitals ("FREE", "KHẨN CẤP"), from the NFC form;
 *   - one per indicator type present, one per indicator flag, and what kind
 *     of phone number (short code, premium ...) or which public suffix
 *     (".co.uk", ".vn") a link has;
 *   - one per rule that fired (when hits are given);
 *   - the length bucket floor(log2(tokens + 1)) and a bucket of the number
 *     of digits in the message.
 * Counts c become 1 + ln(c); the vector is L2-normalised, except that a
 * message with little in it is not blown up to unit length (see finish).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "core/buf.h"
#include "model/model_int.h"

/* One seed per feature kind (arbitrary, fixed forever: changing one changes
 * every model; bump NT__MODEL_FEATURE_VERSION if you do). */
static const uint64_t kind_seed[] = {
    0,
    0x9e3779b97f4a7c15ull, /* NT_FEAT_WORD */
    0xbf58476d1ce4e5b9ull, /* NT_FEAT_BIGRAM */
    0x94d049bb133111ebull, /* NT_FEAT_CHARGRAM */
    0x2545f4914f6cdd1dull, /* NT_FEAT_TOKFLAG */
    0x6a09e667f3bcc909ull, /* NT_FEAT_INDICATOR */
    0xbb67ae8584caa73bull, /* NT_FEAT_INDFLAG */
    0x3c6ef372fe94f82bull, /* NT_FEAT_RULE */
    0xa54ff53a5f1d36f1ull, /* NT_FEAT_LENGTH */
};

#define CHARGRAM_MAX_CP 64
/* Character n-grams count at this weight (words at 1). */
#define CHARGRAM_SCALE 0.2
/* The squared norm below which a message is not scaled up (finish). */
#define NORM_FLOOR 20.0
#define NUM_SHAPE_MAX 32

static const struct {
    unsigned bit;
    const char *name;
} tok_flags[] = {{NT_TOKF_EXPANDED, "teencode"},
                 {NT_TOKF_REJOINED, "rejoined"},
                 {NT_TOKF_LOOKALIKE, "lookalike"},
                 {NT_TOKF_SQUEEZED, "squeezed"}};

static const struct {
    unsigned bit;
    const char *name;
} ind_flags[] = {{NT_INDF_DEFANGED, "defanged"},
                 {NT_INDF_NO_SCHEME, "no_scheme"},
                 {NT_INDF_IDN, "idn"},
                 {NT_INDF_OBFUSCATED, "obfuscated"}};

static const char *const length_names[] = {"0 tokens",       "1 token",         "2-3 tokens",
                                           "4-7 tokens",     "8-15 tokens",     "16-31 tokens",
                                           "32-63 tokens",   "64-127 tokens",   "128-255 tokens",
                                           "256-511 tokens", "512-1023 tokens", "1024+ tokens"};
#define LENGTH_BUCKETS (sizeof length_names / sizeof length_names[0])

static const char *const digit_names[] = {"1 digit", "2-3 digits", "4-7 digits", "8-15 digits",
                                          "16+ digits"};
#define DIGIT_BUCKETS (sizeof digit_names / sizeof digit_names[0])

const char *nt_feature_kind_name(nt_feature_kind kind)
{
    switch (kind) {
    case NT_FEAT_WORD:
        return "word";
    case NT_FEAT_BIGRAM:
        return "bigram";
    case NT_FEAT_CHARGRAM:
        return "chargram";
    case NT_FEAT_TOKFLAG:
        return "tokflag";
    case NT_FEAT_INDICATOR:
        return "indicator";
    case NT_FEAT_INDFLAG:
        return "indflag";
    case NT_FEAT_RULE:
        return "rule";
    case NT_FEAT_LENGTH:
        return "length";
    }
    return "unknown";
}

void nt__featvec_free(nt__featvec *v)
{
    if (!v)
        return;
    free(v->f);
    free(v->slot);
    free(v->keys);
    free(v->spare);
    v->f = NULL;
    v->slot = NULL;
    v->keys = NULL;
    v->spare = NULL;
    v->n = v->cap = v->nslot = v->keys_cap = v->spare_cap = 0;
}

typedef struct emitter {
    nt__featvec *v;
    uint32_t mask;
    uint32_t seq;
} emitter;

static size_t slot_home(uint32_t bucket, size_t nslot)
{
    return (size_t)((bucket * 0x9E3779B1u) & (uint32_t)(nslot - 1));
}

/* Double the index (or create it) and re-insert every entry. */
static nt_err grow_index(nt__featvec *v)
{
    size_t nslot = v->nslot ? v->nslot * 2 : 512;
    uint32_t *slot = calloc(nslot, sizeof *slot);
    if (!slot)
        return NT_ERR_NOMEM;
    for (size_t i = 0; i < v->n; i++) {
        size_t s = slot_home(v->f[i].bucket, nslot);
        while (slot[s])
            s = (s + 1) & (nslot - 1);
        slot[s] = (uint32_t)(i + 1);
        v->f[i].slot = (uint32_t)s;
    }
    free(v->slot);
    v->slot = slot;
    v->nslot = nslot;
    return NT_OK;
}

/* Empty the index of the previous message (only the slots it used). */
static void clear_index(nt__featvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        v->slot[v->f[i].slot] = 0;
    v->n = 0;
}

/* Count one occurrence of a feature: a new entry with this metadata, or one
 * more on the entry its bucket already has. */
static nt_err emit(emitter *e, uint64_t h, nt_feature_kind kind, feat_span span_kind, size_t a,
                   size_t b, const char *name, unsigned pad)
{
    nt__featvec *v = e->v;
    uint32_t bucket = (uint32_t)(h & e->mask);
    nt_err rc;
    e->seq++;
    if (2 * (v->n + 1) > v->nslot && (rc = grow_index(v)))
        return rc;
    size_t s = slot_home(bucket, v->nslot);
    while (v->slot[s]) {
        nt__feat *f = &v->f[v->slot[s] - 1];
        if (f->bucket == bucket) {
            f->value += 1.0f;
            return NT_OK;
        }
        s = (s + 1) & (v->nslot - 1);
    }
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 256;
        nt__feat *nf = realloc(v->f, ncap * sizeof *nf);
        if (!nf)
            return NT_ERR_NOMEM;
        v->f = nf;
        v->cap = ncap;
    }
    nt__feat *f = &v->f[v->n];
    f->bucket = bucket;
    f->seq = e->seq;
    f->value = 1.0f;
    f->kind = (uint8_t)kind;
    f->span_kind = (uint8_t)span_kind;
    f->pad = (uint8_t)pad;
    f->a = (uint32_t)a;
    f->b = (uint32_t)b;
    f->slot = (uint32_t)s;
    f->name = name;
    v->slot[s] = (uint32_t)(++v->n);
    return NT_OK;
}

static uint64_t hash_str(nt_feature_kind kind, const char *s, size_t n)
{
    return XXH3_64bits_withSeed(s, n, kind_seed[kind]);
}

/* The unit a token stands for in unigrams and bigrams, as a hash. */
static uint64_t unit_hash(const char *fold, const nt_token *tk)
{
    const char *s = fold + tk->fstart;
    size_t n = tk->fend - tk->fstart;
    if (tk->kind == NT_TOK_NUMBER) {
        size_t digits = 0;
        for (size_t i = 0; i < n; i++)
            digits += s[i] >= '0' && s[i] <= '9';
        char shape[8];
        int k =
            snprintf(shape, sizeof shape, "#%zu", digits < NUM_SHAPE_MAX ? digits : NUM_SHAPE_MAX);
        return hash_str(NT_FEAT_WORD, shape, (size_t)k);
    }
    if (tk->kind == NT_TOK_LINK)
        return hash_str(NT_FEAT_WORD, "<link>", 6);
    return hash_str(NT_FEAT_WORD, s, n);
}

/* Character 3-5-grams of one word, with \x02 and \x03 as start/end marks. */
static nt_err chargrams(emitter *e, const char *fold, const nt_token *tk)
{
    const unsigned char *s = (const unsigned char *)fold + tk->fstart;
    size_t n = tk->fend - tk->fstart;
    /* off[i]: byte offset (within the word) of padded code point i; the
     * start mark is "at" 0 with no width, the end mark at n. */
    size_t off[CHARGRAM_MAX_CP + 3];
    size_t ncp = 0, i = 0;
    off[ncp++] = 0;
    while (i < n) {
        if (ncp > CHARGRAM_MAX_CP)
            return NT_OK;
        off[ncp++] = i;
        int32_t cp;
        size_t k = nt__utf8_decode(s + i, n - i, &cp);
        i += k ? k : 1;
    }
    off[ncp++] = n; /* end mark */
    off[ncp] = n;   /* end of the end mark */
    for (size_t gram = 3; gram <= 5; gram++) {
        for (size_t p = 0; p + gram <= ncp; p++) {
            /* bytes of code points p .. p+gram-1, marks included */
            unsigned char key[5 * 4 + 2];
            size_t kl = 0;
            for (size_t q = p; q < p + gram; q++) {
                if (q == 0) {
                    key[kl++] = 0x02;
                } else if (q == ncp - 1) {
                    key[kl++] = 0x03;
                } else {
                    size_t len = off[q + 1] - off[q];
                    memcpy(key + kl, s + off[q], len);
                    kl += len;
                }
            }
            size_t a = off[p == 0 ? 1 : p];
            size_t b = p + gram >= ncp ? n : off[p + gram];
            unsigned pad = (p == 0 ? PAD_START : 0) | (p + gram >= ncp ? PAD_END : 0);
            nt_err rc = emit(e, hash_str(NT_FEAT_CHARGRAM, (const char *)key, kl), NT_FEAT_CHARGRAM,
                             FEAT_SPAN_FOLD, tk->fstart + a, tk->fstart + b, NULL, pad);
            if (rc)
                return rc;
        }
    }
    return NT_OK;
}

/* The shape of a number token that is not plain digits: each digit run as
 * "#n" (n capped at 32), separators and letters kept: "150p" -> "#3p",
 * "3.738.000d" -> "#1.#3.#3d", "1.50" -> "#1.#2".  Hashed as a word (no
 * word contains '#').  *digits gets the token's digit count. */
static nt_err number_shape(emitter *e, const char *fold, const nt_token *tk, size_t *digits)
{
    const char *s = fold + tk->fstart;
    size_t n = tk->fend - tk->fstart;
    char key[64];
    size_t k = 0;
    int plain = 1;
    *digits = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] >= '0' && s[i] <= '9') {
            size_t j = i;
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            *digits += j - i;
            if (k + 4 <= sizeof key) {
                size_t run = j - i < NUM_SHAPE_MAX ? j - i : NUM_SHAPE_MAX;
                key[k++] = '#';
                if (run >= 10)
                    key[k++] = (char)('0' + run / 10);
                key[k++] = (char)('0' + run % 10);
            }
            i = j;
        } else {
            plain = 0;
            if (k + 1 <= sizeof key)
                key[k++] = s[i];
            i++;
        }
    }
    if (plain || k > sizeof key - 4) /* plain digits, or too long to be a shape */
        return NT_OK;
    return emit(e, hash_str(NT_FEAT_WORD, key, k), NT_FEAT_WORD, FEAT_SPAN_FOLD, tk->fstart,
                tk->fend, NULL, 0);
}

static nt_err token_features(emitter *e, const nt_text *t)
{
    size_t ntok = 0;
    const nt_token *toks = nt_text_tokens(t, &ntok);
    const char *fold = nt_text_form(t, NT_FORM_FOLD, NULL);
    nt_err rc;
    const nt_token *prev = NULL;
    uint64_t prev_h = 0;
    size_t digits = 0;

    for (size_t i = 0; i < ntok; i++) {
        const nt_token *tk = &toks[i];
        uint64_t h = unit_hash(fold, tk);
        if ((rc = emit(e, h, NT_FEAT_WORD, FEAT_SPAN_FOLD, tk->fstart, tk->fend, NULL, 0)))
            return rc;
        if (tk->kind == NT_TOK_PUNCT || (tk->flags & NT_TOKF_BOUNDARY))
            prev = NULL;
        if (tk->kind != NT_TOK_PUNCT) {
            if (prev) {
                uint64_t pair[2] = {prev_h, h};
                uint64_t hb = XXH3_64bits_withSeed(pair, sizeof pair, kind_seed[NT_FEAT_BIGRAM]);
                if ((rc = emit(e, hb, NT_FEAT_BIGRAM, FEAT_SPAN_FOLD, prev->fstart, tk->fend, NULL,
                               0)))
                    return rc;
            }
            prev = tk;
            prev_h = h;
        }
        if (tk->kind == NT_TOK_WORD && (rc = chargrams(e, fold, tk)))
            return rc;
        if (tk->kind == NT_TOK_NUMBER) {
            size_t d = 0;
            if ((rc = number_shape(e, fold, tk, &d)))
                return rc;
            digits += d;
        }
        for (size_t k = 0; k < sizeof tok_flags / sizeof tok_flags[0]; k++) {
            if (!(tk->flags & tok_flags[k].bit))
                continue;
            const char *nm = tok_flags[k].name;
            if ((rc = emit(e, hash_str(NT_FEAT_TOKFLAG, nm, strlen(nm)), NT_FEAT_TOKFLAG,
                           FEAT_SPAN_FOLD, tk->fstart, tk->fend, nm, 0)))
                return rc;
        }
    }
    if (digits) { /* bucket floor(log2(digits)), the last open-ended */
        size_t b = 0;
        while (b + 1 < DIGIT_BUCKETS && ((size_t)2 << b) <= digits)
            b++;
        const char *dn = digit_names[b];
        if ((rc = emit(e, hash_str(NT_FEAT_LENGTH, dn, strlen(dn)), NT_FEAT_LENGTH, FEAT_SPAN_NONE,
                       0, 0, dn, 0)))
            return rc;
    }
    size_t bucket = 0;
    while (bucket + 1 < LENGTH_BUCKETS && ((size_t)1 << bucket) <= ntok)
        bucket++;
    const char *ln = length_names[bucket];
    return emit(e, hash_str(NT_FEAT_LENGTH, ln, strlen(ln)), NT_FEAT_LENGTH, FEAT_SPAN_NONE, 0, 0,
                ln, 0);
}

/* Words written in capitals ("FREE", "URGENT", "KHẨN CẤP"): case is gone from
 * the folded form, but shouting is a signal of its own.  A word here is a
 * run of letters in the NFC form; it counts when it has at least two letters
 * and all of them are upper-case.  The span is mapped to the original input. */
static nt_err caps_features(emitter *e, const nt_text *t)
{
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)nt_text_form(t, NT_FORM_NFC, &n);
    size_t i = 0, start = 0, letters = 0;
    int all_upper = 1, seen = 0;
    const uint64_t h = hash_str(NT_FEAT_TOKFLAG, "caps", 4);
    for (;;) {
        utf8proc_int32_t cp = -1;
        utf8proc_ssize_t k = 1;
        utf8proc_category_t cat = UTF8PROC_CATEGORY_CN;
        if (i < n && s[i] < 0x80) { /* ASCII: no table lookup */
            cat = s[i] >= 'A' && s[i] <= 'Z'   ? UTF8PROC_CATEGORY_LU
                  : s[i] >= 'a' && s[i] <= 'z' ? UTF8PROC_CATEGORY_LL
                                               : UTF8PROC_CATEGORY_PO;
        } else if (i < n) {
            k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
            if (k <= 0)
                k = 1;
            else
                cat = utf8proc_category(cp);
        }
        int letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
        int mark = cat == UTF8PROC_CATEGORY_MN && letters; /* part of the letter */
        if (!letter && !mark) {
            if (letters >= 2 && all_upper) {
                /* only the first occurrence's span is kept (emit) */
                size_t os = 0, oe = 0;
                nt_err rc = seen ? NT_OK : nt_text_span(t, NT_FORM_NFC, start, i, &os, &oe);
                if (!rc)
                    rc = emit(e, h, NT_FEAT_TOKFLAG, FEAT_SPAN_ORIG, os, oe, "caps", 0);
                if (rc)
                    return rc;
                seen = 1;
            }
            letters = 0;
            all_upper = 1;
            if (i >= n)
                break;
        } else if (letter) {
            if (!letters)
                start = i;
            letters++;
            all_upper &= cat == UTF8PROC_CATEGORY_LU;
        }
        i += (size_t)k;
    }
    return NT_OK;
}

/* What kind of number a phone indicator is ("mobile", "short_code",
 * "premium" ...: its detail up to '/'), or which public suffix a link's
 * registrable domain has ("co.uk" of "xyz.co.uk"); NULL for anything else.
 * The result is static or points into ind->detail. */
static const char *indicator_detail(const nt_indicator *ind)
{
    const char *d = ind->detail;
    if (!d || !*d)
        return NULL;
    if (ind->type == NT_IND_PHONE) {
        size_t n = strcspn(d, "/");
        for (int k = NT_PHONE_MOBILE; k <= NT_PHONE_INTERNATIONAL; k++) {
            const char *kn = nt_phone_kind_name((nt_phone_kind)k);
            if (strlen(kn) == n && memcmp(kn, d, n) == 0)
                return kn;
        }
        return NULL;
    }
    if (ind->type == NT_IND_URL || ind->type == NT_IND_DOMAIN) {
        const char *dot = strchr(d, '.');
        return dot && dot[1] ? dot + 1 : NULL;
    }
    return NULL;
}

static nt_err indicator_features(emitter *e, const nt_indicator_list *inds)
{
    nt_err rc;
    for (size_t i = 0; i < nt_indicator_list_count(inds); i++) {
        const nt_indicator *ind = nt_indicator_list_get(inds, i);
        const char *nm = nt_ind_type_name(ind->type);
        if ((rc = emit(e, hash_str(NT_FEAT_INDICATOR, nm, strlen(nm)), NT_FEAT_INDICATOR,
                       FEAT_SPAN_ORIG, ind->start, ind->end, nm, 0)))
            return rc;
        const char *det = indicator_detail(ind);
        if (det) {
            /* key: type name, a NUL, the detail (so "url" + "com" differs
             * from "domain" + "com" and from any plain indicator name) */
            char key[96];
            size_t tl = strlen(nm), dl = strlen(det);
            if (tl + 1 + dl <= sizeof key) {
                memcpy(key, nm, tl);
                key[tl] = '\0';
                memcpy(key + tl + 1, det, dl);
                if ((rc = emit(e, hash_str(NT_FEAT_INDICATOR, key, tl + 1 + dl), NT_FEAT_INDICATOR,
                               FEAT_SPAN_ORIG, ind->start, ind->end, det, 0)))
                    return rc;
            }
        }
        for (size_t k = 0; k < sizeof ind_flags / sizeof ind_flags[0]; k++) {
            if (!(ind->flags & ind_flags[k].bit))
                continue;
            const char *fn = ind_flags[k].name;
            if ((rc = emit(e, hash_str(NT_FEAT_INDFLAG, fn, strlen(fn)), NT_FEAT_INDFLAG,
                           FEAT_SPAN_ORIG, ind->start, ind->end, fn, 0)))
                return rc;
        }
    }
    return NT_OK;
}

static nt_err rule_features(emitter *e, const nt_rule_hits *hits)
{
    for (size_t i = 0; i < nt_rule_hits_count(hits); i++) {
        const nt_rule_hit *h = nt_rule_hits_get(hits, i);
        feat_span sk = h->nspans ? FEAT_SPAN_ORIG : FEAT_SPAN_NONE;
        size_t a = h->nspans ? h->spans[0].start : 0, b = h->nspans ? h->spans[0].end : 0;
        nt_err rc =
            emit(e, hash_str(NT_FEAT_RULE, h->id, strlen(h->id)), NT_FEAT_RULE, sk, a, b, h->id, 0);
        if (rc)
            return rc;
    }
    return NT_OK;
}

/* Character n-grams outnumber words about ten to one; scaled down, they
 * back the words up (misspellings, unseen inflections) instead of drowning
 * them in the normalisation. */
static double kind_scale(uint8_t kind)
{
    return kind == NT_FEAT_CHARGRAM ? CHARGRAM_SCALE : 1.0;
}

/* Sort the entries by bucket (unique by now): an LSD radix sort of
 * (bucket << 32 | entry) keys, 8 bits a pass over the bucket's bits only,
 * then one permutation of the entries.  Much cheaper than qsort on the
 * 40-byte entries, and the order is the same (buckets are unique). */
static nt_err sort_by_bucket(nt__featvec *v, unsigned bits)
{
    size_t n = v->n;
    if (n < 2)
        return NT_OK;
    if (v->keys_cap < n) {
        size_t cap = v->cap; /* >= n */
        uint64_t *k = realloc(v->keys, 2 * cap * sizeof *k);
        if (!k)
            return NT_ERR_NOMEM;
        v->keys = k;
        v->keys_cap = cap;
    }
    if (v->spare_cap < n) {
        size_t cap = v->cap;
        nt__feat *sp = realloc(v->spare, cap * sizeof *sp);
        if (!sp)
            return NT_ERR_NOMEM;
        v->spare = sp;
        v->spare_cap = cap;
    }
    uint64_t *a = v->keys, *b = v->keys + v->keys_cap;
    for (size_t i = 0; i < n; i++)
        a[i] = (uint64_t)v->f[i].bucket << 32 | i;
    for (unsigned shift = 32; shift < 32 + bits; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i] >> shift) & 0xff) + 1]++;
        if (count[((a[0] >> shift) & 0xff) + 1] == n)
            continue; /* every key has this digit: nothing moves */
        for (size_t d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i] >> shift) & 0xff]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++)
        v->spare[i] = v->f[(uint32_t)a[i]];
    nt__feat *t = v->f;
    size_t tc = v->cap;
    v->f = v->spare;
    v->cap = v->spare_cap;
    v->spare = t;
    v->spare_cap = tc;
    return NT_OK;
}

/* Turn counts c into 1 + ln(c) (scaled by kind), L2-normalise, and sort by
 * bucket (each bucket appears once).  A vector whose squared norm is below
 * NORM_FLOOR is divided by sqrt(NORM_FLOOR) instead: "Thank u!" or "645"
 * has two or three features, and scaled to unit length each would weigh as
 * much as a whole sentence of evidence; so a message with little in it
 * stays close to the bias (the prior) instead of swinging on one word.
 * The index is left pointing at the old positions; clear_index only needs
 * the slot numbers, which move along. */
static nt_err finish(nt__featvec *v, unsigned bits)
{
    double ss = 0;
    for (size_t i = 0; i < v->n; i++) {
        nt__feat *f = &v->f[i];
        double c = f->value == 1.0f ? 1.0 : 1.0 + log((double)f->value);
        f->value = (float)(c * kind_scale(f->kind));
        ss += (double)f->value * f->value;
    }
    double inv = v->n ? 1.0 / sqrt(ss > NORM_FLOOR ? ss : NORM_FLOOR) : 0;
    for (size_t i = 0; i < v->n; i++)
        v->f[i].value = (float)(v->f[i].value * inv);
    return sort_by_bucket(v, bits);
}

nt_err nt__features(const nt_text *t, const nt_indicator_list *inds, const nt_rule_hits *hits,
                    unsigned bits, nt__featvec *v)
{
    if (!t || !v || bits < NT_MODEL_MIN_BITS || bits > NT_MODEL_MAX_BITS)
        return NT_ERR_INVALID_ARG;
    emitter e = {v, (uint32_t)((1ull << bits) - 1), 0};
    nt_err rc;
    clear_index(v);
    if ((rc = token_features(&e, t)) || (rc = caps_features(&e, t)))
        return rc;
    if (inds && (rc = indicator_features(&e, inds)))
        return rc;
    if (hits && (rc = rule_features(&e, hits)))
        return rc;
    return finish(v, bits);
}

/* Copy at most size-1 bytes of s[0..n) into buf, not ending inside a UTF-8
 * sequence; control bytes become spaces. */
static void copy_name(char *buf, size_t size, const char *s, size_t n)
{
    if (size == 0)
        return;
    if (n > size - 1) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    buf[n] = '\0';
}

void nt__feature_name(const nt__feat *f, const nt_text *t, char *buf, size_t size)
{
    if (f->name) {
        copy_name(buf, size, f->name, strlen(f->name));
        return;
    }
    size_t flen = 0;
    const char *fold = nt_text_form(t, NT_FORM_FOLD, &flen);
    if (f->span_kind != FEAT_SPAN_FOLD || f->a > f->b || f->b > flen || size < 3) {
        copy_name(buf, size, "", 0);
        return;
    }
    size_t k = 0;
    if (f->pad & PAD_START)
        buf[k++] = '^';
    copy_name(buf + k, size - k - 1, fold + f->a, f->b - f->a);
    k += strlen(buf + k);
    if (f->pad & PAD_END) {
        buf[k++] = '$';
        buf[k] = '\0';
    }
}
