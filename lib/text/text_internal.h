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
 *   normalize.c   the three forms, the offset maps and the tokens
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

/* Compose a base letter and a tone back into one code point. */
int32_t nt__viet_join(int32_t base, int tone);

/* A Vietnamese letter sequence being analysed: code points in, and per letter
 * its ASCII skeleton. */
#define NT__SYL_MAX 8 /* longest syllable: "nghiêng" has 7 letters */

/* Is cps[0..n) one valid Vietnamese syllable (onset + rime, spelling rules,
 * at most one tone mark)? */
int nt__viet_is_syllable(const int32_t *cps, size_t n);

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

#endif
