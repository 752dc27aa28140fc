/*
 * lib/text/normalize.c - one message in, three forms, their offset maps and
 * the token list out (see include/niemtin/text.h and docs/text.md).
 *
 * The one idea: every code point carries the original byte span it came from
 * ([os, oe) of the caller's input), through every stage, so that each byte of
 * each form can be mapped back exactly.  Stages:
 *
 *   1. decode + NFC (pass_nfc): bytes -> code points, malformed sequences ->
 *      U+FFFD (lenient) or an error (strict), invisible characters dropped,
 *      each grapheme cluster composed with utf8proc; a cluster's output code
 *      points all carry the cluster's span.  Emits NT_FORM_NFC and, per code
 *      point, the NFKC case-folded "norm units".
 *   2. tokenise (tokenize): whitespace-separated chunks; links kept whole;
 *      inside a chunk, runs of letters/digits become word and number atoms
 *      (look-alikes and leet mapped, letter runs squeezed); separator-spelled
 *      words are rejoined by Vietnamese syllable structure.
 *   3. a pass over the tokens joins words spelled with spaces between the
 *      letters ("c h u y e n").
 *   4. emit: canonical tone placement, teencode expansion, then NT_FORM_NORM
 *      and NT_FORM_FOLD with their maps and the token array.
 *
 * In front of the stages, run_message (the chunk driver, near the end of the
 * file) writes the common whitespace-separated chunks - plain words, sentence
 * marks, symbol and digit runs - straight to the forms in one pass, and gives
 * only the other chunks to stages 1-4, as sub-ranges of the input, with the
 * little state the stages carry from chunk to chunk.
 *
 * Memory is O(n): the scratch arrays grow geometrically and are reused within
 * the call; nothing is allocated per character.
 */
#include "text/text_internal.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/diag.h"
#include "niemtin/limits.h"

/* ---- the result ---- */

struct nt_text {
    char *form[NT_FORM_COUNT];
    size_t flen[NT_FORM_COUNT];
    uint32_t *os[NT_FORM_COUNT], *oe[NT_FORM_COUNT];
    nt_token *tok;
    size_t ntok;
    size_t replacements;
    int packed; /* one block (pack_result) rather than handed-over buffers */
};

/* One block per call that the scratch arrays start in (messages up to
 * ARENA_MAX_INPUT bytes); an array that outgrows its share moves to the heap.
 * Saves the allocator a dozen calls per message. */
typedef struct arena {
    unsigned char *base;
    size_t size, used;
} arena;

#define ARENA_MAX_INPUT 8192

static int in_arena(const arena *a, const void *p)
{
    return a->base && p && (uintptr_t)p - (uintptr_t)a->base < a->size;
}

/* Carve n elements of elsize bytes (8-byte aligned); the caller sized the
 * block for everything it carves. */
static void *arena_take(arena *a, size_t n, size_t elsize)
{
    void *p = a->base + a->used;
    a->used += (n * elsize + 7) & ~(size_t)7;
    return p;
}

/* A form under construction: bytes plus, per byte, its original span. */
typedef struct form_b {
    nt__buf b;
    uint32_t *os, *oe;
    size_t mcap;
    const arena *ar;
} form_b;

/* A token before emission; its text is pool[ps, pe). */
typedef struct ptok {
    uint32_t ps, pe;
    uint16_t kind, flags;
    uint8_t solo;     /* alone in its whitespace-delimited chunk */
    uint8_t attached; /* glued to a word by '-', '.', '/', ... (no teencode) */
    uint8_t syl;      /* SYL_UNKNOWN, SYL_NO, or SYL_ONSET + onset length */
} ptok;

/* What emit_word_ptoks learnt about a word's letters, so that emit does not
 * analyse the same syllable twice. */
enum { SYL_UNKNOWN = 0, SYL_NO = 1, SYL_ONSET = 2 };

/* An atom of a chunk: a word, a number or one symbol run. */
enum { A_WORD, A_NUM, A_SYM };
typedef struct atom {
    uint32_t ps, pe; /* text in pool */
    uint8_t kind;
    uint16_t flags;
} atom;


typedef struct ctx {
    const unsigned char *in;
    size_t len;
    unsigned flags;
    const nt_lexicon *lex;
    size_t form_limit;
    nt__unit *u; /* norm units */
    size_t nu, cu;
    nt__unit *pool; /* token texts */
    size_t np, cp;
    ptok *pt;
    size_t npt, cpt;
    atom *at; /* per-chunk scratch */
    size_t nat, cat;
    nt__unit *clu; /* current grapheme cluster */
    size_t nclu, cclu;
    utf8proc_int32_t *dec; /* decomposition scratch */
    size_t cdec;
    unsigned char *enc; /* UTF-8 scratch */
    size_t cenc;
    nt_token *tok;
    size_t ntok, ctok;
    form_b f[NT_FORM_COUNT];
    size_t replacements;
    int boundary; /* a clause boundary precedes the next token */
    uint32_t last_oe; /* original end of the last token emitted */
    int prev_kind;    /* kind of the last pre-token emitted, or -1 */
    arena ar;
} ctx;

static nt_err grow_slow(const arena *ar, void **p, size_t *cap, size_t need, size_t elsize)
{
    size_t nc = *cap ? *cap : 64;
    while (nc < need) {
        if (nc > SIZE_MAX / 4 / elsize)
            return NT_ERR_NOMEM;
        nc *= 2;
    }
    void *q;
    if (in_arena(ar, *p)) { /* leave the arena: copy to the heap */
        q = malloc(nc * elsize);
        if (q)
            memcpy(q, *p, *cap * elsize);
    } else {
        q = realloc(*p, nc * elsize);
    }
    if (!q)
        return NT_ERR_NOMEM;
    *p = q;
    *cap = nc;
    return NT_OK;
}

/* Make room for `need` elements; the common case (room already) inline. */
static inline nt_err grow(const arena *ar, void **p, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return NT_OK;
    return grow_slow(ar, p, cap, need, elsize);
}

#define GROW(ar, arr, cap, need) grow((ar), (void **)&(arr), &(cap), (need), sizeof *(arr))

/* nt__buf_reserve with the same limits and errors, arena-aware. */
static nt_err buf_reserve(const arena *ar, nt__buf *b, size_t extra)
{
    if (extra >= b->toobig || b->len >= b->toobig - extra)
        return NT_ERR_TOO_BIG;
    const size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return NT_OK;
    size_t cap = b->cap;
    nt_err rc = grow_slow(ar, (void **)&b->data, &cap, need, 1);
    if (rc)
        return rc;
    b->cap = cap;
    return NT_OK;
}

/* nt__utf8_encode with the one- to three-byte cases inline (the ones the
 * Latin and Vietnamese text is made of). */
static inline size_t utf8_put(int32_t cp, unsigned char *d)
{
    if (cp >= 0 && cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp >= 0x80 && cp < 0x800) {
        d[0] = (unsigned char)(0xC0 | (cp >> 6));
        d[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0x800 && cp < 0xD800) {
        d[0] = (unsigned char)(0xE0 | (cp >> 12));
        d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    return nt__utf8_encode(cp, d);
}

/* ---- forms ---- */

static nt_err fb_reserve(form_b *f, size_t extra)
{
    nt_err rc = buf_reserve(f->ar, &f->b, extra);
    if (rc)
        return rc;
    if (f->b.len + extra > f->mcap) {
        size_t need = f->b.len + extra;
        size_t c1 = f->mcap, c2 = f->mcap;
        if ((rc = GROW(f->ar, f->os, c1, need)) != NT_OK)
            return rc;
        if ((rc = GROW(f->ar, f->oe, c2, need)) != NT_OK)
            return rc;
        f->mcap = c1 < c2 ? c1 : c2;
    }
    return NT_OK;
}

/* Would fb_reserve(f, extra) succeed without growing anything?  (Exactly
 * its conditions, so that taking the shortcut changes no outcome.) */
static inline int fb_room(const form_b *f, size_t extra)
{
    return f->b.len + extra < f->b.toobig && f->b.len + extra + 1 <= f->b.cap &&
           f->b.len + extra <= f->mcap;
}

static inline nt_err fb_put(form_b *f, int32_t cp, uint32_t os, uint32_t oe)
{
    if (!fb_room(f, 4)) {
        nt_err rc = fb_reserve(f, 4);
        if (rc)
            return rc;
    }
    size_t n;
    unsigned char *d = (unsigned char *)f->b.data + f->b.len;
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        n = 1;
    } else {
        n = utf8_put(cp, d);
        if (n == 0)
            return NT_ERR_INTERNAL;
    }
    for (size_t i = 0; i < n; i++) {
        f->os[f->b.len + i] = os;
        f->oe[f->b.len + i] = oe;
    }
    f->b.len += n;
    f->b.data[f->b.len] = '\0';
    return NT_OK;
}

/* Append one ASCII byte; the caller has checked fb_room and writes the
 * terminating NUL when done. */
static inline void fb_put_ascii(form_b *f, int32_t cp, uint32_t os, uint32_t oe)
{
    f->os[f->b.len] = os;
    f->oe[f->b.len] = oe;
    f->b.data[f->b.len++] = (char)cp;
}

/* ---- character classes ---- */

static int is_emoji_prop(const utf8proc_property_t *p)
{
    return nt__is_emoji_boundclass(p->boundclass);
}

int nt__classify_slow(int32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z')
            return NT__C_LETTER;
        if (cp >= '0' && cp <= '9')
            return NT__C_DIGIT;
        if (cp <= 0x20 || cp == 0x7F)
            return NT__C_SPACE;
        if (cp >= 'A' && cp <= 'Z')
            return NT__C_LETTER;
        return NT__C_SYM;
    }
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    if (is_emoji_prop(p) && p->category != UTF8PROC_CATEGORY_LO)
        return NT__C_EMOJI;
    switch (p->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return NT__C_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return NT__C_MARK;
    case UTF8PROC_CATEGORY_ND:
        return NT__C_DIGIT;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
        return NT__C_SPACE;
    default:
        return NT__C_SYM;
    }
}

/* The class of cp: ASCII inline, Latin/Vietnamese from the table, the rest
 * from utf8proc. */
static int classify(int32_t cp)
{
    if (cp >= 0 && cp < 0x80)
        return nt__cpinfo_tab[cp].cls; /* same answer as the ASCII branch of nt__classify_slow */
    const long i = nt__cpinfo_index(cp);
    if (i >= 0)
        return nt__cpinfo_tab[i].cls;
    return nt__classify_slow(cp);
}

