/*
 * lib/text/lexicon.c - the teencode / abbreviation table.
 *
 * File format (docs/data-formats.md, "Teencode lexicon"): UTF-8 text, one
 * entry per line, `abbreviation<TAB>expansion`; blank lines and lines whose
 * first non-blank character is '#' are ignored.  Keys and expansions are run
 * through the normaliser when loading, so a key matches a token whatever its
 * case, Unicode form or tone placement, and an expansion is emitted already in
 * NT_FORM_NORM spelling.  Every error names source:line:col and the reason.
 *
 * Lookups go through two open-addressing hash tables (xxHash): one on the
 * key's NORM form, one on its diacritic-free FOLD form (the first key with a
 * given fold wins there).  The object is immutable once built.
 */
#include "text/text_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/buf.h"
#include "core/diag.h"
#include "niemtin/limits.h"

/* Longest key and expansion, in bytes after normalisation. */
#define LEX_MAX_KEY 64
#define LEX_MAX_EXPANSION 96

/* Size of the pre-filter bitmaps in 64-bit words. */
#define SEEN_WORDS (NT__LEX_SEEN_BITS / 64)

typedef struct lex_entry {
    uint32_t key, klen;   /* NORM form of the key, in pool */
    uint32_t fold, flen;  /* FOLD form of the key */
    uint32_t exp, elen;   /* NORM form of the expansion */
    unsigned line;
} lex_entry;

struct nt_lexicon {
    uint64_t id; /* unique in the process: memos key on it, not on the address */
    char *pool;
    lex_entry *e;
    size_t n;
    uint32_t *by_key, *by_fold; /* entry index + 1, 0 = empty */
    size_t mask;
    /* Pre-filter: one bit per (length, first two bytes, last two bytes)
     * signature, set for every key's NORM form (norm_seen) and FOLD form
     * (fold_seen).  A token whose signatures miss both cannot be in either
     * table, so nearly every token is rejected without hashing. */
    uint64_t norm_seen[SEEN_WORDS], fold_seen[SEEN_WORDS];
    uint64_t any_seen[SEEN_WORDS]; /* both: the filter of a plain token (NORM = FOLD) */
};

static void seen_add(uint64_t *seen, const char *s, size_t n)
{
    const size_t b = nt__lex_seen_bit(s, n);
    seen[b / 64] |= (uint64_t)1 << (b % 64);
}

static int seen_has(const uint64_t *seen, const char *s, size_t n)
{
    const size_t b = nt__lex_seen_bit(s, n);
    return (seen[b / 64] >> (b % 64)) & 1;
}

const uint64_t *nt__lexicon_plain_filter(const nt_lexicon *lex)
{
    return lex && lex->n ? lex->any_seen : NULL;
}

void nt__lexicon_filters(const nt_lexicon *lex, const uint64_t **norm, const uint64_t **fold)
{
    *norm = lex->norm_seen;
    *fold = lex->fold_seen;
}

static atomic_uint_fast64_t lexicon_ids;

uint64_t nt__lexicon_id(const nt_lexicon *lex)
{
    return lex ? lex->id : 0;
}

size_t nt_lexicon_count(const nt_lexicon *lex)
{
    return lex ? lex->n : 0;
}

void nt_lexicon_free(nt_lexicon *lex)
{
    if (!lex)
        return;
    free(lex->pool);
    free(lex->e);
    free(lex->by_key);
    free(lex->by_fold);
    free(lex);
}

static size_t slot_of(const char *s, size_t n, size_t mask)
{
    return (size_t)XXH3_64bits(s, n) & mask;
}

/* Find the entry whose (pool) string at field `fold` equals s; 0 if none. */
static uint32_t table_find(const nt_lexicon *lex, const uint32_t *tab, int fold, const char *s,
                           size_t n)
{
    if (!tab)
        return 0;
    for (size_t i = slot_of(s, n, lex->mask);; i = (i + 1) & lex->mask) {
        const uint32_t v = tab[i];
        if (v == 0)
            return 0;
        const lex_entry *e = &lex->e[v - 1];
        const uint32_t off = fold ? e->fold : e->key;
        const uint32_t len = fold ? e->flen : e->klen;
        if (len == n && memcmp(lex->pool + off, s, n) == 0)
            return v;
    }
}

