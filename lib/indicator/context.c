/*
 * lib/indicator/context.c - the context phrases that tell the extractor what a
 * bare number is.  "0123456789" alone is nothing; after "STK" it is a bank
 * account, after "gọi" a phone number, after "CCCD" a citizen ID, before
 * "đ" or "triệu" an amount.  The phrases are policy, so they live in a data
 * file (data/indicator-context.tsv), written diacritic-folded; the text around
 * each number is folded the same way before matching whole words.
 */
#include "indicator/extract_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "niemtin/limits.h"
#include "niemtin/text.h"

static const struct {
    const char *name;
    unsigned kind;
} kinds[] = {
    {"bank", NT__CTX_BANK}, {"phone", NT__CTX_PHONE}, {"id", NT__CTX_ID},
    {"zalo", NT__CTX_ZALO}, {"unit", NT__CTX_UNIT},   {"count", NT__CTX_COUNT},
    {"code", NT__CTX_CODE},
};

void nt__phrases_free(nt__phrases *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].text);
    free(p->v);
    free(p->node);
    free(p->edge_byte);
    free(p->edge_child);
    free(p->next);
    memset(p, 0, sizeof *p);
}

/* ---- the phrase trie -------------------------------------------------------
 * Built once per extractor: every phrase is a path of bytes from the root;
 * matching walks the window from a word start and collects the kinds of the
 * nodes it passes, instead of comparing every phrase with that first byte. */

typedef struct tnode {
    int32_t child[256];
    uint8_t kinds;
} tnode;

static nt_err build_trie(nt__phrases *p)
{
    nt_err rc = NT_OK;
    size_t cap = 64, nt = 1, nedges = 0;
    tnode *t = malloc(cap * sizeof *t);
    if (!t)
        return NT_ERR_NOMEM;
    memset(t[0].child, 0xff, sizeof t[0].child);
    t[0].kinds = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t node = 0;
        for (size_t j = 0; j < p->v[i].len; j++) {
            unsigned char c = (unsigned char)p->v[i].text[j];
            if (t[node].child[c] < 0) {
                if (nt == cap) {
                    tnode *nn = realloc(t, 2 * cap * sizeof *t);
                    if (!nn) {
                        rc = NT_ERR_NOMEM;
                        goto cleanup;
                    }
                    t = nn;
                    cap *= 2;
                }
                memset(t[nt].child, 0xff, sizeof t[nt].child);
                t[nt].kinds = 0;
                t[node].child[c] = (int32_t)nt;
                nedges++;
                node = nt++;
            } else {
                node = (size_t)t[node].child[c];
            }
        }
        t[node].kinds |= (uint8_t)p->v[i].kind;
    }
    p->node = calloc(nt, sizeof *p->node);
    p->edge_byte = malloc(nedges ? nedges : 1);
    p->edge_child = malloc((nedges ? nedges : 1) * sizeof *p->edge_child);
    if (!p->node || !p->edge_byte || !p->edge_child) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    /* Node ids stay; each node's edges are laid out together, by byte. */
    size_t e = 0;
    for (size_t k = 0; k < nt; k++) {
        p->node[k].first = (uint32_t)e;
        p->node[k].kinds = t[k].kinds;
        for (unsigned c = 0; c < 256; c++) {
            if (t[k].child[c] < 0)
                continue;
            p->edge_byte[e] = (uint8_t)c;
            p->edge_child[e] = (uint32_t)t[k].child[c];
            e++;
        }
        p->node[k].n = (uint16_t)(e - p->node[k].first);
    }
    /* The table of children, when the bytes below the root fit in 64
     * classes and the node ids in 16 bits. */
    unsigned ncls = 0;
    for (unsigned c = 0; c < 256; c++) {
        int used = 0;
        for (size_t k = 1; k < nt && !used; k++)
            used = t[k].child[c] >= 0;
        p->cls[c] = 0;
        if (used && ++ncls <= 64)
            p->cls[c] = (uint8_t)ncls;
    }
    if (ncls <= 64 && nt <= UINT16_MAX) {
        p->next = calloc(nt * 64, sizeof *p->next);
        if (!p->next) {
            rc = NT_ERR_NOMEM;
            goto cleanup;
        }
        for (size_t k = 1; k < nt; k++)
            for (unsigned c = 0; c < 256; c++)
                if (t[k].child[c] >= 0)
                    p->next[k * 64 + p->cls[c] - 1] = (uint16_t)t[k].child[c];
    }
    for (unsigned c = 0; c < 256; c++)
        p->root[c] = t[0].child[c] < 0 ? 0 : (uint32_t)t[0].child[c];
    p->nnodes = nt;