static int is_newline(int32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* Symbols that end a clause: the next token gets NT_TOKF_BOUNDARY. */
static int is_clause_punct(int32_t cp)
{
    return cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == ':' || cp == ',' ||
           cp == 0x2026 || cp == 0x3002;
}

/* Symbols that may spell a word out letter by letter ("c.h.u.y.ể.n"). */
static int is_separator(int32_t cp)
{
    return cp == '.' || cp == '-' || cp == '_' || cp == '*' || cp == '+' || cp == '~' ||
           cp == '\'' || cp == '`' || cp == '^' || cp == '=' || cp == '#' || cp == '|' ||
           cp == '\\' || cp == 0xB7 || cp == 0x2022 || cp == 0x2010 || cp == 0x2013 ||
           cp == 0x2014;
}

/* Symbols that glue two words into one compound ("e-mail", "a/c"): a word
 * next to one is not a standalone abbreviation. */
static int is_connector(int32_t cp)
{
    return cp == '-' || cp == '_' || cp == '/' || cp == '@' || cp == '&' || cp == '.' ||
           cp == '+' || cp == '=' || cp == '\'' || cp == 0x2010;
}

static int is_leet_sym(int32_t cp)
{
    return cp == '@' || cp == '$' || cp == '!' || cp == '|';
}

/* Is cp a Latin letter (the scripts Vietnamese and English use)? */
static int is_latin(int32_t cp)
{
    return cp < 0x250 || (cp >= 0x1E00 && cp <= 0x1EFF);
}

/* ---- stage 1: decode, drop invisibles, NFC, map to norm units ---- */

static nt_err push_unit(ctx *c, int32_t cp, uint32_t os, uint32_t oe, uint32_t flags)
{
    nt_err rc = GROW(&c->ar, c->u, c->cu, c->nu + 1);
    if (rc)
        return rc;
    c->u[c->nu++] = (nt__unit){cp, os, oe, flags};
    return NT_OK;
}

/* One NFC code point: emit it to the NFC form and its NFKC case fold to the
 * norm units. */
static nt_err emit_nfc(ctx *c, int32_t cp, uint32_t os, uint32_t oe, int cstart)
{
    nt_err rc = fb_put(&c->f[NT_FORM_NFC], cp, os, oe);
    if (rc)
        return rc;
    uint32_t fl = cstart ? NT__U_CSTART : 0;
    if (is_newline(cp))
        fl |= NT__U_NEWLINE;
    if (cp < 0x80)
        return push_unit(c, cp >= 'A' && cp <= 'Z' ? cp + 32 : cp, os, oe, fl);
    if (cp == 0) /* NUL is whitespace in NORM/FOLD; classify() sees it as such */
        return push_unit(c, cp, os, oe, fl);
    const long ti = nt__cpinfo_index(cp);
    if (ti >= 0 && (nt__cpinfo_tab[ti].flags & NT__CI_NORM1)) {
        const int32_t m0 = nt__cpinfo_tab[ti].norm;
        /* the look-alike flag below needs cp >= 0x2000: never in the table */
        return push_unit(c, m0, os, oe, fl);
    }
    int32_t m[18];
    const long n = nt__norm_cp(cp, m, 18);
    if (n < 0)
        return NT_ERR_INTERNAL;
    for (long i = 0; i < n; i++) {
        uint32_t f2 = i == 0 ? fl : 0;
        if (cp >= 0x2000 && m[i] < 0x80 && classify(m[i]) != NT__C_SYM && classify(m[i]) != NT__C_SPACE)
            f2 |= NT__U_LOOKALIKE;
        if ((rc = push_unit(c, m[i], os, oe, f2)) != NT_OK)
            return rc;
    }
    return NT_OK;
}

static int nfc_stable_alone(int32_t cp)
{
    const long i = nt__cpinfo_index(cp);
    if (i >= 0)
        return (nt__cpinfo_tab[i].flags & NT__CI_NFC_ALONE) != 0;
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    return p->decomp_seqindex == UINT16_MAX && p->combining_class == 0 && !p->comp_exclusion;
}

static nt_err flush_cluster(ctx *c)
{
    nt_err rc = NT_OK;
    if (c->nclu == 0)
        return NT_OK;
    const uint32_t os = c->clu[0].os, oe = c->clu[c->nclu - 1].oe;
    if (c->nclu == 1 && nfc_stable_alone(c->clu[0].cp)) {
        rc = emit_nfc(c, c->clu[0].cp, os, oe, 1);
        c->nclu = 0;
        return rc;
    }
    /* UTF-8 encode the cluster and let utf8proc decompose, reorder, compose. */
    size_t elen = 0;
    if ((rc = GROW(&c->ar, c->enc, c->cenc, c->nclu * 4 + 1)) != NT_OK)
        return rc;
    for (size_t i = 0; i < c->nclu; i++)
        elen += nt__utf8_encode(c->clu[i].cp, c->enc + elen);
    utf8proc_ssize_t n;
    for (;;) {
        n = utf8proc_decompose(c->enc, (utf8proc_ssize_t)elen, c->dec, (utf8proc_ssize_t)c->cdec,
                               UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (n < 0)
            return NT_ERR_INTERNAL;
        if ((size_t)n <= c->cdec)
            break;
        if ((rc = GROW(&c->ar, c->dec, c->cdec, (size_t)n)) != NT_OK)
            return rc;
    }
    n = utf8proc_normalize_utf32(c->dec, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (n < 0)
        return NT_ERR_INTERNAL;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        if ((rc = emit_nfc(c, c->dec[i], os, oe, i == 0)) != NT_OK)
            return rc;
    }
    c->nclu = 0;
    return NT_OK;
}

static nt_err push_cluster(ctx *c, int32_t cp, size_t os, size_t oe)
{
    nt_err rc = GROW(&c->ar, c->clu, c->cclu, c->nclu + 1);
    if (rc)
        return rc;
    c->clu[c->nclu++] = (nt__unit){cp, (uint32_t)os, (uint32_t)oe, 0};
    return NT_OK;
}

/* Decode the code point at i for look-ahead; -1 at the end or if malformed. */
static int32_t peek_cp(const ctx *c, size_t i)
{
    int32_t cp;
    if (i >= c->len || nt__utf8_decode(c->in + i, c->len - i, &cp) == 0)
        return -1;
    return cp;
}

/* Should an ignorable / format character be kept?  Only where it is part of an
 * emoji: ZWJ between pictographs, variation selectors and tags after one. */
static int keep_invisible(const ctx *c, int32_t cp, const utf8proc_property_t *p, int emoji,
                          int32_t prev, size_t next)
{
    if (cp == 0x200D) {
        const int32_t nx = peek_cp(c, next);
        return emoji && nx >= 0 && is_emoji_prop(utf8proc_get_property(nx));
    }
    if (cp == 0xFE0F || cp == 0xFE0E)
        return emoji || (prev >= '0' && prev <= '9') || prev == '#' || prev == '*';
    if (cp >= 0xE0020 && cp <= 0xE007F)
        return emoji;
    return p->boundclass == UTF8PROC_BOUNDCLASS_PREPEND;
}

/* The bulk of pass_nfc: a run of ASCII bytes each followed by another ASCII
 * byte (so no combining mark can join them) is what emit_nfc would make of
 * one-byte clusters: the byte in NFC, its lower case as a norm unit.  Leaves
 * *i at the last byte of the run, which the caller handles as before. */
static nt_err ascii_run(ctx *c, size_t *i)
{
    const unsigned char *p = c->in;
    size_t e = *i;
    while (e + 1 < c->len && p[e] < 0x80 && p[e + 1] < 0x80)
        e++;
    const size_t n = e - *i;
    if (n == 0)
        return NT_OK;
    nt_err rc = flush_cluster(c);
    if (rc)
        return rc;
    form_b *f = &c->f[NT_FORM_NFC];
    if (!fb_room(f, n) && (rc = fb_reserve(f, n)) != NT_OK)
        return rc;
    if ((rc = GROW(&c->ar, c->u, c->cu, c->nu + n)) != NT_OK)
        return rc;
    for (size_t k = *i; k < e; k++) {
        const int32_t cp = p[k];
        fb_put_ascii(f, cp, (uint32_t)k, (uint32_t)k + 1);
        const uint32_t fl = NT__U_CSTART | (cp == '\n' || cp == '\r' ? NT__U_NEWLINE : 0);
        c->u[c->nu++] = (nt__unit){cp >= 'A' && cp <= 'Z' ? cp + 32 : cp, (uint32_t)k, (uint32_t)k + 1, fl};
    }
    f->b.data[f->b.len] = '\0';
    *i = e;
    return NT_OK;
}

/* Stage 1 over the input bytes [from, c->len); `from` is 0 or follows an
 * ASCII whitespace byte (see run_message). */
static nt_err pass_nfc(ctx *c, size_t from, int strict, nt_diag *diag)
{
    nt_err rc = NT_OK;
    const unsigned char *p = c->in;
    const size_t len = c->len;
    size_t i = from;
    int32_t prev = -1;
    utf8proc_int32_t gb = 0;
    int emoji = 0;
    while (i < len) {
        if (p[i] < 0x80 && (rc = ascii_run(c, &i)) != NT_OK)
            return rc;
        if (i < len && p[i] < 0x80) {
            const int32_t cp = p[i];
            if ((rc = flush_cluster(c)) != NT_OK)
                return rc;
            if (i + 1 >= len || p[i + 1] < 0x80) {
                if ((rc = emit_nfc(c, cp, (uint32_t)i, (uint32_t)i + 1, 1)) != NT_OK)
                    return rc;
            } else if ((rc = push_cluster(c, cp, i, i + 1)) != NT_OK) {
                return rc;
            }
            prev = cp;
            gb = 0;
            emoji = 0;
            i++;
            continue;
        }
        int32_t cp;
        size_t n = nt__utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            if (strict)
                return nt__fail(diag, NT_ERR_UTF8, i, "malformed UTF-8 at byte %zu", i);
            n = nt__utf8_bad_len(p + i, len - i);
            cp = 0xFFFD;
            c->replacements++;
        }
        /* Fast path: a visible Latin/Vietnamese letter or symbol of
         * grapheme-break class Other after anything but a Prepend character
         * always starts a new cluster (GB999), and the break state may be
         * reset after a break. */
        const long ti = nt__cpinfo_index(cp);
        const long pi = prev >= 0 ? nt__cpinfo_index(prev) : 0;
        if (ti >= 0 && pi >= 0 &&
            (nt__cpinfo_tab[ti].flags & (NT__CI_INVISIBLE | NT__CI_BC_OTHER)) == NT__CI_BC_OTHER &&
            !(nt__cpinfo_tab[pi].flags & NT__CI_PREPEND)) {
            if ((rc = flush_cluster(c)) != NT_OK)
                return rc;
            if ((nt__cpinfo_tab[ti].flags & NT__CI_NFC_ALONE) && (i + n >= len || p[i + n] < 0x80)) {
                /* an ASCII byte (never Extend, ZWJ or SpacingMark) or the end
                 * follows: the cluster is this code point alone, and
                 * flush_cluster would emit exactly this */
                if ((rc = emit_nfc(c, cp, (uint32_t)i, (uint32_t)(i + n), 1)) != NT_OK)
                    return rc;
            } else if ((rc = push_cluster(c, cp, i, i + n)) != NT_OK) {
                return rc;
            }
            gb = 0;
            emoji = 0;
            prev = cp;
            i += n;
            continue;
        }
        const utf8proc_property_t *prop = utf8proc_get_property(cp);
        if ((prop->ignorable || prop->category == UTF8PROC_CATEGORY_CF) &&
            !keep_invisible(c, cp, prop, emoji, prev, i + n)) {
            i += n;
            continue;
        }
        const int brk = prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &gb);
        if (brk && (rc = flush_cluster(c)) != NT_OK)
            return rc;
        if ((rc = push_cluster(c, cp, i, i + n)) != NT_OK)
            return rc;
        if (is_emoji_prop(prop))
            emoji = 1;
        else if (!(emoji && (prop->boundclass == UTF8PROC_BOUNDCLASS_EXTEND ||
                             prop->boundclass == UTF8PROC_BOUNDCLASS_ZWJ || cp == 0xFE0F ||
                             (cp >= 0xE0020 && cp <= 0xE007F))))
            emoji = 0;
        prev = cp;
        i += n;
    }
    return flush_cluster(c);
}

/* ---- stage 2: chunks, atoms, words ---- */

static nt_err pool_push(ctx *c, int32_t cp, uint32_t os, uint32_t oe)
{
    nt_err rc = GROW(&c->ar, c->pool, c->cp, c->np + 1);
    if (rc)
        return rc;
    c->pool[c->np++] = (nt__unit){cp, os, oe, 0};
    return NT_OK;
}

static nt_err pool_copy(ctx *c, size_t s, size_t e)
{
    nt_err rc = GROW(&c->ar, c->pool, c->cp, c->np + (e - s));
    if (rc)
        return rc;
    memcpy(c->pool + c->np, c->u + s, (e - s) * sizeof *c->u);
    for (size_t i = 0; i < e - s; i++)
        c->pool[c->np + i].flags = 0;
    c->np += e - s;
    return NT_OK;
}

static nt_err add_atom(ctx *c, uint8_t kind, size_t ps, size_t pe, uint16_t flags)
{
    nt_err rc = GROW(&c->ar, c->at, c->cat, c->nat + 1);
    if (rc)
        return rc;
    c->at[c->nat++] = (atom){(uint32_t)ps, (uint32_t)pe, kind, flags};
    return NT_OK;
}

static nt_err add_ptok(ctx *c, uint16_t kind, size_t ps, size_t pe, uint16_t flags)
{
    nt_err rc = GROW(&c->ar, c->pt, c->cpt, c->npt + 1);
    if (rc)
        return rc;
    if (c->boundary) {
        flags |= NT_TOKF_BOUNDARY;
        c->boundary = 0;
    }
    c->pt[c->npt++] = (ptok){(uint32_t)ps, (uint32_t)pe, kind, flags, 0, 0, SYL_UNKNOWN};
    return NT_OK;
}

/* The skeleton letter ('a'..'z') of a Latin letter, or 0. */
static char skeleton(int32_t cp)
{
    int32_t b;
    int t;
    char a;
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z' ? (char)cp : 0;
    const long i = nt__cpinfo_index(cp);
    if (i >= 0)
        return nt__cpinfo_tab[i].skel;
    return nt__viet_split(cp, &b, &t, &a) ? a : 0;
}

/* Amount units written straight after a number: "500k", "2tr", "1tr5",
 * "50.000đ", "10h", "5p".  Compared on the skeleton. */