static void table_put(nt_lexicon *lex, uint32_t *tab, int fold, uint32_t idx)
{
    const lex_entry *e = &lex->e[idx];
    const char *s = lex->pool + (fold ? e->fold : e->key);
    const size_t n = fold ? e->flen : e->klen;
    size_t i = slot_of(s, n, lex->mask);
    while (tab[i] != 0)
        i = (i + 1) & lex->mask;
    tab[i] = idx + 1;
}

const char *nt__lexicon_find(const nt_lexicon *lex, const char *norm, size_t nlen,
                             const char *fold, size_t flen)
{
    if (!lex || lex->n == 0)
        return NULL;
    if (!seen_has(lex->norm_seen, norm, nlen) && !(fold && seen_has(lex->fold_seen, fold, flen)))
        return NULL;
    return nt__lexicon_find_unfiltered(lex, norm, nlen, fold, flen);
}

const char *nt__lexicon_find_unfiltered(const nt_lexicon *lex, const char *norm, size_t nlen,
                                        const char *fold, size_t flen)
{
    uint32_t v = table_find(lex, lex->by_key, 0, norm, nlen);
    if (!v && fold) {
        /* Diacritic-insensitive only when one side has no diacritics:
         * "bit" finds "bít", but "mĩ" must not find "mí". */
        v = table_find(lex, lex->by_fold, 1, fold, flen);
        const int token_plain = flen == nlen && memcmp(fold, norm, nlen) == 0;
        if (v && !token_plain) {
            const lex_entry *e = &lex->e[v - 1];
            if (e->klen != e->flen || memcmp(lex->pool + e->key, lex->pool + e->fold, e->klen))
                v = 0;
        }
    }
    return v ? lex->pool + lex->e[v - 1].exp : NULL;
}

const char *nt__lexicon_find_plain(const nt_lexicon *lex, const char *s, size_t n)
{
    if (!lex || lex->n == 0)
        return NULL;
    /* nt__lexicon_find(lex, s, n, s, n): both filters on the one signature */
    if (!seen_has(lex->any_seen, s, n))
        return NULL;
    uint32_t v = table_find(lex, lex->by_key, 0, s, n);
    if (!v)
        v = table_find(lex, lex->by_fold, 1, s, n);
    return v ? lex->pool + lex->e[v - 1].exp : NULL;
}

const char *nt_lexicon_lookup(const nt_lexicon *lex, const char *token, size_t len)
{
    if (!lex || !token || len == 0 || len > 4 * LEX_MAX_KEY)
        return NULL;
    nt_text_options o;
    nt_text_options_init(&o);
    o.flags = NT_TEXT_NO_DEOBFUSCATE | NT_TEXT_NO_TEENCODE;
    nt_text *t = NULL;
    if (nt_text_normalize(token, len, &o, &t, NULL) != NT_OK)
        return NULL;
    const char *r = NULL;
    size_t ntok = 0, nlen = 0, flen = 0;
    nt_text_tokens(t, &ntok);
    if (ntok == 1) {
        const char *norm = nt_text_form(t, NT_FORM_NORM, &nlen);
        const char *fold = nt_text_form(t, NT_FORM_FOLD, &flen);
        r = nt__lexicon_find(lex, norm, nlen, fold, flen);
    }
    nt_text_free(t);
    return r;
}

