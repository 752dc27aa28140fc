/*
 * lib/text/norm_internal.h - what the three files of nt_text_normalize share:
 *
 *   normalize.c  the entry point and the chunk driver: simple chunks written
 *                straight to the forms in one pass, the others handed to
 *                the stages
 *   stages.c     the general pipeline over code points (decode + NFC,
 *                tokenise, join spaced letters, emit NORM/FOLD)
 *   textmap.c    the result: one block sized from the input, the form
 *                builders, the offset maps as segments, nt_text_span
 *
 * Offset maps.  Every byte of every form maps back to an original span
 * [os, oe) of the input.  Rather than two integers per byte, each form keeps
 * a list of segments, each covering the form bytes from its `fs` to the next
 * segment's (or the form's end) and mapping them by one rule:
 *
 *   CP   code point k of the segment maps to the span of code point k of the
 *        input counted from input offset `a`.  Used where the forms are
 *        written straight from the input (simple chunks, whitespace): there
 *        the NFC form holds the input bytes verbatim, from NFC offset `ref`,
 *        so the input's code points are read back from the NFC form.  (For
 *        the NFC form itself ref = fs.)  A CP segment is monotone: the span
 *        of a range is [os of its first byte, oe of its last].
 *   UNI  every byte maps to [a, b) (a separator space, an expansion).
 *   EXP  explicit per-byte spans in xos/xoe from index `ref` (the output of
 *        the stages).
 *
 * The values are exactly those the per-byte maps held; nt_text_span takes the
 * minimum start and maximum end over the segments a range touches.
 */
#ifndef NT_NORM_INTERNAL_H
#define NT_NORM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "core/diag.h"
#include "text/text_internal.h"

/* ---- map segments ---- */

enum { NT__SEG_EXP = 0, NT__SEG_CP = 1, NT__SEG_UNI = 2 };

typedef struct nt__seg {
    size_t fs;     /* first form byte it covers */
    size_t ref;    /* CP: NFC offset of the code point at `a`; EXP: index in xos/xoe */
    uint32_t a, b; /* CP: input offset; UNI: the span [a, b) */
    uint32_t kind; /* NT__SEG_* */
} nt__seg;

/* A CP segment is closed once it covers this many form bytes (at the next
 * token), so that nt_text_span never walks more than this per end. */
#define NT__SEG_CP_MAX 256

/* ---- the result ---- */

struct nt_text {
    char *form[NT_FORM_COUNT];
    size_t flen[NT_FORM_COUNT];
    nt__seg *seg[NT_FORM_COUNT];
    size_t nseg[NT_FORM_COUNT];
    uint32_t *xos[NT_FORM_COUNT], *xoe[NT_FORM_COUNT];
    nt_token *tok;
    size_t ntok;
    size_t replacements;
    size_t block; /* size of the allocation this struct heads; a pointer above
                   * outside it is a heap buffer of its own */
};

/* ---- a form under construction ---- */

typedef struct nt__form {
    char *d; /* bytes; NUL-terminated when the result is finished */
    size_t len, cap;
    nt__seg *seg;
    size_t nseg, cseg;
    uint32_t *xos, *xoe; /* EXP spans */
    size_t nx, cx;
    uint32_t cp_next; /* last segment CP: input offset of its next code point */
    size_t toobig;    /* a code point written at len + 4 >= toobig: NT_ERR_TOO_BIG */
} nt__form;

/* A token before emission (stages); its text is pool[ps, pe). */
typedef struct nt__ptok {
    uint32_t ps, pe;
    uint16_t kind, flags;
    uint8_t solo;     /* alone in its whitespace-delimited chunk */
    uint8_t attached; /* glued to a word by '-', '.', '/', ... (no teencode) */
    uint8_t syl;      /* NT__SYL_UNKNOWN, NT__SYL_NO, or NT__SYL_ONSET + onset length */
} nt__ptok;