static int is_amount_unit(const nt__unit *w, size_t n)
{
    static const char *const units[] = {"k",   "tr",  "m",     "b",     "d",    "vnd",
                                        "usd", "trieu", "nghin", "ngan", "ty",   "ti",
                                        "cu",  "xu",  "lit",   "h",     "p",    "g",
                                        "kg",  "gb",  "mb",    "tb",    "km",   "cm",
                                        "mm",  "ml",  "l",     "s",     "x",    "ngay",
                                        "th",  "t",   "phut",  "gio",   "nam",  "lan"};
    char sk[8];
    if (n == 0 || n >= sizeof sk)
        return 0;
    for (size_t i = 0; i < n; i++) {
        sk[i] = skeleton(w[i].cp);
        if (!sk[i])
            return 0;
    }
    sk[n] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strcmp(units[i], sk))
            return 1;
    }
    return 0;
}

static int is_digit_cp(int32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* Does pool[s, e) read as a number: digits with . or , between digits, an
 * optional unit, optional digits after the unit ("1tr5")? */
static int is_number(const nt__unit *w, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_digit_cp(w[0].cp))
        return 0;
    while (i < n && (is_digit_cp(w[i].cp) ||
                     ((w[i].cp == '.' || w[i].cp == ',') && i + 1 < n && is_digit_cp(w[i + 1].cp))))
        i++;
    if (i == n)
        return 1;
    size_t us = i;
    while (i < n && classify(w[i].cp) == NT__C_LETTER)
        i++;
    if (!is_amount_unit(w + us, i - us))
        return 0;
    while (i < n && is_digit_cp(w[i].cp))
        i++;
    return i == n;
}

