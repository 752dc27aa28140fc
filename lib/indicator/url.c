/*
 * lib/indicator/url.c - Safe Browsing v4 URL canonicalisation and the
 * host-suffix / path-prefix lookup expressions built from a canonical URL.
 *
 * The one idea: "percent-unescape repeatedly until nothing changes" is a
 * string rewriting system whose only rule (%XY -> byte) can never overlap
 * itself, so every order of rewriting reaches the same result.  Decoding onto
 * a stack and re-examining only its top three bytes after each push therefore
 * computes the fixpoint in one linear pass, where the textbook loop is
 * quadratic on inputs like "%2525252525...".  Everything after that is one
 * left-to-right parse of the unescaped bytes into scheme, authority, path and
 * query, written straight into the single output allocation.
 *
 * Beyond Safe Browsing (see docs/canonicalisation.md): credentials in the
 * authority are dropped (the host is what follows the last '@'), non-ASCII
 * hosts become IDNA A-labels, IPv6 literals are written in RFC 5952 form,
 * and for the WHATWG "special" schemes (http, https, ftp, ws, wss) a
 * backslash separates path segments as it does in every browser.
 */
#include "indicator/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "core/buf.h"
#include "core/diag.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"

/* Inputs up to this size are unescaped in a stack buffer, not the heap. */
#define WORK_ON_STACK 1024

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static unsigned hex_val(unsigned char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

static unsigned char to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_scheme_char(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* Bytes Safe Browsing re-escapes in the canonical URL. */
static int needs_escape(unsigned char c)
{
    return c <= 0x20 || c >= 0x7f || c == '#' || c == '%';
}

/* Copy in[0..len) to w, dropping tab, CR and LF and percent-decoding to the
 * fixpoint (see the top of the file).  w must hold len bytes; returns the new
 * length, never more than len. */
static size_t unescape_all(const char *in, size_t len, char *w)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '\t' || c == '\r' || c == '\n')
            continue;
        w[n++] = c;
        while (n >= 3 && w[n - 3] == '%' && is_hex((unsigned char)w[n - 2]) &&
               is_hex((unsigned char)w[n - 1])) {
            w[n - 3] =
                (char)(hex_val((unsigned char)w[n - 2]) << 4 | hex_val((unsigned char)w[n - 1]));
            n -= 2;
        }
    }
    return n;
}

/* WHATWG special schemes: their authority is introduced by any number of
 * slashes or backslashes, and a backslash separates path segments. */
static int is_special_scheme(const char *s, size_t n)
{
    static const char *const special[] = {"http", "https", "ftp", "ws", "wss"};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        if (strlen(special[i]) == n && strncasecmp(s, special[i], n) == 0)
            return 1;
    }
    return 0;
}

/* Schemes whose URLs never have a host ("mailto:a@b.vn", "tel:113").
 * Without this list they would read as "host:port" with http implied,
 * which is right for "localhost:3000" but not for these. */
static int is_opaque_scheme(const char *s, size_t n)
{
    static const char *const opaque[] = {"mailto", "javascript", "vbscript", "data", "tel",
                                         "sms",    "about",      "blob",     "urn",  "sip",
                                         "magnet", "callto",     "geo"};
    for (size_t i = 0; i < sizeof opaque / sizeof opaque[0]; i++) {
        if (strlen(opaque[i]) == n && strncasecmp(s, opaque[i], n) == 0)
            return 1;
    }
    return 0;
}

/* Strip leading and trailing dots and collapse runs of dots, in place;
 * returns the new length. */
static size_t collapse_dots(char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' && (n == 0 || s[n - 1] == '.'))
            continue;
        s[n++] = s[i];
    }
    if (n > 0 && s[n - 1] == '.')
        n--;
    return n;
}

