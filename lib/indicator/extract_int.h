/*
 * lib/indicator/extract_int.h - internal pieces of the extractor shared by
 * view.c (the re-fanged view of a message), context.c (context phrases) and
 * extract.c (the scanning passes).  Not part of the public API.
 */
#ifndef NT_INDICATOR_EXTRACT_INT_H
#define NT_INDICATOR_EXTRACT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/indicator.h"

/* ---- The view ------------------------------------------------------------
 * A copy of the message in which defanged notation is undone ("hxxp" ->
 * "http", "[.]" / "(.)" / " dot " -> ".", "[at]" -> "@"), full-width ASCII is
 * mapped to ASCII, invisible characters are dropped and NUL and malformed UTF-8
 * bytes become NT__VIEW_BREAK.  Case is kept (URL paths are case-sensitive).  Every view
 * byte remembers the original bytes it came from. */

/* What a NUL or malformed UTF-8 byte becomes in the view: a control
 * character that no scanning pass accepts inside an indicator or as a
 * separator, so such bytes never join or split one. */
#define NT__VIEW_BREAK '\x01'

#define NT__VF_DEFANGED 0x1u   /* this byte replaced defanged notation */
#define NT__VF_OBFUSCATED 0x2u /* this byte came from a look-alike (full-width, 。) */
#define NT__VF_AFTER_DROP 0x4u /* an invisible character was dropped just before it */

typedef struct nt__view {
    char *b;       /* view text; NUL-terminated unless `identity` */
    int identity;  /* nothing to undo: b is the caller's text, maps are i -> i */
    uint32_t *os;  /* os[i]: original start of the piece view byte i came from */
    uint32_t *oe;  /* oe[i]: original end of that piece */
    uint8_t *vf;   /* NT__VF_* per view byte */
    size_t n;      /* view length */
    size_t cap;
    uint8_t pending; /* while building: flags for the next byte */
} nt__view;

/* Build the view of text[0..len).  rewrite is nt__prefilter's verdict: 0
 * means there is nothing to undo, and the view is the text itself. */
nt_err nt__view_build(nt__view *v, const char *text, size_t len, int rewrite);

/* Non-zero if the view rewrites something starting at text[i] (a NUL, a
 * defang form, or a non-ASCII character it drops or maps), or if a
 * malformed UTF-8 sequence starts there.  The prefilter calls it only at
 * the few bytes where that is possible. */
int nt__view_rewrites_at(const char *text, size_t len, size_t i);

/* Original span of view byte i, and its flags. */
static inline size_t nt__view_os(const nt__view *v, size_t i)
{
    return v->identity ? i : v->os[i];
}
static inline size_t nt__view_oe(const nt__view *v, size_t i)
{
    return v->identity ? i + 1 : v->oe[i];
}
static inline unsigned nt__view_flags(const nt__view *v, size_t i)
{
    return v->identity ? 0 : v->vf[i];
}
void nt__view_free(nt__view *v);

/* ---- The prefilter (prefilter.c) -------------------------------------------
 * One look at every byte: which passes can find anything. */
typedef struct nt__survey {
    int digit;     /* an ASCII digit: the number pass */
    int at;        /* '@': e-mail addresses and @handles */
    int dot;       /* '.': bare domains */
    int urls;      /* "://" or "www.": URLs with a scheme */
    int long_word; /* 25+ ASCII letters and digits in a row: wallets */
} nt__survey;

/* Returns non-zero if text[0..len) needs a rewritten view (malformed UTF-8,
 * or something nt__view_rewrites_at accepts); otherwise fills *sv for the
 * text as it is. */
int nt__prefilter(const char *text, size_t len, nt__survey *sv);

/* Fill *sv for b[0..n) (a rewritten view). */
void nt__survey_bytes(const char *b, size_t n, nt__survey *sv);

/* Lower-case the ASCII bytes at the start of v[0..n) into out, and set
 * map[k] = o + k for each; stops at the first non-ASCII byte or when fewer
 * than 16 bytes are left (out has room for n bytes).  Returns how many bytes
 * were done (a multiple of 16; 0 without SSE2). */
size_t nt__fold_ascii(const char *v, size_t n, char *out, uint32_t *map, uint32_t o);

/* Bits j < k (k <= 64) of p[0..k) of folded text: *word where p[j] is a word
 * byte (ASCII lower-case letter or digit, or any byte >= 0x80), *mark where
 * it is '$' or '%'.  May read up to p[63] (NT__FOLD_SLACK). */
void nt__word_bits(const char *p, size_t k, uint64_t *word, uint64_t *mark);

/* Where a number can start (a digit, '+' or '(') in b[at .. at + 64) (and
 * before n): bit j for b[at + j]. */
