/*
 * lib/text/stages.c - the general normalisation pipeline, for every chunk of
 * a message that the one-pass writer of normalize.c does not handle (and for
 * the whole message in the rare cases listed there).
 *
 * The one idea: every code point carries the original byte span it came from
 * ([os, oe) of the caller's input), through every stage, so that each byte of
 * each form can be mapped back exactly.  Stages, over a sub-range of the
 * input:
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
 * nt__stages runs them over a sub-range of the input.  nt__stages_direct
 * runs stages 2 and 4 over one chunk whose code points are each ASCII or a
 * fast letter (NT__CI_FASTLET): each is a grapheme cluster of its own and NFC
 * as it is, so its units come straight from the input bytes.
 *
 * Their output maps byte by byte (EXP segments, see norm_internal.h), except
 * ASCII runs of the NFC form and, from nt__stages_direct, tokens whose units
 * are the input's consecutive code points (CP), and separator spaces and
 * expansions (UNI).  The scratch arrays start in the caller's stack arena
 * and move to the heap if they outgrow it; nothing is allocated per
 * character.
 */
#include "text/norm_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* Atom kinds (nt__atom.kind). */
enum { A_WORD, A_NUM, A_SYM };

/* Carve the scratch arrays from the arena, sized for a message of c->len
 * bytes as far as the arena goes (GROW moves them to the heap beyond). */
static void scratch_init(nt__ctx *c)
{
    c->scratch_ready = 1;
    c->u = c->pool = c->clu = NULL;
    c->pt = NULL;
    c->at = NULL;
    c->dec = NULL;
    c->enc = NULL;
    c->nu = c->cu = c->np = c->cp = c->npt = c->cpt = c->nat = c->cat = 0;
    c->nclu = c->cclu = c->cdec = c->cenc = 0;
    size_t m = c->len;
    for (;;) {
        const size_t nu = m + 1, npool = m + m / 2 + 32, nsmall = m / 2 + 32, nclu = 32;
        const size_t need = (nu + npool + nclu) * sizeof(nt__unit) +
                            nsmall * (sizeof(nt__ptok) + sizeof(nt__atom)) + 5 * 16;
        if (need <= c->ar.size - c->ar.used) {
            unsigned char *p = c->ar.base + c->ar.used;
#define CARVE(arr, capf, n)                                                                    \
    do {                                                                                       \
        (arr) = (void *)p;                                                                     \
        (capf) = (n);                                                                          \
        p += ((n) * sizeof *(arr) + 15) & ~(size_t)15;                                         \
    } while (0)
            CARVE(c->u, c->cu, nu);
            CARVE(c->pool, c->cp, npool);
            CARVE(c->clu, c->cclu, nclu);
            CARVE(c->pt, c->cpt, nsmall);
            CARVE(c->at, c->cat, nsmall);
#undef CARVE
            c->ar.used = (size_t)(p - c->ar.base);
            return;
        }
        if (m < 64)
            return; /* no arena: everything on the heap */
        m /= 2;
    }
}

/* nt__utf8_encode with the one- to three-byte cases inline. */
static inline size_t utf8_put_small(int32_t cp, unsigned char *d)
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

