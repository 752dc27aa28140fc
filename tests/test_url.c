/*
 * tests/test_url.c - Safe Browsing URL canonicalisation and lookup
 * expressions (lib/indicator/url.c).
 *
 * The vector table below is every canonicalisation example of the Safe
 * Browsing v4 developer page "URLs and Hashing"
 * (developers.google.com/safe-browsing/v4/urls-hashing), which repeats the
 * v2 protocol specification's section 6.2 examples; the expected values are
 * the v4 ones (the only difference from v2: the port is dropped).  The same
 * vectors are also read from ../shared/data/safebrowsing-canonicalization
 * when present, so a transcription slip in either place shows up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "indicator/internal.h"
#include "niemtin/indicator.h"
#include "niemtin/limits.h"
#include "testutil.h"

/* ---- helpers -------------------------------------------------------------- */

/* Canonicalise s (len bytes) and compare with want; on mismatch print both. */
static void check_canon_n(const char *s, size_t len, const char *want)
{
    char *out = NULL;
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_url(s, len, &out, &d);
    if (rc != NT_OK || strcmp(out, want) != 0) {
        fprintf(stderr, "canon(%.*s):\n  got  %s (%s: %s)\n  want %s\n", (int)len, s,
                out ? out : "(null)", nt_strerror(rc), d.message, want);
        fail();
    }
    /* Canonical URLs are fixpoints. */
    char *again = NULL;
    assert_int_equal(nt_canon_url(out, strlen(out), &again, NULL), NT_OK);
    assert_string_equal(again, out);
    free(again);
    free(out);
}

static void check_canon(const char *s, const char *want)
{
    check_canon_n(s, strlen(s), want);
}

/* Expect an error code and a diag message containing `msg`. */
static void check_canon_err(const char *s, size_t len, nt_err want, const char *msg)
{
    char *out = (char *)"sentinel";
    nt_diag d;
    nt_diag_clear(&d);
    nt_err rc = nt_canon_url(s, len, &out, &d);
    if (rc != want) {
        fprintf(stderr, "canon(%.*s): got %s, want %s\n", (int)(len > 80 ? 80 : len), s,
                nt_strerror(rc), nt_strerror(want));
        fail();
    }
    assert_null(out);
    assert_int_equal(d.code, want);
    if (!strstr(d.message, msg)) {
        fprintf(stderr, "diag '%s' lacks '%s'\n", d.message, msg);
        fail();
    }
}

/* ---- the Safe Browsing vectors ------------------------------------------- */

static const struct {
    const char *in;
    const char *want;
} sb_vectors[] = {
    {"http://host/%25%32%35", "http://host/%25"},
    {"http://host/%25%32%35%25%32%35", "http://host/%25%25"},
    {"http://host/%2525252525252525", "http://host/%25"},
    {"http://host/asdf%25%32%35asd", "http://host/asdf%25asd"},
    {"http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"},
    {"http://www.google.com/", "http://www.google.com/"},
    {"http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/"
     "%77%77%77%2E%65%62%61%79%2E%63%6F%6D/",
     "http://168.188.99.26/.secure/www.ebay.com/"},
    {"http://195.127.0.11/uploads/%20%20%20%20/.verify/"
     ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
     "http://195.127.0.11/uploads/%20%20%20%20/.verify/"
     ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/"},
    {"http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%"
     "252B",
     "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+"},
    {"http://3279880203/blah", "http://195.127.0.11/blah"},
    {"http://www.google.com/blah/..", "http://www.google.com/"},
    {"www.google.com/", "http://www.google.com/"},
    {"www.google.com", "http://www.google.com/"},
    {"http://www.evil.com/blah#frag", "http://www.evil.com/blah"},
    {"http://www.GOOgle.com/", "http://www.google.com/"},
    {"http://www.google.com.../", "http://www.google.com/"},
    {"http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"},
    {"http://www.google.com/q?", "http://www.google.com/q?"},
    {"http://www.google.com/q?r?", "http://www.google.com/q?r?"},
    {"http://www.google.com/q?r?s", "http://www.google.com/q?r?s"},
    {"http://evil.com/foo#bar#baz", "http://evil.com/foo"},
    {"http://evil.com/foo;", "http://evil.com/foo;"},
    {"http://evil.com/foo?bar;", "http://evil.com/foo?bar;"},
    {"http://\x01\x80.com/", "http://%01%80.com/"},
    {"http://notrailingslash.com", "http://notrailingslash.com/"},
    {"http://www.gotaport.com:1234/", "http://www.gotaport.com/"},
    {"  http://www.google.com/  ", "http://www.google.com/"},
    {"http:// leadingspace.com/", "http://%20leadingspace.com/"},
    {"http://%20leadingspace.com/", "http://%20leadingspace.com/"},
    {"%20leadingspace.com/", "http://%20leadingspace.com/"},
    {"https://www.securesite.com/", "https://www.securesite.com/"},
    {"http://host.com/ab%23cd", "http://host.com/ab%23cd"},
    {"http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"},
};

static void test_sb_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sb_vectors / sizeof sb_vectors[0]; i++)
        check_canon(sb_vectors[i].in, sb_vectors[i].want);
}

