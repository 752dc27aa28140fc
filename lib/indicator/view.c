/*
 * lib/indicator/view.c - the "re-fanged" view of a message that the extractor
 * scans.  Threat reports and scam warnings write indicators defanged so they
 * cannot be clicked ("hxxps://evil[.]com", "evil(.)com", "evil dot com",
 * "abc[at]gmail[.]com"); scammers write them with full-width characters or
 * invisible characters inside to dodge filters.  Undoing that once, up front,
 * with an offset map, lets every scanning pass work on plain text and still
 * report spans of what the user actually pasted.
 */
#include "indicator/extract_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "niemtin/text.h"

static int is_alnum_ascii(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int is_alpha_ascii(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static nt_err reserve(nt__view *v, size_t cap)
{
    v->b = malloc(cap);
    v->os = malloc(cap * sizeof *v->os);
    v->oe = malloc(cap * sizeof *v->oe);
    v->vf = malloc(cap);
    if (!v->b || !v->os || !v->oe || !v->vf)
        return NT_ERR_NOMEM;
    v->cap = cap;
    return NT_OK;
}

/* Append view bytes s[0..n) all mapped to the original span [os, oe).  The
 * view is never longer than the input (every rewrite shortens or keeps the
 * length), so the arrays reserved up front always have room. */
static inline void emit(nt__view *v, const char *s, size_t n, size_t os, size_t oe,
                        uint8_t flags)
{
    for (size_t i = 0; i < n; i++) {
        v->b[v->n] = s[i];
        v->os[v->n] = (uint32_t)os;
        v->oe[v->n] = (uint32_t)oe;
        v->vf[v->n] = flags | v->pending;
        v->pending = 0;
        v->n++;
    }
}

/* Case-insensitive ASCII prefix test of t[i..len) against lower-case pat. */
static int at(const char *t, size_t len, size_t i, const char *pat)
{
    size_t n = strlen(pat);
    if (len - i < n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)t[i + k];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c | 0x20);
        if (c != (unsigned char)pat[k])
            return 0;
    }
    return 1;
}

typedef struct defang {
    const char *pat;  /* lower-case ASCII as written */
    const char *repl; /* what it stands for */
    int spaced;       /* also swallow one space on each side */
} defang;

/* Bracketed defang forms; checked longest first at '[', '(' and '{'. */
static const defang brackets[] = {
    {"[://]", "://", 0}, {"[:]", ":", 0},   {"[dot]", ".", 1}, {"(dot)", ".", 1},
    {"{dot}", ".", 1},   {"[.]", ".", 1},   {"(.)", ".", 1},   {"{.}", ".", 1},
    {"[at]", "@", 1},    {"(at)", "@", 1},  {"{at}", "@", 1},  {"[@]", "@", 1},
    {"(@)", "@", 1},     {"[/]", "/", 0},
};