cleanup:
    free(t);
    return rc;
}

/* The child of node k (not the root) for byte c, or 0 (the root is never a
 * child). */
static inline uint32_t child(const nt__phrases *p, uint32_t k, unsigned char c)
{
    if (p->next) {
        unsigned cl = p->cls[c];
        return cl ? p->next[(size_t)k * 64 + cl - 1] : 0;
    }
    const nt__pnode *nd = &p->node[k];
    for (uint32_t e = nd->first, end = nd->first + nd->n; e < end; e++) {
        if (p->edge_byte[e] == c)
            return p->edge_child[e];
        if (p->edge_byte[e] > c)
            break;
    }
    return 0;
}

nt_err nt__phrases_parse(const char *data, size_t len, const char *source, nt__phrases *out,
                         nt_diag *diag)
{
    nt_err rc = NT_OK;
    nt__phrases p;
    memset(&p, 0, sizeof p);
    size_t cap = 0, pos = 0;
    unsigned line = 0;
    size_t bad;

    if (nt_utf8_validate(data, len, &bad) != NT_OK) {
        unsigned l = 1, col = 1;
        for (size_t k = 0; k < bad; k++) {
            if (data[k] == '\n') {
                l++;
                col = 1;
            } else {
                col++;
            }
        }
        return nt__fail_at(diag, NT_ERR_PARSE, source, l, col, bad, "invalid UTF-8");
    }
    while (pos < len) {
        const char *ln = data + pos;
        const char *nl = memchr(ln, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - ln) : len - pos;
        size_t lstart = pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n && ln[n - 1] == '\r')
            n--;
        if (n > NT_MAX_DATA_LINE_BYTES) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, source, line, 1, lstart,
                             "line longer than %u bytes", NT_MAX_DATA_LINE_BYTES);
            goto cleanup;
        }
        if (n == 0 || ln[0] == '#')
            continue;
        const char *tab = memchr(ln, '\t', n);
        if (!tab) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, source, line, (unsigned)n + 1, lstart + n,
                             "expected 'kind<TAB>phrase'");
            goto cleanup;
        }
        size_t klen = (size_t)(tab - ln);
        unsigned kind = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strlen(kinds[k].name) == klen && memcmp(kinds[k].name, ln, klen) == 0)
                kind = kinds[k].kind;
        if (!kind) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, source, line, 1, lstart,
                             "unknown kind '%.*s' (expected bank, phone, id, zalo, code, unit or count)",
                             (int)klen, ln);
            goto cleanup;
        }
        const char *ph = tab + 1;
        size_t plen = n - klen - 1;
        if (plen == 0 || ph[0] == ' ' || ph[plen - 1] == ' ') {
            rc = nt__fail_at(diag, NT_ERR_PARSE, source, line, (unsigned)klen + 2,
                             lstart + klen + 1, "empty phrase or leading/trailing space");
            goto cleanup;
        }
        for (size_t k = 0; k < plen; k++) {
            unsigned char c = (unsigned char)ph[k];
            if ((c >= 'A' && c <= 'Z') || c == '\t' || (k && c == ' ' && ph[k - 1] == ' ')) {
                rc = nt__fail_at(diag, NT_ERR_PARSE, source, line, (unsigned)(klen + 2 + k),
                                 lstart + klen + 1 + k,
                                 "phrases are lower-case with single spaces");
                goto cleanup;
            }
        }
        /* Folded matching: store the phrase folded too, so "vnđ" matches "vnd". */
        char *folded = NULL;
        size_t flen = 0;
        rc = nt_text_fold(ph, plen, &folded, &flen);
        if (rc) {
            rc = nt__fail_at(diag, rc, source, line, (unsigned)klen + 2, lstart + klen + 1,
                             "cannot fold phrase");
            goto cleanup;
        }
        if (p.n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            nt__phrase *nv = realloc(p.v, ncap * sizeof *nv);
            if (!nv) {
                free(folded);
                rc = NT_ERR_NOMEM;
                goto cleanup;
            }
            p.v = nv;
            cap = ncap;
        }
        p.v[p.n].text = folded;
        p.v[p.n].len = flen;
        p.v[p.n].kind = kind;
        p.n++;
    }
    if ((rc = build_trie(&p)) != NT_OK) {
        rc = nt__fail(diag, rc, 0, "out of memory");
        goto cleanup;
    }
    *out = p;
    memset(&p, 0, sizeof p);