/* Undo the TSV's C escapes (\t \r \n \\ \xNN) in place; returns the length. */
static size_t c_unescape(char *s)
{
    size_t n = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '\\' || !s[i + 1]) {
            s[n++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c == 't')
            s[n++] = '\t';
        else if (c == 'r')
            s[n++] = '\r';
        else if (c == 'n')
            s[n++] = '\n';
        else if (c == 'x' && s[i + 1] && s[i + 2]) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            s[n++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else
            s[n++] = c;
    }
    s[n] = '\0';
    return n;
}

static void test_sb_vectors_dataset(void **state)
{
    (void)state;
    const char *path = tu_shared_path("safebrowsing-canonicalization/canonicalize_vectors.tsv");
    if (!path)
        return;
    char *data = tu_read_file(path, NULL);
    if (!data) {
        fprintf(stderr, "note: %s not readable; skipping\n", path);
        return;
    }
    size_t rows = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        assert_non_null(t2);
        *t1 = *t2 = '\0';
        size_t len = c_unescape(line);
        c_unescape(t2 + 1);
        check_canon_n(line, len, t2 + 1);
        rows++;
    }
    assert_int_equal(rows, sizeof sb_vectors / sizeof sb_vectors[0]);
    free(data);
}

/* ---- expressions ---------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The expressions of url must be exactly the set want[0..n). */
static void check_expressions(const char *url, const char **want, size_t n)
{
    char **v = NULL;
    size_t nv = 0;
    assert_int_equal(nt_url_expressions(url, &v, &nv), NT_OK);
    qsort(v, nv, sizeof *v, cmp_str);
    const char **w = malloc(n * sizeof *w);
    memcpy(w, want, n * sizeof *w);
    qsort(w, n, sizeof *w, cmp_str);
    if (nv != n) {
        for (size_t i = 0; i < nv; i++)
            fprintf(stderr, "  got %s\n", v[i]);
    }
    assert_int_equal(nv, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i], w[i]);
    assert_true(nv <= NT_MAX_URL_EXPRESSIONS);
    free(w);
    nt_strv_free(v, nv);
}

static void test_expressions_spec(void **state)
{
    (void)state;
    static const char *e1[] = {"a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/", "a.b.c/1/",
                               "b.c/1/2.html?param=1",   "b.c/1/2.html",   "b.c/",   "b.c/1/"};
    check_expressions("http://a.b.c/1/2.html?param=1", e1, 8);
    static const char *e2[] = {"a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/", "c.d.e.f.g/1.html",
                               "c.d.e.f.g/",           "d.e.f.g/1.html", "d.e.f.g/",
                               "e.f.g/1.html",         "e.f.g/",         "f.g/1.html",
                               "f.g/"};
    check_expressions("http://a.b.c.d.e.f.g/1.html", e2, 10);
    static const char *e3[] = {"1.2.3.4/1/", "1.2.3.4/"};
    check_expressions("http://1.2.3.4/1/", e3, 2);
}

