/*
 * lib/detect/rules_parse.c - the rule language (docs/rules.md): a small
 * declarative format, one block per rule:
 *
 *     rule fear.arrest_threat {
 *         tactic: fear
 *         category: impersonation_police
 *         weight: 30
 *         vi: "Đe doạ bắt giữ"
 *         en: "Threatens arrest"
 *         any: "lenh bat", "bat tam giam", /khoi to (vu an|hinh su)/
 *         near: "chuyen tien" ~8 "tai khoan tam giu"
 *         needs: bank | phone
 *         unless: "khong bao gio yeu cau"
 *         example: "Anh có lệnh bắt tạm giam, chuyển tiền vào tài khoản tạm giữ"
 *         counter: "Công an không bao giờ yêu cầu chuyển tiền qua điện thoại"
 *     }
 *
 * A hand-written lexer and recursive-descent parser, so that every error
 * names file:line:column and says what was expected (as YARA's compiler
 * does).  Phrases are folded (diacritics removed, lower-cased) on load, so
 * rules may be written with or without accents and match both.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "detect/rules_int.h"
#include "niemtin/limits.h"

#define MAX_RULES 100000u
#define MAX_PATTERN_BYTES 1024u

typedef enum tok_kind {
    T_EOF,
    T_IDENT,  /* rule, field names, ids: [A-Za-z0-9_.-]+ */
    T_STRING, /* "..." with \" \\ \n escapes */
    T_REGEX,  /* /.../ */
    T_NUMBER,
    T_PUNCT   /* { } : , | ~ */
} tok_kind;

typedef struct token {
    tok_kind kind;
    const char *p; /* start in the source */
    size_t len;
    unsigned line, col;
    long num;
    char punct;
} token;

typedef struct parser {
    const char *src;
    size_t len, pos;
    unsigned line, col;
    const char *source;
    const nt_taxonomy *tax;
    nt_diag *diag;
    token tok; /* current token */
    struct nt_ruleset *rs;
    size_t cap_rules, cap_pats;
} parser;

/* ---- lexer ------------------------------------------------------------- */