cleanup:
    nt__phrases_free(&p);
    return rc;
}

nt_err nt__phrases_load(const char *path, nt__phrases *out, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    nt_err rc = nt__read_file(path, NT_MAX_DATA_FILE_BYTES, &data, &len, diag);
    if (rc == NT_OK)
        rc = nt__phrases_parse(data, len, path, out, diag);
    free(data);
    return rc;
}

/* Word bytes of folded text: ASCII lower-case letters, digits, and every
 * byte of a non-ASCII character. */
static const uint8_t word_tab[256] = {
#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
    R16(0), R16(0), R16(0),                           /* 0x00-0x2F */
    R4(1), R4(1), 1, 1, 0, 0, 0, 0, 0, 0,             /* '0'-'9', 0x3A-0x3F */
    R16(0), R16(0),                                   /* 0x40-0x5F */
    0, R4(1), R4(1), R4(1), R4(1), R4(1), R4(1), 1, 1, /* 'a'-'z' */
    0, 0, 0, 0, 0,                                    /* 0x7B-0x7F */
    R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
#undef R16
#undef R4
};

static int word_byte(unsigned char c)
{
    return word_tab[c];
}

static unsigned clz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_clzll(x);
#else
    unsigned n = 0;
    while (!(x & ((uint64_t)1 << 63))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* The phrases of the wanted kinds starting at w[s] (a word start) and ending
 * at a word end of w[0..n): record their distances to n.  Returns non-zero
 * once every wanted kind has been found. */
static int phrases_at(const nt__phrases *p, unsigned wanted, const char *w, size_t n, size_t s,
                      unsigned *found, size_t dist[8])
{
    uint32_t k = p->root[(unsigned char)w[s]];
    for (size_t e = s + 1; k; e++) {
        unsigned here = p->node[k].kinds & wanted;
        if (here && (e >= n || !word_byte((unsigned char)w[e]))) {
            size_t d = n - e;
            for (unsigned bit = 0; bit < 8; bit++) {
                if (!(here & (1u << bit)))
                    continue;
                if (!(*found & (1u << bit)) || d < dist[bit])
                    dist[bit] = d;
            }
            *found |= here;
        }
        if (e >= n)
            break;
        k = child(p, k, (unsigned char)w[e]);
    }
    return (*found & wanted) == wanted;
}

unsigned nt__phrases_before(const nt__phrases *p, unsigned kinds_wanted, const nt__folded *f,
                            size_t a, size_t e, size_t dist[8])
{
    unsigned found = 0;
    if (!p->node || e <= a)
        return 0;
    const char *w = f->b + a;
    size_t n = e - a;
    /* Word starts from the right, the first match of a kind being its
     * nearest.  64 bytes at a time from the end: a start is a word byte (or
     * '$', '%') after a byte that is not a word byte; the window's first byte
     * counts as following a boundary. */
    for (size_t hi = n; hi > 0;) {
        size_t c0 = hi > 64 ? hi - 64 : 0, k = hi - c0;
        hi = c0;
        uint64_t word, mark;
        nt__word_bits(w + c0, k, &word, &mark);
        uint64_t before = word << 1;
        if (c0 > 0 && word_byte((unsigned char)w[c0 - 1]))
            before |= 1;
        for (uint64_t m = (word | mark) & ~before; m;) {
            unsigned bit = 63 - clz64(m);
            m &= ~((uint64_t)1 << bit);
            if (phrases_at(p, kinds_wanted, w, n, c0 + bit, &found, dist))
                return found;
        }
    }
    return found;
}

int nt__phrases_starts(const nt__phrases *p, unsigned kind, const char *w, size_t n)
{
    size_t s = 0;
    while (s < n && w[s] == ' ')
        s++;
    if (s >= n || !p->node)
        return 0;
    uint32_t k = p->root[(unsigned char)w[s]];
    for (size_t e = s + 1; k; e++) {
        if ((p->node[k].kinds & kind) && (e >= n || !word_byte((unsigned char)w[e])))
            return 1;
        if (e >= n)
            break;
        k = child(p, k, (unsigned char)w[e]);
    }
    return 0;
}

/* ---- folding ---------------------------------------------------------------- */

/* Code points whose folds are kept: Latin-1 to IPA and the combining marks
 * (U+0080-U+036F), and Latin Extended Additional (all of Vietnamese), Greek
 * Extended and General Punctuation (U+1E00-U+206F).  Others are rare in
 * messages and folded with nt_text_fold when met. */
#define FOLD_A_LO 0x80
#define FOLD_A_HI 0x370
#define FOLD_B_LO 0x1E00
#define FOLD_B_HI 0x2070
#define FOLD_N ((FOLD_A_HI - FOLD_A_LO) + (FOLD_B_HI - FOLD_B_LO))

static int fold_index(int32_t cp)
{
    if (cp >= FOLD_A_LO && cp < FOLD_A_HI)
        return (int)(cp - FOLD_A_LO);
    if (cp >= FOLD_B_LO && cp < FOLD_B_HI)
        return (int)(cp - FOLD_B_LO) + (FOLD_A_HI - FOLD_A_LO);
    return -1;
}

void nt__folder_free(nt__folder *f)
{
    if (!f)
        return;
    free(f->off);
    free(f->len);
    free(f->data);
    memset(f, 0, sizeof *f);
}

nt_err nt__folder_init(nt__folder *f)
{
    nt_err rc = NT_OK;
    nt__buf data;
    nt__buf_init(&data, 0);
    memset(f, 0, sizeof *f);
    f->off = malloc(FOLD_N * sizeof *f->off);
    f->len = malloc(FOLD_N);
    if (!f->off || !f->len) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    for (int32_t cp = FOLD_A_LO; cp < FOLD_B_HI; cp++) {
        int i = fold_index(cp);
        if (i < 0)
            continue;
        unsigned char u[4];
        size_t ul = nt__utf8_encode(cp, u);
        char *folded = NULL;
        size_t fl = 0;
        rc = nt_text_fold((const char *)u, ul, &folded, &fl);
        if (rc == NT_OK && (fl > UINT8_MAX || data.len + fl > UINT16_MAX))
            rc = NT_ERR_INTERNAL; /* cannot happen: folds are a few bytes */
        if (rc == NT_OK)
            rc = nt__buf_add(&data, folded, fl);
        if (rc == NT_OK) {
            f->off[i] = (uint16_t)(data.len - fl);
            f->len[i] = (uint8_t)fl;
        }
        free(folded);
        if (rc)
            goto cleanup;
    }
    /* 4 bytes of padding: fold_view copies 4 bytes at a time */
    if ((rc = nt__buf_add(&data, "\0\0\0\0", 4)) != NT_OK)
        goto cleanup;
    f->data = nt__buf_take(&data);
    if (!f->data)
        rc = NT_ERR_NOMEM;
cleanup:
    nt__buf_free(&data);
    if (rc)
        nt__folder_free(f);
    return rc;
}

static nt_err grow(char **r, size_t *cap, size_t need)
{
    size_t ncap = 2 * *cap > need ? 2 * *cap : need;
    char *nr = realloc(*r, ncap + NT__FOLD_SLACK);
    if (!nr)
        return NT_ERR_NOMEM;
    *r = nr;
    *cap = ncap;
    return NT_OK;
}

void nt__folded_free(nt__folded *f)
{
    free(f->b);
    free(f->map);
    memset(f, 0, sizeof *f);
}

nt_err nt__fold_view(const nt__folder *f, const char *v, size_t vn, nt__folded *out)
{
    nt_err rc = NT_OK;
    const unsigned char *u = (const unsigned char *)v;
    size_t cap = vn + 16, o = 0;
    char *r = malloc(cap + NT__FOLD_SLACK);
    uint32_t *m = malloc((vn + 1) * sizeof *m);
    memset(out, 0, sizeof *out);
    if (!r || !m) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < vn;) {
        unsigned char c = u[i];
        if (c < 0x80) {
            /* A long run of ASCII (English text): 16 bytes at a time. */
            if (vn - i >= 16 && cap - o >= vn - i && (u[i + 1] | u[i + 2] | u[i + 3]) < 0x80) {
                size_t k = nt__fold_ascii(v + i, vn - i, r + o, m + i, (uint32_t)o);
                i += k;
                o += k;
                if (k)
                    continue;
            }
            if (o == cap && (rc = grow(&r, &cap, o + 1)) != NT_OK)
                goto cleanup;
            m[i] = (uint32_t)o;
            r[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        /* The view is valid UTF-8 (view.c, prefilter.c): 2- and 3-byte
         * characters (all of Vietnamese) are decoded without checks. */
        int32_t cp;
        size_t k;
        if (c >= 0xC2 && c < 0xE0 && i + 1 < vn) {
            cp = (int32_t)((c & 0x1Fu) << 6 | (u[i + 1] & 0x3Fu));
            k = 2;
            m[i] = m[i + 1] = (uint32_t)o;
        } else if (c >= 0xE0 && c < 0xF0 && i + 2 < vn) {
            cp = (int32_t)((c & 0x0Fu) << 12 | (u[i + 1] & 0x3Fu) << 6 | (u[i + 2] & 0x3Fu));
            k = 3;
            m[i] = m[i + 1] = m[i + 2] = (uint32_t)o;
        } else {
            k = nt__utf8_decode(u + i, vn - i, &cp);
            if (k == 0) {
                rc = NT_ERR_UTF8; /* cannot happen: the view is valid UTF-8 */
                goto cleanup;
            }
            for (size_t j = 0; j < k; j++)
                m[i + j] = (uint32_t)o;
        }
        i += k;
        int t = fold_index(cp);
        if (t >= 0 && f->len[t] <= 4 && o + 4 <= cap) {
            /* the usual case: a table fold of at most 4 bytes, copied as 4
             * (the table and r have room past their ends) */
            memcpy(r + o, f->data + f->off[t], 4);
            o += f->len[t];
            continue;
        }
        const char *src;
        size_t sl;
        char *tmp = NULL;
        if (t >= 0) {
            src = f->data + f->off[t];
            sl = f->len[t];
        } else {
            if ((rc = nt_text_fold(v + i - k, k, &tmp, &sl)) != NT_OK)
                goto cleanup;
            src = tmp;
        }
        if (o + sl > cap && (rc = grow(&r, &cap, o + sl)) != NT_OK) {
            free(tmp);
            goto cleanup;
        }
        memcpy(r + o, src, sl);
        o += sl;
        free(tmp);
    }
    m[vn] = (uint32_t)o;
    memset(r + o, 0, NT__FOLD_SLACK); /* readable, never a word byte */
    out->b = r;
    out->n = o;
    out->map = m;
    r = NULL;
    m = NULL;
cleanup:
    free(r);
    free(m);
    return rc;
}