/* The same three URLs from the shared dataset, when present. */
static void test_expressions_dataset(void **state)
{
    (void)state;
    const char *path =
        tu_shared_path("safebrowsing-canonicalization/suffix_prefix_expressions_v2spec.tsv");
    if (!path)
        return;
    char *data = tu_read_file(path, NULL);
    if (!data) {
        fprintf(stderr, "note: %s not readable; skipping\n", path);
        return;
    }
    const char *urls[8];
    const char *want[8][32];
    size_t nurl = 0, nwant[8] = {0};
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        size_t u = 0;
        while (u < nurl && strcmp(urls[u], line) != 0)
            u++;
        if (u == nurl) {
            assert_true(nurl < 8);
            urls[nurl++] = line;
        }
        assert_true(nwant[u] < 32);
        want[u][nwant[u]++] = tab + 1;
    }
    assert_int_equal(nurl, 3);
    for (size_t u = 0; u < nurl; u++) {
        char *canon = NULL;
        assert_int_equal(nt_canon_url(urls[u], strlen(urls[u]), &canon, NULL), NT_OK);
        check_expressions(canon, want[u], nwant[u]);
        free(canon);
    }
    free(data);
}

static void test_expressions_limits(void **state)
{
    (void)state;
    /* Deep path, long host, query: 5 hosts x 6 paths. */
    char **v = NULL;
    size_t n = 0;
    assert_int_equal(nt_url_expressions("http://a.b.c.d.e.f.g.h/1/2/3/4/5/6.html?x=1", &v, &n),
                     NT_OK);
    assert_int_equal(n, 30);
    nt_strv_free(v, n);

    /* Path "/" alone: one path per host; empty query still counts. */
    static const char *e1[] = {"www.google.com/", "google.com/"};
    check_expressions("http://www.google.com/", e1, 2);
    static const char *e2[] = {"www.google.com/q?", "www.google.com/q", "www.google.com/",
                               "google.com/q?",     "google.com/q",     "google.com/"};
    check_expressions("http://www.google.com/q?", e2, 6);
    /* A path ending in '/' is its own prefix: no duplicates. */
    static const char *e3[] = {"x.vn/a/b/", "x.vn/a/", "x.vn/"};
    check_expressions("https://x.vn/a/b/", e3, 3);
    /* IPv6 literals are IP addresses: no host suffixes. */
    static const char *e4[] = {"[::1]/a", "[::1]/"};
    check_expressions("http://[::1]/a", e4, 2);
    /* A single-label host has no suffixes. */
    static const char *e5[] = {"localhost/"};
    check_expressions("http://localhost/", e5, 1);

    assert_int_equal(nt_url_expressions("not a url", &v, &n), NT_ERR_INVALID);
    assert_null(v);
    assert_int_equal(nt_url_expressions("http:///x", &v, &n), NT_ERR_INVALID);
    assert_int_equal(nt_url_expressions(NULL, &v, &n), NT_ERR_INVALID_ARG);
}

static void test_url_host(void **state)
{
    (void)state;
    char *h = NULL;
    assert_int_equal(nt_url_host("http://www.google.com/a?b", &h), NT_OK);
    assert_string_equal(h, "www.google.com");
    free(h);
    assert_int_equal(nt_url_host("https://[2001:db8::1]/", &h), NT_OK);
    assert_string_equal(h, "[2001:db8::1]");
    free(h);
    assert_int_equal(nt_url_host("http://%01%80.com/", &h), NT_OK);
    assert_string_equal(h, "%01%80.com");
    free(h);
    assert_int_equal(nt_url_host("http:///", &h), NT_ERR_INVALID);
    assert_null(h);
    assert_int_equal(nt_url_host("www.google.com", &h), NT_ERR_INVALID);
    assert_int_equal(nt_url_host(NULL, &h), NT_ERR_INVALID_ARG);
}

/* ---- our additions and edge cases ------------------------------------------ */

