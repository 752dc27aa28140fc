/*
 * lib/text/link.c - recognising URL-, e-mail- and domain-looking runs so that
 * normalisation keeps them whole and never "repairs" them (a dot in a domain
 * is not an obfuscating separator, "0" in "b1o.vn" is not a letter).
 *
 * Recognised, on the case-folded text:
 *   - "http://..." / "https://..." and "www...." up to the next space;
 *   - local@domain.tld;
 *   - label.label.tld with a known top-level domain, or any alphabetic TLD
 *     when a path follows ("t.me/xyz"); a bare "x.tld" whose labels are all
 *     single letters is not a link (that is "c.o.m"-style spelling).
 * Canonicalisation and the public-suffix check belong to the indicator
 * module; this only has to decide where a link-looking run starts and ends.
 */
#include "text/text_internal.h"

#include <string.h>
#include <utf8proc.h>

/* A host name has at most 253 characters, an e-mail local part 64: a longer
 * run is not a link, and the bound keeps recognition linear in the input. */
#define MAX_HOST_RUN 320

/* Common generic and country TLDs seen in Vietnamese messages, sorted. */
static const char *const tlds[] = {
    "app",  "asia", "bet",  "biz",  "cc",   "cf",   "cfd",  "click", "club", "cn",
    "co",   "com",  "cyou", "dev",  "edu",  "fun",  "ga",   "gl",    "gov",  "gq",
    "icu",  "info", "io",   "jp",   "kr",   "link", "live", "ly",    "me",   "ml",
    "mobi", "net",  "online", "org", "pro", "ru",   "sbs",  "shop",  "site", "store",
    "tech", "tk",   "to",   "top",  "tv",   "uk",   "us",   "vip",   "vn",   "win",
    "xyz"};

static int is_alnum_ascii(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static int is_word_cp(int32_t c)
{
    if (c < 0x80)
        return is_alnum_ascii(c);
    const utf8proc_category_t cat = utf8proc_category(c);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ND);
}

static int host_char(int32_t c)
{
    return is_word_cp(c) || c == '-' || c == '_';
}

static int url_char(int32_t c)
{
    if (c < 0x80)
        return c > 0x20 && c != 0x7F && !strchr("<>\"`{}^\\", (int)c);
    return is_word_cp(c);
}

static int trailing_punct(int32_t c)
{
    return c < 0x80 && strchr(".,;:!?)]}'\"", (int)c);
}

static int tld_known(const nt__unit *u, size_t s, size_t e)
{
    char key[8];
    if (e - s < 2 || e - s > 6)
        return 0;
    for (size_t i = s; i < e; i++) {
        if (u[i].cp < 'a' || u[i].cp > 'z')
            return 0;
        key[i - s] = (char)u[i].cp;
    }
    key[e - s] = '\0';
    size_t lo = 0, hi = sizeof tlds / sizeof tlds[0];
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        const int c = strcmp(tlds[mid], key);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int starts_with(const nt__unit *u, size_t p, size_t end, const char *s)
{
    const size_t n = strlen(s);
    if (end - p < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (u[p + i].cp != (unsigned char)s[i])
            return 0;
    }
    return 1;
}

/* Extend over URL characters from q, then drop trailing punctuation. */
static size_t extend_url(const nt__unit *u, size_t q, size_t end, size_t min_end)
{
    while (q < end && url_char(u[q].cp))
        q++;
    while (q > min_end && trailing_punct(u[q - 1].cp))
        q--;
    return q;
}

/* Check that u[s..e) is label(.label)+ with an alphabetic last label.  Sets
 * *tld_start, *longest (longest non-TLD label).  Returns the label count. */
static size_t domain_labels(const nt__unit *u, size_t s, size_t e, size_t *tld_start,
                            size_t *longest)
{
    size_t labels = 0, ls = s;
    *longest = 0;
    for (size_t i = s; i <= e; i++) {
        if (i == e || u[i].cp == '.') {
            if (i == ls)
                return 0;
            labels++;
            if (i != e && i - ls > *longest)
                *longest = i - ls;
            *tld_start = ls;
            ls = i + 1;
        } else if (!host_char(u[i].cp)) {
            return 0;
        }
    }
    for (size_t i = *tld_start; i < e; i++) {
        if (u[i].cp < 'a' || u[i].cp > 'z')
            return 0;
    }
    if (e - *tld_start < 2)
        return 0;
    return labels;
}

size_t nt__link_match(const nt__unit *u, size_t p, size_t end)
{
    if (p >= end || !is_word_cp(u[p].cp))
        return p;
    if (starts_with(u, p, end, "http://") || starts_with(u, p, end, "https://")) {
        const size_t q = p + (u[p + 4].cp == 's' ? 8 : 7);
        if (q < end && host_char(u[q].cp))
            return extend_url(u, q, end, q + 1);
        return p;
    }
    if (starts_with(u, p, end, "www.")) {
        if (p + 4 < end && host_char(u[p + 4].cp))
            return extend_url(u, p + 4, end, p + 5);
        return p;
    }
    /* A host-like run: word characters, '-', '_', '.', at most one '@'. */
    size_t q = p, at = end;
    while (q < end) {
        if (q - p > MAX_HOST_RUN)
            return p; /* longer than any e-mail address or host name */
        const int32_t c = u[q].cp;
        if (c == '@' && at == end && q > p)
            at = q;
        else if (!host_char(c) && !(c == '.' || (c == '+' && at == end)))
            break;
        q++;
    }
    while (q > p && u[q - 1].cp == '.')
        q--;
    size_t tld = 0, longest = 0;
    if (at != end) {
        if (at >= q || at + 1 >= q)
            return p;
        if (domain_labels(u, at + 1, q, &tld, &longest) >= 2 && q - tld >= 2)
            return q;
        return p;
    }
    const size_t labels = domain_labels(u, p, q, &tld, &longest);
    if (labels < 2)
        return p;
    const int path = q < end && (u[q].cp == '/' || u[q].cp == ':' || u[q].cp == '?');
    if (!path && !(tld_known(u, tld, q) && longest >= 2))
        return p;
    if (path && !tld_known(u, tld, q) && longest < 2 && q - tld > 4)
        return p;
    if (path) {
        const size_t r = extend_url(u, q, end, q);
        return r > q + 1 ? r : q;
    }
    return q;
}
