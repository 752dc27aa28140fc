/*
 * lib/indicator/bank.c - the table of Vietnamese banks and e-wallets
 * (data/banks.tsv, format in docs/data-formats.md "Bank table") and
 * canonical bank account numbers ("VCB:0123456789").
 *
 * The one idea: every way of naming a bank - code, NAPAS BIN, short name,
 * full Vietnamese name, the aliases people actually type - is folded to one
 * key ([a-z0-9] only: no case, no diacritics, no spaces, d-stroke -> d) and
 * kept in one sorted array, so "Vietcombank", "vietcom bank", "VCB",
 * "Ngoại thương" and "970436" are all one binary search away.  The table is
 * immutable once loaded and may be shared by threads.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"

#define NCOLS 6
/* Longest account number written with separators that we look at. */
#define MAX_ACCOUNT_INPUT 64
#define MIN_ACCOUNT_DIGITS 6
#define MAX_ACCOUNT_DIGITS 19

typedef enum key_kind { KEY_CODE, KEY_BIN, KEY_NAME, KEY_ALIAS } key_kind;

typedef struct bank {
    char *code, *bin, *short_name, *name;
    int wallet;
} bank;

typedef struct key {
    char *key;    /* folded */
    size_t bank;  /* index into banks */
    key_kind kind;
    unsigned line, col;
} key;

/* A trie of the keys for nt__banks_match_prefix, built once after parsing.
 * Children of a node are stored together, in key-character order ('0'-'9'
 * then 'a'-'z', as indices 0-35); bit i of `mask` says whether child i
 * exists, and it is node first + (number of lower bits set). */
typedef struct trie_node {
    uint64_t mask;
    uint32_t first;
    int32_t bank; /* bank of the first non-BIN key ending here, or -1 */
} trie_node;

/* Keys longer than this never match text (see nt__banks_match_prefix). */
#define MAX_MATCH_KEY 128

struct nt_banks {
    bank *banks;
    size_t nbanks, cap_banks;
    key *keys;
    size_t nkeys, cap_keys;
    size_t max_key_len;
    trie_node *trie; /* trie[0] is the root */
    size_t ntrie;
};

/* ---- folding ------------------------------------------------------------- */

nt_err nt__bank_fold(const char *s, size_t len, char **out)
{
    utf8proc_uint8_t *mapped = NULL;
    *out = NULL;
    if (len > (size_t)INT32_MAX)
        return NT_ERR_TOO_BIG;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)(s ? s : ""), (utf8proc_ssize_t)len, &mapped,
                     UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                         UTF8PROC_CASEFOLD);
    if (n < 0)
        return n == UTF8PROC_ERROR_NOMEM ? NT_ERR_NOMEM : NT_ERR_UTF8;
    /* Folding only shrinks what we keep: every kept byte comes from one
     * code point of mapped. */
    char *r = malloc((size_t)n + 1);
    if (!r) {
        free(mapped);
        return NT_ERR_NOMEM;
    }
    size_t k = 0;
    for (utf8proc_ssize_t i = 0; i < n;) {
        int32_t cp;
        size_t l = nt__utf8_decode(mapped + i, (size_t)(n - i), &cp);
        if (l == 0) {
            l = 1;
            cp = -1;
        }
        i += (utf8proc_ssize_t)l;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            r[k++] = (char)cp;
        else if (cp == 0x111) /* đ (Đ case-folds to it) */
            r[k++] = 'd';
    }
    r[k] = '\0';
    free(mapped);
    *out = r;
    return NT_OK;
}

/* ---- the table ----------------------------------------------------------- */

void nt_banks_free(nt_banks *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nbanks; i++) {
        free(b->banks[i].code);
        free(b->banks[i].bin);
        free(b->banks[i].short_name);
        free(b->banks[i].name);
    }
    for (size_t i = 0; i < b->nkeys; i++)
        free(b->keys[i].key);
    free(b->banks);
    free(b->keys);
    free(b->trie);
    free(b);
}

