/*
 * lib/indicator/extract.c - find every scam indicator in a message.
 *
 * The message is first turned into a re-fanged view (view.c).  Independent
 * passes then scan the view, each for one family of indicators, and propose
 * candidates; each candidate is accepted only if the matching canonicaliser
 * (nt_canon_*) accepts it, so "what counts as a phone number" is decided in
 * one place.  Finally candidates inside a URL or e-mail address are dropped
 * (a phone number inside "zalo.me/0912345678" is the link's, not a second
 * indicator) and the rest are returned in text order with spans mapped back
 * to the original bytes.
 *
 * Bare numbers are the hard part: the same ten digits are a phone number, a
 * bank account, a citizen ID or an amount depending on the words around them.
 * The context phrases (context.c, data/indicator-context.tsv) decide, nearest
 * phrase first.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/diag.h"
#include "indicator/extract_int.h"
#include "indicator/values.h"
#include "niemtin/limits.h"
#include "niemtin/text.h"

struct nt_extractor {
    const nt_banks *banks;
    nt__phrases phrases;
    nt__folder folder;
    size_t phone_alone; /* nt__phone_min_standalone_digits() */
    unsigned char id_key[32];
    int has_key;
    size_t max_bytes;
};

/* One allocation: the count and the indicators (their strings apart). */
struct nt_indicator_list {
    size_t n;
    nt_indicator v[];
};

/* A candidate in view coordinates, owning its strings until accepted. */
typedef struct cand {
    nt_ind_type type;
    unsigned flags;
    size_t vs, ve; /* view span */
    char *value;
    char *detail;
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
} cands;

/* The per-call state of one extraction. */
typedef struct scan {
    const nt_extractor *ex;
    nt__view view;
    cands c;
    /* the view folded for phrase matching (nt__fold_view), made on first use */
    nt__folded fold;
    /* the folded words before the number being classified, and what they say */
    const char *before; /* a slice of fold: fold.b[before_a .. before_a + blen) */
    size_t blen, before_vs, before_a;
    unsigned before_kinds;
    size_t before_dist[8];
    int before_bank; /* a bank is named in those words: 1, 0, or -1 not known yet */
    nt_bank_info before_bank_info;
} scan;

/* ---- small character classes on the view ------------------------------------ */

static unsigned ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_alnum(unsigned char c)
{
    return is_digit(c) || is_alpha(c);
}

/* Non-zero if the UTF-8 character at b[i] is a letter or digit (any script). */
static int u_alnum_at(const char *b, size_t n, size_t i, size_t *clen)
{
    const unsigned char *u = (const unsigned char *)b;
    if (u[i] < 0x80) {
        *clen = 1;
        return is_alnum(u[i]);
    }
    int32_t cp;
    size_t k = nt__utf8_decode(u + i, n - i, &cp);
    if (k == 0) {
        *clen = 1;
        return 0;
    }
    *clen = k;
    /* Latin letters with diacritics (all of Vietnamese) without a table look-up. */
    if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
        (cp >= 0x1EA0 && cp <= 0x1EF9) || (cp >= 0x300 && cp <= 0x36F))
        return 1;
    utf8proc_category_t cat = utf8proc_category(cp);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_MN) ||
           cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ND;
}

/* Non-zero if the character ending just before b[i] is a letter or digit. */
static int u_alnum_before(const char *b, size_t n, size_t i)
{
    if (i == 0)
        return 0;
    size_t s = i - 1;
    while (s > 0 && ((unsigned char)b[s] & 0xC0) == 0x80 && i - s < 4)
        s--;
    size_t clen;
    return u_alnum_at(b, n, s, &clen);
}

/* ---- candidates ------------------------------------------------------------- */

static void cands_free(cands *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].value);
        free(c->v[i].detail);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* Take ownership of value and detail (detail may be NULL) and add a candidate. */
static nt_err add(scan *s, nt_ind_type type, unsigned flags, size_t vs, size_t ve, char *value,
                  char *detail)
{
    cands *c = &s->c;
    if (c->n >= NT_MAX_INDICATORS_PER_MESSAGE) {
        free(value);
        free(detail);
        return NT_ERR_TOO_BIG;
    }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        cand *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv) {
            free(value);
            free(detail);
            return NT_ERR_NOMEM;
        }
        c->v = nv;
        c->cap = ncap;
    }
    for (size_t k = vs; k < ve; k++) {
        unsigned vf = nt__view_flags(&s->view, k);
        if (vf & NT__VF_DEFANGED)
            flags |= NT_INDF_DEFANGED;
        if ((vf & NT__VF_OBFUSCATED) || (k > vs && (vf & NT__VF_AFTER_DROP)))
            flags |= NT_INDF_OBFUSCATED;
    }
    c->v[c->n++] = (cand){type, flags, vs, ve, value, detail};
    return NT_OK;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* A canonicaliser refusing a candidate is normal; only NOMEM is an error. */
static nt_err soft(nt_err rc)
{
    return rc == NT_ERR_NOMEM ? NT_ERR_NOMEM : NT_OK;
}

/* ---- URLs ------------------------------------------------------------------- */

/* ASCII bytes that never continue a URL: controls, space, DEL and
 * <>"'`{}|\^. */