static nt_err fail(parser *ps, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static nt_err fail(parser *ps, unsigned line, unsigned col, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nt__fail_at(ps->diag, NT_ERR_PARSE, ps->source, line, col, ps->pos, "%s", msg);
}

static void advance_char(parser *ps)
{
    if (ps->src[ps->pos] == '\n') {
        ps->line++;
        ps->col = 1;
    } else if (((unsigned char)ps->src[ps->pos] & 0xC0) != 0x80) {
        ps->col++;
    }
    ps->pos++;
}

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static nt_err next(parser *ps)
{
    /* skip blanks and # comments */
    for (;;) {
        while (ps->pos < ps->len && strchr(" \t\r\n", ps->src[ps->pos]) && ps->src[ps->pos])
            advance_char(ps);
        if (ps->pos < ps->len && ps->src[ps->pos] == '#') {
            while (ps->pos < ps->len && ps->src[ps->pos] != '\n')
                advance_char(ps);
            continue;
        }
        break;
    }
    token *t = &ps->tok;
    memset(t, 0, sizeof *t);
    t->line = ps->line;
    t->col = ps->col;
    t->p = ps->src + ps->pos;
    if (ps->pos >= ps->len) {
        t->kind = T_EOF;
        return NT_OK;
    }
    char c = ps->src[ps->pos];
    if (c == '"' || c == '/') {
        t->kind = c == '"' ? T_STRING : T_REGEX;
        advance_char(ps);
        t->p = ps->src + ps->pos;
        while (ps->pos < ps->len && ps->src[ps->pos] != c) {
            if (ps->src[ps->pos] == '\n')
                return fail(ps, t->line, t->col, "%s",
                        c == '"' ? "unterminated string" : "unterminated regex");
            if ((unsigned char)ps->src[ps->pos] < 0x20 && ps->src[ps->pos] != '\t')
                return fail(ps, ps->line, ps->col, "%s",
                            "control character inside a string or regex");
            if (ps->src[ps->pos] == '\\' && ps->pos + 1 < ps->len)
                advance_char(ps);
            advance_char(ps);
        }
        if (ps->pos >= ps->len)
            return fail(ps, t->line, t->col, "%s",
                        c == '"' ? "unterminated string" : "unterminated regex");
        t->len = (size_t)(ps->src + ps->pos - t->p);
        advance_char(ps);
        if (t->len == 0)
            return fail(ps, t->line, t->col, "%s", c == '"' ? "empty string" : "empty regex");
        if (t->len > MAX_PATTERN_BYTES)
            return fail(ps, t->line, t->col, "%s", "string or regex longer than 1024 bytes");
        return NT_OK;
    }
    if (strchr("{}:,|~", c)) {
        t->kind = T_PUNCT;
        t->punct = c;
        t->len = 1;
        advance_char(ps);
        return NT_OK;
    }
    if (ident_char(c)) {
        int digits = 1;
        while (ps->pos < ps->len && ident_char(ps->src[ps->pos])) {
            digits &= ps->src[ps->pos] >= '0' && ps->src[ps->pos] <= '9';
            advance_char(ps);
        }
        t->len = (size_t)(ps->src + ps->pos - t->p);
        t->kind = digits ? T_NUMBER : T_IDENT;
        if (digits) {
            if (t->len > 6)
                return fail(ps, t->line, t->col, "%s", "number too large");
            t->num = 0; /* the source need not be NUL-terminated: no strtol */
            for (size_t k = 0; k < t->len; k++)
                t->num = t->num * 10 + (t->p[k] - '0');
        }
        return NT_OK;
    }
    char shown[8];
    snprintf(shown, sizeof shown, "%c", c >= 0x20 && c < 0x7f ? c : '?');
    return fail(ps, t->line, t->col, "unexpected character '%s'", shown);
}

static int is_punct(const parser *ps, char c)
{
    return ps->tok.kind == T_PUNCT && ps->tok.punct == c;
}

static int is_word(const parser *ps, const char *w)
{
    return ps->tok.kind == T_IDENT && ps->tok.len == strlen(w) &&
           memcmp(ps->tok.p, w, ps->tok.len) == 0;
}

static nt_err expect_punct(parser *ps, char c)
{
    if (!is_punct(ps, c)) {
        char what[4] = {'\'', c, '\'', 0};
        return fail(ps, ps->tok.line, ps->tok.col, "expected %s", what);
    }
    return next(ps);
}

static char *tok_strdup(const token *t)
{
    char *s = malloc(t->len + 1);
    if (s) {
        memcpy(s, t->p, t->len);
        s[t->len] = '\0';
    }
    return s;
}

/* The value of a string token with its escapes resolved. */
static char *string_value(const token *t)
{
    char *s = malloc(t->len + 1);
    size_t o = 0;
    if (!s)
        return NULL;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->p[i];
        if (c == '\\' && i + 1 < t->len) {
            c = t->p[++i];
            if (c == 'n')
                c = '\n';
            else if (c == 't')
                c = '\t';
        }
        s[o++] = c;
    }
    s[o] = '\0';
    return s;
}

/* ---- building the rule set ---------------------------------------------- */

static rule *cur_rule(parser *ps)
{
    return &ps->rs->rules[ps->rs->n - 1];
}

static nt_err push_index(size_t **v, size_t *n, size_t x)
{
    size_t *nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv)
        return NT_ERR_NOMEM;
    nv[(*n)++] = x;
    *v = nv;
    return NT_OK;
}

static nt_err push_str(char ***v, size_t *n, char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv) {
        free(s);
        return NT_ERR_NOMEM;
    }
    nv[(*n)++] = s;
    *v = nv;
    return NT_OK;
}