static void test_credentials(void **state)
{
    (void)state;
    check_canon("http://vietcombank.com.vn@evil.com/", "http://evil.com/");
    check_canon("http://user:pass@Evil.COM:8080/login", "http://evil.com/login");
    check_canon("http://a@b@c.vn/", "http://c.vn/");
    check_canon("https://www.vietcombank.com.vn%40evil.tk/x", "https://evil.tk/x");
    /* An '@' after the authority is path data, not credentials. */
    check_canon("http://good.vn/@evil.com", "http://good.vn/@evil.com");
    check_canon("http://good.vn?@evil.com", "http://good.vn/?@evil.com");
    /* Browsers treat '\' as '/' in http URLs: the host is good.vn. */
    check_canon("http://good.vn\\@evil.com/", "http://good.vn/@evil.com/");
    check_canon_err("http://user:pw@/x", 17, NT_ERR_INVALID, "no host");
}

static void test_idn(void **state)
{
    (void)state;
    check_canon("http://ví-dụ.vn/", "http://xn--v-d-rma6749a.vn/");
    check_canon("http://VÍ-DỤ.VN/path", "http://xn--v-d-rma6749a.vn/path");
    check_canon("ngânhàng.vn/đăng-nhập", "http://xn--ngnhng-ltan.vn/%C4%91%C4%83ng-nh%E1%BA%ADp");
    /* Percent-encoded UTF-8 in the host is the same host. */
    check_canon("http://v%C3%AD-d%E1%BB%A5.vn/", "http://xn--v-d-rma6749a.vn/");
    /* Full-width digits and dots map (UTS#46) to an IPv4 address. */
    check_canon("http://１９２．１６８．０．１/", "http://192.168.0.1/");
    /* Ideographic full stop as label separator, trailing one dropped. */
    check_canon("http://ví-dụ。vn。/", "http://xn--v-d-rma6749a.vn/");
    /* Emoji domains: IDNA2008 disallows them, transitional processing not. */
    check_canon("http://\xf0\x9f\x92\xa9.la/", "http://xn--ls8h.la/");
    /* Invalid UTF-8 or un-IDNA-able hosts keep their bytes, escaped. */
    check_canon("http://\xc3\x28.vn/", "http://%C3(.vn/");
    /* A full-width solidus would map to '/': not accepted as a host. */
    check_canon("http://a\xef\xbc\x8f" "b.vn/", "http://a%EF%BC%8Fb.vn/");
    /* ASCII A-labels are kept (lower-cased) as they are. */
    check_canon("http://XN--V-D-RMA6749A.vn/", "http://xn--v-d-rma6749a.vn/");
}

static void test_ipv4_forms(void **state)
{
    (void)state;
    check_canon("http://0300.0250.0.1/", "http://192.168.0.1/");
    check_canon("http://0xc0.0xa8.0.1/", "http://192.168.0.1/");
    check_canon("http://0XC0.0XA8.0X0.01/", "http://192.168.0.1/");
    check_canon("http://0xc0a80001/", "http://192.168.0.1/");
    check_canon("http://192.168.1/", "http://192.168.0.1/");
    check_canon("http://192.11010049/", "http://192.168.0.1/");
    check_canon("http://3232235777/x", "http://192.168.1.1/x");
    check_canon("http://1.2.3.4./", "http://1.2.3.4/");
    check_canon("http://0/", "http://0.0.0.0/");
    check_canon("http://4294967295/", "http://255.255.255.255/");
    /* Not IPv4: out of range, bad digits, too many parts - plain hosts. */
    check_canon("http://4294967296/", "http://4294967296/");
    check_canon("http://256.1.1.1/", "http://256.1.1.1/");
    check_canon("http://1.2.3.4.5/", "http://1.2.3.4.5/");
    check_canon("http://09.1.1.1/", "http://09.1.1.1/");
    check_canon("http://1.2.3.0x1g/", "http://1.2.3.0x1g/");

    uint32_t a = 0;
    char buf[16];
    assert_true(nt__ipv4_parse("0300.0250.0.1", 13, &a));
    assert_int_equal(nt__ipv4_format(a, buf), 11);
    assert_string_equal(buf, "192.168.0.1");
    assert_true(nt__ipv4_parse("3279880203", 10, &a));
    nt__ipv4_format(a, buf);
    assert_string_equal(buf, "195.127.0.11");
    assert_false(nt__ipv4_parse("1..2", 4, &a));
    assert_false(nt__ipv4_parse("1.2.", 4, &a));
    assert_false(nt__ipv4_parse("", 0, &a));
    assert_false(nt__ipv4_parse("1.2.65536", 9, &a));
    assert_true(nt__ipv4_parse("1.2.65535", 9, &a));
    assert_false(nt__ipv4_parse("99999999999999999999", 20, &a));
}

