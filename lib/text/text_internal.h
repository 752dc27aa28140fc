/*
 * lib/text/text_internal.h - what the files of the text module share.
 *
 * The module is a pipeline over code points that each remember the original
 * bytes they came from ([os, oe) in the caller's input):
 *
 *   utf8.c        decoding with U+FFFD repair (maximal-subpart rule)
 *   viet.c        Vietnamese orthography: letters, syllables, tone placement,
 *                 segmentation of a joined run into syllables
 *   confusable.c  look-alike letters (Cyrillic, Greek, ...) and leet digits
 *   link.c        URL / e-mail / domain recognition
 *   fold.c        diacritic folding (nt_text_fold and the FOLD form)
 *   lexicon.c     the teencode table
 *   cpinfo.c     per-code-point facts for the Latin/Vietnamese ranges,
 *                 precomputed once from the functions above and utf8proc
 *   normalize.c   nt_text_normalize: the chunk driver and the one-pass
 *                 writer of simple chunks
 *   stages.c      the general pipeline over code points
 *   textmap.c     the result, the form builders, offset maps, nt_text_span
 *                 (normalize.c, stages.c and textmap.c share norm_internal.h)
 */
#ifndef NT_TEXT_INTERNAL_H
#define NT_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/text.h"

/* One code point of a form under construction and its original byte span. */
typedef struct nt__unit {
    int32_t cp;
    uint32_t os, oe;
    uint32_t flags; /* NT__U_* */
} nt__unit;

#define NT__U_CSTART 0x1u    /* first code point of a grapheme cluster */
#define NT__U_LOOKALIKE 0x2u /* compatibility-mapped (full-width, math, ...) */
#define NT__U_NEWLINE 0x4u   /* a line break (whitespace that ends a line) */

/* ---- cpinfo.c ---- */

/* Character classes of the tokeniser (normalize.c). */
enum { NT__C_SPACE, NT__C_LETTER, NT__C_MARK, NT__C_DIGIT, NT__C_EMOJI, NT__C_SYM };

/* The class of any code point, asking utf8proc (normalize.c). */
int nt__classify_slow(int32_t cp);

/* What the text module needs to know about one code point, precomputed for
 * U+0000-U+036F and U+1E00-U+1EFF (index: nt__cpinfo_index). */
typedef struct nt__cpinfo {
    uint16_t norm;    /* nt__norm_cp result if NT__CI_NORM1 */
    uint16_t fold[2]; /* nt__fold_cp result if nfold <= 2 */
    uint8_t nfold;    /* 0-2, or 0xFF: call nt__fold_cp */
    uint8_t cls;      /* NT__C_* */
    uint8_t flags;    /* NT__CI_* */
    char skel;        /* skeleton letter ('a'..'z') or 0 (nt__viet_split) */
    uint16_t vbase;   /* nt__viet_split base letter if NT__CI_VIET */
    uint8_t vtone;    /* nt__viet_split tone if NT__CI_VIET */
    char nskel;       /* NT__CI_FASTLET: the skeleton of its norm letter */
    char fold1;       /* its fold when that is one ASCII byte, else 0 */
} nt__cpinfo;

#define NT__CI_INVISIBLE 0x01u /* default-ignorable or category Cf */
#define NT__CI_EMOJI 0x02u     /* an emoji grapheme-break class */
#define NT__CI_BC_OTHER 0x04u  /* grapheme-break class Other */
#define NT__CI_PREPEND 0x08u   /* grapheme-break class Prepend */
#define NT__CI_NFC_ALONE 0x10u /* NFC-stable as a cluster of its own */
#define NT__CI_NORM1 0x20u     /* nt__norm_cp gives one BMP code point */
#define NT__CI_VIET 0x40u      /* nt__viet_split accepts it (base < U+10000) */
#define NT__CI_FASTLET 0x80u   /* a letter for normalize.c's fast path */

#define NT__CPINFO_N (0x370 + 0x100)

/* The table, filled by the first call of nt__cpinfo_table (thread-safe via
 * pthread_once); every entry point of the module that reads nt__cpinfo_tab
 * calls nt__cpinfo_table first.  Read-only afterwards. */
extern nt__cpinfo nt__cpinfo_tab[NT__CPINFO_N];
const nt__cpinfo *nt__cpinfo_table(void);

/* Index of cp in the table, or -1 when cp is not covered. */
static inline long nt__cpinfo_index(int32_t cp)
{
    if (cp >= 0 && cp < 0x370)
        return cp;
    if (cp >= 0x1E00 && cp <= 0x1EFF)
        return 0x370 + (cp - 0x1E00);
    return -1;
}

/* ---- utf8.c ---- */

/* Length of the malformed sequence at s[0..len) (len > 0, s[0] does not start
 * a valid sequence): the "maximal subpart" of Unicode ch. 3, so that each bad
 * sequence becomes exactly one U+FFFD.  Always >= 1. */
size_t nt__utf8_bad_len(const unsigned char *s, size_t len);

/* ---- viet.c ---- */

/* Split a lower-case letter into its base letter (with its quality mark: a, ă,
 * â, đ, ê, ô, ơ, ư or plain ASCII) and its Vietnamese tone (0 none, 1 grave,
 * 2 acute, 3 hook, 4 tilde, 5 dot below).  *ascii gets the letter without any
 * diacritic ('a'..'z', đ -> 'd').  Returns 0 if cp is not a Latin letter that
 * Vietnamese spelling can use. */
