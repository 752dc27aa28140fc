/*
 * lib/text/textmap.c - the nt_text result: its memory, the form builders,
 * the offset maps kept as segments (see norm_internal.h) and the accessors,
 * nt_text_span above all.
 *
 * Memory.  nt__result_start allocates one block sized from the input length:
 * the nt_text header, the token array, each form's bytes, segments and
 * explicit spans.  The builders write into it directly and nt__result_finish
 * returns the block itself as the nt_text, so a typical call costs one
 * malloc and nt_text_free one free.  A buffer that outgrows its share moves
 * to the heap (nt__grow_slow); nt_text_free frees every pointer of the
 * nt_text that lies outside the block.
 */
#include "text/norm_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static int in_range(const unsigned char *base, size_t size, const void *p)
{
    return base && p && (uintptr_t)p - (uintptr_t)base < size;
}

/* Inside the result block or the scratch arena: not a heap block. */
static int borrowed(const nt__ctx *c, const void *p)
{
    return in_range(c->block, c->block_size, p) || in_range(c->ar.base, c->ar.size, p);
}

nt_err nt__grow_slow(nt__ctx *c, void **p, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return NT_OK;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) {
        if (nc > SIZE_MAX / 4 / elsize)
            return NT_ERR_NOMEM;
        nc *= 2;
    }
    void *q;
    if (borrowed(c, *p)) {
        q = malloc(nc * elsize);
        if (q && *cap)
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

/* ---- the block ---- */

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

nt_err nt__result_start(nt__ctx *c, size_t len)
{
    /* Shares sized for SMS-like text; anything larger grows on the heap.
     * Long messages start from the shares of a 64 KiB one. */
    const size_t l = len < 65536 ? len : 65536;
    const size_t ctok = l / 4 + 8;
    const size_t cseg[NT_FORM_COUNT] = {l / 64 + 4, l / 8 + 8, l / 8 + 8};
    const size_t cx = l / 8 + 8;
    const size_t cform[NT_FORM_COUNT] = {len + 16, len + len / 4 + 48, len + len / 4 + 48};
    size_t size = align8(sizeof(nt_text)) + align8(ctok * sizeof(nt_token));
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        if (cform[f] > SIZE_MAX / 4)
            return NT_ERR_NOMEM;
        size += align8(cseg[f] * sizeof(nt__seg)) + 2 * align8(cx * sizeof(uint32_t)) +
                align8(cform[f]);
    }
    unsigned char *b = malloc(size);
    if (!b)
        return NT_ERR_NOMEM;
    c->block = b;
    c->block_size = size;
    size_t off = align8(sizeof(nt_text));
    c->tok = (nt_token *)(b + off);
    c->ctok = ctok;
    off += align8(ctok * sizeof(nt_token));
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        nt__form *fm = &c->f[f];
        fm->seg = (nt__seg *)(b + off);
        fm->cseg = cseg[f];
        off += align8(cseg[f] * sizeof(nt__seg));
        fm->xos = (uint32_t *)(b + off);
        off += align8(cx * sizeof(uint32_t));
        fm->xoe = (uint32_t *)(b + off);
        off += align8(cx * sizeof(uint32_t));
        fm->cx = cx;
    }
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        c->f[f].d = (char *)(b + off);
        c->f[f].cap = cform[f];
        off += align8(cform[f]);
    }
    return NT_OK;
}

void nt__result_reset(nt__ctx *c)
{
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        c->f[f].len = 0;
        c->f[f].nseg = 0;
        c->f[f].nx = 0;
        c->f[f].cp_next = 0;
    }
    c->ntok = 0;
    c->replacements = 0;
    c->boundary = 0;
    c->last_oe = 0;
    c->prev_kind = -1;
}

nt_text *nt__result_finish(nt__ctx *c)
{
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        nt__form *fm = &c->f[f];
        if (fm->len + 1 > fm->cap &&
            nt__grow_slow(c, (void **)&fm->d, &fm->cap, fm->len + 1, 1) != NT_OK)
            return NULL;
        fm->d[fm->len] = '\0';
    }
    nt_text *t = (nt_text *)c->block;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        nt__form *fm = &c->f[f];
        t->form[f] = fm->d;
        t->flen[f] = fm->len;
        t->seg[f] = fm->seg;
        t->nseg[f] = fm->nseg;
        t->xos[f] = fm->xos;
        t->xoe[f] = fm->xoe;
        fm->d = NULL;
        fm->seg = NULL;
        fm->xos = fm->xoe = NULL;
    }
    t->tok = c->tok;
    t->ntok = c->ntok;
    c->tok = NULL;
    t->replacements = c->replacements;
    t->block = c->block_size;
    c->block = NULL;
    c->block_size = 0;
    return t;
}

/* Free p unless it is NULL or lies in the block or the arena. */
static void release(const nt__ctx *c, void *p)
{
    if (p && !borrowed(c, p))
        free(p);
}