static const uint8_t not_url[128] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1,
    [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1,
    [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1, [' '] = 1,  [0x7F] = 1, ['<'] = 1,
    ['>'] = 1,  ['"'] = 1,  ['\''] = 1, ['`'] = 1,  ['{'] = 1,  ['}'] = 1,  ['|'] = 1,
    ['\\'] = 1, ['^'] = 1,
};

/* Punctuation given back from the end of a URL. */
static const uint8_t url_trailer[128] = {
    ['.'] = 1, [','] = 1, [';'] = 1, [':'] = 1, ['!'] = 1, ['?'] = 1, ['*'] = 1,
};

/* May byte/char at b[i] continue a URL? */
static int url_char(const char *b, size_t n, size_t i, size_t *clen)
{
    unsigned char c = (unsigned char)b[i];
    *clen = 1;
    if (c >= 0x80)
        return u_alnum_at(b, n, i, clen);
    return !not_url[c];
}

/* End of a URL starting at i: extend over URL characters, then give back
 * trailing punctuation and unbalanced closing brackets. */
static size_t url_end(const nt__view *v, size_t i)
{
    const char *b = v->b;
    size_t n = v->n, e = i, clen;
    int path = 0;
    while (e < n && url_char(b, n, e, &clen)) {
        /* A look-alike full stop (。) after the host ends a sentence, not a path. */
        if (path && b[e] == '.' && (nt__view_flags(v, e) & NT__VF_OBFUSCATED))
            break;
        path |= b[e] == '/';
        e += clen;
    }
    /* Bracket balance counted once, so trimming stays linear. */
    long paren = 0, square = 0;
    for (size_t k = i; k < e; k++) {
        paren += (b[k] == '(') - (b[k] == ')');
        square += (b[k] == '[') - (b[k] == ']');
    }
    while (e > i) {
        unsigned char c = (unsigned char)b[e - 1];
        if (c < 0x80 && url_trailer[c]) { /* never NUL: the view has none */
            e--;
        } else if (c == ')' && paren < 0) {
            paren++;
            e--;
        } else if (c == ']' && square < 0) {
            square++;
            e--;
        } else {
            break;
        }
    }
    return e;
}

/* Registrable domain of a canonical URL's host, or the host itself (IPs). */
static char *url_detail(const char *canon)
{
    char *host = NULL, *ascii = NULL, *reg = NULL, *out = NULL;
    if (nt_url_host(canon, &host) != NT_OK)
        return dup_str("");
    if (nt_canon_domain(host, strlen(host), &ascii, &reg, NULL) == NT_OK && reg) {
        out = reg;
        reg = NULL;
    } else {
        out = host;
        host = NULL;
    }
    free(host);
    free(ascii);
    free(reg);
    return out;
}

static int has_non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* Canonicalise b[vs..ve) as a URL and add it, plus a social account when the
 * link is one. */
static nt_err add_url(scan *s, size_t vs, size_t ve, unsigned flags)
{
    const char *b = s->view.b;
    char *canon = NULL;
    nt_err rc = nt_canon_url(b + vs, ve - vs, &canon, NULL);
    if (rc)
        return soft(rc);
    char *detail = url_detail(canon);
    if (!detail) {
        free(canon);
        return NT_ERR_NOMEM;
    }
    if (has_non_ascii(b + vs, ve - vs))
        flags |= NT_INDF_IDN;
    char *social = NULL;
    nt_err src = nt_canon_social(b + vs, ve - vs, &social, NULL);
    rc = add(s, NT_IND_URL, flags, vs, ve, canon, detail);
    if (rc) {
        free(social);
        return rc;
    }
    if (src == NT_OK) {
        const char *colon = strchr(social, ':');
        size_t plen = colon ? (size_t)(colon - social) : strlen(social);
        char *platform = malloc(plen + 1);
        if (!platform) {
            free(social);
            return NT_ERR_NOMEM;
        }
        memcpy(platform, social, plen);
        platform[plen] = '\0';
        return add(s, NT_IND_SOCIAL, flags, vs, ve, social, platform);
    }
    return soft(src);
}

static int starts_ci(const char *b, size_t n, size_t i, const char *pat)
{
    size_t k = 0;
    for (; pat[k]; k++) {
        if (i + k >= n)
            return 0;
        unsigned char c = (unsigned char)b[i + k];
        if (c >= 'A' && c <= 'Z')
            c |= 0x20;
        if (c != (unsigned char)pat[k])
            return 0;
    }
    return 1;
}

/* URLs with a scheme ("https://...", also "hxxps://" once re-fanged) or "www.". */
static nt_err pass_urls(scan *s)
{
    const char *b = s->view.b;
    size_t n = s->view.n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if ((c | 0x20) != 'h' && (c | 0x20) != 'w' && (c | 0x20) != 'f')
            continue;
        if (i > 0 && (is_alnum((unsigned char)b[i - 1]) || b[i - 1] == '.' || b[i - 1] == '/'))
            continue;
        size_t start = i, body;
        unsigned flags = 0;
        if (starts_ci(b, n, i, "https://"))
            body = i + 8;
        else if (starts_ci(b, n, i, "http://"))
            body = i + 7;
        else if (starts_ci(b, n, i, "ftp://"))
            body = i + 6;
        else if (starts_ci(b, n, i, "www.")) {
            body = i + 4;
            flags |= NT_INDF_NO_SCHEME;
        } else
            continue;
        size_t e = url_end(&s->view, body);
        if (e <= body)
            continue;
        nt_err rc = add_url(s, start, e, flags);
        if (rc)
            return rc;
        i = e - 1;
    }
    return NT_OK;
}

/* Host characters for bare domains: ASCII letters, digits, '-' and letters of
 * any script (IDN). */
static int host_char(const char *b, size_t n, size_t i, size_t *clen)
{
    unsigned char c = (unsigned char)b[i];
    *clen = 1;
    if (c < 0x80)
        return is_alnum(c) || c == '-';
    return u_alnum_at(b, n, i, clen);
}

/* Bare domains ("vietcombank-xacminh.com", "evil[.]com", "ngânhàng.vn"), and
 * scheme-less URLs when a path follows ("bit.ly/abc").  Accepted only when the
 * last labels form a real public suffix, so "file.txt", "v.v." and "TP.HCM"
 * are not domains. */