static int is_invisible(int32_t cp)
{
    return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Non-ASCII characters the view rewrites: invisible ones, unusual spaces,
 * full-width forms and look-alike dots. */
static int needs_rewrite_cp(int32_t cp)
{
    return is_invisible(cp) || (cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0x3002 || cp == 0xFF61 ||
           cp == 0x2024 || cp == 0x00A0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029;
}

/* A bracketed defang form ("[.]", "(dot)", "[at]", ...) at text[i]. */
static int bracket_at(const char *text, size_t len, size_t i)
{
    for (size_t k = 0; k < sizeof brackets / sizeof brackets[0]; k++)
        if (at(text, len, i, brackets[k].pat))
            return 1;
    return 0;
}

/* Most messages contain nothing to undo: no defang notation, no NUL, no
 * invisible, unusual-space or full-width characters, and valid UTF-8.  The
 * prefilter (prefilter.c) checks well-formedness and finds the few bytes
 * where something could start; this decides for one of them. */
int nt__view_rewrites_at(const char *text, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)text;
    unsigned char c = u[i];
    switch (c) {
    case 0:
        return 1;
    case 'h':
    case 'H':
        return i + 1 < len && ((u[i + 1] | 0x20) == 'x' || u[i + 1] == '*') &&
               (at(text, len, i, "hxxp") || at(text, len, i, "h**p"));
    case ' ': /* " dot " */
        return i + 4 < len && (u[i + 1] | 0x20) == 'd' && (u[i + 2] | 0x20) == 'o' &&
               (u[i + 3] | 0x20) == 't' && u[i + 4] == ' ';
    case '[':
    case '(':
    case '{': /* also when spaced: " [.] " */
        return bracket_at(text, len, i);
    case 0xC2:
    case 0xE2:
    case 0xE3:
    case 0xEF: {
        /* the lead bytes of every non-ASCII character the view rewrites */
        int32_t cp;
        size_t k = nt__utf8_decode(u + i, len - i, &cp);
        return k == 0 || needs_rewrite_cp(cp);
    }
    default:
        return 0;
    }
}

nt_err nt__view_build(nt__view *v, const char *text, size_t len, int rewrite)
{
    nt_err rc = NT_OK;
    const unsigned char *u = (const unsigned char *)text;
    memset(v, 0, sizeof *v);
    if (!rewrite) {
        v->b = (char *)text; /* read only: never written or freed */
        v->n = len;
        v->identity = 1;
        return NT_OK;
    }
    if ((rc = reserve(v, len + 1)) != NT_OK)
        goto cleanup;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            /* hxxp / hxxps / hXXp at a word start. */
            if ((c | 0x20) == 'h' && (i == 0 || !is_alnum_ascii(u[i - 1])) &&
                (at(text, len, i, "hxxp") || at(text, len, i, "hxxps") ||
                 at(text, len, i, "h**p"))) {
                emit(v, "http", 4, i, i + 4, NT__VF_DEFANGED);
                i += 4;
                continue;
            }
            if (c == '[' || c == '(' || c == '{' || c == ' ') {
                size_t start = i, j = i;
                int lead_space = 0;
                if (c == ' ' && i + 1 < len && (u[i + 1] == '[' || u[i + 1] == '(' ||
                                                u[i + 1] == '{')) {
                    lead_space = 1;
                    j = i + 1;
                }
                const defang *hit = NULL;
                for (size_t k = 0; k < sizeof brackets / sizeof brackets[0]; k++) {
                    if (at(text, len, j, brackets[k].pat)) {
                        hit = &brackets[k];
                        break;
                    }
                }
                if (hit && (!lead_space || hit->spaced) && (c != ' ' || lead_space)) {
                    size_t end = j + strlen(hit->pat);
                    if (hit->spaced && end < len && u[end] == ' ' && lead_space)
                        end++;
                    emit(v, hit->repl, strlen(hit->repl), start, end, NT__VF_DEFANGED);
                    i = end;
                    continue;
                }
                /* "example dot com": " dot " between a word and a letter. */
                if (c == ' ' && at(text, len, i, " dot ") && i > 0 && is_alnum_ascii(u[i - 1]) &&
                    i + 5 < len && is_alpha_ascii(u[i + 5])) {
                    emit(v, ".", 1, i, i + 5, NT__VF_DEFANGED);
                    i += 5;
                    continue;
                }
            }
            char ch = (char)(c == 0 ? NT__VIEW_BREAK : c);
            emit(v, &ch, 1, i, i + 1, 0);
            i++;
            continue;
        }
        int32_t cp;
        size_t n = nt__utf8_decode(u + i, len - i, &cp);
        if (n == 0) {
            char brk = NT__VIEW_BREAK; /* a malformed byte never joins */
            emit(v, &brk, 1, i, i + 1, 0);
            i++;
            continue;
        }
        if (is_invisible(cp)) {
            /* Dropped.  It belongs to no view byte, so it lies inside an
             * indicator's original span only when it was inside the
             * indicator; the next byte remembers that something was here. */
            i += n;
            v->pending = NT__VF_AFTER_DROP;
            continue;
        }
        if (cp >= 0xFF01 && cp <= 0xFF5E) { /* full-width ASCII */
            char ch = (char)(cp - 0xFEE0);
            emit(v, &ch, 1, i, i + n, NT__VF_OBFUSCATED);
        } else if (cp == 0x3002 || cp == 0xFF61 || cp == 0x2024) { /* 。 ｡ ․ */
            emit(v, ".", 1, i, i + n, NT__VF_OBFUSCATED);
        } else if (cp == 0x00A0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A) ||
                   cp == 0x2028 || cp == 0x2029) {
            emit(v, " ", 1, i, i + n, 0);
        } else {
            emit(v, text + i, n, i, i + n, 0);
        }
        i += n;
    }
    v->b[v->n] = '\0';
cleanup:
    if (rc)
        nt__view_free(v);
    return rc;
}

void nt__view_free(nt__view *v)
{
    if (!v->identity)
        free(v->b);
    free(v->os);
    free(v->oe);
    free(v->vf);
    memset(v, 0, sizeof *v);
}