void nt__ctx_free(nt__ctx *c)
{
    if (c->scratch_ready) {
        release(c, c->u);
        release(c, c->pool);
        release(c, c->pt);
        release(c, c->at);
        release(c, c->clu);
        release(c, c->dec);
        release(c, c->enc);
    }
    if (!c->block)
        return; /* handed over by nt__result_finish */
    release(c, c->tok);
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        release(c, c->f[f].d);
        release(c, c->f[f].seg);
        release(c, c->f[f].xos);
        release(c, c->f[f].xoe);
    }
    free((void *)c->block);
    c->block = NULL;
}

void nt_text_free(nt_text *t)
{
    if (!t)
        return;
    const unsigned char *b = (const unsigned char *)t;
    for (int f = 0; f < NT_FORM_COUNT; f++) {
        void *const own[] = {t->form[f], t->seg[f], t->xos[f], t->xoe[f]};
        for (size_t i = 0; i < 4; i++) {
            if (!in_range(b, t->block, own[i]))
                free(own[i]);
        }
    }
    if (!in_range(b, t->block, t->tok))
        free(t->tok);
    free(t);
}

/* ---- writing with explicit or uniform maps ---- */

static size_t encode(int32_t cp, unsigned char *d)
{
    if (cp >= 0 && cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    return nt__utf8_encode(cp, d);
}

nt_err nt__form_put_exp(nt__ctx *c, nt__form *f, int32_t cp, uint32_t os, uint32_t oe)
{
    if (f->len + 4 >= f->toobig)
        return NT_ERR_TOO_BIG;
    nt_err rc = nt__form_room(c, f, 4, 1);
    if (rc == NT_OK && f->nx + 4 > f->cx) {
        size_t c1 = f->cx, c2 = f->cx;
        if ((rc = NT__GROW(c, f->xos, c1, f->nx + 4)) == NT_OK)
            rc = NT__GROW(c, f->xoe, c2, f->nx + 4);
        f->cx = c1 < c2 ? c1 : c2;
    }
    if (rc)
        return rc;
    const nt__seg *l = nt__seg_last(f);
    if (!l || l->kind != NT__SEG_EXP) {
        nt__seg *s = nt__seg_push(f, NT__SEG_EXP);
        s->ref = f->nx;
        s->a = s->b = 0;
    }
    const size_t n = encode(cp, (unsigned char *)f->d + f->len);
    if (n == 0)
        return NT_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        f->xos[f->nx + i] = os;
        f->xoe[f->nx + i] = oe;
    }
    f->nx += n;
    f->len += n;
    return NT_OK;
}

nt_err nt__form_put_uni(nt__ctx *c, nt__form *f, int32_t cp, uint32_t os, uint32_t oe)
{
    if (f->len + 4 >= f->toobig)
        return NT_ERR_TOO_BIG;
    nt_err rc = nt__form_room(c, f, 4, 1);
    if (rc)
        return rc;
    nt__map_uni(f, os, oe);
    const size_t n = encode(cp, (unsigned char *)f->d + f->len);
    if (n == 0)
        return NT_ERR_INTERNAL;
    f->len += n;
    return NT_OK;
}

nt_err nt__form_put_exp_rel(nt__ctx *c, nt__form *f, const unsigned char *bytes,
                            const unsigned char *map, size_t n, uint32_t base)
{
    if (n == 0)
        return NT_OK;
    nt_err rc = nt__form_room(c, f, n, 1);
    if (rc == NT_OK && f->nx + n > f->cx) {
        size_t c1 = f->cx, c2 = f->cx;
        if ((rc = NT__GROW(c, f->xos, c1, f->nx + n)) == NT_OK)
            rc = NT__GROW(c, f->xoe, c2, f->nx + n);
        f->cx = c1 < c2 ? c1 : c2;
    }
    if (rc)
        return rc;
    const nt__seg *l = nt__seg_last(f);
    if (!l || l->kind != NT__SEG_EXP) {
        nt__seg *sg = nt__seg_push(f, NT__SEG_EXP);
        sg->ref = f->nx;
        sg->a = sg->b = 0;
    }
    memcpy(f->d + f->len, bytes, n);
    for (size_t i = 0; i < n; i++) {
        f->xos[f->nx + i] = base + map[2 * i];
        f->xoe[f->nx + i] = base + map[2 * i + 1];
    }
    f->nx += n;
    f->len += n;
    return NT_OK;
}

/* ---- reading the maps ---- */