static nt_err pass_domains(scan *s)
{
    const char *b = s->view.b;
    size_t n = s->view.n;
    size_t i = 0; /* everything before i has been looked at */
    for (;;) {
        /* Only runs containing a dot can be domains: go from dot to dot. */
        const char *dot = i < n ? memchr(b + i, '.', n - i) : NULL;
        if (!dot)
            break;
        size_t p = (size_t)(dot - b), clen;
        if (p + 1 >= n || !host_char(b, n, p + 1, &clen) || p == 0) {
            i = p + 1;
            continue;
        }
        /* Walk back to the start of the run of host characters and dots. */
        size_t start = p;
        while (start > i) {
            size_t ps = start - 1;
            while (ps > i && ((unsigned char)b[ps] & 0xC0) == 0x80 && start - ps < 4)
                ps--;
            if (b[ps] == '.' || (host_char(b, n, ps, &clen) && ps + clen == start))
                start = ps;
            else
                break;
        }
        while (start < p && (b[start] == '-' || b[start] == '.'))
            start++;
        if (start == p) {
            i = p + 1;
            continue;
        }
        /* Skip runs owned by something else: the domain of an e-mail
         * address, a path segment, "a_b.c".  (A ':' or an ellipsis before it
         * is just text: "link:vcb-khoa.com", "ngay...vcb-khoa.com".) */
        unsigned char prev = start ? (unsigned char)b[start - 1] : ' ';
        int owned = prev == '@' || prev == '/' || prev == '_' || u_alnum_before(b, n, start) ||
                    (prev == ':' && start >= 2 && b[start - 2] == ':');
        size_t e = start, dots = 0, last_dot = 0;
        for (;;) {
            while (e < n && host_char(b, n, e, &clen))
                e += clen;
            if (e + 1 < n && b[e] == '.' && host_char(b, n, e + 1, &clen) && b[e + 1] != '-') {
                last_dot = e;
                dots++;
                e++;
                continue;
            }
            break;
        }
        i = e > start ? e : start + 1;
        if (owned || dots == 0)
            continue;
        /* The top-level label must be letters (of any script: ".рф"), or an
         * xn-- A-label. */
        size_t tl = last_dot + 1;
        int alpha_tld = 1;
        for (size_t k = tl; k < e; k++)
            if (is_digit((unsigned char)b[k]) || b[k] == '-')
                alpha_tld = 0;
        if (!alpha_tld && !starts_ci(b, n, tl, "xn--"))
            continue;
        if (e - tl < 2)
            continue;
        if (e < n && b[e] == '@')
            continue; /* the local part of an e-mail address */
        size_t ue = e;
        int is_url = 0;
        if (e < n && (b[e] == '/' || b[e] == ':' || b[e] == '?')) {
            size_t clen2;
            if (b[e] == ':' && !(e + 1 < n && is_digit((unsigned char)b[e + 1])))
                ue = e;
            else if (e + 1 >= n || url_char(b, n, e + 1, &clen2) || b[e] == '/') {
                ue = url_end(&s->view, e);
                is_url = ue > e + 1;
            }
        }
        nt_err rc;
        if (is_url) {
            rc = add_url(s, start, ue, NT_INDF_NO_SCHEME);
            i = ue;
        } else {
            char *ascii = NULL, *reg = NULL;
            rc = nt_canon_domain(b + start, e - start, &ascii, &reg, NULL);
            if (rc == NT_OK) {
                unsigned f = NT_INDF_NO_SCHEME;
                if (has_non_ascii(b + start, e - start))
                    f |= NT_INDF_IDN;
                rc = add(s, NT_IND_DOMAIN, f, start, e, ascii, reg ? reg : dup_str(""));
            } else {
                free(ascii);
                free(reg);
                rc = soft(rc);
            }
        }
        if (rc)
            return rc;
    }
    return NT_OK;
}

/* ---- e-mail addresses and @handles ------------------------------------------ */

static int local_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static nt_err pass_at(scan *s)
{
    const char *b = s->view.b;
    size_t n = s->view.n;
    for (size_t i = 0; i < n; i++) {
        const char *sign = memchr(b + i, '@', n - i);
        if (!sign)
            break;
        i = (size_t)(sign - b);
        size_t ls = i;
        while (ls > 0 && local_char((unsigned char)b[ls - 1]))
            ls--;
        while (ls < i && b[ls] == '.')
            ls++;
        nt_err rc = NT_OK;
        if (ls < i) {
            /* local@domain */
            size_t e = i + 1, clen;
            while (e < n && (host_char(b, n, e, &clen) || b[e] == '.'))
                e += (b[e] == '.') ? 1 : clen;
            while (e > i + 1 && b[e - 1] == '.')
                e--;
            if (e <= i + 1)
                continue;
            char *canon = NULL;
            rc = nt_canon_email(b + ls, e - ls, &canon, NULL);
            if (rc == NT_OK) {
                const char *at = strrchr(canon, '@');
                char *dom = dup_str(at ? at + 1 : "");
                if (!dom) {
                    free(canon);
                    return NT_ERR_NOMEM;
                }
                rc = add(s, NT_IND_EMAIL, 0, ls, e, canon, dom);
                i = e - 1;
            } else {
                rc = soft(rc);
            }
        } else if (!u_alnum_before(b, n, i)) {
            /* @handle */
            size_t e = i + 1;
            while (e < n && (is_alnum((unsigned char)b[e]) || b[e] == '_' || b[e] == '.'))
                e++;
            while (e > i + 1 && b[e - 1] == '.')
                e--;
            if (e - i - 1 < 2 || (e < n && (unsigned char)b[e] >= 0x80))
                continue;
            char *canon = NULL;
            rc = nt_canon_social(b + i, e - i, &canon, NULL);
            if (rc == NT_OK) {
                char *platform = dup_str("handle");
                if (!platform) {
                    free(canon);
                    return NT_ERR_NOMEM;
                }
                rc = add(s, NT_IND_SOCIAL, 0, i, e, canon, platform);
                i = e - 1;
            } else {
                rc = soft(rc);
            }
        }
        if (rc)
            return rc;
    }
    return NT_OK;
}