static int is_syllable_pool(ctx *c, const nt__unit *w, size_t n)
{
    int32_t cps[NT__SYL_MAX];
    (void)c;
    if (n == 0 || n > NT__SYL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        cps[i] = w[i].cp;
    return nt__viet_is_syllable(cps, n);
}

/* Map leet characters in the word pool[s, e) if it is mostly letters and every
 * leet character either sits between letters or the result is a syllable. */
static int apply_leet(ctx *c, size_t s, size_t e)
{
    size_t letters = 0, leet = 0;
    for (size_t i = s; i < e; i++) {
        const int32_t cp = c->pool[i].cp;
        if (nt__leet(cp))
            leet++;
        else if (classify(cp) == NT__C_LETTER)
            letters++;
        else if (classify(cp) != NT__C_MARK)
            return 0;
    }
    if (leet == 0 || letters < 2 || letters <= leet)
        return 0;
    int edge = 0;
    for (size_t i = s; i < e; i++) {
        const int32_t cp = c->pool[i].cp;
        if (!nt__leet(cp))
            continue;
        const int left = i > s && (classify(c->pool[i - 1].cp) == NT__C_LETTER ||
                                   nt__leet(c->pool[i - 1].cp));
        const int right = i + 1 < e && (classify(c->pool[i + 1].cp) == NT__C_LETTER ||
                                        nt__leet(c->pool[i + 1].cp));
        if (left && right)
            continue;
        if (cp == '!' || cp == '|')
            return 0;
        edge = 1;
    }
    if (edge) {
        int32_t cps[NT__SYL_MAX];
        if (e - s > NT__SYL_MAX)
            return 0;
        for (size_t i = s; i < e; i++) {
            const int32_t l = nt__leet(c->pool[i].cp);
            cps[i - s] = l ? l : c->pool[i].cp;
        }
        if (!nt__viet_is_syllable(cps, e - s))
            return 0;
    }
    for (size_t i = s; i < e; i++) {
        const int32_t l = nt__leet(c->pool[i].cp);
        if (l)
            c->pool[i].cp = l;
    }
    return 1;
}

/* Map look-alike letters of pool[s, e) to Latin when every non-Latin letter
 * of the word has a look-alike (a Russian word stays Russian). */
static int apply_lookalike(ctx *c, size_t s, size_t e)
{
    int any = 0;
    for (size_t i = s; i < e; i++) {
        const int32_t cp = c->pool[i].cp;
        if (cp < 0x80 || is_latin(cp) || classify(cp) != NT__C_LETTER)
            continue;
        if (!nt__lookalike(cp))
            return 0;
        any = 1;
    }
    if (!any)
        return 0;
    for (size_t i = s; i < e; i++) {
        const int32_t l = nt__lookalike(c->pool[i].cp);
        if (l)
            c->pool[i].cp = l;
    }
    return 1;
}

/* Compose letters with following combining marks inside pool[s, *e) (after
 * look-alike mapping "е" + U+0302 becomes "ê"); shrinks *e. */
static void compose_marks(ctx *c, size_t s, size_t *e)
{
    size_t w = s;
    for (size_t i = s; i < *e; i++) {
        nt__unit x = c->pool[i];
        if (w > s && classify(x.cp) == NT__C_MARK) {
            utf8proc_int32_t buf[2] = {c->pool[w - 1].cp, x.cp};
            if (utf8proc_normalize_utf32(buf, 2, UTF8PROC_COMPOSE) == 1) {
                c->pool[w - 1].cp = buf[0];
                if (x.oe > c->pool[w - 1].oe)
                    c->pool[w - 1].oe = x.oe;
                continue;
            }
        }
        c->pool[w++] = x;
    }
    *e = w;
}

/* Collapse runs of three or more letters with the same skeleton to the first. */
static int squeeze(ctx *c, size_t s, size_t *e)
{
    /* A run of three needs three neighbours that match (same skeleton, or
     * same code point when there is none); without any, nothing changes. */
    int any = 0;
    if (*e - s >= 3) {
        char k0 = skeleton(c->pool[s].cp), k1 = skeleton(c->pool[s + 1].cp);
        for (size_t i = s; i + 2 < *e && !any; i++) {
            const char k2 = skeleton(c->pool[i + 2].cp);
            if (k0 ? (k1 == k0 && k2 == k0)
                   : (c->pool[i + 1].cp == c->pool[i].cp && c->pool[i + 2].cp == c->pool[i].cp))
                any = 1;
            k0 = k1;
            k1 = k2;
        }
    }
    if (!any)
        return 0;
    size_t w = s;
    int did = 0;
    for (size_t i = s; i < *e;) {
        const int32_t cp = c->pool[i].cp;
        const char k = skeleton(cp);
        size_t j = i + 1;
        while (j < *e && (k ? skeleton(c->pool[j].cp) == k : c->pool[j].cp == cp) &&
               classify(cp) == NT__C_LETTER)
            j++;
        if (j - i >= 3) {
            nt__unit x = c->pool[i];
            x.oe = c->pool[j - 1].oe;
            c->pool[w++] = x;
            did = 1;
        } else {
            for (size_t k2 = i; k2 < j; k2++)
                c->pool[w++] = c->pool[k2];
        }
        i = j;
    }
    *e = w;
    return did;
}

/* Turn a run of letters/digits/leet symbols u[s, e) into atoms. */
static nt_err word_run(ctx *c, size_t s, size_t e)
{
    nt_err rc;
    size_t ps = c->np;
    if ((rc = pool_copy(c, s, e)) != NT_OK)
        return rc;
    size_t pe = c->np;
    uint16_t flags = 0;
    for (size_t i = s; i < e; i++) {
        if (c->u[i].flags & NT__U_LOOKALIKE)
            flags |= NT_TOKF_LOOKALIKE;
    }
    const int deob = !(c->flags & NT_TEXT_NO_DEOBFUSCATE);
    if (is_number(c->pool + ps, pe - ps))
        return add_atom(c, A_NUM, ps, pe, flags);
    if (deob && apply_leet(c, ps, pe))
        flags |= NT_TOKF_LOOKALIKE;
    /* Split at leet symbols that stayed symbols; digits stay in words. */
    size_t i = ps;
    while (i < pe) {
        if (is_leet_sym(c->pool[i].cp)) {
            if ((rc = add_atom(c, A_SYM, i, i + 1, 0)) != NT_OK)
                return rc;
            i++;
            continue;
        }
        size_t j = i;
        while (j < pe && !is_leet_sym(c->pool[j].cp))
            j++;
        if (is_digit_cp(c->pool[i].cp) || classify(c->pool[i].cp) == NT__C_DIGIT) {
            if ((rc = add_atom(c, A_NUM, i, j, flags)) != NT_OK)
                return rc;
            i = j;
            continue;
        }
        uint16_t wf = flags;
        if (deob && apply_lookalike(c, i, j))
            wf |= NT_TOKF_LOOKALIKE;
        /* compose/squeeze shrink the range: shift the tail down over the gap */
        size_t je = j;
        compose_marks(c, i, &je);
        if (squeeze(c, i, &je))
            wf |= NT_TOKF_SQUEEZED;
        if (je < j) {
            memmove(c->pool + je, c->pool + j, (pe - j) * sizeof *c->pool);
            pe -= j - je;
            c->np -= j - je;
        }
        if ((rc = add_atom(c, A_WORD, i, je, wf)) != NT_OK)
            return rc;
        i = je;
    }
    return NT_OK;
}

static int is_single_letter(const atom *a)
{
    return a->kind == A_WORD && a->pe - a->ps == 1;
}

static int is_single_leet_digit(const ctx *c, const atom *a)
{
    return a->kind == A_NUM && a->pe - a->ps == 1 && nt__leet(c->pool[a->ps].cp);
}

static int is_sep_atom(const ctx *c, const atom *a)
{
    if (a->kind != A_SYM || a->pe - a->ps > 3)
        return 0;
    for (uint32_t i = a->ps; i < a->pe; i++) {
        if (!is_separator(c->pool[i].cp) || c->pool[i].cp != c->pool[a->ps].cp)
            return 0;
    }
    return 1;
}

/* Append a copy of the concatenated texts of atoms [from, to] (words only) to
 * the pool; returns its range. */
static nt_err concat_words(ctx *c, size_t from, size_t to, size_t *ps, size_t *pe, int leet)
{
    *ps = c->np;
    for (size_t k = from; k <= to; k++) {
        const atom *a = &c->at[k];
        if (a->kind == A_SYM)
            continue;
        for (uint32_t i = a->ps; i < a->pe; i++) {
            const nt__unit x = c->pool[i];
            const int32_t l = leet && a->kind == A_NUM ? nt__leet(x.cp) : 0;
            nt_err rc = pool_push(c, l ? l : x.cp, x.os, x.oe);
            if (rc)
                return rc;
        }
    }
    *pe = c->np;
    return NT_OK;
}

/* Rule A: two or more single letters spelled with separators ("c.h.u.y"). */
static nt_err join_single_letters(ctx *c)
{
    nt_err rc;
    size_t w = 0;
    for (size_t k = 0; k < c->nat;) {
        const atom *a = &c->at[k];
        if (!(is_single_letter(a) || is_single_leet_digit(c, a))) {
            c->at[w++] = c->at[k++];
            continue;
        }
        size_t end = k, letters = is_single_letter(a), digits = !letters;
        while (end + 2 < c->nat && is_sep_atom(c, &c->at[end + 1]) &&
               (is_single_letter(&c->at[end + 2]) ||
                is_single_leet_digit(c, &c->at[end + 2]))) {
            end += 2;
            if (is_single_letter(&c->at[end]))
                letters++;
            else
                digits++;
        }
        if (end == k || letters < 2 || letters <= digits) {
            while (k <= end) /* the whole run stays as it is: linear time */
                c->at[w++] = c->at[k++];
            continue;
        }
        size_t ps, pe;
        uint16_t fl = NT_TOKF_REJOINED | (digits ? NT_TOKF_LOOKALIKE : 0);
        for (size_t j = k; j <= end; j++)
            fl |= c->at[j].flags;
        if ((rc = concat_words(c, k, end, &ps, &pe, 1)) != NT_OK)
            return rc;
        c->at[w++] = (atom){(uint32_t)ps, (uint32_t)pe, A_WORD, fl};
        k = end + 1;
    }
    c->nat = w;
    return NT_OK;
}

static int word_is_syllable(ctx *c, const atom *a)
{
    return a->kind == A_WORD && is_syllable_pool(c, c->pool + a->ps, a->pe - a->ps);
}

static int all_latin_letters(const ctx *c, const atom *a)
{
    for (uint32_t i = a->ps; i < a->pe; i++) {
        if (!skeleton(c->pool[i].cp))
            return 0;
    }
    return 1;
}

/* Segment pool[ps, pe) into syllables; on success writes the atoms (one per
 * syllable) at c->at[w...] is not possible in place, so returns the ends. */
static size_t segment_pool(ctx *c, size_t ps, size_t pe, size_t *ends, size_t max)
{
    int32_t cps[256];
    const size_t n = pe - ps;
    if (n == 0 || n > 256)
        return 0;
    for (size_t i = 0; i < n; i++)
        cps[i] = c->pool[ps + i].cp;
    return nt__viet_segment(cps, n, ends, max);
}

/* Rule B/C: words separated by single separators: join when the pieces are
 * not syllables on their own but the whole spells one or more ("ch-uyển",
 * "ti.ền", "tôi.c.h.u.y.ể.n"). */
static nt_err join_separated_words(ctx *c)
{
    nt_err rc;
    size_t w = 0;
    for (size_t k = 0; k < c->nat;) {
        size_t end = k;
        if (c->at[k].kind == A_WORD && all_latin_letters(c, &c->at[k])) {
            while (end + 2 < c->nat && is_sep_atom(c, &c->at[end + 1]) &&
                   c->at[end + 2].kind == A_WORD && all_latin_letters(c, &c->at[end + 2]))
                end += 2;
        }
        if (end == k) {
            c->at[w++] = c->at[k++];
            continue;
        }
        int any_invalid = 0;
        size_t letters = 0;
        for (size_t j = k; j <= end; j += 2) {
            if (!word_is_syllable(c, &c->at[j]))
                any_invalid = 1;
            letters += c->at[j].pe - c->at[j].ps;
        }
        int join = 0;
        size_t ps = 0, pe = 0;
        if (letters <= 256) {
            if ((rc = concat_words(c, k, end, &ps, &pe, 0)) != NT_OK)
                return rc;
            size_t ends[128];
            if (is_syllable_pool(c, c->pool + ps, pe - ps))
                join = 1;
            else if (any_invalid && segment_pool(c, ps, pe, ends, 128))
                join = 1;
            if (!join)
                c->np = ps;
        }
        if (!join) {
            while (k <= end) /* the whole sequence stays as it is: linear time */
                c->at[w++] = c->at[k++];
            continue;
        }
        uint16_t fl = NT_TOKF_REJOINED;
        for (size_t j = k; j <= end; j++)
            fl |= c->at[j].flags;
        c->at[w++] = (atom){(uint32_t)ps, (uint32_t)pe, A_WORD, fl};
        k = end + 1;
    }
    c->nat = w;
    return NT_OK;
}

static int has_viet_marks(const ctx *c, size_t ps, size_t pe)
{
    for (size_t i = ps; i < pe; i++) {
        if (c->pool[i].cp >= 0x80)
            return 1;
    }
    return 0;
}

/* Emit a word atom as one or more ptoks, splitting a rejoined (or accented)
 * multi-syllable run into syllables. */
static nt_err emit_word_ptoks(ctx *c, const atom *a)
{
    const size_t n = a->pe - a->ps;
    const int try_split = (a->flags & NT_TOKF_REJOINED) || has_viet_marks(c, a->ps, a->pe);
    uint8_t syl = SYL_UNKNOWN;
    int ol = -1;
    if (try_split && n > 1 && n <= 256 && all_latin_letters(c, a)) {
        int32_t cps[NT__SYL_MAX];
        if (n <= NT__SYL_MAX) {
            for (size_t i = 0; i < n; i++)
                cps[i] = c->pool[a->ps + i].cp;
            ol = nt__viet_onset(cps, n);
        }
        syl = ol >= 0 ? (uint8_t)(SYL_ONSET + ol) : SYL_NO;
    }
    if (syl == SYL_NO) {
        size_t ends[128];
        const size_t k = segment_pool(c, a->ps, a->pe, ends, 128);
        if (k > 1) {
            size_t s = a->ps;
            for (size_t i = 0; i < k; i++) {
                uint16_t fl = a->flags | NT_TOKF_REJOINED;
                if (i > 0)
                    fl &= (uint16_t)~NT_TOKF_BOUNDARY;
                nt_err rc = add_ptok(c, NT_TOK_WORD, s, a->ps + ends[i], fl);
                if (rc)
                    return rc;
                s = a->ps + ends[i];
            }
            return NT_OK;
        }
    }
    nt_err rc = add_ptok(c, NT_TOK_WORD, a->ps, a->pe, a->flags);
    if (rc == NT_OK)
        c->pt[c->npt - 1].syl = syl;
    return rc;
}

/* Atoms of one chunk -> ptoks. */
static nt_err atoms_to_ptoks(ctx *c)
{
    nt_err rc;
    const int deob = !(c->flags & NT_TEXT_NO_DEOBFUSCATE);
    /* Both joins need at least word, separator, word: nothing to do below. */
    if (deob && c->nat >= 3) {
        if ((rc = join_single_letters(c)) != NT_OK)
            return rc;
        if ((rc = join_separated_words(c)) != NT_OK)
            return rc;
    }
    const size_t first = c->npt;
    for (size_t k = 0; k < c->nat; k++) {
        const atom *a = &c->at[k];
        const size_t before = c->npt;
        if (a->kind == A_WORD) {
            rc = emit_word_ptoks(c, a);
        } else if (a->kind == A_NUM) {
            rc = add_ptok(c, NT_TOK_NUMBER, a->ps, a->pe, a->flags);
        } else {
            rc = add_ptok(c, NT_TOK_PUNCT, a->ps, a->pe, 0);
            if (rc == NT_OK && is_clause_punct(c->pool[a->ps].cp))
                c->boundary = 1;
        }
        if (rc)
            return rc;
        /* A word glued to another word by a connector is part of a compound. */
        if (a->kind == A_WORD && c->npt > before) {
            const atom *l = k >= 2 ? &c->at[k - 1] : NULL;
            const atom *r = k + 2 < c->nat ? &c->at[k + 1] : NULL;
            int att = 0;
            if (l && l->kind == A_SYM && is_connector(c->pool[l->ps].cp) &&
                c->at[k - 2].kind != A_SYM)
                att = 1;
            if (r && r->kind == A_SYM && is_connector(c->pool[r->ps].cp) &&
                c->at[k + 2].kind != A_SYM)
                att = 1;
            for (size_t t = before; t < c->npt; t++)
                c->pt[t].attached = (uint8_t)att;
        }
    }
    if (c->npt == first + 1)
        c->pt[first].solo = 1;
    return NT_OK;
}

static nt_err plain_segment(ctx *c, size_t s, size_t e)
{
    nt_err rc;
    size_t i = s;
    while (i < e) {
        const int k = classify(c->u[i].cp);
        const int wordish = k == NT__C_LETTER || k == NT__C_DIGIT || k == NT__C_MARK;
        if (wordish || (is_leet_sym(c->u[i].cp) && i + 1 < e &&
                        (classify(c->u[i + 1].cp) == NT__C_LETTER ||
                         (i > s && classify(c->u[i - 1].cp) == NT__C_LETTER)))) {
            if (k == NT__C_MARK && i == s) {
                /* a lone combining mark: a symbol */
            } else {
                size_t j = i;
                while (j < e) {
                    const int32_t cp = c->u[j].cp;
                    const int kj = classify(cp);
                    if (kj == NT__C_LETTER || kj == NT__C_DIGIT || kj == NT__C_MARK) {
                        j++;
                    } else if ((cp == '.' || cp == ',') && j > i && j + 1 < e &&
                               is_digit_cp(c->u[j - 1].cp) && is_digit_cp(c->u[j + 1].cp)) {
                        j++;
                    } else if (is_leet_sym(cp) &&
                               ((j > i && classify(c->u[j - 1].cp) == NT__C_LETTER) ||
                                (j + 1 < e && classify(c->u[j + 1].cp) == NT__C_LETTER))) {
                        j++;
                    } else {
                        break;
                    }
                }
                if ((rc = word_run(c, i, j)) != NT_OK)
                    return rc;
                i = j;
                continue;
            }
        }
        /* a run of one repeated symbol */
        size_t j = i + 1;
        while (j < e && c->u[j].cp == c->u[i].cp)
            j++;
        const size_t ps = c->np;
        if ((rc = pool_copy(c, i, j)) != NT_OK)
            return rc;
        if ((rc = add_atom(c, A_SYM, ps, c->np, 0)) != NT_OK)
            return rc;
        i = j;
    }
    return NT_OK;
}

static int link_may_start(const ctx *c, size_t s, size_t p)
{
    const int32_t cp = c->u[p].cp;
    if (!((cp >= 'a' && cp <= 'z') || is_digit_cp(cp)))
        return 0;
    if (p == s)
        return 1;
    const int32_t pr = c->u[p - 1].cp;
    if (cp == 'h' || cp == 'w')
        return 1; /* "xem:http://", "link:www." are checked anywhere */
    return pr < 0x80 && strchr("([{<\"':;,=!?*", (int)pr) != NULL;
}

static nt_err flush_atoms(ctx *c)
{
    nt_err rc = atoms_to_ptoks(c);
    c->nat = 0;
    return rc;
}

/* A chunk of letters only: what plain_segment + word_run would do with it.
 * There is no '.' or ':' (no link), one run of letters, and it is no number
 * and has no leet, non-Latin look-alike or combining mark, so only squeezing
 * applies. */
static nt_err letters_word(ctx *c, size_t s, size_t e)
{
    nt_err rc;
    const size_t ps = c->np, n = e - s;
    if ((rc = GROW(&c->ar, c->pool, c->cp, c->np + n)) != NT_OK)
        return rc;
    /* pool_copy, the look-alike flag and squeeze's "three alike" test in
     * one pass (every unit has a skeleton here) */
    nt__unit *d = c->pool + ps;
    uint16_t flags = 0;
    int triple = 0;
    char k1 = 0, k2 = 0;
    for (size_t i = 0; i < n; i++) {
        const nt__unit x = c->u[s + i];
        d[i].cp = x.cp;
        d[i].os = x.os;
        d[i].oe = x.oe;
        d[i].flags = 0;
        if (x.flags & NT__U_LOOKALIKE)
            flags |= NT_TOKF_LOOKALIKE;
        const char k = skeleton(x.cp);
        if (i >= 2 && k == k1 && k == k2)
            triple = 1;
        k2 = k1;
        k1 = k;
    }
    c->np += n;
    size_t pe = c->np;
    if (triple && squeeze(c, ps, &pe))
        flags |= NT_TOKF_SQUEEZED;
    c->np = pe;
    /* atoms_to_ptoks of this one word atom: no join applies (they need
     * three atoms), nothing is attached (no neighbours), and it is solo if
     * it stays one pre-token. */
    const atom a = {(uint32_t)ps, (uint32_t)pe, A_WORD, flags};
    c->nat = 0;
    return emit_word_ptoks(c, &a);
}

static nt_err letters_chunk(ctx *c, size_t s, size_t e)
{
    const size_t first = c->npt;
    nt_err rc = letters_word(c, s, e);
    if (rc == NT_OK && c->npt == first + 1)
        c->pt[first].solo = 1;
    return rc;
}

/* Symbols that may end a letters-only word without changing how it is
 * read: not leet (so not part of the word run), not a connector, and - for
 * '.' and ':' - no link can come of a word followed only by them. */
static int is_trailing_punct(int32_t cp)
{
    return cp == '.' || cp == ',' || cp == ';' || cp == '?' || cp == ':';
}

/* A chunk of letters u[s, m) followed by a run of one such symbol u[m, e)
 * ("bạn,", "nhé...", "sao??"): what the general path makes of it - the word
 * as in letters_chunk (not solo: the chunk has two atoms), then the symbol
 * run as one punctuation token. */
static nt_err letters_punct_chunk(ctx *c, size_t s, size_t m, size_t e)
{
    nt_err rc = letters_word(c, s, m);
    if (rc)
        return rc;
    const size_t ps = c->np;
    if ((rc = pool_copy(c, m, e)) != NT_OK)
        return rc;
    if ((rc = add_ptok(c, NT_TOK_PUNCT, ps, c->np, 0)) != NT_OK)
        return rc;
    if (is_clause_punct(c->u[m].cp))
        c->boundary = 1;
    return NT_OK;
}

/* One whitespace-delimited chunk u[s, e); `letters` if every unit has a
 * skeleton (tokenize checked while scanning). */
static nt_err chunk(ctx *c, size_t s, size_t e, int letters)
{
    nt_err rc;
    size_t seg = s;
    c->nat = 0;
    if (letters)
        return letters_chunk(c, s, e);
    size_t wend = s;
    while (wend < e && skeleton(c->u[wend].cp))
        wend++;
    if (wend > s && wend < e && is_trailing_punct(c->u[wend].cp)) {
        size_t r = wend + 1;
        while (r < e && c->u[r].cp == c->u[wend].cp)
            r++;
        if (r == e)
            return letters_punct_chunk(c, s, wend, e);
    }
    /* Every link nt__link_match accepts has a '.' or ':' after its first
     * character ("http://", "www.", "a@b.vn", "x.com"): no link can start at
     * or after the last one, so the scan stops there. */
    size_t last = s;
    for (size_t p = s; p < e; p++) {
        if (c->u[p].cp == '.' || c->u[p].cp == ':')
            last = p;
    }
    for (size_t p = s; p < last; p++) {
        if (!link_may_start(c, s, p))
            continue;
        if (c->u[p].cp == 'h' || c->u[p].cp == 'w') {
            if (p != s && !(c->u[p - 1].cp < 0x80 &&
                            strchr("([{<\"':;,=!?*", (int)c->u[p - 1].cp)) &&
                classify(c->u[p - 1].cp) == NT__C_LETTER)
                continue;
        }
        const size_t m = nt__link_match(c->u, p, e);
        if (m <= p)
            continue;
        if ((rc = plain_segment(c, seg, p)) != NT_OK)
            return rc;
        if ((rc = flush_atoms(c)) != NT_OK)
            return rc;
        const size_t ps = c->np;
        if ((rc = pool_copy(c, p, m)) != NT_OK)
            return rc;
        if ((rc = add_ptok(c, NT_TOK_LINK, ps, c->np, 0)) != NT_OK)
            return rc;
        seg = m;
        p = m - 1;
    }
    if ((rc = plain_segment(c, seg, e)) != NT_OK)
        return rc;
    return flush_atoms(c);
}

static int emoji_start(const ctx *c, size_t i)
{
    const int32_t cp = c->u[i].cp;
    if (!(c->u[i].flags & NT__U_CSTART))
        return 0;
    if (classify(cp) == NT__C_EMOJI)
        return 1;
    /* keycap: [0-9#*] FE0F? 20E3 */
    if ((is_digit_cp(cp) || cp == '#' || cp == '*') && i + 1 < c->nu) {
        size_t j = i + 1;
        if (c->u[j].cp == 0xFE0F && j + 1 < c->nu)
            j++;
        return c->u[j].cp == 0x20E3 && !(c->u[j].flags & NT__U_CSTART);
    }
    return 0;
}

static nt_err tokenize(ctx *c)
{
    nt_err rc;
    size_t i = 0;
    while (i < c->nu) {
        const int k = classify(c->u[i].cp);
        if (k == NT__C_SPACE) {
            if (c->u[i].flags & NT__U_NEWLINE)
                c->boundary = 1;
            i++;
            continue;
        }
        if (emoji_start(c, i)) {
            size_t j = i + 1;
            while (j < c->nu && !(c->u[j].flags & NT__U_CSTART))
                j++;
            const size_t ps = c->np;
            if ((rc = pool_copy(c, i, j)) != NT_OK)
                return rc;
            if ((rc = add_ptok(c, NT_TOK_EMOJI, ps, c->np, 0)) != NT_OK)
                return rc;
            i = j;
            continue;
        }
        size_t j = i + 1;
        int letters = skeleton(c->u[i].cp) != 0;
        while (j < c->nu) {
            const int32_t cp = c->u[j].cp;
            const int kj = classify(cp);
            if (kj == NT__C_SPACE ||
                ((c->u[j].flags & NT__U_CSTART) &&
                 (kj == NT__C_EMOJI || ((kj == NT__C_DIGIT || kj == NT__C_SYM) && emoji_start(c, j)))))
                break;
            letters &= kj == NT__C_LETTER && skeleton(cp) != 0;
            j++;
        }
        if ((rc = chunk(c, i, j, letters)) != NT_OK)
            return rc;
        i = j;
    }
    return NT_OK;
}

/* ---- stage 3: letters spelled with spaces ("c h u y e n k h o a n") ---- */

static int is_spaced_letter(const ctx *c, const ptok *t)
{
    return t->solo && t->kind == NT_TOK_WORD && t->pe - t->ps == 1 && !t->flags &&
           skeleton(c->pool[t->ps].cp);
}

static int is_consonant_skel(char k)
{
    return k && !strchr("aeiouy", k);
}

static nt_err join_spaced_letters(ctx *c)
{
    nt_err rc;
    size_t w = 0;
    for (size_t k = 0; k < c->npt;) {
        if (!is_spaced_letter(c, &c->pt[k])) { /* the common case: keep it */
            if (w != k)
                c->pt[w] = c->pt[k];
            w++;
            k++;
            continue;
        }
        size_t end = k;
        while (end < c->npt && is_spaced_letter(c, &c->pt[end]) && end - k < 256)
            end++;
        const size_t n = end - k;
        int consonant = 0;
        for (size_t j = k; j < end; j++)
            consonant |= is_consonant_skel(skeleton(c->pool[c->pt[j].ps].cp));
        size_t nsyl = 0, ends[128];
        size_t ps = c->np;
        if (n >= 3 && consonant) {
            for (size_t j = k; j < end; j++) {
                const nt__unit x = c->pool[c->pt[j].ps];
                if ((rc = pool_push(c, x.cp, x.os, x.oe)) != NT_OK)
                    return rc;
            }
            nsyl = segment_pool(c, ps, c->np, ends, 128);
        }
        if (nsyl == 0 || nsyl >= n) {
            c->np = ps;
            do /* the whole run stays as it is: linear time */
                c->pt[w++] = c->pt[k++];
            while (k < end);
            continue;
        }
        const uint16_t bflag = c->pt[k].flags & NT_TOKF_BOUNDARY;
        size_t s = ps;
        for (size_t i = 0; i < nsyl; i++) {
            c->pt[w++] = (ptok){(uint32_t)s, (uint32_t)(ps + ends[i]), NT_TOK_WORD,
                                (uint16_t)(NT_TOKF_REJOINED | (i == 0 ? bflag : 0)), 0, 0,
                                SYL_UNKNOWN};
            s = ps + ends[i];
        }
        k = end;
    }
    c->npt = w;
    return NT_OK;
}

/* ---- stage 4: emit NORM and FOLD ---- */

static nt_err add_token(ctx *c, const nt_token *t)
{
    nt_err rc = GROW(&c->ar, c->tok, c->ctok, c->ntok + 1);
    if (rc)
        return rc;
    c->tok[c->ntok++] = *t;
    return NT_OK;
}

/* nt__fold_cp through the table where it covers cp. */
static size_t fold_cp(int32_t cp, int32_t out[4])
{
    const long i = nt__cpinfo_index(cp);
    if (i >= 0 && nt__cpinfo_tab[i].nfold <= 2) {
        out[0] = nt__cpinfo_tab[i].fold[0];
        out[1] = nt__cpinfo_tab[i].fold[1];
        return nt__cpinfo_tab[i].nfold;
    }
    return nt__fold_cp(cp, out);
}

static nt_err put_fold(ctx *c, int32_t cp, uint32_t os, uint32_t oe)
{
    int32_t f[4];
    if (cp < 0x80)
        return fb_put(&c->f[NT_FORM_FOLD], cp, os, oe);
    const size_t n = fold_cp(cp, f);
    for (size_t i = 0; i < n; i++) {
        nt_err rc = fb_put(&c->f[NT_FORM_FOLD], f[i], os, oe);
        if (rc)
            return rc;
    }
    return NT_OK;
}

/* Separator space between two tokens: maps to the original gap. */
static nt_err put_space(ctx *c, uint32_t prev_oe, uint32_t next_os)
{
    const uint32_t a = prev_oe, b = next_os >= prev_oe ? next_os : prev_oe;
    form_b *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
    if (fb_room(nf, 4) && fb_room(ff, 4)) { /* fb_put's own test */
        fb_put_ascii(nf, ' ', a, b);
        fb_put_ascii(ff, ' ', a, b);
        nf->b.data[nf->b.len] = '\0';
        ff->b.data[ff->b.len] = '\0';
        return NT_OK;
    }
    nt_err rc = fb_put(&c->f[NT_FORM_NORM], ' ', a, b);
    if (rc == NT_OK)
        rc = fb_put(&c->f[NT_FORM_FOLD], ' ', a, b);
    return rc;
}

static int form_too_big(const ctx *c)
{
    return c->f[NT_FORM_NORM].b.len > c->form_limit || c->f[NT_FORM_FOLD].b.len > c->form_limit;
}

/* Emit the text of an expansion ("chuyển khoản") as tokens over [os, oe). */
static nt_err emit_expansion(ctx *c, const char *exp, uint32_t os, uint32_t oe, uint16_t flags,
                             uint32_t *last_oe)
{
    nt_err rc;
    const unsigned char *p = (const unsigned char *)exp;
    const size_t n = strlen(exp);
    size_t i = 0;
    int first = 1;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != ' ')
            j++;
        if (c->ntok > 0 && (rc = put_space(c, *last_oe, os)) != NT_OK)
            return rc;
        nt_token t = {0};
        t.start = (uint32_t)c->f[NT_FORM_NORM].b.len;
        t.fstart = (uint32_t)c->f[NT_FORM_FOLD].b.len;
        t.ostart = os;
        t.oend = oe;
        t.kind = is_digit_cp(p[i]) ? NT_TOK_NUMBER : NT_TOK_WORD;
        t.flags = (uint16_t)(NT_TOKF_EXPANDED | (first ? flags : (flags & ~NT_TOKF_BOUNDARY)));
        for (size_t k = i; k < j;) {
            int32_t cp;
            const size_t m = nt__utf8_decode(p + k, j - k, &cp);
            if (m == 0)
                return NT_ERR_INTERNAL;
            if ((rc = fb_put(&c->f[NT_FORM_NORM], cp, os, oe)) != NT_OK)
                return rc;
            if ((rc = put_fold(c, cp, os, oe)) != NT_OK)
                return rc;
            k += m;
        }
        t.end = (uint32_t)c->f[NT_FORM_NORM].b.len;
        t.fend = (uint32_t)c->f[NT_FORM_FOLD].b.len;
        if ((rc = add_token(c, &t)) != NT_OK)
            return rc;
        *last_oe = oe;
        first = 0;
        i = j + 1;
    }
    return NT_OK;
}