enum { NT__SYL_UNKNOWN = 0, NT__SYL_NO = 1, NT__SYL_ONSET = 2 };

/* An atom of a chunk (stages): a word, a number or one symbol run. */
typedef struct nt__atom {
    uint32_t ps, pe; /* text in pool */
    uint8_t kind;
    uint16_t flags;
} nt__atom;

/* Memory that scratch arrays start in (a stack buffer of the caller); an
 * array that outgrows it moves to the heap. */
typedef struct nt__arena {
    unsigned char *base;
    size_t size, used;
} nt__arena;

typedef struct nt__ctx {
    const unsigned char *in;
    size_t len;
    unsigned flags;
    const nt_lexicon *lex; /* NULL when teencode is off */
    const uint64_t *lexf;  /* its pre-filters (nt__lexicon_plain_filter, */
    const uint64_t *lexn, *lexfo; /* nt__lexicon_filters) */
    size_t form_limit;
    nt__form f[NT_FORM_COUNT];
    nt_token *tok;
    size_t ntok, ctok;
    size_t replacements;
    int boundary;     /* a clause boundary precedes the next token */
    uint32_t last_oe; /* original end of the last token emitted */
    int prev_kind;    /* kind of the last pre-token emitted, or -1 */
    /* where the buffers above may live without being heap blocks of their own */
    const unsigned char *block;
    size_t block_size;
    nt__arena ar;
    /* stage scratch, carved from `ar` at the first stages call */
    int scratch_ready;
    nt__unit *u; /* norm units */
    size_t nu, cu;
    nt__unit *pool; /* token texts */
    size_t np, cp;
    nt__ptok *pt;
    size_t npt, cpt;
    nt__atom *at; /* per-chunk scratch */
    size_t nat, cat;
    nt__unit *clu; /* current grapheme cluster */
    size_t nclu, cclu;
    utf8proc_int32_t *dec; /* decomposition scratch */
    size_t cdec;
    unsigned char *enc; /* UTF-8 scratch */
    size_t cenc;
} nt__ctx;

/* ---- textmap.c ---- */

/* Grow *p (capacity *cap elements of elsize bytes) to hold `need`; a buffer
 * inside the result block or the arena is copied to the heap. */
nt_err nt__grow_slow(nt__ctx *c, void **p, size_t *cap, size_t need, size_t elsize);

static inline nt_err nt__grow(nt__ctx *c, void **p, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return NT_OK;
    return nt__grow_slow(c, p, cap, need, elsize);
}

#define NT__GROW(c, arr, cap, need) nt__grow((c), (void **)&(arr), &(cap), (need), sizeof *(arr))

/* Allocate the result block for an input of len bytes and point the forms and
 * the token array into it. */
nt_err nt__result_start(nt__ctx *c, size_t len);

/* Hand the built forms, maps and tokens over as an nt_text (the block); the
 * context no longer owns them.  NULL only when out of memory. */
nt_text *nt__result_finish(nt__ctx *c);

/* Free whatever the context still owns. */
void nt__ctx_free(nt__ctx *c);

/* Forget everything written so far (the whole message goes to the stages). */
void nt__result_reset(nt__ctx *c);

/* Room for `bytes` more form bytes and `segs` more segments. */
static inline nt_err nt__form_room(nt__ctx *c, nt__form *f, size_t bytes, size_t segs)
{
    nt_err rc = NT_OK;
    if (f->len + bytes + 1 > f->cap)
        rc = nt__grow_slow(c, (void **)&f->d, &f->cap, f->len + bytes + 1, 1);
    if (rc == NT_OK && f->nseg + segs > f->cseg)
        rc = NT__GROW(c, f->seg, f->cseg, f->nseg + segs);
    return rc;
}

static inline nt__seg *nt__seg_last(nt__form *f)
{
    return f->nseg ? &f->seg[f->nseg - 1] : NULL;
}