/* ---- crypto wallets ----------------------------------------------------------- */

static nt_err pass_wallets(scan *s)
{
    const char *b = s->view.b;
    size_t n = s->view.n;
    size_t i = 0;
    while (i < n) {
        if (!is_alnum((unsigned char)b[i]) || (i > 0 && u_alnum_before(b, n, i))) {
            i++;
            continue;
        }
        size_t e = i;
        while (e < n && is_alnum((unsigned char)b[e]))
            e++;
        size_t len = e - i;
        unsigned char c0 = (unsigned char)b[i];
        int plausible = len >= 25 && len <= 90 &&
                        (c0 == '1' || c0 == '3' || c0 == 'T' || starts_ci(b, n, i, "bc1") ||
                         starts_ci(b, n, i, "0x"));
        if (plausible && !(e < n && ((unsigned char)b[e] >= 0x80))) {
            char *canon = NULL;
            nt_err rc = nt_canon_wallet(b + i, len, &canon, NULL);
            if (rc == NT_OK) {
                const char *colon = strchr(canon, ':');
                size_t pl = colon ? (size_t)(colon - canon) : 0;
                char *chain = malloc(pl + 1);
                if (!chain) {
                    free(canon);
                    return NT_ERR_NOMEM;
                }
                memcpy(chain, canon, pl);
                chain[pl] = '\0';
                rc = add(s, NT_IND_WALLET, 0, i, e, canon, chain);
            } else {
                rc = soft(rc);
            }
            if (rc)
                return rc;
        }
        i = e;
    }
    return NT_OK;
}

/* ---- numbers: phones, bank accounts, citizen IDs, IPv4 ---------------------- */

#define MAX_GROUPS 12
#define CTX_BEFORE 64 /* view bytes of context before a number */
#define CTX_AFTER 40  /* and after it */

typedef struct group {
    size_t vs, ve; /* view span of the digits of this group */
    int tight;     /* the separator after it has no space */
} group;

/* Word bytes of folded text (ASCII letters and digits after folding). */
static int word_like(unsigned char c)
{
    return is_alnum(c) || c >= 0x80;
}

/* The folded view window [ws, we) for phrase matching: a slice of the view
 * folded once (fold_view), widened to whole characters.  Only allocation
 * can fail. */
static nt_err fold_window(scan *s, size_t ws, size_t we, const char **out, size_t *flen)
{
    const char *b = s->view.b;
    size_t n = s->view.n;
    if (!s->fold.b) {
        nt_err rc = nt__fold_view(&s->ex->folder, b, n, &s->fold);
        if (rc)
            return rc;
    }
    while (ws > 0 && ws < n && ((unsigned char)b[ws] & 0xC0) == 0x80)
        ws--;
    while (we < n && ((unsigned char)b[we] & 0xC0) == 0x80)
        we++;
    *out = s->fold.b + s->fold.map[ws];
    *flen = s->fold.map[we] - s->fold.map[ws];
    return NT_OK;
}

/* Name of the bank nearest to the number in the folded windows: starting at
 * one of the 8 words just before it (nearest first) or the 4 just after. */
/* A bank named in one of the 8 words just before the number (nearest
 * first), in the folded window before[0..blen). */
static int bank_before(const nt_banks *banks, const char *before, size_t blen,
                       nt_bank_info *info)
{
    size_t words = 0, mlen;
    for (size_t e = blen; banks && e > 0 && words < 8;) {
        while (e > 0 && !word_like((unsigned char)before[e - 1]))
            e--;
        size_t st = e;
        while (st > 0 && word_like((unsigned char)before[st - 1]))
            st--;
        if (st == e)
            break;
        words++;
        /* Bank names start with a letter (a bare BIN in text is a number). */
        if (!is_digit((unsigned char)before[st]) &&
            nt__banks_match_prefix(banks, before + st, blen - st, &mlen, info))
            return 1;
        e = st;
    }
    return 0;
}

/* A bank named in one of the 4 words just after the number. */
static int bank_after(const nt_banks *banks, const char *after, size_t alen, nt_bank_info *info)
{
    size_t words = 0, mlen;
    for (size_t st = 0; banks && st < alen && words < 4;) {
        while (st < alen && !word_like((unsigned char)after[st]))
            st++;
        if (st >= alen)
            break;
        words++;
        if (!is_digit((unsigned char)after[st]) &&
            nt__banks_match_prefix(banks, after + st, alen - st, &mlen, info))
            return 1;
        while (st < alen && word_like((unsigned char)after[st]))
            st++;
    }
    return 0;
}

/* What the words around one number say about it. */
typedef struct numctx {
    unsigned kinds;   /* NT__CTX_* found before the number */
    size_t dist[8];   /* distance of the nearest phrase of each kind */
    int unit_after;   /* a money unit follows, or letters glued to the digits */
    int count_after;  /* a count or time unit follows ("5 ngày", "3 lần") */
    const char *after; /* the folded words after it (a slice of the fold) */
    size_t alen;
    int bank_named;   /* a bank's name is near (number_bank) */
    nt_bank_info bank;
} numctx;

static size_t dist_of(const numctx *c, unsigned kind)
{
    unsigned bit = 0;
    while (!((1u << bit) & kind))
        bit++;
    return (c->kinds & kind) ? c->dist[bit] : (size_t)-1;
}

/* What the words around the number at view [vs, ve) say.  An amount (a
 * unit right after it) needs nothing else, so the words after are looked at
 * first: then c->unit_after is set and the rest is left zero. */