size_t nt_banks_count(const nt_banks *b)
{
    return b ? b->nbanks : 0;
}

static int key_cmp(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

static void fill_info(const nt_banks *b, size_t i, nt_bank_info *info)
{
    if (!info)
        return;
    info->code = b->banks[i].code;
    info->short_name = b->banks[i].short_name;
    info->name = b->banks[i].name;
    info->bin = b->banks[i].bin;
}

/* The first key equal to k (keys sorted), or NULL. */
static const key *find_key(const nt_banks *b, const char *k, size_t klen)
{
    size_t lo = 0, hi = b->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = b->keys[mid].key;
        int c = strncmp(m, k, klen);
        if (c == 0 && m[klen] != '\0')
            c = 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < b->nkeys && strncmp(b->keys[lo].key, k, klen) == 0 &&
        b->keys[lo].key[klen] == '\0')
        return &b->keys[lo];
    return NULL;
}

/* ---- the match trie ------------------------------------------------------- */

/* Index of a key character: '0'-'9' -> 0-9, 'a'-'z' -> 10-35, else -1. */
static int key_index(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    return -1;
}

static unsigned popcount64(uint64_t x)
{
    /* bit counting in parallel (no popcnt instruction in the x86-64
     * baseline; __builtin_popcountll would call libgcc) */
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
}

/* Build banks->trie from the sorted keys: first a plain trie with a child
 * array per node, then renumbered breadth-first so that the children of each
 * node are adjacent and a 36-bit mask finds them. */
static nt_err build_trie(nt_banks *b)
{
    typedef struct tmp_node {
        int32_t child[36];
        int32_t bank;
    } tmp_node;
    nt_err rc = NT_OK;
    tmp_node *t = NULL;
    uint32_t *order = NULL, *newid = NULL;
    size_t nt = 0, cap = 0;

    cap = 64;
    t = malloc(cap * sizeof *t);
    if (!t)
        return NT_ERR_NOMEM;
    memset(&t[0], 0xff, sizeof t[0]); /* every child -1, bank -1 */
    nt = 1;
    for (size_t i = 0; i < b->nkeys; i++) {
        const char *k = b->keys[i].key;
        size_t kl = strlen(k);
        if (kl > MAX_MATCH_KEY)
            continue;
        size_t node = 0;
        for (size_t j = 0; j < kl; j++) {
            int ci = key_index((unsigned char)k[j]);
            if (ci < 0)
                break; /* cannot happen: keys are folded to [a-z0-9] */
            if (t[node].child[ci] < 0) {
                if (nt == cap) {
                    tmp_node *nn = realloc(t, 2 * cap * sizeof *t);
                    if (!nn) {
                        rc = NT_ERR_NOMEM;
                        goto cleanup;
                    }
                    t = nn;
                    cap *= 2;
                }
                memset(&t[nt], 0xff, sizeof t[nt]);
                t[node].child[ci] = (int32_t)nt;
                node = nt++;
            } else {
                node = (size_t)t[node].child[ci];
            }
        }
        /* Equal keys are adjacent in file order; the first that is not a
         * bare BIN names the bank (a BIN in text is a number). */
        if (t[node].bank < 0 && b->keys[i].kind != KEY_BIN && node != 0)
            t[node].bank = (int32_t)b->keys[i].bank;
    }
    order = malloc(nt * sizeof *order);
    newid = malloc(nt * sizeof *newid);
    b->trie = calloc(nt, sizeof *b->trie);
    if (!order || !newid || !b->trie) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    /* Breadth-first order: ids are handed out as children are queued. */
    size_t head = 0, tail = 0;
    order[tail] = 0;
    newid[0] = 0;
    tail++;
    while (head < tail) {
        uint32_t old = order[head];
        trie_node *out = &b->trie[newid[old]];
        out->bank = t[old].bank;
        out->first = (uint32_t)tail;
        for (int ci = 0; ci < 36; ci++) {
            int32_t ch = t[old].child[ci];
            if (ch < 0)
                continue;
            out->mask |= (uint64_t)1 << ci;
            newid[ch] = (uint32_t)tail;
            order[tail++] = (uint32_t)ch;
        }
        head++;
    }
    b->ntrie = nt;
cleanup:
    free(t);
    free(order);
    free(newid);
    return rc;
}