/* Append the text of t to NORM and FOLD.  When both forms have room for the
 * worst case (4 bytes a code point in NORM, 4 code points of 4 bytes in
 * FOLD), ASCII is copied straight; otherwise each code point goes through
 * the checked appends, so running out of room fails exactly as before. */
static nt_err put_token_text(ctx *c, const ptok *t)
{
    nt_err rc;
    form_b *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
    const size_t n = t->pe - t->ps;
    const int room = fb_room(nf, 4 * n) && fb_room(ff, 16 * n);
    for (uint32_t i = t->ps; i < t->pe; i++) {
        const nt__unit x = c->pool[i];
        if (room && x.cp < 0x80) {
            fb_put_ascii(nf, x.cp, x.os, x.oe);
            fb_put_ascii(ff, x.cp, x.os, x.oe);
            continue;
        }
        if ((rc = fb_put(nf, x.cp, x.os, x.oe)) != NT_OK)
            return rc;
        if ((rc = put_fold(c, x.cp, x.os, x.oe)) != NT_OK)
            return rc;
    }
    nf->b.data[nf->b.len] = '\0';
    ff->b.data[ff->b.len] = '\0';
    return NT_OK;
}

/* Teencode lookup for a word ptok; NULL when not applicable. */
static const char *teencode(ctx *c, const ptok *t, int prev_kind, int ascii)
{
    if (!c->lex || (c->flags & NT_TEXT_NO_TEENCODE) || t->attached || t->kind != NT_TOK_WORD)
        return NULL;
    const size_t n = t->pe - t->ps;
    if (n == 0 || n > 16)
        return NULL;
    if (prev_kind == NT_TOK_NUMBER && is_amount_unit(c->pool + t->ps, n))
        return NULL; /* "500 k" is an amount, not "500 không" */
    unsigned char norm[80], fold[80];
    size_t nl = 0, fl = 0;
    if (ascii) { /* ASCII folds to itself */
        for (size_t i = t->ps; i < t->pe; i++)
            norm[nl++] = (unsigned char)c->pool[i].cp;
        return nt__lexicon_find(c->lex, (const char *)norm, nl, (const char *)norm, nl);
    }
    for (size_t i = t->ps; i < t->pe; i++) {
        const int32_t cp = c->pool[i].cp;
        nl += utf8_put(cp, norm + nl);
        int32_t f[4];
        const size_t k = fold_cp(cp, f);
        for (size_t j = 0; j < k && fl + 4 < sizeof fold; j++)
            fl += utf8_put(f[j], fold + fl);
    }
    return nt__lexicon_find(c->lex, (const char *)norm, nl, (const char *)fold, fl);
}