static int is_newline(int32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
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

static nt_err push_unit(nt__ctx *c, int32_t cp, uint32_t os, uint32_t oe, uint32_t flags)
{
    nt_err rc = NT__GROW(c, c->u, c->cu, c->nu + 1);
    if (rc)
        return rc;
    c->u[c->nu++] = (nt__unit){cp, os, oe, flags};
    return NT_OK;
}

/* One NFC code point: emit it to the NFC form and its NFKC case fold to the
 * norm units. */
static nt_err emit_nfc(nt__ctx *c, int32_t cp, uint32_t os, uint32_t oe, int cstart)
{
    nt_err rc = nt__form_put_exp(c, &c->f[NT_FORM_NFC], cp, os, oe);
    if (rc)
        return rc;
    uint32_t fl = cstart ? NT__U_CSTART : 0;
    if (is_newline(cp))
        fl |= NT__U_NEWLINE;
    if (cp < 0x80)
        return push_unit(c, cp >= 'A' && cp <= 'Z' ? cp + 32 : cp, os, oe, fl);
    if (cp == 0) /* NUL is whitespace in NORM/FOLD; nt__classify() sees it as such */
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
        if (cp >= 0x2000 && m[i] < 0x80 && nt__classify(m[i]) != NT__C_SYM && nt__classify(m[i]) != NT__C_SPACE)
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

static nt_err flush_cluster(nt__ctx *c)
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
    if ((rc = NT__GROW(c, c->enc, c->cenc, c->nclu * 4 + 1)) != NT_OK)
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
        if ((rc = NT__GROW(c, c->dec, c->cdec, (size_t)n)) != NT_OK)
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

static nt_err push_cluster(nt__ctx *c, int32_t cp, size_t os, size_t oe)
{
    nt_err rc = NT__GROW(c, c->clu, c->cclu, c->nclu + 1);
    if (rc)
        return rc;
    c->clu[c->nclu++] = (nt__unit){cp, (uint32_t)os, (uint32_t)oe, 0};
    return NT_OK;
}

/* Decode the code point at i for look-ahead; -1 at the end or if malformed. */
static int32_t peek_cp(const nt__ctx *c, size_t i)
{
    int32_t cp;
    if (i >= c->len || nt__utf8_decode(c->in + i, c->len - i, &cp) == 0)
        return -1;
    return cp;
}

/* Should an ignorable / format character be kept?  Only where it is part of an
 * emoji: ZWJ between pictographs, variation selectors and tags after one. */
static int keep_invisible(const nt__ctx *c, int32_t cp, const utf8proc_property_t *p, int emoji,
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
static nt_err ascii_run(nt__ctx *c, size_t *i)
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
    /* NFC holds these bytes verbatim, each its own span: a CP segment (the
     * run is reserved at once: it fails at the byte limit as a whole) */
    nt__form *f = &c->f[NT_FORM_NFC];
    if (f->len + n >= f->toobig)
        return NT_ERR_TOO_BIG;
    if ((rc = nt__form_room(c, f, n, 1)) != NT_OK)
        return rc;
    nt__map_cp(f, (uint32_t)*i, f->len);
    memcpy(f->d + f->len, p + *i, n);
    f->len += n;
    f->cp_next = (uint32_t)e;
    if ((rc = NT__GROW(c, c->u, c->cu, c->nu + n)) != NT_OK)
        return rc;
    for (size_t k = *i; k < e; k++) {
        const int32_t cp = p[k];
        const uint32_t fl = NT__U_CSTART | (cp == '\n' || cp == '\r' ? NT__U_NEWLINE : 0);
        c->u[c->nu++] = (nt__unit){cp >= 'A' && cp <= 'Z' ? cp + 32 : cp, (uint32_t)k, (uint32_t)k + 1, fl};
    }
    *i = e;
    return NT_OK;
}

/* Stage 1 over the input bytes [from, c->len); `from` is 0 or follows an
 * ASCII whitespace byte (see run_message). */
static nt_err pass_nfc(nt__ctx *c, size_t from, int strict, nt_diag *diag)
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

static nt_err pool_push(nt__ctx *c, int32_t cp, uint32_t os, uint32_t oe)
{
    nt_err rc = NT__GROW(c, c->pool, c->cp, c->np + 1);
    if (rc)
        return rc;
    c->pool[c->np++] = (nt__unit){cp, os, oe, 0};
    return NT_OK;
}

static nt_err pool_copy(nt__ctx *c, size_t s, size_t e)
{
    nt_err rc = NT__GROW(c, c->pool, c->cp, c->np + (e - s));
    if (rc)
        return rc;
    memcpy(c->pool + c->np, c->u + s, (e - s) * sizeof *c->u);
    for (size_t i = 0; i < e - s; i++)
        c->pool[c->np + i].flags = 0;
    c->np += e - s;
    return NT_OK;
}

static nt_err add_atom(nt__ctx *c, uint8_t kind, size_t ps, size_t pe, uint16_t flags)
{
    nt_err rc = NT__GROW(c, c->at, c->cat, c->nat + 1);
    if (rc)
        return rc;
    c->at[c->nat++] = (nt__atom){(uint32_t)ps, (uint32_t)pe, kind, flags};
    return NT_OK;
}

static nt_err add_ptok(nt__ctx *c, uint16_t kind, size_t ps, size_t pe, uint16_t flags)
{
    nt_err rc = NT__GROW(c, c->pt, c->cpt, c->npt + 1);
    if (rc)
        return rc;
    if (c->boundary) {
        flags |= NT_TOKF_BOUNDARY;
        c->boundary = 0;
    }
    c->pt[c->npt++] = (nt__ptok){(uint32_t)ps, (uint32_t)pe, kind, flags, 0, 0, NT__SYL_UNKNOWN};
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
int nt__is_amount_unit(const nt__unit *w, size_t n)
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
    while (i < n && nt__classify(w[i].cp) == NT__C_LETTER)
        i++;
    if (!nt__is_amount_unit(w + us, i - us))
        return 0;
    while (i < n && is_digit_cp(w[i].cp))
        i++;
    return i == n;
}

static int is_syllable_pool(nt__ctx *c, const nt__unit *w, size_t n)
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
static int apply_leet(nt__ctx *c, size_t s, size_t e)
{
    size_t letters = 0, leet = 0;
    for (size_t i = s; i < e; i++) {
        const int32_t cp = c->pool[i].cp;
        if (nt__leet(cp))
            leet++;
        else if (nt__classify(cp) == NT__C_LETTER)
            letters++;
        else if (nt__classify(cp) != NT__C_MARK)
            return 0;
    }
    if (leet == 0 || letters < 2 || letters <= leet)
        return 0;
    int edge = 0;
    for (size_t i = s; i < e; i++) {
        const int32_t cp = c->pool[i].cp;
        if (!nt__leet(cp))
            continue;
        const int left = i > s && (nt__classify(c->pool[i - 1].cp) == NT__C_LETTER ||
                                   nt__leet(c->pool[i - 1].cp));
        const int right = i + 1 < e && (nt__classify(c->pool[i + 1].cp) == NT__C_LETTER ||
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
static int apply_lookalike(nt__ctx *c, size_t s, size_t e)
{
    int any = 0;
    for (size_t i = s; i < e; i++) {
        const int32_t cp = c->pool[i].cp;
        if (cp < 0x80 || is_latin(cp) || nt__classify(cp) != NT__C_LETTER)
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
static void compose_marks(nt__ctx *c, size_t s, size_t *e)
{
    size_t w = s;
    for (size_t i = s; i < *e; i++) {
        nt__unit x = c->pool[i];
        if (w > s && nt__classify(x.cp) == NT__C_MARK) {
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
static int squeeze(nt__ctx *c, size_t s, size_t *e)
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
               nt__classify(cp) == NT__C_LETTER)
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
static nt_err word_run(nt__ctx *c, size_t s, size_t e)
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
    /* Plain Latin letters (no digit, leet character, mark or other
     * script): no number, no leet, one piece, no look-alike, nothing to
     * compose - the steps below would leave them as they are. */
    int plain = 1;
    for (size_t i = ps; i < pe && plain; i++) {
        const int32_t cp = c->pool[i].cp;
        plain = is_latin(cp) && !nt__leet(cp) && nt__classify(cp) == NT__C_LETTER;
    }
    if (plain) {
        size_t je = pe;
        if (squeeze(c, ps, &je))
            flags |= NT_TOKF_SQUEEZED;
        c->np -= pe - je;
        return add_atom(c, A_WORD, ps, je, flags);
    }
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
        if (is_digit_cp(c->pool[i].cp) || nt__classify(c->pool[i].cp) == NT__C_DIGIT) {
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

static int is_single_letter(const nt__atom *a)
{
    return a->kind == A_WORD && a->pe - a->ps == 1;
}

static int is_single_leet_digit(const nt__ctx *c, const nt__atom *a)
{
    return a->kind == A_NUM && a->pe - a->ps == 1 && nt__leet(c->pool[a->ps].cp);
}

static int is_sep_atom(const nt__ctx *c, const nt__atom *a)
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
static nt_err concat_words(nt__ctx *c, size_t from, size_t to, size_t *ps, size_t *pe, int leet)
{
    *ps = c->np;
    for (size_t k = from; k <= to; k++) {
        const nt__atom *a = &c->at[k];
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
static nt_err join_single_letters(nt__ctx *c)
{
    nt_err rc;
    size_t w = 0;
    for (size_t k = 0; k < c->nat;) {
        const nt__atom *a = &c->at[k];
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
        c->at[w++] = (nt__atom){(uint32_t)ps, (uint32_t)pe, A_WORD, fl};
        k = end + 1;
    }
    c->nat = w;
    return NT_OK;
}

static int word_is_syllable(nt__ctx *c, const nt__atom *a)
{
    return a->kind == A_WORD && is_syllable_pool(c, c->pool + a->ps, a->pe - a->ps);
}

static int all_latin_letters(const nt__ctx *c, const nt__atom *a)
{
    for (uint32_t i = a->ps; i < a->pe; i++) {
        if (!skeleton(c->pool[i].cp))
            return 0;
    }
    return 1;
}

/* Segment pool[ps, pe) into syllables; on success writes the atoms (one per
 * syllable) at c->at[w...] is not possible in place, so returns the ends. */
static size_t segment_pool(nt__ctx *c, size_t ps, size_t pe, size_t *ends, size_t max)
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
static nt_err join_separated_words(nt__ctx *c)
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
        c->at[w++] = (nt__atom){(uint32_t)ps, (uint32_t)pe, A_WORD, fl};
        k = end + 1;
    }
    c->nat = w;
    return NT_OK;
}

static int has_viet_marks(const nt__ctx *c, size_t ps, size_t pe)
{
    for (size_t i = ps; i < pe; i++) {
        if (c->pool[i].cp >= 0x80)
            return 1;
    }
    return 0;
}

/* Emit a word atom as one or more ptoks, splitting a rejoined (or accented)
 * multi-syllable run into syllables. */
static nt_err emit_word_ptoks(nt__ctx *c, const nt__atom *a)
{
    const size_t n = a->pe - a->ps;
    const int try_split = (a->flags & NT_TOKF_REJOINED) || has_viet_marks(c, a->ps, a->pe);
    uint8_t syl = NT__SYL_UNKNOWN;
    int ol = -1;
    if (try_split && n > 1 && n <= 256 && all_latin_letters(c, a)) {
        int32_t cps[NT__SYL_MAX];
        if (n <= NT__SYL_MAX) {
            for (size_t i = 0; i < n; i++)
                cps[i] = c->pool[a->ps + i].cp;
            ol = nt__viet_onset(cps, n);
        }
        syl = ol >= 0 ? (uint8_t)(NT__SYL_ONSET + ol) : NT__SYL_NO;
    }
    if (syl == NT__SYL_NO) {
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
static nt_err atoms_to_ptoks(nt__ctx *c)
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
        const nt__atom *a = &c->at[k];
        const size_t before = c->npt;
        if (a->kind == A_WORD) {
            rc = emit_word_ptoks(c, a);
        } else if (a->kind == A_NUM) {
            rc = add_ptok(c, NT_TOK_NUMBER, a->ps, a->pe, a->flags);
        } else {
            rc = add_ptok(c, NT_TOK_PUNCT, a->ps, a->pe, 0);
            if (rc == NT_OK && nt__is_clause_punct(c->pool[a->ps].cp))
                c->boundary = 1;
        }
        if (rc)
            return rc;
        /* A word glued to another word by a connector is part of a compound. */
        if (a->kind == A_WORD && c->npt > before) {
            const nt__atom *l = k >= 2 ? &c->at[k - 1] : NULL;
            const nt__atom *r = k + 2 < c->nat ? &c->at[k + 1] : NULL;
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

static nt_err plain_segment(nt__ctx *c, size_t s, size_t e)
{
    nt_err rc;
    size_t i = s;
    while (i < e) {
        const int k = nt__classify(c->u[i].cp);
        const int wordish = k == NT__C_LETTER || k == NT__C_DIGIT || k == NT__C_MARK;
        if (wordish || (is_leet_sym(c->u[i].cp) && i + 1 < e &&
                        (nt__classify(c->u[i + 1].cp) == NT__C_LETTER ||
                         (i > s && nt__classify(c->u[i - 1].cp) == NT__C_LETTER)))) {
            if (k == NT__C_MARK && i == s) {
                /* a lone combining mark: a symbol */
            } else {
                size_t j = i;
                while (j < e) {
                    const int32_t cp = c->u[j].cp;
                    const int kj = nt__classify(cp);
                    if (kj == NT__C_LETTER || kj == NT__C_DIGIT || kj == NT__C_MARK) {
                        j++;
                    } else if ((cp == '.' || cp == ',') && j > i && j + 1 < e &&
                               is_digit_cp(c->u[j - 1].cp) && is_digit_cp(c->u[j + 1].cp)) {
                        j++;
                    } else if (is_leet_sym(cp) &&
                               ((j > i && nt__classify(c->u[j - 1].cp) == NT__C_LETTER) ||
                                (j + 1 < e && nt__classify(c->u[j + 1].cp) == NT__C_LETTER))) {
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

static int link_may_start(const nt__ctx *c, size_t s, size_t p)
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

static nt_err flush_atoms(nt__ctx *c)
{
    nt_err rc = atoms_to_ptoks(c);
    c->nat = 0;
    return rc;
}

/* A chunk of letters only: what plain_segment + word_run would do with it.
 * There is no '.' or ':' (no link), one run of letters, and it is no number
 * and has no leet, non-Latin look-alike or combining mark, so only squeezing
 * applies. */
static nt_err letters_word(nt__ctx *c, size_t s, size_t e)
{
    nt_err rc;
    const size_t ps = c->np, n = e - s;
    if ((rc = NT__GROW(c, c->pool, c->cp, c->np + n)) != NT_OK)
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
    const nt__atom a = {(uint32_t)ps, (uint32_t)pe, A_WORD, flags};
    c->nat = 0;
    return emit_word_ptoks(c, &a);
}

static nt_err letters_chunk(nt__ctx *c, size_t s, size_t e)
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
static nt_err letters_punct_chunk(nt__ctx *c, size_t s, size_t m, size_t e)
{
    nt_err rc = letters_word(c, s, m);
    if (rc)
        return rc;
    const size_t ps = c->np;
    if ((rc = pool_copy(c, m, e)) != NT_OK)
        return rc;
    if ((rc = add_ptok(c, NT_TOK_PUNCT, ps, c->np, 0)) != NT_OK)
        return rc;
    if (nt__is_clause_punct(c->u[m].cp))
        c->boundary = 1;
    return NT_OK;
}

/* One whitespace-delimited chunk u[s, e); `letters` if every unit has a
 * skeleton (tokenize checked while scanning). */
static nt_err chunk(nt__ctx *c, size_t s, size_t e, int letters)
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
    int may_link = 0;
    for (size_t p = s; p < e; p++) {
        const int32_t cp = c->u[p].cp;
        if (cp == '.' || cp == ':')
            last = p;
        /* nt__link_match needs "http(s):", "www." or a top-level domain:
         * a '.' then two letters a-z (see link.c) */
        if (cp == ':' ||
            (cp == '.' && p + 2 < e && c->u[p + 1].cp >= 'a' && c->u[p + 1].cp <= 'z' &&
             c->u[p + 2].cp >= 'a' && c->u[p + 2].cp <= 'z') ||
            (cp == 'w' && p + 3 < e && c->u[p + 1].cp == 'w' && c->u[p + 2].cp == 'w' &&
             c->u[p + 3].cp == '.'))
            may_link = 1;
    }
    if (!may_link)
        last = s;
    for (size_t p = s; p < last; p++) {
        if (!link_may_start(c, s, p))
            continue;
        if (c->u[p].cp == 'h' || c->u[p].cp == 'w') {
            if (p != s && !(c->u[p - 1].cp < 0x80 &&
                            strchr("([{<\"':;,=!?*", (int)c->u[p - 1].cp)) &&
                nt__classify(c->u[p - 1].cp) == NT__C_LETTER)
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

static int emoji_start(const nt__ctx *c, size_t i)
{
    const int32_t cp = c->u[i].cp;
    if (!(c->u[i].flags & NT__U_CSTART))
        return 0;
    if (nt__classify(cp) == NT__C_EMOJI)
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

static nt_err tokenize(nt__ctx *c)
{
    nt_err rc;
    size_t i = 0;
    while (i < c->nu) {
        const int k = nt__classify(c->u[i].cp);
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
            const int kj = nt__classify(cp);
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

static int is_spaced_letter(const nt__ctx *c, const nt__ptok *t)
{
    return t->solo && t->kind == NT_TOK_WORD && t->pe - t->ps == 1 && !t->flags &&
           skeleton(c->pool[t->ps].cp);
}

static int is_consonant_skel(char k)
{
    return k && !strchr("aeiouy", k);
}

static nt_err join_spaced_letters(nt__ctx *c)
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
            c->pt[w++] = (nt__ptok){(uint32_t)s, (uint32_t)(ps + ends[i]), NT_TOK_WORD,
                                (uint16_t)(NT_TOKF_REJOINED | (i == 0 ? bflag : 0)), 0, 0,
                                NT__SYL_UNKNOWN};
            s = ps + ends[i];
        }
        k = end;
    }
    c->npt = w;
    return NT_OK;
}

/* ---- stage 4: emit NORM and FOLD ---- */

static nt_err add_token(nt__ctx *c, const nt_token *t)
{
    nt_err rc = NT__GROW(c, c->tok, c->ctok, c->ntok + 1);
    if (rc)
        return rc;
    c->tok[c->ntok++] = *t;
    return NT_OK;
}

static nt_err put_fold(nt__ctx *c, int32_t cp, uint32_t os, uint32_t oe)
{
    int32_t f[4];
    if (cp < 0x80)
        return nt__form_put_exp(c, &c->f[NT_FORM_FOLD], cp, os, oe);
    const size_t n = nt__fold_cp_fast(cp, f);
    for (size_t i = 0; i < n; i++) {
        nt_err rc = nt__form_put_exp(c, &c->f[NT_FORM_FOLD], f[i], os, oe);
        if (rc)
            return rc;
    }
    return NT_OK;
}

/* One separator space in f.  It continues a CP segment when the gap is the
 * one input code point that segment reaches next (a single whitespace byte,
 * which the NFC form holds verbatim); else it maps as UNI. */
static nt_err space_in(nt__ctx *c, nt__form *f, uint32_t a, uint32_t b)
{
    if (f->len + 4 >= f->toobig)
        return NT_ERR_TOO_BIG;
    nt_err rc = nt__form_room(c, f, 1, 1);
    if (rc)
        return rc;
    const nt__seg *l = nt__seg_last(f);
    if (l && l->kind == NT__SEG_CP && f->cp_next == a && b == a + 1 &&
        f->len - l->fs < NT__SEG_CP_MAX)
        f->cp_next = b;
    else
        nt__map_uni(f, a, b);
    f->d[f->len++] = ' ';
    return NT_OK;
}

nt_err nt__put_space(nt__ctx *c, uint32_t prev_oe, uint32_t next_os)
{
    const uint32_t a = prev_oe, b = next_os >= prev_oe ? next_os : prev_oe;
    nt_err rc = space_in(c, &c->f[NT_FORM_NORM], a, b);
    if (rc == NT_OK)
        rc = space_in(c, &c->f[NT_FORM_FOLD], a, b);
    return rc;
}

/* Emit the text of an expansion ("chuyển khoản") as tokens over [os, oe). */
nt_err nt__emit_expansion(nt__ctx *c, const char *exp, uint32_t os, uint32_t oe, uint16_t flags,
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
        if (c->ntok > 0 && (rc = nt__put_space(c, *last_oe, os)) != NT_OK)
            return rc;
        nt_token t = {0};
        t.start = (uint32_t)c->f[NT_FORM_NORM].len;
        t.fstart = (uint32_t)c->f[NT_FORM_FOLD].len;
        t.ostart = os;
        t.oend = oe;
        t.kind = is_digit_cp(p[i]) ? NT_TOK_NUMBER : NT_TOK_WORD;
        t.flags = (uint16_t)(NT_TOKF_EXPANDED | (first ? flags : (flags & ~NT_TOKF_BOUNDARY)));
        for (size_t k = i; k < j;) {
            int32_t cp;
            const size_t m = nt__utf8_decode(p + k, j - k, &cp);
            if (m == 0)
                return NT_ERR_INTERNAL;
            if ((rc = nt__form_put_uni(c, &c->f[NT_FORM_NORM], cp, os, oe)) != NT_OK)
                return rc;
            int32_t fc[4];
            const size_t nf = cp < 0x80 ? (fc[0] = cp, 1) : nt__fold_cp_fast(cp, fc);
            for (size_t q = 0; q < nf; q++) {
                if ((rc = nt__form_put_uni(c, &c->f[NT_FORM_FOLD], fc[q], os, oe)) != NT_OK)
                    return rc;
            }
            k += m;
        }
        t.end = (uint32_t)c->f[NT_FORM_NORM].len;
        t.fend = (uint32_t)c->f[NT_FORM_FOLD].len;
        if ((rc = add_token(c, &t)) != NT_OK)
            return rc;
        *last_oe = oe;
        first = 0;
        i = j + 1;
    }
    return NT_OK;
}

/* Append the text of t to NORM and FOLD, each byte with its span. */
static nt_err put_token_text(nt__ctx *c, const nt__ptok *t)
{
    nt_err rc;
    for (uint32_t i = t->ps; i < t->pe; i++) {
        const nt__unit x = c->pool[i];
        if ((rc = nt__form_put_exp(c, &c->f[NT_FORM_NORM], x.cp, x.os, x.oe)) != NT_OK)
            return rc;
        if ((rc = put_fold(c, x.cp, x.os, x.oe)) != NT_OK)
            return rc;
    }
    return NT_OK;
}

static size_t u8len(unsigned char b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* put_token_text where the NFC form holds the input verbatim (input offset
 * q at NFC offset q + nfc_delta): when the units of t are consecutive code
 * points of the input, each its own span and folding to one code point,
 * NORM and FOLD map as CP segments (the values per byte are the same).
 * Returns 0 without writing anything when that does not apply. */
static int put_token_text_cp(nt__ctx *c, const nt__ptok *t, size_t nfc_delta)
{
    const size_t n = t->pe - t->ps;
    nt__form *nf = &c->f[NT_FORM_NORM], *ff = &c->f[NT_FORM_FOLD];
    /* no write may fail (put_token_text fails where a code point would be
     * written at len + 4 >= toobig) */
    if (n == 0 || n > 64 || nf->len + 4 * n >= nf->toobig || ff->len + 4 * n >= ff->toobig)
        return 0;
    int32_t fo[64];
    for (uint32_t i = t->ps; i < t->pe; i++) {
        const nt__unit x = c->pool[i];
        if (x.oe - x.os != u8len(c->in[x.os]) || (i > t->ps && x.os != c->pool[i - 1].oe))
            return 0;
        int32_t f[4];
        if (x.cp < 0x80)
            f[0] = x.cp;
        else if (nt__fold_cp_fast(x.cp, f) != 1)
            return 0;
        fo[i - t->ps] = f[0];
    }
    if (nt__form_room(c, nf, 4 * n, 1) != NT_OK || nt__form_room(c, ff, 4 * n, 1) != NT_OK)
        return 0; /* out of memory: the byte-by-byte path reports it */
    const uint32_t os = c->pool[t->ps].os;
    nt__map_cp(nf, os, os + nfc_delta);
    nt__map_cp(ff, os, os + nfc_delta);
    for (size_t i = 0; i < n; i++) {
        nf->len += utf8_put_small(c->pool[t->ps + i].cp, (unsigned char *)nf->d + nf->len);
        ff->len += utf8_put_small(fo[i], (unsigned char *)ff->d + ff->len);
    }
    nf->cp_next = ff->cp_next = c->pool[t->pe - 1].oe;
    return 1;
}

/* Teencode lookup for a word ptok; NULL when not applicable. */
static const char *teencode(nt__ctx *c, const nt__ptok *t, int prev_kind, int ascii)
{
    if (!c->lex || (c->flags & NT_TEXT_NO_TEENCODE) || t->attached || t->kind != NT_TOK_WORD)
        return NULL;
    const size_t n = t->pe - t->ps;
    if (n == 0 || n > 16)
        return NULL;
    if (prev_kind == NT_TOK_NUMBER && nt__is_amount_unit(c->pool + t->ps, n))
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
        nl += utf8_put_small(cp, norm + nl);
        int32_t f[4];
        const size_t k = nt__fold_cp_fast(cp, f);
        for (size_t j = 0; j < k && fl + 4 < sizeof fold; j++)
            fl += utf8_put_small(f[j], fold + fl);
    }
    return nt__lexicon_find(c->lex, (const char *)norm, nl, (const char *)fold, fl);
}

/* Stage 4 over the pre-tokens.  direct: the NFC form holds the input of
 * this run verbatim (input offset q at NFC offset q + nfc_delta). */
static nt_err emit(nt__ctx *c, int direct, size_t nfc_delta)
{
    nt_err rc;
    uint32_t last_oe = c->last_oe;
    for (size_t k = 0; k < c->npt; k++) {
        nt__ptok *t = &c->pt[k];
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
            if (maybe && t->syl == NT__SYL_UNKNOWN)
                changed = nt__viet_canon(cps, n);
            else if (maybe && t->syl >= NT__SYL_ONSET)
                changed = nt__viet_canon_known(cps, n, t->syl - NT__SYL_ONSET);
            if (changed) {
                for (size_t i = 0; i < n; i++)
                    c->pool[t->ps + i].cp = cps[i];
            }
        }
        /* canonical spelling keeps an ASCII word ASCII (it only swaps i/y) */
        const char *exp =
            t->kind == NT_TOK_WORD ? teencode(c, t, k ? c->pt[k - 1].kind : c->prev_kind, ascii) : NULL;
        if (exp) {
            if ((rc = nt__emit_expansion(c, exp, os, oe, t->flags, &last_oe)) != NT_OK)
                return rc;
        } else {
            if (c->ntok > 0 && (rc = nt__put_space(c, last_oe, os)) != NT_OK)
                return rc;
            const uint32_t start = (uint32_t)c->f[NT_FORM_NORM].len;
            const uint32_t fstart = (uint32_t)c->f[NT_FORM_FOLD].len;
            if (!(direct && put_token_text_cp(c, t, nfc_delta)) &&
                (rc = put_token_text(c, t)) != NT_OK)
                return rc;
            if (c->f[NT_FORM_FOLD].len == fstart) {
                /* only combining marks: folding would leave nothing */
                for (uint32_t i = t->ps; i < t->pe; i++) {
                    const nt__unit x = c->pool[i];
                    if ((rc = nt__form_put_exp(c, &c->f[NT_FORM_FOLD], x.cp, x.os, x.oe)) != NT_OK)
                        return rc;
                }
            }
            /* written in place: a token assembled on the stack and copied
             * whole stalls on store forwarding */
            if ((rc = NT__GROW(c, c->tok, c->ctok, c->ntok + 1)) != NT_OK)
                return rc;
            nt_token *tk = &c->tok[c->ntok++];
            tk->start = start;
            tk->end = (uint32_t)c->f[NT_FORM_NORM].len;
            tk->fstart = fstart;
            tk->fend = (uint32_t)c->f[NT_FORM_FOLD].len;
            tk->ostart = os;
            tk->oend = oe;
            tk->kind = t->kind;
            tk->flags = t->flags;
            last_oe = oe;
        }
        if (nt__form_too_big(c))
            return NT_ERR_TOO_BIG;
    }
    c->last_oe = last_oe;
    if (c->npt > 0)
        c->prev_kind = c->pt[c->npt - 1].kind;
    return NT_OK;
}


nt_err nt__stages(nt__ctx *c, size_t s, size_t e, int strict, nt_diag *diag)
{
    nt_err rc;
    if (!c->scratch_ready)
        scratch_init(c);
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
    return emit(c, 0, 0);
}

nt_err nt__stages_direct(nt__ctx *c, size_t s, size_t e, size_t nfc_delta)
{
    nt_err rc;
    if (!c->scratch_ready)
        scratch_init(c);
    c->nu = c->np = c->npt = c->nat = c->nclu = 0;
    if ((rc = NT__GROW(c, c->u, c->cu, e - s)) != NT_OK)
        return rc;
    /* stage 1: each code point its own cluster, NFC as it is: the unit is
     * its NFKC case fold (emit_nfc), from the table */
    const unsigned char *p = c->in;
    int letters = 1;
    for (size_t i = s; i < e;) {
        int32_t cp;
        size_t n = 1;
        if (p[i] < 0x80) {
            cp = p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i];
        } else {
            n = nt__utf8_decode(p + i, e - i, &cp);
            const long ti = n ? nt__cpinfo_index(cp) : -1;
            if (ti < 0 || !(nt__cpinfo_tab[ti].flags & NT__CI_FASTLET))
                return NT_ERR_INTERNAL; /* the caller checked */
            cp = nt__cpinfo_tab[ti].norm;
        }
        c->u[c->nu++] = (nt__unit){cp, (uint32_t)i, (uint32_t)(i + n), NT__U_CSTART};
        /* tokenize: a chunk of letters only */
        letters &= nt__classify(cp) == NT__C_LETTER && skeleton(cp) != 0;
        i += n;
    }
    if ((rc = chunk(c, 0, c->nu, letters)) != NT_OK)
        return rc;
    return emit(c, 1, nfc_delta);
}