static nt_err number_context(scan *s, size_t vs, size_t ve, numctx *c)
{
    const char *b = s->view.b;
    size_t n = s->view.n, clen;
    memset(c, 0, sizeof *c);
    if (ve < n && u_alnum_at(b, n, ve, &clen)) {
        c->unit_after = 1; /* letters glued to the digits: "500k", "10tr" */
        return NT_OK;
    }
    size_t we = ve + CTX_AFTER < n ? ve + CTX_AFTER : n;
    size_t alen = 0;
    const char *after = NULL;
    nt_err rc = fold_window(s, ve, we, &after, &alen);
    if (rc)
        return rc;
    if (nt__phrases_starts(&s->ex->phrases, NT__CTX_UNIT, after, alen)) {
        c->unit_after = 1;
        return NT_OK;
    }
    c->count_after = nt__phrases_starts(&s->ex->phrases, NT__CTX_COUNT, after, alen);
    /* The words before a number depend only on where it starts; the greedy
     * grouping tries several ends for one start, so look at them once. */
    if (!s->before || s->before_vs != vs) {
        size_t ws = vs > CTX_BEFORE ? vs - CTX_BEFORE : 0;
        rc = fold_window(s, ws, vs, &s->before, &s->blen);
        if (rc)
            return rc;
        s->before_vs = vs;
        s->before_a = (size_t)(s->before - s->fold.b);
        s->before_kinds = nt__phrases_before(&s->ex->phrases,
                                             NT__CTX_BANK | NT__CTX_PHONE | NT__CTX_ID |
                                                 NT__CTX_ZALO | NT__CTX_CODE,
                                             &s->fold, s->before_a, s->before_a + s->blen,
                                             s->before_dist);
        s->before_bank = -1; /* looked up only for numbers shaped like accounts */
    }
    c->kinds = s->before_kinds;
    memcpy(c->dist, s->before_dist, sizeof c->dist);
    c->after = after;
    c->alen = alen;
    return NT_OK;
}

/* Is a bank named in the 8 words before the number number_context last
 * looked at (cached per number start) or, if not, in the 4 after it? */
static void number_bank(scan *s, numctx *c)
{
    if (s->before_bank < 0)
        s->before_bank = bank_before(s->ex->banks, s->before, s->blen, &s->before_bank_info);
    if (s->before_bank) {
        c->bank_named = 1;
        c->bank = s->before_bank_info;
    } else {
        c->bank_named = bank_after(s->ex->banks, c->after, c->alen, &c->bank);
    }
}

static char *phone_detail(const nt_phone_info *pi)
{
    nt__buf d;
    nt__buf_init(&d, 256);
    nt_err rc = nt__buf_adds(&d, nt_phone_kind_name(pi->kind));
    if (!rc && pi->carrier[0])
        rc = nt__buf_printf(&d, "/%s", pi->carrier);
    if (!rc && pi->region[0])
        rc = nt__buf_printf(&d, "/%s", pi->region);
    if (rc) {
        nt__buf_free(&d);
        return NULL;
    }
    return nt__buf_take(&d);
}

/* Add a citizen ID (hashed, flagged personal) if the digits are one;
 * NT_ERR_INVALID if they are not. */
static nt_err add_national_id(scan *s, size_t vs, size_t ve, const char *digits, size_t nd,
                              int *taken)
{
    const nt_extractor *ex = s->ex;
    char *canon = NULL;
    nt_err rc = nt_canon_national_id(digits, nd, ex->id_key, &canon, NULL);
    if (rc)
        return rc;
    char *detail = dup_str("cccd");
    if (!detail) {
        free(canon);
        return NT_ERR_NOMEM;
    }
    *taken = 1;
    return add(s, NT_IND_NATIONAL_ID, NT_INDF_PERSONAL, vs, ve, canon, detail);
}

/* Decide what the number at view [vs, ve) is and add it; *taken is set when
 * it became an indicator.  digits is the run without separators. */