static nt_err emit(ctx *c)
{
    nt_err rc;
    uint32_t last_oe = c->last_oe;
    for (size_t k = 0; k < c->npt; k++) {
        ptok *t = &c->pt[k];
        uint32_t os = UINT32_MAX, oe = 0;
        int ascii = 1; /* every code point < 0x80 */
        for (uint32_t i = t->ps; i < t->pe; i++) {
            if (c->pool[i].os < os)
                os = c->pool[i].os;
            if (c->pool[i].oe > oe)
                oe = c->pool[i].oe;
            ascii &= c->pool[i].cp < 0x80;
        }
        if (t->kind == NT_TOK_WORD && t->pe - t->ps <= NT__SYL_MAX) {
            int32_t cps[NT__SYL_MAX];
            const size_t n = t->pe - t->ps;
            /* Without a tone mark (plain ASCII) canonical spelling can only
             * change a lone i/y ending the word after its onset (to i/y):
             * skip ASCII words that do not end in i/y. */
            const int maybe = !ascii || (n >= 2 && (c->pool[t->pe - 1].cp == 'i' ||
                                                    c->pool[t->pe - 1].cp == 'y'));
            for (size_t i = 0; maybe && i < n; i++)
                cps[i] = c->pool[t->ps + i].cp;
            /* emit_word_ptoks may already know: not a syllable (nothing to
             * do) or a syllable with a given onset (no second analysis). */
            int changed = 0;
            if (maybe && t->syl == SYL_UNKNOWN)
                changed = nt__viet_canon(cps, n);
            else if (maybe && t->syl >= SYL_ONSET)
                changed = nt__viet_canon_known(cps, n, t->syl - SYL_ONSET);
            if (changed) {
                for (size_t i = 0; i < n; i++)
                    c->pool[t->ps + i].cp = cps[i];
            }
        }
        /* canonical spelling keeps an ASCII word ASCII (it only swaps i/y) */
        const char *exp =
            t->kind == NT_TOK_WORD ? teencode(c, t, k ? c->pt[k - 1].kind : c->prev_kind, ascii) : NULL;
        if (exp) {
            if ((rc = emit_expansion(c, exp, os, oe, t->flags, &last_oe)) != NT_OK)
                return rc;
        } else {
            if (c->ntok > 0 && (rc = put_space(c, last_oe, os)) != NT_OK)
                return rc;
            const uint32_t start = (uint32_t)c->f[NT_FORM_NORM].b.len;
            const uint32_t fstart = (uint32_t)c->f[NT_FORM_FOLD].b.len;
            if ((rc = put_token_text(c, t)) != NT_OK)
                return rc;
            if (c->f[NT_FORM_FOLD].b.len == fstart) {
                /* only combining marks: folding would leave nothing */
                for (uint32_t i = t->ps; i < t->pe; i++) {
                    const nt__unit x = c->pool[i];
                    if ((rc = fb_put(&c->f[NT_FORM_FOLD], x.cp, x.os, x.oe)) != NT_OK)
                        return rc;
                }
            }
            /* written in place: a token assembled on the stack and copied
             * whole stalls on store forwarding */
            if ((rc = GROW(&c->ar, c->tok, c->ctok, c->ntok + 1)) != NT_OK)
                return rc;
            nt_token *tk = &c->tok[c->ntok++];
            tk->start = start;
            tk->end = (uint32_t)c->f[NT_FORM_NORM].b.len;
            tk->fstart = fstart;
            tk->fend = (uint32_t)c->f[NT_FORM_FOLD].b.len;
            tk->ostart = os;
            tk->oend = oe;
            tk->kind = t->kind;
            tk->flags = t->flags;
            last_oe = oe;
        }
        if (form_too_big(c))
            return NT_ERR_TOO_BIG;
    }
    c->last_oe = last_oe;
    if (c->npt > 0)
        c->prev_kind = c->pt[c->npt - 1].kind;
    return NT_OK;
}

/* ---- the chunk driver: common chunks in one pass, the rest by stages ---- */

/*
 * Most of a message is whitespace-separated chunks that the stages above
 * treat in a fixed, simple way: a word of letters (optionally followed by a
 * run of one sentence mark), a run of ASCII symbols, a run of ASCII digits.
 * run_message writes those straight to the three forms, their maps and the
 * token array, and hands every other chunk (with the chunks around it that
 * are not simple either) to stages 1-4 as a sub-range of the input.  The
 * output is byte for byte what the stages make of the whole message,
 * because the stages treat chunks independently except through state that
 * the driver carries in ctx:
 *
 *   - c->boundary: a clause mark or line break before the next token;
 *   - c->last_oe and c->ntok: the space between two tokens maps to the gap;
 *   - c->prev_kind: "500 k" (a unit after a number) is not teencode;
 *   - letters spelled with spaces (stage 3) join one-letter chunks, which are
 *     never simple, so such a run lies inside one sub-range;
 *   - a grapheme cluster never spans ASCII whitespace, except that a
 *     combining (or invisible) character right after it would join it: a
 *     sub-range that starts with one sends the whole message to the stages.
 *
 * A simple chunk never produces a one-letter word alone in its chunk, so it
 * can never take part in stage 3.  In strict UTF-8 mode a malformed message
 * also goes to the stages whole, so the first bad byte is the one reported.
 */

#define FAST_WORD_MAX 64

enum { FC_WORD, FC_SYMBOLS, FC_DIGITS };

/* One letter of a simple word: its norm code point, its fold (one ASCII
 * byte) and its original span. */
typedef struct fletter {
    int32_t cp;
    uint32_t os, oe;
    char fold, skel;
} fletter;

/* What fast_analyse found in one chunk [s, e). */
typedef struct fchunk {
    int kind;       /* FC_* */
    size_t n;       /* letters of an FC_WORD */
    int ascii;      /* every letter < 0x80 */
    int single;     /* FC_WORD: one letter alone in its chunk */
    size_t pstart;  /* FC_WORD: start of its trailing symbol run (e if none) */
    fletter l[FAST_WORD_MAX];
} fchunk;

static int is_ws_byte(unsigned char b)
{
    return b <= 0x20 || b == 0x7F;
}

/* A non-ASCII code point that stage 1 makes a one-code-point cluster of
 * (whatever ASCII or such letters surround it) and whose norm unit is a Latin
 * letter with a skeleton and a one-letter ASCII fold (NT__CI_FASTLET); *norm
 * gets the unit, *skel its skeleton. */
static int fast_letter(int32_t cp, int32_t *norm, char *skel)
{
    const long ti = nt__cpinfo_index(cp);
    if (ti < 0 || !(nt__cpinfo_tab[ti].flags & NT__CI_FASTLET))
        return 0;
    *norm = nt__cpinfo_tab[ti].norm;
    const long mi = nt__cpinfo_index(*norm);
    if (mi < 0) /* NT__CI_FASTLET says it is in the table */
        return 0;
    *skel = nt__cpinfo_tab[mi].skel;
    return 1;
}

/* The one-byte ASCII fold of a letter after canonical spelling, or 0. */
static char fast_fold(int32_t cp)
{
    if (cp < 0x80)
        return (char)cp;
    const long i = nt__cpinfo_index(cp);
    if (i < 0 || nt__cpinfo_tab[i].nfold != 1 || nt__cpinfo_tab[i].fold[0] >= 0x80)
        return 0;
    return (char)nt__cpinfo_tab[i].fold[0];
}

/* The letters of the word at the start of [s, e); returns where they end. */
static size_t fast_letters(const ctx *c, size_t s, size_t e, fchunk *f)
{
    const unsigned char *p = c->in;
    size_t i = s;
    f->n = 0;
    f->ascii = 1;
    while (i < e && f->n < FAST_WORD_MAX) {
        int32_t cp;
        size_t n = 1;
        char skel;
        if (p[i] < 0x80) {
            if (p[i] >= 'a' && p[i] <= 'z')
                cp = p[i];
            else if (p[i] >= 'A' && p[i] <= 'Z')
                cp = p[i] + 32;
            else
                break;
            skel = (char)cp;
        } else {
            int32_t raw;
            n = nt__utf8_decode(p + i, e - i, &raw);
            if (n == 0 || !fast_letter(raw, &cp, &skel))
                break;
            if (cp >= 0x80)
                f->ascii = 0;
        }
        f->l[f->n++] = (fletter){cp, (uint32_t)i, (uint32_t)(i + n), 0, skel};
        i += n;
    }
    return i;
}

/* What fast_word learnt about one letter sequence (see syl_lookup). */
typedef struct syl_entry {
    uint16_t key[NT__SYL_MAX];
    uint8_t n;      /* 0: empty slot */
    uint8_t simple; /* one word token; canonical spelling in val */
    uint16_t val[NT__SYL_MAX];
} syl_entry;

#define SYL_CACHE 512

/* Per thread, a direct-mapped memo of the Vietnamese analysis of short words
 * (nt__viet_onset and canonical spelling are pure functions of the letters),
 * so that the words a thread sees again and again are analysed once. */
static _Thread_local syl_entry syl_cache[SYL_CACHE];

/* The uncached analysis: is cps[0..n) (norm letters, n <= NT__SYL_MAX) one
 * word token of stage 2, and its canonical spelling (rewritten in place)? */
static int syl_analyse(int32_t *cps, size_t n, int ascii)
{
    /* emit_word_ptoks: a word with non-ASCII letters that is not one
     * syllable is split (or at least analysed again) */
    int ol = -1;
    if (!ascii && n > 1 && (ol = nt__viet_onset(cps, n)) < 0)
        return 0;
    /* emit: canonical spelling, which changes an ASCII word only at a final
     * i/y */
    if (!ascii || (n >= 2 && (cps[n - 1] == 'i' || cps[n - 1] == 'y'))) {
        if (ol >= 0)
            nt__viet_canon_known(cps, n, ol);
        else
            nt__viet_canon(cps, n);
    }
    return 1;
}

/* syl_analyse through the per-thread memo (every letter < U+10000). */
static int syl_lookup(int32_t *cps, size_t n, int ascii)
{
    uint32_t h = (uint32_t)n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint32_t)cps[i]) * 0x01000193u;
    syl_entry *en = &syl_cache[(h ^ (h >> 15)) & (SYL_CACHE - 1)];
    int hit = en->n == n;
    for (size_t i = 0; hit && i < n; i++)
        hit = en->key[i] == cps[i];
    if (!hit) {
        int32_t w[NT__SYL_MAX];
        memcpy(w, cps, n * sizeof *w);
        const int simple = syl_analyse(w, n, ascii);
        for (size_t i = 0; i < n; i++) {
            if (w[i] < 0 || w[i] > 0xFFFF) { /* does not fit the memo */
                memcpy(cps, w, n * sizeof *w);
                en->n = 0;
                return simple;
            }
        }
        en->simple = (uint8_t)simple;
        for (size_t i = 0; i < n; i++) {
            en->key[i] = (uint16_t)cps[i];
            en->val[i] = (uint16_t)w[i];
        }
        en->n = (uint8_t)n;
    }
    for (size_t i = 0; i < n; i++)
        cps[i] = en->val[i];
    return en->simple;
}

/* Does the word of f come out of stages 2 and 4 as one word token (no
 * squeezing, no split into syllables), and what is its canonical spelling?
 * Rewrites f's letters to it and fills in their folds. */
static int fast_word(fchunk *f)
{
    const size_t n = f->n;
    int32_t cps[NT__SYL_MAX];
    /* letters_word: three letters with the same skeleton squeeze */
    for (size_t i = 2; i < n; i++) {
        const char k = f->l[i].skel;
        if (k == f->l[i - 1].skel && k == f->l[i - 2].skel)
            return 0;
    }
    /* longer words: an ASCII one is left as it is, any other is split */
    if (n > NT__SYL_MAX && !f->ascii)
        return 0;
    if (n <= NT__SYL_MAX &&
        (!f->ascii || (n >= 2 && (f->l[n - 1].cp == 'i' || f->l[n - 1].cp == 'y')))) {
        for (size_t i = 0; i < n; i++)
            cps[i] = f->l[i].cp;
        if (!syl_lookup(cps, n, f->ascii))
            return 0;
        for (size_t i = 0; i < n; i++)
            f->l[i].cp = cps[i];
    }
    for (size_t i = 0; i < n; i++) {
        if ((f->l[i].fold = fast_fold(f->l[i].cp)) == 0)
            return 0;
    }
    return 1;
}

/* Is the chunk [s, e) simple, and how?  Fills f; 0 when the stages must
 * handle it. */