/* Parse one pattern (a phrase string or a /regex/) into the pattern table. */
static nt_err parse_pattern(parser *ps, size_t *index)
{
    struct nt_ruleset *rs = ps->rs;
    token t = ps->tok;
    if (t.kind != T_STRING && t.kind != T_REGEX)
        return fail(ps, t.line, t.col, "%s", "expected a \"phrase\" or a /regex/");
    if (rs->npats == ps->cap_pats) {
        size_t ncap = ps->cap_pats ? ps->cap_pats * 2 : 256;
        rpattern *np = realloc(rs->pats, ncap * sizeof *np);
        if (!np)
            return NT_ERR_NOMEM;
        rs->pats = np;
        ps->cap_pats = ncap;
    }
    rpattern *p = &rs->pats[rs->npats];
    memset(p, 0, sizeof *p);
    p->kind = t.kind == T_STRING ? PAT_PHRASE : PAT_REGEX;
    p->rule = rs->n - 1;
    p->line = t.line;
    p->col = t.col;
    if (p->kind == PAT_PHRASE) {
        char *raw = string_value(&t);
        if (!raw)
            return NT_ERR_NOMEM;
        nt_err rc = nt_text_fold(raw, strlen(raw), &p->text, &p->len);
        free(raw);
        if (rc == NT_ERR_UTF8)
            return fail(ps, t.line, t.col, "%s", "invalid UTF-8 in phrase");
        if (rc)
            return rc;
        if (p->len == 0) {
            free(p->text);
            return fail(ps, t.line, t.col, "%s", "phrase is empty once folded");
        }
        /* Phrases match the folded form, whose words are single-spaced. */
        for (size_t i = 0; i < p->len; i++)
            if (p->text[i] == '\t' || p->text[i] == '\n' ||
                (p->text[i] == ' ' && (i == 0 || i + 1 == p->len || p->text[i + 1] == ' '))) {
                free(p->text);
                return fail(ps, t.line, t.col, "%s",
                            "phrases are words separated by single spaces");
            }
    } else {
        p->text = tok_strdup(&t);
        if (!p->text)
            return NT_ERR_NOMEM;
        p->len = t.len;
    }
    *index = rs->npats++;
    return next(ps);
}

static nt_err parse_pattern_list(parser *ps, size_t **v, size_t *n)
{
    for (;;) {
        size_t idx;
        nt_err rc = parse_pattern(ps, &idx);
        if (rc)
            return rc;
        if ((rc = push_index(v, n, idx)))
            return rc;
        if (!is_punct(ps, ','))
            return NT_OK;
        if ((rc = next(ps)))
            return rc;
    }
}

static const struct {
    const char *name;
    nt_ind_type type;
} need_names[] = {
    {"url", NT_IND_URL},       {"domain", NT_IND_DOMAIN},   {"ip", NT_IND_IP},
    {"phone", NT_IND_PHONE},   {"bank", NT_IND_BANK_ACCOUNT}, {"email", NT_IND_EMAIL},
    {"social", NT_IND_SOCIAL}, {"wallet", NT_IND_WALLET},   {"national_id", NT_IND_NATIONAL_ID},
};

static nt_err parse_needs(parser *ps, rule *r)
{
    unsigned set = 0;
    for (;;) {
        if (ps->tok.kind != T_IDENT)
            return fail(ps, ps->tok.line, ps->tok.col, "%s", "expected an indicator type");
        unsigned bits = 0;
        if (is_word(ps, "link"))
            bits = (1u << NT_IND_URL) | (1u << NT_IND_DOMAIN);
        for (size_t i = 0; i < sizeof need_names / sizeof need_names[0]; i++)
            if (is_word(ps, need_names[i].name))
                bits = 1u << need_names[i].type;
        if (!bits) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)ps->tok.len, ps->tok.p);
            return fail(ps, ps->tok.line, ps->tok.col,
                        "unknown indicator type '%s' (url, domain, link, ip, phone, bank, "
                        "email, social, wallet, national_id)",
                        name);
        }
        set |= bits;
        nt_err rc = next(ps);
        if (rc)
            return rc;
        if (!is_punct(ps, '|'))
            break;
        if ((rc = next(ps)))
            return rc;
    }
    unsigned *nv = realloc(r->needs, (r->nneeds + 1) * sizeof *nv);
    if (!nv)
        return NT_ERR_NOMEM;
    nv[r->nneeds++] = set;
    r->needs = nv;
    return NT_OK;
}