uint64_t nt__number_starts(const char *b, size_t n, size_t at);

/* The vector levels this build and processor have: 0 none, 1 SSE2, 2 AVX2;
 * and the prefilter at a given level (for tests). */
int nt__prefilter_levels(void);
int nt__prefilter_with(int level, const char *text, size_t len, nt__survey *sv);

/* The same two, one byte at a time: the reference the vector code (SSE2 on
 * x86-64) is tested against, and what runs on other machines. */
int nt__prefilter_ref(const char *text, size_t len, nt__survey *sv);
void nt__survey_ref(const char *b, size_t n, nt__survey *sv);

/* ---- Context phrases ------------------------------------------------------- */

enum {
    NT__CTX_BANK = 1u << 0,
    NT__CTX_PHONE = 1u << 1,
    NT__CTX_ID = 1u << 2,
    NT__CTX_ZALO = 1u << 3,
    NT__CTX_UNIT = 1u << 4,  /* money unit after a number: an amount */
    NT__CTX_COUNT = 1u << 5, /* count/time unit after a short number */
    NT__CTX_CODE = 1u << 6   /* before: an OTP, password, code or balance */
};

typedef struct nt__phrase {
    char *text; /* folded, lower-case, single spaces */
    size_t len;
    unsigned kind; /* one NT__CTX_* bit */
} nt__phrase;

/* A node of the phrase trie: its children are edges [first, first + n) of
 * the edge arrays, sorted by byte; `kinds` are the kinds of the phrases that
 * end here. */
typedef struct nt__pnode {
    uint32_t first;
    uint16_t n;
    uint8_t kinds;
} nt__pnode;

typedef struct nt__phrases {
    nt__phrase *v; /* in file order */
    size_t n;
    /* the trie of the phrases; node 0 is the root, and root[c] is the child
     * for first byte c (0: none) */
    nt__pnode *node;
    uint8_t *edge_byte;
    uint32_t *edge_child;
    size_t nnodes;
    uint32_t root[256];
    /* With at most 64 distinct bytes after the first in all phrases (always,
     * for folded Vietnamese) and fewer than 65536 nodes, the children also
     * as a table: child of node k for byte c = next[k * 64 + cls[c] - 1]
     * (cls[c] = 0: no phrase has c there; next 0: no child). */
    uint8_t cls[256];
    uint16_t *next; /* NULL: search the edges */
} nt__phrases;

/* ---- Folding the view ------------------------------------------------------
 * The words around a number are matched diacritic-folded, exactly as
 * nt_text_fold folds them.  nt_text_fold folds each code point on its own, so
 * the fold of any window is a slice of the fold of the whole view: the view
 * is folded once, with a map from view offsets to folded offsets.  The folds
 * of the code points of Latin, Vietnamese and general-punctuation text are
 * taken from nt_text_fold once per extractor and kept in a table. */
typedef struct nt__folder {
    uint16_t *off; /* folded bytes of table entry i: data[off[i] .. off[i] + len[i]) */
    uint8_t *len;
    char *data;
} nt__folder;

nt_err nt__folder_init(nt__folder *f);
void nt__folder_free(nt__folder *f);

/* The view folded: b[0..n) (followed by NT__FOLD_SLACK readable bytes),
 * and map[i], where the fold of the character starting at view byte i starts
 * (map[view length] = n), so the fold of view bytes [i, j) (character
 * boundaries) is b[map[i] .. map[j]). */
#define NT__FOLD_SLACK 64
typedef struct nt__folded {
    char *b;
    size_t n;
    uint32_t *map;
} nt__folded;

/* Fold the view v[0..vn) (valid UTF-8).  Only allocation can fail. */
nt_err nt__fold_view(const nt__folder *f, const char *v, size_t vn, nt__folded *out);
void nt__folded_free(nt__folded *f);

nt_err nt__phrases_load(const char *path, nt__phrases *out, nt_diag *diag);
nt_err nt__phrases_parse(const char *data, size_t len, const char *source, nt__phrases *out,
                         nt_diag *diag);
void nt__phrases_free(nt__phrases *p);

/* For the kinds in `kinds`, find the phrase ending nearest to the end of the
 * folded window f->b[a..e) (whole words only, the window's ends counting as
 * word boundaries).  Returns a bit set of the kinds found; dist[k] (indexed
 * by bit number) gets the number of bytes between the phrase's end and e. */
unsigned nt__phrases_before(const nt__phrases *p, unsigned kinds, const nt__folded *f, size_t a,
                            size_t e, size_t dist[8]);

/* Non-zero if the folded window w[0..n) starts (after optional spaces) with a
 * whole-word phrase of kind `kind`. */
int nt__phrases_starts(const nt__phrases *p, unsigned kind, const char *w, size_t n);

#endif