int nt__ipv4_parse(const char *s, size_t len, uint32_t *addr)
{
    uint64_t parts[4];
    size_t np = 0, i = 0;

    if (!s || len == 0)
        return 0;
    for (;;) {
        size_t start = i;
        while (i < len && s[i] != '.')
            i++;
        if (i == start || np == 4)
            return 0;
        unsigned base = 10;
        size_t k = start;
        if (i - start >= 2 && s[k] == '0' && (s[k + 1] | 0x20) == 'x') {
            base = 16;
            k += 2;
        } else if (i - start >= 2 && s[k] == '0') {
            base = 8;
            k += 1;
        }
        uint64_t v = 0;
        for (; k < i; k++) {
            unsigned char c = (unsigned char)s[k];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = (unsigned)(c - '0');
            else if (base == 16 && is_hex(c))
                d = hex_val(c);
            else
                return 0;
            if (d >= base)
                return 0;
            v = v * base + d;
            if (v > 0xFFFFFFFFu)
                return 0;
        }
        parts[np++] = v;
        if (i == len)
            break;
        i++; /* the dot; a trailing one leaves an empty part and fails above */
    }
    for (size_t p = 0; p + 1 < np; p++) {
        if (parts[p] > 255)
            return 0;
    }
    uint64_t last = parts[np - 1];
    if (last >= ((uint64_t)1 << (8 * (5 - np))))
        return 0;
    uint32_t a = (uint32_t)last;
    for (size_t p = 0; p + 1 < np; p++)
        a |= (uint32_t)parts[p] << (24 - 8 * p);
    *addr = a;
    return 1;
}

size_t nt__ipv4_format(uint32_t addr, char out[16])
{
    int n = snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(addr >> 24), (unsigned)(addr >> 16) & 255,
                     (unsigned)(addr >> 8) & 255, (unsigned)addr & 255);
    return n > 0 ? (size_t)n : 0;
}

/* Non-zero if every byte of s[0..len) may appear in a canonical host that
 * parses back to the same host: no URL delimiters, no '%', nothing that
 * would be escaped. */
static int host_bytes_safe(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("/\\?@:[]#%", c))
            return 0;
    }
    return 1;
}

/* Non-zero if s[0..len) has a byte >= 0x80 and is valid UTF-8 without
 * control characters: a candidate for IDNA. */
static int idna_candidate(const char *s, size_t len)
{
    int non_ascii = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        int32_t cp;
        size_t n = nt__utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (n == 0)
            return 0;
        non_ascii = 1;
        i += n;
    }
    return non_ascii;
}

/* Try to turn the non-ASCII host h[0..len) into A-labels.  h[len] must be
 * writable (it is restored).  On success *res is the libidn2 string (free
 * with idn2_free) and *res_len its collapsed length; on any failure *res is
 * NULL and the raw bytes are kept, which is stable under re-canonicalisation
 * because the same bytes fail the same way again. */
static nt_err host_to_ascii(char *h, size_t len, char **res, size_t *res_len)
{
    *res = NULL;
    if (!idna_candidate(h, len))
        return NT_OK;
    char saved = h[len];
    h[len] = '\0';
    char *a = NULL;
    nt_err rc = nt__idna_to_ascii(h, &a, NULL);
    h[len] = saved;
    if (rc == NT_ERR_NOMEM)
        return rc;
    if (rc != NT_OK)
        return NT_OK;
    size_t n = collapse_dots(a, strlen(a));
    if (n == 0 || !host_bytes_safe(a, n)) {
        idn2_free(a);
        return NT_OK;
    }
    a[n] = '\0';
    *res = a;
    *res_len = n;
    return NT_OK;
}

/* Canonical IPv6 literal "[...]" from the bytes between the brackets. */
static int ipv6_canon(const char *s, size_t len, char out[INET6_ADDRSTRLEN + 2])
{
    char tmp[64];
    struct in6_addr a;

    if (len == 0 || len >= sizeof tmp)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_hex(c) && c != ':' && c != '.')
            return 0;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET6, tmp, &a) != 1)
        return 0;
    out[0] = '[';
    if (!inet_ntop(AF_INET6, &a, out + 1, INET6_ADDRSTRLEN))
        return 0;
    size_t n = strlen(out);
    out[n] = ']';
    out[n + 1] = '\0';
    return 1;
}