/* An identifier value (tactic, category), checked against the taxonomy. */
static nt_err parse_id_value(parser *ps, char **dst, int is_tactic)
{
    if (ps->tok.kind != T_IDENT)
        return fail(ps, ps->tok.line, ps->tok.col, "%s",
                    is_tactic ? "expected a tactic (fear, lure, control)" : "expected a category");
    if (*dst)
        return fail(ps, ps->tok.line, ps->tok.col, "%s",
                    is_tactic ? "tactic given twice" : "category given twice");
    char *v = tok_strdup(&ps->tok);
    if (!v)
        return NT_ERR_NOMEM;
    int known = is_tactic ? nt_taxonomy_has_tactic(ps->tax, v) : nt_taxonomy_has_category(ps->tax, v);
    if (!known) {
        nt_err rc = fail(ps, ps->tok.line, ps->tok.col, "unknown %s '%s' (not in the taxonomy)",
                         is_tactic ? "tactic" : "category", v);
        free(v);
        return rc;
    }
    *dst = v;
    return next(ps);
}

static nt_err parse_string_value(parser *ps, char **dst, const char *field)
{
    if (ps->tok.kind != T_STRING)
        return fail(ps, ps->tok.line, ps->tok.col, "expected a \"string\" after %s:", field);
    if (*dst)
        return fail(ps, ps->tok.line, ps->tok.col, "%s: given twice", field);
    char *v = string_value(&ps->tok);
    if (!v)
        return NT_ERR_NOMEM;
    size_t bad;
    if (nt_utf8_validate(v, strlen(v), &bad) != NT_OK) {
        free(v);
        return fail(ps, ps->tok.line, ps->tok.col, "%s", "invalid UTF-8 in string");
    }
    *dst = v;
    return next(ps);
}

static nt_err parse_field(parser *ps, rule *r)
{
    token name = ps->tok;
    char fname[32];
    snprintf(fname, sizeof fname, "%.*s", (int)(name.len < 31 ? name.len : 31), name.p);
    if (name.kind != T_IDENT)
        return fail(ps, name.line, name.col, "%s", "expected a field name or '}'");
    nt_err rc = next(ps);
    if (rc || (rc = expect_punct(ps, ':')))
        return rc;
    if (strcmp(fname, "tactic") == 0)
        return parse_id_value(ps, &r->tactic, 1);
    if (strcmp(fname, "category") == 0)
        return parse_id_value(ps, &r->category, 0);
    if (strcmp(fname, "weight") == 0) {
        if (ps->tok.kind != T_NUMBER || ps->tok.num < 1 || ps->tok.num > 100)
            return fail(ps, ps->tok.line, ps->tok.col, "%s", "weight is a number from 1 to 100");
        r->weight = (int)ps->tok.num;
        return next(ps);
    }
    if (strcmp(fname, "vi") == 0)
        return parse_string_value(ps, &r->text_vi, "vi");
    if (strcmp(fname, "en") == 0)
        return parse_string_value(ps, &r->text_en, "en");
    if (strcmp(fname, "any") == 0)
        return parse_pattern_list(ps, &r->any, &r->nany);
    if (strcmp(fname, "all") == 0)
        return parse_pattern_list(ps, &r->all, &r->nall);
    if (strcmp(fname, "unless") == 0)
        return parse_pattern_list(ps, &r->unless, &r->nunless);
    if (strcmp(fname, "needs") == 0)
        return parse_needs(ps, r);
    if (strcmp(fname, "near") == 0) {
        near_cond nc;
        if ((rc = parse_pattern(ps, &nc.a)))
            return rc;
        if ((rc = expect_punct(ps, '~')))
            return rc;
        if (ps->tok.kind != T_NUMBER || ps->tok.num < 1 || ps->tok.num > 50)
            return fail(ps, ps->tok.line, ps->tok.col, "%s",
                        "expected a distance of 1 to 50 tokens after '~'");
        nc.within = (unsigned)ps->tok.num;
        if ((rc = next(ps)) || (rc = parse_pattern(ps, &nc.b)))
            return rc;
        near_cond *nv = realloc(r->near, (r->nnear + 1) * sizeof *nv);
        if (!nv)
            return NT_ERR_NOMEM;
        nv[r->nnear++] = nc;
        r->near = nv;
        return NT_OK;
    }
    if (strcmp(fname, "example") == 0 || strcmp(fname, "counter") == 0) {
        int ex = fname[0] == 'e';
        char *v = NULL;
        if ((rc = parse_string_value(ps, &v, fname))) {
            free(v); /* set when the error came from the token after it */
            return rc;
        }
        return ex ? push_str(&r->examples, &r->nexamples, v)
                  : push_str(&r->counters, &r->ncounters, v);
    }
    return fail(ps, name.line, name.col,
                "unknown field '%s' (tactic, category, weight, vi, en, any, all, near, needs, "
                "unless, example, counter)",
                fname);
}