static int fast_analyse(const ctx *c, size_t s, size_t e, fchunk *f)
{
    const unsigned char *p = c->in;
    const size_t w = fast_letters(c, s, e, f);
    f->single = 0;
    if (w > s) {
        f->kind = FC_WORD;
        f->pstart = w;
        if (w < e) {
            /* letters_punct_chunk: a run of one trailing mark; or a single
             * '!', which plain_segment keeps apart as a symbol (a leet '!'
             * at the edge of a word stays a symbol) */
            const unsigned char m = p[w];
            if (m == '!') {
                if (w + 1 != e)
                    return 0;
            } else {
                if (!is_trailing_punct(m))
                    return 0;
                for (size_t i = w + 1; i < e; i++) {
                    if (p[i] != m)
                        return 0;
                }
            }
        } else if (f->n < 2) {
            f->single = 1; /* may be a spaced-out letter: see run_message */
        }
        return fast_word(f);
    }
    /* ASCII symbols only: no word, no link, runs of one symbol; or ASCII
     * digits only: one number */
    int sym = 1, dig = 1;
    for (size_t i = s; i < e; i++) {
        const unsigned char b = p[i];
        if (b >= 0x80)
            return 0;
        const int k = nt__cpinfo_tab[b].cls;
        sym &= k == NT__C_SYM;
        dig &= k == NT__C_DIGIT;
    }
    if (sym) {
        f->kind = FC_SYMBOLS;
        return 1;
    }
    if (dig) {
        f->kind = FC_DIGITS;
        return 1;
    }
    return 0;
}

/* The boundary flag for the next pre-token, consumed. */
static uint16_t take_boundary(ctx *c)
{
    const uint16_t fl = c->boundary ? NT_TOKF_BOUNDARY : 0;
    c->boundary = 0;
    return fl;
}

static nt_err fast_token(ctx *c, uint32_t start, uint32_t fstart, uint32_t os, uint32_t oe,
                         uint16_t kind, uint16_t flags)
{
    nt_err rc = GROW(&c->ar, c->tok, c->ctok, c->ntok + 1);
    if (rc)
        return rc;
    nt_token *tk = &c->tok[c->ntok++];
    tk->start = start;
    tk->end = (uint32_t)c->f[NT_FORM_NORM].b.len;
    tk->fstart = fstart;
    tk->fend = (uint32_t)c->f[NT_FORM_FOLD].b.len;
    tk->ostart = os;
    tk->oend = oe;
    tk->kind = kind;
    tk->flags = flags;
    c->last_oe = oe;
    c->prev_kind = kind;
    return form_too_big(c) ? NT_ERR_TOO_BIG : NT_OK;
}

/* A token of ASCII bytes in[s, e) that NORM and FOLD keep as they are. */
static nt_err fast_ascii_token(ctx *c, size_t s, size_t e, uint16_t kind)
{
    nt_err rc;
    const uint16_t flags = take_boundary(c);
    if (c->ntok > 0 && (rc = put_space(c, c->last_oe, (uint32_t)s)) != NT_OK)
        return rc;
    form_b *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
    const uint32_t start = (uint32_t)nf->b.len;
    const uint32_t fstart = (uint32_t)ff->b.len;
    if (fb_room(nf, e - s) && fb_room(ff, e - s)) {
        for (size_t i = s; i < e; i++) {
            fb_put_ascii(nf, c->in[i], (uint32_t)i, (uint32_t)i + 1);
            fb_put_ascii(ff, c->in[i], (uint32_t)i, (uint32_t)i + 1);
        }
        nf->b.data[nf->b.len] = '\0';
        ff->b.data[ff->b.len] = '\0';
    } else {
        for (size_t i = s; i < e; i++) {
            if ((rc = fb_put(nf, c->in[i], (uint32_t)i, (uint32_t)i + 1)) != NT_OK)
                return rc;
            if ((rc = fb_put(ff, c->in[i], (uint32_t)i, (uint32_t)i + 1)) != NT_OK)
                return rc;
        }
    }
    return fast_token(c, start, fstart, (uint32_t)s, (uint32_t)e, kind, flags);
}

/* teencode() for a simple word. */
static const char *fast_teencode(const ctx *c, const fchunk *f)
{
    const size_t n = f->n;
    if (!c->lex || (c->flags & NT_TEXT_NO_TEENCODE) || n > 16)
        return NULL;
    nt__unit w[16];
    unsigned char norm[80], fold[16];
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        w[i] = (nt__unit){f->l[i].cp, 0, 0, 0};
        nl += utf8_put(f->l[i].cp, norm + nl);
        fold[i] = (unsigned char)f->l[i].fold;
    }
    if (c->prev_kind == NT_TOK_NUMBER && is_amount_unit(w, n))
        return NULL;
    return nt__lexicon_find(c->lex, (const char *)norm, nl, (const char *)fold, n);
}

/* Emit a simple word (and its trailing symbol run) as emit() would. */
static nt_err fast_emit_word(ctx *c, const fchunk *f, size_t e)
{
    nt_err rc;
    const uint32_t os = f->l[0].os, oe = f->l[f->n - 1].oe;
    const uint16_t flags = take_boundary(c);
    const char *exp = fast_teencode(c, f);
    if (exp) {
        if ((rc = emit_expansion(c, exp, os, oe, flags, &c->last_oe)) != NT_OK)
            return rc;
        c->prev_kind = NT_TOK_WORD;
    } else {
        if (c->ntok > 0 && (rc = put_space(c, c->last_oe, os)) != NT_OK)
            return rc;
        form_b *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
        const uint32_t start = (uint32_t)nf->b.len;
        const uint32_t fstart = (uint32_t)ff->b.len;
        if (fb_room(nf, 4 * f->n) && fb_room(ff, f->n)) {
            /* the checked appends below, without their checks */
            for (size_t i = 0; i < f->n; i++) {
                const fletter *l = &f->l[i];
                if (l->cp < 0x80) {
                    fb_put_ascii(nf, l->cp, l->os, l->oe);
                } else {
                    const size_t k = utf8_put(l->cp, (unsigned char *)nf->b.data + nf->b.len);
                    for (size_t j = 0; j < k; j++) {
                        nf->os[nf->b.len + j] = l->os;
                        nf->oe[nf->b.len + j] = l->oe;
                    }
                    nf->b.len += k;
                }
                fb_put_ascii(ff, l->fold, l->os, l->oe);
            }
            nf->b.data[nf->b.len] = '\0';
            ff->b.data[ff->b.len] = '\0';
        } else {
            for (size_t i = 0; i < f->n; i++) {
                const fletter *l = &f->l[i];
                if ((rc = fb_put(nf, l->cp, l->os, l->oe)) != NT_OK)
                    return rc;
                if ((rc = fb_put(ff, l->fold, l->os, l->oe)) != NT_OK)
                    return rc;
            }
        }
        if ((rc = fast_token(c, start, fstart, os, oe, NT_TOK_WORD, flags)) != NT_OK)
            return rc;
    }
    if (f->pstart < e) {
        if ((rc = fast_ascii_token(c, f->pstart, e, NT_TOK_PUNCT)) != NT_OK)
            return rc;
        if (is_clause_punct(c->in[f->pstart]))
            c->boundary = 1;
    }
    return NT_OK;
}

/* Emit the simple chunk [s, e): its NFC bytes, then its tokens. */
static nt_err fast_emit(ctx *c, const fchunk *f, size_t s, size_t e)
{
    nt_err rc;
    const unsigned char *p = c->in;
    form_b *nfc = &c->f[NT_FORM_NFC];
    if (fb_room(nfc, e - s)) {
        /* the chunk is valid UTF-8 of one-code-point clusters, NFC as it is */
        memcpy(nfc->b.data + nfc->b.len, p + s, e - s);
        uint32_t *os = nfc->os + nfc->b.len, *oe = nfc->oe + nfc->b.len;
        for (size_t i = s; i < e;) {
            const size_t n = p[i] < 0x80 ? 1 : p[i] < 0xE0 ? 2 : p[i] < 0xF0 ? 3 : 4;
            for (size_t j = 0; j < n; j++) {
                *os++ = (uint32_t)i;
                *oe++ = (uint32_t)(i + n);
            }
            i += n;
        }
        nfc->b.len += e - s;
        nfc->b.data[nfc->b.len] = '\0';
    } else {
        for (size_t i = s; i < e;) {
            const size_t n = p[i] < 0x80 ? 1 : p[i] < 0xE0 ? 2 : p[i] < 0xF0 ? 3 : 4;
            int32_t cp;
            if (n == 1)
                cp = p[i];
            else if (nt__utf8_decode(p + i, e - i, &cp) != n)
                return NT_ERR_INTERNAL;
            if ((rc = fb_put(nfc, cp, (uint32_t)i, (uint32_t)(i + n))) != NT_OK)
                return rc;
            i += n;
        }
    }
    if (f->kind == FC_WORD)
        return fast_emit_word(c, f, e);
    if (f->kind == FC_DIGITS)
        return fast_ascii_token(c, s, e, NT_TOK_NUMBER);
    for (size_t i = s; i < e;) { /* FC_SYMBOLS: runs of one symbol */
        size_t j = i + 1;
        while (j < e && p[j] == p[i])
            j++;
        if ((rc = fast_ascii_token(c, i, j, NT_TOK_PUNCT)) != NT_OK)
            return rc;
        if (is_clause_punct(p[i]))
            c->boundary = 1;
        i = j;
    }
    return NT_OK;
}

/* ASCII whitespace in[s, e): NFC bytes; a line break marks a boundary. */
static nt_err put_ws(ctx *c, size_t s, size_t e)
{
    form_b *nfc = &c->f[NT_FORM_NFC];
    if (e - s == 1 && fb_room(nfc, 1)) { /* the usual single space */
        fb_put_ascii(nfc, c->in[s], (uint32_t)s, (uint32_t)s + 1);
        nfc->b.data[nfc->b.len] = '\0';
        if (c->in[s] == '\n' || c->in[s] == '\r')
            c->boundary = 1;
        return NT_OK;
    }
    for (size_t i = s; i < e; i++) {
        nt_err rc = fb_put(&c->f[NT_FORM_NFC], c->in[i], (uint32_t)i, (uint32_t)i + 1);
        if (rc)
            return rc;
        if (c->in[i] == '\n' || c->in[i] == '\r')
            c->boundary = 1;
    }
    return NT_OK;
}

/* Can the stages start at s (after ASCII whitespace) as if the whole message
 * had been given to them: does the first code point begin a grapheme cluster
 * of its own, and is it not an invisible character that stage 1 drops? */
static int clean_start(const ctx *c, size_t s, size_t e)
{
    int32_t cp;
    if (c->in[s] < 0x80)
        return 1;
    if (nt__utf8_decode(c->in + s, e - s, &cp) == 0)
        return 1; /* U+FFFD: grapheme-break class Other */
    const long ti = nt__cpinfo_index(cp);
    if (ti >= 0)
        return (nt__cpinfo_tab[ti].flags & (NT__CI_BC_OTHER | NT__CI_INVISIBLE)) == NT__CI_BC_OTHER;
    const utf8proc_property_t *pr = utf8proc_get_property(cp);
    if (pr->ignorable || pr->category == UTF8PROC_CATEGORY_CF)
        return 0;
    return pr->boundclass != UTF8PROC_BOUNDCLASS_EXTEND &&
           pr->boundclass != UTF8PROC_BOUNDCLASS_ZWJ &&
           pr->boundclass != UTF8PROC_BOUNDCLASS_SPACINGMARK;
}

/* Stages 1-4 over in[s, e) (s is 0 or follows ASCII whitespace, e is the end
 * or is followed by it), appending to the forms and tokens. */
static nt_err stages(ctx *c, size_t s, size_t e, int strict, nt_diag *diag)
{
    nt_err rc;
    const size_t len = c->len;
    c->nu = c->np = c->npt = c->nat = c->nclu = 0;
    c->len = e;
    rc = pass_nfc(c, s, strict, diag);
    c->len = len;
    if (rc)
        return rc;
    if ((rc = tokenize(c)) != NT_OK)
        return rc;
    if (!(c->flags & NT_TEXT_NO_DEOBFUSCATE) && (rc = join_spaced_letters(c)) != NT_OK)
        return rc;
    return emit(c);
}

/* Forget everything written so far (the whole message goes to the stages). */
static void restart(ctx *c)
{
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        c->f[f].b.len = 0;
        c->f[f].b.data[0] = '\0';
    }
    c->ntok = 0;
    c->replacements = 0;
    c->boundary = 0;
    c->last_oe = 0;
    c->prev_kind = -1;
}

/* The chunk (run of non-whitespace bytes) at or after i: its start (len if
 * there is none); *e gets its end. */
