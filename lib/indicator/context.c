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

static int phrase_cmp(const void *a, const void *b)
{
    const nt__phrase *x = a, *y = b;
    return (int)(unsigned char)x->text[0] - (int)(unsigned char)y->text[0];
}

void nt__phrases_free(nt__phrases *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].text);
    free(p->v);
    p->v = NULL;
    p->n = 0;
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
    /* Bucket by first byte so matching looks only at phrases that can match. */
    qsort(p.v, p.n, sizeof p.v[0], phrase_cmp);
    for (unsigned c = 0, k = 0; c <= 256; c++) {
        while (k < p.n && (unsigned char)p.v[k].text[0] < c)
            k++;
        p.first[c] = (uint32_t)k;
    }
    *out = p;
    p.v = NULL;
    p.n = 0;
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

static int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

static int whole_word(const char *w, size_t n, size_t s, size_t e)
{
    return (s == 0 || !word_byte((unsigned char)w[s - 1])) &&
           (e >= n || !word_byte((unsigned char)w[e]));
}

unsigned nt__phrases_before(const nt__phrases *p, unsigned kinds_wanted, const char *w, size_t n,
                            size_t dist[8])
{
    unsigned found = 0;
    /* Word starts from the right: the first match of a kind is its nearest. */
    for (size_t s = n; s-- > 0;) {
        unsigned char c = (unsigned char)w[s];
        if (s > 0 && word_byte((unsigned char)w[s - 1]))
            continue;
        if (!word_byte(c) && !(c == '$' || c == '%'))
            continue;
        if (p->first[c] == p->first[c + 1])
            continue;
        for (uint32_t i = p->first[c]; i < p->first[c + 1]; i++) {
            const nt__phrase *ph = &p->v[i];
            if (!(ph->kind & kinds_wanted) || ph->len > n - s ||
                memcmp(w + s, ph->text, ph->len) != 0 || !whole_word(w, n, s, s + ph->len))
                continue;
            unsigned bit = 0;
            while (!((1u << bit) & ph->kind))
                bit++;
            size_t d = n - (s + ph->len);
            if (!(found & ph->kind) || d < dist[bit])
                dist[bit] = d;
            found |= ph->kind;
        }
        if ((found & kinds_wanted) == kinds_wanted)
            break;
    }
    return found;
}

int nt__phrases_starts(const nt__phrases *p, unsigned kind, const char *w, size_t n)
{
    size_t s = 0;
    while (s < n && w[s] == ' ')
        s++;
    if (s >= n)
        return 0;
    unsigned char c = (unsigned char)w[s];
    for (uint32_t i = p->first[c]; i < p->first[c + 1]; i++) {
        const nt__phrase *ph = &p->v[i];
        if (!(ph->kind & kind) || ph->len > n - s)
            continue;
        if (memcmp(w + s, ph->text, ph->len) == 0 && whole_word(w, n, s, s + ph->len))
            return 1;
    }
    return 0;
}