static nt_err parse_rule(parser *ps)
{
    struct nt_ruleset *rs = ps->rs;
    token start = ps->tok;
    if (!is_word(ps, "rule"))
        return fail(ps, start.line, start.col, "%s", "expected 'rule'");
    nt_err rc = next(ps);
    if (rc)
        return rc;
    if (ps->tok.kind != T_IDENT)
        return fail(ps, ps->tok.line, ps->tok.col, "%s", "expected a rule id after 'rule'");
    if (rs->n >= MAX_RULES)
        return fail(ps, start.line, start.col, "%s", "too many rules");
    if (rs->n == ps->cap_rules) {
        size_t ncap = ps->cap_rules ? ps->cap_rules * 2 : 64;
        rule *nr = realloc(rs->rules, ncap * sizeof *nr);
        if (!nr)
            return NT_ERR_NOMEM;
        rs->rules = nr;
        ps->cap_rules = ncap;
    }
    rule *r = &rs->rules[rs->n++];
    memset(r, 0, sizeof *r);
    r->line = start.line;
    r->id = tok_strdup(&ps->tok);
    r->file = malloc(strlen(ps->source) + 1);
    if (!r->id || !r->file)
        return NT_ERR_NOMEM;
    memcpy(r->file, ps->source, strlen(ps->source) + 1);
    for (size_t i = 0; i + 1 < rs->n; i++)
        if (strcmp(rs->rules[i].id, r->id) == 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "duplicate rule id '%s' (first at %s:%u)", r->id,
                     rs->rules[i].file, rs->rules[i].line);
            return fail(ps, ps->tok.line, ps->tok.col, "%s", msg);
        }
    if ((rc = next(ps)) || (rc = expect_punct(ps, '{')))
        return rc;
    while (!is_punct(ps, '}')) {
        if (ps->tok.kind == T_EOF)
            return fail(ps, start.line, start.col, "rule '%s' is not closed with '}'", r->id);
        if ((rc = parse_field(ps, cur_rule(ps))))
            return rc;
        r = cur_rule(ps);
    }
    r = cur_rule(ps);
    if (!r->weight)
        return fail(ps, start.line, start.col, "rule '%s' has no weight", r->id);
    if (!r->tactic && !r->category)
        return fail(ps, start.line, start.col, "rule '%s' names neither a tactic nor a category",
                    r->id);
    if (!r->text_vi || !r->text_en)
        return fail(ps, start.line, start.col, "rule '%s' needs both vi: and en: descriptions",
                    r->id);
    if (!r->nany && !r->nall && !r->nnear)
        return fail(ps, start.line, start.col, "rule '%s' has no any:, all: or near: patterns",
                    r->id);
    return next(ps);
}

static nt_err parse_into(parser *ps)
{
    nt_err rc = next(ps);
    while (!rc && ps->tok.kind != T_EOF)
        rc = parse_rule(ps);
    if (rc == NT_ERR_NOMEM)
        nt__fail(ps->diag, rc, ps->pos, "out of memory");
    return rc;
}

static void rule_free(rule *r)
{
    free(r->id);
    free(r->tactic);
    free(r->category);
    free(r->text_vi);
    free(r->text_en);
    free(r->any);
    free(r->all);
    free(r->near);
    free(r->unless);
    free(r->needs);
    for (size_t i = 0; i < r->nexamples; i++)
        free(r->examples[i]);
    for (size_t i = 0; i < r->ncounters; i++)
        free(r->counters[i]);
    free(r->examples);
    free(r->counters);
    free(r->file);
}

void nt_ruleset_free(nt_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rule_free(&rs->rules[i]);
    for (size_t i = 0; i < rs->npats; i++)
        free(rs->pats[i].text);
    free(rs->rules);
    free(rs->pats);
    hs_free_database(rs->db);
    free(rs);
}