static size_t next_chunk(const unsigned char *p, size_t len, size_t i, size_t *e)
{
    while (i < len && is_ws_byte(p[i]))
        i++;
    size_t j = i;
    /* Skip eight bytes at a time while none can be whitespace: the usual
     * "some byte below 0x21" and "some byte equal to 0x7F" word tests (they
     * may also fire without one; the byte loop then decides). */
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    while (j + 8 <= len) {
        uint64_t x;
        memcpy(&x, p + j, 8);
        const uint64_t z = x ^ (0x7F * ones);
        if ((((x - 0x21 * ones) & ~x) | ((z - ones) & ~z)) & high)
            break;
        j += 8;
    }
    while (j < len && !is_ws_byte(p[j]))
        j++;
    *e = j;
    return i;
}

/* The whole message: simple chunks by fast_emit, runs of other chunks by
 * stages().  A one-letter chunk is simple only between simple chunks of
 * more than one letter (or the ends of the message): anywhere else it may
 * be one of several letters spelled with spaces, which stage 3 joins. */
static nt_err run_message(ctx *c, int strict, nt_diag *diag)
{
    nt_err rc;
    const unsigned char *p = c->in;
    const size_t len = c->len;
    size_t done = 0;              /* in[0, done) is in the NFC form */
    size_t rs = SIZE_MAX, re = 0; /* pending run for the stages */
    fchunk fa[2];
    fchunk *cur = &fa[0], *nxt = &fa[1];
    c->prev_kind = -1;
    if (strict && nt_utf8_validate((const char *)p, len, NULL) != NT_OK)
        return stages(c, 0, len, strict, diag);
    size_t e, ne;
    size_t s = next_chunk(p, len, 0, &e);
    int cur_ok = s < len && fast_analyse(c, s, e, cur);
    while (s < len) {
        const size_t ns = next_chunk(p, len, e, &ne);
        const int nxt_ok = ns < len && fast_analyse(c, ns, ne, nxt);
        int ok = cur_ok;
        if (ok && cur->single)
            ok = rs == SIZE_MAX && (ns >= len || (nxt_ok && !nxt->single));
        if (!ok) {
            if (!clean_start(c, s, e)) {
                restart(c);
                return stages(c, 0, len, strict, diag);
            }
            if (rs == SIZE_MAX)
                rs = s;
            re = e;
        } else {
            if (rs != SIZE_MAX) {
                if ((rc = put_ws(c, done, rs)) != NT_OK ||
                    (rc = stages(c, rs, re, strict, diag)) != NT_OK)
                    return rc;
                done = re;
                rs = SIZE_MAX;
            }
            if ((rc = put_ws(c, done, s)) != NT_OK || (rc = fast_emit(c, cur, s, e)) != NT_OK)
                return rc;
            done = e;
        }
        fchunk *t = cur;
        cur = nxt;
        nxt = t;
        s = ns;
        e = ne;
        cur_ok = nxt_ok;
    }
    if (rs != SIZE_MAX) {
        if ((rc = put_ws(c, done, rs)) != NT_OK || (rc = stages(c, rs, re, strict, diag)) != NT_OK)
            return rc;
        done = re;
    }
    return put_ws(c, done, len);
}

/* ---- public API ---- */

void nt_text_options_init(nt_text_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->max_bytes = NT_DEFAULT_MAX_MESSAGE_BYTES;
    opts->utf8 = NT_UTF8_LENIENT;
}

const char *nt_form_name(nt_form form)
{
    switch (form) {
    case NT_FORM_NFC:
        return "nfc";
    case NT_FORM_NORM:
        return "norm";
    case NT_FORM_FOLD:
        return "fold";
    default:
        return "?";
    }
}

void nt_text_free(nt_text *t)
{
    if (!t)
        return;
    if (!t->packed) {
        for (int f = 0; f < NT_FORM_COUNT; f++) {
            free(t->form[f]);
            free(t->os[f]);
            free(t->oe[f]);
        }
        free(t->tok);
    }
    free(t);
}

/* Long messages (no arena): hand the heap buffers over as they are, so that
 * the peak does not also hold a copy of the result. */
static nt_text *hand_over(ctx *c)
{
    nt_text *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        t->flen[f] = c->f[f].b.len;
        t->form[f] = c->f[f].b.data; /* reserved at the start: never NULL */
        t->form[f][t->flen[f]] = '\0';
        t->os[f] = c->f[f].os;
        t->oe[f] = c->f[f].oe;
        c->f[f].b.data = NULL;
        c->f[f].os = c->f[f].oe = NULL;
    }
    t->tok = c->tok;
    t->ntok = c->ntok;
    c->tok = NULL;
    t->replacements = c->replacements;
    t->packed = 0;
    return t;
}

/* Copy the forms, their maps and the tokens into one block headed by the
 * nt_text: maps first, then tokens (both 4-byte aligned after the struct),
 * then the NUL-terminated form bytes.  NULL when out of memory. */
static nt_text *pack_result(const ctx *c)
{
    size_t maps = 0, bytes = 0;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        const size_t n = c->f[f].b.len;
        if (n > SIZE_MAX / 16 - maps || n + 1 > SIZE_MAX / 4 - bytes)
            return NULL;
        maps += 2 * n;
        bytes += n + 1;
    }
    if (c->ntok > SIZE_MAX / 2 / sizeof(nt_token))
        return NULL;
    const size_t toks = c->ntok * sizeof(nt_token);
    const size_t total = sizeof(nt_text) + maps * sizeof(uint32_t) + toks + bytes;
    if (total < bytes) /* wrapped */
        return NULL;
    nt_text *t = malloc(total);
    if (!t)
        return NULL;
    uint32_t *m = (uint32_t *)(t + 1);
    nt_token *tok = (nt_token *)(m + maps);
    char *chars = (char *)(tok + c->ntok);
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        const size_t n = c->f[f].b.len;
        t->flen[f] = n;
        t->os[f] = m;
        memcpy(m, c->f[f].os, n * sizeof *m);
        m += n;
        t->oe[f] = m;
        memcpy(m, c->f[f].oe, n * sizeof *m);
        m += n;
        t->form[f] = chars;
        memcpy(chars, c->f[f].b.data, n);
        chars[n] = '\0';
        chars += n + 1;
    }
    t->tok = c->ntok ? tok : NULL;
    if (c->ntok)
        memcpy(tok, c->tok, toks);
    t->ntok = c->ntok;
    t->replacements = c->replacements;
    t->packed = 1;
    return t;
}

static void ctx_free(ctx *c)
{
    void *const heap[] = {c->u,  c->pool, c->pt, c->at, c->clu, c->dec, c->enc, c->tok,
                          c->f[0].b.data, c->f[0].os, c->f[0].oe, c->f[1].b.data, c->f[1].os,
                          c->f[1].oe, c->f[2].b.data, c->f[2].os, c->f[2].oe};
    for (size_t i = 0; i < sizeof heap / sizeof heap[0]; i++) {
        if (!in_arena(&c->ar, heap[i]))
            free(heap[i]);
    }
    free(c->ar.base);
}

/* Start the scratch arrays in one block sized from the input length
 * (short messages only; longer ones grow on the heap from the start). */
static nt_err ctx_arena(ctx *c, size_t len)
{
    if (len > ARENA_MAX_INPUT)
        return NT_OK;
    const size_t nu = len + 1, npool = len + len / 2 + 32, nsmall = len / 2 + 32, nclu = 32;
    const size_t nform[NT_FORM_COUNT] = {len + 34, len + len / 2 + 64, len + len / 2 + 64};
    /* each array is rounded up to 8 bytes by arena_take: 8 slack apiece */
    size_t size = (nu + npool + nclu) * sizeof(nt__unit) + nsmall * sizeof(ptok) +
                  nsmall * sizeof(atom) + nsmall * sizeof(nt_token) + 6 * 8;
    for (int f = 0; f < NT_FORM_COUNT; f++)
        size += nform[f] * (1 + 2 * sizeof(uint32_t)) + 3 * 8;
    c->ar.base = malloc(size);
    if (!c->ar.base)
        return NT_ERR_NOMEM;
    c->ar.size = size;
    c->u = arena_take(&c->ar, nu, sizeof(nt__unit));
    c->cu = nu;
    c->pool = arena_take(&c->ar, npool, sizeof(nt__unit));
    c->cp = npool;
    c->clu = arena_take(&c->ar, nclu, sizeof(nt__unit));
    c->cclu = nclu;
    c->pt = arena_take(&c->ar, nsmall, sizeof(ptok));
    c->cpt = nsmall;
    c->at = arena_take(&c->ar, nsmall, sizeof(atom));
    c->cat = nsmall;
    c->tok = arena_take(&c->ar, nsmall, sizeof(nt_token));
    c->ctok = nsmall;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        c->f[f].b.data = arena_take(&c->ar, nform[f], 1);
        c->f[f].b.cap = nform[f];
        c->f[f].b.data[0] = '\0';
        c->f[f].os = arena_take(&c->ar, nform[f], sizeof(uint32_t));
        c->f[f].oe = arena_take(&c->ar, nform[f], sizeof(uint32_t));
        c->f[f].mcap = nform[f];
    }
    return c->ar.used <= c->ar.size ? NT_OK : NT_ERR_INTERNAL;
}

nt_err nt_text_normalize(const char *in, size_t len, const nt_text_options *opts, nt_text **out,
                         nt_diag *diag)
{
    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no input or no output pointer");
    *out = NULL;
    nt_text_options def;
    if (!opts) {
        nt_text_options_init(&def);
        opts = &def;
    }
    size_t limit = opts->max_bytes ? opts->max_bytes : NT_DEFAULT_MAX_MESSAGE_BYTES;
    if (limit > NT_MAX_MESSAGE_BYTES_CEILING)
        limit = NT_MAX_MESSAGE_BYTES_CEILING;
    if (len > limit)
        return nt__fail(diag, NT_ERR_TOO_BIG, limit,
                        "message of %zu bytes is larger than the %zu-byte limit", len, limit);
    nt_err rc = NT_OK;
    nt_text *t = NULL;
    nt__cpinfo_table();
    ctx c;
    memset(&c, 0, sizeof c);
    c.in = (const unsigned char *)in;
    c.len = len;
    c.flags = opts->flags;
    c.lex = opts->teencode;
    /* NFKC and teencode can lengthen text; bound the forms all the same. */
    c.form_limit = 32 * len + 4096;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        nt__buf_init(&c.f[f].b, c.form_limit + 64);
        c.f[f].ar = &c.ar;
    }
    if ((rc = ctx_arena(&c, len)) != NT_OK)
        goto cleanup;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        if ((rc = fb_reserve(&c.f[f], len + 1)) != NT_OK)
            goto cleanup;
    }
    if ((rc = GROW(&c.ar, c.u, c.cu, len + 1)) != NT_OK)
        goto cleanup;
    if ((rc = run_message(&c, opts->utf8 == NT_UTF8_STRICT, diag)) != NT_OK)
        goto cleanup;
    /* short messages: one block; long ones: the buffers themselves */
    if ((t = c.ar.base ? pack_result(&c) : hand_over(&c)) == NULL) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    *out = t;
    t = NULL;
cleanup:
    if (rc == NT_ERR_NOMEM)
        nt__fail(diag, rc, 0, "out of memory normalising a %zu-byte message", len);
    else if (rc == NT_ERR_TOO_BIG)
        nt__fail(diag, rc, limit, "normalised text would exceed %zu bytes", c.form_limit);
    else if (rc == NT_ERR_INTERNAL)
        nt__fail(diag, rc, 0, "utf8proc failed unexpectedly");
    nt_text_free(t);
    ctx_free(&c);
    return rc;
}

const char *nt_text_form(const nt_text *t, nt_form form, size_t *len)
{
    if (!t || (int)form < 0 || (int)form >= NT_FORM_COUNT) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = t->flen[form];
    return t->form[form];
}

nt_err nt_text_span(const nt_text *t, nt_form form, size_t start, size_t end, size_t *orig_start,
                    size_t *orig_end)
{
    if (!t || (int)form < 0 || (int)form >= NT_FORM_COUNT || start > end ||
        end > t->flen[form] || !orig_start || !orig_end)
        return NT_ERR_INVALID_ARG;
    if (start == end) {
        size_t at = 0;
        if (start < t->flen[form])
            at = t->os[form][start];
        else if (start > 0)
            at = t->oe[form][start - 1];
        *orig_start = *orig_end = at;
        return NT_OK;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = start; i < end; i++) {
        if (t->os[form][i] < lo)
            lo = t->os[form][i];
        if (t->oe[form][i] > hi)
            hi = t->oe[form][i];
    }
    *orig_start = lo;
    *orig_end = hi < lo ? lo : hi;
    return NT_OK;
}

size_t nt_text_replacements(const nt_text *t)
{
    return t ? t->replacements : 0;
}

const nt_token *nt_text_tokens(const nt_text *t, size_t *n)
{
    if (n)
        *n = t ? t->ntok : 0;
    return t ? t->tok : NULL;
}