/* Open a segment at the form's end (room checked by the caller). */
static inline nt__seg *nt__seg_push(nt__form *f, uint32_t kind)
{
    nt__seg *s = &f->seg[f->nseg++];
    s->fs = f->len;
    s->kind = kind;
    return s;
}

/* The next bytes are code points mapping one for one to the input's from
 * input offset `in` (at NFC offset `nfc`): continue the last CP segment when
 * it has reached exactly there, else open one.  Room checked by the caller. */
static inline void nt__map_cp(nt__form *f, uint32_t in, size_t nfc)
{
    const nt__seg *l = nt__seg_last(f);
    if (l && l->kind == NT__SEG_CP && f->cp_next == in && f->len - l->fs < NT__SEG_CP_MAX)
        return;
    nt__seg *s = nt__seg_push(f, NT__SEG_CP);
    s->ref = nfc;
    s->a = in;
    s->b = 0;
}

/* The next bytes all map to [a, b).  Room checked by the caller. */
static inline void nt__map_uni(nt__form *f, uint32_t a, uint32_t b)
{
    const nt__seg *l = nt__seg_last(f);
    if (l && l->kind == NT__SEG_UNI && l->a == a && l->b == b)
        return;
    nt__seg *s = nt__seg_push(f, NT__SEG_UNI);
    s->ref = 0;
    s->a = a;
    s->b = b;
}

/* Append code point cp mapping to [os, oe) with an explicit per-byte map
 * (the stages).  Fails with NT_ERR_TOO_BIG at the form's byte limit. */
nt_err nt__form_put_exp(nt__ctx *c, nt__form *f, int32_t cp, uint32_t os, uint32_t oe);

/* Append code point cp mapping to [os, oe) as a UNI segment (separator
 * spaces, expansions), with the same limit. */
nt_err nt__form_put_uni(nt__ctx *c, nt__form *f, int32_t cp, uint32_t os, uint32_t oe);

/* Append bytes[0..n) with explicit spans base + map[2i], base + map[2i+1]
 * (no byte limit: the caller checked it). */
nt_err nt__form_put_exp_rel(nt__ctx *c, nt__form *f, const unsigned char *bytes,
                            const unsigned char *map, size_t n, uint32_t base);

/* The original spans of bytes [from, from + n) (already written) of NORM
 * or FOLD into os[0..n), oe[0..n) (CP segments read the input, not the NFC
 * form, which may not be written yet). */
void nt__form_spans(const nt__ctx *c, int f, size_t from, size_t n, uint32_t *os, uint32_t *oe);

/* ---- chunkmemo.c ---- */

#define NT__MEMO_KEY_MAX 32  /* bytes of a remembered chunk */
#define NT__MEMO_TOK_MAX 16  /* its tokens */
#define NT__MEMO_OUT_MAX 255 /* spans relative to the chunk */

/* How a remembered token's bytes map: as the input's code points from its
 * start (CP), all to its span (UNI), or byte by byte (EXP). */
enum { NT__MT_CP = 0, NT__MT_UNI = 1, NT__MT_EXP = 2 };

/* A remembered token as stored: spans relative to its chunk. */
typedef struct nt__memo_tok {
    uint8_t kind, mode, nlen, flen, os, oe;
    uint16_t flags; /* without a boundary that came from the state */
} nt__memo_tok;

typedef struct nt__memo_view {
    nt__memo_tok t;
    const unsigned char *norm, *fold; /* its NORM and FOLD bytes */
    const unsigned char *nmap, *fmap; /* EXP: their spans, two bytes each */
} nt__memo_view;

/* A remembered chunk: its tokens, what it leaves in the context. */
typedef struct nt__memo_chunk {
    size_t ntok, nsum, fsum; /* tokens, their NORM and FOLD bytes */
    int boundary, prev_kind;
    uint32_t last_oe; /* relative */
} nt__memo_chunk;

/* The key's hash.  state: bit 0 de-obfuscation on, bit 1 the token before
 * is a number. */
uint64_t nt__chunk_memo_hash(const unsigned char *key, size_t klen, uint64_t lexid, unsigned state);