static nt_err classify(scan *s, size_t vs, size_t ve, const char *digits, size_t nd, int plus,
                       int *taken)
{
    const nt_extractor *ex = s->ex;
    const char *b = s->view.b;
    numctx c;
    nt_err rc = number_context(s, vs, ve, &c);
    if (rc)
        return rc;
    *taken = 0;
    size_t d_bank = dist_of(&c, NT__CTX_BANK), d_id = dist_of(&c, NT__CTX_ID),
           d_code = dist_of(&c, NT__CTX_CODE);
    /* A Zalo mention announces a phone number too ("kết bạn Zalo 09..."). */
    size_t d_phone = dist_of(&c, NT__CTX_PHONE), d_zalo = dist_of(&c, NT__CTX_ZALO);
    if (d_zalo < d_phone)
        d_phone = d_zalo;
    int phone_ctx = d_phone != (size_t)-1;

    /* An amount ("5.000.000 đ", "500k"), or a number announced as an OTP,
     * password, transaction code or balance nearer than anything else. */
    if (c.unit_after)
        return NT_OK;
    if (d_code != (size_t)-1 && d_code < d_bank && d_code < d_phone && d_code < d_id)
        return NT_OK;
    /* A quantity ("3 ngày", "100 người"): only numbers too short to be a phone. */
    if (c.count_after && nd < 8 && !phone_ctx)
        return NT_OK;

    /* A bank's name near the number matters only to a number shaped like an
     * account (6-19 digits, no +), and then only where it can decide: the
     * bank of an account announced by a bank phrase; with no bank phrase,
     * whether 8+ digits are an account (when no phone or ID phrase is
     * nearer) or, for 12 digits, not a citizen ID.  Looked up only then. */
    int account_shaped = !plus && nd >= 6 && nd <= 19;
    if (account_shaped && ((c.kinds & NT__CTX_BANK)
                               ? d_bank <= d_phone && d_bank <= d_id
                               : nd >= 8 && ((d_phone == (size_t)-1 && d_id == (size_t)-1) ||
                                             nd == 12)))
        number_bank(s, &c);
    /* A bank phrase, or a bank's name next to a number long enough to be an
     * account (OTPs and codes of 6-7 digits sit next to bank names too). */
    int bank_ctx = (c.kinds & NT__CTX_BANK) || (c.bank_named && nd >= 8);

    /* A bank account: bank context nearer than phone or ID context. */
    if (!plus && bank_ctx && nd >= 6 && nd <= 19 && d_bank <= d_phone && d_bank <= d_id) {
        char *canon = NULL;
        rc = nt_canon_bank_account(ex->banks, c.bank_named ? c.bank.code : NULL, digits, nd,
                                   &canon, NULL);
        if (rc == NT_OK) {
            char *detail = dup_str(c.bank_named ? c.bank.code : "");
            if (!detail) {
                free(canon);
                return NT_ERR_NOMEM;
            }
            *taken = 1;
            return add(s, NT_IND_BANK_ACCOUNT, 0, vs, ve, canon, detail);
        }
        if (rc != NT_ERR_INVALID)
            return soft(rc);
    }
    /* A citizen ID announced as one. */
    if (!plus && nd == 12 && (c.kinds & NT__CTX_ID) && d_id <= d_phone) {
        rc = add_national_id(s, vs, ve, digits, nd, taken);
        if (rc != NT_ERR_INVALID)
            return soft(rc);
    }
    /* A phone number: canonicalise what was written, separators and all.
     * Fewer digits than any number that stands alone can only be a short
     * code or UAN, kept only after a phone phrase: no need to ask (and
     * nothing below applies to fewer than 12 digits). */
    if (nd < ex->phone_alone && nd < 12 && !phone_ctx)
        return NT_OK;
    char *canon = NULL;
    nt_phone_info pi;
    rc = nt_canon_phone(b + vs, ve - vs, &canon, &pi, NULL);
    if (rc == NT_OK) {
        int needs_ctx = pi.kind == NT_PHONE_SHORT_CODE || pi.kind == NT_PHONE_UAN;
        if (needs_ctx && !phone_ctx) {
            free(canon);
        } else {
            char *detail = phone_detail(&pi);
            char *zalo = NULL;
            if (!detail) {
                free(canon);
                return NT_ERR_NOMEM;
            }
            if (d_zalo <= 16) {
                size_t zl = strlen(canon) + 6;
                zalo = malloc(zl);
                if (!zalo) {
                    free(canon);
                    free(detail);
                    return NT_ERR_NOMEM;
                }
                snprintf(zalo, zl, "zalo:%s", canon);
            }
            *taken = 1;
            rc = add(s, NT_IND_PHONE, 0, vs, ve, canon, detail);
            if (!rc && zalo) {
                char *platform = dup_str("zalo");
                if (!platform) {
                    free(zalo);
                    return NT_ERR_NOMEM;
                }
                return add(s, NT_IND_SOCIAL, 0, vs, ve, zalo, platform);
            }
            free(zalo);
            return rc;
        }
    } else if (rc != NT_ERR_INVALID) {
        return soft(rc);
    }
    /* Twelve digits shaped like a citizen ID and claimed by nothing else:
     * treat as personal data so it is never stored in clear. */
    if (!plus && nd == 12 && !bank_ctx)
        return soft(add_national_id(s, vs, ve, digits, nd, taken));
    return NT_OK;
}

/* Length of the separator between two digit groups at b[j]: one space, '.',
 * '-', '(' or ')', or ") ", ")-", " ("; 0 if there is none. */