/* Append c, percent-escaped if Safe Browsing escapes it.  The caller has
 * reserved room (3 bytes per input byte). */
static void put_escaped(nt__buf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    if (needs_escape(c)) {
        b->data[b->len++] = '%';
        b->data[b->len++] = hex[c >> 4];
        b->data[b->len++] = hex[c & 15];
    } else {
        b->data[b->len++] = (char)c;
    }
}

/* Append the path w[0..len) with "." and ".." segments resolved (RFC 3986
 * remove_dot_segments) and empty segments dropped ("//" -> "/").  The result
 * starts with '/' and ends with '/' exactly when the input path ended with a
 * separator, "." or "..".  Room reserved by the caller: 4 * len + 1. */
static void put_path(nt__buf *b, const char *w, size_t len, int special)
{
    size_t root = b->len;
    int last_was_name = 0;
    size_t i = 0;

    b->data[b->len++] = '/';
    while (i < len) {
        if (w[i] == '/' || (special && w[i] == '\\')) {
            last_was_name = 0;
            i++;
            continue;
        }
        size_t s = i;
        while (i < len && w[i] != '/' && !(special && w[i] == '\\'))
            i++;
        size_t n = i - s;
        if (n == 1 && w[s] == '.') {
            last_was_name = 0;
        } else if (n == 2 && w[s] == '.' && w[s + 1] == '.') {
            if (b->len - root > 1) {
                b->len--; /* the '/' after the last segment */
                while (b->data[b->len - 1] != '/')
                    b->len--;
            }
            last_was_name = 0;
        } else {
            for (size_t k = s; k < i; k++)
                put_escaped(b, (unsigned char)w[k]);
            b->data[b->len++] = '/';
            last_was_name = 1;
        }
    }
    if (last_was_name)
        b->len--;
}