/* ---- parsing ------------------------------------------------------------- */

typedef struct parser {
    nt_banks *b;
    const char *source;
    unsigned line;
    size_t line_off; /* byte offset of the line in the input */
    nt_diag *diag;
} parser;

static nt_err perr(parser *p, size_t col0, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A parse error at 0-based byte column col0 of the current line. */
static nt_err perr(parser *p, size_t col0, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nt__fail_at(p->diag, NT_ERR_PARSE, p->source, p->line, (unsigned)col0 + 1,
                       p->line_off + col0, "%s", msg);
}

static nt_err add_key(parser *p, const char *s, size_t len, size_t col0, key_kind kind)
{
    char *k = NULL;
    nt_err rc = nt__bank_fold(s, len, &k);
    if (rc == NT_ERR_NOMEM)
        return nt__fail(p->diag, NT_ERR_NOMEM, p->line_off, "out of memory");
    if (rc != NT_OK)
        return perr(p, col0, "invalid UTF-8");
    if (k[0] == '\0') {
        free(k);
        return perr(p, col0, "name has no letters or digits to match on");
    }
    if (p->b->nkeys == p->b->cap_keys) {
        size_t nc = p->b->cap_keys ? p->b->cap_keys * 2 : 256;
        key *nk = realloc(p->b->keys, nc * sizeof *nk);
        if (!nk) {
            free(k);
            return nt__fail(p->diag, NT_ERR_NOMEM, p->line_off, "out of memory");
        }
        p->b->keys = nk;
        p->b->cap_keys = nc;
    }
    size_t kl = strlen(k);
    if (kl > p->b->max_key_len)
        p->b->max_key_len = kl;
    p->b->keys[p->b->nkeys++] =
        (key){.key = k, .bank = p->b->nbanks, .kind = kind, .line = p->line, .col = (unsigned)col0 + 1};
    return NT_OK;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

static nt_err parse_line(parser *p, const char *line, size_t len)
{
    const char *f[NCOLS];
    size_t fl[NCOLS], fc[NCOLS];
    size_t nf = 0, start = 0;
    nt_err rc;

    /* Strict UTF-8 first, so every later message can quote the line. */
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t l = nt__utf8_decode((const unsigned char *)line + i, len - i, &cp);
        if (l == 0)
            return perr(p, i, "invalid UTF-8");
        if (cp == 0)
            return perr(p, i, "NUL byte");
        i += l;
    }
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == '\t') {
            if (nf == NCOLS) {
                size_t total = NCOLS + 1;
                for (size_t j = i + 1; j < len; j++)
                    total += line[j] == '\t';
                return perr(p, start,
                            "expected 6 tab-separated columns (code, bin, short name, name, "
                            "aliases, kind), found %zu",
                            total);
            }
            f[nf] = line + start;
            fl[nf] = i - start;
            fc[nf] = start;
            nf++;
            start = i + 1;
        }
    }
    if (nf != NCOLS) {
        return perr(p, len,
                    "expected 6 tab-separated columns (code, bin, short name, name, aliases, "
                    "kind), found %zu",
                    nf);
    }
    /* code */
    if (fl[0] < 2 || fl[0] > 16)
        return perr(p, fc[0], "bank code must be 2-16 upper-case letters or digits");
    for (size_t i = 0; i < fl[0]; i++) {
        char c = f[0][i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return perr(p, fc[0] + i,
                        "bank code must be 2-16 upper-case letters or digits");
    }
    /* bin */
    int has_bin = !(fl[1] == 1 && f[1][0] == '-');
    if (has_bin && !(fl[1] == 6 && all_digits(f[1], 6)))
        return perr(p, fc[1], "BIN must be 6 digits (or - for none)");
    /* names */
    if (fl[2] == 0)
        return perr(p, fc[2], "empty short name");
    if (fl[3] == 0)
        return perr(p, fc[3], "empty full name");
    /* kind */
    int wallet;
    if (fl[5] == 4 && memcmp(f[5], "bank", 4) == 0)
        wallet = 0;
    else if (fl[5] == 6 && memcmp(f[5], "wallet", 6) == 0)
        wallet = 1;
    else
        return perr(p, fc[5], "kind must be \"bank\" or \"wallet\"");

    if ((rc = add_key(p, f[0], fl[0], fc[0], KEY_CODE)) != NT_OK)
        return rc;
    if (has_bin && (rc = add_key(p, f[1], fl[1], fc[1], KEY_BIN)) != NT_OK)
        return rc;
    if ((rc = add_key(p, f[2], fl[2], fc[2], KEY_NAME)) != NT_OK)
        return rc;
    if ((rc = add_key(p, f[3], fl[3], fc[3], KEY_NAME)) != NT_OK)
        return rc;
    if (!(fl[4] == 1 && f[4][0] == '-')) {
        size_t a = 0;
        for (size_t i = 0; i <= fl[4]; i++) {
            if (i == fl[4] || f[4][i] == '|') {
                if (i == a)
                    return perr(p, fc[4] + i, "empty alias (stray '|')");
                if ((rc = add_key(p, f[4] + a, i - a, fc[4] + a, KEY_ALIAS)) != NT_OK)
                    return rc;
                a = i + 1;
            }
        }
    }

    nt_banks *b = p->b;
    if (b->nbanks == b->cap_banks) {
        size_t nc = b->cap_banks ? b->cap_banks * 2 : 64;
        bank *nb = realloc(b->banks, nc * sizeof *nb);
        if (!nb)
            return nt__fail(p->diag, NT_ERR_NOMEM, p->line_off, "out of memory");
        b->banks = nb;
        b->cap_banks = nc;
    }
    bank *k = &b->banks[b->nbanks];
    memset(k, 0, sizeof *k);
    k->wallet = wallet;
    k->code = nt__val_strndup(f[0], fl[0]);
    k->bin = has_bin ? nt__val_strndup(f[1], fl[1]) : nt__val_strndup("", 0);
    k->short_name = nt__val_strndup(f[2], fl[2]);
    k->name = nt__val_strndup(f[3], fl[3]);
    b->nbanks++; /* freed by nt_banks_free even if partly filled */
    if (!k->code || !k->bin || !k->short_name || !k->name)
        return nt__fail(p->diag, NT_ERR_NOMEM, p->line_off, "out of memory");
    return NT_OK;
}