int nt__viet_split(int32_t cp, int32_t *base, int *tone, char *ascii);

/* Build viet.c's lookup tables; run once by nt__cpinfo_table. */
void nt__viet_init(void);

/* Compose a base letter and a tone back into one code point. */
int32_t nt__viet_join(int32_t base, int tone);

/* A Vietnamese letter sequence being analysed: code points in, and per letter
 * its ASCII skeleton. */
#define NT__SYL_MAX 8 /* longest syllable: "nghiêng" has 7 letters */

/* Is cps[0..n) one valid Vietnamese syllable (onset + rime, spelling rules,
 * at most one tone mark)? */
int nt__viet_is_syllable(const int32_t *cps, size_t n);

/* The onset length (0-3 letters) of the syllable cps[0..n), or -1 when it
 * is not one: nt__viet_is_syllable is nt__viet_onset >= 0. */
int nt__viet_onset(const int32_t *cps, size_t n);

/* nt__viet_canon of a syllable whose onset length ol nt__viet_onset gave
 * for the same letters (saves analysing it again). */
int nt__viet_canon_known(int32_t *cps, size_t n, int ol);

/* Rewrite a valid syllable in place to the canonical spelling: tone mark in the
 * traditional position ("hòa", "thủy", "khỏe"), i/y unified ("quí" -> "quý",
 * "kỳ" -> "kì").  Returns 1 if anything changed; n is unchanged. */
int nt__viet_canon(int32_t *cps, size_t n);

/* Split cps[0..n) into valid syllables: fewest syllables, then fewest
 * without an onset, then longest first syllable.  Writes the syllable end positions to ends[] (at most max_ends) and
 * returns how many, or 0 if no split into valid syllables exists. */
size_t nt__viet_segment(const int32_t *cps, size_t n, size_t *ends, size_t max_ends);

/* ---- confusable.c ---- */

/* Latin letter a look-alike lower-case letter stands for ('a' for Cyrillic а),
 * or 0. */
int32_t nt__lookalike(int32_t cp);

/* Letter a leet character stands for inside a word ('0' -> 'o', '@' -> 'a'),
 * or 0. */
int32_t nt__leet(int32_t cp);

/* ---- link.c ---- */

/* If u[p..end) starts a URL, www. address, e-mail address or bare domain,
 * return the index one past its last code point (trailing sentence
 * punctuation excluded); otherwise return p. */
size_t nt__link_match(const nt__unit *u, size_t p, size_t end);

/* ---- fold.c ---- */

/* Fold one lower-case code point: writes 0-4 code points without diacritics to
 * out (đ -> d) and returns how many. */
size_t nt__fold_cp(int32_t cp, int32_t out[4]);

/* Simple full case folding + compatibility mapping of one code point (NFKC
 * casefold of a single character).  Writes up to max code points, returns
 * the count (0 means: drop it), or -1 on an internal utf8proc failure. */
long nt__norm_cp(int32_t cp, int32_t *out, size_t max);

/* ---- lexicon.c ---- */

/* Look up an already normalised token: norm is its NT_FORM_NORM text, fold
 * its NT_FORM_FOLD text. */
const char *nt__lexicon_find(const nt_lexicon *lex, const char *norm, size_t nlen,
                             const char *fold, size_t flen);

/* nt__lexicon_find for a token whose NORM and FOLD texts are the same
 * (plain ASCII): norm = fold = s[0..n). */
const char *nt__lexicon_find_plain(const nt_lexicon *lex, const char *s, size_t n);

/* The lexicon's pre-filter: one bit per signature (its length and first and
 * last two bytes, mixed) of the NORM and FOLD text of every key.  A token
 * whose signature bit is clear is in neither table. */
#define NT__LEX_SEEN_BITS 8192

static inline size_t nt__lex_seen_bit(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t x = (uint32_t)n * 0x9E3779B1u;
    if (n > 0)
        x ^= p[0] | (uint32_t)p[n - 1] << 8;
    if (n > 1)
        x ^= (uint32_t)p[1] << 16 | (uint32_t)p[n - 2] << 24;
    x *= 0x85EBCA6Bu;
    return x >> (32 - 13); /* 13 bits: NT__LEX_SEEN_BITS */
}

/* The bitmap of signature bits of every key's NORM and FOLD text (NULL for
 * an empty lexicon): a plain token whose bit is clear is no key. */
const uint64_t *nt__lexicon_plain_filter(const nt_lexicon *lex);

/* The bitmaps of the keys' NORM texts and of their FOLD texts: a token whose
 * NORM bit is clear in the first and FOLD bit in the second is no key. */
void nt__lexicon_filters(const nt_lexicon *lex, const uint64_t **norm, const uint64_t **fold);

/* A number no other lexicon of the process has had (0 for NULL). */
uint64_t nt__lexicon_id(const nt_lexicon *lex);

/* nt__lexicon_find after the caller applied the pre-filter itself. */
const char *nt__lexicon_find_unfiltered(const nt_lexicon *lex, const char *norm, size_t nlen,
                                        const char *fold, size_t flen);

/* Non-zero for the utf8proc grapheme boundary classes of emoji (pictographs,
 * regional indicators, modifiers, ZWJ glue): the one definition of "emoji"
 * for the code-point table (cpinfo.c) and the tokeniser (normalize.c). */
int nt__is_emoji_boundclass(int bc);

#endif