/* Normalise one field into *t (the caller frees it). */
static nt_err norm_field(const char *s, size_t n, nt_text **t, size_t *ntok)
{
    nt_text_options o;
    nt_text_options_init(&o);
    o.flags = NT_TEXT_NO_DEOBFUSCATE | NT_TEXT_NO_TEENCODE;
    nt_err rc = nt_text_normalize(s, n, &o, t, NULL);
    if (rc)
        return rc;
    nt_text_tokens(*t, ntok);
    return NT_OK;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

typedef struct parser {
    const char *src;
    nt_diag *diag;
    nt__buf pool;
    lex_entry *e;
    size_t n, cap;
} parser;

static nt_err add_entry(parser *ps, unsigned line, const char *key, size_t klen,
                        const char *exp, size_t elen, size_t line_off, size_t exp_col)
{
    nt_err rc = NT_OK;
    nt_text *tk = NULL, *te = NULL;
    size_t nk = 0, ne = 0;
    rc = norm_field(key, klen, &tk, &nk);
    if (rc)
        goto cleanup;
    rc = norm_field(exp, elen, &te, &ne);
    if (rc)
        goto cleanup;
    const nt_token *ktok = nt_text_tokens(tk, &nk);
    if (nk != 1 || ktok[0].kind != NT_TOK_WORD) {
        rc = nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, 1, line_off,
                         "key '%.*s' is not a single word", (int)klen, key);
        goto cleanup;
    }
    if (ne == 0) {
        rc = nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, (unsigned)exp_col,
                         line_off + exp_col - 1, "expansion has no words");
        goto cleanup;
    }
    size_t kn = 0, kf = 0, en = 0;
    const char *knorm = nt_text_form(tk, NT_FORM_NORM, &kn);
    const char *kfold = nt_text_form(tk, NT_FORM_FOLD, &kf);
    const char *enorm = nt_text_form(te, NT_FORM_NORM, &en);
    if (kn > LEX_MAX_KEY) {
        rc = nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, 1, line_off,
                         "key longer than %d bytes", LEX_MAX_KEY);
        goto cleanup;
    }
    if (en > LEX_MAX_EXPANSION) {
        rc = nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, (unsigned)exp_col,
                         line_off + exp_col - 1, "expansion longer than %d bytes",
                         LEX_MAX_EXPANSION);
        goto cleanup;
    }
    if (ps->n == ps->cap) {
        const size_t nc = ps->cap ? ps->cap * 2 : 256;
        lex_entry *ne2 = realloc(ps->e, nc * sizeof *ne2);
        if (!ne2) {
            rc = NT_ERR_NOMEM;
            goto cleanup;
        }
        ps->e = ne2;
        ps->cap = nc;
    }
    lex_entry *e = &ps->e[ps->n];
    e->line = line;
    e->key = (uint32_t)ps->pool.len;
    e->klen = (uint32_t)kn;
    if ((rc = nt__buf_add(&ps->pool, knorm, kn + 1)) != NT_OK)
        goto cleanup;
    e->fold = (uint32_t)ps->pool.len;
    e->flen = (uint32_t)kf;
    if ((rc = nt__buf_add(&ps->pool, kfold, kf + 1)) != NT_OK)
        goto cleanup;
    e->exp = (uint32_t)ps->pool.len;
    e->elen = (uint32_t)en;
    if ((rc = nt__buf_add(&ps->pool, enorm, en + 1)) != NT_OK)
        goto cleanup;
    ps->n++;
cleanup:
    if (rc == NT_ERR_NOMEM)
        nt__fail(ps->diag, rc, line_off, "out of memory loading the lexicon");
    nt_text_free(tk);
    nt_text_free(te);
    return rc;
}

static nt_err parse_line(parser *ps, const char *s, size_t n, unsigned line, size_t off)
{
    if (n > NT_MAX_DATA_LINE_BYTES)
        return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, NT_MAX_DATA_LINE_BYTES + 1,
                           off + NT_MAX_DATA_LINE_BYTES, "line longer than %u bytes",
                           NT_MAX_DATA_LINE_BYTES);
    size_t bad = 0;
    if (nt_utf8_validate(s, n, &bad) != NT_OK)
        return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, (unsigned)bad + 1, off + bad,
                           "invalid UTF-8");
    if (n && s[n - 1] == '\r')
        n--;
    size_t i = 0;
    while (i < n && is_blank(s[i]))
        i++;
    if (i == n || s[i] == '#')
        return NT_OK;
    const char *tab = memchr(s, '\t', n);
    if (!tab)
        return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, (unsigned)n + 1, off + n,
                           "missing tab between key and expansion");
    const size_t klen = (size_t)(tab - s);
    if (klen == 0)
        return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, 1, off, "empty key");
    for (size_t k = 0; k < klen; k++) {
        if (s[k] == ' ')
            return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, (unsigned)k + 1, off + k,
                               "key contains a space");
    }
    size_t es = klen + 1, ee = n;
    while (es < ee && s[es] == ' ')
        es++;
    while (ee > es && s[ee - 1] == ' ')
        ee--;
    if (es == ee)
        return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line, (unsigned)klen + 2,
                           off + klen + 1, "empty expansion");
    const char *tab2 = memchr(s + es, '\t', ee - es);
    if (tab2)
        return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->src, line,
                           (unsigned)(tab2 - s) + 1, off + (size_t)(tab2 - s),
                           "more than one tab on the line");
    return add_entry(ps, line, s, klen, s + es, ee - es, off, es + 1);
}