/* After sorting: equal keys of different banks are an error, reported at
 * the later occurrence (the one nearest the top of the file wins). */
static nt_err check_duplicates(parser *p)
{
    const nt_banks *b = p->b;
    const key *worst = NULL, *first = NULL;
    size_t j = 0; /* first key of the current group of equal keys */
    for (size_t i = 1; i < b->nkeys; i++) {
        const key *k = &b->keys[i];
        if (strcmp(b->keys[j].key, k->key) != 0) {
            j = i;
            continue;
        }
        /* keys[j] is the first occurrence in file order of this key. */
        if (b->keys[j].bank == k->bank)
            continue;
        if (!worst || k->line < worst->line) {
            worst = k;
            first = &b->keys[j];
        }
    }
    if (!worst)
        return NT_OK;
    const char *what = worst->kind == KEY_CODE  ? "duplicate code"
                       : worst->kind == KEY_BIN ? "duplicate BIN"
                                                : "duplicate name or alias";
    char msg[200];
    snprintf(msg, sizeof msg, "%s \"%s\": already names %s (line %u)", what, worst->key,
             b->banks[first->bank].code, first->line);
    return nt__fail_at(p->diag, NT_ERR_PARSE, p->source, worst->line, worst->col, 0, "%s", msg);
}

nt_err nt_banks_parse(const char *data, size_t len, const char *source, nt_banks **out,
                      nt_diag *diag)
{
    nt_err rc = NT_OK;
    parser p = {.source = source ? source : "<banks>", .diag = diag};

    if (!out || (!data && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    if (len > NT_MAX_DATA_FILE_BYTES)
        return nt__fail_at(diag, NT_ERR_TOO_BIG, p.source, 0, 0, 0,
                           "bank table larger than %u bytes", NT_MAX_DATA_FILE_BYTES);
    p.b = calloc(1, sizeof *p.b);
    if (!p.b)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");

    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t l = end - pos;
        p.line++;
        p.line_off = pos;
        if (l > 0 && data[pos + l - 1] == '\r')
            l--;
        if (l > NT_MAX_DATA_LINE_BYTES) {
            rc = perr(&p, NT_MAX_DATA_LINE_BYTES, "line longer than the limit");
            goto cleanup;
        }
        size_t ws = 0;
        while (ws < l && (data[pos + ws] == ' ' || data[pos + ws] == '\t'))
            ws++;
        if (ws < l && data[pos + ws] != '#') {
            if ((rc = parse_line(&p, data + pos, l)) != NT_OK)
                goto cleanup;
        }
        pos = nl ? end + 1 : len;
    }
    if (p.b->nbanks == 0) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, p.source, p.line ? p.line : 1, 1, len,
                         "no banks in the table");
        goto cleanup;
    }
    qsort(p.b->keys, p.b->nkeys, sizeof *p.b->keys, key_cmp);
    if ((rc = check_duplicates(&p)) != NT_OK)
        goto cleanup;
    if ((rc = build_trie(p.b)) != NT_OK) {
        rc = nt__fail(diag, rc, 0, "out of memory");
        goto cleanup;
    }
    *out = p.b;
    p.b = NULL;