static size_t u8len(unsigned char b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* The segment of seg[0..nseg) that covers byte p. */
static size_t seg_search(const nt__seg *seg, size_t nseg, size_t p)
{
    size_t lo = 0, hi = nseg;
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        if (seg[mid].fs <= p)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The original span of byte p of a form (bytes d, explicit spans xos/xoe),
 * which segment s covers; nfc: the NFC form's bytes. */
static void seg_span(const nt__seg *s, const unsigned char *d, const uint32_t *xos,
                     const uint32_t *xoe, const unsigned char *nfc, size_t p, uint32_t *os,
                     uint32_t *oe)
{
    if (s->kind == NT__SEG_UNI) {
        *os = s->a;
        *oe = s->b;
        return;
    }
    if (s->kind == NT__SEG_EXP) {
        *os = xos[s->ref + (p - s->fs)];
        *oe = xoe[s->ref + (p - s->fs)];
        return;
    }
    /* CP: which code point of the segment p is in, then that code point of
     * the input, read from the NFC form */
    size_t k = 0;
    for (size_t i = s->fs + 1; i <= p; i++)
        k += (d[i] & 0xC0) != 0x80;
    size_t r = s->ref;
    for (size_t i = 0; i < k; i++)
        r += u8len(nfc[r]);
    *os = s->a + (uint32_t)(r - s->ref);
    *oe = *os + (uint32_t)u8len(nfc[r]);
}

void nt__form_spans(const nt__ctx *c, int f, size_t from, size_t n, uint32_t *os, uint32_t *oe)
{
    const nt__form *fm = &c->f[f];
    const unsigned char *d = (const unsigned char *)fm->d;
    if (n == 0)
        return;
    size_t si = seg_search(fm->seg, fm->nseg, from);
    size_t cp_seg = SIZE_MAX; /* the CP segment walked so far, */
    uint32_t at = 0;          /* the input offset of the code point of byte i - 1 */
    for (size_t i = from; i < from + n; i++) {
        while (si + 1 < fm->nseg && fm->seg[si + 1].fs <= i)
            si++;
        const nt__seg *sg = &fm->seg[si];
        if (sg->kind != NT__SEG_CP) {
            seg_span(sg, d, fm->xos, fm->xoe, NULL, i, &os[i - from], &oe[i - from]);
            continue;
        }
        /* CP: the NFC form is written later (normalize.c); walk the input,
         * which it holds verbatim wherever a CP segment of NORM or FOLD
         * points, once along the segment */
        if (cp_seg != si) {
            nt__seg in = *sg;
            in.ref = sg->a;
            uint32_t e0;
            seg_span(&in, d, fm->xos, fm->xoe, c->in, i, &at, &e0);
            cp_seg = si;
        } else if ((d[i] & 0xC0) != 0x80) {
            at += (uint32_t)u8len(c->in[at]);
        }
        os[i - from] = at;
        oe[i - from] = at + (uint32_t)u8len(c->in[at]);
    }
}

static size_t seg_find(const nt_text *t, int f, size_t p)
{
    return seg_search(t->seg[f], t->nseg[f], p);
}

/* The original span of byte p of form f, which segment si covers. */
static void byte_span(const nt_text *t, int f, size_t si, size_t p, uint32_t *os, uint32_t *oe)
{
    seg_span(&t->seg[f][si], (const unsigned char *)t->form[f], t->xos[f], t->xoe[f],
             (const unsigned char *)t->form[NT_FORM_NFC], p, os, oe);
}

nt_err nt_text_span(const nt_text *t, nt_form form, size_t start, size_t end, size_t *orig_start,
                    size_t *orig_end)
{
    if (!t || (int)form < 0 || (int)form >= NT_FORM_COUNT || start > end ||
        end > t->flen[form] || !orig_start || !orig_end)
        return NT_ERR_INVALID_ARG;
    const int f = (int)form;
    uint32_t os, oe;
    if (start == end) {
        size_t at = 0;
        if (start < t->flen[f]) {
            byte_span(t, f, seg_find(t, f, start), start, &os, &oe);
            at = os;
        } else if (start > 0) {
            byte_span(t, f, seg_find(t, f, start - 1), start - 1, &os, &oe);
            at = oe;
        }
        *orig_start = *orig_end = at;
        return NT_OK;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t si = seg_find(t, f, start); si < t->nseg[f] && t->seg[f][si].fs < end; si++) {
        const nt__seg *s = &t->seg[f][si];
        const size_t a = s->fs > start ? s->fs : start;
        const size_t se = si + 1 < t->nseg[f] ? t->seg[f][si + 1].fs : t->flen[f];
        const size_t b = se < end ? se : end;
        if (s->kind == NT__SEG_EXP) {
            for (size_t i = a; i < b; i++) {
                const size_t x = s->ref + (i - s->fs);
                if (t->xos[f][x] < lo)
                    lo = t->xos[f][x];
                if (t->xoe[f][x] > hi)
                    hi = t->xoe[f][x];
            }
            continue;
        }
        /* UNI and CP are monotone: the first byte's start, the last's end */
        byte_span(t, f, si, a, &os, &oe);
        if (os < lo)
            lo = os;
        if (b - 1 != a)
            byte_span(t, f, si, b - 1, &os, &oe);
        if (oe > hi)
            hi = oe;
    }
    *orig_start = lo;
    *orig_end = hi < lo ? lo : hi;
    return NT_OK;
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

size_t nt_text_replacements(const nt_text *t)
{
    return t ? t->replacements : 0;
}

const nt_token *nt_text_tokens(const nt_text *t, size_t *n)
{
    if (n)
        *n = t ? t->ntok : 0;
    return t && t->ntok ? t->tok : NULL;
}