static nt_err parse_buffer(parser *ps, const char *src, size_t len, const char *source)
{
    size_t bad;
    if (nt_utf8_validate(src, len, &bad) != NT_OK) {
        unsigned line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (src[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)src[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        return nt__fail_at(ps->diag, NT_ERR_PARSE, source, line, col, bad, "invalid UTF-8");
    }
    ps->src = src;
    ps->len = len;
    ps->pos = 0;
    ps->line = 1;
    ps->col = 1;
    ps->source = source ? source : "<rules>";
    return parse_into(ps);
}

nt_err nt_ruleset_parse(const char *src, size_t len, const char *source, const nt_taxonomy *tax,
                        nt_ruleset **out, nt_diag *diag)
{
    if (!out || (!src && len) || !tax)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.tax = tax;
    ps.diag = diag;
    ps.rs = calloc(1, sizeof *ps.rs);
    if (!ps.rs)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err rc = parse_buffer(&ps, src ? src : "", len, source);
    if (!rc)
        rc = nt__rules_compile(ps.rs, ps.source, NULL, diag);
    if (rc) {
        nt_ruleset_free(ps.rs);
        return rc;
    }
    *out = ps.rs;
    return NT_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

nt_err nt_ruleset_load_dir(const char *dir, const nt_taxonomy *tax, nt_ruleset **out,
                           nt_diag *diag)
{
    return nt_ruleset_load_dir_cached(dir, tax, NULL, out, diag);
}

nt_err nt_ruleset_load_dir_cached(const char *dir, const nt_taxonomy *tax, const char *cache_dir,
                                  nt_ruleset **out, nt_diag *diag)
{
    if (!dir || !out || !tax)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    nt_err rc = NT_OK;
    char **names = NULL, *data = NULL;
    size_t nnames = 0;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.tax = tax;
    ps.diag = diag;
    DIR *d = opendir(dir);
    if (!d)
        return nt__fail_at(diag, NT_ERR_IO, dir, 0, 0, 0, "cannot open the rules directory");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 7 || strcmp(e->d_name + l - 6, ".rules") != 0 || e->d_name[0] == '.')
            continue;
        char *path = malloc(strlen(dir) + l + 2);
        if (!path || push_str(&names, &nnames, path) != NT_OK) {
            free(path);
            rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        snprintf(path, strlen(dir) + l + 2, "%s/%s", dir, e->d_name);
    }
    if (nnames == 0) {
        rc = nt__fail_at(diag, NT_ERR_NOT_FOUND, dir, 0, 0, 0, "no *.rules files");
        goto cleanup;
    }
    qsort(names, nnames, sizeof *names, name_cmp);
    ps.rs = calloc(1, sizeof *ps.rs);
    if (!ps.rs) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nnames && !rc; i++) {
        size_t len = 0;
        free(data);
        data = NULL;
        rc = nt__read_file(names[i], NT_MAX_DATA_FILE_BYTES, &data, &len, diag);
        if (!rc)
            rc = parse_buffer(&ps, data, len, names[i]);
    }
    if (!rc)
        rc = nt__rules_compile(ps.rs, dir, cache_dir, diag);
    if (!rc) {
        *out = ps.rs;
        ps.rs = NULL;
    }
cleanup:
    nt_ruleset_free(ps.rs);
    free(data);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

size_t nt_ruleset_count(const nt_ruleset *rs)
{
    return rs ? rs->n : 0;
}

nt_err nt_ruleset_info(const nt_ruleset *rs, size_t i, nt_rule_info *info)
{
    if (!rs || !info || i >= rs->n)
        return NT_ERR_INVALID_ARG;
    const rule *r = &rs->rules[i];
    info->id = r->id;
    info->tactic = r->tactic ? r->tactic : "";
    info->category = r->category ? r->category : "";
    info->weight = r->weight;
    info->text_vi = r->text_vi;
    info->text_en = r->text_en;
    info->nexamples = r->nexamples;
    info->ncounters = r->ncounters;
    info->examples = (const char *const *)r->examples;
    info->counters = (const char *const *)r->counters;
    return NT_OK;
}