static void test_ipv6(void **state)
{
    (void)state;
    check_canon("http://[::1]/", "http://[::1]/");
    check_canon("http://[2001:DB8:0:0::1]:8443/a", "http://[2001:db8::1]/a");
    check_canon("http://u@[::FFFF:1.2.3.4]/", "http://[::ffff:1.2.3.4]/");
    check_canon_err("http://[::1/", 12, NT_ERR_INVALID, "unterminated IPv6");
    check_canon_err("http://[1:2:3:4:5:6:7:8:9]/", 27, NT_ERR_INVALID, "invalid IPv6");
    check_canon_err("http://[::1%25eth0]/", 20, NT_ERR_INVALID, "invalid IPv6");
    check_canon_err("http://[]/", 10, NT_ERR_INVALID, "invalid IPv6");
    /* Brackets elsewhere in a host are not an address literal. */
    check_canon_err("http://.[::1]/", 14, NT_ERR_INVALID, "not an IPv6 literal");
    check_canon_err("http://a[b]c.vn/", 16, NT_ERR_INVALID, "not an IPv6 literal");
    check_canon_err(".[a.b.c.d\xae.e.f:/+", 17, NT_ERR_INVALID, "not an IPv6 literal");
}

static void test_ports_schemes(void **state)
{
    (void)state;
    check_canon("http://evil.com:80/", "http://evil.com/");
    check_canon("https://evil.com:443", "https://evil.com/");
    check_canon("evil.com:8080/a", "http://evil.com/a");
    check_canon("HTTPS://Evil.Com/A/B", "https://evil.com/A/B");
    check_canon("FTP://files.example.vn/pub/", "ftp://files.example.vn/pub/");
    check_canon("hxxp://evil.com/", "hxxp://evil.com/");
    check_canon("ws://chat.vn:9000/socket", "ws://chat.vn/socket");
    /* Browsers accept missing or extra slashes and backslashes after http:. */
    check_canon("http:evil.com/x", "http://evil.com/x");
    check_canon("http:\\\\evil.com\\a\\b", "http://evil.com/a/b");
    check_canon("https:///evil.com", "https://evil.com/");
    check_canon("http:///path", "http://path/");
    check_canon("//evil.com/x", "http://evil.com/x");
    /* Non-special schemes: backslash is data. */
    check_canon("foo://a.vn/x\\y", "foo://a.vn/x\\y");
    /* "name:" without "//" is a host and port, not a scheme. */
    check_canon("localhost:3000", "http://localhost/");
    /* ... and so is "user:password@host" without a scheme. */
    check_canon("admin:123@evil.vn/x", "http://evil.vn/x");
}

static void test_paths(void **state)
{
    (void)state;
    check_canon("http://a.vn/a/b/../c", "http://a.vn/a/c");
    check_canon("http://a.vn/a/b/./c/.", "http://a.vn/a/b/c/");
    check_canon("http://a.vn/../../..", "http://a.vn/");
    check_canon("http://a.vn/a/%2e%2E/b", "http://a.vn/b");
    check_canon("http://a.vn/a/..b/.c", "http://a.vn/a/..b/.c");
    check_canon("http://a.vn///a////b//", "http://a.vn/a/b/");
    check_canon("http://a.vn/a/b/..?x=/../y", "http://a.vn/a/?x=/../y");
    /* %2F decodes to a separator, %3F to a query, %23 stays data. */
    check_canon("http://a.vn/a%2Fb%3Fc%23d", "http://a.vn/a/b?c%23d");
    check_canon("http://evil.com%2Fgood.vn/", "http://evil.com/good.vn/");
}