nt_err nt_canon_url(const char *in, size_t len, char **out, nt_diag *diag)
{
    nt_err rc = NT_OK;
    char stack_work[WORK_ON_STACK];
    char *w = stack_work;
    char *idna = NULL;
    nt__buf ob;

    nt__buf_init(&ob, 0);
    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "nt_canon_url: NULL argument");
    *out = NULL;
    if (len > NT_MAX_URL_BYTES)
        return nt__fail(diag, NT_ERR_TOO_BIG, NT_MAX_URL_BYTES,
                        "URL of %zu bytes is longer than the %u-byte limit", len, NT_MAX_URL_BYTES);

    /* The fragment goes first: a '#' written as %23 is data, not a fragment. */
    const char *hash = len ? memchr(in, '#', len) : NULL;
    size_t b = 0, e = hash ? (size_t)(hash - in) : len;
    while (b < e && (unsigned char)in[b] <= 0x20)
        b++;
    while (e > b && (unsigned char)in[e - 1] <= 0x20)
        e--;
    if (e - b + 1 > sizeof stack_work) {
        w = malloc(e - b + 1);
        if (!w) {
            rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
    }
    size_t wl = unescape_all(in + b, e - b, w);
    w[wl] = '\0';
    if (wl == 0) {
        rc = nt__fail(diag, NT_ERR_INVALID, 0, "empty URL");
        goto cleanup;
    }

    /* Scheme: "name://", or "http:"-like special schemes with any slashes
     * (as browsers accept "http:\\host" and "http:host"); else http. */
    const char *scheme = "http";
    size_t scheme_len = 4, pos = 0, j = 0;
    int special = 1;
    if (is_alpha((unsigned char)w[0])) {
        j = 1;
        while (j < wl && is_scheme_char((unsigned char)w[j]))
            j++;
    }
    if (j > 0 && j < wl && w[j] == ':') {
        int sp = is_special_scheme(w, j);
        if (j + 2 < wl && w[j + 1] == '/' && w[j + 2] == '/') {
            scheme = w;
            scheme_len = j;
            special = sp;
            pos = j + 3;
        } else if (sp) {
            scheme = w;
            scheme_len = j;
            pos = j + 1;
        } else if (is_opaque_scheme(w, j)) {
            rc = nt__fail(diag, NT_ERR_INVALID, 0, "'%.*s:' URLs have no host", (int)j, w);
            goto cleanup;
        }
    }
    if (special) {
        while (pos < wl && (w[pos] == '/' || w[pos] == '\\'))
            pos++;
    }

    /* Authority, then the host in it: after the last '@', before ':port'. */
    size_t ae = pos;
    while (ae < wl && w[ae] != '/' && w[ae] != '?' && !(special && w[ae] == '\\'))
        ae++;
    size_t hs = pos, he;
    for (size_t k = pos; k < ae; k++) {
        if (w[k] == '@')
            hs = k + 1;
    }
    char litbuf[INET6_ADDRSTRLEN + 2];
    const char *host;
    size_t hl;
    if (hs < ae && w[hs] == '[') {
        const char *rb = memchr(w + hs, ']', ae - hs);
        if (!rb) {
            rc = nt__fail(diag, NT_ERR_INVALID, 0, "unterminated IPv6 address literal in URL host");
            goto cleanup;
        }
        he = (size_t)(rb - w);
        if (!ipv6_canon(w + hs + 1, he - hs - 1, litbuf)) {
            rc = nt__fail(diag, NT_ERR_INVALID, 0, "invalid IPv6 address literal in URL host");
            goto cleanup;
        }
        host = litbuf;
        hl = strlen(litbuf);
    } else {
        he = hs;
        while (he < ae && w[he] != ':')
            he++;
        hl = collapse_dots(w + hs, he - hs);
        host = w + hs;
        if (hl == 0) {
            rc = nt__fail(diag, NT_ERR_INVALID, 0, "URL has no host");
            goto cleanup;
        }
        /* Brackets belong to IPv6 literals only (a stray '[' would read as
         * one when the canonical URL is parsed again). */
        if (memchr(host, '[', hl) || memchr(host, ']', hl)) {
            rc = nt__fail(diag, NT_ERR_INVALID, 0,
                          "'[' or ']' in a URL host that is not an IPv6 literal");
            goto cleanup;
        }
        size_t il = 0;
        rc = host_to_ascii(w + hs, hl, &idna, &il);
        if (rc) {
            rc = nt__fail(diag, rc, 0, "out of memory");
            goto cleanup;
        }
        if (idna) {
            host = idna;
            hl = il;
        }
        uint32_t a;
        if (nt__ipv4_parse(host, hl, &a)) {
            hl = nt__ipv4_format(a, litbuf);
            host = litbuf;
        }
    }

    size_t pe = ae;
    while (pe < wl && w[pe] != '?')
        pe++;

    rc = nt__buf_reserve(&ob, scheme_len + 3 + 3 * hl + 4 * (wl - ae) + 8);
    if (rc) {
        rc = nt__fail(diag, rc, 0, "out of memory");
        goto cleanup;
    }
    for (size_t k = 0; k < scheme_len; k++)
        ob.data[ob.len++] = (char)to_lower((unsigned char)scheme[k]);
    memcpy(ob.data + ob.len, "://", 3);
    ob.len += 3;
    for (size_t k = 0; k < hl; k++)
        put_escaped(&ob, to_lower((unsigned char)host[k]));
    put_path(&ob, w + ae, pe - ae, special);
    if (pe < wl) {
        ob.data[ob.len++] = '?';
        for (size_t k = pe + 1; k < wl; k++)
            put_escaped(&ob, (unsigned char)w[k]);
    }
    ob.data[ob.len] = '\0';
    *out = nt__buf_take(&ob);

cleanup:
    if (idna)
        idn2_free(idna);
    if (w != stack_work)
        free(w);
    nt__buf_free(&ob);
    return rc;
}

/* Split a canonical URL into host and the rest (path, '?', query); 0 if it
 * does not have the "scheme://host/..." shape. */