cleanup:
    nt_banks_free(p.b);
    return rc;
}

nt_err nt_banks_load(const char *path, nt_banks **out, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    if (!out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    nt_err rc = nt__read_file(path, NT_MAX_DATA_FILE_BYTES, &data, &len, diag);
    if (rc != NT_OK)
        return rc;
    rc = nt_banks_parse(data, len, path, out, diag);
    free(data);
    return rc;
}

/* ---- lookup -------------------------------------------------------------- */

static const key *find_variants(const nt_banks *b, const char *k)
{
    /* as written; without a leading "ngan hang"/"nh" ("bank"); without a
     * trailing "bank" ("BIDV bank") */
    static const char *const heads[] = {"", "nganhang", "nh"};
    size_t kl = strlen(k);
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
        size_t hl = strlen(heads[h]);
        if (hl >= kl || strncmp(k, heads[h], hl) != 0)
            continue;
        const char *s = k + hl;
        size_t sl = kl - hl;
        const key *f = find_key(b, s, sl);
        if (f)
            return f;
        if (sl > 4 && memcmp(s + sl - 4, "bank", 4) == 0 && (f = find_key(b, s, sl - 4)))
            return f;
    }
    return NULL;
}

nt_err nt_banks_find(const nt_banks *banks, const char *name, size_t len, nt_bank_info *info)
{
    char *k = NULL;
    if (!banks || (!name && len))
        return NT_ERR_INVALID_ARG;
    if (len > NT_MAX_DATA_LINE_BYTES)
        return NT_ERR_NOT_FOUND;
    nt_err rc = nt__bank_fold(name, len, &k);
    if (rc == NT_ERR_NOMEM)
        return rc;
    if (rc != NT_OK)
        return NT_ERR_NOT_FOUND;
    const key *f = k[0] ? find_variants(banks, k) : NULL;
    free(k);
    if (!f)
        return NT_ERR_NOT_FOUND;
    fill_info(banks, f->bank, info);
    return NT_OK;
}