static size_t num_sep(const char *b, size_t n, size_t j)
{
    if (j >= n)
        return 0;
    char c = b[j], d = j + 1 < n ? b[j + 1] : '\0';
    if ((c == ')' && (d == ' ' || d == '-')) || (c == ' ' && d == '('))
        return 2;
    return (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') ? 1 : 0;
}

/* Dotted-quad IPv4 address exactly covering groups g[0..4). */
static int is_ipv4(const char *b, const group *g, size_t ng)
{
    if (ng != 4)
        return 0;
    for (size_t k = 0; k < 4; k++) {
        size_t len = g[k].ve - g[k].vs;
        if (len < 1 || len > 3)
            return 0;
        unsigned v = 0;
        for (size_t j = g[k].vs; j < g[k].ve; j++)
            v = v * 10 + (unsigned)(b[j] - '0');
        if (v > 255)
            return 0;
        if (k < 3 && !(g[k + 1].vs == g[k].ve + 1 && b[g[k].ve] == '.'))
            return 0;
    }
    return 1;
}

/* The first i' >= i where a number can start, or n; *base and *mask hold
 * the candidates of the 64 bytes from *base. */
static size_t next_number_start(const char *b, size_t n, size_t i, size_t *base, uint64_t *mask)
{
    while (i < n) {
        if (i >= *base + 64 || i < *base) {
            *base = i;
            *mask = nt__number_starts(b, n, i);
        }
        uint64_t m = *mask >> (i - *base);
        if (m)
            return i + ctz64(m);
        i = *base + 64;
    }
    return n;
}

static nt_err pass_numbers(scan *s)
{
    const char *b = s->view.b;
    size_t n = s->view.n;
    size_t i = 0, base = (size_t)-64; /* nothing looked at yet */
    uint64_t mask = 0;
    while ((i = next_number_start(b, n, i, &base, &mask)) < n) {
        unsigned char c = (unsigned char)b[i];
        int plus = c == '+' && i + 1 < n && is_digit((unsigned char)b[i + 1]);
        int paren = c == '(' && i + 1 < n && is_digit((unsigned char)b[i + 1]);
        if (c == '(' && i + 2 < n && b[i + 1] == '+' && is_digit((unsigned char)b[i + 2]))
            plus = paren = 1; /* "(+84) 912 345 678" */
        if (!(is_digit(c) || plus || paren) || u_alnum_before(b, n, i) ||
            (i > 0 && (b[i - 1] == '.' || b[i - 1] == ',') && i > 1 &&
             is_digit((unsigned char)b[i - 2]))) {
            i++;
            continue;
        }
        size_t run_start = i;
        size_t j = i + (size_t)plus + (size_t)paren;
        group g[MAX_GROUPS];
        size_t ng = 0, total = 0;
        for (;;) {
            size_t gs = j;
            while (j < n && is_digit((unsigned char)b[j]))
                j++;
            if (ng < MAX_GROUPS)
                g[ng++] = (group){gs, j, 0};
            total += j - gs;
            size_t k = j + num_sep(b, n, j);
            if (k > j && k < n && is_digit((unsigned char)b[k]) && ng < MAX_GROUPS &&
                total < 40) {
                /* "0912.345.678" binds tighter than "0912 345 678": a
                 * separator without a space keeps groups in one segment. */
                g[ng - 1].tight = memchr(b + j, ' ', k - j) == NULL;
                j = k;
                continue;
            }
            break;
        }
        size_t run_end = j;
        if (run_end < n && b[run_end] == ')' && paren)
            run_end++;
        i = run_end > i ? run_end : i + 1;
        /* IPv4 addresses (not inside a longer dotted number). */
        if (!plus && !paren && is_ipv4(b, g, ng) &&
            !(run_end + 1 < n && b[run_end] == '.' && is_digit((unsigned char)b[run_end + 1]))) {
            nt__buf ip;
            nt__buf_init(&ip, 64);
            if (nt__buf_add(&ip, b + g[0].vs, g[3].ve - g[0].vs) != NT_OK) {
                nt__buf_free(&ip);
                return NT_ERR_NOMEM;
            }
            char *detail = dup_str("ipv4");
            char *val = nt__buf_take(&ip);
            if (!detail || !val) {
                free(detail);
                free(val);
                return NT_ERR_NOMEM;
            }
            nt_err rc = add(s, NT_IND_IP, 0, g[0].vs, g[3].ve, val, detail);
            if (rc)
                return rc;
            continue;
        }
        /* Greedy: the longest run of segments (from the left) that is
         * something; a run starts and ends only between segments, so the
         * "000.000" of "2.000.000" is never an account of its own. */
        size_t gi = 0;
        while (gi < ng) {
            int taken = 0;
            size_t last = gi + 7 < ng ? gi + 7 : ng - 1;
            for (size_t ge = last + 1; ge-- > gi;) {
                if (ge + 1 < ng && g[ge].tight)
                    continue;
                char digits[48];
                size_t nd = 0;
                int fits = 1;
                for (size_t k = gi; k <= ge && fits; k++) {
                    size_t len = g[k].ve - g[k].vs;
                    if (nd + len > 19)
                        fits = 0;
                    else {
                        memcpy(digits + nd, b + g[k].vs, len);
                        nd += len;
                    }
                }
                if (!fits || nd < 3)
                    continue;
                digits[nd] = '\0';
                size_t vs = gi == 0 ? run_start : g[gi].vs;
                size_t ve = g[ge].ve;
                if (gi == 0 && ge == ng - 1)
                    ve = run_end;
                if (paren && gi == 0 && ge == 0)
                    ve = g[0].ve < n && b[g[0].ve] == ')' ? g[0].ve + 1 : g[0].ve;
                nt_err rc = classify(s, vs, ve, digits, nd, plus && gi == 0, &taken);
                if (rc)
                    return rc;
                if (taken) {
                    gi = ge + 1;
                    break;
                }
            }
            if (!taken) {
                while (gi + 1 < ng && g[gi].tight)
                    gi++;
                gi++;
            }
        }
    }
    return NT_OK;
}

/* ---- resolution and the public API ---------------------------------------- */

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->vs != y->vs)
        return x->vs < y->vs ? -1 : 1;
    if (x->ve != y->ve)
        return x->ve > y->ve ? -1 : 1; /* longer first */
    return (int)x->type - (int)y->type;
}

/* Drop candidates inside a URL or e-mail span (except the social account
 * derived from that same URL) and exact duplicates. */
static void resolve(cands *c)
{
    if (c->n == 0)
        return;
    qsort(c->v, c->n, sizeof c->v[0], cand_cmp);
    /* Sorted by start (longer first), so a candidate lies inside some kept
     * container iff it ends before the furthest container end seen so far:
     * one pass, no pairwise comparison. */
    size_t out = 0, first_same = 0; /* first kept index with the current start */
    size_t cont_end = 0, cont_vs = 0, dom_end = 0;
    int have_cont = 0, have_dom = 0;
    for (size_t i = 0; i < c->n; i++) {
        cand *x = &c->v[i];
        int drop = 0;
        if (have_cont && x->ve <= cont_end) {
            int same_span = x->vs == cont_vs && x->ve == cont_end;
            drop = !(same_span && x->type == NT_IND_SOCIAL);
        }
        if (x->type == NT_IND_DOMAIN && have_dom && x->ve <= dom_end)
            drop = 1;
        if (first_same < out && c->v[first_same].vs != x->vs)
            first_same = out;
        for (size_t k = first_same; k < out && !drop; k++) {
            const cand *y = &c->v[k];
            if (y->ve == x->ve && y->type == x->type && strcmp(x->value, y->value) == 0)
                drop = 1;
        }
        if (drop) {
            free(x->value);
            free(x->detail);
            continue;
        }
        if ((x->type == NT_IND_URL || x->type == NT_IND_EMAIL) &&
            (!have_cont || x->ve > cont_end)) {
            have_cont = 1;
            cont_end = x->ve;
            cont_vs = x->vs;
        }
        if (x->type == NT_IND_DOMAIN && (!have_dom || x->ve > dom_end)) {
            have_dom = 1;
            dom_end = x->ve;
        }
        c->v[out++] = *x;
    }
    c->n = out;
}