static int split_canonical(const char *url, const char **host, size_t *hl, const char **rest)
{
    const char *p = strstr(url, "://");
    if (!p || p == url)
        return 0;
    const char *h = p + 3;
    size_t n = strcspn(h, "/?");
    if (n == 0 || h[n] != '/')
        return 0;
    *host = h;
    *hl = n;
    *rest = h + n;
    return 1;
}

nt_err nt_url_host(const char *canon_url, char **host)
{
    const char *h, *rest;
    size_t hl;

    if (!canon_url || !host)
        return NT_ERR_INVALID_ARG;
    *host = NULL;
    if (!split_canonical(canon_url, &h, &hl, &rest))
        return NT_ERR_INVALID;
    char *s = malloc(hl + 1);
    if (!s)
        return NT_ERR_NOMEM;
    memcpy(s, h, hl);
    s[hl] = '\0';
    *host = s;
    return NT_OK;
}

void nt_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Host suffixes to look up, as offsets into host: the host itself, then (not
 * for IP addresses) up to four suffixes formed from the last five labels,
 * longest first, never the last label alone.  Returns the count (1..5). */
static size_t host_suffixes(const char *host, size_t hl, size_t off[5])
{
    uint32_t a;
    size_t n = 0, tail[4], nt = 0;
    int skipped_last = 0;

    off[n++] = 0;
    if (host[0] == '[' || nt__ipv4_parse(host, hl, &a))
        return n;
    for (size_t k = hl; k-- > 0 && nt < 4;) {
        if (host[k] != '.')
            continue;
        if (skipped_last)
            tail[nt++] = k + 1;
        skipped_last = 1;
    }
    while (nt > 0)
        off[n++] = tail[--nt];
    return n;
}

/* Path prefixes to look up, as lengths of rest (which starts with the path):
 * path with query (if there is a '?'), path alone, then "/" and successive
 * prefixes ending in '/', four at most counting "/", none equal to the path.
 * Returns the count (1..6). */
static size_t path_prefixes(const char *rest, size_t len[6])
{
    size_t pl = strcspn(rest, "?");
    size_t n = 0, count = 0;

    if (rest[pl] == '?')
        len[n++] = strlen(rest);
    len[n++] = pl;
    for (size_t i = 0; i < pl && count < 4; i++) {
        if (rest[i] != '/')
            continue;
        count++;
        if (i + 1 != pl)
            len[n++] = i + 1;
    }
    return n;
}

size_t nt__url_expression_spans(const char *canon_url, size_t start[NT__URL_MAX_EXPRESSIONS],
                                size_t len[NT__URL_MAX_EXPRESSIONS])
{
    const char *host, *rest;
    size_t hl, hoff[5], plen[6], nv = 0;

    if (!canon_url || !split_canonical(canon_url, &host, &hl, &rest))
        return 0;
    size_t nh = host_suffixes(host, hl, hoff);
    size_t np = path_prefixes(rest, plen);
    /* host + hl == rest: each expression is one run of the URL */
    for (size_t i = 0; i < nh; i++) {
        for (size_t j = 0; j < np; j++) {
            start[nv] = (size_t)(host - canon_url) + hoff[i];
            len[nv++] = hl - hoff[i] + plen[j];
        }
    }
    return nv;
}

nt_err nt_url_expressions(const char *canon_url, char ***out, size_t *n)
{
    size_t start[NT__URL_MAX_EXPRESSIONS], len[NT__URL_MAX_EXPRESSIONS];

    if (!canon_url || !out || !n)
        return NT_ERR_INVALID_ARG;
    *out = NULL;
    *n = 0;
    size_t nv = nt__url_expression_spans(canon_url, start, len);
    if (nv == 0)
        return NT_ERR_INVALID;
    char **v = calloc(nv, sizeof *v);
    if (!v)
        return NT_ERR_NOMEM;
    for (size_t i = 0; i < nv; i++) {
        if (!(v[i] = malloc(len[i] + 1))) {
            nt_strv_free(v, i);
            return NT_ERR_NOMEM;
        }
        memcpy(v[i], canon_url + start[i], len[i]);
        v[i][len[i]] = '\0';
    }
    *out = v;
    *n = nv;
    return NT_OK;
}