nt_err nt_lexicon_parse(const char *data, size_t len, const char *source, nt_lexicon **out,
                        nt_diag *diag)
{
    if ((!data && len) || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no data or no output pointer");
    *out = NULL;
    if (len > NT_MAX_DATA_FILE_BYTES)
        return nt__fail_at(diag, NT_ERR_TOO_BIG, source, 0, 0, NT_MAX_DATA_FILE_BYTES,
                           "lexicon larger than %u bytes", (unsigned)NT_MAX_DATA_FILE_BYTES);
    nt_err rc = NT_OK;
    nt_lexicon *lex = NULL;
    parser ps = {.src = source ? source : "", .diag = diag};
    nt__buf_init(&ps.pool, NT_MAX_DATA_FILE_BYTES * 4u);
    size_t off = 0;
    unsigned line = 1;
    while (off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        const size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
        rc = parse_line(&ps, data + off, n, line, off);
        if (rc)
            goto cleanup;
        off += n + (nl ? 1 : 0);
        line++;
    }
    lex = calloc(1, sizeof *lex);
    if (!lex) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    lex->id = (uint64_t)atomic_fetch_add(&lexicon_ids, 1) + 1;
    size_t cap = 16;
    while (cap < ps.n * 2 + 2)
        cap *= 2;
    lex->mask = cap - 1;
    lex->by_key = calloc(cap, sizeof *lex->by_key);
    lex->by_fold = calloc(cap, sizeof *lex->by_fold);
    lex->pool = nt__buf_take(&ps.pool);
    if (!lex->by_key || !lex->by_fold || !lex->pool) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    lex->e = ps.e;
    lex->n = ps.n;
    ps.e = NULL;
    for (size_t i = 0; i < lex->n; i++) {
        const lex_entry *e = &lex->e[i];
        const uint32_t dup = table_find(lex, lex->by_key, 0, lex->pool + e->key, e->klen);
        if (dup) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, ps.src, e->line, 1, 0,
                             "duplicate key '%s' (first defined on line %u)", lex->pool + e->key,
                             lex->e[dup - 1].line);
            goto cleanup;
        }
        table_put(lex, lex->by_key, 0, (uint32_t)i);
        seen_add(lex->norm_seen, lex->pool + e->key, e->klen);
        seen_add(lex->fold_seen, lex->pool + e->fold, e->flen);
        seen_add(lex->any_seen, lex->pool + e->key, e->klen);
        seen_add(lex->any_seen, lex->pool + e->fold, e->flen);
        if (!table_find(lex, lex->by_fold, 1, lex->pool + e->fold, e->flen))
            table_put(lex, lex->by_fold, 1, (uint32_t)i);
    }
    *out = lex;
    lex = NULL;
cleanup:
    nt_lexicon_free(lex);
    nt__buf_free(&ps.pool);
    free(ps.e);
    return rc;
}

nt_err nt_lexicon_load(const char *path, nt_lexicon **out, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    if (!path || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no path or no output pointer");
    *out = NULL;
    nt_err rc = nt__read_file(path, NT_MAX_DATA_FILE_BYTES, &data, &len, diag);
    if (rc)
        return rc;
    rc = nt_lexicon_parse(data, len, path, out, diag);
    free(data);
    return rc;
}