static void test_escapes(void **state)
{
    (void)state;
    /* Escapes come out upper-case; unreserved bytes are decoded. */
    check_canon("http://a.vn/%7e%c3%a9%20%7f%3c", "http://a.vn/~%C3%A9%20%7F<");
    check_canon("http://a.vn/?q=%e1%BA%a1i", "http://a.vn/?q=%E1%BA%A1i");
    /* A lone or malformed '%' is a literal percent sign. */
    check_canon("http://a.vn/100%", "http://a.vn/100%25");
    check_canon("http://a.vn/%zz%4", "http://a.vn/%25zz%254");
    /* Escaped tab/CR/LF are kept; raw ones are removed. */
    check_canon("http://a.vn/x%09y%0d%0a", "http://a.vn/x%09y%0D%0A");
    check_canon("ht\ttp://a.\nvn/\r", "http://a.vn/");
    /* Embedded NUL bytes are escaped, not truncating. */
    check_canon_n("http://a.vn/x\0y?z\0w", 20, "http://a.vn/x%00y?z%00w");
    check_canon_n("http://a\0b.vn/", 14, "http://a%00b.vn/");
    check_canon("http://a.vn/%00", "http://a.vn/%00");
    /* Leading/trailing controls are stripped like spaces. */
    check_canon_n("\0\x01 http://a.vn/ \x1f", 17, "http://a.vn/");
}

static void test_errors(void **state)
{
    (void)state;
    check_canon_err("", 0, NT_ERR_INVALID, "empty URL");
    check_canon_err("   ", 3, NT_ERR_INVALID, "empty URL");
    check_canon_err("#frag", 5, NT_ERR_INVALID, "empty URL");
    check_canon_err("http://", 7, NT_ERR_INVALID, "no host");
    check_canon_err("https://", 8, NT_ERR_INVALID, "no host");
    check_canon_err("http:///", 8, NT_ERR_INVALID, "no host");
    check_canon_err("http://.../", 11, NT_ERR_INVALID, "no host");
    check_canon_err("http://:80/", 11, NT_ERR_INVALID, "no host");
    check_canon_err("http://?q", 9, NT_ERR_INVALID, "no host");
    check_canon_err("file:///etc/passwd", 18, NT_ERR_INVALID, "no host");
    check_canon_err("mailto:a@evil.vn", 16, NT_ERR_INVALID, "'mailto:' URLs have no host");
    check_canon_err("JavaScript:alert(1)", 19, NT_ERR_INVALID, "'JavaScript:' URLs have no host");
    check_canon_err("tel:0912345678", 14, NT_ERR_INVALID, "have no host");

    size_t big = NT_MAX_URL_BYTES + 1;
    char *s = malloc(big);
    memcpy(s, "http://a.vn/", 12);
    memset(s + 12, 'a', big - 12);
    check_canon_err(s, big, NT_ERR_TOO_BIG, "limit");
    /* Exactly at the limit is fine, and the worst case for unescaping
     * ("%25" nested) is linear. */
    char *out = NULL;
    assert_int_equal(nt_canon_url(s, big - 1, &out, NULL), NT_OK);
    assert_int_equal(strlen(out), big - 1);
    free(out);
    memcpy(s + 12, "%", 1);
    for (size_t i = 13; i + 1 < big - 1; i += 2)
        memcpy(s + i, "25", 2);
    assert_int_equal(nt_canon_url(s, big - 1, &out, NULL), NT_OK);
    free(out);
    /* Every byte escaped: the output triples. */
    memset(s + 12, ' ', big - 13);
    s[big - 2] = 'x';
    assert_int_equal(nt_canon_url(s, big - 1, &out, NULL), NT_OK);
    assert_int_equal(strlen(out), 12 + 3 * (big - 14) + 1);
    free(out);
    free(s);

    assert_int_equal(nt_canon_url(NULL, 3, &out, NULL), NT_ERR_INVALID_ARG);
    assert_int_equal(nt_canon_url("x", 1, NULL, NULL), NT_ERR_INVALID_ARG);
    /* A NULL diag is allowed. */
    assert_int_equal(nt_canon_url("http://", 7, &out, NULL), NT_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sb_vectors),
        cmocka_unit_test(test_sb_vectors_dataset),
        cmocka_unit_test(test_expressions_spec),
        cmocka_unit_test(test_expressions_dataset),
        cmocka_unit_test(test_expressions_limits),
        cmocka_unit_test(test_url_host),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_idn),
        cmocka_unit_test(test_ipv4_forms),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_ports_schemes),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