void nt_extractor_options_init(nt_extractor_options *opts)
{
    if (opts)
        memset(opts, 0, sizeof *opts);
}

nt_err nt_extractor_new(const nt_extractor_options *opts, nt_extractor **out, nt_diag *diag)
{
    if (!out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no output pointer");
    *out = NULL;
    nt_extractor *ex = calloc(1, sizeof *ex);
    if (!ex)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err rc = NT_OK;
    if (opts) {
        ex->banks = opts->banks;
        ex->max_bytes = opts->max_bytes;
        if (opts->id_key) {
            memcpy(ex->id_key, opts->id_key, sizeof ex->id_key);
            ex->has_key = 1;
        }
    }
    if (!ex->has_key) {
        /* No key given: a random one for this extractor alone.  ID hashes
         * then match within it but can be neither linked across runs nor
         * brute-forced from the ~10^10 possible ID numbers. */
        if (sodium_init() < 0) {
            rc = nt__fail(diag, NT_ERR_INTERNAL, 0, "libsodium failed to initialise");
            goto cleanup;
        }
        randombytes_buf(ex->id_key, sizeof ex->id_key);
        ex->has_key = 1;
    }
    ex->phone_alone = nt__phone_min_standalone_digits();
    if ((rc = nt__folder_init(&ex->folder)) != NT_OK) {
        rc = nt__fail(diag, rc, 0, "cannot build the fold table: %s", nt_strerror(rc));
        goto cleanup;
    }
    if (opts && opts->context_path) {
        rc = nt__phrases_load(opts->context_path, &ex->phrases, diag);
        if (rc)
            goto cleanup;
    }
    if (!ex->max_bytes)
        ex->max_bytes = NT_DEFAULT_MAX_MESSAGE_BYTES;
    if (ex->max_bytes > NT_MAX_MESSAGE_BYTES_CEILING) {
        rc = nt__fail(diag, NT_ERR_INVALID_ARG, 0, "max_bytes above the %u-byte ceiling",
                      NT_MAX_MESSAGE_BYTES_CEILING);
        goto cleanup;
    }
    *out = ex;
    ex = NULL;
cleanup:
    nt_extractor_free(ex);
    return rc;
}

void nt_extractor_free(nt_extractor *ex)
{
    if (!ex)
        return;
    nt__phrases_free(&ex->phrases);
    nt__folder_free(&ex->folder);
    sodium_memzero(ex->id_key, sizeof ex->id_key);
    free(ex);
}

nt_err nt_extract(const nt_extractor *ex, const char *text, size_t len, nt_indicator_list **out,
                  nt_diag *diag)
{
    if (!ex || !out || (!text && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    if (len > ex->max_bytes)
        return nt__fail(diag, NT_ERR_TOO_BIG, ex->max_bytes,
                        "message of %zu bytes is over the %zu-byte limit", len, ex->max_bytes);
    scan s;
    memset(&s, 0, sizeof s);
    s.ex = ex;
    nt_indicator_list *list = NULL;
    if (!text)
        text = "";
    nt__survey sv;
    int rewrite = nt__prefilter(text, len, &sv);
    nt_err rc = nt__view_build(&s.view, text, len, rewrite);
    if (rc)
        goto cleanup;
    if (rewrite)
        nt__survey_bytes(s.view.b, s.view.n, &sv);
    if ((sv.urls && (rc = pass_urls(&s))) || (sv.at && (rc = pass_at(&s))) ||
        (sv.dot && (rc = pass_domains(&s))) || (sv.long_word && (rc = pass_wallets(&s))) ||
        (sv.digit && (rc = pass_numbers(&s))))
        goto cleanup;
    resolve(&s.c);
    list = malloc(sizeof *list + s.c.n * sizeof list->v[0]);
    if (!list) {
        rc = NT_ERR_NOMEM;
        goto cleanup;
    }
    list->n = 0;
    for (size_t i = 0; i < s.c.n; i++) {
        cand *x = &s.c.v[i];
        nt_indicator *ind = &list->v[list->n++];
        ind->type = x->type;
        ind->flags = x->flags;
        ind->start = nt__view_os(&s.view, x->vs);
        ind->end = nt__view_oe(&s.view, x->ve - 1);
        ind->value = x->value;
        ind->detail = x->detail ? x->detail : NULL;
        x->value = x->detail = NULL;
        if (!ind->detail) {
            ind->detail = dup_str("");
            if (!ind->detail) {
                rc = NT_ERR_NOMEM;
                goto cleanup;
            }
        }
    }
    *out = list;
    list = NULL;
cleanup:
    if (rc && rc != NT_ERR_TOO_BIG)
        nt__fail(diag, rc, 0, "%s", nt_strerror(rc));
    else if (rc)
        nt__fail(diag, rc, len, "more than %u indicators in one message",
                 NT_MAX_INDICATORS_PER_MESSAGE);
    nt_indicator_list_free(list);
    if (s.c.v)
        cands_free(&s.c);
    if (s.fold.b)
        nt__folded_free(&s.fold);
    if (!s.view.identity)
        nt__view_free(&s.view);
    return rc;
}

size_t nt_indicator_list_count(const nt_indicator_list *list)
{
    return list ? list->n : 0;
}

const nt_indicator *nt_indicator_list_get(const nt_indicator_list *list, size_t i)
{
    if (!list || i >= list->n)
        return NULL;
    return &list->v[i];
}

void nt_indicator_list_free(nt_indicator_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        free((char *)list->v[i].value);
        free((char *)list->v[i].detail);
    }
    free(list);
}