/* The tokens of the remembered chunk (read them with nt__chunk_memo_tok),
 * or NULL; fills *out.  Valid until the next nt__chunk_memo_remember. */
const unsigned char *nt__chunk_memo_find(uint64_t hash, const unsigned char *key, size_t klen,
                                         uint64_t lexid, unsigned state, nt__memo_chunk *out);

/* The token at p; returns the next one's. */
const unsigned char *nt__chunk_memo_tok(const unsigned char *p, nt__memo_view *v);

/* Remember what nt__stages_direct just wrote for the chunk in[s, e) from
 * token ntok0 on (boundary_in: a boundary was pending before it). */
void nt__chunk_memo_remember(const nt__ctx *c, uint64_t hash, uint64_t lexid, unsigned state,
                             size_t s, size_t e, size_t ntok0, int boundary_in);

/* ---- stages.c ---- */

/* Stages 1-4 over in[s, e) (s is 0 or follows ASCII whitespace, e is the end
 * or is followed by it), appending to the forms and tokens. */
nt_err nt__stages(nt__ctx *c, size_t s, size_t e, int strict, nt_diag *diag);

/* The stages over a chunk in[s, e) (ASCII whitespace around it) whose code
 * points are each ASCII or a fast letter (NT__CI_FASTLET): each is then a
 * grapheme cluster of its own and NFC as it is, so the units come straight
 * from the input, and the NFC form, written by the caller, holds the input
 * verbatim (input offset q at NFC offset q + nfc_delta).  Must not be one of
 * letters spelled with spaces (stage 3): the caller sends a chunk that may
 * come out as a single letter to nt__stages. */
nt_err nt__stages_direct(nt__ctx *c, size_t s, size_t e, size_t nfc_delta);

/* The class of cp (NT__C_*): ASCII and the table inline, utf8proc else. */
static inline int nt__classify(int32_t cp)
{
    if (cp >= 0 && cp < 0x80)
        return nt__cpinfo_tab[cp].cls;
    const long i = nt__cpinfo_index(cp);
    if (i >= 0)
        return nt__cpinfo_tab[i].cls;
    return nt__classify_slow(cp);
}

/* Symbols that end a clause: the next token gets NT_TOKF_BOUNDARY. */
static inline int nt__is_clause_punct(int32_t cp)
{
    return cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == ':' || cp == ',' ||
           cp == 0x2026 || cp == 0x3002;
}

/* Amount units written straight after a number ("500k", "2tr"): is w[0..n)
 * one, compared on the skeleton? */
int nt__is_amount_unit(const nt__unit *w, size_t n);

/* The separator space between two tokens (NORM and FOLD): maps to the
 * original gap [prev_oe, next_os). */
nt_err nt__put_space(nt__ctx *c, uint32_t prev_oe, uint32_t next_os);

/* Emit the text of a teencode expansion ("chuyển khoản") as tokens all
 * mapping to [os, oe). */
nt_err nt__emit_expansion(nt__ctx *c, const char *exp, uint32_t os, uint32_t oe, uint16_t flags,
                          uint32_t *last_oe);

/* nt__fold_cp through the table where it covers cp. */
static inline size_t nt__fold_cp_fast(int32_t cp, int32_t out[4])
{
    const long i = nt__cpinfo_index(cp);
    if (i >= 0 && nt__cpinfo_tab[i].nfold <= 2) {
        out[0] = nt__cpinfo_tab[i].fold[0];
        out[1] = nt__cpinfo_tab[i].fold[1];
        return nt__cpinfo_tab[i].nfold;
    }
    return nt__fold_cp(cp, out);
}

/* Is NORM or FOLD past the limit on the forms? */
static inline int nt__form_too_big(const nt__ctx *c)
{
    return c->f[NT_FORM_NORM].len > c->form_limit || c->f[NT_FORM_FOLD].len > c->form_limit;
}

#endif