static int ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int nt__banks_match_prefix(const nt_banks *banks, const char *text, size_t len,
                           size_t *match_len, nt_bank_info *info)
{
    if (!banks || !text || len == 0 || !banks->trie)
        return 0;
    /* Walk the trie along the letters and digits of text (lower-cased;
     * spaces, '-' and '.' after the first are skipped); the last key end
     * followed by a word boundary is the longest match. */
    const trie_node *trie = banks->trie;
    uint32_t node = 0;
    int32_t best = -1;
    size_t best_end = 0, n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        int ci = key_index(c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c);
        if (ci < 0) {
            if (n > 0 && (c == ' ' || c == '-' || c == '.'))
                continue;
            break;
        }
        uint64_t m = trie[node].mask;
        if (!((m >> ci) & 1))
            break;
        node = trie[node].first + popcount64(m & (((uint64_t)1 << ci) - 1));
        n++;
        if (trie[node].bank >= 0 && !(i + 1 < len && ascii_alnum((unsigned char)text[i + 1]))) {
            best = trie[node].bank;
            best_end = i + 1;
        }
    }
    if (best < 0)
        return 0;
    if (match_len)
        *match_len = best_end;
    fill_info(banks, (size_t)best, info);
    return 1;
}

/* ---- accounts ------------------------------------------------------------ */

nt_err nt_canon_bank_account(const nt_banks *banks, const char *bank_name, const char *account,
                             size_t account_len, char **out, nt_diag *diag)
{
    char digits[MAX_ACCOUNT_DIGITS + 1];
    size_t n = 0;
    nt_bank_info info;
    int known = 0;

    if (!out || (!account && account_len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    const char *s = nt__val_trim(account ? account : "", &account_len);
    size_t base = (size_t)(s - (account ? account : ""));
    if (account_len == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "empty account number");
    if (account_len > MAX_ACCOUNT_INPUT)
        return nt__fail(diag, NT_ERR_INVALID, base, "too long for an account number");
    for (size_t i = 0; i < account_len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (n == MAX_ACCOUNT_DIGITS)
                return nt__fail(diag, NT_ERR_INVALID, base + i,
                                "too many digits: account numbers have %d-%d",
                                MIN_ACCOUNT_DIGITS, MAX_ACCOUNT_DIGITS);
            digits[n++] = c;
        } else if (c != ' ' && c != '.' && c != '-') {
            return nt__fail(diag, NT_ERR_INVALID, base + i,
                            "unexpected character 0x%02x in an account number (digits, "
                            "spaces, dots and dashes only)",
                            (unsigned char)c);
        }
    }
    if (n < MIN_ACCOUNT_DIGITS)
        return nt__fail(diag, NT_ERR_INVALID, base,
                        "too few digits (%zu): account numbers have %d-%d", n,
                        MIN_ACCOUNT_DIGITS, MAX_ACCOUNT_DIGITS);
    digits[n] = '\0';
    if (banks && bank_name && bank_name[0]) {
        nt_err rc = nt_banks_find(banks, bank_name, strlen(bank_name), &info);
        if (rc == NT_ERR_NOMEM)
            return nt__fail(diag, rc, 0, "out of memory");
        known = rc == NT_OK;
    }
    nt__buf b;
    nt__buf_init(&b, 64);
    nt_err rc = NT_OK;
    if (known)
        rc = nt__buf_printf(&b, "%s:", info.code);
    if (rc == NT_OK)
        rc = nt__buf_add(&b, digits, n);
    if (rc == NT_OK && !(*out = nt__buf_take(&b)))
        rc = NT_ERR_NOMEM;
    nt__buf_free(&b);
    if (rc != NT_OK)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    return NT_OK;
}
